//! Proxy rules (`proxy/*`, `transport/http-proxy`), judged on the GOPROXY list as
//! cmd/go/internal/modfetch/proxy.go `proxyList` and `TryProxies` read it.

use crate::report::{Evidence, Finding, Severity, catalog};
use crate::route::{ChecksumReason, HopKind};
use crate::settings::httpproxy::ProxyChoice;
use crate::settings::proxy::{Fallback, ProxyError, ProxyKind};
use crate::settings::sumdb::SumDb;
use crate::settings::url::GoUrl;

use super::{Ctx, can_match_module, covers, list_some, set_fix, set_fix_without_credentials};

/// The default GOPROXY, used in fixes.
const DEFAULT_GOPROXY: &str = "https://proxy.golang.org,direct";

/// The public proxy without direct fallback: what replaces `GOPROXY=direct` without raising
/// `proxy/direct-fallback` instead.
const PROXY_ONLY: &str = "https://proxy.golang.org";

/// Runs the `proxy/*` rules and `transport/http-proxy`.
pub fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let origin = ctx.origin("GOPROXY");
    let list = match &ctx.input.settings.proxy {
        Ok(l) => l,
        Err(e) => {
            if matches!(e.source, ProxyError::NoEntries) && ctx.default_unknown("GOPROXY") {
                credentials_sumdb(ctx, out);
                return;
            }
            let (rule, msg, fix) = match &e.source {
                ProxyError::NoEntries => (
                    &catalog::PROXY_EMPTY,
                    format!("Every module fetch fails: {}", e.source),
                    super::reset_fix(&origin, "GOPROXY", DEFAULT_GOPROXY),
                ),
                other => (
                    &catalog::PROXY_INVALID_ENTRY,
                    format!("go rejects GOPROXY, so every module fetch fails: {other}"),
                    set_fix(&origin, "GOPROXY", DEFAULT_GOPROXY),
                ),
            };
            out.push(
                Finding::new(rule, msg)
                    .with_evidence(ctx.evidence("GOPROXY"))
                    .with_fix(fix),
            );
            credentials_sumdb(ctx, out);
            http_proxy(ctx, out);
            return;
        }
    };
    let unverified = unverified_to_proxies(ctx);
    let sources = ctx.public_sources();

    for (i, e) in sources.iter().enumerate() {
        let ProxyKind::Url { url, parsed, .. } = &e.kind else {
            continue;
        };
        let shown = parsed.redacted();
        if parsed.scheme == "http" && !is_loopback(&parsed.host) {
            let sev = if unverified.is_empty() {
                Severity::High
            } else {
                Severity::Critical
            };
            let mut msg = format!(
                "GOPROXY entry {shown} is plain HTTP: anyone on the path can read the requested module paths and change what is served"
            );
            if !unverified.is_empty() {
                msg.push_str(&format!(
                    ", and modules that skip the checksum database ({}) can reach it",
                    list_some(&unverified, 3)
                ));
            }
            out.push(
                Finding::new(&catalog::PROXY_PLAINTEXT, msg)
                    .with_severity(sev)
                    .with_evidence(ctx.evidence("GOPROXY"))
                    .with_affected(shown.clone())
                    .with_fix(set_fix_without_credentials(
                        &origin,
                        "GOPROXY",
                        &ctx.value("GOPROXY")
                            .replace(url.as_str(), &url.replacen("http://", "https://", 1)),
                    )),
            );
        }
        if parsed.userinfo.is_some() {
            out.push(credentials_finding(ctx, "GOPROXY", &shown));
        }
        if parsed.scheme == "file" {
            let dir = std::path::PathBuf::from(&parsed.path);
            let mode = super::mode_of(&dir);
            let writable = mode.is_some_and(|m| m & 0o022 != 0);
            let mut f = Finding::new(
                &catalog::PROXY_FILE,
                if writable {
                    format!("GOPROXY entry {shown} is a directory writable by group or others: they decide what modules contain")
                } else {
                    format!("GOPROXY entry {shown} is a local directory: whoever can write it decides what modules contain")
                },
            )
            .with_evidence(ctx.evidence("GOPROXY"))
            .with_affected(shown.clone())
            .with_fix(if writable {
                format!("chmod go-w {} (and its subdirectories)", dir.display())
            } else {
                catalog::PROXY_FILE.help.to_string()
            });
            if writable {
                f = f.with_severity(Severity::High);
            }
            if let Some(m) = mode {
                f = f.with_evidence(Evidence::variable("mode", format!("{m:04o}")).at(&dir, None));
            }
            out.push(f);
        }
        let next = sources.get(i + 1);
        if e.fallback == Fallback::OnAnyError && next.is_some() {
            out.push(
                Finding::new(
                    &catalog::PROXY_FALLBACK_ON_ANY_ERROR,
                    format!(
                        "After {shown} comes `|`: any error there (timeout, 5xx, TLS failure, an attacker's reset) moves on to {}",
                        next.map(|n| n.display()).unwrap_or_default()
                    ),
                )
                .with_evidence(ctx.evidence("GOPROXY"))
                .with_affected(shown.clone())
                .with_fix(set_fix_without_credentials(&origin, "GOPROXY", &ctx.value("GOPROXY").replace('|', ","))),
            );
        }
    }

    // direct / off / direct-only.
    let first = sources.first().map(|e| &e.kind);
    match first {
        Some(ProxyKind::Direct) => out.push(
            Finding::new(
                &catalog::PROXY_DIRECT_ONLY,
                "GOPROXY=direct: every module comes straight from its version control system, without the immutable cache of a proxy",
            )
            .with_evidence(ctx.evidence("GOPROXY"))
            .with_fix(format!(
                "{} List private module paths in GOPRIVATE so that they still go direct.",
                set_fix(&origin, "GOPROXY", PROXY_ONLY)
            )),
        ),
        Some(ProxyKind::Off) => out.push(
            Finding::new(
                &catalog::PROXY_OFF,
                "GOPROXY=off: modules not matching GONOPROXY cannot be downloaded",
            )
            .with_evidence(ctx.evidence("GOPROXY")),
        ),
        _ => {
            if sources.len() > 1 && sources.last().is_some_and(|e| e.kind == ProxyKind::Direct) {
                let proxies: Vec<String> = sources[..sources.len() - 1].iter().map(|e| e.display()).collect();
                let current = ctx.value("GOPROXY");
                let without = without_direct(current);
                out.push(
                    Finding::new(
                        &catalog::PROXY_DIRECT_FALLBACK,
                        format!(
                            "Modules that {} does not have (404/410) are fetched directly from version control, around the proxy",
                            proxies.join(", ")
                        ),
                    )
                    .with_evidence(ctx.evidence("GOPROXY"))
                    .with_fix(if without.is_empty() || without == current.trim() {
                        catalog::PROXY_DIRECT_FALLBACK.help.to_string()
                    } else {
                        format!(
                            "If the proxy is meant to curate every module: {}",
                            super::lower_first(&set_fix_without_credentials(
                                &origin, "GOPROXY", &without
                            ))
                        )
                    }),
                );
            }
        }
    }

    let ignored: Vec<&str> = list
        .ignored
        .split([',', '|'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if !ignored.is_empty() {
        let stop = sources.last().map(|e| e.display()).unwrap_or_default();
        out.push(
            Finding::new(
                &catalog::PROXY_IGNORED_ENTRIES,
                format!(
                    "GOPROXY entries after `{stop}` are never used: {}",
                    ignored.join(", ")
                ),
            )
            .with_evidence(ctx.evidence("GOPROXY"))
            .with_fix(format!(
                "Remove them, or move them before `{stop}`: {}",
                set_fix_without_credentials(
                    &origin,
                    "GOPROXY",
                    truncate_after_stop(ctx.value("GOPROXY"), &stop)
                )
            )),
        );
    }

    third_party(ctx, &unverified, out);
    private_path_leak(ctx, out);
    credentials_sumdb(ctx, out);
    http_proxy(ctx, out);
}

fn truncate_after_stop<'v>(goproxy: &'v str, stop: &str) -> &'v str {
    // The stop word is the last entry go reads; cut right after its first occurrence as a
    // whole entry.
    let mut pos = 0;
    for item in goproxy.split_inclusive([',', '|']) {
        let word = item.trim_end_matches([',', '|']).trim();
        pos += item.len();
        if word == stop {
            return goproxy[..pos].trim_end_matches([',', '|']);
        }
    }
    goproxy
}

