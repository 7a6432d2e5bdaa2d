//! `.netrc` parsing.
//!
//! Mirrors `parseNetrc` and `netrcPath` in cmd/go/internal/auth/netrc.go: whitespace tokens in
//! pairs per line, `machine` starts an entry, an entry counts once machine, login and password
//! are all set, `macdef` skips lines up to an empty one, a line starting with `default` ends
//! the file. Passwords never appear in `Debug` or `Display`.

use std::fmt;
use std::path::PathBuf;

/// Files larger than this are not read (a .netrc is tiny).
pub const MAX_NETRC_SIZE: u64 = 1 << 20;

/// One complete entry.
#[derive(Clone, PartialEq, Eq)]
pub struct NetrcEntry {
    /// The machine name (may include a port; go compares it with `host[:port]`).
    pub machine: String,
    /// The login.
    pub login: String,
    password: String,
}

impl NetrcEntry {
    /// The password. Callers must not log it.
    pub fn password(&self) -> &str {
        &self.password
    }
}

impl fmt::Debug for NetrcEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NetrcEntry")
            .field("machine", &self.machine)
            .field("login", &self.login)
            .field("password", &"<redacted>")
            .finish()
    }
}

impl fmt::Display for NetrcEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "machine {} login {} password <redacted>",
            self.machine, self.login
        )
    }
}

/// A parsed .netrc.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Netrc {
    /// Complete entries in file order.
    pub entries: Vec<NetrcEntry>,
}

impl Netrc {
    /// Parses .netrc contents like go.
    pub fn parse(data: &str) -> Netrc {
        let mut entries = Vec::new();
        let (mut machine, mut login, mut password) = (String::new(), String::new(), String::new());
        let mut in_macro = false;
        for line in data.split('\n') {
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
                    "machine" => {
                        machine = f[i + 1].to_string();
                        login.clear();
                        password.clear();
                    }
                    "login" => login = f[i + 1].to_string(),
                    "password" => password = f[i + 1].to_string(),
                    "macdef" => in_macro = true,
                    _ => {}
                }
                if !machine.is_empty() && !login.is_empty() && !password.is_empty() {
                    entries.push(NetrcEntry {
                        machine: std::mem::take(&mut machine),
                        login: std::mem::take(&mut login),
                        password: std::mem::take(&mut password),
                    });
                }
                i += 2;
            }
            if i < f.len() && f[i] == "default" {
                break;
            }
        }
        Netrc { entries }
    }

    /// The entry go uses for `machine` (the first one; later duplicates are shadowed).
    pub fn lookup(&self, machine: &str) -> Option<&NetrcEntry> {
        self.entries.iter().find(|e| e.machine == machine)
    }

    /// Entries shadowed by an earlier entry for the same machine.
    pub fn shadowed(&self) -> Vec<&NetrcEntry> {
        self.entries
            .iter()
            .enumerate()
            .filter(|(i, e)| self.entries[..*i].iter().any(|p| p.machine == e.machine))
            .map(|(_, e)| e)
            .collect()
    }

    /// Reads a file (bounded); `None` if it does not exist or cannot be read.
    pub fn read(path: &std::path::Path) -> Option<Netrc> {
        use std::io::Read;
        // Only a regular file: opening a FIFO would wait for a writer forever.
        if !std::fs::metadata(path).ok()?.is_file() {
            return None;
        }
        let f = std::fs::File::open(path).ok()?;
        let mut data = Vec::new();
        f.take(MAX_NETRC_SIZE).read_to_end(&mut data).ok()?;
        Some(Netrc::parse(&String::from_utf8_lossy(&data)))
    }
}

/// `netrcPath`: `$NETRC` if non-empty, else `$HOME/.netrc` (Windows: `%USERPROFILE%\_netrc`
/// if it exists, else `.netrc`). `Err` carries go's text when the home is unknown.
pub fn netrc_path(goos: &str, getenv: impl Fn(&str) -> String) -> Result<PathBuf, String> {
    let netrc = getenv("NETRC");
    if !netrc.is_empty() {
        return Ok(PathBuf::from(netrc));
    }
    let (var, msg) = match goos {
        "windows" => ("USERPROFILE", "%userprofile% is not defined"),
        "plan9" => ("home", "$home is not defined"),
        _ => ("HOME", "$HOME is not defined"),
    };
    let home = getenv(var);
    if home.is_empty() {
        return Err(msg.to_string());
    }
    if goos == "windows" {
        let p = PathBuf::from(&home).join("_netrc");
        if p.exists() {
            return Ok(p);
        }
    }
    Ok(PathBuf::from(home).join(".netrc"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cases of cmd/go/internal/auth/netrc_test.go.
    #[test]
    fn section_8_7_vector() {
        let input = "
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
        let n = Netrc::parse(input);
        let got: Vec<_> = n
            .entries
            .iter()
            .map(|e| (e.machine.as_str(), e.login.as_str(), e.password()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("api.github.com", "user", "pwd"),
                ("test.host", "user2", "pwd2"),
                ("oneline", "user3", "pwd3"),
                ("hasmacro.too", "user4", "pwd4"),
            ]
        );
    }

    #[test]
    fn first_wins_and_secrets_hidden() {
        let n = Netrc::parse(
            "machine h login a password SECRET1\nmachine h login b password SECRET2\n",
        );
        assert_eq!(n.lookup("h").unwrap().login, "a");
        assert_eq!(n.shadowed().len(), 1);
        let dbg = format!("{n:?} {}", n.entries[0]);
        assert!(!dbg.contains("SECRET"), "{dbg}");
        assert!(n.lookup("h:443").is_none());
    }

    #[test]
    fn path_rules() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(kk, _)| *kk == k)
                    .map(|(_, v)| v.to_string())
                    .unwrap_or_default()
            }
        };
        assert_eq!(
            netrc_path("linux", env(&[("NETRC", "/x/n"), ("HOME", "/h")])),
            Ok(PathBuf::from("/x/n"))
        );
        assert_eq!(
            netrc_path("linux", env(&[("HOME", "/h")])),
            Ok(PathBuf::from("/h/.netrc"))
        );
        assert_eq!(
            netrc_path("linux", env(&[])),
            Err("$HOME is not defined".to_string())
        );
    }
}
