//! Validation of module paths, import paths, file paths and path/version pairs
//! (x/mod/module/module.go: `CheckPath`, `CheckImportPath`, `CheckFilePath`,
//! `SplitPathVersion`, `CheckPathMajor`, `MatchPathMajor`, `Check`), plus
//! `CanonicalVersion` (module.go) and `IsPseudoVersion` (pseudo.go).

use super::error::{ModuleError, PathKind, PathProblem, VersionProblem, path_error};
use super::semver;

/// Checks that `path` is a valid module path (Go's `module.CheckPath`).
///
/// A valid module path is a valid import path whose first element is a lower-case
/// LDH domain name with a dot and no leading dash, whose elements do not start with a
/// dot, and whose major-version suffix (`/vN`, or gopkg.in's `.vN`) is well formed.
pub fn check_path(path: &str) -> Result<(), ModuleError> {
    check_module_path(path).map_err(|p| path_error(PathKind::Module, path, p))
}

fn check_module_path(path: &str) -> Result<(), PathProblem> {
    check_general(path, PathKind::Module)?;
    let first = path.split('/').next().unwrap_or("");
    if first.is_empty() {
        return Err(PathProblem::LeadingSlash);
    }
    if !first.contains('.') {
        return Err(PathProblem::MissingDot);
    }
    if first.starts_with('-') {
        return Err(PathProblem::LeadingDashInFirst);
    }
    if let Some(c) = first
        .chars()
        .find(|&c| !(c == '-' || c == '.' || c.is_ascii_digit() || c.is_ascii_lowercase()))
    {
        return Err(PathProblem::InvalidCharInFirst(c));
    }
    if split_path_version(path).is_none() {
        return Err(PathProblem::InvalidMajorVersion);
    }
    Ok(())
}

/// Checks that `path` is a valid package import path (Go's `module.CheckImportPath`):
/// non-empty elements of ASCII letters, digits and `-._~+`, no element ending in a dot
/// or made of dots only, no Windows device names or short names.
pub fn check_import_path(path: &str) -> Result<(), ModuleError> {
    check_general(path, PathKind::Import).map_err(|p| path_error(PathKind::Import, path, p))
}

/// Checks that `path` is a valid slash-separated file path inside a module (Go's
/// `module.CheckFilePath`, used by module zip checks): like an import path, but
/// Unicode letters, space and `!#$%&()+,-.=@[]^_{}~` are allowed too.
pub fn check_file_path(path: &str) -> Result<(), ModuleError> {
    check_general(path, PathKind::File).map_err(|p| path_error(PathKind::File, path, p))
}

/// [`check_file_path`] for names that may not be UTF-8 (such as zip entry names);
/// returns the name as `&str` when it is valid.
pub fn check_file_path_bytes(path: &[u8]) -> Result<&str, ModuleError> {
    let s = std::str::from_utf8(path).map_err(|_| {
        path_error(
            PathKind::File,
            &String::from_utf8_lossy(path),
            PathProblem::InvalidUtf8,
        )
    })?;
    check_file_path(s)?;
    Ok(s)
}

/// The checks shared by all kinds of paths (Go's `checkPath`).
fn check_general(path: &str, kind: PathKind) -> Result<(), PathProblem> {
    if path.is_empty() {
        return Err(PathProblem::Empty);
    }
    if path.starts_with('-') && kind != PathKind::File {
        return Err(PathProblem::LeadingDash);
    }
    if path.contains("//") {
        return Err(PathProblem::DoubleSlash);
    }
    if path.ends_with('/') {
        return Err(PathProblem::TrailingSlash);
    }
    path.split('/').try_for_each(|elem| check_elem(elem, kind))
}

