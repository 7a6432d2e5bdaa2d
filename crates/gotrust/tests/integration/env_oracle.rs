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
        "user file GOROOT picks go.env although process GOROOT is the real one",
        with(vec![("GOROOT", Some("@REALGOROOT@"))]),
        Some("GOROOT=@ROOT@/fakegoroot\n"),
        Some("GOPROXY=https://fake4.example\nGOSUMDB=fake4\nGOTOOLCHAIN=local\n"),
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
        .replace("@REALGOROOT@", &real_goroot().to_string_lossy())
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
    let mut process = hermetic_env(root);
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
    // `go env -changed -json` against Setting::changed, on the compared variables.
    let out = Command::new(go)
        .env_clear()
        .envs(&src.process)
        .current_dir(root)
        .args(["env", "-changed", "-json"])
        .output()
        .expect("go env -changed");
    let changed: BTreeMap<String, String> = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("[{}] go env -changed -json: {e}", cfg.name));
    for name in CHANGED_COMPARED {
        let go_changed = changed.contains_key(*name);
        let ours = env.get(name).is_some_and(|s| s.changed);
        if go_changed != ours {
            bad.push(format!(
                "[{}] {name} changed: ours {ours} (value {:?}, default {:?}), go {go_changed}",
                cfg.name,
                env.value(name),
                env.get(name).map(|s| s.default.as_str()).unwrap_or("")
            ));
        }
    }
    bad
}

/// Variables whose `changed` flag is compared with `go env -changed`.
const CHANGED_COMPARED: &[&str] = &[
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
    "GO111MODULE",
];

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

// ---------------------------------------------------------------------------------------------
// Parsed settings against the real go command and Go's standard library (through the oracle).

use gotrust::settings::goauth::GoAuth;
use gotrust::settings::goflags::GoFlags;
use gotrust::settings::httpproxy::{HttpProxyConfig, HttpProxyVars, ProxyChoice};
use gotrust::settings::proxy::ProxyList;
use gotrust::settings::sumdb::SumDb;
use gotrust::settings::url::GoUrl;
use testkit::go::hermetic_env;

