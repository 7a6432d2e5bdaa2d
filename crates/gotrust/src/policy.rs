//! The policy file, `gotrust.toml`: what an organisation trusts and which findings it accepts.
//!
//! ```toml
//! version = 1
//!
//! [proxy]
//! trusted = ["https://proxy.corp.example"]
//!
//! [private]
//! scope = ["*.corp.example", "github.com/acme"]
//!
//! [insecure]
//! allowed = ["dev.local"]
//!
//! [rules]
//! "proxy/direct-fallback" = { severity = "info" }
//!
//! [[ignore]]
//! rule = "tls/custom-roots"
//! reason = "the corporate CA is installed on purpose"
//! ```
//!
//! Parsing is two steps, like cargo-deny's `UnvalidatedConfig`: the TOML is deserialized into
//! raw types that keep spans, then validated into a [`Policy`] (rule IDs looked up in the
//! catalog, every ignore has a reason). Every error names the file, line and column.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::report::{Finding, Rule, Severity, catalog};

/// The file name looked up in the project directory.
pub const FILE_NAME: &str = "gotrust.toml";

/// The only policy file version this gotrust reads.
pub const VERSION: i64 = 1;

/// Policy files larger than this are rejected before parsing (a policy is a few hundred bytes).
pub const MAX_SIZE: u64 = 1 << 20;

/// A validated policy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policy {
    /// The file it was read from (`None` for the built-in default).
    pub path: Option<PathBuf>,
    /// Proxies the organisation trusts (`[proxy] trusted`).
    pub trusted_proxies: Vec<String>,
    /// The expected private scope: Go patterns of private module paths (`[private] scope`).
    pub private_scope: Vec<String>,
    /// Hosts that may be fetched without TLS (`[insecure] allowed`).
    pub insecure_allowed: Vec<String>,
    /// Severity overrides per rule (`[rules]`).
    pub severities: BTreeMap<&'static str, Severity>,
    /// Accepted findings (`[[ignore]]`).
    pub ignores: Vec<Ignore>,
}

/// An `[[ignore]]` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ignore {
    /// The rule whose findings are ignored.
    pub rule: &'static Rule,
    /// Why: required, and shown next to the suppressed finding in every output.
    pub reason: String,
    /// Restricts the ignore to findings affecting this module path or pattern; `None` ignores
    /// every finding of the rule.
    pub target: Option<IgnoreTarget>,
}

/// What an ignore is restricted to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IgnoreTarget {
    /// `module = "example.com/m"`: findings affecting this module or a path below it.
    Module(String),
    /// `pattern = "*.corp.example"`: findings whose affected list names exactly this pattern.
    Pattern(String),
}

impl Ignore {
    /// Whether this entry ignores `finding`.
    pub fn matches(&self, finding: &Finding) -> bool {
        if self.rule.id != finding.rule.id {
            return false;
        }
        match &self.target {
            None => true,
            Some(IgnoreTarget::Pattern(p)) => finding.affected.iter().any(|a| a == p),
            // Verification findings name `path@version`: the version belongs to the module.
            Some(IgnoreTarget::Module(m)) => finding.affected.iter().any(|a| {
                a.strip_prefix(m.as_str()).is_some_and(|rest| {
                    rest.is_empty() || rest.starts_with('/') || rest.starts_with('@')
                })
            }),
        }
    }
}

impl crate::report::Governance for Policy {
    fn severity_override(&self, rule: &Rule) -> Option<Severity> {
        Policy::severity_override(self, rule)
    }

    fn ignore_reason(&self, finding: &Finding) -> Option<String> {
        self.ignore_for(finding).map(|i| i.reason.clone())
    }
}

impl Policy {
    /// The severity the policy sets for `rule`, if any.
    pub fn severity_override(&self, rule: &Rule) -> Option<Severity> {
        self.severities.get(rule.id).copied()
    }

    /// The first ignore entry matching `finding`.
    pub fn ignore_for(&self, finding: &Finding) -> Option<&Ignore> {
        self.ignores.iter().find(|i| i.matches(finding))
    }

