//! The one HTTP client every gotrust request goes through.
//!
//! Mirrors `cmd/go/internal/web` (http.go `get`, `securityPreservingHTTPClient`) for the
//! behaviour that matters to an auditor: at most 10 redirects (`stopped after 10 redirects`),
//! a redirect away from https refused with go's text, credentials from netrc only over https,
//! `http://user:pass@…` refused, non-200 answers turned into errors carrying go's excerpt of a
//! `text/plain` body. Beyond go: every body is size-capped and SHA-256-hashed while it streams,
//! every timeout is bounded, concurrency per host is limited, and each exchange is recorded
//! (redirect chain, proxy, HTTP version, cache headers, TLS peer chain) for the report.
//!
//! Redirects are followed here rather than by reqwest so each hop is recorded and the policy is
//! exactly go's; proxies are chosen by [`crate::settings::httpproxy`] rather than reqwest's system-proxy
//! support so the choice is Go's and can be reported.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::sync::Semaphore;
use url::Url;

use super::auth::{GoAuthCredentials, RefusedResponse, StoredCredential};
use super::error::{
    FetchError, FetchErrorKind, TimeoutPhase, error_detail_prefix, format_error_detail,
};
use super::tls::{CertSummary, ChainLog, RootSource, RootsReport, TlsSetupError, TlsVersion};
use crate::redact::{redact_text, redact_url as redact};
use crate::settings::httpproxy::{HttpProxyConfig, HttpProxyVars, ProxyChoice};
use crate::settings::url::GoUrl;

/// Size caps for the resources gotrust fetches. go caps only zips (500 MiB, read as
/// 500 MiB + 1 byte to detect the excess) and go.mod files (16 MiB when parsed); the others
/// are gotrust's own bounds, generous against real servers and small against hostile ones.
pub mod limits {
    /// A module zip (`x/mod/zip.MaxZipFile`).
    pub const ZIP: u64 = 500 << 20;
    /// A go.mod file (`x/mod/zip.MaxGoMod`).
    pub const GO_MOD: u64 = 16 << 20;
    /// A `.info` or `@latest` JSON answer.
    pub const INFO: u64 = 1 << 20;
    /// An `@v/list` answer.
    pub const LIST: u64 = 16 << 20;
    /// A checksum-database lookup: a record plus a signed note ([`gomod::sumdb`]'s bound).
    pub const LOOKUP: u64 = gomod::sumdb::MAX_LOOKUP_BYTES as u64;
    /// A `/latest` signed tree note.
    pub const LATEST: u64 = gomod::sumdb::MAX_LATEST_BYTES as u64;
    /// A hash tile of height 8 (256 × 32 bytes).
    pub const TILE: u64 = gomod::sumdb::MAX_TILE_BYTES as u64;
    /// The `/sumdb/<name>/supported` probe (any body).
    pub const SUPPORTED: u64 = 64 << 10;
    /// How much of an error body is read for go's excerpt.
    pub const ERROR_BODY: u64 = 64 << 10;
}

/// Settings of the shared client.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// TCP connect timeout (Go's dialer: 30 s).
    pub connect_timeout: Duration,
    /// Longest wait for the response head or the next piece of body.
    pub read_timeout: Duration,
    /// Longest whole exchange, redirects and body included (go has none; `None` = unbounded).
    pub overall_timeout: Option<Duration>,
    /// Concurrent requests per host:port.
    pub per_host_limit: usize,
    /// Trust anchors.
    pub roots: RootSource,
    /// HTTP(S)_PROXY / NO_PROXY, decided as Go decides.
    pub proxy: HttpProxyConfig,
    /// GOAUTH's credentials (`None`: GOAUTH=off, or no credentials configured).
    pub auth: Option<Arc<GoAuthCredentials>>,
    /// The User-Agent header.
    pub user_agent: String,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            connect_timeout: Duration::from_secs(30),
            read_timeout: Duration::from_secs(60),
            overall_timeout: Some(Duration::from_secs(15 * 60)),
            per_host_limit: 16,
            roots: RootSource::System,
            proxy: HttpProxyConfig::new(HttpProxyVars::default()),
            auth: None,
            user_agent: concat!("gotrust/", env!("CARGO_PKG_VERSION")).to_string(),
        }
    }
}

