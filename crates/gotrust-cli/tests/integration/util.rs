//! A small harness: run the built `gotrust` in a temporary directory with a scrubbed
//! environment, and look at what it printed.

use std::path::PathBuf;
use std::process::{Command, Stdio};

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
