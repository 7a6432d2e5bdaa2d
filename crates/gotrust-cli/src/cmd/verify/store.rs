//! `gotrust verify store`: a module proxy's storage against the checksum database. The engine
//! is [`gotrust::verify::store`]; this file opens the store and the database, keeps the JSON
//! Lines results file (local, or in an object store), and renders the report.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use gotrust::verify::store::layout::Layout;
use gotrust::verify::store::location::Store;
use gotrust::verify::store::record::{
    EndRecord, Line, Merged, ResultsWriter, ResumePoint, SCHEMA_VERSION, StartRecord, VersionRecord,
};
use gotrust::verify::store::{RecordSink, Shard, StoreOptions, verify_store};
use gotrust::verify::sums::DatabaseAccess;
use object_store::ObjectStoreExt as _;

use super::NetArgs;
use super::sums::{context, database, lookup_concurrency, offline_without_database, runtime};
use crate::args::{Format, GlobalArgs};
use crate::{EXIT_ERROR, EXIT_FINDINGS};

/// How often a results file kept in an object store is uploaded while the run goes on, so a
/// worker killed and started again (a Kubernetes pod) loses at most this much work.
const UPLOAD_EVERY: Duration = Duration::from_secs(60);

/// `--layout` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LayoutArg {
    /// Each directory as whichever layout it matches
    Auto,
    /// GOPROXY protocol layout: go's cache/download, a file:// GOPROXY
    Goproxy,
    /// Athens's disk and object-store layouts
    Athens,
}

impl From<LayoutArg> for Layout {
    fn from(a: LayoutArg) -> Layout {
        match a {
            LayoutArg::Auto => Layout::Auto,
            LayoutArg::Goproxy => Layout::Goproxy,
            LayoutArg::Athens => Layout::Athens,
        }
    }
}

/// Flags of `gotrust verify store`.
#[derive(Debug, clap::Args)]
pub struct StoreArgs {
    /// The store: a directory (GOMODCACHE or its cache/download, a file:// GOPROXY directory,
    /// Athens's disk storage) or an object-store URL (s3://bucket/prefix, gs://…, az://…,
    /// file://DIR); cloud credentials and endpoints come from the usual environment
    #[arg(value_name = "LOCATION", required_unless_present = "merge")]
    pub location: Option<String>,
    /// Which layout to read
    #[arg(long, value_enum, default_value_t = LayoutArg::Auto)]
    pub layout: LayoutArg,
    /// Take only shard K of N (K from 0): module paths are split by a stable hash, so N
    /// workers with K = 0..N-1 cover the store exactly once
    #[arg(long, value_name = "K/N", value_parser = Shard::parse)]
    pub shard: Option<Shard>,
    /// Write the results as JSON Lines to FILE (a path or an object-store URL), replacing it
    #[arg(long, value_name = "FILE", conflicts_with = "resume")]
    pub output: Option<String>,
    /// Continue the JSON Lines results FILE where a killed run stopped (a fresh run when it
    /// does not exist yet), then write the report of the whole file
    #[arg(long, value_name = "FILE")]
    pub resume: Option<String>,
    /// Merge results files of the workers (paths or object-store URLs) into one report
    #[arg(long, value_name = "FILE", num_args = 1..,
          conflicts_with_all = ["location", "shard", "output", "resume"])]
    pub merge: Vec<String>,
    /// Module versions judged per batch (lookups and hashing of a batch run together)
    #[arg(long, value_name = "N", default_value_t = 256,
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub batch: u32,
    /// Threads reading and hashing [default: the number of CPUs; 16 for an object store]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub threads: Option<u16>,
    #[command(flatten)]
    pub net: NetArgs,
}

/// A results file: local, or in an object store (kept in a local file while in use).
struct ResultsFile {
    local: PathBuf,
    remote: Option<(Store, String)>,
    _temp: Option<tempfile::TempDir>,
}

