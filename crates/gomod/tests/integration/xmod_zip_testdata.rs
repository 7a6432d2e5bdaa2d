//! golang.org/x/mod's own module-zip test suite, run through gomod's ports.
//!
//! Every case of x/mod's `zip/testdata` (check_dir, check_files, check_zip, create,
//! create_from_dir, unzip) is read from the oracle's module cache at test time (see
//! `testkit::xmod_module_dir`; nothing is copied into this repository) and must get the
//! verdict its archive states, judged as x/mod's `zip/zip_test.go` judges it:
//!
//! * `check_*`: the `want` file is `formatCheckedFiles` of the result (valid names, then
//!   omitted and invalid `path: reason` lines; `check_dir` paths start with `$work`), and
//!   the error is exactly the invalid-file list (`FileErrorList`), no size error.
//! * `create`, `create_from_dir`, `unzip`: with `wantErr`, the operation fails with an
//!   error containing it; otherwise it succeeds and the result hashes (`dirhash.HashZip`
//!   of the zip written, `HashDir` of the tree unzipped) to `hash`.
//!
//! Two mappings, because gomod's API differs from x/mod's in shape, not in verdict:
//! `Unzip` is [`modzip::check_and_hash_zip`] (it runs every check `Unzip` runs, enforces
//! the declared sizes as `Unzip` does, and hashes the content an extraction would write,
//! which is what `HashDir` of the extracted tree gives); and a module path that is not
//! UTF-8 (gomod takes module paths as `&str`) is judged by
//! [`modzip::check_module_bytes`], the check x/mod's functions run first.

use std::fs;
use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::write::DeflateEncoder;
use gomod::dirhash;
use gomod::modzip::{self, CheckedFiles, SourceFile, ZipError};
use testkit::txtar;

/// One test case: the archive's `key=value` comment lines and its files.
struct Case {
    name: String,
    path: Vec<u8>,
    version: String,
    want_err: Option<String>,
    hash: Option<String>,
    files: Vec<txtar::File>,
    want: Option<String>,
}

/// `readTest` of zip_test.go: comment lines `key = value`, `#` starts a comment.
fn read_case(file: &Path) -> Case {
    let archive = txtar::parse(&fs::read(file).expect("read test case"));
    let mut case = Case {
        name: file.file_name().unwrap().to_string_lossy().into_owned(),
        path: Vec::new(),
        version: String::new(),
        want_err: None,
        hash: None,
        files: Vec::new(),
        want: None,
    };
    for line in archive.comment.split(|&b| b == b'\n') {
        let line = match line.iter().position(|&b| b == b'#') {
            Some(i) => &line[..i],
            None => line,
        }
        .trim_ascii();
        if line.is_empty() {
            continue;
        }
        let eq = line
            .iter()
            .position(|&b| b == b'=')
            .unwrap_or_else(|| panic!("{}: missing = in {line:?}", case.name));
        let (key, value) = (line[..eq].trim_ascii(), line[eq + 1..].trim_ascii());
        let text = || String::from_utf8(value.to_vec()).expect("UTF-8 value");
        match key {
            b"path" => case.path = value.to_vec(),
            b"version" => case.version = text(),
            b"wantErr" => case.want_err = Some(text()),
            b"hash" => case.hash = Some(text()),
            other => panic!(
                "{}: unknown key {:?}",
                case.name,
                String::from_utf8_lossy(other)
            ),
        }
    }
    for f in archive.files {
        if f.name == b"want" && case.want.is_none() {
            case.want = Some(String::from_utf8(f.data).expect("UTF-8 want"));
        } else {
            case.files.push(f);
        }
    }
    case
}

/// Every `*.txt` case of `zip/testdata/<dir>`, sorted; panics if there are none, so a
/// moved directory cannot pass silently.
fn cases(dir: &str) -> Vec<Case> {
    let root = testkit::xmod_module_dir().join("zip/testdata").join(dir);
    let mut paths: Vec<PathBuf> = fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no cases in {}", root.display());
    paths.iter().map(|p| read_case(p)).collect()
}

