use super::*;
use std::cmp::Ordering;

/// Path validity per kind, from x/mod's `checkPathTests`: `M` = valid module path,
/// `I` = valid import path, `F` = valid file path.
const PATHS: &[(&str, &str)] = &[
    ("x.y/z", "MIF"),
    ("x.y", "MIF"),
    ("", ""),
    ("/x.y/z", ""),
    ("x./z", ""),
    (".x/z", "IF"),
    ("-x/z", "F"),
    ("x..y/z", "MIF"),
    ("x.y/z/../../w", ""),
    ("x.y//z", ""),
    ("x.y/z//w", ""),
    ("x.y/z/", ""),
    ("x.y/z/v0", "IF"),
    ("x.y/z/v1", "IF"),
    ("x.y/z/v2", "MIF"),
    ("x.y/z/v2.0", "IF"),
    ("X.y/z", "IF"),
    ("!x.y/z", "F"),
    ("_x.y/z", "IF"),
    ("x.y!/z", "F"),
    ("x.y\"/z", ""),
    ("x.y#/z", "F"),
    ("x.y'/z", ""),
    ("x.y*/z", ""),
    ("x.y+/z", "IF"),
    ("x.y,/z", "F"),
    ("x.y-/z", "MIF"),
    ("x.y./zt", ""),
    ("x.y:/z", ""),
    ("x.y</z", ""),
    ("x.y=/z", "F"),
    ("x.y?/z", ""),
    ("x.y@/z", "F"),
    ("x.y[/z", "F"),
    ("x.y\\/z", ""),
    ("x.y_/z", "IF"),
    ("x.y`/z", ""),
    ("x.y~/z", "IF"),
    ("x.y/z++", "IF"),
    ("x.y/z.t", "MIF"),
    ("x.y/z/t", "MIF"),
    ("x.y/z_", "MIF"),
    ("x.y/z~", "MIF"),
    ("x.y/x.foo", "MIF"),
    ("x.y/aux.foo", ""),
    ("x.y/prn", ""),
    ("x.y/prn2", "MIF"),
    ("x.y/com", "MIF"),
    ("x.y/com1", ""),
    ("x.y/com1.txt", ""),
    ("x.y/calm1", "MIF"),
    ("x.y/z~0", "F"),
    ("x.y/z~09", "F"),
    ("x.y/z09", "MIF"),
    ("x.y/z09~", "MIF"),
    ("x.y/z09~09z", "MIF"),
    ("x.y/z09~09z~09", "F"),
    ("github.com/!123/logrus", "F"),
    ("github.com/user/unicode/испытание", "F"),
    ("../x", ""),
    ("./y", ""),
    ("x:y", ""),
    ("\\temp\\foo", ""),
    (".gitignore", "IF"),
    (".github/ISSUE_TEMPLATE", "IF"),
    ("x☺y", ""),
    ("gopkg.in/yaml.v2", "MIF"),
    ("gopkg.in/yaml", "IF"),
    ("gopkg.in/yaml.v02", "IF"),
    ("gopkg.in/yaml.v0", "MIF"),
    ("x.y/NUL.d/e", ""),
    ("x.y/a b", "F"),
    ("x.y/ǅ", "F"),
    ("x.y/٣", ""),
    ("x.y/e\u{301}", ""),
];

#[test]
fn path_checks_match_xmod_table() {
    for &(path, ok) in PATHS {
        assert_eq!(
            check_path(path).is_ok(),
            ok.contains('M'),
            "CheckPath({path:?})"
        );
        assert_eq!(
            check_import_path(path).is_ok(),
            ok.contains('I'),
            "CheckImportPath({path:?})"
        );
        assert_eq!(
            check_file_path(path).is_ok(),
            ok.contains('F'),
            "CheckFilePath({path:?})"
        );
        // Escaping works exactly for valid module paths and round-trips.
        match escape_path(path) {
            Ok(e) => assert_eq!(unescape_path(&e).as_deref(), Ok(path)),
            Err(_) => assert!(!ok.contains('M')),
        }
    }
    assert!(matches!(
        check_file_path_bytes(b"x.y/\xffz"),
        Err(ModuleError::InvalidPath {
            problem: PathProblem::InvalidUtf8,
            ..
        })
    ));
    assert_eq!(check_file_path_bytes(b"a/b.go"), Ok("a/b.go"));
}

