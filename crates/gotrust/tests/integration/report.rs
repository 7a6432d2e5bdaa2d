//! Snapshot tests of every report format on one hand-built report, and a structural check of
//! the SARIF log against the parts of the SARIF 2.1.0 schema that code scanning relies on.

use gotrust::policy::Policy;
use gotrust::report::catalog::{self, *};
use gotrust::report::text::TextOptions;
use gotrust::report::{Evidence, Finding, Report, Severity, json, sarif, text};
use serde_json::Value;

fn sample() -> Report {
    let findings = vec![
        Finding::new(
            &SUMDB_DISABLED,
            "GOSUMDB is off: no module is checked against the checksum database",
        )
        .with_evidence(
            Evidence::variable("GOSUMDB", "off")
                .origin("user go env file")
                .at("/home/dev/.config/go/env", Some(3)),
        )
        .with_fix("Run `go env -u GOSUMDB` and list private paths in GOPRIVATE."),
        Finding::new(
            &PROXY_CREDENTIALS_IN_URL,
            "GOPROXY contains credentials for https://ci:hunter2@proxy.corp.example",
        )
        .with_evidence(
            Evidence::variable(
                "GOPROXY",
                "https://ci:hunter2@proxy.corp.example,https://tok3n@mirror.example|direct",
            )
            .origin("process environment"),
        ),
        Finding::new(
            &PROXY_DIRECT_FALLBACK,
            "modules missing from proxy.golang.org are fetched from VCS",
        )
        .with_evidence(
            Evidence::variable("GOPROXY", "https://proxy.golang.org,direct").origin("default"),
        ),
        Finding::new(
            &INSECURE_BROAD,
            "GOINSECURE pattern `*.io` covers every .io host",
        )
        .with_evidence(
            Evidence::variable("GOINSECURE", "*.io")
                .origin("Dockerfile")
                .at("build/Dockerfile", Some(12)),
        )
        .with_affected("*.io"),
        Finding::new(
            &PROJECT_GO_SUM_CONFLICT,
            "two hashes for golang.org/x/text@v0.3.0",
        )
        .with_evidence(Evidence {
            value: Some("h1:g61tztE5qeGQ89tm6NTjjM9VPIm088od1l6aSorWRWg=".into()),
            location: Some(gotrust::report::Location {
                path: "go.sum".into(),
                line: Some(7),
            }),
            ..Evidence::default()
        })
        .with_evidence(Evidence {
            value: Some("h1:AAAAztE5qeGQ89tm6NTjjM9VPIm088od1l6aSorWRWg=".into()),
            location: Some(gotrust::report::Location {
                path: "go.sum".into(),
                line: Some(9),
            }),
            ..Evidence::default()
        })
        .with_affected("golang.org/x/text@v0.3.0"),
        Finding::new(&ENV_FILE_WRITABLE, "the go env file is writable by others")
            .with_evidence(Evidence::default().at("/home/dev/.config/go/env", None)),
        Finding::new(&TLS_CUSTOM_ROOTS, "SSL_CERT_FILE replaces the system roots").with_evidence(
            Evidence::variable("SSL_CERT_FILE", "/etc/corp/ca.pem").origin("process environment"),
        ),
    ];
    let policy = Policy::parse(
        r#"version = 1
[rules]
"proxy/direct-fallback" = { severity = "info" }
[[ignore]]
rule = "tls/custom-roots"
reason = "corporate CA, see https://admin:s3cret@wiki.corp.example/ca"
"#,
        std::path::Path::new("gotrust.toml"),
    )
    .unwrap();
    Report::with_policy(findings, &policy)
}

#[test]
fn text_plain() {
    let out = text::to_string(&sample(), TextOptions { colour: false });
    assert!(!out.contains("hunter2") && !out.contains("tok3n") && !out.contains("s3cret"));
    assert!(!out.contains('\x1b'));
    insta::assert_snapshot!(out);
}

#[test]
fn text_colour() {
    let out = text::to_string(&sample(), TextOptions { colour: true });
    assert!(out.contains("\x1b["));
    // Stripping the escapes gives exactly the plain rendering.
    let mut stripped = String::new();
    let mut chars = out.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            stripped.push(c);
        }
    }
    assert_eq!(
        stripped,
        text::to_string(&sample(), TextOptions { colour: false })
    );
}

