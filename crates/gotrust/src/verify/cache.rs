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

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use gomod::dirhash;
use gomod::gosum::{self, GoSum};
use gomod::modfile;
use gomod::module;
use gomod::modzip::{self, ZipError};
use gomod::pattern;
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::sums::{ErrorClass, LookupOutcome};
use super::{
    Change, Check, FileChange, ItemKind, ItemResult, Outcome, Reference, Results, VerifyStatus,
};
use crate::report::Location;

/// Largest `.ziphash` read (a valid one is 47 bytes; go trims white space).
const MAX_ZIPHASH: u64 = 4096;
/// Read buffer for hashing files of extracted trees.
const BUF_SIZE: usize = 256 << 10;

/// Looks module versions up in the checksum database. [`DatabaseAnswers`] implements it with
/// answers obtained beforehand from the verified client (inclusion proofs against a signed,
/// consistent tree head), so the parallel walk never waits on the network; tests implement it
/// with a map.
pub trait DatabaseLookup: Sync {
    /// The go.sum lines the database holds for `path` at `version` (both the zip line and
    /// the `/go.mod` line), already proven; or why they could not be obtained.
    fn lookup(&self, path: &str, version: &str) -> Result<Vec<String>, LookupFailure>;
}

/// Why the database gave no lines for a module version.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LookupFailure {
    /// The database has no record (404/410); the server's reason.
    NotFound(String),
    /// `--offline` and no cache holds the record or a tile its proof needs.
    NotCached(String),
    /// The database's answer did not verify (bad signature, fork, unproven record): the
    /// item fails.
    Verification(String),
    /// No answer (network error, timeout): the item gets no database verdict and fails.
    Unavailable(String),
}

/// Database answers looked up before the cache walk, keyed by module path and version (the
/// zip and `/go.mod` lines together).
#[derive(Debug, Default, Clone)]
pub struct DatabaseAnswers {
    answers: HashMap<(String, String), Result<Vec<String>, LookupFailure>>,
}

impl DatabaseAnswers {
    /// Looks up every version of `versions` whose path is not private (per the database's
    /// GONOSUMDB, never sent), both the zip and the `/go.mod` key, with at most `concurrency`
    /// lookups in flight. Private paths get no answer (the walk never asks for them).
    pub async fn fetch(
        db: &super::sums::Database,
        versions: &BTreeSet<(String, String)>,
        concurrency: usize,
    ) -> DatabaseAnswers {
        let mut keys = Vec::new();
        for (m, v) in versions {
            if db.private_pattern(m).is_none() {
                keys.push((m.clone(), v.clone()));
                keys.push((m.clone(), format!("{v}/go.mod")));
            }
        }
        let out = super::sums::lookup_all(&db.client, keys, concurrency).await;
        let mut answers: HashMap<(String, String), Result<Vec<String>, LookupFailure>> =
            HashMap::new();
        // Bare keys first, so a failure of either key is what the version keeps.
        let mut sorted: Vec<_> = out.into_iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        for ((m, v), o) in sorted {
            let bare = v.strip_suffix("/go.mod").unwrap_or(&v).to_owned();
            let got = match o {
                LookupOutcome::Found { lines, .. } => Ok(lines),
                LookupOutcome::NotFound { status, reason } => {
                    Err(LookupFailure::NotFound(format!("{status}: {reason}")))
                }
                LookupOutcome::NotCached { what } => Err(LookupFailure::NotCached(what)),
                LookupOutcome::Failed {
                    class: ErrorClass::Verification,
                    message,
                    ..
                } => Err(LookupFailure::Verification(message)),
                LookupOutcome::Failed { message, .. } => Err(LookupFailure::Unavailable(message)),
            };
            match (answers.get_mut(&(m.clone(), bare.clone())), got) {
                (Some(Ok(have)), Ok(lines)) => have.extend(lines),
                (Some(Err(_)), _) => {}
                (_, got) => {
                    answers.insert((m, bare), got);
                }
            }
        }
        DatabaseAnswers { answers }
    }

    /// How many module versions have an answer.
    pub fn len(&self) -> usize {
        self.answers.len()
    }

    /// Whether no module version has an answer.
    pub fn is_empty(&self) -> bool {
        self.answers.is_empty()
    }
}

impl DatabaseLookup for DatabaseAnswers {
    fn lookup(&self, path: &str, version: &str) -> Result<Vec<String>, LookupFailure> {
        self.answers
            .get(&(path.to_owned(), version.to_owned()))
            .cloned()
            .unwrap_or_else(|| {
                Err(LookupFailure::Unavailable(
                    "no answer was looked up for this module version".to_owned(),
                ))
            })
    }
}

/// How the checksum database is (not) used.
#[derive(Clone, Copy)]
#[non_exhaustive]
pub enum Database<'a> {
    /// `--offline`: the database is never contacted.
    Offline,
    /// No database client is available.
    Unavailable,
    /// Look every public module version up (private paths per GONOSUMDB are never sent;
    /// nothing is sent when GOSUMDB=off).
    Lookup(&'a dyn DatabaseLookup),
    /// `--offline` with answers from cached, verified database data only (gotrust's and go's
    /// caches, proven against the stored signed tree head); versions no cache holds are not
    /// consulted.
    OfflineCache(&'a dyn DatabaseLookup),
}

impl std::fmt::Debug for Database<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Database::Offline => "Offline",
            Database::Unavailable => "Unavailable",
            Database::Lookup(_) => "Lookup",
            Database::OfflineCache(_) => "OfflineCache",
        })
    }
}

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

/// What the cache holds for one module version.
#[derive(Debug, Default)]
struct Entry {
    /// `cache/download/ESCPATH/@v`, when it exists.
    vdir: Option<PathBuf>,
    /// Escaped version (file stem in `@v`).
    escver: String,
    zip: bool,
    ziphash: bool,
    modfile: bool,
    partial: bool,
    lock: bool,
    /// The extracted tree, when it exists.
    dir: Option<PathBuf>,
}

/// The project's go.sum, with its path for locations.
struct SumRef {
    path: PathBuf,
    sum: GoSum,
}

