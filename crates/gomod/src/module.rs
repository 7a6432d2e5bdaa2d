//! Module paths and versions: validation, `!`-escaping, major-version suffixes and
//! semantic versions, as Go's module system defines them.
//!
//! Mirrors `golang.org/x/mod/module/module.go` (`CheckPath`, `CheckImportPath`,
//! `CheckFilePath`, `EscapePath`, `UnescapePath`, `EscapeVersion`, `UnescapeVersion`,
//! `SplitPathVersion`, `CheckPathMajor`, `CanonicalVersion`, `Check`),
//! `golang.org/x/mod/module/pseudo.go` (`IsPseudoVersion`) and
//! `golang.org/x/mod/semver/semver.go` (the [`semver`] submodule). Every function is
//! checked against x/mod v0.43.0 by `tests/module_oracle.rs`; error messages read like
//! Go's.
//!
//! Nothing here panics, whatever the input.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// What kind of path a check applies to; the rules differ slightly (Go's `pathKind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PathKind {
    /// A module path (`CheckPath`): strictest.
    Module,
    /// A package import path (`CheckImportPath`): also allows `+` and leading dots.
    Import,
    /// A slash-separated file path inside a module (`CheckFilePath`): Unicode letters
    /// and more punctuation, leading dash allowed.
    File,
}

impl fmt::Display for PathKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PathKind::Module => "module",
            PathKind::Import => "import",
            PathKind::File => "file",
        })
    }
}

/// Why a path was rejected. The messages are Go's.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PathProblem {
    /// The path is not valid UTF-8.
    InvalidUtf8,
    /// The path is empty.
    Empty,
    /// The path starts with `-` (module and import paths).
    LeadingDash,
    /// The path contains `//`.
    DoubleSlash,
    /// The path ends with `/`.
    TrailingSlash,
    /// An element is empty (leading `/`).
    EmptyElement,
    /// An element consists of dots only (`.`, `..`, ...).
    DotsOnly(String),
    /// An element starts with a dot (module paths only).
    LeadingDot,
    /// An element ends with a dot.
    TrailingDot,
    /// A character not allowed for this kind of path.
    InvalidChar(char),
    /// An element whose part before the first dot is a reserved Windows device name
    /// (`CON`, `com1`, `NuL`, ...), whatever its case.
    WindowsReserved(String),
    /// An element looks like a Windows short name (`~` then digits before the first
    /// dot); not checked for file paths.
    TildeDigits,
    /// The module path starts with `/`.
    LeadingSlash,
    /// The first element of a module path has no dot.
    MissingDot,
    /// The first element of a module path starts with `-`.
    LeadingDashInFirst,
    /// A character other than lower-case ASCII letters, digits, `-` and `.` in the
    /// first element of a module path.
    InvalidCharInFirst(char),
    /// A bad major-version suffix: `/v0`, `/v1`, `/v02`, `/v2.1`, or a gopkg.in path
    /// without a valid `.vN`.
    InvalidMajorVersion,
}

impl fmt::Display for PathProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathProblem::InvalidUtf8 => f.write_str("invalid UTF-8"),
            PathProblem::Empty => f.write_str("empty string"),
            PathProblem::LeadingDash => f.write_str("leading dash"),
            PathProblem::DoubleSlash => f.write_str("double slash"),
            PathProblem::TrailingSlash => f.write_str("trailing slash"),
            PathProblem::EmptyElement => f.write_str("empty path element"),
            PathProblem::DotsOnly(e) => write!(f, "invalid path element {e:?}"),
            PathProblem::LeadingDot => f.write_str("leading dot in path element"),
            PathProblem::TrailingDot => f.write_str("trailing dot in path element"),
            PathProblem::InvalidChar(c) => write!(f, "invalid char {c:?}"),
            PathProblem::WindowsReserved(s) => {
                write!(f, "{s:?} disallowed as path element component on Windows")
            }
            PathProblem::TildeDigits => f.write_str("trailing tilde and digits in path element"),
            PathProblem::LeadingSlash => f.write_str("leading slash"),
            PathProblem::MissingDot => f.write_str("missing dot in first path element"),
            PathProblem::LeadingDashInFirst => f.write_str("leading dash in first path element"),
            PathProblem::InvalidCharInFirst(c) => {
                write!(f, "invalid char {c:?} in first path element")
            }
            PathProblem::InvalidMajorVersion => f.write_str("invalid version"),
        }
    }
}

