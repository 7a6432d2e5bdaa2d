//! `gotrust scan`: Go settings written in a repository, judged by the audit rules.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use gotrust::report::Report;
use gotrust::scan::{ScanOptions, evaluate::evaluate, scan_dir};

use crate::args::GlobalArgs;

/// Flags of `gotrust scan`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Repository to scan
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
    /// Also scan files that .gitignore excludes
    #[arg(long)]
    pub no_ignore: bool,
}

/// Scans `DIR` (never executing anything it reads), evaluates each file's settings with the
/// audit rules and reports findings at their file and line.
pub fn run(global: &GlobalArgs, args: &Args) -> anyhow::Result<ExitCode> {
    if args.dir.exists() && !args.dir.is_dir() {
        anyhow::bail!(
            "cannot scan {}: not a directory (gotrust scan reads a repository directory)",
            args.dir.display()
        );
    }
    let opts = ScanOptions {
        respect_gitignore: !args.no_ignore,
        ..ScanOptions::default()
    };
    let scanned = scan_dir(&args.dir, &opts)
        .with_context(|| format!("cannot scan {}", args.dir.display()))?;
    // A file that cannot be parsed does not stop the scan; say which and why.
    for e in &scanned.errors {
        let _ = writeln!(crate::output::stderr(), "gotrust: warning: {e}");
    }
    let policy = super::load_policy(global, &args.dir)?;
    let findings = evaluate(&scanned.settings, &args.dir, Some(&policy));
    let report = Report::with_policy(findings, &policy);
    crate::output::report(global, "scan", &report)
}
