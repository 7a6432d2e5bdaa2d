//! `gotrust lab serve`: start a lab, print how to point go at it, serve until SIGINT/SIGTERM.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, anyhow};
use gotrust_lab::forward::ForwardProxy;
use gotrust_lab::{Lab, RunningLab, Scenario};
use serde_json::json;

use super::ServeArgs;
use crate::args::{Format, GlobalArgs};

/// Starts the lab and serves until a signal arrives.
pub fn run(
    runtime: &tokio::runtime::Runtime,
    global: &GlobalArgs,
    args: &ServeArgs,
) -> anyhow::Result<ExitCode> {
    if !matches!(global.format, Format::Text | Format::Json) {
        return Err(anyhow!(
            "--format {} is not available for gotrust lab serve",
            global.format.name()
        ));
    }
    // A lab without --state signs with a new key each start: a name of its own keeps go's and
    // gotrust's stored tree heads of an earlier lab out of its way.
    let name = match (&args.name, &args.state, &args.key) {
        (Some(name), _, _) => name.clone(),
        (None, None, None) => gotrust_lab::fresh_sumdb_name(gotrust_lab::DEFAULT_SUMDB_NAME)
            .context("cannot start the lab")?,
        (None, _, _) => gotrust_lab::DEFAULT_SUMDB_NAME.to_string(),
    };
    let mut builder = Lab::builder()
        .bind(args.bind)
        .tls(args.tls)
        .sumdb_name(&name);
    // Kept alive while serving: the built-in modules live there.
    let mut builtin = None;
    if args.modules.is_empty() {
        let dir = tempfile::Builder::new()
            .prefix("gotrust-lab-modules-")
            .tempdir()
            .context("cannot create a directory for the built-in modules")?;
        gotrust_lab::scenarios::write_builtin_modules(dir.path())
            .context("cannot write the built-in modules")?;
        builder = builder.modules_dir(dir.path());
        builtin = Some(dir);
    }
    for dir in &args.modules {
        builder = builder.modules_dir(dir);
    }
    if let Some(state) = &args.state {
        builder = builder.state_dir(state);
    }
    if let Some(path) = &args.key {
        let key = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the signer key {}", path.display()))?;
        builder = builder.signer_key(key.trim());
    }
    for path in &args.scenarios {
        builder = builder.scenario(Scenario::load(path)?);
    }
    for f in &args.faults {
        builder = builder.fault(f.clone());
    }
    let lab = runtime
        .block_on(builder.start())
        .context("cannot start the lab")?;
    let forward = match args.forward_proxy {
        Some(bind) => Some(
            runtime
                .block_on(
                    lab.start_forward_proxy(gotrust_lab::forward::ForwardOptions {
                        intercept: args.intercept,
                        bind,
                        ..Default::default()
                    }),
                )
                .context("cannot start the forward proxy")?,
        ),
        None => None,
    };
    let env = match &forward {
        Some(fwd) => fwd.go_env_through(&lab),
        None => lab.go_env(),
    };

    // Handlers go in before the environment is printed: a reader that sends SIGINT as soon as
    // it has read the exports must reach them, not the default action.
    let signals = {
        let _guard = runtime.enter();
        Signals::install().context("cannot install signal handlers")?
    };
    let mut out = crate::output::stdout(global);
    match global.format {
        Format::Json => writeln!(out, "{}", describe_json(&lab, forward.as_ref(), &env))?,
        _ => write!(
            out,
            "{}",
            describe_text(&lab, forward.as_ref(), &env, global.quiet)
        )?,
    }
    // The reader (a script, a test) needs the environment now, not at exit.
    out.flush().context("cannot write to stdout")?;
    drop(out);

    let signal = runtime.block_on(signals.wait());
    let log = lab.state_dir().join("requests.jsonl");
    let served = lab.request_log().len();
    if let Some(fwd) = forward {
        runtime.block_on(fwd.shutdown());
    }
    runtime.block_on(lab.shutdown());
    drop(builtin);
    if !global.quiet {
        let _ = writeln!(
            crate::output::stderr(),
            "gotrust lab: {signal}: stopped after {served} requests (log: {})",
            log.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// SIGINT and SIGTERM handlers (Ctrl-C elsewhere), installed before the lab is announced.
struct Signals {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl Signals {
    /// Must run inside the tokio runtime's context.
    fn install() -> std::io::Result<Signals> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Signals {
                interrupt: signal(SignalKind::interrupt())?,
                terminate: signal(SignalKind::terminate())?,
            })
        }
        #[cfg(not(unix))]
        {
            Ok(Signals {})
        }
    }

    /// Waits for the first signal and names it.
    async fn wait(mut self) -> &'static str {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.interrupt.recv() => "SIGINT",
                _ = self.terminate.recv() => "SIGTERM",
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            "Ctrl-C"
        }
    }
}

