//! Module zip files: checks and creation, mirroring `golang.org/x/mod/zip`
//! (`zip/zip.go`: `CheckZip`, `CheckFiles`, `CheckDir`, `Create`,
//! `CreateFromDir`) and the size check `Unzip` applies while extracting.
//!
//! Reading uses a central-directory reader with the semantics of Go's
//! `archive/zip` ([`crate::ziparchive`]), because the `zip` crate collapses
//! duplicate entry names, which Go reports as `multiple entries for file`.
//! Writing uses the `zip` crate.
//!
//! File system access ([`check_dir`], [`create_from_dir`]) happens only where
//! the Go function being mirrored reads a directory.

use std::collections::HashMap;
use std::fmt;
use std::fs;
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::path::clean_bytes;
use crate::strconv::{quote, quote_bytes};

pub(crate) mod names;
mod seekbuf;

use crate::ziparchive as reader;
pub use crate::ziparchive::ArchiveError;
pub use seekbuf::SeekBufReader;

/// Maximum size in bytes of a module zip file, and of the total uncompressed
/// size of its files (`zip.MaxZipFile`, 500 MiB).
pub const MAX_ZIP_FILE: u64 = 500 << 20;
/// Maximum size in bytes of the root `go.mod` (`zip.MaxGoMod`, 16 MiB).
pub const MAX_GO_MOD: u64 = 16 << 20;
/// Maximum size in bytes of the root `LICENSE` (`zip.MaxLICENSE`, 16 MiB).
pub const MAX_LICENSE: u64 = 16 << 20;

/// Why one file is invalid or omitted (the texts are Go's).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FileReason {
    /// The zip entry name does not start with `path@version/`.
    MissingPrefix(String),
    /// `file path is not clean`.
    NotClean,
    /// `file path is not relative`.
    NotRelative,
    /// `module.CheckFilePath` failed; the text is its message.
    InvalidPath(String),
    /// `case-insensitive file name collision: "a" and "b"`.
    CaseCollision {
        /// The name seen first.
        first: String,
        /// The name colliding with it.
        second: String,
    },
    /// `entry "p" is both a file and a directory`.
    FileAndDirectory(String),
    /// `multiple entries for file "p"`.
    Duplicate(String),
    /// `go.mod file not in module root directory`.
    GoModNotRoot,
    /// `go.mod files must have lowercase names`.
    GoModCase,
    /// `go.mod file too large (max size is 16777216 bytes)`.
    GoModTooLarge,
    /// `LICENSE file too large (max size is 16777216 bytes)`.
    LicenseTooLarge,
    /// Omitted: `directory is a version control repository`.
    Vcs,
    /// Omitted: `file is in vendor directory`.
    Vendored,
    /// Omitted: `file is in another module`.
    SubmoduleFile,
    /// Omitted: `directory is in another module`.
    SubmoduleDir,
    /// Omitted: `.hg_archival.txt` is always dropped.
    HgArchivalTxt,
    /// Omitted: `file is a symbolic link`.
    Symlink,
    /// Omitted: `not a regular file`.
    NotRegular,
}

