//! The checksum-database client: lookups verified by Merkle proofs, tree heads checked for
//! consistency, forks reported with both signed notes as evidence.
//!
//! Mirrors `golang.org/x/mod/sumdb/client.go` (`Client.Lookup`, `checkTrees`, `readTiles`) as
//! cmd/go uses it (`cmd/go/internal/modfetch/sumdb.go`: `dbClient.initBase`, `ReadCache`,
//! `ReadConfig`):
//!
//! * the database is reached at an explicit URL, else through the first GOPROXY entry that
//!   answers `/sumdb/⟨name⟩/supported`, else directly at `https://⟨name⟩` ([`resolve_base`]);
//! * every lookup's record is checked against the newest verified tree head through
//!   authenticated tiles (an inclusion proof), and every new tree head is checked to extend
//!   the stored one (a consistency proof); a hash mismatch is a fork, reported with go's
//!   `SECURITY ERROR` text and both notes;
//! * gotrust keeps its own tree head, tiles and proven records under its cache directory
//!   (the records in one append-only pack, `records`, re-proven whenever read)
//!   and reads go's (`$GOPATH/pkg/sumdb/⟨name⟩/latest`, `$GOMODCACHE/cache/download/sumdb/⟨name⟩/…`)
//!   read-only: go's tree head is merged too, so a fork between what go saw and what gotrust
//!   sees is detected, and go's cached tiles and lookups save requests (they are verified like
//!   network answers);
//! * tiles are fetched once per client and shared by concurrent lookups; all tiles one
//!   verification needs are fetched concurrently; only authenticated tiles are written to disk;
//!   tiles authenticated against the newest head are not hashed again ([`VerifiedTiles`]);
//!   a record is fetched and proven once per client (`v` and `v/go.mod` share it);
//! * an offline client ([`SumdbClient::new_offline`]) makes no request: it verifies what the
//!   caches hold the same way and reports anything else as [`SumdbClientError::NotCached`].
//!
//! gomod's tlog code is synchronous. A record proof runs on the runtime over tiles already in
//! memory and, when it lacks some, fetches them and runs again (cheap: no blocking-thread
//! hand-off per lookup). Tree-head consistency checks, rare and possibly tile-hungry, run on a
//! blocking thread and fetch their tiles through the runtime handle.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::record_pack::RecordPack;
use gomod::module::{self, ModuleError};
use gomod::note::{self, NoteError, Verifier, Verifiers};
use gomod::sumdb::{self as gsumdb, SumdbError};
use gomod::tlog::{
    self, EMPTY_TREE_HASH, Tile, TileHashReader, TileReader, TlogError, Tree, VerifiedTiles,
};
use serde::Serialize;
use tokio::sync::OnceCell;

use super::error::{FetchError, FetchErrorKind};
use super::goproxy::{
    Hop, HopKind, ProxyClient, ProxyError, Step, SumdbBase, WalkError, try_proxies,
};
use super::http::{Exchange, HttpClient, limits};

mod base;
mod not_found;
mod paths;
mod tiles;

pub use base::{BaseSource, ResolveError, ResolvedBase, resolve_base};
use tiles::*;

/// gotrust's cache root: `$GOTRUST_CACHE_DIR`, else `$XDG_CACHE_HOME/gotrust`, else
/// `~/.cache/gotrust`.
pub fn default_cache_root() -> Option<PathBuf> {
    let var = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(d) = var("GOTRUST_CACHE_DIR") {
        return Some(d);
    }
    if let Some(d) = var("XDG_CACHE_HOME").filter(|d| d.is_absolute()) {
        return Some(d.join("gotrust"));
    }
    var("HOME").map(|h| h.join(".cache").join("gotrust"))
}

/// Reports whether a module path is private (never to be sent to the database).
pub type PrivatePredicate = Arc<dyn Fn(&str) -> bool + Send + Sync>;

/// Where the client keeps and finds state.
#[derive(Clone)]
pub struct SumdbConfig {
    /// The verifier key (`name+hash+base64`).
    pub key: String,
    /// The database base URL.
    pub base: SumdbBase,
    /// gotrust's directory for this database (tree head, tiles, lookups), e.g.
    /// `⟨cache root⟩/sumdb/⟨name⟩`. Created on first write.
    pub state_dir: PathBuf,
    /// go's tree head file (`$GOPATH/pkg/sumdb/⟨name⟩/latest`), read only.
    pub go_latest: Option<PathBuf>,
    /// go's download cache for this database (`$GOMODCACHE/cache/download/sumdb/⟨name⟩`),
    /// read only.
    pub go_cache: Option<PathBuf>,
    /// Module paths that must never be sent (GONOSUMDB / GOPRIVATE matches).
    pub private: Option<PrivatePredicate>,
}

impl std::fmt::Debug for SumdbConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SumdbConfig")
            .field("key", &self.key)
            .field("base", &self.base)
            .field("state_dir", &self.state_dir)
            .field("go_latest", &self.go_latest)
            .field("go_cache", &self.go_cache)
            .field("private", &self.private.is_some())
            .finish()
    }
}

impl SumdbConfig {
    /// The configuration for a parsed GOSUMDB database at `base`, with gotrust's state under
    /// `cache_root` (see [`default_cache_root`]) in `sumdb/⟨name⟩`.
    pub fn new(
        db: &crate::settings::sumdb::SumDbConfig,
        base: SumdbBase,
        cache_root: &Path,
    ) -> Self {
        SumdbConfig {
            key: db.key_text.clone(),
            base,
            state_dir: cache_root.join("sumdb").join(db.name()),
            go_latest: None,
            go_cache: None,
            private: None,
        }
    }

    /// Adds go's own state as read-only sources (`cmd/go/internal/modfetch/sumdb.go`
    /// `ReadConfig`, `ReadCache`): `$GOPATH[0]/pkg/sumdb/⟨name⟩/latest`
    /// and `$GOMODCACHE/cache/download/sumdb/⟨name⟩`.
    pub fn with_go_state(
        mut self,
        name: &str,
        gopath0: Option<&Path>,
        gomodcache: Option<&Path>,
    ) -> Self {
        self.go_latest = gopath0.map(|g| g.join("pkg").join("sumdb").join(name).join("latest"));
        self.go_cache =
            gomodcache.map(|m| m.join("cache").join("download").join("sumdb").join(name));
        self
    }

    /// Never sends module paths for which `private` is true.
    pub fn with_private(mut self, private: PrivatePredicate) -> Self {
        self.private = Some(private);
        self
    }
}

