//! `gotrust explain`: the route each module takes, as go would fetch it.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::args::GlobalArgs;

/// Flags of `gotrust explain`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Module paths (with an optional @version) to explain
    #[arg(
        value_name = "MODULE",
        required_unless_present = "project",
        conflicts_with = "project"
    )]
    pub modules: Vec<String>,
    /// Explain every module required by the project in DIR instead
    #[arg(long, value_name = "DIR")]
    pub project: Option<PathBuf>,
}

/// Not wired yet (exit 2).
pub fn run(_global: &GlobalArgs, _args: &Args) -> anyhow::Result<ExitCode> {
    super::not_implemented("explain")
}
