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
        GotrustVerdict::ExplainMatchesTrace(target) => {
            let problem = explain_vs_trace(root, env, stderr, target);
            let line = match &problem {
                None => format!("explain: go's requests for {target} are the predicted ones"),
                Some(p) => format!("explain: {p}"),
            };
            (line, problem)
        }
        GotrustVerdict::DiagnoseNamesServer => verdict_line("diagnose", diagnose_names_server(j)),
        GotrustVerdict::AuditEmits(rule) => verdict_line(
            "audit",
            gotrust_json(j, &["audit", "--format", "json"]).and_then(|v| {
                let ids = finding_ids(&v);
                if ids.iter().any(|i| i == rule) {
                    Ok(format!("audit: {rule}"))
                } else {
                    Err(anyhow!(
                        "gotrust audit did not report {rule} (reported: {})",
                        ids.join(", ")
                    ))
                }
            }),
        ),
        GotrustVerdict::ExplainVerdict(target, want) => verdict_line(
            "explain",
            gotrust_json(j, &["explain", "--format", "json", target]).and_then(|v| {
                let got = v["routes"][0]["verdict"]
                    .as_str()
                    .unwrap_or("none")
                    .to_owned();
                if got == want {
                    Ok(format!("explain: {target} [{got}]"))
                } else {
                    Err(anyhow!(
                        "gotrust explain gave {target} [{got}], not [{want}]"
                    ))
                }
            }),
        ),
        GotrustVerdict::VerifySumsEmits(rule) => {
            let go_sum = root.join("work/go.sum");
            verdict_line(
                "verify sums",
                gotrust_json(
                    j,
                    &[
                        "verify",
                        "sums",
                        "--format",
                        "json",
                        &go_sum.display().to_string(),
                    ],
                )
                .and_then(|v| {
                    let ids = finding_ids(&v);
                    if ids.iter().any(|i| i == rule) {
                        Ok(format!("verify sums: {rule}"))
                    } else {
                        Err(anyhow!(
                            "gotrust verify sums did not report {rule} (reported: {})",
                            ids.join(", ")
                        ))
                    }
                }),
            )
        }
        GotrustVerdict::VerifyCacheCleanCycle => verdict_line("verify cache", clean_cycle(j)),
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

/// The line for a verdict judged by `check`: its own line, or the failure as line and problem.
fn verdict_line(what: &str, check: anyhow::Result<String>) -> (String, Option<String>) {
    match check {
        Ok(line) => (line, None),
        Err(e) => (format!("{what}: {e:#}"), Some(format!("{e:#}"))),
    }
}

/// Runs this gotrust as go ran (same hermetic HOME, GOPATH, caches and variables, in go's
/// working directory) and parses its JSON output.
fn gotrust_json(j: &Judgement<'_>, args: &[&str]) -> anyhow::Result<serde_json::Value> {
    let exe = std::env::current_exe().context("cannot locate the gotrust executable")?;
    let (code, stdout, stderr) = experiments::run_go(&exe, j.root, j.env, args)
        .with_context(|| format!("running gotrust {}", args.join(" ")))?;
    serde_json::from_str(&stdout).map_err(|e| {
        anyhow!(
            "gotrust {} (exit {code:?}) printed no JSON ({e}): {}",
            args.join(" "),
            stderr.trim()
        )
    })
}

/// The rule IDs of a JSON report's findings.
fn finding_ids(v: &serde_json::Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["id"].as_str().map(str::to_owned))
        .collect()
}

/// The `path@version` of every mismatch in a `verify cache` JSON report.
fn cache_mismatches(v: &serde_json::Value) -> Vec<String> {
    v["results"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["status"] == "mismatch")
        .map(|r| {
            format!(
                "{}@{}",
                r["module"].as_str().unwrap_or(""),
                r["version"].as_str().unwrap_or("")
            )
        })
        .collect()
}

/// `gotrust diagnose` of go's trace names the last GOPROXY entry (the healthy lab) as the
/// source of the module's zip.
fn diagnose_names_server(j: &Judgement<'_>) -> anyhow::Result<String> {
    let log = j.root.join("go-x.log");
    std::fs::write(&log, j.stderr).with_context(|| format!("cannot write {}", log.display()))?;
    let v = gotrust_json(
        j,
        &["diagnose", "--format", "json", &log.display().to_string()],
    )?;
    let want = j
        .env
        .iter()
        .rev()
        .find(|(k, _)| k == "GOPROXY")
        .and_then(|(_, v)| v.rsplit([',', '|']).next())
        .ok_or_else(|| anyhow!("no GOPROXY"))?;
    let served: Vec<String> = v["served"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| {
            format!(
                "{}@{} from {}",
                m["module"].as_str().unwrap_or(""),
                m["version"].as_str().unwrap_or(""),
                m["source"].as_str().unwrap_or("")
            )
        })
        .collect();
    let expected = format!("{SIMPLE_V100} from {want}");
    if served.contains(&expected) {
        Ok(format!("diagnose: {expected}"))
    } else {
        bail!("gotrust diagnose did not name {want} as the source (served: {served:?})")
    }
}