    /// Reads and validates the policy file at `path`.
    pub fn load(path: &Path) -> Result<Policy, PolicyError> {
        let read_err = |source| PolicyError::Read {
            path: path.to_owned(),
            source,
        };
        let meta = std::fs::metadata(path).map_err(read_err)?;
        if meta.len() > MAX_SIZE {
            return Err(PolicyError::TooLarge {
                path: path.to_owned(),
                size: meta.len(),
            });
        }
        let text = std::fs::read_to_string(path).map_err(read_err)?;
        Policy::parse(&text, path)
    }

    /// Loads `dir/gotrust.toml` if it exists.
    pub fn discover(dir: &Path) -> Result<Option<Policy>, PolicyError> {
        // `gotrust.toml`, not `./gotrust.toml`, in messages about the current directory.
        let path = if dir.as_os_str().is_empty() || dir == Path::new(".") {
            PathBuf::from(FILE_NAME)
        } else {
            dir.join(FILE_NAME)
        };
        match std::fs::metadata(&path) {
            Ok(_) => Policy::load(&path).map(Some),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(PolicyError::Read { path, source }),
        }
    }

    /// Parses and validates policy `text`; `path` is only used in errors and [`Policy::path`].
    pub fn parse(text: &str, path: &Path) -> Result<Policy, PolicyError> {
        let invalid = |span: Option<Range<usize>>, kind| {
            let (line, column) = line_column(text, span.map_or(0, |s| s.start));
            PolicyError::Invalid {
                path: path.to_owned(),
                line,
                column,
                source_line: source_line(text, line),
                kind,
            }
        };
        let raw: RawPolicy = toml::from_str(text)
            .map_err(|e| invalid(e.span(), InvalidKind::Syntax(e.message().trim().to_owned())))?;

        match raw.version {
            None => return Err(invalid(None, InvalidKind::MissingVersion)),
            Some(v) if *v.get_ref() != VERSION => {
                return Err(invalid(
                    Some(v.span()),
                    InvalidKind::UnsupportedVersion(*v.get_ref()),
                ));
            }
            Some(_) => {}
        }

        let lookup = |id: &Spanned<String>| {
            catalog::find(id.get_ref()).ok_or_else(|| {
                invalid(
                    Some(id.span()),
                    InvalidKind::UnknownRule {
                        id: id.get_ref().clone(),
                        suggestion: closest_rule(id.get_ref()),
                    },
                )
            })
        };

        let mut severities = BTreeMap::new();
        for (id, cfg) in &raw.rules {
            severities.insert(lookup(id)?.id, cfg.severity);
        }

        let mut ignores = Vec::new();
        for entry in &raw.ignore {
            let span = entry.span();
            let entry = entry.get_ref();
            let rule = lookup(&entry.rule)?;
            let reason = match &entry.reason {
                Some(r) if !r.get_ref().trim().is_empty() => r.get_ref().trim().to_owned(),
                Some(r) => {
                    return Err(invalid(
                        Some(r.span()),
                        InvalidKind::IgnoreWithoutReason(rule.id),
                    ));
                }
                None => {
                    return Err(invalid(
                        Some(span),
                        InvalidKind::IgnoreWithoutReason(rule.id),
                    ));
                }
            };
            let target = match (&entry.module, &entry.pattern) {
                (Some(_), Some(p)) => {
                    return Err(invalid(
                        Some(p.span()),
                        InvalidKind::ModuleAndPattern(rule.id),
                    ));
                }
                (Some(m), None) => Some(IgnoreTarget::Module(m.get_ref().clone())),
                (None, Some(p)) => Some(IgnoreTarget::Pattern(p.get_ref().clone())),
                (None, None) => None,
            };
            ignores.push(Ignore {
                rule,
                reason,
                target,
            });
        }

        // A trusted proxy is compared with GOPROXY entries, a scope pattern with module paths:
        // a value that can match nothing would silently weaken the policy, so it is refused
        // (the pattern syntax is path.Match's, as GOPRIVATE's: golang.org/x/mod/module
        // MatchPrefixPatterns).
        let mut trusted_proxies = Vec::with_capacity(raw.proxy.trusted.len());
        for entry in &raw.proxy.trusted {
            let text = entry.get_ref().trim();
            let ok = url::Url::parse(text).is_ok_and(|u| {
                matches!(u.scheme(), "https" | "http" | "file")
                    && (u.scheme() == "file" || u.host_str().is_some_and(|h| !h.is_empty()))
            });
            if !ok {
                return Err(invalid(
                    Some(entry.span()),
                    InvalidKind::BadTrustedProxy(crate::redact::redact_text(text)),
                ));
            }
            trusted_proxies.push(text.to_owned());
        }
        let mut private_scope = Vec::with_capacity(raw.private.scope.len());
        for entry in &raw.private.scope {
            let text = entry.get_ref().trim();
            let bad =
                text.is_empty() || text.contains(',') || gomod::pattern::validate(text).is_err();
            if bad {
                return Err(invalid(
                    Some(entry.span()),
                    InvalidKind::BadScopePattern(text.to_owned()),
                ));
            }
            private_scope.push(text.to_owned());
        }

        Ok(Policy {
            path: Some(path.to_owned()),
            trusted_proxies,
            private_scope,
            insecure_allowed: raw.insecure.allowed,
            severities,
            ignores,
        })
    }
}