impl fmt::Display for FileReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileReason::MissingPrefix(p) => {
                write!(f, "path does not have prefix {}", quote_bytes(p.as_bytes()))
            }
            FileReason::NotClean => f.write_str("file path is not clean"),
            FileReason::NotRelative => f.write_str("file path is not relative"),
            FileReason::InvalidPath(m) => f.write_str(m),
            FileReason::CaseCollision { first, second } => {
                let (a, b) = (
                    quote_bytes(first.as_bytes()),
                    quote_bytes(second.as_bytes()),
                );
                write!(f, "case-insensitive file name collision: {a} and {b}")
            }
            FileReason::FileAndDirectory(p) => {
                let p = quote_bytes(p.as_bytes());
                write!(f, "entry {p} is both a file and a directory")
            }
            FileReason::Duplicate(p) => {
                write!(f, "multiple entries for file {}", quote_bytes(p.as_bytes()))
            }
            FileReason::GoModNotRoot => f.write_str("go.mod file not in module root directory"),
            FileReason::GoModCase => f.write_str("go.mod files must have lowercase names"),
            FileReason::GoModTooLarge => {
                write!(f, "go.mod file too large (max size is {MAX_GO_MOD} bytes)")
            }
            FileReason::LicenseTooLarge => {
                write!(
                    f,
                    "LICENSE file too large (max size is {MAX_LICENSE} bytes)"
                )
            }
            FileReason::Vcs => f.write_str("directory is a version control repository"),
            FileReason::Vendored => f.write_str("file is in vendor directory"),
            FileReason::SubmoduleFile => f.write_str("file is in another module"),
            FileReason::SubmoduleDir => f.write_str("directory is in another module"),
            FileReason::HgArchivalTxt => {
                f.write_str("file is inserted by 'hg archive' and is always omitted")
            }
            FileReason::Symlink => f.write_str("file is a symbolic link"),
            FileReason::NotRegular => f.write_str("not a regular file"),
        }
    }
}

/// One invalid or omitted file: its path (zip entry name, or file path) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    /// The entry name or path, lossily decoded if it is not UTF-8.
    pub path: String,
    /// Index of the entry in the zip's central directory (zip checks only).
    pub index: Option<usize>,
    /// Why the file is invalid or omitted.
    pub reason: FileReason,
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.reason)
    }
}

/// Which size limit was exceeded (Go's `CheckedFiles.SizeError`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SizeError {
    /// The zip file itself is larger than [`MAX_ZIP_FILE`].
    ZipFile {
        /// Size of the zip file in bytes.
        size: u64,
    },
    /// The declared uncompressed sizes add up to more than [`MAX_ZIP_FILE`].
    Uncompressed,
    /// The files of a source tree add up to more than [`MAX_ZIP_FILE`].
    SourceTree,
}

impl fmt::Display for SizeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SizeError::ZipFile { size } => write!(
                f,
                "module zip file is too large ({size} bytes; limit is {MAX_ZIP_FILE} bytes)"
            ),
            SizeError::Uncompressed => write!(
                f,
                "total uncompressed size of module contents too large (max size is {MAX_ZIP_FILE} bytes)"
            ),
            SizeError::SourceTree => {
                write!(
                    f,
                    "module source tree too large (max size is {MAX_ZIP_FILE} bytes)"
                )
            }
        }
    }
}

/// The verdict on every file (Go's `zip.CheckedFiles`): each file is in
/// exactly one of `valid`, `omitted`, `invalid`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckedFiles {
    /// Files that belong in the module zip (zip entry names for zip checks).
    pub valid: Vec<String>,
    /// Files a producer leaves out, and why.
    pub omitted: Vec<FileError>,
    /// Files that make the module invalid, and why.
    pub invalid: Vec<FileError>,
    /// A size limit that was exceeded, if any.
    pub size_error: Option<SizeError>,
}

impl CheckedFiles {
    /// Go's `CheckedFiles.Err`: the size error first, then the invalid files.
    pub fn into_result(self) -> Result<CheckedFiles, ZipError> {
        if let Some(e) = self.size_error {
            return Err(ZipError::Size {
                error: e,
                checked: Box::new(self),
            });
        }
        if !self.invalid.is_empty() {
            return Err(ZipError::InvalidFiles(Box::new(self)));
        }
        Ok(self)
    }
}

