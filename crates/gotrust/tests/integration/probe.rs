//! `gotrust::probe` against the lab over loopback: a clean lab (HTTP, and HTTPS with its CA
//! trusted as SSL_CERT_FILE would) and one lab fault per rule.
//!
//! What a clean lab legitimately gives (documented in the report): over HTTP on loopback, no
//! finding (plain HTTP to 127.0.0.1 leaves nothing on the network); over HTTPS, no finding
//! either: the lab CA is not a public root, but on a loopback host that is reported as an
//! `info` check, not as `probe/tls-interception`. Interception of a real host name is tested
//! through the lab's forward proxy (`interception_*` below).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use gotrust::net::tls::{RootSource, TlsVersion};
use gotrust::net::{HttpClient, HttpConfig};
use gotrust::probe::{Outcome, ProbeOptions, ProxyProbe, Verdict, parse_module};
use gotrust::settings::sumdb::SumDb;
use gotrust_lab::{Endpoint, Fault, FaultKind, RunningLab};
use std::time::Duration;
use testkit::lab;

use crate::harness::lab_http;

fn options(lab: &RunningLab, tmp: &Path, module: Option<&str>) -> ProbeOptions {
    let mut o = ProbeOptions::new(tmp.join("work"));
    o.nonce = "test1".into();
    o.module = module.map(|m| parse_module(m).unwrap());
    o.sumdb = match SumDb::parse(&format!("{} {}", lab.verifier_key(), lab.sumdb_url())).unwrap() {
        SumDb::Db(db) => Some(*db),
        other => panic!("{other:?}"),
    };
    o
}

const SIMPLE: &str = "example.com/simple@v1.0.0";

async fn run(lab: &RunningLab, tmp: &Path, module: Option<&str>) -> ProxyProbe {
    let http = lab_http(lab, Duration::from_secs(10));
    gotrust::probe::probe(&http, &lab.proxy_url(), &options(lab, tmp, module))
        .await
        .unwrap()
}

