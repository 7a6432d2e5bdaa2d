//! SARIF 2.1.0 output for code scanning (GitHub, GitLab, Azure DevOps).
//!
//! A small hand-written model of the parts we use, like cargo-deny and cargo-audit do:
//! `runs[0].tool.driver` lists the whole rule catalog (short description, help, default level,
//! GitHub's `security-severity`), and each finding is a result with `ruleId`, `ruleIndex`,
//! `level`, `message` and, when a file is known, a physical location with the start line.
//! Findings ignored by the policy are results with an external suppression carrying the reason,
//! which code-scanning tools show as dismissed.
//!
//! Relative paths are relative to the repository root (or, outside a repository, to the
//! scanned directory) and carry `uriBaseId: SRCROOT`, resolved by `originalUriBaseIds` when the
//! report knows that directory. Every result has a `partialFingerprints` entry that does not
//! depend on line numbers, so an alert survives edits above it. A finding about an
//! environment variable with no file (the process environment) gets a logical location naming
//! the variable. Notes of the report (files skipped, values unresolved) are
//! `invocations[0].toolExecutionNotifications`.

use crate::redact::redact_text;
use std::io::{self, Write};
use std::path::Path;

use serde::Serialize;

use sha2::{Digest, Sha256};

use super::{Finding, Location, Note, Report, Rule, Severity, catalog};

/// The `uriBaseId` of relative locations.
pub const SRCROOT: &str = "SRCROOT";

/// The `$schema` written in the log.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// The SARIF version written in the log.
pub const SARIF_VERSION: &str = "2.1.0";
/// `tool.driver.informationUri`.
pub const INFORMATION_URI: &str = "https://github.com/gotrust/gotrust";

#[derive(Serialize)]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    #[serde(skip_serializing_if = "Option::is_none")]
    original_uri_base_ids: Option<std::collections::BTreeMap<&'static str, BaseUri>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    invocations: Vec<Invocation>,
    results: Vec<SarifResult>,
}