impl ResultsFile {
    /// `text` is a path or an object-store URL; `fetch` downloads an existing object first.
    fn open(rt: &tokio::runtime::Runtime, text: &str, fetch: bool) -> anyhow::Result<Self> {
        if !text.contains("://") || text.starts_with("file://") {
            let p = text.strip_prefix("file://").unwrap_or(text);
            return Ok(ResultsFile {
                local: PathBuf::from(p),
                remote: None,
                _temp: None,
            });
        }
        let store = Store::open(text)?;
        let Store::Object { prefix, .. } = &store else {
            bail!("{text}: not an object-store URL");
        };
        if prefix.is_empty() {
            bail!("{}: the URL names a bucket, not an object", store.display());
        }
        let key = prefix.clone();
        let temp = tempfile::tempdir().context("creating a temporary directory")?;
        let local = temp.path().join("results.jsonl");
        if fetch {
            let got = rt.block_on(get_object(&store, &key));
            match got {
                Ok(Some(bytes)) => std::fs::write(&local, bytes)
                    .with_context(|| format!("writing {}", local.display()))?,
                Ok(None) => {}
                Err(e) => bail!("cannot read {}: {e}", store.display()),
            }
        }
        Ok(ResultsFile {
            local,
            remote: Some((store, key)),
            _temp: Some(temp),
        })
    }

    /// Uploads the local file to its object, if it has one.
    async fn upload(&self) -> anyhow::Result<()> {
        let Some((store, _)) = &self.remote else {
            return Ok(());
        };
        let Store::Object {
            store: os, prefix, ..
        } = store
        else {
            return Ok(());
        };
        let data = std::fs::read(&self.local)
            .with_context(|| format!("reading {}", self.local.display()))?;
        os.put(
            &object_store::path::Path::from(prefix.as_str()),
            data.into(),
        )
        .await
        .with_context(|| format!("cannot write {}", store.display()))?;
        Ok(())
    }
}

