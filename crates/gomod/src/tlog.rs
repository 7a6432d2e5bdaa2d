//! The checksum database's transparency log, as `golang.org/x/mod/sumdb/tlog`
//! (`tlog.go`, `tile.go`, `note.go`).
//!
//! A log is an RFC 6962 Merkle tree over records (tlog.go: `RecordHash`, `NodeHash`). Every complete
//! subtree hash is stored at a dense *stored hash index*; tiles (tile.go) group
//! those hashes for serving; proofs (tlog.go: `ProveRecord`, `ProveTree`) show that a record is in a tree and
//! that an older tree is a prefix of a newer one; [`TileHashReader`] (tile.go)
//! reads hashes from untrusted tiles and authenticates them against a signed
//! tree head.
//!
//! Index arithmetic wraps exactly as Go's `int64` does, so out-of-range inputs
//! give Go's (meaningless) answers or an error, never a panic.

use std::fmt;
use std::str::FromStr;

use sha2::{Digest, Sha256};

use crate::note::b64;

mod tile;
mod tree;

pub use tile::{
    Tile, TileHashReader, TileReader, VerifiedTiles, hash_from_tile, new_tiles, parse_tile_path,
    read_tile_data, tile_for_index,
};
pub use tree::{MAX_TREE_TEXT, Tree, format_record, format_tree, parse_record, parse_tree};

/// The size of a [`struct@Hash`] in bytes.
pub const HASH_SIZE: usize = 32;

/// A SHA-256 hash of a record or a subtree.
///
/// Displays (and parses, via [`FromStr`]) as standard base64, as Go's `Hash.String`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Hash(pub [u8; HASH_SIZE]);

/// The hash of the empty tree: SHA-256 of no bytes, as x/mod ≥ v0.19.0
/// (earlier versions used 32 zero bytes; tlog.go `emptyHash`).
pub const EMPTY_TREE_HASH: Hash = Hash([
    0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
    0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
]);

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&b64::encode(&self.0))
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({self})")
    }
}

impl FromStr for Hash {
    type Err = TlogError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_hash(s)
    }
}

impl AsRef<[u8]> for Hash {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// Parses a base64 hash (Go's `ParseHash`): it must decode to exactly 32 bytes.
pub fn parse_hash(s: &str) -> Result<Hash, TlogError> {
    b64::decode(s.as_bytes())
        .and_then(|d| <[u8; HASH_SIZE]>::try_from(d).ok())
        .map(Hash)
        .ok_or_else(|| TlogError::MalformedHash {
            input: s.to_owned(),
        })
}

/// An error from log arithmetic, tiles, proofs, tree notes and records.
///
/// The `Display` texts are Go's.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlogError {
    /// A string is not the base64 of 32 bytes.
    #[error("malformed hash")]
    MalformedHash {
        /// The input.
        input: String,
    },
    /// A negative stored hash index (Go panics).
    #[error("tlog: invalid stored hash index {index}")]
    InvalidIndex {
        /// The index.
        index: i64,
    },
    /// A tile height outside 1..=30.
    #[error("tlog: invalid tile height {h}")]
    InvalidHeight {
        /// The height.
        h: u32,
    },
    /// A tile that cannot hold hashes (bad H, L or W).
    #[error("invalid tile {path}")]
    InvalidTile {
        /// The tile's path.
        path: String,
    },
    /// Tile data shorter than the tile's width.
    #[error("data len {len} too short for tile {path}")]
    ShortTileData {
        /// Bytes given.
        len: usize,
        /// The tile's path.
        path: String,
    },
    /// The requested stored hash is not in the given tile.
    #[error("index {index} is in {actual} not {given}")]
    IndexNotInTile {
        /// The stored hash index.
        index: i64,
        /// The tile holding it.
        actual: String,
        /// The tile given.
        given: String,
    },
    /// A tile path does not parse or is not canonical.
    #[error("malformed tile path {}", crate::strconv::quote(path))]
    MalformedTilePath {
        /// The path.
        path: String,
    },
    /// A hash reader returned the wrong number of hashes.
    #[error("tlog: ReadHashes({want} indexes) = {got} hashes")]
    WrongHashCount {
        /// Hashes requested.
        want: usize,
        /// Hashes returned.
        got: usize,
    },
    /// A hash reader cannot serve an index (e.g. beyond its stored hashes).
    #[error("tlog: stored hash index {index} not available")]
    HashNotAvailable {
        /// The index.
        index: i64,
    },
    /// Arguments out of range for a proof function (`func` is Go's name).
    #[error("tlog: invalid inputs in {func}")]
    InvalidInputs {
        /// `ProveRecord`, `CheckRecord`, `ProveTree`, `CheckTree`, `NewTiles`.
        func: &'static str,
    },
    /// A proof does not verify.
    #[error("invalid transparency proof")]
    ProofFailed,
    /// A tile-authenticated read asked for hashes beyond the tree.
    #[error("indexes not in tree")]
    IndexesNotInTree,
    /// A tile reader returned the wrong number or size of tiles.
    #[error("TileReader returned bad result slice ({detail})")]
    BadTileResult {
        /// What was wrong.
        detail: String,
    },
    /// Tiles do not hash to the signed tree root (or to their parent tile):
    /// the server's tiles are inconsistent with its signed tree.
    #[error("downloaded inconsistent tile")]
    InconsistentTile,
    /// An internal invariant failed; a bug, never expected.
    #[error("bad math in tileHashReader: {detail}")]
    BadMath {
        /// Details.
        detail: String,
    },
    /// A tree note text is malformed (note.go `ParseTree`).
    #[error("malformed tree note")]
    MalformedTree,
    /// A record is malformed (note.go `ParseRecord`).
    #[error("malformed record data")]
    MalformedRecord,
    /// An error from a [`HashReader`] or [`TileReader`] implementation, passed through.
    #[error("{0}")]
    Reader(Box<dyn std::error::Error + Send + Sync>),
}

