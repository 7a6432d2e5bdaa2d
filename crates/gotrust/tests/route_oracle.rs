//! Explain agrees with go: for each routing configuration the real `go mod download -x -json
//! M@V` runs against loopback status servers, and the URLs it requested (from its `# get`
//! lines and from the servers' logs), in order, must be exactly the ones the route predicts
//! (`Route::walk` for `.info`, `.mod`, `.zip`, and `SumDbAccess::walk` plus the lookup).
//!
//! Hosts outside loopback are under `.invalid`, so direct-mode discovery fails at DNS
//! without leaving the machine.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io::Write;

use base64::Engine;
use gotrust::env::{EnvSources, resolve};
use gotrust::route::{Outcome, Planner, Route};
use gotrust::settings::Settings;
use testkit::http::{Answer, StatusServer};

const MODULE: &str = "example.com/Upper/m";
const ESCAPED: &str = "example.com/%21upper/m";
const VERSION: &str = "v1.0.0";
const DB: &str = "sumdb.invalid";

/// A valid verifier key for the test database (key bytes are arbitrary; go only checks the
/// hash, the algorithm byte and the length before it needs a signature).
fn vkey() -> String {
    let mut key = vec![1u8];
    key.extend_from_slice(&[7u8; 32]);
    let hash = gotrust::settings::sumdb::key_hash(DB, &key);
    format!(
        "{DB}+{hash:08x}+{}",
        base64::engine::general_purpose::STANDARD.encode(&key)
    )
}

fn module_zip() -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default();
        w.start_file(format!("{MODULE}@{VERSION}/go.mod"), opts)
            .unwrap();
        w.write_all(format!("module {MODULE}\n").as_bytes())
            .unwrap();
        w.start_file(format!("{MODULE}@{VERSION}/m.go"), opts)
            .unwrap();
        w.write_all(b"package m\n").unwrap();
        w.finish().unwrap();
    }
    buf.into_inner()
}

fn answer(status: u16, body: &[u8]) -> Answer {
    Answer {
        status,
        body: body.to_vec(),
    }
}

/// A server answering every path with `status`.
fn all(status: u16) -> Vec<(String, Answer)> {
    vec![("/".into(), answer(status, b"x\n"))]
}

/// A server that serves the module, with `sumdb` answering the database probe.
fn serving(sumdb: u16) -> Vec<(String, Answer)> {
    serving_at("", sumdb)
}

/// [`serving`] below the path `prefix`.
fn serving_at(prefix: &str, sumdb: u16) -> Vec<(String, Answer)> {
    let base = format!("{prefix}/{ESCAPED}/@v/{VERSION}");
    vec![
        (
            format!("{base}.info"),
            answer(200, format!("{{\"Version\":\"{VERSION}\"}}").as_bytes()),
        ),
        (
            format!("{base}.mod"),
            answer(200, format!("module {MODULE}\n").as_bytes()),
        ),
        (format!("{base}.zip"), answer(200, &module_zip())),
        (format!("{prefix}/sumdb/{DB}/supported"), answer(sumdb, b"")),
    ]
}

