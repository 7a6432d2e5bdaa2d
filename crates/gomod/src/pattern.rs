//! Go glob patterns: `path.Match` and `MatchPrefixPatterns`, as used by GOPRIVATE,
//! GONOPROXY, GONOSUMDB and GOINSECURE.
//!
//! Mirrors Go's `src/path/match.go` (`Match`, OS-independent: `\` is always an escape)
//! and `golang.org/x/mod/module/module.go` (`MatchPrefixPatterns`). This is an
//! independent port checked against both by differential tests
//! (`tests/integration/pattern_oracle.rs`).
//!
//! Go strings are byte strings, so the matcher works on bytes; the `&str` functions are
//! thin wrappers over the `_bytes` ones. Invalid UTF-8 in a name is decoded like Go
//! does (each bad byte is one `U+FFFD`); invalid UTF-8 inside a character class makes
//! the pattern malformed.
//!
//! # Malformed patterns
//!
//! Go's `path.Match` parses the *whole* pattern even after the match has failed, so
//! whether it returns `ErrBadPattern` depends only on the pattern, never on the name.
//! [`validate`] computes exactly that answer; a pattern is *malformed* iff
//! [`validate`] fails, and then [`path_match`] returns the same error for every name.
//! In a pattern list a malformed entry silently matches nothing (Go ignores the error).

use std::fmt;

/// Why a pattern is malformed (Go: `path.ErrBadPattern`, "syntax error in pattern").
///
/// `offset` is the byte offset in the pattern where the problem was found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PatternError {
    /// A `\` at the very end of the pattern (or of a class) escapes nothing.
    #[error("syntax error in pattern {pattern:?}: dangling escape at byte {offset}")]
    DanglingEscape {
        /// The pattern as given (lossily decoded if it was not UTF-8).
        pattern: String,
        /// Offset of the `\`.
        offset: usize,
    },
    /// A `[` class is not closed by `]` before the end of the pattern.
    #[error(
        "syntax error in pattern {pattern:?}: unclosed character class starting at byte {offset}"
    )]
    UnclosedClass {
        /// The pattern as given.
        pattern: String,
        /// Offset of the `[` that opened the class.
        offset: usize,
    },
    /// A class character was expected but an unescaped `-` or `]` was found, as in
    /// `[]`, `[-a]`, `[a-]` or `[a-b-c]` (Go requires at least one range and treats
    /// `-` and `]` as syntax inside classes).
    #[error(
        "syntax error in pattern {pattern:?}: bad range in character class: unexpected {found:?} at byte {offset}"
    )]
    BadRange {
        /// The pattern as given.
        pattern: String,
        /// Offset of the offending byte.
        offset: usize,
        /// The offending byte, `-` or `]`.
        found: char,
    },
    /// A character class contains bytes that are not valid UTF-8.
    #[error(
        "syntax error in pattern {pattern:?}: invalid UTF-8 in character class at byte {offset}"
    )]
    InvalidUtf8 {
        /// The pattern as given (lossily decoded).
        pattern: String,
        /// Offset of the first invalid byte.
        offset: usize,
    },
}

impl PatternError {
    /// The pattern that was rejected.
    pub fn pattern(&self) -> &str {
        match self {
            PatternError::DanglingEscape { pattern, .. }
            | PatternError::UnclosedClass { pattern, .. }
            | PatternError::BadRange { pattern, .. }
            | PatternError::InvalidUtf8 { pattern, .. } => pattern,
        }
    }
}

/// Allocation-free error used on the hot path; turned into a [`PatternError`] only when
/// a caller asks for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flaw {
    DanglingEscape(usize),
    UnclosedClass(usize),
    BadRange(usize, u8),
    InvalidUtf8(usize),
}

impl Flaw {
    fn into_error(self, pattern: &[u8]) -> PatternError {
        let pattern = String::from_utf8_lossy(pattern).into_owned();
        match self {
            Flaw::DanglingEscape(offset) => PatternError::DanglingEscape { pattern, offset },
            Flaw::UnclosedClass(offset) => PatternError::UnclosedClass { pattern, offset },
            Flaw::BadRange(offset, b) => PatternError::BadRange {
                pattern,
                offset,
                found: char::from(b),
            },
            Flaw::InvalidUtf8(offset) => PatternError::InvalidUtf8 { pattern, offset },
        }
    }
}

