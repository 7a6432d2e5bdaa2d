//! `gomod::strconv` and `gomod::path` against the real Go functions they port
//! (`strconv.Quote`, `strconv.QuoteRune`, `path.Clean`), through the oracle's
//! `quote` and `pathclean` commands.

use gomod::{path, strconv};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Feeds `inputs` (one hex line each) to oracle `command`; returns its lines.
fn oracle_lines(command: &str, inputs: &[Vec<u8>]) -> Vec<String> {
    let mut stdin = String::new();
    for i in inputs {
        stdin.push_str(&hex::encode(i));
        stdin.push('\n');
    }
    testkit::oracle::answers(command, &stdin, inputs.len())
}

/// Our `Quote(s)` TAB `QuoteRune(first rune)`, in the oracle's format.
fn ours(s: &[u8]) -> String {
    let first = match s.utf8_chunks().next() {
        None => "-".to_owned(),
        Some(chunk) => match chunk.valid().chars().next() {
            Some(c) => strconv::quote_rune(c),
            // utf8.DecodeRuneInString gives RuneError for an invalid first byte.
            None => strconv::quote_rune(char::REPLACEMENT_CHARACTER),
        },
    };
    format!("{}\t{first}", strconv::quote_bytes(s))
}

fn compare_quotes(inputs: &[Vec<u8>]) {
    let want = oracle_lines("quote", inputs);
    let mut bad = Vec::new();
    for (input, want) in inputs.iter().zip(&want) {
        let got = ours(input);
        if &got != want {
            bad.push(format!("{}: got {got} want {want}", hex::encode(input)));
        }
    }
    assert!(
        bad.is_empty(),
        "{} of {} differ, first: {:?}",
        bad.len(),
        inputs.len(),
        &bad[..bad.len().min(10)]
    );
    if let Some(s) = inputs.iter().find_map(|i| std::str::from_utf8(i).ok()) {
        assert_eq!(strconv::quote(s), strconv::quote_bytes(s.as_bytes()));
    }
}

#[test]
fn quote_matches_go_for_every_scalar_value() {
    // Each rune alone, and between quote-worthy neighbours.
    let inputs: Vec<Vec<u8>> = (0..=0x10FFFFu32)
        .filter_map(char::from_u32)
        .map(|c| c.to_string().into_bytes())
        .collect();
    compare_quotes(&inputs);
}

#[test]
fn quote_matches_go_for_tricky_and_invalid_strings() {
    let mut inputs: Vec<Vec<u8>> = [
        "",
        "plain",
        "\"quoted\" 'single'",
        "back\\slash",
        "\x00\x01\x07\x08\x09\x0a\x0b\x0c\x0d\x1b\x7f",
        "soft\u{ad}hyphen",
        "line\u{2028}para\u{2029}",
        "zero\u{200b}width\u{feff}bom",
        "private\u{e000}\u{f0000}\u{10fffd}",
        "nonchar\u{fffe}\u{ffff}",
        "\u{fffd} replacement as written",
        "é ü 中文 🙂",
        "rtl\u{202e}override",
        "nbsp\u{a0}ideographic\u{3000}space",
        "https://user:pa ss@example.com/a b?c=d#e",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    // Invalid UTF-8: lone continuation bytes, truncated sequences, overlong forms,
    // surrogates, beyond U+10FFFF.
    for bad in [
        &b"\x80"[..],
        b"\xbf",
        b"\xc0\x80",
        b"\xc1\xbf",
        b"\xe2\x80",
        b"\xe2\x80a",
        b"\xe0\x80\x80",
        b"\xed\xa0\x80",
        b"\xed\xbf\xbf",
        b"\xf0\x8f\xbf\xbf",
        b"\xf4\x90\x80\x80",
        b"\xf5\x80\x80\x80",
        b"\xff\xfe",
        b"ok\xf0\x9f\x99",
        b"\xf0\x9f\x99\x82\x82",
    ] {
        inputs.push(bad.to_vec());
    }
    // Every one- and two-byte string.
    for a in 0..=255u8 {
        inputs.push(vec![a]);
        for b in 0..=255u8 {
            inputs.push(vec![a, b]);
        }
    }
    // Random byte strings biased towards multi-byte lead and continuation bytes.
    let mut rng = StdRng::seed_from_u64(0x9a7e);
    let alphabet: Vec<u8> = (0x00..0x20)
        .chain([b'"', b'\'', b'\\', b'a', 0x7f])
        .chain(0x80..=0xff)
        .collect();
    for _ in 0..20_000 {
        let len = rng.random_range(0..8);
        inputs.push(
            (0..len)
                .map(|_| alphabet[rng.random_range(0..alphabet.len())])
                .collect(),
        );
    }
    compare_quotes(&inputs);
}

#[test]
fn path_clean_matches_go() {
    let mut inputs: Vec<Vec<u8>> = Vec::new();
    // Every path up to 7 bytes over an alphabet that exercises each rule.
    let alphabet = [b'/', b'.', b'a'];
    let mut frontier: Vec<Vec<u8>> = vec![Vec::new()];
    for _ in 0..7 {
        let mut next = Vec::new();
        for p in &frontier {
            for &c in &alphabet {
                let mut q = p.clone();
                q.push(c);
                next.push(q);
            }
        }
        inputs.extend(frontier);
        frontier = next;
    }
    inputs.extend(frontier);
    // Longer random ones with multi-byte names and invalid UTF-8.
    let mut rng = StdRng::seed_from_u64(0xc1ea);
    let pieces: [&[u8]; 8] = [
        b"/",
        b".",
        b"..",
        b"a",
        b"bc",
        b"\xff",
        "é".as_bytes(),
        b"//",
    ];
    for _ in 0..20_000 {
        let n = rng.random_range(0..12);
        inputs.push(
            (0..n)
                .flat_map(|_| pieces[rng.random_range(0..pieces.len())].to_vec())
                .collect(),
        );
    }
    let want = oracle_lines("pathclean", &inputs);
    for (input, want) in inputs.iter().zip(&want) {
        let want = hex::decode(want).expect("oracle answers hex");
        assert_eq!(
            path::clean_bytes(input),
            want,
            "path.Clean({:?})",
            String::from_utf8_lossy(input)
        );
        if let Ok(s) = std::str::from_utf8(input) {
            assert_eq!(path::clean(s).as_bytes(), &want[..]);
        }
    }
}