/// Why a module zip (or a file tree meant for one) was rejected.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ZipError {
    /// The version is not canonical (`version "v" is not canonical (should be "c")`).
    #[error("version {} is not canonical (should be {})", quote(.version), quote(.canonical))]
    NonCanonicalVersion {
        /// The version given.
        version: String,
        /// Its canonical form (empty if it is not a semantic version).
        canonical: String,
    },
    /// The module path or version fails `module.Check`.
    #[error("{0}")]
    InvalidModule(String),
    /// The archive could not be read.
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    /// A size limit was exceeded.
    #[error("{error}")]
    Size {
        /// Which limit.
        error: SizeError,
        /// The full verdict.
        checked: Box<CheckedFiles>,
    },
    /// One or more files are invalid; the message lists the first.
    #[error("{}{}", .0.invalid[0], if .0.invalid.len() > 1 { format!(" (and {} more)", .0.invalid.len() - 1) } else { String::new() })]
    InvalidFiles(Box<CheckedFiles>),
    /// An entry inflated to more bytes than its declared size (a zip bomb).
    #[error("uncompressed size of file {name} is larger than declared size ({declared} bytes)")]
    LargerThanDeclared {
        /// The entry name.
        name: String,
        /// The declared uncompressed size.
        declared: u64,
    },
    /// A source file grew beyond the size seen when it was listed.
    #[error("file {} is larger than declared size", quote(.0))]
    FileGrew(String),
    /// An entry name contains a newline, which `h1:` cannot hash.
    #[error("dirhash: filenames with newlines are not supported")]
    NewlineInName,
    /// Reading a file or directory failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: String,
        /// The OS error.
        #[source]
        source: io::Error,
    },
    /// Writing the zip failed.
    #[error("create zip: {0}")]
    Write(String),
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The module check x/mod's `Create`, `CreateFromDir`, `CheckZip` and `Unzip` run
/// before anything else (zip.go: the version must be canonical, then `module.Check`),
/// for a module path given as bytes: Go strings need not be UTF-8, and such a path is
/// refused with Go's message. Returns the path as `&str`.
pub fn check_module_bytes<'a>(path: &'a [u8], version: &str) -> Result<&'a str, ZipError> {
    let canonical = names::canonical_version(version);
    if canonical != version {
        return Err(ZipError::NonCanonicalVersion {
            version: version.to_string(),
            canonical,
        });
    }
    names::check_module(path, version).map_err(ZipError::InvalidModule)
}

fn check_module(path: &str, version: &str) -> Result<(), ZipError> {
    check_module_bytes(path.as_bytes(), version).map(|_| ())
}

/// Go's `collisionChecker`: case-folded names seen so far.
#[derive(Default)]
struct Collisions(HashMap<String, (String, bool)>);

impl Collisions {
    fn check(&mut self, p: &str, is_dir: bool) -> Result<(), FileReason> {
        let mut p = p.to_string();
        let mut is_dir = is_dir;
        loop {
            let key = names::fold(&p);
            match self.0.get(&key) {
                Some((other, other_dir)) => {
                    if *other != p {
                        return Err(FileReason::CaseCollision {
                            first: other.clone(),
                            second: p,
                        });
                    }
                    if is_dir != *other_dir {
                        return Err(FileReason::FileAndDirectory(p));
                    }
                    if !is_dir {
                        return Err(FileReason::Duplicate(p));
                    }
                }
                None => {
                    self.0.insert(key, (p.clone(), is_dir));
                }
            }
            match p.rfind('/') {
                Some(i) => {
                    p.truncate(i);
                    is_dir = true;
                }
                None => return Ok(()),
            }
        }
    }
}

/// Go's `CheckZip`: the verdict on every entry of a module zip, without
/// reading contents. Returns `Ok` only for a valid module zip; otherwise the
/// error carries the full verdict ([`ZipError::InvalidFiles`], [`ZipError::Size`]).
pub fn check_zip<R: Read + Seek>(
    r: &mut R,
    path: &str,
    version: &str,
) -> Result<CheckedFiles, ZipError> {
    let (_, cf) = check_zip_inner(r, path, version)?;
    cf.into_result()
}

