//! Ranking the causes of each go error from the evidence in the whole log.
//!
//! One go message has several possible causes; which is likely depends on what else the log
//! shows: the host and path of the failing URL (a checksum-database `/lookup/`, a proxy's
//! `/sumdb/` pass-through, a module proxy `@v/` path, a git remote), the `server response:`
//! excerpt go quotes (`cmd/go/internal/web.(*HTTPError).Error`), git's own lines, the settings
//! pasted with the log ([`LogSettings`]) and the `-x` trace. [`explain`] returns the causes most
//! likely first, each with the lines of the log it rests on.
//!
//! Two rules hold for every cause. GOPRIVATE/GONOSUMDB is only suggested with the reasoning
//! that the path is private, and never for a module the checksum database is seen to know.
//! A certificate or network failure never gets a fix that turns verification off: every TLS
//! cause lists GOSUMDB=off, GOINSECURE, GOPROXY=direct, -insecure and GIT_SSL_NO_VERIFY as
//! wrong fixes.

use std::collections::BTreeSet;
use std::io::BufRead;

use serde::Serialize;

use super::{
    DiagnoseError, Diagnosis, DiagnosisKind as K, LogEvent, LogParser, LogSettings, LogStats,
    TraceEvent, TraceKind, UnrecognizedLine,
};

/// One likely cause of a diagnosed message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cause {
    /// Stable kebab-case ID (`moved-tag`, `tls-interception`, or the message kind's ID when the
    /// message has one cause).
    pub id: &'static str,
    /// What happened, with the names from the log.
    pub summary: String,
    /// The setting(s) behind it.
    pub setting: String,
    /// The concrete fix.
    pub fix: String,
    /// Tempting fixes that are wrong here, each with why.
    pub wrong_fixes: Vec<&'static str>,
    /// The audit rule that reports the setting behind this cause beforehand, if any.
    pub rule: Option<&'static str>,
    /// The lines of the log this cause rests on.
    pub evidence: Vec<EvidenceLine>,
}

/// A line of the log used as evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvidenceLine {
    /// 1-based line number.
    pub line_no: u64,
    /// What kind of line: `message`, `continuation`, `server response`, `setting`, `trace`.
    pub source: &'static str,
    /// The line (redacted, capped).
    pub text: String,
}

/// A diagnosis with its ranked causes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explained {
    /// The classified message.
    pub diagnosis: Diagnosis,
    /// Likely causes, most likely first (never empty).
    pub causes: Vec<Cause>,
    /// The lines of the log this diagnosis rests on (message, continuation, server response).
    pub evidence: Vec<EvidenceLine>,
    /// How many more times the same message (kind and module) appears in the log.
    pub repeats: u64,
}

/// Everything `diagnose` learns from one log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Analysis {
    /// Diagnosed messages in log order, duplicates folded into `repeats`.
    pub diagnoses: Vec<Explained>,
    /// `-x` trace lines (capped).
    pub traces: Vec<TraceEvent>,
    /// Error-looking lines no rule explains (capped; see `stats.unrecognized` for the count).
    pub unrecognized: Vec<UnrecognizedLine>,
    /// Settings the log shows.
    pub settings: LogSettings,
    /// Counters.
    pub stats: LogStats,
    /// Items not kept because of the cap.
    pub dropped: u64,
}

/// Reads a whole log and explains it, keeping at most `max_kept` diagnoses and trace lines.
pub fn analyze<R: BufRead>(reader: R, max_kept: usize) -> Result<Analysis, DiagnoseError> {
    let mut parser = LogParser::new(reader);
    let mut diagnoses: Vec<Diagnosis> = Vec::new();
    let mut repeats: Vec<u64> = Vec::new();
    let mut traces = Vec::new();
    let mut dropped = 0u64;
    for ev in parser.by_ref() {
        match ev? {
            LogEvent::Diagnosis(d) => {
                // The same message about the same module (repeated per importing package,
                // or a wrapped line's tail) is one diagnosis.
                if let Some(i) = diagnoses
                    .iter()
                    .rposition(|o| o.kind == d.kind && o.module == d.module)
                {
                    repeats[i] += 1;
                } else if diagnoses.len() < max_kept {
                    diagnoses.push(d);
                    repeats.push(0);
                } else {
                    dropped += 1;
                }
            }
            LogEvent::Trace(t) if traces.len() < max_kept => traces.push(t),
            LogEvent::Trace(_) => dropped += 1,
        }
    }
    // A git failure right after `invalid version`/`unknown revision` for the same module is
    // why the version could not be read (`modfetch/codehost` wraps git's error): one
    // diagnosis, the git one.
    let mut i = 0;
    while i + 1 < diagnoses.len() {
        let (a, b) = (&diagnoses[i], &diagnoses[i + 1]);
        let follows = b.line_no <= a.context.last().map_or(a.line_no, |c| c.line_no) + 2;
        if matches!(a.kind, K::InvalidVersion | K::UnknownRevision)
            && b.kind == K::GitAuth
            && b.module == a.module
            && follows
        {
            let extra = repeats[i];
            diagnoses.remove(i);
            repeats.remove(i);
            repeats[i] += extra;
        } else {
            i += 1;
        }
    }
    let settings = parser.settings().clone();
    let ctx = Context::new(&settings, &traces, &diagnoses);
    let diagnoses = diagnoses
        .into_iter()
        .zip(repeats)
        .map(|(d, repeats)| {
            let causes = explain(&d, &ctx);
            let evidence = diagnosis_evidence(&d);
            Explained {
                diagnosis: d,
                causes,
                evidence,
                repeats,
            }
        })
        .collect();
    Ok(Analysis {
        diagnoses,
        traces,
        unrecognized: parser.unrecognized().to_vec(),
        settings,
        stats: parser.stats(),
        dropped,
    })
}

/// What the whole log says, for ranking one diagnosis.
pub struct Context<'a> {
    settings: &'a LogSettings,
    traces: &'a [TraceEvent],
    /// Module paths the checksum database is seen to know (it reported a hash, or a lookup
    /// answered 200): they are public, whatever else fails.
    known_to_db: BTreeSet<String>,
}

impl<'a> Context<'a> {
    /// Builds the context from the log's settings, trace and diagnoses.
    pub fn new(
        settings: &'a LogSettings,
        traces: &'a [TraceEvent],
        diagnoses: &[Diagnosis],
    ) -> Self {
        let mut known_to_db = BTreeSet::new();
        for d in diagnoses {
            if d.kind == K::SumDbMismatch
                && let Some(m) = &d.module
            {
                known_to_db.insert(module_path(m).to_string());
            }
        }
        for t in traces {
            if t.kind == TraceKind::Response
                && t.status == Some(200)
                && let Some((_, key)) = t.url.split_once("/lookup/")
                && let Some((path, _)) = key.rsplit_once('@')
            {
                known_to_db.insert(path.to_string());
            }
        }
        Context {
            settings,
            traces,
            known_to_db,
        }
    }
}

const NO_SUMDB_OFF: &str = "GOSUMDB=off (or GONOSUMDB/GOPRIVATE for public paths): removes the only check that the bits are the ones everyone else got";
const NO_GOINSECURE: &str = "GOINSECURE: never applies to GOPROXY or GOSUMDB URLs, and for direct fetches turns certificate checks off instead of trusting the right CA";
const NO_DIRECT: &str = "GOPROXY=direct: bypasses the proxy's immutable copies and fetches from the origins through the same network";
const NO_INSECURE_FLAG: &str = "-insecure (go get flag or GOFLAGS): removed in Go 1.17, and before that it turned off both TLS checks and the checksum database";
const NO_GIT_SSL: &str = "GIT_SSL_NO_VERIFY=true / git config http.sslVerify false: disables TLS for every git fetch instead of trusting one CA";
/// Every fix that turns verification off: listed as wrong for every TLS and network cause.
const DANGEROUS: &[&str] = &[
    NO_SUMDB_OFF,
    NO_GOINSECURE,
    NO_DIRECT,
    NO_INSECURE_FLAG,
    NO_GIT_SSL,
];
const NO_PRIVATE_FOR_PUBLIC: &str = "GOPRIVATE/GONOSUMDB for this module: it is public, so that would only switch off its verification";

/// Hosts operated by Google for the Go project: they never ask for credentials, never
/// present a certificate a public root does not sign, and are blocked in some regions.
fn is_google_host(host: &str) -> bool {
    matches!(
        host,
        "proxy.golang.org"
            | "sum.golang.org"
            | "golang.org"
            | "go.dev"
            | "go.googlesource.com"
            | "dl.google.com"
            | "storage.googleapis.com"
            | "sum.golang.google.cn"
            | "google.golang.org"
            | "cloud.google.com"
    ) || host.ends_with(".googleapis.com")
        || host.ends_with(".googlesource.com")
}

