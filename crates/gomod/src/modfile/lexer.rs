//! The go.mod lexer (x/mod/modfile/read.go: `input`, `readToken`, `lex`): tokens with
//! positions in runes, comments kept.

use super::model::{ModFileError, Position};
use crate::strconv::quote_rune;
use crate::unicode::is_print;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tk {
    Eof,
    EolComment,
    Ident,
    Str,
    Comment,
    Newline,
    Punct(u8),
}

impl Tk {
    pub(super) fn is_eol(self) -> bool {
        matches!(self, Tk::Eof | Tk::EolComment | Tk::Newline)
    }
}

#[derive(Debug, Clone)]
pub(super) struct Token {
    pub(super) kind: Tk,
    pub(super) pos: Position,
    /// Where the lexer stood after this token (Go's `in.pos` once it is peeked).
    pub(super) end: Position,
    pub(super) text: String,
}

pub(super) fn is_ident(c: char) -> bool {
    !matches!(c, ' ' | '(' | ')' | '[' | ']' | '{' | '}' | ',') && !c.is_whitespace() && is_print(c)
}

pub(super) struct Lexer<'a> {
    pub(super) file: &'a str,
    pub(super) data: &'a [u8],
    pub(super) i: usize,
    pub(super) pos: Position,
}

/// Decodes one rune like Go's `utf8.DecodeRune` (invalid byte → U+FFFD, size 1).
pub(super) fn decode(b: &[u8]) -> (char, usize) {
    let n = match b[0] {
        0x00..=0x7F => 1,
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        _ => 4,
    };
    if let Some(s) = b.get(..n).and_then(|s| std::str::from_utf8(s).ok())
        && let Some(c) = s.chars().next()
    {
        return (c, n);
    }
    ('\u{FFFD}', 1)
}

impl<'a> Lexer<'a> {
    pub(super) fn err(&self, msg: impl Into<String>) -> ModFileError {
        ModFileError {
            file: self.file.to_string(),
            pos: self.pos,
            verb: None,
            mod_path: None,
            message: msg.into(),
        }
    }
    pub(super) fn eof(&self) -> bool {
        self.i >= self.data.len()
    }
    pub(super) fn peek(&self) -> Option<char> {
        (!self.eof()).then(|| decode(&self.data[self.i..]).0)
    }
    pub(super) fn prefix(&self, p: &str) -> bool {
        self.data[self.i..].starts_with(p.as_bytes())
    }
    pub(super) fn read(&mut self) -> char {
        let (c, n) = decode(&self.data[self.i..]);
        self.i += n;
        if c == '\n' {
            self.pos.line += 1;
            self.pos.column = 1;
        } else {
            self.pos.column += 1;
        }
        c
    }

    /// All tokens up to EOF or up to a lexical error, which Go raises only
    /// when the parser asks for the bad token (one token of lookahead), so a
    /// syntax error before it wins.
    pub(super) fn tokens(mut self) -> (Vec<Token>, Option<ModFileError>) {
        let mut out = Vec::new();
        loop {
            match self.next() {
                Ok(mut t) => {
                    t.end = self.pos;
                    let end = t.kind == Tk::Eof;
                    out.push(t);
                    if end {
                        return (out, None);
                    }
                }
                Err(e) => return (out, Some(e)),
            }
        }
    }

    pub(super) fn text(&self, start: usize) -> String {
        String::from_utf8_lossy(&self.data[start..self.i]).into_owned()
    }

    pub(super) fn next(&mut self) -> Result<Token, ModFileError> {
        while let Some(c) = self.peek() {
            if c == ' ' || c == '\t' || c == '\r' {
                self.read();
                continue;
            }
            if self.prefix("//") {
                let (start, pos) = (self.i, self.pos);
                let line_start = self.data[..self.i]
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |p| p + 1);
                let suffix = !self.data[line_start..self.i].trim_ascii().is_empty();
                while !self.eof() && self.read() != '\n' {}
                let mut text = self.text(start);
                if text.ends_with("\r\n") {
                    text.truncate(text.len() - 2);
                } else if text.ends_with('\n') {
                    text.pop();
                }
                let kind = if suffix { Tk::EolComment } else { Tk::Comment };
                return Ok(Token {
                    kind,
                    pos,
                    end: pos,
                    text,
                });
            }
            if self.prefix("/*") {
                return Err(self.err("mod files must use // comments (not /* */ comments)"));
            }
            break;
        }
        let (start, pos) = (self.i, self.pos);
        let Some(c) = self.peek() else {
            return Ok(Token {
                kind: Tk::Eof,
                pos,
                end: pos,
                text: String::new(),
            });
        };
        match c {
            '\n' | '(' | ')' | '[' | ']' | '{' | '}' | ',' => {
                self.read();
                let kind = if c == '\n' {
                    Tk::Newline
                } else {
                    Tk::Punct(c as u8)
                };
                return Ok(Token {
                    kind,
                    pos,
                    end: pos,
                    text: self.text(start),
                });
            }
            '"' | '`' => {
                self.read();
                loop {
                    if self.eof() {
                        self.pos = pos;
                        return Err(self.err("unexpected EOF in string"));
                    }
                    if self.peek() == Some('\n') {
                        return Err(self.err("unexpected newline in string"));
                    }
                    let d = self.read();
                    if d == c {
                        break;
                    }
                    if d == '\\' && c != '`' {
                        if self.eof() {
                            self.pos = pos;
                            return Err(self.err("unexpected EOF in string"));
                        }
                        self.read();
                    }
                }
                return Ok(Token {
                    kind: Tk::Str,
                    pos,
                    end: pos,
                    text: self.text(start),
                });
            }
            _ => {}
        }
        if !is_ident(c) {
            return Err(self.err(format!("unexpected input character {}", quote_rune(c))));
        }
        while self.peek().is_some_and(is_ident) {
            if self.prefix("//") {
                break;
            }
            if self.prefix("/*") {
                return Err(self.err("mod files must use // comments (not /* */ comments)"));
            }
            self.read();
        }
        Ok(Token {
            kind: Tk::Ident,
            pos,
            end: pos,
            text: self.text(start),
        })
    }
}
