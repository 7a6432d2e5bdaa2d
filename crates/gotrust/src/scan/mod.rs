//! `gotrust scan`: Go-relevant settings written in a repository's files.
//!
//! The scanner walks a directory (respecting `.gitignore`, never following symlinks), picks the
//! files whose kind it understands from their names (Dockerfiles, CI pipelines of GitHub,
//! GitLab, CircleCI, Azure, Bitbucket, Drone, Jenkins, Compose files, Kubernetes and Helm
//! manifests, goreleaser, Makefiles, shell, PowerShell and cmd batch scripts, Earthfiles, Nix
//! expressions, mise/Netlify/Fly TOML environment tables, `.envrc`/`.env`,
//! `.bazelrc`, `.gitconfig`, devcontainer.json, go env files) and extracts every assignment of
//! a variable that changes how `go` fetches modules (the names cmd/go/internal/cfg reads),
//! plus the git configuration that weakens TLS or rewrites URLs.
//!
//! It never executes anything: values are taken verbatim, and values that refer to other
//! variables (`$FOO`, `${{ secrets.X }}`, `$(VAR)`) are marked unresolved; [`evaluate`]
//! resolves what can be known statically (default expansions, Dockerfile `ARG` defaults,
//! earlier assignments) and reports the rest. The result is data ([`FoundSetting`]); the audit
//! rules that judge it live elsewhere.
//! Credentials inside URL values are kept for the rules but redacted by
//! [`FoundSetting::display_value`] and in serialized output.

mod batch;
mod dockerfile;
pub mod evaluate;
mod goenvfile;
mod jsonc;
mod make;
mod nix;
mod other;
mod shell;
mod tomlenv;
mod yaml;

use std::fmt;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::{Serialize, Serializer};

/// Default cap on the size of a file the scanner reads (larger files are skipped with a note).
pub const DEFAULT_MAX_FILE_SIZE: u64 = 4 * 1024 * 1024;

/// How many leading bytes decide whether a file is binary (a NUL byte there means binary, as
/// git and ripgrep decide it).
const BINARY_PROBE: usize = 8 * 1024;

/// The kind of file a setting was found in; decides which parser reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum FileKind {
    /// `Dockerfile`, `*.Dockerfile`, `Dockerfile.*`, `Containerfile`.
    Dockerfile,
    /// `.github/workflows/*.yml` and composite actions (`action.yml`).
    GitHubActions,
    /// `.gitlab-ci.yml` and `*.gitlab-ci.yml`.
    GitLabCi,
    /// `docker-compose*.yml`, `compose*.yml`.
    Compose,
    /// Other CI systems' YAML (CircleCI, Azure Pipelines, Bitbucket, Travis, Drone, Woodpecker,
    /// Buildkite, Cloud Build, Taskfile), read generically: variable-named keys, `K=V` list
    /// items, `name:`/`value:` pairs, and script keys (`run`, `script`, `commands`, ...).
    CiYaml,
    /// `Makefile`, `GNUmakefile`, `makefile`, `*.mk`.
    Makefile,
    /// Shell scripts (`*.sh`, `*.bash`, `*.zsh`, or a shell shebang).
    Shell,
    /// direnv's `.envrc`.
    Envrc,
    /// dotenv files (`.env`, `*.env` other than `go.env`).
    DotEnv,
    /// `devcontainer.json` / `.devcontainer.json`.
    Devcontainer,
    /// A go env file in Go's own format (cmd/go/internal/cfg `parseGoEnv`): `go.env`,
    /// `*/go/env`.
    GoEnvFile,
    /// `Jenkinsfile`: `environment {}` blocks, `withEnv`, `sh` steps and embedded pod YAML.
    Jenkinsfile,
    /// Any other YAML (Kubernetes and Helm manifests, goreleaser, Taskfile includes): read
    /// line by line for `name:`/`value:` pairs, `KEY: value` and `- KEY=value` items.
    Manifest,
    /// Bazel's `.bazelrc`: `--action_env`, `--repo_env`, `--host_action_env`.
    Bazelrc,
    /// git configuration files (`.gitconfig`, `*.gitconfig`, `git/config`).
    GitConfigFile,
    /// PowerShell scripts (`$env:NAME = 'value'`).
    PowerShell,
    /// `justfile`: `export NAME := "value"` and recipe lines.
    Justfile,
    /// cmd.exe batch files (`*.bat`, `*.cmd`): `set`, `set "K=V"`, `setx`.
    Batch,
    /// Nix expressions (`*.nix`): Go-named attributes (derivation, `mkShell`, session
    /// variables) and the shell of indented strings (`shellHook`, build phases).
    Nix,
    /// Earthly's `Earthfile`: Dockerfile instructions grouped in targets.
    Earthfile,
    /// mise configuration (`mise.toml`, `.mise.toml`, `mise/config.toml`): `[env]` and task
    /// `env` tables.
    Mise,
    /// `netlify.toml`: `[build.environment]` and `[context.<name>.environment]`.
    Netlify,
    /// `fly.toml`: `[env]` and `[build.args]`.
    Fly,
}

