//! Evaluating the settings a scan found with the same rules `gotrust audit` applies to the
//! machine's own configuration.
//!
//! Every place a command runs is judged as go will see it there: a Dockerfile stage, a CI job
//! or step together with the levels above it (workflow and job `env`, GitLab's global
//! `variables`), a Make target with the file's variables, a whole script. Its settings are
//! layered in order over go's defaults (`$GOROOT/go.env` of the Go installed here, or the
//! values every distribution ships in it, see [`crate::env::Origin::DistributionGoEnv`]),
//! references are expanded where the file itself says what they are (`${V:-default}`,
//! Dockerfile `ARG` defaults, earlier assignments), and the resulting environment is resolved,
//! parsed and audited exactly like the real one ([`crate::audit::findings`]). A finding is
//! kept when it is about a value the file sets to something other than go's default; its
//! evidence, origin and fix name the file and line.
//!
//! What cannot be known statically is said, never dropped: every value that still refers to
//! something unknown is an [`Unresolved`] note with its location. In a GOPROXY list the
//! literal parts are still judged (`https://${HOST},direct` still falls back to `direct`;
//! user-info built from variables is still a credential in the URL).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::{FileKind, FoundSetting, How, VarClass};
use crate::audit::{self, AuditInput};
use crate::env::{EnvSources, Origin, resolve};
use crate::policy::Policy;
use crate::report::{Finding, Severity, catalog};
use crate::settings::Settings;
use crate::settings::git::{GitConfigEntry, GitScope, GitSettings};

/// Host used in place of an unknown GOPROXY host, so the rest of the list can be judged.
pub const UNRESOLVED_HOST: &str = "unresolved.invalid";

/// A value that could not be resolved statically.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Unresolved {
    /// The file, as given to [`evaluate_all`].
    pub file: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// The variable.
    pub variable: String,
    /// The value as written (credentials redacted).
    pub value: String,
    /// The references that could not be resolved (`ARTIFACTORY_USER`, `${{ secrets.X }}`).
    pub unknown: Vec<String>,
    /// Whether the literal parts were still judged (GOPROXY lists).
    pub partly_judged: bool,
}

/// Findings plus what could not be judged.
#[derive(Debug, Clone, Default)]
pub struct Evaluation {
    /// Findings in file order, one per rule, location and message.
    pub findings: Vec<Finding>,
    /// Values that could not be resolved, in file order.
    pub unresolved: Vec<Unresolved>,
}

/// Where the baseline of go's defaults comes from.
#[derive(Debug, Clone, Default)]
pub struct Baseline {
    /// GOROOT of the Go installed here (its go.env is read); `None`: the distribution values.
    pub goroot: Option<PathBuf>,
}

impl Baseline {
    /// The Go installation found on this machine's PATH, if any.
    pub fn from_host() -> Baseline {
        Baseline {
            goroot: EnvSources::from_process().exe_goroot,
        }
    }
}

/// Rules about this machine's local state say nothing about a repository file and are dropped
/// by the evaluation: the one list is [`crate::report::catalog::is_local_state_rule`], which
/// also decides which commands `gotrust rules` says emit them.
pub fn is_local_state_rule(id: &str) -> bool {
    crate::report::catalog::is_local_state_rule(id)
}

/// Audits the settings of every scanned file; findings come back in file order. `root` is
/// unused (paths are taken as found). Unresolved values are dropped: use [`evaluate_all`].
pub fn evaluate(found: &[FoundSetting], root: &Path, policy: Option<&Policy>) -> Vec<Finding> {
    let _ = root;
    evaluate_all(found, policy, &Baseline::default()).findings
}

/// Audits the settings of every scanned file, and lists what could not be resolved.
pub fn evaluate_all(
    found: &[FoundSetting],
    policy: Option<&Policy>,
    baseline: &Baseline,
) -> Evaluation {
    let base = Base::new(baseline);
    let mut by_file: BTreeMap<&PathBuf, Vec<&FoundSetting>> = BTreeMap::new();
    for f in found {
        by_file.entry(&f.file).or_default().push(f);
    }
    let mut out = Evaluation::default();
    for (_, settings) in by_file {
        evaluate_file(&settings, policy, &base, &mut out);
    }
    out
}

/// go's defaults for every variable, without any file's settings.
struct Base {
    goroot: Option<PathBuf>,
    values: HashMap<String, String>,
}

impl Base {
    fn new(b: &Baseline) -> Base {
        let sources = sources(Vec::new(), b.goroot.clone());
        let env = resolve(&sources);
        let values = env
            .vars
            .iter()
            .map(|(k, s)| (k.clone(), s.value.clone()))
            .collect();
        Base {
            goroot: b.goroot.clone(),
            values,
        }
    }

    fn value(&self, var: &str) -> &str {
        self.values.get(var).map_or("", String::as_str)
    }
}

