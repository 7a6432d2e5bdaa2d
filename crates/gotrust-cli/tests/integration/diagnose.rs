//! `gotrust diagnose` on go output captured from the real go (crates/gotrust/tests/fixtures/
//! diagnose/real, re-captured by the gotrust diagnose tests).

use crate::harness::TestDir;

fn real_log(name: &str) -> String {
    let path = testkit::workspace_root()
        .join("crates/gotrust/tests/fixtures/diagnose/real")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn checksum_mismatch_is_explained_with_both_hashes() {
    let dir = TestDir::new();
    let log = dir.write("go.log", &real_log("go-sum-mismatch.txt"));
    let out = dir
        .cmd(&["--go", "never", "diagnose", log.to_str().unwrap()])
        .run()
        .code(1);
    assert!(out.stdout.contains("checksum"), "{}", out.stdout);
    assert!(out.stdout.contains("downloaded h1:"), "{}", out.stdout);
    assert!(out.stdout.contains("fix:"), "{}", out.stdout);
}

#[test]
fn json_lists_diagnoses_with_rule_and_trace() {
    let dir = TestDir::new();
    let log = dir.write("go.log", &real_log("sumdb-lookup-410.txt"));
    let out = dir
        .cmd(&[
            "--go",
            "never",
            "--format",
            "json",
            "diagnose",
            log.to_str().unwrap(),
        ])
        .run()
        .code(1);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["schema_version"], 1);
    let diags = v["diagnoses"].as_array().unwrap();
    assert!(!diags.is_empty());
    assert!(
        diags
            .iter()
            .all(|d| d["line"].as_u64().unwrap() > 0 && d["fix"].is_string())
    );
    assert!(!v["trace"].as_array().unwrap().is_empty());
}

#[test]
fn clean_trace_exits_zero_and_reads_stdin() {
    let dir = TestDir::new();
    let mut cmd = dir.cmd(&["--go", "never", "diagnose", "-"]).into_inner();
    cmd.stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped());
    // The captured trace talks to a loopback proxy: make it the current GOPROXY so the trace
    // agrees with the route.
    let log = real_log("proxy-ok-trace.txt").replace("$PORT", "4000");
    cmd.env("GOPROXY", "http://127.0.0.1:4000/ok");
    let mut child = cmd.spawn().unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(log.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("0 error(s) diagnosed"), "{stdout}");
}

#[test]
fn trace_against_another_proxy_is_a_route_deviation() {
    let dir = TestDir::new();
    let log = real_log("proxy-ok-trace.txt").replace("$PORT", "4000");
    let log = dir.write("go.log", &log);
    let out = dir
        .cmd(&[
            "--go",
            "never",
            "--format",
            "json",
            "diagnose",
            log.to_str().unwrap(),
        ])
        .env("GOPROXY", "https://proxy.corp.example")
        .run()
        .code(1);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let devs = v["route_deviations"].as_array().unwrap();
    assert!(!devs.is_empty());
    assert_eq!(devs[0]["kind"], "proxy-not-in-route");
    assert_eq!(devs[0]["module"], "example.com/hello");
}

/// The requests of a log are compared with the settings the log itself shows (labelled so),
/// not with this machine's; error lines no rule knows are a finding of their own.
#[test]
fn route_from_the_logs_settings_and_unrecognized_lines_in_json() {
    let dir = TestDir::new();
    let log = dir.write(
        "go.log",
        "$ GOPROXY=https://proxy.corp.example go mod download -x\n\
         # get https://goproxy.example.net/example.com/hello/@v/v1.0.0.info\n\
         go: example.com/hello@v1.0.0: the flux capacitor failed\n",
    );
    let out = dir
        .cmd(&[
            "--go",
            "never",
            "--format",
            "json",
            "diagnose",
            log.to_str().unwrap(),
        ])
        // This machine's setting would predict the request: the log's own must be used.
        .env("GOPROXY", "https://goproxy.example.net")
        .run()
        .code(1);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["route_settings"], "log");
    let devs = v["route_deviations"].as_array().unwrap();
    assert_eq!(devs.len(), 1, "{}", out.stdout);
    assert_eq!(devs[0]["kind"], "proxy-not-in-route");
    assert_eq!(v["findings"][0]["rule"], "diagnose/unrecognized-error");
    assert_eq!(v["unrecognized"][0]["line_no"], 3);
    let text = dir
        .cmd(&["--go", "never", "diagnose", log.to_str().unwrap()])
        .env("GOPROXY", "https://goproxy.example.net")
        .run()
        .code(1);
    assert!(
        text.stdout
            .contains("requests compared with the settings shown in the log"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains("1 unrecognized error line(s)"),
        "{}",
        text.stdout
    );
}

