//! The findings of `verify cache`: one unit of work (a `.mod`, a zip, a lone `.ziphash`, a
//! tree, or a zip with its tree) judged against the `.ziphash`, go.sum and the checksum
//! database, giving one [`ItemResult`] each.

use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use gomod::dirhash;
use gomod::modzip::{self, ZipError};
use gomod::pattern;

use super::CacheOptions;
use super::database::{Database, database_check};
use super::layout::{Entry, SumRef, ZiphashError, read_ziphash};
use super::tree::{
    BUF_SIZE, Tree, TreeComparer, TreeHash, diff, hash_tree, walk_tree, zip_digests,
};
use crate::report::Location;
use crate::verify::{
    Change, Check, FileChange, ItemKind, ItemResult, Outcome, Reference, VerifyStatus,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum UnitKind {
    Mod,
    Zip,
    Ziphash,
    Dir,
    /// A zip and its extracted tree, checked in one pass over the zip.
    ZipAndDir,
}

pub(super) struct Unit<'a> {
    pub(super) kind: UnitKind,
    pub(super) module: String,
    pub(super) version: String,
    pub(super) entry: &'a Entry,
}

impl Unit<'_> {
    /// A guess at the unit's work, for scheduling only: the zip's size on disk. A tree
    /// without its zip is hashed file by file in parallel, so it goes first too.
    pub(super) fn weight(&self) -> u64 {
        let e = self.entry;
        let zip_len = || {
            e.vdir
                .as_ref()
                .and_then(|d| fs::metadata(d.join(format!("{}.zip", e.escver))).ok())
                .map_or(0, |m| m.len())
        };
        match self.kind {
            UnitKind::Zip | UnitKind::ZipAndDir => zip_len(),
            UnitKind::Dir => u64::MAX,
            UnitKind::Mod | UnitKind::Ziphash => 0,
        }
    }
}

pub(super) struct Ctx<'a> {
    pub(super) opts: &'a CacheOptions<'a>,
    pub(super) sum: Option<&'a SumRef>,
}

