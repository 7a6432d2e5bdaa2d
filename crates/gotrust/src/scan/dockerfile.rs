//! Dockerfile reader: `ENV` (both `ENV K=V K2=V2` and the legacy `ENV K V`), `ARG` defaults,
//! and `RUN` commands (shell form, exec form, heredocs), with line continuations and the
//! `# escape=` parser directive, following the Dockerfile reference's rules for comments inside
//! continuations and empty continuation lines.

use super::shell::{self, LineMap};
use super::{Candidate, How, Sink};

/// One logical instruction: joined text plus the map back to physical positions.
struct Logical {
    text: String,
    map: LineMap,
    first_line: usize,
}

pub(crate) fn scan(text: &str, sink: &mut Sink) {
    let lines: Vec<&str> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    let mut escape = '\\';
    // Parser directives are only recognised before the first instruction, comment or blank.
    for l in &lines {
        let t = l.trim();
        let Some(d) = t.strip_prefix('#') else { break };
        let d = d.trim();
        match d.split_once('=') {
            Some((k, v)) if k.trim().eq_ignore_ascii_case("escape") => {
                if v.trim() == "`" {
                    escape = '`';
                }
            }
            Some((k, _))
                if k.trim().eq_ignore_ascii_case("syntax")
                    || k.trim().eq_ignore_ascii_case("check") => {}
            _ => break,
        }
    }
    // Stages in order: each one's lower-case name (`AS` names are lower-cased by buildkit's
    // `parseBuildStageName`) and the context its settings carry. A stage built `FROM` an
    // earlier stage inherits that stage's ENV and ARG values (buildkit's
    // `dispatchStates.addState` links it as the base, `dispatchState.init` copies the image
    // config and build args); its context extends the parent's (`stage base > build`) so the
    // evaluation layers the parent's settings under its own.
    let mut stages: Vec<(Option<String>, String)> = Vec::new();
    // ARGs before the first FROM: only FROM lines see them; inside a stage, `ARG NAME`
    // without a value brings in the global default (instructions.Parse's meta args).
    let mut global_args: Vec<GlobalArg> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let t = lines[i].trim_start();
        if t.is_empty() || t.starts_with('#') {
            i += 1;
            continue;
        }
        let mut logical = Logical {
            text: String::new(),
            map: LineMap::default(),
            first_line: i + 1,
        };
        loop {
            let line = lines[i];
            let content = line.trim_end();
            let cont = content.ends_with(escape) && !content.is_empty();
            let body = if cont {
                &content[..content.len() - escape.len_utf8()]
            } else {
                content
            };
            logical.map.push(logical.text.len(), i + 1, 1);
            logical.text.push_str(body);
            i += 1;
            if !cont {
                break;
            }
            // Comment and empty lines inside a continuation are dropped by Docker.
            while i < lines.len() && {
                let t = lines[i].trim_start();
                t.starts_with('#') || t.is_empty()
            } {
                i += 1;
            }
            if i >= lines.len() {
                break;
            }
        }
        let text = logical.text.as_str();
        let ws = text.len() - text.trim_start().len();
        let rest_all = &text[ws..];
        let instr_len = rest_all.find(char::is_whitespace).unwrap_or(rest_all.len());
        let instr = rest_all[..instr_len].to_ascii_uppercase();
        let after = &rest_all[instr_len..];
        let rest_off = ws + instr_len + (after.len() - after.trim_start().len());
        let rest = &text[rest_off..];
        match instr.as_str() {
            "FROM" => {
                let words: Vec<&str> = rest
                    .split_whitespace()
                    .filter(|w| !w.starts_with("--"))
                    .collect();
                let base = words.first().copied().unwrap_or("");
                let name = match words.get(1..3) {
                    Some([as_, name]) if as_.eq_ignore_ascii_case("as") => {
                        Some(name.to_ascii_lowercase())
                    }
                    _ => None,
                };
                let own = name.clone().unwrap_or_else(|| stages.len().to_string());
                // A FROM names an earlier stage only by name, never by index (`FROM 0` is an
                // image called 0; indexes are for `COPY --from`). The classic builder looks
                // names up case-insensitively (`stagesBuildResults.getByName`).
                let parent = stages
                    .iter()
                    .rev()
                    .find(|(n, _)| n.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(base)));
                let context = match parent {
                    Some((_, parent)) => format!("{parent} > {own}"),
                    None => format!("stage {own}"),
                };
                stages.push((name, context));
            }
            "ENV" => {
                // Docker rejects ENV before FROM, but a fragment without FROM (a template
                // included elsewhere) still says what its stage will run with.
                let stage = stages.last().map_or("stage 0", |(_, c)| c.as_str());
                env(&logical, rest, rest_off, stage, sink);
            }
            "ARG" => {
                for w in shell_words(rest) {
                    let assignment = shell::split_assignment(&w);
                    let Some((_, stage)) = stages.last() else {
                        if let Some((k, v)) = assignment {
                            let (line, column) =
                                logical.map.locate(&logical.text, rest_off + w.start);
                            global_args.retain(|g| g.name != k);
                            global_args.push(GlobalArg {
                                name: k.to_string(),
                                value: v.to_string(),
                                line,
                                column,
                                expansion: w.expansion,
                            });
                        }
                        continue;
                    };
                    match assignment {
                        Some((k, v)) => push(
                            &logical,
                            rest_off + w.start,
                            k,
                            v,
                            How::Arg,
                            stage,
                            w.expansion,
                            sink,
                        ),
                        None => {
                            if let Some(g) = global_args.iter().find(|g| g.name == w.text) {
                                // The value is written on the global line: that is where to fix it.
                                sink.push(Candidate {
                                    line: g.line,
                                    column: Some(g.column),
                                    variable: &g.name,
                                    value: &g.value,
                                    how: How::Arg,
                                    context: Some(stage.as_str()),
                                    unresolved: g.expansion,
                                });
                            }
                        }
                    }
                }
            }
            "RUN" => {
                let stage_name = stages.last().map_or("stage 0", |(_, c)| c.as_str());
                let mut body_off = rest_off;
                let mut body = rest;
                // Flags such as --mount=... and --network=... come before the command.
                while body.starts_with("--") {
                    let end = body.find(char::is_whitespace).unwrap_or(body.len());
                    let next = &body[end..];
                    let skip = end + (next.len() - next.trim_start().len());
                    body_off += skip;
                    body = &body[skip..];
                }
                if body.starts_with('[') {
                    exec_form(&logical, body, stage_name, sink);
                } else {
                    let map = logical.map.shifted(&logical.text, body_off);
                    shell::scan_script(body, &map, Some(stage_name), sink);
                }
                if let Some(delim) = heredoc_delimiter(body) {
                    let start = i;
                    while i < lines.len() && lines[i].trim() != delim {
                        i += 1;
                    }
                    let heredoc = lines[start..i].join("\n");
                    let map = LineMap::for_text(&heredoc, start + 1);
                    shell::scan_script(&heredoc, &map, Some(stage_name), sink);
                    i += 1;
                }
            }
            _ => {}
        }
    }
}

