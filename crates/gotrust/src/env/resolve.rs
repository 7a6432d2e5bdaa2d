//! Precedence rules: process environment, user go env file, `$GOROOT/go.env`, defaults.
//!
//! Mirrors cmd/go/internal/cfg/cfg.go (`EnvFile`, `initEnvCache`, `findGOROOT`, `Getenv`,
//! `EnvOrAndChanged`, `gopathDir`), go/build `defaultGOPATH` and `os.UserConfigDir` (spec §1.1-1.2).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::file::{EnvEntry, EnvFile, EnvFileKind};
use super::{GO_VARS, GoEnv, Origin, PROCESS_VARS, Setting, Shadowed};

/// Everything resolution reads, so tests never touch the real process environment.
///
/// Files (the user env file and go.env) are read from disk during [`resolve`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnvSources {
    /// The process environment. Values that are not UTF-8 are lossily decoded.
    pub process: BTreeMap<String, String>,
    /// Go's GOOS of the host (`linux`, `darwin`, `windows`, `plan9`, ...): decides the user
    /// config directory rules and the GOPATH list separator.
    pub goos: String,
    /// GOROOT as the go command would find it from its own executable (the `go` found on
    /// PATH: `bin/go`'s grandparent, also after resolving symlinks, if it has `pkg/tool`).
    pub exe_goroot: Option<PathBuf>,
    /// The `go` executable found on PATH, if any.
    pub go_binary: Option<PathBuf>,
    /// Directory against which relative file paths (GOENV=relative) are read; `None` means
    /// the current directory of this process.
    pub cwd: Option<PathBuf>,
}

impl EnvSources {
    /// Sources of the running process: its environment, its OS, and the `go` on its PATH.
    pub fn from_process() -> EnvSources {
        let process: BTreeMap<String, String> = std::env::vars_os()
            .map(|(k, v)| {
                (
                    k.to_string_lossy().into_owned(),
                    v.to_string_lossy().into_owned(),
                )
            })
            .collect();
        let goos = go_os(std::env::consts::OS).to_string();
        let go_binary = process
            .get("PATH")
            .and_then(|p| find_in_path("go", p, &goos));
        let exe_goroot = go_binary.as_deref().and_then(goroot_from_executable);
        EnvSources {
            process,
            goos,
            exe_goroot,
            go_binary,
            cwd: None,
        }
    }

    /// Sources with the given process variables, this host's GOOS and no go executable.
    pub fn with_process<I, K, V>(vars: I) -> EnvSources
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        EnvSources {
            process: vars
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
            goos: go_os(std::env::consts::OS).to_string(),
            ..EnvSources::default()
        }
    }

    /// The process value of `key` if it is set and non-empty (Go treats empty as unset).
    pub fn getenv(&self, key: &str) -> Option<&str> {
        self.process
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    fn open_path(&self, p: &Path) -> PathBuf {
        match &self.cwd {
            Some(cwd) if p.is_relative() => cwd.join(p),
            _ => p.to_path_buf(),
        }
    }

    fn list_separator(&self) -> char {
        if self.goos == "windows" { ';' } else { ':' }
    }
}

/// Go's name for a Rust `std::env::consts::OS` value.
pub fn go_os(rust_os: &str) -> &str {
    match rust_os {
        "macos" => "darwin",
        other => other,
    }
}

/// Looks `name` up in a PATH value like exec.LookPath (executable regular files only).
pub fn find_in_path(name: &str, path: &str, goos: &str) -> Option<PathBuf> {
    let sep = if goos == "windows" { ';' } else { ':' };
    let exe = if goos == "windows" {
        format!("{name}.exe")
    } else {
        name.to_string()
    };
    path.split(sep)
        .filter(|d| !d.is_empty())
        .map(|d| Path::new(d).join(&exe))
        .find(|p| is_executable(p))
}

fn is_executable(p: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(p) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.is_file() && meta.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        meta.is_file()
    }
}

