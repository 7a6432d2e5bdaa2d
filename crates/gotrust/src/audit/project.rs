//! Project rules (`project/*`): go.mod, go.sum, go.work, read as cmd/go/internal/modload
//! and modfetch (`readGoSum`) read them.
//!
//! The files are read here (bounded) so that the rules never fail: an unreadable go.sum is
//! kept as an error for the caller (exit 2), not a panic.

use std::path::{Path, PathBuf};

use gomod::{gosum, modfile};

use crate::report::{Evidence, Finding, Severity, catalog};
use crate::route::ChecksumReason;
use crate::settings::sumdb::SumDb;

use super::public_hosts::PUBLIC_MODULE_PATHS;
use super::{Ctx, list_some};

/// go.mod and go.sum larger than this are refused (go's own go.mod limit is 16 MiB).
pub const MAX_PROJECT_FILE: u64 = 16 << 20;

/// A project file that exists but cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProjectError {
    /// The file exists but could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file is larger than [`MAX_PROJECT_FILE`].
    #[error("{} is too large ({size} bytes, at most {MAX_PROJECT_FILE})", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size.
        size: u64,
    },
}

/// One project file's contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectFile {
    /// Path, as the user would type it.
    pub path: PathBuf,
    /// Raw contents.
    pub data: Vec<u8>,
}

/// The project's files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectFiles {
    /// The project directory.
    pub dir: PathBuf,
    /// go.mod.
    pub go_mod: ProjectFile,
    /// go.sum, if present.
    pub go_sum: Option<ProjectFile>,
}

fn read_optional(path: &Path) -> Result<Option<ProjectFile>, ProjectError> {
    use std::io::Read;
    let f = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(ProjectError::Read {
                path: path.to_owned(),
                source,
            });
        }
    };
    let mut data = Vec::new();
    f.take(MAX_PROJECT_FILE + 1)
        .read_to_end(&mut data)
        .map_err(|source| ProjectError::Read {
            path: path.to_owned(),
            source,
        })?;
    if data.len() as u64 > MAX_PROJECT_FILE {
        return Err(ProjectError::TooLarge {
            path: path.to_owned(),
            size: data.len() as u64,
        });
    }
    Ok(Some(ProjectFile {
        path: path.to_owned(),
        data,
    }))
}

impl ProjectFiles {
    /// Reads `dir/go.mod` and `dir/go.sum`. `Ok(None)` when there is no go.mod.
    pub fn load(dir: &Path) -> Result<Option<ProjectFiles>, ProjectError> {
        let join = |name: &str| {
            if dir.as_os_str().is_empty() || dir == Path::new(".") {
                PathBuf::from(name)
            } else {
                dir.join(name)
            }
        };
        let Some(go_mod) = read_optional(&join("go.mod"))? else {
            return Ok(None);
        };
        let go_sum = read_optional(&join("go.sum"))?;
        Ok(Some(ProjectFiles {
            dir: dir.to_owned(),
            go_mod,
            go_sum,
        }))
    }
}

fn line_ev(file: &Path, what: &str, value: String, line: usize) -> Evidence {
    let name = file
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    Evidence::variable(what, value)
        .origin(name)
        .at(file, u32::try_from(line).ok())
}

/// Whether a replacement target is a directory (`./x`, `../x`, `/x`), which go reads from disk
/// without any checksum.
fn is_local(path: &str) -> bool {
    gomod::modfile::is_directory_path(path)
}

/// "1 required module", "2 required modules".
fn modules(n: usize) -> String {
    if n == 1 {
        "1 required module".into()
    } else {
        format!("{n} required modules")
    }
}

