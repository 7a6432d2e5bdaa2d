//! `gotrust diagnose`: go command output -> causes ranked from the log's evidence, linked to
//! findings and fixes.
//!
//! The log is read as a stream (constant memory: a 100 MB `-x` log is fine); what is kept for
//! the output is capped, and the caps are reported.

use std::fs::File;
use std::io::{self, BufReader, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use gotrust::diagnose::compare::{RouteDeviation, compare_trace, served_modules};
use gotrust::diagnose::{Analysis, LogSettings, analyze};
use gotrust::env::{self, EnvSources};
use gotrust::report::catalog;
use gotrust::route::Planner;
use gotrust::settings::Settings;
use serde_json::json;

use crate::args::{Format, GlobalArgs};

/// Flags of `gotrust diagnose`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Log of the go command to read; `-` or nothing reads standard input
    #[arg(value_name = "LOG")]
    pub log: Option<PathBuf>,
}

/// At most this many diagnoses, trace lines and deviations are kept for the output; the rest
/// are counted. A log with more than 10,000 distinct errors is not a diagnosis any more.
const MAX_KEPT: usize = 10_000;

/// Whose settings the logged requests were compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RouteSource {
    /// The settings the log itself shows (command line, `go env` listing).
    Log,
    /// This machine's settings: the log shows none.
    Machine,
}

impl RouteSource {
    fn label(self) -> &'static str {
        match self {
            RouteSource::Log => "the settings shown in the log",
            RouteSource::Machine => "this machine's settings (the log shows none)",
        }
    }

    fn id(self) -> &'static str {
        match self {
            RouteSource::Log => "log",
            RouteSource::Machine => "machine",
        }
    }
}

/// Reads the log, explains its errors, compares its requests with the route of the log's
/// settings (or this machine's when the log shows none).
///
/// Exit 1 when go failed in a way gotrust can name (a diagnosis), the log has error lines no
/// rule explains, or its requests deviate from the route; 0 when the log is clean; 2 when it
/// cannot be read.
pub fn run(global: &GlobalArgs, args: &Args) -> anyhow::Result<ExitCode> {
    if matches!(global.format, Format::Sarif | Format::Mermaid) {
        bail!(
            "--format {} is not available for gotrust diagnose",
            global.format.name()
        );
    }
    let (name, reader): (String, Box<dyn io::BufRead>) = match &args.log {
        None => ("<stdin>".into(), Box::new(io::stdin().lock())),
        Some(p) if p.as_os_str() == "-" => ("<stdin>".into(), Box::new(io::stdin().lock())),
        Some(p) => (
            p.display().to_string(),
            Box::new(BufReader::new(File::open(p).with_context(|| {
                format!("cannot read go log {}", p.display())
            })?)),
        ),
    };
    let analysis =
        analyze(reader, MAX_KEPT).with_context(|| format!("cannot read go log {name}"))?;

    let (src, source) = route_sources(&analysis.settings);
    let goenv = env::resolve(&src);
    let settings = Settings::from_env(&goenv, &src);
    let planner = Planner::new(&settings, &goenv);
    let mut deviations: Vec<RouteDeviation> = Vec::new();
    let mut dropped = analysis.dropped;
    for t in &analysis.traces {
        if let Some(d) = compare_trace(t, &planner) {
            if deviations.len() < MAX_KEPT {
                deviations.push(d);
            } else {
                dropped += 1;
            }
        }
    }
    let mut out = crate::output::stdout(global);
    match global.format {
        Format::Json => write_json(&mut out, &name, &analysis, &deviations, source, dropped)?,
        _ => write_text(&mut out, &name, &analysis, &deviations, source, dropped)?,
    }
    out.flush().context("cannot write to stdout")?;
    Ok(
        if analysis.diagnoses.is_empty()
            && deviations.is_empty()
            && analysis.stats.unrecognized == 0
        {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(crate::EXIT_FINDINGS)
        },
    )
}

/// The environment the logged run had: the log's own assignments when it shows route
/// settings, else this machine's (labelled as such in the output).
fn route_sources(log: &LogSettings) -> (EnvSources, RouteSource) {
    match log.env_sources() {
        Some(src) => (src, RouteSource::Log),
        None => (EnvSources::from_process(), RouteSource::Machine),
    }
}

fn write_json(
    out: &mut impl Write,
    name: &str,
    a: &Analysis,
    deviations: &[RouteDeviation],
    source: RouteSource,
    dropped: u64,
) -> anyhow::Result<()> {
    let diags: Vec<_> = a
        .diagnoses
        .iter()
        .map(|e| {
            let d = &e.diagnosis;
            let info = d.info();
            let top = &e.causes[0];
            json!({
                "line": d.line_no,
                "kind": d.kind.id(),
                "module": d.module,
                "detail": d.detail,
                "repeats": e.repeats,
                "checksum": d.checksum,
                "evidence": e.evidence,
                "cause": top.summary,
                "setting": top.setting,
                "fix": top.fix,
                "wrong_fixes": top.wrong_fixes,
                "causes": e.causes,
                "rule": top.rule.or(info.rule),
            })
        })
        .collect();
    let rule = &catalog::DIAGNOSE_UNRECOGNIZED_ERROR;
    let findings: Vec<_> = if a.stats.unrecognized > 0 {
        vec![json!({
            "rule": rule.id,
            "severity": rule.severity.as_str(),
            "message": format!("{} error-looking line(s) match no known go message", a.stats.unrecognized),
            "lines": a.unrecognized,
            "fix": rule.help,
        })]
    } else {
        Vec::new()
    };
    let value = json!({
        "schema_version": 1,
        "log": name,
        "stats": a.stats,
        "diagnoses": diags,
        "unrecognized": a.unrecognized,
        "findings": findings,
        "settings_in_log": a.settings,
        "route_settings": source.id(),
        "route_deviations": deviations,
        "trace": a.traces,
        "served": served_modules(&a.traces),
        "dropped": dropped,
    });
    serde_json::to_writer_pretty(&mut *out, &value)?;
    writeln!(out)?;
    Ok(())
}

