//! Writing results to stdout in the chosen format, and turning them into an exit code.

use std::io::{self, Write};
use std::process::ExitCode;

use anyhow::{Context, bail};
use gotrust::report::text::TextOptions;
use gotrust::report::{FailOn, Report, json, sarif, text};

use crate::EXIT_FINDINGS;
use crate::args::{ColorArg, Format, GlobalArgs};

/// Whether to colour stdout: decided once from `--color`, `NO_COLOR` and whether stdout is a
/// terminal.
pub fn colour(global: &GlobalArgs) -> bool {
    match global.color {
        ColorArg::Always => true,
        ColorArg::Never => false,
        // anstream's choice follows NO_COLOR, CLICOLOR and CLICOLOR_FORCE and checks
        // for a terminal, like clap's own help output does.
        ColorArg::Auto => {
            anstream::AutoStream::choice(&io::stdout()) != anstream::ColorChoice::Never
        }
    }
}

/// Writes `report` to stdout in the chosen format and returns the exit code for `--fail-on`.
///
/// `command` names the subcommand in errors (`gotrust audit`).
pub fn report(global: &GlobalArgs, command: &str, report: &Report) -> anyhow::Result<ExitCode> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    match global.format {
        Format::Text => text::render(
            report,
            TextOptions {
                colour: colour(global),
            },
            &mut out,
        ),
        Format::Json => json::render(report, &mut out),
        Format::Sarif => sarif::render(report, env!("CARGO_PKG_VERSION"), &mut out),
        Format::Mermaid => bail!(
            "--format {} is not available for gotrust {command}",
            global.format.name()
        ),
    }
    .and_then(|()| out.flush())
    .context("cannot write to stdout")?;
    Ok(exit_code(report, global.fail_on.into()))
}

/// 1 when a finding is at or above the threshold, else 0.
pub fn exit_code(report: &Report, fail_on: FailOn) -> ExitCode {
    if report.exceeds(fail_on) {
        ExitCode::from(EXIT_FINDINGS)
    } else {
        ExitCode::SUCCESS
    }
}