async fn get_object(store: &Store, key: &str) -> Result<Option<Vec<u8>>, object_store::Error> {
    let Store::Object { store, .. } = store else {
        return Ok(None);
    };
    match store.get(&object_store::path::Path::from(key)).await {
        Ok(got) => Ok(Some(got.bytes().await?.to_vec())),
        Err(object_store::Error::NotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The writer, uploading the file now and then when it lives in an object store.
struct Sink<'a> {
    writer: ResultsWriter,
    file: &'a ResultsFile,
    last_upload: Instant,
}

impl RecordSink for Sink<'_> {
    fn records(&mut self, batch: &[VersionRecord]) -> io::Result<()> {
        self.writer.records(batch)?;
        if self.file.remote.is_some() && self.last_upload.elapsed() >= UPLOAD_EVERY {
            self.last_upload = Instant::now();
            // Called from the async verification loop: leave the worker thread while the
            // upload runs.
            tokio::task::block_in_place(|| {
                tokio::runtime::Handle::current().block_on(self.file.upload())
            })
            .map_err(|e| io::Error::other(format!("{e:#}")))?;
        }
        Ok(())
    }
}

/// Runs `gotrust verify store`.
pub fn run(global: &GlobalArgs, args: &StoreArgs) -> anyhow::Result<ExitCode> {
    if global.format == Format::Mermaid {
        bail!("--format mermaid is not available for gotrust verify store");
    }
    let rt = runtime()?;
    if !args.merge.is_empty() {
        let files = args
            .merge
            .iter()
            .map(|f| ResultsFile::open(&rt, f, true))
            .collect::<anyhow::Result<Vec<_>>>()?;
        for (f, text) in files.iter().zip(&args.merge) {
            if !f.local.exists() {
                bail!("{text}: no such results file");
            }
        }
        let paths: Vec<PathBuf> = files.iter().map(|f| f.local.clone()).collect();
        let merged = Merged::read(&paths)?;
        return render(global, &merged);
    }
    let location = args
        .location
        .as_deref()
        .context("a LOCATION is required (or --merge FILES)")?;
    let mut store = Store::open(location)?;
    let mut notes = Vec::new();
    // GOMODCACHE itself: its downloads are under cache/download.
    if let Store::Dir(d) = &store {
        let inner = d.join("cache").join("download");
        if inner.is_dir() {
            notes.push(format!("reading go's download cache {}", inner.display()));
            store = Store::Dir(inner);
        }
    }
    let shard = args.shard.unwrap_or_default();
    let layout: Layout = args.layout.into();
    let temp_out;
    let file = match (&args.resume, &args.output) {
        (Some(r), _) => ResultsFile::open(&rt, r, true)?,
        (None, Some(o)) => ResultsFile::open(&rt, o, false)?,
        (None, None) => {
            temp_out = tempfile::tempdir().context("creating a temporary directory")?;
            ResultsFile {
                local: temp_out.path().join("results.jsonl"),
                remote: None,
                _temp: None,
            }
        }
    };
    let point = if args.resume.is_some() {
        ResumePoint::read(&file.local)?
    } else {
        ResumePoint::default()
    };
    let threads = args.threads.map_or_else(
        || match store {
            Store::Dir(_) => std::thread::available_parallelism().map_or(1, |n| n.get()),
            Store::Object { .. } => 16,
        },
        usize::from,
    );
    let opts = StoreOptions {
        layout,
        shard,
        after: point.after.clone(),
        batch: args.batch as usize,
        threads,
        lookup_concurrency: lookup_concurrency(&args.net),
        ..StoreOptions::default()
    };
    if point.ended {
        if !global.quiet {
            eprintln!(
                "{}: the run had finished; reporting it",
                args.resume.as_deref().unwrap_or_default()
            );
        }
    } else {
        let cx = context(&args.net)?;
        rt.block_on(async {
            let db = match database(global, &cx).await {
                Ok(db) => db,
                Err(e) if offline_without_database(global, &e) =>
                {
                    DatabaseAccess::Off {
                        reason: format!("--offline and no usable database: {e:#}"),
                        nosumdb: cx.env.value("GONOSUMDB").to_owned(),
                    }
                }
                Err(e) => {
                    return Err(e.context(
                        "cannot open the checksum database (use --offline to verify against cached data only)",
                    ));
                }
            };
            let start = StartRecord {
                schema_version: SCHEMA_VERSION,
                command: "verify store".into(),
                location: store.display(),
                layout: layout.as_str().into(),
                shard,
                database: match &db {
                    DatabaseAccess::Off { reason, .. } => format!("off: {reason}"),
                    DatabaseAccess::On(d) => d.base.clone(),
                },
                nosumdb: match &db {
                    DatabaseAccess::Off { nosumdb, .. } => nosumdb.clone(),
                    DatabaseAccess::On(d) => d.nosumdb.clone(),
                },
            };
            if let Some(old) = &point.start
                && (old.location != start.location
                    || old.layout != start.layout
                    || old.shard != start.shard)
            {
                bail!(
                    "{}: it holds results of {} (layout {}, shard {}), not of {} (layout {}, shard {})",
                    file.local.display(),
                    old.location,
                    old.layout,
                    old.shard,
                    start.location,
                    start.layout,
                    start.shard
                );
            }
            let mut writer = ResultsWriter::open(&file.local, point.keep)?;
            if point.start.is_none() {
                writer.line(&Line::Start(start))?;
                writer.flush()?;
            }
            let mut sink = Sink {
                writer,
                file: &file,
                last_upload: Instant::now(),
            };
            let summary = verify_store(&store, &db, &opts, &mut sink).await?;
            notes.extend(summary.notes);
            sink.writer.line(&Line::End(EndRecord {
                files_listed: summary.files_listed,
                judged: summary.judged,
                notes: notes.clone(),
                database_failed: summary.database_failed,
            }))?;
            sink.writer.flush()?;
            file.upload().await
        })?;
    }
    let merged = Merged::read(std::slice::from_ref(&file.local))?;
    render(global, &merged)
}

fn render(global: &GlobalArgs, merged: &Merged) -> anyhow::Result<ExitCode> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    match global.format {
        Format::Text => merged.render_text(crate::output::colour(global), &mut out),
        Format::Json => serde_json::to_writer_pretty(&mut out, &merged.to_json())
            .map_err(io::Error::from)
            .and_then(|()| writeln!(out)),
        Format::Sarif => {
            gotrust::report::sarif::render(&merged.to_report(), env!("CARGO_PKG_VERSION"), &mut out)
        }
        Format::Mermaid => bail!("--format mermaid is not available for gotrust verify store"),
    }
    .and_then(|()| out.flush())
    .context("cannot write to stdout")?;
    if merged.failed() {
        return Ok(ExitCode::from(EXIT_FINDINGS));
    }
    if merged.incomplete() {
        return Ok(ExitCode::from(EXIT_ERROR));
    }
    Ok(crate::output::exit_code(
        &merged.to_report(),
        global.fail_on.into(),
    ))
}
