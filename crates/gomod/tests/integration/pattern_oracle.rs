//! Differential test of `gomod::pattern` against Go: `module.MatchPrefixPatterns` and
//! `path.Match` from the x/mod oracle (`tools/xmod-oracle/patterns.go`), on a seeded
//! random corpus built to stress malformed classes, escapes, stars, slashes, empty
//! entries, multi-byte and invalid UTF-8.

use gomod::pattern::{PatternList, match_prefix_patterns_bytes, path_match_bytes, validate_bytes};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const CASES: usize = 120_000;

/// Literal pieces: ASCII, punctuation that matters to Go's syntax outside classes,
/// and multi-byte UTF-8.
const LITERALS: &[&str] = &[
    "a", "b", "c", "z", "A", "Q", ".", "-", "0", "9", "é", "日", "☺", "x", "^", "]", "_", "~", ":",
    " ", "rsc.io", "quote", "v2", "ζ",
];

/// Pieces that make a class malformed, or are edge cases of class syntax.
const ODD_CLASSES: &[&[u8]] = &[
    b"[",
    b"[^",
    b"[]",
    b"[]a]",
    b"[a-",
    b"[-x]",
    b"[x-]",
    b"[a-b-c]",
    b"[\\",
    b"[\\]",
    "[é".as_bytes(),
    b"[\xff]",
    b"[a\xc3]",
    b"[^]",
    b"[\\]a]",
    b"[\\-]",
    b"[x\\-]",
    b"[*]",
    b"[a*",
    b"[/]",
    b"[^/]",
    b"[,]",
    b"[a-\\z]",
    b"[\\a-z]",
    b"[z-a]",
];

fn literal(rng: &mut StdRng) -> &'static str {
    LITERALS[rng.random_range(0..LITERALS.len())]
}

/// Appends one token to `pat` and a string it should match (usually) to `sample`.
fn token(rng: &mut StdRng, pat: &mut Vec<u8>, sample: &mut Vec<u8>) {
    match rng.random_range(0..100) {
        0..=34 => {
            let l = literal(rng);
            pat.extend_from_slice(l.as_bytes());
            sample.extend_from_slice(l.as_bytes());
        }
        35..=46 => {
            pat.push(b'*');
            for _ in 0..rng.random_range(0..3) {
                sample.extend_from_slice(literal(rng).as_bytes());
            }
        }
        47..=53 => {
            pat.push(b'?');
            sample.extend_from_slice(literal(rng).as_bytes());
        }
        54..=63 => {
            pat.push(b'/');
            sample.push(b'/');
        }
        64..=75 => {
            // A well-formed class and a character inside (or outside) it.
            pat.push(b'[');
            if rng.random_bool(0.3) {
                pat.push(b'^');
            }
            for _ in 0..rng.random_range(1..4) {
                match rng.random_range(0..5) {
                    0 => pat.extend_from_slice(b"a-m"),
                    1 => pat.extend_from_slice("α-ω".as_bytes()),
                    2 => pat.extend_from_slice(b"\\]"),
                    3 => pat.extend_from_slice(b"\\-"),
                    _ => pat.extend_from_slice(literal(rng).as_bytes()),
                }
            }
            pat.push(b']');
            sample.extend_from_slice(literal(rng).as_bytes());
        }
        76..=83 => {
            let c = ODD_CLASSES[rng.random_range(0..ODD_CLASSES.len())];
            pat.extend_from_slice(c);
            sample.extend_from_slice(literal(rng).as_bytes());
        }
        84..=91 => {
            // Escapes, including of the special characters.
            let e: &[u8] = [
                b"\\*" as &[u8],
                b"\\?",
                b"\\[",
                b"\\\\",
                b"\\/",
                b"\\a",
                b"\\,",
            ][rng.random_range(0..7)];
            pat.extend_from_slice(e);
            sample.push(e[1]);
        }
        92..=93 => {
            // Bytes that are not UTF-8, in both pattern and name.
            let b: &[u8] = [b"\xff" as &[u8], b"\xc3", b"\xe6\x97"][rng.random_range(0..3)];
            pat.extend_from_slice(b);
            sample.extend_from_slice(b);
        }
        _ => {
            pat.push(b'\\');
        }
    }
}

