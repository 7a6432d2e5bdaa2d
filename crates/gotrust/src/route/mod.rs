//! The route planner: for one module path, every hop the go command would try, in order,
//! the exact request URLs, and how the result is checked.
//!
//! Mirrors cmd/go/internal/modfetch/proxy.go (`proxyList`, `lookup`, `TryProxies`,
//! `proxyRepo.getBody`), repo.go (`lookupDirect`), sumdb.go (`useSumDB`, `dbDial`,
//! `initBase`), cmd/go/internal/vcs/vcs.go (`urlForImportPath`, `vcsPaths`, scheme order,
//! `isSecureScheme`, `checkGOVCS`) and cmd/go/internal/web/http.go (security modes).
//!
//! A [`Planner`] is built once per environment ([`Planner::new`]) and plans many modules
//! ([`Planner::plan`]); [`plan`] is the one-shot form. Configuration errors (an invalid
//! GOPROXY or GOSUMDB) are part of the [`Route`], with go's exact text.
//!
//! # Verdicts
//!
//! [`Verdict`] summarises what protects the content of a download, strongest first:
//! * `config-error`: go refuses to fetch the module at all (invalid GOPROXY; or the checksum
//!   database is required but GOSUMDB is invalid or `off` for `golang.org/toolchain`).
//! * `lookup-disabled`: no hop can download anything (`GOPROXY=off` for a path outside
//!   GONOPROXY, or `-mod=vendor`): only the module cache or the vendor directory serve it.
//! * `private-path-leak`: the path matches GONOPROXY (fetched directly, as private code is)
//!   but not GONOSUMDB, so its versions not in go.sum are looked up in the checksum
//!   database: the private path is sent there, and for private code the lookup fails. This is
//!   audit's `sumdb/private-path-leak` for one module (`Planner::private_path_leak` decides
//!   both).
//! * `database-verified`: the checksum database is consulted for versions not in go.sum
//!   (and go.sum is enforced for the others).
//! * `go.sum-only`: no database, but the project's go.sum lists the module path (any
//!   version): recorded versions are checked against go.sum; a version not yet listed
//!   would be trusted on first use.
//! * `no-tls-no-checksum`: no database, not in go.sum, and some hop can deliver content
//!   without TLS: an `http://` proxy, or direct mode for a GOINSECURE path (plain-HTTP
//!   discovery, unverified TLS, insecure VCS schemes).
//! * `trust-on-first-use`: no database, not in go.sum, every hop uses verified TLS (or a
//!   local `file://` proxy): whatever the first source serves is recorded as the truth.

mod query;
mod render;
mod walk;

use std::collections::BTreeSet;

use gomod::pattern::PatternList;
use serde::Serialize;

use crate::env::GoEnv;
use crate::env::resolve::clean_path;
use crate::redact::redact_text;
use crate::settings::Settings;
use crate::settings::goflags::ModMode;
use crate::settings::httpproxy::{DirectReason, HttpProxyConfig, ProxyChoice};
use crate::settings::proxy::{Fallback, ProxyKind, ProxyList};
use crate::settings::sumdb::SumDb;
use crate::settings::url::GoUrl;

pub use query::{Current, Filter, Query, QueryKind, symbolic_requests};
pub use render::{render_mermaid, render_text};
pub use walk::{Answer, DbBase, GoCommand, Outcome, Simulation, Walk};

/// The module path for which the checksum database rule has an exception
/// (cmd/go/internal/modfetch/sumdb.go `useSumDB`).
pub const TOOLCHAIN_MODULE: &str = "golang.org/toolchain";

/// What a hop is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HopKind {
    /// A GOPROXY URL, spoken to with the module proxy protocol.
    Proxy,
    /// Direct VCS fetch (a `direct` entry, or the implicit `noproxy` entry for GONOPROXY paths).
    Direct,
    /// `off`: the lookup fails with `module lookup disabled by GOPROXY=off`.
    Off,
}

/// When the go command moves on from a failed hop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HopFallback {
    /// Only after a not-found-class error (404/410): the entry is followed by `,`.
    NotFound,
    /// After any error: the entry is followed by `|`.
    AnyError,
    /// Nothing follows that could serve the module.
    None,
}

/// The HTTP proxy (HTTPS_PROXY/HTTP_PROXY/NO_PROXY) a request would use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HttpProxyUse {
    /// The request URL this is about (credentials redacted).
    pub request: String,
    /// The proxy URL with credentials redacted, if the request is proxied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxy: Option<String>,
    /// Why it is or is not proxied: `proxied`, `no-proxy-configured`, `loopback`,
    /// `no-proxy-match`, `bad-address`, `refused-cgi`, `not-http`.
    pub reason: &'static str,
}