/// Go's `x >> s` for `int64` (arithmetic; shifts ≥ 64 give 0 or −1).
pub(crate) fn shr(x: i64, s: u64) -> i64 {
    if s >= 64 {
        if x < 0 { -1 } else { 0 }
    } else {
        x >> s
    }
}

/// Go's `x << s` for `int64` (bits shifted out are lost; shifts ≥ 64 give 0).
pub(crate) fn shl(x: i64, s: u64) -> i64 {
    if s >= 64 { 0 } else { x << s }
}

/// The largest power of two `≤ d` (for `d ≥ 1`) and its log.
///
/// Go computes this as "largest power of two strictly below `d + 1`", which
/// overflows for `d = i64::MAX`; this form cannot.
fn maxpow2_le(d: i64) -> (i64, u32) {
    let l = 63 - d.max(1).leading_zeros();
    (1i64 << l, l)
}

/// The largest power of two strictly less than `n` (for `n ≥ 2`) and its log.
fn maxpow2(n: i64) -> (i64, u32) {
    maxpow2_le(n - 1)
}

/// The hash of a record: SHA-256(`0x00` ‖ `data`).
pub fn record_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data);
    Hash(h.finalize().into())
}

/// The hash of an interior node: SHA-256(`0x01` ‖ `left` ‖ `right`).
pub fn node_hash(left: Hash, right: Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left.0);
    h.update(right.0);
    Hash(h.finalize().into())
}

/// The index of the stored hash of the `n`th node at `level` (level 0 =
/// records), in the order a log stores them (Go's `StoredHashIndex`).
pub fn stored_hash_index(level: u32, n: i64) -> i64 {
    // Go repeats n = 2n+1 `level` times; after 64 rounds n is −1 for good,
    // so stopping there gives the same answer without looping 2^32 times.
    let mut n = n;
    for _ in 0..level.min(64) {
        n = n.wrapping_mul(2).wrapping_add(1);
    }
    let mut i = 0i64;
    while n > 0 {
        i = i.wrapping_add(n);
        n >>= 1;
    }
    i.wrapping_add(i64::from(level))
}

/// The inverse of [`stored_hash_index`]: `(level, n)` of a stored hash
/// index (Go's `SplitStoredHashIndex`; negative indexes are an error where
/// Go panics).
pub fn split_stored_hash_index(index: i64) -> Result<(u32, i64), TlogError> {
    if index < 0 {
        return Err(TlogError::InvalidIndex { index });
    }
    // The leaf n·2 is at index ≥ 2n, so the answer's leaf is at most index/2;
    // walk forward over the leaves whose subtrees end before index.
    let mut n = index / 2;
    let mut index_n = stored_hash_index(0, n);
    loop {
        let x = index_n.checked_add(1 + i64::from((n + 1).trailing_zeros()));
        let Some(x) = x.filter(|&x| x <= index) else {
            break;
        };
        n += 1;
        index_n = x;
    }
    let level = (index - index_n) as u32;
    Ok((level, shr(n, u64::from(level))))
}

