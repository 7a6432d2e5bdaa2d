//! The HTTP layer against loopback servers: statuses, redirects, caps, timeouts, TLS, auth.

use crate::net_server;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use gotrust::net::tls::RootSource;
use gotrust::net::{FetchErrorKind, HttpClient, HttpConfig, TimeoutPhase};
use gotrust::settings::netrc::Netrc;
use net_server::{Reply, start};
use sha2::{Digest, Sha256};
use url::Url;

fn client_with(f: impl FnOnce(&mut HttpConfig)) -> HttpClient {
    let mut cfg = HttpConfig::default();
    f(&mut cfg);
    HttpClient::new(cfg).expect("client")
}

/// A client trusting only `pem` (written to a temp file that lives as long as the test).
fn client_trusting(pem: &str, dir: &tempfile::TempDir) -> HttpClient {
    let path = dir.path().join("ca.pem");
    std::fs::write(&path, pem).unwrap();
    client_with(|c| c.roots = RootSource::CaFile(path))
}

fn plain_client() -> (HttpClient, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let tls = net_server::make_tls();
    (client_trusting(&tls.ca_pem, &dir), dir)
}

fn url(s: &str) -> Url {
    Url::parse(s).unwrap()
}

#[tokio::test]
async fn ok_body_is_hashed_and_headers_recorded() {
    let srv = start(None, |_| Reply::ok(b"hello".to_vec())).await;
    let (c, _d) = plain_client();
    let (ex, body) = c
        .get_bytes(&url(&format!("http://{}/x", srv.addr)), 1024)
        .await
        .unwrap();
    assert_eq!(body, b"hello");
    assert_eq!(ex.body_len, 5);
    assert_eq!(ex.body_sha256, hex::encode(Sha256::digest(b"hello")));
    assert_eq!(ex.status, 200);
    assert_eq!(ex.http_version, "HTTP/1.1");
    assert!(ex.tls.is_none());
    assert!(ex.redirects.is_empty());
    let h: Vec<_> = ex.headers.iter().map(|(k, v)| format!("{k}={v}")).collect();
    assert!(h.contains(&"cache-control=max-age=60".to_string()), "{h:?}");
    assert!(h.contains(&"x-cache=HIT".to_string()), "{h:?}");
}

#[tokio::test]
async fn not_found_gone_and_failures_are_classified() {
    let srv = start(None, |p| match p {
        "/404" => Reply::text(404, "not found: rsc.io/x@v1.0.0: invalid version\n"),
        "/410" => Reply::text(410, "gone\n"),
        "/500" => Reply::text(500, "boom\nsecond line\n"),
        "/html" => Reply::Status(404, "text/html", b"<h1>no</h1>".to_vec()),
        "/latin1" => Reply::Status(403, "text/plain; charset=iso-8859-1", b"x".to_vec()),
        _ => Reply::text(401, ""),
    })
    .await;
    let (c, _d) = plain_client();
    let base = format!("http://{}", srv.addr);
    let get = |p: &str| {
        let u = url(&format!("{base}{p}"));
        let c = &c;
        async move { c.get_bytes(&u, 1024).await }
    };

    let e = get("/404").await.unwrap_err();
    assert!(e.is_not_found());
    assert_eq!(
        e.to_string(),
        format!(
            "reading {base}/404: 404 Not Found\n\tserver response: not found: rsc.io/x@v1.0.0: invalid version"
        )
    );
    let e = get("/410").await.unwrap_err();
    assert!(e.is_not_found());
    assert_eq!(e.status(), Some(410));
    let e = get("/500").await.unwrap_err();
    assert!(!e.is_not_found());
    assert_eq!(
        e.to_string(),
        format!(
            "reading {base}/500: 500 Internal Server Error\n\tserver response:\n\tboom\n\tsecond line"
        )
    );
    let e = get("/html").await.unwrap_err();
    assert_eq!(e.to_string(), format!("reading {base}/html: 404 Not Found"));
    let e = get("/latin1").await.unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("reading {base}/latin1: 403 Forbidden")
    );
    let e = get("/401").await.unwrap_err();
    assert!(matches!(e.kind, FetchErrorKind::Status { status: 401, .. }));
}

