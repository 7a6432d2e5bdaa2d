//! `gotrust probe`: how a GOPROXY server behaves, checked the way the go command uses it.
//!
//! Mirrors what `cmd/go/internal/modfetch/proxy.go` (requests, spec §2.4), `TryProxies`
//! (fallback on 404/410 only, §2.3), `cmd/go/internal/web` (TLS, redirects, §2.6) and
//! `modfetch/sumdb.go` `initBase` (`/sumdb/<name>/supported`, §4.4) expect of a proxy. Each
//! probe is a list of [`Check`]s (a conformance table) and [`Finding`]s from the `probe/*`
//! rules of the catalog.
//!
//! What is checked, per proxy:
//! - transport: the negotiated TLS version and ALPN protocol, the chain (issuer, names,
//!   expiry), the HTTP version, redirects; when the handshake fails certificate verification,
//!   the chain the server presented anyway;
//! - interception: a chain whose root is not in the system's default bundle but is trusted
//!   through SSL_CERT_FILE/SSL_CERT_DIR (or a CA file), or an untrusted chain issued by a CA
//!   that is not a public root (what go reports as `x509: certificate signed by unknown
//!   authority` behind an intercepting proxy);
//! - the not-found contract: a made-up module and a made-up version of a real module must be
//!   404 or 410; 200 means stale or polluted content, anything else stops a `,` walk;
//! - `@v/list` and `.info` of a known module, where its zip is served from (redirect hosts),
//!   cache headers and latency;
//! - `/sumdb/<name>/supported` and a verified lookup, and the proxy's zip and go.mod hashes
//!   against the database's;
//! - the database's tree head against the newest one gotrust kept from earlier runs
//!   ([`ProbeOptions::state_root`]): a head that contradicts it is a fork (critical, with both
//!   signed notes), an older one a rollback (go itself accepts a rollback silently).
//!
//! Every request goes through [`HttpClient`], so its timeouts and size caps bound the probe;
//! [`http_config`] gives the probe's tighter timeouts.

pub mod text;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use gomod::module;
use serde::Serialize;
use url::{Host, Url};

use crate::net::error::{FetchError, FetchErrorKind};
use crate::net::goproxy::{ProxyClient, ProxyError, SumdbBase};
use crate::net::sumdb::{ForkEvidence, Merge, SumdbClient, SumdbClientError, SumdbConfig};
use crate::net::tls::{CertSummary, RootSource, TlsVersion};
use crate::net::{Exchange, HttpClient, HttpConfig, RedirectHop};
use crate::report::{Evidence, Finding, Severity, catalog};
use crate::settings::sumdb::SumDbConfig;
use crate::settings::tls::{LINUX_CERT_DIRS, LINUX_CERT_FILES, TlsRoots};

/// The module probed when none is given: small, old and served by every public proxy.
pub const WELL_KNOWN_MODULE: &str = "rsc.io/quote";

/// Default cap on the zip downloaded to see where zips are served from (and to hash it).
pub const DEFAULT_ZIP_LIMIT: u64 = 64 << 20;

/// A certificate expiring within this many seconds is reported (21 days).
pub const DEFAULT_NEAR_EXPIRY_SECS: i64 = 21 * 24 * 3600;

/// Hosts of public proxies and databases: a private root on one of them is interception, not
/// a private deployment.
const PUBLIC_HOSTS: &[&str] = &[
    "proxy.golang.org",
    "sum.golang.org",
    "sum.golang.google.cn",
    "goproxy.io",
    "goproxy.cn",
    "mirrors.aliyun.com",
    "storage.googleapis.com",
];

/// Cache-related response headers reported when present.
const CACHE_HEADERS: &[&str] = &[
    "age",
    "cache-control",
    "cf-cache-status",
    "etag",
    "expires",
    "last-modified",
    "via",
    "x-cache",
    "x-cache-hits",
    "x-served-by",
];

/// A failure that prevents probing at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProbeError {
    /// `--module` is not `path@version` with a valid path and canonical version.
    #[error("invalid module@version {input:?}: {detail}")]
    BadModule {
        /// The argument as given.
        input: String,
        /// Why it is not usable.
        detail: String,
    },
    /// The proxy URL is not one go would accept.
    #[error("invalid proxy URL: {0}")]
    BadProxy(String),
}

/// A module version to check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModuleVersion {
    /// Module path.
    pub path: String,
    /// Canonical version.
    pub version: String,
}

impl ModuleVersion {
    /// Parses `path@version`; the version must be canonical and valid for the path.
    pub fn parse(input: &str) -> Result<ModuleVersion, ProbeError> {
        let bad = |detail: String| ProbeError::BadModule {
            input: input.to_string(),
            detail,
        };
        let (path, version) = input
            .rsplit_once('@')
            .ok_or_else(|| bad("missing @version".into()))?;
        if module::canonical_version(version).as_deref() != Some(version) {
            return Err(bad(format!("{version} is not a canonical version")));
        }
        module::check(path, version).map_err(|e| bad(e.to_string()))?;
        Ok(ModuleVersion {
            path: path.to_string(),
            version: version.to_string(),
        })
    }
}

impl std::fmt::Display for ModuleVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}@{}", self.path, self.version)
    }
}

/// The subjects of the public (system default) roots, read from Go's default Linux bundle
/// locations whatever SSL_CERT_FILE/SSL_CERT_DIR say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PublicRoots {
    subjects: BTreeSet<String>,
}

impl PublicRoots {
    /// The default bundle (the first readable file of Go's list, then every file of its
    /// directories); `None` when no certificate was found there.
    pub fn load_default() -> Option<PublicRoots> {
        let mut files: Vec<PathBuf> = Vec::new();
        if let Some(f) = LINUX_CERT_FILES.iter().map(Path::new).find(|f| f.is_file()) {
            files.push(f.to_path_buf());
        }
        for d in LINUX_CERT_DIRS {
            if let Ok(entries) = std::fs::read_dir(d) {
                files.extend(entries.flatten().map(|e| e.path()).filter(|p| p.is_file()));
            }
        }
        let mut subjects = BTreeSet::new();
        for f in files {
            // Bundles are a few hundred KiB; anything far larger is not a certificate file.
            if std::fs::metadata(&f).map_or(true, |m| m.len() > 16 << 20) {
                continue;
            }
            let Ok(iter) = <rustls_pki_types::CertificateDer as rustls_pki_types::pem::PemObject>::pem_file_iter(&f) else {
                continue;
            };
            for der in iter.flatten() {
                if let Some(s) = crate::net::tls::summarize(&der) {
                    subjects.insert(s.subject);
                }
            }
        }
        (!subjects.is_empty()).then_some(PublicRoots { subjects })
    }

    /// A set given by subject names (RFC 4514, as [`CertSummary::subject`]).
    pub fn from_subjects<I: IntoIterator<Item = S>, S: Into<String>>(subjects: I) -> PublicRoots {
        PublicRoots {
            subjects: subjects.into_iter().map(Into::into).collect(),
        }
    }