/// A signed tree head as evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TreeHead {
    /// Tree size.
    pub n: i64,
    /// Root hash, base64.
    pub hash: String,
    /// The full signed note.
    pub note: String,
}

/// Proof that the database showed two trees that cannot both be honest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ForkEvidence {
    /// The older (smaller or equal) tree.
    pub older: TreeHead,
    /// The newer tree, which does not contain the older one.
    pub newer: TreeHead,
    /// The hash the newer tree implies for the older size, base64.
    pub implied_hash: String,
    /// go's report text (`SECURITY ERROR` … `proof of misbehavior:` …), verbatim.
    pub report: String,
}

/// A checksum-database failure.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SumdbClientError {
    /// The module is private: it is never sent to the database.
    #[error("module path is private (GONOSUMDB/GOPRIVATE): not sent to the checksum database")]
    Private,
    /// The configured key is invalid.
    #[error("invalid GOSUMDB key: {0}")]
    Key(NoteError),
    /// A request failed.
    #[error(transparent)]
    Fetch(FetchError),
    /// The path or version cannot be escaped.
    #[error(transparent)]
    Escape(ModuleError),
    /// The lookup response is malformed.
    #[error(transparent)]
    Response(SumdbError),
    /// A tree note did not verify.
    #[error("reading tree note: {error}\nnote:\n{note}")]
    TreeNote {
        /// Why.
        error: NoteError,
        /// The note as received.
        note: String,
    },
    /// A verified note is not a tree note.
    #[error("reading tree: {error}\ntree:\n{text}")]
    Tree {
        /// Why.
        error: TlogError,
        /// The note text.
        text: String,
    },
    /// Checking one tree against another failed for a reason other than a hash mismatch
    /// (a tile could not be fetched, or a tile did not authenticate).
    #[error("{}", tree_check_text(*.older, *.newer, .detail))]
    TreeCheck {
        /// The older size.
        older: i64,
        /// The newer size.
        newer: i64,
        /// The underlying error text (`downloaded inconsistent tile`, a fetch error…).
        detail: String,
        /// The typed fetch error, when a tile request failed.
        fetch: Option<FetchError>,
    },
    /// Reading the record's hash through the tiles failed (a tile could not be fetched or
    /// did not authenticate); go reports the bare error here.
    #[error("{detail}")]
    RecordProof {
        /// The underlying error text.
        detail: String,
        /// The typed fetch error, when a tile request failed.
        fetch: Option<FetchError>,
    },
    /// The record id is not in the verified tree.
    #[error("cannot validate record {id} in tree of size {n}")]
    NotInTree {
        /// Record id.
        id: i64,
        /// Tree size.
        n: i64,
    },
    /// The record's hash is not the one the tree has at its index.
    #[error("cannot authenticate record data in server response")]
    RecordMismatch,
    /// The database forked: see the evidence.
    #[error("security error: misbehaving server")]
    Fork(Box<ForkEvidence>),
    /// Reading or writing gotrust's state failed.
    #[error("sumdb state {path}: {detail}")]
    Store {
        /// The file.
        path: PathBuf,
        /// What failed.
        detail: String,
    },
    /// The client is offline and the answer (a lookup or a tile) is in neither gotrust's nor
    /// go's cache: no verdict can be reached without a request.
    #[error("not in the offline cache: {what}")]
    NotCached {
        /// The database path that would have been requested (`lookup/…`, `tile/…`).
        what: String,
    },
    /// gotrust's stored tree head is signed by another key than the configured one: the
    /// database was re-keyed (a restarted lab under the same name, a new GOSUMDB key).
    #[error(
        "the stored tree head {} is signed by {signers}, not by the configured key {key}: the database's key changed; remove {} to trust the new key",
        path.display(),
        path.display()
    )]
    StoredHeadOtherKey {
        /// The stored head.
        path: PathBuf,
        /// Who signed it (`name+hash`, comma-separated).
        signers: String,
        /// The configured key (`name+hash`).
        key: String,
    },
    /// The database answered this lookup "not found" (404/410) `age_secs` ago, within the
    /// window the client was told to reuse such answers for
    /// ([`SumdbClient::reuse_not_found_for`]): the remembered answer, not asked again.
    #[error("{fetch} (answered {age_secs}s ago, not asked again)")]
    RecentNotFound {
        /// The answer as it was received.
        fetch: FetchError,
        /// Seconds since it was received.
        age_secs: u64,
    },
    /// A background task failed.
    #[error("internal error: {0}")]
    Internal(String),
}

/// The signers of a note that no configured key verified (`name+hash`, comma-separated).
fn other_signers(e: &SumdbClientError) -> Option<String> {
    let SumdbClientError::TreeNote {
        error: NoteError::UnverifiedNote { note },
        ..
    } = e
    else {
        return None;
    };
    Some(
        note.unverified_sigs
            .iter()
            .map(|s| format!("{}+{:08x}", s.name, s.hash))
            .collect::<Vec<_>>()
            .join(", "),
    )
}

/// A tile could not be read: a failed request, or (offline) a tile no cache holds.
#[derive(Debug, Clone, thiserror::Error)]
enum TileError {
    #[error(transparent)]
    Fetch(FetchError),
    #[error("not in the offline cache: {0}")]
    Offline(String),
}

/// Whether the subtree of height `level` holding record `id` is complete in a tree of `n`
/// records (its hash is then stored, and never changes as the tree grows).
fn subtree_complete(id: i64, level: u32, n: i64) -> bool {
    level < 62
        && ((id >> level) + 1)
            .checked_mul(1 << level)
            .is_some_and(|end| end <= n)
}

/// The height of the path gotrust stores for record `id` in a tree of `n` records: the
/// highest complete subtree holding it of at most 2^[`paths::PATH_LEVEL_MAX`] records, in
/// whole tiles; `None` when the record's own tile is not complete yet.
fn path_level(id: i64, n: i64) -> Option<u32> {
    (1..=paths::PATH_LEVEL_MAX / gsumdb::TILE_HEIGHT)
        .rev()
        .map(|k| k * gsumdb::TILE_HEIGHT)
        .find(|&level| subtree_complete(id, level, n))
}

/// The database path of the lookup of `path@version` (`/go.mod` suffix ignored).
fn lookup_rel(path: &str, version: &str) -> Option<String> {
    let bare = version.strip_suffix("/go.mod").unwrap_or(version);
    Some(format!(
        "lookup/{}@{}",
        module::escape_path(path).ok()?,
        module::escape_version(bare).ok()?
    ))
}

