//! The GOPROXY protocol client and go's walk over a GOPROXY list.
//!
//! Mirrors `cmd/go/internal/modfetch/proxy.go`: request URLs are the base path without its
//! trailing `/`, then the `!`-escaped module path and `/@v/list`, `/@v/⟨v⟩.info`, `.mod`,
//! `.zip` or `/@latest`, percent-encoded like Go's `url.PathEscape` with `%2F` turned back
//! into `/` (so `!` travels as `%21`, proxy.go `pathEscape`); `file://` bases read the unescaped
//! file names. [`try_proxies`] is `TryProxies`: after a `,` only a not-found-class error
//! moves on, after a `|` any error does, and the error reported is the most helpful one seen.

use std::future::Future;
use std::path::Path;

use gomod::module::{self, ModuleError, semver};
use serde::Serialize;
use tokio::io::AsyncWrite;
use url::Url;

use super::error::{FetchError, FetchErrorKind};
use super::http::{Exchange, HttpClient, limits};
use crate::redact::redact_url as redact;

/// A failure of one proxy operation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProxyError {
    /// The request failed (status, transport, TLS, timeout, size).
    #[error(transparent)]
    Fetch(#[from] FetchError),
    /// The proxy base URL is not usable (go's `newProxyRepo` checks).
    #[error("{0}")]
    BadBase(String),
    /// The module path or version cannot be escaped.
    #[error(transparent)]
    Module(#[from] ModuleError),
    /// `.info` / `@latest` was not the JSON go expects.
    #[error("invalid response from proxy {base:?}: {detail}")]
    InvalidResponse {
        /// The redacted base URL.
        base: String,
        /// What was wrong.
        detail: String,
    },
    /// The proxy answered `.info` for a canonical version with another version.
    #[error("proxy returned info for version {got} instead of requested version")]
    WrongVersion {
        /// The version in the answer.
        got: String,
    },
    /// A `.zip` over 500 MiB.
    #[error("downloaded zip file too large")]
    ZipTooLarge,
    /// The downloaded zip could not be hashed (not a zip, bad entries).
    #[error("hashing downloaded zip: {0}")]
    ZipHash(String),
    /// Writing the download to disk failed.
    #[error("{0}")]
    Io(String),
}

impl ProxyError {
    /// go's not-found class: a 404 or 410 answer.
    pub fn is_not_found(&self) -> bool {
        matches!(self, ProxyError::Fetch(e) if e.is_not_found())
    }
}

/// How a proxy answered a request, judged the way go's fetch path judges it
/// (`cmd/go/internal/modfetch/proxy.go` `TryProxies`, `cmd/go/internal/web` `HTTPError`):
/// only 404 and 410 are "not found" (a `,` GOPROXY list moves on); any other status is an
/// error that stops the walk. 401, 403 and 400 are set apart because filters and access rules
/// answer them for modules they block: such a module is refused, neither missing nor served.
/// `gotrust probe` and `gotrust verify proxy` both judge answers with [`answer_class`], so
/// the same 403 gets the same verdict from each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerClass {
    /// 404 or 410: go's not-found class.
    NotFound {
        /// The status.
        status: u16,
    },
    /// 400, 401 or 403: refused by the server (a filter, authentication, an access rule).
    Refused {
        /// The status.
        status: u16,
    },
    /// Any other status.
    Status {
        /// The status.
        status: u16,
    },
    /// 200 with a body go cannot use (`.info` not JSON or for another version).
    Invalid,
    /// Certificate or handshake failure.
    Tls,
    /// No answer: DNS, connect, timeout.
    Unreachable,
    /// Anything else (size limit, redirect problem, I/O).
    Other,
}

impl AnswerClass {
    /// Whether a `,` GOPROXY list moves to its next entry after this answer.
    pub fn falls_through(&self) -> bool {
        matches!(self, AnswerClass::NotFound { .. })
    }
}

