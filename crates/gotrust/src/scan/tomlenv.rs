//! TOML files with environment tables: mise (`[env]`, a task's `env`), Netlify
//! (`[build.environment]`, `[context.<name>.environment]`) and Fly.io (`[env]`,
//! `[build.args]`).
//!
//! The file is parsed whole first, so a malformed file is an error naming its line; the
//! settings are then read line by line to keep their positions: `NAME = "value"` under a
//! table whose last key is `env` or `environment`, and the same pairs in an inline table
//! (`env = { GOFLAGS = "-mod=mod" }`).

use super::{Candidate, FileKind, How, ScanError, Sink};

/// Reads an environment-table TOML file.
pub(crate) fn scan(text: &str, sink: &mut Sink) -> Result<(), ScanError> {
    if let Err(e) = text.parse::<toml::Table>() {
        let (line, column) = match e.span() {
            Some(span) => {
                let before = &text[..span.start.min(text.len())];
                let line = before.matches('\n').count() + 1;
                let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
                (line, column)
            }
            None => (1, 1),
        };
        return Err(ScanError::Toml {
            file: sink.file.clone(),
            line,
            column,
            message: e.message().to_string(),
        });
    }
    let mut table: Vec<String> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let t = raw.trim_start();
        if t.starts_with('#') || t.is_empty() {
            continue;
        }
        if let Some(h) = t.strip_prefix('[') {
            let h = h.trim_start_matches('[');
            let end = h.find(']').unwrap_or(h.len());
            table = split_key(&h[..end]);
            continue;
        }
        let Some((key, _)) = split_pair(t) else {
            continue;
        };
        let lead = raw.len() - t.len();
        let mut path = table.clone();
        path.extend(split_key(key));
        let inline_at = t.find('{');
        if let Some(open) = inline_at.filter(|_| is_env_table(sink.kind, &path)) {
            // `env = { K = "v", K2 = "v2" }` on one line.
            let inner = &t[open + 1..];
            let inner = &inner[..inner.rfind('}').unwrap_or(inner.len())];
            let mut at = lead + open + 1;
            for part in split_inline(inner) {
                let p = part.trim_start();
                let skip = part.len() - p.len();
                if let Some((k, v)) = split_pair(p) {
                    pair(sink, raw, i + 1, at + skip, &path, k, v);
                }
                at += part.len() + 1;
            }
            continue;
        }
        path.pop();
        if is_env_table(sink.kind, &path)
            && let Some((k, v)) = split_pair(t)
        {
            pair(sink, raw, i + 1, lead, &path, k, v);
        }
    }
    Ok(())
}

/// Is a table at `path` one whose keys are environment variables?
fn is_env_table(kind: FileKind, path: &[String]) -> bool {
    let last = path.last().map(String::as_str);
    match kind {
        FileKind::Fly => (matches!(last, Some("env")) && path.len() == 1) || is_build_args(path),
        FileKind::Netlify => matches!(last, Some("environment")),
        _ => matches!(last, Some("env")),
    }
}

fn is_build_args(path: &[String]) -> bool {
    path.len() == 2 && path[0] == "build" && path[1] == "args"
}

/// Splits a dotted key (`tasks.build.env`, `"quoted.part".x`) into its parts.
fn split_key(key: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    for c in key.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '"' | '\'') => quote = Some(c),
            (None, '.') => parts.push(std::mem::take(&mut cur).trim().to_string()),
            (None, c) => cur.push(c),
        }
    }
    parts.push(cur.trim().to_string());
    parts
}

/// `key = value` (the key may be quoted); `None` for anything else.
fn split_pair(t: &str) -> Option<(&str, &str)> {
    let mut quote: Option<char> = None;
    for (i, c) in t.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '=') => return Some((t[..i].trim_end(), t[i + 1..].trim_start())),
            _ => {}
        }
    }
    None
}

/// The `,`-separated members of an inline table's text (commas inside strings kept).
fn split_inline(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut quote: Option<char> = None;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, ',') => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

/// One `NAME = value` of an environment table.
fn pair(sink: &mut Sink, raw: &str, line: usize, at: usize, table: &[String], k: &str, v: &str) {
    let Some(name) = split_key(k).pop() else {
        return;
    };
    let name = name.as_str();
    let value = match v.chars().next() {
        Some(q @ ('"' | '\'')) => {
            let body = &v[1..];
            let Some(end) = body.find(q) else { return };
            let value = &body[..end];
            // A basic string's escapes change its text; its value is not written verbatim.
            if (q == '"' && value.contains('\\'))
                || (value.is_empty() && body[end..].starts_with("\"\""))
            {
                return;
            }
            value
        }
        _ => {
            let w = v.split(['#', ',']).next().unwrap_or("").trim();
            if w.is_empty() || w.starts_with(['[', '{']) {
                return;
            }
            w
        }
    };
    let how = if is_build_args(table) {
        How::BuildArg
    } else {
        How::EnvTable
    };
    let context = table.len().checked_sub(1).and_then(|n| {
        let owner = table[..n].join(".");
        (!owner.is_empty()).then_some(owner)
    });
    let column = raw.get(..at).map_or(1, |s| s.chars().count() + 1);
    sink.push(Candidate {
        line,
        column: Some(column),
        variable: name,
        value,
        how,
        context: context.as_deref(),
        // mise renders `{{ … }}` templates before setting the variable.
        unresolved: value.contains("{{"),
    });
}