/// The number of stored hashes a log of `n` records holds (Go's `StoredHashCount`).
pub fn stored_hash_count(n: i64) -> i64 {
    if n <= 0 {
        // Go returns 0 for n == 0; for negative n its answer is meaningless.
        return 0;
    }
    let mut count = stored_hash_index(0, n - 1).wrapping_add(1);
    let mut i = (n - 1) as u64;
    while i & 1 != 0 {
        count = count.wrapping_add(1);
        i >>= 1;
    }
    count
}

/// The hashes to store when appending record `n` with contents `data`:
/// its record hash, then each newly completed parent (Go's `StoredHashes`).
/// `r` must serve the hashes already stored for records `0..n`.
pub fn stored_hashes<R: HashReader + ?Sized>(
    n: i64,
    data: &[u8],
    r: &R,
) -> Result<Vec<Hash>, TlogError> {
    stored_hashes_for_record_hash(n, record_hash(data), r)
}

/// [`stored_hashes`] given the record hash instead of the record.
pub fn stored_hashes_for_record_hash<R: HashReader + ?Sized>(
    n: i64,
    h: Hash,
    r: &R,
) -> Result<Vec<Hash>, TlogError> {
    if n < 0 {
        return Err(TlogError::InvalidIndex { index: n });
    }
    let m = n.wrapping_add(1).trailing_zeros();
    // The left siblings, topmost first as Go requests them.
    let indexes: Vec<i64> = (0..m)
        .rev()
        .map(|i| stored_hash_index(i, shr(n, u64::from(i)) - 1))
        .collect();
    let old = read_exact(r, &indexes)?;
    let mut hashes = Vec::with_capacity(m as usize + 1);
    hashes.push(h);
    let mut h = h;
    for i in 0..m as usize {
        h = node_hash(old[m as usize - 1 - i], h);
        hashes.push(h);
    }
    Ok(hashes)
}

/// A source of stored hashes by index (Go's `HashReader`).
pub trait HashReader {
    /// The hashes at `indexes`, in order; exactly one per index.
    fn read_hashes(&self, indexes: &[i64]) -> Result<Vec<Hash>, TlogError>;
}

/// Any function from indexes to hashes is a reader (Go's `HashReaderFunc`).
impl<F> HashReader for F
where
    F: Fn(&[i64]) -> Result<Vec<Hash>, TlogError>,
{
    fn read_hashes(&self, indexes: &[i64]) -> Result<Vec<Hash>, TlogError> {
        self(indexes)
    }
}

/// All stored hashes of a log in index order form a reader.
impl HashReader for [Hash] {
    fn read_hashes(&self, indexes: &[i64]) -> Result<Vec<Hash>, TlogError> {
        indexes
            .iter()
            .map(|&i| {
                usize::try_from(i)
                    .ok()
                    .and_then(|u| self.get(u))
                    .copied()
                    .ok_or(TlogError::HashNotAvailable { index: i })
            })
            .collect()
    }
}

impl HashReader for Vec<Hash> {
    fn read_hashes(&self, indexes: &[i64]) -> Result<Vec<Hash>, TlogError> {
        self.as_slice().read_hashes(indexes)
    }
}

/// Reads `indexes` and checks that the reader returned one hash per index.
fn read_exact<R: HashReader + ?Sized>(r: &R, indexes: &[i64]) -> Result<Vec<Hash>, TlogError> {
    if indexes.is_empty() {
        // Go still calls the reader; an empty read has nothing to check.
        let got = r.read_hashes(indexes)?;
        return if got.is_empty() {
            Ok(got)
        } else {
            Err(TlogError::WrongHashCount {
                want: 0,
                got: got.len(),
            })
        };
    }
    let got = r.read_hashes(indexes)?;
    if got.len() != indexes.len() {
        return Err(TlogError::WrongHashCount {
            want: indexes.len(),
            got: got.len(),
        });
    }
    Ok(got)
}