fn go_with(env: &BTreeMap<String, String>, cwd: &Path, args: &[&str]) -> (String, String) {
    let out = Command::new(testkit::go_binary())
        .env_clear()
        .envs(env)
        .current_dir(cwd)
        .args(args)
        .output()
        .expect("run go");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs `f` over `items` in 4 threads, collecting failure messages.
fn parallel<T: Sync>(items: &[T], f: impl Fn(&T) -> Option<String> + Sync) -> Vec<String> {
    let chunk = items.len().div_ceil(4).max(1);
    std::thread::scope(|s| {
        let hs: Vec<_> = items
            .chunks(chunk)
            .map(|c| s.spawn(|| c.iter().filter_map(&f).collect::<Vec<_>>()))
            .collect();
        hs.into_iter().flat_map(|h| h.join().unwrap()).collect()
    })
}

#[test]
fn url_parse_matches_net_url() {
    let inputs = [
        "https://proxy.golang.org",
        "https://a b",
        "https://u:p@h:80/x?y#z",
        "https://tok@h/",
        "http://[::1]:8080/p",
        "https://[::1",
        "https://h:x/",
        "https://h:/",
        "proxy%zz",
        "https://h/%zz",
        "https://h/%2F%41",
        "https://h/a b",
        "https://h/a?b?c",
        "https://h/a?",
        "https://h/#f g",
        "https://h/#%zz",
        "file:///srv/goproxy",
        "file:/srv",
        "file://localhost/srv",
        "file:srv",
        "/srv/goproxy",
        "//host/path",
        "///x",
        "localhost:3000",
        "a:b/c",
        "./a:b",
        "https://ex%41mple.com",
        "https://h%00/",
        "https://h\u{7f}",
        "https://u@p@h/",
        "https://u p@h/",
        "HTTPS://H.example/P",
        "https://caf\u{e9}.example/",
        "https://h/\u{e9}",
        "*",
        "",
        ":",
        "://x",
        "1http://x",
        "https://%",
        "https://h:8080:90/",
        "https://[::1]x/",
        "https://h/a%20b",
        "mailto:a@b",
        "https://a%40b:c%3Ad@h/",
        "https://a%zz@h/",
        "https://a:b%zz@h/",
        "https://a:@h/",
        "https://:p@h/",
        "https://a~!$&'()*+,;=b@h/",
        "https://a[b@h/",
        "https://[zz]/",
        "https://[fe80::1%25en0]/",
        "https://[fe80::1%en0]/",
        "https://a[b]/",
        "https://[::1]:/",
        "https://h:0080/",
        "https://[1.2.3.4]/",
        "https://H%41/",
        "https://%30/",
        "https://h/a;b,c/%7E",
        "https://h/?q=%zz#%41",
        "git+ssh://git@github.com/x",
        "https://example.com/%z\u{e9}",
        "https://[v1.x]/",
        "https://[fe80::1%25en%200]/",
        "https://[fe80::1%25en%0a]/",
        "https://[::ffff:1.2.3.4]:443/",
        "https://[1:2:3:4:5:6:7:8:9]/",
        "postgres://h1:1,h2:2/db",
        "https://h1:1,h2:2/db",
        "https://a{b}/",
        "https://\u{fc}@example.com/",
    ];
    let input: String = inputs.iter().map(|s| format!("{s}\n")).collect();
    let out = String::from_utf8(testkit::run_oracle("urlparse", input.as_bytes())).unwrap();
    let mut bad = Vec::new();
    for (line, want) in inputs.iter().zip(out.lines()) {
        let want: serde_json::Value = serde_json::from_str(want).unwrap();
        let got = match GoUrl::parse(line) {
            Err(e) => serde_json::json!({ "err": e.to_string() }),
            Ok(u) => serde_json::json!({
                "scheme": u.scheme,
                "opaque": u.opaque,
                "has_user": u.userinfo.is_some(),
                "user": u.username(),
                "has_password": u.has_password(),
                "host": u.host,
                "path": u.path,
                "raw_path": if u.escaped_path_is_raw() { "" } else { u.raw_path_input.as_str() },
                "omit_host": u.omit_host,
                "force_query": u.force_query,
                "raw_query": u.raw_query,
                "fragment": u.fragment,
                "string": u.to_go_string(),
                "redacted": u.redacted(),
            }),
        };
        if got != want {
            bad.push(format!("{line:?}:\n  ours {got}\n  go   {want}"));
        }
    }
    assert_eq!(out.lines().count(), inputs.len());
    assert!(
        bad.is_empty(),
        "{} of {} differ:\n{}",
        bad.len(),
        inputs.len(),
        bad.join("\n")
    );
}

/// A file proxy serving example.com/m@v1.0.0's .info and .mod, and the sumdb
/// `supported` endpoint for the given names, so nothing leaves the machine.
fn file_proxy(root: &Path, sumdb_names: &[&str]) -> String {
    let p = root.join("proxy");
    let v = p.join("example.com/m/@v");
    std::fs::create_dir_all(&v).unwrap();
    std::fs::write(v.join("v1.0.0.info"), "{\"Version\":\"v1.0.0\"}\n").unwrap();
    std::fs::write(v.join("v1.0.0.mod"), "module example.com/m\n").unwrap();
    for n in sumdb_names {
        let d = p.join("sumdb").join(n);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("supported"), "").unwrap();
    }
    format!("file://{}", p.display())
}

fn download_error(root: &Path, env: &BTreeMap<String, String>) -> Option<String> {
    let work = root.join("work");
    std::fs::create_dir_all(&work).unwrap();
    let (stdout, stderr) = go_with(
        env,
        &work,
        &["mod", "download", "-json", "example.com/m@v1.0.0"],
    );
    let v: serde_json::Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("go mod download -json: {e}\n{stdout}\n{stderr}"));
    v.get("Error").and_then(|e| e.as_str()).map(str::to_string)
}

