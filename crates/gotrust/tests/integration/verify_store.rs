//! `verify store` against stores filled by the real go from the lab (its GOPROXY and signing
//! checksum database): go's own `cache/download`, the same directory served to go again as a
//! `file://` GOPROXY, Athens's disk layout, and an S3 bucket of a real S3-compatible server
//! (moto). Sharded and killed workers run as separate processes: this test binary started
//! again with `GOTRUST_STORE_WORKER` set (see [`worker`]).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use gomod::module;
use gomod::modzip::{self, SourceFile};
use gotrust::verify::store::layout::Layout;
use gotrust::verify::store::location::Store;
use gotrust::verify::store::record::{
    EndRecord, Line, Merged, ResultsWriter, ResumePoint, SCHEMA_VERSION, StartRecord, VersionRecord,
};
use gotrust::verify::store::{Shard, StoreOptions, Verdict, verify_store};
use gotrust::verify::sums::DatabaseAccess;
use gotrust_lab::{Endpoint, Fault, FaultKind, RunningLab};
use object_store::ObjectStoreExt as _;
use testkit::go::run_go;
use testkit::lab;

use crate::harness::{database_at, http, sumdb_config_at};

/// Module versions go downloads from the lab into the store.
const MODS: &[&str] = &[
    "example.com/simple@v1.0.0",
    "example.com/simple@v1.1.0",
    "example.com/simple@v1.2.0-pre.1",
    "example.com/withinfo@v1.0.0",
    "example.com/UpperCase@v1.0.0",
    "example.com/license@v1.0.0",
    "example.com/major/v2@v2.1.0",
    "example.com/pseudo@v0.0.0-20240102030405-abcdefabcdef",
    "example.com/deps@v1.0.0",
    "example.com/a/b/c/d@v0.1.0",
];

/// Runs the real go, hermetic under `root`, with `env` on top of the lab's.
fn go(root: &Path, env: &[(String, String)], args: &[&str]) {
    // Read-only trees would outlive the temporary directory.
    let flags = [("GOFLAGS".to_string(), "-modcacherw".to_string())];
    run_go(root, root, env.iter().cloned().chain(flags), args).success(args);
}

/// go's download cache after `go mod download` of [`MODS`] from the lab.
async fn go_filled_store(lab: &RunningLab, root: &Path) -> PathBuf {
    let env = lab.go_env();
    let root2 = root.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let mut args = vec!["mod", "download"];
        args.extend(MODS);
        go(&root2, &env, &args);
    })
    .await
    .unwrap();
    root.join("gopath/pkg/mod/cache/download")
}

async fn open_db(
    sumdb_url: &str,
    key: &str,
    name: &str,
    state: &Path,
    nosumdb: &str,
) -> DatabaseAccess {
    let cfg = sumdb_config_at(sumdb_url, key, state.join(name));
    DatabaseAccess::On(database_at(http(Duration::from_secs(20)), cfg, nosumdb).await)
}

async fn lab_db(lab: &RunningLab, state: &Path, nosumdb: &str) -> DatabaseAccess {
    open_db(
        &lab.sumdb_url(),
        lab.verifier_key(),
        lab.sumdb_name(),
        state,
        nosumdb,
    )
    .await
}

async fn run(store: &Store, db: &DatabaseAccess, opts: &StoreOptions) -> Vec<VersionRecord> {
    let mut out = Vec::new();
    let s = verify_store(store, db, opts, &mut out).await.unwrap();
    assert!(!s.database_failed, "{:?}", s.notes);
    out
}

fn by_subject(rs: &[VersionRecord]) -> BTreeMap<String, &VersionRecord> {
    rs.iter().map(|r| (r.subject(), r)).collect()
}

fn verdicts(rs: &[VersionRecord]) -> BTreeMap<String, Verdict> {
    rs.iter().map(|r| (r.subject(), r.verdict)).collect()
}

