//! Credentials attached to https requests, as GOAUTH tells go to find them, and URL
//! redaction.
//!
//! Mirrors `cmd/go/internal/auth` (Go 1.24+). GOAUTH is a `;`-separated list of methods run
//! in reverse order, so that the first written wins (auth.go `runGoAuth`):
//! * `netrc`: every `.netrc` machine (parsed by [`crate::settings::netrc`]) is stored as a
//!   prefix, the first entry for a machine winning;
//! * `git DIR`: after a request answered 4xx, `git credential fill` runs in DIR with the
//!   request URL and the credential it prints is stored for the URL prefix it names
//!   (gitauth.go `runGitAuth`, `parseGitAuth`);
//! * any other text is a command: run once before the first https request (no argument),
//!   and again after a 4xx with the URL as last argument and the response head on stdin; it
//!   prints blocks of URL lines, a blank line, header lines, a blank line (userauth.go
//!   `runAuthCommand`, `parseUserAuth`).
//!
//! Headers are stored by prefix (`host[:port][/path]`, no scheme) and a request takes those of
//! the longest prefix of its URL (`loadCredential`): `https://host[:port]/a/b` is looked up as
//! `host[:port]/a/b`, `host[:port]/a`, `host[:port]`, so a port-less `machine` does not match a
//! URL with an explicit port (golang/go#81253), and a URL with user info (which go keeps in
//! the looked-up text) matches no machine. Only https requests get credentials.
//!
//! Beyond go: each command runs at most [`COMMAND_TIMEOUT`] and at most
//! [`COMMAND_OUTPUT_MAX`] bytes of its output are read; git never prompts on the terminal
//! (`GIT_TERMINAL_PROMPT=0`); gotrust never runs `git credential approve`/`reject` (it would
//! write to the user's credential store) nor the HEAD request go sends to validate a git
//! credential; every credential value is registered with [`crate::redact`] as soon as it is
//! read, so no output can show it.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use url::Url;

use crate::settings::goauth::{AuthMethod, GoAuth};
use crate::settings::netrc::{Netrc, NetrcEntry};

/// How long one GOAUTH command or `git credential fill` may run before it is killed.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(30);

/// The most bytes read from a GOAUTH command's output (and from its stderr).
pub const COMMAND_OUTPUT_MAX: usize = 1 << 20;

/// The entry go would attach to a request for `url` (https only), by prefix lookup; the
/// first entry for a machine wins.
pub fn netrc_lookup<'a>(netrc: &'a Netrc, url: &Url) -> Option<&'a NetrcEntry> {
    if url.scheme() != "https" {
        return None;
    }
    let host = url.host_str()?;
    let mut key = match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_string(),
    };
    key.push_str(url.path().trim_end_matches('/'));
    loop {
        if let Some(e) = netrc.lookup(&key) {
            return Some(e);
        }
        match key.rfind('/') {
            Some(i) => key.truncate(i),
            None => return None,
        }
    }
}

/// Headers a GOAUTH method provides for a URL prefix, with where they came from.
#[derive(Clone)]
pub struct StoredCredential {
    /// The header lines, in order.
    pub headers: Vec<(String, String)>,
    /// Where they came from, never the secret: `netrc:⟨machine⟩`, `git:⟨prefix⟩`,
    /// `command:⟨prefix⟩`.
    pub source: String,
}

impl std::fmt::Debug for StoredCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredCredential")
            .field("source", &self.source)
            .field("headers", &self.headers.len())
            .finish()
    }
}

/// The response head a command reads on stdin after a refused request
/// (`HTTP/1.1 401 Unauthorized`, then `Name: value` lines, then a blank line).
#[derive(Debug, Clone, Default)]
pub struct RefusedResponse {
    /// `HTTP/1.1 401 Unauthorized`.
    pub status_line: String,
    /// Header names and values.
    pub headers: Vec<(String, String)>,
}

