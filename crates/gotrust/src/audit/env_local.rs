//! Environment and local-state rules (`env/*`, `pattern/invalid`, `cache/*`, `netrc/*`),
//! judged as cmd/go/internal/cfg reads the environment (`initEnvCache`, `readEnvFile`,
//! `EnvOrAndChanged`) and cmd/go/internal/auth reads .netrc.

use std::path::PathBuf;

use gomod::pattern::PatternList;

use crate::env::file::{EnvFileKind, KNOWN_ENV, ValueQuirk};
use crate::env::{GO_VARS, Origin};
use crate::report::{Evidence, Finding, catalog};
use crate::settings::netrc::Netrc;

use super::{Ctx, mode_of, shell_quote, unset_fix};

/// Runs the environment and local-state rules.
pub fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    unknown(ctx, out);
    shadowed(ctx, out);
    quoted(ctx, out);
    writable_files(ctx, out);
    patterns(ctx, out);
    goflags(ctx, out);
    invalid_settings(ctx, out);
    cache(ctx, out);
    netrc(ctx, out);
    disagreements(ctx, out);
}

/// Names people write for fetch settings that go does not have, and typos of the real ones
/// (edit distance 1 to a fetch variable). Process variables outside this set are not judged:
/// many tools own GO* names (GOOGLE_*, GOLANGCI_*, GOMAXPROCS, ...).
const FETCH_VARS: &[&str] = &[
    "GOPROXY",
    "GOSUMDB",
    "GOPRIVATE",
    "GONOPROXY",
    "GONOSUMDB",
    "GOINSECURE",
    "GOFLAGS",
    "GOAUTH",
    "GOVCS",
    "GOTOOLCHAIN",
    "GOMODCACHE",
    "GONOSUMCHECK",
    "GONOVERIFY",
];

fn near(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a == b {
        return false;
    }
    if a.len() == b.len() {
        let diff: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
        return diff.len() == 1
            || (diff.len() == 2
                && diff[1] == diff[0] + 1
                && a[diff[0]] == b[diff[1]]
                && a[diff[1]] == b[diff[0]]);
    }
    let (s, l) = if a.len() < b.len() { (a, b) } else { (b, a) };
    if l.len() != s.len() + 1 {
        return false;
    }
    let i = (0..s.len()).find(|&i| s[i] != l[i]).unwrap_or(s.len());
    s[i..] == l[i + 1..]
}

fn suggestion(name: &str) -> Option<&'static str> {
    [
        "GOPROXY",
        "GOSUMDB",
        "GOPRIVATE",
        "GONOPROXY",
        "GONOSUMDB",
        "GOINSECURE",
        "GOFLAGS",
        "GOAUTH",
        "GOVCS",
        "GOTOOLCHAIN",
        "GOMODCACHE",
    ]
    .into_iter()
    .find(|k| near(name, k))
    .or(match name {
        "GONOSUMCHECK" | "GONOVERIFY" => Some("GONOSUMDB"),
        _ => None,
    })
}

/// `env/unknown-variable`: keys in the env files that go does not know, and process variables
/// that are misspellings of (or folklore names for) fetch settings.
fn unknown(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    for (f, e) in ctx.input.env.unknown_file_keys() {
        let hint = suggestion(&e.key)
            .map(|s| format!(" (did you mean {s}?)"))
            .unwrap_or_default();
        let origin = match f.kind {
            EnvFileKind::User => "user go env file",
            EnvFileKind::Goroot => "$GOROOT/go.env",
        };
        out.push(
            Finding::new(
                &catalog::ENV_UNKNOWN_VARIABLE,
                format!("{} is not a go variable: it does nothing{hint}", e.key),
            )
            .with_evidence(
                Evidence::variable(e.key.clone(), e.value())
                    .origin(origin)
                    .at(&f.path, u32::try_from(e.line).ok()),
            )
            .with_affected(e.key.clone())
            .with_fix(match (f.kind, suggestion(&e.key)) {
                (EnvFileKind::User, Some(s)) => {
                    format!(
                        "Run `go env -u {}`; if {s} was meant, set {s} instead.",
                        e.key
                    )
                }
                (EnvFileKind::User, None) => format!("`go env -u {}`", e.key),
                (EnvFileKind::Goroot, _) => {
                    format!("Delete line {} of {}.", e.line, f.path.display())
                }
            }),
        );
    }
    for (k, v) in &ctx.input.sources.process {
        if !k.starts_with("GO")
            || KNOWN_ENV.contains(&k.as_str())
            || FETCH_VARS[..11].contains(&k.as_str())
        {
            continue;
        }
        let Some(s) = suggestion(k) else { continue };
        if !(FETCH_VARS.contains(&k.as_str()) || near(k, s)) {
            continue;
        }
        out.push(
            Finding::new(
                &catalog::ENV_UNKNOWN_VARIABLE,
                format!("{k} is not a go variable: it does nothing (did you mean {s}?)"),
            )
            .with_evidence(Evidence::variable(k.clone(), v.clone()).origin("process environment"))
            .with_affected(k.clone())
            .with_fix(format!("Rename {k} to {s} where it is exported (shell profile, CI configuration, Dockerfile).")),
        );
    }
}