impl Ctx<'_> {
    pub(super) fn run(&self, u: &Unit<'_>) -> Vec<ItemResult> {
        let e = u.entry;
        let vdir = e.vdir.as_deref();
        let file = |ext: &str| vdir.map(|d| d.join(format!("{}.{ext}", e.escver)));
        let dir = e.dir.as_deref().unwrap_or(Path::new(""));
        let ziphash = file("ziphash").filter(|_| e.ziphash);
        let mut items = match u.kind {
            UnitKind::Mod => vec![self.check_mod(u, &file("mod").unwrap_or_default())],
            UnitKind::Zip => vec![self.check_zip(
                u,
                &file("zip").unwrap_or_default(),
                file("ziphash"),
                &mut (),
            )],
            UnitKind::Ziphash => vec![self.check_ziphash(u, &file("ziphash").unwrap_or_default())],
            UnitKind::Dir => vec![self.check_dir(u, dir, ziphash, None)],
            UnitKind::ZipAndDir => {
                let zip = file("zip").unwrap_or_default();
                self.check_zip_and_dir(u, &zip, file("ziphash"), dir, ziphash)
            }
        };
        for item in &mut items {
            item.module = Some(u.module.clone());
            item.version = Some(u.version.clone());
        }
        items
    }

    /// The zip and its extracted tree in one pass: while the zip is hashed, every entry is
    /// compared byte for byte with the tree's file of the same name. When the tree holds
    /// exactly the zip's files with the zip's content, its `h1:` is the zip's (dirhash sums
    /// the same names and contents), so the tree is judged without hashing it: that halves
    /// the SHA-256 work of `go mod verify`, which hashes both. Anything else (a difference,
    /// a directory entry in the zip, a symbolic link in the tree, a zip that fails) falls back
    /// to hashing the tree file by file, exactly as [`Self::check_dir`] always does.
    fn check_zip_and_dir(
        &self,
        u: &Unit<'_>,
        zip: &Path,
        zip_ziphash: Option<PathBuf>,
        dir: &Path,
        dir_ziphash: Option<PathBuf>,
    ) -> Vec<ItemResult> {
        let listing = match walk_tree(dir) {
            Ok(l) => l,
            Err(_) => {
                // check_dir reports the error on the tree.
                let z = self.check_zip(u, zip, zip_ziphash, &mut ());
                return vec![
                    z,
                    self.check_dir(u, dir, dir_ziphash, Some(zip.to_path_buf())),
                ];
            }
        };
        let prefix = format!("{}@{}/", u.module, u.version);
        let mut cmp = TreeComparer::new(&listing, prefix.as_bytes());
        let z = self.check_zip(u, zip, zip_ziphash, &mut cmp);
        let d = match (&z.hash, cmp.identical()) {
            (Some(h), true) => self.judge_dir(
                u,
                dir,
                Tree {
                    files: Vec::new(),
                    not_regular: Vec::new(),
                    writable: listing.writable,
                },
                TreeHash::SameAsZip(h.clone()),
                dir_ziphash,
                None,
            ),
            _ => self.check_dir(u, dir, dir_ziphash, Some(zip.to_path_buf())),
        };
        vec![z, d]
    }

    /// Compares `hash` with the go.sum lines of the key, if a go.sum was given.
    fn go_sum_check(&self, module: &str, version: &str, go_mod: bool, hash: &str) -> Option<Check> {
        let s = self.sum?;
        let lines: Vec<_> = s
            .sum
            .lookup(module, version, go_mod)
            .filter(|l| l.hash.starts_with("h1:"))
            .collect();
        let at = |line: usize| Location {
            path: s.path.clone(),
            line: u32::try_from(line).ok(),
        };
        Some(match lines.iter().find(|l| l.hash == hash) {
            Some(l) => Check {
                expected: Some(l.hash.clone()),
                location: Some(at(l.line)),
                ..Check::new(Reference::GoSum, Outcome::Match)
            },
            None => match lines.first() {
                Some(l) => Check {
                    expected: Some(l.hash.clone()),
                    location: Some(at(l.line)),
                    ..Check::new(Reference::GoSum, Outcome::Mismatch)
                },
                None => Check {
                    note: Some("go.sum has no h1: line for it".to_owned()),
                    ..Check::new(Reference::GoSum, Outcome::Absent)
                },
            },
        })
    }

    /// Compares `hash` with the database's line for the key (as `sumdb.Client.Lookup` in
    /// golang.org/x/mod/sumdb/client.go: a line with another `h1:` is a mismatch; no `h1:`
    /// line for the key is not an error).
    ///
    /// The second value is set when the database could not give a verdict in a way that fails
    /// the item (an answer that did not verify, or no answer): the message to report.
    fn sumdb_check(
        &self,
        module: &str,
        version: &str,
        go_mod: bool,
        hash: &str,
    ) -> (Check, Option<String>) {
        let why = if self.opts.gosumdb == "off" {
            "GOSUMDB=off".to_owned()
        } else if pattern::match_prefix_patterns(&self.opts.gonosumdb, module) {
            "private path (matches GONOSUMDB/GOPRIVATE): never sent to the database".to_owned()
        } else {
            match self.opts.database {
                Database::Offline => "--offline".to_owned(),
                Database::Unavailable => "no checksum-database client".to_owned(),
                Database::Lookup(db) | Database::OfflineCache(db) => {
                    return database_check(db, module, version, go_mod, hash);
                }
            }
        };
        (Check::not_consulted(Reference::Sumdb, why), None)
    }

    fn check_mod(&self, u: &Unit<'_>, path: &Path) -> ItemResult {
        let mut item = ItemResult::new(ItemKind::Mod, VerifyStatus::Verified, "");
        item.path = Some(path.to_path_buf());
        let mut data = Vec::new();
        let read =
            File::open(path).and_then(|f| f.take(modzip::MAX_GO_MOD + 1).read_to_end(&mut data));
        if let Err(e) = read {
            item.status = VerifyStatus::Error;
            item.message = format!("cannot read: {e}");
            return item;
        }
        if data.len() as u64 > modzip::MAX_GO_MOD {
            item.status = VerifyStatus::Mismatch;
            item.message = format!(
                "larger than go's go.mod limit ({} bytes)",
                modzip::MAX_GO_MOD
            );
            return item;
        }
        let h = dirhash::hash_go_mod(&data);
        let sum = self.go_sum_check(&u.module, &u.version, true, &h);
        item.message = match &sum {
            Some(c) if c.outcome == Outcome::Mismatch => {
                item.status = VerifyStatus::Mismatch;
                format!(".mod has been modified: hash {h} differs from go.sum")
            }
            Some(c) if c.outcome == Outcome::Match => ".mod matches go.sum".to_owned(),
            _ => ".mod hashed; no go.sum line to compare with".to_owned(),
        };
        item.checks.extend(sum);
        let db = self.sumdb_check(&u.module, &u.version, true, &h);
        apply_db(
            &mut item,
            db,
            format!(".mod differs from the checksum database: hash {h}"),
        );
        item.hash = Some(h);
        item
    }

    fn check_zip(
        &self,
        u: &Unit<'_>,
        path: &Path,
        ziphash_path: Option<PathBuf>,
        visitor: &mut dyn modzip::EntryVisitor,
    ) -> ItemResult {
        let mut item = ItemResult::new(ItemKind::Zip, VerifyStatus::Verified, "");
        item.path = Some(path.to_path_buf());
        let hashed = File::open(path)
            .map_err(|source| ZipError::Io {
                path: path.display().to_string(),
                source,
            })
            .and_then(|f| {
                let mut r = modzip::SeekBufReader::with_capacity(BUF_SIZE, f);
                modzip::check_and_hash_zip_with(&mut r, &u.module, &u.version, visitor)
            });
        let h = match hashed {
            Ok((_, h)) => h,
            Err(ZipError::Io { source, .. }) => {
                item.status = VerifyStatus::Error;
                item.message = format!("cannot read: {source}");
                return item;
            }
            Err(e) => {
                // go checks every zip before it enters the cache: an invalid one was changed
                // after download.
                item.status = VerifyStatus::Mismatch;
                item.message = format!("zip has been modified: not a valid module zip: {e}");
                return item;
            }
        };
        let zh = ziphash_check(ziphash_path.as_deref(), &h);
        let sum = self.go_sum_check(&u.module, &u.version, false, &h);
        let zh_bad = zh.outcome == Outcome::Mismatch;
        let sum_bad = sum.as_ref().is_some_and(|c| c.outcome == Outcome::Mismatch);
        let sum_ok = sum.as_ref().is_some_and(|c| c.outcome == Outcome::Match);
        (item.status, item.message) = match (zh.outcome, zh_bad, sum_bad) {
            (_, true, false) if sum_ok => (
                VerifyStatus::Mismatch,
                ".ziphash has been modified: the zip matches go.sum but not its .ziphash"
                    .to_owned(),
            ),
            (_, true, _) | (_, _, true) => (
                VerifyStatus::Mismatch,
                format!("zip has been modified: hash {h}"),
            ),
            (Outcome::Absent, _, _) if zh.note.is_some() => {
                (VerifyStatus::Error, zh.note.clone().unwrap_or_default())
            }
            (Outcome::Absent, _, _) => (
                VerifyStatus::Missing,
                "missing ziphash (go mod verify fails on it)".to_owned(),
            ),
            _ if sum_ok => (
                VerifyStatus::Verified,
                "zip matches .ziphash and go.sum".to_owned(),
            ),
            _ => (VerifyStatus::Verified, "zip matches .ziphash".to_owned()),
        };
        item.checks.push(zh);
        item.checks.extend(sum);
        let db = self.sumdb_check(&u.module, &u.version, false, &h);
        apply_db(
            &mut item,
            db,
            format!("zip differs from the checksum database: hash {h}"),
        );
        item.hash = Some(h);
        item
    }

    fn check_ziphash(&self, u: &Unit<'_>, path: &Path) -> ItemResult {
        let mut item = ItemResult::new(ItemKind::Ziphash, VerifyStatus::Verified, "");
        item.path = Some(path.to_path_buf());
        let h = match read_ziphash(path) {
            Ok(h) => h,
            Err(ZiphashError::Unreadable(e)) => {
                item.status = VerifyStatus::Error;
                item.message = format!("unreadable .ziphash: {e}");
                return item;
            }
            Err(ZiphashError::Undecodable(why)) => {
                item.status = VerifyStatus::Error;
                item.message = format!("undecodable .ziphash: {why}");
                return item;
            }
        };
        let sum = self.go_sum_check(&u.module, &u.version, false, &h);
        item.message = match &sum {
            Some(c) if c.outcome == Outcome::Mismatch => {
                item.status = VerifyStatus::Mismatch;
                ".ziphash differs from go.sum (the zip is not in the cache)".to_owned()
            }
            Some(c) if c.outcome == Outcome::Match => {
                ".ziphash matches go.sum (the zip is not in the cache)".to_owned()
            }
            _ => "zip not in the cache; .ziphash not compared".to_owned(),
        };
        item.checks.extend(sum);
        let db = self.sumdb_check(&u.module, &u.version, false, &h);
        apply_db(
            &mut item,
            db,
            ".ziphash differs from the checksum database".to_owned(),
        );
        item.hash = Some(h);
        item
    }

    fn check_dir(
        &self,
        u: &Unit<'_>,
        dir: &Path,
        ziphash_path: Option<PathBuf>,
        zip_path: Option<PathBuf>,
    ) -> ItemResult {
        let tree = match hash_tree(dir) {
            Ok(t) => t,
            Err(e) => {
                let mut item = ItemResult::new(ItemKind::Dir, VerifyStatus::Error, "");
                item.path = Some(dir.to_path_buf());
                item.message = format!("cannot read: {e}");
                return item;
            }
        };
        self.judge_dir(u, dir, tree, TreeHash::Digests, ziphash_path, zip_path)
    }

    /// The verdict on a tree whose files were hashed (`Digests`: `tree.files`) or shown to
    /// equal the zip's entries (`SameAsZip`: the zip's `h1:`).
    fn judge_dir(
        &self,
        u: &Unit<'_>,
        dir: &Path,
        tree: Tree,
        how: TreeHash,
        ziphash_path: Option<PathBuf>,
        zip_path: Option<PathBuf>,
    ) -> ItemResult {
        let mut item = ItemResult::new(ItemKind::Dir, VerifyStatus::Verified, "");
        item.path = Some(dir.to_path_buf());
        let prefix = format!("{}@{}/", u.module, u.version);
        let writable: Vec<FileChange> = if self.opts.modcacherw {
            Vec::new()
        } else {
            tree.writable
                .iter()
                .map(|n| FileChange {
                    change: Change::Writable,
                    name: n.clone(),
                })
                .collect()
        };
        let not_regular: Vec<FileChange> = tree
            .not_regular
            .iter()
            .map(|n| FileChange {
                change: Change::NotRegular,
                name: n.clone(),
            })
            .collect();
        let same_as_zip = matches!(how, TreeHash::SameAsZip(_));
        let h = if let TreeHash::SameAsZip(h) = how {
            Some(h)
        } else if not_regular.is_empty() {
            let digests = tree
                .files
                .iter()
                .map(|(n, d)| {
                    let mut name = prefix.clone().into_bytes();
                    name.extend_from_slice(n.as_bytes());
                    (name, *d)
                })
                .collect();
            match dirhash::hash1_from_digests(digests) {
                Ok(h) => Some(h),
                Err(e) => {
                    item.status = VerifyStatus::Mismatch;
                    item.message = format!("tree has been modified: {e}");
                    return item;
                }
            }
        } else {
            None
        };
        let zh = match &h {
            Some(h) => ziphash_check(ziphash_path.as_deref(), h),
            None => ziphash_check(ziphash_path.as_deref(), ""),
        };
        let sum = h
            .as_ref()
            .and_then(|h| self.go_sum_check(&u.module, &u.version, false, h));
        let bad = !not_regular.is_empty()
            || zh.outcome == Outcome::Mismatch
            || sum.as_ref().is_some_and(|c| c.outcome == Outcome::Mismatch);
        if bad {
            item.status = VerifyStatus::Mismatch;
            let mut files = not_regular;
            match zip_path.as_deref().map(|z| zip_digests(z, &prefix)) {
                _ if same_as_zip => {
                    item.message =
                        "dir has been modified (its hash differs, yet every file matches the zip)"
                            .to_owned();
                }
                Some(Ok(zd)) => {
                    files.extend(diff(&tree.files, &zd));
                    item.message = if files.is_empty() {
                        "dir has been modified (its hash differs, yet every file matches the zip)"
                            .to_owned()
                    } else {
                        "dir has been modified".to_owned()
                    };
                }
                Some(Err(e)) => {
                    item.message =
                        format!("dir has been modified (files not named: cannot read the zip: {e})")
                }
                None => {
                    item.message =
                        "dir has been modified (files not named: the zip is not in the cache)"
                            .to_owned()
                }
            }
            item.files = files;
        } else if zh.outcome == Outcome::Absent && zh.note.is_some() {
            item.status = VerifyStatus::Error;
            item.message = zh.note.clone().unwrap_or_default();
        } else if zh.outcome == Outcome::Absent {
            item.status = VerifyStatus::Missing;
            item.message = "missing ziphash (go mod verify fails on it)".to_owned();
        } else if !writable.is_empty() {
            item.status = VerifyStatus::Writable;
            item.message = format!(
                "dir matches .ziphash but {} files or directories are writable (go makes them read-only)",
                writable.len()
            );
        } else {
            item.message = "dir matches .ziphash".to_owned();
        }
        item.files.extend(writable);
        item.checks.push(zh);
        item.checks.extend(sum);
        item.hash = h;
        item
    }
}