#[test]
fn errors_read_like_go() {
    let msg = |r: Result<(), ModuleError>| r.unwrap_err().to_string();
    assert_eq!(
        msg(check_path("x.y/z/v1")),
        r#"malformed module path "x.y/z/v1": invalid version"#
    );
    assert_eq!(
        msg(check_path("Rsc.io")),
        r#"malformed module path "Rsc.io": invalid char 'R' in first path element"#
    );
    assert_eq!(
        msg(check_import_path("a/com1.txt")),
        r#"malformed import path "a/com1.txt": "com1" disallowed as path element component on Windows"#
    );
    assert_eq!(
        msg(check_file_path("a/..")),
        r#"malformed file path "a/..": invalid path element "..""#
    );
    assert_eq!(
        msg(check("rsc.io/quote", "v2.0.0")),
        "rsc.io/quote@v2.0.0: invalid version: should be v0 or v1, not v2"
    );
    assert_eq!(
        msg(check("rsc.io/quote", "0.1.0")),
        "rsc.io/quote@0.1.0: invalid version: not a semantic version"
    );
    assert_eq!(
        escape_version("v1.0.0!x").unwrap_err().to_string(),
        r#"version "v1.0.0!x" invalid: disallowed version string"#
    );
    assert_eq!(
        unescape_path("a.b/!!x").unwrap_err().to_string(),
        r#"invalid escaped module path "a.b/!!x""#
    );
    assert_eq!(
        unescape_path("a.b/v1").unwrap_err().to_string(),
        r#"invalid escaped module path "a.b/v1": malformed module path "a.b/v1": invalid version"#
    );
}

#[test]
fn module_path_version_pairs() {
    // x/mod's checkTests, as (path, version, ok).
    let table: &[(&str, &str, bool)] = &[
        ("rsc.io/quote", "0.1.0", false),
        ("rsc io/quote", "v1.0.0", false),
        ("github.com/go-yaml/yaml", "v0.8.0", true),
        ("github.com/go-yaml/yaml", "v1.0.0", true),
        ("github.com/go-yaml/yaml", "v2.0.0", false),
        ("github.com/go-yaml/yaml", "v3.0.0", false),
        ("github.com/go-yaml/yaml/v2", "v1.0.0", false),
        ("github.com/go-yaml/yaml/v2", "v2.0.0", true),
        ("github.com/go-yaml/yaml/v2", "v2.1.5", true),
        ("github.com/go-yaml/yaml/v2", "v3.0.0", false),
        ("gopkg.in/yaml.v0", "v0.8.0", true),
        ("gopkg.in/yaml.v0", "v1.0.0", false),
        ("gopkg.in/yaml.v1", "v0.8.0", false),
        ("gopkg.in/yaml.v1", "v1.0.0", true),
        ("gopkg.in/yaml.v1", "v2.0.0", false),
        ("gopkg.in/check.v1", "v0.0.0", false),
        (
            "gopkg.in/check.v1",
            "v0.0.0-20160102150405-abcdef123456",
            true,
        ),
        ("gopkg.in/yaml.v2", "v1.0.0", false),
        ("gopkg.in/yaml.v2", "v2.1.5", true),
        ("rsc.io/quote", "v17.0.0", false),
        ("rsc.io/quote", "v17.0.0+incompatible", true),
    ];
    for &(p, v, ok) in table {
        assert_eq!(check(p, v).is_ok(), ok, "Check({p:?}, {v:?})");
        let mv = format!("{p}@{v}").parse::<ModuleVersion>();
        assert_eq!(mv.is_ok(), ok);
        if let Ok(mv) = mv {
            assert_eq!(mv.to_string(), format!("{p}@{v}"));
        }
    }
    assert!(matches!(
        "rsc.io/quote".parse::<ModuleVersion>(),
        Err(ModuleError::MissingVersion { .. })
    ));
}

#[test]
fn split_and_path_major() {
    let split: &[(&str, Option<(&str, &str)>)] = &[
        ("x.y/z", Some(("x.y/z", ""))),
        ("x.y/z/v2", Some(("x.y/z", "/v2"))),
        ("x.y/z/v3", Some(("x.y/z", "/v3"))),
        ("x.y/v", Some(("x.y/v", ""))),
        ("gopkg.in/yaml.v0", Some(("gopkg.in/yaml", ".v0"))),
        ("gopkg.in/yaml.v3", Some(("gopkg.in/yaml", ".v3"))),
        (
            "gopkg.in/yaml.v1-unstable",
            Some(("gopkg.in/yaml", ".v1-unstable")),
        ),
        ("x.y/z/v1", None),
        ("x.y/z/v0", None),
        ("x.y/z/v02", None),
        ("x.y/z/v2.0", None),
        ("gopkg.in/yaml", None),
        ("gopkg.in/yaml.v01", None),
    ];
    for &(p, want) in split {
        assert_eq!(split_path_version(p), want, "SplitPathVersion({p:?})");
    }
    // x/mod's TestMatchPathMajor.
    let major: &[(&str, &str, bool)] = &[
        ("v0.0.0", "", true),
        ("v0.0.0", "/v2", false),
        ("v0.0.0", ".v0", true),
        ("v0.0.0-20190510104115-cbcb75029529", ".v1", true),
        ("v1.0.0", "/v2", false),
        ("v1.0.0", ".v1", true),
        ("v1.0.0", ".v1-unstable", true),
        ("v2.0.0+incompatible", "", true),
        ("v2.0.0", "", false),
        ("v2.0.0", "/v2", true),
        ("v2.0.0", ".v2", true),
    ];
    for &(v, pm, want) in major {
        assert_eq!(
            match_path_major(v, pm),
            want,
            "MatchPathMajor({v:?}, {pm:?})"
        );
    }
}

