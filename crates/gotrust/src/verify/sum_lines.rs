//! The go.sum lines of one `verify sums` run and their results, held compactly.
//!
//! A go.sum is read line by line (never whole, never twice): each kept line's three fields go
//! once into one text buffer, and a line that repeats an earlier line of the same key (module
//! and version field) with the same hash shares that line's text. Each line then costs a
//! fixed-size record; its result is a small [`Slot`] (a proven record inline, an offline miss
//! of its own lookup as a marker, anything else an index into a table of results shared by
//! every line that has it). [`LineResult`]s are built only when asked for, one at a time.
//!
//! Keys (`module`, `version field`) are numbered as they are first met, through a map from
//! a 64-bit hash of the key to its number; two keys with the same hash fall back to a map of
//! the keys themselves, so a collision costs memory, never a wrong answer.

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::io;
use std::path::PathBuf;

use gomod::gosum::{Entry, Reader, SkipReason};

use super::{ErrorClass, LineResult, LineStatus, SkipWhy};
use crate::net::sumdb::AnswerSource;

/// A line's result.
#[derive(Debug, Clone, Copy)]
enum Slot {
    /// Waiting for the lookup of this key.
    Waiting(u32),
    /// The database's proven record has exactly this line.
    Verified {
        record_id: i64,
        tree_size: i64,
        source: AnswerSource,
    },
    /// `--offline` and the key's own lookup answer is in no cache (the detail names it).
    NotCachedLookup,
    /// Any other result: an index into [`SumLines::statuses`].
    Status(u32),
}

/// One line: where its fields are in [`SumLines::text`], and its result.
#[derive(Debug, Clone, Copy)]
struct Rec {
    file: u32,
    line: u32,
    at: usize,
    module: u32,
    version: u32,
    hash: u32,
    slot: Slot,
}

/// The lines of every file of a run, in file then line order, with their results.
#[derive(Debug, Clone, Default)]
pub(super) struct SumLines {
    text: String,
    recs: Vec<Rec>,
    statuses: Vec<LineStatus>,
}

/// Shared results that many lines have: each is stored once.
#[derive(Debug, Default)]
struct Interned {
    by_text: HashMap<String, u32>,
}

/// Reads lines into a [`SumLines`], numbering keys as it goes.
#[derive(Debug, Default)]
pub(super) struct Builder {
    lines: SumLines,
    interned: Interned,
    hasher: std::collections::hash_map::RandomState,
    keys: HashMap<u64, u32>,
    collided: HashMap<(String, String), u32>,
    /// The first line of each key.
    first: Vec<u32>,
}

impl Builder {
    /// Reads one file's lines. Lines go cannot use are judged at once: the first
    /// line with the wrong number of fields says go rejects the file (gotrust checks the
    /// rest, as `go mod tidy` reads it), the empty-go.mod hash line says go ignores it.
    pub(super) fn read_file(&mut self, file: usize, input: impl io::BufRead) -> io::Result<()> {
        let file = u32::try_from(file).map_err(|_| io::Error::other("too many files"))?;
        let mut reader = Reader::new(input);
        let mut rejected = false;
        while let Some(entry) = reader.next_entry()? {
            match entry {
                Entry::Line(l) => {
                    let version = l.version_field();
                    self.push_line(file, l.line, &l.module, &version, &l.hash)?;
                }
                Entry::Skipped {
                    line,
                    reason: SkipReason::EmptyGoModHash,
                } => {
                    let status = self.intern(LineStatus::Skipped {
                        reason: SkipWhy::IgnoredByGo,
                        detail: "hash of an empty go.mod written by an old go; go ignores the line"
                            .into(),
                        private: false,
                    });
                    self.push_judged(file, line, gomod::dirhash::EMPTY_GO_MOD_H1, status)?;
                }
                Entry::Skipped { line, .. } => {
                    let status = self.intern(malformed_status(None));
                    self.push_judged(file, line, "", status)?;
                }
                Entry::WrongFieldCount { line, fields, .. } => {
                    // go refuses the whole file; gotrust reports the line and checks the rest.
                    let status = if rejected {
                        self.intern(malformed_status(None))
                    } else {
                        rejected = true;
                        self.intern(malformed_status(Some(fields)))
                    };
                    self.push_judged(file, line, "", status)?;
                }
            }
        }
        Ok(())
    }

