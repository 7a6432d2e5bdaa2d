//! A small POSIX-shell reader: enough of the word and command grammar to find assignments
//! (`K=V`, `export K=V`, `K=V cmd`, `env K=V cmd`), `go env -w/-u`, `git config` / `git -c`,
//! and `echo "K=V" >> $GITHUB_ENV`. It never expands anything: words keep `$FOO` verbatim.
//! Used for shell scripts, `.envrc`, Dockerfile `RUN`, Makefile recipes and CI `run:`/`script:`.

use super::{Candidate, How, Sink};

/// Maps byte offsets of a (possibly joined) text back to 1-based line and column of the file.
#[derive(Debug, Clone, Default)]
pub(crate) struct LineMap {
    /// (offset in the text, line, 1-based column of that offset), sorted by offset.
    segs: Vec<(usize, usize, usize)>,
}

impl LineMap {
    /// A map for a text whose line `k` (0-based) is file line `first_line + k`.
    pub(crate) fn for_text(text: &str, first_line: usize) -> LineMap {
        let mut segs = vec![(0, first_line, 1)];
        let mut line = first_line;
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                line += 1;
                segs.push((i + 1, line, 1));
            }
        }
        LineMap { segs }
    }

    /// Adds a segment: text from `offset` on starts at `line`, `column`.
    pub(crate) fn push(&mut self, offset: usize, line: usize, column: usize) {
        self.segs.push((offset, line, column));
    }

    /// The same map for `text[base..]`, so offsets into the slice can be located.
    pub(crate) fn shifted(&self, text: &str, base: usize) -> LineMap {
        let (line, col) = self.locate(text, base);
        let mut segs = vec![(0, line, col)];
        segs.extend(
            self.segs
                .iter()
                .filter(|s| s.0 > base)
                .map(|&(off, l, c)| (off - base, l, c)),
        );
        LineMap { segs }
    }

    /// Line and column of byte `offset` of `text`.
    pub(crate) fn locate(&self, text: &str, offset: usize) -> (usize, usize) {
        let idx = self.segs.partition_point(|s| s.0 <= offset);
        let Some(&(start, line, col)) = idx.checked_sub(1).and_then(|i| self.segs.get(i)) else {
            return (1, 1);
        };
        let chars = text
            .get(start..offset)
            .map(|s| s.chars().count())
            .unwrap_or(offset.saturating_sub(start));
        (line, col + chars)
    }
}

/// A shell word after quote removal.
#[derive(Debug, Clone)]
pub(crate) struct Word {
    /// Byte offset of the word's first character in the text.
    pub(crate) start: usize,
    /// Text with quotes and escapes removed; expansions kept verbatim.
    pub(crate) text: String,
    /// Index in `text` where the first quoted or escaped part began.
    pub(crate) quoted_from: Option<usize>,
    /// Contains `$…` or a backquote outside single quotes.
    pub(crate) expansion: bool,
}

#[derive(Debug)]
enum Tok {
    Word(Word),
    /// Command separator: `;`, `&`, `&&`, `||`, `|`, newline, parentheses; true for a pipe.
    Sep(bool),
    /// A redirection operator (`>`, `>>`, `<`, `<<`, ...); the next word is its target.
    Redirect(String),
}

/// The words of `text` as Docker splits `ENV`/`ARG` (buildkit's shell lexer in word mode):
/// only whitespace separates words, quotes and escapes are removed, and `|`, `;`, `&`, `<`,
/// `>`, `(`, `)` and `#` are ordinary characters (`ARG GOPROXY=https://p|direct`).
pub(crate) fn words(text: &str) -> Vec<Word> {
    tokenize_mode(text, &mut Vec::new(), true)
        .into_iter()
        .filter_map(|t| match t {
            Tok::Word(w) => Some(w),
            _ => None,
        })
        .collect()
}

/// Bounds recursion through `env`/`sudo` prefixes and nested `$(…)` scanning.
const MAX_NESTING: usize = 64;

/// Tokenizes `text`, recording in `subs` the byte ranges of the bodies of command
/// substitutions (`$(…)`, `` `…` ``), which are commands too.
fn tokenize_with(text: &str, subs: &mut Vec<(usize, usize)>) -> Vec<Tok> {
    tokenize_mode(text, subs, false)
}

