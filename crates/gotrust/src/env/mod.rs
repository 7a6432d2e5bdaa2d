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
            Origin::ScannedFile { path, line, place } => {
                write!(f, "{place} at {}:{line}", path.display())
            }
            Origin::Derived { from } => write!(f, "derived from {from}"),
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