/// Alters one extracted file of the module: `verify cache` must report `verify/mismatch`;
/// after `go clean -modcache` and a fresh download it must not.
fn clean_cycle(j: &Judgement<'_>) -> anyhow::Result<String> {
    let dir = j.root.join("gopath/pkg/mod").join(SIMPLE_V100);
    let file = std::fs::read_dir(&dir)
        .with_context(|| format!("cannot list {}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .min()
        .ok_or_else(|| anyhow!("no extracted file in {}", dir.display()))?;
    let mut data =
        std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
    data.extend_from_slice(b"\n// altered in the module cache\n");
    std::fs::write(&file, data).with_context(|| format!("cannot alter {}", file.display()))?;
    let before = cache_mismatches(&gotrust_json(j, &["verify", "cache", "--format", "json"])?);
    if !before.iter().any(|m| m == SIMPLE_V100) {
        bail!(
            "gotrust verify cache did not report the altered {} (mismatches: {before:?})",
            file.display()
        );
    }
    for args in [
        &["clean", "-modcache"][..],
        &["mod", "download", SIMPLE_V100][..],
    ] {
        let (code, _, stderr) = experiments::run_go(j.go, j.root, j.env, args)?;
        if code != Some(0) {
            bail!("go {} failed: {}", args.join(" "), stderr.trim());
        }
    }
    let after = cache_mismatches(&gotrust_json(j, &["verify", "cache", "--format", "json"])?);
    if !after.is_empty() {
        bail!(
            "gotrust verify cache still reports a mismatch after go clean -modcache and a fresh download: {after:?}"
        );
    }
    Ok(format!(
        "verify cache: mismatch for the altered {} of {SIMPLE_V100}; none after go clean -modcache and a fresh download",
        file.file_name().unwrap_or_default().to_string_lossy()
    ))
}

/// go's requests in its `-x` trace (without the database's tiles, whose numbers depend on
/// the log's size) compared with what explain's planner predicts for `target`, each request
/// answered with the status go saw. `None` when they agree.
fn explain_vs_trace(
    root: &Path,
    env: &[(String, String)],
    stderr: &str,
    target: &str,
) -> Option<String> {
    use gotrust::route::{Answer, GoCommand, Outcome, Planner};
    let gopath = root.join("gopath");
    let mut vars: Vec<(String, String)> = vec![
        ("HOME".into(), root.join("home").display().to_string()),
        ("GOENV".into(), root.join("goenv").display().to_string()),
        ("GOPATH".into(), gopath.display().to_string()),
        (
            "GOMODCACHE".into(),
            gopath.join("pkg/mod").display().to_string(),
        ),
        ("GOFLAGS".into(), "-mod=mod -modcacherw".into()),
    ];
    vars.extend(env.iter().cloned());
    let sources = gotrust::env::EnvSources::with_process(vars);
    let goenv = gotrust::env::resolve(&sources);
    let settings = gotrust::settings::Settings::from_env(&goenv, &sources);
    let route = Planner::new(&settings, &goenv).plan(target);
    let mut statuses: std::collections::HashMap<String, u16> = std::collections::HashMap::new();
    let mut requested = Vec::new();
    for line in stderr.lines() {
        let Some(rest) = line.strip_prefix("# get ") else {
            continue;
        };
        match rest.split_once(": ") {
            None => requested.push(rest.to_owned()),
            Some((url, answer)) => {
                if let Some(code) = answer.split(' ').next().and_then(|c| c.parse().ok()) {
                    statuses.insert(url.to_owned(), code);
                }
            }
        }
    }
    let sim = route.simulate(GoCommand::ModDownload, &|_| false, |url| {
        let outcome = match statuses.get(url) {
            Some(200) => Outcome::Ok,
            Some(404 | 410) => Outcome::NotFound,
            _ => Outcome::Failed,
        };
        // .info and @latest bodies name the version; the one asked for is the one served.
        let body = url
            .rsplit_once("/@v/")
            .and_then(|(_, f)| f.strip_suffix(".info"))
            .map(|v| format!("{{\"Version\":\"{v}\"}}"))
            .unwrap_or_default();
        Answer { outcome, body }
    });
    let go: Vec<&String> = requested.iter().filter(|u| !u.contains("/tile/")).collect();
    let predicted: Vec<&String> = sim
        .requests
        .iter()
        .filter(|u| !u.contains("/tile/"))
        .collect();
    (go != predicted).then(|| format!("go requested {go:?}, explain predicted {predicted:?}"))
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
                go: Path::new("go"),
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
                go: Path::new("go"),
                root,
                env: &[],
                stderr,
            },
        );
        assert!(problem.is_some());
    }
}
