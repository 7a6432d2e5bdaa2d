//! The real go command downloads every lab module through the lab's proxy
//! and verifies it against the lab's checksum database, over HTTP and HTTPS;
//! go's go.sum lines equal the lab's own computation byte for byte.

use std::collections::BTreeSet;

use crate::harness::*;
use serde_json::Value;

fn go_sum_set(text: &str) -> BTreeSet<String> {
    text.lines().map(str::to_string).collect()
}

async fn download_everything(tls: bool) {
    let tmp = tempfile::tempdir().unwrap();
    let lab = lab(tmp.path()).tls(tls).start().await.unwrap();
    let mods = all_fixture_modules(&lab);
    assert!(mods.len() >= 20, "fixture set has {} modules", mods.len());
    let mut args = vec!["mod", "download", "-json"];
    args.extend(mods.iter().map(String::as_str));
    let run = go_lab(tmp.path(), &lab, &args).await;
    assert!(
        run.ok,
        "go mod download failed:\n{}\n{}",
        run.stderr, run.stdout
    );

    // Every JSON object: no Error, Sum and GoModSum equal the lab's lines.
    let mut seen = 0;
    for v in serde_json::Deserializer::from_str(&run.stdout).into_iter::<Value>() {
        let v = v.unwrap();
        assert!(v.get("Error").is_none(), "{v}");
        let (p, ver) = (v["Path"].as_str().unwrap(), v["Version"].as_str().unwrap());
        let ours = lab.go_sum_lines(p, ver).unwrap();
        let want = format!(
            "{p} {ver} {}\n{p} {ver}/go.mod {}\n",
            v["Sum"].as_str().unwrap(),
            v["GoModSum"].as_str().unwrap()
        );
        assert_eq!(ours, want, "{p}@{ver}");
        seen += 1;
    }
    assert_eq!(seen, mods.len());
    // The download phase's log (go get below adds 404s for module-prefix probes).
    let log = lab.request_log();

    // `go mod download m@v` verifies but does not record; `go get` of one
    // version per path makes go write go.sum, which must hold exactly the
    // lab's lines: both lines of every module fetched, nothing else.
    let mut latest: std::collections::BTreeMap<String, String> = Default::default();
    for (p, v) in lab.modules() {
        latest.insert(p, v); // modules() is sorted by version string; any one will do
    }
    let mut get = vec!["get".to_string()];
    get.extend(latest.iter().map(|(p, v)| format!("{p}@{v}")));
    let get: Vec<&str> = get.iter().map(String::as_str).collect();
    let run = go_lab(tmp.path(), &lab, &get).await;
    assert!(run.ok, "go get failed:\n{}", run.stderr);
    let written = go_sum_set(&std::fs::read_to_string(tmp.path().join("work/go.sum")).unwrap());
    let ours: BTreeSet<String> = lab
        .modules()
        .iter()
        .flat_map(|(p, v)| go_sum_set(&lab.go_sum_lines(p, v).unwrap()))
        .collect();
    assert!(written.is_subset(&ours), "{:#?}", written.difference(&ours));
    for (p, v) in &latest {
        for line in go_sum_set(&lab.go_sum_lines(p, v).unwrap()) {
            assert!(written.contains(&line), "go.sum lacks {line}");
        }
    }

    // The log shows `!` sent as %21, the database probed and consulted, no fault.
    assert!(!requests(&log, "/example.com/%21upper%21case/@v/v1.0.0.zip").is_empty());
    assert!(!requests(&log, "/@v/v1.0.0-%21r%21c1.zip").is_empty());
    assert!(!requests(&log, "/@v/v2.0.0+incompatible.zip").is_empty());
    // go percent-encodes `!` in database lookups too (go1.26: the lookup URL is
    // built by url.PathEscape-ing the escaped path in golang.org/x/mod/sumdb
    // client.go), so the lab must decode both forms.
    assert_eq!(
        requests(&log, "/lookup/example.com/%21upper%21case@v1.0.0").len(),
        1,
        "{log:#?}"
    );
    assert_eq!(requests(&log, "/lookup/").len(), mods.len());
    // GOSUMDB names its URL, so go never probes <proxy>/sumdb/<name>/supported.
    assert!(requests(&log, "/supported").is_empty());
    assert!(!requests(&log, "/tile/8/0/").is_empty());
    assert!(
        log.iter().all(|e| e.fault.is_empty() && e.status == 200),
        "{log:#?}"
    );
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn go_downloads_every_fixture_over_http() {
    download_everything(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn go_downloads_every_fixture_over_https_with_lab_ca() {
    download_everything(true).await;
}

/// Restart on the same state with more modules: the tree grows by
/// appending, and go, holding the old tree head, accepts the new one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tree_grows_across_restarts_and_go_accepts_it() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    let first = tmp.path().join("first");
    let second = tmp.path().join("second");
    std::fs::create_dir_all(&first).unwrap();
    std::fs::create_dir_all(&second).unwrap();
    for (dir, names) in [
        (
            &first,
            &[
                "example.com_simple_v1.0.0.txt",
                "example.com_simple_v1.1.0.txt",
            ][..],
        ),
        (
            &second,
            &[
                "example.com_deps_v1.0.0.txt",
                "example.com_!upper!case_v1.0.0.txt",
            ][..],
        ),
    ] {
        for n in names {
            std::fs::copy(fixtures().join(n), dir.join(n)).unwrap();
        }
    }

    let lab1 = gotrust_lab::Lab::builder()
        .modules_dir(&first)
        .state_dir(&state)
        .start()
        .await
        .unwrap();
    let vkey = lab1.verifier_key().to_string();
    assert_eq!(lab1.tree_size(), 2);
    let run = go_lab(
        tmp.path(),
        &lab1,
        &["mod", "download", "example.com/simple@v1.0.0"],
    )
    .await;
    assert!(run.ok, "{}", run.stderr);
    lab1.shutdown().await;
    let records_before = std::fs::read_to_string(state.join("records")).unwrap();
    let latest_file = tmp
        .path()
        .join("gopath/pkg/sumdb/sum.gotrust.localhost/latest");
    let head_before = std::fs::read_to_string(&latest_file).unwrap();
    assert!(
        head_before.starts_with("go.sum database tree\n2\n"),
        "{head_before}"
    );

    // Restart on the same state, same modules plus new ones.
    let lab2 = gotrust_lab::Lab::builder()
        .modules_dir(&first)
        .state_dir(&state)
        .start()
        .await
        .unwrap();
    assert_eq!(lab2.verifier_key(), vkey, "key is kept in the state dir");
    assert_eq!(lab2.tree_size(), 2, "restart appends nothing");
    assert_eq!(lab2.add_modules_dir(&second).unwrap(), 2);
    assert_eq!(lab2.tree_size(), 4);
    let records_after = std::fs::read_to_string(state.join("records")).unwrap();
    assert!(
        records_after.starts_with(&records_before),
        "records are only appended"
    );

    let run = go_lab(
        tmp.path(),
        &lab2,
        &[
            "mod",
            "download",
            "example.com/deps@v1.0.0",
            "example.com/UpperCase@v1.0.0",
        ],
    )
    .await;
    assert!(run.ok, "{}", run.stderr);
    let head_after = std::fs::read_to_string(&latest_file).unwrap();
    assert!(
        head_after.starts_with("go.sum database tree\n4\n"),
        "{head_after}"
    );
    lab2.shutdown().await;
}

/// GOSUMDB with a key but no URL: go probes `<proxy>/sumdb/<name>/supported`
/// and, on 200, reaches the database through the proxy.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_is_reached_through_the_proxy_when_gosumdb_has_no_url() {
    let tmp = tempfile::tempdir().unwrap();
    let lab = lab(tmp.path()).start().await.unwrap();
    let mut env = lab.go_env();
    env.push(("GOSUMDB".into(), lab.verifier_key().to_string()));
    let run = go(
        tmp.path(),
        env,
        &["mod", "download", "example.com/simple@v1.0.0"],
    )
    .await;
    assert!(run.ok, "{}", run.stderr);
    let log = lab.request_log();
    let probes = requests(&log, "/sumdb/sum.gotrust.localhost/supported");
    assert_eq!(probes.len(), 1, "{log:#?}");
    assert_eq!(
        requests(
            &log,
            "/sumdb/sum.gotrust.localhost/lookup/example.com/simple@v1.0.0"
        )
        .len(),
        1
    );
    lab.shutdown().await;
}

/// A 503 on the `supported` probe with `,` after the proxy: every database
/// read fails with it (`initBase` in cmd/go/internal/modfetch/sumdb.go keeps
/// the error for all later reads), so the download fails.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_supported_probe_fails_verification() {
    let tmp = tempfile::tempdir().unwrap();
    let lab = lab(tmp.path())
        .fault(
            gotrust_lab::Fault::new(gotrust_lab::FaultKind::Status { status: 503 })
                .endpoint(gotrust_lab::Endpoint::Supported),
        )
        .start()
        .await
        .unwrap();
    let mut env = lab.go_env();
    env.push(("GOSUMDB".into(), lab.verifier_key().to_string()));
    env.push(("GOPROXY".into(), format!("{},off", lab.proxy_url())));
    let run = go(
        tmp.path(),
        env,
        &["mod", "download", "example.com/simple@v1.0.0"],
    )
    .await;
    assert!(!run.ok);
    assert!(
        run.stderr
            .contains("/sumdb/sum.gotrust.localhost/supported: 503 Service Unavailable"),
        "{}",
        run.stderr
    );
    assert!(requests(&lab.request_log(), "/lookup/").is_empty());
    lab.shutdown().await;
}

