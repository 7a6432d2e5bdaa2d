//! `verify sums` against the lab's signing checksum database: every result kind, attributed to
//! the right line, and database misbehaviour caught within a run and across runs.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use gotrust::net::HttpClient;
use gotrust::net::sumdb::SumdbClient;
use gotrust::policy::Policy;
use gotrust::report::{FailOn, Report, Severity};
use gotrust::verify::sums::{
    DatabaseAccess, ErrorClass, GoSumInput, HeadCheck, LineResult, LineStatus, SkipWhy,
    SumsOptions, SumsReport, verify_sums,
};
use gotrust::verify::sums_output::{self, RunOutcome};
use gotrust_lab::{Endpoint, Fault, FaultKind, RunningLab};
use testkit::lab;

use crate::harness::{database_over, http, lab_database_on, sumdb_config};

async fn open(
    lab: &RunningLab,
    cache: &Path,
    nosumdb: &str,
    http: Arc<HttpClient>,
) -> DatabaseAccess {
    lab_database_on(
        lab,
        http,
        &cache.join("sumdb").join(lab.sumdb_name()),
        nosumdb,
    )
    .await
}

/// go.sum text for every lab module, in the lab's order.
fn full_go_sum(lab: &RunningLab) -> String {
    lab.modules()
        .iter()
        .map(|(p, v)| lab.go_sum_lines(p, v).unwrap())
        .collect()
}

async fn run(lab: &RunningLab, cache: &Path, sum: &str) -> SumsReport {
    let db = open(lab, cache, "", http(Duration::from_secs(10))).await;
    let input = GoSumInput {
        path: "go.sum".into(),
        data: sum.as_bytes().to_vec(),
    };
    verify_sums(&[input], &db, &SumsOptions::default()).await
}

fn results(r: &SumsReport) -> Vec<LineResult> {
    r.results().collect()
}

