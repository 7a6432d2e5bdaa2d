//! `gotrust verify sums`: every go.sum line checked against the checksum database.
//!
//! Mirrors what cmd/go does for a hash it has not verified yet
//! (`cmd/go/internal/modfetch/fetch.go` `checkSumDB`, `useSumDB`): a
//! module path matched by GONOSUMDB (or GOPRIVATE) is never sent; otherwise the database's
//! record for `path@version` is looked up, proven to be in the newest signed tree head through
//! tiles, and its lines are compared with the go.sum line. Unlike go, gotrust reports every
//! line with its result instead of stopping at the first failure.
//!
//! Lookups run concurrently (bounded here, and per host by [`HttpClient`]); one lookup is made
//! per `path@version` key however many lines and files name it; tiles are fetched once by the
//! shared [`SumdbClient`]. Before any lookup, the database's `/latest` head is merged into the
//! stored one: a fork (two heads that cannot both be honest) or a rollback (a smaller tree
//! than one the database already signed) is a database-level failure.
//!
//! Offline ([`open_database`] with `offline`): no request at all. Answers come from gotrust's
//! tree-head store and tile/lookup cache and from go's sumdb cache (read only), each record
//! proven against the stored signed head exactly as online; a line whose record, or a tile
//! its proof needs, is in no cache is skipped ([`SkipWhy::NotCached`], "not in the offline
//! cache"). `/latest` is not fetched, so a rollback since the last online run is not seen.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use gomod::pattern::PatternList;
use serde::Serialize;

use crate::env::GoEnv;
use crate::net::goproxy::{SumdbBase, hops};
use crate::net::http::HttpSetupError;
use crate::net::sumdb::{
    AnswerSource, BaseSource, ForkEvidence, Merge, ResolveError, SumdbClient, SumdbClientError,
    SumdbConfig, resolve_base,
};
use crate::net::{FetchErrorKind, HttpClient, HttpConfig, limits};
use crate::settings::Settings;
use crate::settings::sumdb::SumDb;

#[path = "sum_lines.rs"]
mod lines;

/// One go.sum file to check.
#[derive(Debug, Clone)]
pub struct GoSumInput {
    /// The file as the user named it (used in results and SARIF locations).
    pub path: PathBuf,
    /// Its bytes.
    pub data: Vec<u8>,
}

impl GoSumInput {
    /// Reads a go.sum file, refusing one over 64 MiB (no real go.sum comes close).
    pub fn read(path: &Path) -> Result<GoSumInput, VerifySetupError> {
        const MAX: u64 = GO_SUM_MAX;
        let err = |detail: String| VerifySetupError::Input {
            path: path.to_path_buf(),
            detail,
        };
        let meta = std::fs::metadata(path).map_err(|e| err(e.to_string()))?;
        if meta.len() > MAX {
            return Err(err(format!("larger than {MAX} bytes")));
        }
        let data = std::fs::read(path).map_err(|e| err(e.to_string()))?;
        Ok(GoSumInput {
            path: path.to_path_buf(),
            data,
        })
    }
}

/// Why verification could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VerifySetupError {
    /// An input file could not be read.
    #[error("{}: {detail}", path.display())]
    Input {
        /// The file.
        path: PathBuf,
        /// What failed.
        detail: String,
    },
    /// GOSUMDB (or another setting verification needs) does not parse.
    #[error("{0}")]
    Setting(String),
    /// The HTTP client could not be built.
    #[error(transparent)]
    Http(#[from] HttpSetupError),
    /// The database base URL could not be found (a proxy probe failed).
    #[error("finding the checksum database: {0}")]
    Resolve(Box<ResolveError>),
    /// The client could not start: bad key, or the stored tree heads already conflict.
    #[error("checksum database: {0}")]
    Client(Box<SumdbClientError>),
    /// No cache directory for gotrust's tree-head store.
    #[error("no cache directory: set GOTRUST_CACHE_DIR or HOME")]
    NoCacheDir,
}

impl From<ResolveError> for VerifySetupError {
    fn from(e: ResolveError) -> Self {
        VerifySetupError::Resolve(Box::new(e))
    }
}

impl From<SumdbClientError> for VerifySetupError {
    fn from(e: SumdbClientError) -> Self {
        VerifySetupError::Client(Box::new(e))
    }
}

/// The HTTP configuration go would use in `env`: its TLS roots and HTTP(S)_PROXY rules, and
/// the .netrc credentials only when GOAUTH consults it (GOAUTH=off sends none, as go). The
/// one configuration every command shares: [`HttpConfig::from_settings`].
pub fn http_config(settings: &Settings) -> HttpConfig {
    HttpConfig::from_settings(settings)
}

/// How the checksum database is reached, or why it is not.
#[derive(Clone)]
pub enum DatabaseAccess {
    /// No database: every line is skipped with this reason.
    Off {
        /// Why (`GOSUMDB=off`, or `--offline` with no cache directory).
        reason: String,
        /// GONOSUMDB as go computes it (GOPRIVATE when unset): which of the skipped paths
        /// are private, which public.
        nosumdb: String,
    },
    /// The database.
    On(Arc<Database>),
}

impl std::fmt::Debug for DatabaseAccess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DatabaseAccess::Off { reason, .. } => write!(f, "Off({reason})"),
            DatabaseAccess::On(db) => write!(f, "On({})", db.base),
        }
    }
}

