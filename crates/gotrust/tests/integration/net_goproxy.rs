//! The GOPROXY protocol client and the fallback walk against loopback proxies.

use crate::net_server;

use std::fmt;

use gotrust::net::goproxy::{StepOutcome, WalkError};
use gotrust::net::tls::RootSource;
use gotrust::net::{Hop, HopKind, HttpClient, HttpConfig, ProxyClient, ProxyError, try_proxies};
use gotrust::settings::proxy::Fallback;
use net_server::{Reply, start};
use sha2::{Digest, Sha256};

fn client() -> (HttpClient, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let tls = net_server::make_tls();
    let path = dir.path().join("ca.pem");
    std::fs::write(&path, &tls.ca_pem).unwrap();
    let c = HttpClient::new(HttpConfig {
        roots: RootSource::CaFile(path),
        ..HttpConfig::default()
    })
    .unwrap();
    (c, dir)
}

#[tokio::test]
async fn requests_are_escaped_like_go() {
    let srv = start(None, |p| match p {
        "/base/github.com/%21azure/azure-sdk-for-go/@v/list" => {
            Reply::ok(b"v1.1.0\nv1.0.0-RC1\nv1.0.0\n".to_vec())
        }
        "/base/github.com/%21azure/azure-sdk-for-go/@v/v1.0.0-%21r%21c1.info" => {
            Reply::ok(br#"{"Version":"v1.0.0-RC1","Time":"2019-01-01T00:00:00Z"}"#.to_vec())
        }
        "/base/example.com/m/@v/v2.0.0+incompatible.mod" => {
            Reply::ok(b"module example.com/m\n".to_vec())
        }
        "/base/example.com/m/@latest" => {
            Reply::ok(br#"{"Version":"v1.2.3","Time":"2019-01-01T00:00:00Z"}"#.to_vec())
        }
        "/base/sumdb/sum.golang.org/supported" => Reply::ok(Vec::new()),
        _ => Reply::text(404, "not found\n"),
    })
    .await;
    let (c, _d) = client();
    let p = ProxyClient::new(&c, &format!("http://{}/base/", srv.addr)).unwrap();
    let (_, list) = p.list("github.com/Azure/azure-sdk-for-go").await.unwrap();
    assert_eq!(list.versions, ["v1.0.0-RC1", "v1.0.0", "v1.1.0"]);
    let (_, info) = p
        .info("github.com/Azure/azure-sdk-for-go", "v1.0.0-RC1")
        .await
        .unwrap();
    assert_eq!(info.version, "v1.0.0-RC1");
    let (_, gomod) = p
        .go_mod("example.com/m", "v2.0.0+incompatible")
        .await
        .unwrap();
    assert_eq!(gomod, b"module example.com/m\n");
    let (_, latest) = p.latest("example.com/m").await.unwrap();
    assert_eq!(latest.version, "v1.2.3");
    p.sumdb_supported("sum.golang.org").await.unwrap();
    let e = p.sumdb_supported("other.example").await.unwrap_err();
    assert!(e.is_not_found());
    assert_eq!(
        srv.paths()[..2],
        [
            "/base/github.com/%21azure/azure-sdk-for-go/@v/list".to_string(),
            "/base/github.com/%21azure/azure-sdk-for-go/@v/v1.0.0-%21r%21c1.info".to_string()
        ]
    );
}

#[tokio::test]
async fn invalid_info_and_wrong_version_are_rejected() {
    let srv = start(None, |p| match p {
        "/m.example/a/@v/v1.0.0.info" => {
            Reply::ok(br#"{"Version":"v1.0.1","Time":"2019-01-01T00:00:00Z"}"#.to_vec())
        }
        "/m.example/a/@v/master.info" => Reply::ok(
            br#"{"Version":"v0.0.0-20190101000000-abcdefabcdef","Time":"2019-01-01T00:00:00Z"}"#
                .to_vec(),
        ),
        _ => Reply::Status(200, "text/html", b"<html>login</html>".to_vec()),
    })
    .await;
    let (c, _d) = client();
    let base = format!("http://{}", srv.addr);
    let p = ProxyClient::new(&c, &base).unwrap();
    let e = p.info("m.example/a", "v1.0.0").await.unwrap_err();
    assert_eq!(
        e.to_string(),
        "proxy returned info for version v1.0.1 instead of requested version"
    );
    // A branch name is not a canonical version: any answer is accepted.
    p.info("m.example/a", "master").await.unwrap();
    let e = p.info("m.example/a", "v2.0.0").await.unwrap_err();
    assert!(
        e.to_string()
            .starts_with(&format!("invalid response from proxy \"{base}/\": ")),
        "{e}"
    );
}

#[tokio::test]
async fn zip_streams_to_a_file_and_hashes_off_the_runtime() {
    let body: Vec<u8> = (0..100_000u32).flat_map(|i| i.to_le_bytes()).collect();
    let b2 = body.clone();
    let srv = start(None, move |p| match p {
        "/m.example/a/@v/v1.0.0.zip" => Reply::ok(b2.clone()),
        _ => Reply::text(404, ""),
    })
    .await;
    let (c, _d) = client();
    let p = ProxyClient::new(&c, &format!("http://{}", srv.addr)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let dl = p
        .zip_to_file("m.example/a", "v1.0.0", dir.path())
        .await
        .unwrap();
    assert_eq!(dl.exchange.body_len, body.len() as u64);
    assert_eq!(dl.exchange.body_sha256, hex::encode(Sha256::digest(&body)));
    let e = p
        .clone()
        .with_zip_limit(1000)
        .zip_to_file("m.example/a", "v1.0.0", dir.path())
        .await
        .unwrap_err();
    assert_eq!(e.to_string(), "downloaded zip file too large");
    let on_disk = dl
        .with_file(|path| hex::encode(Sha256::digest(std::fs::read(path).unwrap())))
        .await
        .unwrap();
    assert_eq!(on_disk, dl.exchange.body_sha256);
}

#[tokio::test]
async fn file_proxy_uses_unescaped_names() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("github.com/!azure/x/@v");
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(d.join("list"), "v1.0.0\n").unwrap();
    let (c, _d) = client();
    let base = url::Url::from_directory_path(dir.path()).unwrap();
    let p = ProxyClient::new(&c, base.as_str()).unwrap();
    let (_, l) = p.list("github.com/Azure/x").await.unwrap();
    assert_eq!(l.versions, ["v1.0.0"]);
    assert!(
        p.list("github.com/Azure/y")
            .await
            .unwrap_err()
            .is_not_found()
    );
}

#[test]
fn bad_bases_are_refused_with_go_text() {
    let (c, _d) = client();
    let msg = |b: &str| ProxyClient::new(&c, b).unwrap_err().to_string();
    assert_eq!(
        msg("file://localhost/srv"),
        "invalid file:// proxy URL with non-path elements: file://localhost/srv"
    );
    assert_eq!(
        msg("ftp://x.example"),
        "invalid proxy URL scheme (must be https, http, file): ftp://x.example"
    );
    assert_eq!(
        msg("/srv/goproxy"),
        "invalid proxy URL missing scheme: /srv/goproxy"
    );
}

/// The error of one walk step: a proxy answer, or one of go's keyword refusals.
#[derive(Debug)]
enum StepErr {
    Proxy(ProxyError),
    /// `module lookup disabled by GOPROXY=off` and friends: not-found class.
    Keyword(&'static str),
    /// The noproxy entry's "path does not match GOPRIVATE/GONOPROXY".
    PathMismatch,
    /// A direct-mode failure.
    Direct(&'static str, bool),
}

impl fmt::Display for StepErr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StepErr::Proxy(e) => e.fmt(f),
            StepErr::Keyword(s) | StepErr::Direct(s, _) => f.write_str(s),
            StepErr::PathMismatch => f.write_str("path does not match GOPRIVATE/GONOPROXY"),
        }
    }
}

impl WalkError for StepErr {
    fn is_not_found(&self) -> bool {
        match self {
            StepErr::Proxy(e) => e.is_not_found(),
            StepErr::Keyword(_) | StepErr::PathMismatch => true,
            StepErr::Direct(_, nf) => *nf,
        }
    }
    fn is_path_mismatch(&self) -> bool {
        matches!(self, StepErr::PathMismatch)
    }
}

/// Parses a tiny GOPROXY-like list: entries separated by `,` or `|`; `direct`, `off`,
/// `noproxy` keywords; `/xyz` is a path on the test proxy.
fn hops(list: &str, base: &str) -> Vec<Hop> {
    let mut out = Vec::new();
    let mut rest = list;
    while !rest.is_empty() {
        let (item, any, next) = match rest.find([',', '|']) {
            Some(i) => (&rest[..i], &rest[i..i + 1] == "|", &rest[i + 1..]),
            None => (rest, false, ""),
        };
        rest = next;
        let fallback = if any {
            Fallback::OnAnyError
        } else {
            Fallback::OnNotFound
        };
        let kind = match item {
            "direct" => HopKind::Direct,
            "off" => HopKind::Off,
            "noproxy" => HopKind::NoProxy,
            p => {
                out.push(Hop::url(&format!("{base}{p}"), fallback).unwrap());
                continue;
            }
        };
        out.push(Hop { kind, fallback });
    }
    out
}

/// Runs a walk for `list`; `direct_err` is what a direct fetch returns, `private` whether the
/// module matches GONOPROXY (then noproxy fetches directly).
async fn walk(
    c: &HttpClient,
    base: &str,
    list: &str,
    direct_err: Option<(&'static str, bool)>,
    private: bool,
) -> (Result<String, String>, Vec<usize>) {
    let hs = hops(list, base);
    let w = try_proxies(&hs, |_, hop| {
        let hop = hop.clone();
        async move {
            let direct = || match direct_err {
                Some((m, nf)) => Err(StepErr::Direct(m, nf)),
                None => Ok("direct ok".to_string()),
            };
            match hop.kind {
                HopKind::Url { url: u, .. } => {
                    if private {
                        return Err(StepErr::Keyword("disabled by GOPRIVATE/GONOPROXY"));
                    }
                    let p = ProxyClient::new(c, &u).map_err(StepErr::Proxy)?;
                    p.list("example.com/m")
                        .await
                        .map(|(_, l)| l.versions.join(" "))
                        .map_err(StepErr::Proxy)
                }
                HopKind::Direct => direct(),
                HopKind::NoProxy if private => direct(),
                HopKind::NoProxy => Err(StepErr::PathMismatch),
                HopKind::Off if private => Err(StepErr::Keyword("disabled by GOPRIVATE/GONOPROXY")),
                HopKind::Off => Err(StepErr::Keyword("module lookup disabled by GOPROXY=off")),
            }
        }
    })
    .await;
    let tried = w.steps.iter().map(|s| s.hop).collect();
    let res = w.result.expect("non-empty list");
    (res.map_err(|e| e.to_string()), tried)
}

#[tokio::test]
async fn fallback_matrix_like_go() {
    let srv = start(None, |p| {
        let first = p.split('/').nth(1).unwrap_or("");
        match first {
            "404" => Reply::text(404, "not found\n"),
            "410" => Reply::Status(410, "text/plain", Vec::new()),
            "500" => Reply::text(500, "broken\n"),
            "503" => Reply::Status(503, "text/html", Vec::new()),
            "403" => Reply::text(403, "forbidden\n"),
            "ok" => Reply::ok(b"v1.0.0\n".to_vec()),
            _ => Reply::text(404, ""),
        }
    })
    .await;
    let (c, _d) = client();
    let base = format!("http://{}", srv.addr);
    let url = |p: &str| format!("{base}/{p}/example.com/m/@v/list");
    let w = |list: &'static str| walk(&c, &base, list, None, false);

    // mod_proxy_list.txt: the last not-found error is reported.
    let (r, tried) = w("/404,/410").await;
    assert_eq!(r, Err(format!("reading {}: 410 Gone", url("410"))));
    assert_eq!(tried, [0, 1]);
    // mod_sumdb_proxy.txt shape: a later real failure beats an earlier not-found.
    let (r, _) = w("/404,/503").await;
    assert_eq!(
        r,
        Err(format!("reading {}: 503 Service Unavailable", url("503")))
    );
    // After ',' a failure stops the walk.
    let (r, tried) = w("/503,/ok").await;
    assert_eq!(
        r,
        Err(format!("reading {}: 503 Service Unavailable", url("503")))
    );
    assert_eq!(tried, [0]);
    let (r, tried) = w("/403,/ok").await;
    assert_eq!(
        r,
        Err(format!(
            "reading {}: 403 Forbidden\n\tserver response: forbidden",
            url("403")
        ))
    );
    assert_eq!(tried, [0]);
    // After '|' any error moves on.
    let (r, tried) = w("/503|/ok").await;
    assert_eq!(r, Ok("v1.0.0".into()));
    assert_eq!(tried, [0, 1]);
    // A proxy failure outranks a later not-found.
    let (r, _) = w("/503|/404").await;
    assert_eq!(
        r,
        Err(format!("reading {}: 503 Service Unavailable", url("503")))
    );
    // With '|' chains the last failure wins.
    let (r, _) = w("/500|/503").await;
    assert_eq!(
        r,
        Err(format!("reading {}: 503 Service Unavailable", url("503")))
    );
    // not-found after ',' continues to the next proxy.
    let (r, tried) = w("/404,/ok").await;
    assert_eq!(r, Ok("v1.0.0".into()));
    assert_eq!(tried, [0, 1]);
    // GOPROXY=off alone.
    let (r, _) = w("off").await;
    assert_eq!(r, Err("module lookup disabled by GOPROXY=off".into()));
    // [noproxy, off] for a public module: off's error (the last not-found) is reported.
    let (r, tried) = w("noproxy,off").await;
    assert_eq!(r, Err("module lookup disabled by GOPROXY=off".into()));
    assert_eq!(tried, [0, 1]);
}

#[tokio::test]
async fn direct_errors_outrank_proxy_errors() {
    let srv = start(None, |p| match p.split('/').nth(1).unwrap_or("") {
        "503" => Reply::Status(503, "text/plain", Vec::new()),
        _ => Reply::Status(404, "text/plain", Vec::new()),
    })
    .await;
    let (c, _d) = client();
    let base = format!("http://{}", srv.addr);
    let unrec = "unrecognized import path \"example.com/m\": https fetch: connection refused";
    // A not-found direct error replaces an earlier proxy failure.
    let (r, tried) = walk(&c, &base, "/503|direct", Some((unrec, true)), false).await;
    assert_eq!(r, Err(unrec.into()));
    assert_eq!(tried, [0, 1]);
    // And an earlier not-found.
    let (r, _) = walk(&c, &base, "/404,direct", Some((unrec, true)), false).await;
    assert_eq!(r, Err(unrec.into()));
    // Private module, [noproxy, off]: noproxy fetches directly; its not-found error is kept
    // over off's "disabled by GOPRIVATE/GONOPROXY".
    let (r, tried) = walk(&c, &base, "noproxy,off", Some((unrec, true)), true).await;
    assert_eq!(r, Err(unrec.into()));
    assert_eq!(tried, [0, 1]);
    // A failing direct fetch (not not-found) stops the walk at once.
    let (r, tried) = walk(
        &c,
        &base,
        "noproxy,/404",
        Some(("git ls-remote failed", false)),
        true,
    )
    .await;
    assert_eq!(r, Err("git ls-remote failed".into()));
    assert_eq!(tried, [0]);
    // Success through noproxy for a private module.
    let (r, _) = walk(&c, &base, "noproxy,/404", None, true).await;
    assert_eq!(r, Ok("direct ok".into()));
}

#[tokio::test]
async fn steps_record_the_path_taken() {
    let (c, _d) = client();
    let hs = hops("off", "");
    let w = try_proxies(&hs, |_, _| async {
        Err::<(), _>(StepErr::Keyword("module lookup disabled by GOPROXY=off"))
    })
    .await;
    assert_eq!(w.steps.len(), 1);
    assert!(matches!(&w.steps[0].outcome, StepOutcome::NotFound(m) if m.contains("GOPROXY=off")));
    drop(c);
    let empty = try_proxies::<(), StepErr, _, _>(&[], |_, _| async { Ok(()) }).await;
    assert!(empty.result.is_none());
}

#[tokio::test]
async fn zip_h1_is_computed_off_the_runtime() {
    let m = std::sync::Arc::new(net_server::modules::module("example.com/hello"));
    let m2 = m.clone();
    let srv = start(None, move |p| match p {
        "/example.com/hello/@v/v1.0.0.zip" => Reply::ok(m2.zip.clone()),
        "/example.com/hello/@v/v1.0.0.mod" => Reply::ok(m2.gomod.clone()),
        _ => Reply::ok(b"not a zip".to_vec()),
    })
    .await;
    let (c, _d) = client();
    let p = ProxyClient::new(&c, &format!("http://{}", srv.addr)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let dl = p
        .zip_to_file("example.com/hello", "v1.0.0", dir.path())
        .await
        .unwrap();
    // The same hash the real go accepted in net_sumdb_go.
    assert_eq!(dl.h1().await.unwrap(), m.zip_h1);
    let (_, gomod) = p.go_mod("example.com/hello", "v1.0.0").await.unwrap();
    assert_eq!(gomod::dirhash::hash_go_mod(&gomod), m.mod_h1);
    let bad = p
        .zip_to_file("example.com/other", "v1.0.0", dir.path())
        .await
        .unwrap();
    assert!(matches!(bad.h1().await, Err(ProxyError::ZipHash(_))));
}
