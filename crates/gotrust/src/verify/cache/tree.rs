//! Extracted trees against their zips: the walk of a tree (links and special files named,
//! never opened), its file digests, the streaming comparison with the zip's entries, and the
//! list of modified, added and missing files.

use std::collections::{BTreeSet, HashMap};
use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use gomod::modzip;
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::verify::{Change, FileChange};

/// Read buffer for hashing files of extracted trees.
pub(super) const BUF_SIZE: usize = 256 << 10;

/// A tree hashed file by file.
#[derive(Debug, Default)]
pub(super) struct Tree {
    /// (slash path relative to the root, SHA-256), in no particular order.
    pub(super) files: Vec<(String, [u8; 32])>,
    /// Symbolic links and special files: listed, never opened.
    pub(super) not_regular: Vec<String>,
    /// Files and directories with a write bit (the root included, as ".").
    pub(super) writable: Vec<String>,
}

#[cfg(unix)]
pub(super) fn is_writable(m: &fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    m.permissions().mode() & 0o222 != 0
}

#[cfg(not(unix))]
pub(super) fn is_writable(m: &fs::Metadata) -> bool {
    !m.permissions().readonly()
}

pub(super) fn lossy_name(rel: &Path) -> String {
    rel.to_string_lossy()
        .replace(std::path::MAIN_SEPARATOR, "/")
}

/// How a tree's `h1:` is known.
pub(super) enum TreeHash {
    /// From the digests of its files (`Tree::files`).
    Digests,
    /// Every file equals the zip entry of the same name and nothing else is there: the
    /// zip's `h1:`.
    SameAsZip(String),
}

/// A tree's entries, found without reading any file.
#[derive(Debug, Default)]
pub(super) struct Listing {
    /// (slash path relative to the root, path on disk) of every regular file.
    pub(super) regular: Vec<(String, PathBuf)>,
    pub(super) not_regular: Vec<String>,
    pub(super) writable: Vec<String>,
}

/// Compares the zip's entries, as they stream by, with the files of a tree
/// ([`modzip::EntryVisitor`]). Stops opening files at the first difference: the tree is then
/// hashed in full, which names every changed file.
pub(super) struct TreeComparer<'a> {
    prefix: &'a [u8],
    files: HashMap<&'a [u8], &'a Path>,
    /// Tree files that some zip entry named.
    matched: usize,
    same: bool,
    current: Option<File>,
    scratch: Vec<u8>,
}

impl<'a> TreeComparer<'a> {
    pub(super) fn new(listing: &'a Listing, prefix: &'a [u8]) -> Self {
        TreeComparer {
            prefix,
            files: listing
                .regular
                .iter()
                .map(|(rel, path)| (rel.as_bytes(), path.as_path()))
                .collect(),
            matched: 0,
            same: listing.not_regular.is_empty(),
            current: None,
            scratch: Vec::new(),
        }
    }

    /// Whether the tree holds exactly the zip's files with the zip's contents.
    pub(super) fn identical(&self) -> bool {
        self.same && self.current.is_none() && self.matched == self.files.len()
    }
}

impl modzip::EntryVisitor for TreeComparer<'_> {
    fn begin(&mut self, name: &[u8]) {
        self.current = None;
        if !self.same {
            return;
        }
        // A directory entry is part of the zip's h1: but never of a tree's (x/mod's
        // dirhash.HashZip lists every entry, HashDir only files): the hashes differ.
        let file = name
            .strip_prefix(self.prefix)
            .filter(|rel| !rel.ends_with(b"/"))
            .and_then(|rel| self.files.get(rel));
        match file.map(File::open) {
            Some(Ok(f)) => {
                self.matched += 1;
                self.current = Some(f);
            }
            _ => self.same = false,
        }
    }

    fn data(&mut self, chunk: &[u8]) {
        let Some(f) = self.current.as_mut() else {
            return;
        };
        self.scratch.resize(chunk.len(), 0);
        if f.read_exact(&mut self.scratch).is_err() || self.scratch != chunk {
            self.same = false;
            self.current = None;
        }
    }

    fn end(&mut self) {
        if let Some(mut f) = self.current.take() {
            // The file must end where the entry does.
            let mut one = [0u8; 1];
            if !matches!(f.read(&mut one), Ok(0)) {
                self.same = false;
            }
        }
    }
}

