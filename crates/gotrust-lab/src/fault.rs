//! Fault injection: what the lab does wrong, for which module and endpoint.
//!
//! A [`Fault`] is a [`FaultKind`] plus an optional scope (module path,
//! version, endpoint, URL path prefix); an unscoped fault applies to every
//! request. Faults combine: every matching fault applies, in the order given.
//! Scenario files are TOML:
//!
//! ```toml
//! [[fault]]
//! kind = "status"
//! status = 500
//! module = "example.com/simple"
//! endpoint = "zip"
//! ```

use std::path::Path;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Which kind of request a fault applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Endpoint {
    /// `/<module>/@v/list`
    List,
    /// `/<module>/@v/<version>.info`
    Info,
    /// `/<module>/@v/<version>.mod`
    Mod,
    /// `/<module>/@v/<version>.zip`
    Zip,
    /// `/<module>/@latest`
    Latest,
    /// `/sumdb/<name>/supported`
    Supported,
    /// `.../lookup/<module>@<version>`
    Lookup,
    /// `.../tile/...`
    Tile,
    /// `.../latest` of the checksum database
    TreeHead,
}

impl Endpoint {
    /// Whether this is a checksum-database endpoint.
    pub fn is_sumdb(self) -> bool {
        matches!(
            self,
            Endpoint::Supported | Endpoint::Lookup | Endpoint::Tile | Endpoint::TreeHead
        )
    }
}

/// What goes wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
#[non_exhaustive]
pub enum FaultKind {
    /// The proxy serves a zip with an extra file; the database records the real one.
    TamperZip,
    /// The proxy serves a go.mod with an extra line; the database records the real one.
    TamperGoMod,
    /// The database records a wrong zip hash for the module (applied when
    /// the record is first appended; an existing record is never rewritten).
    WrongHash,
    /// Lookups for the module are answered from a forked tree: same size,
    /// different record, so its head contradicts the real one.
    ForkedTree,
    /// The database serves the head (and lookups) of its first `size` records only.
    RolledBack {
        /// Tree size served.
        size: usize,
    },
    /// Tree notes carry a corrupted signature.
    BadSignature,
    /// Tree notes are signed by a different key with the same name.
    ForeignSignature,
    /// Answer with this status code and a `text/plain` body.
    Status {
        /// HTTP status (404, 410, 403, 500, 503, ...).
        status: u16,
    },
    /// Wait before answering.
    Latency {
        /// Milliseconds.
        ms: u64,
    },
    /// Send `after_bytes` of the body, then pause for `ms` before the rest.
    Stall {
        /// Bytes sent before the pause.
        after_bytes: u64,
        /// Milliseconds.
        ms: u64,
    },
    /// Announce the full length but close the connection after `bytes`.
    Truncate {
        /// Bytes sent.
        bytes: u64,
    },
    /// Reset the connection (TCP RST) instead of answering.
    Reset,
    /// Append zero bytes to the body until it is `bytes` long.
    Oversized {
        /// Total body size.
        bytes: u64,
    },
    /// A version the lab does not have is answered with 200 and the
    /// content of version `serve` (a polluted cache); `.info` reports the
    /// requested version.
    Polluted {
        /// The version whose content is served.
        serve: String,
    },
    /// The advertised URLs are `https://` but the server speaks plain HTTP.
    PlaintextOnly,
    /// TLS with a certificate from a CA that is not in the written PEM file.
    UntrustedCert,
    /// `https` requests are redirected (302) to the same URL over `http`.
    RedirectToHttp,
}

impl FaultKind {
    /// Short name used in the request log.
    pub fn name(&self) -> &'static str {
        match self {
            FaultKind::TamperZip => "tamper-zip",
            FaultKind::TamperGoMod => "tamper-go-mod",
            FaultKind::WrongHash => "wrong-hash",
            FaultKind::ForkedTree => "forked-tree",
            FaultKind::RolledBack { .. } => "rolled-back",
            FaultKind::BadSignature => "bad-signature",
            FaultKind::ForeignSignature => "foreign-signature",
            FaultKind::Status { .. } => "status",
            FaultKind::Latency { .. } => "latency",
            FaultKind::Stall { .. } => "stall",
            FaultKind::Truncate { .. } => "truncate",
            FaultKind::Reset => "reset",
            FaultKind::Oversized { .. } => "oversized",
            FaultKind::Polluted { .. } => "polluted",
            FaultKind::PlaintextOnly => "plaintext-only",
            FaultKind::UntrustedCert => "untrusted-cert",
            FaultKind::RedirectToHttp => "redirect-to-http",
        }
    }

    /// Whether the fault acts on whole connections rather than requests.
    pub fn is_connection_level(&self) -> bool {
        matches!(self, FaultKind::PlaintextOnly | FaultKind::UntrustedCert)
    }
}

