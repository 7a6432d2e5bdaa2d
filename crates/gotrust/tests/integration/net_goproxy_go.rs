//! The GOPROXY walk and its error texts against the real go command: for each list, go's
//! `go mod download` and gotrust's `try_proxies` must end the same way, with gotrust's error
//! text appearing verbatim in go's.

use crate::net_server;

use std::sync::Arc;

use gotrust::net::goproxy::{StepOutcome, hops};
use gotrust::net::tls::RootSource;
use gotrust::net::{HttpClient, HttpConfig, ProxyClient, ProxyError, try_proxies};
use gotrust::settings::netrc::Netrc;
use gotrust::settings::proxy::ProxyList;
use net_server::modules::{Module, module};
use net_server::{Reply, start};

const MODULE: &str = "example.com/m";

fn reply(m: &Module, path: &str) -> Reply {
    let (kind, rest) = path[1..].split_once('/').unwrap_or(("", ""));
    match kind {
        "404" => Reply::text(404, "not found: example.com/m@v1.0.0: unknown revision\n"),
        "410" => Reply::Status(410, "text/plain", Vec::new()),
        "403" => Reply::text(403, "forbidden by policy\nask the proxy team\n\nhidden\n"),
        "500" => Reply::Status(500, "text/html", b"<h1>oops</h1>".to_vec()),
        "503" => Reply::Status(503, "text/plain; charset=us-ascii", b"try later\n".to_vec()),
        "many" => Reply::text(404, "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n"),
        "redir" => Reply::Redirect(302, format!("/ok/{rest}")),
        "ok" => match rest.strip_prefix("example.com/m/@v/") {
            Some("list") => Reply::ok(b"v1.0.0\n".to_vec()),
            Some("v1.0.0.info") => {
                Reply::ok(br#"{"Version":"v1.0.0","Time":"2024-01-01T00:00:00Z"}"#.to_vec())
            }
            Some("v1.0.0.mod") => Reply::ok(m.gomod.clone()),
            Some("v1.0.0.zip") => Reply::ok(m.zip.clone()),
            _ => Reply::text(404, "no\n"),
        },
        _ => Reply::text(404, "unknown\n"),
    }
}

struct Env {
    root: tempfile::TempDir,
    ca_file: std::path::PathBuf,
}

impl Env {
    fn go(&self, goproxy: &str, extra: &[(&str, String)]) -> (bool, String) {
        let mut cmd = testkit::hermetic_go(self.root.path());
        cmd.env("GOPROXY", goproxy)
            .env("GOFLAGS", "")
            .env("GONOSUMDB", "")
            .env("GOSUMDB", "off")
            .env("SSL_CERT_FILE", &self.ca_file)
            .env("SSL_CERT_DIR", self.root.path().join("no-certs"))
            .current_dir(self.root.path())
            .args(["mod", "download", &format!("{MODULE}@v1.0.0")]);
        for (k, v) in extra {
            cmd.env(k, v);
        }
        // A fresh module cache each time, so go really asks the proxies.
        let _ = std::fs::remove_dir_all(self.root.path().join("gopath/pkg/mod/cache/download"));
        let out = cmd.output().expect("run go");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

async fn ours(http: &HttpClient, goproxy: &str) -> Result<String, String> {
    let list = ProxyList::parse(goproxy, "").unwrap();
    let hs = hops(&list);
    let walk = try_proxies(&hs, |_, hop| {
        let hop = hop.clone();
        async move {
            match hop.kind {
                gotrust::net::HopKind::Url { url: u, .. } => {
                    let p = ProxyClient::new(http, &u)?;
                    p.info(MODULE, "v1.0.0").await.map(|(_, i)| i.version)
                }
                _ => Err(ProxyError::BadBase("not used in this test".into())),
            }
        }
    })
    .await;
    for s in &walk.steps {
        assert!(!matches!(s.outcome, StepOutcome::Success) || s.hop + 1 == walk.steps.len());
    }
    walk.result.unwrap().map_err(|e| e.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fallback_and_error_texts_match_go() {
    let m = Arc::new(module(MODULE));
    let m2 = m.clone();
    let tls = net_server::make_tls();
    let plain = start(None, {
        let m = m.clone();
        move |p| reply(&m, p)
    })
    .await;
    let secure = start(Some(tls.acceptor.clone()), move |p| reply(&m2, p)).await;
    let root = tempfile::tempdir().unwrap();
    let ca_file = root.path().join("ca.pem");
    std::fs::write(&ca_file, &tls.ca_pem).unwrap();
    let env = Env {
        root,
        ca_file: ca_file.clone(),
    };
    let http = HttpClient::new(HttpConfig {
        roots: RootSource::CaFile(ca_file),
        ..HttpConfig::default()
    })
    .unwrap();
    let p = format!("http://{}", plain.addr);
    let s = format!("https://{}", secure.addr);
    let lists = [
        format!("{p}/404,{p}/410"),
        format!("{p}/404,{p}/503"),
        format!("{p}/503,{p}/ok"),
        format!("{p}/503|{p}/ok"),
        format!("{p}/403,{p}/ok"),
        format!("{p}/500|{p}/404"),
        format!("{p}/404|{p}/500|{p}/503"),
        format!("{p}/many"),
        format!("{p}/404,{p}/ok"),
        format!("{s}/redir"),
        format!("{s}/404,{s}/ok"),
        format!("{p}/404,off"),
    ];
    for list in &lists {
        let (go_ok, go_err) = env.go(list, &[]);
        let ours = ours(&http, list).await;
        match (&ours, go_ok) {
            (Ok(v), true) => assert_eq!(v, "v1.0.0"),
            (Err(e), false) if list.ends_with(",off") => {
                // go reports GOPROXY=off's own error; gotrust's walk was given no `off` op.
                assert!(
                    go_err.contains("module lookup disabled by GOPROXY=off"),
                    "{go_err}"
                );
                assert!(e.contains("not used"), "{e}");
            }
            (Err(e), false) => assert!(
                go_err.contains(&format!("{MODULE}@v1.0.0: {e}")),
                "GOPROXY={list}\ngo: {go_err}\ngotrust: {e}"
            ),
            _ => panic!("GOPROXY={list}: go ok={go_ok} ({go_err}), gotrust {ours:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_to_http_redirect_and_netrc_match_go() {
    let m = Arc::new(module(MODULE));
    let tls = net_server::make_tls();
    let plain = start(None, {
        let m = m.clone();
        move |p| reply(&m, p)
    })
    .await;
    let target = format!("http://{}/ok", plain.addr);
    let secure = start(Some(tls.acceptor.clone()), {
        let m = m.clone();
        let target = target.clone();
        move |p| match p.strip_prefix("/down") {
            Some(rest) => Reply::Redirect(302, format!("{target}{rest}")),
            None => reply(&m, p),
        }
    })
    .await;
    let root = tempfile::tempdir().unwrap();
    let ca_file = root.path().join("ca.pem");
    std::fs::write(&ca_file, &tls.ca_pem).unwrap();
    let env = Env {
        root,
        ca_file: ca_file.clone(),
    };
    let port = secure.addr.port();
    let netrc_text = format!(
        "machine 127.0.0.1 login portless password one\nmachine 127.0.0.1:{port} login withport password two\n"
    );
    let netrc_file = env.root.path().join("netrc");
    std::fs::write(&netrc_file, &netrc_text).unwrap();
    let http = HttpClient::new(HttpConfig {
        roots: RootSource::CaFile(ca_file),
        auth: Some(gotrust::net::auth::GoAuthCredentials::from_netrc(
            Netrc::parse(&netrc_text),
        )),
        ..HttpConfig::default()
    })
    .unwrap();

    // https -> http redirect: the same refusal text.
    let list = format!("https://127.0.0.1:{port}/down");
    let (go_ok, go_err) = env.go(&list, &[("NETRC", netrc_file.display().to_string())]);
    let e = ours(&http, &list).await.unwrap_err();
    assert!(!go_ok);
    assert!(go_err.contains(&e), "go: {go_err}\ngotrust: {e}");
    assert!(e.contains("redirected from secure URL"), "{e}");

    // netrc: both send the entry whose machine carries the port, and the same header.
    let list = format!("https://127.0.0.1:{port}/ok");
    let n = secure.seen.lock().unwrap().len();
    let (go_ok, go_err) = env.go(&list, &[("NETRC", netrc_file.display().to_string())]);
    assert!(go_ok, "{go_err}");
    let go_auth: Vec<String> = secure.seen.lock().unwrap()[n..]
        .iter()
        .map(|s| auth_header(&s.head))
        .collect();
    let n = secure.seen.lock().unwrap().len();
    ours(&http, &list).await.unwrap();
    let our_auth = auth_header(&secure.seen.lock().unwrap()[n].head);
    assert!(!go_auth.is_empty());
    assert!(
        go_auth.iter().all(|a| *a == our_auth),
        "go {go_auth:?} vs gotrust {our_auth}"
    );
    // base64("withport:two")
    assert_eq!(our_auth, "Basic d2l0aHBvcnQ6dHdv");
}

fn auth_header(head: &str) -> String {
    head.lines()
        .find_map(|l| {
            let (name, value) = l.split_once(": ")?;
            name.eq_ignore_ascii_case("authorization")
                .then(|| value.to_string())
        })
        .unwrap_or_default()
}
