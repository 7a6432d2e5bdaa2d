//! Running the hermetic `go` command (see [`crate::hermetic_go`]) and reading what it printed.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// What one go run printed.
#[derive(Clone, Debug)]
pub struct GoRun {
    /// Whether go exited with status 0.
    pub ok: bool,
    /// Standard output, decoded lossily.
    pub stdout: String,
    /// Standard error, decoded lossily.
    pub stderr: String,
}

impl From<Output> for GoRun {
    fn from(o: Output) -> GoRun {
        GoRun {
            ok: o.status.success(),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

impl GoRun {
    /// Asserts go succeeded, showing its stderr (and the arguments) when it did not.
    #[track_caller]
    pub fn success(self, args: &[&str]) -> GoRun {
        assert!(self.ok, "go {args:?} failed:\n{}", self.stderr);
        self
    }
}

/// `root/work` holding a main module `example.com/main` (created when missing): the directory
/// tests run go in when all they need is some module to run it from.
pub fn main_module(root: &Path) -> PathBuf {
    let work = root.join("work");
    if !work.join("go.mod").exists() {
        std::fs::create_dir_all(&work).expect("create the main module directory");
        std::fs::write(work.join("go.mod"), "module example.com/main\n\ngo 1.21\n")
            .expect("write the main module's go.mod");
    }
    work
}

/// The hermetic go rooted at `root` (see [`crate::hermetic_go`]), run in `dir` (created when
/// missing) with `env` set on top and `args`.
pub fn go_command<K, V>(
    root: &Path,
    dir: &Path,
    env: impl IntoIterator<Item = (K, V)>,
    args: &[&str],
) -> Command
where
    K: AsRef<OsStr>,
    V: AsRef<OsStr>,
{
    std::fs::create_dir_all(dir).expect("create go's working directory");
    let mut cmd = crate::hermetic_go(root);
    cmd.current_dir(dir).envs(env).args(args);
    cmd
}

/// Runs [`go_command`] to completion.
pub fn run_go<K, V>(
    root: &Path,
    dir: &Path,
    env: impl IntoIterator<Item = (K, V)>,
    args: &[&str],
) -> GoRun
where
    K: AsRef<OsStr>,
    V: AsRef<OsStr>,
{
    GoRun::from(
        go_command(root, dir, env, args)
            .output()
            .expect("run the go command"),
    )
}

/// The variables `cmd` sets (those it removes left out), as a map: the environment a test
/// hands to gotrust's resolver to predict what that go will do.
pub fn env_map(cmd: &Command) -> std::collections::BTreeMap<String, String> {
    cmd.get_envs()
        .filter_map(|(k, v)| {
            Some((
                k.to_string_lossy().into_owned(),
                v?.to_string_lossy().into_owned(),
            ))
        })
        .collect()
}

/// The environment of [`crate::hermetic_go`]`(root)` as a map.
pub fn hermetic_env(root: &Path) -> std::collections::BTreeMap<String, String> {
    env_map(&crate::hermetic_go(root))
}