    fn push_line(
        &mut self,
        file: u32,
        line: usize,
        module: &str,
        version: &str,
        hash: &str,
    ) -> io::Result<()> {
        let line = line_number(line)?;
        let h = self.hasher.hash_one((module, version));
        let existing = match self.keys.get(&h) {
            Some(&k) if self.key_is(k, module, version) => Some(k),
            Some(_) => self
                .collided
                .get(&(module.to_string(), version.to_string()))
                .copied(),
            None => None,
        };
        let key = match existing {
            Some(k) => k,
            None => {
                let k = u32::try_from(self.first.len())
                    .map_err(|_| io::Error::other("too many go.sum keys"))?;
                match self.keys.entry(h) {
                    std::collections::hash_map::Entry::Occupied(_) => {
                        self.collided
                            .insert((module.to_string(), version.to_string()), k);
                    }
                    std::collections::hash_map::Entry::Vacant(v) => {
                        v.insert(k);
                    }
                }
                self.first.push(self.lines.len_u32()?);
                k
            }
        };
        // A repeated line (same key, same hash as the key's first line) shares its text.
        let repeated = existing
            .map(|k| self.lines.recs[self.first[k as usize] as usize])
            .filter(|first| self.lines.hash_of(first) == hash);
        let (at, m, v, hl) = if let Some(first) = repeated {
            (first.at, first.module, first.version, first.hash)
        } else {
            let at = self.lines.text.len();
            self.lines.text.push_str(module);
            self.lines.text.push_str(version);
            self.lines.text.push_str(hash);
            (at, len_u32(module)?, len_u32(version)?, len_u32(hash)?)
        };
        self.lines.recs.push(Rec {
            file,
            line,
            at,
            module: m,
            version: v,
            hash: hl,
            slot: Slot::Waiting(key),
        });
        Ok(())
    }

    /// Records that file `file` could not be read to the end (`message`): a line without
    /// verdict, at line 0.
    pub(super) fn push_error(&mut self, file: usize, message: String) {
        let status = self.intern(LineStatus::Error {
            class: ErrorClass::Failure,
            message,
        });
        let _ = self.push_judged(u32::try_from(file).unwrap_or(u32::MAX), 0, "", status);
    }

    fn push_judged(&mut self, file: u32, line: usize, hash: &str, status: u32) -> io::Result<()> {
        let at = self.lines.text.len();
        self.lines.text.push_str(hash);
        self.lines.recs.push(Rec {
            file,
            line: line_number(line)?,
            at,
            module: 0,
            version: 0,
            hash: len_u32(hash)?,
            slot: Slot::Status(status),
        });
        Ok(())
    }

    fn key_is(&self, key: u32, module: &str, version: &str) -> bool {
        let r = &self.lines.recs[self.first[key as usize] as usize];
        self.lines.module_of(r) == module && self.lines.version_of(r) == version
    }

    fn intern(&mut self, status: LineStatus) -> u32 {
        self.lines.intern(&mut self.interned, status)
    }

    /// The lines read, the number of keys, and which lines wait on each key.
    pub(super) fn finish(self) -> (SumLines, Fanout) {
        let keys = self.first.len();
        let mut starts = vec![0u32; keys + 1];
        for r in &self.lines.recs {
            if let Slot::Waiting(k) = r.slot {
                starts[k as usize + 1] += 1;
            }
        }
        for i in 0..keys {
            starts[i + 1] += starts[i];
        }
        let mut fill = starts.clone();
        let mut members = vec![0u32; starts[keys] as usize];
        for (i, r) in self.lines.recs.iter().enumerate() {
            if let Slot::Waiting(k) = r.slot {
                members[fill[k as usize] as usize] = i as u32;
                fill[k as usize] += 1;
            }
        }
        (
            self.lines,
            Fanout {
                starts,
                members,
                interned: self.interned,
            },
        )
    }
}

