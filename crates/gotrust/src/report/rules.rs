//! Documentation of the rule catalog, as `gotrust rules` prints it: one line per rule, the
//! whole explanation of one rule, or every rule as JSON.
//!
//! Like `cargo deny`'s diagnostics codes and clippy's lint list, the documentation is built
//! from the same [`Rule`] values the findings carry, so it cannot describe a rule that no
//! longer exists or miss one that does.

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::Rule;
use super::catalog::RULES;

/// The JSON document of `gotrust rules --format json`: every rule, in catalog order.
pub fn to_json(rules: &[&Rule]) -> Value {
    json!({
        "schema_version": 1,
        "rules": rules.iter().map(|r| rule_json(r)).collect::<Vec<_>>(),
    })
}

/// One rule as JSON, with its whole explanation.
pub fn rule_json(rule: &Rule) -> Value {
    json!({
        "id": rule.id,
        "category": rule.category(),
        "severity": rule.severity.as_str(),
        "summary": rule.summary,
        "help": rule.help,
        "commands": rule.commands(),
        "explanation": rule.explanation(),
    })
}

/// The table `gotrust rules` prints: ID, default severity, commands, one-line summary.
pub fn list_text(rules: &[&Rule]) -> String {
    let id_width = rules.iter().map(|r| r.id.len()).max().unwrap_or(0);
    let mut out = String::new();
    for r in rules {
        let _ = writeln!(
            out,
            "{:<id_width$}  {:<8}  {:<24}  {}",
            r.id,
            r.severity.as_str(),
            r.commands().join(", "),
            r.summary,
        );
    }
    let _ = writeln!(
        out,
        "\n{} rules. `gotrust rules ID` explains one; gotrust.toml can ignore or re-grade any of them.",
        rules.len()
    );
    out
}

/// The whole documentation of one rule, as `gotrust rules ID` prints it.
pub fn explain_text(rule: &Rule) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}: {}", rule.id, rule.summary);
    let _ = writeln!(out);
    let _ = writeln!(out, "default severity: {}", rule.severity);
    let _ = writeln!(
        out,
        "reported by:      gotrust {}",
        rule.commands().join(", gotrust ")
    );
    let _ = writeln!(out);
    for paragraph in rule.explanation().split("\n\n") {
        let _ = writeln!(out, "{}", wrap(paragraph, 96));
        let _ = writeln!(out);
    }
    let _ = writeln!(out, "fix: {}", rule.help);
    let _ = writeln!(out);
    let _ = writeln!(out, "In gotrust.toml:");
    let _ = writeln!(out, "    [rules]");
    let _ = writeln!(out, "    \"{}\" = {{ severity = \"low\" }}", rule.id);
    let _ = writeln!(out);
    let _ = writeln!(out, "    [[ignore]]");
    let _ = writeln!(out, "    rule = \"{}\"", rule.id);
    let _ = writeln!(out, "    reason = \"why this is accepted\"");
    out
}

/// The rule with this ID, or the IDs that come closest, for the error message.
pub fn lookup(id: &str) -> Result<&'static Rule, Vec<&'static str>> {
    if let Some(rule) = super::catalog::find(id) {
        return Ok(rule);
    }
    let close: Vec<&'static str> = RULES
        .iter()
        .map(|r| r.id)
        .filter(|candidate| {
            candidate.contains(id) || id.contains(candidate.rsplit('/').next().unwrap_or(""))
        })
        .take(5)
        .collect();
    Err(close)
}

/// Greedy word wrap at `width` columns.
fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line_len = 0;
    for word in text.split_whitespace() {
        if line_len > 0 && line_len + 1 + word.len() > width {
            out.push('\n');
            line_len = 0;
        } else if line_len > 0 {
            out.push(' ');
            line_len += 1;
        }
        out.push_str(word);
        line_len += word.len();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_is_documented() {
        for r in RULES {
            assert!(!r.commands().is_empty(), "{} names no command", r.id);
            assert!(
                !r.category_explanation().is_empty(),
                "category of {} has no explanation",
                r.id
            );
            let text = explain_text(r);
            assert!(text.starts_with(r.id), "{text}");
            assert!(text.contains(r.help));
        }
    }

    #[test]
    fn json_lists_every_rule_once() {
        let v = to_json(RULES);
        let ids: Vec<&str> = v["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids.len(), RULES.len());
        assert_eq!(ids[0], RULES[0].id);
        assert_eq!(v["rules"][0]["severity"], RULES[0].severity.as_str());
    }

    #[test]
    fn unknown_id_suggests_close_ones() {
        assert_eq!(lookup("sumdb/disabled").unwrap().id, "sumdb/disabled");
        let close = lookup("disabled").unwrap_err();
        assert!(close.contains(&"sumdb/disabled"), "{close:?}");
        assert!(lookup("no/such-rule-at-all").unwrap_err().is_empty());
    }

    #[test]
    fn wrap_keeps_words_and_width() {
        let w = wrap("aaa bbb ccc ddd", 7);
        assert_eq!(w, "aaa bbb\nccc ddd");
    }
}
