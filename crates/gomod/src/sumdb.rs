//! Checksum database protocol pieces shared by the client and the lab server
//! (`golang.org/x/mod/sumdb`, `client.go` and `server.go`).
//!
//! * `/lookup/<path>@<version>` answers with a formatted record
//!   (`<id>\n<text>\n`) immediately followed by a signed tree note;
//! * a record text is the go.sum lines of one module version;
//! * responses are bounded: the limits below say how large a well-formed
//!   answer can be and why, so readers can stop early on hostile servers.

use crate::note::is_note_text;
use crate::tlog::{self, HASH_SIZE, Hash, HashReader, TlogError, Tree};

/// The tile height the go command and sum.golang.org use.
pub const TILE_HEIGHT: u32 = 8;

/// The size of a complete hash tile at [`TILE_HEIGHT`]: 256 hashes of 32
/// bytes. A hash tile has exactly `w × 32` bytes, so anything longer is
/// wrong and a reader can stop after this many bytes.
pub const MAX_TILE_BYTES: usize = (1 << TILE_HEIGHT) * HASH_SIZE;

/// The longest record text accepted: a record is the go.sum lines of one
/// module version (two lines of a few hundred bytes at most); 64 KiB leaves
/// room for extra hash lines (`h2:` and later) while bounding memory.
pub const MAX_RECORD_BYTES: usize = 64 << 10;

/// The longest signed tree note accepted: Go's `ParseTree` caps the text at
/// 1,000,000 bytes, and `note::open` reads at most 100 signature lines; 1 KiB
/// per line covers any sane key name plus the 92-byte Ed25519 signature.
pub const MAX_NOTE_BYTES: usize = tlog::MAX_TREE_TEXT + 2 + crate::note::MAX_SIGNATURES * 1024;

/// The longest `/lookup` response accepted: an id line (at most 20 digits
/// plus a sign and `\n`), a record, the blank line and a tree note.
pub const MAX_LOOKUP_BYTES: usize = 22 + MAX_RECORD_BYTES + 1 + MAX_NOTE_BYTES;

/// The longest data tile accepted at [`TILE_HEIGHT`]: 256 records, each
/// followed by `\n` and, in the format of x/mod servers before v0.22.0,
/// preceded by an id line.
pub const MAX_DATA_TILE_BYTES: usize = (1 << TILE_HEIGHT) * (22 + MAX_RECORD_BYTES + 1);

/// The longest `/latest` response accepted: one signed tree note.
pub const MAX_LATEST_BYTES: usize = MAX_NOTE_BYTES;

/// An error in a checksum database message.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SumdbError {
    /// A message exceeds its size limit.
    #[error("{what} too large ({len} bytes, limit {max})")]
    TooLarge {
        /// What was being read (`lookup response`, ...).
        what: &'static str,
        /// Its size.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The record at the head of a lookup response is malformed (Go's
    /// `malformed record data`).
    #[error(transparent)]
    Record(#[from] TlogError),
    /// A module path, version or hash cannot appear in a record line.
    #[error("invalid record field {field:?}")]
    InvalidField {
        /// The offending field.
        field: String,
    },
}

/// A parsed `/lookup` response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookupResponse {
    /// The record id (its leaf index in the log).
    pub id: i64,
    /// The record text, ending in `\n`.
    pub text: Vec<u8>,
    /// The signed tree note that followed (not yet verified).
    pub note: Vec<u8>,
}

/// Parses a `/lookup` response: `<id>\n<record text>\n<signed tree note>`
/// (Go's `tlog.ParseRecord` as the client uses it). Neither the note nor
/// the record's inclusion is checked here.
pub fn parse_lookup_response(msg: &[u8]) -> Result<LookupResponse, SumdbError> {
    if msg.len() > MAX_LOOKUP_BYTES {
        return Err(SumdbError::TooLarge {
            what: "lookup response",
            len: msg.len(),
            max: MAX_LOOKUP_BYTES,
        });
    }
    let (id, text, note) = tlog::parse_record(msg)?;
    if text.len() > MAX_RECORD_BYTES {
        return Err(SumdbError::TooLarge {
            what: "record",
            len: text.len(),
            max: MAX_RECORD_BYTES,
        });
    }
    Ok(LookupResponse {
        id,
        text: text.to_vec(),
        note: note.to_vec(),
    })
}