/// One `?go-get=1` discovery attempt (cmd/go/internal/vcs/vcs.go `repoRootForImportDynamic`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiscoveryAttempt {
    /// The URL.
    pub url: String,
    /// Whether the TLS certificate is verified (false for GOINSECURE's https attempt).
    pub tls_verified: bool,
    /// Total timeout in seconds, if go sets one (5 s for the insecure client).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_secs: Option<u32>,
    /// When this attempt happens: `always`, or `after-https-transport-error`.
    pub when: &'static str,
}

/// GOVCS's decision for one version control tool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VcsDecision {
    /// The tool (`git`, `hg`, `svn`, `bzr`, `fossil`).
    pub vcs: &'static str,
    /// Whether GOVCS allows it.
    pub allowed: bool,
}

/// How a direct hop resolves and fetches the module (cmd/go/internal/modfetch/repo.go
/// `lookupDirect`, cmd/go/internal/vcs/vcs.go).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DirectPlan {
    /// The module path matches GOINSECURE: discovery runs in insecure mode.
    pub insecure: bool,
    /// The repository is known without discovery: a built-in host (`github.com`, ...) or
    /// a path with a VCS suffix (`.git`, ...). Then `discovery` is empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub static_host: Option<String>,
    /// The discovery attempts in order (empty when `static_host` is set or the path has no
    /// dot in its first element, which go rejects: `import path does not begin with hostname`).
    pub discovery: Vec<DiscoveryAttempt>,
    /// Git URL schemes go tries, in order, for a repository given without scheme (VCS-suffix
    /// paths): secure ones only unless GOINSECURE matches; GIT_ALLOW_PROTOCOL redefines
    /// which are secure.
    pub git_schemes: Vec<String>,
    /// Whether the path counts as private for GOVCS (it matches GOPRIVATE). go decides on the
    /// repository root, a prefix of the module path; the module path is used here.
    pub govcs_private: bool,
    /// GOVCS decisions per tool; empty when GOVCS is invalid (see `govcs_error`).
    pub govcs: Vec<VcsDecision>,
    /// go's error text when GOVCS does not parse (every direct fetch fails with it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub govcs_error: Option<String>,
}

/// One hop of a route.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hop {
    /// What the hop is.
    pub kind: HopKind,
    /// The GOPROXY entry as written (redacted), or `noproxy`, `direct`, `off`.
    pub entry: String,
    /// The proxy base URL, credentials redacted (proxy hops only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// When go moves on to the next hop.
    pub fallback: HopFallback,
    /// Content can arrive without TLS: an `http://` proxy, or direct with GOINSECURE.
    pub plain_http: bool,
    /// The requests `go mod download M@query` makes on this hop when it answers, in go's
    /// order, with `!` sent as `%21`; empty without a query or for non-proxy hops. For a
    /// query that lists versions, `<chosen>` stands for the version the query selects and
    /// `<latest>` for the one `latest` selects; a note in parentheses says when a request
    /// is conditional.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub requests: Vec<String>,
    /// The proxy base URL as go parsed it (proxy hops), for predicting requests.
    #[serde(skip)]
    pub(crate) base: Option<GoUrl>,
    /// The HTTP proxy used to reach this hop (proxy hops, and direct discovery).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_proxy: Option<HttpProxyUse>,
    /// Direct-mode details.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direct: Option<DirectPlan>,
    /// The error this hop produces without any request (e.g. `module lookup disabled by
    /// GOPROXY=off`, or `module lookup disabled by -mod=vendor`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Why the checksum database is or is not consulted (cmd/go/internal/modfetch/sumdb.go
/// `useSumDB`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChecksumReason {
    /// GOSUMDB is set and the path does not match GONOSUMDB.
    Enabled,
    /// `GOSUMDB=off`.
    GosumdbOff,
    /// The path matches GONOSUMDB (or GOPRIVATE when GONOSUMDB is empty).
    GonosumdbMatch,
    /// GOSUMDB does not parse: verification of new hashes fails with go's error.
    GosumdbInvalid,
    /// `golang.org/toolchain` always uses the database, ignoring GOSUMDB=off and GONOSUMDB.
    ToolchainRequired,
    /// `golang.org/toolchain` from a single `file://` GOPROXY, or with a GIT_HTTP_USER_AGENT
    /// naming proxy.golang.org: the normal rule applies and says no.
    ToolchainExempt,
}

/// One probe of `⟨proxy⟩/sumdb/⟨name⟩/supported` (cmd/go/internal/modfetch/sumdb.go
/// `dbClient.initBase`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SumDbProbe {
    /// The probe URL (credentials redacted).
    pub url: String,
    /// The database base URL if the probe answers 200.
    pub base: String,
    /// The lookup URL through that base, when a version was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lookup: Option<String>,
    /// When go moves on after this probe fails.
    pub fallback: HopFallback,
    /// The database base through this proxy, as go joins it.
    #[serde(skip)]
    pub(crate) base_url: GoUrl,
}

