//! `gotrust scan` over fixture repositories: every file kind, risky settings next to their
//! near-misses (comments, look-alike names, quoted text), malformed files, binary and large
//! files, gitignored files and symlinks.

use std::fs;
use std::path::{Path, PathBuf};

use gotrust::scan::{
    FileKind, How, ScanError, ScanOptions, ScanReport, SkipReason, VarClass, scan_dir, scan_text,
};

fn fixture(name: &str) -> ScanReport {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/scan")
        .join(name);
    scan_dir(&root, &ScanOptions::default()).expect("fixture root readable")
}

/// (file, line, variable, value, how) of every finding.
fn rows(r: &ScanReport) -> Vec<(String, usize, String, String, How)> {
    r.settings
        .iter()
        .filter(|s| s.class != VarClass::Other)
        .map(|s| {
            (
                s.file.display().to_string(),
                s.line,
                s.variable.clone(),
                s.value.clone(),
                s.how,
            )
        })
        .collect()
}

fn row(
    file: &str,
    line: usize,
    var: &str,
    value: &str,
    how: How,
) -> (String, usize, String, String, How) {
    (file.into(), line, var.into(), value.into(), how)
}

fn vars(r: &ScanReport) -> Vec<&str> {
    r.settings
        .iter()
        .filter(|s| s.class != VarClass::Other)
        .map(|s| s.variable.as_str())
        .collect()
}

#[test]
fn dockerfile_env_arg_run_heredoc_exec_form() {
    let r = fixture("docker");
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    let d = "Dockerfile";
    assert_eq!(
        rows(&r),
        vec![
            row(
                d,
                4,
                "GOPROXY",
                "https://proxy.corp.example,direct",
                How::Arg
            ),
            row(d, 6, "GOFLAGS", "-mod=mod", How::Env),
            row(d, 6, "GONOSUMDB", "corp.example/*", How::Env),
            row(d, 7, "GOPRIVATE", "corp.example", How::Env),
            row(d, 8, "GOINSECURE", "*.corp.example", How::Env),
            row(d, 9, "GOSUMDB", "off", How::Export),
            row(d, 10, "GOFLAGS", "-insecure", How::CommandPrefix),
            row(
                d,
                11,
                "GOPROXY",
                "https://user:s3cret@proxy.corp.example",
                How::GoEnvW
            ),
            row(d, 13, "GONOSUMCHECK", "1", How::GoEnvW),
            row(d, 14, "http.sslVerify", "false", How::GitConfig),
            row(d, 16, "HTTPS_PROXY", "$PROXY_URL", How::Env),
            row(d, 16, "NO_PROXY", "localhost", How::Env),
            row(d, 18, "SSL_CERT_FILE", "/etc/ssl/corp.pem", How::Export),
            row(d, 20, "GOTOOLCHAIN", "local", How::GoEnvW),
            row("build.Dockerfile", 3, "GOPROXY", "off", How::Env),
            row("build.Dockerfile", 4, "GOSUMDB", "sum.golang.org", How::Env),
        ]
    );
    let s: Vec<_> = r
        .settings
        .iter()
        .filter(|s| s.class != VarClass::Other)
        .collect();
    // Columns point at the variable name.
    assert_eq!(s[5].column, Some(12));
    assert_eq!(s[2].column, Some(22));
    assert_eq!(s[0].context.as_deref(), Some("stage build"));
    assert_eq!(s[10].context.as_deref(), Some("stage 1"));
    assert!(s[10].unresolved, "$PROXY_URL cannot be known statically");
    assert!(!s[11].unresolved);
    assert_eq!(s[8].class, VarClass::UnknownGo);
    assert_eq!(s[0].kind, FileKind::Dockerfile);
    // The comment on line 2 and GOPROXY_MIRROR (a project's own variable) are not settings.
    assert!(!vars(&r).contains(&"GOPROXY_MIRROR"));
    assert!(r.settings.iter().all(|s| s.line != 2));
}

#[test]
fn github_actions_env_levels_run_scripts_and_github_env() {
    let r = fixture("github");
    let w = ".github/workflows/ci.yml";
    assert_eq!(
        rows(&r),
        vec![
            row(w, 4, "GOPROXY", "https://proxy.corp.example", How::Env),
            row(w, 10, "GOFLAGS", "-mod=mod", How::Env),
            row(w, 11, "GOPRIVATE", "${{ vars.PRIVATE_PATHS }}", How::Env),
            row(w, 15, "GOINSECURE", "*", How::Env),
            row(w, 20, "GONOSUMDB", "corp.example/*", How::Env),
            row(w, 22, "GOSUMDB", "off", How::GithubEnv),
            row(w, 23, "GOPROXY", "direct", How::GoEnvW),
            row(w, 24, "http.sslVerify", "false", How::GitConfig),
            row(w, 26, "GOFLAGS", "-insecure", How::CommandPrefix),
            row(
                w,
                30,
                "GOPROXY",
                "https://proxy.corp.example",
                How::BuildArg
            ),
            row("action.yml", 7, "GOTOOLCHAIN", "go1.24.1+auto", How::Export),
        ]
    );
    let s: Vec<_> = r
        .settings
        .iter()
        .filter(|s| s.class != VarClass::Other)
        .collect();
    assert!(s[2].unresolved);
    assert_eq!(s[0].context.as_deref(), Some("workflow"));
    assert_eq!(s[3].context.as_deref(), Some("job build container"));
    assert_eq!(s[5].context.as_deref(), Some("job build / step Configure"));
    assert_eq!(s[5].column, Some(16));
    // The malformed workflow is one typed error with file and position; the scan went on.
    assert_eq!(
        r.errors,
        vec![ScanError::Yaml {
            file: PathBuf::from(".github/workflows/broken.yml"),
            line: 6,
            column: 9,
            message: "while parsing a block mapping, did not find expected key".into(),
        }]
    );
}

#[test]
fn gitlab_variables_scripts_default_and_hidden_jobs() {
    let r = fixture("gitlab");
    let f = ".gitlab-ci.yml";
    assert_eq!(
        rows(&r),
        vec![
            row(
                f,
                2,
                "GOPROXY",
                "https://proxy.corp.example|direct",
                How::CiVariable
            ),
            row(f, 3, "GOSUMDB", "off", How::CiVariable),
            row(f, 8, "GONOSUMDB", "corp.example", How::Export),
            row(f, 11, "GOFLAGS", "-mod=mod", How::CiVariable),
            row(f, 14, "GOPRIVATE", "corp.example/*", How::GoEnvW),
            row(f, 17, "GOINSECURE", "git.corp.example", How::CommandPrefix),
            row(f, 20, "GOVCS", "*:all", How::CiVariable),
        ]
    );
    assert_eq!(r.settings[4].context.as_deref(), Some("job test"));
    assert_eq!(r.settings[2].context.as_deref(), Some("default"));
}

#[test]
fn makefile_assignments_targets_and_recipes() {
    let r = fixture("make");
    let f = "Makefile";
    assert_eq!(
        rows(&r),
        vec![
            row(
                f,
                1,
                "GOPROXY",
                "https://proxy.corp.example",
                How::MakeExport
            ),
            row(f, 2, "GOFLAGS", "-mod=mod", How::MakeVariable),
            row(f, 3, "GOSUMDB", "off", How::MakeVariable),
            row(f, 10, "GONOSUMDB", "corp.example", How::MakeVariable),
            row(f, 12, "GOFLAGS", "-insecure", How::CommandPrefix),
            row(f, 13, "GOTOOLCHAIN", "local", How::GoEnvW),
            row(f, 14, "http.sslVerify", "false", How::GitConfig),
            row(f, 15, "GOINSECURE", "x.example", How::Export),
        ]
    );
    let s: Vec<_> = r
        .settings
        .iter()
        .filter(|s| s.class != VarClass::Other)
        .collect();
    assert_eq!(s[3].context.as_deref(), Some("target build"));
    assert_eq!(s[7].context.as_deref(), Some("target test"));
}