/// GOROOT of a go executable: `exe/../..` or `exe/../../../..` (for
/// `pkg/tool/GOOS_GOARCH/go`) if it contains `pkg/tool`, first as given, then after resolving
/// symlinks (cmd/go `findGOROOT`).
pub fn goroot_from_executable(exe: &Path) -> Option<PathBuf> {
    let abs = std::path::absolute(exe).ok()?;
    let candidates = |e: &Path| -> Option<PathBuf> {
        let two = e.parent()?.parent()?;
        if two.join("pkg/tool").is_dir() {
            return Some(two.to_path_buf());
        }
        let four = two.parent()?.parent()?;
        four.join("pkg/tool").is_dir().then(|| four.to_path_buf())
    };
    candidates(&abs).or_else(|| candidates(&std::fs::canonicalize(&abs).ok()?))
}

/// Where the user go env file is.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum UserFileLocation {
    /// `GOENV=off`: no user file.
    Off,
    /// The file path; `from_goenv` if it came from the GOENV variable (used verbatim).
    Path {
        /// The path, as `go env GOENV` prints it.
        path: PathBuf,
        /// True if set by the GOENV process variable.
        from_goenv: bool,
    },
    /// The user config directory cannot be determined; Go silently reads no file.
    Unavailable {
        /// Go's error text (`neither $XDG_CONFIG_HOME nor $HOME are defined`, ...).
        reason: String,
    },
}

impl UserFileLocation {
    /// The path, if there is one.
    pub fn path(&self) -> Option<&Path> {
        match self {
            UserFileLocation::Path { path, .. } => Some(path),
            _ => None,
        }
    }
}

/// `os.UserConfigDir()` for a GOOS, reading only variables (no OS APIs), with Go's error texts.
pub fn user_config_dir(src: &EnvSources) -> Result<String, String> {
    match src.goos.as_str() {
        "windows" => src
            .getenv("AppData")
            .map(str::to_string)
            .ok_or_else(|| "%AppData% is not defined".to_string()),
        "darwin" | "ios" => src
            .getenv("HOME")
            .map(|h| format!("{h}/Library/Application Support"))
            .ok_or_else(|| "$HOME is not defined".to_string()),
        "plan9" => src
            .getenv("home")
            .map(|h| format!("{h}/lib"))
            .ok_or_else(|| "$home is not defined".to_string()),
        _ => match src.getenv("XDG_CONFIG_HOME") {
            Some(x) if !x.starts_with('/') => Err("path in $XDG_CONFIG_HOME is relative".into()),
            Some(x) => Ok(x.to_string()),
            None => src
                .getenv("HOME")
                .map(|h| format!("{h}/.config"))
                .ok_or_else(|| "neither $XDG_CONFIG_HOME nor $HOME are defined".to_string()),
        },
    }
}

/// cmd/go `EnvFile()`: where the user file is.
pub fn user_file_location(src: &EnvSources) -> UserFileLocation {
    match src.getenv("GOENV") {
        Some("off") => UserFileLocation::Off,
        Some(p) => UserFileLocation::Path {
            path: PathBuf::from(p),
            from_goenv: true,
        },
        None => match user_config_dir(src) {
            Ok(dir) if dir.is_empty() => UserFileLocation::Unavailable {
                reason: "missing user-config dir".into(),
            },
            Ok(dir) => UserFileLocation::Path {
                path: PathBuf::from(join_clean(src, &dir, "go/env")),
                from_goenv: false,
            },
            Err(reason) => UserFileLocation::Unavailable { reason },
        },
    }
}

/// `filepath.Join(a, b)` for the sources' OS (lexically cleaned).
fn join_clean(src: &EnvSources, a: &str, b: &str) -> String {
    if src.goos == "windows" {
        // Windows volume rules are not modelled; a plain join is close enough for display.
        format!("{}\\{}", a.trim_end_matches('\\'), b.replace('/', "\\"))
    } else {
        clean_path(&format!("{a}/{b}"))
    }
}

/// Go's `path.Clean` / Unix `filepath.Clean` (the same function on Unix): gomod's one port.
pub use gomod::path::clean as clean_path;

/// One layer's candidate value during resolution.
struct Layered<'a> {
    process: Option<&'a str>,
    empty_in_process: bool,
    user: Option<(&'a EnvFile, &'a EnvEntry)>,
    goroot: Option<(&'a EnvFile, &'a EnvEntry)>,
}