/// How the database is reached (cmd/go/internal/modfetch/sumdb.go `dbClient.initBase`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SumDbAccess {
    /// The database name.
    pub name: String,
    /// The verifier key in use (public).
    pub key: String,
    /// The explicit URL from GOSUMDB: proxies are not probed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The proxy probes, in order (empty with an explicit URL).
    pub probes: Vec<SumDbProbe>,
    /// `https://⟨name⟩`: used when the probe walk ends not-found class (every probe 404/410,
    /// or the walk reached `direct`/`off`, or there are no probes).
    pub direct_url: String,
    /// What ends the GOPROXY list after the probes: with `direct`, a walk that was not
    /// stopped always ends in `direct_url` (go ranks direct's not-found above proxy errors);
    /// otherwise a proxy error seen after `|` fails every database read.
    pub then: WalkEnd,
    /// The lookup URL through the explicit URL, or else through `direct_url`, when a version
    /// was given. Whether `!` is sent literally or as `%21` depends on the base (Go's
    /// `web.Join` keeps a raw path only while it still decodes to the path: literal for a
    /// proxy or database URL without path, `%21` below a path).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lookup: Option<String>,
    /// The explicit GOSUMDB URL, else `https://⟨name⟩`, as go parses it.
    #[serde(skip)]
    pub(crate) fixed_base: Option<GoUrl>,
}

/// What ends a GOPROXY list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum WalkEnd {
    /// `direct`.
    Direct,
    /// `off`.
    Off,
    /// The last entry is a proxy URL.
    None,
}

/// The checksum plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChecksumPlan {
    /// Whether the checksum database is consulted for hashes not in go.sum.
    pub database: bool,
    /// Why.
    pub reason: ChecksumReason,
    /// go's error when the database is needed but unusable (invalid GOSUMDB,
    /// `checksum database disabled by GOSUMDB=off` for the toolchain).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// How the database is reached, when it is consulted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access: Option<SumDbAccess>,
    /// Whether the project's go.sum lists the module path (None when no go.sum was given).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_go_sum: Option<bool>,
    /// The project's go.sum has both lines of the version (`M V h1:` and `M V/go.mod h1:`):
    /// go checks them and makes no database request (cmd/go/internal/modfetch/fetch.go
    /// `checkModSum` returns before `checkSumDB`), so `access` is left out.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub covered_by_go_sum: bool,
}

/// The summary verdict (see the module docs for exact definitions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Verdict {
    /// go refuses to fetch because of a configuration error.
    #[serde(rename = "config-error")]
    ConfigError,
    /// No hop can download (GOPROXY=off, -mod=vendor).
    #[serde(rename = "lookup-disabled")]
    LookupDisabled,
    /// Fetched directly as private, yet looked up in the checksum database.
    #[serde(rename = "private-path-leak")]
    PrivatePathLeak,
    /// Checked against the checksum database.
    #[serde(rename = "database-verified")]
    DatabaseVerified,
    /// Checked only against the project's go.sum.
    #[serde(rename = "go.sum-only")]
    GoSumOnly,
    /// Not checked, delivered over verified TLS.
    #[serde(rename = "trust-on-first-use")]
    TrustOnFirstUse,
    /// Not checked, and some hop can deliver without TLS.
    #[serde(rename = "no-tls-no-checksum")]
    NoTlsNoChecksum,
}

impl Verdict {
    /// The stable name used in every output.
    pub fn name(self) -> &'static str {
        match self {
            Verdict::ConfigError => "config-error",
            Verdict::LookupDisabled => "lookup-disabled",
            Verdict::PrivatePathLeak => "private-path-leak",
            Verdict::DatabaseVerified => "database-verified",
            Verdict::GoSumOnly => "go.sum-only",
            Verdict::TrustOnFirstUse => "trust-on-first-use",
            Verdict::NoTlsNoChecksum => "no-tls-no-checksum",
        }
    }
}

/// A pattern-list entry that matched the module path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PatternMatch {
    /// The variable (`GONOPROXY`, `GONOSUMDB`, `GOPRIVATE`, `GOINSECURE`).
    pub variable: &'static str,
    /// The entry as written.
    pub pattern: String,
    /// Where the variable's value comes from (display form).
    pub origin: String,
}

/// A configuration error, with go's text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConfigError {
    /// The variable.
    pub variable: &'static str,
    /// go's error text (credentials redacted).
    pub message: String,
    /// Where the value comes from (display form).
    pub origin: String,
}

/// The route of one module.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Route {
    /// The module path.
    pub module: String,
    /// The version or query, if one was given (`M@V`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// How go answers the query (when one was given).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<Query>,
    /// The hops go tries, in order; empty when GOPROXY is invalid.
    pub hops: Vec<Hop>,
    /// Configuration errors (GOPROXY, GOSUMDB, GOFLAGS) affecting this module.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ConfigError>,
    /// How checksums are checked.
    pub checksum: ChecksumPlan,
    /// The verdict.
    pub verdict: Verdict,
    /// Every pattern that matched the module path.
    pub matched: Vec<PatternMatch>,
}