fn check_zip_inner<R: Read + Seek>(
    r: &mut R,
    path: &str,
    version: &str,
) -> Result<(reader::Archive, CheckedFiles), ZipError> {
    check_module(path, version)?;
    let size = r.seek(io::SeekFrom::End(0)).map_err(ArchiveError::Io)?;
    if size > MAX_ZIP_FILE {
        let cf = CheckedFiles {
            size_error: Some(SizeError::ZipFile { size }),
            ..CheckedFiles::default()
        };
        return Err(ZipError::Size {
            error: SizeError::ZipFile { size },
            checked: Box::new(cf),
        });
    }
    let archive = reader::read_archive(r)?;
    let prefix = format!("{path}@{version}/");
    let mut cf = CheckedFiles::default();
    let mut collisions = Collisions::default();
    let mut total: u64 = 0;
    for (index, e) in archive.entries.iter().enumerate() {
        let mut add = |reason: FileReason| {
            cf.invalid.push(FileError {
                path: lossy(&e.name),
                index: Some(index),
                reason,
            })
        };
        let Some(name) = e.name.strip_prefix(prefix.as_bytes()) else {
            add(FileReason::MissingPrefix(prefix.clone()));
            continue;
        };
        if name.is_empty() {
            continue;
        }
        let is_dir = name.ends_with(b"/");
        let name = if is_dir {
            &name[..name.len() - 1]
        } else {
            name
        };
        if clean_bytes(name) != name {
            add(FileReason::NotClean);
            continue;
        }
        let name = match names::check_file_path(name) {
            Ok(name) => name,
            Err(m) => {
                add(FileReason::InvalidPath(m));
                continue;
            }
        };
        if let Err(reason) = collisions.check(name, is_dir) {
            add(reason);
            continue;
        }
        if is_dir {
            continue;
        }
        let base = name.rsplit('/').next().unwrap_or(name);
        if names::equal_fold(base, "go.mod") {
            if base != name {
                add(FileReason::GoModNotRoot);
                continue;
            }
            if name != "go.mod" {
                add(FileReason::GoModCase);
                continue;
            }
        }
        // Go converts to int64: sizes of 2^63 and more are negative there.
        let sz = e.uncompressed_size;
        if sz <= i64::MAX as u64 && MAX_ZIP_FILE - total >= sz {
            total += sz;
        } else if cf.size_error.is_none() {
            cf.size_error = Some(SizeError::Uncompressed);
        }
        let sz_i = sz as i64;
        if name == "go.mod" && sz_i > MAX_GO_MOD as i64 {
            add(FileReason::GoModTooLarge);
            continue;
        }
        if name == "LICENSE" && sz_i > MAX_LICENSE as i64 {
            add(FileReason::LicenseTooLarge);
            continue;
        }
        cf.valid.push(lossy(&e.name));
    }
    Ok((archive, cf))
}

/// Checks a module zip as [`check_zip`] does, then reads every entry once,
/// in stored order, enforcing the declared sizes as Go's `Unzip` does and
/// the CRC-32s as `archive/zip` does, and returns the verdict with the zip's
/// `h1:` hash (the same value as [`crate::dirhash::hash_zip`]).
pub fn check_and_hash_zip<R: Read + Seek>(
    r: &mut R,
    path: &str,
    version: &str,
) -> Result<(CheckedFiles, String), ZipError> {
    check_and_hash_zip_with(r, path, version, &mut ())
}

/// Sees the content of every entry while [`check_and_hash_zip_with`] hashes it, so a caller
/// can compare it with other bytes (an extracted tree) without reading the zip twice.
///
/// Entries are visited in stored order, only after the whole zip passed [`check_zip`]'s
/// checks; the content may still turn out corrupt (a CRC or size failure), in which case the
/// call returns an error after some chunks were seen.
pub trait EntryVisitor {
    /// An entry starts; `name` is its full name, module prefix included.
    fn begin(&mut self, name: &[u8]);
    /// The next piece of the current entry's uncompressed content.
    fn data(&mut self, chunk: &[u8]);
    /// The current entry ended with all its content seen.
    fn end(&mut self);
}

impl EntryVisitor for () {
    fn begin(&mut self, _: &[u8]) {}
    fn data(&mut self, _: &[u8]) {}
    fn end(&mut self) {}
}

