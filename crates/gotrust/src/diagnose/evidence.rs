//! What a pasted log says about the settings go ran with.
//!
//! People paste more than go's errors: the command line (`GOPROXY=direct go get ...`,
//! `env GOSUMDB=gosum.io+ce6e7565+... go get`), `export` lines, Dockerfile `RUN`/`ENV` lines,
//! `go env -w`, PowerShell `$env:GOPROXY = '...'` and the `go env` listing itself (`GOPROXY="..."`
//! on Unix, `set GOPROXY=...` on Windows, both as printed by `cmd/go/internal/envcmd`).
//! [`LogSettings`] collects the go-related variables these lines assign, with the line each
//! came from, so that causes are ranked from the settings of the run that failed rather than
//! from the machine reading the log. Bounded: only known variable names are kept.

use serde::Serialize;

/// Variables whose values decide how go fetches and verifies modules (the ones
/// `cmd/go/internal/cfg` reads for module downloads, plus git's and the HTTP proxy's).
pub const KNOWN_VARIABLES: &[&str] = &[
    "GOPROXY",
    "GOSUMDB",
    "GONOSUMDB",
    "GONOPROXY",
    "GOPRIVATE",
    "GOINSECURE",
    "GOFLAGS",
    "GO111MODULE",
    "GOTOOLCHAIN",
    "GOVCS",
    "GOAUTH",
    "GOWORK",
    "GOVERSION",
    "GOPATH",
    "GOMODCACHE",
    "GOROOT",
    "GIT_TERMINAL_PROMPT",
    "GIT_SSL_NO_VERIFY",
    "HTTPS_PROXY",
    "HTTP_PROXY",
    "https_proxy",
    "http_proxy",
    "NO_PROXY",
    "GONOSUMCHECK",
];

/// One variable assignment found in the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogSetting {
    /// Variable name.
    pub name: String,
    /// Value with shell quotes removed.
    pub value: String,
    /// 1-based line of the log.
    pub line_no: u64,
    /// The line as written (redacted, capped).
    pub line: String,
}

/// The go-related settings a log shows, in log order (a later assignment wins).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LogSettings {
    /// Every assignment seen (at most one per variable: the last).
    pub settings: Vec<LogSetting>,
    /// `go version goX.Y.Z os/arch` or `GOVERSION`, when the log shows it.
    pub go_version: Option<String>,
}

impl LogSettings {
    /// The value of `name` in the log, if assigned.
    pub fn get(&self, name: &str) -> Option<&LogSetting> {
        self.settings.iter().find(|s| s.name == name)
    }

    /// Whether the log assigns any variable that decides the route (proxy list, private
    /// patterns, checksum database).
    pub fn has_route_settings(&self) -> bool {
        [
            "GOPROXY",
            "GONOPROXY",
            "GOPRIVATE",
            "GONOSUMDB",
            "GOSUMDB",
            "GOFLAGS",
        ]
        .iter()
        .any(|n| self.get(n).is_some())
    }

    /// The environment of the logged run as far as the log shows it: its assignments on an
    /// otherwise empty environment with no go env file (`GOENV=off`), when it shows any route
    /// setting; `None` when it shows none (then only this machine's settings are available,
    /// and whoever uses them must say so).
    pub fn env_sources(&self) -> Option<crate::env::EnvSources> {
        if !self.has_route_settings() {
            return None;
        }
        let mut vars: Vec<(String, String)> = self
            .settings
            .iter()
            .map(|s| (s.name.clone(), s.value.clone()))
            .collect();
        vars.push(("GOENV".into(), "off".into()));
        Some(crate::env::EnvSources::with_process(vars))
    }

    /// Reads one (decoration-free) line of the log.
    pub fn observe(&mut self, line: &str, line_no: u64) {
        let t = line.trim();
        if let Some(v) = t.strip_prefix("go version ") {
            if let Some(ver) = v.split_whitespace().next()
                && ver.starts_with("go1")
            {
                self.go_version = Some(ver.to_string());
            }
            return;
        }
        // go's own messages (`go: ...`, `verifying ...`) name settings only in prose.
        if t.starts_with("go: ") || t.starts_with("verifying ") || t.contains("reading http") {
            return;
        }
        for (name, value) in assignments(t) {
            if name == "GOVERSION" && value.starts_with("go1") {
                self.go_version = Some(value.clone());
            }
            self.set(name, value, line_no, t);
        }
    }