/// A comma list and a target that is often derived from one of its entries.
fn case(rng: &mut StdRng) -> (Vec<u8>, Vec<u8>) {
    let mut globs = Vec::new();
    let mut samples = Vec::new();
    for e in 0..rng.random_range(1..4) {
        if e > 0 {
            globs.push(b',');
        }
        let mut pat = Vec::new();
        let mut sample = Vec::new();
        if rng.random_bool(0.1) {
            globs.push(b',');
        }
        for _ in 0..rng.random_range(0..7) {
            token(rng, &mut pat, &mut sample);
        }
        for _ in 0..rng.random_range(0..3) {
            if rng.random_bool(0.25) {
                pat.push(b'/');
            }
        }
        globs.extend_from_slice(&pat);
        samples.push(sample);
    }
    let mut target = match rng.random_range(0..10) {
        0..=6 => samples.swap_remove(rng.random_range(0..samples.len())),
        7 => globs.clone(),
        _ => {
            let mut t = Vec::new();
            for _ in 0..rng.random_range(0..6) {
                token(rng, &mut Vec::new(), &mut t);
            }
            t
        }
    };
    if rng.random_bool(0.3) {
        for _ in 0..rng.random_range(1..3) {
            target.push(b'/');
            target.extend_from_slice(literal(rng).as_bytes());
        }
    }
    if rng.random_bool(0.1) && !target.is_empty() {
        let i = rng.random_range(0..target.len());
        target[i] = b"a/.*"[rng.random_range(0..4)];
    }
    (globs, target)
}

#[test]
fn match_prefix_patterns_and_path_match_agree_with_go() {
    let mut rng = StdRng::seed_from_u64(0x9a77e4);
    let cases: Vec<(Vec<u8>, Vec<u8>)> = (0..CASES).map(|_| case(&mut rng)).collect();
    let mut input = String::new();
    for (g, t) in &cases {
        input.push_str(&hex::encode(g));
        input.push('\t');
        input.push_str(&hex::encode(t));
        input.push('\n');
    }
    let lines = testkit::oracle::answers("patterns", &input, cases.len());

    let mut bad = Vec::new();
    let (mut matched, mut errors, mut prefix_hits) = (0, 0, 0);
    for ((g, t), line) in cases.iter().zip(&lines) {
        let want = line.as_bytes();
        let (want_mpp, want_match, want_err) = (want[0] == b'1', want[1] == b'1', want[2] == b'1');
        let got = path_match_bytes(g, t);
        let got_mpp = match_prefix_patterns_bytes(g, t);
        let mut ok = got_mpp == want_mpp
            && got.is_err() == want_err
            && *got.as_ref().unwrap_or(&false) == want_match
            && validate_bytes(g).is_err() == want_err;
        if let (Ok(gs), Ok(ts)) = (std::str::from_utf8(g), std::str::from_utf8(t)) {
            ok &= PatternList::parse(gs).matches(ts) == want_mpp;
        }
        if !ok {
            bad.push(format!(
                "globs={:?} target={:?}: go={line} ours mpp={got_mpp} match={got:?}",
                String::from_utf8_lossy(g),
                String::from_utf8_lossy(t)
            ));
        }
        matched += usize::from(want_match);
        errors += usize::from(want_err);
        prefix_hits += usize::from(want_mpp);
    }
    println!(
        "compared {} cases with Go: {matched} path.Match hits, {errors} ErrBadPattern, \
         {prefix_hits} MatchPrefixPatterns hits",
        cases.len()
    );
    // The corpus must exercise every outcome, or it proves little.
    assert!(matched > CASES / 20 && errors > CASES / 20 && prefix_hits > CASES / 10);
    assert!(
        bad.is_empty(),
        "{} disagreements, first: {:#?}",
        bad.len(),
        &bad[..bad.len().min(20)]
    );
}
