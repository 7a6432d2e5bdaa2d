//! A faithful subset of Go's `net/url.Parse`, `URL.String` and `URL.Redacted`.
//!
//! GOPROXY and GOSUMDB validation report Go's url.Parse error texts verbatim and print
//! redacted URLs, so we need Go's exact parser, not a WHATWG one. Mirrors src/net/url/url.go
//! (`Parse`, `parse`, `getScheme`, `parseAuthority`, `parseHost`, `unescape`, `shouldEscape`,
//! `String`). Tested against the real url.Parse through the oracle (`urlparse`).

use gomod::strconv::{quote, quote_bytes};

/// A parsed URL with Go's field semantics (unescaped `host`, `path`, `fragment`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GoUrl {
    /// Lowercased scheme.
    pub scheme: String,
    /// Opaque part (`scheme:opaque`).
    pub opaque: String,
    /// Userinfo as written (still escaped), if any.
    pub userinfo: Option<String>,
    /// Host (and port), unescaped.
    pub host: String,
    /// Path, unescaped.
    pub path: String,
    /// The path as written.
    pub raw_path_input: String,
    /// `scheme:/path` (no `//`).
    pub omit_host: bool,
    /// A trailing `?` with no query.
    pub force_query: bool,
    /// Query as written.
    pub raw_query: String,
    /// Fragment, unescaped.
    pub fragment: String,
    /// Fragment as written.
    pub raw_fragment_input: String,
}

/// A `url.Parse` failure; `Display` is Go's full `parse "…": …` text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct UrlError {
    /// The input.
    pub input: String,
    /// Go's error text.
    pub message: String,
}

/// Go's `*url.Error` text for Parse: `parse "⟨url⟩": ⟨reason⟩`.
pub fn parse_error(url: &str, reason: &str) -> String {
    format!("parse {}: {reason}", quote(url))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Path,
    Host,
    Zone,
    UserPassword,
    Fragment,
}

fn should_escape(c: u8, mode: Mode) -> bool {
    if c.is_ascii_alphanumeric() {
        return false;
    }
    if (mode == Mode::Host || mode == Mode::Zone)
        && matches!(
            c,
            b'!' | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b':'
                | b'['
                | b']'
                | b'<'
                | b'>'
                | b'"'
        )
    {
        return false;
    }
    match c {
        b'-' | b'_' | b'.' | b'~' => return false,
        b'$' | b'&' | b'+' | b',' | b'/' | b':' | b';' | b'=' | b'?' | b'@' => {
            return match mode {
                Mode::Path => c == b'?',
                Mode::UserPassword => matches!(c, b'@' | b'/' | b'?' | b':'),
                Mode::Fragment => false,
                Mode::Host | Mode::Zone => true,
            };
        }
        _ => {}
    }
    if mode == Mode::Fragment && matches!(c, b'!' | b'(' | b')' | b'*') {
        return false;
    }
    true
}

fn unhex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

/// Go's `unescape`: error is the reason text (`invalid URL escape "%zz"`, `invalid character
/// " " in host name`).
fn unescape(s: &str, mode: Mode) -> Result<String, String> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                if i + 2 >= b.len() || unhex(b[i + 1]).is_none() || unhex(b[i + 2]).is_none() {
                    let end = (i + 3).min(b.len());
                    return Err(format!("invalid URL escape {}", quote_bytes(&b[i..end])));
                }
                if mode == Mode::Host
                    && unhex(b[i + 1]).is_some_and(|h| h < 8)
                    && &s[i..i + 3] != "%25"
                {
                    return Err(format!("invalid URL escape {}", quote(&s[i..i + 3])));
                }
                if mode == Mode::Zone {
                    // Escapes in a zone may only produce bytes allowed in a host (or a space).
                    let v = unhex(b[i + 1]).unwrap_or(0) << 4 | unhex(b[i + 2]).unwrap_or(0);
                    if &s[i..i + 3] != "%25" && v != b' ' && should_escape(v, Mode::Host) {
                        return Err(format!("invalid URL escape {}", quote(&s[i..i + 3])));
                    }
                }
                i += 3;
            }
            c => {
                if (mode == Mode::Host || mode == Mode::Zone) && c < 0x80 && should_escape(c, mode)
                {
                    return Err(format!(
                        "invalid character {} in host name",
                        quote(&(c as char).to_string())
                    ));
                }
                i += 1;
            }
        }
    }
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            out.push(unhex(b[i + 1]).unwrap_or(0) << 4 | unhex(b[i + 2]).unwrap_or(0));
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

