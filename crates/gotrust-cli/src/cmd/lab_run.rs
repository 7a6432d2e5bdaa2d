//! `gotrust lab run`: runs the lab's experiments ([`gotrust_lab::experiments`]) with the
//! real go command and renders them; gotrust's own verdicts (probe, diagnose) are judged here,
//! where the engine is.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use gotrust_lab::experiments::{self, EXPERIMENTS, GotrustVerdict, Judgement, SIMPLE_V100};

use super::RunArgs;
use crate::EXIT_FINDINGS;
use crate::args::{Format, GlobalArgs, GoMode};

/// Runs the chosen scenarios.
pub fn run(
    runtime: &tokio::runtime::Runtime,
    global: &GlobalArgs,
    args: &RunArgs,
) -> anyhow::Result<ExitCode> {
    if !matches!(global.format, Format::Text | Format::Json) {
        bail!(
            "--format {} is not available for gotrust lab run",
            global.format.name()
        );
    }
    if args.list {
        let mut out = crate::output::stdout(global);
        for s in EXPERIMENTS {
            writeln!(out, "{:<24} {}", s.name, s.title)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let chosen = experiments::select(&args.scenarios).map_err(|e| anyhow!(e))?;
    let go = go_binary(global)?;

    let mut all_passed = true;
    for s in chosen {
        let outcome = experiments::run_one(runtime, &go, s, &|j| judge(runtime, j))
            .with_context(|| format!("scenario {}", s.name))?;
        all_passed &= outcome.passed();
        let mut out = crate::output::stdout(global);
        match global.format {
            Format::Json => writeln!(out, "{}", outcome.json())?,
            _ => writeln!(out, "{}", outcome.text())?,
        }
        out.flush()?;
    }
    Ok(if all_passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_FINDINGS)
    })
}

/// The go binary from `--go`, checked by running `go version`.
fn go_binary(global: &GlobalArgs) -> anyhow::Result<PathBuf> {
    let go = match &global.go {
        GoMode::Never => bail!("gotrust lab run needs the go command; drop --go never"),
        GoMode::Auto => PathBuf::from("go"),
        GoMode::Path(p) => p.clone(),
    };
    let out = Command::new(&go)
        .arg("version")
        .env("GOTOOLCHAIN", "local")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| {
            anyhow!(
                "gotrust lab run needs the go command: cannot run `{} version`: {e} \
                 (install Go or pass --go PATH)",
                go.display()
            )
        })?;
    if !out.status.success() {
        bail!(
            "`{} version` failed: {}",
            go.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(go)
}

/// Runs gotrust on the situation go was in: `probe` of the GOPROXY go used with go's
/// environment, or `diagnose` of go's error. Returns the line to show and a problem when
/// gotrust did not say what it must.
fn judge(runtime: &tokio::runtime::Runtime, j: &Judgement<'_>) -> (String, Option<String>) {
    let (root, env, stderr) = (j.root, j.env, j.stderr);
    match j.verdict {
        GotrustVerdict::DiagnoseMaps(want) => {
            let got = stderr
                .lines()
                .find_map(gotrust::diagnose::classify)
                .map(|(kind, _)| kind.id());
            let line = format!(
                "diagnose: {}",
                got.as_deref().unwrap_or("nothing recognised")
            );
            let problem = (got.as_deref() != Some(want))
                .then(|| format!("gotrust diagnose did not map go's error to {want}"));
            (line, problem)
        }
        GotrustVerdict::ProbeEmits(rule) => match probe_as_go(runtime, root, env) {
            Ok(ids) => {
                let line = format!("probe: {}", ids.join(", "));
                let problem = (!ids.iter().any(|i| i == rule))
                    .then(|| format!("gotrust probe did not report {rule}"));
                (line, problem)
            }
            Err(e) => (
                format!("probe: failed: {e:#}"),
                Some(format!("gotrust probe failed: {e:#}")),
            ),
        },
    }
}

/// `gotrust probe` of the first GOPROXY URL, with exactly go's environment.
fn probe_as_go(
    runtime: &tokio::runtime::Runtime,
    root: &Path,
    env: &[(String, String)],
) -> anyhow::Result<Vec<String>> {
    let mut vars: Vec<(String, String)> = vec![
        ("HOME".into(), root.join("home").display().to_string()),
        ("GOENV".into(), "off".into()),
    ];
    vars.extend(env.iter().cloned());
    let sources = gotrust::env::EnvSources::with_process(vars);
    let goenv = gotrust::env::resolve(&sources);
    let settings = gotrust::settings::Settings::from_env(&goenv, &sources);
    let url = env
        .iter()
        .rev()
        .find(|(k, _)| k == "GOPROXY")
        .and_then(|(_, v)| v.split([',', '|']).next())
        .ok_or_else(|| anyhow!("no GOPROXY"))?
        .to_string();
    let http = std::sync::Arc::new(gotrust::net::HttpClient::new(gotrust::probe::http_config(
        &settings,
        Duration::from_secs(10),
    ))?);
    let mut opts = gotrust::probe::ProbeOptions::new(root.join("probe"));
    opts.module = Some(gotrust::probe::parse_module(SIMPLE_V100)?);
    let p = runtime.block_on(gotrust::probe::probe(&http, &url, &opts))?;
    Ok(p.finding_ids().into_iter().map(String::from).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diagnose_verdicts_come_from_the_engine() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let stderr = "go: example.com/simple@v1.0.0: Get \"https://proxy.golang.org/x\": tls: failed to verify certificate: x509: certificate signed by unknown authority\n";
        let root = Path::new("/nonexistent");
        let (line, problem) = judge(
            &rt,
            &Judgement {
                verdict: GotrustVerdict::DiagnoseMaps("tls-unknown-authority"),
                root,
                env: &[],
                stderr,
            },
        );
        assert_eq!(line, "diagnose: tls-unknown-authority");
        assert_eq!(problem, None);
        let (_, problem) = judge(
            &rt,
            &Judgement {
                verdict: GotrustVerdict::DiagnoseMaps("plaintext-server"),
                root,
                env: &[],
                stderr,
            },
        );
        assert!(problem.is_some());
    }
}
