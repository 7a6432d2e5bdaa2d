//! Go's `strconv.Quote` and `strconv.QuoteRune` (the `%q` verb), the one port every
//! gotrust error text that quotes something goes through.
//!
//! Mirrors `appendQuotedWith` and `appendEscapedRune` in Go's src/strconv/quote.go
//! (not ASCII-only, not graphic-only): a backslash and the quote character are
//! escaped; a rune printable per `unicode.IsPrint` is kept as is; `\a \b \f \n \r \t \v`
//! are named; other runes below U+0020 and U+007F become `\xNN`; every other
//! non-printable rune becomes `\uNNNN` or `\UNNNNNNNN` (so U+00AD, U+2028 and private-use
//! runes are escaped, while printable non-ASCII such as `é` is kept). Each byte of an
//! invalid UTF-8 sequence becomes `\xNN`, one byte at a time, as `utf8.DecodeRuneInString`
//! reads it.
//!
//! Checked against the real `strconv` for every Unicode scalar value, every one- and
//! two-byte string and random byte strings by `tests/integration/strconv_oracle.rs`.

use crate::unicode::is_print;
use std::fmt::Write as _;

/// Go's `strconv.Quote(s)`: `s` in double quotes with Go's escapes.
pub fn quote(s: &str) -> String {
    quote_bytes(s.as_bytes())
}

/// Go's `strconv.Quote` of a byte string that may not be UTF-8 (Go strings are bytes):
/// each byte of an invalid sequence is written `\xNN`.
pub fn quote_bytes(s: &[u8]) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for chunk in s.utf8_chunks() {
        for c in chunk.valid().chars() {
            escape_rune(&mut out, c, '"');
        }
        // Rust may group up to three bytes of a truncated sequence in one invalid run;
        // Go decodes each of them as a one-byte RuneError and escapes it alone, which
        // is what writing them one by one gives.
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    out.push('"');
    out
}

/// Go's `strconv.QuoteRune(c)`: `c` in single quotes with Go's escapes.
pub fn quote_rune(c: char) -> String {
    let mut out = String::with_capacity(6);
    out.push('\'');
    escape_rune(&mut out, c, '\'');
    out.push('\'');
    out
}

/// Go's `appendEscapedRune` for a valid rune (a Rust `char` cannot be a surrogate or
/// beyond U+10FFFF, the cases Go replaces with U+FFFD first).
fn escape_rune(out: &mut String, c: char, quote: char) {
    if c == quote || c == '\\' {
        out.push('\\');
        out.push(c);
        return;
    }
    if is_print(c) {
        out.push(c);
        return;
    }
    let _ = match c {
        '\x07' => out.write_str("\\a"),
        '\x08' => out.write_str("\\b"),
        '\x0c' => out.write_str("\\f"),
        '\n' => out.write_str("\\n"),
        '\r' => out.write_str("\\r"),
        '\t' => out.write_str("\\t"),
        '\x0b' => out.write_str("\\v"),
        c if c < ' ' || c == '\x7f' => write!(out, "\\x{:02x}", c as u32),
        c if (c as u32) < 0x10000 => write!(out, "\\u{:04x}", c as u32),
        c => write!(out, "\\U{:08x}", c as u32),
    };
}

/// Go's `strconv.Unquote` for a double-quoted string (all `modfile.parseString` needs);
/// a result that is not UTF-8 is refused, where Go would return the bytes.
pub(crate) fn unquote(s: &str) -> Result<String, String> {
    let bad = || "invalid syntax".to_string();
    let inner = s
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .filter(|_| s.len() >= 2)
        .ok_or_else(bad)?;
    if inner.contains('\n') {
        return Err(bad());
    }
    let mut out = Vec::with_capacity(inner.len());
    let b = inner.as_bytes();
    let mut i = 0;
    let hex = |s: &[u8]| -> Option<u32> {
        std::str::from_utf8(s)
            .ok()
            .filter(|t| t.bytes().all(|c| c.is_ascii_hexdigit()))
            .and_then(|t| u32::from_str_radix(t, 16).ok())
    };
    while i < b.len() {
        match b[i] {
            b'"' => return Err(bad()),
            b'\\' => {
                let c = *b.get(i + 1).ok_or_else(bad)?;
                i += 2;
                match c {
                    b'a' => out.push(7),
                    b'b' => out.push(8),
                    b'f' => out.push(12),
                    b'n' => out.push(b'\n'),
                    b'r' => out.push(b'\r'),
                    b't' => out.push(b'\t'),
                    b'v' => out.push(11),
                    b'\\' => out.push(b'\\'),
                    b'"' => out.push(b'"'),
                    b'x' => {
                        let v = b.get(i..i + 2).and_then(hex).ok_or_else(bad)?;
                        out.push(v as u8);
                        i += 2;
                    }
                    b'0'..=b'7' => {
                        let d = b.get(i - 1..i + 2).ok_or_else(bad)?;
                        if !d.iter().all(|c| (b'0'..=b'7').contains(c)) {
                            return Err(bad());
                        }
                        let v = u32::from(d[0] - b'0') * 64
                            + u32::from(d[1] - b'0') * 8
                            + u32::from(d[2] - b'0');
                        if v > 255 {
                            return Err(bad());
                        }
                        out.push(v as u8);
                        i += 2;
                    }
                    b'u' | b'U' => {
                        let n = if c == b'u' { 4 } else { 8 };
                        let v = b.get(i..i + n).and_then(hex).ok_or_else(bad)?;
                        let ch = char::from_u32(v).ok_or_else(bad)?;
                        let mut tmp = [0u8; 4];
                        out.extend_from_slice(ch.encode_utf8(&mut tmp).as_bytes());
                        i += n;
                    }
                    _ => return Err(bad()),
                }
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    // Go strings may hold any bytes; ours must be UTF-8, so such input is refused.
    String::from_utf8(out).map_err(|_| "invalid UTF-8 in quoted string".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_go_does() {
        assert_eq!(
            quote_bytes(b"a\"b\\c\n\xff\x01\xe2\x80\x8b\xc3\xa9"),
            r#""a\"b\\c\n\xff\x01\u200bé""#
        );
        assert_eq!(
            quote("\u{ad}\u{2028}\u{e000}\u{10ffff}'"),
            r#""\u00ad\u2028\ue000\U0010ffff'""#
        );
        // A truncated three-byte sequence is two one-byte errors in Go.
        assert_eq!(quote_bytes(b"\xe2\x80a"), r#""\xe2\x80a""#);
        assert_eq!(quote_rune('\n'), r"'\n'");
        assert_eq!(quote_rune(':'), "':'");
        assert_eq!(quote_rune('\''), r"'\''");
        assert_eq!(quote_rune('"'), "'\"'");
    }
}
