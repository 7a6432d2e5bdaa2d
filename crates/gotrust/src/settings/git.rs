//! Git settings that change what cmd/go's git subprocesses trust (cmd/go/internal/modfetch/codehost/git.go runs git with the user's configuration; GIT_SSL_NO_VERIFY, http.sslVerify and url.*.insteadOf apply).
//!
//! Read-only: git is never run. We read the environment (`GIT_SSL_NO_VERIFY`,
//! `GIT_ALLOW_PROTOCOL`, `GIT_CONFIG_*`) and the system and global git config files the way git
//! locates them (`GIT_CONFIG_SYSTEM`/`GIT_CONFIG_NOSYSTEM`, `GIT_CONFIG_GLOBAL`,
//! `$XDG_CONFIG_HOME/git/config`, `~/.gitconfig`), then extract `http.sslVerify`,
//! `http.proxy`, `http.sslCAInfo`, `credential.helper` and `url.⟨base⟩.insteadOf`.
//! `include`/`includeIf` are recorded but not followed.

use std::path::{Path, PathBuf};

/// Config files larger than this are not read.
pub const MAX_GIT_CONFIG_SIZE: u64 = 1 << 20;

/// Which level a config file belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum GitScope {
    /// `/etc/gitconfig` or `$GIT_CONFIG_SYSTEM`.
    System,
    /// `$XDG_CONFIG_HOME/git/config`, `~/.gitconfig`, or `$GIT_CONFIG_GLOBAL`.
    Global,
    /// `GIT_CONFIG_COUNT`/`GIT_CONFIG_KEY_n`/`GIT_CONFIG_VALUE_n`.
    Env,
}

/// One `section[.subsection].key = value` setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitConfigEntry {
    /// Where it is (for `Env`, the path is `GIT_CONFIG_KEY_n`).
    pub file: PathBuf,
    /// 1-based line (0 for `Env`).
    pub line: usize,
    /// Scope.
    pub scope: GitScope,
    /// Section name, lowercased.
    pub section: String,
    /// Subsection (case-sensitive), if any.
    pub subsection: Option<String>,
    /// Key, lowercased.
    pub key: String,
    /// Value; `None` for a bare key (boolean true).
    pub value: Option<String>,
}

/// A git config file that was looked at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitConfigFile {
    /// Path.
    pub path: PathBuf,
    /// Scope.
    pub scope: GitScope,
    /// True if it could be read.
    pub read: bool,
}

/// One `url.⟨base⟩.insteadOf = ⟨prefix⟩` rewrite.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InsteadOf {
    /// The URL that replaces the prefix.
    pub base: String,
    /// The prefix that is replaced.
    pub prefix: String,
}

/// Git settings relevant to module fetching.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GitSettings {
    /// `GIT_SSL_NO_VERIFY` is present in the environment (git disables TLS verification even
    /// when it is empty).
    pub ssl_no_verify_env: bool,
    /// `GIT_ALLOW_PROTOCOL`, if set (colon list overriding cmd/go's secure-scheme list).
    pub allow_protocol: Option<String>,
    /// Files looked at, in precedence order (later wins).
    pub files: Vec<GitConfigFile>,
    /// All entries in precedence order.
    pub entries: Vec<GitConfigEntry>,
}

/// git's boolean parsing (`git_config_bool`); `None` if not a boolean.
pub fn git_bool(v: Option<&str>) -> Option<bool> {
    let Some(v) = v else { return Some(true) };
    match v.to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" => Some(true),
        "false" | "no" | "off" | "" => Some(false),
        n => n.parse::<i64>().ok().map(|i| i != 0),
    }
}

/// Parses git config text. Malformed lines are skipped (git would refuse the file; the
/// auditor only needs what is there).
pub fn parse_git_config(path: &Path, scope: GitScope, text: &str) -> Vec<GitConfigEntry> {
    let mut out = Vec::new();
    let mut section = String::new();
    let mut subsection: Option<String> = None;
    let lines: Vec<&str> = text.split('\n').collect();
    let mut i = 0;
    while i < lines.len() {
        let lineno = i + 1;
        let mut line = lines[i].trim_end_matches('\r').to_string();
        i += 1;
        // Continuation lines end with a backslash outside quotes; join them.
        while line.ends_with('\\') && !line.ends_with("\\\\") && i < lines.len() {
            line.pop();
            line.push_str(lines[i].trim_end_matches('\r'));
            i += 1;
        }
        let mut rest = line.trim_start();
        if rest.starts_with('[') {
            let Some(end) = rest.find(']') else { continue };
            let header = &rest[1..end];
            if let Some(q) = header.find('"') {
                section = header[..q].trim().to_ascii_lowercase();
                let sub = header[q + 1..].trim_end().trim_end_matches('"');
                subsection = Some(sub.replace("\\\"", "\"").replace("\\\\", "\\"));
            } else if let Some((s, sub)) = header.split_once('.') {
                section = s.trim().to_ascii_lowercase();
                subsection = Some(sub.trim().to_ascii_lowercase());
            } else {
                section = header.trim().to_ascii_lowercase();
                subsection = None;
            }
            rest = rest[end + 1..].trim_start();
            if rest.is_empty() || rest.starts_with('#') || rest.starts_with(';') {
                continue;
            }
        }
        if rest.is_empty() || rest.starts_with('#') || rest.starts_with(';') || section.is_empty() {
            continue;
        }
        let key_end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .unwrap_or(rest.len());
        let key = rest[..key_end].to_ascii_lowercase();
        if key.is_empty() {
            continue;
        }
        let after = rest[key_end..].trim_start();
        let value = if let Some(v) = after.strip_prefix('=') {
            Some(parse_value(v))
        } else if after.is_empty() || after.starts_with('#') || after.starts_with(';') {
            None
        } else {
            continue;
        };
        out.push(GitConfigEntry {
            file: path.to_path_buf(),
            line: lineno,
            scope,
            section: section.clone(),
            subsection: subsection.clone(),
            key,
            value,
        });
    }
    out
}