/// Hosts whose certificates are always publicly valid: a certificate error there is
/// something in between.
fn is_well_known_host(host: &str) -> bool {
    is_google_host(host)
        || matches!(
            host,
            "github.com" | "gitlab.com" | "bitbucket.org" | "codeload.github.com"
        )
}

/// Code hosts where a path can be public or private.
const PUBLIC_CODE_HOSTS: &[&str] = &[
    "github.com",
    "gitlab.com",
    "bitbucket.org",
    "gitee.com",
    "codeberg.org",
    "git.sr.ht",
];

/// First elements of module paths that are always public (Go project, well-known vanity
/// hosts).
const PUBLIC_VANITY: &[&str] = &[
    "golang.org",
    "google.golang.org",
    "gopkg.in",
    "go.uber.org",
    "k8s.io",
    "sigs.k8s.io",
    "cloud.google.com",
    "go.etcd.io",
    "go.opentelemetry.io",
    "honnef.co",
    "mvdan.cc",
    "cuelang.org",
    "go.mongodb.org",
    "rsc.io",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Visibility {
    /// The path is public (a Go project or well-known vanity path, or the database knows it).
    Public,
    /// A public code host: the repository may be public or private.
    CodeHost,
    /// The host name looks internal (corp, intranet, git.<company>, an address).
    Private,
    /// Cannot tell.
    Unknown,
}

fn visibility(path: &str, ctx: &Context<'_>) -> Visibility {
    if ctx.known_to_db.contains(path) {
        return Visibility::Public;
    }
    let host = path.split('/').next().unwrap_or("");
    if PUBLIC_VANITY.contains(&host) {
        return Visibility::Public;
    }
    if PUBLIC_CODE_HOSTS.contains(&host) {
        return Visibility::CodeHost;
    }
    if private_host(host) {
        return Visibility::Private;
    }
    Visibility::Unknown
}

fn private_host(host: &str) -> bool {
    let h = host.to_ascii_lowercase();
    let h = h.split(':').next().unwrap_or("");
    !h.contains('.')
        || h == "localhost"
        || h.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        || [
            "corp", "internal", "intranet", ".local", ".lan", ".intra", ".int.",
        ]
        .iter()
        .any(|w| h.contains(w))
        || [
            "git.",
            "gitlab.",
            "gitea.",
            "code.",
            "stash.",
            "ghe.",
            "scm.",
            "bitbucket.",
        ]
        .iter()
        .any(|p| h.starts_with(p))
}

fn module_path(m: &str) -> &str {
    m.split('@').next().unwrap_or(m)
}

/// The first `http(s)://` URL in `text` (pastes sometimes lose a slash: `https:/host`),
/// without trailing punctuation.
fn first_url(text: &str) -> Option<&str> {
    let i = text.find("https:/").or_else(|| text.find("http:/"))?;
    let rest = &text[i..];
    let end = rest
        .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ')' | '(' | '>' | '<'))
        .unwrap_or(rest.len());
    let url = rest[..end].trim_end_matches([':', ',', '.', ';']);
    Some(url)
}

/// The host (without port) of a URL.
fn url_host(url: &str) -> &str {
    let rest = url
        .split_once(":/")
        .map_or(url, |(_, r)| r.trim_start_matches('/'));
    let host = rest.split('/').next().unwrap_or(rest);
    let host = host.rsplit('@').next().unwrap_or(host);
    host.split(':').next().unwrap_or(host)
}

/// The host name a DNS failure is about, and the resolver when named.
fn dns_target(text: &str) -> Option<(String, Option<String>)> {
    if let Some(i) = text.find("lookup ") {
        let rest = &text[i + 7..];
        let host: String = rest
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != ':')
            .collect();
        let resolver = rest.split(" on ").nth(1).map(|r| {
            r.split(|c: char| c.is_whitespace())
                .next()
                .unwrap_or("")
                .trim_end_matches(':')
                .to_string()
        });
        return Some((host, resolver));
    }
    for marker in ["Could not resolve hostname ", "Could not resolve host: "] {
        if let Some(i) = text.find(marker) {
            let rest = &text[i + marker.len()..];
            let host = rest.split(": ").next().unwrap_or(rest).trim();
            let host = host.split_whitespace().next().unwrap_or(host);
            return Some((host.to_string(), None));
        }
    }
    None
}

/// The failure inside a message, whatever message carries it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Inner {
    TlsUnknownAuthority,
    TlsHostname,
    TlsExpired,
    TlsOther,
    Dns,
    Timeout,
    Reset,
    Refused,
    Unreachable,
    Eof,
    ServerError,
    Unauthorized,
    NotFound,
}

fn inner_error(text: &str) -> Option<Inner> {
    let has = |s: &str| text.contains(s);
    Some(
        if has("x509: certificate signed by unknown authority") || has("certificate is not trusted")
        {
            Inner::TlsUnknownAuthority
        } else if has("x509: certificate is valid for") || has("not valid for any names") {
            Inner::TlsHostname
        } else if has("x509: certificate has expired") {
            Inner::TlsExpired
        } else if has("x509: ") || has("tls: ") {
            Inner::TlsOther
        } else if has("SSL certificate problem") || has("server certificate verification failed") {
            Inner::TlsUnknownAuthority
        } else if has("no such host")
            || has("getaddrinfow")
            || has("Could not resolve host")
            || has("Temporary failure in name resolution")
            || has("dial tcp: lookup ")
        {
            Inner::Dns
        } else if has("i/o timeout")
            || has("Client.Timeout")
            || has("TLS handshake timeout")
            || has("context deadline exceeded")
            || has("timed out")
            || has(" ms: Timed out")
            || has("did not properly respond after a period of time")
            || has("request canceled while waiting")
        {
            Inner::Timeout
        } else if has("connection reset by peer")
            || has("forcibly closed")
            || has("force closed")
            || has("unexpected EOF")
            || has("Connection reset by peer")
            || has("Connection was reset")
            || has("SSL_ERROR_SYSCALL")
            || has("gnutls_handshake() failed")
            || has("GnuTLS recv error")
            || has("RPC failed; curl")
            || has("early EOF")
            || has("hung up unexpectedly")
            || has("Connection closed by remote host")
            || has("client connection lost")
        {
            Inner::Reset
        } else if has("connection refused")
            || has("Connection refused")
            || has("actively refused it")
        {
            Inner::Refused
        } else if has("network is unreachable")
            || has("no route to host")
            || has("cannot assign requested address")
            || has("attempted to an unreachable")
            || has("Couldn't connect to server")
        {
            Inner::Unreachable
        } else if text.trim_end().ends_with(": EOF") || has(": EOF ") {
            Inner::Eof
        } else if [": 500 ", ": 502 ", ": 503 ", ": 504 "]
            .iter()
            .any(|c| has(c))
        {
            Inner::ServerError
        } else if [": 401 ", ": 403 ", ": 407 "].iter().any(|c| has(c)) {
            Inner::Unauthorized
        } else if has(": 404 Not Found") || has(": 410 Gone") {
            Inner::NotFound
        } else {
            return None;
        },
    )
}

/// Builds a cause.
fn cause(
    id: &'static str,
    summary: impl Into<String>,
    setting: impl Into<String>,
    fix: impl Into<String>,
    wrong_fixes: &[&'static str],
) -> Cause {
    Cause {
        id,
        summary: summary.into(),
        setting: setting.into(),
        fix: fix.into(),
        wrong_fixes: wrong_fixes.to_vec(),
        rule: cause_rule(id),
        evidence: Vec::new(),
    }
}

/// The audit rule behind a cause (the catalog's IDs).
fn cause_rule(id: &str) -> Option<&'static str> {
    Some(match id {
        "private-path-to-public-db" => "sumdb/private-path-leak",
        "third-party-sumdb" => "sumdb/custom",
        "proxy-stale-copy" => "proxy/unverified-third-party",
        "tls-interception" | "tls-untrusted-ca" => "tls/custom-roots",
        "git-url-rewrite" | "git-ssh-key" => "git/insteadof",
        "proxy-credentials" => "netrc/permissions",
        "go-sum-edited" => "project/go-sum-conflict",
        _ => return None,
    })
}

fn with_evidence(mut c: Cause, ev: &[EvidenceLine]) -> Cause {
    c.evidence.extend(ev.iter().cloned());
    c
}

