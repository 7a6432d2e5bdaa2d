//! TLS, git and VCS rules (`tls/non-public-ca`, `tls/custom-roots`, `git/*`, `vcs/permissive`).
//!
//! Trust roots follow `crypto/x509/root_unix.go`; git's own TLS switches are git's
//! (`http.sslVerify`, `GIT_SSL_NO_VERIFY`), which `cmd/go/internal/vcs` leaves to git.

use crate::net::truststore::TrustStore;
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

/// `tls/non-public-ca` and `tls/custom-roots`: every CA of go's effective trust store
/// (`crypto/x509` `loadSystemRoots`, read by [`TrustStore::load`]) is classified against the
/// public-root reference. Each CA that is not a public root is a finding (it can issue a
/// certificate for any host go contacts); SSL_CERT_FILE/SSL_CERT_DIR replacing the store with
/// one that holds no certificate is a finding (go fails every HTTPS request); a store of
/// public roots, moved or not, says nothing. macOS and Windows use the
/// OS verifier (SSL_CERT_FILE/SSL_CERT_DIR are ignored there) and the rule is silent.
fn roots(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let tls = &ctx.input.settings.tls;
    let TlsRoots::Files {
        file_from_env,
        dirs_from_env,
        ..
    } = tls
    else {
        return;
    };
    let store = TrustStore::load(tls);
    let env_evidence = |mut evidence: Vec<Evidence>| {
        if *file_from_env {
            evidence.push(
                Evidence::variable("SSL_CERT_FILE", ctx.value("SSL_CERT_FILE"))
                    .origin("process environment"),
            );
        }
        if *dirs_from_env {
            evidence.push(
                Evidence::variable("SSL_CERT_DIR", ctx.value("SSL_CERT_DIR"))
                    .origin("process environment"),
            );
        }
        evidence
    };
    let non_public: Vec<_> = store.non_public().collect();
    let summary = store.summary();
    for ca in &non_public {
        let reach = if ca.name_constraints {
            "the hosts its name constraints allow"
        } else {
            "any HTTPS host go contacts (GOPROXY, GOSUMDB, direct fetches)"
        };
        let mut f = Finding::new(
            &catalog::TLS_NON_PUBLIC_CA,
            format!(
                "{} (SHA-256 {}) in {} is not a public root: it can issue certificates for {reach}",
                ca.cert.subject,
                ca.cert.sha256,
                ca.location()
            ),
        )
        .with_affected(ca.cert.subject.clone())
        .with_evidence(
            Evidence::variable("CA", ca.cert.subject.clone())
                .at(&ca.file, u32::try_from(ca.position).ok()),
        )
        .with_evidence(Evidence::variable("trust store", summary.clone()));
        for e in env_evidence(Vec::new()) {
            f = f.with_evidence(e);
        }
        out.push(f);
    }
    // A store moved away from the platform default that holds only public roots is a
    // choice, not a risk; one that holds nothing go can use fails every HTTPS request.
    if !store.default_location && store.cas.is_empty() {
        let mut f = Finding::new(
            &catalog::TLS_CUSTOM_ROOTS,
            "go's trust store is replaced by one without a single readable certificate: every HTTPS request of go fails with \"x509: certificate signed by unknown authority\"",
        );
        for e in env_evidence(Vec::new()) {
            f = f.with_evidence(e);
        }
        out.push(f);
    }
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

#[cfg(test)]
mod tests {
    use crate::net::truststore::TrustStore;
    use crate::settings::tls::TlsRoots;

    /// A real self-signed certificate (O=gotrust, CN=gotrust test CA), made with openssl.
    const PEM: &str = include_str!("../../tests/fixtures/audit/tls/non-public-ca/fires/ca.pem");

    #[test]
    fn a_test_ca_is_not_public_and_undecodable_blocks_are_counted() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("ca.pem");
        std::fs::write(
            &p,
            format!("{PEM}junk\n-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
        )
        .unwrap();
        let store = TrustStore::load(&TlsRoots::from_vars(
            "linux",
            p.to_str().unwrap(),
            "/nonexistent",
        ));
        let subjects: Vec<&str> = store
            .non_public()
            .map(|c| c.cert.subject.as_str())
            .collect();
        assert_eq!(subjects, ["O=gotrust, CN=gotrust test CA"]);
        assert_eq!(store.undecodable, 1);
    }
}