impl HttpConfig {
    /// The configuration go's own requests would use for these settings: Go's HTTP proxy
    /// decision, Go's root locations, and GOAUTH's credentials (`.netrc`, `git credential
    /// fill`, header commands; a missing `.netrc` is an empty one; an invalid GOAUTH attaches
    /// no credentials, go would stop).
    pub fn from_settings(settings: &crate::settings::Settings) -> HttpConfig {
        let auth = match &settings.goauth {
            Ok(goauth) => {
                GoAuthCredentials::new(goauth, settings.netrc_path.clone().ok()).map(Arc::new)
            }
            Err(_) => None,
        };
        HttpConfig {
            proxy: settings.http_proxy.clone(),
            roots: RootSource::Go(settings.tls.clone()),
            auth,
            ..HttpConfig::default()
        }
    }
}

impl HttpConfig {
    /// Bounds every request by `timeout` end to end: connecting, the TLS handshake, the
    /// response head, every redirect and the whole body (`--timeout`). A server that drips one
    /// byte a second is cut off at `timeout`, not when it pauses.
    pub fn with_timeout(self, timeout: Duration) -> HttpConfig {
        HttpConfig {
            connect_timeout: self.connect_timeout.min(timeout),
            read_timeout: self.read_timeout.min(timeout),
            overall_timeout: Some(timeout),
            ..self
        }
    }
}

/// Failure to build the client.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HttpSetupError {
    /// TLS roots or configuration.
    #[error(transparent)]
    Tls(#[from] TlsSetupError),
    /// reqwest refused the configuration.
    #[error("building HTTP client: {0}")]
    Client(String),
}

/// One followed redirect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RedirectHop {
    /// The URL that answered with a redirect (redacted).
    pub url: String,
    /// Its status (301, 302, 303, 307, 308).
    pub status: u16,
    /// The resolved target (redacted).
    pub location: String,
    /// The proxy used for this hop (redacted), if any.
    pub proxy: Option<String>,
}

/// The TLS side of an exchange.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TlsPeer {
    /// The negotiated protocol version (`None` if the connection resumed a session whose full
    /// handshake this client did not see).
    pub version: Option<TlsVersion>,
    /// The application protocol the connection spoke, from ALPN: `h2` or `http/1.1` (inferred
    /// from the HTTP version, so a server that selected no protocol also shows `http/1.1`).
    pub alpn: Option<String>,
    /// The certificates the server presented, leaf first.
    pub chain: Vec<CertSummary>,
}

/// What one successful exchange looked like.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Exchange {
    /// The requested URL (redacted).
    pub url: String,
    /// The URL that finally answered (redacted).
    pub final_url: String,
    /// Status code (always 200 for a returned exchange).
    pub status: u16,
    /// `HTTP/1.1`, `HTTP/2.0`.
    pub http_version: String,
    /// Redirects followed, in order.
    pub redirects: Vec<RedirectHop>,
    /// Cache- and origin-related response headers (lower-case names).
    pub headers: Vec<(String, String)>,
    /// Wall-clock time of the whole exchange, seconds.
    pub elapsed_secs: f64,
    /// The HTTP proxy of the final hop (redacted), if any.
    pub proxy: Option<String>,
    /// Which credentials were attached (never the secret): `netrc:<machine>` or `url-userinfo`.
    pub credentials: Option<String>,
    /// The server's certificate chain (https only).
    pub tls: Option<TlsPeer>,
    /// Body length in bytes.
    pub body_len: u64,
    /// SHA-256 of the body, hex.
    pub body_sha256: String,
}

/// One request as go's `-x` flag would trace it, success or failure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogEntry {
    /// The requested URL (redacted).
    pub url: String,
    /// The final status, when a response arrived.
    pub status: Option<u16>,
    /// The error text, when the request failed.
    pub error: Option<String>,
    /// Wall-clock time, seconds.
    pub elapsed_secs: f64,
}