#[tokio::test]
async fn redirect_chain_is_recorded() {
    let srv = start(None, |p| match p {
        "/a" => Reply::Redirect(302, "/b".into()),
        "/b" => Reply::Redirect(301, "c".into()),
        "/c" => Reply::ok(b"done".to_vec()),
        _ => Reply::text(404, ""),
    })
    .await;
    let (c, _d) = plain_client();
    let base = format!("http://{}", srv.addr);
    let (ex, body) = c.get_bytes(&url(&format!("{base}/a")), 100).await.unwrap();
    assert_eq!(body, b"done");
    assert_eq!(ex.final_url, format!("{base}/c"));
    let hops: Vec<_> = ex
        .redirects
        .iter()
        .map(|h| (h.url.clone(), h.status, h.location.clone()))
        .collect();
    assert_eq!(
        hops,
        [
            (format!("{base}/a"), 302, format!("{base}/b")),
            (format!("{base}/b"), 301, format!("{base}/c")),
        ]
    );
}

#[tokio::test]
async fn ten_redirects_stop_like_go() {
    let srv = start(None, |p| {
        let n: usize = p.trim_start_matches("/r").parse().unwrap_or(0);
        Reply::Redirect(302, format!("/r{}", n + 1))
    })
    .await;
    let (c, _d) = plain_client();
    let base = format!("http://{}", srv.addr);
    let e = c
        .get_bytes(&url(&format!("{base}/r0")), 100)
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("Get \"{base}/r10\": stopped after 10 redirects")
    );
    // go's CheckRedirect refuses the 10th redirect: ten requests were made.
    assert_eq!(srv.paths().len(), 10);
}

