//! `verify cache` as findings and output: the [`Results`] turned into catalog findings
//! ([`findings`]) that the policy governs and the engine's text, JSON and SARIF renderers
//! print, the text around them ([`write_text`]), the JSON document ([`to_json`]) and the exit
//! decision ([`outcome`]), as `verify sums` and `verify proxy` do
//! (`verify/sums_output.rs`, `verify/proxy_output.rs`).

use std::io::{self, Write};

use serde::Serialize;

use crate::redact::redact_text;
use crate::report::catalog::{
    VERIFY_ERROR, VERIFY_MISMATCH, VERIFY_MISSING, VERIFY_NOTHING_VERIFIED,
};
use crate::report::text::TextOptions;
use crate::report::{Evidence, FailOn, Finding, Report, Rule};
use crate::verify::sums_output::{FOLDED_EXAMPLES, RunOutcome, redact_value};
use crate::verify::{
    Change, FileChange, ItemKind, ItemResult, Outcome, Reference, Results, VerifyStatus,
};

/// Findings of one rule reported one by one before the rest are folded into one (2,715
/// writable trees must not make a report of 2,715 entries; `--format json` lists every item).
const PER_ITEM_MAX: usize = 100;

/// Files of one item named in its finding (the JSON output has them all).
const MAX_FILES: usize = 20;

/// The rules whose active findings fail the run whatever `--fail-on` says: something was
/// compared and did not hold, could not be compared, or nothing was compared at all (fail
/// closed, as `go mod verify` fails on a missing `.ziphash`). The policy may still ignore
/// them (with a reason, kept in the output).
pub const FAILURE_RULES: &[&Rule] = &[
    &VERIFY_MISMATCH,
    &VERIFY_MISSING,
    &VERIFY_ERROR,
    &VERIFY_NOTHING_VERIFIED,
];

fn reference_name(r: Reference) -> &'static str {
    match r {
        Reference::Ziphash => ".ziphash",
        Reference::GoSum => "go.sum",
        Reference::Sumdb => "checksum database",
        Reference::Zip => "zip",
        Reference::Proxy => "proxy",
    }
}

fn change_name(c: Change) -> &'static str {
    match c {
        Change::Modified => "modified",
        Change::Added => "added",
        Change::Missing => "missing",
        Change::NotRegular => "not a regular file",
        Change::Writable => "writable",
    }
}

/// The finding of one item that is not clean, or `None` for a clean one. Evidence: the
/// go.sum line first (SARIF's result location), then the cache file, then what each
/// reference that disagrees says, then the files a tree comparison names.
fn item_finding(item: &ItemResult) -> Option<Finding> {
    let rule = item.status.rule()?;
    let mut f = Finding::new(rule, format!("{}: {}", item.subject(), item.message));
    let says = |against: Reference| {
        item.checks
            .iter()
            .find(|c| c.against == against && c.outcome == Outcome::Mismatch)
            .map(|c| {
                format!(
                    "{} says {}",
                    reference_name(against),
                    c.expected.as_deref().unwrap_or("?")
                )
            })
    };
    if let Some(loc) = item.go_sum_location() {
        f = f.with_evidence(Evidence {
            value: Some(says(Reference::GoSum).unwrap_or_else(|| "go.sum line".to_owned())),
            location: Some(loc.clone()),
            ..Evidence::default()
        });
    }
    if let Some(p) = &item.path {
        let what = match item.kind {
            ItemKind::Dir => "extracted tree",
            ItemKind::Leftover => "leftover file",
            kind => kind.as_str(),
        };
        f = f.with_evidence(Evidence {
            value: Some(what.to_owned()),
            ..Evidence::default().at(p.clone(), None)
        });
    }
    for against in [Reference::Ziphash, Reference::Sumdb, Reference::Zip] {
        if let Some(value) = says(against) {
            f = f.with_evidence(Evidence {
                value: Some(value),
                ..Evidence::default()
            });
        }
    }
    for FileChange { change, name } in item.files.iter().take(MAX_FILES) {
        f = f.with_evidence(Evidence {
            value: Some(format!("{}: {name}", change_name(*change))),
            ..Evidence::default()
        });
    }
    if item.files.len() > MAX_FILES {
        f = f.with_evidence(Evidence {
            value: Some(format!(
                "... and {} more files (see --format json)",
                item.files.len() - MAX_FILES
            )),
            ..Evidence::default()
        });
    }
    if let Some(m) = &item.module {
        f = f.with_affected(match &item.version {
            Some(v) => format!("{m}@{v}"),
            None => m.clone(),
        });
    }
    Some(f)
}