fn tree_check_text(older: i64, newer: i64, detail: &str) -> String {
    if older == newer {
        format!("checking tree#{older}: {detail}")
    } else {
        format!("checking tree#{older} against tree#{newer}: {detail}")
    }
}

/// A lookup failure, prefixed like go's (`⟨path⟩@⟨version⟩: ⟨err⟩`).
#[derive(Debug, thiserror::Error)]
#[error("{path}@{version}: {error}")]
pub struct LookupError {
    /// Module path.
    pub path: String,
    /// Version as requested (may end in `/go.mod`).
    pub version: String,
    /// Why.
    pub error: SumdbClientError,
}

/// Where a lookup answer came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerSource {
    /// The network.
    Network,
    /// gotrust's cache.
    GotrustCache,
    /// go's module cache (read only).
    GoCache,
}

/// A verified lookup.
#[derive(Debug, Clone, Serialize)]
pub struct Lookup {
    /// The go.sum lines for the requested path and version.
    pub lines: Vec<String>,
    /// The record id (leaf index).
    pub record_id: i64,
    /// The tree the record was proven against.
    pub tree_size: i64,
    /// Where the response came from.
    pub source: AnswerSource,
    /// The exchange, when fetched.
    pub exchange: Option<Exchange>,
}

/// How a merged tree head related to the current one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Merge {
    /// Older than the current head (and consistent with it).
    Past,
    /// The same tree.
    Now,
    /// Newer, consistent, and now adopted.
    Future,
}

type TileResult = Result<(Vec<u8>, AnswerSource), TileError>;

/// One tile's data, fetched at most once successfully and shared by all readers.
type TileCell = OnceCell<(Vec<u8>, AnswerSource)>;

/// A lookup answer whose record was proven in the tree of `tree_n` records.
#[derive(Debug)]
struct ProvenRecord {
    text: Vec<u8>,
    id: i64,
    tree_n: i64,
    source: AnswerSource,
    exchange: Option<Exchange>,
}

struct Inner {
    http: Arc<HttpClient>,
    name: String,
    verifiers: Verifiers,
    cfg: SumdbConfig,
    latest: Mutex<(Tree, Vec<u8>)>,
    tiles: Mutex<HashMap<Tile, Arc<TileCell>>>,
    /// The inner nodes of complete tiles records' paths were read from (see
    /// [`SumdbClient::tile_nodes`]).
    tile_nodes: Mutex<HashMap<Tile, Arc<Vec<tlog::Hash>>>>,
    /// Tiles this client wrote to its cache (each is written once).
    tiles_written: Mutex<std::collections::HashSet<Tile>>,
    /// Signed notes already merged without error: a lookup answer carrying one of them (an
    /// older head the database still serves beside the newest) needs no second
    /// consistency check, which is what the first check established.
    merged_notes: Mutex<std::collections::HashSet<Vec<u8>>>,
    /// One merge at a time: the hundred lookup answers that arrive together carrying the
    /// same new head are merged once (the others then find it adopted or remembered), not
    /// on a hundred blocking threads at once.
    merge_lock: tokio::sync::Mutex<()>,
    /// gotrust's store of proven records (re-proven whenever read).
    pack: RecordPack,
    /// The Merkle paths of proven records up to a complete subtree (see `paths.rs`).
    paths: paths::PathStore,
    /// Lookups the database answered "not found", with when.
    not_found: not_found::NotFoundStore,
    /// How long a remembered "not found" answer is reused (`None`: always ask).
    not_found_max_age: Mutex<Option<std::time::Duration>>,
    /// The remembered answers this client reused, by lookup path: their age in seconds.
    reused_not_found: Mutex<HashMap<String, u64>>,
    /// Proven lookup records by lookup path, each fetched and proven at most once
    /// successfully (failures are retried, as for tiles).
    records: Mutex<HashMap<String, Arc<OnceCell<Arc<ProvenRecord>>>>>,
    /// Tiles already authenticated against the newest tree head: thousands of lookups
    /// against one head share them instead of re-hashing the same upper tiles each time.
    verified: VerifiedTiles,
    handle: tokio::runtime::Handle,
    warnings: Mutex<Vec<String>>,
    exchanges: Mutex<Vec<Exchange>>,
    /// Never make a request: answer from gotrust's and go's caches only.
    offline: bool,
    /// Whether gotrust's tile cache and go's sumdb cache existed when the client opened: a
    /// run with neither (a cold one) does not look for hundreds of files in them.
    /// (Set once this client writes a tile: a long run may need to read it back after
    /// its tiles in memory were dropped.)
    own_tiles_exist: std::sync::atomic::AtomicBool,
    go_cache_exists: bool,
}

/// The checksum-database client. Cheap to clone; clones share state.
#[derive(Clone)]
pub struct SumdbClient {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for SumdbClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SumdbClient")
            .field("name", &self.inner.name)
            .field("base", &self.inner.cfg.base)
            .finish_non_exhaustive()
    }
}

const TILE_MEMORY_MAX: usize = 1 << 16;
/// gotrust's record pack, in the database's state directory (see `record_pack.rs`).
const RECORD_PACK: &str = "records";
/// Lookups answered "not found", in the database's state directory (see `not_found.rs`).
const NOT_FOUND: &str = "not-found";
/// Proven records' Merkle paths, in the database's state directory (see `paths.rs`).
const RECORD_PATHS: &str = "paths";
/// When the stored head was last confirmed against `/latest`: `⟨tree size⟩ ⟨unix seconds⟩`.
const HEAD_CONFIRMED: &str = "latest-confirmed";
const HEAD_CONFIRMED_MAX: usize = 64;
/// Complete tiles whose inner nodes are kept (8 KiB each).
const TILE_NODES_MAX: usize = 2048;
/// Merged notes remembered (a run meets a handful of heads).
const MERGED_NOTES_MAX: usize = 4096;
/// Proven records kept in memory (go.sum files have at most a few thousand modules).
const RECORD_MEMORY_MAX: usize = 1 << 17;

impl SumdbClient {
    /// Parses the key and merges the stored tree heads: gotrust's own, then go's (read only).
    /// Merging may fetch tiles when the two differ; a fork between them is an error carrying
    /// the evidence.
    pub async fn new(http: Arc<HttpClient>, cfg: SumdbConfig) -> Result<Self, SumdbClientError> {
        Self::open(http, cfg, false).await
    }