/// The lines a diagnosis rests on: its message, continuation and server-response lines.
fn diagnosis_evidence(d: &Diagnosis) -> Vec<EvidenceLine> {
    let mut out = vec![EvidenceLine {
        line_no: d.line_no,
        source: "message",
        text: d.detail.clone(),
    }];
    for c in d.context.iter().take(8) {
        out.push(EvidenceLine {
            line_no: c.line_no,
            source: if c.from_server {
                "server response"
            } else {
                "continuation"
            },
            text: c.text.clone(),
        });
    }
    out
}

fn setting_evidence(ctx: &Context<'_>, names: &[&str]) -> Vec<EvidenceLine> {
    names
        .iter()
        .filter_map(|n| ctx.settings.get(n))
        .map(|s| EvidenceLine {
            line_no: s.line_no,
            source: "setting",
            text: s.line.clone(),
        })
        .collect()
}

/// [`setting_evidence`] for the settings among `names` the log gives a non-empty value.
fn nonempty_setting_evidence(ctx: &Context<'_>, names: &[&str]) -> Vec<EvidenceLine> {
    let set: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| {
            ctx.settings
                .get(n)
                .is_some_and(|s| !s.value.trim().is_empty())
        })
        .collect();
    setting_evidence(ctx, &set)
}

/// The proxy entries of the log's GOPROXY, if it shows one.
fn log_proxies(ctx: &Context<'_>) -> Option<Vec<String>> {
    ctx.settings.get("GOPROXY").map(|s| {
        s.value
            .split([',', '|'])
            .map(|e| e.trim().trim_end_matches('/').to_string())
            .filter(|e| !e.is_empty())
            .collect()
    })
}

/// The causes of `d`, most likely first. Never empty.
pub fn explain(d: &Diagnosis, ctx: &Context<'_>) -> Vec<Cause> {
    let own: String = std::iter::once(d.detail.as_str())
        .chain(
            d.context
                .iter()
                .filter(|c| !c.from_server)
                .map(|c| c.text.as_str()),
        )
        .collect::<Vec<_>>()
        .join("\n");
    let server: String = d
        .context
        .iter()
        .filter(|c| c.from_server)
        .map(|c| c.text.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let message_ev = diagnosis_evidence(d);
    let path = d.module.as_deref().map(module_path).unwrap_or("");
    let mut causes = rank(d, ctx, &own, &server, path, &message_ev);
    if causes.is_empty() {
        causes.push(generic(d.kind));
    }
    // Public modules never get GOPRIVATE advice: drop causes that rest on privacy when the
    // database knows the module.
    if !path.is_empty() && ctx.known_to_db.contains(path) {
        causes.retain(|c| c.id != "private-path-to-public-db");
        for c in &mut causes {
            if !c.wrong_fixes.contains(&NO_PRIVATE_FOR_PUBLIC) {
                c.wrong_fixes.push(NO_PRIVATE_FOR_PUBLIC);
            }
        }
        if causes.is_empty() {
            causes.push(generic(d.kind));
        }
    }
    causes
}

/// The message kind's own cause, for kinds with one cause.
fn generic(kind: K) -> Cause {
    let info = kind.info();
    Cause {
        id: kind_id(kind),
        summary: info.cause.to_string(),
        setting: info.setting.to_string(),
        fix: info.fix.to_string(),
        wrong_fixes: info.wrong_fixes.to_vec(),
        rule: info.rule,
        evidence: Vec::new(),
    }
}

/// The kind's stable ID as a static string (the serde name).
fn kind_id(kind: K) -> &'static str {
    // One allocation per kind for the life of the program: IDs are few and fixed.
    static IDS: std::sync::LazyLock<Vec<(K, &'static str)>> = std::sync::LazyLock::new(|| {
        K::ALL
            .iter()
            .map(|k| (*k, &*Box::leak(k.id().into_boxed_str())))
            .collect()
    });
    IDS.iter()
        .find(|(k, _)| *k == kind)
        .map_or("unknown", |(_, id)| id)
}

