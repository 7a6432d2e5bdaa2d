//! `gotrust lab serve|run`: a local GOPROXY and checksum database, and the experiments.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::args::GlobalArgs;

/// Lab subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Serve a GOPROXY and a signing checksum database on loopback, with fault injection
    Serve(ServeArgs),
    /// Run the experiments end to end with the real go command
    Run(RunArgs),
}

/// Flags of `gotrust lab serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Directory of modules to serve
    #[arg(long, value_name = "DIR")]
    pub modules: Option<PathBuf>,
    /// Fault to inject (repeatable)
    #[arg(long = "fault", value_name = "FAULT")]
    pub faults: Vec<String>,
}

/// Flags of `gotrust lab run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Scenarios to run [default: all]
    #[arg(value_name = "SCENARIO")]
    pub scenarios: Vec<String>,
}

/// Not wired yet (exit 2).
pub fn run(_global: &GlobalArgs, cmd: &Command) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Serve(_) => super::not_implemented("lab serve"),
        Command::Run(_) => super::not_implemented("lab run"),
    }
}