/// [`check_and_hash_zip`], showing every entry's content to `visitor` as it is hashed.
pub fn check_and_hash_zip_with<R: Read + Seek>(
    r: &mut R,
    path: &str,
    version: &str,
    visitor: &mut dyn EntryVisitor,
) -> Result<(CheckedFiles, String), ZipError> {
    let (archive, cf) = check_zip_inner(r, path, version)?;
    let cf = cf.into_result()?;
    let mut buf = Vec::new();
    let mut digests = Vec::with_capacity(archive.entries.len());
    for e in &archive.entries {
        if e.name.contains(&b'\n') {
            return Err(ZipError::NewlineInName);
        }
        let mut h = Sha256::new();
        visitor.begin(&e.name);
        reader::stream_entry(r, e, &mut buf, &mut |c| {
            h.update(c);
            visitor.data(c);
        })
        .map_err(|err| match err {
            ArchiveError::ExceedsDeclaredSize => ZipError::LargerThanDeclared {
                name: lossy(&e.name),
                declared: e.uncompressed_size,
            },
            other => ZipError::Archive(other),
        })?;
        visitor.end();
        digests.push((e.name.clone(), <[u8; 32]>::from(h.finalize())));
    }
    let h1 = crate::dirhash::hash1_from_digests(digests).map_err(|_| ZipError::NewlineInName)?;
    Ok((cf, h1))
}

/// What kind of file a [`SourceFile`] is (Go's `Lstat` mode).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A regular file.
    Regular,
    /// A directory.
    Directory,
    /// A symbolic link (omitted from zips).
    Symlink,
    /// Anything else: device, socket, pipe (omitted).
    Other,
}

/// Where a [`SourceFile`]'s content comes from.
#[derive(Debug, Clone)]
pub enum Content<'a> {
    /// In-memory bytes.
    Bytes(&'a [u8]),
    /// A file on disk (used by [`create_from_dir`]).
    Path(PathBuf),
}

/// One file offered for a module zip (Go's `zip.File`).
#[derive(Debug, Clone)]
pub struct SourceFile<'a> {
    /// Slash-separated path relative to the module root (bytes: may be invalid UTF-8).
    pub path: Vec<u8>,
    /// File kind, as `Lstat` reports it.
    pub kind: FileKind,
    /// Size as `Lstat` reports it; content beyond it is an error.
    pub size: u64,
    /// The content.
    pub content: Content<'a>,
}

impl<'a> SourceFile<'a> {
    /// A regular in-memory file.
    pub fn bytes(path: impl Into<Vec<u8>>, data: &'a [u8]) -> Self {
        SourceFile {
            path: path.into(),
            kind: FileKind::Regular,
            size: data.len() as u64,
            content: Content::Bytes(data),
        }
    }

    fn open(&self) -> io::Result<Box<dyn Read + 'a>> {
        match &self.content {
            Content::Bytes(b) => Ok(Box::new(*b)),
            Content::Path(p) => Ok(Box::new(fs::File::open(p)?)),
        }
    }
}

/// `isVendoredPackage`: `lang_ge_124` is whether the root go.mod declares go ≥ 1.24.
fn is_vendored(name: &[u8], lang_ge_124: bool) -> bool {
    if lang_ge_124 && name == b"vendor/modules.txt" {
        return true;
    }
    let rest = if let Some(r) = name.strip_prefix(b"vendor/") {
        r
    } else if let Some(j) = find(name, b"/vendor/") {
        // Before 1.24 the offset was miscomputed (golang.org/issue/37397);
        // the old, wrong offset is kept for older modules to keep their hashes.
        let i = if lang_ge_124 { j + 8 } else { 8 };
        &name[i.min(name.len())..]
    } else {
        return false;
    };
    rest.contains(&b'/')
}

fn find(h: &[u8], n: &[u8]) -> Option<usize> {
    h.windows(n.len()).position(|w| w == n)
}

