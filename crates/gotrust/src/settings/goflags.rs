//! GOFLAGS parsing, as cmd/go/internal/base/goflags.go (InitGOFLAGS, SetFromGOFLAGS) does it.
//!
//! Mirrors `InitGOFLAGS`/`SetFromGOFLAGS` in cmd/go/internal/base/goflags.go and the word
//! splitting of cmd/internal/quoted (Go 1.20+ quoting). Texts are the full lines go prints.

use gomod::strconv::quote as go_quote;

/// Every flag name defined by some go subcommand (Go 1.26). A GOFLAGS word naming anything
/// else makes every go command (except `go env`/`go bug`) fail. Obtained by probing
/// `GOFLAGS=-⟨name⟩ go version` with go1.26.
pub const KNOWN_FLAGS: &[&str] = &[
    "C",
    "a",
    "artifacts",
    "asan",
    "asmflags",
    "bench",
    "benchmem",
    "benchtime",
    "blockprofile",
    "blockprofilerate",
    "buildmode",
    "buildvcs",
    "c",
    "cache",
    "changed",
    "compat",
    "compiled",
    "compiler",
    "count",
    "cover",
    "covermode",
    "coverpkg",
    "coverprofile",
    "cpu",
    "cpuprofile",
    "d",
    "debug-actiongraph",
    "debug-runtime-trace",
    "debug-trace",
    "deps",
    "diff",
    "dropexclude",
    "dropgodebug",
    "dropignore",
    "dropreplace",
    "droprequire",
    "dropretract",
    "droptool",
    "dropuse",
    "e",
    "exclude",
    "exec",
    "export",
    "f",
    "failfast",
    "find",
    "fix",
    "fixtool",
    "fmt",
    "fullpath",
    "fuzz",
    "fuzzcache",
    "fuzzminimizetime",
    "fuzztime",
    "gccgoflags",
    "gcflags",
    "go",
    "godebug",
    "i",
    "ignore",
    "insecure",
    "installsuffix",
    "json",
    "ldflags",
    "linkshared",
    "list",
    "m",
    "memprofile",
    "memprofilerate",
    "mod",
    "modcache",
    "modcacherw",
    "modfile",
    "module",
    "msan",
    "mutexprofile",
    "mutexprofilefraction",
    "n",
    "o",
    "outputdir",
    "overlay",
    "p",
    "parallel",
    "pgo",
    "pkgdir",
    "print",
    "r",
    "race",
    "replace",
    "require",
    "retract",
    "retracted",
    "reuse",
    "run",
    "short",
    "shuffle",
    "skip",
    "t",
    "tags",
    "test",
    "test.artifacts",
    "test.bench",
    "test.benchmem",
    "test.benchtime",
    "test.blockprofile",
    "test.blockprofilerate",
    "test.count",
    "test.coverprofile",
    "test.cpu",
    "test.cpuprofile",
    "test.failfast",
    "test.fullpath",
    "test.fuzz",
    "test.fuzzminimizetime",
    "test.fuzztime",
    "test.list",
    "test.memprofile",
    "test.memprofilerate",
    "test.mutexprofile",
    "test.mutexprofilefraction",
    "test.outputdir",
    "test.parallel",
    "test.run",
    "test.short",
    "test.shuffle",
    "test.skip",
    "test.timeout",
    "test.trace",
    "test.v",
    "testcache",
    "timeout",
    "tool",
    "toolchain",
    "toolexec",
    "trace",
    "trimpath",
    "u",
    "use",
    "v",
    "vendor",
    "versions",
    "vet",
    "vettool",
    "w",
    "work",
    "x",
];

/// A GOFLAGS error, with the full line go prints.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GoFlagsError {
    /// A word starting with a quote has no closing quote.
    #[error("go: parsing $GOFLAGS: unterminated {quote} string")]
    Unterminated {
        /// `'` or `"`.
        quote: char,
    },
    /// A word that is not `-name[=value]` / `--name[=value]`.
    #[error("go: parsing $GOFLAGS: non-flag {}", go_quote(word))]
    NonFlag {
        /// The word.
        word: String,
    },
    /// A flag no go subcommand defines.
    #[error("go: parsing $GOFLAGS: unknown flag -{name}")]
    UnknownFlag {
        /// The flag name.
        name: String,
    },
    /// A non-boolean flag without `=value` (reported by commands that define it).
    #[error("go: flag needs an argument: -{name} (from $GOFLAGS)")]
    NeedsArgument {
        /// The flag name.
        name: String,
    },
    /// A boolean flag with a value `strconv.ParseBool` rejects.
    #[error(
        "go: invalid boolean value {} for flag -{name} (from $GOFLAGS): parse error",
        go_quote(value)
    )]
    InvalidBool {
        /// The flag name.
        name: String,
        /// The value.
        value: String,
    },
    /// `-C` in GOFLAGS: every command defines it and rejects it there.
    #[error(
        "go: invalid value {} for flag -C (from $GOFLAGS): -C flag must be first flag on command line",
        go_quote(value)
    )]
    Chdir {
        /// The value.
        value: String,
    },
    /// `-mod=` with an unsupported value (reported by module-aware commands).
    #[error("-mod={value} not supported (can be '', 'mod', 'readonly', or 'vendor')")]
    InvalidMod {
        /// The value.
        value: String,
    },
}