impl FileKind {
    /// A short stable name (`dockerfile`, `github-actions`, ...).
    pub fn name(self) -> &'static str {
        match self {
            FileKind::Dockerfile => "dockerfile",
            FileKind::GitHubActions => "github-actions",
            FileKind::GitLabCi => "gitlab-ci",
            FileKind::Compose => "compose",
            FileKind::CiYaml => "ci-yaml",
            FileKind::Makefile => "makefile",
            FileKind::Shell => "shell",
            FileKind::Envrc => "envrc",
            FileKind::DotEnv => "dotenv",
            FileKind::Devcontainer => "devcontainer",
            FileKind::GoEnvFile => "go-env-file",
            FileKind::Jenkinsfile => "jenkinsfile",
            FileKind::Manifest => "yaml-manifest",
            FileKind::Bazelrc => "bazelrc",
            FileKind::GitConfigFile => "gitconfig",
            FileKind::PowerShell => "powershell",
            FileKind::Justfile => "justfile",
            FileKind::Batch => "batch",
            FileKind::Nix => "nix",
            FileKind::Earthfile => "earthfile",
            FileKind::Mise => "mise",
            FileKind::Netlify => "netlify",
            FileKind::Fly => "fly",
        }
    }
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How a setting is written, which decides whether and where it takes effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum How {
    /// Dockerfile `ENV`, or an `env:` map in CI YAML (process environment of later commands).
    Env,
    /// Dockerfile `ARG` default (environment of `RUN` in that stage only; not in the image).
    Arg,
    /// `export K=V` in a shell script or RUN line.
    Export,
    /// A plain shell assignment `K=V` (not exported unless exported elsewhere).
    Assign,
    /// `K=V cmd` or `env K=V cmd`: environment of that one command.
    CommandPrefix,
    /// `go env -w K=V`: written to the user go env file, persists (cmd/go/internal/envcmd).
    GoEnvW,
    /// `go env -u K`: removed from the user go env file (value is empty).
    GoEnvU,
    /// A `KEY=VALUE` line of a go env file.
    GoEnvFile,
    /// `echo "K=V" >> $GITHUB_ENV`: environment of every later step of the job.
    GithubEnv,
    /// GitLab CI `variables:` (environment of the job's scripts).
    CiVariable,
    /// devcontainer.json `containerEnv`.
    ContainerEnv,
    /// devcontainer.json `remoteEnv`.
    RemoteEnv,
    /// devcontainer.json `build.args` or Compose `build.args` (Docker build arguments).
    BuildArg,
    /// A Makefile variable (reaches recipes only when referenced or exported).
    MakeVariable,
    /// An exported Makefile variable (`export K = V`): environment of every recipe.
    MakeExport,
    /// `git config ... KEY VALUE`, `git -c KEY=VALUE`, or a line of a git config file.
    GitConfig,
    /// A flag on a go command line with the effect of the same flag in GOFLAGS
    /// (`go get -insecure`, `go mod download -modcacherw`); the variable is `GOFLAGS`.
    GoFlag,
    /// `--action_env=K=V` / `--repo_env=K=V` in `.bazelrc` or on a bazel command line.
    BazelEnv,
    /// cmd.exe `set K=V`: environment of the rest of the script and what it runs.
    CmdSet,
    /// Windows `setx K V`: stored for processes started later, not this script's own.
    Setx,
    /// A Nix attribute named like the variable (a derivation's or shell's environment).
    NixAttribute,
    /// A key of a TOML environment table (mise `[env]`, Netlify `[build.environment]`,
    /// Fly `[env]`).
    EnvTable,
}