fn sources(mut process: Vec<(String, String)>, goroot: Option<PathBuf>) -> EnvSources {
    // The file describes an environment, not this machine: no user go env file, no HOME.
    process.push(("GOENV".into(), "off".into()));
    process.push(("HOME".into(), "/nonexistent-gotrust-scan-home".into()));
    let mut s = EnvSources::with_process(process);
    s.exe_goroot = goroot;
    s
}

/// Contexts that hold for every other context of the file.
const ROOT_CONTEXTS: &[&str] = &["workflow", "global", "default", "action", "environment"];

/// The context a setting applies to, with the key that holds variables removed
/// (`jobs.build.environment` applies to `jobs.build`).
fn scope_of(f: &FoundSetting) -> Option<String> {
    let c = f.context.as_deref()?;
    let mut c = c.to_string();
    for suffix in [".environment", ".env", ".variables", ".vars", " container"] {
        if let Some(stripped) = c.strip_suffix(suffix) {
            c = stripped.to_string();
        }
    }
    Some(c)
}

/// Whether settings of context `a` reach commands of context `c`.
fn reaches(a: Option<&str>, c: Option<&str>) -> bool {
    let Some(a) = a else { return true };
    if ROOT_CONTEXTS.contains(&a) {
        return true;
    }
    let Some(c) = c else { return false };
    if a == c {
        return true;
    }
    // Dockerfile stages: only a stage's descendants (`stage base > build`) inherit from it;
    // a stage name may itself contain `.`, so the other separators do not count.
    if a.starts_with("stage ") {
        return c
            .strip_prefix(a)
            .is_some_and(|rest| rest.starts_with(" > "));
    }
    c.strip_prefix(a)
        .is_some_and(|rest| rest.starts_with([' ', '.', '[', '/']))
}

fn evaluate_file(
    found: &[&FoundSetting],
    policy: Option<&Policy>,
    base: &Base,
    out: &mut Evaluation,
) {
    let mut scopes: Vec<Option<String>> = Vec::new();
    for f in found {
        let s = scope_of(f);
        if !scopes.contains(&s) {
            scopes.push(s);
        }
    }
    let mut seen: HashSet<(String, Option<u32>, String)> = HashSet::new();
    let mut noted: HashSet<(usize, String)> = HashSet::new();
    for scope in &scopes {
        let mut members: Vec<&FoundSetting> = found
            .iter()
            .copied()
            .filter(|f| reaches(scope_of(f).as_deref(), scope.as_deref()))
            .collect();
        // Outer levels first (workflow, then job, then step), then file order.
        members.sort_by_key(|f| {
            let depth = scope_of(f).map_or(0, |c| {
                if ROOT_CONTEXTS.contains(&c.as_str()) {
                    1
                } else {
                    2 + c.matches(['.', '/', '[']).count()
                }
            });
            (depth, f.line, f.column)
        });
        // `K=V cmd` and `go get -insecure` hold for one command: each such line is its own
        // unit, with the persistent settings written before it.
        let transient = |f: &FoundSetting| matches!(f.how, How::CommandPrefix | How::GoFlag);
        let persistent: Vec<&FoundSetting> =
            members.iter().copied().filter(|f| !transient(f)).collect();
        let mut units = vec![persistent.clone()];
        let mut lines: Vec<usize> = members
            .iter()
            .filter(|f| transient(f))
            .map(|f| f.line)
            .collect();
        lines.dedup();
        for l in lines {
            let mut u: Vec<&FoundSetting> = persistent
                .iter()
                .copied()
                .filter(|f| f.line <= l || scope_of(f) != *scope)
                .collect();
            u.extend(
                members
                    .iter()
                    .copied()
                    .filter(|f| transient(f) && f.line == l),
            );
            units.push(u);
        }
        for members in units {
            let unit = layer(&members, base);
            for u in unit.unresolved.iter() {
                if noted.insert((u.line, u.variable.clone())) {
                    out.unresolved.push(u.clone());
                }
            }
            for finding in judge(&unit, policy, base) {
                let key = (
                    finding.rule.id.to_string(),
                    finding.location().and_then(|l| l.line),
                    finding.message.clone(),
                );
                if seen.insert(key) {
                    out.findings.push(finding);
                }
            }
        }
    }
}

/// The environment one place of a file gives go.
struct Unit<'a> {
    /// Effective values given to go (placeholders where parts are unknown).
    values: BTreeMap<String, String>,
    /// The setting each effective value comes from.
    source: BTreeMap<String, &'a FoundSetting>,
    /// Variables the file sets to something other than go's default.
    changed: HashSet<String>,
    /// GOPROXY user-info built from these variables.
    credential_vars: Vec<String>,
    /// Placeholders put in GOPROXY, with the text they stand for (to restore in messages).
    placeholders: Vec<(String, String)>,
    git: Vec<&'a FoundSetting>,
    unresolved: Vec<Unresolved>,
    quoted: Vec<&'a FoundSetting>,
}

