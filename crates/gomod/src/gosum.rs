//! go.sum parsing, mirroring cmd/go's `readGoSum`
//! (`src/cmd/go/internal/modfetch/fetch.go`).
//!
//! Lines are split on `\n`; fields on Unicode white space. Blank lines are
//! skipped; a line with other than 3 fields is fatal (except in
//! `go mod tidy`, see [`parse_tidy`]); lines whose hash is the empty-go.mod
//! hash written by an old bug are dropped. Several hashes per key are kept.

use std::collections::HashMap;

use crate::dirhash::EMPTY_GO_MOD_H1;

/// One go.sum line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SumLine {
    /// 1-based line number.
    pub line: usize,
    /// Module path (first field).
    pub module: String,
    /// Version without the `/go.mod` suffix.
    pub version: String,
    /// Whether the line is for the go.mod file (`/go.mod` suffix).
    pub go_mod: bool,
    /// The hash field, e.g. `h1:…` (any algorithm prefix is kept).
    pub hash: String,
}

impl SumLine {
    /// The version field as written (`v1.2.3` or `v1.2.3/go.mod`).
    pub fn version_field(&self) -> String {
        if self.go_mod {
            format!("{}/go.mod", self.version)
        } else {
            self.version.clone()
        }
    }
}

/// Why a go.sum was rejected (cmd/go: `malformed go.sum:\nFILE:LINE: wrong number of fields N`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GoSumError {
    /// A non-blank line does not have exactly 3 fields.
    #[error("malformed go.sum:\n{file}:{line}: wrong number of fields {fields}")]
    WrongFieldCount {
        /// File name given to the parser.
        file: String,
        /// 1-based line number.
        line: usize,
        /// Number of fields found.
        fields: usize,
        /// The line's text (lossily decoded).
        text: String,
    },
}

/// Why a line was left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SkipReason {
    /// Hash of an empty go.mod, written by an old cmd/go bug.
    EmptyGoModHash,
    /// Wrong number of fields, tolerated by `go mod tidy`.
    Malformed,
}

/// A parsed go.sum.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GoSum {
    /// Kept lines in file order.
    pub lines: Vec<SumLine>,
    /// Lines dropped (line number, reason); blank lines are not listed.
    pub skipped: Vec<(usize, SkipReason)>,
}

/// Two different `h1:` hashes for the same module, version and kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// The line seen first.
    pub first: SumLine,
    /// A later line with another hash.
    pub second: SumLine,
}

/// `strings.Fields` over bytes: split on Unicode white space; bytes that are
/// not valid UTF-8 are never white space.
fn fields(line: &[u8]) -> Vec<String> {
    if line.is_ascii() {
        // Nearly every go.sum: split on the ASCII spaces of unicode.IsSpace (which, unlike
        // u8::is_ascii_whitespace, include vertical tab) without decoding characters.
        return line
            .split(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\x0B' | b'\x0C' | b'\r'))
            .filter(|f| !f.is_empty())
            .map(|f| String::from_utf8_lossy(f).into_owned())
            .collect();
    }
    fields_unicode(line)
}

/// Go's `strings.Fields` over possibly invalid UTF-8 (invalid bytes are kept in fields).
fn fields_unicode(line: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur: Vec<u8> = Vec::new();
    let flush = |cur: &mut Vec<u8>, out: &mut Vec<String>| {
        if !cur.is_empty() {
            out.push(String::from_utf8_lossy(cur).into_owned());
            cur.clear();
        }
    };
    for chunk in line.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c.is_whitespace() {
                flush(&mut cur, &mut out);
            } else {
                let mut b = [0u8; 4];
                cur.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
            }
        }
        cur.extend_from_slice(chunk.invalid());
    }
    flush(&mut cur, &mut out);
    out
}

