//! The JSON report, schema version 1.
//!
//! ```json
//! {
//!   "schema_version": 1,
//!   "findings": [
//!     {"id": "sumdb/disabled", "severity": "critical", "message": "...",
//!      "evidence": [{"variable": "GOSUMDB", "value": "off", "origin": "...",
//!                    "location": {"path": "...", "line": 3}}],
//!      "affected": ["..."], "fix": "..."}
//!   ],
//!   "suppressed": [{"id": "...", ..., "reason": "..."}],
//!   "summary": {"total": 1, "critical": 1, "high": 0, "medium": 0, "low": 0, "info": 0,
//!               "suppressed": 0}
//! }
//! ```
//!
//! The keys `schema_version`, `id`, `severity`, `message`, `evidence` and `fix` are a contract:
//! a change to them bumps `schema_version`. Absent evidence fields are `null`, never missing.
//! Findings are in report order (most severe first). Credentials in URLs are redacted.

use crate::redact::redact_text as redact;
use std::io::{self, Write};

use serde::Serialize;

use super::{Evidence, Finding, Report, Severity, Summary};

/// The schema version this renderer writes.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct JsonReport {
    schema_version: u32,
    findings: Vec<JsonFinding>,
    suppressed: Vec<JsonSuppressed>,
    summary: Summary,
    /// What was skipped or could not be resolved (absent when there is nothing to say).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    notes: Vec<JsonNote>,
}

#[derive(Serialize)]
struct JsonNote {
    kind: &'static str,
    message: String,
    location: Option<JsonLocation>,
}

#[derive(Serialize)]
struct JsonFinding {
    id: &'static str,
    severity: Severity,
    message: String,
    evidence: Vec<JsonEvidence>,
    affected: Vec<String>,
    fix: String,
}

#[derive(Serialize)]
struct JsonSuppressed {
    #[serde(flatten)]
    finding: JsonFinding,
    reason: String,
}

#[derive(Serialize)]
struct JsonEvidence {
    variable: Option<String>,
    value: Option<String>,
    origin: Option<String>,
    location: Option<JsonLocation>,
}

#[derive(Serialize)]
struct JsonLocation {
    path: String,
    line: Option<u32>,
}

fn finding(f: &Finding) -> JsonFinding {
    JsonFinding {
        id: f.rule.id,
        severity: f.severity,
        message: redact(&f.message),
        evidence: f.evidence.iter().map(evidence).collect(),
        affected: f.affected.iter().map(|a| redact(a)).collect(),
        fix: redact(&f.fix),
    }
}

fn evidence(e: &Evidence) -> JsonEvidence {
    JsonEvidence {
        variable: e.variable.as_deref().map(redact),
        value: e.value.as_deref().map(redact),
        origin: e.origin.as_deref().map(redact),
        location: e.location.as_ref().map(|l| JsonLocation {
            path: redact(&l.path.to_string_lossy()),
            line: l.line,
        }),
    }
}

fn model(report: &Report) -> JsonReport {
    JsonReport {
        schema_version: SCHEMA_VERSION,
        findings: report.findings().iter().map(finding).collect(),
        suppressed: report
            .suppressed()
            .iter()
            .map(|s| JsonSuppressed {
                finding: finding(&s.finding),
                reason: redact(&s.reason),
            })
            .collect(),
        summary: report.summary(),
        notes: report
            .notes()
            .iter()
            .map(|n| JsonNote {
                kind: n.kind,
                message: redact(&n.message),
                location: n.location.as_ref().map(|l| JsonLocation {
                    path: redact(&l.path.to_string_lossy()),
                    line: l.line,
                }),
            })
            .collect(),
    }
}

/// The report as a JSON value.
pub fn to_value(report: &Report) -> serde_json::Value {
    serde_json::to_value(model(report)).expect("the JSON model has string keys only")
}

/// Writes the report as pretty-printed JSON followed by a newline.
pub fn render(report: &Report, w: &mut impl Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, &model(report))?;
    writeln!(w)
}

/// The report as pretty-printed JSON with a trailing newline.
pub fn to_string(report: &Report) -> String {
    let mut s =
        serde_json::to_string_pretty(&model(report)).expect("the JSON model has string keys only");
    s.push('\n');
    s
}
