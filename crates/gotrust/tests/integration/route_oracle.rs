//! Explain agrees with go: for each configuration and module query, the real
//! `go mod download -x M@query` (and `go list -m -x M@query`) runs against loopback servers,
//! and the URLs it requested (from its `# get` lines and from the servers' logs), in order,
//! must be exactly the ones [`Route::simulate`] predicts from the route gotrust plans; the
//! predicted success must be go's, and the route's verdict must hold for what go did.
//!
//! Cases are the product of queries (versions, prereleases, pseudo-versions, build
//! metadata, `latest`, `upgrade`, `patch`, `none`, prefixes, ranges, a branch), GOPROXY forms
//! (`,`, `|`, `off`, `direct`, errors that stop or continue a walk), checksum settings
//! (GOSUMDB off, a database reached through a proxy or directly, GONOSUMDB, GOPRIVATE with
//! an explicit GONOSUMDB that replaces its contribution, GONOPROXY, GOINSECURE) and whether
//! a project's go.sum already has the hashes, for both commands: `go list -m` succeeds where
//! the database refuses the go.mod (the lookups here 404) and `go mod download` fails. Module
//! paths are under `.invalid`, so
//! direct-mode discovery fails at DNS without leaving the machine.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;

use base64::Engine;
use gotrust::env::{EnvSources, resolve};
use gotrust::route::{Answer, GoCommand, Outcome, Planner, Route, Verdict};
use gotrust::settings::Settings;
use testkit::http::{Answer as Served, StatusServer};

const MODULE: &str = "example.invalid/Upper/m";
const DB: &str = "sumdb.invalid";
const PSEUDO: &str = "v0.0.0-20200101000000-abcdefabcdef";
const TAGGED: &[&str] = &["v1.0.0", "v1.1.0", "v1.2.0-pre"];

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

fn go_mod(module: &str) -> String {
    format!("module {module}\n\ngo 1.20\n")
}

fn module_zip(module: &str, version: &str) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default();
        w.start_file(format!("{module}@{version}/go.mod"), opts)
            .unwrap();
        w.write_all(go_mod(module).as_bytes()).unwrap();
        w.start_file(format!("{module}@{version}/m.go"), opts)
            .unwrap();
        w.write_all(b"package m\n").unwrap();
        w.finish().unwrap();
    }
    buf.into_inner()
}

fn served(status: u16, body: &[u8]) -> Served {
    Served {
        status,
        body: body.to_vec(),
    }
}

/// The versions a module server knows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Content {
    /// Tagged v1.0.0, v1.1.0, v1.2.0-pre; `master` is the pseudo-version.
    Tagged,
    /// An empty list; `@latest` answers the pseudo-version.
    Untagged,
}

/// A server answering every path with `status`.
fn all(status: u16) -> Vec<(String, Served)> {
    vec![("/".into(), served(status, b"x\n"))]
}

/// A server that serves `module`, with `sumdb` answering the database probe (lookups 404).
fn serving(module: &str, content: Content, sumdb: u16) -> Vec<(String, Served)> {
    // Requests carry the escaped path with `!` sent as `%21` (proxy.go `pathEscape`), and
    // the server matches the path as sent.
    let esc = gomod::module::escape_path(module)
        .unwrap()
        .replace('!', "%21");
    let base = format!("/{esc}/@v");
    let mut routes = vec![(format!("/sumdb/{DB}/supported"), served(sumdb, b""))];
    let mut versions: Vec<&str> = vec![PSEUDO];
    match content {
        Content::Tagged => {
            versions.extend_from_slice(TAGGED);
            routes.push((
                format!("{base}/list"),
                served(200, format!("{}\n", TAGGED.join("\n")).as_bytes()),
            ));
        }
        Content::Untagged => {
            routes.push((format!("{base}/list"), served(200, b"")));
            routes.push((
                format!("/{esc}/@latest"),
                served(
                    200,
                    format!("{{\"Version\":\"{PSEUDO}\",\"Time\":\"2020-01-01T00:00:00Z\"}}")
                        .as_bytes(),
                ),
            ));
        }
    }
    routes.push((
        format!("{base}/master.info"),
        served(
            200,
            format!("{{\"Version\":\"{PSEUDO}\",\"Time\":\"2020-01-01T00:00:00Z\"}}").as_bytes(),
        ),
    ));
    for v in versions {
        routes.push((
            format!("{base}/{v}.info"),
            served(
                200,
                format!("{{\"Version\":\"{v}\",\"Time\":\"2020-01-01T00:00:00Z\"}}").as_bytes(),
            ),
        ));
        routes.push((
            format!("{base}/{v}.mod"),
            served(200, go_mod(module).as_bytes()),
        ));
        routes.push((
            format!("{base}/{v}.zip"),
            served(200, &module_zip(module, v)),
        ));
    }
    routes
}