/// An open checksum database.
#[derive(Debug)]
pub struct Database {
    /// The HTTP client (shared with the database client).
    pub http: Arc<HttpClient>,
    /// The client (tree-head store, tile cache).
    pub client: SumdbClient,
    /// The base URL.
    pub sumdb_base: SumdbBase,
    /// The base URL in use.
    pub base: String,
    /// How the base was found.
    pub base_source: BaseSource,
    /// GONOSUMDB as go computes it (GOPRIVATE when unset).
    pub nosumdb: String,
    patterns: PatternList,
}

impl Database {
    /// Wraps a client; `nosumdb` is the effective GONOSUMDB.
    pub fn new(
        http: Arc<HttpClient>,
        client: SumdbClient,
        sumdb_base: SumdbBase,
        base_source: BaseSource,
        nosumdb: &str,
    ) -> Database {
        Database {
            http,
            client,
            base: sumdb_base.0.to_string(),
            sumdb_base,
            base_source,
            nosumdb: nosumdb.to_string(),
            patterns: PatternList::parse(nosumdb),
        }
    }

    /// The GONOSUMDB pattern that makes `path` private, if any.
    pub fn private_pattern(&self, path: &str) -> Option<String> {
        self.patterns.matching(path).first().map(|p| p.text.clone())
    }
}

/// Opens the database `env` names, as go would reach it: GOSUMDB's explicit URL, else the
/// first GOPROXY entry that serves it, else `https://⟨name⟩` (`cmd/go/internal/modfetch/sumdb.go`
/// `dbClient.initBase`). gotrust's tree head and
/// cache live under `cache_root/sumdb/⟨name⟩`; go's tree head and download cache are read.
pub async fn open_database(
    env: &GoEnv,
    settings: &Settings,
    http: Arc<HttpClient>,
    cache_root: Option<&Path>,
    offline: bool,
) -> Result<DatabaseAccess, VerifySetupError> {
    open_database_reusing(env, settings, http, cache_root, offline, None).await
}

/// [`open_database`], reusing the base URL found through GOPROXY by an earlier run with the
/// same GOPROXY and GOSUMDB when that was at most `reuse_base` ago (kept in
/// `⟨cache root⟩/sumdb/⟨name⟩/base`). go finds the base once per process, before its first
/// request (`dbClient.initBase`); a run whose every record and tile is cached then makes no
/// request at all, where finding the base again would cost a TLS set-up and a round trip.
pub async fn open_database_reusing(
    env: &GoEnv,
    settings: &Settings,
    http: Arc<HttpClient>,
    cache_root: Option<&Path>,
    offline: bool,
    reuse_base: Option<std::time::Duration>,
) -> Result<DatabaseAccess, VerifySetupError> {
    let cfg = match &settings.sumdb {
        Err(e) => return Err(VerifySetupError::Setting(e.to_string())),
        Ok(SumDb::Off) => {
            return Ok(DatabaseAccess::Off {
                reason: "GOSUMDB=off: the checksum database is not consulted".into(),
                nosumdb: env.value("GONOSUMDB").to_string(),
            });
        }
        Ok(SumDb::Db(c)) => c,
    };
    let name = cfg.name().to_string();
    let resolved = if offline {
        // No request is made, so the base is only a label: GOSUMDB's URL, else the name.
        let text = cfg
            .url_text
            .clone()
            .unwrap_or_else(|| format!("https://{name}"));
        let url = url::Url::parse(&text)
            .map_err(|e| VerifySetupError::Setting(format!("invalid GOSUMDB URL {text:?}: {e}")))?;
        crate::net::sumdb::ResolvedBase {
            base: SumdbBase(url),
            source: BaseSource::Explicit,
            steps: Vec::new(),
        }
    } else {
        let proxy_hops = match &settings.proxy {
            Ok(list) => hops(list),
            Err(e) => return Err(VerifySetupError::Setting(e.to_string())),
        };
        let key = format!(
            "GOPROXY={}\nGOSUMDB={}",
            env.value("GOPROXY"),
            cfg.url_text.as_deref().unwrap_or("")
        );
        let memo = cache_root.map(|r| r.join("sumdb").join(&name).join("base"));
        let reused = match (&memo, reuse_base) {
            (Some(file), Some(age)) if cfg.url_text.is_none() => read_base_memo(file, &key, age),
            _ => None,
        };
        match reused {
            Some(r) => r,
            None => {
                let r = resolve_base(&http, &name, cfg.url_text.as_deref(), &proxy_hops).await?;
                if let Some(file) = &memo
                    && reuse_base.is_some()
                {
                    write_base_memo(file, &key, &r);
                }
                r
            }
        }
    };
    let root = match cache_root {
        Some(r) => r,
        None if offline => {
            return Ok(DatabaseAccess::Off {
                reason: "--offline and no cache directory (set GOTRUST_CACHE_DIR or HOME): nothing cached to verify against".into(),
                nosumdb: env.value("GONOSUMDB").to_string(),
            });
        }
        None => return Err(VerifySetupError::NoCacheDir),
    };
    let gopath = env.value("GOPATH");
    let first_gopath = std::env::split_paths(gopath)
        .next()
        .filter(|p| p.is_absolute());
    let modcache = PathBuf::from(env.value("GOMODCACHE"));
    let config = SumdbConfig {
        key: cfg.key_text.clone(),
        base: resolved.base.clone(),
        state_dir: root.join("sumdb").join(&name),
        go_latest: first_gopath.map(|g| g.join("pkg").join("sumdb").join(&name).join("latest")),
        go_cache: modcache
            .is_absolute()
            .then(|| modcache.join("cache/download/sumdb").join(&name)),
        private: None,
    };
    let client = if offline {
        SumdbClient::new_offline(http.clone(), config).await?
    } else {
        SumdbClient::new(http.clone(), config).await?
    };
    Ok(DatabaseAccess::On(Arc::new(Database::new(
        http,
        client,
        resolved.base,
        resolved.source,
        env.value("GONOSUMDB"),
    ))))
}