fn outcome(p: &ProxyProbe, name: &str) -> Outcome {
    p.check(name)
        .unwrap_or_else(|| panic!("no check {name}: {:#?}", p.checks))
        .outcome
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clean_http_lab_has_no_findings() {
    let tmp = tempfile::tempdir().unwrap();
    let lab = lab::start(&tmp.path().join("lab"), false, vec![]).await;
    let p = run(&lab, tmp.path(), Some(SIMPLE)).await;
    assert_eq!(p.verdict, Verdict::Complete);
    assert!(p.findings.is_empty(), "{:#?}", p.findings);
    for name in [
        "not-found.module",
        "not-found.version",
        "list",
        "info",
        "zip",
        "sumdb.supported",
        "sumdb.lookup",
        "content",
        "redirects",
    ] {
        assert_eq!(outcome(&p, name), Outcome::Pass, "{name}: {:#?}", p.checks);
    }
    assert_eq!(outcome(&p, "transport"), Outcome::Info);
    assert!(p.tls.is_none());
    assert_eq!(p.http_version.as_deref(), Some("HTTP/1.1"));
    let lat = p.latency.unwrap();
    assert!(lat.count >= 6 && lat.min <= lat.median && lat.median <= lat.max);
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clean_https_lab_reports_chain_and_no_findings() {
    let tmp = tempfile::tempdir().unwrap();
    let lab = lab::start(&tmp.path().join("lab"), true, vec![]).await;
    let p = run(&lab, tmp.path(), Some(SIMPLE)).await;
    assert!(p.findings.is_empty(), "{:#?}", p.findings);
    let tls = p.tls.as_ref().expect("https");
    assert!(!tls.chain.is_empty());
    assert!(tls.verified);
    assert_eq!(tls.root_public, Some(false));
    // The lab speaks rustls' defaults (1.2 and 1.3) and offers only http/1.1 by ALPN.
    assert_eq!(tls.version, Some(TlsVersion::Tls13));
    assert_eq!(tls.alpn.as_deref(), Some("http/1.1"));
    assert_eq!(p.http_version.as_deref(), Some("HTTP/1.1"));
    assert_eq!(outcome(&p, "tls"), Outcome::Info);
    assert_eq!(outcome(&p, "tls.verify"), Outcome::Pass);
    let detail = &p.check("tls").unwrap().detail;
    assert!(
        detail.starts_with("TLSv1.3 (ALPN http/1.1), direct: ")
            && detail.contains("issued by CN=gotrust lab CA"),
        "{detail}"
    );
    let json = serde_json::to_value(&p).unwrap();
    assert_eq!(json["tls"]["version"], "TLSv1.3");
    assert_eq!(json["tls"]["alpn"], "http/1.1");
    // Private CA on loopback: shown, not a finding.
    assert_eq!(outcome(&p, "tls.root"), Outcome::Info);
    assert_eq!(outcome(&p, "content"), Outcome::Pass);
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn near_expiry_is_a_finding() {
    let tmp = tempfile::tempdir().unwrap();
    let lab = lab::start(&tmp.path().join("lab"), true, vec![]).await;
    let http = lab_http(&lab, Duration::from_secs(10));
    let mut o = options(&lab, tmp.path(), Some(SIMPLE));
    let first = gotrust::probe::probe(&http, &lab.proxy_url(), &o)
        .await
        .unwrap();
    let chain = first.tls.unwrap().chain;
    let soonest = chain.iter().map(|c| c.not_after_unix).min().unwrap();
    // Judge the chain three days before its first certificate expires.
    o.now_unix = soonest - 3 * 86_400;
    let p = gotrust::probe::probe(&http, &lab.proxy_url(), &o)
        .await
        .unwrap();
    assert_eq!(
        p.finding_ids(),
        ["probe/cert-expiring"],
        "{:#?}",
        p.findings
    );
    assert!(
        p.findings[0].message.contains("(3 days left)"),
        "{}",
        p.findings[0].message
    );
    // Outside the window: nothing.
    o.now_unix = soonest - gotrust::probe::DEFAULT_NEAR_EXPIRY_SECS - 86_400;
    let p = gotrust::probe::probe(&http, &lab.proxy_url(), &o)
        .await
        .unwrap();
    assert!(p.findings.is_empty(), "{:#?}", p.findings);
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polluted_version_is_not_found_200() {
    let tmp = tempfile::tempdir().unwrap();
    let lab = lab::start(
        &tmp.path().join("lab"),
        false,
        vec![Fault::new(FaultKind::Polluted {
            serve: "v1.0.0".into(),
        })],
    )
    .await;
    let p = run(&lab, tmp.path(), Some(SIMPLE)).await;
    assert_eq!(
        p.finding_ids(),
        ["probe/not-found-200"],
        "{:#?}",
        p.findings
    );
    assert_eq!(outcome(&p, "not-found.version"), Outcome::Fail);
    // The made-up module is still 404: only known modules are polluted.
    assert_eq!(outcome(&p, "not-found.module"), Outcome::Pass);
    let f = &p.findings[0];
    assert!(
        f.message
            .contains("example.com/simple@v0.0.1-gotrust-probe.test1"),
        "{}",
        f.message
    );
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors_for_missing_modules_break_fallback() {
    let tmp = tempfile::tempdir().unwrap();
    let lab = lab::start(
        &tmp.path().join("lab"),
        false,
        vec![Fault::new(FaultKind::Status { status: 500 }).path_prefix("/gotrust.invalid/")],
    )
    .await;
    let p = run(&lab, tmp.path(), Some(SIMPLE)).await;
    assert_eq!(
        p.finding_ids(),
        ["probe/not-found-status"],
        "{:#?}",
        p.findings
    );
    assert!(
        p.findings[0].message.contains("500"),
        "{}",
        p.findings[0].message
    );
    assert_eq!(outcome(&p, "not-found.module"), Outcome::Fail);
    assert_eq!(outcome(&p, "content"), Outcome::Pass);
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_to_http_redirect_is_a_finding() {
    let tmp = tempfile::tempdir().unwrap();
    let lab = lab::start(
        &tmp.path().join("lab"),
        true,
        vec![Fault::new(FaultKind::RedirectToHttp)],
    )
    .await;
    let p = run(&lab, tmp.path(), Some(SIMPLE)).await;
    assert_eq!(
        p.finding_ids(),
        ["probe/insecure-redirect"],
        "{:#?}",
        p.findings
    );
    assert!(
        p.findings[0].message.contains("to insecure URL http://"),
        "{}",
        p.findings[0].message
    );
    assert_eq!(outcome(&p, "redirects"), Outcome::Fail);
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn untrusted_certificate_is_a_finding_with_x509_detail() {
    let tmp = tempfile::tempdir().unwrap();
    let lab = lab::start(
        &tmp.path().join("lab"),
        true,
        vec![Fault::new(FaultKind::UntrustedCert)],
    )
    .await;
    let p = run(&lab, tmp.path(), Some(SIMPLE)).await;
    // On loopback an unknown CA is a broken server, not a network in between: no
    // interception finding, only go's failure.
    assert_eq!(p.finding_ids(), ["probe/tls-failed"], "{:#?}", p.findings);
    let failed = &p.findings[0];
    assert!(
        failed.message.contains(
            "tls: failed to verify certificate: x509: certificate signed by unknown authority"
        ),
        "{}",
        failed.message
    );
    assert_eq!(outcome(&p, "tls.verify"), Outcome::Fail);
    assert_eq!(p.verdict, Verdict::Complete);
    // Verification failed, yet the presented chain is reported: the lab's other CA issued it.
    let tls = p.tls.as_ref().expect("presented chain");
    assert!(!tls.verified);
    assert_eq!(tls.version, Some(TlsVersion::Tls13));
    assert_eq!(tls.root_public, Some(false));
    let leaf = &tls.chain[0];
    assert_eq!(leaf.issuer, "CN=gotrust lab untrusted CA");
    assert!(
        leaf.sans.iter().any(|n| n == "127.0.0.1"),
        "{:?}",
        leaf.sans
    );
    assert!(leaf.not_after_unix > 0);
    assert_eq!(outcome(&p, "tls.root"), Outcome::Info);
    assert!(
        p.check("tls.root").unwrap().detail
            == "not a public root (Mozilla's root program, webpki-roots 1.0.10): CN=gotrust lab untrusted CA, not in go's trust store",
        "{}",
        p.check("tls.root").unwrap().detail
    );
    assert_eq!(outcome(&p, "tls.interception"), Outcome::Info);
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_not_supported_is_info() {
    let tmp = tempfile::tempdir().unwrap();
    let lab = lab::start(
        &tmp.path().join("lab"),
        false,
        vec![Fault::new(FaultKind::Status { status: 404 }).endpoint(Endpoint::Supported)],
    )
    .await;
    let p = run(&lab, tmp.path(), Some(SIMPLE)).await;
    assert_eq!(
        p.finding_ids(),
        ["probe/sumdb-not-supported"],
        "{:#?}",
        p.findings
    );
    assert_eq!(p.findings[0].severity, gotrust::report::Severity::Info);
    assert_eq!(outcome(&p, "sumdb.supported"), Outcome::Info);
    // GOSUMDB names the database URL, so the lookup still runs there.
    assert_eq!(outcome(&p, "content"), Outcome::Pass);
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_errors_are_findings() {
    let tmp = tempfile::tempdir().unwrap();
    let lab = lab::start(
        &tmp.path().join("lab"),
        false,
        vec![Fault::new(FaultKind::Status { status: 503 }).endpoint(Endpoint::Supported)],
    )
    .await;
    let p = run(&lab, tmp.path(), Some(SIMPLE)).await;
    assert_eq!(p.finding_ids(), ["probe/sumdb-error"], "{:#?}", p.findings);
    assert_eq!(outcome(&p, "sumdb.supported"), Outcome::Fail);
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampered_zip_is_a_content_mismatch() {
    let tmp = tempfile::tempdir().unwrap();
    let lab = lab::start(
        &tmp.path().join("lab"),
        false,
        vec![Fault::new(FaultKind::TamperZip).module_version("example.com/simple", "v1.0.0")],
    )
    .await;
    let p = run(&lab, tmp.path(), Some(SIMPLE)).await;
    assert_eq!(
        p.finding_ids(),
        ["probe/content-mismatch"],
        "{:#?}",
        p.findings
    );
    assert!(
        p.findings[0].message.contains("zip: proxy h1:"),
        "{}",
        p.findings[0].message
    );
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_module_the_well_known_one_is_tried_then_skipped() {
    let tmp = tempfile::tempdir().unwrap();
    let lab = lab::start(&tmp.path().join("lab"), false, vec![]).await;
    let p = run(&lab, tmp.path(), None).await;
    assert!(p.findings.is_empty(), "{:#?}", p.findings);
    assert_eq!(outcome(&p, "module"), Outcome::Skip);
    assert!(p.check("list").is_none());
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_proxy_has_no_verdict() {
    // Bind then drop a listener: nothing listens on that port afterwards.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let tmp = tempfile::tempdir().unwrap();
    let http = Arc::new(HttpClient::new(HttpConfig::default()).unwrap());
    let mut o = ProbeOptions::new(tmp.path().join("work"));
    o.nonce = "x".into();
    let p = gotrust::probe::probe(&http, &format!("http://127.0.0.1:{port}"), &o)
        .await
        .unwrap();
    assert_eq!(p.verdict, Verdict::Unreachable);
    assert!(p.findings.is_empty());
    assert_eq!(outcome(&p, "not-found.module"), Outcome::Fail);
}

#[test]
fn bad_inputs_are_errors() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let http = Arc::new(HttpClient::new(HttpConfig::default()).unwrap());
    let o = ProbeOptions::new("/nonexistent");
    let e = rt
        .block_on(gotrust::probe::probe(&http, "ftp://x", &o))
        .unwrap_err();
    assert!(e.to_string().contains("invalid proxy URL"), "{e}");
    assert!(parse_module("example.com/x@latest").is_err());
}

/// A one-shot HTTPS server speaking only `versions`, with a CA of its own; returns the port
/// and the CA PEM. Each connection gets `200 ok` and is closed.
async fn tls_server(
    versions: &[&'static tokio_rustls::rustls::SupportedProtocolVersion],
    alpn: &[&[u8]],
) -> (u16, String) {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio_rustls::rustls::{self, pki_types};

    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(rcgen::DnType::CommonName, "probe test CA");
    let ca_key = KeyPair::generate().unwrap();
    let ca_pem = ca.self_signed(&ca_key).unwrap().pem();
    let issuer = Issuer::new(ca, ca_key);
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["127.0.0.1".to_string()])
        .unwrap()
        .signed_by(&leaf_key, &issuer)
        .unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(versions)
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![pki_types::CertificateDer::from(leaf.der().to_vec())],
            pki_types::PrivateKeyDer::Pkcs8(pki_types::PrivatePkcs8KeyDer::from(
                leaf_key.serialize_der(),
            )),
        )
        .unwrap();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut s) = acceptor.accept(tcp).await else {
                    return;
                };
                let mut buf = [0u8; 4096];
                let _ = s.read(&mut buf).await;
                let _ = s
                    .write_all(
                        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
                    )
                    .await;
                let _ = s.shutdown().await;
            });
        }
    });
    (port, ca_pem)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn negotiated_tls_version_is_reported() {
    use tokio_rustls::rustls::version::{TLS12, TLS13};
    let tmp = tempfile::tempdir().unwrap();
    for (versions, alpn, want, want_alpn) in [
        (
            &[&TLS12][..],
            &[&b"http/1.1"[..]][..],
            TlsVersion::Tls12,
            "http/1.1",
        ),
        (&[&TLS13][..], &[][..], TlsVersion::Tls13, "http/1.1"),
    ] {
        let (port, ca) = tls_server(versions, alpn).await;
        let ca_file = tmp.path().join(format!("ca-{port}.pem"));
        std::fs::write(&ca_file, ca).unwrap();
        let http = HttpClient::new(HttpConfig {
            roots: RootSource::CaFile(ca_file),
            ..HttpConfig::default()
        })
        .unwrap();
        let url = url::Url::parse(&format!("https://127.0.0.1:{port}/x")).unwrap();
        let (ex, body) = http.get_bytes(&url, 100).await.unwrap();
        assert_eq!(body, b"ok");
        let tls = ex.tls.expect("https");
        assert_eq!(tls.version, Some(want), "{versions:?}");
        assert_eq!(tls.alpn.as_deref(), Some(want_alpn));
        assert_eq!(tls.chain[0].issuer, "CN=probe test CA");
    }
}

/// Probes `module` with gotrust's cache root at `tmp/cache`, kept across calls.
async fn run_kept(lab: &RunningLab, tmp: &Path, module: &str) -> ProxyProbe {
    run_kept_in(lab, tmp, module, &tempfile::tempdir_in(tmp).unwrap().keep()).await
}

/// Like [`run_kept`], with the client's own state (tiles, lookups) in `work`.
async fn run_kept_in(lab: &RunningLab, tmp: &Path, module: &str, work: &Path) -> ProxyProbe {
    let http = lab_http(lab, Duration::from_secs(10));
    let mut o = options(lab, tmp, Some(module));
    o.work_dir = work.to_path_buf();
    o.state_root = Some(tmp.join("cache"));
    gotrust::probe::probe(&http, &lab.proxy_url(), &o)
        .await
        .unwrap()
}

fn kept_head(lab: &RunningLab, tmp: &Path) -> String {
    std::fs::read_to_string(
        tmp.join("cache/sumdb")
            .join(lab.sumdb_name())
            .join("latest"),
    )
    .unwrap()
}

fn notes(f: &gotrust::report::Finding) -> Vec<String> {
    f.evidence
        .iter()
        .filter_map(|e| e.value.clone())
        .filter(|v| v.starts_with("go.sum database tree\n"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forked_tree_across_runs_is_critical() {
    let tmp = tempfile::tempdir().unwrap();
    let lab = lab::start(
        &tmp.path().join("lab"),
        false,
        vec![Fault::new(FaultKind::ForkedTree).module_version("example.com/simple", "v1.1.0")],
    )
    .await;
    // First run: learns and keeps the real head.
    let p = run_kept(&lab, tmp.path(), "example.com/major/v2@v2.0.0").await;
    assert!(p.findings.is_empty(), "{:#?}", p.findings);
    assert_eq!(outcome(&p, "sumdb.head"), Outcome::Pass);
    let n = lab.tree_size();
    assert!(kept_head(&lab, tmp.path()).starts_with(&format!("go.sum database tree\n{n}\n")));
    // Second run, same head: nothing to say.
    let p = run_kept(&lab, tmp.path(), SIMPLE).await;
    assert!(p.findings.is_empty(), "{:#?}", p.findings);
    assert!(
        p.check("sumdb.head")
            .unwrap()
            .detail
            .contains("as seen before"),
        "{:#?}",
        p.checks
    );
    // Third run: the lookup is answered from a fork of the same size.
    let p = run_kept(&lab, tmp.path(), "example.com/simple@v1.1.0").await;
    assert_eq!(p.finding_ids(), ["probe/sumdb-fork"], "{:#?}", p.findings);
    let f = &p.findings[0];
    assert_eq!(f.severity, gotrust::report::Severity::Critical);
    let both = notes(f);
    assert_eq!(both.len(), 2, "{:#?}", f.evidence);
    assert_ne!(both[0], both[1]);
    assert!(
        both.iter()
            .all(|n| n.starts_with(&format!("go.sum database tree\n{n}\n", n = lab.tree_size())))
    );
    assert_eq!(outcome(&p, "sumdb.fork"), Outcome::Fail);
    // The kept head is still the real one.
    assert!(kept_head(&lab, tmp.path()).starts_with(&format!("go.sum database tree\n{n}\n")));
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rolled_back_tree_across_runs_is_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let lab = lab::start(&tmp.path().join("lab"), false, vec![]).await;
    let n = lab.tree_size();
    let p = run_kept(&lab, tmp.path(), SIMPLE).await;
    assert!(p.findings.is_empty(), "{:#?}", p.findings);
    let seen = kept_head(&lab, tmp.path());
    lab.shutdown().await;
    // Same database (state and key), now serving an older head.
    let lab = lab::start(
        &tmp.path().join("lab"),
        false,
        vec![Fault::new(FaultKind::RolledBack { size: n - 3 })],
    )
    .await;
    let p = run_kept(&lab, tmp.path(), SIMPLE).await;
    // The lab refuses the tiles of the newer tree, so the rollback cannot even be proven
    // consistent: reported once, and the database checks stop there.
    assert_eq!(
        p.finding_ids(),
        ["probe/sumdb-rollback"],
        "{:#?}",
        p.findings
    );
    assert_eq!(outcome(&p, "sumdb.head"), Outcome::Fail);
    let f = p
        .findings
        .iter()
        .find(|f| f.rule.id == "probe/sumdb-rollback")
        .unwrap();
    assert_eq!(f.severity, gotrust::report::Severity::High);
    assert!(
        f.message.contains(&format!(
            "serves tree#{} but gotrust saw tree#{n} before",
            n - 3
        )),
        "{}",
        f.message
    );
    let both = notes(f);
    assert_eq!(both, [seen.clone(), both[1].clone()]);
    assert!(both[1].starts_with(&format!("go.sum database tree\n{}\n", n - 3)));
    // The newer head stays kept.
    assert_eq!(kept_head(&lab, tmp.path()), seen);
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consistent_rollback_is_reported_and_checks_go_on() {
    // With the newer tree's tiles at hand (the same work directory), the older head is proven
    // a prefix of the newer one, as go proves it: still a rollback, but the lookups go on.
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().join("work-shared");
    let lab = lab::start(&tmp.path().join("lab"), false, vec![]).await;
    let n = lab.tree_size();
    let p = run_kept_in(&lab, tmp.path(), SIMPLE, &work).await;
    assert!(p.findings.is_empty(), "{:#?}", p.findings);
    lab.shutdown().await;
    let lab = lab::start(
        &tmp.path().join("lab"),
        false,
        vec![Fault::new(FaultKind::RolledBack { size: n - 3 })],
    )
    .await;
    let p = run_kept_in(&lab, tmp.path(), SIMPLE, &work).await;
    assert_eq!(
        p.finding_ids(),
        ["probe/sumdb-rollback"],
        "{:#?}",
        p.findings
    );
    let msg = &p.findings[0].message;
    assert!(
        msg.contains(&format!(
            "serves tree#{} but gotrust saw tree#{n} before",
            n - 3
        )) && !msg.contains("no longer serves"),
        "{msg}"
    );
    assert_eq!(outcome(&p, "content"), Outcome::Pass);
    lab.shutdown().await;
}

/// A copy of a public bundle: the distribution's certificates of Mozilla's list.
fn public_bundle() -> String {
    let dir = Path::new(gotrust::net::truststore::DISTRIBUTION_MOZILLA_DIR);
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| {
            panic!(
                "{}: {e} (install the ca-certificates package: these tests need a public bundle)",
                dir.display()
            )
        })
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    let mut out = String::new();
    for n in names {
        out.push_str(&std::fs::read_to_string(n).unwrap());
        out.push('\n');
    }
    assert!(out.matches("BEGIN CERTIFICATE").count() > 50);
    out
}

/// go's settings for a process whose environment is `vars` (plus a hermetic HOME and GOROOT).
fn settings_for(
    tmp: &Path,
    vars: &[(&str, String)],
) -> (gotrust::settings::Settings, gotrust::env::EnvSources) {
    let home = tmp.join("home");
    let goroot = tmp.join("goroot");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::create_dir_all(&goroot).unwrap();
    std::fs::write(
        goroot.join("go.env"),
        "GOPROXY=https://proxy.golang.org,direct\nGOSUMDB=sum.golang.org\nGOTOOLCHAIN=auto\n",
    )
    .unwrap();
    let mut map = std::collections::BTreeMap::new();
    map.insert("HOME".to_string(), home.display().to_string());
    map.insert("GOROOT".to_string(), goroot.display().to_string());
    map.insert("GOENV".to_string(), "off".to_string());
    for (k, v) in vars {
        map.insert(k.to_string(), v.clone());
    }
    let mut sources = gotrust::env::EnvSources::with_process(map);
    sources.goos = "linux".into();
    let env = gotrust::env::resolve(&sources);
    (
        gotrust::settings::Settings::from_env(&env, &sources),
        sources,
    )
}

/// The lab intercepts proxy.golang.org through its forward proxy; go's bundle is a public one,
/// with or without the lab's CA appended.
async fn intercepted_probe(tmp: &Path, trust_lab_ca: bool) -> (ProxyProbe, PathBuf, String) {
    let lab = lab::start(&tmp.join("lab"), false, vec![]).await;
    let fwd = lab
        .start_forward_proxy(gotrust_lab::forward::ForwardOptions {
            intercept: true,
            ..Default::default()
        })
        .await
        .unwrap();
    let mut bundle = public_bundle();
    if trust_lab_ca {
        bundle.push_str(&std::fs::read_to_string(fwd.ca_file()).unwrap());
    }
    let bundle_file = tmp.join("bundle.pem");
    std::fs::write(&bundle_file, &bundle).unwrap();
    let (settings, _) = settings_for(
        tmp,
        &[
            ("HTTPS_PROXY", fwd.url()),
            ("SSL_CERT_FILE", bundle_file.display().to_string()),
            (
                "SSL_CERT_DIR",
                tmp.join("no-such-dir").display().to_string(),
            ),
        ],
    );
    let http = Arc::new(
        HttpClient::new(gotrust::probe::http_config(
            &settings,
            std::time::Duration::from_secs(10),
        ))
        .unwrap(),
    );
    let mut o = ProbeOptions::new(tmp.join("work"));
    o.nonce = "icpt".into();
    o.module = Some(parse_module(SIMPLE).unwrap());
    let p = gotrust::probe::probe(&http, "https://proxy.golang.org", &o)
        .await
        .unwrap();
    let position = bundle.matches("BEGIN CERTIFICATE").count();
    fwd.shutdown().await;
    lab.shutdown().await;
    (p, bundle_file, format!(":{position}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interception_with_the_lab_ca_trusted_names_the_ca_and_where_go_trusts_it() {
    let tmp = tempfile::tempdir().unwrap();
    let (p, bundle, position) = intercepted_probe(tmp.path(), true).await;
    let tls = p.tls.as_ref().expect("handshake");
    assert!(tls.verified, "{tls:#?}");
    assert!(
        tls.route
            .starts_with("through HTTP(S)_PROXY http://127.0.0.1:"),
        "{}",
        tls.route
    );
    assert_eq!(tls.root_public, Some(false));
    assert_eq!(
        p.finding_ids(),
        ["probe/tls-interception"],
        "{:#?}",
        p.findings
    );
    let f = &p.findings[0];
    assert_eq!(f.severity, gotrust::report::Severity::High);
    let where_ = format!("{}{position}", bundle.display());
    for want in [
        "proxy.golang.org:443 (proxy): TLS is intercepted",
        "CN=gotrust lab interception CA",
        "not by O=Google Trust Services",
        where_.as_str(),
        "go accepts it",
    ] {
        assert!(f.message.contains(want), "{want:?} not in {}", f.message);
    }
    for banned in [
        "GOINSECURE",
        "GOSUMDB=off",
        "GOPROXY=direct",
        "GOFLAGS=-insecure",
    ] {
        assert!(
            !f.message.contains(banned) && !f.fix.contains(banned),
            "{banned}"
        );
    }
    assert!(f.fix.contains("SSL_CERT_FILE"), "{}", f.fix);
    // Through the interceptor the lab still answers as a proxy: the contract checks ran.
    assert_eq!(outcome(&p, "not-found.module"), Outcome::Pass);
    assert_eq!(outcome(&p, "info"), Outcome::Pass);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interception_without_the_ca_fails_as_go_does_and_is_still_named() {
    let tmp = tempfile::tempdir().unwrap();
    let (p, _, _) = intercepted_probe(tmp.path(), false).await;
    assert_eq!(
        p.finding_ids(),
        ["probe/tls-failed", "probe/tls-interception"],
        "{:#?}",
        p.findings
    );
    let tls = p.tls.as_ref().expect("handshake");
    assert_eq!(
        tls.go_error.as_deref(),
        Some("tls: failed to verify certificate: x509: certificate signed by unknown authority")
    );
    let icpt = p
        .findings
        .iter()
        .find(|f| f.rule.id == "probe/tls-interception")
        .unwrap();
    // The server sends only the leaf: the CA is named by the leaf's issuer.
    assert!(
        icpt.message
            .contains("The CA is CN=gotrust lab interception CA, not in go's trust store."),
        "{}",
        icpt.message
    );
    assert!(
        icpt.message
            .contains("go fails: tls: failed to verify certificate")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_lists_exactly_the_lab_ca_as_non_public() {
    let tmp = tempfile::tempdir().unwrap();
    let lab = lab::start(&tmp.path().join("lab"), false, vec![]).await;
    let fwd = lab
        .start_forward_proxy(gotrust_lab::forward::ForwardOptions {
            intercept: true,
            ..Default::default()
        })
        .await
        .unwrap();
    let bundle = public_bundle() + &std::fs::read_to_string(fwd.ca_file()).unwrap();
    let bundle_file = tmp.path().join("bundle.pem");
    std::fs::write(&bundle_file, &bundle).unwrap();
    let (settings, sources) = settings_for(
        tmp.path(),
        &[
            ("SSL_CERT_FILE", bundle_file.display().to_string()),
            (
                "SSL_CERT_DIR",
                tmp.path().join("none").display().to_string(),
            ),
        ],
    );
    let env = gotrust::env::resolve(&sources);
    let report = gotrust::audit::run(&gotrust::audit::AuditInput {
        env: &env,
        sources: &sources,
        settings: &settings,
        git: None,
        policy: None,
        project: None,
        cross_check: None,
    });
    let non_public: Vec<&str> = report
        .findings()
        .iter()
        .filter(|f| f.rule.id == "tls/non-public-ca")
        .flat_map(|f| f.affected.iter().map(String::as_str))
        .collect();
    assert_eq!(non_public, ["CN=gotrust lab interception CA"]);
    let f = report
        .findings()
        .iter()
        .find(|f| f.rule.id == "tls/non-public-ca")
        .unwrap();
    let n = bundle.matches("BEGIN CERTIFICATE").count();
    assert!(
        f.message
            .contains(&format!("{}:{n}", bundle_file.display())),
        "{}",
        f.message
    );
    assert!(f.message.contains("SHA-256 "), "{}", f.message);
    // The count of public ones is one short line, not a list.
    let store_line = f
        .evidence
        .iter()
        .find(|e| e.variable.as_deref() == Some("trust store"))
        .and_then(|e| e.value.clone())
        .unwrap();
    assert!(store_line.ends_with(", 1 not public"), "{store_line}");
    assert!(store_line.len() < 300, "{store_line}");
    assert!(
        !report
            .findings()
            .iter()
            .any(|f| f.rule.id == "tls/custom-roots")
    );
    fwd.shutdown().await;
    lab.shutdown().await;
}

/// A server that answers every ClientHello with a TLS 1.0 ServerHello, as a server stuck
/// below TLS 1.2 does.
async fn tls10_server() -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = s.read(&mut buf).await;
                // record: handshake, TLS 1.0, 42 bytes; ServerHello of 38 bytes, version 3.1,
                // a zero random, no session id, TLS_RSA_WITH_AES_128_CBC_SHA, no compression.
                let mut hello = vec![22, 3, 1, 0, 42, 2, 0, 0, 38, 3, 1];
                hello.extend([0u8; 32]);
                hello.extend([0, 0, 0x2f, 0]);
                let _ = s.write_all(&hello).await;
                let _ = s.read(&mut buf).await;
            });
        }
    });
    port
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_below_tls_1_2_is_reported_with_go_s_words() {
    let tmp = tempfile::tempdir().unwrap();
    let port = tls10_server().await;
    let http = Arc::new(
        HttpClient::new(HttpConfig {
            connect_timeout: std::time::Duration::from_secs(5),
            read_timeout: std::time::Duration::from_secs(5),
            ..HttpConfig::default()
        })
        .unwrap(),
    );
    let mut o = ProbeOptions::new(tmp.path().join("work"));
    o.module = Some(parse_module(SIMPLE).unwrap());
    let p = gotrust::probe::probe(&http, &format!("https://127.0.0.1:{port}"), &o)
        .await
        .unwrap();
    let tls = p.tls.as_ref().expect("handshake");
    // crypto/tls handshake_client.go: "tls: server selected unsupported protocol version %x".
    assert_eq!(
        tls.go_error.as_deref(),
        Some("tls: server selected unsupported protocol version 301")
    );
    assert_eq!(outcome(&p, "tls"), Outcome::Fail);
    assert_eq!(p.finding_ids(), ["probe/tls-failed"], "{:#?}", p.findings);
    assert!(
        p.findings[0]
            .message
            .ends_with("tls: server selected unsupported protocol version 301")
    );
}