/// The go.sum a project has for `module`: both lines of v1.0.0 and v1.1.0.
fn go_sum_text(module: &str) -> String {
    let mut out = String::new();
    for v in ["v1.0.0", "v1.1.0"] {
        let zip = module_zip(module, v);
        let h = gomod::dirhash::hash_zip(&mut std::io::Cursor::new(zip)).unwrap();
        let hm = gomod::dirhash::hash_go_mod(go_mod(module).as_bytes());
        out.push_str(&format!("{module} {v} {h}\n{module} {v}/go.mod {hm}\n"));
    }
    out
}

struct Setting {
    name: &'static str,
    /// GOPROXY with `{0}`, `{1}`, ... for the servers' URLs.
    goproxy: &'static str,
    vars: &'static [(&'static str, &'static str)],
    /// GOSUMDB: `None` = off, else the test key.
    database: bool,
    servers: fn() -> Vec<Vec<(String, Served)>>,
    /// Run every query (else the short list) and with a go.sum too.
    full: bool,
}

fn settings() -> Vec<Setting> {
    vec![
        Setting {
            name: "one proxy, no database",
            goproxy: "{0}",
            vars: &[],
            database: false,
            servers: || vec![serving(MODULE, Content::Tagged, 404)],
            full: true,
        },
        Setting {
            name: "404 then 410 then a serving proxy (comma)",
            goproxy: "{0},{1},{2}",
            vars: &[],
            database: false,
            servers: || vec![all(404), all(410), serving(MODULE, Content::Tagged, 404)],
            full: true,
        },
        Setting {
            name: "500 then a serving proxy (pipe)",
            goproxy: "{0}|{1}",
            vars: &[],
            database: false,
            servers: || vec![all(500), serving(MODULE, Content::Tagged, 404)],
            full: false,
        },
        Setting {
            name: "500 stops the walk (comma)",
            goproxy: "{0},{1}",
            vars: &[],
            database: false,
            servers: || vec![all(500), serving(MODULE, Content::Tagged, 404)],
            full: false,
        },
        Setting {
            name: "database through the proxy (lookups 404)",
            goproxy: "{0}",
            vars: &[],
            database: true,
            servers: || vec![serving(MODULE, Content::Tagged, 200)],
            full: true,
        },
        Setting {
            name: "probe 404, then direct to the database",
            goproxy: "{0},direct",
            vars: &[],
            database: true,
            servers: || vec![serving(MODULE, Content::Tagged, 404)],
            full: false,
        },
        Setting {
            name: "probe 503 after a pipe, next proxy mirrors the database",
            goproxy: "{0}|{1}",
            vars: &[],
            database: true,
            servers: || {
                vec![
                    serving(MODULE, Content::Tagged, 503),
                    serving(MODULE, Content::Tagged, 200),
                ]
            },
            full: false,
        },
        Setting {
            name: "GOPROXY=off",
            goproxy: "off",
            vars: &[],
            database: true,
            servers: Vec::new,
            full: false,
        },
        Setting {
            name: "direct with GOINSECURE",
            goproxy: "direct",
            vars: &[("GOINSECURE", "*.invalid")],
            database: false,
            servers: Vec::new,
            full: false,
        },
        Setting {
            name: "GOPRIVATE with an explicit GONOSUMDB elsewhere (leak)",
            goproxy: "{0},direct",
            vars: &[
                ("GOPRIVATE", "example.invalid"),
                ("GONOSUMDB", "other.invalid"),
            ],
            database: true,
            servers: || vec![serving(MODULE, Content::Tagged, 200)],
            full: false,
        },
        Setting {
            name: "GONOPROXY with GOPROXY=off goes direct",
            goproxy: "off",
            vars: &[("GONOPROXY", "*.invalid")],
            database: false,
            servers: Vec::new,
            full: false,
        },
        Setting {
            name: "GONOSUMDB skips the database",
            goproxy: "{0}",
            vars: &[("GONOSUMDB", "example.invalid")],
            database: true,
            servers: || vec![serving(MODULE, Content::Tagged, 200)],
            full: false,
        },
        Setting {
            name: "GOPRIVATE elsewhere, pipe then comma then direct",
            goproxy: "{0}|{1},direct",
            vars: &[("GOPRIVATE", "corp.invalid")],
            database: true,
            servers: || vec![all(500), serving(MODULE, Content::Tagged, 200)],
            full: false,
        },
        Setting {
            name: "untagged module: @latest answers",
            goproxy: "{0}",
            vars: &[],
            database: false,
            servers: || vec![serving(MODULE, Content::Untagged, 404)],
            full: true,
        },
    ]
}

