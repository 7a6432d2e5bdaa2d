//! Reading go env files: the user file written by `go env -w` and `$GOROOT/go.env`.
//!
//! Mirrors `readEnvFile` in cmd/go/internal/cfg/cfg.go. Go's parser is deliberately forgiving
//! (cmd/go/internal/cfg `parseGoEnv`): the file is split on `\n` only, a line is used only if it contains `=` and its
//! first byte is `A`-`Z`, and the value is every byte after the first `=`, verbatim. We keep the
//! lines Go skips too, with the reason, because the audit rules report them.

use std::io::Read;
use std::path::{Path, PathBuf};

/// Files larger than this are read only up to the limit: a go env file is a few hundred bytes,
/// and a huge one is not worth exhausting memory for.
pub const MAX_ENV_FILE_SIZE: u64 = 1 << 20;

/// One `KEY=VALUE` line that Go uses (or would use, if no earlier layer wins).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvEntry {
    /// Bytes before the first `=`, as a (lossily decoded) string.
    pub key: String,
    /// Bytes after the first `=`, verbatim (quotes, `\r`, spaces kept).
    pub raw_value: Vec<u8>,
    /// 1-based line number.
    pub line: usize,
}

impl EnvEntry {
    /// The value as Go would print it in `go env -json` (invalid UTF-8 replaced by U+FFFD).
    pub fn value(&self) -> String {
        String::from_utf8_lossy(&self.raw_value).into_owned()
    }

    /// Quirks that make this value differ from what its author probably meant (cmd/go/internal/cfg `parseGoEnv` keeps quotes and spaces):
    /// literal quotes, a trailing `\r`, leading or trailing white space, invalid UTF-8.
    pub fn quirks(&self) -> Vec<ValueQuirk> {
        let v = &self.raw_value;
        let mut q = Vec::new();
        if v.first().is_some_and(|b| *b == b'"' || *b == b'\'')
            || v.last().is_some_and(|b| *b == b'"' || *b == b'\'')
        {
            q.push(ValueQuirk::Quoted);
        }
        if v.contains(&b'\r') {
            q.push(ValueQuirk::CarriageReturn);
        }
        if v.first().is_some_and(|b| *b == b' ' || *b == b'\t')
            || v.last().is_some_and(|b| *b == b' ' || *b == b'\t')
        {
            q.push(ValueQuirk::SurroundingSpace);
        }
        if std::str::from_utf8(v).is_err() {
            q.push(ValueQuirk::InvalidUtf8);
        }
        q
    }
}

/// A way in which a file value is kept verbatim by Go although it looks shell-like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ValueQuirk {
    /// Starts or ends with `"` or `'`; Go keeps the quote characters.
    Quoted,
    /// Contains `\r` (a file with Windows line endings); Go keeps it in the value.
    CarriageReturn,
    /// Starts or ends with a space or tab; Go does not trim.
    SurroundingSpace,
    /// Not valid UTF-8.
    InvalidUtf8,
}

/// Why Go skips a line of an env file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SkipReason {
    /// The line is empty.
    Empty,
    /// The first byte is `#`.
    Comment,
    /// The line has no `=`.
    NoEquals,
    /// The first byte is not an ASCII uppercase letter (indented, lowercase key, ...).
    BadFirstByte,
}

/// A line Go ignores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedLine {
    /// 1-based line number.
    pub line: usize,
    /// The line's bytes, lossily decoded.
    pub text: String,
    /// Why Go skips it.
    pub reason: SkipReason,
}

/// Which of the two env files this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnvFileKind {
    /// The user file (`$GOENV`, `os.UserConfigDir()/go/env`): last duplicate wins.
    User,
    /// `$GOROOT/go.env`: first duplicate wins.
    Goroot,
}

/// A parsed env file with everything the audit rules need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvFile {
    /// The path read.
    pub path: PathBuf,
    /// Which file this is.
    pub kind: EnvFileKind,
    /// Lines Go uses, in file order (duplicates included).
    pub entries: Vec<EnvEntry>,
    /// Lines Go skips, with the reason, skipping blank lines.
    pub skipped: Vec<SkippedLine>,
    /// Unix permission bits of the file (`st_mode & 0o7777`), when available.
    pub mode: Option<u32>,
    /// Owner uid of the file, when available.
    pub uid: Option<u32>,
    /// True if the file was larger than [`MAX_ENV_FILE_SIZE`] and only a prefix was read.
    pub truncated: bool,
}