/// go filled its cache from the lab: every version verifies against the database, zip and
/// go.mod both; the same directory, served to go as a `file://` GOPROXY, fills a second
/// cache that verifies the same way.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stores_filled_by_go_verify() {
    let (state, root, db_state) = (tempdir(), tempdir(), tempdir());
    let lab = lab::start(state.path(), false, vec![]).await;
    let cache = go_filled_store(&lab, root.path()).await;
    let db = lab_db(&lab, db_state.path(), "").await;
    let rs = run(&Store::Dir(cache.clone()), &db, &StoreOptions::default()).await;
    for m in MODS {
        let r = by_subject(&rs)[*m];
        assert_eq!(r.verdict, Verdict::Verified, "{r:#?}");
        assert_eq!(r.layout, "goproxy");
        let zip = r.files.iter().find(|f| f.key.ends_with(".zip")).unwrap();
        assert_eq!(zip.hash, zip.database, "{r:#?}");
    }
    assert!(rs.iter().all(|r| r.verdict == Verdict::Verified), "{rs:#?}");
    // The case-escaped path was read back.
    assert!(rs.iter().any(|r| {
        r.files
            .iter()
            .any(|f| f.key.starts_with("example.com/!upper!case/@v/"))
    }));

    // The cache as a file:// GOPROXY for a fresh go.
    let second = tempdir();
    let env = vec![
        ("GOPROXY".to_owned(), format!("file://{}", cache.display())),
        ("GOSUMDB".to_owned(), "off".to_owned()),
    ];
    let root2 = second.path().to_path_buf();
    tokio::task::spawn_blocking(move || {
        let mut args = vec!["mod", "download"];
        args.extend(MODS);
        go(&root2, &env, &args);
    })
    .await
    .unwrap();
    let cache2 = second.path().join("gopath/pkg/mod/cache/download");
    let rs2 = run(&Store::Dir(cache2), &db, &StoreOptions::default()).await;
    assert_eq!(verdicts(&rs2), verdicts(&rs));
}

/// Every verdict, each on its own module version of a go-filled store altered by hand.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_verdict_on_an_altered_store() {
    let (state, root, db_state) = (tempdir(), tempdir(), tempdir());
    let lab = lab::start(state.path(), false, vec![]).await;
    let cache = go_filled_store(&lab, root.path()).await;
    let v = |p: &str| cache.join(module::escape_path(p).unwrap()).join("@v");

    // A tampered zip: valid, with one more file, hashes differ from the database.
    write_zip(
        &v("example.com/simple").join("v1.0.0.zip"),
        "example.com/simple",
        "v1.0.0",
        &[
            ("go.mod", "module example.com/simple\n\ngo 1.21\n"),
            ("evil.go", "package simple\n"),
        ],
    );
    // A tampered go.mod.
    fs::write(
        v("example.com/simple").join("v1.1.0.mod"),
        "module example.com/simple\n\ngo 1.21\n\nrequire evil.example/x v1.0.0\n",
    )
    .unwrap();
    // An invented version: a consistent version the lab never published.
    let inv = v("example.com/simple");
    fs::write(
        inv.join("v1.9.9.mod"),
        "module example.com/simple\n\ngo 1.21\n",
    )
    .unwrap();
    fs::write(
        inv.join("v1.9.9.info"),
        r#"{"Version":"v1.9.9","Time":"2024-05-06T07:08:09Z"}"#,
    )
    .unwrap();
    write_zip(
        &inv.join("v1.9.9.zip"),
        "example.com/simple",
        "v1.9.9",
        &[("go.mod", "module example.com/simple\n\ngo 1.21\n")],
    );
    // A half-written entry: the zip cut short, and go's temporary file of a download.
    let lic = v("example.com/license");
    let zip = fs::read(lic.join("v1.0.0.zip")).unwrap();
    fs::write(lic.join("v1.0.0.zip"), &zip[..zip.len() / 2]).unwrap();
    fs::write(
        v("example.com/deps").join("v1.0.0.zip123456.tmp"),
        &zip[..10],
    )
    .unwrap();
    // An .info naming another version, and one whose time contradicts the pseudo-version.
    fs::write(
        v("example.com/withinfo").join("v1.0.0.info"),
        r#"{"Version":"v1.0.1","Time":"2024-01-02T03:04:05Z"}"#,
    )
    .unwrap();
    fs::write(
        v("example.com/pseudo").join("v0.0.0-20240102030405-abcdefabcdef.info"),
        r#"{"Version":"v0.0.0-20240102030405-abcdefabcdef","Time":"2025-01-02T03:04:05Z"}"#,
    )
    .unwrap();
    // An orphan, and a zip without its go.mod.
    fs::write(v("example.com/simple").join("README"), "hello").unwrap();
    fs::remove_file(v("example.com/major/v2").join("v2.1.0.mod")).unwrap();

    // A private path: GONOSUMDB covers UpperCase; it must never reach the database.
    let db = lab_db(&lab, db_state.path(), "example.com/UpperCase").await;
    let before = lab.request_log().len();
    let rs = run(&Store::Dir(cache.clone()), &db, &StoreOptions::default()).await;
    let by = by_subject(&rs);
    let check = |s: &str, want: Verdict, needle: &str| {
        let r = by
            .get(s)
            .unwrap_or_else(|| panic!("{s} not reported: {rs:#?}"));
        assert_eq!(r.verdict, want, "{r:#?}");
        assert!(
            r.message.contains(needle),
            "{s}: {:?} lacks {needle:?}",
            r.message
        );
    };
    check(
        "example.com/simple@v1.0.0",
        Verdict::Mismatch,
        "zip example.com/simple/@v/v1.0.0.zip",
    );
    check(
        "example.com/simple@v1.1.0",
        Verdict::Mismatch,
        "go.mod example.com/simple/@v/v1.1.0.mod",
    );
    check(
        "example.com/simple@v1.9.9",
        Verdict::NotInDatabase,
        "not in the checksum database",
    );
    check(
        "example.com/license@v1.0.0",
        Verdict::InvalidZip,
        "not a valid module zip",
    );
    check(
        "example.com/deps@v1.0.0",
        Verdict::Incomplete,
        "interrupted write",
    );
    check(
        "example.com/withinfo@v1.0.0",
        Verdict::InfoMismatch,
        "v1.0.1",
    );
    check(
        "example.com/pseudo@v0.0.0-20240102030405-abcdefabcdef",
        Verdict::InfoMismatch,
        "disagrees with the pseudo-version",
    );
    check(
        "example.com/UpperCase@v1.0.0",
        Verdict::Skipped,
        "GONOSUMDB",
    );
    check(
        "example.com/major/v2@v2.1.0",
        Verdict::Incomplete,
        "no go.mod",
    );
    check(
        "example.com/simple/@v/README",
        Verdict::Orphan,
        "not a .info, .mod or .zip",
    );
    check(
        "example.com/a/b/c/d@v0.1.0",
        Verdict::Verified,
        "zip and go.mod match the checksum database",
    );
    // The tampered go.mod's zip is fine: the record names only the go.mod.
    let tampered_mod = by["example.com/simple@v1.1.0"];
    let zip = tampered_mod
        .files
        .iter()
        .find(|f| f.key.ends_with(".zip"))
        .unwrap();
    assert_eq!(zip.verdict, Verdict::Verified);
    // The private path was never looked up.
    let asked: Vec<String> = lab.request_log()[before..]
        .iter()
        .map(|e| e.path.clone())
        .collect();
    assert!(
        asked
            .iter()
            .any(|p| p.contains("/lookup/example.com/simple@")),
        "{asked:?}"
    );
    assert!(
        asked
            .iter()
            .all(|p| !p.to_lowercase().contains("uppercase") && !p.contains("!upper")),
        "{asked:?}"
    );
    // The report: one finding per problem, the mismatches critical.
    let d = tempdir();
    let file = write_results(d.path(), "all.jsonl", Shard::default(), &rs, true);
    let merged = Merged::read(&[file]).unwrap();
    assert!(merged.failed());
    let report = merged.to_report();
    let ids: BTreeSet<&str> = report.findings().iter().map(|f| f.rule.id).collect();
    for id in [
        "store/mismatch",
        "store/not-in-database",
        "store/invalid-zip",
        "store/incomplete",
        "store/info-mismatch",
        "store/skipped",
        "store/orphan",
    ] {
        assert!(ids.contains(id), "{id} missing from {ids:?}");
    }
    let sarif = gotrust::report::sarif::to_value(&report, "test");
    assert!(sarif.to_string().contains("store/mismatch"));
}

