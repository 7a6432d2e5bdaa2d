//! GOAUTH parsing (Go 1.24+, golang/go#26232).
//!
//! Mirrors the command loop of `runGoAuth` in cmd/go/internal/auth/auth.go: the value is
//! split on `;`, parts are trimmed and processed in reverse order (so earlier parts take
//! precedence), and configuration errors are fatal with the texts below.

use std::path::PathBuf;

use super::goflags::split_words;

/// A GOAUTH configuration error, with the full line go prints.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GoAuthError {
    /// An empty part (`netrc;;`, trailing `;`).
    #[error("go: GOAUTH encountered an empty command (GOAUTH={goauth})")]
    EmptyCommand {
        /// The whole GOAUTH value.
        goauth: String,
    },
    /// `off` together with something else.
    #[error(
        "go: GOAUTH=off cannot be combined with other authentication commands (GOAUTH={goauth})"
    )]
    OffCombined {
        /// The whole GOAUTH value.
        goauth: String,
    },
    /// `git` without exactly one directory argument.
    #[error("go: GOAUTH=git dir method requires an absolute path to the git working directory")]
    GitNeedsDir,
    /// `git relative/dir`.
    #[error(
        "go: GOAUTH=git dir method requires an absolute path to the git working directory, dir is not absolute"
    )]
    GitDirNotAbsolute,
    /// `git /not/a/dir` (from [`GoAuth::check_dirs`]).
    #[error(
        "go: GOAUTH=git dir method requires an absolute path to the git working directory, dir is not a directory"
    )]
    GitDirNotDirectory,
    /// `git /missing` (from [`GoAuth::check_dirs`]); `message` is the OS error.
    #[error("go: GOAUTH=git encountered an error; cannot stat {dir}: {message}")]
    GitDirStat {
        /// The directory.
        dir: String,
        /// Go's `stat ⟨dir⟩: …` text (approximated from the OS error).
        message: String,
    },
    /// A command whose quoting is broken (`quoted.Split` error).
    #[error("go: GOAUTH={command}: {message}")]
    BadCommand {
        /// The command.
        command: String,
        /// The split error.
        message: String,
    },
}

/// One authentication method.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthMethod {
    /// `off`: no credentials at all.
    Off,
    /// `netrc`: `$NETRC` or `~/.netrc`.
    Netrc,
    /// `git ⟨dir⟩`: `git credential fill` in that directory, after a 4xx.
    Git {
        /// Working directory.
        dir: PathBuf,
    },
    /// Any other text: a command run before the first HTTPS fetch and after each 4xx.
    Command {
        /// The command text.
        command: String,
        /// Its words (`quoted.Split`).
        argv: Vec<String>,
    },
}

/// Parsed GOAUTH.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoAuth {
    /// Methods in the order written (the first one has the highest precedence).
    pub methods: Vec<AuthMethod>,
}

impl GoAuth {
    /// Parses an effective GOAUTH value, reporting the error go would hit first.
    pub fn parse(goauth: &str) -> Result<GoAuth, GoAuthError> {
        let parts: Vec<&str> = goauth.split(';').collect();
        let mut methods = Vec::new();
        for part in parts.iter().rev() {
            let command = part.trim();
            let words: Vec<&str> = command.split_whitespace().collect();
            let Some(first) = words.first() else {
                return Err(GoAuthError::EmptyCommand {
                    goauth: goauth.into(),
                });
            };
            let m = match *first {
                "off" => {
                    if parts.len() != 1 {
                        return Err(GoAuthError::OffCombined {
                            goauth: goauth.into(),
                        });
                    }
                    AuthMethod::Off
                }
                "netrc" => AuthMethod::Netrc,
                "git" => {
                    if words.len() != 2 {
                        return Err(GoAuthError::GitNeedsDir);
                    }
                    if !words[1].starts_with('/') {
                        return Err(GoAuthError::GitDirNotAbsolute);
                    }
                    AuthMethod::Git {
                        dir: PathBuf::from(words[1]),
                    }
                }
                _ => AuthMethod::Command {
                    command: command.to_string(),
                    argv: split_words(command).map_err(|e| GoAuthError::BadCommand {
                        command: command.to_string(),
                        message: e
                            .to_string()
                            .trim_start_matches("go: parsing $GOFLAGS: ")
                            .to_string(),
                    })?,
                },
            };
            methods.push(m);
        }
        methods.reverse();
        Ok(GoAuth { methods })
    }

    /// Checks `git ⟨dir⟩` directories on disk like go does when it first needs credentials.
    pub fn check_dirs(&self) -> Result<(), GoAuthError> {
        for m in self.methods.iter().rev() {
            if let AuthMethod::Git { dir } = m {
                match std::fs::metadata(dir) {
                    Err(e) => {
                        return Err(GoAuthError::GitDirStat {
                            dir: dir.display().to_string(),
                            message: format!("stat {}: {}", dir.display(), go_io_error(&e)),
                        });
                    }
                    Ok(md) if !md.is_dir() => return Err(GoAuthError::GitDirNotDirectory),
                    Ok(_) => {}
                }
            }
        }
        Ok(())
    }

    /// True if credentials are disabled (`off`).
    pub fn is_off(&self) -> bool {
        self.methods == [AuthMethod::Off]
    }

    /// True if a `.netrc` is consulted.
    pub fn uses_netrc(&self) -> bool {
        self.methods.contains(&AuthMethod::Netrc)
    }
}

/// Go's text for common OS errors (syscall.Errno strings).
fn go_io_error(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_errors() {
        let a = GoAuth::parse(" netrc ; git /srv/repo;my-helper --flag 'a b'").unwrap();
        assert_eq!(a.methods.len(), 3);
        assert_eq!(a.methods[0], AuthMethod::Netrc);
        assert_eq!(
            a.methods[2],
            AuthMethod::Command {
                command: "my-helper --flag 'a b'".into(),
                argv: vec!["my-helper".into(), "--flag".into(), "a b".into()],
            }
        );
        assert!(a.uses_netrc());
        assert!(GoAuth::parse("off").unwrap().is_off());
        let err = |s: &str| GoAuth::parse(s).unwrap_err().to_string();
        assert_eq!(
            err("netrc;"),
            "go: GOAUTH encountered an empty command (GOAUTH=netrc;)"
        );
        assert_eq!(err(""), "go: GOAUTH encountered an empty command (GOAUTH=)");
        assert_eq!(
            err("off;netrc"),
            "go: GOAUTH=off cannot be combined with other authentication commands (GOAUTH=off;netrc)"
        );
        assert_eq!(
            err("git"),
            "go: GOAUTH=git dir method requires an absolute path to the git working directory"
        );
        assert_eq!(
            err("git rel"),
            "go: GOAUTH=git dir method requires an absolute path to the git working directory, dir is not absolute"
        );
        // Reverse processing: the last bad part is reported first.
        assert_eq!(
            err("git rel;;"),
            "go: GOAUTH encountered an empty command (GOAUTH=git rel;;)"
        );
        let e = GoAuth::parse("git /nonexistent/dir")
            .unwrap()
            .check_dirs()
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "go: GOAUTH=git encountered an error; cannot stat /nonexistent/dir: stat /nonexistent/dir: no such file or directory"
        );
    }
}