#[test]
fn goproxy_errors_match_go() {
    // (GOPROXY, GONOPROXY). Every value either fails to parse (no network) or starts with the
    // local file proxy (@FILE@) or off/direct-free entries that never leave the machine.
    let cases: &[(&str, &str)] = &[
        ("ftp://x.example", ""),
        ("https://a b", ""),
        ("file://localhost/srv", ""),
        ("file:/srv", ""),
        ("/srv/goproxy", ""),
        ("noproxy", ""),
        ("Direct", ""),
        ("OFF", ""),
        (",", ""),
        (" , |", ""),
        (",", "corp.example"),
        ("@FILE@,ftp://bad", ""),
        ("@FILE@|https://h:x/", ""),
        ("https://u:secret@h:x/", ""),
        ("ftp://u:secret@x.example", ""),
        ("\"https://q.example\"", ""),
        ("https://h/%zz", ""),
        ("localhost:x", ""),
        ("file:///srv?x", ""),
        ("file:///srv#f", ""),
        ("@FILE@", ""),
        (" @FILE@ ,off", ""),
        ("@FILE@|off,ftp://ignored after off", ""),
        ("off", ""),
        ("off,ftp://ignored", ""),
    ];
    let bad = parallel(cases, |(goproxy, gonoproxy)| {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let file = file_proxy(root, &[]);
        let goproxy = goproxy.replace("@FILE@", &file);
        let mut env = hermetic_env(root);
        env.insert("GOSUMDB".into(), "off".into());
        env.remove("GOPRIVATE");
        if gonoproxy.is_empty() {
            env.remove("GONOPROXY");
        } else {
            env.insert("GONOPROXY".into(), gonoproxy.to_string());
        }
        // Empty or blank values are written to the user file: an empty process value would
        // fall back to go.env's proxy.golang.org.
        if goproxy.trim().is_empty() {
            std::fs::write(root.join("goenv"), format!("GOPROXY={goproxy}\n")).unwrap();
            env.remove("GOPROXY");
        } else {
            env.insert("GOPROXY".into(), goproxy.clone());
        }
        let got = download_error(root, &env);
        let ours = ProxyList::parse(&goproxy, gonoproxy);
        let prefix = "example.com/m@v1.0.0: ";
        match (&ours, &got) {
            (Err(e), Some(g)) if *g == format!("{prefix}{e}") => None,
            (Ok(_), None) => None,
            // A parsed list fails later on the missing zip, or at `off`, never on config.
            (Ok(_), Some(g))
                if g.contains("reading file://")
                    || g.contains("module lookup disabled by GOPROXY=off")
                    || g.contains("no such file or directory") =>
            {
                None
            }
            _ => Some(format!(
                "GOPROXY={goproxy:?} GONOPROXY={gonoproxy:?}: ours {ours:?}, go {got:?}"
            )),
        }
    });
    assert!(
        bad.is_empty(),
        "{} of {} differ:\n{}",
        bad.len(),
        cases.len(),
        bad.join("\n")
    );
}

#[test]
fn gosumdb_errors_match_go() {
    use base64::Engine as _;
    // A valid key for a custom database name (algorithm 1, 32 key bytes).
    let key: Vec<u8> = std::iter::once(1u8).chain([9u8; 32]).collect();
    let b64 = base64::engine::general_purpose::STANDARD.encode(&key);
    let custom = format!(
        "db.example+{:08x}+{b64}",
        gotrust::settings::sumdb::key_hash("db.example", &key)
    );
    let bad_alg: Vec<u8> = std::iter::once(2u8).chain([9u8; 32]).collect();
    let bad_alg = format!(
        "db.example+{:08x}+{}",
        gotrust::settings::sumdb::key_hash("db.example", &bad_alg),
        base64::engine::general_purpose::STANDARD.encode(&bad_alg)
    );
    let cases: Vec<String> = vec![
        "sum.golang.org+insecure".into(),
        "sum.golang.org+033de0ae".into(),
        "sum.golang.google.cn https://x".into(),
        "https://sum.golang.org".into(),
        "sum.example.com".into(),
        "Off".into(),
        "a b c".into(),
        " ".into(),
        "".into(),
        "sum.golang.org+033de0af+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8".into(),
        "sum.golang.org ://invalid".into(),
        "example.com/+1a6413ba+AW5WXiP8oUq7RI2AuI4Wh14FJrMqJqnAplQ0kcLbnbqK".into(),
        bad_alg,
        "sum.golang.org".into(),
        "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8".into(),
        "sum.golang.org http://127.0.0.1:1".into(),
        custom.clone(),
        format!("{custom} http://127.0.0.1:1/x"),
        format!("{custom}\thttp://127.0.0.1:1 extra"),
    ];
    let bad = parallel(&cases, |gosumdb| {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let file = file_proxy(root, &["sum.golang.org", "db.example"]);
        let mut env = hermetic_env(root);
        env.insert("GOPROXY".into(), file);
        env.remove("GOPRIVATE");
        env.remove("GONOSUMDB");
        env.remove("GONOPROXY");
        if gosumdb.is_empty() {
            std::fs::write(root.join("goenv"), "GOSUMDB=\n").unwrap();
            env.remove("GOSUMDB");
        } else {
            env.insert("GOSUMDB".into(), gosumdb.clone());
        }
        let got = download_error(root, &env);
        let ours = SumDb::parse(gosumdb);
        let prefix = "example.com/m@v1.0.0: verifying go.mod: ";
        match (&ours, &got) {
            (Err(e), Some(g)) if *g == format!("{prefix}{e}") => None,
            // Accepted: the lookup was attempted (file proxy miss or refused loopback port).
            (Ok(_), Some(g)) if g.contains("/lookup/example.com/m@v1.0.0") => None,
            _ => Some(format!("GOSUMDB={gosumdb:?}: ours {ours:?}, go {got:?}")),
        }
    });
    assert!(
        bad.is_empty(),
        "{} of {} differ:\n{}",
        bad.len(),
        cases.len(),
        bad.join("\n")
    );
}