/// The module path as gomod takes it; `Err` carries the verdict for a path that is not
/// UTF-8, which no gomod entry point can be given.
fn module_path(case: &Case) -> Result<&str, ZipError> {
    modzip::check_module_bytes(&case.path, &case.version)
}

/// `formatCheckedFiles` of zip_test.go.
fn format_checked(cf: &CheckedFiles) -> String {
    let mut s = String::from("valid:\n");
    for v in &cf.valid {
        s.push_str(v);
        s.push('\n');
    }
    s.push_str("\nomitted:\n");
    for e in &cf.omitted {
        s.push_str(&format!("{e}\n"));
    }
    s.push_str("\ninvalid:\n");
    for e in &cf.invalid {
        s.push_str(&format!("{e}\n"));
    }
    s
}

/// The verdict whether or not the check failed, and the check that the failure (if any)
/// is exactly the invalid-file list, as `gotErr == wantErr` asserts in zip_test.go.
fn verdict(case: &Case, result: Result<CheckedFiles, ZipError>) -> CheckedFiles {
    match result {
        Ok(cf) => {
            assert!(
                cf.invalid.is_empty(),
                "{}: Ok with invalid files",
                case.name
            );
            cf
        }
        Err(ZipError::InvalidFiles(cf)) => *cf,
        Err(e) => panic!("{}: error other than the invalid-file list: {e}", case.name),
    }
}

fn write_tree(dir: &Path, files: &[txtar::File]) {
    for f in files {
        let p = dir.join(String::from_utf8(f.name.clone()).expect("UTF-8 file name"));
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(&p, &f.data).unwrap();
    }
}

