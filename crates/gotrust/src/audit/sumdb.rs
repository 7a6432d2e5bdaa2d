//! Checksum-database rules (`sumdb/*`), judged as cmd/go/internal/modfetch/sumdb.go
//! (`useSumDB`, `dbDial`) and cmd/go/internal/cfg (GONOSUMDB defaulting to GOPRIVATE) decide.

use gomod::pattern::PatternList;

use crate::report::{Evidence, Finding, Severity, catalog};
use crate::settings::sumdb::{SUM_GOLANG_ORG_KEY, SumDb, SumDbError, VerifierKey};

use super::public_hosts::{matches_everything, public_matches};
use super::{Ctx, can_match_module, covers, list_some, lower_first, set_fix, unset_fix};

/// Runs the `sumdb/*` rules.
pub fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    database(ctx, out);
    bypass(ctx, out);
    private_path_leak(ctx, out);
    legacy_insecure(ctx, out);
}

fn database(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let origin = ctx.origin("GOSUMDB");
    match &ctx.input.settings.sumdb {
        Ok(SumDb::Off) => out.push(
            Finding::new(
                &catalog::SUMDB_DISABLED,
                "GOSUMDB is off: no downloaded module is checked against the checksum database",
            )
            .with_evidence(ctx.evidence("GOSUMDB"))
            .with_fix(format!(
                "{} List private module paths in GOPRIVATE instead.",
                super::reset_fix(&origin, "GOSUMDB", "sum.golang.org")
            )),
        ),
        Err(e) if matches!(e.source, SumDbError::Missing) && ctx.default_unknown("GOSUMDB") => {
            let _ = e;
        }
        Err(e) if matches!(e.source, SumDbError::Missing) => out.push(
            Finding::new(
                &catalog::SUMDB_MISSING,
                format!(
                    "GOSUMDB is empty, so every checksum lookup fails with \"verifying module: {}\"",
                    e.source
                ),
            )
            .with_evidence(ctx.evidence("GOSUMDB"))
            .with_fix(super::reset_fix(&origin, "GOSUMDB", "sum.golang.org")),
        ),
        Err(e) => out.push(
            Finding::new(
                &catalog::SUMDB_INVALID,
                format!("go rejects GOSUMDB: verifying module: {}", e.source),
            )
            .with_evidence(ctx.evidence("GOSUMDB"))
            .with_fix(set_fix(&origin, "GOSUMDB", "sum.golang.org")),
        ),
        Ok(SumDb::Db(cfg)) => {
            let builtin = VerifierKey::parse(SUM_GOLANG_ORG_KEY).ok();
            let same_key = builtin.as_ref().is_some_and(|b| *b == cfg.key);
            if same_key && cfg.url_text.is_none() {
                return;
            }
            let mut what = Vec::new();
            if !same_key {
                what.push(format!(
                    "database {} with key hash {:08x}",
                    cfg.name(),
                    cfg.key.hash
                ));
            }
            let url = cfg
                .url_text
                .clone()
                .unwrap_or_else(|| cfg.direct_url.clone());
            if cfg.url_text.is_some() {
                what.push(format!("URL {url} (proxies are not consulted for it)"));
            }
            let mut f = Finding::new(
                &catalog::SUMDB_CUSTOM,
                format!(
                    "Checksums are verified against {}: trust moves to whoever holds that key and serves that URL",
                    what.join(", ")
                ),
            )
            .with_evidence(ctx.evidence("GOSUMDB"))
            .with_evidence(Evidence::variable("sumdb name", cfg.name()))
            .with_evidence(Evidence::variable("key hash", format!("{:08x}", cfg.key.hash)))
            .with_evidence(Evidence::variable("sumdb URL", url))
            .with_fix(format!(
                "If this database is not the one your organisation operates, {}",
                lower_first(&super::reset_fix(&origin, "GOSUMDB", "sum.golang.org"))
            ));
            f.affected.push(cfg.name().to_string());
            out.push(f);
        }
    }
}

