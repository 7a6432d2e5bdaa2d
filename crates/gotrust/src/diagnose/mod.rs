//! `gotrust diagnose`: go command output -> trace events, classified errors and their causes.
//!
//! [`LogParser`] reads any [`BufRead`] line by line in constant memory: each line is cut at a
//! bounded length (the rest is skipped, and counted), and the state kept between lines is one
//! pending message (its continuation lines are collected as context, capped), the module named
//! by the last error line, the go settings the log shows, and a capped list of error-looking
//! lines no rule explains. A 100 MB CI log costs the same memory as a 1 KB one.
//!
//! Before anything else each line loses the decoration other programs add (Docker BuildKit,
//! CI timestamps, build-service prefixes: [`layout`]). The parser recognises the `-x` trace
//! lines of cmd/go (`cmd/go/internal/web/http.go`: `# get URL`, `# get URL: 200 OK (0.090s)`,
//! `# get URL: <error>`), VCS command lines (`cmd/go/internal/vcs`, `modfetch/codehost`), and
//! the error texts of `cmd/go/internal/modfetch`, `modload`, `toolchain`, `web` and
//! `golang.org/x/mod/sumdb`, each mapped to a [`DiagnosisKind`] whose [`KindInfo`] gives the
//! generic cause, setting, fix and wrong fixes. [`causes`] then ranks the likely causes of each
//! message from the evidence in the whole log (settings, hosts and paths of failing URLs,
//! server responses, traces). Data only: nothing is printed.

pub mod causes;
pub mod compare;
pub mod evidence;
mod kinds;
pub mod layout;

use std::io::{self, BufRead};

use serde::Serialize;

pub use causes::{Analysis, Cause, Explained, analyze};
pub use evidence::{LogSetting, LogSettings};
pub use kinds::{DiagnosisKind, KindInfo};

use crate::redact::redact_text;
use layout::{is_indented, strip_decoration};

/// Default cap on a line's length; longer lines are truncated (go's own lines are far shorter,
/// except server responses, which go itself caps at 648 bytes).
pub const DEFAULT_MAX_LINE: usize = 64 * 1024;

/// What a `-x` trace line reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum TraceKind {
    /// `# get URL`: a request is about to be sent.
    Request,
    /// `# get URL: 200 OK (0.090s)`: a response arrived (any status).
    Response,
    /// `# get URL: <error>`: no response (transport error, `insecure`, `unsupported`,
    /// `insecure credentials`).
    Error,
    /// A VCS command (`git ls-remote -q URL`, `0.123s # cd DIR; git fetch ...`).
    Vcs,
}

/// One `-x` trace line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TraceEvent {
    /// 1-based line number in the log.
    pub line_no: u64,
    /// Which kind of trace line.
    pub kind: TraceKind,
    /// The URL (redacted: userinfo replaced); for VCS commands the remote URL if one is named.
    pub url: String,
    /// HTTP status code of a response.
    pub status: Option<u16>,
    /// Seconds reported by go (responses, finished VCS commands).
    pub seconds: Option<f64>,
    /// Error text of a failed request.
    pub error: Option<String>,
    /// The VCS command line (redacted), for [`TraceKind::Vcs`].
    pub command: Option<String>,
}

/// Hashes involved in a checksum mismatch, telling which side moved.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ChecksumEvidence {
    /// `downloaded: h1:…`: what the bits hash to now.
    pub downloaded: Option<String>,
    /// The hash it was compared with.
    pub recorded: Option<String>,
    /// Where `recorded` comes from: `go.sum`, `go.work.sum`, a go.sum path (workspace mode), or
    /// the checksum database's name.
    pub recorded_in: Option<String>,
}

/// One classified error.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnosis {
    /// 1-based line number of the (first) line of the message.
    pub line_no: u64,
    /// What it means.
    pub kind: DiagnosisKind,
    /// `path@version` (or the import path) the message is about, when named.
    pub module: Option<String>,
    /// The message line (redacted).
    pub detail: String,
    /// For checksum mismatches: the two hashes and where the recorded one comes from.
    pub checksum: Option<ChecksumEvidence>,
    /// The lines that continue the message (indented lines, git's `fatal:`/`remote:` lines,
    /// the `server response:` excerpt), redacted and capped: the evidence the causes are
    /// ranked from.
    pub context: Vec<ContextLine>,
}

/// A line that continues a diagnosed message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContextLine {
    /// 1-based line number in the log.
    pub line_no: u64,
    /// The line without decoration and surrounding blanks (redacted, capped).
    pub text: String,
    /// Part of a `server response:` excerpt: the server's words, not go's
    /// (`cmd/go/internal/web.(*HTTPError).Error` quotes at most 8 lines of the body).
    pub from_server: bool,
}

/// An error-looking line that no rule explains: listed so that "0 diagnosed" never hides an
/// error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnrecognizedLine {
    /// 1-based line number in the log.
    pub line_no: u64,
    /// The line (redacted, capped).
    pub text: String,
}

/// At most this many continuation lines are kept per diagnosis.
const MAX_CONTEXT: usize = 16;
/// At most this many bytes of a context or unrecognized line are kept.
const MAX_KEPT_LINE: usize = 512;
/// At most this many unrecognized lines are kept (all are counted).
pub const MAX_UNRECOGNIZED: usize = 200;

impl Diagnosis {
    /// Cause, setting, fix, wrong fixes and audit rule for this diagnosis.
    pub fn info(&self) -> KindInfo {
        self.kind.info()
    }
}

/// One item of a parsed log.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum LogEvent {
    /// A `-x` trace line.
    Trace(TraceEvent),
    /// A classified error.
    Diagnosis(Diagnosis),
}

/// Counters kept while parsing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct LogStats {
    /// Lines read.
    pub lines: u64,
    /// Lines longer than the cap (truncated).
    pub truncated_lines: u64,
    /// Trace events produced.
    pub traces: u64,
    /// Diagnoses produced.
    pub diagnoses: u64,
    /// Error-looking lines no rule explains.
    pub unrecognized: u64,
}

/// Reading the log failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DiagnoseError {
    /// An I/O error from the reader.
    #[error("reading the log after line {line_no}: {source}")]
    Read {
        /// Last line read successfully.
        line_no: u64,
        /// The I/O error.
        source: io::Error,
    },
}

/// A diagnosed message waiting for its continuation lines (a checksum mismatch also for its
/// hash lines).
#[derive(Debug)]
struct Pending {
    diagnosis: Diagnosis,
    /// Hash lines still expected (checksum mismatches only).
    remaining: u8,
}

