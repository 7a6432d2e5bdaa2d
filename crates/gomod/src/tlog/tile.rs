//! Tiles: coordinates, paths and authenticated reading (Go's `tlog/tile.go`:
//! `TileForIndex`, `Tile.Path`, `ParseTilePath`, `TileHashReader`).

use std::collections::HashMap;
use std::fmt;

use super::{
    HASH_SIZE, Hash, HashReader, TlogError, Tree, node_hash, shl, shr, split_stored_hash_index,
    stored_hash_index, sub_tree_index,
};

/// A tile of height `h` at level `l`, number `n`, width `w`: the `w`
/// consecutive hashes `n·2^h …` of tree level `l·h` (Go's `Tile`).
///
/// `l == -1` is a data tile (record texts instead of hashes). A complete tile
/// has `w == 2^h`. Valid tiles have `1 ≤ h ≤ 30`, `1 ≤ w ≤ 2^h`, `n ≥ 0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tile {
    /// Height: the tile covers `h` tree levels (the go command uses 8).
    pub h: u32,
    /// Level in the tiling, −1 for data tiles.
    pub l: i64,
    /// Number within the level.
    pub n: i64,
    /// Width: the number of hashes (records for data tiles).
    pub w: u32,
}

fn check_height(h: u32) -> Result<(), TlogError> {
    if (1..=30).contains(&h) {
        Ok(())
    } else {
        Err(TlogError::InvalidHeight { h })
    }
}

/// `2^h` for `h < 64`; 0 otherwise (never equal to a real width).
fn full_width(h: u32) -> u64 {
    1u64.checked_shl(h).unwrap_or(0)
}

impl Tile {
    /// Reports whether this is a complete tile (`w == 2^h`).
    pub fn is_full(&self) -> bool {
        u64::from(self.w) == full_width(self.h)
    }

    /// The tile's path `tile/H/L/NNN[.p/W]` (Go's `Tile.Path`): `N` in base
    /// 1000, groups of three digits, all but the last prefixed with `x`;
    /// `L` is `data` for data tiles; `.p/W` only for partial tiles.
    pub fn path(&self) -> String {
        self.to_string()
    }

    /// The number of bytes of a hash tile's data: `w × 32`.
    pub fn data_len(&self) -> usize {
        self.w as usize * HASH_SIZE
    }
}

impl fmt::Display for Tile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Base-1000 groups, most significant first. Go prints a negative N
        // (never valid) as a single signed group; `{:03}` matches that.
        let mut groups = vec![self.n % 1000];
        let mut n = self.n;
        while n >= 1000 {
            n /= 1000;
            groups.push(n % 1000);
        }
        write!(f, "tile/{}/", self.h)?;
        if self.l == -1 {
            f.write_str("data/")?;
        } else {
            write!(f, "{}/", self.l)?;
        }
        for (i, g) in groups.iter().enumerate().rev() {
            if i > 0 {
                write!(f, "x{g:03}/")?;
            } else {
                write!(f, "{g:03}")?;
            }
        }
        if !self.is_full() {
            write!(f, ".p/{}", self.w)?;
        }
        Ok(())
    }
}

/// Go's `strconv.Atoi` for the decimal fields of a tile path: optional sign,
/// ASCII digits, within `i64`.
fn atoi(s: &str) -> Option<i64> {
    // i64::from_str accepts exactly an optional `+`/`-` and decimal digits.
    s.parse::<i64>().ok()
}