/// Athens's disk layout (`<path>/<version>/{go.mod,source.zip,<version>.info}`) built from
/// what go downloaded: found without `--layout`, every version verified.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn athens_disk_layout_is_detected_and_verified() {
    let (state, root, db_state, athens) = (tempdir(), tempdir(), tempdir(), tempdir());
    let lab = lab::start(state.path(), false, vec![]).await;
    let cache = go_filled_store(&lab, root.path()).await;
    for m in MODS {
        let (p, v) = m.split_once('@').unwrap();
        let from = cache.join(module::escape_path(p).unwrap()).join("@v");
        let ev = module::escape_version(v).unwrap();
        let to = athens.path().join(p).join(v);
        fs::create_dir_all(&to).unwrap();
        fs::copy(from.join(format!("{ev}.mod")), to.join("go.mod")).unwrap();
        fs::copy(from.join(format!("{ev}.zip")), to.join("source.zip")).unwrap();
        fs::copy(
            from.join(format!("{ev}.info")),
            to.join(format!("{v}.info")),
        )
        .unwrap();
    }
    let db = lab_db(&lab, db_state.path(), "").await;
    let rs = run(
        &Store::Dir(athens.path().to_path_buf()),
        &db,
        &StoreOptions::default(),
    )
    .await;
    assert_eq!(rs.len(), MODS.len(), "{rs:#?}");
    for r in &rs {
        assert_eq!(
            (r.verdict, r.layout.as_str()),
            (Verdict::Verified, "athens"),
            "{r:#?}"
        );
    }
    // Forced to the GOPROXY layout, the same files are orphans.
    let forced = StoreOptions {
        layout: Layout::Goproxy,
        ..StoreOptions::default()
    };
    let rs = run(&Store::Dir(athens.path().to_path_buf()), &db, &forced).await;
    assert!(rs.iter().all(|r| r.verdict == Verdict::Orphan), "{rs:#?}");
}