/// The base an earlier run found for the same GOPROXY and GOSUMDB (`key`), if found at most
/// `max_age` ago. The file: `⟨unix seconds⟩\n⟨hop index or "direct"⟩\n⟨base URL⟩\n⟨key⟩`.
fn read_base_memo(
    file: &Path,
    key: &str,
    max_age: std::time::Duration,
) -> Option<crate::net::sumdb::ResolvedBase> {
    let meta = std::fs::metadata(file).ok()?;
    if meta.len() > 64 * 1024 {
        return None;
    }
    let text = std::fs::read_to_string(file).ok()?;
    let mut parts = text.splitn(4, '\n');
    let secs: u64 = parts.next()?.parse().ok()?;
    let source = match parts.next()? {
        "direct" => BaseSource::Direct,
        hop => BaseSource::Proxy {
            hop: hop.parse().ok()?,
        },
    };
    let base = url::Url::parse(parts.next()?).ok()?;
    if parts.next()? != key {
        return None;
    }
    let age = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs))
        .ok()?;
    (age <= max_age).then(|| crate::net::sumdb::ResolvedBase {
        base: SumdbBase(base),
        source,
        steps: Vec::new(),
    })
}

fn write_base_memo(file: &Path, key: &str, r: &crate::net::sumdb::ResolvedBase) {
    let source = match r.source {
        BaseSource::Proxy { hop } => hop.to_string(),
        BaseSource::Direct => "direct".to_string(),
        BaseSource::Explicit => return,
    };
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let text = format!("{secs}\n{source}\n{}\n{key}", r.base.0);
    // Only a time saver: a failed write means the next run finds the base again.
    let _ = file
        .parent()
        .map(std::fs::create_dir_all)
        .transpose()
        .and_then(|_| std::fs::write(file, text));
}

/// Options of [`verify_sums`].
#[derive(Debug, Clone)]
pub struct SumsOptions {
    /// Lookups in flight at once (the HTTP client also bounds each host).
    pub concurrency: usize,
    /// Fetch the database's `/latest` first and merge it into the stored head (catches a
    /// rollback or fork even when every lookup is cached).
    pub check_latest: bool,
    /// Skip fetching `/latest` when gotrust confirmed its stored head against it at most
    /// this long ago and the head has not moved since ([`HeadCheck::Recent`]), and reuse a
    /// "not found" lookup answer received at most this long ago instead of asking again (it
    /// can only fail a line); `None`: fetch both on every run.
    pub head_max_age: Option<std::time::Duration>,
}

impl Default for SumsOptions {
    fn default() -> Self {
        SumsOptions {
            concurrency: 64,
            check_latest: true,
            head_max_age: None,
        }
    }
}

/// Why a line was not checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SkipWhy {
    /// GONOSUMDB / GOPRIVATE matches: the path is never sent.
    Private,
    /// GOSUMDB=off or `--offline`.
    DatabaseOff,
    /// The empty-go.mod hash an old go wrote; go ignores the line.
    IgnoredByGo,
    /// `--offline` and neither gotrust's nor go's cache holds the record or a tile its proof
    /// needs.
    NotCached,
}

/// How an error bears on the verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorClass {
    /// The database's answer did not verify (fork, bad signature, unproven record, malformed
    /// signed data): a failed verification (exit 1).
    Verification,
    /// No verdict could be reached (network, timeout, unreadable input): exit 2.
    Failure,
}

/// The result of one go.sum line.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum LineStatus {
    /// The database's proven record has exactly this line.
    Verified {
        /// Record id in the log.
        record_id: i64,
        /// Tree size the record was proven against.
        tree_size: i64,
        /// Where the lookup answer came from.
        source: AnswerSource,
    },
    /// The database records another hash.
    Mismatch {
        /// The go.sum hash.
        go_sum: String,
        /// The database's hashes for the same key.
        database: Vec<String>,
        /// Record id in the log.
        record_id: i64,
        /// Tree size the record was proven against.
        tree_size: i64,
    },
    /// The database has no record (404/410) for a path it covers: go refuses the module, so
    /// this fails verification.
    NotInDatabase {
        /// The HTTP status.
        http_status: u16,
        /// The server's reason (its text/plain body, as go shows it), else the status text.
        reason: String,
        /// The error go prints for the same line (`cmd/go/internal/modfetch/fetch.go`
        /// `checkSumDB` around `golang.org/x/mod/sumdb/client.go` `Lookup`).
        go_error: String,
        /// Seconds since the database gave this answer, when an answer remembered from an
        /// earlier run was reused instead of asking again (within
        /// [`SumsOptions::head_max_age`]); `None` when the database was asked in this run.
        cached_age_secs: Option<u64>,
    },
    /// Not checked.
    Skipped {
        /// Why.
        reason: SkipWhy,
        /// Details (the GONOSUMDB pattern, the GOSUMDB value).
        detail: String,
        /// Whether the path is private (matched by GONOSUMDB/GOPRIVATE): a skipped public
        /// path weighs more.
        private: bool,
    },
    /// No verdict, or a failed verification of the database itself.
    Error {
        /// How it bears on the verdict.
        class: ErrorClass,
        /// The message (go's text where go has one).
        message: String,
    },
}

