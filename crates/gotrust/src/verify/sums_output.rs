//! `verify sums` as findings and output: the [`SumsReport`] turned into catalog findings
//! ([`findings`]) that the policy governs and the engine's text, JSON and SARIF renderers
//! print, plus the per-line text that is streamed while lines are proven ([`write_line`]),
//! the closing text ([`write_text`]), the JSON document ([`to_json`]) and the exit decision
//! ([`outcome`]).
//!
//! Fail closed: a line go would refuse (no record for a path the database covers) fails like a
//! mismatch; lines not compared with the database are findings whose severity depends on
//! whether their path is public or private; a run that verified no line says so and fails
//! unless the policy ignores `verify/nothing-verified`.

use std::io::{self, Write};
use std::path::Path;

use super::sums::{ErrorClass, HeadCheck, LineResult, LineStatus, SkipWhy, SumsReport};
use crate::redact::redact_text;
use crate::report::catalog::{
    VERIFY_DATABASE_MISBEHAVIOUR, VERIFY_NO_VERDICT, VERIFY_NOT_IN_DATABASE,
    VERIFY_NOTHING_VERIFIED, VERIFY_SKIPPED_PRIVATE, VERIFY_SKIPPED_PUBLIC, VERIFY_SUM_MISMATCH,
};
use crate::report::text::TextOptions;
use crate::report::{Evidence, FailOn, Finding, Report, Rule};

/// How many lines a folded finding names (JSON's `results` has every line).
pub const FOLDED_EXAMPLES: usize = 5;

/// Line findings of one rule reported one by one before the rest are folded into one.
const PER_LINE_MAX: usize = 100;

/// The verdict of a verification run, for the exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunOutcome {
    /// Nothing failed and every threshold held (exit 0).
    Pass,
    /// A verification failed, or a finding is at or above `--fail-on` (exit 1).
    Fail,
    /// Some item got no verdict and nothing failed (exit 2).
    NoVerdict,
}

/// The rules whose active findings fail the run whatever `--fail-on` says: something was
/// compared and did not hold, or nothing was compared at all. The policy may still ignore
/// them (with a reason, kept in the output).
pub const FAILURE_RULES: &[&Rule] = &[
    &VERIFY_SUM_MISMATCH,
    &VERIFY_NOT_IN_DATABASE,
    &VERIFY_DATABASE_MISBEHAVIOUR,
    &VERIFY_NOTHING_VERIFIED,
    &crate::report::catalog::VERIFY_PROXY_MISMATCH,
    &crate::report::catalog::VERIFY_PROXY_INVALID_ZIP,
    &crate::report::catalog::VERIFY_PROXY_BAD_INFO,
    &crate::report::catalog::VERIFY_PROXY_POLLUTED_CACHE,
    &crate::report::catalog::VERIFY_PROXY_DATABASE_INVALID,
];

/// The exit decision shared by `verify sums` and `verify proxy`: an active failure finding
/// fails; else an item without verdict is "no verdict"; else `--fail-on` decides.
pub fn outcome(report: &Report, incomplete: bool, fail_on: FailOn) -> RunOutcome {
    let failure = report
        .findings()
        .iter()
        .any(|f| FAILURE_RULES.iter().any(|r| r.id == f.rule.id));
    if failure {
        RunOutcome::Fail
    } else if incomplete {
        RunOutcome::NoVerdict
    } else if report.exceeds(fail_on) {
        RunOutcome::Fail
    } else {
        RunOutcome::Pass
    }
}

fn at(file: &Path, line: usize) -> Evidence {
    Evidence::default().at(file, u32::try_from(line).ok().filter(|l| *l > 0))
}

/// Lines folded into one finding: how many, and the first few (subject and location).
type Folded = (usize, Vec<(String, Evidence)>);

/// One finding per line for the first [`PER_LINE_MAX`] of a rule, then one that folds the
/// rest with a count and the first few of them.
#[derive(Default)]
struct LineFindings {
    out: Vec<Finding>,
    folded: Vec<(&'static Rule, Folded)>,
}

impl LineFindings {
    fn push(&mut self, rule: &'static Rule, l: &LineResult, message: String) {
        let n = self.out.iter().filter(|f| f.rule.id == rule.id).count();
        let subject = format!("{}@{}", l.module, l.version);
        if n < PER_LINE_MAX {
            self.out.push(
                Finding::new(rule, message)
                    .with_evidence(at(&l.file, l.line))
                    .with_affected(subject),
            );
            return;
        }
        match self.folded.iter_mut().find(|(r, _)| r.id == rule.id) {
            Some((_, (n, v))) => {
                *n += 1;
                if v.len() < FOLDED_EXAMPLES {
                    v.push((subject, at(&l.file, l.line)));
                }
            }
            None => self
                .folded
                .push((rule, (1, vec![(subject, at(&l.file, l.line))]))),
        }
    }