/// Classifies a failed proxy request (see [`AnswerClass`]).
pub fn answer_class(e: &ProxyError) -> AnswerClass {
    match e {
        ProxyError::Fetch(f) => match &f.kind {
            FetchErrorKind::NotFound { status, .. } => AnswerClass::NotFound { status: *status },
            FetchErrorKind::Status { status, .. } if matches!(status, 400 | 401 | 403) => {
                AnswerClass::Refused { status: *status }
            }
            FetchErrorKind::Status { status, .. } => AnswerClass::Status { status: *status },
            FetchErrorKind::Tls { .. } => AnswerClass::Tls,
            FetchErrorKind::Transport { .. } | FetchErrorKind::Timeout { .. } => {
                AnswerClass::Unreachable
            }
            _ => AnswerClass::Other,
        },
        ProxyError::InvalidResponse { .. } | ProxyError::WrongVersion { .. } => {
            AnswerClass::Invalid
        }
        _ => AnswerClass::Other,
    }
}

/// A `.info` / `@latest` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RevInfo {
    /// `Version`.
    pub version: String,
    /// `Time`, as sent (RFC 3339).
    pub time: String,
    /// `Origin`, if the proxy sent one (unauthenticated metadata).
    pub origin: Option<serde_json::Value>,
}

/// One `@v/list` line, split like go (`strings.Fields`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListLine {
    /// The first field.
    pub version: String,
    /// The second field, if any (a timestamp, used by go only for `latest` fallback).
    pub time: Option<String>,
}

/// A `@v/list` answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VersionList {
    /// Every non-empty line as sent.
    pub lines: Vec<ListLine>,
    /// What go keeps for `go list -m -versions`: valid semver, not a pseudo-version, sorted
    /// by semver precedence (ties by string).
    pub versions: Vec<String>,
}

/// A zip downloaded to a temporary file.
#[derive(Debug)]
pub struct ZipDownload {
    /// The file (deleted when dropped unless persisted).
    pub file: tempfile::NamedTempFile,
    /// The exchange (its `body_sha256` is the SHA-256 of the file).
    pub exchange: Exchange,
}

impl ZipDownload {
    /// The zip's `h1:` hash (dirhash `HashZip`), computed on a blocking thread.
    pub async fn h1(&self) -> Result<String, ProxyError> {
        self.with_file(|path| {
            let f = std::fs::File::open(path).map_err(|e| ProxyError::Io(e.to_string()))?;
            let mut f = gomod::modzip::SeekBufReader::with_capacity(256 << 10, f);
            gomod::dirhash::hash_zip(&mut f).map_err(|e| ProxyError::ZipHash(e.to_string()))
        })
        .await?
    }

    /// Runs `f` (e.g. the `h1:` computation) on the file in a blocking task, so hashing a
    /// large zip never occupies an async worker thread.
    pub async fn with_file<R, F>(&self, f: F) -> Result<R, ProxyError>
    where
        F: FnOnce(&Path) -> R + Send + 'static,
        R: Send + 'static,
    {
        let path = self.file.path().to_path_buf();
        tokio::task::spawn_blocking(move || f(&path))
            .await
            .map_err(|e| ProxyError::Io(format!("hashing task failed: {e}")))
    }
}

/// A GOPROXY protocol client for one base URL.
#[derive(Debug, Clone)]
pub struct ProxyClient<'a> {
    http: &'a HttpClient,
    base: Url,
    zip_limit: u64,
}

impl<'a> ProxyClient<'a> {
    /// A client for `base` (`https://…`, `http://…` or `file:///…`), checked as go's
    /// `newProxyRepo` checks GOPROXY entries.
    pub fn new(http: &'a HttpClient, base: &str) -> Result<Self, ProxyError> {
        let url = Url::parse(base).map_err(|e| match e {
            url::ParseError::RelativeUrlWithoutBase => {
                ProxyError::BadBase(format!("invalid proxy URL missing scheme: {base}"))
            }
            e => ProxyError::BadBase(format!("parse {base:?}: {e}")),
        })?;
        match url.scheme() {
            "http" | "https" => {}
            "file" => {
                // The url crate normalizes `file://localhost/…` to `file:///…`, so judge the
                // text as written: go accepts only scheme + path.
                let after = &base["file:".len()..];
                let authority_set = after
                    .strip_prefix("//")
                    .map(|rest| !rest.split('/').next().unwrap_or("").is_empty());
                if authority_set != Some(false) || base.contains(['?', '#']) {
                    return Err(ProxyError::BadBase(format!(
                        "invalid file:// proxy URL with non-path elements: {base}"
                    )));
                }
            }
            _ => {
                return Err(ProxyError::BadBase(format!(
                    "invalid proxy URL scheme (must be https, http, file): {}",
                    redact_raw(base)
                )));
            }
        }
        Ok(ProxyClient {
            http,
            base: url,
            zip_limit: limits::ZIP,
        })
    }