/// One step of a [`Reader`]: a kept line, a dropped one, or a line with the wrong number of
/// fields. Blank lines are not reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A line go keeps.
    Line(SumLine),
    /// A line go drops (the empty-go.mod hash of an old cmd/go bug).
    Skipped {
        /// 1-based line number.
        line: usize,
        /// Why.
        reason: SkipReason,
    },
    /// A non-blank line without exactly 3 fields: fatal to every go command but
    /// `go mod tidy`, which skips it.
    WrongFieldCount {
        /// 1-based line number.
        line: usize,
        /// Number of fields found.
        fields: usize,
        /// The line's text (lossily decoded).
        text: String,
    },
}

/// Reads go.sum lines one at a time from any [`std::io::BufRead`], holding one line at a time:
/// the same splitting and field rules as [`parse`] (cmd/go's `readGoSum`), for files too
/// large to be worth holding whole.
#[derive(Debug)]
pub struct Reader<R> {
    input: R,
    buf: Vec<u8>,
    lineno: usize,
}

impl<R: std::io::BufRead> Reader<R> {
    /// A reader over `input`.
    pub fn new(input: R) -> Reader<R> {
        Reader {
            input,
            buf: Vec::new(),
            lineno: 0,
        }
    }

    /// The next non-blank line, or `None` at the end of the input.
    pub fn next_entry(&mut self) -> std::io::Result<Option<Entry>> {
        loop {
            self.buf.clear();
            if self.input.read_until(b'\n', &mut self.buf)? == 0 {
                return Ok(None);
            }
            self.lineno += 1;
            let line = self.buf.strip_suffix(b"\n").unwrap_or(&self.buf);
            if let Some(entry) = entry(self.lineno, line) {
                return Ok(Some(entry));
            }
        }
    }
}

/// The entry of one line (without its `\n`), `None` for a blank one.
fn entry(lineno: usize, line: &[u8]) -> Option<Entry> {
    let f = fields(line);
    if f.is_empty() {
        return None;
    }
    if f.len() != 3 {
        return Some(Entry::WrongFieldCount {
            line: lineno,
            fields: f.len(),
            text: String::from_utf8_lossy(line).into_owned(),
        });
    }
    if f[2] == EMPTY_GO_MOD_H1 {
        return Some(Entry::Skipped {
            line: lineno,
            reason: SkipReason::EmptyGoModHash,
        });
    }
    let mut f = f.into_iter();
    let (module, version, hash) = (
        f.next().unwrap_or_default(),
        f.next().unwrap_or_default(),
        f.next().unwrap_or_default(),
    );
    let (version, go_mod) = match version.strip_suffix("/go.mod") {
        Some(v) => (v.to_string(), true),
        None => (version, false),
    };
    Some(Entry::Line(SumLine {
        line: lineno,
        module,
        version,
        go_mod,
        hash,
    }))
}

fn read(file: &str, data: &[u8], tidy: bool) -> Result<GoSum, GoSumError> {
    let mut sum = GoSum::default();
    let mut reader = Reader::new(data);
    // Reading from a byte slice cannot fail.
    while let Ok(Some(e)) = reader.next_entry() {
        match e {
            Entry::Line(l) => sum.lines.push(l),
            Entry::Skipped { line, reason } => sum.skipped.push((line, reason)),
            Entry::WrongFieldCount { line, .. } if tidy => {
                sum.skipped.push((line, SkipReason::Malformed));
            }
            Entry::WrongFieldCount { line, fields, text } => {
                return Err(GoSumError::WrongFieldCount {
                    file: file.to_string(),
                    line,
                    fields,
                    text,
                });
            }
        }
    }
    Ok(sum)
}

/// Parses go.sum bytes as every go command except `go mod tidy` does.
/// `file` is used in the error message only.
pub fn parse(file: &str, data: &[u8]) -> Result<GoSum, GoSumError> {
    read(file, data, false)
}

/// Parses go.sum bytes as `go mod tidy` does: malformed lines are skipped.
pub fn parse_tidy(data: &[u8]) -> GoSum {
    // In tidy mode no line can be fatal.
    read("", data, true).unwrap_or_default()
}

