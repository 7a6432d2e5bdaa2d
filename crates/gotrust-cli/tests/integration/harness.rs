//! The binary's test harness: run the built `gotrust` in a temporary directory with a scrubbed
//! environment and look at what it printed; point it at a lab (`testkit::lab`) served in this
//! process.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use gotrust_lab::{Fault, RunningLab};

/// A temporary working directory for one test, with its own HOME.
pub struct TestDir {
    dir: tempfile::TempDir,
}

impl TestDir {
    /// A fresh, empty directory.
    pub fn new() -> TestDir {
        TestDir {
            dir: tempfile::tempdir().expect("create temp dir"),
        }
    }

    /// Writes `contents` to `name` inside the directory and returns the full path.
    pub fn write(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create parent dir");
        }
        std::fs::write(&path, contents).expect("write file");
        path
    }

    /// The directory.
    pub fn path(&self) -> &std::path::Path {
        self.dir.path()
    }

    /// A `gotrust` command with `args` and the lab as GOPROXY and GOSUMDB (go's variables),
    /// with its own cache under this directory and go left to its defaults otherwise.
    pub fn lab_cmd(&self, lab: &RunningLab, args: &[&str]) -> TestCommand {
        let cache = self.path().join(".cache");
        std::fs::create_dir_all(&cache).expect("create the gotrust cache dir");
        self.cmd(args)
            .lab(lab)
            .env(
                "GOTRUST_CACHE_DIR",
                cache.to_str().expect("a UTF-8 temp path"),
            )
            .env("GOFLAGS", "")
            .env("GOTOOLCHAIN", "local")
    }

    /// A `gotrust` command with `args`, run in this directory with an environment holding only
    /// HOME (the temp dir) and the variables set with [`TestCommand::env`].
    pub fn cmd(&self, args: &[&str]) -> TestCommand {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_gotrust"));
        cmd.args(args)
            .current_dir(self.dir.path())
            .env_clear()
            .env("HOME", self.dir.path())
            .stdin(Stdio::null());
        if args.contains(&"audit") {
            // `audit` reads go's trust store: give it one public root, not the machine's
            // (which may hold private or intercepting CAs that `audit` rightly reports).
            cmd.env(
                "SSL_CERT_FILE",
                concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/../gotrust/tests/fixtures/audit/tls/non-public-ca/near-miss/public.pem"
                ),
            )
            .env("SSL_CERT_DIR", self.dir.path().join("no-cert-dir"));
        }
        TestCommand { cmd }
    }
}

/// A command to run.
pub struct TestCommand {
    cmd: Command,
}

impl TestCommand {
    /// Sets an environment variable.
    pub fn env(mut self, key: &str, value: &str) -> TestCommand {
        self.cmd.env(key, value);
        self
    }

    /// Sets the lab's go environment (GOPROXY, GOSUMDB, GONOSUMDB, ...), as go would see it.
    pub fn lab(mut self, lab: &RunningLab) -> TestCommand {
        self.cmd.envs(lab.go_env());
        self
    }

    /// Runs to completion off the async workers, so a lab served by this process keeps
    /// answering.
    pub async fn run_blocking(self) -> Output {
        tokio::task::spawn_blocking(move || self.run())
            .await
            .expect("the gotrust task")
    }

    /// Runs to completion.
    pub fn run(mut self) -> Output {
        let out = self.cmd.output().expect("run gotrust");
        Output {
            code: out.status.code().expect("gotrust was killed by a signal"),
            stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
        }
    }

    /// Runs to completion; output that is not UTF-8 is decoded lossily (for tests that look
    /// for bytes that must not be there).
    pub fn run_lossy(mut self) -> Output {
        let out = self.cmd.output().expect("run gotrust");
        Output {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// The underlying command, for tests that need to drive the pipes themselves.
    pub fn into_inner(self) -> Command {
        self.cmd
    }
}

/// What a run printed and its exit code.
#[derive(Debug)]
pub struct Output {
    /// Exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Output {
    /// Asserts the exit code, showing both streams on failure.
    #[track_caller]
    pub fn code(self, want: i32) -> Output {
        assert_eq!(
            self.code, want,
            "unexpected exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

/// A lab over the fixture modules, its state in a temporary directory that lives as long as
/// the returned handle.
pub async fn lab(faults: Vec<Fault>) -> (RunningLab, tempfile::TempDir) {
    let state = tempfile::tempdir().expect("create the lab state dir");
    (
        testkit::lab::start(state.path(), false, faults).await,
        state,
    )
}

/// A lab on its own runtime, which keeps serving while a synchronous test blocks on the
/// binary.
pub struct Served {
    /// The lab.
    pub lab: RunningLab,
    _rt: tokio::runtime::Runtime,
}

impl Served {
    /// Starts a lab with its state in `state`, over HTTPS when `tls`, with `faults`.
    pub fn start(state: &Path, tls: bool, faults: Vec<Fault>) -> Served {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("build the lab's runtime");
        let lab = rt.block_on(testkit::lab::start(state, tls, faults));
        Served { lab, _rt: rt }
    }
}