struct Case {
    name: &'static str,
    /// GOPROXY with `{0}`, `{1}`, ... for the servers' URLs.
    goproxy: &'static str,
    vars: &'static [(&'static str, &'static str)],
    /// GOSUMDB: `None` = off, `Some("")` = the test key, else the key then this text.
    gosumdb: Option<&'static str>,
    servers: Vec<Vec<(String, Answer)>>,
    module: &'static str,
    /// The walk must take at least this many requests (guards against vacuous agreement).
    min_requests: usize,
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "comma falls back on 404 and 410",
            goproxy: "{0},{1},{2}",
            vars: &[],
            gosumdb: None,
            servers: vec![all(404), all(410), serving(404)],
            module: MODULE,
            min_requests: 7,
        },
        Case {
            name: "comma stops on 500",
            goproxy: "{0},{1}",
            vars: &[],
            gosumdb: None,
            servers: vec![all(500), serving(404)],
            module: MODULE,
            min_requests: 1,
        },
        Case {
            name: "pipe moves on after 500",
            goproxy: "{0}|{1}",
            vars: &[],
            gosumdb: None,
            servers: vec![all(500), serving(404)],
            module: MODULE,
            min_requests: 6,
        },
        Case {
            name: "all not found then direct discovery",
            goproxy: "{0},direct",
            vars: &[],
            gosumdb: None,
            servers: vec![all(404)],
            module: "m.invalid/x",
            min_requests: 2,
        },
        Case {
            name: "GONOPROXY goes direct even with GOPROXY=off",
            goproxy: "off",
            vars: &[("GONOPROXY", "*.invalid")],
            gosumdb: None,
            servers: vec![],
            module: "corp.invalid/x",
            min_requests: 1,
        },
        Case {
            name: "GOPRIVATE path skips the proxy",
            goproxy: "{0},direct",
            vars: &[("GOPRIVATE", "corp.invalid")],
            gosumdb: Some(""),
            servers: vec![serving(200)],
            module: "corp.invalid/x",
            min_requests: 1,
        },
        Case {
            name: "GONOPROXY path never asks a proxy without direct",
            goproxy: "{0}",
            vars: &[("GONOPROXY", "corp.invalid")],
            gosumdb: None,
            servers: vec![serving(200)],
            module: "corp.invalid/x",
            min_requests: 1,
        },
        Case {
            name: "GOPROXY=off blocks public paths",
            goproxy: "off",
            vars: &[("GONOPROXY", "corp.invalid")],
            gosumdb: None,
            servers: vec![],
            module: "pub.invalid/x",
            min_requests: 0,
        },
        Case {
            name: "GOINSECURE direct tries https then http",
            goproxy: "direct",
            vars: &[("GOINSECURE", "*.invalid")],
            gosumdb: None,
            servers: vec![],
            module: "ins.invalid/x",
            min_requests: 2,
        },
        Case {
            name: "database probe answered by the proxy",
            goproxy: "{0}",
            vars: &[],
            gosumdb: Some(""),
            servers: vec![serving(200)],
            module: MODULE,
            min_requests: 4,
        },
        Case {
            name: "database probe 404 then next proxy",
            goproxy: "{0},{1}",
            vars: &[],
            gosumdb: Some(""),
            servers: vec![serving(404), serving(200)],
            module: MODULE,
            min_requests: 5,
        },
        Case {
            name: "database probe 503 after comma stops",
            goproxy: "{0},{1}",
            vars: &[],
            gosumdb: Some(""),
            servers: vec![serving(503), serving(200)],
            module: MODULE,
            min_requests: 3,
        },
        Case {
            name: "database probe 503 after pipe continues",
            goproxy: "{0}|{1}",
            vars: &[],
            gosumdb: Some(""),
            servers: vec![serving(503), serving(200)],
            module: MODULE,
            min_requests: 5,
        },
        Case {
            name: "database probes all 404: direct to the database",
            goproxy: "{0},{1}",
            vars: &[],
            gosumdb: Some(""),
            servers: vec![serving(404), serving(404)],
            module: MODULE,
            min_requests: 5,
        },
        Case {
            name: "proxy below a path: the lookup sends %21",
            goproxy: "{0}/p/",
            vars: &[],
            gosumdb: Some(""),
            servers: vec![serving_at("/p", 200)],
            module: MODULE,
            min_requests: 4,
        },
        Case {
            name: "explicit GOSUMDB URL without path: the lookup keeps !",
            goproxy: "{0}",
            vars: &[],
            gosumdb: Some("{1}"),
            servers: vec![serving(200), all(404)],
            module: MODULE,
            min_requests: 3,
        },
        Case {
            name: "explicit GOSUMDB URL skips the probe",
            goproxy: "{0}",
            vars: &[],
            gosumdb: Some("{1}/db"),
            servers: vec![serving(200), all(404)],
            module: MODULE,
            min_requests: 3,
        },
        Case {
            name: "GONOSUMDB skips the database",
            goproxy: "{0}",
            vars: &[("GONOSUMDB", "example.com")],
            gosumdb: Some(""),
            servers: vec![serving(200)],
            module: MODULE,
            min_requests: 3,
        },
    ]
}

fn subst(s: &str, urls: &[String]) -> String {
    let mut out = s.to_string();
    for (i, u) in urls.iter().enumerate() {
        out = out.replace(&format!("{{{i}}}"), u);
    }
    out
}

/// The status a server gives `url`, the way StatusServer decides it.
fn outcome(url: &str, servers: &[(String, &[(String, Answer)])]) -> Outcome {
    for (base, routes) in servers {
        if let Some(rest) = url.strip_prefix(base.as_str()) {
            let path = rest.split('?').next().unwrap_or("");
            let status = routes
                .iter()
                .filter(|(p, _)| path.starts_with(p.as_str()))
                .max_by_key(|(p, _)| p.len())
                .map_or(404, |(_, a)| a.status);
            return match status {
                200 => Outcome::Ok,
                404 | 410 => Outcome::NotFound,
                _ => Outcome::Failed,
            };
        }
    }
    // Not a loopback server: a `.invalid` host, DNS fails.
    Outcome::Failed
}

