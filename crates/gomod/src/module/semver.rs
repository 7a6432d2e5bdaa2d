//! Semantic versions as Go uses them (`golang.org/x/mod/semver`): a leading `v`,
//! `vMAJOR[.MINOR[.PATCH[-PRERELEASE][+BUILD]]]` with the shorthands `v1` = `v1.0.0`
//! and `v1.2` = `v1.2.0` (no prerelease or build on shorthands), no leading zeros.
//!
//! Mirrors golang.org/x/mod/semver/semver.go (`IsValid`, `Canonical`, `Major`,
//! `MajorMinor`, `Prerelease`, `Build`, `Compare`).
use std::cmp::Ordering;

struct Parsed<'a> {
    major: &'a str,
    minor: &'a str,
    patch: &'a str,
    short: &'static str,
    prerelease: &'a str,
    build: &'a str,
}

fn parse(v: &str) -> Option<Parsed<'_>> {
    let rest = v.strip_prefix('v')?;
    let (major, rest) = parse_int(rest)?;
    let mut p = Parsed {
        major,
        minor: "0",
        patch: "0",
        short: ".0.0",
        prerelease: "",
        build: "",
    };
    if rest.is_empty() {
        return Some(p);
    }
    let (minor, rest) = parse_int(rest.strip_prefix('.')?)?;
    p.minor = minor;
    p.short = ".0";
    if rest.is_empty() {
        return Some(p);
    }
    let (patch, mut rest) = parse_int(rest.strip_prefix('.')?)?;
    p.patch = patch;
    p.short = "";
    if rest.starts_with('-') {
        let end = rest.find('+').unwrap_or(rest.len());
        let pre = &rest[..end];
        if !idents_ok(&pre[1..], true) {
            return None;
        }
        p.prerelease = pre;
        rest = &rest[end..];
    }
    if rest.starts_with('+') {
        if !idents_ok(&rest[1..], false) {
            return None;
        }
        p.build = rest;
        rest = "";
    }
    rest.is_empty().then_some(p)
}

/// Digits without a leading zero (except "0" itself).
fn parse_int(v: &str) -> Option<(&str, &str)> {
    let n = v.bytes().take_while(u8::is_ascii_digit).count();
    if n == 0 || (n > 1 && v.starts_with('0')) {
        return None;
    }
    Some(v.split_at(n))
}

/// Dot-separated non-empty identifiers of `[0-9A-Za-z-]`; in prereleases, numeric
/// identifiers must not have leading zeros.
fn idents_ok(s: &str, numeric_rule: bool) -> bool {
    s.split('.').all(|id| {
        !id.is_empty()
            && id.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
            && !(numeric_rule && is_bad_num(id))
    })
}

fn is_num(s: &str) -> bool {
    s.bytes().all(|c| c.is_ascii_digit())
}

fn is_bad_num(s: &str) -> bool {
    is_num(s) && s.len() > 1 && s.starts_with('0')
}

/// Reports whether `v` is a valid semantic version (Go's `semver.IsValid`).
pub fn is_valid(v: &str) -> bool {
    parse(v).is_some()
}

/// The canonical form of `v` (Go's `semver.Canonical`): shorthands completed,
/// build metadata dropped. `None` if `v` is not valid.
pub fn canonical(v: &str) -> Option<String> {
    let p = parse(v)?;
    Some(if !p.build.is_empty() {
        v[..v.len() - p.build.len()].to_owned()
    } else {
        format!("{v}{}", p.short)
    })
}

/// The major version prefix, like `v2` (Go's `semver.Major`).
pub fn major(v: &str) -> Option<&str> {
    let p = parse(v)?;
    Some(&v[..1 + p.major.len()])
}

/// The `vMAJOR.MINOR` prefix, like `v2.1` (Go's `semver.MajorMinor`).
pub fn major_minor(v: &str) -> Option<String> {
    let p = parse(v)?;
    let i = 1 + p.major.len();
    let j = i + 1 + p.minor.len();
    if j <= v.len() && v.as_bytes()[i] == b'.' && &v[i + 1..j] == p.minor {
        return Some(v[..j].to_owned());
    }
    Some(format!("{}.{}", &v[..i], p.minor))
}

/// The prerelease suffix including its `-`, or `""` (Go's `semver.Prerelease`).
pub fn prerelease(v: &str) -> Option<&str> {
    parse(v).map(|p| p.prerelease)
}

/// The build suffix including its `+`, or `""` (Go's `semver.Build`).
pub fn build(v: &str) -> Option<&str> {
    parse(v).map(|p| p.build)
}

/// Reports whether `v` is a valid version with a prerelease suffix.
pub fn is_prerelease(v: &str) -> bool {
    prerelease(v).is_some_and(|p| !p.is_empty())
}

/// Compares two versions by semver precedence (Go's `semver.Compare`). Build
/// metadata is ignored; an invalid version is less than every valid one and equal
/// to every other invalid one.
pub fn compare(v: &str, w: &str) -> Ordering {
    match (parse(v), parse(w)) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(a), Some(b)) => compare_int(a.major, b.major)
            .then_with(|| compare_int(a.minor, b.minor))
            .then_with(|| compare_int(a.patch, b.patch))
            .then_with(|| compare_prerelease(a.prerelease, b.prerelease)),
    }
}

/// The larger of two versions, canonicalised (Go's `semver.Max`).
pub fn max(v: &str, w: &str) -> Option<String> {
    let (cv, cw) = (canonical(v), canonical(w));
    let a = cv.as_deref().unwrap_or("");
    let b = cw.as_deref().unwrap_or("");
    if compare(a, b) == Ordering::Greater {
        cv
    } else {
        cw
    }
}

fn compare_int(x: &str, y: &str) -> Ordering {
    x.len().cmp(&y.len()).then_with(|| x.cmp(y))
}

fn compare_prerelease(x: &str, y: &str) -> Ordering {
    if x == y {
        return Ordering::Equal;
    }
    // No prerelease ranks above any prerelease.
    if x.is_empty() {
        return Ordering::Greater;
    }
    if y.is_empty() {
        return Ordering::Less;
    }
    let mut xs = x[1..].split('.');
    let mut ys = y[1..].split('.');
    loop {
        match (xs.next(), ys.next()) {
            (Some(dx), Some(dy)) => {
                if dx == dy {
                    continue;
                }
                let (nx, ny) = (is_num(dx), is_num(dy));
                return match (nx, ny) {
                    (true, false) => Ordering::Less,
                    (false, true) => Ordering::Greater,
                    (true, true) => compare_int(dx, dy),
                    (false, false) => dx.cmp(dy),
                };
            }
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (None, None) => return Ordering::Equal,
        }
    }
}