/// Reports whether `name` matches the shell pattern `pattern`, exactly as Go's
/// `path.Match`.
///
/// `*` matches any run of non-`/` characters, `?` one non-`/` character, `[...]` /
/// `[^...]` a character class of characters and `lo-hi` ranges, `\c` the literal `c`.
/// The whole name must match. A malformed pattern yields `Err` whatever the name (see
/// the module docs).
///
/// ```
/// use gomod::pattern::path_match;
/// assert_eq!(path_match("*.io", "rsc.io"), Ok(true));
/// assert_eq!(path_match("*", "a/b"), Ok(false));
/// assert!(path_match("a[", "a").is_err());
/// ```
pub fn path_match(pattern: &str, name: &str) -> Result<bool, PatternError> {
    path_match_bytes(pattern.as_bytes(), name.as_bytes())
}

/// [`path_match`] over byte strings (Go strings need not be UTF-8).
pub fn path_match_bytes(pattern: &[u8], name: &[u8]) -> Result<bool, PatternError> {
    match_impl(pattern, name).map_err(|b| b.into_error(pattern))
}

/// Checks that `pattern` is well formed: `Ok` iff Go's `path.Match(pattern, name)`
/// returns no error, for every `name`.
pub fn validate(pattern: &str) -> Result<(), PatternError> {
    validate_bytes(pattern.as_bytes())
}

/// [`validate`] over a byte string.
pub fn validate_bytes(pattern: &[u8]) -> Result<(), PatternError> {
    validate_impl(pattern).map_err(|b| b.into_error(pattern))
}

fn validate_impl(pattern: &[u8]) -> Result<(), Flaw> {
    let mut pos = 0;
    while pos < pattern.len() {
        let (_, start, end) = scan_chunk(pattern, pos);
        match_chunk(pattern, start, end, b"")?;
        pos = end;
    }
    Ok(())
}

/// The matcher proper. `pattern[pos..]` is what is left of the pattern.
fn match_impl(pattern: &[u8], mut name: &[u8]) -> Result<bool, Flaw> {
    let mut pos = 0;
    'chunks: while pos < pattern.len() {
        let (star, start, end) = scan_chunk(pattern, pos);
        pos = end;
        let last = pos == pattern.len();
        if star && start == end {
            // A trailing star takes the rest of the name unless that crosses a '/'.
            return Ok(!name.contains(&b'/'));
        }
        let first = match_chunk(pattern, start, end, name);
        if let Ok(Some(rest)) = first
            && (rest.is_empty() || !last)
        {
            name = rest;
            continue;
        }
        first?;
        if star {
            // Let the star absorb i+1 bytes, never a '/'. Like Go, the leftmost match
            // wins (no backtracking into earlier chunks), and the last chunk must
            // consume the whole name.
            let mut i = 0;
            while i < name.len() && name[i] != b'/' {
                match match_chunk(pattern, start, end, &name[i + 1..])? {
                    Some(rest) if !last || rest.is_empty() => {
                        name = rest;
                        continue 'chunks;
                    }
                    _ => {}
                }
                i += 1;
            }
        }
        // No match: Go still reports a syntax error anywhere in the rest.
        validate_impl(&pattern[pos..]).map_err(|b| shift(b, pos))?;
        return Ok(false);
    }
    Ok(name.is_empty())
}

/// Rebases an error offset found in `pattern[base..]` onto the whole pattern.
fn shift(b: Flaw, base: usize) -> Flaw {
    match b {
        Flaw::DanglingEscape(o) => Flaw::DanglingEscape(o + base),
        Flaw::UnclosedClass(o) => Flaw::UnclosedClass(o + base),
        Flaw::BadRange(o, c) => Flaw::BadRange(o + base, c),
        Flaw::InvalidUtf8(o) => Flaw::InvalidUtf8(o + base),
    }
}

/// Splits off the next chunk starting at `pos`: leading stars (reported as `star`),
/// then everything up to the next `*` that is outside brackets. Returns the chunk's
/// bounds `start..end`; `end` is where the next chunk begins.
fn scan_chunk(pattern: &[u8], mut pos: usize) -> (bool, usize, usize) {
    let mut star = false;
    while pos < pattern.len() && pattern[pos] == b'*' {
        pos += 1;
        star = true;
    }
    let start = pos;
    let mut in_range = false;
    let mut i = pos;
    while i < pattern.len() {
        match pattern[i] {
            // Skip the escaped byte; a dangling escape is diagnosed by match_chunk.
            b'\\' if i + 1 < pattern.len() => i += 1,
            b'[' => in_range = true,
            b']' => in_range = false,
            b'*' if !in_range => return (star, start, i),
            _ => {}
        }
        i += 1;
    }
    (star, start, pattern.len())
}