impl How {
    /// How the setting is written, for messages (`ENV`, `export`, `go env -w`).
    pub fn describe(self) -> &'static str {
        match self {
            How::Env => "ENV",
            How::Arg => "ARG default",
            How::Export => "export",
            How::Assign => "assignment",
            How::CommandPrefix => "command prefix",
            How::GoEnvW => "go env -w",
            How::GoEnvU => "go env -u",
            How::GoEnvFile => "go env file line",
            How::GithubEnv => "$GITHUB_ENV line",
            How::CiVariable => "CI variable",
            How::ContainerEnv => "containerEnv",
            How::RemoteEnv => "remoteEnv",
            How::BuildArg => "build argument",
            How::MakeVariable => "make variable",
            How::MakeExport => "exported make variable",
            How::GitConfig => "git config",
            How::GoFlag => "go command flag",
            How::BazelEnv => "bazel --action_env/--repo_env",
            How::CmdSet => "set",
            How::Setx => "setx",
            How::NixAttribute => "Nix attribute",
            How::EnvTable => "environment table entry",
        }
    }
}

/// What kind of variable a name is, so rules can pick what concerns them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum VarClass {
    /// A variable the go command reads (cmd/go/internal/cfg `KnownEnv`, plus the runtime's).
    Go,
    /// A `GO`-prefixed name without `_` that go does not know (typos, `GONOSUMCHECK`): it
    /// does nothing, which is exactly why it is reported (`env/unknown-variable`).
    UnknownGo,
    /// HTTP(S)_PROXY, NO_PROXY and their lowercase forms (net/http `ProxyFromEnvironment`).
    HttpProxy,
    /// SSL_CERT_FILE / SSL_CERT_DIR (crypto/x509 root_unix.go).
    TlsRoots,
    /// Git environment variables that change transport security (GIT_SSL_NO_VERIFY, ...).
    GitEnv,
    /// A git configuration key (`http.sslVerify`, `url.<base>.insteadOf`, ...).
    GitConfig,
    /// Any other variable: never judged, kept only to expand references to it
    /// (`ARG MIRROR=goproxy.cn` then `ENV GOPROXY=https://${MIRROR}`).
    Other,
}

/// One setting found in a file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FoundSetting {
    /// Path relative to the scanned root.
    pub file: PathBuf,
    /// 1-based line of the variable name.
    pub line: usize,
    /// 1-based column (in characters) where known.
    pub column: Option<usize>,
    /// Kind of file.
    pub kind: FileKind,
    /// Variable name (or git config key), as written.
    pub variable: String,
    /// Value verbatim (quotes removed only where the file's own syntax removes them).
    /// Serialized redacted (URL userinfo).
    #[serde(serialize_with = "serialize_redacted")]
    pub value: String,
    /// How the setting is written.
    pub how: How,
    /// Where inside the file: CI job and step, Dockerfile stage, Make target.
    pub context: Option<String>,
    /// The value refers to other variables or CI expressions and cannot be known statically.
    pub unresolved: bool,
    /// What kind of variable this is.
    pub class: VarClass,
    /// The file's own text of the setting, when its name and value are written verbatim.
    #[serde(skip)]
    pub written: Option<Box<crate::env::Written>>,
}

impl FoundSetting {
    /// The value with credentials in URLs replaced by `xxxxx`: use this in anything rendered.
    pub fn display_value(&self) -> String {
        crate::redact::redact_text(&self.value)
    }

    /// How and where in its file the setting is written, without the file and line:
    /// `ENV in stage build`, `export`, `CI variable in job test`.
    pub fn place(&self) -> String {
        // The word the file itself uses where one `How` covers several syntaxes.
        let how = match (self.how, self.kind) {
            (How::Env, FileKind::Compose) => "environment",
            (How::Env, FileKind::Jenkinsfile) => "variable",
            (How::Env, FileKind::PowerShell) => "$env: assignment",
            (How::Env, FileKind::Manifest | FileKind::GitHubActions | FileKind::CiYaml) => "env",
            (How::MakeExport, FileKind::Justfile) => "exported just variable",
            (How::MakeVariable, FileKind::Justfile) => "just variable",
            (how, _) => how.describe(),
        };
        match &self.context {
            Some(c) => format!("{how} in {c}"),
            None => how.to_string(),
        }
    }
}

fn serialize_redacted<S: Serializer>(value: &str, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&crate::redact::redact_text(value))
}

/// A file the scanner saw but did not read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// Path relative to the scanned root.
    pub file: PathBuf,
    /// Why it was skipped.
    pub reason: SkipReason,
}