/// Records the database check on `item`: a mismatch makes it a mismatch with `mismatch`
/// as message (the database outranks go.sum and `.ziphash`: a consistent replacement of all
/// three is caught only here); a lookup that failed makes a verified item an error.
pub(super) fn apply_db(
    item: &mut ItemResult,
    (check, failure): (Check, Option<String>),
    mismatch: String,
) {
    if check.outcome == Outcome::Mismatch {
        item.status = VerifyStatus::Mismatch;
        item.message = mismatch;
    } else if let Some(why) = failure
        && item.status.worst(VerifyStatus::Error) == VerifyStatus::Error
    {
        item.status = VerifyStatus::Error;
        item.message = format!("{} (checksum database: {why})", item.message);
    }
    item.checks.push(check);
}

/// Compares `hash` with the `.ziphash` file, if any.
pub(super) fn ziphash_check(path: Option<&Path>, hash: &str) -> Check {
    let Some(path) = path else {
        return Check::new(Reference::Ziphash, Outcome::Absent);
    };
    let loc = Location {
        path: path.to_path_buf(),
        line: None,
    };
    match read_ziphash(path) {
        Ok(want) => Check {
            outcome: if want == hash {
                Outcome::Match
            } else {
                Outcome::Mismatch
            },
            expected: Some(want),
            location: Some(loc),
            note: None,
            against: Reference::Ziphash,
        },
        Err(ZiphashError::Unreadable(e)) if e.kind() == io::ErrorKind::NotFound => {
            Check::new(Reference::Ziphash, Outcome::Absent)
        }
        Err(e) => Check {
            note: Some(match e {
                ZiphashError::Unreadable(e) => format!("unreadable .ziphash: {e}"),
                ZiphashError::Undecodable(why) => format!("undecodable .ziphash: {why}"),
            }),
            location: Some(loc),
            ..Check::new(Reference::Ziphash, Outcome::Absent)
        },
    }
}