/// A fault and where it applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fault {
    /// What goes wrong.
    #[serde(flatten)]
    pub kind: FaultKind,
    /// Only for this module path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub module: Option<String>,
    /// Only for this version (with `module`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Only for this endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<Endpoint>,
    /// Only for request paths starting with this (after percent-decoding).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_prefix: Option<String>,
}

impl From<FaultKind> for Fault {
    fn from(kind: FaultKind) -> Fault {
        Fault::new(kind)
    }
}

impl Fault {
    /// An unscoped fault.
    pub fn new(kind: FaultKind) -> Fault {
        Fault {
            kind,
            module: None,
            version: None,
            endpoint: None,
            path_prefix: None,
        }
    }

    /// Restricts the fault to one module path.
    pub fn module(mut self, path: impl Into<String>) -> Fault {
        self.module = Some(path.into());
        self
    }

    /// Restricts the fault to one module version (`path@version`).
    pub fn module_version(mut self, path: impl Into<String>, version: impl Into<String>) -> Fault {
        self.module = Some(path.into());
        self.version = Some(version.into());
        self
    }

    /// Restricts the fault to one endpoint.
    pub fn endpoint(mut self, e: Endpoint) -> Fault {
        self.endpoint = Some(e);
        self
    }

    /// Restricts the fault to request paths with this prefix.
    pub fn path_prefix(mut self, p: impl Into<String>) -> Fault {
        self.path_prefix = Some(p.into());
        self
    }

    /// Whether the fault's module scope covers `path@version`.
    pub fn covers_module(&self, path: &str, version: Option<&str>) -> bool {
        match (&self.module, &self.version) {
            (None, _) => true,
            (Some(m), None) => m == path,
            (Some(m), Some(v)) => m == path && version == Some(v.as_str()),
        }
    }

    /// Whether the fault applies to a request.
    pub fn matches(&self, req: &RequestTarget<'_>) -> bool {
        if let Some(e) = self.endpoint
            && req.endpoint != Some(e)
        {
            return false;
        }
        if let Some(p) = &self.path_prefix
            && !req.path.starts_with(p.as_str())
        {
            return false;
        }
        if self.module.is_some() {
            match req.module {
                Some((m, v)) => self.covers_module(m, v),
                None => false,
            }
        } else {
            true
        }
    }
}

/// What a request is about, for matching faults.
#[derive(Debug, Clone, Copy)]
pub struct RequestTarget<'a> {
    /// Decoded URL path.
    pub path: &'a str,
    /// Endpoint, if the path is one the lab knows.
    pub endpoint: Option<Endpoint>,
    /// Module path and version (if the endpoint names one).
    pub module: Option<(&'a str, Option<&'a str>)>,
}

/// A scenario file: a list of faults.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Free-form description.
    #[serde(default)]
    pub description: String,
    /// The faults.
    #[serde(default, rename = "fault")]
    pub faults: Vec<Fault>,
}

/// Why a scenario file was rejected.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ScenarioError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The TOML is invalid or names an unknown fault: `file:line:column: message`.
    #[error("{}:{line}:{column}: {message}", path.display())]
    Toml {
        /// The file.
        path: std::path::PathBuf,
        /// 1-based line of the offending text.
        line: usize,
        /// 1-based column (in characters).
        column: usize,
        /// What is wrong (the TOML parser's or deserializer's text, on one line).
        message: String,
    },
    /// A fault is scoped by version but not by module.
    #[error("{}:{line}: fault {index}: `version` needs `module`", path.display())]
    VersionWithoutModule {
        /// The file.
        path: std::path::PathBuf,
        /// Index of the fault.
        index: usize,
        /// 1-based line of the fault's `version`.
        line: usize,
    },
}

/// A scenario file as read, each fault kept as a table with its place in the file: a
/// fault's kind is flattened into it, and serde loses the position of errors inside a
/// flattened value, so each fault is decoded on its own and its errors placed here.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    #[serde(default)]
    description: String,
    #[serde(default)]
    fault: Vec<toml::Spanned<toml::Table>>,
}