fn escape(s: &str, mode: Mode) -> String {
    let mut out = String::with_capacity(s.len());
    for &c in s.as_bytes() {
        if should_escape(c, mode) {
            out.push_str(&format!("%{c:02X}"));
        } else {
            out.push(c as char);
        }
    }
    out
}

/// Go's `validEncoded`: `s` may be kept as the escaped form.
fn valid_encoded(s: &str, mode: Mode) -> bool {
    s.bytes().all(|c| {
        matches!(
            c,
            b'!' | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b':'
                | b'@'
                | b'['
                | b']'
                | b'%'
        ) || !should_escape(c, mode)
    })
}

fn valid_optional_port(p: &str) -> bool {
    p.is_empty() || (p.starts_with(':') && p[1..].bytes().all(|b| b.is_ascii_digit()))
}

/// Go 1.26 `parseHost`: bracketed hosts must be IPv6 literals; for http/https every byte
/// after the first colon must be the port (GODEBUG urlstrictcolons=1, the default).
fn parse_host(scheme: &str, host: &str) -> Result<String, String> {
    match host.rfind('[') {
        Some(i) if i > 0 => Err("invalid IP-literal".into()),
        Some(_) => {
            let Some(close) = host.rfind(']') else {
                return Err("missing ']' in host".into());
            };
            let port = &host[close + 1..];
            if !valid_optional_port(port) {
                return Err(format!("invalid port {} after host", quote(port)));
            }
            let port = unescape(port, Mode::Host)?;
            let name = &host[1..close];
            let unescaped = match name.find("%25") {
                Some(z) => {
                    let h = unescape(&name[..z], Mode::Host)?;
                    let zone = unescape(&name[z..], Mode::Zone)?;
                    h + &zone
                }
                None => unescape(name, Mode::Host)?,
            };
            let addr =
                super::netip::parse_addr(&unescaped).map_err(|e| format!("invalid host: {e}"))?;
            if addr.is4 {
                return Err("invalid IP-literal".into());
            }
            Ok(format!("[{unescaped}]{port}"))
        }
        None => {
            if let Some(first) = host.find(':') {
                let i = if scheme == "http" || scheme == "https" {
                    first
                } else {
                    host.rfind(':').unwrap_or(first)
                };
                let port = &host[i..];
                if !valid_optional_port(port) {
                    return Err(format!("invalid port {} after host", quote(port)));
                }
            }
            unescape(host, Mode::Host)
        }
    }
}

fn valid_userinfo(s: &str) -> bool {
    s.bytes().all(|c| {
        c.is_ascii_alphanumeric()
            || matches!(
                c,
                b'-' | b'.'
                    | b'_'
                    | b':'
                    | b'~'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b'%'
                    | b'@'
            )
    })
}

impl GoUrl {
    /// Go's `url.Parse`.
    pub fn parse(raw: &str) -> Result<GoUrl, UrlError> {
        let fail = |input: &str, reason: String| UrlError {
            input: raw.to_string(),
            message: parse_error(input, &reason),
        };
        let (u, frag) = match raw.split_once('#') {
            Some((u, f)) => (u, Some(f)),
            None => (raw, None),
        };
        let mut url = Self::parse_no_frag(u).map_err(|e| fail(u, e))?;
        if let Some(f) = frag.filter(|f| !f.is_empty()) {
            url.fragment = unescape(f, Mode::Fragment).map_err(|e| fail(raw, e))?;
            url.raw_fragment_input = f.to_string();
        }
        Ok(url)
    }