    fn finish(mut self) -> Vec<Finding> {
        for (rule, (n, lines)) in self.folded {
            self.out.push(fold(
                rule,
                format!(
                    "{n} more go.sum lines like the {PER_LINE_MAX} above (every line is in --format json)"
                ),
                &lines,
            ));
        }
        self.out
    }
}

/// One finding for many lines: the count in the message, the first [`FOLDED_EXAMPLES`] lines
/// as evidence and affected modules.
fn fold(rule: &'static Rule, message: String, lines: &[(String, Evidence)]) -> Finding {
    let mut f = Finding::new(rule, message);
    for (subject, ev) in lines.iter().take(FOLDED_EXAMPLES) {
        f = f.with_evidence(ev.clone()).with_affected(subject.clone());
    }
    f
}

/// Every finding of a `verify sums` run, before the policy.
pub fn findings(r: &SumsReport) -> Vec<Finding> {
    let mut lines = LineFindings::default();
    // Skipped lines fold per (public or private, reason): one finding says how many and why,
    // naming the first few (a million skipped lines keep five).
    let mut skipped: Vec<((bool, SkipWhy, String), Folded)> = Vec::new();
    for l in r.results() {
        let l = &l;
        match &l.status {
            LineStatus::Verified { .. } => {}
            LineStatus::Mismatch { .. } => lines.push(
                &VERIFY_SUM_MISMATCH,
                l,
                format!("{} {}: {}", l.module, l.version, line_detail(&l.status)),
            ),
            LineStatus::NotInDatabase { .. } => {
                lines.push(&VERIFY_NOT_IN_DATABASE, l, line_detail(&l.status))
            }
            LineStatus::Error {
                class: ErrorClass::Verification,
                message,
            } => lines.push(
                &VERIFY_DATABASE_MISBEHAVIOUR,
                l,
                format!("{} {}: {message}", l.module, l.version),
            ),
            LineStatus::Error { message, .. } => lines.push(
                &VERIFY_NO_VERDICT,
                l,
                if l.module.is_empty() {
                    message.clone()
                } else {
                    format!("{} {}: {message}", l.module, l.version)
                },
            ),
            LineStatus::Skipped {
                reason: SkipWhy::IgnoredByGo,
                ..
            } => {}
            LineStatus::Skipped {
                reason,
                detail,
                private,
            } => {
                // Offline misses name the missing file; the reason is the same for all.
                let why = match reason {
                    SkipWhy::NotCached => "not in the offline cache (--offline)".to_string(),
                    _ => detail.clone(),
                };
                let key = (*private, *reason, why);
                let ev = || (format!("{}@{}", l.module, l.version), at(&l.file, l.line));
                match skipped.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, (n, v))) => {
                        *n += 1;
                        if v.len() < FOLDED_EXAMPLES {
                            v.push(ev());
                        }
                    }
                    None => skipped.push((key, (1, vec![ev()]))),
                }
            }
        }
    }
    let mut out = lines.finish();
    for ((private, _, why), (n, group)) in skipped {
        let (rule, whose) = if private {
            (&VERIFY_SKIPPED_PRIVATE, "private")
        } else {
            (&VERIFY_SKIPPED_PUBLIC, "public")
        };
        out.push(fold(
            rule,
            format!(
                "{n} go.sum line{} of {whose} module paths not verified: {why}",
                if n == 1 { "" } else { "s" }
            ),
            &group,
        ));
    }
    if let Some(db) = &r.database {
        let misbehaviour = match &db.head {
            HeadCheck::RolledBack { stored, served } => Some(format!(
                "database {} rolled back: it serves a tree of size {served}, smaller than the signed tree of size {stored} seen before",
                db.name
            )),
            HeadCheck::Fork(ev) => Some(ev.report.clone()),
            HeadCheck::Invalid { message } => Some(format!(
                "database {}: its tree head did not verify: {message}",
                db.name
            )),
            _ => None,
        };
        if let Some(m) = misbehaviour.or_else(|| db.fork.as_ref().map(|f| f.report.clone())) {
            out.push(Finding::new(&VERIFY_DATABASE_MISBEHAVIOUR, m).with_affected(db.name.clone()));
        }
        if let HeadCheck::Unavailable { message } = &db.head {
            out.push(
                Finding::new(
                    &VERIFY_NO_VERDICT,
                    format!(
                        "database {}: the current tree head could not be fetched, so a rollback is not ruled out: {message}",
                        db.name
                    ),
                )
                .with_affected(db.name.clone()),
            );
        }
    }
    if nothing_verified(r) {
        out.push(Finding::new(
            &VERIFY_NOTHING_VERIFIED,
            format!(
                "none of the {} go.sum lines was verified against the checksum database",
                r.line_count()
            ),
        ));
    }
    out
}

