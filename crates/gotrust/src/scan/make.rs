//! Makefile reader (GNU make syntax): variable assignments with every operator (`=`, `:=`,
//! `::=`, `:::=`, `?=`, `+=`, `!=`), `export`/`override` prefixes, target-specific variables
//! (`target: VAR = value`), and recipe lines (TAB-prefixed), which are shell commands.
//! `define … endef` bodies are skipped; `$(VAR)` references mark a value unresolved.

use super::shell::{self, LineMap};
use super::{Candidate, How, Sink};

pub(crate) fn scan(text: &str, sink: &mut Sink) {
    let lines: Vec<&str> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    let mut target: Option<String> = None;
    let mut in_define = false;
    let mut i = 0;
    while i < lines.len() {
        // Join backslash continuations; make keeps them in recipes (the shell sees them).
        let mut joined = String::new();
        let mut map = LineMap::default();
        loop {
            let l = lines[i];
            map.push(joined.len(), i + 1, 1);
            i += 1;
            if let Some(body) = l.strip_suffix('\\')
                && i < lines.len()
            {
                joined.push_str(body);
                joined.push('\n');
                continue;
            }
            joined.push_str(l);
            break;
        }
        let line = joined.as_str();
        if in_define {
            if line.trim_start().starts_with("endef") {
                in_define = false;
            }
            continue;
        }
        if let Some(recipe) = line.strip_prefix('\t') {
            // Recipe prefixes: @ (silent), - (ignore errors), + (always run).
            let trimmed = recipe.trim_start_matches(['@', '-', '+', ' ', '\t']);
            let base = line.len() - trimmed.len();
            let map = map.shifted(line, base);
            shell::scan_script(trimmed, &map, target.as_deref(), sink);
            continue;
        }
        let code = strip_comment(line);
        let t = code.trim_start();
        if t.is_empty() {
            continue;
        }
        let word = t.split_whitespace().next().unwrap_or("");
        if word == "define" || (matches!(word, "export" | "override") && t.contains("define ")) {
            in_define = true;
            continue;
        }
        if matches!(
            word,
            "ifeq"
                | "ifneq"
                | "ifdef"
                | "ifndef"
                | "else"
                | "endif"
                | "include"
                | "-include"
                | "sinclude"
                | "vpath"
                | "unexport"
        ) {
            continue;
        }
        let lead = code.len() - t.len();
        if let Some(a) = assignment(t) {
            let (line_no, column) = map.locate(line, lead + a.name_off);
            let how = if a.exported {
                How::MakeExport
            } else {
                How::MakeVariable
            };
            sink.push(Candidate {
                line: line_no,
                column: Some(column),
                variable: a.name,
                value: a.value,
                how,
                context: None,
                unresolved: false,
            });
            continue;
        }
        // A rule line `targets: prerequisites` or `targets: VAR = value`.
        if let Some(colon) = rule_colon(t) {
            let targets = t[..colon].trim();
            let after = t[colon + 1..].trim_start_matches(':');
            let after_off = lead + (t.len() - after.len());
            let after_trim = after.trim_start();
            let after_lead = after.len() - after_trim.len();
            if let Some(a) = assignment(after_trim) {
                let (line_no, column) = map.locate(line, after_off + after_lead + a.name_off);
                let how = if a.exported {
                    How::MakeExport
                } else {
                    How::MakeVariable
                };
                sink.push(Candidate {
                    line: line_no,
                    column: Some(column),
                    variable: a.name,
                    value: a.value,
                    how,
                    context: Some(&format!("target {targets}")),
                    unresolved: false,
                });
            } else {
                target = Some(format!("target {targets}"));
                // `target: prereqs ; recipe` puts a recipe on the rule line.
                if let Some(semi) = after.find(';') {
                    let recipe_off = after_off + semi + 1;
                    let map = map.shifted(line, recipe_off);
                    shell::scan_script(&line[recipe_off..], &map, target.as_deref(), sink);
                }
            }
        }
    }
}

struct Assignment<'a> {
    name: &'a str,
    name_off: usize,
    value: &'a str,
    exported: bool,
}

/// Parses `[export|override]* NAME OP value`.
fn assignment(t: &str) -> Option<Assignment<'_>> {
    let mut rest = t;
    let mut off = 0;
    let mut exported = false;
    loop {
        let w = rest.split_whitespace().next()?;
        if (w == "export" || w == "override") && rest.len() > w.len() {
            exported |= w == "export";
            let after = &rest[w.len()..];
            let skip = w.len() + (after.len() - after.trim_start().len());
            off += skip;
            rest = &rest[skip..];
        } else {
            break;
        }
    }
    let name_end = rest
        .find(|c: char| c.is_whitespace() || matches!(c, '=' | ':' | '?' | '+' | '!'))
        .unwrap_or(rest.len());
    let name = &rest[..name_end];
    if name.is_empty() || name.contains('$') {
        return None;
    }
    let after = rest[name_end..].trim_start();
    let op_len = ["::::=", ":::=", "::=", ":=", "?=", "+=", "!=", "="]
        .iter()
        .find(|op| after.starts_with(**op))
        .map(|op| op.len())?;
    let value = after[op_len..].trim_start();
    Some(Assignment {
        name,
        name_off: off,
        value: value.trim_end(),
        exported,
    })
}

/// The colon of a rule line (not part of `:=`), if any.
fn rule_colon(t: &str) -> Option<usize> {
    let b = t.as_bytes();
    let mut depth = 0i32;
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'(' | b'{' => depth += 1,
            b')' | b'}' => depth -= 1,
            b'=' if depth == 0 => return None,
            b':' if depth == 0 && b.get(i + 1) != Some(&b'=') => return Some(i),
            _ => {}
        }
    }
    None
}

/// Removes a `#` comment (make has no quoting; `\#` is a literal `#`).
fn strip_comment(line: &str) -> &str {
    let b = line.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        if c == b'#' && (i == 0 || b[i - 1] != b'\\') {
            return &line[..i];
        }
    }
    line
}