#[tokio::test]
async fn https_to_http_redirect_is_refused_with_go_text() {
    let plain = start(None, |_| Reply::ok(b"should not be fetched".to_vec())).await;
    let tls = net_server::make_tls();
    let target = format!("http://{}/insecure", plain.addr);
    let t2 = target.clone();
    let secure = start(Some(tls.acceptor.clone()), move |_| {
        Reply::Redirect(302, t2.clone())
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let c = client_trusting(&tls.ca_pem, &dir);
    let from = format!("https://{}/start", secure.addr);
    let e = c.get_bytes(&url(&from), 100).await.unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("Get \"{target}\": redirected from secure URL {from} to insecure URL {target}")
    );
    assert!(matches!(e.kind, FetchErrorKind::InsecureRedirect { .. }));
    assert!(
        plain.paths().is_empty(),
        "the insecure target must not be contacted"
    );
}

#[tokio::test]
async fn bodies_over_the_cap_are_too_large() {
    let srv = start(None, |p| match p {
        "/len" => Reply::ok(vec![b'x'; 2000]),
        "/exact" => Reply::ok(vec![b'x'; 1000]),
        _ => Reply::Chunked(50_000),
    })
    .await;
    let (c, _d) = plain_client();
    let base = format!("http://{}", srv.addr);
    let e = c
        .get_bytes(&url(&format!("{base}/len")), 1000)
        .await
        .unwrap_err();
    assert_eq!(e.kind, FetchErrorKind::TooLarge { limit: 1000 });
    let e = c
        .get_bytes(&url(&format!("{base}/chunked")), 20_000)
        .await
        .unwrap_err();
    assert_eq!(e.kind, FetchErrorKind::TooLarge { limit: 20_000 });
    let (ex, body) = c
        .get_bytes(&url(&format!("{base}/exact")), 1000)
        .await
        .unwrap();
    assert_eq!((ex.body_len, body.len()), (1000, 1000));
    let (ex, _) = c
        .get_bytes(&url(&format!("{base}/chunked")), 50_000)
        .await
        .unwrap();
    assert_eq!(ex.body_len, 50_000);
}

#[tokio::test]
async fn stalled_body_times_out() {
    let srv = start(None, |_| Reply::Stall { len: 100, sent: 10 }).await;
    let dir = tempfile::tempdir().unwrap();
    let tls = net_server::make_tls();
    let path = dir.path().join("ca.pem");
    std::fs::write(&path, &tls.ca_pem).unwrap();
    let c = client_with(|c| {
        c.roots = RootSource::CaFile(path);
        c.read_timeout = Duration::from_millis(300);
    });
    let t = std::time::Instant::now();
    let e = c
        .get_bytes(&url(&format!("http://{}/", srv.addr)), 1000)
        .await
        .unwrap_err();
    assert_eq!(
        e.kind,
        FetchErrorKind::Timeout {
            phase: TimeoutPhase::Read
        },
        "{e}"
    );
    assert!(t.elapsed() < Duration::from_secs(5));

    let c = client_with(|c| {
        c.roots = RootSource::CaFile(dir.path().join("ca.pem"));
        c.overall_timeout = Some(Duration::from_millis(300));
    });
    let e = c
        .get_bytes(&url(&format!("http://{}/", srv.addr)), 1000)
        .await
        .unwrap_err();
    assert_eq!(
        e.kind,
        FetchErrorKind::Timeout {
            phase: TimeoutPhase::Overall
        }
    );
}

#[tokio::test]
async fn tls_untrusted_ca_fails_trusted_ca_file_works() {
    let tls = net_server::make_tls();
    let srv = start(Some(tls.acceptor.clone()), |_| {
        Reply::ok(b"secure".to_vec())
    })
    .await;
    let u = url(&format!("https://{}/x", srv.addr));

    let other = net_server::make_tls();
    let dir = tempfile::tempdir().unwrap();
    let c = client_trusting(&other.ca_pem, &dir);
    let e = c.get_bytes(&u, 100).await.unwrap_err();
    match &e.kind {
        FetchErrorKind::Tls { detail, go_text } => {
            assert_eq!(
                go_text.as_deref(),
                Some(
                    "tls: failed to verify certificate: x509: certificate signed by unknown authority"
                )
            );
            assert!(detail.contains("gotrust test server"), "{detail}");
        }
        k => panic!("want Tls, got {k:?}"),
    }
    assert_eq!(
        e.to_string(),
        format!(
            "Get \"{u}\": tls: failed to verify certificate: x509: certificate signed by unknown authority"
        )
    );

    let dir2 = tempfile::tempdir().unwrap();
    let c = client_trusting(&tls.ca_pem, &dir2);
    let (ex, body) = c.get_bytes(&u, 100).await.unwrap();
    assert_eq!(body, b"secure");
    let chain = ex.tls.expect("tls record").chain;
    assert_eq!(chain.len(), 2, "leaf and CA as sent: {chain:?}");
    assert_eq!(chain[0].subject, "CN=gotrust test server");
    assert_eq!(chain[0].issuer, "CN=gotrust test CA");
    assert!(
        chain[0].sans.contains(&"127.0.0.1".to_string()),
        "{:?}",
        chain[0].sans
    );
    assert!(chain[0].not_after_unix > 0);
}

#[tokio::test]
async fn explicit_ca_file_must_hold_a_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("empty.pem");
    std::fs::write(&p, "not a pem\n").unwrap();
    let cfg = HttpConfig {
        roots: RootSource::CaFile(p),
        ..HttpConfig::default()
    };
    assert!(HttpClient::new(cfg).is_err());
}

#[tokio::test]
async fn credentials_never_over_plain_http() {
    let (c, _d) = plain_client();
    let e = c
        .get_bytes(&url("http://user:secret@127.0.0.1:1/x"), 10)
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "refusing to pass credentials to insecure URL: http://xxxxx:xxxxx@127.0.0.1:1/x"
    );
    assert!(!format!("{e:?}").contains("secret"));
}