/// `extractTxtarToTempZip`: a zip of the files in order, deflated, written byte by byte
/// because Go's `zip.Writer` (like this one, and unlike the `zip` crate) accepts the
/// duplicate names some cases are about.
fn zip_of(files: &[txtar::File]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for f in files {
        let mut enc = DeflateEncoder::new(Vec::new(), Compression::default());
        enc.write_all(&f.data).unwrap();
        let packed = enc.finish().unwrap();
        let mut crc = flate2::Crc::new();
        crc.update(&f.data);
        let offset = out.len() as u32;
        // Version needed, flags, method (8 = deflate), time, date, CRC-32, sizes.
        let fields = |v: &mut Vec<u8>| {
            v.extend(20u16.to_le_bytes());
            v.extend(0u16.to_le_bytes());
            v.extend(8u16.to_le_bytes());
            v.extend([0u8; 4]);
            v.extend(crc.sum().to_le_bytes());
            v.extend((packed.len() as u32).to_le_bytes());
            v.extend((f.data.len() as u32).to_le_bytes());
            v.extend((f.name.len() as u16).to_le_bytes());
            v.extend(0u16.to_le_bytes());
        };
        out.extend(0x0403_4b50u32.to_le_bytes());
        fields(&mut out);
        out.extend(&f.name);
        out.extend(&packed);
        central.extend(0x0201_4b50u32.to_le_bytes());
        central.extend(20u16.to_le_bytes());
        fields(&mut central);
        // Comment length, disk, internal and external attributes, offset.
        central.extend([0u8; 2 + 2 + 2 + 4]);
        central.extend(offset.to_le_bytes());
        central.extend(&f.name);
    }
    let dir_offset = out.len() as u32;
    out.extend(&central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend([0u8; 4]);
    out.extend((files.len() as u16).to_le_bytes());
    out.extend((files.len() as u16).to_le_bytes());
    out.extend((central.len() as u32).to_le_bytes());
    out.extend(dir_offset.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

/// The `wantErr`/`hash` judgement shared by create, create_from_dir and unzip.
fn judge(case: &Case, outcome: Result<String, String>) -> Result<(), String> {
    match (outcome, &case.want_err, &case.hash) {
        (Err(got), Some(want), _) if got.contains(want.as_str()) => Ok(()),
        (Err(got), Some(want), _) => Err(format!("error {got:?} does not contain {want:?}")),
        (Err(got), None, _) => Err(format!("unexpected error {got:?}")),
        (Ok(_), Some(want), _) => Err(format!("unexpected success; wanted error {want:?}")),
        (Ok(got), None, Some(want)) if &got == want => Ok(()),
        (Ok(got), None, want) => Err(format!("hash {got} want {want:?}")),
    }
}

/// Runs `check` on every case of `dir`; fails listing every case that disagrees.
fn run(dir: &str, check: impl Fn(&Case) -> Result<(), String>) {
    let all = cases(dir);
    let failures: Vec<String> = all
        .iter()
        .filter_map(|c| check(c).err().map(|e| format!("{dir}/{}: {e}", c.name)))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases disagree with x/mod:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
}

fn source_files(files: &[txtar::File]) -> Vec<SourceFile<'_>> {
    files
        .iter()
        .map(|f| SourceFile::bytes(f.name.clone(), &f.data))
        .collect()
}

#[test]
fn check_files_cases() {
    run("check_files", |case| {
        let cf = verdict(case, modzip::check_files(&source_files(&case.files)));
        let (got, want) = (format_checked(&cf), case.want.as_deref().unwrap_or(""));
        (got == want)
            .then_some(())
            .ok_or(format!("got:\n{got}\nwant:\n{want}"))
    });
}

#[test]
fn check_dir_cases() {
    run("check_dir", |case| {
        let tmp = tempfile::tempdir().unwrap();
        write_tree(tmp.path(), &case.files);
        let cf = verdict(case, modzip::check_dir(tmp.path()));
        let got = format_checked(&cf).replace(&tmp.path().display().to_string(), "$work");
        let want = case.want.as_deref().unwrap_or("");
        (got == want)
            .then_some(())
            .ok_or(format!("got:\n{got}\nwant:\n{want}"))
    });
}

#[test]
fn check_zip_cases() {
    run("check_zip", |case| {
        let path = module_path(case).map_err(|e| e.to_string())?;
        let zip = zip_of(&case.files);
        let cf = verdict(
            case,
            modzip::check_zip(&mut Cursor::new(zip), path, &case.version),
        );
        let (got, want) = (format_checked(&cf), case.want.as_deref().unwrap_or(""));
        (got == want)
            .then_some(())
            .ok_or(format!("got:\n{got}\nwant:\n{want}"))
    });
}

#[test]
fn create_cases() {
    run("create", |case| {
        let outcome = module_path(case)
            .and_then(|path| {
                let mut zip = Vec::new();
                modzip::create(&mut zip, path, &case.version, &source_files(&case.files))?;
                Ok(zip)
            })
            .map_err(|e| e.to_string())
            .and_then(|zip| dirhash::hash_zip(&mut Cursor::new(zip)).map_err(|e| e.to_string()));
        judge(case, outcome)
    });
}

#[test]
fn create_from_dir_cases() {
    run("create_from_dir", |case| {
        let tmp = tempfile::tempdir().unwrap();
        write_tree(tmp.path(), &case.files);
        let outcome = module_path(case)
            .and_then(|path| {
                let mut zip = Vec::new();
                modzip::create_from_dir(&mut zip, path, &case.version, tmp.path())?;
                Ok(zip)
            })
            .map_err(|e| e.to_string())
            .and_then(|zip| dirhash::hash_zip(&mut Cursor::new(zip)).map_err(|e| e.to_string()));
        judge(case, outcome)
    });
}

#[test]
fn unzip_cases() {
    run("unzip", |case| {
        let outcome = module_path(case)
            .and_then(|path| {
                let zip = zip_of(&case.files);
                modzip::check_and_hash_zip(&mut Cursor::new(zip), path, &case.version)
            })
            .map(|(_, h1)| h1)
            .map_err(|e| e.to_string());
        judge(case, outcome)
    });
}