/// A planner for one environment.
#[derive(Debug, Clone)]
pub struct Planner<'a> {
    settings: &'a Settings,
    env: &'a GoEnv,
    gonoproxy: PatternList,
    gonosumdb: PatternList,
    goprivate: PatternList,
    goinsecure: PatternList,
    go_sum: Option<BTreeSet<String>>,
    go_sum_lines: BTreeSet<(String, String)>,
    current: Option<std::collections::BTreeMap<String, String>>,
    git_http_user_agent: String,
}

fn origin_of(env: &GoEnv, var: &str) -> String {
    env.get(var)
        .map_or_else(|| "default".to_string(), |s| s.origin.to_string())
}

impl<'a> Planner<'a> {
    /// A planner for `settings` parsed from `env`.
    pub fn new(settings: &'a Settings, env: &'a GoEnv) -> Planner<'a> {
        Planner {
            settings,
            env,
            gonoproxy: PatternList::parse(env.value("GONOPROXY")),
            gonosumdb: PatternList::parse(env.value("GONOSUMDB")),
            goprivate: PatternList::parse(env.value("GOPRIVATE")),
            goinsecure: PatternList::parse(env.value("GOINSECURE")),
            go_sum: None,
            go_sum_lines: BTreeSet::new(),
            current: None,
            git_http_user_agent: env.value("GIT_HTTP_USER_AGENT").to_string(),
        }
    }

    /// The project's go.sum lines as (module path, version field) pairs, the version field
    /// being `V` or `V/go.mod`: versions with both lines make no database request. Also
    /// sets [`with_go_sum`](Self::with_go_sum) to their paths.
    pub fn with_go_sum_lines(
        mut self,
        lines: impl IntoIterator<Item = (String, String)>,
    ) -> Planner<'a> {
        self.go_sum_lines = lines.into_iter().collect();
        let paths: BTreeSet<String> = self.go_sum_lines.iter().map(|(m, _)| m.clone()).collect();
        self.go_sum.get_or_insert_with(BTreeSet::new).extend(paths);
        self
    }

    /// Queries run inside a main module whose build list selects these versions (module
    /// path to version): `upgrade` and `patch` start from them. Without this, queries run
    /// outside any module, as `go mod download M@query` in an empty directory does.
    pub fn with_main_module(
        mut self,
        selected: impl IntoIterator<Item = (String, String)>,
    ) -> Planner<'a> {
        self.current = Some(selected.into_iter().collect());
        self
    }

    /// Whether the project's go.sum has the line `module version_field`.
    pub fn go_sum_has(&self, module: &str, version_field: &str) -> bool {
        self.go_sum_lines
            .contains(&(module.to_string(), version_field.to_string()))
    }

    /// audit's `sumdb/private-path-leak` for one module: the path matches GONOPROXY (it is
    /// fetched directly, as private code is) while the checksum database is consulted for
    /// it (GOSUMDB set, GONOSUMDB not matching).
    pub fn private_path_leak(&self, module: &str) -> bool {
        self.gonoproxy.matches(module)
            && matches!(self.settings.sumdb, Ok(SumDb::Db(_)))
            && !self.gonosumdb.matches(module)
            && module != TOOLCHAIN_MODULE
    }

    /// Module paths listed in the project's go.sum (enables the `go.sum-only` verdict).
    pub fn with_go_sum(mut self, paths: impl IntoIterator<Item = String>) -> Planner<'a> {
        self.go_sum = Some(paths.into_iter().collect());
        self
    }

    /// The process's GIT_HTTP_USER_AGENT (only the toolchain exception of sumdb.go `useSumDB` reads it).
    pub fn with_git_http_user_agent(mut self, value: &str) -> Planner<'a> {
        self.git_http_user_agent = value.to_string();
        self
    }

    /// Plans `target`: a module path, or `path@version`.
    pub fn plan(&self, target: &str) -> Route {
        let (module, version) = match gomod::module::parse_path_version(target) {
            Ok((m, Some(v))) if !v.is_empty() => (m, Some(v)),
            _ => (target, None),
        };
        self.plan_version(module, version)
    }

    /// Plans `module` (at `version`, a version or any module query, if given: then hops
    /// list their request URLs).
    pub fn plan_version(&self, module: &str, version: Option<&str>) -> Route {
        let current = match &self.current {
            None => Current::NoMainModule,
            Some(sel) => match sel.get(module) {
                Some(v) if v != "none" => Current::Required(v.clone()),
                _ => Current::NotRequired,
            },
        };
        let query = version.map(|v| Query::parse(module, v, &current));
        let mut errors = Vec::new();
        let mut matched = Vec::new();
        for (var, list) in [
            ("GOPRIVATE", &self.goprivate),
            ("GONOPROXY", &self.gonoproxy),
            ("GONOSUMDB", &self.gonosumdb),
            ("GOINSECURE", &self.goinsecure),
        ] {
            for p in list.matching(module) {
                matched.push(PatternMatch {
                    variable: var,
                    pattern: p.text.clone(),
                    origin: origin_of(self.env, var),
                });
            }
        }
        let vendor = matches!(
            self.settings.goflags.as_ref().map(|f| f.mod_mode()),
            Ok(Ok(Some(ModMode::Vendor)))
        );
        let hops = match &self.settings.proxy {
            Ok(list) => self.hops(list, module, query.as_ref(), vendor),
            Err(e) => {
                errors.push(ConfigError {
                    variable: "GOPROXY",
                    message: redact_text(&e.source.to_string()),
                    origin: e.origin.to_string(),
                });
                Vec::new()
            }
        };
        let checksum = self.checksum(module, query.as_ref(), &mut errors);
        let verdict = if !errors.is_empty() || checksum.error.is_some() {
            Verdict::ConfigError
        } else if !hops.is_empty() && hops.iter().all(|h| h.error.is_some()) {
            Verdict::LookupDisabled
        } else if checksum.database
            && checksum.reason == ChecksumReason::Enabled
            && self.private_path_leak(module)
        {
            Verdict::PrivatePathLeak
        } else if checksum.database {
            Verdict::DatabaseVerified
        } else if checksum.in_go_sum == Some(true) {
            Verdict::GoSumOnly
        } else if hops.iter().any(|h| h.plain_http) {
            Verdict::NoTlsNoChecksum
        } else {
            Verdict::TrustOnFirstUse
        };
        Route {
            module: module.to_string(),
            version: version.map(str::to_string),
            query,
            hops,
            errors,
            checksum,
            verdict,
            matched,
        }
    }

    fn hops(
        &self,
        list: &ProxyList,
        module: &str,
        query: Option<&Query>,
        vendor: bool,
    ) -> Vec<Hop> {
        let vendor_error = vendor.then(|| "module lookup disabled by -mod=vendor".to_string());
        let private = self.gonoproxy.matches(module);
        let mut hops = Vec::new();
        if private {
            // repo.go `lookup`: only `noproxy` and `direct` serve a GONOPROXY path, each with a direct
            // lookup (not shared: go repeats the discovery); every other entry answers a
            // not-found-class error without a request.
            for e in &list.entries {
                if matches!(e.kind, ProxyKind::NoProxy | ProxyKind::Direct) {
                    let mut hop = self.direct_hop(&e.display(), module, vendor_error.clone());
                    hop.fallback = match e.fallback {
                        Fallback::OnNotFound => HopFallback::NotFound,
                        Fallback::OnAnyError => HopFallback::AnyError,
                    };
                    hops.push(hop);
                }
            }
            if let Some(last) = hops.last_mut() {
                last.fallback = HopFallback::None;
            }
            return hops;
        }
        for e in &list.entries {
            let fallback = match e.fallback {
                Fallback::OnNotFound => HopFallback::NotFound,
                Fallback::OnAnyError => HopFallback::AnyError,
            };
            match &e.kind {
                ProxyKind::NoProxy => continue,
                ProxyKind::Off => {
                    hops.push(Hop {
                        kind: HopKind::Off,
                        entry: "off".into(),
                        url: None,
                        fallback: HopFallback::None,
                        plain_http: false,
                        requests: Vec::new(),
                        base: None,
                        http_proxy: None,
                        direct: None,
                        error: Some(
                            vendor_error
                                .clone()
                                .unwrap_or_else(|| "module lookup disabled by GOPROXY=off".into()),
                        ),
                    });
                    break;
                }
                ProxyKind::Direct => {
                    hops.push(self.direct_hop("direct", module, vendor_error.clone()));
                    break;
                }
                ProxyKind::Url { parsed, .. } => {
                    let requests = match query {
                        Some(q) => symbolic_requests(q, true)
                            .iter()
                            .filter_map(|rel| symbolic_url(parsed, module, rel))
                            .map(|u| redact_text(&u))
                            .collect(),
                        None => Vec::new(),
                    };
                    let list_url = proxy_request_url(parsed, module, "@v/list");
                    hops.push(Hop {
                        kind: HopKind::Proxy,
                        entry: e.display(),
                        url: Some(redact_text(&parsed.to_go_string())),
                        fallback,
                        plain_http: parsed.scheme == "http",
                        requests,
                        base: Some((**parsed).clone()),
                        http_proxy: list_url.and_then(|u| {
                            GoUrl::parse(&u)
                                .ok()
                                .map(|u| http_proxy_use(&self.settings.http_proxy, &u))
                        }),
                        direct: None,
                        error: vendor_error.clone(),
                    });
                }
            }
        }
        if let Some(last) = hops.last_mut() {
            last.fallback = HopFallback::None;
        }
        hops
    }

    fn direct_hop(&self, entry: &str, module: &str, error: Option<String>) -> Hop {
        let insecure = self.goinsecure.matches(module);
        let static_host = static_host(module);
        let first = module.split('/').next().unwrap_or("");
        let mut discovery = Vec::new();
        let rest = &module[first.len()..];
        let rest = if rest.is_empty() { "/" } else { rest };
        if static_host.is_none() && first.contains('.') {
            let https = format!("https://{first}{rest}?go-get=1");
            discovery.push(DiscoveryAttempt {
                url: https,
                tls_verified: !insecure,
                timeout_secs: insecure.then_some(5),
                when: "always",
            });
            if insecure {
                discovery.push(DiscoveryAttempt {
                    url: format!("http://{first}{rest}?go-get=1"),
                    tls_verified: false,
                    timeout_secs: None,
                    when: "after-https-transport-error",
                });
            }
        }
        let allow = self.env.value("GIT_ALLOW_PROTOCOL");
        let git_schemes = ["git", "https", "http", "git+ssh", "ssh"]
            .iter()
            .filter(|s| insecure || git_scheme_secure(s, allow))
            .map(|s| s.to_string())
            .collect();
        let govcs_private = self.goprivate.matches(module);
        let (govcs, govcs_error) = match &self.settings.govcs {
            Ok(g) => (
                ["git", "hg", "svn", "bzr", "fossil"]
                    .iter()
                    .map(|vcs| VcsDecision {
                        vcs,
                        allowed: g.allow(module, govcs_private, vcs, |p, path| {
                            gomod::pattern::match_prefix_patterns(p, path)
                        }),
                    })
                    .collect(),
                None,
            ),
            Err(e) => (Vec::new(), Some(e.source.to_string())),
        };
        let http_proxy = discovery
            .first()
            .and_then(|d| GoUrl::parse(&d.url).ok())
            .map(|u| http_proxy_use(&self.settings.http_proxy, &u));
        Hop {
            kind: HopKind::Direct,
            entry: entry.to_string(),
            url: None,
            fallback: HopFallback::None,
            plain_http: insecure,
            requests: Vec::new(),
            base: None,
            http_proxy,
            direct: Some(DirectPlan {
                insecure,
                static_host,
                discovery,
                git_schemes,
                govcs_private,
                govcs,
                govcs_error,
            }),
            error,
        }
    }

    fn checksum(
        &self,
        module: &str,
        query: Option<&Query>,
        errors: &mut Vec<ConfigError>,
    ) -> ChecksumPlan {
        // The version whose hashes go checks: known for a version query; a placeholder for
        // a query the proxy answers.
        let version = query.and_then(|q| match q.kind {
            QueryKind::Version => Some(q.text.clone()),
            QueryKind::BuildMetadata => q.canonical(),
            QueryKind::Refused => None,
            QueryKind::Revision => Some(PLACEHOLDER_ANSWERED.to_string()),
            QueryKind::Select => Some(PLACEHOLDER_CHOSEN.to_string()),
        });
        let covered_by_go_sum = match &version {
            Some(v) if !v.starts_with(PLACEHOLDER_PREFIX) => {
                self.go_sum_has(module, v) && self.go_sum_has(module, &format!("{v}/go.mod"))
            }
            _ => false,
        };
        let version = version.as_deref();
        let in_go_sum = self.go_sum.as_ref().map(|s| s.contains(module));
        let gosumdb = self.env.value("GOSUMDB");
        let mut reason = ChecksumReason::Enabled;
        let mut database = true;
        let mut toolchain_required = false;
        if module == TOOLCHAIN_MODULE {
            let goproxy = self.env.value("GOPROXY");
            let file_only = goproxy.starts_with("file://") && !goproxy.contains([',', '|']);
            if file_only || self.git_http_user_agent.contains("proxy.golang.org") {
                reason = ChecksumReason::ToolchainExempt;
            } else {
                toolchain_required = true;
                reason = ChecksumReason::ToolchainRequired;
            }
        }
        if !toolchain_required {
            if gosumdb == "off" {
                database = false;
                if reason == ChecksumReason::Enabled {
                    reason = ChecksumReason::GosumdbOff;
                }
            } else if self.gonosumdb.matches(module) {
                database = false;
                if reason == ChecksumReason::Enabled {
                    reason = ChecksumReason::GonosumdbMatch;
                }
            }
        }
        let mut plan = ChecksumPlan {
            database,
            reason,
            error: None,
            access: None,
            in_go_sum,
            covered_by_go_sum: database && covered_by_go_sum,
        };
        if !database {
            return plan;
        }
        match &self.settings.sumdb {
            Ok(SumDb::Off) => {
                // Only reachable for the toolchain (sumdb.go `useSumDB` insists on it):
                // `dbDial` refuses.
                plan.error = Some("checksum database disabled by GOSUMDB=off".into());
            }
            Ok(SumDb::Db(_)) if plan.covered_by_go_sum => {}
            Ok(SumDb::Db(cfg)) => {
                let name = cfg.name().to_string();
                let lookup_rel = version.and_then(|v| {
                    let p = gomod::module::escape_path(module).ok()?;
                    let v = gomod::module::escape_version(v).ok()?;
                    Some(format!("lookup/{p}@{v}"))
                });
                let base = cfg
                    .url
                    .clone()
                    .or_else(|| GoUrl::parse(&cfg.direct_url).ok());
                let lookup = match (&base, &lookup_rel) {
                    (Some(b), Some(l)) => Some(unplaceholder(&redact_text(
                        &web_join(&parsed_raw(b), l).to_go_string(),
                    ))),
                    _ => None,
                };
                let probes = match (&cfg.url, &self.settings.proxy) {
                    (None, Ok(list)) => {
                        let probes: Vec<SumDbProbe> = list
                            .entries
                            .iter()
                            .filter_map(|e| match &e.kind {
                                ProxyKind::Url { parsed, .. } => {
                                    let base =
                                        web_join(&parsed_raw(parsed), &format!("sumdb/{name}"));
                                    Some(SumDbProbe {
                                        url: redact_text(
                                            &web_join(&base, "supported").to_go_string(),
                                        ),
                                        base: redact_text(&base.to_go_string()),
                                        lookup: lookup_rel.as_ref().map(|l| {
                                            unplaceholder(&redact_text(
                                                &web_join(&base, l).to_go_string(),
                                            ))
                                        }),
                                        fallback: match e.fallback {
                                            Fallback::OnNotFound => HopFallback::NotFound,
                                            Fallback::OnAnyError => HopFallback::AnyError,
                                        },
                                        base_url: base,
                                    })
                                }
                                _ => None,
                            })
                            .collect();
                        probes
                    }
                    _ => Vec::new(),
                };
                plan.access = Some(SumDbAccess {
                    name: name.clone(),
                    key: cfg.key_text.clone(),
                    url: cfg.url.as_ref().map(|u| redact_text(&u.to_go_string())),
                    probes,
                    direct_url: cfg.direct_url.clone(),
                    then: match &self.settings.proxy {
                        Ok(list) if cfg.url.is_none() => {
                            list.entries.last().map_or(WalkEnd::None, |e| match e.kind {
                                ProxyKind::Direct => WalkEnd::Direct,
                                ProxyKind::Off => WalkEnd::Off,
                                _ => WalkEnd::None,
                            })
                        }
                        _ => WalkEnd::None,
                    },
                    lookup,
                    fixed_base: base.as_ref().map(parsed_raw),
                });
            }
            Err(e) => {
                let message = redact_text(&e.source.to_string());
                plan.error = Some(message.clone());
                plan.reason = if toolchain_required {
                    ChecksumReason::ToolchainRequired
                } else {
                    ChecksumReason::GosumdbInvalid
                };
                errors.push(ConfigError {
                    variable: "GOSUMDB",
                    message,
                    origin: e.origin.to_string(),
                });
            }
        }
        plan
    }
}

