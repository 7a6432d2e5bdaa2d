//! The JSON Lines a `verify store` worker writes, resuming a killed worker, and merging the
//! workers' files into one report.
//!
//! A results file is one JSON object per line, each with a `type`:
//!
//! ```text
//! {"type":"start","schema_version":1,"command":"verify store","location":"s3://b/p","layout":"auto","shard":{"index":0,"count":4},...}
//! {"type":"version","group":"m/@v/v1.0.0.zip","module":"m","version":"v1.0.0","verdict":"verified","files":[...],...}
//! {"type":"end","files_listed":123,"judged":40,"notes":[...],"database_failed":false}
//! ```
//!
//! `version` lines come in listing order, a directory's lines together, each naming the last
//! key of its directory (`group`). A worker killed mid-run leaves no `end` line and perhaps a
//! cut last line; [`ResumePoint::read`] keeps every directory whose lines are all there and
//! tells where to continue.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, BufRead, BufReader, Read, Seek, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{Counts, Shard, StoreError, Verdict};
use crate::redact::redact_text;
use crate::report::{Evidence, Finding, Report};

/// The schema version of the results lines.
pub const SCHEMA_VERSION: u32 = 1;
/// Longest line read back (a version with its files is far smaller).
const MAX_LINE: u64 = 1 << 20;

/// What a stored file is to its module version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Role {
    /// The module zip.
    Zip,
    /// The go.mod file.
    Mod,
    /// The `.info` file.
    Info,
    /// A file of an interrupted write.
    Leftover,
    /// A file that belongs to no module version.
    Other,
}

impl Role {
    /// The name used in every output.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Zip => "zip",
            Role::Mod => "go.mod",
            Role::Info => ".info",
            Role::Leftover => "leftover",
            Role::Other => "file",
        }
    }
}

/// One stored file and what was found about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRecord {
    /// What it is.
    pub role: Role,
    /// Its key relative to the store root.
    pub key: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its `h1:` hash, when computed.
    pub hash: Option<String>,
    /// The checksum database's hash for it, when looked up.
    pub database: Option<String>,
    /// The verdict on this file alone.
    pub verdict: Verdict,
    /// Why, when not verified.
    pub message: String,
}

/// The verdict on one module version (or one orphan file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionRecord {
    /// The last key of the directory it was listed in: where a resumed run continues after.
    pub group: String,
    /// Module path, when known.
    pub module: Option<String>,
    /// Version, when known.
    pub version: Option<String>,
    /// The layout it was read as.
    pub layout: String,
    /// The worst verdict of its files and of the database comparison.
    pub verdict: Verdict,
    /// One sentence for humans.
    pub message: String,
    /// Its files.
    pub files: Vec<FileRecord>,
}

impl VersionRecord {
    /// `path@version`, or the first file's key for an orphan.
    pub fn subject(&self) -> String {
        match (&self.module, &self.version) {
            (Some(m), Some(v)) => format!("{m}@{v}"),
            _ => self
                .files
                .first()
                .map_or_else(|| self.group.clone(), |f| f.key.clone()),
        }
    }

    /// The finding for a version that is not verified.
    pub fn finding(&self, location: &str) -> Option<Finding> {
        let rule = self.verdict.rule()?;
        let mut f = Finding::new(rule, format!("{}: {}", self.subject(), self.message));
        // The file the verdict is about: the first that is not clean, else the first.
        let at = self
            .files
            .iter()
            .find(|f| f.verdict == self.verdict)
            .or_else(|| self.files.first());
        if let Some(file) = at {
            f = f.with_evidence(Evidence::default().at(join_key(location, &file.key), None));
        }
        if let (Some(m), Some(v)) = (&self.module, &self.version) {
            f = f.with_affected(format!("{m}@{v}"));
        }
        Some(f)
    }
}

fn join_key(location: &str, key: &str) -> PathBuf {
    if location.contains("://") {
        PathBuf::from(format!("{}/{key}", location.trim_end_matches('/')))
    } else {
        Path::new(location).join(key)
    }
}

