//! The checksum database's side of `verify cache`: answers looked up before the walk
//! ([`DatabaseAnswers`]), how the database is (not) used ([`Database`]), and the comparison
//! of one hash with the database's lines for its key.

use std::collections::{BTreeSet, HashMap};

use super::CacheOptions;
use crate::verify::sums::{ErrorClass, LookupOutcome};
use crate::verify::{Check, Outcome, Reference};

/// Looks module versions up in the checksum database. [`DatabaseAnswers`] implements it with
/// answers obtained beforehand from the verified client (inclusion proofs against a signed,
/// consistent tree head), so the parallel walk never waits on the network; tests implement it
/// with a map.
pub trait DatabaseLookup: Sync {
    /// The go.sum lines the database holds for `path` at `version` (both the zip line and
    /// the `/go.mod` line), already proven; or why they could not be obtained.
    fn lookup(&self, path: &str, version: &str) -> Result<Vec<String>, LookupFailure>;
}

/// Why the database gave no lines for a module version.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LookupFailure {
    /// The database has no record (404/410); the server's reason.
    NotFound(String),
    /// `--offline` and no cache holds the record or a tile its proof needs.
    NotCached(String),
    /// The database's answer did not verify (bad signature, fork, unproven record): the
    /// item fails.
    Verification(String),
    /// No answer (network error, timeout): the item gets no database verdict and fails.
    Unavailable(String),
}

/// Database answers looked up before the cache walk, keyed by module path and version (the
/// zip and `/go.mod` lines together).
#[derive(Debug, Default, Clone)]
pub struct DatabaseAnswers {
    answers: HashMap<(String, String), Result<Vec<String>, LookupFailure>>,
}

impl DatabaseAnswers {
    /// Looks up every version of `versions` whose path is not private (per the database's
    /// GONOSUMDB, never sent), both the zip and the `/go.mod` key, with at most `concurrency`
    /// lookups in flight. Private paths get no answer (the walk never asks for them).
    pub async fn fetch(
        db: &crate::verify::sums::Database,
        versions: &BTreeSet<(String, String)>,
        concurrency: usize,
    ) -> DatabaseAnswers {
        let mut keys = Vec::new();
        for (m, v) in versions {
            if db.private_pattern(m).is_none() {
                keys.push((m.clone(), v.clone()));
                keys.push((m.clone(), format!("{v}/go.mod")));
            }
        }
        let out = crate::verify::sums::lookup_all(&db.client, keys, concurrency).await;
        let mut answers: HashMap<(String, String), Result<Vec<String>, LookupFailure>> =
            HashMap::new();
        // Bare keys first, so a failure of either key is what the version keeps.
        let mut sorted: Vec<_> = out.into_iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        for ((m, v), o) in sorted {
            let bare = v.strip_suffix("/go.mod").unwrap_or(&v).to_owned();
            let got = match o {
                LookupOutcome::Found { lines, .. } => Ok(lines),
                LookupOutcome::NotFound { status, reason } => {
                    Err(LookupFailure::NotFound(format!("{status}: {reason}")))
                }
                LookupOutcome::NotCached { what } => Err(LookupFailure::NotCached(what)),
                LookupOutcome::Failed {
                    class: ErrorClass::Verification,
                    message,
                    ..
                } => Err(LookupFailure::Verification(message)),
                LookupOutcome::Failed { message, .. } => Err(LookupFailure::Unavailable(message)),
            };
            match (answers.get_mut(&(m.clone(), bare.clone())), got) {
                (Some(Ok(have)), Ok(lines)) => have.extend(lines),
                (Some(Err(_)), _) => {}
                (_, got) => {
                    answers.insert((m, bare), got);
                }
            }
        }
        DatabaseAnswers { answers }
    }

    /// How many module versions have an answer.
    pub fn len(&self) -> usize {
        self.answers.len()
    }

    /// Whether no module version has an answer.
    pub fn is_empty(&self) -> bool {
        self.answers.is_empty()
    }
}

