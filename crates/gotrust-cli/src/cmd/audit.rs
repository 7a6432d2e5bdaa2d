//! `gotrust audit`: the effective Go configuration and the project, judged by the rule catalog.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use gotrust::audit::{self, AuditInput, ProjectFiles};
use gotrust::env::{self, EnvSources};
use gotrust::settings::Settings;
use gotrust::settings::git::GitSettings;

use crate::args::{GlobalArgs, GoMode};
use crate::output;

/// Flags of `gotrust audit`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Project directory (its go.mod, go.sum and gotrust.toml) [default: the current directory]
    #[arg(long, value_name = "DIR")]
    pub project: Option<PathBuf>,
}

/// Runs the audit, applies the policy, renders the report and decides the exit code.
pub fn run(global: &GlobalArgs, args: &Args) -> anyhow::Result<ExitCode> {
    let dir = args.project.clone().unwrap_or_else(|| PathBuf::from("."));
    if !dir.exists() {
        anyhow::bail!("project directory {} does not exist", dir.display());
    }
    if !dir.is_dir() {
        anyhow::bail!(
            "--project {}: not a directory (pass the directory that holds go.mod)",
            dir.display()
        );
    }
    let policy = super::load_policy(global, &dir)?;
    // The project rules run only when the directory has a go.mod; without one the audit
    // still judges the Go environment (with the directory's policy).
    let project = ProjectFiles::load(&dir)?;

    let sources = EnvSources::from_process();
    let goenv = env::resolve(&sources);
    let settings = Settings::from_env(&goenv, &sources);
    let git = GitSettings::load(|k| sources.process.get(k).cloned());
    let mode = match &global.go {
        GoMode::Auto => env::GoMode::Auto,
        GoMode::Never => env::GoMode::Never,
        GoMode::Path(p) => env::GoMode::Path(p.clone()),
    };
    let cross = match env::cross_check(&goenv, &sources, &mode) {
        Ok(c) => c,
        // With `auto`, a go that cannot run is not gotrust's failure: audit without it.
        Err(e) if mode == env::GoMode::Auto => {
            if !global.quiet {
                let _ = writeln!(
                    crate::output::stderr(),
                    "gotrust: warning: skipping the go env cross-check: {e}"
                );
            }
            None
        }
        Err(e) => return Err(e).context("--go"),
    };
    let report = audit::run(&AuditInput {
        env: &goenv,
        sources: &sources,
        settings: &settings,
        git: Some(&git),
        policy: Some(&policy),
        project: project.as_ref(),
        cross_check: cross.as_ref(),
    });
    output::report(global, "audit", &report)
}