/// Walks `dir` without following symbolic links or opening files.
pub(super) fn walk_tree(dir: &Path) -> io::Result<Listing> {
    let mut tree = Listing::default();
    if is_writable(&fs::symlink_metadata(dir)?) {
        tree.writable.push(".".to_owned());
    }
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for ent in fs::read_dir(&d)? {
            let ent = ent?;
            let path = ent.path();
            let meta = fs::symlink_metadata(&path)?;
            let rel = lossy_name(path.strip_prefix(dir).unwrap_or(&path));
            if is_writable(&meta) && !meta.file_type().is_symlink() {
                tree.writable.push(rel.clone());
            }
            if meta.is_dir() {
                stack.push(path);
            } else if meta.is_file() {
                tree.regular.push((rel, path));
            } else {
                tree.not_regular.push(rel);
            }
        }
    }
    tree.not_regular.sort();
    tree.writable.sort();
    Ok(tree)
}

/// Walks `dir` (symbolic links not followed) and hashes every regular file in parallel.
pub(super) fn hash_tree(dir: &Path) -> io::Result<Tree> {
    let Listing {
        regular,
        not_regular,
        writable,
    } = walk_tree(dir)?;
    let files = regular
        .into_par_iter()
        .map(|(rel, path)| {
            let mut f = File::open(&path)?;
            let d = sha256_stream(&mut f)?;
            Ok((rel, d))
        })
        .collect::<io::Result<Vec<_>>>()?;
    Ok(Tree {
        files,
        not_regular,
        writable,
    })
}

pub(super) fn sha256_stream(r: &mut impl Read) -> io::Result<[u8; 32]> {
    thread_local! {
        // One buffer per worker thread: a fresh zeroed 256 KiB buffer per file was a
        // measurable share of the time on trees of many small files.
        static BUF: std::cell::RefCell<Vec<u8>> = std::cell::RefCell::new(vec![0u8; BUF_SIZE]);
    }
    BUF.with_borrow_mut(|buf| {
        let mut h = Sha256::new();
        loop {
            let n = match r.read(buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            h.update(&buf[..n]);
        }
        Ok(h.finalize().into())
    })
}

/// SHA-256 of every file entry of the zip, keyed by name without `prefix`. Used only when a
/// tree does not match, to name files; directory entries are skipped (extraction makes no
/// file of them).
pub(super) fn zip_digests(path: &Path, prefix: &str) -> Result<HashMap<String, [u8; 32]>, String> {
    let f = File::open(path).map_err(|e| e.to_string())?;
    let mut z = zip::ZipArchive::new(io::BufReader::new(f)).map_err(|e| e.to_string())?;
    let mut out = HashMap::new();
    for i in 0..z.len() {
        let mut ent = z.by_index(i).map_err(|e| e.to_string())?;
        if ent.is_dir() {
            continue;
        }
        let name = String::from_utf8_lossy(ent.name_raw()).into_owned();
        let name = name.strip_prefix(prefix).unwrap_or(&name).to_owned();
        // The zip already passed the size checks of check_and_hash_zip only when it verified;
        // bound the read by the 500 MiB module limit regardless.
        let d =
            sha256_stream(&mut (&mut ent).take(modzip::MAX_ZIP_FILE)).map_err(|e| e.to_string())?;
        out.insert(name, d);
    }
    Ok(out)
}

/// Files of the tree that differ from the zip's entries, sorted by name.
pub(super) fn diff(
    tree: &[(String, [u8; 32])],
    zip: &HashMap<String, [u8; 32]>,
) -> Vec<FileChange> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for (name, d) in tree {
        seen.insert(name.as_str());
        match zip.get(name) {
            Some(z) if z == d => {}
            Some(_) => out.push(FileChange {
                change: Change::Modified,
                name: name.clone(),
            }),
            None => out.push(FileChange {
                change: Change::Added,
                name: name.clone(),
            }),
        }
    }
    for name in zip.keys() {
        if !seen.contains(name.as_str()) {
            out.push(FileChange {
                change: Change::Missing,
                name: name.clone(),
            });
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name).then(a.change.cmp(&b.change)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_names_changes() {
        let a = [1u8; 32];
        let b = [2u8; 32];
        let tree = vec![
            ("x.go".to_owned(), a),
            ("new.go".to_owned(), a),
            ("y.go".to_owned(), b),
        ];
        let zip: HashMap<String, [u8; 32]> = [
            ("x.go".to_owned(), a),
            ("y.go".to_owned(), a),
            ("gone.go".to_owned(), a),
        ]
        .into();
        let d = diff(&tree, &zip);
        let got: Vec<_> = d.iter().map(|c| (c.change, c.name.as_str())).collect();
        assert_eq!(
            got,
            [
                (Change::Missing, "gone.go"),
                (Change::Added, "new.go"),
                (Change::Modified, "y.go")
            ]
        );
    }
}
