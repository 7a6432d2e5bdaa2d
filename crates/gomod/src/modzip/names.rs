//! The `x/mod/module` checks module zips need, with the messages `x/mod/zip` reports,
//! and the case-folding key of `x/mod/zip` (`strToFold`).
//!
//! The checks themselves are [`crate::module`]'s; this file only renders their errors
//! as Go prints them for names that may not be UTF-8: [`ModuleError`]'s `Display` has
//! only the lossily decoded path, while zip entry names can hold invalid bytes, which
//! Go's `%q` shows as `\xNN`.

use crate::module::{self, ModuleError};

use crate::strconv::quote_bytes;

/// `module.CheckFilePath` for a name that may not be UTF-8 (a zip entry name): the
/// name as `&str` if valid, else Go's message (`malformed file path "…": …`).
pub(crate) fn check_file_path(path: &[u8]) -> Result<&str, String> {
    module::check_file_path_bytes(path).map_err(|e| go_message(&e, path))
}

/// `module.Check` of a path given as bytes (Go strings need not be UTF-8), with Go's
/// message; the path as `&str` when it passes.
pub(crate) fn check_module<'a>(path: &'a [u8], version: &str) -> Result<&'a str, String> {
    match std::str::from_utf8(path) {
        Ok(p) => module::check(p, version)
            .map(|()| p)
            .map_err(|e| go_message(&e, path)),
        // CheckPath's first test (module.go `checkPath`).
        Err(_) => Err(format!(
            "malformed module path {}: invalid UTF-8",
            quote_bytes(path)
        )),
    }
}

/// `module.CanonicalVersion`: empty if `v` is not a semantic version.
pub(crate) fn canonical_version(v: &str) -> String {
    module::canonical_version(v).unwrap_or_default()
}

/// Go's text of `e`, with `raw` (the path as given, possibly not UTF-8) quoted by
/// `%q`; the problem's own text already quotes as Go does.
fn go_message(e: &ModuleError, raw: &[u8]) -> String {
    match e {
        ModuleError::InvalidPath { kind, problem, .. } => {
            format!("malformed {kind} path {}: {problem}", quote_bytes(raw))
        }
        // Version messages print the module path and version unquoted, as Go does.
        other => other.to_string(),
    }
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
        assert!(check_module(b"example.com/m", "v1.0.0").is_ok());
        assert!(check_module(b"example.com/m/v2", "v2.0.0").is_ok());
        assert!(check_module(b"example.com/m/v2", "v1.0.0").is_err());
        assert!(check_module(b"example.com/m", "v2.0.0").is_err());
        assert!(check_module(b"example.com/m", "v2.0.0+incompatible").is_ok());
        assert!(check_module(b"gopkg.in/yaml.v2", "v2.4.0").is_ok());
        assert!(check_module(b"example", "v1.0.0").is_err());
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
            check_module(b"Example.com/m", "v1.0.0").unwrap_err(),
            r#"malformed module path "Example.com/m": invalid char 'E' in first path element"#
        );
        assert_eq!(
            check_module(b"example.com/m", "v2.0.0").unwrap_err(),
            "example.com/m@v2.0.0: invalid version: should be v0 or v1, not v2"
        );
    }
}
