//! `h1:` hashes and module zip creation against golang.org/x/mod over 240
//! random file trees (unicode and odd names, nested directories, empty
//! files and files over 1 MiB, vendor directories, nested modules, VCS
//! directories, symbolic links, case collisions):
//!
//! * `hash_dir` equals `dirhash.HashDir`;
//! * zips made by gotrust's `create_from_dir` are accepted by x/mod
//!   (`CheckZip`, `Unzip`) and hash the same under `HashZip` and `hash_zip`;
//! * zips made by x/mod's `CreateFromDir` hash the same under `hash_zip` and
//!   pass `check_zip`;
//! * `check_dir` gives `CheckDir`'s verdict (valid, omitted, invalid, why).

use std::fs;
use std::io::Cursor;
use std::path::{Path, PathBuf};

use gomod::dirhash;
use gomod::modzip::{self, CheckedFiles, ZipError};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;

const MOD: &str = "example.com/m";
const VER: &str = "v1.0.0";
const PREFIX: &str = "example.com/m@v1.0.0";
const TREES: usize = 240;

const ALPHABET: &[&str] = &[
    "a", "b", "c", "Z", "x", "é", "ж", "中", "ß", "Σ", "σ", "-", "_", ".", "1", "9", " ", "~", "@",
    "+", "!", "ς", "k", "\u{212A}", "ı", "İ",
];

fn random_name(rng: &mut StdRng) -> Vec<u8> {
    let mut s = String::new();
    // A trailing dot (and so "." and "..") is invalid in module zips; it
    // only comes from the rare cases below.
    while s.is_empty() || s.ends_with('.') {
        s.clear();
        for _ in 0..rng.random_range(1..9) {
            s.push_str(ALPHABET[rng.random_range(0..ALPHABET.len())]);
        }
    }
    // Rarely, names Go rejects in module zips (or cannot hash at all).
    match rng.random_range(0..200) {
        0 => s.push('.'),
        1 => s.push(':'),
        2 => s.push('\n'),
        3 => return [s.as_bytes(), b"\xff"].concat(),
        _ => {}
    }
    s.into_bytes()
}

fn os(name: &[u8]) -> &std::ffi::OsStr {
    use std::os::unix::ffi::OsStrExt;
    std::ffi::OsStr::from_bytes(name)
}

fn random_content(rng: &mut StdRng, big: bool) -> Vec<u8> {
    let n = if big {
        rng.random_range((1 << 20) + 1..(3 << 19))
    } else {
        match rng.random_range(0..10) {
            0 => 0,
            1 => rng.random_range(2000..100_000),
            _ => rng.random_range(1..2000),
        }
    };
    let mut v = vec![0u8; n];
    rng.fill(&mut v[..]);
    if rng.random_bool(0.5) {
        // Compressible text as well as random bytes.
        for b in &mut v {
            *b = b'a' + (*b % 8);
        }
    }
    v
}

/// Builds tree number `i` under `root` and returns its directory.
fn build_tree(root: &Path, i: usize) -> PathBuf {
    let mut rng = StdRng::seed_from_u64(0x0d1e_4a54 + i as u64);
    let dir = root.join(format!("tree{i}"));
    fs::create_dir_all(&dir).unwrap();
    let mut dirs = vec![dir.clone()];
    for _ in 0..rng.random_range(0..5) {
        let parent = dirs[rng.random_range(0..dirs.len())].clone();
        let d = parent.join(os(&random_name(&mut rng)));
        if fs::create_dir_all(&d).is_ok() {
            dirs.push(d);
        }
    }
    let big = i % 30 == 7;
    for f in 0..rng.random_range(0..25) {
        let parent = &dirs[rng.random_range(0..dirs.len())];
        let p = parent.join(os(&random_name(&mut rng)));
        if p.exists() {
            continue;
        }
        fs::write(&p, random_content(&mut rng, big && f == 0)).unwrap();
    }
    match rng.random_range(0..4) {
        0 => {}
        1 => fs::write(dir.join("go.mod"), "module example.com/m\n\ngo 1.13\n").unwrap(),
        2 => fs::write(dir.join("go.mod"), "module example.com/m\n\ngo 1.24\n").unwrap(),
        _ => fs::write(dir.join("go.mod"), "module example.com/m\n").unwrap(),
    }
    if rng.random_ratio(1, 4) {
        fs::create_dir_all(dir.join("vendor/example.org/x")).unwrap();
        fs::write(dir.join("vendor/modules.txt"), "# example.org/x v1.0.0\n").unwrap();
        fs::write(dir.join("vendor/example.org/x/x.go"), "package x\n").unwrap();
        fs::create_dir_all(dir.join("pkg/vendor/y")).unwrap();
        fs::write(dir.join("pkg/vendor/vendor.go"), "package vendor\n").unwrap();
        fs::write(dir.join("pkg/vendor/y/y.go"), "package y\n").unwrap();
    }
    if rng.random_ratio(1, 5) {
        fs::create_dir_all(dir.join(".git/objects")).unwrap();
        fs::write(dir.join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
        fs::write(dir.join(".hg_archival.txt"), "repo: 0\n").unwrap();
    }
    if rng.random_ratio(1, 5) {
        fs::create_dir_all(dir.join("sub/inner")).unwrap();
        fs::write(dir.join("sub/go.mod"), "module example.com/m/sub\n").unwrap();
        fs::write(dir.join("sub/inner/s.go"), "package inner\n").unwrap();
    }
    if rng.random_ratio(1, 6) {
        std::os::unix::fs::symlink("go.mod", dir.join("link.mod")).unwrap();
    }
    if rng.random_ratio(1, 15) {
        fs::write(dir.join("README"), "a").unwrap();
        fs::write(dir.join("readme"), "b").unwrap();
    }
    if rng.random_ratio(1, 20) {
        fs::write(dir.join("GO.MOD"), "module x\n").unwrap();
    }
    dir
}

fn answers(out: &[u8]) -> Vec<Value> {
    out.split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).unwrap())
        .collect()
}

