//! `gotrust::audit` driven through fixtures: for every rule one fixture where it fires
//! (`fixtures/audit/<category>/<name>/fires`) and one near miss where it must stay silent
//! (`.../near-miss`).
//!
//! A fixture directory may hold: `process.env` (the process environment, `KEY=VALUE` per line,
//! `$FIXTURE` replaced by the fixture's temporary copy), `user.env` (the user go env file,
//! passed with GOENV), `goroot/go.env` (else the stock go.env is used), `gitconfig` (passed
//! with GIT_CONFIG_GLOBAL), `gotrust.toml` (the policy), `go.mod`/`go.sum` (the project) and
//! `chmod` (`path mode` lines applied to the copy, since git does not keep modes). The real
//! process environment and the user's files are never read.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use gotrust::audit::{self, AuditInput, ProjectFiles};
use gotrust::env::{self, EnvSources};
use gotrust::policy::Policy;
use gotrust::report::{Finding, Report, catalog};
use gotrust::settings::Settings;
use gotrust::settings::git::GitSettings;

const STOCK_GO_ENV: &str =
    "# stock\nGOPROXY=https://proxy.golang.org,direct\nGOSUMDB=sum.golang.org\nGOTOOLCHAIN=auto\n";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/audit")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let t = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &t);
        } else {
            std::fs::copy(e.path(), &t).unwrap();
        }
    }
}

/// A loaded fixture: the temporary copy and everything the audit reads.
pub struct Loaded {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    sources: EnvSources,
    policy: Option<Policy>,
    project: Option<ProjectFiles>,
}

impl Loaded {
    fn new(fixture: &Path) -> Loaded {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("fx");
        copy_dir(fixture, &dir);
        let home = tmp.path().join("home");
        std::fs::create_dir_all(&home).unwrap();
        let goroot = if dir.join("goroot/go.env").exists() {
            dir.join("goroot")
        } else {
            let g = tmp.path().join("goroot");
            std::fs::create_dir_all(&g).unwrap();
            std::fs::write(g.join("go.env"), STOCK_GO_ENV).unwrap();
            g
        };
        let mut vars: BTreeMap<String, String> = BTreeMap::new();
        vars.insert("HOME".into(), home.display().to_string());
        vars.insert("GOROOT".into(), goroot.display().to_string());
        vars.insert("GIT_CONFIG_NOSYSTEM".into(), "1".into());
        if dir.join("user.env").exists() {
            vars.insert("GOENV".into(), dir.join("user.env").display().to_string());
        } else {
            vars.insert("GOENV".into(), "off".into());
        }
        if dir.join("gitconfig").exists() {
            vars.insert(
                "GIT_CONFIG_GLOBAL".into(),
                dir.join("gitconfig").display().to_string(),
            );
        }
        if let Ok(text) = std::fs::read_to_string(dir.join("process.env")) {
            for line in text.lines() {
                if let Some((k, v)) = line.split_once('=') {
                    vars.insert(
                        k.to_string(),
                        v.replace("$FIXTURE", &dir.display().to_string()),
                    );
                }
            }
        }
        if let Ok(text) = std::fs::read_to_string(dir.join("chmod")) {
            use std::os::unix::fs::PermissionsExt;
            for line in text.lines() {
                let (p, m) = line.split_once(' ').unwrap();
                let mode = u32::from_str_radix(m, 8).unwrap();
                std::fs::set_permissions(dir.join(p), std::fs::Permissions::from_mode(mode))
                    .unwrap();
            }
        }
        let mut sources = EnvSources::with_process(vars);
        sources.goos = "linux".into();
        let policy = Policy::discover(&dir).unwrap();
        let project = ProjectFiles::load(&dir).unwrap();
        Loaded {
            _tmp: tmp,
            dir,
            sources,
            policy,
            project,
        }
    }

    fn report(&self) -> Report {
        self.report_with(None)
    }

    fn report_with(&self, cross: Option<&env::CrossCheck>) -> Report {
        let goenv = env::resolve(&self.sources);
        let settings = Settings::from_env(&goenv, &self.sources);
        let git = GitSettings::load(|k| self.sources.process.get(k).cloned());
        audit::run(&AuditInput {
            env: &goenv,
            sources: &self.sources,
            settings: &settings,
            git: Some(&git),
            policy: self.policy.as_ref(),
            project: self.project.as_ref(),
            cross_check: cross,
        })
    }
}

fn load(rule: &str, kind: &str) -> Loaded {
    let p = fixtures().join(rule).join(kind);
    assert!(p.is_dir(), "missing fixture {}", p.display());
    Loaded::new(&p)
}

fn of<'r>(report: &'r Report, id: &str) -> Vec<&'r Finding> {
    report
        .findings()
        .iter()
        .filter(|f| f.rule.id == id)
        .collect()
}

/// Every catalog rule that the audit produces has a firing fixture and a near miss, and each
/// behaves.
#[test]
fn every_rule_fires_and_near_misses_stay_silent() {
    let mut checked = 0;
    for rule in catalog::RULES {
        if rule.id == "env/go-disagrees" {
            continue; // needs a go binary's answer: see `go_disagrees` below
        }
        let dir = fixtures().join(rule.id);
        if !dir.exists() {
            continue;
        }
        let fires = load(rule.id, "fires").report();
        assert!(
            !of(&fires, rule.id).is_empty(),
            "{} did not fire; got {:?}",
            rule.id,
            fires
                .findings()
                .iter()
                .map(|f| (f.rule.id, &f.message))
                .collect::<Vec<_>>()
        );
        for f in of(&fires, rule.id) {
            assert!(!f.message.is_empty() && !f.fix.is_empty(), "{}", rule.id);
        }
        let near = load(rule.id, "near-miss").report();
        assert!(
            of(&near, rule.id).is_empty(),
            "{} fired on its near miss: {:?}",
            rule.id,
            of(&near, rule.id)
        );
        checked += 1;
    }
    // Every rule of the catalog that audit emits, except env/go-disagrees.
    let audit_rules = catalog::RULES
        .iter()
        .filter(|r| r.id != "env/go-disagrees")
        .filter(|r| fixtures().join(r.id).is_dir())
        .count();
    assert_eq!(checked, audit_rules);
    assert!(checked >= 43, "only {checked} rules have fixtures");
}

/// Every catalog rule except those owned by other commands has fixtures.
#[test]
fn every_design_rule_has_fixtures() {
    for rule in catalog::RULES {
        if rule.id == "env/go-disagrees" {
            continue;
        }
        let cat = rule.category();
        if ["probe", "verify", "diagnose", "scan", "store"].contains(&cat) {
            continue;
        }
        assert!(
            fixtures().join(rule.id).join("fires").is_dir(),
            "{}",
            rule.id
        );
        assert!(
            fixtures().join(rule.id).join("near-miss").is_dir(),
            "{}",
            rule.id
        );
    }
}

