//! `gotrust diagnose`: go command output -> causes, linked to findings and fixes.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::args::GlobalArgs;

/// Flags of `gotrust diagnose`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Log of the go command to read; `-` or nothing reads standard input
    #[arg(value_name = "LOG")]
    pub log: Option<PathBuf>,
}

/// Not wired yet (exit 2).
pub fn run(_global: &GlobalArgs, _args: &Args) -> anyhow::Result<ExitCode> {
    super::not_implemented("diagnose")
}
