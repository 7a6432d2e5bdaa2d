//! Argument values of directives (x/mod/modfile/rule.go: `parseString`, `parseVersion`,
//! `GoVersionRE`, `ToolchainRE`, `IsDirectoryPath`, `parseDeprecation`).

use super::syntax::*;
use crate::strconv::{quote, unquote};

/// `modfile.parseString`.
pub(super) fn parse_string(s: &str) -> Result<String, String> {
    if s.starts_with('"') {
        unquote(s)
    } else if s.contains(['"', '\'', '`']) {
        Err("unquoted string cannot contain quote".into())
    } else {
        Ok(s.to_string())
    }
}

pub(super) fn is_go_version(v: &str) -> bool {
    // ^([1-9][0-9]*)\.(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))?([a-z]+[0-9]+)?$
    pub(super) fn num(s: &str, allow_zero: bool) -> Option<&str> {
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
pub(super) fn lax_go_version(v: &str) -> Option<String> {
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

pub(super) fn is_toolchain(v: &str) -> bool {
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

pub(super) fn is_indirect(l: &Line) -> bool {
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

pub(super) fn directive_comment(block_before: Option<&[String]>, l: &Line) -> String {
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

pub(super) fn deprecation(text: &str) -> Option<String> {
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

/// A version error: (verb, module path, message); empty strings when absent.
pub(super) type VersionErr = (String, String, String);

/// `parseVersion` with a nil fixer; errors are (verb, path, message).
pub(super) fn parse_version(verb: &str, path: &str, s: &str) -> Result<String, VersionErr> {
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

pub(super) fn path_major(path: &str) -> Option<String> {
    // modulePathMajor: SplitPathVersion must succeed.
    crate::module::split_path_version(path).map(|(_, m)| m.to_string())
}

pub(super) fn check_major(v: &str, major: &str) -> Result<(), String> {
    crate::module::check_path_major(v, major).map_err(|e| e.to_string())
}