/// `sumdb/bypass-public`: GONOSUMDB patterns that match public paths, every path, or (with a
/// policy) paths outside the private scope. Silent when GOSUMDB=off (`sumdb/disabled` says
/// more) or invalid.
fn bypass(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    if !matches!(ctx.input.settings.sumdb, Ok(SumDb::Db(_))) {
        return;
    }
    let var = if ctx.origin("GONOSUMDB").kind() == "derived" {
        "GOPRIVATE"
    } else {
        "GONOSUMDB"
    };
    for p in ctx.gonosumdb.patterns() {
        if p.error.is_some() {
            continue;
        }
        let everything = matches_everything(|t| p.matches(t));
        let public = public_matches(|t| p.matches(t), |t| ctx.in_scope(t));
        let outside_scope = ctx.input.policy.is_some()
            && !ctx.scope.is_empty()
            && can_match_module(p)
            && !covers(&ctx.scope, p);
        let message = if everything {
            format!(
                "{var} pattern {:?} exempts every module path from the checksum database",
                p.text
            )
        } else if !public.is_empty() {
            format!(
                "{var} pattern {:?} exempts public modules from the checksum database ({})",
                p.text,
                list_some(&public, 5)
            )
        } else if outside_scope {
            format!(
                "{var} pattern {:?} is broader than the private scope of the policy: modules outside it skip the checksum database",
                p.text
            )
        } else {
            continue;
        };
        let rest: Vec<String> = PatternList::parse(ctx.value(var))
            .patterns()
            .iter()
            .filter(|q| q.trimmed != p.trimmed)
            .map(|q| q.text.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect();
        let origin = ctx.origin(var);
        let command = if rest.is_empty() {
            unset_fix(&origin, var)
        } else {
            set_fix(&origin, var, &rest.join(","))
        };
        let mut f = Finding::new(&catalog::SUMDB_BYPASS_PUBLIC, message)
            .with_evidence(ctx.evidence("GONOSUMDB"))
            .with_affected(p.text.clone())
            .with_fix(format!(
                "Remove {:?} from {var} and list only private hosts or paths: {}",
                p.text,
                lower_first(&command)
            ));
        if var == "GOPRIVATE" {
            f = f.with_evidence(ctx.evidence("GOPRIVATE"));
        }
        f.affected
            .extend(public.iter().take(20).map(|s| s.to_string()));
        out.push(f);
    }
}

/// `sumdb/private-path-leak`: a GONOPROXY pattern (fetched direct) not covered by GONOSUMDB,
/// and with a policy, a private-scope pattern not covered by GONOSUMDB.
fn private_path_leak(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    if !matches!(ctx.input.settings.sumdb, Ok(SumDb::Db(_))) {
        return;
    }
    let mut seen: Vec<String> = Vec::new();
    for p in ctx.gonoproxy.patterns() {
        if !can_match_module(p) || covers(&ctx.gonosumdb, p) {
            continue;
        }
        // A pattern covering public modules (GONOPROXY=github.com, to fetch them direct) is
        // no leak for those: the database has them and must check them. Adding it to
        // GONOSUMDB would be sumdb/bypass-public; private paths under it need their own
        // entries, which the policy's scope (below) asks for.
        if !public_matches(|t| p.matches(t), |t| ctx.in_scope(t)).is_empty() {
            continue;
        }
        seen.push(p.trimmed.clone());
        out.push(
            Finding::new(
                &catalog::SUMDB_PRIVATE_PATH_LEAK,
                format!(
                    "Modules matching GONOPROXY pattern {:?} are fetched directly but still looked up in the checksum database: their paths are sent to it and the lookup fails (404/410)",
                    p.text
                ),
            )
            .with_evidence(ctx.evidence("GONOPROXY"))
            .with_evidence(ctx.evidence("GONOSUMDB"))
            .with_affected(p.text.clone())
            .with_fix(format!(
                "Add {:?} to GONOSUMDB (or to GOPRIVATE, which sets both GONOPROXY and GONOSUMDB unless they are set): {}",
                p.trimmed,
                lower_first(&gonosumdb_fix(ctx, &p.trimmed))
            )),
        );
    }
    for p in ctx.scope.patterns() {
        if !can_match_module(p) || covers(&ctx.gonosumdb, p) || seen.contains(&p.trimmed) {
            continue;
        }
        let mut f = Finding::new(
            &catalog::SUMDB_PRIVATE_PATH_LEAK,
            format!(
                "Private scope pattern {:?} of the policy is not covered by GONOSUMDB: the paths of those private modules are sent to the checksum database",
                p.text
            ),
        )
        .with_evidence(ctx.evidence("GONOSUMDB"))
        .with_affected(p.text.clone())
        .with_fix(gonosumdb_fix(ctx, &p.trimmed));
        if let Some((path, line)) = ctx.policy_location(&p.text) {
            f = f.with_evidence(
                Evidence::variable("[private] scope", p.text.clone())
                    .origin("policy")
                    .at(path, line),
            );
        }
        out.push(f);
    }
}

/// How to add `pattern` to the effective GONOSUMDB: where GONOSUMDB is set, or derived from
/// GOPRIVATE (then setting it explicitly keeps GOPRIVATE's patterns, since the value written
/// is the effective one plus the new pattern).
/// When nothing sets GONOSUMDB, the fix goes next to the GONOPROXY setting the pattern
/// comes from.
fn gonosumdb_fix(ctx: &Ctx<'_>, pattern: &str) -> String {
    let value = join_list(ctx.value("GONOSUMDB"), pattern);
    match ctx.origin("GONOSUMDB") {
        crate::env::Origin::Derived { .. } | crate::env::Origin::Default => {
            super::add_fix(ctx, "GONOPROXY", "GONOSUMDB", &value)
        }
        o => set_fix(&o, "GONOSUMDB", &value),
    }
}

/// `list` with `item` appended (comma-separated).
pub(crate) fn join_list(list: &str, item: &str) -> String {
    if list.is_empty() {
        item.to_string()
    } else {
        format!("{list},{item}")
    }
}

/// `sumdb/legacy-insecure-flag`: `-insecure` in GOFLAGS. High unless the go version is known
/// to be 1.17 or later (from `go env -json` or `$GOROOT/VERSION`), where it is low.
fn legacy_insecure(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let Ok(flags) = &ctx.input.settings.goflags else {
        return;
    };
    if flags.insecure() != Ok(true) {
        return;
    }
    let version = go_version(ctx);
    let minor = version.as_deref().and_then(go_minor);
    let (sev, msg) = match minor {
        Some(m) if m >= 17 => (
            Severity::Low,
            format!(
                "GOFLAGS contains -insecure: {} ignores it except in `go get`, which fails (\"-insecure flag is no longer supported; use GOINSECURE instead\")",
                version.as_deref().unwrap_or("go")
            ),
        ),
        Some(_) => (
            Severity::High,
            format!(
                "GOFLAGS contains -insecure: {} disables checksum-database lookups and TLS checks in `go get`",
                version.as_deref().unwrap_or("go")
            ),
        ),
        None => (
            Severity::High,
            "GOFLAGS contains -insecure: go 1.16 and earlier disable checksum-database lookups with it (the go version is unknown)".to_string(),
        ),
    };
    let mut f = Finding::new(&catalog::SUMDB_LEGACY_INSECURE_FLAG, msg)
        .with_severity(sev)
        .with_evidence(ctx.evidence("GOFLAGS"));
    if let Some(v) = &version {
        f = f.with_evidence(Evidence::variable("GOVERSION", v.clone()));
    }
    let rest: Vec<&str> = flags
        .flags
        .iter()
        .filter(|fl| fl.name != "insecure")
        .map(|fl| fl.word.as_str())
        .collect();
    let origin = ctx.origin("GOFLAGS");
    f = f.with_fix(if rest.is_empty() {
        unset_fix(&origin, "GOFLAGS")
    } else {
        set_fix(&origin, "GOFLAGS", &rest.join(" "))
    });
    out.push(f);
}

/// The go version: `GOVERSION` from `go env -json`, else the first line of `$GOROOT/VERSION`.
pub(crate) fn go_version(ctx: &Ctx<'_>) -> Option<String> {
    if let Some(v) = ctx
        .input
        .cross_check
        .and_then(|c| c.go_env.get("GOVERSION"))
        .filter(|v| !v.is_empty())
    {
        return Some(v.clone());
    }
    let goroot = ctx.value("GOROOT");
    if goroot.is_empty() {
        return None;
    }
    let text = read_prefix(&std::path::Path::new(goroot).join("VERSION"), 4096)?;
    let first = text.lines().next()?.trim();
    first.starts_with("go1.").then(|| first.to_string())
}

fn read_prefix(path: &std::path::Path, max: u64) -> Option<String> {
    use std::io::Read;
    let mut s = String::new();
    std::fs::File::open(path)
        .ok()?
        .take(max)
        .read_to_string(&mut s)
        .ok()?;
    Some(s)
}

/// The minor version of `go1.N[.P|rcX|betaX...]`.
pub(crate) fn go_minor(v: &str) -> Option<u32> {
    let rest = v.strip_prefix("go1.")?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minor() {
        assert_eq!(go_minor("go1.16.15"), Some(16));
        assert_eq!(go_minor("go1.26rc1"), Some(26));
        assert_eq!(go_minor("go1.9"), Some(9));
        assert_eq!(go_minor("devel +abc"), None);
        assert_eq!(join_list("", "a"), "a");
        assert_eq!(join_list("a", "b"), "a,b");
    }
}
