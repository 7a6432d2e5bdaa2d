//! Nix expressions (`*.nix`: flakes, `shell.nix`, NixOS and home-manager modules).
//!
//! An attribute named like a Go variable is an environment variable wherever Nix puts one:
//! a derivation's attributes are its builder's environment (`buildGoModule`,
//! `overrideModAttrs`, `env = { … }`), `mkShell`'s are the shell's, and
//! `environment.variables`, `home.sessionVariables` and systemd `environment` sets are
//! exported as they are. `NAME = "value";` and `a.b.NAME = "value";` are read; a value that
//! names another attribute (`GONOSUMDB = GOPRIVATE;` in a `rec` set) is recorded as a
//! reference to it; indented strings (`shellHook = ''…'';`, `buildPhase`) are shell.

use super::shell::{self, LineMap};
use super::{Candidate, How, Sink};

/// Reads a Nix file.
pub(crate) fn scan(text: &str, sink: &mut Sink) {
    let lines: Vec<&str> = text.lines().collect();
    let mut in_block_comment = false;
    // Attribute paths of the open `{` sets, innermost last (`None`: an unnamed set).
    let mut sets: Vec<Option<String>> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let raw = lines[i];
        let line_no = i + 1;
        i += 1;
        let mut code = String::new();
        let mut j = 0;
        let b = raw.as_bytes();
        let mut shell_block: Option<(String, usize)> = None;
        // Blank out comments and strings so that braces and `=` are found only in code.
        while j < b.len() {
            if in_block_comment {
                if b[j..].starts_with(b"*/") {
                    in_block_comment = false;
                    code.push_str("  ");
                    j += 2;
                } else {
                    code.push(' ');
                    j += 1;
                }
                continue;
            }
            match b[j] {
                b'#' => break,
                b'/' if b[j..].starts_with(b"/*") => {
                    in_block_comment = true;
                    code.push_str("  ");
                    j += 2;
                }
                b'"' => {
                    let end = string_end(b, j + 1);
                    code.push('"');
                    code.push_str(&" ".repeat(end.saturating_sub(j + 1)));
                    if end < b.len() {
                        code.push('"');
                    }
                    j = end + 1;
                }
                b'\'' if b[j..].starts_with(b"''") => {
                    // An indented string: its text to the closing `''` is shell when it
                    // is a phase or hook; read it as a script starting on this line.
                    let label = code
                        .rsplit_once('=')
                        .map(|(l, _)| l.trim().to_string())
                        .unwrap_or_default();
                    shell_block = Some((label, j + 2));
                    break;
                }
                // One ASCII character per byte keeps `code`'s offsets those of `raw`.
                c => {
                    code.push(if c.is_ascii() { c as char } else { ' ' });
                    j += 1;
                }
            }
        }
        let context = sets.iter().rev().flatten().next().cloned();
        assignment(raw, &code, line_no, context.as_deref(), sink);
        for (pos, c) in code.char_indices() {
            match c {
                '{' => {
                    let label = code[..pos]
                        .rsplit_once('=')
                        .map(|(l, _)| l.trim())
                        .filter(|l| is_attr_path(l))
                        .map(str::to_string);
                    sets.push(label);
                }
                '}' => {
                    sets.pop();
                }
                _ => {}
            }
        }
        if let Some((label, from)) = shell_block {
            // Collect the indented string to its closing `''` (`'''`, `''$` and `''\` are
            // escapes, not the end).
            let mut body = String::new();
            let mut cur = &raw[from..];
            let start_line = line_no;
            let mut k = i;
            loop {
                if let Some(end) = closing(cur) {
                    body.push_str(&cur[..end]);
                    break;
                }
                body.push_str(cur);
                body.push('\n');
                if k >= lines.len() {
                    break;
                }
                cur = lines[k];
                k += 1;
            }
            i = k.max(i);
            let map = LineMap::for_text(&body, start_line);
            let context = match (label.is_empty(), &context) {
                (false, Some(c)) => Some(format!("{c}.{label}")),
                (false, None) => Some(label),
                (true, c) => c.clone(),
            };
            shell::scan_script(&body, &map, context.as_deref(), sink);
        }
    }
}

/// Byte index of the `"` closing a string whose text starts at `from` (or the line's end).
fn string_end(b: &[u8], from: usize) -> usize {
    let mut k = from;
    while k < b.len() {
        match b[k] {
            b'\\' => k += 2,
            b'"' => return k,
            _ => k += 1,
        }
    }
    b.len()
}

/// Byte index of the `''` closing an indented string in `s`, if it is on this line.
fn closing(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut k = 0;
    while k + 1 < b.len() {
        if b[k] == b'\'' && b[k + 1] == b'\'' {
            match b.get(k + 2) {
                Some(b'\'' | b'$' | b'\\') => k += 3,
                _ => return Some(k),
            }
        } else {
            k += 1;
        }
    }
    None
}

/// `a.b.c` or `NAME`: letters, digits, `_`, `-`, `'` and dots.
fn is_attr_path(s: &str) -> bool {
    !s.is_empty()
        && s.split('.').all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '\''))
        })
}

/// `[path.]NAME = "value";` or `[path.]NAME = other;` on this line (`code` is the line
/// with strings blanked).
fn assignment(raw: &str, code: &str, line_no: usize, context: Option<&str>, sink: &mut Sink) {
    let start = code.len() - code.trim_start().len();
    let Some(eq) = code[start..].find('=').map(|e| e + start) else {
        return;
    };
    // `==` is a comparison; `=` must follow an attribute path.
    if code[eq + 1..].starts_with('=') || code[..eq].ends_with(['!', '<', '>']) {
        return;
    }
    let path = code[start..eq].trim();
    if !is_attr_path(path) {
        return;
    }
    let name = path.rsplit('.').next().unwrap_or(path);
    if super::classify(name).is_none() {
        return;
    }
    let name_at = start + path.len() - name.len();
    let rhs_at = eq + 1 + (code[eq + 1..].len() - code[eq + 1..].trim_start().len());
    let rhs = &raw[rhs_at..];
    let column = raw[..name_at].chars().count() + 1;
    if let Some(body) = rhs.strip_prefix('"') {
        let end = string_end(body.as_bytes(), 0);
        if end >= body.len() {
            // A string continued on the next lines: not a value this reader can place.
            return;
        }
        let value = &body[..end];
        if value.contains('\\') {
            // Escapes change the text; the value is not written verbatim.
            return;
        }
        sink.push(Candidate {
            line: line_no,
            column: Some(column),
            variable: name,
            value,
            how: How::NixAttribute,
            context,
            unresolved: value.contains("${"),
        });
        return;
    }
    let word: &str = rhs
        .split(|c: char| c == ';' || c.is_whitespace())
        .next()
        .unwrap_or("");
    if word.is_empty() {
        return;
    }
    if word.chars().all(|c| c.is_ascii_digit()) {
        sink.push(Candidate {
            line: line_no,
            column: Some(column),
            variable: name,
            value: word,
            how: How::NixAttribute,
            context,
            unresolved: false,
        });
    } else if shell::is_identifier(word) && rhs[word.len()..].trim_start().starts_with(';') {
        // Another attribute of the same (`rec`) set: its value, when it is known.
        let reference = format!("${{{word}}}");
        sink.push(Candidate {
            line: line_no,
            column: Some(column),
            variable: name,
            value: &reference,
            how: How::NixAttribute,
            context,
            unresolved: true,
        });
    }
}
