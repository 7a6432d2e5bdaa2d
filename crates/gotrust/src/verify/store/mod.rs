//! `gotrust verify store`: a module proxy's whole storage against the checksum database.
//!
//! A store is read where it lies, not through the proxy's HTTP front: a directory (go's
//! `GOMODCACHE/cache/download`, a `file://` GOPROXY, Athens's disk storage) or an object
//! store ([`location`]). Its files are grouped into module versions by [`layout`]. For each
//! version: the zip is checked with go's rules and hashed (`h1:`, one streaming pass,
//! [`gomod::modzip::check_and_hash_zip`]), the go.mod hashed ([`gomod::dirhash::hash_go_mod`]),
//! the `.info` compared with the version it sits beside, and both hashes compared with the
//! checksum database through the `verify sums` client ([`super::sums::lookup_all`]: inclusion
//! proofs against the stored signed head, fork detection; GONOSUMDB/GOPRIVATE paths are never
//! sent).
//!
//! Scale: the listing is a stream, and versions are judged in batches: each batch's
//! lookups run on the async runtime while its files are read and hashed on a thread pool off
//! the runtime, and two batches are in flight at once. Memory is bounded by the batch size and
//! the read buffers, not by the store. Results leave in listing order as [`record`] lines, so
//! a killed run can be resumed after its last complete directory, and `--shard K/N` takes the
//! module paths whose stable hash falls in shard K, so N workers cover a store exactly once.
//! [`record::Merged`] joins the workers' files into one report.

pub mod layout;
pub mod location;
pub mod record;

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::Arc;

use gomod::dirhash;
use gomod::module;
use gomod::modzip::ZipError;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use self::layout::{Entry, Group, Grouper, Layout, Unit};
use self::location::Store;
use self::record::{FileRecord, Role, VersionRecord};
use super::sums::{DatabaseAccess, ErrorClass, HeadCheck, LookupOutcome};
use crate::report::Rule;
use crate::report::catalog;

/// Largest go.mod read (go's proxy client allows no more for a `.mod` answer).
const MAX_GO_MOD: u64 = 16 << 20;
/// Largest `.info` read.
const MAX_INFO: u64 = 1 << 20;
/// Largest number of files judged as one directory.
const MAX_GROUP_FILES: usize = 200_000;

/// The verdict on one module version (or one file that belongs to none). Serialized in
/// snake case (`not_in_database`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Verdict {
    /// Every stored hash equals the checksum database's.
    #[default]
    Verified,
    /// Not looked up: private per GONOSUMDB/GOPRIVATE (never sent), GOSUMDB=off, or
    /// `--offline` with no cached answer.
    Skipped,
    /// Files missing (a zip without its go.mod, an Athens version without all three) or
    /// left by an interrupted write.
    Incomplete,
    /// A file that belongs to no module version of the layout.
    Orphan,
    /// The `.info` names another version, a time that contradicts the pseudo-version, or is
    /// not valid.
    InfoMismatch,
    /// The checksum database has no record: an invented version, or a private path it must
    /// not be asked about.
    NotInDatabase,
    /// Could not be judged: unreadable file, database unavailable, or its answer did not
    /// verify.
    Error,
    /// The zip is not a valid module zip.
    InvalidZip,
    /// A zip or go.mod differs from the checksum database: the store is polluted.
    Mismatch,
}

impl Verdict {
    /// Every verdict, from clean to worst.
    pub const ALL: [Verdict; 9] = [
        Verdict::Verified,
        Verdict::Skipped,
        Verdict::Incomplete,
        Verdict::Orphan,
        Verdict::InfoMismatch,
        Verdict::NotInDatabase,
        Verdict::Error,
        Verdict::InvalidZip,
        Verdict::Mismatch,
    ];

