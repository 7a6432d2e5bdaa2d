//! `gotrust probe`: how proxies behave (TLS, redirects, not-found semantics, sumdb support),
//! checked with the HTTP settings the go command would use (roots, HTTP(S)_PROXY, netrc).

use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, anyhow, bail};
use gotrust::env::{EnvSources, resolve};
use gotrust::net::HttpClient;
use gotrust::probe::{self, ProbeOptions, Verdict};
use gotrust::report::text::TextOptions;
use gotrust::report::{sarif, text};
use gotrust::settings::Settings;
use gotrust::settings::proxy::ProxyKind;
use gotrust::settings::sumdb::SumDb;

use crate::args::{Format, GlobalArgs};
use crate::output;

/// Flags of `gotrust probe`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Proxy URLs to probe [default: the URLs of the effective GOPROXY]
    #[arg(value_name = "URL")]
    pub urls: Vec<String>,
    /// Module version for the list, info, zip and checksum-database checks
    /// [default: a module of ./go.sum the proxy serves, else the newest rsc.io/quote]
    #[arg(long, value_name = "M@V")]
    pub module: Option<String>,
    /// Largest module zip the probe downloads, in bytes
    #[arg(long, value_name = "BYTES", default_value_t = probe::DEFAULT_ZIP_LIMIT)]
    pub max_zip: u64,
    /// Longest time one request (or one TLS handshake) may take, end to end, in seconds
    #[arg(long, value_name = "SECS", default_value_t = probe::DEFAULT_TIMEOUT.as_secs(),
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,
}

/// Probes each proxy, renders the tables and findings, and decides the exit code.
pub fn run(global: &GlobalArgs, args: &Args) -> anyhow::Result<ExitCode> {
    if global.offline {
        bail!("gotrust probe needs the network (--offline was given)");
    }
    if global.format == Format::Mermaid {
        bail!(
            "--format {} is not available for gotrust probe",
            global.format.name()
        );
    }
    let module = args
        .module
        .as_deref()
        .map(probe::parse_module)
        .transpose()?;
    let src = EnvSources::from_process();
    let env = resolve(&src);
    let settings = Settings::from_env(&env, &src);
    let urls = if args.urls.is_empty() {
        proxy_urls(&settings)?
    } else {
        args.urls.clone()
    };
    let policy = super::load_policy(global, Path::new("."))?;
    let http = Arc::new(
        HttpClient::new(probe::http_config(
            &settings,
            std::time::Duration::from_secs(args.timeout),
        ))
        .context("setting up the HTTP client")?,
    );
    let work = tempfile::tempdir().context("creating a temporary directory")?;
    let mut opts = ProbeOptions::new(work.path());
    opts.module = module;
    opts.zip_limit = args.max_zip;
    // A module the project needs is the one most likely served (a filtering proxy may
    // refuse the well-known one).
    opts.project_dir = Some(std::path::PathBuf::from("."));
    // The database heads seen by earlier runs (and by `verify`): a fork or rollback across
    // runs is only visible against them.
    opts.state_root = gotrust::net::sumdb::default_cache_root();
    opts.sumdb = match &settings.sumdb {
        Ok(SumDb::Db(db)) => Some((**db).clone()),
        Ok(_) => None,
        Err(e) => bail!("{e}"),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let probes = runtime.block_on(async {
        let mut out = Vec::new();
        for url in &urls {
            out.push(probe::probe(&http, url, &opts).await?);
        }
        Ok::<_, probe::ProbeError>(out)
    })?;

    let report = probe::text::report(&probes, &policy);
    let mut out = crate::output::stdout(global);
    match global.format {
        Format::Text => probe::text::render_table(&probes, &mut out)
            .and_then(|()| writeln!(out))
            .and_then(|()| {
                text::render(
                    &report,
                    TextOptions {
                        colour: output::colour(global),
                    },
                    &mut out,
                )
            }),
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &probe::text::to_json(&probes, &policy))
                .map_err(io::Error::from)
                .and_then(|()| writeln!(out))
        }
        Format::Sarif => sarif::render(&report, env!("CARGO_PKG_VERSION"), &mut out),
        Format::Mermaid => unreachable!("refused above"),
    }
    .and_then(|()| out.flush())
    .context("cannot write to stdout")?;
    drop(out);

    let unreachable: Vec<&str> = probes
        .iter()
        .filter(|p| p.verdict == Verdict::Unreachable)
        .map(|p| p.url.as_str())
        .collect();
    if !unreachable.is_empty() {
        return Err(anyhow!(
            "could not reach {}: no verdict",
            unreachable.join(", ")
        ));
    }
    Ok(output::exit_code(&report, global.fail_on.into()))
}

/// The URL entries of the effective GOPROXY.
fn proxy_urls(settings: &Settings) -> anyhow::Result<Vec<String>> {
    let list = settings.proxy.as_ref().map_err(|e| anyhow!("{e}"))?;
    let urls: Vec<String> = list
        .entries
        .iter()
        .filter_map(|e| match &e.kind {
            ProxyKind::Url { url, .. } => Some(url.clone()),
            _ => None,
        })
        .collect();
    if urls.is_empty() {
        bail!("the effective GOPROXY has no proxy URL to probe; name one");
    }
    Ok(urls)
}
