//! `gotrust audit` end to end on the placeholder report: formats, `--fail-on`, the policy
//! file and colour.

use serde_json::Value;

use crate::harness::TestDir;

/// With GOSUMDB=off (and GOPROXY=off, so that no proxy finding joins it) the audit reports
/// one critical finding and the info finding `proxy/off`. Without a Go installation the tests'
/// scrubbed environment takes go.env's defaults, which audit judges like any other value.
fn sumdb_off(dir: &TestDir, args: &[&str]) -> crate::harness::Output {
    let mut all = vec!["audit"];
    all.extend_from_slice(args);
    dir.cmd(&all)
        .env("GOSUMDB", "off")
        .env("GOPROXY", "off")
        .run()
}

/// A configuration with no finding at all: the default proxy without the `direct` fallback.
fn clean(dir: &TestDir, args: &[&str]) -> crate::harness::Output {
    let mut all = vec!["audit"];
    all.extend_from_slice(args);
    dir.cmd(&all)
        .env("GOPROXY", "https://proxy.golang.org")
        .run()
}

#[test]
fn clean_environment_exits_0() {
    let dir = TestDir::new();
    for fail_on in ["critical", "high", "medium", "low", "info", "never"] {
        let out = clean(&dir, &["--fail-on", fail_on]).code(0);
        assert!(out.stdout.contains("no findings"), "{}", out.stdout);
        assert!(out.stderr.is_empty());
    }
}

/// A critical finding fails at every threshold but `never`.
#[test]
fn fail_on_threshold() {
    let dir = TestDir::new();
    sumdb_off(&dir, &[]).code(1);
    for fail_on in ["critical", "high", "medium", "low", "info"] {
        sumdb_off(&dir, &["--fail-on", fail_on]).code(1);
    }
    let out = sumdb_off(&dir, &["--fail-on", "never"]).code(0);
    assert!(out.stdout.contains("sumdb/disabled"));
    // Global flags may also come before the subcommand.
    dir.cmd(&["--fail-on", "never", "audit"])
        .env("GOSUMDB", "off")
        .run()
        .code(0);
}

#[test]
fn text_output() {
    let dir = TestDir::new();
    let out = sumdb_off(&dir, &["--color", "never"]).code(1);
    insta::assert_snapshot!(out.stdout);
}

#[test]
fn json_is_well_formed() {
    let dir = TestDir::new();
    let out = sumdb_off(&dir, &["--format", "json"]).code(1);
    let v: Value = serde_json::from_str(&out.stdout).expect("valid JSON");
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["findings"][0]["id"], "sumdb/disabled");
    assert_eq!(v["findings"][0]["severity"], "critical");
    assert_eq!(
        v["findings"][0]["evidence"][0]["origin"],
        "process environment"
    );
    assert_eq!(v["summary"]["total"], 2);
    assert_eq!(v["findings"][1]["id"], "proxy/off");
    // JSON is never coloured, even when asked.
    let out = sumdb_off(&dir, &["--format", "json", "--color", "always"]).code(1);
    assert!(!out.stdout.contains('\x1b'));
    let empty: Value =
        serde_json::from_str(&clean(&dir, &["--format", "json"]).code(0).stdout).unwrap();
    assert_eq!(empty["findings"], Value::Array(vec![]));
}