fn file_origin(f: &EnvFile, e: &EnvEntry) -> Origin {
    match f.kind {
        EnvFileKind::User => Origin::UserFile {
            path: f.path.clone(),
            line: e.line,
        },
        EnvFileKind::Goroot => Origin::GorootEnv {
            path: f.path.clone(),
            line: e.line,
        },
    }
}

impl Layered<'_> {
    /// All present layers, highest precedence first, as (origin, value).
    fn layers(&self) -> Vec<(Origin, String)> {
        let mut v = Vec::new();
        if let Some(p) = self.process {
            v.push((Origin::Process, p.to_string()));
        }
        if let Some((f, e)) = self.user {
            v.push((file_origin(f, e), e.value()));
        }
        // go.env entries are not consulted for keys present in the user file at all.
        if let (None, Some((f, e))) = (self.user, self.goroot) {
            v.push((file_origin(f, e), e.value()));
        }
        v
    }

    /// `cfg.Getenv` with origin: the highest layer, or ("", Default).
    fn getenv(&self) -> (String, Origin, Vec<Shadowed>) {
        let mut layers = self.layers().into_iter();
        let Some((origin, value)) = layers.next() else {
            return (String::new(), Origin::Default, Vec::new());
        };
        let mut shadowed: Vec<Shadowed> = layers
            .map(|(origin, value)| Shadowed { origin, value })
            .collect();
        // A user-file key hides go.env entirely; still tell the auditor what go.env had.
        if let (Some(_), Some((f, e))) = (self.user, self.goroot) {
            shadowed.push(Shadowed {
                origin: file_origin(f, e),
                value: e.value(),
            });
        }
        (value, origin, shadowed)
    }

    /// The value with the process and user layers removed (the `--changed` baseline).
    fn goroot_value(&self) -> String {
        self.goroot.map(|(_, e)| e.value()).unwrap_or_default()
    }
}