#[test]
fn shell_scripts_envrc_dotenv_and_shebang_detection() {
    let r = fixture("shell");
    assert_eq!(
        rows(&r),
        vec![
            row(".env", 1, "GOPRIVATE", "corp.example", How::Assign),
            row(
                ".env",
                2,
                "HTTPS_PROXY",
                "http://user:pw@proxy.corp.example:3128",
                How::Assign
            ),
            row(
                ".envrc",
                1,
                "GOPROXY",
                "https://proxy.corp.example",
                How::Export
            ),
            row(".envrc", 2, "GIT_SSL_NO_VERIFY", "1", How::Export),
            row(
                "scripts/setup.sh",
                3,
                "GOPROXY",
                "https://proxy.corp.example,direct",
                How::Export
            ),
            row("scripts/setup.sh", 4, "GOFLAGS", "-mod=mod", How::Assign),
            row(
                "scripts/setup.sh",
                5,
                "GOFLAGS",
                "-insecure",
                How::CommandPrefix
            ),
            row(
                "scripts/setup.sh",
                6,
                "GOPRIVATE",
                "corp.example/*",
                How::GoEnvW
            ),
            row(
                "scripts/setup.sh",
                6,
                "GONOSUMDB",
                "corp.example",
                How::GoEnvW
            ),
            row("scripts/setup.sh", 9, "GOSUMDB", "off", How::Export),
            row("tools/bootstrap", 2, "GOINSECURE", "*", How::Export),
        ]
    );
    assert_eq!(r.settings[0].kind, FileKind::DotEnv);
    assert_eq!(r.settings[2].kind, FileKind::Envrc);
    assert_eq!(r.settings[10].kind, FileKind::Shell);
    // tools/README has no shebang: not a script, not read.
    assert_eq!(r.files_scanned, 4);
}

#[test]
fn devcontainer_jsonc_and_malformed_json() {
    let r = fixture("devcontainer");
    let f = ".devcontainer/devcontainer.json";
    assert_eq!(
        rows(&r),
        vec![
            row(f, 4, "GOPROXY", "https://proxy.corp.example", How::BuildArg),
            row(f, 6, "GOFLAGS", "-mod=mod", How::ContainerEnv),
            row(f, 7, "GOSUMDB", "off", How::ContainerEnv),
            row(f, 9, "GOPRIVATE", "${localEnv:GOPRIVATE}", How::RemoteEnv),
        ]
    );
    assert!(r.settings[3].unresolved);
    assert_eq!(
        r.errors,
        vec![ScanError::Json {
            file: PathBuf::from(".devcontainer/broken/devcontainer.json"),
            line: 4,
            column: 5,
            message: "expected ',' or '}' in object".into(),
        }]
    );
}

#[test]
fn go_env_files_are_read_exactly_like_go() {
    let r = fixture("goenv");
    assert_eq!(
        rows(&r),
        vec![
            // Quotes and the \r stay part of the value (§1.3).
            row(
                "config/go/env",
                1,
                "GOPROXY",
                "\"https://proxy.corp.example\"\r",
                How::GoEnvFile
            ),
            row(
                "config/go/env",
                2,
                "GOPRIVATE",
                "corp.example",
                How::GoEnvFile
            ),
            row("config/go/env", 5, "GONOSUMDB", "$HOME", How::GoEnvFile),
            row(
                "go.env",
                2,
                "GOPROXY",
                "https://proxy.golang.org,direct",
                How::GoEnvFile
            ),
            row("go.env", 3, "GOSUMDB", "sum.golang.org", How::GoEnvFile),
        ]
    );
    // go never expands variables in these files.
    assert!(!r.settings[2].unresolved);
}

#[test]
fn credentials_are_redacted_when_rendered() {
    let r = fixture("docker");
    let s = r
        .settings
        .iter()
        .find(|s| s.how == How::GoEnvW && s.variable == "GOPROXY")
        .unwrap();
    assert_eq!(s.display_value(), "https://xxxxx:xxxxx@proxy.corp.example");
    let json = serde_json::to_string(&r).unwrap();
    assert!(!json.contains("s3cret"), "{json}");
    assert!(json.contains("xxxxx:xxxxx@proxy.corp.example"));
}

#[test]
fn near_misses_in_one_script() {
    let text = "\
# GOPROXY=https://comment.example
echo GOPROXY=https://echoed.example
GOPROXY_MIRROR=https://mirror.example
GOFLAGS=-mod=mod
GOFLAGS=-insecure
printf '%s' \"GOSUMDB=off\"
MYGOPROXY=x
gofmt -l .
";
    let found = scan_text(Path::new("s.sh"), FileKind::Shell, text).unwrap();
    let got: Vec<(usize, &str, &str)> = found
        .iter()
        .filter(|s| s.class != VarClass::Other)
        .map(|s| (s.line, s.variable.as_str(), s.value.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![(4, "GOFLAGS", "-mod=mod"), (5, "GOFLAGS", "-insecure")]
    );
}

#[test]
fn gitignore_binary_large_and_symlinks() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::write(root.join(".gitignore"), "secret.sh\nbuild/\n").unwrap();
    fs::write(root.join("secret.sh"), "export GOSUMDB=off\n").unwrap();
    fs::create_dir(root.join("build")).unwrap();
    fs::write(root.join("build/Dockerfile"), "ENV GOSUMDB=off\n").unwrap();
    fs::write(root.join("ok.sh"), "export GOPROXY=direct\n").unwrap();
    fs::write(root.join("bin.sh"), b"export GOPROXY=x\n\0\x01\x02").unwrap();
    let mut big = String::from("export GOSUMDB=off\n");
    big.push_str(&"#".repeat(5000));
    fs::write(root.join("big.sh"), big).unwrap();
    let outside = tempfile::tempdir().unwrap();
    fs::write(outside.path().join("evil.sh"), "export GOINSECURE=*\n").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(outside.path().join("evil.sh"), root.join("link.sh")).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(outside.path(), root.join("linkdir")).unwrap();

    let opts = ScanOptions {
        max_file_size: 1024,
        ..ScanOptions::default()
    };
    let r = scan_dir(root, &opts).unwrap();
    assert_eq!(
        rows(&r),
        vec![row("ok.sh", 1, "GOPROXY", "direct", How::Export)]
    );
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    let mut skipped: Vec<(String, SkipReason)> = r
        .skipped
        .iter()
        .map(|s| (s.file.display().to_string(), s.reason.clone()))
        .collect();
    skipped.sort_by(|a, b| a.0.cmp(&b.0));
    let mut want = vec![
        (
            "big.sh".to_string(),
            SkipReason::TooLarge {
                size: 5019,
                cap: 1024,
            },
        ),
        ("bin.sh".to_string(), SkipReason::Binary),
    ];
    if cfg!(unix) {
        want.push(("link.sh".to_string(), SkipReason::Symlink));
    }
    assert_eq!(skipped, want);

    // Without .gitignore handling the ignored files are read too.
    let all = scan_dir(
        root,
        &ScanOptions {
            respect_gitignore: false,
            ..opts
        },
    )
    .unwrap();
    let mut files: Vec<String> = all
        .settings
        .iter()
        .map(|s| s.file.display().to_string())
        .collect();
    files.sort();
    assert_eq!(files, vec!["build/Dockerfile", "ok.sh", "secret.sh"]);
}

#[test]
fn byte_order_mark() {
    let f = scan_text(
        Path::new("Dockerfile"),
        FileKind::Dockerfile,
        "\u{feff}ENV GOPROXY=off\n",
    )
    .unwrap();
    assert_eq!(
        (f[0].line, f[0].variable.as_str(), f[0].value.as_str()),
        (1, "GOPROXY", "off")
    );
    // go itself does not skip it: the first line of a go env file with a BOM is ignored.
    let f = scan_text(
        Path::new("go.env"),
        FileKind::GoEnvFile,
        "\u{feff}GOPROXY=off\nGOSUMDB=off\n",
    )
    .unwrap();
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].variable, "GOSUMDB");
}

#[test]
fn unreadable_root_is_an_error() {
    let err = scan_dir(
        Path::new("/nonexistent/gotrust-scan-root"),
        &ScanOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(err, ScanError::Io { .. }), "{err:?}");
}

#[test]
fn hostile_inputs_do_not_panic() {
    let nasty = [
        "RUN \\",
        "ENV",
        "ENV =",
        "RUN [\"sh\", \"-c\"",
        "RUN <<",
        "ARG \"",
        "RUN echo \"unterminated",
        "RUN $((((((",
        "RUN ${{{{",
        "RUN `",
        "RUN 'x",
        "FROM",
        "RUN go env -w",
        "RUN git -c",
        "RUN git config",
        "\u{feff}ENV GOPROXY=x",
        "ENV K=é${\u{301}",
        "RUN echo \\é",
        "RUN echo $é",
        "RUN echo \"$é\"",
        "x=$\u{301}",
    ];
    for kind in [
        FileKind::Dockerfile,
        FileKind::Shell,
        FileKind::Makefile,
        FileKind::GitHubActions,
        FileKind::Devcontainer,
        FileKind::GoEnvFile,
    ] {
        for text in nasty {
            let _ = scan_text(Path::new("x"), kind, text);
        }
        let deep = "[".repeat(10_000);
        let _ = scan_text(Path::new("x"), kind, &deep);
        let deep = "{\"a\":".repeat(10_000);
        let _ = scan_text(Path::new("x"), kind, &deep);
    }
}

