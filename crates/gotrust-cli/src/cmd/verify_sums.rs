//! `gotrust verify sums`: go.sum lines vs the checksum database, rendered as text, JSON (one
//! object per line, with a `status` field) or SARIF (go.sum line locations).

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use gotrust::env::{EnvSources, GoEnv};
use gotrust::net::{HttpClient, HttpConfig};
use gotrust::settings::Settings;
use gotrust::verify::sums::{
    DatabaseAccess, GoSumInput, HeadCheck, LineStatus, SumsOptions, SumsReport, open_database,
    verify_sums,
};
use serde_json::json;

use super::verify::{NetArgs, SumsArgs};
use crate::args::{Format, GlobalArgs};
use crate::{EXIT_ERROR, EXIT_FINDINGS};

/// The effective Go environment, its settings and an HTTP client configured like go's.
pub struct VerifyContext {
    /// The environment.
    pub env: GoEnv,
    /// Its parsed settings.
    pub settings: Settings,
    /// The HTTP client.
    pub http: Arc<HttpClient>,
}

/// Reads the environment of this process; `net` sets the per-host request limit and the
/// end-to-end timeout of each request.
pub fn context(net: &NetArgs) -> anyhow::Result<VerifyContext> {
    let src = EnvSources::from_process();
    let env = gotrust::env::resolve(&src);
    let settings = Settings::from_env(&env, &src);
    let config = HttpConfig {
        per_host_limit: usize::from(net.jobs),
        ..HttpConfig::from_settings(&settings)
    }
    .with_timeout(Duration::from_secs(net.timeout));
    let http = Arc::new(HttpClient::new(config).context("setting up HTTP")?);
    Ok(VerifyContext {
        env,
        settings,
        http,
    })
}

/// A tokio runtime for one command.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

/// Lookups in flight at once: the HTTP client holds each host to `--jobs` requests, but a
/// lookup answered from a cache needs none, so more are let run.
pub fn lookup_concurrency(net: &NetArgs) -> usize {
    usize::from(net.jobs).max(64)
}

/// Opens the database as go would reach it (with `--offline`, from cached data only).
pub async fn database(global: &GlobalArgs, cx: &VerifyContext) -> anyhow::Result<DatabaseAccess> {
    let root = gotrust::net::sumdb::default_cache_root();
    Ok(open_database(
        &cx.env,
        &cx.settings,
        cx.http.clone(),
        root.as_deref(),
        global.offline,
    )
    .await?)
}

fn default_files() -> anyhow::Result<Vec<PathBuf>> {
    let found: Vec<PathBuf> = ["go.sum", "go.work.sum"]
        .iter()
        .map(PathBuf::from)
        .filter(|p| p.is_file())
        .collect();
    if found.is_empty() {
        bail!("no go.sum or go.work.sum in the current directory (name the files to check)");
    }
    Ok(found)
}

/// Runs `gotrust verify sums`.
pub fn run(global: &GlobalArgs, args: &SumsArgs) -> anyhow::Result<ExitCode> {
    if global.format == Format::Mermaid {
        bail!("--format mermaid is not available for gotrust verify sums");
    }
    let files = if args.go_sums.is_empty() {
        default_files()?
    } else {
        args.go_sums.clone()
    };
    let inputs = files
        .iter()
        .map(|f| GoSumInput::read(f))
        .collect::<Result<Vec<_>, _>>()?;
    let cx = context(&args.net)?;
    let rt = runtime()?;
    let opts = SumsOptions {
        concurrency: lookup_concurrency(&args.net),
        ..SumsOptions::default()
    };
    let report = rt.block_on(async {
        let db = database(global, &cx).await?;
        anyhow::Ok(verify_sums(&inputs, &db, &opts).await)
    })?;
    let mut out = crate::output::stdout(global);
    match global.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &to_json(&report))?;
            writeln!(out)?;
        }
        Format::Sarif => {
            serde_json::to_writer_pretty(&mut out, &to_sarif(&report))?;
            writeln!(out)?;
        }
        _ => write_text(&report, global.verbose > 0, global.quiet, &mut out)?,
    }
    out.flush().context("cannot write to stdout")?;
    Ok(exit_code(report.failed(), report.incomplete()))
}

/// 1 for a failed verification, 2 for no verdict, else 0.
pub fn exit_code(failed: bool, incomplete: bool) -> ExitCode {
    if failed {
        ExitCode::from(EXIT_FINDINGS)
    } else if incomplete {
        ExitCode::from(EXIT_ERROR)
    } else {
        ExitCode::SUCCESS
    }
}

fn line_detail(s: &LineStatus) -> String {
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
            http_status,
            reason,
        } => format!("{http_status}: {reason}"),
        LineStatus::Skipped { detail, .. } => detail.clone(),
        LineStatus::Error { message, .. } => message.clone(),
    }
}

fn loc(file: &Path, line: usize) -> String {
    format!("{}:{line}", file.display())
}