/// 1-based line and column (in characters) of byte `offset` of `text`.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..text.floor_char_boundary(offset.min(text.len()))];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, column)
}

/// Where, inside a fault's text, an error about it belongs: the `kind` line for an unknown
/// kind, the line of a key the message names, else the line of a value it quotes, else the
/// fault's first line.
fn fault_error_offset(text: &str, span: std::ops::Range<usize>, message: &str) -> usize {
    // The fault's text: from its span (its `[[fault]]` header) to the next table header.
    let start = span.start.min(text.len());
    let end = text[start..]
        .match_indices("\n[")
        .map(|(i, _)| start + i + 1)
        .find(|&i| i > span.end.min(text.len()))
        .unwrap_or(text.len());
    let span = start..end;
    let body = &text[span.clone()];
    let key_line = |key: &str| {
        let mut at = 0;
        for l in body.split_inclusive('\n') {
            let t = l.trim_start();
            if let Some(rest) = t.strip_prefix(key)
                && rest.trim_start().starts_with('=')
            {
                return Some(at + (l.len() - t.len()));
            }
            at += l.len();
        }
        None
    };
    let named: Vec<&str> = message.split('`').skip(1).step_by(2).collect();
    let found = if message.contains("variant") || message.contains("missing field") {
        key_line("kind")
    } else {
        named.iter().find_map(|k| key_line(k)).or_else(|| {
            // "invalid type: string \"x\", expected u16": the line holding that value.
            let quoted = message.split('"').nth(1)?;
            let mut at = 0;
            for l in body.split_inclusive('\n') {
                if let Some((_, v)) = l.split_once('=')
                    && v.contains(quoted)
                {
                    return Some(at + (l.len() - l.trim_start().len()));
                }
                at += l.len();
            }
            None
        })
    };
    span.start + found.unwrap_or(0)
}