/// The first line of a results file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartRecord {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// `verify store`.
    pub command: String,
    /// The store (credentials redacted).
    pub location: String,
    /// The layout asked for.
    pub layout: String,
    /// This worker's shard.
    pub shard: Shard,
    /// The checksum database used, or why none.
    pub database: String,
    /// GONOSUMDB in effect.
    pub nosumdb: String,
}

/// The last line of a complete results file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndRecord {
    /// Files listed in the store (this shard's part, and the files of the first two levels).
    pub files_listed: u64,
    /// Records written by the run that wrote this line (a resumed run counts its own).
    pub judged: u64,
    /// Notes on the run.
    pub notes: Vec<String>,
    /// The checksum database itself failed verification (fork, rollback, invalid head).
    pub database_failed: bool,
}

/// One line of a results file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[allow(clippy::large_enum_variant)]
pub enum Line {
    /// The header.
    Start(StartRecord),
    /// A module version.
    Version(VersionRecord),
    /// The end of a complete run.
    End(EndRecord),
}

/// Writes results lines, flushed after every batch so a killed worker loses at most the
/// batch in progress.
#[derive(Debug)]
pub struct ResultsWriter {
    out: io::BufWriter<fs::File>,
    path: PathBuf,
}

impl ResultsWriter {
    /// Continues `path` (created if absent) at byte `at`: what follows is cut off.
    pub fn open(path: &Path, at: u64) -> Result<ResultsWriter, StoreError> {
        let err = |e: io::Error| StoreError::Results {
            path: path.display().to_string(),
            why: e.to_string(),
        };
        let mut f = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(path)
            .map_err(err)?;
        f.set_len(at).map_err(err)?;
        f.seek(io::SeekFrom::Start(at)).map_err(err)?;
        Ok(ResultsWriter {
            out: io::BufWriter::new(f),
            path: path.to_path_buf(),
        })
    }

    /// Writes one line.
    pub fn line(&mut self, line: &Line) -> io::Result<()> {
        serde_json::to_writer(&mut self.out, line)?;
        self.out.write_all(b"\n")
    }

    /// Flushes to the file.
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    /// The file written.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl super::RecordSink for ResultsWriter {
    fn records(&mut self, batch: &[VersionRecord]) -> io::Result<()> {
        for r in batch {
            self.line(&Line::Version(r.clone()))?;
        }
        self.flush()
    }
}

/// Where a results file stopped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResumePoint {
    /// Its header, if it has one.
    pub start: Option<StartRecord>,
    /// The last key of the last directory all of whose lines are kept: continue after it.
    pub after: Option<String>,
    /// Bytes to keep (the rest is a cut line or a directory that may be incomplete).
    pub keep: u64,
    /// The run had finished.
    pub ended: bool,
    /// Version lines kept.
    pub kept: u64,
}

impl ResumePoint {
    /// Reads `path`; an absent file is a fresh start.
    pub fn read(path: &Path) -> Result<ResumePoint, StoreError> {
        let err = |why: String| StoreError::Results {
            path: path.display().to_string(),
            why,
        };
        let f = match fs::File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(ResumePoint::default()),
            Err(e) => return Err(err(e.to_string())),
        };
        let mut r = BufReader::new(f);
        let mut point = ResumePoint::default();
        let mut offset = 0u64;
        // The directory of the last lines read, where its first line starts, and the
        // directory before it.
        let mut current: Option<(String, u64, u64)> = None;
        let mut previous: Option<String> = None;
        let mut line = Vec::new();
        let mut number = 0usize;
        loop {
            line.clear();
            let n = (&mut r)
                .take(MAX_LINE)
                .read_until(b'\n', &mut line)
                .map_err(|e| err(e.to_string()))?;
            if n == 0 || line.last() != Some(&b'\n') {
                // End of file, or a line cut by the kill: dropped.
                break;
            }
            number += 1;
            let parsed: Line = serde_json::from_slice(&line)
                .map_err(|e| err(format!("line {number}: not a results line: {e}")))?;
            match parsed {
                Line::Start(s) if number == 1 => point.start = Some(s),
                Line::Start(_) => return Err(err(format!("line {number}: a second start line"))),
                Line::Version(_) if point.start.is_none() => {
                    return Err(err("the first line is not a start line".into()));
                }
                Line::Version(v) => match &mut current {
                    Some((g, _, count)) if *g == v.group => *count += 1,
                    _ => {
                        if let Some((g, _, count)) = current.take() {
                            previous = Some(g);
                            point.kept += count;
                        }
                        current = Some((v.group, offset, 1));
                    }
                },
                Line::End(_) => {
                    point.ended = true;
                    if let Some((g, _, count)) = current.take() {
                        previous = Some(g);
                        point.kept += count;
                    }
                    offset += n as u64;
                    point.keep = offset;
                    point.after = previous;
                    return Ok(point);
                }
            }
            offset += n as u64;
        }
        // The last directory may have been cut: drop it and do it again.
        point.keep = match &current {
            Some((_, start, _)) => *start,
            None => offset,
        };
        point.after = previous;
        Ok(point)
    }
}