    fn set(&mut self, name: &str, value: String, line_no: u64, line: &str) {
        let mut shown: String = crate::redact::redact_text(line);
        if shown.len() > 300 {
            let mut cut = 300;
            while !shown.is_char_boundary(cut) {
                cut -= 1;
            }
            shown.truncate(cut);
            shown.push('…');
        }
        let setting = LogSetting {
            name: name.to_string(),
            value: crate::redact::redact_text(&value),
            line_no,
            line: shown,
        };
        match self.settings.iter_mut().find(|s| s.name == name) {
            Some(old) => *old = setting,
            None => self.settings.push(setting),
        }
    }
}

/// The known-variable assignments in a line: `NAME=value` words (shell, `env`, `export`,
/// Dockerfile `ENV`, `go env -w`, the `go env` listing, Windows `set NAME=value`) and
/// PowerShell `$env:NAME = 'value'`.
fn assignments(line: &str) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if let Some(rest) = line.split("$env:").nth(1)
        && let Some((name, value)) = rest.split_once('=')
        && let Some(known) = known(name.trim())
    {
        out.push((known, unquote(value.trim()).to_string()));
        return out;
    }
    for word in shell_words(line) {
        let word = word.strip_prefix("set ").unwrap_or(&word).to_string();
        if let Some((name, value)) = word.split_once('=')
            && let Some(known) = known(name)
        {
            out.push((known, unquote(value).to_string()));
        }
    }
    out
}

fn known(name: &str) -> Option<&'static str> {
    KNOWN_VARIABLES.iter().copied().find(|k| *k == name)
}

/// Splits on whitespace outside quotes (enough for pasted command lines), keeping the quotes.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => {
                quote = None;
                cur.push(c);
            }
            (Some(_), c) => cur.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                cur.push(c);
            }
            (None, c) if c.is_whitespace() => {
                if !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                }
            }
            (None, c) => cur.push(c),
        }
        if words.len() > 64 {
            break;
        }
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    // `set GOPROXY=x` (Windows `go env`) is one assignment.
    if words.first().is_some_and(|w| w == "set") && words.len() == 2 {
        return vec![format!("set {}", words[1])];
    }
    words
}

fn unquote(v: &str) -> &str {
    let v = v.trim_end_matches([';', ',']);
    for q in ['"', '\''] {
        if let Some(inner) = v.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
            return inner;
        }
    }
    v.trim_matches(['"', '\''])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(lines: &[&str]) -> LogSettings {
        let mut s = LogSettings::default();
        for (i, l) in lines.iter().enumerate() {
            s.observe(l, i as u64 + 1);
        }
        s
    }

    #[test]
    fn command_lines_and_go_env_listings() {
        let s = settings(&[
            "$ env GOPROXY=https://goproxy.io GOSUMDB=gosum.io+ce6e7565+AY5q go get x@v1.0.0",
            "GONOSUMDB=\"corp.example\"",
            "GOFLAGS='-mod=mod'",
            "set GOPRIVATE=git.corp.example",
            "$env:GOINSECURE = 'a.example'",
            "RUN GOPROXY=https://goproxy.cn,direct make build",
            "go version go1.20.2 darwin/arm64",
        ]);
        assert_eq!(s.get("GOPROXY").unwrap().value, "https://goproxy.cn,direct");
        assert_eq!(s.get("GOPROXY").unwrap().line_no, 6);
        assert_eq!(s.get("GOSUMDB").unwrap().value, "gosum.io+ce6e7565+AY5q");
        assert_eq!(s.get("GONOSUMDB").unwrap().value, "corp.example");
        assert_eq!(s.get("GOFLAGS").unwrap().value, "-mod=mod");
        assert_eq!(s.get("GOPRIVATE").unwrap().value, "git.corp.example");
        assert_eq!(s.get("GOINSECURE").unwrap().value, "a.example");
        assert_eq!(s.go_version.as_deref(), Some("go1.20.2"));
        assert!(s.has_route_settings());
    }

    #[test]
    fn go_messages_are_not_settings() {
        let s = settings(&["go: rsc.io/quote@v1.5.2: module lookup disabled by GOPROXY=off"]);
        assert!(s.settings.is_empty());
    }
}
