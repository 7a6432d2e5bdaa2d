//! `gotrust lab serve|run`: a local GOPROXY and checksum database, and the experiments.

#[path = "lab_run.rs"]
pub mod run;
#[path = "lab_serve.rs"]
pub mod serve;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use gotrust_lab::Fault;
use gotrust_lab::fault_spec as fault;

use crate::args::GlobalArgs;

/// Lab subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Serve a GOPROXY and a signing checksum database on loopback, with fault injection
    #[command(after_help = fault::HELP)]
    Serve(ServeArgs),
    /// Run the experiments end to end with the real go command
    Run(RunArgs),
}

/// Flags of `gotrust lab serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Directory of modules to serve: txtar fixtures and `path@version/` trees (repeatable)
    /// [default: a small built-in set]
    #[arg(long = "modules", value_name = "DIR")]
    pub modules: Vec<PathBuf>,
    /// Directory for the transparency log, keys, CA and request log, reused across restarts
    /// [default: a new temporary directory]
    #[arg(long, value_name = "DIR")]
    pub state: Option<PathBuf>,
    /// Serve HTTPS with a generated CA (its PEM file is printed as SSL_CERT_FILE)
    #[arg(long)]
    pub tls: bool,
    /// Address to listen on
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    pub bind: SocketAddr,
    /// Name of the checksum database [default: sum.gotrust.localhost; without --state and
    /// --key, prefixed with a random id so a restarted lab's new key never meets the tree
    /// head go and gotrust kept for the last one]
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// File holding the signer key (`PRIVATE+KEY+...`) [default: generated into the state
    /// directory]
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,
    /// Fault to inject (repeatable; syntax below)
    #[arg(long = "fault", value_name = "FAULT", value_parser = fault::parse)]
    pub faults: Vec<Fault>,
    /// Scenario file: a TOML list of faults (repeatable)
    #[arg(long = "scenario", value_name = "FILE")]
    pub scenarios: Vec<PathBuf>,
    /// Also serve a forward proxy (HTTP and CONNECT) on ADDR: go pointed at it with
    /// HTTPS_PROXY/HTTP_PROXY reaches the lab as `https://proxy.lab.test` (every `*.lab.test`
    /// host is the lab, with go-import pages for direct fetches)
    #[arg(
        long = "forward-proxy",
        value_name = "ADDR",
        num_args = 0..=1,
        default_missing_value = "127.0.0.1:0"
    )]
    pub forward_proxy: Option<SocketAddr>,
    /// With --forward-proxy: intercept like a corporate egress proxy, answering for every
    /// host (proxy.golang.org included) re-signed with the lab's interception CA
    #[arg(long, requires = "forward_proxy")]
    pub intercept: bool,
}

/// Flags of `gotrust lab run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Scenarios to run [default: all]
    #[arg(value_name = "SCENARIO")]
    pub scenarios: Vec<String>,
    /// List the scenarios and exit
    #[arg(long)]
    pub list: bool,
}

/// Runs a lab subcommand on a multi-threaded runtime: the lab serves on its worker threads
/// while this thread waits for signals or runs go.
pub fn run(global: &GlobalArgs, cmd: &Command) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    match cmd {
        Command::Serve(args) => serve::run(&runtime, global, args),
        Command::Run(args) => run::run(&runtime, global, args),
    }
}
