//! Renderings of probe results: the conformance table (text) and the JSON document.
//!
//! Findings themselves go through [`crate::report`] (text, SARIF) so they read like every other
//! command's; this module adds what only a probe has: the per-proxy table of checks.
//!
//! JSON, schema version 1:
//!
//! ```json
//! {"schema_version": 1,
//!  "proxies": [{"url": "...", "verdict": "complete", "http_version": "HTTP/1.1",
//!               "tls": {"role": "proxy", "host": "proxy.golang.org:443", "route": "direct",
//!                       "version": "TLSv1.3", "alpn": "h2", "verified": true,
//!                       "go_error": null, "error": null, "chain": [...],
//!                       "root_public": false, "interception": [{"kind": "non_public_root", ...}]},
//!               "sumdb_tls": {...},
//!               "module": {"path": "...", "version": "..."},
//!               "checks": [{"name": "not-found.module", "outcome": "pass", "detail": "..."}],
//!               "requests": [...], "latency": {...},
//!               "findings": [...], "suppressed": [...]}],
//!  "summary": {...}}
//! ```
//! `findings`, `suppressed` and `summary` have the shape of the report JSON
//! ([`crate::report::json`]).

use std::io::{self, Write};

use super::{Outcome, ProxyProbe, Verdict};
use crate::policy::Policy;
use crate::report::{Report, json};

/// The schema version of [`to_json`].
pub const SCHEMA_VERSION: u32 = 1;

/// Writes one table per proxy: check name, outcome, detail.
pub fn render_table(probes: &[ProxyProbe], w: &mut impl Write) -> io::Result<()> {
    for (i, p) in probes.iter().enumerate() {
        if i > 0 {
            writeln!(w)?;
        }
        let verdict = match p.verdict {
            Verdict::Complete => "",
            Verdict::Unreachable => " (unreachable: no verdict)",
        };
        writeln!(w, "proxy {}{verdict}", p.url)?;
        let width = p.checks.iter().map(|c| c.name.len()).max().unwrap_or(0);
        for c in &p.checks {
            // Details come from servers (error excerpts, headers): keep them on one line.
            let detail: String = c
                .detail
                .chars()
                .map(|ch| if ch.is_control() { ' ' } else { ch })
                .collect();
            writeln!(
                w,
                "  {:<width$}  {:<4}  {}",
                c.name,
                c.outcome.label(),
                detail
            )?;
        }
        let fails = p
            .checks
            .iter()
            .filter(|c| c.outcome == Outcome::Fail)
            .count();
        writeln!(
            w,
            "  {} checks, {} failed, {} findings",
            p.checks.len(),
            fails,
            p.findings.len()
        )?;
    }
    Ok(())
}

/// Every proxy's findings in one report, after the policy.
pub fn report(probes: &[ProxyProbe], policy: &Policy) -> Report {
    Report::with_policy(
        probes
            .iter()
            .flat_map(|p| p.findings.iter().cloned())
            .collect(),
        policy,
    )
}

/// The JSON document: one object per proxy with its checks and findings (after the policy).
pub fn to_json(probes: &[ProxyProbe], policy: &Policy) -> serde_json::Value {
    let proxies: Vec<serde_json::Value> = probes
        .iter()
        .map(|p| {
            let mut v = serde_json::to_value(p).unwrap_or_default();
            let r = json::to_value(&Report::with_policy(p.findings.clone(), policy));
            if let (Some(obj), serde_json::Value::Object(mut r)) = (v.as_object_mut(), r) {
                obj.insert("findings".into(), r.remove("findings").unwrap_or_default());
                obj.insert(
                    "suppressed".into(),
                    r.remove("suppressed").unwrap_or_default(),
                );
            }
            v
        })
        .collect();
    let summary = json::to_value(&report(probes, policy))
        .get("summary")
        .cloned()
        .unwrap_or_default();
    serde_json::json!({
        "schema_version": SCHEMA_VERSION,
        "proxies": proxies,
        "summary": summary,
    })
}