/// Several workers' results joined into one report. Only versions that are not verified are
/// kept; verified ones are counted, so memory follows the number of problems.
#[derive(Debug, Clone, Default)]
pub struct Merged {
    /// The store.
    pub location: String,
    /// The layout.
    pub layout: String,
    /// Shard count (N).
    pub shard_count: u32,
    /// Shards present, with whether each finished.
    pub shards: BTreeMap<u32, bool>,
    /// Counts per verdict.
    pub counts: Counts,
    /// Every version that is not verified, in file order.
    pub problems: Vec<VersionRecord>,
    /// Notes of the runs, and of the merge (missing or unfinished shards).
    pub notes: Vec<String>,
    /// A run found the database itself failing verification.
    pub database_failed: bool,
}

impl Merged {
    /// Reads and joins results files. Every file must be of the same store, layout and shard
    /// count, and no shard may appear twice; missing or unfinished shards are noted and make
    /// the report [incomplete](Merged::incomplete).
    pub fn read(files: &[PathBuf]) -> Result<Merged, StoreError> {
        let mut m = Merged::default();
        let mut notes = Vec::new();
        for path in files {
            let err = |why: String| StoreError::Results {
                path: path.display().to_string(),
                why,
            };
            let f = fs::File::open(path).map_err(|e| err(e.to_string()))?;
            let mut r = BufReader::new(f);
            let mut line = Vec::new();
            let mut number = 0usize;
            let mut start: Option<StartRecord> = None;
            let mut ended = false;
            loop {
                line.clear();
                let n = (&mut r)
                    .take(MAX_LINE)
                    .read_until(b'\n', &mut line)
                    .map_err(|e| err(e.to_string()))?;
                if n == 0 {
                    break;
                }
                number += 1;
                if line.last() != Some(&b'\n') {
                    // A cut last line: the worker was killed while writing it.
                    break;
                }
                let parsed: Line = serde_json::from_slice(&line)
                    .map_err(|e| err(format!("line {number}: not a results line: {e}")))?;
                match parsed {
                    Line::Start(s) => {
                        if number != 1 {
                            return Err(err(format!("line {number}: a second start line")));
                        }
                        if s.schema_version != SCHEMA_VERSION {
                            return Err(err(format!(
                                "schema version {} (this gotrust reads {SCHEMA_VERSION})",
                                s.schema_version
                            )));
                        }
                        if m.shards.is_empty() {
                            m.location = s.location.clone();
                            m.layout = s.layout.clone();
                            m.shard_count = s.shard.count;
                        } else if s.location != m.location
                            || s.layout != m.layout
                            || s.shard.count != m.shard_count
                        {
                            return Err(err(format!(
                                "results of {} (layout {}, {} shards) cannot be merged with results of {} (layout {}, {} shards)",
                                s.location,
                                s.layout,
                                s.shard.count,
                                m.location,
                                m.layout,
                                m.shard_count
                            )));
                        }
                        if m.shards.insert(s.shard.index, false).is_some() {
                            return Err(err(format!(
                                "shard {} appears in two files: the report would count it twice",
                                s.shard
                            )));
                        }
                        start = Some(s);
                    }
                    Line::Version(_) | Line::End(_) if start.is_none() => {
                        return Err(err("the first line is not a start line".into()));
                    }
                    Line::Version(v) => {
                        *m.counts.entry(v.verdict).or_default() += 1;
                        if v.verdict != Verdict::Verified {
                            m.problems.push(v);
                        }
                    }
                    Line::End(e) => {
                        ended = true;
                        m.database_failed |= e.database_failed;
                        for n in e.notes {
                            if !m.notes.contains(&n) {
                                m.notes.push(n);
                            }
                        }
                    }
                }
            }
            let Some(s) = start else {
                return Err(err("empty: no start line".into()));
            };
            m.shards.insert(s.shard.index, ended);
            if !ended {
                notes.push(format!(
                    "shard {} ({}) did not finish: resume it with --resume",
                    s.shard,
                    path.display()
                ));
            }
        }
        if files.is_empty() {
            return Err(StoreError::Results {
                path: String::new(),
                why: "no results files to merge".into(),
            });
        }
        let missing: Vec<String> = (0..m.shard_count)
            .filter(|k| !m.shards.contains_key(k))
            .map(|k| format!("{k}/{}", m.shard_count))
            .collect();
        if !missing.is_empty() {
            notes.push(format!(
                "shards missing: {}: the report does not cover the whole store",
                missing.join(", ")
            ));
        }
        m.notes.extend(notes);
        Ok(m)
    }