/// Why a version was rejected. The messages are Go's.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum VersionProblem {
    /// Not a semantic version (`semver.IsValid` is false).
    NotSemver,
    /// Not usable as a file name, or contains `!` (`EscapeVersion`).
    Disallowed,
    /// The major version does not fit the path's major-version suffix.
    MajorMismatch {
        /// What the path requires: `v2`, `v0 or v1`, ...
        expected: String,
        /// The version's major (`semver.Major`; empty if not semver).
        found: String,
    },
}

impl fmt::Display for VersionProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VersionProblem::NotSemver => f.write_str("not a semantic version"),
            VersionProblem::Disallowed => f.write_str("disallowed version string"),
            VersionProblem::MajorMismatch { expected, found } => {
                write!(f, "should be {expected}, not {found}")
            }
        }
    }
}

/// What an escaped string was meant to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Escaped {
    /// An escaped module path.
    ModulePath,
    /// An escaped version.
    Version,
}

impl fmt::Display for Escaped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Escaped::ModulePath => "module path",
            Escaped::Version => "version",
        })
    }
}

/// An invalid module path, import path, file path, version or escaped form.
///
/// Every variant carries the offending input. `Display` matches Go's message text
/// (quoting uses Rust's `{:?}`, identical to Go's `%q` for printable text).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ModuleError {
    /// A path broke the rules for its kind (Go: `InvalidPathError`).
    #[error("malformed {kind} path {path:?}: {problem}")]
    InvalidPath {
        /// Module, import or file path.
        kind: PathKind,
        /// The path as given (lossily decoded if it was not UTF-8).
        path: String,
        /// The first rule it broke, in Go's order of checks.
        problem: PathProblem,
    },
    /// A version was rejected (Go: `InvalidVersionError`, wrapped in a `ModuleError`
    /// naming the module path when there is one).
    #[error("{}", version_message(.path.as_deref(), .version, .problem))]
    InvalidVersion {
        /// The module path the version was checked for, if any.
        path: Option<String>,
        /// The version as given.
        version: String,
        /// What is wrong with it.
        problem: VersionProblem,
    },
    /// An escaped string is not a valid `!`-escape: upper case, non-ASCII, or `!` not
    /// followed by a lower-case letter.
    #[error("invalid escaped {what} {escaped:?}")]
    InvalidEscape {
        /// What the string was meant to be.
        what: Escaped,
        /// The escaped string.
        escaped: String,
    },
    /// An escaped module path decodes to an invalid module path.
    #[error("invalid escaped module path {escaped:?}: {error}")]
    EscapedPathInvalid {
        /// The escaped string.
        escaped: String,
        /// Why the decoded path is invalid.
        error: Box<ModuleError>,
    },
    /// An escaped version decodes to a version that is not a valid file name.
    #[error("invalid escaped version {version:?}: {problem}")]
    EscapedVersionInvalid {
        /// The decoded version.
        version: String,
        /// Why it is not a valid file name.
        problem: PathProblem,
    },
    /// A string with non-ASCII characters reached the escaper (Go's "internal error"
    /// for versions that are valid file names but not ASCII).
    #[error("internal error: inconsistency in EscapePath")]
    Unescapable {
        /// The string that could not be escaped.
        input: String,
    },
    /// A `path@version` string without `@`.
    #[error("invalid module version {input:?}: missing @")]
    MissingVersion {
        /// The string as given.
        input: String,
    },
}

fn version_message(path: Option<&str>, version: &str, problem: &VersionProblem) -> String {
    match path {
        Some(p) => format!("{p}@{version}: invalid version: {problem}"),
        None => format!("version {version:?} invalid: {problem}"),
    }
}

