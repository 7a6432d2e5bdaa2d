//! Differential test: our resolution of the Go environment against the real `go env -json`.
//!
//! Each configuration starts from `testkit::hermetic_go(root)`'s environment, then sets or
//! removes process variables and writes user env files with Go's parser quirks. The real go
//! is run through [`gotrust::env::cross_check`] with exactly the same process environment, so
//! the test also exercises the cross-check itself. Zero disagreements are allowed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use gotrust::env::{EnvSources, GoMode, cross_check, resolve};

/// Variables compared; the task's list plus GOROOT and GO111MODULE.
const COMPARED: &[&str] = &[
    "GOPROXY",
    "GOSUMDB",
    "GOPRIVATE",
    "GONOPROXY",
    "GONOSUMDB",
    "GOINSECURE",
    "GOVCS",
    "GOFLAGS",
    "GOTOOLCHAIN",
    "GOAUTH",
    "GOPATH",
    "GOMODCACHE",
    "GOENV",
    "GOROOT",
    "GO111MODULE",
];

/// Where the user file of a configuration goes (several locations get distinct markers so a
/// wrong choice of file shows up as a GOVCS disagreement).
#[derive(Clone, Copy, Debug)]
enum FileAt {
    GoenvAbs,
    GoenvRel,
    Xdg,
    HomeConfig,
}

