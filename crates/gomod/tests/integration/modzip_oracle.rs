//! Module zip checks against golang.org/x/mod/zip: adversarial zips (the
//! committed fixtures, named after the attack they simulate, plus random
//! mutations) get the same verdict from gotrust's `check_zip` as from
//! `zip.CheckZip`, the same `h1:` (or failure) as `dirhash.HashZip`, and
//! `check_and_hash_zip` succeeds exactly when CheckZip, HashZip and Unzip do.

use std::fs;
use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::write::DeflateEncoder;
use gomod::dirhash;
use gomod::modzip::{self, ZipError};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;

const MOD: &str = "example.com/m";
const VER: &str = "v1.0.0";
const P: &str = "example.com/m@v1.0.0/";

/// One entry of a hand-made zip; fields override what an honest writer records.
#[derive(Clone)]
struct RawEntry {
    name: Vec<u8>,
    data: Vec<u8>,
    deflate: bool,
    declared: Option<u64>,
    crc: Option<u32>,
    method: Option<u16>,
    descriptor: bool,
    descriptor_crc: Option<u32>,
    truncate_compressed: usize,
}

fn entry(name: impl AsRef<[u8]>, data: impl AsRef<[u8]>) -> RawEntry {
    RawEntry {
        name: name.as_ref().to_vec(),
        data: data.as_ref().to_vec(),
        deflate: true,
        declared: None,
        crc: None,
        method: None,
        descriptor: false,
        descriptor_crc: None,
        truncate_compressed: 0,
    }
}

fn crc32(data: &[u8]) -> u32 {
    let mut c = flate2::Crc::new();
    c.update(data);
    c.sum()
}

/// Writes a zip byte for byte, with no sanity checks: the point is to lie.
fn raw_zip(entries: &[RawEntry], junk_prefix: &[u8]) -> Vec<u8> {
    let mut out = junk_prefix.to_vec();
    let mut central = Vec::new();
    for e in entries {
        let offset = (out.len() - junk_prefix.len()) as u32;
        let mut body = if e.deflate {
            let mut enc = DeflateEncoder::new(Vec::new(), Compression::default());
            enc.write_all(&e.data).unwrap();
            enc.finish().unwrap()
        } else {
            e.data.clone()
        };
        body.truncate(body.len() - e.truncate_compressed.min(body.len()));
        let method = e.method.unwrap_or(if e.deflate { 8 } else { 0 });
        let crc = e.crc.unwrap_or_else(|| crc32(&e.data));
        let usize_ = e.declared.unwrap_or(e.data.len() as u64) as u32;
        let flags: u16 = 0x800 | if e.descriptor { 0x8 } else { 0 };
        let common = |v: &mut Vec<u8>| {
            v.extend_from_slice(&20u16.to_le_bytes());
            v.extend_from_slice(&flags.to_le_bytes());
            v.extend_from_slice(&method.to_le_bytes());
            v.extend_from_slice(&0u16.to_le_bytes());
            v.extend_from_slice(&0x21u16.to_le_bytes());
            v.extend_from_slice(&crc.to_le_bytes());
            v.extend_from_slice(&(body.len() as u32).to_le_bytes());
            v.extend_from_slice(&usize_.to_le_bytes());
            v.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
            v.extend_from_slice(&0u16.to_le_bytes());
        };
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        common(&mut out);
        out.extend_from_slice(&e.name);
        out.extend_from_slice(&body);
        if e.descriptor {
            out.extend_from_slice(&0x0807_4b50u32.to_le_bytes());
            out.extend_from_slice(&e.descriptor_crc.unwrap_or(crc).to_le_bytes());
            out.extend_from_slice(&(body.len() as u32).to_le_bytes());
            out.extend_from_slice(&usize_.to_le_bytes());
        }
        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&20u16.to_le_bytes());
        common(&mut central);
        // comment length, disk number, internal attributes
        central.extend_from_slice(&[0u8; 6]);
        let ext: u32 = if e.name.ends_with(b"/") { 0x10 } else { 0 };
        central.extend_from_slice(&ext.to_le_bytes());
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(&e.name);
    }
    let cd_offset = (out.len() - junk_prefix.len()) as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0u8; 4]);
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

