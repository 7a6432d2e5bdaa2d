//! Which HTTP proxy a request goes through, decided as Go decides it.
//!
//! Mirrors `golang.org/x/net/http/httpproxy` (`FromEnvironment`, `ProxyFunc`), which
//! `net/http.ProxyFromEnvironment` uses and cmd/go inherits: `HTTPS_PROXY` for https URLs,
//! `HTTP_PROXY` for http URLs (upper case first, then lower case; the first non-empty wins),
//! `NO_PROXY` entries as domains, `*.`/`.` domain suffixes, IPs, CIDRs, each optionally with a
//! port; `localhost` and loopback addresses are never proxied; `ALL_PROXY` is not a Go variable.
//! gotrust decides itself instead of letting reqwest read the environment, so every request
//! record can say which proxy it used and the decision is Go's, not curl's.

use std::net::IpAddr;

use url::Url;

/// Proxy settings read once from the environment (as Go reads them once per process).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProxyEnv {
    /// Proxy for `http://` requests (`HTTP_PROXY` / `http_proxy`).
    pub http: Option<Url>,
    /// Proxy for `https://` requests (`HTTPS_PROXY` / `https_proxy`).
    pub https: Option<Url>,
    /// The raw `NO_PROXY` / `no_proxy` value.
    pub no_proxy: String,
    /// `REQUEST_METHOD` was set: Go then refuses to use `HTTP_PROXY` (httpoxy defence).
    pub cgi: bool,
    /// Invalid proxy values, kept for reporting (variable name, value).
    pub invalid: Vec<(String, String)>,
}

/// The proxy decision for one URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProxyChoice {
    /// Connect directly.
    Direct,
    /// Go through this proxy.
    Via(Url),
    /// Go would fail the request (CGI environment with HTTP_PROXY set).
    Refused(String),
}

impl ProxyEnv {
    /// Reads the process environment.
    pub fn from_process_env() -> Self {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Reads the variables through `get` (tests and `--env` files use this).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Self {
        let any = |names: [&str; 2]| {
            names.iter().find_map(|n| {
                get(n)
                    .filter(|v| !v.is_empty())
                    .map(|v| ((*n).to_string(), v))
            })
        };
        let mut invalid = Vec::new();
        let mut parse = |pair: Option<(String, String)>| match pair {
            None => None,
            Some((name, value)) => match parse_proxy(&value) {
                Some(u) => Some(u),
                None => {
                    invalid.push((name, value));
                    None
                }
            },
        };
        let http = parse(any(["HTTP_PROXY", "http_proxy"]));
        let https = parse(any(["HTTPS_PROXY", "https_proxy"]));
        let no_proxy = any(["NO_PROXY", "no_proxy"])
            .map(|p| p.1)
            .unwrap_or_default();
        let cgi = get("REQUEST_METHOD").is_some_and(|v| !v.is_empty());
        ProxyEnv {
            http,
            https,
            no_proxy,
            cgi,
            invalid,
        }
    }

    /// The proxy Go would use for `url`.
    pub fn choose(&self, url: &Url) -> ProxyChoice {
        let proxy = match url.scheme() {
            "https" => self.https.as_ref(),
            "http" => {
                if self.http.is_some() && self.cgi {
                    return ProxyChoice::Refused(
                        "refusing to use HTTP_PROXY value in CGI environment; see golang.org/s/cgihttpproxy"
                            .into(),
                    );
                }
                self.http.as_ref()
            }
            _ => None,
        };
        let Some(proxy) = proxy else {
            return ProxyChoice::Direct;
        };
        if !use_proxy(&self.no_proxy, url) {
            return ProxyChoice::Direct;
        }
        ProxyChoice::Via(proxy.clone())
    }
}

/// `parseProxy`: a value that does not parse as a URL with an http, https or socks5 scheme is
/// retried with `http://` in front.
fn parse_proxy(value: &str) -> Option<Url> {
    if let Ok(u) = Url::parse(value)
        && matches!(u.scheme(), "http" | "https" | "socks5" | "socks5h")
        && u.host_str().is_some()
    {
        return Some(u);
    }
    Url::parse(&format!("http://{value}"))
        .ok()
        .filter(|u| u.host_str().is_some_and(|h| !h.is_empty()))
}

/// `useProxy(canonicalAddr(url))` with the NO_PROXY matchers.
fn use_proxy(no_proxy: &str, url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return true;
    };
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase();
    let port = url
        .port_or_known_default()
        .map(|p| p.to_string())
        .unwrap_or_default();
    if host == "localhost" {
        return false;
    }
    let ip: Option<IpAddr> = host.parse().ok();
    if ip.is_some_and(|ip| ip.is_loopback()) {
        return false;
    }
    if no_proxy.trim() == "*" {
        return false;
    }
    for entry in no_proxy.split(',') {
        let p = entry.trim().to_ascii_lowercase();
        if p.is_empty() {
            continue;
        }
        if p == "*" {
            return false;
        }
        if let Some((net, bits)) = parse_cidr(&p) {
            if let Some(ip) = ip
                && cidr_contains(net, bits, ip)
            {
                return false;
            }
            continue;
        }
        let (mut phost, pport) = match split_host_port(&p) {
            Some((h, pt)) => {
                if h.is_empty() {
                    continue;
                }
                (
                    h.trim_start_matches('[').trim_end_matches(']').to_string(),
                    pt,
                )
            }
            None => (p.clone(), String::new()),
        };
        if let Ok(pip) = phost.parse::<IpAddr>() {
            if ip == Some(pip) && (pport.is_empty() || pport == port) {
                return false;
            }
            continue;
        }
        if phost.is_empty() {
            continue;
        }
        if let Some(rest) = phost.strip_prefix("*.") {
            phost = format!(".{rest}");
        }
        let match_host = !phost.starts_with('.');
        if match_host {
            phost = format!(".{phost}");
        }
        if (host.ends_with(&phost) || (match_host && host == phost[1..]))
            && (pport.is_empty() || pport == port)
        {
            return false;
        }
    }
    true
}