/// Every finding of a `verify cache` run, before the policy: one per item that is not clean
/// (the first 100 of each rule, then one that folds the rest with their count),
/// and `verify/nothing-verified` when no item was compared with go.sum or the database.
pub fn findings(r: &Results) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    let mut folded: Vec<(&'static Rule, usize, Vec<Finding>)> = Vec::new();
    for f in r.items.iter().filter_map(item_finding) {
        if out.iter().filter(|o| o.rule.id == f.rule.id).count() < PER_ITEM_MAX {
            out.push(f);
            continue;
        }
        match folded.iter_mut().find(|(rule, ..)| rule.id == f.rule.id) {
            Some((_, n, examples)) => {
                *n += 1;
                if examples.len() < FOLDED_EXAMPLES {
                    examples.push(f);
                }
            }
            None => folded.push((f.rule, 1, vec![f])),
        }
    }
    for (rule, n, examples) in folded {
        let mut f = Finding::new(
            rule,
            format!(
                "{n} more items like the {PER_ITEM_MAX} above (every item is in --format json)"
            ),
        );
        for e in examples {
            f.evidence.extend(e.location().cloned().map(|l| Evidence {
                location: Some(l),
                ..Evidence::default()
            }));
            f.affected.extend(e.affected);
        }
        out.push(f);
    }
    if nothing_verified(r) {
        out.push(Finding::new(
            &VERIFY_NOTHING_VERIFIED,
            format!(
                "none of the {} items was compared with go.sum or the checksum database",
                r.items.len()
            ),
        ));
    }
    out
}

/// Whether no item was verified (compared with go.sum or the checksum database and found
/// equal): an empty cache too, which proves nothing either.
pub fn nothing_verified(r: &Results) -> bool {
    r.counts().verified == 0
}

/// The exit decision: an active failure finding fails; else `--fail-on` decides.
pub fn outcome(report: &Report, fail_on: FailOn) -> RunOutcome {
    let failure = report
        .findings()
        .iter()
        .any(|f| FAILURE_RULES.iter().any(|r| r.id == f.rule.id));
    if failure || report.exceeds(fail_on) {
        RunOutcome::Fail
    } else {
        RunOutcome::Pass
    }
}

/// One item as the verbose listing shows it: `mismatch   dir example.com/a@v1.0.0: …`.
fn write_item(item: &ItemResult, w: &mut impl Write) -> io::Result<()> {
    writeln!(
        w,
        "{:<10} {} {}: {}",
        item.status.as_str(),
        item.kind.as_str(),
        item.subject(),
        redact_text(&item.message)
    )?;
    if let Some(p) = &item.path {
        writeln!(w, "           at {}", p.display())?;
    }
    Ok(())
}

/// The text report: with `verbose`, every item first (verified ones too); then the findings
/// through the engine's text renderer, the run's notes, and a last line with the counts.
pub fn write_text(
    r: &Results,
    report: &Report,
    verbose: bool,
    opts: TextOptions,
    w: &mut impl Write,
) -> io::Result<()> {
    if verbose {
        for item in &r.items {
            write_item(item, w)?;
        }
        writeln!(w)?;
    }
    crate::report::text::render(report, opts, w)?;
    for n in &r.notes {
        writeln!(w, "note: {}", redact_text(n))?;
    }
    writeln!(w, "{}", last_line(r))
}

/// `verify cache: 3 items: 2 verified, 1 mismatch`, with `nothing was verified` when no
/// item was.
pub fn last_line(r: &Results) -> String {
    let c = r.counts();
    let mut parts = vec![format!("{} verified", c.verified)];
    for (n, name) in [
        (c.mismatch, "mismatch"),
        (c.missing, "missing"),
        (c.error, "error"),
        (c.writable, "writable"),
        (c.leftover, "leftover"),
        (c.not_cached, "not cached"),
        (
            c.unverified,
            "unverified (compared with neither go.sum nor the checksum database)",
        ),
    ] {
        if n > 0 {
            parts.push(format!("{n} {name}"));
        }
    }
    if nothing_verified(r) {
        parts.push("nothing was verified".to_owned());
    }
    format!("{}: {} items: {}", r.command, c.total, parts.join(", "))
}