    /// Lowers the zip cap (go's is 500 MiB; a policy may want less).
    pub fn with_zip_limit(mut self, limit: u64) -> Self {
        self.zip_limit = limit.min(limits::ZIP);
        self
    }

    /// The base URL.
    pub fn base(&self) -> &Url {
        &self.base
    }

    /// The URL go requests for `module` and `suffix` (e.g. `@v/list`, `@v/v1.0.0.info` with
    /// the version already escaped).
    pub fn url_for(&self, module_path: &str, suffix: &str) -> Result<Url, ProxyError> {
        let escaped = module::escape_path(module_path)?;
        Ok(self.join(&format!("{escaped}/{suffix}")))
    }

    fn join(&self, rel: &str) -> Url {
        let mut u = self.base.clone();
        let base_path = u.path().trim_end_matches('/').to_string();
        u.set_path(&format!("{base_path}/{}", path_escape(rel)));
        u
    }

    fn version_url(&self, module_path: &str, version: &str, ext: &str) -> Result<Url, ProxyError> {
        let v = module::escape_version(version)?;
        self.url_for(module_path, &format!("@v/{v}.{ext}"))
    }

    async fn get(&self, url: &Url, limit: u64) -> Result<(Exchange, Vec<u8>), ProxyError> {
        Ok(self.http.get_bytes(url, limit).await?)
    }

    /// `@v/list`.
    pub async fn list(&self, module_path: &str) -> Result<(Exchange, VersionList), ProxyError> {
        let (ex, body) = self
            .get(&self.url_for(module_path, "@v/list")?, limits::LIST)
            .await?;
        Ok((ex, parse_list(&String::from_utf8_lossy(&body))))
    }

    /// `@v/⟨version⟩.info`. `version` may be any revision go would ask about; when it is a
    /// canonical version the answer must be for exactly that version.
    pub async fn info(
        &self,
        module_path: &str,
        version: &str,
    ) -> Result<(Exchange, RevInfo), ProxyError> {
        let (ex, body) = self
            .get(
                &self.version_url(module_path, version, "info")?,
                limits::INFO,
            )
            .await?;
        let info = self.parse_info(&body)?;
        if info.version != version
            && module::canonical_version(version).as_deref() == Some(version)
            && module::check(module_path, version).is_ok()
        {
            return Err(ProxyError::WrongVersion { got: info.version });
        }
        Ok((ex, info))
    }

    /// `@latest` (only; go falls back to `@v/list` on 404/410, which is the caller's choice).
    pub async fn latest(&self, module_path: &str) -> Result<(Exchange, RevInfo), ProxyError> {
        let (ex, body) = self
            .get(&self.url_for(module_path, "@latest")?, limits::INFO)
            .await?;
        Ok((ex, self.parse_info(&body)?))
    }

    /// `@v/⟨version⟩.mod` (capped at 16 MiB).
    pub async fn go_mod(
        &self,
        module_path: &str,
        version: &str,
    ) -> Result<(Exchange, Vec<u8>), ProxyError> {
        self.get(
            &self.version_url(module_path, version, "mod")?,
            limits::GO_MOD,
        )
        .await
    }

