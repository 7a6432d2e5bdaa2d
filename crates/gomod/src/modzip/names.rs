//! The `x/mod/module` checks module zips need, with the messages `x/mod/zip` reports,
//! and small Go helpers: `strconv.Quote`, `path.Clean` and the case-folding key of
//! `x/mod/zip` (`strToFold`).
//!
//! The checks themselves are [`crate::module`]'s; this file only renders their errors
//! as Go prints them. [`ModuleError`]'s `Display` quotes with Rust's `{:?}`, which
//! differs from Go's `%q` for unprintable characters and cannot show invalid UTF-8
//! bytes, and zip entry names can hold both.

use crate::module::{self, ModuleError, PathProblem};

pub(crate) use crate::unicode::is_print;

/// `module.CheckFilePath` for a name that may not be UTF-8 (a zip entry name): the
/// name as `&str` if valid, else Go's message (`malformed file path "…": …`).
pub(crate) fn check_file_path(path: &[u8]) -> Result<&str, String> {
    module::check_file_path_bytes(path).map_err(|e| go_message(&e, path))
}

/// `module.Check`, with Go's message.
pub(crate) fn check_module(path: &str, version: &str) -> Result<(), String> {
    module::check(path, version).map_err(|e| go_message(&e, path.as_bytes()))
}

/// `module.CanonicalVersion`: empty if `v` is not a semantic version.
pub(crate) fn canonical_version(v: &str) -> String {
    module::canonical_version(v).unwrap_or_default()
}

/// Go's text of `e`, with `raw` (the path as given, possibly not UTF-8) quoted by
/// `%q`.
fn go_message(e: &ModuleError, raw: &[u8]) -> String {
    match e {
        ModuleError::InvalidPath { kind, problem, .. } => {
            let problem = match problem {
                PathProblem::DotsOnly(el) => {
                    format!("invalid path element {}", quote(el.as_bytes()))
                }
                PathProblem::InvalidChar(c) => format!("invalid char {}", quote_rune(*c)),
                PathProblem::WindowsReserved(s) => format!(
                    "{} disallowed as path element component on Windows",
                    quote(s.as_bytes())
                ),
                PathProblem::InvalidCharInFirst(c) => {
                    format!("invalid char {} in first path element", quote_rune(*c))
                }
                // The other problems quote nothing.
                other => other.to_string(),
            };
            format!("malformed {kind} path {}: {problem}", quote(raw))
        }
        // Version messages print the module path and version unquoted, as Go does.
        other => other.to_string(),
    }
}

fn escape_into(out: &mut String, c: char, quote: char) {
    match c {
        '\x07' => out.push_str("\\a"),
        '\x08' => out.push_str("\\b"),
        '\x0c' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\x0b' => out.push_str("\\v"),
        '\\' => out.push_str("\\\\"),
        c if c == quote => {
            out.push('\\');
            out.push(c);
        }
        c if is_print(c) => out.push(c),
        c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
        c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
        c => out.push_str(&format!("\\U{:08x}", c as u32)),
    }
}

