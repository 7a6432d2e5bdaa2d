//! The typed failure of one HTTP exchange.
//!
//! Mirrors the error texts of `cmd/go/internal/web` (api.go `HTTPError`, http.go's redirect
//! policy) and of `net/http`'s `url.Error` (`Get "⟨url⟩": ⟨err⟩`), so messages read like go's.
//! The split into kinds follows what GOPROXY fallback needs (cmd/go/internal/modfetch/proxy.go
//! `TryProxies`, which moves on only after `errNotFound`-class errors): a
//! not-found-class answer (404/410) lets a `,` walk continue, anything else stops it.

use serde::Serialize;

/// Why one fetch failed. `url` is always redacted (password replaced by `xxxxx`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[error("{}", self.go_text())]
pub struct FetchError {
    /// The redacted URL the failure is about (for redirect failures, the redirect target, as
    /// net/http reports it).
    pub url: String,
    /// What went wrong.
    pub kind: FetchErrorKind,
}

/// The kinds of fetch failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum FetchErrorKind {
    /// 404 Not Found or 410 Gone: go's "not found class" (`TryProxies`).
    NotFound {
        /// The HTTP status code (404 or 410).
        status: u16,
        /// The status line text after the code (`Not Found`, `Gone`).
        reason: String,
        /// go's excerpt of a `text/plain` body (web/api.go `formatErrorDetail`), if any.
        server_message: Option<String>,
    },
    /// Any other non-200 status.
    Status {
        /// The HTTP status code.
        status: u16,
        /// The status line text after the code.
        reason: String,
        /// go's excerpt of a `text/plain` body (web/api.go `formatErrorDetail`), if any.
        server_message: Option<String>,
    },
    /// DNS, TCP, HTTP protocol or proxy failure.
    Transport {
        /// The underlying error chain, flattened.
        detail: String,
        /// The closest text go prints for the same failure (`dial tcp …: connect: connection
        /// refused`, `dial tcp: lookup ⟨host⟩: no such host`), when known.
        go_text: Option<String>,
    },
    /// The TLS handshake failed (certificate verification, protocol).
    Tls {
        /// The rustls error text.
        detail: String,
        /// The closest text go prints for the same failure (`x509: …`), when known.
        go_text: Option<String>,
    },
    /// A timeout elapsed.
    Timeout {
        /// Which timeout.
        phase: TimeoutPhase,
    },
    /// The body was longer than the cap for this kind of resource.
    TooLarge {
        /// The cap in bytes; the body had more than this.
        limit: u64,
    },
    /// The redirect limit was reached (`stopped after 10 redirects`) or a redirect was unusable.
    Redirect {
        /// go's text for the failure.
        detail: String,
    },
    /// An https request was redirected to a non-https URL, which go refuses.
    InsecureRedirect {
        /// The last hop before the refused redirect (redacted).
        from: String,
        /// The refused target (redacted).
        to: String,
    },
    /// `http://user:pass@…`: go refuses to send credentials in clear text.
    InsecureCredentials,
    /// The URL scheme is not http, https or file.
    UnsupportedScheme,
    /// Reading a `file://` URL or writing the body to its sink failed.
    Io {
        /// The I/O error text.
        detail: String,
    },
}

/// Which timeout fired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeoutPhase {
    /// Establishing the TCP (or proxy) connection.
    Connect,
    /// Waiting for the response head or the next piece of the body.
    Read,
    /// The whole exchange took longer than the overall limit.
    Overall,
}

impl FetchError {
    /// Builds an error for `url` (which must already be redacted).
    pub fn new(url: impl Into<String>, kind: FetchErrorKind) -> Self {
        FetchError {
            url: url.into(),
            kind,
        }
    }

    /// True for go's "not found class" (404 and 410), the only errors after which a
    /// `,`-separated GOPROXY list moves on to its next entry.
    pub fn is_not_found(&self) -> bool {
        matches!(self.kind, FetchErrorKind::NotFound { .. })
    }

    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        match &self.kind {
            FetchErrorKind::NotFound { status, .. } | FetchErrorKind::Status { status, .. } => {
                Some(*status)
            }
            _ => None,
        }
    }

    /// The text go prints for this failure.
    pub fn go_text(&self) -> String {
        let url = &self.url;
        match &self.kind {
            FetchErrorKind::NotFound {
                status,
                reason,
                server_message,
            }
            | FetchErrorKind::Status {
                status,
                reason,
                server_message,
            } => {
                let status_line = if reason.is_empty() {
                    status.to_string()
                } else {
                    format!("{status} {reason}")
                };
                match server_message {
                    Some(detail) if !detail.is_empty() => {
                        let sep = if detail.contains('\n') { "\n\t" } else { " " };
                        format!("reading {url}: {status_line}\n\tserver response:{sep}{detail}")
                    }
                    _ => format!("reading {url}: {status_line}"),
                }
            }
            FetchErrorKind::Transport { detail, go_text } => {
                format!("Get \"{url}\": {}", go_text.as_deref().unwrap_or(detail))
            }
            FetchErrorKind::Tls { detail, go_text } => {
                format!("Get \"{url}\": {}", go_text.as_deref().unwrap_or(detail))
            }
            FetchErrorKind::Timeout { phase } => {
                let what = match phase {
                    TimeoutPhase::Connect => "dial tcp: i/o timeout",
                    TimeoutPhase::Read => "read: i/o timeout",
                    TimeoutPhase::Overall => {
                        "context deadline exceeded (Client.Timeout exceeded while awaiting headers)"
                    }
                };
                format!("Get \"{url}\": {what}")
            }
            FetchErrorKind::TooLarge { limit } => {
                format!("reading {url}: response body larger than {limit} bytes")
            }
            FetchErrorKind::Redirect { detail } => format!("Get \"{url}\": {detail}"),
            FetchErrorKind::InsecureRedirect { from, to } => {
                format!("Get \"{url}\": redirected from secure URL {from} to insecure URL {to}")
            }
            FetchErrorKind::InsecureCredentials => {
                format!("refusing to pass credentials to insecure URL: {url}")
            }
            FetchErrorKind::UnsupportedScheme => format!("unsupported scheme: {url}"),
            FetchErrorKind::Io { detail } => format!("reading {url}: {detail}"),
        }
    }
}

