//! `gotrust verify cache` end to end on a small hand-built module cache: formats, exit codes,
//! go.sum locations in SARIF. The engine's behaviour against the real go is tested in
//! `crates/gotrust/tests/integration/verify_cache.rs`.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use gomod::dirhash;
use gomod::modzip::{self, SourceFile};
use serde_json::Value;

use crate::harness::TestDir;

const GO_MOD: &[u8] = b"module example.com/a\n\ngo 1.21\n";
const A_GO: &[u8] = b"package a\n";

/// Makes the read-only tree writable again when the test ends, so the temporary directory
/// can be removed.
struct Restore(PathBuf);

impl Drop for Restore {
    fn drop(&mut self) {
        let _ = fs::set_permissions(&self.0, fs::Permissions::from_mode(0o755));
    }
}

/// A cache holding example.com/a v1.0.0 as go leaves it (zip, .ziphash, .mod, read-only
/// tree) and a project whose go.sum lists it. Returns (modcache, project, guard).
fn cache(dir: &TestDir) -> (PathBuf, PathBuf, Restore) {
    let root = dir.write("marker", "").parent().unwrap().to_path_buf();
    let mc = root.join("mod");
    let v = mc.join("cache/download/example.com/a/@v");
    fs::create_dir_all(&v).unwrap();
    let files = [
        SourceFile::bytes("go.mod", GO_MOD),
        SourceFile::bytes("a.go", A_GO),
    ];
    modzip::create(
        fs::File::create(v.join("v1.0.0.zip")).unwrap(),
        "example.com/a",
        "v1.0.0",
        &files,
    )
    .unwrap();
    let h = dirhash::hash_zip(&mut fs::File::open(v.join("v1.0.0.zip")).unwrap()).unwrap();
    fs::write(v.join("v1.0.0.ziphash"), &h).unwrap();
    fs::write(v.join("v1.0.0.mod"), GO_MOD).unwrap();
    let t = mc.join("example.com/a@v1.0.0");
    fs::create_dir_all(&t).unwrap();
    fs::write(t.join("go.mod"), GO_MOD).unwrap();
    fs::write(t.join("a.go"), A_GO).unwrap();
    for f in ["go.mod", "a.go"] {
        fs::set_permissions(t.join(f), fs::Permissions::from_mode(0o444)).unwrap();
    }
    fs::set_permissions(&t, fs::Permissions::from_mode(0o555)).unwrap();
    let proj = root.join("proj");
    fs::create_dir_all(&proj).unwrap();
    fs::write(
        proj.join("go.mod"),
        "module example.com/p\n\ngo 1.21\n\nrequire example.com/a v1.0.0\n",
    )
    .unwrap();
    fs::write(
        proj.join("go.sum"),
        format!(
            "example.com/a v1.0.0 {h}\nexample.com/a v1.0.0/go.mod {}\n",
            dirhash::hash_go_mod(GO_MOD)
        ),
    )
    .unwrap();
    (mc, proj, Restore(t))
}

fn tamper(mc: &Path) {
    let f = mc.join("example.com/a@v1.0.0/a.go");
    fs::set_permissions(&f, fs::Permissions::from_mode(0o644)).unwrap();
    fs::write(&f, "package b\n").unwrap();
    fs::set_permissions(&f, fs::Permissions::from_mode(0o444)).unwrap();
}

fn args<'a>(mc: &'a Path, proj: &'a Path, format: &'a str) -> Vec<&'a str> {
    vec![
        "verify",
        "cache",
        "--offline",
        "--modcache",
        mc.to_str().unwrap(),
        "--project",
        proj.to_str().unwrap(),
        "--format",
        format,
    ]
}