/// Go's `strconv.Quote` (the `%q` verb) over bytes: invalid UTF-8 bytes
/// become `\xNN`.
pub(crate) fn quote(s: &[u8]) -> String {
    let mut out = String::from("\"");
    for chunk in s.utf8_chunks() {
        for c in chunk.valid().chars() {
            escape_into(&mut out, c, '"');
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out.push('"');
    out
}

/// Go's `strconv.QuoteRune` (`%q` of a rune).
pub(crate) fn quote_rune(c: char) -> String {
    let mut out = String::from("'");
    escape_into(&mut out, c, '\'');
    out.push('\'');
    out
}

/// Go's `path.Clean` over bytes.
pub(crate) fn clean(p: &[u8]) -> Vec<u8> {
    if p.is_empty() {
        return b".".to_vec();
    }
    let rooted = p[0] == b'/';
    let mut out: Vec<&[u8]> = Vec::new();
    for elem in p.split(|&b| b == b'/') {
        match elem {
            b"" | b"." => {}
            b".." => {
                if out.last().is_some_and(|l| *l != b"..") {
                    out.pop();
                } else if !rooted {
                    out.push(elem);
                }
            }
            _ => out.push(elem),
        }
    }
    let mut r = Vec::with_capacity(p.len());
    if rooted {
        r.push(b'/');
    }
    r.extend_from_slice(&out.join(&b'/'));
    if r.is_empty() {
        r.push(b'.');
    }
    r
}

/// A key with `fold(a) == fold(b)` iff Go's `strings.EqualFold(a, b)`
/// (x/mod/zip `strToFold`): each rune becomes the smallest rune of its
/// `unicode.SimpleFold` orbit, then A-Z become a-z.
pub(crate) fn fold(s: &str) -> String {
    if s.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase()) {
        return s.to_string();
    }
    s.chars().map(fold_char).collect()
}

fn fold_char(c: char) -> char {
    crate::unicode::fold_orbit_min(c).to_ascii_lowercase()
}

/// Lower-case ASCII comparison used for `strings.EqualFold(base, "go.mod")`:
/// Go folds the Kelvin sign etc. too, so use the same key as collisions.
pub(crate) fn equal_fold(a: &str, b: &str) -> bool {
    fold(a) == fold(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_matches_go() {
        for (i, o) in [
            ("", "."),
            ("a/b", "a/b"),
            ("a//b", "a/b"),
            ("a/./b", "a/b"),
            ("a/../b", "b"),
            ("../a", "../a"),
            ("/..", "/"),
            ("a/", "a"),
            ("./", "."),
        ] {
            assert_eq!(clean(i.as_bytes()), o.as_bytes(), "{i}");
        }
    }

    #[test]
    fn canonical_versions() {
        assert_eq!(canonical_version("v1"), "v1.0.0");
        assert_eq!(canonical_version("v1.2"), "v1.2.0");
        assert_eq!(canonical_version("v1.2.3+meta"), "v1.2.3");
        assert_eq!(
            canonical_version("v2.0.0+incompatible"),
            "v2.0.0+incompatible"
        );
        assert_eq!(canonical_version("v1.2.3-pre.1"), "v1.2.3-pre.1");
        assert_eq!(canonical_version("v01.2.3"), "");
        assert_eq!(canonical_version("1.2.3"), "");
        assert_eq!(canonical_version("v1.2.3-01"), "");
    }

    #[test]
    fn module_checks() {
        assert!(check_module("example.com/m", "v1.0.0").is_ok());
        assert!(check_module("example.com/m/v2", "v2.0.0").is_ok());
        assert!(check_module("example.com/m/v2", "v1.0.0").is_err());
        assert!(check_module("example.com/m", "v2.0.0").is_err());
        assert!(check_module("example.com/m", "v2.0.0+incompatible").is_ok());
        assert!(check_module("gopkg.in/yaml.v2", "v2.4.0").is_ok());
        assert!(check_module("example", "v1.0.0").is_err());
    }

    #[test]
    fn folding() {
        assert_eq!(fold("ABC"), "abc");
        assert_eq!(fold("\u{212A}"), "k");
        assert_eq!(fold("\u{17F}"), "s");
        assert_eq!(fold("\u{1E9E}"), fold("ß"));
        assert_ne!(fold("ß"), fold("ss"));
        assert_eq!(fold("ς"), fold("Σ"));
        assert_ne!(fold("ı"), fold("i"));
    }

    #[test]
    fn messages_are_gos() {
        let msg = |p: &[u8]| check_file_path(p).unwrap_err();
        assert_eq!(
            msg(b"a/\xffb"),
            r#"malformed file path "a/\xffb": invalid UTF-8"#
        );
        assert_eq!(
            msg("a/\u{200b}".as_bytes()),
            r#"malformed file path "a/\u200b": invalid char '\u200b'"#
        );
        assert_eq!(
            msg(b"a/../b"),
            r#"malformed file path "a/../b": invalid path element "..""#
        );
        assert_eq!(
            check_module("Example.com/m", "v1.0.0").unwrap_err(),
            r#"malformed module path "Example.com/m": invalid char 'E' in first path element"#
        );
        assert_eq!(
            check_module("example.com/m", "v2.0.0").unwrap_err(),
            "example.com/m@v2.0.0: invalid version: should be v0 or v1, not v2"
        );
    }

    #[test]
    fn quoting_matches_go() {
        assert_eq!(
            quote(b"a\"b\\c\n\xff\x01\xe2\x80\x8b\xc3\xa9"),
            r#""a\"b\\c\n\xff\x01\u200bé""#
        );
        assert_eq!(quote_rune('\n'), r"'\n'");
        assert_eq!(quote_rune(':'), "':'");
        assert_eq!(quote_rune('\''), r"'\''");
    }
}
