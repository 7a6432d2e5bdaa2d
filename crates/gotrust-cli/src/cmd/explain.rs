//! `gotrust explain`: the route each module takes, as go would fetch it.
//!
//! Targets are module paths (`M`, `M@V` or any module query go accepts: `M@latest`, `M@v1`,
//! `M@>=v1.2.0`, `M@master`, ...) in argument order, planned as `go mod download M@query`
//! outside a module runs them; or with `--project DIR` every module required by
//! `DIR/go.mod` (a `replace` by another module explains the replacement; a directory
//! replacement is not fetched and is left out), with `DIR/go.sum` deciding the
//! `go.sum-only` verdict and which versions need no checksum-database request (both of
//! their lines present). Formats: text, JSON `{"schema_version": 1, "routes": [...]}` (one
//! object per target, in order) and Mermaid (a flowchart per module). Routes are data:
//! configuration errors appear in them and do not change the exit status (0).

use std::collections::BTreeSet;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, anyhow, bail};
use gotrust::env::{self, EnvSources};
use gotrust::route::{self, Planner};
use gotrust::settings::Settings;

use crate::args::{Format, GlobalArgs};

/// Flags of `gotrust explain`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Module paths (with an optional @version) to explain
    #[arg(value_name = "MODULE", required_unless_present = "project")]
    pub modules: Vec<String>,
    /// Explain every module required by the project in DIR; with MODULE, run those queries
    /// inside the project (`@upgrade`/`@patch` start from its required versions)
    #[arg(long, value_name = "DIR")]
    pub project: Option<PathBuf>,
}

/// go.mod and go.sum are bounded like go bounds go.mod (16 MiB).
const MAX_FILE: u64 = 16 << 20;

fn read_bounded(path: &Path) -> anyhow::Result<Option<Vec<u8>>> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    if meta.len() > MAX_FILE {
        bail!("{} is larger than {MAX_FILE} bytes", path.display());
    }
    std::fs::read(path)
        .map(Some)
        .with_context(|| format!("cannot read {}", path.display()))
}

/// (module path, version field) pairs of a go.sum (`v1.2.3` or `v1.2.3/go.mod`).
type SumLines = BTreeSet<(String, String)>;

/// A project read for explain: its `M@V` targets, the lines of its go.sum, and the version
/// its go.mod requires of each module path.
struct Project {
    targets: Vec<String>,
    go_sum: SumLines,
    required: Vec<(String, String)>,
}

/// Reads `DIR/go.mod` and `DIR/go.sum`.
///
/// The required versions stand for the build list go selects: since go 1.17 a tidy go.mod
/// lists every module the build needs at its selected version (module graph pruning,
/// cmd/go/internal/modload `requirements`), which is where `@upgrade` and `@patch` start
/// (`modload.queryProxy` reads the current version from the build list).
fn project_targets(dir: &Path) -> anyhow::Result<Project> {
    let gomod_path = dir.join("go.mod");
    let data = read_bounded(&gomod_path)?.ok_or_else(|| anyhow!("{}: no go.mod", dir.display()))?;
    let name = gomod_path.display().to_string();
    let mf = gomod::modfile::parse(&name, &data).map_err(|e| anyhow!("{e}"))?;
    let mut targets = Vec::new();
    let required = mf
        .require
        .iter()
        .map(|r| (r.path.clone(), r.version.clone()))
        .collect();
    for r in &mf.require {
        let rep = mf.replace.iter().rev().find(|p| {
            p.old_path == r.path && p.old_version.as_ref().is_none_or(|v| *v == r.version)
        });
        match rep {
            Some(p) => {
                if let Some(v) = &p.new_version {
                    targets.push(format!("{}@{v}", p.new_path));
                }
            }
            None => targets.push(format!("{}@{}", r.path, r.version)),
        }
    }
    let sum_path = dir.join("go.sum");
    let mut known = BTreeSet::new();
    if let Some(data) = read_bounded(&sum_path)? {
        let sum = gomod::gosum::parse(&sum_path.display().to_string(), &data)
            .map_err(|e| anyhow!("{e}"))?;
        known.extend(
            sum.lines
                .iter()
                .map(|l| (l.module.clone(), l.version_field())),
        );
    }
    Ok(Project {
        targets,
        go_sum: known,
        required,
    })
}

fn check_target(t: &str) -> anyhow::Result<()> {
    let path = gomod::module::parse_path_version(t).map_or(t, |(p, _)| p);
    gomod::module::check_path(path).map_err(|e| anyhow!("invalid module path {path:?}: {e}"))
}

/// The JSON document (a struct so fields keep this order).
#[derive(serde::Serialize)]
struct Doc<'a> {
    schema_version: u32,
    routes: &'a [route::Route],
}

/// Plans and prints the routes.
pub fn run(global: &GlobalArgs, args: &Args) -> anyhow::Result<ExitCode> {
    let src = EnvSources::from_process();
    let goenv = env::resolve(&src);
    super::env::cross_check(global, &goenv, &src)?
        .iter()
        .flat_map(|c| {
            c.disagreements()
                .into_iter()
                .map(|d| d.name.clone())
                .collect::<Vec<_>>()
        })
        .for_each(|name| {
            if !global.quiet {
                let _ = writeln!(
                    crate::output::stderr(),
                    "gotrust: warning: go env disagrees on {name}; see gotrust env"
                );
            }
        });
    let settings = Settings::from_env(&goenv, &src);
    let git_ua = src.getenv("GIT_HTTP_USER_AGENT").unwrap_or("").to_string();
    let mut planner = Planner::new(&settings, &goenv).with_git_http_user_agent(&git_ua);
    let targets = match &args.project {
        Some(dir) => {
            let project = project_targets(dir)?;
            planner = planner.with_go_sum_lines(project.go_sum);
            if args.modules.is_empty() {
                project.targets
            } else {
                // Queries named with --project run inside that main module, as
                // `go mod download M@query` run in DIR does.
                for t in &args.modules {
                    check_target(t)?;
                }
                planner = planner.with_main_module(project.required);
                args.modules.clone()
            }
        }
        None => {
            for t in &args.modules {
                check_target(t)?;
            }
            args.modules.clone()
        }
    };
    let routes: Vec<route::Route> = targets.iter().map(|t| planner.plan(t)).collect();
    let mut out = crate::output::stdout(global);
    match global.format {
        Format::Text => out.write_all(route::render_text(&routes).as_bytes())?,
        Format::Mermaid => out.write_all(route::render_mermaid(&routes).as_bytes())?,
        Format::Json => {
            let doc = Doc {
                schema_version: 1,
                routes: &routes,
            };
            serde_json::to_writer_pretty(&mut out, &doc)?;
            out.write_all(b"\n")?;
        }
        f => bail!("--format {} is not available for gotrust explain", f.name()),
    }
    out.flush().context("cannot write to stdout")?;
    Ok(ExitCode::SUCCESS)
}
