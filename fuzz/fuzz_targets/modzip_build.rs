//! Structure-aware module zip fuzzing: an arbitrary file list becomes a module zip through
//! `gomod::modzip::create` (go's `zip.Create`), which is then read back by
//! `check_and_hash_zip` (what `gotrust verify cache` and `verify proxy` run on a
//! downloaded zip). Every input is a well-formed zip, so the checker's per-entry logic
//! (names, prefixes, case folding, vendoring, sizes) is what gets fuzzed.
//!
//! Properties (go's own guarantees): `create` succeeds exactly when `check_files` does
//! (for a valid module path and version); a zip `create` wrote passes the check, keeps the
//! same files, and hashes (`h1:`) equal to Hash1 over the valid files and to
//! `dirhash::hash_zip`.
//!
//! Input: `mode`, then files separated by NUL, each `name` SOH `content` (no SOH: empty
//! content). `mode & 3` picks the module path, `(mode >> 2) & 3` the version; `mode & 16`
//! adds a `go.mod` naming the module, `mode & 32` a `go 1.24` line in it (vendoring rules
//! differ), `mode & 64` marks names ending in `/` as directories.
#![no_main]

use std::io::Cursor;

use gomod::dirhash;
use gomod::modzip::{self, FileKind, SourceFile};
use libfuzzer_sys::fuzz_target;

const PATHS: [&str; 4] = [
    "example.com/m",
    "example.com/m/v2",
    "gopkg.in/yaml.v3",
    "Example.COM/Ü",
];
const VERSIONS: [&str; 4] = [
    "v1.0.0",
    "v2.0.0",
    "v0.0.0-20200101000000-abcdefabcdef",
    "v3.0.0+incompatible",
];

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let path = PATHS[usize::from(mode & 3)];
    let version = VERSIONS[usize::from((mode >> 2) & 3)];
    let go_mod = format!(
        "module {path}\n{}",
        if mode & 32 != 0 { "go 1.24\n" } else { "" }
    );
    let mut files: Vec<SourceFile<'_>> = Vec::new();
    if mode & 16 != 0 {
        files.push(SourceFile::bytes("go.mod", go_mod.as_bytes()));
    }
    for entry in rest.split(|&b| b == 0).filter(|e| !e.is_empty()).take(64) {
        let (name, content) = match entry.iter().position(|&b| b == 1) {
            Some(i) => (&entry[..i], &entry[i + 1..]),
            None => (entry, &[][..]),
        };
        let mut f = SourceFile::bytes(name.to_vec(), content);
        if mode & 64 != 0 && name.ends_with(b"/") {
            f.kind = FileKind::Directory;
            f.size = 0;
        }
        files.push(f);
    }

    let checked = modzip::check_files(&files);
    let mut zip = Vec::new();
    let created = modzip::create(&mut zip, path, version, &files);
    let module_ok = gomod::module::check(path, version).is_ok();
    assert_eq!(
        created.is_ok(),
        module_ok && checked.is_ok(),
        "create and check_files disagree: {created:?} vs {checked:?}"
    );
    let Ok(cf) = created else {
        return;
    };
    let (zcf, h) = modzip::check_and_hash_zip(&mut Cursor::new(&zip), path, version)
        .unwrap_or_else(|e| panic!("a zip made by create fails the check: {e}"));
    let prefix = format!("{path}@{version}/");
    let want: Vec<String> = cf.valid.iter().map(|n| format!("{prefix}{n}")).collect();
    assert_eq!(zcf.valid, want);
    assert!(zcf.invalid.is_empty() && zcf.size_error.is_none());
    // Hash1 over the files create kept, under the zip prefix.
    let kept: Vec<(String, &[u8])> = cf
        .valid
        .iter()
        .map(|n| {
            let f = files
                .iter()
                .find(|f| String::from_utf8_lossy(&f.path) == *n)
                .unwrap();
            let gomod::modzip::Content::Bytes(b) = f.content else {
                unreachable!()
            };
            (format!("{prefix}{n}"), b)
        })
        .collect();
    assert_eq!(dirhash::hash1_bytes(&kept).ok().as_ref(), Some(&h));
    assert_eq!(
        dirhash::hash_zip(&mut Cursor::new(&zip)).ok().as_ref(),
        Some(&h)
    );
});
