//! `gotrust audit`: every rule of the catalog ([`crate::report::catalog`]) applied to the effective Go
//! environment, the parsed settings, local files and, when there is one, the project.
//!
//! Like cargo-deny, one module per category: [`sumdb`], [`proxy`], [`insecure`], [`tls_git`],
//! [`env_local`], [`project`]. Each exposes `check(&Ctx, &mut Vec<Finding>)` and is silent
//! where its condition does not hold. Every finding carries the variable, its value, the
//! origin text and, for a value set in a file, the file and line; the affected modules or
//! patterns; and a concrete fix (`go env -w`/`go env -u`, or the variable to unset and where).
//!
//! Policy semantics ([`Policy`]):
//! * `[proxy] trusted`: a proxy listed there (compared after removing a trailing `/`) is not
//!   a third party: `proxy/unverified-third-party` and `proxy/private-path-leak` are silent
//!   for it, and `proxy/plaintext` stays (plain HTTP is a transport problem whoever runs it).
//! * `[private] scope`: public reference paths inside the scope are not "public" for
//!   `sumdb/bypass-public` and `insecure/public-host`; a GONOSUMDB pattern outside the scope
//!   is `sumdb/bypass-public`; a scope pattern not covered by GONOSUMDB is
//!   `sumdb/private-path-leak`, not covered by GONOPROXY `proxy/private-path-leak`.
//! * `[insecure] allowed`: a GOINSECURE pattern listed there (exact text) raises no
//!   `insecure/public-host`, `insecure/broad` or `insecure/no-effect`; `insecure/match-all`
//!   and `insecure/unverified` still fire (allowing plain transport never waives checksums).
//! * severity overrides and ignores: [`Report::with_policy`].

pub mod env_local;
pub mod insecure;
pub mod project;
pub mod proxy;
pub mod public_hosts;
pub mod sumdb;
pub mod tls_git;

use std::path::{Path, PathBuf};

use gomod::pattern::{Pattern, PatternList};

use crate::env::{CrossCheck, EnvSources, GoEnv, Origin};
use crate::policy::Policy;
use crate::report::{Evidence, Finding, Report};
use crate::route::{HopKind, Planner, Route};
use crate::settings::Settings;
use crate::settings::git::GitSettings;
use crate::settings::proxy::{ProxyEntry, ProxyKind, ProxyList};
use crate::settings::sumdb::SumDb;

pub use project::{ProjectError, ProjectFiles};

/// Everything an audit looks at. Nothing here is read again from the process environment.
#[derive(Debug, Clone, Copy)]
pub struct AuditInput<'a> {
    /// The effective Go environment.
    pub env: &'a GoEnv,
    /// The sources it was resolved from (process variables, GOOS).
    pub sources: &'a EnvSources,
    /// Parsed settings of `env`.
    pub settings: &'a Settings,
    /// Git configuration (`None`: the git rules are skipped).
    pub git: Option<&'a GitSettings>,
    /// The organisation's policy.
    pub policy: Option<&'a Policy>,
    /// The project, when a go.mod was found.
    pub project: Option<&'a ProjectFiles>,
    /// `go env -json` compared with `env` (`--go auto|PATH`).
    pub cross_check: Option<&'a CrossCheck>,
}

/// Runs every rule and returns the report (after the policy's overrides and ignores).
pub fn run(input: &AuditInput<'_>) -> Report {
    let findings = findings(input);
    match input.policy {
        Some(p) => Report::with_policy(findings, p),
        None => Report::new(findings),
    }
}

/// Every finding, before the policy's severity overrides and ignores.
pub fn findings(input: &AuditInput<'_>) -> Vec<Finding> {
    let ctx = Ctx::new(input);
    let mut out = Vec::new();
    sumdb::check(&ctx, &mut out);
    proxy::check(&ctx, &mut out);
    insecure::check(&ctx, &mut out);
    tls_git::check(&ctx, &mut out);
    env_local::check(&ctx, &mut out);
    project::check(&ctx, &mut out);
    out
}

