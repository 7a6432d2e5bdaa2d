//! Comparing the requests a go log shows with the route gotrust predicts for the current
//! settings.
//!
//! A log is evidence of what go did under the settings *it* ran with. When those differ from the
//! settings gotrust sees now (a CI job with other variables, a changed go env file), the trace
//! says so: a module request that reached a proxy the current route would never use for that
//! path, a checksum-database lookup for a path the current settings keep private (its path has
//! already left the machine), or a direct fetch the current route does not plan. Each is one
//! [`RouteDeviation`], computed with the same [`Planner`] `explain` uses.

use serde::Serialize;

use super::{TraceEvent, TraceKind};
use crate::route::{HopKind, Planner};

/// What differs between a logged request and the predicted route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeviationKind {
    /// A module request went to a proxy base that the current route for that module does not
    /// contain (another GOPROXY was in effect, or the path is private now).
    ProxyNotInRoute,
    /// A private module path (GONOPROXY) was requested from a proxy.
    PrivatePathToProxy,
    /// A checksum-database lookup was made for a path the current settings exclude from the
    /// database (GONOSUMDB / GOPRIVATE, or GOSUMDB=off): the path was sent.
    PrivatePathToDatabase,
    /// A `?go-get=1` discovery request for a module the current route fetches only through
    /// proxies.
    DirectNotInRoute,
}

impl DeviationKind {
    /// One line saying what it means.
    pub fn describe(self) -> &'static str {
        match self {
            DeviationKind::ProxyNotInRoute => {
                "module request to a proxy the current GOPROXY route does not use for this path"
            }
            DeviationKind::PrivatePathToProxy => {
                "private module path (GONOPROXY/GOPRIVATE now) was requested from a proxy"
            }
            DeviationKind::PrivatePathToDatabase => {
                "checksum-database lookup for a path the current settings keep out of the database: the path was sent"
            }
            DeviationKind::DirectNotInRoute => {
                "direct VCS discovery for a module the current route fetches only through proxies"
            }
        }
    }

    /// The audit rule that covers the setting behind it.
    pub fn rule(self) -> &'static str {
        match self {
            DeviationKind::ProxyNotInRoute | DeviationKind::PrivatePathToProxy => {
                "proxy/private-path-leak"
            }
            DeviationKind::PrivatePathToDatabase => "sumdb/private-path-leak",
            DeviationKind::DirectNotInRoute => "proxy/direct-fallback",
        }
    }
}

/// A logged request that the current route does not predict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RouteDeviation {
    /// Line of the `# get` request in the log.
    pub line_no: u64,
    /// The requested URL (already redacted by the parser).
    pub url: String,
    /// The module path the request was about.
    pub module: String,
    /// What differs.
    pub kind: DeviationKind,
    /// The proxy bases the current route would use for this module, in order.
    pub expected: Vec<String>,
}