/// What go requests for `go mod download M@V`: `.info`, then `.mod`, whose verification
/// (when the database is used: the probe walk once, then the lookup, whose failure is cached)
/// happens inside the `.mod` walk, then `.zip`. Every request is logged as its outcome is
/// asked for, so the log is in request order.
fn predict(route: &Route, out: &dyn Fn(&str) -> Outcome) -> Vec<String> {
    let log = RefCell::new(Vec::new());
    let db_result: RefCell<Option<Outcome>> = RefCell::new(None);
    let fetch = |u: &str| {
        log.borrow_mut().push(u.to_string());
        out(u)
    };
    let verify = || -> Outcome {
        if !route.checksum.database {
            return Outcome::Ok;
        }
        if let Some(r) = *db_result.borrow() {
            return r;
        }
        let access = route.checksum.access.as_ref().expect("database access");
        let (_, base) = access.walk(fetch);
        // The servers answer every lookup with 404: a verification failure.
        if let Some(lookup) = base.and_then(|b| b.lookup) {
            fetch(&lookup);
        }
        *db_result.borrow_mut() = Some(Outcome::Failed);
        Outcome::Failed
    };
    if route.walk("info", fetch).success.is_none() {
        return log.into_inner();
    }
    let w = route.walk("mod", |u| match fetch(u) {
        Outcome::Ok => verify(),
        o => o,
    });
    if w.success.is_some() {
        route.walk("zip", fetch);
    }
    log.into_inner()
}

fn run_case(case: &Case) -> Result<(), String> {
    let servers: Vec<StatusServer> = case
        .servers
        .iter()
        .map(|r| StatusServer::start(r.clone()))
        .collect();
    let urls: Vec<String> = servers.iter().map(StatusServer::url).collect();
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let mut cmd = testkit::hermetic_go(root);
    let goproxy = subst(case.goproxy, &urls);
    let gosumdb = match case.gosumdb {
        None => "off".to_string(),
        Some("") => vkey(),
        Some(u) => format!("{} {}", vkey(), subst(u, &urls)),
    };
    cmd.env("GOPROXY", &goproxy).env("GOSUMDB", &gosumdb);
    for (k, v) in case.vars {
        cmd.env(k, v);
    }
    let process: BTreeMap<String, String> = cmd
        .get_envs()
        .filter_map(|(k, v)| {
            Some((
                k.to_string_lossy().into_owned(),
                v?.to_string_lossy().into_owned(),
            ))
        })
        .collect();
    let src = EnvSources {
        process,
        goos: "linux".into(),
        exe_goroot: None,
        go_binary: None,
        cwd: Some(root.to_path_buf()),
    };
    let env = resolve(&src);
    let settings = Settings::from_env(&env, &src);
    let route = Planner::new(&settings, &env).plan(&format!("{}@{VERSION}", case.module));
    let table: Vec<(String, &[(String, Answer)])> = urls
        .iter()
        .cloned()
        .zip(case.servers.iter().map(Vec::as_slice))
        .collect();
    let predicted = predict(&route, &|u| outcome(u, &table));

    let out = cmd
        .current_dir(root)
        .args(["mod", "download", "-x", "-json"])
        .arg(format!("{}@{VERSION}", case.module))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let got: Vec<String> = stderr
        .lines()
        .filter_map(|l| l.strip_prefix("# get "))
        .filter(|u| !u.contains(": ") && !u.ends_with(": insecure"))
        .map(str::to_string)
        .collect();
    let mut problems = Vec::new();
    if got != predicted {
        problems.push(format!("go requested {got:#?}\npredicted {predicted:#?}"));
    }
    // Each server saw exactly its share of the predicted URLs, in order.
    for (s, base) in servers.iter().zip(&urls) {
        let want: Vec<String> = predicted
            .iter()
            .filter_map(|u| u.strip_prefix(base.as_str()))
            .map(str::to_string)
            .collect();
        if s.requests() != want {
            problems.push(format!(
                "server {base} saw {:#?}, predicted {want:#?}",
                s.requests()
            ));
        }
    }
    if predicted.len() < case.min_requests {
        problems.push(format!(
            "only {} requests predicted, case expects at least {}",
            predicted.len(),
            case.min_requests
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{}: GOPROXY={goproxy} GOSUMDB={gosumdb}\n{}\n--- go stderr\n{stderr}\n--- go stdout\n{}",
            case.name,
            problems.join("\n"),
            String::from_utf8_lossy(&out.stdout)
        ))
    }
}

#[test]
fn explain_agrees_with_go() {
    let cases = cases();
    assert!(cases.len() >= 10);
    let failures: Vec<String> = cases.iter().filter_map(|c| run_case(c).err()).collect();
    assert!(
        failures.is_empty(),
        "{} of {} configurations disagree:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}
