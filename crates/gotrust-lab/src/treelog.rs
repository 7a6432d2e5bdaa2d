//! The lab's checksum database: an append-only transparency log of module
//! records, persisted in the state directory and signed with the lab key.
//!
//! Files in the state directory:
//! * `records`: every record text in log order, each followed by an empty
//!   line (records never contain one, §5.2), only ever appended to;
//! * `signer.key` / `verifier.key`: the note keys (x/mod key strings).

use std::collections::HashMap;
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::backend::{self, BackendError, Hash};

/// Largest record accepted when reloading state (the client's own limit).
const MAX_RECORD_BYTES: usize = gomod::sumdb::MAX_RECORD_BYTES;

/// Why the log could not be loaded or extended.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum LogError {
    /// Reading or writing state failed.
    #[error("{path}: {source}")]
    Io {
        /// The state file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The records file is not a sequence of records.
    #[error("{path}: record {index}: {reason}")]
    Corrupt {
        /// The records file.
        path: PathBuf,
        /// Index of the bad record.
        index: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// A gomod operation failed.
    #[error(transparent)]
    Backend(#[from] BackendError),
}

/// A record of the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Module path (first field of the first line).
    pub path: String,
    /// Module version (second field of the first line).
    pub version: String,
    /// The record text (go.sum lines).
    pub text: String,
}

/// The log: records, their stored hashes, and an index by `path@version`.
#[derive(Debug)]
pub struct TreeLog {
    records: Vec<Record>,
    stored: Vec<Hash>,
    index: HashMap<(String, String), usize>,
    file: Option<PathBuf>,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> LogError + '_ {
    move |source| LogError::Io {
        path: path.to_path_buf(),
        source,
    }
}

impl TreeLog {
    /// An empty log kept in memory only.
    pub fn in_memory() -> TreeLog {
        TreeLog {
            records: Vec::new(),
            stored: Vec::new(),
            index: HashMap::new(),
            file: None,
        }
    }

    /// Opens (or creates) the log persisted in `dir/records`.
    pub fn open(dir: &Path) -> Result<TreeLog, LogError> {
        fs::create_dir_all(dir).map_err(io(dir))?;
        let path = dir.join("records");
        let mut log = TreeLog::in_memory();
        if path.exists() {
            let data = fs::read_to_string(&path).map_err(io(&path))?;
            let mut rest = data.as_str();
            let mut index = 0;
            while !rest.is_empty() {
                let Some(end) = rest.find("\n\n") else {
                    return Err(LogError::Corrupt {
                        path,
                        index,
                        reason: "truncated record (no terminating empty line)",
                    });
                };
                let text = &rest[..end + 1];
                if text.len() > MAX_RECORD_BYTES {
                    return Err(LogError::Corrupt {
                        path,
                        index,
                        reason: "record too large",
                    });
                }
                let Some(rec) = parse_record(text) else {
                    return Err(LogError::Corrupt {
                        path,
                        index,
                        reason: "first line is not `path version hash`",
                    });
                };
                log.push(rec)?;
                rest = &rest[end + 2..];
                index += 1;
            }
        }
        log.file = Some(path);
        Ok(log)
    }

    fn push(&mut self, rec: Record) -> Result<(), LogError> {
        let n = self.records.len() as i64;
        let add = backend::stored_hashes_for_record(n, rec.text.as_bytes(), &self.stored)?;
        self.stored.extend(add);
        self.index
            .insert((rec.path.clone(), rec.version.clone()), self.records.len());
        self.records.push(rec);
        Ok(())
    }

    /// Appends a record (persisting it first) and returns its id. A module
    /// version already in the log keeps its first record: the log is never
    /// rewritten, so the existing id is returned.
    pub fn append(&mut self, text: &str) -> Result<usize, LogError> {
        let rec = parse_record(text).ok_or_else(|| LogError::Corrupt {
            path: self.file.clone().unwrap_or_default(),
            index: self.records.len(),
            reason: "first line is not `path version hash`",
        })?;
        if let Some(&id) = self.index.get(&(rec.path.clone(), rec.version.clone())) {
            return Ok(id);
        }
        if let Some(path) = &self.file {
            let mut f = OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(io(path))?;
            f.write_all(format!("{text}\n").as_bytes())
                .map_err(io(path))?;
            f.sync_data().map_err(io(path))?;
        }
        self.push(rec)?;
        Ok(self.records.len() - 1)
    }

    /// Number of records.
    pub fn size(&self) -> usize {
        self.records.len()
    }

    /// The record id and record of `path@version`.
    pub fn lookup(&self, path: &str, version: &str) -> Option<(usize, &Record)> {
        let id = *self.index.get(&(path.to_string(), version.to_string()))?;
        Some((id, &self.records[id]))
    }

    /// All records in order.
    pub fn records(&self) -> &[Record] {
        &self.records
    }

    /// Stored hashes (RFC 6962 storage order).
    pub fn stored(&self) -> &[Hash] {
        &self.stored
    }

    /// Root hash of the first `n` records.
    pub fn tree_hash(&self, n: usize) -> Result<Hash, BackendError> {
        backend::tree_hash(n as i64, &self.stored)
    }
}

fn parse_record(text: &str) -> Option<Record> {
    if !text.ends_with('\n') || text.contains("\n\n") {
        return None;
    }
    let first = text.lines().next()?;
    let mut f = first.split(' ');
    let (path, version, hash) = (f.next()?, f.next()?, f.next()?);
    if f.next().is_some() || path.is_empty() || !hash.starts_with("h1:") {
        return None;
    }
    Some(Record {
        path: path.to_string(),
        version: version.to_string(),
        text: text.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(i: usize) -> String {
        format!("example.com/m{i} v1.0.0 h1:AAAA{i}=\nexample.com/m{i} v1.0.0/go.mod h1:BBBB{i}=\n")
    }

    #[test]
    fn persists_appends_and_reloads() {
        let dir = tempfile::tempdir().unwrap();
        let mut log = TreeLog::open(dir.path()).unwrap();
        for i in 0..5 {
            assert_eq!(log.append(&rec(i)).unwrap(), i);
        }
        // The same module version again keeps its first record.
        assert_eq!(log.append(&rec(2)).unwrap(), 2);
        let h5 = log.tree_hash(5).unwrap();
        let h3 = log.tree_hash(3).unwrap();
        drop(log);

        let mut log = TreeLog::open(dir.path()).unwrap();
        assert_eq!(log.size(), 5);
        assert_eq!(log.tree_hash(5).unwrap(), h5);
        assert_eq!(log.lookup("example.com/m3", "v1.0.0").unwrap().0, 3);
        log.append(&rec(5)).unwrap();
        assert_eq!(log.tree_hash(3).unwrap(), h3, "older trees are unchanged");
        assert_eq!(log.stored().len() as i64, gomod::tlog::stored_hash_count(6));
    }

    #[test]
    fn rejects_corrupt_state() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("records"), rec(0).trim_end()).unwrap();
        assert!(matches!(
            TreeLog::open(dir.path()),
            Err(LogError::Corrupt { index: 0, .. })
        ));
        std::fs::write(
            dir.path().join("records"),
            format!("{}\nnot a record\n\n", rec(0)),
        )
        .unwrap();
        assert!(matches!(
            TreeLog::open(dir.path()),
            Err(LogError::Corrupt { index: 1, .. })
        ));
        let mut log = TreeLog::in_memory();
        assert!(matches!(log.append("x\n"), Err(LogError::Corrupt { .. })));
        assert!(matches!(
            log.append(&format!("{}\n", rec(0))),
            Err(LogError::Corrupt { .. })
        ));
    }
}