/// What the walk found before any hashing.
struct Collected {
    entries: BTreeMap<(String, String), Entry>,
    items: Vec<ItemResult>,
    sum: Option<SumRef>,
    notes: Vec<String>,
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

fn collect(opts: &CacheOptions<'_>) -> Result<Collected, CacheError> {
    let meta = fs::metadata(&opts.modcache).map_err(io_err(&opts.modcache))?;
    if !meta.is_dir() {
        return Err(CacheError::NotADirectory(opts.modcache.clone()));
    }
    let download = opts.modcache.join("cache").join("download");
    if !fs::symlink_metadata(&download).is_ok_and(|m| m.is_dir()) {
        return Err(CacheError::NotAModuleCache(opts.modcache.clone()));
    }
    let mut entries: BTreeMap<(String, String), Entry> = BTreeMap::new();
    let mut items = Vec::new();
    let mut notes = Vec::new();
    scan_download(opts, &mut entries, &mut items)?;
    scan_trees(opts, &mut entries, &mut items)?;

    let mut sum = None;
    if let Some(project) = &opts.project {
        let (wanted, s) = project_modules(project)?;
        notes.push(format!(
            "--project {}: {} module versions (go.mod requires and their replacements, and every go.sum line); the module graph is not walked",
            project.display(),
            wanted.len()
        ));
        entries.retain(|k, _| wanted.contains(k));
        items.retain(|i: &ItemResult| match (&i.module, &i.version) {
            (Some(m), Some(v)) => wanted.contains(&(m.clone(), v.clone())),
            _ => false,
        });
        for (m, v) in wanted {
            if !entries.contains_key(&(m.clone(), v.clone())) {
                let mut item = ItemResult::new(
                    ItemKind::Module,
                    VerifyStatus::NotCached,
                    "nothing in the module cache",
                );
                item.module = Some(m);
                item.version = Some(v);
                items.push(item);
            }
        }
        sum = s;
    } else {
        notes.push("go.sum not consulted (no --project given)".to_owned());
    }
    Ok(Collected {
        entries,
        items,
        sum,
        notes,
    })
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
    notes.push(database_note(opts));
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

fn database_note(opts: &CacheOptions<'_>) -> String {
    if opts.gosumdb == "off" {
        return "checksum database not consulted (GOSUMDB=off)".to_owned();
    }
    match opts.database {
        Database::Offline => {
            "checksum database not consulted (--offline): hashes were compared with the cache's .ziphash files and go.sum only".to_owned()
        }
        Database::Unavailable => {
            "checksum database not consulted (no checksum-database client): hashes were compared with the cache's .ziphash files and go.sum only".to_owned()
        }
        Database::OfflineCache(_) => {
            "--offline: checksum database answers come only from cached data (gotrust's and go's sumdb caches), each proven against the stored signed tree head; versions not cached are marked not consulted".to_owned()
        }
        Database::Lookup(_) => {
            "checksum database consulted for every module version outside GONOSUMDB/GOPRIVATE (verified lookups)".to_owned()
        }
    }
}

/// Splits `STEM.EXT` for the extensions the download cache uses.
fn split_cache_name(name: &str) -> Option<(&str, &str)> {
    for ext in ["ziphash", "zip", "mod", "info", "lock", "partial"] {
        if let Some(stem) = name
            .strip_suffix(ext)
            .and_then(|s| s.strip_suffix('.'))
            .filter(|s| !s.is_empty())
        {
            return Some((stem, ext));
        }
    }
    None
}

fn leftover(
    path: PathBuf,
    module: Option<String>,
    version: Option<String>,
    why: &str,
) -> ItemResult {
    let mut item = ItemResult::new(ItemKind::Leftover, VerifyStatus::Leftover, why);
    item.module = module;
    item.version = version;
    item.path = Some(path);
    item
}

/// A symbolic link or special file where go writes only directories and regular files: named
/// as a finding, never followed or opened (a FIFO would block the walk, a link could point at
/// any file of the system).
fn unexpected_file(path: PathBuf, kind: ItemKind, ft: fs::FileType) -> ItemResult {
    let why = if ft.is_symlink() {
        "symbolic link in the module cache (go never writes one): not followed"
    } else {
        "not a regular file (FIFO, socket or device) in the module cache: skipped without opening it"
    };
    let mut item = ItemResult::new(kind, VerifyStatus::Error, why);
    item.path = Some(path);
    item
}

/// Walks `cache/download` for `@v` directories (skipping `sumdb`, the database's own cache).
fn scan_download(
    opts: &CacheOptions<'_>,
    entries: &mut BTreeMap<(String, String), Entry>,
    items: &mut Vec<ItemResult>,
) -> Result<(), CacheError> {
    let root = opts.modcache.join("cache").join("download");
    if !root.is_dir() {
        return Ok(());
    }
    let mut stack = vec![(root.clone(), String::new())];
    while let Some((dir, rel)) = stack.pop() {
        let mut names = Vec::new();
        for ent in fs::read_dir(&dir).map_err(io_err(&dir))? {
            let ent = ent.map_err(io_err(&dir))?;
            let ft = ent.file_type().map_err(io_err(&ent.path()))?;
            names.push((ent.file_name(), ft));
        }
        for (name, ft) in names {
            let Some(name) = name.to_str() else { continue };
            if ft.is_symlink() {
                items.push(unexpected_file(dir.join(name), ItemKind::Leftover, ft));
                continue;
            }
            if !ft.is_dir() {
                continue;
            }
            if rel.is_empty() && name == "sumdb" {
                continue;
            }
            if name == "@v" {
                scan_versions(&dir.join("@v"), &rel, entries, items)?;
            } else {
                let r = if rel.is_empty() {
                    name.to_owned()
                } else {
                    format!("{rel}/{name}")
                };
                stack.push((dir.join(name), r));
            }
        }
    }
    Ok(())
}

fn scan_versions(
    vdir: &Path,
    escpath: &str,
    entries: &mut BTreeMap<(String, String), Entry>,
    items: &mut Vec<ItemResult>,
) -> Result<(), CacheError> {
    let module = module::unescape_path(escpath).ok();
    for ent in fs::read_dir(vdir).map_err(io_err(vdir))? {
        let ent = ent.map_err(io_err(vdir))?;
        let ft = ent.file_type().map_err(io_err(&ent.path()))?;
        let Some(name) = ent.file_name().to_str().map(str::to_owned) else {
            continue;
        };
        if !ft.is_file() && !ft.is_dir() {
            let kind = match split_cache_name(&name) {
                Some((_, "zip")) => ItemKind::Zip,
                Some((_, "mod")) => ItemKind::Mod,
                Some((_, "ziphash")) => ItemKind::Ziphash,
                _ => ItemKind::Leftover,
            };
            let mut item = unexpected_file(ent.path(), kind, ft);
            item.module = module.clone();
            item.version =
                split_cache_name(&name).and_then(|(stem, _)| module::unescape_version(stem).ok());
            items.push(item);
            continue;
        }
        if name.ends_with(".tmp") {
            // fetch.go's tempFile names: `V.zip<random>.tmp`; renameio: `V.info<random>.tmp`.
            let version = name
                .split_once(".zip")
                .or_else(|| name.split_once(".mod"))
                .or_else(|| name.split_once(".info"))
                .and_then(|(s, _)| module::unescape_version(s).ok());
            items.push(leftover(
                ent.path(),
                module.clone(),
                version,
                "temporary file of an interrupted download",
            ));
            continue;
        }
        let Some((stem, ext)) = split_cache_name(&name) else {
            continue;
        };
        let Some(module) = &module else {
            let mut item = ItemResult::new(
                ItemKind::Leftover,
                VerifyStatus::Error,
                format!("{escpath:?} is not a valid escaped module path"),
            );
            item.path = Some(ent.path());
            items.push(item);
            continue;
        };
        let Ok(version) = module::unescape_version(stem) else {
            continue;
        };
        let e = entries.entry((module.clone(), version)).or_default();
        e.vdir = Some(vdir.to_path_buf());
        e.escver = stem.to_owned();
        match ext {
            "zip" => e.zip = true,
            "ziphash" => e.ziphash = true,
            "mod" => e.modfile = true,
            "partial" => e.partial = true,
            "lock" => e.lock = true,
            _ => {}
        }
    }
    Ok(())
}

/// Walks the cache outside `cache/` for extracted trees (`ESCPATH@ESCVER`), and attaches
/// them to entries; partial files and orphan locks become leftover items.
fn scan_trees(
    opts: &CacheOptions<'_>,
    entries: &mut BTreeMap<(String, String), Entry>,
    items: &mut Vec<ItemResult>,
) -> Result<(), CacheError> {
    let mut stack = vec![(opts.modcache.clone(), String::new())];
    while let Some((dir, rel)) = stack.pop() {
        for ent in fs::read_dir(&dir).map_err(io_err(&dir))? {
            let ent = ent.map_err(io_err(&dir))?;
            let ft = ent.file_type().map_err(io_err(&ent.path()))?;
            let Some(name) = ent.file_name().to_str().map(str::to_owned) else {
                continue;
            };
            if ft.is_symlink() {
                items.push(unexpected_file(ent.path(), ItemKind::Dir, ft));
                continue;
            }
            if !ft.is_dir() || (rel.is_empty() && name == "cache") {
                continue;
            }
            // Module path elements cannot contain '@', so the first one splits path and version.
            if let Some((last, escver)) = name.split_once('@') {
                let escpath = if rel.is_empty() {
                    last.to_owned()
                } else {
                    format!("{rel}/{last}")
                };
                let (Ok(m), Ok(v)) = (
                    module::unescape_path(&escpath),
                    module::unescape_version(escver),
                ) else {
                    continue;
                };
                let e = entries.entry((m, v)).or_default();
                if e.escver.is_empty() {
                    e.escver = escver.to_owned();
                }
                e.dir = Some(ent.path());
            } else {
                let r = if rel.is_empty() {
                    name
                } else {
                    format!("{rel}/{name}")
                };
                stack.push((ent.path(), r));
            }
        }
    }
    for ((m, v), e) in entries.iter() {
        let Some(vdir) = &e.vdir else { continue };
        if e.partial {
            items.push(leftover(
                vdir.join(format!("{}.partial", e.escver)),
                Some(m.clone()),
                Some(v.clone()),
                "extraction was interrupted; go re-extracts this module on next use, so its tree was not judged",
            ));
        }
        if e.lock && !e.zip && !e.ziphash && e.dir.is_none() {
            items.push(leftover(
                vdir.join(format!("{}.lock", e.escver)),
                Some(m.clone()),
                Some(v.clone()),
                "lock file with no zip, .ziphash or extracted tree: an interrupted download",
            ));
        }
    }
    Ok(())
}

/// The module versions of a project: go.mod requires (and their replacements), go.sum keys.
#[allow(clippy::type_complexity)]
fn project_modules(
    project: &Path,
) -> Result<(BTreeSet<(String, String)>, Option<SumRef>), CacheError> {
    let mut wanted = BTreeSet::new();
    let gomod = project.join("go.mod");
    let data = fs::read(&gomod).map_err(io_err(&gomod))?;
    let mf =
        modfile::parse(&gomod.to_string_lossy(), &data).map_err(|errors| CacheError::GoMod {
            path: gomod.clone(),
            errors,
        })?;
    for r in &mf.require {
        let replaced = mf.replace.iter().find(|rep| {
            rep.old_path == r.path && rep.old_version.as_ref().is_none_or(|v| *v == r.version)
        });
        match replaced {
            // A directory replacement has nothing in the cache.
            Some(rep) => {
                if let Some(v) = &rep.new_version {
                    wanted.insert((rep.new_path.clone(), v.clone()));
                }
            }
            None => {
                wanted.insert((r.path.clone(), r.version.clone()));
            }
        }
    }
    let sum_path = project.join("go.sum");
    let sum = match fs::read(&sum_path) {
        Ok(data) => {
            let sum = gosum::parse(&sum_path.to_string_lossy(), &data)?;
            for l in &sum.lines {
                wanted.insert((l.module.clone(), l.version.clone()));
            }
            Some(SumRef {
                path: sum_path,
                sum,
            })
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(io_err(&sum_path)(e)),
    };
    Ok((wanted, sum))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UnitKind {
    Mod,
    Zip,
    Ziphash,
    Dir,
    /// A zip and its extracted tree, checked in one pass over the zip.
    ZipAndDir,
}

struct Unit<'a> {
    kind: UnitKind,
    module: String,
    version: String,
    entry: &'a Entry,
}

impl Unit<'_> {
    /// A guess at the unit's work, for scheduling only: the zip's size on disk. A tree
    /// without its zip is hashed file by file in parallel, so it goes first too.
    fn weight(&self) -> u64 {
        let e = self.entry;
        let zip_len = || {
            e.vdir
                .as_ref()
                .and_then(|d| fs::metadata(d.join(format!("{}.zip", e.escver))).ok())
                .map_or(0, |m| m.len())
        };
        match self.kind {
            UnitKind::Zip | UnitKind::ZipAndDir => zip_len(),
            UnitKind::Dir => u64::MAX,
            UnitKind::Mod | UnitKind::Ziphash => 0,
        }
    }
}

struct Ctx<'a> {
    opts: &'a CacheOptions<'a>,
    sum: Option<&'a SumRef>,
}

/// Why a `.ziphash` gave no hash.
enum ZiphashError {
    /// It could not be read.
    Unreadable(io::Error),
    /// It was read but holds no `h1:` hash (garbage, binary, truncated).
    Undecodable(String),
}

/// Reads a `.ziphash`: only a regular file (never a link or a FIFO), bounded, white space
/// trimmed as go does (`modfetch.checkMod` reads it with `strings.TrimSpace`), and it must
/// hold an `h1:` hash of 32 bytes.
fn read_ziphash(path: &Path) -> Result<String, ZiphashError> {
    let meta = fs::symlink_metadata(path).map_err(ZiphashError::Unreadable)?;
    if !meta.is_file() {
        return Err(ZiphashError::Undecodable(
            "not a regular file (not opened)".to_owned(),
        ));
    }
    let mut data = Vec::new();
    File::open(path)
        .and_then(|f| f.take(MAX_ZIPHASH).read_to_end(&mut data))
        .map_err(ZiphashError::Unreadable)?;
    let text = std::str::from_utf8(&data)
        .map_err(|_| ZiphashError::Undecodable("not UTF-8 text".to_owned()))?
        .trim();
    let valid = text.strip_prefix("h1:").is_some_and(|b64| {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD
            .decode(b64)
            .is_ok_and(|d| d.len() == 32)
    });
    if !valid {
        return Err(ZiphashError::Undecodable(format!(
            "holds {:?}, not an h1: hash",
            crate::redact::escape_controls(&text.chars().take(60).collect::<String>())
        )));
    }
    Ok(text.to_owned())
}

impl Ctx<'_> {
    fn run(&self, u: &Unit<'_>) -> Vec<ItemResult> {
        let e = u.entry;
        let vdir = e.vdir.as_deref();
        let file = |ext: &str| vdir.map(|d| d.join(format!("{}.{ext}", e.escver)));
        let dir = e.dir.as_deref().unwrap_or(Path::new(""));
        let ziphash = file("ziphash").filter(|_| e.ziphash);
        let mut items = match u.kind {
            UnitKind::Mod => vec![self.check_mod(u, &file("mod").unwrap_or_default())],
            UnitKind::Zip => vec![self.check_zip(
                u,
                &file("zip").unwrap_or_default(),
                file("ziphash"),
                &mut (),
            )],
            UnitKind::Ziphash => vec![self.check_ziphash(u, &file("ziphash").unwrap_or_default())],
            UnitKind::Dir => vec![self.check_dir(u, dir, ziphash, None)],
            UnitKind::ZipAndDir => {
                let zip = file("zip").unwrap_or_default();
                self.check_zip_and_dir(u, &zip, file("ziphash"), dir, ziphash)
            }
        };
        for item in &mut items {
            item.module = Some(u.module.clone());
            item.version = Some(u.version.clone());
        }
        items
    }

