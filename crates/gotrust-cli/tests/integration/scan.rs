//! `gotrust scan` over a small repository with risky settings and near-misses.

use crate::harness::TestDir;

#[test]
fn findings_point_at_file_and_line_in_sarif() {
    let dir = TestDir::new();
    dir.write(
        "Dockerfile",
        "FROM golang:1.26\n# ENV GOSUMDB=off is only a comment\nENV GOFLAGS=-mod=mod\nENV GOSUMDB=off\n",
    );
    dir.write(
        ".github/workflows/ci.yml",
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    env:\n      GOINSECURE: '*'\n    steps:\n      - run: go build ./...\n",
    );
    dir.write("scripts/ok.sh", "export GOPROXY=https://proxy.golang.org\n");
    let out = dir.cmd(&["--format", "sarif", "scan", "."]).run().code(1);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let results = v["runs"][0]["results"].as_array().unwrap();
    let at = |rule: &str| -> (String, u64) {
        let r = results
            .iter()
            .find(|r| r["ruleId"] == rule)
            .unwrap_or_else(|| panic!("no {rule} in {results:#?}"));
        let loc = &r["locations"][0]["physicalLocation"];
        (
            loc["artifactLocation"]["uri"].as_str().unwrap().to_string(),
            loc["region"]["startLine"].as_u64().unwrap(),
        )
    };
    assert_eq!(at("sumdb/disabled"), ("Dockerfile".to_string(), 4));
    let (uri, line) = at("insecure/match-all");
    assert!(uri.ends_with("ci.yml"), "{uri}");
    assert_eq!(line, 6);
    assert!(
        results.iter().all(
            |r| !r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap_or("")
                .contains("ok.sh")
        ),
        "the near-miss script must stay silent"
    );
}

#[test]
fn clean_repository_exits_zero() {
    let dir = TestDir::new();
    dir.write(
        "Makefile",
        "export GOFLAGS := -mod=mod\nbuild:\n\tgo build ./...\n",
    );
    dir.cmd(&["scan", "."]).run().code(0);
}

#[test]
fn malformed_yaml_is_a_warning_not_a_failure() {
    let dir = TestDir::new();
    dir.write(".gitlab-ci.yml", "variables:\n  GOPROXY: [unclosed\n");
    let out = dir.cmd(&["scan", "."]).run().code(0);
    assert!(out.stderr.contains(".gitlab-ci.yml"), "{}", out.stderr);
}
