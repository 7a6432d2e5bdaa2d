//! go.mod and go.work parsing with line numbers, mirroring
//! `golang.org/x/mod/modfile` (`read.go` lexer and block grammar, `rule.go`
//! `Parse`/`ParseLax`, `work.go` `ParseWork`).
//!
//! Versions are checked as `modfile.Parse` does with a nil version fixer:
//! they must be canonicalisable semantic versions (cmd/go's fixer, which
//! can resolve branch names over the network, is out of scope).

use std::fmt;

/// A position in the file: 1-based line and 1-based rune column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Position {
    /// Line number, starting at 1.
    pub line: usize,
    /// Column in runes, starting at 1.
    pub column: usize,
}

/// One parse error, formatted as Go's `modfile.Error`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModFileError {
    /// The file name given to the parser.
    pub file: String,
    /// Where the offending token or line starts.
    pub pos: Position,
    /// The directive (`require`, `replace`, ...) when Go names it.
    pub verb: Option<String>,
    /// The module path when Go names it.
    pub mod_path: Option<String>,
    /// What is wrong (Go's text).
    pub message: String,
}

impl fmt::Display for ModFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.pos.column > 1 {
            write!(f, "{}:{}:{}: ", self.file, self.pos.line, self.pos.column)?;
        } else if self.pos.line > 0 {
            write!(f, "{}:{}: ", self.file, self.pos.line)?;
        } else if !self.file.is_empty() {
            write!(f, "{}: ", self.file)?;
        }
        match (&self.verb, &self.mod_path) {
            (Some(v), Some(p)) => write!(f, "{v} {p}: ")?,
            (Some(v), None) => write!(f, "{v}: ")?,
            _ => {}
        }
        f.write_str(&self.message)
    }
}

/// All errors of one parse (Go's `modfile.ErrorList`), at least one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ModFileErrors(pub Vec<ModFileError>);

impl fmt::Display for ModFileErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

/// `module path` (with its `Deprecated:` comment text, if any).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleStmt {
    /// The module path (unquoted).
    pub path: String,
    /// Text after `Deprecated:` in the directive's comment.
    pub deprecated: Option<String>,
    /// Line of the directive.
    pub line: usize,
}

/// `go 1.21` (or `toolchain go1.22.0`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionStmt {
    /// The version or toolchain name.
    pub version: String,
    /// Line of the directive.
    pub line: usize,
}

/// A module version named by `require` or `exclude`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Require {
    /// Module path.
    pub path: String,
    /// Canonical version.
    pub version: String,
    /// Marked `// indirect`.
    pub indirect: bool,
    /// Line of the requirement.
    pub line: usize,
}

/// `replace old [v] => new [v]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replace {
    /// Replaced module path.
    pub old_path: String,
    /// Replaced version; `None` replaces every version.
    pub old_version: Option<String>,
    /// Replacement module path or directory.
    pub new_path: String,
    /// Replacement version; `None` for a directory.
    pub new_version: Option<String>,
    /// Line of the replacement.
    pub line: usize,
}

/// `retract v` or `retract [low, high]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retract {
    /// Lowest retracted version.
    pub low: String,
    /// Highest retracted version.
    pub high: String,
    /// The comment explaining the retraction.
    pub rationale: String,
    /// Line of the retraction.
    pub line: usize,
}

/// `godebug key=value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Godebug {
    /// Setting name.
    pub key: String,
    /// Setting value.
    pub value: String,
    /// Line of the directive.
    pub line: usize,
}

/// A path-valued directive: `tool`, `ignore`, `use`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathStmt {
    /// The path (unquoted).
    pub path: String,
    /// Line of the directive.
    pub line: usize,
}

/// A parsed go.mod.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModFile {
    /// `module`.
    pub module: Option<ModuleStmt>,
    /// `go`.
    pub go: Option<VersionStmt>,
    /// `toolchain`.
    pub toolchain: Option<VersionStmt>,
    /// `godebug`.
    pub godebug: Vec<Godebug>,
    /// `require`.
    pub require: Vec<Require>,
    /// `exclude` (the `indirect` flag is always false).
    pub exclude: Vec<Require>,
    /// `replace`.
    pub replace: Vec<Replace>,
    /// `retract`.
    pub retract: Vec<Retract>,
    /// `tool`.
    pub tool: Vec<PathStmt>,
    /// `ignore`.
    pub ignore: Vec<PathStmt>,
}