/// The JSON document: the engine's finding report (`schema_version`, `findings`,
/// `suppressed`, `summary`) with the run's details beside it: `command`, `results` (one
/// object per item, with `status`, `checks` and `files`), `notes`, `counts` (items per
/// status), `failed` and `nothing_verified`. Absent fields are `null`, never missing;
/// credentials in URLs are redacted.
pub fn to_json(r: &Results, report: &Report, outcome: RunOutcome) -> serde_json::Value {
    #[derive(Serialize)]
    struct JsonItem<'a> {
        kind: ItemKind,
        module: Option<&'a str>,
        version: Option<&'a str>,
        path: Option<String>,
        status: VerifyStatus,
        message: &'a str,
        hash: Option<&'a str>,
        checks: Vec<JsonCheck<'a>>,
        files: &'a [FileChange],
    }
    #[derive(Serialize)]
    struct JsonCheck<'a> {
        against: Reference,
        outcome: Outcome,
        expected: Option<&'a str>,
        location: Option<JsonLocation>,
        note: Option<&'a str>,
    }
    #[derive(Serialize)]
    struct JsonLocation {
        path: String,
        line: Option<u32>,
    }
    let results: Vec<JsonItem> = r
        .items
        .iter()
        .map(|i| JsonItem {
            kind: i.kind,
            module: i.module.as_deref(),
            version: i.version.as_deref(),
            path: i.path.as_ref().map(|p| p.to_string_lossy().into_owned()),
            status: i.status,
            message: &i.message,
            hash: i.hash.as_deref(),
            checks: i
                .checks
                .iter()
                .map(|c| JsonCheck {
                    against: c.against,
                    outcome: c.outcome,
                    expected: c.expected.as_deref(),
                    location: c.location.as_ref().map(|l| JsonLocation {
                        path: l.path.to_string_lossy().into_owned(),
                        line: l.line,
                    }),
                    note: c.note.as_deref(),
                })
                .collect(),
            files: &i.files,
        })
        .collect();
    let mut doc = crate::report::json::to_value(report);
    let details = serde_json::json!({
        "command": r.command,
        "results": results,
        "notes": r.notes,
        "counts": r.counts(),
        "failed": outcome == RunOutcome::Fail,
        "nothing_verified": nothing_verified(r),
    });
    if let (Some(doc), serde_json::Value::Object(details)) = (doc.as_object_mut(), details) {
        doc.extend(details);
    }
    redact_value(&mut doc);
    doc
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Location;
    use crate::verify::Check;

    #[test]
    fn finding_locates_go_sum_line_first() {
        let mut item = ItemResult::new(ItemKind::Zip, VerifyStatus::Mismatch, "zip modified");
        item.module = Some("example.com/a".into());
        item.version = Some("v1.0.0".into());
        item.path = Some("/c/v1.0.0.zip".into());
        item.checks.push(Check {
            location: Some(Location {
                path: "go.sum".into(),
                line: Some(3),
            }),
            expected: Some("h1:x".into()),
            ..Check::new(Reference::GoSum, Outcome::Mismatch)
        });
        let ok = ItemResult::new(ItemKind::Mod, VerifyStatus::Verified, "ok");
        let r = Results {
            command: "verify cache",
            items: vec![item, ok],
            notes: vec![],
        };
        let report = Report::new(findings(&r));
        assert_eq!(report.findings().len(), 1);
        let f = &report.findings()[0];
        assert_eq!(f.rule.id, "verify/mismatch");
        assert_eq!(f.location().unwrap().to_string(), "go.sum:3");
        assert_eq!(f.evidence[0].value.as_deref(), Some("go.sum says h1:x"));
        assert_eq!(f.affected, ["example.com/a@v1.0.0"]);
        assert_eq!(outcome(&report, FailOn::Never), RunOutcome::Fail);
    }

    #[test]
    fn nothing_verified_is_a_finding() {
        let r = Results {
            command: "verify cache",
            items: vec![ItemResult::new(
                ItemKind::Zip,
                VerifyStatus::Unverified,
                "zip matches .ziphash",
            )],
            notes: vec![],
        };
        let ids: Vec<_> = findings(&r).iter().map(|f| f.rule.id).collect();
        assert_eq!(ids, ["verify/nothing-verified"]);
        assert!(last_line(&r).ends_with("nothing was verified"));
    }

    #[test]
    fn many_items_of_one_rule_fold() {
        let items = (0..PER_ITEM_MAX + 7)
            .map(|i| {
                let mut item = ItemResult::new(ItemKind::Dir, VerifyStatus::Writable, "w");
                item.module = Some(format!("example.com/m{i}"));
                item.version = Some("v1.0.0".into());
                item
            })
            .chain([ItemResult::new(ItemKind::Mod, VerifyStatus::Verified, "ok")])
            .collect();
        let r = Results {
            command: "verify cache",
            items,
            notes: vec![],
        };
        let f = findings(&r);
        assert_eq!(f.len(), PER_ITEM_MAX + 1);
        let last = f.last().unwrap();
        assert!(last.message.starts_with("7 more items"), "{}", last.message);
        assert_eq!(last.affected.len(), FOLDED_EXAMPLES);
    }
}