    /// The name used in every output.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Verified => "verified",
            Verdict::Skipped => "skipped",
            Verdict::Incomplete => "incomplete",
            Verdict::Orphan => "orphan",
            Verdict::InfoMismatch => "info_mismatch",
            Verdict::NotInDatabase => "not_in_database",
            Verdict::Error => "error",
            Verdict::InvalidZip => "invalid_zip",
            Verdict::Mismatch => "mismatch",
        }
    }

    /// The worse of two verdicts (declaration order ranks them).
    pub fn worst(self, other: Verdict) -> Verdict {
        self.max(other)
    }

    /// Whether the verdict fails the verification whatever `--fail-on` says.
    pub fn is_failure(self) -> bool {
        matches!(
            self,
            Verdict::Mismatch | Verdict::InvalidZip | Verdict::NotInDatabase | Verdict::Error
        )
    }

    /// The rule a version with this verdict is reported under (`None` when verified).
    pub fn rule(self) -> Option<&'static Rule> {
        Some(match self {
            Verdict::Verified => return None,
            Verdict::Skipped => &catalog::STORE_SKIPPED,
            Verdict::Incomplete => &catalog::STORE_INCOMPLETE,
            Verdict::Orphan => &catalog::STORE_ORPHAN,
            Verdict::InfoMismatch => &catalog::STORE_INFO_MISMATCH,
            Verdict::NotInDatabase => &catalog::STORE_NOT_IN_DATABASE,
            Verdict::Error => &catalog::STORE_UNVERIFIED,
            Verdict::InvalidZip => &catalog::STORE_INVALID_ZIP,
            Verdict::Mismatch => &catalog::STORE_MISMATCH,
        })
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `--shard K/N`: this worker takes the module paths whose shard unit's hash modulo `count`
/// is `index`. The unit is the first two directory components of a stored key
/// ([`Shard::unit`]: `github.com/owner`, `golang.org/x`, `gopkg.in/yaml.v3`), a function of the
/// module path, so a module's files all fall in one shard, and a worker lists only the
/// subtrees of its units (plus the one- and two-level directory listings every worker reads)
/// instead of the whole store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// K, from 0 (Kubernetes's `JOB_COMPLETION_INDEX`).
    pub index: u32,
    /// N, at least 1.
    pub count: u32,
}

impl Default for Shard {
    fn default() -> Self {
        Shard { index: 0, count: 1 }
    }
}

impl Shard {
    /// Parses `K/N` with `0 <= K < N`.
    pub fn parse(s: &str) -> Result<Shard, String> {
        let (k, n) = s
            .split_once('/')
            .ok_or_else(|| format!("invalid shard {s:?}: expected K/N, such as 0/4"))?;
        let index: u32 = k
            .trim()
            .parse()
            .map_err(|_| format!("invalid shard {s:?}: K is not a number"))?;
        let count: u32 = n
            .trim()
            .parse()
            .map_err(|_| format!("invalid shard {s:?}: N is not a number"))?;
        if count == 0 || index >= count {
            return Err(format!(
                "invalid shard {s:?}: need 0 <= K < N (K counts from 0, as JOB_COMPLETION_INDEX)"
            ));
        }
        Ok(Shard { index, count })
    }

    /// Which shard `key` (a module path) belongs to: the first 8 bytes of its SHA-256,
    /// big-endian, modulo N. Stable across machines, runs and gotrust versions.
    pub fn of(key: &str, count: u32) -> u32 {
        let d = Sha256::digest(key.as_bytes());
        let mut b = [0u8; 8];
        b.copy_from_slice(&d[..8]);
        (u64::from_be_bytes(b) % u64::from(count.max(1))) as u32
    }

    /// Whether this shard takes `key` (a shard unit, see [`Shard::unit`]).
    pub fn takes(&self, key: &str) -> bool {
        self.count <= 1 || Shard::of(key, self.count) == self.index
    }