/// Why a file was not read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum SkipReason {
    /// A NUL byte in the first 8 KiB.
    Binary,
    /// Larger than the size cap.
    TooLarge {
        /// File size in bytes.
        size: u64,
        /// The cap in force.
        cap: u64,
    },
    /// A symbolic link: never followed, so nothing outside the tree is read.
    Symlink,
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SkipReason::Binary => f.write_str("binary (a NUL byte in the first 8 KiB)"),
            SkipReason::TooLarge { size, cap } => {
                write!(f, "too large ({size} bytes, the cap is {cap} bytes)")
            }
            SkipReason::Symlink => f.write_str("symbolic link (never followed)"),
        }
    }
}

/// A per-file (or per-walk-entry) failure; the scan continues past it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[non_exhaustive]
pub enum ScanError {
    /// The YAML file does not parse.
    #[error("{}:{line}:{column}: malformed YAML: {message}", file.display())]
    Yaml {
        /// Path relative to the scanned root.
        file: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's message.
        message: String,
    },
    /// The JSON (JSONC) file does not parse.
    #[error("{}:{line}:{column}: malformed JSON: {message}", file.display())]
    Json {
        /// Path relative to the scanned root.
        file: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What was wrong.
        message: String,
    },
    /// The TOML file does not parse.
    #[error("{}:{line}:{column}: malformed TOML: {message}", file.display())]
    Toml {
        /// Path relative to the scanned root.
        file: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's message.
        message: String,
    },
    /// The file or directory could not be read.
    #[error("{}: {message}", file.display())]
    Io {
        /// Path relative to the scanned root (the root itself if it is unreadable).
        file: PathBuf,
        /// The OS error text.
        message: String,
    },
}

/// Scanner options.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Files larger than this are skipped (default [`DEFAULT_MAX_FILE_SIZE`]).
    pub max_file_size: u64,
    /// Honour `.gitignore` / `.ignore` files (default true).
    pub respect_gitignore: bool,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            respect_gitignore: true,
        }
    }
}

/// Everything a scan found.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ScanReport {
    /// Settings in walk order (files sorted by path, settings by position).
    pub settings: Vec<FoundSetting>,
    /// Files that could not be parsed or read.
    pub errors: Vec<ScanError>,
    /// Files deliberately not read.
    pub skipped: Vec<Skipped>,
    /// Number of files parsed.
    pub files_scanned: usize,
}

/// Walks `root` and extracts settings from every file whose kind is recognised.
///
/// Fails only when `root` itself cannot be read; per-file problems land in
/// [`ScanReport::errors`] and [`ScanReport::skipped`].
pub fn scan_dir(root: &Path, opts: &ScanOptions) -> Result<ScanReport, ScanError> {
    let meta = std::fs::metadata(root).map_err(|e| ScanError::Io {
        file: root.to_path_buf(),
        message: e.to_string(),
    })?;
    let mut report = ScanReport::default();
    if meta.is_file() {
        let name = PathBuf::from(root.file_name().unwrap_or(root.as_os_str()));
        scan_one(root, &name, opts, &mut report);
        return Ok(report);
    }
    let mut builder = ignore::WalkBuilder::new(root);
    builder
        .hidden(false)
        .follow_links(false)
        .git_global(false)
        .require_git(false)
        .parents(opts.respect_gitignore)
        .ignore(opts.respect_gitignore)
        .git_ignore(opts.respect_gitignore)
        .git_exclude(opts.respect_gitignore)
        .sort_by_file_name(|a, b| a.cmp(b))
        // The repository's own database is not configuration.
        .filter_entry(|e| e.file_name() != ".git");
    for entry in builder.build() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let file = match &e {
                    ignore::Error::WithPath { path, .. } => rel(root, path),
                    _ => PathBuf::new(),
                };
                report.errors.push(ScanError::Io {
                    file,
                    message: e.to_string(),
                });
                continue;
            }
        };
        let Some(ft) = entry.file_type() else {
            continue;
        };
        let relpath = rel(root, entry.path());
        if ft.is_symlink() {
            if detect_kind(&relpath, &[]).is_some() {
                report.skipped.push(Skipped {
                    file: relpath,
                    reason: SkipReason::Symlink,
                });
            }
            continue;
        }
        if ft.is_file() {
            scan_one(entry.path(), &relpath, opts, &mut report);
        }
    }
    Ok(report)
}

