//! `gotrust probe`: how a GOPROXY server behaves, checked the way the go command uses it.
//!
//! Mirrors what `cmd/go/internal/modfetch/proxy.go` (the requests), `TryProxies` in the same
//! file (fall back only on 404/410), `cmd/go/internal/web/http.go` (TLS, redirects, the
//! HTTP(S)_PROXY route) and `modfetch/sumdb.go` `initBase` (`/sumdb/<name>/supported`)
//! expect of a proxy. Each probe is a list of [`Check`]s (a conformance table) and
//! [`Finding`]s from the `probe/*` rules of the catalog. One file per job:
//!
//! - `trust`: a TLS handshake with the proxy and the checksum database, through the route
//!   go takes, made whether or not any request succeeds; interception (a chain ending in a
//!   CA that is not a public root, a leaf of a well-known host naming other operators' hosts,
//!   an unexpected issuer) and go's own verification errors;
//! - `contract`: the protocol contract: a made-up module and version must be 404/410 (the
//!   not-found judgement of [`crate::net::FetchError::is_not_found`], the one `TryProxies`
//!   and `verify proxy` use), `@v/list`, `.info`, `.mod`, where zips are served from;
//! - `checksum_db`: `/sumdb/<name>/supported`, a verified lookup, the proxy's hashes
//!   against the database's, and the tree head against the newest one gotrust kept
//!   ([`ProbeOptions::state_root`]): a contradicting head is a fork, an older one a rollback;
//! - `transport`: request records, failure classes, HTTP version, cache headers, latency.
//!
//! Every request goes through [`HttpClient`], so its timeouts and size caps bound the probe;
//! [`http_config`] gives the probe's timeouts.

mod checksum_db;
mod contract;
pub mod text;
mod transport;
pub mod trust;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use gomod::module;
use serde::Serialize;
use url::Url;

use crate::net::goproxy::ProxyClient;
use crate::net::{Exchange, HttpClient, HttpConfig, RedirectHop};
use crate::report::{Evidence, Finding};
use crate::settings::sumdb::SumDbConfig;

#[cfg(test)]
use transport::is_loopback;

/// The module probed when none is given: small, old and served by every public proxy.
pub const WELL_KNOWN_MODULE: &str = "rsc.io/quote";

/// Default cap on the zip downloaded to see where zips are served from (and to hash it).
pub const DEFAULT_ZIP_LIMIT: u64 = 64 << 20;

/// A certificate expiring within this many seconds is reported (21 days).
pub const DEFAULT_NEAR_EXPIRY_SECS: i64 = 21 * 24 * 3600;

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

/// A module version to check: gomod's validated pair (go's `module.Check`), the one type
/// every command splits `path@version` into.
pub use gomod::module::ModuleVersion;

/// Parses `path@version` as the go command splits it ([`module::split_module_version`],
/// through [`ModuleVersion`]'s `FromStr`); a probe also needs the version canonical, since
/// it fetches the version by that name.
pub fn parse_module(input: &str) -> Result<ModuleVersion, ProbeError> {
    let bad = |detail: String| ProbeError::BadModule {
        input: input.to_string(),
        detail,
    };
    let m: ModuleVersion = input
        .parse()
        .map_err(|e: module::ModuleError| bad(e.to_string()))?;
    if !m.version().is_canonical() {
        return Err(bad(format!("{} is not a canonical version", m.version())));
    }
    Ok(m)
}

/// Writes a module version as `{"path": ..., "version": ...}` in the JSON report.
fn serialize_module<S: serde::Serializer>(
    m: &Option<ModuleVersion>,
    s: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeStruct;
    match m {
        None => s.serialize_none(),
        Some(m) => {
            let mut st = s.serialize_struct("ModuleVersion", 2)?;
            st.serialize_field("path", m.path().as_str())?;
            st.serialize_field("version", m.version().as_str())?;
            st.end()
        }
    }
}

/// The default bound of one probe request, end to end (connect, TLS, headers, body).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// The HTTP settings of a probe: go's client for `settings` ([`HttpConfig::from_settings`]:
/// roots, HTTP(S)_PROXY, credentials), each request bounded end to end by `timeout` (a probe
/// must answer in seconds, not wait like a 500 MiB download may).
pub fn http_config(settings: &crate::settings::Settings, timeout: Duration) -> HttpConfig {
    HttpConfig {
        connect_timeout: timeout.min(Duration::from_secs(10)),
        read_timeout: timeout,
        overall_timeout: Some(timeout),
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
    /// The project whose go.sum names a module the proxy should serve (`--module` unset):
    /// its first module version is tried before listing [`WELL_KNOWN_MODULE`].
    pub project_dir: Option<PathBuf>,
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
            project_dir: None,
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
    /// Stable name (`tls`, `not-found.module`, `sumdb.supported`, ...): dotted, so a row is
    /// never mistaken for a rule ID (`category/name`).
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

pub use trust::TlsReport;

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
    /// The handshake with the proxy host (https proxies), made whatever the requests did.
    pub tls: Option<TlsReport>,
    /// The handshake with the checksum database's own host (go contacts it directly when the
    /// proxy does not mirror it).
    pub sumdb_tls: Option<TlsReport>,
    /// The module version the module checks used.
    #[serde(serialize_with = "serialize_module")]
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

struct Run<'a> {
    http: &'a Arc<HttpClient>,
    proxy: ProxyClient<'a>,
    opts: &'a ProbeOptions,
    base: Url,
    out: ProxyProbe,
    exchanges: Vec<Exchange>,
    /// A `probe/tls-failed` finding was made (by the handshake): requests failing on the
    /// same certificate add no second one.
    tls_failed_reported: bool,
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
            sumdb_tls: None,
            module: None,
            checks: Vec::new(),
            requests: Vec::new(),
            latency: None,
            findings: Vec::new(),
        },
        base,
        exchanges: Vec::new(),
        tls_failed_reported: false,
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

    async fn all(&mut self) {
        self.transport_scheme();
        // 0. TLS with every host judged, whatever the requests will do.
        self.handshakes().await;
        // 1. The not-found contract for a module nobody has; also the reachability test.
        let made_up = self.opts.made_up_module();
        if !self.not_found("not-found.module", &made_up, "v1.0.0").await {
            return;
        }
        // 2. A module that exists.
        let Some(m) = self.known_module().await else {
            return;
        };
        self.out.module = Some(m.clone());
        let made_up_version = self.opts.made_up_version();
        if !self
            .not_found("not-found.version", m.path().as_str(), &made_up_version)
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_version_parse() {
        let m = parse_module("example.com/simple@v1.0.0").unwrap();
        assert_eq!(
            (m.path().as_str(), m.version().as_str()),
            ("example.com/simple", "v1.0.0")
        );
        assert_eq!(m.to_string(), "example.com/simple@v1.0.0");
        for bad in [
            "example.com/simple",
            "example.com/simple@v1",
            "example.com/m/v2@v1.0.0",
            "@v1.0.0",
        ] {
            assert!(parse_module(bad).is_err(), "{bad}");
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
}
