//! `gotrust probe` end to end against the lab over loopback: the JSON shape, text and SARIF
//! output, and the exit codes (0 clean, 1 findings at or above --fail-on, 2 no verdict).

use gotrust_lab::{Fault, FaultKind, RunningLab};
use serde_json::Value;

use crate::harness::{Output, Served, TestDir};

fn probe(dir: &TestDir, lab: &RunningLab, args: &[&str]) -> Output {
    let mut all = vec!["probe", "--module", "example.com/simple@v1.0.0"];
    all.extend_from_slice(args);
    dir.cmd(&all).lab(lab).run()
}

fn json(out: &Output) -> Value {
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}:\n{}", out.stdout))
}

#[test]
fn clean_lab_json_shape_and_exit_0() {
    let dir = TestDir::new();
    let tmp = tempfile::tempdir().unwrap();
    let s = Served::start(&tmp.path().join("lab"), false, vec![]);
    let out = probe(&dir, &s.lab, &["--format", "json"]).code(0);
    let v = json(&out);
    assert_eq!(v["schema_version"], 1);
    let proxies = v["proxies"].as_array().unwrap();
    assert_eq!(proxies.len(), 1, "default: the URLs of GOPROXY");
    let p = &proxies[0];
    assert_eq!(p["url"], s.lab.proxy_url());
    assert_eq!(p["verdict"], "complete");
    assert_eq!(p["module"]["path"], "example.com/simple");
    assert_eq!(p["findings"], Value::Array(vec![]));
    let checks = p["checks"].as_array().unwrap();
    let outcome = |name: &str| {
        checks
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("no {name}: {checks:#?}"))["outcome"]
            .clone()
    };
    for name in [
        "not-found.module",
        "not-found.version",
        "sumdb.supported",
        "content",
    ] {
        assert_eq!(outcome(name), "pass", "{name}");
    }
    assert!(p["requests"].as_array().unwrap().len() >= 6);
    assert!(p["latency"]["count"].as_u64().unwrap() >= 6);
    assert_eq!(v["summary"]["total"], 0);
}

