//! `gotrust diagnose`: go command output -> causes, linked to findings and fixes.
//!
//! The log is read as a stream (constant memory: a 100 MB `-x` log is fine); what is kept for
//! the output is capped, and the caps are reported.

use std::fs::File;
use std::io::{self, BufReader, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use gotrust::diagnose::compare::{RouteDeviation, compare_trace};
use gotrust::diagnose::{Diagnosis, LogEvent, LogParser, TraceEvent};
use gotrust::env::{self, EnvSources};
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

/// Reads the log, classifies its errors, compares its requests with the current route.
///
/// Exit 1 when go failed in a way gotrust can name (a diagnosis) or the log shows requests the
/// current route does not predict; 0 when the log is clean; 2 when the log cannot be read.
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
    let src = EnvSources::from_process();
    let goenv = env::resolve(&src);
    let settings = Settings::from_env(&goenv, &src);
    let planner = Planner::new(&settings, &goenv);

    let mut diagnoses: Vec<Diagnosis> = Vec::new();
    let mut trace: Vec<TraceEvent> = Vec::new();
    let mut deviations: Vec<RouteDeviation> = Vec::new();
    let mut dropped = 0usize;
    let mut parser = LogParser::new(reader);
    for ev in parser.by_ref() {
        match ev.with_context(|| format!("cannot read go log {name}"))? {
            LogEvent::Diagnosis(d) if diagnoses.len() < MAX_KEPT => diagnoses.push(d),
            LogEvent::Trace(t) => {
                if let Some(d) = compare_trace(&t, &planner) {
                    if deviations.len() < MAX_KEPT {
                        deviations.push(d);
                    } else {
                        dropped += 1;
                    }
                }
                if trace.len() < MAX_KEPT {
                    trace.push(t);
                } else {
                    dropped += 1;
                }
            }
            LogEvent::Diagnosis(_) => dropped += 1,
        }
    }
    let stats = parser.stats();
    let mut out = crate::output::stdout(global);
    match global.format {
        Format::Json => {
            let diags: Vec<_> = diagnoses
                .iter()
                .map(|d| {
                    let info = d.info();
                    json!({
                        "line": d.line_no,
                        "kind": d.kind.id(),
                        "module": d.module,
                        "detail": d.detail,
                        "checksum": d.checksum,
                        "cause": info.cause,
                        "setting": info.setting,
                        "fix": info.fix,
                        "wrong_fixes": info.wrong_fixes,
                        "rule": info.rule,
                    })
                })
                .collect();
            let value = json!({
                "schema_version": 1,
                "log": name,
                "stats": stats,
                "diagnoses": diags,
                "route_deviations": deviations,
                "trace": trace,
                "dropped": dropped,
            });
            serde_json::to_writer_pretty(&mut out, &value)?;
            writeln!(out)?;
        }
        _ => write_text(&mut out, &name, &diagnoses, &deviations, &trace, dropped)?,
    }
    out.flush().context("cannot write to stdout")?;
    Ok(if diagnoses.is_empty() && deviations.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(crate::EXIT_FINDINGS)
    })
}

fn write_text(
    out: &mut impl Write,
    name: &str,
    diagnoses: &[Diagnosis],
    deviations: &[RouteDeviation],
    trace: &[TraceEvent],
    dropped: usize,
) -> io::Result<()> {
    let requests = trace
        .iter()
        .filter(|t| t.status.is_some() || t.error.is_some())
        .count();
    writeln!(
        out,
        "{name}: {} error(s) diagnosed, {} request(s) traced, {} route deviation(s)",
        diagnoses.len(),
        requests,
        deviations.len()
    )?;
    for d in diagnoses {
        let info = d.info();
        writeln!(out, "\n{name}:{}: {}", d.line_no, d.kind.id())?;
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
        writeln!(out, "  cause:   {}", info.cause)?;
        writeln!(out, "  setting: {}", info.setting)?;
        writeln!(out, "  fix:     {}", info.fix)?;
        for w in info.wrong_fixes {
            writeln!(out, "  not:     {w}")?;
        }
        if let Some(rule) = info.rule {
            // probe/* rules come from looking at the proxy, not at the settings.
            let by = if rule.starts_with("probe/") {
                "probe"
            } else {
                "audit"
            };
            writeln!(out, "  caught by: gotrust {by} ({rule})")?;
        }
    }
    for d in deviations {
        writeln!(out, "\n{name}:{}: {}", d.line_no, d.kind.describe())?;
        writeln!(out, "  request: {}", d.url)?;
        writeln!(out, "  module:  {}", d.module)?;
        if !d.expected.is_empty() {
            writeln!(out, "  route now: {}", d.expected.join(" then "))?;
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