/// Plans one module (`path` or `path@version`) with a fresh [`Planner`].
pub fn plan(target: &str, settings: &Settings, env: &GoEnv) -> Route {
    Planner::new(settings, env).plan(target)
}

/// cmd/go's `isSecureScheme` for git: GIT_ALLOW_PROTOCOL (colon list), when non-empty,
/// replaces the default secure set.
fn git_scheme_secure(scheme: &str, allow: &str) -> bool {
    if !allow.is_empty() {
        return allow.split(':').any(|s| s == scheme);
    }
    matches!(scheme, "https" | "git+ssh" | "ssh")
}

/// The repository is known statically (vcs.go `vcsPaths`): a built-in host prefix, or a
/// path element with a VCS suffix. Returns the host prefix or the suffix found.
fn static_host(module: &str) -> Option<String> {
    for prefix in [
        "github.com",
        "bitbucket.org",
        "hub.jazz.net/git",
        "git.apache.org",
        "git.openstack.org",
        "chiselapp.com",
    ] {
        if module.starts_with(prefix) && module[prefix.len()..].starts_with('/') {
            return Some(prefix.to_string());
        }
    }
    let first = module.split('/').next().unwrap_or("");
    if first.contains('.') {
        for elem in module.split('/').skip(1) {
            for vcs in [".bzr", ".fossil", ".git", ".hg", ".svn"] {
                if elem.len() > vcs.len() && elem.ends_with(vcs) {
                    return Some(format!("{first} ({vcs} suffix)"));
                }
            }
        }
    }
    None
}

