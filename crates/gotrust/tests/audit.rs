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
    // Every rule of design §3 plus the audit's own rules, except env/go-disagrees.
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

/// Spec §4.5 interplay: which settings make modules skip the database.
#[test]
fn spec_interplay_table() {
    // GOINSECURE alone never skips the database (§3.5).
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
    // An empty process GONOSUMDB does not clear GOPRIVATE's default (§1.1).
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

/// Snapshots of the three renderers on a realistic risky configuration (paths of the
/// temporary copy are replaced by `[FIXTURE]`).
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
        insta::assert_snapshot!("risky_sarif", &sarif);
    });
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