impl Scenario {
    /// Parses scenario TOML; `path` is only used in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Scenario, ScenarioError> {
        let toml_error = |offset: Option<usize>, message: &str| {
            let (line, column) = offset.map_or((1, 1), |o| line_column(text, o));
            ScenarioError::Toml {
                path: path.to_path_buf(),
                line,
                column,
                // toml's messages may span lines; one line reads better after `file:l:c:`.
                message: message.trim().replace('\n', "; "),
            }
        };
        let raw: RawScenario =
            toml::from_str(text).map_err(|e| toml_error(e.span().map(|s| s.start), e.message()))?;
        let mut faults = Vec::with_capacity(raw.fault.len());
        for spanned in raw.fault {
            let span = spanned.span();
            let fault: Fault = toml::Value::Table(spanned.into_inner())
                .try_into()
                .map_err(|e: toml::de::Error| {
                    toml_error(
                        Some(fault_error_offset(text, span.clone(), e.message())),
                        e.message(),
                    )
                })?;
            faults.push((fault, span));
        }
        if let Some(index) = faults
            .iter()
            .position(|(f, _)| f.version.is_some() && f.module.is_none())
        {
            let span = faults[index].1.clone();
            let offset = fault_error_offset(text, span, "`version`");
            return Err(ScenarioError::VersionWithoutModule {
                path: path.to_path_buf(),
                index,
                line: line_column(text, offset).0,
            });
        }
        Ok(Scenario {
            description: raw.description,
            faults: faults.into_iter().map(|(f, _)| f).collect(),
        })
    }

    /// Reads and parses a scenario file.
    pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
        let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Scenario::parse(&text, path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenario_toml() {
        let s = Scenario::parse(
            r#"
description = "500 on one zip, slow everything"
[[fault]]
kind = "status"
status = 500
module = "example.com/a"
endpoint = "zip"
[[fault]]
kind = "latency"
ms = 20
[[fault]]
kind = "polluted"
serve = "v1.0.0"
module = "example.com/a"
version = "v1.9.9"
"#,
            Path::new("s.toml"),
        )
        .unwrap();
        assert_eq!(
            s.faults,
            vec![
                Fault::new(FaultKind::Status { status: 500 })
                    .module("example.com/a")
                    .endpoint(Endpoint::Zip),
                Fault::new(FaultKind::Latency { ms: 20 }),
                Fault::new(FaultKind::Polluted {
                    serve: "v1.0.0".into()
                })
                .module_version("example.com/a", "v1.9.9"),
            ]
        );
    }

    #[test]
    fn every_kind_round_trips_under_its_log_name() {
        let kinds = vec![
            FaultKind::TamperZip,
            FaultKind::TamperGoMod,
            FaultKind::WrongHash,
            FaultKind::ForkedTree,
            FaultKind::RolledBack { size: 3 },
            FaultKind::BadSignature,
            FaultKind::ForeignSignature,
            FaultKind::Status { status: 503 },
            FaultKind::Latency { ms: 5 },
            FaultKind::Stall {
                after_bytes: 1,
                ms: 2,
            },
            FaultKind::Truncate { bytes: 9 },
            FaultKind::Reset,
            FaultKind::Oversized { bytes: 10 },
            FaultKind::Polluted {
                serve: "v1.0.0".into(),
            },
            FaultKind::PlaintextOnly,
            FaultKind::UntrustedCert,
            FaultKind::RedirectToHttp,
        ];
        for k in kinds {
            let s = Scenario {
                description: String::new(),
                faults: vec![Fault::new(k.clone()).endpoint(Endpoint::TreeHead)],
            };
            let text = toml::to_string(&s).unwrap();
            assert!(text.contains(&format!("kind = \"{}\"", k.name())), "{text}");
            assert_eq!(Scenario::parse(&text, Path::new("x")).unwrap(), s);
        }
    }

    #[test]
    fn scenario_fixtures_parse() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/scenarios");
        let mut n = 0;
        for e in std::fs::read_dir(dir).unwrap() {
            let s = Scenario::load(&e.unwrap().path()).unwrap();
            assert!(!s.description.is_empty() && !s.faults.is_empty());
            n += 1;
        }
        assert_eq!(n, 3);
    }

    #[test]
    fn scenario_errors_name_the_line_once() {
        let p = Path::new("s.toml");
        let err = |text: &str| Scenario::parse(text, p).unwrap_err().to_string();
        // An unknown kind on line 2 (it was reported at 1:1).
        let e = err("[[fault]]\nkind = \"nope\"\n");
        assert!(e.starts_with("s.toml:2:1: unknown variant `nope`"), "{e}");
        assert_eq!(e.matches("unknown variant").count(), 1, "{e}");
        assert!(!e.contains('\n'), "{e}");
        // The second fault's bad value, on line 6.
        let e =
            err("[[fault]]\nkind = \"reset\"\n\n[[fault]]\nkind = \"status\"\nstatus = \"x\"\n");
        assert!(e.starts_with("s.toml:6:1: invalid type"), "{e}");
        // A missing field: the fault's kind line.
        let e = err("description = \"d\"\n[[fault]]\nkind = \"latency\"\n");
        assert!(e.starts_with("s.toml:3:1: missing field `ms`"), "{e}");
        // Syntax errors keep the parser's place.
        let e = err("description = \"d\"\n[[fault]]\nkind = = 1\n");
        assert!(e.starts_with("s.toml:3:"), "{e}");
        assert!(!e.contains('\n'), "{e}");
        // An unknown top-level key.
        let e = err("\nnope = 1\n");
        assert!(e.starts_with("s.toml:2:1: unknown field `nope`"), "{e}");
        assert_eq!(
            err("[[fault]]\nkind = \"reset\"\nversion = \"v1.0.0\"\n"),
            "s.toml:3: fault 0: `version` needs `module`"
        );
        assert!(matches!(
            Scenario::parse("[[fault]]\nkind = \"reset\"\nversion = \"v1.0.0\"\n", p),
            Err(ScenarioError::VersionWithoutModule { index: 0, .. })
        ));
    }

    #[test]
    fn matching() {
        let f = Fault::new(FaultKind::Reset)
            .module_version("example.com/a", "v1.0.0")
            .endpoint(Endpoint::Zip);
        let t = |e, m, v| RequestTarget {
            path: "/x",
            endpoint: Some(e),
            module: Some((m, v)),
        };
        assert!(f.matches(&t(Endpoint::Zip, "example.com/a", Some("v1.0.0"))));
        assert!(!f.matches(&t(Endpoint::Mod, "example.com/a", Some("v1.0.0"))));
        assert!(!f.matches(&t(Endpoint::Zip, "example.com/a", Some("v1.0.1"))));
        assert!(!f.matches(&t(Endpoint::Zip, "example.com/b", Some("v1.0.0"))));
        assert!(Fault::new(FaultKind::Reset).matches(&RequestTarget {
            path: "/",
            endpoint: None,
            module: None
        }));
    }
}
