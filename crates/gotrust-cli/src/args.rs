//! The command line: global flags and subcommands (README.md, "Commands").

use std::path::PathBuf;

use clap::{Args, Parser, ValueEnum};
use gotrust::report::{FailOn, Severity};

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

/// Flags shared by every command; they may appear before or after the subcommand.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// How to use the go command: `auto` runs `go env -json` when go is installed and reports
    /// disagreements, `never` computes everything itself, or the path of the go binary to run
    #[arg(long, global = true, value_name = "auto|never|PATH", default_value = "auto", value_parser = parse_go)]
    pub go: GoMode,

    /// Output format
    #[arg(long, global = true, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Policy file [default: gotrust.toml in the project directory, if present]
    #[arg(long, global = true, value_name = "FILE")]
    pub policy: Option<PathBuf>,

    /// Exit with status 1 when a finding is at or above this severity
    #[arg(long, global = true, value_enum, default_value_t = FailOnArg::High, value_name = "SEVERITY")]
    pub fail_on: FailOnArg,

    /// Use no network: only what is local
    #[arg(long, global = true)]
    pub offline: bool,

    /// When to use colour (`auto` honours NO_COLOR and whether stdout is a terminal)
    #[arg(long, global = true, value_enum, default_value_t = ColorArg::Auto, value_name = "WHEN")]
    pub color: ColorArg,

    /// Print only the results: no progress, no notes
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Explain more (repeat for more detail)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

/// How to use the go command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GoMode {
    /// Run `go env -json` when go is on PATH, as a cross-check.
    Auto,
    /// Never run go.
    Never,
    /// Run this go binary.
    Path(PathBuf),
}

fn parse_go(s: &str) -> Result<GoMode, String> {
    match s {
        "auto" => Ok(GoMode::Auto),
        "never" => Ok(GoMode::Never),
        "" => Err("expected `auto`, `never` or the path of a go binary".to_owned()),
        path => Ok(GoMode::Path(PathBuf::from(path))),
    }
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Human-readable report
    Text,
    /// JSON (schema_version 1)
    Json,
    /// SARIF 2.1.0 for code scanning
    Sarif,
    /// Mermaid route graph (explain, audit)
    Mermaid,
}

impl Format {
    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Mermaid => "mermaid",
        }
    }
}

/// `--fail-on` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOnArg {
    /// Only critical findings fail
    Critical,
    /// High or critical findings fail
    High,
    /// Medium and above fail
    Medium,
    /// Low and above fail
    Low,
    /// Any finding fails
    Info,
    /// Findings never fail (verification failures still do)
    Never,
}

impl From<FailOnArg> for FailOn {
    fn from(a: FailOnArg) -> FailOn {
        match a {
            FailOnArg::Critical => FailOn::At(Severity::Critical),
            FailOnArg::High => FailOn::At(Severity::High),
            FailOnArg::Medium => FailOn::At(Severity::Medium),
            FailOnArg::Low => FailOn::At(Severity::Low),
            FailOnArg::Info => FailOn::At(Severity::Info),
            FailOnArg::Never => FailOn::Never,
        }
    }
}

/// `--color` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    /// Colour when stdout is a terminal and NO_COLOR is not set
    Auto,
    /// Always colour
    Always,
    /// Never colour
    Never,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_valid() {
        Cli::command().debug_assert();
    }

    #[test]
    fn go_mode() {
        assert_eq!(parse_go("auto"), Ok(GoMode::Auto));
        assert_eq!(parse_go("never"), Ok(GoMode::Never));
        assert_eq!(
            parse_go("/usr/local/go/bin/go"),
            Ok(GoMode::Path("/usr/local/go/bin/go".into()))
        );
        assert!(parse_go("").is_err());
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