/// Formats a `/lookup` response (as x/mod's server): the formatted record
/// followed by the signed tree note.
pub fn format_lookup_response(id: i64, text: &[u8], note: &[u8]) -> Result<Vec<u8>, SumdbError> {
    if text.len() > MAX_RECORD_BYTES {
        return Err(SumdbError::TooLarge {
            what: "record",
            len: text.len(),
            max: MAX_RECORD_BYTES,
        });
    }
    let mut msg = tlog::format_record(id, text)?;
    msg.extend_from_slice(note);
    Ok(msg)
}

fn check_field(field: &str) -> Result<(), SumdbError> {
    if field.is_empty()
        || field.chars().any(|c| c.is_whitespace() || c.is_control())
        || !is_note_text(field.as_bytes())
    {
        return Err(SumdbError::InvalidField {
            field: field.to_owned(),
        });
    }
    Ok(())
}

/// The record text the Go checksum database stores for `path@version`:
/// `<path> <version> <zip hash>\n<path> <version>/go.mod <go.mod hash>\n`.
///
/// Fields must be non-empty and free of white space and control characters
/// (they are go.sum fields); hashes are written as given (`h1:...`).
pub fn format_go_sum_record(
    path: &str,
    version: &str,
    zip_hash: &str,
    mod_hash: &str,
) -> Result<String, SumdbError> {
    for f in [path, version, zip_hash, mod_hash] {
        check_field(f)?;
    }
    Ok(format!(
        "{path} {version} {zip_hash}\n{path} {version}/go.mod {mod_hash}\n"
    ))
}

/// The lines of record `text` that answer a lookup of `path` at `version`
/// (which ends in `/go.mod` for the go.mod hash): those starting with
/// `<path> <version> `, without their `\n` (as x/mod's `Client.Lookup`).
pub fn record_lines<'a>(text: &'a str, path: &str, version: &str) -> Vec<&'a str> {
    let prefix = format!("{path} {version} ");
    text.split('\n')
        .filter(|line| line.starts_with(&prefix))
        .collect()
}

/// Splits the key of a `/lookup/<key>` request as x/mod's server accepts
/// it: `<path>@<version>` matching
/// `^[^@]+@v[0-9]+\.[0-9]+\.[0-9]+(-[^@]*)?(\+incompatible)?$`.
/// The parts are still `!`-escaped.
pub fn parse_lookup_key(key: &str) -> Option<(&str, &str)> {
    let (path, version) = key.split_once('@')?;
    if path.is_empty() || version.contains('@') {
        return None;
    }
    let rest = version.strip_prefix('v')?;
    let mut rest = rest;
    for i in 0..3 {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        rest = &rest[digits..];
        if i < 2 {
            rest = rest.strip_prefix('.')?;
        }
    }
    // What is left is `(-[^@]*)?(\+incompatible)?`; `@` is already excluded,
    // so a prerelease part swallows everything, including `+incompatible`.
    if rest.is_empty() || rest.starts_with('-') || rest == "+incompatible" {
        Some((path, version))
    } else {
        None
    }
}

/// The report x/mod's client gives when a newer signed tree does not contain
/// an older one (client.go `checkTrees`): both notes, indented with a TAB, then the
/// proof of misbehavior: `h`, the hash the newer tree implies for size
/// `older_n`, followed by the consistency proof from `older_n` to `newer`
/// read through `thr` (normally the [`TileHashReader`](tlog::TileHashReader)
/// of the newer tree that produced `h`, so no new tiles are fetched).
///
/// If the proof cannot be built or does not check, its lines are replaced
/// by `\tinternal error: …` exactly as Go does.
pub fn misbehavior_report<R: HashReader + ?Sized>(
    older_note: &[u8],
    older_n: i64,
    newer: Tree,
    newer_note: &[u8],
    h: Hash,
    thr: &R,
) -> String {
    let indent = |b: &[u8]| String::from_utf8_lossy(b).replace('\n', "\n\t");
    let mut out = String::from("SECURITY ERROR\ngo.sum database server misbehavior detected!\n\n");
    out.push_str(&format!("old database:\n\t{}\n", indent(older_note)));
    out.push_str(&format!("new database:\n\t{}\n", indent(newer_note)));
    out.push_str(&format!("proof of misbehavior:\n\t{h}"));
    match tlog::prove_tree(newer.n, older_n, thr) {
        Err(e) => out.push_str(&format!("\tinternal error: {e}\n")),
        Ok(p) => {
            if tlog::check_tree(&p, newer.n, newer.hash, older_n, h).is_err() {
                out.push_str("\tinternal error: generated inconsistent proof\n");
            } else {
                for x in &p {
                    out.push_str(&format!("\n\t{x}"));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