fn tokenize_mode(text: &str, subs: &mut Vec<(usize, usize)>, words_only: bool) -> Vec<Tok> {
    let mut record = |b: &[u8], i: usize, end: usize| {
        if b[i] == b'`' && end > i + 1 {
            subs.push((i + 1, end - 1));
        } else if b.get(i + 1) == Some(&b'(') && b.get(i + 2) != Some(&b'(') && end > i + 2 {
            subs.push((i + 2, end - 1));
        }
    };
    let b = text.as_bytes();
    let mut toks = Vec::new();
    let mut i = 0;
    let mut cur: Option<Word> = None;
    fn word(cur: &mut Option<Word>, start: usize) -> &mut Word {
        cur.get_or_insert_with(|| Word {
            start,
            text: String::new(),
            quoted_from: None,
            expansion: false,
        })
    }
    fn flush(cur: &mut Option<Word>, toks: &mut Vec<Tok>) {
        if let Some(w) = cur.take() {
            toks.push(Tok::Word(w));
        }
    }
    while i < b.len() {
        let c = b[i];
        match c {
            b' ' | b'\t' | b'\r' => {
                flush(&mut cur, &mut toks);
                i += 1;
            }
            b'\n' => {
                flush(&mut cur, &mut toks);
                toks.push(Tok::Sep(false));
                i += 1;
            }
            b';' | b'&' | b'|' | b'(' | b')' | b'>' | b'<' | b'#' if words_only => {
                word(&mut cur, i).text.push(c as char);
                i += 1;
            }
            b'#' if cur.is_none() => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'\\' => {
                if b.get(i + 1) == Some(&b'\n') {
                    i += 2;
                    continue;
                }
                let w = word(&mut cur, i);
                w.quoted_from.get_or_insert(w.text.len());
                if let Some(ch) = text[i + 1..].chars().next() {
                    w.text.push(ch);
                    i += 1 + ch.len_utf8();
                } else {
                    i += 1;
                }
            }
            b'\'' => {
                let w = word(&mut cur, i);
                w.quoted_from.get_or_insert(w.text.len());
                let end = text[i + 1..].find('\'').map_or(b.len(), |e| i + 1 + e);
                w.text.push_str(&text[i + 1..end]);
                i = (end + 1).min(b.len());
            }
            b'"' => {
                let w = word(&mut cur, i);
                w.quoted_from.get_or_insert(w.text.len());
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    match b[i] {
                        b'\\' if matches!(b.get(i + 1), Some(b'"' | b'\\' | b'$' | b'`')) => {
                            w.text.push(b[i + 1] as char);
                            i += 2;
                        }
                        b'\\' if b.get(i + 1) == Some(&b'\n') => i += 2,
                        b'$' | b'`' => {
                            let end = expansion_end(b, i, 0);
                            record(b, i, end);
                            w.expansion = true;
                            w.text.push_str(&text[i..end]);
                            i = end;
                        }
                        _ => {
                            let ch = text[i..].chars().next().unwrap_or(' ');
                            w.text.push(ch);
                            i += ch.len_utf8();
                        }
                    }
                }
                i += 1;
            }
            b'$' | b'`' => {
                let end = expansion_end(b, i, 0);
                record(b, i, end);
                let w = word(&mut cur, i);
                w.expansion = true;
                w.text.push_str(&text[i..end]);
                i = end;
            }
            b';' | b'&' | b'|' | b'(' | b')' => {
                // `&>` is a redirection, everything else separates commands.
                if c == b'&' && b.get(i + 1) == Some(&b'>') {
                    flush(&mut cur, &mut toks);
                    let len = if b.get(i + 2) == Some(&b'>') { 3 } else { 2 };
                    toks.push(Tok::Redirect(text[i..i + len].to_string()));
                    i += len;
                    continue;
                }
                flush(&mut cur, &mut toks);
                let doubled = i + 1 < b.len() && b[i + 1] == c && c != b'(' && c != b')';
                toks.push(Tok::Sep(c == b'|' && !doubled));
                i += if doubled { 2 } else { 1 };
            }
            b'>' | b'<' => {
                // A word made only of digits right before is a file descriptor number.
                if cur.as_ref().is_some_and(|w| {
                    w.quoted_from.is_none()
                        && !w.text.is_empty()
                        && w.text.bytes().all(|d| d.is_ascii_digit())
                }) {
                    cur = None;
                } else {
                    flush(&mut cur, &mut toks);
                }
                let mut j = i + 1;
                while j < b.len() && j < i + 3 && matches!(b[j], b'>' | b'<' | b'&' | b'-' | b'|') {
                    j += 1;
                }
                toks.push(Tok::Redirect(text[i..j].to_string()));
                i = j;
            }
            _ => {
                let ch = text[i..].chars().next().unwrap_or(' ');
                word(&mut cur, i).text.push(ch);
                i += ch.len_utf8();
            }
        }
    }
    flush(&mut cur, &mut toks);
    toks
}