/// Which lines wait on each key (and the shared results, to keep interning them).
#[derive(Debug)]
pub(super) struct Fanout {
    starts: Vec<u32>,
    members: Vec<u32>,
    interned: Interned,
}

impl Fanout {
    /// The number of keys.
    pub(super) fn keys(&self) -> usize {
        self.starts.len() - 1
    }

    /// The lines of key `k`.
    pub(super) fn lines(&self, k: usize) -> impl Iterator<Item = usize> + '_ {
        self.members[self.starts[k] as usize..self.starts[k + 1] as usize]
            .iter()
            .map(|&i| i as usize)
    }

    /// The first line of key `k`.
    pub(super) fn first_line(&self, k: usize) -> Option<usize> {
        self.lines(k).next()
    }
}

/// The status of a malformed line: the first one of a file says go rejects the file.
fn malformed_status(fields: Option<usize>) -> LineStatus {
    LineStatus::Error {
        class: ErrorClass::Failure,
        message: match fields {
            Some(n) => {
                format!("malformed go.sum line: wrong number of fields {n} (go rejects the file)")
            }
            None => "malformed go.sum line: wrong number of fields".into(),
        },
    }
}

fn len_u32(s: &str) -> io::Result<u32> {
    u32::try_from(s.len()).map_err(|_| io::Error::other("go.sum field too long"))
}

fn line_number(n: usize) -> io::Result<u32> {
    u32::try_from(n).map_err(|_| io::Error::other("too many go.sum lines"))
}

/// The database path of the lookup gotrust makes for a key (`lookup/⟨path⟩@⟨version⟩`, both
/// escaped, without `/go.mod`), as [`crate::net::sumdb::SumdbClient::lookup`] builds it.
fn lookup_path(module: &str, version: &str) -> Option<String> {
    let bare = version.strip_suffix("/go.mod").unwrap_or(version);
    let p = gomod::module::escape_path(module).ok()?;
    let v = gomod::module::escape_version(bare).ok()?;
    Some(format!("lookup/{p}@{v}"))
}

impl SumLines {
    fn len_u32(&self) -> io::Result<u32> {
        line_number(self.recs.len())
    }

    fn intern(&mut self, interned: &mut Interned, status: LineStatus) -> u32 {
        // Shared results are few and small: their JSON text is their identity.
        let id = serde_json::to_string(&status).unwrap_or_default();
        if let Some(&i) = interned.by_text.get(&id) {
            return i;
        }
        let i = self.statuses.len() as u32;
        self.statuses.push(status);
        interned.by_text.insert(id, i);
        i
    }

    fn module_of(&self, r: &Rec) -> &str {
        &self.text[r.at..r.at + r.module as usize]
    }

    fn version_of(&self, r: &Rec) -> &str {
        let at = r.at + r.module as usize;
        &self.text[at..at + r.version as usize]
    }

    fn hash_of(&self, r: &Rec) -> &str {
        let at = r.at + r.module as usize + r.version as usize;
        &self.text[at..at + r.hash as usize]
    }

    /// The number of lines.
    pub(super) fn len(&self) -> usize {
        self.recs.len()
    }

    /// Line `i`'s module path, version field and hash.
    pub(super) fn fields(&self, i: usize) -> (&str, &str, &str) {
        let r = &self.recs[i];
        (self.module_of(r), self.version_of(r), self.hash_of(r))
    }

    /// The key line `i` waits on, if it waits.
    pub(super) fn waiting_key(&self, i: usize) -> Option<usize> {
        match self.recs[i].slot {
            Slot::Waiting(k) => Some(k as usize),
            _ => None,
        }
    }

    /// Whether line `i` still waits for a lookup.
    pub(super) fn is_waiting(&self, i: usize) -> bool {
        matches!(self.recs[i].slot, Slot::Waiting(_))
    }