impl LogEntry {
    /// go's trace line: `# get ⟨url⟩: 200 OK (0.090s)` or `# get ⟨url⟩: ⟨error⟩`.
    pub fn go_trace(&self) -> String {
        match (&self.error, self.status) {
            (_, Some(code)) => {
                let reason = reqwest::StatusCode::from_u16(code)
                    .ok()
                    .and_then(|c| c.canonical_reason())
                    .unwrap_or("");
                format!(
                    "# get {}: {code} {reason} ({:.3}s)",
                    self.url, self.elapsed_secs
                )
            }
            (Some(e), None) => format!("# get {}: {e}", self.url),
            (None, None) => format!("# get {}", self.url),
        }
    }
}

const LOG_MAX: usize = 100_000;

/// Response headers worth keeping: they tell whether a CDN or proxy cache answered.
const KEPT_HEADERS: &[&str] = &[
    "age",
    "cache-control",
    "cf-cache-status",
    "content-length",
    "content-type",
    "date",
    "etag",
    "expires",
    "last-modified",
    "server",
    "via",
    "x-cache",
    "x-cache-hits",
    "x-served-by",
];

/// The shared client. Cheap to share behind an `Arc`; all methods take `&self`.
pub struct HttpClient {
    client: reqwest::Client,
    config: HttpConfig,
    proxy: Arc<HttpProxyConfig>,
    chains: Arc<ChainLog>,
    roots: Arc<super::tls::LazyRoots>,
    hosts: Mutex<HashMap<String, Arc<Semaphore>>>,
    log: Mutex<std::collections::VecDeque<LogEntry>>,
}

impl std::fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpClient")
            .field("config", &self.config)
            .field("roots", &self.roots)
            .finish_non_exhaustive()
    }
}

impl HttpClient {
    /// Builds the client: loads roots, installs the ring provider, wires the proxy decision.
    pub fn new(config: HttpConfig) -> Result<Self, HttpSetupError> {
        let (tls, chains, roots) = super::tls::client_config(&config.roots)?;
        let proxy = Arc::new(config.proxy.clone());
        let decide = proxy.clone();
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .tls_info(true)
            .redirect(reqwest::redirect::Policy::none())
            .proxy(reqwest::Proxy::custom(move |u| proxy_url(&decide, u)))
            .connect_timeout(config.connect_timeout)
            .read_timeout(config.read_timeout)
            .user_agent(config.user_agent.clone())
            .build()
            .map_err(|e| HttpSetupError::Client(error_chain(&e.without_url())))?;
        Ok(HttpClient {
            client,
            config,
            proxy,
            chains,
            roots,
            hosts: Mutex::new(HashMap::new()),
            log: Mutex::new(std::collections::VecDeque::new()),
        })
    }

    /// The settings in force.
    pub fn config(&self) -> &HttpConfig {
        &self.config
    }

    /// The trust anchors loaded.
    pub fn roots(&self) -> RootsReport {
        self.roots.report()
    }

    /// The chain `host` presented in its most recent handshake that failed certificate
    /// verification, leaf first (empty if none failed): what an intercepting proxy showed.
    pub fn failed_chain(&self, host: &str) -> Vec<CertSummary> {
        self.chains.failed_chain(host)
    }

    /// Every request made so far (the most recent 100,000), in completion order.
    pub fn log(&self) -> Vec<LogEntry> {
        self.log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .cloned()
            .collect()
    }

    fn note(&self, url: &Url, start: Instant, r: &Result<Exchange, FetchError>) {
        let entry = LogEntry {
            url: redact(url),
            status: match r {
                Ok(ex) => Some(ex.status),
                Err(e) => e.status(),
            },
            error: r.as_ref().err().map(|e| e.to_string()),
            elapsed_secs: start.elapsed().as_secs_f64(),
        };
        let mut log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        if log.len() >= LOG_MAX {
            log.pop_front();
        }
        log.push_back(entry);
    }

    /// The proxy a request for `url` would use.
    pub fn proxy_for(&self, url: &Url) -> ProxyChoice {
        choose(&self.proxy, url)
    }

    /// GETs `url` into memory; fails unless the answer is 200 with at most `limit` bytes.
    pub async fn get_bytes(
        &self,
        url: &Url,
        limit: u64,
    ) -> Result<(Exchange, Vec<u8>), FetchError> {
        let mut buf = Vec::new();
        let ex = self.get_to_writer(url, limit, &mut buf).await?;
        Ok((ex, buf))
    }

