//! Text and Mermaid renderings of routes (`gotrust explain`). JSON is the serde form of
//! [`Route`] under `{"routes": [...]}`, built by the CLI.

use std::fmt::Write as _;

use super::{HopFallback, HopKind, Route, WalkEnd};

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
        let sum = if r.checksum.database {
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
