//! The command line itself: help texts, argument errors, exit codes of unwired commands.

use std::io::Read;
use std::process::Stdio;

use crate::harness::TestDir;

/// Every subcommand path, for the help snapshots and the not-implemented checks.
const COMMANDS: &[&[&str]] = &[
    &[],
    &["audit"],
    &["env"],
    &["explain"],
    &["verify"],
    &["verify", "sums"],
    &["verify", "proxy"],
    &["verify", "cache"],
    &["probe"],
    &["diagnose"],
    &["scan"],
    &["lab"],
    &["lab", "serve"],
    &["lab", "run"],
];

/// `--help` of every subcommand, snapshotted so that a flag change is a reviewed diff.
#[test]
fn help_snapshots() {
    let dir = TestDir::new();
    for cmd in COMMANDS {
        let mut args = cmd.to_vec();
        args.push("--help");
        let out = dir.cmd(&args).run().code(0);
        assert!(out.stderr.is_empty(), "{}", out.stderr);
        let name = if cmd.is_empty() {
            "gotrust".to_owned()
        } else {
            cmd.join("_")
        };
        insta::assert_snapshot!(format!("help_{name}"), out.stdout);
    }
}

#[test]
fn version() {
    let out = TestDir::new().cmd(&["--version"]).run().code(0);
    assert_eq!(
        out.stdout,
        format!("gotrust {}\n", env!("CARGO_PKG_VERSION"))
    );
}

/// Usage errors exit 2 and say which argument is wrong.
#[test]
fn bad_arguments_exit_2() {
    let dir = TestDir::new();
    let cases: &[(&[&str], &str)] = &[
        (&[], "Usage: gotrust [OPTIONS] <COMMAND>"),
        (&["--bogus", "audit"], "unexpected argument '--bogus'"),
        (&["frobnicate"], "unrecognized subcommand 'frobnicate'"),
        (
            &["audit", "--fail-on", "severe"],
            "invalid value 'severe' for '--fail-on <SEVERITY>'",
        ),
        (
            &["audit", "--format", "xml"],
            "invalid value 'xml' for '--format <FORMAT>'",
        ),
        (
            &["audit", "--color", "sometimes"],
            "invalid value 'sometimes' for '--color <WHEN>'",
        ),
        (
            &["audit", "--go", ""],
            "expected `auto`, `never` or the path of a go binary",
        ),
        (&["audit", "-q", "-v"], "cannot be used with"),
        (&["explain"], "required arguments were not provided"),
        (&["verify"], "Usage: gotrust verify"),
        (
            &["verify", "everything"],
            "unrecognized subcommand 'everything'",
        ),
        (&["lab"], "Usage: gotrust lab"),
    ];
    for (args, want) in cases {
        let out = dir.cmd(args).run().code(2);
        assert!(out.stdout.is_empty(), "{args:?}: {}", out.stdout);
        assert!(
            out.stderr.contains(want),
            "{args:?}: stderr lacks {want:?}:\n{}",
            out.stderr
        );
    }
}

/// Runtime errors are printed as `gotrust: error: ...` with the cause chain, exit 2.
#[test]
fn runtime_errors_exit_2() {
    let dir = TestDir::new();
    let out = dir
        .cmd(&["audit", "--project", "no-such-dir"])
        .run()
        .code(2);
    assert_eq!(
        out.stderr,
        "gotrust: error: project directory no-such-dir does not exist\n"
    );
    let out = dir
        .cmd(&["audit", "--policy", "missing.toml"])
        .run()
        .code(2);
    assert!(
        out.stderr
            .starts_with("gotrust: error: cannot read policy file missing.toml: "),
        "{}",
        out.stderr
    );
    let out = dir.cmd(&["audit", "--format", "mermaid"]).run().code(2);
    assert_eq!(
        out.stderr,
        "gotrust: error: --format mermaid is not available for gotrust audit\n"
    );
}

/// A reader that goes away (`gotrust audit | head -0`) is not an error: exit 0, nothing on
/// stderr, no panic.
#[test]
fn broken_pipe_is_a_clean_exit() {
    let dir = TestDir::new();
    // The read end is closed right after the spawn, before gotrust has started, so its write
    // fails with EPIPE (Rust ignores SIGPIPE, so this is an io::Error, not a signal).
    let mut cmd = dir.cmd(&["audit", "--format", "sarif"]).into_inner();
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    drop(child.stdout.take());
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "stderr: {stderr}");
    assert_eq!(stderr, "");
}

/// Every global flag is accepted before and after the subcommand.
#[test]
fn global_flags_accepted() {
    let dir = TestDir::new();
    let flags: &[&[&str]] = &[
        &["--go", "never"],
        &["--go", "auto"],
        &["--offline"],
        &["-q"],
        &["-v"],
        &["-vvv"],
        &["--color", "never"],
        &["--format", "text"],
        &["--fail-on", "info"],
    ];
    for f in flags {
        let after = [&["audit"][..], f].concat();
        // A proxy-only GOPROXY keeps the audit clean even at --fail-on info (the standard
        // `...,direct` gives a low proxy/direct-fallback finding).
        let clean = ("GOPROXY", "https://proxy.golang.org");
        dir.cmd(&after).env(clean.0, clean.1).run().code(0);
        let before = [f, &["audit"][..]].concat();
        dir.cmd(&before).env(clean.0, clean.1).run().code(0);
    }
}
