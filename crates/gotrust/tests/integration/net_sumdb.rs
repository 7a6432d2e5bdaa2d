//! The checksum-database client against an in-test database built with gomod's tlog and note
//! code and served on loopback.

use crate::net_server;

use std::sync::{Arc, Mutex};

use gotrust::net::goproxy::SumdbBase;
use gotrust::net::sumdb::{
    AnswerSource, BaseSource, Merge, SumdbClient, SumdbClientError, SumdbConfig, resolve_base,
};
use gotrust::net::tls::RootSource;
use gotrust::net::{FetchErrorKind, Hop, HopKind, HttpClient, HttpConfig};
use gotrust::settings::proxy::Fallback;
use net_server::testdb::{Db, NAME, keys};
use net_server::{Reply, start};

struct Setup {
    db: Arc<Mutex<Db>>,
    srv: net_server::Server,
    http: Arc<HttpClient>,
    vkey: String,
    state: tempfile::TempDir,
    _ca: tempfile::TempDir,
}

async fn setup(records: usize) -> Setup {
    let (skey, vkey) = keys(1);
    let mut db = Db::new(&skey);
    for i in 0..records {
        db.add(&format!("example.com/m{i}"), "v1.0.0", "a");
    }
    let db = Arc::new(Mutex::new(db));
    let d2 = db.clone();
    let srv = start(None, move |p| d2.lock().unwrap().serve(p)).await;
    let ca = tempfile::tempdir().unwrap();
    let tls = net_server::make_tls();
    let path = ca.path().join("ca.pem");
    std::fs::write(&path, &tls.ca_pem).unwrap();
    let http = Arc::new(
        HttpClient::new(HttpConfig {
            roots: RootSource::CaFile(path),
            ..HttpConfig::default()
        })
        .unwrap(),
    );
    Setup {
        db,
        srv,
        http,
        vkey,
        state: tempfile::tempdir().unwrap(),
        _ca: ca,
    }
}

impl Setup {
    fn config(&self) -> SumdbConfig {
        SumdbConfig {
            key: self.vkey.clone(),
            base: SumdbBase(url::Url::parse(&format!("http://{}", self.srv.addr)).unwrap()),
            state_dir: self.state.path().join("sumdb").join(NAME),
            go_latest: None,
            go_cache: None,
            private: None,
        }
    }