/// `env/shadowed`: a file value overridden by the process environment (so `go env -w` seems
/// to do nothing), an empty process variable that does NOT clear a file value (cfg.go
/// `Getenv` treats an empty value as unset), and
/// duplicate keys in the user file. A user-file value overriding go.env is the intended use
/// of `go env -w` and is not reported.
fn shadowed(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    for var in GO_VARS {
        let Some(s) = ctx.input.env.get(var) else {
            continue;
        };
        if s.origin == Origin::Process {
            for sh in &s.shadowed {
                if let Origin::UserFile { path, line } = &sh.origin {
                    let (path, line) = (path.as_path(), *line);
                    if sh.value == s.value {
                        continue;
                    }
                    out.push(
                        Finding::new(
                            &catalog::ENV_SHADOWED,
                            format!(
                                "{var}={:?} in {} is overridden by the process environment ({var}={:?})",
                                sh.value, sh.origin, s.value
                            ),
                        )
                        .with_evidence(ctx.evidence(var))
                        .with_evidence(
                            Evidence::variable(*var, sh.value.clone())
                                .origin(super::origin_text(&sh.origin))
                                .at(path, u32::try_from(line).ok()),
                        )
                        .with_affected(var.to_string())
                        .with_fix(format!("Unset {var} in the process environment if the file value is the one you want; otherwise remove it from the file: {}", super::lower_first(&unset_fix(&sh.origin, var)))),
                    );
                    break;
                }
            }
        }
        if s.empty_in_process {
            let file_value = match &s.origin {
                Origin::UserFile { .. } | Origin::GorootEnv { .. } => {
                    Some((s.origin.clone(), s.value.clone()))
                }
                _ => s
                    .shadowed
                    .iter()
                    .find(|sh| sh.origin.location().is_some())
                    .map(|sh| (sh.origin.clone(), sh.value.clone())),
            };
            if let Some((origin, value)) = file_value {
                let (path, line) = origin
                    .location()
                    .map(|(p, l)| (p.to_path_buf(), l))
                    .unwrap_or_default();
                out.push(
                    Finding::new(
                        &catalog::ENV_SHADOWED,
                        format!(
                            "{var} is set to the empty string in the process environment, which go treats as unset: the value {value:?} from {origin} stays in effect"
                        ),
                    )
                    .with_evidence(Evidence::variable(*var, "").origin("process environment (empty)"))
                    .with_evidence(Evidence::variable(*var, value).origin(super::origin_text(&origin)).at(path, u32::try_from(line).ok()))
                    .with_affected(var.to_string())
                    .with_fix(format!(
                        "Unset {var} in the process environment: the empty value does nothing; otherwise, to clear it, {}",
                        match var {
                            &"GONOPROXY" | &"GONOSUMDB" => format!("set {var}=none (to match nothing), or {}", super::lower_first(&unset_fix(&origin, var))),
                            _ => super::lower_first(&unset_fix(&origin, var)),
                        }
                    )),
                );
            }
        }
    }
    if let Some(f) = &ctx.input.env.user_file {
        for e in f.overridden_duplicates() {
            let winner = f.lookup(&e.key).map_or(0, |w| w.line);
            out.push(
                Finding::new(
                    &catalog::ENV_SHADOWED,
                    format!("{}={:?} at line {} is ignored: line {winner} sets {} again and the last line wins", e.key, e.value(), e.line, e.key),
                )
                .with_evidence(
                    Evidence::variable(e.key.clone(), e.value())
                        .origin("user go env file")
                        .at(&f.path, u32::try_from(e.line).ok()),
                )
                .with_affected(e.key.clone())
                .with_fix(format!("Delete line {} of {}.", e.line, f.path.display())),
            );
        }
    }
}

