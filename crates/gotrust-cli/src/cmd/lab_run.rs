//! `gotrust lab run`: the article's experiments, end to end with the real go command.
//!
//! Each scenario starts a lab with the faults of one of the lab's `scenarios/*.toml` files,
//! runs go hermetically against it (temporary HOME, GOPATH, GOMODCACHE, GOCACHE and GOENV,
//! `GOTOOLCHAIN=local`, `GOFLAGS=-mod=mod`: never the user's caches or settings) and compares
//! what go did with what real Go is known to do (spec §9). A scenario passes when go behaves
//! as expected, whether that reproduces the risk or shows the defence holding.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};
use gotrust_lab::{Fault, Lab, LogEntry, RunningLab};
use serde_json::json;

use super::RunArgs;
use super::serve::fault_summary;
use crate::EXIT_FINDINGS;
use crate::args::{Format, GlobalArgs, GoMode};

/// The module every scenario fetches (a built-in fixture).
const MODULE: &str = "example.com/simple";

/// Longest a single go run may take before it is killed (everything is on loopback).
const GO_TIMEOUT: Duration = Duration::from_secs(120);

/// What a scenario demonstrates when go behaves as expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shows {
    /// A risk: go accepts something it should not, or moves where an attacker wants.
    Risk,
    /// A defence: go refuses, whatever the article suggests.
    Defence,
}