/// End (exclusive) of the expansion starting at `i` (`$NAME`, `${…}`, `${{ … }}`, `$(…)`,
/// `` `…` ``). Nested constructs are matched by counting brackets, bounded by `MAX_NESTING`.
fn expansion_end(b: &[u8], i: usize, depth: usize) -> usize {
    if b[i] == b'`' {
        return b[i + 1..]
            .iter()
            .position(|&c| c == b'`')
            .map_or(b.len(), |p| i + 2 + p);
    }
    let Some(&n) = b.get(i + 1) else {
        return i + 1;
    };
    let (open, close) = match n {
        b'{' => (b'{', b'}'),
        b'(' => (b'(', b')'),
        _ => {
            let mut j = i + 1;
            if j < b.len() && !(b[j].is_ascii_alphanumeric() || b[j] == b'_') {
                // `$?`, `$$`, `$-`, ...: one ASCII character; before anything else `$` is literal.
                return if b[j].is_ascii() { j + 1 } else { j };
            }
            while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
                j += 1;
            }
            return j;
        }
    };
    let mut level = 0usize;
    let mut j = i + 1;
    while j < b.len() {
        if b[j] == open {
            level += 1;
        } else if b[j] == close {
            level -= 1;
            if level == 0 {
                return j + 1;
            }
        } else if b[j] == b'\'' && open == b'(' && depth < MAX_NESTING {
            // Single quotes inside `$(…)` hide brackets.
            j = b[j + 1..]
                .iter()
                .position(|&c| c == b'\'')
                .map_or(b.len(), |p| j + 1 + p);
        }
        j += 1;
    }
    b.len()
}

/// Where a script's findings go.
pub(crate) struct ScriptCtx<'a> {
    pub(crate) text: &'a str,
    pub(crate) map: &'a LineMap,
    pub(crate) context: Option<&'a str>,
}

/// Scans a whole script and pushes every relevant assignment into `sink`.
pub(crate) fn scan_script(text: &str, map: &LineMap, context: Option<&str>, sink: &mut Sink) {
    scan_script_depth(text, map, context, sink, 0);
}

fn scan_script_depth(
    text: &str,
    map: &LineMap,
    context: Option<&str>,
    sink: &mut Sink,
    depth: usize,
) {
    let ctx = ScriptCtx { text, map, context };
    if depth == 0 && text.contains("<<") {
        gitconfig_heredocs(text, map, context, sink);
    }
    let mut subs = Vec::new();
    let toks = tokenize_with(text, &mut subs);
    if depth < MAX_NESTING {
        for (start, end) in subs {
            if let Some(inner) = text.get(start..end) {
                let inner_map = map.shifted(text, start);
                scan_script_depth(inner, &inner_map, context, sink, depth + 1);
            }
        }
    }
    let mut words: Vec<Word> = Vec::new();
    let mut redirects: Vec<(String, Word)> = Vec::new();
    let mut pending_redirect: Option<String> = None;
    let mut piped_echo: Vec<Word> = Vec::new();
    for tok in toks {
        match tok {
            Tok::Word(w) => match pending_redirect.take() {
                Some(op) => redirects.push((op, w)),
                None => words.push(w),
            },
            Tok::Redirect(op) => pending_redirect = Some(op),
            Tok::Sep(pipe) => {
                tee_to_github_env(&ctx, &piped_echo, &words, sink);
                command(&ctx, &words, &redirects, 0, sink);
                // `echo K=V | tee -a $GITHUB_ENV`: keep an echo's words for the next command.
                piped_echo = if pipe
                    && words
                        .first()
                        .is_some_and(|w| matches!(w.text.as_str(), "echo" | "printf"))
                {
                    std::mem::take(&mut words)
                } else {
                    Vec::new()
                };
                words.clear();
                redirects.clear();
                pending_redirect = None;
            }
        }
    }
    tee_to_github_env(&ctx, &piped_echo, &words, sink);
    command(&ctx, &words, &redirects, 0, sink);
}