/// Parses a tile path (Go's `ParseTilePath`). Only the canonical encoding
/// produced by [`Tile::path`] is accepted.
pub fn parse_tile_path(path: &str) -> Result<Tile, TlogError> {
    let bad = || TlogError::MalformedTilePath {
        path: path.to_owned(),
    };
    let mut f: Vec<&str> = path.split('/').collect();
    if f.len() < 4 || f[0] != "tile" {
        return Err(bad());
    }
    let h = atoi(f[1]);
    let is_data = f[2] == "data";
    let l = if is_data { Some(0) } else { atoi(f[2]) };
    let (Some(h), Some(mut l)) = (h, l) else {
        return Err(bad());
    };
    if !(1..=30).contains(&h) || l < 0 {
        return Err(bad());
    }
    let h = h as u32;
    let mut w = 1i64 << h;
    let last = f.len() - 2;
    if let Some(stem) = f[last].strip_suffix(".p") {
        let ww = atoi(f[last + 1]).ok_or_else(bad)?;
        if ww <= 0 || ww >= w {
            return Err(bad());
        }
        w = ww;
        f[last] = stem;
        f.pop();
    }
    let mut n = 0i64;
    for s in &f[3..] {
        let nn = atoi(s.strip_prefix('x').unwrap_or(s)).ok_or_else(bad)?;
        if !(0..1000).contains(&nn) {
            return Err(bad());
        }
        // Go's int64 arithmetic wraps; the round trip below rejects any
        // wrapped value because it would not re-encode to the input.
        n = n.wrapping_mul(1000).wrapping_add(nn);
    }
    if is_data {
        l = -1;
    }
    let t = Tile {
        h,
        l,
        n,
        w: w as u32,
    };
    if t.path() != path {
        return Err(bad());
    }
    Ok(t)
}

/// The tile of height `h` holding stored hash `index`, with the byte range
/// of the hashes that make up that stored hash inside the tile's data.
fn tile_for_index_range(h: u32, index: i64) -> Result<(Tile, usize, usize), TlogError> {
    check_height(h)?;
    let (level, n) = split_stored_hash_index(index)?;
    let l = level / h;
    let level = level - l * h; // level inside the tile, < h ≤ 30
    let tn = shr(shl(n, u64::from(level)), u64::from(h));
    let k = n - shr(shl(tn, u64::from(h)), u64::from(level)); // n's offset inside the tile
    let w = (k + 1) << level;
    let start = (k << level) as usize * HASH_SIZE;
    let end = w as usize * HASH_SIZE;
    Ok((
        Tile {
            h,
            l: i64::from(l),
            n: tn,
            w: w as u32,
        },
        start,
        end,
    ))
}

/// The smallest tile of height `h` that holds stored hash `index` (Go's
/// `TileForIndex`; heights outside 1..=30 are an error, where Go panics or
/// computes nonsense).
pub fn tile_for_index(h: u32, index: i64) -> Result<Tile, TlogError> {
    Ok(tile_for_index_range(h, index)?.0)
}

/// The stored hash `index`, recomputed from the data of tile `t` (Go's
/// `HashFromTile`). Only the first `t.w × 32` bytes of `data` are used.
pub fn hash_from_tile(t: &Tile, data: &[u8], index: i64) -> Result<Hash, TlogError> {
    if !(1..=30).contains(&t.h)
        || !(0..64).contains(&t.l)
        || t.w < 1
        || u64::from(t.w) > full_width(t.h)
    {
        return Err(TlogError::InvalidTile { path: t.path() });
    }
    if data.len() < t.data_len() {
        return Err(TlogError::ShortTileData {
            len: data.len(),
            path: t.path(),
        });
    }
    let (t1, start, end) = tile_for_index_range(t.h, index)?;
    if t.l != t1.l || t.n != t1.n || t.w < t1.w {
        return Err(TlogError::IndexNotInTile {
            index,
            actual: t1.path(),
            given: t.path(),
        });
    }
    Ok(tile_hash(&data[start..end]))
}

/// The hash of a perfect subtree whose leaves (at the tile's level) are the
/// 32-byte hashes in `data`; `data.len()` is 32 times a power of two.
fn tile_hash(data: &[u8]) -> Hash {
    if data.len() <= HASH_SIZE {
        let mut h = [0u8; HASH_SIZE];
        h[..data.len()].copy_from_slice(data);
        return Hash(h);
    }
    let mid = data.len() / 2;
    node_hash(tile_hash(&data[..mid]), tile_hash(&data[mid..]))
}

