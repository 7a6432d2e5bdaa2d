//! The request log: one JSON object per request, kept in memory and
//! appended to a JSON-lines file.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// One served request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    /// RFC 3339 UTC time with milliseconds.
    pub time: String,
    /// HTTP method.
    pub method: String,
    /// Request path as received (still percent-encoded).
    pub path: String,
    /// Status code sent (0 when the connection was reset instead).
    pub status: u16,
    /// Body bytes sent (or announced, for truncated and reset answers).
    pub bytes: u64,
    /// Names of the faults applied, comma-separated; empty when none.
    pub fault: String,
}

/// Thread-safe log sink.
#[derive(Debug)]
pub struct RequestLog {
    entries: Mutex<Vec<LogEntry>>,
    file: Mutex<Option<File>>,
}

impl RequestLog {
    /// A log that also appends to `path` (created if missing).
    pub fn open(path: Option<&Path>) -> std::io::Result<RequestLog> {
        let file = match path {
            Some(p) => Some(OpenOptions::new().create(true).append(true).open(p)?),
            None => None,
        };
        Ok(RequestLog {
            entries: Mutex::new(Vec::new()),
            file: Mutex::new(file),
        })
    }

    /// Records an entry.
    pub fn push(&self, e: LogEntry) {
        if let Some(f) = self.file.lock().unwrap_or_else(|p| p.into_inner()).as_mut() {
            // One write per line: serde_json writing straight to the file made a system call
            // per token, which was most of the lab's time under thousands of lookups.
            if let Ok(mut line) = serde_json::to_vec(&e) {
                line.push(b'\n');
                // The log is diagnostic: a full disk must not fail the request.
                let _ = f.write_all(&line);
            }
        }
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(e);
    }

    /// A copy of every entry so far, in arrival order.
    pub fn entries(&self) -> Vec<LogEntry> {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

/// `t` as RFC 3339 UTC with milliseconds.
pub fn rfc3339(t: SystemTime) -> String {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Days to civil date (proleptic Gregorian), Howard Hinnant's method.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60,
        d.subsec_millis()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn times() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            rfc3339(UNIX_EPOCH + Duration::from_millis(1_709_251_199_123)),
            "2024-02-29T23:59:59.123Z"
        );
        assert_eq!(
            rfc3339(UNIX_EPOCH + Duration::from_secs(951_868_800)),
            "2000-03-01T00:00:00.000Z"
        );
    }
}