/// Shared, precomputed view of the input for the rule modules.
pub struct Ctx<'a> {
    /// The input.
    pub input: &'a AuditInput<'a>,
    /// Effective GONOPROXY.
    pub gonoproxy: PatternList,
    /// Effective GONOSUMDB.
    pub gonosumdb: PatternList,
    /// Effective GOINSECURE.
    pub goinsecure: PatternList,
    /// The policy's private scope as a pattern list (empty without policy).
    pub scope: PatternList,
    /// The route planner shared with `gotrust explain`, so that the two never disagree.
    pub planner: Planner<'a>,
}

impl<'a> Ctx<'a> {
    fn new(input: &'a AuditInput<'a>) -> Ctx<'a> {
        let scope = input
            .policy
            .map(|p| PatternList::parse(&p.private_scope.join(",")))
            .unwrap_or_default();
        Ctx {
            input,
            gonoproxy: PatternList::parse(input.env.value("GONOPROXY")),
            gonosumdb: PatternList::parse(input.env.value("GONOSUMDB")),
            goinsecure: PatternList::parse(input.env.value("GOINSECURE")),
            scope,
            planner: Planner::new(input.settings, input.env),
        }
    }

    /// The route of `module` (see [`crate::route`]).
    pub fn route(&self, module: &str) -> Route {
        self.planner.plan_version(module, None)
    }

    /// The effective value of a variable.
    pub fn value(&self, var: &str) -> &str {
        self.input.env.value(var)
    }

    /// The origin of a variable (`Default` when not resolved).
    pub fn origin(&self, var: &str) -> Origin {
        self.input
            .env
            .get(var)
            .map_or(Origin::Default, |s| s.origin.clone())
    }

    /// Evidence for `var`: value, origin text, file and line when set in a file. For
    /// GONOPROXY/GONOSUMDB derived from GOPRIVATE, the GOPRIVATE setting is where to look, so
    /// its location is used.
    pub fn evidence(&self, var: &str) -> Evidence {
        let value = self.value(var);
        let origin = self.origin(var);
        let mut ev = Evidence::variable(var, value).origin(origin_text(&origin));
        let located = match &origin {
            Origin::Derived { from } if from == "GOPRIVATE" => self.origin("GOPRIVATE"),
            o => o.clone(),
        };
        if let Some((path, line)) = located.location() {
            ev = ev.at(path, u32::try_from(line).ok());
        }
        ev
    }

    /// True if `var` is empty only because no GOROOT (hence no go.env) could be located at
    /// all: there is no go installation to judge, so the rules that depend on go.env's
    /// defaults (`proxy/empty`, `sumdb/missing`) stay silent rather than guess. A located
    /// GOROOT without go.env is judged (packagers do delete it; cfg.go `initEnvCache` then
    /// has no defaults).
    pub fn default_unknown(&self, var: &str) -> bool {
        let env = self.input.env;
        self.value(var).trim().is_empty()
            && self.origin(var) == Origin::Default
            && env.goroot_env.is_none()
            && env.goroot_for_env.is_none()
    }

    /// The parsed GOPROXY list, if valid.
    pub fn proxy_list(&self) -> Option<&ProxyList> {
        self.input.settings.proxy.as_ref().ok()
    }

    /// True if GOSUMDB is `off`.
    pub fn sumdb_off(&self) -> bool {
        matches!(self.input.settings.sumdb, Ok(SumDb::Off))
    }

    /// The entries a module NOT matching GONOPROXY walks through, in order (proxy.go
    /// `proxyList`, repo.go `lookup`): the
    /// list without `noproxy`, cut after the first `direct` or `off`.
    pub fn public_sources(&self) -> Vec<&ProxyEntry> {
        let mut out = Vec::new();
        for e in self.proxy_list().map_or(&[][..], |l| &l.entries[..]) {
            match e.kind {
                ProxyKind::NoProxy => {}
                ProxyKind::Direct | ProxyKind::Off => {
                    out.push(e);
                    break;
                }
                _ => out.push(e),
            }
        }
        out
    }

    /// Whether a module not matching GONOPROXY can reach `direct`.
    pub fn direct_reachable(&self) -> bool {
        self.public_sources()
            .iter()
            .any(|e| e.kind == ProxyKind::Direct)
    }

    /// Whether `url` (a GOPROXY entry) is in the policy's trusted list.
    pub fn trusted_proxy(&self, url: &str) -> bool {
        let norm = |s: &str| s.trim_end_matches('/').to_string();
        self.input
            .policy
            .is_some_and(|p| p.trusted_proxies.iter().any(|t| norm(t) == norm(url)))
    }

    /// Whether `path` is inside the policy's private scope.
    pub fn in_scope(&self, path: &str) -> bool {
        self.scope.matches(path)
    }

    /// The policy file line that mentions `text` (for SARIF locations), if any.
    pub fn policy_location(&self, text: &str) -> Option<(PathBuf, Option<u32>)> {
        let path = self.input.policy?.path.clone()?;
        let data = std::fs::read_to_string(&path).ok()?;
        let needle = format!("\"{text}\"");
        let line = data
            .lines()
            .position(|l| l.contains(&needle))
            .and_then(|i| u32::try_from(i + 1).ok());
        Some((path, line))
    }
}

