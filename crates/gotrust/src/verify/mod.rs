//! Verification: go.sum lines, proxies and the module cache against their hashes and the
//! checksum database.
//!
//! Every `verify` command returns [`Results`]: one [`ItemResult`] per thing it judged (a zip,
//! a `.mod` file, an extracted tree, a go.sum line, a leftover file), each with a
//! [`VerifyStatus`] and the [`Check`]s behind it: which reference the item was compared with
//! ([`Reference`]: the cache's `.ziphash`, a go.sum line, the checksum database, the zip) and
//! how that came out ([`Outcome`]). A reference that was not consulted is recorded as such,
//! with the reason, so a result never claims more than was checked.
//!
//! Verification failures are data, not errors: a hash mismatch is an item with status
//! [`VerifyStatus::Mismatch`]. Errors (`Err`) are kept for "could not do what was asked".
//!
//! Rendering: each command turns its results into catalog findings that the policy governs
//! and the engine's text, JSON and SARIF renderers print: [`cache::output`],
//! [`sums_output`], [`proxy_output`].
//!
//! Submodules: [`cache`] (`gotrust verify cache`, the local module cache).

pub mod cache;
pub mod proxy;
pub mod proxy_output;
pub mod store;
pub mod sums;
pub mod sums_output;

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

use crate::report::{Location, Report, Rule};

/// The verdict on one item. Serialized in lowercase snake case (`not_cached`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum VerifyStatus {
    /// Every check that applied held.
    Verified,
    /// A hash differs from a reference, or the content is not what any valid producer writes:
    /// tampering or corruption.
    Mismatch,
    /// A file the check needs is absent (for example a zip without its `.ziphash`, which
    /// `go mod verify` reports as `missing ziphash`).
    Missing,
    /// A file left behind by an interrupted go command (`.partial`, `.tmp`, an orphan `.lock`).
    Leftover,
    /// An extracted tree that go would have made read-only is writable.
    Writable,
    /// A module of the build list has nothing in the cache (not an error: nothing to verify).
    NotCached,
    /// Consistent with the cache's own records, but compared with neither go.sum nor the
    /// checksum database (no `--project`, `--offline`, GOSUMDB=off, a private path): not a
    /// verification.
    Unverified,
    /// The item could not be checked (an I/O error); the message says why.
    Error,
}

impl VerifyStatus {
    /// The name used in every output.
    pub fn as_str(self) -> &'static str {
        match self {
            VerifyStatus::Verified => "verified",
            VerifyStatus::Mismatch => "mismatch",
            VerifyStatus::Missing => "missing",
            VerifyStatus::Leftover => "leftover",
            VerifyStatus::Writable => "writable",
            VerifyStatus::NotCached => "not_cached",
            VerifyStatus::Unverified => "unverified",
            VerifyStatus::Error => "error",
        }
    }

    /// Whether this status makes the verification fail (exit status 1 whatever `--fail-on`
    /// says): mismatch, missing and error.
    pub fn is_failure(self) -> bool {
        matches!(
            self,
            VerifyStatus::Mismatch | VerifyStatus::Missing | VerifyStatus::Error
        )
    }

    /// The rule under which a non-clean item is reported, `None` for clean ones.
    pub fn rule(self) -> Option<&'static Rule> {
        match self {
            VerifyStatus::Verified | VerifyStatus::NotCached | VerifyStatus::Unverified => None,
            VerifyStatus::Mismatch => Some(&VERIFY_MISMATCH),
            VerifyStatus::Missing => Some(&VERIFY_MISSING),
            VerifyStatus::Leftover => Some(&VERIFY_LEFTOVER),
            VerifyStatus::Writable => Some(&VERIFY_WRITABLE),
            VerifyStatus::Error => Some(&VERIFY_ERROR),
        }
    }

    /// Rank used to combine several checks into one status: the worst wins.
    fn rank(self) -> u8 {
        match self {
            VerifyStatus::Verified => 0,
            VerifyStatus::NotCached => 1,
            VerifyStatus::Unverified => 1,
            VerifyStatus::Leftover => 2,
            VerifyStatus::Writable => 3,
            VerifyStatus::Error => 4,
            VerifyStatus::Missing => 5,
            VerifyStatus::Mismatch => 6,
        }
    }

    /// The worse of two statuses.
    pub fn worst(self, other: VerifyStatus) -> VerifyStatus {
        if other.rank() > self.rank() {
            other
        } else {
            self
        }
    }
}

