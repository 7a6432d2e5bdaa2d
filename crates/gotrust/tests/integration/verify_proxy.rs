//! `verify proxy` against lab proxies and the lab database: each fault is attributed to the
//! side that caused it (proxy, database or go.sum); a clean lab has no finding.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use gotrust::net::HttpClient;
use gotrust::verify::proxy::{
    Artifact, FindingKind, ProxyOptions, ProxyReport, ProxyTarget, Served, Side,
    nonexistent_version, targets_from_args, targets_from_go_sum, verify_proxies,
};
use gotrust::verify::sums::DatabaseAccess;
use gotrust_lab::{Endpoint, Fault, FaultKind, Lab, RunningLab};
use testkit::lab;

use crate::harness::{http, lab_database_on, lab_http};

async fn open(lab: &RunningLab, cache: &Path, http: Arc<HttpClient>) -> DatabaseAccess {
    lab_database_on(lab, http, &cache.join("sumdb"), "").await
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
    let l = lab::start(s.path(), false, vec![]).await;
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
    let good = lab::start(s1.path(), false, vec![]).await;
    let bad = lab::start(
        s2.path(),
        false,
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
    let l = lab::start(
        s.path(),
        false,
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
    let l = lab::start(s.path(), false, vec![]).await;
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
    let l = lab::start(
        s.path(),
        false,
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
    let l = lab::start(
        s.path(),
        false,
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
    let l = lab::start(
        s.path(),
        false,
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

fn module<'a>(r: &'a ProxyReport, path: &str) -> &'a gotrust::verify::proxy::ModuleResult {
    r.modules.iter().find(|m| m.module == path).unwrap()
}

/// The failures that blame a proxy.
fn blamed_proxies(r: &ProxyReport) -> Vec<(String, FindingKind)> {
    failures(r)
        .into_iter()
        .filter(|(_, _, _, s)| matches!(s, Side::Proxy { .. }))
        .map(|(m, k, _, _)| (m, k))
        .collect()
}

/// Tree notes with a corrupted signature, or signed by a stranger under the database's name:
/// the database is blamed for every module (its answers did not verify) and no proxy is.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unverifiable_database_is_blamed_not_the_proxy() {
    for kind in [FaultKind::ForeignSignature, FaultKind::BadSignature] {
        let s = tempfile::tempdir().unwrap();
        let l = lab::start(s.path(), false, vec![Fault::new(kind.clone())]).await;
        let r = check(&l, &[&l], &go_sum(&l, MODS), Duration::from_secs(10)).await;
        let got = failures(&r);
        assert_eq!(got.len(), MODS.len(), "{kind:?}: {got:?}");
        for (m, k, a, side) in &got {
            assert_eq!(
                (k, a, side),
                (
                    &FindingKind::DatabaseInvalid,
                    &Artifact::Record,
                    &Side::Database
                ),
                "{kind:?} {m}"
            );
        }
        assert!(blamed_proxies(&r).is_empty());
        assert!(
            matches!(
                r.head,
                Some(gotrust::verify::sums::HeadCheck::Invalid { .. })
            ),
            "{kind:?}: {:?}",
            r.head
        );
        assert!(r.failed());
    }
}

/// A connection reset on one zip is no verdict on anything: an error, nobody blamed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_is_an_error_not_a_verdict() {
    let s = tempfile::tempdir().unwrap();
    let l = lab::start(
        s.path(),
        false,
        vec![
            Fault::new(FaultKind::Reset)
                .module("example.com/simple")
                .endpoint(Endpoint::Zip),
        ],
    )
    .await;
    let r = check(&l, &[&l], &go_sum(&l, MODS), Duration::from_secs(10)).await;
    let m = module(&r, "example.com/simple");
    assert_eq!(m.status, "error");
    assert!(matches!(m.sources[0].zip, Served::Failed { .. }), "{m:?}");
    assert!(failures(&r).is_empty(), "{:?}", failures(&r));
    assert!(r.incomplete() && !r.failed());
    for (p, _) in &MODS[1..] {
        assert_eq!(module(&r, p).status, "verified", "{p}");
    }
}

/// Bodies over go's limits are cut off at the limit with an error naming it (16 MiB for a
/// go.mod, 1 MiB for .info), not read to the end.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_answers_stop_at_gos_limits() {
    let s = tempfile::tempdir().unwrap();
    let l = lab::start(
        s.path(),
        false,
        vec![
            Fault::new(FaultKind::Oversized { bytes: 17 << 20 })
                .module("example.com/simple")
                .endpoint(Endpoint::Mod),
            Fault::new(FaultKind::Oversized { bytes: 2 << 20 })
                .module("example.com/deps")
                .endpoint(Endpoint::Info),
        ],
    )
    .await;
    let r = check(&l, &[&l], &go_sum(&l, MODS), Duration::from_secs(10)).await;
    let m = module(&r, "example.com/simple");
    match &m.sources[0].go_mod {
        Served::Failed { message } => {
            assert!(message.contains("larger than 16777216 bytes"), "{message}")
        }
        x => panic!("{x:?}"),
    }
    assert_eq!(m.status, "error");
    let m = module(&r, "example.com/deps");
    match &m.sources[0].info {
        Served::Failed { message } => {
            assert!(message.contains("larger than 1048576 bytes"), "{message}")
        }
        x => panic!("{x:?}"),
    }
    assert!(blamed_proxies(&r).is_empty());
}

/// A 500 on one artifact is an error for that module only; a 404 for a version the proxy
/// lists in @v/list is the proxy contradicting itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn per_artifact_status_errors() {
    let s = tempfile::tempdir().unwrap();
    let l = lab::start(
        s.path(),
        false,
        vec![
            Fault::new(FaultKind::Status { status: 500 })
                .module("example.com/simple")
                .endpoint(Endpoint::Zip),
            Fault::new(FaultKind::Status { status: 404 })
                .module("example.com/deps")
                .endpoint(Endpoint::Mod),
        ],
    )
    .await;
    let r = check(&l, &[&l], &go_sum(&l, MODS), Duration::from_secs(10)).await;
    let simple = module(&r, "example.com/simple");
    assert_eq!(simple.status, "error");
    match &simple.sources[0].zip {
        Served::Failed { message } => assert!(message.contains("500"), "{message}"),
        x => panic!("{x:?}"),
    }
    let deps = module(&r, "example.com/deps");
    assert!(matches!(deps.sources[0].go_mod, Served::NotFound { .. }));
    assert_eq!(deps.status, "error", "no proxy served its go.mod");
    let listed: Vec<_> = deps
        .findings
        .iter()
        .filter(|f| f.kind == FindingKind::ListedNotServed)
        .collect();
    assert_eq!(listed.len(), 1, "{:?}", deps.findings);
    assert!(matches!(listed[0].blame, Side::Proxy { .. }));
    assert!(listed[0].message.contains(".mod"), "{}", listed[0].message);
    assert_eq!(module(&r, "example.com/major/v2").status, "verified");
    assert!(!r.failed() && r.incomplete());
}