/// go's excerpt of an error body (cmd/go/internal/web api.go `formatErrorDetail`): the body up
/// to its first blank line, at most 8 lines and 648 bytes, lines joined with `\n\t`; nothing
/// at all when the text is not UTF-8 or contains a character that is neither graphic nor space
/// (so a server cannot drive the user's terminal).
pub fn format_error_detail(body: &[u8]) -> Option<String> {
    const MAX_LINES: usize = 8;
    const MAX_BYTES: usize = MAX_LINES * 81;
    let s = std::str::from_utf8(body).ok()?;
    if s.chars().any(|c| !is_graphic(c) && !c.is_whitespace()) {
        return None;
    }
    let mut out = String::new();
    for (i, line) in s.split('\n').enumerate() {
        if line.trim().is_empty() {
            break;
        }
        if i > 0 {
            out.push_str("\n\t");
        }
        if i >= MAX_LINES {
            out.push_str("[Truncated: too many lines.]");
            break;
        }
        if out.len() + line.len() > MAX_BYTES {
            out.push_str("[Truncated: too long.]");
            break;
        }
        out.push_str(line);
    }
    if out.is_empty() { None } else { Some(out) }
}

/// The part of a body go keeps for the excerpt: the first 9 lines (go's buffer stops after
/// more than 8 complete lines), capped so a hostile server cannot make us hold much.
pub(crate) fn error_detail_prefix(body: &[u8]) -> &[u8] {
    let mut lines = 0;
    for (i, b) in body.iter().enumerate() {
        if *b == b'\n' {
            lines += 1;
            if lines > 8 {
                return &body[..=i];
            }
        }
    }
    body
}

/// Approximates Go's `unicode.IsGraphic` for the characters a server can send: letters, marks,
/// numbers, punctuation, symbols and the ASCII space. Control and format characters (C0, C1,
/// bidi overrides, zero-width joiners) are not graphic.
fn is_graphic(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() {
        return false;
    }
    // Unicode category Cf (format) and Zl/Zp separators, the ones a terminal attack would use.
    !matches!(c,
        '\u{00AD}' | '\u{0600}'..='\u{0605}' | '\u{061C}' | '\u{06DD}' | '\u{070F}'
        | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}' | '\u{FEFF}'
        | '\u{FFF9}'..='\u{FFFB}' | '\u{E0001}' | '\u{E0020}'..='\u{E007F}')
        && !c.is_whitespace()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detail_single_line() {
        assert_eq!(
            format_error_detail(b"not found: fetch timed out\n").as_deref(),
            Some("not found: fetch timed out")
        );
    }

    #[test]
    fn detail_stops_at_blank_line_and_limits_lines() {
        assert_eq!(
            format_error_detail(b"a\nb\n\nc\n").as_deref(),
            Some("a\n\tb")
        );
        let nine = b"1\n2\n3\n4\n5\n6\n7\n8\n9\n";
        assert_eq!(
            format_error_detail(nine).as_deref(),
            Some("1\n\t2\n\t3\n\t4\n\t5\n\t6\n\t7\n\t8\n\t[Truncated: too many lines.]")
        );
        let long = "x".repeat(700);
        assert_eq!(
            format_error_detail(long.as_bytes()).as_deref(),
            Some("[Truncated: too long.]")
        );
    }

    #[test]
    fn detail_refuses_terminal_escapes_and_bad_utf8() {
        assert_eq!(format_error_detail(b"evil \x1b[2J\n"), None);
        assert_eq!(format_error_detail(b"\xff\xfe"), None);
        assert_eq!(format_error_detail("rtl \u{202E}x".as_bytes()), None);
        // Tabs and carriage returns are spaces, so they are kept.
        assert_eq!(format_error_detail(b"a\tb\r\n").as_deref(), Some("a\tb\r"));
    }

    #[test]
    fn status_text_like_go() {
        let e = FetchError::new(
            "https://p.example/m/@v/list",
            FetchErrorKind::NotFound {
                status: 410,
                reason: "Gone".into(),
                server_message: Some("not found: x".into()),
            },
        );
        assert_eq!(
            e.to_string(),
            "reading https://p.example/m/@v/list: 410 Gone\n\tserver response: not found: x"
        );
        assert!(e.is_not_found());
        let e = FetchError::new(
            "https://p.example/x",
            FetchErrorKind::Status {
                status: 503,
                reason: "Service Unavailable".into(),
                server_message: Some("a\n\tb".into()),
            },
        );
        assert_eq!(
            e.to_string(),
            "reading https://p.example/x: 503 Service Unavailable\n\tserver response:\n\ta\n\tb"
        );
        assert!(!e.is_not_found());
    }
}
