//! The block grammar (x/mod/modfile/read.go: `parse`, `parseStmt`, `parseLineBlock`):
//! lines and `verb ( ... )` blocks, before any directive is interpreted.

use super::lexer::*;
use super::model::*;

#[derive(Debug, Default)]
pub(super) struct Line {
    pub(super) start: Position,
    pub(super) tokens: Vec<String>,
    /// Whole-line comments just before the line.
    pub(super) before: Vec<String>,
    /// End-of-line comment.
    pub(super) suffix: Vec<String>,
}

#[derive(Debug)]
pub(super) enum Stmt {
    Line(Line),
    Block {
        start: Position,
        tokens: Vec<String>,
        before: Vec<String>,
        lines: Vec<Line>,
    },
}

pub(super) struct Parser<'a> {
    pub(super) file: &'a str,
    pub(super) toks: Vec<Token>,
    pub(super) lex_err: Option<ModFileError>,
    pub(super) i: usize,
}

impl Parser<'_> {
    pub(super) fn peek(&self) -> Tk {
        self.toks[self.i].kind
    }
    /// Takes the current token and reads the next, failing like Go's
    /// `readToken` when the next one is not lexically valid.
    pub(super) fn lex(&mut self) -> Result<Token, ModFileError> {
        let t = self.toks[self.i].clone();
        if self.i + 1 < self.toks.len() {
            self.i += 1;
        } else if let Some(e) = self.lex_err.take() {
            return Err(e);
        }
        Ok(t)
    }
    pub(super) fn err(&self, pos: Position, msg: impl Into<String>) -> ModFileError {
        ModFileError {
            file: self.file.to_string(),
            pos,
            verb: None,
            mod_path: None,
            message: msg.into(),
        }
    }

    pub(super) fn file(&mut self) -> Result<Vec<Stmt>, ModFileError> {
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

    pub(super) fn stmt(&mut self) -> Result<Stmt, ModFileError> {
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

    pub(super) fn block(
        &mut self,
        start: Position,
        tokens: Vec<String>,
    ) -> Result<Stmt, ModFileError> {
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

pub(super) fn syntax(file: &str, data: &[u8]) -> Result<Vec<Stmt>, ModFileErrors> {
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