/// Extracts a per-command GOFLAGS error.
type FlagCheck = fn(&GoFlags) -> Option<String>;

#[test]
fn goflags_errors_match_go() {
    let cases: &[&str] = &[
        "-bogus",
        "-mod=mod -bogus",
        "-x -",
        "---x",
        "-=x",
        "--=x",
        "--",
        "''",
        "'-mod=mod",
        "\"-mod=mod",
        "-mod=\"a b\"",
        "'-mod=mod' \"-modcacherw\"",
        "x",
        "-insecure",
        "--modcacherw=maybe",
        "-test.v -test.run=X -debug-actiongraph=f",
        "-debug-deps",
        "-json -fmt",
        "\t-mod=mod\n-x\r",
        "-mod=mod'-x'",
        "'-a''-x'",
        "-Mod=mod",
        "-gcflags=all=-N -l",
    ];
    let bad = parallel(cases, |goflags| {
        let tmp = tempfile::tempdir().unwrap();
        let mut env = hermetic_env(tmp.path());
        env.insert("GOFLAGS".into(), goflags.to_string());
        let (_, stderr) = go_with(&env, tmp.path(), &["version"]);
        let go_err = stderr
            .lines()
            .find(|l| l.starts_with("go: "))
            .map(str::to_string);
        let ours = GoFlags::parse(goflags).err().map(|e| e.to_string());
        (ours != go_err).then(|| format!("GOFLAGS={goflags:?}: ours {ours:?}, go {go_err:?}"))
    });
    assert!(
        bad.is_empty(),
        "{} of {} differ:\n{}",
        bad.len(),
        cases.len(),
        bad.join("\n")
    );

    // Per-command value errors, from a module-aware command that defines the flags.
    let per_command: &[(&str, FlagCheck)] = &[
        ("-mod", |f| f.mod_mode().err().map(|e| e.to_string())),
        ("-mod=bogus", |f| f.mod_mode().err().map(|e| e.to_string())),
        ("-modcacherw=maybe", |f| {
            f.modcacherw().err().map(|e| e.to_string())
        }),
        ("-modfile", |f| f.modfile().err().map(|e| e.to_string())),
    ];
    for (goflags, check) in per_command {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("go.mod"), "module x\n").unwrap();
        let mut env = hermetic_env(tmp.path());
        env.insert("GOFLAGS".into(), goflags.to_string());
        let (_, stderr) = go_with(&env, tmp.path(), &["list", "-m"]);
        let ours = check(&GoFlags::parse(goflags).unwrap()).expect("an error");
        assert_eq!(
            stderr.lines().next(),
            Some(ours.as_str()),
            "GOFLAGS={goflags:?}"
        );
    }
}

