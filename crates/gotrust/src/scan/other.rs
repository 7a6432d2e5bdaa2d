//! Line-oriented readers for the places a Go setting hides outside shell, Docker, Make and CI
//! YAML: Jenkinsfiles, Kubernetes/Helm/goreleaser YAML (read line by line, so templates that
//! are not valid YAML still work), `.bazelrc`, git config files, PowerShell and justfiles.

use std::path::Path;

use super::shell::{self, LineMap};
use super::{Candidate, How, Sink};

/// Removes one pair of matching surrounding quotes.
fn unquote(v: &str) -> &str {
    let v = v.trim();
    if v.len() >= 2
        && ((v.starts_with('"') && v.ends_with('"')) || (v.starts_with('\'') && v.ends_with('\'')))
    {
        &v[1..v.len() - 1]
    } else {
        v
    }
}

/// Column (1-based, in characters) of byte offset `off` of `line`.
fn col(line: &str, off: usize) -> usize {
    line.get(..off).map_or(1, |s| s.chars().count() + 1)
}

#[allow(clippy::too_many_arguments)]
fn push(
    sink: &mut Sink,
    line: usize,
    column: usize,
    k: &str,
    v: &str,
    how: How,
    context: Option<&str>,
    unresolved: bool,
) {
    sink.push(Candidate {
        line,
        column: Some(column),
        variable: k,
        value: v,
        how,
        context,
        unresolved,
    });
}

/// `name: X` followed by `value: Y` (Kubernetes `env`, Tekton, func.yaml), `KEY: value` where
/// KEY is a Go-relevant name, and `- KEY=value` list items (goreleaser `env`, Compose lists).
fn yaml_lines(lines: &[&str], first_line: usize, context: Option<&str>, sink: &mut Sink) {
    let mut i = 0;
    while i < lines.len() {
        let raw = lines[i];
        let t = raw.trim_start();
        let lead = raw.len() - t.len();
        if t.starts_with('#') {
            i += 1;
            continue;
        }
        let item = t.strip_prefix("- ").map(str::trim_start);
        let body = item.unwrap_or(t);
        let body_off = lead + (t.len() - body.len());
        if let Some(name) = body.strip_prefix("name:") {
            let name = unquote(name.split(" #").next().unwrap_or(""));
            // The value is on one of the next lines of the same item.
            let mut j = i + 1;
            while j < lines.len() && j <= i + 3 {
                let n = lines[j].trim();
                if let Some(v) = n.strip_prefix("value:") {
                    if super::classify(name).is_some() {
                        let v = unquote(v.split(" #").next().unwrap_or(""));
                        push(
                            sink,
                            first_line + i,
                            col(raw, body_off),
                            name,
                            v,
                            How::Env,
                            context,
                            false,
                        );
                    }
                    break;
                }
                if n.starts_with("- ") || n.starts_with("name:") {
                    break;
                }
                j += 1;
            }
        } else if let Some(rest) = item {
            let rest = unquote(rest);
            if let Some((k, v)) = rest.split_once('=')
                && super::classify(k).is_some()
            {
                push(
                    sink,
                    first_line + i,
                    col(raw, body_off),
                    k,
                    v,
                    How::Env,
                    context,
                    false,
                );
            }
        } else if let Some((k, v)) = body.split_once(':') {
            let k = unquote(k);
            if super::classify(k).is_some() && !v.trim().is_empty() {
                let v = unquote(v.split(" #").next().unwrap_or(""));
                push(
                    sink,
                    first_line + i,
                    col(raw, body_off),
                    k,
                    v,
                    How::Env,
                    context,
                    false,
                );
            }
        }
        i += 1;
    }
}

/// Kubernetes and Helm manifests, goreleaser and any other YAML.
pub(crate) fn manifest(text: &str, sink: &mut Sink) {
    let lines: Vec<&str> = text.lines().collect();
    yaml_lines(&lines, 1, None, sink);
}