/// Resolves the effective environment (cmd/go Go 1.21+ semantics, spec §1.1).
pub fn resolve(src: &EnvSources) -> GoEnv {
    let location = user_file_location(src);
    let user_file = location
        .path()
        .and_then(|p| EnvFile::read(&src.open_path(p), EnvFileKind::User))
        .map(|mut f| {
            // Report the path as Go names it, not as we opened it.
            if let Some(p) = location.path() {
                f.path = p.to_path_buf();
            }
            f
        });

    // findGOROOT: the user file's GOROOT first, then the OS GOROOT, then the executable.
    let file_goroot = user_file
        .as_ref()
        .and_then(|f| f.lookup("GOROOT"))
        .map(EnvEntry::value)
        .filter(|v| !v.is_empty());
    let goroot_for_env: Option<PathBuf> = file_goroot
        .clone()
        .or_else(|| src.getenv("GOROOT").map(str::to_string))
        .map(|g| PathBuf::from(clean_path(&g)))
        .or_else(|| src.exe_goroot.clone());
    let goroot_env = goroot_for_env.as_ref().and_then(|g| {
        let p = g.join("go.env");
        EnvFile::read(&src.open_path(&p), EnvFileKind::Goroot).map(|mut f| {
            f.path = p;
            f
        })
    });

    let layered = |key: &str| -> Layered<'_> {
        let user = user_file
            .as_ref()
            .and_then(|f| f.lookup(key).map(|e| (f, e)));
        let goroot = goroot_env
            .as_ref()
            .and_then(|f| f.lookup(key).map(|e| (f, e)));
        Layered {
            process: src.getenv(key),
            empty_in_process: src.process.get(key).is_some_and(|v| v.is_empty()),
            user,
            goroot,
        }
    };

    let mut vars = BTreeMap::new();
    let plain = |key: &str, builtin: &str| -> Setting {
        let l = layered(key);
        let (value, origin, shadowed) = l.getenv();
        let base = l.goroot_value();
        let default = if base.is_empty() {
            builtin.to_string()
        } else {
            base
        };
        let mut s = Setting {
            value,
            origin,
            shadowed,
            empty_in_process: l.empty_in_process,
            default,
            changed: false,
        };
        if s.value.is_empty() && !builtin.is_empty() {
            // EnvOr: an empty value (e.g. `GOAUTH=` in the user file) falls back to the default.
            if s.origin != Origin::Default {
                s.shadowed.insert(
                    0,
                    Shadowed {
                        origin: s.origin.clone(),
                        value: String::new(),
                    },
                );
            }
            s.value = builtin.to_string();
            s.origin = Origin::Default;
        }
        s
    };

    for key in [
        "GOPROXY",
        "GOSUMDB",
        "GOPRIVATE",
        "GOINSECURE",
        "GOVCS",
        "GOTOOLCHAIN",
        "GOFLAGS",
        "GO111MODULE",
    ] {
        vars.insert(key.to_string(), plain(key, ""));
    }
    vars.insert("GOAUTH".into(), plain("GOAUTH", "netrc"));

    let goprivate = vars["GOPRIVATE"].value.clone();
    for key in ["GONOPROXY", "GONOSUMDB"] {
        let mut s = plain(key, "");
        s.default = goprivate.clone();
        if s.value.is_empty() {
            if s.origin != Origin::Default {
                s.shadowed.insert(
                    0,
                    Shadowed {
                        origin: s.origin.clone(),
                        value: String::new(),
                    },
                );
            }
            s.value = goprivate.clone();
            s.origin = if goprivate.is_empty() {
                Origin::Default
            } else {
                Origin::Derived {
                    from: "GOPRIVATE".into(),
                }
            };
        }
        vars.insert(key.to_string(), s);
    }

    // GOROOT: the OS value wins (raw), else the located GOROOT.
    let goroot = {
        let l = layered("GOROOT");
        let mut shadowed = Vec::new();
        if let Some((f, e)) = l.user {
            shadowed.push(Shadowed {
                origin: file_origin(f, e),
                value: e.value(),
            });
        }
        let exe = src
            .exe_goroot
            .as_ref()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        let (value, origin) = if let Some(p) = l.process {
            (p.to_string(), Origin::Process)
        } else if let (Some(v), Some((f, e))) = (&file_goroot, l.user) {
            shadowed.clear();
            (clean_path(v), file_origin(f, e))
        } else if !exe.is_empty() {
            (
                exe.clone(),
                Origin::Derived {
                    from: "go executable".into(),
                },
            )
        } else {
            (String::new(), Origin::Default)
        };
        Setting {
            value,
            origin,
            shadowed,
            empty_in_process: l.empty_in_process,
            default: exe,
            changed: false,
        }
    };
    let goroot_value = goroot.value.clone();
    vars.insert("GOROOT".into(), goroot);

    // GOPATH: EnvOr(GOPATH, $HOME/go) unless that equals GOROOT.
    let home_var = match src.goos.as_str() {
        "windows" => "USERPROFILE",
        "plan9" => "home",
        _ => "HOME",
    };
    let default_gopath = src
        .getenv(home_var)
        .map(|h| join_clean(src, h, "go"))
        .filter(|d| goroot_value.is_empty() || clean_path(d) != clean_path(&goroot_value))
        .unwrap_or_default();
    let gopath = plain("GOPATH", &default_gopath);
    let first = gopath
        .value
        .split(src.list_separator())
        .next()
        .unwrap_or("")
        .to_string();
    vars.insert("GOPATH".into(), gopath);

    let default_modcache = if first.is_empty() {
        String::new()
    } else {
        join_clean(src, &first, "pkg/mod")
    };
    let mut modcache = plain("GOMODCACHE", &default_modcache);
    if modcache.origin == Origin::Default && !modcache.value.is_empty() {
        modcache.origin = Origin::Derived {
            from: "GOPATH".into(),
        };
    }
    vars.insert("GOMODCACHE".into(), modcache);

    let goenv_default = user_file_location(&EnvSources {
        process: src
            .process
            .iter()
            .filter(|(k, _)| k.as_str() != "GOENV")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        ..src.clone()
    });
    let goenv_default = goenv_default
        .path()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (goenv_value, goenv_origin) = match &location {
        UserFileLocation::Path {
            path,
            from_goenv: true,
        } => (path.to_string_lossy().into_owned(), Origin::Process),
        UserFileLocation::Off => (String::new(), Origin::Process),
        UserFileLocation::Path { path, .. } => {
            (path.to_string_lossy().into_owned(), Origin::Default)
        }
        UserFileLocation::Unavailable { .. } => (String::new(), Origin::Default),
    };
    let mut goenv_shadowed = Vec::new();
    // A GOENV line in a file has no effect (§1.2); show it as shadowed.
    for f in user_file.iter().chain(goroot_env.iter()) {
        if let Some(e) = f.lookup("GOENV") {
            goenv_shadowed.push(Shadowed {
                origin: file_origin(f, e),
                value: e.value(),
            });
        }
    }
    vars.insert(
        "GOENV".into(),
        Setting {
            value: goenv_value,
            origin: goenv_origin,
            shadowed: goenv_shadowed,
            empty_in_process: src.process.get("GOENV").is_some_and(|v| v.is_empty()),
            default: goenv_default,
            changed: matches!(
                location,
                UserFileLocation::Path {
                    from_goenv: true,
                    ..
                }
            ),
        },
    );

    for key in PROCESS_VARS {
        let raw = src.process.get(*key);
        let value = raw.cloned().unwrap_or_default();
        vars.insert(
            key.to_string(),
            Setting {
                origin: if value.is_empty() {
                    Origin::Default
                } else {
                    Origin::Process
                },
                value,
                shadowed: Vec::new(),
                empty_in_process: raw.is_some_and(|v| v.is_empty()),
                default: String::new(),
                changed: raw.is_some_and(|v| !v.is_empty()),
            },
        );
    }
    debug_assert!(GO_VARS.iter().all(|k| vars.contains_key(*k)));
    mark_changed(
        &mut vars,
        goroot_env.as_ref(),
        src,
        &default_gopath,
        &default_modcache,
    );

    GoEnv {
        vars,
        user_file_location: location,
        user_file,
        goroot_for_env,
        goroot_env,
    }
}