/// Reserved device names on Windows; compared case-insensitively with the part of an
/// element before its first dot.
const WINDOWS_RESERVED: [&str; 22] = [
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

/// Checks one path element (Go's `checkElem`).
pub(super) fn check_elem(elem: &str, kind: PathKind) -> Result<(), PathProblem> {
    if elem.is_empty() {
        return Err(PathProblem::EmptyElement);
    }
    if elem.bytes().all(|b| b == b'.') {
        return Err(PathProblem::DotsOnly(elem.to_owned()));
    }
    if elem.starts_with('.') && kind == PathKind::Module {
        return Err(PathProblem::LeadingDot);
    }
    if elem.ends_with('.') {
        return Err(PathProblem::TrailingDot);
    }
    let allowed: fn(char) -> bool = match kind {
        PathKind::Module => module_char_ok,
        PathKind::Import => |c| module_char_ok(c) || c == '+',
        PathKind::File => file_char_ok,
    };
    if let Some(c) = elem.chars().find(|&c| !allowed(c)) {
        return Err(PathProblem::InvalidChar(c));
    }
    let short = elem.split('.').next().unwrap_or(elem);
    // Go compares with Unicode case folding, but no non-ASCII character folds to a
    // letter of these names (only K and S have non-ASCII folds), so ASCII is exact.
    if WINDOWS_RESERVED
        .iter()
        .any(|bad| bad.eq_ignore_ascii_case(short))
    {
        return Err(PathProblem::WindowsReserved(short.to_owned()));
    }
    if kind != PathKind::File
        && let Some(tilde) = short.rfind('~')
        && tilde + 1 < short.len()
        && short[tilde + 1..].bytes().all(|b| b.is_ascii_digit())
    {
        return Err(PathProblem::TildeDigits);
    }
    Ok(())
}

fn module_char_ok(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~')
}

fn file_char_ok(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric() || "!#$%&()+,-.=@[]^_{}~ ".contains(c)
    } else {
        // Go's `unicode.IsLetter`: Rust's `char::is_alphabetic` is another property
        // (it includes Nl and some marks) of another Unicode version.
        crate::unicode::is_letter(c)
    }
}

/// Splits a module path into its prefix and major-version suffix (Go's
/// `module.SplitPathVersion`): `("example.com/m", "/v2")` for `example.com/m/v2`,
/// `("gopkg.in/yaml", ".v2")` for `gopkg.in/yaml.v2`, `(path, "")` when there is no
/// suffix. `None` when the suffix breaks the rules (`/v1`, `/v0`, `/v02`, `/v2.0`, a
/// gopkg.in path without `.vN`).
pub fn split_path_version(path: &str) -> Option<(&str, &str)> {
    if path.starts_with("gopkg.in/") {
        return split_gopkg_in(path);
    }
    let b = path.as_bytes();
    let mut i = b.len();
    let mut dot = false;
    while i > 0 && (b[i - 1].is_ascii_digit() || b[i - 1] == b'.') {
        dot |= b[i - 1] == b'.';
        i -= 1;
    }
    if i <= 1 || i == b.len() || b[i - 1] != b'v' || b[i - 2] != b'/' {
        return Some((path, ""));
    }
    let (prefix, major) = path.split_at(i - 2);
    if dot || major.len() <= 2 || major.as_bytes()[2] == b'0' || major == "/v1" {
        return None;
    }
    Some((prefix, major))
}

fn split_gopkg_in(path: &str) -> Option<(&str, &str)> {
    let b = path.as_bytes();
    let mut i = b.len();
    if path.ends_with("-unstable") {
        i -= "-unstable".len();
    }
    while i > 0 && b[i - 1].is_ascii_digit() {
        i -= 1;
    }
    if i <= 1 || b[i - 1] != b'v' || b[i - 2] != b'.' {
        return None;
    }
    let (prefix, major) = path.split_at(i - 2);
    if major.len() <= 2 || (major.as_bytes()[2] == b'0' && major != ".v0") {
        return None;
    }
    Some((prefix, major))
}

/// Checks that version `v` fits the major-version suffix `path_major` (as returned by
/// [`split_path_version`]), as Go's `module.CheckPathMajor`: no suffix allows v0, v1
/// and `+incompatible` versions; `/vN` and `.vN` require major `vN`; gopkg.in `.v1`
/// also accepts `v0.0.0-` pseudo-versions (an old Go bug kept for compatibility).
pub fn check_path_major(v: &str, path_major: &str) -> Result<(), ModuleError> {
    let mut pm = path_major;
    if pm.starts_with(".v") {
        pm = pm.strip_suffix("-unstable").unwrap_or(pm);
    }
    if v.starts_with("v0.0.0-") && pm == ".v1" {
        return Ok(());
    }
    let m = semver::major(v).unwrap_or("");
    let expected = if pm.is_empty() {
        if m == "v0" || m == "v1" || semver::build(v) == Some("+incompatible") {
            return Ok(());
        }
        "v0 or v1"
    } else if pm.starts_with('/') || pm.starts_with('.') {
        if m == &pm[1..] {
            return Ok(());
        }
        &pm[1..]
    } else {
        pm
    };
    Err(ModuleError::InvalidVersion {
        path: None,
        version: v.to_owned(),
        problem: VersionProblem::MajorMismatch {
            expected: expected.to_owned(),
            found: m.to_owned(),
        },
    })
}

