use super::*;
use crate::env::{EnvSources, resolve};

fn route_for(vars: &[(&str, &str)], target: &str) -> Route {
    // Without $GOROOT/go.env the built-in GOPROXY is empty (an error), so set the usual one.
    let mut all = vec![
        ("GOENV", "off"),
        ("HOME", "/h"),
        ("GOPROXY", "https://proxy.golang.org,direct"),
    ];
    all.extend_from_slice(vars);
    let mut src = EnvSources::with_process(all);
    src.goos = "linux".into();
    let env = resolve(&src);
    let settings = Settings::from_env(&env, &src);
    plan(target, &settings, &env)
}

fn kinds(r: &Route) -> Vec<(HopKind, HopFallback)> {
    r.hops.iter().map(|h| (h.kind, h.fallback)).collect()
}

#[test]
fn default_route() {
    let r = route_for(
        &[
            ("GOPROXY", "https://proxy.golang.org,direct"),
            ("GOSUMDB", "sum.golang.org"),
        ],
        "github.com/Azure/azure-sdk-for-go@v1.0.0-RC1",
    );
    assert_eq!(
        kinds(&r),
        [
            (HopKind::Proxy, HopFallback::NotFound),
            (HopKind::Direct, HopFallback::None)
        ]
    );
    assert_eq!(
        r.hops[0].requests,
        [
            "https://proxy.golang.org/github.com/%21azure/azure-sdk-for-go/@v/v1.0.0-%21r%21c1.info",
            "https://proxy.golang.org/github.com/%21azure/azure-sdk-for-go/@v/v1.0.0-%21r%21c1.mod",
            "https://proxy.golang.org/github.com/%21azure/azure-sdk-for-go/@v/v1.0.0-%21r%21c1.zip",
        ]
    );
    let d = r.hops[1].direct.as_ref().unwrap();
    assert_eq!(d.static_host.as_deref(), Some("github.com"));
    assert!(d.discovery.is_empty());
    assert_eq!(d.git_schemes, ["https", "git+ssh", "ssh"]);
    assert!(r.checksum.database);
    let a = r.checksum.access.as_ref().unwrap();
    assert_eq!(
        a.probes[0].url,
        "https://proxy.golang.org/sumdb/sum.golang.org/supported"
    );
    assert_eq!(a.direct_url, "https://sum.golang.org");
    assert_eq!(a.then, WalkEnd::Direct);
    assert_eq!(
        a.probes[0].lookup.as_deref(),
        Some(
            "https://proxy.golang.org/sumdb/sum.golang.org/lookup/github.com/!azure/azure-sdk-for-go@v1.0.0-!r!c1"
        )
    );
    assert_eq!(r.verdict, Verdict::DatabaseVerified);
}

#[test]
fn gonoproxy_goes_direct_even_with_off() {
    let r = route_for(
        &[("GOPROXY", "off"), ("GOPRIVATE", "*.corp.example")],
        "git.corp.example/x/y",
    );
    assert_eq!(kinds(&r), [(HopKind::Direct, HopFallback::None)]);
    assert_eq!(r.hops[0].entry, "noproxy");
    let d = r.hops[0].direct.as_ref().unwrap();
    assert_eq!(d.discovery[0].url, "https://git.corp.example/x/y?go-get=1");
    assert!(d.govcs_private);
    assert!(d.govcs.iter().all(|v| v.allowed), "private:all by default");
    assert!(!r.checksum.database);
    assert_eq!(r.checksum.reason, ChecksumReason::GonosumdbMatch);
    assert_eq!(r.verdict, Verdict::TrustOnFirstUse);
    let vars: Vec<_> = r.matched.iter().map(|m| m.variable).collect();
    assert_eq!(vars, ["GOPRIVATE", "GONOPROXY", "GONOSUMDB"]);
    assert_eq!(r.matched[1].origin, "derived from GOPRIVATE");
    // A public path is blocked by off.
    let r = route_for(
        &[("GOPROXY", "off"), ("GOPRIVATE", "*.corp.example")],
        "example.com/m",
    );
    assert_eq!(kinds(&r), [(HopKind::Off, HopFallback::None)]);
    assert_eq!(
        r.hops[0].error.as_deref(),
        Some("module lookup disabled by GOPROXY=off")
    );
}

