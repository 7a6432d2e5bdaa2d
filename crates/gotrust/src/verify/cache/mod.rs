//! `gotrust verify cache`: the local module cache against its own hashes, go.sum and the
//! checksum database. Mirrors and extends cmd/go's `go mod verify`
//! (`src/cmd/go/internal/modcmd/verify.go`) over the cache layout of
//! `src/cmd/go/internal/modfetch/cache.go` and `fetch.go`.
//!
//! What is checked, per module version found:
//! * the zip (`cache/download/P/@v/V.zip`): a valid module zip whose `h1:` equals the
//!   `.ziphash` (what `go mod verify` checks), the go.sum line and the database;
//! * the `.mod` file against the go.sum `/go.mod` line and the database;
//! * a `.ziphash` whose zip is gone, against go.sum;
//! * the extracted tree (`P@V/`): its `h1:` against the `.ziphash` (and go.sum); on a
//!   mismatch, every file is compared with the zip's entries to name the modified, added and
//!   missing files; symbolic links and special files are named without being opened; write
//!   bits are reported unless `-modcacherw` is in effect (go makes the tree read-only);
//! * leftovers: `V.partial` (an interrupted extraction, whose tree is then not judged, as go
//!   re-extracts it), `*.tmp` files of interrupted downloads, and `V.lock` files with nothing
//!   else of that version (go keeps `V.lock` after every successful download, so a lock beside
//!   a zip or a tree is normal and not reported).
//!
//! `--project DIR` limits the check to that project's modules: its go.mod `require`s (and the
//! module versions they are replaced with) plus every module version named in its go.sum.
//! This is a superset of what `go mod verify` covers when go.sum is tidy; the full module
//! graph is not walked (that would need go's MVS over every `.mod`).
//!
//! Every byte is read once when the cache is clean: each zip is checked and hashed in one
//! streaming pass ([`gomod::modzip::check_and_hash_zip_with`]) while every entry is compared
//! byte for byte with the tree's file of the same name; a tree holding exactly the zip's files
//! has the zip's `h1:` and is not hashed again. A tree that differs in any way, or has no zip
//! beside it, is hashed file by file, and compared with the zip's per-entry digests to name
//! the changed files (only then is the zip read a second time). Work runs in parallel across
//! modules, largest first, and across the files of a tree hashed alone (rayon). Memory does
//! not grow with file sizes: everything is streamed with fixed buffers.
//! Nothing is written: files are opened read-only and no lock is taken.
//!
//! The checksum database: every zip, `.ziphash` and `.mod` item carries a
//! [`Reference::Sumdb`] check. Its answers are looked up before the walk
//! ([`module_versions`], then [`DatabaseAnswers::fetch`], concurrently on the async runtime)
//! and handed to the walk as a map, so hashing never blocks the runtime and no lookup waits
//! on hashing. A database hash that differs is a mismatch even when go.sum and `.ziphash`
//! agree with the cache (all three replaced consistently); an answer that does not verify,
//! or no answer, makes the item an error. Not consulted (with the reason): `--offline`
//! without cached data, a private path per GONOSUMDB (never sent), GOSUMDB=off.
//!
//! Submodules, one job each: `layout` (the cache's files and the walk), `database` (the
//! checksum database's answers), `tree` (extracted trees against zips), `check` (the
//! verdict and findings of each unit of work).

mod check;
mod database;
mod layout;
pub mod output;
mod tree;

use std::collections::BTreeSet;
use std::io;
use std::path::{Path, PathBuf};

use gomod::{gosum, modfile};
use rayon::prelude::*;

use self::check::{Ctx, Unit, UnitKind};
pub use self::database::{Database, DatabaseAnswers, DatabaseLookup, LookupFailure};
use self::layout::{Collected, collect};
use super::{ItemResult, Outcome, Reference, Results, VerifyStatus};

/// What to verify.
#[derive(Debug, Clone)]
pub struct CacheOptions<'a> {
    /// The module cache (GOMODCACHE).
    pub modcache: PathBuf,
    /// Limit the check to this project's modules (its go.mod and go.sum).
    pub project: Option<PathBuf>,
    /// Database use.
    pub database: Database<'a>,
    /// Effective GOSUMDB (`off` disables database checks for every module).
    pub gosumdb: String,
    /// Effective GONOSUMDB (inherits GOPRIVATE): these paths are never sent to the database.
    pub gonosumdb: String,
    /// `-modcacherw` is in effect: writable trees are expected and not reported.
    pub modcacherw: bool,
}

impl CacheOptions<'_> {
    /// Options for `modcache` with the database offline and nothing private.
    pub fn new(modcache: impl Into<PathBuf>) -> Self {
        CacheOptions {
            modcache: modcache.into(),
            project: None,
            database: Database::Offline,
            gosumdb: String::new(),
            gonosumdb: String::new(),
            modcacherw: false,
        }
    }
}