const ALL_QUERIES: &[&str] = &[
    "v1.0.0",
    "v1.2.0-pre",
    PSEUDO,
    "v1.0.0+meta",
    "latest",
    "upgrade",
    "patch",
    "none",
    "v1",
    "v1.0",
    ">=v1.0.0",
    "<v1.1.0",
    "master",
];
const SHORT_QUERIES: &[&str] = &["v1.0.0", "latest", "v1", ">=v1.0.0", "master"];

fn subst(s: &str, urls: &[String]) -> String {
    let mut out = s.to_string();
    for (i, u) in urls.iter().enumerate() {
        out = out.replace(&format!("{{{i}}}"), u);
    }
    out
}

/// The answer a server gives `url`, the way StatusServer decides it.
fn answer(url: &str, servers: &[(String, Vec<(String, Served)>)]) -> Answer {
    for (base, routes) in servers {
        if let Some(rest) = url.strip_prefix(base.as_str()) {
            let path = rest.split('?').next().unwrap_or("");
            let (status, body) = routes
                .iter()
                .filter(|(p, _)| path.starts_with(p.as_str()))
                .max_by_key(|(p, _)| p.len())
                .map_or((404, Vec::new()), |(_, a)| (a.status, a.body.clone()));
            return Answer {
                outcome: match status {
                    200 => Outcome::Ok,
                    404 | 410 => Outcome::NotFound,
                    _ => Outcome::Failed,
                },
                body: String::from_utf8_lossy(&body).into_owned(),
            };
        }
    }
    // Not a loopback server: a `.invalid` host, DNS fails.
    Answer {
        outcome: Outcome::Failed,
        body: String::new(),
    }
}

struct Run<'a> {
    setting: &'a Setting,
    query: &'a str,
    with_go_sum: bool,
    command: GoCommand,
    /// The main module requires MODULE at this version (go.mod and go.sum written):
    /// `upgrade` and `patch` start from it.
    required: Option<&'a str>,
}

