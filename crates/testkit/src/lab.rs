//! A `gotrust-lab` server over the lab's fixture modules, and the real go run against it
//! (feature `lab`).

use std::path::Path;

use gotrust_lab::{Fault, Lab, LabBuilder, RunningLab};

use crate::go::{GoRun, run_go};

/// A lab over [`crate::lab_modules_dir`] keeping its state (keys, tree heads) in `state`.
pub fn builder(state: &Path) -> LabBuilder {
    Lab::builder()
        .modules_dir(crate::lab_modules_dir())
        .state_dir(state)
}

/// Starts [`builder`]`(state)`, serving HTTPS when `tls`, with `faults` injected.
pub async fn start(state: &Path, tls: bool, faults: Vec<Fault>) -> RunningLab {
    faults
        .into_iter()
        .fold(builder(state).tls(tls), LabBuilder::fault)
        .start()
        .await
        .expect("start the lab")
}

/// Runs the hermetic go rooted at `root` in `dir` with `env` on top (usually the lab's
/// [`RunningLab::go_env`]), off the async workers so the lab in this process keeps serving.
pub async fn go(root: &Path, dir: &Path, env: Vec<(String, String)>, args: &[&str]) -> GoRun {
    let (root, dir) = (root.to_path_buf(), dir.to_path_buf());
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run_go(&root, &dir, env, &args)
    })
    .await
    .expect("the go task")
}
