//! `gotrust rules`: the catalog lists exactly the rules the code can report, and the README's
//! policy example is a valid policy.

use std::collections::BTreeSet;
use std::path::Path;

use testkit::workspace_root;

use crate::harness::TestDir;

/// The part of a source file before its unit tests.
fn non_test_source(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    match text.find("#[cfg(test)]") {
        Some(i) => text[..i].to_owned(),
        None => text,
    }
}

/// String literals that have the shape of a rule ID of a known category, outside comments
/// (a doc comment may show a misspelt ID, as the policy's error example does). Nothing else
/// may have that shape: probe's check rows are dotted (`tls.root`), paths are joined.
fn rule_id_literals(source: &str, categories: &BTreeSet<String>) -> Vec<String> {
    let mut found = Vec::new();
    let code: String = source
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    for piece in code.split('"').skip(1).step_by(2) {
        let Some((cat, name)) = piece.split_once('/') else {
            continue;
        };
        let well_formed = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if well_formed && categories.contains(cat) {
            found.push(piece.to_owned());
        }
    }
    found
}

/// The rule list printed by the binary, as (id, commands).
fn listed_rules(dir: &TestDir) -> Vec<(String, Vec<String>)> {
    let out = dir.cmd(&["rules", "--format", "json"]).run().code(0);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    v["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let commands = r["commands"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap().to_owned())
                .collect();
            (r["id"].as_str().unwrap().to_owned(), commands)
        })
        .collect()
}

/// Every rule ID written anywhere in the engine or the binary (outside unit tests) is listed by
/// `gotrust rules`, and every catalog rule is used by some code outside the catalog: the list
/// is exactly what the commands can emit.
#[test]
fn rules_lists_every_rule_the_code_emits() {
    let dir = TestDir::new();
    let listed = listed_rules(&dir);
    let ids: BTreeSet<String> = listed.iter().map(|(id, _)| id.clone()).collect();
    let categories: BTreeSet<String> = ids
        .iter()
        .map(|id| id.split_once('/').unwrap().0.to_owned())
        .collect();

    let mut files = testkit::rust_files(&workspace_root().join("crates/gotrust/src"));
    files.extend(testkit::rust_files(
        &workspace_root().join("crates/gotrust-cli/src"),
    ));
    let catalog = workspace_root().join("crates/gotrust/src/report/catalog.rs");
    let mut unknown = Vec::new();
    let mut all_source = String::new();
    for file in &files {
        let source = non_test_source(file);
        if file.ends_with("report/catalog.rs") {
            continue;
        }
        for id in rule_id_literals(&source, &categories) {
            if !ids.contains(&id) {
                unknown.push(format!("{}: {id}", file.display()));
            }
        }
        all_source.push_str(&source);
    }
    assert!(
        unknown.is_empty(),
        "rule IDs not in the catalog: {unknown:#?}"
    );

    // Each catalog static is referenced by name outside the catalog.
    let catalog_text = std::fs::read_to_string(&catalog).unwrap();
    let statics: Vec<&str> = catalog_text
        .lines()
        .filter_map(|l| {
            let l = l.trim_start();
            let (name, rest) = l.split_once(" = \"")?;
            (name
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
                && rest.contains('/'))
            .then_some(name)
        })
        .collect();
    assert_eq!(statics.len(), ids.len(), "catalog statics vs listed rules");
    let unused: Vec<&&str> = statics
        .iter()
        .filter(|name| {
            !all_source
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .any(|word| word == **name)
        })
        .collect();
    assert!(unused.is_empty(), "catalog rules no code emits: {unused:?}");
}

/// `gotrust rules ID` explains one rule; an unknown ID is an error that suggests close ones.
#[test]
fn rules_explains_one_and_refuses_unknown() {
    let dir = TestDir::new();
    let out = dir.cmd(&["rules", "verify/sum-mismatch"]).run().code(0);
    assert!(
        out.stdout.starts_with("verify/sum-mismatch: "),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("reported by:      gotrust verify sums"));
    assert!(out.stdout.contains("[[ignore]]"));
    let out = dir.cmd(&["rules", "sum-mismatch"]).run().code(2);
    assert!(
        out.stderr.contains("did you mean ") && out.stderr.contains("verify/sum-mismatch"),
        "{}",
        out.stderr
    );
    dir.cmd(&["rules", "--format", "sarif"]).run().code(2);
}

/// The complete gotrust.toml of the README is accepted by the policy parser, and re-grades a
/// `verify/*` and a `probe/*` rule.
#[test]
fn readme_policy_example_is_valid() {
    let readme = std::fs::read_to_string(workspace_root().join("README.md")).unwrap();
    let start = readme
        .find("```toml\n# The only version this gotrust reads.")
        .expect("the README has the complete gotrust.toml example");
    let body = &readme[start + "```toml\n".len()..];
    let example = &body[..body.find("```").unwrap()];
    let policy = gotrust::policy::Policy::parse(example, Path::new("README.md"))
        .unwrap_or_else(|e| panic!("{e}"));
    let find = |id| gotrust::report::catalog::find(id).unwrap();
    assert_eq!(
        policy.severity_override(find("verify/leftover")),
        Some(gotrust::report::Severity::Info)
    );
    assert_eq!(
        policy.severity_override(find("probe/zip-redirect-host")),
        Some(gotrust::report::Severity::Info)
    );
    assert_eq!(policy.ignores.len(), 3);
}
