//! `TileHashReader::read_hashes` (what every inclusion and consistency proof of
//! `gotrust verify` reads through) on hostile tile data: it must authenticate every tile
//! against the signed tree hash before returning a hash from it, and never panic on tiles
//! of the wrong length, a tree size no tile covers, or indexes outside the tree.
//!
//! Input: `mode`, `fill` (records = `fill * 4 + 1`), `edit_at` (2 bytes), `edit_xor`, then
//! stored-hash indexes (little-endian u16 each, up to 16). `mode & 3` picks the tiles:
//! 0 the log's own, 1 one byte flipped, 2 one tile truncated, 3 every tile replaced by the
//! rest of the input. `mode & 4` claims a tree of one more record (with the honest hash of
//! the real tree); `mode & 8` reuses a `VerifiedTiles` set across two reads, as the client
//! does. Properties: honest tiles give exactly the log's hashes (and `tree_hash`,
//! `prove_record` and `prove_tree` agree with the log); altered tiles never yield a hash
//! that differs from the log's.
#![no_main]

#[path = "common/sumdb_world.rs"]
mod world;

use std::collections::HashMap;

use gomod::sumdb::TILE_HEIGHT;
use gomod::tlog::{
    self, HashReader, Tile, TileHashReader, TileReader, TlogError, Tree, VerifiedTiles,
};
use libfuzzer_sys::fuzz_target;
use world::Log;

struct Tiles {
    data: HashMap<Tile, Vec<u8>>,
    /// Returned for any tile not in `data`, when set.
    junk: Option<Vec<u8>>,
}

#[derive(Debug)]
struct NoTile;

impl std::fmt::Display for NoTile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("no such tile")
    }
}

impl std::error::Error for NoTile {}

impl TileReader for Tiles {
    fn height(&self) -> u32 {
        TILE_HEIGHT
    }

    fn read_tiles(&self, tiles: &[Tile]) -> Result<Vec<Vec<u8>>, TlogError> {
        tiles
            .iter()
            .map(|t| {
                self.data
                    .get(t)
                    .or(self.junk.as_ref())
                    .cloned()
                    .ok_or_else(|| TlogError::Reader(Box::new(NoTile)))
            })
            .collect()
    }

    fn save_tiles(&self, _: &[Tile], _: &[Vec<u8>]) {}
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 5 {
        return;
    }
    let (mode, fill) = (data[0], usize::from(data[1]) * 4 + 1);
    let edit_at = usize::from(u16::from_le_bytes([data[2], data[3]]));
    let edit_xor = data[4];
    let rest = &data[5..];
    let log = Log::new((0..fill).map(|i| world::filler(i).into_bytes()).collect());
    let n = log.n();
    let honest_tree = log.tree(n);
    let tree = if mode & 4 != 0 {
        Tree {
            n: n + 1,
            ..honest_tree
        }
    } else {
        honest_tree
    };
    let mut tiles: Vec<(Tile, Vec<u8>)> = log.tiles();
    let mut junk = None;
    let total: usize = tiles.iter().map(|(_, d)| d.len()).sum();
    match mode & 3 {
        1 | 2 if total > 0 => {
            let mut at = edit_at % total;
            for (_, d) in tiles.iter_mut() {
                if at < d.len() {
                    if mode & 3 == 1 {
                        d[at] ^= edit_xor;
                    } else {
                        d.truncate(at);
                    }
                    break;
                }
                at -= d.len();
            }
        }
        3 => {
            tiles.clear();
            junk = Some(rest.to_vec());
        }
        _ => {}
    }
    let honest = mode & 3 == 0 || (mode & 3 == 1 && edit_xor == 0);
    let reader = Tiles {
        data: tiles.into_iter().collect(),
        junk,
    };
    let indexes: Vec<i64> = rest
        .chunks_exact(2)
        .take(16)
        .map(|c| i64::from(i16::from_le_bytes([c[0], c[1]])))
        .collect();

    let verified = VerifiedTiles::new();
    let rounds = if mode & 8 != 0 { 2 } else { 1 };
    for _ in 0..rounds {
        let thr = if mode & 8 != 0 {
            TileHashReader::with_verified(tree, &reader, &verified)
        } else {
            TileHashReader::new(tree, &reader)
        };
        match thr.read_hashes(&indexes) {
            Ok(got) => {
                assert_eq!(got.len(), indexes.len());
                for (&i, h) in indexes.iter().zip(&got) {
                    // Any hash read must be the log's: tiles are authenticated first.
                    assert_eq!(Some(h), log.hashes.get(i as usize), "index {i} of {n}");
                }
            }
            Err(e) => {
                let in_tree = indexes
                    .iter()
                    .all(|&i| i >= 0 && i < tlog::stored_hash_index(0, n));
                assert!(
                    !(honest && mode & 4 == 0 && in_tree),
                    "honest tiles failed for {indexes:?} in {n}: {e}"
                );
            }
        }
        if let Ok(h) = tlog::tree_hash(n, &thr) {
            assert_eq!(h, honest_tree.hash);
        } else {
            assert!(!(honest && mode & 4 == 0));
        }
        let id = i64::from(edit_xor) % n;
        match tlog::prove_record(tree.n, id, &thr) {
            Ok(p) => tlog::check_record(
                &p,
                tree.n,
                tree.hash,
                id,
                log.hashes[tlog::stored_hash_index(0, id) as usize],
            )
            .expect("a proof read from authenticated tiles checks"),
            Err(_) => assert!(!(honest && mode & 4 == 0)),
        }
        let older = 1 + (edit_at as i64) % n;
        if let Ok(p) = tlog::prove_tree(tree.n, older, &thr) {
            tlog::check_tree(&p, tree.n, tree.hash, older, log.tree(older).hash)
                .expect("a tree proof read from authenticated tiles checks");
        }
    }
});