impl GoSum {
    /// Every line for `module` at `version` (`go_mod` selects the `/go.mod` lines).
    pub fn lookup<'a>(
        &'a self,
        module: &'a str,
        version: &'a str,
        go_mod: bool,
    ) -> impl Iterator<Item = &'a SumLine> + 'a {
        self.lines
            .iter()
            .filter(move |l| l.module == module && l.version == version && l.go_mod == go_mod)
    }

    /// Whether go.sum lists exactly this hash for the key.
    pub fn contains(&self, module: &str, version: &str, go_mod: bool, hash: &str) -> bool {
        self.lookup(module, version, go_mod).any(|l| l.hash == hash)
    }

    /// Keys listed with two or more different `h1:` hashes; cmd/go reports a
    /// checksum mismatch for such a key whatever the real content is.
    /// One conflict per later differing line, paired with the key's first line.
    pub fn conflicts(&self) -> Vec<Conflict> {
        let mut first: HashMap<(&str, &str, bool), &SumLine> = HashMap::new();
        let mut out = Vec::new();
        for l in self.lines.iter().filter(|l| l.hash.starts_with("h1:")) {
            let key = (l.module.as_str(), l.version.as_str(), l.go_mod);
            match first.get(&key) {
                None => {
                    first.insert(key, l);
                }
                Some(f) if f.hash != l.hash => out.push(Conflict {
                    first: (*f).clone(),
                    second: l.clone(),
                }),
                Some(_) => {}
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "rsc.io/quote v1.5.2 h1:w5fcysjrx7yqtD/aO+QwRjYZOKnaM9Uh2b40tElTs3Y=\nrsc.io/quote v1.5.2/go.mod h1:LzX7hefJvL54yjefDEDHNONDjII0t9xZLPXsUe+TKr0=\n";

    #[test]
    fn parses_lines_with_numbers() {
        let s = parse("go.sum", format!("\n{GOOD}\n").as_bytes()).unwrap();
        assert_eq!(s.lines.len(), 2);
        assert_eq!(s.lines[0].line, 2);
        assert!(!s.lines[0].go_mod);
        assert_eq!(s.lines[1].line, 3);
        assert!(s.lines[1].go_mod);
        assert_eq!(s.lines[1].version, "v1.5.2");
        assert_eq!(s.lines[1].version_field(), "v1.5.2/go.mod");
        assert!(s.contains(
            "rsc.io/quote",
            "v1.5.2",
            true,
            "h1:LzX7hefJvL54yjefDEDHNONDjII0t9xZLPXsUe+TKr0="
        ));
        assert!(!s.contains(
            "rsc.io/quote",
            "v1.5.2",
            false,
            "h1:LzX7hefJvL54yjefDEDHNONDjII0t9xZLPXsUe+TKr0="
        ));
        assert!(s.conflicts().is_empty());
    }

    #[test]
    fn ascii_fast_path_splits_like_unicode_is_space() {
        for line in [
            &b"a b\tc"[..],
            b"  a\x0Bb\x0Cc\rd  ",
            b"example.com/m v1.0.0 h1:x=",
            b"",
            b" \t ",
            b"a\x1Fb",
        ] {
            assert_eq!(fields(line), fields_unicode(line), "{line:?}");
        }
        assert_eq!(fields(b"a\x0Bb").len(), 2);
        // U+00A0 and U+0085 are spaces to Go too; they take the Unicode path.
        assert_eq!(fields("a\u{a0}b\u{85}c".as_bytes()), ["a", "b", "c"]);
    }

    #[test]
    fn wrong_field_count_is_fatal_except_in_tidy() {
        let data = b"a v1.0.0 h1:x\nb v1.0.0\n";
        let e = parse("go.sum", data).unwrap_err();
        assert_eq!(
            e.to_string(),
            "malformed go.sum:\ngo.sum:2: wrong number of fields 2"
        );
        let t = parse_tidy(data);
        assert_eq!(t.lines.len(), 1);
        assert_eq!(t.skipped, vec![(2, SkipReason::Malformed)]);
        assert!(parse("go.sum", b"a b c d\n").is_err());
    }

    #[test]
    fn drops_empty_go_mod_hash_and_tolerates_spacing() {
        let data =
            format!("a v1.0.0/go.mod {EMPTY_GO_MOD_H1}\r\n\t a\u{a0}v1.0.0\u{3000}h1:x \r\n   \n");
        let s = parse("go.sum", data.as_bytes()).unwrap();
        assert_eq!(s.skipped, vec![(1, SkipReason::EmptyGoModHash)]);
        assert_eq!(s.lines.len(), 1);
        assert_eq!(s.lines[0].hash, "h1:x");
        assert_eq!(s.lines[0].line, 2);
    }

    #[test]
    fn no_final_newline_and_invalid_utf8() {
        let s = parse("go.sum", b"a v1 h1:x").unwrap();
        assert_eq!(s.lines.len(), 1);
        // 0x85 alone is not UTF-8, so not NEL white space: one field.
        let e = parse("go.sum", b"a\x85v1 h1:x\n").unwrap_err();
        assert!(matches!(e, GoSumError::WrongFieldCount { fields: 2, .. }));
        assert!(parse("go.sum", "a\u{85}v1 h1:x\n".as_bytes()).is_ok());
    }

    #[test]
    fn conflicts_are_per_kind_and_h1_only() {
        let data =
            "m v1.0.0 h1:a\nm v1.0.0/go.mod h1:b\nm v1.0.0 h2:zzz\nm v1.0.0 h1:c\nm v1.0.0 h1:a\n";
        let s = parse("go.sum", data.as_bytes()).unwrap();
        let c = s.conflicts();
        assert_eq!(c.len(), 1);
        assert_eq!((c[0].first.line, c[0].second.line), (1, 4));
        assert_eq!(s.lookup("m", "v1.0.0", false).count(), 4);
    }

    #[test]
    fn reader_streams_the_same_entries_as_parse() {
        let data = format!("\n{GOOD}a b\n\r\nm v1.0.0/go.mod {EMPTY_GO_MOD_H1}\nlast v1 h1:x");
        // A one-byte buffer: lines split across every refill.
        let mut r = Reader::new(std::io::BufReader::with_capacity(1, data.as_bytes()));
        let mut got = Vec::new();
        while let Some(e) = r.next_entry().unwrap() {
            got.push(e);
        }
        assert_eq!(got.len(), 5);
        assert!(matches!(&got[0], Entry::Line(l) if l.line == 2 && !l.go_mod));
        assert!(matches!(&got[1], Entry::Line(l) if l.line == 3 && l.go_mod));
        assert_eq!(
            got[2],
            Entry::WrongFieldCount {
                line: 4,
                fields: 2,
                text: "a b".into()
            }
        );
        assert_eq!(
            got[3],
            Entry::Skipped {
                line: 6,
                reason: SkipReason::EmptyGoModHash
            }
        );
        assert!(matches!(&got[4], Entry::Line(l) if l.line == 7 && l.module == "last"));
        let tidy = parse_tidy(data.as_bytes());
        assert_eq!(tidy.lines.len(), 3);
        assert_eq!(
            tidy.skipped,
            vec![(4, SkipReason::Malformed), (6, SkipReason::EmptyGoModHash)]
        );
    }

    #[test]
    fn never_panics_on_junk() {
        for data in [
            &b""[..],
            b"\n\n\n",
            b"\xff\xfe\x00",
            b"a b c\nd e f g\n",
            b"/go.mod /go.mod /go.mod",
        ] {
            let _ = parse("x", data);
            let _ = parse_tidy(data);
        }
    }
}
