//! One file per subcommand. Each has an `Args` struct (its own flags) and
//! `run(&GlobalArgs, &Args) -> anyhow::Result<ExitCode>`; this module only dispatches.

pub mod audit;
pub mod diagnose;
pub mod env;
pub mod explain;
pub mod lab;
pub mod probe;
pub mod rules;
pub mod scan;
pub mod verify;

use std::path::Path;
use std::process::ExitCode;

use anyhow::anyhow;
use clap::Subcommand;
use gotrust::policy::Policy;

use crate::args::GlobalArgs;

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Effective Go configuration and project -> findings
    Audit(audit::Args),
    /// Effective Go environment, each value with where it came from
    Env(env::Args),
    /// The route of each module: proxies, fallback, direct, TLS, checksum database
    Explain(explain::Args),
    /// Check go.sum, proxies and the module cache against the checksum database
    #[command(subcommand)]
    Verify(verify::Command),
    /// Probe proxies: TLS, redirects, not-found semantics, checksum-database support
    Probe(probe::Args),
    /// Explain go command output: causes, linked to findings and fixes
    Diagnose(diagnose::Args),
    /// Find Go settings written in a repository (Dockerfile, CI YAML, Makefile, .envrc, scripts)
    Scan(scan::Args),
    /// A local GOPROXY and checksum database, and the experiments run against it
    #[command(subcommand)]
    Lab(lab::Command),
    /// Every rule any command can report; `gotrust rules ID` explains one
    Rules(rules::Args),
}

/// Runs the chosen subcommand.
pub fn run(global: &GlobalArgs, command: &Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Audit(args) => audit::run(global, args),
        Command::Env(args) => env::run(global, args),
        Command::Explain(args) => explain::run(global, args),
        Command::Verify(cmd) => verify::run(global, cmd),
        Command::Probe(args) => probe::run(global, args),
        Command::Diagnose(args) => diagnose::run(global, args),
        Command::Scan(args) => scan::run(global, args),
        Command::Lab(cmd) => lab::run(global, cmd),
        Command::Rules(args) => rules::run(global, args),
    }
}

/// The policy: `--policy FILE` if given (it must exist), else `gotrust.toml` in `project`
/// if present, else the empty policy.
pub fn load_policy(global: &GlobalArgs, project: &Path) -> anyhow::Result<Policy> {
    let policy = match &global.policy {
        Some(path) => Policy::load(path).map(Some),
        None => Policy::discover(project),
    };
    match policy {
        Ok(policy) => Ok(policy.unwrap_or_default()),
        // Show the offending line under the message, like a compiler would.
        Err(e) => match e.snippet() {
            Some(snippet) => Err(anyhow!("{e}\n{snippet}")),
            None => Err(e.into()),
        },
    }
}