    /// A client that never makes a request: lookups and tiles come only from gotrust's cache
    /// and go's (read only), and are verified exactly as network answers are, against the
    /// stored signed tree heads. What no cache holds fails with
    /// [`SumdbClientError::NotCached`]. The `http` client is kept only for type uniformity.
    pub async fn new_offline(
        http: Arc<HttpClient>,
        cfg: SumdbConfig,
    ) -> Result<Self, SumdbClientError> {
        Self::open(http, cfg, true).await
    }

    /// Whether this client answers from caches only.
    pub fn is_offline(&self) -> bool {
        self.inner.offline
    }

    async fn open(
        http: Arc<HttpClient>,
        cfg: SumdbConfig,
        offline: bool,
    ) -> Result<Self, SumdbClientError> {
        let verifier = Verifier::new(&cfg.key).map_err(SumdbClientError::Key)?;
        let name = verifier.name().to_string();
        let key_id = format!("{}+{:08x}", verifier.name(), verifier.key_hash());
        let (pack, pack_warning) = RecordPack::open(cfg.state_dir.join(RECORD_PACK));
        let inner = Arc::new(Inner {
            http,
            name,
            verifiers: Verifiers::new(vec![verifier]),
            latest: Mutex::new((
                Tree {
                    n: 0,
                    hash: EMPTY_TREE_HASH,
                },
                Vec::new(),
            )),
            tiles: Mutex::new(HashMap::new()),
            tile_nodes: Mutex::new(HashMap::new()),
            tiles_written: Mutex::new(std::collections::HashSet::new()),
            merged_notes: Mutex::new(std::collections::HashSet::new()),
            merge_lock: tokio::sync::Mutex::new(()),
            records: Mutex::new(HashMap::new()),
            pack,
            paths: paths::PathStore::new(cfg.state_dir.join(RECORD_PATHS)),
            not_found: not_found::NotFoundStore::new(cfg.state_dir.join(NOT_FOUND)),
            not_found_max_age: Mutex::new(None),
            reused_not_found: Mutex::new(HashMap::new()),
            verified: VerifiedTiles::new(),
            handle: tokio::runtime::Handle::current(),
            warnings: Mutex::new(Vec::new()),
            exchanges: Mutex::new(Vec::new()),
            offline,
            own_tiles_exist: std::sync::atomic::AtomicBool::new(
                cfg.state_dir.join("tile").is_dir(),
            ),
            go_cache_exists: cfg.go_cache.as_ref().is_some_and(|d| d.is_dir()),
            cfg,
        });
        let client = SumdbClient { inner };
        if let Some(w) = pack_warning {
            client.warn(w);
        }
        let own = client.inner.cfg.state_dir.join("latest");
        if let Some(msg) = read_nonempty(&own, gsumdb::MAX_LATEST_BYTES) {
            // The first head merged into an empty client is adopted as is (nothing to check it
            // against) and is the file's own content: it is not written back.
            client
                .adopt_stored(msg)
                .await
                .map_err(|e| match other_signers(&e) {
                    Some(signers) => SumdbClientError::StoredHeadOtherKey {
                        path: own.clone(),
                        signers,
                        key: key_id.clone(),
                    },
                    None => e,
                })?;
        }
        if let Some(go) = client.inner.cfg.go_latest.clone()
            && let Some(msg) = read_nonempty(&go, gsumdb::MAX_LATEST_BYTES)
        {
            match client.merge(msg).await {
                Ok(_) => {}
                Err(e @ SumdbClientError::Fork(_)) => return Err(e),
                // go fails on such a head ("note has no verifiable signatures") until the
                // file is removed (x/mod sumdb client `initWork` merges it first).
                Err(e) => match other_signers(&e) {
                    Some(signers) => client.warn(format!(
                        "go's tree head {} is signed by {signers}, not by the configured key {key_id}: go refuses this database until you remove {}",
                        go.display(),
                        go.display()
                    )),
                    None => client.warn(format!("go's tree head {} not used: {e}", go.display())),
                },
            }
        }
        Ok(client)
    }

    /// The database name (from the key).
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// The newest verified tree head (without copying its note).
    fn latest_tree(&self) -> Tree {
        self.inner
            .latest
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .0
    }

    /// Whether `msg` is, byte for byte, the signed note of the newest verified head.
    fn latest_note_is(&self, msg: &[u8]) -> bool {
        self.inner
            .latest
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .1
            == msg
    }