impl LineStatus {
    /// The `status` name used in every output.
    pub fn name(&self) -> &'static str {
        match self {
            LineStatus::Verified { .. } => "verified",
            LineStatus::Mismatch { .. } => "mismatch",
            LineStatus::NotInDatabase { .. } => "not-in-database",
            LineStatus::Skipped { .. } => "skipped",
            LineStatus::Error { .. } => "error",
        }
    }

    /// Whether this result fails verification (exit 1): a mismatch, a line go would refuse
    /// (not in the database), or database data that did not verify.
    pub fn is_failure(&self) -> bool {
        matches!(
            self,
            LineStatus::Mismatch { .. }
                | LineStatus::NotInDatabase { .. }
                | LineStatus::Error {
                    class: ErrorClass::Verification,
                    ..
                }
        )
    }
}

/// One go.sum line and its result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LineResult {
    /// The go.sum file.
    pub file: PathBuf,
    /// 1-based line number.
    pub line: usize,
    /// Module path.
    pub module: String,
    /// Version field as written (`v1.2.3` or `v1.2.3/go.mod`).
    pub version: String,
    /// The go.sum hash.
    pub hash: String,
    /// The result.
    #[serde(flatten)]
    pub status: LineStatus,
}

/// What the database's current head showed.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "verdict", rename_all = "kebab-case")]
pub enum HeadCheck {
    /// `/latest` was not fetched.
    NotChecked,
    /// `/latest` was not fetched: an earlier run confirmed the stored head against it
    /// recently (within [`SumsOptions::head_max_age`]) and this run adopted no newer head.
    Recent {
        /// The stored tree size, as confirmed.
        size: i64,
        /// Seconds since the confirmation.
        age_secs: u64,
    },
    /// The served head extends (or equals) the stored one.
    Consistent {
        /// Served tree size.
        size: i64,
        /// How it related to the stored head.
        merge: Merge,
    },
    /// The database serves a smaller tree than it signed before: a rollback (freeze).
    RolledBack {
        /// The stored (newer) size.
        stored: i64,
        /// The served size.
        served: i64,
    },
    /// The served head contradicts a signed one.
    Fork(Box<ForkEvidence>),
    /// The served head failed verification (bad signature, malformed note, unproven tiles).
    Invalid {
        /// Why.
        message: String,
    },
    /// `/latest` could not be fetched.
    Unavailable {
        /// Why.
        message: String,
    },
}

/// The database part of a report.
#[derive(Debug, Clone, Serialize)]
pub struct DatabaseReport {
    /// Database name.
    pub name: String,
    /// Base URL (credentials redacted).
    pub base: String,
    /// How the base was found.
    pub base_source: BaseSource,
    /// Stored tree size before this run (0 for none).
    pub stored_size: i64,
    /// Verified tree size after this run.
    pub size: i64,
    /// The `/latest` check.
    pub head: HeadCheck,
    /// A fork met during lookups, with both notes.
    pub fork: Option<ForkEvidence>,
    /// Non-fatal problems (cache writes, unusable go tree head).
    pub warnings: Vec<String>,
    /// Network requests made.
    pub requests: usize,
    /// `--offline`: answers came from cached data only, proven against the stored head.
    pub offline: bool,
}

impl DatabaseReport {
    /// Whether the database itself failed verification.
    pub fn is_failure(&self) -> bool {
        self.fork.is_some()
            || matches!(
                self.head,
                HeadCheck::RolledBack { .. } | HeadCheck::Fork(_) | HeadCheck::Invalid { .. }
            )
    }
}

/// The result of `verify sums`.
#[derive(Debug, Clone)]
pub struct SumsReport {
    /// The files checked.
    pub files: Vec<PathBuf>,
    /// One result per go.sum line, in file then line order, held compactly (a million-line
    /// go.sum stays small): [`SumsReport::results`] builds each [`LineResult`] when asked.
    lines: lines::SumLines,
    /// The database, when one was consulted.
    pub database: Option<DatabaseReport>,
}

impl Serialize for SumsReport {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        let mut st = s.serialize_struct("SumsReport", 3)?;
        st.serialize_field("files", &self.files)?;
        st.serialize_field("results", &ResultsSeq(self))?;
        st.serialize_field("database", &self.database)?;
        st.end()
    }
}

/// Every line's result as a JSON sequence, each built as it is written.
struct ResultsSeq<'a>(&'a SumsReport);

impl Serialize for ResultsSeq<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.results())
    }
}

impl SumsReport {
    /// One result per go.sum line, in file then line order.
    pub fn results(&self) -> impl ExactSizeIterator<Item = LineResult> + '_ {
        (0..self.lines.len()).map(|i| self.lines.result(&self.files, i))
    }

    /// The number of go.sum lines judged.
    pub fn line_count(&self) -> usize {
        self.lines.len()
    }

    /// Whether some line was verified.
    pub fn any_verified(&self) -> bool {
        (0..self.lines.len()).any(|i| self.lines.status_name(i) == "verified")
    }

    /// A mismatch, fork, rollback or failed proof (exit 1).
    pub fn failed(&self) -> bool {
        (0..self.lines.len()).any(|i| self.lines.is_failure(i))
            || self
                .database
                .as_ref()
                .is_some_and(DatabaseReport::is_failure)
    }

    /// Some line got no verdict (exit 2 when nothing failed).
    pub fn incomplete(&self) -> bool {
        (0..self.lines.len()).any(|i| self.lines.is_incomplete(i))
    }

    /// How many results have each status name.
    pub fn counts(&self) -> Vec<(&'static str, usize)> {
        let names = [
            "verified",
            "mismatch",
            "not-in-database",
            "skipped",
            "error",
        ];
        let mut counts = [0usize; 5];
        for i in 0..self.lines.len() {
            let name = self.lines.status_name(i);
            if let Some(k) = names.iter().position(|n| *n == name) {
                counts[k] += 1;
            }
        }
        names.into_iter().zip(counts).collect()
    }
}

