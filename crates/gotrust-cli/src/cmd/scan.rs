//! `gotrust scan`: Go settings written in a repository, judged by the audit rules.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use gotrust::report::{Location, Note, Report};
use gotrust::scan::evaluate::{Baseline, evaluate_all};
use gotrust::scan::{ScanOptions, scan_dir};

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

/// The repository root above `dir` (the nearest directory holding `.git`), if any.
fn repo_root(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
}

/// Scans `DIR` (never executing anything it reads), evaluates each place's settings with the
/// audit rules and reports findings at their file and line. Paths are relative to the
/// repository root when `DIR` is inside one (so code scanning places alerts right when a
/// subdirectory is scanned), else to `DIR`.
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
    let mut scanned = scan_dir(&args.dir, &opts)
        .with_context(|| format!("cannot scan {}", args.dir.display()))?;
    // A file that cannot be parsed does not stop the scan; say which and why.
    for e in &scanned.errors {
        let _ = writeln!(crate::output::stderr(), "gotrust: warning: {e}");
    }
    let abs = std::fs::canonicalize(&args.dir)
        .with_context(|| format!("cannot scan {}", args.dir.display()))?;
    // A single file is scanned as its own name: its directory is the base.
    let abs_dir = if abs.is_file() {
        abs.parent().map(Path::to_path_buf).unwrap_or(abs.clone())
    } else {
        abs.clone()
    };
    let (base, prefix) = match repo_root(&abs_dir) {
        Some(root) => {
            let prefix = abs_dir
                .strip_prefix(&root)
                .map(Path::to_path_buf)
                .unwrap_or_default();
            (root, prefix)
        }
        None => (abs_dir.clone(), PathBuf::new()),
    };
    for s in &mut scanned.settings {
        s.file = prefix.join(&s.file);
    }
    let baseline = Baseline::from_host();
    let policy = super::load_policy(global, &args.dir)?;
    let evaluation = evaluate_all(&scanned.settings, Some(&policy), &baseline);

    let mut notes = Vec::new();
    if baseline.goroot.is_none() {
        notes.push(Note {
            kind: "go-defaults",
            message: "no Go installation found: go's defaults are the values every Go distribution ships in $GOROOT/go.env (GOPROXY=https://proxy.golang.org,direct, GOSUMDB=sum.golang.org)".into(),
            location: None,
        });
    }
    for s in &scanned.skipped {
        notes.push(Note {
            kind: "skipped-file",
            message: format!("{} not read: {}", prefix.join(&s.file).display(), s.reason),
            location: Some(Location {
                path: prefix.join(&s.file),
                line: None,
            }),
        });
    }
    for e in &scanned.errors {
        notes.push(Note {
            kind: "unreadable-file",
            message: e.to_string(),
            location: None,
        });
    }
    for u in &evaluation.unresolved {
        let what = if u.partly_judged {
            "only its literal parts were judged"
        } else {
            "not judged"
        };
        notes.push(Note {
            kind: "unresolved-value",
            message: format!(
                "{}={} depends on {}, unknown before run time: {what}",
                u.variable,
                u.value,
                u.unknown.join(", ")
            ),
            location: Some(Location {
                path: u.file.clone(),
                line: u32::try_from(u.line).ok(),
            }),
        });
    }
    // Text output: a count on stderr, the details with -v (JSON and SARIF carry them all).
    let skipped = scanned.skipped.len() + scanned.errors.len();
    if !global.quiet && (skipped > 0 || !evaluation.unresolved.is_empty()) {
        eprintln!(
            "gotrust: {} file(s) scanned, {skipped} skipped or unreadable, {} value(s) unresolved{}",
            scanned.files_scanned,
            evaluation.unresolved.len(),
            if global.verbose > 0 {
                ":"
            } else {
                " (-v lists them)"
            }
        );
    }
    if !global.quiet && (global.verbose > 0 || baseline.goroot.is_none()) {
        for n in &notes {
            let shown_above = n.kind == "unreadable-file";
            if (global.verbose > 0 && !shown_above) || n.kind == "go-defaults" {
                let at = n
                    .location
                    .as_ref()
                    .map(|l| format!("{l}: "))
                    .unwrap_or_default();
                eprintln!("gotrust: {at}{}", gotrust::redact::redact_text(&n.message));
            }
        }
    }
    let report = Report::with_policy(evaluation.findings, &policy)
        .with_notes(notes)
        .with_uri_base(base);
    crate::output::report(global, "scan", &report)
}
