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
        is_go_letter(c)
    }
}

/// Go's `unicode.IsLetter` for non-ASCII characters: general category L (Lu, Ll, Lt,
/// Lm, Lo) as of Unicode 15.0.0, the version of Go 1.26's tables. Rust's
/// `char::is_alphabetic` is a different property (it includes Nl and some marks) and
/// a newer Unicode version, so Go's set is kept as a table here.
fn is_go_letter(c: char) -> bool {
    let c = u32::from(c);
    GO_LETTERS
        .binary_search_by(|&(lo, hi)| {
            if hi < c {
                Ordering::Less
            } else if lo > c {
                Ordering::Greater
            } else {
                Ordering::Equal
            }
        })
        .is_ok()
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

/// Non-ASCII ranges of Go's `unicode.Letter` table (Unicode 15.0.0, Go 1.26), merged
/// and inclusive. Generated from Go and compared code point by code point with the
/// oracle in `tests/module_oracle.rs`.
#[rustfmt::skip]
const GO_LETTERS: &[(u32, u32)] = &[
    (0xAA, 0xAA), (0xB5, 0xB5), (0xBA, 0xBA), (0xC0, 0xD6), (0xD8, 0xF6),
    (0xF8, 0x2C1), (0x2C6, 0x2D1), (0x2E0, 0x2E4), (0x2EC, 0x2EC), (0x2EE, 0x2EE),
    (0x370, 0x374), (0x376, 0x377), (0x37A, 0x37D), (0x37F, 0x37F), (0x386, 0x386),
    (0x388, 0x38A), (0x38C, 0x38C), (0x38E, 0x3A1), (0x3A3, 0x3F5), (0x3F7, 0x481),
    (0x48A, 0x52F), (0x531, 0x556), (0x559, 0x559), (0x560, 0x588), (0x5D0, 0x5EA),
    (0x5EF, 0x5F2), (0x620, 0x64A), (0x66E, 0x66F), (0x671, 0x6D3), (0x6D5, 0x6D5),
    (0x6E5, 0x6E6), (0x6EE, 0x6EF), (0x6FA, 0x6FC), (0x6FF, 0x6FF), (0x710, 0x710),
    (0x712, 0x72F), (0x74D, 0x7A5), (0x7B1, 0x7B1), (0x7CA, 0x7EA), (0x7F4, 0x7F5),
    (0x7FA, 0x7FA), (0x800, 0x815), (0x81A, 0x81A), (0x824, 0x824), (0x828, 0x828),
    (0x840, 0x858), (0x860, 0x86A), (0x870, 0x887), (0x889, 0x88E), (0x8A0, 0x8C9),
    (0x904, 0x939), (0x93D, 0x93D), (0x950, 0x950), (0x958, 0x961), (0x971, 0x980),
    (0x985, 0x98C), (0x98F, 0x990), (0x993, 0x9A8), (0x9AA, 0x9B0), (0x9B2, 0x9B2),
    (0x9B6, 0x9B9), (0x9BD, 0x9BD), (0x9CE, 0x9CE), (0x9DC, 0x9DD), (0x9DF, 0x9E1),
    (0x9F0, 0x9F1), (0x9FC, 0x9FC), (0xA05, 0xA0A), (0xA0F, 0xA10), (0xA13, 0xA28),
    (0xA2A, 0xA30), (0xA32, 0xA33), (0xA35, 0xA36), (0xA38, 0xA39), (0xA59, 0xA5C),
    (0xA5E, 0xA5E), (0xA72, 0xA74), (0xA85, 0xA8D), (0xA8F, 0xA91), (0xA93, 0xAA8),
    (0xAAA, 0xAB0), (0xAB2, 0xAB3), (0xAB5, 0xAB9), (0xABD, 0xABD), (0xAD0, 0xAD0),
    (0xAE0, 0xAE1), (0xAF9, 0xAF9), (0xB05, 0xB0C), (0xB0F, 0xB10), (0xB13, 0xB28),
    (0xB2A, 0xB30), (0xB32, 0xB33), (0xB35, 0xB39), (0xB3D, 0xB3D), (0xB5C, 0xB5D),
    (0xB5F, 0xB61), (0xB71, 0xB71), (0xB83, 0xB83), (0xB85, 0xB8A), (0xB8E, 0xB90),
    (0xB92, 0xB95), (0xB99, 0xB9A), (0xB9C, 0xB9C), (0xB9E, 0xB9F), (0xBA3, 0xBA4),
    (0xBA8, 0xBAA), (0xBAE, 0xBB9), (0xBD0, 0xBD0), (0xC05, 0xC0C), (0xC0E, 0xC10),
    (0xC12, 0xC28), (0xC2A, 0xC39), (0xC3D, 0xC3D), (0xC58, 0xC5A), (0xC5D, 0xC5D),
    (0xC60, 0xC61), (0xC80, 0xC80), (0xC85, 0xC8C), (0xC8E, 0xC90), (0xC92, 0xCA8),
    (0xCAA, 0xCB3), (0xCB5, 0xCB9), (0xCBD, 0xCBD), (0xCDD, 0xCDE), (0xCE0, 0xCE1),
    (0xCF1, 0xCF2), (0xD04, 0xD0C), (0xD0E, 0xD10), (0xD12, 0xD3A), (0xD3D, 0xD3D),
    (0xD4E, 0xD4E), (0xD54, 0xD56), (0xD5F, 0xD61), (0xD7A, 0xD7F), (0xD85, 0xD96),
    (0xD9A, 0xDB1), (0xDB3, 0xDBB), (0xDBD, 0xDBD), (0xDC0, 0xDC6), (0xE01, 0xE30),
    (0xE32, 0xE33), (0xE40, 0xE46), (0xE81, 0xE82), (0xE84, 0xE84), (0xE86, 0xE8A),
    (0xE8C, 0xEA3), (0xEA5, 0xEA5), (0xEA7, 0xEB0), (0xEB2, 0xEB3), (0xEBD, 0xEBD),
    (0xEC0, 0xEC4), (0xEC6, 0xEC6), (0xEDC, 0xEDF), (0xF00, 0xF00), (0xF40, 0xF47),
    (0xF49, 0xF6C), (0xF88, 0xF8C), (0x1000, 0x102A), (0x103F, 0x103F), (0x1050, 0x1055),
    (0x105A, 0x105D), (0x1061, 0x1061), (0x1065, 0x1066), (0x106E, 0x1070), (0x1075, 0x1081),
    (0x108E, 0x108E), (0x10A0, 0x10C5), (0x10C7, 0x10C7), (0x10CD, 0x10CD), (0x10D0, 0x10FA),
    (0x10FC, 0x1248), (0x124A, 0x124D), (0x1250, 0x1256), (0x1258, 0x1258), (0x125A, 0x125D),
    (0x1260, 0x1288), (0x128A, 0x128D), (0x1290, 0x12B0), (0x12B2, 0x12B5), (0x12B8, 0x12BE),
    (0x12C0, 0x12C0), (0x12C2, 0x12C5), (0x12C8, 0x12D6), (0x12D8, 0x1310), (0x1312, 0x1315),
    (0x1318, 0x135A), (0x1380, 0x138F), (0x13A0, 0x13F5), (0x13F8, 0x13FD), (0x1401, 0x166C),
    (0x166F, 0x167F), (0x1681, 0x169A), (0x16A0, 0x16EA), (0x16F1, 0x16F8), (0x1700, 0x1711),
    (0x171F, 0x1731), (0x1740, 0x1751), (0x1760, 0x176C), (0x176E, 0x1770), (0x1780, 0x17B3),
    (0x17D7, 0x17D7), (0x17DC, 0x17DC), (0x1820, 0x1878), (0x1880, 0x1884), (0x1887, 0x18A8),
    (0x18AA, 0x18AA), (0x18B0, 0x18F5), (0x1900, 0x191E), (0x1950, 0x196D), (0x1970, 0x1974),
    (0x1980, 0x19AB), (0x19B0, 0x19C9), (0x1A00, 0x1A16), (0x1A20, 0x1A54), (0x1AA7, 0x1AA7),
    (0x1B05, 0x1B33), (0x1B45, 0x1B4C), (0x1B83, 0x1BA0), (0x1BAE, 0x1BAF), (0x1BBA, 0x1BE5),
    (0x1C00, 0x1C23), (0x1C4D, 0x1C4F), (0x1C5A, 0x1C7D), (0x1C80, 0x1C88), (0x1C90, 0x1CBA),
    (0x1CBD, 0x1CBF), (0x1CE9, 0x1CEC), (0x1CEE, 0x1CF3), (0x1CF5, 0x1CF6), (0x1CFA, 0x1CFA),
    (0x1D00, 0x1DBF), (0x1E00, 0x1F15), (0x1F18, 0x1F1D), (0x1F20, 0x1F45), (0x1F48, 0x1F4D),
    (0x1F50, 0x1F57), (0x1F59, 0x1F59), (0x1F5B, 0x1F5B), (0x1F5D, 0x1F5D), (0x1F5F, 0x1F7D),
    (0x1F80, 0x1FB4), (0x1FB6, 0x1FBC), (0x1FBE, 0x1FBE), (0x1FC2, 0x1FC4), (0x1FC6, 0x1FCC),
    (0x1FD0, 0x1FD3), (0x1FD6, 0x1FDB), (0x1FE0, 0x1FEC), (0x1FF2, 0x1FF4), (0x1FF6, 0x1FFC),
    (0x2071, 0x2071), (0x207F, 0x207F), (0x2090, 0x209C), (0x2102, 0x2102), (0x2107, 0x2107),
    (0x210A, 0x2113), (0x2115, 0x2115), (0x2119, 0x211D), (0x2124, 0x2124), (0x2126, 0x2126),
    (0x2128, 0x2128), (0x212A, 0x212D), (0x212F, 0x2139), (0x213C, 0x213F), (0x2145, 0x2149),
    (0x214E, 0x214E), (0x2183, 0x2184), (0x2C00, 0x2CE4), (0x2CEB, 0x2CEE), (0x2CF2, 0x2CF3),
    (0x2D00, 0x2D25), (0x2D27, 0x2D27), (0x2D2D, 0x2D2D), (0x2D30, 0x2D67), (0x2D6F, 0x2D6F),
    (0x2D80, 0x2D96), (0x2DA0, 0x2DA6), (0x2DA8, 0x2DAE), (0x2DB0, 0x2DB6), (0x2DB8, 0x2DBE),
    (0x2DC0, 0x2DC6), (0x2DC8, 0x2DCE), (0x2DD0, 0x2DD6), (0x2DD8, 0x2DDE), (0x2E2F, 0x2E2F),
    (0x3005, 0x3006), (0x3031, 0x3035), (0x303B, 0x303C), (0x3041, 0x3096), (0x309D, 0x309F),
    (0x30A1, 0x30FA), (0x30FC, 0x30FF), (0x3105, 0x312F), (0x3131, 0x318E), (0x31A0, 0x31BF),
    (0x31F0, 0x31FF), (0x3400, 0x4DBF), (0x4E00, 0xA48C), (0xA4D0, 0xA4FD), (0xA500, 0xA60C),
    (0xA610, 0xA61F), (0xA62A, 0xA62B), (0xA640, 0xA66E), (0xA67F, 0xA69D), (0xA6A0, 0xA6E5),
    (0xA717, 0xA71F), (0xA722, 0xA788), (0xA78B, 0xA7CA), (0xA7D0, 0xA7D1), (0xA7D3, 0xA7D3),
    (0xA7D5, 0xA7D9), (0xA7F2, 0xA801), (0xA803, 0xA805), (0xA807, 0xA80A), (0xA80C, 0xA822),
    (0xA840, 0xA873), (0xA882, 0xA8B3), (0xA8F2, 0xA8F7), (0xA8FB, 0xA8FB), (0xA8FD, 0xA8FE),
    (0xA90A, 0xA925), (0xA930, 0xA946), (0xA960, 0xA97C), (0xA984, 0xA9B2), (0xA9CF, 0xA9CF),
    (0xA9E0, 0xA9E4), (0xA9E6, 0xA9EF), (0xA9FA, 0xA9FE), (0xAA00, 0xAA28), (0xAA40, 0xAA42),
    (0xAA44, 0xAA4B), (0xAA60, 0xAA76), (0xAA7A, 0xAA7A), (0xAA7E, 0xAAAF), (0xAAB1, 0xAAB1),
    (0xAAB5, 0xAAB6), (0xAAB9, 0xAABD), (0xAAC0, 0xAAC0), (0xAAC2, 0xAAC2), (0xAADB, 0xAADD),
    (0xAAE0, 0xAAEA), (0xAAF2, 0xAAF4), (0xAB01, 0xAB06), (0xAB09, 0xAB0E), (0xAB11, 0xAB16),
    (0xAB20, 0xAB26), (0xAB28, 0xAB2E), (0xAB30, 0xAB5A), (0xAB5C, 0xAB69), (0xAB70, 0xABE2),
    (0xAC00, 0xD7A3), (0xD7B0, 0xD7C6), (0xD7CB, 0xD7FB), (0xF900, 0xFA6D), (0xFA70, 0xFAD9),
    (0xFB00, 0xFB06), (0xFB13, 0xFB17), (0xFB1D, 0xFB1D), (0xFB1F, 0xFB28), (0xFB2A, 0xFB36),
    (0xFB38, 0xFB3C), (0xFB3E, 0xFB3E), (0xFB40, 0xFB41), (0xFB43, 0xFB44), (0xFB46, 0xFBB1),
    (0xFBD3, 0xFD3D), (0xFD50, 0xFD8F), (0xFD92, 0xFDC7), (0xFDF0, 0xFDFB), (0xFE70, 0xFE74),
    (0xFE76, 0xFEFC), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A), (0xFF66, 0xFFBE), (0xFFC2, 0xFFC7),
    (0xFFCA, 0xFFCF), (0xFFD2, 0xFFD7), (0xFFDA, 0xFFDC), (0x10000, 0x1000B), (0x1000D, 0x10026),
    (0x10028, 0x1003A), (0x1003C, 0x1003D), (0x1003F, 0x1004D), (0x10050, 0x1005D), (0x10080, 0x100FA),
    (0x10280, 0x1029C), (0x102A0, 0x102D0), (0x10300, 0x1031F), (0x1032D, 0x10340), (0x10342, 0x10349),
    (0x10350, 0x10375), (0x10380, 0x1039D), (0x103A0, 0x103C3), (0x103C8, 0x103CF), (0x10400, 0x1049D),
    (0x104B0, 0x104D3), (0x104D8, 0x104FB), (0x10500, 0x10527), (0x10530, 0x10563), (0x10570, 0x1057A),
    (0x1057C, 0x1058A), (0x1058C, 0x10592), (0x10594, 0x10595), (0x10597, 0x105A1), (0x105A3, 0x105B1),
    (0x105B3, 0x105B9), (0x105BB, 0x105BC), (0x10600, 0x10736), (0x10740, 0x10755), (0x10760, 0x10767),
    (0x10780, 0x10785), (0x10787, 0x107B0), (0x107B2, 0x107BA), (0x10800, 0x10805), (0x10808, 0x10808),
    (0x1080A, 0x10835), (0x10837, 0x10838), (0x1083C, 0x1083C), (0x1083F, 0x10855), (0x10860, 0x10876),
    (0x10880, 0x1089E), (0x108E0, 0x108F2), (0x108F4, 0x108F5), (0x10900, 0x10915), (0x10920, 0x10939),
    (0x10980, 0x109B7), (0x109BE, 0x109BF), (0x10A00, 0x10A00), (0x10A10, 0x10A13), (0x10A15, 0x10A17),
    (0x10A19, 0x10A35), (0x10A60, 0x10A7C), (0x10A80, 0x10A9C), (0x10AC0, 0x10AC7), (0x10AC9, 0x10AE4),
    (0x10B00, 0x10B35), (0x10B40, 0x10B55), (0x10B60, 0x10B72), (0x10B80, 0x10B91), (0x10C00, 0x10C48),
    (0x10C80, 0x10CB2), (0x10CC0, 0x10CF2), (0x10D00, 0x10D23), (0x10E80, 0x10EA9), (0x10EB0, 0x10EB1),
    (0x10F00, 0x10F1C), (0x10F27, 0x10F27), (0x10F30, 0x10F45), (0x10F70, 0x10F81), (0x10FB0, 0x10FC4),
    (0x10FE0, 0x10FF6), (0x11003, 0x11037), (0x11071, 0x11072), (0x11075, 0x11075), (0x11083, 0x110AF),
    (0x110D0, 0x110E8), (0x11103, 0x11126), (0x11144, 0x11144), (0x11147, 0x11147), (0x11150, 0x11172),
    (0x11176, 0x11176), (0x11183, 0x111B2), (0x111C1, 0x111C4), (0x111DA, 0x111DA), (0x111DC, 0x111DC),
    (0x11200, 0x11211), (0x11213, 0x1122B), (0x1123F, 0x11240), (0x11280, 0x11286), (0x11288, 0x11288),
    (0x1128A, 0x1128D), (0x1128F, 0x1129D), (0x1129F, 0x112A8), (0x112B0, 0x112DE), (0x11305, 0x1130C),
    (0x1130F, 0x11310), (0x11313, 0x11328), (0x1132A, 0x11330), (0x11332, 0x11333), (0x11335, 0x11339),
    (0x1133D, 0x1133D), (0x11350, 0x11350), (0x1135D, 0x11361), (0x11400, 0x11434), (0x11447, 0x1144A),
    (0x1145F, 0x11461), (0x11480, 0x114AF), (0x114C4, 0x114C5), (0x114C7, 0x114C7), (0x11580, 0x115AE),
    (0x115D8, 0x115DB), (0x11600, 0x1162F), (0x11644, 0x11644), (0x11680, 0x116AA), (0x116B8, 0x116B8),
    (0x11700, 0x1171A), (0x11740, 0x11746), (0x11800, 0x1182B), (0x118A0, 0x118DF), (0x118FF, 0x11906),
    (0x11909, 0x11909), (0x1190C, 0x11913), (0x11915, 0x11916), (0x11918, 0x1192F), (0x1193F, 0x1193F),
    (0x11941, 0x11941), (0x119A0, 0x119A7), (0x119AA, 0x119D0), (0x119E1, 0x119E1), (0x119E3, 0x119E3),
    (0x11A00, 0x11A00), (0x11A0B, 0x11A32), (0x11A3A, 0x11A3A), (0x11A50, 0x11A50), (0x11A5C, 0x11A89),
    (0x11A9D, 0x11A9D), (0x11AB0, 0x11AF8), (0x11C00, 0x11C08), (0x11C0A, 0x11C2E), (0x11C40, 0x11C40),
    (0x11C72, 0x11C8F), (0x11D00, 0x11D06), (0x11D08, 0x11D09), (0x11D0B, 0x11D30), (0x11D46, 0x11D46),
    (0x11D60, 0x11D65), (0x11D67, 0x11D68), (0x11D6A, 0x11D89), (0x11D98, 0x11D98), (0x11EE0, 0x11EF2),
    (0x11F02, 0x11F02), (0x11F04, 0x11F10), (0x11F12, 0x11F33), (0x11FB0, 0x11FB0), (0x12000, 0x12399),
    (0x12480, 0x12543), (0x12F90, 0x12FF0), (0x13000, 0x1342F), (0x13441, 0x13446), (0x14400, 0x14646),
    (0x16800, 0x16A38), (0x16A40, 0x16A5E), (0x16A70, 0x16ABE), (0x16AD0, 0x16AED), (0x16B00, 0x16B2F),
    (0x16B40, 0x16B43), (0x16B63, 0x16B77), (0x16B7D, 0x16B8F), (0x16E40, 0x16E7F), (0x16F00, 0x16F4A),
    (0x16F50, 0x16F50), (0x16F93, 0x16F9F), (0x16FE0, 0x16FE1), (0x16FE3, 0x16FE3), (0x17000, 0x187F7),
    (0x18800, 0x18CD5), (0x18D00, 0x18D08), (0x1AFF0, 0x1AFF3), (0x1AFF5, 0x1AFFB), (0x1AFFD, 0x1AFFE),
    (0x1B000, 0x1B122), (0x1B132, 0x1B132), (0x1B150, 0x1B152), (0x1B155, 0x1B155), (0x1B164, 0x1B167),
    (0x1B170, 0x1B2FB), (0x1BC00, 0x1BC6A), (0x1BC70, 0x1BC7C), (0x1BC80, 0x1BC88), (0x1BC90, 0x1BC99),
    (0x1D400, 0x1D454), (0x1D456, 0x1D49C), (0x1D49E, 0x1D49F), (0x1D4A2, 0x1D4A2), (0x1D4A5, 0x1D4A6),
    (0x1D4A9, 0x1D4AC), (0x1D4AE, 0x1D4B9), (0x1D4BB, 0x1D4BB), (0x1D4BD, 0x1D4C3), (0x1D4C5, 0x1D505),
    (0x1D507, 0x1D50A), (0x1D50D, 0x1D514), (0x1D516, 0x1D51C), (0x1D51E, 0x1D539), (0x1D53B, 0x1D53E),
    (0x1D540, 0x1D544), (0x1D546, 0x1D546), (0x1D54A, 0x1D550), (0x1D552, 0x1D6A5), (0x1D6A8, 0x1D6C0),
    (0x1D6C2, 0x1D6DA), (0x1D6DC, 0x1D6FA), (0x1D6FC, 0x1D714), (0x1D716, 0x1D734), (0x1D736, 0x1D74E),
    (0x1D750, 0x1D76E), (0x1D770, 0x1D788), (0x1D78A, 0x1D7A8), (0x1D7AA, 0x1D7C2), (0x1D7C4, 0x1D7CB),
    (0x1DF00, 0x1DF1E), (0x1DF25, 0x1DF2A), (0x1E030, 0x1E06D), (0x1E100, 0x1E12C), (0x1E137, 0x1E13D),
    (0x1E14E, 0x1E14E), (0x1E290, 0x1E2AD), (0x1E2C0, 0x1E2EB), (0x1E4D0, 0x1E4EB), (0x1E7E0, 0x1E7E6),
    (0x1E7E8, 0x1E7EB), (0x1E7ED, 0x1E7EE), (0x1E7F0, 0x1E7FE), (0x1E800, 0x1E8C4), (0x1E900, 0x1E943),
    (0x1E94B, 0x1E94B), (0x1EE00, 0x1EE03), (0x1EE05, 0x1EE1F), (0x1EE21, 0x1EE22), (0x1EE24, 0x1EE24),
    (0x1EE27, 0x1EE27), (0x1EE29, 0x1EE32), (0x1EE34, 0x1EE37), (0x1EE39, 0x1EE39), (0x1EE3B, 0x1EE3B),
    (0x1EE42, 0x1EE42), (0x1EE47, 0x1EE47), (0x1EE49, 0x1EE49), (0x1EE4B, 0x1EE4B), (0x1EE4D, 0x1EE4F),
    (0x1EE51, 0x1EE52), (0x1EE54, 0x1EE54), (0x1EE57, 0x1EE57), (0x1EE59, 0x1EE59), (0x1EE5B, 0x1EE5B),
    (0x1EE5D, 0x1EE5D), (0x1EE5F, 0x1EE5F), (0x1EE61, 0x1EE62), (0x1EE64, 0x1EE64), (0x1EE67, 0x1EE6A),
    (0x1EE6C, 0x1EE72), (0x1EE74, 0x1EE77), (0x1EE79, 0x1EE7C), (0x1EE7E, 0x1EE7E), (0x1EE80, 0x1EE89),
    (0x1EE8B, 0x1EE9B), (0x1EEA1, 0x1EEA3), (0x1EEA5, 0x1EEA9), (0x1EEAB, 0x1EEBB), (0x20000, 0x2A6DF),
    (0x2A700, 0x2B739), (0x2B740, 0x2B81D), (0x2B820, 0x2CEA1), (0x2CEB0, 0x2EBE0), (0x2F800, 0x2FA1D),
    (0x30000, 0x3134A), (0x31350, 0x323AF), 
];

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
    fn go_letter_table_is_sorted_and_disjoint() {
        assert!(GO_LETTERS.windows(2).all(|w| w[0].1 + 1 < w[1].0));
        assert!(GO_LETTERS.iter().all(|&(lo, hi)| lo <= hi && lo >= 0x80));
        assert!(is_go_letter('é') && is_go_letter('ǅ') && is_go_letter('ʰ') && is_go_letter('日'));
        assert!(!is_go_letter('٣') && !is_go_letter('\u{301}') && !is_go_letter('Ⅻ'));
    }
}
