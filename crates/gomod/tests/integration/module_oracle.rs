//! Differential tests of `gomod::module` against golang.org/x/mod (`module` and
//! `semver` packages, via `tools/xmod-oracle/module.go`) on a seeded random corpus,
//! plus property tests of the escaping round trip.

use std::cmp::Ordering;

use gomod::module::{self, semver};
use proptest::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const FIRSTS: &[&str] = &[
    "rsc.io",
    "golang.org",
    "github.com",
    "gopkg.in",
    "example.com",
    "x.y",
    "Rsc.io",
    "localhost",
    "-x.y",
    "x..y",
    "x.y.",
    ".x.y",
    "a-b.c",
    "1.2",
    "é.com",
    "x_y.z",
    "con.io",
    "a~1.b",
];

const ELEMS: &[&str] = &[
    "quote",
    "x",
    "v2",
    "v1",
    "v0",
    "v02",
    "v2.1",
    "v10",
    "v",
    "yaml.v2",
    "yaml.v1",
    "yaml.v0",
    "yaml.v01",
    "check.v1-unstable",
    "x.v-unstable",
    "yaml.v",
    "CON",
    "con.txt",
    "Aux",
    "lpt1",
    "COM9.go",
    "com0",
    "nul.x.y",
    "a~1",
    "b~",
    "~",
    "~x1",
    "x~01.z",
    ".",
    "..",
    "...",
    ".hidden",
    "trail.",
    "a..b",
    "-dash",
    "under_score",
    "tilde~ok",
    "plus+",
    "sp ace",
    "at@",
    "bang!",
    "hash#",
    "pct%20",
    "é",
    "Ωmega",
    "日本",
    "ǅ",
    "ʰ",
    "٣",
    "e\u{301}",
    "",
    "A",
    "Z9",
    "semi;colon",
    "back\\slash",
    "colon:",
    "star*",
    "q?",
    "br[]",
    "pa()",
    "comma,",
    "tab\t",
    "zw\u{200b}",
    "Azure",
    "GoogleCloudPlatform",
    "!x",
    "x!",
    "v1.0.0",
    "Ⅻ",
];

const CHARS: &[char] = &[
    'a', 'b', 'x', 'z', 'A', 'B', 'Z', '0', '1', '9', '-', '.', '_', '~', '+', '!', '@', ' ', '%',
    ':', '"', '\'', '*', '<', '>', '?', '`', '|', '\\', '#', '$', '&', '(', ')', '=', '[', ']',
    '^', '{', '}', ',', ';', 'é', 'Ω', 'ǅ', 'ʰ', '٣', '\u{301}', '日', '☺', '\u{200b}', '\t',
];

fn pick<'a>(rng: &mut StdRng, xs: &[&'a str]) -> &'a str {
    xs[rng.random_range(0..xs.len())]
}

fn random_elem(rng: &mut StdRng) -> String {
    (0..rng.random_range(1..6))
        .map(|_| CHARS[rng.random_range(0..CHARS.len())])
        .collect()
}

fn gen_path(rng: &mut StdRng) -> String {
    let mut elems = vec![if rng.random_bool(0.85) {
        pick(rng, FIRSTS).to_owned()
    } else {
        random_elem(rng)
    }];
    for _ in 0..rng.random_range(0..4) {
        elems.push(if rng.random_bool(0.7) {
            pick(rng, ELEMS).to_owned()
        } else {
            random_elem(rng)
        });
    }
    let mut p = elems.join("/");
    match rng.random_range(0..20) {
        0 => p.insert(0, '/'),
        1 => p.push('/'),
        2 => p.insert(0, '-'),
        3 => p = p.replacen('/', "//", 1),
        _ => {}
    }
    p
}

const NUMS: &[&str] = &[
    "0",
    "1",
    "2",
    "10",
    "01",
    "00",
    "17",
    "99999999999999999999",
    "",
];
const PRES: &[&str] = &[
    "0",
    "01",
    "1",
    "rc",
    "RC1",
    "alpha",
    "beta",
    "x-y",
    "",
    "0a",
    "20190101000000",
    "pre",
    "-",
];
const BUILDS: &[&str] = &["incompatible", "meta", "", "a.b", "001", "x-y", "a..b"];
const JUNK: &[&str] = &[
    "",
    "v",
    "latest",
    "master",
    "v1.0.0!x",
    "V1.0.0",
    "1.0.0",
    "v1.0.0-RC1",
    "vé",
    "v1.2.3 ",
    "none",
    "v1.0.0/go.mod",
    "v0.0.0-",
    "v1.2.3-+",
    "v2.0.0+incompatible",
];