/// cmd/go's `changed` flags (envcmd `MkEnv` with `cfg.EnvOrAndChanged`).
fn mark_changed(
    vars: &mut BTreeMap<String, Setting>,
    goroot_env: Option<&EnvFile>,
    src: &EnvSources,
    default_gopath: &str,
    default_modcache: &str,
) {
    // go.env's value for the comparison is its last line for the key (unlike resolution,
    // where the first line wins): observed with go1.26.
    let goroot_last = |k: &str| {
        goroot_env.and_then(|f| {
            f.entries
                .iter()
                .rev()
                .find(|e| e.key == k)
                .map(EnvEntry::value)
        })
    };
    fn raw(s: &Setting) -> &str {
        match s.origin {
            Origin::Default | Origin::Derived { .. } => "",
            _ => s.value.as_str(),
        }
    }
    let goprivate = vars["GOPRIVATE"].value.clone();
    // BuildContext.GOPATH is read from the process environment, so a process GOPATH is
    // its own default.
    let gopath_def = src.getenv("GOPATH").unwrap_or(default_gopath).to_string();
    for (k, s) in vars.iter_mut() {
        let v = raw(s);
        let env_or = |def: &str| {
            !v.is_empty()
                && match goroot_last(k) {
                    Some(g) => v != g,
                    None => v != def,
                }
        };
        let changed = match k.as_str() {
            "GOPROXY" | "GOSUMDB" | "GOTOOLCHAIN" => env_or(""),
            "GONOPROXY" | "GONOSUMDB" => env_or(&goprivate),
            "GOAUTH" => env_or("netrc"),
            "GOPATH" => env_or(&gopath_def),
            "GOMODCACHE" => env_or(default_modcache),
            "GO111MODULE" => !s.value.is_empty() && s.value != "on",
            "GOFLAGS" | "GOINSECURE" | "GOPRIVATE" | "GOVCS" => !s.value.is_empty(),
            _ => continue,
        };
        s.changed = changed;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(vars: &[(&str, &str)]) -> EnvSources {
        let mut s = EnvSources::with_process(vars.iter().map(|(k, v)| (*k, *v)));
        s.goos = "linux".into();
        s
    }

    #[test]
    fn clean_path_matches_go() {
        for (i, o) in [
            ("", "."),
            ("/", "/"),
            ("a//b/./c/..", "a/b"),
            ("/../a", "/a"),
            ("../../a", "../../a"),
            ("/x/", "/x"),
            ("a/..", "."),
        ] {
            assert_eq!(clean_path(i), o, "{i}");
        }
    }

    #[test]
    fn user_config_dir_rules() {
        assert_eq!(
            user_config_dir(&src(&[("HOME", "/h")])),
            Ok("/h/.config".into())
        );
        assert_eq!(
            user_config_dir(&src(&[("HOME", "/h"), ("XDG_CONFIG_HOME", "/x")])),
            Ok("/x".into())
        );
        assert_eq!(
            user_config_dir(&src(&[("HOME", "/h"), ("XDG_CONFIG_HOME", "rel")])),
            Err("path in $XDG_CONFIG_HOME is relative".into())
        );
        assert_eq!(
            user_config_dir(&src(&[("HOME", "/h"), ("XDG_CONFIG_HOME", "")])),
            Ok("/h/.config".into())
        );
        assert_eq!(
            user_config_dir(&src(&[])),
            Err("neither $XDG_CONFIG_HOME nor $HOME are defined".into())
        );
        let mut mac = src(&[("HOME", "/h")]);
        mac.goos = "darwin".into();
        assert_eq!(
            user_config_dir(&mac),
            Ok("/h/Library/Application Support".into())
        );
        assert_eq!(
            user_file_location(&src(&[("XDG_CONFIG_HOME", "/x/")])),
            UserFileLocation::Path {
                path: "/x/go/env".into(),
                from_goenv: false
            }
        );
        assert_eq!(
            user_file_location(&src(&[("GOENV", "off"), ("HOME", "/h")])),
            UserFileLocation::Off
        );
    }

    #[test]
    fn precedence_and_provenance() {
        let dir = tempfile::tempdir().unwrap();
        let goroot = dir.path().join("goroot");
        std::fs::create_dir_all(&goroot).unwrap();
        std::fs::write(
            goroot.join("go.env"),
            "GOPROXY=https://proxy.golang.org,direct\nGOSUMDB=sum.golang.org\nGOSUMDB=dup\nGOTOOLCHAIN=auto\n",
        )
        .unwrap();
        let userfile = dir.path().join("env");
        std::fs::write(
            &userfile,
            "GOPROXY=https://corp.example\nGOSUMDB=\nGOPRIVATE=a.example\nGONOPROXY=\nGOAUTH=\n",
        )
        .unwrap();
        let mut s = src(&[
            ("GOENV", userfile.to_str().unwrap()),
            ("HOME", "/home/u"),
            ("GOTOOLCHAIN", "local"),
            ("GOPROXY", ""),
        ]);
        s.exe_goroot = Some(goroot.clone());
        let env = resolve(&s);
        let proxy = env.get("GOPROXY").unwrap();
        assert_eq!(proxy.value, "https://corp.example");
        assert_eq!(
            proxy.origin.to_string(),
            format!("user go env file {}:1", userfile.display())
        );
        assert!(proxy.empty_in_process);
        assert_eq!(proxy.shadowed.len(), 1);
        assert_eq!(proxy.default, "https://proxy.golang.org,direct");
        assert!(proxy.changed);
        // GOSUMDB= in the user file shadows go.env: effective empty (§1.1).
        assert_eq!(env.value("GOSUMDB"), "");
        assert_eq!(env.get("GOSUMDB").unwrap().origin.kind(), "user-file");
        assert_eq!(env.value("GOTOOLCHAIN"), "local");
        assert_eq!(env.get("GOTOOLCHAIN").unwrap().origin, Origin::Process);
        assert_eq!(env.value("GONOPROXY"), "a.example");
        assert_eq!(
            env.get("GONOPROXY").unwrap().origin,
            Origin::Derived {
                from: "GOPRIVATE".into()
            }
        );
        assert_eq!(env.value("GONOSUMDB"), "a.example");
        assert_eq!(env.value("GOAUTH"), "netrc");
        assert_eq!(env.value("GOPATH"), "/home/u/go");
        assert_eq!(env.value("GOMODCACHE"), "/home/u/go/pkg/mod");
        assert_eq!(env.value("GOENV"), userfile.to_str().unwrap());
        assert_eq!(env.value("GOROOT"), goroot.to_str().unwrap());
        assert!(!env.get("GOPATH").unwrap().changed);
    }
}