fn layer<'a>(members: &[&'a FoundSetting], base: &Base) -> Unit<'a> {
    let mut known: HashMap<String, String> = HashMap::new();
    let mut env_vars: HashSet<&str> = HashSet::new();
    let mut unit = Unit {
        values: BTreeMap::new(),
        source: BTreeMap::new(),
        changed: HashSet::new(),
        credential_vars: Vec::new(),
        placeholders: Vec::new(),
        git: Vec::new(),
        unresolved: Vec::new(),
        quoted: Vec::new(),
    };
    for f in members {
        if f.class == VarClass::GitConfig {
            unit.git.push(f);
            continue;
        }
        let var = f.variable.as_str();
        if f.how == How::GoEnvU {
            known.remove(var);
            unit.values.remove(var);
            unit.source.remove(var);
            unit.changed.remove(var);
            continue;
        }
        // An ENV always overrides a build argument of the same name, whichever comes first
        // (the Dockerfile reference, ARG "Using ARG variables").
        if f.how == How::Arg && env_vars.contains(var) {
            continue;
        }
        if f.how == How::Env {
            env_vars.insert(var);
        }
        let make = f.kind == FileKind::Makefile;
        let (value, unknown) = if f.unresolved || (make && f.value.contains('$')) {
            expand(&f.value, &known, make)
        } else {
            (f.value.clone(), Vec::new())
        };
        let mut value = value;
        if !unknown.is_empty() {
            let judged = var == "GOPROXY"
                && match partial_goproxy(&value) {
                    Some((v, creds)) => {
                        value = v;
                        unit.credential_vars = creds;
                        let raw = f.value.as_str();
                        if let Some(user) = raw
                            .split("://")
                            .nth(1)
                            .and_then(|r| r.split('/').next())
                            .and_then(|a| a.rsplit_once('@'))
                            .map(|(u, _)| u.to_string())
                        {
                            // Audit messages carry URLs already redacted.
                            unit.placeholders
                                .push(("user:password".into(), user.clone()));
                            unit.placeholders.push(("user:xxxxx".into(), user));
                        }
                        true
                    }
                    None => false,
                };
            if f.class != VarClass::Other {
                unit.unresolved.push(Unresolved {
                    file: f.file.clone(),
                    line: f.line,
                    variable: f.variable.clone(),
                    value: f.display_value(),
                    unknown: unknown.clone(),
                    partly_judged: judged,
                });
            }
            if !judged {
                known.remove(var);
                // An unknown value replaces what outer levels set.
                unit.values.remove(var);
                unit.source.remove(var);
                unit.changed.remove(var);
                continue;
            }
        }
        known.insert(var.to_string(), value.clone());
        if f.class == VarClass::Other {
            continue;
        }
        if (make && is_quoted(&value))
            || (f.kind == FileKind::DotEnv && stray_quote(&f.value).is_some())
        {
            unit.quoted.push(f);
        }
        if f.how == How::GoFlag {
            // The flag adds to whatever GOFLAGS the place has.
            let prev = unit.values.get("GOFLAGS").cloned().unwrap_or_default();
            value = if prev.is_empty() {
                value
            } else {
                format!("{prev} {value}")
            };
        }
        // An empty value in the environment is no setting (go falls back to its env files),
        // but `go env -w K=` and a `K=` line of a go env file are: go then uses the empty
        // value (GOPROXY empty fails every fetch: "GOPROXY list is not the empty string, but
        // contains no entries"; cmd/go/internal/cfg `EnvOrAndChanged`).
        let go_env_layer = matches!(f.how, How::GoEnvW | How::GoEnvFile);
        let same_as_default = if var == "GOPROXY" {
            same_proxy_list(&value, base.value(var))
        } else {
            value == base.value(var)
        };
        if same_as_default || (value.is_empty() && !go_env_layer) {
            unit.changed.remove(var);
        } else {
            unit.changed.insert(var.to_string());
        }
        unit.values.insert(var.to_string(), value);
        unit.source.insert(var.to_string(), f);
    }
    unit
}

/// Do two GOPROXY values name the same list? go trims the white space around each entry
/// (cmd/go/internal/modfetch `proxyList`), so `https://proxy.golang.org,direct ` (a cmd
/// `set` before `&&` keeps the space) is the default list.
fn same_proxy_list(a: &str, b: &str) -> bool {
    let entries = |v: &str| -> Vec<(String, Option<char>)> {
        let mut out = Vec::new();
        let mut rest = v;
        loop {
            match rest.find([',', '|']) {
                Some(i) => {
                    out.push((rest[..i].trim().to_string(), rest[i..].chars().next()));
                    rest = &rest[i + 1..];
                }
                None => {
                    out.push((rest.trim().to_string(), None));
                    return out;
                }
            }
        }
    };
    entries(a) == entries(b)
}

/// Make keeps quotes as part of a value; go then sees them (`"a,b"` is two patterns that
/// match nothing).
fn is_quoted(v: &str) -> bool {
    let v = v.trim();
    v.len() >= 2 && (v.starts_with('"') || v.starts_with('\'')) && v.ends_with(['"', '\''])
}

