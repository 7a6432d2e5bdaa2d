//! `gotrust verify sums`: go.sum lines vs the checksum database. The engine judges
//! ([`gotrust::verify::sums`]) and renders ([`gotrust::verify::sums_output`]); this file
//! reads the flags and the environment, prints each line as it is proven (text mode) with a
//! progress bar on a terminal, and turns the verdict into an exit status.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use gotrust::env::{EnvSources, GoEnv};
use gotrust::net::{HttpClient, HttpConfig};
use gotrust::report::text::TextOptions;
use gotrust::report::{Report, sarif};
use gotrust::settings::Settings;
use gotrust::verify::sums::{
    DatabaseAccess, LineResult, LineSink, SumFile, SumsOptions, VerifySetupError, http_config,
    open_database_reusing, verify_sum_files_with,
};
use gotrust::verify::sums_output::{self, RunOutcome};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{NetArgs, SumsArgs};
use crate::args::{Format, GlobalArgs};
use crate::{EXIT_ERROR, EXIT_FINDINGS};

/// The effective Go environment, its settings and an HTTP client configured like go's.
pub struct VerifyContext {
    /// The environment.
    pub env: GoEnv,
    /// Its parsed settings.
    pub settings: Settings,
    /// The HTTP client.
    pub http: Arc<HttpClient>,
}

/// Reads the environment of this process; `net` sets the per-host request limit and the
/// end-to-end timeout of each request.
pub fn context(net: &NetArgs) -> anyhow::Result<VerifyContext> {
    let src = EnvSources::from_process();
    let env = gotrust::env::resolve(&src);
    let settings = Settings::from_env(&env, &src);
    // `http_config` is `HttpConfig::from_settings`: one configuration for every command;
    // `--timeout` bounds each request end to end (a slow drip cannot outlast it).
    let config = HttpConfig {
        per_host_limit: usize::from(net.jobs),
        ..http_config(&settings)
    }
    .with_timeout(Duration::from_secs(net.timeout));
    let http = Arc::new(HttpClient::new(config).context("setting up HTTP")?);
    Ok(VerifyContext {
        env,
        settings,
        http,
    })
}

/// A tokio runtime for one command.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

/// Lookups in flight at once: the HTTP client holds each host to `--jobs` requests, but a
/// lookup answered from a cache needs none, so more are let run.
pub fn lookup_concurrency(net: &NetArgs) -> usize {
    usize::from(net.jobs).max(64)
}

/// Opens the database as go would reach it (with `--offline`, from cached data only).
pub async fn database(global: &GlobalArgs, cx: &VerifyContext) -> anyhow::Result<DatabaseAccess> {
    database_reusing(global, cx, None).await
}

/// [`database`], reusing a database URL found through GOPROXY at most `reuse_base` ago.
async fn database_reusing(
    global: &GlobalArgs,
    cx: &VerifyContext,
    reuse_base: Option<std::time::Duration>,
) -> anyhow::Result<DatabaseAccess> {
    let root = gotrust::net::sumdb::default_cache_root();
    Ok(open_database_reusing(
        &cx.env,
        &cx.settings,
        cx.http.clone(),
        root.as_deref(),
        global.offline,
        reuse_base,
    )
    .await?)
}

fn default_files() -> anyhow::Result<Vec<PathBuf>> {
    let found: Vec<PathBuf> = ["go.sum", "go.work.sum"]
        .iter()
        .map(PathBuf::from)
        .filter(|p| p.is_file())
        .collect();
    if found.is_empty() {
        bail!("no go.sum or go.work.sum in the current directory (name the files to check)");
    }
    Ok(found)
}

