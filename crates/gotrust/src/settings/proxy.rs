//! GOPROXY list parsing (spec §2.1).
//!
//! Mirrors `proxyList` and the URL checks of `newProxyRepo` in
//! cmd/go/internal/modfetch/proxy.go (Go 1.15+ semantics with `,` and `|`).

use std::fmt;

use super::url::GoUrl;

/// Error text for a list without entries (also for an empty GOPROXY, Go 1.15+).
pub const NO_ENTRIES: &str = "GOPROXY list is not the empty string, but contains no entries";

/// A GOPROXY configuration error, with go's exact text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProxyError {
    /// The list has no entries (or only the implicit `noproxy`).
    #[error("GOPROXY list is not the empty string, but contains no entries")]
    NoEntries,
    /// `url.Parse` failed; `message` is Go's `parse "…": …` text.
    #[error("{message}")]
    BadUrl {
        /// The entry (after any implicit `https://`).
        entry: String,
        /// Go's url.Parse error text.
        message: String,
    },
    /// A `file:` URL with something other than a path.
    #[error("invalid file:// proxy URL with non-path elements: {redacted}")]
    FileNonPath {
        /// The URL with its password redacted.
        redacted: String,
    },
    /// No scheme (e.g. an absolute path `/srv/goproxy`, or a bare word like `noproxy`).
    #[error("invalid proxy URL missing scheme: {redacted}")]
    MissingScheme {
        /// The URL with its password redacted.
        redacted: String,
    },
    /// A scheme other than https, http, file.
    #[error("invalid proxy URL scheme (must be https, http, file): {redacted}")]
    BadScheme {
        /// The URL with its password redacted.
        redacted: String,
    },
}

/// When the go command moves on to the next entry after this one fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Fallback {
    /// Followed by `,` (or last): only after a 404/410-class error.
    OnNotFound,
    /// Followed by `|`: after any error.
    OnAnyError,
}

/// What one list entry is.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProxyKind {
    /// The implicit first entry when GONOPROXY is non-empty and GOPROXY != `direct`:
    /// modules matching GONOPROXY are fetched directly from their VCS.
    NoProxy,
    /// `direct`: fetch from the VCS.
    Direct,
    /// `off`: fail.
    Off,
    /// A proxy URL.
    Url {
        /// The URL as cmd/go uses it (with `https://` prepended if it was implicit).
        url: String,
        /// Go's parse of `url`.
        parsed: Box<GoUrl>,
        /// True if cmd/go prepended `https://`.
        implicit_https: bool,
    },
}

/// One entry with its fallback mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyEntry {
    /// The entry.
    pub kind: ProxyKind,
    /// How failures of this entry are handled.
    pub fallback: Fallback,
}

impl ProxyEntry {
    /// The URL with credentials redacted, or the keyword (`noproxy`, `direct`, `off`).
    pub fn display(&self) -> String {
        match &self.kind {
            ProxyKind::NoProxy => "noproxy".into(),
            ProxyKind::Direct => "direct".into(),
            ProxyKind::Off => "off".into(),
            ProxyKind::Url { parsed, .. } => parsed.redacted(),
        }
    }
}

impl fmt::Display for ProxyEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display())
    }
}

/// A parsed GOPROXY list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyList {
    /// Entries in order (including a leading `noproxy` when it applies).
    pub entries: Vec<ProxyEntry>,
    /// Raw text after `direct` or `off`, which cmd/go never reads (not validated).
    pub ignored: String,
}

impl ProxyList {
    /// Parses GOPROXY given the effective GONOPROXY (Unix path rules for "absolute path").
    pub fn parse(goproxy: &str, gonoproxy: &str) -> Result<ProxyList, ProxyError> {
        let mut entries = Vec::new();
        if !gonoproxy.is_empty() && goproxy != "direct" {
            entries.push(ProxyEntry {
                kind: ProxyKind::NoProxy,
                fallback: Fallback::OnNotFound,
            });
        }
        let mut rest = goproxy;
        let mut ignored = String::new();
        while !rest.is_empty() {
            let (item, fallback) = match rest.find([',', '|']) {
                Some(i) => {
                    let any = rest.as_bytes()[i] == b'|';
                    let item = &rest[..i];
                    rest = &rest[i + 1..];
                    (
                        item,
                        if any {
                            Fallback::OnAnyError
                        } else {
                            Fallback::OnNotFound
                        },
                    )
                }
                None => (std::mem::take(&mut rest), Fallback::OnNotFound),
            };
            let item = item.trim();
            if item.is_empty() {
                continue;
            }
            if item == "off" || item == "direct" {
                entries.push(ProxyEntry {
                    kind: if item == "off" {
                        ProxyKind::Off
                    } else {
                        ProxyKind::Direct
                    },
                    fallback,
                });
                ignored = rest.to_string();
                break;
            }
            let implicit =
                item.contains(['.', ':', '/']) && !item.contains(":/") && !item.starts_with('/');
            let url = if implicit {
                format!("https://{item}")
            } else {
                item.to_string()
            };
            let parsed = validate(&url)?;
            entries.push(ProxyEntry {
                kind: ProxyKind::Url {
                    url,
                    parsed: Box::new(parsed),
                    implicit_https: implicit,
                },
                fallback,
            });
        }
        if entries.is_empty() || (entries.len() == 1 && entries[0].kind == ProxyKind::NoProxy) {
            return Err(ProxyError::NoEntries);
        }
        Ok(ProxyList { entries, ignored })
    }

