//! Module queries (`M@latest`, `M@v1`, `M@>=v1.2.0`, `M@master`, ...) as the go command
//! resolves them, and the requests each proxy hop receives.
//!
//! Mirrors cmd/go/internal/modload/query.go: `IsRevisionQuery` and `newQueryMatcher` decide
//! how a query is answered. A complete semantic version (a release, a prerelease or a
//! pseudo-version) is asked for directly (`repo.Stat`: `@v/⟨v⟩.info`), and so is anything
//! that is not semantic-version syntax (a branch, tag or commit: `@v/master.info`; `none`
//! is such a revision for `go mod download`). Every other query (`latest`, `upgrade`,
//! `patch`, a prefix like `v1` or `v1.2`, a range like `>=v1.0.0`) lists the versions
//! (`repo.Versions`: `@v/list`) and chooses among them (`queryProxy`); when the list has no
//! match, `latest`-like queries ask `@latest` (`proxyRepo.Latest`). Because such a query
//! passes `CheckAllowed`, go first resolves `latest` itself to read its go.mod for
//! `retract` directives (`queryLatestVersionIgnoringRetractions`, golang/go#24031), which
//! adds a second `@v/list` for prefix queries (`cachingRepo` caches lists per prefix) and
//! the `.info` and `.mod` of the latest version.

use gomod::module::{self, semver};
use serde::Serialize;

/// How go answers a query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum QueryKind {
    /// A complete canonical version: `@v/⟨v⟩.info`.
    Version,
    /// A complete version with `+build` metadata: `@v/⟨query⟩.info`, and when that fails,
    /// `@v/⟨canonical⟩.info` (`queryProxy`: semantic versioning makes them equivalent).
    BuildMetadata,
    /// Not semantic-version syntax (branch, tag, commit, `none`): `@v/⟨query⟩.info`, which
    /// answers the version (a pseudo-version for a commit).
    Revision,
    /// Chosen from `@v/list` (`latest`, `upgrade`, `patch`, prefixes, ranges).
    Select,
    /// go refuses the query before any request.
    Refused,
}

/// Which versions of the list a [`QueryKind::Select`] query accepts besides the prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    /// Every version.
    Any,
    /// `>= v`.
    AtLeast(String),
    /// `> v`.
    Above(String),
    /// `<= v`.
    AtMost(String),
    /// `< v`.
    Below(String),
}

impl Filter {
    /// Whether `v` passes.
    pub fn allows(&self, v: &str) -> bool {
        use std::cmp::Ordering::*;
        match self {
            Filter::Any => true,
            Filter::AtLeast(w) => semver::compare(v, w) != Less,
            Filter::Above(w) => semver::compare(v, w) == Greater,
            Filter::AtMost(w) => semver::compare(v, w) != Greater,
            Filter::Below(w) => semver::compare(v, w) == Less,
        }
    }

    fn text(&self) -> Option<String> {
        match self {
            Filter::Any => None,
            Filter::AtLeast(w) => Some(format!(">={w}")),
            Filter::Above(w) => Some(format!(">{w}")),
            Filter::AtMost(w) => Some(format!("<={w}")),
            Filter::Below(w) => Some(format!("<{w}")),
        }
    }
}

impl Serialize for Filter {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.text() {
            Some(t) => s.serialize_str(&t),
            None => s.serialize_none(),
        }
    }
}

/// A module query and how go answers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Query {
    /// The query as written after `@`.
    pub text: String,
    /// How go answers it.
    pub kind: QueryKind,
    /// For [`QueryKind::Select`]: the prefix versions must have (`v1.` for `v1`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub prefix: String,
    /// For [`QueryKind::Select`]: the range.
    #[serde(skip_serializing_if = "is_any")]
    pub filter: Filter,
    /// For [`QueryKind::Select`]: the lowest matching version wins (`>`, `>=`), else the highest.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub prefer_lower: bool,
    /// For [`QueryKind::Select`]: without a match in the list, `@latest` decides.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub may_use_latest: bool,
    /// Whether go checks retractions first (every query except a specific revision).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub checks_retractions: bool,
    /// The version the query starts from (`upgrade`, `patch`), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current: Option<String>,
    /// go's error, for [`QueryKind::Refused`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

fn is_any(f: &Filter) -> bool {
    *f == Filter::Any
}