/// An unmatched quote at either end of a dotenv value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StrayQuote {
    /// The value opens a quote it never closes (`"https://x`, `'-mod=mod"`).
    Opening(char),
    /// The value ends with a quote it never opened (`https://x"`).
    Closing(char),
}

/// The unmatched quote of a dotenv value as the reader kept it (matched quotes are already
/// removed, so any quote left at an end is unmatched).
fn stray_quote(v: &str) -> Option<StrayQuote> {
    let v = v.trim();
    let first = v.chars().next()?;
    let last = v.chars().next_back()?;
    let is_quote = |c: char| c == '"' || c == '\'';
    if is_quote(first) && !(v.len() >= 2 && last == first) {
        return Some(StrayQuote::Opening(first));
    }
    if is_quote(last) && first != last {
        return Some(StrayQuote::Closing(last));
    }
    None
}

/// Message and fix for a dotenv value with an unmatched quote. go reads only its environment,
/// so what it sees is what the loader makes of the line: `docker run --env-file` (the docker
/// CLI's `parseKeyValueFile`) passes the line verbatim; docker compose (compose-go's dotenv
/// `extractVarValue`) keeps a closing-only quote, but after an opening quote reads on to the
/// next such quote anywhere in the file, or rejects the file when there is none; a shell that
/// sources the file does the same or stops with a syntax error.
fn stray_quote_text(f: &FoundSetting, stray: StrayQuote) -> (String, String) {
    let (var, value) = (&f.variable, f.display_value());
    let message = match stray {
        StrayQuote::Opening(q) => format!(
            "{var} opens a {q} quote it never closes: `docker run --env-file` gives go {var}={value} with the quote character; docker compose and shells read on to the next {q} in the file, swallowing the lines between, or reject the file (\"unterminated quoted value\") when there is none"
        ),
        StrayQuote::Closing(q) => format!(
            "{var} ends with a {q} quote it never opens: `docker run --env-file` and docker compose give go {var}={value} with the quote character, and a shell sourcing the file reads on to the next {q}"
        ),
    };
    let fix = format!(
        "Balance or remove the quote on line {} of {} so that the value is {var}={}.",
        f.line,
        f.file.display(),
        crate::redact::redact_text(f.value.trim().trim_matches(['"', '\''])),
    );
    (message, fix)
}

const MARK_OPEN: char = '\u{1}';
const MARK_CLOSE: char = '\u{2}';

/// Expands `$V`, `${V}`, `${V:-d}`, `${V-d}`, `${V:=d}`, `${V=d}`, `${V:+a}`, Make's `$(V)`
/// and `$$`, using the values the file itself gives. Unknown references become markers in the
/// result and are listed.
fn expand(raw: &str, known: &HashMap<String, String>, make: bool) -> (String, Vec<String>) {
    let mut out = String::with_capacity(raw.len());
    let mut unknown: Vec<String> = Vec::new();
    let mark = |out: &mut String, name: &str, unknown: &mut Vec<String>| {
        out.push(MARK_OPEN);
        out.push_str(name);
        out.push(MARK_CLOSE);
        if !unknown.iter().any(|u| u == name) {
            unknown.push(name.to_string());
        }
    };
    let b = raw.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'`' {
            let end = raw[i + 1..].find('`').map_or(raw.len(), |p| i + 2 + p);
            mark(&mut out, &raw[i..end], &mut unknown);
            i = end;
            continue;
        }
        if c != b'$' || i + 1 >= b.len() {
            let ch = raw[i..].chars().next().unwrap_or(' ');
            out.push(ch);
            i += ch.len_utf8();
            continue;
        }
        let n = b[i + 1];
        if make && n == b'$' {
            out.push('$');
            i += 2;
            continue;
        }
        if n == b'{' || n == b'(' {
            let close = if n == b'{' { b'}' } else { b')' };
            let mut depth = 0usize;
            let mut j = i + 1;
            while j < b.len() {
                if b[j] == n {
                    depth += 1;
                } else if b[j] == close {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                j += 1;
            }
            let end = (j + 1).min(b.len());
            let inner = &raw[i + 2..j.min(b.len())];
            let name_len = inner
                .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'))
                .unwrap_or(inner.len());
            let name = &inner[..name_len];
            let op = &inner[name_len..];
            let is_var = !name.is_empty()
                && (n == b'{' || make)
                && (op.is_empty()
                    || ["-", ":-", "=", ":=", "+", ":+"]
                        .iter()
                        .any(|o| op.starts_with(o)));
            if !is_var {
                mark(&mut out, &raw[i..end], &mut unknown);
                i = end;
                continue;
            }
            let value = known.get(name);
            let (opname, word) = [":-", ":=", ":+", "-", "=", "+"]
                .iter()
                .find_map(|o| op.strip_prefix(o).map(|w| (*o, w)))
                .unwrap_or(("", ""));
            let word = word.trim_matches(|c| c == '"' || c == '\'');
            match (opname, value) {
                ("", Some(v)) => out.push_str(v),
                ("", None) => mark(&mut out, name, &mut unknown),
                (":-" | ":=", Some(v)) if !v.is_empty() => out.push_str(v),
                ("-" | "=", Some(v)) => out.push_str(v),
                (":-" | ":=" | "-" | "=", _) => {
                    let (w, u) = expand(word, known, make);
                    out.push_str(&w);
                    for x in u {
                        if !unknown.contains(&x) {
                            unknown.push(x);
                        }
                    }
                }
                (":+", Some(v)) if !v.is_empty() => out.push_str(word),
                ("+", Some(_)) => out.push_str(word),
                (":+", Some(_)) => {}
                _ => mark(&mut out, name, &mut unknown),
            }
            i = end;
            continue;
        }
        if n.is_ascii_alphabetic() || n == b'_' {
            let mut j = i + 1;
            while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
                j += 1;
            }
            let name = &raw[i + 1..j];
            if make {
                // Make reads `$X` as the one-letter variable X.
                mark(&mut out, &raw[i..i + 2], &mut unknown);
                i += 2;
                continue;
            }
            match known.get(name) {
                Some(v) => out.push_str(v),
                None => mark(&mut out, name, &mut unknown),
            }
            i = j;
            continue;
        }
        out.push('$');
        i += 1;
    }
    (out, unknown)
}

