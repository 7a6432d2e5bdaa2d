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
//! two-byte string and random byte strings by `tests/strconv_oracle.rs`.

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
