//! Set-up shared by this binary's modules: HTTP clients and checksum-database clients for a
//! lab, and the SARIF checks. The lab itself, go runs and the oracle come from `testkit`.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use gotrust::net::goproxy::SumdbBase;
use gotrust::net::sumdb::{BaseSource, SumdbClient, SumdbConfig};
use gotrust::net::tls::RootSource;
use gotrust::net::{HttpClient, HttpConfig};
use gotrust::report::{Severity, catalog, sarif};
use gotrust::verify::sums::{Database, DatabaseAccess};
use gotrust_lab::RunningLab;
use serde_json::Value;

/// Client settings for loopback servers: `read_timeout` per read, 5 s to connect, and a whole
/// request bounded by 20 s (or the read timeout when longer).
pub fn http_config(read_timeout: Duration) -> HttpConfig {
    HttpConfig {
        read_timeout,
        connect_timeout: Duration::from_secs(5),
        overall_timeout: Some(read_timeout.max(Duration::from_secs(20))),
        ..HttpConfig::default()
    }
}

/// A client with [`http_config`] and the system roots.
pub fn http(read_timeout: Duration) -> Arc<HttpClient> {
    Arc::new(HttpClient::new(http_config(read_timeout)).expect("build the HTTP client"))
}

/// A client with [`http_config`] that trusts `lab`'s CA when the lab serves HTTPS.
pub fn lab_http(lab: &RunningLab, read_timeout: Duration) -> Arc<HttpClient> {
    let mut cfg = http_config(read_timeout);
    if let Some(ca) = lab.ca_file() {
        cfg.roots = RootSource::CaFile(ca.to_path_buf());
    }
    Arc::new(HttpClient::new(cfg).expect("build the HTTP client"))
}

/// The checksum database with verifier key `key` at `url`, its verified state kept in
/// `state_dir`.
pub fn sumdb_config_at(url: &str, key: &str, state_dir: PathBuf) -> SumdbConfig {
    SumdbConfig {
        key: key.to_string(),
        base: SumdbBase(url::Url::parse(url).expect("a checksum database URL")),
        state_dir,
        go_latest: None,
        go_cache: None,
        private: None,
    }
}

/// The lab's checksum database with its verified state kept in `state_dir`.
pub fn sumdb_config(lab: &RunningLab, state_dir: PathBuf) -> SumdbConfig {
    sumdb_config_at(&lab.sumdb_url(), lab.verifier_key(), state_dir)
}

/// A database over `client` (configured by `cfg`), reached at its explicit URL, skipping
/// the paths of `nosumdb` (GONOSUMDB syntax).
pub fn database_over(
    http: Arc<HttpClient>,
    client: SumdbClient,
    cfg: &SumdbConfig,
    nosumdb: &str,
) -> Arc<Database> {
    Arc::new(Database::new(
        http,
        client,
        cfg.base.clone(),
        BaseSource::Explicit,
        nosumdb,
    ))
}

/// An online client of the database at `cfg`.
pub async fn database_at(http: Arc<HttpClient>, cfg: SumdbConfig, nosumdb: &str) -> Arc<Database> {
    let client = SumdbClient::new(http.clone(), cfg.clone())
        .await
        .expect("open the checksum database client");
    database_over(http, client, &cfg, nosumdb)
}

/// An online client of `lab`'s database with its state in `state_dir`.
pub async fn lab_database(
    lab: &RunningLab,
    http: Arc<HttpClient>,
    state_dir: &Path,
    nosumdb: &str,
) -> Arc<Database> {
    database_at(http, sumdb_config(lab, state_dir.to_path_buf()), nosumdb).await
}

/// [`lab_database`], switched on.
pub async fn lab_database_on(
    lab: &RunningLab,
    http: Arc<HttpClient>,
    state_dir: &Path,
    nosumdb: &str,
) -> DatabaseAccess {
    DatabaseAccess::On(lab_database(lab, http, state_dir, nosumdb).await)
}

/// Validates `v` against the official SARIF 2.1.0 schema (tests/data), with format assertions
/// (`uri`, `uri-reference`) on, then checks what the schema cannot: cross-references and the
/// properties code scanning relies on.
pub fn check_sarif(v: &Value) {
    testkit::sarif::assert_valid(v);

    assert_eq!(v["version"], "2.1.0");
    assert!(v["$schema"].as_str().unwrap().starts_with("https://"));
    let runs = v["runs"].as_array().expect("runs is an array");
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    let driver = &run["tool"]["driver"];
    assert!(driver["name"].as_str().is_some_and(|s| !s.is_empty()));
    assert!(driver["version"].is_string());
    assert!(
        driver["informationUri"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );
    let rules = driver["rules"].as_array().unwrap();
    assert!(rules.len() >= catalog::RULES.len());
    for (i, rule) in rules.iter().enumerate() {
        if let Some(r) = catalog::RULES.get(i) {
            assert_eq!(rule["id"], r.id);
        }
        assert!(
            rule["shortDescription"]["text"]
                .as_str()
                .is_some_and(|s| !s.is_empty())
        );
        assert!(rule["help"]["text"].as_str().is_some_and(|s| !s.is_empty()));
        assert!(matches!(
            rule["defaultConfiguration"]["level"].as_str(),
            Some("none" | "note" | "warning" | "error")
        ));
        let score: f64 = rule["properties"]["security-severity"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((0.0..=10.0).contains(&score));
    }
    for r in run["results"].as_array().expect("results is an array") {
        // `message` is the only required property of a result; we always add the rule.
        assert!(r["message"]["text"].as_str().is_some_and(|s| !s.is_empty()));
        let idx = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[idx]["id"], r["ruleId"]);
        assert!(matches!(
            r["level"].as_str(),
            Some("none" | "note" | "warning" | "error")
        ));
        let sev: Severity = serde_json::from_value(r["properties"]["severity"].clone()).unwrap();
        assert_eq!(r["level"], sarif::level(sev));
        if let Some(locs) = r.get("locations") {
            for l in locs.as_array().unwrap() {
                let Some(p) = l.get("physicalLocation") else {
                    assert!(l["logicalLocations"][0]["name"].is_string());
                    continue;
                };
                assert!(
                    p["artifactLocation"]["uri"]
                        .as_str()
                        .is_some_and(|s| !s.is_empty() && !s.contains(' '))
                );
                if let Some(region) = p.get("region") {
                    assert!(region["startLine"].as_u64().unwrap() >= 1);
                }
            }
        }
        if let Some(sups) = r.get("suppressions") {
            for s in sups.as_array().unwrap() {
                assert!(matches!(s["kind"].as_str(), Some("inSource" | "external")));
            }
        }
    }
}