/// `gover.ModIsPrefix` for module versions: at most one dot and no `-` or `+`.
fn is_prefix(v: &str) -> bool {
    !v.contains(['-', '+']) && v.matches('.').count() < 2
}

/// Where the query is run from: `go mod download M@q` outside a module has no current
/// version and no main module.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Current {
    /// Outside a module: `upgrade` and `patch` are refused (`cannot match`).
    #[default]
    NoMainModule,
    /// In a module that does not require the path (`none`).
    NotRequired,
    /// In a module that requires the path at this version.
    Required(String),
}

impl Query {
    /// Classifies `query` for module `path` as `newQueryMatcher` and `IsRevisionQuery` do.
    pub fn parse(path: &str, query: &str, current: &Current) -> Query {
        let mut q = Query {
            text: query.to_string(),
            kind: QueryKind::Select,
            prefix: String::new(),
            filter: Filter::Any,
            prefer_lower: false,
            may_use_latest: false,
            checks_retractions: true,
            current: None,
            error: None,
        };
        let refuse = |mut q: Query, error: String| {
            q.kind = QueryKind::Refused;
            q.checks_retractions = false;
            q.error = Some(error);
            q
        };
        let range = |mut q: Query, op: &str, filter: fn(String) -> Filter, lower: bool| {
            let v = &query[op.len()..];
            if !semver::is_valid(v) {
                return refuse(
                    q,
                    format!("invalid semantic version {v:?} in range {query:?}"),
                );
            }
            if (op == "<=" || op == ">") && is_prefix(v) {
                return refuse(
                    q,
                    format!("ambiguous semantic version {v:?} in range {query:?}"),
                );
            }
            q.filter = filter(v.to_string());
            q.prefer_lower = lower;
            q
        };
        match query {
            "latest" => {
                q.may_use_latest = true;
                q
            }
            "upgrade" | "patch" => match current {
                Current::NoMainModule => refuse(
                    q,
                    format!(
                        "cannot match \"{path}@{query}\": go.mod file not found in current directory or any parent directory; see 'go help modules'"
                    ),
                ),
                Current::NotRequired if query == "patch" => refuse(
                    q,
                    format!(
                        "can't query version \"patch\" of module {path}: no existing version is required"
                    ),
                ),
                Current::NotRequired => {
                    q.may_use_latest = true;
                    q
                }
                Current::Required(c) => {
                    q.may_use_latest = module::is_pseudo_version(c);
                    q.filter = Filter::AtLeast(c.clone());
                    if query == "patch" {
                        q.prefix = format!("{}.", semver::major_minor(c).unwrap_or_default());
                    }
                    q.current = Some(c.clone());
                    q
                }
            },
            _ if query.starts_with("<=") => range(q, "<=", Filter::AtMost, false),
            _ if query.starts_with('<') => range(q, "<", Filter::Below, false),
            _ if query.starts_with(">=") => range(q, ">=", Filter::AtLeast, true),
            _ if query.starts_with('>') => range(q, ">", Filter::Above, true),
            _ if semver::is_valid(query) && is_prefix(query) => {
                q.prefix = format!("{query}.");
                q.filter = Filter::AtLeast(query.to_string());
                q
            }
            _ if semver::is_valid(query) => {
                q.checks_retractions = false;
                q.kind = if semver::canonical(query).as_deref() == Some(query) {
                    QueryKind::Version
                } else {
                    QueryKind::BuildMetadata
                };
                q
            }
            _ => {
                q.checks_retractions = false;
                q.kind = QueryKind::Revision;
                q
            }
        }
    }

    /// Whether `v` (from `@v/list` or `@latest`) passes the prefix and the range
    /// (`queryMatcher.allowsVersion` without the retraction check).
    pub fn allows(&self, v: &str) -> bool {
        v.starts_with(&self.prefix) && self.filter.allows(v)
    }

    /// The list prefix `repo.Versions` is called with.
    pub fn list_prefix(&self) -> &str {
        &self.prefix
    }

    /// The canonical version of a [`QueryKind::BuildMetadata`] query.
    pub fn canonical(&self) -> Option<String> {
        semver::canonical(&self.text)
    }
}