fn rel(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

/// Reads and parses one file if its kind is recognised.
fn scan_one(path: &Path, relpath: &Path, opts: &ScanOptions, report: &mut ScanReport) {
    let by_name = detect_kind(relpath, &[]);
    let maybe_shebang = by_name.is_none() && relpath.extension().is_none();
    if by_name.is_none() && !maybe_shebang {
        return;
    }
    let io_err = |e: std::io::Error| ScanError::Io {
        file: relpath.to_path_buf(),
        message: e.to_string(),
    };
    let mut file = match File::open(path) {
        Ok(f) => f,
        Err(e) => {
            report.errors.push(io_err(e));
            return;
        }
    };
    let size = match file.metadata() {
        Ok(m) => m.len(),
        Err(e) => {
            report.errors.push(io_err(e));
            return;
        }
    };
    let mut head = vec![0u8; BINARY_PROBE.min(size as usize)];
    if let Err(e) = file.read_exact(&mut head) {
        report.errors.push(io_err(e));
        return;
    }
    let Some(kind) = by_name.or_else(|| detect_kind(relpath, &head)) else {
        return;
    };
    if head.contains(&0) {
        report.skipped.push(Skipped {
            file: relpath.to_path_buf(),
            reason: SkipReason::Binary,
        });
        return;
    }
    if size > opts.max_file_size {
        report.skipped.push(Skipped {
            file: relpath.to_path_buf(),
            reason: SkipReason::TooLarge {
                size,
                cap: opts.max_file_size,
            },
        });
        return;
    }
    let mut bytes = head;
    // The cap bounds the read even if the file grows between metadata and read.
    if let Err(e) = file
        .take(opts.max_file_size.saturating_sub(bytes.len() as u64))
        .read_to_end(&mut bytes)
    {
        report.errors.push(io_err(e));
        return;
    }
    let text = String::from_utf8_lossy(&bytes);
    report.files_scanned += 1;
    match scan_text(relpath, kind, &text) {
        Ok(mut found) => report.settings.append(&mut found),
        Err(e) => report.errors.push(e),
    }
}

/// Decides a file's kind from its path (relative to the scan root) and, for files without an
/// extension, its first bytes (a shell shebang). `None`: not a file the scanner reads.
pub fn detect_kind(relpath: &Path, head: &[u8]) -> Option<FileKind> {
    let name = relpath.file_name()?.to_str()?;
    let lower = name.to_ascii_lowercase();
    let parent = relpath
        .parent()
        .and_then(|p| p.file_name())
        .and_then(|p| p.to_str())
        .unwrap_or("");
    let grandparent = relpath
        .parent()
        .and_then(|p| p.parent())
        .and_then(|p| p.file_name())
        .and_then(|p| p.to_str())
        .unwrap_or("");
    let is_yaml = lower.ends_with(".yml") || lower.ends_with(".yaml");
    if lower == "dockerfile"
        || lower == "containerfile"
        || lower.starts_with("dockerfile.")
        || lower.ends_with(".dockerfile")
        || lower.starts_with("containerfile.")
    {
        return Some(FileKind::Dockerfile);
    }
    // Gitea and Forgejo run GitHub Actions workflows unchanged.
    if is_yaml && parent == "workflows" && matches!(grandparent, ".github" | ".gitea" | ".forgejo")
    {
        return Some(FileKind::GitHubActions);
    }
    if lower == "action.yml" || lower == "action.yaml" {
        return Some(FileKind::GitHubActions);
    }
    if lower == ".gitlab-ci.yml" || lower == ".gitlab-ci.yaml" || lower.ends_with(".gitlab-ci.yml")
    {
        return Some(FileKind::GitLabCi);
    }
    if is_yaml && (lower.starts_with("docker-compose") || lower.starts_with("compose")) {
        return Some(FileKind::Compose);
    }
    if is_yaml
        && (matches!(
            lower.as_str(),
            "azure-pipelines.yml"
                | "azure-pipelines.yaml"
                | "bitbucket-pipelines.yml"
                | ".travis.yml"
                | ".drone.yml"
                | ".woodpecker.yml"
                | "taskfile.yml"
                | "taskfile.yaml"
                | "cloudbuild.yaml"
                | "cloudbuild.yml"
                | "codefresh.yml"
        ) || (parent == ".circleci" && lower.starts_with("config."))
            || matches!(parent, ".woodpecker" | ".buildkite" | ".azure-pipelines"))
    {
        return Some(FileKind::CiYaml);
    }
    if lower == "makefile" || lower == "gnumakefile" || lower.ends_with(".mk") {
        return Some(FileKind::Makefile);
    }
    if lower == "jenkinsfile"
        || lower.starts_with("jenkinsfile.")
        || lower.ends_with(".jenkinsfile")
    {
        return Some(FileKind::Jenkinsfile);
    }
    if lower == ".bazelrc" || lower.ends_with(".bazelrc") || lower == "bazel.rc" {
        return Some(FileKind::Bazelrc);
    }
    if lower == ".gitconfig"
        || lower == "gitconfig"
        || lower.ends_with(".gitconfig")
        || (lower == "config" && parent == "git")
    {
        return Some(FileKind::GitConfigFile);
    }
    if lower.ends_with(".ps1") || lower.ends_with(".psm1") {
        return Some(FileKind::PowerShell);
    }
    if lower == "justfile" || lower == ".justfile" {
        return Some(FileKind::Justfile);
    }
    if lower == "devcontainer.json" || lower == ".devcontainer.json" {
        return Some(FileKind::Devcontainer);
    }
    if lower.ends_with(".bat") || lower.ends_with(".cmd") {
        return Some(FileKind::Batch);
    }
    if lower.ends_with(".nix") {
        return Some(FileKind::Nix);
    }
    if name == "Earthfile" || lower.ends_with(".earth") {
        return Some(FileKind::Earthfile);
    }
    // mise reads `mise.toml`, `.mise.toml`, their `.local`/environment variants
    // (`mise.dev.toml`), and `config.toml` under `mise/` or `.mise/`.
    if lower.ends_with(".toml")
        && (lower.starts_with("mise.")
            || lower.starts_with(".mise.")
            || (lower.starts_with("config") && matches!(parent, "mise" | ".mise")))
    {
        return Some(FileKind::Mise);
    }
    if lower == "netlify.toml" {
        return Some(FileKind::Netlify);
    }
    if lower == "fly.toml" || (lower.starts_with("fly.") && lower.ends_with(".toml")) {
        return Some(FileKind::Fly);
    }
    if is_yaml {
        return Some(FileKind::Manifest);
    }
    if name == "go.env" || (name == "env" && parent == "go") {
        return Some(FileKind::GoEnvFile);
    }
    if name == ".envrc" {
        return Some(FileKind::Envrc);
    }
    if lower == ".env" || lower.ends_with(".env") || lower.starts_with(".env.") {
        return Some(FileKind::DotEnv);
    }
    if lower.ends_with(".sh")
        || lower.ends_with(".bash")
        || lower.ends_with(".zsh")
        || lower == ".bashrc"
        || lower == ".profile"
        || lower == ".bash_profile"
        || lower == ".zshrc"
    {
        return Some(FileKind::Shell);
    }
    if head.starts_with(b"#!") && shebang_is_shell(head) {
        return Some(FileKind::Shell);
    }
    None
}

/// Is the interpreter of a `#!` line a POSIX-style shell (directly or through `env`)?
fn shebang_is_shell(head: &[u8]) -> bool {
    let first = head.split(|&b| b == b'\n').next().unwrap_or(&[]);
    let first = String::from_utf8_lossy(&first[2..]);
    let mut words = first.split_whitespace();
    let base = |w: &str| w.rsplit('/').next().unwrap_or("").to_string();
    let Some(mut interp) = words.next().map(base) else {
        return false;
    };
    if interp == "env" {
        match words.find(|w| !w.starts_with('-') && !w.contains('=')) {
            Some(w) => interp = base(w),
            None => return false,
        }
    }
    matches!(
        interp.as_str(),
        "sh" | "bash" | "zsh" | "dash" | "ksh" | "ash" | "mksh"
    )
}

/// Extracts settings from the text of one file of a known kind. `relpath` is recorded in each
/// [`FoundSetting`] and error.
pub fn scan_text(
    relpath: &Path,
    kind: FileKind,
    text: &str,
) -> Result<Vec<FoundSetting>, ScanError> {
    // Editors on Windows write a byte-order mark that Docker, shells and YAML parsers skip;
    // go does not, so go env files keep it (their first line then does not count: cmd/go/internal/cfg `parseGoEnv`).
    let text = match kind {
        FileKind::GoEnvFile => text,
        _ => text.strip_prefix('\u{feff}').unwrap_or(text),
    };
    let mut out = Sink {
        file: relpath.to_path_buf(),
        kind,
        found: Vec::new(),
    };
    match kind {
        FileKind::Dockerfile => dockerfile::scan(text, &mut out),
        FileKind::GitHubActions | FileKind::GitLabCi | FileKind::Compose | FileKind::CiYaml => {
            yaml::scan(text, &mut out)?
        }
        FileKind::Makefile => make::scan(text, &mut out),
        FileKind::DotEnv => other::dotenv(text, &mut out),
        FileKind::Shell | FileKind::Envrc => {
            let map = shell::LineMap::for_text(text, 1);
            shell::scan_script(text, &map, None, &mut out);
        }
        FileKind::Devcontainer => jsonc::scan_devcontainer(text, &mut out)?,
        FileKind::GoEnvFile => goenvfile::scan(text, &mut out),
        FileKind::Jenkinsfile => other::jenkinsfile(text, &mut out),
        FileKind::Manifest => other::manifest(text, &mut out),
        FileKind::Bazelrc => other::bazelrc(text, &mut out),
        FileKind::GitConfigFile => other::gitconfig(relpath, text, &mut out),
        FileKind::PowerShell => other::powershell(text, &mut out),
        FileKind::Justfile => other::justfile(text, &mut out),
        FileKind::Batch => batch::scan(text, &mut out),
        FileKind::Nix => nix::scan(text, &mut out),
        FileKind::Earthfile => earthfile(text, &mut out),
        FileKind::Mise | FileKind::Netlify | FileKind::Fly => tomlenv::scan(text, &mut out)?,
    }
    out.found.sort_by_key(|s| (s.line, s.column));
    let lines: Vec<&str> = text.lines().collect();
    for f in &mut out.found {
        // A flag on a go command line stands for GOFLAGS but is not written as it.
        if f.how != How::GoFlag {
            f.written =
                crate::env::Written::locate_in(&lines, f.line, &f.variable, &f.value).map(Box::new);
        }
    }
    Ok(out.found)
}

/// Earthly reads an Earthfile's instructions as a Dockerfile's, grouped in targets (a
/// `name:` line at the start of a line); a setting's context is its target, and what comes
/// before the first target (global `ARG`s) is the base of every target.
fn earthfile(text: &str, out: &mut Sink) {
    dockerfile::scan(text, out);
    let mut targets: Vec<(usize, String)> = Vec::new();
    for (i, l) in text.lines().enumerate() {
        let Some(name) = l.trim_end().strip_suffix(':') else {
            continue;
        };
        if !l.starts_with([' ', '\t'])
            && !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            targets.push((i + 1, name.to_string()));
        }
    }
    // The base target's `ARG`s (before the first target) are build arguments of every target
    // with `--global`, of the base target otherwise; Earthly hands ARGs to RUN as
    // environment variables. A Dockerfile reader sees them as ARGs before FROM, which only
    // FROM lines use, so they are read here.
    let first_target = targets.first().map_or(usize::MAX, |(line, _)| *line);
    for (i, l) in text
        .lines()
        .enumerate()
        .take(first_target.saturating_sub(1))
    {
        let mut words = l.split_whitespace();
        if !words.next().is_some_and(|w| w.eq_ignore_ascii_case("ARG"))
            || out.found.iter().any(|f| f.line == i + 1)
        {
            continue;
        }
        let Some(assign) = words.find(|w| !w.starts_with("--")) else {
            continue;
        };
        let Some((name, value)) = assign.split_once('=') else {
            continue;
        };
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(value);
        let column = l.find(assign).map(|at| l[..at].chars().count() + 1);
        out.push(Candidate {
            line: i + 1,
            column,
            variable: name,
            value,
            how: How::Arg,
            context: None,
            unresolved: false,
        });
    }
    out.found.sort_by_key(|s| (s.line, s.column));
    for f in &mut out.found {
        f.context = targets
            .iter()
            .rev()
            .find(|(line, _)| *line < f.line)
            .map(|(_, name)| format!("target {name}"));
    }
}

