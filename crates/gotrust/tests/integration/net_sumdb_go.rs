//! The sumdb client against the real go command: go verifies modules against the in-test
//! database served through a loopback GOPROXY, then gotrust reads go's on-disk state
//! (`cmd/go/internal/modfetch/sumdb.go` `ReadConfig`, `ReadCache`) and, when the database forks, produces the same SECURITY ERROR report as go.

use crate::net_server;

use std::sync::{Arc, Mutex};

use gotrust::net::goproxy::SumdbBase;
use gotrust::net::sumdb::{AnswerSource, SumdbClient, SumdbClientError, SumdbConfig};
use gotrust::net::tls::RootSource;
use gotrust::net::{HttpClient, HttpConfig};
use net_server::modules::{Module, module};
use net_server::testdb::{Db, NAME, keys};
use net_server::{Reply, start};

fn serve(db: &Mutex<Db>, mods: &[Module], path: &str) -> Reply {
    let sumdb_prefix = format!("/sumdb/{NAME}");
    if let Some(rest) = path.strip_prefix(&sumdb_prefix) {
        if rest == "/supported" {
            return Reply::ok(Vec::new());
        }
        return db.lock().unwrap().serve(rest);
    }
    for m in mods {
        let base = format!("/{}/@v/", m.path);
        match path.strip_prefix(&base) {
            Some("list") => return Reply::ok(b"v1.0.0\n".to_vec()),
            Some("v1.0.0.info") => {
                return Reply::ok(
                    br#"{"Version":"v1.0.0","Time":"2024-01-01T00:00:00Z"}"#.to_vec(),
                );
            }
            Some("v1.0.0.mod") => return Reply::ok(m.gomod.clone()),
            Some("v1.0.0.zip") => return Reply::ok(m.zip.clone()),
            _ => {}
        }
    }
    Reply::text(404, "not found\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn go_and_gotrust_agree_on_state_and_forks() {
    let hello = module("example.com/hello");
    let other = module("example.com/other");
    let (skey, vkey) = keys(7);
    let mut db = Db::new(&skey);
    db.add("example.com/filler0", "v1.0.0", "a");
    db.add("example.com/filler1", "v1.0.0", "a");
    db.add_hashes(hello.path, "v1.0.0", &hello.zip_h1, &hello.mod_h1);
    db.add("example.com/filler3", "v1.0.0", "a");
    db.add("example.com/filler4", "v1.0.0", "a");
    let db = Arc::new(Mutex::new(db));
    let mods = Arc::new(vec![hello, other]);
    let (d2, m2) = (db.clone(), mods.clone());
    let srv = start(None, move |p| serve(&d2, &m2, p)).await;
    let proxy = format!("http://{}", srv.addr);

    let root = tempfile::tempdir().unwrap();
    let go = |args: &[&str]| {
        let mut cmd = testkit::hermetic_go(root.path());
        cmd.env("GOPROXY", &proxy)
            .env("GOSUMDB", &vkey)
            .env("GOFLAGS", "")
            .env("GONOSUMDB", "")
            .env("GOPRIVATE", "")
            .current_dir(root.path())
            .args(args);
        cmd.output().expect("run go")
    };
    let out = go(&["mod", "download", "-json", "example.com/hello@v1.0.0"]);
    assert!(
        out.status.success(),
        "go rejected the test database:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let gopath = root.path().join("gopath");
    let go_latest = gopath.join(format!("pkg/sumdb/{NAME}/latest"));
    let go_cache = gopath.join(format!("pkg/mod/cache/download/sumdb/{NAME}"));
    assert_eq!(
        std::fs::read(&go_latest).unwrap(),
        db.lock().unwrap().note()
    );
    assert!(go_cache.join("lookup/example.com/hello@v1.0.0").is_file());
    // go fetched the database through the proxy (`dbClient.initBase`).
    assert!(srv.paths().contains(&format!("/sumdb/{NAME}/supported")));

    // gotrust reads go's state: go's tree head is merged, go's cached answer is verified
    // and used without any request.
    let ca = tempfile::tempdir().unwrap();
    let tls = net_server::make_tls();
    std::fs::write(ca.path().join("ca.pem"), &tls.ca_pem).unwrap();
    let http = Arc::new(
        HttpClient::new(HttpConfig {
            roots: RootSource::CaFile(ca.path().join("ca.pem")),
            ..HttpConfig::default()
        })
        .unwrap(),
    );
    let state = tempfile::tempdir().unwrap();
    let cfg = SumdbConfig {
        key: vkey.clone(),
        base: SumdbBase(url::Url::parse(&format!("{proxy}/sumdb/{NAME}")).unwrap()),
        state_dir: state.path().join(NAME),
        go_latest: Some(go_latest.clone()),
        go_cache: Some(go_cache.clone()),
        private: None,
    };
    let before = srv.paths().len();
    let c = SumdbClient::new(http.clone(), cfg.clone()).await.unwrap();
    assert_eq!(c.latest().0.n, 5);
    let l = c.lookup("example.com/hello", "v1.0.0").await.unwrap();
    assert_eq!(l.source, AnswerSource::GoCache);
    assert_eq!(
        l.lines,
        [format!("example.com/hello v1.0.0 {}", mods[0].zip_h1)]
    );
    assert_eq!(srv.paths().len(), before, "answered from go's cache");

    // The database forks: record 3 changes and `other` is appended.
    {
        let mut d = db.lock().unwrap();
        let mut forked = Db::new(&skey);
        forked.add("example.com/filler0", "v1.0.0", "a");
        forked.add("example.com/filler1", "v1.0.0", "a");
        forked.add_hashes(mods[0].path, "v1.0.0", &mods[0].zip_h1, &mods[0].mod_h1);
        forked.add("example.com/filler3", "v1.0.0", "evil");
        forked.add("example.com/filler4", "v1.0.0", "a");
        forked.add_hashes(mods[1].path, "v1.0.0", &mods[1].zip_h1, &mods[1].mod_h1);
        *d = forked;
    }
    let out = go(&["mod", "download", "-json", "example.com/other@v1.0.0"]);
    let go_stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success());
    assert!(go_stderr.contains("SECURITY ERROR"), "{go_stderr}");

    let fresh = tempfile::tempdir().unwrap();
    let c = SumdbClient::new(
        http,
        SumdbConfig {
            state_dir: fresh.path().join(NAME),
            ..cfg
        },
    )
    .await
    .unwrap();
    let e = c.lookup("example.com/other", "v1.0.0").await.unwrap_err();
    let SumdbClientError::Fork(ev) = e.error else {
        panic!("want fork, got {:?}", e.error)
    };
    assert!(
        go_stderr.contains(&ev.report),
        "go's report:\n{go_stderr}\ngotrust's report:\n{}",
        ev.report
    );
}