    /// GETs `url`, streaming the body into `sink` while hashing it; fails unless the answer is
    /// 200 with at most `limit` bytes (the sink may then hold a partial body).
    pub async fn get_to_writer<W>(
        &self,
        url: &Url,
        limit: u64,
        sink: &mut W,
    ) -> Result<Exchange, FetchError>
    where
        W: AsyncWrite + Unpin + Send + ?Sized,
    {
        let start = Instant::now();
        let r = self.get_inner(url, limit, sink).await;
        self.note(url, start, &r);
        r
    }

    async fn get_inner<W>(
        &self,
        url: &Url,
        limit: u64,
        sink: &mut W,
    ) -> Result<Exchange, FetchError>
    where
        W: AsyncWrite + Unpin + Send + ?Sized,
    {
        let redacted = redact(url);
        match url.scheme() {
            "file" => return get_file(url, limit, sink).await,
            "http" => {
                if !url.username().is_empty() || url.password().is_some() {
                    return Err(FetchError::new(
                        redacted,
                        FetchErrorKind::InsecureCredentials,
                    ));
                }
            }
            "https" => {}
            _ => return Err(FetchError::new(redacted, FetchErrorKind::UnsupportedScheme)),
        }
        let _permit = self.host_permit(url).await;
        let start = Instant::now();
        let run = self.run(url, limit, sink, start);
        match self.config.overall_timeout {
            Some(t) => match tokio::time::timeout(t, run).await {
                Ok(r) => r,
                Err(_) => Err(FetchError::new(
                    redacted,
                    FetchErrorKind::Timeout {
                        phase: TimeoutPhase::Overall,
                    },
                )),
            },
            None => run.await,
        }
    }

    async fn host_permit(&self, url: &Url) -> Option<tokio::sync::OwnedSemaphorePermit> {
        let key = format!(
            "{}:{}",
            url.host_str().unwrap_or_default(),
            url.port_or_known_default().unwrap_or(0)
        );
        let sem = {
            let mut hosts = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
            hosts
                .entry(key)
                .or_insert_with(|| Arc::new(Semaphore::new(self.config.per_host_limit.max(1))))
                .clone()
        };
        sem.acquire_owned().await.ok()
    }

    async fn run<W>(
        &self,
        original: &Url,
        limit: u64,
        sink: &mut W,
        start: Instant,
    ) -> Result<Exchange, FetchError>
    where
        W: AsyncWrite + Unpin + Send + ?Sized,
    {
        // GOAUTH's headers for this URL, else its user info, as go: net/http adds user info
        // only when no Authorization is set, and go looks credentials up by the URL's text,
        // user info included, so a URL with user info matches no `.netrc` machine.
        let auth = self.config.auth.as_deref();
        let mut stored = match auth {
            Some(a) => a.initial(original).await,
            None => None,
        };
        let mut retried = false;
        loop {
            let resp = self.follow(original, stored.as_ref()).await?;
            let (resp, current, hops, proxy) = resp;
            let code = resp.status().as_u16();
            // web.get: an https request answered 4xx is retried once with the credentials
            // GOAUTH gives for its URL (cmd/go/internal/web/http.go). gotrust skips the retry
            // when those are the very headers just refused (go would send the same request
            // again): the headers each host sees are go's, the request count may be lower.
            if !retried
                && original.scheme() == "https"
                && (400..500).contains(&code)
                && let Some(a) = auth
            {
                retried = true;
                let response = RefusedResponse {
                    status_line: format!(
                        "{} {}",
                        proto_text(resp.version()),
                        status_text(resp.status())
                    ),
                    headers: resp
                        .headers()
                        .iter()
                        .map(|(k, v)| {
                            (
                                canonical_header_name(k.as_str()),
                                String::from_utf8_lossy(v.as_bytes()).into_owned(),
                            )
                        })
                        .collect(),
                };
                let again = a.after_refusal(original, &response).await;
                let same = match (&again, &stored) {
                    (Some(x), Some(y)) => x.headers == y.headers,
                    (None, None) => true,
                    _ => false,
                };
                if !same {
                    stored = again;
                    continue;
                }
            }
            let credentials = match &stored {
                Some(c) => Some(c.source.clone()),
                None => userinfo(original).map(|_| "url-userinfo".to_string()),
            };
            return self
                .finish(
                    resp,
                    original,
                    &current,
                    hops,
                    proxy,
                    credentials,
                    limit,
                    sink,
                    start,
                )
                .await;
        }
    }

