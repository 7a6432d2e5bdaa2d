//! `gotrust verify cache` end to end on a small hand-built module cache: formats, exit codes,
//! go.sum locations in SARIF. The engine's behaviour against the real go is tested in
//! `crates/gotrust/tests/verify_cache.rs`.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use gomod::dirhash;
use gomod::modzip::{self, SourceFile};
use serde_json::Value;

use crate::util::TestDir;

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
            .contains("checksum database not consulted (--offline)")
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
    assert_eq!(v["summary"]["failed"], false);
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
            .contains("mismatch   dir example.com/a@v1.0.0: dir has been modified"),
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
    assert_eq!(v["summary"]["failed"], true);

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