    /// Whether some shard is missing or did not finish.
    pub fn incomplete(&self) -> bool {
        self.shards.len() as u32 != self.shard_count || self.shards.values().any(|done| !done)
    }

    /// Whether the verification failed: a mismatch, invalid zip, version unknown to the
    /// database, an unverifiable version, or the database itself failed.
    pub fn failed(&self) -> bool {
        self.database_failed || self.problems.iter().any(|p| p.verdict.is_failure())
    }

    /// Versions judged.
    pub fn total(&self) -> u64 {
        self.counts.values().sum()
    }

    /// One finding per version that is not verified, for every report renderer.
    pub fn to_report(&self) -> Report {
        Report::new(
            self.problems
                .iter()
                .filter_map(|p| p.finding(&self.location))
                .collect(),
        )
    }

    /// The summary line: `verify store: N versions: A verified, B mismatch, ...`.
    pub fn summary_line(&self) -> String {
        let parts: Vec<String> = Verdict::ALL
            .iter()
            .filter_map(|v| {
                let n = self.counts.get(v).copied().unwrap_or(0);
                (n > 0 || *v == Verdict::Verified).then(|| format!("{n} {}", v.as_str()))
            })
            .collect();
        let total = self.total();
        format!(
            "verify store {}: {total} {} in {} of {} shards: {}",
            redact_text(&self.location),
            if total == 1 { "entry" } else { "entries" },
            self.shards.len(),
            self.shard_count,
            parts.join(", ")
        )
    }

    /// The text report: the findings through the engine's text renderer, then the notes and
    /// the summary line.
    pub fn render_text(&self, colour: bool, w: &mut impl Write) -> io::Result<()> {
        let report = self.to_report();
        if !report.findings().is_empty() {
            crate::report::text::render(
                &report,
                crate::report::text::TextOptions { colour },
                &mut *w,
            )?;
        }
        for n in &self.notes {
            writeln!(w, "note: {}", redact_text(n))?;
        }
        writeln!(w, "{}", self.summary_line())
    }