/// The list as written up to (not including) its first `direct` entry, whatever separator
/// comes before it (`,` or `|`): what remains when direct fallback is removed. Entries after
/// `direct` are never read by go (`proxyList` stops there), so they go too.
fn without_direct(goproxy: &str) -> String {
    let mut out = String::new();
    for item in goproxy.split_inclusive([',', '|']) {
        if item.trim_end_matches([',', '|']).trim() == "direct" {
            break;
        }
        out.push_str(item);
    }
    out.trim().trim_end_matches([',', '|']).trim().to_string()
}

/// Loopback for plain HTTP: `localhost` and loopback IP literals (the hosts net/http never
/// proxies: golang.org/x/net/http/httpproxy `useProxy`).
pub fn is_loopback(host: &str) -> bool {
    let (name, _) = crate::settings::httpproxy::hostname_port(host);
    if name.eq_ignore_ascii_case("localhost") {
        return true;
    }
    crate::settings::httpproxy::parse_ip(name).is_some_and(|ip| ip.is_loopback())
}

/// Which unverified module sets can reach the proxies: `all modules` when GOSUMDB=off, else
/// the GONOSUMDB patterns not covered by GONOPROXY (those go through the proxy list).
fn unverified_to_proxies(ctx: &Ctx<'_>) -> Vec<String> {
    let has_proxy = ctx
        .public_sources()
        .iter()
        .any(|e| matches!(e.kind, ProxyKind::Url { .. }));
    if !has_proxy {
        return Vec::new();
    }
    // The route planner decides, for a concrete path of each set, whether its hops include a
    // proxy and whether the database is skipped.
    let through_proxy_unverified = |m: &str| {
        let r = ctx.route(m);
        !r.checksum.database
            && r.checksum.reason != ChecksumReason::GosumdbInvalid
            && r.hops.iter().any(|h| h.kind == HopKind::Proxy)
    };
    if ctx.sumdb_off() {
        return if through_proxy_unverified("example.com/m") {
            vec!["all modules (GOSUMDB=off)".into()]
        } else {
            Vec::new()
        };
    }
    ctx.gonosumdb
        .patterns()
        .iter()
        .filter(|p| {
            super::sample_paths(ctx, p)
                .iter()
                .any(|m| through_proxy_unverified(m))
        })
        .map(|p| p.text.clone())
        .collect()
}