/// The origin as evidence text: for a file, its kind only, since the evidence location
/// carries the path and line (renderers print both).
pub fn origin_text(origin: &Origin) -> String {
    match origin {
        Origin::UserFile { .. } => "user go env file".into(),
        Origin::GorootEnv { .. } => "$GOROOT/go.env".into(),
        Origin::ScannedFile { place, .. } => place.clone(),
        o => o.to_string(),
    }
}

/// `s` with its first letter in lower case (to continue a sentence with a fix).
pub fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Whether `list` covers everything `pattern` can match, decided exactly where possible:
/// the same text, or a list entry matching the pattern's text as a path (prefix semantics
/// make every path below it match too). Wildcards inside `pattern` are compared literally.
pub fn covers(list: &PatternList, pattern: &Pattern) -> bool {
    list.patterns().iter().any(|p| p.trimmed == pattern.trimmed) || list.matches(&pattern.trimmed)
}

/// A concrete path the pattern matches, for asking the route planner about it: wildcards are
/// replaced by `x`, a class by its first member, escapes by the escaped character. `None`
/// when that path is not matched (a negated class, say); callers then stay silent.
pub fn representative(pattern: &Pattern) -> Option<String> {
    if !can_match_module(pattern) {
        return None;
    }
    let mut out = String::new();
    let mut chars = pattern.trimmed.chars();
    while let Some(c) = chars.next() {
        match c {
            '*' | '?' => out.push('x'),
            '\\' => out.extend(chars.next()),
            '[' => {
                let first = chars.next()?;
                out.push(if first == '\\' { chars.next()? } else { first });
                for c in chars.by_ref() {
                    if c == ']' {
                        break;
                    }
                }
            }
            c => out.push(c),
        }
    }
    pattern.matches(&out).then_some(out)
}

/// The concrete paths a pattern stands for when asking the planner: its representative and
/// every GONOPROXY entry it covers (so `*.corp` with GONOPROXY=`git.corp` includes `git.corp`).
pub fn sample_paths(ctx: &Ctx<'_>, pattern: &Pattern) -> Vec<String> {
    let mut out: Vec<String> = representative(pattern).into_iter().collect();
    for q in ctx.gonoproxy.patterns() {
        if let Some(r) = representative(q)
            && pattern.matches(&r)
            && !out.contains(&r)
        {
            out.push(r);
        }
    }
    out
}

/// Whether a route can reach direct mode.
pub fn route_direct(route: &Route) -> bool {
    route.hops.iter().any(|h| h.kind == HopKind::Direct)
}