/// Collects settings for one file; parsers call [`Sink::push`] with every assignment they see
/// and the sink keeps only the relevant variables.
pub(crate) struct Sink {
    pub(crate) file: PathBuf,
    pub(crate) kind: FileKind,
    pub(crate) found: Vec<FoundSetting>,
}

/// One candidate assignment as a parser sees it.
pub(crate) struct Candidate<'a> {
    pub(crate) line: usize,
    pub(crate) column: Option<usize>,
    pub(crate) variable: &'a str,
    pub(crate) value: &'a str,
    pub(crate) how: How,
    pub(crate) context: Option<&'a str>,
    /// The parser already knows the value contains an expansion.
    pub(crate) unresolved: bool,
}

impl Sink {
    pub(crate) fn push(&mut self, c: Candidate<'_>) {
        let class = if c.how == How::GitConfig {
            match classify_git_key(c.variable) {
                Some(cl) => cl,
                None => return,
            }
        } else {
            match classify(c.variable) {
                Some(cl) => cl,
                // Kept to expand references to it; never judged.
                None if shell::is_identifier(c.variable) => VarClass::Other,
                None => return,
            }
        };
        // Go env files are never expanded by go: `$HOME` there is a literal value.
        let unresolved = c.unresolved || (c.how != How::GoEnvFile && has_reference(c.value));
        self.found.push(FoundSetting {
            file: self.file.clone(),
            line: c.line,
            column: c.column,
            kind: self.kind,
            variable: c.variable.to_string(),
            value: c.value.to_string(),
            how: c.how,
            context: c.context.map(str::to_string),
            unresolved,
            class,
            written: None,
        });
    }
}

