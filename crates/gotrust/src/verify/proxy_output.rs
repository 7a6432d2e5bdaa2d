//! `verify proxy` as findings and output: the [`ProxyReport`] turned into catalog findings
//! ([`findings`]) that the policy governs and the engine's text, JSON and SARIF renderers
//! print, plus the side-by-side table streamed per module version ([`write_module`]), the
//! closing text ([`write_text`]) and the JSON document ([`to_json`]). The exit decision is
//! [`super::sums_output::outcome`], shared with `verify sums`.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::proxy::{
    Artifact, DbRecord, FindingKind, ModuleResult, ProxyReport, Served, Side, SourceResult,
};
use super::sums::HeadCheck;
use super::sums_output::{FOLDED_EXAMPLES, RunOutcome, redact_value};
use crate::redact::redact_text;
use crate::report::catalog::{
    PROBE_NOT_FOUND_STATUS, VERIFY_DATABASE_MISBEHAVIOUR, VERIFY_NO_VERDICT,
    VERIFY_NOT_IN_DATABASE, VERIFY_NOTHING_VERIFIED, VERIFY_PROXY_BAD_INFO,
    VERIFY_PROXY_DATABASE_INVALID, VERIFY_PROXY_INVALID_ZIP, VERIFY_PROXY_LISTED_NOT_SERVED,
    VERIFY_PROXY_MISMATCH, VERIFY_PROXY_ORIGIN, VERIFY_PROXY_POLLUTED_CACHE, VERIFY_PROXY_REFUSED,
    VERIFY_PROXY_UNLISTED, VERIFY_SKIPPED_PRIVATE, VERIFY_SKIPPED_PUBLIC,
};
use crate::report::text::TextOptions;
use crate::report::{Evidence, Finding, Report, Rule};

/// The catalog rule of a proxy finding kind.
pub fn rule(kind: FindingKind) -> &'static Rule {
    match kind {
        FindingKind::Mismatch => &VERIFY_PROXY_MISMATCH,
        FindingKind::InvalidZip => &VERIFY_PROXY_INVALID_ZIP,
        FindingKind::BadInfo => &VERIFY_PROXY_BAD_INFO,
        FindingKind::PollutedCache => &VERIFY_PROXY_POLLUTED_CACHE,
        FindingKind::Unlisted => &VERIFY_PROXY_UNLISTED,
        FindingKind::Origin => &VERIFY_PROXY_ORIGIN,
        FindingKind::DatabaseInvalid => &VERIFY_PROXY_DATABASE_INVALID,
        FindingKind::ListedNotServed => &VERIFY_PROXY_LISTED_NOT_SERVED,
    }
}

fn line_of(m: &ModuleResult, artifact: Option<Artifact>) -> Option<usize> {
    let zip = m.go_sum_zip.as_ref().map(|l| l.0);
    let go_mod = m.go_sum_mod.as_ref().map(|l| l.0);
    match artifact {
        Some(Artifact::Zip) => zip,
        Some(Artifact::GoMod) => go_mod,
        _ => zip.or(go_mod),
    }
}

fn located(mut f: Finding, m: &ModuleResult, artifact: Option<Artifact>) -> Finding {
    if let Some(file) = &m.go_sum_file {
        let line = line_of(m, artifact).and_then(|l| u32::try_from(l).ok());
        f = f.with_evidence(Evidence::default().at(file.clone(), line));
    }
    f.with_affected(format!("{}@{}", m.module, m.version))
}

fn failures(sources: &[SourceResult]) -> Vec<String> {
    let mut out = Vec::new();
    for s in sources {
        for (what, x) in [("info", &s.info), ("go.mod", &s.go_mod), ("zip", &s.zip)] {
            match x {
                Served::Failed { message }
                | Served::NotFound { message }
                | Served::Refused { message, .. } => {
                    out.push(format!("{} {what}: {message}", s.proxy))
                }
                _ => {}
            }
        }
    }
    out
}