fn path_error(kind: PathKind, path: &str, problem: PathProblem) -> ModuleError {
    ModuleError::InvalidPath {
        kind,
        path: path.to_owned(),
        problem,
    }
}

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
fn check_elem(elem: &str, kind: PathKind) -> Result<(), PathProblem> {
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

fn escape_string(s: &str) -> Result<String, ModuleError> {
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

/// [`semver::is_valid`] under the name callers outside this module expect.
pub use semver::is_valid as is_valid_semver;

/// Semantic versions as Go uses them (`golang.org/x/mod/semver`): a leading `v`,
/// `vMAJOR[.MINOR[.PATCH[-PRERELEASE][+BUILD]]]` with the shorthands `v1` = `v1.0.0`
/// and `v1.2` = `v1.2.0` (no prerelease or build on shorthands), no leading zeros.
pub mod semver {
    use std::cmp::Ordering;

    struct Parsed<'a> {
        major: &'a str,
        minor: &'a str,
        patch: &'a str,
        short: &'static str,
        prerelease: &'a str,
        build: &'a str,
    }

    fn parse(v: &str) -> Option<Parsed<'_>> {
        let rest = v.strip_prefix('v')?;
        let (major, rest) = parse_int(rest)?;
        let mut p = Parsed {
            major,
            minor: "0",
            patch: "0",
            short: ".0.0",
            prerelease: "",
            build: "",
        };
        if rest.is_empty() {
            return Some(p);
        }
        let (minor, rest) = parse_int(rest.strip_prefix('.')?)?;
        p.minor = minor;
        p.short = ".0";
        if rest.is_empty() {
            return Some(p);
        }
        let (patch, mut rest) = parse_int(rest.strip_prefix('.')?)?;
        p.patch = patch;
        p.short = "";
        if rest.starts_with('-') {
            let end = rest.find('+').unwrap_or(rest.len());
            let pre = &rest[..end];
            if !idents_ok(&pre[1..], true) {
                return None;
            }
            p.prerelease = pre;
            rest = &rest[end..];
        }
        if rest.starts_with('+') {
            if !idents_ok(&rest[1..], false) {
                return None;
            }
            p.build = rest;
            rest = "";
        }
        rest.is_empty().then_some(p)
    }

    /// Digits without a leading zero (except "0" itself).
    fn parse_int(v: &str) -> Option<(&str, &str)> {
        let n = v.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 || (n > 1 && v.starts_with('0')) {
            return None;
        }
        Some(v.split_at(n))
    }

    /// Dot-separated non-empty identifiers of `[0-9A-Za-z-]`; in prereleases, numeric
    /// identifiers must not have leading zeros.
    fn idents_ok(s: &str, numeric_rule: bool) -> bool {
        s.split('.').all(|id| {
            !id.is_empty()
                && id.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
                && !(numeric_rule && is_bad_num(id))
        })
    }

    fn is_num(s: &str) -> bool {
        s.bytes().all(|c| c.is_ascii_digit())
    }

    fn is_bad_num(s: &str) -> bool {
        is_num(s) && s.len() > 1 && s.starts_with('0')
    }

    /// Reports whether `v` is a valid semantic version (Go's `semver.IsValid`).
    pub fn is_valid(v: &str) -> bool {
        parse(v).is_some()
    }

    /// The canonical form of `v` (Go's `semver.Canonical`): shorthands completed,
    /// build metadata dropped. `None` if `v` is not valid.
    pub fn canonical(v: &str) -> Option<String> {
        let p = parse(v)?;
        Some(if !p.build.is_empty() {
            v[..v.len() - p.build.len()].to_owned()
        } else {
            format!("{v}{}", p.short)
        })
    }

    /// The major version prefix, like `v2` (Go's `semver.Major`).
    pub fn major(v: &str) -> Option<&str> {
        let p = parse(v)?;
        Some(&v[..1 + p.major.len()])
    }

    /// The `vMAJOR.MINOR` prefix, like `v2.1` (Go's `semver.MajorMinor`).
    pub fn major_minor(v: &str) -> Option<String> {
        let p = parse(v)?;
        let i = 1 + p.major.len();
        let j = i + 1 + p.minor.len();
        if j <= v.len() && v.as_bytes()[i] == b'.' && &v[i + 1..j] == p.minor {
            return Some(v[..j].to_owned());
        }
        Some(format!("{}.{}", &v[..i], p.minor))
    }

    /// The prerelease suffix including its `-`, or `""` (Go's `semver.Prerelease`).
    pub fn prerelease(v: &str) -> Option<&str> {
        parse(v).map(|p| p.prerelease)
    }

    /// The build suffix including its `+`, or `""` (Go's `semver.Build`).
    pub fn build(v: &str) -> Option<&str> {
        parse(v).map(|p| p.build)
    }

    /// Reports whether `v` is a valid version with a prerelease suffix.
    pub fn is_prerelease(v: &str) -> bool {
        prerelease(v).is_some_and(|p| !p.is_empty())
    }

    /// Compares two versions by semver precedence (Go's `semver.Compare`). Build
    /// metadata is ignored; an invalid version is less than every valid one and equal
    /// to every other invalid one.
    pub fn compare(v: &str, w: &str) -> Ordering {
        match (parse(v), parse(w)) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (Some(a), Some(b)) => compare_int(a.major, b.major)
                .then_with(|| compare_int(a.minor, b.minor))
                .then_with(|| compare_int(a.patch, b.patch))
                .then_with(|| compare_prerelease(a.prerelease, b.prerelease)),
        }
    }

    /// The larger of two versions, canonicalised (Go's `semver.Max`).
    pub fn max(v: &str, w: &str) -> Option<String> {
        let (cv, cw) = (canonical(v), canonical(w));
        let a = cv.as_deref().unwrap_or("");
        let b = cw.as_deref().unwrap_or("");
        if compare(a, b) == Ordering::Greater {
            cv
        } else {
            cw
        }
    }

    fn compare_int(x: &str, y: &str) -> Ordering {
        x.len().cmp(&y.len()).then_with(|| x.cmp(y))
    }

    fn compare_prerelease(x: &str, y: &str) -> Ordering {
        if x == y {
            return Ordering::Equal;
        }
        // No prerelease ranks above any prerelease.
        if x.is_empty() {
            return Ordering::Greater;
        }
        if y.is_empty() {
            return Ordering::Less;
        }
        let mut xs = x[1..].split('.');
        let mut ys = y[1..].split('.');
        loop {
            match (xs.next(), ys.next()) {
                (Some(dx), Some(dy)) => {
                    if dx == dy {
                        continue;
                    }
                    let (nx, ny) = (is_num(dx), is_num(dy));
                    return match (nx, ny) {
                        (true, false) => Ordering::Less,
                        (false, true) => Ordering::Greater,
                        (true, true) => compare_int(dx, dy),
                        (false, false) => dx.cmp(dy),
                    };
                }
                (None, Some(_)) => return Ordering::Less,
                (Some(_), None) => return Ordering::Greater,
                (None, None) => return Ordering::Equal,
            }
        }
    }
}