/// Whether go.mod content declares `go` ≥ 1.24 per `modfile.ParseLax` + `version.Lang`.
fn go_mod_lang_ge_124(data: &[u8]) -> bool {
    crate::modfile::go_version_lax(data).is_some_and(|v| {
        let mut it = v.split(|c: char| !c.is_ascii_digit());
        let major: u64 = it.next().and_then(|s| s.parse().ok()).unwrap_or(0);
        let minor: u64 = it.next().and_then(|s| s.parse().ok()).unwrap_or(0);
        (major, minor) >= (1, 24)
    })
}

fn dir_of(p: &[u8]) -> &[u8] {
    match p.iter().rposition(|&b| b == b'/') {
        Some(i) => &p[..=i],
        None => b"",
    }
}

fn base_of(p: &[u8]) -> &[u8] {
    &p[dir_of(p).len()..]
}

fn lower_ascii_eq(a: &[u8], b: &[u8]) -> bool {
    std::str::from_utf8(a)
        .ok()
        .zip(std::str::from_utf8(b).ok())
        .is_some_and(|(a, b)| names::equal_fold(a, b))
}

/// Go's `checkFiles`: the verdict and the indices of the valid files.
fn check_files_inner(files: &[SourceFile<'_>]) -> (CheckedFiles, Vec<usize>) {
    let mut cf = CheckedFiles::default();
    let mut seen_err: std::collections::HashSet<Vec<u8>> = Default::default();
    let mut add = |cf: &mut CheckedFiles, p: &[u8], omitted: bool, reason: FileReason| {
        if !seen_err.insert(p.to_vec()) {
            return;
        }
        let fe = FileError {
            path: lossy(p),
            index: None,
            reason,
        };
        if omitted {
            cf.omitted.push(fe)
        } else {
            cf.invalid.push(fe)
        }
    };
    let mut have_go_mod: std::collections::HashSet<&[u8]> = Default::default();
    let mut ge_124 = false;
    for f in files {
        let (dir, base) = (dir_of(&f.path), base_of(&f.path));
        if lower_ascii_eq(base, b"go.mod") {
            if f.kind != FileKind::Regular {
                continue;
            }
            have_go_mod.insert(dir);
            if base == b"go.mod"
                && dir.is_empty()
                && let Ok(mut r) = f.open()
            {
                let mut data = Vec::new();
                if r.read_to_end(&mut data).is_ok() {
                    ge_124 = go_mod_lang_ge_124(&data);
                }
            }
        }
    }
    let in_submodule = |p: &[u8]| {
        let mut p = p;
        loop {
            let dir = dir_of(p);
            if dir.is_empty() {
                return false;
            }
            if have_go_mod.contains(dir) {
                return true;
            }
            p = &dir[..dir.len() - 1];
        }
    };
    let mut collisions = Collisions::default();
    let mut max = MAX_ZIP_FILE;
    let mut valid = Vec::new();
    for (i, f) in files.iter().enumerate() {
        let p = &f.path[..];
        if clean_bytes(p) != p {
            add(&mut cf, p, false, FileReason::NotClean);
            continue;
        }
        if p.starts_with(b"/") {
            add(&mut cf, p, false, FileReason::NotRelative);
            continue;
        }
        if is_vendored(p, ge_124) {
            add(&mut cf, p, true, FileReason::Vendored);
            continue;
        }
        if in_submodule(p) {
            add(&mut cf, p, true, FileReason::SubmoduleFile);
            continue;
        }
        if p == b".hg_archival.txt" {
            add(&mut cf, p, true, FileReason::HgArchivalTxt);
            continue;
        }
        let ps = match names::check_file_path(p) {
            Ok(ps) => ps,
            Err(m) => {
                add(&mut cf, p, false, FileReason::InvalidPath(m));
                continue;
            }
        };
        if ps.to_lowercase() == "go.mod" && ps != "go.mod" {
            add(&mut cf, p, false, FileReason::GoModCase);
            continue;
        }
        if let Err(reason) = collisions.check(ps, f.kind == FileKind::Directory) {
            add(&mut cf, p, false, reason);
            continue;
        }
        match f.kind {
            FileKind::Regular => {}
            FileKind::Symlink => {
                add(&mut cf, p, true, FileReason::Symlink);
                continue;
            }
            _ => {
                add(&mut cf, p, true, FileReason::NotRegular);
                continue;
            }
        }
        if f.size <= max {
            max -= f.size;
        } else if cf.size_error.is_none() {
            cf.size_error = Some(SizeError::SourceTree);
        }
        if ps == "go.mod" && f.size > MAX_GO_MOD {
            add(&mut cf, p, false, FileReason::GoModTooLarge);
            continue;
        }
        if ps == "LICENSE" && f.size > MAX_LICENSE {
            add(&mut cf, p, false, FileReason::LicenseTooLarge);
            continue;
        }
        cf.valid.push(ps.to_string());
        valid.push(i);
    }
    (cf, valid)
}

/// Go's `CheckFiles`: which files a module zip would contain.
pub fn check_files(files: &[SourceFile<'_>]) -> Result<CheckedFiles, ZipError> {
    check_files_inner(files).0.into_result()
}

/// Go's `Create`: writes the module zip for `files` to `w` and returns the
/// verdict (valid files are written in the order given; omitted files are
/// left out; any invalid file or size error fails before anything is written).
pub fn create<W: Write>(
    w: W,
    path: &str,
    version: &str,
    files: &[SourceFile<'_>],
) -> Result<CheckedFiles, ZipError> {
    check_module(path, version)?;
    let (cf, valid) = check_files_inner(files);
    let cf = cf.into_result()?;
    let prefix = format!("{path}@{version}/");
    let werr = |e: zip::result::ZipError| ZipError::Write(e.to_string());
    let mut zw = zip::ZipWriter::new_stream(w);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    let mut buf = vec![0u8; reader::BUF_SIZE];
    for &i in &valid {
        let f = &files[i];
        let name = lossy(&f.path);
        let mut r = f.open().map_err(|source| ZipError::Io {
            path: name.clone(),
            source,
        })?;
        zw.start_file(format!("{prefix}{name}"), opts)
            .map_err(werr)?;
        let mut left = f.size + 1;
        loop {
            let want = (buf.len() as u64).min(left) as usize;
            if want == 0 {
                return Err(ZipError::FileGrew(name));
            }
            let n = match r.read(&mut buf[..want]) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(source) => return Err(ZipError::Io { path: name, source }),
            };
            if n == 0 {
                break;
            }
            left -= n as u64;
            zw.write_all(&buf[..n])
                .map_err(|e| ZipError::Write(e.to_string()))?;
        }
        if left == 0 {
            return Err(ZipError::FileGrew(name));
        }
    }
    zw.finish().map_err(werr)?;
    Ok(cf)
}

fn os_bytes(s: &std::ffi::OsStr) -> Vec<u8> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        s.as_bytes().to_vec()
    }
    #[cfg(not(unix))]
    {
        s.to_string_lossy().into_owned().into_bytes()
    }
}