#[test]
fn evidence_names_file_and_line() {
    let l = load("sumdb/missing", "fires");
    let r = l.report();
    let f = of(&r, "sumdb/missing")[0];
    let ev = &f.evidence[0];
    assert_eq!(ev.variable.as_deref(), Some("GOSUMDB"));
    assert_eq!(ev.value.as_deref(), Some(""));
    let loc = ev.location.as_ref().unwrap();
    assert_eq!(loc.path, l.dir.join("user.env"));
    assert_eq!(loc.line, Some(1));
    assert_eq!(ev.origin.as_deref(), Some("user go env file"));
    assert_eq!(
        f.fix,
        format!(
            "Run `go env -u GOSUMDB` (removes {}:1).",
            l.dir.join("user.env").display()
        )
    );
    assert_eq!(
        f.message,
        "GOSUMDB is empty, so every checksum lookup fails with \"verifying module: missing GOSUMDB\""
    );
}

#[test]
fn go_error_texts_are_exact() {
    let r = load("sumdb/invalid", "fires").report();
    assert_eq!(
        of(&r, "sumdb/invalid")[0].message,
        "go rejects GOSUMDB: verifying module: invalid GOSUMDB: malformed verifier id"
    );
    let r = load("proxy/invalid-entry", "fires").report();
    assert_eq!(
        of(&r, "proxy/invalid-entry")[0].message,
        "go rejects GOPROXY, so every module fetch fails: invalid proxy URL missing scheme: /srv/goproxy"
    );
    let r = load("proxy/empty", "fires").report();
    assert_eq!(
        of(&r, "proxy/empty")[0].message,
        "Every module fetch fails: GOPROXY list is not the empty string, but contains no entries"
    );
    let r = load("env/goflags-invalid", "fires").report();
    assert_eq!(
        of(&r, "env/goflags-invalid")[0].message,
        "go rejects GOFLAGS: go: parsing $GOFLAGS: unknown flag -bogus"
    );
}

#[test]
fn severities_that_depend_on_the_case() {
    // plain HTTP proxy that unverified modules reach is critical.
    let mut l = load("proxy/plaintext", "fires");
    let r = l.report();
    assert_eq!(of(&r, "proxy/plaintext")[0].severity.as_str(), "high");
    l.sources.process.insert("GOSUMDB".into(), "off".into());
    let r = l.report();
    assert_eq!(of(&r, "proxy/plaintext")[0].severity.as_str(), "critical");
    // https -> http rewrite is high; https -> ssh is info.
    let r = load("git/insteadof", "fires").report();
    assert_eq!(of(&r, "git/insteadof")[0].severity.as_str(), "high");
    let l = load("git/insteadof", "fires");
    std::fs::write(
        l.dir.join("gitconfig"),
        "[url \"ssh://git@git.corp.example.com/\"]\n\tinsteadOf = https://git.corp.example.com/\n",
    )
    .unwrap();
    let r = l.report();
    assert_eq!(of(&r, "git/insteadof")[0].severity.as_str(), "info");
    // a world-writable file proxy is high.
    let r = load("proxy/file", "fires").report();
    assert_eq!(of(&r, "proxy/file")[0].severity.as_str(), "high");
}

/// Policy: trusted proxies, private scope, allowed GOINSECURE patterns.
#[test]
fn policy_semantics() {
    // Without the policy the same configuration is a third-party finding.
    let mut l = load("proxy/unverified-third-party", "near-miss");
    l.policy = None;
    assert_eq!(of(&l.report(), "proxy/unverified-third-party").len(), 1);

    // [private] scope narrower than GOPRIVATE: bypass; broader: leak.
    let mut l = load("proxy/direct-fallback", "near-miss");
    l.sources
        .process
        .insert("GOPRIVATE".into(), "*.example.com".into());
    l.policy = Some(
        Policy::parse(
            "version = 1\n[private]\nscope = [\"git.corp.example.com\", \"github.com/acme\"]\n",
            Path::new("gotrust.toml"),
        )
        .unwrap(),
    );
    let r = l.report();
    let bypass = of(&r, "sumdb/bypass-public");
    assert_eq!(bypass.len(), 1, "{bypass:?}");
    assert!(bypass[0].message.contains("broader than the private scope"));
    let leak = of(&r, "sumdb/private-path-leak");
    assert_eq!(leak.len(), 1);
    assert_eq!(leak[0].affected, ["github.com/acme"]);
    assert_eq!(
        of(&r, "proxy/private-path-leak")[0].affected,
        ["github.com/acme"]
    );

    // [insecure] allowed silences broad, but not match-all.
    let mut l = load("insecure/broad", "fires");
    l.policy = Some(
        Policy::parse(
            "version = 1\n[insecure]\nallowed = [\"*.internal\"]\n",
            Path::new("p.toml"),
        )
        .unwrap(),
    );
    assert!(of(&l.report(), "insecure/broad").is_empty());
    let mut l = load("insecure/match-all", "fires");
    l.policy = Some(
        Policy::parse(
            "version = 1\n[insecure]\nallowed = [\"*\"]\n",
            Path::new("p.toml"),
        )
        .unwrap(),
    );
    assert_eq!(of(&l.report(), "insecure/match-all").len(), 1);

    // Ignores move findings to suppressed; overrides change severity.
    let mut l = load("sumdb/disabled", "fires");
    l.policy = Some(
        Policy::parse(
            "version = 1\n[rules]\n\"proxy/direct-fallback\" = { severity = \"high\" }\n[[ignore]]\nrule = \"sumdb/disabled\"\nreason = \"air-gapped\"\n",
            Path::new("p.toml"),
        )
        .unwrap(),
    );
    let r = l.report();
    assert!(of(&r, "sumdb/disabled").is_empty());
    assert_eq!(r.suppressed()[0].finding.rule.id, "sumdb/disabled");
    assert_eq!(of(&r, "proxy/direct-fallback")[0].severity.as_str(), "high");
}

#[test]
fn go_disagrees() {
    let l = load("proxy/direct-fallback", "fires");
    let goenv = env::resolve(&l.sources);
    let json = br#"{"GOPROXY": "https://other.example", "GOSUMDB": "sum.golang.org"}"#;
    let cc = env::gocheck::compare_json(&goenv, PathBuf::from("/usr/bin/go"), json).unwrap();
    let r = l.report_with(Some(&cc));
    let d = of(&r, "env/go-disagrees");
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].affected, ["GOPROXY"]);
    // Agreement: silent.
    let json = br#"{"GOPROXY": "https://proxy.golang.org,direct"}"#;
    let cc = env::gocheck::compare_json(&goenv, PathBuf::from("/usr/bin/go"), json).unwrap();
    assert!(of(&l.report_with(Some(&cc)), "env/go-disagrees").is_empty());
}

