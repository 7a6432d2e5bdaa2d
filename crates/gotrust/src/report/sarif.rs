//! SARIF 2.1.0 output for code scanning (GitHub, GitLab, Azure DevOps).
//!
//! A small hand-written model of the parts we use, like cargo-deny and cargo-audit do:
//! `runs[0].tool.driver` lists the whole rule catalog (short description, help, default level,
//! GitHub's `security-severity`), and each finding is a result with `ruleId`, `ruleIndex`,
//! `level`, `message` and, when a file is known, a physical location with the start line.
//! Findings ignored by the policy are results with an external suppression carrying the reason,
//! which code-scanning tools show as dismissed.

use crate::redact::redact_text;
use std::io::{self, Write};
use std::path::Path;

use serde::Serialize;

use super::{Finding, Location, Report, Rule, Severity, catalog};

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
struct Run {
    tool: Tool,
    results: Vec<SarifResult>,
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
    properties: ResultProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
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
    SarifLocation {
        physical_location: PhysicalLocation {
            artifact_location: ArtifactLocation {
                uri: redact_text(&path_uri(&l.path)),
            },
            region: l
                .line
                .filter(|&n| n > 0)
                .map(|start_line| Region { start_line }),
        },
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
        // conflict) are related locations.
        locations: f.location().map(location).into_iter().collect(),
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