#[test]
fn goauth_errors_match_go() {
    let cases: &[&str] = &[
        ";",
        "netrc;",
        ";netrc",
        "off;netrc",
        "netrc;off",
        "git",
        "git a b",
        "git relative",
        "git /nonexistent/dir",
        "git /etc/hostname",
        "netrc;git rel;;",
        "off",
        "netrc",
        " netrc ; netrc ",
    ];
    let bad = parallel(cases, |goauth| {
        let tmp = tempfile::tempdir().unwrap();
        let mut env = hermetic_env(tmp.path());
        // A loopback https proxy that refuses connections: GOAUTH runs before the first
        // https request and is fatal on configuration errors.
        env.insert("GOPROXY".into(), "https://127.0.0.1:1".into());
        env.insert("GOAUTH".into(), goauth.to_string());
        let (_, stderr) = go_with(
            &env,
            tmp.path(),
            &["mod", "download", "-json", "example.com/m@v1.0.0"],
        );
        let go_err = stderr
            .lines()
            .find(|l| l.starts_with("go: GOAUTH"))
            .map(str::to_string);
        let ours = GoAuth::parse(goauth)
            .and_then(|a| a.check_dirs().map(|()| a))
            .err()
            .map(|e| e.to_string());
        (ours != go_err)
            .then(|| format!("GOAUTH={goauth:?}: ours {ours:?}, go {go_err:?}\n{stderr}"))
    });
    assert!(
        bad.is_empty(),
        "{} of {} differ:\n{}",
        bad.len(),
        cases.len(),
        bad.join("\n")
    );
}

#[test]
fn no_proxy_matches_net_http() {
    let oracle = testkit::xmod_oracle();
    let urls = [
        "http://a.example/",
        "https://a.example/",
        "https://A.Example:443/",
        "https://localhost/",
        "https://LOCALHOST/",
        "http://127.0.0.1:8080/",
        "https://[::1]/",
        "https://[::ffff:127.0.0.1]/",
        "https://10.1.2.3/",
        "https://11.1.2.3/",
        "https://1.2.3.4/",
        "https://1.2.3.4:8080/",
        "http://1.2.3.4:8080/",
        "https://[2001:db8::5]/",
        "https://[2001:db8::5]:8443/",
        "https://sub.example/",
        "https://a.sub.example/",
        "https://plain.example/",
        "https://x.plain.example/",
        "https://xplain.example/",
        "https://star.example/",
        "https://a.star.example/",
        "https://x.example/",
        "https://x.example:8443/",
        "http://x.example:8443/",
        "https://3.4/",
        "https://5.3.4/",
    ];
    let configs: &[&[(&str, &str)]] = &[
        &[
            ("HTTPS_PROXY", "https://p.example"),
            ("HTTP_PROXY", "proxy.example:3128"),
        ],
        &[
            ("https_proxy", "http://u:pw@p.example:8080"),
            ("http_proxy", "socks5://s.example"),
            (
                "NO_PROXY",
                "10.0.0.0/8, .sub.example,plain.example, *.star.example,1.2.3.4:8080,[2001:db8::5]:443,x.example:8443,3.4",
            ),
        ],
        &[("HTTPS_PROXY", "p.example"), ("no_proxy", "*")],
        &[
            ("HTTPS_PROXY", "p.example"),
            ("NO_PROXY", "a.example, *"),
            ("no_proxy", "ignored.example"),
        ],
        &[("HTTP_PROXY", "http://p"), ("REQUEST_METHOD", "GET")],
        &[("HTTPS_PROXY", "://bad"), ("HTTP_PROXY", "http://p:bad")],
        &[
            ("HTTPS_PROXY", "https://p"),
            (
                "NO_PROXY",
                "2001:db8::/32,::1,[2001:db8::5],:8443,SUB.EXAMPLE",
            ),
        ],
    ];
    let input: String = urls.iter().map(|u| format!("{u}\n")).collect();
    let mut bad = Vec::new();
    for vars in configs {
        let mut child = Command::new(&oracle)
            .arg("proxyfor")
            .env_clear()
            .envs(vars.iter().copied())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write as _;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        let out = String::from_utf8(out.stdout).unwrap();
        let cfg = HttpProxyConfig::new(HttpProxyVars::from_vars(|k| {
            vars.iter()
                .find(|(kk, _)| *kk == k)
                .map(|(_, v)| v.to_string())
                .unwrap_or_default()
        }));
        for (url, want) in urls.iter().zip(out.lines()) {
            let got = match cfg.proxy_for(&GoUrl::parse(url).unwrap()) {
                ProxyChoice::Proxy(u) => u.to_go_string(),
                ProxyChoice::Direct(_) => String::new(),
                ProxyChoice::Refused(e) => format!("error: {e}"),
                _ => "?".into(),
            };
            if got != want {
                bad.push(format!("{vars:?} {url}: ours {got:?}, net/http {want:?}"));
            }
        }
    }
    assert!(bad.is_empty(), "{} differ:\n{}", bad.len(), bad.join("\n"));
}