/// A valid module path (checked by [`check_path`]).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ModulePath(String);

impl ModulePath {
    /// Validates `path` as a module path.
    pub fn new(path: impl Into<String>) -> Result<Self, ModuleError> {
        let path = path.into();
        check_path(&path)?;
        Ok(ModulePath(path))
    }

    /// The path.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The `!`-escaped form used in proxy URLs and the module cache.
    pub fn escaped(&self) -> String {
        // Cannot fail: the path is valid, hence ASCII without '!'.
        escape_string(&self.0).unwrap_or_else(|_| self.0.clone())
    }

    /// The path without its major-version suffix, and the suffix (`/v2`, `.v1`, or
    /// `""`).
    pub fn split_major(&self) -> (&str, &str) {
        split_path_version(&self.0).unwrap_or((&self.0, ""))
    }
}

impl fmt::Display for ModulePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for ModulePath {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl FromStr for ModulePath {
    type Err = ModuleError;
    fn from_str(s: &str) -> Result<Self, ModuleError> {
        ModulePath::new(s)
    }
}

/// A valid semantic version ([`semver::is_valid`]), not necessarily canonical.
///
/// Ordered by semver precedence, ties (such as `v1` and `v1.0.0`) broken by the
/// strings, like Go's `semver.Sort`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Version(String);

impl Version {
    /// Validates `v` as a semantic version.
    pub fn new(v: impl Into<String>) -> Result<Self, ModuleError> {
        let v = v.into();
        if !semver::is_valid(&v) {
            return Err(ModuleError::InvalidVersion {
                path: None,
                version: v,
                problem: VersionProblem::NotSemver,
            });
        }
        Ok(Version(v))
    }

    /// The version string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Reports whether the version is in canonical form (`v1.2.3[-pre]`, or with
    /// `+incompatible`, the one build suffix Go keeps).
    pub fn is_canonical(&self) -> bool {
        canonical_version(&self.0).as_deref() == Some(self.0.as_str())
    }

    /// The major version, like `v2`.
    pub fn major(&self) -> &str {
        semver::major(&self.0).unwrap_or("")
    }

    /// The prerelease suffix including `-`, or `""`.
    pub fn prerelease(&self) -> &str {
        semver::prerelease(&self.0).unwrap_or("")
    }

