//! Test support shared by the gotrust crates.
//!
//! * [`xmod_oracle`] builds `tools/xmod-oracle`, a small Go program over
//!   golang.org/x/mod, once per target directory, and returns its path. Tests
//!   feed it inputs and compare its answers with gotrust's: x/mod is the oracle.
//! * [`hermetic_go`] returns a `go` command isolated from this machine's
//!   configuration: temp GOPATH, GOMODCACHE and GOENV, `GOTOOLCHAIN=local`,
//!   `GOPROXY=off` until the test says otherwise.
//!
//! * [`xmod_module_dir`] is golang.org/x/mod's own source tree in that module
//!   cache, so tests can run x/mod's test data (read there, never copied into
//!   this repository); [`txtar`] reads its archives.
//!
//! * [`go`] runs that go in a directory and keeps what it printed; [`lab`] (feature `lab`)
//!   starts a `gotrust-lab` server over [`lab_modules_dir`] and runs go against it.
//! * [`oracle`] batches queries for the oracle and compares every answer; [`sarif`] checks a
//!   SARIF log against the SARIF 2.1.0 schema.
//!
//! The only network access any test makes is the oracle's first build, which
//! downloads golang.org/x/mod from the Go module proxy into
//! `target/xmod-oracle/modcache`, where it stays cached.

pub mod go;
pub mod http;
#[cfg(feature = "lab")]
pub mod lab;
pub mod oracle;
pub mod sarif;
pub mod txtar;

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The workspace root (the directory holding the top-level Cargo.toml).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/testkit is two levels below the workspace root")
        .to_path_buf()
}

/// Every `.rs` file under `dir`, recursively, in directory order.
pub fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        let entries = fs::read_dir(&d).unwrap_or_else(|e| panic!("read {}: {e}", d.display()));
        for entry in entries {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out
}

/// The fixture modules every lab in the tests serves (`crates/gotrust-lab/testdata/modules`).
pub fn lab_modules_dir() -> PathBuf {
    workspace_root().join("crates/gotrust-lab/testdata/modules")
}

/// The target directory of this build (honours CARGO_TARGET_DIR).
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(d) if !d.is_empty() => {
            let d = PathBuf::from(d);
            if d.is_absolute() {
                d
            } else {
                workspace_root().join(d)
            }
        }
        _ => workspace_root().join("target"),
    }
}

/// The `go` binary tests run: `$GOTRUST_TEST_GO` or `go` from PATH.
pub fn go_binary() -> PathBuf {
    std::env::var_os("GOTRUST_TEST_GO")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("go"))
}

/// A `go` command with a scrubbed environment rooted at `root`.
///
/// Only PATH survives from the process environment. HOME, GOPATH, GOMODCACHE
/// and GOENV live under `root`; `GOTOOLCHAIN=local` so go never downloads a
/// toolchain; `GOPROXY=off` and `GOSUMDB=off` so nothing leaves the machine
/// unless the test points them at the lab. The build cache (GOCACHE) is shared
/// under the target directory because it is content-addressed and only speeds
/// things up.
pub fn hermetic_go(root: &Path) -> Command {
    let home = root.join("home");
    let gopath = root.join("gopath");
    fs::create_dir_all(&home).expect("create hermetic HOME");
    let mut cmd = Command::new(go_binary());
    cmd.env_clear();
    if let Some(path) = std::env::var_os("PATH") {
        cmd.env("PATH", path);
    }
    cmd.env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("GOPATH", &gopath)
        .env("GOMODCACHE", gopath.join("pkg/mod"))
        .env("GOENV", root.join("goenv"))
        .env("GOCACHE", target_dir().join("xmod-oracle/gocache"))
        .env("GOTOOLCHAIN", "local")
        .env("GOPROXY", "off")
        .env("GOSUMDB", "off")
        .env("GOFLAGS", "-mod=mod")
        .env("CGO_ENABLED", "0");
    cmd
}