    fn parse_no_frag(raw: &str) -> Result<GoUrl, String> {
        if raw.bytes().any(|b| b < 0x20 || b == 0x7f) {
            return Err("net/url: invalid control character in URL".into());
        }
        let mut url = GoUrl::default();
        if raw == "*" {
            url.path = "*".into();
            url.raw_path_input = "*".into();
            return Ok(url);
        }
        let (scheme, mut rest) = get_scheme(raw)?;
        url.scheme = scheme.to_ascii_lowercase();
        if rest.ends_with('?') && rest.matches('?').count() == 1 {
            url.force_query = true;
            rest = &rest[..rest.len() - 1];
        } else if let Some((r, q)) = rest.split_once('?') {
            url.raw_query = q.to_string();
            rest = r;
        }
        if !rest.starts_with('/') {
            if !url.scheme.is_empty() {
                url.opaque = rest.to_string();
                return Ok(url);
            }
            let segment = rest.split('/').next().unwrap_or("");
            if segment.contains(':') {
                return Err("first path segment in URL cannot contain colon".into());
            }
        }
        if (!url.scheme.is_empty() || !rest.starts_with("///")) && rest.starts_with("//") {
            let mut authority = &rest[2..];
            rest = "";
            if let Some(i) = authority.find('/') {
                rest = &authority[i..];
                authority = &authority[..i];
            }
            let (ui, host) = match authority.rfind('@') {
                Some(i) => (Some(&authority[..i]), &authority[i + 1..]),
                None => (None, authority),
            };
            url.host = parse_host(&url.scheme, host)?;
            if let Some(ui) = ui {
                if !valid_userinfo(ui) {
                    return Err("net/url: invalid userinfo".into());
                }
                let (user, pass) = match ui.split_once(':') {
                    Some((u, p)) => (u, Some(p)),
                    None => (ui, None),
                };
                unescape(user, Mode::UserPassword)?;
                if let Some(p) = pass {
                    unescape(p, Mode::UserPassword)?;
                }
                url.userinfo = Some(ui.to_string());
            }
        } else if !url.scheme.is_empty() && rest.starts_with('/') {
            url.omit_host = true;
        }
        url.path = unescape(rest, Mode::Path)?;
        url.raw_path_input = rest.to_string();
        Ok(url)
    }

    /// The unescaped user name ("" without userinfo).
    pub fn username(&self) -> String {
        let ui = self.userinfo.as_deref().unwrap_or("");
        let user = ui.split_once(':').map_or(ui, |(u, _)| u);
        unescape(user, Mode::UserPassword).unwrap_or_default()
    }

    /// True if the URL has userinfo with a password.
    pub fn has_password(&self) -> bool {
        self.userinfo.as_deref().is_some_and(|u| u.contains(':'))
    }

    /// Go's `URL.String()`.
    pub fn to_go_string(&self) -> String {
        self.render(false)
    }

    /// Go's `URL.Redacted()`: the password replaced by `xxxxx`.
    pub fn redacted(&self) -> String {
        self.render(true)
    }

    /// Go's `Userinfo.String()`: user and password unescaped then re-escaped; with `redact`
    /// the password becomes `xxxxx`.
    fn userinfo_string(&self, redact: bool) -> Option<String> {
        let ui = self.userinfo.as_deref()?;
        let esc = |s: &str| {
            escape(
                &unescape(s, Mode::UserPassword).unwrap_or_default(),
                Mode::UserPassword,
            )
        };
        Some(match ui.split_once(':') {
            Some((u, _)) if redact => format!("{}:xxxxx", esc(u)),
            Some((u, p)) => format!("{}:{}", esc(u), esc(p)),
            None => esc(ui),
        })
    }

