//! The directives and their rules (x/mod/modfile/rule.go: `parseToFile`, `add`,
//! `parseReplace`, `parseVersionInterval`; work.go: `ParseWork`).

use super::model::*;
use super::syntax::*;
use super::values::*;
use crate::strconv::quote;

/// Errors collected while the directives are applied (Go's `ErrorList`).
pub(super) struct Ctx<'a> {
    pub(super) file: &'a str,
    pub(super) errs: Vec<ModFileError>,
}

impl Ctx<'_> {
    pub(super) fn push(
        &mut self,
        l: &Line,
        verb: Option<&str>,
        path: Option<&str>,
        msg: impl Into<String>,
    ) {
        self.errs.push(ModFileError {
            file: self.file.to_string(),
            pos: l.start,
            verb: verb.map(str::to_string),
            mod_path: path.map(str::to_string),
            message: msg.into(),
        });
    }
}

pub(super) fn version_err(ctx: &mut Ctx<'_>, l: &Line, e: VersionErr) {
    let path = (!e.1.is_empty()).then_some(e.1.as_str());
    ctx.push(l, Some(&e.0), path, e.2);
}

pub(super) fn parse_replace(
    ctx: &mut Ctx<'_>,
    l: &Line,
    verb: &str,
    args: &[String],
) -> Option<Replace> {
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

/// `parseVersionInterval` as `File.add` calls it, with `dontFixRetract`:
/// versions are unquoted but neither checked nor canonicalised (a nil
/// fixer skips the later `fixRetract` pass too).
pub(super) fn version_interval<'t>(
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

pub(super) fn godebug(ctx: &mut Ctx<'_>, l: &Line, args: &[String]) -> Option<Godebug> {
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

pub(super) fn version_stmt(
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

pub(super) fn add_mod(
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

pub(super) fn parse_mod(file: &str, data: &[u8], strict: bool) -> Result<ModFile, ModFileErrors> {
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
