//! The effective Go environment, each value with where it came from.
//!
//! Mirrors cmd/go/internal/cfg/cfg.go (`initEnvCache`, `readEnvFile`, `findGOROOT`,
//! `Getenv`, `EnvOrAndChanged`, `EnvFile`) and `os.UserConfigDir`. Submodules:
//! [`file`] parses env files, [`resolve`] applies the precedence rules, [`gocheck`]
//! cross-checks against the real `go env -json`, [`render`] formats for `gotrust env`.

pub mod file;
pub mod gocheck;
pub mod render;
pub mod resolve;

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

pub use file::{EnvEntry, EnvFile, EnvFileKind, SkipReason, SkippedLine, ValueQuirk};
pub use gocheck::{CrossCheck, CrossCheckError, GoMode, VarComparison, cross_check};
pub use resolve::{EnvSources, UserFileLocation, resolve};

/// Where an effective value comes from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Origin {
    /// The process environment (non-empty value).
    Process,
    /// The user go env file (`go env -w`).
    UserFile {
        /// File path.
        path: PathBuf,
        /// 1-based line.
        line: usize,
    },
    /// `$GOROOT/go.env`.
    GorootEnv {
        /// File path.
        path: PathBuf,
        /// 1-based line.
        line: usize,
    },
    /// The go command's built-in default (or empty when nothing sets it).
    Default,
    /// No Go installation was found (no go on PATH, no GOROOT), so there is no
    /// `$GOROOT/go.env` to read: the value every Go distribution ships in it is used
    /// (go/go.env in the Go source tree: GOPROXY=https://proxy.golang.org,direct and
    /// GOSUMDB=sum.golang.org since Go 1.21, built into cmd/go/internal/cfg before).
    DistributionGoEnv,
    /// A file scanned by `gotrust scan` (a Dockerfile, a CI file, a script) sets the value.
    ScannedFile {
        /// File path, relative to the scanned root or repository.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// How and where in the file it is set (`ENV in stage build`, `export`).
        place: String,
        /// The file's own text of the setting, when the scanner could locate its name and
        /// value in it: fixes are then written by editing that text.
        written: Option<Box<Written>>,
    },
    /// Computed from another variable or input (GONOPROXY/GONOSUMDB from GOPRIVATE,
    /// GOMODCACHE from GOPATH, GOROOT from the go executable).
    Derived {
        /// What the value was derived from (a variable name or `go executable`).
        from: String,
    },
}

impl Origin {
    /// A stable machine-readable kind: `process`, `user-file`, `goroot-env`, `default`, `derived`.
    pub fn kind(&self) -> &'static str {
        match self {
            Origin::Process => "process",
            Origin::UserFile { .. } => "user-file",
            Origin::GorootEnv { .. } => "goroot-env",
            Origin::Default => "default",
            Origin::DistributionGoEnv => "distribution-go-env",
            Origin::ScannedFile { .. } => "scanned-file",
            Origin::Derived { .. } => "derived",
        }
    }

    /// The file and line, for origins in a file.
    pub fn location(&self) -> Option<(&std::path::Path, usize)> {
        match self {
            Origin::UserFile { path, line }
            | Origin::GorootEnv { path, line }
            | Origin::ScannedFile { path, line, .. } => Some((path, *line)),
            _ => None,
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Process => f.write_str("process environment"),
            Origin::UserFile { path, line } => {
                write!(f, "user go env file {}:{line}", path.display())
            }
            // The full path is in the JSON origin; the display form is the design's short one.
            Origin::GorootEnv { line, .. } => write!(f, "$GOROOT/go.env:{line}"),
            Origin::Default => f.write_str("default"),
            Origin::DistributionGoEnv => {
                f.write_str("go.env default of every Go distribution (no Go installation found)")
            }
            Origin::ScannedFile {
                path, line, place, ..
            } => {
                write!(f, "{place} at {}:{line}", path.display())
            }
            Origin::Derived { from } => write!(f, "derived from {from}"),
        }
    }
}

/// A setting as a scanned file writes it: the file's lines from the variable's name to its
/// value, with both located, so that a fix edits the file in its own syntax (a Compose list
/// item stays `- K=V`, a Kubernetes `value:` line keeps its indentation, a JSON member its
/// comma) instead of being guessed from the file's kind.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Written {
    /// 1-based line number of `lines[0]` (the line naming the variable).
    pub first_line: usize,
    /// The lines, verbatim (at most four: a name and its value are never further apart).
    pub lines: Vec<String>,
    /// Byte range of the variable's name in `lines[0]`.
    pub name: (usize, usize),
    /// Index into `lines` and byte range of the value.
    pub value: (usize, usize, usize),
    /// The first line continues the one before (`\` or PowerShell's backquote at its end):
    /// it holds no instruction keyword of its own, so it is never copied.
    pub continues: bool,
}

