//! The net layer against the gotrust lab (an independent proxy + checksum-database server)
//! over HTTPS with its own CA: every module the lab serves is verified end to end, and the
//! lab's faults surface as the typed errors they should.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use gotrust::net::goproxy::Hop;
use gotrust::net::sumdb::{BaseSource, SumdbClient, SumdbClientError, SumdbConfig, resolve_base};
use gotrust::net::{FetchErrorKind, HttpClient, ProxyClient, ProxyError, TimeoutPhase};
use gotrust::settings::proxy::Fallback;
use gotrust_lab::{Endpoint, Fault, FaultKind, RunningLab};
use testkit::lab;

use crate::harness::{lab_http, sumdb_config};

fn hop(url: String) -> Hop {
    Hop::url(&url, Fallback::OnNotFound).unwrap()
}

async fn sumdb(lab: &RunningLab, http: &Arc<HttpClient>, state: &Path) -> SumdbClient {
    let r = resolve_base(http, lab.sumdb_name(), None, &[hop(lab.proxy_url())])
        .await
        .unwrap();
    assert_eq!(r.source, BaseSource::Proxy { hop: 0 });
    SumdbClient::new(
        http.clone(),
        SumdbConfig {
            base: r.base,
            ..sumdb_config(lab, state.join("sumdb"))
        },
    )
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_lab_module_verifies_end_to_end() {
    let tmp = tempfile::tempdir().unwrap();
    let lab = lab::start(&tmp.path().join("lab"), true, Vec::new()).await;
    let http = lab_http(&lab, Duration::from_secs(30));
    let db = sumdb(&lab, &http, tmp.path()).await;
    let proxy = ProxyClient::new(&http, &lab.proxy_url()).unwrap();
    let modules = lab.modules();
    assert!(modules.len() >= 5, "{modules:?}");
    for (path, version) in &modules {
        let zip_line = db.lookup(path, version).await.unwrap().lines;
        let mod_line = db
            .lookup(path, &format!("{version}/go.mod"))
            .await
            .unwrap()
            .lines;
        assert_eq!(
            format!("{}\n{}\n", zip_line.join("\n"), mod_line.join("\n")),
            lab.go_sum_lines(path, version).unwrap(),
            "{path}@{version}"
        );
        let dl = proxy.zip_to_file(path, version, tmp.path()).await.unwrap();
        assert_eq!(
            zip_line[0].rsplit(' ').next().unwrap(),
            dl.h1().await.unwrap(),
            "{path}@{version} zip"
        );
        let (ex, gomod) = proxy.go_mod(path, version).await.unwrap();
        assert_eq!(
            mod_line[0].rsplit(' ').next().unwrap(),
            gomod::dirhash::hash_go_mod(&gomod),
            "{path}@{version} go.mod"
        );
        let chain = ex.tls.expect("https").chain;
        assert!(!chain.is_empty());
    }
    assert_eq!(db.latest().0.n as usize, lab.tree_size());
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lab_faults_become_typed_errors() {
    let simple = "example.com/simple";
    let tmp = tempfile::tempdir().unwrap();
    let lab = lab::start(
        &tmp.path().join("lab"),
        true,
        vec![
            Fault::new(FaultKind::TamperZip).module_version(simple, "v1.0.0"),
            Fault::new(FaultKind::Status { status: 410 })
                .module(simple)
                .endpoint(Endpoint::List),
            Fault::new(FaultKind::Stall {
                after_bytes: 10,
                ms: 5_000,
            })
            .module(simple)
            .endpoint(Endpoint::Mod),
            Fault::new(FaultKind::Oversized { bytes: 4 << 20 })
                .module(simple)
                .endpoint(Endpoint::Info),
        ],
    )
    .await;
    let http = lab_http(&lab, Duration::from_millis(500));
    let db = sumdb(&lab, &http, tmp.path()).await;
    let proxy = ProxyClient::new(&http, &lab.proxy_url()).unwrap();

    // A tampered zip: the database's proven hash and the download's hash differ.
    let line = db.lookup(simple, "v1.0.0").await.unwrap().lines;
    let dl = proxy
        .zip_to_file(simple, "v1.0.0", tmp.path())
        .await
        .unwrap();
    assert_ne!(line[0].rsplit(' ').next().unwrap(), dl.h1().await.unwrap());
    // 410 is not-found class.
    assert!(proxy.list(simple).await.unwrap_err().is_not_found());
    // A stalled body times out.
    match proxy.go_mod(simple, "v1.0.0").await.unwrap_err() {
        ProxyError::Fetch(e) => assert_eq!(
            e.kind,
            FetchErrorKind::Timeout {
                phase: TimeoutPhase::Read
            }
        ),
        e => panic!("{e:?}"),
    }
    // An oversized .info hits the cap.
    match proxy.info(simple, "v1.0.0").await.unwrap_err() {
        ProxyError::Fetch(e) => assert!(matches!(e.kind, FetchErrorKind::TooLarge { .. })),
        e => panic!("{e:?}"),
    }
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lab_database_misbehaviour_is_caught() {
    let tmp = tempfile::tempdir().unwrap();
    let lab = lab::start(
        &tmp.path().join("lab"),
        true,
        vec![Fault::new(FaultKind::ForkedTree).module("example.com/simple")],
    )
    .await;
    let http = lab_http(&lab, Duration::from_secs(30));
    let db = sumdb(&lab, &http, tmp.path()).await;
    let (path, version) = lab
        .modules()
        .into_iter()
        .find(|(p, _)| p != "example.com/simple")
        .unwrap();
    db.lookup(&path, &version).await.unwrap();
    let e = db.lookup("example.com/simple", "v1.0.0").await.unwrap_err();
    match e.error {
        SumdbClientError::Fork(ev) => {
            assert_eq!(ev.older.n, ev.newer.n, "same size, different hash");
            assert!(ev.report.starts_with("SECURITY ERROR\n"));
        }
        other => panic!("{other:?}"),
    }
    lab.shutdown().await;

    for (kind, want) in [
        (FaultKind::BadSignature, "reading tree note: "),
        (
            FaultKind::ForeignSignature,
            "reading tree note: note has no verifiable signatures",
        ),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let lab = lab::start(&tmp.path().join("lab"), true, vec![Fault::new(kind)]).await;
        let http = lab_http(&lab, Duration::from_secs(30));
        let db = sumdb(&lab, &http, tmp.path()).await;
        let e = db.lookup("example.com/simple", "v1.0.0").await.unwrap_err();
        assert!(
            e.to_string()
                .starts_with(&format!("example.com/simple@v1.0.0: {want}")),
            "{e}"
        );
        lab.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lab_transport_faults() {
    for (kind, check) in [
        (FaultKind::UntrustedCert, "tls"),
        (FaultKind::RedirectToHttp, "redirect"),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let lab = lab::start(&tmp.path().join("lab"), true, vec![Fault::new(kind)]).await;
        let http = lab_http(&lab, Duration::from_secs(30));
        let proxy = ProxyClient::new(&http, &lab.proxy_url()).unwrap();
        let e = proxy.list("example.com/simple").await.unwrap_err();
        let ProxyError::Fetch(f) = &e else {
            panic!("{e:?}")
        };
        match check {
            "tls" => assert!(matches!(f.kind, FetchErrorKind::Tls { .. }), "{e}"),
            _ => assert!(
                matches!(f.kind, FetchErrorKind::InsecureRedirect { .. }),
                "{e}"
            ),
        }
        lab.shutdown().await;
    }
}