/// Heredocs written to a git config file (`tee ~/.gitconfig <<EOF`, `cat > .gitconfig <<EOF`):
/// their body is git configuration, read as such.
fn gitconfig_heredocs(text: &str, map: &LineMap, context: Option<&str>, sink: &mut Sink) {
    let mut offset = 0;
    let mut lines = text.split('\n');
    while let Some(line) = lines.next() {
        offset += line.len() + 1;
        let Some(op) = line.find("<<") else { continue };
        let targets_gitconfig = line
            .split_whitespace()
            .any(|w| w.ends_with("gitconfig") || w.ends_with("/git/config"));
        if !targets_gitconfig {
            continue;
        }
        let delim: String = line[op + 2..]
            .trim_start_matches(['-', '~'])
            .trim_start()
            .trim_start_matches(['\'', '"'])
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if delim.is_empty() {
            continue;
        }
        let body_start = offset;
        let mut body_len = 0;
        for l in lines.by_ref() {
            offset += l.len() + 1;
            if l.trim() == delim {
                break;
            }
            body_len += l.len() + 1;
        }
        let body = text.get(body_start..body_start + body_len).unwrap_or("");
        let (first_line, _) = map.locate(text, body_start.min(text.len()));
        let path = sink.file.clone();
        for e in crate::settings::git::parse_git_config(
            &path,
            crate::settings::git::GitScope::Global,
            body,
        ) {
            let key = match &e.subsection {
                Some(s) => format!("{}.{s}.{}", e.section, e.key),
                None => format!("{}.{}", e.section, e.key),
            };
            let value = e.value.clone().unwrap_or_else(|| "true".into());
            sink.push(Candidate {
                line: first_line + e.line - 1,
                column: Some(1),
                variable: &key,
                value: &value,
                how: How::GitConfig,
                context,
                unresolved: false,
            });
        }
    }
}

/// Emits the `K=V` arguments of `echo` when the command it pipes into is `tee … $GITHUB_ENV`.
fn tee_to_github_env(ctx: &ScriptCtx<'_>, echo: &[Word], words: &[Word], sink: &mut Sink) {
    let is_tee = words.first().is_some_and(|w| w.text == "tee")
        && words.iter().any(|w| w.text.contains("GITHUB_ENV"));
    if !is_tee {
        return;
    }
    for a in echo.iter().skip(1) {
        if let Some((k, v)) = a.text.split_once('=')
            && is_identifier(k)
        {
            emit(ctx, a, k, v, How::GithubEnv, sink);
        }
    }
}

/// Splits `NAME=value` if the `=` is unquoted and NAME is a shell identifier.
pub(crate) fn split_assignment(w: &Word) -> Option<(&str, &str)> {
    let eq = w.text.find('=')?;
    if w.quoted_from.is_some_and(|q| q <= eq) {
        return None;
    }
    let name = &w.text[..eq];
    is_identifier(name).then(|| (name, &w.text[eq + 1..]))
}

pub(crate) fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn emit(ctx: &ScriptCtx<'_>, w: &Word, variable: &str, value: &str, how: How, sink: &mut Sink) {
    let (line, column) = ctx.map.locate(ctx.text, w.start);
    sink.push(Candidate {
        line,
        column: Some(column),
        variable,
        value,
        how,
        context: ctx.context,
        unresolved: w.expansion,
    });
}

const KEYWORDS: &[&str] = &[
    "if", "then", "else", "elif", "do", "while", "until", "!", "{", "time",
];

