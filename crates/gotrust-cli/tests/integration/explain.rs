//! `gotrust explain`: routes in text, JSON and Mermaid, from arguments or a project.

use crate::util::TestDir;

/// One configuration exercising every kind of hop: a `,` proxy, a plain-HTTP `|` proxy,
/// direct, GOPRIVATE, GOINSECURE, an HTTPS proxy with credentials (never printed).
fn configured(dir: &TestDir, args: &[&str]) -> crate::util::TestCommand {
    dir.cmd(args)
        .env(
            "GOPROXY",
            "https://proxy.example/base/,http://plain.example|direct",
        )
        .env("GOSUMDB", "sum.golang.org")
        .env("GOPRIVATE", "*.corp.example")
        .env("GOINSECURE", "git.corp.example")
        .env("HTTPS_PROXY", "http://user:hunter2@egress.example:3128")
}

const MODULES: [&str; 3] = [
    "github.com/Azure/azure-sdk@v1.0.0-RC1",
    "git.corp.example/team/lib",
    "golang.org/toolchain",
];

fn with_modules<'a>(head: &[&'a str]) -> Vec<&'a str> {
    let mut v = head.to_vec();
    v.extend(MODULES);
    v
}

#[test]
fn text() {
    let dir = TestDir::new();
    let out = configured(&dir, &with_modules(&["--go", "never", "explain"]))
        .run()
        .code(0);
    assert!(!out.stdout.contains("hunter2"));
    insta::assert_snapshot!(out.stdout);
}

#[test]
fn json() {
    let dir = TestDir::new();
    let out = configured(
        &dir,
        &with_modules(&["--go", "never", "--format", "json", "explain"]),
    )
    .run()
    .code(0);
    assert!(!out.stdout.contains("hunter2"));
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let routes = v["routes"].as_array().unwrap();
    // Argument order.
    let names: Vec<&str> = routes
        .iter()
        .map(|r| r["module"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "github.com/Azure/azure-sdk",
            "git.corp.example/team/lib",
            "golang.org/toolchain"
        ]
    );
    assert_eq!(routes[0]["hops"][0]["fallback"], "not-found");
    assert_eq!(routes[0]["hops"][1]["fallback"], "any-error");
    assert_eq!(routes[0]["hops"][2]["kind"], "direct");
    assert_eq!(routes[1]["verdict"], "no-tls-no-checksum");
    assert_eq!(routes[2]["checksum"]["reason"], "toolchain-required");
    insta::assert_snapshot!(out.stdout);
}

#[test]
fn mermaid() {
    let dir = TestDir::new();
    let out = configured(
        &dir,
        &with_modules(&["--go", "never", "--format", "mermaid", "explain"]),
    )
    .run()
    .code(0);
    assert_eq!(out.stdout.matches("```mermaid\nflowchart LR\n").count(), 3);
    insta::assert_snapshot!(out.stdout);
}

#[test]
fn project_uses_go_mod_and_go_sum() {
    let dir = TestDir::new();
    dir.write(
        "p/go.mod",
        "module example.com/app\n\ngo 1.22\n\nrequire (\n\texample.com/a v1.0.0\n\texample.com/b v1.2.0 // indirect\n\texample.com/c v0.1.0\n\texample.com/d v0.2.0\n)\n\nreplace example.com/c => example.com/c2 v0.3.0\n\nreplace example.com/d => ./local/d\n",
    );
    dir.write(
        "p/go.sum",
        "example.com/a v1.0.0 h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
    );
    let out = dir
        .cmd(&[
            "--go",
            "never",
            "--format",
            "json",
            "explain",
            "--project",
            "p",
        ])
        .env("GOPROXY", "https://proxy.example")
        .env("GOSUMDB", "off")
        .run()
        .code(0);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let got: Vec<(String, String, String)> = v["routes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["module"].as_str().unwrap().to_string(),
                r["version"].as_str().unwrap().to_string(),
                r["verdict"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want = [
        ("example.com/a", "v1.0.0", "go.sum-only"),
        ("example.com/b", "v1.2.0", "trust-on-first-use"),
        ("example.com/c2", "v0.3.0", "trust-on-first-use"),
    ];
    let want: Vec<(String, String, String)> = want
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect();
    assert_eq!(got, want);
    assert_eq!(
        v["routes"][0]["hops"][0]["requests"][0],
        "https://proxy.example/example.com/a/@v/v1.0.0.info"
    );
}

#[test]
fn configuration_errors_are_reported_in_the_route() {
    let dir = TestDir::new();
    let out = dir
        .cmd(&["--go", "never", "explain", "example.com/m"])
        .env("GOPROXY", "noproxy")
        .env("GOSUMDB", "sum.golang.org+insecure")
        .run()
        .code(0);
    insta::assert_snapshot!(out.stdout, @r"
    example.com/m  [config-error]
      error: GOPROXY: invalid proxy URL missing scheme: noproxy (process environment)
      error: GOSUMDB: invalid GOSUMDB: malformed verifier id (process environment)
      checksum database: yes (GOSUMDB is invalid)
         fails: invalid GOSUMDB: malformed verifier id
    ");
}

#[test]
fn bad_arguments_exit_2() {
    let dir = TestDir::new();
    let out = dir
        .cmd(&["--go", "never", "explain", "Example..com/x"])
        .run()
        .code(2);
    assert!(
        out.stderr
            .contains("invalid module path \"Example..com/x\""),
        "{}",
        out.stderr
    );
    let out = dir
        .cmd(&["--go", "never", "explain", "--project", "nowhere"])
        .run()
        .code(2);
    assert!(out.stderr.contains("no go.mod"), "{}", out.stderr);
    dir.cmd(&["--go", "never", "explain"]).run().code(2);
    dir.cmd(&[
        "--go",
        "never",
        "--format",
        "sarif",
        "explain",
        "a.example/m",
    ])
    .run()
    .code(2);
}