#[test]
fn clean_cache_exits_0_in_every_format() {
    let dir = TestDir::new();
    let (mc, proj, _restore) = cache(&dir);
    let out = dir.cmd(&args(&mc, &proj, "text")).run().code(0);
    assert!(
        out.stdout.contains("verify cache: 3 items: 3 verified"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("--offline: checksum database answers come only from cached data"),
        "{}",
        out.stdout
    );
    // No progress bar when stderr is not a terminal.
    assert!(out.stderr.is_empty(), "{}", out.stderr);

    let out = dir.cmd(&args(&mc, &proj, "json")).run().code(0);
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["schema_version"], 1);
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    for r in results {
        assert_eq!(r["status"], "verified", "{r}");
    }
    assert_eq!(v["failed"], false);
    assert_eq!(v["summary"]["total"], 0);
    assert!(out.stderr.is_empty());

    let out = dir.cmd(&args(&mc, &proj, "sarif")).run().code(0);
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["runs"][0]["results"].as_array().unwrap().len(), 0);
}

#[test]
fn tampered_tree_exits_1_and_names_the_file() {
    let dir = TestDir::new();
    let (mc, proj, _restore) = cache(&dir);
    tamper(&mc);
    let out = dir.cmd(&args(&mc, &proj, "text")).run().code(1);
    assert!(
        out.stdout
            .contains("verify/mismatch: example.com/a@v1.0.0: dir has been modified"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("modified: a.go"), "{}", out.stdout);

    let out = dir.cmd(&args(&mc, &proj, "json")).run().code(1);
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    let bad: Vec<&Value> = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] != "verified")
        .collect();
    assert_eq!(bad.len(), 1);
    assert_eq!(bad[0]["kind"], "dir");
    assert_eq!(bad[0]["status"], "mismatch");
    assert_eq!(
        bad[0]["files"],
        serde_json::json!([{"change": "modified", "name": "a.go"}])
    );
    assert_eq!(v["failed"], true);
    assert_eq!(v["findings"][0]["id"], "verify/mismatch");

    // SARIF: the result points at the go.sum line of the module's zip hash.
    let out = dir.cmd(&args(&mc, &proj, "sarif")).run().code(1);
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    let res = &v["runs"][0]["results"][0];
    assert_eq!(res["ruleId"], "verify/mismatch");
    let loc = &res["locations"][0]["physicalLocation"];
    assert!(
        loc["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .ends_with("/proj/go.sum")
    );
    assert_eq!(loc["region"]["startLine"], 1);
    // A mismatch fails whatever --fail-on says.
    let mut a = args(&mc, &proj, "text");
    a.extend(["--fail-on", "never"]);
    dir.cmd(&a).run().code(1);
}

/// The project's gotrust.toml governs the verify/* rules of verify cache: an ignored
/// mismatch is kept as suppressed (with its reason) and no longer fails the run; a re-graded
/// leftover carries the new severity in every format.
#[test]
fn policy_ignores_and_regrades_verify_cache_rules() {
    let dir = TestDir::new();
    let (mc, proj, _restore) = cache(&dir);
    tamper(&mc);
    fs::write(
        mc.join("cache/download/example.com/a/@v/v1.0.0.zip123.tmp"),
        "partial",
    )
    .unwrap();
    let mut a = args(&mc, &proj, "json");
    a.extend(["--fail-on", "never"]);
    // Without a policy the mismatch fails whatever --fail-on says.
    let out = dir.cmd(&a).run().code(1);
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    let ids: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["verify/mismatch", "verify/leftover"], "{v:#}");
    assert_eq!(v["findings"][1]["severity"], "low");

    fs::write(
        proj.join("gotrust.toml"),
        r#"version = 1

[rules]
"verify/leftover" = { severity = "critical" }

[[ignore]]
rule = "verify/mismatch"
module = "example.com/a"
reason = "patched on purpose for a local experiment"
"#,
    )
    .unwrap();
    let out = dir.cmd(&a).run().code(0);
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["findings"].as_array().unwrap().len(), 1, "{v:#}");
    assert_eq!(v["findings"][0]["id"], "verify/leftover");
    assert_eq!(v["findings"][0]["severity"], "critical");
    assert_eq!(v["suppressed"][0]["id"], "verify/mismatch");
    assert_eq!(
        v["suppressed"][0]["reason"],
        "patched on purpose for a local experiment"
    );
    assert_eq!(v["failed"], false);
    // The re-graded leftover now fails --fail-on critical.
    let mut crit = args(&mc, &proj, "sarif");
    crit.extend(["--fail-on", "critical"]);
    let out = dir.cmd(&crit).run().code(1);
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert!(
        results
            .iter()
            .any(|r| r["ruleId"] == "verify/leftover" && r["level"] == "error"),
        "{v:#}"
    );
    assert!(
        results.iter().any(|r| r["ruleId"] == "verify/mismatch"
            && r["suppressions"][0]["justification"]
                == "patched on purpose for a local experiment"),
        "{v:#}"
    );
    // Text: the suppressed finding and its reason are shown.
    let mut t = args(&mc, &proj, "text");
    t.extend(["--fail-on", "never"]);
    let out = dir.cmd(&t).run().code(0);
    assert!(
        out.stdout.contains("suppressed by policy (1)"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("reason:   patched on purpose for a local experiment"),
        "{}",
        out.stdout
    );
}

