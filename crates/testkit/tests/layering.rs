//! Module layering: no import cycles between sibling modules of any crate.
//!
//! Every `crate::…`, `super::…` and `self::…` path in non-test code is resolved to the
//! module it names (the longest prefix that is a module file). A reference from inside
//! sibling `a` to inside sibling `b` (children of the same parent) is an edge `a -> b`;
//! the edges among the children of each module must form no cycle. A cycle means two
//! files that cannot be read, tested or moved one without the other; the fix is to move
//! the shared piece into a leaf module both use (as `gomod::ziparchive`, `gomod::strconv`
//! and `report::Governance` were).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

type ModPath = Vec<String>;

/// The module path of a source file under `src`.
fn module_of(rel: &Path) -> ModPath {
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().expect("a file name");
    match last.as_str() {
        "lib.rs" | "main.rs" | "mod.rs" => {}
        other => parts.push(other.trim_end_matches(".rs").to_owned()),
    }
    parts
}

/// Non-test code: unit-test modules cut off, comment lines dropped.
fn code_of(text: &str) -> String {
    let text = match text.find("\n#[cfg(test)]\nmod ") {
        Some(i) => &text[..i],
        None => text,
    };
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn ident_len(s: &str) -> usize {
    s.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len())
}

/// The paths named after `anchor::` at the start of `s`: one path, or each item of a
/// `{…}` group (nested groups contribute their leading segments).
fn paths_after(s: &str) -> Vec<Vec<String>> {
    let mut segs = Vec::new();
    let mut rest = s;
    loop {
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut end = group.len();
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        end = i;
                        break;
                    }
                    '}' => depth -= 1,
                    _ => {}
                }
            }
            let inner = &group[..end];
            let mut items = Vec::new();
            let (mut depth, mut start) = (0, 0);
            for (i, c) in inner.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        items.push(&inner[start..i]);
                        start = i + 1;
                    }
                    _ => {}
                }
            }
            items.push(&inner[start..]);
            let mut out = Vec::new();
            for item in items {
                for mut p in paths_after(item.trim()) {
                    let mut full = segs.clone();
                    full.append(&mut p);
                    out.push(full);
                }
            }
            return out;
        }
        let n = ident_len(rest);
        if n == 0 {
            return vec![segs];
        }
        segs.push(rest[..n].to_owned());
        match rest[n..].strip_prefix("::") {
            Some(r) => rest = r,
            None => return vec![segs],
        }
    }
}

/// Every module path a file's code refers to, absolute from the crate root.
fn references(code: &str, here: &ModPath) -> Vec<ModPath> {
    let mut out = Vec::new();
    for (anchor, base) in [
        ("crate::", Vec::new()),
        ("super::", here[..here.len().saturating_sub(1)].to_vec()),
        ("self::", here.clone()),
    ] {
        let mut from = 0;
        while let Some(i) = code[from..].find(anchor) {
            let at = from + i;
            from = at + anchor.len();
            let before = code[..at].chars().next_back();
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            for p in paths_after(&code[from..]) {
                let mut full = base.clone();
                full.extend(p);
                out.push(full);
            }
        }
    }
    out
}

/// Cycles among siblings, as `parent: a -> b -> ... -> a`, over the crate at `src`.
fn sibling_cycles(src: &Path) -> Vec<String> {
    let files = testkit::rust_files(src);
    let modules: BTreeSet<ModPath> = files
        .iter()
        .map(|f| module_of(f.strip_prefix(src).unwrap()))
        .collect();
    let resolve = |p: &ModPath| -> ModPath {
        (0..=p.len())
            .rev()
            .map(|n| p[..n].to_vec())
            .find(|m| modules.contains(m))
            .unwrap_or_default()
    };
    // parent -> child -> children it depends on
    let mut edges: BTreeMap<ModPath, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for f in &files {
        let rel = f.strip_prefix(src).unwrap();
        if rel.file_name().is_some_and(|n| n == "tests.rs") {
            continue;
        }
        let here = module_of(rel);
        for r in references(&code_of(&fs::read_to_string(f).unwrap()), &here) {
            let target = resolve(&r);
            let common = here.iter().zip(&target).take_while(|(a, b)| a == b).count();
            if common < here.len() && common < target.len() {
                edges
                    .entry(here[..common].to_vec())
                    .or_default()
                    .entry(here[common].clone())
                    .or_default()
                    .insert(target[common].clone());
            }
        }
    }
    let mut cycles = Vec::new();
    for (parent, graph) in &edges {
        // A cycle through `a` exists iff `a` reaches itself; report each cycle once by
        // its smallest member.
        for start in graph.keys() {
            let mut stack = vec![(start.clone(), vec![start.clone()])];
            let mut seen = BTreeSet::new();
            while let Some((node, path)) = stack.pop() {
                for next in graph.get(&node).into_iter().flatten() {
                    if next == start {
                        if path.iter().all(|p| p >= start) {
                            let mut shown = path.clone();
                            shown.push(start.clone());
                            cycles.push(format!("{}: {}", parent.join("::"), shown.join(" -> ")));
                        }
                    } else if next > start && seen.insert(next.clone()) {
                        let mut p = path.clone();
                        p.push(next.clone());
                        stack.push((next.clone(), p));
                    }
                }
            }
        }
    }
    cycles
}

fn crate_src(name: &str) -> std::path::PathBuf {
    testkit::workspace_root()
        .join("crates")
        .join(name)
        .join("src")
}

/// Every crate of the workspace, the binary included: in gotrust-cli the dependencies go one
/// way (`main` -> `cmd` -> `output` -> `args`; `cmd::verify` holds the flags its
/// subcommands read).
#[test]
fn no_crate_has_module_cycles() {
    for name in ["gomod", "gotrust", "gotrust-lab", "gotrust-cli"] {
        assert_eq!(
            sibling_cycles(&crate_src(name)),
            Vec::<String>::new(),
            "{name}"
        );
    }
}

#[test]
fn the_checker_sees_a_cycle() {
    let dir = tempfile_dir();
    fs::write(dir.join("lib.rs"), "mod a;\nmod b;\n").unwrap();
    fs::write(dir.join("a.rs"), "use crate::b::X;\n").unwrap();
    fs::write(dir.join("b.rs"), "use super::{a::{self, Y}, c};\n").unwrap();
    assert_eq!(sibling_cycles(&dir), [": a -> b -> a"]);
    fs::remove_dir_all(&dir).unwrap();
}

fn tempfile_dir() -> std::path::PathBuf {
    let d = testkit::target_dir()
        .join("layering-test")
        .join(std::process::id().to_string());
    let _ = fs::remove_dir_all(&d);
    fs::create_dir_all(&d).unwrap();
    d
}
