//! Merkle paths of proven records: one append-only file per database, beside the record pack.
//!
//! Proving a record against the signed head through tiles reads and hashes the record's own
//! level-0 and level-1 tiles (about 250 hashes each, 8 KiB read each), tiles few other
//! records share: for a warm run over a few hundred records that was most of its time. The
//! hashes on the record's path up to the root of the complete 2^16-record subtree holding it
//! never change once that subtree is complete, whatever the tree size. gotrust keeps them
//! here, so a warm run lifts each record's hash to that subtree's root with 16 hashes and
//! proves the root through the few upper tiles every record shares.
//!
//! The file is a cache, not a trust anchor: the lifted hash is compared with the subtree's
//! stored hash read through tiles authenticated against the signed head, so a damaged or
//! forged path can only fail to prove (and then the record is proven the long way); it can
//! never prove a record the tree does not hold (the node hashes are SHA-256 with RFC 6962's
//! domain separation, `golang.org/x/mod/sumdb/tlog`).
//!
//! Format, per entry: the record id (8 bytes, little-endian), the path's height `H` (1 byte,
//! at most [`PATH_LEVEL_MAX`]), then `H` sibling hashes of 32 bytes, the leaf's sibling first.
//! A malformed tail (an interrupted write) ends the parse; the last entry for an id wins.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use gomod::tlog::{HASH_SIZE, Hash, node_hash};

/// The height of the subtree a stored path reaches: two tile levels (2^16 records).
pub(crate) const PATH_LEVEL_MAX: u32 = 16;
/// The largest file read; a larger one is started afresh.
const MAX_FILE_BYTES: u64 = 256 << 20;
const HEADER: usize = 9;

/// Stored paths, read on first use.
#[derive(Debug)]
pub(crate) struct PathStore {
    path: PathBuf,
    loaded: OnceLock<Loaded>,
}

#[derive(Debug)]
struct Loaded {
    /// Paths by record id: (height, siblings).
    index: Mutex<HashMap<i64, (u32, Vec<Hash>)>>,
    appender: Mutex<Option<File>>,
    /// Start the file afresh on the first append (it was too large or unreadable).
    restart: bool,
}

impl PathStore {
    pub(crate) fn new(path: PathBuf) -> Self {
        PathStore {
            path,
            loaded: OnceLock::new(),
        }
    }

    fn loaded(&self) -> &Loaded {
        self.loaded.get_or_init(|| {
            let (index, restart) = read_file(&self.path);
            Loaded {
                index: Mutex::new(index),
                appender: Mutex::new(None),
                restart,
            }
        })
    }

    /// The stored path of record `id`: its height and the sibling hashes, leaf side first.
    pub(crate) fn get(&self, id: i64) -> Option<(u32, Vec<Hash>)> {
        let index = self
            .loaded()
            .index
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        index.get(&id).cloned()
    }

    /// Appends the path of record `id` (one write, so concurrent gotrust processes do not
    /// interleave within an entry on local file systems).
    pub(crate) fn append(&self, id: i64, siblings: &[Hash]) -> io::Result<()> {
        let height = siblings.len();
        if height == 0 || height > PATH_LEVEL_MAX as usize || id < 0 {
            return Ok(());
        }
        let mut entry = Vec::with_capacity(HEADER + height * HASH_SIZE);
        entry.extend_from_slice(&id.to_le_bytes());
        entry.push(height as u8);
        for h in siblings {
            entry.extend_from_slice(&h.0);
        }
        let loaded = self.loaded();
        {
            let mut f = loaded.appender.lock().unwrap_or_else(|e| e.into_inner());
            if f.is_none() {
                if let Some(dir) = self.path.parent() {
                    std::fs::create_dir_all(dir)?;
                }
                let mut o = OpenOptions::new();
                o.create(true);
                if loaded.restart {
                    o.write(true).truncate(true);
                } else {
                    o.append(true);
                }
                *f = Some(o.open(&self.path)?);
            }
            if let Some(file) = f.as_mut() {
                file.write_all(&entry)?;
            }
        }
        loaded
            .index
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id, (height as u32, siblings.to_vec()));
        Ok(())
    }
}

/// The hash of the subtree of height `siblings.len()` holding record `id`, computed from the
/// record's hash `leaf` and the sibling hashes on its path (leaf side first).
pub(crate) fn lift(leaf: Hash, id: i64, siblings: &[Hash]) -> Hash {
    let mut node = leaf;
    for (level, sibling) in siblings.iter().enumerate() {
        node = if (id >> level) & 1 == 0 {
            node_hash(node, *sibling)
        } else {
            node_hash(*sibling, node)
        };
    }
    node
}

/// The inner nodes of a complete tile of height `height` whose data (its `2^height` hashes)
/// is `data`: every node strictly between the data and the tile's root, lowest first (the
/// `2^(height-1)` parents of the data, then theirs, ...). Computed once per tile, they give
/// the in-tile siblings of every record under it: the records of one tile share them.
pub(crate) fn tile_inner_nodes(data: &[u8], height: u32) -> Option<Vec<Hash>> {
    let width = 1usize << height;
    if data.len() < width * HASH_SIZE {
        return None;
    }
    let leaf = |i: usize| {
        Hash(
            data[i * HASH_SIZE..(i + 1) * HASH_SIZE]
                .try_into()
                .unwrap_or_default(),
        )
    };
    let mut nodes = Vec::with_capacity(width - 2);
    let mut below: Vec<Hash> = (0..width).map(leaf).collect();
    while below.len() > 2 {
        let level: Vec<Hash> = below
            .chunks_exact(2)
            .map(|pair| node_hash(pair[0], pair[1]))
            .collect();
        nodes.extend_from_slice(&level);
        below = level;
    }
    Some(nodes)
}