/// The tiles of height `h` to publish when a tree grows from `old` to `new`
/// records (Go's `NewTiles`): every new complete tile at every level, then
/// the partial tile, if any, ending the level.
///
/// Requires `1 ≤ h ≤ 30` and `0 ≤ old ≤ new` (Go does not check; it panics
/// on bad heights and lists odd tiles for the rest). The list has about
/// `(new − old) / 2^h` entries: callers bound the sizes.
pub fn new_tiles(h: u32, old: i64, new: i64) -> Result<Vec<Tile>, TlogError> {
    check_height(h)?;
    if old < 0 || new < old {
        return Err(TlogError::InvalidInputs { func: "NewTiles" });
    }
    let hh = u64::from(h);
    let mut tiles = Vec::new();
    let mut level = 0u64;
    while shr(new, hh * level) > 0 {
        let old_n = shr(old, hh * level);
        let new_n = shr(new, hh * level);
        if old_n != new_n {
            for n in (old_n >> hh)..(new_n >> hh) {
                tiles.push(Tile {
                    h,
                    l: level as i64,
                    n,
                    w: 1 << h,
                });
            }
            let n = new_n >> hh;
            let w = new_n - (n << hh);
            if w > 0 {
                tiles.push(Tile {
                    h,
                    l: level as i64,
                    n,
                    w: w as u32,
                });
            }
        }
        level += 1;
    }
    Ok(tiles)
}

/// The data of hash tile `t` (its hashes concatenated), read from the stored
/// hashes of `r` (Go's `ReadTileData`). A width of 0 means a complete tile.
///
/// The work and memory are proportional to `t.w`, up to 2^30 hashes for a
/// tile of height 30: a server answering tile requests should accept only
/// its own height (8) before calling this, as a parsed path may carry any
/// height in 1..=30. Data tiles (`l == -1`) are not hash tiles and are refused.
pub fn read_tile_data<R: HashReader + ?Sized>(t: &Tile, r: &R) -> Result<Vec<u8>, TlogError> {
    if !(1..=30).contains(&t.h) || !(0..64).contains(&t.l) || u64::from(t.w) > full_width(t.h) {
        return Err(TlogError::InvalidTile { path: t.path() });
    }
    let size = if t.w == 0 { 1u32 << t.h } else { t.w };
    let start = shl(t.n, u64::from(t.h));
    let level = t.h * t.l as u32;
    let indexes: Vec<i64> = (0..i64::from(size))
        .map(|i| stored_hash_index(level, start.wrapping_add(i)))
        .collect();
    let hashes = r.read_hashes(&indexes)?;
    if hashes.len() != indexes.len() {
        return Err(TlogError::WrongHashCount {
            want: indexes.len(),
            got: hashes.len(),
        });
    }
    Ok(hashes.iter().flat_map(|h| h.0).collect())
}

/// A source of tiles, typically a server plus a cache (Go's `TileReader`).
pub trait TileReader {
    /// The tile height, 1..=30 (8 for the Go checksum database).
    fn height(&self) -> u32;

    /// The data of each tile, in order. A partial tile may be served from
    /// the first `w × 32` bytes of the complete tile. The data need not be
    /// authentic: [`TileHashReader`] checks it.
    fn read_tiles(&self, tiles: &[Tile]) -> Result<Vec<Vec<u8>>, TlogError>;

    /// Called with tiles that [`TileHashReader`] has authenticated, so the
    /// reader may cache them. `data[i]` is the data of `tiles[i]`.
    fn save_tiles(&self, tiles: &[Tile], data: &[Vec<u8>]);
}

/// Reads stored hashes of `tree` from untrusted tiles, checking every tile
/// against the tree's root hash before using it (Go's `TileHashReader`,
/// tlog/tile.go).
///
/// Reading `stored_hash_index(0, i)` through it is therefore an inclusion
/// proof of record `i`, and [`tree_hash`](super::tree_hash) of an older size a
/// consistency proof.
#[derive(Debug)]
pub struct TileHashReader<'a, R: TileReader + ?Sized> {
    tree: Tree,
    reader: &'a R,
    verified: Option<&'a VerifiedTiles>,
}

impl<'a, R: TileReader + ?Sized> TileHashReader<'a, R> {
    /// A reader of `tree`'s hashes from the tiles of `reader`.
    pub fn new(tree: Tree, reader: &'a R) -> Self {
        TileHashReader {
            tree,
            reader,
            verified: None,
        }
    }