    /// The zip and its extracted tree in one pass: while the zip is hashed, every entry is
    /// compared byte for byte with the tree's file of the same name. When the tree holds
    /// exactly the zip's files with the zip's content, its `h1:` is the zip's (dirhash sums
    /// the same names and contents), so the tree is judged without hashing it: that halves
    /// the SHA-256 work of `go mod verify`, which hashes both. Anything else (a difference,
    /// a directory entry in the zip, a symbolic link in the tree, a zip that fails) falls back
    /// to hashing the tree file by file, exactly as [`Self::check_dir`] always does.
    fn check_zip_and_dir(
        &self,
        u: &Unit<'_>,
        zip: &Path,
        zip_ziphash: Option<PathBuf>,
        dir: &Path,
        dir_ziphash: Option<PathBuf>,
    ) -> Vec<ItemResult> {
        let listing = match walk_tree(dir) {
            Ok(l) => l,
            Err(_) => {
                // check_dir reports the error on the tree.
                let z = self.check_zip(u, zip, zip_ziphash, &mut ());
                return vec![
                    z,
                    self.check_dir(u, dir, dir_ziphash, Some(zip.to_path_buf())),
                ];
            }
        };
        let prefix = format!("{}@{}/", u.module, u.version);
        let mut cmp = TreeComparer::new(&listing, prefix.as_bytes());
        let z = self.check_zip(u, zip, zip_ziphash, &mut cmp);
        let d = match (&z.hash, cmp.identical()) {
            (Some(h), true) => self.judge_dir(
                u,
                dir,
                Tree {
                    files: Vec::new(),
                    not_regular: Vec::new(),
                    writable: listing.writable,
                },
                TreeHash::SameAsZip(h.clone()),
                dir_ziphash,
                None,
            ),
            _ => self.check_dir(u, dir, dir_ziphash, Some(zip.to_path_buf())),
        };
        vec![z, d]
    }

