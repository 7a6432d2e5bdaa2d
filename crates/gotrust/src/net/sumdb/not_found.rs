//! Lookups the database answered "not found" (404/410), remembered for a short while.
//!
//! go asks again every time (`golang.org/x/mod/sumdb/client.go` `Lookup` caches only found
//! records), so a go.sum naming a version the database lacks costs a request on every run,
//! which is all that kept a warm `verify sums` of such a file from making none. gotrust
//! remembers the answer for as long as it trusts a confirmed tree head without asking
//! (`--head-max-age`), and asks again afterwards.
//!
//! The file is a cache, not a trust anchor, and it can only make a run fail: a remembered
//! answer yields a "not in the database" failure, never a verified line. A tampered file can
//! at worst report a line as missing that the database has (a failure to look into, the fail
//! closed side), never hide one.
//!
//! Format: one JSON object per line, appended with one write each, the last line for a lookup
//! winning: `{"at":⟨unix seconds⟩,"lookup":"lookup/⟨path⟩@⟨version⟩","status":404,
//! "reason":"Not Found","message":"⟨the server's text⟩"}`.

use std::collections::HashMap;
use std::fs::OpenOptions;
use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// The largest file read; a larger one is started afresh on the next write.
const MAX_FILE_BYTES: u64 = 1 << 20;
/// The longest server text kept.
const MAX_MESSAGE_BYTES: usize = 4 << 10;

/// A remembered "not found" answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct NotFoundAnswer {
    /// When it was received, in Unix seconds.
    pub(crate) at: u64,
    /// The lookup path relative to the database (`lookup/⟨path⟩@⟨version⟩`, escaped).
    pub(crate) lookup: String,
    /// The HTTP status (404 or 410).
    pub(crate) status: u16,
    /// The status text (`Not Found`, `Gone`).
    pub(crate) reason: String,
    /// The server's text/plain excerpt, as go shows it.
    pub(crate) message: Option<String>,
}

impl NotFoundAnswer {
    /// How long ago the answer was received (`None` if dated in the future).
    pub(crate) fn age(&self) -> Option<Duration> {
        SystemTime::now()
            .duration_since(UNIX_EPOCH + Duration::from_secs(self.at))
            .ok()
    }
}

/// The remembered answers of one database.
#[derive(Debug)]
pub(crate) struct NotFoundStore {
    path: PathBuf,
    /// Read on first use: a run whose every record is in the pack never opens the file.
    answers: std::sync::OnceLock<Mutex<HashMap<String, NotFoundAnswer>>>,
    /// The lookups answered "not found" to this process (not remembered from an earlier run).
    asked_now: Mutex<std::collections::HashSet<String>>,
}

impl NotFoundStore {
    pub(crate) fn new(path: PathBuf) -> Self {
        NotFoundStore {
            path,
            answers: std::sync::OnceLock::new(),
            asked_now: Mutex::new(std::collections::HashSet::new()),
        }
    }

    fn answers(&self) -> &Mutex<HashMap<String, NotFoundAnswer>> {
        self.answers
            .get_or_init(|| Mutex::new(read_file(&self.path)))
    }

    /// Whether the database answered `lookup` "not found" to this process.
    pub(crate) fn asked_now(&self, lookup: &str) -> bool {
        self.asked_now
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(lookup)
    }

    /// The answer remembered for `lookup`, if received at most `max_age` ago.
    pub(crate) fn recent(&self, lookup: &str, max_age: Duration) -> Option<NotFoundAnswer> {
        let answers = self.answers().lock().unwrap_or_else(|e| e.into_inner());
        answers
            .get(lookup)
            .filter(|a| a.age().is_some_and(|age| age <= max_age))
            .cloned()
    }