    /// Whether a root with this subject is public.
    pub fn contains(&self, subject: &str) -> bool {
        self.subjects.contains(subject)
    }
}

/// Whether the client trusts roots other than the system's default ones (SSL_CERT_FILE,
/// SSL_CERT_DIR or a CA file).
pub fn uses_custom_roots(http: &HttpClient) -> bool {
    match &http.config().roots {
        RootSource::CaFile(_) => true,
        RootSource::Go(TlsRoots::Files {
            file_from_env,
            dirs_from_env,
            ..
        }) => *file_from_env || *dirs_from_env,
        RootSource::Go(_) => false,
        RootSource::System => http.roots().source == "SSL_CERT_FILE/SSL_CERT_DIR",
        #[allow(unreachable_patterns)]
        _ => false,
    }
}

/// The HTTP settings of a probe: go's client for `settings` with short, bounded timeouts
/// (a probe must answer in seconds, not wait like a 500 MiB download may).
pub fn http_config(settings: &crate::settings::Settings) -> HttpConfig {
    HttpConfig {
        connect_timeout: Duration::from_secs(10),
        read_timeout: Duration::from_secs(20),
        overall_timeout: Some(Duration::from_secs(120)),
        ..HttpConfig::from_settings(settings)
    }
}

/// What to probe besides the proxy itself.
#[derive(Debug, Clone)]
pub struct ProbeOptions {
    /// The module version to check (`--module`); `None`: the latest [`WELL_KNOWN_MODULE`] if
    /// the proxy serves it, else the module checks are skipped.
    pub module: Option<ModuleVersion>,
    /// The checksum database (effective GOSUMDB); `None` when off.
    pub sumdb: Option<SumDbConfig>,
    /// The public roots, to tell interception from public trust; `None`: unknown.
    pub public_roots: Option<PublicRoots>,
    /// Whether the client trusts custom roots ([`uses_custom_roots`]).
    pub custom_roots: bool,
    /// The time certificates are judged at (Unix seconds).
    pub now_unix: i64,
    /// Report certificates expiring within this many seconds.
    pub near_expiry_secs: i64,
    /// Cap on the zip download.
    pub zip_limit: u64,
    /// Directory for the zip and the database client's state (a fresh one per run, so lookups
    /// and tiles really go through the proxy).
    pub work_dir: PathBuf,
    /// gotrust's cache root ([`crate::net::sumdb::default_cache_root`]): the newest tree head
    /// each database showed is kept in `sumdb/<name>/latest` there, and every later probe
    /// checks the head it is served against it (a fork or a rollback across runs). `None`: no
    /// memory across runs.
    pub state_root: Option<PathBuf>,
    /// Makes the made-up module path and version unique, so no cache can hold them.
    pub nonce: String,
}

impl ProbeOptions {
    /// Defaults: no module, no database, unknown public roots, now, 21 days, 64 MiB.
    pub fn new(work_dir: impl Into<PathBuf>) -> ProbeOptions {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        ProbeOptions {
            module: None,
            sumdb: None,
            public_roots: None,
            custom_roots: false,
            now_unix: now.as_secs() as i64,
            near_expiry_secs: DEFAULT_NEAR_EXPIRY_SECS,
            zip_limit: DEFAULT_ZIP_LIMIT,
            work_dir: work_dir.into(),
            state_root: None,
            nonce: format!(
                "{:x}{:x}",
                now.as_nanos() & 0xffff_ffff_ffff,
                std::process::id()
            ),
        }
    }

    /// The made-up module path whose requests must be 404/410.
    pub fn made_up_module(&self) -> String {
        format!("gotrust.invalid/probe-{}", self.nonce)
    }

    /// The made-up version of a real module whose requests must be 404/410.
    pub fn made_up_version(&self) -> String {
        format!("v0.0.1-gotrust-probe.{}", self.nonce)
    }
}

/// How one check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// As go expects.
    Pass,
    /// Not as go expects (a finding says why it matters).
    Fail,
    /// Unusual but not wrong for go.
    Warn,
    /// A fact worth showing.
    Info,
    /// Not run (the detail says why).
    Skip,
}

impl Outcome {
    /// `pass`, `FAIL`, `warn`, `info`, `skip`, as the text table shows it.
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "FAIL",
            Outcome::Warn => "warn",
            Outcome::Info => "info",
            Outcome::Skip => "skip",
        }
    }
}

/// One row of the conformance table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// Stable name (`tls`, `not-found/module`, `sumdb/supported`, ...).
    pub name: &'static str,
    /// The outcome.
    pub outcome: Outcome,
    /// What was seen.
    pub detail: String,
}

/// One request the probe made.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequestRecord {
    /// What it was for (the check name).
    pub what: &'static str,
    /// The URL (redacted).
    pub url: String,
    /// The final status, when the server answered.
    pub status: Option<u16>,
    /// The error, when the request failed.
    pub error: Option<String>,
    /// Wall-clock time, seconds.
    pub elapsed_secs: f64,
    /// `HTTP/1.1`, `HTTP/2.0` (successful answers only).
    pub http_version: Option<String>,
    /// Redirects followed (successful answers only).
    pub redirects: Vec<RedirectHop>,
    /// Cache-related headers (successful answers only).
    pub cache_headers: Vec<(String, String)>,
}

/// The TLS side of a proxy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TlsReport {
    /// The negotiated protocol version (`None` for a failed handshake).
    pub version: Option<TlsVersion>,
    /// The ALPN protocol the connection spoke (`h2`, `http/1.1`; `None` for a failed
    /// handshake).
    pub alpn: Option<String>,
    /// Whether the chain verified against the trusted roots (false: the handshake failed and
    /// `chain` is what the server presented).
    pub verified: bool,
    /// The chain the server presented, leaf first.
    pub chain: Vec<CertSummary>,
    /// Whether custom roots (SSL_CERT_FILE, ...) were trusted.
    pub custom_roots: bool,
    /// Whether the chain's root is a public root (`None`: unknown).
    pub root_public: Option<bool>,
}

/// Latency of the answered requests, seconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Latency {
    /// Answered requests.
    pub count: usize,
    /// Fastest.
    pub min: f64,
    /// Median.
    pub median: f64,
    /// Slowest.
    pub max: f64,
}

/// Whether the probe reached a verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Every check that could run ran.
    Complete,
    /// The proxy could not be reached (DNS, connection, timeout): no verdict.
    Unreachable,
}

/// The result of probing one proxy.
#[derive(Debug, Clone, Serialize)]
pub struct ProxyProbe {
    /// The proxy URL (redacted).
    pub url: String,
    /// Whether a verdict was reached.
    pub verdict: Verdict,
    /// The HTTP version of the answers.
    pub http_version: Option<String>,
    /// TLS, for https proxies that answered.
    pub tls: Option<TlsReport>,
    /// The module version the module checks used.
    pub module: Option<ModuleVersion>,
    /// The conformance table.
    pub checks: Vec<Check>,
    /// Every request made.
    pub requests: Vec<RequestRecord>,
    /// Latency of the answered requests.
    pub latency: Option<Latency>,
    /// Findings (`probe/*` rules, and `proxy/plaintext`).
    #[serde(skip)]
    pub findings: Vec<Finding>,
}