#[test]
fn text_empty() {
    insta::assert_snapshot!(text::to_string(&Report::default(), TextOptions::default()), @r"
    no findings
    summary: 0 critical, 0 high, 0 medium, 0 low, 0 info
    ");
}

#[test]
fn json_output() {
    let out = json::to_string(&sample());
    assert!(!out.contains("hunter2") && !out.contains("tok3n") && !out.contains("s3cret"));
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v, json::to_value(&sample()));
    assert_eq!(v["schema_version"], 1);
    for f in v["findings"].as_array().unwrap() {
        for key in ["id", "severity", "message", "evidence", "affected", "fix"] {
            assert!(f.get(key).is_some(), "finding lacks {key}: {f}");
        }
    }
    assert_eq!(v["summary"]["total"], 6);
    assert_eq!(v["summary"]["suppressed"], 1);
    insta::assert_snapshot!(out);
}

#[test]
fn sarif_output() {
    let out = sarif::to_string(&sample(), "0.0.0");
    assert!(!out.contains("hunter2") && !out.contains("tok3n") && !out.contains("s3cret"));
    let v: Value = serde_json::from_str(&out).unwrap();
    check_sarif(&v);
    // Results with a known file have a location; the others have none.
    let results = v["runs"][0]["results"].as_array().unwrap();
    let by_rule = |id: &str| results.iter().find(|r| r["ruleId"] == id).unwrap();
    let loc = &by_rule("sumdb/disabled")["locations"][0]["physicalLocation"];
    assert_eq!(
        loc["artifactLocation"]["uri"],
        "file:///home/dev/.config/go/env"
    );
    assert_eq!(loc["region"]["startLine"], 3);
    // Without a file, the location is logical: the environment variable.
    let logical = &by_rule("proxy/direct-fallback")["locations"][0];
    assert!(logical.get("physicalLocation").is_none());
    assert_eq!(logical["logicalLocations"][0]["kind"], "variable");
    let conflict = by_rule("project/go-sum-conflict");
    assert_eq!(
        conflict["locations"][0]["physicalLocation"]["region"]["startLine"],
        7
    );
    assert_eq!(
        conflict["relatedLocations"][0]["physicalLocation"]["region"]["startLine"],
        9
    );
    assert_eq!(
        conflict["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "go.sum"
    );
    assert!(
        by_rule("env/file-writable")["locations"][0]["physicalLocation"]
            .get("region")
            .is_none()
    );
    assert_eq!(
        by_rule("tls/custom-roots")["suppressions"][0]["kind"],
        "external"
    );
    insta::assert_snapshot!(out);
}

/// The schema check is live: it rejects a result without its required `message`, a bad
/// `level` and a URI with a space.
#[test]
fn sarif_schema_rejects_broken_logs() {
    let good = sarif::to_value(&sample(), "0.0.0");
    assert_eq!(schema_error(&good), None);
    let mut broken = good.clone();
    broken["runs"][0]["results"][0]
        .as_object_mut()
        .unwrap()
        .remove("message");
    assert!(schema_error(&broken).is_some());
    let mut broken = good.clone();
    broken["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(schema_error(&broken).is_some());
    let mut broken = good;
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] =
        "file:///a b".into();
    assert!(schema_error(&broken).is_some());
}

fn schema_error(v: &Value) -> Option<String> {
    let schema: Value =
        serde_json::from_str(include_str!("../data/sarif-schema-2.1.0.json")).unwrap();
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler.enable_format_assertions();
    let url = "file:///sarif-schema-2.1.0.json";
    compiler.add_resource(url, schema).unwrap();
    let index = compiler.compile(url, &mut schemas).unwrap();
    schemas.validate(v, index).err().map(|e| format!("{e:#}"))
}

/// A rule defined by a library user outside the catalog still gets a SARIF rule entry.
#[test]
fn sarif_rule_outside_catalog() {
    static CUSTOM: gotrust::report::Rule = gotrust::report::Rule {
        id: "corp/custom",
        severity: Severity::Low,
        summary: "a corporate rule",
        help: "ask the platform team",
        detail: "",
    };
    let v = sarif::to_value(&Report::new(vec![Finding::new(&CUSTOM, "m")]), "0.0.0");
    assert_eq!(schema_error(&v), None);
    let idx = v["runs"][0]["results"][0]["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(idx, catalog::RULES.len());
    assert_eq!(
        v["runs"][0]["tool"]["driver"]["rules"][idx]["id"],
        "corp/custom"
    );
}

#[test]
fn sarif_empty_report_is_valid() {
    check_sarif(&sarif::to_value(&Report::default(), "1.2.3"));
}

/// Validates `v` against the official SARIF 2.1.0 schema (tests/data), with format assertions
/// (`uri`, `uri-reference`) on, then checks what the schema cannot: cross-references and the
/// properties code scanning relies on.
fn check_sarif(v: &Value) {
    if let Some(e) = schema_error(v) {
        panic!("SARIF log does not match the schema:\n{e}");
    }

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