/// Receives progress: the number of work units, then one call per unit done.
/// Implementations must be cheap and thread-safe (units finish on worker threads).
pub trait Progress: Sync {
    /// The number of units (zips, trees, `.mod` files) about to be checked.
    fn start(&self, units: u64);
    /// One unit is done.
    fn advance(&self);
}

/// A [`Progress`] that ignores everything.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _units: u64) {}
    fn advance(&self) {}
}

/// Why the verification could not run at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CacheError {
    /// The module cache is not a directory.
    #[error("module cache {} is not a directory", .0.display())]
    NotADirectory(PathBuf),
    /// The directory has no `cache/download`: not a module cache (go creates it on its
    /// first download, `modfetch.downloadZip`).
    #[error("{} is not a Go module cache: it has no cache/download directory (go creates one on its first download); pass the GOMODCACHE directory", .0.display())]
    NotAModuleCache(PathBuf),
    /// A file or directory could not be read.
    #[error("{}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: io::Error,
    },
    /// The project's go.mod does not parse.
    #[error("{}: {errors}", path.display())]
    GoMod {
        /// The go.mod file.
        path: PathBuf,
        /// The parse errors.
        errors: modfile::ModFileErrors,
    },
    /// The project's go.sum does not parse.
    #[error(transparent)]
    GoSum(#[from] gosum::GoSumError),
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> CacheError + '_ {
    move |source| CacheError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The module versions whose zip, `.ziphash` or `.mod` is in the cache (within `--project`
/// when given): the ones [`verify_cache`] compares with the database. Only directories are
/// listed; nothing is hashed. For looking the database up before the walk
/// ([`DatabaseAnswers::fetch`]).
pub fn module_versions(opts: &CacheOptions<'_>) -> Result<BTreeSet<(String, String)>, CacheError> {
    let c = collect(opts)?;
    Ok(c.entries
        .into_iter()
        .filter(|(_, e)| e.zip || e.ziphash || e.modfile)
        .map(|(k, _)| k)
        .collect())
}

/// Verifies the module cache. Never writes to it.
pub fn verify_cache(
    opts: &CacheOptions<'_>,
    progress: &dyn Progress,
) -> Result<Results, CacheError> {
    let Collected {
        entries,
        mut items,
        sum,
        mut notes,
    } = collect(opts)?;
    notes.push(database::database_note(opts));
    let mut results = Results {
        command: "verify cache",
        notes,
        ..Results::default()
    };

    let units: Vec<Unit> = entries
        .iter()
        .flat_map(|((m, v), e)| {
            let mut u = Vec::new();
            if e.modfile {
                u.push(UnitKind::Mod);
            }
            let tree = e.dir.is_some() && !e.partial;
            match (e.zip, tree) {
                (true, true) => u.push(UnitKind::ZipAndDir),
                (true, false) => u.push(UnitKind::Zip),
                (false, _) if e.ziphash => u.push(UnitKind::Ziphash),
                (false, _) => {}
            }
            if tree && !e.zip {
                u.push(UnitKind::Dir);
            }
            u.into_iter().map(move |kind| (kind, m, v, e))
        })
        .map(|(kind, m, v, e)| Unit {
            kind,
            module: m.clone(),
            version: v.clone(),
            entry: e,
        })
        .collect();
    progress.start(units.len() as u64);
    let ctx = Ctx {
        opts,
        sum: sum.as_ref(),
    };
    // Largest first, each worker taking the next unit when it is free: a zip is read by one
    // thread, and a big module started last would leave the other cores idle meanwhile.
    let mut order: Vec<(u64, &Unit)> = units.iter().map(|u| (u.weight(), u)).collect();
    order.sort_by_key(|(w, _)| std::cmp::Reverse(*w));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let done: Vec<Vec<ItemResult>> = (0..rayon::current_num_threads())
        .into_par_iter()
        .map(|_| {
            let mut out = Vec::new();
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some((_, u)) = order.get(i) else {
                    break out;
                };
                out.extend(ctx.run(u));
                progress.advance();
            }
        })
        .collect();
    items.extend(done.into_iter().flatten());
    // "verified" means compared with go.sum or the checksum database (as `go mod verify`
    // compares with go.sum, modcmd/verify.go); agreeing with the cache's own .ziphash only
    // is not a verification.
    for item in &mut items {
        let compared = item.checks.iter().any(|c| {
            matches!(c.against, Reference::GoSum | Reference::Sumdb) && c.outcome == Outcome::Match
        });
        if item.status == VerifyStatus::Verified && !compared {
            item.status = VerifyStatus::Unverified;
            item.message
                .push_str("; compared with neither go.sum nor the checksum database");
        }
    }
    items.sort_by(|a, b| {
        (&a.module, &a.version, a.kind, &a.path).cmp(&(&b.module, &b.version, b.kind, &b.path))
    });
    results.items = items;
    Ok(results)
}