fn command(
    ctx: &ScriptCtx<'_>,
    words: &[Word],
    redirects: &[(String, Word)],
    depth: usize,
    sink: &mut Sink,
) {
    if depth > MAX_NESTING {
        return;
    }
    let mut words = words;
    while let Some(first) = words.first() {
        if first.quoted_from.is_none() && KEYWORDS.contains(&first.text.as_str()) {
            words = &words[1..];
        } else {
            break;
        }
    }
    // Leading assignments.
    let n_assign = words
        .iter()
        .take_while(|w| split_assignment(w).is_some())
        .count();
    let rest = &words[n_assign..];
    let prefix_how = if rest.is_empty() {
        How::Assign
    } else {
        How::CommandPrefix
    };
    for w in &words[..n_assign] {
        if let Some((k, v)) = split_assignment(w) {
            emit(ctx, w, k, v, prefix_how, sink);
        }
    }
    let Some(cmd) = rest.first() else { return };
    let args = &rest[1..];
    let name = cmd.text.rsplit('/').next().unwrap_or("");
    match name {
        "export" | "declare" | "typeset" | "readonly" | "local" => {
            let exported = name == "export"
                || args
                    .iter()
                    .any(|a| a.text.starts_with('-') && a.text.contains('x'));
            let how = if exported { How::Export } else { How::Assign };
            for a in args {
                if let Some((k, v)) = split_assignment(a) {
                    emit(ctx, a, k, v, how, sink);
                }
            }
        }
        "env" => {
            let mut i = 0;
            while i < args.len() {
                let a = &args[i];
                if let Some((k, v)) = split_assignment(a) {
                    emit(ctx, a, k, v, How::CommandPrefix, sink);
                } else if a.text == "-u" || a.text == "-C" || a.text == "-S" {
                    i += 1;
                } else if !a.text.starts_with('-') {
                    break;
                }
                i += 1;
            }
            command(ctx, &args[i.min(args.len())..], redirects, depth + 1, sink);
        }
        "sudo" | "exec" | "command" | "nohup" | "nice" | "xargs" => {
            let skip = args.iter().take_while(|a| a.text.starts_with('-')).count();
            command(ctx, &args[skip..], redirects, depth + 1, sink);
        }
        "go" => go_command(ctx, args, sink),
        "git" => git_command(ctx, args, sink),
        "bazel" | "bazelisk" => {
            let mut it = args.iter();
            while let Some(a) = it.next() {
                let (w, kv) = match bazel_env_flag(&a.text) {
                    Some("") => match it.next() {
                        Some(n) => (n, n.text.as_str()),
                        None => break,
                    },
                    Some(kv) => (a, kv),
                    None => continue,
                };
                if let Some((k, v)) = kv.split_once('=')
                    && is_identifier(k)
                {
                    emit(ctx, w, k, v, How::BazelEnv, sink);
                }
            }
        }
        "alias" => {
            // `alias g='GOPROXY=… go'`: the alias body runs as a command wherever it is used.
            for a in args {
                if let Some((_, body)) = a.text.split_once('=') {
                    let (line, column) = ctx.map.locate(ctx.text, a.start);
                    let mut map = LineMap::default();
                    map.push(0, line, column);
                    for tok_cmd in body.split([';', '&', '|']) {
                        let mut sub = Vec::new();
                        let words = tokenize_with(tok_cmd, &mut sub)
                            .into_iter()
                            .filter_map(|t| match t {
                                Tok::Word(w) => Some(w),
                                _ => None,
                            })
                            .collect::<Vec<_>>();
                        let inner = ScriptCtx {
                            text: tok_cmd,
                            map: &map,
                            context: ctx.context,
                        };
                        command(&inner, &words, &[], depth + 1, sink);
                    }
                }
            }
        }
        "echo" | "printf" => {
            let to_github_env = redirects
                .iter()
                .any(|(op, t)| op.starts_with('>') && t.text.contains("GITHUB_ENV"));
            if to_github_env {
                for a in args {
                    if let Some(eq) = a.text.find('=') {
                        let (k, v) = (&a.text[..eq], &a.text[eq + 1..]);
                        if is_identifier(k) {
                            emit(ctx, a, k, v, How::GithubEnv, sink);
                        }
                    }
                }
            }
        }
        _ => {}
    }
}

fn go_command(ctx: &ScriptCtx<'_>, args: &[Word], sink: &mut Sink) {
    if args.first().map(|a| a.text.as_str()) != Some("env") {
        // Flags that GOFLAGS could also carry: `go get -insecure` (removed in Go 1.22, but
        // older toolchains honour it) and `-modcacherw` on download commands.
        for a in args.iter().skip(1) {
            if a.text == "--" || !a.text.starts_with('-') {
                continue;
            }
            let flag = a.text.trim_start_matches('-');
            if flag == "insecure" || flag == "modcacherw" {
                emit(ctx, a, "GOFLAGS", &format!("-{flag}"), How::GoFlag, sink);
            }
        }
        return;
    }
    let args = &args[1..];
    let write = args.iter().any(|a| a.text == "-w" || a.text == "--w");
    let unset = args.iter().any(|a| a.text == "-u" || a.text == "--u");
    for a in args.iter().filter(|a| !a.text.starts_with('-')) {
        if write {
            // go env -w splits on the first '='; the whole rest is the value (cmd/go/internal/envcmd `runEnvW`).
            if let Some(eq) = a.text.find('=') {
                emit(ctx, a, &a.text[..eq], &a.text[eq + 1..], How::GoEnvW, sink);
            }
        } else if unset {
            emit(ctx, a, &a.text, "", How::GoEnvU, sink);
        }
    }
}

