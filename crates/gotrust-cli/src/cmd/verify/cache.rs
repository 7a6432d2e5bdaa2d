//! `gotrust verify cache`: the local module cache against its hashes, go.sum and the checksum
//! database. The engine is [`gotrust::verify::cache`]; this file resolves the Go environment
//! (GOMODCACHE, GOSUMDB, GONOSUMDB, GOFLAGS), draws the progress bar, and prints the findings the engine renders
//! ([`gotrust::verify::cache::output`]) under the policy (`gotrust.toml`).

use std::io::{self, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, bail};
use gotrust::env::{EnvSources, resolve};
use gotrust::report::text::TextOptions;
use gotrust::report::{Report, sarif};
use gotrust::settings::goflags::GoFlags;
use gotrust::verify::Results;
use gotrust::verify::cache::{self, CacheOptions, Database, DatabaseAnswers, Progress, output};
use gotrust::verify::sums::DatabaseAccess;
use gotrust::verify::sums_output::RunOutcome;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::CacheArgs;
use super::sums::{context, database, lookup_concurrency, offline_without_database, runtime};
use crate::EXIT_FINDINGS;
use crate::args::{Format, GlobalArgs};

/// An indicatif bar on stderr, drawn only on a terminal.
struct Bar(ProgressBar);

impl Progress for Bar {
    fn start(&self, units: u64) {
        self.0.set_length(units);
    }
    fn advance(&self) {
        self.0.inc(1);
    }
}

/// Runs `gotrust verify cache`.
pub fn run(global: &GlobalArgs, args: &CacheArgs) -> anyhow::Result<ExitCode> {
    let env = resolve(&EnvSources::from_process());
    let modcache = match &args.modcache {
        Some(dir) => dir.clone(),
        None => {
            let v = env.value("GOMODCACHE");
            if v.is_empty() {
                bail!(
                    "GOMODCACHE is not set and cannot be derived (set GOPATH or pass --modcache)"
                );
            }
            v.into()
        }
    };
    // A GOFLAGS go would reject is reported by `gotrust audit`; here it only decides whether
    // writable trees are expected.
    let modcacherw = GoFlags::parse(env.value("GOFLAGS"))
        .ok()
        .and_then(|f| f.modcacherw().ok())
        .unwrap_or(false);
    let mut opts = CacheOptions {
        project: args.project.clone(),
        database: Database::Offline,
        gosumdb: env.value("GOSUMDB").to_owned(),
        gonosumdb: env.value("GONOSUMDB").to_owned(),
        modcacherw,
        ..CacheOptions::new(modcache)
    };
    // The database answers are looked up first, all at once on the async runtime; the walk
    // (rayon, hashing) then reads them from a map and never waits on the network.
    let answers = database_answers(global, args, &opts)?;
    if let Some((answers, offline)) = &answers {
        opts.database = if *offline {
            Database::OfflineCache(answers)
        } else {
            Database::Lookup(answers)
        };
    }
    let show_bar =
        matches!(global.format, Format::Text) && !global.quiet && io::stderr().is_terminal();
    let bar = if show_bar {
        let pb = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        pb.set_style(
            ProgressStyle::with_template("{spinner} verifying {pos}/{len} [{bar:30}] {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        pb
    } else {
        ProgressBar::hidden()
    };
    let results =
        cache::verify_cache(&opts, &Bar(bar.clone())).context("cannot verify the module cache")?;
    bar.finish_and_clear();
    render(global, args, &results)
}

/// Opens the checksum database the way `verify sums` does and looks up every module version
/// of the cache (private paths are never sent). `None` when the database is off (GOSUMDB=off;
/// the walk says so); the flag is whether the answers come from the offline caches.
fn database_answers(
    global: &GlobalArgs,
    args: &CacheArgs,
    opts: &CacheOptions<'_>,
) -> anyhow::Result<Option<(DatabaseAnswers, bool)>> {
    let versions = cache::module_versions(opts).context("cannot verify the module cache")?;
    let cx = context(&args.net)?;
    let rt = runtime()?;
    rt.block_on(async {
        let db = match database(global, &cx).await {
            Ok(db) => db,
            // Offline, the database is an extra: a GOSUMDB that names none leaves the local
            // checks, and the note says it was not consulted. Anything else (a fork between
            // the stored heads) is reported.
            Err(e) if offline_without_database(global, &e) =>
            {
                return Ok(None);
            }
            Err(e) => {
                return Err(e.context(
                    "cannot open the checksum database (use --offline to verify against cached data only)",
                ));
            }
        };
        match db {
            DatabaseAccess::Off { .. } => Ok(None),
            DatabaseAccess::On(d) => {
                let answers =
                    DatabaseAnswers::fetch(&d, &versions, lookup_concurrency(&args.net)).await;
                Ok(Some((answers, d.client.is_offline())))
            }
        }
    })
}

fn render(global: &GlobalArgs, args: &CacheArgs, results: &Results) -> anyhow::Result<ExitCode> {
    // The policy (gotrust.toml) is the project's: found in --project, else here.
    let policy =
        crate::cmd::load_policy(global, args.project.as_deref().unwrap_or(Path::new(".")))?;
    let report = Report::with_policy(output::findings(results), &policy);
    let outcome = output::outcome(&report, global.fail_on.into());
    let mut out = crate::output::stdout(global);
    match global.format {
        Format::Text => output::write_text(
            results,
            &report,
            global.verbose > 0,
            TextOptions {
                colour: crate::output::colour(global),
            },
            &mut out,
        ),
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &output::to_json(results, &report, outcome))
                .map_err(io::Error::from)
                .and_then(|()| writeln!(out))
        }
        Format::Sarif => sarif::render(&report, env!("CARGO_PKG_VERSION"), &mut out),
        Format::Mermaid => bail!("--format mermaid is not available for gotrust verify cache"),
    }
    .and_then(|()| out.flush())
    .context("cannot write to stdout")?;
    Ok(match outcome {
        RunOutcome::Pass => ExitCode::SUCCESS,
        _ => ExitCode::from(EXIT_FINDINGS),
    })
}