    /// `@v/⟨version⟩.zip` streamed into `sink` while hashed; 500 MiB cap like go (or the
    /// lower [`with_zip_limit`](Self::with_zip_limit)).
    pub async fn zip<W>(
        &self,
        module_path: &str,
        version: &str,
        sink: &mut W,
    ) -> Result<Exchange, ProxyError>
    where
        W: AsyncWrite + Unpin + Send + ?Sized,
    {
        let url = self.version_url(module_path, version, "zip")?;
        match self.http.get_to_writer(&url, self.zip_limit, sink).await {
            Err(FetchError {
                kind: FetchErrorKind::TooLarge { .. },
                ..
            }) => Err(ProxyError::ZipTooLarge),
            r => Ok(r?),
        }
    }

    /// `@v/⟨version⟩.zip` into a new temporary file in `dir`.
    pub async fn zip_to_file(
        &self,
        module_path: &str,
        version: &str,
        dir: &Path,
    ) -> Result<ZipDownload, ProxyError> {
        let tmp = tempfile::Builder::new()
            .prefix(".gotrust-zip")
            .suffix(".tmp")
            .tempfile_in(dir)
            .map_err(|e| ProxyError::Io(format!("creating temp file in {}: {e}", dir.display())))?;
        let std_file = tmp
            .reopen()
            .map_err(|e| ProxyError::Io(format!("opening temp file: {e}")))?;
        let mut f = tokio::io::BufWriter::new(tokio::fs::File::from_std(std_file));
        let exchange = self.zip(module_path, version, &mut f).await?;
        Ok(ZipDownload {
            file: tmp,
            exchange,
        })
    }

    /// `GET ⟨base⟩/sumdb/⟨name⟩/supported`: success means this proxy mirrors database `name`.
    pub async fn sumdb_supported(&self, name: &str) -> Result<Exchange, ProxyError> {
        let url = self.sumdb_base(name).join_raw("supported");
        Ok(self.get(&url, limits::SUPPORTED).await?.0)
    }

    /// `⟨base⟩/sumdb/⟨name⟩`, the database base URL when this proxy mirrors it.
    pub fn sumdb_base(&self, name: &str) -> SumdbBase {
        let mut u = self.base.clone();
        let base_path = u.path().trim_end_matches('/').to_string();
        u.set_path(&format!("{base_path}/sumdb/{name}"));
        SumdbBase(u)
    }

    fn parse_info(&self, body: &[u8]) -> Result<RevInfo, ProxyError> {
        parse_info(body).map_err(|detail| ProxyError::InvalidResponse {
            base: redact(&self.base),
            detail,
        })
    }
}

/// A proxy URL as written, its user info hidden (the url crate would normalize it).
fn redact_raw(raw: &str) -> String {
    crate::redact::redact_text(raw)
}

/// A checksum-database base URL (`https://sum.golang.org`, `⟨proxy⟩/sumdb/⟨name⟩`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SumdbBase(pub Url);

impl SumdbBase {
    /// `base + "/" + rel`, with `rel` used as is (sumdb paths keep `!` literal, as `dbClient.ReadRemote` sends them).
    pub fn join_raw(&self, rel: &str) -> Url {
        let mut u = self.0.clone();
        let p = format!("{}/{rel}", u.path().trim_end_matches('/'));
        u.set_path(&p);
        u
    }
}

/// Go's `url.PathEscape` followed by `%2F` → `/`: unreserved bytes and `$&+:=@` stay, the rest
/// (including `!`, `,`, `;`) is percent-encoded with upper-case hex.
pub fn path_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~$&+:=@/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn parse_list(text: &str) -> VersionList {
    let mut lines = Vec::new();
    let mut versions = Vec::new();
    for line in text.split('\n') {
        let mut f = line.split_whitespace();
        let Some(v) = f.next() else { continue };
        lines.push(ListLine {
            version: v.to_string(),
            time: f.next().map(str::to_string),
        });
        if semver::is_valid(v) && !module::is_pseudo_version(v) {
            versions.push(v.to_string());
        }
    }
    versions.sort_by(|a, b| semver::compare(a, b).then_with(|| a.cmp(b)));
    VersionList { lines, versions }
}