    /// Sets line `i`'s result, storing it compactly. A status that many lines share (a
    /// skip reason, a key's lookup failure) should come through [`SumLines::set_shared`].
    pub(super) fn set(&mut self, i: usize, status: LineStatus) {
        let slot = match status {
            LineStatus::Verified {
                record_id,
                tree_size,
                source,
            } => Slot::Verified {
                record_id,
                tree_size,
                source,
            },
            LineStatus::Skipped {
                reason: SkipWhy::NotCached,
                ref detail,
                private: false,
            } if {
                let (m, v, _) = self.fields(i);
                lookup_path(m, v).is_some_and(|p| *detail == not_cached_detail(&p))
            } =>
            {
                Slot::NotCachedLookup
            }
            other => {
                self.statuses.push(other);
                Slot::Status(self.statuses.len() as u32 - 1)
            }
        };
        self.recs[i].slot = slot;
    }

    /// Sets the result of every line in `lines` to one status, stored once.
    pub(super) fn set_all(&mut self, lines: impl Iterator<Item = usize>, status: LineStatus) {
        let s = self.statuses.len() as u32;
        self.statuses.push(status);
        for i in lines {
            self.recs[i].slot = Slot::Status(s);
        }
    }

    /// Sets line `i`'s result to one stored once for every line that shares it.
    pub(super) fn set_shared(&mut self, fanout: &mut Fanout, i: usize, status: LineStatus) {
        let s = self.intern(&mut fanout.interned, status);
        self.recs[i].slot = Slot::Status(s);
    }

    /// Line `i`'s result (`None` while it waits for its lookup).
    pub(super) fn status(&self, i: usize) -> Option<LineStatus> {
        let r = &self.recs[i];
        Some(match r.slot {
            Slot::Waiting(_) => return None,
            Slot::Verified {
                record_id,
                tree_size,
                source,
            } => LineStatus::Verified {
                record_id,
                tree_size,
                source,
            },
            Slot::NotCachedLookup => LineStatus::Skipped {
                reason: SkipWhy::NotCached,
                detail: not_cached_detail(
                    &lookup_path(self.module_of(r), self.version_of(r)).unwrap_or_default(),
                ),
                private: false,
            },
            Slot::Status(s) => self.statuses[s as usize].clone(),
        })
    }

    /// Line `i`'s status name, without building its result.
    pub(super) fn status_name(&self, i: usize) -> &'static str {
        match self.recs[i].slot {
            Slot::Waiting(_) => "error",
            Slot::Verified { .. } => "verified",
            Slot::NotCachedLookup => "skipped",
            Slot::Status(s) => self.statuses[s as usize].name(),
        }
    }

    /// Whether line `i`'s result fails verification (see [`LineStatus::is_failure`]).
    pub(super) fn is_failure(&self, i: usize) -> bool {
        match self.recs[i].slot {
            Slot::Status(s) => self.statuses[s as usize].is_failure(),
            _ => false,
        }
    }

    /// Whether line `i` got no verdict (an error of class [`ErrorClass::Failure`]).
    pub(super) fn is_incomplete(&self, i: usize) -> bool {
        match self.recs[i].slot {
            Slot::Status(s) => matches!(
                self.statuses[s as usize],
                LineStatus::Error {
                    class: ErrorClass::Failure,
                    ..
                }
            ),
            Slot::Waiting(_) => true,
            _ => false,
        }
    }

    /// Line `i` with its result, built for the caller; `files` names the files by index.
    pub(super) fn result(&self, files: &[PathBuf], i: usize) -> LineResult {
        let r = &self.recs[i];
        LineResult {
            file: files.get(r.file as usize).cloned().unwrap_or_default(),
            line: r.line as usize,
            module: self.module_of(r).to_string(),
            version: self.version_of(r).to_string(),
            hash: self.hash_of(r).to_string(),
            status: self.status(i).unwrap_or_else(|| LineStatus::Error {
                class: ErrorClass::Failure,
                message: "internal error: lookup missing".into(),
            }),
        }
    }
}

/// Whether `what` (a path missing from the offline caches) is the lookup of this key itself.
pub(super) fn names_own_lookup(module: &str, version: &str, what: &str) -> bool {
    lookup_path(module, version).is_some_and(|p| p == what)
}

/// The detail of a line skipped offline because `what` is in no cache.
pub(super) fn not_cached_detail(what: &str) -> String {
    format!("not in the offline cache ({what})")
}