impl fmt::Display for VerifyStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

// The `verify/…` rules are declared in the catalog with every other rule; their old names
// here keep compiling.
pub use crate::report::catalog::{
    VERIFY_DATABASE_MISBEHAVIOUR, VERIFY_ERROR, VERIFY_LEFTOVER, VERIFY_MISMATCH, VERIFY_MISSING,
    VERIFY_NO_VERDICT, VERIFY_NOT_IN_DATABASE, VERIFY_NOTHING_VERIFIED, VERIFY_PROXY_BAD_INFO,
    VERIFY_PROXY_DATABASE_INVALID, VERIFY_PROXY_INVALID_ZIP, VERIFY_PROXY_LISTED_NOT_SERVED,
    VERIFY_PROXY_MISMATCH, VERIFY_PROXY_ORIGIN, VERIFY_PROXY_POLLUTED_CACHE, VERIFY_PROXY_REFUSED,
    VERIFY_PROXY_UNLISTED, VERIFY_SKIPPED_PRIVATE, VERIFY_SKIPPED_PUBLIC, VERIFY_SUM_MISMATCH,
    VERIFY_WRITABLE,
};

/// Every `verify/…` rule of the catalog, in catalog order.
pub fn rules() -> impl Iterator<Item = &'static Rule> {
    crate::report::catalog::RULES
        .iter()
        .copied()
        .filter(|r| r.category() == "verify")
}

/// What an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ItemKind {
    /// A module's go.mod file (`cache/download/…/@v/V.mod`).
    Mod,
    /// A module zip (`cache/download/…/@v/V.zip`).
    Zip,
    /// A `.ziphash` checked on its own (its zip is not in the cache).
    Ziphash,
    /// An extracted module tree (`GOMODCACHE/PATH@V/`).
    Dir,
    /// A leftover file (`.partial`, `.tmp`, orphan `.lock`).
    Leftover,
    /// A module of the build list, when nothing of it is in the cache.
    Module,
    /// One go.sum line.
    GoSumLine,
}

impl ItemKind {
    /// The name used in every output.
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Mod => "mod",
            ItemKind::Zip => "zip",
            ItemKind::Ziphash => "ziphash",
            ItemKind::Dir => "dir",
            ItemKind::Leftover => "leftover",
            ItemKind::Module => "module",
            ItemKind::GoSumLine => "go_sum_line",
        }
    }
}

/// What an item was compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Reference {
    /// The cache's own `.ziphash` (what `go mod verify` compares with).
    Ziphash,
    /// A go.sum line.
    GoSum,
    /// The checksum database.
    Sumdb,
    /// The module zip's entries (an extracted tree against its zip).
    Zip,
    /// A proxy's answer.
    Proxy,
}

/// How one comparison came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Outcome {
    /// The reference has the same hash.
    Match,
    /// The reference has a different hash.
    Mismatch,
    /// The reference has no hash for this item (no go.sum line, no `.ziphash`).
    Absent,
    /// The reference was not consulted; [`Check::note`] says why (offline, private path,
    /// GOSUMDB=off).
    NotConsulted,
}

/// One comparison of an item with a reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// What the item was compared with.
    pub against: Reference,
    /// How it came out.
    pub outcome: Outcome,
    /// The reference's hash (the first `h1:` one if it has several).
    pub expected: Option<String>,
    /// Where the reference's hash is written (go.sum file and line, `.ziphash` file).
    pub location: Option<Location>,
    /// Why it was not consulted, or anything else worth saying.
    pub note: Option<String>,
}

impl Check {
    /// A check with this outcome and nothing else.
    pub fn new(against: Reference, outcome: Outcome) -> Self {
        Check {
            against,
            outcome,
            expected: None,
            location: None,
            note: None,
        }
    }

    /// A reference that was not consulted, and why.
    pub fn not_consulted(against: Reference, why: impl Into<String>) -> Self {
        Check {
            note: Some(why.into()),
            ..Check::new(against, Outcome::NotConsulted)
        }
    }
}

/// How a file of an extracted tree differs from the module zip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Change {
    /// Present in both, different content.
    Modified,
    /// In the tree, not in the zip.
    Added,
    /// In the zip, not in the tree.
    Missing,
    /// A symbolic link or special file, which no module zip can produce.
    NotRegular,
    /// A writable file or directory.
    Writable,
}