/// `env/quoted-value`: file values with literal quotes, `\r`, surrounding spaces or invalid
/// UTF-8, which go keeps verbatim (cfg.go `readEnvFile` splits at `=` and trims nothing).
fn quoted(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    for (f, e, quirks) in ctx.input.env.quirky_entries() {
        let what: Vec<&str> = quirks
            .iter()
            .map(|q| match q {
                ValueQuirk::Quoted => "quote characters",
                ValueQuirk::CarriageReturn => "a carriage return",
                ValueQuirk::SurroundingSpace => "surrounding white space",
                ValueQuirk::InvalidUtf8 => "invalid UTF-8",
            })
            .collect();
        let raw = e.value();
        let clean = raw
            .trim_matches(|c: char| c == '\r' || c == ' ' || c == '\t')
            .trim_matches(|c| c == '"' || c == '\'')
            .to_string();
        // A line that a later line of the same file overrides is not in effect: rewriting
        // the key would replace the working value, so the fix deletes the line.
        let winner = f.lookup(&e.key).map(|w| w.line).filter(|&w| w != e.line);
        let (origin, fix) = match f.kind {
            _ if winner.is_some() => (
                match f.kind {
                    EnvFileKind::User => "user go env file",
                    EnvFileKind::Goroot => "$GOROOT/go.env",
                },
                format!(
                    "Delete line {} of {} (line {} sets {} too and is the one in effect).",
                    e.line,
                    f.path.display(),
                    winner.unwrap_or_default(),
                    e.key
                ),
            ),
            EnvFileKind::User => (
                "user go env file",
                format!("`go env -w {}={}`", e.key, shell_quote(&clean)),
            ),
            EnvFileKind::Goroot => (
                "$GOROOT/go.env",
                format!(
                    "Rewrite line {} of {} as {}={clean}",
                    e.line,
                    f.path.display(),
                    e.key
                ),
            ),
        };
        out.push(
            Finding::new(
                &catalog::ENV_QUOTED_VALUE,
                format!(
                    "{} has {}, which go keeps as part of the value: {:?}",
                    e.key,
                    what.join(" and "),
                    raw
                ),
            )
            .with_evidence(
                Evidence::variable(e.key.clone(), raw.clone())
                    .origin(origin)
                    .at(&f.path, u32::try_from(e.line).ok()),
            )
            .with_affected(e.key.clone())
            .with_fix(fix),
        );
    }
}

/// `env/file-writable`: the user go env file or go.env writable by group or others.
fn writable_files(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    for f in ctx
        .input
        .env
        .user_file
        .iter()
        .chain(ctx.input.env.goroot_env.iter())
    {
        if !f.writable_by_others() {
            continue;
        }
        let mode = f.mode.unwrap_or(0);
        out.push(
            Finding::new(
                &catalog::ENV_FILE_WRITABLE,
                format!("{} is writable by group or others (mode {mode:04o}): they can change GOPROXY, GOSUMDB and GOFLAGS for every go command", f.path.display()),
            )
            .with_evidence(Evidence::variable("mode", format!("{mode:04o}")).at(&f.path, None))
            .with_affected(f.path.display().to_string())
            .with_fix(format!("chmod go-w {}", shell_quote(&f.path.display().to_string()))),
        );
    }
}