/// An `ARG` with a default before the first `FROM`.
struct GlobalArg {
    name: String,
    value: String,
    line: usize,
    column: usize,
    expansion: bool,
}

fn shell_words(text: &str) -> Vec<shell::Word> {
    shell::words(text)
}

#[allow(clippy::too_many_arguments)]
fn push(
    logical: &Logical,
    offset: usize,
    k: &str,
    v: &str,
    how: How,
    stage: &str,
    unresolved: bool,
    sink: &mut Sink,
) {
    let (line, column) = logical.map.locate(&logical.text, offset);
    sink.push(Candidate {
        line,
        column: Some(column),
        variable: k,
        value: v,
        how,
        context: Some(stage),
        unresolved,
    });
}

fn env(logical: &Logical, rest: &str, rest_off: usize, stage: &str, sink: &mut Sink) {
    let words = shell_words(rest);
    let Some(first) = words.first() else { return };
    if shell::split_assignment(first).is_some() {
        for w in &words {
            if let Some((k, v)) = shell::split_assignment(w) {
                push(
                    logical,
                    rest_off + w.start,
                    k,
                    v,
                    How::Env,
                    stage,
                    w.expansion,
                    sink,
                );
            }
        }
    } else {
        // Legacy form `ENV KEY value with spaces`: the value is the rest of the line.
        let name_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let name = &rest[..name_end];
        let mut value = rest[name_end..].trim();
        if value.len() >= 2
            && ((value.starts_with('"') && value.ends_with('"'))
                || (value.starts_with('\'') && value.ends_with('\'')))
        {
            value = &value[1..value.len() - 1];
        }
        push(logical, rest_off, name, value, How::Env, stage, false, sink);
    }
}

/// `RUN ["go", "env", "-w", "K=V"]`: the JSON array is the argv; `sh -c SCRIPT` scans SCRIPT.
fn exec_form(logical: &Logical, body: &str, stage: &str, sink: &mut Sink) {
    let Ok(argv) = serde_json::from_str::<Vec<String>>(body.trim()) else {
        return;
    };
    let script = match argv.as_slice() {
        [sh, c, script, ..] if sh.ends_with("sh") && c == "-c" => script.clone(),
        _ => argv
            .iter()
            .map(|a| format!("'{}'", a.replace('\'', "'\\''")))
            .collect::<Vec<_>>()
            .join(" "),
    };
    // Positions inside the JSON strings are not tracked: everything maps to the RUN line.
    let mut map = LineMap::default();
    map.push(0, logical.first_line, 1);
    shell::scan_script(&script, &map, Some(stage), sink);
}

/// The delimiter of the first heredoc (`<<EOF`, `<<-EOF`, `<<"EOF"`, `<<'EOF'`) on a RUN line.
fn heredoc_delimiter(body: &str) -> Option<String> {
    let i = body.find("<<")?;
    let rest = body[i + 2..].trim_start_matches('-');
    let rest = rest.trim_start_matches(['"', '\'']);
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    (end > 0).then(|| rest[..end].to_string())
}
