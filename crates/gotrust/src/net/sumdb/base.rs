//! Where the checksum database is reached: an explicit URL, the first GOPROXY entry that
//! answers `/sumdb/⟨name⟩/supported`, or the database's own host (`cmd/go/internal/modfetch/sumdb.go`,
//! `dbClient.initBase`).

use super::*;

/// How the database base URL was found (`cmd/go/internal/modfetch/sumdb.go` `initBase`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "via", rename_all = "snake_case")]
pub enum BaseSource {
    /// GOSUMDB named a URL.
    Explicit,
    /// GOPROXY entry `hop` answered `/sumdb/⟨name⟩/supported`.
    Proxy {
        /// Index into the hop list.
        hop: usize,
    },
    /// No proxy mirrors it (all not-found, or the walk reached `direct`/`off`).
    Direct,
}

/// The resolved database location.
#[derive(Debug, Clone)]
pub struct ResolvedBase {
    /// The base URL.
    pub base: SumdbBase,
    /// How it was found.
    pub source: BaseSource,
    /// The proxy walk, if one was made.
    pub steps: Vec<Step>,
}

/// Why the base URL could not be found: a proxy probe failed with an error that stops the
/// walk (e.g. 503 after a `,`); go then fails every database read with it.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{error}")]
pub struct ResolveError {
    /// The error go reports.
    pub error: ProxyError,
    /// The walk.
    pub steps: Vec<Step>,
}

#[derive(Debug)]
pub(super) enum ProbeErr {
    Proxy(ProxyError),
    Keyword(&'static str),
}

impl std::fmt::Display for ProbeErr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProbeErr::Proxy(e) => e.fmt(f),
            ProbeErr::Keyword(k) => f.write_str(k),
        }
    }
}

impl WalkError for ProbeErr {
    fn is_not_found(&self) -> bool {
        match self {
            ProbeErr::Proxy(e) => e.is_not_found(),
            ProbeErr::Keyword(_) => true,
        }
    }
}

/// Finds the database base URL as go does (`cmd/go/internal/modfetch/sumdb.go` `initBase`).
pub async fn resolve_base(
    http: &HttpClient,
    name: &str,
    explicit: Option<&str>,
    hops: &[Hop],
) -> Result<ResolvedBase, ResolveError> {
    let direct = || -> Result<SumdbBase, ResolveError> {
        let u = url::Url::parse(&format!("https://{name}")).map_err(|e| ResolveError {
            error: ProxyError::BadBase(format!("invalid sumdb name {name:?}: {e}")),
            steps: Vec::new(),
        })?;
        Ok(SumdbBase(u))
    };
    if let Some(u) = explicit {
        let url = url::Url::parse(u).map_err(|e| ResolveError {
            error: ProxyError::BadBase(format!("invalid GOSUMDB URL {u:?}: {e}")),
            steps: Vec::new(),
        })?;
        return Ok(ResolvedBase {
            base: SumdbBase(url),
            source: BaseSource::Explicit,
            steps: Vec::new(),
        });
    }
    let walk = try_proxies(hops, |i, hop| {
        let kind = hop.kind.clone();
        async move {
            match kind {
                HopKind::Url { url: u, .. } => {
                    let p = ProxyClient::new(http, &u).map_err(ProbeErr::Proxy)?;
                    p.sumdb_supported(name).await.map_err(ProbeErr::Proxy)?;
                    Ok((i, p.sumdb_base(name)))
                }
                HopKind::Direct | HopKind::Off | HopKind::NoProxy => {
                    Err(ProbeErr::Keyword("use direct connection"))
                }
            }
        }
    })
    .await;
    match walk.result {
        Some(Ok((hop, base))) => Ok(ResolvedBase {
            base,
            source: BaseSource::Proxy { hop },
            steps: walk.steps,
        }),
        None => Ok(ResolvedBase {
            base: direct()?,
            source: BaseSource::Direct,
            steps: walk.steps,
        }),
        Some(Err(e)) if e.is_not_found() => Ok(ResolvedBase {
            base: direct()?,
            source: BaseSource::Direct,
            steps: walk.steps,
        }),
        Some(Err(ProbeErr::Proxy(error))) => Err(ResolveError {
            error,
            steps: walk.steps,
        }),
        Some(Err(ProbeErr::Keyword(k))) => Err(ResolveError {
            error: ProxyError::BadBase(k.to_string()),
            steps: walk.steps,
        }),
    }
}