    /// Compares `hash` with the go.sum lines of the key, if a go.sum was given.
    fn go_sum_check(&self, module: &str, version: &str, go_mod: bool, hash: &str) -> Option<Check> {
        let s = self.sum?;
        let lines: Vec<_> = s
            .sum
            .lookup(module, version, go_mod)
            .filter(|l| l.hash.starts_with("h1:"))
            .collect();
        let at = |line: usize| Location {
            path: s.path.clone(),
            line: u32::try_from(line).ok(),
        };
        Some(match lines.iter().find(|l| l.hash == hash) {
            Some(l) => Check {
                expected: Some(l.hash.clone()),
                location: Some(at(l.line)),
                ..Check::new(Reference::GoSum, Outcome::Match)
            },
            None => match lines.first() {
                Some(l) => Check {
                    expected: Some(l.hash.clone()),
                    location: Some(at(l.line)),
                    ..Check::new(Reference::GoSum, Outcome::Mismatch)
                },
                None => Check {
                    note: Some("go.sum has no h1: line for it".to_owned()),
                    ..Check::new(Reference::GoSum, Outcome::Absent)
                },
            },
        })
    }

    /// Compares `hash` with the database's line for the key (as `sumdb.Client.Lookup` in
    /// golang.org/x/mod/sumdb/client.go: a line with another `h1:` is a mismatch; no `h1:`
    /// line for the key is not an error).
    ///
    /// The second value is set when the database could not give a verdict in a way that fails
    /// the item (an answer that did not verify, or no answer): the message to report.
    fn sumdb_check(
        &self,
        module: &str,
        version: &str,
        go_mod: bool,
        hash: &str,
    ) -> (Check, Option<String>) {
        let why = if self.opts.gosumdb == "off" {
            "GOSUMDB=off".to_owned()
        } else if pattern::match_prefix_patterns(&self.opts.gonosumdb, module) {
            "private path (matches GONOSUMDB/GOPRIVATE): never sent to the database".to_owned()
        } else {
            match self.opts.database {
                Database::Offline => "--offline".to_owned(),
                Database::Unavailable => "no checksum-database client".to_owned(),
                Database::Lookup(db) | Database::OfflineCache(db) => {
                    return database_check(db, module, version, go_mod, hash);
                }
            }
        };
        (Check::not_consulted(Reference::Sumdb, why), None)
    }