/// `pattern/invalid`: malformed globs (which match nothing) and entries with white space
/// (module paths never contain it, so they match nothing either). GONOPROXY/GONOSUMDB that
/// are only inherited from GOPRIVATE are reported once, under GOPRIVATE.
fn patterns(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    for var in ["GOPRIVATE", "GONOPROXY", "GONOSUMDB", "GOINSECURE"] {
        if ctx.origin(var).kind() == "derived" {
            continue;
        }
        let list = PatternList::parse(ctx.value(var));
        for p in list.patterns() {
            let problem = match &p.error {
                Some(e) => e.to_string(),
                None if p.text.contains(|c: char| c.is_whitespace()) => {
                    format!("{:?} contains white space, which go does not trim", p.text)
                }
                None => continue,
            };
            let fail_open = if var == "GOINSECURE" {
                ""
            } else {
                " (private paths it was meant to cover are treated as public)"
            };
            // The trimmed entry is kept, except in GOINSECURE: there the entry does nothing
            // today, and trimming it would turn TLS off for what it names (`* ` becomes
            // `*`), so the fix drops it instead.
            let keep_trimmed = p.error.is_none() && var != "GOINSECURE";
            let rest: Vec<String> = list
                .patterns()
                .iter()
                .filter(|q| q.index != p.index)
                .map(|q| q.text.trim().to_string())
                .chain(keep_trimmed.then(|| p.text.trim().to_string()))
                .filter(|t| !t.is_empty())
                .collect();
            out.push(
                Finding::new(
                    &catalog::PATTERN_INVALID,
                    format!(
                        "{var} entry {:?} matches nothing{fail_open}: {problem}",
                        p.text
                    ),
                )
                .with_evidence(ctx.evidence(var))
                .with_affected(p.text.clone())
                .with_fix(if p.error.is_some() {
                    format!("Fix or remove {:?} (path.Match syntax).", p.text)
                } else if rest.is_empty() {
                    super::unset_fix(&ctx.origin(var), var)
                } else {
                    super::set_fix(&ctx.origin(var), var, &rest.join(","))
                }),
            );
        }
    }
}

/// `env/goflags-invalid`: go's exact GOFLAGS error (every command but `go env` fails).
fn goflags(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let err = match &ctx.input.settings.goflags {
        Err(e) => e.source.to_string(),
        Ok(flags) => match flags
            .chdir()
            .and(flags.mod_mode().map(|_| ()))
            .and(flags.modcacherw().map(|_| ()))
        {
            Err(e) => e.to_string(),
            Ok(()) => {
                if flags.modcacherw() == Ok(true) {
                    out.push(
                        Finding::new(
                            &catalog::CACHE_MODCACHERW,
                            "GOFLAGS contains -modcacherw: extracted module directories stay writable, so anything running as you can change module sources silently",
                        )
                        .with_evidence(ctx.evidence("GOFLAGS"))
                        .with_fix(without_flag(ctx, "modcacherw")),
                    );
                }
                return;
            }
        },
    };
    out.push(
        Finding::new(
            &catalog::ENV_GOFLAGS_INVALID,
            format!("go rejects GOFLAGS: {err}"),
        )
        .with_evidence(ctx.evidence("GOFLAGS"))
        .with_fix(unset_fix(&ctx.origin("GOFLAGS"), "GOFLAGS")),
    );
}

fn without_flag(ctx: &Ctx<'_>, name: &str) -> String {
    let Ok(flags) = &ctx.input.settings.goflags else {
        return String::new();
    };
    let rest: Vec<&str> = flags
        .flags
        .iter()
        .filter(|f| f.name != name)
        .map(|f| f.word.as_str())
        .collect();
    if rest.is_empty() {
        unset_fix(&ctx.origin("GOFLAGS"), "GOFLAGS")
    } else {
        super::set_fix(&ctx.origin("GOFLAGS"), "GOFLAGS", &rest.join(" "))
    }
}

/// `env/invalid-setting`: GOVCS, GOAUTH and GO111MODULE errors, ignored HTTP proxy values.
fn invalid_settings(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let s = ctx.input.settings;
    let mut errs: Vec<(&str, String)> = Vec::new();
    if let Err(e) = &s.govcs {
        errs.push(("GOVCS", format!("go: {}", e.source)));
    }
    if let Err(e) = &s.goauth {
        errs.push(("GOAUTH", e.source.to_string()));
    }
    let m = ctx.value("GO111MODULE");
    if !matches!(m, "" | "on" | "off" | "auto") {
        errs.push((
            "GO111MODULE",
            format!("go: unknown environment setting GO111MODULE={m}"),
        ));
    }
    for (var, msg) in errs {
        out.push(
            Finding::new(&catalog::ENV_INVALID_SETTING, msg)
                .with_evidence(ctx.evidence(var))
                .with_affected(var.to_string())
                .with_fix(unset_fix(&ctx.origin(var), var)),
        );
    }
    for e in &s.http_proxy.errors {
        out.push(
            Finding::new(
                &catalog::ENV_INVALID_SETTING,
                format!("net/http ignores an HTTP proxy setting, so requests go out directly: {e}"),
            )
            .with_fix("Fix the HTTP(S)_PROXY value (scheme://host:port) where it is exported."),
        );
    }
}