    /// The newest verified tree head and its signed note.
    pub fn latest(&self) -> (Tree, Vec<u8>) {
        self.inner
            .latest
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Non-fatal problems met so far (an unusable go tree head, cache write failures).
    pub fn warnings(&self) -> Vec<String> {
        self.inner
            .warnings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Every network exchange made so far (lookups, tiles, `/latest`).
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.inner
            .exchanges
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn warn(&self, w: String) {
        self.inner
            .warnings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(w);
    }

    /// Verifies a signed tree note and merges it into the current head: an older or equal
    /// tree must be contained in the current one, a newer one must contain it (then it is
    /// adopted and stored).
    pub async fn merge(&self, msg: Vec<u8>) -> Result<Merge, SumdbClientError> {
        if self.latest_note_is(&msg) {
            return Ok(Merge::Now);
        }
        // A note merged before is consistent with the head then, and that head with every
        // later one (each adopted only after its own check): it is in the past now.
        if self.note_merged(&msg) {
            return Ok(Merge::Past);
        }
        let _one_at_a_time = self.inner.merge_lock.lock().await;
        if self.latest_note_is(&msg) {
            return Ok(Merge::Now);
        }
        if self.note_merged(&msg) {
            return Ok(Merge::Past);
        }
        let me = self.clone();
        tokio::task::spawn_blocking(move || me.merge_blocking(&msg))
            .await
            .map_err(|e| SumdbClientError::Internal(e.to_string()))?
    }

    fn note_merged(&self, msg: &[u8]) -> bool {
        self.inner
            .merged_notes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(msg)
    }

    fn remember_merged(&self, msg: &[u8]) {
        let mut m = self
            .inner
            .merged_notes
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if m.len() < MERGED_NOTES_MAX {
            m.insert(msg.to_vec());
        }
    }

    /// Adopts gotrust's own stored head into a fresh client: verified like any note, but not
    /// written back to the file it came from (a warm run then writes nothing).
    async fn adopt_stored(&self, msg: Vec<u8>) -> Result<(), SumdbClientError> {
        let me = self.clone();
        tokio::task::spawn_blocking(move || {
            let opened = note::open(&msg, &me.inner.verifiers).map_err(|error| {
                SumdbClientError::TreeNote {
                    error,
                    note: String::from_utf8_lossy(&msg).into_owned(),
                }
            })?;
            let tree = tlog::parse_tree(opened.text.as_bytes()).map_err(|error| {
                SumdbClientError::Tree {
                    error,
                    text: opened.text.clone(),
                }
            })?;
            let mut l = me.inner.latest.lock().unwrap_or_else(|e| e.into_inner());
            if l.0.n == 0 {
                *l = (tree, msg);
                return Ok(());
            }
            drop(l);
            me.merge_blocking(&msg).map(|_| ())
        })
        .await
        .map_err(|e| SumdbClientError::Internal(e.to_string()))?
    }

    /// When gotrust last confirmed its stored head against the database's `/latest`
    /// ([`SumdbClient::note_head_confirmed`]): the tree size then and the time elapsed since,
    /// if the stored head is still that tree. A missing, unreadable or future-dated mark is
    /// `None`.
    pub fn head_confirmed(&self) -> Option<(i64, std::time::Duration)> {
        let text = read_nonempty(
            &self.inner.cfg.state_dir.join(HEAD_CONFIRMED),
            HEAD_CONFIRMED_MAX,
        )?;
        let text = String::from_utf8(text).ok()?;
        let (size, secs) = text.trim().split_once(' ')?;
        let size: i64 = size.parse().ok()?;
        let secs: u64 = secs.parse().ok()?;
        if size != self.latest_tree().n {
            return None;
        }
        let when = std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs);
        std::time::SystemTime::now()
            .duration_since(when)
            .ok()
            .map(|age| (size, age))
    }

    /// Whether gotrust's record pack holds a record for `path@version` (`/go.mod` suffix
    /// ignored): a lookup of it will most likely need no request (the record is still proven
    /// when read, and fetched again if it no longer proves).
    pub fn has_packed_record(&self, path: &str, version: &str) -> bool {
        let bare = version.strip_suffix("/go.mod").unwrap_or(version);
        self.inner.pack.get(path, bare).is_some()
    }

    /// Reuses a "not found" (404/410) lookup answer received at most `max_age` ago instead of
    /// asking again (`None`, the default: always ask, as go does). Such an answer can only
    /// fail a line, never verify one, so reusing it never widens what is trusted; it lets a
    /// run that trusts a recently confirmed head make no request at all.
    pub fn reuse_not_found_for(&self, max_age: Option<std::time::Duration>) {
        *self
            .inner
            .not_found_max_age
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = max_age;
    }

    /// The remembered "not found" answer for `path@version` (`/go.mod` suffix ignored) that a
    /// lookup would reuse now ([`SumdbClient::reuse_not_found_for`]), with its age.
    pub fn recent_not_found(&self, path: &str, version: &str) -> Option<std::time::Duration> {
        let rel = lookup_rel(path, version)?;
        self.recent_not_found_at(&rel).map(|(_, age)| age)
    }

    /// The age, in seconds, of the remembered "not found" answer a lookup of `path@version`
    /// (`/go.mod` suffix ignored) reused in this client, if it reused one.
    pub fn reused_not_found(&self, path: &str, version: &str) -> Option<u64> {
        let rel = lookup_rel(path, version)?;
        self.inner
            .reused_not_found
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&rel)
            .copied()
    }

    fn recent_not_found_at(
        &self,
        rel: &str,
    ) -> Option<(not_found::NotFoundAnswer, std::time::Duration)> {
        if self.inner.offline {
            return None;
        }
        let max = (*self
            .inner
            .not_found_max_age
            .lock()
            .unwrap_or_else(|e| e.into_inner()))?;
        let a = self.inner.not_found.recent(rel, max)?;
        let age = a.age()?;
        Some((a, age))
    }

    /// Records that the database's `/latest` was just fetched and found consistent with the
    /// newest verified head (the head check of `verify sums`).
    pub fn note_head_confirmed(&self) {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let file = self.inner.cfg.state_dir.join(HEAD_CONFIRMED);
        let text = format!("{} {secs}\n", self.latest_tree().n);
        if let Err(e) = write_atomic(&file, text.as_bytes()) {
            self.warn(format!("storing {}: {e}", file.display()));
        }
    }

    /// Fetches `/latest` and merges it. (go never requests `/latest`; gotrust uses it to
    /// check the database's current head.)
    pub async fn fetch_latest(&self) -> Result<(Merge, Tree), SumdbClientError> {
        if self.inner.offline {
            return Err(SumdbClientError::NotCached {
                what: "latest".into(),
            });
        }
        let url = self.inner.cfg.base.join_raw("latest");
        let (ex, body) = self
            .inner
            .http
            .get_bytes(&url, limits::LATEST)
            .await
            .map_err(SumdbClientError::Fetch)?;
        self.record(ex);
        let m = self.merge(body).await?;
        Ok((m, self.latest().0))
    }

    fn record(&self, ex: Exchange) {
        let mut v = self
            .inner
            .exchanges
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if v.len() < 100_000 {
            v.push(ex);
        }
    }

    /// Looks up `path@version` (version may end in `/go.mod`), verifies the record's inclusion
    /// in the newest tree head, and returns the matching go.sum lines.
    pub async fn lookup(&self, path: &str, version: &str) -> Result<Lookup, LookupError> {
        let wrap = |error| LookupError {
            path: path.to_string(),
            version: version.to_string(),
            error,
        };
        if self.inner.cfg.private.as_ref().is_some_and(|p| p(path)) {
            return Err(wrap(SumdbClientError::Private));
        }
        let bare = version.strip_suffix("/go.mod").unwrap_or(version);
        let epath = module::escape_path(path).map_err(|e| wrap(SumdbClientError::Escape(e)))?;
        let ever = module::escape_version(bare).map_err(|e| wrap(SumdbClientError::Escape(e)))?;
        let rel = format!("lookup/{epath}@{ever}");
        // `v` and `v/go.mod` share one record: it is fetched and proven once per client.
        let cell = {
            let mut m = self.inner.records.lock().unwrap_or_else(|e| e.into_inner());
            if m.len() >= RECORD_MEMORY_MAX {
                m.clear();
            }
            m.entry(rel.clone()).or_default().clone()
        };
        let first = std::sync::atomic::AtomicBool::new(false);
        let rec = cell
            .get_or_try_init(|| {
                first.store(true, std::sync::atomic::Ordering::Relaxed);
                self.fetch_record(rel, path, bare)
            })
            .await
            .map_err(wrap)?;
        let first = first.load(std::sync::atomic::Ordering::Relaxed);
        let text = String::from_utf8_lossy(&rec.text);
        Ok(Lookup {
            lines: gsumdb::record_lines(&text, path, version)
                .into_iter()
                .map(str::to_string)
                .collect(),
            record_id: rec.id,
            tree_size: rec.tree_n,
            source: rec.source,
            exchange: rec.exchange.clone().filter(|_| first),
        })
    }