/// Online, a checksum database that cannot be opened stops the run (exit 2) with the way
/// out, instead of quietly verifying less.
#[test]
fn unusable_database_exits_2_and_points_at_offline() {
    let dir = TestDir::new();
    let (mc, proj, _restore) = cache(&dir);
    let mut a = args(&mc, &proj, "text");
    a.retain(|x| *x != "--offline");
    let out = dir.cmd(&a).env("GOSUMDB", "not a valid key").run().code(2);
    assert!(
        out.stderr.contains(
            "cannot open the checksum database (use --offline to verify against cached data only)"
        ),
        "{}",
        out.stderr
    );
    assert!(out.stdout.is_empty(), "{}", out.stdout);
}

#[test]
fn missing_cache_exits_2() {
    let dir = TestDir::new();
    let out = dir
        .cmd(&[
            "verify",
            "cache",
            "--modcache",
            "/nonexistent/gotrust-cache",
        ])
        .run()
        .code(2);
    assert!(
        out.stderr.starts_with(
            "gotrust: error: cannot verify the module cache: /nonexistent/gotrust-cache: No such file"
        ),
        "{}",
        out.stderr
    );
}

// ---- Against the lab's database, with a cache filled by the real go. ----

mod lab {
    use std::path::PathBuf;

    use gotrust_lab::{Fault, FaultKind, RunningLab};
    use serde_json::Value;

    use crate::harness::{TestDir, lab};

    /// A project in `dir/proj` whose modules the real go fetched from the lab (database on,
    /// unless `extra` says otherwise). Returns (project, module cache).
    async fn project(
        dir: &TestDir,
        lab: &RunningLab,
        extra: &[(&str, &str)],
    ) -> (PathBuf, PathBuf) {
        let root = dir.write("gohome/keep", "").parent().unwrap().to_path_buf();
        let proj = root.join("proj");
        let extra = extra.iter().map(|(k, v)| (k.to_string(), v.to_string()));
        let env: Vec<(String, String)> = lab.go_env().into_iter().chain(extra).collect();
        for args in [
            &["mod", "init", "example.com/p"][..],
            &[
                "get",
                "example.com/simple@v1.0.0",
                "example.com/withinfo@v1.0.0",
            ][..],
        ] {
            testkit::lab::go(&root, &proj, env.clone(), args)
                .await
                .success(args);
        }
        (proj, root.join("gopath/pkg/mod"))
    }

