//! cmd.exe batch files (`*.bat`, `*.cmd`): `set NAME=value`, `set "NAME=value"` and
//! `setx NAME value`.
//!
//! cmd keeps a `set` value verbatim up to the end of the command: in
//! `set GOSUMDB=off && go build` the value is `off ` with its trailing space, which go does
//! not trim (`GOSUMDB='off ' go mod download` fails with "invalid GOSUMDB: malformed
//! verifier id"), so values are never trimmed. `echo`, `rem` and `::` lines are text.

use super::{Candidate, How, Sink};

/// The commands of a line with their byte offsets: cmd separates commands with `&`, `&&`,
/// `||` and `|` outside double quotes (`^` escapes one character). The quoted string given
/// to `cmd /c` or `cmd /k` is a command line of its own, split again.
fn commands(line: &str, base: usize, out: &mut Vec<(usize, String)>) {
    let b = line.as_bytes();
    let mut start = 0;
    let mut quoted = false;
    let mut i = 0;
    let flush = |from: usize, to: usize, out: &mut Vec<(usize, String)>| {
        let cmd = &line[from..to];
        let lower = cmd.to_ascii_lowercase();
        let inner = ["cmd /k ", "cmd /c ", "cmd.exe /k ", "cmd.exe /c "]
            .iter()
            .find_map(|p| lower.find(p).map(|at| at + p.len()));
        if let Some(at) = inner {
            let rest = &cmd[at..];
            let trimmed = rest.trim_start();
            let at = at + (rest.len() - trimmed.len());
            if let Some(body) = trimmed.strip_prefix('"') {
                let body = body.strip_suffix('"').unwrap_or(body);
                commands(body, base + from + at + 1, out);
                return;
            }
        }
        out.push((base + from, cmd.to_string()));
    };
    while i < b.len() {
        match b[i] {
            b'^' if !quoted => {
                i += 2;
                continue;
            }
            b'"' => quoted = !quoted,
            b'&' | b'|' if !quoted => {
                flush(start, i, out);
                i += 1;
                if i < b.len() && (b[i] == b'&' || b[i] == b'|') {
                    i += 1;
                }
                start = i;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    flush(start, b.len().max(start), out);
}

/// Reads a batch file.
pub(crate) fn scan(text: &str, sink: &mut Sink) {
    for (n, raw) in text.lines().enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        let mut cmds = Vec::new();
        commands(raw, 0, &mut cmds);
        for (off, cmd) in &cmds {
            scan_command(raw, *off, cmd, n + 1, sink);
        }
    }
}

/// One command: a `set`/`setx`, possibly after `(` or `@`, or the start of a
/// `cmd /k "…"` string whose first command is a `set`.
fn scan_command(line: &str, off: usize, cmd: &str, line_no: usize, sink: &mut Sink) {
    let lead = cmd.len() - cmd.trim_start_matches([' ', '\t', '(', '@']).len();
    let body = &cmd[lead..];
    let lower = body.to_ascii_lowercase();
    let word_end = lower
        .find(|c: char| c.is_whitespace())
        .unwrap_or(lower.len());
    let word = &lower[..word_end];
    if word == "rem" || word.starts_with("::") || word == "echo" || word.starts_with("echo.") {
        return;
    }
    let args_at = lead + word_end;
    let args = &cmd[args_at..];
    let trimmed = args.trim_start();
    let args_at = args_at + (args.len() - trimmed.len());
    match word {
        "set" => set(line, off + args_at, trimmed, line_no, sink),
        "setx" => setx(line, off + args_at, trimmed, line_no, sink),
        _ => {}
    }
}

fn column(line: &str, off: usize) -> usize {
    line.get(..off).map_or(1, |s| s.chars().count() + 1)
}

/// `set NAME=value` (value to the end of the command), `set "NAME=value"` (value to the
/// last quote). `set /a` computes and `set /p` prompts: neither is a literal value.
fn set(line: &str, at: usize, args: &str, line_no: usize, sink: &mut Sink) {
    if args.starts_with('/') {
        return;
    }
    let (assign, quoted) = match args.strip_prefix('"') {
        Some(inner) => match inner.rfind('"') {
            Some(end) => (&inner[..end], true),
            None => (inner, true),
        },
        None => (args, false),
    };
    let Some((name, value)) = assign.split_once('=') else {
        return;
    };
    if name.is_empty() || name.contains(char::is_whitespace) {
        return;
    }
    // A `set` ending a `cmd /k "…"` string keeps the string's closing quote out.
    let value = if !quoted && value.ends_with('"') && !value[..value.len() - 1].contains('"') {
        &value[..value.len() - 1]
    } else {
        value
    };
    let name_at = at + usize::from(quoted);
    push(sink, line, line_no, name_at, name, value, How::CmdSet);
}

/// `setx NAME value [/m]`: stored in the registry for processes started later (not this
/// script's own environment).
fn setx(line: &str, at: usize, args: &str, line_no: usize, sink: &mut Sink) {
    let Some((name, rest)) = args.split_once(char::is_whitespace) else {
        return;
    };
    if name.starts_with('/') {
        return;
    }
    let rest = rest.trim_start();
    let value = match rest.strip_prefix('"') {
        Some(inner) => inner.split('"').next().unwrap_or(""),
        None => rest.split_whitespace().next().unwrap_or(""),
    };
    push(sink, line, line_no, at, name, value, How::Setx);
}

fn push(
    sink: &mut Sink,
    line: &str,
    line_no: usize,
    name_at: usize,
    name: &str,
    value: &str,
    how: How,
) {
    // `%NAME%` and `!NAME!` expand when the line runs.
    let unresolved = value.contains('%') || value.contains('!');
    sink.push(Candidate {
        line: line_no,
        column: Some(column(line, name_at)),
        variable: name,
        value,
        how,
        context: None,
        unresolved,
    });
}