#[derive(Clone, Debug, Default)]
struct Config {
    name: String,
    /// `Some("")` sets the variable to the empty string; `None` removes it.
    vars: Vec<(&'static str, Option<String>)>,
    /// User file body (written at every candidate location, each with its own GOVCS marker).
    file: Option<String>,
    /// A fake GOROOT with this go.env, referenced by `GOROOT=` in the user file.
    fake_goroot_env: Option<String>,
}

fn real_goroot() -> PathBuf {
    let out = Command::new(testkit::go_binary())
        .args(["env", "GOROOT"])
        .output()
        .expect("run go env GOROOT");
    PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
}

/// The value for GOENV/XDG/HOME settings that depend on the temp root.
fn path_in(root: &Path, rel: &str) -> String {
    root.join(rel).to_string_lossy().into_owned()
}

fn configs() -> Vec<Config> {
    let mut v = Vec::new();
    let mut add = |name: &str,
                   vars: Vec<(&'static str, Option<&str>)>,
                   file: Option<&str>,
                   fake: Option<&str>| {
        v.push(Config {
            name: name.to_string(),
            vars: vars
                .into_iter()
                .map(|(k, x)| (k, x.map(str::to_string)))
                .collect(),
            file: file.map(str::to_string),
            fake_goroot_env: fake.map(str::to_string),
        })
    };
    // The placeholder @ROOT@ is replaced by the configuration's temp root.
    let unset_all: Vec<(&'static str, Option<&str>)> = vec![
        ("GOPROXY", None),
        ("GOSUMDB", None),
        ("GOFLAGS", None),
        ("GOTOOLCHAIN", None),
        ("GOPATH", None),
        ("GOMODCACHE", None),
    ];
    let with = |extra: Vec<(&'static str, Option<&'static str>)>| {
        let mut x = unset_all.clone();
        for (k, val) in extra {
            x.retain(|(kk, _)| *kk != k);
            x.push((k, val));
        }
        x
    };
    add("hermetic as is", vec![], None, None);
    add("all defaults from go.env", with(vec![]), None, None);
    add(
        "empty process values do not clear",
        with(vec![
            ("GOPROXY", Some("")),
            ("GOSUMDB", Some("")),
            ("GOFLAGS", Some("")),
            ("GOPRIVATE", Some("")),
        ]),
        Some("GOPROXY=https://file.example\nGOSUMDB=sum.example.com\nGOFLAGS=-modcacherw\n"),
        None,
    );
    add(
        "user file shadows go.env with empty",
        with(vec![]),
        Some("GOPROXY=\nGOSUMDB=\nGOTOOLCHAIN=\n"),
        None,
    );
    add(
        "process beats file",
        with(vec![("GOPROXY", Some("direct")), ("GOVCS", Some("*:off"))]),
        Some("GOPROXY=https://file.example\n"),
        None,
    );
    add(
        "quirks: quotes, CR, spaces, comments, lowercase, no equals",
        with(vec![]),
        Some(
            "# comment\nGOPROXY=\"https://q.example\"\r\n goprivate=x\ngonosumdb=y\nNOEQ\nGOFLAGS=-mod=mod \n\nGOINSECURE='a.example'\n",
        ),
        None,
    );
    add(
        "duplicate keys: last wins",
        with(vec![]),
        Some("GOPRIVATE=first.example\nGOPRIVATE=second.example\nGOPROXY=a\nGOPROXY=b\n"),
        None,
    );
    add(
        "no trailing newline",
        with(vec![]),
        Some("GOSUMDB=off"),
        None,
    );
    add(
        "GOPRIVATE inheritance",
        with(vec![("GOPRIVATE", Some("*.corp.example,rsc.io/private"))]),
        None,
        None,
    );
    add(
        "GONOPROXY empty in file still inherits",
        with(vec![("GOPRIVATE", Some("corp.example"))]),
        Some("GONOPROXY=\nGONOSUMDB=none\n"),
        None,
    );
    add(
        "GONOPROXY explicit beats GOPRIVATE",
        with(vec![
            ("GOPRIVATE", Some("corp.example")),
            ("GONOPROXY", Some("other.example")),
        ]),
        None,
        None,
    );
    add(
        "GOPRIVATE from file, GONOSUMDB from process",
        with(vec![("GONOSUMDB", Some("x.example"))]),
        Some("GOPRIVATE=file.example/*\n"),
        None,
    );
    add(
        "GOENV=off ignores user file",
        with(vec![("GOENV", Some("off"))]),
        Some("GOPROXY=https://never.example\n"),
        None,
    );
    add(
        "GOENV empty falls back to XDG",
        with(vec![("GOENV", Some(""))]),
        Some("GOPRIVATE=xdg-or-home\n"),
        None,
    );
    add(
        "GOENV unset, XDG set",
        with(vec![("GOENV", None)]),
        Some("GOPRIVATE=via-xdg\n"),
        None,
    );
    add(
        "GOENV unset, XDG unset: HOME/.config",
        with(vec![("GOENV", None), ("XDG_CONFIG_HOME", None)]),
        Some("GOPRIVATE=via-home\n"),
        None,
    );
    add(
        "GOENV unset, XDG empty: HOME/.config",
        with(vec![("GOENV", None), ("XDG_CONFIG_HOME", Some(""))]),
        Some("GOPRIVATE=via-home\n"),
        None,
    );
    add(
        "GOENV unset, XDG relative: no file",
        with(vec![("GOENV", None), ("XDG_CONFIG_HOME", Some("rel"))]),
        Some("GOPRIVATE=never\n"),
        None,
    );
    add(
        "GOENV unset, XDG with trailing slash and dot",
        with(vec![
            ("GOENV", None),
            ("XDG_CONFIG_HOME", Some("@ROOT@/xdg/./")),
        ]),
        Some("GOPRIVATE=cleaned\n"),
        None,
    );
    add(
        "GOENV unset, no XDG, no HOME",
        with(vec![
            ("GOENV", None),
            ("XDG_CONFIG_HOME", None),
            ("HOME", None),
        ]),
        Some("GOPRIVATE=never\n"),
        None,
    );
    add(
        "HOME empty: no GOPATH default",
        with(vec![("HOME", Some(""))]),
        None,
        None,
    );
    add(
        "GOENV relative path",
        with(vec![("GOENV", Some("relenv"))]),
        Some("GOPRIVATE=relative-goenv\n"),
        None,
    );
    add(
        "GOENV points at a missing file",
        with(vec![("GOENV", Some("@ROOT@/missing/env"))]),
        None,
        None,
    );
    add(
        "GOENV points at a directory",
        with(vec![("GOENV", Some("@ROOT@"))]),
        None,
        None,
    );
    add(
        "GOPATH list",
        with(vec![("GOPATH", Some("@ROOT@/a:@ROOT@/b"))]),
        None,
        None,
    );
    add(
        "GOPATH list with empty first entry",
        with(vec![("GOPATH", Some(":@ROOT@/b"))]),
        None,
        None,
    );
    add(
        "GOPATH from file, GOMODCACHE derived",
        with(vec![]),
        Some("GOPATH=@ROOT@/filegopath/\n"),
        None,
    );
    add(
        "GOMODCACHE from file",
        with(vec![]),
        Some("GOMODCACHE=@ROOT@/mc\nGOPATH=\n"),
        None,
    );
    add(
        "GOFLAGS with quotes and unknown flags",
        with(vec![("GOFLAGS", Some("-mod=mod '-tags=a b' -bogus"))]),
        None,
        None,
    );
    add(
        "GOTOOLCHAIN values",
        with(vec![("GOTOOLCHAIN", Some("local+path"))]),
        Some("GOTOOLCHAIN=auto\n"),
        None,
    );
    add(
        "GOTOOLCHAIN from file",
        with(vec![]),
        Some("GOTOOLCHAIN=path\n"),
        None,
    );
    add(
        "GOAUTH empty in file falls back to netrc",
        with(vec![]),
        Some("GOAUTH=\n"),
        None,
    );
    add(
        "GOAUTH set",
        with(vec![("GOAUTH", Some("off"))]),
        None,
        None,
    );
    add(
        "GOAUTH from file with spaces",
        with(vec![]),
        Some("GOAUTH=git /tmp ; netrc\n"),
        None,
    );
    add(
        "GO111MODULE from file",
        with(vec![]),
        Some("GO111MODULE=auto\n"),
        None,
    );
    add(
        "GOENV line in file has no effect",
        with(vec![]),
        Some("GOENV=off\nGOPRIVATE=still-read\n"),
        None,
    );
    add(
        "unknown variables in file",
        with(vec![]),
        Some("GONOSUMCHECK=1\nGOPRIVTE=typo\nHTTP_PROXY=http://p\n"),
        None,
    );
    add(
        "user file GOROOT selects go.env",
        with(vec![]),
        Some("GOROOT=@ROOT@/fakegoroot\n"),
        Some(
            "GOPROXY=https://fake.example\nGOSUMDB=fake\nGOSUMDB=second\nGOTOOLCHAIN=local\nGOROOT=/ignored\n",
        ),
    );
    add(
        "user file GOROOT, process GOROOT differs",
        with(vec![("GOROOT", Some("@ROOT@/fakegoroot"))]),
        Some("GOROOT=@ROOT@/fakegoroot/./\nGOPRIVATE=p\n"),
        Some("GOPROXY=https://fake2.example\nGOTOOLCHAIN=local\n"),
    );
    add(
        "process GOROOT selects go.env",
        with(vec![("GOROOT", Some("@ROOT@/fakegoroot/"))]),
        None,
        Some("GOPROXY=https://fake3.example\nGOAUTH=off\nGOTOOLCHAIN=local\n"),
    );
    add(
        "file keys shadow go.env even if empty; go.env first wins",
        with(vec![]),
        Some("GOROOT=@ROOT@/fakegoroot\nGOTOOLCHAIN=\n"),
        Some("GOPROXY=first\nGOPROXY=second\nGOTOOLCHAIN=local\n"),
    );
    add(
        "HTML-escaped characters in JSON",
        with(vec![("GOPRIVATE", Some("a&b<c>d"))]),
        Some("GOINSECURE=x&y\n"),
        None,
    );
    add(
        "invalid UTF-8 in file",
        with(vec![]),
        Some("GOPRIVATE=caf\u{e9}\n"),
        None,
    );
    // Generated combinations on top of the hand-written ones.
    let values = [
        None,
        Some(""),
        Some("direct"),
        Some("https://u:p@x.example|off"),
        Some("sum.golang.org"),
        Some(" "),
    ];
    let file_lines = [
        "GOPROXY=https://f.example\n",
        "GOSUMDB=\n",
        "GOPRIVATE=g.example\n",
        "GONOSUMDB=\n",
        "GOFLAGS=-modcacherw\n",
        "# GOPROXY=commented\n",
        "GOVCS=public:git\n",
        "GOINSECURE=i.example\r\n",
    ];
    let keys = [
        "GOPROXY",
        "GOSUMDB",
        "GOPRIVATE",
        "GONOPROXY",
        "GOINSECURE",
        "GOFLAGS",
    ];
    let mut seed: u64 = 0x9e3779b97f4a7c15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for i in 0..16 {
        let mut vars = Vec::new();
        for k in keys {
            let r = next() as usize;
            if !r.is_multiple_of(3) {
                vars.push((k, values[r / 3 % values.len()]));
            }
        }
        let mut body = String::new();
        for l in file_lines {
            if next().is_multiple_of(2) {
                body.push_str(l);
            }
        }
        let goenv = match next() % 3 {
            0 => None,
            1 => Some("off"),
            _ => Some(""),
        };
        vars.push(("GOENV", goenv));
        add(
            &format!("generated #{i}"),
            with(vars),
            Some(body.as_str()),
            None,
        );
    }
    v
}

fn subst(s: &str, root: &Path) -> String {
    s.replace("@ROOT@", &root.to_string_lossy())
}

fn write_user_files(root: &Path, body: &str) {
    let raw = subst(body, root);
    for (at, rel) in [
        (FileAt::GoenvAbs, "goenv"),
        (FileAt::GoenvRel, "relenv"),
        (FileAt::Xdg, "xdg/go/env"),
        (FileAt::HomeConfig, "home/.config/go/env"),
    ] {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        let mut data = format!("GOVCS=marker-{at:?}\n").into_bytes();
        // "invalid UTF-8" configuration: turn the é into a lone Latin-1 byte.
        data.extend(
            raw.replace('\u{e9}', "\u{1}")
                .bytes()
                .map(|b| if b == 1 { 0xe9 } else { b }),
        );
        std::fs::write(&p, data).unwrap();
    }
}

/// Runs one configuration; returns disagreement descriptions.
fn run(cfg: &Config, goroot: &Path, go: &Path) -> Vec<String> {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let cmd = testkit::hermetic_go(root);
    let mut process: BTreeMap<String, String> = cmd
        .get_envs()
        .filter_map(|(k, v)| {
            Some((
                k.to_string_lossy().into_owned(),
                v?.to_string_lossy().into_owned(),
            ))
        })
        .collect();
    // The hermetic XDG_CONFIG_HOME sits under HOME; use a separate one so the two files differ.
    process.insert("XDG_CONFIG_HOME".into(), path_in(root, "xdg"));
    for (k, v) in &cfg.vars {
        match v {
            Some(v) => process.insert(k.to_string(), subst(v, root)),
            None => process.remove(*k),
        };
    }
    if let Some(body) = &cfg.file {
        write_user_files(root, body);
    }
    if let Some(goenv) = &cfg.fake_goroot_env {
        let fake = root.join("fakegoroot");
        std::fs::create_dir_all(fake.join("pkg/tool")).unwrap();
        std::fs::write(fake.join("go.env"), goenv).unwrap();
    }
    let src = EnvSources {
        process,
        goos: "linux".into(),
        exe_goroot: Some(goroot.to_path_buf()),
        go_binary: Some(go.to_path_buf()),
        cwd: Some(root.to_path_buf()),
    };
    let env = resolve(&src);
    let check = cross_check(&env, &src, &GoMode::Path(go.to_path_buf()))
        .unwrap_or_else(|e| panic!("{}: {e}", cfg.name))
        .expect("explicit go path always runs");
    let mut bad = Vec::new();
    for name in COMPARED {
        let row = check.vars.iter().find(|r| r.name == *name);
        let ours = env.value(name);
        let theirs = check.go_env.get(*name).map(String::as_str);
        if theirs != Some(ours) {
            bad.push(format!(
                "[{}] {name}: ours {ours:?} ({}), go {theirs:?}",
                cfg.name,
                env.get(name)
                    .map(|s| s.origin.to_string())
                    .unwrap_or_default()
            ));
        }
        assert!(
            row.is_some_and(|r| r.disagrees() == (theirs != Some(ours)))
                || !GO_COMPARED_BY_CHECK.contains(name)
        );
    }
    bad
}

/// The variables `cross_check` itself compares (all of [`COMPARED`]).
const GO_COMPARED_BY_CHECK: &[&str] = gotrust::env::GO_VARS;

#[test]
fn resolution_matches_go_env_json() {
    let go = {
        let p = testkit::go_binary();
        if p.is_absolute() {
            p
        } else {
            gotrust::env::resolve::find_in_path(
                &p.to_string_lossy(),
                &std::env::var("PATH").unwrap(),
                "linux",
            )
            .expect("go on PATH")
        }
    };
    let goroot = real_goroot();
    let cfgs = configs();
    assert!(cfgs.len() >= 30, "{} configurations", cfgs.len());
    let chunks: Vec<&[Config]> = cfgs.chunks(cfgs.len().div_ceil(4)).collect();
    let bad: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = chunks
            .iter()
            .map(|chunk| {
                s.spawn(|| {
                    chunk
                        .iter()
                        .flat_map(|c| run(c, &goroot, &go))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert!(
        bad.is_empty(),
        "{} disagreements over {} configurations:\n{}",
        bad.len(),
        cfgs.len(),
        bad.join("\n")
    );
}
