//! `!`-escaping of module paths and versions for proxy URLs and the module cache
//! (x/mod/module/module.go: `EscapePath`, `EscapeVersion`, `UnescapePath`,
//! `UnescapeVersion`).

use super::check::{check_elem, check_path};
use super::error::{Escaped, ModuleError, PathKind, VersionProblem};

/// The escaped form of a module path (Go's `module.EscapePath`): each upper-case ASCII
/// letter `X` becomes `!x`, as used in proxy URLs and the module cache. The path must
/// be valid ([`check_path`]).
pub fn escape_path(path: &str) -> Result<String, ModuleError> {
    check_path(path)?;
    escape_string(path)
}

/// The escaped form of a version (Go's `module.EscapeVersion`). The version need not
/// be semver but must be a valid file name without `!`.
pub fn escape_version(v: &str) -> Result<String, ModuleError> {
    if v.contains('!') || check_elem(v, PathKind::File).is_err() {
        return Err(ModuleError::InvalidVersion {
            path: None,
            version: v.to_owned(),
            problem: VersionProblem::Disallowed,
        });
    }
    escape_string(v)
}

pub(super) fn escape_string(s: &str) -> Result<String, ModuleError> {
    if s.bytes().any(|b| b == b'!' || !b.is_ascii()) {
        return Err(ModuleError::Unescapable {
            input: s.to_owned(),
        });
    }
    let mut out = String::with_capacity(s.len() + s.len() / 4);
    for c in s.chars() {
        if c.is_ascii_uppercase() {
            out.push('!');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    Ok(out)
}

/// Decodes an escaped module path (Go's `module.UnescapePath`); the result must be a
/// valid module path.
pub fn unescape_path(escaped: &str) -> Result<String, ModuleError> {
    let path = unescape_string(escaped).ok_or_else(|| ModuleError::InvalidEscape {
        what: Escaped::ModulePath,
        escaped: escaped.to_owned(),
    })?;
    check_path(&path).map_err(|e| ModuleError::EscapedPathInvalid {
        escaped: escaped.to_owned(),
        error: Box::new(e),
    })?;
    Ok(path)
}

/// Decodes an escaped version (Go's `module.UnescapeVersion`); the result must be a
/// valid file name.
pub fn unescape_version(escaped: &str) -> Result<String, ModuleError> {
    let v = unescape_string(escaped).ok_or_else(|| ModuleError::InvalidEscape {
        what: Escaped::Version,
        escaped: escaped.to_owned(),
    })?;
    if let Err(problem) = check_elem(&v, PathKind::File) {
        return Err(ModuleError::EscapedVersionInvalid {
            version: v,
            problem,
        });
    }
    Ok(v)
}

/// Reverses `!`-escaping; `None` for upper case, non-ASCII, or a `!` not followed by a
/// lower-case letter.
fn unescape_string(escaped: &str) -> Option<String> {
    let mut out = String::with_capacity(escaped.len());
    let mut bang = false;
    for c in escaped.chars() {
        if !c.is_ascii() {
            return None;
        }
        if bang {
            bang = false;
            if !c.is_ascii_lowercase() {
                return None;
            }
            out.push(c.to_ascii_uppercase());
        } else if c == '!' {
            bang = true;
        } else if c.is_ascii_uppercase() {
            return None;
        } else {
            out.push(c);
        }
    }
    (!bang).then_some(out)
}