/// `cache/writable`: GOMODCACHE or its download cache writable by group or others.
fn cache(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let modcache = ctx.value("GOMODCACHE");
    if modcache.is_empty() {
        return;
    }
    let root = PathBuf::from(modcache);
    for dir in [root.clone(), root.join("cache").join("download")] {
        let Some(mode) = mode_of(&dir) else { continue };
        if mode & 0o022 == 0 {
            continue;
        }
        out.push(
            Finding::new(
                &catalog::CACHE_WRITABLE,
                format!("{} is writable by group or others (mode {mode:04o}): they can add or replace cached modules, which go trusts once extracted", dir.display()),
            )
            .with_evidence(ctx.evidence("GOMODCACHE"))
            .with_evidence(Evidence::variable("mode", format!("{mode:04o}")).at(&dir, None))
            .with_affected(dir.display().to_string())
            .with_fix(format!("chmod -R go-w {}", shell_quote(&dir.display().to_string()))),
        );
        break;
    }
}

/// `netrc/permissions`: a .netrc with passwords readable by group or others. Only when GOAUTH
/// uses it (the default), since otherwise go does not read it.
fn netrc(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let s = ctx.input.settings;
    if !s.goauth.as_ref().is_ok_and(|g| g.uses_netrc()) {
        return;
    }
    let Ok(path) = &s.netrc_path else { return };
    let Some(mode) = mode_of(path) else { return };
    if mode & 0o044 == 0 {
        return;
    }
    let Some(n) = Netrc::read(path) else { return };
    let with_password: Vec<String> = n
        .entries
        .iter()
        .filter(|e| !e.password().is_empty())
        .map(|e| e.machine.clone())
        .collect();
    if with_password.is_empty() {
        return;
    }
    out.push(
        Finding::new(
            &catalog::NETRC_PERMISSIONS,
            format!(
                "{} holds passwords for {} and is readable by group or others (mode {mode:04o})",
                path.display(),
                super::list_some(&with_password, 5)
            ),
        )
        .with_evidence(Evidence::variable("mode", format!("{mode:04o}")).at(path, None))
        .with_affected(path.display().to_string())
        .with_fix(format!(
            "chmod 600 {}",
            shell_quote(&path.display().to_string())
        )),
    );
}

/// `env/go-disagrees`: `go env -json` prints another value than gotrust computed.
fn disagreements(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let Some(cc) = ctx.input.cross_check else {
        return;
    };
    for d in cc.disagreements() {
        let go = d.go.clone().unwrap_or_default();
        out.push(
            Finding::new(
                &catalog::ENV_GO_DISAGREES,
                format!("{} is {:?} according to {} but {:?} according to gotrust", d.name, go, cc.go.display(), d.ours),
            )
            .with_evidence(ctx.evidence(&d.name))
            .with_evidence(Evidence::variable(d.name.clone(), go).origin(format!("{} env -json", cc.go.display())))
            .with_affected(d.name.clone())
            .with_fix("Trust go's value; please report the difference (with `gotrust env` and `go env -json` output) to gotrust."),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos() {
        assert!(near("GOPRVATE", "GOPRIVATE"));
        assert!(near("GOPIRVATE", "GOPRIVATE"));
        assert!(near("GOPROXYY", "GOPROXY"));
        assert!(!near("GOPROXY", "GOPROXY"));
        assert!(!near("GOOGLE", "GOFLAGS"));
        assert_eq!(suggestion("GONOSUMCHECK"), Some("GONOSUMDB"));
        assert_eq!(suggestion("GOMAXPROCS"), None);
    }
}