/// A value: quotes removed, escapes applied, comments cut, surrounding space trimmed.
fn parse_value(v: &str) -> String {
    let mut out = String::new();
    let mut in_quote = false;
    let mut pending_space = String::new();
    let mut chars = v.trim_start().chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => in_quote = !in_quote,
            '#' | ';' if !in_quote => break,
            '\\' => {
                out.push_str(&std::mem::take(&mut pending_space));
                match chars.next() {
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some('b') => {
                        out.pop();
                    }
                    Some(o) => out.push(o),
                    None => {}
                }
            }
            c if c.is_whitespace() && !in_quote => pending_space.push(c),
            c => {
                out.push_str(&std::mem::take(&mut pending_space));
                out.push(c);
            }
        }
    }
    out
}

fn read_bounded(p: &Path) -> Option<String> {
    use std::io::Read;
    let f = std::fs::File::open(p).ok()?;
    let mut data = Vec::new();
    f.take(MAX_GIT_CONFIG_SIZE).read_to_end(&mut data).ok()?;
    Some(String::from_utf8_lossy(&data).into_owned())
}

impl GitSettings {
    /// Locates and reads git's system and global config files and env config.
    /// `getenv` returns `None` for unset variables.
    pub fn load(getenv: impl Fn(&str) -> Option<String>) -> GitSettings {
        let set = |k: &str| getenv(k).filter(|v| !v.is_empty());
        let mut paths: Vec<(PathBuf, GitScope)> = Vec::new();
        let nosystem =
            getenv("GIT_CONFIG_NOSYSTEM").is_some_and(|v| git_bool(Some(&v)) == Some(true));
        if !nosystem {
            paths.push((
                set("GIT_CONFIG_SYSTEM")
                    .map_or_else(|| PathBuf::from("/etc/gitconfig"), PathBuf::from),
                GitScope::System,
            ));
        }
        if let Some(g) = set("GIT_CONFIG_GLOBAL") {
            paths.push((PathBuf::from(g), GitScope::Global));
        } else {
            let xdg = set("XDG_CONFIG_HOME")
                .map(|x| PathBuf::from(x).join("git/config"))
                .or_else(|| set("HOME").map(|h| PathBuf::from(h).join(".config/git/config")));
            if let Some(x) = xdg {
                paths.push((x, GitScope::Global));
            }
            if let Some(h) = set("HOME") {
                paths.push((PathBuf::from(h).join(".gitconfig"), GitScope::Global));
            }
        }
        let mut s = GitSettings {
            ssl_no_verify_env: getenv("GIT_SSL_NO_VERIFY").is_some(),
            allow_protocol: getenv("GIT_ALLOW_PROTOCOL"),
            ..GitSettings::default()
        };
        for (path, scope) in paths {
            let text = read_bounded(&path);
            s.files.push(GitConfigFile {
                path: path.clone(),
                scope,
                read: text.is_some(),
            });
            if let Some(t) = text {
                s.entries.extend(parse_git_config(&path, scope, &t));
            }
        }
        let count: usize = set("GIT_CONFIG_COUNT")
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        for n in 0..count.min(1000) {
            let (Some(k), v) = (
                getenv(&format!("GIT_CONFIG_KEY_{n}")),
                getenv(&format!("GIT_CONFIG_VALUE_{n}")),
            ) else {
                continue;
            };
            // section[.subsection].key: the subsection is everything between the first and last dot.
            let (Some(first), Some(last)) = (k.find('.'), k.rfind('.')) else {
                continue;
            };
            s.entries.push(GitConfigEntry {
                file: PathBuf::from(format!("GIT_CONFIG_KEY_{n}")),
                line: 0,
                scope: GitScope::Env,
                section: k[..first].to_ascii_lowercase(),
                subsection: (first != last).then(|| k[first + 1..last].to_string()),
                key: k[last + 1..].to_ascii_lowercase(),
                value: Some(v.unwrap_or_default()),
            });
        }
        s
    }

    /// The last (winning) entry for `section.key` without subsection.
    pub fn get(&self, section: &str, key: &str) -> Option<&GitConfigEntry> {
        self.entries
            .iter()
            .rev()
            .find(|e| e.section == section && e.subsection.is_none() && e.key == key)
    }