/// Go's `path.Join` of two elements.
fn path_join(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => String::new(),
        (true, false) => clean_path(b),
        (false, true) => clean_path(a),
        (false, false) => clean_path(&format!("{a}/{b}")),
    }
}

/// `proxyRepo.getBody`'s URL: Path = `path.Join(base.Path, rel)`, RawPath =
/// `path.Join(base.RawPath, pathEscape(rel))`; on the wire `!` becomes `%21`.
fn proxy_request_url(base: &GoUrl, module: &str, rel: &str) -> Option<String> {
    let p = gomod::module::escape_path(module).ok()?;
    let rel = format!("{p}/{rel}");
    let base = parsed_raw(base);
    let mut u = base.clone();
    u.path = path_join(&base.path, &rel);
    u.raw_path_input = path_join(&base.raw_path_input, &path_escape(&rel));
    Some(u.to_go_string())
}

/// Placeholders for versions only the proxy's answers decide, kept through URL building
/// (plain letters survive escaping) and shown as `<chosen>`, `<latest>`, `<answered version>`.
const PLACEHOLDER_PREFIX: &str = "gotrustplaceholder";
const PLACEHOLDER_CHOSEN: &str = "gotrustplaceholderchosen";
const PLACEHOLDER_LATEST: &str = "gotrustplaceholderlatest";
const PLACEHOLDER_ANSWERED: &str = "gotrustplaceholderanswered";