/// How GOPROXY is built.
#[derive(Debug, Clone, Copy)]
enum Proxy {
    /// The faulty lab alone.
    Single,
    /// GOPROXY=<faulty lab><sep><healthy lab>; the healthy lab's database verifies.
    Fallback(&'static str),
}

/// Something checked after go ran, besides its exit status and output.
#[derive(Debug, Clone, Copy)]
enum Check {
    /// `go mod download -json` reported a Sum that is not the module's real hash: the
    /// tampered content went in.
    SumIsNotTheRealOne(&'static str),
    /// The healthy lab of a fallback served a request whose path ends like this.
    SecondServed(&'static str),
    /// The healthy lab of a fallback served nothing ending like this.
    SecondNotServed(&'static str),
    /// The faulty lab applied the fault with this name at least once.
    FaultApplied(&'static str),
}

/// One experiment.
#[derive(Debug)]
struct Scenario {
    name: &'static str,
    /// The risk in one line.
    title: &'static str,
    /// The article's claim (or the misconception) being tested.
    claim: &'static str,
    /// Fault file (`gotrust-lab/scenarios/<name>.toml`).
    faults: &'static str,
    tls: bool,
    proxy: Proxy,
    /// Environment on top of the lab's.
    env: &'static [(&'static str, &'static str)],
    /// go arguments.
    args: &'static [&'static str],
    /// Whether go is expected to exit 0.
    go_succeeds: bool,
    /// Text go's stderr must contain.
    stderr_has: &'static [&'static str],
    checks: &'static [Check],
    shows: Shows,
    /// What the expected outcome means.
    meaning: &'static str,
    /// gotrust rules (or commands) that catch the configuration or the pollution.
    rules: &'static [&'static str],
}

const SIMPLE_V100: &str = "example.com/simple@v1.0.0";

const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "sumdb-off",
        title: "GOSUMDB=off: a tampered zip is accepted silently",
        claim: "article §3.3: a forged zip passes where the checksum database is not consulted",
        faults: "tamper-zip",
        tls: false,
        proxy: Proxy::Single,
        env: &[("GOSUMDB", "off")],
        args: &["mod", "download", "-json", SIMPLE_V100],
        go_succeeds: true,
        stderr_has: &[],
        checks: &[
            Check::SumIsNotTheRealOne(SIMPLE_V100),
            Check::FaultApplied("tamper-zip"),
        ],
        shows: Shows::Risk,
        meaning: "go downloaded and hashed the proxy's tampered zip without a word; only the \
                  checksum database could have known it differs from what was published",
        rules: &["sumdb/disabled", "proxy/unverified-third-party"],
    },
    Scenario {
        name: "gonosumdb",
        title: "GONOSUMDB covering the module: a tampered zip is accepted silently",
        claim: "article §3.3: GONOSUMDB/GOPRIVATE take modules out of the database",
        faults: "tamper-zip",
        tls: false,
        proxy: Proxy::Single,
        env: &[("GONOSUMDB", MODULE)],
        args: &["mod", "download", "-json", SIMPLE_V100],
        go_succeeds: true,
        stderr_has: &[],
        checks: &[
            Check::SumIsNotTheRealOne(SIMPLE_V100),
            Check::FaultApplied("tamper-zip"),
        ],
        shows: Shows::Risk,
        meaning: "a module matched by GONOSUMDB is trusted from whatever the proxy serves",
        rules: &["sumdb/bypass-public", "proxy/unverified-third-party"],
    },
    Scenario {
        name: "sumdb-catches-tamper",
        title: "With the checksum database, the same tampered zip is a SECURITY ERROR",
        claim: "article §3.3 (the other half): the database is what stops a forged zip",
        faults: "tamper-zip",
        tls: false,
        proxy: Proxy::Single,
        env: &[],
        args: &["mod", "download", SIMPLE_V100],
        go_succeeds: false,
        stderr_has: &[
            "example.com/simple@v1.0.0: verifying module: checksum mismatch",
            "SECURITY ERROR",
        ],
        checks: &[Check::FaultApplied("tamper-zip")],
        shows: Shows::Defence,
        meaning: "go compared the zip's hash with the signed, Merkle-proven database record and \
                  refused it",
        rules: &["sumdb/disabled", "sumdb/bypass-public"],
    },
    Scenario {
        name: "tampered-go-mod",
        title: "A proxy serving a modified go.mod is caught by the database",
        claim: "article §2: a polluted proxy cache serves altered module content",
        faults: "tamper-go-mod",
        tls: false,
        proxy: Proxy::Single,
        env: &[],
        args: &["mod", "download", "example.com/simple@v1.1.0"],
        go_succeeds: false,
        stderr_has: &[
            "example.com/simple@v1.1.0: verifying go.mod: checksum mismatch",
            "SECURITY ERROR",
        ],
        checks: &[Check::FaultApplied("tamper-go-mod")],
        shows: Shows::Defence,
        meaning: "the go.mod hash is checked against the database before the zip is fetched",
        rules: &["sumdb/disabled", "sumdb/bypass-public"],
    },
    Scenario {
        name: "polluted-version",
        title: "A proxy answering 200 for a version that was never published: go resolves it",
        claim: "article §2.4: a stale or polluted proxy invents versions",
        faults: "polluted-version",
        tls: false,
        proxy: Proxy::Single,
        env: &[],
        args: &["list", "-m", "-json", "example.com/simple@v1.9.9"],
        go_succeeds: true,
        stderr_has: &[],
        checks: &[Check::FaultApplied("polluted")],
        shows: Shows::Risk,
        meaning: "even with the checksum database on, go takes the proxy's .info as proof that \
                  v1.9.9 exists: version queries are not verified, only content is",
        rules: &[
            "gotrust probe (a made-up version answered 200)",
            "gotrust verify proxy",
        ],
    },
    Scenario {
        name: "polluted-version-sumdb",
        title: "The database has no record of the invented version: go refuses it",
        claim: "article §2.4: pollution is proven by content, not by cache headers",
        faults: "polluted-version",
        tls: false,
        proxy: Proxy::Single,
        env: &[],
        args: &["mod", "download", "example.com/simple@v1.9.9"],
        go_succeeds: false,
        stderr_has: &[
            "example.com/simple@v1.9.9: verifying go.mod",
            "/lookup/example.com/simple@v1.9.9: 404 Not Found",
        ],
        checks: &[Check::FaultApplied("polluted")],
        shows: Shows::Defence,
        meaning: "a version the database never logged cannot be verified, so go stops",
        rules: &["sumdb/disabled", "sumdb/bypass-public"],
    },
    Scenario {
        name: "goinsecure-proxy-tls",
        title: "GOINSECURE=* does not relax TLS for GOPROXY",
        claim: "article §4.1: `*` in GOINSECURE disables TLS globally",
        faults: "untrusted-cert",
        tls: true,
        proxy: Proxy::Single,
        env: &[("GOINSECURE", "*")],
        args: &["mod", "download", SIMPLE_V100],
        go_succeeds: false,
        stderr_has: &["x509: certificate signed by unknown authority"],
        checks: &[],
        shows: Shows::Defence,
        meaning: "GOINSECURE only affects direct (VCS) fetches; proxies are always verified",
        rules: &["insecure/no-effect", "insecure/match-all"],
    },
    Scenario {
        name: "goinsecure-sumdb",
        title: "GOINSECURE=* does not disable the checksum database",
        claim: "article §3.1: GOINSECURE does not bypass GOSUMDB",
        faults: "tamper-zip",
        tls: false,
        proxy: Proxy::Single,
        env: &[("GOINSECURE", "*")],
        args: &["mod", "download", SIMPLE_V100],
        go_succeeds: false,
        stderr_has: &["verifying module: checksum mismatch", "SECURITY ERROR"],
        checks: &[Check::FaultApplied("tamper-zip")],
        shows: Shows::Defence,
        meaning: "the tampered zip is still refused: GOINSECURE leaves go.sum and the database \
                  in force",
        rules: &["insecure/no-effect", "insecure/match-all"],
    },
    Scenario {
        name: "fallback-comma-500",
        title: "GOPROXY=a,b: a 500 from a stops go, b is never asked",
        claim: "misconception: with `a,b` go tries b whenever a fails",
        faults: "status-500",
        tls: false,
        proxy: Proxy::Fallback(","),
        env: &[],
        args: &["mod", "download", SIMPLE_V100],
        go_succeeds: false,
        stderr_has: &["500 Internal Server Error"],
        checks: &[
            Check::FaultApplied("status"),
            Check::SecondNotServed("/@v/v1.0.0.zip"),
        ],
        shows: Shows::Defence,
        meaning: "`,` falls back only after 404/410, so an error on the first proxy cannot push \
                  go to the next source",
        rules: &["proxy/fallback-on-any-error"],
    },
    Scenario {
        name: "fallback-pipe-500",
        title: "GOPROXY=a|b: a 500 from a sends go to b",
        claim: "article §2.2: fallback between sources",
        faults: "status-500",
        tls: false,
        proxy: Proxy::Fallback("|"),
        env: &[],
        args: &["mod", "download", SIMPLE_V100],
        go_succeeds: true,
        stderr_has: &[],
        checks: &[
            Check::FaultApplied("status"),
            Check::SecondServed("/example.com/simple/@v/v1.0.0.zip"),
        ],
        shows: Shows::Risk,
        meaning: "with `|` any error, including one an attacker provokes, moves go to the next \
                  source",
        rules: &["proxy/fallback-on-any-error"],
    },
];

