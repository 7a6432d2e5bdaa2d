//! TLS, git and VCS rules (`tls/custom-roots`, `git/*`, `vcs/permissive`; spec §1.8, §2.5).

use crate::report::{Evidence, Finding, Severity, catalog};
use crate::settings::git::GitScope;
use crate::settings::tls::TlsRoots;

use super::Ctx;

/// Runs the TLS, git and GOVCS rules.
pub fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    roots(ctx, out);
    git(ctx, out);
    govcs(ctx, out);
}

/// `tls/custom-roots`: SSL_CERT_FILE / SSL_CERT_DIR replace the default roots (Unix only; the
/// platform verifier on macOS and Windows ignores them, and then the rule is silent).
fn roots(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let TlsRoots::Files {
        files,
        file_from_env,
        dirs,
        dirs_from_env,
    } = &ctx.input.settings.tls
    else {
        return;
    };
    let mut f = Finding::new(
        &catalog::TLS_CUSTOM_ROOTS,
        "The go command's TLS trust store is replaced: every HTTPS proxy and checksum-database connection trusts these certificate authorities",
    )
    .with_fix("Check that the listed certificate authorities are the ones you intend to trust; unset SSL_CERT_FILE/SSL_CERT_DIR to use the system store.");
    let mut any = false;
    if *file_from_env {
        any = true;
        for file in files {
            let count = count_certs(file);
            f = f
                .with_evidence(
                    Evidence::variable("SSL_CERT_FILE", file.display().to_string())
                        .origin("process environment"),
                )
                .with_affected(match count {
                    Some(n) => format!("{} ({n} certificates)", file.display()),
                    None => format!("{} (unreadable)", file.display()),
                });
        }
    }
    if *dirs_from_env {
        any = true;
        f = f.with_evidence(
            Evidence::variable("SSL_CERT_DIR", ctx.value("SSL_CERT_DIR"))
                .origin("process environment"),
        );
        f.affected
            .extend(dirs.iter().map(|d| d.display().to_string()));
    }
    if any {
        out.push(f);
    }
}

/// Number of PEM certificates in a file (bounded read), `None` if unreadable.
fn count_certs(path: &std::path::Path) -> Option<usize> {
    use std::io::Read;
    let mut data = Vec::new();
    std::fs::File::open(path)
        .ok()?
        .take(16 << 20)
        .read_to_end(&mut data)
        .ok()?;
    let text = String::from_utf8_lossy(&data);
    Some(text.matches("-----BEGIN CERTIFICATE-----").count())
}

fn git_evidence(e: &crate::settings::git::GitConfigEntry) -> Evidence {
    let name = match &e.subsection {
        Some(s) => format!("{}.{s}.{}", e.section, e.key),
        None => format!("{}.{}", e.section, e.key),
    };
    let ev = Evidence::variable(name, e.value.clone().unwrap_or_else(|| "true".into()));
    match e.scope {
        GitScope::Env => ev.origin(format!("process environment ({})", e.file.display())),
        GitScope::System => ev
            .origin("system git config")
            .at(&e.file, u32::try_from(e.line).ok()),
        GitScope::Global => ev
            .origin("global git config")
            .at(&e.file, u32::try_from(e.line).ok()),
    }
}

fn git_unset(e: &crate::settings::git::GitConfigEntry) -> String {
    let name = match &e.subsection {
        Some(s) => format!("{}.{s}.{}", e.section, e.key),
        None => format!("{}.{}", e.section, e.key),
    };
    match e.scope {
        GitScope::Env => format!(
            "Remove {} from the environment (GIT_CONFIG_COUNT/KEY/VALUE).",
            e.file.display()
        ),
        GitScope::System => format!(
            "`git config --system --unset {name}` (line {} of {}).",
            e.line,
            e.file.display()
        ),
        GitScope::Global => format!(
            "`git config --file {} --unset {name}` (line {}).",
            e.file.display(),
            e.line
        ),
    }
}