// ---- Workers in separate processes. ----

/// Environment that makes this test binary a worker.
const WORKER: &str = "GOTRUST_STORE_WORKER";

/// A worker: not a test of its own (it returns at once without `GOTRUST_STORE_WORKER`).
/// Started by the tests below as `<this binary> --exact worker --nocapture` with the store,
/// the lab's database and the shard in its environment; it resumes its results file.
#[test]
fn worker() {
    let Ok(spec) = std::env::var(WORKER) else {
        return;
    };
    let var = |k: &str| std::env::var(k).unwrap();
    let shard = Shard::parse(&spec).unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let db = open_db(
            &var("W_SUMDB_URL"),
            &var("W_SUMDB_KEY"),
            &var("W_SUMDB_NAME"),
            Path::new(&var("W_STATE")),
            "",
        )
        .await;
        let out = PathBuf::from(var("W_OUT"));
        let point = ResumePoint::read(&out).unwrap();
        let store = Store::open(&var("W_STORE")).unwrap();
        let mut w = ResultsWriter::open(&out, point.keep).unwrap();
        if point.start.is_none() {
            w.line(&start(&store, shard)).unwrap();
            w.flush().unwrap();
        }
        let opts = StoreOptions {
            shard,
            after: point.after,
            batch: var("W_BATCH").parse().unwrap(),
            threads: 1,
            ..StoreOptions::default()
        };
        let s = verify_store(&store, &db, &opts, &mut w).await.unwrap();
        w.line(&Line::End(EndRecord {
            files_listed: s.files_listed,
            judged: s.judged,
            notes: s.notes,
            database_failed: s.database_failed,
        }))
        .unwrap();
        w.flush().unwrap();
    });
}

fn start(store: &Store, shard: Shard) -> Line {
    Line::Start(StartRecord {
        schema_version: SCHEMA_VERSION,
        command: "verify store".into(),
        location: store.display(),
        layout: "auto".into(),
        shard,
        database: "lab".into(),
        nosumdb: String::new(),
    })
}

fn write_results(dir: &Path, name: &str, shard: Shard, rs: &[VersionRecord], end: bool) -> PathBuf {
    let p = dir.join(name);
    let mut w = ResultsWriter::open(&p, 0).unwrap();
    w.line(&start(&Store::Dir(dir.to_path_buf()), shard))
        .unwrap();
    for r in rs {
        w.line(&Line::Version(r.clone())).unwrap();
    }
    if end {
        w.line(&Line::End(EndRecord::default())).unwrap();
    }
    w.flush().unwrap();
    p
}

fn spawn_worker(
    lab: &RunningLab,
    store: &Path,
    out: &Path,
    state: &Path,
    shard: &str,
    batch: usize,
) -> std::process::Child {
    worker_command(lab, &store.display().to_string(), out, state, shard, batch)
        .spawn()
        .unwrap()
}

fn worker_command(
    lab: &RunningLab,
    store: &str,
    out: &Path,
    state: &Path,
    shard: &str,
    batch: usize,
) -> Command {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([
        "--exact",
        "verify_store::worker",
        "--nocapture",
        "--test-threads",
        "1",
    ])
    .env(WORKER, shard)
    .env("W_SUMDB_URL", lab.sumdb_url())
    .env("W_SUMDB_KEY", lab.verifier_key())
    .env("W_SUMDB_NAME", lab.sumdb_name())
    .env("W_STATE", state)
    .env("W_STORE", store)
    .env("W_OUT", out)
    .env("W_BATCH", batch.to_string())
    .stdout(Stdio::null())
    .stderr(Stdio::piped());
    cmd
}