fn write_text(
    out: &mut impl Write,
    name: &str,
    a: &Analysis,
    deviations: &[RouteDeviation],
    source: RouteSource,
    dropped: u64,
) -> io::Result<()> {
    let requests = a
        .traces
        .iter()
        .filter(|t| t.status.is_some() || t.error.is_some())
        .count();
    writeln!(
        out,
        "{name}: {} error(s) diagnosed, {} unrecognized error line(s), {} request(s) traced, {} route deviation(s)",
        a.diagnoses.len(),
        a.stats.unrecognized,
        requests,
        deviations.len()
    )?;
    let served = served_modules(&a.traces);
    if !served.is_empty() {
        writeln!(out, "\nmodules served (from the -x trace):")?;
        for m in &served {
            writeln!(
                out,
                "  {name}:{}: {}@{} from {}",
                m.line_no, m.module, m.version, m.source
            )?;
        }
    }
    if !a.settings.settings.is_empty() {
        writeln!(out, "\nsettings shown in the log:")?;
        for s in &a.settings.settings {
            writeln!(out, "  {}:{}: {}={}", name, s.line_no, s.name, s.value)?;
        }
    }
    for e in &a.diagnoses {
        let d = &e.diagnosis;
        let repeats = if e.repeats > 0 {
            format!(" (and {} more time(s))", e.repeats)
        } else {
            String::new()
        };
        writeln!(out, "\n{name}:{}: {}{repeats}", d.line_no, d.kind.id())?;
        if let Some(m) = &d.module {
            writeln!(out, "  module:  {m}")?;
        }
        writeln!(out, "  message: {}", d.detail)?;
        if let Some(c) = &d.checksum
            && let (Some(dl), Some(rec)) = (&c.downloaded, &c.recorded)
        {
            let side = c.recorded_in.as_deref().unwrap_or("record");
            writeln!(out, "  hashes:  downloaded {dl}, {side} {rec}")?;
        }
        for ev in e.evidence.iter().skip(1) {
            writeln!(
                out,
                "  {}:{} ({}): {}",
                name, ev.line_no, ev.source, ev.text
            )?;
        }
        writeln!(out, "  causes, most likely first:")?;
        for (i, c) in e.causes.iter().enumerate() {
            writeln!(out, "  {}. {}: {}", i + 1, c.id, c.summary)?;
            writeln!(out, "     setting: {}", c.setting)?;
            writeln!(out, "     fix:     {}", c.fix)?;
            for w in &c.wrong_fixes {
                writeln!(out, "     not:     {w}")?;
            }
            for ev in c
                .evidence
                .iter()
                .filter(|ev| ev.source == "setting" || ev.source == "trace")
            {
                writeln!(
                    out,
                    "     based on {}:{} ({}): {}",
                    name, ev.line_no, ev.source, ev.text
                )?;
            }
        }
        if let Some(rule) = e.causes[0].rule {
            // probe/* rules come from looking at the proxy, not at the settings.
            let by = if rule.starts_with("probe/") {
                "probe"
            } else {
                "audit"
            };
            writeln!(out, "  caught by: gotrust {by} ({rule})")?;
        }
    }
    if a.stats.unrecognized > 0 {
        writeln!(
            out,
            "\n{name}: {} error-looking line(s) match no known go message ({}):",
            a.stats.unrecognized,
            catalog::DIAGNOSE_UNRECOGNIZED_ERROR.id
        )?;
        for u in &a.unrecognized {
            writeln!(out, "  {name}:{}: {}", u.line_no, u.text)?;
        }
        if a.stats.unrecognized as usize > a.unrecognized.len() {
            writeln!(
                out,
                "  ... {} more not shown",
                a.stats.unrecognized as usize - a.unrecognized.len()
            )?;
        }
    }
    if !deviations.is_empty() {
        writeln!(out, "\nrequests compared with {}:", source.label())?;
    }
    for d in deviations {
        writeln!(out, "\n{name}:{}: {}", d.line_no, d.kind.describe())?;
        writeln!(out, "  request: {}", d.url)?;
        writeln!(out, "  module:  {}", d.module)?;
        if !d.expected.is_empty() {
            let label = match source {
                RouteSource::Log => "route of the log's settings",
                RouteSource::Machine => "route on this machine",
            };
            writeln!(out, "  {label}: {}", d.expected.join(" then "))?;
        }
        writeln!(out, "  caught by: gotrust audit ({})", d.kind.rule())?;
    }
    if dropped > 0 {
        writeln!(
            out,
            "\n{dropped} further item(s) not shown (output capped at {MAX_KEPT} per kind)"
        )?;
    }
    Ok(())
}