impl EnvFile {
    /// Parses file contents. Never fails: Go silently ignores what it cannot use.
    pub fn parse(path: impl Into<PathBuf>, kind: EnvFileKind, data: &[u8]) -> EnvFile {
        let mut entries = Vec::new();
        let mut skipped = Vec::new();
        // Go stops at the end of data: a trailing "\n" does not produce an extra empty line.
        let mut rest = data;
        let mut lineno = 0;
        while !rest.is_empty() {
            lineno += 1;
            let line = match rest.iter().position(|b| *b == b'\n') {
                Some(i) => {
                    let l = &rest[..i];
                    rest = &rest[i + 1..];
                    l
                }
                None => std::mem::take(&mut rest),
            };
            let eq = line.iter().position(|b| *b == b'=');
            let reason = match (line.first(), eq) {
                (None, _) => Some(SkipReason::Empty),
                (Some(b'#'), _) => Some(SkipReason::Comment),
                (Some(b), _) if !b.is_ascii_uppercase() => Some(SkipReason::BadFirstByte),
                (_, None) => Some(SkipReason::NoEquals),
                _ => None,
            };
            match (reason, eq) {
                (None, Some(i)) => entries.push(EnvEntry {
                    key: String::from_utf8_lossy(&line[..i]).into_owned(),
                    raw_value: line[i + 1..].to_vec(),
                    line: lineno,
                }),
                (Some(SkipReason::Empty), _) => {}
                (Some(reason), _) => skipped.push(SkippedLine {
                    line: lineno,
                    text: String::from_utf8_lossy(line).into_owned(),
                    reason,
                }),
                (None, None) => unreachable!("a line without '=' always has a skip reason"),
            }
        }
        EnvFile {
            path: path.into(),
            kind,
            entries,
            skipped,
            mode: None,
            uid: None,
            truncated: false,
        }
    }

    /// Reads and parses a file. `None` if it cannot be opened (Go treats that as empty).
    pub fn read(path: &Path, kind: EnvFileKind) -> Option<EnvFile> {
        let f = std::fs::File::open(path).ok()?;
        let meta = f.metadata().ok()?;
        if meta.is_dir() {
            return None;
        }
        let mut data = Vec::new();
        f.take(MAX_ENV_FILE_SIZE + 1).read_to_end(&mut data).ok()?;
        let truncated = data.len() as u64 > MAX_ENV_FILE_SIZE;
        data.truncate(MAX_ENV_FILE_SIZE as usize);
        let mut file = EnvFile::parse(path, kind, &data);
        file.truncated = truncated;
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            file.mode = Some(meta.mode() & 0o7777);
            file.uid = Some(meta.uid());
        }
        Some(file)
    }

    /// The entry Go uses for `key`: the last one in the user file, the first one in go.env.
    pub fn lookup(&self, key: &str) -> Option<&EnvEntry> {
        let mut it = self.entries.iter().filter(|e| e.key == key);
        match self.kind {
            EnvFileKind::User => it.next_back(),
            EnvFileKind::Goroot => it.next(),
        }
    }

    /// Entries Go does not use because another line for the same key wins.
    pub fn overridden_duplicates(&self) -> Vec<&EnvEntry> {
        self.entries
            .iter()
            .filter(|e| self.lookup(&e.key).is_some_and(|w| w.line != e.line))
            .collect()
    }

    /// Distinct keys in first-appearance order.
    pub fn keys(&self) -> Vec<&str> {
        let mut seen = Vec::<&str>::new();
        for e in &self.entries {
            if !seen.contains(&e.key.as_str()) {
                seen.push(&e.key);
            }
        }
        seen
    }

    /// True if group or others may write the file (the `env/file-writable` rule).
    pub fn writable_by_others(&self) -> bool {
        self.mode.is_some_and(|m| m & 0o022 != 0)
    }
}