/// A go.sum file opened for `verify sums`, read line by line when verification starts.
#[derive(Debug)]
pub struct SumFile {
    path: PathBuf,
    file: std::fs::File,
}

impl SumFile {
    /// Opens a go.sum file, refusing one over 64 MiB (no real go.sum comes close).
    pub fn open(path: &Path) -> Result<SumFile, VerifySetupError> {
        let err = |detail: String| VerifySetupError::Input {
            path: path.to_path_buf(),
            detail,
        };
        let meta = std::fs::metadata(path).map_err(|e| err(e.to_string()))?;
        if meta.len() > GO_SUM_MAX {
            return Err(err(format!("larger than {GO_SUM_MAX} bytes")));
        }
        let file = std::fs::File::open(path).map_err(|e| err(e.to_string()))?;
        Ok(SumFile {
            path: path.to_path_buf(),
            file,
        })
    }

    /// The file as the user named it.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// The largest go.sum gotrust reads.
const GO_SUM_MAX: u64 = 64 << 20;

/// The outcome of one database lookup, shared by every line with its key.
#[derive(Debug, Clone)]
pub enum LookupOutcome {
    /// A proven record: its lines for the key.
    Found {
        /// Lines (`path version hash`).
        lines: Vec<String>,
        /// Record id.
        record_id: i64,
        /// Tree size.
        tree_size: i64,
        /// Answer source.
        source: AnswerSource,
    },
    /// Not in the database.
    NotFound {
        /// HTTP status.
        status: u16,
        /// Server reason.
        reason: String,
    },
    /// `--offline`: the record, or a tile its proof needs, is in no cache.
    NotCached {
        /// What was missing (`lookup/…`, `tile/…`).
        what: String,
    },
    /// Failed.
    Failed {
        /// Class.
        class: ErrorClass,
        /// Message.
        message: String,
        /// Fork evidence, if the failure is a fork.
        fork: Option<Box<ForkEvidence>>,
    },
}

/// Classifies a client error: failures of the database's signed data are verification
/// failures; transport and local problems are not.
pub fn classify(e: &SumdbClientError) -> ErrorClass {
    match e {
        SumdbClientError::Fork(_)
        | SumdbClientError::TreeNote { .. }
        | SumdbClientError::Tree { .. }
        | SumdbClientError::NotInTree { .. }
        | SumdbClientError::RecordMismatch
        | SumdbClientError::Response(_) => ErrorClass::Verification,
        SumdbClientError::TreeCheck { fetch: None, .. }
        | SumdbClientError::RecordProof { fetch: None, .. } => ErrorClass::Verification,
        _ => ErrorClass::Failure,
    }
}

/// Looks up one key and turns the answer into a [`LookupOutcome`].
pub async fn lookup_outcome(client: &SumdbClient, module: &str, version: &str) -> LookupOutcome {
    match client.lookup(module, version).await {
        Ok(l) => LookupOutcome::Found {
            lines: l.lines,
            record_id: l.record_id,
            tree_size: l.tree_size,
            source: l.source,
        },
        Err(e) => {
            if let SumdbClientError::Fetch(f) | SumdbClientError::RecentNotFound { fetch: f, .. } =
                &e.error
                && let FetchErrorKind::NotFound {
                    status,
                    reason,
                    server_message,
                } = &f.kind
            {
                return LookupOutcome::NotFound {
                    status: *status,
                    reason: server_message
                        .clone()
                        .filter(|m| !m.is_empty())
                        .unwrap_or_else(|| format!("{status} {reason}")),
                };
            }
            if let SumdbClientError::NotCached { what } = &e.error {
                return LookupOutcome::NotCached { what: what.clone() };
            }
            let fork = match &e.error {
                SumdbClientError::Fork(ev) => Some(ev.clone()),
                _ => None,
            };
            LookupOutcome::Failed {
                class: classify(&e.error),
                message: e.to_string(),
                fork,
            }
        }
    }
}

/// Compares one go.sum line with a lookup outcome.
pub fn judge(module: &str, version: &str, hash: &str, outcome: &LookupOutcome) -> LineStatus {
    match outcome {
        LookupOutcome::Found {
            lines,
            record_id,
            tree_size,
            source,
        } => {
            let want = format!("{module} {version} {hash}");
            if lines.contains(&want) {
                LineStatus::Verified {
                    record_id: *record_id,
                    tree_size: *tree_size,
                    source: *source,
                }
            } else {
                LineStatus::Mismatch {
                    go_sum: hash.to_string(),
                    database: lines
                        .iter()
                        .filter_map(|l| l.rsplit(' ').next())
                        .map(str::to_string)
                        .collect(),
                    record_id: *record_id,
                    tree_size: *tree_size,
                }
            }
        }
        LookupOutcome::NotFound { status, reason } => LineStatus::NotInDatabase {
            http_status: *status,
            reason: reason.clone(),
            go_error: format!(
                "{}@{}: verifying {}: {module}@{version}: {status} {reason}",
                module,
                version.strip_suffix("/go.mod").unwrap_or(version),
                if version.ends_with("/go.mod") {
                    "go.mod"
                } else {
                    "module"
                },
            ),
            cached_age_secs: None,
        },
        // Only paths the database covers are looked up, so the line is a public one.
        LookupOutcome::NotCached { what } => LineStatus::Skipped {
            reason: SkipWhy::NotCached,
            detail: format!("not in the offline cache ({what})"),
            private: false,
        },
        LookupOutcome::Failed { class, message, .. } => LineStatus::Error {
            class: *class,
            message: message.clone(),
        },
    }
}

/// Fetches the database's `/latest`, verifies it and merges it into the stored head: a
/// smaller tree than the stored one is a rollback, a contradicting one a fork.
pub async fn check_head(http: &HttpClient, client: &SumdbClient, base: &SumdbBase) -> HeadCheck {
    let stored = client.latest().0.n;
    let url = base.join_raw("latest");
    let body = match http.get_bytes(&url, limits::LATEST).await {
        Ok((_, b)) => b,
        Err(e) => {
            return HeadCheck::Unavailable {
                message: e.to_string(),
            };
        }
    };
    // The size is read from the note text only for the report; `merge` verifies it.
    let served = note_tree_size(&body);
    match client.merge(body).await {
        Ok(Merge::Past) => HeadCheck::RolledBack {
            stored,
            served: served.unwrap_or(-1),
        },
        Ok(merge) => {
            client.note_head_confirmed();
            HeadCheck::Consistent {
                size: client.latest().0.n,
                merge,
            }
        }
        Err(SumdbClientError::Fork(ev)) => HeadCheck::Fork(ev),
        Err(e) => match classify(&e) {
            ErrorClass::Verification => HeadCheck::Invalid {
                message: e.to_string(),
            },
            ErrorClass::Failure => HeadCheck::Unavailable {
                message: e.to_string(),
            },
        },
    }
}

fn note_tree_size(msg: &[u8]) -> Option<i64> {
    let text = std::str::from_utf8(msg).ok()?;
    let (body, _) = text.split_once("\n\n")?;
    gomod::tlog::parse_tree(format!("{body}\n").as_bytes())
        .ok()
        .map(|t| t.n)
}

/// Receives each go.sum line's result as soon as it is judged (lines come in no particular
/// order), so a front end can print results as they are proven and draw progress.
pub trait LineSink: Sync {
    /// The number of lines that will be judged.
    fn total(&self, _lines: usize) {}
    /// One line's result.
    fn judged(&self, _line: &LineResult) {}
}

/// A [`LineSink`] that ignores everything.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoSink;

impl LineSink for NoSink {}

/// Verifies every line of `files` against `db`.
pub async fn verify_sums(
    files: &[GoSumInput],
    db: &DatabaseAccess,
    opts: &SumsOptions,
) -> SumsReport {
    verify_sums_with(files, db, opts, &NoSink).await
}

/// [`verify_sums`], handing each line's result to `sink` as soon as it is known.
pub async fn verify_sums_with(
    files: &[GoSumInput],
    db: &DatabaseAccess,
    opts: &SumsOptions,
    sink: &dyn LineSink,
) -> SumsReport {
    let mut b = lines::Builder::default();
    for (i, f) in files.iter().enumerate() {
        if let Err(e) = b.read_file(i, f.data.as_slice()) {
            b.push_error(i, e.to_string());
        }
    }
    judge_lines(
        files.iter().map(|f| f.path.clone()).collect(),
        b,
        db,
        opts,
        sink,
    )
    .await
}

/// [`verify_sums_with`] over files on disk, each read line by line (never held whole): a
/// million-line go.sum costs a fixed record per line plus its text once.
pub async fn verify_sum_files_with(
    files: &[SumFile],
    db: &DatabaseAccess,
    opts: &SumsOptions,
    sink: &dyn LineSink,
) -> Result<SumsReport, VerifySetupError> {
    use std::io::Read as _;
    let mut b = lines::Builder::default();
    for (i, f) in files.iter().enumerate() {
        let err = |detail: String| VerifySetupError::Input {
            path: f.path.clone(),
            detail,
        };
        // The size was checked at open; the cap holds even if the file grew since.
        let mut input = std::io::BufReader::with_capacity(1 << 16, (&f.file).take(GO_SUM_MAX + 1));
        b.read_file(i, &mut input).map_err(|e| err(e.to_string()))?;
        if input.into_inner().limit() == 0 {
            return Err(err(format!("larger than {GO_SUM_MAX} bytes")));
        }
    }
    Ok(judge_lines(
        files.iter().map(|f| f.path.clone()).collect(),
        b,
        db,
        opts,
        sink,
    )
    .await)
}

/// Keys looked up per round: lookups of one round run concurrently; rounds bound the memory
/// the lookup machinery holds for a go.sum of a million keys.
const LOOKUP_ROUND: usize = 8192;

async fn judge_lines(
    paths: Vec<PathBuf>,
    builder: lines::Builder,
    db: &DatabaseAccess,
    opts: &SumsOptions,
    sink: &dyn LineSink,
) -> SumsReport {
    let (mut lines, mut fanout) = builder.finish();
    sink.total(lines.len());
    let judged = |lines: &lines::SumLines, i: usize| sink.judged(&lines.result(&paths, i));
    let database = match db {
        DatabaseAccess::Off { reason, nosumdb } => {
            let patterns = PatternList::parse(nosumdb);
            for i in 0..lines.len() {
                if lines.is_waiting(i) {
                    let private = !patterns.matching(lines.fields(i).0).is_empty();
                    let status = LineStatus::Skipped {
                        reason: SkipWhy::DatabaseOff,
                        detail: reason.clone(),
                        private,
                    };
                    lines.set_shared(&mut fanout, i, status);
                }
                judged(&lines, i);
            }
            None
        }
        DatabaseAccess::On(d) => {
            let stored_size = d.client.latest().0.n;
            // One lookup per key, however many lines name it; lines already judged (malformed,
            // private) are settled at once, in file order.
            let mut private: Vec<Option<String>> = Vec::with_capacity(fanout.keys());
            for k in 0..fanout.keys() {
                let module = fanout.first_line(k).map(|i| lines.fields(i).0);
                private.push(module.and_then(|m| d.private_pattern(m)));
            }
            for i in 0..lines.len() {
                if let Some(k) = lines.waiting_key(i) {
                    let Some(pat) = &private[k] else { continue };
                    let status = LineStatus::Skipped {
                        reason: SkipWhy::Private,
                        detail: format!("GONOSUMDB pattern {pat:?} matches; path not sent"),
                        private: true,
                    };
                    lines.set_shared(&mut fanout, i, status);
                }
                judged(&lines, i);
            }
            let keys: Vec<usize> = (0..fanout.keys())
                .filter(|&k| private[k].is_none())
                .collect();
            drop(private);
            // The head check waits on the network while lookups answered from the record
            // pack are proven: run both at once. Each merges what it sees into the same
            // client, so a fork or rollback is caught whichever comes first.
            // Offline, the stored heads are the reference: nothing is fetched.
            // A run answered wholly from the record pack needs no request but `/latest`; if
            // that head was confirmed recently, it is not fetched again. Any record to fetch
            // means a request anyway, and the head check runs beside it.
            // A "not found" answered within the same window is reused rather than asked
            // again: it can only fail a line, and it is said so in the line's result.
            d.client.reuse_not_found_for(opts.head_max_age);
            let recent = opts
                .head_max_age
                .filter(|_| {
                    keys.iter().all(|&k| {
                        fanout.first_line(k).is_some_and(|i| {
                            let (m, v, _) = lines.fields(i);
                            d.client.has_packed_record(m, v)
                                || d.client.recent_not_found(m, v).is_some()
                        })
                    })
                })
                .and_then(|max| d.client.head_confirmed().filter(|(_, age)| *age <= max));
            let head = async {
                if !opts.check_latest || d.client.is_offline() {
                    HeadCheck::NotChecked
                } else if let Some((size, age)) = recent {
                    HeadCheck::Recent {
                        size,
                        age_secs: age.as_secs(),
                    }
                } else {
                    check_head(&d.http, &d.client, &d.sumdb_base).await
                }
            };
            let mut fork = None;
            let lookups = async {
                for round in keys.chunks(LOOKUP_ROUND) {
                    let mut ids: HashMap<(String, String), usize> =
                        HashMap::with_capacity(round.len());
                    let mut batch = Vec::with_capacity(round.len());
                    for &k in round {
                        if let Some(i) = fanout.first_line(k) {
                            let (m, v, _) = lines.fields(i);
                            let key = (m.to_string(), v.to_string());
                            ids.insert(key.clone(), k);
                            batch.push(key);
                        }
                    }
                    lookup_each(&d.client, batch, opts.concurrency, |key, o| {
                        let Some(k) = ids.remove(&key) else { return };
                        if let LookupOutcome::Failed { fork: Some(ev), .. } = &o {
                            fork = Some((**ev).clone());
                        }
                        settle_key(&mut lines, &mut fanout, k, &o, d);
                        for i in fanout.lines(k) {
                            judged(&lines, i);
                        }
                    })
                    .await;
                }
            };
            let (head, ()) = tokio::join!(head, lookups);
            for i in 0..lines.len() {
                if lines.is_waiting(i) {
                    let status = LineStatus::Error {
                        class: ErrorClass::Failure,
                        message: "internal error: lookup missing".into(),
                    };
                    lines.set_shared(&mut fanout, i, status);
                    judged(&lines, i);
                }
            }
            Some(DatabaseReport {
                name: d.client.name().to_string(),
                base: crate::redact::redact_text(&d.base),
                base_source: d.base_source.clone(),
                stored_size,
                size: d.client.latest().0.n,
                head,
                fork,
                warnings: d.client.warnings(),
                requests: d.client.exchanges().len(),
                offline: d.client.is_offline(),
            })
        }
    };
    SumsReport {
        files: paths,
        lines,
        database,
    }
}

/// Gives every line of key `k` its result from the key's lookup outcome: a record is
/// compared line by line (hashes differ), anything else is the same for every line.
fn settle_key(
    lines: &mut lines::SumLines,
    fanout: &mut lines::Fanout,
    k: usize,
    o: &LookupOutcome,
    d: &Database,
) {
    let Some(first) = fanout.first_line(k) else {
        return;
    };
    match o {
        LookupOutcome::Found { .. } => {
            for i in fanout.lines(k).collect::<Vec<_>>() {
                let (m, v, h) = lines.fields(i);
                let status = judge(m, v, h, o);
                lines.set(i, status);
            }
        }
        LookupOutcome::NotCached { what } => {
            let (m, v, h) = lines.fields(first);
            let own = lines::names_own_lookup(m, v, what);
            let status = judge(m, v, h, o);
            for i in fanout.lines(k).collect::<Vec<_>>() {
                // A missing tile is shared by many keys: its result is stored once.
                if own {
                    lines.set(i, status.clone());
                } else {
                    lines.set_shared(fanout, i, status.clone());
                }
            }
        }
        LookupOutcome::NotFound { .. } | LookupOutcome::Failed { .. } => {
            let (m, v, h) = lines.fields(first);
            let mut status = judge(m, v, h, o);
            if let LineStatus::NotInDatabase {
                go_error,
                cached_age_secs,
                ..
            } = &mut status
                && let LookupOutcome::NotFound {
                    status: code,
                    reason,
                } = o
            {
                *go_error = not_found_text(d, m, v, *code, reason);
                *cached_age_secs = d.client.reused_not_found(m, v);
            }
            let all: Vec<usize> = fanout.lines(k).collect();
            lines.set_all(all.into_iter(), status);
        }
    }
}

/// go's error for a go.sum line whose lookup answered 404/410: `checkSumDB` wraps the
/// client's `path@version: reading URL: 404 Not Found` (`golang.org/x/mod/sumdb/client.go`
/// `Lookup`, `cmd/go/internal/modfetch/sumdb.go` `ReadRemote`) in `path@version: verifying
/// module: …` (`verifying go.mod` for a `/go.mod` line), with the server's text/plain body
/// under `server response:`.
pub(crate) fn not_found_text(
    d: &Database,
    module: &str,
    version: &str,
    status: u16,
    reason: &str,
) -> String {
    let bare = version.strip_suffix("/go.mod").unwrap_or(version);
    let noun = if version.ends_with("/go.mod") {
        "go.mod"
    } else {
        "module"
    };
    let url = match (
        gomod::module::escape_path(module),
        gomod::module::escape_version(bare),
    ) {
        (Ok(p), Ok(v)) => d
            .sumdb_base
            .join_raw(&format!("lookup/{p}@{v}"))
            .to_string(),
        _ => format!("{}/lookup/{module}@{bare}", d.base.trim_end_matches('/')),
    };
    let status_line = match reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|c| c.canonical_reason())
    {
        Some(text) => format!("{status} {text}"),
        None => status.to_string(),
    };
    let fetch = if reason == status_line || reason.is_empty() {
        format!("reading {url}: {status_line}")
    } else {
        let sep = if reason.contains('\n') { "\n\t" } else { " " };
        format!("reading {url}: {status_line}\n\tserver response:{sep}{reason}")
    };
    crate::redact::redact_text(&format!(
        "{module}@{bare}: verifying {noun}: {module}@{version}: {fetch}"
    ))
}