/// Builds (once per target directory, under a file lock) and returns the
/// path of the x/mod oracle binary.
pub fn xmod_oracle() -> PathBuf {
    let base = target_dir().join("xmod-oracle");
    fs::create_dir_all(&base).expect("create target/xmod-oracle");
    let lock = File::create(base.join("build.lock")).expect("create oracle lock");
    lock.lock().expect("lock oracle build");
    let bin = base.join("xmod-oracle");
    let src = workspace_root().join("tools/xmod-oracle");
    // go build is incremental through GOCACHE; running it every time keeps the
    // binary in step with edits to the oracle sources.
    let out = Command::new(go_binary())
        .current_dir(&src)
        .env("GOMODCACHE", base.join("modcache"))
        .env("GOCACHE", base.join("gocache"))
        .env("GOPATH", base.join("gopath"))
        .env("GOTOOLCHAIN", "local")
        .env("GOFLAGS", "-mod=mod")
        .env("GOENV", "off")
        .env("CGO_ENABLED", "0")
        .env_remove("GOPRIVATE")
        .env_remove("GONOSUMDB")
        .env_remove("GONOPROXY")
        .args(["build", "-o"])
        .arg(&bin)
        .arg(".")
        .output()
        .expect("run go build for the x/mod oracle");
    assert!(
        out.status.success(),
        "building tools/xmod-oracle failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    bin
}

/// The directory of golang.org/x/mod, at the version `tools/xmod-oracle/go.mod`
/// requires, in the oracle's module cache (`target/xmod-oracle/modcache`); building the
/// oracle first is what downloads it.
pub fn xmod_module_dir() -> PathBuf {
    xmod_oracle();
    let go_mod = workspace_root().join("tools/xmod-oracle/go.mod");
    let text = fs::read_to_string(&go_mod).expect("read tools/xmod-oracle/go.mod");
    let version = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("require golang.org/x/mod "))
        .map(str::trim)
        .expect("tools/xmod-oracle/go.mod requires golang.org/x/mod on one line");
    let dir = target_dir()
        .join("xmod-oracle/modcache/golang.org/x")
        .join(format!("mod@{version}"));
    assert!(
        dir.is_dir(),
        "{} is missing after the oracle build",
        dir.display()
    );
    dir
}

/// Runs one oracle command with `input` on stdin and returns its stdout.
/// Panics (failing the test) with the oracle's stderr if it fails.
pub fn run_oracle(command: &str, input: &[u8]) -> Vec<u8> {
    let bin = xmod_oracle();
    let mut child = Command::new(&bin)
        .arg(command)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start xmod-oracle");
    let mut stdin = child.stdin.take().expect("oracle stdin");
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        stdin.write_all(&input).expect("write oracle input");
    });
    let out = child.wait_with_output().expect("wait for xmod-oracle");
    writer.join().expect("oracle input writer");
    assert!(
        out.status.success(),
        "xmod-oracle {command} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[cfg(test)]
mod tests {
    #[test]
    fn oracle_builds_and_reports_xmod() {
        let out = String::from_utf8(super::run_oracle("version", b"")).unwrap();
        assert!(out.contains("golang.org/x/mod@v0."), "{out}");
    }
}

#[cfg(test)]
mod http_tests {
    use super::http::{Answer, StatusServer};
    use std::io::{Read, Write};

    #[test]
    fn answers_by_longest_prefix_and_records_requests() {
        let s = StatusServer::start(vec![
            (
                "/a/".into(),
                Answer {
                    status: 410,
                    body: b"gone".to_vec(),
                },
            ),
            (
                "/a/b/".into(),
                Answer {
                    status: 200,
                    body: b"ok".to_vec(),
                },
            ),
        ]);
        let get = |path: &str| {
            let mut c =
                std::net::TcpStream::connect(s.url().trim_start_matches("http://")).unwrap();
            write!(c, "GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
            let mut out = String::new();
            c.read_to_string(&mut out).unwrap();
            out
        };
        assert!(get("/a/x").starts_with("HTTP/1.1 410"));
        assert!(get("/a/b/c?go-get=1").starts_with("HTTP/1.1 200"));
        assert!(get("/zzz").starts_with("HTTP/1.1 404"));
        assert_eq!(s.requests(), vec!["/a/x", "/a/b/c?go-get=1", "/zzz"]);
    }
}
