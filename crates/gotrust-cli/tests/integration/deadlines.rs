//! `--timeout` bounds each request end to end: a server that drips one byte a second never
//! pauses long enough for a read timeout, yet every network command ends, naming the slow
//! host. A `--go` binary that never answers does not hang gotrust either.

use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::harness::TestDir;
use crate::servers::slow_drip_port;

/// Runs the command, killing it (and failing) if it is still running after `limit`: the
/// drip would otherwise last 10,000 s. Returns (stdout, stderr).
fn run_bounded(mut cmd: std::process::Command, limit: Duration) -> (String, String) {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn gotrust");
    let start = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().expect("collect");
            panic!(
                "still running after {limit:?}\n--- stderr\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().expect("collect");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn slow_drip_servers_are_cut_off() {
    let port = slow_drip_port();
    let t = TestDir::new();
    t.write(
        "go.sum",
        "rsc.io/quote v1.5.2 h1:w5fcysjrx7yqtD/aO+QwRjYZOKnaM9Uh2b40tElTs3Y=\n",
    );
    let url = format!("http://127.0.0.1:{port}");
    let runs: Vec<Vec<&str>> = vec![
        vec!["verify", "sums", "--timeout", "2", "go.sum"],
        vec!["verify", "proxy", "--timeout", "2", "rsc.io/quote@v1.5.2"],
        vec![
            "probe",
            "--timeout",
            "2",
            "--module",
            "rsc.io/quote@v1.5.2",
            &url,
        ],
    ];
    for args in runs {
        let mut all = vec!["--go", "never", "--format", "json"];
        all.extend(args.iter().copied());
        let cmd = t
            .cmd(&all)
            .env("GOPROXY", &url)
            .env("GOSUMDB", &format!("sum.golang.org {url}"))
            .env("GOINSECURE", "*")
            .into_inner();
        // Each request may take 2 s; a handful run in sequence. Without the end-to-end bound
        // the first one alone would take hours.
        let (stdout, stderr) = run_bounded(cmd, Duration::from_secs(90));
        let both = format!("{stdout}{stderr}");
        assert!(
            both.contains(&format!("127.0.0.1:{port}")) && both.contains("deadline exceeded"),
            "gotrust {args:?} does not name the slow host\n{both}"
        );
    }
}

#[cfg(unix)]
#[test]
fn a_hung_go_binary_is_stopped() {
    use std::os::unix::fs::PermissionsExt;
    let t = TestDir::new();
    let go = t.write("go", "#!/bin/sh\nexec sleep 1000\n");
    std::fs::set_permissions(&go, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let cmd = t
        .cmd(&["--go", go.to_str().expect("utf-8"), "env"])
        .into_inner();
    let (_, stderr) = run_bounded(cmd, Duration::from_secs(60));
    assert!(
        stderr.contains("env -json did not finish within 10 s"),
        "{stderr}"
    );
}