#[test]
fn pipe_comma_and_insecure() {
    let r = route_for(
        &[
            ("GOPROXY", "http://a.example|https://b.example/p/,direct"),
            ("GOINSECURE", "example.com"),
            ("GOSUMDB", "off"),
        ],
        "example.com/m@v1.0.0",
    );
    assert_eq!(
        kinds(&r),
        [
            (HopKind::Proxy, HopFallback::AnyError),
            (HopKind::Proxy, HopFallback::NotFound),
            (HopKind::Direct, HopFallback::None)
        ]
    );
    assert!(r.hops[0].plain_http);
    assert_eq!(
        r.hops[1].requests[0],
        "https://b.example/p/example.com/m/@v/v1.0.0.info"
    );
    let d = r.hops[2].direct.as_ref().unwrap();
    assert!(d.insecure);
    assert_eq!(d.discovery.len(), 2);
    assert!(!d.discovery[0].tls_verified);
    assert_eq!(d.discovery[0].timeout_secs, Some(5));
    assert_eq!(d.discovery[1].url, "http://example.com/m?go-get=1");
    assert_eq!(d.git_schemes, ["git", "https", "http", "git+ssh", "ssh"]);
    assert_eq!(r.verdict, Verdict::NoTlsNoChecksum);
    // The walk: a 500 after `|` moves on; a 500 after `,` stops.
    let w = r.walk("info", |_| Outcome::Failed);
    assert_eq!(w.requests.len(), 2);
    assert!(!w.not_found);
    let w = r.walk("info", |_| Outcome::NotFound);
    assert_eq!(
        w.requests,
        [
            "http://a.example/example.com/m/@v/v1.0.0.info",
            "https://b.example/p/example.com/m/@v/v1.0.0.info",
            "https://example.com/m?go-get=1",
        ]
    );
}

#[test]
fn git_allow_protocol() {
    let r = route_for(
        &[("GIT_ALLOW_PROTOCOL", "http:https"), ("GOPROXY", "direct")],
        "example.com/r.git",
    );
    let d = r.hops[0].direct.as_ref().unwrap();
    assert_eq!(d.git_schemes, ["https", "http"]);
    assert!(d.discovery.is_empty());
    assert_eq!(d.static_host.as_deref(), Some("example.com (.git suffix)"));
}

#[test]
fn config_errors_are_data() {
    let r = route_for(&[("GOPROXY", "noproxy")], "example.com/m");
    assert!(r.hops.is_empty());
    assert_eq!(
        r.errors[0].message,
        "invalid proxy URL missing scheme: noproxy"
    );
    assert_eq!(r.verdict, Verdict::ConfigError);
    let r = route_for(&[("GOSUMDB", "sum.golang.org+insecure")], "example.com/m");
    assert_eq!(
        r.checksum.error.as_deref(),
        Some("invalid GOSUMDB: malformed verifier id")
    );
    assert_eq!(r.checksum.reason, ChecksumReason::GosumdbInvalid);
    assert_eq!(r.verdict, Verdict::ConfigError);
    // Invalid but irrelevant: GONOSUMDB skips the database.
    let r = route_for(
        &[("GOSUMDB", "a b c"), ("GONOSUMDB", "example.com")],
        "example.com/m",
    );
    assert!(r.checksum.error.is_none());
    assert_eq!(r.verdict, Verdict::TrustOnFirstUse);
}

#[test]
fn toolchain_exception() {
    let r = route_for(
        &[("GOSUMDB", "off")],
        "golang.org/toolchain@v0.0.1-go1.99.linux-amd64",
    );
    assert!(r.checksum.database);
    assert_eq!(r.checksum.reason, ChecksumReason::ToolchainRequired);
    assert_eq!(
        r.checksum.error.as_deref(),
        Some("checksum database disabled by GOSUMDB=off")
    );
    assert_eq!(r.verdict, Verdict::ConfigError);
    let r = route_for(
        &[("GOPRIVATE", "golang.org"), ("GOSUMDB", "sum.golang.org")],
        "golang.org/toolchain",
    );
    assert!(r.checksum.database);
    let r = route_for(
        &[("GOPROXY", "file:///srv/p"), ("GOSUMDB", "off")],
        "golang.org/toolchain",
    );
    assert!(!r.checksum.database);
    assert_eq!(r.checksum.reason, ChecksumReason::ToolchainExempt);
}