    fn escaped_path(&self) -> String {
        if valid_encoded(&self.raw_path_input, Mode::Path)
            && unescape(&self.raw_path_input, Mode::Path).ok().as_deref() == Some(&self.path)
        {
            return self.raw_path_input.clone();
        }
        if self.path == "*" {
            return "*".into();
        }
        escape(&self.path, Mode::Path)
    }

    fn render(&self, redact: bool) -> String {
        let mut buf = String::new();
        if !self.scheme.is_empty() {
            buf.push_str(&self.scheme);
            buf.push(':');
        }
        if !self.opaque.is_empty() {
            buf.push_str(&self.opaque);
        } else {
            let has_authority =
                !self.scheme.is_empty() || !self.host.is_empty() || self.userinfo.is_some();
            let omitted = self.omit_host && self.host.is_empty() && self.userinfo.is_none();
            if has_authority && !omitted {
                if !self.host.is_empty() || !self.path.is_empty() || self.userinfo.is_some() {
                    buf.push_str("//");
                }
                if let Some(ui) = self.userinfo_string(redact) {
                    buf.push_str(&ui);
                    buf.push('@');
                }
                buf.push_str(&escape(&self.host, Mode::Host));
            }
            let path = self.escaped_path();
            if !path.is_empty() && !path.starts_with('/') && !self.host.is_empty() {
                buf.push('/');
            }
            if buf.is_empty() && path.split('/').next().is_some_and(|s| s.contains(':')) {
                buf.push_str("./");
            }
            buf.push_str(&path);
        }
        if self.force_query || !self.raw_query.is_empty() {
            buf.push('?');
            buf.push_str(&self.raw_query);
        }
        if !self.fragment.is_empty() {
            buf.push('#');
            if valid_encoded(&self.raw_fragment_input, Mode::Fragment) {
                buf.push_str(&self.raw_fragment_input);
            } else {
                buf.push_str(&escape(&self.fragment, Mode::Fragment));
            }
        }
        buf
    }
}

fn get_scheme(raw: &str) -> Result<(&str, &str), String> {
    for (i, c) in raw.bytes().enumerate() {
        match c {
            b'a'..=b'z' | b'A'..=b'Z' => {}
            b'0'..=b'9' | b'+' | b'-' | b'.' => {
                if i == 0 {
                    return Ok(("", raw));
                }
            }
            b':' => {
                if i == 0 {
                    return Err("missing protocol scheme".into());
                }
                return Ok((&raw[..i], &raw[i + 1..]));
            }
            _ => return Ok(("", raw)),
        }
    }
    Ok(("", raw))
}

impl GoUrl {
    /// Go's `fmt.Sprintf("%+v", url.URL{...})` for this URL (Go 1.26 field order), used in
    /// the sumdb name error text.
    pub fn go_dump(&self) -> String {
        let raw_path = if escape(&self.path, Mode::Path) == self.raw_path_input {
            ""
        } else {
            self.raw_path_input.as_str()
        };
        let raw_fragment = if escape(&self.fragment, Mode::Fragment) == self.raw_fragment_input {
            ""
        } else {
            self.raw_fragment_input.as_str()
        };
        format!(
            "{{Scheme:{} Opaque:{} User:{} Host:{} Path:{} Fragment:{} RawQuery:{} RawPath:{} RawFragment:{} ForceQuery:{} OmitHost:{}}}",
            self.scheme,
            self.opaque,
            self.userinfo_string(false).unwrap_or_default(),
            self.host,
            self.path,
            self.fragment,
            self.raw_query,
            raw_path,
            raw_fragment,
            self.force_query,
            self.omit_host
        )
    }
}

impl GoUrl {
    /// True if Go's `RawPath` is empty (the path as written is its default escaping).
    pub fn escaped_path_is_raw(&self) -> bool {
        // The URL `*` is special-cased by Go and never gets a RawPath.
        (self.path == "*" && self.raw_path_input == "*")
            || escape(&self.path, Mode::Path) == self.raw_path_input
    }
}