#[test]
fn polluted_lab_fails_at_high_and_renders_every_format() {
    let dir = TestDir::new();
    let tmp = tempfile::tempdir().unwrap();
    let s = Served::start(
        &tmp.path().join("lab"),
        false,
        vec![Fault::new(FaultKind::Polluted {
            serve: "v1.0.0".into(),
        })],
    );
    let out = probe(&dir, &s.lab, &["--format", "json"]).code(1);
    let v = json(&out);
    let findings = v["proxies"][0]["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0]["id"], "probe/not-found-200");
    assert_eq!(findings[0]["severity"], "high");
    assert_eq!(findings[0]["evidence"][0]["variable"], "proxy");
    assert_eq!(v["summary"]["high"], 1);
    // Below the threshold: exit 0.
    probe(&dir, &s.lab, &["--fail-on", "critical"]).code(0);
    let text = probe(&dir, &s.lab, &[]).code(1).stdout;
    assert!(
        text.contains(&format!("proxy {}", s.lab.proxy_url())),
        "{text}"
    );
    assert!(text.contains("not-found.version"), "{text}");
    assert!(text.contains("FAIL"), "{text}");
    assert!(text.contains("probe/not-found-200"), "{text}");
    let sarif: Value =
        serde_json::from_str(&probe(&dir, &s.lab, &["--format", "sarif"]).code(1).stdout).unwrap();
    testkit::sarif::assert_valid(&sarif);
    assert_eq!(
        sarif["runs"][0]["results"][0]["ruleId"],
        "probe/not-found-200"
    );
}

#[test]
fn unreachable_proxy_exits_2() {
    let dir = TestDir::new();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let out = dir
        .cmd(&["probe", "--format", "json", &url])
        .env("GOSUMDB", "off")
        .run()
        .code(2);
    assert!(out.stderr.contains("could not reach"), "{}", out.stderr);
    assert_eq!(json(&out)["proxies"][0]["verdict"], "unreachable");
}

#[test]
fn bad_arguments_exit_2() {
    let dir = TestDir::new();
    let out = dir
        .cmd(&["probe", "--module", "example.com/x", "http://127.0.0.1:1"])
        .run()
        .code(2);
    assert!(
        out.stderr.contains("invalid module@version"),
        "{}",
        out.stderr
    );
    dir.cmd(&["probe", "--offline", "http://127.0.0.1:1"])
        .run()
        .code(2);
    let out = dir.cmd(&["probe"]).env("GOPROXY", "off").run().code(2);
    assert!(out.stderr.contains("no proxy URL"), "{}", out.stderr);
}

#[test]
fn https_lab_shows_tls_version_and_the_chain_of_a_failed_handshake() {
    let dir = TestDir::new();
    let tmp = tempfile::tempdir().unwrap();
    // Trusted through SSL_CERT_FILE (the lab's go_env): the version and ALPN are shown.
    let s = Served::start(&tmp.path().join("lab"), true, vec![]);
    let v = json(&probe(&dir, &s.lab, &["--format", "json"]).code(0));
    let tls = &v["proxies"][0]["tls"];
    assert_eq!(tls["version"], "TLSv1.3", "{tls:#}");
    assert_eq!(tls["alpn"], "http/1.1");
    assert_eq!(tls["verified"], true);
    let text = probe(&dir, &s.lab, &[]).code(0).stdout;
    assert!(text.contains("TLSv1.3 (ALPN http/1.1), direct: "), "{text}");
    drop(s);

    // A certificate from a CA nobody trusts: the handshake fails, the chain is still shown.
    let tmp = tempfile::tempdir().unwrap();
    let s = Served::start(
        &tmp.path().join("lab"),
        true,
        vec![Fault::new(FaultKind::UntrustedCert)],
    );
    let out = probe(&dir, &s.lab, &["--format", "json"]).code(1);
    let v = json(&out);
    let p = &v["proxies"][0];
    assert_eq!(p["tls"]["verified"], false);
    assert_eq!(
        p["tls"]["chain"][0]["issuer"],
        "CN=gotrust lab untrusted CA"
    );
    let ids: Vec<&str> = p["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"probe/tls-failed"), "{ids:?}");
    assert_eq!(
        p["tls"]["go_error"],
        "tls: failed to verify certificate: x509: certificate signed by unknown authority"
    );
    let text = probe(&dir, &s.lab, &[]).code(1).stdout;
    assert!(
        text.contains("issued by CN=gotrust lab untrusted CA")
            && text.contains(
                "not a public root (Mozilla's root program, webpki-roots 1.0.10): CN=gotrust lab untrusted CA, not in go's trust store"
            ),
        "{text}"
    );
    // On loopback a private CA is a broken server, not interception: no such finding.
    assert_eq!(p["tls"]["root_public"], false);
    assert!(!ids.contains(&"probe/tls-interception"), "{ids:?}");
}

#[test]
fn forked_database_across_runs_is_critical() {
    let dir = TestDir::new();
    let tmp = tempfile::tempdir().unwrap();
    let s = Served::start(
        &tmp.path().join("lab"),
        false,
        vec![Fault::new(FaultKind::ForkedTree).module_version("example.com/simple", "v1.1.0")],
    );
    let run = |module: &str, code: i32| {
        let mut cmd = dir.cmd(&["probe", "--format", "json", "--module", module]);
        for (k, v) in s.lab.go_env() {
            cmd = cmd.env(&k, &v);
        }
        json(&cmd.run().code(code))
    };
    // The first run keeps the real head in gotrust's cache (under the test's HOME).
    let v = run("example.com/major/v2@v2.0.0", 0);
    assert_eq!(v["proxies"][0]["findings"], Value::Array(vec![]));
    let v = run("example.com/simple@v1.1.0", 1);
    let findings = v["proxies"][0]["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0]["id"], "probe/sumdb-fork");
    assert_eq!(findings[0]["severity"], "critical");
    let notes: Vec<&str> = findings[0]["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["value"].as_str())
        .filter(|v| v.starts_with("go.sum database tree\n"))
        .collect();
    assert_eq!(notes.len(), 2, "{findings:#?}");
    assert_eq!(v["summary"]["critical"], 1);
}
