//! `gotrust env`: text and JSON, and the `--go` cross-check.

use std::os::unix::fs::PermissionsExt;

use crate::harness::TestDir;

#[test]
fn text_changed_redacts() {
    let dir = TestDir::new();
    let out = dir
        .cmd(&["--go", "never", "env", "--changed"])
        .env("GOPROXY", "https://u:secret@corp.example")
        .env("GOFLAGS", "-mod=mod")
        .env("GONOSUMDB", "corp.example")
        .run()
        .code(0);
    insta::assert_snapshot!(out.stdout, @r"
    GOFLAGS=-mod=mod  # process environment
    GONOSUMDB=corp.example  # process environment
    GOPROXY=https://xxxxx:xxxxx@corp.example  # process environment
    ");
    assert_eq!(out.stderr, "");
}

#[test]
fn json_contract() {
    let dir = TestDir::new();
    let out = dir
        .cmd(&["--go", "never", "--format", "json", "env"])
        .env("GOPROXY", "off")
        .run()
        .code(0);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let obj = v.as_object().unwrap();
    assert_eq!(v["GOPROXY"]["value"], "off");
    assert_eq!(v["GOPROXY"]["origin"]["kind"], "process");
    assert!(obj.contains_key("GOSUMDB") && obj.contains_key("GOPRIVATE"));
    // Without a cross-check there is no reserved key: every key is a variable.
    assert!(!obj.contains_key("go_env_disagreements"));
    let out = dir
        .cmd(&["--go", "never", "--format", "json", "env", "--changed"])
        .env("GOPROXY", "off")
        .run()
        .code(0);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        v.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["GOPROXY"]
    );
}

/// A stand-in go whose `go env -json` disagrees on GOPROXY.
fn fake_go(dir: &TestDir) -> String {
    let path = dir.write(
        "fakego",
        "#!/bin/sh\necho '{\"GOPROXY\":\"https://t:tok@elsewhere.example\",\"GOSUMDB\":\"sum.golang.org\"}'\n",
    );
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn disagreements_text_on_stderr() {
    let dir = TestDir::new();
    let go = fake_go(&dir);
    let out = dir
        .cmd(&["--go", &go, "env", "--changed"])
        .env("GOPROXY", "off")
        .env("GOSUMDB", "sum.golang.org")
        .run()
        .code(0);
    assert_eq!(
        out.stdout,
        "GOPROXY=off  # process environment\nGOSUMDB=sum.golang.org  # process environment\n"
    );
    assert_eq!(
        out.stderr,
        format!(
            "gotrust: warning: {go} disagrees on GOPROXY: go env says \"https://xxxxx:xxxxx@elsewhere.example\", gotrust computed \"off\"\n"
        )
    );
}

#[test]
fn disagreements_json_field() {
    let dir = TestDir::new();
    let go = fake_go(&dir);
    let out = dir
        .cmd(&["--go", &go, "--format", "json", "env", "--changed"])
        .env("GOPROXY", "off")
        .env("GOSUMDB", "sum.golang.org")
        .run()
        .code(0);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        v["go_env_disagreements"],
        serde_json::json!([{"name": "GOPROXY", "ours": "off", "go": "https://xxxxx:xxxxx@elsewhere.example"}])
    );
    assert!(!out.stdout.contains("tok@"));
}

#[test]
fn real_go_agrees() {
    let go = testkit::go_binary();
    // The harness clears PATH: give gotrust an absolute path.
    let go = if go.is_absolute() {
        go
    } else {
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
            .map(|d| d.join(&go))
            .find(|p| p.is_file())
            .expect("go on PATH")
    };
    let goroot = std::process::Command::new(&go)
        .args(["env", "GOROOT"])
        .output()
        .unwrap();
    let goroot = String::from_utf8(goroot.stdout).unwrap().trim().to_string();
    let dir = TestDir::new();
    let out = dir
        .cmd(&["--go", go.to_str().unwrap(), "--format", "json", "env"])
        .env("GOROOT", &goroot)
        .env("GOTOOLCHAIN", "local")
        .env("GOPRIVATE", "*.corp.example")
        .run()
        .code(0);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        v["go_env_disagreements"],
        serde_json::json!([]),
        "{}",
        out.stdout
    );
    assert_eq!(v["GONOPROXY"]["value"], "*.corp.example");
}

#[test]
fn explicit_go_that_cannot_run_exits_2() {
    let dir = TestDir::new();
    let out = dir.cmd(&["--go", "/nonexistent/go", "env"]).run().code(2);
    assert!(
        out.stderr.contains("cannot run /nonexistent/go"),
        "{}",
        out.stderr
    );
    assert_eq!(out.stdout, "");
}
