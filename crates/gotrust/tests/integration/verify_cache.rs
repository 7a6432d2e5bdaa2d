//! `verify cache` against a module cache populated by the real `go mod download` from a
//! file:// GOPROXY built here (hermetic: no network), with `go mod verify` run beside it as
//! the oracle for what go itself notices.

use std::fs;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use gomod::module;
use gomod::modzip::{self, SourceFile};
use gotrust::verify::cache::{CacheOptions, Database, NoProgress, verify_cache};
use gotrust::verify::{Change, ItemKind, ItemResult, Outcome, Reference, Results, VerifyStatus};

/// A temporary root that makes go's read-only trees writable again before it is removed.
struct Root(tempfile::TempDir);

impl Root {
    fn new() -> Root {
        Root(tempfile::tempdir().unwrap())
    }
    fn path(&self) -> &Path {
        self.0.path()
    }
}

impl Drop for Root {
    fn drop(&mut self) {
        make_writable(self.0.path());
    }
}

fn make_writable(p: &Path) {
    let Ok(m) = fs::symlink_metadata(p) else {
        return;
    };
    if m.file_type().is_symlink() {
        return;
    }
    let _ = fs::set_permissions(
        p,
        fs::Permissions::from_mode(m.permissions().mode() | 0o200),
    );
    if m.is_dir() {
        for e in fs::read_dir(p).into_iter().flatten().flatten() {
            make_writable(&e.path());
        }
    }
}

fn chmod(p: &Path, mode: u32) {
    fs::set_permissions(p, fs::Permissions::from_mode(mode)).unwrap();
}

/// A module served by the test proxy.
struct Module {
    path: &'static str,
    version: &'static str,
    files: Vec<(&'static str, Vec<u8>)>,
}

fn module(path: &'static str, version: &'static str, extra: &[(&'static str, &str)]) -> Module {
    let mut files = vec![("go.mod", format!("module {path}\n\ngo 1.21\n").into_bytes())];
    files.extend(extra.iter().map(|(n, c)| (*n, c.as_bytes().to_vec())));
    Module {
        path,
        version,
        files,
    }
}

/// Writes a GOPROXY directory: `ESC/@v/list`, `.info`, `.mod`, `.zip`.
fn build_proxy(dir: &Path, modules: &[Module]) {
    for m in modules {
        let v = dir.join(module::escape_path(m.path).unwrap()).join("@v");
        fs::create_dir_all(&v).unwrap();
        let ev = module::escape_version(m.version).unwrap();
        let mut list = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(v.join("list"))
            .unwrap();
        writeln!(list, "{}", m.version).unwrap();
        fs::write(
            v.join(format!("{ev}.info")),
            format!(
                r#"{{"Version":"{}","Time":"2024-01-02T03:04:05Z"}}"#,
                m.version
            ),
        )
        .unwrap();
        let gomod = &m.files.iter().find(|(n, _)| *n == "go.mod").unwrap().1;
        fs::write(v.join(format!("{ev}.mod")), gomod).unwrap();
        let files: Vec<SourceFile<'_>> = m
            .files
            .iter()
            .map(|(n, c)| SourceFile::bytes(*n, c))
            .collect();
        let zip = fs::File::create(v.join(format!("{ev}.zip"))).unwrap();
        modzip::create(zip, m.path, m.version, &files).unwrap();
    }
}

/// A project requiring `modules`, downloaded into a fresh cache by the real go.
struct Fixture {
    root: Root,
}

impl Fixture {
    fn new(modules: &[Module]) -> Fixture {
        let root = Root::new();
        build_proxy(&root.path().join("proxy"), modules);
        let proj = root.path().join("proj");
        fs::create_dir_all(&proj).unwrap();
        let mut gomod = String::from("module example.com/proj\n\ngo 1.21\n\nrequire (\n");
        for m in modules {
            gomod.push_str(&format!("\t{} {}\n", m.path, m.version));
        }
        gomod.push_str(")\n");
        fs::write(proj.join("go.mod"), gomod).unwrap();
        let f = Fixture { root };
        // `go mod download` without arguments records only the `/go.mod` lines in go.sum
        // (go 1.26); naming the modules records the zip lines too.
        let mut args = vec!["mod", "download"];
        args.extend(modules.iter().map(|m| m.path));
        let out = f.go(&args);
        assert!(out.status.success(), "go mod download: {out:?}");
        f
    }

    fn proj(&self) -> PathBuf {
        self.root.path().join("proj")
    }

    fn modcache(&self) -> PathBuf {
        self.root.path().join("gopath/pkg/mod")
    }

    fn go(&self, args: &[&str]) -> std::process::Output {
        let proxy = format!("file://{}", self.root.path().join("proxy").display());
        let mut cmd: Command = testkit::hermetic_go(self.root.path());
        cmd.args(args)
            .current_dir(self.proj())
            .env("GOPROXY", proxy)
            .env("GOSUMDB", "off");
        cmd.output().unwrap()
    }

    /// `go mod verify`: (success, combined output).
    fn go_mod_verify(&self) -> (bool, String) {
        let out = self.go(&["mod", "verify"]);
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.success(), text)
    }

    fn verify(&self, project: bool) -> Results {
        let mut opts = CacheOptions::new(self.modcache());
        if project {
            opts.project = Some(self.proj());
        }
        verify_cache(&opts, &NoProgress).unwrap()
    }

    fn vdir(&self, path: &str) -> PathBuf {
        self.modcache()
            .join("cache/download")
            .join(module::escape_path(path).unwrap())
            .join("@v")
    }

    fn tree(&self, path: &str, version: &str) -> PathBuf {
        self.modcache().join(format!(
            "{}@{}",
            module::escape_path(path).unwrap(),
            module::escape_version(version).unwrap()
        ))
    }
}

fn standard() -> Vec<Module> {
    vec![
        module(
            "example.com/alpha",
            "v1.0.0",
            &[
                ("alpha.go", "package alpha\n"),
                ("sub/deep.go", "package sub\n"),
            ],
        ),
        module(
            "example.com/Upper/Beta",
            "v1.2.0-RC1",
            &[("beta.go", "package beta\n"), ("LICENSE", "MIT\n")],
        ),
        module(
            "example.com/gamma/v2",
            "v2.0.1",
            &[("g.go", "package gamma\n")],
        ),
    ]
}

fn item<'a>(r: &'a Results, kind: ItemKind, module: &str) -> &'a ItemResult {
    r.items
        .iter()
        .find(|i| i.kind == kind && i.module.as_deref() == Some(module))
        .unwrap_or_else(|| panic!("no {kind:?} item for {module} in {:#?}", r.items))
}

