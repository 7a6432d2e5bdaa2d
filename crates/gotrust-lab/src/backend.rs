//! The one place the lab calls into `gomod` for module zips, `h1:` hashes,
//! transparency-log hashing and note signing, so the server code does not
//! depend on the exact shape of those APIs.

use std::path::Path;

use thiserror::Error;

/// A failure inside a `gomod` operation, with the module it concerned.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum BackendError {
    /// Building or hashing a module zip failed.
    #[error("{module}: {message}")]
    Zip {
        /// `path@version`.
        module: String,
        /// What gomod reported.
        message: String,
    },
    /// A key could not be parsed or generated.
    #[error("key: {0}")]
    Key(String),
    /// A transparency-log operation failed.
    #[error("tlog: {0}")]
    Tlog(String),
    /// The operation is not available yet (gomod not merged).
    #[error("{0}: not available in this build")]
    Pending(&'static str),
}

/// A module zip built from `(name, data)` files (names relative to the module root).
pub fn zip_from_files(
    path: &str,
    version: &str,
    files: &[(String, Vec<u8>)],
) -> Result<Vec<u8>, BackendError> {
    let _ = (path, version, files);
    Err(BackendError::Pending("modzip::create"))
}

/// A module zip built from a directory tree, with go's inclusion rules.
pub fn zip_from_dir(path: &str, version: &str, dir: &Path) -> Result<Vec<u8>, BackendError> {
    let _ = (path, version, dir);
    Err(BackendError::Pending("modzip::create_from_dir"))
}

/// The files of a module zip, relative to the module root.
pub fn zip_files(
    path: &str,
    version: &str,
    zip: &[u8],
) -> Result<Vec<(String, Vec<u8>)>, BackendError> {
    let _ = (path, version, zip);
    Err(BackendError::Pending("modzip::read"))
}

/// `h1:` hash of a module zip.
pub fn hash_zip(module: &str, zip: &[u8]) -> Result<String, BackendError> {
    let _ = (module, zip);
    Err(BackendError::Pending("dirhash::hash_zip"))
}

/// `h1:` hash of a go.mod file.
pub fn hash_go_mod(data: &[u8]) -> Result<String, BackendError> {
    let _ = data;
    Err(BackendError::Pending("dirhash::hash_go_mod"))
}

/// A 32-byte tlog hash.
pub type Hash = [u8; 32];

/// Hashes to append to the stored-hash list when record `n` (with text
/// `data`) is added to a log whose stored hashes are `stored`.
pub fn stored_hashes_for_record(
    n: i64,
    data: &[u8],
    stored: &[Hash],
) -> Result<Vec<Hash>, BackendError> {
    let _ = (n, data, stored);
    Err(BackendError::Pending("tlog::stored_hashes"))
}

/// Root hash of the tree of the first `n` records.
pub fn tree_hash(n: i64, stored: &[Hash]) -> Result<Hash, BackendError> {
    let _ = (n, stored);
    Err(BackendError::Pending("tlog::tree_hash"))
}

/// Bytes of the hash tile at `tile_path` (`tile/8/L/NNN[.p/W]`) for a tree of
/// `n` records, or `None` when the path is not a hash tile of that tree.
pub fn hash_tile(
    tile_path: &str,
    n: i64,
    stored: &[Hash],
) -> Result<Option<Vec<u8>>, BackendError> {
    let _ = (tile_path, n, stored);
    Err(BackendError::Pending("tlog::read_tile_data"))
}

/// A parsed data tile request: first record index and count.
pub fn data_tile_range(tile_path: &str) -> Option<(i64, i64)> {
    let _ = tile_path;
    None
}

/// A freshly generated `(signer key, verifier key)` pair named `name`.
pub fn generate_key(name: &str) -> Result<(String, String), BackendError> {
    let _ = name;
    Err(BackendError::Pending("note::generate_key"))
}

/// The verifier key matching a signer key.
pub fn verifier_of(skey: &str) -> Result<String, BackendError> {
    let _ = skey;
    Err(BackendError::Pending("note::signer"))
}

/// `text` signed with `skey`, as a complete signed note.
pub fn sign_note(skey: &str, text: &str) -> Result<Vec<u8>, BackendError> {
    let _ = (skey, text);
    Err(BackendError::Pending("note::sign"))
}