/// Decodes `{"Version":…,"Time":…,"Origin":…}` with encoding/json's field matching (exact
/// name first, then case-insensitive).
fn parse_info(body: &[u8]) -> Result<RevInfo, String> {
    let v: serde_json::Value = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    let obj = v.as_object().ok_or_else(|| {
        "json: cannot unmarshal non-object into Go value of type modfetch.RevInfo".to_string()
    })?;
    let field = |name: &str| {
        obj.get(name).or_else(|| {
            obj.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v)
        })
    };
    let version = match field("Version") {
        None | Some(serde_json::Value::Null) => String::new(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(_) => {
            return Err(
                "json: cannot unmarshal into Go struct field RevInfo.Version of type string".into(),
            );
        }
    };
    let time = match field("Time") {
        None | Some(serde_json::Value::Null) => "0001-01-01T00:00:00Z".to_string(),
        Some(serde_json::Value::String(s)) if is_rfc3339(s) => s.clone(),
        Some(other) => {
            return Err(format!(
                "parsing time {other} as \"2006-01-02T15:04:05Z07:00\": cannot parse"
            ));
        }
    };
    Ok(RevInfo {
        version,
        time,
        origin: field("Origin").cloned().filter(|o| !o.is_null()),
    })
}

/// `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`, the layout Go's `time.Time` JSON decoding accepts.
fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| {
        b.get(r.clone())
            .is_some_and(|x| x.iter().all(u8::is_ascii_digit))
    };
    if b.len() < 20
        || !digits(0..4)
        || b[4] != b'-'
        || !digits(5..7)
        || b[7] != b'-'
        || !digits(8..10)
        || !(b[10] == b'T' || b[10] == b't')
        || !digits(11..13)
        || b[13] != b':'
        || !digits(14..16)
        || b[16] != b':'
        || !digits(17..19)
    {
        return false;
    }
    let mut i = 19;
    if b[i] == b'.' {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    match b.get(i) {
        Some(b'Z') | Some(b'z') => i + 1 == b.len(),
        Some(b'+') | Some(b'-') => {
            i + 6 == b.len() && digits(i + 1..i + 3) && b[i + 3] == b':' && digits(i + 4..i + 6)
        }
        _ => false,
    }
}

/// A GOPROXY list entry, as the walk tries it: the one model in [`crate::settings::proxy`].
pub use crate::settings::proxy::ProxyEntry as Hop;
/// What a GOPROXY list entry is: the one model in [`crate::settings::proxy`].
pub use crate::settings::proxy::ProxyKind as HopKind;

/// The hops of a parsed GOPROXY list, in order.
pub fn hops(list: &crate::settings::proxy::ProxyList) -> Vec<Hop> {
    list.entries.clone()
}

/// What a walk step needs to know about an error.
pub trait WalkError {
    /// go's not-found class (404/410, `GOPROXY=off`, GONOPROXY refusals, unknown repos).
    fn is_not_found(&self) -> bool;
    /// The `noproxy` entry's "path does not match GOPRIVATE/GONOPROXY" refusal, which never
    /// outranks other errors.
    fn is_path_mismatch(&self) -> bool {
        false
    }
}

impl WalkError for FetchError {
    fn is_not_found(&self) -> bool {
        FetchError::is_not_found(self)
    }
}

impl WalkError for ProxyError {
    fn is_not_found(&self) -> bool {
        ProxyError::is_not_found(self)
    }
}

/// The outcome of one step of a walk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", content = "error", rename_all = "snake_case")]
pub enum StepOutcome {
    /// The operation succeeded here.
    Success,
    /// A not-found-class error.
    NotFound(String),
    /// Any other error.
    Failed(String),
}

/// One step: which entry was tried and what happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    /// Index into the hop list.
    pub hop: usize,
    /// What happened.
    pub outcome: StepOutcome,
}

/// The result of a walk and the path it took.
#[derive(Debug)]
pub struct Walk<T, E> {
    /// The success value, or the error go would report. `None` only for an empty hop list.
    pub result: Option<Result<T, E>>,
    /// Every entry tried, in order.
    pub steps: Vec<Step>,
}

