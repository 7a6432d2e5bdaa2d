//! `gotrust verify sums|proxy|cache`: go.sum lines, proxies and the module cache against the
//! checksum database. This module holds the flags and dispatches; one file per subcommand.

mod cache;
mod proxy;
mod store;
mod sums;

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
    /// A module proxy's storage (directory, s3://, gs://, az://) vs the checksum database
    Store(store::StoreArgs),
}

/// Network flags shared by the `verify` commands.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct NetArgs {
    /// Requests in flight at once per host (lookups, tiles, downloads, @v/list); the default
    /// matches the usual HTTP/2 stream limit, so one connection carries them all
    #[arg(long, value_name = "N", default_value_t = 100,
          value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: u16,
    /// Longest time, in seconds, for each request end to end: connect, TLS, response head and
    /// the whole body
    #[arg(long, value_name = "SECS", default_value_t = 60,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,
}

impl Default for NetArgs {
    fn default() -> Self {
        NetArgs {
            jobs: 100,
            timeout: 60,
        }
    }
}

/// Flags of `gotrust verify sums`.
#[derive(Debug, clap::Args)]
pub struct SumsArgs {
    /// go.sum files [default: go.sum]
    #[arg(value_name = "GO.SUM")]
    pub go_sums: Vec<PathBuf>,
    /// When every record is cached: seconds for which the database head confirmed against
    /// `/latest` (and the database URL found through GOPROXY) is trusted without asking
    /// again; 0 asks on every run
    #[arg(long, value_name = "SECONDS", default_value_t = 600)]
    pub head_max_age: u64,
    #[command(flatten)]
    pub net: NetArgs,
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
    #[command(flatten)]
    pub net: NetArgs,
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
    #[command(flatten)]
    pub net: NetArgs,
}

/// Runs the chosen verification.
pub fn run(_global: &GlobalArgs, cmd: &Command) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Sums(args) => sums::run(_global, args),
        Command::Proxy(args) => proxy::run(_global, args),
        Command::Cache(args) => cache::run(_global, args),
        Command::Store(args) => store::run(_global, args),
    }
}