    /// Sends one request for `original` with `stored`'s headers (else its user info) and
    /// follows redirects as go does; returns the final response, its URL, the hops and the
    /// proxy used.
    async fn follow(
        &self,
        original: &Url,
        stored: Option<&StoredCredential>,
    ) -> Result<(reqwest::Response, Url, Vec<RedirectHop>, Option<String>), FetchError> {
        let headers: Vec<(String, String)> = match stored {
            Some(c) => c.headers.clone(),
            None => match userinfo(original) {
                Some((user, pass)) => vec![("Authorization".into(), basic(&user, &pass))],
                None => Vec::new(),
            },
        };
        let mut current = original.clone();
        let mut hops: Vec<RedirectHop> = Vec::new();
        loop {
            let proxy = match choose(&self.proxy, &current) {
                ProxyChoice::Refused(why) => {
                    return Err(FetchError::new(
                        redact(&current),
                        FetchErrorKind::Transport {
                            detail: why,
                            go_text: None,
                        },
                    ));
                }
                ProxyChoice::Proxy(p) => Some(redact_text(&p.to_go_string())),
                _ => None,
            };
            // Userinfo never reaches reqwest (which would turn it into a second header).
            let mut wire = current.clone();
            let _ = wire.set_username("");
            let _ = wire.set_password(None);
            let mut req = self.client.get(wire);
            // go sends credentials only over https; net/http keeps the sensitive headers
            // (Authorization, Cookie...) across a redirect only to the same host or one of its
            // subdomains, and the others everywhere (`shouldCopyHeaderOnRedirect`).
            if current.scheme() == "https" {
                let same_host = same_or_subdomain(original, &current);
                for (name, value) in &headers {
                    if !same_host && is_sensitive_header(name) {
                        continue;
                    }
                    let (Ok(n), Ok(v)) = (
                        reqwest::header::HeaderName::from_bytes(name.as_bytes()),
                        reqwest::header::HeaderValue::from_str(value),
                    ) else {
                        continue;
                    };
                    req = req.header(n, v);
                }
            }
            let resp = req
                .send()
                .await
                .map_err(|e| self.classify(&e, &current, false))?;
            let status = resp.status().as_u16();
            let location = resp
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            if matches!(status, 301 | 302 | 303 | 307 | 308)
                && let Some(loc) = location
            {
                let next = current.join(&loc).map_err(|e| {
                    FetchError::new(
                        redact(&current),
                        FetchErrorKind::Redirect {
                            detail: format!("failed to parse Location header {loc:?}: {e}"),
                        },
                    )
                })?;
                hops.push(RedirectHop {
                    url: redact(&current),
                    status,
                    location: redact(&next),
                    proxy,
                });
                // go's CheckRedirect sees `via` = every request made so far.
                if original.scheme() == "https" && next.scheme() != "https" {
                    return Err(FetchError::new(
                        redact(&next),
                        FetchErrorKind::InsecureRedirect {
                            from: redact(&current),
                            to: redact(&next),
                        },
                    ));
                }
                if hops.len() >= 10 {
                    return Err(FetchError::new(
                        redact(&next),
                        FetchErrorKind::Redirect {
                            detail: "stopped after 10 redirects".into(),
                        },
                    ));
                }
                if !matches!(next.scheme(), "http" | "https") {
                    return Err(FetchError::new(
                        redact(&next),
                        FetchErrorKind::UnsupportedScheme,
                    ));
                }
                current = next;
                continue;
            }
            return Ok((resp, current, hops, proxy));
        }
    }