/// `git/tls-verify-off` and `git/insteadof`.
fn git(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let Some(g) = ctx.input.git else {
        return;
    };
    if g.ssl_no_verify_env {
        out.push(
            Finding::new(
                &catalog::GIT_TLS_VERIFY_OFF,
                "GIT_SSL_NO_VERIFY is set: git (used for direct module fetches) does not verify TLS certificates, even when the variable is empty",
            )
            .with_evidence(
                Evidence::variable(
                    "GIT_SSL_NO_VERIFY",
                    ctx.input.sources.process.get("GIT_SSL_NO_VERIFY").cloned().unwrap_or_default(),
                )
                .origin("process environment"),
            )
            .with_fix("Unset GIT_SSL_NO_VERIFY where it is exported; add the private CA to git with http.sslCAInfo instead."),
        );
    } else if let (false, Some(e)) = g.ssl_verify() {
        out.push(
            Finding::new(
                &catalog::GIT_TLS_VERIFY_OFF,
                "git config sets http.sslVerify=false: git does not verify TLS certificates for any host",
            )
            .with_evidence(git_evidence(e))
            .with_fix(git_unset(e)),
        );
    }
    for e in g.ssl_verify_disabled_for_urls() {
        let url = e.subsection.clone().unwrap_or_default();
        out.push(
            Finding::new(
                &catalog::GIT_TLS_VERIFY_OFF,
                format!("git config sets http.sslVerify=false for {url}"),
            )
            .with_evidence(git_evidence(e))
            .with_affected(url)
            .with_fix(git_unset(e)),
        );
    }
    for (rule, e) in g.instead_of() {
        let from_secure = rule.prefix.starts_with("https://");
        let to_plain = rule.base.starts_with("http://") || rule.base.starts_with("git://");
        let (sev, msg) = if from_secure && to_plain {
            (
                Severity::High,
                format!(
                    "git rewrites {} to {}: HTTPS fetches become unauthenticated plain-text fetches",
                    rule.prefix, rule.base
                ),
            )
        } else {
            (
                Severity::Info,
                format!("git rewrites {} to {}", rule.prefix, rule.base),
            )
        };
        out.push(
            Finding::new(&catalog::GIT_INSTEADOF, msg)
                .with_severity(sev)
                .with_evidence(git_evidence(e))
                .with_affected(rule.prefix.clone())
                .with_fix(if sev == Severity::High {
                    format!("Rewrite to an https:// or ssh:// URL instead, or remove the rule: {}", git_unset(e))
                } else {
                    "Nothing to change if the rewrite is intended (e.g. https to ssh for private repositories).".into()
                }),
        );
    }
}

/// `vcs/permissive`: a GOVCS rule that allows every VCS for public modules (`public:all`, or
/// `*:all`-like patterns matching public paths, before any narrower rule).
fn govcs(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let Ok(g) = &ctx.input.settings.govcs else {
        return;
    };
    for r in &g.rules {
        if !r.allowed.iter().any(|a| a == "all") {
            continue;
        }
        let public = match r.pattern.as_str() {
            "public" => true,
            "private" => false,
            p => !super::public_hosts::public_matches(
                |t| gomod::pattern::match_prefix_patterns(p, t),
                |t| ctx.in_scope(t),
            )
            .is_empty(),
        };
        if public {
            out.push(
                Finding::new(
                    &catalog::VCS_PERMISSIVE,
                    format!(
                        "GOVCS rule {}:{} lets public modules use every version control system (svn, fossil, ... and their attack surface)",
                        r.pattern,
                        r.allowed.join("|")
                    ),
                )
                .with_evidence(ctx.evidence("GOVCS"))
                .with_affected(r.pattern.clone())
                .with_fix(super::unset_fix(&ctx.origin("GOVCS"), "GOVCS")),
            );
            break;
        }
    }
}
