//! `gotrust explain`: routes in text, JSON and Mermaid, from arguments or a project.

use crate::harness::TestDir;

/// One configuration exercising every kind of hop: a `,` proxy, a plain-HTTP `|` proxy,
/// direct, GOPRIVATE, GOINSECURE, an HTTPS proxy with credentials (never printed).
fn configured(dir: &TestDir, args: &[&str]) -> crate::harness::TestCommand {
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

/// An explicit GONOSUMDB replaces GOPRIVATE's contribution: the private path is fetched
/// directly and still looked up in the checksum database. explain says so, as audit does.
#[test]
fn private_path_leak_agrees_with_audit() {
    let dir = TestDir::new();
    let env = |c: crate::harness::TestCommand| {
        c.env("GOPRIVATE", "github.com/mycorp/*")
            .env("GONOSUMDB", "github.com/google")
            .env("GOPROXY", "https://proxy.golang.org,direct")
            .env("GOSUMDB", "sum.golang.org")
    };
    for format in ["text", "mermaid", "json"] {
        let out = env(dir.cmd(&[
            "--go",
            "never",
            "--format",
            format,
            "explain",
            "github.com/mycorp/secret",
        ]))
        .run()
        .code(0);
        assert!(!out.stdout.contains("database-verified"), "{}", out.stdout);
        assert!(out.stdout.contains("private-path-leak"), "{}", out.stdout);
    }
    let out = env(dir.cmd(&["--go", "never", "--format", "json", "audit"])).run();
    assert!(
        out.stdout.contains("sumdb/private-path-leak"),
        "{}",
        out.stdout
    );
}

/// GOPROXY=off downloads nothing: no route claims verification, in any format.
#[test]
fn goproxy_off_claims_no_verification() {
    let dir = TestDir::new();
    for format in ["text", "mermaid", "json"] {
        let out = dir
            .cmd(&[
                "--go",
                "never",
                "--format",
                format,
                "explain",
                "golang.org/x/text",
            ])
            .env("GOPROXY", "off")
            .env("GOSUMDB", "sum.golang.org")
            .run()
            .code(0);
        assert!(!out.stdout.contains("database-verified"), "{}", out.stdout);
        assert!(out.stdout.contains("lookup-disabled"), "{}", out.stdout);
    }
}

/// Module queries are resolved as go resolves them (the route oracle compares them with the
/// real go): `@latest` lists the versions first and never asks for `latest.info`.
#[test]
fn module_queries() {
    let dir = TestDir::new();
    let run = |target: &str| {
        dir.cmd(&["--go", "never", "explain", target])
            .env("GOPROXY", "https://proxy.golang.org,direct")
            .env("GOSUMDB", "sum.golang.org")
            .run()
            .code(0)
            .stdout
    };
    let latest = run("golang.org/x/text@latest");
    assert!(
        latest.contains("GET https://proxy.golang.org/golang.org/x/text/@v/list"),
        "{latest}"
    );
    assert!(
        !latest.contains("latest.info") && !latest.contains("latest.zip"),
        "{latest}"
    );
    let branch = run("golang.org/x/text@master");
    assert!(branch.contains("/@v/master.info"), "{branch}");
    let range = run("golang.org/x/text@>=v1.0.0");
    assert!(
        range.contains("/@v/list") && range.contains("lowest"),
        "{range}"
    );
    let prefix = run("golang.org/x/text@v1");
    assert_eq!(prefix.matches("/@v/list").count(), 2, "{prefix}");
    let upgrade = run("golang.org/x/text@upgrade");
    assert!(upgrade.contains("go.mod file not found"), "{upgrade}");
}

/// With a project, versions whose go.sum lines are both present make no database request.
#[test]
fn project_go_sum_lines_skip_the_database() {
    let dir = TestDir::new();
    dir.write(
        "p/go.mod",
        "module example.com/app\n\ngo 1.22\n\nrequire (\n\texample.com/a v1.0.0\n\texample.com/b v1.0.0\n)\n",
    );
    dir.write(
        "p/go.sum",
        "example.com/a v1.0.0 h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\nexample.com/a v1.0.0/go.mod h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\nexample.com/b v1.0.0/go.mod h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
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
        .env("GOSUMDB", "sum.golang.org")
        .run()
        .code(0);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let a = &v["routes"][0];
    assert_eq!(a["module"], "example.com/a");
    assert_eq!(a["checksum"]["covered_by_go_sum"], true);
    assert!(a["checksum"].get("access").is_none(), "{a}");
    let b = &v["routes"][1];
    assert!(
        b["checksum"]["access"]["probes"][0]["url"]
            .as_str()
            .unwrap()
            .ends_with("/supported")
    );
}

/// With `--project`, named queries run inside that project: `@upgrade` and `@patch` start
/// from the version its go.mod requires (list the versions) instead of failing as they do
/// outside a module, and go.sum-only stays the project's.
#[test]
fn queries_with_a_project_start_from_its_required_versions() {
    let dir = TestDir::new();
    dir.write(
        "p/go.mod",
        "module example.com/app\n\ngo 1.22\n\nrequire golang.org/x/text v0.3.0\n",
    );
    let run = |args: &[&str]| {
        let mut full = vec!["--go", "never", "explain"];
        full.extend_from_slice(args);
        dir.cmd(&full)
            .env("GOPROXY", "https://proxy.golang.org,direct")
            .env("GOSUMDB", "sum.golang.org")
            .run()
            .code(0)
            .stdout
    };
    let p = dir.path().join("p");
    let p = p.to_str().unwrap();
    for query in ["golang.org/x/text@upgrade", "golang.org/x/text@patch"] {
        let outside = run(&[query]);
        assert!(outside.contains("go.mod file not found"), "{outside}");
        let inside = run(&["--project", p, query]);
        assert!(!inside.contains("go.mod file not found"), "{inside}");
        assert!(
            inside.contains("GET https://proxy.golang.org/golang.org/x/text/@v/list"),
            "{inside}"
        );
    }
}