    /// Proves the record of `path@version` from gotrust's record pack, else from the lookup
    /// answer at `rel` (a cached one, else fetched).
    async fn fetch_record(
        &self,
        rel: String,
        path: &str,
        version: &str,
    ) -> Result<Arc<ProvenRecord>, SumdbClientError> {
        if let Some((id, text)) = self.inner.pack.get(path, version) {
            // A stored record that no longer proves (a damaged pack, a head lost) is only a
            // cache miss: the answer is fetched again.
            if let Ok(tree_n) = self.prove_in_latest(id, &text).await {
                return Ok(Arc::new(ProvenRecord {
                    text: text.to_vec(),
                    id,
                    tree_n,
                    source: AnswerSource::GotrustCache,
                    exchange: None,
                }));
            }
        }
        // gotrust keeps records in its pack only; go's per-lookup files are read as go wrote
        // them.
        let from_go = self
            .inner
            .cfg
            .go_cache
            .as_ref()
            .filter(|_| self.inner.go_cache_exists)
            .and_then(|go| {
                read_nonempty(&go.join(&rel), gsumdb::MAX_LOOKUP_BYTES)
                    .map(|d| (d, AnswerSource::GoCache))
            });
        let (msg, source, exchange) = match from_go {
            Some((m, s)) => (m, s, None),
            None if self.inner.offline => {
                return Err(SumdbClientError::NotCached { what: rel });
            }
            None => {
                let url = self.inner.cfg.base.join_raw(&rel);
                if let Some((a, age)) = self.recent_not_found_at(&rel) {
                    // An answer this run received (for `v` before `v/go.mod`) is not an
                    // earlier run's: only those are reported as remembered.
                    if !self.inner.not_found.asked_now(&rel) {
                        self.inner
                            .reused_not_found
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .insert(rel.clone(), age.as_secs());
                    }
                    let kind = FetchErrorKind::NotFound {
                        status: a.status,
                        reason: a.reason,
                        server_message: a.message,
                    };
                    return Err(SumdbClientError::RecentNotFound {
                        fetch: FetchError::new(crate::redact::redact_text(url.as_str()), kind),
                        age_secs: age.as_secs(),
                    });
                }
                let (ex, body) = match self.inner.http.get_bytes(&url, limits::LOOKUP).await {
                    Ok(r) => r,
                    Err(e) => {
                        if let FetchErrorKind::NotFound {
                            status,
                            reason,
                            server_message,
                        } = &e.kind
                            && let Err(w) = self.inner.not_found.remember(
                                &rel,
                                *status,
                                reason,
                                server_message.as_deref(),
                            )
                        {
                            self.warn(format!(
                                "remembering that the database has no {path}@{version} in {}: {w}",
                                self.inner.cfg.state_dir.join(NOT_FOUND).display()
                            ));
                        }
                        return Err(SumdbClientError::Fetch(e));
                    }
                };
                self.record(ex.clone());
                (body, AnswerSource::Network, Some(ex))
            }
        };
        let (text, id, tree_n) = self.prove_record(&msg).await?;
        if let Err(e) = self.inner.pack.append(id, &text) {
            self.warn(format!(
                "caching the record of {path}@{version} in {}: {e}",
                self.inner.cfg.state_dir.join(RECORD_PACK).display()
            ));
        }
        Ok(Arc::new(ProvenRecord {
            text,
            id,
            tree_n,
            source,
            exchange,
        }))
    }

    fn cached(&self, rel: &str, max: usize) -> Option<(Vec<u8>, AnswerSource)> {
        if self
            .inner
            .own_tiles_exist
            .load(std::sync::atomic::Ordering::Relaxed)
            && let Some(d) = read_nonempty(&self.inner.cfg.state_dir.join(rel), max)
        {
            return Some((d, AnswerSource::GotrustCache));
        }
        let go = self
            .inner
            .cfg
            .go_cache
            .as_ref()
            .filter(|_| self.inner.go_cache_exists)?;
        read_nonempty(&go.join(rel), max).map(|d| (d, AnswerSource::GoCache))
    }

    /// Proves the record of a lookup answer: (record text, record id, tree size).
    ///
    /// Runs on the async runtime without blocking it: the proof is computed from tiles
    /// already in memory, and when it needs others they are fetched (concurrently) and the
    /// proof is computed again. With the tiles authenticated earlier ([`VerifiedTiles`])
    /// and a tree note byte-identical to the adopted one, that is a few hash-map lookups and
    /// one record hash, so thousands of lookups cost no thread hand-offs.
    async fn prove_record(&self, msg: &[u8]) -> Result<(Vec<u8>, i64, i64), SumdbClientError> {
        let resp = gsumdb::parse_lookup_response(msg).map_err(SumdbClientError::Response)?;
        if !self.latest_note_is(&resp.note) {
            self.merge(resp.note.clone()).await?;
        }
        let tree_n = self.prove_in_latest(resp.id, &resp.text).await?;
        Ok((resp.text, resp.id, tree_n))
    }