/// Runs the `project/*` rules.
pub fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let Some(project) = ctx.input.project else {
        return;
    };
    let mod_name = project.go_mod.path.display().to_string();
    let modfile = match modfile::parse(&mod_name, &project.go_mod.data) {
        Ok(m) => m,
        Err(errs) => {
            let first = errs.0.first().map_or(0, |e| e.pos.line);
            out.push(
                Finding::new(
                    &catalog::PROJECT_MALFORMED,
                    format!("go rejects go.mod: {errs}"),
                )
                .with_evidence(line_ev(
                    &project.go_mod.path,
                    "go.mod",
                    String::new(),
                    first,
                ))
                .with_affected(mod_name.clone())
                .with_fix(format!("Fix {mod_name}:{first} as the message says.")),
            );
            return;
        }
    };
    if modfile.module.is_none() {
        // cmd/go/internal/modload/init.go (loadModFile) refuses a go.mod without a module
        // statement before anything else, with this text.
        out.push(
            Finding::new(
                &catalog::PROJECT_MALFORMED,
                "go rejects go.mod: go: error reading go.mod: missing module declaration",
            )
            .with_evidence(line_ev(&project.go_mod.path, "go.mod", String::new(), 0))
            .with_affected(mod_name.clone())
            .with_fix(format!(
                "Add a module statement to {mod_name} (`go mod edit -module=example.com/mod`, with your module path)."
            )),
        );
        return;
    }
    let sum = match &project.go_sum {
        None => None,
        Some(f) => match gosum::parse(&f.path.display().to_string(), &f.data) {
            Ok(s) => Some((f, s)),
            Err(e) => {
                let line = match &e {
                    gomod::gosum::GoSumError::WrongFieldCount { line, .. } => *line,
                    _ => 0,
                };
                out.push(
                    Finding::new(&catalog::PROJECT_MALFORMED, format!("go rejects go.sum: {}", e.to_string().replace('\n', " ")))
                        .with_evidence(line_ev(&f.path, "go.sum", String::new(), line))
                        .with_affected(f.path.display().to_string())
                        .with_fix("Run `go mod tidy` (it drops malformed lines), then check the result with `gotrust verify sums`."),
                );
                None
            }
        },
    };

    // Effective requirements: replacements applied, directory replacements dropped.
    let mut reqs: Vec<(String, String, usize)> = Vec::new();
    for r in &modfile.require {
        let rep = modfile.replace.iter().rev().find(|p| {
            p.old_path == r.path && p.old_version.as_deref().is_none_or(|v| v == r.version)
        });
        match rep {
            Some(p) if is_local(&p.new_path) => {}
            Some(p) => reqs.push((
                p.new_path.clone(),
                p.new_version.clone().unwrap_or_else(|| r.version.clone()),
                r.line,
            )),
            None => reqs.push((r.path.clone(), r.version.clone(), r.line)),
        }
    }

    if let Some((f, s)) = &sum {
        for c in s.conflicts() {
            out.push(
                Finding::new(
                    &catalog::PROJECT_GO_SUM_CONFLICT,
                    format!(
                        "go.sum has two hashes for {} {}: lines {} and {}; go stops with a checksum mismatch",
                        c.first.module,
                        c.first.version_field(),
                        c.first.line,
                        c.second.line
                    ),
                )
                .with_evidence(line_ev(&f.path, "go.sum", format!("{} {} {}", c.first.module, c.first.version_field(), c.first.hash), c.first.line))
                .with_evidence(line_ev(&f.path, "go.sum", format!("{} {} {}", c.second.module, c.second.version_field(), c.second.hash), c.second.line))
                .with_affected(format!("{}@{}", c.first.module, c.first.version))
                .with_fix(format!(
                    "Check both lines with `gotrust verify sums {}`, delete the wrong one (or both and run `go mod download {}@{}` with the checksum database on).",
                    f.path.display(),
                    c.first.module,
                    c.first.version
                )),
            );
        }
    }

    let missing: Vec<&(String, String, usize)> = match &sum {
        None if project.go_sum.is_none() => reqs.iter().collect(),
        None => Vec::new(), // malformed go.sum: reported above
        Some((_, s)) => reqs
            .iter()
            .filter(|(p, v, _)| {
                s.lookup(p, v, true).next().is_none() && s.lookup(p, v, false).next().is_none()
            })
            .collect(),
    };
    if !missing.is_empty() {
        let names: Vec<String> = missing.iter().map(|(p, v, _)| format!("{p}@{v}")).collect();
        let msg = if project.go_sum.is_none() {
            format!(
                "go.mod requires {} but there is no go.sum: the first build fetches their hashes from wherever GOPROXY points",
                modules(missing.len())
            )
        } else {
            format!(
                "go.sum has no line for {} ({})",
                modules(missing.len()),
                list_some(&names, 5)
            )
        };
        let mut f = Finding::new(&catalog::PROJECT_GO_SUM_MISSING, msg).with_fix(
            "Run `go mod tidy` with the checksum database on (GOSUMDB unset) and commit go.sum.",
        );
        for (p, v, line) in missing.iter().take(10) {
            f = f.with_evidence(line_ev(
                &project.go_mod.path,
                "require",
                format!("{p} {v}"),
                *line,
            ));
        }
        f.affected = names;
        out.push(f);
    }

    unverified(ctx, &project.go_mod.path, &reqs, out);
}

