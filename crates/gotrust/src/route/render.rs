//! Text and Mermaid renderings of routes (`gotrust explain`). JSON is the serde form of
//! [`Route`] under `{"routes": [...]}`, built by the CLI.

use std::fmt::Write as _;

use super::{HopFallback, HopKind, QueryKind, Route, Verdict, WalkEnd};

fn fallback_text(f: HopFallback) -> &'static str {
    match f {
        HopFallback::NotFound => "on 404/410 try the next hop (`,`)",
        HopFallback::AnyError => "on any error try the next hop (`|`)",
        HopFallback::None => "no fallback",
    }
}

/// A readable route per module, separated by blank lines.
pub fn render_text(routes: &[Route]) -> String {
    let mut out = String::new();
    for (n, r) in routes.iter().enumerate() {
        if n > 0 {
            out.push('\n');
        }
        let _ = write!(out, "{}", r.module);
        if let Some(v) = &r.version {
            let _ = write!(out, "@{v}");
        }
        let _ = writeln!(out, "  [{}]", r.verdict.name());
        if let Some(q) = &r.query {
            let _ = writeln!(out, "  query: {}", query_text(q));
        }
        match r.verdict {
            Verdict::PrivatePathLeak => {
                let _ = writeln!(
                    out,
                    "  private-path-leak (audit: sumdb/private-path-leak): fetched directly as GONOPROXY says, but not in GONOSUMDB: versions not in go.sum are looked up in the checksum database, which receives the path and cannot serve private code"
                );
            }
            Verdict::LookupDisabled => {
                let _ = writeln!(
                    out,
                    "  lookup-disabled: no hop can download it; only the module cache (or vendor directory) can serve it"
                );
            }
            _ => {}
        }
        for e in &r.errors {
            let _ = writeln!(out, "  error: {}: {} ({})", e.variable, e.message, e.origin);
        }
        for m in &r.matched {
            let _ = writeln!(out, "  matches {}={} ({})", m.variable, m.pattern, m.origin);
        }
        for (i, h) in r.hops.iter().enumerate() {
            let _ = write!(out, "  {}. ", i + 1);
            match h.kind {
                HopKind::Proxy => {
                    let _ = write!(out, "proxy {}", h.url.as_deref().unwrap_or(""));
                    if h.plain_http {
                        out.push_str(" (plain HTTP)");
                    }
                }
                HopKind::Direct => {
                    out.push_str("direct (VCS)");
                    if h.entry == "noproxy" {
                        out.push_str(" via GONOPROXY");
                    }
                }
                HopKind::Off => out.push_str("off"),
            }
            let _ = writeln!(out, "; {}", fallback_text(h.fallback));
            if let Some(e) = &h.error {
                let _ = writeln!(out, "     fails: {e}");
            }
            for u in &h.requests {
                let _ = writeln!(out, "     GET {u}");
            }
            if let Some(p) = &h.http_proxy
                && let Some(via) = &p.proxy
            {
                let _ = writeln!(out, "     through HTTP proxy {via}");
            }
            if let Some(d) = &h.direct {
                if let Some(s) = &d.static_host {
                    let _ = writeln!(out, "     repository known without discovery: {s}");
                }
                for a in &d.discovery {
                    let _ = write!(out, "     GET {}", a.url);
                    if !a.tls_verified && a.url.starts_with("https:") {
                        out.push_str(" (TLS not verified");
                        if let Some(t) = a.timeout_secs {
                            let _ = write!(out, ", {t} s timeout");
                        }
                        out.push(')');
                    }
                    if a.when != "always" {
                        out.push_str(" (after an https transport error)");
                    }
                    out.push('\n');
                }
                let _ = writeln!(out, "     git schemes: {}", d.git_schemes.join(", "));
                if let Some(e) = &d.govcs_error {
                    let _ = writeln!(out, "     GOVCS invalid: {e}");
                } else {
                    let allowed: Vec<&str> = d
                        .govcs
                        .iter()
                        .filter(|v| v.allowed)
                        .map(|v| v.vcs)
                        .collect();
                    let _ = writeln!(
                        out,
                        "     GOVCS ({}): {}",
                        if d.govcs_private { "private" } else { "public" },
                        if allowed.is_empty() {
                            "none allowed".to_string()
                        } else {
                            allowed.join(", ")
                        }
                    );
                }
            }
        }
        let c = &r.checksum;
        if c.database {
            let _ = write!(out, "  checksum database: yes ({})", reason_text(r));
        } else {
            let _ = write!(out, "  checksum database: no ({})", reason_text(r));
        }
        out.push('\n');
        if c.covered_by_go_sum {
            let _ = writeln!(
                out,
                "     no database request: go.sum has both lines of this version"
            );
        }
        if let Some(e) = &c.error {
            let _ = writeln!(out, "     fails: {e}");
        }
        if let Some(a) = &c.access {
            if let Some(u) = &a.url {
                let _ = writeln!(
                    out,
                    "     {} at {u} (GOSUMDB URL, proxies not probed)",
                    a.name
                );
            } else {
                for p in &a.probes {
                    let _ = writeln!(
                        out,
                        "     probe GET {}; {}",
                        p.url,
                        fallback_text(p.fallback)
                    );
                }
                let end = match a.then {
                    WalkEnd::Direct => "reached `direct`",
                    WalkEnd::Off => "reached `off`",
                    WalkEnd::None => "every probe not found",
                };
                let _ = writeln!(out, "     otherwise ({end}): {}", a.direct_url);
            }
        }
        if let Some(g) = c.in_go_sum {
            let _ = writeln!(out, "  in go.sum: {}", if g { "yes" } else { "no" });
        }
    }
    out
}