#[test]
fn sumdb_walk_ranks_like_go() {
    let r = route_for(
        &[
            ("GOPROXY", "https://a.example|https://b.example"),
            ("GOSUMDB", "sum.golang.org"),
        ],
        "example.com/m",
    );
    let a = r.checksum.access.as_ref().unwrap();
    // 500 on a (`|`), 404 on b: the proxy error wins, the database is unusable.
    let (w, base) = a.walk(|u| {
        if u.contains("a.example") {
            Outcome::Failed
        } else {
            Outcome::NotFound
        }
    });
    assert_eq!(w.requests.len(), 2);
    assert_eq!(base, None);
    // The same with `direct` at the end: direct's not-found outranks it.
    let r = route_for(
        &[
            ("GOPROXY", "https://a.example|direct"),
            ("GOSUMDB", "sum.golang.org"),
        ],
        "example.com/m",
    );
    let (_, base) = r
        .checksum
        .access
        .as_ref()
        .unwrap()
        .walk(|_| Outcome::Failed);
    assert_eq!(base.unwrap().base, "https://sum.golang.org");
    // Explicit URL: no probes.
    let r = route_for(
        &[("GOSUMDB", "sum.golang.org https://sum.example/db")],
        "example.com/M@v1.0.0",
    );
    // Below a path, web.Join's raw path no longer matches: `!` goes out as %21.
    assert_eq!(
        r.checksum.access.as_ref().unwrap().lookup.as_deref(),
        Some("https://sum.example/db/lookup/example.com/%21m@v1.0.0")
    );
    let (w, base) = r
        .checksum
        .access
        .as_ref()
        .unwrap()
        .walk(|_| Outcome::Failed);
    assert!(w.requests.is_empty());
    assert_eq!(base.unwrap().base, "https://sum.example/db");
}

#[test]
fn http_proxy_and_redaction() {
    let r = route_for(
        &[
            ("GOPROXY", "https://u:secret@p.example/"),
            ("HTTPS_PROXY", "http://pu:pw@corp-proxy:3128"),
        ],
        "example.com/m@v1.0.0",
    );
    let h = &r.hops[0];
    assert_eq!(h.url.as_deref(), Some("https://xxxxx:xxxxx@p.example/"));
    let p = h.http_proxy.as_ref().unwrap();
    assert_eq!(
        p.proxy.as_deref(),
        Some("http://xxxxx:xxxxx@corp-proxy:3128")
    );
    let json = serde_json::to_string(&r).unwrap();
    assert!(!json.contains("secret") && !json.contains(":pw@"), "{json}");
}

#[test]
fn vendor_mode_disables_lookup() {
    let r = route_for(&[("GOFLAGS", "-mod=vendor")], "example.com/m");
    assert!(
        r.hops
            .iter()
            .all(|h| h.error.as_deref() == Some("module lookup disabled by -mod=vendor"))
    );
    assert!(r.walk("info", |_| Outcome::Ok).requests.is_empty());
}

#[test]
fn go_sum_verdict() {
    let mut src = EnvSources::with_process([
        ("GOENV", "off"),
        ("GOSUMDB", "off"),
        ("GOPROXY", "https://proxy.golang.org"),
    ]);
    src.goos = "linux".into();
    let env = resolve(&src);
    let s = Settings::from_env(&env, &src);
    let p = Planner::new(&s, &env).with_go_sum(["example.com/a".to_string()]);
    assert_eq!(p.plan("example.com/a").errors, []);
    assert_eq!(p.plan("example.com/a").verdict, Verdict::GoSumOnly);
    assert_eq!(p.plan("example.com/b").verdict, Verdict::TrustOnFirstUse);
    assert_eq!(p.plan("example.com/b").checksum.in_go_sum, Some(false));
}