fn p(name: &str) -> String {
    format!("{P}{name}")
}

/// A zip written by the `zip` crate with zip64 extra fields on every entry.
fn zip64_zip() -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .last_modified_time(zip::DateTime::default())
        .large_file(true);
    for (n, d) in [
        ("go.mod", "module example.com/m\n"),
        ("m.go", "package m\n"),
    ] {
        w.start_file(p(n), opts).unwrap();
        w.write_all(d.as_bytes()).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// The committed fixtures: file name (the attack) and how to build it.
fn fixtures() -> Vec<(&'static str, Vec<u8>)> {
    let gomod = entry(p("go.mod"), "module example.com/m\n");
    let with = |mut v: Vec<RawEntry>| {
        v.insert(0, gomod.clone());
        raw_zip(&v, b"")
    };
    let mut bomb = entry(p("bomb.txt"), vec![0u8; 1 << 20]);
    bomb.declared = Some(10);
    let mut bomb_crc_ok = bomb.clone();
    bomb_crc_ok.crc = None;
    let huge = |n: &str| {
        let mut e = entry(p(n), "x");
        e.declared = Some(200 << 20);
        e
    };
    let mut crc = entry(p("a.go"), "package a\n");
    crc.crc = Some(0xdead_beef);
    let mut method = entry(p("a.go"), "package a\n");
    method.method = Some(12);
    let mut dd_crc = entry(p("a.go"), "package a\n");
    dd_crc.descriptor = true;
    dd_crc.descriptor_crc = Some(1);
    let mut dd_ok = entry(p("a.go"), "package a\n");
    dd_ok.descriptor = true;
    let mut trunc = entry(p("a.go"), "package a\n".repeat(100));
    trunc.truncate_compressed = 3;
    let mut short = entry(p("a.go"), "package a\n");
    short.declared = Some(100);
    let mut dir_data = entry(p("d/"), "");
    dir_data.declared = Some(5);
    let mut big_gomod = entry(p("go.mod"), vec![b' '; (16 << 20) + 1]);
    big_gomod.deflate = true;
    let big_license = entry(p("LICENSE"), vec![b' '; (16 << 20) + 1]);
    let max_license = entry(p("LICENSE"), vec![b' '; 16 << 20]);
    vec![
        (
            "valid-basic.zip",
            with(vec![
                entry(p("m.go"), "package m\n"),
                entry(p("LICENSE"), "MIT\n"),
            ]),
        ),
        ("valid-empty.zip", raw_zip(&[], b"")),
        ("valid-zip64-extra-fields.zip", zip64_zip()),
        ("valid-data-descriptor.zip", with(vec![dd_ok])),
        (
            "valid-prefix-directory-entries.zip",
            with(vec![
                entry(P, ""),
                entry(p("sub/"), ""),
                entry(p("sub/x.go"), "package sub\n"),
            ]),
        ),
        ("valid-license-at-limit.zip", with(vec![max_license])),
        (
            "valid-junk-before-zip.zip",
            raw_zip(
                std::slice::from_ref(&gomod),
                b"MZ junk prepended to the archive",
            ),
        ),
        (
            "zip-slip-dotdot.zip",
            with(vec![entry(
                p("../../../../etc/cron.d/evil"),
                "* * * * * root sh\n",
            )]),
        ),
        (
            "zip-slip-dotdot-clean-looking.zip",
            with(vec![entry(p("a/../../evil"), "x")]),
        ),
        (
            "zip-slip-absolute.zip",
            with(vec![entry(
                format!("{P}/etc/passwd"),
                "root::0:0::/:/bin/sh\n",
            )]),
        ),
        (
            "zip-slip-backslash.zip",
            with(vec![entry(p("..\\..\\evil.bat"), "x")]),
        ),
        (
            "missing-prefix.zip",
            with(vec![entry("evil.go", "package evil\n")]),
        ),
        (
            "wrong-version-prefix.zip",
            with(vec![entry("example.com/m@v1.0.1/m.go", "package m\n")]),
        ),
        (
            "other-module-prefix.zip",
            with(vec![entry("example.com/n@v1.0.0/m.go", "package m\n")]),
        ),
        (
            "duplicate-name.zip",
            with(vec![
                entry(p("m.go"), "package m // honest\n"),
                entry(p("m.go"), "package m // evil\n"),
            ]),
        ),
        (
            "duplicate-go-mod.zip",
            with(vec![entry(p("go.mod"), "module example.com/evil\n")]),
        ),
        (
            "case-fold-collision.zip",
            with(vec![entry(p("README"), "a"), entry(p("readme"), "b")]),
        ),
        (
            "case-fold-collision-dir.zip",
            with(vec![entry(p("Dir/a.go"), "a"), entry(p("dir/b.go"), "b")]),
        ),
        (
            "case-fold-collision-kelvin.zip",
            with(vec![entry(p("k.go"), "a"), entry(p("\u{212A}.go"), "b")]),
        ),
        (
            "file-and-directory.zip",
            with(vec![
                entry(p("a"), "file"),
                entry(p("a/b.go"), "package a\n"),
            ]),
        ),
        (
            "file-and-directory-entry.zip",
            with(vec![entry(p("a"), "file"), entry(p("a/"), "")]),
        ),
        (
            "go-mod-not-root.zip",
            with(vec![entry(p("sub/go.mod"), "module example.com/m/sub\n")]),
        ),
        (
            "go-mod-uppercase.zip",
            vec![entry(p("GO.MOD"), "module example.com/m\n")].pipe(|v| raw_zip(&v, b"")),
        ),
        ("go-mod-too-large.zip", raw_zip(&[big_gomod], b"")),
        ("license-too-large.zip", with(vec![big_license])),
        ("bomb-declared-small.zip", with(vec![bomb])),
        (
            "bomb-declared-small-crc-of-prefix.zip",
            with(vec![bomb_crc_ok]),
        ),
        (
            "bomb-declared-total.zip",
            with(vec![huge("a"), huge("b"), huge("c")]),
        ),
        ("declared-larger-than-data.zip", with(vec![short])),
        ("crc-mismatch.zip", with(vec![crc])),
        ("data-descriptor-crc-mismatch.zip", with(vec![dd_crc])),
        ("unsupported-method.zip", with(vec![method])),
        ("truncated-deflate.zip", with(vec![trunc])),
        ("directory-with-data.zip", with(vec![dir_data])),
        (
            "windows-reserved-name.zip",
            with(vec![entry(p("aux.go"), "package m\n")]),
        ),
        ("not-clean-dot.zip", with(vec![entry(p("a/./b.go"), "x")])),
        (
            "not-clean-double-slash.zip",
            with(vec![entry(p("a//b.go"), "x")]),
        ),
        ("trailing-dot.zip", with(vec![entry(p("a./b.go"), "x")])),
        ("invalid-char.zip", with(vec![entry(p("a:b.go"), "x")])),
        (
            "invalid-utf8-name.zip",
            with(vec![entry([P.as_bytes(), b"\xffa.go"].concat(), "x")]),
        ),
        ("newline-in-name.zip", with(vec![entry(p("a\nb.go"), "x")])),
        ("empty-name.zip", with(vec![entry("", "x")])),
        (
            "valid-unicode-names.zip",
            with(vec![entry(p("é/ж/中文.go"), "x"), entry(p("ß.txt"), "y")]),
        ),
        ("not-a-zip.zip", b"this is not a zip file at all".to_vec()),
        (
            "truncated-archive.zip",
            with(vec![entry(p("m.go"), "package m\n")]).pipe(|v| v[..v.len() - 30].to_vec()),
        ),
    ]
}

trait Pipe: Sized {
    fn pipe<T>(self, f: impl FnOnce(Self) -> T) -> T {
        f(self)
    }
}
impl<T> Pipe for T {}

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The committed fixtures are exactly what `fixtures()` builds
/// (set GOTRUST_REGEN_FIXTURES=1 to rewrite them).
#[test]
fn fixtures_are_current() {
    let regen = std::env::var_os("GOTRUST_REGEN_FIXTURES").is_some();
    for (name, bytes) in fixtures() {
        let path = fixture_dir().join(name);
        if regen {
            fs::write(&path, &bytes).unwrap();
        }
        let have = fs::read(&path).unwrap_or_else(|e| panic!("{name}: {e} (regenerate fixtures)"));
        assert!(have == bytes, "{name} differs from its generator");
    }
}

/// Random mutations of valid zips: flipped bytes, random names, sizes and methods.
fn random_zips(n: usize) -> Vec<Vec<u8>> {
    let mut rng = StdRng::seed_from_u64(0x5eed_2026);
    let names = [
        "go.mod",
        "m.go",
        "LICENSE",
        "a/b.go",
        "A/b.go",
        "vendor/x/y.go",
        "sub/go.mod",
        "Go.mod",
        "é.go",
        "x/",
        "a/../b",
        "con.txt",
        "k.go",
        "K.go",
        "\u{212A}.go",
        "ſ.go",
        "S.go",
        "\u{301}.go",
    ];
    let mut out = Vec::new();
    for i in 0..n {
        let count = rng.random_range(0..6);
        let mut entries = Vec::new();
        for _ in 0..count {
            let name = names[rng.random_range(0..names.len())];
            let full = if rng.random_ratio(1, 10) {
                name.to_string()
            } else {
                p(name)
            };
            let size = rng.random_range(0..3000);
            let data: Vec<u8> = (0..size).map(|_| rng.random_range(b'a'..=b'f')).collect();
            let mut e = entry(full, data);
            e.deflate = rng.random_bool(0.7);
            if rng.random_ratio(1, 8) {
                e.declared = Some(rng.random_range(0..4000));
            }
            if rng.random_ratio(1, 10) {
                e.crc = Some(rng.random());
            }
            if rng.random_ratio(1, 10) {
                e.descriptor = true;
            }
            entries.push(e);
        }
        let mut z = raw_zip(&entries, b"");
        if i % 3 == 0 && !z.is_empty() {
            for _ in 0..rng.random_range(1..4) {
                let at = rng.random_range(0..z.len());
                z[at] ^= 1 << rng.random_range(0..8);
            }
        }
        out.push(z);
    }
    out
}

fn first_invalid(v: &Value) -> Option<(String, String)> {
    let inv = v["invalid"].as_array()?;
    let f = inv.first()?;
    Some((
        f["path"].as_str()?.to_string(),
        f["err"].as_str()?.to_string(),
    ))
}

#[test]
fn adversarial_zips_match_xmod() {
    let tmp = tempfile::tempdir().unwrap();
    let mut cases: Vec<(String, Vec<u8>)> = fixtures()
        .into_iter()
        .map(|(n, b)| (n.to_string(), b))
        .collect();
    for (i, z) in random_zips(300).into_iter().enumerate() {
        cases.push((format!("random-{i}.zip"), z));
    }
    let mut req = String::new();
    for (i, (name, bytes)) in cases.iter().enumerate() {
        let path = tmp.path().join(name);
        fs::write(&path, bytes).unwrap();
        req.push_str(&format!(
            "check\t{}\t{MOD}\t{VER}\t{}\n",
            path.display(),
            tmp.path().join(format!("unzip-{i}")).display()
        ));
    }
    let out = testkit::run_oracle("modzip", req.as_bytes());
    let answers: Vec<Value> = out
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).unwrap())
        .collect();
    assert_eq!(answers.len(), cases.len());
    let (mut agree_verdict, mut agree_hash, mut agree_single) = (0, 0, 0);
    let mut failures = Vec::new();
    for ((name, bytes), go) in cases.iter().zip(&answers) {
        let go_ok = go["error"].as_str().is_none();
        if name.starts_with("valid-") {
            assert!(go_ok && go["unzip"] == "ok", "x/mod rejects {name}: {go}");
        }
        let ours = modzip::check_zip(&mut Cursor::new(bytes), MOD, VER);
        // Verdict and offending file.
        let (ours_ok, ours_first, ours_valid) = match &ours {
            Ok(cf) => (true, None, Some(cf.valid.clone())),
            Err(ZipError::InvalidFiles(cf)) => (
                false,
                cf.invalid
                    .first()
                    .map(|e| (e.path.clone(), e.reason.to_string())),
                Some(cf.valid.clone()),
            ),
            Err(ZipError::Size { checked, .. }) => (
                false,
                checked
                    .invalid
                    .first()
                    .map(|e| (e.path.clone(), e.reason.to_string())),
                Some(checked.valid.clone()),
            ),
            Err(_) => (false, None, None),
        };
        let go_first = first_invalid(go);
        let go_valid: Option<Vec<String>> = go["valid"]
            .as_array()
            .map(|a| a.iter().map(|s| s.as_str().unwrap().to_string()).collect());
        let go_valid = if go_valid.as_ref().is_some_and(|v| v.is_empty()) && ours_valid.is_none() {
            None
        } else {
            go_valid
        };
        let ours_valid = if ours_valid.as_ref().is_some_and(|v| v.is_empty()) && go_valid.is_none()
        {
            None
        } else {
            ours_valid
        };
        if ours_ok == go_ok && ours_first == go_first && ours_valid == go_valid {
            agree_verdict += 1;
        } else {
            failures.push(format!("{name}: check: ours ok={ours_ok} first={ours_first:?} valid={ours_valid:?}; go {go}"));
        }
        // h1 as HashZip computes it.
        let ours_h1 = dirhash::hash_zip(&mut Cursor::new(bytes)).ok();
        let go_h1 = go["h1_error"]
            .as_str()
            .is_none()
            .then(|| go["h1"].as_str().unwrap().to_string());
        if ours_h1 == go_h1 {
            agree_hash += 1;
        } else {
            failures.push(format!(
                "{name}: hash: ours {ours_h1:?}, go {go_h1:?} ({})",
                go["h1_error"]
            ));
        }
        // Single pass check + hash accepts exactly what CheckZip + Unzip + HashZip accept.
        let single = modzip::check_and_hash_zip(&mut Cursor::new(bytes), MOD, VER);
        let go_all = go_ok && go["unzip"] == "ok" && go_h1.is_some();
        match (&single, go_all) {
            (Ok((_, h)), true) if Some(h) == go_h1.as_ref() => agree_single += 1,
            (Err(_), false) => agree_single += 1,
            _ => failures.push(format!(
                "{name}: single pass: ours {:?}, go unzip {} h1 {go_h1:?}",
                single.as_ref().map(|r| &r.1),
                go["unzip"]
            )),
        }
    }
    println!(
        "module zips: {} cases; verdict agree {agree_verdict}, h1 agree {agree_hash}, single-pass agree {agree_single}",
        cases.len()
    );
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn fixture_verdicts_are_meaningful() {
    // A few spot checks that do not depend on the oracle: the attack fixtures are rejected.
    for (name, bytes) in fixtures() {
        let r = modzip::check_and_hash_zip(&mut Cursor::new(&bytes), MOD, VER);
        assert_eq!(
            r.is_ok(),
            name.starts_with("valid-"),
            "{name}: {:?}",
            r.err()
        );
    }
    let bytes = fixtures()
        .into_iter()
        .find(|(n, _)| *n == "duplicate-name.zip")
        .unwrap()
        .1;
    match modzip::check_zip(&mut Cursor::new(&bytes), MOD, VER) {
        Err(ZipError::InvalidFiles(cf)) => assert_eq!(
            cf.invalid[0].reason.to_string(),
            "multiple entries for file \"m.go\""
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn rejects_bad_module_versions() {
    let z = raw_zip(&[], b"");
    assert!(matches!(
        modzip::check_zip(&mut Cursor::new(&z), MOD, "v1.0"),
        Err(ZipError::NonCanonicalVersion { .. })
    ));
    assert!(matches!(
        modzip::check_zip(&mut Cursor::new(&z), MOD, "v2.0.0"),
        Err(ZipError::InvalidModule(_))
    ));
    assert!(matches!(
        modzip::check_zip(&mut Cursor::new(&z), "example/m", VER),
        Err(ZipError::InvalidModule(_))
    ));
}

// go.mod parsing decides the module zip vendor rule (`go` ≥ 1.24), so the
// parser is checked here too: gotrust's modfile against x/mod's Parse,
// ParseLax and ParseWork over hand-written, mutated and random files.

fn modfile_json(mode: &str, data: &[u8]) -> Value {
    use gomod::modfile::{self, Replace};
    use serde_json::{Map, json};
    let mut m = Map::new();
    for k in [
        "godebug", "require", "exclude", "replace", "retract", "tool", "ignore", "use",
    ] {
        m.insert(k.into(), json!([]));
    }
    let obj = |pairs: &[(&str, Value)]| {
        let mut o = Map::new();
        for (k, v) in pairs {
            let empty = matches!(v, Value::String(s) if s.is_empty())
                || *v == Value::Bool(false)
                || v.is_null();
            if !empty || *k == "line" {
                o.insert((*k).into(), v.clone());
            }
        }
        Value::Object(o)
    };
    let replaces = |rs: &[Replace]| {
        Value::Array(
            rs.iter()
                .map(|r| {
                    obj(&[
                        ("path", json!(r.old_path)),
                        ("version", json!(r.old_version.clone().unwrap_or_default())),
                        ("new_path", json!(r.new_path)),
                        (
                            "new_version",
                            json!(r.new_version.clone().unwrap_or_default()),
                        ),
                        ("line", json!(r.line)),
                    ])
                })
                .collect(),
        )
    };
    let version = |v: &Option<modfile::VersionStmt>| {
        v.as_ref()
            .map(|v| obj(&[("version", json!(v.version)), ("line", json!(v.line))]))
    };
    let kv = |g: &[modfile::Godebug]| {
        Value::Array(
            g.iter()
                .map(|g| {
                    obj(&[
                        ("path", json!(g.key)),
                        ("version", json!(g.value)),
                        ("line", json!(g.line)),
                    ])
                })
                .collect(),
        )
    };
    let paths = |p: &[modfile::PathStmt]| {
        Value::Array(
            p.iter()
                .map(|p| obj(&[("path", json!(p.path)), ("line", json!(p.line))]))
                .collect(),
        )
    };
    if mode == "work" {
        match modfile::parse_work("go.work", data) {
            Err(e) => return json!({ "error": e.to_string() }),
            Ok(w) => {
                if let Some(v) = version(&w.go) {
                    m.insert("go".into(), v);
                }
                if let Some(v) = version(&w.toolchain) {
                    m.insert("toolchain".into(), v);
                }
                m.insert("godebug".into(), kv(&w.godebug));
                m.insert("use".into(), paths(&w.use_dirs));
                m.insert("replace".into(), replaces(&w.replace));
            }
        }
        return Value::Object(m);
    }
    let parsed = if mode == "lax" {
        modfile::parse_lax("go.mod", data)
    } else {
        modfile::parse("go.mod", data)
    };
    let f = match parsed {
        Err(e) => return json!({ "error": e.to_string() }),
        Ok(f) => f,
    };
    if let Some(md) = &f.module {
        m.insert(
            "module".into(),
            obj(&[("path", json!(md.path)), ("line", json!(md.line))]),
        );
        if let Some(d) = md.deprecated.as_ref().filter(|d| !d.is_empty()) {
            m.insert("deprecated".into(), json!(d));
        }
    }
    if let Some(v) = version(&f.go) {
        m.insert("go".into(), v);
    }
    if let Some(v) = version(&f.toolchain) {
        m.insert("toolchain".into(), v);
    }
    m.insert("godebug".into(), kv(&f.godebug));
    let reqs = |rs: &[modfile::Require]| {
        Value::Array(
            rs.iter()
                .map(|r| {
                    obj(&[
                        ("path", json!(r.path)),
                        ("version", json!(r.version)),
                        ("indirect", json!(r.indirect)),
                        ("line", json!(r.line)),
                    ])
                })
                .collect(),
        )
    };
    m.insert("require".into(), reqs(&f.require));
    m.insert("exclude".into(), reqs(&f.exclude));
    m.insert("replace".into(), replaces(&f.replace));
    m.insert(
        "retract".into(),
        Value::Array(
            f.retract
                .iter()
                .map(|r| {
                    obj(&[
                        ("rationale", json!(r.rationale)),
                        ("low", json!(r.low)),
                        ("high", json!(r.high)),
                        ("line", json!(r.line)),
                    ])
                })
                .collect(),
        ),
    );
    m.insert("tool".into(), paths(&f.tool));
    m.insert("ignore".into(), paths(&f.ignore));
    Value::Object(m)
}

const GO_MOD: &str = "// Deprecated: use example.com/new instead.\nmodule \"example.com/m\"\n\ngo 1.21\ntoolchain go1.22.1\n\ngodebug default=go1.21\n\nrequire example.com/a v1.2.3 // indirect\nrequire (\n\texample.com/b v0.1.0\n\texample.com/c/v2 v2.0.0 // indirect; used by tests\n\texample.com/d v1.0.0 // indirectly\n)\n\nexclude example.com/a v1.0.0\n\nreplace example.com/a => ../a\nreplace (\n\texample.com/b v0.1.0 => example.com/b2 v0.2.0\n\texample.com/e => /abs/e\n)\n\n// Broken build.\nretract v1.0.1\nretract (\n\t[v1.1.0, v1.2.0] // security hole\n)\n\ntool example.com/tool\nignore ./node_modules\n";

const GO_WORK: &str = "go 1.22\n\nuse (\n\t./a\n\t\"./b c\"\n)\nuse ./d\nreplace x.com/a v1.0.0 => ./a\ngodebug (\n\tpanicnil=1\n)\n";

#[test]
fn modfile_matches_xmod() {
    let mut rng = StdRng::seed_from_u64(0x60d_0001);
    let pieces: &[&str] = &[
        "module",
        "require",
        "replace",
        "exclude",
        "retract",
        "go",
        "toolchain",
        "use",
        "tool",
        "ignore",
        "godebug",
        "(",
        ")",
        "[",
        "]",
        ",",
        "=>",
        "\"",
        "`",
        "\\",
        "//",
        "/*",
        "\n",
        "\n",
        "\n",
        " ",
        " ",
        "\t",
        "\r",
        "v1.2.3",
        "v2.0.0",
        "v1.2",
        "v0.0.0-20200101000000-abcdefabcdef",
        "x.com/a",
        "x.com/a/v2",
        "gopkg.in/y.v2",
        "./dir",
        "../d",
        "indirect",
        "// indirect",
        "1.21",
        "1.24.0",
        "go1.22",
        "1.21rc1",
        "a=b",
        "Deprecated:",
        "\u{e9}",
        "\u{200b}",
        "\"x.com/q\\x41\"",
        "\"v1.0.0\\u0030\"",
        "\"\\q\"",
        "\"\\101\"",
        "'",
        "{",
        "}",
        "\u{85}",
    ];
    let mut cases: Vec<(&str, Vec<u8>)> = vec![
        ("mod", GO_MOD.into()),
        ("lax", GO_MOD.into()),
        ("work", GO_WORK.into()),
    ];
    for i in 0..3000 {
        let mode = ["mod", "lax", "work"][i % 3];
        let base = if mode == "work" { GO_WORK } else { GO_MOD };
        let mut data: Vec<u8> = if i % 2 == 0 {
            base.as_bytes().to_vec()
        } else {
            Vec::new()
        };
        for _ in 0..rng.random_range(1..12) {
            let piece = pieces[rng.random_range(0..pieces.len())].as_bytes();
            let at = if data.is_empty() {
                0
            } else {
                rng.random_range(0..=data.len())
            };
            // Insert at a char boundary so the text stays mostly UTF-8.
            let at = (0..=at)
                .rev()
                .find(|&k| k == data.len() || data[k] & 0xC0 != 0x80)
                .unwrap_or(0);
            if i % 2 == 0 && rng.random_bool(0.3) && !data.is_empty() {
                let end = (at + rng.random_range(1..8)).min(data.len());
                let end = (end..=data.len())
                    .find(|&k| k == data.len() || data[k] & 0xC0 != 0x80)
                    .unwrap();
                data.drain(at..end);
            } else {
                data.splice(at..at, piece.iter().copied());
            }
        }
        cases.push((mode, data));
    }
    let b64 = base64::engine::general_purpose::STANDARD;
    let req: String = cases
        .iter()
        .map(|(m, d)| format!("{m}\t{}\n", base64::Engine::encode(&b64, d)))
        .collect();
    let out = testkit::run_oracle("modfile", req.as_bytes());
    let go: Vec<Value> = out
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).unwrap())
        .collect();
    assert_eq!(go.len(), cases.len());
    let (mut ok, mut errors) = (0, 0);
    let mut failures = Vec::new();
    for ((mode, data), go) in cases.iter().zip(&go) {
        let ours = modfile_json(mode, data);
        // On error only the message matters.
        let go = &match go.get("error") {
            Some(e) => serde_json::json!({ "error": e }),
            None => go.clone(),
        };
        if ours == *go {
            if go.get("error").is_some() {
                errors += 1;
            } else {
                ok += 1;
            }
        } else {
            failures.push(format!(
                "{mode} {:?}\n ours {ours}\n go   {go}",
                String::from_utf8_lossy(data)
            ));
        }
    }
    println!(
        "modfile: {} files; agree on {ok} parsed and {errors} rejected (same message)",
        cases.len()
    );
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures[..failures.len().min(8)].join("\n")
    );
    assert!(ok > 300, "too few files parsed to mean anything");
}