fn rank(
    d: &Diagnosis,
    ctx: &Context<'_>,
    own: &str,
    server: &str,
    path: &str,
    ev: &[EvidenceLine],
) -> Vec<Cause> {
    let url = first_url(&d.detail).or_else(|| first_url(own));
    let host = url.map(url_host).unwrap_or("");
    let inner = inner_error(own);
    match d.kind {
        K::SumDbMismatch | K::GoSumMismatch => mismatch_causes(d, ctx, path, ev),
        K::SumDbMisbehavior if own.contains("inconsistent proof") => vec![with_evidence(
            cause(
                "sumdb-cache-corrupt",
                "go could not even build a consistent proof from the tiles it keeps locally ($GOMODCACHE/cache/download/sumdb): the local cache is damaged (an interrupted write after a crash or a full disk), which is not evidence of a lying server",
                "the module cache ($GOMODCACHE/cache/download/sumdb)",
                "Move $GOMODCACHE/cache/download/sumdb aside (keep it until the next run works) and retry: go refetches the tiles and checks them against the signed tree head it remembers in $GOPATH/pkg/sumdb, which stays",
                &[
                    NO_SUMDB_OFF,
                    "deleting $GOPATH/pkg/sumdb/*/latest: throws away the signed tree head that protects against a forked log",
                ],
            ),
            ev,
        )],
        K::SumDbLookupNotFound => lookup_causes(ctx, url, host, server, path, ev),
        K::SumDbTileMissing => vec![with_evidence(
            cause(
                "sum-db-tile-missing",
                format!(
                    "{host} mirrors the checksum database but lacks a tile go needs to check the tree: an incomplete or stale mirror"
                ),
                "GOPROXY (the mirror serving /sumdb/), GOSUMDB",
                format!(
                    "Use a proxy that mirrors the database completely, or point GOSUMDB at the database itself (`GOSUMDB=\"sum.golang.org https://sum.golang.org\"` where reachable); keep verification on. Report the gap to {host}'s operator"
                ),
                &[NO_SUMDB_OFF, NO_DIRECT],
            ),
            ev,
        )],
        K::GitAuth => git_causes(ctx, own, path, ev),
        K::ProxyNotFound => proxy_not_found(ctx, host, server, path, ev),
        K::ProxyUnauthorized => proxy_refused(ctx, host, ev),
        K::ProxyServerError if own.contains(": 400 Bad Request") => vec![with_evidence(
            cause(
                "invalid-version",
                format!(
                    "{} rejected the request as invalid (400): the version is not a valid version of {} — typically a pseudo-version whose timestamp or commit prefix does not match the commit (a hand-edited go.mod), or a major version without its /vN path",
                    name_or(host, "the proxy"),
                    name_or(path, "the module")
                ),
                "go.mod require line (the version)",
                "Replace the version with one go computes: `go get <module>@<commit>` prints the valid pseudo-version; fix the requiring go.mod (or upgrade the dependency that requires it)",
                &[NO_DIRECT, NO_SUMDB_OFF],
            ),
            ev,
        )],
        K::ProxyServerError if own.contains(": 429 ") => vec![with_evidence(
            cause(
                "proxy-rate-limited",
                format!(
                    "{} is rate-limiting this client (429 Too Many Requests)",
                    name_or(host, "the proxy")
                ),
                "GOPROXY",
                "Retry later, share a module cache between CI jobs, or run a caching proxy for the build farm",
                &[NO_DIRECT, NO_SUMDB_OFF],
            ),
            ev,
        )],
        K::UnknownRevision if own.contains("no matching versions for query") => {
            let mut c = generic(d.kind);
            if own.contains("/...") {
                c.id = "go-too-old";
                c.summary = "go 1.11/1.12 could not resolve a `path/...` pattern in module mode, so it reports no versions (golang/go#27215)".to_string();
                c.setting = "the go version".to_string();
                c.fix = "Use go 1.13 or later, or name the module (or package) instead of a `/...` pattern".to_string();
            } else {
                c.id = "no-matching-versions";
                c.summary = format!(
                    "{} has no version matching the query: its releases are v2 or later and need the /vN path (e.g. `<path>/v6`), the repository has no tags, or the path is wrong",
                    own.split(": no matching")
                        .next()
                        .unwrap_or("the path")
                        .rsplit(' ')
                        .next()
                        .unwrap_or("the path")
                );
                c.setting = "the import path (major version suffix), the version query".to_string();
                c.fix = "Check the module's README for its import path (v2+ modules end in /vN) and the tags it publishes; require that path".to_string();
            }
            vec![with_evidence(c, ev)]
        }
        K::InvalidVersion if own.contains("invalid pseudo-version") => {
            let mut c = generic(d.kind);
            c.summary = format!(
                "the pseudo-version of {} does not match its commit (its timestamp must be the commit's UTC time and its hash prefix the commit's, checked since Go 1.13): a hand-written or local-time pseudo-version in a go.mod",
                name_or(path, "the module")
            );
            c.setting = "go.mod require line (the pseudo-version)".to_string();
            c.fix = "Let go compute it: `go get <module>@<commit>`, and fix the go.mod that names the wrong one (or upgrade the dependency that requires it; a replace directive works meanwhile)".to_string();
            vec![with_evidence(c, ev)]
        }
        K::ProxyServerError => vec![with_evidence(
            cause(
                "proxy-server-error",
                format!(
                    "{} answered with a server error: it failed to fetch or serve the module (a proxy without access to a private repository answers this way, or a faulty deployment); with `,` go does not try the next proxy",
                    name_or(host, "the proxy")
                ),
                "GOPROXY",
                "Check the proxy's logs; for a private module give the proxy credentials or route the path around it (GONOPROXY/GOPRIVATE, only for private paths); otherwise retry or use another proxy",
                &[NO_SUMDB_OFF],
            ),
            ev,
        )],
        K::ToolchainUnavailable => toolchain_causes(d, ev),
        K::HttpProxyUnreachable => {
            // `proxyconnect tcp: dial tcp 127.0.0.1:7890: connect: connection refused`: the
            // HTTP proxy from HTTPS_PROXY is what failed, not the host behind it.
            let addr = own
                .split("proxyconnect tcp: ")
                .nth(1)
                .and_then(|r| r.split(": ").next())
                .unwrap_or("")
                .trim_start_matches("dial tcp ");
            let mut c = generic(d.kind);
            c.summary = format!(
                "the HTTP proxy from HTTPS_PROXY/HTTP_PROXY{} could not be reached: it is not running, or the variable names a proxy of another network (a VPN or office proxy left set)",
                if addr.is_empty() {
                    String::new()
                } else {
                    format!(" ({addr})")
                }
            );
            c.evidence.extend(ev.iter().cloned());
            c.evidence.extend(setting_evidence(
                ctx,
                &["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"],
            ));
            vec![c]
        }
        K::NotInStd => {
            let pkg = d
                .detail
                .split("package ")
                .nth(1)
                .and_then(|r| r.split_whitespace().next())
                .unwrap_or("");
            if NEWER_STD.contains(&pkg) {
                vec![with_evidence(
                    cause(
                        "go-too-old",
                        format!(
                            "\"{pkg}\" is a standard-library package of a newer Go: the go running is too old to have it"
                        ),
                        "the installed go (PATH, GOROOT), go.mod go line",
                        "Use the go version the module asks for (its go line): install a current release, or let go 1.21+ switch toolchains (GOTOOLCHAIN=auto)",
                        &[],
                    ),
                    ev,
                )]
            } else {
                vec![with_evidence(generic(d.kind), ev)]
            }
        }
        K::MalformedModulePath => malformed_causes(d, ev),
        K::VcsMissing if own.contains("exec: \"git\"") || own.contains("missing Git command") => {
            vec![with_evidence(
                cause(
                    "git-missing",
                    "go had to run git (a direct fetch: GOPROXY=direct, a GOPRIVATE/GONOPROXY path, or `direct` after the proxies in GOPROXY) and git is not installed where go runs; slim images such as golang:alpine have no git",
                    "the build image or machine (git on PATH); GOPROXY, GOPRIVATE",
                    "Install git where go runs (`apk add --no-cache git`, `apt-get install -y git`); for private modules also give git credentials. Public modules need no git when they come through a module proxy",
                    &[
                        "GOFLAGS=-mod=mod: changes go.mod handling, not how modules are fetched",
                        "GOSUMDB=off or GONOSUMDB: unrelated to a missing git, and removes verification",
                    ],
                ),
                ev,
            )]
        }
        K::UnrecognizedImportPath
        | K::SumDbUnreachable
        | K::DnsFailure
        | K::Timeout
        | K::ConnectionLost
        | K::ConnectionRefused
        | K::ConnectFailed
        | K::TlsUnknownAuthority
        | K::TlsHostnameMismatch
        | K::TlsExpired
        | K::TlsLegacyCommonName
        | K::InvalidVersion
        | K::UnknownRevision => {
            let mut causes = transport_causes(d.kind, inner, ctx, own, host, path, ev);
            if causes.is_empty() && d.kind == K::SumDbUnreachable {
                causes.push(with_evidence(generic(d.kind), ev));
            }
            causes
        }
        _ => Vec::new(),
    }
}

fn name_or<'a>(host: &'a str, default: &'a str) -> &'a str {
    if host.is_empty() { default } else { host }
}