impl ProxyProbe {
    /// The check named `name`, if it ran.
    pub fn check(&self, name: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.name == name)
    }

    /// The IDs of the findings, sorted and deduplicated.
    pub fn finding_ids(&self) -> Vec<&'static str> {
        let set: BTreeSet<&'static str> = self.findings.iter().map(|f| f.rule.id).collect();
        set.into_iter().collect()
    }
}

/// What a failed request means for the probe.
enum Failure {
    /// 404/410.
    NotFound(u16),
    /// The server answered 200 but the body was unusable (still an answer).
    Answered(String),
    /// Any other status.
    Status(u16, String),
    /// Certificate or handshake failure.
    Tls(String),
    /// An https → http redirect.
    InsecureRedirect(String, String),
    /// No answer: DNS, connect, timeout.
    Unreachable(String),
    /// Anything else (size cap, redirect loop, I/O).
    Other(String),
}

fn classify(e: &ProxyError) -> Failure {
    match e {
        ProxyError::Fetch(f) => classify_fetch(f),
        ProxyError::InvalidResponse { .. } | ProxyError::WrongVersion { .. } => {
            Failure::Answered(e.to_string())
        }
        other => Failure::Other(other.to_string()),
    }
}

fn classify_fetch(f: &FetchError) -> Failure {
    match &f.kind {
        FetchErrorKind::NotFound { status, .. } => Failure::NotFound(*status),
        FetchErrorKind::Status { status, .. } => Failure::Status(*status, f.to_string()),
        FetchErrorKind::Tls { detail, go_text } => {
            Failure::Tls(go_text.clone().unwrap_or_else(|| detail.clone()))
        }
        FetchErrorKind::InsecureRedirect { from, to } => {
            Failure::InsecureRedirect(from.clone(), to.clone())
        }
        FetchErrorKind::Transport { .. } | FetchErrorKind::Timeout { .. } => {
            Failure::Unreachable(f.to_string())
        }
        _ => Failure::Other(f.to_string()),
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(d)) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            d == "localhost" || d.ends_with(".localhost")
        }
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

struct Run<'a> {
    http: &'a Arc<HttpClient>,
    proxy: ProxyClient<'a>,
    opts: &'a ProbeOptions,
    base: Url,
    out: ProxyProbe,
    exchanges: Vec<Exchange>,
}

/// Probes one proxy. Errors only for unusable input; an unreachable proxy is a
/// [`Verdict::Unreachable`] result.
pub async fn probe(
    http: &Arc<HttpClient>,
    url: &str,
    opts: &ProbeOptions,
) -> Result<ProxyProbe, ProbeError> {
    let proxy = ProxyClient::new(http, url).map_err(|e| ProbeError::BadProxy(e.to_string()))?;
    let base = proxy.base().clone();
    let mut run = Run {
        http,
        proxy,
        opts,
        out: ProxyProbe {
            url: crate::redact::redact_text(url),
            verdict: Verdict::Complete,
            http_version: None,
            tls: None,
            module: None,
            checks: Vec::new(),
            requests: Vec::new(),
            latency: None,
            findings: Vec::new(),
        },
        base,
        exchanges: Vec::new(),
    };
    run.all().await;
    run.finish();
    Ok(run.out)
}