/// GOAUTH's credentials for one run: what each method provided, by URL prefix.
pub struct GoAuthCredentials {
    methods: Vec<AuthMethod>,
    netrc_path: Option<PathBuf>,
    /// A `.netrc` given in memory instead of `netrc_path`.
    netrc: Option<Netrc>,
    cache: Mutex<HashMap<String, StoredCredential>>,
    /// Serializes GOAUTH runs (go may run several at once; gotrust needs not); `true` once
    /// the first, URL-less run is done.
    runs: tokio::sync::Mutex<bool>,
}

impl std::fmt::Debug for GoAuthCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GoAuthCredentials")
            .field("methods", &self.methods.len())
            .finish_non_exhaustive()
    }
}

impl GoAuthCredentials {
    /// The credentials GOAUTH names; `None` for GOAUTH=off. `netrc_path` is the `.netrc` go
    /// reads (a missing file is an empty one).
    pub fn new(goauth: &GoAuth, netrc_path: Option<PathBuf>) -> Option<GoAuthCredentials> {
        if goauth.is_off() {
            return None;
        }
        Some(GoAuthCredentials {
            methods: goauth.methods.clone(),
            netrc_path,
            netrc: None,
            cache: Mutex::new(HashMap::new()),
            runs: tokio::sync::Mutex::new(false),
        })
    }

    /// GOAUTH=netrc with this `.netrc` (for callers that hold one already).
    pub fn from_netrc(netrc: Netrc) -> Arc<GoAuthCredentials> {
        Arc::new(GoAuthCredentials {
            methods: vec![AuthMethod::Netrc],
            netrc_path: None,
            netrc: Some(netrc),
            cache: Mutex::new(HashMap::new()),
            runs: tokio::sync::Mutex::new(false),
        })
    }

    /// The credential for a first request to `url`: GOAUTH runs once, before the first
    /// request of the run (`AddCredentials` with no URL).
    pub async fn initial(&self, url: &Url) -> Option<StoredCredential> {
        if url.scheme() != "https" {
            return None;
        }
        {
            let mut ran = self.runs.lock().await;
            if !*ran {
                *ran = true;
                self.run_methods(None, None).await;
            }
        }
        self.load(url)
    }

    /// The credential for retrying `url` after a 4xx answer: GOAUTH runs again with the URL
    /// (and the response, for commands).
    pub async fn after_refusal(
        &self,
        url: &Url,
        response: &RefusedResponse,
    ) -> Option<StoredCredential> {
        if url.scheme() != "https" {
            return None;
        }
        {
            let _guard = self.runs.lock().await;
            self.run_methods(Some(url.as_str()), Some(response)).await;
        }
        self.load(url)
    }