fn tls_causes(
    inner: Inner,
    own: &str,
    host: &str,
    via_proxy: &[EvidenceLine],
    ev: &[EvidenceLine],
) -> Vec<Cause> {
    // git (curl, gnutls, Secure Transport) checked this certificate, not go: git's own CA
    // bundle and settings decide.
    if [
        "SSL certificate problem",
        "SSL: certificate verification failed",
        "server certificate verification failed",
    ]
    .iter()
    .any(|m| own.contains(m))
    {
        let h = name_or(host, "the git server");
        let mut git = cause(
            "git-ca-store",
            format!(
                "git (not go) rejected the certificate of {h}: git verifies with its own CA bundle, which may be outdated (an old git or OS bundle missing newer roots), replaced by an http.sslCAInfo / http.sslCAPath setting that lists only a company CA, or facing TLS interception"
            ),
            "git config http.sslCAInfo / http.sslCAPath, the CA bundle of git and the OS",
            "Check `git config --show-origin --get-all http.sslcainfo` (remove or extend a CA file that replaces the public roots), update git and the OS CA bundle, and if your network inspects TLS add its root CA to the bundle git uses",
            DANGEROUS,
        );
        git.evidence.extend(ev.iter().cloned());
        let mut rest = tls_causes(inner, "", host, via_proxy, ev);
        rest.retain(|c| c.id == "tls-interception");
        let mut out = vec![git];
        out.extend(rest);
        return out;
    }
    // For a name mismatch go names the host it wanted: `..., not proxy.golang.org`.
    let wanted = own
        .rsplit(", not ")
        .next()
        .filter(|_| inner == Inner::TlsHostname)
        .map(|s| {
            s.split_whitespace()
                .next()
                .unwrap_or(s)
                .trim_end_matches([')', '.'])
        })
        .unwrap_or(host);
    let host = if wanted.is_empty() { host } else { wanted };
    let what = match inner {
        Inner::TlsUnknownAuthority => "a certificate signed by a CA the system does not trust",
        Inner::TlsHostname => "a certificate issued for another name",
        Inner::TlsExpired => "an expired (or not yet valid) certificate",
        _ => "a certificate that does not verify",
    };
    let interception = cause(
        "tls-interception",
        format!(
            "something between this machine and {h} answered with {what}: a TLS-inspecting proxy or firewall (Zscaler, corporate gateway), a captive portal, a DNS filter or hijack, or a regional block; {h} itself always presents a publicly valid certificate",
            h = name_or(host, "the server")
        ),
        "the system CA store (SSL_CERT_FILE / SSL_CERT_DIR), the network path, GOPROXY",
        "If your organisation inspects TLS, add its root CA to the system store (or point SSL_CERT_FILE at a bundle that includes it); on a captive portal, log in; where the host is blocked or filtered, use a proxy reachable from your network in GOPROXY (your company's, or a regional mirror such as https://goproxy.cn) and keep the checksum database on",
        DANGEROUS,
    );
    let server = cause(
        "server-certificate",
        format!(
            "{h} presents {what}: the server's own certificate is broken (expired, wrong name, incomplete chain), not your settings",
            h = name_or(host, "the server")
        ),
        "none locally (the server's certificate); GOPROXY decides whether go contacts that host",
        format!(
            "Tell the operator of {h}; meanwhile fetch through a module proxy (the default GOPROXY serves public modules without contacting {h}), or pin a version already in your module cache",
            h = name_or(host, "the server")
        ),
        DANGEROUS,
    );
    let private_ca = cause(
        "tls-untrusted-ca",
        format!(
            "{h} presents {what}: a private or corporate CA this system does not trust, or TLS interception on the way",
            h = name_or(host, "the server")
        ),
        "the system CA store (SSL_CERT_FILE / SSL_CERT_DIR)",
        "Add the CA that signs the server's certificate to the system store (or SSL_CERT_FILE) after checking with its operator that it is theirs",
        DANGEROUS,
    );
    let well_known = is_well_known_host(host);
    // An HTTPS proxy set in the log carries every https request (net/http's
    // ProxyFromEnvironment): an unknown CA then most likely belongs to that proxy re-signing
    // TLS, not to the server.
    let proxied = !via_proxy.is_empty();
    let mut out = match (inner, well_known) {
        (_, true) => vec![interception],
        (Inner::TlsUnknownAuthority, false) if proxied => vec![interception, private_ca],
        (Inner::TlsUnknownAuthority, false) => vec![private_ca, interception],
        (_, false) => vec![server, interception],
    };
    for c in &mut out {
        c.evidence.extend(ev.iter().cloned());
        if c.id == "tls-interception" {
            c.evidence.extend(via_proxy.iter().cloned());
        }
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn transport_causes(
    kind: K,
    inner: Option<Inner>,
    ctx: &Context<'_>,
    own: &str,
    host: &str,
    path: &str,
    ev: &[EvidenceLine],
) -> Vec<Cause> {
    let inner = match (kind, inner) {
        (_, Some(i)) => Some(i),
        (K::TlsUnknownAuthority, None) => Some(Inner::TlsUnknownAuthority),
        (K::TlsHostnameMismatch, None) => Some(Inner::TlsHostname),
        (K::TlsExpired, None) => Some(Inner::TlsExpired),
        (K::DnsFailure, None) => Some(Inner::Dns),
        (K::Timeout, None) => Some(Inner::Timeout),
        (K::ConnectionLost, None) => Some(Inner::Reset),
        (K::ConnectionRefused, None) => Some(Inner::Refused),
        (K::ConnectFailed, None) => Some(Inner::Unreachable),
        _ => None,
    };
    let proxy_ev = setting_evidence(ctx, &["GOPROXY", "HTTPS_PROXY", "https_proxy"]);
    match inner {
        Some(
            i @ (Inner::TlsUnknownAuthority
            | Inner::TlsHostname
            | Inner::TlsExpired
            | Inner::TlsOther),
        ) => tls_causes(
            i,
            own,
            host,
            &nonempty_setting_evidence(ctx, &["HTTPS_PROXY", "https_proxy"]),
            ev,
        ),
        Some(Inner::Dns) => {
            let (name, resolver) = dns_target(own).unwrap_or((host.to_string(), None));
            if name.contains(':') && !name.contains("::") {
                return vec![with_evidence(
                    cause(
                        "git-url-rewrite",
                        format!(
                            "git tried to resolve `{name}`: a host name with a path glued on, which comes from a malformed url.<base>.insteadOf rule (for example `ssh://git@github.com:` instead of `ssh://git@github.com/` or `git@github.com:`)"
                        ),
                        "git config url.<base>.insteadOf",
                        "Fix the rule in ~/.gitconfig: `git config --global url.\"git@github.com:\".insteadOf \"https://github.com/\"` (scp-like form) or `url.\"ssh://git@github.com/\".insteadOf ...` (URL form)",
                        &[NO_GIT_SSL],
                    ),
                    ev,
                )];
            }
            let via = resolver
                .map(|r| format!(" (resolver {r})"))
                .unwrap_or_default();
            let mut c = cause(
                "dns-failure",
                format!(
                    "the name {n} could not be resolved{via}: no working DNS where the command ran (a build container or sandbox without network, a VPN or split-horizon resolver), or a misspelt host in GOPROXY or the import path",
                    n = name_or(&name, "of the server")
                ),
                "the resolver of the machine or container; GOPROXY (its host names)",
                format!(
                    "Check name resolution where go runs (`getent hosts {n}` / `nslookup {n}`), the container's DNS settings, and the spelling of the host; builds without network need the modules vendored or in a prefilled module cache",
                    n = name_or(&name, "<host>")
                ),
                DANGEROUS,
            );
            c.evidence.extend(ev.iter().cloned());
            c.evidence.extend(proxy_ev);
            vec![c]
        }
        Some(
            i @ (Inner::Timeout | Inner::Reset | Inner::Refused | Inner::Unreachable | Inner::Eof),
        ) => {
            let what = match i {
                Inner::Timeout => "timed out",
                Inner::Reset => "was reset",
                Inner::Refused => "was refused",
                Inner::Unreachable => "could not be made (no route, or refused by the system)",
                _ => "was cut (EOF)",
            };
            let h = name_or(host, "the server");
            if kind == K::SumDbUnreachable && i == Inner::Eof && is_google_host(host) {
                return vec![db_upstream(host, "", path, ev)];
            }
            let mut out = Vec::new();
            if is_google_host(host) {
                let mut c = cause(
                    "network-blocked",
                    format!(
                        "the connection to {h} {what}: the network blocks or throttles Google's hosts (a firewall, a regional block such as mainland China's, or an egress rule)"
                    ),
                    "GOPROXY (a reachable mirror), the network path",
                    format!(
                        "Use a module proxy reachable from this network in GOPROXY (your company's proxy, or a regional mirror such as https://goproxy.cn), which also serves the checksum database under /sumdb/; or allow egress to {h}. Keep GOSUMDB on"
                    ),
                    DANGEROUS,
                );
                c.evidence.extend(ev.iter().cloned());
                c.evidence.extend(proxy_ev.clone());
                out.push(c);
            }
            let id = match i {
                Inner::Timeout => "timeout",
                Inner::Refused => "connection-refused",
                Inner::Unreachable => "connect-failed",
                _ => "connection-lost",
            };
            let in_proxy = log_proxies(ctx)
                .is_some_and(|ps| ps.iter().any(|p| url_host(p) == host && !host.is_empty()));
            let mut c = cause(
                id,
                format!(
                    "the connection to {h} {what}{}: the server or the network path to it failed",
                    if in_proxy {
                        " (a GOPROXY entry in this log)"
                    } else {
                        ""
                    }
                ),
                "GOPROXY, HTTPS_PROXY, the network path",
                format!(
                    "Retry; if it persists, check the network path to {h} and any HTTP proxy, or use another proxy in GOPROXY"
                ),
                DANGEROUS,
            );
            c.evidence.extend(ev.iter().cloned());
            c.evidence.extend(proxy_ev);
            out.push(c);
            out
        }
        Some(Inner::ServerError) if kind == K::SumDbUnreachable => {
            vec![db_upstream(host, "", path, ev)]
        }
        _ => {
            // A refusal or a page that is not go-import HTML: Google's hosts never answer
            // that way, and a bare `Forbidden` (no status code) is net/http's error for an
            // HTTP proxy refusing CONNECT (net/http.Transport.dialConn).
            let host = if host.is_empty() {
                path.split('/').next().unwrap_or("")
            } else {
                host
            };
            let refused = [": 401 ", ": 403 ", ": 407 "]
                .iter()
                .any(|c| own.contains(c));
            let bare_forbidden =
                own.contains(": Forbidden") || own.contains(": Proxy Authentication Required");
            let not_html = own.contains("XML syntax error");
            if kind == K::UnrecognizedImportPath
                && (bare_forbidden || ((refused || not_html) && is_google_host(host)))
            {
                let c = cause(
                    "network-in-between",
                    format!(
                        "the answer for {} did not come from the server: {}",
                        name_or(host, "the import path"),
                        if bare_forbidden {
                            "an HTTP proxy (HTTPS_PROXY) refused to connect to it — a corporate gateway's policy"
                        } else {
                            "Google's hosts never refuse go-get requests or answer them with another page; a gateway, a firewall or a regional (sanctions) block answered instead"
                        }
                    ),
                    "the network path (HTTPS_PROXY, egress policy), GOPROXY",
                    "Ask the network team to allow the host, or fetch through a module proxy this network allows (GOPROXY: your company's proxy or a regional mirror), keeping the checksum database on",
                    DANGEROUS,
                );
                let mut c = with_evidence(c, ev);
                c.evidence.extend(setting_evidence(
                    ctx,
                    &["HTTPS_PROXY", "https_proxy", "GOPROXY"],
                ));
                return vec![c];
            }
            if kind == K::UnrecognizedImportPath {
                let c = cause(
                    "unrecognized-import-path",
                    format!(
                        "{} did not answer `?go-get=1` with a go-import meta tag: the vanity server is misconfigured or serves a tag only for the repository root, the page is behind a login or captive portal, or the path is misspelt",
                        name_or(host, "the import path's server")
                    ),
                    "none locally; GOPROXY decides whether go asks that server at all",
                    "Check the path; fetch through a module proxy (the default GOPROXY resolves public vanity paths itself); report a broken vanity server to its owner",
                    &[NO_GOINSECURE, NO_INSECURE_FLAG],
                );
                return vec![with_evidence(c, ev)];
            }
            Vec::new()
        }
    }
}

fn db_upstream(host: &str, server: &str, path: &str, ev: &[EvidenceLine]) -> Cause {
    db_upstream_for(host, server, path, ev, true)
}

/// The database could not fetch the version itself; `public` when the path is known to be
/// public (then GOPRIVATE is named as a wrong fix).
fn db_upstream_for(
    host: &str,
    server: &str,
    path: &str,
    ev: &[EvidenceLine],
    public: bool,
) -> Cause {
    let said = server
        .lines()
        .find(|l| l.contains("not found") || l.contains("invalid") || l.contains("error"))
        .map(|l| format!(" (it said: {})", l.trim()))
        .unwrap_or_default();
    with_evidence(
        cause(
            "db-upstream-fetch-failed",
            format!(
                "the checksum database ({}) could not fetch {p} from its origin itself{said}: the tag does not exist (yet) or was deleted, the repository is unreachable for it, the module zip is invalid, or the database failed transiently on a version pushed minutes ago",
                name_or(host, "sum.golang.org"),
                p = name_or(path, "this version")
            ),
            "none for a public module (not GOPRIVATE)",
            "Check that the version exists upstream and is a valid module; for a just-pushed version retry after a few minutes; otherwise use another version. Keep verification on",
            if public {
                &[NO_SUMDB_OFF, NO_PRIVATE_FOR_PUBLIC, NO_DIRECT]
            } else {
                &[NO_SUMDB_OFF, NO_DIRECT]
            },
        ),
        ev,
    )
}

fn lookup_causes(
    ctx: &Context<'_>,
    url: Option<&str>,
    host: &str,
    server: &str,
    path: &str,
    ev: &[EvidenceLine],
) -> Vec<Cause> {
    let url = url.unwrap_or("");
    let through_proxy = url.contains("/sumdb/sum.golang.org/");
    let public_db = through_proxy || matches!(host, "sum.golang.org" | "sum.golang.google.cn");
    let gosumdb = ctx.settings.get("GOSUMDB");
    if !public_db
        || gosumdb.is_some_and(|s| !s.value.is_empty() && !s.value.starts_with("sum.golang.org"))
    {
        let mut c = cause(
            "third-party-sumdb",
            format!(
                "the checksum database in use is {} (not sum.golang.org): it has no record of {p} — a database with its own, incomplete storage, or one that is offline",
                name_or(host, "a third-party database"),
                p = name_or(path, "this version")
            ),
            "GOSUMDB",
            "Use the public database (unset GOSUMDB, or `GOSUMDB=sum.golang.org`, reachable through a proxy's /sumdb/ mirror where sum.golang.org is blocked); keep verification on",
            &[NO_SUMDB_OFF],
        );
        c.evidence.extend(ev.iter().cloned());
        c.evidence.extend(setting_evidence(ctx, &["GOSUMDB"]));
        return vec![c];
    }
    let vis = visibility(path, ctx);
    let private = cause(
        "private-path-to-public-db",
        format!(
            "{p} {} a private module: the public checksum database cannot have private modules, and the path was sent to it because GOPRIVATE/GONOSUMDB do not cover it",
            if vis == Visibility::Private {
                "looks like"
            } else {
                "may be"
            },
            p = name_or(path, "the module")
        ),
        "GOPRIVATE (or GONOSUMDB and GONOPROXY)",
        format!(
            "Only if {p} is private: cover it with GOPRIVATE (e.g. `go env -w GOPRIVATE={prefix}`), so that it is fetched directly and not looked up; make sure git can authenticate to it",
            p = name_or(path, "the module"),
            prefix = private_prefix(path)
        ),
        &[
            NO_SUMDB_OFF,
            "GOINSECURE: unrelated to the checksum database",
        ],
    );
    let git_denied = [
        "terminal prompts disabled",
        "could not read Username",
        "Repository not found",
    ]
    .iter()
    .any(|m| server.contains(m));
    let upstream_said = [
        "unknown revision",
        "invalid version",
        "create zip",
        "malformed",
        "no matching versions",
    ]
    .iter()
    .any(|m| server.contains(m));
    let public = vis == Visibility::Public;
    // sum.golang.org explains every 404/410 in its body (`not found: ...`), which go prints
    // as `server response:`; through a proxy's /sumdb/ mirror, a bare 404/410 is the proxy's
    // own answer: its mirror lacks the lookup (go does not fall back to the database once a
    // proxy said it supports it: cmd/go/internal/modfetch/sumdb.go, dbDial).
    // proxy.golang.org is the database's own operator's mirror: an empty body there comes
    // from something between (a filtering egress proxy strips it), not from a gap in it.
    let proxy_host = url_host(url);
    if through_proxy
        && server.trim().is_empty()
        && !proxy_host.is_empty()
        && proxy_host != "proxy.golang.org"
        && vis != Visibility::Private
    {
        let mut c = cause(
            "proxy-sumdb-incomplete",
            format!(
                "{proxy_host} mirrors the checksum database for GOPROXY clients but answered this lookup itself, without a word from sum.golang.org: its /sumdb/ mirror is incomplete or misconfigured, so the record of {p} could not be read",
                p = name_or(path, "this version")
            ),
            "GOPROXY (the proxy's /sumdb/ mirror)",
            format!(
                "Ask the operator of {proxy_host} to forward /sumdb/sum.golang.org/ lookups and tiles to the database; until then use a proxy whose mirror serves them. Keep verification on"
            ),
            &[NO_SUMDB_OFF, NO_PRIVATE_FOR_PUBLIC],
        );
        c.evidence.extend(ev.iter().cloned());
        c.evidence.extend(setting_evidence(ctx, &["GOPROXY"]));
        return vec![c, db_upstream_for(host, server, path, ev, public)];
    }
    let mut out = if upstream_said {
        vec![db_upstream(host, server, path, ev)]
    } else if git_denied {
        let mut p = private;
        p.summary = format!(
            "the checksum database could not read {} from its origin (git asked it for credentials): the repository is private — or deleted or misspelt, which GitHub answers the same way",
            name_or(path, "the module")
        );
        vec![
            with_evidence(p, ev),
            db_upstream_for(host, server, path, ev, public),
        ]
    } else if vis == Visibility::Private {
        vec![
            with_evidence(private, ev),
            db_upstream_for(host, server, path, ev, false),
        ]
    } else if public {
        vec![db_upstream(host, server, path, ev)]
    } else {
        vec![
            db_upstream_for(host, server, path, ev, false),
            with_evidence(private, ev),
        ]
    };
    for c in &mut out {
        c.evidence
            .extend(setting_evidence(ctx, &["GOPRIVATE", "GONOSUMDB"]));
    }
    out
}

/// `github.com/org/repo` -> `github.com/org/*`; other hosts -> `host/*`.
fn private_prefix(path: &str) -> String {
    let mut parts = path.split('/');
    let host = parts.next().unwrap_or("");
    if host.is_empty() {
        return "<your private host or org>/*".to_string();
    }
    if PUBLIC_CODE_HOSTS.contains(&host)
        && let Some(org) = parts.next()
    {
        return format!("{host}/{org}/*");
    }
    host.to_string()
}

fn mismatch_causes(
    d: &Diagnosis,
    ctx: &Context<'_>,
    path: &str,
    ev: &[EvidenceLine],
) -> Vec<Cause> {
    let c = d.checksum.clone().unwrap_or_default();
    let recorded_in = c.recorded_in.clone().unwrap_or_default();
    let db = d.kind == K::SumDbMismatch;
    let p = name_or(path, "the module");
    let proxies = log_proxies(ctx);
    let direct_only = proxies
        .as_ref()
        .is_some_and(|ps| ps.iter().all(|e| e == "direct" || e == "off"));
    let third_party: Option<String> = proxies.as_ref().and_then(|ps| {
        ps.iter()
            .find(|e| *e != "direct" && *e != "off")
            .filter(|e| url_host(e) != "proxy.golang.org")
            .cloned()
    });
    // A zip the trace shows coming from somewhere.
    let served_by: Option<&TraceEvent> = ctx.traces.iter().rev().find(|t| {
        t.kind == TraceKind::Response
            && t.status == Some(200)
            && !path.is_empty()
            && t.url.contains(path)
            && t.url.ends_with(".zip")
    });
    let vcs_direct = ctx
        .traces
        .iter()
        .any(|t| t.kind == TraceKind::Vcs && !path.is_empty() && t.url.contains(path));
    let mut setting_ev = setting_evidence(ctx, &["GOPROXY", "GOSUMDB", "GONOSUMDB", "GOPRIVATE"]);
    if let Some(t) = served_by {
        setting_ev.push(EvidenceLine {
            line_no: t.line_no,
            source: "trace",
            text: t.url.clone(),
        });
    }
    let moved = cause(
        "moved-tag",
        format!(
            "{p}'s tag was moved or re-created after {} recorded it: a direct fetch from the origin now gets different content (proxy.golang.org keeps the first copy, so this shows with GOPROXY=direct, private routing, or a proxy that re-fetched)",
            if db {
                "the checksum database"
            } else {
                "go.sum"
            }
        ),
        "GOPROXY, the module's tags upstream",
        if db {
            "Do not accept the new content: use the version through the default proxy (which serves the recorded bits) or ask the maintainer to publish a new version instead of moving the tag"
                .to_string()
        } else {
            "Check upstream whether the tag moved; if go.sum matches the checksum database (`gotrust verify sums`), keep go.sum and fetch through the default proxy; ask the maintainer for a new version instead of a moved tag"
                .to_string()
        },
        &[
            NO_SUMDB_OFF,
            "deleting go.sum lines or `go clean -modcache` to make it pass: accepts whatever is served now",
            NO_DIRECT,
        ],
    );
    let proxy_name = served_by
        .map(|t| url_host(&t.url).to_string())
        .or(third_party.clone())
        .unwrap_or_else(|| "a proxy".to_string());
    let stale = cause(
        "proxy-stale-copy",
        format!(
            "{proxy_name} served a copy of {p} that differs from the {} record: a stale, re-fetched or altered copy",
            if db { "checksum database's" } else { "go.sum" }
        ),
        "GOPROXY",
        format!(
            "Fetch the same version through another proxy and compare (`gotrust verify proxy`); report the difference to {proxy_name}'s operator and stop using it until explained"
        ),
        &[
            NO_SUMDB_OFF,
            "adding the module to GONOSUMDB/GOPRIVATE: silences the only witness",
        ],
    );
    let mut out = Vec::new();
    if db && !recorded_in.is_empty() && !recorded_in.starts_with("sum.golang.org") {
        out.push(cause(
            "third-party-sumdb",
            format!(
                "the hash comes from {recorded_in}, a checksum database other than sum.golang.org: it may hold different records"
            ),
            "GOSUMDB",
            "Compare with sum.golang.org (`gotrust verify sums`); use the public database unless your organisation runs this one on purpose",
            &[NO_SUMDB_OFF],
        ));
    }
    if !db && hashes_nearly_equal(c.downloaded.as_deref(), c.recorded.as_deref()) {
        out.push(cause(
            "go-sum-edited",
            format!(
                "the go.sum line for {p} differs from the download by one or two characters: the line was edited (an editor, a bad merge), not the module"
            ),
            "go.sum",
            "Restore go.sum from version control (or delete only that line and let go re-add it, then check it with `gotrust verify sums`)",
            &["deleting the whole go.sum: accepts every download as it is now", NO_SUMDB_OFF],
        ));
    }
    let third_party_first = served_by.is_some_and(|t| url_host(&t.url) != "proxy.golang.org")
        || (third_party.is_some() && !direct_only && !vcs_direct);
    if third_party_first {
        out.push(stale);
        out.push(moved);
    } else {
        out.push(moved);
        out.push(stale);
    }
    if !db {
        out.push(cause(
            "go-sum-edited",
            "go.sum itself was changed (a bad merge, a hand edit, or a line written by a tool from another source)",
            "go.sum",
            "Compare go.sum with the checksum database (`gotrust verify sums`) and restore the lines that disagree from version control",
            &["deleting the whole go.sum: accepts every download as it is now"],
        ));
        out.dedup_by(|a, b| a.id == b.id);
    }
    for c in &mut out {
        c.evidence.extend(ev.iter().cloned());
        c.evidence.extend(setting_ev.iter().cloned());
    }
    out
}

/// Two `h1:` hashes of the same length that differ in at most two characters: an edit, not
/// different content (a real difference changes about every character of a SHA-256).
fn hashes_nearly_equal(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) if a.len() == b.len() && a != b => {
            a.bytes().zip(b.bytes()).filter(|(x, y)| x != y).count() <= 2
        }
        _ => false,
    }
}

