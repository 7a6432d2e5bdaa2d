//! `gotrust verify sums` and `verify proxy` end to end: the binary against an in-process lab,
//! configured through GOPROXY/GOSUMDB like go; text, JSON and SARIF, exit codes.

use gotrust_lab::{Fault, FaultKind, RunningLab};

use crate::harness::{TestDir, lab};

fn go_sum(lab: &RunningLab) -> String {
    lab.modules()
        .iter()
        .map(|(p, v)| lab.go_sum_lines(p, v).unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clean_go_sum_verifies_and_exits_0() {
    let (lab, _s) = lab(vec![]).await;
    let dir = TestDir::new();
    let sum = go_sum(&lab);
    dir.write("go.sum", &sum);
    let out = dir
        .lab_cmd(&lab, &["verify", "sums"])
        .run_blocking()
        .await
        .code(0);
    let n = sum.lines().count();
    assert!(
        out.stdout
            .contains(&format!("{n} lines in 1 file: {n} verified")),
        "{}",
        out.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampered_line_is_reported_in_every_format_with_its_line() {
    let (lab, _s) = lab(vec![]).await;
    let dir = TestDir::new();
    let sum = go_sum(&lab);
    let mut lines: Vec<String> = sum.lines().map(str::to_string).collect();
    let head = lines[4].rsplit_once(' ').unwrap().0.to_string();
    let module = head.split(' ').next().unwrap().to_string();
    lines[4] = format!("{head} h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
    dir.write("go.sum", &(lines.join("\n") + "\n"));

    let text = dir
        .lab_cmd(&lab, &["verify", "sums", "go.sum"])
        .run_blocking()
        .await
        .code(1);
    assert!(
        text.stdout
            .contains(&format!("go.sum:5: mismatch {module} ")),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout
            .contains("h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
    );

    let json = dir
        .lab_cmd(&lab, &["verify", "sums", "--format", "json"])
        .run_blocking()
        .await
        .code(1);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v["schema_version"], 1);
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), lines.len());
    let bad: Vec<_> = results
        .iter()
        .filter(|r| r["status"] != "verified")
        .collect();
    assert_eq!(bad.len(), 1);
    assert_eq!(bad[0]["status"], "mismatch");
    assert_eq!(bad[0]["line"], 5);
    assert_eq!(bad[0]["database"].as_array().unwrap().len(), 1);

    let sarif = dir
        .lab_cmd(&lab, &["verify", "sums", "--format", "sarif"])
        .run_blocking()
        .await
        .code(1);
    let v: serde_json::Value = serde_json::from_str(&sarif.stdout).unwrap();
    testkit::sarif::assert_valid(&v);
    let res = v["runs"][0]["results"].as_array().unwrap();
    assert_eq!(res.len(), 1);
    assert_eq!(res[0]["ruleId"], "verify/sum-mismatch");
    let loc = &res[0]["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "go.sum");
    assert_eq!(loc["region"]["startLine"], 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_modules_are_skipped_and_gosumdb_off_skips_all() {
    let (lab, _s) = lab(vec![]).await;
    let dir = TestDir::new();
    dir.write("go.sum", &go_sum(&lab));
    let cache = dir.write(".cache/keep", "");
    let mut c = dir.cmd(&["verify", "sums", "--format", "json"]);
    for (k, v) in lab.go_env() {
        if k != "GOPRIVATE" {
            c = c.env(&k, &v);
        }
    }
    c = c.env("GOPRIVATE", "example.com").env(
        "GOTRUST_CACHE_DIR",
        cache.parent().unwrap().to_str().unwrap(),
    );
    let out = tokio::task::spawn_blocking(move || c.run())
        .await
        .unwrap()
        .code(0);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    for r in v["results"].as_array().unwrap() {
        let private = r["module"].as_str().unwrap().starts_with("example.com/");
        assert_eq!(
            r["status"],
            if private { "skipped" } else { "verified" },
            "{r}"
        );
    }
    assert!(
        lab.request_log()
            .iter()
            .all(|e| !e.path.contains("example.com"))
    );

    // GOSUMDB=off verifies nothing: the skipped public lines are a finding with the reason,
    // and the run says so in its last line and fails (fail closed).
    let mut c = dir.cmd(&["verify", "sums"]);
    c = c.env("GOSUMDB", "off");
    let out = tokio::task::spawn_blocking(move || c.run())
        .await
        .unwrap()
        .code(1);
    assert!(out.stdout.contains("GOSUMDB=off"), "{}", out.stdout);
    assert!(
        out.stdout.contains("verify/skipped-public"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.trim_end().ends_with(": nothing verified"),
        "{}",
        out.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_default_go_sum_is_exit_2() {
    let dir = TestDir::new();
    let out = dir.cmd(&["verify", "sums"]).run().code(2);
    assert!(out.stderr.contains("no go.sum"), "{}", out.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_proxy_shows_which_side_disagrees() {
    let (good, _s1) = lab(vec![]).await;
    let (bad, _s2) = lab(vec![
        Fault::new(FaultKind::TamperZip).module("example.com/simple"),
    ])
    .await;
    let dir = TestDir::new();
    dir.write(
        "go.sum",
        &good.go_sum_lines("example.com/simple", "v1.0.0").unwrap(),
    );
    let bad_url = bad.proxy_url();
    let out = dir
        .lab_cmd(
            &good,
            &["verify", "proxy", "--proxy", &format!("+{bad_url}")],
        )
        .run_blocking()
        .await
        .code(1);
    assert!(
        out.stdout.contains("example.com/simple@v1.0.0: mismatch"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains(&format!("- proxy {bad_url}: {bad_url} serves zip")),
        "{}",
        out.stdout
    );
    let json = dir
        .lab_cmd(&good, &["verify", "proxy", "--format", "json"])
        .run_blocking()
        .await
        .code(0);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v["results"][0]["status"], "verified");
    assert_eq!(v["proxies"].as_array().unwrap().len(), 1);
    // Findings come from the engine's finding model: the same `findings` and `summary`
    // as every other command.
    assert_eq!(v["summary"]["total"], 0, "{v:#}");

    // A go.sum under `path@version/` (as in the module cache) is a file, not `M@V`.
    dir.write(
        "example.com/m@v1.0.0/go.sum",
        &good.go_sum_lines("example.com/simple", "v1.0.0").unwrap(),
    );
    let out = dir
        .lab_cmd(&good, &["verify", "proxy", "example.com/m@v1.0.0/go.sum"])
        .run_blocking()
        .await
        .code(0);
    assert!(
        out.stdout
            .contains("1 module versions on 1 proxy: 1 verified"),
        "{}",
        out.stdout
    );
}

/// `--offline`: after one online run, every line verifies from gotrust's cache with no
/// request; with an empty cache every line is skipped with the reason.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_verifies_from_cached_data_only() {
    let (lab, _s) = lab(vec![]).await;
    let sum = go_sum(&lab);
    let n = sum.lines().count();

    let empty = TestDir::new();
    empty.write("go.sum", &sum);
    let before = lab.request_log().len();
    // Nothing verified: a finding per reason, and the run fails (fail closed).
    let out = empty
        .lab_cmd(&lab, &["verify", "sums", "--offline"])
        .run_blocking()
        .await
        .code(1);
    assert!(
        out.stdout
            .contains(&format!("{n} lines in 1 file: {n} skipped")),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("not in the offline cache"),
        "{}",
        out.stdout
    );
    assert_eq!(lab.request_log().len(), before);

    let dir = TestDir::new();
    dir.write("go.sum", &sum);
    dir.lab_cmd(&lab, &["verify", "sums"])
        .run_blocking()
        .await
        .code(0);
    let before = lab.request_log().len();
    let out = dir
        .lab_cmd(&lab, &["verify", "sums", "--offline"])
        .run_blocking()
        .await
        .code(0);
    assert!(
        out.stdout
            .contains(&format!("{n} lines in 1 file: {n} verified")),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("offline: cached answers proven against the stored signed head"),
        "{}",
        out.stdout
    );
    assert_eq!(lab.request_log().len(), before, "offline made requests");
}

/// `--jobs` and `--timeout` are checked by clap; `--timeout` bounds a slow lookup.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_and_timeout_flags() {
    let (lab, _s) = lab(vec![
        Fault::new(FaultKind::Latency { ms: 20_000 })
            .module("example.com/simple")
            .endpoint(gotrust_lab::Endpoint::Lookup),
    ])
    .await;
    let dir = TestDir::new();
    dir.write("go.sum", &go_sum(&lab));
    for (flag, bad) in [("--jobs", "0"), ("--jobs", "x"), ("--timeout", "0")] {
        let out = dir
            .lab_cmd(&lab, &["verify", "sums", flag, bad])
            .run_blocking()
            .await
            .code(2);
        assert!(
            out.stderr
                .contains(&format!("invalid value '{bad}' for '{flag} <")),
            "{}",
            out.stderr
        );
    }
    for cmd in ["proxy", "cache"] {
        let out = dir
            .lab_cmd(&lab, &["verify", cmd, "--jobs", "0"])
            .run_blocking()
            .await
            .code(2);
        assert!(out.stderr.contains("'--jobs <N>'"), "{}", out.stderr);
    }
    let t = std::time::Instant::now();
    let out = dir
        .lab_cmd(&lab, &["verify", "sums", "--jobs", "2", "--timeout", "1"])
        .run_blocking()
        .await
        .code(2);
    assert!(
        t.elapsed() < std::time::Duration::from_secs(12),
        "{:?}",
        t.elapsed()
    );
    assert!(
        out.stdout.contains("error example.com/simple v1.0.0: ") && out.stdout.contains("timeout"),
        "{}",
        out.stdout
    );
}

/// `--jobs 1` makes one request at a time: with every lookup delayed, the run takes at
/// least the sum of the delays, and `--jobs 8` is faster.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_bounds_requests_in_flight() {
    let delay = 150;
    let (lab, _s) = lab(vec![
        Fault::new(FaultKind::Latency { ms: delay }).endpoint(gotrust_lab::Endpoint::Lookup),
    ])
    .await;
    let n = lab.modules().len() as u32;
    let mut elapsed = Vec::new();
    for jobs in ["1", "8"] {
        // A fresh cache each time, so every lookup is a request.
        let dir = TestDir::new();
        dir.write("go.sum", &go_sum(&lab));
        let t = std::time::Instant::now();
        dir.lab_cmd(&lab, &["verify", "sums", "--jobs", jobs])
            .run_blocking()
            .await
            .code(0);
        elapsed.push(t.elapsed());
    }
    let serial = std::time::Duration::from_millis(delay) * n;
    assert!(elapsed[0] >= serial, "{:?} < {serial:?}", elapsed[0]);
    assert!(elapsed[1] < elapsed[0], "{elapsed:?}");
}
