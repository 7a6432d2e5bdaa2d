//! HTTP_PROXY / HTTPS_PROXY / NO_PROXY, as golang.org/x/net/http/httpproxy (FromEnvironment, ProxyFunc) reads them for net/http.
//!
//! Mirrors golang.org/x/net/http/httpproxy (vendored into net/http as
//! `ProxyFromEnvironment`): `FromEnvironment`, `parseProxy`, `config.init`, `useProxy`,
//! `canonicalAddr`. Non-ASCII host names are not IDNA-converted here (Go converts them);
//! such entries are compared as written.

use std::net::IpAddr;

use super::url::GoUrl;
use gomod::strconv::quote as go_quote;

/// The proxy-related process variables, as net/http reads them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HttpProxyVars {
    /// `HTTP_PROXY`, else `http_proxy` (first non-empty).
    pub http_proxy: String,
    /// `HTTPS_PROXY`, else `https_proxy`.
    pub https_proxy: String,
    /// `NO_PROXY`, else `no_proxy`.
    pub no_proxy: String,
    /// `REQUEST_METHOD` is set (CGI): HTTP_PROXY is refused for http URLs.
    pub cgi: bool,
}

impl HttpProxyVars {
    /// Reads the variables through `get` (returns "" for unset).
    pub fn from_vars(get: impl Fn(&str) -> String) -> HttpProxyVars {
        let any = |a: &str, b: &str| {
            let v = get(a);
            if v.is_empty() { get(b) } else { v }
        };
        HttpProxyVars {
            http_proxy: any("HTTP_PROXY", "http_proxy"),
            https_proxy: any("HTTPS_PROXY", "https_proxy"),
            no_proxy: any("NO_PROXY", "no_proxy"),
            cgi: !get("REQUEST_METHOD").is_empty(),
        }
    }
}

/// One NO_PROXY entry as Go interprets it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NoProxyEntry {
    /// `*`: nothing is proxied.
    All,
    /// A CIDR block: matches IP-literal hosts inside it.
    Cidr {
        /// Network address.
        addr: IpAddr,
        /// Prefix length.
        bits: u8,
    },
    /// An IP, optionally with a port.
    Ip {
        /// The address.
        ip: IpAddr,
        /// Required port ("" = any).
        port: String,
    },
    /// A domain suffix `.x.y` (matches subdomains), also matching `x.y` itself if
    /// `match_host`.
    Domain {
        /// Suffix with a leading dot, lowercased.
        suffix: String,
        /// Required port ("" = any).
        port: String,
        /// The entry had no leading dot: the bare host matches too.
        match_host: bool,
    },
}

/// Parsed NO_PROXY.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NoProxy {
    /// Entries Go keeps (malformed ones are dropped silently, as in Go).
    pub entries: Vec<NoProxyEntry>,
}

/// Go's `net.ParseIP` (v4-mapped IPv6 normalised to IPv4, as Go's `IP.Equal` compares them).
pub fn parse_ip(s: &str) -> Option<IpAddr> {
    let ip: IpAddr = s.parse().ok()?;
    Some(normalize(ip))
}