fn go_h1(v: &Value) -> Option<String> {
    v["error"]
        .is_null()
        .then(|| v["h1"].as_str().unwrap().to_string())
}

#[test]
fn random_trees_hash_like_xmod() {
    let tmp = tempfile::tempdir().unwrap();
    let mut req = String::new();
    let mut ours = Vec::new();
    for i in 0..TREES {
        let dir = build_tree(tmp.path(), i);
        let zip_path = tmp.path().join(format!("ours{i}.zip"));
        let created = modzip::create_from_dir(fs::File::create(&zip_path).unwrap(), MOD, VER, &dir);
        req.push_str(&format!("dir\t{}\t{PREFIX}\n", dir.display()));
        req.push_str(&format!("zip\t{}\n", zip_path.display()));
        ours.push((dir, zip_path, created));
    }
    let go = answers(&testkit::run_oracle("dirhash", req.as_bytes()));
    assert_eq!(go.len(), 2 * TREES);
    let (mut dir_agree, mut zip_agree, mut dir_ok, mut zips_made, mut same_as_dir) =
        (0, 0, 0, 0, 0);
    let mut failures = Vec::new();
    for (i, (dir, zip_path, created)) in ours.iter().enumerate() {
        let ours_dir = dirhash::hash_dir(dir, PREFIX).ok();
        let go_dir = go_h1(&go[2 * i]);
        if ours_dir == go_dir {
            dir_agree += 1;
            dir_ok += usize::from(go_dir.is_some());
        } else {
            failures.push(format!(
                "tree{i}: HashDir ours {ours_dir:?} go {}",
                go[2 * i]
            ));
        }
        if created.is_ok() {
            zips_made += 1;
            let ours_zip = dirhash::hash_zip(&mut fs::File::open(zip_path).unwrap()).ok();
            let go_zip = go_h1(&go[2 * i + 1]);
            if ours_zip.is_some() && ours_zip == go_zip {
                zip_agree += 1;
            } else {
                failures.push(format!(
                    "tree{i}: HashZip ours {ours_zip:?} go {}",
                    go[2 * i + 1]
                ));
            }
            // With nothing omitted (CheckDir also lists skipped directories),
            // the zip holds exactly the tree.
            let nothing_omitted = modzip::check_dir(dir).is_ok_and(|cf| cf.omitted.is_empty());
            if nothing_omitted && ours_dir.is_some() {
                assert_eq!(ours_zip, ours_dir, "tree{i}: zip and tree hash differ");
                same_as_dir += 1;
            }
        }
    }
    println!(
        "random trees: {TREES}; HashDir agree {dir_agree} ({dir_ok} hashed, rest errors in both); \
         gotrust zips {zips_made}, HashZip agree {zip_agree}; zip h1 == tree h1 for {same_as_dir}"
    );
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        dir_ok >= 200 && zips_made >= 150,
        "too few successful cases to mean anything"
    );
}