/// The symbolic requests one proxy hop receives for `query`, in go's order, relative to the
/// module's base (`@v/list`, `@v/<chosen>.info`, ...), for `go mod download` (with the
/// `.zip`) or `go list -m` (without). `<chosen>` is the version the query selects and
/// `<latest>` the one `latest` selects (read for retractions first).
pub fn symbolic_requests(query: &Query, zip: bool) -> Vec<String> {
    let esc = |v: &str| module::escape_version(v).unwrap_or_else(|_| v.to_string());
    let mut out = Vec::new();
    let chosen = match query.kind {
        QueryKind::Refused => return out,
        QueryKind::Version => {
            out.push(format!("@v/{}.info", esc(&query.text)));
            esc(&query.text)
        }
        QueryKind::BuildMetadata => {
            out.push(format!("@v/{}.info", esc(&query.text)));
            let c = esc(&query.canonical().unwrap_or_default());
            out.push(format!("@v/{c}.info (when the first .info fails)"));
            c
        }
        QueryKind::Revision => {
            out.push(format!("@v/{}.info", esc(&query.text)));
            "<answered version>".to_string()
        }
        QueryKind::Select => {
            out.push("@v/list".to_string());
            let latest_is_chosen =
                query.prefix.is_empty() && query.filter == Filter::Any && !query.prefer_lower;
            if query.may_use_latest {
                out.push(
                    "@latest (only when the list has no matching version; <chosen> is its answer)"
                        .to_string(),
                );
            }
            if !query.prefix.is_empty() {
                // The retraction check lists again, without the prefix.
                out.push("@v/list".to_string());
            }
            if latest_is_chosen {
                out.push(if query.may_use_latest {
                    "@v/<chosen>.info (unless @latest answered)".to_string()
                } else {
                    "@v/<chosen>.info".to_string()
                });
                out.push("@v/<chosen>.mod".to_string());
            } else {
                out.push("@v/<latest>.info".to_string());
                out.push("@v/<latest>.mod".to_string());
                out.push("@v/<chosen>.info (unless <chosen> is <latest>)".to_string());
            }
            "<chosen>".to_string()
        }
    };
    let mod_done = out.iter().any(|r| r == "@v/<chosen>.mod");
    if !mod_done {
        let unless = if query.kind == QueryKind::Select {
            " (unless <chosen> is <latest>)"
        } else {
            ""
        };
        out.push(format!("@v/{chosen}.mod{unless}"));
    }
    if zip {
        out.push(format!("@v/{chosen}.zip"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(q: &str) -> QueryKind {
        Query::parse("example.com/m", q, &Current::NoMainModule).kind
    }

    #[test]
    fn classification_follows_new_query_matcher() {
        assert_eq!(kind("v1.2.3"), QueryKind::Version);
        assert_eq!(kind("v1.2.3-pre"), QueryKind::Version);
        assert_eq!(
            kind("v0.0.0-20200101000000-abcdefabcdef"),
            QueryKind::Version
        );
        assert_eq!(kind("v1.2.3+meta"), QueryKind::BuildMetadata);
        assert_eq!(kind("master"), QueryKind::Revision);
        assert_eq!(kind("none"), QueryKind::Revision);
        assert_eq!(kind("abcdef0"), QueryKind::Revision);
        for q in [
            "latest", "v1", "v1.2", ">=v1.0.0", "<v2", ">v1.0.0", "<=v1.2.3",
        ] {
            assert_eq!(kind(q), QueryKind::Select, "{q}");
        }
        assert_eq!(kind("upgrade"), QueryKind::Refused);
        assert_eq!(kind(">v1"), QueryKind::Refused);
        assert_eq!(kind(">=1.0"), QueryKind::Refused);
        let q = Query::parse("example.com/m", "v1.2", &Current::NoMainModule);
        assert_eq!(q.prefix, "v1.2.");
        assert!(q.allows("v1.2.0") && !q.allows("v1.2.0-pre") && !q.allows("v1.20.0"));
        let q = Query::parse(
            "example.com/m",
            "patch",
            &Current::Required("v1.2.3".into()),
        );
        assert_eq!((q.prefix.as_str(), q.may_use_latest), ("v1.2.", false));
        assert!(Query::parse("m.example/x", "upgrade", &Current::NotRequired).may_use_latest);
    }

    #[test]
    fn latest_lists_then_reads_the_chosen_version() {
        let q = Query::parse("example.com/m", "latest", &Current::NoMainModule);
        assert_eq!(
            symbolic_requests(&q, true),
            [
                "@v/list",
                "@latest (only when the list has no matching version; <chosen> is its answer)",
                "@v/<chosen>.info (unless @latest answered)",
                "@v/<chosen>.mod",
                "@v/<chosen>.zip"
            ]
        );
    }
}