/// A parsed go.work.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkFile {
    /// `go`.
    pub go: Option<VersionStmt>,
    /// `toolchain`.
    pub toolchain: Option<VersionStmt>,
    /// `godebug`.
    pub godebug: Vec<Godebug>,
    /// `use`.
    pub use_dirs: Vec<PathStmt>,
    /// `replace`.
    pub replace: Vec<Replace>,
}

// ---------------------------------------------------------------- lexer

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tk {
    Eof,
    EolComment,
    Ident,
    Str,
    Comment,
    Newline,
    Punct(u8),
}

impl Tk {
    fn is_eol(self) -> bool {
        matches!(self, Tk::Eof | Tk::EolComment | Tk::Newline)
    }
}

#[derive(Debug, Clone)]
struct Token {
    kind: Tk,
    pos: Position,
    /// Where the lexer stood after this token (Go's `in.pos` once it is peeked).
    end: Position,
    text: String,
}

use crate::strconv::{quote, quote_rune};
use crate::unicode::is_print;

fn is_ident(c: char) -> bool {
    !matches!(c, ' ' | '(' | ')' | '[' | ']' | '{' | '}' | ',') && !c.is_whitespace() && is_print(c)
}

struct Lexer<'a> {
    file: &'a str,
    data: &'a [u8],
    i: usize,
    pos: Position,
}