    #[allow(clippy::too_many_arguments)]
    async fn finish<W>(
        &self,
        mut resp: reqwest::Response,
        original: &Url,
        current: &Url,
        redirects: Vec<RedirectHop>,
        proxy: Option<String>,
        credentials: Option<String>,
        limit: u64,
        sink: &mut W,
        start: Instant,
    ) -> Result<Exchange, FetchError>
    where
        W: AsyncWrite + Unpin + Send + ?Sized,
    {
        let status = resp.status();
        let code = status.as_u16();
        let reason = status.canonical_reason().unwrap_or("").to_string();
        if code != 200 {
            let detail = if plain_text_utf8(resp.headers()) {
                let mut body = Vec::new();
                // A failure to read the excerpt only loses the excerpt, as in go.
                while let Ok(Some(chunk)) = resp.chunk().await {
                    body.extend_from_slice(&chunk);
                    if body.len() as u64 >= limits::ERROR_BODY {
                        break;
                    }
                }
                format_error_detail(error_detail_prefix(&body))
            } else {
                None
            };
            let kind = if code == 404 || code == 410 {
                FetchErrorKind::NotFound {
                    status: code,
                    reason,
                    server_message: detail,
                }
            } else {
                FetchErrorKind::Status {
                    status: code,
                    reason,
                    server_message: detail,
                }
            };
            return Err(FetchError::new(redact(current), kind));
        }
        if let Some(len) = resp.content_length()
            && len > limit
        {
            return Err(FetchError::new(
                redact(current),
                FetchErrorKind::TooLarge { limit },
            ));
        }
        let headers = resp
            .headers()
            .iter()
            .filter(|(k, _)| KEPT_HEADERS.contains(&k.as_str()))
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let http_version = format!("{:?}", resp.version());
        let tls = resp
            .extensions()
            .get::<reqwest::tls::TlsInfo>()
            .and_then(|i| i.peer_certificate())
            .map(|leaf| TlsPeer {
                version: self.chains.version_for_leaf(leaf),
                alpn: Some(
                    if resp.version() == reqwest::Version::HTTP_2 {
                        "h2"
                    } else {
                        "http/1.1"
                    }
                    .to_string(),
                ),
                chain: self.chains.chain_for_leaf(leaf),
            });
        let mut hasher = Sha256::new();
        let mut len: u64 = 0;
        loop {
            let chunk = match resp.chunk().await {
                Ok(Some(c)) => c,
                Ok(None) => break,
                Err(e) => return Err(self.classify(&e, current, true)),
            };
            len += chunk.len() as u64;
            if len > limit {
                return Err(FetchError::new(
                    redact(current),
                    FetchErrorKind::TooLarge { limit },
                ));
            }
            hasher.update(&chunk);
            sink.write_all(&chunk).await.map_err(|e| {
                FetchError::new(
                    redact(current),
                    FetchErrorKind::Io {
                        detail: e.to_string(),
                    },
                )
            })?;
        }
        sink.flush().await.map_err(|e| {
            FetchError::new(
                redact(current),
                FetchErrorKind::Io {
                    detail: e.to_string(),
                },
            )
        })?;
        Ok(Exchange {
            url: redact(original),
            final_url: redact(current),
            status: code,
            http_version,
            redirects,
            headers,
            elapsed_secs: start.elapsed().as_secs_f64(),
            proxy,
            credentials,
            tls,
            body_len: len,
            body_sha256: hex::encode(hasher.finalize()),
        })
    }

    fn classify(&self, e: &reqwest::Error, url: &Url, in_body: bool) -> FetchError {
        let redacted = redact(url);
        if let Some(tls) = find_rustls_error(e) {
            let host = url.host_str().unwrap_or_default();
            let mut detail = tls.to_string();
            let chain = self.chains.failed_chain(host);
            if let Some(leaf) = chain.first() {
                detail.push_str(&format!(
                    " (server presented subject {:?}, issuer {:?})",
                    leaf.subject, leaf.issuer
                ));
            }
            return FetchError::new(
                redacted,
                FetchErrorKind::Tls {
                    go_text: super::tls::go_text_for(tls, host),
                    detail,
                },
            );
        }
        if e.is_timeout() {
            let phase = if e.is_connect() {
                TimeoutPhase::Connect
            } else {
                let _ = in_body;
                TimeoutPhase::Read
            };
            return FetchError::new(redacted, FetchErrorKind::Timeout { phase });
        }
        let detail = error_chain(e);
        let go_text = go_transport_text(
            e,
            url,
            &detail,
            matches!(choose(&self.proxy, url), ProxyChoice::Proxy(_)),
        );
        FetchError::new(redacted, FetchErrorKind::Transport { detail, go_text })
    }
}