/// One GOFLAGS word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoFlag {
    /// The word as split.
    pub word: String,
    /// Flag name without dashes.
    pub name: String,
    /// The value after `=`, if any.
    pub value: Option<String>,
}

/// Parsed GOFLAGS.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GoFlags {
    /// Flags in order (later ones override earlier ones for the same name).
    pub flags: Vec<GoFlag>,
}

/// `-mod` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ModMode {
    /// `-mod=mod`: go.mod/go.sum may be updated; missing sums are fetched and verified.
    Mod,
    /// `-mod=readonly`.
    Readonly,
    /// `-mod=vendor`: module lookups disabled.
    Vendor,
}

/// `quoted.Split`: fields separated by space/tab/CR/LF; a field starting with a quote runs to
/// the next identical quote (no escapes).
pub fn split_words(s: &str) -> Result<Vec<String>, GoFlagsError> {
    let is_sep = |c: char| matches!(c, ' ' | '\t' | '\n' | '\r');
    let mut out = Vec::new();
    let mut s = s;
    loop {
        s = s.trim_start_matches(is_sep);
        let Some(first) = s.chars().next() else {
            break;
        };
        if first == '"' || first == '\'' {
            let Some(i) = s[1..].find(first) else {
                return Err(GoFlagsError::Unterminated { quote: first });
            };
            out.push(s[1..1 + i].to_string());
            s = &s[i + 2..];
            continue;
        }
        let i = s.find(is_sep).unwrap_or(s.len());
        out.push(s[..i].to_string());
        s = &s[i..];
    }
    Ok(out)
}

