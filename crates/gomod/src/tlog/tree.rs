//! Tree notes and formatted records (Go's `tlog/note.go`: `FormatTree`, `ParseTree`, `FormatRecord`, `ParseRecord`).

use super::{HASH_SIZE, Hash, TlogError};
use crate::note::b64;

/// A tree head: the size and root hash of a log (Go's `Tree`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Tree {
    /// Number of records.
    pub n: i64,
    /// Root hash ([`EMPTY_TREE_HASH`](super::EMPTY_TREE_HASH) for an empty tree).
    pub hash: Hash,
}

/// The first line of every tree note.
const TREE_PREFIX: &[u8] = b"go.sum database tree\n";

/// The longest tree note text Go's `ParseTree` accepts.
pub const MAX_TREE_TEXT: usize = 1_000_000;

/// The text of a tree note, to be signed (Go's `FormatTree`):
/// `go.sum database tree\n<N>\n<base64 hash>\n`.
pub fn format_tree(tree: &Tree) -> Vec<u8> {
    format!("go.sum database tree\n{}\n{}\n", tree.n, tree.hash).into_bytes()
}

/// Parses a tree note text (Go's `ParseTree`). Lines after the third are
/// ignored, as Go does, for forward compatibility.
pub fn parse_tree(text: &[u8]) -> Result<Tree, TlogError> {
    if !text.starts_with(TREE_PREFIX)
        || text.iter().filter(|&&b| b == b'\n').count() < 3
        || text.len() > MAX_TREE_TEXT
    {
        return Err(TlogError::MalformedTree);
    }
    let mut lines = text.splitn(4, |&b| b == b'\n').skip(1);
    let (Some(size), Some(hash)) = (lines.next(), lines.next()) else {
        return Err(TlogError::MalformedTree);
    };
    // Only the canonical decimal of a non-negative int64: no sign, no
    // leading zeros (Go compares with strconv.FormatInt).
    let n = std::str::from_utf8(size)
        .ok()
        .and_then(|s| s.parse::<i64>().ok())
        .filter(|n| *n >= 0 && n.to_string().as_bytes() == size)
        .ok_or(TlogError::MalformedTree)?;
    let hash = b64::decode(hash)
        .and_then(|h| <[u8; HASH_SIZE]>::try_from(h).ok())
        .ok_or(TlogError::MalformedTree)?;
    Ok(Tree {
        n,
        hash: Hash(hash),
    })
}

/// Reports whether `text` is a valid record text: UTF-8, no control
/// characters except `\n`, no empty line, ending in `\n`.
pub(crate) fn is_valid_record_text(text: &[u8]) -> bool {
    crate::note::is_note_text(text)
        && text.last() == Some(&b'\n')
        && !text.windows(2).any(|w| w == b"\n\n")
}

/// A record as a lookup response starts: `<id>\n<text>\n` (Go's `FormatRecord`).
pub fn format_record(id: i64, text: &[u8]) -> Result<Vec<u8>, TlogError> {
    if !is_valid_record_text(text) {
        return Err(TlogError::MalformedRecord);
    }
    let mut msg = format!("{id}\n").into_bytes();
    msg.extend_from_slice(text);
    msg.push(b'\n');
    Ok(msg)
}

/// Splits a formatted record off the front of `msg` (Go's `ParseRecord`):
/// returns the id, the record text (ending in `\n`) and the rest after the
/// blank line.
pub fn parse_record(msg: &[u8]) -> Result<(i64, &[u8], &[u8]), TlogError> {
    let i = msg
        .iter()
        .position(|&b| b == b'\n')
        .ok_or(TlogError::MalformedRecord)?;
    // strconv.ParseInt(s, 10, 64): optional sign, decimal digits.
    let id = std::str::from_utf8(&msg[..i])
        .ok()
        .and_then(|s| s.parse::<i64>().ok())
        .ok_or(TlogError::MalformedRecord)?;
    let msg = &msg[i + 1..];
    let j = msg
        .windows(2)
        .position(|w| w == b"\n\n")
        .ok_or(TlogError::MalformedRecord)?;
    let (text, rest) = (&msg[..j + 1], &msg[j + 2..]);
    if !is_valid_record_text(text) {
        return Err(TlogError::MalformedRecord);
    }
    Ok((id, text, rest))
}
