//! One test per fault: the real go command against a faulty lab, asserting
//! go's own failure text and what the lab's request log recorded.

use std::time::{Duration, Instant};

use crate::harness::*;
use gotrust_lab::{Endpoint, Fault, FaultKind, LogEntry, RunningLab, Scenario};

const SIMPLE: &str = "example.com/simple@v1.0.0";

fn faulted<'a>(log: &'a [LogEntry], name: &str) -> Vec<&'a LogEntry> {
    log.iter()
        .filter(|e| e.fault.split(',').any(|f| f == name))
        .collect()
}

async fn download(tmp: &std::path::Path, lab: &RunningLab, m: &str) -> GoRun {
    go_lab(tmp, lab, &["mod", "download", m]).await
}

fn assert_contains(run: &GoRun, needles: &[&str]) {
    eprintln!("go stderr:\n{}", run.stderr);
    assert!(!run.ok, "go unexpectedly succeeded:\n{}", run.stderr);
    for n in needles {
        assert!(
            run.stderr.contains(n),
            "stderr lacks {n:?}:\n{}",
            run.stderr
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampered_zip_is_a_checksum_mismatch() {
    let tmp = tempfile::tempdir().unwrap();
    let lab = start(
        tmp.path(),
        false,
        vec![Fault::new(FaultKind::TamperZip).module_version("example.com/simple", "v1.0.0")],
    )
    .await;
    let run = download(tmp.path(), &lab, SIMPLE).await;
    assert_contains(
        &run,
        &[
            "example.com/simple@v1.0.0: verifying module: checksum mismatch",
            "sum.gotrust.localhost: h1:",
            "SECURITY ERROR\nThis download does NOT match the one reported by the checksum server.",
        ],
    );
    let log = lab.request_log();
    let hits = faulted(&log, "tamper-zip");
    assert_eq!(hits.len(), 1, "{log:#?}");
    assert!(hits[0].path.ends_with("/example.com/simple/@v/v1.0.0.zip"));
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampered_go_mod_is_a_checksum_mismatch() {
    let tmp = tempfile::tempdir().unwrap();
    let lab = start(
        tmp.path(),
        false,
        vec![Fault::new(FaultKind::TamperGoMod).module("example.com/simple")],
    )
    .await;
    let run = download(tmp.path(), &lab, SIMPLE).await;
    assert_contains(
        &run,
        &[
            "example.com/simple@v1.0.0: verifying go.mod: checksum mismatch",
            "SECURITY ERROR",
        ],
    );
    let log = lab.request_log();
    assert!(
        faulted(&log, "tamper-go-mod")
            .iter()
            .all(|e| e.path.ends_with(".mod"))
    );
    assert!(!faulted(&log, "tamper-go-mod").is_empty());
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_recording_a_wrong_hash_is_a_checksum_mismatch() {
    let tmp = tempfile::tempdir().unwrap();
    let lab = start(
        tmp.path(),
        false,
        vec![Fault::new(FaultKind::WrongHash).module_version("example.com/simple", "v1.0.0")],
    )
    .await;
    let run = download(tmp.path(), &lab, SIMPLE).await;
    assert_contains(
        &run,
        &[
            "example.com/simple@v1.0.0: verifying module: checksum mismatch",
            "SECURITY ERROR",
        ],
    );
    let log = lab.request_log();
    let hits = faulted(&log, "wrong-hash");
    assert!(
        hits.iter()
            .any(|e| e.path.contains("/lookup/example.com/simple@v1.0.0")),
        "{log:#?}"
    );
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forked_tree_is_detected_as_server_misbehaviour() {
    let tmp = tempfile::tempdir().unwrap();
    let lab = start(
        tmp.path(),
        false,
        vec![Fault::new(FaultKind::ForkedTree).module_version("example.com/simple", "v1.1.0")],
    )
    .await;
    // First learn the real tree head, then meet the fork.
    let run = download(tmp.path(), &lab, "example.com/major/v2@v2.0.0").await;
    assert!(run.ok, "{}", run.stderr);
    let run = download(tmp.path(), &lab, "example.com/simple@v1.1.0").await;
    assert_contains(
        &run,
        &[
            "SECURITY ERROR\ngo.sum database server misbehavior detected!",
            "proof of misbehavior:",
        ],
    );
    let log = lab.request_log();
    assert!(
        faulted(&log, "forked-tree")
            .iter()
            .all(|e| e.path.contains("/lookup/example.com/simple@v1.1.0"))
    );
    assert!(!faulted(&log, "forked-tree").is_empty());
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rolled_back_tree_consistent_with_the_cached_head_is_accepted() {
    let tmp = tempfile::tempdir().unwrap();
    let lab = start(tmp.path(), false, vec![]).await;
    let n = lab.tree_size();
    let run = download(tmp.path(), &lab, SIMPLE).await;
    assert!(run.ok, "{}", run.stderr);
    lab.shutdown().await;

    // Same state, now serving an older head: go keeps its newer head and
    // checks the old one is a prefix of it, so the rollback goes unnoticed.
    let lab = start(
        tmp.path(),
        false,
        vec![Fault::new(FaultKind::RolledBack { size: n - 3 })],
    )
    .await;
    let run = download(tmp.path(), &lab, "example.com/major/v2@v2.0.0").await;
    assert!(run.ok, "{}", run.stderr);
    let latest = std::fs::read_to_string(
        tmp.path()
            .join("gopath/pkg/sumdb/sum.gotrust.localhost/latest"),
    )
    .unwrap();
    assert!(
        latest.starts_with(&format!("go.sum database tree\n{n}\n")),
        "{latest}"
    );
    assert!(!faulted(&lab.request_log(), "rolled-back").is_empty());
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corrupted_tree_signature_is_rejected() {
    let tmp = tempfile::tempdir().unwrap();
    let lab = start(tmp.path(), false, vec![Fault::new(FaultKind::BadSignature)]).await;
    let run = download(tmp.path(), &lab, SIMPLE).await;
    assert_contains(
        &run,
        &[
            // go looks up the go.mod line first.
            "go: example.com/simple@v1.0.0: verifying go.mod: example.com/simple@v1.0.0/go.mod: \
             reading tree note: invalid signature for key sum.gotrust.localhost+",
        ],
    );
    assert!(!faulted(&lab.request_log(), "bad-signature").is_empty());
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn foreign_tree_signature_is_rejected() {
    let tmp = tempfile::tempdir().unwrap();
    let lab = start(
        tmp.path(),
        false,
        vec![Fault::new(FaultKind::ForeignSignature)],
    )
    .await;
    let run = download(tmp.path(), &lab, SIMPLE).await;
    assert_contains(
        &run,
        &["reading tree note: note has no verifiable signatures"],
    );
    assert!(!faulted(&lab.request_log(), "foreign-signature").is_empty());
    lab.shutdown().await;
}

/// Two labs, the first faulty: GOPROXY="<first>SEP<second>".
async fn fallback(status: u16, sep: &str) -> (GoRun, Vec<LogEntry>, Vec<LogEntry>) {
    let tmp = tempfile::tempdir().unwrap();
    let bad = testkit::lab::builder(&tmp.path().join("bad"))
        .fault(Fault::new(FaultKind::Status { status }).endpoint(Endpoint::Zip))
        .start()
        .await
        .unwrap();
    let good = testkit::lab::builder(&tmp.path().join("good"))
        .start()
        .await
        .unwrap();
    let mut env = good.go_env();
    env.push((
        "GOPROXY".into(),
        format!("{}{sep}{}", bad.proxy_url(), good.proxy_url()),
    ));
    let run = go(tmp.path(), env, &["mod", "download", SIMPLE]).await;
    let logs = (bad.request_log(), good.request_log());
    bad.shutdown().await;
    good.shutdown().await;
    (run, logs.0, logs.1)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn comma_moves_on_after_404_and_410() {
    for status in [404, 410] {
        let (run, bad, good) = fallback(status, ",").await;
        assert!(run.ok, "{status}: {}", run.stderr);
        assert_eq!(faulted(&bad, "status").len(), 1, "{bad:#?}");
        assert_eq!(faulted(&bad, "status")[0].status, status);
        assert_eq!(requests(&good, "/@v/v1.0.0.zip").len(), 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn comma_stops_on_403_500_503() {
    for (status, text) in [
        (403, "403 Forbidden"),
        (500, "500 Internal Server Error"),
        (503, "503 Service Unavailable"),
    ] {
        let (run, bad, good) = fallback(status, ",").await;
        assert_contains(
            &run,
            &[
                "example.com/simple@v1.0.0: reading http://",
                &format!("/example.com/simple/@v/v1.0.0.zip: {text}"),
                &format!("server response: lab fault: status {status}"),
            ],
        );
        assert_eq!(faulted(&bad, "status").len(), 1);
        assert!(requests(&good, ".zip").is_empty(), "{good:#?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pipe_moves_on_after_500() {
    let (run, bad, good) = fallback(500, "|").await;
    assert!(run.ok, "{}", run.stderr);
    assert_eq!(faulted(&bad, "status")[0].status, 500);
    assert_eq!(requests(&good, "/@v/v1.0.0.zip").len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn latency_and_stall_slow_go_down_but_it_succeeds() {
    let tmp = tempfile::tempdir().unwrap();
    let lab = start(
        tmp.path(),
        false,
        vec![
            Fault::new(FaultKind::Latency { ms: 300 }).endpoint(Endpoint::Info),
            Fault::new(FaultKind::Stall {
                after_bytes: 10,
                ms: 700,
            })
            .endpoint(Endpoint::Zip),
        ],
    )
    .await;
    let t = Instant::now();
    let run = download(tmp.path(), &lab, SIMPLE).await;
    assert!(run.ok, "{}", run.stderr);
    assert!(
        t.elapsed() >= Duration::from_millis(1000),
        "{:?}",
        t.elapsed()
    );
    let log = lab.request_log();
    assert!(
        faulted(&log, "latency")
            .iter()
            .all(|e| e.path.ends_with(".info"))
    );
    assert!(faulted(&log, "stall")[0].path.ends_with(".zip"));
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn truncated_zip_fails_with_unexpected_eof() {
    let tmp = tempfile::tempdir().unwrap();
    let s = Scenario::load(&testdata("scenarios/slow-and-cut.toml")).unwrap();
    let lab = lab(tmp.path()).scenario(s).start().await.unwrap();
    let run = download(tmp.path(), &lab, SIMPLE).await;
    assert_contains(
        &run,
        &[
            "go: example.com/simple@v1.0.0: read \"http://",
            "/@v/v1.0.0.zip\": unexpected EOF",
        ],
    );
    let log = lab.request_log();
    let cut = faulted(&log, "truncate");
    assert_eq!(cut[0].bytes, 100);
    assert!(log.iter().all(|e| e.fault.contains("latency")));
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_reset_is_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let lab = start(
        tmp.path(),
        false,
        vec![Fault::new(FaultKind::Reset).endpoint(Endpoint::Zip)],
    )
    .await;
    let run = download(tmp.path(), &lab, SIMPLE).await;
    assert_contains(
        &run,
        &[
            "example.com/simple@v1.0.0: ",
            "/example.com/simple/@v/v1.0.0.zip",
        ],
    );
    assert!(
        run.stderr.contains("connection reset by peer") || run.stderr.contains("EOF"),
        "{}",
        run.stderr
    );
    let log = lab.request_log();
    assert!(faulted(&log, "reset").iter().all(|e| e.status == 0));
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polluted_cache_version_is_caught_by_the_database_or_the_zip_prefix() {
    let tmp = tempfile::tempdir().unwrap();
    let lab = start(
        tmp.path(),
        false,
        vec![
            Fault::new(FaultKind::Polluted {
                serve: "v1.0.0".into(),
            })
            .module_version("example.com/simple", "v1.9.9"),
        ],
    )
    .await;
    // With the database: it has no record of the version.
    let run = download(tmp.path(), &lab, "example.com/simple@v1.9.9").await;
    assert_contains(
        &run,
        &[
            "go: example.com/simple@v1.9.9: verifying go.mod: example.com/simple@v1.9.9/go.mod: reading ",
            "/sumdb/sum.gotrust.localhost/lookup/example.com/simple@v1.9.9: 404 Not Found",
        ],
    );
    let log = lab.request_log();
    assert!(
        faulted(&log, "polluted")
            .iter()
            .any(|e| e.path.ends_with("v1.9.9.mod") && e.status == 200),
        "{log:#?}"
    );
    // Without it (GONOSUMDB), the go.mod passes and only the zip's file
    // names, which carry the real version, give the substitution away.
    let mut env = lab.go_env();
    env.push(("GONOSUMDB".into(), "example.com/simple".into()));
    let run = go(
        tmp.path(),
        env,
        &["mod", "download", "example.com/simple@v1.9.9"],
    )
    .await;
    assert_contains(
        &run,
        &["zip for example.com/simple@v1.9.9 has unexpected file example.com/simple@v1.0.0/"],
    );
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plaintext_server_behind_https_url() {
    let tmp = tempfile::tempdir().unwrap();
    let lab = start(tmp.path(), true, vec![Fault::new(FaultKind::PlaintextOnly)]).await;
    let run = download(tmp.path(), &lab, SIMPLE).await;
    assert_contains(&run, &["http: server gave HTTP response to HTTPS client"]);
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn untrusted_certificate_is_an_x509_error() {
    let tmp = tempfile::tempdir().unwrap();
    let lab = start(tmp.path(), true, vec![Fault::new(FaultKind::UntrustedCert)]).await;
    let run = download(tmp.path(), &lab, SIMPLE).await;
    assert_contains(
        &run,
        &["tls: failed to verify certificate: x509: certificate signed by unknown authority"],
    );
    assert!(
        lab.request_log().is_empty(),
        "no request gets through the handshake"
    );
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirect_from_https_to_http_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let lab = start(
        tmp.path(),
        true,
        vec![Fault::new(FaultKind::RedirectToHttp).endpoint(Endpoint::Info)],
    )
    .await;
    let run = download(tmp.path(), &lab, SIMPLE).await;
    assert_contains(
        &run,
        &[
            "redirected from secure URL https://",
            "to insecure URL http://",
        ],
    );
    let log = lab.request_log();
    assert_eq!(faulted(&log, "redirect-to-http")[0].status, 302);
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zip_padded_with_trailing_bytes_is_not_a_valid_zip() {
    let tmp = tempfile::tempdir().unwrap();
    let lab = start(
        tmp.path(),
        false,
        vec![Fault::new(FaultKind::Oversized { bytes: 1 << 20 }).endpoint(Endpoint::Zip)],
    )
    .await;
    let run = download(tmp.path(), &lab, SIMPLE).await;
    // go names no module here: the message is archive/zip's alone.
    assert_contains(&run, &["go: zip: not a valid zip file"]);
    let log = lab.request_log();
    assert_eq!(faulted(&log, "oversized")[0].bytes, 1 << 20);
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zip_over_500_mib_is_refused() {
    const LIMIT: u64 = 500 << 20;
    let tmp = tempfile::tempdir().unwrap();
    let lab = start(
        tmp.path(),
        false,
        vec![Fault::new(FaultKind::Oversized { bytes: LIMIT + 1 }).endpoint(Endpoint::Zip)],
    )
    .await;
    let run = download(tmp.path(), &lab, SIMPLE).await;
    assert_contains(
        &run,
        &["example.com/simple@v1.0.0: downloaded zip file too large"],
    );
    let log = lab.request_log();
    assert_eq!(faulted(&log, "oversized")[0].bytes, LIMIT + 1);
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scenario_file_drives_the_lab() {
    let tmp = tempfile::tempdir().unwrap();
    let s = Scenario::load(&testdata("scenarios/proxy-swaps-zip.toml")).unwrap();
    let lab = lab(tmp.path()).scenario(s).start().await.unwrap();
    let run = download(tmp.path(), &lab, SIMPLE).await;
    assert_contains(
        &run,
        &["verifying module: checksum mismatch", "SECURITY ERROR"],
    );
    lab.shutdown().await;
}