fn statuses(r: &Results) -> Vec<(ItemKind, String, VerifyStatus)> {
    r.items
        .iter()
        .map(|i| (i.kind, i.subject(), i.status))
        .collect()
}

#[test]
fn clean_cache_verifies_in_both_modes_with_go_sum_hashes() {
    let f = Fixture::new(&standard());
    let (ok, text) = f.go_mod_verify();
    assert!(ok && text.contains("all modules verified"), "{text}");

    for project in [false, true] {
        let r = f.verify(project);
        assert!(!r.failed(), "{:#?}", r.items);
        // mod, zip and dir for each of the three modules.
        assert_eq!(r.items.len(), 9, "{:#?}", statuses(&r));
        // Without --project nothing is compared with go.sum (and the database is offline):
        // consistent with the cache's own records, but not verified.
        let want = if project {
            VerifyStatus::Verified
        } else {
            VerifyStatus::Unverified
        };
        assert!(
            r.items.iter().all(|i| i.status == want),
            "{:#?}",
            statuses(&r)
        );
        assert!(r.notes.iter().any(|n| n.contains("not consulted")));
    }

    // The hashes we computed are the ones go wrote to go.sum (go is the oracle).
    let sum = fs::read_to_string(f.proj().join("go.sum")).unwrap();
    let r = f.verify(true);
    for i in &r.items {
        let (m, v) = (i.module.as_deref().unwrap(), i.version.as_deref().unwrap());
        let h = i.hash.as_deref().unwrap();
        let key = match i.kind {
            ItemKind::Mod => format!("{m} {v}/go.mod {h}"),
            _ => format!("{m} {v} {h}"),
        };
        assert!(sum.lines().any(|l| l == key), "{key} not in\n{sum}");
        let gosum = i
            .checks
            .iter()
            .find(|c| c.against == Reference::GoSum)
            .unwrap();
        assert_eq!(gosum.outcome, Outcome::Match);
        assert!(gosum.location.as_ref().unwrap().line.is_some());
        let db = i.checks.iter().find(|c| c.against == Reference::Sumdb);
        if i.kind != ItemKind::Dir {
            assert_eq!(db.unwrap().outcome, Outcome::NotConsulted);
            assert_eq!(db.unwrap().note.as_deref(), Some("--offline"));
        }
    }
}

#[test]
fn tampered_tree_names_modified_added_missing_files_and_go_agrees() {
    let f = Fixture::new(&standard());
    let t = f.tree("example.com/alpha", "v1.0.0");
    chmod(&t, 0o755);
    chmod(&t.join("sub"), 0o755);
    chmod(&t.join("alpha.go"), 0o644);
    // Flip one byte.
    let mut b = fs::read(t.join("alpha.go")).unwrap();
    b[0] ^= 0x20;
    fs::write(t.join("alpha.go"), &b).unwrap();
    fs::write(t.join("sub/evil.go"), "package sub\n").unwrap();
    fs::remove_file(t.join("sub/deep.go")).unwrap();
    chmod(&t.join("alpha.go"), 0o444);
    chmod(&t.join("sub"), 0o555);
    chmod(&t, 0o555);

    let r = f.verify(true);
    assert!(r.failed());
    let d = item(&r, ItemKind::Dir, "example.com/alpha");
    assert_eq!(d.status, VerifyStatus::Mismatch, "{d:#?}");
    let files: Vec<_> = d
        .files
        .iter()
        .map(|c| (c.change, c.name.as_str()))
        .collect();
    assert_eq!(
        files,
        [
            (Change::Modified, "alpha.go"),
            (Change::Missing, "sub/deep.go"),
            (Change::Added, "sub/evil.go"),
            // Created by the attacker with the default umask, not read-only like go's files.
            (Change::Writable, "sub/evil.go"),
        ]
    );
    // Only that tree: its zip and the other modules are clean.
    assert_eq!(
        r.items
            .iter()
            .filter(|i| i.status != VerifyStatus::Verified)
            .count(),
        1
    );
    let (ok, text) = f.go_mod_verify();
    assert!(!ok, "{text}");
    assert!(
        text.contains("example.com/alpha v1.0.0: dir has been modified"),
        "{text}"
    );
}

