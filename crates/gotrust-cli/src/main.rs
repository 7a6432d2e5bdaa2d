//! The `gotrust` binary: argument parsing, renderer choice, exit codes. No logic
//! a library user would want lives here.
//!
//! Exit codes: 0 when nothing is at or above `--fail-on` and every verification
//! held; 1 for findings at or above `--fail-on` or a failed verification; 2 when gotrust could
//! not do what was asked (bad arguments, unreadable input, a network failure that prevents a
//! verdict).

mod args;
mod cmd;
mod output;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use crate::args::GlobalArgs;
use crate::cmd::Command;

/// Show what the Go toolchain really trusts when it fetches modules, and prove whether that
/// trust holds.
#[derive(Debug, Parser)]
#[command(
    name = "gotrust",
    version,
    propagate_version = true,
    max_term_width = 100
)]
#[command(
    after_help = "Exit status: 0 nothing at or above --fail-on and every verification \
held; 1 findings at or above --fail-on or a failed verification; 2 gotrust could not do what \
was asked."
)]
pub struct Cli {
    /// Flags shared by every command.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Exit status: gotrust could not do what was asked.
pub const EXIT_ERROR: u8 = 2;
/// Exit status: findings at or above `--fail-on`, or a verification failed.
pub const EXIT_FINDINGS: u8 = 1;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap exits 0 for --help/--version and 2 for usage errors, as we want. A help
            // text written to a closed pipe is not an error worth reporting.
            let _ = e.print();
            return ExitCode::from(e.exit_code().clamp(0, 255) as u8);
        }
    };
    output::register_secrets();
    match cmd::run(&cli.global, &cli.command) {
        Ok(code) => code,
        Err(err) if is_broken_pipe(&err) => {
            // The reader went away (`gotrust audit | head`): like every Unix tool, stop quietly.
            ExitCode::SUCCESS
        }
        Err(err) => {
            // Not eprintln!: it panics when stderr is closed.
            let _ = writeln!(output::stderr(), "gotrust: error: {}", error_text(&err));
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// The error and its causes joined with `: `, each cause once: many errors already include
/// their source in their own text (`cannot run go: No such file or directory`), and anyhow's
/// `{:#}` would repeat it.
fn error_text(err: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in err.chain() {
        let part = cause.to_string();
        if text.contains(&part) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&part);
    }
    text
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args::{ColorArg, FailOnArg, Format, GoMode};
    use clap::CommandFactory;
    use gotrust::report::FailOn;

    #[test]
    fn clap_definition_is_valid() {
        Cli::command().debug_assert();
    }

    #[test]
    fn global_flags_after_subcommand() {
        let cli = Cli::try_parse_from([
            "gotrust",
            "audit",
            "--format",
            "json",
            "--fail-on",
            "never",
            "-vv",
        ])
        .unwrap();
        assert_eq!(cli.global.format, Format::Json);
        assert_eq!(cli.global.fail_on, FailOnArg::Never);
        assert_eq!(cli.global.verbose, 2);
        assert_eq!(FailOn::from(cli.global.fail_on), FailOn::Never);
    }

    #[test]
    fn defaults() {
        let cli = Cli::try_parse_from(["gotrust", "audit"]).unwrap();
        assert_eq!(cli.global.go, GoMode::Auto);
        assert_eq!(cli.global.format, Format::Text);
        assert_eq!(FailOn::from(cli.global.fail_on), FailOn::default());
        assert_eq!(cli.global.color, ColorArg::Auto);
        assert!(!cli.global.offline && !cli.global.quiet);
    }
}