fn gen_version(rng: &mut StdRng) -> String {
    let n = |rng: &mut StdRng| pick(rng, NUMS).to_owned();
    let mut v = match rng.random_range(0..10) {
        0..=3 => {
            let mut v = format!("v{}", n(rng));
            if rng.random_bool(0.8) {
                v += &format!(".{}", n(rng));
                if rng.random_bool(0.8) {
                    v += &format!(".{}", n(rng));
                }
            }
            if rng.random_bool(0.4) {
                let ids: Vec<&str> = (0..rng.random_range(1..4))
                    .map(|_| pick(rng, PRES))
                    .collect();
                v += &format!("-{}", ids.join("."));
            }
            if rng.random_bool(0.25) {
                v += &format!("+{}", pick(rng, BUILDS));
            }
            v
        }
        4..=7 => {
            // Mostly well-formed pieces, so that many results are real pseudo-versions.
            let n = |rng: &mut StdRng| {
                if rng.random_bool(0.8) {
                    pick(rng, &["0", "1", "2", "10"]).to_owned()
                } else {
                    pick(rng, NUMS).to_owned()
                }
            };
            let digits = [14, 14, 14, 14, 14, 14, 13, 15][rng.random_range(0..8)];
            let ts: String = (0..digits)
                .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
                .collect();
            let rev = pick(
                rng,
                &[
                    "abcdef123456",
                    "abcdef123456",
                    "ABCdef",
                    "",
                    "abc-def",
                    "abc_def",
                    "0",
                ],
            );
            let maj = ["0", "1", "2", "3", "01"][rng.random_range(0..5)];
            let mut v = match rng.random_range(0..4) {
                0 => format!("v{maj}.0.0-{ts}-{rev}"),
                1 => format!("v{maj}.{}.{}-0.{ts}-{rev}", n(rng), n(rng)),
                2 => format!(
                    "v{maj}.{}.{}-{}.0.{ts}-{rev}",
                    n(rng),
                    n(rng),
                    pick(rng, &["pre", "rc.1", "0", "01", "x-y", ""])
                ),
                _ => format!("v{maj}.1.0-{}.{ts}-{rev}", pick(rng, PRES)),
            };
            if rng.random_bool(0.2) {
                v += &format!("+{}", pick(rng, BUILDS));
            }
            v
        }
        _ => pick(rng, JUNK).to_owned(),
    };
    if rng.random_bool(0.05) && !v.is_empty() {
        let i = rng.random_range(0..v.len());
        if v.is_char_boundary(i) {
            v.insert(i, CHARS[rng.random_range(0..CHARS.len())]);
        }
    }
    v
}

/// A path and version that often fit together, to exercise the accepting side of
/// `Check` and `CheckPathMajor`.
fn gen_pair(rng: &mut StdRng) -> (String, String) {
    let mut p = pick(
        rng,
        &["rsc.io", "github.com/a/b", "example.com", "gopkg.in"],
    )
    .to_owned();
    for _ in 0..rng.random_range(0..3) {
        p += "/";
        p += pick(
            rng,
            &[
                "quote", "x", "v2", "v3", "yaml.v2", "yaml.v1", "yaml.v0", "check.v1",
            ],
        );
    }
    let major = module::split_path_version(&p).map_or("", |(_, m)| m);
    let n = major.trim_start_matches(['/', '.', 'v']).to_owned();
    let n = if n.is_empty() {
        pick(rng, &["0", "1", "5"]).to_owned()
    } else {
        n
    };
    let mut v = format!(
        "v{n}.{}.{}",
        rng.random_range(0..3),
        rng.random_range(0..12)
    );
    match rng.random_range(0..6) {
        0 => v += "+incompatible",
        1 => v += "-rc.1",
        2 => v = "v0.0.0-20160102150405-abcdef123456".to_owned(),
        _ => {}
    }
    (p, v)
}

