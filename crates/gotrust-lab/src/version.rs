//! Just enough semantic-version handling for `@v/list` and `@latest`
//! (ordering as `golang.org/x/mod/semver.Compare`, pseudo-version shape as
//! `module.IsPseudoVersion`). Invalid versions sort first, as in Go.

use std::cmp::Ordering;

struct Parsed<'a> {
    nums: [u64; 3],
    pre: &'a str,
}

fn parse(v: &str) -> Option<Parsed<'_>> {
    let rest = v.strip_prefix('v')?;
    let rest = rest.split_once('+').map_or(rest, |(a, _)| a);
    let (core, pre) = rest.split_once('-').unwrap_or((rest, ""));
    let mut nums = [0u64; 3];
    let mut parts = core.split('.');
    for n in &mut nums {
        let p = parts.next()?;
        if p.is_empty()
            || (p.len() > 1 && p.starts_with('0'))
            || !p.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        *n = p.parse().ok()?;
    }
    if parts.next().is_some() {
        return None;
    }
    Some(Parsed { nums, pre })
}

/// Whether `v` is a valid semantic version (`vX.Y.Z[-pre][+build]`).
pub fn is_valid(v: &str) -> bool {
    parse(v).is_some()
}

/// Whether `v` has a pre-release part.
pub fn is_prerelease(v: &str) -> bool {
    parse(v).is_some_and(|p| !p.pre.is_empty())
}

/// Whether `v` looks like a pseudo-version (`...-yyyymmddhhmmss-abcdefabcdef`).
pub fn is_pseudo(v: &str) -> bool {
    let Some(p) = parse(v) else { return false };
    let pre = p.pre;
    let mut fields = pre.rsplitn(2, '-');
    let (Some(hash), Some(head)) = (fields.next(), fields.next()) else {
        return false;
    };
    let stamp = head.rsplit(['-', '.']).next().unwrap_or("");
    hash.len() == 12
        && hash
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        && stamp.len() == 14
        && stamp.bytes().all(|b| b.is_ascii_digit())
}

fn cmp_pre(a: &str, b: &str) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Greater,
        (false, true) => return Ordering::Less,
        _ => {}
    }
    let mut xa = a.split('.');
    let mut xb = b.split('.');
    loop {
        match (xa.next(), xb.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => {
                let nx = x.bytes().all(|c| c.is_ascii_digit());
                let ny = y.bytes().all(|c| c.is_ascii_digit());
                let o = match (nx, ny) {
                    (true, true) => x.len().cmp(&y.len()).then(x.cmp(y)),
                    (true, false) => Ordering::Less,
                    (false, true) => Ordering::Greater,
                    (false, false) => x.cmp(y),
                };
                if o != Ordering::Equal {
                    return o;
                }
            }
        }
    }
}

/// Semantic-version order; invalid versions are equal to each other and
/// smaller than every valid one.
pub fn compare(a: &str, b: &str) -> Ordering {
    match (parse(a), parse(b)) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(x), Some(y)) => x.nums.cmp(&y.nums).then_with(|| cmp_pre(x.pre, y.pre)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordering() {
        let sorted = [
            "bad",
            "v0.0.0-20240101000000-abcdefabcdef",
            "v0.1.0",
            "v1.0.0-RC1",
            "v1.0.0-alpha",
            "v1.0.0-alpha.1",
            "v1.0.0-alpha.beta",
            "v1.0.0-beta.2",
            "v1.0.0-beta.11",
            "v1.0.0",
            "v1.2.0",
            "v2.0.0+incompatible",
            "v10.0.0",
        ];
        for w in sorted.windows(2) {
            assert_eq!(compare(w[0], w[1]), Ordering::Less, "{} < {}", w[0], w[1]);
        }
        assert!(!is_valid("v1.0"));
        assert!(!is_valid("v01.0.0"));
    }

    #[test]
    fn pseudo() {
        assert!(is_pseudo("v0.0.0-20240101000000-abcdefabcdef"));
        assert!(is_pseudo("v1.2.4-0.20240101000000-abcdefabcdef"));
        assert!(is_pseudo("v1.2.3-pre.0.20240101000000-abcdefabcdef"));
        assert!(!is_pseudo("v1.2.3"));
        assert!(!is_pseudo("v1.0.0-RC1"));
        assert!(is_prerelease("v1.0.0-RC1"));
    }
}