/// Checks one trace event against the route the planner predicts; `None` when it agrees or the
/// request is not a module, discovery or database request.
pub fn compare_trace(ev: &TraceEvent, planner: &Planner<'_>) -> Option<RouteDeviation> {
    if ev.kind != TraceKind::Request {
        return None;
    }
    let url = percent_decode(&ev.url);
    let deviation = |module: String, kind, expected| RouteDeviation {
        line_no: ev.line_no,
        url: ev.url.clone(),
        module,
        kind,
        expected,
    };
    // Checksum database: .../lookup/<path>@<version>
    if let Some((_, key)) = url.split_once("/lookup/") {
        let (path, _version) = key.split_once('@')?;
        let module = gomod::module::unescape_path(path).unwrap_or_else(|_| path.to_string());
        let route = planner.plan(&module);
        return (!route.checksum.database)
            .then(|| deviation(module, DeviationKind::PrivatePathToDatabase, Vec::new()));
    }
    // Direct discovery: https://<module>?go-get=1
    if let Some(target) = url.strip_suffix("?go-get=1") {
        let module = target
            .split_once("://")
            .map_or(target, |(_, r)| r)
            .to_string();
        let route = planner.plan(&module);
        let has_direct = route.hops.iter().any(|h| h.kind == HopKind::Direct);
        return (!has_direct && !route.hops.is_empty())
            .then(|| deviation(module, DeviationKind::DirectNotInRoute, Vec::new()));
    }
    // Module proxy protocol: <base>/<escaped path>/@v/... or /@latest
    let cut = url.find("/@v/").or_else(|| url.find("/@latest"))?;
    let before = &url[..cut];
    let route_bases = |module: &str| -> Vec<String> {
        planner
            .plan(module)
            .hops
            .iter()
            .filter(|h| h.kind == HopKind::Proxy)
            .filter_map(|h| h.url.clone())
            .collect()
    };
    // Try every split of `before` into base + module path, longest module first; the first
    // split whose module path is valid is the one go built (module paths have a dot in their
    // first element, proxy base paths rarely do; a configured base is preferred).
    let candidates: Vec<(String, String)> = before
        .match_indices('/')
        .filter(|(i, _)| *i > before.find("://").map_or(0, |p| p + 2))
        .filter_map(|(i, _)| {
            let base = before[..i].to_string();
            let path = &before[i + 1..];
            let module = gomod::module::unescape_path(path).ok()?;
            gomod::module::check_path(&module).ok()?;
            Some((base, module))
        })
        .collect();
    let (base, module) = candidates
        .iter()
        .find(|(base, module)| route_bases(module).iter().any(|b| trim(b) == trim(base)))
        .or_else(|| candidates.first())?
        .clone();
    let route = planner.plan(&module);
    let expected = route_bases(&module);
    // With no hops at all (GOPROXY does not parse) there is no route to compare with.
    if expected.iter().any(|b| trim(b) == trim(&base)) || route.hops.is_empty() {
        return None;
    }
    let private = route.hops.iter().all(|h| h.kind != HopKind::Proxy)
        && route.hops.iter().any(|h| h.kind == HopKind::Direct);
    let kind = if private {
        DeviationKind::PrivatePathToProxy
    } else {
        DeviationKind::ProxyNotInRoute
    };
    Some(deviation(module, kind, expected))
}

/// A module zip a `-x` trace shows arriving: which source served it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServedModule {
    /// Line of the `# get URL: 200 OK` response in the log.
    pub line_no: u64,
    /// The module path.
    pub module: String,
    /// The version.
    pub version: String,
    /// The proxy base URL that answered (already redacted by the parser): the source the
    /// module came from, whatever GOPROXY lists before it.
    pub source: String,
}

/// Every module zip the trace shows served with 200, in log order: `go -x` prints each
/// response as `# get <base>/<escaped path>/@v/<version>.zip: 200 OK (…)`
/// (cmd/go/internal/web `(*Response).Err` and the `-x` logging in `web/http.go`), which is
/// the only record of which GOPROXY entry a module really came from.
pub fn served_modules(traces: &[TraceEvent]) -> Vec<ServedModule> {
    traces
        .iter()
        .filter(|t| t.kind == TraceKind::Response && t.status == Some(200))
        .filter_map(|t| {
            let url = percent_decode(&t.url);
            let (before, file) = url.rsplit_once("/@v/")?;
            let version = gomod::module::unescape_version(file.strip_suffix(".zip")?).ok()?;
            let host_start = before.find("://").map_or(0, |p| p + 3);
            // The first split whose rest is a valid module path: proxy bases rarely have a
            // dot in a path element before the module's host name.
            before
                .match_indices('/')
                .filter(|(i, _)| *i >= host_start)
                .find_map(|(i, _)| {
                    let module = gomod::module::unescape_path(&before[i + 1..]).ok()?;
                    gomod::module::check_path(&module).ok()?;
                    Some(ServedModule {
                        line_no: t.line_no,
                        module,
                        version: version.clone(),
                        source: before[..i].to_string(),
                    })
                })
        })
        .collect()
}

fn trim(s: &str) -> &str {
    s.trim_end_matches('/')
}