fn normalize(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// Go's `net.SplitHostPort`, returning `None` on error.
pub fn split_host_port(hp: &str) -> Option<(&str, &str)> {
    let i = hp.rfind(':')?;
    let (host, j, k) = if hp.starts_with('[') {
        let end = hp.find(']')?;
        if end + 1 != i {
            return None;
        }
        (&hp[1..end], 1, end + 1)
    } else {
        let host = &hp[..i];
        if host.contains(':') {
            return None;
        }
        (host, 0, 0)
    };
    if hp[j..].contains('[') || hp[k..].contains(']') {
        return None;
    }
    Some((host, &hp[i + 1..]))
}

fn parse_cidr(s: &str) -> Option<(IpAddr, u8)> {
    let (addr, bits) = s.split_once('/')?;
    let ip: IpAddr = addr.parse().ok()?;
    if bits.is_empty() || !bits.bytes().all(|b| b.is_ascii_digit()) || bits.len() > 3 {
        return None;
    }
    let n: u32 = bits.parse().ok()?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    (n <= max).then_some((ip, n as u8))
}

fn cidr_contains(net: IpAddr, bits: u8, ip: IpAddr) -> bool {
    let (net, ip, bits) = match (normalize(net), ip) {
        (IpAddr::V4(n), IpAddr::V4(i)) if net.is_ipv4() => {
            (u32::from(n) as u128, u32::from(i) as u128, bits as u32 + 96)
        }
        (IpAddr::V4(n), IpAddr::V4(i)) => {
            // An IPv6-written v4-mapped network: Go compares in 16-byte form.
            (
                u32::from(n) as u128 | 0xffff_0000_0000,
                u32::from(i) as u128 | 0xffff_0000_0000,
                bits as u32,
            )
        }
        (IpAddr::V6(n), IpAddr::V6(i)) => (u128::from(n), u128::from(i), bits as u32),
        _ => return false,
    };
    let mask = if bits == 0 {
        0
    } else {
        u128::MAX << (128 - bits)
    };
    net & mask == ip & mask
}

impl NoProxy {
    /// Parses NO_PROXY like `config.init`.
    pub fn parse(no_proxy: &str) -> NoProxy {
        let mut entries = Vec::new();
        for p in no_proxy.split(',') {
            let p = p.trim().to_lowercase();
            if p.is_empty() {
                continue;
            }
            if p == "*" {
                return NoProxy {
                    entries: vec![NoProxyEntry::All],
                };
            }
            if let Some((addr, bits)) = parse_cidr(&p) {
                entries.push(NoProxyEntry::Cidr { addr, bits });
                continue;
            }
            let (mut host, port) = match split_host_port(&p) {
                Some((h, port)) => {
                    if h.is_empty() {
                        continue;
                    }
                    (h.to_string(), port.to_string())
                }
                None => (p.clone(), String::new()),
            };
            if host.starts_with('[') && host.ends_with(']') && host.len() >= 2 {
                host = host[1..host.len() - 1].to_string();
            }
            if let Some(ip) = parse_ip(&host) {
                entries.push(NoProxyEntry::Ip { ip, port });
                continue;
            }
            if host.is_empty() {
                continue;
            }
            if host.starts_with("*.") {
                host.remove(0);
            }
            let match_host = !host.starts_with('.');
            if match_host {
                host.insert(0, '.');
            }
            entries.push(NoProxyEntry::Domain {
                suffix: host,
                port,
                match_host,
            });
        }
        NoProxy { entries }
    }

    /// True if NO_PROXY exempts `host` (lowercased) with `port`.
    pub fn matches(&self, host: &str, port: &str) -> bool {
        let ip = parse_ip(host);
        let host = host.trim().to_lowercase();
        for e in &self.entries {
            let hit = match e {
                NoProxyEntry::All => true,
                NoProxyEntry::Cidr { addr, bits } => {
                    ip.is_some_and(|ip| cidr_contains(*addr, *bits, ip))
                }
                NoProxyEntry::Ip { ip: want, port: p } => {
                    ip.is_some_and(|ip| ip == *want) && (p.is_empty() || p == port)
                }
                NoProxyEntry::Domain {
                    suffix,
                    port: p,
                    match_host,
                } => {
                    // Domain entries never match IP-literal hosts (checked against net/http).
                    ip.is_none()
                        && (host.ends_with(suffix.as_str()) || (*match_host && host == suffix[1..]))
                        && (p.is_empty() || p == port)
                }
            };
            if hit {
                return true;
            }
        }
        false
    }
}

/// Which proxy a request goes through.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProxyChoice {
    /// No proxy: connect directly.
    Direct(DirectReason),
    /// Through this proxy.
    Proxy(Box<GoUrl>),
    /// net/http refuses the request (`refusing to use HTTP_PROXY value in CGI environment; ...`).
    Refused(String),
}

/// Why a request is not proxied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DirectReason {
    /// No proxy variable for the URL's scheme (or it was invalid).
    NoProxyConfigured,
    /// `localhost` or a loopback IP: never proxied.
    Loopback,
    /// NO_PROXY matched.
    NoProxyMatch,
    /// The address could not be split (never proxied by Go).
    BadAddress,
}

/// The effective HTTP proxy configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpProxyConfig {
    /// The raw variables.
    pub vars: HttpProxyVars,
    /// Parsed HTTP proxy (None if unset or invalid).
    pub http: Option<GoUrl>,
    /// Parsed HTTPS proxy.
    pub https: Option<GoUrl>,
    /// Errors for proxy values Go silently ignores (`invalid proxy address "…": …`).
    pub errors: Vec<String>,
    /// Parsed NO_PROXY.
    pub no_proxy: NoProxy,
}

/// `parseProxy`: `url.Parse`, retried with `http://` when it fails or lacks scheme or host.
pub fn parse_proxy(proxy: &str) -> Result<Option<GoUrl>, String> {
    if proxy.is_empty() {
        return Ok(None);
    }
    let first = GoUrl::parse(proxy);
    let bogus = match &first {
        Ok(u) => u.scheme.is_empty() || u.host.is_empty(),
        Err(_) => true,
    };
    if let (true, Ok(u)) = (bogus, GoUrl::parse(&format!("http://{proxy}"))) {
        return Ok(Some(u));
    }
    first
        .map(Some)
        .map_err(|e| format!("invalid proxy address {}: {e}", go_quote(proxy)))
}

impl HttpProxyConfig {
    /// Builds the configuration from the variables.
    pub fn new(vars: HttpProxyVars) -> HttpProxyConfig {
        let mut errors = Vec::new();
        let mut parse = |v: &str| match parse_proxy(v) {
            Ok(u) => u,
            Err(e) => {
                errors.push(e);
                None
            }
        };
        let http = parse(&vars.http_proxy);
        let https = parse(&vars.https_proxy);
        let no_proxy = NoProxy::parse(&vars.no_proxy);
        HttpProxyConfig {
            vars,
            http,
            https,
            errors,
            no_proxy,
        }
    }