/// Which settings make modules skip the checksum database (cmd/go/internal/modfetch/sumdb.go
/// `useSumDB`: GOSUMDB=off and GONOSUMDB only).
#[test]
fn settings_that_skip_the_database() {
    // GOINSECURE alone never skips the database (`useSumDB` does not read it).
    let r = load("insecure/unverified", "near-miss").report();
    assert!(of(&r, "insecure/unverified").is_empty());
    assert!(of(&r, "sumdb/disabled").is_empty());
    // GOPROXY=off and direct do not disable the database.
    for kind in ["fires"] {
        for rule in ["proxy/off", "proxy/direct-only"] {
            let r = load(rule, kind).report();
            assert!(of(&r, "sumdb/disabled").is_empty(), "{rule}");
        }
    }
    // GONOSUMCHECK is not a Go variable: unknown, and no bypass.
    let r = load("env/unknown-variable", "fires").report();
    assert!(of(&r, "sumdb/bypass-public").is_empty());
    assert!(
        of(&r, "env/unknown-variable")[0]
            .message
            .contains("did you mean GONOSUMDB?")
    );
    // An empty process GONOSUMDB does not clear GOPRIVATE's default (cmd/go/internal/cfg
    // `Getenv` treats an empty value as unset).
    let mut l = load("proxy/private-path-leak", "near-miss");
    l.sources.process.insert("GONOSUMDB".into(), String::new());
    let r = l.report();
    assert!(of(&r, "sumdb/private-path-leak").is_empty());
}

/// Bad input never panics: malformed env files, bad values, unreadable go.sum.
#[test]
fn bad_input_is_findings_or_errors() {
    let l = load("proxy/direct-fallback", "fires");
    let junk = l.dir.join("user.env");
    std::fs::write(&junk, b"GOPROXY=\xff\xfe,\r\n\x00GOSUMDB\nGOPRIVATE=[,\\\n=x\nGOFLAGS='unterminated\nGOSUMDB=a b c\n").unwrap();
    let mut sources = l.sources.clone();
    sources
        .process
        .insert("GOENV".into(), junk.display().to_string());
    let goenv = env::resolve(&sources);
    let settings = Settings::from_env(&goenv, &sources);
    let r = audit::run(&AuditInput {
        env: &goenv,
        sources: &sources,
        settings: &settings,
        git: None,
        policy: None,
        project: None,
        cross_check: None,
    });
    let ids: Vec<&str> = r.findings().iter().map(|f| f.rule.id).collect();
    for id in [
        "sumdb/invalid",
        "env/goflags-invalid",
        "pattern/invalid",
        "env/quoted-value",
    ] {
        assert!(ids.contains(&id), "{id} in {ids:?}");
    }
    // An unreadable go.sum is an error naming the file, not a panic.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let l = load("project/go-sum-missing", "near-miss");
        let sum = l.dir.join("go.sum");
        std::fs::set_permissions(&sum, std::fs::Permissions::from_mode(0o000)).unwrap();
        if std::fs::read(&sum).is_err() {
            let e = ProjectFiles::load(&l.dir).unwrap_err();
            assert!(
                e.to_string()
                    .starts_with(&format!("cannot read {}", sum.display())),
                "{e}"
            );
        }
    }
}