    /// Like [`new`](Self::new), but tiles already authenticated against this same `tree`
    /// are taken from `verified` without being read or hashed again, and newly
    /// authenticated ones are added to it. Go's client re-hashes every tile on every
    /// lookup; with thousands of lookups against one tree head that hashing dominates.
    pub fn with_verified(tree: Tree, reader: &'a R, verified: &'a VerifiedTiles) -> Self {
        TileHashReader {
            tree,
            reader,
            verified: Some(verified),
        }
    }
}

/// Tiles authenticated against one tree head, shared by the [`TileHashReader`]s of that
/// head. Only tiles that passed every check of [`TileHashReader`] enter it; it forgets
/// everything when asked about another tree, and stops growing at a fixed number of tiles.
#[derive(Debug, Default)]
pub struct VerifiedTiles {
    inner: std::sync::Mutex<(Tree, TileSet)>,
}

/// Authenticated tile data by tile.
type TileSet = HashMap<Tile, std::sync::Arc<[u8]>>;

/// The most tiles a [`VerifiedTiles`] keeps (8 MiB of hashes at height 8).
const VERIFIED_TILES_MAX: usize = 1024;

impl VerifiedTiles {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    fn get(&self, tree: Tree, t: &Tile) -> Option<std::sync::Arc<[u8]>> {
        let g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if g.0 != tree {
            return None;
        }
        g.1.get(t).cloned()
    }

    fn put(&self, tree: Tree, tiles: impl Iterator<Item = (Tile, std::sync::Arc<[u8]>)>) {
        let mut g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if g.0 != tree {
            *g = (tree, HashMap::new());
        }
        for (t, d) in tiles {
            if g.1.len() >= VERIFIED_TILES_MAX {
                break;
            }
            g.1.insert(t, d);
        }
    }
}

/// The tile `k` levels above `t` in a tree of `n` records, widened to the
/// widest tile that exists for that size; `None` if there is none.
fn tile_parent(t: Tile, k: u32, n: i64) -> Option<Tile> {
    let h = u64::from(t.h);
    let mut t = t;
    t.l += i64::from(k);
    t.n = shr(t.n, u64::from(k) * h);
    t.w = 1 << t.h;
    let max = shr(n, (t.l as u64).saturating_mul(h));
    let first = shl(t.n, h);
    if first + i64::from(t.w) >= max {
        if first >= max {
            return None;
        }
        t.w = (max - first) as u32;
    }
    Some(t)
}