impl Run<'_> {
    fn check(&mut self, name: &'static str, outcome: Outcome, detail: impl Into<String>) {
        self.out.checks.push(Check {
            name,
            outcome,
            detail: detail.into(),
        });
    }

    fn finding(&mut self, f: Finding) {
        let f = f.with_evidence(Evidence::variable("proxy", self.out.url.clone()));
        self.out.findings.push(f);
    }

    fn record(
        &mut self,
        what: &'static str,
        url: Option<Url>,
        start: Instant,
        r: Result<&Exchange, &ProxyError>,
    ) {
        let elapsed_secs = start.elapsed().as_secs_f64();
        let url = url.map_or_else(String::new, |u| crate::redact::redact_url(&u));
        let rec = match r {
            Ok(ex) => {
                self.exchanges.push(ex.clone());
                RequestRecord {
                    what,
                    url,
                    status: Some(ex.status),
                    error: None,
                    elapsed_secs,
                    http_version: Some(ex.http_version.clone()),
                    redirects: ex.redirects.clone(),
                    cache_headers: ex
                        .headers
                        .iter()
                        .filter(|(k, _)| CACHE_HEADERS.contains(&k.as_str()))
                        .cloned()
                        .collect(),
                }
            }
            Err(e) => RequestRecord {
                what,
                url,
                status: match e {
                    ProxyError::Fetch(f) => f.status(),
                    ProxyError::InvalidResponse { .. } | ProxyError::WrongVersion { .. } => {
                        Some(200)
                    }
                    _ => None,
                },
                error: Some(e.to_string()),
                elapsed_secs,
                http_version: None,
                redirects: Vec::new(),
                cache_headers: Vec::new(),
            },
        };
        self.out.requests.push(rec);
    }

    /// Handles a failure that ends the probe (TLS, insecure redirect, unreachable); returns
    /// true if the probe must stop.
    fn fatal(&mut self, what: &'static str, f: &Failure) -> bool {
        match f {
            Failure::Tls(detail) => {
                self.check("tls", Outcome::Fail, detail.clone());
                let msg = format!("{}: TLS verification failed: {detail}", self.out.url);
                self.finding(Finding::new(&catalog::PROBE_TLS_FAILED, msg));
                // The server name rustls saw: IPv6 hosts without their URL brackets.
                let host = self
                    .base
                    .host_str()
                    .unwrap_or_default()
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .to_string();
                let chain = self.http.failed_chain(&host);
                if !chain.is_empty() {
                    self.failed_tls(chain, detail);
                }
                true
            }
            Failure::InsecureRedirect(from, to) => {
                self.check(
                    "redirects",
                    Outcome::Fail,
                    format!("redirected from secure URL {from} to insecure URL {to}"),
                );
                let msg = format!(
                    "{}: https request redirected to plain http ({to}); go refuses: redirected from secure URL {from} to insecure URL {to}",
                    self.out.url
                );
                self.finding(Finding::new(&catalog::PROBE_INSECURE_REDIRECT, msg));
                true
            }
            Failure::Unreachable(detail) => {
                self.check(what, Outcome::Fail, detail.clone());
                self.out.verdict = Verdict::Unreachable;
                true
            }
            _ => false,
        }
    }

    async fn all(&mut self) {
        self.transport_scheme();
        // 1. The not-found contract for a module nobody has; also the reachability test.
        let made_up = self.opts.made_up_module();
        if !self.not_found("not-found/module", &made_up, "v1.0.0").await {
            return;
        }
        // 2. A module that exists.
        let Some(m) = self.known_module().await else {
            return;
        };
        self.out.module = Some(m.clone());
        let made_up_version = self.opts.made_up_version();
        if !self
            .not_found("not-found/version", &m.path, &made_up_version)
            .await
        {
            return;
        }
        self.list(&m).await;
        self.info(&m).await;
        let go_mod_hash = self.go_mod(&m).await;
        let zip_hash = self.zip(&m).await;
        // 3. The checksum database through the proxy, and the content against it.
        self.sumdb(&m, zip_hash, go_mod_hash).await;
    }

    fn transport_scheme(&mut self) {
        match self.base.scheme() {
            "http" if is_loopback(&self.base) => self.check(
                "transport",
                Outcome::Info,
                "plain HTTP on loopback: nothing leaves the machine",
            ),
            "http" => {
                self.check(
                    "transport",
                    Outcome::Fail,
                    "plain HTTP to a non-loopback host",
                );
                let msg = format!(
                    "{}: module requests and answers travel in clear text",
                    self.out.url
                );
                self.finding(Finding::new(&catalog::PROXY_PLAINTEXT, msg));
            }
            "https" => {}
            other => self.check("transport", Outcome::Info, format!("{other}: no network")),
        }
    }

    /// Requests `.info` of `path@version`, which must not exist; returns false if the probe
    /// must stop.
    async fn not_found(&mut self, name: &'static str, path: &str, version: &str) -> bool {
        let url = module::escape_version(version)
            .ok()
            .and_then(|v| self.proxy.url_for(path, &format!("@v/{v}.info")).ok());
        let start = Instant::now();
        let r = self.proxy.info(path, version).await;
        self.record(name, url, start, r.as_ref().map(|(ex, _)| ex));
        let what = format!("{path}@{version} (does not exist)");
        match r {
            Ok(_) => {
                self.check(name, Outcome::Fail, format!("{what}: 200"));
                self.not_found_200(&what, "200 OK");
                true
            }
            Err(e) => match classify(&e) {
                Failure::NotFound(s) => {
                    self.check(name, Outcome::Pass, format!("{what}: {s}"));
                    true
                }
                Failure::Answered(detail) => {
                    self.check(name, Outcome::Fail, format!("{what}: 200 ({detail})"));
                    self.not_found_200(&what, &detail);
                    true
                }
                Failure::Status(s, detail) => {
                    self.check(name, Outcome::Fail, format!("{what}: {s}"));
                    let msg = format!(
                        "{}: a missing module answered {s} instead of 404/410; a `,` GOPROXY list stops here ({detail})",
                        self.out.url
                    );
                    self.finding(
                        Finding::new(&catalog::PROBE_NOT_FOUND_STATUS, msg).with_affected(path),
                    );
                    true
                }
                Failure::Other(detail) => {
                    self.check(name, Outcome::Warn, format!("{what}: {detail}"));
                    true
                }
                f => !self.fatal(name, &f),
            },
        }
    }

    fn not_found_200(&mut self, what: &str, detail: &str) {
        let msg = format!(
            "{}: {what} was answered with content ({detail}): stale or polluted cache",
            self.out.url
        );
        self.finding(Finding::new(&catalog::PROBE_NOT_FOUND_200, msg).with_affected(what));
    }

    async fn known_module(&mut self) -> Option<ModuleVersion> {
        if let Some(m) = &self.opts.module {
            self.check("module", Outcome::Info, format!("{m} (--module)"));
            return Some(m.clone());
        }
        let url = self.proxy.url_for(WELL_KNOWN_MODULE, "@latest").ok();
        let start = Instant::now();
        let r = self.proxy.latest(WELL_KNOWN_MODULE).await;
        self.record("module", url, start, r.as_ref().map(|(ex, _)| ex));
        match r {
            Ok((_, info)) => {
                match ModuleVersion::parse(&format!("{WELL_KNOWN_MODULE}@{}", info.version)) {
                    Ok(m) => {
                        self.check("module", Outcome::Info, format!("{m} (from @latest)"));
                        Some(m)
                    }
                    Err(e) => {
                        self.check("module", Outcome::Skip, format!("@latest: {e}"));
                        None
                    }
                }
            }
            Err(e) => {
                let f = classify(&e);
                if self.fatal("module", &f) {
                    return None;
                }
                self.check(
                    "module",
                    Outcome::Skip,
                    format!(
                        "{WELL_KNOWN_MODULE}@latest not served ({e}); pass --module M@V for the list, info, zip and database checks"
                    ),
                );
                None
            }
        }
    }

    async fn list(&mut self, m: &ModuleVersion) {
        let url = self.proxy.url_for(&m.path, "@v/list").ok();
        let start = Instant::now();
        let r = self.proxy.list(&m.path).await;
        self.record("list", url, start, r.as_ref().map(|(ex, _)| ex));
        match r {
            Ok((_, list)) => {
                let bad: Vec<String> = list
                    .lines
                    .iter()
                    .filter(|l| {
                        module::canonical_version(&l.version).as_deref() != Some(l.version.as_str())
                            || module::check(&m.path, &l.version).is_err()
                    })
                    .map(|l| l.version.clone())
                    .take(5)
                    .collect();
                if !bad.is_empty() {
                    self.check(
                        "list",
                        Outcome::Fail,
                        format!("invalid versions: {}", bad.join(", ")),
                    );
                    let msg = format!(
                        "{}: @v/list of {} has versions go cannot use: {}",
                        self.out.url,
                        m.path,
                        bad.join(", ")
                    );
                    self.finding(
                        Finding::new(&catalog::PROBE_INVALID_RESPONSE, msg).with_affected(&m.path),
                    );
                } else if module::is_pseudo_version(&m.version)
                    || list.lines.iter().any(|l| l.version == m.version)
                {
                    self.check(
                        "list",
                        Outcome::Pass,
                        format!("{} versions", list.lines.len()),
                    );
                } else {
                    self.check(
                        "list",
                        Outcome::Warn,
                        format!(
                            "{} versions, {} not listed (a retracted or unlisted version, or a stale list)",
                            list.lines.len(),
                            m.version
                        ),
                    );
                }
            }
            Err(e) => {
                let f = classify(&e);
                if !self.fatal("list", &f) {
                    self.check("list", Outcome::Warn, e.to_string());
                }
            }
        }
    }

    async fn info(&mut self, m: &ModuleVersion) {
        let url = module::escape_version(&m.version)
            .ok()
            .and_then(|v| self.proxy.url_for(&m.path, &format!("@v/{v}.info")).ok());
        let start = Instant::now();
        let r = self.proxy.info(&m.path, &m.version).await;
        self.record("info", url, start, r.as_ref().map(|(ex, _)| ex));
        match r {
            Ok((_, info)) if info.time.is_empty() => {
                self.check("info", Outcome::Warn, "no Time field");
            }
            Ok((_, info)) => self.check("info", Outcome::Pass, format!("Time {}", info.time)),
            Err(e) => match classify(&e) {
                Failure::Answered(detail) => {
                    self.check("info", Outcome::Fail, detail.clone());
                    let msg = format!("{}: .info of {m}: {detail}", self.out.url);
                    self.finding(
                        Finding::new(&catalog::PROBE_INVALID_RESPONSE, msg)
                            .with_affected(m.to_string()),
                    );
                }
                f => {
                    if !self.fatal("info", &f) {
                        self.check("info", Outcome::Fail, e.to_string());
                    }
                }
            },
        }
    }

    async fn go_mod(&mut self, m: &ModuleVersion) -> Option<String> {
        let url = module::escape_version(&m.version)
            .ok()
            .and_then(|v| self.proxy.url_for(&m.path, &format!("@v/{v}.mod")).ok());
        let start = Instant::now();
        let r = self.proxy.go_mod(&m.path, &m.version).await;
        self.record("go.mod", url, start, r.as_ref().map(|(ex, _)| ex));
        match r {
            Ok((_, body)) => Some(gomod::dirhash::hash_go_mod(&body)),
            Err(e) => {
                let f = classify(&e);
                if !self.fatal("go.mod", &f) {
                    self.check("go.mod", Outcome::Fail, e.to_string());
                }
                None
            }
        }
    }

    async fn zip(&mut self, m: &ModuleVersion) -> Option<String> {
        let url = module::escape_version(&m.version)
            .ok()
            .and_then(|v| self.proxy.url_for(&m.path, &format!("@v/{v}.zip")).ok());
        let proxy = self.proxy.clone().with_zip_limit(self.opts.zip_limit);
        if let Err(e) = std::fs::create_dir_all(&self.opts.work_dir) {
            self.check("zip", Outcome::Skip, format!("work directory: {e}"));
            return None;
        }
        let start = Instant::now();
        let r = proxy
            .zip_to_file(&m.path, &m.version, &self.opts.work_dir)
            .await;
        self.record("zip", url, start, r.as_ref().map(|d| &d.exchange));
        let dl = match r {
            Ok(dl) => dl,
            Err(ProxyError::ZipTooLarge) => {
                self.check(
                    "zip",
                    Outcome::Skip,
                    format!(
                        "larger than the probe's cap of {} bytes",
                        self.opts.zip_limit
                    ),
                );
                return None;
            }
            Err(e) => {
                let f = classify(&e);
                if !self.fatal("zip", &f) {
                    self.check("zip", Outcome::Fail, e.to_string());
                }
                return None;
            }
        };
        let ex = &dl.exchange;
        let own = self
            .base
            .host_str()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let mut hosts: Vec<String> = ex
            .redirects
            .iter()
            .map(|h| h.location.as_str())
            .chain(std::iter::once(ex.final_url.as_str()))
            .filter_map(|u| Url::parse(u).ok())
            .filter_map(|u| u.host_str().map(str::to_ascii_lowercase))
            .filter(|h| *h != own)
            .collect();
        hosts.sort();
        hosts.dedup();
        if hosts.is_empty() {
            self.check(
                "zip",
                Outcome::Pass,
                format!("{} bytes from the proxy host", ex.body_len),
            );
        } else {
            self.check(
                "zip",
                Outcome::Info,
                format!("{} bytes, redirected to {}", ex.body_len, hosts.join(", ")),
            );
            let msg = format!(
                "{}: module zips are served from {}: allowlists that name only the proxy host block them",
                self.out.url,
                hosts.join(", ")
            );
            self.finding(Finding::new(&catalog::PROBE_ZIP_REDIRECT_HOST, msg));
        }
        match dl.h1().await {
            Ok(h) => Some(h),
            Err(e) => {
                self.check("zip/hash", Outcome::Fail, e.to_string());
                None
            }
        }
    }

    async fn sumdb(&mut self, m: &ModuleVersion, zip: Option<String>, go_mod: Option<String>) {
        let Some(db) = self.opts.sumdb.clone() else {
            self.check("sumdb/supported", Outcome::Skip, "GOSUMDB=off");
            return;
        };
        let name = db.name().to_string();
        let url = Some(self.proxy.sumdb_base(&name).join_raw("supported"));
        let start = Instant::now();
        let r = self.proxy.sumdb_supported(&name).await;
        self.record("sumdb/supported", url, start, r.as_ref());
        let base = match r {
            Ok(_) => {
                self.check(
                    "sumdb/supported",
                    Outcome::Pass,
                    format!("go reaches {name} through this proxy"),
                );
                Some(self.proxy.sumdb_base(&name))
            }
            Err(e) => match classify(&e) {
                Failure::NotFound(s) => {
                    self.check(
                        "sumdb/supported",
                        Outcome::Info,
                        format!("{s}: go contacts {} directly", db.direct_url),
                    );
                    let msg = format!(
                        "{}: /sumdb/{name}/supported is {s}: go contacts the checksum database at {} directly",
                        self.out.url, db.direct_url
                    );
                    self.finding(Finding::new(&catalog::PROBE_SUMDB_NOT_SUPPORTED, msg));
                    // Lookups go where go would send them next.
                    let fallback = db.url_text.clone().unwrap_or(db.direct_url.clone());
                    Url::parse(&fallback).ok().map(SumdbBase)
                }
                f => {
                    if self.fatal("sumdb/supported", &f) {
                        return;
                    }
                    self.check("sumdb/supported", Outcome::Fail, e.to_string());
                    let msg = format!(
                        "{}: /sumdb/{name}/supported failed ({e}): go's checksum verification fails when a `,` list is walked",
                        self.out.url
                    );
                    self.finding(Finding::new(&catalog::PROBE_SUMDB_ERROR, msg));
                    None
                }
            },
        };
        let Some(base) = base else {
            return;
        };
        self.lookup_and_compare(m, &db, base, zip, go_mod).await;
    }

    async fn lookup_and_compare(
        &mut self,
        m: &ModuleVersion,
        db: &SumDbConfig,
        base: SumdbBase,
        zip: Option<String>,
        go_mod: Option<String>,
    ) {
        let mut cfg = SumdbConfig::new(db, base.clone(), &self.opts.work_dir);
        cfg.state_dir = self.opts.work_dir.join("sumdb").join(db.name());
        // The head kept from earlier runs seeds the client read-only (like go's own `latest`):
        // every note served in this run must then be consistent with it.
        let kept = self
            .opts
            .state_root
            .as_ref()
            .map(|r| r.join("sumdb").join(db.name()).join("latest"));
        cfg.go_latest = kept.clone().filter(|k| k.is_file());
        let start = Instant::now();
        let client = match SumdbClient::new(self.http.clone(), cfg).await {
            Ok(c) => c,
            Err(SumdbClientError::Fork(ev)) => {
                self.fork(&ev);
                return;
            }
            Err(e) => {
                self.check("sumdb/lookup", Outcome::Fail, e.to_string());
                self.sumdb_error(&base, &e.to_string());
                return;
            }
        };
        if let Some(kept) = &kept
            && !self.tree_head(&client, &base, kept).await
        {
            return;
        }
        let zip_line = client.lookup(&m.path, &m.version).await;
        let mod_line = client
            .lookup(&m.path, &format!("{}/go.mod", m.version))
            .await;
        for ex in client.exchanges() {
            self.exchanges.push(ex);
        }
        self.out.requests.push(RequestRecord {
            what: "sumdb/lookup",
            url: crate::redact::redact_url(&base.join_raw("lookup")),
            status: None,
            error: zip_line.as_ref().err().map(|e| e.to_string()),
            elapsed_secs: start.elapsed().as_secs_f64(),
            http_version: None,
            redirects: Vec::new(),
            cache_headers: Vec::new(),
        });
        let (zip_line, mod_line) = match (zip_line, mod_line) {
            (Ok(z), Ok(g)) => (z, g),
            (Err(e), _) | (_, Err(e)) => {
                let not_found = matches!(&e.error, SumdbClientError::Fetch(f) if f.is_not_found());
                if let SumdbClientError::Fork(ev) = &e.error {
                    self.fork(ev);
                } else if not_found {
                    self.check(
                        "sumdb/lookup",
                        Outcome::Warn,
                        format!("{m} is not in the database: {e}"),
                    );
                } else {
                    self.check("sumdb/lookup", Outcome::Fail, e.to_string());
                    self.sumdb_error(&base, &e.to_string());
                }
                return;
            }
        };
        self.check(
            "sumdb/lookup",
            Outcome::Pass,
            format!(
                "record {} proven in tree of size {}",
                zip_line.record_id, zip_line.tree_size
            ),
        );
        if let Some(kept) = &kept {
            self.keep_head(&client, kept);
        }
        let want_zip = hash_of(&zip_line.lines, &m.path, &m.version);
        let want_mod = hash_of(&mod_line.lines, &m.path, &format!("{}/go.mod", m.version));
        let mut mismatches = Vec::new();
        let mut compared = 0;
        for (kind, got, want) in [("zip", zip, want_zip), ("go.mod", go_mod, want_mod)] {
            if let (Some(got), Some(want)) = (got, want) {
                compared += 1;
                if got != want {
                    mismatches.push(format!("{kind}: proxy {got}, database {want}"));
                }
            }
        }
        if !mismatches.is_empty() {
            self.check("content", Outcome::Fail, mismatches.join("; "));
            let msg = format!(
                "{}: {m} differs from the checksum database ({})",
                self.out.url,
                mismatches.join("; ")
            );
            self.finding(
                Finding::new(&catalog::PROBE_CONTENT_MISMATCH, msg).with_affected(m.to_string()),
            );
        } else if compared == 2 {
            self.check(
                "content",
                Outcome::Pass,
                "zip and go.mod hashes match the database",
            );
        } else {
            self.check(
                "content",
                Outcome::Skip,
                "zip or go.mod not downloaded, or missing from the database answer",
            );
        }
    }

    /// Fetches the database's `/latest` and merges it with the head kept from earlier runs
    /// (already in `client`). Returns false when the probe of the database must stop (a fork).
    async fn tree_head(&mut self, client: &SumdbClient, base: &SumdbBase, kept: &Path) -> bool {
        let (seen, seen_note) = client.latest();
        let url = base.join_raw("latest");
        let start = Instant::now();
        let r = self.http.get_bytes(&url, crate::net::limits::LATEST).await;
        match &r {
            Ok((ex, _)) => self.record("sumdb/latest", Some(url.clone()), start, Ok(ex)),
            Err(e) => {
                let e = ProxyError::Fetch(e.clone());
                self.record("sumdb/latest", Some(url.clone()), start, Err(&e));
            }
        }
        let served = match r {
            Ok((_, body)) => body,
            Err(e) => {
                // go never asks for /latest; a mirror without it is not a finding.
                self.check("sumdb/head", Outcome::Warn, format!("{e}"));
                return true;
            }
        };
        let served_n = tree_size_of(&served).map_or_else(|| "?".into(), |n| n.to_string());
        let rollback = |run: &mut Self, why: &str| {
            run.check(
                "sumdb/head",
                Outcome::Fail,
                format!(
                    "served tree#{served_n} is older than tree#{} seen before{why}",
                    seen.n
                ),
            );
            let msg = format!(
                "{}: the checksum database serves tree#{served_n} but gotrust saw tree#{} before ({}): a stale or frozen view{why}; go keeps its newer head and says nothing",
                run.out.url,
                seen.n,
                kept.display()
            );
            let f = Finding::new(&catalog::PROBE_SUMDB_ROLLBACK, msg)
                .with_evidence(
                    Evidence::variable(
                        "tree head seen before",
                        String::from_utf8_lossy(&seen_note),
                    )
                    .at(kept, None),
                )
                .with_evidence(
                    Evidence::variable("tree head served now", String::from_utf8_lossy(&served))
                        .origin(crate::redact::redact_url(&url)),
                );
            run.finding(f);
        };
        match client.merge(served.clone()).await {
            Ok(Merge::Past) => {
                rollback(self, "");
                true
            }
            // The older head could not even be checked against the newer one: the server
            // refuses the tiles of the tree it showed before.
            Err(SumdbClientError::TreeCheck {
                older,
                newer,
                detail,
                ..
            }) if newer == seen.n && older < newer => {
                let detail = detail.lines().next().unwrap_or_default().to_string();
                rollback(
                    self,
                    &format!(
                        ", and it no longer serves what proves its head part of the one seen before ({detail})"
                    ),
                );
                false
            }
            Ok(m) => {
                self.keep_head(client, kept);
                let (now, _) = client.latest();
                let detail = if seen.n == 0 {
                    format!("tree#{}; kept in {} for later runs", now.n, kept.display())
                } else if m == Merge::Future {
                    format!("tree#{} extends tree#{} seen before", now.n, seen.n)
                } else {
                    format!("tree#{} as seen before", now.n)
                };
                self.check("sumdb/head", Outcome::Pass, detail);
                true
            }
            Err(SumdbClientError::Fork(ev)) => {
                self.fork(&ev);
                false
            }
            Err(e) => {
                self.check("sumdb/head", Outcome::Fail, e.to_string());
                self.sumdb_error(base, &e.to_string());
                false
            }
        }
    }

    /// A proof that the database showed two histories: critical, with both signed notes.
    fn fork(&mut self, ev: &ForkEvidence) {
        self.check(
            "sumdb/fork",
            Outcome::Fail,
            format!(
                "tree#{} and tree#{} contradict each other",
                ev.older.n, ev.newer.n
            ),
        );
        let msg = format!(
            "{}: the checksum database showed two histories: tree#{} (hash {}) and tree#{} (hash {}, implying {} for size {}); go stops with \"SECURITY ERROR: go.sum database server misbehavior detected!\"",
            self.out.url,
            ev.older.n,
            ev.older.hash,
            ev.newer.n,
            ev.newer.hash,
            ev.implied_hash,
            ev.older.n
        );
        let f = Finding::new(&catalog::PROBE_SUMDB_FORK, msg)
            .with_evidence(Evidence::variable("older tree note", ev.older.note.clone()))
            .with_evidence(Evidence::variable("newer tree note", ev.newer.note.clone()));
        self.finding(f);
    }

    /// Stores the client's head in gotrust's cache when it is newer than the kept one.
    fn keep_head(&mut self, client: &SumdbClient, kept: &Path) {
        let (tree, note) = client.latest();
        let old = std::fs::read(kept).ok().and_then(|b| tree_size_of(&b));
        if tree.n == 0 || old.is_some_and(|n| n >= tree.n) {
            return;
        }
        let res = kept
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| {
                let tmp = kept.with_extension(format!("tmp{}", std::process::id()));
                std::fs::write(&tmp, &note)?;
                std::fs::rename(&tmp, kept)
            });
        if let Err(e) = res {
            self.check(
                "sumdb/head",
                Outcome::Warn,
                format!("cannot keep the tree head in {}: {e}", kept.display()),
            );
        }
    }

    fn sumdb_error(&mut self, base: &SumdbBase, detail: &str) {
        let msg = format!(
            "{}: checksum database at {} failed: {detail}",
            self.out.url,
            crate::redact::redact_url(&base.0)
        );
        self.finding(Finding::new(&catalog::PROBE_SUMDB_ERROR, msg));
    }

    /// TLS, HTTP version, redirects, cache headers and latency, from the answered requests.
    fn finish(&mut self) {
        if let Some(ex) = self.exchanges.first() {
            self.out.http_version = Some(ex.http_version.clone());
            self.check("http-version", Outcome::Info, ex.http_version.clone());
        }
        let peer = self.exchanges.iter().find_map(|ex| ex.tls.clone());
        if let Some(peer) = peer {
            self.tls(peer.chain, peer.version, peer.alpn);
        }
        // Redirects of the metadata requests (zip redirects are judged in `zip`).
        let redirected: Vec<String> = self
            .out
            .requests
            .iter()
            .filter(|r| r.what != "zip")
            .flat_map(|r| r.redirects.iter().map(|h| h.location.clone()))
            .collect();
        if redirected.is_empty() {
            if !self.out.checks.iter().any(|c| c.name == "redirects") {
                self.check("redirects", Outcome::Pass, "none for metadata requests");
            }
        } else {
            self.check(
                "redirects",
                Outcome::Info,
                format!("metadata redirected to {}", redirected.join(", ")),
            );
        }
        let headers: BTreeSet<String> = self
            .out
            .requests
            .iter()
            .flat_map(|r| r.cache_headers.iter().map(|(k, v)| format!("{k}: {v}")))
            .collect();
        if !self.exchanges.is_empty() {
            if headers.is_empty() {
                self.check("cache-headers", Outcome::Info, "none");
            } else {
                let shown: Vec<String> = headers.into_iter().take(8).collect();
                self.check("cache-headers", Outcome::Info, shown.join("; "));
            }
        }
        let mut times: Vec<f64> = self
            .out
            .requests
            .iter()
            .filter(|r| r.status.is_some())
            .map(|r| r.elapsed_secs)
            .collect();
        times.sort_by(f64::total_cmp);
        if let (Some(&min), Some(&max)) = (times.first(), times.last()) {
            let median = times[times.len() / 2];
            self.out.latency = Some(Latency {
                count: times.len(),
                min,
                median,
                max,
            });
            self.check(
                "latency",
                Outcome::Info,
                format!(
                    "{} requests: min {:.3}s, median {:.3}s, max {:.3}s",
                    times.len(),
                    min,
                    median,
                    max
                ),
            );
        }
    }

    /// Whether the chain's root is public (`None`: public roots unknown, or no chain).
    fn root_public(&self, top: Option<&CertSummary>) -> Option<bool> {
        match (&self.opts.public_roots, top) {
            (Some(p), Some(top)) => Some(p.contains(&top.issuer) || p.contains(&top.subject)),
            _ => None,
        }
    }

    /// The chain of a handshake that failed verification: shown, and judged for interception.
    /// A chain issued by a CA that is not a public root is what an intercepting proxy presents;
    /// unlike a trusted private CA, it is a finding even on loopback, because go fails on it.
    fn failed_tls(&mut self, chain: Vec<CertSummary>, detail: &str) {
        let top = chain.last().cloned();
        let root_public = self.root_public(top.as_ref());
        if let Some(leaf) = chain.first() {
            self.check(
                "tls/chain",
                Outcome::Info,
                format!(
                    "presented {} issued by {}, expires {}, names {}",
                    leaf.subject,
                    leaf.issuer,
                    leaf.not_after,
                    leaf.sans.join(", ")
                ),
            );
        }
        if let Some(top) = &top {
            match root_public {
                Some(false) => {
                    self.check(
                        "tls/root",
                        Outcome::Fail,
                        format!("issued by {}, not a public root: interception?", top.issuer),
                    );
                    let host = self
                        .base
                        .host_str()
                        .unwrap_or_default()
                        .to_ascii_lowercase();
                    let public = PUBLIC_HOSTS.contains(&host.as_str());
                    let msg = format!(
                        "{}: the server presented a certificate issued by {}, not a public root and not trusted here ({detail}): interception? If a corporate proxy intercepts TLS, trust its CA through SSL_CERT_FILE instead of turning verification off",
                        self.out.url, top.issuer
                    );
                    let mut f = Finding::new(&catalog::PROBE_TLS_INTERCEPTION, msg);
                    if public {
                        f = f.with_severity(Severity::High);
                    }
                    self.finding(f);
                }
                Some(true) => self.check(
                    "tls/root",
                    Outcome::Info,
                    format!("issued under public root {}", top.issuer),
                ),
                None => self.check(
                    "tls/root",
                    Outcome::Warn,
                    format!(
                        "issued by {}; public roots unknown, interception not judged",
                        top.issuer
                    ),
                ),
            }
        }
        self.out.tls = Some(TlsReport {
            version: None,
            alpn: None,
            verified: false,
            chain,
            custom_roots: self.opts.custom_roots,
            root_public,
        });
    }

    fn tls(&mut self, chain: Vec<CertSummary>, version: Option<TlsVersion>, alpn: Option<String>) {
        let custom = self.opts.custom_roots;
        let top = chain.last().cloned();
        let root_public = self.root_public(top.as_ref());
        if let Some(leaf) = chain.first() {
            let proto = match (version, &alpn) {
                (Some(v), Some(a)) => format!("{v} (ALPN {a}): "),
                (Some(v), None) => format!("{v}: "),
                (None, _) => String::new(),
            };
            self.check(
                "tls",
                Outcome::Pass,
                format!(
                    "{proto}{} issued by {}, expires {}, names {}",
                    leaf.subject,
                    leaf.issuer,
                    leaf.not_after,
                    leaf.sans.join(", ")
                ),
            );
        }
        for cert in &chain {
            let left = cert.not_after_unix - self.opts.now_unix;
            if left < self.opts.near_expiry_secs {
                let days = left / 86_400;
                self.check(
                    "tls/expiry",
                    Outcome::Fail,
                    format!("{} expires {} ({days} days)", cert.subject, cert.not_after),
                );
                let msg = format!(
                    "{}: certificate {} expires {} ({days} days left)",
                    self.out.url, cert.subject, cert.not_after
                );
                self.finding(Finding::new(&catalog::PROBE_CERT_EXPIRING, msg));
            }
        }
        match (custom, root_public, &top) {
            (true, Some(false), Some(top)) => {
                let host = self.base.host_str().unwrap_or_default().to_ascii_lowercase();
                if is_loopback(&self.base) {
                    self.check(
                        "tls/root",
                        Outcome::Info,
                        format!(
                            "private CA {} (trusted through custom roots) on loopback",
                            top.issuer
                        ),
                    );
                } else {
                    self.check(
                        "tls/root",
                        Outcome::Fail,
                        format!(
                            "root {} is not public; trusted only through custom roots",
                            top.issuer
                        ),
                    );
                    let public = PUBLIC_HOSTS.contains(&host.as_str());
                    let msg = format!(
                        "{}: the certificate chains to {}, which is not a public root but is trusted through SSL_CERT_FILE/SSL_CERT_DIR{}",
                        self.out.url,
                        top.issuer,
                        if public {
                            ": a public proxy host behind a private CA is TLS interception"
                        } else {
                            ""
                        }
                    );
                    let mut f = Finding::new(&catalog::PROBE_TLS_INTERCEPTION, msg);
                    if public {
                        f = f.with_severity(Severity::High);
                    }
                    self.finding(f);
                }
            }
            (_, Some(true), Some(top)) => {
                self.check("tls/root", Outcome::Pass, format!("public root {}", top.issuer))
            }
            (false, _, Some(top)) => self.check(
                "tls/root",
                Outcome::Pass,
                format!("{} (system roots)", top.issuer),
            ),
            (true, None, Some(top)) => self.check(
                "tls/root",
                Outcome::Warn,
                format!(
                    "{} trusted through custom roots; public roots unknown, interception not judged",
                    top.issuer
                ),
            ),
            _ => {}
        }
        self.out.tls = Some(TlsReport {
            version,
            alpn,
            verified: true,
            chain,
            custom_roots: custom,
            root_public,
        });
    }
}

