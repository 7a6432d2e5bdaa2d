//! GOINSECURE rules (`insecure/*`).
//!
//! GOINSECURE only matters where a module is fetched in direct mode: when it matches GONOPROXY,
//! or when the GOPROXY walk reaches `direct` (cmd/go/internal/modfetch/repo.go `lookupDirect`,
//! cmd/go/internal/vcs/vcs.go `RepoRootForImportPath` with `web.Insecure`). It never relaxes
//! checksums or proxies (cmd/go/internal/modfetch/sumdb.go `useSumDB` ignores it).

use crate::report::{Finding, catalog};
use crate::route::ChecksumReason;

use super::public_hosts::{matches_everything, public_matches};
use super::{Ctx, can_match_module, list_some};

/// Runs the `insecure/*` rules, one finding per pattern and rule: the widest of match-all,
/// public-host and broad, then unverified or no-effect.
pub fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let allowed = |text: &str| {
        ctx.input
            .policy
            .is_some_and(|p| p.insecure_allowed.iter().any(|a| a == text))
    };
    let fix_without = |text: &str| -> String {
        let rest: Vec<&str> = ctx
            .value("GOINSECURE")
            .split(',')
            .filter(|t| *t != text && !t.is_empty())
            .collect();
        if rest.is_empty() {
            super::unset_fix(&ctx.origin("GOINSECURE"), "GOINSECURE")
        } else {
            super::set_fix(&ctx.origin("GOINSECURE"), "GOINSECURE", &rest.join(","))
        }
    };
    for p in ctx.goinsecure.patterns() {
        // A pattern that matches no module path (pattern/invalid reports the malformed ones)
        // drops TLS for nothing.
        if !can_match_module(p) {
            continue;
        }
        let everything = matches_everything(|t| p.matches(t));
        let public = public_matches(|t| p.matches(t), |t| ctx.in_scope(t));
        let ev = ctx.evidence("GOINSECURE");
        // Whether a finding above already says the pattern drops TLS.
        let widest_reported =
            everything || (!allowed(&p.text) && (!public.is_empty() || broad(&p.trimmed)));
        if everything {
            out.push(
                Finding::new(
                    &catalog::INSECURE_MATCH_ALL,
                    format!("GOINSECURE pattern {:?} matches every module path: direct fetches of any module may use plain HTTP and unverified TLS", p.text),
                )
                .with_evidence(ev.clone())
                .with_affected(p.text.clone())
                .with_fix(fix_without(&p.text)),
            );
        } else if !public.is_empty() && !allowed(&p.text) {
            let mut f = Finding::new(
                &catalog::INSECURE_PUBLIC_HOST,
                format!(
                    "GOINSECURE pattern {:?} matches public modules ({}): their discovery may use plain HTTP and unverified TLS",
                    p.text,
                    list_some(&public, 5)
                ),
            )
            .with_evidence(ev.clone())
            .with_affected(p.text.clone())
            .with_fix(fix_without(&p.text));
            f.affected
                .extend(public.iter().take(20).map(|s| s.to_string()));
            out.push(f);
        } else if broad(&p.trimmed) && !allowed(&p.text) {
            out.push(
                Finding::new(
                    &catalog::INSECURE_BROAD,
                    format!("GOINSECURE pattern {:?} covers every host under a top-level domain, not one host", p.text),
                )
                .with_evidence(ev.clone())
                .with_affected(p.text.clone())
                .with_fix(format!(
                    "Remove {:?} and list only the exact hosts that cannot serve HTTPS: {}",
                    p.text,
                    super::lower_first(&fix_without(&p.text))
                )),
            );
        }

        // Ask the route planner (shared with `gotrust explain`) about concrete paths of the
        // pattern: its representative and the GONOPROXY entries it covers.
        let routes: Vec<_> = super::sample_paths(ctx, p)
            .iter()
            .map(|m| ctx.route(m))
            .collect();
        if routes.is_empty() {
            continue;
        }
        let direct: Vec<_> = routes.iter().filter(|r| super::route_direct(r)).collect();
        if direct.is_empty() {
            // A match-all pattern is already reported, and a route with no hop at all
            // (GOPROXY=off) fetches nothing: "no effect" would add nothing true.
            let hops: Vec<String> = routes[0].hops.iter().map(|h| h.entry.clone()).collect();
            if !allowed(&p.text) && !everything && !hops.is_empty() {
                out.push(
                    Finding::new(
                        &catalog::INSECURE_NO_EFFECT,
                        format!(
                            "GOINSECURE pattern {:?} has no effect: those modules are fetched only through {} (GOINSECURE does not apply to proxies)",
                            p.text,
                            hops.join(", ")
                        ),
                    )
                    .with_evidence(ev.clone())
                    .with_evidence(ctx.evidence("GOPROXY"))
                    .with_affected(p.text.clone())
                    .with_fix(fix_without(&p.text)),
                );
            }
            continue;
        }
        // An invalid GOSUMDB makes go fail, not skip verification (sumdb/invalid says so).
        let unverified = direct
            .iter()
            .any(|r| !r.checksum.database && r.checksum.reason != ChecksumReason::GosumdbInvalid);
        if unverified {
            let mut f = Finding::new(
                &catalog::INSECURE_UNVERIFIED,
                format!(
                    "Modules matching GOINSECURE pattern {:?} are fetched without TLS guarantees and are not checked against the checksum database: only go.sum protects them",
                    p.text
                ),
            )
            .with_evidence(ev.clone())
            .with_affected(p.text.clone());
            f = if ctx.sumdb_off() {
                f.with_evidence(ctx.evidence("GOSUMDB"))
            } else {
                f.with_evidence(ctx.evidence("GONOSUMDB"))
            };
            out.push(f.with_fix(format!(
                "Serve {:?} over HTTPS with a trusted certificate and remove it from GOINSECURE, or run a private checksum database for it. To remove it: {}",
                p.text,
                super::lower_first(&fix_without(&p.text))
            )));
        } else if !widest_reported && !allowed(&p.text) {
            // TLS is still dropped for these hosts (discovery over plain HTTP, certificates
            // unchecked, cmd/go/internal/vcs `RepoRootForImportPath` with `web.Insecure`);
            // the database catches changed content of versions not in go.sum, but not the
            // exposure of paths and code, and a private module there fails its lookup.
            out.push(
                Finding::new(
                    &catalog::INSECURE_DATABASE_CHECKED,
                    format!(
                        "GOINSECURE pattern {:?}: direct fetches of these modules may use plain HTTP and unverified TLS; the checksum database still checks versions not in go.sum (a private module there fails that lookup)",
                        p.text
                    ),
                )
                .with_evidence(ev.clone())
                .with_affected(p.text.clone())
                .with_fix(format!(
                    "Serve {:?} over HTTPS with a trusted certificate and remove it from GOINSECURE: {}",
                    p.text,
                    super::lower_first(&fix_without(&p.text))
                )),
            );
        }
    }
}

/// A pattern wider than one host: a wildcard in the host element whose fixed suffix is at
/// most one label (`*`, `*.com`, `*.io`, `*.*`, `dev.*`). `*.corp.example` (one domain's
/// hosts) is not broad.
pub fn broad(glob: &str) -> bool {
    let host = glob.split('/').next().unwrap_or("");
    let Some(last_wild) = host.rfind(['*', '?', '[', ']']) else {
        return false;
    };
    let suffix = &host[last_wild + 1..];
    suffix
        .trim_start_matches('.')
        .split('.')
        .filter(|l| !l.is_empty())
        .count()
        < 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broad_patterns() {
        for b in ["*", "*.com", "*.io", "*.*", "dev.*", "*/x", "[a-z]*.net"] {
            assert!(broad(b), "{b}");
        }
        for n in [
            "corp.example.com",
            "*.corp.example",
            "dev.local",
            "github.com/acme/*",
        ] {
            assert!(!broad(n), "{n}");
        }
    }
}
