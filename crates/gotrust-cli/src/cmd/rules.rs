//! `gotrust rules [ID]`: every rule any command can report, or the whole explanation of one.

use std::io::Write;
use std::process::ExitCode;

use anyhow::bail;
use gotrust::report::catalog::RULES;
use gotrust::report::rules;

use crate::args::{Format, GlobalArgs};

/// Flags of `gotrust rules`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The rule to explain (`sumdb/disabled`); without it, every rule is listed
    #[arg(value_name = "ID")]
    pub id: Option<String>,
}

/// Prints the list or one rule in the chosen format.
pub fn run(global: &GlobalArgs, args: &Args) -> anyhow::Result<ExitCode> {
    let selected: Vec<&'static gotrust::report::Rule> = match &args.id {
        None => RULES.to_vec(),
        Some(id) => match rules::lookup(id) {
            Ok(rule) => vec![rule],
            Err(close) if close.is_empty() => {
                bail!("no rule `{id}` (`gotrust rules` lists them all)")
            }
            Err(close) => bail!("no rule `{id}`; did you mean {}?", close.join(", ")),
        },
    };
    let text = match (global.format, &args.id) {
        (Format::Json, None) => serde_json::to_string_pretty(&rules::to_json(&selected))? + "\n",
        (Format::Json, Some(_)) => {
            serde_json::to_string_pretty(&rules::rule_json(selected[0]))? + "\n"
        }
        (Format::Text, None) => rules::list_text(&selected),
        (Format::Text, Some(_)) => rules::explain_text(selected[0]),
        (other, _) => bail!("gotrust rules prints text or json, not {}", other.name()),
    };
    let mut out = crate::output::stdout(global);
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