/// An explicit GONOSUMDB replaces GOPRIVATE's contribution to it (cmd/go/internal/cfg
/// `GONOSUMDB` defaults to GOPRIVATE only when unset): the private path is fetched directly
/// and still looked up in the database. The verdict says so, as audit does.
#[test]
fn explicit_gonosumdb_leaks_goprivate_paths() {
    let vars = [
        ("GOPRIVATE", "github.com/mycorp/*"),
        ("GONOSUMDB", "github.com/google"),
        ("GOSUMDB", "sum.golang.org"),
    ];
    let r = route_for(&vars, "github.com/mycorp/secret");
    assert_eq!(r.verdict, Verdict::PrivatePathLeak);
    assert!(r.checksum.database);
    assert!(r.hops.iter().all(|h| h.kind == HopKind::Direct));
    assert!(render_text(std::slice::from_ref(&r)).contains("sumdb/private-path-leak"));
    assert!(!render_mermaid(std::slice::from_ref(&r)).contains("database-verified"));
    // A public path under the same settings is verified as usual.
    let r = route_for(&vars, "github.com/google/uuid");
    assert_eq!(r.verdict, Verdict::TrustOnFirstUse);
    let r = route_for(&vars, "golang.org/x/text");
    assert_eq!(r.verdict, Verdict::DatabaseVerified);
}

/// GOPROXY=off: nothing is downloaded, so nothing is verified either.
#[test]
fn goproxy_off_is_lookup_disabled() {
    let r = route_for(
        &[("GOPROXY", "off"), ("GOSUMDB", "sum.golang.org")],
        "golang.org/x/text@latest",
    );
    assert_eq!(r.verdict, Verdict::LookupDisabled);
    for text in [
        render_text(std::slice::from_ref(&r)),
        render_mermaid(std::slice::from_ref(&r)),
    ] {
        assert!(!text.contains("database-verified"), "{text}");
        assert!(text.contains("lookup-disabled"), "{text}");
    }
}

/// `@latest` lists the versions first; the `.info` asked for is the chosen version's,
/// never `latest.info` (modload/query.go `queryProxy`).
#[test]
fn queries_request_what_go_requests() {
    let r = route_for(&[("GOSUMDB", "sum.golang.org")], "golang.org/x/text@latest");
    let reqs = &r.hops[0].requests;
    assert_eq!(
        reqs[0],
        "https://proxy.golang.org/golang.org/x/text/@v/list"
    );
    assert!(
        reqs.iter()
            .all(|u| !u.contains("latest.info") && !u.contains("latest.mod"))
    );
    assert!(reqs.iter().any(|u| u.ends_with("/@v/<chosen>.zip")));
    let r = route_for(&[], "golang.org/x/text@master");
    assert_eq!(
        r.hops[0].requests[0],
        "https://proxy.golang.org/golang.org/x/text/@v/master.info"
    );
    let r = route_for(&[], "golang.org/x/text@>=v1.0.0");
    assert!(r.hops[0].requests.len() >= 4);
    let r = route_for(&[], "golang.org/x/text@v1");
    assert!(r.hops[0].requests[1].ends_with("/@v/list"));
    let r = route_for(&[], "golang.org/x/text@upgrade");
    assert!(r.hops[0].requests.is_empty());
    assert_eq!(r.query.as_ref().unwrap().kind, QueryKind::Refused);
}

/// With both go.sum lines of the version, go makes no checksum-database request.
#[test]
fn go_sum_lines_skip_the_database() {
    let mut src = EnvSources::with_process([
        ("GOENV", "off"),
        ("HOME", "/h"),
        ("GOPROXY", "https://proxy.golang.org,direct"),
        ("GOSUMDB", "sum.golang.org"),
    ]);
    src.goos = "linux".into();
    let env = resolve(&src);
    let settings = Settings::from_env(&env, &src);
    let p = Planner::new(&settings, &env).with_go_sum_lines([
        ("example.com/a".to_string(), "v1.0.0".to_string()),
        ("example.com/a".to_string(), "v1.0.0/go.mod".to_string()),
        ("example.com/b".to_string(), "v1.0.0/go.mod".to_string()),
    ]);
    let a = p.plan("example.com/a@v1.0.0");
    assert!(a.checksum.covered_by_go_sum && a.checksum.access.is_none());
    assert_eq!(a.verdict, Verdict::DatabaseVerified);
    let b = p.plan("example.com/b@v1.0.0");
    assert!(!b.checksum.covered_by_go_sum && b.checksum.access.is_some());
}
