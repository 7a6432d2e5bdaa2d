//! `gotrust audit` end to end with the real engine: a stock `$GOROOT/go.env`, a user go env
//! file, a project, policies, `--go`, exit codes and locations in SARIF.

use serde_json::Value;

use crate::harness::{TestCommand, TestDir};

const STOCK_GO_ENV: &str =
    "GOPROXY=https://proxy.golang.org,direct\nGOSUMDB=sum.golang.org\nGOTOOLCHAIN=auto\n";

const GO_MOD: &str = "module example.com/app\n\ngo 1.22\n\nrequire github.com/pkg/errors v0.9.1\n";
const GO_SUM: &str = "github.com/pkg/errors v0.9.1 h1:FEBLx1zS214owpjy7qsBeixbURkuhQAwrK5UwLGTwt4=\ngithub.com/pkg/errors v0.9.1/go.mod h1:bwawxfHBFNV+L2hUp1rHADufV3IMtnDRdf1r5NINEl0=\n";

/// A directory with `goroot/go.env` (stock) and `env` (the user go env file, from `user`).
fn setup(user: &str) -> TestDir {
    let dir = TestDir::new();
    dir.write("goroot/go.env", STOCK_GO_ENV);
    dir.write("env", user);
    dir
}

fn audit(dir: &TestDir, args: &[&str]) -> TestCommand {
    let mut all = vec!["audit"];
    if !args.contains(&"--go") {
        all.extend(["--go", "never"]);
    }
    all.extend_from_slice(args);
    let root = dir.write(".keep", "");
    let root = root.parent().unwrap();
    dir.cmd(&all)
        .env("GOROOT", &root.join("goroot").display().to_string())
        .env("GOENV", &root.join("env").display().to_string())
        .env("GIT_CONFIG_NOSYSTEM", "1")
}

