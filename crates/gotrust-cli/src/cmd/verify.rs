//! `gotrust verify sums|proxy|cache`: go.sum lines, proxies and the module cache against the
//! checksum database.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::args::GlobalArgs;

/// What to verify.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// go.sum lines vs the checksum database (signed tree head and Merkle proofs)
    Sums(SumsArgs),
    /// What proxies serve vs go.sum and the checksum database
    Proxy(ProxyArgs),
    /// The local module cache vs its hashes, go.sum and the checksum database
    Cache(CacheArgs),
}

/// Flags of `gotrust verify sums`.
#[derive(Debug, clap::Args)]
pub struct SumsArgs {
    /// go.sum files [default: go.sum]
    #[arg(value_name = "GO.SUM")]
    pub go_sums: Vec<PathBuf>,
}

/// Flags of `gotrust verify proxy`.
#[derive(Debug, clap::Args)]
pub struct ProxyArgs {
    /// Proxy to check (repeatable): `URL` replaces GOPROXY's proxies, `+URL` adds to them
    /// [default: the proxies of GOPROXY]
    #[arg(long = "proxy", value_name = "URL")]
    pub proxies: Vec<String>,
    /// A go.sum file, or module@version pairs
    #[arg(value_name = "GO.SUM | M@V")]
    pub targets: Vec<String>,
}

/// Flags of `gotrust verify cache`.
#[derive(Debug, clap::Args)]
pub struct CacheArgs {
    /// Module cache to check [default: GOMODCACHE]
    #[arg(long, value_name = "DIR")]
    pub modcache: Option<PathBuf>,
    /// Check only the modules of the project in DIR
    #[arg(long, value_name = "DIR")]
    pub project: Option<PathBuf>,
}

/// Runs the chosen verification.
pub fn run(_global: &GlobalArgs, cmd: &Command) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Sums(args) => super::verify_sums::run(_global, args),
        Command::Proxy(args) => super::verify_proxy::run(_global, args),
        Command::Cache(args) => super::verify_cache::run(_global, args),
    }
}