/// Go's `net.SplitHostPort` for NO_PROXY entries: `host:port` or `[v6]:port`.
fn split_host_port(s: &str) -> Option<(String, String)> {
    if let Some(rest) = s.strip_prefix('[') {
        let (h, after) = rest.split_once(']')?;
        let port = after.strip_prefix(':')?;
        return Some((h.to_string(), port.to_string()));
    }
    let (h, port) = s.rsplit_once(':')?;
    if h.contains(':') {
        // A bare IPv6 address has too many colons to be host:port.
        return None;
    }
    Some((h.to_string(), port.to_string()))
}

fn parse_cidr(s: &str) -> Option<(IpAddr, u8)> {
    let (a, b) = s.split_once('/')?;
    let ip: IpAddr = a.parse().ok()?;
    let bits: u8 = b.parse().ok()?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    (bits <= max).then_some((ip, bits))
}

fn cidr_contains(net: IpAddr, bits: u8, ip: IpAddr) -> bool {
    match (net, ip) {
        (IpAddr::V4(n), IpAddr::V4(i)) => {
            let mask = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - bits)
            };
            (u32::from(n) & mask) == (u32::from(i) & mask)
        }
        (IpAddr::V6(n), IpAddr::V6(i)) => {
            let mask = if bits == 0 {
                0
            } else {
                u128::MAX << (128 - bits)
            };
            (u128::from(n) & mask) == (u128::from(i) & mask)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> ProxyEnv {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        ProxyEnv::from_lookup(move |k| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()))
    }

    fn choose(e: &ProxyEnv, u: &str) -> Option<String> {
        match e.choose(&Url::parse(u).unwrap()) {
            ProxyChoice::Via(p) => Some(p.to_string()),
            ProxyChoice::Direct => None,
            ProxyChoice::Refused(r) => Some(format!("refused: {r}")),
        }
    }

    // Cases follow x/net/http/httpproxy's proxy_test.go table.
    #[test]
    fn scheme_selects_variable_and_upper_case_wins() {
        let e = env(&[
            ("HTTPS_PROXY", "secure.proxy:3128"),
            ("https_proxy", "lower.proxy"),
            ("http_proxy", "http://plain.proxy"),
        ]);
        assert_eq!(
            choose(&e, "https://a.example/").as_deref(),
            Some("http://secure.proxy:3128/")
        );
        assert_eq!(
            choose(&e, "http://a.example/").as_deref(),
            Some("http://plain.proxy/")
        );
        let e = env(&[("HTTP_PROXY", "http://only.http")]);
        assert_eq!(
            choose(&e, "https://a.example/"),
            None,
            "https never falls back to HTTP_PROXY"
        );
    }

    #[test]
    fn loopback_and_localhost_never_proxied() {
        let e = env(&[("HTTPS_PROXY", "p:1"), ("HTTP_PROXY", "p:1")]);
        assert_eq!(choose(&e, "https://localhost/"), None);
        assert_eq!(choose(&e, "http://127.0.0.1:8080/"), None);
        assert_eq!(choose(&e, "http://127.5.5.5/"), None);
        assert_eq!(choose(&e, "http://[::1]/"), None);
        assert!(choose(&e, "http://10.0.0.1/").is_some());
    }

    #[test]
    fn no_proxy_forms() {
        let e = env(&[
            ("HTTPS_PROXY", "p:1"),
            (
                "NO_PROXY",
                "foo.com, .bar.org, *.baz.net, 10.1.0.0/16, 192.168.0.1, qux.io:8443, [2001:db8::1]:443",
            ),
        ]);
        assert_eq!(choose(&e, "https://foo.com/"), None);
        assert_eq!(choose(&e, "https://www.foo.com/"), None);
        assert!(choose(&e, "https://xfoo.com/").is_some());
        assert!(
            choose(&e, "https://bar.org/").is_some(),
            ".bar.org matches only subdomains"
        );
        assert_eq!(choose(&e, "https://a.bar.org/"), None);
        assert!(choose(&e, "https://baz.net/").is_some());
        assert_eq!(choose(&e, "https://a.baz.net/"), None);
        assert_eq!(choose(&e, "https://10.1.2.3/"), None);
        assert!(choose(&e, "https://10.2.0.1/").is_some());
        assert_eq!(choose(&e, "https://192.168.0.1/"), None);
        assert_eq!(choose(&e, "https://qux.io:8443/"), None);
        assert!(
            choose(&e, "https://qux.io/").is_some(),
            "port must match (443 vs 8443)"
        );
        assert_eq!(choose(&e, "https://[2001:db8::1]/"), None);
        let all = env(&[("HTTPS_PROXY", "p:1"), ("no_proxy", "*")]);
        assert_eq!(choose(&all, "https://anything.example/"), None);
    }

    #[test]
    fn cgi_refuses_http_proxy() {
        let e = env(&[("HTTP_PROXY", "p:1"), ("REQUEST_METHOD", "GET")]);
        assert!(
            choose(&e, "http://a.example/")
                .unwrap()
                .starts_with("refused")
        );
    }
}