/// Whether there were lines and none of them was verified.
pub fn nothing_verified(r: &SumsReport) -> bool {
    r.line_count() > 0 && !r.any_verified()
}

/// The detail of one line's result, as the text output shows it.
pub fn line_detail(s: &LineStatus) -> String {
    match s {
        LineStatus::Verified {
            record_id,
            tree_size,
            ..
        } => format!("record {record_id} in tree of size {tree_size}"),
        LineStatus::Mismatch {
            go_sum, database, ..
        } => format!(
            "go.sum has {go_sum}, the database records {}",
            database.join(", ")
        ),
        LineStatus::NotInDatabase {
            go_error,
            cached_age_secs: None,
            ..
        } => go_error.clone(),
        LineStatus::NotInDatabase {
            go_error,
            cached_age_secs: Some(age),
            ..
        } => format!(
            "{go_error}\n\t(the database's answer of {age}s ago, not asked again within --head-max-age)"
        ),
        LineStatus::Skipped { detail, .. } => detail.clone(),
        LineStatus::Error { message, .. } => message.clone(),
    }
}

/// Whether the text output shows a line as it is judged: every line that is not verified,
/// and verified ones too with `verbose`.
pub fn shows_line(l: &LineResult, verbose: bool) -> bool {
    verbose || !matches!(l.status, LineStatus::Verified { .. })
}

/// One line's result, as printed while lines are proven:
/// `go.sum:5: mismatch example.com/m v1.0.0: go.sum has …, the database records …`.
pub fn write_line(l: &LineResult, w: &mut impl Write) -> io::Result<()> {
    writeln!(
        w,
        "{}:{}: {} {} {}: {}",
        l.file.display(),
        l.line,
        l.status.name(),
        l.module,
        l.version,
        redact_text(&line_detail(&l.status))
    )
}

/// The text after the streamed lines: the database verdict (unless `quiet`), the findings
/// through the engine's text renderer, and a last line with the counts (which says when
/// nothing was verified).
pub fn write_text(
    r: &SumsReport,
    report: &Report,
    quiet: bool,
    opts: TextOptions,
    w: &mut impl Write,
) -> io::Result<()> {
    if let Some(db) = &r.database
        && !quiet
    {
        let head = match &db.head {
            HeadCheck::NotChecked if db.offline => format!(
                "offline: cached answers proven against the stored signed head of size {}",
                db.size
            ),
            HeadCheck::NotChecked => "head not checked".to_string(),
            HeadCheck::Recent { size, age_secs } => format!(
                "head {size} confirmed against the database {age_secs}s ago; every answer cached (not fetched again)"
            ),
            HeadCheck::Consistent { size, .. } => {
                format!("head {size} consistent with the stored head")
            }
            HeadCheck::RolledBack { stored, served } => format!(
                "ROLLED BACK: serves a tree of size {served}, smaller than the signed tree of size {stored} seen before"
            ),
            HeadCheck::Fork(_) => "FORK (see the finding below)".to_string(),
            HeadCheck::Invalid { message } => format!("INVALID HEAD: {message}"),
            HeadCheck::Unavailable { message } => format!("head unavailable: {message}"),
        };
        writeln!(
            w,
            "database {} at {}: {head}",
            db.name,
            redact_text(&db.base)
        )?;
        for warning in &db.warnings {
            writeln!(w, "warning: {}", redact_text(warning))?;
        }
    }
    writeln!(w)?;
    crate::report::text::render(report, opts, w)?;
    writeln!(w, "{}", last_line(r))
}