fn bulk_fixtures(dir: &std::path::Path, range: std::ops::Range<usize>) {
    std::fs::create_dir_all(dir).unwrap();
    for i in range {
        let name = format!("example.com_bulk_m{i:03}_v1.0.0.txt");
        let body = format!(
            "bulk module {i}\n-- go.mod --\nmodule example.com/bulk/m{i:03}\n-- m.go --\npackage m{i:03}\n"
        );
        std::fs::write(dir.join(name), body).unwrap();
    }
}

/// A tree past 256 records: go needs level-1 tiles and partial tiles of
/// both levels, before and after growth, and accepts them all.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tree_beyond_one_tile_grows_and_go_follows() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    bulk_fixtures(&a, 0..300);
    bulk_fixtures(&b, 300..520);
    let lab = gotrust_lab::Lab::builder()
        .modules_dir(&a)
        .state_dir(tmp.path().join("state"))
        .start()
        .await
        .unwrap();
    assert_eq!(lab.tree_size(), 300);
    let run = go_lab(
        tmp.path(),
        &lab,
        &["mod", "download", "example.com/bulk/m010@v1.0.0"],
    )
    .await;
    assert!(run.ok, "{}", run.stderr);
    lab.add_modules_dir(&b).unwrap();
    assert_eq!(lab.tree_size(), 520);
    let run = go_lab(
        tmp.path(),
        &lab,
        &["mod", "download", "example.com/bulk/m513@v1.0.0"],
    )
    .await;
    assert!(run.ok, "{}", run.stderr);
    let log = lab.request_log();
    for tile in [
        "/tile/8/0/001.p/44",
        "/tile/8/1/000.p/1",
        "/tile/8/0/002.p/8",
        "/tile/8/1/000.p/2",
    ] {
        assert_eq!(requests(&log, tile).len(), 1, "{tile}: {log:#?}");
    }
    assert!(log.iter().all(|e| e.status == 200));
    lab.shutdown().await;
}

/// The lab certificate names `localhost` as well as 127.0.0.1.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_by_localhost_name() {
    let tmp = tempfile::tempdir().unwrap();
    let lab = lab(tmp.path()).tls(true).start().await.unwrap();
    let base = format!("https://localhost:{}", lab.addr().port());
    let mut env = lab.go_env();
    env.push(("GOPROXY".into(), base.clone()));
    env.push((
        "GOSUMDB".into(),
        format!("{} {base}/sumdb/{}", lab.verifier_key(), lab.sumdb_name()),
    ));
    let run = go(
        tmp.path(),
        env,
        &["mod", "download", "example.com/simple@v1.1.0"],
    )
    .await;
    assert!(run.ok, "{}", run.stderr);
    assert!(
        std::fs::read_to_string(lab.ca_file().unwrap())
            .unwrap()
            .starts_with("-----BEGIN CERTIFICATE-----")
    );
    lab.shutdown().await;
}