    fn check_mod(&self, u: &Unit<'_>, path: &Path) -> ItemResult {
        let mut item = ItemResult::new(ItemKind::Mod, VerifyStatus::Verified, "");
        item.path = Some(path.to_path_buf());
        let mut data = Vec::new();
        let read =
            File::open(path).and_then(|f| f.take(modzip::MAX_GO_MOD + 1).read_to_end(&mut data));
        if let Err(e) = read {
            item.status = VerifyStatus::Error;
            item.message = format!("cannot read: {e}");
            return item;
        }
        if data.len() as u64 > modzip::MAX_GO_MOD {
            item.status = VerifyStatus::Mismatch;
            item.message = format!(
                "larger than go's go.mod limit ({} bytes)",
                modzip::MAX_GO_MOD
            );
            return item;
        }
        let h = dirhash::hash_go_mod(&data);
        let sum = self.go_sum_check(&u.module, &u.version, true, &h);
        item.message = match &sum {
            Some(c) if c.outcome == Outcome::Mismatch => {
                item.status = VerifyStatus::Mismatch;
                format!(".mod has been modified: hash {h} differs from go.sum")
            }
            Some(c) if c.outcome == Outcome::Match => ".mod matches go.sum".to_owned(),
            _ => ".mod hashed; no go.sum line to compare with".to_owned(),
        };
        item.checks.extend(sum);
        let db = self.sumdb_check(&u.module, &u.version, true, &h);
        apply_db(
            &mut item,
            db,
            format!(".mod differs from the checksum database: hash {h}"),
        );
        item.hash = Some(h);
        item
    }

    fn check_zip(
        &self,
        u: &Unit<'_>,
        path: &Path,
        ziphash_path: Option<PathBuf>,
        visitor: &mut dyn modzip::EntryVisitor,
    ) -> ItemResult {
        let mut item = ItemResult::new(ItemKind::Zip, VerifyStatus::Verified, "");
        item.path = Some(path.to_path_buf());
        let hashed = File::open(path)
            .map_err(|source| ZipError::Io {
                path: path.display().to_string(),
                source,
            })
            .and_then(|f| {
                let mut r = modzip::SeekBufReader::with_capacity(BUF_SIZE, f);
                modzip::check_and_hash_zip_with(&mut r, &u.module, &u.version, visitor)
            });
        let h = match hashed {
            Ok((_, h)) => h,
            Err(ZipError::Io { source, .. }) => {
                item.status = VerifyStatus::Error;
                item.message = format!("cannot read: {source}");
                return item;
            }
            Err(e) => {
                // go checks every zip before it enters the cache: an invalid one was changed
                // after download.
                item.status = VerifyStatus::Mismatch;
                item.message = format!("zip has been modified: not a valid module zip: {e}");
                return item;
            }
        };
        let zh = ziphash_check(ziphash_path.as_deref(), &h);
        let sum = self.go_sum_check(&u.module, &u.version, false, &h);
        let zh_bad = zh.outcome == Outcome::Mismatch;
        let sum_bad = sum.as_ref().is_some_and(|c| c.outcome == Outcome::Mismatch);
        let sum_ok = sum.as_ref().is_some_and(|c| c.outcome == Outcome::Match);
        (item.status, item.message) = match (zh.outcome, zh_bad, sum_bad) {
            (_, true, false) if sum_ok => (
                VerifyStatus::Mismatch,
                ".ziphash has been modified: the zip matches go.sum but not its .ziphash"
                    .to_owned(),
            ),
            (_, true, _) | (_, _, true) => (
                VerifyStatus::Mismatch,
                format!("zip has been modified: hash {h}"),
            ),
            (Outcome::Absent, _, _) if zh.note.is_some() => {
                (VerifyStatus::Error, zh.note.clone().unwrap_or_default())
            }
            (Outcome::Absent, _, _) => (
                VerifyStatus::Missing,
                "missing ziphash (go mod verify fails on it)".to_owned(),
            ),
            _ if sum_ok => (
                VerifyStatus::Verified,
                "zip matches .ziphash and go.sum".to_owned(),
            ),
            _ => (VerifyStatus::Verified, "zip matches .ziphash".to_owned()),
        };
        item.checks.push(zh);
        item.checks.extend(sum);
        let db = self.sumdb_check(&u.module, &u.version, false, &h);
        apply_db(
            &mut item,
            db,
            format!("zip differs from the checksum database: hash {h}"),
        );
        item.hash = Some(h);
        item
    }