/// The route gotrust plans for the environment `cmd` gives go.
fn plan(
    cmd: &std::process::Command,
    root: &Path,
    target: &str,
    with_go_sum: bool,
    required: Option<&str>,
) -> Route {
    let process = testkit::go::env_map(cmd);
    let src = EnvSources {
        process,
        goos: "linux".into(),
        exe_goroot: None,
        go_binary: None,
        cwd: Some(root.to_path_buf()),
    };
    let env = resolve(&src);
    let settings = Settings::from_env(&env, &src);
    let mut planner = Planner::new(&settings, &env);
    if with_go_sum {
        let data = go_sum_text(MODULE);
        let sum = gomod::gosum::parse("go.sum", data.as_bytes()).unwrap();
        planner = planner
            .with_go_sum_lines(
                sum.lines
                    .iter()
                    .map(|l| (l.module.clone(), l.version_field())),
            )
            .with_main_module(required.map(|v| (MODULE.to_string(), v.to_string())));
    }
    planner.plan(target)
}

fn run(r: &Run<'_>) -> Result<(), String> {
    let specs = (r.setting.servers)();
    let servers: Vec<StatusServer> = specs
        .iter()
        .map(|s| StatusServer::start(s.clone()))
        .collect();
    let urls: Vec<String> = servers.iter().map(StatusServer::url).collect();
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let work = root.join("work");
    std::fs::create_dir_all(&work).unwrap();
    if r.with_go_sum {
        let require = r
            .required
            .map(|v| format!("\nrequire {MODULE} {v}\n"))
            .unwrap_or_default();
        std::fs::write(
            work.join("go.mod"),
            format!("module main.invalid/app\n\ngo 1.21\n{require}"),
        )
        .unwrap();
        std::fs::write(work.join("go.sum"), go_sum_text(MODULE)).unwrap();
    }
    let mut cmd = testkit::hermetic_go(root);
    let goproxy = subst(r.setting.goproxy, &urls);
    let gosumdb = if r.setting.database {
        vkey()
    } else {
        "off".to_string()
    };
    cmd.env("GOPROXY", &goproxy).env("GOSUMDB", &gosumdb);
    for (k, v) in r.setting.vars {
        cmd.env(k, v);
    }
    let target = format!("{MODULE}@{}", r.query);
    let route = plan(&cmd, &work, &target, r.with_go_sum, r.required);
    let table: Vec<(String, Vec<(String, Served)>)> =
        urls.iter().cloned().zip(specs.iter().cloned()).collect();
    let sums: BTreeSet<String> = if r.with_go_sum {
        ["v1.0.0", "v1.0.0/go.mod", "v1.1.0", "v1.1.0/go.mod"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    } else {
        BTreeSet::new()
    };
    let sim = route.simulate(r.command, &|f| sums.contains(f), |u| answer(u, &table));

    let args: &[&str] = match r.command {
        GoCommand::ModDownload => &["mod", "download", "-x"],
        GoCommand::ListModule => &["list", "-m", "-x"],
    };
    let out = cmd
        .current_dir(&work)
        .args(args)
        .arg(&target)
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
    if got != sim.requests {
        problems.push(format!(
            "go requested {got:#?}\npredicted {:#?}",
            sim.requests
        ));
    }
    // Each server saw exactly its share of the predicted URLs, in order.
    for (s, base) in servers.iter().zip(&urls) {
        let want: Vec<String> = sim
            .requests
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
    if sim.stopped_at_vcs {
        problems.push("a discovery page was served: not predicted".into());
    }
    let go_ok = out.status.success();
    if sim.ok != go_ok {
        problems.push(format!(
            "go {}, predicted {}",
            if go_ok { "succeeded" } else { "failed" },
            if sim.ok { "success" } else { "failure" }
        ));
    }
    // The verdict holds for what go did.
    let asked_db = got
        .iter()
        .any(|u| u.contains("/sumdb/") || u.contains(&format!("//{DB}/")));
    let verdict_problem = match route.verdict {
        Verdict::ConfigError | Verdict::LookupDisabled => {
            (go_ok || !got.is_empty()).then_some("go fetched although the route says it cannot")
        }
        Verdict::DatabaseVerified | Verdict::PrivatePathLeak => (go_ok
            && r.command == GoCommand::ModDownload
            && !asked_db
            && !sim.version.as_ref().is_some_and(|v| sums.contains(v)))
        .then_some("go downloaded a version not in go.sum without asking the database"),
        Verdict::GoSumOnly | Verdict::TrustOnFirstUse | Verdict::NoTlsNoChecksum => {
            asked_db.then_some("go asked the checksum database although the route says no")
        }
    };
    if let Some(p) = verdict_problem {
        problems.push(format!("verdict {}: {p}", route.verdict.name()));
    }
    if std::env::var_os("ROUTE_ORACLE_SHOW").is_some() {
        eprintln!(
            "{target} {:?} sum={} verdict={} ok={go_ok} {:?}",
            r.command,
            r.with_go_sum,
            route.verdict.name(),
            got.iter()
                .map(|u| u.rsplit('/').next().unwrap_or(""))
                .collect::<Vec<_>>()
        );
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} | {target} | {:?}{}{}: GOPROXY={goproxy} GOSUMDB={gosumdb}\n{}\n--- go stderr\n{stderr}",
            r.setting.name,
            r.command,
            if r.with_go_sum { " with go.sum" } else { "" },
            r.required
                .map(|v| format!(" requiring {v}"))
                .unwrap_or_default(),
            problems.join("\n"),
        ))
    }
}