/// What happened in one scenario.
struct Outcome {
    scenario: &'static Scenario,
    faults: Vec<String>,
    env: Vec<(String, String)>,
    exit_code: Option<i32>,
    stdout: String,
    stderr: String,
    /// Every way go's behaviour differed from the expectation; empty when it passed.
    problems: Vec<String>,
}

impl Outcome {
    fn passed(&self) -> bool {
        self.problems.is_empty()
    }

    fn verdict(&self) -> String {
        let s = self.scenario;
        match (self.passed(), s.shows) {
            (true, Shows::Risk) => format!("risk reproduced: {}", s.meaning),
            (true, Shows::Defence) => format!("defence holds: {}", s.meaning),
            (false, _) => format!(
                "unexpected: go did not behave as real Go is documented to ({})",
                self.problems.join("; ")
            ),
        }
    }

    fn go_summary(&self) -> String {
        let status = match self.exit_code {
            Some(0) => "exit 0".to_owned(),
            Some(c) => format!("exit {c}"),
            None => "killed".to_owned(),
        };
        // The first line that says why, skipping go's progress chatter.
        let line = self
            .stderr
            .lines()
            .find(|l| !l.trim().is_empty() && !l.starts_with("go: downloading"))
            .unwrap_or("");
        if line.is_empty() {
            format!("{status}, nothing on stderr")
        } else {
            format!("{status}: {line}")
        }
    }