    fn check_ziphash(&self, u: &Unit<'_>, path: &Path) -> ItemResult {
        let mut item = ItemResult::new(ItemKind::Ziphash, VerifyStatus::Verified, "");
        item.path = Some(path.to_path_buf());
        let h = match read_ziphash(path) {
            Ok(h) => h,
            Err(ZiphashError::Unreadable(e)) => {
                item.status = VerifyStatus::Error;
                item.message = format!("unreadable .ziphash: {e}");
                return item;
            }
            Err(ZiphashError::Undecodable(why)) => {
                item.status = VerifyStatus::Error;
                item.message = format!("undecodable .ziphash: {why}");
                return item;
            }
        };
        let sum = self.go_sum_check(&u.module, &u.version, false, &h);
        item.message = match &sum {
            Some(c) if c.outcome == Outcome::Mismatch => {
                item.status = VerifyStatus::Mismatch;
                ".ziphash differs from go.sum (the zip is not in the cache)".to_owned()
            }
            Some(c) if c.outcome == Outcome::Match => {
                ".ziphash matches go.sum (the zip is not in the cache)".to_owned()
            }
            _ => "zip not in the cache; .ziphash not compared".to_owned(),
        };
        item.checks.extend(sum);
        let db = self.sumdb_check(&u.module, &u.version, false, &h);
        apply_db(
            &mut item,
            db,
            ".ziphash differs from the checksum database".to_owned(),
        );
        item.hash = Some(h);
        item
    }

    fn check_dir(
        &self,
        u: &Unit<'_>,
        dir: &Path,
        ziphash_path: Option<PathBuf>,
        zip_path: Option<PathBuf>,
    ) -> ItemResult {
        let tree = match hash_tree(dir) {
            Ok(t) => t,
            Err(e) => {
                let mut item = ItemResult::new(ItemKind::Dir, VerifyStatus::Error, "");
                item.path = Some(dir.to_path_buf());
                item.message = format!("cannot read: {e}");
                return item;
            }
        };
        self.judge_dir(u, dir, tree, TreeHash::Digests, ziphash_path, zip_path)
    }

    /// The verdict on a tree whose files were hashed (`Digests`: `tree.files`) or shown to
    /// equal the zip's entries (`SameAsZip`: the zip's `h1:`).
    fn judge_dir(
        &self,
        u: &Unit<'_>,
        dir: &Path,
        tree: Tree,
        how: TreeHash,
        ziphash_path: Option<PathBuf>,
        zip_path: Option<PathBuf>,
    ) -> ItemResult {
        let mut item = ItemResult::new(ItemKind::Dir, VerifyStatus::Verified, "");
        item.path = Some(dir.to_path_buf());
        let prefix = format!("{}@{}/", u.module, u.version);
        let writable: Vec<FileChange> = if self.opts.modcacherw {
            Vec::new()
        } else {
            tree.writable
                .iter()
                .map(|n| FileChange {
                    change: Change::Writable,
                    name: n.clone(),
                })
                .collect()
        };
        let not_regular: Vec<FileChange> = tree
            .not_regular
            .iter()
            .map(|n| FileChange {
                change: Change::NotRegular,
                name: n.clone(),
            })
            .collect();
        let same_as_zip = matches!(how, TreeHash::SameAsZip(_));
        let h = if let TreeHash::SameAsZip(h) = how {
            Some(h)
        } else if not_regular.is_empty() {
            let digests = tree
                .files
                .iter()
                .map(|(n, d)| {
                    let mut name = prefix.clone().into_bytes();
                    name.extend_from_slice(n.as_bytes());
                    (name, *d)
                })
                .collect();
            match dirhash::hash1_from_digests(digests) {
                Ok(h) => Some(h),
                Err(e) => {
                    item.status = VerifyStatus::Mismatch;
                    item.message = format!("tree has been modified: {e}");
                    return item;
                }
            }
        } else {
            None
        };
        let zh = match &h {
            Some(h) => ziphash_check(ziphash_path.as_deref(), h),
            None => ziphash_check(ziphash_path.as_deref(), ""),
        };
        let sum = h
            .as_ref()
            .and_then(|h| self.go_sum_check(&u.module, &u.version, false, h));
        let bad = !not_regular.is_empty()
            || zh.outcome == Outcome::Mismatch
            || sum.as_ref().is_some_and(|c| c.outcome == Outcome::Mismatch);
        if bad {
            item.status = VerifyStatus::Mismatch;
            let mut files = not_regular;
            match zip_path.as_deref().map(|z| zip_digests(z, &prefix)) {
                _ if same_as_zip => {
                    item.message =
                        "dir has been modified (its hash differs, yet every file matches the zip)"
                            .to_owned();
                }
                Some(Ok(zd)) => {
                    files.extend(diff(&tree.files, &zd));
                    item.message = if files.is_empty() {
                        "dir has been modified (its hash differs, yet every file matches the zip)"
                            .to_owned()
                    } else {
                        "dir has been modified".to_owned()
                    };
                }
                Some(Err(e)) => {
                    item.message =
                        format!("dir has been modified (files not named: cannot read the zip: {e})")
                }
                None => {
                    item.message =
                        "dir has been modified (files not named: the zip is not in the cache)"
                            .to_owned()
                }
            }
            item.files = files;
        } else if zh.outcome == Outcome::Absent && zh.note.is_some() {
            item.status = VerifyStatus::Error;
            item.message = zh.note.clone().unwrap_or_default();
        } else if zh.outcome == Outcome::Absent {
            item.status = VerifyStatus::Missing;
            item.message = "missing ziphash (go mod verify fails on it)".to_owned();
        } else if !writable.is_empty() {
            item.status = VerifyStatus::Writable;
            item.message = format!(
                "dir matches .ziphash but {} files or directories are writable (go makes them read-only)",
                writable.len()
            );
        } else {
            item.message = "dir matches .ziphash".to_owned();
        }
        item.files.extend(writable);
        item.checks.push(zh);
        item.checks.extend(sum);
        item.hash = h;
        item
    }
}

