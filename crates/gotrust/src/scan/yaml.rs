//! CI and Compose YAML: GitHub Actions workflows and composite actions (`env:` at workflow, job,
//! container, service and step level; `run:` scripts; `build-args` inputs), GitLab CI
//! (`variables:` at top and job level, `script`/`before_script`/`after_script`), and Compose
//! (`environment:` and `build.args`). The document is parsed into a small tree that keeps each
//! node's position; aliases are not expanded, so a setting is reported once, where it is written.

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use super::shell::{self, LineMap};
use super::{Candidate, FileKind, How, ScanError, Sink};

/// Deeper documents are rejected: no CI file nests this far, and the tree is dropped
/// recursively.
const MAX_DEPTH: usize = 256;

#[derive(Debug)]
enum Node {
    Scalar {
        value: String,
        line: usize,
        col: usize,
        style: TScalarStyle,
    },
    Map(Vec<(Node, Node)>),
    Seq(Vec<Node>),
    Alias,
}

impl Node {
    fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Map(entries) => entries
                .iter()
                .find(|(k, _)| k.as_str() == Some(key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    fn as_str(&self) -> Option<&str> {
        match self {
            Node::Scalar { value, .. } => Some(value),
            _ => None,
        }
    }

    fn entries(&self) -> &[(Node, Node)] {
        match self {
            Node::Map(e) => e,
            _ => &[],
        }
    }

    fn items(&self) -> &[Node] {
        match self {
            Node::Seq(i) => i,
            _ => &[],
        }
    }

    fn pos(&self) -> (usize, usize) {
        match self {
            Node::Scalar { line, col, .. } => (*line, *col),
            _ => (0, 0),
        }
    }
}

enum Frame {
    Map(Vec<(Node, Node)>, Option<Node>),
    Seq(Vec<Node>),
}

fn parse(text: &str, file: &std::path::Path) -> Result<Vec<Node>, ScanError> {
    let mut parser = Parser::new_from_str(text);
    let mut docs = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let err = |m: Marker, message: String| ScanError::Yaml {
        file: file.to_path_buf(),
        line: m.line(),
        column: m.col() + 1,
        message,
    };
    loop {
        let (ev, mark) = parser
            .next_token()
            .map_err(|e| err(*e.marker(), e.info().to_string()))?;
        let node = match ev {
            Event::StreamEnd => break,
            Event::Scalar(value, style, _, _) => Node::Scalar {
                value,
                line: mark.line(),
                col: mark.col() + 1,
                style,
            },
            Event::Alias(_) => Node::Alias,
            Event::MappingStart(..) | Event::SequenceStart(..) if stack.len() >= MAX_DEPTH => {
                return Err(err(mark, format!("nesting deeper than {MAX_DEPTH} levels")));
            }
            Event::MappingStart(..) => {
                stack.push(Frame::Map(Vec::new(), None));
                continue;
            }
            Event::SequenceStart(..) => {
                stack.push(Frame::Seq(Vec::new()));
                continue;
            }
            Event::MappingEnd => match stack.pop() {
                Some(Frame::Map(entries, _)) => Node::Map(entries),
                _ => return Err(err(mark, "unbalanced mapping".into())),
            },
            Event::SequenceEnd => match stack.pop() {
                Some(Frame::Seq(items)) => Node::Seq(items),
                _ => return Err(err(mark, "unbalanced sequence".into())),
            },
            _ => continue,
        };
        match stack.last_mut() {
            None => docs.push(node),
            Some(Frame::Seq(items)) => items.push(node),
            Some(Frame::Map(entries, pending)) => match pending.take() {
                None => *pending = Some(node),
                Some(k) => entries.push((k, node)),
            },
        }
    }
    Ok(docs)
}

pub(crate) fn scan(text: &str, sink: &mut Sink) -> Result<(), ScanError> {
    let file = sink.file.clone();
    let docs = parse(text, &file)?;
    let src: Vec<&str> = text.split('\n').collect();
    let cx = Cx { src: &src };
    for doc in &docs {
        match sink.kind {
            FileKind::GitHubActions => cx.github(doc, sink),
            FileKind::GitLabCi => cx.gitlab(doc, sink),
            FileKind::CiYaml => cx.generic(doc, &mut Vec::new(), sink),
            _ => cx.compose(doc, sink),
        }
    }
    Ok(())
}

struct Cx<'a> {
    src: &'a [&'a str],
}

