//! A reader for the txtar archive format used by cmd/go's module fixtures
//! (`src/cmd/go/testdata/mod/*.txt`, parsed there by `cmd/go/internal/txtar`).
//!
//! An archive is a free-form comment followed by files, each introduced by a
//! marker line `-- NAME --`. A file's data runs up to the next marker line;
//! the last file gets a final newline added when it lacks one, as Go does.
//! Go's parser never fails; this one rejects what would make a fixture
//! ambiguous (the same name twice, an empty name) so a broken fixture is
//! reported instead of served.

use thiserror::Error;

/// Largest archive accepted, so a stray huge file in a modules directory
/// cannot exhaust memory.
pub const MAX_ARCHIVE_BYTES: usize = 64 << 20;

/// One file of an archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    /// The name from the marker line, trimmed of surrounding white space.
    pub name: String,
    /// The file's bytes, up to (not including) the next marker line.
    pub data: Vec<u8>,
}

/// A parsed archive.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Archive {
    /// Text before the first marker.
    pub comment: Vec<u8>,
    /// Files in archive order.
    pub files: Vec<File>,
}

impl Archive {
    /// The data of the file called `name`, if present.
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.files
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.data.as_slice())
    }
}

/// Why an archive was rejected.
#[derive(Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum TxtarError {
    /// The archive is larger than [`MAX_ARCHIVE_BYTES`].
    #[error("txtar archive too large ({size} bytes; limit is {MAX_ARCHIVE_BYTES})")]
    TooLarge {
        /// Size of the input.
        size: usize,
    },
    /// A marker line names the empty string (`--  --`).
    #[error("line {line}: file marker with an empty name")]
    EmptyName {
        /// 1-based line number of the marker.
        line: usize,
    },
    /// Two markers name the same file.
    #[error("line {line}: duplicate file {name:?}")]
    Duplicate {
        /// The repeated name.
        name: String,
        /// 1-based line number of the second marker.
        line: usize,
    },
    /// A marker name is not valid UTF-8.
    #[error("line {line}: file name is not valid UTF-8")]
    NameNotUtf8 {
        /// 1-based line number of the marker.
        line: usize,
    },
}

/// If `line` (without its newline) is a marker `-- NAME --`, the raw name.
fn marker_name(line: &[u8]) -> Option<&[u8]> {
    // "-- " + name + " --", where the name may be empty only after trimming;
    // the shortest marker is "--  --" minus nothing: prefix and suffix must
    // not overlap.
    if line.len() >= 6 && line.starts_with(b"-- ") && line.ends_with(b" --") {
        Some(&line[3..line.len() - 3])
    } else {
        None
    }
}

/// Parses an archive.
pub fn parse(data: &[u8]) -> Result<Archive, TxtarError> {
    if data.len() > MAX_ARCHIVE_BYTES {
        return Err(TxtarError::TooLarge { size: data.len() });
    }
    let mut archive = Archive::default();
    // Where the current section (comment or file body) started.
    let mut section_start = 0usize;
    let mut current: Option<String> = None;
    let mut pos = 0usize;
    let mut line_no = 0usize;
    while pos < data.len() {
        line_no += 1;
        let end = data[pos..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(data.len(), |i| pos + i);
        let next = (end + 1).min(data.len());
        if let Some(raw) = marker_name(&data[pos..end]) {
            let name = std::str::from_utf8(raw)
                .map_err(|_| TxtarError::NameNotUtf8 { line: line_no })?
                .trim()
                .to_string();
            if name.is_empty() {
                return Err(TxtarError::EmptyName { line: line_no });
            }
            close_section(&mut archive, current.take(), &data[section_start..pos]);
            if archive.files.iter().any(|f| f.name == name) {
                return Err(TxtarError::Duplicate {
                    name,
                    line: line_no,
                });
            }
            current = Some(name);
            section_start = next;
        }
        pos = next;
        if end == data.len() {
            break;
        }
    }
    let mut tail = data[section_start.min(data.len())..].to_vec();
    if !tail.is_empty() && !tail.ends_with(b"\n") {
        tail.push(b'\n');
    }
    close_section(&mut archive, current, &tail);
    Ok(archive)
}

fn close_section(archive: &mut Archive, name: Option<String>, body: &[u8]) {
    match name {
        None => archive.comment = body.to_vec(),
        Some(name) => archive.files.push(File {
            name,
            data: body.to_vec(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comment_and_files() {
        let a = parse(b"comment\nmore\n-- a.txt --\nhello\n-- b/c.go --\npackage c\n-- empty --\n")
            .unwrap();
        assert_eq!(a.comment, b"comment\nmore\n");
        assert_eq!(a.files.len(), 3);
        assert_eq!(a.get("a.txt").unwrap(), b"hello\n");
        assert_eq!(a.get("b/c.go").unwrap(), b"package c\n");
        assert_eq!(a.get("empty").unwrap(), b"");
    }

    #[test]
    fn final_newline_added_to_last_file_only() {
        let a = parse(b"-- a --\nx\n-- b --\ny").unwrap();
        assert_eq!(a.get("a").unwrap(), b"x\n");
        assert_eq!(a.get("b").unwrap(), b"y\n");
    }

    #[test]
    fn marker_needs_whole_line() {
        let a = parse(b"-- a --\nnot -- b --\n--b --\n-- c --").unwrap();
        assert_eq!(a.get("a").unwrap(), b"not -- b --\n--b --\n");
        assert_eq!(a.get("c").unwrap(), b"");
        // Names are trimmed like Go's parser does.
        assert_eq!(parse(b"--   x  --\n").unwrap().files[0].name, "x");
    }

    #[test]
    fn no_files() {
        let a = parse(b"just a comment").unwrap();
        assert_eq!(a.comment, b"just a comment\n");
        assert!(a.files.is_empty());
        assert_eq!(parse(b"").unwrap(), Archive::default());
    }

    #[test]
    fn rejects_ambiguous_archives() {
        assert_eq!(
            parse(b"-- a --\n1\n-- a --\n2\n"),
            Err(TxtarError::Duplicate {
                name: "a".into(),
                line: 3
            })
        );
        assert_eq!(
            parse(b"x\n--    --\n"),
            Err(TxtarError::EmptyName { line: 2 })
        );
        assert_eq!(
            parse(b"-- \xff --\n"),
            Err(TxtarError::NameNotUtf8 { line: 1 })
        );
    }
}
