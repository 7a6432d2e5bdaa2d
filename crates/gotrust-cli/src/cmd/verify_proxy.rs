//! `gotrust verify proxy`: what proxies serve vs go.sum, the checksum database and each
//! other, with a side-by-side table per module version.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use gotrust::settings::proxy::ProxyKind;
use gotrust::verify::proxy::{
    DbRecord, ProxyOptions, ProxyReport, ProxyTarget, Served, Side, targets_from_args,
    targets_from_go_sum, verify_proxies,
};
use gotrust::verify::sums::GoSumInput;
use serde_json::json;

use super::verify::ProxyArgs;
use super::verify_sums::{context, database, exit_code, runtime, sarif_log, sarif_result};
use crate::args::{Format, GlobalArgs};

/// The SARIF rules of `verify proxy`.
pub const RULES: &[(&str, &str, &str)] = &[
    (
        "verify/proxy-mismatch",
        "a proxy, go.sum or the database disagrees with the others",
        "error",
    ),
    (
        "verify/proxy-invalid-zip",
        "a proxy serves a zip go would refuse",
        "error",
    ),
    ("verify/proxy-bad-info", "a proxy's .info is wrong", "error"),
    (
        "verify/proxy-polluted-cache",
        "a proxy answers 200 for a version that cannot exist",
        "error",
    ),
    (
        "verify/proxy-unlisted",
        "a served version is missing from @v/list",
        "note",
    ),
    (
        "verify/proxy-origin",
        ".info carries unauthenticated Origin metadata",
        "note",
    ),
    (
        "verify/proxy-database-invalid",
        "the checksum database's signed answer did not verify",
        "error",
    ),
    (
        "verify/proxy-listed-not-served",
        "a version named in @v/list is not served",
        "warning",
    ),
];

/// The proxies to check: `--proxy URL` replaces GOPROXY's URLs, `--proxy +URL` adds to them.
pub fn proxies(goproxy: &[String], flags: &[String]) -> Vec<String> {
    let replace = flags.iter().any(|f| !f.starts_with('+'));
    let mut out: Vec<String> = if replace {
        Vec::new()
    } else {
        goproxy.to_vec()
    };
    for f in flags {
        let u = f.strip_prefix('+').unwrap_or(f).to_string();
        if !out.contains(&u) {
            out.push(u);
        }
    }
    out
}

fn targets(args: &ProxyArgs) -> anyhow::Result<Vec<ProxyTarget>> {
    let mut out = Vec::new();
    let (files, mvs): (Vec<&String>, Vec<&String>) =
        args.targets.iter().partition(|t| !t.contains('@'));
    let mut files: Vec<PathBuf> = files.into_iter().map(PathBuf::from).collect();
    if files.is_empty() && mvs.is_empty() {
        if !Path::new("go.sum").is_file() {
            bail!("no go.sum in the current directory (name a go.sum or module@version)");
        }
        files.push("go.sum".into());
    }
    for f in files {
        let input = GoSumInput::read(&f)?;
        out.extend(targets_from_go_sum(&f, &input.data)?);
    }
    let mvs: Vec<String> = mvs.into_iter().cloned().collect();
    out.extend(targets_from_args(&mvs)?);
    Ok(out)
}

/// Runs `gotrust verify proxy`.
pub fn run(global: &GlobalArgs, args: &ProxyArgs) -> anyhow::Result<ExitCode> {
    if global.format == Format::Mermaid {
        bail!("--format mermaid is not available for gotrust verify proxy");
    }
    if global.offline {
        bail!("gotrust verify proxy needs the network (--offline given)");
    }
    // A --proxy value go could not use is refused once, here, rather than once per module.
    for flag in &args.proxies {
        let url = flag.strip_prefix('+').unwrap_or(flag);
        if let Err(e) = gotrust::settings::proxy::ProxyList::parse(url, "") {
            bail!("--proxy {}: {e}", gotrust::redact::redact_text(url));
        }
    }
    let targets = targets(args)?;
    let cx = context(&args.net)?;
    let goproxy: Vec<String> = match &cx.settings.proxy {
        Ok(list) => list
            .entries
            .iter()
            .filter_map(|e| match &e.kind {
                ProxyKind::Url { url, .. } => Some(url.clone()),
                _ => None,
            })
            .collect(),
        Err(e) if args.proxies.iter().any(|p| !p.starts_with('+')) => {
            let _ = e;
            Vec::new()
        }
        Err(e) => bail!("{e}"),
    };
    let proxies = proxies(&goproxy, &args.proxies);
    if proxies.is_empty() {
        bail!("no proxy to check: GOPROXY names no proxy URL (use --proxy URL)");
    }
    let tmp = tempfile_dir()?;
    let rt = runtime()?;
    let report = rt.block_on(async {
        let db = database(global, &cx).await?;
        anyhow::Ok(
            verify_proxies(
                cx.http.clone(),
                &targets,
                &db,
                &ProxyOptions {
                    proxies,
                    concurrency: usize::from(args.net.jobs),
                    temp_dir: tmp.clone(),
                    probe_missing: true,
                },
            )
            .await,
        )
    })?;
    let _ = std::fs::remove_dir_all(&tmp);
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
        _ => write_text(&report, global.verbose > 0, &mut out)?,
    }
    out.flush().context("cannot write to stdout")?;
    Ok(exit_code(report.failed(), report.incomplete()))
}