/// Replaces the unknown parts of a GOPROXY list by placeholders that keep its structure:
/// user-info becomes `user:password` (and its variables are returned), an unknown host
/// [`UNRESOLVED_HOST`], an unknown port `1`, an unknown path element `x`. `None` when no
/// entry is literal enough to judge anything.
fn partial_goproxy(value: &str) -> Option<(String, Vec<String>)> {
    let mut out = String::new();
    let mut creds = Vec::new();
    let mut any_literal = false;
    let mut entry = String::new();
    let flush = |entry: &mut String, out: &mut String, creds: &mut Vec<String>| -> bool {
        let e = std::mem::take(entry);
        if !e.contains(MARK_OPEN) {
            out.push_str(&e);
            return !e.trim().is_empty();
        }
        let Some(p) = e.find("://").filter(|p| !e[..*p].contains(MARK_OPEN)) else {
            out.push_str("https://");
            out.push_str(UNRESOLVED_HOST);
            return false;
        };
        let (scheme, rest) = (&e[..p + 3], &e[p + 3..]);
        let auth_end = rest.find('/').unwrap_or(rest.len());
        let (auth, path) = rest.split_at(auth_end);
        let (user, hostport) = match auth.rfind('@') {
            Some(at) => (Some(&auth[..at]), &auth[at + 1..]),
            None => (None, auth),
        };
        out.push_str(scheme);
        let mut literal = true;
        if let Some(u) = user {
            if u.contains(MARK_OPEN) {
                creds.extend(marked_names(u));
                out.push_str("user:password");
            } else {
                out.push_str(u);
            }
            out.push('@');
        }
        let (host, port) = match hostport.rsplit_once(':') {
            Some((h, p)) if !h.contains(MARK_OPEN) => (h, Some(p)),
            _ => (hostport, None),
        };
        if host.contains(MARK_OPEN) || host.is_empty() {
            out.push_str(UNRESOLVED_HOST);
            literal = false;
        } else {
            out.push_str(host);
            if let Some(p) = port {
                out.push(':');
                out.push_str(if p.contains(MARK_OPEN) { "1" } else { p });
            }
        }
        out.push_str(&strip_marks(path, "x"));
        literal
    };
    for ch in value.chars() {
        if ch == ',' || ch == '|' {
            any_literal |= flush(&mut entry, &mut out, &mut creds);
            out.push(ch);
        } else {
            entry.push(ch);
        }
    }
    any_literal |= flush(&mut entry, &mut out, &mut creds);
    any_literal.then_some((out, creds))
}

fn marked_names(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(a) = rest.find(MARK_OPEN) {
        let after = &rest[a + 1..];
        let end = after.find(MARK_CLOSE).unwrap_or(after.len());
        out.push(after[..end].to_string());
        rest = after.get(end + 1..).unwrap_or("");
    }
    out
}

