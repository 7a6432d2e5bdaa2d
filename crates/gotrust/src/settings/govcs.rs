//! GOVCS parsing, as cmd/go/internal/vcs/vcs.go (parseGOVCS, CheckGOVCS) does it (Go 1.16+).
//!
//! Mirrors `parseGOVCS` and `govcsConfig.allow` in cmd/go/internal/vcs/vcs.go. Pattern
//! matching is supplied by the caller (Go's `module.MatchPrefixPatterns`), so this module
//! stays independent of the pattern implementation.

use gomod::strconv::quote as go_quote;

/// The rules cmd/go appends after the user's: `public:git|hg,private:all`.
pub const DEFAULT_GOVCS: &str = "public:git|hg,private:all";

/// A GOVCS error, with go's text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GovcsError {
    /// `,,` or a trailing comma.
    #[error("empty entry in GOVCS")]
    EmptyEntry,
    /// No `:` in an entry.
    #[error("malformed entry in GOVCS (missing colon): {}", go_quote(.0))]
    MissingColon(String),
    /// `:git`.
    #[error("empty pattern in GOVCS: {}", go_quote(.0))]
    EmptyPattern(String),
    /// `x:`.
    #[error("empty VCS list in GOVCS: {}", go_quote(.0))]
    EmptyList(String),
    /// `./x:git`.
    #[error("relative pattern not allowed in GOVCS: {}", go_quote(.0))]
    RelativePattern(String),
    /// The same pattern twice.
    #[error("unreachable pattern in GOVCS: {} after {}", go_quote(.entry), go_quote(.previous))]
    Unreachable {
        /// The later entry.
        entry: String,
        /// The earlier entry with the same pattern.
        previous: String,
    },
    /// `x:git||hg`.
    #[error("empty VCS name in GOVCS: {}", go_quote(.0))]
    EmptyVcs(String),
}

/// One `pattern:vcs|vcs` rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GovcsRule {
    /// `public`, `private`, or a module path pattern.
    pub pattern: String,
    /// Allowed VCS names (`all`, `off` is just a name that matches nothing).
    pub allowed: Vec<String>,
}

/// Parsed GOVCS: the user's rules followed by the defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Govcs {
    /// Rules from the variable, in order.
    pub rules: Vec<GovcsRule>,
}

fn parse_rules(s: &str) -> Result<Vec<GovcsRule>, GovcsError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(Vec::new());
    }
    let mut rules: Vec<GovcsRule> = Vec::new();
    let mut seen: Vec<(String, String)> = Vec::new();
    for item in s.split(',') {
        let item = item.trim();
        if item.is_empty() {
            return Err(GovcsError::EmptyEntry);
        }
        let Some((pattern, list)) = item.split_once(':') else {
            return Err(GovcsError::MissingColon(item.into()));
        };
        let (pattern, list) = (pattern.trim(), list.trim());
        if pattern.is_empty() {
            return Err(GovcsError::EmptyPattern(item.into()));
        }
        if list.is_empty() {
            return Err(GovcsError::EmptyList(item.into()));
        }
        if pattern == "."
            || pattern == ".."
            || pattern.starts_with("./")
            || pattern.starts_with("../")
        {
            return Err(GovcsError::RelativePattern(pattern.into()));
        }
        if let Some((_, previous)) = seen.iter().find(|(p, _)| p == pattern) {
            return Err(GovcsError::Unreachable {
                entry: item.into(),
                previous: previous.clone(),
            });
        }
        seen.push((pattern.to_string(), item.to_string()));
        let mut allowed = Vec::new();
        for a in list.split('|') {
            let a = a.trim();
            if a.is_empty() {
                return Err(GovcsError::EmptyVcs(item.into()));
            }
            allowed.push(a.to_string());
        }
        rules.push(GovcsRule {
            pattern: pattern.to_string(),
            allowed,
        });
    }
    Ok(rules)
}

impl Govcs {
    /// Parses an effective GOVCS value.
    pub fn parse(govcs: &str) -> Result<Govcs, GovcsError> {
        parse_rules(govcs).map(|rules| Govcs { rules })
    }

    /// Whether `vcs` may be used for repository root `path` (`private` = it matches
    /// GOPRIVATE). `matches(pattern, path)` must be Go's `MatchPrefixPatterns`. User rules
    /// come first, then [`DEFAULT_GOVCS`]; the first matching rule decides.
    pub fn allow(
        &self,
        path: &str,
        private: bool,
        vcs: &str,
        matches: impl Fn(&str, &str) -> bool,
    ) -> bool {
        let defaults = parse_rules(DEFAULT_GOVCS).unwrap_or_default();
        for rule in self.rules.iter().chain(defaults.iter()) {
            let hit = match rule.pattern.as_str() {
                "private" => private,
                "public" => !private,
                p => matches(p, path),
            };
            if hit {
                return rule.allowed.iter().any(|a| a == vcs || a == "all");
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// cmd/go's vcs_test.go error table.
    #[test]
    fn errors() {
        for (s, want) in [
            (",", "empty entry in GOVCS"),
            (",x", "empty entry in GOVCS"),
            ("x,", "malformed entry in GOVCS (missing colon): \"x\""),
            ("x:y,", "empty entry in GOVCS"),
            ("x", "malformed entry in GOVCS (missing colon): \"x\""),
            ("x:", "empty VCS list in GOVCS: \"x:\""),
            ("x:|", "empty VCS name in GOVCS: \"x:|\""),
            ("x:y|", "empty VCS name in GOVCS: \"x:y|\""),
            ("x:|y", "empty VCS name in GOVCS: \"x:|y\""),
            ("x:y,z:", "empty VCS list in GOVCS: \"z:\""),
            ("x:y,z:|", "empty VCS name in GOVCS: \"z:|\""),
            ("x:y,z:|w", "empty VCS name in GOVCS: \"z:|w\""),
            ("x:y,z:w|", "empty VCS name in GOVCS: \"z:w|\""),
            ("x:y,z:w||v", "empty VCS name in GOVCS: \"z:w||v\""),
            (
                "x:y,x:z",
                "unreachable pattern in GOVCS: \"x:z\" after \"x:y\"",
            ),
            (":git", "empty pattern in GOVCS: \":git\""),
            ("./x:git", "relative pattern not allowed in GOVCS: \"./x\""),
        ] {
            assert_eq!(Govcs::parse(s).unwrap_err().to_string(), want, "{s:?}");
        }
    }

    #[test]
    fn allow_with_defaults() {
        let exact = |p: &str, path: &str| path == p || path.starts_with(&format!("{p}/"));
        let g = Govcs::parse(" example.com/x : svn | fossil , private:none").unwrap();
        assert!(g.allow("example.com/x/y", false, "svn", exact));
        assert!(!g.allow("example.com/x/y", false, "git", exact));
        assert!(!g.allow("corp/y", true, "git", exact));
        assert!(g.allow("github.com/a/b", false, "git", exact));
        assert!(!g.allow("github.com/a/b", false, "svn", exact));
        let empty = Govcs::parse("").unwrap();
        assert!(empty.allow("corp/y", true, "svn", exact));
        assert!(!empty.allow("github.com/a/b", false, "bzr", exact));
    }
}