/// The catalog ID closest to `id` by edit distance, if at most 3 edits away (typos, a
/// missing dash, singular/plural).
fn closest_rule(id: &str) -> Option<&'static str> {
    catalog::RULES
        .iter()
        .map(|r| (edit_distance(id, r.id), r.id))
        .filter(|&(d, _)| d <= 3)
        .min()
        .map(|(_, id)| id)
}

/// Levenshtein distance over chars. Inputs come from a policy file and are cut at 64 chars so
/// a huge key cannot make this quadratic in its length.
fn edit_distance(a: &str, b: &str) -> usize {
    const MAX: usize = 64;
    let a: Vec<char> = a.chars().take(MAX).collect();
    let b: Vec<char> = b.chars().take(MAX).collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let subst = prev[j] + usize::from(ca != cb);
            cur[j + 1] = subst.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// A policy file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// The file could not be read.
    #[error("cannot read policy file {}", path.display())]
    Read {
        /// The policy file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file is larger than [`MAX_SIZE`].
    #[error("policy file {} is too large ({size} bytes, at most {MAX_SIZE})", path.display())]
    TooLarge {
        /// The policy file.
        path: PathBuf,
        /// Its size in bytes.
        size: u64,
    },
    /// The file is not a valid policy.
    #[error("{}:{line}:{column}: {kind}", path.display())]
    Invalid {
        /// The policy file.
        path: PathBuf,
        /// 1-based line of the offending item.
        line: usize,
        /// 1-based column of the offending item.
        column: usize,
        /// The text of that line, with URL credentials redacted and cut at 200 characters.
        source_line: String,
        /// What is wrong.
        kind: InvalidKind,
    },
}

impl PolicyError {
    /// For [`PolicyError::Invalid`], the offending line with a caret under the column:
    ///
    /// ```text
    ///   4 | rule = "sumdb/disable"
    ///     |        ^
    /// ```
    pub fn snippet(&self) -> Option<String> {
        let PolicyError::Invalid {
            line,
            column,
            source_line,
            ..
        } = self
        else {
            return None;
        };
        let gutter = line.to_string();
        let pad = " ".repeat(gutter.len());
        // Tabs before the column stay tabs so that the caret lines up in a terminal.
        let indent: String = source_line
            .chars()
            .take(column.saturating_sub(1))
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        Some(format!(
            "{pad} |\n{gutter} | {source_line}\n{pad} | {indent}^"
        ))
    }
}

/// Line `line` (1-based) of `text`, redacted and bounded, for error snippets.
fn source_line(text: &str, line: usize) -> String {
    let raw = text.lines().nth(line.saturating_sub(1)).unwrap_or("");
    let bounded: String = raw.chars().take(200).collect();
    crate::redact::redact_text(&bounded)
}

/// What is wrong in a policy file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidKind {
    /// TOML syntax or shape error (unknown field, wrong type, bad severity), as toml reports it.
    #[error("{0}")]
    Syntax(String),
    /// `version` is absent.
    #[error("missing `version = {VERSION}`")]
    MissingVersion,
    /// `version` is not one this gotrust reads.
    #[error("unsupported policy version {0} (this gotrust reads version {VERSION})")]
    UnsupportedVersion(i64),
    /// A rule ID that is not in the catalog, with the closest catalog ID when one is near.
    #[error("unknown rule ID `{id}`: not in the rule catalog{}", suggestion.map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default())]
    UnknownRule {
        /// The ID as written.
        id: String,
        /// The closest catalog ID, if within a small edit distance.
        suggestion: Option<&'static str>,
    },
    /// An `[[ignore]]` entry without a non-empty `reason`.
    #[error("[[ignore]] entry for `{0}` needs a non-empty `reason`")]
    IgnoreWithoutReason(&'static str),
    /// A `[proxy] trusted` entry that is not an absolute https://, http:// or file:// URL.
    #[error(
        "`[proxy] trusted` entry `{0}` is not a proxy URL (expected https://host[/path], http://host or file:///path)"
    )]
    BadTrustedProxy(String),
    /// A `[private] scope` entry that is not one valid Go path pattern.
    #[error(
        "`[private] scope` entry `{0}` is not a valid module path pattern (path.Match syntax, one pattern per entry): it would match nothing"
    )]
    BadScopePattern(String),
    /// An `[[ignore]]` entry with both `module` and `pattern`.
    #[error("[[ignore]] entry for `{0}` has both `module` and `pattern`; use one")]
    ModuleAndPattern(&'static str),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    version: Option<Spanned<i64>>,
    #[serde(default)]
    proxy: RawProxy,
    #[serde(default)]
    private: RawPrivate,
    #[serde(default)]
    insecure: RawInsecure,
    #[serde(default)]
    rules: BTreeMap<Spanned<String>, RawRule>,
    #[serde(default)]
    ignore: Vec<Spanned<RawIgnore>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawProxy {
    #[serde(default)]
    trusted: Vec<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawPrivate {
    #[serde(default)]
    scope: Vec<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawInsecure {
    #[serde(default)]
    allowed: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    severity: Severity,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIgnore {
    rule: Spanned<String>,
    reason: Option<Spanned<String>>,
    module: Option<Spanned<String>>,
    pattern: Option<Spanned<String>>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::catalog::*;
    use crate::report::{Finding, Report};

    fn parse(text: &str) -> Result<Policy, PolicyError> {
        Policy::parse(text, Path::new("gotrust.toml"))
    }

    fn err(text: &str) -> String {
        parse(text).unwrap_err().to_string()
    }

    const FULL: &str = r#"version = 1

[proxy]
trusted = ["https://proxy.corp.example"]

[private]
scope = ["*.corp.example", "github.com/acme"]

[insecure]
allowed = ["dev.local"]

[rules]
"proxy/direct-fallback" = { severity = "info" }
"sumdb/custom" = { severity = "high" }

[[ignore]]
rule = "tls/custom-roots"
reason = "the corporate CA is installed on purpose"

[[ignore]]
rule = "proxy/private-path-leak"
reason = "  legacy mirror, tracked in OPS-12  "
module = "github.com/acme/legacy"
"#;

    #[test]
    fn trusted_and_scope_values_are_validated() {
        for bad in [
            "version = 1\n[proxy]\ntrusted = [\"not a url\"]\n",
            "version = 1\n[proxy]\ntrusted = [\"ftp://p.example\"]\n",
            "version = 1\n[private]\nscope = [\"[\"]\n",
            "version = 1\n[private]\nscope = [\"a.example,b.example\"]\n",
        ] {
            let e = parse(bad).unwrap_err().to_string();
            assert!(e.contains("gotrust.toml:3:"), "{bad}: {e}");
        }
        let e = parse("version = 1\n[proxy]\ntrusted = [\"https://u:pw@\"]\n").unwrap_err();
        assert!(!e.to_string().contains("pw"), "{e}");
        let p = parse("version = 1\n[proxy]\ntrusted = [\"https://p.example\", \"file:///srv/mods\"]\n[private]\nscope = [\"*.corp.example\"]\n").unwrap();
        assert_eq!(p.trusted_proxies.len(), 2);
        assert_eq!(p.private_scope, ["*.corp.example"]);
    }

    #[test]
    fn full_policy() {
        let p = parse(FULL).unwrap();
        assert_eq!(p.path.as_deref(), Some(Path::new("gotrust.toml")));
        assert_eq!(p.trusted_proxies, ["https://proxy.corp.example"]);
        assert_eq!(p.private_scope, ["*.corp.example", "github.com/acme"]);
        assert_eq!(p.insecure_allowed, ["dev.local"]);
        assert_eq!(
            p.severity_override(&PROXY_DIRECT_FALLBACK),
            Some(Severity::Info)
        );
        assert_eq!(p.severity_override(&SUMDB_CUSTOM), Some(Severity::High));
        assert_eq!(p.severity_override(&SUMDB_DISABLED), None);
        assert_eq!(p.ignores.len(), 2);
        assert_eq!(p.ignores[1].reason, "legacy mirror, tracked in OPS-12");
        assert_eq!(
            p.ignores[1].target,
            Some(IgnoreTarget::Module("github.com/acme/legacy".into()))
        );
    }

    #[test]
    fn minimal_policy() {
        let p = parse("version = 1\n").unwrap();
        assert!(p.ignores.is_empty() && p.severities.is_empty() && p.private_scope.is_empty());
    }

    #[test]
    fn policy_applied_to_report() {
        let p = parse(FULL).unwrap();
        let r = Report::with_policy(
            vec![
                Finding::new(&PROXY_DIRECT_FALLBACK, "direct after proxy"),
                Finding::new(&SUMDB_CUSTOM, "custom db"),
                Finding::new(&TLS_CUSTOM_ROOTS, "SSL_CERT_FILE set"),
                Finding::new(&PROXY_PRIVATE_PATH_LEAK, "legacy")
                    .with_affected("github.com/acme/legacy/sub"),
                Finding::new(&PROXY_PRIVATE_PATH_LEAK, "other")
                    .with_affected("github.com/acme/legacyx"),
            ],
            &p,
        );
        let active: Vec<_> = r
            .findings()
            .iter()
            .map(|f| (f.rule.id, f.severity, f.message.as_str()))
            .collect();
        assert_eq!(
            active,
            [
                ("sumdb/custom", Severity::High, "custom db"),
                ("proxy/private-path-leak", Severity::Medium, "other"),
                (
                    "proxy/direct-fallback",
                    Severity::Info,
                    "direct after proxy"
                ),
            ]
        );
        let suppressed: Vec<_> = r
            .suppressed()
            .iter()
            .map(|s| (s.finding.rule.id, s.reason.as_str()))
            .collect();
        assert_eq!(
            suppressed,
            [
                (
                    "proxy/private-path-leak",
                    "legacy mirror, tracked in OPS-12"
                ),
                (
                    "tls/custom-roots",
                    "the corporate CA is installed on purpose"
                ),
            ]
        );
        assert_eq!(r.summary().suppressed, 2);
        assert_eq!(r.summary().total, 3);
    }

    #[test]
    fn module_target_covers_versions_and_subpaths() {
        let p = parse(
            "version = 1\n[[ignore]]\nrule = \"insecure/broad\"\nreason = \"r\"\nmodule = \"example.com/a\"\n",
        )
        .unwrap();
        let f = |a: &str| Finding::new(&INSECURE_BROAD, "m").with_affected(a);
        assert!(p.ignore_for(&f("example.com/a")).is_some());
        assert!(p.ignore_for(&f("example.com/a@v1.0.0")).is_some());
        assert!(p.ignore_for(&f("example.com/a/sub")).is_some());
        assert!(p.ignore_for(&f("example.com/ab@v1.0.0")).is_none());
    }

    #[test]
    fn pattern_target_is_exact() {
        let p = parse(
            "version = 1\n[[ignore]]\nrule = \"insecure/broad\"\nreason = \"r\"\npattern = \"*.corp\"\n",
        )
        .unwrap();
        let f = |a: &str| Finding::new(&INSECURE_BROAD, "m").with_affected(a);
        assert!(p.ignore_for(&f("*.corp")).is_some());
        assert!(p.ignore_for(&f("*.corp/x")).is_none());
        assert!(p.ignore_for(&Finding::new(&INSECURE_BROAD, "m")).is_none());
    }

    #[test]
    fn errors() {
        let cases = [
            ("unknown top-level field", "version = 1\nproxies = []\n"),
            (
                "unknown nested field",
                "version = 1\n[proxy]\ntrusted = []\nallowed = []\n",
            ),
            (
                "unknown rule in [rules]",
                "version = 1\n[rules]\n\"sumdb/disable\" = { severity = \"low\" }\n",
            ),
            (
                "unknown rule in [[ignore]]",
                "version = 1\n\n[[ignore]]\nrule = \"probe/nope\"\nreason = \"x\"\n",
            ),
            (
                "ignore without reason",
                "version = 1\n\n[[ignore]]\nrule = \"proxy/off\"\n",
            ),
            (
                "ignore with blank reason",
                "version = 1\n[[ignore]]\nrule = \"proxy/off\"\nreason = \"  \"\n",
            ),
            (
                "ignore with module and pattern",
                "version = 1\n[[ignore]]\nrule = \"proxy/off\"\nreason = \"r\"\nmodule = \"a\"\npattern = \"b\"\n",
            ),
            (
                "bad severity",
                "version = 1\n[rules]\n\"proxy/off\" = { severity = \"severe\" }\n",
            ),
            ("wrong version", "# policy\nversion = 2\n"),
            ("missing version", "[proxy]\ntrusted = []\n"),
            ("version not an integer", "version = \"1\"\n"),
            ("syntax error", "version = 1\n[rules\n"),
            (
                "wrong type",
                "version = 1\n[private]\nscope = \"github.com/acme\"\n",
            ),
        ];
        let mut out = String::new();
        for (name, text) in cases {
            out.push_str(&format!("# {name}\n{}\n\n", err(text)));
        }
        insta::assert_snapshot!(out);
    }

    #[test]
    fn error_location_is_structured() {
        match parse("version = 1\n\n[[ignore]]\nrule = \"probe/nope\"\nreason = \"x\"\n") {
            Err(PolicyError::Invalid {
                line, column, kind, ..
            }) => {
                assert_eq!((line, column), (4, 8));
                assert_eq!(
                    kind,
                    InvalidKind::UnknownRule {
                        id: "probe/nope".into(),
                        suggestion: None
                    }
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn snippets() {
        let e = parse("version = 1\n[rules]\n\t\"sumdb/disable\" = { severity = \"low\" }\n")
            .unwrap_err();
        assert_eq!(
            e.snippet().unwrap(),
            "  |\n3 | \t\"sumdb/disable\" = { severity = \"low\" }\n  | \t^"
        );
        let e = parse("version = 1\n[proxy]\ntrusted = [\"https://u:pw@p\"]\nx = 1\n").unwrap_err();
        assert!(!e.snippet().unwrap().contains("pw"));
        let e = parse("version = 1\n[proxy]\nx = [\"https://u:pw@p\"]\n").unwrap_err();
        assert_eq!(
            e.snippet().unwrap(),
            "  |\n3 | x = [\"https://xxxxx:xxxxx@p\"]\n  | ^"
        );
        let io = Policy::load(Path::new("/nonexistent/gotrust.toml")).unwrap_err();
        assert_eq!(io.snippet(), None);
    }

    #[test]
    fn suggestions() {
        assert_eq!(edit_distance("", ""), 0);
        assert_eq!(edit_distance("abc", "abd"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(closest_rule("sumdb/disable"), Some("sumdb/disabled"));
        assert_eq!(closest_rule("proxy/plain-text"), Some("proxy/plaintext"));
        assert_eq!(
            closest_rule("insecure/matchall"),
            Some("insecure/match-all")
        );
        assert_eq!(closest_rule("disabled"), None);
        assert_eq!(closest_rule(&"x".repeat(10_000)), None);
    }

    #[test]
    fn line_column_counts_chars() {
        assert_eq!(line_column("abc", 0), (1, 1));
        assert_eq!(line_column("a\nbc", 3), (2, 2));
        assert_eq!(line_column("é\nüx", 5), (2, 2));
        assert_eq!(line_column("ab", 99), (1, 3));
    }

    #[test]
    fn discover_and_load() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Policy::discover(dir.path()).unwrap(), None);
        std::fs::write(
            dir.path().join(FILE_NAME),
            "version = 1\n[insecure]\nallowed = [\"dev.local\"]\n",
        )
        .unwrap();
        let p = Policy::discover(dir.path()).unwrap().unwrap();
        assert_eq!(p.insecure_allowed, ["dev.local"]);
        let e = Policy::load(&dir.path().join("missing.toml")).unwrap_err();
        assert!(matches!(e, PolicyError::Read { .. }), "{e}");
    }
}