/// Streaming parser of go command output; iterate it to get [`LogEvent`]s.
#[derive(Debug)]
pub struct LogParser<R> {
    reader: R,
    max_line: usize,
    buf: Vec<u8>,
    line_no: u64,
    stats: LogStats,
    pending: Option<Pending>,
    /// An event produced while flushing `pending`, returned before the next line is read.
    ready: Option<LogEvent>,
    /// Module named by the most recent error line, for continuation lines such as git's
    /// `fatal: … terminal prompts disabled`.
    last_module: Option<String>,
    /// Inside a `server response:` excerpt: its text comes from the server and is not go's.
    in_server_response: bool,
    /// The previous non-blank line ended with `: `: the next line is its wrapped tail.
    wrapped: bool,
    /// The previous non-blank line (capped), joined to a wrapped tail.
    prev_line: String,
    /// Line number of the previous non-blank line.
    prev_line_no: u64,
    /// An unrecognized line ending with `:` whose continuation lines are still coming: a
    /// message classified among them explains it.
    open_header: Option<u64>,
    /// The go settings the log shows.
    settings: LogSettings,
    /// Error-looking lines no rule explains (capped at [`MAX_UNRECOGNIZED`]).
    unrecognized: Vec<UnrecognizedLine>,
    done: bool,
}

impl<R: BufRead> LogParser<R> {
    /// A parser with the default line cap.
    pub fn new(reader: R) -> Self {
        Self::with_max_line(reader, DEFAULT_MAX_LINE)
    }

    /// A parser that keeps at most `max_line` bytes of each line (minimum 256).
    pub fn with_max_line(reader: R, max_line: usize) -> Self {
        let max_line = max_line.max(256);
        LogParser {
            reader,
            max_line,
            buf: Vec::with_capacity(max_line),
            line_no: 0,
            stats: LogStats::default(),
            pending: None,
            ready: None,
            last_module: None,
            in_server_response: false,
            wrapped: false,
            prev_line: String::new(),
            prev_line_no: 0,
            open_header: None,
            settings: LogSettings::default(),
            unrecognized: Vec::new(),
            done: false,
        }
    }

    /// The go settings the log shows (command-line assignments, `go env` listings).
    pub fn settings(&self) -> &LogSettings {
        &self.settings
    }

    /// Error-looking lines that no rule explains (the first [`MAX_UNRECOGNIZED`]; all are
    /// counted in [`LogStats::unrecognized`]).
    pub fn unrecognized(&self) -> &[UnrecognizedLine] {
        &self.unrecognized
    }

    /// Counters so far.
    pub fn stats(&self) -> LogStats {
        self.stats
    }

    /// Bytes of heap the parser holds between lines (line buffer, pending block, remembered
    /// module). Bounded by a small multiple of the line cap whatever the input: the test of
    /// the constant-memory claim.
    pub fn retained_bytes(&self) -> usize {
        let pending = self.pending.as_ref().map_or(0, |p| {
            let d = &p.diagnosis;
            d.detail.capacity()
                + d.module.as_ref().map_or(0, String::capacity)
                + d.checksum.as_ref().map_or(0, |c| {
                    [&c.downloaded, &c.recorded, &c.recorded_in]
                        .iter()
                        .map(|s| s.as_ref().map_or(0, String::capacity))
                        .sum()
                })
                + d.context.iter().map(|c| c.text.capacity()).sum::<usize>()
        });
        let settings: usize = self
            .settings
            .settings
            .iter()
            .map(|s| s.line.capacity() + s.value.capacity() + s.name.capacity())
            .sum();
        let unrecognized: usize = self.unrecognized.iter().map(|u| u.text.capacity()).sum();
        self.buf.capacity()
            + pending
            + self.last_module.as_ref().map_or(0, String::capacity)
            + settings
            + unrecognized
    }