#[test]
fn sarif_is_well_formed() {
    let dir = TestDir::new();
    let out = sumdb_off(&dir, &["--format", "sarif"]).code(1);
    let v: Value = serde_json::from_str(&out.stdout).expect("valid JSON");
    testkit::sarif::assert_valid(&v);
    assert_eq!(v["version"], "2.1.0");
    let driver = &v["runs"][0]["tool"]["driver"];
    assert_eq!(driver["name"], "gotrust");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    let result = &v["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "sumdb/disabled");
    assert_eq!(result["level"], "error");
    assert_eq!(
        driver["rules"][result["ruleIndex"].as_u64().unwrap() as usize]["id"],
        "sumdb/disabled"
    );
}

#[test]
fn colour() {
    let dir = TestDir::new();
    assert!(
        sumdb_off(&dir, &["--color", "always"])
            .stdout
            .contains("\x1b[")
    );
    assert!(
        !sumdb_off(&dir, &["--color", "never"])
            .stdout
            .contains('\x1b')
    );
    // auto: stdout is a pipe here, so no colour.
    assert!(!sumdb_off(&dir, &[]).stdout.contains('\x1b'));
    // --color always wins over NO_COLOR; auto with CLICOLOR_FORCE colours, unless NO_COLOR.
    let forced = dir
        .cmd(&["audit"])
        .env("GOSUMDB", "off")
        .env("CLICOLOR_FORCE", "1")
        .run();
    assert!(forced.stdout.contains("\x1b["));
    let no_colour = dir
        .cmd(&["audit", "--color", "auto"])
        .env("GOSUMDB", "off")
        .env("TERM", "xterm")
        .env("NO_COLOR", "1")
        .run();
    assert!(!no_colour.stdout.contains('\x1b'));
}

/// The policy in the project directory lowers the severity below the threshold.
#[test]
fn policy_severity_override() {
    let dir = TestDir::new();
    dir.write(
        "gotrust.toml",
        "version = 1\n[rules]\n\"sumdb/disabled\" = { severity = \"low\" }\n",
    );
    let out = sumdb_off(&dir, &[]).code(0);
    assert!(out.stdout.contains("low (1)"), "{}", out.stdout);
    sumdb_off(&dir, &["--fail-on", "low"]).code(1);
}

/// An ignored finding does not fail the run and is shown as suppressed with its reason.
#[test]
fn policy_ignore() {
    let dir = TestDir::new();
    let policy = dir.write(
        "policies/ci.toml",
        "version = 1\n[[ignore]]\nrule = \"sumdb/disabled\"\nreason = \"air-gapped build, vendored modules\"\n",
    );
    let out = sumdb_off(
        &dir,
        &[
            "--policy",
            policy.to_str().unwrap(),
            "--fail-on",
            "low",
            "--format",
            "json",
        ],
    )
    .code(0);
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["findings"].as_array().unwrap().len(), 1);
    assert_eq!(v["findings"][0]["id"], "proxy/off");
    assert_eq!(v["suppressed"][0]["id"], "sumdb/disabled");
    assert_eq!(
        v["suppressed"][0]["reason"],
        "air-gapped build, vendored modules"
    );
    // --project finds the policy in another directory.
    dir.write(
        "proj/gotrust.toml",
        "version = 1\n[[ignore]]\nrule = \"sumdb/disabled\"\nreason = \"r\"\n",
    );
    sumdb_off(&dir, &["--project", "proj"]).code(0);
    sumdb_off(&dir, &[]).code(1);
}

/// A broken policy stops the run with exit 2 and names the file, line and column.
#[test]
fn policy_errors_exit_2() {
    let dir = TestDir::new();
    dir.write(
        "gotrust.toml",
        "version = 1\n\n[[ignore]]\nrule = \"sumdb/disabled\"\n",
    );
    let out = dir.cmd(&["audit"]).run().code(2);
    assert!(out.stdout.is_empty());
    insta::assert_snapshot!(out.stderr, @r#"
    gotrust: error: gotrust.toml:3:1: [[ignore]] entry for `sumdb/disabled` needs a non-empty `reason`
      |
    3 | [[ignore]]
      | ^
    "#);
    dir.write(
        "bad.toml",
        "version = 1\n[rules]\n\"sumdb/nope\" = { severity = \"low\" }\n",
    );
    let out = dir.cmd(&["audit", "--policy", "bad.toml"]).run().code(2);
    insta::assert_snapshot!(out.stderr, @r#"
    gotrust: error: bad.toml:3:1: unknown rule ID `sumdb/nope`: not in the rule catalog
      |
    3 | "sumdb/nope" = { severity = "low" }
      | ^
    "#);
}