/// How go answers the query, in words.
fn query_text(q: &super::Query) -> String {
    match q.kind {
        QueryKind::Version => format!("{}: a version, asked for directly", q.text),
        QueryKind::BuildMetadata => format!(
            "{}: a version with build metadata, asked for as written and then as {}",
            q.text,
            q.canonical().unwrap_or_default()
        ),
        QueryKind::Revision => format!(
            "{}: a revision (branch, tag or commit), asked for directly; the proxy answers the version",
            q.text
        ),
        QueryKind::Refused => format!(
            "{}: refused before any request: {}",
            q.text,
            q.error.as_deref().unwrap_or("")
        ),
        QueryKind::Select => {
            let mut s = format!("{}: chosen from the version list", q.text);
            if !q.prefix.is_empty() {
                let _ = write!(s, ", prefix {}", q.prefix);
            }
            if let Some(f) = serde_json::to_value(&q.filter)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
            {
                let _ = write!(s, ", {f}");
            }
            s.push_str(if q.prefer_lower {
                ", lowest release (else prerelease) wins"
            } else {
                ", highest release (else prerelease) wins"
            });
            if q.may_use_latest {
                s.push_str("; @latest when nothing matches");
            }
            if q.checks_retractions {
                s.push_str("; <latest> is read first for retractions");
            }
            s
        }
    }
}

fn reason_text(r: &Route) -> &'static str {
    use super::ChecksumReason::*;
    match r.checksum.reason {
        Enabled => "GOSUMDB set, path not in GONOSUMDB",
        GosumdbOff => "GOSUMDB=off",
        GonosumdbMatch => "path matches GONOSUMDB",
        GosumdbInvalid => "GOSUMDB is invalid",
        ToolchainRequired => "golang.org/toolchain always uses it",
        ToolchainExempt => "golang.org/toolchain from a file proxy or proxy.golang.org",
    }
}

/// Mermaid text is a label inside `"..."`: quotes become `#quot;`.
fn label(s: &str) -> String {
    s.replace('"', "#quot;")
}

/// One Mermaid flowchart per module (fenced blocks separated by blank lines).
pub fn render_mermaid(routes: &[Route]) -> String {
    let mut out = String::new();
    for (n, r) in routes.iter().enumerate() {
        if n > 0 {
            out.push('\n');
        }
        out.push_str("```mermaid\nflowchart LR\n");
        let _ = writeln!(out, "  m[\"{}\"]", label(&r.module));
        let mut prev = "m".to_string();
        let mut edge = String::new();
        for e in &r.errors {
            let _ = writeln!(
                out,
                "  m --> err[\"{}: {}\"]",
                e.variable,
                label(&e.message)
            );
        }
        for (i, h) in r.hops.iter().enumerate() {
            let id = format!("h{i}");
            let text = match h.kind {
                HopKind::Proxy => format!(
                    "proxy {}{}",
                    h.url.as_deref().unwrap_or(""),
                    if h.plain_http { " (plain HTTP)" } else { "" }
                ),
                HopKind::Direct => format!(
                    "direct VCS{}{}",
                    if h.entry == "noproxy" {
                        " (GONOPROXY)"
                    } else {
                        ""
                    },
                    if h.plain_http { " (GOINSECURE)" } else { "" }
                ),
                HopKind::Off => "off: lookup disabled".to_string(),
            };
            let _ = writeln!(out, "  {id}[\"{}\"]", label(&text));
            if edge.is_empty() {
                let _ = writeln!(out, "  {prev} --> {id}");
            } else {
                let _ = writeln!(out, "  {prev} -- \"{edge}\" --> {id}");
            }
            prev = id;
            edge = match h.fallback {
                HopFallback::NotFound => "404/410".into(),
                HopFallback::AnyError => "any error".into(),
                HopFallback::None => String::new(),
            };
        }
        let sum = if r.verdict == Verdict::LookupDisabled {
            "nothing downloaded: lookup disabled".to_string()
        } else if r.checksum.covered_by_go_sum {
            "go.sum lines (no database request)".to_string()
        } else if r.checksum.database {
            match &r.checksum.access {
                Some(a) => format!("checksum database {}", a.name),
                None => "checksum database (unusable)".to_string(),
            }
        } else {
            "no checksum database".to_string()
        };
        let _ = writeln!(out, "  m -.-> sum[\"{}\"]", label(&sum));
        let _ = writeln!(out, "  sum -.-> v[\"{}\"]", r.verdict.name());
        out.push_str("```\n");
    }
    out
}
