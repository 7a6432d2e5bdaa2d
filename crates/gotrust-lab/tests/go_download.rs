//! The real go command downloads every lab module through the lab's proxy
//! and verifies it against the lab's checksum database, over HTTP and HTTPS;
//! go's go.sum lines equal the lab's own computation byte for byte.

mod common;

use std::collections::BTreeSet;

use common::*;
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

    // go.sum as go wrote it equals the lab's lines for all modules.
    let written = std::fs::read_to_string(tmp.path().join("work/go.sum")).unwrap();
    let ours: String = lab
        .modules()
        .iter()
        .map(|(p, v)| lab.go_sum_lines(p, v).unwrap())
        .collect();
    assert_eq!(go_sum_set(&written), go_sum_set(&ours));

    // The log shows `!` sent as %21, the database probed and consulted, no fault.
    let log = lab.request_log();
    assert!(!requests(&log, "/example.com/%21upper%21case/@v/v1.0.0.zip").is_empty());
    assert!(!requests(&log, "/@v/v1.0.0-%21r%21c1.zip").is_empty());
    assert!(!requests(&log, "/@v/v2.0.0+incompatible.zip").is_empty());
    assert!(!requests(&log, "/lookup/example.com/!upper!case@v1.0.0").is_empty());
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