fn ids(stdout: &str) -> Vec<String> {
    let v: Value = serde_json::from_str(stdout).expect("JSON");
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn stock_configuration_is_low_only() {
    let dir = setup("");
    let out = audit(&dir, &["--format", "json"]).run().code(0);
    assert_eq!(ids(&out.stdout), ["proxy/direct-fallback"]);
    audit(&dir, &["--fail-on", "low"]).run().code(1);
    audit(&dir, &["--fail-on", "medium"]).run().code(0);
}

#[test]
fn user_file_findings_have_file_and_line() {
    let dir = setup("# set by setup.sh\nGOFLAGS=-mod=mod\nGOSUMDB=off\n");
    let out = audit(&dir, &["--format", "sarif"]).run().code(1);
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    testkit::sarif::assert_valid(&v);
    let results = v["runs"][0]["results"].as_array().unwrap();
    let r = results
        .iter()
        .find(|r| r["ruleId"] == "sumdb/disabled")
        .expect("sumdb/disabled");
    let loc = &r["locations"][0]["physicalLocation"];
    assert!(
        loc["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .ends_with("/env")
    );
    assert_eq!(loc["region"]["startLine"], 3);
    let text = audit(&dir, &["--color", "never"]).run().code(1).stdout;
    assert!(
        text.contains("fix:      Run `go env -u GOSUMDB` (removes "),
        "{text}"
    );
}

#[test]
fn fail_on_thresholds() {
    // medium only: pattern/invalid.
    let dir = setup("GOPRIVATE=git.corp.example.com,[x\n");
    let out = audit(&dir, &["--format", "json"]).run().code(0);
    assert!(ids(&out.stdout).contains(&"pattern/invalid".to_string()));
    audit(&dir, &["--fail-on", "medium"]).run().code(1);
    audit(&dir, &["--fail-on", "high"]).run().code(0);
    audit(&dir, &["--fail-on", "never"]).run().code(0);
}

#[test]
fn project_rules_and_default_project() {
    let dir = setup("");
    dir.write("go.mod", GO_MOD);
    // No go.sum: medium.
    let out = audit(&dir, &["--format", "json"]).run().code(0);
    assert!(ids(&out.stdout).contains(&"project/go-sum-missing".to_string()));
    // Conflicting go.sum: high, with the go.sum line in SARIF.
    dir.write(
        "go.sum",
        &format!(
            "{GO_SUM}github.com/pkg/errors v0.9.1 h1:AAAAx1zS214owpjy7qsBeixbURkuhQAwrK5UwLGTwt4=\n"
        ),
    );
    let out = audit(&dir, &["--format", "sarif"]).run().code(1);
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    testkit::sarif::assert_valid(&v);
    let r = v["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "project/go-sum-conflict")
        .expect("conflict")
        .clone();
    let loc = &r["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "go.sum");
    assert_eq!(loc["region"]["startLine"], 1);
    // --project elsewhere; a directory without go.mod has no project findings.
    dir.write("sub/README", "x");
    let out = audit(&dir, &["--project", "sub", "--format", "json"])
        .run()
        .code(0);
    assert!(!ids(&out.stdout).iter().any(|i| i.starts_with("project/")));
    // Malformed go.sum: a finding with go's text, not a crash.
    dir.write("go.sum", "github.com/pkg/errors v0.9.1\n");
    let out = audit(&dir, &["--format", "json"]).run().code(0);
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "project/malformed")
        .expect("malformed")
        .clone();
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("go.sum:1: wrong number of fields 2"),
        "{f}"
    );
}

#[test]
fn policy_ignore_override_and_errors() {
    let dir = setup("GOSUMDB=off\n");
    dir.write(
        "gotrust.toml",
        "version = 1\n\n[rules]\n\"proxy/direct-fallback\" = { severity = \"medium\" }\n\n[[ignore]]\nrule = \"sumdb/disabled\"\nreason = \"air-gapped\"\n\n[[ignore]]\nrule = \"proxy/unverified-third-party\"\nreason = \"air-gapped\"\n",
    );
    let out = audit(&dir, &["--format", "json", "--fail-on", "medium"])
        .run()
        .code(1);
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    let suppressed: Vec<&str> = v["suppressed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        suppressed,
        ["proxy/unverified-third-party", "sumdb/disabled"]
    );
    assert_eq!(v["suppressed"][1]["reason"], "air-gapped");
    assert_eq!(v["findings"][0]["id"], "proxy/direct-fallback");
    assert_eq!(v["findings"][0]["severity"], "medium");
    audit(&dir, &[]).run().code(0);
    // A bad policy: exit 2 with file:line:column.
    dir.write("gotrust.toml", "version = 1\n[proxy]\ntrusted = 3\n");
    let out = audit(&dir, &[]).run().code(2);
    assert!(
        out.stderr.starts_with("gotrust: error: gotrust.toml:3:"),
        "{}",
        out.stderr
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn go_modes() {
    let dir = setup("");
    // A go binary that cannot be run: exit 2 naming it.
    let out = audit(&dir, &["--go", "/nonexistent/go"]).run().code(2);
    assert!(out.stderr.contains("/nonexistent/go"), "{}", out.stderr);
    // auto without go on PATH: the audit runs without the cross-check.
    let root = dir.write(".keep", "");
    dir.cmd(&["audit", "--go", "auto"])
        .env(
            "GOROOT",
            &root.parent().unwrap().join("goroot").display().to_string(),
        )
        .env("GOENV", "off")
        .run()
        .code(0);
}

/// A fake `go` that prints a different GOPROXY: `--go PATH` reports the disagreement.
#[cfg(unix)]
#[test]
fn go_disagreement_is_a_finding() {
    use std::os::unix::fs::PermissionsExt;
    let dir = setup("");
    let fake = dir.write(
        "fakego",
        "#!/bin/sh\nprintf '{\"GOPROXY\": \"https://elsewhere.example\", \"GOSUMDB\": \"sum.golang.org\"}\\n'\n",
    );
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = audit(&dir, &["--go", fake.to_str().unwrap(), "--format", "json"])
        .run()
        .code(0);
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "env/go-disagrees")
        .expect("env/go-disagrees")
        .clone();
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("https://elsewhere.example")
    );
}
