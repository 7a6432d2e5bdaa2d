//! gotrust's store of checksum-database records: one append-only file per database.
//!
//! go caches every lookup answer as its own file (`…/sumdb/<name>/lookup/<path>@<version>`).
//! For thousands of go.sum lines that is thousands of files created (cold) and opened (warm),
//! which dominated `gotrust verify sums`. gotrust keeps the records it has proven in one file
//! instead, read once at start and appended with one write per new record.
//!
//! The file is a cache, not a trust anchor: every record read from it is proven again
//! against the current signed tree head (its leaf hash through authenticated tiles) before it
//! is used, exactly like a network answer. A malformed tail (an interrupted write, a
//! concurrent writer, tampering) ends the parse; what was read before it is still used.
//!
//! Format, per record: `<id> <length>\n` then the record text (`length` bytes), the text as
//! the database serves it in a lookup answer.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The largest pack read; a larger one is started afresh (about a million records).
const MAX_PACK_BYTES: u64 = 256 << 20;
/// The largest record text kept (a record is two go.sum lines).
const MAX_RECORD_BYTES: usize = 16 << 10;

/// A record found in the pack: its id in the log and its text, still to be proven.
pub(crate) type PackedRecord = (i64, Arc<[u8]>);

/// The records of one database, by `(module path, version)` of the record's first line.
#[derive(Debug)]
pub(crate) struct RecordPack {
    path: PathBuf,
    index: Mutex<HashMap<(String, String), PackedRecord>>,
    appender: Mutex<Option<File>>,
    /// Start the file afresh on the first append (it was too large or unreadable).
    restart: bool,
}

impl RecordPack {
    /// Reads the pack at `path` (missing is empty). Returns the pack and a warning when the
    /// file could not be used whole.
    pub(crate) fn open(path: PathBuf) -> (Self, Option<String>) {
        let (index, restart, warning) = match read_pack(&path) {
            Ok((index, None)) => (index, false, None),
            Ok((index, Some(w))) => (index, false, Some(w)),
            Err(w) => (HashMap::new(), true, Some(w)),
        };
        let pack = RecordPack {
            path,
            index: Mutex::new(index),
            appender: Mutex::new(None),
            restart,
        };
        (pack, warning)
    }

    /// The record stored for `path@version`, if any.
    pub(crate) fn get(&self, path: &str, version: &str) -> Option<PackedRecord> {
        let index = self.index.lock().unwrap_or_else(|e| e.into_inner());
        index.get(&(path.to_owned(), version.to_owned())).cloned()
    }