/// `proxy/unverified-third-party`: unverified modules can be served by a proxy that the policy
/// does not trust (without a policy: any network proxy). `file://` proxies are local and
/// covered by `proxy/file`.
fn third_party(ctx: &Ctx<'_>, unverified: &[String], out: &mut Vec<Finding>) {
    if unverified.is_empty() {
        return;
    }
    for e in ctx.public_sources() {
        let ProxyKind::Url { url, parsed, .. } = &e.kind else {
            continue;
        };
        if parsed.scheme == "file" || ctx.trusted_proxy(url) {
            continue;
        }
        let shown = parsed.redacted();
        let mut f = Finding::new(
            &catalog::PROXY_UNVERIFIED_THIRD_PARTY,
            format!(
                "Modules that skip the checksum database ({}) are fetched from {shown}, which is not a trusted proxy: it can serve any content for them",
                list_some(unverified, 3)
            ),
        )
        .with_evidence(ctx.evidence("GOPROXY"))
        .with_affected(shown);
        if ctx.sumdb_off() {
            f = f.with_evidence(ctx.evidence("GOSUMDB")).with_fix(format!(
                "Turn the checksum database back on: {}",
                super::lower_first(&super::reset_fix(
                    &ctx.origin("GOSUMDB"),
                    "GOSUMDB",
                    "sum.golang.org"
                ))
            ));
        } else {
            f = f
                .with_evidence(ctx.evidence("GONOSUMDB"))
                .with_evidence(ctx.evidence("GONOPROXY"));
            f.affected.extend(unverified.iter().cloned());
            let value = super::sumdb::join_list(ctx.value("GONOPROXY"), &unverified.join(","));
            let route = match ctx.origin("GONOPROXY") {
                crate::env::Origin::Derived { .. } | crate::env::Origin::Default => {
                    super::add_fix(ctx, "GONOSUMDB", "GONOPROXY", &value)
                }
                o => set_fix(&o, "GONOPROXY", &value),
            };
            f = f.with_fix(format!(
                "Route them direct or to a trusted proxy: {} (or set GOPRIVATE, which covers both), or list the proxy under [proxy] trusted in gotrust.toml if it is yours.",
                super::lower_first(&route)
            ));
        }
        out.push(f);
    }
}