/// Go's decision for `url` (the url crate's serialization parses identically for http(s)).
fn choose(cfg: &HttpProxyConfig, url: &Url) -> ProxyChoice {
    match GoUrl::parse(url.as_str()) {
        Ok(g) => cfg.proxy_for(&g),
        Err(e) => ProxyChoice::Refused(e.to_string()),
    }
}

/// The proxy reqwest must use for `url`, or none.
fn proxy_url(cfg: &HttpProxyConfig, url: &Url) -> Option<Url> {
    match choose(cfg, url) {
        ProxyChoice::Proxy(p) => Url::parse(&p.to_go_string()).ok(),
        _ => None,
    }
}

use super::auth::basic;

/// The headers net/http drops on a redirect to another domain (`shouldCopyHeaderOnRedirect`).
fn is_sensitive_header(name: &str) -> bool {
    ["authorization", "www-authenticate", "cookie", "cookie2"]
        .iter()
        .any(|s| name.eq_ignore_ascii_case(s))
}

/// A header name as go's `CanonicalMIMEHeaderKey` writes it (`content-type` → `Content-Type`).
fn canonical_header_name(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut c = part.chars();
            match c.next() {
                Some(first) => {
                    first.to_ascii_uppercase().to_string() + &c.as_str().to_ascii_lowercase()
                }
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// `res.Proto` as go writes it.
fn proto_text(v: reqwest::Version) -> &'static str {
    if v == reqwest::Version::HTTP_2 {
        "HTTP/2.0"
    } else if v == reqwest::Version::HTTP_10 {
        "HTTP/1.0"
    } else {
        "HTTP/1.1"
    }
}

/// `res.Status` as go writes it (`404 Not Found`).
fn status_text(s: reqwest::StatusCode) -> String {
    match s.canonical_reason() {
        Some(r) => format!("{} {r}", s.as_u16()),
        None => s.as_u16().to_string(),
    }
}

/// The percent-decoded user name and password of a URL, if it has userinfo.
fn userinfo(u: &Url) -> Option<(String, String)> {
    if u.username().is_empty() && u.password().is_none() {
        return None;
    }
    let dec = |s: &str| crate::redact::percent_decode(s).into_owned();
    Some((dec(u.username()), dec(u.password().unwrap_or(""))))
}

/// go's wording for the common connection failures.
fn go_transport_text(
    e: &(dyn std::error::Error + 'static),
    url: &Url,
    detail: &str,
    via_proxy: bool,
) -> Option<String> {
    if !e
        .downcast_ref::<reqwest::Error>()
        .is_some_and(|r| r.is_connect())
    {
        return None;
    }
    let host = url.host_str().unwrap_or_default();
    let port = url.port_or_known_default().unwrap_or(0);
    let prefix = if via_proxy { "proxyconnect tcp: " } else { "" };
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            let what = match io.kind() {
                std::io::ErrorKind::ConnectionRefused => "connect: connection refused",
                std::io::ErrorKind::ConnectionReset => "read: connection reset by peer",
                std::io::ErrorKind::HostUnreachable => "connect: no route to host",
                std::io::ErrorKind::NetworkUnreachable => "connect: network is unreachable",
                _ => "",
            };
            if !what.is_empty() {
                let addr = if host.contains(':') {
                    format!("[{host}]:{port}")
                } else {
                    format!("{host}:{port}")
                };
                return Some(format!("{prefix}dial tcp {addr}: {what}"));
            }
        }
        cur = err.source();
    }
    if detail.contains("dns error") && !via_proxy {
        return Some(format!("dial tcp: lookup {host}: no such host"));
    }
    None
}

/// net/http's rule for keeping sensitive headers on redirect: same host, or a subdomain of
/// the original host.
fn same_or_subdomain(original: &Url, target: &Url) -> bool {
    match (original.host_str(), target.host_str()) {
        (Some(a), Some(b)) => {
            let a = a.to_ascii_lowercase();
            let b = b.to_ascii_lowercase();
            a == b || b.ends_with(&format!(".{a}"))
        }
        _ => false,
    }
}