/// Decodes `%XX` escapes (go sends `!` as `%21`); invalid escapes are kept as written.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && s.is_char_boundary(i + 3)
            && let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::{EnvSources, resolve};
    use crate::settings::Settings;

    fn request(line_no: u64, url: &str) -> TraceEvent {
        TraceEvent {
            line_no,
            kind: TraceKind::Request,
            url: url.to_string(),
            status: None,
            seconds: None,
            error: None,
            command: None,
        }
    }

    fn check(vars: &[(&str, &str)], url: &str) -> Option<RouteDeviation> {
        let mut vars = vars.to_vec();
        vars.push(("GOENV", "off"));
        let src = EnvSources::with_process(vars);
        let env = resolve(&src);
        let settings = Settings::from_env(&env, &src);
        compare_trace(&request(7, url), &Planner::new(&settings, &env))
    }

    const PROXY: (&str, &str) = ("GOPROXY", "https://proxy.corp.example,direct");

    #[test]
    fn agreeing_requests_give_nothing() {
        assert_eq!(
            check(
                &[PROXY],
                "https://proxy.corp.example/github.com/%21azure/x/@v/v1.0.0.info"
            ),
            None
        );
        assert_eq!(
            check(
                &[PROXY],
                "https://proxy.corp.example/sumdb/sum.golang.org/lookup/github.com/a/b@v1.0.0"
            ),
            None
        );
        assert_eq!(check(&[PROXY], "https://github.com/a/b?go-get=1"), None);
    }

    #[test]
    fn private_path_sent_to_a_proxy() {
        let d = check(
            &[PROXY, ("GOPRIVATE", "git.corp.example")],
            "https://proxy.golang.org/git.corp.example/team/lib/@v/v1.2.0.mod",
        )
        .unwrap();
        assert_eq!(d.kind, DeviationKind::PrivatePathToProxy);
        assert_eq!(d.module, "git.corp.example/team/lib");
        assert_eq!(d.line_no, 7);
    }

    #[test]
    fn request_to_another_proxy() {
        let d = check(&[PROXY], "https://goproxy.io/github.com/a/b/@latest").unwrap();
        assert_eq!(d.kind, DeviationKind::ProxyNotInRoute);
        assert_eq!(d.module, "github.com/a/b");
        assert_eq!(d.expected, ["https://proxy.corp.example"]);
    }

    #[test]
    fn private_path_looked_up_in_the_database() {
        let d = check(
            &[PROXY, ("GONOSUMDB", "git.corp.example")],
            "https://sum.golang.org/lookup/git.corp.example/team/lib@v1.2.0",
        )
        .unwrap();
        assert_eq!(d.kind, DeviationKind::PrivatePathToDatabase);
        assert_eq!(d.module, "git.corp.example/team/lib");
    }

    #[test]
    fn direct_discovery_not_planned() {
        let d = check(
            &[("GOPROXY", "https://proxy.corp.example")],
            "https://github.com/a/b?go-get=1",
        )
        .unwrap();
        assert_eq!(d.kind, DeviationKind::DirectNotInRoute);
    }

    #[test]
    fn served_modules_name_the_answering_source() {
        let log = "# get https://a.example/p/example.com/!upper/m/@v/v1.0.0.zip\n\
                   # get https://a.example/p/example.com/!upper/m/@v/v1.0.0.zip: 500 Internal Server Error (0.010s)\n\
                   # get http://127.0.0.1:9/example.com/%21upper/m/@v/v1.0.0.zip: 200 OK (0.010s)\n\
                   # get http://127.0.0.1:9/example.com/%21upper/m/@v/v1.0.0.mod: 200 OK (0.010s)\n";
        let traces: Vec<TraceEvent> = crate::diagnose::parse_str(log)
            .into_iter()
            .filter_map(|e| match e {
                crate::diagnose::LogEvent::Trace(t) => Some(t),
                _ => None,
            })
            .collect();
        assert_eq!(traces.len(), 4, "{traces:?}");
        assert_eq!(
            served_modules(&traces),
            [ServedModule {
                line_no: 3,
                module: "example.com/Upper/m".into(),
                version: "v1.0.0".into(),
                source: "http://127.0.0.1:9".into(),
            }]
        );
    }
}