/// Whether a pattern can match a module path at all: go requires a dot in the first path
/// element, so a literal first element without a dot (`none`, `off`) never matches; a
/// malformed glob matches nothing, and neither does one with white space (go does not trim
/// it, x/mod `MatchPrefixPatterns`, and no module path contains any).
pub fn can_match_module(pattern: &Pattern) -> bool {
    if pattern.error.is_some() || pattern.text.contains(char::is_whitespace) {
        return false;
    }
    let first = pattern.trimmed.split('/').next().unwrap_or("");
    first.contains(['.', '*', '?', '[', '\\'])
}

/// How to change a variable so that it has `value`, depending on where it is set now.
pub fn set_fix(origin: &Origin, var: &str, value: &str) -> String {
    let cmd = format!("go env -w {var}={}", shell_quote(value));
    match origin {
        Origin::Process => format!(
            "Change {var} where the process environment sets it (shell profile, CI configuration, Dockerfile) to {}, or unset it there and run `{cmd}`.",
            shell_quote(value)
        ),
        Origin::GorootEnv { path, line } => format!(
            "Run `{cmd}` (it overrides {}:{line}), or edit that line.",
            path.display()
        ),
        Origin::ScannedFile {
            path,
            line,
            place,
            written,
        } => {
            // The file's own line with only the value replaced, when it can be written so
            // without quoting the old value did not need; else the setting in the kind's syntax.
            let edited = written.as_deref().and_then(|w| {
                let l = w.with_value(value)?;
                credential_free(&l).then(|| (w.value_line(), l.trim().to_string()))
            });
            let (line, text) =
                edited.unwrap_or_else(|| (*line, scanned_assignment(path, place, var, value)));
            format!(
                "Change the {var} setting on line {line} of {} ({place}) to `{text}`.",
                path.display(),
            )
        }
        _ => format!("Run `{cmd}`."),
    }
}

/// How to give `var` the value `value` when nothing sets it yet, `near` being the variable
/// whose setting the finding is about: next to that setting when it is in a scanned file
/// (the file is what gets fixed, in its own syntax: a Dockerfile `ENV`, a workflow's `env:`
/// map), else with `go env -w`.
pub fn add_fix(ctx: &Ctx<'_>, near: &str, var: &str, value: &str) -> String {
    match ctx.origin(near) {
        Origin::ScannedFile {
            path,
            line,
            place,
            written,
        } => {
            let json = path.extension().is_some_and(|e| e == "json");
            let lines = written
                .as_deref()
                .and_then(|w| Some((w, w.renamed(var, value)?)))
                .filter(|(_, lines)| lines.iter().all(|l| credential_free(l)));
            match lines {
                // A JSON member gets a comma and goes before the one it copies, which may be
                // the object's last (devcontainer.json is JSONC: a trailing comma is valid).
                Some((w, lines)) if json && lines.len() == 1 => {
                    let member = lines[0].trim().trim_end_matches(',');
                    format!(
                        "Add `{member},` to {} before line {} (the {place} that sets {near}).",
                        path.display(),
                        w.first_line
                    )
                }
                Some((w, lines)) if !json => {
                    // Later lines keep their indentation relative to the first.
                    let indent = |l: &str| l.len() - l.trim_start().len();
                    let base = indent(&lines[0]);
                    let shown: Vec<String> = lines
                        .iter()
                        .enumerate()
                        .map(|(i, l)| {
                            if i == 0 {
                                l.trim().to_string()
                            } else {
                                let extra = indent(l).saturating_sub(base);
                                format!("{}{}", " ".repeat(extra), l.trim())
                            }
                        })
                        .collect();
                    format!(
                        "Add `{}` to {} after line {} (the {place} that sets {near}).",
                        shown.join("` followed by `"),
                        path.display(),
                        w.last_line()
                    )
                }
                _ => format!(
                    "Add `{}` to {} after line {line} (the {place} that sets {near}).",
                    scanned_assignment(&path, &place, var, value),
                    path.display()
                ),
            }
        }
        _ => set_fix(&Origin::Default, var, value),
    }
}