/// Runs the lookups of `keys` with at most `concurrency` in flight and returns every outcome.
pub async fn lookup_all(
    client: &SumdbClient,
    keys: Vec<(String, String)>,
    concurrency: usize,
) -> HashMap<(String, String), LookupOutcome> {
    let mut all = HashMap::with_capacity(keys.len());
    lookup_each(client, keys, concurrency, |k, o| {
        all.insert(k, o);
    })
    .await;
    all
}

/// Runs the lookups of `keys` with at most `concurrency` in flight, handing each outcome to
/// `on` as soon as it is known. Keys for a go.mod line wait for the bare key of the same
/// version when both are present, so the second is answered from the lookup cache.
pub async fn lookup_each(
    client: &SumdbClient,
    keys: Vec<(String, String)>,
    concurrency: usize,
    mut on: impl FnMut((String, String), LookupOutcome),
) {
    // Group `v` and `v/go.mod` of one module: one task does both, in that order.
    let mut groups: Vec<Vec<(String, String)>> = Vec::new();
    let mut index: HashMap<(String, String), usize> = HashMap::new();
    for (m, v) in keys {
        let bare = v.strip_suffix("/go.mod").unwrap_or(&v).to_string();
        let g = *index.entry((m.clone(), bare)).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[g].push((m, v));
    }
    for g in &mut groups {
        g.sort_by_key(|(_, v)| v.ends_with("/go.mod"));
    }
    // One task per core, each polling its share: the work between requests is a few
    // hash-map lookups and a record hash, so a task per lookup cost more in spawning and
    // wake-ups than it saved, while one task for all left the other cores idle on a warm run.
    use futures_util::StreamExt as _;
    let total = groups.len();
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 16)
        .min(total.max(1));
    let per_worker = concurrency.max(1).div_ceil(workers);
    let mut shares: Vec<Vec<Vec<(String, String)>>> = (0..workers).map(|_| Vec::new()).collect();
    for (i, g) in groups.into_iter().enumerate() {
        shares[i % workers].push(g);
    }
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut set = tokio::task::JoinSet::new();
    for share in shares {
        let client = client.clone();
        let tx = tx.clone();
        set.spawn(async move {
            let client = &client;
            let mut done = futures_util::stream::iter(share)
                .map(|g| async move {
                    let mut out = Vec::with_capacity(g.len());
                    for (m, v) in g {
                        let o = lookup_outcome(client, &m, &v).await;
                        out.push(((m, v), o));
                    }
                    out
                })
                .buffer_unordered(per_worker);
            while let Some(v) = done.next().await {
                for x in v {
                    // The receiver lives until every task ends.
                    let _ = tx.send(x);
                }
            }
        });
    }
    drop(tx);
    while let Some((k, o)) = rx.recv().await {
        on(k, o);
    }
    while set.join_next().await.is_some() {}
}