/// Every finding of a `verify proxy` run, before the policy.
pub fn findings(r: &ProxyReport) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut skipped: Vec<((bool, String), Vec<&ModuleResult>)> = Vec::new();
    for m in &r.modules {
        let subject = format!("{}@{}", m.module, m.version);
        for f in &m.findings {
            out.push(located(
                Finding::new(rule(f.kind), format!("{subject}: {}", f.message)),
                m,
                Some(f.artifact),
            ));
        }
        match (m.status, &m.database) {
            ("not-in-database", DbRecord::NotFound { go_error, .. }) => {
                out.push(located(
                    Finding::new(&VERIFY_NOT_IN_DATABASE, go_error.clone()),
                    m,
                    None,
                ));
            }
            ("refused", _) => out.push(located(
                Finding::new(
                    &VERIFY_PROXY_REFUSED,
                    format!(
                        "{subject}: not verified: {}",
                        failures(&m.sources).join("; ")
                    ),
                ),
                m,
                None,
            )),
            ("error", db) => {
                let mut why = failures(&m.sources);
                if let DbRecord::Failed { message, .. } = db {
                    why.push(format!("database: {message}"));
                }
                out.push(located(
                    Finding::new(
                        &VERIFY_NO_VERDICT,
                        format!("{subject}: not verified: {}", why.join("; ")),
                    ),
                    m,
                    None,
                ));
            }
            ("skipped", DbRecord::Skipped { reason, private }) => {
                let key = (*private, reason.clone());
                match skipped.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, v)) => v.push(m),
                    None => skipped.push((key, vec![m])),
                }
            }
            _ => {}
        }
    }
    for ((private, why), group) in skipped {
        let (rule, whose) = if private {
            (&VERIFY_SKIPPED_PRIVATE, "private")
        } else {
            (&VERIFY_SKIPPED_PUBLIC, "public")
        };
        let n = group.len();
        let mut f = Finding::new(
            rule,
            format!(
                "{n} module version{} of {whose} paths compared with no checksum database: {why}",
                if n == 1 { "" } else { "s" }
            ),
        );
        for m in group.into_iter().take(FOLDED_EXAMPLES) {
            f = located(f, m, None);
        }
        out.push(f);
    }
    for p in &r.probes {
        if p.polluted {
            out.push(
                Finding::new(
                    &VERIFY_PROXY_POLLUTED_CACHE,
                    format!(
                        "{} answers 200 for {}@{}, a version that cannot exist",
                        p.proxy, p.module, p.version
                    ),
                )
                .with_affected(p.module.clone()),
            );
        } else if let Some(status) = p.not_found_status {
            // The same verdict `gotrust probe` gives for the same answer.
            let detail = [&p.info, &p.go_mod]
                .iter()
                .find_map(|s| match s {
                    Served::Refused { message, .. } | Served::Failed { message } => {
                        Some(message.clone())
                    }
                    _ => None,
                })
                .unwrap_or_default();
            out.push(
                Finding::new(
                    &PROBE_NOT_FOUND_STATUS,
                    format!(
                        "{}: a missing module answered {status} instead of 404/410; a `,` GOPROXY list stops here ({detail})",
                        p.proxy
                    ),
                )
                .with_affected(p.module.clone()),
            );
        }
    }
    match &r.head {
        Some(HeadCheck::RolledBack { stored, served }) => out.push(Finding::new(
            &VERIFY_DATABASE_MISBEHAVIOUR,
            format!(
                "the checksum database rolled back: it serves a tree of size {served}, smaller than the signed tree of size {stored} seen before"
            ),
        )),
        Some(HeadCheck::Fork(ev)) => {
            out.push(Finding::new(&VERIFY_DATABASE_MISBEHAVIOUR, ev.report.clone()))
        }
        Some(HeadCheck::Invalid { message }) => out.push(Finding::new(
            &VERIFY_DATABASE_MISBEHAVIOUR,
            format!("the checksum database's tree head did not verify: {message}"),
        )),
        _ => {}
    }
    if nothing_verified(r) {
        out.push(Finding::new(
            &VERIFY_NOTHING_VERIFIED,
            format!(
                "none of the {} module versions was verified against the checksum database",
                r.modules.len()
            ),
        ));
    }
    out
}

/// Whether there were module versions and none of them was verified.
pub fn nothing_verified(r: &ProxyReport) -> bool {
    !r.modules.is_empty() && !r.modules.iter().any(|m| m.status == "verified")
}

fn short(h: &str) -> String {
    if h.chars().count() > 15 {
        format!("{}…", h.chars().take(14).collect::<String>())
    } else {
        h.to_string()
    }
}

fn cell(s: &Served) -> String {
    match s {
        Served::NotFetched => "-".into(),
        Served::Ok { value, .. } => short(value),
        Served::NotFound { .. } => "not found".into(),
        Served::Refused { status, .. } => format!("refused {status}"),
        Served::Failed { .. } => "FAILED".into(),
    }
}

fn side(s: &Side) -> String {
    match s {
        Side::Proxy { url } => format!("proxy {}", redact_text(url)),
        Side::Database => "the checksum database".into(),
        Side::GoSum { file, line } => format!("{}:{line}", file.display()),
        Side::Undecided => "undecided (proxies disagree)".into(),
    }
}

/// Whether the text output shows a module version as it is judged: every one that is not
/// verified or has a finding, and all of them with `verbose`.
pub fn shows_module(m: &ModuleResult, verbose: bool) -> bool {
    verbose || m.status != "verified" || !m.findings.is_empty()
}