fn git_causes(ctx: &Context<'_>, own: &str, path: &str, ev: &[EvidenceLine]) -> Vec<Cause> {
    if own.contains("Permission denied (publickey)") {
        return vec![with_evidence(
            cause(
                "git-ssh-key",
                "git fetched over ssh (a url.insteadOf rule rewrites https to ssh, or the path says git@) and the server did not accept this machine's ssh key",
                "git config url.<base>.insteadOf, ssh keys (ssh-agent)",
                "Load a key the server accepts (`ssh -T git@github.com` to check), or remove the insteadOf rule for public repositories and use https with a credential helper or .netrc for private ones",
                &[NO_GIT_SSL, "GOINSECURE: unrelated to ssh authentication"],
            ),
            ev,
        )];
    }
    let p = name_or(path, "the repository");
    if [
        "Authentication failed",
        "Invalid username or password",
        "password authentication was removed",
        "HTTP Basic: Access denied",
    ]
    .iter()
    .any(|m| own.contains(m))
    {
        return vec![with_evidence(
            cause(
                "git-credentials-rejected",
                format!(
                    "git sent credentials for {p} and the server rejected them: an expired or revoked token, a password where the host requires a token, or a token without access to the repository"
                ),
                "git credentials (credential helper, ~/.netrc, url.insteadOf with a token)",
                "Create a new token with read access to the repository and store it in the credential helper or ~/.netrc (machine <host> login <user> password <token>); check which entry git uses with `git credential fill`",
                &[
                    "tokens inside GOPROXY/GOPRIVATE values or import paths: they leak in logs and go.sum",
                    NO_GIT_SSL,
                ],
            ),
            ev,
        )];
    }
    let vis = visibility(path, ctx);
    let missing_said = own.contains("Repository not found")
        || own.contains("could not be found")
        || own.contains("not found");
    let summary = if vis == Visibility::Public {
        format!(
            "git was asked for credentials for {p}, which the checksum database knows as public: the repository was deleted, renamed or made private since"
        )
    } else if missing_said {
        format!(
            "the server says {p} does not exist for this user: it is misspelt, deleted or renamed — or private, which GitHub and GitLab answer the same way"
        )
    } else {
        format!(
            "git was asked for credentials (and go turns prompts off): {p} is private and git has none for it — or it does not exist (misspelt, deleted, renamed), which GitHub and GitLab answer the same way"
        )
    };
    let fix = if vis == Visibility::Public {
        format!("Check that {p} still exists upstream; use its new path or a fork")
    } else {
        format!(
            "First check the path's spelling and that the repository exists. If it is your private repository: set GOPRIVATE={} (so it is fetched directly and not sent to the public proxy and database) and give git credentials (a credential helper or ~/.netrc for https, or `git config --global url.\"git@{}:\".insteadOf \"https://{}/\"` for ssh)",
            private_prefix(path),
            path.split('/').next().unwrap_or("host"),
            path.split('/').next().unwrap_or("host")
        )
    };
    let mut c = cause(
        "repo-private-or-missing",
        summary,
        "GOPRIVATE and git credentials (only for private repositories); the import path",
        fix,
        &[
            "GIT_TERMINAL_PROMPT=1 in CI: hangs waiting for input",
            "tokens inside GOPROXY/GOPRIVATE values: they are not credentials and leak in logs",
            NO_GIT_SSL,
        ],
    );
    if vis == Visibility::Public {
        c.wrong_fixes.push(NO_PRIVATE_FOR_PUBLIC);
    }
    c.evidence.extend(ev.iter().cloned());
    c.evidence.extend(setting_evidence(
        ctx,
        &["GOPRIVATE", "GONOPROXY", "GIT_TERMINAL_PROMPT"],
    ));
    vec![c]
}

