//! A small JSON-with-comments reader that keeps positions, for `devcontainer.json` (the
//! Dev Container spec allows `//` and `/* */` comments and trailing commas). Reads
//! `containerEnv`, `remoteEnv` and `build.args`. Nesting is bounded.

use std::path::Path;

use super::{Candidate, How, ScanError, Sink};

const MAX_DEPTH: usize = 128;

#[derive(Debug)]
enum Value {
    Object(Vec<(String, (usize, usize), Value)>),
    Array,
    String(String),
    Other,
}

struct Parser<'a> {
    b: &'a [u8],
    text: &'a str,
    i: usize,
}

type PResult<T> = Result<T, (usize, String)>;

impl Parser<'_> {
    fn pos(&self, at: usize) -> (usize, usize) {
        let before = &self.text[..at.min(self.text.len())];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, col)
    }

    fn skip_ws(&mut self) -> PResult<()> {
        loop {
            while self.i < self.b.len() && self.b[self.i].is_ascii_whitespace() {
                self.i += 1;
            }
            if self.b[self.i..].starts_with(b"//") {
                while self.i < self.b.len() && self.b[self.i] != b'\n' {
                    self.i += 1;
                }
            } else if self.b[self.i..].starts_with(b"/*") {
                let start = self.i;
                match self.text[self.i + 2..].find("*/") {
                    Some(e) => self.i += 2 + e + 2,
                    None => return Err((start, "unterminated comment".into())),
                }
            } else {
                return Ok(());
            }
        }
    }

    fn value(&mut self, depth: usize) -> PResult<Value> {
        if depth > MAX_DEPTH {
            return Err((self.i, "nesting too deep".into()));
        }
        self.skip_ws()?;
        match self.b.get(self.i) {
            None => Err((self.i, "unexpected end of input".into())),
            Some(b'{') => {
                self.i += 1;
                let mut members = Vec::new();
                loop {
                    self.skip_ws()?;
                    match self.b.get(self.i) {
                        Some(b'}') => {
                            self.i += 1;
                            return Ok(Value::Object(members));
                        }
                        Some(b'"') => {
                            let at = self.i;
                            let key = self.string()?;
                            self.skip_ws()?;
                            if self.b.get(self.i) != Some(&b':') {
                                return Err((self.i, "expected ':' after object key".into()));
                            }
                            self.i += 1;
                            let v = self.value(depth + 1)?;
                            members.push((key, self.pos(at + 1), v));
                            self.skip_ws()?;
                            match self.b.get(self.i) {
                                Some(b',') => self.i += 1,
                                Some(b'}') => {}
                                _ => return Err((self.i, "expected ',' or '}' in object".into())),
                            }
                        }
                        _ => return Err((self.i, "expected a string key or '}'".into())),
                    }
                }
            }
            Some(b'[') => {
                self.i += 1;
                loop {
                    self.skip_ws()?;
                    if self.b.get(self.i) == Some(&b']') {
                        self.i += 1;
                        return Ok(Value::Array);
                    }
                    self.value(depth + 1)?;
                    self.skip_ws()?;
                    match self.b.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b']') => {}
                        _ => return Err((self.i, "expected ',' or ']' in array".into())),
                    }
                }
            }
            Some(b'"') => Ok(Value::String(self.string()?)),
            Some(c) if c.is_ascii_alphanumeric() || *c == b'-' => {
                while self.i < self.b.len()
                    && (self.b[self.i].is_ascii_alphanumeric()
                        || matches!(self.b[self.i], b'-' | b'+' | b'.'))
                {
                    self.i += 1;
                }
                Ok(Value::Other)
            }
            Some(_) => Err((self.i, "unexpected character".into())),
        }
    }

    fn string(&mut self) -> PResult<String> {
        let start = self.i;
        self.i += 1;
        let mut out = String::new();
        loop {
            let Some(&c) = self.b.get(self.i) else {
                return Err((start, "unterminated string".into()));
            };
            match c {
                b'"' => {
                    self.i += 1;
                    return Ok(out);
                }
                b'\\' => {
                    let e = self.b.get(self.i + 1).copied();
                    self.i += 2;
                    match e {
                        Some(b'n') => out.push('\n'),
                        Some(b't') => out.push('\t'),
                        Some(b'r') => out.push('\r'),
                        Some(b'b') => out.push('\u{8}'),
                        Some(b'f') => out.push('\u{c}'),
                        Some(b'u') => {
                            let hex = self.text.get(self.i..self.i + 4).unwrap_or("");
                            let cp = u32::from_str_radix(hex, 16)
                                .map_err(|_| (self.i, "bad \\u escape".to_string()))?;
                            out.push(char::from_u32(cp).unwrap_or('\u{fffd}'));
                            self.i += 4;
                        }
                        Some(c) if c.is_ascii() => out.push(c as char),
                        Some(_) => return Err((self.i - 1, "invalid escape".into())),
                        None => return Err((start, "unterminated string".into())),
                    }
                }
                b'\n' => return Err((self.i, "newline in string".into())),
                _ => {
                    let ch = self.text[self.i..].chars().next().unwrap_or(' ');
                    out.push(ch);
                    self.i += ch.len_utf8();
                }
            }
        }
    }
}

fn parse(text: &str, file: &Path) -> Result<Value, ScanError> {
    let mut p = Parser {
        b: text.as_bytes(),
        text,
        i: 0,
    };
    let fail = |p: &Parser<'_>, (at, message): (usize, String)| {
        let (line, column) = p.pos(at);
        ScanError::Json {
            file: file.to_path_buf(),
            line,
            column,
            message,
        }
    };
    let v = p.value(0).map_err(|e| fail(&p, e))?;
    p.skip_ws().map_err(|e| fail(&p, e))?;
    if p.i < p.b.len() {
        return Err(fail(
            &p,
            (p.i, "trailing characters after the top-level value".into()),
        ));
    }
    Ok(v)
}

pub(crate) fn scan_devcontainer(text: &str, sink: &mut Sink) -> Result<(), ScanError> {
    let file = sink.file.clone();
    let Value::Object(top) = parse(text, &file)? else {
        return Ok(());
    };
    for (key, _, v) in &top {
        let how = match key.as_str() {
            "containerEnv" => How::ContainerEnv,
            "remoteEnv" => How::RemoteEnv,
            "build" => {
                if let Value::Object(build) = v {
                    for (k, _, args) in build {
                        if k == "args" {
                            env_map(args, How::BuildArg, sink);
                        }
                    }
                }
                continue;
            }
            _ => continue,
        };
        env_map(v, how, sink);
    }
    Ok(())
}

fn env_map(v: &Value, how: How, sink: &mut Sink) {
    let Value::Object(members) = v else { return };
    for (k, (line, column), val) in members {
        if let Value::String(s) = val {
            sink.push(Candidate {
                line: *line,
                column: Some(*column),
                variable: k,
                value: s,
                how,
                context: None,
                unresolved: false,
            });
        }
    }
}