/// A TLS proxy whose certificate comes from a CA the client does not trust: an x509 error
/// naming the host, and no verdict.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_untrusted_certificate_is_a_clear_x509_error() {
    let (s1, s2) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let db_lab = lab::start(s1.path(), false, vec![]).await;
    let tls = lab::start(s2.path(), true, vec![Fault::new(FaultKind::UntrustedCert)]).await;
    let h = lab_http(&tls, Duration::from_secs(10));
    let cache = tempfile::tempdir().unwrap();
    let db = open(&db_lab, cache.path(), h.clone()).await;
    let sum = go_sum(&db_lab, &MODS[..1]);
    let targets = targets_from_go_sum(Path::new(SUM_FILE), sum.as_bytes()).unwrap();
    let r = verify_proxies(
        h,
        &targets,
        &db,
        &ProxyOptions {
            proxies: vec![tls.proxy_url()],
            concurrency: 2,
            temp_dir: cache.path().to_path_buf(),
            probe_missing: false,
        },
    )
    .await;
    let m = module(&r, "example.com/simple");
    assert_eq!(m.status, "error");
    let host = tls.addr().to_string();
    for served in [&m.sources[0].info, &m.sources[0].go_mod, &m.sources[0].zip] {
        match served {
            Served::Failed { message } => {
                assert!(message.contains("x509:"), "{message}");
                assert!(message.contains(&host), "{message}");
            }
            x => panic!("{x:?}"),
        }
    }
    assert!(failures(&r).is_empty());
}