    /// Reads one line into `buf` (without the newline), keeping at most `max_line` bytes.
    /// Returns false at end of input.
    fn read_line(&mut self) -> io::Result<bool> {
        self.buf.clear();
        let mut any = false;
        let mut truncated = false;
        loop {
            let avail = match self.reader.fill_buf() {
                Ok(a) => a,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if avail.is_empty() {
                break;
            }
            any = true;
            let (take, newline) = match avail.iter().position(|&b| b == b'\n') {
                Some(p) => (p, true),
                None => (avail.len(), false),
            };
            let room = self.max_line - self.buf.len();
            if take > room {
                truncated = true;
            }
            self.buf.extend_from_slice(&avail[..take.min(room)]);
            self.reader.consume(take + usize::from(newline));
            if newline {
                break;
            }
        }
        if truncated {
            self.stats.truncated_lines += 1;
        }
        Ok(any)
    }

    fn flush_pending(&mut self) -> Option<LogEvent> {
        self.pending.take().map(|p| {
            self.stats.diagnoses += 1;
            LogEvent::Diagnosis(p.diagnosis)
        })
    }

    /// Processes one line; may return an event and leave another in `ready`.
    fn process(&mut self, raw: &str) -> Option<LogEvent> {
        let line_no = self.line_no;
        let line = strip_decoration(raw);
        let trimmed = line.trim();
        if line.contains('=') || trimmed.starts_with("go version ") {
            self.settings.observe(line, line_no);
        }
        let wrapped = self.wrapped;
        // A line that starts with `:` is the tail of a line a terminal or a paste wrapped.
        let tail = trimmed.starts_with(':') && trimmed.len() > 1;
        let prev = if (wrapped || tail) && !is_indented(line) {
            std::mem::take(&mut self.prev_line)
        } else {
            String::new()
        };
        let prev_line_no = self.prev_line_no;
        if !trimmed.is_empty() && !is_continuation(line) {
            self.open_header = None;
        }
        if !trimmed.is_empty() {
            self.prev_line_no = line_no;
            self.wrapped = trimmed.ends_with(':') && !trimmed.ends_with("::");
            self.prev_line.clear();
            let mut end = trimmed.len().min(MAX_KEPT_LINE);
            while !trimmed.is_char_boundary(end) {
                end -= 1;
            }
            self.prev_line.push_str(&trimmed[..end]);
        }
        // Hash lines of a pending checksum-mismatch block.
        if let Some(p) = &mut self.pending
            && p.remaining > 0
            && (is_indented(line) || trimmed.starts_with("downloaded:"))
            && let Some((label, hash)) = trimmed.split_once(':')
            && !label.contains(' ')
        {
            let hash = hash.trim();
            let ev = p.diagnosis.checksum.get_or_insert_with(Default::default);
            if label == "downloaded" {
                ev.downloaded = Some(hash.to_string());
            } else {
                // Go 1.13-1.15 print a database mismatch as `verifying m@v: checksum mismatch`
                // with the database's name as the label (modfetch.checkSumDB); go.sum files
                // are named by path.
                if !label.ends_with("go.sum") && !label.ends_with("go.work.sum") {
                    p.diagnosis.kind = DiagnosisKind::SumDbMismatch;
                }
                ev.recorded = Some(hash.to_string());
                if ev.recorded_in.is_none() {
                    ev.recorded_in = Some(label.trim().to_string());
                }
            }
            p.remaining -= 1;
            return None;
        }
        // Server response excerpts are the server's words, possibly an attacker's: they never
        // produce a diagnosis of their own, but they are evidence for the pending one.
        if trimmed.starts_with("server response:") {
            self.in_server_response = true;
            self.add_context(line_no, trimmed, true);
            return None;
        }
        if self.in_server_response {
            if is_indented(line) {
                self.add_context(line_no, trimmed, true);
                return None;
            }
            self.in_server_response = false;
        }
        if trimmed.is_empty() {
            return None;
        }
        if let Some(t) = parse_trace(trimmed, line_no) {
            let flushed = self.flush_pending();
            self.stats.traces += 1;
            return self.both(flushed, Some(LogEvent::Trace(t)));
        }
        let classified = classify(line);
        let continuation = self.pending.is_some() && is_continuation(line);
        if continuation {
            let same_kind = match (&self.pending, &classified) {
                (Some(p), Some((k, _))) => p.diagnosis.kind == *k,
                _ => false,
            };
            if classified.is_none() || same_kind {
                self.add_context(line_no, trimmed, false);
                return None;
            }
        }
        let Some((kind, module)) = classified else {
            let flushed = if continuation {
                None
            } else {
                self.flush_pending()
            };
            // Remember the module of unclassified error lines (`go: m@v: git ls-remote …
            // exit status 128:`) for the continuation lines that explain them.
            if let Some(m) = module_of(line) {
                self.last_module = Some(m);
            }
            if !continuation && looks_like_error(trimmed) {
                self.stats.unrecognized += 1;
                if self.unrecognized.len() < MAX_UNRECOGNIZED {
                    self.unrecognized.push(UnrecognizedLine {
                        line_no,
                        text: cap(&redact_text(trimmed)),
                    });
                    if trimmed.ends_with(':') {
                        self.open_header = Some(line_no);
                    }
                }
            }
            return flushed;
        };
        // A header line just listed as unrecognized (`go: m@v: git ls-remote …: exit status
        // 128:`, `go: errors parsing go.mod:`) is explained by the message that continues it.
        if self.unrecognized.last().is_some_and(|u| {
            (u.line_no == prev_line_no && u.text.ends_with(':'))
                || (Some(u.line_no) == self.open_header && is_continuation(line))
        }) {
            self.open_header = None;
            self.unrecognized.pop();
            self.stats.unrecognized -= 1;
        }
        let flushed = self.flush_pending();
        let joined;
        let (trimmed, module) = if prev.is_empty() {
            (trimmed, module)
        } else {
            joined = format!("{prev}{}{trimmed}", if tail { "" } else { " " });
            let module = module.or_else(|| module_of(&prev));
            (joined.as_str(), module)
        };
        let module = module.or_else(|| {
            // git's `fatal:` lines and wrapped tails continue the error of the line before.
            (is_indented(line) || trimmed.starts_with("fatal:") || wrapped)
                .then(|| self.last_module.clone())
                .flatten()
        });
        if module.is_some() {
            self.last_module.clone_from(&module);
        }
        let mut d = Diagnosis {
            line_no,
            kind,
            module,
            detail: redact_text(trimmed),
            checksum: None,
            context: Vec::new(),
        };
        let mut remaining = 0;
        if matches!(
            kind,
            DiagnosisKind::GoSumMismatch | DiagnosisKind::SumDbMismatch
        ) {
            if kind == DiagnosisKind::SumDbMismatch {
                d.checksum = Some(ChecksumEvidence::default());
            }
            remaining = 2;
        }
        self.pending = Some(Pending {
            diagnosis: d,
            remaining,
        });
        flushed
    }

    /// Returns `a` and keeps `b` for the next call (or whichever exists).
    fn both(&mut self, a: Option<LogEvent>, b: Option<LogEvent>) -> Option<LogEvent> {
        match (a, b) {
            (Some(a), Some(b)) => {
                self.ready = Some(b);
                Some(a)
            }
            (a, b) => a.or(b),
        }
    }

    fn add_context(&mut self, line_no: u64, text: &str, from_server: bool) {
        if let Some(p) = &mut self.pending
            && p.diagnosis.context.len() < MAX_CONTEXT
        {
            p.diagnosis.context.push(ContextLine {
                line_no,
                text: cap(&redact_text(text)),
                from_server,
            });
        }
    }
}

/// Cuts `s` to [`MAX_KEPT_LINE`] bytes at a character boundary.
fn cap(s: &str) -> String {
    if s.len() <= MAX_KEPT_LINE {
        return s.to_string();
    }
    let mut end = MAX_KEPT_LINE;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

/// Whether a (decoration-free) line continues the message above it: indented, or one of the
/// unindented lines go and git print after a message (`fatal:`, `remote:`, the SECURITY ERROR
/// explanation of `cmd/go/internal/modfetch.checkModSum`, the git FAQ hint of
/// `modfetch/codehost`, the vendor-consistency hints of `modload.checkVendorConsistency`).
fn is_continuation(line: &str) -> bool {
    const STARTS: &[&str] = &[
        "fatal:",
        "remote:",
        "error:",
        "ssh:",
        "Please make sure you have the correct access rights",
        "and the repository exists.",
        "Confirm the import path was entered correctly.",
        "If this is a private repository",
        "SECURITY ERROR",
        "SECURITY WARNING",
        "This download does NOT match",
        "The bits may have been replaced",
        "have intercepted the download attempt",
        "For more information, see",
        "module declares its path as",
        "but was required as",
        "To ignore the vendor directory",
        "To sync the vendor directory",
        "run 'go mod vendor'",
    ];
    is_indented(line) || STARTS.iter().any(|s| line.starts_with(s))
}

/// Whether an unexplained line looks like an error worth listing: a `go:` line that is not a
/// progress message, or a line with an error word in it.
fn looks_like_error(line: &str) -> bool {
    if line.len() < 6
        || line.starts_with('#')
        || only_summarizes_a_failure(line)
        || is_go_command_line(line)
    {
        return false;
    }
    if let Some(rest) = line.strip_prefix("go: ") {
        const PROGRESS: &[&str] = &[
            "downloading ",
            "finding ",
            "extracting ",
            "found ",
            "upgraded ",
            "added ",
            "downgraded ",
            "removed ",
            "creating new go.mod",
            "to add module requirements",
            "switching to ",
            "warning:",
            "module ",
        ];
        if PROGRESS.iter().any(|p| rest.starts_with(p)) && !rest.contains("exit status") {
            return false;
        }
        return rest.contains(": ") || rest.contains("error") || rest.contains("failed");
    }
    let lower = line.to_ascii_lowercase();
    const WORDS: &[&str] = &[
        "error",
        "unknown ",
        "no required module",
        "not in goroot",
        "missing ",
        "requires go",
        "unsupported",
        "forbidden",
        "unauthorized",
        " gone",
        "conflict",
        "malformed",
        "disabled",
        "not allowed",
        "fatal:",
        "failed",
        "cannot ",
        "could not",
        "unable to",
        "denied",
        "refused",
        "exit status",
        "no such",
        "mismatch",
        "timeout",
        "timed out",
        "panic:",
        "invalid ",
        "not found",
    ];
    // `timeout=0s` in a wrapper's command echo is a setting, not a failure.
    WORDS.iter().any(|w| match *w {
        "timeout" => lower.replace("timeout=", "").contains(w),
        _ => lower.contains(w),
    })
}

/// A go command as typed or echoed (`GOBIN=/x go install -ldflags "-X main.Version=unknown"
/// ./cmd/...`, `$ go get example.com/m`): its flags and arguments are not an error, whatever
/// words they contain.
fn is_go_command_line(line: &str) -> bool {
    const SUBCOMMANDS: &[&str] = &[
        "build", "clean", "env", "generate", "get", "install", "list", "mod", "run", "test",
        "tool", "vet", "work",
    ];
    let mut words = line
        .trim_start_matches(['$', '%', '>', ' '])
        .split_whitespace()
        .skip_while(|w| {
            // `VAR=value` assignments and `env` before the command.
            *w == "env"
                || w.split_once('=').is_some_and(|(k, _)| {
                    !k.is_empty() && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                })
        });
    let program = words.next().unwrap_or("");
    let program = program.rsplit(['/', '\\']).next().unwrap_or(program);
    // `go build example.com/m: cannot load ...` (go before 1.16) is go's error, not a command.
    matches!(program, "go" | "go.exe")
        && words.next().is_some_and(|w| SUBCOMMANDS.contains(&w))
        && !line.contains(": ")
}

/// Lines in which a wrapper (make, Docker, CI runners, nix, an installer, a tool's log) or go
/// itself only reports that a command failed: go's GOPATH-mode `package P: exit status N` and
/// the `go: error loading module requirements` of go 1.11-1.13 follow the real error. The
/// reason is in the lines around them, so these are never listed as unexplained errors.
fn only_summarizes_a_failure(line: &str) -> bool {
    let lower = line.to_ascii_lowercase();
    let exit_status_only = |s: &str| {
        s.strip_prefix("exit status ")
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    };
    const SUMMARIES: &[&str] = &[
        "returned a non-zero code",
        "did not complete successfully",
        "completed with exit code",
        "failed with exit code",
        "exited with code",
        "script returned exit code",
        "error: command failed: ",
    ];
    // `... exit code: 1`, `... exited with status 1`: a wrapper's last words about a command
    // (go's own `go: ...: exit status 128:` headers end with a colon and are continued).
    let without_code = lower
        .trim_end_matches(['.', ' '])
        .trim_end_matches(|c: char| c.is_ascii_digit());
    let ends_with_exit = without_code.len() < lower.trim_end_matches(['.', ' ']).len()
        && [
            "exit code: ",
            "exit code ",
            "exit status ",
            "exited with status ",
            "exited with ",
        ]
        .iter()
        .any(|w| without_code.ends_with(w));
    (ends_with_exit && !lower.starts_with("go: "))
        || (lower.contains("recipe for target") && lower.ends_with("failed"))
        || lower.starts_with("command failed: ")
        || lower.starts_with("make: ***")
        || lower.starts_with("=> error [")
        || lower == "go: error loading module requirements"
        || (lower.starts_with("make[") && lower.contains("]: ***"))
        || SUMMARIES.iter().any(|w| lower.contains(w))
        || exit_status_only(lower.trim())
        || (lower.starts_with("package ")
            && lower
                .rsplit_once(": ")
                .is_some_and(|(_, tail)| exit_status_only(tail.trim())))
}

impl<R: BufRead> Iterator for LogParser<R> {
    type Item = Result<LogEvent, DiagnoseError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(ev) = self.ready.take() {
            return Some(Ok(ev));
        }
        while !self.done {
            match self.read_line() {
                Ok(true) => {}
                Ok(false) => {
                    self.done = true;
                    return self.flush_pending().map(Ok);
                }
                Err(source) => {
                    self.done = true;
                    return Some(Err(DiagnoseError::Read {
                        line_no: self.line_no,
                        source,
                    }));
                }
            }
            self.line_no += 1;
            self.stats.lines += 1;
            let buf = std::mem::take(&mut self.buf);
            let text = String::from_utf8_lossy(&buf);
            let line = text.strip_suffix('\r').unwrap_or(&text);
            let line = layout::strip_colors(line);
            let ev = self.process(&line);
            drop(text);
            self.buf = buf;
            if let Some(ev) = ev {
                return Some(Ok(ev));
            }
        }
        None
    }
}

/// Parses every line of `log` (convenience for small inputs; use [`LogParser`] for streams).
pub fn parse_str(log: &str) -> Vec<LogEvent> {
    LogParser::new(log.as_bytes())
        .filter_map(Result::ok)
        .collect()
}

/// Parses a `-x` trace line.
fn parse_trace(line: &str, line_no: u64) -> Option<TraceEvent> {
    let mut ev = TraceEvent {
        line_no,
        kind: TraceKind::Request,
        url: String::new(),
        status: None,
        seconds: None,
        error: None,
        command: None,
    };
    if let Some(rest) = line.strip_prefix("# get ") {
        match rest.split_once(": ") {
            None => ev.url = redact_text(rest.trim()),
            Some((url, result)) => {
                ev.url = redact_text(url);
                if let Some((status, secs)) = parse_status(result) {
                    ev.kind = TraceKind::Response;
                    ev.status = Some(status);
                    ev.seconds = secs;
                } else {
                    ev.kind = TraceKind::Error;
                    ev.error = Some(redact_text(result));
                }
            }
        }
        return Some(ev);
    }
    // VCS: `[0.123s # ][cd DIR; ]git ARGS`.
    let mut rest = line;
    if let Some((secs, cmd)) = line.split_once("s # ")
        && let Ok(s) = secs.parse::<f64>()
    {
        ev.seconds = Some(s);
        rest = cmd;
    }
    if let Some(after_cd) = rest.strip_prefix("cd ")
        && let Some((_, cmd)) = after_cd.split_once("; ")
    {
        rest = cmd;
    }
    let tool = rest.split(' ').next().unwrap_or("");
    if matches!(tool, "git" | "hg" | "svn" | "fossil" | "bzr") && rest.len() > tool.len() {
        ev.kind = TraceKind::Vcs;
        ev.command = Some(redact_text(rest));
        ev.url = rest
            .split(' ')
            .rev()
            .find(|w| w.contains("://") || (w.contains('@') && w.contains(':')))
            .map(|w| redact_text(w.trim_matches('\'')))
            .unwrap_or_default();
        return Some(ev);
    }
    None
}

/// `200 OK (0.090s)` -> (200, Some(0.09)).
fn parse_status(result: &str) -> Option<(u16, Option<f64>)> {
    let code = result.get(..3)?;
    if !code.bytes().all(|b| b.is_ascii_digit()) || result.as_bytes().get(3) != Some(&b' ') {
        return None;
    }
    let status = code.parse().ok()?;
    let secs = result
        .rsplit_once('(')
        .and_then(|(_, s)| s.strip_suffix("s)"))
        .and_then(|s| s.parse().ok());
    Some((status, secs))
}

/// The `path@version` an error line is about: the first word of the form `path@vX…` (a
/// trailing `/go.mod` dropped), else the path inside `unrecognized import path "…"`.
/// Package paths and version queries (`@latest`, `@upgrade`) are never returned.
fn module_of(line: &str) -> Option<String> {
    let t = line.trim_start();
    let words: Vec<&str> = t
        .split([' ', '\t', '"', '(', ')', ','])
        .map(|w| w.trim_end_matches([':', ';', '.']))
        .filter(|w| !w.is_empty())
        .collect();
    if let Some(first) = words.iter().position(|w| module_version(w).is_some()) {
        // go names the query before the module it resolved to (`go install pkg@v: mod@v:
        // verifying module: ...`, `m@v requires dep@v: ...`, `m@v (replaced by fork@v): ...`):
        // the error is about the last module of that chain.
        let mut at = first;
        loop {
            let next = match (words.get(at + 1), words.get(at + 2)) {
                (Some(&"requires"), _) => at + 2,
                (Some(&"replaced"), Some(&"by")) => at + 3,
                _ => at + 1,
            };
            match words.get(next) {
                Some(w) if module_version(w).is_some() => at = next,
                _ => break,
            }
        }
        return module_version(words[at]);
    }
    // `reading example.com/m/go.mod at revision v1.2.3: unknown revision` (modfetch.coderepo).
    if let Some((before, after)) = t.split_once("/go.mod at revision ")
        && let Some(path) = before.rsplit([' ', '\t']).next()
        && let Some(m) = module_version(&format!(
            "{path}@{}",
            after.split([':', ' ']).next().unwrap_or("")
        ))
    {
        return Some(m);
    }
    // A proxy URL names module and version: `https://host/github.com/!a/b/@v/v1.2.3.mod`.
    if let Some(m) = module_of_proxy_url(t) {
        return Some(m);
    }
    if let Some(i) = t.find("unrecognized import path \"") {
        let rest = &t[i + 26..];
        return rest.split('"').next().map(str::to_string);
    }
    // `go: module example.com/m: git ls-remote …`: a module path without a version
    // (modload's `module X:` prefix), never a package path.
    for (i, _) in t.match_indices("module ") {
        let word = t[i + 7..].split(' ').next().unwrap_or("");
        if let Some(path) = word.strip_suffix(':')
            && path.split('/').next().is_some_and(|h| h.contains('.'))
            && !path.contains(['@', '"', '*'])
            && !path.contains("...")
        {
            return Some(path.to_string());
        }
    }
    None
}

/// The module and version a proxy request URL asks for (the GOPROXY protocol's
/// `<base>/<escaped path>/@v/<version>.info|.mod|.zip`, `module.EscapePath` undone). The
/// proxy's own path prefix is skipped: a module path starts with a host name, which has a dot.
fn module_of_proxy_url(line: &str) -> Option<String> {
    let start = line.find("https://").or_else(|| line.find("http://"))?;
    let url = line[start..]
        .split(['"', ' ', '\'', ')'])
        .next()?
        .trim_end_matches([':', ',']);
    let (base, file) = url.split_once("/@v/")?;
    let version = [".info", ".mod", ".zip"]
        .iter()
        .find_map(|ext| file.strip_suffix(ext))?;
    let after_scheme = base.split_once("://")?.1;
    let segments: Vec<&str> = after_scheme.split('/').skip(1).collect();
    let first = segments.iter().position(|s| s.contains('.'))?;
    let mut path = String::new();
    let escaped = segments[first..].join("/").replace("%21", "!");
    let mut chars = escaped.chars();
    while let Some(c) = chars.next() {
        if c == '!' {
            path.extend(chars.next()?.to_uppercase());
        } else {
            path.push(c);
        }
    }
    let version = version.replace("%2B", "+").replace("%2b", "+");
    module_version(&format!("{path}@{version}"))
}

/// `path@vX.Y.Z` (or `path@vX.Y.Z/go.mod`) -> `path@vX.Y.Z`.
fn module_version(word: &str) -> Option<String> {
    let (path, version) = word.split_once('@')?;
    let version = version.strip_suffix("/go.mod").unwrap_or(version);
    let b = version.as_bytes();
    let versionish = b.len() >= 2 && b[0] == b'v' && b[1].is_ascii_digit();
    let pathish = !path.is_empty()
        && !path.contains("://")
        && !path.starts_with('/')
        && !path.contains('\\')
        && path
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"-._~/!+".contains(&c));
    (versionish && pathish && !version.contains(['@', ':', '/']))
        .then(|| format!("{path}@{version}"))
}

