//! Set-up shared by the lab's integration tests: a lab over the fixture modules (state under
//! the test's temporary directory) and the hermetic go run against it, both from `testkit`.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use gotrust_lab::{Fault, LabBuilder, LogEntry, RunningLab};
pub use testkit::go::GoRun;
pub use testkit::lab_modules_dir as fixtures;

/// `testdata/<name>`.
pub fn testdata(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(name)
}

/// A lab over the fixture modules with its state in `tmp/state`.
pub fn lab(tmp: &Path) -> LabBuilder {
    testkit::lab::builder(&tmp.join("state"))
}

/// Starts [`lab`]`(tmp)`, over HTTPS when `tls`, with `faults` injected.
pub async fn start(tmp: &Path, tls: bool, faults: Vec<Fault>) -> RunningLab {
    testkit::lab::start(&tmp.join("state"), tls, faults).await
}

/// Runs go with `args` in a main module under `root` (`root/work`), with the hermetic
/// environment plus `env`.
pub async fn go(root: &Path, env: Vec<(String, String)>, args: &[&str]) -> GoRun {
    testkit::lab::go(root, &testkit::go::main_module(root), env, args).await
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