impl<R: TileReader + ?Sized> HashReader for TileHashReader<'_, R> {
    fn read_hashes(&self, indexes: &[i64]) -> Result<Vec<Hash>, TlogError> {
        let h = self.reader.height();
        check_height(h)?;
        let tree_n = self.tree.n;
        let bad_math = |detail: String| TlogError::BadMath { detail };

        let mut order: HashMap<Tile, usize> = HashMap::new();
        let mut tiles: Vec<Tile> = Vec::new();

        // The tiles holding the subtree hashes that make up the root.
        let stx = if tree_n > 0 {
            sub_tree_index(0, tree_n, Vec::new())
        } else {
            Vec::new()
        };
        let mut stx_tile = Vec::with_capacity(stx.len());
        for &x in &stx {
            let t = tile_for_index(h, x)?;
            let t = tile_parent(t, 0, tree_n)
                .ok_or_else(|| bad_math(format!("{tree_n} {x}: no tile")))?;
            let j = *order.entry(t).or_insert_with(|| {
                tiles.push(t);
                tiles.len() - 1
            });
            stx_tile.push(j);
        }

        // The tiles holding the requested hashes, plus the parents linking
        // them to the tiles already planned.
        let root_index = stored_hash_index(0, tree_n);
        let mut index_tile = Vec::with_capacity(indexes.len());
        for &x in indexes {
            if x < 0 || x >= root_index || tree_n <= 0 {
                return Err(TlogError::IndexesNotInTree);
            }
            let t = tile_for_index(h, x)?;
            let mut k = 0u32;
            let found = loop {
                if k > 64 {
                    return Err(bad_math(format!("{tree_n} {x}: no planned ancestor")));
                }
                if let Some(j) = tile_parent(t, k, tree_n).and_then(|p| order.get(&p)) {
                    break *j;
                }
                k += 1;
            };
            let mut slot = found;
            for kk in (0..k).rev() {
                let p = tile_parent(t, kk, tree_n)
                    .ok_or_else(|| bad_math(format!("{tree_n} {x}: lost tile")))?;
                if !p.is_full() {
                    return Err(bad_math(format!("{tree_n} {x} {}", p.path())));
                }
                order.insert(p, tiles.len());
                slot = tiles.len();
                tiles.push(p);
            }
            index_tile.push(slot);
        }

        // Tiles authenticated earlier against this tree are not read again.
        let known: Vec<Option<std::sync::Arc<[u8]>>> = tiles
            .iter()
            .map(|t| self.verified.and_then(|v| v.get(self.tree, t)))
            .collect();
        let missing: Vec<Tile> = tiles
            .iter()
            .zip(&known)
            .filter(|(_, k)| k.is_none())
            .map(|(t, _)| *t)
            .collect();
        let fresh = if missing.is_empty() {
            Vec::new()
        } else {
            self.reader.read_tiles(&missing)?
        };
        if fresh.len() != missing.len() {
            return Err(TlogError::BadTileResult {
                detail: format!("len={}, want {}", fresh.len(), missing.len()),
            });
        }
        for (t, d) in missing.iter().zip(&fresh) {
            if d.len() != t.data_len() {
                return Err(TlogError::BadTileResult {
                    detail: format!("{} len={}, want {}", t.path(), d.len(), t.data_len()),
                });
            }
        }
        let mut fresh_iter = fresh.iter();
        let data: Vec<&[u8]> = known
            .iter()
            .map(|k| match k {
                Some(d) => Ok(&d[..]),
                None => fresh_iter
                    .next()
                    .map(Vec::as_slice)
                    .ok_or_else(|| bad_math("tile data lost".into())),
            })
            .collect::<Result<_, _>>()?;
        let is_known = |j: usize| known[j].is_some();

        // The tiles on the root's path must hash to the signed root (already shown when
        // every one of them was authenticated against this tree before).
        let root_known = !stx_tile.is_empty() && stx_tile.iter().all(|&j| is_known(j));
        if !root_known {
            let mut th: Option<Hash> = None;
            for (i, &x) in stx.iter().enumerate().rev() {
                let j = stx_tile[i];
                let sub = hash_from_tile(&tiles[j], data[j], x)?;
                th = Some(match th {
                    None => sub,
                    Some(acc) => node_hash(sub, acc),
                });
            }
            if let Some(th) = th
                && th != self.tree.hash
            {
                return Err(TlogError::InconsistentTile);
            }
            if th.is_none() && self.tree.hash != Hash::default() {
                // An empty tree has no tiles: Go compares its zero hash with
                // the root and fails the same way.
                return Err(TlogError::InconsistentTile);
            }
        }

        // Every other tile must hash to its entry in its parent tile.
        let first_other = stx_tile.last().map_or(0, |&j| j + 1);
        for i in first_other..tiles.len() {
            if is_known(i) {
                continue;
            }
            let t = tiles[i];
            let p = tile_parent(t, 1, tree_n)
                .ok_or_else(|| bad_math(format!("{tree_n}: lost parent of {}", t.path())))?;
            let j = *order
                .get(&p)
                .ok_or_else(|| bad_math(format!("{tree_n}: lost parent of {}", t.path())))?;
            let want = hash_from_tile(&p, data[j], stored_hash_index(p.h * p.l as u32, t.n))
                .map_err(|e| bad_math(format!("{tree_n}: lost hash of {}: {e}", t.path())))?;
            if want != tile_hash(data[i]) {
                return Err(TlogError::InconsistentTile);
            }
        }

        if !missing.is_empty() {
            self.reader.save_tiles(&missing, &fresh);
            if let Some(v) = self.verified {
                v.put(
                    self.tree,
                    missing
                        .iter()
                        .zip(&fresh)
                        .map(|(t, d)| (*t, std::sync::Arc::from(d.as_slice()))),
                );
            }
        }

        indexes
            .iter()
            .zip(&index_tile)
            .map(|(&x, &j)| hash_from_tile(&tiles[j], data[j], x))
            .collect()
    }
}
