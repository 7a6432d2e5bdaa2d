//! The lab's HTTP answers seen directly (no go command): proxy endpoints,
//! database endpoints, error statuses, and the JSON-lines request log file.

use crate::harness::*;
use gomod::note::{self, Verifiers};
use gomod::tlog;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A minimal HTTP/1.1 GET: (status, body).
async fn get(lab: &gotrust_lab::RunningLab, path: &str) -> (u16, Vec<u8>) {
    let mut s = tokio::net::TcpStream::connect(lab.addr()).await.unwrap();
    let req = format!("GET {path} HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n");
    s.write_all(req.as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).await.unwrap();
    let split = buf.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&buf[..split]).into_owned();
    let status = head[9..12].parse().unwrap();
    (status, buf[split + 4..].to_vec())
}

fn text(b: &[u8]) -> String {
    String::from_utf8(b.to_vec()).unwrap()
}

#[tokio::test]
async fn proxy_endpoints() {
    let tmp = tempfile::tempdir().unwrap();
    let lab = lab(tmp.path()).start().await.unwrap();

    // list: releases and pre-releases, no pseudo-versions; 404 for unknown modules.
    let (st, body) = get(&lab, "/example.com/simple/@v/list").await;
    assert_eq!(
        (st, text(&body)),
        (200, "v1.0.0\nv1.1.0\nv1.2.0-pre.1\n".into())
    );
    let (st, body) = get(&lab, "/example.com/pseudo/@v/list").await;
    assert_eq!((st, text(&body)), (200, String::new()));
    assert_eq!(get(&lab, "/example.com/none/@v/list").await.0, 404);

    // @latest prefers the newest release over a newer pre-release.
    let (st, body) = get(&lab, "/example.com/simple/@latest").await;
    assert_eq!(st, 200);
    assert!(
        text(&body).contains("\"Version\":\"v1.1.0\""),
        "{}",
        text(&body)
    );
    let (_, body) = get(&lab, "/example.com/pseudo/@latest").await;
    assert!(text(&body).contains("v1.2.4-0.20240203040506-0123456789ab"));

    // `!` escapes arrive percent-encoded or literal; both work.
    for p in [
        "/example.com/%21upper%21case/@v/v1.0.0.mod",
        "/example.com/!upper!case/@v/v1.0.0.mod",
    ] {
        let (st, body) = get(&lab, p).await;
        assert_eq!(
            (st, text(&body)),
            (200, "module example.com/UpperCase\n\ngo 1.21\n".into())
        );
    }
    let (st, body) = get(&lab, "/example.com/prerelease/@v/v1.0.0-%21r%21c1.info").await;
    assert_eq!(st, 200);
    assert!(text(&body).contains("v1.0.0-RC1"));

    // Synthesized go.mod for +incompatible, .info from the fixture.
    let (_, body) = get(&lab, "/example.com/incompat/@v/v2.0.0+incompatible.mod").await;
    assert_eq!(text(&body), "module example.com/incompat\n");
    let (_, body) = get(&lab, "/example.com/withinfo/@v/v1.0.0.info").await;
    assert!(text(&body).contains("\"Origin\""));

    // A nested module's files are not in its parent's zip; vendor/ is left out.
    let zip = lab.module("example.com/nested", "v1.0.0").unwrap().zip;
    let (st, body) = get(&lab, "/example.com/nested/@v/v1.0.0.zip").await;
    assert_eq!((st, &body), (200, &zip));
    let files: Vec<String> = lab
        .module("example.com/nested", "v1.0.0")
        .unwrap()
        .files
        .into_iter()
        .map(|f| f.0)
        .collect();
    assert_eq!(files, ["go.mod", "nested.go"]);
    let tree: Vec<String> = lab
        .module("example.com/tree", "v1.3.0")
        .unwrap()
        .files
        .into_iter()
        .map(|f| f.0)
        .collect();
    // Vendored packages are left out; vendor/modules.txt stays because the
    // module declares go 1.21 (< 1.24), as x/mod's CreateFromDir does.
    assert_eq!(
        tree,
        [
            "go.mod",
            "internal/util/util.go",
            "tree.go",
            "vendor/modules.txt"
        ]
    );

    // Errors.
    assert_eq!(get(&lab, "/example.com/simple/@v/v9.9.9.zip").await.0, 404);
    assert_eq!(get(&lab, "/example.com/Upper/@v/list").await.0, 400);
    assert_eq!(get(&lab, "/example.com/simple/@v/v1.0.0.tar").await.0, 404);
    assert_eq!(get(&lab, "/%zz").await.0, 400);
    lab.shutdown().await;
}

