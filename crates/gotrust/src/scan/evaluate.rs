//! Evaluating the settings a scan found with the same rules `gotrust audit` applies to the
//! machine's own configuration.
//!
//! Each file is judged on its own, as the environment it would create: its Go variables become
//! the process environment of a synthetic [`EnvSources`] (no user go env file, the standard
//! go.env), which is resolved, parsed and audited exactly like the real one. Only findings about
//! variables the file itself sets are kept, and their evidence points at the file and line, so
//! SARIF consumers (GitHub code scanning) annotate the line that set the value.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{FoundSetting, How, VarClass};
use crate::audit::{self, AuditInput};
use crate::env::{EnvSources, resolve};
use crate::policy::Policy;
use crate::report::{Evidence, Finding, Location, catalog};
use crate::settings::Settings;

/// Rules about this machine's local state (files, caches, permissions) say nothing about a
/// repository file and are dropped.
fn is_local_state_rule(id: &str) -> bool {
    id.starts_with("cache/")
        || id.starts_with("netrc/")
        || id == "env/file-writable"
        || id == "env/shadowed"
        || id == "env/go-disagrees"
        || id.starts_with("project/")
}

/// Audits the settings of every scanned file; findings come back in file order.
pub fn evaluate(found: &[FoundSetting], root: &Path, policy: Option<&Policy>) -> Vec<Finding> {
    let mut by_file: BTreeMap<&PathBuf, Vec<&FoundSetting>> = BTreeMap::new();
    for f in found {
        by_file.entry(&f.file).or_default().push(f);
    }
    let mut out = Vec::new();
    for (file, settings) in by_file {
        out.extend(evaluate_file(file, &settings, root, policy));
    }
    out
}

fn evaluate_file(
    file: &Path,
    found: &[&FoundSetting],
    root: &Path,
    policy: Option<&Policy>,
) -> Vec<Finding> {
    let mut vars: BTreeMap<String, &FoundSetting> = BTreeMap::new();
    let mut out = Vec::new();
    for f in found {
        if f.class == VarClass::GitConfig {
            if f.variable.eq_ignore_ascii_case("http.sslverify")
                && matches!(
                    f.value.to_ascii_lowercase().as_str(),
                    "false" | "0" | "no" | "off"
                )
            {
                out.push(
                    Finding::new(
                        &catalog::GIT_TLS_VERIFY_OFF,
                        format!(
                            "{} turns off TLS verification for git: direct module fetches accept any certificate",
                            file.display()
                        ),
                    )
                    .with_evidence(located(f, root)),
                );
            }
            continue;
        }
        if f.unresolved {
            continue;
        }
        if f.how == How::GoEnvU {
            vars.remove(&f.variable);
        } else {
            vars.insert(f.variable.clone(), f);
        }
    }
    if vars.is_empty() {
        return out;
    }
    let mut process: Vec<(String, String)> = vars
        .iter()
        .map(|(k, f)| (k.clone(), f.value.clone()))
        .collect();
    // The file describes an environment, not this machine: no user go env file, no HOME.
    process.push(("GOENV".into(), "off".into()));
    process.push(("HOME".into(), "/nonexistent-gotrust-scan-home".into()));
    let sources = EnvSources::with_process(process);
    let env = resolve(&sources);
    let settings = Settings::from_env(&env, &sources);
    let input = AuditInput {
        env: &env,
        sources: &sources,
        settings: &settings,
        git: None,
        policy,
        project: None,
        cross_check: None,
    };
    for mut finding in audit::findings(&input) {
        if is_local_state_rule(finding.rule.id) {
            continue;
        }
        let mut touches_file = false;
        for ev in &mut finding.evidence {
            let Some(var) = ev.variable.clone() else {
                continue;
            };
            let var = var.as_str();
            // GONOPROXY/GONOSUMDB inherited from GOPRIVATE point at GOPRIVATE's line.
            let set_here = vars.get(var).or_else(|| {
                (var == "GONOPROXY" || var == "GONOSUMDB")
                    .then(|| vars.get("GOPRIVATE"))
                    .flatten()
            });
            if let Some(f) = set_here {
                *ev = located(f, root);
                ev.variable = Some(var.to_string());
                touches_file = true;
            }
        }
        if touches_file {
            out.push(finding);
        }
    }
    out
}

fn located(f: &FoundSetting, root: &Path) -> Evidence {
    let _ = root;
    let mut ev = Evidence::variable(f.variable.clone(), f.display_value());
    ev.origin = Some(format!(
        "{}:{} ({:?}{})",
        f.file.display(),
        f.line,
        f.how,
        f.context
            .as_deref()
            .map(|c| format!(" in {c}"))
            .unwrap_or_default()
    ));
    ev.location = Some(Location {
        path: f.file.clone(),
        line: u32::try_from(f.line).ok(),
    });
    ev
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::{FileKind, scan_text};

    fn eval(kind: FileKind, name: &str, text: &str) -> Vec<Finding> {
        let found = scan_text(Path::new(name), kind, text).unwrap();
        evaluate(&found, Path::new("."), None)
    }

    #[test]
    fn dockerfile_sumdb_off_is_reported_at_its_line() {
        let f = eval(
            FileKind::Dockerfile,
            "Dockerfile",
            "FROM golang:1.26\nENV GOFLAGS=-mod=mod\nENV GOSUMDB=off\n",
        );
        let hit = f
            .iter()
            .find(|f| f.rule.id == "sumdb/disabled")
            .expect("sumdb/disabled");
        let loc = hit.location().unwrap();
        assert_eq!(loc.path, Path::new("Dockerfile"));
        assert_eq!(loc.line, Some(3));
    }

    #[test]
    fn near_miss_default_values_give_nothing() {
        let f = eval(
            FileKind::Dockerfile,
            "Dockerfile",
            "FROM golang:1.26\nENV GOPROXY=https://proxy.golang.org GOFLAGS=-mod=mod\n",
        );
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn goinsecure_match_all_in_a_shell_script() {
        let f = eval(
            FileKind::Shell,
            "ci/build.sh",
            "#!/bin/sh\nexport GOINSECURE='*'\ngo build ./...\n",
        );
        let hit = f
            .iter()
            .find(|f| f.rule.id == "insecure/match-all")
            .expect("insecure/match-all");
        assert_eq!(hit.location().unwrap().line, Some(2));
    }

    #[test]
    fn git_ssl_verify_off_via_git_config() {
        let f = eval(
            FileKind::Shell,
            "setup.sh",
            "git config --global http.sslVerify false\n",
        );
        assert!(f.iter().any(|f| f.rule.id == "git/tls-verify-off"), "{f:?}");
    }

    #[test]
    fn unresolved_values_are_not_judged() {
        let f = eval(FileKind::Shell, "env.sh", "export GOSUMDB=$MY_SUMDB\n");
        assert!(f.is_empty(), "{f:?}");
    }
}