/// Whether `line` ends with `: <status text>` and nothing else (a closing parenthesis of old
/// go's `(https fetch: ...)` aside).
fn ends_with_bare_status(line: &str, status: &str) -> bool {
    line.trim_end()
        .trim_end_matches(')')
        .strip_suffix(status)
        .is_some_and(|before| before.ends_with(": "))
}

/// The version-control tools cmd/go/internal/vcs runs.
const VCS_TOOLS: &[&str] = &["git", "hg", "svn", "bzr", "fossil"];

/// Windows' text for WSAECONNREFUSED (10061) in its most common display languages (Chinese,
/// Japanese, Korean, German, French, Spanish, Portuguese, Russian): distinctive fragments.
const LOCALIZED_REFUSED: &[&str] = &[
    "积极拒绝",
    "拒否されたため",
    "거부했으므로",
    "Verbindung verweigerte",
    "connexion a été refusée",
    "denegó expresamente",
    "recusou ativamente",
    "отверг запрос",
];

/// Windows' text for WSAETIMEDOUT (10060) in the same languages: distinctive fragments.
const LOCALIZED_TIMEOUT: &[&str] = &[
    "连接尝试失败",
    "連線嘗試失敗",
    "正しく応答しなかった",
    "응답이 없어",
    "nicht richtig reagiert",
    "n'a pas répondu convenablement",
    "no respondió adecuadamente",
    "não respondeu corretamente",
    "не получен нужный отклик",
];