    /// The shard unit of a directory key (no trailing `/`): its first two components, or
    /// all of it when shorter. Every key under `a/b/` has the unit `a/b`, which is what lets
    /// a worker skip whole subtrees while listing.
    pub fn unit(dir: &str) -> &str {
        match dir.match_indices('/').nth(1) {
            Some((i, _)) => &dir[..i],
            None => dir,
        }
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// Why a store could not be verified at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The location does not name a usable store.
    #[error("cannot open store {location}: {why}")]
    Location {
        /// The location (credentials redacted).
        location: String,
        /// Why.
        why: String,
    },
    /// The listing failed.
    #[error("cannot list store {location}: {why}")]
    Listing {
        /// The location or directory.
        location: String,
        /// Why.
        why: String,
    },
    /// A results file could not be read or written.
    #[error("{path}: {why}")]
    Results {
        /// The file.
        path: String,
        /// Why.
        why: String,
    },
}

/// Options of [`verify_store`].
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// The layout to read.
    pub layout: Layout,
    /// This worker's shard.
    pub shard: Shard,
    /// Continue after this key (a resumed run).
    pub after: Option<String>,
    /// Module versions per batch.
    pub batch: usize,
    /// Threads reading and hashing.
    pub threads: usize,
    /// Lookups in flight at once.
    pub lookup_concurrency: usize,
    /// Fetch the database's `/latest` first (catches a fork or rollback even when every
    /// lookup is cached).
    pub check_head: bool,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            layout: Layout::Auto,
            shard: Shard::default(),
            after: None,
            batch: 256,
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            lookup_concurrency: 64,
            check_head: true,
        }
    }
}

/// What a run saw beyond its records.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunSummary {
    /// Files listed (this shard's and the others').
    pub files_listed: u64,
    /// Module versions and orphans judged by this shard.
    pub judged: u64,
    /// Things true of the whole run (database head, what was not consulted).
    pub notes: Vec<String>,
    /// The database itself failed verification (fork, rollback, invalid head).
    pub database_failed: bool,
}

/// Where records go, in listing order; called once per batch.
pub trait RecordSink: Send {
    /// A batch of records, complete directories only.
    fn records(&mut self, batch: &[VersionRecord]) -> std::io::Result<()>;
}

impl RecordSink for Vec<VersionRecord> {
    fn records(&mut self, batch: &[VersionRecord]) -> std::io::Result<()> {
        self.extend_from_slice(batch);
        Ok(())
    }
}

/// Verifies every module version of `store` in this shard, sending records to `sink` in
/// listing order. Must run on a multi-threaded tokio runtime.
pub async fn verify_store(
    store: &Store,
    db: &DatabaseAccess,
    opts: &StoreOptions,
    sink: &mut dyn RecordSink,
) -> Result<RunSummary, StoreError> {
    let mut summary = RunSummary::default();
    match db {
        DatabaseAccess::Off { reason, .. } => summary
            .notes
            .push(format!("checksum database not consulted: {reason}")),
        DatabaseAccess::On(d) => {
            if !d.nosumdb.is_empty() {
                summary.notes.push(format!(
                    "paths matching GONOSUMDB={} are never sent to the checksum database",
                    d.nosumdb
                ));
            }
            if opts.check_head && !d.client.is_offline() {
                let head = super::sums::check_head(&d.http, &d.client, &d.sumdb_base).await;
                let (note, failed) = head_note(&head);
                summary.database_failed |= failed;
                summary.notes.push(note);
            }
        }
    }
    let pool = Arc::new(
        rayon::ThreadPoolBuilder::new()
            .num_threads(opts.threads.max(1))
            .thread_name(|i| format!("gotrust-store-{i}"))
            .build()
            .map_err(|e| StoreError::Listing {
                location: store.display(),
                why: format!("cannot start the hashing threads: {e}"),
            })?,
    );
    let shared = Arc::new(Shared {
        store: store.clone(),
        db: db.clone(),
        pool,
        rt: tokio::runtime::Handle::current(),
        concurrency: opts.lookup_concurrency,
    });
    let mut rx = store.list(opts.after.clone(), 4096, opts.shard);
    let mut grouper = Grouper::new(MAX_GROUP_FILES);
    let mut in_flight: VecDeque<tokio::task::JoinHandle<Vec<VersionRecord>>> = VecDeque::new();
    let mut batch: Vec<(String, Unit)> = Vec::new();
    let mut listing_done = false;
    while !listing_done {
        let group = match rx.recv().await {
            Some(Ok(e)) => {
                summary.files_listed += 1;
                grouper.push(e)
            }
            Some(Err(e)) => return Err(e),
            None => {
                listing_done = true;
                grouper.finish()
            }
        };
        if let Some(g) = group
            && !is_database_cache(&g)
            && opts.shard.takes(Shard::unit(&g.dir))
        {
            let last = g.last_key().to_owned();
            for u in layout::units(g, opts.layout) {
                batch.push((last.clone(), u));
            }
        }
        if batch.len() >= opts.batch.max(1) || (listing_done && !batch.is_empty()) {
            summary.judged += batch.len() as u64;
            let work = std::mem::take(&mut batch);
            let shared = shared.clone();
            in_flight.push_back(tokio::spawn(
                async move { judge_batch(&shared, work).await },
            ));
        }
        // Two batches in flight: one hashing while the other's lookups finish; at the end,
        // every one.
        while in_flight.len() > 1 || (listing_done && !in_flight.is_empty()) {
            let done = in_flight.pop_front().expect("checked non-empty");
            let records = done.await.map_err(|e| StoreError::Listing {
                location: store.display(),
                why: format!("a verification task failed: {e}"),
            })?;
            sink.records(&records).map_err(|e| StoreError::Results {
                path: "results".into(),
                why: e.to_string(),
            })?;
        }
    }
    if let DatabaseAccess::On(d) = db {
        for w in d.client.warnings() {
            summary.notes.push(format!("checksum database: {w}"));
        }
    }
    Ok(summary)
}