/// The three renderers on a realistic risky configuration: text and JSON as snapshots (paths
/// of the temporary copy are replaced by `[TMP]`), SARIF by the schema and by each result
/// against its JSON finding.
#[test]
fn risky_configuration_snapshots() {
    let l = Loaded::new(&fixtures().with_file_name("audit-risky"));
    let r = l.report();
    let dir = l._tmp.path().display().to_string();
    let mut text = Vec::new();
    gotrust::report::text::render(
        &r,
        gotrust::report::text::TextOptions { colour: false },
        &mut text,
    )
    .unwrap();
    let mut json = Vec::new();
    gotrust::report::json::render(&r, &mut json).unwrap();
    let mut sarif = Vec::new();
    gotrust::report::sarif::render(&r, "0.0.0-test", &mut sarif).unwrap();
    let (text, json, sarif) = (
        String::from_utf8(text).unwrap(),
        String::from_utf8(json).unwrap(),
        String::from_utf8(sarif).unwrap(),
    );
    let pattern = regex_escape(&dir);
    let filters = vec![(pattern.as_str(), "[TMP]")];
    insta::with_settings!({filters => filters}, {
        insta::assert_snapshot!("risky_text", &text);
        insta::assert_snapshot!("risky_json", &json);
    });
    // SARIF: valid against the schema, and each result is the JSON finding at its place
    // (rule, level from the severity, message, first location, related locations).
    let sarif_v: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    crate::harness::check_sarif(&sarif_v);
    let json_v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let findings = json_v["findings"].as_array().unwrap();
    let results = sarif_v["runs"][0]["results"].as_array().unwrap();
    assert_eq!(
        sarif_v["runs"][0]["tool"]["driver"]["version"],
        "0.0.0-test"
    );
    let levels: Vec<(&str, &str)> = results
        .iter()
        .map(|r| (r["ruleId"].as_str().unwrap(), r["level"].as_str().unwrap()))
        .collect();
    assert_eq!(
        levels,
        [
            ("insecure/unverified", "error"),
            ("project/go-sum-conflict", "error"),
            ("project/unverified-modules", "error"),
            ("proxy/credentials-in-url", "error"),
            ("proxy/plaintext", "error"),
            ("sumdb/bypass-public", "error"),
            ("env/unknown-variable", "warning"),
            ("proxy/fallback-on-any-error", "warning"),
            ("tls/non-public-ca", "warning"),
            ("cache/modcacherw", "note"),
            ("proxy/direct-fallback", "note"),
            ("env/shadowed", "note"),
            ("transport/http-proxy", "note"),
        ]
    );
    assert_eq!(results.len(), findings.len());
    for (r, f) in results.iter().zip(findings) {
        assert_eq!(r["ruleId"], f["id"]);
        assert_eq!(r["properties"]["severity"], f["severity"]);
        assert_eq!(r["message"]["text"], f["message"]);
        assert_eq!(r["properties"]["fix"], f["fix"], "{}", f["id"]);
        assert!(r.get("suppressions").is_none(), "{r}");
        let located: Vec<&serde_json::Value> = f["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e.get("location").filter(|l| !l.is_null()))
            .collect();
        let loc = &r["locations"][0];
        match located.split_first() {
            None => {
                // No file: the location is the variable the finding's evidence names.
                assert_eq!(
                    loc["logicalLocations"][0]["name"],
                    f["evidence"][0]["variable"]
                );
                assert!(r.get("relatedLocations").is_none(), "{r}");
            }
            Some((first, rest)) => {
                let physical = &loc["physicalLocation"];
                let path = first["path"].as_str().unwrap();
                assert!(path.starts_with(&dir), "{path}");
                assert_eq!(
                    physical["artifactLocation"]["uri"],
                    format!("file://{path}")
                );
                assert_eq!(physical["region"]["startLine"], first["line"]);
                let related = r
                    .get("relatedLocations")
                    .map_or(0, |v| v.as_array().unwrap().len());
                assert_eq!(related, rest.len(), "{}", f["id"]);
            }
        }
    }
    // The proxy password never reaches any output.
    for out in [&text, &json, &sarif] {
        assert!(!out.contains("tok3n"));
    }
}

fn regex_escape(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            if "\\.+*?()|[]{}^$".contains(c) {
                vec!['\\', c]
            } else {
                vec![c]
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Suggested fixes work: applying each fix that is a command removes its finding and raises
// nothing as severe.

/// Where a scenario's Go variables are set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Home {
    /// As the fixture has them.
    AsIs,
    /// The process environment.
    Process,
    /// The user go env file (`go env -w`'s file).
    UserFile,
    /// `$GOROOT/go.env`.
    GorootEnv,
}

/// One environment to audit: the process variables and the files, all in a temporary dir.
struct Scene {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    process: BTreeMap<String, String>,
    user_file: PathBuf,
}

/// Variables that move between origins (GOENV and GOROOT locate the files themselves).
fn movable(k: &str) -> bool {
    env::GO_VARS.contains(&k) && k != "GOENV" && k != "GOROOT"
}

fn env_lines(text: &str) -> Vec<(String, String)> {
    text.split('\n')
        .filter_map(|l| l.split_once('='))
        .filter(|(k, _)| !k.trim_start().starts_with('#'))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

impl Scene {
    /// The fixture at `fixture` with its Go variables moved to `home`.
    fn new(fixture: &Path, home: Home) -> Scene {
        let l = Loaded::new(fixture);
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("fx");
        copy_dir(&l.dir, &dir);
        let fix_path =
            |v: &str| v.replace(&l.dir.display().to_string(), &dir.display().to_string());
        let mut process: BTreeMap<String, String> = l
            .sources
            .process
            .iter()
            .map(|(k, v)| (k.clone(), fix_path(v)))
            .collect();
        let go_env = match process.get("GOROOT") {
            Some(g) if Path::new(g).join("go.env").starts_with(&dir) => Path::new(g).join("go.env"),
            _ => {
                let g = dir.join("goroot-stock");
                std::fs::create_dir_all(&g).unwrap();
                std::fs::write(g.join("go.env"), STOCK_GO_ENV).unwrap();
                process.insert("GOROOT".into(), g.display().to_string());
                g.join("go.env")
            }
        };
        let user_file = dir.join("user.env");
        if !user_file.exists() {
            std::fs::write(&user_file, "").unwrap();
        }
        process.insert("GOENV".into(), user_file.display().to_string());
        if home != Home::AsIs {
            // Collect the Go variables by precedence (go.env < user file < process).
            let mut vars: BTreeMap<String, String> = BTreeMap::new();
            let go_env_text = std::fs::read_to_string(&go_env).unwrap();
            let stock = env_lines(STOCK_GO_ENV);
            let mut kept_go_env = Vec::new();
            for (k, v) in env_lines(&go_env_text) {
                if movable(&k) && !stock.contains(&(k.clone(), v.clone())) {
                    vars.entry(k).or_insert(v);
                } else {
                    kept_go_env.push(format!("{k}={v}"));
                }
            }
            let user_text = std::fs::read_to_string(&user_file).unwrap();
            let mut kept_user = Vec::new();
            for (k, v) in env_lines(&user_text) {
                if movable(&k) {
                    vars.insert(k, v);
                } else {
                    kept_user.push(format!("{k}={v}"));
                }
            }
            for (k, v) in process.clone() {
                if movable(&k) {
                    vars.insert(k.clone(), v);
                    process.remove(&k);
                }
            }
            let assignments: Vec<String> = vars.iter().map(|(k, v)| format!("{k}={v}")).collect();
            match home {
                Home::Process => process.extend(vars.clone()),
                Home::UserFile => kept_user.extend(assignments.clone()),
                Home::GorootEnv => {
                    kept_go_env.retain(|l| !vars.keys().any(|k| l.starts_with(&format!("{k}="))));
                    kept_go_env.extend(assignments.clone());
                }
                Home::AsIs => {}
            }
            std::fs::write(&user_file, lines_text(&kept_user)).unwrap();
            std::fs::write(&go_env, lines_text(&kept_go_env)).unwrap();
        }
        drop(l);
        Scene {
            _tmp: tmp,
            dir,
            process,
            user_file,
        }
    }

    fn findings(&self) -> Vec<Finding> {
        let mut sources = EnvSources::with_process(self.process.clone());
        sources.goos = "linux".into();
        let goenv = env::resolve(&sources);
        let settings = Settings::from_env(&goenv, &sources);
        let git = GitSettings::load(|k| sources.process.get(k).cloned());
        let policy = Policy::discover(&self.dir).unwrap();
        let project = ProjectFiles::load(&self.dir).unwrap();
        audit::findings(&AuditInput {
            env: &goenv,
            sources: &sources,
            settings: &settings,
            git: Some(&git),
            policy: policy.as_ref(),
            project: project.as_ref(),
            cross_check: None,
        })
    }

    /// The effective value of `var`.
    fn value(&self, var: &str) -> String {
        let mut sources = EnvSources::with_process(self.process.clone());
        sources.goos = "linux".into();
        env::resolve(&sources).value(var).to_string()
    }
}

fn lines_text(lines: &[String]) -> String {
    lines.iter().map(|l| format!("{l}\n")).collect()
}

/// POSIX shell words of a simple command (plain words and '...' with '\'' inside).
fn shell_words(cmd: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = cmd.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                for c in chars.by_ref() {
                    if c == '\'' {
                        break;
                    }
                    cur.push(c);
                }
            }
            '\\' => {
                in_word = true;
                cur.extend(chars.next());
            }
            ' ' | '\t' => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    words
}

/// The `go env -w`/`go env -u` commands quoted in a fix.
fn go_env_commands(fix: &str) -> Vec<Vec<String>> {
    fix.split('`')
        .skip(1)
        .step_by(2)
        .filter(|c| c.starts_with("go env -w ") || c.starts_with("go env -u "))
        .map(shell_words)
        .collect()
}

/// The variable named right before `marker` ("Unset GOSUMDB in the process environment").
fn var_before(text: &str, marker: &str) -> Option<String> {
    let i = text.find(marker)?;
    text[..i].split_whitespace().last().map(str::to_string)
}

/// `line N of PATH` after `verb` (`Delete`, `Rewrite`).
fn line_of(text: &str, verb: &str) -> Option<(usize, PathBuf, String)> {
    let i = text.find(&format!("{verb} line "))?;
    let rest = &text[i + verb.len() + 6..];
    let (n, rest) = rest.split_once(" of ")?;
    let end = rest.find([' ', '(']).unwrap_or(rest.len());
    let path = rest[..end].trim_end_matches('.');
    Some((
        n.parse().ok()?,
        PathBuf::from(path),
        rest[end..].to_string(),
    ))
}

/// Applies `fix` to the scene. Returns false when the fix is advice, not something to run.
fn apply(scene: &mut Scene, fix: &str) -> bool {
    // The first alternative of "do A; otherwise B" is the suggestion.
    let fix = fix.split("; otherwise").next().unwrap_or(fix);
    let mut applied = false;
    let lower = fix.to_lowercase();
    for marker in [
        " in the process environment",
        " where the process environment sets it",
    ] {
        if let Some(var) = var_before(&lower, marker) {
            let var = var.to_uppercase();
            applied |= scene.process.remove(&var).is_some();
        }
    }
    if let Some((n, path, _)) = line_of(fix, "Delete") {
        let text = std::fs::read_to_string(&path).unwrap();
        let kept: Vec<&str> = text
            .split_inclusive('\n')
            .enumerate()
            .filter(|(i, _)| i + 1 != n)
            .map(|(_, l)| l)
            .collect();
        std::fs::write(&path, kept.concat()).unwrap();
        applied = true;
    }
    if let Some((n, path, rest)) = line_of(fix, "Rewrite") {
        let new = rest
            .trim()
            .strip_prefix("as ")
            .unwrap_or("")
            .trim_end_matches('.');
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<String> = text
            .split('\n')
            .enumerate()
            .map(|(i, l)| {
                if i + 1 == n {
                    new.to_string()
                } else {
                    l.to_string()
                }
            })
            .collect();
        std::fs::write(&path, lines.join("\n")).unwrap();
        applied = true;
    }
    if let Some(rest) = fix.strip_prefix("chmod ") {
        let words = shell_words(rest.split(" (").next().unwrap_or(rest));
        let out = std::process::Command::new("chmod")
            .args(&words)
            .output()
            .unwrap();
        assert!(out.status.success(), "chmod {words:?} failed");
        applied = true;
    }
    for cmd in go_env_commands(fix) {
        let root = scene.dir.join("go-run");
        let mut go = testkit::hermetic_go(&root);
        go.env("GOENV", &scene.user_file);
        let out = go.args(&cmd[1..]).output().unwrap();
        assert!(
            out.status.success(),
            "the fix's command {cmd:?} fails: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        applied = true;
    }
    applied
}

/// A finding's identity across runs.
fn identity(f: &Finding, dir: &Path) -> (String, String) {
    // Credentials in URLs aside, which fixes remove; the scene's directory aside.
    let what = f
        .affected
        .first()
        .cloned()
        .unwrap_or_else(|| f.message.clone())
        .replace(&dir.display().to_string(), "$SCENE");
    (f.rule.id.to_string(), audit::without_credentials(&what).0)
}

/// Scenarios beyond the per-rule fixtures: the cases fixes used to get wrong.
fn extra_scenarios(base: &Path) -> Vec<PathBuf> {
    let cases: &[(&str, &[(&str, &str)])] = &[
        (
            "pipe-direct",
            &[("process.env", "GOPROXY=https://goproxy.example|direct\n")],
        ),
        (
            "credentials-plaintext",
            &[(
                "process.env",
                "GOPROXY=http://alice:s3cret@goproxy.example|https://b.example,direct\n",
            )],
        ),
        (
            "cr-overridden",
            &[(
                "user.env",
                "GOPROXY=https://old.example\r\nGOPROXY=https://proxy.golang.org,direct\n",
            )],
        ),
        (
            "gonosumdb-public-and-private",
            &[("process.env", "GONOSUMDB=git.corp.example.com,github.com\n")],
        ),
        (
            "goprivate-explicit-gonosumdb",
            &[(
                "process.env",
                "GOPRIVATE=github.com/mycorp/*\nGONOSUMDB=github.com/google\n",
            )],
        ),
    ];
    let mut out = Vec::new();
    for (name, files) in cases {
        let d = base.join(name);
        std::fs::create_dir_all(&d).unwrap();
        for (f, text) in *files {
            std::fs::write(d.join(f), text).unwrap();
        }
        out.push(d);
    }
    out
}

#[test]
fn applying_a_suggested_fix_removes_its_finding() {
    let extra = tempfile::tempdir().unwrap();
    let mut fixtures_list: Vec<PathBuf> = catalog::RULES
        .iter()
        .map(|r| fixtures().join(r.id).join("fires"))
        .filter(|p| p.is_dir())
        .collect();
    fixtures_list.extend(extra_scenarios(extra.path()));
    let mut applied = 0;
    let mut advice = 0;
    let mut problems = Vec::new();
    let mut rules_applied = std::collections::BTreeSet::new();
    for fixture in &fixtures_list {
        for home in [Home::AsIs, Home::Process, Home::UserFile, Home::GorootEnv] {
            let scene = Scene::new(fixture, home);
            let before = scene.findings();
            for f in &before {
                let name = format!("{} ({home:?}) {}", fixture.display(), f.rule.id);
                if f.fix.contains("xxxxx") || f.fix.contains("s3cret") {
                    problems.push(format!("{name}: fix carries a credential: {}", f.fix));
                }
                for cmd in go_env_commands(&f.fix) {
                    if cmd.len() == 4
                        && cmd[2] == "-w"
                        && let Some((var, value)) = cmd[3].split_once('=')
                        && scene.value(var) == value
                    {
                        problems.push(format!("{name}: fix repeats the current value: {}", f.fix));
                    }
                }
                let mut after_scene = Scene::new(fixture, home);
                let fix = f.fix.replace(
                    &scene.dir.display().to_string(),
                    &after_scene.dir.display().to_string(),
                );
                if !apply(&mut after_scene, &fix) {
                    advice += 1;
                    continue;
                }
                applied += 1;
                rules_applied.insert(f.rule.id);
                let after = after_scene.findings();
                let before_ids: Vec<_> = before.iter().map(|b| identity(b, &scene.dir)).collect();
                if after
                    .iter()
                    .any(|a| identity(a, &after_scene.dir) == identity(f, &scene.dir))
                {
                    problems.push(format!("{name}: still reported after the fix {:?}", f.fix));
                }
                for a in &after {
                    if a.severity >= f.severity
                        && !before_ids.contains(&identity(a, &after_scene.dir))
                    {
                        problems.push(format!(
                            "{name}: the fix {:?} raises {} ({:?}): {}",
                            f.fix, a.rule.id, a.severity, a.message
                        ));
                    }
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems ({applied} fixes applied, {advice} advice only):\n{}",
        problems.len(),
        problems.join("\n")
    );
    assert!(applied >= 80, "only {applied} fixes applied");
    assert!(
        rules_applied.len() >= 20,
        "fixes of only {} rules applied: {rules_applied:?}",
        rules_applied.len()
    );
}

/// `gotrust explain` and `gotrust audit` judge one configuration the same way: a module's
/// route says `private-path-leak` exactly when audit reports `sumdb/private-path-leak` for a
/// pattern matching it, and `lookup-disabled` exactly when audit reports `proxy/off` (for a
/// path outside GONOPROXY).
#[test]
fn explain_verdicts_agree_with_audit() {
    use gotrust::route::{Planner, Verdict};
    type Vars = &'static [(&'static str, &'static str)];
    let cases: &[(Vars, &[&str])] = &[
        (
            &[
                ("GOPRIVATE", "github.com/mycorp/*"),
                ("GONOSUMDB", "github.com/google"),
            ],
            &[
                "github.com/mycorp/secret",
                "github.com/google/uuid",
                "golang.org/x/text",
            ],
        ),
        (
            &[("GONOPROXY", "corp.example.com")],
            &["corp.example.com/x", "example.com/y"],
        ),
        (
            &[("GOPRIVATE", "corp.example.com")],
            &["corp.example.com/x"],
        ),
        (
            &[
                ("GONOPROXY", "*.corp.example"),
                ("GONOSUMDB", "git.corp.example"),
            ],
            &["git.corp.example/a", "svn.corp.example/b"],
        ),
        (
            &[("GOPROXY", "off")],
            &["golang.org/x/text", "example.com/m"],
        ),
        (
            &[("GOPROXY", "off"), ("GOPRIVATE", "corp.example.com")],
            &["corp.example.com/x", "golang.org/x/text"],
        ),
        (
            &[("GOSUMDB", "off"), ("GONOPROXY", "corp.example.com")],
            &["corp.example.com/x"],
        ),
    ];
    let tmp = tempfile::tempdir().unwrap();
    let goroot = tmp.path().join("goroot");
    std::fs::create_dir_all(&goroot).unwrap();
    std::fs::write(goroot.join("go.env"), STOCK_GO_ENV).unwrap();
    let mut checked = 0;
    for (vars, modules) in cases {
        let mut all: Vec<(String, String)> = vec![
            ("HOME".into(), tmp.path().display().to_string()),
            ("GOENV".into(), "off".into()),
            ("GOROOT".into(), goroot.display().to_string()),
        ];
        all.extend(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let mut sources = EnvSources::with_process(all);
        sources.goos = "linux".into();
        let goenv = env::resolve(&sources);
        let settings = Settings::from_env(&goenv, &sources);
        let findings = audit::findings(&AuditInput {
            env: &goenv,
            sources: &sources,
            settings: &settings,
            git: None,
            policy: None,
            project: None,
            cross_check: None,
        });
        let planner = Planner::new(&settings, &goenv);
        for m in *modules {
            let route = planner.plan(m);
            let leak_patterns = findings
                .iter()
                .filter(|f| f.rule.id == catalog::SUMDB_PRIVATE_PATH_LEAK.id)
                .flat_map(|f| f.affected.iter())
                .filter(|p| gomod::pattern::PatternList::parse(p).matches(m))
                .count();
            let off = findings.iter().any(|f| f.rule.id == catalog::PROXY_OFF.id);
            let gonoproxy = gomod::pattern::PatternList::parse(goenv.value("GONOPROXY")).matches(m);
            assert_eq!(
                route.verdict == Verdict::PrivatePathLeak,
                leak_patterns > 0
                    && !gomod::pattern::PatternList::parse(goenv.value("GONOSUMDB")).matches(m),
                "{vars:?} {m}: verdict {} vs audit {findings:#?}",
                route.verdict.name()
            );
            assert_eq!(
                route.verdict == Verdict::LookupDisabled,
                off && !gonoproxy,
                "{vars:?} {m}: verdict {}",
                route.verdict.name()
            );
            assert_ne!(
                route.verdict == Verdict::DatabaseVerified,
                route.verdict == Verdict::PrivatePathLeak
                    || route.verdict == Verdict::LookupDisabled
                    || !route.checksum.database,
                "{vars:?} {m}"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 13);
}

/// The fixes of findings whose setting is in a scanned file edit that file, in its own
/// syntax (never `go env -w` or the process environment, unless the file is a script running
/// `go env -w`): applied to the file, a rescan no longer reports the finding and reports
/// nothing new of equal or higher severity.
#[test]
fn applying_a_suggested_fix_to_a_scanned_file_removes_its_finding() {
    use gotrust::scan::evaluate::{Baseline, evaluate_all};
    use gotrust::scan::{FileKind, scan_text};
    type Render = fn(&[(&str, &str)]) -> String;
    let scenarios: &[&[(&str, &str)]] = &[
        &[("GONOSUMDB", "git.corp.example")],
        &[("GONOPROXY", "git.corp.example")],
        &[("GONOSUMDB", "git.corp.example,github.com")],
        &[("GOSUMDB", "off")],
        &[("GOPROXY", "https://goproxy.example|direct")],
        &[("GOPROXY", "https://goproxy.cn,direct")],
        &[("GOPROXY", "http://mirror.example.com")],
        &[("GOINSECURE", "*")],
        &[("GOINSECURE", "github.com")],
        &[("GOFLAGS", "-insecure")],
        &[("GOFLAGS", "-mod=mod -insecure")],
        &[("GOPRIVATE", "github.com")],
        &[("GOVCS", "public:all")],
        &[("GOPROXY", "https://alice:s3cret@mirror.example.com")],
    ];
    let kinds: &[(FileKind, &str, Render)] = &[
        (FileKind::Dockerfile, "Dockerfile", |v| {
            let mut s = "FROM golang\n".to_string();
            for (k, x) in v {
                s.push_str(&format!("ENV {k}=\"{x}\"\n"));
            }
            s + "RUN go build\n"
        }),
        (FileKind::Shell, ".envrc", |v| {
            v.iter()
                .map(|(k, x)| format!("export {k}='{x}'\n"))
                .collect()
        }),
        (FileKind::Shell, "setup.sh", |v| {
            v.iter()
                .map(|(k, x)| format!("go env -w {k}='{x}'\n"))
                .collect()
        }),
        (FileKind::GoEnvFile, "go.env", |v| {
            v.iter().map(|(k, x)| format!("{k}={x}\n")).collect()
        }),
        (FileKind::Makefile, "Makefile", |v| {
            v.iter()
                .map(|(k, x)| format!("export {k} = {x}\n"))
                .collect()
        }),
        (FileKind::GitHubActions, ".github/workflows/ci.yml", |v| {
            let mut s = "on: push\njobs:\n  b:\n    runs-on: x\n    env:\n".to_string();
            for (k, x) in v {
                s.push_str(&format!("      {k}: '{x}'\n"));
            }
            s + "      CGO_ENABLED: '0'\n    steps:\n      - run: go build\n"
        }),
        (FileKind::GitLabCi, ".gitlab-ci.yml", |v| {
            let mut s = "variables:\n".to_string();
            for (k, x) in v {
                s.push_str(&format!("  {k}: '{x}'\n"));
            }
            s + "  CGO_ENABLED: '0'\nbuild:\n  script:\n    - go build\n"
        }),
        (FileKind::Compose, "docker-compose.yml", |v| {
            let mut s = "services:\n  build:\n    image: golang\n    environment:\n".to_string();
            for (k, x) in v {
                s.push_str(&format!("      - {k}={x}\n"));
            }
            s + "      - CGO_ENABLED=0\n"
        }),
        (FileKind::Compose, "compose.yaml", |v| {
            let mut s = "services:\n  build:\n    image: golang\n    environment:\n".to_string();
            for (k, x) in v {
                s.push_str(&format!("      {k}: \"{x}\"\n"));
            }
            s + "      CGO_ENABLED: \"0\"\n"
        }),
        (FileKind::Manifest, "deploy/job.yaml", |v| {
            let mut s = "apiVersion: batch/v1\nkind: Job\nspec:\n  template:\n    spec:\n      \
                         containers:\n        - name: build\n          image: golang\n          env:\n"
                .to_string();
            for (k, x) in v {
                s.push_str(&format!(
                    "            - name: {k}\n              value: \"{x}\"\n"
                ));
            }
            s + "            - name: CGO_ENABLED\n              value: \"0\"\n"
        }),
        (
            FileKind::Devcontainer,
            ".devcontainer/devcontainer.json",
            |v| {
                let mut s = "{\n  \"image\": \"golang\",\n  \"containerEnv\": {\n".to_string();
                for (k, x) in v {
                    s.push_str(&format!("    \"{k}\": \"{x}\",\n"));
                }
                s + "    \"CGO_ENABLED\": \"0\"\n  }\n}\n"
            },
        ),
        (FileKind::Bazelrc, ".bazelrc", |v| {
            let mut s = String::new();
            for (k, x) in v {
                // .bazelrc lines are split into words as a shell would.
                if x.contains(' ') {
                    s.push_str(&format!("build \"--action_env={k}={x}\"\n"));
                } else {
                    s.push_str(&format!("build --action_env={k}={x}\n"));
                }
            }
            s + "build --action_env=CGO_ENABLED=0\n"
        }),
        (FileKind::PowerShell, "build.ps1", |v| {
            let mut s = String::new();
            for (k, x) in v {
                s.push_str(&format!("$env:{k} = '{x}'\n"));
            }
            s + "go build ./...\n"
        }),
        (FileKind::Jenkinsfile, "Jenkinsfile", |v| {
            let mut s = "pipeline {\n  agent any\n  environment {\n".to_string();
            for (k, x) in v {
                s.push_str(&format!("    {k} = '{x}'\n"));
            }
            s + "  }\n  stages {\n    stage('b') { steps { sh 'go build' } }\n  }\n}\n"
        }),
        (FileKind::DotEnv, ".env", |v| {
            v.iter().map(|(k, x)| format!("{k}={x}\n")).collect()
        }),
        (FileKind::Justfile, "justfile", |v| {
            let mut s = String::new();
            for (k, x) in v {
                s.push_str(&format!("export {k} := \"{x}\"\n"));
            }
            s + "build:\n    go build\n"
        }),
        (FileKind::Batch, "build.bat", |v| {
            let mut s = "@echo off\n".to_string();
            for (k, x) in v {
                // Unquoted, `|` and `&` end the command (a pipe, a second command).
                if x.contains(['|', '&']) {
                    s.push_str(&format!("set \"{k}={x}\"\n"));
                } else {
                    s.push_str(&format!("set {k}={x}\n"));
                }
            }
            s + "go build ./...\n"
        }),
        (FileKind::Nix, "flake.nix", |v| {
            let mut s = "{\n  devShells.default = pkgs.mkShell {\n".to_string();
            for (k, x) in v {
                s.push_str(&format!("    {k} = \"{x}\";\n"));
            }
            s + "  };\n}\n"
        }),
        (FileKind::Earthfile, "Earthfile", |v| {
            let mut s = "VERSION 0.8\nbuild:\n    FROM golang\n".to_string();
            for (k, x) in v {
                s.push_str(&format!("    ENV {k}=\"{x}\"\n"));
            }
            s + "    RUN go build\n"
        }),
        (FileKind::Mise, "mise.toml", |v| {
            let mut s = "[env]\n".to_string();
            for (k, x) in v {
                s.push_str(&format!("{k} = \"{x}\"\n"));
            }
            s + "\n[tools]\ngo = \"1.24\"\n"
        }),
        (FileKind::Netlify, "netlify.toml", |v| {
            let mut s = "[build.environment]\n".to_string();
            for (k, x) in v {
                s.push_str(&format!("  {k} = '{x}'\n"));
            }
            s
        }),
        (FileKind::Fly, "fly.toml", |v| {
            let mut s = "app = \"svc\"\n[env]\n".to_string();
            for (k, x) in v {
                s.push_str(&format!("  {k} = \"{x}\"\n"));
            }
            s + "[build.args]\n  CGO_ENABLED = \"0\"\n"
        }),
    ];
    let baseline = Baseline::default();
    let findings = |kind: FileKind, name: &str, text: &str| -> Result<Vec<Finding>, String> {
        let found = scan_text(Path::new(name), kind, text).map_err(|e| e.to_string())?;
        Ok(evaluate_all(&found, None, &baseline).findings)
    };
    let id = |f: &Finding| (f.rule.id, f.affected.first().cloned().unwrap_or_default());
    let mut applied = 0;
    let mut problems = Vec::new();
    for vars in scenarios {
        for (kind, name, render) in kinds {
            let text = render(vars);
            let before = findings(*kind, name, &text).unwrap();
            if before.is_empty() {
                problems.push(format!("{name} {vars:?}: nothing found in\n{text}"));
            }
            for f in &before {
                let label = format!("{name} {vars:?} {}", f.rule.id);
                let runs_go_env = *name == "setup.sh";
                if !runs_go_env && (f.fix.contains("go env -w") || f.fix.contains("go env -u")) {
                    problems.push(format!("{label}: fix runs go env for a file: {}", f.fix));
                }
                if f.fix.contains("process environment") {
                    problems.push(format!(
                        "{label}: fix names the process environment: {}",
                        f.fix
                    ));
                }
                if f.fix.contains("s3cret") || f.fix.contains("xxxxx") {
                    problems.push(format!("{label}: fix prints a credential: {}", f.fix));
                }
                if !f.fix.contains(name) {
                    problems.push(format!("{label}: fix does not name the file: {}", f.fix));
                }
                let Some(edited) = apply_to_file(&text, &f.fix) else {
                    continue;
                };
                applied += 1;
                let after = match findings(*kind, name, &edited) {
                    Ok(after) => after,
                    Err(e) => {
                        problems.push(format!(
                            "{label}: the fix {:?} breaks the file: {e}\n{edited}",
                            f.fix
                        ));
                        continue;
                    }
                };
                if after.iter().any(|a| id(a) == id(f)) {
                    problems.push(format!(
                        "{label}: still reported after the fix {:?}:\n{edited}",
                        f.fix
                    ));
                }
                for a in &after {
                    if a.severity >= f.severity && !before.iter().any(|b| id(b) == id(a)) {
                        problems.push(format!(
                            "{label}: the fix {:?} raises {} ({:?}): {}\n{edited}",
                            f.fix, a.rule.id, a.severity, a.message
                        ));
                    }
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems ({applied} fixes applied):\n{}",
        problems.len(),
        problems.join("\n")
    );
    // 374 today: a drop means fixes turned into advice that names no line to edit.
    assert!(applied >= 350, "only {applied} fixes applied");
}

/// The file `text` edited as `fix` says: `Change the V setting on line N of F (...) to `S``
/// (line N becomes S, indented as it was), `Remove the V setting from line N of F` or
/// `Add `S` to F after line N`. `None` when the fix is advice.
fn apply_to_file(text: &str, fix: &str) -> Option<String> {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let indent = |l: &str| l[..l.len() - l.trim_start().len()].to_string();
    let number = |s: &str| -> Option<usize> {
        s.split(|c: char| !c.is_ascii_digit())
            .find(|w| !w.is_empty())?
            .parse()
            .ok()
    };
    let quoted = |s: &str| -> Option<String> {
        let start = s.find('`')? + 1;
        let end = start + s[start..].find('`')?;
        Some(s[start..end].to_string())
    };
    if let Some(i) = fix.find("Change the ") {
        let rest = &fix[i..];
        let n = number(&rest[rest.find(" on line ")? + 9..])?;
        let new = quoted(&rest[rest.find(") to ")?..])?;
        let old = lines.get(n - 1)?.clone();
        lines[n - 1] = indent(&old) + &new;
    } else if let Some(i) = fix.find("emove the ") {
        let rest = &fix[i..];
        if let Some(at) = rest.find(" from lines ") {
            // `from lines A-B`
            let range = &rest[at + 12..];
            let a = number(range)?;
            let b = number(&range[range.find('-')? + 1..])?;
            lines.drain(a - 1..b);
        } else {
            let n = number(&rest[rest.find(" from line ")? + 11..])?;
            lines.remove(n - 1);
        }
    } else if let Some(i) = fix.find("dd `") {
        // `Add `A` [followed by `B`] to F after line N` (or `before line N`); later lines
        // are given with their indentation relative to the first.
        let rest = &fix[i + 3..];
        let block_end = rest.find("` to ")? + 1;
        let new: Vec<String> = rest[..block_end]
            .split("` followed by `")
            .map(|l| l.trim_matches('`').to_string())
            .collect();
        let (n, before) = match rest.find(" after line ") {
            Some(at) => (number(&rest[at + 12..])?, false),
            None => (number(&rest[rest.find(" before line ")? + 13..])?, true),
        };
        let ind = indent(lines.get(n - 1)?);
        let at = if before { n - 1 } else { n };
        for (k, l) in new.iter().enumerate() {
            lines.insert(at + k, ind.clone() + l);
        }
    } else {
        return None;
    }
    Some(lines.iter().map(|l| format!("{l}\n")).collect())
}

/// Audit findings for `vars` in the process environment, with the stock go.env and no user
/// go env file.
fn audit_of(vars: &[(&str, &str)]) -> Vec<Finding> {
    let tmp = tempfile::tempdir().unwrap();
    let goroot = tmp.path().join("goroot");
    std::fs::create_dir_all(&goroot).unwrap();
    std::fs::write(goroot.join("go.env"), STOCK_GO_ENV).unwrap();
    let mut process = vec![
        ("HOME".to_string(), tmp.path().display().to_string()),
        ("GOENV".to_string(), "off".to_string()),
        ("GOROOT".to_string(), goroot.display().to_string()),
    ];
    process.extend(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let mut sources = EnvSources::with_process(process);
    sources.goos = "linux".into();
    let goenv = env::resolve(&sources);
    let settings = Settings::from_env(&goenv, &sources);
    audit::findings(&AuditInput {
        env: &goenv,
        sources: &sources,
        settings: &settings,
        git: None,
        policy: None,
        project: None,
        cross_check: None,
    })
}

/// A GOINSECURE entry with white space matches nothing (go does not trim it, and no module
/// path contains white space), so only pattern/invalid speaks: not insecure/broad or
/// insecure/match-all on the `*` it looks like. Its fix drops the entry rather than trimming
/// it, which would turn TLS off for everything.
#[test]
fn goinsecure_entry_with_white_space_is_only_invalid() {
    for (value, fixed) in [
        ("* ", None),
        (" *.corp.example", None),
        ("github.com ,git.corp.example", Some("git.corp.example")),
    ] {
        let findings = audit_of(&[("GOINSECURE", value)]);
        let insecure: Vec<(&str, &[String])> = findings
            .iter()
            .filter(|f| f.rule.id.starts_with("insecure/"))
            .map(|f| (f.rule.id, f.affected.as_slice()))
            .collect();
        // Only the entry without white space (`git.corp.example`) may be judged.
        assert!(
            insecure
                .iter()
                .all(|(_, a)| a.iter().all(|p| !p.contains(' '))),
            "{value:?}: {insecure:?}"
        );
        let invalid: Vec<&Finding> = findings
            .iter()
            .filter(|f| f.rule.id == "pattern/invalid" && f.message.contains("white space"))
            .collect();
        assert_eq!(invalid.len(), 1, "{value:?}");
        let fix = &invalid[0].fix;
        match fixed {
            None => assert!(fix.contains("Unset GOINSECURE"), "{value:?}: {fix}"),
            Some(rest) => assert!(
                fix.contains(&format!("to {rest}")) && !fix.contains("github.com"),
                "{value:?}: {fix}"
            ),
        }
    }
}

/// GONOPROXY=github.com fetches public modules direct, and the database must still check
/// them: that is no private-path leak, and the fix must never be to add github.com to
/// GONOSUMDB (sumdb/bypass-public). A private path under it still leaks.
#[test]
fn public_hosts_fetched_direct_are_not_a_private_path_leak() {
    let leaks = |vars: &[(&str, &str)]| -> Vec<String> {
        audit_of(vars)
            .into_iter()
            .filter(|f| f.rule.id == "sumdb/private-path-leak")
            .flat_map(|f| f.affected)
            .collect()
    };
    assert!(leaks(&[("GONOPROXY", "github.com,gopkg.in")]).is_empty());
    assert_eq!(
        leaks(&[("GONOPROXY", "github.com,git.corp.example")]),
        ["git.corp.example"]
    );
    assert_eq!(
        leaks(&[("GONOPROXY", "github.com/mycorp")]),
        ["github.com/mycorp"]
    );
}