/// Jenkinsfile (declarative or scripted): `environment { K = 'v' }`, `withEnv(['K=v'])`,
/// `sh '…'` / `sh """…"""` steps, and pod YAML embedded in `yaml """…"""`.
pub(crate) fn jenkinsfile(text: &str, sink: &mut Sink) {
    let lines: Vec<&str> = text.lines().collect();
    let mut in_env = 0usize;
    let mut i = 0;
    while i < lines.len() {
        let raw = lines[i];
        let t = raw.trim_start();
        let lead = raw.len() - t.len();
        if t.starts_with("//") || t.starts_with('*') || t.starts_with("/*") {
            i += 1;
            continue;
        }
        if t.starts_with("environment") && t.contains('{') {
            in_env = 1;
            i += 1;
            continue;
        }
        if in_env > 0 {
            if t.starts_with('}') {
                in_env = 0;
            } else if let Some((k, v)) = t.split_once('=') {
                let k = k.trim();
                let v = v.trim();
                // `credentials('id')` and other calls are not literal values.
                let literal = v.starts_with('\'') || v.starts_with('"');
                if shell::is_identifier(k) && literal {
                    let value = unquote(v);
                    let interpolated = v.starts_with('"') && value.contains('$');
                    push(
                        sink,
                        i + 1,
                        col(raw, lead),
                        k,
                        value,
                        How::Env,
                        Some("environment"),
                        interpolated,
                    );
                }
            }
            i += 1;
            continue;
        }
        // withEnv(['K=V', "K2=V2"])
        if let Some(p) = t.find("withEnv(") {
            let args = &t[p + 8..];
            for part in args.split(',') {
                let part = part
                    .trim()
                    .trim_start_matches('[')
                    .trim_end_matches([']', ')', '{', ' ']);
                let v = unquote(part);
                if let Some((k, val)) = v.split_once('=')
                    && shell::is_identifier(k)
                {
                    push(
                        sink,
                        i + 1,
                        col(raw, lead + p),
                        k,
                        val,
                        How::Env,
                        Some("withEnv"),
                        part.starts_with('"') && val.contains('$'),
                    );
                }
            }
        }
        // Multi-line strings: `sh '''…'''`, `sh """…"""`, `yaml """…"""`.
        if let Some((kw, q, at)) = ["sh", "yaml", "script:"].iter().find_map(|kw| {
            let at = keyword_at(t, kw)?;
            let after = t[at + kw.len()..].trim_start();
            let after = after.strip_prefix('(').unwrap_or(after).trim_start();
            ["'''", "\"\"\""]
                .iter()
                .find(|q| after.starts_with(**q))
                .map(|q| (*kw, *q, at))
        }) {
            let start_off = at + t[at..].find(q).unwrap_or(0) + 3;
            let first = &t[start_off..];
            let mut body: Vec<&str> = Vec::new();
            let mut j = i;
            let mut closed = false;
            if let Some(end) = first.find(q) {
                body.push(&first[..end]);
                closed = true;
            } else {
                body.push(first);
                j += 1;
                while j < lines.len() {
                    if let Some(end) = lines[j].find(q) {
                        body.push(&lines[j][..end]);
                        closed = true;
                        break;
                    }
                    body.push(lines[j]);
                    j += 1;
                }
            }
            if kw == "yaml" {
                yaml_lines(&body, i + 1, Some("pod yaml"), sink);
            } else {
                let script = body.join("\n");
                let map = LineMap::for_text(&script, i + 1);
                shell::scan_script(&script, &map, Some("sh step"), sink);
            }
            i = if closed { j + 1 } else { lines.len() };
            continue;
        }
        // One-line `sh 'cmd'` / `sh "cmd"`, anywhere on the line (`steps { sh '…' }`).
        if let Some(at) = keyword_at(t, "sh") {
            let after = &t[at + 2..];
            let a = after.strip_prefix('(').unwrap_or(after).trim_start();
            if let Some(q) = a.chars().next().filter(|c| *c == '\'' || *c == '"')
                && let Some(end) = a[1..].find(q)
            {
                let script = &a[1..1 + end];
                let mut map = LineMap::default();
                map.push(0, i + 1, col(raw, raw.len() - a.len() + 1));
                shell::scan_script(script, &map, Some("sh step"), sink);
            }
        }
        i += 1;
    }
}

/// Byte offset of `kw` in `t` as a word (not inside an identifier), followed by a space, a
/// quote or `(`.
fn keyword_at(t: &str, kw: &str) -> Option<usize> {
    let b = t.as_bytes();
    let mut from = 0;
    while let Some(p) = t[from..].find(kw) {
        let at = from + p;
        let before_ok = at == 0 || !(b[at - 1].is_ascii_alphanumeric() || b[at - 1] == b'_');
        let next = b.get(at + kw.len()).copied();
        let after_ok =
            kw.ends_with(':') || matches!(next, Some(b' ' | b'\t' | b'(' | b'\'' | b'"'));
        if before_ok && after_ok {
            return Some(at);
        }
        from = at + kw.len();
    }
    None
}

/// `.bazelrc`: `command[:config] --action_env=K=V` (also `--repo_env`, `--host_action_env`,
/// and the two-word form `--action_env K=V`); the command is the context.
pub(crate) fn bazelrc(text: &str, sink: &mut Sink) {
    for (i, raw) in text.lines().enumerate() {
        let t = raw.trim_start();
        if t.starts_with('#') {
            continue;
        }
        // Bazel splits rc lines like a shell without expansions (`ShellUtils.tokenize`):
        // quotes group and are removed, `$` stays literal.
        let words = shell::words(raw);
        let mut words = words.iter().skip(1).peekable();
        while let Some(w) = words.next() {
            let (kv, at) = match shell::bazel_env_flag(&w.text) {
                Some("") => match words.next() {
                    Some(next) => (next.text.as_str(), next.start),
                    None => continue,
                },
                Some(kv) => (kv, w.start),
                None => continue,
            };
            if let Some((k, v)) = kv.split_once('=') {
                push(sink, i + 1, col(raw, at), k, v, How::BazelEnv, None, false);
            }
        }
    }
}