/// `var=value` written the way the scanned file at `path` writes the setting described by
/// `place` (a `scan::How` description, optionally followed by ` in <context>`): what a fix
/// puts in that file.
pub fn scanned_assignment(path: &Path, place: &str, var: &str, value: &str) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let yaml_quote = |v: &str| format!("'{}'", v.replace('\'', "''"));
    if name.ends_with(".yml") || name.ends_with(".yaml") {
        return format!("{var}: {}", yaml_quote(value));
    }
    if name.ends_with(".json") {
        return format!(
            "{}: {}",
            serde_json::Value::from(var),
            serde_json::Value::from(value)
        );
    }
    if name.ends_with(".ps1") {
        return format!("$env:{var} = {}", yaml_quote(value));
    }
    if name == "jenkinsfile" {
        return format!("{var} = {}", yaml_quote(value));
    }
    if name == "justfile" || name == ".justfile" {
        return format!("export {var} := {}", serde_json::Value::from(value));
    }
    // The longest description first: "exported make variable" before "export".
    let how = [
        "exported make variable",
        "make variable",
        "ARG default",
        "ENV",
        "export",
        "go env -w",
        "go env -u",
        "go env file line",
        "$GITHUB_ENV line",
        "bazel --action_env/--repo_env",
    ]
    .into_iter()
    .find(|h| place.starts_with(h))
    .unwrap_or("");
    match how {
        "exported make variable" => format!("export {var} = {value}"),
        "make variable" => format!("{var} = {value}"),
        "ARG default" => format!("ARG {var}={}", shell_quote(value)),
        "ENV" => format!("ENV {var}={}", shell_quote(value)),
        "export" => format!("export {var}={}", shell_quote(value)),
        "go env -w" | "go env -u" => format!("go env -w {var}={}", shell_quote(value)),
        // go env files take the rest of the line verbatim (cmd/go/internal/cfg `EnvFile`).
        "go env file line" => format!("{var}={value}"),
        "$GITHUB_ENV line" => format!(
            "echo {} >> \"$GITHUB_ENV\"",
            shell_quote(&format!("{var}={value}"))
        ),
        "bazel --action_env/--repo_env" => format!("build --action_env={var}={value}"),
        _ => format!("{var}={}", shell_quote(value)),
    }
}

/// How to remove a variable's current value, depending on where it is set.
pub fn unset_fix(origin: &Origin, var: &str) -> String {
    match origin {
        Origin::Process => format!(
            "Unset {var} in the process environment (shell profile, CI configuration, Dockerfile: wherever it is exported)."
        ),
        Origin::UserFile { path, line } => {
            format!("Run `go env -u {var}` (removes {}:{line}).", path.display())
        }
        Origin::GorootEnv { path, line } => format!(
            "Delete line {line} of {} (go env -u cannot remove it; a {var} value written with go env -w overrides it).",
            path.display()
        ),
        Origin::Derived { from } => format!("Change {from}, from which {var} is derived."),
        Origin::ScannedFile {
            path,
            line,
            place,
            written,
        } => match written.as_deref() {
            // A name and its value on separate lines (a Kubernetes `env` item) go together.
            Some(w) if w.lines.len() > 1 => format!(
                "Remove the {var} setting from lines {}-{} of {} ({place}).",
                w.first_line,
                w.last_line(),
                path.display()
            ),
            _ => format!(
                "Remove the {var} setting from line {line} of {} ({place}).",
                path.display()
            ),
        },
        _ => format!("Unset {var}."),
    }
}

/// Whether `text` holds no credential the renderers would redact: a fix quoting a file's
/// line must not print one (it then falls back to the setting alone).
fn credential_free(text: &str) -> bool {
    crate::redact::redact_text(text) == text
}

/// Quotes a value for a POSIX shell when needed.
pub fn shell_quote(v: &str) -> String {
    if !v.is_empty()
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:,@+=%*".contains(&b))
    {
        v.to_string()
    } else {
        format!("'{}'", v.replace('\'', "'\\''"))
    }
}