/// `project/unverified-modules`: required modules that skip the checksum database. High when
/// GOSUMDB=off, for public reference paths, or for modules outside the policy's private scope;
/// info for GONOSUMDB modules when no policy says which paths are expected to be private.
fn unverified(
    ctx: &Ctx<'_>,
    go_mod: &Path,
    reqs: &[(String, String, usize)],
    out: &mut Vec<Finding>,
) {
    let sumdb_ok = matches!(ctx.input.settings.sumdb, Ok(SumDb::Db(_)));
    if !sumdb_ok && !ctx.sumdb_off() {
        return; // sumdb/missing or sumdb/invalid: nothing is verified, and go fails anyway.
    }
    let has_scope = ctx
        .input
        .policy
        .is_some_and(|p| !p.private_scope.is_empty());
    let mut high: Vec<(String, usize, String)> = Vec::new();
    let mut info: Vec<(String, usize, String)> = Vec::new();
    for (p, v, line) in reqs {
        // The planner shared with `gotrust explain` decides whether the database is used
        // (including the golang.org/toolchain exception of sumdb.go `useSumDB`) and through
        // which hops.
        let route = ctx.route(p);
        if route.checksum.database || route.checksum.reason == ChecksumReason::GosumdbInvalid {
            continue;
        }
        let via = if route.hops.is_empty() {
            "nowhere".to_string()
        } else {
            route
                .hops
                .iter()
                .map(|h| h.entry.clone())
                .collect::<Vec<_>>()
                .join(" then ")
        };
        let item = (format!("{p}@{v}"), *line, via);
        if ctx.sumdb_off() {
            high.push(item);
        } else {
            let public = PUBLIC_MODULE_PATHS
                .iter()
                .any(|q| q == p || p.starts_with(&format!("{q}/")));
            if (public && !ctx.in_scope(p)) || (has_scope && !ctx.in_scope(p)) {
                high.push(item);
            } else if !has_scope {
                info.push(item);
            }
        }
    }
    for (items, sev) in [(high, Severity::High), (info, Severity::Info)] {
        if items.is_empty() {
            continue;
        }
        let names: Vec<String> = items
            .iter()
            .map(|(n, _, via)| format!("{n} (via {via})"))
            .collect();
        let why = if ctx.sumdb_off() {
            "GOSUMDB=off"
        } else {
            "GONOSUMDB"
        };
        let msg = if sev == Severity::High {
            format!(
                "{} fetched without the checksum database ({why}): {}",
                modules(items.len()),
                list_some(&names, 5)
            )
        } else {
            format!(
                "{} matching GONOSUMDB rely on go.sum only: {} (declare [private] scope in gotrust.toml to confirm they are private)",
                modules(items.len()),
                list_some(&names, 5)
            )
        };
        let mut f = Finding::new(&catalog::PROJECT_UNVERIFIED_MODULES, msg)
            .with_severity(sev)
            .with_evidence(ctx.evidence(if ctx.sumdb_off() {
                "GOSUMDB"
            } else {
                "GONOSUMDB"
            }));
        for (n, line, _) in items.iter().take(10) {
            f = f.with_evidence(line_ev(go_mod, "require", n.clone(), *line));
        }
        f.affected = items.iter().map(|(n, _, _)| n.clone()).collect();
        out.push(f.with_fix(if ctx.sumdb_off() {
            super::unset_fix(&ctx.origin("GOSUMDB"), "GOSUMDB")
        } else {
            "Narrow GOPRIVATE/GONOSUMDB to the private paths only, so public modules are checked against the checksum database.".to_string()
        }));
    }
}