/// go keeps checksum-database data under `cache/download/sumdb/` beside the modules; a
/// module path's first element has a dot, so no module lives there.
fn is_database_cache(g: &Group) -> bool {
    g.dir == "sumdb" || g.dir.starts_with("sumdb/")
}

fn head_note(head: &HeadCheck) -> (String, bool) {
    match head {
        HeadCheck::NotChecked => ("checksum database head not checked".into(), false),
        HeadCheck::Recent { size, age_secs } => (
            format!("checksum database head (tree size {size}) confirmed {age_secs}s ago"),
            false,
        ),
        HeadCheck::Consistent { size, .. } => (
            format!("checksum database head consistent with the stored one (tree size {size})"),
            false,
        ),
        HeadCheck::RolledBack { stored, served } => (
            format!(
                "checksum database ROLLED BACK: it serves tree size {served}, smaller than the {stored} it signed before"
            ),
            true,
        ),
        HeadCheck::Fork(ev) => (format!("checksum database FORK: {}", ev.report), true),
        HeadCheck::Invalid { message } => (
            format!("checksum database head does not verify: {message}"),
            true,
        ),
        HeadCheck::Unavailable { message } => (
            format!("checksum database head could not be fetched: {message}"),
            false,
        ),
    }
}

struct Shared {
    store: Store,
    db: DatabaseAccess,
    pool: Arc<rayon::ThreadPool>,
    rt: tokio::runtime::Handle,
    concurrency: usize,
}

/// What reading a unit's files found, before the database is consulted.
struct Local {
    zip: Option<Result<String, (Verdict, String)>>,
    gomod: Option<Result<String, String>>,
    info: Option<Result<(), (Verdict, String)>>,
}

