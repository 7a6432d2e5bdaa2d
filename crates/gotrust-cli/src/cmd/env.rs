//! `gotrust env`: the effective Go environment, each value with its origin.
//!
//! Text: one `KEY=value  # origin` line per variable. JSON: the `GoEnv` contract, an object
//! keyed by variable name. When the `--go` cross-check ran, JSON adds one reserved key,
//! `go_env_disagreements` (lowercase, so it can never be a Go variable): an array of
//! `{"name", "ours", "go"}` for every variable where `go env -json` printed another value
//! (empty when they agree). In text mode disagreements go to stderr. `--go PATH` that
//! cannot run is an error (exit 2); with `--go auto` a failing go is a warning.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, bail};
use gotrust::env::{self, CrossCheck, EnvSources, GoEnv};

use crate::args::{Format, GlobalArgs, GoMode};

/// Flags of `gotrust env`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Show only the variables that differ from go's defaults
    #[arg(long)]
    pub changed: bool,
}

/// The engine's go mode for the global `--go` flag.
pub fn go_mode(global: &GlobalArgs) -> env::GoMode {
    match &global.go {
        GoMode::Auto => env::GoMode::Auto,
        GoMode::Never => env::GoMode::Never,
        GoMode::Path(p) => env::GoMode::Path(p.clone()),
    }
}

/// Runs the cross-check the global `--go` flag asks for. An explicit go that fails is an
/// error; with `auto` a failure is reported on stderr and the check is skipped.
pub fn cross_check(
    global: &GlobalArgs,
    env: &GoEnv,
    src: &EnvSources,
) -> anyhow::Result<Option<CrossCheck>> {
    let mode = go_mode(global);
    match env::cross_check(env, src, &mode) {
        Ok(c) => Ok(c),
        Err(e) if matches!(mode, env::GoMode::Path(_)) => {
            // The error's text already includes its cause; do not chain it twice.
            Err(anyhow::anyhow!(
                "--go: cannot cross-check with go env -json: {e}"
            ))
        }
        Err(e) => {
            if !global.quiet {
                let _ = writeln!(
                    crate::output::stderr(),
                    "gotrust: warning: skipping go env cross-check: {e}"
                );
            }
            Ok(None)
        }
    }
}

/// Prints the environment.
pub fn run(global: &GlobalArgs, args: &Args) -> anyhow::Result<ExitCode> {
    let src = EnvSources::from_process();
    let mut goenv = env::resolve(&src);
    let check = cross_check(global, &goenv, &src)?;
    let mut out = crate::output::stdout(global);
    match global.format {
        Format::Text => {
            out.write_all(env::render::render_text(&goenv, args.changed).as_bytes())?;
            if let Some(c) = &check {
                let mut err = crate::output::stderr();
                for d in c.disagreements() {
                    let _ = writeln!(
                        err,
                        "gotrust: warning: {} disagrees on {}: go env says {}, gotrust computed {}",
                        c.go.display(),
                        d.name,
                        show(d.go.as_deref().unwrap_or("")),
                        show(&d.ours)
                    );
                }
            }
        }
        Format::Json => {
            if args.changed {
                goenv.vars.retain(|_, s| s.changed);
            }
            let mut value = serde_json::to_value(&goenv)?;
            if let (Some(c), Some(obj)) = (&check, value.as_object_mut()) {
                let rows: Vec<serde_json::Value> = c
                    .disagreements()
                    .iter()
                    .map(|d| {
                        serde_json::json!({
                            "name": d.name,
                            "ours": gotrust::redact::redact_text(&d.ours),
                            "go": d.go.as_deref().map(gotrust::redact::redact_text),
                        })
                    })
                    .collect();
                obj.insert("go_env_disagreements".into(), rows.into());
            }
            serde_json::to_writer_pretty(&mut out, &value)?;
            out.write_all(b"\n")?;
        }
        f => bail!("--format {} is not available for gotrust env", f.name()),
    }
    out.flush().context("cannot write to stdout")?;
    Ok(ExitCode::SUCCESS)
}

/// A value for a one-line message: quoted, credentials redacted.
fn show(v: &str) -> String {
    format!("{:?}", gotrust::redact::redact_text(v))
}