/// Decodes one rune like Go's `utf8.DecodeRune` (invalid byte → U+FFFD, size 1).
fn decode(b: &[u8]) -> (char, usize) {
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
    fn err(&self, msg: impl Into<String>) -> ModFileError {
        ModFileError {
            file: self.file.to_string(),
            pos: self.pos,
            verb: None,
            mod_path: None,
            message: msg.into(),
        }
    }
    fn eof(&self) -> bool {
        self.i >= self.data.len()
    }
    fn peek(&self) -> Option<char> {
        (!self.eof()).then(|| decode(&self.data[self.i..]).0)
    }
    fn prefix(&self, p: &str) -> bool {
        self.data[self.i..].starts_with(p.as_bytes())
    }
    fn read(&mut self) -> char {
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
    fn tokens(mut self) -> (Vec<Token>, Option<ModFileError>) {
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

    fn text(&self, start: usize) -> String {
        String::from_utf8_lossy(&self.data[start..self.i]).into_owned()
    }

    fn next(&mut self) -> Result<Token, ModFileError> {
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

// ---------------------------------------------------------------- grammar

#[derive(Debug, Default)]
struct Line {
    start: Position,
    tokens: Vec<String>,
    /// Whole-line comments just before the line.
    before: Vec<String>,
    /// End-of-line comment.
    suffix: Vec<String>,
}

#[derive(Debug)]
enum Stmt {
    Line(Line),
    Block {
        start: Position,
        tokens: Vec<String>,
        before: Vec<String>,
        lines: Vec<Line>,
    },
}

struct Parser<'a> {
    file: &'a str,
    toks: Vec<Token>,
    lex_err: Option<ModFileError>,
    i: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Tk {
        self.toks[self.i].kind
    }
    /// Takes the current token and reads the next, failing like Go's
    /// `readToken` when the next one is not lexically valid.
    fn lex(&mut self) -> Result<Token, ModFileError> {
        let t = self.toks[self.i].clone();
        if self.i + 1 < self.toks.len() {
            self.i += 1;
        } else if let Some(e) = self.lex_err.take() {
            return Err(e);
        }
        Ok(t)
    }
    fn err(&self, pos: Position, msg: impl Into<String>) -> ModFileError {
        ModFileError {
            file: self.file.to_string(),
            pos,
            verb: None,
            mod_path: None,
            message: msg.into(),
        }
    }

    fn file(&mut self) -> Result<Vec<Stmt>, ModFileError> {
        let mut stmts = Vec::new();
        let mut comments: Vec<String> = Vec::new();
        loop {
            match self.peek() {
                Tk::Newline => {
                    self.lex()?;
                    comments.clear();
                }
                Tk::Comment => comments.push(self.lex()?.text),
                Tk::Eof => return Ok(stmts),
                _ => {
                    let mut s = self.stmt()?;
                    let before = std::mem::take(&mut comments);
                    match &mut s {
                        Stmt::Line(l) => l.before = before,
                        Stmt::Block { before: b, .. } => *b = before,
                    }
                    stmts.push(s);
                }
            }
        }
    }

    fn stmt(&mut self) -> Result<Stmt, ModFileError> {
        let first = self.lex()?;
        let start = first.pos;
        let mut tokens = vec![first.text];
        loop {
            let t = self.lex()?;
            if t.kind.is_eol() {
                let suffix = if t.kind == Tk::EolComment {
                    vec![t.text]
                } else {
                    vec![]
                };
                return Ok(Stmt::Line(Line {
                    start,
                    tokens,
                    before: vec![],
                    suffix,
                }));
            }
            if t.kind == Tk::Punct(b'(') {
                let next = self.peek();
                if next.is_eol() {
                    return self.block(start, tokens);
                } else if next == Tk::Punct(b')') {
                    let r = self.lex()?;
                    if self.peek().is_eol() {
                        self.lex()?;
                        return Ok(Stmt::Block {
                            start,
                            tokens,
                            before: vec![],
                            lines: vec![],
                        });
                    }
                    tokens.push(t.text);
                    tokens.push(r.text);
                } else {
                    tokens.push(t.text);
                }
                continue;
            }
            tokens.push(t.text);
        }
    }

    fn block(&mut self, start: Position, tokens: Vec<String>) -> Result<Stmt, ModFileError> {
        let mut lines = Vec::new();
        let mut comments: Vec<String> = Vec::new();
        loop {
            match self.peek() {
                Tk::EolComment => {
                    self.lex()?;
                }
                Tk::Newline => {
                    self.lex()?;
                    comments.push(String::new());
                }
                Tk::Comment => comments.push(self.lex()?.text),
                Tk::Eof => {
                    let pos = self.toks[self.i].pos;
                    return Err(self.err(
                        pos,
                        format!(
                            "syntax error (unterminated block started at {}:{}:{})",
                            self.file, start.line, start.column
                        ),
                    ));
                }
                Tk::Punct(b')') => {
                    self.lex()?;
                    if !self.peek().is_eol() {
                        let pos = self.toks[self.i].end;
                        return Err(
                            self.err(pos, "syntax error (expected newline after closing paren)")
                        );
                    }
                    self.lex()?;
                    return Ok(Stmt::Block {
                        start,
                        tokens,
                        before: vec![],
                        lines,
                    });
                }
                _ => {
                    let first = self.lex()?;
                    let mut l = Line {
                        start: first.pos,
                        tokens: vec![first.text],
                        before: std::mem::take(&mut comments),
                        suffix: vec![],
                    };
                    loop {
                        let t = self.lex()?;
                        if t.kind.is_eol() {
                            if t.kind == Tk::EolComment {
                                l.suffix.push(t.text);
                            }
                            break;
                        }
                        l.tokens.push(t.text);
                    }
                    lines.push(l);
                }
            }
        }
    }
}

fn syntax(file: &str, data: &[u8]) -> Result<Vec<Stmt>, ModFileErrors> {
    let lexer = Lexer {
        file,
        data,
        i: 0,
        pos: Position { line: 1, column: 1 },
    };
    let (toks, lex_err) = lexer.tokens();
    if toks.is_empty() {
        return Err(ModFileErrors(lex_err.into_iter().collect()));
    }
    let mut p = Parser {
        file,
        toks,
        lex_err,
        i: 0,
    };
    p.file().map_err(|e| ModFileErrors(vec![e]))
}

// ---------------------------------------------------------------- rules

/// Go's `strconv.Unquote` for a double-quoted string.
fn unquote(s: &str) -> Result<String, String> {
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

/// `modfile.parseString`.
fn parse_string(s: &str) -> Result<String, String> {
    if s.starts_with('"') {
        unquote(s)
    } else if s.contains(['"', '\'', '`']) {
        Err("unquoted string cannot contain quote".into())
    } else {
        Ok(s.to_string())
    }
}

fn is_go_version(v: &str) -> bool {
    // ^([1-9][0-9]*)\.(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))?([a-z]+[0-9]+)?$
    fn num(s: &str, allow_zero: bool) -> Option<&str> {
        let end = s
            .bytes()
            .position(|b| !b.is_ascii_digit())
            .unwrap_or(s.len());
        let n = &s[..end];
        let ok = !n.is_empty() && (!n.starts_with('0') || (allow_zero && n == "0"));
        ok.then_some(&s[end..])
    }
    let Some(rest) = num(v, false) else {
        return false;
    };
    let Some(rest) = rest.strip_prefix('.').and_then(|r| num(r, true)) else {
        return false;
    };
    let rest = match rest.strip_prefix('.') {
        Some(r) => match num(r, true) {
            Some(r) => r,
            None => return false,
        },
        None => rest,
    };
    if rest.is_empty() {
        return true;
    }
    let letters = rest.bytes().take_while(|b| b.is_ascii_lowercase()).count();
    let digits = &rest[letters..];
    letters > 0 && !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// `laxGoVersionRE`: `^v?(([1-9][0-9]*)\.(0|[1-9][0-9]*))([^0-9].*)$` → group 1.
fn lax_go_version(v: &str) -> Option<String> {
    let s = v.strip_prefix('v').unwrap_or(v);
    let maj = s.bytes().take_while(|b| b.is_ascii_digit()).count();
    if maj == 0 || s.starts_with('0') {
        return None;
    }
    let rest = s[maj..].strip_prefix('.')?;
    let min = rest.bytes().take_while(|b| b.is_ascii_digit()).count();
    if min == 0 || (min > 1 && rest.starts_with('0')) {
        return None;
    }
    let tail = &rest[min..];
    // The tail must start with a non-digit: backtracking cannot help since
    // the minor number is greedy and "0" cannot be followed by digits.
    let first = tail.chars().next()?;
    if first.is_ascii_digit() {
        return None;
    }
    Some(s[..maj + 1 + min].to_string())
}

fn is_toolchain(v: &str) -> bool {
    v == "default" || v == "go1" || v.starts_with("go1.")
}

/// `modfile.IsDirectoryPath`.
pub fn is_directory_path(ns: &str) -> bool {
    let b = ns.as_bytes();
    ns == "."
        || ns.starts_with("./")
        || ns.starts_with(".\\")
        || ns == ".."
        || ns.starts_with("../")
        || ns.starts_with("..\\")
        || ns.starts_with('/')
        || ns.starts_with('\\')
        || (b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':')
}

fn is_indirect(l: &Line) -> bool {
    let Some(c) = l.suffix.first() else {
        return false;
    };
    let f: Vec<&str> = c
        .strip_prefix("//")
        .unwrap_or(c)
        .split_whitespace()
        .collect();
    (f.len() == 1 && f[0] == "indirect") || (f.len() > 1 && f[0] == "indirect;")
}

fn directive_comment(block_before: Option<&[String]>, l: &Line) -> String {
    let (before, suffix): (&[String], &[String]) = match block_before {
        Some(b) if l.before.is_empty() && l.suffix.is_empty() => (b, &[]),
        _ => (&l.before, &l.suffix),
    };
    before
        .iter()
        .chain(suffix)
        .filter(|c| c.starts_with("//"))
        .map(|c| c[2..].trim().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

fn deprecation(text: &str) -> Option<String> {
    // (?s)(?:^|\n\n)Deprecated: *(.*?)(?:$|\n\n)
    let mut starts = vec![0];
    starts.extend(text.match_indices("\n\n").map(|(i, _)| i + 2));
    for s in starts {
        if let Some(rest) = text[s..].strip_prefix("Deprecated:") {
            let rest = rest.trim_start_matches(' ');
            let end = rest.find("\n\n").unwrap_or(rest.len());
            return Some(rest[..end].to_string());
        }
    }
    None
}

struct Ctx<'a> {
    file: &'a str,
    errs: Vec<ModFileError>,
}

impl Ctx<'_> {
    fn push(&mut self, l: &Line, verb: Option<&str>, path: Option<&str>, msg: impl Into<String>) {
        self.errs.push(ModFileError {
            file: self.file.to_string(),
            pos: l.start,
            verb: verb.map(str::to_string),
            mod_path: path.map(str::to_string),
            message: msg.into(),
        });
    }
}

/// `parseVersion` with a nil fixer; errors are (verb, path, message).
fn parse_version(verb: &str, path: &str, s: &str) -> Result<String, VersionErr> {
    let t = parse_string(s).map_err(|e| {
        (
            verb.into(),
            path.into(),
            format!("version {} invalid: {e}", quote(s)),
        )
    })?;
    let cv = crate::module::canonical_version(&t).unwrap_or_default();
    if cv.is_empty() {
        return Err((
            verb.into(),
            path.into(),
            format!("version {} invalid: must be of the form v1.2.3", quote(&t)),
        ));
    }
    Ok(cv)
}

fn path_major(path: &str) -> Option<String> {
    // modulePathMajor: SplitPathVersion must succeed.
    crate::module::split_path_version(path).map(|(_, m)| m.to_string())
}

fn check_major(v: &str, major: &str) -> Result<(), String> {
    crate::module::check_path_major(v, major).map_err(|e| e.to_string())
}

fn version_err(ctx: &mut Ctx<'_>, l: &Line, e: VersionErr) {
    let path = (!e.1.is_empty()).then_some(e.1.as_str());
    ctx.push(l, Some(&e.0), path, e.2);
}

fn parse_replace(ctx: &mut Ctx<'_>, l: &Line, verb: &str, args: &[String]) -> Option<Replace> {
    let arrow = if args.len() >= 2 && args[1] == "=>" {
        1
    } else {
        2
    };
    if args.len() < arrow + 2 || args.len() > arrow + 3 || args[arrow] != "=>" {
        ctx.push(l, None, None, format!("usage: {verb} module/path [v1.2.3] => other/module v1.4\n\t or {verb} module/path [v1.2.3] => ../local/directory"));
        return None;
    }
    let s = match parse_string(&args[0]) {
        Ok(s) => s,
        Err(e) => {
            ctx.push(l, None, None, format!("invalid quoted string: {e}"));
            return None;
        }
    };
    let Some(major) = path_major(&s) else {
        ctx.push(l, Some(verb), Some(&s), "invalid module path");
        return None;
    };
    let mut old_version = None;
    if arrow == 2 {
        let v = match parse_version(verb, &s, &args[1]) {
            Ok(v) => v,
            Err(e) => {
                version_err(ctx, l, e);
                return None;
            }
        };
        if let Err(e) = check_major(&v, &major) {
            ctx.push(l, Some(verb), Some(&s), e);
            return None;
        }
        old_version = Some(v);
    }
    let ns = match parse_string(&args[arrow + 1]) {
        Ok(s) => s,
        Err(e) => {
            ctx.push(l, None, None, format!("invalid quoted string: {e}"));
            return None;
        }
    };
    let mut new_version = None;
    if args.len() == arrow + 2 {
        if !is_directory_path(&ns) {
            let msg = if ns.contains('@') {
                "replacement module must match format 'path version', not 'path@version'"
            } else {
                "replacement module without version must be directory path (rooted or starting with . or ..)"
            };
            ctx.push(l, None, None, msg);
            return None;
        }
        if cfg!(unix) && ns.contains('\\') {
            ctx.push(
                l,
                None,
                None,
                "replacement directory appears to be Windows path (on a non-windows system)",
            );
            return None;
        }
    } else {
        let nv = match parse_version(verb, &ns, &args[arrow + 2]) {
            Ok(v) => v,
            Err(e) => {
                version_err(ctx, l, e);
                return None;
            }
        };
        if is_directory_path(&ns) {
            ctx.push(
                l,
                None,
                None,
                format!(
                    "replacement module directory path {} cannot have version",
                    quote(&ns)
                ),
            );
            return None;
        }
        new_version = Some(nv);
    }
    Some(Replace {
        old_path: s,
        old_version,
        new_path: ns,
        new_version,
        line: l.start.line,
    })
}

/// A version error: (verb, module path, message); empty strings when absent.
type VersionErr = (String, String, String);

/// `parseVersionInterval` as `File.add` calls it, with `dontFixRetract`:
/// versions are unquoted but neither checked nor canonicalised (a nil
/// fixer skips the later `fixRetract` pass too).
fn version_interval<'t>(
    verb: &str,
    path: &str,
    toks: &'t [String],
) -> Result<(String, String, &'t [String]), VersionErr> {
    let plain = |m: &str| (String::new(), String::new(), m.to_string());
    if toks.is_empty() || toks[0] == "(" {
        return Err(plain("expected '[' or version"));
    }
    let parse_version = |verb: &str, path: &str, s: &str| -> Result<String, VersionErr> {
        parse_string(s).map_err(|e| {
            (
                verb.into(),
                path.into(),
                format!("version {} invalid: {e}", quote(s)),
            )
        })
    };
    if toks[0] != "[" {
        let v = parse_version(verb, path, &toks[0])?;
        return Ok((v.clone(), v, &toks[1..]));
    }
    let t = &toks[1..];
    let low = parse_version(
        verb,
        path,
        t.first()
            .ok_or_else(|| plain("expected version after '['"))?,
    )?;
    let t = &t[1..];
    if t.first().map(String::as_str) != Some(",") {
        return Err(plain("expected ',' after version"));
    }
    let t = &t[1..];
    let high = parse_version(
        verb,
        path,
        t.first()
            .ok_or_else(|| plain("expected version after ','"))?,
    )?;
    let t = &t[1..];
    if t.first().map(String::as_str) != Some("]") {
        return Err(plain("expected ']' after version"));
    }
    Ok((low, high, &t[1..]))
}

fn godebug(ctx: &mut Ctx<'_>, l: &Line, args: &[String]) -> Option<Godebug> {
    if args.len() != 1 || args[0].contains(['"', '`', '\'', ',']) {
        ctx.push(l, None, None, "usage: godebug key=value");
        return None;
    }
    let Some((k, v)) = args[0].split_once('=') else {
        ctx.push(l, None, None, "usage: godebug key=value");
        return None;
    };
    Some(Godebug {
        key: k.into(),
        value: v.into(),
        line: l.start.line,
    })
}

fn version_stmt(
    ctx: &mut Ctx<'_>,
    l: &Line,
    args: &[String],
    seen: bool,
    strict: bool,
    toolchain: bool,
) -> Option<VersionStmt> {
    let what = if toolchain { "toolchain" } else { "go" };
    if seen {
        ctx.push(l, None, None, format!("repeated {what} statement"));
        return None;
    }
    if args.len() != 1 {
        let msg = if toolchain {
            "toolchain directive expects exactly one argument"
        } else {
            "go directive expects exactly one argument"
        };
        ctx.push(l, None, None, msg);
        return None;
    }
    let mut v = args[0].clone();
    if toolchain {
        if !is_toolchain(&v) {
            ctx.push(
                l,
                None,
                None,
                format!("invalid toolchain version '{v}': must match format go1.23.0 or default"),
            );
            return None;
        }
    } else if !is_go_version(&v) {
        match lax_go_version(&v).filter(|_| !strict) {
            Some(fixed) => v = fixed,
            None => {
                ctx.push(
                    l,
                    None,
                    None,
                    format!("invalid go version '{v}': must match format 1.23.0"),
                );
                return None;
            }
        }
    }
    Some(VersionStmt {
        version: v,
        line: l.start.line,
    })
}

fn add_mod(
    ctx: &mut Ctx<'_>,
    f: &mut ModFile,
    block_before: Option<&[String]>,
    l: &Line,
    verb: &str,
    args: &[String],
    strict: bool,
) {
    if !strict && !matches!(verb, "go" | "module" | "retract" | "require" | "ignore") {
        return;
    }
    match verb {
        "go" => {
            if let Some(v) = version_stmt(ctx, l, args, f.go.is_some(), strict, false) {
                f.go = Some(v);
            }
        }
        "toolchain" => {
            if let Some(v) = version_stmt(ctx, l, args, f.toolchain.is_some(), strict, true) {
                f.toolchain = Some(v);
            }
        }
        "module" => {
            if f.module.is_some() {
                ctx.push(l, None, None, "repeated module statement");
                return;
            }
            let deprecated = deprecation(&directive_comment(block_before, l));
            f.module = Some(ModuleStmt {
                path: String::new(),
                deprecated,
                line: l.start.line,
            });
            if args.len() != 1 {
                ctx.push(l, None, None, "usage: module module/path");
                return;
            }
            match parse_string(&args[0]) {
                Ok(s) => f.module.as_mut().map(|m| m.path = s).unwrap_or(()),
                Err(e) => ctx.push(l, None, None, format!("invalid quoted string: {e}")),
            }
        }
        "godebug" => {
            if let Some(g) = godebug(ctx, l, args) {
                f.godebug.push(g);
            }
        }
        "require" | "exclude" => {
            if args.len() != 2 {
                ctx.push(l, None, None, format!("usage: {verb} module/path v1.2.3"));
                return;
            }
            let s = match parse_string(&args[0]) {
                Ok(s) => s,
                Err(e) => return ctx.push(l, None, None, format!("invalid quoted string: {e}")),
            };
            let v = match parse_version(verb, &s, &args[1]) {
                Ok(v) => v,
                Err(e) => return version_err(ctx, l, e),
            };
            let Some(major) = path_major(&s) else {
                return ctx.push(l, None, None, "invalid module path");
            };
            if let Err(e) = check_major(&v, &major) {
                return ctx.push(l, Some(verb), Some(&s), e);
            }
            let r = Require {
                path: s,
                version: v,
                indirect: verb == "require" && is_indirect(l),
                line: l.start.line,
            };
            if verb == "require" {
                f.require.push(r)
            } else {
                f.exclude.push(r)
            }
        }
        "replace" => {
            if let Some(r) = parse_replace(ctx, l, verb, args) {
                f.replace.push(r);
            }
        }
        "retract" => {
            let rationale = directive_comment(block_before, l);
            match version_interval(verb, "", args) {
                Ok((low, high, rest)) => {
                    if !rest.is_empty() && strict {
                        return ctx.push(
                            l,
                            None,
                            None,
                            format!("unexpected token after version: {:?}", rest[0]),
                        );
                    }
                    f.retract.push(Retract {
                        low,
                        high,
                        rationale,
                        line: l.start.line,
                    });
                }
                Err(e) if strict => {
                    let path = (!e.1.is_empty()).then_some(e.1.as_str());
                    let verb = (!e.0.is_empty()).then_some(e.0.as_str());
                    ctx.push(l, verb, path, e.2);
                }
                Err(_) => {}
            }
        }
        "tool" | "ignore" => {
            if args.len() != 1 {
                return ctx.push(
                    l,
                    None,
                    None,
                    format!("{verb} directive expects exactly one argument"),
                );
            }
            match parse_string(&args[0]) {
                Ok(s) => {
                    let p = PathStmt {
                        path: s,
                        line: l.start.line,
                    };
                    if verb == "tool" {
                        f.tool.push(p)
                    } else {
                        f.ignore.push(p)
                    }
                }
                Err(e) => ctx.push(l, None, None, format!("invalid quoted string: {e}")),
            }
        }
        _ => ctx.push(l, None, None, format!("unknown directive: {verb}")),
    }
}

fn parse_mod(file: &str, data: &[u8], strict: bool) -> Result<ModFile, ModFileErrors> {
    let stmts = syntax(file, data)?;
    let mut ctx = Ctx {
        file,
        errs: Vec::new(),
    };
    let mut f = ModFile::default();
    for s in &stmts {
        match s {
            Stmt::Line(l) => {
                let verb = l.tokens[0].clone();
                add_mod(&mut ctx, &mut f, None, l, &verb, &l.tokens[1..], strict);
            }
            Stmt::Block {
                start,
                tokens,
                before,
                lines,
            } => {
                let known = tokens.len() == 1
                    && matches!(
                        tokens[0].as_str(),
                        "module"
                            | "godebug"
                            | "require"
                            | "exclude"
                            | "replace"
                            | "retract"
                            | "tool"
                            | "ignore"
                    );
                if !known {
                    if strict {
                        ctx.errs.push(ModFileError {
                            file: file.to_string(),
                            pos: *start,
                            verb: None,
                            mod_path: None,
                            message: format!("unknown block type: {}", tokens.join(" ")),
                        });
                    }
                    continue;
                }
                for l in lines {
                    add_mod(
                        &mut ctx,
                        &mut f,
                        Some(before),
                        l,
                        &tokens[0],
                        &l.tokens,
                        strict,
                    );
                }
            }
        }
    }
    if ctx.errs.is_empty() {
        Ok(f)
    } else {
        Err(ModFileErrors(ctx.errs))
    }
}

/// `modfile.Parse`: a go.mod, every directive checked.
pub fn parse(file: &str, data: &[u8]) -> Result<ModFile, ModFileErrors> {
    parse_mod(file, data, true)
}

/// `modfile.ParseLax`: a dependency's go.mod; only `module`, `go`,
/// `require`, `retract` and `ignore` are interpreted, the rest ignored.
pub fn parse_lax(file: &str, data: &[u8]) -> Result<ModFile, ModFileErrors> {
    parse_mod(file, data, false)
}

/// The go version a go.mod declares per `modfile.ParseLax`, `None` if it
/// has none or does not parse (used by module zips' vendor rule).
pub fn go_version_lax(data: &[u8]) -> Option<String> {
    parse_lax("go.mod", data).ok()?.go.map(|g| g.version)
}

/// `modfile.ParseWork`: a go.work.
pub fn parse_work(file: &str, data: &[u8]) -> Result<WorkFile, ModFileErrors> {
    let stmts = syntax(file, data)?;
    let mut ctx = Ctx {
        file,
        errs: Vec::new(),
    };
    let mut f = WorkFile::default();
    let mut add = |ctx: &mut Ctx<'_>, l: &Line, verb: &str, args: &[String]| match verb {
        "go" => {
            if let Some(v) = version_stmt(ctx, l, args, f.go.is_some(), true, false) {
                f.go = Some(v);
            }
        }
        "toolchain" => {
            if let Some(v) = version_stmt(ctx, l, args, f.toolchain.is_some(), true, true) {
                f.toolchain = Some(v);
            }
        }
        "godebug" => {
            if let Some(g) = godebug(ctx, l, args) {
                f.godebug.push(g);
            }
        }
        "use" => {
            if args.len() != 1 {
                return ctx.push(l, None, None, format!("usage: {verb} local/dir"));
            }
            match parse_string(&args[0]) {
                Ok(s) => f.use_dirs.push(PathStmt {
                    path: s,
                    line: l.start.line,
                }),
                Err(e) => ctx.push(l, None, None, format!("invalid quoted string: {e}")),
            }
        }
        "replace" => {
            if let Some(r) = parse_replace(ctx, l, verb, args) {
                f.replace.push(r);
            }
        }
        _ => ctx.push(l, None, None, format!("unknown directive: {verb}")),
    };
    for s in &stmts {
        match s {
            Stmt::Line(l) => add(&mut ctx, l, &l.tokens[0].clone(), &l.tokens[1..]),
            Stmt::Block {
                start,
                tokens,
                lines,
                ..
            } => {
                if tokens.len() == 1 && matches!(tokens[0].as_str(), "use" | "replace" | "godebug")
                {
                    for l in lines {
                        add(&mut ctx, l, &tokens[0], &l.tokens);
                    }
                } else {
                    ctx.errs.push(ModFileError {
                        file: file.to_string(),
                        pos: *start,
                        verb: None,
                        mod_path: None,
                        message: format!("unknown block type: {}", tokens.join(" ")),
                    });
                }
            }
        }
    }
    if ctx.errs.is_empty() {
        Ok(f)
    } else {
        Err(ModFileErrors(ctx.errs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let data =
            b"module m\ngo 1.21rc1x\nfoo bar\nreplace what ever\nretract junk\nexclude x v1\n";
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
}