/// Go variables the runtime, the race detector and coverage read, which cmd/go's `KnownEnv`
/// (kept once, in [`crate::env::file::KNOWN_ENV`]) does not list.
const RUNTIME_GO: &[&str] = &[
    "GOCOVERDIR",
    "GOGC",
    "GOLOONG64",
    "GOMAXPROCS",
    "GOMEMLIMIT",
    "GORACE",
    "GOROOT_FINAL",
    "GOTRACEBACK",
];

/// A `GO*` variable some Go tool reads.
fn is_known_go(name: &str) -> bool {
    (name.starts_with("GO") && crate::env::file::is_known_var(name)) || RUNTIME_GO.contains(&name)
}

/// Classifies an environment variable name; `None` means not relevant to the scan.
///
/// Unknown `GO*` names are reported only when they contain no `_`: `GONOSUMCHECK` or
/// `GOPRIVTE` look like Go settings and silently do nothing, while `GOPROXY_MIRROR` or
/// `GO_VERSION` are a project's own variables.
pub fn classify(name: &str) -> Option<VarClass> {
    if is_known_go(name) {
        return Some(VarClass::Go);
    }
    match name {
        "HTTP_PROXY" | "HTTPS_PROXY" | "NO_PROXY" | "http_proxy" | "https_proxy" | "no_proxy"
        | "ALL_PROXY" | "all_proxy" => return Some(VarClass::HttpProxy),
        "SSL_CERT_FILE" | "SSL_CERT_DIR" => return Some(VarClass::TlsRoots),
        "GIT_SSL_NO_VERIFY"
        | "GIT_SSL_CAINFO"
        | "GIT_SSL_CAPATH"
        | "GIT_ALLOW_PROTOCOL"
        | "GIT_TERMINAL_PROMPT"
        | "GIT_CONFIG_PARAMETERS" => return Some(VarClass::GitEnv),
        _ => {}
    }
    let b = name.as_bytes();
    if b.len() > 2
        && name.starts_with("GO")
        && b.iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    {
        return Some(VarClass::UnknownGo);
    }
    None
}