/// The root hash of the tree of the first `n` records (Go's `TreeHash`);
/// [`EMPTY_TREE_HASH`] for `n == 0`.
pub fn tree_hash<R: HashReader + ?Sized>(n: i64, r: &R) -> Result<Hash, TlogError> {
    if n <= 0 {
        // Go answers n == 0 with the empty hash and has no meaning for n < 0.
        return if n == 0 {
            Ok(EMPTY_TREE_HASH)
        } else {
            Err(TlogError::InvalidInputs { func: "TreeHash" })
        };
    }
    let indexes = sub_tree_index(0, n, Vec::new());
    let hashes = read_exact(r, &indexes)?;
    let (h, rest) = sub_tree_hash(0, n, &hashes);
    debug_assert!(rest.is_empty());
    Ok(h)
}

/// Appends to `need` the stored hash indexes of the maximal perfect subtrees
/// covering `[lo, hi)`, left to right (the RFC 6962 decomposition).
pub(crate) fn sub_tree_index(mut lo: i64, hi: i64, mut need: Vec<i64>) -> Vec<i64> {
    while lo < hi {
        let (k, level) = maxpow2_le(hi - lo);
        need.push(stored_hash_index(level, lo >> level));
        lo += k;
    }
    need
}

/// Combines the subtree hashes of `[lo, hi)` taken from the front of
/// `hashes` into one hash; returns it with the unused rest.
fn sub_tree_hash(mut lo: i64, hi: i64, hashes: &[Hash]) -> (Hash, &[Hash]) {
    let mut count = 0usize;
    while lo < hi {
        let (k, _) = maxpow2_le(hi - lo);
        count += 1;
        lo += k;
    }
    // Callers pass exactly the hashes sub_tree_index asked for.
    let count = count.min(hashes.len()).max(1);
    let mut h = hashes[count - 1];
    for i in (0..count - 1).rev() {
        h = node_hash(hashes[i], h);
    }
    (h, &hashes[count..])
}

/// A proof that a record is in a tree: sibling hashes, leaf side first.
pub type RecordProof = Vec<Hash>;

/// A proof that a tree is a prefix of a larger tree.
pub type TreeProof = Vec<Hash>;

/// The proof that record `n` is in the tree of size `t` (Go's `ProveRecord`).
pub fn prove_record<R: HashReader + ?Sized>(
    t: i64,
    n: i64,
    r: &R,
) -> Result<RecordProof, TlogError> {
    if t < 0 || n < 0 || n >= t {
        return Err(TlogError::InvalidInputs {
            func: "ProveRecord",
        });
    }
    let indexes = leaf_proof_index(0, t, n, Vec::new());
    if indexes.is_empty() {
        return Ok(Vec::new());
    }
    let hashes = read_exact(r, &indexes)?;
    let (p, _) = leaf_proof(0, t, n, &hashes);
    Ok(p)
}

fn leaf_proof_index(lo: i64, hi: i64, n: i64, mut need: Vec<i64>) -> Vec<i64> {
    if lo + 1 == hi {
        return need;
    }
    let (k, _) = maxpow2(hi - lo);
    if n < lo + k {
        need = leaf_proof_index(lo, lo + k, n, need);
        sub_tree_index(lo + k, hi, need)
    } else {
        need = sub_tree_index(lo, lo + k, need);
        leaf_proof_index(lo + k, hi, n, need)
    }
}

fn leaf_proof(lo: i64, hi: i64, n: i64, hashes: &[Hash]) -> (RecordProof, &[Hash]) {
    if lo + 1 == hi {
        return (Vec::new(), hashes);
    }
    let (k, _) = maxpow2(hi - lo);
    let (mut p, th, rest) = if n < lo + k {
        let (p, rest) = leaf_proof(lo, lo + k, n, hashes);
        let (th, rest) = sub_tree_hash(lo + k, hi, rest);
        (p, th, rest)
    } else {
        let (th, rest) = sub_tree_hash(lo, lo + k, hashes);
        let (p, rest) = leaf_proof(lo + k, hi, n, rest);
        (p, th, rest)
    };
    p.push(th);
    (p, rest)
}

/// Verifies that `p` proves record `n` with hash `h` is in the tree of size
/// `t` with root `th` (Go's `CheckRecord`).
pub fn check_record(p: &[Hash], t: i64, th: Hash, n: i64, h: Hash) -> Result<(), TlogError> {
    if t < 0 || n < 0 || n >= t {
        return Err(TlogError::InvalidInputs {
            func: "CheckRecord",
        });
    }
    if run_record_proof(p, 0, t, n, h)? == th {
        Ok(())
    } else {
        Err(TlogError::ProofFailed)
    }
}