    /// `loadCredential`: the headers of the longest stored prefix of `url`.
    fn load(&self, url: &Url) -> Option<StoredCredential> {
        let text = url.as_str();
        let mut prefix = text.strip_prefix("https://").unwrap_or(text);
        prefix = prefix.strip_suffix('/').unwrap_or(prefix);
        let cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(c) = cache.get(prefix) {
                return Some(c.clone());
            }
            prefix = &prefix[..prefix.rfind('/')?];
        }
    }

    /// `storeCredential`: keyed without `https://` and a final `/`; no headers removes.
    fn store(&self, prefix: &str, credential: StoredCredential) {
        let p = prefix.strip_prefix("https://").unwrap_or(prefix);
        let p = p.strip_suffix('/').unwrap_or(p).to_string();
        // `.netrc` passwords are registered when the process starts (the CLI's
        // `register_secrets`); what git and commands print is known only now.
        if !credential.source.starts_with("netrc:") {
            for (_, value) in &credential.headers {
                register_header_secret(value);
            }
        }
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if credential.headers.is_empty() {
            cache.remove(&p);
        } else {
            cache.insert(p, credential);
        }
    }

    /// `runGoAuth`: every method, last written first, so the first written wins.
    async fn run_methods(&self, url: Option<&str>, response: Option<&RefusedResponse>) {
        for method in self.methods.iter().rev() {
            match method {
                AuthMethod::Off => return,
                AuthMethod::Netrc => {
                    let netrc = match &self.netrc {
                        Some(n) => n.clone(),
                        None => self
                            .netrc_path
                            .as_deref()
                            .and_then(Netrc::read)
                            .unwrap_or_default(),
                    };
                    for e in netrc.entries.iter().rev() {
                        self.store(
                            &e.machine,
                            StoredCredential {
                                headers: vec![(
                                    "Authorization".into(),
                                    basic(&e.login, e.password()),
                                )],
                                source: format!("netrc:{}", e.machine),
                            },
                        );
                    }
                }
                AuthMethod::Git { dir } => {
                    // git cannot list credentials: it is asked only for a refused URL.
                    let Some(url) = url else { continue };
                    if let Some((prefix, credential)) = git_credential(dir.clone(), url).await {
                        self.store(&prefix, credential);
                    }
                }
                AuthMethod::Command { argv, .. } => {
                    for (prefix, credential) in run_command(argv.clone(), url, response).await {
                        self.store(&prefix, credential);
                    }
                }
            }
        }
    }
}

/// `Basic base64(login:password)`, as net/http's `SetBasicAuth`.
pub fn basic(login: &str, password: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{login}:{password}"))
    )
}

/// Registers a header value as a secret: the whole value, and for `Basic` its base64 and
/// decoded password.
fn register_header_secret(value: &str) {
    crate::redact::register_secret(value);
    let Some((scheme, token)) = value.split_once(' ') else {
        return;
    };
    crate::redact::register_secret(token.trim());
    if scheme.eq_ignore_ascii_case("basic")
        && let Ok(raw) = base64::engine::general_purpose::STANDARD.decode(token.trim())
        && let Ok(text) = String::from_utf8(raw)
        && let Some((_, password)) = text.split_once(':')
    {
        crate::redact::register_secret(password);
    }
}

/// `runGitAuth`: `git credential fill` in `dir` for `url`; the prefix git names and a Basic
/// credential, or nothing when git fails or names another URL.
async fn git_credential(dir: PathBuf, url: &str) -> Option<(String, StoredCredential)> {
    let url = url.to_string();
    tokio::task::spawn_blocking(move || {
        let mut cmd = std::process::Command::new("git");
        cmd.args(["credential", "fill"])
            .current_dir(&dir)
            .env("GIT_TERMINAL_PROMPT", "0");
        let out = run_bounded(&mut cmd, format!("url={url}\n").into_bytes()).ok()?;
        if !out.status.success() {
            return None;
        }
        // go reads stdout and stderr together (CombinedOutput).
        let mut text = out.stdout;
        text.extend_from_slice(&out.stderr);
        let (prefix, username, password) = parse_git_auth(&String::from_utf8_lossy(&text));
        if prefix.is_empty() || !url.starts_with(&prefix) {
            return None;
        }
        let credential = StoredCredential {
            headers: vec![("Authorization".into(), basic(&username, &password))],
            source: format!("git:{}", crate::redact::redact_text(&prefix)),
        };
        Some((prefix, credential))
    })
    .await
    .ok()
    .flatten()
}