/// `strconv.ParseBool`.
pub fn parse_go_bool(v: &str) -> Option<bool> {
    match v {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

impl GoFlags {
    /// `InitGOFLAGS`: splits and validates every word against [`KNOWN_FLAGS`]; the first bad
    /// word is the error, as in go.
    pub fn parse(goflags: &str) -> Result<GoFlags, GoFlagsError> {
        let mut flags = Vec::new();
        for word in split_words(goflags)? {
            let bad = !word.starts_with('-')
                || word == "-"
                || word == "--"
                || word.starts_with("---")
                || word.starts_with("-=")
                || word.starts_with("--=");
            if bad {
                return Err(GoFlagsError::NonFlag { word });
            }
            let body = word.strip_prefix("--").unwrap_or(&word[1..]);
            let (name, value) = match body.split_once('=') {
                Some((n, v)) => (n.to_string(), Some(v.to_string())),
                None => (body.to_string(), None),
            };
            if !KNOWN_FLAGS.contains(&name.as_str()) {
                return Err(GoFlagsError::UnknownFlag { name });
            }
            flags.push(GoFlag { word, name, value });
        }
        Ok(GoFlags { flags })
    }

    /// The last occurrence of flag `name`.
    pub fn get(&self, name: &str) -> Option<&GoFlag> {
        self.flags.iter().rev().find(|f| f.name == name)
    }

    fn bool_flag(&self, name: &str) -> Result<bool, GoFlagsError> {
        match self.get(name) {
            None => Ok(false),
            Some(GoFlag { value: None, .. }) => Ok(true),
            Some(GoFlag { value: Some(v), .. }) => {
                parse_go_bool(v).ok_or_else(|| GoFlagsError::InvalidBool {
                    name: name.to_string(),
                    value: v.clone(),
                })
            }
        }
    }

    /// `-modcacherw`: extracted modules stay writable (§6.7).
    pub fn modcacherw(&self) -> Result<bool, GoFlagsError> {
        self.bool_flag("modcacherw")
    }

    /// `-insecure`: accepted by GOFLAGS validation but fatal for `go get` (Go 1.17+) and
    /// ignored by every other command.
    pub fn insecure(&self) -> Result<bool, GoFlagsError> {
        self.bool_flag("insecure")
    }

    /// `-x`: HTTP fetches and VCS commands are logged.
    pub fn trace(&self) -> Result<bool, GoFlagsError> {
        self.bool_flag("x")
    }

    /// `-mod`: `None` when absent or empty (the command's default applies).
    pub fn mod_mode(&self) -> Result<Option<ModMode>, GoFlagsError> {
        match self.get("mod") {
            None => Ok(None),
            Some(GoFlag { value: None, .. }) => {
                Err(GoFlagsError::NeedsArgument { name: "mod".into() })
            }
            Some(GoFlag { value: Some(v), .. }) => match v.as_str() {
                "" => Ok(None),
                "mod" => Ok(Some(ModMode::Mod)),
                "readonly" => Ok(Some(ModMode::Readonly)),
                "vendor" => Ok(Some(ModMode::Vendor)),
                _ => Err(GoFlagsError::InvalidMod { value: v.clone() }),
            },
        }
    }

    /// `-C` makes every go command fail (observed with go1.26 on `go version`).
    pub fn chdir(&self) -> Result<(), GoFlagsError> {
        match self.get("C") {
            None => Ok(()),
            Some(GoFlag { value: None, .. }) => {
                Err(GoFlagsError::NeedsArgument { name: "C".into() })
            }
            Some(GoFlag { value: Some(v), .. }) => Err(GoFlagsError::Chdir { value: v.clone() }),
        }
    }

    /// `-modfile`: alternate go.mod (the go.sum used is the matching `.sum`).
    pub fn modfile(&self) -> Result<Option<&str>, GoFlagsError> {
        match self.get("modfile") {
            None => Ok(None),
            Some(GoFlag { value: None, .. }) => Err(GoFlagsError::NeedsArgument {
                name: "modfile".into(),
            }),
            Some(GoFlag { value: Some(v), .. }) => Ok(Some(v)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(s: &str) -> String {
        GoFlags::parse(s).unwrap_err().to_string()
    }

    #[test]
    fn splitting() {
        assert_eq!(
            split_words(" -a\t'-b c'\"-d\"  -e=\"x y\" ").unwrap(),
            vec!["-a", "-b c", "-d", "-e=\"x", "y\""]
        );
        assert_eq!(
            split_words("'-mod=mod").unwrap_err().to_string(),
            "go: parsing $GOFLAGS: unterminated ' string"
        );
    }

    /// Texts observed from go1.26 (see the oracle test for the live comparison).
    #[test]
    fn errors() {
        assert_eq!(err("-bogus"), "go: parsing $GOFLAGS: unknown flag -bogus");
        assert_eq!(err("-x -"), "go: parsing $GOFLAGS: non-flag \"-\"");
        assert_eq!(err("---x"), "go: parsing $GOFLAGS: non-flag \"---x\"");
        assert_eq!(err("-=x"), "go: parsing $GOFLAGS: non-flag \"-=x\"");
        assert_eq!(err("''"), "go: parsing $GOFLAGS: non-flag \"\"");
        assert_eq!(
            err("-mod=\"a b\""),
            "go: parsing $GOFLAGS: non-flag \"b\\\"\""
        );
        assert_eq!(
            err("\"-mod=mod"),
            "go: parsing $GOFLAGS: unterminated \" string"
        );
    }

    #[test]
    fn accessors() {
        let f = GoFlags::parse("--mod=vendor -modcacherw=1 -insecure -mod=readonly").unwrap();
        assert_eq!(f.mod_mode(), Ok(Some(ModMode::Readonly)));
        assert_eq!(f.modcacherw(), Ok(true));
        assert_eq!(f.insecure(), Ok(true));
        assert_eq!(f.trace(), Ok(false));
        let f = GoFlags::parse("-modcacherw=maybe -mod").unwrap();
        assert_eq!(
            f.modcacherw().unwrap_err().to_string(),
            "go: invalid boolean value \"maybe\" for flag -modcacherw (from $GOFLAGS): parse error"
        );
        assert_eq!(
            f.mod_mode().unwrap_err().to_string(),
            "go: flag needs an argument: -mod (from $GOFLAGS)"
        );
        let f = GoFlags::parse("-mod=bogus").unwrap();
        assert_eq!(
            f.mod_mode().unwrap_err().to_string(),
            "-mod=bogus not supported (can be '', 'mod', 'readonly', or 'vendor')"
        );
        assert_eq!(GoFlags::parse("-mod=").unwrap().mod_mode(), Ok(None));
        assert!(GoFlags::parse("").unwrap().flags.is_empty());
    }
}