/// go's `TryProxies`: runs `op` on each hop in order until one succeeds or an error stops the
/// walk, and returns the error go reports. The fallback rule and the error ranking are
/// [`crate::settings::proxy::TryProxies`], shared with the route planner's predictions.
pub async fn try_proxies<T, E, F, Fut>(hops: &[Hop], mut op: F) -> Walk<T, E>
where
    E: WalkError + std::fmt::Display,
    F: FnMut(usize, &Hop) -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    use crate::settings::proxy::{Failure, TryProxies};
    let mut steps = Vec::new();
    let mut walk = TryProxies::new();
    for (i, hop) in hops.iter().enumerate() {
        let err = match op(i, hop).await {
            Ok(v) => {
                steps.push(Step {
                    hop: i,
                    outcome: StepOutcome::Success,
                });
                return Walk {
                    result: Some(Ok(v)),
                    steps,
                };
            }
            Err(e) => e,
        };
        let not_found = err.is_not_found();
        steps.push(Step {
            hop: i,
            outcome: if not_found {
                StepOutcome::NotFound(err.to_string())
            } else {
                StepOutcome::Failed(err.to_string())
            },
        });
        let failure = Failure::of(hop, not_found, err.is_path_mismatch());
        if !walk.fail(failure, err) {
            break;
        }
    }
    Walk {
        result: walk.into_error().map(Err),
        steps,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hops_follow_the_parsed_list() {
        let list = crate::settings::proxy::ProxyList::parse(
            "https://a.example|b.example,direct,https://never",
            "corp.example",
        )
        .unwrap();
        let h = hops(&list);
        use crate::settings::proxy::Fallback;
        let kinds: Vec<_> = h.iter().map(|h| (h.to_string(), h.fallback)).collect();
        assert_eq!(
            kinds,
            [
                ("noproxy".to_owned(), Fallback::OnNotFound),
                ("https://a.example".to_owned(), Fallback::OnAnyError),
                ("https://b.example".to_owned(), Fallback::OnNotFound),
                ("direct".to_owned(), Fallback::OnNotFound),
            ]
        );
    }

    #[test]
    fn raw_redaction() {
        assert_eq!(redact_raw("ftp://u:p@h/x"), "ftp://xxxxx:xxxxx@h/x");
        assert_eq!(redact_raw("ftp://u@h/x"), "ftp://xxxxx@h/x");
        assert_eq!(redact_raw("ftp://h"), "ftp://h");
    }

    #[test]
    fn path_escape_like_go() {
        assert_eq!(
            path_escape("github.com/!azure/azure-sdk-for-go/@v/list"),
            "github.com/%21azure/azure-sdk-for-go/@v/list"
        );
        assert_eq!(
            path_escape("m/@v/v2.0.0+incompatible.zip"),
            "m/@v/v2.0.0+incompatible.zip"
        );
        assert_eq!(path_escape("a b;c,d?e#f%"), "a%20b%3Bc%2Cd%3Fe%23f%25");
    }

    #[test]
    fn list_keeps_go_versions_sorted() {
        let l = parse_list(
            "v1.10.0\nv1.2.0 2020-01-01T00:00:00Z\n\nnot-a-version\nv0.0.0-20200101000000-abcdefabcdef\nv1.2.0-rc.1\n  \n",
        );
        assert_eq!(l.lines.len(), 5);
        assert_eq!(l.lines[1].time.as_deref(), Some("2020-01-01T00:00:00Z"));
        assert_eq!(l.versions, ["v1.2.0-rc.1", "v1.2.0", "v1.10.0"]);
    }

    #[test]
    fn info_json_like_encoding_json() {
        let i =
            parse_info(br#"{"version":"v1.0.0","TIME":"2019-05-01T10:00:00.5+02:00","Extra":1}"#)
                .unwrap();
        assert_eq!(
            (i.version.as_str(), i.time.as_str()),
            ("v1.0.0", "2019-05-01T10:00:00.5+02:00")
        );
        assert!(parse_info(b"<html>login</html>").is_err());
        assert!(parse_info(br#"{"Version":"v1","Time":"yesterday"}"#).is_err());
        assert!(parse_info(br#"{"Version":1}"#).is_err());
    }
}