/// go extracts an excerpt only from `text/plain` bodies in UTF-8, US-ASCII or no charset.
fn plain_text_utf8(headers: &reqwest::header::HeaderMap) -> bool {
    let Some(ct) = headers
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let mut parts = ct.split(';');
    let media = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
    if media != "text/plain" {
        return false;
    }
    for p in parts {
        if let Some((k, v)) = p.split_once('=')
            && k.trim().eq_ignore_ascii_case("charset")
        {
            let v = v.trim().trim_matches('"').to_ascii_lowercase();
            return matches!(v.as_str(), "utf-8" | "us-ascii" | "");
        }
    }
    true
}

fn find_rustls_error<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(r) = err.downcast_ref::<rustls::Error>() {
            return Some(r);
        }
        // io::Error::source() skips the wrapped error itself, so look inside explicitly.
        if let Some(io) = err.downcast_ref::<std::io::Error>()
            && let Some(inner) = io.get_ref()
        {
            if let Some(r) = inner.downcast_ref::<rustls::Error>() {
                return Some(r);
            }
            cur = Some(inner as &(dyn std::error::Error + 'static));
            continue;
        }
        cur = err.source();
    }
    None
}

/// The error and its sources, joined with `: ` (reqwest's own text without the URL, which
/// could carry a password).
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        let s = if let Some(r) = err.downcast_ref::<reqwest::Error>() {
            // Rebuild without the URL; reqwest::Error is not Clone, so describe by class.
            let mut s = String::new();
            if r.is_connect() {
                s.push_str("error trying to connect");
            } else if r.is_body() {
                s.push_str("error reading response body");
            } else if r.is_request() {
                s.push_str("error sending request");
            } else {
                s.push_str("request failed");
            }
            s
        } else {
            err.to_string()
        };
        if parts.last() != Some(&s) && !parts.last().is_some_and(|p| p.ends_with(&s)) {
            parts.push(s);
        }
        cur = err.source();
    }
    parts.join(": ")
}

/// go's `getFile`: a missing file is a 404, a permission error a 403.
async fn get_file<W>(url: &Url, limit: u64, sink: &mut W) -> Result<Exchange, FetchError>
where
    W: AsyncWrite + Unpin + Send + ?Sized,
{
    let start = Instant::now();
    let redacted = redact(url);
    let path = url.to_file_path().map_err(|()| {
        FetchError::new(
            redacted.clone(),
            FetchErrorKind::Io {
                detail: "not a local file path".into(),
            },
        )
    })?;
    // Read at most limit + 1 bytes: a huge file must not be loaded to find it is too big.
    let read = async {
        use tokio::io::AsyncReadExt;
        let f = tokio::fs::File::open(&path).await?;
        let mut data = Vec::new();
        f.take(limit.saturating_add(1))
            .read_to_end(&mut data)
            .await?;
        Ok::<_, std::io::Error>(data)
    };
    let data = match read.await {
        Ok(d) => d,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(FetchError::new(
                redacted,
                FetchErrorKind::NotFound {
                    status: 404,
                    reason: "Not Found".into(),
                    server_message: None,
                },
            ));
        }
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            return Err(FetchError::new(
                redacted,
                FetchErrorKind::Status {
                    status: 403,
                    reason: "Forbidden".into(),
                    server_message: None,
                },
            ));
        }
        Err(e) => {
            return Err(FetchError::new(
                redacted,
                FetchErrorKind::Io {
                    detail: e.to_string(),
                },
            ));
        }
    };
    if data.len() as u64 > limit {
        return Err(FetchError::new(
            redacted,
            FetchErrorKind::TooLarge { limit },
        ));
    }
    sink.write_all(&data).await.map_err(|e| {
        FetchError::new(
            redacted.clone(),
            FetchErrorKind::Io {
                detail: e.to_string(),
            },
        )
    })?;
    Ok(Exchange {
        url: redacted.clone(),
        final_url: redacted,
        status: 200,
        http_version: "file".into(),
        redirects: Vec::new(),
        headers: Vec::new(),
        elapsed_secs: start.elapsed().as_secs_f64(),
        proxy: None,
        credentials: None,
        tls: None,
        body_len: data.len() as u64,
        body_sha256: hex::encode(Sha256::digest(&data)),
    })
}
