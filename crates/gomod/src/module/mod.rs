//! Module paths and versions: validation, `!`-escaping, major-version suffixes and
//! semantic versions, as Go's module system defines them.
//!
//! Mirrors `golang.org/x/mod/module/module.go` (`CheckPath`, `CheckImportPath`,
//! `CheckFilePath`, `EscapePath`, `UnescapePath`, `EscapeVersion`, `UnescapeVersion`,
//! `SplitPathVersion`, `CheckPathMajor`, `CanonicalVersion`, `Check`),
//! `golang.org/x/mod/module/pseudo.go` (`IsPseudoVersion`) and
//! `golang.org/x/mod/semver/semver.go` (the [`semver`] submodule). Every function is
//! checked against x/mod v0.43.0 by `tests/integration/module_oracle.rs`; error messages read like
//! Go's.
//!
//! Nothing here panics, whatever the input.
//!
//! | file | job |
//! |---|---|
//! | `check.rs` | path and path/version validation, canonical and pseudo-versions |
//! | `escape.rs` | `!`-escaping for proxy URLs and the module cache |
//! | `semver.rs` | semantic versions ([`semver`]) |
//! | `validated.rs` | [`ModulePath`], [`Version`], [`ModuleVersion`] and the go command's `path@version` argument split ([`parse_path_version`], `modload.ParsePathVersion`) |
//! | `error.rs` | [`ModuleError`] with Go's message texts |

mod check;
mod error;
mod escape;
pub mod semver;
#[cfg(test)]
mod tests;
mod validated;

pub use check::{
    canonical_version, check, check_file_path, check_file_path_bytes, check_import_path,
    check_path, check_path_major, is_pseudo_version, match_path_major, split_path_version,
};
pub use error::{Escaped, ModuleError, PathKind, PathProblem, VersionProblem};
pub use escape::{escape_path, escape_version, unescape_path, unescape_version};
pub use validated::{ModulePath, ModuleVersion, Version, parse_path_version, split_module_version};

/// [`semver::is_valid`] under the name callers outside this module expect.
pub use semver::is_valid as is_valid_semver;