/// Vectors from x/mod's zip/testdata/create: `create` then `hash_zip` (the whole
/// suite runs from the module cache in tests/integration/xmod_zip_testdata.rs).
#[test]
fn spec_zip_vectors() {
    let mut z = Vec::new();
    modzip::create(&mut z, "example.com/empty", VER, &[]).unwrap();
    assert_eq!(
        dirhash::hash_zip(&mut Cursor::new(&z)).unwrap(),
        dirhash::EMPTY_H1
    );
    let hello = "package main\n\nimport (\n  \"fmt\"\n  \"example.com/m\"\n)\n\nfunc main() {\n  fmt.Println(m.Foo())\n}\n";
    let files = [
        modzip::SourceFile::bytes("go.mod", b"module example.com/m\n\ngo 1.13\n"),
        modzip::SourceFile::bytes("m.go", b"package m\n\nfunc Foo() int { return 42 }\n"),
        modzip::SourceFile::bytes("cmd/hello/hello.go", hello.as_bytes()),
    ];
    let mut z = Vec::new();
    let cf = modzip::create(&mut z, MOD, VER, &files).unwrap();
    assert_eq!(cf.valid, ["go.mod", "m.go", "cmd/hello/hello.go"]);
    let want = "h1:tpqYOOmuilagXzyqoJ3roUjp8gneQeTv5YVpL6BG7/k=";
    assert_eq!(dirhash::hash_zip(&mut Cursor::new(&z)).unwrap(), want);
    let (_, h) = modzip::check_and_hash_zip(&mut Cursor::new(&z), MOD, VER).unwrap();
    assert_eq!(h, want);
}
