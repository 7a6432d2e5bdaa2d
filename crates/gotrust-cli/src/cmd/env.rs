//! `gotrust env`: the effective Go environment, each value with its origin.

use std::process::ExitCode;

use crate::args::GlobalArgs;

/// Flags of `gotrust env`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Show only the variables that differ from go's defaults
    #[arg(long)]
    pub changed: bool,
}

/// Not wired yet (exit 2).
pub fn run(_global: &GlobalArgs, _args: &Args) -> anyhow::Result<ExitCode> {
    super::not_implemented("env")
}