    /// Remembers a "not found" answer received now.
    pub(crate) fn remember(
        &self,
        lookup: &str,
        status: u16,
        reason: &str,
        message: Option<&str>,
    ) -> io::Result<()> {
        let answer = NotFoundAnswer {
            at: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
            lookup: lookup.to_string(),
            status,
            reason: reason.to_string(),
            message: message.map(|m| truncate(m, MAX_MESSAGE_BYTES).to_string()),
        };
        let mut line = serde_json::to_vec(&answer).map_err(io::Error::other)?;
        line.push(b'\n');
        self.asked_now
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(lookup.to_string());
        let mut answers = self.answers().lock().unwrap_or_else(|e| e.into_inner());
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let too_large = std::fs::metadata(&self.path).is_ok_and(|m| m.len() > MAX_FILE_BYTES);
        let mut f = OpenOptions::new()
            .create(true)
            .append(!too_large)
            .write(true)
            .truncate(too_large)
            .open(&self.path)?;
        f.write_all(&line)?;
        answers.insert(answer.lookup.clone(), answer);
        Ok(())
    }
}

fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Every well-formed line of the file, the last per lookup winning; a missing, oversized or
/// unreadable file is empty, a malformed line is skipped.
fn read_file(path: &std::path::Path) -> HashMap<String, NotFoundAnswer> {
    let mut out = HashMap::new();
    let Ok(f) = std::fs::File::open(path) else {
        return out;
    };
    if f.metadata().map_or(true, |m| m.len() > MAX_FILE_BYTES) {
        return out;
    }
    let mut text = String::new();
    if f.take(MAX_FILE_BYTES).read_to_string(&mut text).is_err() {
        return out;
    }
    for line in text.lines() {
        if let Ok(a) = serde_json::from_str::<NotFoundAnswer>(line)
            && a.lookup.starts_with("lookup/")
            && matches!(a.status, 404 | 410)
        {
            out.insert(a.lookup.clone(), a);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_survive_a_reopen_and_expire() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db").join("not-found");
        let store = NotFoundStore::new(path.clone());
        assert!(
            store
                .recent("lookup/a@v1.0.0", Duration::from_secs(600))
                .is_none()
        );
        store
            .remember(
                "lookup/a@v1.0.0",
                404,
                "Not Found",
                Some("not found: a@v1.0.0"),
            )
            .unwrap();
        let again = NotFoundStore::new(path.clone());
        let a = again
            .recent("lookup/a@v1.0.0", Duration::from_secs(600))
            .unwrap();
        assert_eq!(
            (a.status, a.message.as_deref()),
            (404, Some("not found: a@v1.0.0"))
        );
        assert!(
            again
                .recent("lookup/b@v1.0.0", Duration::from_secs(600))
                .is_none()
        );
        // An answer dated 700 s ago is too old for a 600 s window.
        let mut old = a.clone();
        old.at -= 700;
        let mut text = serde_json::to_string(&old).unwrap();
        text.push('\n');
        std::fs::write(&path, text).unwrap();
        let reopened = NotFoundStore::new(path.clone());
        assert!(
            reopened
                .recent("lookup/a@v1.0.0", Duration::from_secs(600))
                .is_none()
        );
        assert!(
            reopened
                .recent("lookup/a@v1.0.0", Duration::from_secs(800))
                .is_some()
        );
    }

    #[test]
    fn malformed_lines_and_other_statuses_are_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("not-found");
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        std::fs::write(
            &path,
            format!(
                "garbage\n{{\"at\":{now},\"lookup\":\"lookup/a@v1\",\"status\":200,\"reason\":\"OK\",\"message\":null}}\n{{\"at\":{now},\"lookup\":\"tile/8/0/000\",\"status\":404,\"reason\":\"Not Found\",\"message\":null}}\n"
            ),
        )
        .unwrap();
        let store = NotFoundStore::new(path);
        assert!(
            store
                .recent("lookup/a@v1", Duration::from_secs(600))
                .is_none()
        );
        assert!(
            store
                .recent("tile/8/0/000", Duration::from_secs(600))
                .is_none()
        );
    }
}