#[test]
fn other_ci_yaml_read_generically() {
    let r = fixture("otherci");
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    let (c, d, t) = (".circleci/config.yml", ".drone.yml", ".travis.yml");
    assert_eq!(
        rows(&r),
        vec![
            row(c, 7, "GOPROXY", "https://proxy.corp.example", How::Env),
            row(c, 14, "GOFLAGS", "-insecure", How::Export),
            row(c, 16, "GOSUMDB", "off", How::CommandPrefix),
            row(d, 6, "GONOSUMDB", "corp.example", How::Env),
            row(d, 8, "GOPRIVATE", "corp.example", How::GoEnvW),
            row(d, 11, "GOINSECURE", "*", How::Env),
            row(t, 3, "GOFLAGS", "-mod=mod", How::Env),
            row(t, 6, "GOPROXY", "direct", How::CommandPrefix),
        ]
    );
    let ctx: Vec<&str> = r
        .settings
        .iter()
        .filter(|s| s.class != VarClass::Other)
        .map(|s| s.context.as_deref().unwrap())
        .collect();
    assert_eq!(
        ctx,
        vec![
            "jobs.build.environment",
            "build.steps[1].run.command",
            "jobs.build.steps[2].run",
            "steps[0].environment",
            "steps[0].commands",
            "steps[1].env[0]",
            "env[0]",
            "script",
        ]
    );
    assert!(r.settings.iter().all(|s| s.kind == FileKind::CiYaml));
}

#[test]
fn shebang_detection() {
    use gotrust::scan::detect_kind;
    let p = Path::new("tools/run");
    for (head, want) in [
        ("#!/bin/sh\n", Some(FileKind::Shell)),
        ("#!/usr/bin/env bash\n", Some(FileKind::Shell)),
        ("#!/usr/bin/env -S bash -e\n", Some(FileKind::Shell)),
        ("#!/bin/bash -eu\n", Some(FileKind::Shell)),
        ("#!/usr/bin/env python3\n", None),
        ("#!/usr/bin/perl\n", None),
        ("#!\n", None),
        ("no shebang\n", None),
    ] {
        assert_eq!(detect_kind(p, head.as_bytes()), want, "{head:?}");
    }
    assert_eq!(
        detect_kind(Path::new(".gitea/workflows/ci.yaml"), b""),
        Some(FileKind::GitHubActions)
    );
    assert_eq!(
        detect_kind(Path::new("x/.github/workflows/ci.yml"), b""),
        Some(FileKind::GitHubActions)
    );
    // Other YAML (Kubernetes and Helm manifests, goreleaser) is read line by line.
    assert_eq!(
        detect_kind(Path::new("workflows/ci.yml"), b""),
        Some(FileKind::Manifest)
    );
    assert_eq!(
        detect_kind(Path::new("deploy/values.yaml"), b""),
        Some(FileKind::Manifest)
    );
    assert_eq!(
        detect_kind(Path::new("ci/Dockerfile.dev"), b""),
        Some(FileKind::Dockerfile)
    );
    assert_eq!(
        detect_kind(Path::new("go.env"), b""),
        Some(FileKind::GoEnvFile)
    );
    assert_eq!(
        detect_kind(Path::new("prod.env"), b""),
        Some(FileKind::DotEnv)
    );
}

/// go env files: scan's reading (last line per key wins in the user file) against
/// `go env -json`, the oracle, on the lines that trip people up (§1.3).
#[test]
fn go_env_file_matches_go_env_json() {
    let dir = tempfile::tempdir().unwrap();
    let text = "\u{feff}GOPROXY=off\nGOSUMDB=\"quoted\"\r\n GOPRIVATE=indented\nGOPRIVATE=a.example\nGOPRIVATE=b.example\nGONOSUMDB=$HOME/x\ngoinsecure=lower\nGOINSECURE=x=y\n#GOFLAGS=-x\nGOFLAGS= -mod=mod \nGONOPROXY\n";
    let file = dir.path().join("goenv");
    fs::write(&file, text).unwrap();
    let found = scan_text(Path::new("goenv"), FileKind::GoEnvFile, text).unwrap();
    let mut last = std::collections::BTreeMap::new();
    for s in &found {
        last.insert(s.variable.clone(), s.value.clone());
    }
    let keys = [
        "GOPROXY",
        "GOSUMDB",
        "GOPRIVATE",
        "GONOSUMDB",
        "GOINSECURE",
        "GOFLAGS",
        "GONOPROXY",
    ];
    let mut cmd = testkit::hermetic_go(dir.path());
    for k in keys {
        cmd.env_remove(k);
    }
    let out = cmd
        .env("GOENV", &file)
        .args(["env", "-json"])
        .args(keys)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let go: std::collections::BTreeMap<String, String> =
        serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        last.keys().map(String::as_str).collect::<Vec<_>>(),
        vec!["GOFLAGS", "GOINSECURE", "GONOSUMDB", "GOPRIVATE", "GOSUMDB"]
    );
    for (k, v) in &last {
        assert_eq!(go.get(k), Some(v), "{k}");
    }
    // The BOM line and the key-only line do not count for go either: GOPROXY is the default
    // from go.env and GONOPROXY falls back to GOPRIVATE.
    assert_ne!(go["GOPROXY"], "off");
    assert_eq!(go["GONOPROXY"], "b.example");
}

/// A scenario for the differential test: variables in go's environment and, optionally, a
/// git configuration file, with the policy in force.
struct Scenario {
    name: String,
    vars: Vec<(String, String)>,
    gitconfig: Option<String>,
    policy: Option<gotrust::policy::Policy>,
}

/// Escapes for each file kind's quoting.
fn sh_single(v: &str) -> String {
    format!("'{}'", v.replace('\'', "'\\''"))
}
fn yaml_single(v: &str) -> String {
    format!("'{}'", v.replace('\'', "''"))
}
fn docker_double(v: &str) -> String {
    let mut s = String::from("\"");
    for c in v.chars() {
        if matches!(c, '"' | '\\' | '$') {
            s.push('\\');
        }
        s.push(c);
    }
    s.push('"');
    s
}

type Render = fn(&[(String, String)]) -> String;

