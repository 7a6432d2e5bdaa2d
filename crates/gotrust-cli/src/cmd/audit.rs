//! `gotrust audit`: the effective Go configuration and the project, judged by the rule catalog.

use std::path::PathBuf;
use std::process::ExitCode;

use gotrust::report::{Evidence, Finding, Report, catalog};

use crate::args::GlobalArgs;
use crate::output;

/// Flags of `gotrust audit`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Project directory (its go.mod, go.sum and gotrust.toml)
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub project: PathBuf,
}

/// Runs the audit, applies the policy, renders the report and decides the exit code.
pub fn run(global: &GlobalArgs, args: &Args) -> anyhow::Result<ExitCode> {
    if !args.project.is_dir() {
        anyhow::bail!(
            "project directory {} does not exist",
            args.project.display()
        );
    }
    let policy = super::load_policy(global, &args.project)?;
    let report = Report::with_policy(placeholder_findings(), &policy);
    output::report(global, "audit", &report)
}

// TODO(coordinator): wire gotrust::audit. Until the engine exists this placeholder reports
// only the one case it can judge without the go env files: GOSUMDB=off in the process
// environment, which wins over every file (spec §1.1), so the finding is true whatever the
// files say. It exists so renderers, policy effects and exit codes are testable end to end.
fn placeholder_findings() -> Vec<Finding> {
    match std::env::var_os("GOSUMDB") {
        Some(v) if v == "off" => vec![
            Finding::new(
                &catalog::SUMDB_DISABLED,
                "GOSUMDB is off: no downloaded module is checked against the checksum database",
            )
            .with_evidence(Evidence::variable("GOSUMDB", "off").origin("process environment"))
            .with_fix("Unset GOSUMDB; list private module paths in GOPRIVATE instead."),
        ],
        _ => Vec::new(),
    }
}