/// `parseGitAuth`: the URL prefix (from `protocol`, `host`, `path`, or a `url` line that
/// parses), the username and the password. Public for the `goauth_output` fuzz target: the
/// text comes from `git credential fill`.
pub fn parse_git_auth(data: &str) -> (String, String, String) {
    let (mut scheme, mut host, mut path) = (String::new(), String::new(), String::new());
    let (mut username, mut password) = (String::new(), String::new());
    for line in data.split('\n') {
        let Some((key, value)) = line.trim().split_once('=') else {
            continue;
        };
        match key {
            "protocol" => scheme = value.to_string(),
            "host" => host = value.to_string(),
            "path" => path = value.to_string(),
            "username" => username = value.to_string(),
            "password" => password = value.to_string(),
            "url" => {
                if let Ok(u) = Url::parse(value) {
                    scheme = u.scheme().to_string();
                    host = match u.port() {
                        Some(p) => format!("{}:{p}", u.host_str().unwrap_or("")),
                        None => u.host_str().unwrap_or("").to_string(),
                    };
                    path = u.path().to_string();
                }
            }
            _ => {}
        }
    }
    // Go's url.URL{Scheme, Host, Path}.String().
    let mut prefix = String::new();
    if !scheme.is_empty() {
        prefix.push_str(&scheme);
        prefix.push(':');
    }
    if !host.is_empty() || !scheme.is_empty() && !path.is_empty() && path.starts_with('/') {
        prefix.push_str("//");
        prefix.push_str(&host);
    }
    if !path.is_empty() && !path.starts_with('/') && !host.is_empty() {
        prefix.push('/');
    }
    prefix.push_str(&path);
    (prefix, username, password)
}

/// `runAuthCommand`: runs a GOAUTH command (with `url` as last argument and the refused
/// response on stdin after a 4xx) and parses its header blocks; nothing when it fails.
async fn run_command(
    argv: Vec<String>,
    url: Option<&str>,
    response: Option<&RefusedResponse>,
) -> Vec<(String, StoredCredential)> {
    let Some((program, args)) = argv.split_first() else {
        return Vec::new();
    };
    let mut cmd = std::process::Command::new(program);
    cmd.args(args);
    if let Some(u) = url {
        cmd.arg(u);
    }
    let stdin = response.map_or_else(Vec::new, |r| {
        let mut s = format!("{}\n", r.status_line);
        for (k, v) in &r.headers {
            s.push_str(&format!("{k}: {v}\n"));
        }
        s.push('\n');
        s.into_bytes()
    });
    let out = tokio::task::spawn_blocking(move || run_bounded(&mut cmd, stdin).ok())
        .await
        .ok()
        .flatten();
    let Some(out) = out.filter(|o| o.status.success()) else {
        return Vec::new();
    };
    parse_user_auth(&String::from_utf8_lossy(&out.stdout)).unwrap_or_default()
}

/// `parseUserAuth`: blocks of URL lines, a blank line, `Name: value` header lines, a blank
/// line. Any malformed block rejects the whole output, as in go. Public for the
/// `goauth_output` fuzz target: the text comes from a GOAUTH command.
pub fn parse_user_auth(data: &str) -> Option<Vec<(String, StoredCredential)>> {
    let mut out = Vec::new();
    let mut rest = data;
    let next_line = |rest: &mut &str| -> Option<String> {
        let (line, tail) = rest.split_once('\n')?;
        let line = line.to_string();
        *rest = tail;
        Some(line)
    };
    while !rest.is_empty() {
        let mut urls = Vec::new();
        loop {
            let line = next_line(&mut rest)?;
            if line.is_empty() {
                break;
            }
            // url.ParseRequestURI: an absolute URL or an absolute path.
            if line.starts_with('/') {
                urls.push(line);
            } else {
                urls.push(Url::parse(&line).ok()?.to_string());
            }
        }
        let mut headers = Vec::new();
        loop {
            let line = next_line(&mut rest)?;
            if line.is_empty() {
                break;
            }
            let (name, value) = line.split_once(": ")?;
            let value = value.trim();
            if name.is_empty()
                || !name.bytes().all(is_token_byte)
                || value.bytes().any(|b| (b < b' ' && b != b'\t') || b == 0x7f)
            {
                return None;
            }
            headers.push((name.to_string(), value.to_string()));
        }
        for u in urls {
            let prefix = u.strip_prefix("https://").unwrap_or(&u).to_string();
            out.retain(|(p, _): &(String, StoredCredential)| *p != prefix);
            out.push((
                prefix.clone(),
                StoredCredential {
                    headers: headers.clone(),
                    source: format!("command:{}", crate::redact::redact_text(&prefix)),
                },
            ));
        }
    }
    Some(out)
}

