//! The global flags of the command line (README.md, "Commands"); the subcommands' own
//! flags live beside each command (`cmd/`), and `main.rs` joins both into the parser.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use gotrust::report::{FailOn, Severity};

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
}