impl Written {
    /// Locates `variable` and then `value` in `text`, starting at 1-based `line`; `None`
    /// when either is not written verbatim there (an escaped or continued value, a flag
    /// standing for GOFLAGS) or the value is empty.
    pub fn locate(text: &str, line: usize, variable: &str, value: &str) -> Option<Written> {
        Written::locate_in(&text.lines().collect::<Vec<_>>(), line, variable, value)
    }

    /// [`Written::locate`] in a file already split into lines (one split for all its
    /// settings).
    pub fn locate_in(
        file_lines: &[&str],
        line: usize,
        variable: &str,
        value: &str,
    ) -> Option<Written> {
        if value.is_empty() || variable.is_empty() || line == 0 {
            return None;
        }
        let lines: Vec<&str> = file_lines.iter().skip(line - 1).take(4).copied().collect();
        let first = *lines.first()?;
        let name_at = first.match_indices(variable).map(|(i, _)| i).find(|&i| {
            let before = first[..i].chars().next_back();
            let after = first[i + variable.len()..].chars().next();
            !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
                && !after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        })?;
        let name = (name_at, name_at + variable.len());
        // The value may be on a later line only when nothing but punctuation follows the
        // name (a Kubernetes `- name: GOPROXY` with its `value:` below).
        let rest =
            first[name.1..].trim_matches(|c: char| c.is_whitespace() || "\"':,=".contains(c));
        let searched = if rest.is_empty() { lines.len() } else { 1 };
        let mut found = None;
        for (idx, l) in lines.iter().enumerate().take(searched) {
            let from = if idx == 0 { name.1 } else { 0 };
            if let Some(i) = l[from..].find(value) {
                found = Some((idx, from + i, from + i + value.len()));
                break;
            }
        }
        let value_at = found?;
        let continues = line >= 2
            && file_lines
                .get(line - 2)
                .is_some_and(|l| l.trim_end().ends_with(['\\', '`']));
        Some(Written {
            first_line: line,
            lines: lines[..=value_at.0].iter().map(|l| l.to_string()).collect(),
            name,
            value: value_at,
            continues,
        })
    }

    /// 1-based line number of the value.
    pub fn value_line(&self) -> usize {
        self.first_line + self.value.0
    }

    /// 1-based line number of the last line.
    pub fn last_line(&self) -> usize {
        self.first_line + self.lines.len() - 1
    }

    /// The line holding the value, with the value replaced by `new` quoted as the old value
    /// was; `None` when `new` cannot be written that way (characters the old unquoted value
    /// did not need, a quote of the kind around it, an empty value).
    pub fn with_value(&self, new: &str) -> Option<String> {
        let (idx, start, end) = self.value;
        let line = &self.lines[idx];
        let quoted = quote_like(line, start, end, new)?;
        Some(format!("{}{quoted}{}", &line[..start], &line[end..]))
    }

    /// The lines of the setting with the name replaced by `variable` and the value by
    /// `value`: a new setting written like this one.
    pub fn renamed(&self, variable: &str, value: &str) -> Option<Vec<String>> {
        if !self.alone() {
            return None;
        }
        let mut lines = self.lines.clone();
        lines[self.value.0] = self.with_value(value)?;
        let (s, e) = self.name;
        let first = &lines[0];
        // The value line was rewritten; the name's range is still valid unless the name and
        // value share the line, where the name comes first.
        lines[0] = format!("{}{variable}{}", &first[..s], &first[e..]);
        Some(lines)
    }
}

impl Written {
    /// Whether the lines hold this setting only, so that a copy of them sets nothing else:
    /// not `ENV A=1 GOPROXY=x`, `env: {GOPROXY: x}` or `GOPROXY=x go build`.
    fn alone(&self) -> bool {
        if self.continues {
            return false;
        }
        // What may precede a lone setting: `export`, `ENV`, `- `, `$env:`, `set`, a quote, a
        // flag ending in `=` (`--action_env=`); never another assignment or a collection.
        let before = self.lines[0][..self.name.0].trim();
        let before_ok = !before.contains(['{', '[', ',', ';', '|', '&', '('])
            && !before.trim_end_matches(['=', ':']).contains('=');
        let (idx, _, end) = self.value;
        let after = self.lines[idx][end..]
            .trim_start_matches(['"', '\''])
            .trim_start()
            .trim_start_matches([',', ';'])
            .trim();
        let after_ok = after.is_empty() || after.starts_with('#') || after.starts_with("//");
        before_ok && after_ok
    }
}

