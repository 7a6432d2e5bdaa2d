//! Credentials attached to https requests: GOAUTH=netrc.
//!
//! Mirrors `cmd/go/internal/auth` (netrc.go parsing; auth.go/userauth.go prefix lookup, Go
//! 1.24+): entries are keyed by machine name, a request `https://host[:port]/a/b` is looked up
//! as `host[:port]/a/b`, `host[:port]/a`, `host[:port]`, so a port-less `machine` does not
//! match a URL with an explicit port (golang/go#81253). Only https requests get credentials.
//! Secrets are never part of a `Debug` or serialized form.

use std::fmt;
use std::path::{Path, PathBuf};

use url::Url;

/// One complete netrc entry.
#[derive(Clone, PartialEq, Eq)]
pub struct NetrcEntry {
    /// The `machine` name.
    pub machine: String,
    /// The `login`.
    pub login: String,
    password: String,
}

impl NetrcEntry {
    /// The password (never logged; only [`super::http`] reads it to build the header).
    pub(crate) fn password(&self) -> &str {
        &self.password
    }
}

impl fmt::Debug for NetrcEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NetrcEntry")
            .field("machine", &self.machine)
            .field("login", &self.login)
            .field("password", &"xxxxx")
            .finish()
    }
}

/// A parsed netrc file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Netrc {
    /// Where it was read from, if from a file.
    pub path: Option<PathBuf>,
    /// Complete entries in file order (the first entry for a machine wins).
    pub entries: Vec<NetrcEntry>,
}

impl Netrc {
    /// Parses netrc text exactly as go does: tokens in pairs per line, an entry recorded once
    /// machine, login and password are all set, `macdef` skipping to the next empty line, a
    /// line starting with a lone `default` ending the file. No quoting, no `account`.
    pub fn parse(text: &str) -> Netrc {
        let mut entries = Vec::new();
        let mut cur = (String::new(), String::new(), String::new());
        let mut in_macro = false;
        for line in text.split('\n') {
            if in_macro {
                if line.is_empty() {
                    in_macro = false;
                }
                continue;
            }
            let f: Vec<&str> = line.split_whitespace().collect();
            let mut i = 0;
            while i + 1 < f.len() {
                match f[i] {
                    "machine" => cur = (f[i + 1].to_string(), String::new(), String::new()),
                    "login" => cur.1 = f[i + 1].to_string(),
                    "password" => cur.2 = f[i + 1].to_string(),
                    "macdef" => in_macro = true,
                    _ => {}
                }
                if !cur.0.is_empty() && !cur.1.is_empty() && !cur.2.is_empty() {
                    let (machine, login, password) = std::mem::take(&mut cur);
                    entries.push(NetrcEntry {
                        machine,
                        login,
                        password,
                    });
                }
                i += 2;
            }
            if i < f.len() && f[i] == "default" {
                break;
            }
        }
        Netrc {
            path: None,
            entries,
        }
    }

    /// The file go reads: `$NETRC` if non-empty, else `~/.netrc` (`%USERPROFILE%\_netrc` first
    /// on Windows).
    pub fn default_path(netrc_var: Option<&str>, home: Option<&Path>) -> Option<PathBuf> {
        if let Some(v) = netrc_var.filter(|v| !v.is_empty()) {
            return Some(PathBuf::from(v));
        }
        let home = home?;
        if cfg!(windows) {
            let underscore = home.join("_netrc");
            if underscore.exists() {
                return Some(underscore);
            }
        }
        Some(home.join(".netrc"))
    }

    /// Reads and parses `path`; a missing file is an empty netrc, like go.
    pub fn load(path: &Path) -> std::io::Result<Netrc> {
        match std::fs::read(path) {
            Ok(bytes) => {
                let mut n = Netrc::parse(&String::from_utf8_lossy(&bytes));
                n.path = Some(path.to_path_buf());
                Ok(n)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Netrc {
                path: Some(path.to_path_buf()),
                entries: Vec::new(),
            }),
            Err(e) => Err(e),
        }
    }

    /// The entry go would attach to a request for `url` (https only), by prefix lookup.
    pub fn lookup(&self, url: &Url) -> Option<&NetrcEntry> {
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
            if let Some(e) = self.entries.iter().find(|e| e.machine == key) {
                return Some(e);
            }
            match key.rfind('/') {
                Some(i) => key.truncate(i),
                None => return None,
            }
        }
    }
}

/// Redacts a URL the way Go's `URL.Redacted` does: the password becomes `xxxxx`; the user name
/// stays (go prints it too).
pub fn redact(url: &Url) -> String {
    if url.password().is_some() {
        let mut u = url.clone();
        let _ = u.set_password(Some("xxxxx"));
        u.to_string()
    } else {
        url.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // go-semantics §8.7 (cmd/go/internal/auth/netrc_test.go).
    const NETRC: &str = "
machine incomplete
password none

machine api.github.com
  login user
  password pwd

machine incomlete.host
  login justlogin

machine test.host
login user2
password pwd2

machine oneline login user3 password pwd3

machine ignore.host macdef ignore
  login nobody
  password nothing

machine hasmacro.too macdef ignore-next-lines login user4 password pwd4
  login nobody
  password nothing

default
login anonymous
password gopher@golang.org

machine after.default
login oops
password too-late-in-file
";

    #[test]
    fn parses_go_vector() {
        let n = Netrc::parse(NETRC);
        let got: Vec<(&str, &str, &str)> = n
            .entries
            .iter()
            .map(|e| (e.machine.as_str(), e.login.as_str(), e.password()))
            .collect();
        assert_eq!(
            got,
            [
                ("api.github.com", "user", "pwd"),
                ("test.host", "user2", "pwd2"),
                ("oneline", "user3", "pwd3"),
                ("hasmacro.too", "user4", "pwd4"),
            ]
        );
        assert!(
            !format!("{:?}", n).contains("pwd"),
            "Debug must not show passwords"
        );
    }

    #[test]
    fn lookup_by_prefix_https_only_port_sensitive() {
        let n = Netrc::parse(
            "machine host.example login a password 1\nmachine host.example login b password 2\nmachine other.example:8443 login c password 3\n",
        );
        let u = |s: &str| Url::parse(s).unwrap();
        assert_eq!(
            n.lookup(&u("https://host.example/x/y")).unwrap().login,
            "a",
            "first wins"
        );
        assert!(
            n.lookup(&u("http://host.example/x")).is_none(),
            "never over http"
        );
        assert!(
            n.lookup(&u("https://host.example:8443/x")).is_none(),
            "golang/go#81253"
        );
        assert_eq!(
            n.lookup(&u("https://other.example:8443/p")).unwrap().login,
            "c"
        );
        assert!(n.lookup(&u("https://sub.host.example/")).is_none());
    }

    #[test]
    fn redaction() {
        let u = Url::parse("https://user:secret@h.example/p").unwrap();
        assert_eq!(redact(&u), "https://user:xxxxx@h.example/p");
        let u = Url::parse("https://token@h.example/p").unwrap();
        assert_eq!(redact(&u), "https://token@h.example/p");
    }
}