fn git_command(ctx: &ScriptCtx<'_>, args: &[Word], sink: &mut Sink) {
    let mut i = 0;
    // Global options before the subcommand; `-c key=value` sets configuration for this run.
    while i < args.len() && args[i].text.starts_with('-') {
        if args[i].text == "-c" {
            if let Some(kv) = args.get(i + 1) {
                let (k, v) = kv.text.split_once('=').unwrap_or((&kv.text, "true"));
                emit(ctx, kv, k, v, How::GitConfig, sink);
            }
            i += 2;
        } else if args[i].text == "-C" {
            i += 2;
        } else {
            i += 1;
        }
    }
    if args.get(i).map(|a| a.text.as_str()) != Some("config") {
        return;
    }
    // `--file F` takes a value; anything else positional is `key [value]`.
    let mut pos = Vec::new();
    let mut skip_next = false;
    for a in &args[i + 1..] {
        if skip_next {
            skip_next = false;
            continue;
        }
        if a.text == "--file" || a.text == "-f" || a.text == "--blob" {
            skip_next = true;
            continue;
        }
        if !a.text.starts_with('-') {
            pos.push(a);
        }
    }
    if let [key, value, ..] = pos.as_slice() {
        emit(ctx, key, &key.text, &value.text, How::GitConfig, sink);
    }
}

/// The `K=V` of a bazel environment flag (`--action_env=K=V`), `Some("")` when the value is
/// the next word, `None` for other words.
pub(crate) fn bazel_env_flag(w: &str) -> Option<&str> {
    for flag in ["--action_env", "--repo_env", "--host_action_env"] {
        if let Some(rest) = w.strip_prefix(flag) {
            if rest.is_empty() {
                return Some("");
            }
            return rest.strip_prefix('=');
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::{FileKind, FoundSetting};
    use std::path::PathBuf;

    fn run(text: &str) -> Vec<FoundSetting> {
        let mut sink = Sink {
            file: PathBuf::from("x.sh"),
            kind: FileKind::Shell,
            found: Vec::new(),
        };
        scan_script(text, &LineMap::for_text(text, 1), None, &mut sink);
        sink.found
    }

    fn brief(v: &[FoundSetting]) -> Vec<(usize, &str, &str, How)> {
        v.iter()
            .map(|s| (s.line, s.variable.as_str(), s.value.as_str(), s.how))
            .collect()
    }

    #[test]
    fn assignments_and_exports() {
        let f = run(
            "export GOPROXY=https://a.example,direct\nGOFLAGS='-mod=mod' go build\nGOSUMDB=off\n# GOPRIVATE=x\necho GONOSUMDB=y\n",
        );
        assert_eq!(
            brief(&f),
            vec![
                (1, "GOPROXY", "https://a.example,direct", How::Export),
                (2, "GOFLAGS", "-mod=mod", How::CommandPrefix),
                (3, "GOSUMDB", "off", How::Assign),
            ]
        );
    }

    #[test]
    fn go_env_w_with_continuation() {
        let f = run(
            "go env -w GOPRIVATE=*.corp \\\n  GONOSUMDB=\"corp.example/*\" && go env -u GOFLAGS",
        );
        assert_eq!(
            brief(&f),
            vec![
                (1, "GOPRIVATE", "*.corp", How::GoEnvW),
                (2, "GONOSUMDB", "corp.example/*", How::GoEnvW),
                (2, "GOFLAGS", "", How::GoEnvU),
            ]
        );
        assert_eq!(f[1].column, Some(3));
    }

    #[test]
    fn git_config_and_github_env() {
        let f = run(
            "git config --global http.sslVerify false\ngit -c http.sslverify=false clone x\necho \"GOPRIVATE=${{ inputs.p }}\" >> $GITHUB_ENV\necho GOFLAGS=-x > out.txt\necho GOINSECURE=x | tee -a \"$GITHUB_ENV\"\necho GOVCS=x | tee out || tee $GITHUB_ENV\n",
        );
        assert_eq!(
            brief(&f),
            vec![
                (1, "http.sslVerify", "false", How::GitConfig),
                (2, "http.sslverify", "false", How::GitConfig),
                (3, "GOPRIVATE", "${{ inputs.p }}", How::GithubEnv),
                (5, "GOINSECURE", "x", How::GithubEnv),
            ]
        );
        assert!(f[2].unresolved);
    }

    #[test]
    fn quoted_equals_is_not_assignment() {
        assert!(run("\"GOPROXY=x\" foo\nenv -i GOSUMDB=off go mod download").len() == 1);
    }
}