/// `new` written in place of `line[start..end]`, quoted the way the old value was.
fn quote_like(line: &str, start: usize, end: usize, new: &str) -> Option<String> {
    if new.is_empty() {
        return None;
    }
    let before = line[..start].chars().next_back();
    let after = line[end..].chars().next();
    match (before, after) {
        (Some('"'), Some('"')) => Some(new.replace('\\', "\\\\").replace('"', "\\\"")),
        (Some('\''), Some('\'')) => (!new.contains('\'')).then(|| new.to_string()),
        _ => {
            let old = &line[start..end];
            let safe =
                |c: char| c.is_ascii_alphanumeric() || "._/:-=@+,%~".contains(c) || old.contains(c);
            new.chars().all(safe).then(|| new.to_string())
        }
    }
}

/// A value that lost to a higher-precedence layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shadowed {
    /// Where the losing value is.
    pub origin: Origin,
    /// The losing value.
    pub value: String,
}

/// One effective variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    /// The effective value, exactly as `go env` would print it.
    pub value: String,
    /// Where it comes from.
    pub origin: Origin,
    /// Lower-precedence values that exist but lost, highest precedence first
    /// (duplicates inside one file are on [`EnvFile::overridden_duplicates`]).
    pub shadowed: Vec<Shadowed>,
    /// The process environment has the variable set to the empty string, which Go treats
    /// as unset: it does NOT clear a file value (cmd/go/internal/cfg `Getenv`).
    pub empty_in_process: bool,
    /// The value an environment without process variables and user file would give
    /// (go.env or built-in default, or the derived default).
    pub default: String,
    /// Whether `go env -changed` lists the variable (cmd/go's own rules: e.g. an empty value
    /// never counts, a value equal to go.env's does not, GOPATH from the process does not).
    /// For process-only variables (HTTP_PROXY, ...): set and non-empty.
    pub changed: bool,
}

/// The effective Go environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoEnv {
    /// Every resolved variable, by name.
    pub vars: BTreeMap<String, Setting>,
    /// Where the user file is (or why there is none).
    pub user_file_location: UserFileLocation,
    /// The user file, if it could be read.
    pub user_file: Option<EnvFile>,
    /// The GOROOT used to find go.env (may differ from the effective GOROOT, see
    /// [`resolve`]), if any.
    pub goroot_for_env: Option<PathBuf>,
    /// `$GOROOT/go.env`, if it could be read.
    pub goroot_env: Option<EnvFile>,
}

/// The values every Go distribution ships in `$GOROOT/go.env` (go/go.env in the Go source
/// tree), used when no Go installation can be found ([`Origin::DistributionGoEnv`]).
pub const DISTRIBUTION_GO_ENV: &[(&str, &str)] = &[
    ("GOPROXY", "https://proxy.golang.org,direct"),
    ("GOSUMDB", "sum.golang.org"),
];

/// Variables resolved through the go command's configuration layer (process, files, defaults).
pub const GO_VARS: &[&str] = &[
    "GO111MODULE",
    "GOAUTH",
    "GOENV",
    "GOFLAGS",
    "GOINSECURE",
    "GOMODCACHE",
    "GONOPROXY",
    "GONOSUMDB",
    "GOPATH",
    "GOPRIVATE",
    "GOPROXY",
    "GOROOT",
    "GOSUMDB",
    "GOTOOLCHAIN",
    "GOVCS",
];

/// Variables read only from the process environment (net/http, crypto/x509, git, auth).
pub const PROCESS_VARS: &[&str] = &[
    "GIT_ALLOW_PROTOCOL",
    "GIT_SSL_NO_VERIFY",
    "HTTPS_PROXY",
    "HTTP_PROXY",
    "NETRC",
    "NO_PROXY",
    "SSL_CERT_DIR",
    "SSL_CERT_FILE",
    "http_proxy",
    "https_proxy",
    "no_proxy",
];

impl GoEnv {
    /// The setting for `name`, if resolved.
    pub fn get(&self, name: &str) -> Option<&Setting> {
        self.vars.get(name)
    }

    /// The effective value of `name` (empty if not resolved).
    pub fn value(&self, name: &str) -> &str {
        self.vars.get(name).map_or("", |s| s.value.as_str())
    }

    /// Keys in either file that the go command does not know (the `env/unknown-variable`
    /// rule): they have no effect.
    pub fn unknown_file_keys(&self) -> Vec<(&EnvFile, &EnvEntry)> {
        let mut out = Vec::new();
        for f in self.user_file.iter().chain(self.goroot_env.iter()) {
            for e in &f.entries {
                if !file::is_known_var(&e.key) {
                    out.push((f, e));
                }
            }
        }
        out
    }