fn tempfile_dir() -> anyhow::Result<PathBuf> {
    let d = std::env::temp_dir().join(format!("gotrust-verify-proxy-{}", std::process::id()));
    std::fs::create_dir_all(&d).with_context(|| format!("creating {}", d.display()))?;
    Ok(d)
}

fn short(h: &str) -> String {
    if h.len() > 15 {
        format!("{}…", &h[..14])
    } else {
        h.to_string()
    }
}

fn cell(s: &Served) -> String {
    match s {
        Served::NotFetched => "-".into(),
        Served::Ok { value, .. } => short(value),
        Served::NotFound { .. } => "not found".into(),
        Served::Failed { .. } => "FAILED".into(),
    }
}

fn side(s: &Side) -> String {
    match s {
        Side::Proxy { url } => format!("proxy {url}"),
        Side::Database => "the checksum database".into(),
        Side::GoSum { file, line } => format!("{}:{line}", file.display()),
        Side::Undecided => "undecided (proxies disagree)".into(),
    }
}

/// The text report: a side-by-side table per module version with a finding or (with `-v`)
/// every one, the nonexistent-version probes, and a summary.
pub fn write_text(r: &ProxyReport, verbose: bool, out: &mut impl Write) -> io::Result<()> {
    for m in &r.modules {
        if !verbose && m.status == "verified" && m.findings.is_empty() {
            continue;
        }
        writeln!(out, "{}@{}: {}", m.module, m.version, m.status)?;
        let mut header = vec!["".to_string(), "go.sum".into(), "database".into()];
        header.extend(m.sources.iter().map(|s| s.proxy.clone()));
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
            writeln!(out, "  {}", cells.join("  ").trim_end())?;
        }
        for f in &m.findings {
            writeln!(out, "  - {}: {}", side(&f.blame), f.message)?;
        }
        for s in &m.sources {
            for (what, x) in [("info", &s.info), ("go.mod", &s.go_mod), ("zip", &s.zip)] {
                if let Served::Failed { message } | Served::NotFound { message } = x {
                    writeln!(out, "  - {} {what}: {message}", s.proxy)?;
                }
            }
        }
        match &m.database {
            DbRecord::Failed { message, .. } => writeln!(out, "  - database: {message}")?,
            DbRecord::NotFound { reason } => writeln!(out, "  - database: {reason}")?,
            _ => {}
        }
    }
    for p in &r.probes {
        if p.polluted || verbose {
            writeln!(
                out,
                "{} {}@{} (cannot exist): {}",
                p.proxy,
                p.module,
                p.version,
                if p.polluted {
                    "200: polluted or stale cache"
                } else {
                    "not found, as it should be"
                }
            )?;
        }
    }
    let count = |s: &str| r.modules.iter().filter(|m| m.status == s).count();
    writeln!(
        out,
        "{} module versions on {} prox{}: {} verified, {} mismatch, {} not-in-database, {} skipped, {} error; {} polluted cache{}",
        r.modules.len(),
        r.proxies.len(),
        if r.proxies.len() == 1 { "y" } else { "ies" },
        count("verified"),
        count("mismatch"),
        count("not-in-database"),
        count("skipped"),
        count("error"),
        r.probes.iter().filter(|p| p.polluted).count(),
        if r.probes.iter().filter(|p| p.polluted).count() == 1 {
            ""
        } else {
            "s"
        },
    )
}

/// JSON: one object per module version (with `status`), the probes and the head check.
pub fn to_json(r: &ProxyReport) -> serde_json::Value {
    json!({
        "schema_version": 1,
        "command": "verify proxy",
        "proxies": r.proxies,
        "results": r.modules,
        "probes": r.probes,
        "database_head": r.head,
        "failed": r.failed(),
    })
}

/// SARIF: one result per finding, at the go.sum line of its artifact when known.
pub fn to_sarif(r: &ProxyReport) -> serde_json::Value {
    use gotrust::verify::proxy::{Artifact, FindingKind};
    let mut results = Vec::new();
    for m in &r.modules {
        for f in &m.findings {
            let rule = match f.kind {
                FindingKind::Mismatch => "verify/proxy-mismatch",
                FindingKind::InvalidZip => "verify/proxy-invalid-zip",
                FindingKind::BadInfo => "verify/proxy-bad-info",
                FindingKind::PollutedCache => "verify/proxy-polluted-cache",
                FindingKind::Unlisted => "verify/proxy-unlisted",
                FindingKind::Origin => "verify/proxy-origin",
                FindingKind::DatabaseInvalid => "verify/proxy-database-invalid",
                FindingKind::ListedNotServed => "verify/proxy-listed-not-served",
            };
            let line = match f.artifact {
                Artifact::Zip => m.go_sum_zip.as_ref().map(|l| l.0),
                Artifact::GoMod => m.go_sum_mod.as_ref().map(|l| l.0),
                _ => m.go_sum_zip.as_ref().or(m.go_sum_mod.as_ref()).map(|l| l.0),
            };
            let file = m.go_sum_file.clone().unwrap_or_default();
            results.push(sarif_result(
                rule,
                &format!("{}@{}: {}", m.module, m.version, f.message),
                &file,
                line.unwrap_or(0),
            ));
        }
    }
    for p in r.probes.iter().filter(|p| p.polluted) {
        results.push(sarif_result(
            "verify/proxy-polluted-cache",
            &format!(
                "{} answers 200 for {}@{}, a version that cannot exist",
                p.proxy, p.module, p.version
            ),
            Path::new(""),
            0,
        ));
    }
    sarif_log(RULES, results)
}
