//! Validated newtypes: a module path, a semantic version, and a path@version pair that
//! `module.Check` accepts.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use super::check::{canonical_version, check, check_path, is_pseudo_version, split_path_version};
use super::error::{ModuleError, VersionProblem};
use super::escape::{escape_string, escape_version};
use super::semver;

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
    /// Parses `path@version` as [`split_module_version`] does, then checks the pair.
    fn from_str(s: &str) -> Result<Self, ModuleError> {
        let (path, version) = split_module_version(s)?;
        ModuleVersion::new(path, version)
    }
}

/// Splits a command-line argument `path[@version]` as the go command does
/// (`modload.ParsePathVersion` in src/cmd/go/internal/modload/list.go, used by
/// `go get`, `go mod download`, `go list -m`, `go install`, `go run`): at the FIRST
/// `@`, so `a@b@c` is path `a` with version `b@c` (which then fails as a version,
/// as it does in go). A version starting with `-` or `/` is refused (go's
/// `invalid module version "-x"`, a guard against option injection into VCS commands).
/// No `@` gives `(arg, None)`; `path@` gives `Some("")`, which go treats as no version.
pub fn parse_path_version(arg: &str) -> Result<(&str, Option<&str>), ModuleError> {
    match arg.split_once('@') {
        None => Ok((arg, None)),
        Some((_, version)) if version.starts_with(['-', '/']) => Err(ModuleError::UnsafeVersion {
            version: version.to_owned(),
        }),
        Some((path, version)) => Ok((path, Some(version))),
    }
}

/// [`parse_path_version`] for arguments that must name a version: `path@` and a
/// missing `@` are [`ModuleError::MissingVersion`]. Nothing is validated beyond the
/// split; [`ModuleVersion`]'s `FromStr` also runs `module.Check`.
pub fn split_module_version(arg: &str) -> Result<(&str, &str), ModuleError> {
    match parse_path_version(arg)? {
        (path, Some(version)) if !version.is_empty() => Ok((path, version)),
        _ => Err(ModuleError::MissingVersion {
            input: arg.to_owned(),
        }),
    }
}
