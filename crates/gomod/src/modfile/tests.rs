use super::model::*;
use super::rules::*;
use super::values::*;

#[test]
fn path_major_and_check_major_use_module_rules() {
    assert_eq!(
        check_major("v2.0.0", "/v3").unwrap_err(),
        r#"version "v2.0.0" invalid: should be v3, not v2"#
    );
    assert_eq!(path_major("x.y/z/v2").as_deref(), Some("/v2"));
    assert_eq!(path_major("x.y/z/v1"), None);
}

const GOOD: &str = r#"// Deprecated: use example.com/new instead.
module "example.com/m"

go 1.21
toolchain go1.22.1

godebug default=go1.21

require example.com/a v1.2.3 // indirect
require (
	example.com/b v0.1.0
	example.com/c/v2 v2.0.0 // indirect; used by tests
	example.com/d v1.0.0 // indirectly
)

exclude example.com/a v1.0.0

replace example.com/a => ../a
replace (
	example.com/b v0.1.0 => example.com/b2 v0.2.0
	example.com/e => /abs/e
)

// Broken build.
retract v1.0.1
retract (
	[v1.1.0, v1.2.0] // security hole
)

tool example.com/tool
ignore ./node_modules
"#;

#[test]
fn parses_every_directive_with_lines() {
    let f = parse("go.mod", GOOD.as_bytes()).unwrap();
    let m = f.module.unwrap();
    assert_eq!(
        (m.path.as_str(), m.line, m.deprecated.as_deref()),
        ("example.com/m", 2, Some("use example.com/new instead."))
    );
    assert_eq!(
        f.go.unwrap(),
        VersionStmt {
            version: "1.21".into(),
            line: 4
        }
    );
    assert_eq!(f.toolchain.unwrap().version, "go1.22.1");
    assert_eq!(f.godebug[0].key, "default");
    let req: Vec<_> = f
        .require
        .iter()
        .map(|r| (r.path.as_str(), r.version.as_str(), r.indirect, r.line))
        .collect();
    assert_eq!(
        req,
        [
            ("example.com/a", "v1.2.3", true, 9),
            ("example.com/b", "v0.1.0", false, 11),
            ("example.com/c/v2", "v2.0.0", true, 12),
            ("example.com/d", "v1.0.0", false, 13),
        ]
    );
    assert_eq!(f.exclude[0].line, 16);
    assert_eq!(f.replace.len(), 3);
    assert_eq!(f.replace[0].new_path, "../a");
    assert_eq!(f.replace[0].old_version, None);
    assert_eq!(f.replace[1].new_version.as_deref(), Some("v0.2.0"));
    assert_eq!(f.replace[2].line, 21);
    assert_eq!(f.retract[0].rationale, "Broken build.");
    assert_eq!(
        (f.retract[1].low.as_str(), f.retract[1].high.as_str()),
        ("v1.1.0", "v1.2.0")
    );
    assert_eq!(f.retract[1].rationale, "security hole");
    assert_eq!(f.tool[0].path, "example.com/tool");
    assert_eq!(f.ignore[0].path, "./node_modules");
}

fn errs(data: &str) -> Vec<String> {
    parse("go.mod", data.as_bytes())
        .unwrap_err()
        .0
        .iter()
        .map(|e| e.to_string())
        .collect()
}