#[tokio::test]
async fn netrc_authorization_only_for_https() {
    let tls = net_server::make_tls();
    let secure = start(Some(tls.acceptor.clone()), |_| Reply::ok(b"s".to_vec())).await;
    let plain = start(None, |_| Reply::ok(b"p".to_vec())).await;
    let netrc = Netrc::parse(&format!(
        "machine 127.0.0.1:{} login alice password s3cret\nmachine 127.0.0.1:{} login bob password hunter2\n",
        secure.addr.port(),
        plain.addr.port()
    ));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ca.pem");
    std::fs::write(&path, &tls.ca_pem).unwrap();
    let c = client_with(|c| {
        c.roots = RootSource::CaFile(path);
        c.auth = Some(gotrust::net::auth::GoAuthCredentials::from_netrc(netrc));
    });
    let (ex, _) = c
        .get_bytes(
            &url(&format!("https://{}/private/m/@v/list", secure.addr)),
            10,
        )
        .await
        .unwrap();
    assert_eq!(
        ex.credentials.as_deref(),
        Some(format!("netrc:127.0.0.1:{}", secure.addr.port()).as_str())
    );
    let head = secure.seen.lock().unwrap()[0].head.to_ascii_lowercase();
    // base64("alice:s3cret")
    assert!(
        head.contains("authorization: basic ywxpy2u6cznjcmv0"),
        "{head}"
    );
    let (ex, _) = c
        .get_bytes(&url(&format!("http://{}/x", plain.addr)), 10)
        .await
        .unwrap();
    assert_eq!(ex.credentials, None);
    let head = plain.seen.lock().unwrap()[0].head.to_ascii_lowercase();
    assert!(!head.contains("authorization"), "{head}");
}