/// Joins up to `max` items and says how many more there are.
pub fn list_some(items: &[impl AsRef<str>], max: usize) -> String {
    let mut s = items
        .iter()
        .take(max)
        .map(AsRef::as_ref)
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > max {
        s.push_str(&format!(" and {} more", items.len() - max));
    }
    s
}

/// Unix permission bits of `path`, if it exists.
pub fn mode_of(path: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path)
            .ok()
            .map(|m| m.permissions().mode() & 0o7777)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// `value` (a GOPROXY list, a GOSUMDB line, a URL) with the user information of every URL in
/// it removed, and whether there was any. Fixes never carry a credential: neither the real one
/// (it would be printed) nor the redacted placeholder (setting it would make `xxxxx` the
/// password).
pub fn without_credentials(value: &str) -> (String, bool) {
    let mut out = String::with_capacity(value.len());
    let mut found = false;
    let mut rest = value;
    while !rest.is_empty() {
        let end = rest.find([',', '|', ' ', '\t']).unwrap_or(rest.len());
        let (item, tail) = rest.split_at(end);
        match item.find("://") {
            Some(i) => {
                let start = i + 3;
                let auth_end = item[start..]
                    .find(['/', '?', '#'])
                    .map_or(item.len(), |j| start + j);
                match item[start..auth_end].rfind('@') {
                    Some(at) => {
                        found = true;
                        out.push_str(&item[..start]);
                        out.push_str(&item[start + at + 1..]);
                    }
                    None => out.push_str(item),
                }
            }
            None => out.push_str(item),
        }
        let sep = tail.chars().next();
        if let Some(c) = sep {
            out.push(c);
            rest = &tail[c.len_utf8()..];
        } else {
            rest = tail;
        }
    }
    (out, found)
}

/// Where credentials belong instead of a URL (cmd/go/internal/auth: .netrc and GOAUTH).
pub const CREDENTIALS_ADVICE: &str = "Keep the credentials out of the URL: put them in ~/.netrc (`machine HOST login USER password TOKEN`, chmod 600) or provide them with a GOAUTH command.";

/// [`set_fix`] for a value that may contain URLs with credentials: the fix sets the value
/// without them and says where to keep them.
pub fn set_fix_without_credentials(origin: &Origin, var: &str, value: &str) -> String {
    let (clean, had) = without_credentials(value);
    let fix = set_fix(origin, var, &clean);
    if had {
        format!("{fix} {CREDENTIALS_ADVICE}")
    } else {
        fix
    }
}

/// How to bring `var` back to go's distribution value `default`: remove the value where it
/// is set, except in `$GOROOT/go.env`, which is where that default lives (deleting the line
/// would leave the variable empty): there `go env -w` sets it.
pub fn reset_fix(origin: &Origin, var: &str, default: &str) -> String {
    match origin {
        Origin::GorootEnv { .. } => set_fix(origin, var, default),
        o => unset_fix(o, var),
    }
}

#[cfg(test)]
mod fix_tests {
    use super::*;

    #[test]
    fn credentials_are_removed_from_every_url() {
        assert_eq!(
            without_credentials("https://alice:s3cret@p.example/x|https://b.example,direct"),
            (
                "https://p.example/x|https://b.example,direct".to_string(),
                true
            )
        );
        assert_eq!(
            without_credentials("sum.example+abc https://u@db.example"),
            ("sum.example+abc https://db.example".to_string(), true)
        );
        assert_eq!(
            without_credentials("https://p.example/a@b"),
            ("https://p.example/a@b".to_string(), false)
        );
        let fix = set_fix_without_credentials(
            &Origin::Process,
            "GOPROXY",
            "https://alice:s3cret@p.example",
        );
        assert!(!fix.contains("s3cret") && !fix.contains("xxxxx") && fix.contains(".netrc"));
    }
}