    /// Proves that record `id` of the log is `text`, in the newest tree head; returns the
    /// tree's size.
    ///
    /// With a path stored by an earlier proof ([`paths`]), the record's hash is lifted to the
    /// root of the complete subtree holding it and that root is proven instead: a few upper
    /// tiles every record shares, rather than the record's own tiles. A path that does not
    /// prove is only a cache miss: the record is then proven through its own tiles, and its
    /// path stored afresh.
    async fn prove_in_latest(&self, id: i64, text: &[u8]) -> Result<i64, SumdbClientError> {
        let tree = self.latest_tree();
        if id >= tree.n {
            return Err(SumdbClientError::NotInTree { id, n: tree.n });
        }
        let leaf = tlog::record_hash(text);
        if let Some((level, siblings)) = self.inner.paths.get(id)
            && subtree_complete(id, level, tree.n)
            && self
                .prove_stored_hash(tree, level, id >> level, paths::lift(leaf, id, &siblings))
                .await
                .is_ok()
        {
            // The subtree above a short path (stored while the next one up was incomplete)
            // may have completed since: the path is extended from the tile this proof just
            // read, so later runs need only the shared upper tiles again.
            if let Some(top) = path_level(id, tree.n)
                && top > level
                && let Some(more) = self.siblings_from_memory(id, level, top)
            {
                let mut longer = siblings;
                longer.extend(more);
                self.keep_path(id, &longer);
            }
            return Ok(tree.n);
        }
        // No usable stored path: the record's path is computed from its own tiles (fetched
        // beside each other) and the subtree root it leads to is proven through the upper
        // tiles. That is a Merkle inclusion proof like the one through authenticated tiles,
        // with half the hashing, and it yields the path to store.
        if let Some(level) = path_level(id, tree.n) {
            let own: Vec<Tile> = (0..level / gsumdb::TILE_HEIGHT)
                .map(|l| Tile {
                    h: gsumdb::TILE_HEIGHT,
                    l: i64::from(l),
                    n: id >> (gsumdb::TILE_HEIGHT * (l + 1)),
                    w: 1 << gsumdb::TILE_HEIGHT,
                })
                .collect();
            let fetched =
                futures_util::future::join_all(own.iter().map(|t| self.load_tile(*t))).await;
            if fetched.iter().all(Result::is_ok)
                && let Some(siblings) = self.path_from_memory(id, level)
                && self
                    .prove_stored_hash(tree, level, id >> level, paths::lift(leaf, id, &siblings))
                    .await
                    .is_ok()
            {
                self.keep_path(id, &siblings);
                return Ok(tree.n);
            }
        }
        // The proof through the record's own authenticated tiles: the reference, and the one
        // whose errors are reported (a tile that does not authenticate, a failed fetch).
        self.prove_stored_hash(tree, 0, id, leaf).await?;
        if let Some(siblings) = path_level(id, tree.n).and_then(|l| self.path_from_memory(id, l)) {
            self.keep_path(id, &siblings);
        }
        Ok(tree.n)
    }

    /// Proves that the stored hash of node `n` at `level` of `tree` is `want` (for level 0,
    /// that record `n` hashes to `want`).
    async fn prove_stored_hash(
        &self,
        tree: Tree,
        level: u32,
        n: i64,
        want: tlog::Hash,
    ) -> Result<(), SumdbClientError> {
        let index = tlog::stored_hash_index(level, n);
        let proof_error = |e: TlogError| {
            if let Some(what) = reader_offline_miss(&e) {
                return SumdbClientError::NotCached { what };
            }
            SumdbClientError::RecordProof {
                fetch: reader_fetch_error(&e),
                detail: e.to_string(),
            }
        };
        // Each round fetches every tile the proof still lacks; two rounds suffice (the plan
        // depends only on the tree and the index), a few more cover tiles evicted meanwhile.
        for _ in 0..4 {
            let (got, missing) = {
                let reader = MemoryReader {
                    client: self,
                    missing: std::cell::RefCell::new(Vec::new()),
                };
                let thr = TileHashReader::with_verified(tree, &reader, &self.inner.verified);
                let got = tlog::HashReader::read_hashes(&thr, &[index]);
                (got, reader.missing.into_inner())
            };
            match got {
                Ok(got) => {
                    if got.first() != Some(&want) {
                        return Err(SumdbClientError::RecordMismatch);
                    }
                    return Ok(());
                }
                Err(_) if !missing.is_empty() => {
                    let fetched =
                        futures_util::future::join_all(missing.iter().map(|t| self.load_tile(*t)))
                            .await;
                    if let Some(Err(e)) = fetched.into_iter().find(Result::is_err) {
                        return Err(proof_error(TlogError::Reader(Box::new(e))));
                    }
                }
                Err(e) => return Err(proof_error(e)),
            }
        }
        Err(SumdbClientError::Internal(
            "tiles kept disappearing from memory while proving a record".into(),
        ))
    }

    /// The sibling hashes on the path of record `id` up to the complete subtree of height
    /// `level` holding it (leaf side first), computed from the full tiles in memory; `None`
    /// if one is not there. Nothing here is trusted: the path proves only once the root it
    /// leads to matches the authenticated one.
    fn path_from_memory(&self, id: i64, level: u32) -> Option<Vec<tlog::Hash>> {
        self.siblings_from_memory(id, 0, level)
    }

    /// The sibling hashes at heights `from..to` of record `id`'s path, as
    /// [`SumdbClient::path_from_memory`].
    fn siblings_from_memory(&self, id: i64, from: u32, to: u32) -> Option<Vec<tlog::Hash>> {
        let height = gsumdb::TILE_HEIGHT;
        let mut siblings = Vec::with_capacity(to.saturating_sub(from) as usize);
        let mut held: Option<(Tile, Arc<TileCell>, Arc<Vec<tlog::Hash>>)> = None;
        for h in from..to {
            // The subtree is complete, so every tile under it is: read the full one.
            let level = h / height;
            let t = Tile {
                h: height,
                l: i64::from(level),
                n: id >> (height * (level + 1)),
                w: 1 << height,
            };
            if held.as_ref().is_none_or(|(ht, _, _)| *ht != t) {
                let cell = self
                    .inner
                    .tiles
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .get(&t)
                    .cloned()?;
                let nodes = self.tile_nodes(t, cell.get().map(|(d, _)| d.as_slice())?)?;
                held = Some((t, cell, nodes));
            }
            let (_, cell, nodes) = held.as_ref()?;
            let (data, _) = cell.get()?;
            let j = h - level * height;
            let p = (((id >> h) ^ 1) & ((1 << (height - j)) - 1)) as usize;
            siblings.push(paths::tile_node(data, nodes, height, j, p)?);
        }
        Some(siblings)
    }

