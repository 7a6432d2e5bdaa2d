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
            let subjects = cert_subjects(file);
            f = f
                .with_evidence(
                    Evidence::variable("SSL_CERT_FILE", file.display().to_string())
                        .origin("process environment"),
                )
                .with_affected(match &subjects {
                    Some(s) => format!("{} ({} certificates)", file.display(), s.len()),
                    None => format!("{} (unreadable)", file.display()),
                });
            if let Some(s) = subjects {
                f.affected.extend(s);
            }
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

/// Subjects of the PEM certificates in a file (bounded read), `None` if unreadable. A
/// certificate whose subject cannot be decoded is listed as `<undecodable certificate>`.
fn cert_subjects(path: &std::path::Path) -> Option<Vec<String>> {
    use base64::Engine;
    use std::io::Read;
    let mut data = Vec::new();
    std::fs::File::open(path)
        .ok()?
        .take(16 << 20)
        .read_to_end(&mut data)
        .ok()?;
    let text = String::from_utf8_lossy(&data);
    let mut out = Vec::new();
    let mut rest = text.as_ref();
    while let Some(i) = rest.find("-----BEGIN CERTIFICATE-----") {
        rest = &rest[i + 27..];
        let end = rest.find("-----END CERTIFICATE-----").unwrap_or(rest.len());
        let b64: String = rest[..end].split_whitespace().collect();
        rest = &rest[end..];
        let subject = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .ok()
            .and_then(|der| subject_of(&der));
        out.push(subject.unwrap_or_else(|| "<undecodable certificate>".into()));
    }
    Some(out)
}

/// One DER TLV: (tag, content, rest).
fn tlv(b: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, b) = b.split_first()?;
    let (&l0, mut b) = b.split_first()?;
    let len = if l0 < 0x80 {
        usize::from(l0)
    } else {
        let n = usize::from(l0 & 0x7f);
        if n == 0 || n > 4 || b.len() < n {
            return None;
        }
        let v = b[..n]
            .iter()
            .fold(0usize, |a, &x| (a << 8) | usize::from(x));
        b = &b[n..];
        v
    };
    (b.len() >= len).then(|| (tag, &b[..len], &b[len..]))
}

/// The subject of a DER certificate as `CN=…, O=…` (the attributes present of those two).
fn subject_of(der: &[u8]) -> Option<String> {
    let (_, cert, _) = tlv(der)?;
    let (_, tbs, _) = tlv(cert)?;
    let mut b = tbs;
    let (tag, _, r) = tlv(b)?;
    if tag == 0xa0 {
        b = r; // explicit version
    }
    // serial, signature algorithm, issuer, validity
    for _ in 0..4 {
        b = tlv(b)?.2;
    }
    let (_, name, _) = tlv(b)?;
    let mut parts = Vec::new();
    let mut sets = name;
    while !sets.is_empty() {
        let (_, set, r) = tlv(sets)?;
        sets = r;
        let (_, atv, _) = tlv(set)?;
        let (_, oid, r) = tlv(atv)?;
        let (vtag, val, _) = tlv(r)?;
        let label = match oid {
            [0x55, 0x04, 0x03] => "CN",
            [0x55, 0x04, 0x0a] => "O",
            _ => continue,
        };
        if matches!(vtag, 0x0c | 0x13 | 0x14 | 0x16) {
            parts.push(format!("{label}={}", String::from_utf8_lossy(val)));
        }
    }
    (!parts.is_empty()).then(|| parts.join(", "))
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
    use super::*;

    /// A real self-signed certificate (O=gotrust, CN=gotrust test CA), made with openssl.
    const PEM: &str = include_str!("../../tests/fixtures/audit/tls/custom-roots/fires/ca.pem");

    #[test]
    fn subjects() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("ca.pem");
        std::fs::write(
            &p,
            format!("{PEM}junk\n-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
        )
        .unwrap();
        assert_eq!(
            cert_subjects(&p).unwrap(),
            ["O=gotrust, CN=gotrust test CA", "<undecodable certificate>"]
        );
        assert_eq!(cert_subjects(&dir.path().join("missing")), None);
        assert_eq!(tlv(&[0x30, 0x85, 1, 1, 1, 1, 1]), None);
        assert_eq!(subject_of(&[]), None);
    }
}