/// One module version as a side-by-side table (go.sum, the database, each proxy), with its
/// findings and failed fetches, printed as soon as it is judged.
pub fn write_module(m: &ModuleResult, w: &mut impl Write) -> io::Result<()> {
    writeln!(w, "{}@{}: {}", m.module, m.version, m.status)?;
    let mut header = vec!["".to_string(), "go.sum".into(), "database".into()];
    header.extend(m.sources.iter().map(|s| redact_text(&s.proxy)));
    let (db_zip, db_mod) = match &m.database {
        DbRecord::Found { zip, go_mod } => (
            zip.as_deref().map_or("-".into(), short),
            go_mod.as_deref().map_or("-".into(), short),
        ),
        DbRecord::Skipped { .. } => ("skipped".into(), "skipped".into()),
        DbRecord::NotFound { .. } => ("not found".into(), "not found".into()),
        DbRecord::Failed { .. } => ("FAILED".into(), "FAILED".into()),
    };
    let mut rows = vec![header];
    let mut zip = vec![
        "zip".to_string(),
        m.go_sum_zip.as_ref().map_or("-".into(), |(_, h)| short(h)),
        db_zip,
    ];
    zip.extend(m.sources.iter().map(|s| cell(&s.zip)));
    let mut gm = vec![
        "go.mod".to_string(),
        m.go_sum_mod.as_ref().map_or("-".into(), |(_, h)| short(h)),
        db_mod,
    ];
    gm.extend(m.sources.iter().map(|s| cell(&s.go_mod)));
    let mut info = vec!["info".to_string(), "-".into(), "-".into()];
    info.extend(m.sources.iter().map(|s| cell(&s.info)));
    rows.extend([zip, gm, info]);
    let widths: Vec<usize> = (0..rows[0].len())
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    for row in &rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        writeln!(w, "  {}", cells.join("  ").trim_end())?;
    }
    for f in &m.findings {
        writeln!(w, "  - {}: {}", side(&f.blame), redact_text(&f.message))?;
    }
    for line in failures(&m.sources) {
        writeln!(w, "  - {}", redact_text(&line))?;
    }
    match &m.database {
        DbRecord::Failed { message, .. } => writeln!(w, "  - database: {}", redact_text(message))?,
        DbRecord::NotFound { go_error, .. } => {
            writeln!(w, "  - database: {}", redact_text(go_error))?
        }
        _ => {}
    }
    Ok(())
}

/// The text after the streamed tables: the nonexistent-version probes (all with `verbose`,
/// unless `quiet`), the findings through the engine's text renderer, and a last line with the
/// counts (which says when nothing was verified).
pub fn write_text(
    r: &ProxyReport,
    report: &Report,
    verbose: bool,
    quiet: bool,
    opts: TextOptions,
    w: &mut impl Write,
) -> io::Result<()> {
    if !quiet {
        for p in &r.probes {
            if p.polluted || p.not_found_status.is_some() || verbose {
                let what = if p.polluted {
                    "200: polluted or stale cache".to_string()
                } else if let Some(s) = p.not_found_status {
                    format!("{s} instead of 404/410")
                } else {
                    "not found, as it should be".to_string()
                };
                writeln!(
                    w,
                    "{} {}@{} (cannot exist): {what}",
                    redact_text(&p.proxy),
                    p.module,
                    p.version,
                )?;
            }
        }
    }
    writeln!(w)?;
    crate::report::text::render(report, opts, w)?;
    writeln!(w, "{}", last_line(r))
}

/// `485 module versions on 1 proxy: 480 verified, …; 0 polluted caches`, with
/// `: nothing verified` when none was.
pub fn last_line(r: &ProxyReport) -> String {
    let count = |s: &str| r.modules.iter().filter(|m| m.status == s).count();
    let polluted = r.probes.iter().filter(|p| p.polluted).count();
    let mut s = format!(
        "{} module versions on {} prox{}: {} verified, {} mismatch, {} not-in-database, {} refused, {} skipped, {} error; {} polluted cache{}",
        r.modules.len(),
        r.proxies.len(),
        if r.proxies.len() == 1 { "y" } else { "ies" },
        count("verified"),
        count("mismatch"),
        count("not-in-database"),
        count("refused"),
        count("skipped"),
        count("error"),
        polluted,
        if polluted == 1 { "" } else { "s" },
    );
    if nothing_verified(r) {
        s.push_str(": nothing verified");
    }
    s
}

/// The JSON document: the engine's finding report (`schema_version`, `findings`,
/// `suppressed`, `summary`) with the run's details beside it: `command`, `proxies`,
/// `results` (one object per module version, with `status`), `probes`, `database_head`,
/// `failed` and `nothing_verified`.
pub fn to_json(r: &ProxyReport, report: &Report, outcome: RunOutcome) -> serde_json::Value {
    let mut doc = crate::report::json::to_value(report);
    let details = serde_json::json!({
        "command": "verify proxy",
        "proxies": r.proxies,
        "results": r.modules,
        "probes": r.probes,
        "database_head": r.head,
        "failed": outcome == RunOutcome::Fail,
        "nothing_verified": nothing_verified(r),
    });
    if let (Some(doc), serde_json::Value::Object(details)) = (doc.as_object_mut(), details) {
        doc.extend(details);
    }
    redact_value(&mut doc);
    doc
}

/// Whether `arg` names an existing file (any name, `@` included: every go.sum in the module
/// cache lives under `path@version/`); otherwise it is read as `module@version`.
pub fn is_go_sum_file(arg: &str) -> bool {
    PathBuf::from(arg).is_file() || (!arg.contains('@') && Path::new(arg).exists())
}