/// Reports whether [`check_path_major`] accepts `v` for `path_major`.
pub fn match_path_major(v: &str, path_major: &str) -> bool {
    check_path_major(v, path_major).is_ok()
}

/// Checks a module path and version pair (Go's `module.Check`): a valid module path,
/// a valid semantic version, and a version whose major fits the path's suffix.
pub fn check(path: &str, version: &str) -> Result<(), ModuleError> {
    check_path(path)?;
    if !semver::is_valid(version) {
        return Err(ModuleError::InvalidVersion {
            path: Some(path.to_owned()),
            version: version.to_owned(),
            problem: VersionProblem::NotSemver,
        });
    }
    let (_, major) = split_path_version(path).unwrap_or((path, ""));
    check_path_major(version, major).map_err(|e| match e {
        ModuleError::InvalidVersion {
            version, problem, ..
        } => ModuleError::InvalidVersion {
            path: Some(path.to_owned()),
            version,
            problem,
        },
        other => other,
    })
}

/// Go's `module.CanonicalVersion`: [`semver::canonical`] keeping a `+incompatible`
/// build suffix. `None` if `v` is not a semantic version.
pub fn canonical_version(v: &str) -> Option<String> {
    let mut c = semver::canonical(v)?;
    if semver::build(v) == Some("+incompatible") {
        c.push_str("+incompatible");
    }
    Some(c)
}

/// Reports whether `v` is a pseudo-version (Go's `module.IsPseudoVersion`), of one
/// of the forms `vX.0.0-yyyymmddhhmmss-rev`, `vX.Y.Z-pre.0.yyyymmddhhmmss-rev` or
/// `vX.Y.(Z+1)-0.yyyymmddhhmmss-rev`, optionally followed by `+build`.
pub fn is_pseudo_version(v: &str) -> bool {
    v.bytes().filter(|&b| b == b'-').count() >= 2 && semver::is_valid(v) && pseudo_shape(v)
}

/// The pseudo-version regular expression of pseudo.go, matched by hand:
/// `^v[0-9]+\.(0\.0-|\d+\.\d+-([^+]*\.)?0\.)\d{14}-[A-Za-z0-9]+(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$`
fn pseudo_shape(v: &str) -> bool {
    let (main, build) = match v.split_once('+') {
        Some((m, b)) => (m, Some(b)),
        None => (v, None),
    };
    if let Some(b) = build
        && !b
            .split('.')
            .all(|id| !id.is_empty() && id.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-'))
    {
        return false;
    }
    // The revision has no '-', so it follows the last one.
    let Some((rest, rev)) = main.rsplit_once('-') else {
        return false;
    };
    if rev.is_empty() || !rev.bytes().all(|c| c.is_ascii_alphanumeric()) {
        return false;
    }
    let Some(head) = rest.len().checked_sub(14).and_then(|n| rest.get(..n)) else {
        return false;
    };
    if !rest.as_bytes()[head.len()..].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
    let vnum = |s: &str| s.strip_prefix('v').is_some_and(digits);
    // Form 1: vX.0.0-<time>
    if let Some(x) = head.strip_suffix(".0.0-")
        && vnum(x)
    {
        return true;
    }
    // Forms 2 and 3: vX.Y.Z-[anything.]0.<time>; the first '-' ends vX.Y.Z.
    let Some(h) = head.strip_suffix("0.") else {
        return false;
    };
    let Some((base, pre)) = h.split_once('-') else {
        return false;
    };
    let mut parts = base.splitn(3, '.');
    let ok_base = parts.next().is_some_and(vnum)
        && parts.next().is_some_and(digits)
        && parts.next().is_some_and(digits);
    ok_base && (pre.is_empty() || pre.ends_with('.'))
}