/// `proxy/private-path-leak`: GONOSUMDB patterns (private) not covered by GONOPROXY are
/// requested from the proxies; with a policy, scope patterns not covered by GONOPROXY too.
/// Silent when no untrusted network proxy is reachable.
fn private_path_leak(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let proxies: Vec<String> = ctx
        .public_sources()
        .iter()
        .filter_map(|e| match &e.kind {
            ProxyKind::Url { url, parsed, .. }
                if parsed.scheme != "file" && !ctx.trusted_proxy(url) =>
            {
                Some(parsed.redacted())
            }
            _ => None,
        })
        .collect();
    if proxies.is_empty() {
        return;
    }
    let mut candidates: Vec<(&gomod::pattern::Pattern, &str)> = ctx
        .gonosumdb
        .patterns()
        .iter()
        .map(|p| (p, "GONOSUMDB"))
        .collect();
    candidates.extend(
        ctx.scope
            .patterns()
            .iter()
            .map(|p| (p, "the policy's private scope")),
    );
    let mut seen: Vec<&str> = Vec::new();
    for (p, from) in candidates {
        if !can_match_module(p) || covers(&ctx.gonoproxy, p) || seen.contains(&p.trimmed.as_str()) {
            continue;
        }
        seen.push(&p.trimmed);
        let mut f = Finding::new(
            &catalog::PROXY_PRIVATE_PATH_LEAK,
            format!(
                "Private pattern {:?} (from {from}) is not in GONOPROXY: those module paths are requested from {}",
                p.text,
                proxies.join(", ")
            ),
        )
        // The pattern's own setting first: it is the finding's location.
        .with_evidence(ctx.evidence("GONOSUMDB"))
        .with_evidence(ctx.evidence("GONOPROXY"))
        .with_affected(p.text.clone())
        .with_fix(format!(
            "Add it to GONOPROXY (GOPRIVATE covers both GONOPROXY and GONOSUMDB unless they are set): {}",
            super::lower_first(&gonoproxy_fix(ctx, &p.trimmed))
        ));
        if from != "GONOSUMDB"
            && let Some((path, line)) = ctx.policy_location(&p.text)
        {
            f = f.with_evidence(
                Evidence::variable("[private] scope", p.text.clone())
                    .origin("policy")
                    .at(path, line),
            );
        }
        out.push(f);
    }
}

/// How to add `pattern` to the effective GONOPROXY (see `sumdb::gonosumdb_fix`): when
/// nothing sets GONOPROXY, next to the GONOSUMDB setting the pattern comes from.
fn gonoproxy_fix(ctx: &Ctx<'_>, pattern: &str) -> String {
    let value = super::sumdb::join_list(ctx.value("GONOPROXY"), pattern);
    match ctx.origin("GONOPROXY") {
        crate::env::Origin::Derived { .. } | crate::env::Origin::Default => {
            super::add_fix(ctx, "GONOSUMDB", "GONOPROXY", &value)
        }
        o => set_fix(&o, "GONOPROXY", &value),
    }
}