/// Fixtures the lab serves as written: an `.info` naming another version, and one whose
/// `Origin` go cannot decode.
fn bad_info_modules() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    let fixture = |name: &str, path: &str, info: &str| {
        std::fs::write(
            d.path().join(name),
            format!(
                "{path}@v1.0.0: bad info\n-- .info --\n{info}\n-- .mod --\nmodule {path}\n-- go.mod --\nmodule {path}\n-- a.go --\npackage a\n"
            ),
        )
        .unwrap();
    };
    fixture(
        "example.com_wrongversion_v1.0.0.txt",
        "example.com/wrongversion",
        r#"{"Version":"v1.0.1","Time":"2021-02-03T04:05:06Z"}"#,
    );
    fixture(
        "example.com_badorigin_v1.0.0.txt",
        "example.com/badorigin",
        r#"{"Version":"v1.0.0","Time":"2021-02-03T04:05:06Z","Origin":{"VCS":"git","Hash":7}}"#,
    );
    d
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_info_version_or_an_undecodable_origin_is_blamed_on_the_proxy() {
    let (s, mods) = (tempfile::tempdir().unwrap(), bad_info_modules());
    let l = Lab::builder()
        .modules_dir(mods.path())
        .state_dir(s.path())
        .start()
        .await
        .unwrap();
    let sum = go_sum(
        &l,
        &[
            ("example.com/wrongversion", "v1.0.0"),
            ("example.com/badorigin", "v1.0.0"),
        ],
    );
    let r = check(&l, &[&l], &sum, Duration::from_secs(10)).await;
    let mut got = blamed_proxies(&r);
    got.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        got,
        [
            ("example.com/badorigin".to_string(), FindingKind::BadInfo),
            ("example.com/wrongversion".to_string(), FindingKind::BadInfo),
        ]
    );
    let msg = |p: &str| {
        module(&r, p)
            .findings
            .iter()
            .find(|f| f.kind == FindingKind::BadInfo)
            .unwrap()
            .message
            .clone()
    };
    assert!(
        msg("example.com/wrongversion").contains("instead of requested version"),
        "{}",
        msg("example.com/wrongversion")
    );
    assert!(
        msg("example.com/badorigin").contains("Origin"),
        "{}",
        msg("example.com/badorigin")
    );
    assert!(r.failed());
}

/// A version the proxy serves (from a polluted cache) but does not list is reported as
/// unlisted, blamed on that proxy.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_served_version_missing_from_the_list_is_unlisted() {
    let s = tempfile::tempdir().unwrap();
    let l = lab::start(
        s.path(),
        false,
        vec![
            Fault::new(FaultKind::Polluted {
                serve: "v1.0.0".into(),
            })
            .module("example.com/simple"),
        ],
    )
    .await;
    let cache = tempfile::tempdir().unwrap();
    let h = http(Duration::from_secs(10));
    let db = open(&l, cache.path(), h.clone()).await;
    let targets = targets_from_args(&["example.com/simple@v1.9.9".to_string()]).unwrap();
    let r = verify_proxies(
        h,
        &targets,
        &db,
        &ProxyOptions {
            proxies: vec![l.proxy_url()],
            concurrency: 2,
            temp_dir: cache.path().to_path_buf(),
            probe_missing: false,
        },
    )
    .await;
    let m = module(&r, "example.com/simple");
    assert_eq!(m.sources[0].listed, Some(false));
    let unlisted: Vec<_> = m
        .findings
        .iter()
        .filter(|f| f.kind == FindingKind::Unlisted)
        .collect();
    assert_eq!(unlisted.len(), 1, "{:?}", m.findings);
    assert!(matches!(unlisted[0].blame, Side::Proxy { .. }));
}

