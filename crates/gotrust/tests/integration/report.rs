//! Every report format on one hand-built report: text and JSON as snapshots, SARIF validated
//! against the SARIF 2.1.0 schema and checked field by field.

use gotrust::policy::Policy;
use gotrust::report::catalog::{self, *};
use gotrust::report::text::TextOptions;
use gotrust::report::{Evidence, Finding, Report, Severity, json, sarif, text};
use serde_json::Value;
use testkit::sarif::schema_error;

use crate::harness::check_sarif;

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
    // The suppression keeps the policy's reason, its credentials redacted.
    assert_eq!(
        by_rule("tls/custom-roots")["suppressions"][0]["justification"],
        "corporate CA, see https://xxxxx:xxxxx@wiki.corp.example/ca"
    );
    assert_eq!(
        by_rule("proxy/credentials-in-url")["message"]["text"],
        "GOPROXY contains credentials for https://xxxxx:xxxxx@proxy.corp.example"
    );
    // Every finding is a result, in severity order, at the level of its (policy) severity.
    let levels: Vec<(&str, &str, &str)> = results
        .iter()
        .map(|r| {
            (
                r["ruleId"].as_str().unwrap(),
                r["level"].as_str().unwrap(),
                r["properties"]["severity"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        levels,
        [
            ("sumdb/disabled", "error", "critical"),
            ("project/go-sum-conflict", "error", "high"),
            ("proxy/credentials-in-url", "error", "high"),
            ("env/file-writable", "warning", "medium"),
            ("insecure/broad", "warning", "medium"),
            ("proxy/direct-fallback", "note", "info"),
            ("tls/custom-roots", "warning", "medium"),
        ]
    );
    // Relative paths are relative to the repository root; absolute ones are file URIs.
    assert_eq!(
        conflict["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"],
        "SRCROOT"
    );
    assert!(loc["artifactLocation"].get("uriBaseId").is_none(), "{loc}");
    assert_eq!(
        by_rule("sumdb/disabled")["properties"]["fix"],
        "Run `go env -u GOSUMDB` and list private paths in GOPRIVATE."
    );
    assert_eq!(
        by_rule("insecure/broad")["properties"]["affected"][0],
        "*.io"
    );
    // Each result has its own stable fingerprint.
    let prints: std::collections::BTreeSet<&str> = results
        .iter()
        .map(|r| r["partialFingerprints"]["gotrust/v1"].as_str().unwrap())
        .collect();
    assert_eq!(prints.len(), results.len());
    assert!(
        prints
            .iter()
            .all(|p| p.len() == 32 && p.bytes().all(|b| b.is_ascii_hexdigit()))
    );
    // The driver describes the catalog's rules in catalog order, as the catalog does.
    let driver = &v["runs"][0]["tool"]["driver"];
    assert_eq!(driver["name"], "gotrust");
    assert_eq!(driver["version"], "0.0.0");
    let rules = driver["rules"].as_array().unwrap();
    assert_eq!(rules.len(), catalog::RULES.len());
    for (rule, r) in rules.iter().zip(catalog::RULES) {
        assert_eq!(rule["shortDescription"]["text"], r.summary, "{}", r.id);
        assert_eq!(rule["help"]["text"], r.help, "{}", r.id);
        assert_eq!(
            rule["defaultConfiguration"]["level"],
            sarif::level(r.severity)
        );
        assert_eq!(
            rule["properties"]["tags"],
            serde_json::json!(["security", r.category()]),
            "{}",
            r.id
        );
    }
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