#[derive(Serialize)]
struct BaseUri {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Notification {
    level: &'static str,
    message: Text,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<SarifLocation>,
    descriptor: DescriptorRef,
}

#[derive(Serialize)]
struct DescriptorRef {
    id: &'static str,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: String,
    information_uri: &'static str,
    rules: Vec<ReportingDescriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor {
    id: &'static str,
    short_description: Text,
    help: Text,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: [&'static str; 2],
    #[serde(rename = "security-severity")]
    security_severity: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<SarifLocation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<SarifLocation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression>,
    partial_fingerprints: std::collections::BTreeMap<&'static str, String>,
    properties: ResultProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation {
    #[serde(skip_serializing_if = "Option::is_none")]
    physical_location: Option<PhysicalLocation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    logical_locations: Vec<LogicalLocation>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation {
    name: String,
    fully_qualified_name: String,
    kind: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
}

#[derive(Serialize)]
struct Suppression {
    kind: &'static str,
    justification: String,
}

#[derive(Serialize)]
struct ResultProperties {
    severity: Severity,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    affected: Vec<String>,
    fix: String,
}

/// SARIF `level` for a severity: critical and high are errors, medium a warning, the rest notes.
pub fn level(sev: Severity) -> &'static str {
    match sev {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub code scanning's `security-severity` score (its bands: >= 9.0 critical, 7.0-8.9 high,
/// 4.0-6.9 medium, 0.1-3.9 low).
fn security_severity(sev: Severity) -> &'static str {
    match sev {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "2.0",
        Severity::Info => "0.0",
    }
}

/// A URI reference for `path`: relative paths stay relative (resolved against the scan root by
/// code-scanning tools), absolute ones become `file://` URIs. Reserved characters are
/// percent-encoded.
fn path_uri(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    let mut out = String::with_capacity(s.len() + 8);
    if s.starts_with('/') {
        out.push_str("file://");
    } else if s.as_bytes().get(1) == Some(&b':') {
        // A Windows drive path: file:///C:/...
        out.push_str("file:///");
    }
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~:@!$&'()*+,;=".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn location(l: &Location) -> SarifLocation {
    let uri = path_uri(&l.path);
    let relative = !uri.starts_with("file:");
    SarifLocation {
        physical_location: Some(PhysicalLocation {
            artifact_location: ArtifactLocation {
                uri: redact_text(&uri),
                uri_base_id: relative.then_some(SRCROOT),
            },
            region: l
                .line
                .filter(|&n| n > 0)
                .map(|start_line| Region { start_line }),
        }),
        logical_locations: Vec::new(),
    }
}

/// Where a finding without a file is: the environment variables of its evidence.
fn logical(f: &Finding) -> Option<SarifLocation> {
    let vars: Vec<LogicalLocation> = f
        .evidence
        .iter()
        .filter_map(|e| e.variable.as_ref())
        .filter(|v| !v.contains(' '))
        .map(|v| LogicalLocation {
            name: v.clone(),
            fully_qualified_name: format!("environment/{v}"),
            kind: "variable",
        })
        .take(1)
        .collect();
    (!vars.is_empty()).then_some(SarifLocation {
        physical_location: None,
        logical_locations: vars,
    })
}

/// A fingerprint of what the finding is about, not where: rule, file, variables and
/// affected patterns (no line, no message wording), hashed.
fn fingerprint(f: &Finding) -> String {
    let mut h = Sha256::new();
    h.update(f.rule.id.as_bytes());
    if let Some(l) = f.location() {
        h.update(b"\0");
        // An absolute path (a go env file, a temporary directory) differs between machines:
        // only its file name is part of the fingerprint.
        let path = if l.path.is_absolute() {
            l.path
                .file_name()
                .map(std::path::Path::new)
                .unwrap_or(&l.path)
        } else {
            &l.path
        };
        h.update(path_uri(path).as_bytes());
    }
    for e in &f.evidence {
        if let Some(v) = &e.variable {
            h.update(b"\0");
            h.update(v.as_bytes());
        }
    }
    for a in &f.affected {
        h.update(b"\0");
        h.update(a.as_bytes());
    }
    hex::encode(&h.finalize()[..16])
}

fn notification(n: &Note) -> Notification {
    Notification {
        level: "note",
        message: Text {
            text: redact_text(&n.message),
        },
        locations: n.location.iter().map(location).collect(),
        descriptor: DescriptorRef { id: n.kind },
    }
}

fn result(rules: &[&Rule], f: &Finding, suppressed: Option<&str>) -> SarifResult {
    // `rules` holds every rule of the report (see `model`), so the fallback is never used; it
    // only avoids a panic path.
    let rule_index = rules.iter().position(|r| r.id == f.rule.id).unwrap_or(0);
    SarifResult {
        rule_id: f.rule.id,
        rule_index,
        level: level(f.severity),
        message: Text {
            text: redact_text(&f.message),
        },
        // The first file is the result's location; further ones (the second go.sum line of a
        // conflict) are related locations. Without a file, the variable is the location.
        locations: f
            .location()
            .map(location)
            .or_else(|| logical(f))
            .into_iter()
            .collect(),
        related_locations: f
            .evidence
            .iter()
            .filter_map(|e| e.location.as_ref())
            .skip(1)
            .map(location)
            .collect(),
        suppressions: suppressed
            .map(|reason| Suppression {
                kind: "external",
                justification: redact_text(reason),
            })
            .into_iter()
            .collect(),
        partial_fingerprints: [("gotrust/v1", fingerprint(f))].into_iter().collect(),
        properties: ResultProperties {
            severity: f.severity,
            affected: f.affected.iter().map(|a| redact_text(a)).collect(),
            fix: redact_text(&f.fix),
        },
    }
}

fn model(report: &Report, tool_version: &str) -> Log {
    // The whole catalog, plus any rule a library user defined outside it.
    let mut all: Vec<&Rule> = catalog::RULES.to_vec();
    for rule in report.rules() {
        if !all.iter().any(|r| r.id == rule.id) {
            all.push(rule);
        }
    }
    let rules = all
        .iter()
        .map(|r| ReportingDescriptor {
            id: r.id,
            short_description: Text {
                text: r.summary.to_owned(),
            },
            help: Text {
                text: r.help.to_owned(),
            },
            default_configuration: Configuration {
                level: level(r.severity),
            },
            properties: RuleProperties {
                tags: ["security", r.category()],
                security_severity: security_severity(r.severity),
            },
        })
        .collect();
    let results = report
        .findings()
        .iter()
        .map(|f| result(&all, f, None))
        .chain(
            report
                .suppressed()
                .iter()
                .map(|s| result(&all, &s.finding, Some(&s.reason))),
        )
        .collect();
    Log {
        schema: SCHEMA_URI,
        version: SARIF_VERSION,
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "gotrust",
                    version: tool_version.to_owned(),
                    information_uri: INFORMATION_URI,
                    rules,
                },
            },
            original_uri_base_ids: report.uri_base().map(|b| {
                let mut uri = path_uri(b);
                if !uri.ends_with('/') {
                    uri.push('/');
                }
                [(SRCROOT, BaseUri { uri })].into_iter().collect()
            }),
            invocations: if report.notes().is_empty() {
                Vec::new()
            } else {
                vec![Invocation {
                    execution_successful: true,
                    tool_execution_notifications: report.notes().iter().map(notification).collect(),
                }]
            },
            results,
        }],
    }
}

/// The SARIF log as a JSON value; `tool_version` is written as `tool.driver.version`.
pub fn to_value(report: &Report, tool_version: &str) -> serde_json::Value {
    serde_json::to_value(model(report, tool_version)).expect("the SARIF model has string keys only")
}

/// Writes the SARIF log, pretty-printed, followed by a newline.
pub fn render(report: &Report, tool_version: &str, w: &mut impl Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, &model(report, tool_version))?;
    writeln!(w)
}

/// The SARIF log as a pretty-printed string with a trailing newline.
pub fn to_string(report: &Report, tool_version: &str) -> String {
    let mut s = serde_json::to_string_pretty(&model(report, tool_version))
        .expect("the SARIF model has string keys only");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris() {
        assert_eq!(path_uri(Path::new("go.sum")), "go.sum");
        assert_eq!(
            path_uri(Path::new("ci/build file.yml")),
            "ci/build%20file.yml"
        );
        assert_eq!(
            path_uri(Path::new("/home/u/.config/go/env")),
            "file:///home/u/.config/go/env"
        );
        assert_eq!(
            path_uri(Path::new("/tmp/a#b?c%")),
            "file:///tmp/a%23b%3Fc%25"
        );
        assert_eq!(path_uri(Path::new("/tmp/é")), "file:///tmp/%C3%A9");
    }

    #[test]
    fn levels() {
        assert_eq!(level(Severity::Critical), "error");
        assert_eq!(level(Severity::High), "error");
        assert_eq!(level(Severity::Medium), "warning");
        assert_eq!(level(Severity::Low), "note");
        assert_eq!(level(Severity::Info), "note");
    }
}