/// The text report: every line that is not verified (all lines with `-v`), the database
/// verdict and a summary.
pub fn write_text(
    r: &SumsReport,
    verbose: bool,
    quiet: bool,
    out: &mut impl Write,
) -> io::Result<()> {
    for l in &r.results {
        if !verbose && matches!(l.status, LineStatus::Verified { .. }) {
            continue;
        }
        if quiet && matches!(l.status, LineStatus::Skipped { .. }) {
            continue;
        }
        writeln!(
            out,
            "{}: {} {} {}: {}",
            loc(&l.file, l.line),
            l.status.name(),
            l.module,
            l.version,
            line_detail(&l.status)
        )?;
    }
    if let Some(db) = &r.database {
        let head = match &db.head {
            HeadCheck::NotChecked if db.offline => format!(
                "offline: cached answers proven against the stored signed head of size {}",
                db.size
            ),
            HeadCheck::NotChecked => "head not checked".to_string(),
            HeadCheck::Consistent { size, .. } => {
                format!("head {size} consistent with the stored head")
            }
            HeadCheck::RolledBack { stored, served } => format!(
                "ROLLED BACK: serves a tree of size {served}, smaller than the signed tree of size {stored} seen before"
            ),
            HeadCheck::Fork(ev) => format!("FORK:\n{}", ev.report),
            HeadCheck::Invalid { message } => format!("INVALID HEAD: {message}"),
            HeadCheck::Unavailable { message } => format!("head unavailable: {message}"),
        };
        writeln!(
            out,
            "database {} at {}: {head}",
            db.name,
            gotrust::redact::redact_text(&db.base)
        )?;
        if let Some(f) = &db.fork {
            writeln!(out, "{}", f.report)?;
        }
        if !quiet {
            for w in &db.warnings {
                writeln!(out, "warning: {w}")?;
            }
        }
    }
    let counts: Vec<String> = r
        .counts()
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{n} {s}"))
        .collect();
    writeln!(
        out,
        "{} lines in {} file{}: {}",
        r.results.len(),
        r.files.len(),
        if r.files.len() == 1 { "" } else { "s" },
        if counts.is_empty() {
            "none".to_string()
        } else {
            counts.join(", ")
        }
    )
}

/// JSON: `schema_version`, one object per go.sum line (with `status`), the database verdict.
pub fn to_json(r: &SumsReport) -> serde_json::Value {
    json!({
        "schema_version": 1,
        "command": "verify sums",
        "files": r.files,
        "results": r.results,
        "database": r.database,
        "summary": r.counts().into_iter().collect::<std::collections::BTreeMap<_, _>>(),
        "failed": r.failed(),
    })
}

const RULES: &[(&str, &str, &str)] = &[
    (
        "verify/sum-mismatch",
        "go.sum line differs from the checksum database",
        "error",
    ),
    (
        "verify/not-in-database",
        "the checksum database has no record for the go.sum line",
        "warning",
    ),
    (
        "verify/database-misbehaviour",
        "the checksum database's signed data did not verify (fork, rollback, bad signature)",
        "error",
    ),
    (
        "verify/no-verdict",
        "the line could not be checked",
        "warning",
    ),
];

/// SARIF 2.1.0: one result per line that is not verified or skipped, located at its go.sum
/// line.
pub fn to_sarif(r: &SumsReport) -> serde_json::Value {
    let mut results = Vec::new();
    for l in &r.results {
        let rule = match &l.status {
            LineStatus::Mismatch { .. } => "verify/sum-mismatch",
            LineStatus::NotInDatabase { .. } => "verify/not-in-database",
            LineStatus::Error { .. } if l.status.is_failure() => "verify/database-misbehaviour",
            LineStatus::Error { .. } => "verify/no-verdict",
            _ => continue,
        };
        results.push(sarif_result(
            rule,
            &format!("{} {}: {}", l.module, l.version, line_detail(&l.status)),
            &l.file,
            l.line,
        ));
    }
    if let Some(db) = &r.database
        && db.is_failure()
    {
        let msg = match &db.head {
            HeadCheck::RolledBack { stored, served } => {
                format!(
                    "database {} rolled back from tree {stored} to {served}",
                    db.name
                )
            }
            HeadCheck::Fork(ev) => ev.report.clone(),
            HeadCheck::Invalid { message } => message.clone(),
            _ => db
                .fork
                .as_ref()
                .map(|f| f.report.clone())
                .unwrap_or_default(),
        };
        results.push(json!({
            "ruleId": "verify/database-misbehaviour",
            "level": "error",
            "message": {"text": msg},
        }));
    }
    sarif_log(RULES, results)
}

/// One SARIF result at a file line.
pub fn sarif_result(rule: &str, message: &str, file: &Path, line: usize) -> serde_json::Value {
    let level = RULES
        .iter()
        .chain(super::verify_proxy::RULES)
        .find(|(id, _, _)| *id == rule)
        .map_or("warning", |r| r.2);
    let mut v = json!({
        "ruleId": rule,
        "level": level,
        "message": {"text": gotrust::redact::redact_text(message)},
    });
    if !file.as_os_str().is_empty() {
        let mut region = json!({});
        if line > 0 {
            region = json!({"startLine": line});
        }
        v["locations"] = json!([{
            "physicalLocation": {
                "artifactLocation": {"uri": file.to_string_lossy().replace('\\', "/")},
                "region": region,
            }
        }]);
    }
    v
}

/// A SARIF log with one run.
pub fn sarif_log(
    rules: &[(&str, &str, &str)],
    results: Vec<serde_json::Value>,
) -> serde_json::Value {
    let rules: Vec<_> = rules
        .iter()
        .map(|(id, desc, level)| {
            json!({
                "id": id,
                "shortDescription": {"text": desc},
                "defaultConfiguration": {"level": level},
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "gotrust",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
        }],
    })
}