#[test]
fn explain_agrees_with_go() {
    let settings = settings();
    let mut runs = Vec::new();
    for s in &settings {
        let queries = if s.full { ALL_QUERIES } else { SHORT_QUERIES };
        for q in queries {
            for with_go_sum in [false, true] {
                if with_go_sum && !(s.full || s.database) {
                    continue;
                }
                runs.push(Run {
                    setting: s,
                    query: q,
                    with_go_sum,
                    command: GoCommand::ModDownload,
                    required: None,
                });
            }
            for with_go_sum in [false, true] {
                if with_go_sum && !(s.full || s.database) {
                    continue;
                }
                runs.push(Run {
                    setting: s,
                    query: q,
                    with_go_sum,
                    command: GoCommand::ListModule,
                    required: None,
                });
            }
        }
    }
    assert!(runs.len() >= 80, "only {} cases", runs.len());
    let failures: Vec<String> = runs.iter().filter_map(|r| run(r).err()).collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases disagree with go:\n\n{}",
        failures.len(),
        runs.len(),
        failures.join("\n\n")
    );
}

/// `upgrade` and `patch` inside a module that requires the path: they start from the
/// required version (cmd/go/internal/modload `queryProxy` with `current`), for go mod
/// download and go list -m, with the database on and off, through fallbacks.
#[test]
fn explain_agrees_with_go_on_upgrade_and_patch_from_a_required_version() {
    let settings = settings();
    let chosen: Vec<&Setting> = settings
        .iter()
        .filter(|s| {
            matches!(
                s.name,
                "one proxy, no database"
                    | "404 then 410 then a serving proxy (comma)"
                    | "500 then a serving proxy (pipe)"
                    | "database through the proxy (lookups 404)"
                    | "GONOSUMDB skips the database"
                    | "untagged module: @latest answers"
            )
        })
        .collect();
    assert_eq!(chosen.len(), 6);
    let mut runs = Vec::new();
    for s in chosen {
        for q in ["upgrade", "patch"] {
            for required in ["v1.0.0", "v1.1.0", "v1.2.0-pre"] {
                for command in [GoCommand::ModDownload, GoCommand::ListModule] {
                    runs.push(Run {
                        setting: s,
                        query: q,
                        with_go_sum: true,
                        command,
                        required: Some(required),
                    });
                }
            }
        }
    }
    let failures: Vec<String> = runs.iter().filter_map(|r| run(r).err()).collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases disagree with go:\n\n{}",
        failures.len(),
        runs.len(),
        failures.join("\n\n")
    );
}