fn credentials_finding(ctx: &Ctx<'_>, var: &str, shown: &str) -> Finding {
    Finding::new(
        &catalog::PROXY_CREDENTIALS_IN_URL,
        format!("{var} URL {shown} contains credentials: `go env`, `go -x` and CI logs print them"),
    )
    .with_evidence(ctx.evidence(var))
    .with_affected(shown.to_string())
    .with_fix(set_fix_without_credentials(
        &ctx.origin(var),
        var,
        ctx.value(var),
    ))
}

fn credentials_sumdb(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    if let Ok(SumDb::Db(cfg)) = &ctx.input.settings.sumdb
        && let Some(u) = cfg.url.as_ref().filter(|u| u.userinfo.is_some())
    {
        out.push(credentials_finding(ctx, "GOSUMDB", &u.redacted()));
    }
}

/// `transport/http-proxy`: an HTTP(S)_PROXY that carries requests to the module proxies or the
/// checksum database (after NO_PROXY and the loopback rule).
fn http_proxy(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let hp = &ctx.input.settings.http_proxy;
    if hp.http.is_none() && hp.https.is_none() {
        return;
    }
    let mut targets: Vec<GoUrl> = ctx
        .public_sources()
        .iter()
        .filter_map(|e| match &e.kind {
            ProxyKind::Url { parsed, .. } if parsed.scheme != "file" => Some((**parsed).clone()),
            _ => None,
        })
        .collect();
    if let Ok(SumDb::Db(cfg)) = &ctx.input.settings.sumdb {
        let u = cfg
            .url_text
            .clone()
            .unwrap_or_else(|| cfg.direct_url.clone());
        if let Ok(u) = GoUrl::parse(&u) {
            targets.push(u);
        }
    }
    let mut by_proxy: Vec<(String, Vec<String>)> = Vec::new();
    for t in &targets {
        if let ProxyChoice::Proxy(p) = hp.proxy_for(t) {
            let p = p.redacted();
            let host = t.host.clone();
            match by_proxy.iter_mut().find(|(k, _)| *k == p) {
                Some((_, v)) => {
                    if !v.contains(&host) {
                        v.push(host)
                    }
                }
                None => by_proxy.push((p, vec![host])),
            }
        }
    }
    for (proxy, hosts) in by_proxy {
        let mut f = Finding::new(
            &catalog::TRANSPORT_HTTP_PROXY,
            format!(
                "Requests to {} go through the HTTP proxy {proxy}",
                hosts.join(", ")
            ),
        )
        .with_fix(format!(
            "Check that {proxy} is trusted, or exclude the hosts with NO_PROXY={}",
            hosts.join(",")
        ));
        for var in [
            "HTTPS_PROXY",
            "https_proxy",
            "HTTP_PROXY",
            "http_proxy",
            "NO_PROXY",
            "no_proxy",
        ] {
            if let Some(v) = ctx.input.sources.process.get(var).filter(|v| !v.is_empty()) {
                f = f.with_evidence(
                    Evidence::variable(var, v.clone()).origin("process environment"),
                );
            }
        }
        f.affected = hosts;
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        assert!(is_loopback("localhost:8080"));
        assert!(is_loopback("127.0.0.1"));
        assert!(is_loopback("[::1]:3000"));
        assert!(!is_loopback("proxy.corp"));
        assert!(!is_loopback("10.0.0.1"));
        assert_eq!(
            truncate_after_stop("https://a,direct,https://b", "direct"),
            "https://a,direct"
        );
        assert_eq!(truncate_after_stop("off|x", "off"), "off");
        assert_eq!(without_direct("https://a,direct"), "https://a");
        assert_eq!(
            without_direct("https://goproxy.example|direct"),
            "https://goproxy.example"
        );
        assert_eq!(
            without_direct("https://a|https://b,direct,https://c"),
            "https://a|https://b"
        );
        assert_eq!(without_direct("direct"), "");
    }
}