/// The size in a tree note (`go.sum database tree\n<N>\n...`), unverified: only for messages
/// and for not overwriting a newer kept head.
fn tree_size_of(note: &[u8]) -> Option<i64> {
    let text = std::str::from_utf8(note).ok()?;
    let mut lines = text.lines();
    (lines.next()? == "go.sum database tree")
        .then(|| lines.next()?.parse().ok())
        .flatten()
}

/// The hash of the go.sum line `path version h1:...` among `lines`.
fn hash_of(lines: &[String], path: &str, version: &str) -> Option<String> {
    lines.iter().find_map(|l| {
        let mut f = l.split(' ');
        match (f.next(), f.next(), f.next(), f.next()) {
            (Some(p), Some(v), Some(h), None) if p == path && v == version => Some(h.to_string()),
            _ => None,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_version_parse() {
        let m = ModuleVersion::parse("example.com/simple@v1.0.0").unwrap();
        assert_eq!(
            (m.path.as_str(), m.version.as_str()),
            ("example.com/simple", "v1.0.0")
        );
        assert_eq!(m.to_string(), "example.com/simple@v1.0.0");
        for bad in [
            "example.com/simple",
            "example.com/simple@v1",
            "example.com/m/v2@v1.0.0",
            "@v1.0.0",
        ] {
            assert!(ModuleVersion::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn made_up_names_are_valid_and_distinct() {
        let mut a = ProbeOptions::new("/tmp/x");
        a.nonce = "abc".into();
        assert!(module::check(&a.made_up_module(), "v1.0.0").is_ok());
        assert!(module::check("example.com/simple", &a.made_up_version()).is_ok());
        let b = ProbeOptions::new("/tmp/x");
        assert_ne!(a.made_up_module(), b.made_up_module());
    }

    #[test]
    fn loopback_hosts() {
        for (u, want) in [
            ("http://127.0.0.1:8080", true),
            ("http://[::1]/", true),
            ("http://localhost/", true),
            ("http://a.localhost/", true),
            ("http://10.0.0.1/", false),
            ("https://proxy.golang.org", false),
        ] {
            assert_eq!(is_loopback(&Url::parse(u).unwrap()), want, "{u}");
        }
    }

    fn cert(subject: &str, issuer: &str, not_after_unix: i64) -> CertSummary {
        CertSummary {
            subject: subject.into(),
            issuer: issuer.into(),
            not_before: String::new(),
            not_after: String::new(),
            not_after_unix,
            sans: vec![],
            serial: String::new(),
            sha256: String::new(),
        }
    }

    /// Judges a chain as `Run::tls` does for a proxy at `url`.
    fn judge(url: &str, custom: bool, public: &[&str]) -> ProxyProbe {
        let http = Arc::new(HttpClient::new(HttpConfig::default()).unwrap());
        let mut opts = ProbeOptions::new("/nonexistent");
        opts.custom_roots = custom;
        opts.public_roots = Some(PublicRoots::from_subjects(public.iter().copied()));
        let proxy = ProxyClient::new(&http, url).unwrap();
        let mut run = Run {
            http: &http,
            base: proxy.base().clone(),
            proxy,
            opts: &opts,
            out: ProxyProbe {
                url: url.into(),
                verdict: Verdict::Complete,
                http_version: None,
                tls: None,
                module: None,
                checks: vec![],
                requests: vec![],
                latency: None,
                findings: vec![],
            },
            exchanges: vec![],
        };
        let far = opts.now_unix + 365 * 86_400;
        run.tls(
            vec![cert("CN=leaf", "CN=Corp MITM CA", far)],
            Some(TlsVersion::Tls13),
            None,
        );
        run.out
    }

    #[test]
    fn interception_is_judged_by_root_and_host() {
        // A private root on a public proxy host: interception, high.
        let p = judge("https://proxy.golang.org", true, &["CN=Public"]);
        assert_eq!(p.finding_ids(), ["probe/tls-interception"]);
        assert_eq!(p.findings[0].severity, Severity::High);
        // On a private host: still reported, at the rule's medium.
        let p = judge("https://goproxy.corp.example", true, &["CN=Public"]);
        assert_eq!(p.findings[0].severity, Severity::Medium);
        // On loopback: shown, not a finding.
        let p = judge("https://127.0.0.1:8443", true, &["CN=Public"]);
        assert!(p.findings.is_empty());
        assert_eq!(p.check("tls/root").unwrap().outcome, Outcome::Info);
        // A public root, or no custom roots at all: nothing to report.
        assert!(
            judge("https://proxy.golang.org", true, &["CN=Corp MITM CA"])
                .findings
                .is_empty()
        );
        assert!(
            judge("https://proxy.golang.org", false, &["CN=Public"])
                .findings
                .is_empty()
        );
    }

    #[test]
    fn go_sum_line_hash() {
        let lines = vec![
            "m v1.0.0 h1:abc=".to_string(),
            "m v1.0.0/go.mod h1:def=".to_string(),
        ];
        assert_eq!(hash_of(&lines, "m", "v1.0.0").as_deref(), Some("h1:abc="));
        assert_eq!(
            hash_of(&lines, "m", "v1.0.0/go.mod").as_deref(),
            Some("h1:def=")
        );
        assert_eq!(hash_of(&lines, "n", "v1.0.0"), None);
    }
}