/// Classifies a git configuration key (case-insensitive sections and names, as git does).
fn classify_git_key(key: &str) -> Option<VarClass> {
    let lower = key.to_ascii_lowercase();
    let interesting = lower == "http.sslverify"
        || (lower.starts_with("http.") && lower.ends_with(".sslverify"))
        || (lower.starts_with("url.") && lower.ends_with(".insteadof"))
        || lower == "http.proxy"
        || lower == "http.sslcainfo"
        || lower == "http.sslcapath";
    interesting.then_some(VarClass::GitConfig)
}

/// Does a value refer to something only known at run time? Shell/Docker `$NAME`, `${...}`,
/// `$(...)`, GitHub `${{ ... }}`, GitLab `$CI_...`, Make `$(VAR)`, command substitution.
pub(crate) fn has_reference(value: &str) -> bool {
    let b = value.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        if c == b'`' {
            return true;
        }
        if c == b'$'
            && let Some(&n) = b.get(i + 1)
            && (n == b'{' || n == b'(' || n == b'_' || n.is_ascii_alphabetic())
        {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes() {
        assert_eq!(classify("GOPROXY"), Some(VarClass::Go));
        assert_eq!(classify("GONOSUMCHECK"), Some(VarClass::UnknownGo));
        assert_eq!(classify("GOPROXY_MIRROR"), None);
        assert_eq!(classify("GO_VERSION"), None);
        assert_eq!(classify("GO"), None);
        assert_eq!(classify("https_proxy"), Some(VarClass::HttpProxy));
        assert_eq!(classify("PATH"), None);
    }

    #[test]
    fn references() {
        assert!(has_reference("${{ secrets.X }}"));
        assert!(has_reference("$FOO,direct"));
        assert!(has_reference("$(PROXY)"));
        assert!(!has_reference("https://a$"));
        assert!(!has_reference("a$1"));
    }
}
