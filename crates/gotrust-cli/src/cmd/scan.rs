//! `gotrust scan`: Go settings written in a repository.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::args::GlobalArgs;

/// Flags of `gotrust scan`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Repository to scan
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
}

/// Not wired yet (exit 2).
pub fn run(_global: &GlobalArgs, _args: &Args) -> anyhow::Result<ExitCode> {
    super::not_implemented("scan")
}