#[tokio::test]
async fn database_endpoints_verify_with_gomod() {
    let tmp = tempfile::tempdir().unwrap();
    let lab = lab(tmp.path()).start().await.unwrap();
    let n = lab.tree_size() as i64;
    let verifiers = Verifiers::new(vec![note::Verifier::new(lab.verifier_key()).unwrap()]);
    let base = format!("/sumdb/{}", lab.sumdb_name());

    assert_eq!(get(&lab, &format!("{base}/supported")).await.0, 200);

    // /latest: a tree note signed by the lab key.
    let (st, latest) = get(&lab, &format!("{base}/latest")).await;
    assert_eq!(st, 200);
    let opened = note::open(&latest, &verifiers).unwrap();
    let tree = tlog::parse_tree(opened.text.as_bytes()).unwrap();
    assert_eq!(tree.n, n);
    // The same at the root.
    assert_eq!(get(&lab, "/latest").await.1, latest);

    // /lookup: record equal to the go.sum lines, proved by the tiles.
    let (st, resp) = get(
        &lab,
        &format!("{base}/lookup/example.com/%21upper%21case@v1.0.0"),
    )
    .await;
    assert_eq!(st, 200);
    let resp = gomod::sumdb::parse_lookup_response(&resp).unwrap();
    assert_eq!(
        text(&resp.text),
        lab.go_sum_lines("example.com/UpperCase", "v1.0.0").unwrap()
    );
    let tiles = tlog::new_tiles(8, 0, n).unwrap();
    let mut stored = std::collections::HashMap::new();
    for t in &tiles {
        let (st, data) = get(&lab, &format!("{base}/{}", t.path())).await;
        assert_eq!(st, 200, "{}", t.path());
        assert_eq!(data.len(), t.data_len());
        stored.insert(*t, data);
    }
    let reader = |idx: &[i64]| -> Result<Vec<tlog::Hash>, tlog::TlogError> {
        idx.iter()
            .map(|&i| {
                let t = tlog::tile_for_index(8, i)?;
                let full = stored
                    .iter()
                    .find(|(k, _)| k.l == t.l && k.n == t.n)
                    .map(|(_, d)| d)
                    .unwrap();
                tlog::hash_from_tile(&t, &full[..t.data_len()], i)
            })
            .collect()
    };
    assert_eq!(tlog::tree_hash(n, &reader).unwrap(), tree.hash);
    let rh = tlog::record_hash(&resp.text);
    let proof = tlog::prove_record(n, resp.id, &reader).unwrap();
    tlog::check_record(&proof, n, tree.hash, resp.id, rh).unwrap();

    // Data tile: the record texts, each followed by an empty line.
    let (st, data) = get(&lab, &format!("{base}/tile/8/data/000.p/{n}")).await;
    assert_eq!(st, 200);
    assert_eq!(text(&data).matches("\n\n").count() as i64, n);

    // Errors: unknown module, bad key, tiles beyond the tree, bad tile path.
    assert_eq!(
        get(&lab, &format!("{base}/lookup/example.com/none@v1.0.0"))
            .await
            .0,
        404
    );
    assert_eq!(get(&lab, &format!("{base}/lookup/noversion")).await.0, 400);
    assert_eq!(
        get(&lab, &format!("{base}/tile/8/0/000.p/{}", n + 1))
            .await
            .0,
        404
    );
    assert_eq!(get(&lab, &format!("{base}/tile/8/0/001")).await.0, 404);
    assert_eq!(get(&lab, &format!("{base}/tile/8/0/00x")).await.0, 400);
    lab.shutdown().await;
}