    /// The inner nodes of complete tile `t` ([`paths::tile_inner_nodes`]), computed once and
    /// shared by the records under it.
    fn tile_nodes(&self, t: Tile, data: &[u8]) -> Option<Arc<Vec<tlog::Hash>>> {
        if let Some(n) = self
            .inner
            .tile_nodes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&t)
        {
            return Some(n.clone());
        }
        let nodes = Arc::new(paths::tile_inner_nodes(data, t.h)?);
        let mut m = self
            .inner
            .tile_nodes
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if m.len() >= TILE_NODES_MAX {
            m.clear();
        }
        m.insert(t, nodes.clone());
        Some(nodes)
    }

    /// Stores a record's path for later runs.
    fn keep_path(&self, id: i64, siblings: &[tlog::Hash]) {
        if let Err(e) = self.inner.paths.append(id, siblings) {
            self.warn(format!(
                "caching the Merkle path of record {id} in {}: {e}",
                self.inner.cfg.state_dir.join(RECORD_PATHS).display()
            ));
        }
    }

    fn merge_blocking(&self, msg: &[u8]) -> Result<Merge, SumdbClientError> {
        if msg.is_empty() {
            return Ok(if self.latest().0.n == 0 {
                Merge::Now
            } else {
                Merge::Past
            });
        }
        // Every lookup answer carries the database's signed head, nearly always the one
        // already adopted: the very bytes that were verified need no second signature check.
        if self.latest_note_is(msg) {
            return Ok(Merge::Now);
        }
        let opened =
            note::open(msg, &self.inner.verifiers).map_err(|error| SumdbClientError::TreeNote {
                error,
                note: String::from_utf8_lossy(msg).into_owned(),
            })?;
        let tree =
            tlog::parse_tree(opened.text.as_bytes()).map_err(|error| SumdbClientError::Tree {
                error,
                text: opened.text.clone(),
            })?;
        for _ in 0..100 {
            let (cur, cur_note) = self.latest();
            if tree.n <= cur.n {
                self.check_trees(tree, msg, cur, &cur_note)?;
                self.remember_merged(msg);
                return Ok(if tree.n < cur.n {
                    Merge::Past
                } else {
                    Merge::Now
                });
            }
            self.check_trees(cur, &cur_note, tree, msg)?;
            let adopted = {
                let mut l = self.inner.latest.lock().unwrap_or_else(|e| e.into_inner());
                if l.0 == cur {
                    *l = (tree, msg.to_vec());
                    true
                } else {
                    false
                }
            };
            if adopted {
                self.remember_merged(msg);
                self.store_latest(msg);
                return Ok(Merge::Future);
            }
        }
        Err(SumdbClientError::Internal(
            "tree head kept moving while merging".into(),
        ))
    }

    /// Writes the adopted head, unless the file already holds a newer one (another gotrust
    /// process); that one is merged on the next start.
    fn store_latest(&self, msg: &[u8]) {
        let file = self.inner.cfg.state_dir.join("latest");
        let lock_path = self.inner.cfg.state_dir.join("latest.lock");
        let res = (|| -> std::io::Result<()> {
            std::fs::create_dir_all(&self.inner.cfg.state_dir)?;
            let lock = std::fs::File::create(&lock_path)?;
            lock.lock()?;
            if let Some(current) = read_nonempty(&file, gsumdb::MAX_LATEST_BYTES)
                && let Ok(n) = note::open(&current, &self.inner.verifiers)
                && let Ok(t) = tlog::parse_tree(n.text.as_bytes())
                && t.n > self.latest().0.n
            {
                return Ok(());
            }
            write_atomic(&file, msg)
        })();
        if let Err(e) = res {
            self.warn(format!("storing tree head in {}: {e}", file.display()));
        }
    }

    fn check_trees(
        &self,
        older: Tree,
        older_note: &[u8],
        newer: Tree,
        newer_note: &[u8],
    ) -> Result<(), SumdbClientError> {
        let reader = Reader { client: self };
        let thr = TileHashReader::with_verified(newer, &reader, &self.inner.verified);
        let h =
            tlog::tree_hash(older.n, &thr).map_err(|e| tree_check_error(older.n, newer.n, e))?;
        if h == older.hash {
            return Ok(());
        }
        let report = gsumdb::misbehavior_report(older_note, older.n, newer, newer_note, h, &thr);
        let head = |t: Tree, note: &[u8]| TreeHead {
            n: t.n,
            hash: t.hash.to_string(),
            note: String::from_utf8_lossy(note).into_owned(),
        };
        Err(SumdbClientError::Fork(Box::new(ForkEvidence {
            older: head(older, older_note),
            newer: head(newer, newer_note),
            implied_hash: h.to_string(),
            report,
        })))
    }

    async fn read_tile(&self, t: Tile) -> TileResult {
        let cell = self.tile_cell(t);
        // Failures are not remembered (unlike go's per-process cache): a long-lived client
        // retries a tile whose fetch failed.
        cell.get_or_try_init(|| self.fetch_tile(t)).await.cloned()
    }

    /// Brings tile `t` into memory, as [`SumdbClient::read_tile`] without copying it out.
    async fn load_tile(&self, t: Tile) -> Result<(), TileError> {
        let cell = self.tile_cell(t);
        cell.get_or_try_init(|| self.fetch_tile(t))
            .await
            .map(|_| ())
    }

    fn tile_cell(&self, t: Tile) -> Arc<TileCell> {
        let mut m = self.inner.tiles.lock().unwrap_or_else(|e| e.into_inner());
        if m.len() >= TILE_MEMORY_MAX {
            m.clear();
        }
        m.entry(t).or_default().clone()
    }

    /// go's tile order (`golang.org/x/mod/sumdb/client.go` `readTiles`): exact tile from a cache, the full tile from a cache, the exact
    /// tile remotely, then the full tile remotely for a missing partial one.
    async fn fetch_tile(&self, t: Tile) -> TileResult {
        let want = t.data_len();
        let full = Tile { w: 1 << t.h, ..t };
        for (tile, exact) in [(t, true), (full, false)] {
            if !exact && t.is_full() {
                break;
            }
            if let Some((d, s)) = self.cached(&tile.path(), gsumdb::MAX_TILE_BYTES)
                && d.len() >= want
                && (!exact || d.len() == want)
            {
                return Ok((d[..want].to_vec(), s));
            }
        }
        if self.inner.offline {
            return Err(TileError::Offline(t.path()));
        }
        let fetch = |tile: Tile| async move {
            let url = self.inner.cfg.base.join_raw(&tile.path());
            let r = self.inner.http.get_bytes(&url, limits::TILE).await;
            if let Ok((ex, _)) = &r {
                self.record(ex.clone());
            }
            r.map(|(_, d)| d)
        };
        match fetch(t).await {
            Ok(d) => Ok((d, AnswerSource::Network)),
            Err(e) if !t.is_full() => match fetch(full).await {
                Ok(d) if d.len() >= want => Ok((d[..want].to_vec(), AnswerSource::Network)),
                _ => Err(TileError::Fetch(e)),
            },
            Err(e) => Err(TileError::Fetch(e)),
        }
    }
}