fn unplaceholder(s: &str) -> String {
    s.replace(PLACEHOLDER_CHOSEN, "<chosen>")
        .replace(PLACEHOLDER_LATEST, "<latest>")
        .replace(PLACEHOLDER_ANSWERED, "<answered version>")
}

/// The URL of a symbolic request (`@v/<chosen>.info (note)`), the note kept after it.
fn symbolic_url(base: &GoUrl, module: &str, rel: &str) -> Option<String> {
    let (rel, note) = match rel.split_once(' ') {
        Some((r, n)) => (r, Some(n)),
        None => (rel, None),
    };
    let rel = rel
        .replace("<chosen>", PLACEHOLDER_CHOSEN)
        .replace("<latest>", PLACEHOLDER_LATEST)
        .replace("<answered version>", PLACEHOLDER_ANSWERED);
    let url = unplaceholder(&proxy_request_url(base, module, &rel)?);
    Some(match note {
        Some(n) => format!("{url} {n}"),
        None => url,
    })
}

/// The request URL for `rel` (`@v/list`, `@latest`, `@v/⟨escaped version⟩.info`) below a
/// proxy base.
pub(crate) fn proxy_rel_url(base: &GoUrl, module: &str, rel: &str) -> Option<String> {
    proxy_request_url(base, module, rel)
}

