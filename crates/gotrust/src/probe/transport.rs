//! The transport side of a probe: what each request was and how it failed, the scheme, and
//! what the answered requests show together (HTTP version, redirects, cache headers,
//! latency).

use std::collections::BTreeSet;
use std::time::Instant;

use url::{Host, Url};

use super::{CACHE_HEADERS, Latency, Outcome, RequestRecord, Run, Verdict};
use crate::net::Exchange;
use crate::net::error::{FetchError, FetchErrorKind};
use crate::net::goproxy::ProxyError;
use crate::report::{Finding, catalog};

/// What a failed request means for the probe.
pub(super) enum Failure {
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

/// The failure class of a proxy error. 404/410 are recognised by
/// [`ProxyError::is_not_found`], the one judgement `TryProxies` (`modfetch/proxy.go`) and
/// `verify proxy` use.
pub(super) fn classify(e: &ProxyError) -> Failure {
    if e.is_not_found()
        && let ProxyError::Fetch(f) = e
    {
        return Failure::NotFound(f.status().unwrap_or(404));
    }
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

pub(super) fn is_loopback(url: &Url) -> bool {
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

/// Whether `host:port` (as [`super::TlsReport::host`]) names a loopback host.
pub(super) fn is_loopback_host(host_port: &str) -> bool {
    let host = host_port.rsplit_once(':').map_or(host_port, |(h, _)| h);
    let host = if host.contains(':') {
        format!("[{host}]")
    } else {
        host.to_string()
    };
    Url::parse(&format!("https://{host}/")).is_ok_and(|u| is_loopback(&u))
}

impl Run<'_> {
    pub(super) fn record(
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
    pub(super) fn fatal(&mut self, what: &'static str, f: &Failure) -> bool {
        match f {
            Failure::Tls(detail) => {
                self.check(what, Outcome::Fail, detail.clone());
                // The handshake already judged this host; a request failing on the same
                // certificate adds no second finding.
                if !self.tls_failed_reported {
                    self.tls_failed_reported = true;
                    let msg = format!("{}: TLS verification failed: {detail}", self.out.url);
                    self.finding(Finding::new(&catalog::PROBE_TLS_FAILED, msg));
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

    pub(super) fn transport_scheme(&mut self) {
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

    /// TLS, HTTP version, redirects, cache headers and latency, from the answered requests.
    pub(super) fn finish(&mut self) {
        if let Some(ex) = self.exchanges.first() {
            self.out.http_version = Some(ex.http_version.clone());
            self.check("http-version", Outcome::Info, ex.http_version.clone());
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
}
