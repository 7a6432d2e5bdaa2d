//! Error texts: each names the input and what is wrong, once.

use crate::harness::TestDir;

#[test]
fn a_cause_is_printed_once() {
    let t = TestDir::new();
    let out = t.cmd(&["--go", "/nonexistent/go", "env"]).run().code(2);
    let cause = "No such file or directory";
    assert_eq!(out.stderr.matches(cause).count(), 1, "{}", out.stderr);
}

#[test]
fn a_file_where_a_directory_is_expected_is_named_as_such() {
    let t = TestDir::new();
    let file = t.write("go.mod", "module example.com/m\n");
    let file = file.to_str().expect("utf-8");
    let out = t.cmd(&["scan", file]).run().code(2);
    assert!(out.stderr.contains("not a directory"), "{}", out.stderr);
    assert!(!out.stderr.contains("gotrust.toml"), "{}", out.stderr);
    let out = t
        .cmd(&["--go", "never", "audit", "--project", file])
        .run()
        .code(2);
    assert!(out.stderr.contains("not a directory"), "{}", out.stderr);
    assert!(!out.stderr.contains("does not exist"), "{}", out.stderr);
}

#[test]
fn an_unusable_proxy_flag_is_refused_once() {
    let t = TestDir::new();
    t.write(
        "go.sum",
        "rsc.io/quote v1.5.2 h1:w5fcysjrx7yqtD/aO+QwRjYZOKnaM9Uh2b40tElTs3Y=\nrsc.io/sampler v1.3.0 h1:7uVkIFmeBqHfdjD+gZwtXXI+RODJ2Wc4O7MPEh/QiW4=\n",
    );
    let out = t
        .cmd(&[
            "--go",
            "never",
            "verify",
            "proxy",
            "--proxy",
            "ht!tp://x",
            "go.sum",
        ])
        .env("GOSUMDB", "off")
        .run()
        .code(2);
    assert!(out.stderr.contains("--proxy ht!tp://x"), "{}", out.stderr);
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
}

/// An empty go.mod is refused by go ("missing module declaration"); audit says so.
#[test]
fn empty_go_mod_is_a_finding() {
    let dir = TestDir::new();
    dir.write("go.mod", "");
    let out = dir
        .cmd(&["audit", "--format", "json", "--fail-on", "medium"])
        .env("GOPROXY", "https://proxy.golang.org")
        .run()
        .code(1);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let finding = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "project/malformed")
        .unwrap_or_else(|| panic!("no project/malformed: {}", out.stdout));
    assert!(
        finding["message"]
            .as_str()
            .unwrap()
            .contains("missing module declaration"),
        "{finding}"
    );
}