/// An HTTP token byte (RFC 7230 `tchar`), as go's `isTokenTable`.
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// Runs `cmd` with `stdin`, reading at most [`COMMAND_OUTPUT_MAX`] bytes of each output
/// stream and killing it after [`COMMAND_TIMEOUT`].
fn run_bounded(
    cmd: &mut std::process::Command,
    stdin: Vec<u8>,
) -> std::io::Result<std::process::Output> {
    use crate::process::{BoundedError, run_bounded};
    run_bounded(cmd, Some(stdin), COMMAND_OUTPUT_MAX as u64, COMMAND_TIMEOUT).map_err(|e| match e {
        BoundedError::Spawn(e) => e,
        BoundedError::TimedOut => {
            std::io::Error::new(std::io::ErrorKind::TimedOut, "GOAUTH command timed out")
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_auth_blocks_and_rejections() {
        let got = parse_user_auth(
            "https://a.example/x\nhttps://b.example\n\nAuthorization: Bearer t1\nX-Extra: e\n\nhttps://c.example:8443/\n\nAuthorization: Basic Zm9vOmJhcg==\n\n",
        )
        .unwrap();
        let prefixes: Vec<&str> = got.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(prefixes, ["a.example/x", "b.example/", "c.example:8443/"]);
        assert_eq!(got[0].1.headers.len(), 2);
        assert_eq!(got[2].1.headers[0].1, "Basic Zm9vOmJhcg==");
        // Missing blank lines, a bad URL, a bad header line: the whole output is refused.
        for bad in [
            "https://a.example\n",
            "https://a.example\n\nAuthorization: x\n",
            "not a url\n\nAuthorization: x\n\n",
            "https://a.example\n\nBad Name: x\n\n",
            "https://a.example\n\nNoColon\n\n",
        ] {
            assert!(parse_user_auth(bad).is_none(), "{bad:?}");
        }
        assert_eq!(parse_user_auth("").unwrap().len(), 0);
    }

    #[test]
    fn git_auth_prefix_like_go() {
        let (p, u, pw) =
            parse_git_auth("protocol=https\nhost=127.0.0.1:8443\nusername=al\npassword=pw\n");
        assert_eq!(
            (p.as_str(), u.as_str(), pw.as_str()),
            ("https://127.0.0.1:8443", "al", "pw")
        );
        let (p, ..) = parse_git_auth("protocol=https\nhost=h.example\npath=a/b\n");
        assert_eq!(p, "https://h.example/a/b");
        let (p, ..) = parse_git_auth("url=https://h.example:1/x\nhost=ignored\n");
        assert_eq!(p, "https://ignored/x", "later lines still apply, as in go");
        assert_eq!(parse_git_auth("username=x\n").0, "");
    }

    #[test]
    fn lookup_by_prefix_https_only_port_sensitive() {
        let n = Netrc::parse(
            "machine host.example login a password 1\nmachine host.example login b password 2\nmachine other.example:8443 login c password 3\n",
        );
        let u = |s: &str| Url::parse(s).unwrap();
        let login = |s: &str| netrc_lookup(&n, &u(s)).map(|e| e.login.clone());
        assert_eq!(
            login("https://host.example/x/y").as_deref(),
            Some("a"),
            "first wins"
        );
        assert_eq!(login("http://host.example/x"), None, "never over http");
        assert_eq!(
            login("https://host.example:8443/x"),
            None,
            "golang/go#81253"
        );
        assert_eq!(login("https://other.example:8443/p").as_deref(), Some("c"));
        assert_eq!(login("https://sub.host.example/"), None);
    }
}