/// Decodes one rune like Go's `utf8.DecodeRune`: an invalid or truncated sequence is
/// `(U+FFFD, 1)`, an empty input `(U+FFFD, 0)`.
fn decode_rune(s: &[u8]) -> (u32, usize) {
    if s.is_empty() {
        return (0xFFFD, 0);
    }
    if s[0] < 0x80 {
        return (u32::from(s[0]), 1);
    }
    let head = &s[..s.len().min(4)];
    let valid = match std::str::from_utf8(head) {
        Ok(v) => v,
        // `valid_up_to` ends on a char boundary, so this never fails.
        Err(e) => std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or(""),
    };
    match valid.chars().next() {
        Some(c) => (u32::from(c), c.len_utf8()),
        None => (0xFFFD, 1),
    }
}

/// Matches the chunk `pattern[start..end]` (no unbracketed `*`) against the
/// beginning of `s`, returning what is left of `s` on success. Like Go, the whole
/// chunk is parsed even after the match has failed, so syntax errors do not depend on
/// `s`.
fn match_chunk<'s>(
    pattern: &[u8],
    start: usize,
    end: usize,
    mut s: &'s [u8],
) -> Result<Option<&'s [u8]>, Flaw> {
    let mut failed = false;
    let mut i = start;
    while i < end {
        failed = failed || s.is_empty();
        match pattern[i] {
            b'[' => {
                let open = i;
                let mut r = 0u32;
                if !failed {
                    let (c, n) = decode_rune(s);
                    r = c;
                    s = &s[n..];
                }
                i += 1;
                let negated = i < end && pattern[i] == b'^';
                if negated {
                    i += 1;
                }
                let mut matched = false;
                let mut nrange = 0usize;
                loop {
                    if i < end && pattern[i] == b']' && nrange > 0 {
                        i += 1;
                        break;
                    }
                    let lo = class_char(pattern, &mut i, end, open)?;
                    let mut hi = lo;
                    // class_char guarantees i < end here.
                    if pattern[i] == b'-' {
                        i += 1;
                        hi = class_char(pattern, &mut i, end, open)?;
                    }
                    matched = matched || (lo <= r && r <= hi);
                    nrange += 1;
                }
                failed = failed || matched == negated;
            }
            b'?' => {
                if !failed {
                    failed = s[0] == b'/';
                    let (_, n) = decode_rune(s);
                    s = &s[n..];
                }
                i += 1;
            }
            c => {
                let lit = if c == b'\\' {
                    i += 1;
                    if i >= end {
                        return Err(Flaw::DanglingEscape(i - 1));
                    }
                    pattern[i]
                } else {
                    c
                };
                if !failed {
                    failed = lit != s[0];
                    s = &s[1..];
                }
                i += 1;
            }
        }
    }
    Ok(if failed { None } else { Some(s) })
}

/// Reads one possibly escaped class character at `*i` (Go's `getEsc`), advancing `*i`.
/// Like Go, it is an error for the class to end right after the character, because a
/// `-hi` or the closing `]` must follow.
fn class_char(pattern: &[u8], i: &mut usize, end: usize, open: usize) -> Result<u32, Flaw> {
    if *i >= end {
        return Err(Flaw::UnclosedClass(open));
    }
    let c = pattern[*i];
    if c == b'-' || c == b']' {
        return Err(Flaw::BadRange(*i, c));
    }
    if c == b'\\' {
        *i += 1;
        if *i >= end {
            return Err(Flaw::DanglingEscape(*i - 1));
        }
    }
    let (r, n) = decode_rune(&pattern[*i..end]);
    if r == 0xFFFD && n == 1 {
        return Err(Flaw::InvalidUtf8(*i));
    }
    *i += n;
    if *i >= end {
        return Err(Flaw::UnclosedClass(open));
    }
    Ok(r)
}