/// Records the database check on `item`: a mismatch makes it a mismatch with `mismatch`
/// as message (the database outranks go.sum and `.ziphash`: a consistent replacement of all
/// three is caught only here); a lookup that failed makes a verified item an error.
fn apply_db(item: &mut ItemResult, (check, failure): (Check, Option<String>), mismatch: String) {
    if check.outcome == Outcome::Mismatch {
        item.status = VerifyStatus::Mismatch;
        item.message = mismatch;
    } else if let Some(why) = failure
        && item.status.worst(VerifyStatus::Error) == VerifyStatus::Error
    {
        item.status = VerifyStatus::Error;
        item.message = format!("{} (checksum database: {why})", item.message);
    }
    item.checks.push(check);
}

fn database_check(
    db: &dyn DatabaseLookup,
    module: &str,
    version: &str,
    go_mod: bool,
    hash: &str,
) -> (Check, Option<String>) {
    let lines = match db.lookup(module, version) {
        Ok(l) => l,
        Err(LookupFailure::NotFound(reason)) => {
            return (
                Check {
                    note: Some(format!("not in the checksum database: {reason}")),
                    ..Check::new(Reference::Sumdb, Outcome::Absent)
                },
                None,
            );
        }
        Err(LookupFailure::NotCached(what)) => {
            return (
                Check::not_consulted(
                    Reference::Sumdb,
                    format!("not in the offline cache ({what})"),
                ),
                None,
            );
        }
        Err(LookupFailure::Verification(e)) => {
            let why = format!("answer did not verify: {e}");
            return (
                Check::not_consulted(Reference::Sumdb, why.clone()),
                Some(why),
            );
        }
        Err(LookupFailure::Unavailable(e)) => {
            let why = format!("lookup failed: {e}");
            return (
                Check::not_consulted(Reference::Sumdb, why.clone()),
                Some(why),
            );
        }
    };
    let key = if go_mod {
        format!("{module} {version}/go.mod ")
    } else {
        format!("{module} {version} ")
    };
    let hashes: Vec<&str> = lines
        .iter()
        .filter_map(|l| l.strip_prefix(&key))
        .map(str::trim)
        .filter(|h| h.starts_with("h1:"))
        .collect();
    let outcome = if hashes.contains(&hash) {
        Outcome::Match
    } else if hashes.is_empty() {
        Outcome::Absent
    } else {
        Outcome::Mismatch
    };
    let note = (outcome == Outcome::Absent)
        .then(|| "the database's record has no h1: line for it".to_owned());
    (
        Check {
            expected: hashes.first().map(|h| (*h).to_owned()),
            note,
            ..Check::new(Reference::Sumdb, outcome)
        },
        None,
    )
}

/// Compares `hash` with the `.ziphash` file, if any.
fn ziphash_check(path: Option<&Path>, hash: &str) -> Check {
    let Some(path) = path else {
        return Check::new(Reference::Ziphash, Outcome::Absent);
    };
    let loc = Location {
        path: path.to_path_buf(),
        line: None,
    };
    match read_ziphash(path) {
        Ok(want) => Check {
            outcome: if want == hash {
                Outcome::Match
            } else {
                Outcome::Mismatch
            },
            expected: Some(want),
            location: Some(loc),
            note: None,
            against: Reference::Ziphash,
        },
        Err(ZiphashError::Unreadable(e)) if e.kind() == io::ErrorKind::NotFound => {
            Check::new(Reference::Ziphash, Outcome::Absent)
        }
        Err(e) => Check {
            note: Some(match e {
                ZiphashError::Unreadable(e) => format!("unreadable .ziphash: {e}"),
                ZiphashError::Undecodable(why) => format!("undecodable .ziphash: {why}"),
            }),
            location: Some(loc),
            ..Check::new(Reference::Ziphash, Outcome::Absent)
        },
    }
}

/// A tree hashed file by file.
#[derive(Debug, Default)]
struct Tree {
    /// (slash path relative to the root, SHA-256), in no particular order.
    files: Vec<(String, [u8; 32])>,
    /// Symbolic links and special files: listed, never opened.
    not_regular: Vec<String>,
    /// Files and directories with a write bit (the root included, as ".").
    writable: Vec<String>,
}

#[cfg(unix)]
fn is_writable(m: &fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    m.permissions().mode() & 0o222 != 0
}

#[cfg(not(unix))]
fn is_writable(m: &fs::Metadata) -> bool {
    !m.permissions().readonly()
}

fn lossy_name(rel: &Path) -> String {
    rel.to_string_lossy()
        .replace(std::path::MAIN_SEPARATOR, "/")
}

/// How a tree's `h1:` is known.
enum TreeHash {
    /// From the digests of its files (`Tree::files`).
    Digests,
    /// Every file equals the zip entry of the same name and nothing else is there: the
    /// zip's `h1:`.
    SameAsZip(String),
}

/// A tree's entries, found without reading any file.
#[derive(Debug, Default)]
struct Listing {
    /// (slash path relative to the root, path on disk) of every regular file.
    regular: Vec<(String, PathBuf)>,
    not_regular: Vec<String>,
    writable: Vec<String>,
}

/// Compares the zip's entries, as they stream by, with the files of a tree
/// ([`modzip::EntryVisitor`]). Stops opening files at the first difference: the tree is then
/// hashed in full, which names every changed file.
struct TreeComparer<'a> {
    prefix: &'a [u8],
    files: HashMap<&'a [u8], &'a Path>,
    /// Tree files that some zip entry named.
    matched: usize,
    same: bool,
    current: Option<File>,
    scratch: Vec<u8>,
}

impl<'a> TreeComparer<'a> {
    fn new(listing: &'a Listing, prefix: &'a [u8]) -> Self {
        TreeComparer {
            prefix,
            files: listing
                .regular
                .iter()
                .map(|(rel, path)| (rel.as_bytes(), path.as_path()))
                .collect(),
            matched: 0,
            same: listing.not_regular.is_empty(),
            current: None,
            scratch: Vec::new(),
        }
    }

    /// Whether the tree holds exactly the zip's files with the zip's contents.
    fn identical(&self) -> bool {
        self.same && self.current.is_none() && self.matched == self.files.len()
    }
}

