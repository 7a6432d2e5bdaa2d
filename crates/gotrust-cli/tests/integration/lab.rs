//! `gotrust lab serve` and `gotrust lab run` with the real go command, on loopback only.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use serde_json::Value;

use crate::harness::TestDir;

/// Starts `gotrust lab serve ARGS` and returns it with its stdout reader.
fn serve(dir: &TestDir, args: &[&str]) -> (Child, BufReader<std::process::ChildStdout>) {
    let mut full = vec!["lab", "serve"];
    full.extend_from_slice(args);
    let mut cmd = dir.cmd(&full).into_inner();
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("start gotrust lab serve");
    let out = BufReader::new(child.stdout.take().unwrap());
    (child, out)
}

/// Runs the real go in a fresh main module under `root` with the lab's `env`.
fn go(root: &Path, env: &[(String, String)], args: &[&str]) -> std::process::Output {
    let work = root.join("work");
    std::fs::create_dir_all(&work).unwrap();
    std::fs::write(work.join("go.mod"), "module example.com/t\n\ngo 1.21\n").unwrap();
    testkit::go::go_command(root, &work, env.iter().map(|(k, v)| (k, v)), args)
        .output()
        .unwrap()
}

/// Sends `signal` (TERM, INT) to the child and returns its exit code and stderr.
fn stop(mut child: Child, signal: &str) -> (i32, String) {
    let st = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(st.success());
    let status = child.wait().unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    (status.code().expect("exited, not killed"), err)
}

#[test]
fn serve_json_then_go_downloads_and_sigterm_stops() {
    let dir = TestDir::new();
    let state = tempfile::tempdir().unwrap();
    let (child, mut out) = serve(
        &dir,
        &[
            "--format",
            "json",
            "--state",
            state.path().to_str().unwrap(),
        ],
    );
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    let v: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"));
    let proxy = v["proxy_url"].as_str().unwrap();
    assert!(proxy.starts_with("http://127.0.0.1:"), "{v}");
    assert_eq!(v["env"]["GOPROXY"], proxy);
    let sumdb = v["env"]["GOSUMDB"].as_str().unwrap();
    assert_eq!(
        sumdb,
        format!(
            "{} {proxy}/sumdb/sum.gotrust.localhost",
            v["verifier_key"].as_str().unwrap()
        )
    );
    assert_eq!(v["env"]["GONOSUMDB"], "");
    assert_eq!(v["env"]["GOPRIVATE"], "");
    assert!(v["ca_file"].is_null());
    // The built-in modules.
    let modules: Vec<&str> = v["modules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    assert!(
        modules.contains(&"example.com/simple@v1.0.0"),
        "{modules:?}"
    );

    let env: Vec<(String, String)> = v["env"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
        .collect();
    let root = tempfile::tempdir().unwrap();
    let run = testkit::go::run_go(
        root.path(),
        &testkit::go::main_module(root.path()),
        env,
        &["mod", "download", "-json", "example.com/simple@v1.0.0"],
    );
    assert!(run.ok, "{}", run.stderr);
    let dl: Value = serde_json::from_str(&run.stdout).unwrap();
    assert!(dl.get("Error").is_none(), "{dl}");

    let (code, err) = stop(child, "TERM");
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("SIGTERM: stopped after"), "{err}");
    let log = std::fs::read_to_string(v["request_log"].as_str().unwrap()).unwrap();
    assert!(
        log.contains("/example.com/simple/@v/v1.0.0.zip")
            && log.contains("/lookup/example.com/simple@v1.0.0"),
        "{log}"
    );
    assert!(Path::new(v["state_dir"].as_str().unwrap()).starts_with(state.path()));
}

#[test]
fn serve_text_prints_shell_exports_with_tls_and_faults() {
    let dir = TestDir::new();
    let state = tempfile::tempdir().unwrap();
    let (child, out) = serve(
        &dir,
        &[
            "--tls",
            "--fault",
            "tamper-zip@example.com/simple@v1.0.0",
            "--state",
            state.path().to_str().unwrap(),
        ],
    );
    let mut text = String::new();
    for line in out.lines() {
        let line = line.unwrap();
        let last = line.starts_with("# Stop with");
        text += &line;
        text += "\n";
        if last {
            break;
        }
    }
    assert!(
        text.contains("# fault: tamper-zip@example.com/simple@v1.0.0\n"),
        "{text}"
    );
    assert!(text.contains("export GOPROXY=https://127.0.0.1:"), "{text}");
    assert!(
        text.contains("export GOSUMDB='sum.gotrust.localhost+"),
        "{text}"
    );
    assert!(text.contains("export GONOSUMDB=\n"), "{text}");
    assert!(text.contains("export GOPRIVATE=\n"), "{text}");
    assert!(text.contains("export SSL_CERT_FILE="), "{text}");
    assert!(text.contains("GOMODCACHE"), "{text}");
    let (code, err) = stop(child, "INT");
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("SIGINT"), "{err}");
}

