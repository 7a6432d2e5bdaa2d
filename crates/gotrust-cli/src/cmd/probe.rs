//! `gotrust probe`: how proxies behave (TLS, redirects, not-found semantics, sumdb support).

use std::process::ExitCode;

use crate::args::GlobalArgs;

/// Flags of `gotrust probe`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Proxy URLs to probe
    #[arg(value_name = "URL", required = true)]
    pub urls: Vec<String>,
}

/// Not wired yet (exit 2).
pub fn run(_global: &GlobalArgs, _args: &Args) -> anyhow::Result<ExitCode> {
    super::not_implemented("probe")
}