/// An escaped-looking string: a path or version escaped by hand (sometimes wrongly).
fn gen_escaped(rng: &mut StdRng) -> String {
    let src = if rng.random_bool(0.6) {
        gen_path(rng)
    } else {
        gen_version(rng)
    };
    let mut out = String::new();
    for c in src.chars() {
        if c.is_ascii_uppercase() && rng.random_bool(0.9) {
            out.push('!');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    if rng.random_bool(0.2) {
        let bad = pick(rng, &["!", "!!", "!0", "!_", "!A", "!a", "!z"]);
        let i = rng.random_range(0..=out.len());
        if out.is_char_boundary(i) {
            out.insert_str(i, bad);
        }
    }
    out
}

/// Rust's `{:?}` and Go's `%q` agree on these characters, so messages about them can
/// be compared as text; for others only success/failure is compared.
fn quotes_alike(s: &str) -> bool {
    s.chars()
        .all(|c| (' '..='~').contains(&c) || "\téΩǅʰ٣日☺".contains(c))
}

type Answer = Result<Vec<String>, String>;

fn ours(op: &str, args: &[String]) -> Answer {
    let e = |e: module::ModuleError| e.to_string();
    let unit = |r: Result<(), module::ModuleError>| r.map(|()| vec![]).map_err(e);
    let a = &args[0];
    match op {
        "checkpath" => unit(module::check_path(a)),
        "checkimport" => unit(module::check_import_path(a)),
        "checkfile" => unit(module::check_file_path(a)),
        "escapepath" => module::escape_path(a).map(|s| vec![s]).map_err(e),
        "unescapepath" => module::unescape_path(a).map(|s| vec![s]).map_err(e),
        "escapeversion" => module::escape_version(a).map(|s| vec![s]).map_err(e),
        "unescapeversion" => module::unescape_version(a).map(|s| vec![s]).map_err(e),
        "semver" => Ok(vec![
            u8::from(semver::is_valid(a)).to_string(),
            semver::canonical(a).unwrap_or_default(),
            semver::major(a).unwrap_or("").to_owned(),
            semver::major_minor(a).unwrap_or_default(),
            semver::prerelease(a).unwrap_or("").to_owned(),
            semver::build(a).unwrap_or("").to_owned(),
            u8::from(module::is_pseudo_version(a)).to_string(),
            module::canonical_version(a).unwrap_or_default(),
        ]),
        "compare" => Ok(vec![
            match semver::compare(a, &args[1]) {
                Ordering::Less => "-1",
                Ordering::Equal => "0",
                Ordering::Greater => "1",
            }
            .to_owned(),
        ]),
        "split" => Ok(match module::split_path_version(a) {
            Some((p, m)) => vec![p.to_owned(), m.to_owned(), "1".to_owned()],
            None => vec![a.clone(), String::new(), "0".to_owned()],
        }),
        "pathmajor" => unit(module::check_path_major(a, &args[1])),
        "check" => unit(module::check(a, &args[1])),
        _ => unreachable!("unknown op {op}"),
    }
}

fn parse_answer(line: &str) -> Answer {
    let mut fields = line.split('\t');
    let status = fields.next().unwrap_or("");
    let mut vals = fields.map(|f| String::from_utf8(hex::decode(f).expect("hex")).expect("utf8"));
    match status {
        "ok" => Ok(vals.collect()),
        "err" => Err(vals.next().unwrap_or_default()),
        _ => panic!("bad oracle line {line:?}"),
    }
}

#[test]
fn module_and_semver_agree_with_xmod() {
    let mut rng = StdRng::seed_from_u64(0x6d6f64);
    let mut cases: Vec<(&str, Vec<String>)> = Vec::new();
    for _ in 0..12_000 {
        let p = gen_path(&mut rng);
        for op in [
            "checkpath",
            "checkimport",
            "checkfile",
            "escapepath",
            "split",
        ] {
            cases.push((op, vec![p.clone()]));
        }
    }
    for _ in 0..6_000 {
        let e = gen_escaped(&mut rng);
        cases.push(("unescapepath", vec![e.clone()]));
        cases.push(("unescapeversion", vec![e]));
    }
    for _ in 0..10_000 {
        let v = gen_version(&mut rng);
        cases.push(("semver", vec![v.clone()]));
        cases.push(("escapeversion", vec![v.clone()]));
        cases.push(("compare", vec![v, gen_version(&mut rng)]));
    }
    for _ in 0..8_000 {
        let (p, v) = if rng.random_bool(0.5) {
            gen_pair(&mut rng)
        } else {
            (gen_path(&mut rng), gen_version(&mut rng))
        };
        let pm = module::split_path_version(&p)
            .map_or("", |(_, m)| m)
            .to_owned();
        let pm = if rng.random_bool(0.2) {
            pick(
                &mut rng,
                &["", "/v2", ".v1", ".v1-unstable", "v2", ".v0", "/v1"],
            )
            .to_owned()
        } else {
            pm
        };
        cases.push(("pathmajor", vec![v.clone(), pm]));
        cases.push(("check", vec![p, v]));
    }

    let mut input = String::new();
    for (op, args) in &cases {
        input += &hex::encode(op);
        for a in args {
            input.push('\t');
            input += &hex::encode(a);
        }
        input.push('\n');
    }
    let lines = testkit::oracle::answers("module", &input, cases.len());

    let (mut bad, mut oks, mut errs, mut messages) = (Vec::new(), 0, 0, 0);
    let (mut semver_valid, mut pseudo) = (0, 0);
    // Per operation: (accepted, rejected), so a generator that only produces one
    // outcome for some operation is noticed.
    let mut per_op: std::collections::BTreeMap<&str, (usize, usize)> = Default::default();
    for ((op, args), line) in cases.iter().zip(&lines) {
        let want = parse_answer(line);
        let got = ours(op, args);
        let agree = match (&want, &got) {
            (Ok(w), Ok(g)) => w == g,
            (Err(w), Err(g)) => {
                if args.iter().all(|a| quotes_alike(a)) {
                    messages += 1;
                    w == g
                } else {
                    true
                }
            }
            _ => false,
        };
        if !agree {
            bad.push(format!("{op}{args:?}: go={want:?} ours={got:?}"));
        }
        if *op == "semver"
            && let Ok(w) = &want
        {
            semver_valid += usize::from(w[0] == "1");
            pseudo += usize::from(w[6] == "1");
        }
        let e = per_op.entry(op).or_default();
        if want.is_ok() {
            e.0 += 1;
        } else {
            e.1 += 1;
        }
        oks += usize::from(want.is_ok());
        errs += usize::from(want.is_err());
    }
    println!(
        "compared {} module/semver cases with x/mod: {oks} ok, {errs} errors ({messages} error \
         messages compared as text); {semver_valid} valid semvers, {pseudo} pseudo-versions",
        cases.len()
    );
    println!("per operation (ok, err): {per_op:?}");
    for (op, (ok, err)) in &per_op {
        let total_only = matches!(*op, "semver" | "compare" | "split");
        assert!(
            *ok > 500 && (total_only || *err > 500),
            "{op}: {ok} ok, {err} errors"
        );
    }
    assert!(
        semver_valid > 2_000 && pseudo > 500,
        "corpus has valid and pseudo versions"
    );
    assert!(
        oks > cases.len() / 4 && errs > cases.len() / 10,
        "corpus exercises both outcomes"
    );
    assert!(
        bad.is_empty(),
        "{} disagreements, first: {:#?}",
        bad.len(),
        &bad[..bad.len().min(25)]
    );
}

/// `CheckFilePath` accepts a one-character name beyond ASCII iff Go's
/// `unicode.IsLetter` holds: checked for every Unicode scalar value against the ranges
/// the oracle prints.
#[test]
fn file_path_letters_agree_with_go_for_every_code_point() {
    let out = String::from_utf8(testkit::run_oracle("letters", b"")).unwrap();
    let ranges: Vec<(u32, u32)> = out
        .lines()
        .map(|l| {
            let (lo, hi) = l.split_once(' ').expect("lo hi");
            (
                u32::from_str_radix(lo, 16).unwrap(),
                u32::from_str_radix(hi, 16).unwrap(),
            )
        })
        .collect();
    assert!(ranges.len() > 500);
    assert!(
        ranges.windows(2).all(|w| w[0].1 < w[1].0),
        "oracle ranges sorted"
    );
    let (mut checked, mut next) = (0, 0);
    let mut buf = [0u8; 4];
    for c in (0x80..=0x10FFFF).filter_map(char::from_u32) {
        let u = u32::from(c);
        // Code points ascend, so one cursor walks the sorted ranges.
        while next < ranges.len() && ranges[next].1 < u {
            next += 1;
        }
        let letter = next < ranges.len() && ranges[next].0 <= u;
        assert_eq!(
            module::check_file_path(c.encode_utf8(&mut buf)).is_ok(),
            letter,
            "U+{u:04X}"
        );
        checked += 1;
    }
    println!("compared {checked} code points with unicode.IsLetter");
}

proptest! {
    #[test]
    fn escape_path_round_trips(
        first in "[a-z0-9][a-z0-9-]{0,8}\\.[a-z]{1,5}",
        rest in proptest::collection::vec("[A-Za-z0-9_~-][A-Za-z0-9._~-]{0,10}[A-Za-z0-9_~-]", 0..4),
    ) {
        let path = std::iter::once(first).chain(rest).collect::<Vec<_>>().join("/");
        if module::check_path(&path).is_ok() {
            let esc = module::escape_path(&path).unwrap();
            prop_assert!(!esc.bytes().any(|b| b.is_ascii_uppercase()));
            prop_assert_eq!(module::unescape_path(&esc).unwrap(), path);
        } else {
            prop_assert!(module::escape_path(&path).is_err());
        }
    }

    #[test]
    fn escape_version_round_trips(v in "v[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}(-[A-Za-z0-9]{1,5}(\\.[A-Za-z0-9]{1,5}){0,2})?(\\+[A-Za-z0-9]{1,12})?") {
        let esc = module::escape_version(&v).unwrap();
        prop_assert!(!esc.bytes().any(|b| b.is_ascii_uppercase()));
        prop_assert_eq!(module::unescape_version(&esc).unwrap(), v);
    }

    #[test]
    fn compare_is_antisymmetric_and_canonical_is_equal(a in "v[0-9]{1,2}(\\.[0-9]{1,2}){0,2}(-[a-z0-9]{1,3})?", b in "v[0-9]{1,2}(\\.[0-9]{1,2}){0,2}") {
        prop_assert_eq!(semver::compare(&a, &b), semver::compare(&b, &a).reverse());
        if let Some(c) = semver::canonical(&a) {
            prop_assert_eq!(semver::compare(&a, &c), Ordering::Equal);
        }
    }

    #[test]
    fn checks_never_panic(s in "\\PC{0,24}") {
        let _ = module::check_path(&s);
        let _ = module::check_import_path(&s);
        let _ = module::check_file_path(&s);
        let _ = module::unescape_path(&s);
        let _ = module::escape_version(&s);
        let _ = module::is_pseudo_version(&s);
        let _ = module::split_path_version(&s);
        let _ = gomod::pattern::path_match(&s, &s);
    }
}

/// `path@version` arguments split as the go command splits them
/// (`modload.ParsePathVersion`): the real `go mod download -json` reports the path and
/// version it understood, or refuses a version that starts with `-` or `/`.
#[test]
fn module_arguments_split_as_the_go_command_does() {
    let root = tempfile::tempdir().unwrap();
    for arg in [
        "x.y/a@v1.0.0",
        "x.y/a@b@c@d",
        "x.y/a@v1.0.0@",
        "@v1",
        "x.y/a@",
        "x.y/a@latest",
        "x.y/a@-",
        "x.y/a@-v1.0.0",
        "x.y/a@/x",
        "x.y/a@v1/-x",
    ] {
        let out = testkit::hermetic_go(root.path())
            .current_dir(root.path())
            .args(["mod", "download", "-json", arg])
            .output()
            .expect("run go mod download");
        let stderr = String::from_utf8_lossy(&out.stderr);
        match module::parse_path_version(arg) {
            Ok((path, version)) => {
                let json: serde_json::Value = serde_json::from_slice(&out.stdout)
                    .unwrap_or_else(|e| panic!("{arg}: go printed no JSON ({e}): {stderr}"));
                let field = |k: &str| json[k].as_str().unwrap_or("").to_owned();
                assert_eq!(field("Path"), path, "{arg}: path");
                assert_eq!(field("Version"), version.unwrap_or(""), "{arg}: version");
            }
            Err(e) => {
                assert!(!out.status.success(), "{arg}: go accepted it");
                assert_eq!(stderr.trim(), format!("go: {e}"), "{arg}: message");
            }
        }
    }
    let split = |a| module::split_module_version(a).map_err(|e| e.to_string());
    assert_eq!(split("x.y/a@b@c"), Ok(("x.y/a", "b@c")));
    assert_eq!(split("x.y/a@"), Err("missing @version".into()));
    assert_eq!(split("x.y/a"), Err("missing @version".into()));
    assert_eq!(
        "x.y/a@b@v1.0.0"
            .parse::<module::ModuleVersion>()
            .unwrap_err()
            .to_string(),
        "x.y/a@b@v1.0.0: invalid version: not a semantic version"
    );
}