/// Every kind of file that can set go's environment, with the scenario written in it.
const ENV_KINDS: &[(FileKind, &str, Render)] = &[
    (FileKind::Dockerfile, "Dockerfile", |v| {
        let mut s = "FROM golang\n".to_string();
        for (k, x) in v {
            s.push_str(&format!("ENV {k}={}\n", docker_double(x)));
        }
        s
    }),
    (FileKind::Shell, "a.sh", |v| {
        v.iter()
            .map(|(k, x)| format!("export {k}={}\n", sh_single(x)))
            .collect()
    }),
    (FileKind::Shell, "b.sh", |v| {
        // An empty environment variable is no setting for go; `go env -w K=` would be one
        // (an empty value in the go env file), so the equivalent is `go env -u K`.
        v.iter()
            .map(|(k, x)| {
                if x.is_empty() {
                    format!("go env -u {k}\n")
                } else {
                    format!("go env -w {k}={}\n", sh_single(x))
                }
            })
            .collect()
    }),
    (FileKind::DotEnv, ".env", |v| {
        v.iter()
            .map(|(k, x)| {
                if x.contains('\'') {
                    format!("{k}=\"{x}\"\n")
                } else {
                    format!("{k}='{x}'\n")
                }
            })
            .collect()
    }),
    (FileKind::Makefile, "Makefile", |v| {
        v.iter()
            .map(|(k, x)| format!("export {k} = {}\n", x.replace('$', "$$")))
            .collect()
    }),
    (FileKind::GitHubActions, ".github/workflows/ci.yml", |v| {
        let mut s = "on: push\njobs:\n  b:\n    runs-on: x\n    env:\n".to_string();
        for (k, x) in v {
            s.push_str(&format!("      {k}: {}\n", yaml_single(x)));
        }
        s + "    steps:\n      - run: go build\n"
    }),
    (FileKind::GitLabCi, ".gitlab-ci.yml", |v| {
        let mut s = "variables:\n".to_string();
        for (k, x) in v {
            s.push_str(&format!("  {k}: {}\n", yaml_single(x)));
        }
        s + "build:\n  script:\n    - go build\n"
    }),
    (FileKind::Compose, "compose.yaml", |v| {
        let mut s = "services:\n  app:\n    environment:\n".to_string();
        for (k, x) in v {
            s.push_str(&format!("      - {}\n", yaml_single(&format!("{k}={x}"))));
        }
        s
    }),
    (FileKind::Manifest, "deploy.yaml", |v| {
        let mut s = "spec:\n  containers:\n    - name: go\n      env:\n".to_string();
        for (k, x) in v {
            s.push_str(&format!(
                "        - name: {k}\n          value: {}\n",
                yaml_single(x)
            ));
        }
        s
    }),
    (FileKind::Jenkinsfile, "Jenkinsfile", |v| {
        let mut s = "pipeline {\n  environment {\n".to_string();
        for (k, x) in v {
            s.push_str(&format!("    {k} = '{}'\n", x.replace('\'', "\\'")));
        }
        s + "  }\n}\n"
    }),
    (FileKind::Bazelrc, ".bazelrc", |v| {
        v.iter()
            .map(|(k, x)| format!("build {}\n", sh_single(&format!("--action_env={k}={x}"))))
            .collect()
    }),
    (FileKind::PowerShell, "build.ps1", |v| {
        v.iter()
            .map(|(k, x)| format!("$env:{k} = '{}'\n", x.replace('\'', "''")))
            .collect()
    }),
    (FileKind::Batch, "build.bat", |v| {
        let mut s = "@echo off\nsetlocal\n".to_string();
        for (k, x) in v {
            s.push_str(&format!("set \"{k}={x}\"\n"));
        }
        s + "go build ./...\n"
    }),
    (FileKind::Nix, "shell.nix", |v| {
        let mut s = "{ pkgs ? import <nixpkgs> {} }:\npkgs.mkShell {\n".to_string();
        for (k, x) in v {
            s.push_str(&format!("  {k} = \"{x}\";\n"));
        }
        s + "  packages = [ pkgs.go ];\n}\n"
    }),
    (FileKind::Earthfile, "Earthfile", |v| {
        let mut s = "VERSION 0.8\n\nbuild:\n    FROM golang\n".to_string();
        for (k, x) in v {
            s.push_str(&format!("    ENV {k}={}\n", docker_double(x)));
        }
        s + "    RUN go build ./...\n"
    }),
    (FileKind::Mise, "mise.toml", |v| {
        let mut s = "[tools]\ngo = \"1.24\"\n\n[env]\n".to_string();
        for (k, x) in v {
            s.push_str(&format!("{k} = {}\n", toml_literal(x)));
        }
        s
    }),
    (FileKind::Netlify, "netlify.toml", |v| {
        let mut s = "[build]\ncommand = \"go build\"\n\n[build.environment]\n".to_string();
        for (k, x) in v {
            s.push_str(&format!("  {k} = {}\n", toml_literal(x)));
        }
        s
    }),
    (FileKind::Fly, "fly.toml", |v| {
        let mut s = "app = \"svc\"\n\n[env]\n".to_string();
        for (k, x) in v {
            s.push_str(&format!("  {k} = {}\n", toml_literal(x)));
        }
        s + "\n[http_service]\n  internal_port = 8080\n"
    }),
];

/// A TOML literal string (no escapes) of `v`.
fn toml_literal(v: &str) -> String {
    assert!(!v.contains('\''), "no literal string holds {v:?}");
    format!("'{v}'")
}

/// The kinds of file that can hold git configuration, with a git config file's text written
/// in each.
fn git_kinds(gitconfig: &str) -> Vec<(FileKind, &'static str, String)> {
    // `git config --global section.subsection.key value` for every entry of the file.
    let mut calls = Vec::new();
    let mut section = String::new();
    for line in gitconfig.lines() {
        let t = line.trim();
        if let Some(h) = t.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
            section = match h.split_once(' ') {
                Some((s, sub)) => format!("{s}.{}", sub.trim_matches('"')),
                None => h.to_string(),
            };
        } else if let Some((k, v)) = t.split_once('=') {
            calls.push(format!(
                "git config --global {}.{} {}",
                section,
                k.trim(),
                sh_single(v.trim())
            ));
        }
    }
    let script: String = calls.iter().map(|c| format!("{c}\n")).collect();
    let docker: String = std::iter::once("FROM golang\n".to_string())
        .chain(calls.iter().map(|c| format!("RUN {c}\n")))
        .collect();
    vec![
        (FileKind::GitConfigFile, ".gitconfig", gitconfig.to_string()),
        (FileKind::Shell, "setup.sh", script),
        (FileKind::Dockerfile, "Dockerfile", docker),
    ]
}

/// Rules the differential leaves out: local state (dropped by scan, see
/// `is_local_state_rule`), and `env/quoted-value`, which is about how a value is written in a
/// file (Make and dotenv quoting, go env file quirks), not about the value go ends up with.
fn compared(id: &str) -> bool {
    !gotrust::scan::evaluate::is_local_state_rule(id) && id != "env/quoted-value"
}

/// Audits the scenario's values as the process environment (no Go installed: go.env's
/// distribution values), keeping the findings about what the scenario sets, and checks that
/// scan reports exactly those rules for the scenario written as a file of each kind.
fn check_scenario(sc: &Scenario) {
    use gotrust::audit::{self, AuditInput};
    use gotrust::env::{EnvSources, resolve};
    use gotrust::scan::evaluate::{Baseline, evaluate_all};
    use gotrust::settings::Settings;
    use gotrust::settings::git::GitSettings;
    use std::collections::BTreeSet;

    let tmp = tempfile::tempdir().unwrap();
    let fixed = |extra: Vec<(String, String)>| {
        let mut process = extra;
        process.push(("GOENV".into(), "off".into()));
        process.push(("HOME".into(), "/nonexistent".into()));
        process.push(("GIT_CONFIG_NOSYSTEM".into(), "1".into()));
        process
    };
    // go's defaults: a value equal to one of them changes nothing, and scan says nothing.
    let defaults = resolve(&EnvSources::with_process(fixed(Vec::new())));
    let mut process = sc.vars.clone();
    if let Some(g) = &sc.gitconfig {
        let path = tmp.path().join("gitconfig");
        fs::write(&path, g).unwrap();
        process.push(("GIT_CONFIG_GLOBAL".into(), path.display().to_string()));
    }
    let src = EnvSources::with_process(fixed(process));
    let env = resolve(&src);
    let settings = Settings::from_env(&env, &src);
    let git = sc
        .gitconfig
        .as_ref()
        .map(|_| GitSettings::load(|k| src.process.get(k).cloned()));
    let input = AuditInput {
        env: &env,
        sources: &src,
        settings: &settings,
        git: git.as_ref(),
        policy: sc.policy.as_ref(),
        project: None,
        cross_check: None,
    };
    let set: BTreeSet<&str> = sc
        .vars
        .iter()
        .filter(|(k, v)| {
            !v.is_empty() && defaults.vars.get(k.as_str()).is_none_or(|d| d.value != *v)
        })
        .map(|(k, _)| k.as_str())
        .collect();
    let want: BTreeSet<&str> = audit::findings(&input)
        .into_iter()
        .filter(|f| compared(f.rule.id))
        .filter(|f| {
            (f.rule.id.starts_with("git/") && sc.gitconfig.is_some())
                || f.evidence.iter().any(|e| {
                    e.variable.as_deref().is_some_and(|v| {
                        set.contains(v)
                            || ((v == "GONOPROXY" || v == "GONOSUMDB")
                                && set.contains("GOPRIVATE")
                                && !set.contains(v))
                    })
                })
        })
        .map(|f| f.rule.id)
        .collect();
    let mut files: Vec<(FileKind, &str, String)> = Vec::new();
    if !sc.vars.is_empty() {
        for (kind, name, render) in ENV_KINDS {
            files.push((*kind, name, render(&sc.vars)));
        }
    }
    if let Some(g) = &sc.gitconfig {
        files.extend(git_kinds(g));
    }
    for (kind, name, text) in files {
        let found = scan_text(Path::new(name), kind, &text).unwrap();
        let got: BTreeSet<&str> = evaluate_all(&found, sc.policy.as_ref(), &Baseline::default())
            .findings
            .into_iter()
            .map(|f| f.rule.id)
            .filter(|id| compared(id))
            .collect();
        assert_eq!(got, want, "{}: {kind}\n{text}", sc.name);
    }
}