/// Reads `lab serve --format json`'s first line and the environment it prints.
fn serve_env(out: &mut BufReader<std::process::ChildStdout>) -> (Value, Vec<(String, String)>) {
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    let v: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"));
    let env = v["env"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
        .collect();
    (v, env)
}

#[test]
fn serve_forward_proxy_prints_the_proxy_settings_and_go_fetches_through_it() {
    let dir = TestDir::new();
    // Without interception: go reaches the lab as https://proxy.lab.test through the proxy.
    let (child, mut out) = serve(&dir, &["--format", "json", "--forward-proxy"]);
    let (v, env) = serve_env(&mut out);
    let fwd = v["forward_proxy"]["url"].as_str().unwrap();
    assert!(fwd.starts_with("http://127.0.0.1:"), "{v}");
    assert_eq!(v["forward_proxy"]["intercept"], false);
    assert_eq!(v["env"]["HTTPS_PROXY"], fwd);
    assert_eq!(v["env"]["HTTP_PROXY"], fwd);
    assert_eq!(v["env"]["NO_PROXY"], "");
    assert_eq!(v["env"]["GOPROXY"], "https://proxy.lab.test");
    assert_eq!(v["env"]["SSL_CERT_FILE"], v["forward_proxy"]["ca_file"]);
    // Without --state the database name is unique to the new key: `<8 hex>.sum.gotrust.localhost`.
    let name = v["sumdb_name"].as_str().unwrap();
    assert!(name.ends_with(".sum.gotrust.localhost"), "{v}");
    assert!(
        v["env"]["GOSUMDB"]
            .as_str()
            .unwrap()
            .ends_with(&format!(" https://proxy.lab.test/sumdb/{name}")),
        "{v}"
    );
    let root = tempfile::tempdir().unwrap();
    let run = go(
        root.path(),
        &env,
        &["mod", "download", "-json", "example.com/simple@v1.0.0"],
    );
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let (code, err) = stop(child, "TERM");
    assert_eq!(code, 0, "{err}");
    let log = std::fs::read_to_string(v["request_log"].as_str().unwrap()).unwrap();
    assert!(log.contains("/example.com/simple/@v/v1.0.0.zip"), "{log}");

    // Intercepting, in text: go keeps its default proxy and the network answers for it; the
    // printed exports are what a shell evaluates.
    let (child, out) = serve(&dir, &["--forward-proxy", "127.0.0.1:0", "--intercept"]);
    let mut text = String::new();
    for line in out.lines() {
        let line = line.unwrap();
        let last = line.starts_with("# Stop with");
        text += &line;
        text += "\n";
        if last {
            break;
        }
    }
    assert!(
        text.contains("intercepting, every host answered by the lab"),
        "{text}"
    );
    assert!(text.contains("gotrust lab interception CA"), "{text}");
    assert!(
        text.contains("export GOPROXY=https://proxy.golang.org\n"),
        "{text}"
    );
    let env: Vec<(String, String)> = text
        .lines()
        .filter_map(|l| l.strip_prefix("export "))
        .map(|l| {
            let (k, v) = l.split_once('=').unwrap();
            (k.to_owned(), v.trim_matches('\'').to_owned())
        })
        .collect();
    for k in ["HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "SSL_CERT_FILE"] {
        assert!(env.iter().any(|(n, _)| n == k), "{k} missing: {text}");
    }
    let root = tempfile::tempdir().unwrap();
    let run = go(
        root.path(),
        &env,
        &["mod", "download", "example.com/simple@v1.0.0"],
    );
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    // Without the CA, the interception is what go sees.
    let untrusted: Vec<(String, String)> = env
        .iter()
        .filter(|(k, _)| k != "SSL_CERT_FILE")
        .cloned()
        .collect();
    let root = tempfile::tempdir().unwrap();
    let run = go(
        root.path(),
        &untrusted,
        &["mod", "download", "example.com/simple@v1.0.0"],
    );
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(
        !run.status.success()
            && err.contains("https://proxy.golang.org/")
            && err.contains("x509: certificate signed by unknown authority"),
        "{err}"
    );
    let (code, err) = stop(child, "INT");
    assert_eq!(code, 0, "{err}");
}

#[test]
fn intercept_without_forward_proxy_exits_2() {
    let dir = TestDir::new();
    let out = dir.cmd(&["lab", "serve", "--intercept"]).run().code(2);
    assert!(out.stderr.contains("--forward-proxy"), "{}", out.stderr);
}

#[test]
fn bad_fault_exits_2_naming_it() {
    let dir = TestDir::new();
    for (spec, words) in [
        ("explode@example.com/m", "unknown fault kind `explode`"),
        ("status=abc", "bad value `abc` for fault `status`"),
        ("reset:nowhere", "unknown endpoint `nowhere`"),
    ] {
        let out = dir.cmd(&["lab", "serve", "--fault", spec]).run().code(2);
        assert!(out.stderr.contains(spec), "{}", out.stderr);
        assert!(out.stderr.contains(words), "{}", out.stderr);
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn run_every_scenario_passes_with_real_go() {
    let dir = TestDir::new();
    let out = dir
        .cmd(&[
            "lab",
            "run",
            "--format",
            "json",
            "--go",
            testkit::go_binary().to_str().unwrap(),
        ])
        .env("PATH", &std::env::var("PATH").unwrap_or_default())
        .run();
    let scenarios: Vec<Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let names: Vec<&str> = scenarios
        .iter()
        .map(|s| s["scenario"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "sumdb-off",
            "gonosumdb",
            "sumdb-catches-tamper",
            "tampered-go-mod",
            "polluted-version",
            "polluted-version-sumdb",
            "goinsecure-proxy-tls",
            "goinsecure-sumdb",
            "fallback-comma-500",
            "fallback-pipe-500",
            "interception-untrusted",
            "interception-trusted",
            "https-to-plain-http",
            "route-through-forward-proxy",
            "trace-the-source",
            "goinsecure-direct-http",
            "forged-go-sum",
            "clean-and-redownload",
        ]
    );
    for s in &scenarios {
        assert_eq!(s["passed"], true, "{s:#}");
        assert_eq!(s["problems"].as_array().unwrap().len(), 0);
        let want_ok = s["expected"]["go_succeeds"].as_bool().unwrap();
        assert_eq!(s["go"]["exit_code"] == 0, want_ok, "{s:#}");
        assert!(!s["caught_by"].as_array().unwrap().is_empty());
    }
    let by = |n: &str| scenarios.iter().find(|s| s["scenario"] == n).unwrap();
    // The risk is real: with the database off, go took the tampered zip.
    assert_eq!(by("sumdb-off")["env"]["GOSUMDB"], "off");
    assert_eq!(by("sumdb-off")["shows"], "risk");
    assert!(
        by("sumdb-catches-tamper")["go"]["stderr"]
            .as_str()
            .unwrap()
            .contains("SECURITY ERROR")
    );
    assert!(
        by("goinsecure-proxy-tls")["go"]["stderr"]
            .as_str()
            .unwrap()
            .contains("x509: certificate signed by unknown authority")
    );
    // Behind the intercepting forward proxy gotrust's probe sees the interception whether
    // go trusts the CA or not, and diagnose maps go's x509 error to its cause.
    for n in ["interception-untrusted", "interception-trusted"] {
        let g: Vec<&str> = by(n)["gotrust"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert!(
            g.iter()
                .any(|l| l.starts_with("probe: ") && l.contains("probe/tls-interception")),
            "{n}: {g:?}"
        );
    }
    assert!(
        by("interception-untrusted")["gotrust"]
            .as_array()
            .unwrap()
            .contains(&Value::from("diagnose: tls-unknown-authority"))
    );
    assert!(
        by("https-to-plain-http")["go"]["stderr"]
            .as_str()
            .unwrap()
            .contains("server gave HTTP response to HTTPS client")
    );
    // The rest of the article: each gotrust verdict says what it found.
    let lines = |n: &str| -> Vec<String> {
        by(n)["gotrust"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        lines("route-through-forward-proxy"),
        ["explain: go's requests for example.com/simple@v1.0.0 are the predicted ones"]
    );
    assert_eq!(
        by("route-through-forward-proxy")["env"]["GOPROXY"],
        "https://proxy.lab.test"
    );
    // The healthy lab, last in GOPROXY, is named as the source.
    let goproxy = by("trace-the-source")["env"]["GOPROXY"]
        .as_str()
        .unwrap()
        .to_owned();
    let second = goproxy.rsplit('|').next().unwrap();
    assert_eq!(
        lines("trace-the-source"),
        [format!("diagnose: example.com/simple@v1.0.0 from {second}")]
    );
    assert_eq!(
        lines("goinsecure-direct-http"),
        [
            "audit: insecure/unverified",
            "explain: mod.lab.test/hello@v1.0.0 [no-tls-no-checksum]"
        ]
    );
    assert!(
        by("goinsecure-direct-http")["go"]["stderr"]
            .as_str()
            .unwrap()
            .contains("# get http://mod.lab.test/mod.lab.test/hello/@v/v1.0.0.zip: 200 OK")
    );
    assert_eq!(lines("forged-go-sum"), ["verify sums: verify/sum-mismatch"]);
    let forged = by("forged-go-sum")["go"]["stderr"].as_str().unwrap();
    assert!(!forged.contains("/lookup/"), "{forged}");
    assert!(
        lines("clean-and-redownload")[0].starts_with("verify cache: mismatch for the altered "),
        "{:?}",
        lines("clean-and-redownload")
    );
}

#[test]
fn run_one_scenario_text() {
    let dir = TestDir::new();
    let out = dir
        .cmd(&[
            "lab",
            "run",
            "gonosumdb",
            "--go",
            testkit::go_binary().to_str().unwrap(),
        ])
        .env("PATH", &std::env::var("PATH").unwrap_or_default())
        .run()
        .code(0);
    assert!(out.stdout.starts_with("PASS gonosumdb: "), "{}", out.stdout);
    assert!(
        out.stdout.contains("verdict:   risk reproduced: "),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("caught by: sumdb/bypass-public"),
        "{}",
        out.stdout
    );
}

#[test]
fn run_without_go_or_with_unknown_scenario_exits_2() {
    let dir = TestDir::new();
    let out = dir
        .cmd(&["lab", "run", "--go", "/nonexistent/go"])
        .run()
        .code(2);
    assert!(
        out.stderr.contains("gotrust lab run needs the go command")
            && out.stderr.contains("/nonexistent/go"),
        "{}",
        out.stderr
    );
    let out = dir.cmd(&["lab", "run", "--go", "never"]).run().code(2);
    assert!(
        out.stderr.contains("needs the go command"),
        "{}",
        out.stderr
    );
    let out = dir.cmd(&["lab", "run", "no-such"]).run().code(2);
    assert!(
        out.stderr.contains("unknown scenario `no-such`"),
        "{}",
        out.stderr
    );
}

#[test]
fn run_list_names_every_scenario() {
    let dir = TestDir::new();
    let out = dir.cmd(&["lab", "run", "--list"]).run().code(0);
    assert_eq!(out.stdout.lines().count(), 18, "{}", out.stdout);
    assert!(out.stdout.starts_with("sumdb-off "), "{}", out.stdout);
}

/// A started `lab serve --format json ARGS`: its announcement and the child.
fn serve_json(dir: &TestDir, args: &[&str]) -> (Child, Value) {
    let mut full = vec!["--format", "json"];
    full.extend_from_slice(args);
    let (child, mut out) = serve(dir, &full);
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    let v: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"));
    (child, v)
}

fn lab_env(v: &Value) -> Vec<(String, String)> {
    v["env"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
        .collect()
}

/// go downloads example.com/simple@v1.0.0 from the lab into a fresh module cache under
/// `root` (its GOPATH, where go keeps the database's tree head, is `root/gopath` every time)
/// and returns go.sum lines for it, or go's stderr.
fn go_fetch(root: &Path, lab: &Value, cache: &str) -> Result<String, String> {
    let mut env = lab_env(lab);
    env.push(("GOMODCACHE".into(), root.join(cache).display().to_string()));
    let run = testkit::go::run_go(
        root,
        &testkit::go::main_module(root),
        env,
        &["mod", "download", "-json", "example.com/simple@v1.0.0"],
    );
    let dl: Value = serde_json::from_str(&run.stdout).unwrap_or(Value::Null);
    if !run.ok || dl.get("Error").is_some() {
        return Err(format!("{}{dl}", run.stderr));
    }
    Ok(format!(
        "example.com/simple v1.0.0 {}\nexample.com/simple v1.0.0/go.mod {}\n",
        dl["Sum"].as_str().unwrap(),
        dl["GoModSum"].as_str().unwrap()
    ))
}

/// `gotrust verify sums` of `sum` against the lab, with go's GOPATH under `root`.
fn gotrust_verify(dir: &TestDir, root: &Path, lab: &Value, sum: &str) -> crate::harness::Output {
    let file = dir.write("go.sum", sum);
    let mut cmd = dir.cmd(&[
        "--go",
        "never",
        "verify",
        "sums",
        "--timeout",
        "20",
        file.to_str().unwrap(),
    ]);
    for (k, v) in lab_env(lab) {
        cmd = cmd.env(&k, &v);
    }
    cmd.env("GOPATH", root.join("gopath").to_str().unwrap())
        .run()
}

#[test]
fn restarted_lab_works_with_go_and_gotrust_without_cleanup() {
    // Without --state (a new key each start) and with the same --state (the key kept).
    let state = tempfile::tempdir().unwrap();
    let state_arg = ["--state", state.path().to_str().unwrap()];
    for args in [&[][..], &state_arg[..]] {
        let dir = TestDir::new();
        let root = tempfile::tempdir().unwrap();
        let mut keys = Vec::new();
        for round in ["first", "second"] {
            let (child, lab) = serve_json(&dir, args);
            keys.push(lab["verifier_key"].as_str().unwrap().to_owned());
            let sum = go_fetch(root.path(), &lab, round)
                .unwrap_or_else(|e| panic!("{args:?}, {round} lab: go failed: {e}"));
            let out = gotrust_verify(&dir, root.path(), &lab, &sum);
            assert_eq!(
                out.code, 0,
                "{args:?}, {round} lab:\n{}{}",
                out.stdout, out.stderr
            );
            assert!(out.stdout.contains("2 verified"), "{}", out.stdout);
            let (code, err) = stop(child, "TERM");
            assert_eq!(code, 0, "{err}");
        }
        if args.is_empty() {
            assert_ne!(keys[0], keys[1], "a new key each start");
        } else {
            assert_eq!(keys[0], keys[1], "the key is kept in the state directory");
        }
    }
}

#[test]
fn a_stored_head_of_another_key_is_named_with_the_file_to_remove() {
    // The same database name twice without a state directory: two keys, one name.
    let dir = TestDir::new();
    let root = tempfile::tempdir().unwrap();
    let args = ["--name", "reused.gotrust.localhost"];
    let (child, lab) = serve_json(&dir, &args);
    let sum = go_fetch(root.path(), &lab, "first").unwrap();
    gotrust_verify(&dir, root.path(), &lab, &sum).code(0);
    stop(child, "TERM");

    let (child, lab) = serve_json(&dir, &args);
    // go refuses the new lab: its stored head does not verify under the new key.
    let e = go_fetch(root.path(), &lab, "second").unwrap_err();
    assert!(e.contains("note has no verifiable signatures"), "{e}");
    // gotrust says why and which file to remove: its own head first...
    let own = dir
        .path()
        .join(".cache/gotrust/sumdb/reused.gotrust.localhost/latest");
    let out = gotrust_verify(&dir, root.path(), &lab, &sum).code(2);
    assert!(
        out.stderr.contains(&format!(
            "the stored tree head {} is signed by reused.gotrust.localhost+",
            own.display()
        )),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains(&format!("remove {} to trust the new key", own.display())),
        "{}",
        out.stderr
    );
    // ... then go's, once gotrust's own is gone.
    std::fs::remove_file(&own).unwrap();
    let out = gotrust_verify(&dir, root.path(), &lab, &sum).code(0);
    let go_head = root
        .path()
        .join("gopath/pkg/sumdb/reused.gotrust.localhost/latest");
    assert!(
        out.stdout.contains(&format!(
            "warning: go's tree head {} is signed by reused.gotrust.localhost+",
            go_head.display()
        )) && out.stdout.contains(&format!(
            "go refuses this database until you remove {}",
            go_head.display()
        )),
        "{}",
        out.stdout
    );
    // Removing it is all go needs.
    std::fs::remove_file(&go_head).unwrap();
    go_fetch(root.path(), &lab, "third").unwrap();
    stop(child, "TERM");
}

#[test]
fn serve_text_isolation_advice_covers_gopath() {
    let dir = TestDir::new();
    let (child, out) = serve(&dir, &[]);
    let mut text = String::new();
    for line in out.lines() {
        let line = line.unwrap();
        let last = line.starts_with("# Stop with");
        text += &line;
        text += "\n";
        if last {
            break;
        }
    }
    assert!(
        text.contains("export GOPATH=\"$(mktemp -d)\"; export GOMODCACHE=\"$GOPATH/pkg/mod\""),
        "{text}"
    );
    // Without --state the database has a name of its own.
    assert!(
        text.contains(".sum.gotrust.localhost+")
            && !text.contains("GOSUMDB='sum.gotrust.localhost+"),
        "{text}"
    );
    stop(child, "INT");
}