    /// True if some entry is a plain-HTTP URL.
    pub fn has_plain_http(&self) -> bool {
        self.entries
            .iter()
            .any(|e| matches!(&e.kind, ProxyKind::Url { parsed, .. } if parsed.scheme == "http"))
    }
}

/// `newProxyRepo`'s URL checks.
fn validate(url: &str) -> Result<GoUrl, ProxyError> {
    let u = GoUrl::parse(url).map_err(|e| ProxyError::BadUrl {
        entry: url.to_string(),
        message: e.message,
    })?;
    match u.scheme.as_str() {
        "http" | "https" => Ok(u),
        "file" => {
            let only_path = u.opaque.is_empty()
                && u.userinfo.is_none()
                && u.host.is_empty()
                && !u.omit_host
                && !u.force_query
                && u.raw_query.is_empty()
                && u.fragment.is_empty()
                && u.raw_fragment_input.is_empty();
            if only_path {
                Ok(u)
            } else {
                Err(ProxyError::FileNonPath {
                    redacted: u.redacted(),
                })
            }
        }
        "" => Err(ProxyError::MissingScheme {
            redacted: u.redacted(),
        }),
        _ => Err(ProxyError::BadScheme {
            redacted: u.redacted(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(g: &str, np: &str) -> Result<Vec<String>, String> {
        ProxyList::parse(g, np)
            .map(|l| {
                l.entries
                    .iter()
                    .map(|e| {
                        let any = if e.fallback == Fallback::OnAnyError {
                            "|"
                        } else {
                            ""
                        };
                        format!("{}{any}", e.display())
                    })
                    .collect()
            })
            .map_err(|e| e.to_string())
    }

    /// The table of spec §2.1.
    #[test]
    fn spec_table() {
        let ok = |g: &str, np: &str, want: &[&str]| {
            assert_eq!(
                show(g, np),
                Ok(want.iter().map(|s| s.to_string()).collect()),
                "{g:?}"
            )
        };
        ok(
            "https://proxy.golang.org,direct",
            "",
            &["https://proxy.golang.org", "direct"],
        );
        ok(
            "https://a.example|https://b.example,direct",
            "",
            &["https://a.example|", "https://b.example", "direct"],
        );
        ok("proxy.example.com", "", &["https://proxy.example.com"]);
        ok("localhost:3000", "", &["https://localhost:3000"]);
        ok("direct,https://proxy.golang.org", "", &["direct"]);
        ok(
            "https://x.example,off,direct",
            "",
            &["https://x.example", "off"],
        );
        ok(
            " https://x.example , direct ",
            "",
            &["https://x.example", "direct"],
        );
        ok("direct", "corp.example.com", &["direct"]);
        ok(
            "https://x.example",
            "corp.example.com",
            &["noproxy", "https://x.example"],
        );
        ok("off", "*.corp", &["noproxy", "off"]);
        ok("file:///srv/goproxy", "", &["file:///srv/goproxy"]);
        for g in [",", " ", ",,|", ""] {
            assert_eq!(show(g, ""), Err(NO_ENTRIES.to_string()), "{g:?}");
            assert_eq!(show(g, "x"), Err(NO_ENTRIES.to_string()), "{g:?}");
        }
        let err = |g: &str, want: &str| assert_eq!(show(g, ""), Err(want.to_string()), "{g:?}");
        err(
            "/srv/goproxy",
            "invalid proxy URL missing scheme: /srv/goproxy",
        );
        err(
            "file://localhost/srv",
            "invalid file:// proxy URL with non-path elements: file://localhost/srv",
        );
        err(
            "ftp://x.example",
            "invalid proxy URL scheme (must be https, http, file): ftp://x.example",
        );
        err("noproxy", "invalid proxy URL missing scheme: noproxy");
        err("Direct", "invalid proxy URL missing scheme: Direct");
        err(
            "https://a b",
            "parse \"https://a b\": invalid character \" \" in host name",
        );
        err(
            "ftp://u:secret@x.example",
            "invalid proxy URL scheme (must be https, http, file): ftp://u:xxxxx@x.example",
        );
    }

    #[test]
    fn ignored_tail_and_fallback() {
        let l = ProxyList::parse("https://a.example|direct|garbage ftp://", "").unwrap();
        assert_eq!(l.ignored, "garbage ftp://");
        assert_eq!(l.entries[0].fallback, Fallback::OnAnyError);
        assert_eq!(l.entries[1].kind, ProxyKind::Direct);
        let l = ProxyList::parse("http://a.example", "").unwrap();
        assert!(l.has_plain_http());
    }
}
