//! `verify proxy` against lab proxies and the lab database: each fault is attributed to the
//! side that caused it (proxy, database or go.sum); a clean lab has no finding.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use gotrust::net::goproxy::SumdbBase;
use gotrust::net::sumdb::{BaseSource, SumdbClient, SumdbConfig};
use gotrust::net::{HttpClient, HttpConfig};
use gotrust::verify::proxy::{
    Artifact, FindingKind, ProxyOptions, ProxyReport, ProxyTarget, Served, Side,
    nonexistent_version, targets_from_args, targets_from_go_sum, verify_proxies,
};
use gotrust::verify::sums::{Database, DatabaseAccess};
use gotrust_lab::{Endpoint, Fault, FaultKind, Lab, RunningLab};

fn modules_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../gotrust-lab/testdata/modules")
}

async fn lab(state: &Path, faults: Vec<Fault>) -> RunningLab {
    let mut b = Lab::builder().modules_dir(modules_dir()).state_dir(state);
    for f in faults {
        b = b.fault(f);
    }
    b.start().await.unwrap()
}

fn http(read_timeout: Duration) -> Arc<HttpClient> {
    Arc::new(
        HttpClient::new(HttpConfig {
            read_timeout,
            connect_timeout: Duration::from_secs(5),
            overall_timeout: Some(Duration::from_secs(20)),
            ..HttpConfig::default()
        })
        .unwrap(),
    )
}

async fn open(lab: &RunningLab, cache: &Path, http: Arc<HttpClient>) -> DatabaseAccess {
    let base = SumdbBase(url::Url::parse(&lab.sumdb_url()).unwrap());
    let client = SumdbClient::new(
        http.clone(),
        SumdbConfig {
            key: lab.verifier_key().to_string(),
            base: base.clone(),
            state_dir: cache.join("sumdb"),
            go_latest: None,
            go_cache: None,
            private: None,
        },
    )
    .await
    .unwrap();
    DatabaseAccess::On(Arc::new(Database::new(
        http,
        client,
        base,
        BaseSource::Explicit,
        "",
    )))
}

const SUM_FILE: &str = "go.sum";

fn go_sum(lab: &RunningLab, mods: &[(&str, &str)]) -> String {
    mods.iter()
        .map(|(p, v)| lab.go_sum_lines(p, v).unwrap())
        .collect()
}

async fn check(
    db_lab: &RunningLab,
    proxies: &[&RunningLab],
    sum: &str,
    timeout: Duration,
) -> ProxyReport {
    let cache = tempfile::tempdir().unwrap();
    let h = http(timeout);
    let db = open(db_lab, cache.path(), h.clone()).await;
    let targets = targets_from_go_sum(Path::new(SUM_FILE), sum.as_bytes()).unwrap();
    verify_proxies(
        h,
        &targets,
        &db,
        &ProxyOptions {
            proxies: proxies.iter().map(|l| l.proxy_url()).collect(),
            concurrency: 4,
            temp_dir: cache.path().to_path_buf(),
            probe_missing: true,
        },
    )
    .await
}

const MODS: &[(&str, &str)] = &[
    ("example.com/simple", "v1.0.0"),
    ("example.com/deps", "v1.0.0"),
    ("example.com/major/v2", "v2.1.0"),
    ("example.com/withinfo", "v1.0.0"),
];