async fn wait(child: std::process::Child) {
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "worker: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The version lines of a results file, as (subject, verdict, group).
fn lines_of(p: &Path) -> Vec<(String, Verdict, String)> {
    fs::read_to_string(p)
        .unwrap()
        .lines()
        .filter_map(|l| match serde_json::from_str::<Line>(l).unwrap() {
            Line::Version(v) => Some((v.subject(), v.verdict, v.group)),
            _ => None,
        })
        .collect()
}

/// A store with a few problems, and its unsharded verdicts.
async fn altered_store(lab: &RunningLab, root: &Path) -> PathBuf {
    let cache = go_filled_store(lab, root).await;
    let v = cache.join("example.com/simple/@v");
    fs::write(
        v.join("v1.1.0.mod"),
        "module example.com/simple\n// tampered\n",
    )
    .unwrap();
    fs::write(v.join("stray"), "x").unwrap();
    cache
}

/// Three shards in three processes: each version is judged by exactly one, and together
/// they equal one unsharded run; the merged report counts every version once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shards_in_separate_processes_cover_the_store_exactly_once() {
    let (state, root, out) = (tempdir(), tempdir(), tempdir());
    let lab = lab::start(state.path(), false, vec![]).await;
    let cache = altered_store(&lab, root.path()).await;
    let whole = out.path().join("whole.jsonl");
    let st = tempdir();
    wait(spawn_worker(&lab, &cache, &whole, st.path(), "0/1", 4)).await;
    let mut files = Vec::new();
    let mut children = Vec::new();
    for k in 0..3 {
        let f = out.path().join(format!("shard-{k}.jsonl"));
        let st = tempdir();
        children.push((
            spawn_worker(&lab, &cache, &f, st.path(), &format!("{k}/3"), 4),
            st,
        ));
        files.push(f);
    }
    for (c, _st) in children {
        wait(c).await;
    }
    let mut union: Vec<(String, Verdict, String)> = Vec::new();
    let mut modules_per_shard: Vec<BTreeSet<String>> = Vec::new();
    for f in &files {
        let l = lines_of(f);
        modules_per_shard.push(
            l.iter()
                .map(|(s, _, _)| s.split('@').next().unwrap().to_owned())
                .collect(),
        );
        union.extend(l);
    }
    let whole_lines = lines_of(&whole);
    let mut sorted_union = union.clone();
    sorted_union.sort();
    let mut sorted_whole = whole_lines.clone();
    sorted_whole.sort();
    assert_eq!(sorted_union, sorted_whole);
    assert_eq!(union.len(), whole_lines.len(), "a version judged twice");
    // A module belongs to one shard only, and the work is actually split.
    for (i, a) in modules_per_shard.iter().enumerate() {
        for b in &modules_per_shard[i + 1..] {
            assert!(a.is_disjoint(b), "{a:?} / {b:?}");
        }
    }
    assert!(modules_per_shard.iter().filter(|s| !s.is_empty()).count() >= 2);
    let merged = Merged::read(&files).unwrap();
    let alone = Merged::read(&[whole]).unwrap();
    assert!(!merged.incomplete());
    assert_eq!(merged.counts, alone.counts);
    assert_eq!(merged.counts.get(&Verdict::Mismatch), Some(&1));
    assert_eq!(merged.counts.get(&Verdict::Orphan), Some(&1));
    // Without one shard the report says it is incomplete.
    let partial = Merged::read(&files[..2]).unwrap();
    assert!(partial.incomplete());
    assert!(
        partial
            .notes
            .iter()
            .any(|n| n.contains("shards missing: 2/3")),
        "{:?}",
        partial.notes
    );
}

/// A worker killed (SIGKILL) mid-run and started again on its results file goes on where it
/// stopped: the finished file equals an uninterrupted run, with no version twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_worker_resumes_where_it_stopped() {
    let (state, root, out) = (tempdir(), tempdir(), tempdir());
    let lab = lab::start(state.path(), false, vec![]).await;
    let cache = altered_store(&lab, root.path()).await;
    let whole = out.path().join("whole.jsonl");
    let st = tempdir();
    wait(spawn_worker(&lab, &cache, &whole, st.path(), "0/1", 1)).await;
    lab.shutdown().await;
    // The same database, slowed down so the worker can be caught mid-run.
    let slow = lab::start(
        state.path(),
        false,
        vec![Fault::new(FaultKind::Latency { ms: 400 }).endpoint(Endpoint::Lookup)],
    )
    .await;
    let f = out.path().join("killed.jsonl");
    let st = tempdir();
    let mut child = spawn_worker(&slow, &cache, &f, st.path(), "0/1", 1);
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let n = fs::read_to_string(&f).map_or(0, |t| t.lines().count());
        if n >= 4 {
            break;
        }
        assert!(Instant::now() < deadline, "the worker wrote nothing");
        assert!(
            child.try_wait().unwrap().is_none(),
            "the worker ended before it was killed"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let cut = ResumePoint::read(&f).unwrap();
    assert!(!cut.ended, "killed too late");
    assert!(cut.kept >= 1);
    let before = lines_of(&f);
    wait(spawn_worker(&slow, &cache, &f, st.path(), "0/1", 1)).await;
    let after = lines_of(&f);
    assert!(ResumePoint::read(&f).unwrap().ended);
    // The kept lines are still there, first.
    assert_eq!(&after[..cut.kept as usize], &before[..cut.kept as usize]);
    let mut a: Vec<_> = after.clone();
    a.sort();
    let mut w = lines_of(&whole);
    w.sort();
    assert_eq!(a, w);
    let subjects: BTreeSet<&String> = after.iter().map(|(s, _, _)| s).collect();
    assert_eq!(subjects.len(), after.len(), "a version twice");
}