/// A git config file: every entry, with its key written as `section[.subsection].key`.
pub(crate) fn gitconfig(path: &Path, text: &str, sink: &mut Sink) {
    use crate::settings::git::{GitScope, parse_git_config};
    for e in parse_git_config(path, GitScope::Global, text) {
        let key = match &e.subsection {
            Some(s) => format!("{}.{s}.{}", e.section, e.key),
            None => format!("{}.{}", e.section, e.key),
        };
        let value = e.value.clone().unwrap_or_else(|| "true".into());
        push(sink, e.line, 1, &key, &value, How::GitConfig, None, false);
    }
}

/// PowerShell: `$env:NAME = 'value'` / `"value"` and
/// `[Environment]::SetEnvironmentVariable('NAME', 'value', ...)`.
pub(crate) fn powershell(text: &str, sink: &mut Sink) {
    for (i, raw) in text.lines().enumerate() {
        let t = raw.trim_start();
        if t.starts_with('#') {
            continue;
        }
        let lower = t.to_ascii_lowercase();
        if let Some(rest) = lower.strip_prefix("$env:") {
            let name_len = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            let name = &t[5..5 + name_len];
            let after = t[5 + name_len..].trim_start();
            let Some(v) = after.strip_prefix('=') else {
                continue;
            };
            let v = v.trim();
            let literal = v.starts_with('\'') || (v.starts_with('"') && !v.contains('$'));
            if literal {
                let off = raw.len() - t.len();
                push(
                    sink,
                    i + 1,
                    col(raw, off),
                    name,
                    unquote(v),
                    How::Env,
                    None,
                    false,
                );
            } else if v.starts_with('"') {
                let off = raw.len() - t.len();
                push(
                    sink,
                    i + 1,
                    col(raw, off),
                    name,
                    unquote(v),
                    How::Env,
                    None,
                    true,
                );
            }
        } else if let Some(p) = lower.find("setenvironmentvariable(") {
            let args: Vec<&str> = t[p + 23..]
                .trim_end_matches([')', ';', ' '])
                .split(',')
                .collect();
            if let [k, v, ..] = args.as_slice() {
                let off = raw.len() - t.len() + p;
                push(
                    sink,
                    i + 1,
                    col(raw, off),
                    unquote(k),
                    unquote(v),
                    How::Env,
                    None,
                    false,
                );
            }
        }
    }
}

/// justfile: `[export] NAME := "value"` (exported with `export` or `set export`), and
/// indented recipe lines, which are shell.
pub(crate) fn justfile(text: &str, sink: &mut Sink) {
    let mut recipe: Option<String> = None;
    for (i, raw) in text.lines().enumerate() {
        if raw.starts_with([' ', '\t']) {
            let t = raw.trim_start();
            let t = t.strip_prefix('@').unwrap_or(t);
            let mut map = LineMap::default();
            map.push(0, i + 1, col(raw, raw.len() - t.len()));
            shell::scan_script(t, &map, recipe.as_deref(), sink);
            continue;
        }
        let t = raw.trim();
        if t.starts_with('#') || t.is_empty() {
            continue;
        }
        let (exported, body) = match t.strip_prefix("export ") {
            Some(b) => (true, b.trim_start()),
            None => (false, t),
        };
        if let Some((k, v)) = body.split_once(":=") {
            let k = k.trim();
            if shell::is_identifier(k) {
                let how = if exported {
                    How::MakeExport
                } else {
                    How::MakeVariable
                };
                let off = raw.find(k).unwrap_or(0);
                push(sink, i + 1, col(raw, off), k, unquote(v), how, None, false);
            }
        } else if let Some(name) = t.split(':').next() {
            recipe = Some(format!(
                "recipe {}",
                name.split_whitespace().next().unwrap_or("")
            ));
        }
    }
}

/// dotenv files (`.env`, read by Compose, docker `--env-file`, direnv's `dotenv`): one
/// `[export] KEY=value` per line, not shell: `|`, `;` and `&` are part of the value. Matching
/// surrounding quotes are removed (Compose does so; docker `--env-file` does not, and then go
/// sees them: a value that is quoted is reported by `env/quoted-value` through the shell
/// reader's rules only when the quotes are unbalanced). `${VAR}` references are expanded by
/// Compose, so they are unresolved here.
pub(crate) fn dotenv(text: &str, sink: &mut Sink) {
    for (i, raw) in text.lines().enumerate() {
        let t = raw.trim_start();
        if t.starts_with('#') || t.is_empty() {
            continue;
        }
        let body = t.strip_prefix("export ").map_or(t, str::trim_start);
        let Some((k, v)) = body.split_once('=') else {
            continue;
        };
        let k = k.trim_end();
        if !shell::is_identifier(k) {
            continue;
        }
        let v = v.trim();
        let quoted = v.starts_with('"') || v.starts_with('\'');
        let value = if quoted {
            unquote(v)
        } else {
            // An unquoted value ends at ` #` (an inline comment).
            v.split(" #").next().unwrap_or("").trim_end()
        };
        let single = v.starts_with('\'');
        let off = raw.len() - body.len();
        push(
            sink,
            i + 1,
            col(raw, off),
            k,
            value,
            How::Assign,
            None,
            !single && value.contains('$'),
        );
    }
}