fn strip_marks(s: &str, with: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(a) = rest.find(MARK_OPEN) {
        out.push_str(&rest[..a]);
        out.push_str(with);
        let after = &rest[a + 1..];
        let end = after.find(MARK_CLOSE).map_or(after.len(), |e| e + 1);
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// Runs the audit rules over one place's environment and keeps what the file is responsible
/// for.
fn judge(unit: &Unit<'_>, policy: Option<&Policy>, base: &Base) -> Vec<Finding> {
    let mut out = Vec::new();
    for f in &unit.quoted {
        let (message, fix) = match stray_quote(&f.value) {
            Some(stray) if f.kind == FileKind::DotEnv => stray_quote_text(f, stray),
            _ => (
                format!(
                    "make keeps the quotes of {}: go sees {}={} with the quote characters, which is not what was meant",
                    f.variable,
                    f.variable,
                    f.display_value()
                ),
                format!(
                    "Remove the quotes on line {} of {} (make passes them on verbatim).",
                    f.line,
                    f.file.display()
                ),
            ),
        };
        let mut finding = Finding::new(&catalog::ENV_QUOTED_VALUE, message)
            .with_evidence(located(f))
            .with_fix(fix);
        finding.affected.push(f.variable.clone());
        out.push(finding);
    }
    if unit.changed.is_empty() && unit.git.is_empty() {
        return out;
    }
    // Empty values set through go's own env file layer go into a go env file, where go
    // reads them as set (in the process environment they would mean unset).
    let empty_go_env: Vec<&str> = unit
        .values
        .iter()
        .filter(|(k, v)| {
            v.is_empty()
                && unit
                    .source
                    .get(*k)
                    .is_some_and(|f| matches!(f.how, How::GoEnvW | How::GoEnvFile))
        })
        .map(|(k, _)| k.as_str())
        .collect();
    let process: Vec<(String, String)> = unit
        .values
        .iter()
        .filter(|(k, _)| !empty_go_env.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let mut sources = sources(process, base.goroot.clone());
    let go_env_file = if empty_go_env.is_empty() {
        None
    } else {
        let text: String = empty_go_env.iter().map(|k| format!("{k}=\n")).collect();
        tempfile::NamedTempFile::new()
            .and_then(|mut f| {
                use std::io::Write;
                f.write_all(text.as_bytes())?;
                Ok(f)
            })
            .ok()
    };
    if let Some(f) = &go_env_file {
        sources
            .process
            .insert("GOENV".into(), f.path().display().to_string());
    }
    let mut env = resolve(&sources);
    drop(go_env_file);
    for (var, f) in &unit.source {
        if !unit.changed.contains(var) {
            continue;
        }
        if let Some(s) = env.vars.get_mut(var) {
            s.origin = Origin::ScannedFile {
                path: f.file.clone(),
                line: f.line,
                place: f.place(),
                written: f.written.clone(),
            };
        }
    }
    let mut settings = Settings::from_env(&env, &sources);
    // The trust store a file's commands see is the image's or the runner's, never this
    // machine's: the tls/ rules are dropped (`is_local_state_rule`), so the store is not read
    // (reading and parsing it for every place of every file made a scan of 10,000 files take
    // minutes).
    settings.tls = crate::settings::tls::TlsRoots::Platform { env_ignored: false };
    let git = git_settings(unit);
    let input = AuditInput {
        env: &env,
        sources: &sources,
        settings: &settings,
        git: git.as_ref(),
        policy,
        project: None,
        cross_check: None,
    };
    let git_lines: HashSet<(PathBuf, usize)> =
        unit.git.iter().map(|f| (f.file.clone(), f.line)).collect();
    for mut finding in audit::findings(&input) {
        if is_local_state_rule(finding.rule.id) {
            continue;
        }
        let mut primary: Option<&FoundSetting> = None;
        for ev in &mut finding.evidence {
            let var = ev.variable.clone().unwrap_or_default();
            let from_goprivate = (var == "GONOPROXY" || var == "GONOSUMDB")
                && !unit.source.contains_key(&var)
                && unit.changed.contains("GOPRIVATE");
            let set_here = if unit.changed.contains(&var) {
                unit.source.get(&var)
            } else if from_goprivate {
                unit.source.get("GOPRIVATE")
            } else {
                None
            };
            if let Some(f) = set_here {
                // The value as written, not the placeholder-filled one given to the rules.
                if unit.changed.contains(&var) {
                    ev.value = Some(f.value.clone());
                }
                ev.origin = Some(if unit.changed.contains(&var) {
                    f.place()
                } else {
                    format!("derived from GOPRIVATE, {}", f.place())
                });
                ev.location = Some(crate::report::Location {
                    path: f.file.clone(),
                    line: u32::try_from(f.line).ok(),
                });
                primary.get_or_insert(f);
            } else if let Some(loc) = &ev.location {
                let line = loc.line.map_or(0, |l| l as usize);
                if git_lines.contains(&(loc.path.clone(), line))
                    && let Some(f) = unit.git.iter().find(|g| g.line == line)
                {
                    ev.origin = Some(f.place());
                    primary.get_or_insert(f);
                }
            }
        }
        let Some(primary) = primary else {
            continue;
        };
        // The file's own lines first; go's defaults (go.env) are context.
        finding.evidence.sort_by_key(|e| match &e.location {
            Some(l) if l.path == primary.file => 0u8,
            Some(_) => 1,
            None => 2,
        });
        if finding.rule.id == catalog::PROXY_CREDENTIALS_IN_URL.id
            && !unit.credential_vars.is_empty()
            && unit.source.contains_key("GOPROXY")
        {
            finding.severity = Severity::Low;
            finding.message = format!(
                "GOPROXY's user-info is built from {} at run time: the credential still ends up in the URL, where `go env`, error messages and logs can show it",
                unit.credential_vars.join(", ")
            );
        }
        for (placeholder, original) in &unit.placeholders {
            finding.message = finding.message.replace(placeholder, original);
            finding.fix = finding.fix.replace(placeholder, original);
            for a in &mut finding.affected {
                *a = a.replace(placeholder, original);
            }
        }
        let file = primary.file.display().to_string();
        if !finding.fix.contains(&file) {
            finding.fix = format!(
                "Edit line {} of {file} ({}): {}",
                primary.line,
                primary.place(),
                audit::lower_first(&finding.fix)
            );
        }
        out.push(finding);
    }
    out
}

/// The git configuration one place sets: `git config`/`git -c` calls and git config files,
/// plus GIT_SSL_NO_VERIFY and GIT_ALLOW_PROTOCOL from its environment.
fn git_settings(unit: &Unit<'_>) -> Option<GitSettings> {
    let no_verify = unit.source.contains_key("GIT_SSL_NO_VERIFY");
    if unit.git.is_empty() && !no_verify {
        return None;
    }
    let entries = unit
        .git
        .iter()
        .filter_map(|f| {
            let key = f.variable.as_str();
            let first = key.find('.')?;
            let last = key.rfind('.')?;
            let (section, subsection) = if first == last {
                (&key[..first], None)
            } else {
                (&key[..first], Some(key[first + 1..last].to_string()))
            };
            Some(GitConfigEntry {
                file: f.file.clone(),
                line: f.line,
                scope: GitScope::Global,
                section: section.to_ascii_lowercase(),
                subsection,
                key: key[last + 1..].to_ascii_lowercase(),
                value: Some(f.value.clone()),
            })
        })
        .collect();
    Some(GitSettings {
        ssl_no_verify_env: no_verify,
        allow_protocol: unit.values.get("GIT_ALLOW_PROTOCOL").cloned(),
        files: Vec::new(),
        entries,
    })
}

fn located(f: &FoundSetting) -> crate::report::Evidence {
    let mut ev = crate::report::Evidence::variable(f.variable.clone(), f.value.clone());
    ev.origin = Some(f.place());
    ev.location = Some(crate::report::Location {
        path: f.file.clone(),
        line: u32::try_from(f.line).ok(),
    });
    ev
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::{FileKind, scan_text};

    fn eval(kind: FileKind, name: &str, text: &str) -> Evaluation {
        let found = scan_text(Path::new(name), kind, text).unwrap();
        evaluate_all(&found, None, &Baseline::default())
    }

    fn rules(e: &Evaluation) -> Vec<(&'static str, Option<u32>)> {
        let mut v: Vec<_> = e
            .findings
            .iter()
            .map(|f| (f.rule.id, f.location().and_then(|l| l.line)))
            .collect();
        v.sort();
        v
    }

    #[test]
    fn dockerfile_sumdb_off_is_reported_at_its_line() {
        let e = eval(
            FileKind::Dockerfile,
            "Dockerfile",
            "FROM golang:1.26\nENV GOFLAGS=-mod=mod\nENV GOSUMDB=off\n",
        );
        let hit = e
            .findings
            .iter()
            .find(|f| f.rule.id == "sumdb/disabled")
            .expect("sumdb/disabled");
        let loc = hit.location().unwrap();
        assert_eq!(loc.path, Path::new("Dockerfile"));
        assert_eq!(loc.line, Some(3));
        assert!(hit.fix.contains("line 3 of Dockerfile"), "{}", hit.fix);
        assert!(!hit.fix.contains("process environment"), "{}", hit.fix);
    }

    #[test]
    fn defaults_apply_without_gosumdb_in_the_file() {
        // GONOSUMDB alone: the database is go's default, and the public paths bypass it.
        let e = eval(FileKind::Shell, "a.sh", "export GONOSUMDB='*'\n");
        assert!(
            rules(&e).contains(&("sumdb/bypass-public", Some(1))),
            "{:?}",
            rules(&e)
        );
        let e = eval(FileKind::Shell, "a.sh", "export GOPRIVATE=github.com\n");
        assert!(
            rules(&e).contains(&("sumdb/bypass-public", Some(1))),
            "{:?}",
            rules(&e)
        );
    }

    #[test]
    fn default_values_give_nothing() {
        let e = eval(
            FileKind::Dockerfile,
            "Dockerfile",
            "FROM golang:1.26\nENV GOPROXY=https://proxy.golang.org,direct GOSUMDB=sum.golang.org GOFLAGS=-mod=mod\n",
        );
        assert!(e.findings.is_empty(), "{:?}", rules(&e));
    }

    #[test]
    fn goinsecure_match_all_is_not_also_no_effect() {
        let e = eval(
            FileKind::Shell,
            "ci/build.sh",
            "#!/bin/sh\nexport GOPROXY=https://goproxy.cn\nexport GOINSECURE='*'\n",
        );
        let r = rules(&e);
        assert!(r.contains(&("insecure/match-all", Some(3))), "{r:?}");
        assert!(
            !r.iter().any(|(id, _)| *id == "insecure/no-effect"),
            "{r:?}"
        );
    }

    #[test]
    fn goinsecure_host_in_goprivate_is_unverified_not_no_effect() {
        let e = eval(
            FileKind::Shell,
            "x.sh",
            "export GOPROXY=https://goproxy.cn\nexport GOPRIVATE=git.corp.example\nexport GOINSECURE=git.corp.example\nexport GONOSUMDB=git.corp.example\n",
        );
        let r = rules(&e);
        assert!(
            r.iter().any(|(id, _)| *id == "insecure/unverified"),
            "{r:?}"
        );
        assert!(
            !r.iter().any(|(id, _)| *id == "insecure/no-effect"),
            "{r:?}"
        );
    }

    #[test]
    fn default_expansions_and_arg_defaults() {
        let e = eval(
            FileKind::Shell,
            "b.sh",
            "export GOPROXY=\"${GOPROXY:-https://goproxy.cn,direct}\"\nexport GOSUMDB=${GOSUMDB:=off}\n",
        );
        let r = rules(&e);
        assert!(r.contains(&("proxy/direct-fallback", Some(1))), "{r:?}");
        assert!(r.contains(&("sumdb/disabled", Some(2))), "{r:?}");
        let e = eval(
            FileKind::Dockerfile,
            "Dockerfile",
            "FROM golang\nARG MIRROR=goproxy.cn\nENV GOPROXY=https://${MIRROR},direct\n",
        );
        assert!(
            rules(&e).contains(&("proxy/direct-fallback", Some(3))),
            "{:?}",
            rules(&e)
        );
        assert!(e.unresolved.is_empty());
    }

    #[test]
    fn variable_userinfo_is_a_low_credential_finding_and_noted() {
        let e = eval(
            FileKind::Shell,
            "lint.sh",
            "export GOPROXY=https://${ART_USER}:${ART_PASS}@art.example/api/go\n",
        );
        let f = e
            .findings
            .iter()
            .find(|f| f.rule.id == "proxy/credentials-in-url")
            .expect("credentials");
        assert_eq!(f.severity, Severity::Low);
        assert!(f.message.contains("ART_USER"), "{}", f.message);
        assert_eq!(e.unresolved.len(), 1);
        assert_eq!(e.unresolved[0].line, 1);
        assert!(e.unresolved[0].partly_judged);
    }

    #[test]
    fn unresolved_values_are_noted_not_judged() {
        let e = eval(FileKind::Shell, "env.sh", "export GOSUMDB=$MY_SUMDB\n");
        assert!(e.findings.is_empty(), "{:?}", rules(&e));
        assert_eq!(e.unresolved.len(), 1);
        assert_eq!(e.unresolved[0].unknown, vec!["MY_SUMDB".to_string()]);
    }

    #[test]
    fn git_ssl_verify_off_via_git_config_and_url_scoped() {
        let e = eval(
            FileKind::Shell,
            "setup.sh",
            "git config --global http.sslVerify false\ngit config --global http.\"https://git.corp.example/\".sslVerify false\n",
        );
        let r = rules(&e);
        assert!(r.contains(&("git/tls-verify-off", Some(1))), "{r:?}");
        assert!(r.contains(&("git/tls-verify-off", Some(2))), "{r:?}");
        let e = eval(
            FileKind::Shell,
            "c.sh",
            "GIT_SSL_NO_VERIFY=true git clone x\n",
        );
        assert_eq!(rules(&e), vec![("git/tls-verify-off", Some(1))]);
    }

    #[test]
    fn make_quotes_are_reported_with_what_go_sees() {
        let e = eval(
            FileKind::Makefile,
            "Makefile",
            "export GONOSUMDB = \"corp.example,other.example\"\n",
        );
        let f = e
            .findings
            .iter()
            .find(|f| f.rule.id == "env/quoted-value")
            .expect("quoted");
        assert!(f.message.contains("\"corp.example,other.example\""));
    }

    #[test]
    fn ci_levels_are_layered() {
        let e = eval(
            FileKind::GitHubActions,
            ".github/workflows/ci.yml",
            "on: push\nenv:\n  GOSUMDB: 'off'\njobs:\n  a:\n    runs-on: x\n    env:\n      GOSUMDB: sum.golang.org\n    steps:\n      - run: go build\n  b:\n    runs-on: x\n    steps:\n      - run: go build\n",
        );
        // Job a overrides the workflow level; job b inherits it: one finding, at line 3.
        let r = rules(&e);
        assert_eq!(
            r.iter().filter(|(id, _)| *id == "sumdb/disabled").count(),
            1,
            "{r:?}"
        );
    }
}