fn failures(r: &ProxyReport) -> Vec<(String, FindingKind, Artifact, Side)> {
    r.modules
        .iter()
        .flat_map(|m| {
            m.findings
                .iter()
                .filter(|f| f.kind.is_failure())
                .map(|f| (m.module.clone(), f.kind, f.artifact, f.blame.clone()))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clean_lab_has_no_findings() {
    let s = tempfile::tempdir().unwrap();
    let l = lab(s.path(), vec![]).await;
    let r = check(&l, &[&l], &go_sum(&l, MODS), Duration::from_secs(10)).await;
    assert_eq!(r.modules.len(), MODS.len());
    for m in &r.modules {
        assert_eq!(m.status, "verified", "{m:?}");
        let src = &m.sources[0];
        assert!(matches!(src.zip, Served::Ok { .. }), "{src:?}");
        assert_eq!(
            src.info,
            Served::Ok {
                value: m.version.clone(),
                size: match src.info {
                    Served::Ok { size, .. } => size,
                    _ => 0,
                }
            }
        );
        assert_eq!(src.listed, Some(true));
    }
    assert!(failures(&r).is_empty(), "{:?}", failures(&r));
    assert_eq!(r.probes.len(), MODS.len());
    assert!(r.probes.iter().all(|p| !p.polluted));
    assert!(!r.failed() && !r.incomplete());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tampered_zip_or_go_mod_is_blamed_on_the_proxy_that_served_it() {
    let (s1, s2) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let good = lab(s1.path(), vec![]).await;
    let bad = lab(
        s2.path(),
        vec![
            Fault::new(FaultKind::TamperZip).module("example.com/simple"),
            Fault::new(FaultKind::TamperGoMod).module("example.com/deps"),
        ],
    )
    .await;
    let r = check(
        &good,
        &[&good, &bad],
        &go_sum(&good, MODS),
        Duration::from_secs(10),
    )
    .await;
    let bad_side = Side::Proxy {
        url: bad.proxy_url(),
    };
    assert_eq!(
        failures(&r),
        [
            (
                "example.com/simple".to_string(),
                FindingKind::Mismatch,
                Artifact::Zip,
                bad_side.clone()
            ),
            (
                "example.com/deps".to_string(),
                FindingKind::Mismatch,
                Artifact::GoMod,
                bad_side
            ),
        ]
    );
    assert!(r.failed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_database_record_is_blamed_on_the_database() {
    let s = tempfile::tempdir().unwrap();
    let l = lab(
        s.path(),
        vec![Fault::new(FaultKind::WrongHash).module("example.com/withinfo")],
    )
    .await;
    let r = check(&l, &[&l], &go_sum(&l, MODS), Duration::from_secs(10)).await;
    assert_eq!(
        failures(&r),
        [(
            "example.com/withinfo".to_string(),
            FindingKind::Mismatch,
            Artifact::Zip,
            Side::Database
        )]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tampered_go_sum_line_is_blamed_on_go_sum_with_its_line() {
    let s = tempfile::tempdir().unwrap();
    let l = lab(s.path(), vec![]).await;
    let sum = go_sum(&l, MODS).replacen(
        "example.com/deps v1.0.0/go.mod h1:",
        "example.com/deps v1.0.0/go.mod h1:AAAA",
        1,
    );
    let r = check(&l, &[&l], &sum, Duration::from_secs(10)).await;
    assert_eq!(
        failures(&r),
        [(
            "example.com/deps".to_string(),
            FindingKind::Mismatch,
            Artifact::GoMod,
            Side::GoSum {
                file: SUM_FILE.into(),
                line: 4
            }
        )]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_polluted_cache_answers_a_version_that_cannot_exist() {
    let s = tempfile::tempdir().unwrap();
    let l = lab(
        s.path(),
        vec![
            Fault::new(FaultKind::Polluted {
                serve: "v1.0.0".into(),
            })
            .module("example.com/simple"),
        ],
    )
    .await;
    let r = check(&l, &[&l], &go_sum(&l, MODS), Duration::from_secs(10)).await;
    let polluted: Vec<_> = r
        .probes
        .iter()
        .filter(|p| p.polluted)
        .map(|p| p.module.as_str())
        .collect();
    assert_eq!(polluted, ["example.com/simple"]);
    assert!(r.failed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_zip_times_out_with_a_clear_error() {
    let s = tempfile::tempdir().unwrap();
    let l = lab(
        s.path(),
        vec![
            Fault::new(FaultKind::Stall {
                after_bytes: 100,
                ms: 30_000,
            })
            .module("example.com/simple")
            .endpoint(Endpoint::Zip),
        ],
    )
    .await;
    let t = std::time::Instant::now();
    let r = check(&l, &[&l], &go_sum(&l, MODS), Duration::from_millis(500)).await;
    assert!(t.elapsed() < Duration::from_secs(15));
    let m = r
        .modules
        .iter()
        .find(|m| m.module == "example.com/simple")
        .unwrap();
    assert_eq!(m.status, "error");
    match &m.sources[0].zip {
        Served::Failed { message } => assert!(message.contains("timeout"), "{message}"),
        z => panic!("{z:?}"),
    }
    assert!(r.incomplete() && !r.failed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_truncated_zip_is_an_error_not_a_verdict() {
    let s = tempfile::tempdir().unwrap();
    let l = lab(
        s.path(),
        vec![
            Fault::new(FaultKind::Truncate { bytes: 50 })
                .module("example.com/simple")
                .endpoint(Endpoint::Zip),
        ],
    )
    .await;
    let r = check(&l, &[&l], &go_sum(&l, MODS), Duration::from_secs(10)).await;
    let m = r
        .modules
        .iter()
        .find(|m| m.module == "example.com/simple")
        .unwrap();
    assert!(matches!(m.sources[0].zip, Served::Failed { .. }), "{m:?}");
    assert_eq!(m.status, "error");
}

#[test]
fn targets_come_from_go_sum_lines_and_arguments() {
    let t = targets_from_go_sum(
        Path::new("go.sum"),
        b"a.example/m v1.0.0 h1:z=\na.example/m v1.0.0/go.mod h1:g=\nb.example/n v0.1.0/go.mod h1:h=\n",
    )
    .unwrap();
    assert_eq!(t.len(), 2);
    assert_eq!(t[0].zip_line, Some((1, "h1:z=".into())));
    assert_eq!(t[0].mod_line, Some((2, "h1:g=".into())));
    assert!(t[0].want_zip);
    // go.mod-only modules are fetched as go fetches them: no zip.
    assert!(!t[1].want_zip);
    let a = targets_from_args(&["example.com/x@v1.2.3".into()]).unwrap();
    assert_eq!(
        a,
        [ProxyTarget {
            module: "example.com/x".into(),
            version: "v1.2.3".into(),
            go_sum_file: None,
            zip_line: None,
            mod_line: None,
            want_zip: true
        }]
    );
    assert!(targets_from_args(&["example.com/x".into()]).is_err());
    assert!(targets_from_args(&["example.com/x/v2@v1.0.0".into()]).is_err());
}

#[test]
fn nonexistent_versions_fit_the_major_version() {
    for p in ["example.com/a", "example.com/a/v2", "gopkg.in/yaml.v3"] {
        let v = nonexistent_version(p);
        gomod::module::check(p, &v).unwrap_or_else(|e| panic!("{p} {v}: {e}"));
    }
}