    /// Appends a proven record (one write, so concurrent gotrust processes do not interleave
    /// within an entry on local file systems).
    pub(crate) fn append(&self, id: i64, text: &[u8]) -> io::Result<()> {
        let Some(key) = record_key(text) else {
            return Ok(());
        };
        if text.len() > MAX_RECORD_BYTES {
            return Ok(());
        }
        let mut entry = format!("{id} {}\n", text.len()).into_bytes();
        entry.extend_from_slice(text);
        {
            let mut f = self.appender.lock().unwrap_or_else(|e| e.into_inner());
            if f.is_none() {
                if let Some(dir) = self.path.parent() {
                    std::fs::create_dir_all(dir)?;
                }
                let mut o = OpenOptions::new();
                o.create(true);
                if self.restart {
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
        self.index
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, (id, Arc::from(text)));
        Ok(())
    }
}

/// `(path, version)` of a record's first line (`path version h1:…`).
fn record_key(text: &[u8]) -> Option<(String, String)> {
    let line = text.split(|&b| b == b'\n').next()?;
    let line = std::str::from_utf8(line).ok()?;
    let mut f = line.split(' ');
    let (path, version) = (f.next()?, f.next()?);
    (!path.is_empty() && !version.is_empty()).then(|| (path.to_owned(), version.to_owned()))
}

type Index = HashMap<(String, String), PackedRecord>;

/// Parses the pack: the index, and a warning if the parse stopped early. An error when the
/// file exists but cannot be used at all.
fn read_pack(path: &Path) -> Result<(Index, Option<String>), String> {
    let mut index = HashMap::new();
    let f = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok((index, None)),
        Err(e) => return Err(format!("{}: {e}; starting it afresh", path.display())),
    };
    let len = f.metadata().map_or(0, |m| m.len());
    if len > MAX_PACK_BYTES {
        return Err(format!(
            "{}: larger than {MAX_PACK_BYTES} bytes; starting it afresh",
            path.display()
        ));
    }
    let mut data = Vec::with_capacity(len as usize + 1);
    f.take(MAX_PACK_BYTES + 1)
        .read_to_end(&mut data)
        .map_err(|e| format!("{}: {e}; starting it afresh", path.display()))?;
    let mut rest = &data[..];
    while !rest.is_empty() {
        let Some((id, text, next)) = parse_entry(rest) else {
            let at = data.len() - rest.len();
            return Ok((
                index,
                Some(format!(
                    "{}: malformed entry at byte {at}; the records after it are not used",
                    path.display()
                )),
            ));
        };
        if let Some(key) = record_key(text) {
            index.insert(key, (id, Arc::from(text)));
        }
        rest = next;
    }
    Ok((index, None))
}

/// One entry: (id, text, the bytes after it).
fn parse_entry(data: &[u8]) -> Option<(i64, &[u8], &[u8])> {
    let nl = data.iter().take(64).position(|&b| b == b'\n')?;
    let header = std::str::from_utf8(&data[..nl]).ok()?;
    let (id, len) = header.split_once(' ')?;
    let id: i64 = id.parse().ok().filter(|&i| i >= 0)?;
    let len: usize = len.parse().ok().filter(|&l| l <= MAX_RECORD_BYTES)?;
    let body = data.get(nl + 1..nl + 1 + len)?;
    Some((id, body, &data[nl + 1 + len..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    const REC: &[u8] = b"example.com/m v1.0.0 h1:a=\nexample.com/m v1.0.0/go.mod h1:b=\n";

    #[test]
    fn appended_records_are_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db/records");
        let (p, w) = RecordPack::open(path.clone());
        assert!(w.is_none());
        p.append(7, REC).unwrap();
        p.append(9, b"example.com/n v2.0.0 h1:c=\n").unwrap();
        assert_eq!(p.get("example.com/m", "v1.0.0").unwrap().0, 7);
        let (p, w) = RecordPack::open(path);
        assert!(w.is_none(), "{w:?}");
        let (id, text) = p.get("example.com/m", "v1.0.0").unwrap();
        assert_eq!((id, &text[..]), (7, REC));
        assert_eq!(p.get("example.com/n", "v2.0.0").unwrap().0, 9);
        assert!(p.get("example.com/m", "v1.0.1").is_none());
    }

    #[test]
    fn a_malformed_tail_keeps_what_came_before() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("records");
        let mut data = format!("3 {}\n", REC.len()).into_bytes();
        data.extend_from_slice(REC);
        data.extend_from_slice(b"4 999999999\ngarbage");
        std::fs::write(&path, &data).unwrap();
        let (p, w) = RecordPack::open(path.clone());
        assert!(w.unwrap().contains("malformed entry at byte"));
        assert_eq!(p.get("example.com/m", "v1.0.0").unwrap().0, 3);

        // Truncated inside a record, negative ids, binary junk: never a panic.
        for junk in [
            &b"5 10\nshort"[..],
            b"-1 3\nabc",
            b"\xff\xfe\x00\n",
            b"1\n",
            b"",
        ] {
            std::fs::write(&path, junk).unwrap();
            let (p, _) = RecordPack::open(path.clone());
            assert!(p.get("example.com/m", "v1.0.0").is_none());
        }
    }

    #[test]
    fn an_oversized_pack_is_started_afresh() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("records");
        let f = File::create(&path).unwrap();
        f.set_len(MAX_PACK_BYTES + 1).unwrap();
        let (p, w) = RecordPack::open(path.clone());
        assert!(w.unwrap().contains("starting it afresh"));
        p.append(1, REC).unwrap();
        assert!(std::fs::metadata(&path).unwrap().len() < 1024);
        let (p, w) = RecordPack::open(path);
        assert!(w.is_none());
        assert_eq!(p.get("example.com/m", "v1.0.0").unwrap().0, 1);
    }
}