fn proxy_not_found(
    ctx: &Context<'_>,
    host: &str,
    server: &str,
    path: &str,
    ev: &[EvidenceLine],
) -> Vec<Cause> {
    let p = name_or(path, "the module");
    let h = name_or(host, "the proxy");
    let git_denied = [
        "terminal prompts disabled",
        "could not read Username",
        "Repository not found",
    ]
    .iter()
    .any(|m| server.contains(m));
    let said = server
        .lines()
        .map(str::trim)
        .find(|l| l.contains("not found") || l.contains("invalid") || l.contains("unknown"))
        .map(|l| format!(" It said: {l}."))
        .unwrap_or_default();
    let self_hosted = private_host(host) || host.starts_with("127.") || host == "localhost";
    let not_found = cause(
        "proxy-not-found",
        if self_hosted {
            format!(
                "{h} (a self-hosted proxy) has no {p} and could not fetch it: the version does not exist, or the proxy cannot reach or authenticate to the origin.{said}"
            )
        } else {
            format!(
                "{h} has no {p}: the version or module path does not exist upstream (a typo, a deleted or moved tag, a major version without its /vN path, or a go.mod declaring another path), or the proxy could not fetch it.{said}"
            )
        },
        "GOPROXY; the go.mod requirement or import path",
        if self_hosted {
            format!(
                "Check {h}'s logs and its access to the origin (credentials for private repositories, its CA trust); check the version exists upstream"
            )
        } else {
            "Check the module path and version (`go list -m -versions <path>`); pick an existing version; for a module that moved, require its new path".to_string()
        },
        &[NO_SUMDB_OFF, NO_DIRECT],
    );
    let mut out = Vec::new();
    if git_denied {
        let mut c = cause(
            "repo-private-or-missing",
            format!(
                "{h} could not read {p} from its origin (its git was asked for credentials): the repository is private — or deleted or misspelt, which GitHub answers the same way"
            ),
            "the import path; GOPRIVATE only if the repository is yours and private",
            format!(
                "Check the path and that the repository exists (a fork or a replace directive if it was deleted). If it is your private repository: GOPRIVATE={} so it is fetched directly with your git credentials, not through {h}",
                private_prefix(path)
            ),
            &[
                "GIT_TERMINAL_PROMPT=1 in CI: hangs waiting for input",
                NO_SUMDB_OFF,
            ],
        );
        c.evidence.extend(ev.iter().cloned());
        out.push(c);
    }
    out.push(with_evidence(not_found, ev));
    for c in &mut out {
        c.evidence.extend(setting_evidence(ctx, &["GOPROXY"]));
    }
    out
}