    fn sumdb_outcomes(v: &Value) -> Vec<(String, String, String)> {
        v["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|r| {
                let c = r["checks"]
                    .as_array()?
                    .iter()
                    .find(|c| c["against"] == "sumdb")?;
                Some((
                    r["module"].as_str()?.to_owned(),
                    r["kind"].as_str()?.to_owned(),
                    c["outcome"].as_str()?.to_owned(),
                ))
            })
            .collect()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_cache_filled_by_go_verifies_clean_against_the_database() {
        let (lab, _s) = lab(vec![]).await;
        let dir = TestDir::new();
        let (proj, mc) = project(&dir, &lab, &[]).await;
        let (p, m) = (proj.to_str().unwrap(), mc.to_str().unwrap());
        let base = ["verify", "cache", "--project", p, "--modcache", m];
        let out = dir.lab_cmd(&lab, &base).run_blocking().await.code(0);
        assert!(
            out.stdout.contains("note: checksum database consulted"),
            "{}",
            out.stdout
        );
        let mut a = base.to_vec();
        a.extend(["--format", "json"]);
        let out = dir.lab_cmd(&lab, &a).run_blocking().await.code(0);
        let v: Value = serde_json::from_str(&out.stdout).unwrap();
        let got = sumdb_outcomes(&v);
        // Two modules, a zip and a .mod each, all matching the proven database records.
        assert_eq!(got.len(), 4, "{got:?}");
        assert!(got.iter().all(|(_, _, o)| o == "match"), "{got:?}");
        assert!(
            lab.request_log()
                .iter()
                .any(|e| e.path.contains("/lookup/example.com/simple@v1.0.0"))
        );
    }

    /// The same cache, fetched while GOSUMDB was off from a proxy that tampered one zip:
    /// go.sum and .ziphash agree with the cache, the database does not (exit 1); `--offline`
    /// without cached database data cannot see it (exit 0) and says the database was not
    /// consulted for it.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_database_catches_what_go_sum_and_ziphash_cannot() {
        let (lab, _s) = lab(vec![
            Fault::new(FaultKind::TamperZip).module("example.com/simple"),
        ])
        .await;
        let dir = TestDir::new();
        let (proj, mc) = project(&dir, &lab, &[("GOSUMDB", "off")]).await;
        let (p, m) = (proj.to_str().unwrap(), mc.to_str().unwrap());
        let base = ["verify", "cache", "--project", p, "--modcache", m];
        let mut off = base.to_vec();
        off.push("--offline");
        dir.lab_cmd(&lab, &off).run_blocking().await.code(0);
        let out = dir.lab_cmd(&lab, &base).run_blocking().await.code(1);
        assert!(
            out.stdout.contains(
                "verify/mismatch: example.com/simple@v1.0.0: zip differs from the checksum database"
            ),
            "{}",
            out.stdout
        );
        assert!(
            out.stdout.contains("checksum database says h1:"),
            "{}",
            out.stdout
        );
        // Run again offline: the database answers cached by the online run now catch it
        // without any request.
        let before = lab.request_log().len();
        let out = dir.lab_cmd(&lab, &off).run_blocking().await.code(1);
        assert!(
            out.stdout
                .contains("zip differs from the checksum database"),
            "{}",
            out.stdout
        );
        assert_eq!(lab.request_log().len(), before, "offline made requests");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn gosumdb_off_is_said_and_nothing_is_sent() {
        let (lab, _s) = lab(vec![]).await;
        let dir = TestDir::new();
        let (proj, mc) = project(&dir, &lab, &[]).await;
        let before = lab.request_log().len();
        let (p, m) = (proj.to_str().unwrap(), mc.to_str().unwrap());
        let mut c = dir.cmd(&["verify", "cache", "--project", p, "--modcache", m]);
        for (k, v) in lab.go_env() {
            c = c.env(&k, if k == "GOSUMDB" { "off" } else { &v });
        }
        let out = tokio::task::spawn_blocking(move || c.run())
            .await
            .unwrap()
            .code(0);
        assert!(
            out.stdout
                .contains("checksum database not consulted (GOSUMDB=off)"),
            "{}",
            out.stdout
        );
        assert_eq!(lab.request_log().len(), before);
    }
}