// ---- An S3-compatible server (moto). ----

/// moto's S3 server on a free loopback port, stopped when dropped.
struct Moto {
    child: std::process::Child,
    endpoint: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn moto() -> Moto {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new("moto_server")
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot start moto_server ({e}): this test needs the S3-compatible moto server; \
                 install it with `pip install 'moto[server]'` (.ci/run does)"
            )
        });
    let endpoint = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "moto_server did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    Moto { child, endpoint }
}

fn s3(endpoint: &str, bucket: &str) -> Arc<dyn object_store::ObjectStore> {
    // object_store's client runs on the workspace's rustls, whose provider is chosen once
    // per process (Store::open does the same).
    let _ = rustls::crypto::ring::default_provider().install_default();
    Arc::new(
        object_store::aws::AmazonS3Builder::new()
            .with_endpoint(endpoint)
            .with_allow_http(true)
            .with_bucket_name(bucket)
            .with_region("us-east-1")
            .with_access_key_id("test")
            .with_secret_access_key("test")
            .build()
            .unwrap(),
    )
}

/// Creates a bucket with a plain S3 `PUT /bucket` (object_store has no bucket API).
fn create_bucket(endpoint: &str, bucket: &str) {
    use std::io::{Read, Write};
    let addr = endpoint.trim_start_matches("http://");
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(
        s,
        "PUT /{bucket} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
}

/// The go-filled store, with a tampered go.mod and a private path, written to an S3 bucket
/// under a prefix: read through object_store, every verdict equals the directory's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_s3_bucket_verifies_like_the_directory() {
    let moto = moto();
    let (state, root, db_state) = (tempdir(), tempdir(), tempdir());
    let lab = lab::start(state.path(), false, vec![]).await;
    let cache = altered_store(&lab, root.path()).await;
    // A zip larger than one read: object stores serve it in ranges.
    let mut noise = vec![0u8; 6 << 20];
    rand::Rng::fill(&mut rand::rng(), &mut noise[..]);
    let big = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &noise);
    let v = cache.join("example.com/simple/@v");
    write_zip(
        &v.join("v1.8.0.zip"),
        "example.com/simple",
        "v1.8.0",
        &[("go.mod", "module example.com/simple\n"), ("big.txt", &big)],
    );
    fs::write(v.join("v1.8.0.mod"), "module example.com/simple\n").unwrap();
    assert!(fs::metadata(v.join("v1.8.0.zip")).unwrap().len() > 4 << 20);
    create_bucket(&moto.endpoint, "proxy");
    let bucket = s3(&moto.endpoint, "proxy");
    let mut n = 0;
    for e in walk(&cache) {
        let key = e
            .strip_prefix(&cache)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let data = fs::read(&e).unwrap();
        bucket
            .put(
                &object_store::path::Path::from(format!("mirror/{key}")),
                data.into(),
            )
            .await
            .unwrap();
        n += 1;
    }
    assert!(n > 20);
    // Something outside the prefix is not read.
    bucket
        .put(
            &object_store::path::Path::from("other/x/@v/v1.0.0.mod"),
            b"junk".to_vec().into(),
        )
        .await
        .unwrap();
    let db = lab_db(&lab, db_state.path(), "example.com/withinfo").await;
    let remote = Store::Object {
        display: "s3://proxy/mirror".into(),
        store: bucket,
        prefix: "mirror".into(),
    };
    let from_s3 = run(&remote, &db, &StoreOptions::default()).await;
    let from_dir = run(&Store::Dir(cache.clone()), &db, &StoreOptions::default()).await;
    assert_eq!(verdicts(&from_s3), verdicts(&from_dir));
    let by = by_subject(&from_s3);
    assert_eq!(by["example.com/simple@v1.1.0"].verdict, Verdict::Mismatch);
    assert_eq!(by["example.com/withinfo@v1.0.0"].verdict, Verdict::Skipped);
    assert_eq!(by["example.com/simple@v1.0.0"].verdict, Verdict::Verified);
    let big_zip = |rs: &[VersionRecord]| {
        by_subject(rs)["example.com/simple@v1.8.0"]
            .files
            .iter()
            .find(|f| f.key.ends_with(".zip"))
            .unwrap()
            .hash
            .clone()
    };
    assert!(big_zip(&from_s3).is_some());
    assert_eq!(big_zip(&from_s3), big_zip(&from_dir));
    assert_eq!(
        by["example.com/simple@v1.8.0"].verdict,
        Verdict::NotInDatabase
    );
    // Resume from a key: the rest of the bucket only.
    let after = from_s3[from_s3.len() / 2].group.clone();
    let rest = run(
        &remote,
        &db,
        &StoreOptions {
            after: Some(after.clone()),
            ..StoreOptions::default()
        },
    )
    .await;
    assert!(!rest.is_empty() && rest.iter().all(|r| r.group > after));
    // `s3://bucket/prefix` opened from the usual AWS variables, in a worker process.
    let out = tempdir();
    let f = out.path().join("s3.jsonl");
    let st = tempdir();
    let mut cmd = worker_command(&lab, "s3://proxy/mirror", &f, st.path(), "0/1", 8);
    cmd.env("AWS_ENDPOINT", &moto.endpoint)
        .env("AWS_ALLOW_HTTP", "true")
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1");
    wait(cmd.spawn().unwrap()).await;
    let from_env: BTreeMap<String, Verdict> =
        lines_of(&f).into_iter().map(|(s, v, _)| (s, v)).collect();
    // The worker uses no GONOSUMDB: withinfo is looked up and verified there.
    let mut expected = verdicts(&from_s3);
    expected.insert("example.com/withinfo@v1.0.0".into(), Verdict::Verified);
    assert_eq!(from_env, expected);
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

