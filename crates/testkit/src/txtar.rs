//! Reading txtar archives (golang.org/x/tools/txtar), the format of x/mod's test data.
//!
//! Mirrors `Parse` in x/tools/txtar/archive.go: a comment, then files, each introduced by
//! a marker line `-- NAME --` (name trimmed of spaces); a file's data runs to the next
//! marker, and a final newline is added to a non-empty part that lacks one (`fixNL`).
//! Names and data are bytes: Go strings need not be UTF-8.

/// One file of an archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    /// The name from the marker line, trimmed.
    pub name: Vec<u8>,
    /// The content.
    pub data: Vec<u8>,
}

/// A parsed archive.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Archive {
    /// Everything before the first marker.
    pub comment: Vec<u8>,
    /// The files, in order.
    pub files: Vec<File>,
}

/// Parses `data` (never fails: anything before a marker is comment).
pub fn parse(data: &[u8]) -> Archive {
    let (comment, mut name, mut rest) = find_marker(data);
    let mut archive = Archive {
        comment,
        files: Vec::new(),
    };
    while let Some(n) = name {
        let (body, next, after) = find_marker(rest);
        archive.files.push(File {
            name: n,
            data: body,
        });
        name = next;
        rest = after;
    }
    archive
}

/// `findFileMarker`: the data before the next marker, that marker's name, and the data
/// after the marker line.
fn find_marker(data: &[u8]) -> (Vec<u8>, Option<Vec<u8>>, &[u8]) {
    let mut i = 0;
    loop {
        if let Some((name, after)) = marker(&data[i..]) {
            return (data[..i].to_vec(), Some(name), after);
        }
        match data[i..].windows(4).position(|w| w == b"\n-- ") {
            Some(j) => i += j + 1,
            None => return (fix_nl(data), None, &[]),
        }
    }
}

/// `isMarker`: the name if `data` starts with a marker line, and what follows it.
fn marker(data: &[u8]) -> Option<(Vec<u8>, &[u8])> {
    if !data.starts_with(b"-- ") {
        return None;
    }
    let (line, after) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &data[data.len()..]),
    };
    if !(line.ends_with(b" --") && line.len() >= 6) {
        return None;
    }
    // An empty name is no marker (Go's `isMarker` returns name "").
    let name = line[3..line.len() - 3].trim_ascii();
    (!name.is_empty()).then(|| (name.to_vec(), after))
}

fn fix_nl(data: &[u8]) -> Vec<u8> {
    let mut v = data.to_vec();
    if !v.is_empty() && !v.ends_with(b"\n") {
        v.push(b'\n');
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_comment_files_and_missing_newlines() {
        let a =
            parse(b"k=v\n-- a --\nx\n--   --\n--  b/c  --\n-- not a marker\ny-- d --\n-- e --\nz");
        assert_eq!(a.comment, b"k=v\n");
        let names: Vec<&[u8]> = a.files.iter().map(|f| &f.name[..]).collect();
        assert_eq!(names, [&b"a"[..], b"b/c", b"e"]);
        assert_eq!(a.files[0].data, b"x\n--   --\n");
        assert_eq!(a.files[1].data, b"-- not a marker\ny-- d --\n");
        assert_eq!(a.files[2].data, b"z\n");
        assert_eq!(parse(b"").files, []);
    }
}