fn statuses(r: &SumsReport) -> Vec<(usize, &'static str)> {
    results(r)
        .iter()
        .map(|l| (l.line, l.status.name()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clean_lab_verifies_every_line() {
    let (state, cache) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let lab = lab::start(state.path(), false, vec![]).await;
    let sum = full_go_sum(&lab);
    let r = run(&lab, cache.path(), &sum).await;
    assert_eq!(results(&r).len(), sum.lines().count());
    assert!(results(&r).len() >= 30, "{}", results(&r).len());
    for l in &results(&r) {
        assert!(
            matches!(l.status, LineStatus::Verified { .. }),
            "{}:{} {:?}",
            l.module,
            l.line,
            l.status
        );
    }
    assert!(!r.failed() && !r.incomplete());
    let db = r.database.as_ref().unwrap();
    assert!(
        matches!(db.head, HeadCheck::Consistent { .. }),
        "{:?}",
        db.head
    );
    assert_eq!(db.size as usize, lab.tree_size());
    // One lookup per module version, not per line.
    let lookups = lab
        .request_log()
        .iter()
        .filter(|e| e.path.contains("/lookup/"))
        .count();
    assert_eq!(lookups, lab.modules().len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampered_line_is_reported_at_its_line_with_both_hashes() {
    let (state, cache) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let lab = lab::start(state.path(), false, vec![]).await;
    let sum = full_go_sum(&lab);
    let mut lines: Vec<String> = sum.lines().map(str::to_string).collect();
    let target = 7; // 1-based
    let real = lines[target - 1].rsplit(' ').next().unwrap().to_string();
    let forged = "h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    let head = lines[target - 1].rsplit_once(' ').unwrap().0.to_string();
    lines[target - 1] = format!("{head} {forged}");
    let r = run(&lab, cache.path(), &(lines.join("\n") + "\n")).await;
    let bad: Vec<_> = results(&r)
        .into_iter()
        .filter(|l| l.status.name() != "verified")
        .collect();
    assert_eq!(bad.len(), 1, "{:?}", statuses(&r));
    assert_eq!(bad[0].line, target);
    assert_eq!(
        bad[0].status,
        LineStatus::Mismatch {
            go_sum: forged.into(),
            database: vec![real],
            record_id: match &bad[0].status {
                LineStatus::Mismatch { record_id, .. } => *record_id,
                _ => unreachable!(),
            },
            tree_size: lab.tree_size() as i64,
        }
    );
    assert!(r.failed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_database_hash_is_a_mismatch_of_the_zip_line_only() {
    let (state, cache) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let lab = lab::start(
        state.path(),
        false,
        vec![Fault::new(FaultKind::WrongHash).module("example.com/simple")],
    )
    .await;
    let r = run(&lab, cache.path(), &full_go_sum(&lab)).await;
    let all = results(&r);
    let bad: Vec<_> = all
        .iter()
        .filter(|l| l.status.name() != "verified")
        .map(|l| (l.module.as_str(), l.version.as_str(), l.status.name()))
        .collect();
    assert_eq!(
        bad,
        [
            ("example.com/simple", "v1.0.0", "mismatch"),
            ("example.com/simple", "v1.1.0", "mismatch"),
            ("example.com/simple", "v1.2.0-pre.1", "mismatch"),
        ]
    );
    assert!(r.failed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_module_is_not_in_database_with_the_server_reason() {
    let (state, cache) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let lab = lab::start(state.path(), false, vec![]).await;
    let sum = format!(
        "{}example.com/nowhere v1.0.0 h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
        lab.go_sum_lines("example.com/simple", "v1.0.0").unwrap()
    );
    let r = run(&lab, cache.path(), &sum).await;
    assert_eq!(
        statuses(&r),
        [(1, "verified"), (2, "verified"), (3, "not-in-database")]
    );
    match &results(&r)[2].status {
        LineStatus::NotInDatabase {
            http_status,
            reason,
            go_error,
            cached_age_secs,
        } => {
            assert_eq!(*cached_age_secs, None, "asked in this run");
            assert!([404, 410].contains(http_status));
            assert!(!reason.is_empty());
            // go's text: checkSumDB's `verifying module` around the client's `path@version:
            // reading URL: status`, with the server's text/plain body.
            let want = format!(
                "example.com/nowhere@v1.0.0: verifying module: example.com/nowhere@v1.0.0: reading {}/lookup/example.com/nowhere@v1.0.0: {http_status} ",
                lab.sumdb_url().trim_end_matches('/')
            );
            assert!(
                go_error.starts_with(&want),
                "{go_error}\nwant prefix {want}"
            );
            assert!(go_error.contains("\n\tserver response:"), "{go_error}");
        }
        s => panic!("{s:?}"),
    }
    // go refuses the module, so the line fails verification (exit 1), with go's text.
    assert!(r.failed() && !r.incomplete());
    let report = Report::new(sums_output::findings(&r));
    let f = report
        .findings()
        .iter()
        .find(|f| f.rule.id == "verify/not-in-database")
        .expect("finding");
    assert!(
        f.message
            .starts_with("example.com/nowhere@v1.0.0: verifying module:")
    );
    assert_eq!(f.location().unwrap().to_string(), "go.sum:3");
    assert_eq!(
        sums_output::outcome(&report, r.incomplete(), FailOn::Never),
        RunOutcome::Fail
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_paths_are_skipped_and_never_sent() {
    let (state, cache) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let lab = lab::start(state.path(), false, vec![]).await;
    let db = open(
        &lab,
        cache.path(),
        "example.com/simple,*.in",
        http(Duration::from_secs(10)),
    )
    .await;
    let input = GoSumInput {
        path: "go.sum".into(),
        data: full_go_sum(&lab).into_bytes(),
    };
    let r = verify_sums(&[input], &db, &SumsOptions::default()).await;
    for l in &results(&r) {
        let private = l.module == "example.com/simple" || l.module.starts_with("gopkg.in/");
        match &l.status {
            LineStatus::Skipped {
                reason: SkipWhy::Private,
                detail,
                private: true,
            } => {
                assert!(private, "{}", l.module);
                assert!(detail.contains("GONOSUMDB"));
            }
            LineStatus::Verified { .. } => assert!(!private, "{}", l.module),
            s => panic!("{s:?}"),
        }
    }
    for e in lab.request_log() {
        assert!(
            !e.path.contains("simple") && !e.path.contains("gopkg.in"),
            "{}",
            e.path
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_off_skips_every_line_with_the_reason() {
    let input = GoSumInput {
        path: "go.sum".into(),
        data: b"example.com/a v1.0.0 h1:x=\nexample.com/a v1.0.0/go.mod h1:y=\n".to_vec(),
    };
    let db = DatabaseAccess::Off {
        reason: "GOSUMDB=off".into(),
        nosumdb: String::new(),
    };
    let r = verify_sums(&[input], &db, &SumsOptions::default()).await;
    assert_eq!(statuses(&r), [(1, "skipped"), (2, "skipped")]);
    assert!(r.database.is_none() && !r.failed() && !r.incomplete());
    // Fail closed: the unverified public lines are a high finding with the reason, and the
    // run that verified nothing says so and fails, whatever --fail-on says.
    let report = Report::new(sums_output::findings(&r));
    let ids: Vec<(&str, Severity)> = report
        .findings()
        .iter()
        .map(|f| (f.rule.id, f.severity))
        .collect();
    assert_eq!(
        ids,
        [
            ("verify/nothing-verified", Severity::High),
            ("verify/skipped-public", Severity::High)
        ]
    );
    let skipped = &report.findings()[1];
    assert!(
        skipped
            .message
            .starts_with("2 go.sum lines of public module paths not verified: GOSUMDB=off"),
        "{}",
        skipped.message
    );
    assert_eq!(skipped.evidence.len(), 2);
    assert_eq!(
        sums_output::outcome(&report, false, FailOn::Never),
        RunOutcome::Fail
    );
    assert!(sums_output::last_line(&r).ends_with(": nothing verified"));
}

/// Skipped private paths weigh less than public ones.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn skipped_private_paths_weigh_less_than_public_ones() {
    let input = GoSumInput {
        path: "go.sum".into(),
        data: b"corp.example/a v1.0.0 h1:x=\nexample.com/b v1.0.0 h1:y=\n".to_vec(),
    };
    let db = DatabaseAccess::Off {
        reason: "GOSUMDB=off".into(),
        nosumdb: "corp.example".into(),
    };
    let r = verify_sums(&[input], &db, &SumsOptions::default()).await;
    let report = Report::new(sums_output::findings(&r));
    let sev = |id: &str| {
        report
            .findings()
            .iter()
            .find(|f| f.rule.id == id)
            .map(|f| (f.severity, f.affected.clone()))
    };
    assert_eq!(
        sev("verify/skipped-public"),
        Some((Severity::High, vec!["example.com/b@v1.0.0".to_string()]))
    );
    assert_eq!(
        sev("verify/skipped-private"),
        Some((Severity::Low, vec!["corp.example/a@v1.0.0".to_string()]))
    );
}

/// The policy file governs verify/* rules: an ignored rule is suppressed (with its reason) and
/// no longer fails the run; a re-graded one carries the new severity.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn policy_ignores_and_regrades_verify_rules() {
    let input = GoSumInput {
        path: "go.sum".into(),
        data: b"corp.example/a v1.0.0 h1:x=\n".to_vec(),
    };
    let db = DatabaseAccess::Off {
        reason: "GOSUMDB=off".into(),
        nosumdb: "corp.example".into(),
    };
    let r = verify_sums(&[input], &db, &SumsOptions::default()).await;
    let findings = sums_output::findings(&r);
    let without = Report::new(findings.clone());
    assert_eq!(
        sums_output::outcome(&without, false, FailOn::At(Severity::High)),
        RunOutcome::Fail
    );
    let policy = Policy::parse(
        r#"
version = 1

[rules]
"verify/skipped-private" = { severity = "critical" }

[[ignore]]
rule = "verify/nothing-verified"
reason = "every module of this project is private"
"#,
        std::path::Path::new("gotrust.toml"),
    )
    .unwrap();
    let report = Report::with_policy(findings, &policy);
    assert_eq!(report.suppressed().len(), 1);
    assert_eq!(
        report.suppressed()[0].finding.rule.id,
        "verify/nothing-verified"
    );
    assert_eq!(
        report.suppressed()[0].reason,
        "every module of this project is private"
    );
    assert_eq!(report.findings().len(), 1);
    assert_eq!(report.findings()[0].rule.id, "verify/skipped-private");
    assert_eq!(report.findings()[0].severity, Severity::Critical);
    // Ignored, nothing-verified no longer fails the run; the re-graded finding now exceeds
    // --fail-on high, and not --fail-on never.
    assert_eq!(
        sums_output::outcome(&report, false, FailOn::Never),
        RunOutcome::Pass
    );
    assert_eq!(
        sums_output::outcome(&report, false, FailOn::At(Severity::High)),
        RunOutcome::Fail
    );
    let sarif = gotrust::report::sarif::to_value(&report, "0");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(
        results
            .iter()
            .any(|r| r["ruleId"] == "verify/skipped-private" && r["level"] == "error"),
        "{sarif:#}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_and_ignored_lines_keep_their_numbers() {
    let (state, cache) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let lab = lab::start(state.path(), false, vec![]).await;
    let sum = format!(
        "\nbroken line\n{}example.com/old v1.0.0/go.mod {}\n",
        lab.go_sum_lines("example.com/simple", "v1.0.0").unwrap(),
        gomod::dirhash::EMPTY_GO_MOD_H1
    );
    let r = run(&lab, cache.path(), &sum).await;
    assert_eq!(
        statuses(&r),
        [
            (2, "error"),
            (3, "verified"),
            (4, "verified"),
            (5, "skipped")
        ]
    );
    assert!(r.incomplete() && !r.failed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lookups_are_shared_across_files() {
    let (state, cache) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let lab = lab::start(state.path(), false, vec![]).await;
    let sum = full_go_sum(&lab);
    let db = open(&lab, cache.path(), "", http(Duration::from_secs(10))).await;
    let inputs: Vec<GoSumInput> = ["a/go.sum", "b/go.work.sum"]
        .iter()
        .map(|p| GoSumInput {
            path: p.into(),
            data: sum.clone().into_bytes(),
        })
        .collect();
    let r = verify_sums(&inputs, &db, &SumsOptions::default()).await;
    assert_eq!(results(&r).len(), 2 * sum.lines().count());
    assert!(
        results(&r)
            .into_iter()
            .all(|l| l.status.name() == "verified")
    );
    let log = lab.request_log();
    let lookups = log.iter().filter(|e| e.path.contains("/lookup/")).count();
    assert_eq!(lookups, lab.modules().len());
    let mut tiles: Vec<_> = log
        .iter()
        .filter(|e| e.path.contains("/tile/"))
        .map(|e| e.path.clone())
        .collect();
    let n = tiles.len();
    tiles.sort();
    tiles.dedup();
    assert_eq!(n, tiles.len(), "a tile was fetched twice");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warm_caches_answer_without_lookups() {
    let (state, cache) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let lab = lab::start(state.path(), false, vec![]).await;
    let sum = full_go_sum(&lab);
    run(&lab, cache.path(), &sum).await;
    let before = lab.request_log().len();
    let r = run(&lab, cache.path(), &sum).await;
    assert!(
        results(&r)
            .into_iter()
            .all(|l| l.status.name() == "verified")
    );
    let again: Vec<_> = lab.request_log()[before..]
        .iter()
        .map(|e| e.path.clone())
        .collect();
    // Only the head check goes to the network.
    assert!(again.iter().all(|p| p.ends_with("/latest")), "{again:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fork_is_caught_across_runs_by_the_stored_head() {
    let (state, cache) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let clean = lab::start(state.path(), false, vec![]).await;
    // The first run stores the head; example.com/deps is not looked up (a cached answer
    // would not be asked again).
    let sum: String = full_go_sum(&clean)
        .lines()
        .filter(|l| !l.starts_with("example.com/deps "))
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(!run(&clean, cache.path(), &sum).await.failed());
    clean.shutdown().await;
    // Same log and key; lookups for one module now come from a forked tree. Only that
    // module's lines are checked and /latest is not asked: the stored head alone catches it.
    let forked = lab::start(
        state.path(),
        false,
        vec![Fault::new(FaultKind::ForkedTree).module("example.com/deps")],
    )
    .await;
    let db = open(&forked, cache.path(), "", http(Duration::from_secs(10))).await;
    let input = GoSumInput {
        path: "go.sum".into(),
        data: forked
            .go_sum_lines("example.com/deps", "v1.0.0")
            .unwrap()
            .into_bytes(),
    };
    let r = verify_sums(
        &[input],
        &db,
        &SumsOptions {
            check_latest: false,
            ..SumsOptions::default()
        },
    )
    .await;
    assert!(r.failed());
    let fork = r
        .database
        .as_ref()
        .unwrap()
        .fork
        .as_ref()
        .expect("fork evidence");
    assert_eq!(fork.older.n, fork.newer.n);
    assert_ne!(fork.older.hash, fork.newer.hash);
    assert!(fork.report.contains("SECURITY ERROR"), "{}", fork.report);
    for l in &results(&r) {
        assert!(
            matches!(
                l.status,
                LineStatus::Error {
                    class: ErrorClass::Verification,
                    ..
                }
            ),
            "{:?}",
            l.status
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rollback_is_caught_across_runs() {
    let (state, cache) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let clean = lab::start(state.path(), false, vec![]).await;
    let sum = full_go_sum(&clean);
    let size = clean.tree_size();
    assert!(!run(&clean, cache.path(), &sum).await.failed());
    clean.shutdown().await;
    let rolled = lab::start(
        state.path(),
        false,
        vec![Fault::new(FaultKind::RolledBack { size: size - 3 })],
    )
    .await;
    let first = rolled.modules()[0].clone();
    let r = run(
        &rolled,
        cache.path(),
        &rolled.go_sum_lines(&first.0, &first.1).unwrap(),
    )
    .await;
    let db = r.database.as_ref().unwrap();
    match db.head {
        HeadCheck::RolledBack { stored, served } => {
            assert_eq!(stored as usize, size);
            assert_eq!(served as usize, size - 3);
        }
        ref h => panic!("{h:?}"),
    }
    assert!(r.failed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_signature_fails_verification() {
    let (state, cache) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let lab = lab::start(
        state.path(),
        false,
        vec![Fault::new(FaultKind::BadSignature)],
    )
    .await;
    let r = run(&lab, cache.path(), &full_go_sum(&lab)).await;
    assert!(r.failed());
    assert!(matches!(
        r.database.as_ref().unwrap().head,
        HeadCheck::Invalid { .. }
    ));
    assert!(results(&r).into_iter().all(|l| matches!(
        l.status,
        LineStatus::Error {
            class: ErrorClass::Verification,
            ..
        }
    )));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_lookup_times_out_with_a_clear_error() {
    let (state, cache) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let lab = lab::start(
        state.path(),
        false,
        vec![
            Fault::new(FaultKind::Stall {
                after_bytes: 10,
                ms: 30_000,
            })
            .module("example.com/simple")
            .endpoint(Endpoint::Lookup),
        ],
    )
    .await;
    let db = open(&lab, cache.path(), "", http(Duration::from_millis(500))).await;
    let input = GoSumInput {
        path: "go.sum".into(),
        data: full_go_sum(&lab).into_bytes(),
    };
    let t = std::time::Instant::now();
    let r = verify_sums(&[input], &db, &SumsOptions::default()).await;
    assert!(t.elapsed() < Duration::from_secs(15), "{:?}", t.elapsed());
    for l in &results(&r) {
        if l.module == "example.com/simple" {
            match &l.status {
                LineStatus::Error {
                    class: ErrorClass::Failure,
                    message,
                } => assert!(message.contains("timeout"), "{message}"),
                s => panic!("{s:?}"),
            }
        } else {
            assert_eq!(l.status.name(), "verified", "{}", l.module);
        }
    }
    assert!(r.incomplete() && !r.failed());
}

/// An offline client over the same caches as `open`, plus go's state when given.
async fn open_offline(
    lab: &RunningLab,
    cache: &Path,
    go_state: Option<(&Path, &Path)>,
) -> DatabaseAccess {
    let http = http(Duration::from_secs(10));
    let mut cfg = sumdb_config(lab, cache.join("sumdb").join(lab.sumdb_name()));
    if let Some((gopath, modcache)) = go_state {
        cfg = cfg.with_go_state(lab.sumdb_name(), Some(gopath), Some(modcache));
    }
    let client = SumdbClient::new_offline(http.clone(), cfg.clone())
        .await
        .unwrap();
    assert!(client.is_offline());
    DatabaseAccess::On(database_over(http, client, &cfg, ""))
}

async fn run_offline(db: &DatabaseAccess, sum: &str) -> SumsReport {
    let input = GoSumInput {
        path: "go.sum".into(),
        data: sum.as_bytes().to_vec(),
    };
    verify_sums(&[input], db, &SumsOptions::default()).await
}

/// One online run fills gotrust's caches; offline, every line is then verified from them
/// (record proven against the stored signed head) without a single request, and a tampered
/// line is still a mismatch.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_verifies_from_the_cache_without_requests() {
    let (state, cache) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let lab = lab::start(state.path(), false, vec![]).await;
    let sum = full_go_sum(&lab);
    run(&lab, cache.path(), &sum).await;
    let before = lab.request_log().len();

    let db = open_offline(&lab, cache.path(), None).await;
    let r = run_offline(&db, &sum).await;
    for l in &results(&r) {
        assert!(
            matches!(
                l.status,
                LineStatus::Verified {
                    source: gotrust::net::sumdb::AnswerSource::GotrustCache,
                    ..
                }
            ),
            "{}:{} {:?}",
            l.module,
            l.line,
            l.status
        );
    }
    let d = r.database.as_ref().unwrap();
    assert!(d.offline && matches!(d.head, HeadCheck::NotChecked));
    assert_eq!(d.requests, 0);

    let mut lines: Vec<String> = sum.lines().map(str::to_string).collect();
    let head = lines[2].rsplit_once(' ').unwrap().0.to_string();
    lines[2] = format!("{head} h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
    let r = run_offline(&db, &(lines.join("\n") + "\n")).await;
    let bad: Vec<_> = results(&r)
        .into_iter()
        .filter(|l| l.status.name() != "verified")
        .map(|l| (l.line, l.status.name()))
        .collect();
    assert_eq!(bad, [(3, "mismatch")]);
    assert!(r.failed());
    assert_eq!(lab.request_log().len(), before, "offline made requests");
}

/// With nothing cached, offline gives no verdict: every line is skipped with the reason,
/// nothing fails, and nothing is sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_with_empty_caches_skips_with_the_reason() {
    let (state, cache) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let lab = lab::start(state.path(), false, vec![]).await;
    let sum = full_go_sum(&lab);
    let before = lab.request_log().len();
    let db = open_offline(&lab, cache.path(), None).await;
    let r = run_offline(&db, &sum).await;
    assert_eq!(results(&r).len(), sum.lines().count());
    for l in &results(&r) {
        match &l.status {
            LineStatus::Skipped { reason, detail, .. } => {
                assert_eq!(*reason, SkipWhy::NotCached);
                assert!(detail.starts_with("not in the offline cache"), "{detail}");
            }
            s => panic!("{}:{} {s:?}", l.module, l.line),
        }
    }
    assert!(!r.failed() && !r.incomplete());
    assert_eq!(lab.request_log().len(), before);
}

/// go's own sumdb cache (filled by the real `go mod download`) is enough: gotrust's own
/// state is empty, go's tree head and cached lookups and tiles are read (never written) and
/// verified; modules go never fetched are skipped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_uses_gos_own_sumdb_cache() {
    let (state, cache, root) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    let lab = lab::start(state.path(), false, vec![]).await;
    let mut cmd = testkit::hermetic_go(root.path());
    for (k, v) in lab.go_env() {
        cmd.env(k, v);
    }
    cmd.env("GOFLAGS", "").current_dir(root.path()).args([
        "mod",
        "download",
        "example.com/simple@v1.0.0",
    ]);
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let gopath = root.path().join("gopath");
    let modcache = gopath.join("pkg/mod");
    let go_sumdb = modcache.join("cache/download/sumdb").join(lab.sumdb_name());
    let listing = |p: &Path| -> Vec<PathBuf> {
        let mut v = Vec::new();
        let mut stack = vec![p.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let e = e.unwrap();
                if e.file_type().unwrap().is_dir() {
                    stack.push(e.path());
                } else {
                    v.push(e.path());
                }
            }
        }
        v.sort();
        v
    };
    let go_files = listing(&go_sumdb);
    assert!(!go_files.is_empty());
    let before = lab.request_log().len();

    let db = open_offline(&lab, cache.path(), Some((&gopath, &modcache))).await;
    let sum = full_go_sum(&lab);
    let r = run_offline(&db, &sum).await;
    for l in &results(&r) {
        let want = if l.module == "example.com/simple" && l.version.starts_with("v1.0.0") {
            "verified"
        } else {
            "skipped"
        };
        assert_eq!(
            l.status.name(),
            want,
            "{}@{}: {:?}",
            l.module,
            l.version,
            l.status
        );
    }
    // The zip line's answer came from go's cache (the `/go.mod` line then reads the copy
    // gotrust kept of that verified answer).
    let sources: Vec<_> = results(&r)
        .into_iter()
        .filter_map(|l| match l.status {
            LineStatus::Verified { source, .. } => Some(source),
            _ => None,
        })
        .collect();
    assert!(
        sources.contains(&gotrust::net::sumdb::AnswerSource::GoCache),
        "{sources:?}"
    );
    assert_eq!(lab.request_log().len(), before, "offline made requests");
    assert_eq!(listing(&go_sumdb), go_files, "go's cache was modified");
}

/// The text `verify sums` gives a line the database does not know is the real go's, word for
/// word: a lookup answered 404 (a version the database never logged, `verifying go.mod`) and
/// one answered 410 (`verifying module`, go.sum holding the go.mod line so that go reaches the
/// zip), each with the server's text/plain body as go quotes it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn not_in_database_text_is_the_real_gos() {
    let (state, cache) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let lab = lab::start(
        state.path(),
        false,
        vec![
            Fault::new(FaultKind::Polluted {
                serve: "v1.0.0".into(),
            })
            .module_version("example.com/simple", "v1.9.9"),
            Fault::new(FaultKind::Status { status: 410 })
                .module_version("example.com/simple", "v1.0.0")
                .endpoint(Endpoint::Lookup),
        ],
    )
    .await;
    let real = lab.go_sum_lines("example.com/simple", "v1.0.0").unwrap();
    let mod_line = real.lines().find(|l| l.contains("/go.mod ")).unwrap();
    let zip_line = real.lines().find(|l| !l.contains("/go.mod ")).unwrap();
    let cases = [
        // (version go downloads, go.sum go has, the go.sum line gotrust verifies, go's words)
        (
            "v1.9.9",
            String::new(),
            mod_line.replace("v1.0.0/go.mod", "v1.9.9/go.mod"),
            "example.com/simple@v1.9.9: verifying go.mod: example.com/simple@v1.9.9/go.mod: reading ",
            ": 404 Not Found\n\tserver response: ",
        ),
        (
            "v1.0.0",
            format!("{mod_line}\n"),
            zip_line.to_string(),
            "example.com/simple@v1.0.0: verifying module: example.com/simple@v1.0.0: reading ",
            ": 410 Gone\n\tserver response: ",
        ),
    ];
    for (version, go_sum, line, starts, status) in cases {
        let root = tempfile::tempdir().unwrap();
        let work = root.path().join("work");
        std::fs::create_dir_all(&work).unwrap();
        std::fs::write(work.join("go.mod"), "module example.com/t\n\ngo 1.21\n").unwrap();
        std::fs::write(work.join("go.sum"), &go_sum).unwrap();
        let mut go = testkit::hermetic_go(root.path());
        go.current_dir(&work)
            .args(["mod", "download", &format!("example.com/simple@{version}")]);
        for (k, v) in lab.go_env() {
            go.env(k, v);
        }
        let out = tokio::task::spawn_blocking(move || go.output().unwrap())
            .await
            .unwrap();
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        let go_text = stderr
            .trim_end()
            .strip_prefix("go: ")
            .unwrap_or_else(|| panic!("{stderr}"));
        assert!(
            go_text.starts_with(starts) && go_text.contains(status),
            "{go_text}"
        );

        let r = run(&lab, cache.path(), &format!("{line}\n")).await;
        let lines: Vec<_> = r.results().collect();
        let LineStatus::NotInDatabase { go_error, .. } = &lines[0].status else {
            panic!("{version}: {:?}", lines[0].status);
        };
        assert_eq!(go_error, go_text, "{version}");
        let report = Report::new(sums_output::findings(&r));
        let f = report
            .findings()
            .iter()
            .find(|f| f.rule.id == "verify/not-in-database")
            .expect("finding");
        assert!(f.message.starts_with(go_text), "{}\n{go_text}", f.message);
    }
}

/// The streamed JSON document is byte for byte the one built whole, and a go.sum read from
/// disk line by line gives the results of the same bytes held in memory (duplicates,
/// conflicts, malformed and ignored lines included, in file then line order).
#[tokio::test]
async fn streamed_json_and_file_reading_match_the_whole_document() {
    let dir = tempfile::tempdir().unwrap();
    let sum = format!(
        "a.example/m v1.0.0 h1:AAAA\n\na.example/m v1.0.0 h1:AAAA\nbad line\na.example/m v1.0.0/go.mod h1:BBBB\n\
         private.example/p v1.0.0 h1:CCCC\na.example/m v1.0.0 h1:DDDD\nx v1 {}\nalso bad here now\nb.example/m v2.0.0 h1:\u{1b}]0;t\u{7}\n",
        gomod::dirhash::EMPTY_GO_MOD_H1
    );
    let path = dir.path().join("go.sum");
    std::fs::write(&path, &sum).unwrap();
    let db = DatabaseAccess::Off {
        reason: "GOSUMDB=off: the checksum database is not consulted".into(),
        nosumdb: "private.example".into(),
    };
    let opts = SumsOptions::default();
    let in_memory = verify_sums(
        &[GoSumInput {
            path: path.clone(),
            data: sum.clone().into_bytes(),
        }],
        &db,
        &opts,
    )
    .await;
    let file = gotrust::verify::sums::SumFile::open(&path).unwrap();
    let streamed = gotrust::verify::sums::verify_sum_files_with(
        &[file],
        &db,
        &opts,
        &gotrust::verify::sums::NoSink,
    )
    .await
    .unwrap();
    assert_eq!(results(&in_memory), results(&streamed));
    let lines: Vec<usize> = results(&streamed).iter().map(|l| l.line).collect();
    assert_eq!(lines, [1, 3, 4, 5, 6, 7, 8, 9, 10]);
    let names: Vec<&str> = results(&streamed).iter().map(|l| l.status.name()).collect();
    assert_eq!(names.iter().filter(|n| **n == "error").count(), 2);
    let report = Report::new(sums_output::findings(&streamed));
    let outcome = sums_output::outcome(&report, streamed.incomplete(), FailOn::Never);
    let whole = serde_json::to_string_pretty(&sums_output::to_json(&streamed, &report, outcome))
        .unwrap()
        + "\n";
    let mut written = Vec::new();
    sums_output::write_json(&streamed, &report, outcome, &mut written).unwrap();
    assert_eq!(String::from_utf8(written).unwrap(), whole);
    assert!(whole.contains("\"results\": ["), "{whole}");
}

/// Results reach the sink as they are proven: with one module's lookup held back by the lab,
/// every other line is delivered while the run is still waiting for it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn results_stream_while_a_lookup_is_still_pending() {
    use gotrust::verify::sums::{LineResult, LineSink, verify_sums_with};

    struct Forward(tokio::sync::mpsc::UnboundedSender<(String, String)>);
    impl LineSink for Forward {
        fn judged(&self, line: &LineResult) {
            let _ = self.0.send((line.module.clone(), line.version.clone()));
        }
    }

    let state = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let probe = lab::start(state.path(), false, vec![]).await;
    let (slow, _) = probe.modules()[0].clone();
    let sum = full_go_sum(&probe);
    probe.shutdown().await;
    // The held-back lookup answers after a minute; the test never waits that long.
    let held = Fault::new(FaultKind::Latency { ms: 60_000 })
        .module(slow.clone())
        .endpoint(Endpoint::Lookup);
    let lab = lab::start(state.path(), false, vec![held]).await;
    let db = open(&lab, cache.path(), "", http(Duration::from_secs(120))).await;
    let input = GoSumInput {
        path: "go.sum".into(),
        data: sum.as_bytes().to_vec(),
    };
    let others = sum
        .lines()
        .filter(|l| l.split(' ').next() != Some(slow.as_str()))
        .count();
    assert!(others >= 10 && others < sum.lines().count());
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let run = tokio::spawn(async move {
        verify_sums_with(&[input], &db, &SumsOptions::default(), &Forward(tx)).await
    });
    for _ in 0..others {
        let (module, version) = rx.recv().await.expect("a result before the run ends");
        assert_ne!(module, slow, "{module} {version} came before the others");
    }
    assert!(
        !run.is_finished(),
        "every other line is judged while the held-back lookup is pending"
    );
    run.abort();
}

/// A run answered wholly from gotrust's record pack, within `head_max_age` of a confirmed
/// head, makes no request; with no `head_max_age` (and after the head moved) `/latest` is
/// fetched.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recently_confirmed_head_is_not_fetched_again_when_every_record_is_cached() {
    let (state, cache) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let lab = lab::start(state.path(), false, vec![]).await;
    let sum = full_go_sum(&lab);
    let input = || GoSumInput {
        path: "go.sum".into(),
        data: sum.as_bytes().to_vec(),
    };
    let recent = SumsOptions {
        head_max_age: Some(Duration::from_secs(600)),
        ..SumsOptions::default()
    };
    let requests = |lab: &RunningLab| lab.request_log().len();
    let db = open(&lab, cache.path(), "", http(Duration::from_secs(10))).await;
    let cold = verify_sums(&[input()], &db, &recent).await;
    assert!(!cold.failed() && !cold.incomplete());
    assert!(matches!(
        cold.database.as_ref().unwrap().head,
        HeadCheck::Consistent { .. }
    ));
    let before = requests(&lab);
    let db = open(&lab, cache.path(), "", http(Duration::from_secs(10))).await;
    let warm = verify_sums(&[input()], &db, &recent).await;
    assert!(!warm.failed() && !warm.incomplete());
    assert!(
        warm.results()
            .all(|l| matches!(l.status, LineStatus::Verified { .. }))
    );
    match warm.database.as_ref().unwrap().head {
        HeadCheck::Recent { size, age_secs } => {
            assert_eq!(size as usize, lab.tree_size());
            assert!(age_secs <= 600);
        }
        ref h => panic!("{h:?}"),
    }
    assert_eq!(requests(&lab), before, "{:#?}", lab.request_log());
    // Without a maximum age the head is fetched every time.
    let db = open(&lab, cache.path(), "", http(Duration::from_secs(10))).await;
    let always = verify_sums(&[input()], &db, &SumsOptions::default()).await;
    assert!(matches!(
        always.database.as_ref().unwrap().head,
        HeadCheck::Consistent { .. }
    ));
    let latest: Vec<_> = lab.request_log()[before..]
        .iter()
        .filter(|e| e.path.ends_with("/latest"))
        .cloned()
        .collect();
    assert_eq!(latest.len(), 1, "{latest:#?}");
    // A line whose record is not cached: the head is checked beside its lookup.
    let cache2 = tempfile::tempdir().unwrap();
    let db = open(&lab, cache2.path(), "", http(Duration::from_secs(10))).await;
    let fresh = verify_sums(&[input()], &db, &recent).await;
    assert!(matches!(
        fresh.database.as_ref().unwrap().head,
        HeadCheck::Consistent { .. }
    ));
}

/// A "not found" lookup answer is remembered for as long as a confirmed head is trusted
/// (`head_max_age`): a second run within it asks nothing (not even `/latest`) and still fails
/// the line with go's text, saying the answer is a remembered one; with no `head_max_age`
/// (`--head-max-age 0`) the database is asked again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_not_found_answer_is_reused_within_the_head_max_age_and_still_fails() {
    let (state, cache) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let lab = lab::start(state.path(), false, vec![]).await;
    let sum = format!(
        "{}example.com/nowhere v1.0.0 h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\nexample.com/nowhere v1.0.0/go.mod h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
        lab.go_sum_lines("example.com/simple", "v1.0.0").unwrap()
    );
    let input = || GoSumInput {
        path: "go.sum".into(),
        data: sum.as_bytes().to_vec(),
    };
    let recent = SumsOptions {
        head_max_age: Some(Duration::from_secs(600)),
        ..SumsOptions::default()
    };
    let asked = |lab: &RunningLab, from: usize| {
        lab.request_log()[from..]
            .iter()
            .filter(|e| e.path.contains("/lookup/example.com/nowhere@v1.0.0"))
            .count()
    };
    let not_found = |r: &SumsReport| match results(r).remove(2).status {
        LineStatus::NotInDatabase {
            go_error,
            cached_age_secs,
            ..
        } => (go_error, cached_age_secs),
        s => panic!("{s:?}"),
    };

    let db = open(&lab, cache.path(), "", http(Duration::from_secs(10))).await;
    let cold = verify_sums(&[input()], &db, &recent).await;
    assert_eq!(
        statuses(&cold),
        [
            (1, "verified"),
            (2, "verified"),
            (3, "not-in-database"),
            (4, "not-in-database")
        ]
    );
    let (cold_text, cold_age) = not_found(&cold);
    assert_eq!(cold_age, None);
    // One question for `v` and `v/go.mod`; this run's own answer is not a remembered one.
    assert_eq!(asked(&lab, 0), 1);
    match &results(&cold)[3].status {
        LineStatus::NotInDatabase {
            cached_age_secs, ..
        } => assert_eq!(*cached_age_secs, None),
        s => panic!("{s:?}"),
    }

    let before = lab.request_log().len();
    let db = open(&lab, cache.path(), "", http(Duration::from_secs(10))).await;
    let warm = verify_sums(&[input()], &db, &recent).await;
    assert_eq!(lab.request_log().len(), before, "{:#?}", lab.request_log());
    assert_eq!(statuses(&warm), statuses(&cold));
    let (warm_text, warm_age) = not_found(&warm);
    // go's words, as when asked; the remembered answer is said to be one.
    assert_eq!(warm_text, cold_text);
    assert!(warm_age.is_some_and(|a| a <= 600), "{warm_age:?}");
    assert!(warm.failed() && !warm.incomplete());
    assert!(matches!(
        warm.database.as_ref().unwrap().head,
        HeadCheck::Recent { .. }
    ));
    let report = Report::new(sums_output::findings(&warm));
    let f = report
        .findings()
        .iter()
        .find(|f| f.rule.id == "verify/not-in-database" && f.message.starts_with(&cold_text))
        .expect("finding");
    assert!(f.message.contains("not asked again"), "{}", f.message);
    assert_eq!(
        sums_output::outcome(&report, warm.incomplete(), FailOn::Never),
        RunOutcome::Fail
    );

    // No maximum age (`--head-max-age 0`): the database is asked again, and `/latest` too.
    let db = open(&lab, cache.path(), "", http(Duration::from_secs(10))).await;
    let again = verify_sums(&[input()], &db, &SumsOptions::default()).await;
    // (Once per line: without a window nothing is reused, as go asks again each time.)
    assert_eq!(asked(&lab, before), 2, "{:#?}", lab.request_log());
    assert_eq!(not_found(&again), (cold_text, None));
    assert!(matches!(
        again.database.as_ref().unwrap().head,
        HeadCheck::Consistent { .. }
    ));
}

/// A remembered "not found" answer can only fail lines: a forged one for a record the
/// database has fails its lines (never verifies anything) while the window lasts; without the
/// window the database is asked and the lines verify.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_not_found_entry_can_only_fail_a_line() {
    let (state, cache) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let lab = lab::start(state.path(), false, vec![]).await;
    let sum = lab.go_sum_lines("example.com/simple", "v1.0.0").unwrap();
    let input = || GoSumInput {
        path: "go.sum".into(),
        data: sum.as_bytes().to_vec(),
    };
    let recent = SumsOptions {
        head_max_age: Some(Duration::from_secs(600)),
        ..SumsOptions::default()
    };
    // Someone writes a "not found" for a record the database has, before any run.
    let dir = cache.path().join("sumdb").join(lab.sumdb_name());
    std::fs::create_dir_all(&dir).unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    std::fs::write(
        dir.join("not-found"),
        format!(
            "{{\"at\":{now},\"lookup\":\"lookup/example.com/simple@v1.0.0\",\"status\":404,\"reason\":\"Not Found\",\"message\":\"forged\"}}\n"
        ),
    )
    .unwrap();
    let db = open(&lab, cache.path(), "", http(Duration::from_secs(10))).await;
    let r = verify_sums(&[input()], &db, &recent).await;
    // Fail closed: the forged answer fails both lines; nothing is verified from it.
    assert_eq!(
        statuses(&r),
        [(1, "not-in-database"), (2, "not-in-database")]
    );
    assert!(r.failed());
    // Without the window the database is asked and both lines verify.
    let db = open(&lab, cache.path(), "", http(Duration::from_secs(10))).await;
    let r = verify_sums(&[input()], &db, &SumsOptions::default()).await;
    assert_eq!(statuses(&r), [(1, "verified"), (2, "verified")]);
}

/// Writes `count` small module fixtures (`example.com/bulk/mNNN v1.0.0`) the lab can load.
fn bulk_fixtures(dir: &Path, count: usize) {
    std::fs::create_dir_all(dir).unwrap();
    for i in 0..count {
        std::fs::write(
            dir.join(format!("example.com_bulk_m{i:03}_v1.0.0.txt")),
            format!("bulk module {i}\n-- go.mod --\nmodule example.com/bulk/m{i:03}\n-- m.go --\npackage m{i:03}\n"),
        )
        .unwrap();
    }
}

/// Once a record's 256-record subtree is complete, the path from the record up to it is
/// stored, and later runs prove the record through it and the shared upper tiles: the
/// record's own complete level-0 tile is not even kept in the cache, and offline the record
/// still verifies. A damaged path proves nothing: the record is then proven through its own
/// tile (offline and not cached: not verified), and online the path is stored afresh.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stored_merkle_paths_prove_records_and_a_damaged_one_proves_nothing() {
    let (state, cache, bulk) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    let lab = lab::start(state.path(), false, vec![]).await;
    let first = lab.modules();
    bulk_fixtures(bulk.path(), 300);
    lab.add_modules_dir(bulk.path()).unwrap();
    assert!(lab.tree_size() > 256);
    // The lab's own modules: their records are among the first 256.
    let sum: String = first
        .iter()
        .map(|(p, v)| lab.go_sum_lines(p, v).unwrap())
        .collect();
    let cold = run(&lab, cache.path(), &sum).await;
    assert!(results(&cold).iter().all(|l| l.status.name() == "verified"));
    let dir = cache.path().join("sumdb").join(lab.sumdb_name());
    let paths = std::fs::read(dir.join("paths")).unwrap();
    assert!(!paths.is_empty());
    // The complete level-0 tile holding those records: not needed, not kept.
    assert!(!dir.join("tile/8/0/000").exists());

    let db = open_offline(&lab, cache.path(), None).await;
    let warm = run_offline(&db, &sum).await;
    for l in results(&warm) {
        assert!(
            matches!(l.status, LineStatus::Verified { .. }),
            "{}:{} {:?}",
            l.module,
            l.line,
            l.status
        );
    }

    // Damage every stored path (one bit of each entry's first sibling hash).
    let mut damaged = paths.clone();
    let mut at = 0;
    while at + 9 <= damaged.len() {
        let height = usize::from(damaged[at + 8]);
        damaged[at + 9] ^= 1;
        at += 9 + height * 32;
    }
    std::fs::write(dir.join("paths"), &damaged).unwrap();
    let db = open_offline(&lab, cache.path(), None).await;
    let r = run_offline(&db, &sum).await;
    // (The stored record that no longer proves is a cache miss: its lookup is in no cache.)
    for l in results(&r) {
        assert!(
            matches!(
                l.status,
                LineStatus::Skipped {
                    reason: SkipWhy::NotCached,
                    ..
                }
            ),
            "{}:{} {:?}",
            l.module,
            l.line,
            l.status
        );
    }

    // Online, the record is proven through its tile and its path stored afresh.
    let again = run(&lab, cache.path(), &sum).await;
    assert!(
        results(&again)
            .iter()
            .all(|l| l.status.name() == "verified")
    );
    assert!(!dir.join("tile/8/0/000").exists());
    let db = open_offline(&lab, cache.path(), None).await;
    let r = run_offline(&db, &sum).await;
    assert!(results(&r).iter().all(|l| l.status.name() == "verified"));
}

/// Records past the first tile are proven through their own paths; when the tiles cannot be
/// fetched, their lines still get no verdict (never a verified one), naming a tile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_past_one_tile_get_no_verdict_when_tiles_fail() {
    let (state, cache, bulk) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    let lab = lab::start(
        state.path(),
        false,
        vec![Fault::new(FaultKind::Status { status: 500 }).endpoint(Endpoint::Tile)],
    )
    .await;
    let first = lab.modules();
    bulk_fixtures(bulk.path(), 300);
    lab.add_modules_dir(bulk.path()).unwrap();
    let sum: String = first
        .iter()
        .map(|(p, v)| lab.go_sum_lines(p, v).unwrap())
        .collect();
    let r = run(&lab, cache.path(), &sum).await;
    for l in results(&r) {
        match &l.status {
            LineStatus::Error {
                class: ErrorClass::Failure,
                message,
            } => assert!(message.contains("/tile/8/"), "{message}"),
            s => panic!("{}:{} {s:?}", l.module, l.line),
        }
    }
    assert!(r.incomplete());
}