    async fn client(&self) -> SumdbClient {
        SumdbClient::new(self.http.clone(), self.config())
            .await
            .unwrap()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lookup_is_proven_and_cached() {
    let s = setup(5).await;
    let c = s.client().await;
    let l = c.lookup("example.com/m3", "v1.0.0").await.unwrap();
    assert_eq!(l.lines, ["example.com/m3 v1.0.0 h1:zipa3="]);
    assert_eq!(
        (l.record_id, l.tree_size, l.source),
        (3, 5, AnswerSource::Network)
    );
    // The same record answers the go.mod line: proven once, no second request.
    let l = c.lookup("example.com/m3", "v1.0.0/go.mod").await.unwrap();
    assert_eq!(l.lines, ["example.com/m3 v1.0.0/go.mod h1:moda3="]);
    assert_eq!(
        (l.source, l.exchange.is_none()),
        (AnswerSource::Network, true)
    );
    let dir = s.state.path().join("sumdb").join(NAME);
    // The proven record is in gotrust's pack (go's per-lookup files are go's layout only).
    let pack = std::fs::read_to_string(dir.join("records")).unwrap();
    assert!(pack.contains("example.com/m3 v1.0.0 h1:zipa3="), "{pack}");
    assert!(
        dir.join("tile/8/0/000.p/5").is_file(),
        "authenticated tile cached"
    );
    assert_eq!(
        std::fs::read(dir.join("latest")).unwrap(),
        s.db.lock().unwrap().note()
    );
    // One lookup request and one tile request.
    assert_eq!(
        s.srv.paths(),
        ["/lookup/example.com/m3@v1.0.0", "/tile/8/0/000.p/5"]
    );

    // A new client starts from the stored head and the cached answer: no network at all.
    let c2 = s.client().await;
    assert_eq!(c2.latest().0.n, 5);
    let l = c2.lookup("example.com/m3", "v1.0.0").await.unwrap();
    assert_eq!(l.source, AnswerSource::GotrustCache);
    assert_eq!(s.srv.paths().len(), 2);

    // A pack entry rewritten on disk (same length, another hash) does not prove: it is only
    // a cache miss, and the database's own answer is fetched and used.
    let forged = pack.replace("h1:zipa3=", "h1:evil3=");
    assert_ne!(forged, pack);
    std::fs::write(dir.join("records"), &forged).unwrap();
    let c3 = s.client().await;
    let l = c3.lookup("example.com/m3", "v1.0.0").await.unwrap();
    assert_eq!(l.lines, ["example.com/m3 v1.0.0 h1:zipa3="]);
    assert_eq!(l.source, AnswerSource::Network);
    assert_eq!(s.srv.paths().len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn growth_is_checked_for_consistency() {
    let s = setup(5).await;
    let c = s.client().await;
    c.lookup("example.com/m1", "v1.0.0").await.unwrap();
    {
        let mut db = s.db.lock().unwrap();
        for i in 5..300 {
            db.add(&format!("example.com/m{i}"), "v1.0.0", "a");
        }
    }
    let l = c.lookup("example.com/m299", "v1.0.0").await.unwrap();
    assert_eq!((l.record_id, l.tree_size), (299, 300));
    let (m, t) = c.fetch_latest().await.unwrap();
    assert_eq!((m, t.n), (Merge::Now, 300));
    let paths = s.srv.paths();
    assert!(paths.contains(&"/tile/8/0/000".to_string()), "{paths:?}");
    assert!(
        paths.contains(&"/tile/8/0/001.p/44".to_string()),
        "{paths:?}"
    );
    assert!(
        paths.contains(&"/tile/8/1/000.p/1".to_string()),
        "{paths:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fork_is_reported_with_both_notes() {
    let s = setup(5).await;
    let c = s.client().await;
    c.lookup("example.com/m0", "v1.0.0").await.unwrap();
    let old_note = s.db.lock().unwrap().note();
    // The server now shows a different history: record 2 changed, one record added.
    {
        let mut db = s.db.lock().unwrap();
        let signer = db.signer.clone();
        let mut forked = Db {
            signer,
            ..Db::new(&keys(1).0)
        };
        for i in 0..6 {
            forked.add(
                &format!("example.com/m{i}"),
                "v1.0.0",
                if i == 2 { "evil" } else { "a" },
            );
        }
        *db = forked;
    }
    let new_note = s.db.lock().unwrap().note();
    let e = c.lookup("example.com/m5", "v1.0.0").await.unwrap_err();
    assert_eq!(
        e.to_string(),
        "example.com/m5@v1.0.0: security error: misbehaving server"
    );
    let SumdbClientError::Fork(ev) = e.error else {
        panic!("want fork, got {:?}", e.error)
    };
    assert_eq!((ev.older.n, ev.newer.n), (5, 6));
    assert_eq!(ev.older.note.as_bytes(), old_note);
    assert_eq!(ev.newer.note.as_bytes(), new_note);
    assert!(ev.report.starts_with(
        "SECURITY ERROR\ngo.sum database server misbehavior detected!\n\nold database:\n\tgo.sum database tree\n\t5\n"
    ), "{}", ev.report);
    assert!(
        ev.report
            .contains("new database:\n\tgo.sum database tree\n\t6\n")
    );
    assert!(
        ev.report
            .contains(&format!("proof of misbehavior:\n\t{}", ev.implied_hash))
    );
    // The stored head is unchanged: the forked tree was not adopted.
    assert_eq!(c.latest().0.n, 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampered_records_and_tiles_and_foreign_keys_fail() {
    let s = setup(5).await;
    let c = s.client().await;
    s.db.lock().unwrap().tamper = Some("example.com/m1 v1.0.0 h1:forged=\n".into());
    let e = c.lookup("example.com/m1", "v1.0.0").await.unwrap_err();
    assert_eq!(
        e.to_string(),
        "example.com/m1@v1.0.0: cannot authenticate record data in server response"
    );
    // Nothing unproven is cached.
    let pack = s.state.path().join("sumdb").join(NAME).join("records");
    assert!(
        !std::fs::read_to_string(pack)
            .unwrap_or_default()
            .contains("forged")
    );

    // x/mod client_test.go: bit-flipped tiles. Checking the record reports the bare error.
    let s = setup(5).await;
    s.db.lock().unwrap().flip_tiles = true;
    let c = s.client().await;
    let e = c.lookup("example.com/m1", "v1.0.0").await.unwrap_err();
    assert_eq!(
        e.to_string(),
        "example.com/m1@v1.0.0: downloaded inconsistent tile"
    );
    // Checking a stored head against a newer one names both trees.
    let s = setup(3).await;
    let c = s.client().await;
    c.lookup("example.com/m1", "v1.0.0").await.unwrap();
    {
        let mut db = s.db.lock().unwrap();
        db.add("example.com/m3", "v1.0.0", "a");
        db.flip_tiles = true;
    }
    let e = c.lookup("example.com/m3", "v1.0.0").await.unwrap_err();
    assert_eq!(
        e.to_string(),
        "example.com/m3@v1.0.0: checking tree#3 against tree#4: downloaded inconsistent tile"
    );
    // A tile that cannot be fetched keeps its typed error inside the tree check.
    let s = setup(3).await;
    let c = s.client().await;
    c.lookup("example.com/m1", "v1.0.0").await.unwrap();
    {
        let mut db = s.db.lock().unwrap();
        db.add("example.com/m3", "v1.0.0", "a");
        db.tiles_fail = true;
    }
    let e = c.lookup("example.com/m3", "v1.0.0").await.unwrap_err();
    match &e.error {
        SumdbClientError::TreeCheck {
            older: 3,
            newer: 4,
            fetch: Some(f),
            ..
        } => assert_eq!(f.status(), Some(503)),
        other => panic!("{other:?}"),
    }

    let s = setup(5).await;
    let mut cfg = s.config();
    cfg.key = keys(2).1; // same name, other key
    let c = SumdbClient::new(s.http.clone(), cfg).await.unwrap();
    let e = c.lookup("example.com/m1", "v1.0.0").await.unwrap_err();
    assert!(
        e.to_string()
            .starts_with("example.com/m1@v1.0.0: reading tree note: "),
        "{e}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_paths_are_never_sent_and_paths_are_escaped() {
    let s = setup(0).await;
    {
        let mut db = s.db.lock().unwrap();
        db.add("rsc.io/Quote", "v1.5.2", "q");
    }
    let mut cfg = s.config();
    cfg.private = Some(Arc::new(|p: &str| p.starts_with("corp.example/")));
    let c = SumdbClient::new(s.http.clone(), cfg).await.unwrap();
    let e = c.lookup("corp.example/secret", "v1.0.0").await.unwrap_err();
    assert!(matches!(e.error, SumdbClientError::Private));
    let l = c.lookup("rsc.io/Quote", "v1.5.2").await.unwrap();
    assert_eq!(l.lines, ["rsc.io/Quote v1.5.2 h1:zipq0="]);
    assert_eq!(s.srv.paths()[0], "/lookup/rsc.io/!quote@v1.5.2");
    assert!(!s.srv.paths().iter().any(|p| p.contains("corp")));
    // Not found is a fetch error of the not-found class.
    let e = c.lookup("rsc.io/none", "v1.0.0").await.unwrap_err();
    match e.error {
        SumdbClientError::Fetch(f) => assert!(matches!(f.kind, FetchErrorKind::NotFound { .. })),
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn go_caches_are_read_only_sources_and_fork_witnesses() {
    let s = setup(5).await;
    // go's module cache holds a lookup answer and tile; the server no longer answers.
    let go_cache = tempfile::tempdir().unwrap();
    let db = s.db.lock().unwrap().clone();
    let resp = match db.serve("/lookup/example.com/m2@v1.0.0") {
        Reply::Status(200, _, b) => b,
        r => panic!("{r:?}"),
    };
    let tile = match db.serve("/tile/8/0/000.p/5") {
        Reply::Status(200, _, b) => b,
        r => panic!("{r:?}"),
    };
    std::fs::create_dir_all(go_cache.path().join("lookup/example.com")).unwrap();
    std::fs::write(go_cache.path().join("lookup/example.com/m2@v1.0.0"), &resp).unwrap();
    std::fs::create_dir_all(go_cache.path().join("tile/8/0/000.p")).unwrap();
    std::fs::write(go_cache.path().join("tile/8/0/000.p/5"), &tile).unwrap();
    s.db.lock().unwrap().records.clear();
    let mut cfg = s.config();
    cfg.go_cache = Some(go_cache.path().to_path_buf());
    let c = SumdbClient::new(s.http.clone(), cfg.clone()).await.unwrap();
    let l = c.lookup("example.com/m2", "v1.0.0").await.unwrap();
    assert_eq!(l.source, AnswerSource::GoCache);
    assert!(s.srv.paths().is_empty(), "{:?}", s.srv.paths());

    // go's stored head from a forked history is caught at start-up.
    let (skey, _) = keys(1);
    let mut other = Db::new(&skey);
    for i in 0..7 {
        other.add(&format!("example.com/x{i}"), "v1.0.0", "b");
    }
    let go_latest = go_cache.path().join("latest");
    std::fs::write(&go_latest, other.note()).unwrap();
    cfg.go_latest = Some(go_latest);
    // The server serves the forked log's tiles so the check can run.
    *s.db.lock().unwrap() = other;
    let e = SumdbClient::new(s.http.clone(), cfg).await.unwrap_err();
    assert!(matches!(e, SumdbClientError::Fork(_)), "{e:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn base_is_found_like_go() {
    let srv = start(None, |p| match p {
        "/good/sumdb/sum.golang.org/supported" => Reply::ok(Vec::new()),
        p if p.starts_with("/503/") => Reply::Status(503, "text/plain", Vec::new()),
        _ => Reply::text(404, "not found\n"),
    })
    .await;
    let ca = tempfile::tempdir().unwrap();
    let tls = net_server::make_tls();
    std::fs::write(ca.path().join("ca.pem"), &tls.ca_pem).unwrap();
    let http = HttpClient::new(HttpConfig {
        roots: RootSource::CaFile(ca.path().join("ca.pem")),
        ..HttpConfig::default()
    })
    .unwrap();
    let base = format!("http://{}", srv.addr);
    let hop = |p: &str, any: bool| {
        let fallback = if any {
            Fallback::OnAnyError
        } else {
            Fallback::OnNotFound
        };
        if p == "direct" {
            Hop {
                kind: HopKind::Direct,
                fallback,
            }
        } else {
            Hop::url(&format!("{base}{p}"), fallback).unwrap()
        }
    };
    let name = "sum.golang.org";
    let r = resolve_base(
        &http,
        name,
        None,
        &[hop("/404", false), hop("/good", false)],
    )
    .await
    .unwrap();
    assert_eq!(r.source, BaseSource::Proxy { hop: 1 });
    assert_eq!(
        r.base.0.as_str(),
        format!("{base}/good/sumdb/sum.golang.org")
    );
    let r = resolve_base(
        &http,
        name,
        None,
        &[hop("/404", false), hop("direct", false)],
    )
    .await
    .unwrap();
    assert_eq!(r.source, BaseSource::Direct);
    assert_eq!(r.base.0.as_str(), "https://sum.golang.org/");
    // mod_sumdb_proxy.txt: 503 after ',' fails every database read.
    let e = resolve_base(
        &http,
        name,
        None,
        &[hop("/503", false), hop("/good", false)],
    )
    .await
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("reading {base}/503/sumdb/sum.golang.org/supported: 503 Service Unavailable")
    );
    // With '|' the walk goes on.
    let r = resolve_base(&http, name, None, &[hop("/503", true), hop("/good", false)])
        .await
        .unwrap();
    assert_eq!(r.source, BaseSource::Proxy { hop: 1 });
    // An explicit URL: no probe at all.
    let before = srv.paths().len();
    let r = resolve_base(
        &http,
        name,
        Some("https://sumdb.corp.example/x"),
        &[hop("/good", false)],
    )
    .await
    .unwrap();
    assert_eq!(r.source, BaseSource::Explicit);
    assert_eq!(srv.paths().len(), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_lookups_share_tiles() {
    let s = setup(40).await;
    let c = s.client().await;
    let mut tasks = Vec::new();
    for i in 0..40 {
        let c = c.clone();
        tasks.push(tokio::spawn(async move {
            c.lookup(&format!("example.com/m{i}"), "v1.0.0")
                .await
                .map(|l| l.record_id)
        }));
    }
    for (i, t) in tasks.into_iter().enumerate() {
        assert_eq!(t.await.unwrap().unwrap(), i as i64);
    }
    let tiles: Vec<_> = s
        .srv
        .paths()
        .into_iter()
        .filter(|p| p.starts_with("/tile/"))
        .collect();
    assert_eq!(
        tiles,
        ["/tile/8/0/000.p/40"],
        "one tile request for 40 lookups"
    );
}

#[test]
fn config_from_gosumdb_setting() {
    use gotrust::settings::sumdb::SumDb;
    let SumDb::Db(db) = SumDb::parse("sum.golang.org").unwrap() else {
        panic!("enabled")
    };
    let base = SumdbBase(url::Url::parse("https://proxy.golang.org/sumdb/sum.golang.org").unwrap());
    let root = std::path::Path::new("/cache/gotrust");
    let cfg = SumdbConfig::new(&db, base, root).with_go_state(
        db.name(),
        Some(std::path::Path::new("/go")),
        Some(std::path::Path::new("/go/pkg/mod")),
    );
    assert_eq!(cfg.key, gotrust::settings::sumdb::SUM_GOLANG_ORG_KEY);
    assert_eq!(cfg.state_dir, root.join("sumdb/sum.golang.org"));
    assert_eq!(
        cfg.go_latest.as_deref(),
        Some(std::path::Path::new("/go/pkg/sumdb/sum.golang.org/latest"))
    );
    assert_eq!(
        cfg.go_cache.as_deref(),
        Some(std::path::Path::new(
            "/go/pkg/mod/cache/download/sumdb/sum.golang.org"
        ))
    );
}