fn has_status(line: &str, codes: &[&str]) -> bool {
    codes.iter().any(|c| line.contains(&format!(": {c}")))
}

/// The literals [`classify_by`] asks for first in each of its branches, found by running it
/// once with a `has` that records and answers "no": a line holding none of them matches no
/// branch. One automaton pass over them rejects the ordinary lines of a large log before some
/// eighty substring searches would, and tells the branches which literals are there.
struct Prefilter {
    automaton: aho_corasick::AhoCorasick,
    index: std::collections::HashMap<&'static str, usize>,
}

/// Room for the literals, so that each line's set lives on the stack.
const MAX_LITERALS: usize = 256;

static PREFILTER: std::sync::LazyLock<Prefilter> = std::sync::LazyLock::new(|| {
    let seen = std::cell::RefCell::new(Vec::<&'static str>::new());
    classify_by("", &|s| {
        let mut seen = seen.borrow_mut();
        if !seen.contains(&s) {
            seen.push(s);
        }
        false
    });
    let literals = seen.into_inner();
    assert!(literals.len() <= MAX_LITERALS, "raise MAX_LITERALS");
    Prefilter {
        automaton: aho_corasick::AhoCorasick::new(&literals).expect("fixed literal patterns"),
        index: literals.iter().enumerate().map(|(i, s)| (*s, i)).collect(),
    }
});

/// Classifies one line; `None` for lines that are not errors gotrust knows.
pub fn classify(line: &str) -> Option<(DiagnosisKind, Option<String>)> {
    let p = &*PREFILTER;
    let mut present = [false; MAX_LITERALS];
    let mut any_present = false;
    for m in p.automaton.find_overlapping_iter(line) {
        present[m.pattern().as_usize()] = true;
        any_present = true;
    }
    if !any_present {
        return None;
    }
    // Literals the recording run did not reach (second terms of `&&`, tests inside a branch)
    // are searched for directly.
    classify_by(line, &|s| match p.index.get(s) {
        Some(&i) => present[i],
        None => line.contains(s),
    })
}

/// The classification chain, asking `has` whether the line contains a literal. Every branch
/// must test a literal through `has` before anything else, so that [`PREFILTER`] sees it.
fn classify_by(
    line: &str,
    has: &dyn Fn(&'static str) -> bool,
) -> Option<(DiagnosisKind, Option<String>)> {
    use DiagnosisKind as K;
    let any = |xs: &[&'static str]| xs.iter().any(|s| has(s));
    let kind = if any(&[
        "go.sum database server misbehavior detected",
        "security error: misbehaving server",
        "generated inconsistent proof",
    ]) {
        K::SumDbMisbehavior
    } else if has("checksum mismatch") {
        if any(&["verifying module:", "verifying go.mod:"]) {
            K::SumDbMismatch
        } else {
            K::GoSumMismatch
        }
    } else if has("unknown hashes in go.sum") {
        K::UnknownHashAlgorithm
    } else if any(&[
        "invalid GOSUMDB",
        "invalid sumdb name (must be host[/path])",
    ]) {
        K::GosumdbInvalid
    } else if has("missing GOSUMDB") {
        K::GosumdbMissing
    } else if has("checksum database disabled by GOSUMDB=off") {
        K::GosumdbOffToolchain
    } else if has("initializing sumdb.Client") {
        // Problems with the stored tree head or key are local, whatever the inner text says.
        K::SumDbClientInit
    } else if has("note has no verifiable signatures") {
        K::SumDbKeyMismatch
    } else if has("invalid signature for key") {
        K::SumDbBadSignature
    } else if has("/tile/") && has_status(line, &["404", "410"]) {
        K::SumDbTileMissing
    } else if any(&[
        "malformed note",
        "malformed tree note",
        "malformed record data",
        "cannot authenticate record data",
        "cannot validate record",
        "downloaded inconsistent tile",
    ]) {
        K::SumDbBadResponse
    } else if has("could not locate sumdb file") {
        K::SumDbNoGopath
    } else if any(&["module declares its path as", "unexpected module path"]) {
        K::ModulePathMismatch
    } else if any(&[
        "inconsistent vendoring",
        "but not marked as explicit in vendor/modules.txt",
        "is marked as explicit in vendor/modules.txt",
        "but vendor/modules.txt indicates",
    ]) {
        K::InconsistentVendoring
    } else if has("listed in go.work file requires go") {
        K::WorkspaceGoVersion
    } else if has("listed in go.work file:") {
        K::WorkspaceModuleMissing
    } else if any(&[
        "requires go >= ",
        "(running go ",
        "must match format 1.",
        "module requires Go 1.",
        "but maximum supported version is",
        "unknown directive: toolchain",
    ]) && !line.contains("; switching to go")
    {
        // `requires go >= 1.22.0; switching to go1.22.3` is go switching toolchains as
        // designed (cmd/go/internal/toolchain.Switch), not an error.
        K::GoTooOld
    } else if any(&[" is not in GOROOT", " is not in std"]) {
        K::NotInStd
    } else if any(&[
        "go.mod file not found in current directory or any parent directory",
        "cannot use path@version syntax in GOPATH mode",
        "cannot find main module",
        "go: modules disabled by GO111MODULE=off",
        // Go 1.22+: `go: 'go get' is no longer supported outside a module.`
        "is no longer supported outside a module",
    ]) {
        K::NoMainModule
    } else if any(&["malformed module path", "malformed import path"]) {
        K::MalformedModulePath
    } else if has("updates to go.mod needed") {
        K::GoModUpdatesNeeded
    } else if any(&[
        "x509: certificate signed by unknown authority",
        // macOS verifies through the platform (crypto/x509 root_darwin.go, Go 1.18+) and
        // words it `x509: “<subject>” certificate is not trusted`.
        "certificate is not trusted",
        "SSL certificate problem: unable to get local issuer certificate",
        "SSL certificate problem: self signed certificate",
        "SSL certificate problem: self-signed certificate",
        "server certificate verification failed",
        "SSL: certificate verification failed",
    ]) {
        K::TlsUnknownAuthority
    } else if any(&[
        "x509: certificate is valid for",
        "x509: certificate is not valid for any names",
    ]) {
        K::TlsHostnameMismatch
    } else if any(&[
        "x509: certificate has expired or is not yet valid",
        "SSL certificate problem: certificate has expired",
    ]) {
        K::TlsExpired
    } else if has("legacy Common Name field") {
        K::TlsLegacyCommonName
    } else if has("x509: failed to load system roots") {
        K::TlsNoRoots
    } else if has("proxyconnect tcp") || has("Could not resolve proxy") {
        K::HttpProxyUnreachable
    } else if has("Proxy Authentication Required") {
        K::HttpProxyAuth
    } else if has("refusing to pass credentials to insecure URL") {
        K::CredentialsToInsecureUrl
    } else if has("redirected from secure URL") {
        K::InsecureRedirect
    } else if has("stopped after 10 redirects") {
        K::TooManyRedirects
    } else if any(&[": verifying module: ", ": verifying go.mod: "])
        || (has("verifying ") && any(&["/lookup/", "/tile/"]))
    {
        if has("/sumdb/") && has("/supported") {
            K::SumDbProbeFailed
        } else if has("/lookup/") && has_status(line, &["404 ", "410 "]) {
            K::SumDbLookupNotFound
        } else {
            K::SumDbUnreachable
        }
    } else if has("GOPROXY list is not the empty string, but contains no entries") {
        K::ProxyNoEntries
    } else if any(&[
        "invalid proxy URL missing scheme",
        "invalid proxy URL scheme",
        "invalid file:// proxy URL with non-path elements",
    ]) {
        K::ProxyInvalidEntry
    } else if has("module lookup disabled by GOPROXY=off") {
        K::ProxyOff
    } else if has("disabled by GOPRIVATE/GONOPROXY") {
        K::DisabledByGoPrivate
    } else if any(&[
        // `module lookup disabled by -mod=vendor` (modload.QueryPattern) and, for a missing
        // package, `cannot find module providing package P: import lookup disabled by
        // -mod=vendor` (modload.ImportMissingError): both mean vendor/ decides alone.
        "lookup disabled by -mod=vendor",
        "cannot query module due to -mod=vendor",
    ]) {
        K::VendorMode
    } else if has("GOVCS disallows using") {
        K::GovcsDisallows
    } else if any(&[
        "no secure protocol found for repository",
        "no protocol found for repository",
    ]) {
        K::NoSecureProtocol
    } else if has("command. See https://golang.org/s/gogetcmd")
        || (has("executable file not found in")
            && VCS_TOOLS
                .iter()
                .any(|t| line.contains(&format!("exec: \"{t}\""))))
    {
        // cmd/go/internal/vcs (Cmd.run) prints `go: missing Git command. See
        // https://golang.org/s/gogetcmd`; modfetch/codehost runs the tool and reports os/exec's
        // `exec: "git": executable file not found in $PATH` (`%PATH%` on Windows).
        K::VcsMissing
    } else if any(&[
        "terminal prompts disabled",
        "could not read Username",
        "could not read Password",
        "Authentication failed for",
        "Permission denied (publickey)",
        "Repository not found",
        "The project you were looking for could not be found",
        "Could not read from remote repository",
        "The requested URL returned error: 401",
        "The requested URL returned error: 403",
        "The requested URL returned error: 404",
        "HTTP Basic: Access denied",
        // Git Credential Manager's wording when go disables prompts.
        "Cannot prompt because user interactivity has been disabled",
        // ssh refusing an unknown host key (no known_hosts entry in CI after an insteadOf
        // rewrite to ssh).
        "Host key verification failed",
    ]) {
        K::GitAuth
    } else if has("unrecognized import path \"") {
        K::UnrecognizedImportPath
    } else if has(": Forbidden") && ends_with_bare_status(line, "Forbidden") {
        // net/http reports a CONNECT the HTTP proxy answered with anything but 200 by the
        // status text alone (`Get "https://...": Forbidden`, net/http.Transport.dialConn).
        K::HttpProxyAuth
    } else if any(&[
        ": Bad Gateway",
        ": Service Unavailable",
        ": Gateway Timeout",
    ]) && ["Bad Gateway", "Service Unavailable", "Gateway Timeout"]
        .iter()
        .any(|s| ends_with_bare_status(line, s))
    {
        K::HttpProxyUnreachable
    } else if any(&["remote error: tls: ", "local error: tls: "]) {
        K::TlsHandshakeFailed
    } else if has("disagree about go-import for") {
        K::GoImportConflict
    } else if has("unknown revision") {
        K::UnknownRevision
    } else if any(&[
        ": invalid version: ",
        "invalid pseudo-version",
        "has post-v",
        // modfetch.coderepo: `go.mod has non-.../v2 module path "x" at revision v2.0.0`.
        "has non-...",
        "module contains a go.mod file, so major version must be compatible",
        "module contains a go.mod file, so module path must match major version",
    ]) {
        K::InvalidVersion
    } else if has("missing go.sum entry") {
        K::MissingGoSumEntry
    } else if has("updates to go.sum needed, disabled by -mod=readonly") {
        K::GoSumUpdatesDisabled
    } else if has("malformed go.sum") {
        K::GoSumMalformed
    } else if any(&["parsing $GOFLAGS:", "(from $GOFLAGS)", "(from %GOFLAGS%)"]) {
        K::GoflagsInvalid
    } else if has("-insecure flag is no longer supported") {
        K::InsecureFlagRemoved
    } else if has("-insecure flag is deprecated") {
        K::InsecureFlagDeprecated
    } else if any(&[
        "GOAUTH encountered an empty command",
        "GOAUTH=off cannot be combined",
        "GOAUTH=git dir method requires",
    ]) {
        K::GoauthInvalid
    } else if has("GOAUTH encountered errors for") {
        K::GoauthNoCredentials
    } else if has("unknown environment setting GO111MODULE=") || has("invalid GO111MODULE value") {
        K::Go111ModuleInvalid
    } else if has("is a language version but not a toolchain version") {
        K::ToolchainLanguageVersion
    } else if has("invalid GOTOOLCHAIN") {
        K::ToolchainInvalid
    } else if has("toolchain not available") {
        K::ToolchainUnavailable
    } else if has("go: download go") && line.starts_with("go: download go") {
        K::ToolchainDownloadFailed
    } else if has("cannot find \"go") && has("in PATH") {
        K::ToolchainNotInPath
    } else if any(&[
        "GOMODCACHE entry is relative",
        "module cache not found: neither GOMODCACHE nor GOPATH",
    ]) {
        K::ModCacheInvalid
    } else if has("unknown go command variable") {
        K::EnvUnknownVariable
    } else if has("cannot find go env config: GOENV=off") {
        K::GoenvOff
    } else if has("does not override conflicting OS environment variable") {
        K::EnvWShadowed
    } else if has("network disabled by cmdgonetlimit=0") {
        K::NetworkDisabled
    } else if has("invalid response from proxy") {
        K::ProxyInvalidResponse
    } else if has("proxy returned info for version") {
        K::ProxyWrongVersion
    } else if has("downloaded zip file too large") {
        K::ZipTooLarge
    } else if has("has unexpected file") && has("zip for") {
        K::ZipUnexpectedFile
    } else if has("insecure URL: ") {
        K::InsecureUrl
    } else if has("unsupported scheme: ") {
        K::UnsupportedScheme
    } else if any(&[
        "no such host",
        "Could not resolve host",
        "Could not resolve hostname",
        "Temporary failure in name resolution",
        "dial tcp: lookup ",
        "getaddrinfow",
        "Name or service not known",
    ]) {
        K::DnsFailure
    } else if any(&[
        "connection refused",
        "actively refused it",
        "Connection refused",
    ]) {
        K::ConnectionRefused
    } else if any(&[
        "server gave HTTP response to HTTPS client",
        "first record does not look like a TLS handshake",
    ]) {
        K::PlaintextServer
    } else if has("zip: not a valid zip file") {
        K::ZipInvalid
    } else if (has("wsarecv: ") || has("wsasend: "))
        && LOCALIZED_TIMEOUT.iter().any(|s| line.contains(s))
    {
        K::Timeout
    } else if any(&[
        "connection reset by peer",
        "unexpected EOF",
        "forcibly closed by the remote host",
        "client connection force closed",
        "stream error: stream ID",
        "server sent GOAWAY",
        "client connection lost",
        // git's transports (curl, OpenSSL, GnuTLS, ssh) losing the connection mid-fetch.
        "Connection reset by peer",
        "Connection was reset",
        "SSL_ERROR_SYSCALL",
        "gnutls_handshake() failed",
        "GnuTLS recv error",
        "RPC failed; curl",
        "early EOF",
        "the remote end hung up unexpectedly",
        "Connection closed by remote host",
        // Windows reports a broken exchange as `wsarecv:` / `wsasend:` followed by the reason
        // in the system language (a reset or abort: a timeout matched above).
        "wsarecv: ",
        "wsasend: ",
    ]) || (has(": EOF") && line.starts_with("go: ") && line.ends_with(": EOF"))
    {
        K::ConnectionLost
    } else if any(&[
        "i/o timeout",
        "Client.Timeout exceeded",
        "TLS handshake timeout",
        "context deadline exceeded",
        "did not properly respond after a period of time",
        "Connection timed out",
        "Operation timed out",
        // syscall.ETIMEDOUT as Go words it: `connection timed out` (Linux), `operation timed
        // out` (macOS, BSDs), e.g. `dial tcp ADDR: connect: connection timed out`.
        "connection timed out",
        "operation timed out",
        "request canceled while waiting for connection",
        // curl 7.75+: `Failed to connect to github.com port 443 after 21045 ms: Timed out`.
        " ms: Timed out",
    ]) {
        K::Timeout
    } else if any(&[
        "network is unreachable",
        "no route to host",
        "cannot assign requested address",
        "attempted to an unreachable",
        // EACCES from connect(2): a local firewall, sandbox or security policy; Windows says
        // `forbidden by its access permissions` (WSAEACCES).
        "connect: permission denied",
        "forbidden by its access permissions",
        "Couldn't connect to server",
        "connectex: ",
    ]) {
        // Windows words its socket errors in the system language (`dial tcp ADDR: connectex:
        // <FormatMessage text>`): the two common ones are recognised by their wording in
        // widespread languages, any other stays a failed connection.
        if has("connectex: ") && LOCALIZED_REFUSED.iter().any(|s| line.contains(s)) {
            K::ConnectionRefused
        } else if has("connectex: ") && LOCALIZED_TIMEOUT.iter().any(|s| line.contains(s)) {
            K::Timeout
        } else {
            K::ConnectFailed
        }
    } else if any(&["reading ", "unexpected status ("])
        && has_status(line, &["404 Not Found", "410 Gone"])
    {
        K::ProxyNotFound
    } else if any(&["reading ", "unexpected status ("])
        && has_status(line, &["401 ", "403 ", "407 ", "451 "])
    {
        K::ProxyUnauthorized
    } else if any(&["reading ", "unexpected status ("])
        && has_status(
            line,
            &[
                "400 ", "429 ", "500 ", "501 ", "502 ", "503 ", "504 ", "505 ", "507 ", "508 ",
                "520 ", "521 ", "522 ", "523 ", "524 ",
            ],
        )
    {
        K::ProxyServerError
    } else if any(&[
        "no required module provides package",
        "cannot find module providing package",
        "cannot find package \"",
    ]) {
        K::NoRequiredModule
    } else if has("no matching versions for query") {
        K::UnknownRevision
    } else {
        return None;
    };
    Some((kind, module_of(line)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The prefilter never changes a verdict: every line of the stored real go output
    /// classifies the same with it as with plain substring searches.
    #[test]
    fn prefilter_changes_no_verdict() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/diagnose");
        let mut lines = 0;
        let mut matched = 0;
        let mut stack = vec![dir];
        let mut files = Vec::new();
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    files.push(p);
                }
            }
        }
        for f in files {
            let text = std::fs::read_to_string(f).unwrap_or_default();
            for line in text.lines() {
                let plain = classify_by(line, &|s| line.contains(s));
                assert_eq!(classify(line), plain, "{line:?}");
                lines += 1;
                matched += usize::from(plain.is_some());
            }
        }
        assert!(
            lines > 100 && matched > 30,
            "{lines} lines, {matched} classified"
        );
        assert!(
            PREFILTER.index.len() > 60,
            "{} literals",
            PREFILTER.index.len()
        );
        assert!(PREFILTER.index.contains_key("go: download go"));
        assert!(classify("go: downloading example.com/m v1.0.0").is_none());
    }

    #[test]
    fn trace_lines() {
        let ev = parse_trace(
            "# get https://proxy.golang.org/rsc.io/quote/@v/list: 200 OK (0.081s)",
            3,
        )
        .unwrap();
        assert_eq!(ev.kind, TraceKind::Response);
        assert_eq!(ev.status, Some(200));
        assert_eq!(ev.seconds, Some(0.081));
        assert_eq!(ev.url, "https://proxy.golang.org/rsc.io/quote/@v/list");
        let ev = parse_trace(
            "# get http://u:xxxxx@127.0.0.1:1/x.info: insecure credentials",
            1,
        )
        .unwrap();
        assert_eq!(ev.kind, TraceKind::Error);
        assert_eq!(ev.error.as_deref(), Some("insecure credentials"));
        let ev = parse_trace(
            "0.012s # cd /m/cache/vcs/ab; git ls-remote -q https://example.com/r",
            9,
        )
        .unwrap();
        assert_eq!(ev.kind, TraceKind::Vcs);
        assert_eq!(ev.seconds, Some(0.012));
        assert_eq!(ev.url, "https://example.com/r");
        assert!(parse_trace("go: downloading rsc.io/quote v1.5.2", 1).is_none());
    }

    #[test]
    fn every_kind_has_text_and_a_unique_id() {
        let mut ids = std::collections::HashSet::new();
        for k in DiagnosisKind::ALL {
            let i = k.info();
            assert!(
                !i.cause.is_empty() && !i.fix.is_empty() && !i.setting.is_empty(),
                "{k:?}"
            );
            assert!(ids.insert(k.id()), "duplicate id {}", k.id());
        }
    }
}
