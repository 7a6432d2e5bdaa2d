//! Why a module path, version or escaped form was rejected, with Go's message texts
//! (x/mod/module/module.go: `InvalidPathError`, `InvalidVersionError`, `ModuleError`).

use std::fmt;

use crate::strconv::{quote, quote_rune};

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
            PathProblem::DotsOnly(e) => write!(f, "invalid path element {}", quote(e)),
            PathProblem::LeadingDot => f.write_str("leading dot in path element"),
            PathProblem::TrailingDot => f.write_str("trailing dot in path element"),
            PathProblem::InvalidChar(c) => write!(f, "invalid char {}", quote_rune(*c)),
            PathProblem::WindowsReserved(s) => {
                write!(
                    f,
                    "{} disallowed as path element component on Windows",
                    quote(s)
                )
            }
            PathProblem::TildeDigits => f.write_str("trailing tilde and digits in path element"),
            PathProblem::LeadingSlash => f.write_str("leading slash"),
            PathProblem::MissingDot => f.write_str("missing dot in first path element"),
            PathProblem::LeadingDashInFirst => f.write_str("leading dash in first path element"),
            PathProblem::InvalidCharInFirst(c) => {
                write!(f, "invalid char {} in first path element", quote_rune(*c))
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
/// (quoting is Go's `%q`, [`crate::strconv::quote`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ModuleError {
    /// A path broke the rules for its kind (Go: `InvalidPathError`).
    #[error("malformed {kind} path {}: {problem}", quote(.path))]
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
    #[error("invalid escaped {what} {}", quote(.escaped))]
    InvalidEscape {
        /// What the string was meant to be.
        what: Escaped,
        /// The escaped string.
        escaped: String,
    },
    /// An escaped module path decodes to an invalid module path.
    #[error("invalid escaped module path {}: {error}", quote(.escaped))]
    EscapedPathInvalid {
        /// The escaped string.
        escaped: String,
        /// Why the decoded path is invalid.
        error: Box<ModuleError>,
    },
    /// An escaped version decodes to a version that is not a valid file name.
    #[error("invalid escaped version {}: {problem}", quote(.version))]
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
    /// A `path@version` argument whose version starts with `-` or `/` (go's
    /// `modload.ParsePathVersion` refuses it).
    #[error("invalid module version {}", quote(.version))]
    UnsafeVersion {
        /// The version as given.
        version: String,
    },
    /// A `path@version` string without `@`, or with nothing after it. The text does not
    /// repeat the input: callers name the argument, as go wraps its errors.
    #[error("missing @version")]
    MissingVersion {
        /// The string as given.
        input: String,
    },
}

fn version_message(path: Option<&str>, version: &str, problem: &VersionProblem) -> String {
    match path {
        Some(p) => format!("{p}@{version}: invalid version: {problem}"),
        None => format!("version {} invalid: {problem}", quote(version)),
    }
}

pub(super) fn path_error(kind: PathKind, path: &str, problem: PathProblem) -> ModuleError {
    ModuleError::InvalidPath {
        kind,
        path: path.to_owned(),
        problem,
    }
}