/// A progress bar on stderr, drawn only for text output on a terminal without `-q`.
pub fn progress_bar(global: &GlobalArgs, what: &str) -> ProgressBar {
    if global.format != Format::Text || global.quiet || !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    pb.set_style(
        ProgressStyle::with_template(&format!(
            "{{spinner}} {what} {{pos}}/{{len}} [{{bar:30}}] {{elapsed}}"
        ))
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    pb
}

/// Prints a block of text to stdout at once, above the progress bar.
pub fn print_above(bar: &ProgressBar, text: &[u8]) {
    bar.suspend(|| {
        let mut out = crate::output::SafeWriter::new(io::stdout().lock(), false);
        // A closed stdout is reported when the final report is written.
        let _ = out.write_all(text).and_then(|()| out.flush());
    });
}

/// Whether `e`, from [`database`], only means that no database can be used offline (GOSUMDB
/// names none, or there is no cache to read): commands whose database is an extra then go on
/// with their local checks. Anything else (a fork between stored heads) is reported.
pub fn offline_without_database(global: &GlobalArgs, e: &anyhow::Error) -> bool {
    global.offline
        && matches!(
            e.downcast_ref::<VerifySetupError>(),
            Some(VerifySetupError::Setting(_) | VerifySetupError::NoCacheDir)
        )
}

/// Prints each result as it is judged (text mode, not `-q`) and advances the bar: one printer
/// for go.sum lines (`verify sums`) and module versions (`verify proxy`).
pub struct Live<T> {
    bar: ProgressBar,
    print: bool,
    verbose: bool,
    /// Whether the result is printed at this verbosity.
    shows: fn(&T, bool) -> bool,
    /// Its text block.
    write: fn(&T, &mut Vec<u8>) -> io::Result<()>,
}

impl<T> Live<T> {
    /// A printer with a bar labelled "verifying".
    pub fn new(
        global: &GlobalArgs,
        shows: fn(&T, bool) -> bool,
        write: fn(&T, &mut Vec<u8>) -> io::Result<()>,
    ) -> Live<T> {
        Live {
            bar: progress_bar(global, "verifying"),
            print: global.format == Format::Text && !global.quiet,
            verbose: global.verbose > 0,
            shows,
            write,
        }
    }

    /// Sets the bar's length.
    pub fn total(&self, n: usize) {
        self.bar.set_length(n as u64);
    }

    /// Counts `item` and prints it if it is shown.
    pub fn judged(&self, item: &T) {
        self.bar.inc(1);
        if self.print && (self.shows)(item, self.verbose) {
            let mut buf = Vec::new();
            if (self.write)(item, &mut buf).is_ok() {
                print_above(&self.bar, &buf);
            }
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl LineSink for Live<LineResult> {
    fn total(&self, lines: usize) {
        Live::total(self, lines);
    }

    fn judged(&self, line: &LineResult) {
        Live::judged(self, line);
    }
}

/// The exit status of a verification verdict.
pub fn exit_status(outcome: RunOutcome) -> ExitCode {
    match outcome {
        RunOutcome::Fail => ExitCode::from(EXIT_FINDINGS),
        RunOutcome::NoVerdict => ExitCode::from(EXIT_ERROR),
        RunOutcome::Pass => ExitCode::SUCCESS,
    }
}

/// Runs `gotrust verify sums`.
pub fn run(global: &GlobalArgs, args: &SumsArgs) -> anyhow::Result<ExitCode> {
    if global.format == Format::Mermaid {
        bail!("--format mermaid is not available for gotrust verify sums");
    }
    let files = if args.go_sums.is_empty() {
        default_files()?
    } else {
        args.go_sums.clone()
    };
    let inputs = files
        .iter()
        .map(|f| SumFile::open(f))
        .collect::<Result<Vec<_>, _>>()?;
    let policy = crate::cmd::load_policy(global, Path::new("."))?;
    let cx = context(&args.net)?;
    let rt = runtime()?;
    let head_max_age =
        (args.head_max_age > 0).then(|| std::time::Duration::from_secs(args.head_max_age));
    let opts = SumsOptions {
        concurrency: lookup_concurrency(&args.net),
        head_max_age,
        ..SumsOptions::default()
    };
    let live = Live::new(global, sums_output::shows_line, sums_output::write_line);
    let sums = rt.block_on(async {
        let db = database_reusing(global, &cx, head_max_age).await?;
        anyhow::Ok(verify_sum_files_with(&inputs, &db, &opts, &live).await?)
    })?;
    live.finish();
    let report = Report::with_policy(sums_output::findings(&sums), &policy);
    let outcome = sums_output::outcome(&report, sums.incomplete(), global.fail_on.into());
    let mut out = crate::output::stdout(global);
    match global.format {
        Format::Json => sums_output::write_json(&sums, &report, outcome, &mut out),
        Format::Sarif => sarif::render(&report, env!("CARGO_PKG_VERSION"), &mut out),
        _ => sums_output::write_text(
            &sums,
            &report,
            global.quiet,
            TextOptions {
                colour: crate::output::colour(global),
            },
            &mut out,
        ),
    }
    .and_then(|()| out.flush())
    .context("cannot write to stdout")?;
    Ok(exit_status(outcome))
}