async fn judge_batch(shared: &Arc<Shared>, work: Vec<(String, Unit)>) -> Vec<VersionRecord> {
    let work = Arc::new(work);
    // Hashing on the pool, off the async runtime; lookups here, at the same time.
    let hashing = {
        let shared = shared.clone();
        let work = work.clone();
        tokio::task::spawn_blocking(move || {
            shared.pool.install(|| {
                work.par_iter()
                    .map(|(_, u)| read_unit(&shared.store, &shared.rt, u))
                    .collect::<Vec<Local>>()
            })
        })
    };
    let lookups = async {
        let DatabaseAccess::On(d) = &shared.db else {
            return HashMap::new();
        };
        let mut seen = HashSet::new();
        let mut keys: Vec<(String, String)> = Vec::new();
        for (_, u) in work.iter() {
            let (Some(m), Some(v)) = (&u.module, &u.version) else {
                continue;
            };
            if u.orphan.is_some() || d.private_pattern(m).is_some() {
                continue;
            }
            // The zip's key and the go.mod's: one record holds both, so the client fetches
            // and proves it once (go's sumdb client asks `lookup/m@v` for `v/go.mod` too).
            if u.zip.is_some() && seen.insert((m.clone(), v.clone())) {
                keys.push((m.clone(), v.clone()));
            }
            let mod_key = format!("{v}/go.mod");
            if u.gomod.is_some() && seen.insert((m.clone(), mod_key.clone())) {
                keys.push((m.clone(), mod_key));
            }
        }
        super::sums::lookup_all(&d.client, keys, shared.concurrency).await
    };
    let (hashed, answers) = tokio::join!(hashing, lookups);
    let hashed = match hashed {
        Ok(h) => h,
        Err(e) => {
            return work
                .iter()
                .map(|(last, u)| {
                    let mut r = base_record(last, u);
                    r.verdict = Verdict::Error;
                    r.message = format!("internal error while reading: {e}");
                    r
                })
                .collect();
        }
    };
    work.iter()
        .zip(hashed)
        .map(|((last, u), local)| judge(&shared.db, &answers, last, u, local))
        .collect()
}

fn read_unit(store: &Store, rt: &tokio::runtime::Handle, u: &Unit) -> Local {
    let (Some(m), Some(v)) = (&u.module, &u.version) else {
        return Local {
            zip: None,
            gomod: None,
            info: None,
        };
    };
    if u.orphan.is_some() {
        return Local {
            zip: None,
            gomod: None,
            info: None,
        };
    }
    let zip = u.zip.as_ref().map(|e| match store.hash_zip(rt, e, m, v) {
        Ok(h) => Ok(h),
        Err(ZipError::Io { source, .. }) => {
            Err((Verdict::Error, format!("cannot read {}: {source}", e.key)))
        }
        // go checks every zip before it stores or serves it (modfetch's checkModSum after
        // download, zip.CheckZip): one that fails was written incompletely or changed.
        Err(err) => Err((
            Verdict::InvalidZip,
            format!("{} is not a valid module zip: {err}", e.key),
        )),
    });
    let gomod = u.gomod.as_ref().map(|e| {
        store
            .read_small(rt, e, MAX_GO_MOD)
            .map(|data| dirhash::hash_go_mod(&data))
            .map_err(|why| format!("cannot read {}: {why}", e.key))
    });
    let info = u
        .info
        .as_ref()
        .map(|e| match store.read_small(rt, e, MAX_INFO) {
            Ok(data) => check_info(&data, v).map_err(|why| (Verdict::InfoMismatch, why)),
            Err(why) => Err((Verdict::Error, format!("cannot read {}: {why}", e.key))),
        });
    Local { zip, gomod, info }
}

/// Checks an `.info` file against the version it is stored for, as go's proxy client does
/// (`src/cmd/go/internal/modfetch/proxy.go`, `proxyRepo.Stat`: the answer for a canonical
/// version must name exactly that version), and its time: valid RFC 3339 and, for a
/// pseudo-version, the instant the version encodes (`module.PseudoVersionTime`).
pub fn check_info(data: &[u8], version: &str) -> Result<(), String> {
    #[derive(Deserialize)]
    struct Info {
        #[serde(rename = "Version")]
        version: Option<String>,
        #[serde(rename = "Time")]
        time: Option<String>,
    }
    let info: Info =
        serde_json::from_slice(data).map_err(|e| format!(".info is not valid JSON: {e}"))?;
    let named = info.version.unwrap_or_default();
    if named != version {
        return Err(format!(
            ".info names version {named:?}, stored as {version}"
        ));
    }
    let Some(time) = info.time else {
        return Ok(());
    };
    let stamp = rfc3339_utc_stamp(&time)
        .ok_or_else(|| format!(".info time {time:?} is not an RFC 3339 time"))?;
    if module::is_pseudo_version(version)
        && let Some(encoded) = pseudo_stamp(version)
        && encoded != stamp
    {
        return Err(format!(
            ".info time {time} disagrees with the pseudo-version's {encoded} (UTC)"
        ));
    }
    Ok(())
}