fn io_err(p: &Path) -> impl FnOnce(io::Error) -> ZipError + '_ {
    move |source| ZipError::Io {
        path: p.display().to_string(),
        source,
    }
}

/// Go's `listFilesInDir`: files (as `filepath.Walk` finds them, lexical
/// order) and the directories and files left out.
fn list_files_in_dir(dir: &Path) -> Result<(Vec<SourceFile<'static>>, Vec<FileError>), ZipError> {
    let ge_124 = fs::read(dir.join("go.mod")).is_ok_and(|d| go_mod_lang_ge_124(&d));
    let mut files = Vec::new();
    let mut omitted = Vec::new();
    let root_meta = fs::symlink_metadata(dir).map_err(io_err(dir))?;
    if !root_meta.is_dir() {
        // filepath.Walk calls the function once for a non-directory root.
        push_file(
            dir,
            b".".to_vec(),
            &root_meta,
            ge_124,
            &mut files,
            &mut omitted,
        );
        return Ok((files, omitted));
    }
    walk(dir, &[], ge_124, &mut files, &mut omitted)?;
    Ok((files, omitted))
}

fn push_file(
    path: &Path,
    slash: Vec<u8>,
    meta: &fs::Metadata,
    ge_124: bool,
    files: &mut Vec<SourceFile<'static>>,
    omitted: &mut Vec<FileError>,
) {
    if is_vendored(&slash, ge_124) {
        omitted.push(FileError {
            path: lossy(&slash),
            index: None,
            reason: FileReason::Vendored,
        });
        return;
    }
    if !meta.file_type().is_file() {
        omitted.push(FileError {
            path: lossy(&slash),
            index: None,
            reason: FileReason::NotRegular,
        });
        return;
    }
    files.push(SourceFile {
        path: slash,
        kind: FileKind::Regular,
        size: meta.len(),
        content: Content::Path(path.to_path_buf()),
    });
}