impl modzip::EntryVisitor for TreeComparer<'_> {
    fn begin(&mut self, name: &[u8]) {
        self.current = None;
        if !self.same {
            return;
        }
        // A directory entry is part of the zip's h1: but never of a tree's (x/mod's
        // dirhash.HashZip lists every entry, HashDir only files): the hashes differ.
        let file = name
            .strip_prefix(self.prefix)
            .filter(|rel| !rel.ends_with(b"/"))
            .and_then(|rel| self.files.get(rel));
        match file.map(File::open) {
            Some(Ok(f)) => {
                self.matched += 1;
                self.current = Some(f);
            }
            _ => self.same = false,
        }
    }

    fn data(&mut self, chunk: &[u8]) {
        let Some(f) = self.current.as_mut() else {
            return;
        };
        self.scratch.resize(chunk.len(), 0);
        if f.read_exact(&mut self.scratch).is_err() || self.scratch != chunk {
            self.same = false;
            self.current = None;
        }
    }

    fn end(&mut self) {
        if let Some(mut f) = self.current.take() {
            // The file must end where the entry does.
            let mut one = [0u8; 1];
            if !matches!(f.read(&mut one), Ok(0)) {
                self.same = false;
            }
        }
    }
}

/// Walks `dir` without following symbolic links or opening files.
fn walk_tree(dir: &Path) -> io::Result<Listing> {
    let mut tree = Listing::default();
    if is_writable(&fs::symlink_metadata(dir)?) {
        tree.writable.push(".".to_owned());
    }
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for ent in fs::read_dir(&d)? {
            let ent = ent?;
            let path = ent.path();
            let meta = fs::symlink_metadata(&path)?;
            let rel = lossy_name(path.strip_prefix(dir).unwrap_or(&path));
            if is_writable(&meta) && !meta.file_type().is_symlink() {
                tree.writable.push(rel.clone());
            }
            if meta.is_dir() {
                stack.push(path);
            } else if meta.is_file() {
                tree.regular.push((rel, path));
            } else {
                tree.not_regular.push(rel);
            }
        }
    }
    tree.not_regular.sort();
    tree.writable.sort();
    Ok(tree)
}

/// Walks `dir` (symbolic links not followed) and hashes every regular file in parallel.
fn hash_tree(dir: &Path) -> io::Result<Tree> {
    let Listing {
        regular,
        not_regular,
        writable,
    } = walk_tree(dir)?;
    let files = regular
        .into_par_iter()
        .map(|(rel, path)| {
            let mut f = File::open(&path)?;
            let d = sha256_stream(&mut f)?;
            Ok((rel, d))
        })
        .collect::<io::Result<Vec<_>>>()?;
    Ok(Tree {
        files,
        not_regular,
        writable,
    })
}

fn sha256_stream(r: &mut impl Read) -> io::Result<[u8; 32]> {
    thread_local! {
        // One buffer per worker thread: a fresh zeroed 256 KiB buffer per file was a
        // measurable share of the time on trees of many small files.
        static BUF: std::cell::RefCell<Vec<u8>> = std::cell::RefCell::new(vec![0u8; BUF_SIZE]);
    }
    BUF.with_borrow_mut(|buf| {
        let mut h = Sha256::new();
        loop {
            let n = match r.read(buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            h.update(&buf[..n]);
        }
        Ok(h.finalize().into())
    })
}

/// SHA-256 of every file entry of the zip, keyed by name without `prefix`. Used only when a
/// tree does not match, to name files; directory entries are skipped (extraction makes no
/// file of them).
fn zip_digests(path: &Path, prefix: &str) -> Result<HashMap<String, [u8; 32]>, String> {
    let f = File::open(path).map_err(|e| e.to_string())?;
    let mut z = zip::ZipArchive::new(io::BufReader::new(f)).map_err(|e| e.to_string())?;
    let mut out = HashMap::new();
    for i in 0..z.len() {
        let mut ent = z.by_index(i).map_err(|e| e.to_string())?;
        if ent.is_dir() {
            continue;
        }
        let name = String::from_utf8_lossy(ent.name_raw()).into_owned();
        let name = name.strip_prefix(prefix).unwrap_or(&name).to_owned();
        // The zip already passed the size checks of check_and_hash_zip only when it verified;
        // bound the read by the 500 MiB module limit regardless.
        let d =
            sha256_stream(&mut (&mut ent).take(modzip::MAX_ZIP_FILE)).map_err(|e| e.to_string())?;
        out.insert(name, d);
    }
    Ok(out)
}

/// Files of the tree that differ from the zip's entries, sorted by name.
fn diff(tree: &[(String, [u8; 32])], zip: &HashMap<String, [u8; 32]>) -> Vec<FileChange> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for (name, d) in tree {
        seen.insert(name.as_str());
        match zip.get(name) {
            Some(z) if z == d => {}
            Some(_) => out.push(FileChange {
                change: Change::Modified,
                name: name.clone(),
            }),
            None => out.push(FileChange {
                change: Change::Added,
                name: name.clone(),
            }),
        }
    }
    for name in zip.keys() {
        if !seen.contains(name.as_str()) {
            out.push(FileChange {
                change: Change::Missing,
                name: name.clone(),
            });
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name).then(a.change.cmp(&b.change)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_names() {
        assert_eq!(split_cache_name("v1.0.0.zip"), Some(("v1.0.0", "zip")));
        assert_eq!(
            split_cache_name("v1.0.0.ziphash"),
            Some(("v1.0.0", "ziphash"))
        );
        assert_eq!(
            split_cache_name("v1.0.0-!r!c1.mod"),
            Some(("v1.0.0-!r!c1", "mod"))
        );
        assert_eq!(split_cache_name("list"), None);
        assert_eq!(split_cache_name(".zip"), None);
    }

    #[test]
    fn diff_names_changes() {
        let a = [1u8; 32];
        let b = [2u8; 32];
        let tree = vec![
            ("x.go".to_owned(), a),
            ("new.go".to_owned(), a),
            ("y.go".to_owned(), b),
        ];
        let zip: HashMap<String, [u8; 32]> = [
            ("x.go".to_owned(), a),
            ("y.go".to_owned(), a),
            ("gone.go".to_owned(), a),
        ]
        .into();
        let d = diff(&tree, &zip);
        let got: Vec<_> = d.iter().map(|c| (c.change, c.name.as_str())).collect();
        assert_eq!(
            got,
            [
                (Change::Missing, "gone.go"),
                (Change::Added, "new.go"),
                (Change::Modified, "y.go")
            ]
        );
    }
}