/// Every audit fixture (tests/fixtures/audit/<rule>/{fires,near-miss}): its process and go
/// env file values and its git configuration, with `$FIXTURE` paths made absolute.
fn audit_fixture_scenarios() -> Vec<Scenario> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/audit");
    let mut dirs = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if !p.is_dir() {
                continue;
            }
            if matches!(
                p.file_name().and_then(|n| n.to_str()),
                Some("fires" | "near-miss")
            ) {
                dirs.push(p);
            } else {
                stack.push(p);
            }
        }
    }
    dirs.sort();
    let read_vars = |p: &Path| -> Vec<(String, String)> {
        fs::read_to_string(p)
            .map(|t| {
                t.lines()
                    .filter_map(|l| l.split_once('='))
                    .map(|(k, v)| {
                        (
                            k.to_string(),
                            v.replace("$FIXTURE", "/nonexistent-gotrust-fixture"),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    dirs.into_iter()
        .map(|d| {
            // The go env file's values, then the process environment's, which win.
            let mut vars = read_vars(&d.join("user.env"));
            for (k, v) in read_vars(&d.join("process.env")) {
                vars.retain(|(x, _)| *x != k);
                vars.push((k, v));
            }
            Scenario {
                name: d.strip_prefix(&root).unwrap().display().to_string(),
                vars,
                gitconfig: fs::read_to_string(d.join("gitconfig")).ok(),
                policy: gotrust::policy::Policy::discover(&d).unwrap(),
            }
        })
        .collect()
}

/// One evaluation: every audit fixture, and scenarios of risky settings, written as a file
/// of each kind give the findings audit gives for the same values (the rules about the
/// values the file sets).
#[test]
fn every_kind_agrees_with_audit() {
    let scenarios: &[&[(&str, &str)]] = &[
        &[("GOSUMDB", "off")],
        &[("GONOSUMDB", "*")],
        &[("GOPRIVATE", "github.com")],
        &[("GOPROXY", "https://goproxy.cn,direct")],
        &[("GOPROXY", "https://proxy.golang.org|direct")],
        &[("GOPROXY", "direct"), ("GOSUMDB", "off")],
        &[("GOPROXY", "http://mirror.example.com")],
        &[("GOINSECURE", "*")],
        &[("GOPROXY", "https://goproxy.cn"), ("GOINSECURE", "*")],
        &[("GOFLAGS", "-insecure")],
        &[("GOSUMDB", "sum.golang.google.cn")],
        &[
            ("GOPRIVATE", "git.corp.example"),
            ("GOINSECURE", "git.corp.example"),
        ],
        &[("GOVCS", "public:all")],
        &[("GONOSUMCHECK", "1")],
    ];
    let mut all: Vec<Scenario> = scenarios
        .iter()
        .map(|v| Scenario {
            name: format!("{v:?}"),
            vars: v
                .iter()
                .map(|(k, x)| (k.to_string(), x.to_string()))
                .collect(),
            gitconfig: None,
            policy: None,
        })
        .collect();
    let fixtures = audit_fixture_scenarios();
    assert!(
        fixtures.len() >= 88,
        "only {} audit fixtures",
        fixtures.len()
    );
    all.extend(fixtures);
    for sc in &all {
        check_scenario(sc);
    }
}

/// A subdirectory scanned inside a repository: SARIF URIs are relative to the repository
/// root, with a base ID resolving them, line-independent fingerprints, the notes as
/// toolExecutionNotifications, and the log is valid SARIF 2.1.0.
#[test]
fn sarif_of_a_subdirectory_is_relative_to_the_repository_root() {
    use gotrust::report::{Location, Note, Report, sarif};
    use gotrust::scan::evaluate::{Baseline, evaluate_all};
    let repo = tempfile::tempdir().unwrap();
    fs::create_dir_all(repo.path().join(".git")).unwrap();
    let sub = repo.path().join("svc/api");
    fs::create_dir_all(&sub).unwrap();
    fs::write(
        sub.join("Dockerfile"),
        "FROM golang\nENV GOSUMDB=off\nENV GOPROXY=https://${U}:${P}@art.example/go\n",
    )
    .unwrap();
    let mut r = scan_dir(&sub, &ScanOptions::default()).unwrap();
    for s in &mut r.settings {
        s.file = Path::new("svc/api").join(&s.file);
    }
    let e = evaluate_all(&r.settings, None, &Baseline::default());
    assert_eq!(e.unresolved.len(), 1);
    let notes = vec![Note {
        kind: "unresolved-value",
        message: "GOPROXY depends on U, P".into(),
        location: Some(Location {
            path: e.unresolved[0].file.clone(),
            line: Some(3),
        }),
    }];
    let report = Report::new(e.findings)
        .with_notes(notes)
        .with_uri_base(repo.path().to_path_buf());
    let v = sarif::to_value(&report, "0.0.0");
    assert_eq!(testkit::sarif::schema_error(&v), None);
    let run = &v["runs"][0];
    let base = run["originalUriBaseIds"]["SRCROOT"]["uri"]
        .as_str()
        .unwrap();
    assert!(
        base.starts_with("file:///") && base.ends_with('/'),
        "{base}"
    );
    let res = run["results"].as_array().unwrap();
    assert!(!res.is_empty());
    for r in res {
        let art = &r["locations"][0]["physicalLocation"]["artifactLocation"];
        assert_eq!(art["uri"], "svc/api/Dockerfile");
        assert_eq!(art["uriBaseId"], "SRCROOT");
        assert!(r["partialFingerprints"]["gotrust/v1"].is_string());
    }
    let n = &run["invocations"][0]["toolExecutionNotifications"][0];
    assert_eq!(n["descriptor"]["id"], "unresolved-value");
    // Fingerprints do not depend on the line: the same file shifted down keeps them.
    let shifted = "FROM golang\n\n\nENV GOSUMDB=off\n";
    let found = scan_text(
        Path::new("svc/api/Dockerfile"),
        FileKind::Dockerfile,
        shifted,
    )
    .unwrap();
    let again = Report::new(evaluate_all(&found, None, &Baseline::default()).findings);
    let fp = |rep: &Report| {
        let v = sarif::to_value(rep, "0.0.0");
        v["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["ruleId"] == "sumdb/disabled")
            .map(|r| r["partialFingerprints"]["gotrust/v1"].clone())
    };
    assert_eq!(fp(&report), fp(&again));
    // An environment finding without a file has a logical location naming the variable.
    let env_only = Report::new(vec![
        gotrust::report::Finding::new(&gotrust::report::catalog::SUMDB_DISABLED, "m")
            .with_evidence(gotrust::report::Evidence::variable("GOSUMDB", "off")),
    ]);
    let v = sarif::to_value(&env_only, "0.0.0");
    assert_eq!(testkit::sarif::schema_error(&v), None);
    assert_eq!(
        v["runs"][0]["results"][0]["locations"][0]["logicalLocations"][0]["name"],
        "GOSUMDB"
    );
}

/// Minimal reproductions of the constructs met in real repositories, one directory per kind
/// of place (tests/fixtures/scan/places): every finding at its rule and line, and nothing else.
#[test]
fn places_seen_in_real_repositories() {
    use gotrust::scan::evaluate::{Baseline, evaluate_all};
    use std::collections::BTreeSet;
    let cases: &[(&str, &[(&str, u32)])] = &[
        ("bazelrc-action-env", &[("sumdb/invalid", 1)]),
        ("compose-build-args", &[("proxy/direct-fallback", 5)]),
        ("dockerfile-arg-default", &[("proxy/direct-fallback", 3)]),
        (
            "dockerfile-pipe-in-arg",
            &[
                ("proxy/direct-fallback", 3),
                ("proxy/fallback-on-any-error", 3),
            ],
        ),
        (
            "dockerfile-variable-userinfo",
            &[("proxy/credentials-in-url", 3)],
        ),
        (
            "dotenv-pipe",
            &[
                ("proxy/direct-fallback", 1),
                ("proxy/fallback-on-any-error", 1),
            ],
        ),
        (
            "gitconfig-url-scoped",
            &[("git/insteadof", 4), ("git/tls-verify-off", 2)],
        ),
        ("goreleaser-env", &[("proxy/direct-fallback", 2)]),
        (
            "helm-template-env",
            &[
                ("proxy/private-path-leak", 5),
                ("proxy/unverified-third-party", 5),
                ("sumdb/bypass-public", 5),
            ],
        ),
        (
            "jenkinsfile-environment",
            &[
                ("proxy/private-path-leak", 6),
                ("proxy/unverified-third-party", 3),
                ("sumdb/disabled", 3),
            ],
        ),
        ("jenkinsfile-pod-yaml", &[("insecure/match-all", 7)]),
        (
            "justfile-export",
            &[("proxy/unverified-third-party", 1), ("sumdb/disabled", 1)],
        ),
        ("k8s-env", &[("sumdb/legacy-insecure-flag", 9)]),
        (
            "makefile-quoted",
            &[
                ("env/quoted-value", 1),
                ("proxy/private-path-leak", 1),
                ("proxy/unverified-third-party", 1),
            ],
        ),
        (
            "powershell-env",
            &[("proxy/unverified-third-party", 1), ("sumdb/disabled", 1)],
        ),
        ("shell-alias", &[("proxy/direct-fallback", 1)]),
        ("shell-bazel-flags", &[("proxy/direct-fallback", 3)]),
        (
            "shell-command-substitution",
            &[("proxy/off", 2), ("sumdb/disabled", 2)],
        ),
        (
            "shell-default-expansion",
            &[
                ("proxy/direct-fallback", 2),
                ("proxy/unverified-third-party", 2),
                ("sumdb/disabled", 3),
            ],
        ),
        (
            "shell-git-ssl-no-verify",
            &[("git/tls-verify-off", 2), ("git/tls-verify-off", 3)],
        ),
        (
            "shell-go-get-insecure",
            &[("cache/modcacherw", 3), ("sumdb/legacy-insecure-flag", 2)],
        ),
        ("shell-heredoc-gitconfig", &[("git/tls-verify-off", 6)]),
    ];
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scan/places");
    let mut dirs: Vec<String> = fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    dirs.sort();
    let listed: Vec<String> = cases.iter().map(|(d, _)| d.to_string()).collect();
    assert_eq!(dirs, listed, "every fixture directory has expectations");
    for (dir, want) in cases {
        let r = scan_dir(&root.join(dir), &ScanOptions::default()).unwrap();
        assert!(r.errors.is_empty() && r.skipped.is_empty(), "{dir}");
        let e = evaluate_all(&r.settings, None, &Baseline::default());
        let got: BTreeSet<(&str, u32)> = e
            .findings
            .iter()
            .map(|f| (f.rule.id, f.location().and_then(|l| l.line).unwrap()))
            .collect();
        let want: BTreeSet<(&str, u32)> = want.iter().copied().collect();
        assert_eq!(got, want, "{dir}");
        for f in &e.findings {
            assert!(!f.fix.contains("process environment"), "{dir}: {}", f.fix);
        }
        let unresolved: Vec<usize> = e.unresolved.iter().map(|u| u.line).collect();
        match *dir {
            "dockerfile-variable-userinfo" => assert_eq!(unresolved, vec![3], "{dir}"),
            "shell-default-expansion" => assert_eq!(unresolved, vec![4], "{dir}"),
            _ => assert!(unresolved.is_empty(), "{dir}: {unresolved:?}"),
        }
    }
}

/// The rules (and lines) one file's evaluation reports, sorted.
fn judged(kind: FileKind, name: &str, text: &str) -> Vec<(&'static str, u32)> {
    use gotrust::scan::evaluate::{Baseline, evaluate_all};
    let found = scan_text(Path::new(name), kind, text).unwrap();
    let mut v: Vec<(&'static str, u32)> = evaluate_all(&found, None, &Baseline::default())
        .findings
        .iter()
        .map(|f| (f.rule.id, f.location().and_then(|l| l.line).unwrap_or(0)))
        .collect();
    v.sort();
    v.dedup();
    v
}

/// A stage built `FROM` an earlier stage inherits its ENV and ARG values (by name, names
/// case-insensitive, never by index); a global ARG reaches a stage only when the stage
/// declares it; an ENV overrides a build argument of the same name.
#[test]
fn dockerfile_stages_inherit_from_the_stage_they_are_built_from() {
    let df = |text: &str| judged(FileKind::Dockerfile, "Dockerfile", text);
    let has = |v: &[(&str, u32)], id: &str, line: u32| v.contains(&(id, line));
    let any = |v: &[(&str, u32)], id: &str| v.iter().any(|(r, _)| *r == id);

    // GOPRIVATE alone is harmless and GOINSECURE alone does nothing (proxies ignore it);
    // together the private paths are fetched without TLS and without the checksum database.
    let inherited = df("FROM golang:1.26 AS base\n\
         ENV GOPRIVATE=git.corp.example\n\
         FROM base AS build\n\
         ENV GOINSECURE=git.corp.example\n\
         RUN go build ./...\n");
    assert!(has(&inherited, "insecure/unverified", 4), "{inherited:?}");
    assert!(!any(&inherited, "insecure/no-effect"), "{inherited:?}");

    // The stage's own name is declared in capitals; buildkit lower-cases it.
    let mixed_case = df("FROM golang:1.26 AS Base\n\
         ENV GOPRIVATE=git.corp.example\n\
         FROM base AS build\n\
         ENV GOINSECURE=git.corp.example\n");
    assert!(has(&mixed_case, "insecure/unverified", 4), "{mixed_case:?}");

    // Three levels: the grandchild sees the grandparent's ENV.
    let chain = df("FROM golang:1.26 AS a\n\
         ENV GOPRIVATE=git.corp.example\n\
         FROM a AS b\n\
         RUN go mod download\n\
         FROM b AS c\n\
         ENV GOINSECURE=git.corp.example\n");
    assert!(has(&chain, "insecure/unverified", 6), "{chain:?}");

    // `FROM 0` is an image called 0, not stage 0; a sibling stage built from the same image
    // as the first one inherits nothing either.
    for unrelated in [
        "FROM golang:1.26\nENV GOPRIVATE=git.corp.example\nFROM 0 AS build\nENV GOINSECURE=git.corp.example\n",
        "FROM golang:1.26 AS base\nENV GOPRIVATE=git.corp.example\nFROM golang:1.26 AS build\nENV GOINSECURE=git.corp.example\n",
    ] {
        // GOINSECURE alone: TLS dropped, the database still checks (no GOPRIVATE inherited).
        let v = df(unrelated);
        assert!(!any(&v, "insecure/unverified"), "{unrelated}\n{v:?}");
        assert!(
            has(&v, "insecure/database-checked", 4),
            "{unrelated}\n{v:?}"
        );
    }

    // A stage-local ARG is inherited as well (buildkit's `dispatchState.init`).
    let arg = df("FROM golang:1.26 AS base\n\
         ARG GOPRIVATE=git.corp.example\n\
         FROM base\n\
         ENV GOINSECURE=git.corp.example\n");
    assert!(has(&arg, "insecure/unverified", 4), "{arg:?}");

    // An override in the child stage wins over the parent's value for the child only.
    let overridden = df("FROM golang:1.26 AS base\n\
         ENV GOSUMDB=off\n\
         FROM base AS build\n\
         ENV GOSUMDB=sum.golang.org\n");
    assert!(has(&overridden, "sumdb/disabled", 2), "{overridden:?}");
    assert!(overridden.iter().all(|(_, l)| *l == 2), "{overridden:?}");

    // A global ARG is seen by FROM lines only, unless a stage declares it without a value;
    // the finding points at the line that holds the value.
    let global = df("ARG GOPROXY=direct\nFROM golang:1.26\nRUN go build\n");
    assert!(global.is_empty(), "{global:?}");
    let declared = df("ARG GOPROXY=direct\nFROM golang:1.26\nARG GOPROXY\nRUN go build\n");
    assert!(has(&declared, "proxy/direct-only", 1), "{declared:?}");

    // ENV beats ARG of the same name whichever comes first.
    for text in [
        "FROM golang:1.26\nENV GOSUMDB=sum.golang.org\nARG GOSUMDB=off\n",
        "FROM golang:1.26\nARG GOSUMDB=off\nENV GOSUMDB=sum.golang.org\n",
    ] {
        assert!(!any(&df(text), "sumdb/disabled"), "{text}");
    }

    // The place names the chain of stages.
    let found = scan_text(
        Path::new("Dockerfile"),
        FileKind::Dockerfile,
        "FROM golang AS base\nFROM base AS build\nENV GOFLAGS=-mod=mod\n",
    )
    .unwrap();
    assert_eq!(found[0].place(), "ENV in stage base > build");
}

/// A stray quote in a `.env` value is reported with what go gets; balanced quotes are not.
#[test]
fn dotenv_stray_quotes_are_reported_with_the_value_go_gets() {
    use gotrust::scan::evaluate::{Baseline, evaluate_all};
    let text = "GOPROXY=\"https://goproxy.cn\n\
                GOFLAGS='-mod=mod\"\n\
                GONOSUMDB=corp.example\"\n\
                GOSUMDB=\"sum.golang.org\"\n\
                GOPRIVATE='git.corp.example'\n";
    let found = scan_text(Path::new(".env"), FileKind::DotEnv, text).unwrap();
    let e = evaluate_all(&found, None, &Baseline::default());
    let quoted: Vec<(u32, &str)> = e
        .findings
        .iter()
        .filter(|f| f.rule.id == "env/quoted-value")
        .map(|f| (f.location().unwrap().line.unwrap(), f.message.as_str()))
        .collect();
    assert_eq!(
        quoted.iter().map(|(l, _)| *l).collect::<Vec<_>>(),
        vec![1, 2, 3],
        "{quoted:#?}"
    );
    assert!(
        quoted[0]
            .1
            .contains("GOPROXY=\"https://goproxy.cn with the quote character"),
        "{}",
        quoted[0].1
    );
    assert!(quoted[0].1.contains("unterminated quoted value"));
    assert!(quoted[1].1.contains("opens a ' quote"), "{}", quoted[1].1);
    assert!(
        quoted[2].1.contains("ends with a \" quote"),
        "{}",
        quoted[2].1
    );
    let fix = &e
        .findings
        .iter()
        .find(|f| f.rule.id == "env/quoted-value")
        .unwrap()
        .fix;
    assert!(
        fix.contains("line 1 of .env") && fix.contains("GOPROXY=https://goproxy.cn."),
        "{fix}"
    );
    // What go gets is also judged: a quote before the scheme makes the proxy URL invalid.
    assert!(
        e.findings
            .iter()
            .any(|f| f.rule.id == "proxy/invalid-entry" && f.location().unwrap().line == Some(1)),
        "{:?}",
        e.findings.iter().map(|f| f.rule.id).collect::<Vec<_>>()
    );
}

/// `go env -w GOPROXY=` and a `GOPROXY=` line of a go env file set GOPROXY to the empty
/// string, which makes go fail every fetch; `ENV GOPROXY=` in a Dockerfile does not (an
/// empty environment variable is unset for go). The scan says so, and the real go agrees.
#[test]
fn empty_values_in_go_env_layers_are_settings_and_go_fails_on_them() {
    use gotrust::scan::evaluate::{Baseline, evaluate_all};
    use std::collections::BTreeSet;
    let judged = |name: &str, kind: FileKind, text: &str| -> BTreeSet<String> {
        let found = scan_text(Path::new(name), kind, text).unwrap();
        evaluate_all(&found, None, &Baseline::default())
            .findings
            .iter()
            .map(|f| f.rule.id.to_string())
            .collect()
    };
    let empty_proxy: BTreeSet<String> = ["proxy/empty".to_string()].into();
    assert_eq!(
        judged("go.env", FileKind::GoEnvFile, "GOPROXY=\n"),
        empty_proxy
    );
    assert_eq!(
        judged(
            "Dockerfile",
            FileKind::Dockerfile,
            "FROM golang\nRUN go env -w GOPROXY=\n"
        ),
        empty_proxy
    );
    assert_eq!(
        judged(
            "Dockerfile",
            FileKind::Dockerfile,
            "FROM golang\nENV GOPROXY=\n"
        ),
        BTreeSet::new()
    );
    assert!(judged("go.env", FileKind::GoEnvFile, "GOSUMDB=\n").contains("sumdb/missing"));

    // The real go: the same file as its user go env file fails the fetch before any request;
    // an empty GOPROXY in the environment falls back to go.env's default.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("goenv");
    fs::write(&file, "GOPROXY=\n").unwrap();
    let mut cmd = testkit::hermetic_go(dir.path());
    cmd.env_remove("GOPROXY");
    let out = cmd
        .env("GOENV", &file)
        .env("GOFLAGS", "-modcacherw")
        .args(["mod", "download", "example.invalid/m@v1.0.0"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("GOPROXY list is not the empty string, but contains no entries"),
        "{stderr}"
    );
    let mut cmd = testkit::hermetic_go(dir.path());
    let out = cmd
        .env("GOENV", "off")
        .env("GOPROXY", "")
        .args(["env", "GOPROXY"])
        .output()
        .unwrap();
    assert_ne!(String::from_utf8_lossy(&out.stdout).trim(), "");
}

/// (line, variable, value, how, context) of the Go-relevant settings of one text.
fn read(
    name: &str,
    kind: FileKind,
    text: &str,
) -> Vec<(usize, String, String, How, Option<String>)> {
    scan_text(Path::new(name), kind, text)
        .unwrap()
        .into_iter()
        .filter(|s| s.class != VarClass::Other)
        .map(|s| (s.line, s.variable, s.value, s.how, s.context))
        .collect()
}

fn set(
    line: usize,
    var: &str,
    value: &str,
    how: How,
    context: Option<&str>,
) -> (usize, String, String, How, Option<String>) {
    (
        line,
        var.into(),
        value.into(),
        how,
        context.map(str::to_string),
    )
}

#[test]
fn new_kinds_are_detected_by_name() {
    let kind = |p: &str| gotrust::scan::detect_kind(Path::new(p), &[]);
    assert_eq!(kind("build.bat"), Some(FileKind::Batch));
    assert_eq!(kind("scripts/Make.CMD"), Some(FileKind::Batch));
    assert_eq!(kind("flake.nix"), Some(FileKind::Nix));
    assert_eq!(kind("nix/home/default.nix"), Some(FileKind::Nix));
    assert_eq!(kind("Earthfile"), Some(FileKind::Earthfile));
    assert_eq!(kind("mise.toml"), Some(FileKind::Mise));
    assert_eq!(kind(".mise.toml"), Some(FileKind::Mise));
    assert_eq!(kind("mise.local.toml"), Some(FileKind::Mise));
    assert_eq!(kind(".config/mise/config.toml"), Some(FileKind::Mise));
    assert_eq!(kind("netlify.toml"), Some(FileKind::Netlify));
    assert_eq!(kind("fly.toml"), Some(FileKind::Fly));
    // Near-misses: other TOML files are not environment files.
    assert_eq!(kind("Cargo.toml"), None);
    assert_eq!(kind("config.toml"), None);
    assert_eq!(kind("earthfile.md"), None);
}

/// cmd keeps a `set` value to the end of its command, trailing space included (go then
/// sees `off `, which it rejects), splits commands inside `cmd /k "…"`, and treats `rem`,
/// `::` and `echo` lines as text; `|` unquoted ends the command.
#[test]
fn batch_set_setx_and_cmd_strings() {
    let text = "@echo off\n\
                rem set GOSUMDB=off\n\
                :: set GOPROXY=off\n\
                echo   setx GOPROXY \"https://goproxy.cn,direct\"\n\
                set GOPROXY=https://goproxy.cn,direct\n\
                SET \"GONOSUMDB=corp.example|x\"\n\
                set GOSUMDB=off && go mod tidy\n\
                setx GOPRIVATE \"corp.example\" /m\n\
                start \"c\" cmd /k \"cd /d \"\"%ROOT%\"\" && set GOINSECURE=* && go run .\"\n\
                set /p GOFLAGS=Flags? \n\
                set GOFLAGS=-mod=mod|more\n\
                if x==x (\n    SET GOVCS=public:all\n)\n";
    assert_eq!(
        read("build.bat", FileKind::Batch, text),
        vec![
            set(5, "GOPROXY", "https://goproxy.cn,direct", How::CmdSet, None),
            set(6, "GONOSUMDB", "corp.example|x", How::CmdSet, None),
            set(7, "GOSUMDB", "off ", How::CmdSet, None),
            set(8, "GOPRIVATE", "corp.example", How::Setx, None),
            set(9, "GOINSECURE", "* ", How::CmdSet, None),
            set(11, "GOFLAGS", "-mod=mod", How::CmdSet, None),
            set(13, "GOVCS", "public:all", How::CmdSet, None),
        ]
    );
    let found = scan_text(Path::new("build.bat"), FileKind::Batch, text).unwrap();
    let placed: Vec<String> = found.iter().map(|f| f.place()).collect();
    assert!(placed.contains(&"setx".to_string()), "{placed:?}");
    // A value that names another variable is not known statically.
    let r = scan_text(
        Path::new("b.cmd"),
        FileKind::Batch,
        "set GOPROXY=%MIRROR%,direct\n",
    )
    .unwrap();
    assert!(r[0].unresolved);
}

/// Go-named attributes of Nix sets, references to other attributes, numbers, the shell of
/// indented strings; comments, strings and other attributes are not settings.
#[test]
fn nix_attributes_and_shell_hooks() {
    let text = "{ pkgs ? import <nixpkgs> {} }:\n\
                pkgs.mkShell rec {\n\
                \x20 # GOSUMDB = \"off\";\n\
                \x20 description = \"GOPROXY = off\";\n\
                \x20 GOPROXY = \"https://goproxy.cn,direct\";\n\
                \x20 env.GOFLAGS = \"-insecure\";\n\
                \x20 GOPRIVATE = \"corp.example\";\n\
                \x20 GONOSUMDB = GOPRIVATE;\n\
                \x20 CGO_ENABLED = 0;\n\
                \x20 /* GOINSECURE = \"*\"; */\n\
                \x20 shellHook = ''\n\
                \x20   export GOSUMDB=off\n\
                \x20 '';\n\
                \x20 home.sessionVariables = {\n\
                \x20   GOVCS = \"public:all\";\n\
                \x20 };\n\
                }\n";
    assert_eq!(
        read("shell.nix", FileKind::Nix, text),
        vec![
            set(
                5,
                "GOPROXY",
                "https://goproxy.cn,direct",
                How::NixAttribute,
                None
            ),
            set(6, "GOFLAGS", "-insecure", How::NixAttribute, None),
            set(7, "GOPRIVATE", "corp.example", How::NixAttribute, None),
            set(8, "GONOSUMDB", "${GOPRIVATE}", How::NixAttribute, None),
            set(12, "GOSUMDB", "off", How::Export, Some("shellHook")),
            set(
                15,
                "GOVCS",
                "public:all",
                How::NixAttribute,
                Some("home.sessionVariables")
            ),
        ]
    );
    // GONOSUMDB = GOPRIVATE names the same value: no private path goes to the proxy.
    use gotrust::scan::evaluate::{Baseline, evaluate_all};
    let found = scan_text(Path::new("shell.nix"), FileKind::Nix, text).unwrap();
    let ids: Vec<&str> = evaluate_all(&found, None, &Baseline::default())
        .findings
        .iter()
        .map(|f| f.rule.id)
        .collect();
    assert!(ids.contains(&"sumdb/disabled"), "{ids:?}");
    assert!(ids.contains(&"sumdb/legacy-insecure-flag"), "{ids:?}");
    assert!(!ids.contains(&"proxy/private-path-leak"), "{ids:?}");
}

/// An Earthfile is read as a Dockerfile; a setting's context is its target.
#[test]
fn earthfile_targets() {
    let text = "VERSION 0.8\n\
                ARG --global GOPROXY=https://goproxy.cn,direct\n\
                \n\
                deps:\n\
                \x20   FROM golang:1.24\n\
                \x20   ENV GOSUMDB off\n\
                \x20   RUN GOFLAGS=-mod=mod go mod download\n\
                \n\
                build:\n\
                \x20   FROM +deps\n\
                \x20   # ENV GOINSECURE=*\n\
                \x20   ENV GONOSUMDB=corp.example\n";
    assert_eq!(
        read("Earthfile", FileKind::Earthfile, text),
        vec![
            set(2, "GOPROXY", "https://goproxy.cn,direct", How::Arg, None),
            set(6, "GOSUMDB", "off", How::Env, Some("target deps")),
            set(
                7,
                "GOFLAGS",
                "-mod=mod",
                How::CommandPrefix,
                Some("target deps")
            ),
            set(
                12,
                "GONOSUMDB",
                "corp.example",
                How::Env,
                Some("target build")
            ),
        ]
    );
}

/// mise `[env]` and task `env`, Netlify `[build.environment]` and context environments, Fly
/// `[env]` and `[build.args]`; other tables, comments and multi-line strings are not
/// settings, and malformed TOML is an error naming the file and line.
#[test]
fn toml_environment_tables() {
    let mise = "[tools]\n\
                go = \"1.24\"\n\
                GOPROXY = \"off\"\n\
                \n\
                [env]\n\
                # GOSUMDB = \"off\"\n\
                GOPROXY = \"https://goproxy.cn,direct\"\n\
                'GONOSUMDB' = 'corp.example'\n\
                GOCACHE = \"{{ env.HOME }}/.cache\"\n\
                GOFLAGS = \"\"\"\n-mod=mod\"\"\"\n\
                \n\
                [tasks.build]\n\
                env = { GOFLAGS = \"-mod=vendor\", GOWORK = 'off' }\n\
                run = \"go build\"\n";
    assert_eq!(
        read("mise.toml", FileKind::Mise, mise),
        vec![
            set(
                7,
                "GOPROXY",
                "https://goproxy.cn,direct",
                How::EnvTable,
                None
            ),
            set(8, "GONOSUMDB", "corp.example", How::EnvTable, None),
            set(9, "GOCACHE", "{{ env.HOME }}/.cache", How::EnvTable, None),
            set(
                14,
                "GOFLAGS",
                "-mod=vendor",
                How::EnvTable,
                Some("tasks.build")
            ),
            set(14, "GOWORK", "off", How::EnvTable, Some("tasks.build")),
        ]
    );
    let found = scan_text(Path::new("mise.toml"), FileKind::Mise, mise).unwrap();
    assert!(
        found
            .iter()
            .any(|f| f.variable == "GOCACHE" && f.unresolved)
    );
    let netlify = "[build]\n\
                   command = \"hugo\"\n\
                   \n\
                   [build.environment]\n\
                   \x20 GOPROXY = \"direct\"\n\
                   \n\
                   [context.production.environment]\n\
                   \x20 GOSUMDB = \"off\"\n\
                   \n\
                   [context.deploy-preview]\n\
                   \x20 GOINSECURE = \"*\"\n";
    assert_eq!(
        read("netlify.toml", FileKind::Netlify, netlify),
        vec![
            set(5, "GOPROXY", "direct", How::EnvTable, Some("build")),
            set(
                8,
                "GOSUMDB",
                "off",
                How::EnvTable,
                Some("context.production")
            ),
        ]
    );
    let fly = "app = \"svc\"\n\
               GOPROXY = \"off\"\n\
               [build.args]\n\
               \x20 GOPROXY = \"https://goproxy.cn,direct\"\n\
               [env]\n\
               \x20 GOSUMDB = \"off\"\n\
               [processes.env]\n\
               \x20 GONOSUMDB = \"x\"\n";
    assert_eq!(
        read("fly.toml", FileKind::Fly, fly),
        vec![
            set(
                4,
                "GOPROXY",
                "https://goproxy.cn,direct",
                How::BuildArg,
                Some("build")
            ),
            set(6, "GOSUMDB", "off", How::EnvTable, None),
        ]
    );
    let err = scan_text(
        Path::new("cfg/mise.toml"),
        FileKind::Mise,
        "[env]\nGOPROXY = \"off\n",
    )
    .unwrap_err();
    assert!(matches!(err, ScanError::Toml { line: 2, .. }), "{err:?}");
    assert!(err.to_string().starts_with("cfg/mise.toml:2:"), "{err}");
}

/// `set NAME=value` in a Dockerfile's RUN is the shell's `set` (positional parameters),
/// not an environment variable: real Dockerfiles write `RUN set GOSUMDB=off && …`.
#[test]
fn dockerfile_run_set_is_not_a_setting() {
    let text = "FROM golang\nRUN set GOSUMDB=off && set CGO_ENABLED=0 && go mod download\n";
    assert_eq!(read("Dockerfile", FileKind::Dockerfile, text), vec![]);
}

/// A GOPROXY that differs from the default only by the spaces go trims around each entry
/// changes nothing (cmd's `set GOPROXY=… && …` keeps a trailing space).
#[test]
fn goproxy_spaces_around_entries_are_the_default() {
    use gotrust::scan::evaluate::{Baseline, evaluate_all};
    let found = scan_text(
        Path::new("b.bat"),
        FileKind::Batch,
        "set GOPROXY=https://proxy.golang.org,direct && go build\nset GOPROXY=https://goproxy.cn,direct && go build\n",
    )
    .unwrap();
    let first = evaluate_all(&found[..1], None, &Baseline::default());
    assert!(first.findings.is_empty(), "{:?}", first.findings);
    let second = evaluate_all(&found[1..], None, &Baseline::default());
    assert!(
        second
            .findings
            .iter()
            .any(|f| f.rule.id == "proxy/direct-fallback"),
        "{:?}",
        second.findings
    );
}