#[test]
fn errors_carry_positions_and_go_text() {
    assert_eq!(
        errs("module m\nfoo bar\n"),
        ["go.mod:2: unknown directive: foo"]
    );
    assert_eq!(
        errs("module m\nrequire x.com/a 1.0\n"),
        ["go.mod:2: require x.com/a: version \"1.0\" invalid: must be of the form v1.2.3"]
    );
    assert_eq!(
        errs("module m\nrequire (\n\tx.com/a\n)\n"),
        ["go.mod:3:2: usage: require module/path v1.2.3"]
    );
    assert_eq!(
        errs("module m\nrequire x.com/a v2.0.0\n"),
        ["go.mod:2: require x.com/a: version \"v2.0.0\" invalid: should be v0 or v1, not v2"]
    );
    assert_eq!(
        errs("module m\nmodule n\n"),
        ["go.mod:2: repeated module statement"]
    );
    assert_eq!(
        errs("go 1.21.x\n"),
        ["go.mod:1: invalid go version '1.21.x': must match format 1.23.0"]
    );
    assert_eq!(
        errs("module a\"b\n"),
        ["go.mod:1: invalid quoted string: unquoted string cannot contain quote"]
    );
    assert_eq!(
        errs("require (\nx.com/a v1.0.0\n"),
        ["go.mod:3: syntax error (unterminated block started at go.mod:1:1)"]
    );
    assert_eq!(
        errs("module m /* c */\n"),
        ["go.mod:1:10: mod files must use // comments (not /* */ comments)"]
    );
    assert_eq!(
        errs("module \"m\n"),
        ["go.mod:1:10: unexpected newline in string"]
    );
    assert_eq!(
        errs("replace x.com/a => x.com/b\n"),
        [
            "go.mod:1: replacement module without version must be directory path (rooted or starting with . or ..)"
        ]
    );
    assert_eq!(errs("foo (\n)\n"), ["go.mod:1: unknown block type: foo"]);
    assert_eq!(
        errs("retract [v1.0.0 v1.1.0]\n"),
        ["go.mod:1: expected ',' after version"]
    );
    assert_eq!(errs("module m\nfoo\nbar\n").len(), 2);
}

#[test]
fn lax_ignores_what_go_ignores() {
    let data = b"module m\ngo 1.21rc1x\nfoo bar\nreplace what ever\nretract junk\nexclude x v1\n";
    let f = parse_lax("go.mod", data).unwrap();
    assert_eq!(f.go.unwrap().version, "1.21");
    assert!(f.replace.is_empty() && f.exclude.is_empty());
    // With no version fixer, retract versions are taken as written.
    assert_eq!(f.retract[0].low, "junk");
    assert_eq!(
        go_version_lax(b"module m\ngo 1.24.1\n").as_deref(),
        Some("1.24.1")
    );
    assert_eq!(go_version_lax(b"module m\nrequire x\ngo 1.24\n"), None);
}

#[test]
fn go_work() {
    let w = parse_work(
        "go.work",
        b"go 1.22\n\nuse (\n\t./a\n\t\"./b c\"\n)\nreplace x.com/a v1.0.0 => ./a\n",
    )
    .unwrap();
    assert_eq!(w.go.unwrap().version, "1.22");
    let dirs: Vec<_> = w
        .use_dirs
        .iter()
        .map(|u| (u.path.as_str(), u.line))
        .collect();
    assert_eq!(dirs, [("./a", 4), ("./b c", 5)]);
    assert_eq!(w.replace[0].old_version.as_deref(), Some("v1.0.0"));
    let e = parse_work("go.work", b"go 1.22\nmodule x\nuse a b\n").unwrap_err();
    let msgs: Vec<_> = e.0.iter().map(|e| e.to_string()).collect();
    assert_eq!(
        msgs,
        [
            "go.work:2: unknown directive: module",
            "go.work:3: usage: use local/dir"
        ]
    );
}

#[test]
fn never_panics_on_junk() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let pieces: &[&[u8]] = &[
        b"module",
        b"require",
        b"replace",
        b"retract",
        b"go",
        b"use",
        b"(",
        b")",
        b"[",
        b"]",
        b",",
        b"=>",
        b"\"",
        b"`",
        b"\\",
        b"//",
        b"/*",
        b"\n",
        b" ",
        b"\t",
        b"\r",
        b"v1.2.3",
        b"x.com/a",
        b"\xff",
        b"\xe2\x80",
        b"indirect",
        b"1.21",
        b"go1.2",
    ];
    for _ in 0..5000 {
        let mut d = Vec::new();
        for _ in 0..rng.random_range(0..30) {
            d.extend_from_slice(pieces[rng.random_range(0..pieces.len())]);
        }
        let _ = parse("go.mod", &d);
        let _ = parse_lax("go.mod", &d);
        let _ = parse_work("go.work", &d);
    }
}
