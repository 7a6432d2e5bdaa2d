//! The GOPROXY list and go's walk over it: the one model of both in gotrust.
//!
//! * Parsing mirrors `proxyList` and the URL checks of `newProxyRepo` in
//!   cmd/go/internal/modfetch/proxy.go (Go 1.15+ semantics with `,` and `|`, golang/go#37367).
//! * [`ProxyEntry`] is one entry (`noproxy`, `direct`, `off` or a URL, and whether a `|`
//!   follows it): the one model of an entry, which the parser, the network walk
//!   ([`crate::net::goproxy`]) and the route planner ([`crate::route`]) share.
//! * [`TryProxies`] is `TryProxies` of the same file as a pure state machine: the caller runs
//!   the operation on each entry (over the network in [`crate::net::goproxy`], against
//!   predicted answers in [`crate::route`]) and reports the result; the machine says whether
//!   the walk goes on and which error go reports at the end. Both users share it, so the
//!   fallback rule and the error ranking exist once.

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

/// What one list entry is (go knows exactly these four).
#[derive(Debug, Clone, PartialEq, Eq)]
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
    /// A proxy URL entry, checked as go checks a GOPROXY URL (`newProxyRepo`); the URL is
    /// used as written (no `https://` is prepended).
    pub fn url(url: &str, fallback: Fallback) -> Result<ProxyEntry, ProxyError> {
        let parsed = validate(url)?;
        Ok(ProxyEntry {
            kind: ProxyKind::Url {
                url: url.to_owned(),
                parsed: Box::new(parsed),
                implicit_https: false,
            },
            fallback,
        })
    }

    /// The URL as cmd/go uses it, for a proxy URL entry.
    pub fn url_str(&self) -> Option<&str> {
        match &self.kind {
            ProxyKind::Url { url, .. } => Some(url),
            _ => None,
        }
    }

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

/// The rank `TryProxies` gives an error when choosing the one to report ("direct" and
/// "noproxy" errors are best, then proxy errors other than not-found, then not-found).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ErrorRank {
    /// A not-found-class error (404/410, `GOPROXY=off`, refusals for GONOPROXY paths).
    NotExist,
    /// Another error from a proxy.
    Proxy,
    /// An error from `direct`, or from `noproxy` other than its "use a proxy" refusal.
    Direct,
}

/// How an entry's attempt failed, as `TryProxies` classifies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failure {
    /// `errors.Is(err, fs.ErrNotExist)`.
    pub not_found: bool,
    /// The entry is `direct`, or `noproxy` and the error is not `errUseProxy` (the refusal of
    /// a path that does not match GONOPROXY, which never outranks other errors).
    pub direct_class: bool,
    /// The entry is followed by `|`.
    pub fall_back_on_any_error: bool,
}

impl Failure {
    /// The failure of `entry` with an error of the given class. `use_proxy_refusal` is true
    /// for `noproxy`'s `errUseProxy`.
    pub fn of(entry: &ProxyEntry, not_found: bool, use_proxy_refusal: bool) -> Failure {
        Failure {
            not_found,
            direct_class: entry.kind == ProxyKind::Direct
                || (entry.kind == ProxyKind::NoProxy && !use_proxy_refusal),
            fall_back_on_any_error: entry.fallback == Fallback::OnAnyError,
        }
    }
}

/// `TryProxies` (cmd/go/internal/modfetch/proxy.go) as a pure state machine over the errors of
/// the entries tried so far; `E` is whatever the caller keeps as an error.
///
/// Feed each failed attempt to [`fail`](Self::fail), in entry order, until it returns false
/// or the entries run out; a success ends the walk at the caller.
/// [`into_error`](Self::into_error) is then the error go reports.
#[derive(Debug, Clone)]
pub struct TryProxies<E> {
    best: Option<E>,
    best_not_found: bool,
    rank: ErrorRank,
}

impl<E> Default for TryProxies<E> {
    fn default() -> Self {
        TryProxies {
            best: None,
            best_not_found: true,
            rank: ErrorRank::NotExist,
        }
    }
}

impl<E> TryProxies<E> {
    /// A walk before its first entry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a failed attempt and returns whether the walk moves on to the next entry:
    /// after `,` only a not-found-class error does, after `|` any error does.
    pub fn fail(&mut self, failure: Failure, error: E) -> bool {
        if failure.direct_class {
            self.best = Some(error);
            self.best_not_found = failure.not_found;
            self.rank = ErrorRank::Direct;
        } else if self.rank <= ErrorRank::Proxy && !failure.not_found {
            self.best = Some(error);
            self.best_not_found = false;
            self.rank = ErrorRank::Proxy;
        } else if self.rank == ErrorRank::NotExist {
            self.best = Some(error);
            self.best_not_found = failure.not_found;
        }
        failure.fall_back_on_any_error || failure.not_found
    }

    /// Whether the error go would report now is of the not-found class (true before any
    /// failure: `initBase` treats an empty walk like one that only met not-found errors).
    pub fn not_found(&self) -> bool {
        self.best_not_found
    }

    /// The rank of the error go would report now.
    pub fn rank(&self) -> ErrorRank {
        self.rank
    }

    /// The error go reports (`None` when no entry failed).
    pub fn into_error(self) -> Option<E> {
        self.best
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

    /// Lists and errors as cmd/go/internal/modfetch/proxy.go `proxyList` gives them.
    #[test]
    fn proxy_list_table() {
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

    fn fallback(any: bool) -> Fallback {
        if any {
            Fallback::OnAnyError
        } else {
            Fallback::OnNotFound
        }
    }

    fn entry(kind: ProxyKind, any: bool) -> ProxyEntry {
        ProxyEntry {
            kind,
            fallback: fallback(any),
        }
    }

    /// The ranking of TryProxies: direct errors replace everything and stay; a proxy error
    /// other than not-found replaces not-found ones (the last wins); otherwise the first
    /// not-found error stays.
    #[test]
    fn try_proxies_ranking() {
        let url = |any| ProxyEntry::url("https://p.example", fallback(any)).unwrap();
        let mut w = TryProxies::new();
        assert!(w.fail(Failure::of(&url(false), true, false), "nf1"));
        assert!(w.fail(Failure::of(&url(true), false, false), "e500"));
        assert!(w.fail(Failure::of(&url(false), true, false), "nf2"));
        assert!(!w.not_found());
        assert_eq!(w.rank(), ErrorRank::Proxy);
        assert!(!w.fail(Failure::of(&url(false), false, false), "e503"));
        assert_eq!(w.clone().into_error(), Some("e503"));
        let mut w = TryProxies::new();
        assert!(w.fail(
            Failure::of(&entry(ProxyKind::NoProxy, false), true, true),
            "useproxy"
        ));
        assert_eq!(w.rank(), ErrorRank::NotExist);
        assert!(w.fail(Failure::of(&url(true), false, false), "e500"));
        assert!(w.fail(
            Failure::of(&entry(ProxyKind::Direct, false), true, false),
            "direct"
        ));
        assert!(w.not_found());
        assert_eq!(w.into_error(), Some("direct"));
        let w: TryProxies<()> = TryProxies::new();
        assert!(w.not_found());
        assert_eq!(w.into_error(), None);
    }
}
