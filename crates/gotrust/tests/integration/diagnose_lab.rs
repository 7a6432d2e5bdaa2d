//! `gotrust diagnose` on real go output: each test runs the real go command (`go mod download
//! -x`) against the lab in one fault mode, asserts that go failed (or succeeded) as it should,
//! then feeds go's captured stderr to the diagnose engine and asserts the diagnosed kind, the
//! setting behind it, the audit rule it maps to, and, where a route is meaningful, what the
//! trace comparison with the current settings finds.
//!
//! Nothing here is a hand-written log: every text comes from the go binary of this machine.
//! Each test has its own module cache (faults poison caches), and the harness runs the tests in
//! parallel; a go run against a loopback lab takes well under a second.

use std::path::Path;

use gotrust::diagnose::compare::{DeviationKind, RouteDeviation, compare_trace};
use gotrust::diagnose::{
    Diagnosis, DiagnosisKind as K, LogEvent, TraceEvent, TraceKind, parse_str,
};
use gotrust::env::{EnvSources, resolve};
use gotrust::route::Planner;
use gotrust::settings::Settings;
use gotrust_lab::{Endpoint, Fault, FaultKind};
use testkit::go::{GoRun, main_module};
use testkit::lab;

const SIMPLE: &str = "example.com/simple@v1.0.0";

/// What go's stderr says, diagnosed.
trait Diagnosed {
    fn diagnoses(&self) -> Vec<Diagnosis>;
    fn traces(&self) -> Vec<TraceEvent>;
    fn only(&self, kind: K) -> Diagnosis;
    fn clean(&self);
}

impl Diagnosed for GoRun {
    fn diagnoses(&self) -> Vec<Diagnosis> {
        parse_str(&self.stderr)
            .into_iter()
            .filter_map(|e| match e {
                LogEvent::Diagnosis(d) => Some(d),
                LogEvent::Trace(_) => None,
            })
            .collect()
    }

    fn traces(&self) -> Vec<TraceEvent> {
        parse_str(&self.stderr)
            .into_iter()
            .filter_map(|e| match e {
                LogEvent::Trace(t) => Some(t),
                LogEvent::Diagnosis(_) => None,
            })
            .collect()
    }

    /// Asserts go failed and every diagnosis is `kind` (at least one); returns the first.
    fn only(&self, kind: K) -> Diagnosis {
        assert!(!self.ok, "go unexpectedly succeeded:\n{}", self.stderr);
        let d = self.diagnoses();
        assert!(!d.is_empty(), "no diagnosis in:\n{}", self.stderr);
        for x in &d {
            assert_eq!(x.kind, kind, "{x:#?}\nin:\n{}", self.stderr);
        }
        d.into_iter().next().unwrap()
    }

    /// Asserts go succeeded and nothing in its output is diagnosed.
    fn clean(&self) {
        assert!(self.ok, "go failed:\n{}", self.stderr);
        assert!(
            self.diagnoses().is_empty(),
            "{:#?}\nin:\n{}",
            self.diagnoses(),
            self.stderr
        );
    }
}

/// `go mod download -x m` in a main module under `root` (see `testkit::go::main_module`), with
/// `env` on top of the hermetic environment.
async fn download(root: &Path, env: Vec<(String, String)>, m: &str) -> GoRun {
    lab::go(root, &main_module(root), env, &["mod", "download", "-x", m]).await
}

/// The route deviations of a run's trace under the settings `vars` (GOENV=off: no user file).
fn deviations(run: &GoRun, vars: &[(String, String)]) -> Vec<RouteDeviation> {
    let mut vars = vars.to_vec();
    vars.push(("GOENV".into(), "off".into()));
    let src = EnvSources::with_process(vars);
    let env = resolve(&src);
    let settings = Settings::from_env(&env, &src);
    let planner = Planner::new(&settings, &env);
    run.traces()
        .iter()
        .filter_map(|t| compare_trace(t, &planner))
        .collect()
}

fn with(mut env: Vec<(String, String)>, k: &str, v: &str) -> Vec<(String, String)> {
    env.retain(|(n, _)| n != k);
    env.push((k.into(), v.into()));
    env
}

