//! Cross-check against the real `go env -json` (`--go auto|never|PATH`).
//!
//! Runs the go command with exactly the process environment of the [`EnvSources`] and
//! compares its view (cmd/go/internal/envcmd) with our resolution, variable by variable.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use super::resolve::{EnvSources, find_in_path};
use super::{GO_VARS, GoEnv};
use crate::process::{BoundedError, run_bounded};

/// Output larger than this is refused (go env -json is about 2 KiB).
const MAX_OUTPUT: usize = 1 << 20;
/// Longest wait for `go env -json` (it answers in milliseconds; a hung or hostile binary given
/// with `--go` must not hang gotrust).
pub const GO_ENV_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// How to use the real go command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GoMode {
    /// Use the `go` on the sources' PATH if there is one; otherwise skip the cross-check.
    Auto,
    /// Never run go.
    Never,
    /// Run this go binary; an error if it cannot be run.
    Path(PathBuf),
}

impl std::str::FromStr for GoMode {
    type Err = std::convert::Infallible;
    /// `auto`, `never`, or a path.
    fn from_str(s: &str) -> Result<GoMode, Self::Err> {
        Ok(match s {
            "auto" => GoMode::Auto,
            "never" => GoMode::Never,
            p => GoMode::Path(PathBuf::from(p)),
        })
    }
}

/// Why the cross-check failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CrossCheckError {
    /// The go binary could not be started.
    #[error("cannot run {go}: {source}")]
    Spawn {
        /// The binary.
        go: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// `go env -json` did not finish in time; it was killed.
    #[error("{go} env -json did not finish within {} s; it was stopped", timeout.as_secs())]
    TimedOut {
        /// The binary.
        go: PathBuf,
        /// The limit.
        timeout: std::time::Duration,
    },
    /// `go env -json` exited with an error.
    #[error("{go} env -json failed ({status}): {stderr}")]
    Failed {
        /// The binary.
        go: PathBuf,
        /// Exit status text.
        status: String,
        /// Its stderr (lossy, truncated).
        stderr: String,
    },
    /// The output is not a JSON object of strings.
    #[error("{go} env -json printed invalid JSON: {message}")]
    BadJson {
        /// The binary.
        go: PathBuf,
        /// The parse error.
        message: String,
    },
}

/// Our value and go's for one variable.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct VarComparison {
    /// Variable name.
    pub name: String,
    /// Our effective value.
    pub ours: String,
    /// What `go env -json` printed (None if go did not print the key).
    pub go: Option<String>,
}

impl VarComparison {
    /// True if go printed the key with a different value.
    pub fn disagrees(&self) -> bool {
        self.go.as_deref().is_some_and(|g| g != self.ours)
    }
}

/// Result of a cross-check.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CrossCheck {
    /// The go binary that ran.
    pub go: PathBuf,
    /// One row per compared variable ([`GO_VARS`]), sorted by name.
    pub vars: Vec<VarComparison>,
    /// Everything go printed (for variables we do not resolve, e.g. GOTELEMETRY).
    pub go_env: BTreeMap<String, String>,
}

impl CrossCheck {
    /// Variables where go and we disagree.
    pub fn disagreements(&self) -> Vec<&VarComparison> {
        self.vars.iter().filter(|v| v.disagrees()).collect()
    }
}

/// Runs `go env -json` (unless `mode` is `Never`, or `Auto` finds no go) with the sources'
/// process environment and compares it with `env`.
pub fn cross_check(
    env: &GoEnv,
    src: &EnvSources,
    mode: &GoMode,
) -> Result<Option<CrossCheck>, CrossCheckError> {
    let go = match mode {
        GoMode::Never => return Ok(None),
        GoMode::Path(p) => p.clone(),
        GoMode::Auto => match src.go_binary.clone().or_else(|| {
            src.process
                .get("PATH")
                .and_then(|p| find_in_path("go", p, &src.goos))
        }) {
            Some(p) => p,
            None => return Ok(None),
        },
    };
    let mut cmd = Command::new(&go);
    cmd.env_clear().envs(&src.process).args(["env", "-json"]);
    if let Some(cwd) = &src.cwd {
        cmd.current_dir(cwd);
    }
    // One byte over the cap, so an oversized answer is still seen as such.
    let out =
        run_bounded(&mut cmd, None, MAX_OUTPUT as u64 + 1, GO_ENV_TIMEOUT).map_err(
            |e| match e {
                BoundedError::Spawn(source) => CrossCheckError::Spawn {
                    go: go.clone(),
                    source,
                },
                BoundedError::TimedOut => CrossCheckError::TimedOut {
                    go: go.clone(),
                    timeout: GO_ENV_TIMEOUT,
                },
            },
        )?;
    if !out.status.success() {
        let mut stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        stderr.truncate(stderr.floor_char_boundary(4096));
        return Err(CrossCheckError::Failed {
            go,
            status: out.status.to_string(),
            stderr,
        });
    }
    compare_json(env, go, &out.stdout).map(Some)
}

/// Compares `go env -json` output with `env`.
pub fn compare_json(env: &GoEnv, go: PathBuf, json: &[u8]) -> Result<CrossCheck, CrossCheckError> {
    if json.len() > MAX_OUTPUT {
        return Err(CrossCheckError::BadJson {
            go,
            message: format!("output larger than {MAX_OUTPUT} bytes"),
        });
    }
    let go_env: BTreeMap<String, String> =
        serde_json::from_slice(json).map_err(|e| CrossCheckError::BadJson {
            go: go.clone(),
            message: e.to_string(),
        })?;
    let vars = GO_VARS
        .iter()
        .map(|name| VarComparison {
            name: name.to_string(),
            ours: env.value(name).to_string(),
            go: go_env.get(*name).cloned(),
        })
        .collect();
    Ok(CrossCheck { go, vars, go_env })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_and_missing_go() {
        let src = EnvSources::with_process([("PATH", "/nonexistent")]);
        let env = super::super::resolve(&src);
        assert!(cross_check(&env, &src, &GoMode::Never).unwrap().is_none());
        assert!(cross_check(&env, &src, &GoMode::Auto).unwrap().is_none());
        let err = cross_check(&env, &src, &GoMode::Path("/nonexistent/go".into())).unwrap_err();
        assert!(matches!(err, CrossCheckError::Spawn { .. }), "{err}");
        let err = compare_json(&env, "go".into(), b"[1]").unwrap_err();
        assert!(matches!(err, CrossCheckError::BadJson { .. }));
    }

    #[test]
    fn disagreement_detected() {
        let src = EnvSources::with_process([("GOPROXY", "off"), ("GOENV", "off")]);
        let env = super::super::resolve(&src);
        let c = compare_json(
            &env,
            "go".into(),
            br#"{"GOPROXY":"direct","GOSUMDB":"sum.golang.org"}"#,
        )
        .unwrap();
        let d = c.disagreements();
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].name, "GOPROXY");
        assert_eq!(d[0].ours, "off");
    }
}