/// The node at local height `j` (`1..height`) and position `p` of a tile, from
/// [`tile_inner_nodes`]; for `j == 0`, the tile's own data.
pub(crate) fn tile_node(
    data: &[u8],
    nodes: &[Hash],
    height: u32,
    j: u32,
    p: usize,
) -> Option<Hash> {
    if j == 0 {
        let bytes = data.get(p * HASH_SIZE..(p + 1) * HASH_SIZE)?;
        return Some(Hash(bytes.try_into().ok()?));
    }
    // Level j starts after the levels 1..j, of 2^(height-1), 2^(height-2), ... nodes.
    let start: usize = (1..j).map(|k| 1usize << (height - k)).sum();
    nodes.get(start + p).copied()
}

/// Parses the file: the index, and whether to start the file afresh.
fn read_file(path: &Path) -> (HashMap<i64, (u32, Vec<Hash>)>, bool) {
    let mut index = HashMap::new();
    let f = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return (index, false),
        Err(_) => return (index, true),
    };
    let len = f.metadata().map_or(0, |m| m.len());
    if len > MAX_FILE_BYTES {
        return (index, true);
    }
    let mut data = Vec::with_capacity(len as usize + 1);
    if f.take(MAX_FILE_BYTES + 1).read_to_end(&mut data).is_err() {
        return (index, true);
    }
    let mut rest = &data[..];
    while rest.len() >= HEADER {
        let id = i64::from_le_bytes(rest[..8].try_into().unwrap_or_default());
        let height = usize::from(rest[8]);
        let end = HEADER + height * HASH_SIZE;
        if id < 0 || height == 0 || height > PATH_LEVEL_MAX as usize || rest.len() < end {
            break;
        }
        let siblings = rest[HEADER..end]
            .chunks_exact(HASH_SIZE)
            .map(|c| Hash(c.try_into().unwrap_or_default()))
            .collect();
        index.insert(id, (height as u32, siblings));
        rest = &rest[end..];
    }
    (index, false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use gomod::tlog::{HashReader, record_hash, stored_hash_index, stored_hashes, tree_hash};

    /// A small log held in memory: 300 records, every stored hash.
    fn log(n: i64) -> Vec<Hash> {
        struct Mem<'a>(&'a [Hash]);
        impl HashReader for Mem<'_> {
            fn read_hashes(&self, idx: &[i64]) -> Result<Vec<Hash>, gomod::tlog::TlogError> {
                Ok(idx.iter().map(|&i| self.0[i as usize]).collect())
            }
        }
        let mut all: Vec<Hash> = Vec::new();
        for i in 0..n {
            let add: Vec<Hash> =
                stored_hashes(i, format!("record {i}").as_bytes(), &Mem(&all)).unwrap();
            all.extend(add);
        }
        let _ = tree_hash(n, &Mem(&all)).unwrap();
        all
    }

    #[test]
    fn a_path_lifts_a_record_to_its_subtree_root() {
        let all = log(300);
        for id in [0i64, 1, 77, 254, 255] {
            let siblings: Vec<Hash> = (0..8)
                .map(|h| all[stored_hash_index(h, (id >> h) ^ 1) as usize])
                .collect();
            let leaf = record_hash(format!("record {id}").as_bytes());
            let top = all[stored_hash_index(8, id >> 8) as usize];
            assert_eq!(lift(leaf, id, &siblings), top, "{id}");
            // Another record's hash, or the path of another id, does not lift to the root.
            assert_ne!(lift(record_hash(b"other"), id, &siblings), top);
            assert_ne!(lift(leaf, id ^ 1, &siblings), top);
        }
    }

    #[test]
    fn tile_nodes_are_the_stored_hashes_between_levels() {
        // A 300-record log: the first level-0 tile is complete (height 8 here, as go's).
        let all = log(300);
        let data: Vec<u8> = (0..256)
            .flat_map(|i| all[stored_hash_index(0, i) as usize].0)
            .collect();
        let nodes = tile_inner_nodes(&data, 8).unwrap();
        assert_eq!(nodes.len(), 254);
        for j in 0..8u32 {
            for p in [0usize, 1, (256 >> j) - 1] {
                assert_eq!(
                    tile_node(&data, &nodes, 8, j, p),
                    Some(all[stored_hash_index(j, p as i64) as usize]),
                    "height {j} position {p}"
                );
            }
        }
        assert!(tile_inner_nodes(&data[..100], 8).is_none());
    }

    #[test]
    fn paths_survive_a_reopen_and_a_torn_tail_keeps_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db").join("paths");
        let s = PathStore::new(path.clone());
        assert!(s.get(5).is_none());
        let a: Vec<Hash> = (0..16).map(|i| Hash([i as u8; 32])).collect();
        s.append(5, &a).unwrap();
        s.append(6, &a[..8]).unwrap();
        s.append(5, &a[..8]).unwrap();
        let s = PathStore::new(path.clone());
        assert_eq!(s.get(5), Some((8, a[..8].to_vec())), "the last entry wins");
        assert_eq!(s.get(6), Some((8, a[..8].to_vec())));
        // A torn write at the end: what came before is still used.
        let mut data = std::fs::read(&path).unwrap();
        data.extend_from_slice(&7i64.to_le_bytes());
        data.extend_from_slice(&[16, 1, 2, 3]);
        std::fs::write(&path, &data).unwrap();
        let s = PathStore::new(path.clone());
        assert!(s.get(6).is_some() && s.get(7).is_none());
        // Junk: never a panic.
        for junk in [&b""[..], b"\xff", &[0u8; 9], &[0xff; 40]] {
            std::fs::write(&path, junk).unwrap();
            let s = PathStore::new(path.clone());
            assert!(s.get(0).is_none());
        }
    }
}