/// Reports whether some path prefix of `target` matches one of the comma-separated
/// globs, exactly as `golang.org/x/mod/module.MatchPrefixPatterns` (the matching of
/// GOPRIVATE, GONOPROXY, GONOSUMDB and GOINSECURE).
///
/// Each entry loses one trailing `/`; empty entries are skipped; an entry with `n`
/// slashes is matched with [`path_match`] against the first `n + 1` elements of
/// `target` (so `rsc.io` matches `rsc.io/quote` but not `rsc.iox`); malformed
/// entries match nothing. No whitespace is trimmed. Allocation-free.
///
/// ```
/// use gomod::pattern::match_prefix_patterns;
/// assert!(match_prefix_patterns("*.corp.example,rsc.io", "rsc.io/quote"));
/// assert!(!match_prefix_patterns("rsc.io, golang.org", "golang.org/x/text"));
/// ```
pub fn match_prefix_patterns(globs: &str, target: &str) -> bool {
    match_prefix_patterns_bytes(globs.as_bytes(), target.as_bytes())
}

/// [`match_prefix_patterns`] over byte strings.
pub fn match_prefix_patterns_bytes(globs: &[u8], target: &[u8]) -> bool {
    globs.split(|&b| b == b',').any(|entry| {
        let glob = trim_one_slash(entry);
        !glob.is_empty() && glob_matches_prefix(glob, target)
    })
}

fn trim_one_slash(entry: &[u8]) -> &[u8] {
    entry.strip_suffix(b"/").unwrap_or(entry)
}

/// The first `n + 1` slash-separated elements of `target`, or `None` if it has fewer.
fn element_prefix(target: &[u8], n: usize) -> Option<&[u8]> {
    let mut left = n;
    for (i, &b) in target.iter().enumerate() {
        if b == b'/' {
            if left == 0 {
                return Some(&target[..i]);
            }
            left -= 1;
        }
    }
    (left == 0).then_some(target)
}

fn glob_matches_prefix(glob: &[u8], target: &[u8]) -> bool {
    let n = glob.iter().filter(|&&b| b == b'/').count();
    element_prefix(target, n).is_some_and(|prefix| match_impl(glob, prefix) == Ok(true))
}

/// One entry of a pattern list, kept for evidence and diagnostics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    /// The entry exactly as written between commas.
    pub text: String,
    /// The glob actually matched: `text` minus one trailing `/`.
    pub trimmed: String,
    /// Position of the entry in the comma-separated list, counting empty entries
    /// (0-based), so `a,,b` has `b` at index 2.
    pub index: usize,
    /// Why the glob is malformed, if it is; such an entry matches nothing.
    pub error: Option<PatternError>,
}

impl Pattern {
    /// Reports whether this entry matches a prefix of `target` (always `false` for a
    /// malformed entry).
    pub fn matches(&self, target: &str) -> bool {
        self.error.is_none() && glob_matches_prefix(self.trimmed.as_bytes(), target.as_bytes())
    }

    /// How many leading elements of a path this entry is compared with.
    pub fn element_count(&self) -> usize {
        1 + self.trimmed.bytes().filter(|&b| b == b'/').count()
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// A parsed comma-separated pattern list (the value of GOPRIVATE and friends).
///
/// Matching is the same as [`match_prefix_patterns`] on the original string, but each
/// entry is kept so callers can say *which* entries matched and which are malformed.
/// Entries that are empty after trimming one `/` are dropped, as Go skips them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PatternList {
    patterns: Vec<Pattern>,
}

impl PatternList {
    /// Parses a comma-separated list. Never fails: malformed globs are kept with their
    /// [`Pattern::error`] set (see [`PatternList::invalid`]).
    pub fn parse(globs: &str) -> Self {
        let patterns = globs
            .split(',')
            .enumerate()
            .filter_map(|(index, text)| {
                let trimmed = text.strip_suffix('/').unwrap_or(text);
                if trimmed.is_empty() {
                    return None;
                }
                Some(Pattern {
                    text: text.to_owned(),
                    trimmed: trimmed.to_owned(),
                    index,
                    error: validate(trimmed).err(),
                })
            })
            .collect();
        PatternList { patterns }
    }

    /// Reports whether any entry matches a prefix of `target`.
    pub fn matches(&self, target: &str) -> bool {
        self.patterns.iter().any(|p| p.matches(target))
    }

    /// Every entry that matches `target`, in list order.
    pub fn matching(&self, target: &str) -> Vec<&Pattern> {
        self.patterns.iter().filter(|p| p.matches(target)).collect()
    }