/// The known list of go command variables (internal/cfg `KnownEnv`, Go 1.26).
pub const KNOWN_ENV: &[&str] = &[
    "AR",
    "CC",
    "CGO_CFLAGS",
    "CGO_CFLAGS_ALLOW",
    "CGO_CFLAGS_DISALLOW",
    "CGO_CPPFLAGS",
    "CGO_CPPFLAGS_ALLOW",
    "CGO_CPPFLAGS_DISALLOW",
    "CGO_CXXFLAGS",
    "CGO_CXXFLAGS_ALLOW",
    "CGO_CXXFLAGS_DISALLOW",
    "CGO_ENABLED",
    "CGO_FFLAGS",
    "CGO_FFLAGS_ALLOW",
    "CGO_FFLAGS_DISALLOW",
    "CGO_LDFLAGS",
    "CGO_LDFLAGS_ALLOW",
    "CGO_LDFLAGS_DISALLOW",
    "CXX",
    "FC",
    "GCCGO",
    "GO111MODULE",
    "GO386",
    "GOAMD64",
    "GOARCH",
    "GOARM",
    "GOARM64",
    "GOAUTH",
    "GOBIN",
    "GOCACHE",
    "GOCACHEPROG",
    "GOENV",
    "GOEXE",
    "GOEXPERIMENT",
    "GOFIPS140",
    "GOFLAGS",
    "GOGCCFLAGS",
    "GOHOSTARCH",
    "GOHOSTOS",
    "GOINSECURE",
    "GOMIPS",
    "GOMIPS64",
    "GOMODCACHE",
    "GONOPROXY",
    "GONOSUMDB",
    "GOOS",
    "GOPATH",
    "GOPPC64",
    "GOPRIVATE",
    "GOPROXY",
    "GORISCV64",
    "GOROOT",
    "GOSUMDB",
    "GOTMPDIR",
    "GOTOOLCHAIN",
    "GOTOOLDIR",
    "GOVCS",
    "GOWASM",
    "GOWORK",
    "GO_EXTLINK_ENABLED",
    "PKG_CONFIG",
];

/// Variables `go env` reports but that are not in [`KNOWN_ENV`] (read-only or computed).
pub const COMPUTED_ENV: &[&str] = &[
    "GODEBUG",
    "GOMOD",
    "GOTELEMETRY",
    "GOTELEMETRYDIR",
    "GOVERSION",
];

/// True if `key` is a variable the go command knows.
pub fn is_known_var(key: &str) -> bool {
    KNOWN_ENV.contains(&key) || COMPUTED_ENV.contains(&key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quirks_of_section_1_3() {
        let data = b"# comment\n\nGOPROXY=\"https://x\"\r\n  GOSUMDB=off\ngoprivate=x\nNOEQUALS\nGOFLAGS=-mod=mod \nGOPROXY=last\nGOINSECURE=a=b";
        let f = EnvFile::parse("/f", EnvFileKind::User, data);
        let got: Vec<_> = f
            .entries
            .iter()
            .map(|e| (e.key.as_str(), e.value(), e.line))
            .collect();
        assert_eq!(
            got,
            vec![
                ("GOPROXY", "\"https://x\"\r".to_string(), 3),
                ("GOFLAGS", "-mod=mod ".to_string(), 7),
                ("GOPROXY", "last".to_string(), 8),
                ("GOINSECURE", "a=b".to_string(), 9),
            ]
        );
        let reasons: Vec<_> = f.skipped.iter().map(|s| (s.line, s.reason)).collect();
        assert_eq!(
            reasons,
            vec![
                (1, SkipReason::Comment),
                (4, SkipReason::BadFirstByte),
                (5, SkipReason::BadFirstByte),
                (6, SkipReason::NoEquals),
            ]
        );
        assert_eq!(f.lookup("GOPROXY").unwrap().line, 8);
        assert_eq!(f.overridden_duplicates().len(), 1);
        assert_eq!(
            f.entries[0].quirks(),
            vec![ValueQuirk::Quoted, ValueQuirk::CarriageReturn]
        );
        assert_eq!(f.entries[1].quirks(), vec![ValueQuirk::SurroundingSpace]);

        let g = EnvFile::parse("/g", EnvFileKind::Goroot, data);
        assert_eq!(g.lookup("GOPROXY").unwrap().line, 3);
    }

    #[test]
    fn invalid_utf8_and_edge_lines() {
        let f = EnvFile::parse("/f", EnvFileKind::User, b"=x\nA=\xff\xfe\nB=");
        assert_eq!(f.entries.len(), 2);
        assert_eq!(f.entries[0].value(), "\u{fffd}\u{fffd}");
        assert_eq!(f.entries[0].quirks(), vec![ValueQuirk::InvalidUtf8]);
        assert_eq!(f.entries[1].key, "B");
        assert_eq!(f.entries[1].value(), "");
        assert_eq!(f.skipped[0].reason, SkipReason::BadFirstByte);
    }
}