#[test]
fn tampered_zip_is_named_and_go_agrees() {
    let f = Fixture::new(&standard());
    let zip = f.vdir("example.com/Upper/Beta").join("v1.2.0-!r!c1.zip");
    let mut b = fs::read(&zip).unwrap();
    // A byte inside the first entry's compressed data (after the 30-byte local header and
    // the name).
    let name_len = u16::from_le_bytes([b[26], b[27]]) as usize;
    b[30 + name_len + 2] ^= 0xff;
    fs::write(&zip, &b).unwrap();

    let r = f.verify(false);
    let z = item(&r, ItemKind::Zip, "example.com/Upper/Beta");
    assert_eq!(z.status, VerifyStatus::Mismatch, "{z:#?}");
    assert!(
        z.message.starts_with("zip has been modified"),
        "{}",
        z.message
    );
    assert!(r.failed());
    let (ok, text) = f.go_mod_verify();
    assert!(!ok, "{text}");
    assert!(
        text.contains("example.com/Upper/Beta v1.2.0-RC1: "),
        "{text}"
    );
}

#[test]
fn replaced_zip_with_valid_content_and_ziphash_only_change() {
    let f = Fixture::new(&standard());
    let v = f.vdir("example.com/gamma/v2");
    // A well-formed zip with other content: only the hash comparison can tell.
    let other = fs::File::create(v.join("v2.0.1.zip")).unwrap();
    let gomod = b"module example.com/gamma/v2\n\ngo 1.21\n";
    modzip::create(
        other,
        "example.com/gamma/v2",
        "v2.0.1",
        &[
            SourceFile::bytes("go.mod", gomod),
            SourceFile::bytes("g.go", b"package gamma // evil\n"),
        ],
    )
    .unwrap();
    let r = f.verify(true);
    let z = item(&r, ItemKind::Zip, "example.com/gamma/v2");
    assert_eq!(z.status, VerifyStatus::Mismatch);
    let outcomes: Vec<_> = z.checks.iter().map(|c| (c.against, c.outcome)).collect();
    assert_eq!(
        outcomes,
        [
            (Reference::Ziphash, Outcome::Mismatch),
            (Reference::GoSum, Outcome::Mismatch),
            (Reference::Sumdb, Outcome::NotConsulted)
        ]
    );
    let (ok, text) = f.go_mod_verify();
    assert!(!ok);
    assert!(
        text.contains("example.com/gamma/v2 v2.0.1: zip has been modified"),
        "{text}"
    );

    // Now the .ziphash alone: the zip of alpha still matches go.sum.
    fs::write(
        f.vdir("example.com/alpha").join("v1.0.0.ziphash"),
        "h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    )
    .unwrap();
    let r = f.verify(true);
    let z = item(&r, ItemKind::Zip, "example.com/alpha");
    assert_eq!(z.status, VerifyStatus::Mismatch);
    assert!(
        z.message.starts_with(".ziphash has been modified"),
        "{}",
        z.message
    );
}

#[test]
fn tampered_mod_is_named_with_its_go_sum_line() {
    let f = Fixture::new(&standard());
    let m = f.vdir("example.com/alpha").join("v1.0.0.mod");
    chmod(&m, 0o644);
    let mut b = fs::read(&m).unwrap();
    let last = b.len() - 2;
    b[last] ^= 1;
    fs::write(&m, &b).unwrap();
    let r = f.verify(true);
    let i = item(&r, ItemKind::Mod, "example.com/alpha");
    assert_eq!(i.status, VerifyStatus::Mismatch);
    let loc = i.go_sum_location().unwrap();
    let sum = fs::read_to_string(f.proj().join("go.sum")).unwrap();
    let line = sum.lines().nth(loc.line.unwrap() as usize - 1).unwrap();
    assert!(
        line.starts_with("example.com/alpha v1.0.0/go.mod h1:"),
        "{line}"
    );
    assert_eq!(r.to_report().findings()[0].location(), Some(loc));
    // Without --project there is no go.sum to compare with: the .mod cannot be judged.
    let r = f.verify(false);
    assert_eq!(
        item(&r, ItemKind::Mod, "example.com/alpha").status,
        VerifyStatus::Unverified
    );
    // go notices it while loading the module graph.
    let (ok, text) = f.go_mod_verify();
    assert!(!ok);
    assert!(text.contains("example.com/alpha@v1.0.0/go.mod"), "{text}");
    assert!(text.contains("checksum mismatch"), "{text}");
}

#[test]
fn missing_ziphash_is_reported_like_go() {
    let f = Fixture::new(&standard());
    fs::remove_file(f.vdir("example.com/alpha").join("v1.0.0.ziphash")).unwrap();
    let r = f.verify(false);
    assert_eq!(
        item(&r, ItemKind::Zip, "example.com/alpha").status,
        VerifyStatus::Missing
    );
    assert_eq!(
        item(&r, ItemKind::Dir, "example.com/alpha").status,
        VerifyStatus::Missing
    );
    assert!(r.failed());
    let (ok, text) = f.go_mod_verify();
    assert!(!ok);
    assert!(
        text.contains("example.com/alpha v1.0.0: missing ziphash"),
        "{text}"
    );
}

#[test]
fn leftovers_and_writable_trees() {
    let f = Fixture::new(&standard());
    let v = f.vdir("example.com/alpha");
    // go keeps V.lock after a successful download: not a leftover.
    assert!(v.join("v1.0.0.lock").exists());
    fs::write(v.join("v1.0.0.zip123456.tmp"), "partial").unwrap();
    fs::write(v.join("v9.9.9.lock"), "").unwrap();
    let g = f.vdir("example.com/gamma/v2");
    fs::write(g.join("v2.0.1.partial"), "").unwrap();
    let t = f.tree("example.com/Upper/Beta", "v1.2.0-RC1");
    chmod(&t.join("beta.go"), 0o644);

    let r = f.verify(false);
    assert!(!r.failed(), "{:#?}", statuses(&r));
    let left: Vec<_> = r
        .items
        .iter()
        .filter(|i| i.status == VerifyStatus::Leftover)
        .map(|i| {
            i.path
                .as_ref()
                .unwrap()
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    let mut left = left;
    left.sort();
    assert_eq!(
        left,
        ["v1.0.0.zip123456.tmp", "v2.0.1.partial", "v9.9.9.lock"]
    );
    // The interrupted extraction's tree is not judged (go re-extracts it).
    assert!(
        !r.items
            .iter()
            .any(|i| i.kind == ItemKind::Dir && i.module.as_deref() == Some("example.com/gamma/v2"))
    );
    let w = item(&r, ItemKind::Dir, "example.com/Upper/Beta");
    assert_eq!(w.status, VerifyStatus::Writable);
    assert_eq!(w.files.len(), 1);
    assert_eq!(
        (w.files[0].change, w.files[0].name.as_str()),
        (Change::Writable, "beta.go")
    );
    let rules: Vec<_> = r.to_report().findings().iter().map(|f| f.rule.id).collect();
    // No go.sum and no database: nothing was verified, which is a finding of its own.
    assert_eq!(
        rules,
        [
            "verify/nothing-verified",
            "verify/writable",
            "verify/leftover",
            "verify/leftover",
            "verify/leftover"
        ]
    );

    // -modcacherw: writable trees are what the user asked for.
    let mut opts = CacheOptions::new(f.modcache());
    opts.modcacherw = true;
    let r = verify_cache(&opts, &NoProgress).unwrap();
    assert_eq!(
        item(&r, ItemKind::Dir, "example.com/Upper/Beta").status,
        VerifyStatus::Unverified
    );
}

#[test]
fn project_limits_the_check_and_lists_uncached_modules() {
    let f = Fixture::new(&standard());
    // Another module in the cache that the project does not use is out of scope.
    let sum = f.proj().join("go.sum");
    let mut s = fs::read_to_string(&sum).unwrap();
    s.push_str(
        "example.com/notdownloaded v1.0.0/go.mod h1:G7mAYYxgmS0lVkHyy2hEOLQCFB0DlQFTMLWggykrydZ=\n",
    );
    fs::write(&sum, s).unwrap();
    let gomod = f.proj().join("go.mod");
    let g = fs::read_to_string(&gomod)
        .unwrap()
        .replace("\texample.com/gamma/v2 v2.0.1\n", "");
    fs::write(&gomod, g).unwrap();
    // Remove gamma's go.sum lines too: it is no longer part of the project.
    let s = fs::read_to_string(&sum).unwrap();
    let s: String = s
        .lines()
        .filter(|l| !l.starts_with("example.com/gamma/v2 "))
        .map(|l| format!("{l}\n"))
        .collect();
    fs::write(&sum, s).unwrap();

    let r = f.verify(true);
    assert!(
        !r.items
            .iter()
            .any(|i| i.module.as_deref() == Some("example.com/gamma/v2"))
    );
    let n = item(&r, ItemKind::Module, "example.com/notdownloaded");
    assert_eq!(n.status, VerifyStatus::NotCached);
    assert!(!r.failed());
    assert_eq!(r.items.len(), 7, "{:#?}", statuses(&r));
}

#[test]
fn private_paths_are_never_sent_and_say_so() {
    let f = Fixture::new(&standard());
    let mut opts = CacheOptions::new(f.modcache());
    opts.database = Database::Unavailable;
    opts.gonosumdb = "example.com/upper".to_owned();
    let r = verify_cache(&opts, &NoProgress).unwrap();
    let note = |m: &str| {
        item(&r, ItemKind::Zip, m)
            .checks
            .iter()
            .find(|c| c.against == Reference::Sumdb)
            .unwrap()
            .note
            .clone()
            .unwrap()
    };
    // GONOSUMDB patterns match case-insensitively? No: Go matches them as written; the
    // path is example.com/Upper/Beta, so "example.com/upper" does not match.
    assert_eq!(
        note("example.com/Upper/Beta"),
        "no checksum-database client"
    );
    let mut opts = opts.clone();
    opts.gonosumdb = "example.com/Upper".to_owned();
    let r = verify_cache(&opts, &NoProgress).unwrap();
    let z = item(&r, ItemKind::Zip, "example.com/Upper/Beta");
    let n = z
        .checks
        .iter()
        .find(|c| c.against == Reference::Sumdb)
        .unwrap();
    assert!(
        n.note.as_deref().unwrap().starts_with("private path"),
        "{n:?}"
    );
}

#[test]
fn symlink_in_tree_is_named_not_followed() {
    let f = Fixture::new(&standard());
    let t = f.tree("example.com/gamma/v2", "v2.0.1");
    chmod(&t, 0o755);
    std::os::unix::fs::symlink("/etc/passwd", t.join("link.go")).unwrap();
    chmod(&t, 0o555);
    let r = f.verify(false);
    let d = item(&r, ItemKind::Dir, "example.com/gamma/v2");
    assert_eq!(d.status, VerifyStatus::Mismatch);
    assert!(
        d.files
            .iter()
            .any(|c| c.change == Change::NotRegular && c.name == "link.go"),
        "{d:#?}"
    );
}

/// Memory stays flat on a 400 MiB module zip (inflating to 400 MiB of zeros, 400 KiB on
/// disk): the parent builds the cache, a child process (this test binary, running only
/// [`large_zip_child`]) verifies it, so the child's peak RSS is the verification's alone.
#[test]
fn large_zip_memory_is_flat() {
    const SIZE: u64 = 400 << 20;
    let root = Root::new();
    let src = root.path().join("big.bin");
    // A sparse file: zeros without writing them.
    fs::File::create(&src).unwrap().set_len(SIZE).unwrap();
    let v = root.path().join("mod/cache/download/example.com/big/@v");
    fs::create_dir_all(&v).unwrap();
    let zip = fs::File::create(v.join("v1.0.0.zip")).unwrap();
    let files = [
        SourceFile::bytes("go.mod", b"module example.com/big\n"),
        SourceFile {
            path: b"big.bin".to_vec(),
            kind: modzip::FileKind::Regular,
            size: SIZE,
            content: modzip::Content::Path(src.clone()),
        },
    ];
    modzip::create(
        std::io::BufWriter::new(zip),
        "example.com/big",
        "v1.0.0",
        &files,
    )
    .unwrap();
    fs::remove_file(&src).unwrap();
    let zip_len = fs::metadata(v.join("v1.0.0.zip")).unwrap().len();
    assert!(zip_len < SIZE / 100, "zip is {zip_len} bytes");
    // The ziphash from gomod's reference implementation.
    let h = gomod::dirhash::hash_zip(&mut fs::File::open(v.join("v1.0.0.zip")).unwrap()).unwrap();
    fs::write(v.join("v1.0.0.ziphash"), &h).unwrap();

    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "verify_cache::large_zip_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, root.path().join("mod"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains(&format!("large zip verified: {h}")), "{text}");
}

/// Peak resident memory of this process (Linux `VmHWM`), in KiB.
fn peak_rss_kib() -> u64 {
    let s = fs::read_to_string("/proc/self/status").unwrap();
    let line = s.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

const CHILD_ENV: &str = "GOTRUST_VCACHE_LARGE_CHILD";

/// The body of [`large_zip_memory_is_flat`]'s child; does nothing unless run as that child.
#[test]
fn large_zip_child() {
    let Some(modcache) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let before = peak_rss_kib();
    let r = verify_cache(&CacheOptions::new(PathBuf::from(modcache)), &NoProgress).unwrap();
    let after = peak_rss_kib();
    let z = item(&r, ItemKind::Zip, "example.com/big");
    assert_eq!(z.status, VerifyStatus::Unverified, "{z:#?}");
    // 400 MiB inflated; the peak may grow by buffers only.
    assert!(
        after.saturating_sub(before) < 32 * 1024,
        "peak RSS grew from {before} KiB to {after} KiB"
    );
    println!(
        "large zip verified: {} (peak RSS {before} KiB -> {after} KiB)",
        z.hash.as_deref().unwrap()
    );
}

/// A database that answers from go's own go.sum lines, with one line altered.
struct FakeDb {
    lines: Vec<String>,
    asked: std::sync::Mutex<Vec<String>>,
}

impl gotrust::verify::cache::DatabaseLookup for FakeDb {
    fn lookup(
        &self,
        path: &str,
        version: &str,
    ) -> Result<Vec<String>, gotrust::verify::cache::LookupFailure> {
        self.asked.lock().unwrap().push(format!("{path}@{version}"));
        Ok(self
            .lines
            .iter()
            .filter(|l| l.starts_with(&format!("{path} {version}")))
            .cloned()
            .collect())
    }
}

#[test]
fn database_answers_are_compared_and_private_paths_never_asked() {
    let f = Fixture::new(&standard());
    let sum = fs::read_to_string(f.proj().join("go.sum")).unwrap();
    // The database disagrees with the cache (and go.sum) about gamma's zip.
    let lines: Vec<String> = sum
        .lines()
        .map(|l| {
            if l.starts_with("example.com/gamma/v2 v2.0.1 h1:") {
                "example.com/gamma/v2 v2.0.1 h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
                    .to_owned()
            } else {
                l.to_owned()
            }
        })
        .collect();
    let db = FakeDb {
        lines,
        asked: Default::default(),
    };
    let mut opts = CacheOptions::new(f.modcache());
    opts.database = Database::Lookup(&db);
    opts.gonosumdb = "example.com/alpha".to_owned();
    let r = verify_cache(&opts, &NoProgress).unwrap();
    let outcome = |kind, m: &str| {
        item(&r, kind, m)
            .checks
            .iter()
            .find(|c| c.against == Reference::Sumdb)
            .unwrap()
            .outcome
    };
    assert_eq!(
        outcome(ItemKind::Zip, "example.com/Upper/Beta"),
        Outcome::Match
    );
    assert_eq!(
        outcome(ItemKind::Mod, "example.com/Upper/Beta"),
        Outcome::Match
    );
    assert_eq!(
        outcome(ItemKind::Zip, "example.com/gamma/v2"),
        Outcome::Mismatch
    );
    assert_eq!(
        outcome(ItemKind::Mod, "example.com/gamma/v2"),
        Outcome::Match
    );
    assert_eq!(
        outcome(ItemKind::Zip, "example.com/alpha"),
        Outcome::NotConsulted
    );
    assert_eq!(
        item(&r, ItemKind::Zip, "example.com/gamma/v2").status,
        VerifyStatus::Mismatch
    );
    assert!(r.failed());
    let asked = db.asked.lock().unwrap();
    assert!(
        asked.iter().all(|a| !a.starts_with("example.com/alpha")),
        "{asked:?}"
    );
    assert!(!asked.is_empty());
}

// ---- The checksum database, for real: a lab database, a cache filled by the real go. ----

mod lab {
    use std::collections::BTreeSet;
    use std::path::{Path, PathBuf};
    use std::sync::Arc;
    use std::time::Duration;

    use gotrust::verify::cache::{
        CacheOptions, Database, DatabaseAnswers, NoProgress, module_versions, verify_cache,
    };
    use gotrust::verify::sums::Database as SumsDatabase;
    use gotrust::verify::{ItemKind, Outcome, Reference, Results, VerifyStatus};
    use gotrust_lab::{Fault, FaultKind, RunningLab};

    use super::{Root, item};

    /// Runs the real go with the lab as GOPROXY and GOSUMDB (plus `extra` variables) in
    /// `root/proj`, off the async workers so the lab keeps serving.
    async fn go(root: &Path, lab: &RunningLab, extra: &[(&str, &str)], args: &[&str]) {
        let extra = extra.iter().map(|(k, v)| (k.to_string(), v.to_string()));
        let env: Vec<(String, String)> = lab.go_env().into_iter().chain(extra).collect();
        testkit::lab::go(root, &root.join("proj"), env, args)
            .await
            .success(args);
    }

    fn modcache(root: &Path) -> PathBuf {
        root.join("gopath/pkg/mod")
    }

    async fn database(lab: &RunningLab, state: &Path, nosumdb: &str) -> Arc<SumsDatabase> {
        let http = crate::harness::http(Duration::from_secs(10));
        crate::harness::lab_database(lab, http, &state.join(lab.sumdb_name()), nosumdb).await
    }

    /// Verifies `root`'s cache within its project, with the lab database unless `offline`.
    async fn verify(lab: &RunningLab, root: &Path, nosumdb: &str, online: bool) -> Results {
        let state = tempfile::tempdir().unwrap();
        let mut opts = CacheOptions::new(modcache(root));
        opts.project = Some(root.join("proj"));
        opts.gonosumdb = nosumdb.to_owned();
        let versions: BTreeSet<(String, String)> = module_versions(&opts).unwrap();
        let answers = if online {
            let db = database(lab, state.path(), nosumdb).await;
            DatabaseAnswers::fetch(&db, &versions, 8).await
        } else {
            DatabaseAnswers::default()
        };
        if online {
            opts.database = Database::Lookup(&answers);
        }
        let r = verify_cache(&opts, &NoProgress).unwrap();
        drop(answers);
        r
    }

    fn sumdb(r: &Results, kind: ItemKind, m: &str) -> Outcome {
        item(r, kind, m)
            .checks
            .iter()
            .find(|c| c.against == Reference::Sumdb)
            .unwrap()
            .outcome
    }

    const MODS: &[&str] = &["example.com/simple@v1.0.0", "example.com/withinfo@v1.0.0"];

    /// go fetched both modules through the lab and verified them against its database;
    /// gotrust finds every zip and go.mod in the database, proven, and the private path is
    /// never asked for.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_cache_filled_by_go_matches_the_database() {
        let (state, root) = (tempfile::tempdir().unwrap(), Root::new());
        let lab = testkit::lab::start(state.path(), false, vec![]).await;
        go(root.path(), &lab, &[], &["mod", "init", "example.com/p"]).await;
        let mut get = vec!["get"];
        get.extend(MODS);
        go(root.path(), &lab, &[], &get).await;
        let before = lab.request_log().len();
        let r = verify(&lab, root.path(), "example.com/withinfo", true).await;
        assert!(!r.failed(), "{r:#?}");
        for k in [ItemKind::Zip, ItemKind::Mod] {
            assert_eq!(sumdb(&r, k, "example.com/simple"), Outcome::Match);
            assert_eq!(sumdb(&r, k, "example.com/withinfo"), Outcome::NotConsulted);
        }
        let asked: Vec<String> = lab.request_log()[before..]
            .iter()
            .filter(|e| e.path.contains("/lookup/"))
            .map(|e| e.path.clone())
            .collect();
        assert!(
            asked.iter().any(|p| p.contains("example.com/simple@")),
            "{asked:?}"
        );
        assert!(asked.iter().all(|p| !p.contains("withinfo")), "{asked:?}");
        assert!(
            r.notes
                .iter()
                .any(|n| n.contains("checksum database consulted")),
            "{:?}",
            r.notes
        );
    }

    /// The proxy served a tampered zip while GOSUMDB was off: go wrote a consistent zip,
    /// .ziphash and go.sum, so `.ziphash` and go.sum both agree with the cache and only the
    /// database shows the change. Its go.mod is untouched and matches the database.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_consistently_replaced_zip_is_caught_only_by_the_database() {
        let (state, root) = (tempfile::tempdir().unwrap(), Root::new());
        let lab = testkit::lab::start(
            state.path(),
            false,
            vec![Fault::new(FaultKind::TamperZip).module("example.com/simple")],
        )
        .await;
        let off = [("GOSUMDB", "off")];
        go(root.path(), &lab, &off, &["mod", "init", "example.com/p"]).await;
        let mut get = vec!["get"];
        get.extend(MODS);
        go(root.path(), &lab, &off, &get).await;

        // Without the database the cache is consistent with itself and with go.sum.
        let r = verify(&lab, root.path(), "", false).await;
        assert!(!r.failed(), "{r:#?}");

        let r = verify(&lab, root.path(), "", true).await;
        let zip = item(&r, ItemKind::Zip, "example.com/simple");
        assert_eq!(zip.status, VerifyStatus::Mismatch, "{zip:#?}");
        assert!(zip.message.contains("checksum database"), "{}", zip.message);
        let outcome = |against| {
            zip.checks
                .iter()
                .find(|c| c.against == against)
                .unwrap()
                .outcome
        };
        assert_eq!(outcome(Reference::Ziphash), Outcome::Match);
        assert_eq!(outcome(Reference::GoSum), Outcome::Match);
        assert_eq!(outcome(Reference::Sumdb), Outcome::Mismatch);
        let db_hash = zip
            .checks
            .iter()
            .find(|c| c.against == Reference::Sumdb)
            .and_then(|c| c.expected.clone())
            .unwrap();
        let lab_line = lab.go_sum_lines("example.com/simple", "v1.0.0").unwrap();
        assert!(lab_line.contains(&db_hash), "{lab_line} vs {db_hash}");
        assert_eq!(
            item(&r, ItemKind::Mod, "example.com/simple").status,
            VerifyStatus::Verified
        );
        assert_eq!(
            sumdb(&r, ItemKind::Mod, "example.com/simple"),
            Outcome::Match
        );
        assert_eq!(
            item(&r, ItemKind::Zip, "example.com/withinfo").status,
            VerifyStatus::Verified
        );
        assert!(r.failed());
        // Exactly one item fails.
        assert_eq!(r.items.iter().filter(|i| i.status.is_failure()).count(), 1);
    }

    /// A database whose signed heads do not verify gives no verdict: the items are errors,
    /// not silently verified.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_database_answer_that_does_not_verify_fails_the_item() {
        let (state, root) = (tempfile::tempdir().unwrap(), Root::new());
        let lab = testkit::lab::start(state.path(), false, vec![]).await;
        go(root.path(), &lab, &[], &["mod", "init", "example.com/p"]).await;
        go(root.path(), &lab, &[], &["get", MODS[0]]).await;
        // Same modules, now served by a lab whose notes are signed by a stranger.
        let state2 = tempfile::tempdir().unwrap();
        let bad = testkit::lab::start(
            state2.path(),
            false,
            vec![Fault::new(FaultKind::ForeignSignature)],
        )
        .await;
        let r = verify(&bad, root.path(), "", true).await;
        let zip = item(&r, ItemKind::Zip, "example.com/simple");
        assert_eq!(zip.status, VerifyStatus::Error, "{zip:#?}");
        let c = zip
            .checks
            .iter()
            .find(|c| c.against == Reference::Sumdb)
            .unwrap();
        assert_eq!(c.outcome, Outcome::NotConsulted);
        assert!(
            c.note.as_deref().unwrap().contains("did not verify"),
            "{:?}",
            c.note
        );
        assert!(r.failed());
    }
}

/// One change at a time to a tree whose zip is in the cache: the one-pass comparison with the
/// zip must never take a changed tree for the zip's (a longer file, a shorter one, a file
/// renamed with its content, an added or a removed file, an empty file), and go agrees.
#[test]
fn single_tree_changes_are_never_taken_for_the_zip() {
    type Tamper = fn(&Path);
    type Want = &'static [(Change, &'static str)];
    let cases: [(&str, Tamper, Want); 6] = [
        (
            "appended byte",
            |t| {
                let mut b = fs::read(t.join("alpha.go")).unwrap();
                b.push(b'\n');
                fs::write(t.join("alpha.go"), b).unwrap();
            },
            &[(Change::Modified, "alpha.go")],
        ),
        (
            "truncated",
            |t| {
                let b = fs::read(t.join("alpha.go")).unwrap();
                fs::write(t.join("alpha.go"), &b[..b.len() - 1]).unwrap();
            },
            &[(Change::Modified, "alpha.go")],
        ),
        (
            "emptied",
            |t| fs::write(t.join("sub/deep.go"), "").unwrap(),
            &[(Change::Modified, "sub/deep.go")],
        ),
        (
            "renamed",
            |t| fs::rename(t.join("sub/deep.go"), t.join("sub/deeq.go")).unwrap(),
            &[
                (Change::Missing, "sub/deep.go"),
                (Change::Added, "sub/deeq.go"),
            ],
        ),
        (
            "added",
            |t| fs::write(t.join("zzz.go"), "package alpha\n").unwrap(),
            &[(Change::Added, "zzz.go")],
        ),
        (
            "removed",
            |t| fs::remove_file(t.join("sub/deep.go")).unwrap(),
            &[(Change::Missing, "sub/deep.go")],
        ),
    ];
    for (what, tamper, want) in cases {
        let f = Fixture::new(&standard());
        let t = f.tree("example.com/alpha", "v1.0.0");
        make_writable(&t);
        tamper(&t);
        // Back to go's read-only modes, so that only the change itself is reported.
        let mut stack = vec![t.clone()];
        while let Some(d) = stack.pop() {
            for e in fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p.clone());
                    chmod(&p, 0o555);
                } else {
                    chmod(&p, 0o444);
                }
            }
        }
        chmod(&t, 0o555);

        let r = f.verify(true);
        let d = item(&r, ItemKind::Dir, "example.com/alpha");
        assert_eq!(d.status, VerifyStatus::Mismatch, "{what}: {d:#?}");
        let files: Vec<_> = d
            .files
            .iter()
            .map(|c| (c.change, c.name.as_str()))
            .collect();
        assert_eq!(files, want, "{what}");
        let z = item(&r, ItemKind::Zip, "example.com/alpha");
        assert_eq!(z.status, VerifyStatus::Verified, "{what}: {z:#?}");
        let (ok, text) = f.go_mod_verify();
        assert!(!ok, "{what}: {text}");
        assert!(
            text.contains("example.com/alpha v1.0.0: dir has been modified"),
            "{what}: {text}"
        );
    }
}