#[tokio::test]
async fn request_log_is_written_as_json_lines() {
    let tmp = tempfile::tempdir().unwrap();
    let lab = lab(tmp.path()).start().await.unwrap();
    get(&lab, "/example.com/simple/@v/list").await;
    get(&lab, "/nothing").await;
    let mem = lab.request_log();
    let file = std::fs::read_to_string(tmp.path().join("state/requests.jsonl")).unwrap();
    let parsed: Vec<gotrust_lab::LogEntry> = file
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(parsed, mem);
    assert_eq!(mem.len(), 2);
    assert_eq!((mem[0].status, mem[0].bytes), (200, 27));
    assert_eq!(mem[1].status, 404);
    assert!(mem[0].time.ends_with('Z') && mem[0].time.len() == 24);
    lab.shutdown().await;
}

#[tokio::test]
async fn faults_scope_by_path_prefix_and_combine() {
    use gotrust_lab::{Fault, FaultKind};
    let tmp = tempfile::tempdir().unwrap();
    let lab = lab(tmp.path())
        .fault(
            Fault::new(FaultKind::Status { status: 410 })
                .path_prefix("/example.com/simple/@v/v1.0.0"),
        )
        .fault(Fault::new(FaultKind::Latency { ms: 1 }).path_prefix("/example.com/simple/"))
        .start()
        .await
        .unwrap();
    let (st, body) = get(&lab, "/example.com/simple/@v/v1.0.0.info").await;
    assert_eq!((st, text(&body)), (410, "lab fault: status 410\n".into()));
    assert_eq!(get(&lab, "/example.com/simple/@v/v1.1.0.info").await.0, 200);
    assert_eq!(get(&lab, "/example.com/deps/@v/v1.0.0.info").await.0, 200);
    let faults: Vec<String> = lab.request_log().into_iter().map(|e| e.fault).collect();
    assert_eq!(faults, ["status,latency", "latency", ""]);
    lab.shutdown().await;
}

#[tokio::test]
async fn given_signer_key_is_used_and_persisted_key_is_reused() {
    let tmp = tempfile::tempdir().unwrap();
    let (skey, vkey) = gomod::note::generate_key(&[7; 32], "sum.example.test").unwrap();
    let lab = lab(tmp.path())
        .sumdb_name("sum.example.test")
        .signer_key(skey)
        .start()
        .await
        .unwrap();
    assert_eq!(lab.verifier_key(), vkey);
    let env = lab.go_env();
    let gosumdb = &env.iter().find(|(k, _)| k == "GOSUMDB").unwrap().1;
    assert_eq!(
        gosumdb,
        &format!("{vkey} {}/sumdb/sum.example.test", lab.proxy_url())
    );
    lab.shutdown().await;

    // Without a given key, one is generated once and kept (0600) in the state dir.
    let state = tmp.path().join("fresh");
    let first = gotrust_lab::Lab::builder()
        .state_dir(&state)
        .start()
        .await
        .unwrap();
    let v1 = first.verifier_key().to_string();
    first.shutdown().await;
    let second = gotrust_lab::Lab::builder()
        .state_dir(&state)
        .start()
        .await
        .unwrap();
    assert_eq!(second.verifier_key(), v1);
    assert_eq!(
        std::fs::read_to_string(state.join("verifier.key"))
            .unwrap()
            .trim(),
        v1
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(state.join("signer.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0);
    }
    second.shutdown().await;
}