/// One file named by a tree comparison.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct FileChange {
    /// What happened to it.
    pub change: Change,
    /// Slash-separated path relative to the module root (lossy UTF-8).
    pub name: String,
}

/// The verdict on one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemResult {
    /// What the item is.
    pub kind: ItemKind,
    /// Module path, when the item belongs to a module.
    pub module: Option<String>,
    /// Module version, when the item belongs to a module.
    pub version: Option<String>,
    /// The file or directory judged.
    pub path: Option<PathBuf>,
    /// The verdict: the worst of the checks.
    pub status: VerifyStatus,
    /// One sentence for humans.
    pub message: String,
    /// The `h1:` hash computed from the item, when it could be computed.
    pub hash: Option<String>,
    /// The comparisons made (and the ones not made, with the reason).
    pub checks: Vec<Check>,
    /// Files named by a tree comparison (modified, added, missing, writable, …).
    pub files: Vec<FileChange>,
}

impl ItemResult {
    /// An item with no checks yet.
    pub fn new(kind: ItemKind, status: VerifyStatus, message: impl Into<String>) -> Self {
        ItemResult {
            kind,
            module: None,
            version: None,
            path: None,
            status,
            message: message.into(),
            hash: None,
            checks: Vec::new(),
            files: Vec::new(),
        }
    }

    /// The first go.sum location among the checks (SARIF's result location).
    pub fn go_sum_location(&self) -> Option<&Location> {
        self.checks
            .iter()
            .filter(|c| c.against == Reference::GoSum)
            .find_map(|c| c.location.as_ref())
    }

    /// `path@version`, `path` or the file name: how the item is named in messages.
    pub fn subject(&self) -> String {
        match (&self.module, &self.version, &self.path) {
            (Some(m), Some(v), _) => format!("{m}@{v}"),
            (Some(m), None, _) => m.clone(),
            (None, _, Some(p)) => p.display().to_string(),
            (None, _, None) => String::new(),
        }
    }
}

/// Counts per status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Items.
    pub total: usize,
    /// Verified items.
    pub verified: usize,
    /// Mismatches.
    pub mismatch: usize,
    /// Missing files.
    pub missing: usize,
    /// Leftover files.
    pub leftover: usize,
    /// Writable trees.
    pub writable: usize,
    /// Build-list modules with nothing in the cache.
    pub not_cached: usize,
    /// Items compared with neither go.sum nor the checksum database.
    pub unverified: usize,
    /// Items that could not be checked.
    pub error: usize,
}

/// The result of a verification command.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Results {
    /// `verify cache`, `verify sums`, `verify proxy`.
    pub command: &'static str,
    /// Every item, in a stable order (module path, version, kind).
    pub items: Vec<ItemResult>,
    /// Things true of the whole run (for example that the checksum database was not
    /// consulted, and why; what `--project` covers).
    pub notes: Vec<String>,
}

impl Results {
    /// Counts per status.
    pub fn counts(&self) -> Counts {
        let mut c = Counts {
            total: self.items.len(),
            ..Counts::default()
        };
        for i in &self.items {
            *match i.status {
                VerifyStatus::Verified => &mut c.verified,
                VerifyStatus::Mismatch => &mut c.mismatch,
                VerifyStatus::Missing => &mut c.missing,
                VerifyStatus::Leftover => &mut c.leftover,
                VerifyStatus::Writable => &mut c.writable,
                VerifyStatus::NotCached => &mut c.not_cached,
                VerifyStatus::Unverified => &mut c.unverified,
                VerifyStatus::Error => &mut c.error,
            } += 1;
        }
        c
    }

    /// Whether the verification failed: some item is a mismatch, missing or an error.
    pub fn failed(&self) -> bool {
        self.items.iter().any(|i| i.status.is_failure())
    }

    /// The findings of the run before any policy ([`cache::output::findings`]).
    pub fn to_report(&self) -> Report {
        Report::new(cache::output::findings(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worst_status_wins_and_failures() {
        use VerifyStatus::*;
        assert_eq!(Verified.worst(Writable), Writable);
        assert_eq!(Mismatch.worst(Missing), Mismatch);
        assert_eq!(Leftover.worst(Verified), Leftover);
        assert!(Mismatch.is_failure() && Missing.is_failure() && Error.is_failure());
        assert!(!Writable.is_failure() && !Leftover.is_failure() && !NotCached.is_failure());
        assert_eq!(serde_json::to_string(&NotCached).unwrap(), "\"not_cached\"");
    }
}