    fn json(&self) -> serde_json::Value {
        let s = self.scenario;
        let env: serde_json::Map<String, serde_json::Value> = self
            .env
            .iter()
            .map(|(k, v)| (k.clone(), v.clone().into()))
            .collect();
        json!({
            "schema_version": 1,
            "scenario": s.name,
            "title": s.title,
            "claim": s.claim,
            "faults": self.faults,
            "env": env,
            "command": std::iter::once("go").chain(s.args.iter().copied()).collect::<Vec<_>>(),
            "expected": {
                "go_succeeds": s.go_succeeds,
                "stderr_contains": s.stderr_has,
            },
            "go": {
                "exit_code": self.exit_code,
                "stdout": self.stdout,
                "stderr": self.stderr,
            },
            "shows": match s.shows { Shows::Risk => "risk", Shows::Defence => "defence" },
            "passed": self.passed(),
            "problems": self.problems,
            "verdict": self.verdict(),
            "caught_by": s.rules,
        })
    }

    fn text(&self) -> String {
        let s = self.scenario;
        let mark = if self.passed() { "PASS" } else { "FAIL" };
        let mut t = format!("{mark} {}: {}\n", s.name, s.title);
        t += &format!("  claim:     {}\n", s.claim);
        t += &format!("  lab:       {}\n", self.faults.join(", "));
        let extra: Vec<String> = s.env.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let proxy = match s.proxy {
            Proxy::Single => String::new(),
            Proxy::Fallback(sep) => format!("GOPROXY=<faulty lab>{sep}<healthy lab> "),
        };
        t += &format!(
            "  run:       {proxy}{}go {}\n",
            if extra.is_empty() {
                String::new()
            } else {
                extra.join(" ") + " "
            },
            s.args.join(" ")
        );
        t += &format!("  go:        {}\n", self.go_summary());
        t += &format!("  verdict:   {}\n", self.verdict());
        t += &format!("  caught by: {}\n", s.rules.join(", "));
        t
    }
}

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
        for s in SCENARIOS {
            writeln!(out, "{:<24} {}", s.name, s.title)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let chosen = select(&args.scenarios)?;
    let go = go_binary(global)?;

    let mut all_passed = true;
    for s in chosen {
        let outcome = run_one(runtime, &go, s).with_context(|| format!("scenario {}", s.name))?;
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

fn select(names: &[String]) -> anyhow::Result<Vec<&'static Scenario>> {
    if names.is_empty() {
        return Ok(SCENARIOS.iter().collect());
    }
    names
        .iter()
        .map(|n| {
            SCENARIOS.iter().find(|s| s.name == n).ok_or_else(|| {
                let known: Vec<&str> = SCENARIOS.iter().map(|s| s.name).collect();
                anyhow!("unknown scenario `{n}` (known: {})", known.join(", "))
            })
        })
        .collect()
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

fn faults_of(s: &Scenario) -> anyhow::Result<Vec<Fault>> {
    let file = gotrust_lab::scenarios::fault_file(s.faults)
        .ok_or_else(|| anyhow!("no fault file {}", s.faults))??;
    Ok(file.faults)
}

fn run_one(
    runtime: &tokio::runtime::Runtime,
    go: &Path,
    s: &'static Scenario,
) -> anyhow::Result<Outcome> {
    let tmp = tempfile::Builder::new()
        .prefix("gotrust-lab-run-")
        .tempdir()
        .context("cannot create a temporary directory")?;
    let root = tmp.path();
    let modules = root.join("modules");
    gotrust_lab::scenarios::write_builtin_modules(&modules)
        .context("cannot write the built-in modules")?;
    let faults = faults_of(s)?;
    let mut builder = Lab::builder()
        .modules_dir(&modules)
        .state_dir(root.join("lab"))
        .tls(s.tls);
    for f in &faults {
        builder = builder.fault(f.clone());
    }
    let lab = runtime
        .block_on(builder.start())
        .context("cannot start the lab")?;
    let second = match s.proxy {
        Proxy::Single => None,
        Proxy::Fallback(_) => Some(
            runtime
                .block_on(
                    Lab::builder()
                        .modules_dir(&modules)
                        .state_dir(root.join("lab2"))
                        .start(),
                )
                .context("cannot start the second lab")?,
        ),
    };

    let mut env = match (&second, s.proxy) {
        (Some(good), Proxy::Fallback(sep)) => {
            let mut env = good.go_env();
            env.push((
                "GOPROXY".into(),
                format!("{}{sep}{}", lab.proxy_url(), good.proxy_url()),
            ));
            env
        }
        _ => lab.go_env(),
    };
    env.extend(s.env.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    // Later entries win; keep one per variable for the report.
    let mut dedup: Vec<(String, String)> = Vec::new();
    for (k, v) in env {
        dedup.retain(|(dk, _)| *dk != k);
        dedup.push((k, v));
    }
    let env = dedup;

    let run = run_go(go, root, &env, s.args);
    let first_log = lab.request_log();
    let second_log = second
        .as_ref()
        .map(RunningLab::request_log)
        .unwrap_or_default();
    let real = lab.module(MODULE, "v1.0.0").map(|m| m.zip_hash);
    runtime.block_on(lab.shutdown());
    if let Some(good) = second {
        runtime.block_on(good.shutdown());
    }
    let (exit_code, stdout, stderr) = run?;

    let mut problems = Vec::new();
    match (s.go_succeeds, exit_code) {
        (true, Some(0)) | (false, Some(1..)) => {}
        (true, _) => problems.push("go was expected to succeed and failed".to_owned()),
        (false, _) => problems.push("go was expected to fail and did not".to_owned()),
    }
    for needle in s.stderr_has {
        if !stderr.contains(needle) {
            problems.push(format!("go's stderr lacks {needle:?}"));
        }
    }
    for c in s.checks {
        if let Some(p) = check(*c, &stdout, real.as_deref(), &first_log, &second_log) {
            problems.push(p);
        }
    }
    Ok(Outcome {
        scenario: s,
        faults: faults.iter().map(fault_summary).collect(),
        env,
        exit_code,
        stdout,
        stderr,
        problems,
    })
}

fn check(
    c: Check,
    stdout: &str,
    real_hash: Option<&str>,
    first: &[LogEntry],
    second: &[LogEntry],
) -> Option<String> {
    match c {
        Check::SumIsNotTheRealOne(id) => {
            let sum = serde_json::Deserializer::from_str(stdout)
                .into_iter::<serde_json::Value>()
                .filter_map(Result::ok)
                .find(|v| {
                    format!(
                        "{}@{}",
                        v["Path"].as_str().unwrap_or(""),
                        v["Version"].as_str().unwrap_or("")
                    ) == id
                })
                .and_then(|v| v["Sum"].as_str().map(str::to_owned));
            match sum {
                None => Some(format!("go reported no Sum for {id}")),
                Some(sum) if Some(sum.as_str()) == real_hash => Some(format!(
                    "go's Sum for {id} is the real one: the tampered zip did not arrive"
                )),
                Some(_) => None,
            }
        }
        Check::SecondServed(suffix) => (!second
            .iter()
            .any(|e| e.status == 200 && e.path.ends_with(suffix)))
        .then(|| format!("the second proxy served no {suffix}")),
        Check::SecondNotServed(suffix) => second
            .iter()
            .any(|e| e.path.ends_with(suffix))
            .then(|| format!("the second proxy was asked for {suffix}")),
        Check::FaultApplied(name) => (!first.iter().any(|e| e.fault.split(',').any(|f| f == name)))
            .then(|| format!("the lab never applied fault {name}")),
    }
}

/// Runs go in `root/work` with a scrubbed environment: only PATH survives from ours.
fn run_go(
    go: &Path,
    root: &Path,
    env: &[(String, String)],
    args: &[&str],
) -> anyhow::Result<(Option<i32>, String, String)> {
    let work = root.join("work");
    let home = root.join("home");
    let gopath = root.join("gopath");
    for d in [&work, &home] {
        std::fs::create_dir_all(d).with_context(|| format!("creating {}", d.display()))?;
    }
    std::fs::write(
        work.join("go.mod"),
        "module example.com/labrun\n\ngo 1.21\n",
    )
    .context("writing go.mod")?;
    let mut cmd = Command::new(go);
    cmd.current_dir(&work).env_clear();
    if let Some(path) = std::env::var_os("PATH") {
        cmd.env("PATH", path);
    }
    cmd.env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("GOPATH", &gopath)
        .env("GOMODCACHE", gopath.join("pkg/mod"))
        .env("GOCACHE", root.join("gocache"))
        .env("GOENV", root.join("goenv"))
        .env("GOTOOLCHAIN", "local")
        .env("GOFLAGS", "-mod=mod -modcacherw")
        .env("GOVCS", "*:off");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .with_context(|| format!("cannot run {}", go.display()))?;
    // Read both pipes on threads so a chatty go cannot block on a full pipe while we wait.
    let mut out_pipe = child.stdout.take().expect("piped stdout");
    let mut err_pipe = child.stderr.take().expect("piped stderr");
    let out_t = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = std::io::Read::read_to_end(&mut out_pipe, &mut s);
        s
    });
    let err_t = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = std::io::Read::read_to_end(&mut err_pipe, &mut s);
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait().context("waiting for go")? {
            break Some(st);
        }
        if start.elapsed() > GO_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout = String::from_utf8_lossy(&out_t.join().unwrap_or_default()).into_owned();
    let stderr = String::from_utf8_lossy(&err_t.join().unwrap_or_default()).into_owned();
    Ok((status.and_then(|s| s.code()), stdout, stderr))
}

#[cfg(test)]
mod tests {
    use super::*;
    use gotrust_lab::FaultKind;

    #[test]
    fn every_scenario_names_an_embedded_fault_file_and_a_rule() {
        let mut names = std::collections::BTreeSet::new();
        for s in SCENARIOS {
            assert!(names.insert(s.name), "duplicate {}", s.name);
            let faults = faults_of(s).unwrap();
            assert!(!faults.is_empty(), "{}", s.name);
            // TLS faults need a TLS lab, and only they do here.
            let needs_tls = faults.iter().any(|f| {
                matches!(
                    f.kind,
                    FaultKind::UntrustedCert | FaultKind::PlaintextOnly | FaultKind::RedirectToHttp
                )
            });
            assert_eq!(needs_tls, s.tls, "{}", s.name);
            assert!(!s.rules.is_empty(), "{}", s.name);
            // A failing go must be recognised by its words, not just its exit status.
            assert!(s.go_succeeds || !s.stderr_has.is_empty(), "{}", s.name);
        }
    }

    #[test]
    fn selection() {
        assert_eq!(select(&[]).unwrap().len(), SCENARIOS.len());
        let one = select(&["gonosumdb".to_owned()]).unwrap();
        assert_eq!(one[0].name, "gonosumdb");
        let e = select(&["nope".to_owned()]).unwrap_err().to_string();
        assert!(
            e.contains("unknown scenario `nope`") && e.contains("sumdb-off"),
            "{e}"
        );
    }

    #[test]
    fn sum_check_distinguishes_real_from_tampered() {
        let out = r#"{"Path":"example.com/simple","Version":"v1.0.0","Sum":"h1:fake="}"#;
        assert_eq!(
            check(
                Check::SumIsNotTheRealOne(SIMPLE_V100),
                out,
                Some("h1:real="),
                &[],
                &[]
            ),
            None
        );
        assert!(
            check(
                Check::SumIsNotTheRealOne(SIMPLE_V100),
                out,
                Some("h1:fake="),
                &[],
                &[]
            )
            .is_some()
        );
        assert!(check(Check::SumIsNotTheRealOne(SIMPLE_V100), "", None, &[], &[]).is_some());
    }
}