/// The `yyyymmddhhmmss` of a pseudo-version: the 14 digits before its revision.
fn pseudo_stamp(v: &str) -> Option<String> {
    let main = v.split_once('+').map_or(v, |(m, _)| m);
    let (rest, _) = main.rsplit_once('-')?;
    let stamp = rest.get(rest.len().checked_sub(14)?..)?;
    stamp
        .bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| stamp.to_owned())
}

/// An RFC 3339 time as `yyyymmddhhmmss` in UTC (fractions dropped, as go truncates the
/// commit time to seconds for a pseudo-version).
fn rfc3339_utc_stamp(t: &str) -> Option<String> {
    let b = t.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let s = t.get(r)?;
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, s) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return None;
        }
    }
    let offset_min = match b.get(i)? {
        b'Z' | b'z' if i + 1 == b.len() => 0,
        sign @ (b'+' | b'-') if i + 6 == b.len() && b[i + 3] == b':' => {
            let off = num(i + 1..i + 3)? * 60 + num(i + 4..i + 6)?;
            if *sign == b'+' { off } else { -off }
        }
        _ => return None,
    };
    // Days since 1970-01-01 of the civil date (proleptic Gregorian).
    let (yy, mm) = if mo <= 2 {
        (y - 1, mo + 9)
    } else {
        (y, mo - 3)
    };
    let era = yy.div_euclid(400);
    let yoe = yy - era * 400;
    let doy = (153 * mm + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = days * 86_400 + h * 3600 + mi * 60 + s - offset_min * 60;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Back to a civil date.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    Some(format!(
        "{year:04}{month:02}{day:02}{:02}{:02}{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    ))
}

fn base_record(last: &str, u: &Unit) -> VersionRecord {
    VersionRecord {
        group: last.to_owned(),
        module: u.module.clone(),
        version: u.version.clone(),
        layout: u.layout.as_str().to_owned(),
        verdict: Verdict::Verified,
        message: String::new(),
        files: Vec::new(),
    }
}

fn file(role: Role, e: &Entry) -> FileRecord {
    FileRecord {
        role,
        key: e.key.clone(),
        size: e.size,
        hash: None,
        database: None,
        verdict: Verdict::Verified,
        message: String::new(),
    }
}

/// Combines what was read with the database's answer into one record.
fn judge(
    db: &DatabaseAccess,
    answers: &HashMap<(String, String), LookupOutcome>,
    last: &str,
    u: &Unit,
    local: Local,
) -> VersionRecord {
    let mut r = base_record(last, u);
    if let Some(why) = &u.orphan {
        r.verdict = Verdict::Orphan;
        r.message = why.clone();
        r.files = u.entries().map(|e| file(Role::Other, e)).collect();
        return r;
    }
    let (m, v) = (
        u.module.clone().unwrap_or_default(),
        u.version.clone().unwrap_or_default(),
    );
    let mut messages: Vec<String> = Vec::new();
    // Local checks first.
    let mut zip_file = u.zip.as_ref().map(|e| file(Role::Zip, e));
    let mut mod_file = u.gomod.as_ref().map(|e| file(Role::Mod, e));
    if let (Some(f), Some(res)) = (zip_file.as_mut(), &local.zip) {
        match res {
            Ok(h) => f.hash = Some(h.clone()),
            Err((verdict, why)) => {
                f.verdict = *verdict;
                f.message = why.clone();
            }
        }
    }
    if let (Some(f), Some(res)) = (mod_file.as_mut(), &local.gomod) {
        match res {
            Ok(h) => f.hash = Some(h.clone()),
            Err(why) => {
                f.verdict = Verdict::Error;
                f.message = why.clone();
            }
        }
    }
    // The database.
    let hashed = zip_file.iter().chain(&mod_file).any(|f| f.hash.is_some());
    if hashed {
        match db {
            DatabaseAccess::Off { reason, .. } => {
                r.verdict = Verdict::Skipped;
                messages.push(format!("not looked up: {reason}"));
            }
            DatabaseAccess::On(d) => {
                if let Some(p) = d.private_pattern(&m) {
                    r.verdict = Verdict::Skipped;
                    messages.push(format!(
                        "private: GONOSUMDB pattern {p:?} matches, so the path was not sent to the checksum database"
                    ));
                } else {
                    for (f, key, what) in [
                        (zip_file.as_mut(), v.clone(), "zip"),
                        (mod_file.as_mut(), format!("{v}/go.mod"), "go.mod"),
                    ] {
                        let Some(f) = f else { continue };
                        let Some(h) = f.hash.clone() else { continue };
                        let (verdict, why) =
                            compare(answers.get(&(m.clone(), key.clone())), &m, &key, &h);
                        if let Some(LookupOutcome::Found { lines, .. }) =
                            answers.get(&(m.clone(), key.clone()))
                        {
                            f.database = database_hash(lines, &m, &key);
                        }
                        if verdict != Verdict::Verified {
                            f.verdict = verdict;
                            f.message = match verdict {
                                Verdict::Mismatch => format!(
                                    "{what} {} has hash {h}, the checksum database says {}",
                                    f.key,
                                    f.database.as_deref().unwrap_or("?")
                                ),
                                _ => format!("{what}: {why}"),
                            };
                        }
                    }
                }
            }
        }
    }
    // Completeness. go's cache keeps only the go.mod of modules it never built, so a
    // GOPROXY-layout version with a go.mod and no zip is complete; Athens saves all three.
    let mut missing = Vec::new();
    if u.gomod.is_none() && (u.zip.is_some() || u.info.is_some()) {
        missing.push("go.mod");
    }
    if u.zip.is_none() && (u.layout == Layout::Athens || u.gomod.is_none()) {
        missing.push("zip");
    }
    if u.info.is_none() && u.layout == Layout::Athens {
        missing.push(".info");
    }
    let mut files: Vec<FileRecord> = zip_file.into_iter().chain(mod_file).collect();
    if let Some(e) = &u.info {
        let mut f = file(Role::Info, e);
        if let Some(Err((verdict, why))) = &local.info {
            f.verdict = *verdict;
            f.message = why.clone();
        }
        files.push(f);
    }
    for e in &u.leftovers {
        let mut f = file(Role::Leftover, e);
        f.verdict = Verdict::Incomplete;
        f.message = format!("{} was left by an interrupted write", e.key);
        files.push(f);
    }
    if !missing.is_empty() {
        r.verdict = r.verdict.worst(Verdict::Incomplete);
        messages.push(format!("incomplete: no {} stored", missing.join(", no ")));
    }
    for f in &files {
        if f.verdict != Verdict::Verified {
            r.verdict = r.verdict.worst(f.verdict);
            messages.push(f.message.clone());
        }
    }
    if r.verdict == Verdict::Verified {
        let what: Vec<&str> = files
            .iter()
            .filter(|f| f.database.is_some())
            .map(|f| f.role.as_str())
            .collect();
        messages.push(match what.len() {
            0 => "nothing to compare with the checksum database".to_owned(),
            1 => format!("{} matches the checksum database", what[0]),
            _ => format!("{} match the checksum database", what.join(" and ")),
        });
    }
    r.files = files;
    r.message = messages.join("; ");
    r
}

/// The database's hash for `module key` among a record's lines.
fn database_hash(lines: &[String], module: &str, key: &str) -> Option<String> {
    let prefix = format!("{module} {key} ");
    lines
        .iter()
        .find_map(|l| l.strip_prefix(&prefix))
        .map(str::to_owned)
}

/// Compares a hash with the database's answer for its key.
fn compare(
    outcome: Option<&LookupOutcome>,
    module: &str,
    key: &str,
    hash: &str,
) -> (Verdict, String) {
    match outcome {
        Some(LookupOutcome::Found { lines, .. }) => {
            let prefix = format!("{module} {key} ");
            let want: Vec<&str> = lines
                .iter()
                .filter_map(|l| l.strip_prefix(&prefix))
                .collect();
            if want.is_empty() {
                (
                    Verdict::NotInDatabase,
                    "the database record has no line for it".into(),
                )
            } else if want.contains(&hash) {
                (Verdict::Verified, String::new())
            } else {
                (Verdict::Mismatch, String::new())
            }
        }
        Some(LookupOutcome::NotFound { reason, .. }) => (
            Verdict::NotInDatabase,
            format!(
                "not in the checksum database ({reason}): an invented version, or a private path that GONOSUMDB/GOPRIVATE should cover"
            ),
        ),
        Some(LookupOutcome::NotCached { what }) => (
            Verdict::Skipped,
            format!("not looked up: --offline and no cache holds {what}"),
        ),
        Some(LookupOutcome::Failed { class, message, .. }) => (
            Verdict::Error,
            match class {
                ErrorClass::Verification => {
                    format!("the checksum database's answer does not verify: {message}")
                }
                ErrorClass::Failure => format!("no answer from the checksum database: {message}"),
            },
        ),
        None => (
            Verdict::Error,
            "no checksum database answer was looked up".into(),
        ),
    }
}

/// Counts per verdict.
pub type Counts = BTreeMap<Verdict, u64>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_partition_is_stable_and_total() {
        let s = Shard::parse("1/3").unwrap();
        assert_eq!(s, Shard { index: 1, count: 3 });
        assert!(Shard::parse("3/3").is_err() && Shard::parse("0/0").is_err());
        assert!(Shard::parse("x").unwrap_err().contains("K/N"));
        // Pinned: a change would make old shard files disagree with new workers.
        assert_eq!(
            Shard::of("example.com/simple", 7),
            Shard::of("example.com/simple", 7)
        );
        for p in ["a.com/x", "b.org/y", "example.com/simple"] {
            let owners = (0..4)
                .filter(|&k| Shard { index: k, count: 4 }.takes(p))
                .count();
            assert_eq!(owners, 1, "{p}");
        }
    }

    #[test]
    fn info_checks() {
        assert!(
            check_info(
                br#"{"Version":"v1.0.0","Time":"2024-01-02T03:04:05Z"}"#,
                "v1.0.0"
            )
            .is_ok()
        );
        let e = check_info(
            br#"{"Version":"v1.0.1","Time":"2024-01-02T03:04:05Z"}"#,
            "v1.0.0",
        )
        .unwrap_err();
        assert!(e.contains("v1.0.1"), "{e}");
        let pseudo = "v0.0.0-20240102030405-abcdefabcdef";
        assert!(check_info(
            br#"{"Version":"v0.0.0-20240102030405-abcdefabcdef","Time":"2024-01-02T04:04:05+01:00"}"#,
            pseudo
        )
        .is_ok());
        let e = check_info(
            br#"{"Version":"v0.0.0-20240102030405-abcdefabcdef","Time":"2024-01-03T03:04:05Z"}"#,
            pseudo,
        )
        .unwrap_err();
        assert!(e.contains("20240102030405"), "{e}");
        assert!(check_info(b"{", "v1.0.0").unwrap_err().contains("JSON"));
        assert!(check_info(br#"{"Version":"v1.0.0","Time":"yesterday"}"#, "v1.0.0").is_err());
        assert_eq!(
            rfc3339_utc_stamp("2000-02-29T23:30:00.5-01:00").as_deref(),
            Some("20000301003000")
        );
    }
}