fn assert_info(d: &Diagnosis, setting: &str, rule: Option<&str>) {
    let i = d.info();
    assert!(
        i.setting.contains(setting),
        "{:?}: setting {:?} lacks {setting:?}",
        d.kind,
        i.setting
    );
    assert_eq!(i.rule, rule, "{:?}", d.kind);
    if let Some(r) = rule {
        assert!(gotrust::report::catalog::find(r).is_some(), "{r}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clean_lab_trace_agrees_with_the_route() {
    let tmp = tempfile::tempdir().unwrap();
    let lab = lab::start(&tmp.path().join("lab"), false, vec![]).await;
    let run = download(tmp.path(), lab.go_env(), SIMPLE).await;
    run.clean();
    let t = run.traces();
    let base = lab.proxy_url();
    for suffix in ["/@v/v1.0.0.mod", "/@v/v1.0.0.zip"] {
        assert!(
            t.iter().any(|e| e.kind == TraceKind::Response
                && e.status == Some(200)
                && e.url == format!("{base}/example.com/simple{suffix}")),
            "{t:#?}"
        );
    }
    assert!(
        t.iter().any(|e| e.kind == TraceKind::Request
            && e.url.ends_with("/lookup/example.com/simple@v1.0.0")),
        "{t:#?}"
    );
    // Under the settings go ran with, every request is on the predicted route.
    assert_eq!(deviations(&run, &lab.go_env()), []);
    // Had the path been private (GOPRIVATE now), the same trace shows it leaving twice: to the
    // proxy, and to the checksum database.
    let dev = deviations(&run, &with(lab.go_env(), "GOPRIVATE", "example.com/simple"));
    assert!(
        dev.iter()
            .any(|d| d.kind == DeviationKind::PrivatePathToProxy
                && d.module == "example.com/simple"
                && d.expected.is_empty()),
        "{dev:#?}"
    );
    assert!(
        dev.iter()
            .any(|d| d.kind == DeviationKind::PrivatePathToDatabase),
        "{dev:#?}"
    );
    assert!(dev.iter().all(|d| matches!(
        d.kind,
        DeviationKind::PrivatePathToProxy | DeviationKind::PrivatePathToDatabase
    )));
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn untrusted_certificate() {
    let tmp = tempfile::tempdir().unwrap();
    let lab = lab::start(
        &tmp.path().join("lab"),
        true,
        vec![Fault::new(FaultKind::UntrustedCert)],
    )
    .await;
    let run = download(tmp.path(), lab.go_env(), SIMPLE).await;
    let d = run.only(K::TlsUnknownAuthority);
    assert_info(&d, "SSL_CERT_FILE", Some("tls/custom-roots"));
    assert!(
        d.info()
            .wrong_fixes
            .iter()
            .any(|w| w.starts_with("GOINSECURE")),
        "{:?}",
        d.info().wrong_fixes
    );
    // The trace shows the failed request with go's own error.
    assert!(
        run.traces().iter().any(|t| t.kind == TraceKind::Error
            && t.error
                .as_deref()
                .is_some_and(|e| e.contains("x509: certificate signed by unknown authority"))),
        "{}",
        run.stderr
    );
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_records_a_wrong_hash() {
    let tmp = tempfile::tempdir().unwrap();
    let lab = lab::start(
        &tmp.path().join("lab"),
        false,
        vec![Fault::new(FaultKind::WrongHash).module_version("example.com/simple", "v1.0.0")],
    )
    .await;
    let run = download(tmp.path(), lab.go_env(), SIMPLE).await;
    let d = run.only(K::SumDbMismatch);
    assert_eq!(d.module.as_deref(), Some(SIMPLE));
    let ev = d.checksum.clone().expect("hashes");
    assert_eq!(ev.recorded_in.as_deref(), Some(lab.sumdb_name()));
    let real = lab.module("example.com/simple", "v1.0.0").unwrap().zip_hash;
    assert_eq!(ev.downloaded.as_deref(), Some(real.as_str()));
    assert_ne!(ev.recorded, ev.downloaded);
    assert_info(&d, "GOSUMDB", Some("proxy/unverified-third-party"));
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampered_zip_against_go_sum() {
    let tmp = tempfile::tempdir().unwrap();
    let lab = lab::start(
        &tmp.path().join("lab"),
        false,
        vec![Fault::new(FaultKind::TamperZip).module_version("example.com/simple", "v1.0.0")],
    )
    .await;
    let work = tmp.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    std::fs::write(work.join("go.mod"), "module example.com/main\n\ngo 1.21\n").unwrap();
    let lines = lab.go_sum_lines("example.com/simple", "v1.0.0").unwrap();
    std::fs::write(work.join("go.sum"), &lines).unwrap();
    let run = download(tmp.path(), lab.go_env(), SIMPLE).await;
    // go.sum is consulted before the database: the block names go.sum as the recorded side.
    let d = run.only(K::GoSumMismatch);
    assert_eq!(d.module.as_deref(), Some(SIMPLE));
    let ev = d.checksum.clone().expect("hashes");
    assert_eq!(ev.recorded_in.as_deref(), Some("go.sum"));
    let real = lab.module("example.com/simple", "v1.0.0").unwrap().zip_hash;
    assert_eq!(ev.recorded.as_deref(), Some(real.as_str()));
    assert!(lines.contains(ev.recorded.as_deref().unwrap()));
    assert_ne!(ev.downloaded, ev.recorded);
    assert_info(&d, "go.sum", Some("project/go-sum-conflict"));
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forked_tree_across_two_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let lab = lab::start(
        &tmp.path().join("lab"),
        false,
        vec![Fault::new(FaultKind::ForkedTree).module_version("example.com/simple", "v1.1.0")],
    )
    .await;
    // The first run learns the real tree head; the second meets the fork.
    download(tmp.path(), lab.go_env(), "example.com/major/v2@v2.0.0")
        .await
        .clean();
    let run = download(tmp.path(), lab.go_env(), "example.com/simple@v1.1.0").await;
    let d = run.only(K::SumDbMisbehavior);
    assert_info(&d, "GOSUMDB", Some("sumdb/custom"));
    assert!(
        d.info().wrong_fixes.iter().any(|w| w.contains("pkg/sumdb")),
        "{:?}",
        d.info().wrong_fixes
    );
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rolled_back_tree_is_accepted_by_go() {
    // go keeps the newer head it has seen and checks that the older one served now is a prefix
    // of it, so a rollback on its own makes go print nothing: diagnose must stay silent too
    // (finding rollbacks is probe's job, across runs).
    let tmp = tempfile::tempdir().unwrap();
    let lab = lab::start(&tmp.path().join("lab"), false, vec![]).await;
    let n = lab.tree_size();
    download(tmp.path(), lab.go_env(), SIMPLE).await.clean();
    lab.shutdown().await;
    let lab = lab::start(
        &tmp.path().join("lab"),
        false,
        vec![Fault::new(FaultKind::RolledBack { size: n - 3 })],
    )
    .await;
    let run = download(tmp.path(), lab.go_env(), "example.com/major/v2@v2.0.0").await;
    run.clean();
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_tree_signature() {
    let tmp = tempfile::tempdir().unwrap();
    let lab = lab::start(
        &tmp.path().join("lab"),
        false,
        vec![Fault::new(FaultKind::BadSignature)],
    )
    .await;
    let run = download(tmp.path(), lab.go_env(), SIMPLE).await;
    let d = run.only(K::SumDbBadSignature);
    assert_eq!(d.module.as_deref(), Some(SIMPLE));
    assert!(d.detail.contains("reading tree note"), "{}", d.detail);
    assert_info(&d, "GOSUMDB", Some("sumdb/custom"));
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn foreign_tree_signature() {
    let tmp = tempfile::tempdir().unwrap();
    let lab = lab::start(
        &tmp.path().join("lab"),
        false,
        vec![Fault::new(FaultKind::ForeignSignature)],
    )
    .await;
    let run = download(tmp.path(), lab.go_env(), SIMPLE).await;
    let d = run.only(K::SumDbKeyMismatch);
    assert_info(&d, "GOSUMDB", Some("sumdb/custom"));
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirect_from_https_to_http() {
    let tmp = tempfile::tempdir().unwrap();
    let lab = lab::start(
        &tmp.path().join("lab"),
        true,
        vec![Fault::new(FaultKind::RedirectToHttp).endpoint(Endpoint::Info)],
    )
    .await;
    let run = download(tmp.path(), lab.go_env(), SIMPLE).await;
    let d = run.only(K::InsecureRedirect);
    assert_eq!(d.module.as_deref(), Some(SIMPLE));
    assert_info(&d, "GOPROXY", Some("probe/insecure-redirect"));
    lab.shutdown().await;
}

/// Two labs, the first answering `status` for zips: GOPROXY="<bad>SEP<good>".
async fn fallback(tmp: &Path, status: u16, sep: &str) -> (GoRun, Vec<(String, String)>, String) {
    let bad = lab::builder(&tmp.join("bad"))
        .fault(Fault::new(FaultKind::Status { status }).endpoint(Endpoint::Zip))
        .start()
        .await
        .unwrap();
    let good = lab::builder(&tmp.join("good")).start().await.unwrap();
    let env = with(
        good.go_env(),
        "GOPROXY",
        &format!("{}{sep}{}", bad.proxy_url(), good.proxy_url()),
    );
    let run = download(tmp, env.clone(), SIMPLE).await;
    let bad_url = bad.proxy_url();
    bad.shutdown().await;
    good.shutdown().await;
    (run, env, bad_url)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_error_with_comma_stops() {
    let tmp = tempfile::tempdir().unwrap();
    let (run, env, bad) = fallback(tmp.path(), 500, ",").await;
    // The server's own words (`server response: lab fault: status 500`) are not diagnosed.
    let d = run.only(K::ProxyServerError);
    assert_eq!(run.diagnoses().len(), 1, "{:#?}", run.diagnoses());
    assert!(
        d.detail.contains("500 Internal Server Error"),
        "{}",
        d.detail
    );
    assert_info(&d, "GOPROXY", Some("proxy/fallback-on-any-error"));
    let t = run.traces();
    assert!(
        t.iter()
            .any(|e| e.status == Some(500) && e.url.starts_with(&bad)),
        "{t:#?}"
    );
    assert_eq!(deviations(&run, &env), []);
    assert!(
        run.stderr
            .contains("server response: lab fault: status 500"),
        "{}",
        run.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_error_with_pipe_falls_through() {
    let tmp = tempfile::tempdir().unwrap();
    let (run, env, bad) = fallback(tmp.path(), 500, "|").await;
    run.clean();
    // The trace shows the fall-through: a 500 from the first proxy, then the zip from the second.
    let t = run.traces();
    let zip500 = t
        .iter()
        .position(|e| e.status == Some(500) && e.url.starts_with(&bad))
        .unwrap_or_else(|| panic!("{t:#?}"));
    assert!(
        t[zip500..].iter().any(|e| e.status == Some(200)
            && e.url.ends_with("/example.com/simple/@v/v1.0.0.zip")
            && !e.url.starts_with(&bad)),
        "{t:#?}"
    );
    assert_eq!(deviations(&run, &env), []);
    // Under a GOPROXY naming only the first proxy, the second one is off the route.
    let only_bad = with(env, "GOPROXY", &bad);
    let dev = deviations(&run, &only_bad);
    assert!(
        !dev.is_empty()
            && dev
                .iter()
                .all(|d| d.kind == DeviationKind::ProxyNotInRoute && d.expected == [bad.clone()]),
        "{dev:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_lookup_not_found_for_the_path() {
    for (status, text) in [(404, "404 Not Found"), (410, "410 Gone")] {
        let tmp = tempfile::tempdir().unwrap();
        let lab = lab::start(
            &tmp.path().join("lab"),
            false,
            vec![Fault::new(FaultKind::Status { status }).endpoint(Endpoint::Lookup)],
        )
        .await;
        let run = download(tmp.path(), lab.go_env(), SIMPLE).await;
        let d = run.only(K::SumDbLookupNotFound);
        assert!(d.detail.contains(text), "{}", d.detail);
        assert_eq!(d.module.as_deref(), Some(SIMPLE));
        assert_info(&d, "GONOSUMDB", Some("sumdb/private-path-leak"));
        // The fix is GOPRIVATE; under it, the logged lookup is the path that left.
        let dev = deviations(&run, &with(lab.go_env(), "GOPRIVATE", "example.com/simple"));
        let lookup: Vec<_> = dev
            .iter()
            .filter(|d| d.kind == DeviationKind::PrivatePathToDatabase)
            .collect();
        assert_eq!(lookup.len(), 1, "{dev:#?}");
        assert_eq!(lookup[0].module, "example.com/simple");
        assert!(lookup[0].url.contains("/lookup/example.com/simple@v1.0.0"));
        lab.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_reset() {
    // A stall would need go to time out, and go sets no response timeout on proxy requests
    // (only dial and TLS-handshake timeouts of net/http's default transport, 30 s and 10 s), so
    // the cut connection is exercised with Reset instead.
    let tmp = tempfile::tempdir().unwrap();
    let lab = lab::start(
        &tmp.path().join("lab"),
        false,
        vec![Fault::new(FaultKind::Reset).endpoint(Endpoint::Zip)],
    )
    .await;
    let run = download(tmp.path(), lab.go_env(), SIMPLE).await;
    let d = run.only(K::ConnectionLost);
    assert_info(&d, "GOPROXY", None);
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn truncated_zip() {
    let tmp = tempfile::tempdir().unwrap();
    let lab = lab::start(
        &tmp.path().join("lab"),
        false,
        vec![Fault::new(FaultKind::Truncate { bytes: 100 }).endpoint(Endpoint::Zip)],
    )
    .await;
    let run = download(tmp.path(), lab.go_env(), SIMPLE).await;
    let d = run.only(K::ConnectionLost);
    assert!(d.detail.contains("unexpected EOF"), "{}", d.detail);
    assert_eq!(d.module.as_deref(), Some(SIMPLE));
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn padded_zip_is_not_a_valid_zip() {
    let tmp = tempfile::tempdir().unwrap();
    let lab = lab::start(
        &tmp.path().join("lab"),
        false,
        vec![Fault::new(FaultKind::Oversized { bytes: 1 << 20 }).endpoint(Endpoint::Zip)],
    )
    .await;
    let run = download(tmp.path(), lab.go_env(), SIMPLE).await;
    let d = run.only(K::ZipInvalid);
    assert_info(&d, "GOPROXY", Some("probe/content-mismatch"));
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polluted_version_resolves() {
    let tmp = tempfile::tempdir().unwrap();
    let lab = lab::start(
        &tmp.path().join("lab"),
        false,
        vec![
            Fault::new(FaultKind::Polluted {
                serve: "v1.0.0".into(),
            })
            .module_version("example.com/simple", "v1.9.9"),
        ],
    )
    .await;
    // With the database: it has never seen the version.
    let run = download(tmp.path(), lab.go_env(), "example.com/simple@v1.9.9").await;
    let d = run.only(K::SumDbLookupNotFound);
    assert_eq!(d.module.as_deref(), Some("example.com/simple@v1.9.9"));
    assert!(
        d.info().cause.contains("never recorded"),
        "{}",
        d.info().cause
    );
    // Without it: only the zip's file names give the substitution away.
    let env = with(lab.go_env(), "GONOSUMDB", "example.com/simple");
    let run = download(tmp.path(), env, "example.com/simple@v1.9.9").await;
    let d = run.only(K::ZipUnexpectedFile);
    assert_info(&d, "GOPROXY", Some("probe/not-found-200"));
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plaintext_server_behind_https_url() {
    let tmp = tempfile::tempdir().unwrap();
    let lab = lab::start(
        &tmp.path().join("lab"),
        true,
        vec![Fault::new(FaultKind::PlaintextOnly)],
    )
    .await;
    let run = download(tmp.path(), lab.go_env(), SIMPLE).await;
    let d = run.only(K::PlaintextServer);
    assert_info(&d, "GOPROXY", Some("probe/tls-failed"));
    lab.shutdown().await;
}