    /// The JSON document: the store, shards, counts, every version that is not verified and
    /// the engine's JSON report of the findings.
    pub fn to_json(&self) -> serde_json::Value {
        let counts: BTreeMap<&str, u64> = Verdict::ALL
            .iter()
            .map(|v| (v.as_str(), self.counts.get(v).copied().unwrap_or(0)))
            .collect();
        serde_json::json!({
            "schema_version": SCHEMA_VERSION,
            "command": "verify store",
            "location": redact_text(&self.location),
            "layout": self.layout,
            "shards": {
                "count": self.shard_count,
                "finished": self.shards.iter().filter(|(_, d)| **d).map(|(k, _)| *k).collect::<Vec<_>>(),
                "unfinished": self.shards.iter().filter(|(_, d)| !**d).map(|(k, _)| *k).collect::<Vec<_>>(),
            },
            "summary": {
                "total": self.total(),
                "counts": counts,
                "failed": self.failed(),
                "incomplete": self.incomplete(),
            },
            "problems": self.problems,
            "notes": self.notes.iter().map(|n| redact_text(n)).collect::<Vec<_>>(),
            "report": crate::report::json::to_value(&self.to_report()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start(shard: Shard) -> Line {
        Line::Start(StartRecord {
            schema_version: SCHEMA_VERSION,
            command: "verify store".into(),
            location: "/s".into(),
            layout: "auto".into(),
            shard,
            database: "off".into(),
            nosumdb: String::new(),
        })
    }

    fn version(group: &str, v: &str, verdict: Verdict) -> Line {
        Line::Version(VersionRecord {
            group: group.into(),
            module: Some("example.com/m".into()),
            version: Some(v.into()),
            layout: "goproxy".into(),
            verdict,
            message: "m".into(),
            files: vec![],
        })
    }

    fn text(lines: &[Line]) -> String {
        lines
            .iter()
            .map(|l| serde_json::to_string(l).unwrap() + "\n")
            .collect()
    }

    #[test]
    fn resume_drops_the_cut_line_and_the_last_directory() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("r.jsonl");
        let head = text(&[
            start(Shard::default()),
            version("a/@v/v1.zip", "v1.0.0", Verdict::Verified),
            version("a/@v/v1.zip", "v1.1.0", Verdict::Verified),
        ]);
        let body = head.clone() + &text(&[version("b/@v/v1.zip", "v1.0.0", Verdict::Verified)]);
        fs::write(&p, body.clone() + "{\"type\":\"vers").unwrap();
        let r = ResumePoint::read(&p).unwrap();
        assert_eq!(r.after.as_deref(), Some("a/@v/v1.zip"));
        assert_eq!(r.keep, head.len() as u64);
        assert_eq!(r.kept, 2);
        assert!(!r.ended);
        // A finished file resumes to its end.
        fs::write(&p, body.clone() + &text(&[Line::End(EndRecord::default())])).unwrap();
        let r = ResumePoint::read(&p).unwrap();
        assert!(r.ended);
        assert_eq!(r.after.as_deref(), Some("b/@v/v1.zip"));
        // Garbage is an error naming the line.
        fs::write(&p, "not json\n").unwrap();
        let e = ResumePoint::read(&p).unwrap_err().to_string();
        assert!(e.contains("line 1"), "{e}");
        assert_eq!(
            ResumePoint::read(&d.path().join("absent")).unwrap(),
            ResumePoint::default()
        );
    }

    #[test]
    fn merge_counts_and_refuses_duplicate_shards() {
        let d = tempfile::tempdir().unwrap();
        let a = d.path().join("0.jsonl");
        let b = d.path().join("1.jsonl");
        fs::write(
            &a,
            text(&[
                start(Shard { index: 0, count: 2 }),
                version("g", "v1.0.0", Verdict::Mismatch),
                Line::End(EndRecord::default()),
            ]),
        )
        .unwrap();
        fs::write(
            &b,
            text(&[
                start(Shard { index: 1, count: 2 }),
                version("h", "v1.0.0", Verdict::Verified),
            ]),
        )
        .unwrap();
        let m = Merged::read(&[a.clone(), b.clone()]).unwrap();
        assert_eq!(m.total(), 2);
        assert!(m.failed() && m.incomplete());
        assert_eq!(m.problems.len(), 1);
        assert!(
            m.notes.iter().any(|n| n.contains("did not finish")),
            "{:?}",
            m.notes
        );
        assert_eq!(m.to_report().findings()[0].rule.id, "store/mismatch");
        let e = Merged::read(&[a.clone(), a]).unwrap_err().to_string();
        assert!(e.contains("two files"), "{e}");
    }
}