fn file_errors(v: &Value) -> Vec<(String, String)> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|e| {
                    (
                        e["path"].as_str().unwrap().to_string(),
                        e["err"].as_str().unwrap().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().map(|s| s.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

/// valid, omitted (path, why), invalid (path, why), size error.
type Verdict = (
    Vec<String>,
    Vec<(String, String)>,
    Vec<(String, String)>,
    Option<String>,
);

fn ours_verdict(r: &Result<CheckedFiles, ZipError>) -> Option<Verdict> {
    let cf = match r {
        Ok(cf) => cf,
        Err(ZipError::InvalidFiles(cf)) => cf,
        Err(ZipError::Size { checked, .. }) => checked,
        Err(_) => return None,
    };
    let fe = |v: &Vec<modzip::FileError>| {
        v.iter()
            .map(|e| (e.path.clone(), e.reason.to_string()))
            .collect()
    };
    Some((
        cf.valid.clone(),
        fe(&cf.omitted),
        fe(&cf.invalid),
        cf.size_error.map(|e| e.to_string()),
    ))
}

#[test]
fn random_trees_zip_like_xmod() {
    let tmp = tempfile::tempdir().unwrap();
    let mut req = String::new();
    let mut ours = Vec::new();
    for i in 0..TREES {
        let dir = build_tree(tmp.path(), i);
        let our_zip = tmp.path().join(format!("ours{i}.zip"));
        let go_zip = tmp.path().join(format!("go{i}.zip"));
        let created = modzip::create_from_dir(fs::File::create(&our_zip).unwrap(), MOD, VER, &dir);
        req.push_str(&format!(
            "create\t{}\t{MOD}\t{VER}\t{}\n",
            dir.display(),
            go_zip.display()
        ));
        req.push_str(&format!(
            "check\t{}\t{MOD}\t{VER}\t{}\n",
            our_zip.display(),
            tmp.path().join(format!("unzip{i}")).display()
        ));
        ours.push((dir, our_zip, go_zip, created));
    }
    let go = answers(&testkit::run_oracle("modzip", req.as_bytes()));
    assert_eq!(go.len(), 2 * TREES);
    let (mut checkdir_agree, mut create_agree, mut accepted, mut go_zips_ok) = (0, 0, 0, 0);
    let mut failures = Vec::new();
    for (i, (dir, our_zip, go_zip, created)) in ours.iter().enumerate() {
        let (gc, gk) = (&go[2 * i], &go[2 * i + 1]);
        // CheckDir verdict.
        let ours_cd = ours_verdict(&modzip::check_dir(dir));
        let go_cd = Some((
            strings(&gc["valid"]),
            file_errors(&gc["omitted"]),
            file_errors(&gc["invalid"]),
            gc["size_error"].as_str().map(str::to_string),
        ));
        if ours_cd == go_cd {
            checkdir_agree += 1;
        } else {
            failures.push(format!("tree{i}: CheckDir ours {ours_cd:?}\n go {go_cd:?}"));
        }
        // CreateFromDir: same success, same hash of both zips.
        let go_created = gc["h1_error"].is_null();
        match (created, go_created) {
            (Ok(_), true) => {
                let go_h1 = gc["h1"].as_str().unwrap().to_string();
                let ours_of_go = dirhash::hash_zip(&mut fs::File::open(go_zip).unwrap()).ok();
                let ours_of_ours = dirhash::hash_zip(&mut fs::File::open(our_zip).unwrap()).ok();
                if ours_of_go.as_ref() == Some(&go_h1) && ours_of_ours.as_ref() == Some(&go_h1) {
                    create_agree += 1;
                } else {
                    failures.push(format!("tree{i}: zip h1: go {go_h1}, ours of go zip {ours_of_go:?}, ours of our zip {ours_of_ours:?}"));
                }
                // x/mod accepts our zip: CheckZip, HashZip, Unzip.
                if gk["error"].is_null()
                    && gk["unzip"] == "ok"
                    && gk["h1"].as_str() == Some(go_h1.as_str())
                {
                    accepted += 1;
                } else {
                    failures.push(format!("tree{i}: x/mod rejects gotrust's zip: {gk}"));
                }
                // We accept x/mod's zip, with the same valid list x/mod gives ours.
                let bytes = fs::read(go_zip).unwrap();
                match modzip::check_and_hash_zip(&mut Cursor::new(&bytes), MOD, VER) {
                    Ok((cf, h)) if h == go_h1 && cf.valid == strings(&gk["valid"]) => {
                        go_zips_ok += 1
                    }
                    other => failures.push(format!(
                        "tree{i}: check_and_hash_zip of x/mod zip: {other:?}"
                    )),
                }
            }
            (Err(_), false) => create_agree += 1,
            (ours, _) => failures.push(format!(
                "tree{i}: create ours {:?} go {}",
                ours.as_ref().map(|_| ()),
                gc["h1_error"]
            )),
        }
    }
    println!(
        "random trees: {TREES}; CheckDir agree {checkdir_agree}; CreateFromDir agree {create_agree}; \
         x/mod accepts gotrust zips {accepted}; gotrust accepts x/mod zips {go_zips_ok}"
    );
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(accepted >= 150, "too few successful cases to mean anything");
}