fn write_zip(path: &Path, m: &str, v: &str, files: &[(&str, &str)]) {
    let files: Vec<SourceFile<'_>> = files
        .iter()
        .map(|(n, c)| SourceFile::bytes(*n, c.as_bytes()))
        .collect();
    let f = fs::File::create(path).unwrap();
    modzip::create(f, m, v, &files).unwrap();
}

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

// ---- GCS (fake-gcs-server) and Azure Blob Storage (Azurite) emulators. ----

/// An emulator process on a loopback port, stopped when dropped.
struct Emulator {
    child: std::process::Child,
    endpoint: String,
    _dir: tempfile::TempDir,
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start_emulator(mut cmd: Command, port: u16, dir: tempfile::TempDir, how: &str) -> Emulator {
    let name = cmd.get_program().to_string_lossy().into_owned();
    let child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {name} ({e}): this test needs it; {how}"));
    let emu = Emulator {
        child,
        endpoint: format!("http://127.0.0.1:{port}"),
        _dir: dir,
    };
    // Azurite (node) takes several seconds to start on a loaded machine.
    let deadline = Instant::now() + Duration::from_secs(120);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "{name} did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    emu
}

/// fake-gcs-server serving `data` (each subdirectory a bucket, each file an object).
fn fake_gcs(data: &Path) -> Emulator {
    let port = free_port();
    let mut cmd = Command::new("fake-gcs-server");
    cmd.args([
        "-scheme",
        "http",
        "-host",
        "127.0.0.1",
        "-backend",
        "memory",
    ])
    .args(["-port", &port.to_string()])
    .args(["-public-host", &format!("127.0.0.1:{port}")])
    .args(["-log-level", "error", "-data"])
    .arg(data);
    start_emulator(
        cmd,
        port,
        tempdir(),
        "install it with `go install github.com/fsouza/fake-gcs-server@v1.56.1` (.ci/run does)",
    )
}

/// Azurite's Blob service, in memory.
fn azurite() -> Emulator {
    let port = free_port();
    let dir = tempdir();
    let mut cmd = Command::new("azurite-blob");
    // Its data goes to a temporary directory removed with it, never to the working one.
    cmd.args(["--blobHost", "127.0.0.1", "--blobPort", &port.to_string()])
        .args(["--silent", "--skipApiVersionCheck", "--location"])
        .arg(dir.path());
    start_emulator(
        cmd,
        port,
        dir,
        "install it with `npm install -g azurite@3.37.0` (.ci/run does)",
    )
}

/// Creates `container` in Azurite and uploads every file under `root` to `prefix/⟨key⟩`,
/// signed with the emulator's published account key (object_store has no container API,
/// and its emulator mode takes its URL from the process environment only).
fn azurite_upload(endpoint: &str, container: &str, prefix: &str, root: &Path) {
    const UPLOAD: &str = r#"
import base64, hashlib, hmac, http.client, os, sys
from email.utils import formatdate
endpoint, container, prefix, root = sys.argv[1:5]
account = "devstoreaccount1"
key = base64.b64decode("Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==")
host, port = endpoint.removeprefix("http://").split(":")
conn = http.client.HTTPConnection(host, int(port))
def put(path, query, extra, body):
    headers = {"x-ms-date": formatdate(usegmt=True), "x-ms-version": "2021-08-06", **extra}
    canon = "\n".join(f"{k}:{v}" for k, v in sorted(headers.items()) if k.startswith("x-ms-"))
    resource = f"/{account}/{account}/{path}" + "".join(f"\n{k}:{v}" for k, v in sorted(query.items()))
    to_sign = "\n".join(["PUT", "", "", str(len(body)) if body else ""] + [""] * 8 + [canon, resource])
    sig = base64.b64encode(hmac.new(key, to_sign.encode(), hashlib.sha256).digest()).decode()
    headers["Authorization"] = f"SharedKey {account}:{sig}"
    q = "&".join(f"{k}={v}" for k, v in query.items())
    conn.request("PUT", f"/{account}/{path}" + (f"?{q}" if q else ""), body=body, headers=headers)
    r = conn.getresponse(); r.read()
    if r.status >= 300:
        sys.exit(f"PUT {path}: {r.status} {r.reason}")
put(container, {"restype": "container"}, {}, b"")
for d, _, files in os.walk(root):
    for f in files:
        rel = os.path.relpath(os.path.join(d, f), root).replace(os.sep, "/")
        with open(os.path.join(d, f), "rb") as fh:
            put(f"{container}/{prefix}/{rel}", {}, {"x-ms-blob-type": "BlockBlob"}, fh.read())
"#;
    let out = Command::new("python3")
        .args(["-c", UPLOAD, endpoint, container, prefix])
        .arg(root)
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn copy_tree(from: &Path, to: &Path) {
    for f in walk(from) {
        let dest = to.join(f.strip_prefix(from).unwrap());
        fs::create_dir_all(dest.parent().unwrap()).unwrap();
        fs::copy(&f, &dest).unwrap();
    }
}

/// The go-filled store with problems, read by workers from a `gs://` or `az://` URL (opened
/// from each cloud's usual environment variables) unsharded and in two shards: every verdict
/// equals the directory's, and the two shards together are the whole.
async fn cloud_store_verifies_like_the_directory(
    url: &str,
    env: &[(&str, String)],
    cache: &Path,
    lab: &RunningLab,
) {
    let out = tempdir();
    let run_worker = |store: &str, name: &str, shard: &str| {
        let f = out.path().join(name);
        let st = tempdir();
        let mut cmd = worker_command(lab, store, &f, st.path(), shard, 4);
        for (k, v) in env {
            cmd.env(k, v);
        }
        (cmd.spawn().unwrap(), f, st)
    };
    let (c, dir_file, _s1) = run_worker(&cache.display().to_string(), "dir.jsonl", "0/1");
    wait(c).await;
    let (c, cloud_file, _s2) = run_worker(url, "cloud.jsonl", "0/1");
    wait(c).await;
    let verdicts = |p: &Path| -> BTreeMap<String, Verdict> {
        lines_of(p).into_iter().map(|(s, v, _)| (s, v)).collect()
    };
    let from_dir = verdicts(&dir_file);
    assert!(from_dir.len() >= MODS.len(), "{from_dir:?}");
    assert_eq!(verdicts(&cloud_file), from_dir);
    assert_eq!(from_dir["example.com/simple@v1.1.0"], Verdict::Mismatch);
    let mut union = BTreeMap::new();
    let mut judged = 0;
    for k in 0..2 {
        let (c, f, _s) = run_worker(url, &format!("shard-{k}.jsonl"), &format!("{k}/2"));
        wait(c).await;
        let v = verdicts(&f);
        judged += v.len();
        union.extend(v);
    }
    assert_eq!(judged, union.len(), "a version judged by two shards");
    assert_eq!(union, from_dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gcs_bucket_verifies_like_the_directory() {
    let (state, root, data) = (tempdir(), tempdir(), tempdir());
    let lab = lab::start(state.path(), false, vec![]).await;
    let cache = altered_store(&lab, root.path()).await;
    copy_tree(&cache, &data.path().join("proxy").join("mirror"));
    // Outside the prefix: not read.
    let other = data.path().join("proxy/other/x/@v");
    fs::create_dir_all(&other).unwrap();
    fs::write(other.join("v1.0.0.mod"), "junk").unwrap();
    let gcs = fake_gcs(data.path());
    let env = [
        ("GOOGLE_BASE_URL", gcs.endpoint.clone()),
        ("GOOGLE_ALLOW_HTTP", "true".to_string()),
        ("GOOGLE_SKIP_SIGNATURE", "true".to_string()),
    ];
    cloud_store_verifies_like_the_directory("gs://proxy/mirror", &env, &cache, &lab).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_azure_container_verifies_like_the_directory() {
    let (state, root) = (tempdir(), tempdir());
    let lab = lab::start(state.path(), false, vec![]).await;
    let cache = altered_store(&lab, root.path()).await;
    let az = azurite();
    azurite_upload(&az.endpoint, "proxy", "mirror", &cache);
    let env = [
        ("AZURE_STORAGE_USE_EMULATOR", "true".to_string()),
        ("AZURITE_BLOB_STORAGE_URL", az.endpoint.clone()),
    ];
    cloud_store_verifies_like_the_directory("az://proxy/mirror", &env, &cache, &lab).await;
}