fn run_record_proof(p: &[Hash], lo: i64, hi: i64, n: i64, leaf: Hash) -> Result<Hash, TlogError> {
    if lo + 1 == hi {
        return if p.is_empty() {
            Ok(leaf)
        } else {
            Err(TlogError::ProofFailed)
        };
    }
    let Some((&sibling, rest)) = p.split_last() else {
        return Err(TlogError::ProofFailed);
    };
    let (k, _) = maxpow2(hi - lo);
    if n < lo + k {
        Ok(node_hash(
            run_record_proof(rest, lo, lo + k, n, leaf)?,
            sibling,
        ))
    } else {
        Ok(node_hash(
            sibling,
            run_record_proof(rest, lo + k, hi, n, leaf)?,
        ))
    }
}

/// The proof that the tree of size `n` is a prefix of the tree of size `t`
/// (Go's `ProveTree`).
pub fn prove_tree<R: HashReader + ?Sized>(t: i64, n: i64, r: &R) -> Result<TreeProof, TlogError> {
    if t < 1 || n < 1 || n > t {
        return Err(TlogError::InvalidInputs { func: "ProveTree" });
    }
    let indexes = tree_proof_index(0, t, n, Vec::new());
    if indexes.is_empty() {
        return Ok(Vec::new());
    }
    let hashes = read_exact(r, &indexes)?;
    let (p, _) = tree_proof(0, t, n, &hashes);
    Ok(p)
}

fn tree_proof_index(lo: i64, hi: i64, n: i64, mut need: Vec<i64>) -> Vec<i64> {
    if n == hi {
        if lo == 0 {
            return need;
        }
        return sub_tree_index(lo, hi, need);
    }
    let (k, _) = maxpow2(hi - lo);
    if n <= lo + k {
        need = tree_proof_index(lo, lo + k, n, need);
        sub_tree_index(lo + k, hi, need)
    } else {
        need = sub_tree_index(lo, lo + k, need);
        tree_proof_index(lo + k, hi, n, need)
    }
}

fn tree_proof(lo: i64, hi: i64, n: i64, hashes: &[Hash]) -> (TreeProof, &[Hash]) {
    if n == hi {
        if lo == 0 {
            return (Vec::new(), hashes);
        }
        let (th, rest) = sub_tree_hash(lo, hi, hashes);
        return (vec![th], rest);
    }
    let (k, _) = maxpow2(hi - lo);
    let (mut p, th, rest) = if n <= lo + k {
        let (p, rest) = tree_proof(lo, lo + k, n, hashes);
        let (th, rest) = sub_tree_hash(lo + k, hi, rest);
        (p, th, rest)
    } else {
        let (th, rest) = sub_tree_hash(lo, lo + k, hashes);
        let (p, rest) = tree_proof(lo + k, hi, n, rest);
        (p, th, rest)
    };
    p.push(th);
    (p, rest)
}

/// Verifies that `p` proves the tree of size `n` with root `h` is a prefix
/// of the tree of size `t` with root `th` (Go's `CheckTree`).
pub fn check_tree(p: &[Hash], t: i64, th: Hash, n: i64, h: Hash) -> Result<(), TlogError> {
    if t < 1 || n < 1 || n > t {
        return Err(TlogError::InvalidInputs { func: "CheckTree" });
    }
    let (h2, th2) = run_tree_proof(p, 0, t, n, h)?;
    if th2 == th && h2 == h {
        Ok(())
    } else {
        Err(TlogError::ProofFailed)
    }
}

fn run_tree_proof(
    p: &[Hash],
    lo: i64,
    hi: i64,
    n: i64,
    old: Hash,
) -> Result<(Hash, Hash), TlogError> {
    if n == hi {
        if lo == 0 {
            return if p.is_empty() {
                Ok((old, old))
            } else {
                Err(TlogError::ProofFailed)
            };
        }
        return match p {
            [x] => Ok((*x, *x)),
            _ => Err(TlogError::ProofFailed),
        };
    }
    let Some((&s, rest)) = p.split_last() else {
        return Err(TlogError::ProofFailed);
    };
    let (k, _) = maxpow2(hi - lo);
    if n <= lo + k {
        let (oh, th) = run_tree_proof(rest, lo, lo + k, n, old)?;
        Ok((oh, node_hash(th, s)))
    } else {
        let (oh, th) = run_tree_proof(rest, lo + k, hi, n, old)?;
        Ok((node_hash(s, oh), node_hash(s, th)))
    }
}

#[cfg(test)]
mod tests;