#[test]
fn unreadable_log_exits_2_naming_it() {
    let dir = TestDir::new();
    let out = dir.cmd(&["diagnose", "/nonexistent/go.log"]).run().code(2);
    assert!(out.stderr.contains("/nonexistent/go.log"), "{}", out.stderr);
}

/// Peak resident memory (Linux `VmHWM`) of a running process, in KiB.
fn peak_rss_kib(pid: u32) -> u64 {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = s.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// 100 MB of go output piped into the binary: its peak memory, read while it is still
/// running (after the whole log went through the pipe), stays far below the log's size, and
/// every line was read. Most of the volume is 1 MiB lines (cut at the line cap, as a runaway
/// progress bar or a base64 dump in a CI log would be), which keeps the test fast.
#[test]
fn hundred_megabytes_from_stdin_in_bounded_memory() {
    use std::io::{Read, Write};
    use std::process::Stdio;

    const TOTAL: usize = 100 << 20;
    let mut block = String::new();
    for i in 0..64 {
        block.push_str(&format!(
            "# get https://proxy.golang.org/example.com/m{i}/@v/v1.0.0.info: 200 OK (0.012s)\n"
        ));
        block.push_str(&format!(
            "go: example.com/m{i}@v1.0.0: verifying module: example.com/m{i}@v1.0.0: reading https://sum.golang.org/lookup/example.com/m{i}@v1.0.0: 410 Gone\n"
        ));
        block.push_str(&format!("go: downloading example.com/m{i} v1.0.0\n"));
    }
    // Its error text is past the cap: not seen.
    block.push_str(&"x".repeat(1 << 20));
    block.push_str(" module lookup disabled by GOPROXY=off\n");
    let per_block = block.lines().count();
    let blocks = TOTAL.div_ceil(block.len());

    let dir = TestDir::new();
    let mut cmd = dir
        .cmd(&["--go", "never", "--format", "json", "diagnose", "-"])
        .into_inner();
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        stdout.read_to_string(&mut s).unwrap();
        s
    });
    let mut stdin = child.stdin.take().unwrap();
    for _ in 0..blocks {
        stdin.write_all(block.as_bytes()).unwrap();
    }
    stdin.flush().unwrap();
    let peak = peak_rss_kib(child.id());
    drop(stdin);
    assert_eq!(child.wait().unwrap().code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&reader.join().unwrap()).unwrap();
    assert_eq!(v["stats"]["lines"], (blocks * per_block) as u64);
    assert_eq!(v["stats"]["diagnoses"], (blocks * 64) as u64);
    assert_eq!(v["stats"]["traces"], (blocks * 64) as u64);
    assert_eq!(v["stats"]["truncated_lines"], blocks as u64);
    assert!(
        peak < 48 * 1024,
        "peak RSS {peak} KiB while streaming a {} MiB log",
        TOTAL >> 20
    );
}

/// The real go against a lab that redirects https to http, its stderr piped into
/// `gotrust diagnose -` under the same settings: one diagnosis, pointing at the probe rule.
#[test]
fn live_go_output_from_the_lab_is_diagnosed() {
    use std::io::Write;
    use std::process::Stdio;

    use gotrust_lab::{Endpoint, Fault, FaultKind};

    let tmp = tempfile::tempdir().unwrap();
    let served = crate::harness::Served::start(
        &tmp.path().join("lab"),
        true,
        vec![Fault::new(FaultKind::RedirectToHttp).endpoint(Endpoint::Info)],
    );
    let lab = &served.lab;
    let run = testkit::go::run_go(
        tmp.path(),
        &testkit::go::main_module(tmp.path()),
        lab.go_env(),
        &["mod", "download", "-x", "example.com/simple@v1.0.0"],
    );
    assert!(!run.ok);
    let log = run.stderr.into_bytes();

    let dir = TestDir::new();
    let mut cmd = dir.cmd(&["--go", "never", "diagnose", "-"]);
    for (k, v) in lab.go_env() {
        cmd = cmd.env(&k, &v);
    }
    let mut cmd = cmd.into_inner();
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&log).unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("1 error(s) diagnosed") && stdout.contains("0 route deviation(s)"),
        "{stdout}\nlog:\n{}",
        String::from_utf8_lossy(&log)
    );
    assert!(stdout.contains(": insecure-redirect\n"), "{stdout}");
    assert!(
        stdout.contains("caught by: gotrust probe (probe/insecure-redirect)"),
        "{stdout}"
    );
}