impl Cx<'_> {
    fn env_map(&self, node: Option<&Node>, how: How, context: &str, sink: &mut Sink) {
        let Some(node) = node else { return };
        for (k, v) in node.entries() {
            let (Some(name), (line, col)) = (k.as_str(), k.pos()) else {
                continue;
            };
            // GitLab allows `VAR: {value: ..., description: ...}`.
            let value = match v {
                Node::Scalar { value, .. } => value.as_str(),
                Node::Map(_) => match v.get("value").and_then(Node::as_str) {
                    Some(s) => s,
                    None => continue,
                },
                _ => continue,
            };
            sink.push(Candidate {
                line,
                column: Some(col),
                variable: name,
                value,
                how,
                context: Some(context),
                unresolved: false,
            });
        }
    }

    /// `- K=V` list entries (Compose `environment:` / `args:` in list form) and `K=V` lines of
    /// a multi-line scalar (`build-args: |`).
    fn kv_lines(&self, node: &Node, how: How, context: &str, sink: &mut Sink) {
        match node {
            Node::Seq(items) => {
                for it in items {
                    self.kv_lines(it, how, context, sink);
                }
            }
            Node::Scalar {
                value, line, col, ..
            } => {
                let multi = value.contains('\n');
                for (k, l) in value.lines().enumerate() {
                    let l = l.trim();
                    let Some((name, v)) = l.split_once('=') else {
                        continue;
                    };
                    if !shell::is_identifier(name) {
                        continue;
                    }
                    let (line, col) = if multi {
                        self.find_line(*line + k, l).unwrap_or((*line, *col))
                    } else {
                        (*line, *col)
                    };
                    sink.push(Candidate {
                        line,
                        column: Some(col),
                        variable: name,
                        value: v,
                        how,
                        context: Some(context),
                        unresolved: false,
                    });
                }
            }
            _ => {}
        }
    }

    /// Finds the first source line at or after `from` containing `needle`; returns (line, col).
    fn find_line(&self, from: usize, needle: &str) -> Option<(usize, usize)> {
        let probe: String = needle.chars().take(40).collect();
        if probe.is_empty() {
            return None;
        }
        for ln in from.max(1)..=self.src.len() {
            let s = self.src[ln - 1];
            if let Some(p) = s.find(&probe) {
                return Some((ln, s[..p].chars().count() + 1));
            }
        }
        None
    }

    /// Scans a script scalar, mapping its lines back to the source lines they came from.
    fn script(&self, node: &Node, context: &str, sink: &mut Sink) {
        match node {
            Node::Seq(items) => {
                for it in items {
                    self.script(it, context, sink);
                }
            }
            Node::Scalar {
                value,
                line,
                col,
                style,
            } => {
                let mut map = LineMap::default();
                let mut cursor = *line;
                let block = matches!(style, TScalarStyle::Literal | TScalarStyle::Folded);
                if !block {
                    map.push(0, *line, *col);
                }
                let mut off = 0;
                for l in value.split('\n') {
                    let trimmed = l.trim_start();
                    let lead = l.len() - trimmed.len();
                    if !trimmed.is_empty()
                        && let Some((ln, c)) = self.find_line(cursor, trimmed.trim_end())
                    {
                        map.push(off + lead, ln, c);
                        cursor = ln;
                    }
                    off += l.len() + 1;
                }
                shell::scan_script(value, &map, Some(context), sink);
            }
            _ => {}
        }
    }

    fn github(&self, doc: &Node, sink: &mut Sink) {
        self.env_map(doc.get("env"), How::Env, "workflow", sink);
        for (id, job) in doc.get("jobs").map(Node::entries).unwrap_or(&[]) {
            let id = id.as_str().unwrap_or("?");
            let jc = format!("job {id}");
            self.env_map(job.get("env"), How::Env, &jc, sink);
            if let Some(c) = job.get("container") {
                self.env_map(c.get("env"), How::Env, &format!("{jc} container"), sink);
            }
            for (svc, s) in job.get("services").map(Node::entries).unwrap_or(&[]) {
                let ctx = format!("{jc} service {}", svc.as_str().unwrap_or("?"));
                self.env_map(s.get("env"), How::Env, &ctx, sink);
            }
            self.steps(job.get("steps"), &jc, sink);
        }
        // Composite actions: `runs: {using: composite, steps: [...]}`.
        if let Some(runs) = doc.get("runs") {
            self.env_map(runs.get("env"), How::Env, "action", sink);
            self.steps(runs.get("steps"), "action", sink);
        }
    }

    fn steps(&self, steps: Option<&Node>, parent: &str, sink: &mut Sink) {
        for (i, step) in steps.map(Node::items).unwrap_or(&[]).iter().enumerate() {
            let label = ["name", "id", "uses"]
                .iter()
                .find_map(|k| step.get(k).and_then(Node::as_str))
                .map(str::to_string)
                .unwrap_or_else(|| format!("#{}", i + 1));
            let ctx = format!("{parent} / step {label}");
            self.env_map(step.get("env"), How::Env, &ctx, sink);
            if let Some(run) = step.get("run") {
                self.script(run, &ctx, sink);
            }
            if let Some(args) = step.get("with").and_then(|w| w.get("build-args")) {
                self.kv_lines(args, How::BuildArg, &ctx, sink);
            }
        }
    }

    fn gitlab(&self, doc: &Node, sink: &mut Sink) {
        const RESERVED: &[&str] = &[
            "image",
            "services",
            "stages",
            "types",
            "cache",
            "include",
            "workflow",
            "spec",
            "variables",
            "before_script",
            "after_script",
            "default",
        ];
        self.env_map(doc.get("variables"), How::CiVariable, "global", sink);
        for key in ["before_script", "after_script"] {
            if let Some(s) = doc.get(key) {
                self.script(s, "global", sink);
            }
        }
        if let Some(d) = doc.get("default") {
            self.gitlab_job(d, "default", sink);
        }
        for (name, job) in doc.entries() {
            let Some(name) = name.as_str() else { continue };
            if RESERVED.contains(&name) || !matches!(job, Node::Map(_)) {
                continue;
            }
            self.gitlab_job(job, &format!("job {name}"), sink);
        }
    }

    fn gitlab_job(&self, job: &Node, ctx: &str, sink: &mut Sink) {
        self.env_map(job.get("variables"), How::CiVariable, ctx, sink);
        for key in ["before_script", "script", "after_script"] {
            if let Some(s) = job.get(key) {
                self.script(s, ctx, sink);
            }
        }
        for svc in job.get("services").map(Node::items).unwrap_or(&[]) {
            self.env_map(
                svc.get("variables"),
                How::CiVariable,
                &format!("{ctx} service"),
                sink,
            );
        }
    }

    /// Any CI YAML: keys that are variable names, `K=V` list items, `{name: K, value: V}`
    /// items, and script-valued keys, with the key path as context.
    fn generic(&self, node: &Node, path: &mut Vec<String>, sink: &mut Sink) {
        const SCRIPT_KEYS: &[&str] = &[
            "script",
            "run",
            "command",
            "commands",
            "cmds",
            "before_script",
            "after_script",
            "before_install",
            "install",
            "bash",
            "sh",
            "inline",
            "inlineScript",
        ];
        // The last few keys, e.g. `jobs.build.steps[1].run`.
        let ctx = |path: &[String]| {
            let mut out = String::new();
            for comp in &path[path.len().saturating_sub(5)..] {
                if !out.is_empty() && !comp.starts_with('[') {
                    out.push('.');
                }
                out.push_str(comp);
            }
            out
        };
        match node {
            Node::Map(entries) => {
                for (k, v) in entries {
                    let Some(key) = k.as_str() else { continue };
                    let parent = ctx(path);
                    path.push(key.to_string());
                    let c = ctx(path);
                    if let (Some(_), Node::Scalar { value, .. }) = (super::classify(key), v) {
                        let (line, col) = k.pos();
                        sink.push(Candidate {
                            line,
                            column: Some(col),
                            variable: key,
                            value,
                            how: How::Env,
                            context: Some(&parent),
                            unresolved: false,
                        });
                    } else if SCRIPT_KEYS.contains(&key) && !matches!(v, Node::Map(_)) {
                        self.script(v, &c, sink);
                    } else {
                        self.generic(v, path, sink);
                    }
                    path.pop();
                }
            }
            Node::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    path.push(format!("[{i}]"));
                    let c = ctx(path);
                    match item {
                        Node::Scalar { .. } => self.kv_lines(item, How::Env, &c, sink),
                        Node::Map(_) => {
                            let name = item.get("name");
                            let value = item.get("value").and_then(Node::as_str);
                            if let (Some(n @ Node::Scalar { value: name, .. }), Some(value)) =
                                (name, value)
                            {
                                let (line, col) = n.pos();
                                sink.push(Candidate {
                                    line,
                                    column: Some(col),
                                    variable: name,
                                    value,
                                    how: How::Env,
                                    context: Some(&c),
                                    unresolved: false,
                                });
                            }
                            self.generic(item, path, sink);
                        }
                        _ => self.generic(item, path, sink),
                    }
                    path.pop();
                }
            }
            _ => {}
        }
    }

    fn compose(&self, doc: &Node, sink: &mut Sink) {
        for (name, svc) in doc.get("services").map(Node::entries).unwrap_or(&[]) {
            let ctx = format!("service {}", name.as_str().unwrap_or("?"));
            match svc.get("environment") {
                Some(n @ Node::Map(_)) => self.env_map(Some(n), How::Env, &ctx, sink),
                Some(n) => self.kv_lines(n, How::Env, &ctx, sink),
                None => {}
            }
            if let Some(args) = svc.get("build").and_then(|b| b.get("args")) {
                match args {
                    Node::Map(_) => self.env_map(Some(args), How::BuildArg, &ctx, sink),
                    n => self.kv_lines(n, How::BuildArg, &ctx, sink),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based() {
        let docs = parse("a:\n  b: c\n", std::path::Path::new("x.yml")).unwrap();
        let b = docs[0].get("a").unwrap().entries()[0].0.pos();
        assert_eq!(b, (2, 3));
        assert!(docs[0].get("zz").is_none());
    }
}