/// `513 lines in 1 file: 510 verified, 3 skipped`, with `: nothing verified` when lines were
/// read and none was verified.
pub fn last_line(r: &SumsReport) -> String {
    let counts: Vec<String> = r
        .counts()
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{n} {s}"))
        .collect();
    let mut s = format!(
        "{} lines in {} file{}: {}",
        r.line_count(),
        r.files.len(),
        if r.files.len() == 1 { "" } else { "s" },
        if counts.is_empty() {
            "none".to_string()
        } else {
            counts.join(", ")
        }
    );
    if nothing_verified(r) {
        s.push_str(": nothing verified");
    }
    s
}

/// The JSON document: the engine's finding report (`schema_version`, `findings`,
/// `suppressed`, `summary`) with the run's details beside it: `command`, `files`, `results`
/// (one object per go.sum line, with `status`), `database`, `counts` (lines per status),
/// `failed` and `nothing_verified`. [`write_json`] writes the same document without holding
/// it.
pub fn to_json(r: &SumsReport, report: &Report, outcome: RunOutcome) -> serde_json::Value {
    let mut doc = json_without_results(r, report, outcome);
    let results: Vec<serde_json::Value> = r.results().map(|l| result_json(&l)).collect();
    if let Some(doc) = doc.as_object_mut() {
        doc.insert("results".into(), results.into());
    }
    doc
}

/// Writes [`to_json`]'s document, pretty-printed with a final newline, byte for byte the
/// same, building one line's object at a time: a million-line go.sum is never held as JSON.
pub fn write_json(
    r: &SumsReport,
    report: &Report,
    outcome: RunOutcome,
    w: &mut impl Write,
) -> io::Result<()> {
    use serde::ser::{SerializeMap as _, SerializeSeq as _};

    struct Doc<'a>(
        &'a serde_json::Map<String, serde_json::Value>,
        &'a SumsReport,
    );
    struct Results<'a>(&'a SumsReport);
    impl serde::Serialize for Doc<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            // The map's keys are in serde_json's (sorted) order, `results` among them.
            let mut m = s.serialize_map(Some(self.0.len()))?;
            for (k, v) in self.0 {
                if k == "results" {
                    m.serialize_entry(k, &Results(self.1))?;
                } else {
                    m.serialize_entry(k, v)?;
                }
            }
            m.end()
        }
    }
    impl serde::Serialize for Results<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut seq = s.serialize_seq(Some(self.0.line_count()))?;
            for l in self.0.results() {
                seq.serialize_element(&result_json(&l))?;
            }
            seq.end()
        }
    }

    let mut doc = json_without_results(r, report, outcome);
    let Some(map) = doc.as_object_mut() else {
        return Err(io::Error::other("the JSON report is not an object"));
    };
    map.insert("results".into(), serde_json::Value::Null);
    let mut out = io::BufWriter::with_capacity(1 << 16, &mut *w);
    serde_json::to_writer_pretty(&mut out, &Doc(map, r)).map_err(io::Error::from)?;
    writeln!(out)?;
    out.flush()
}

/// One line's result as JSON, credentials redacted.
fn result_json(l: &LineResult) -> serde_json::Value {
    let mut v = serde_json::to_value(l).unwrap_or_default();
    redact_value(&mut v);
    v
}

/// The JSON document but `results`.
fn json_without_results(r: &SumsReport, report: &Report, outcome: RunOutcome) -> serde_json::Value {
    let mut doc = crate::report::json::to_value(report);
    let details = serde_json::json!({
        "command": "verify sums",
        "files": r.files,
        "database": r.database,
        "counts": r.counts().into_iter().collect::<std::collections::BTreeMap<_, _>>(),
        "failed": outcome == RunOutcome::Fail,
        "nothing_verified": nothing_verified(r),
    });
    if let (Some(doc), serde_json::Value::Object(details)) = (doc.as_object_mut(), details) {
        doc.extend(details);
    }
    redact_value(&mut doc);
    doc
}

/// Redacts URL credentials in every string of a JSON value.
pub fn redact_value(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::String(s) if s.contains("://") => *s = redact_text(s),
        serde_json::Value::Array(a) => a.iter_mut().for_each(redact_value),
        serde_json::Value::Object(o) => o.values_mut().for_each(redact_value),
        _ => {}
    }
}