/// A proxy that refuses a module (403, as the filters in front of real proxies do) gets the
/// module reported as refused, not as an error or as missing; its answer to a version that
/// cannot exist is judged as `gotrust probe` judges it (a `,` list stops at a 403).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_module_and_refused_probe_are_judged_like_probe() {
    use gotrust::net::goproxy::{AnswerClass, answer_class};
    use gotrust::report::Report;
    use gotrust::verify::proxy_output;
    let s = tempfile::tempdir().unwrap();
    let l = lab::start(
        s.path(),
        false,
        [Endpoint::List, Endpoint::Info, Endpoint::Mod, Endpoint::Zip]
            .into_iter()
            .map(|e| {
                Fault::new(FaultKind::Status { status: 403 })
                    .module("example.com/simple")
                    .endpoint(e)
            })
            .collect(),
    )
    .await;
    let r = check(&l, &[&l], &go_sum(&l, MODS), Duration::from_secs(10)).await;
    let simple = module(&r, "example.com/simple");
    assert_eq!(simple.status, "refused", "{simple:?}");
    assert!(
        matches!(simple.sources[0].info, Served::Refused { status: 403, .. }),
        "{simple:?}"
    );
    assert_eq!(module(&r, "example.com/deps").status, "verified");
    let probe = r
        .probes
        .iter()
        .find(|p| p.module == "example.com/simple")
        .unwrap();
    assert_eq!(probe.not_found_status, Some(403));
    assert!(!probe.polluted);
    let report = Report::new(proxy_output::findings(&r));
    let ids: Vec<&str> = report.findings().iter().map(|f| f.rule.id).collect();
    assert!(ids.contains(&"verify/proxy-refused"), "{ids:?}");
    // The rule `gotrust probe` reports for the same answer.
    assert!(ids.contains(&"probe/not-found-status"), "{ids:?}");
    assert!(!r.failed());
    // The one judgement both commands use.
    let e = gotrust::net::ProxyError::Fetch(gotrust::net::FetchError {
        url: "https://p.example/m/@v/x.info".into(),
        kind: gotrust::net::FetchErrorKind::Status {
            status: 403,
            reason: "Forbidden".into(),
            server_message: None,
        },
    });
    assert_eq!(answer_class(&e), AnswerClass::Refused { status: 403 });
    assert!(!answer_class(&e).falls_through());
}

/// A go.sum named on the command line is read whatever its name, `@` included (go.sum files
/// in the module cache live under `path@version/`).
#[test]
fn any_existing_file_is_a_go_sum() {
    use gotrust::verify::proxy_output::is_go_sum_file;
    let d = tempfile::tempdir().unwrap();
    let dir = d.path().join("example.com/m@v1.0.0");
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("go.sum");
    std::fs::write(&f, "").unwrap();
    let other = d.path().join("deps.txt");
    std::fs::write(&other, "").unwrap();
    assert!(is_go_sum_file(f.to_str().unwrap()));
    assert!(is_go_sum_file(other.to_str().unwrap()));
    assert!(!is_go_sum_file("example.com/m@v1.0.0"));
}

/// A module version the database does not know fails closed, with go's error text.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn module_not_in_database_fails_with_gos_text() {
    use gotrust::report::Report;
    use gotrust::verify::proxy_output;
    let s = tempfile::tempdir().unwrap();
    let l = lab::start(s.path(), false, vec![]).await;
    let cache = tempfile::tempdir().unwrap();
    let h = http(Duration::from_secs(10));
    let db = open(&l, cache.path(), h.clone()).await;
    let targets = targets_from_args(&["example.com/nowhere@v1.0.0".to_string()]).unwrap();
    let r = verify_proxies(
        h,
        &targets,
        &db,
        &ProxyOptions {
            proxies: vec![l.proxy_url()],
            concurrency: 4,
            temp_dir: cache.path().to_path_buf(),
            probe_missing: false,
        },
    )
    .await;
    assert_eq!(r.modules[0].status, "not-in-database");
    assert!(r.failed());
    let report = Report::new(proxy_output::findings(&r));
    let f = report
        .findings()
        .iter()
        .find(|f| f.rule.id == "verify/not-in-database")
        .expect("finding");
    assert!(
        f.message.starts_with(
            "example.com/nowhere@v1.0.0: verifying module: example.com/nowhere@v1.0.0: reading "
        ),
        "{}",
        f.message
    );
    assert!(
        report
            .findings()
            .iter()
            .any(|f| f.rule.id == "verify/nothing-verified")
    );
}