/// Quotes a value for POSIX shells when it needs it (an empty value needs nothing:
/// `export GONOSUMDB=`).
fn shell_quote(v: &str) -> String {
    if v.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"/:.,_-+=@%".contains(&b))
    {
        v.to_owned()
    } else {
        format!("'{}'", v.replace('\'', r"'\''"))
    }
}

fn describe_text(
    lab: &RunningLab,
    forward: Option<&ForwardProxy>,
    env: &[(String, String)],
    quiet: bool,
) -> String {
    let mut s = String::new();
    if !quiet {
        let mods = lab.modules();
        s += &format!(
            "# gotrust lab: {} module versions on {}, checksum database {} at {}\n",
            mods.len(),
            lab.proxy_url(),
            lab.sumdb_name(),
            lab.sumdb_url()
        );
        for f in lab.faults() {
            s += &format!("# fault: {}\n", gotrust_lab::fault_spec::to_spec(f));
        }
        if let Some(fwd) = forward {
            s += &format!(
                "# Forward proxy on {}: {}; its CA ({}) is {}\n",
                fwd.url(),
                if fwd.intercepts() {
                    "intercepting, every host answered by the lab"
                } else {
                    "*.lab.test answered by the lab, other hosts refused"
                },
                fwd.ca_name(),
                fwd.ca_file().display()
            );
            s += &format!(
                "# go reaches the lab as {} through it\n",
                fwd.proxy_url_through()
            );
        }
        s += "# Point go at the lab (in a shell: eval these lines):\n";
    }
    for (k, v) in env {
        s += &format!("export {k}={}\n", shell_quote(v));
    }
    if !quiet {
        // go keeps the database's signed tree head under $GOPATH/pkg/sumdb and its tiles in
        // the module cache: a fresh GOPATH and module cache keep both out of the user's own.
        s += "# Keep your own GOPATH (go's checksum-database state) and module cache out of it:\n";
        s += "#   export GOPATH=\"$(mktemp -d)\"; export GOMODCACHE=\"$GOPATH/pkg/mod\" GOFLAGS=-modcacherw\n";
        s += &format!(
            "# Request log: {}\n# Stop with Ctrl-C or SIGTERM.\n",
            lab.state_dir().join("requests.jsonl").display()
        );
    }
    s
}

fn describe_json(
    lab: &RunningLab,
    forward: Option<&ForwardProxy>,
    env: &[(String, String)],
) -> serde_json::Value {
    let env: serde_json::Map<String, serde_json::Value> = env
        .iter()
        .map(|(k, v)| (k.clone(), v.clone().into()))
        .collect();
    let forward = forward.map(|f| {
        json!({
            "url": f.url(),
            "intercept": f.intercepts(),
            "ca_name": f.ca_name(),
            "ca_file": f.ca_file().display().to_string(),
            "goproxy": f.proxy_url_through(),
        })
    });
    json!({
        "schema_version": 1,
        "proxy_url": lab.proxy_url(),
        "sumdb_url": lab.sumdb_url(),
        "sumdb_name": lab.sumdb_name(),
        "verifier_key": lab.verifier_key(),
        "ca_file": lab.ca_file().map(|p| p.display().to_string()),
        "state_dir": lab.state_dir().display().to_string(),
        "request_log": lab.state_dir().join("requests.jsonl").display().to_string(),
        "modules": lab.modules().iter().map(|(p, v)| format!("{p}@{v}")).collect::<Vec<_>>(),
        "faults": lab.faults().iter().map(gotrust_lab::fault_spec::to_spec).collect::<Vec<_>>(),
        "forward_proxy": forward,
        "env": env,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(
            shell_quote("http://127.0.0.1:8080"),
            "http://127.0.0.1:8080"
        );
        assert_eq!(shell_quote(""), "");
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
    }

    #[test]
    fn summary_round_trips_through_the_parser() {
        for spec in [
            "status=500@example.com/m@v1.0.0:zip",
            "tamper-zip@example.com/m@v1.0.0",
            "forked-tree",
            "latency=200ms",
            "stall=10/5ms:tree-head",
            "polluted=v1.0.0@example.com/m@v1.9.9",
        ] {
            let f = gotrust_lab::fault_spec::parse(spec).unwrap();
            assert_eq!(gotrust_lab::fault_spec::to_spec(&f), spec);
        }
    }
}
