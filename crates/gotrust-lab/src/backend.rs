//! The one place the lab calls into `gomod` for module zips, `h1:` hashes,
//! transparency-log hashing and note signing, so the server code does not
//! depend on the exact shape of those APIs.

use std::io::Cursor;
use std::path::Path;

use gomod::modzip::{self, SourceFile};
use gomod::note::{self, Signer};
use gomod::tlog::{self, Tile};
use gomod::{dirhash, sumdb};
use thiserror::Error;

pub use gomod::tlog::Hash;

/// A failure inside a `gomod` operation, with what it concerned.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum BackendError {
    /// Building, reading or hashing a module zip failed.
    #[error("{module}: {message}")]
    Zip {
        /// `path@version`, or what was hashed.
        module: String,
        /// What gomod reported.
        message: String,
    },
    /// A key could not be parsed or generated, or a note not signed.
    #[error("key: {0}")]
    Key(#[from] note::NoteError),
    /// A transparency-log operation failed.
    #[error("tlog: {0}")]
    Tlog(#[from] tlog::TlogError),
    /// A record or lookup response could not be formatted.
    #[error("sumdb: {0}")]
    Sumdb(#[from] sumdb::SumdbError),
    /// The system random source failed.
    #[error("random source: {0}")]
    Random(String),
}

fn zip_err(path: &str, version: &str, e: impl std::fmt::Display) -> BackendError {
    BackendError::Zip {
        module: format!("{path}@{version}"),
        message: e.to_string(),
    }
}

/// A module zip built from `(name, data)` files (names relative to the module root).
pub fn zip_from_files(
    path: &str,
    version: &str,
    files: &[(String, Vec<u8>)],
) -> Result<Vec<u8>, BackendError> {
    let sources: Vec<SourceFile<'_>> = files
        .iter()
        .map(|(n, d)| SourceFile::bytes(n.as_bytes(), d))
        .collect();
    let mut out = Cursor::new(Vec::new());
    modzip::create(&mut out, path, version, &sources).map_err(|e| zip_err(path, version, e))?;
    Ok(out.into_inner())
}

/// A module zip built from a directory tree with go's inclusion rules, and
/// the files it contains (relative names and contents).
#[allow(clippy::type_complexity)]
pub fn zip_from_dir(
    path: &str,
    version: &str,
    dir: &Path,
) -> Result<(Vec<u8>, Vec<(String, Vec<u8>)>), BackendError> {
    let mut out = Cursor::new(Vec::new());
    let checked = modzip::create_from_dir(&mut out, path, version, dir)
        .map_err(|e| zip_err(path, version, e))?;
    let mut files = Vec::with_capacity(checked.valid.len());
    for name in checked.valid {
        let data = std::fs::read(dir.join(&name)).map_err(|e| zip_err(path, version, e))?;
        files.push((name, data));
    }
    Ok((out.into_inner(), files))
}

/// `h1:` hash of a module zip.
pub fn hash_zip(module: &str, zip: &[u8]) -> Result<String, BackendError> {
    dirhash::hash_zip(&mut Cursor::new(zip)).map_err(|e| BackendError::Zip {
        module: module.to_string(),
        message: e.to_string(),
    })
}

/// `h1:` hash of a go.mod file.
pub fn hash_go_mod(data: &[u8]) -> String {
    dirhash::hash_go_mod(data)
}

/// The go.sum lines for a module version, which are also its record.
pub fn go_sum_record(
    path: &str,
    version: &str,
    zip_hash: &str,
    mod_hash: &str,
) -> Result<String, BackendError> {
    Ok(sumdb::format_go_sum_record(
        path, version, zip_hash, mod_hash,
    )?)
}

/// Hashes to append to the stored-hash list when record `n` (with text
/// `data`) is added to a log whose stored hashes are `stored`.
pub fn stored_hashes_for_record(
    n: i64,
    data: &[u8],
    stored: &[Hash],
) -> Result<Vec<Hash>, BackendError> {
    Ok(tlog::stored_hashes(n, data, stored)?)
}

/// Root hash of the tree of the first `n` records.
pub fn tree_hash(n: i64, stored: &[Hash]) -> Result<Hash, BackendError> {
    Ok(tlog::tree_hash(n, stored)?)
}

/// The tree note text for `n` records with root `hash`.
pub fn tree_text(n: i64, hash: Hash) -> String {
    String::from_utf8_lossy(&tlog::format_tree(&tlog::Tree { n, hash })).into_owned()
}

/// A parsed tile path (`tile/8/L/NNN[.p/W]`, `tile/8/data/...`).
pub fn parse_tile(path: &str) -> Result<Tile, BackendError> {
    Ok(tlog::parse_tile_path(path)?)
}

/// Bytes of hash tile `t` for a tree of `n` records, or `None` when that
/// tree does not (yet) contain every hash of the tile.
pub fn hash_tile(t: &Tile, n: i64, stored: &[Hash]) -> Result<Option<Vec<u8>>, BackendError> {
    let level = u64::from(t.h) * u64::try_from(t.l).unwrap_or(u64::MAX);
    let nodes = if level >= 63 { 0 } else { n >> level };
    let end =
        t.n.checked_mul(1i64 << t.h)
            .and_then(|s| s.checked_add(i64::from(t.w)));
    match end {
        Some(end) if end <= nodes => Ok(Some(tlog::read_tile_data(t, stored)?)),
        _ => Ok(None),
    }
}

/// Records covered by data tile `t`: `(first index, count)`.
pub fn data_tile_range(t: &Tile) -> Option<(i64, i64)> {
    (t.l == -1).then(|| (t.n.saturating_mul(1i64 << t.h), i64::from(t.w)))
}

/// A formatted `/lookup` answer: record id, record text, signed tree note.
pub fn lookup_response(id: i64, text: &str, note: &[u8]) -> Result<Vec<u8>, BackendError> {
    Ok(sumdb::format_lookup_response(id, text.as_bytes(), note)?)
}

/// A freshly generated `(signer key, verifier key)` pair named `name`.
pub fn generate_key(name: &str) -> Result<(String, String), BackendError> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| BackendError::Random(e.to_string()))?;
    Ok(note::generate_key(&seed, name)?)
}

/// The verifier key matching a signer key.
pub fn verifier_of(skey: &str) -> Result<String, BackendError> {
    Ok(Signer::new(skey)?.verifier().to_string())
}

/// `text` signed with `skey`, as a complete signed note.
pub fn sign_note(skey: &str, text: &str) -> Result<Vec<u8>, BackendError> {
    Ok(note::sign_text(text, &[Signer::new(skey)?])?)
}