    /// The build suffix including `+`, or `""`.
    pub fn build(&self) -> &str {
        semver::build(&self.0).unwrap_or("")
    }

    /// Reports whether this is a pseudo-version.
    pub fn is_pseudo(&self) -> bool {
        is_pseudo_version(&self.0)
    }

    /// Reports whether the build suffix is `+incompatible`.
    pub fn is_incompatible(&self) -> bool {
        self.build() == "+incompatible"
    }

    /// The escaped form used in proxy URLs and the module cache.
    pub fn escaped(&self) -> String {
        // A valid semantic version is an ASCII file name without '!', so escaping
        // cannot fail; fall back to the string itself to stay panic-free regardless.
        escape_version(&self.0).unwrap_or_else(|_| self.0.clone())
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        semver::compare(&self.0, &other.0).then_with(|| self.0.cmp(&other.0))
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Version {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl FromStr for Version {
    type Err = ModuleError;
    fn from_str(s: &str) -> Result<Self, ModuleError> {
        Version::new(s)
    }
}

/// A module path and version that fit together ([`check`]): written `path@version`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ModuleVersion {
    path: ModulePath,
    version: Version,
}

impl ModuleVersion {
    /// Validates the pair as Go's `module.Check` does.
    pub fn new(path: &str, version: &str) -> Result<Self, ModuleError> {
        check(path, version)?;
        Ok(ModuleVersion {
            path: ModulePath(path.to_owned()),
            version: Version(version.to_owned()),
        })
    }

    /// The module path.
    pub fn path(&self) -> &ModulePath {
        &self.path
    }

    /// The version.
    pub fn version(&self) -> &Version {
        &self.version
    }
}

impl fmt::Display for ModuleVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.path, self.version)
    }
}

