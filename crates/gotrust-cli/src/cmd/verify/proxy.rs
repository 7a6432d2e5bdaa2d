//! `gotrust verify proxy`: what proxies serve vs go.sum, the checksum database and each
//! other. The engine judges ([`gotrust::verify::proxy`]) and renders
//! ([`gotrust::verify::proxy_output`]); this file reads the flags, prints each module
//! version's side-by-side table as it is judged (text mode) with a progress bar on a
//! terminal, and turns the verdict into an exit status.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use gotrust::report::text::TextOptions;
use gotrust::report::{Report, sarif};
use gotrust::settings::proxy::ProxyKind;
use gotrust::verify::proxy::{
    ModuleResult, ModuleSink, ProxyOptions, ProxyTarget, targets_from_args, targets_from_go_sum,
    verify_proxies_with,
};
use gotrust::verify::proxy_output;
use gotrust::verify::sums::GoSumInput;
use gotrust::verify::sums_output;

use super::ProxyArgs;
use super::sums::{Live, context, database, exit_status, runtime};
use crate::args::{Format, GlobalArgs};

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

/// The module versions to check: every argument naming an existing file is a go.sum, whatever
/// its name (go.sum files in the module cache live under `path@version/`); the others are
/// `module@version`.
fn targets(args: &ProxyArgs) -> anyhow::Result<Vec<ProxyTarget>> {
    let mut out = Vec::new();
    let (files, mvs): (Vec<&String>, Vec<&String>) = args
        .targets
        .iter()
        .partition(|t| proxy_output::is_go_sum_file(t));
    if let Some(t) = mvs.iter().find(|t| !t.contains('@')) {
        bail!("{t}: no such file (name a go.sum file or module@version)");
    }
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
    let policy = crate::cmd::load_policy(global, Path::new("."))?;
    let tmp = tempfile_dir()?;
    let rt = runtime()?;
    let live = Live::new(
        global,
        proxy_output::shows_module,
        proxy_output::write_module,
    );
    let result = rt.block_on(async {
        let db = database(global, &cx).await?;
        anyhow::Ok(
            verify_proxies_with(
                cx.http.clone(),
                &targets,
                &db,
                &ProxyOptions {
                    proxies,
                    concurrency: usize::from(args.net.jobs),
                    temp_dir: tmp.clone(),
                    probe_missing: true,
                },
                &live,
            )
            .await,
        )
    });
    let _ = std::fs::remove_dir_all(&tmp);
    let checked = result?;
    live.finish();
    let report = Report::with_policy(proxy_output::findings(&checked), &policy);
    let outcome = sums_output::outcome(&report, checked.incomplete(), global.fail_on.into());
    let mut out = crate::output::stdout(global);
    match global.format {
        Format::Json => serde_json::to_writer_pretty(
            &mut out,
            &proxy_output::to_json(&checked, &report, outcome),
        )
        .map_err(io::Error::from)
        .and_then(|()| writeln!(out)),
        Format::Sarif => sarif::render(&report, env!("CARGO_PKG_VERSION"), &mut out),
        _ => proxy_output::write_text(
            &checked,
            &report,
            global.verbose > 0,
            global.quiet,
            TextOptions {
                colour: crate::output::colour(global),
            },
            &mut out,
        ),
    }
    .and_then(|()| out.flush())
    .context("cannot write to stdout")?;
    Ok(exit_status(outcome))
}

impl ModuleSink for Live<ModuleResult> {
    fn total(&self, modules: usize) {
        Live::total(self, modules);
    }

    fn judged(&self, module: &ModuleResult) {
        Live::judged(self, module);
    }
}

fn tempfile_dir() -> anyhow::Result<PathBuf> {
    let d = std::env::temp_dir().join(format!("gotrust-verify-proxy-{}", std::process::id()));
    std::fs::create_dir_all(&d).with_context(|| format!("creating {}", d.display()))?;
    Ok(d)
}