    /// The proxy net/http uses for `url` (`ProxyFromEnvironment`).
    pub fn proxy_for(&self, url: &GoUrl) -> ProxyChoice {
        let proxy = match url.scheme.as_str() {
            "https" => self.https.as_ref(),
            "http" => {
                if self.http.is_some() && self.vars.cgi {
                    return ProxyChoice::Refused(
                        "refusing to use HTTP_PROXY value in CGI environment; see golang.org/s/cgihttpproxy".into(),
                    );
                }
                self.http.as_ref()
            }
            _ => None,
        };
        let Some(proxy) = proxy else {
            return ProxyChoice::Direct(DirectReason::NoProxyConfigured);
        };
        let (host, port) = hostname_port(&url.host);
        let port = if port.is_empty() {
            match url.scheme.as_str() {
                "http" => "80",
                "https" => "443",
                "socks5" | "socks5h" => "1080",
                _ => "",
            }
        } else {
            port
        };
        if host == "localhost" || parse_ip(host).is_some_and(|ip| ip.is_loopback()) {
            return ProxyChoice::Direct(DirectReason::Loopback);
        }
        if self.no_proxy.matches(host, port) {
            return ProxyChoice::Direct(DirectReason::NoProxyMatch);
        }
        ProxyChoice::Proxy(Box::new(proxy.clone()))
    }
}

/// Go's `URL.Hostname()` and `URL.Port()`.
pub fn hostname_port(host: &str) -> (&str, &str) {
    let (h, p) = match host.rfind(':') {
        Some(i) if host[i + 1..].bytes().all(|b| b.is_ascii_digit()) => {
            (&host[..i], &host[i + 1..])
        }
        _ => (host, ""),
    };
    let h = h
        .strip_prefix('[')
        .and_then(|x| x.strip_suffix(']'))
        .unwrap_or(h);
    (h, p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(http: &str, https: &str, no: &str) -> HttpProxyConfig {
        HttpProxyConfig::new(HttpProxyVars {
            http_proxy: http.into(),
            https_proxy: https.into(),
            no_proxy: no.into(),
            cgi: false,
        })
    }

    fn choice(c: &HttpProxyConfig, url: &str) -> String {
        match c.proxy_for(&GoUrl::parse(url).unwrap()) {
            ProxyChoice::Proxy(u) => u.to_go_string(),
            ProxyChoice::Direct(_) => String::new(),
            ProxyChoice::Refused(e) => format!("error: {e}"),
        }
    }

    #[test]
    fn rules_of_section_1_8() {
        let c = cfg(
            "proxy.example:3128",
            "https://p.example",
            "10.0.0.0/8, .sub.example,plain.example, *.star.example,1.2.3.4:8080,[::5]:443,x.example:8443",
        );
        assert_eq!(choice(&c, "http://a.example/"), "http://proxy.example:3128");
        assert_eq!(choice(&c, "https://a.example/"), "https://p.example");
        assert_eq!(choice(&c, "https://localhost/"), "");
        assert_eq!(choice(&c, "https://127.0.0.2/"), "");
        assert_eq!(choice(&c, "https://[::1]/"), "");
        assert_eq!(choice(&c, "https://10.1.2.3/"), "");
        assert_eq!(choice(&c, "https://11.1.2.3/"), "https://p.example");
        assert_eq!(choice(&c, "https://a.sub.example/"), "");
        assert_eq!(choice(&c, "https://sub.example/"), "https://p.example");
        assert_eq!(choice(&c, "https://plain.example/"), "");
        assert_eq!(choice(&c, "https://x.plain.example/"), "");
        assert_eq!(choice(&c, "https://a.star.example/"), "");
        assert_eq!(choice(&c, "https://star.example/"), "https://p.example");
        assert_eq!(choice(&c, "http://1.2.3.4:8080/"), "");
        assert_eq!(choice(&c, "http://1.2.3.4/"), "http://proxy.example:3128");
        assert_eq!(choice(&c, "https://[::5]/"), "");
        assert_eq!(choice(&c, "https://x.example/"), "https://p.example");
        assert_eq!(choice(&c, "https://x.example:8443/"), "");
        assert_eq!(choice(&c, "https://PLAIN.example/"), "");
        let all = cfg("http://p", "http://p", "a, *");
        assert_eq!(choice(&all, "https://x/"), "");
        let mut cgi = cfg("http://p", "", "");
        cgi.vars.cgi = true;
        assert!(choice(&cgi, "http://x/").starts_with("error: refusing"));
        assert_eq!(choice(&cgi, "https://x/"), "");
    }

    #[test]
    fn env_lookup_order() {
        let v = HttpProxyVars::from_vars(|k| match k {
            "HTTP_PROXY" => "".into(),
            "http_proxy" => "lower".into(),
            "HTTPS_PROXY" => "UPPER".into(),
            "https_proxy" => "lower".into(),
            _ => String::new(),
        });
        assert_eq!(v.http_proxy, "lower");
        assert_eq!(v.https_proxy, "UPPER");
        assert!(!v.cgi);
    }
}