#[test]
fn escaping_vectors() {
    // x/mod's `escapeTests` (module/module_test.go).
    let paths = [
        (
            "ascii.com/abcdefghijklmnopqrstuvwxyz.-/~_0123456789",
            "ascii.com/abcdefghijklmnopqrstuvwxyz.-/~_0123456789",
        ),
        (
            "github.com/GoogleCloudPlatform/omega",
            "github.com/!google!cloud!platform/omega",
        ),
        (
            "github.com/Azure/azure-sdk-for-go",
            "github.com/!azure/azure-sdk-for-go",
        ),
        ("github.com/Sirupsen/logrus", "github.com/!sirupsen/logrus"),
        ("rsc.io/QUOTE", "rsc.io/!q!u!o!t!e"),
    ];
    for (p, e) in paths {
        assert_eq!(escape_path(p).as_deref(), Ok(e));
        assert_eq!(unescape_path(e).as_deref(), Ok(p));
        assert_eq!(ModulePath::new(p).unwrap().escaped(), e);
    }
    assert_eq!(escape_version("v1.0.0-RC1").as_deref(), Ok("v1.0.0-!r!c1"));
    assert_eq!(
        unescape_version("v1.0.0-!r!c1").as_deref(),
        Ok("v1.0.0-RC1")
    );
    assert_eq!(
        escape_version("v2.0.0+incompatible").as_deref(),
        Ok("v2.0.0+incompatible")
    );
    assert!(escape_version("v1.0.0!x").is_err());
    assert!(matches!(
        escape_version("vé"),
        Err(ModuleError::Unescapable { .. })
    ));
    for bad in [
        "github.com/GoogleCloudPlatform/omega",
        "github.com/!google!cloud!platform!/omega",
        "github.com/!0google!cloud!platform/omega",
        "github.com/!_google!cloud!platform/omega",
        "github.com/!!google!cloud!platform/omega",
        "",
    ] {
        assert!(unescape_path(bad).is_err(), "UnescapePath({bad:?})");
    }
}

#[test]
fn semver_basics() {
    use semver::*;
    assert!(is_valid("v1") && is_valid("v1.2") && is_valid("v1.2.3-pre+meta"));
    assert!(
        !is_valid("v1.2-pre")
            && !is_valid("v01.2.3")
            && !is_valid("1.2.3")
            && !is_valid("v1.2.3-01")
    );
    assert_eq!(canonical("v1").as_deref(), Some("v1.0.0"));
    assert_eq!(canonical("v1.2.3+incompatible").as_deref(), Some("v1.2.3"));
    assert_eq!(
        canonical_version("v2.0.0+incompatible").as_deref(),
        Some("v2.0.0+incompatible")
    );
    assert_eq!(major_minor("v1.2.3").as_deref(), Some("v1.2"));
    assert_eq!(major_minor("v1").as_deref(), Some("v1.0"));
    assert_eq!(compare("v1.0.0-alpha", "v1.0.0"), Ordering::Less);
    assert_eq!(
        compare("v1.0.0-alpha.1", "v1.0.0-alpha.beta"),
        Ordering::Less
    );
    assert_eq!(compare("v1.0.0-2", "v1.0.0-10"), Ordering::Less);
    assert_eq!(compare("bad", "v0.0.0"), Ordering::Less);
    assert_eq!(compare("bad", "worse"), Ordering::Equal);
    assert_eq!(max("v1.2", "v1.10").as_deref(), Some("v1.10.0"));
    assert!(is_prerelease("v1.0.0-rc.1") && !is_prerelease("v1.0.0+rc"));
    assert!(is_pseudo_version("v0.0.0-20190101000000-abcdef123456"));
    assert!(is_pseudo_version(
        "v1.2.4-0.20190101000000-abcdef123456+incompatible"
    ));
    assert!(is_pseudo_version(
        "v1.2.3-pre.0.20190101000000-abcdef123456"
    ));
    assert!(!is_pseudo_version("v1.2.3-pre.20190101000000-abcdef123456"));
    assert!(!is_pseudo_version("v0.0.0-2019010100000-abcdef123456"));
    let mut vs: Vec<Version> = ["v1.10.0", "v1.2", "v1.2.0", "v1.0.0-rc"]
        .iter()
        .map(|v| v.parse().unwrap())
        .collect();
    vs.sort();
    let sorted: Vec<&str> = vs.iter().map(Version::as_str).collect();
    assert_eq!(sorted, ["v1.0.0-rc", "v1.2", "v1.2.0", "v1.10.0"]);
    assert!(
        Version::new("v1.2.3+incompatible")
            .unwrap()
            .is_incompatible()
    );
    assert!(!Version::new("v1.2").unwrap().is_canonical());
    assert!(Version::new("latest").is_err());
}

#[test]
fn file_paths_allow_go_letters_only() {
    for ok in ["é", "ǅ", "ʰ", "日"] {
        assert!(check_file_path(ok).is_ok(), "{ok}");
    }
    for bad in ["٣", "\u{301}", "Ⅻ"] {
        assert!(check_file_path(bad).is_err(), "{bad}");
    }
}