#[tokio::test]
async fn file_urls_read_like_go() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("list"), "v1.0.0\n").unwrap();
    let (c, _d) = plain_client();
    let base = Url::from_directory_path(dir.path()).unwrap();
    let (_, body) = c.get_bytes(&base.join("list").unwrap(), 100).await.unwrap();
    assert_eq!(body, b"v1.0.0\n");
    let e = c
        .get_bytes(&base.join("missing").unwrap(), 100)
        .await
        .unwrap_err();
    assert!(e.is_not_found());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn per_host_limit_bounds_concurrency() {
    let srv = start(None, |_| Reply::Slow(60, b"x".to_vec())).await;
    let dir = tempfile::tempdir().unwrap();
    let tls = net_server::make_tls();
    let path = dir.path().join("ca.pem");
    std::fs::write(&path, &tls.ca_pem).unwrap();
    let c = Arc::new(client_with(|c| {
        c.roots = RootSource::CaFile(path);
        c.per_host_limit = 2;
    }));
    let mut tasks = Vec::new();
    for i in 0..8 {
        let c = c.clone();
        let u = url(&format!("http://{}/{i}", srv.addr));
        tasks.push(tokio::spawn(async move {
            c.get_bytes(&u, 10).await.map(|_| ())
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(srv.paths().len(), 8);
    assert_eq!(srv.peak.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn one_authorization_user_info_beats_netrc_and_is_not_forwarded_to_other_hosts() {
    let tls = net_server::make_tls();
    let other = start(Some(tls.acceptor.clone()), |_| Reply::ok(b"o".to_vec())).await;
    let target = format!("https://localhost:{}/elsewhere", other.addr.port());
    let t2 = target.clone();
    let secure = start(Some(tls.acceptor.clone()), move |p| match p {
        "/hop" => Reply::Redirect(302, t2.clone()),
        "/same" => Reply::Redirect(302, "/x".into()),
        _ => Reply::ok(b"s".to_vec()),
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ca.pem");
    std::fs::write(&path, &tls.ca_pem).unwrap();
    let c = client_with(|c| {
        c.roots = RootSource::CaFile(path.clone());
        c.auth = Some(gotrust::net::auth::GoAuthCredentials::from_netrc(
            Netrc::parse(&format!(
                "machine 127.0.0.1:{} login alice password s3cret\n",
                secure.addr.port()
            )),
        ));
    });
    let auth_lines = |srv: &net_server::Server, i: usize| {
        srv.seen.lock().unwrap()[i]
            .head
            .to_ascii_lowercase()
            .lines()
            .filter(|l| l.starts_with("authorization:"))
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    // URL userinfo and netrc both present: one header, the user info's. go looks
    // credentials up by the URL's text, user info included, so no netrc machine matches
    // (cmd/go/internal/auth `loadCredential`; the real go agrees in the CLI's credentials
    // tests).
    let u = url(&format!(
        "https://bob:pw@127.0.0.1:{}/a",
        secure.addr.port()
    ));
    let (ex, _) = c.get_bytes(&u, 10).await.unwrap();
    assert_eq!(
        ex.url,
        format!("https://xxxxx:xxxxx@127.0.0.1:{}/a", secure.addr.port())
    );
    // base64("bob:pw")
    assert_eq!(auth_lines(&secure, 0), ["authorization: basic ym9ionb3"]);
    // Same-host redirect keeps it.
    c.get_bytes(
        &url(&format!("https://127.0.0.1:{}/same", secure.addr.port())),
        10,
    )
    .await
    .unwrap();
    assert_eq!(
        auth_lines(&secure, 2),
        ["authorization: basic ywxpy2u6cznjcmv0"]
    );
    // A redirect to another host drops it.
    let (ex, _) = c
        .get_bytes(
            &url(&format!("https://127.0.0.1:{}/hop", secure.addr.port())),
            10,
        )
        .await
        .unwrap();
    assert_eq!(ex.final_url, target);
    assert!(auth_lines(&other, 0).is_empty());
    // Userinfo alone becomes Basic auth over https.
    let c = client_with(|c| c.roots = RootSource::CaFile(path.clone()));
    c.get_bytes(
        &url(&format!(
            "https://bob:p%40ss@127.0.0.1:{}/b",
            secure.addr.port()
        )),
        10,
    )
    .await
    .unwrap();
    let n = secure.seen.lock().unwrap().len();
    // base64("bob:p@ss")
    assert_eq!(
        auth_lines(&secure, n - 1),
        ["authorization: basic ym9ionbac3m="]
    );
    // The log never holds the password.
    let log = format!("{:?}", c.log());
    assert!(!log.contains("p%40ss") && !log.contains("p@ss"), "{log}");
}

#[tokio::test]
async fn log_reads_like_go_x_output() {
    let srv = start(None, |p| match p {
        "/ok" => Reply::ok(b"x".to_vec()),
        _ => Reply::text(404, "nope\n"),
    })
    .await;
    let (c, _d) = plain_client();
    let base = format!("http://{}", srv.addr);
    c.get_bytes(&url(&format!("{base}/ok")), 10).await.unwrap();
    c.get_bytes(&url(&format!("{base}/missing")), 10)
        .await
        .unwrap_err();
    c.get_bytes(&url("http://127.0.0.1:1/refused"), 10)
        .await
        .unwrap_err();
    let log = c.log();
    assert_eq!(log.len(), 3);
    let t0 = log[0].go_trace();
    assert!(
        t0.starts_with(&format!("# get {base}/ok: 200 OK (")) && t0.ends_with("s)"),
        "{t0}"
    );
    assert!(
        log[1]
            .go_trace()
            .starts_with(&format!("# get {base}/missing: 404 Not Found ("))
    );
    assert_eq!(
        log[2].go_trace(),
        "# get http://127.0.0.1:1/refused: Get \"http://127.0.0.1:1/refused\": dial tcp 127.0.0.1:1: connect: connection refused"
    );
}

#[tokio::test]
async fn go_root_locations_are_honoured() {
    use gotrust::settings::tls::TlsRoots;
    let tls = net_server::make_tls();
    let srv = start(Some(tls.acceptor.clone()), |_| Reply::ok(b"ok".to_vec())).await;
    let u = url(&format!("https://{}/", srv.addr));
    let dir = tempfile::tempdir().unwrap();
    // SSL_CERT_FILE names a missing file, SSL_CERT_DIR holds the CA: the directory is used.
    let certs = dir.path().join("certs");
    std::fs::create_dir(&certs).unwrap();
    std::fs::write(certs.join("lab.pem"), &tls.ca_pem).unwrap();
    std::fs::write(certs.join("junk.txt"), "not a certificate").unwrap();
    let roots = TlsRoots::from_vars(
        "linux",
        dir.path().join("missing.pem").to_str().unwrap(),
        certs.to_str().unwrap(),
    );
    let c = client_with(|c| c.roots = RootSource::Go(roots));
    assert_eq!(c.roots().files, [certs.join("lab.pem")]);
    c.get_bytes(&u, 10).await.unwrap();
    // SSL_CERT_FILE alone.
    let file = dir.path().join("bundle.pem");
    std::fs::write(&file, &tls.ca_pem).unwrap();
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let roots = TlsRoots::from_vars("linux", file.to_str().unwrap(), empty.to_str().unwrap());
    let c = client_with(|c| c.roots = RootSource::Go(roots));
    c.get_bytes(&u, 10).await.unwrap();
    // Nothing usable: go's error, at the first verification as in go (crypto/x509 loads the
    // system roots on first use), not when the client is built.
    let roots = TlsRoots::from_vars("linux", "/nonexistent/x.pem", empty.to_str().unwrap());
    let c = HttpClient::new(HttpConfig {
        roots: RootSource::Go(roots),
        ..HttpConfig::default()
    })
    .unwrap();
    let err = c.get_bytes(&u, 10).await.unwrap_err();
    assert!(
        err.to_string()
            .contains("x509: failed to load system roots and no roots provided"),
        "{err}"
    );
    assert!(
        c.roots().warnings[0].contains("failed to load system roots"),
        "{:?}",
        c.roots()
    );
}

#[test]
fn proxy_choice_comes_from_go_settings() {
    use gotrust::settings::httpproxy::{HttpProxyConfig, HttpProxyVars, ProxyChoice};
    let vars = HttpProxyVars::from_vars(|k| match k {
        "HTTPS_PROXY" => "corp-proxy.example:3128".into(),
        "NO_PROXY" => ".internal.example".into(),
        _ => String::new(),
    });
    let dir = tempfile::tempdir().unwrap();
    let tls = net_server::make_tls();
    std::fs::write(dir.path().join("ca.pem"), &tls.ca_pem).unwrap();
    let c = client_with(|c| {
        c.roots = RootSource::CaFile(dir.path().join("ca.pem"));
        c.proxy = HttpProxyConfig::new(vars);
    });
    match c.proxy_for(&url("https://proxy.golang.org/x")) {
        ProxyChoice::Proxy(p) => assert_eq!(p.to_go_string(), "http://corp-proxy.example:3128"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        c.proxy_for(&url("https://a.internal.example/")),
        ProxyChoice::Direct(_)
    ));
    assert!(matches!(
        c.proxy_for(&url("https://127.0.0.1:8443/")),
        ProxyChoice::Direct(_)
    ));
    assert!(matches!(
        c.proxy_for(&url("http://plain.example/")),
        ProxyChoice::Direct(_)
    ));
}

#[tokio::test]
async fn config_from_go_settings() {
    use gotrust::env::resolve::{EnvSources, resolve};
    use gotrust::settings::Settings;
    let tls = net_server::make_tls();
    let srv = start(Some(tls.acceptor.clone()), |_| Reply::ok(b"ok".to_vec())).await;
    let home = tempfile::tempdir().unwrap();
    let ca = home.path().join("ca.pem");
    std::fs::write(&ca, &tls.ca_pem).unwrap();
    let netrc = home.path().join("my-netrc");
    std::fs::write(
        &netrc,
        format!(
            "machine 127.0.0.1:{} login carol password pw\n",
            srv.addr.port()
        ),
    )
    .unwrap();
    let h = home.path().display().to_string();
    let src = EnvSources::with_process([
        ("HOME", h.clone()),
        ("XDG_CONFIG_HOME", format!("{h}/.config")),
        ("SSL_CERT_FILE", ca.display().to_string()),
        ("SSL_CERT_DIR", format!("{h}/none")),
        ("NETRC", netrc.display().to_string()),
        ("HTTPS_PROXY", "proxy.corp.example:3128".to_string()),
        ("NO_PROXY", "internal.example".to_string()),
    ]);
    let env = resolve(&src);
    let settings = Settings::from_env(&env, &src);
    let cfg = HttpConfig::from_settings(&settings);
    assert!(cfg.auth.is_some(), "GOAUTH defaults to netrc");
    let c = HttpClient::new(cfg).unwrap();
    assert_eq!(c.roots().files, std::slice::from_ref(&ca));
    let (ex, _) = c
        .get_bytes(
            &url(&format!("https://127.0.0.1:{}/x", srv.addr.port())),
            10,
        )
        .await
        .unwrap();
    assert_eq!(
        ex.credentials.as_deref(),
        Some(format!("netrc:127.0.0.1:{}", srv.addr.port()).as_str())
    );
    assert!(matches!(
        c.proxy_for(&url("https://proxy.golang.org/")),
        gotrust::settings::httpproxy::ProxyChoice::Proxy(_)
    ));
}
