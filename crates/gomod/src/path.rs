//! Go's `path.Clean`, the one port gotrust uses for slash-separated paths (module zip
//! entry names, `h1:` file names, GOPATH/GOMODCACHE values on Unix, where
//! `filepath.Clean` is the same function).
//!
//! Mirrors `Clean` in Go's src/path/path.go: the shortest path equivalent to the input
//! by purely lexical processing. Repeated slashes collapse, `.` elements go, a `..`
//! removes the element before it (and is dropped right after the root), a trailing
//! slash goes unless the result is the root, and an empty result is `.`.
//!
//! Checked against the real `path.Clean` over every short path of a small alphabet and
//! random ones by `tests/integration/strconv_oracle.rs`.

/// Go's `path.Clean(p)`.
pub fn clean(p: &str) -> String {
    let cleaned = clean_bytes(p.as_bytes());
    // Cleaning only removes whole elements and slashes, so valid UTF-8 stays valid.
    String::from_utf8(cleaned)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Go's `path.Clean` over bytes (Go strings need not be UTF-8, and zip entry names are
/// not always).
pub fn clean_bytes(p: &[u8]) -> Vec<u8> {
    if p.is_empty() {
        return b".".to_vec();
    }
    let rooted = p[0] == b'/';
    let mut kept: Vec<&[u8]> = Vec::new();
    for elem in p.split(|&b| b == b'/') {
        match elem {
            b"" | b"." => {}
            b".." => {
                if kept.last().is_some_and(|l| *l != b"..") {
                    kept.pop();
                } else if !rooted {
                    kept.push(elem);
                }
            }
            _ => kept.push(elem),
        }
    }
    let mut out = Vec::with_capacity(p.len());
    if rooted {
        out.push(b'/');
    }
    out.extend_from_slice(&kept.join(&b'/'));
    if out.is_empty() {
        out.push(b'.');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleans_as_go_does() {
        for (i, o) in [
            ("", "."),
            ("/", "/"),
            ("a//b/./c/..", "a/b"),
            ("/../a", "/a"),
            ("../../a", "../../a"),
            ("a/../..", ".."),
            ("/x/", "/x"),
            ("a/..", "."),
            ("./", "."),
        ] {
            assert_eq!(clean(i), o, "{i}");
        }
        assert_eq!(clean_bytes(b"a/\xff/../b"), b"a/b");
    }
}