impl DatabaseLookup for DatabaseAnswers {
    fn lookup(&self, path: &str, version: &str) -> Result<Vec<String>, LookupFailure> {
        self.answers
            .get(&(path.to_owned(), version.to_owned()))
            .cloned()
            .unwrap_or_else(|| {
                Err(LookupFailure::Unavailable(
                    "no answer was looked up for this module version".to_owned(),
                ))
            })
    }
}

/// How the checksum database is (not) used.
#[derive(Clone, Copy)]
#[non_exhaustive]
pub enum Database<'a> {
    /// `--offline`: the database is never contacted.
    Offline,
    /// No database client is available.
    Unavailable,
    /// Look every public module version up (private paths per GONOSUMDB are never sent;
    /// nothing is sent when GOSUMDB=off).
    Lookup(&'a dyn DatabaseLookup),
    /// `--offline` with answers from cached, verified database data only (gotrust's and go's
    /// caches, proven against the stored signed tree head); versions no cache holds are not
    /// consulted.
    OfflineCache(&'a dyn DatabaseLookup),
}

impl std::fmt::Debug for Database<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Database::Offline => "Offline",
            Database::Unavailable => "Unavailable",
            Database::Lookup(_) => "Lookup",
            Database::OfflineCache(_) => "OfflineCache",
        })
    }
}

pub(super) fn database_note(opts: &CacheOptions<'_>) -> String {
    if opts.gosumdb == "off" {
        return "checksum database not consulted (GOSUMDB=off)".to_owned();
    }
    match opts.database {
        Database::Offline => {
            "checksum database not consulted (--offline): hashes were compared with the cache's .ziphash files and go.sum only".to_owned()
        }
        Database::Unavailable => {
            "checksum database not consulted (no checksum-database client): hashes were compared with the cache's .ziphash files and go.sum only".to_owned()
        }
        Database::OfflineCache(_) => {
            "--offline: checksum database answers come only from cached data (gotrust's and go's sumdb caches), each proven against the stored signed tree head; versions not cached are marked not consulted".to_owned()
        }
        Database::Lookup(_) => {
            "checksum database consulted for every module version outside GONOSUMDB/GOPRIVATE (verified lookups)".to_owned()
        }
    }
}

pub(super) fn database_check(
    db: &dyn DatabaseLookup,
    module: &str,
    version: &str,
    go_mod: bool,
    hash: &str,
) -> (Check, Option<String>) {
    let lines = match db.lookup(module, version) {
        Ok(l) => l,
        Err(LookupFailure::NotFound(reason)) => {
            return (
                Check {
                    note: Some(format!("not in the checksum database: {reason}")),
                    ..Check::new(Reference::Sumdb, Outcome::Absent)
                },
                None,
            );
        }
        Err(LookupFailure::NotCached(what)) => {
            return (
                Check::not_consulted(
                    Reference::Sumdb,
                    format!("not in the offline cache ({what})"),
                ),
                None,
            );
        }
        Err(LookupFailure::Verification(e)) => {
            let why = format!("answer did not verify: {e}");
            return (
                Check::not_consulted(Reference::Sumdb, why.clone()),
                Some(why),
            );
        }
        Err(LookupFailure::Unavailable(e)) => {
            let why = format!("lookup failed: {e}");
            return (
                Check::not_consulted(Reference::Sumdb, why.clone()),
                Some(why),
            );
        }
    };
    let key = if go_mod {
        format!("{module} {version}/go.mod ")
    } else {
        format!("{module} {version} ")
    };
    let hashes: Vec<&str> = lines
        .iter()
        .filter_map(|l| l.strip_prefix(&key))
        .map(str::trim)
        .filter(|h| h.starts_with("h1:"))
        .collect();
    let outcome = if hashes.contains(&hash) {
        Outcome::Match
    } else if hashes.is_empty() {
        Outcome::Absent
    } else {
        Outcome::Mismatch
    };
    let note = (outcome == Outcome::Absent)
        .then(|| "the database's record has no h1: line for it".to_owned());
    (
        Check {
            expected: hashes.first().map(|h| (*h).to_owned()),
            note,
            ..Check::new(Reference::Sumdb, outcome)
        },
        None,
    )
}