#[test]
fn goroot_from_path_and_symlink_matches_go() {
    let real = real_goroot();
    let path = std::env::var("PATH").unwrap();
    let go = gotrust::env::resolve::find_in_path("go", &path, "linux").expect("go on PATH");
    assert_eq!(
        gotrust::env::resolve::goroot_from_executable(&go).as_deref(),
        Some(real.as_path())
    );
    // A symlink elsewhere (like /usr/bin/go -> /usr/lib/go/bin/go): go resolves it.
    let tmp = tempfile::tempdir().unwrap();
    let bin = tmp.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(std::fs::canonicalize(&go).unwrap(), bin.join("go")).unwrap();
    let ours = gotrust::env::resolve::goroot_from_executable(&bin.join("go")).unwrap();
    let mut env = hermetic_env(tmp.path());
    env.insert("PATH".into(), bin.to_string_lossy().into_owned());
    let out = Command::new(bin.join("go"))
        .env_clear()
        .envs(&env)
        .args(["env", "GOROOT"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().trim(),
        ours.to_str().unwrap()
    );
    // from_process-style discovery through a PATH with the symlink.
    let mut src = EnvSources::with_process([("PATH", bin.to_str().unwrap())]);
    src.go_binary = gotrust::env::resolve::find_in_path("go", bin.to_str().unwrap(), "linux");
    assert_eq!(src.go_binary.as_deref(), Some(bin.join("go").as_path()));
    let check = cross_check(&resolve(&src), &src, &GoMode::Auto).unwrap();
    assert!(check.is_some(), "auto mode finds go on the sources' PATH");
}

#[test]
fn every_known_goflag_is_accepted_by_go() {
    let tmp = tempfile::tempdir().unwrap();
    let mut env = hermetic_env(tmp.path());
    // `go version` defines -m, -v, -json (booleans) and -C (which is always an error in
    // GOFLAGS: "-C flag must be first flag on command line"); every other flag is ignored by
    // it whatever its value, so give them all a value.
    let all: Vec<String> = gotrust::settings::goflags::KNOWN_FLAGS
        .iter()
        .filter(|f| **f != "C")
        .map(|f| match *f {
            "m" | "v" | "json" => format!("-{f}"),
            _ => format!("-{f}=x"),
        })
        .collect();
    env.insert("GOFLAGS".into(), all.join(" "));
    let (stdout, stderr) = go_with(&env, tmp.path(), &["version"]);
    assert!(stdout.starts_with("go version "), "{stdout}\n{stderr}");
    assert!(!stderr.contains("GOFLAGS"), "{stderr}");
    // And one name that is not a flag is rejected with the text we produce.
    env.insert("GOFLAGS".into(), format!("{} -notaflag", all.join(" ")));
    let (_, stderr) = go_with(&env, tmp.path(), &["version"]);
    let ours = GoFlags::parse(&format!("{} -notaflag", all.join(" "))).unwrap_err();
    assert_eq!(stderr.trim(), ours.to_string());
    for c in ["-C=.", "-C", "--C=/tmp"] {
        env.insert("GOFLAGS".into(), c.into());
        let (_, stderr) = go_with(&env, tmp.path(), &["version"]);
        let ours = GoFlags::parse(c).unwrap().chdir().unwrap_err().to_string();
        assert_eq!(stderr.lines().next(), Some(ours.as_str()), "GOFLAGS={c}");
    }
}