impl FromStr for ModuleVersion {
    type Err = ModuleError;
    /// Parses `path@version`. Module paths cannot contain `@`, so the first `@`
    /// separates the two.
    fn from_str(s: &str) -> Result<Self, ModuleError> {
        let (path, version) = s
            .split_once('@')
            .ok_or_else(|| ModuleError::MissingVersion {
                input: s.to_owned(),
            })?;
        ModuleVersion::new(path, version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Path validity per kind, from x/mod's `checkPathTests`: `M` = valid module path,
    /// `I` = valid import path, `F` = valid file path.
    const PATHS: &[(&str, &str)] = &[
        ("x.y/z", "MIF"),
        ("x.y", "MIF"),
        ("", ""),
        ("/x.y/z", ""),
        ("x./z", ""),
        (".x/z", "IF"),
        ("-x/z", "F"),
        ("x..y/z", "MIF"),
        ("x.y/z/../../w", ""),
        ("x.y//z", ""),
        ("x.y/z//w", ""),
        ("x.y/z/", ""),
        ("x.y/z/v0", "IF"),
        ("x.y/z/v1", "IF"),
        ("x.y/z/v2", "MIF"),
        ("x.y/z/v2.0", "IF"),
        ("X.y/z", "IF"),
        ("!x.y/z", "F"),
        ("_x.y/z", "IF"),
        ("x.y!/z", "F"),
        ("x.y\"/z", ""),
        ("x.y#/z", "F"),
        ("x.y'/z", ""),
        ("x.y*/z", ""),
        ("x.y+/z", "IF"),
        ("x.y,/z", "F"),
        ("x.y-/z", "MIF"),
        ("x.y./zt", ""),
        ("x.y:/z", ""),
        ("x.y</z", ""),
        ("x.y=/z", "F"),
        ("x.y?/z", ""),
        ("x.y@/z", "F"),
        ("x.y[/z", "F"),
        ("x.y\\/z", ""),
        ("x.y_/z", "IF"),
        ("x.y`/z", ""),
        ("x.y~/z", "IF"),
        ("x.y/z++", "IF"),
        ("x.y/z.t", "MIF"),
        ("x.y/z/t", "MIF"),
        ("x.y/z_", "MIF"),
        ("x.y/z~", "MIF"),
        ("x.y/x.foo", "MIF"),
        ("x.y/aux.foo", ""),
        ("x.y/prn", ""),
        ("x.y/prn2", "MIF"),
        ("x.y/com", "MIF"),
        ("x.y/com1", ""),
        ("x.y/com1.txt", ""),
        ("x.y/calm1", "MIF"),
        ("x.y/z~0", "F"),
        ("x.y/z~09", "F"),
        ("x.y/z09", "MIF"),
        ("x.y/z09~", "MIF"),
        ("x.y/z09~09z", "MIF"),
        ("x.y/z09~09z~09", "F"),
        ("github.com/!123/logrus", "F"),
        ("github.com/user/unicode/испытание", "F"),
        ("../x", ""),
        ("./y", ""),
        ("x:y", ""),
        ("\\temp\\foo", ""),
        (".gitignore", "IF"),
        (".github/ISSUE_TEMPLATE", "IF"),
        ("x☺y", ""),
        ("gopkg.in/yaml.v2", "MIF"),
        ("gopkg.in/yaml", "IF"),
        ("gopkg.in/yaml.v02", "IF"),
        ("gopkg.in/yaml.v0", "MIF"),
        ("x.y/NUL.d/e", ""),
        ("x.y/a b", "F"),
        ("x.y/ǅ", "F"),
        ("x.y/٣", ""),
        ("x.y/e\u{301}", ""),
    ];

    #[test]
    fn path_checks_match_xmod_table() {
        for &(path, ok) in PATHS {
            assert_eq!(
                check_path(path).is_ok(),
                ok.contains('M'),
                "CheckPath({path:?})"
            );
            assert_eq!(
                check_import_path(path).is_ok(),
                ok.contains('I'),
                "CheckImportPath({path:?})"
            );
            assert_eq!(
                check_file_path(path).is_ok(),
                ok.contains('F'),
                "CheckFilePath({path:?})"
            );
            // Escaping works exactly for valid module paths and round-trips.
            match escape_path(path) {
                Ok(e) => assert_eq!(unescape_path(&e).as_deref(), Ok(path)),
                Err(_) => assert!(!ok.contains('M')),
            }
        }
        assert!(matches!(
            check_file_path_bytes(b"x.y/\xffz"),
            Err(ModuleError::InvalidPath {
                problem: PathProblem::InvalidUtf8,
                ..
            })
        ));
        assert_eq!(check_file_path_bytes(b"a/b.go"), Ok("a/b.go"));
    }

    #[test]
    fn errors_read_like_go() {
        let msg = |r: Result<(), ModuleError>| r.unwrap_err().to_string();
        assert_eq!(
            msg(check_path("x.y/z/v1")),
            r#"malformed module path "x.y/z/v1": invalid version"#
        );
        assert_eq!(
            msg(check_path("Rsc.io")),
            r#"malformed module path "Rsc.io": invalid char 'R' in first path element"#
        );
        assert_eq!(
            msg(check_import_path("a/com1.txt")),
            r#"malformed import path "a/com1.txt": "com1" disallowed as path element component on Windows"#
        );
        assert_eq!(
            msg(check_file_path("a/..")),
            r#"malformed file path "a/..": invalid path element "..""#
        );
        assert_eq!(
            msg(check("rsc.io/quote", "v2.0.0")),
            "rsc.io/quote@v2.0.0: invalid version: should be v0 or v1, not v2"
        );
        assert_eq!(
            msg(check("rsc.io/quote", "0.1.0")),
            "rsc.io/quote@0.1.0: invalid version: not a semantic version"
        );
        assert_eq!(
            escape_version("v1.0.0!x").unwrap_err().to_string(),
            r#"version "v1.0.0!x" invalid: disallowed version string"#
        );
        assert_eq!(
            unescape_path("a.b/!!x").unwrap_err().to_string(),
            r#"invalid escaped module path "a.b/!!x""#
        );
        assert_eq!(
            unescape_path("a.b/v1").unwrap_err().to_string(),
            r#"invalid escaped module path "a.b/v1": malformed module path "a.b/v1": invalid version"#
        );
    }

    #[test]
    fn module_path_version_pairs() {
        // x/mod's checkTests, as (path, version, ok).
        let table: &[(&str, &str, bool)] = &[
            ("rsc.io/quote", "0.1.0", false),
            ("rsc io/quote", "v1.0.0", false),
            ("github.com/go-yaml/yaml", "v0.8.0", true),
            ("github.com/go-yaml/yaml", "v1.0.0", true),
            ("github.com/go-yaml/yaml", "v2.0.0", false),
            ("github.com/go-yaml/yaml", "v3.0.0", false),
            ("github.com/go-yaml/yaml/v2", "v1.0.0", false),
            ("github.com/go-yaml/yaml/v2", "v2.0.0", true),
            ("github.com/go-yaml/yaml/v2", "v2.1.5", true),
            ("github.com/go-yaml/yaml/v2", "v3.0.0", false),
            ("gopkg.in/yaml.v0", "v0.8.0", true),
            ("gopkg.in/yaml.v0", "v1.0.0", false),
            ("gopkg.in/yaml.v1", "v0.8.0", false),
            ("gopkg.in/yaml.v1", "v1.0.0", true),
            ("gopkg.in/yaml.v1", "v2.0.0", false),
            ("gopkg.in/check.v1", "v0.0.0", false),
            (
                "gopkg.in/check.v1",
                "v0.0.0-20160102150405-abcdef123456",
                true,
            ),
            ("gopkg.in/yaml.v2", "v1.0.0", false),
            ("gopkg.in/yaml.v2", "v2.1.5", true),
            ("rsc.io/quote", "v17.0.0", false),
            ("rsc.io/quote", "v17.0.0+incompatible", true),
        ];
        for &(p, v, ok) in table {
            assert_eq!(check(p, v).is_ok(), ok, "Check({p:?}, {v:?})");
            let mv = format!("{p}@{v}").parse::<ModuleVersion>();
            assert_eq!(mv.is_ok(), ok);
            if let Ok(mv) = mv {
                assert_eq!(mv.to_string(), format!("{p}@{v}"));
            }
        }
        assert!(matches!(
            "rsc.io/quote".parse::<ModuleVersion>(),
            Err(ModuleError::MissingVersion { .. })
        ));
    }

    #[test]
    fn split_and_path_major() {
        let split: &[(&str, Option<(&str, &str)>)] = &[
            ("x.y/z", Some(("x.y/z", ""))),
            ("x.y/z/v2", Some(("x.y/z", "/v2"))),
            ("x.y/z/v3", Some(("x.y/z", "/v3"))),
            ("x.y/v", Some(("x.y/v", ""))),
            ("gopkg.in/yaml.v0", Some(("gopkg.in/yaml", ".v0"))),
            ("gopkg.in/yaml.v3", Some(("gopkg.in/yaml", ".v3"))),
            (
                "gopkg.in/yaml.v1-unstable",
                Some(("gopkg.in/yaml", ".v1-unstable")),
            ),
            ("x.y/z/v1", None),
            ("x.y/z/v0", None),
            ("x.y/z/v02", None),
            ("x.y/z/v2.0", None),
            ("gopkg.in/yaml", None),
            ("gopkg.in/yaml.v01", None),
        ];
        for &(p, want) in split {
            assert_eq!(split_path_version(p), want, "SplitPathVersion({p:?})");
        }
        // x/mod's TestMatchPathMajor.
        let major: &[(&str, &str, bool)] = &[
            ("v0.0.0", "", true),
            ("v0.0.0", "/v2", false),
            ("v0.0.0", ".v0", true),
            ("v0.0.0-20190510104115-cbcb75029529", ".v1", true),
            ("v1.0.0", "/v2", false),
            ("v1.0.0", ".v1", true),
            ("v1.0.0", ".v1-unstable", true),
            ("v2.0.0+incompatible", "", true),
            ("v2.0.0", "", false),
            ("v2.0.0", "/v2", true),
            ("v2.0.0", ".v2", true),
        ];
        for &(v, pm, want) in major {
            assert_eq!(
                match_path_major(v, pm),
                want,
                "MatchPathMajor({v:?}, {pm:?})"
            );
        }
    }

    #[test]
    fn escaping_vectors() {
        // Spec §8.5.
        let paths = [
            (
                "ascii.com/abcdefghijklmnopqrstuvwxyz.-/~_0123456789",
                "ascii.com/abcdefghijklmnopqrstuvwxyz.-/~_0123456789",
            ),
            (
                "github.com/GoogleCloudPlatform/omega",
                "github.com/!google!cloud!platform/omega",
            ),
            (
                "github.com/Azure/azure-sdk-for-go",
                "github.com/!azure/azure-sdk-for-go",
            ),
            ("github.com/Sirupsen/logrus", "github.com/!sirupsen/logrus"),
            ("rsc.io/QUOTE", "rsc.io/!q!u!o!t!e"),
        ];
        for (p, e) in paths {
            assert_eq!(escape_path(p).as_deref(), Ok(e));
            assert_eq!(unescape_path(e).as_deref(), Ok(p));
            assert_eq!(ModulePath::new(p).unwrap().escaped(), e);
        }
        assert_eq!(escape_version("v1.0.0-RC1").as_deref(), Ok("v1.0.0-!r!c1"));
        assert_eq!(
            unescape_version("v1.0.0-!r!c1").as_deref(),
            Ok("v1.0.0-RC1")
        );
        assert_eq!(
            escape_version("v2.0.0+incompatible").as_deref(),
            Ok("v2.0.0+incompatible")
        );
        assert!(escape_version("v1.0.0!x").is_err());
        assert!(matches!(
            escape_version("vé"),
            Err(ModuleError::Unescapable { .. })
        ));
        for bad in [
            "github.com/GoogleCloudPlatform/omega",
            "github.com/!google!cloud!platform!/omega",
            "github.com/!0google!cloud!platform/omega",
            "github.com/!_google!cloud!platform/omega",
            "github.com/!!google!cloud!platform/omega",
            "",
        ] {
            assert!(unescape_path(bad).is_err(), "UnescapePath({bad:?})");
        }
    }

    #[test]
    fn semver_basics() {
        use semver::*;
        assert!(is_valid("v1") && is_valid("v1.2") && is_valid("v1.2.3-pre+meta"));
        assert!(
            !is_valid("v1.2-pre")
                && !is_valid("v01.2.3")
                && !is_valid("1.2.3")
                && !is_valid("v1.2.3-01")
        );
        assert_eq!(canonical("v1").as_deref(), Some("v1.0.0"));
        assert_eq!(canonical("v1.2.3+incompatible").as_deref(), Some("v1.2.3"));
        assert_eq!(
            canonical_version("v2.0.0+incompatible").as_deref(),
            Some("v2.0.0+incompatible")
        );
        assert_eq!(major_minor("v1.2.3").as_deref(), Some("v1.2"));
        assert_eq!(major_minor("v1").as_deref(), Some("v1.0"));
        assert_eq!(compare("v1.0.0-alpha", "v1.0.0"), Ordering::Less);
        assert_eq!(
            compare("v1.0.0-alpha.1", "v1.0.0-alpha.beta"),
            Ordering::Less
        );
        assert_eq!(compare("v1.0.0-2", "v1.0.0-10"), Ordering::Less);
        assert_eq!(compare("bad", "v0.0.0"), Ordering::Less);
        assert_eq!(compare("bad", "worse"), Ordering::Equal);
        assert_eq!(max("v1.2", "v1.10").as_deref(), Some("v1.10.0"));
        assert!(is_prerelease("v1.0.0-rc.1") && !is_prerelease("v1.0.0+rc"));
        assert!(is_pseudo_version("v0.0.0-20190101000000-abcdef123456"));
        assert!(is_pseudo_version(
            "v1.2.4-0.20190101000000-abcdef123456+incompatible"
        ));
        assert!(is_pseudo_version(
            "v1.2.3-pre.0.20190101000000-abcdef123456"
        ));
        assert!(!is_pseudo_version("v1.2.3-pre.20190101000000-abcdef123456"));
        assert!(!is_pseudo_version("v0.0.0-2019010100000-abcdef123456"));
        let mut vs: Vec<Version> = ["v1.10.0", "v1.2", "v1.2.0", "v1.0.0-rc"]
            .iter()
            .map(|v| v.parse().unwrap())
            .collect();
        vs.sort();
        let sorted: Vec<&str> = vs.iter().map(Version::as_str).collect();
        assert_eq!(sorted, ["v1.0.0-rc", "v1.2", "v1.2.0", "v1.10.0"]);
        assert!(
            Version::new("v1.2.3+incompatible")
                .unwrap()
                .is_incompatible()
        );
        assert!(!Version::new("v1.2").unwrap().is_canonical());
        assert!(Version::new("latest").is_err());
    }

    #[test]
    fn file_paths_allow_go_letters_only() {
        for ok in ["é", "ǅ", "ʰ", "日"] {
            assert!(check_file_path(ok).is_ok(), "{ok}");
        }
        for bad in ["٣", "\u{301}", "Ⅻ"] {
            assert!(check_file_path(bad).is_err(), "{bad}");
        }
    }
}
