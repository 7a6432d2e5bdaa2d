//! Shared helpers for the lab's integration tests: a hermetic go command
//! pointed at a lab, run off the async runtime.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

use gotrust_lab::{Lab, LabBuilder, LogEntry, RunningLab};

/// `testdata/modules`.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/modules")
}

/// `testdata/<name>`.
pub fn testdata(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(name)
}

/// A lab over the fixture modules with its state in `tmp/state`.
pub fn lab(tmp: &Path) -> LabBuilder {
    Lab::builder()
        .modules_dir(fixtures())
        .state_dir(tmp.join("state"))
}

/// Result of one go run.
pub struct GoRun {
    pub ok: bool,
    pub stdout: String,
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

/// A go workspace under `root`: a main module `example.com/main` in `root/work`.
pub fn workspace(root: &Path) -> PathBuf {
    let work = root.join("work");
    std::fs::create_dir_all(&work).unwrap();
    std::fs::write(work.join("go.mod"), "module example.com/main\n\ngo 1.21\n").unwrap();
    work
}

/// Runs go with `args` in `root/work`, with the lab's environment plus `extra`.
pub async fn go(root: &Path, env: Vec<(String, String)>, args: &[&str]) -> GoRun {
    let root = root.to_path_buf();
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let work = root.join("work");
        if !work.join("go.mod").exists() {
            workspace(&root);
        }
        let mut cmd = testkit::hermetic_go(&root);
        cmd.current_dir(&work);
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.args(&args);
        GoRun::from(cmd.output().expect("run go"))
    })
    .await
    .expect("go task")
}

/// Runs go against `lab`.
pub async fn go_lab(root: &Path, lab: &RunningLab, args: &[&str]) -> GoRun {
    go(root, lab.go_env(), args).await
}

/// The log entries whose path contains `needle`.
pub fn requests<'a>(log: &'a [LogEntry], needle: &str) -> Vec<&'a LogEntry> {
    log.iter().filter(|e| e.path.contains(needle)).collect()
}

/// Every module version in the fixture set, as `path@version`.
pub fn all_fixture_modules(lab: &RunningLab) -> Vec<String> {
    lab.modules()
        .into_iter()
        .map(|(p, v)| format!("{p}@{v}"))
        .collect()
}