    /// File entries with a [`ValueQuirk`] whose value is in effect or would be without the
    /// process environment (the `env/quoted-value` rule).
    pub fn quirky_entries(&self) -> Vec<(&EnvFile, &EnvEntry, Vec<ValueQuirk>)> {
        let mut out = Vec::new();
        for f in self.user_file.iter().chain(self.goroot_env.iter()) {
            for e in &f.entries {
                let q = e.quirks();
                if !q.is_empty() {
                    out.push((f, e, q));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod written_tests {
    use super::Written;

    #[test]
    fn a_kubernetes_value_below_its_name_is_located_and_edited_in_place() {
        let text = "env:\n  - name: GOPROXY\n    value: \"http://m.example\"\n  - name: X\n";
        let w = Written::locate(text, 2, "GOPROXY", "http://m.example").unwrap();
        assert_eq!((w.first_line, w.value_line(), w.last_line()), (2, 3, 3));
        assert_eq!(
            w.with_value("https://m.example").unwrap(),
            "    value: \"https://m.example\""
        );
        assert_eq!(
            w.renamed("GONOPROXY", "corp.example").unwrap(),
            ["  - name: GONOPROXY", "    value: \"corp.example\""]
        );
    }

    #[test]
    fn a_value_is_never_searched_below_a_line_that_has_one() {
        // `x` is on the next line, but the name's own line already has a (different) value.
        let text = "GOPROXY=\"a\\\"b\"\nx\n";
        assert_eq!(Written::locate(text, 1, "GOPROXY", "x"), None);
    }

    #[test]
    fn a_setting_sharing_its_line_is_not_copied() {
        for (text, value) in [
            ("ENV A=1 GONOSUMDB=x\n", "x"),
            ("env: {GONOSUMDB: x, B: y}\n", "x"),
            ("GONOSUMDB=x go build\n", "x"),
            ("GONOSUMDB=x; go build\n", "x"),
            ("ENV GONOSUMDB=x \\\n", "x"),
        ] {
            let w = Written::locate(text, 1, "GONOSUMDB", value).unwrap();
            assert_eq!(w.renamed("GONOPROXY", "x"), None, "{text}");
            assert!(w.with_value("z").is_some(), "{text}");
        }
        // The last line of a continued Dockerfile ENV has no `ENV` of its own.
        let w = Written::locate("ENV A=1 \\\n    GONOSUMDB=x\n", 2, "GONOSUMDB", "x").unwrap();
        assert!(w.continues);
        assert_eq!(w.renamed("GONOPROXY", "x"), None);
        assert_eq!(w.with_value("z").unwrap(), "    GONOSUMDB=z");
        for text in [
            "export GONOSUMDB=x\n",
            "build --action_env=GONOSUMDB=x\n",
            "$env:GONOSUMDB = 'x'\n",
            "  \"GONOSUMDB\": \"x\", // private\n",
            "    GONOSUMDB = \"x\";\n",
        ] {
            let w = Written::locate(text, 1, "GONOSUMDB", "x").unwrap();
            assert!(w.renamed("GONOPROXY", "x").is_some(), "{text}");
        }
    }

    #[test]
    fn the_name_must_be_a_whole_word() {
        let text = "MY_GOPROXY=a GOPROXY=b\n";
        let w = Written::locate(text, 1, "GOPROXY", "b").unwrap();
        assert_eq!(w.with_value("c").unwrap(), "MY_GOPROXY=a GOPROXY=c");
    }

    #[test]
    fn quoting_follows_the_old_value_or_refuses() {
        let w = |t: &str, v: &str| Written::locate(t, 1, "GOFLAGS", v).unwrap();
        // Unquoted: characters the old value did not need are refused (a space, a pipe).
        assert_eq!(
            w("export GOFLAGS=-mod=mod\n", "-mod=mod").with_value("-a -b"),
            None
        );
        assert_eq!(
            w("export GOFLAGS=-insecure\n", "-insecure")
                .with_value("-mod=mod")
                .unwrap(),
            "export GOFLAGS=-mod=mod"
        );
        // Double quotes escape, single quotes refuse a quote.
        assert_eq!(
            w("\"GOFLAGS\": \"x\",\n", "x").with_value("a\"b").unwrap(),
            "\"GOFLAGS\": \"a\\\"b\","
        );
        assert_eq!(w("GOFLAGS: 'x'\n", "x").with_value("a'b"), None);
        assert_eq!(w("GOFLAGS: 'x'\n", "x").with_value(""), None);
    }
}