fn proxy_refused(ctx: &Context<'_>, host: &str, ev: &[EvidenceLine]) -> Vec<Cause> {
    let h = name_or(host, "the proxy");
    let mut out = Vec::new();
    if is_google_host(host) {
        out.push(cause(
            "network-in-between",
            format!(
                "{h} answered 401/403, but it never asks for credentials: the answer comes from something between (a corporate proxy or gateway, cloud egress rules such as VPC Service Controls blocking the redirect to storage.googleapis.com, or a regional block)"
            ),
            "the network path (HTTPS_PROXY, egress rules), GOPROXY",
            "Ask the network team to allow proxy.golang.org, sum.golang.org and storage.googleapis.com (the zip redirect target), or use the proxy your network provides in GOPROXY; do not add credentials for Google's hosts",
            DANGEROUS,
        ));
    } else {
        out.push(cause(
            "proxy-credentials",
            format!(
                "{h} refused the request: it needs credentials (or different ones), or it deliberately blocks this module"
            ),
            "GOPROXY, GOAUTH, .netrc",
            format!("Give go credentials for {h} in ~/.netrc or GOAUTH (never inside the GOPROXY URL); if {h} blocks the module by policy, request it"),
            &["credentials inside the GOPROXY URL: printed by go env, -x and logs", NO_SUMDB_OFF],
        ));
    }
    for c in &mut out {
        c.evidence.extend(ev.iter().cloned());
        c.evidence.extend(setting_evidence(
            ctx,
            &["GOPROXY", "HTTPS_PROXY", "https_proxy"],
        ));
    }
    out
}

fn toolchain_causes(d: &Diagnosis, ev: &[EvidenceLine]) -> Vec<Cause> {
    // `download go1.22 for linux/amd64`: a version with one dot is a language version.
    let ver = d
        .detail
        .split_whitespace()
        .find(|w| w.starts_with("go1."))
        .unwrap_or("");
    if ver.matches('.').count() == 1 && !ver.contains("rc") && !ver.contains("beta") {
        let next = format!("{ver}.0");
        return vec![with_evidence(
            cause(
                "toolchain-unavailable",
                format!(
                    "go.mod (or go.work) says `go {}`, a language version; a go 1.21 toolchain asks for toolchain {ver}, which was never released (releases are {next}, …; golang/go#62278)",
                    ver.trim_start_matches("go")
                ),
                "go.mod go line, GOTOOLCHAIN, the installed go",
                format!(
                    "Install go {} or later (it understands the line), or write `go {}` in go.mod",
                    next.trim_start_matches("go"),
                    next.trim_start_matches("go")
                ),
                &["GOTOOLCHAIN=local alone: the build then fails on the go line instead"],
            ),
            ev,
        )];
    }
    vec![with_evidence(generic(d.kind), ev)]
}

/// Standard-library packages added after Go 1.13 (when "missing dot in first path element"
/// appeared): an older go looks for them as modules.
const NEWER_STD: &[&str] = &[
    "embed",
    "io/fs",
    "testing/fstest",
    "runtime/metrics",
    "net/netip",
    "slices",
    "maps",
    "cmp",
    "log/slog",
    "iter",
    "unique",
    "structs",
    "weak",
    "math/rand/v2",
    "crypto/ecdh",
    "crypto/mlkem",
    "crypto/hkdf",
    "crypto/pbkdf2",
    "crypto/sha3",
    "go/build/constraint",
    "runtime/coverage",
    "testing/slogtest",
    "encoding/json/v2",
];

fn malformed_causes(d: &Diagnosis, ev: &[EvidenceLine]) -> Vec<Cause> {
    let quoted = d
        .detail
        .split("malformed module path \"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or("");
    if NEWER_STD.contains(&quoted) {
        return vec![with_evidence(
            cause(
                "go-too-old",
                format!(
                    "\"{quoted}\" is a standard-library package of a newer Go: this go is too old to know it, so it looks for a module of that name"
                ),
                "the installed go (PATH, GOROOT), go.mod go line",
                "Use the go version the module asks for (its go line), e.g. install a current release or let go 1.21+ switch toolchains",
                &[],
            ),
            ev,
        )];
    }
    let mut c = generic(d.kind);
    if d.detail.contains("malformed import path") {
        c.summary = format!(
            "\"{}\" is not a valid import path ({}): a directory or package name with a space or another character import paths cannot have",
            d.detail
                .split("malformed import path \"")
                .nth(1)
                .and_then(|r| r.split('"').next())
                .unwrap_or(""),
            d.detail.rsplit(": ").next().unwrap_or("invalid character")
        );
        c.setting = "directory and package names".to_string();
        c.fix = "Rename the directory (letters, digits, `-`, `.`, `_`, `~` and `/` only), or exclude it from the pattern".to_string();
    }
    if quoted.starts_with("golang_org/") {
        c.summary = format!(
            "\"{quoted}\" is an import path of an older Go's vendored standard library: GOROOT points at another Go installation than the go binary running"
        );
        c.setting = "GOROOT".to_string();
        c.fix = "Unset GOROOT (go finds its own) or point it at the installation of the go binary in PATH".to_string();
    }
    vec![with_evidence(c, ev)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_and_urls() {
        assert_eq!(
            first_url("reading https://proxy.golang.org/x/@v/v1.zip: 403 Forbidden"),
            Some("https://proxy.golang.org/x/@v/v1.zip")
        );
        assert_eq!(url_host("https://u:p@goproxy.io:443/x"), "goproxy.io");
        assert_eq!(
            dns_target("dial tcp: lookup goproxy.cn on 192.168.1.1:53: no such host"),
            Some(("goproxy.cn".into(), Some("192.168.1.1:53".into())))
        );
        assert_eq!(
            dns_target("ssh: Could not resolve hostname github.com:org: Name or service not known")
                .unwrap()
                .0,
            "github.com:org"
        );
        assert!(hashes_nearly_equal(
            Some("h1:6Fq8oRcR53rry900zMqJjRRixrwX3KX962/h/Wwjteg="),
            Some("h1:6Fq8oRcR53rry900zMqJjRRixrwX3KX962/r/Wwjteg=")
        ));
        assert!(!hashes_nearly_equal(Some("h1:abc="), Some("h1:xyz=")));
        assert!(private_host("git.corp.example"));
        assert!(!private_host("github.com"));
        assert_eq!(
            private_prefix("github.com/org/repo/sub"),
            "github.com/org/*"
        );
    }
}