fn sorted_entries(dir: &Path) -> Result<Vec<(Vec<u8>, PathBuf)>, ZipError> {
    let mut v = Vec::new();
    for ent in fs::read_dir(dir).map_err(io_err(dir))? {
        let ent = ent.map_err(io_err(dir))?;
        v.push((os_bytes(&ent.file_name()), ent.path()));
    }
    v.sort();
    Ok(v)
}

fn walk(
    dir: &Path,
    rel: &[u8],
    ge_124: bool,
    files: &mut Vec<SourceFile<'static>>,
    omitted: &mut Vec<FileError>,
) -> Result<(), ZipError> {
    for (name, path) in sorted_entries(dir)? {
        let mut slash = rel.to_vec();
        if !slash.is_empty() {
            slash.push(b'/');
        }
        slash.extend_from_slice(&name);
        let meta = fs::symlink_metadata(&path).map_err(io_err(&path))?;
        if !meta.is_dir() {
            push_file(&path, slash, &meta, ge_124, files, omitted);
            continue;
        }
        // Go checks vendoring before anything else, but keeps walking.
        if is_vendored(&slash, ge_124) {
            omitted.push(FileError {
                path: lossy(&slash),
                index: None,
                reason: FileReason::Vendored,
            });
            walk(&path, &slash, ge_124, files, omitted)?;
            continue;
        }
        if matches!(&name[..], b".bzr" | b".git" | b".hg" | b".svn") {
            omitted.push(FileError {
                path: lossy(&slash),
                index: None,
                reason: FileReason::Vcs,
            });
            continue;
        }
        if fs::symlink_metadata(path.join("go.mod")).is_ok_and(|m| !m.is_dir()) {
            omitted.push(FileError {
                path: lossy(&slash),
                index: None,
                reason: FileReason::SubmoduleDir,
            });
            continue;
        }
        walk(&path, &slash, ge_124, files, omitted)?;
    }
    Ok(())
}

/// Go's `CheckDir`: the verdict on the files of `dir`. As in Go, every
/// path in the result is `dir` joined with the file's relative path.
pub fn check_dir(dir: &Path) -> Result<CheckedFiles, ZipError> {
    let (files, listed_omitted) = list_files_in_dir(dir)?;
    let (mut cf, _) = check_files_inner(&files);
    let join = |p: &str| dir.join(p).display().to_string();
    for v in &mut cf.valid {
        *v = join(v);
    }
    cf.omitted.extend(listed_omitted);
    for e in cf.omitted.iter_mut().chain(cf.invalid.iter_mut()) {
        e.path = join(&e.path);
    }
    cf.into_result()
}

/// Go's `CreateFromDir`: the module zip of the files under `dir` (VCS
/// directories, nested modules, vendored packages and irregular files left out).
pub fn create_from_dir<W: Write>(
    w: W,
    path: &str,
    version: &str,
    dir: &Path,
) -> Result<CheckedFiles, ZipError> {
    let (files, _) = list_files_in_dir(dir)?;
    create(w, path, version, &files)
}