#[cfg(unix)]
#[test]
fn file_system_is_not_trusted() {
    use gotrust::verify::cache::CacheError;
    let f = Fixture::new(&standard());
    let vdir = f.vdir("example.com/alpha");
    // A .mod replaced by a link to a system file: named, never followed.
    let secret = tempfile::NamedTempFile::new().unwrap();
    fs::write(secret.path(), "root:x:0:0\n").unwrap();
    fs::remove_file(vdir.join("v1.0.0.mod")).unwrap();
    std::os::unix::fs::symlink(secret.path(), vdir.join("v1.0.0.mod")).unwrap();
    // A FIFO named like a zip: opening it would block forever.
    let fifo = vdir.join("v9.9.9.zip");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    // A .ziphash full of garbage is not "missing".
    let beta = f.vdir("example.com/Upper/Beta");
    let zh = fs::read_dir(&beta)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "ziphash"))
        .unwrap();
    fs::write(&zh, b"\xff\xfe garbage \x1b]0;t\x07").unwrap();

    let r = f.verify(false);
    let by_path = |p: &std::path::Path| {
        r.items
            .iter()
            .find(|i| i.path.as_deref() == Some(p))
            .unwrap_or_else(|| panic!("{} not reported: {:#?}", p.display(), statuses(&r)))
    };
    let link = by_path(&vdir.join("v1.0.0.mod"));
    assert_eq!(link.status, VerifyStatus::Error);
    assert!(link.message.contains("symbolic link"), "{}", link.message);
    let special = by_path(&fifo);
    assert_eq!(special.status, VerifyStatus::Error);
    assert!(
        special.message.contains("not a regular file"),
        "{}",
        special.message
    );
    let garbage = r
        .items
        .iter()
        .find(|i| i.message.contains("undecodable .ziphash"))
        .unwrap_or_else(|| panic!("{:#?}", statuses(&r)));
    assert_eq!(garbage.status, VerifyStatus::Error);
    assert!(!garbage.message.contains('\x1b'), "{}", garbage.message);
    assert!(
        !r.items.iter().any(|i| i.status == VerifyStatus::Missing
            && i.module.as_deref() == Some("example.com/Upper/Beta")),
        "{:#?}",
        statuses(&r)
    );

    // Not a module cache at all.
    for dir in [tempfile::tempdir().unwrap().keep(), PathBuf::from("/etc")] {
        let e = verify_cache(&CacheOptions::new(dir.clone()), &NoProgress).unwrap_err();
        assert!(matches!(e, CacheError::NotAModuleCache(_)), "{e}");
        assert!(e.to_string().contains("is not a Go module cache"), "{e}");
    }
}