    /// The malformed entries; Go silently ignores them, so they match nothing.
    pub fn invalid(&self) -> impl Iterator<Item = &Pattern> {
        self.patterns.iter().filter(|p| p.error.is_some())
    }

    /// All effective (non-empty) entries, in list order.
    pub fn patterns(&self) -> &[Pattern] {
        &self.patterns
    }

    /// Reports whether the list has no effective entry (e.g. `""` or `",/,"`).
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// Number of effective entries.
    pub fn len(&self) -> usize {
        self.patterns.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// x/mod's `TestMatchPrefixPatterns` cases (module/module_test.go) and more: globs,
    /// target, expected.
    const PREFIX_TABLE: &[(&str, &str, bool)] = &[
        ("", "rsc.io/quote", false),
        ("/", "rsc.io/quote", false),
        ("*/quote", "rsc.io/quote", true),
        ("*/quo", "rsc.io/quote", false),
        ("*/quo??", "rsc.io/quote", true),
        ("*/quo*", "rsc.io/quote", true),
        ("*quo*", "rsc.io/quote", false),
        ("rsc.io", "rsc.io/quote", true),
        ("*.io", "rsc.io/quote", true),
        ("rsc.io/", "rsc.io/quote", true),
        ("rsc", "rsc.io/quote", false),
        ("rsc*", "rsc.io/quote", true),
        ("rsc.io", "rsc.io/quote/v3", true),
        ("*/quote", "rsc.io/quote/v3", true),
        ("*/quote/", "rsc.io/quote/v3", true),
        ("*/quote/*", "rsc.io/quote/v3", true),
        ("*/quote/*/", "rsc.io/quote/v3", true),
        ("*/v3", "rsc.io/quote/v3", false),
        ("*/*/v3", "rsc.io/quote/v3", true),
        ("*/*/*", "rsc.io/quote/v3", true),
        ("*/*/*/", "rsc.io/quote/v3", true),
        ("*/*/*", "rsc.io/quote", false),
        ("*/*/*/", "rsc.io/quote", false),
        ("*/*/*,,", "rsc.io/quote", false),
        ("*/*/*,,*/quote", "rsc.io/quote", true),
        (",,*/quote", "rsc.io/quote", true),
        ("p,*/q", "p", true),
        ("p,*/q", "p/x", true),
        ("p,*/q", "x/q", true),
        ("p,*/q", "x/q/z", true),
        ("p,*/q", "abc", false),
        ("p,*/q", "a/p", false),
        ("p,*/q", "pq", false),
        ("p,*/q", "q", false),
        ("p,*/q", "n/o/p/q", false),
        ("*/quote,*/*mple*,golang.org/x", "rsc.io/sampler", true),
        ("*/quote,*/*mple*,golang.org/x", "golang.org/x/text", true),
        ("rsc.io", "rsc.io", true),
        ("rsc.io", "rsc.iox/quote", false),
        ("rsc.io", "xrsc.io/quote", false),
        ("rsc.io//", "rsc.io/quote", false),
        ("rsc.io//", "rsc.io", false),
        (" rsc.io", "rsc.io/quote", false),
        ("rsc.io ", "rsc.io/quote", false),
        ("rsc.io, golang.org", "golang.org/x/text", false),
        ("rsc.io,golang.org", "golang.org/x/text", true),
        ("*.corp.example.com", "git.corp.example.com/team/repo", true),
        ("*.corp.example.com", "corp.example.com/team/repo", false),
        ("*.corp.example.com", "a.b.corp.example.com/repo", true),
        ("corp.example.com", "git.corp.example.com/repo", false),
        ("*corp.example.com", "corp.example.com/repo", true),
        ("*corp.example.com", "mycorp.example.com/repo", true),
        ("*", "anything.example/a/b/c", true),
        ("*/*", "rsc.io", false),
        ("*/*", "rsc.io/quote", true),
        ("github.com/myorg", "github.com/myorg/repo", true),
        ("github.com/myorg", "github.com/myorgx/repo", false),
        ("github.com/myorg/*", "github.com/myorg", false),
        ("github.com/myorg/*", "github.com/myorg/repo/v2", true),
        (
            "github.com/*/private-*",
            "github.com/acme/private-lib/sub",
            true,
        ),
        (
            "github.com/*/private-*",
            "github.com/acme/public-lib",
            false,
        ),
        ("GitHub.com/myorg", "github.com/myorg/repo", false),
        ("github.com/MyOrg", "github.com/myorg/repo", false),
        ("github.com/MyOrg", "github.com/MyOrg/repo", true),
        ("github.com/[a-m]*", "github.com/golang/go", true),
        ("github.com/[a-m]*", "github.com/rsc/quote", false),
        ("github.com/[^a-m]*", "github.com/rsc/quote", true),
        ("github.com/[", "github.com/x", false),
        ("github.com/[,rsc.io", "rsc.io/quote", true),
        ("github.com/\\", "github.com/x", false),
        ("git?ub.com", "github.com/x", true),
        ("*.io/q*", "rsc.io/quote", true),
        ("*.io/q*", "rsc.io/sampler", false),
        ("example.com/a/b/c", "example.com/a/b", false),
        ("example.com/a/b", "example.com/a/b/c/d", true),
        ("none", "rsc.io/quote", false),
        ("example.com:8080", "example.com/x", false),
        ("gopkg.in/yaml.v*", "gopkg.in/yaml.v3", true),
        ("**", "rsc.io/quote", true),
        ("rsc.io/*,", "rsc.io/quote", true),
        ("rsc.io\\/quote", "rsc.io/quote", true),
        ("[r]sc.io", "rsc.io/quote", true),
        ("rsc.i[o", "rsc.io/quote", false),
    ];

    #[test]
    fn spec_match_table() {
        assert_eq!(PREFIX_TABLE.len(), 83);
        for &(globs, target, want) in PREFIX_TABLE {
            assert_eq!(
                match_prefix_patterns(globs, target),
                want,
                "MatchPrefixPatterns({globs:?}, {target:?})"
            );
            assert_eq!(
                PatternList::parse(globs).matches(target),
                want,
                "PatternList({globs:?}).matches({target:?})"
            );
        }
    }

    /// Cases of Go's `path/match_test.go` (`matchTests`), rewritten as a table:
    /// pattern, name, match, error.
    const MATCH_TABLE: &[(&str, &str, bool, bool)] = &[
        ("abc", "abc", true, false),
        ("*", "abc", true, false),
        ("*c", "abc", true, false),
        ("a*", "a", true, false),
        ("a*", "abc", true, false),
        ("a*", "ab/c", false, false),
        ("a*/b", "abc/b", true, false),
        ("a*/b", "a/c/b", false, false),
        ("a*b*c*d*e*/f", "axbxcxdxe/f", true, false),
        ("a*b*c*d*e*/f", "axbxcxdxexxx/f", true, false),
        ("a*b*c*d*e*/f", "axbxcxdxe/xxx/f", false, false),
        ("a*b*c*d*e*/f", "axbxcxdxexxx/fff", false, false),
        ("a*b?c*x", "abxbbxdbxebxczzx", true, false),
        ("a*b?c*x", "abxbbxdbxebxczzy", false, false),
        ("ab[c]", "abc", true, false),
        ("ab[b-d]", "abc", true, false),
        ("ab[e-g]", "abc", false, false),
        ("ab[^c]", "abc", false, false),
        ("ab[^b-d]", "abc", false, false),
        ("ab[^e-g]", "abc", true, false),
        ("a\\*b", "a*b", true, false),
        ("a\\*b", "ab", false, false),
        ("a?b", "a☺b", true, false),
        ("a[^a]b", "a☺b", true, false),
        ("a???b", "a☺b", false, false),
        ("a[^a][^a][^a]b", "a☺b", false, false),
        ("[a-ζ]*", "α", true, false),
        ("*[a-ζ]", "A", false, false),
        ("a?b", "a/b", false, false),
        ("a*b", "a/b", false, false),
        ("[\\]a]", "]", true, false),
        ("[\\-]", "-", true, false),
        ("[x\\-]", "x", true, false),
        ("[x\\-]", "-", true, false),
        ("[x\\-]", "z", false, false),
        ("[\\-x]", "x", true, false),
        ("[\\-x]", "-", true, false),
        ("[\\-x]", "a", false, false),
        ("[]a]", "]", false, true),
        ("[-]", "-", false, true),
        ("[x-]", "x", false, true),
        ("[x-]", "-", false, true),
        ("[x-]", "z", false, true),
        ("[-x]", "x", false, true),
        ("[-x]", "-", false, true),
        ("[-x]", "a", false, true),
        ("\\", "a", false, true),
        ("[a-b-c]", "a", false, true),
        ("[", "a", false, true),
        ("[^", "a", false, true),
        ("[^bc", "a", false, true),
        ("a[", "a", false, true),
        ("a[", "ab", false, true),
        ("a[", "x", false, true),
        ("a/b[", "x", false, true),
        ("*x", "xxx", true, false),
        // Edge cases of `path.Match` (src/path/match.go: `ErrBadPattern` on a bad class).
        ("a*[", "ab", false, true),
        ("*[", "x", false, true),
        ("a\\", "a", false, true),
        ("*", "a/b", false, false),
    ];

    #[test]
    fn go_match_table() {
        for &(pattern, name, want, want_err) in MATCH_TABLE {
            let got = path_match(pattern, name);
            assert_eq!(
                got.is_err(),
                want_err,
                "Match({pattern:?}, {name:?}) = {got:?}"
            );
            assert_eq!(got.unwrap_or(false), want, "Match({pattern:?}, {name:?})");
            assert_eq!(
                validate(pattern).is_err(),
                want_err,
                "validate({pattern:?})"
            );
        }
    }

    #[test]
    fn error_kinds_name_the_problem() {
        let e = path_match("ab\\", "ab").unwrap_err();
        assert_eq!(
            e,
            PatternError::DanglingEscape {
                pattern: "ab\\".into(),
                offset: 2
            }
        );
        assert!(matches!(
            validate("x[ab"),
            Err(PatternError::UnclosedClass { offset: 1, .. })
        ));
        assert!(matches!(
            validate("[]"),
            Err(PatternError::BadRange {
                offset: 1,
                found: ']',
                ..
            })
        ));
        assert!(matches!(
            validate("[a-b-c]"),
            Err(PatternError::BadRange {
                offset: 4,
                found: '-',
                ..
            })
        ));
        assert!(matches!(
            validate_bytes(b"[\xff]"),
            Err(PatternError::InvalidUtf8 { offset: 1, .. })
        ));
        // An error after a failed match is still reported, with its real offset.
        assert!(matches!(
            path_match("x*y[", "abc"),
            Err(PatternError::UnclosedClass { offset: 3, .. })
        ));
        assert_eq!(e.pattern(), "ab\\");
        assert!(e.to_string().contains("syntax error in pattern"));
    }

    #[test]
    fn pattern_list_keeps_evidence() {
        let list = PatternList::parse("rsc.io/,,[bad,*.io,example.com//");
        assert_eq!(list.len(), 4);
        let idx: Vec<usize> = list.patterns().iter().map(|p| p.index).collect();
        assert_eq!(idx, [0, 2, 3, 4]);
        assert_eq!(list.patterns()[0].text, "rsc.io/");
        assert_eq!(list.patterns()[0].trimmed, "rsc.io");
        assert_eq!(list.patterns()[3].trimmed, "example.com/");
        assert_eq!(list.patterns()[3].element_count(), 2);
        let bad: Vec<&str> = list.invalid().map(|p| p.text.as_str()).collect();
        assert_eq!(bad, ["[bad"]);
        let hits: Vec<usize> = list
            .matching("rsc.io/quote")
            .iter()
            .map(|p| p.index)
            .collect();
        assert_eq!(hits, [0, 3]);
        assert!(list.matching("golang.org/x").is_empty());
        assert!(PatternList::parse(",/,").is_empty());
        assert!(PatternList::parse("").is_empty());
        assert!(!PatternList::parse("//").is_empty());
    }

    #[test]
    fn decode_rune_is_go_like() {
        assert_eq!(decode_rune(b""), (0xFFFD, 0));
        assert_eq!(decode_rune(b"a"), (0x61, 1));
        assert_eq!(decode_rune("é".as_bytes()), (0xE9, 2));
        assert_eq!(decode_rune(b"\xe6\x97"), (0xFFFD, 1));
        assert_eq!(decode_rune(b"\xed\xa0\x80"), (0xFFFD, 1)); // surrogate
        assert_eq!(decode_rune(b"\xc0\x80"), (0xFFFD, 1)); // overlong
        assert_eq!(decode_rune("日本".as_bytes()), (0x65E5, 3));
    }
}