    /// Effective `http.sslVerify` (default true), with the deciding entry. `GIT_SSL_NO_VERIFY`
    /// overrides it (returns false, no entry).
    pub fn ssl_verify(&self) -> (bool, Option<&GitConfigEntry>) {
        if self.ssl_no_verify_env {
            return (false, None);
        }
        match self.get("http", "sslverify") {
            Some(e) => (git_bool(e.value.as_deref()).unwrap_or(true), Some(e)),
            None => (true, None),
        }
    }

    /// Per-URL `http.⟨url⟩.sslVerify = false` entries.
    pub fn ssl_verify_disabled_for_urls(&self) -> Vec<&GitConfigEntry> {
        self.entries
            .iter()
            .filter(|e| {
                e.section == "http"
                    && e.subsection.is_some()
                    && e.key == "sslverify"
                    && git_bool(e.value.as_deref()) == Some(false)
            })
            .collect()
    }

    /// All `url.⟨base⟩.insteadOf` rules.
    pub fn instead_of(&self) -> Vec<(InsteadOf, &GitConfigEntry)> {
        self.entries
            .iter()
            .filter(|e| e.section == "url" && e.key == "insteadof")
            .filter_map(|e| {
                Some((
                    InsteadOf {
                        base: e.subsection.clone()?,
                        prefix: e.value.clone().unwrap_or_default(),
                    },
                    e,
                ))
            })
            .collect()
    }

    /// How git rewrites `url`: the longest matching insteadOf prefix wins.
    pub fn rewrite(&self, url: &str) -> Option<String> {
        self.instead_of()
            .into_iter()
            .filter(|(r, _)| !r.prefix.is_empty() && url.starts_with(&r.prefix))
            .max_by_key(|(r, _)| r.prefix.len())
            .map(|(r, _)| format!("{}{}", r.base, &url[r.prefix.len()..]))
    }

    /// `include.path` / `includeIf.*.path` entries (not followed).
    pub fn includes(&self) -> Vec<&GitConfigEntry> {
        self.entries
            .iter()
            .filter(|e| (e.section == "include" || e.section == "includeif") && e.key == "path")
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_extract() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        std::fs::create_dir_all(home.join(".config/git")).unwrap();
        std::fs::write(
            home.join(".gitconfig"),
            "[http]\n\tsslVerify = false ; comment\n[url \"git@github.com:\"]\n\tinsteadOf = https://github.com/\n[url \"ssh://git@github.com/corp/\"]\n  insteadOf = \"https://github.com/corp/\"\n[http \"https://x.example\"]\n\tsslverify = no\n[include]\n\tpath = other\n",
        )
        .unwrap();
        std::fs::write(
            home.join(".config/git/config"),
            "[HTTP]\n  SSLVERIFY\n  proxy = http://p:3128\n",
        )
        .unwrap();
        let h = home.to_str().unwrap().to_string();
        let s = GitSettings::load(|k| match k {
            "HOME" => Some(h.clone()),
            "GIT_CONFIG_NOSYSTEM" => Some("1".into()),
            _ => None,
        });
        assert_eq!(s.files.len(), 2);
        let (verify, e) = s.ssl_verify();
        assert!(!verify);
        assert_eq!(e.unwrap().line, 2);
        assert_eq!(
            s.get("http", "proxy").unwrap().value.as_deref(),
            Some("http://p:3128")
        );
        assert_eq!(s.ssl_verify_disabled_for_urls().len(), 1);
        assert_eq!(
            s.rewrite("https://github.com/corp/x").as_deref(),
            Some("ssh://git@github.com/corp/x")
        );
        assert_eq!(
            s.rewrite("https://github.com/a/b").as_deref(),
            Some("git@github.com:a/b")
        );
        assert_eq!(s.rewrite("https://gitlab.com/a"), None);
        assert_eq!(s.includes().len(), 1);
        assert!(!s.ssl_no_verify_env);

        let s = GitSettings::load(|k| match k {
            "GIT_SSL_NO_VERIFY" => Some(String::new()),
            "GIT_CONFIG_NOSYSTEM" => Some("true".into()),
            "GIT_CONFIG_GLOBAL" => Some("/nonexistent".into()),
            "GIT_CONFIG_COUNT" => Some("1".into()),
            "GIT_CONFIG_KEY_0" => Some("url.https://mirror.example/.insteadOf".into()),
            "GIT_CONFIG_VALUE_0" => Some("https://github.com/".into()),
            _ => None,
        });
        assert_eq!(s.ssl_verify(), (false, None));
        assert_eq!(
            s.rewrite("https://github.com/a").as_deref(),
            Some("https://mirror.example/a")
        );
    }

    #[test]
    fn booleans() {
        assert_eq!(git_bool(None), Some(true));
        assert_eq!(git_bool(Some("")), Some(false));
        assert_eq!(git_bool(Some("Off")), Some(false));
        assert_eq!(git_bool(Some("2")), Some(true));
        assert_eq!(git_bool(Some("maybe")), None);
    }
}