/// The lookup URL of `module@version` below a database base (`web.Join`).
pub(crate) fn lookup_url(base: &GoUrl, module: &str, version: &str) -> Option<String> {
    let p = gomod::module::escape_path(module).ok()?;
    let v = gomod::module::escape_version(version).ok()?;
    Some(web_join(base, &format!("lookup/{p}@{v}")).to_go_string())
}

/// `url.PathEscape` of `s` with `%2F` turned back into `/` (proxy.go's `pathEscape`).
fn path_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'_' | b'.' | b'~' | b'$' | b'&' | b'+' | b':' | b'=' | b'@' | b'/'
            );
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Go's escaping of a path (`encodePath`), used to tell whether url.Parse keeps a RawPath.
fn escape_path_mode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'_'
                    | b'.'
                    | b'~'
                    | b'$'
                    | b'&'
                    | b'+'
                    | b','
                    | b'/'
                    | b':'
                    | b';'
                    | b'='
                    | b'@'
            );
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A parsed URL with `raw_path_input` replaced by Go's `URL.RawPath`, which url.Parse sets
/// only when the written path differs from the default escaping of the path.
fn parsed_raw(u: &GoUrl) -> GoUrl {
    let mut u = u.clone();
    if u.raw_path_input == escape_path_mode(&u.path) {
        u.raw_path_input = String::new();
    }
    u
}

/// cmd/go's `web.Join`: path and RawPath each get `/rel` appended (no cleaning). The
/// result's `raw_path_input` is Go's RawPath; rendering uses it only while it still decodes
/// to the path, as `URL.EscapedPath` does.
fn web_join(base: &GoUrl, rel: &str) -> GoUrl {
    let rel = rel.trim_start_matches('/');
    let mut u = base.clone();
    u.path = format!("{}/{rel}", base.path.trim_end_matches('/'));
    u.raw_path_input = format!("{}/{rel}", base.raw_path_input.trim_end_matches('/'));
    u
}

fn http_proxy_use(cfg: &HttpProxyConfig, url: &GoUrl) -> HttpProxyUse {
    let (proxy, reason) = match cfg.proxy_for(url) {
        ProxyChoice::Proxy(p) => (Some(redact_text(&p.to_go_string())), "proxied"),
        ProxyChoice::Refused(_) => (None, "refused-cgi"),
        ProxyChoice::Direct(r) => (
            None,
            match r {
                DirectReason::NoProxyConfigured => "no-proxy-configured",
                DirectReason::Loopback => "loopback",
                DirectReason::NoProxyMatch => "no-proxy-match",
                DirectReason::BadAddress => "bad-address",
            },
        ),
    };
    HttpProxyUse {
        request: redact_text(&url.to_go_string()),
        proxy,
        reason,
    }
}

#[cfg(test)]
mod tests;
