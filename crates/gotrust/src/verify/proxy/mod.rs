//! `gotrust verify proxy`: what each proxy serves, compared with go.sum, the checksum
//! database and the other proxies.
//!
//! For each module version, every proxy is asked for `.info`, `.mod` and (when go.sum has a
//! zip line or the version was named on the command line) `.zip`, as cmd/go's
//! `modfetch/proxy.go` asks (`proxyRepo.Versions`, `Stat`, `GoMod`, `Zip`): bodies are streamed and hashed with go's size
//! limits, the zip is checked against go's rules (`modzip::check_and_hash_zip`, as
//! `modfetch/fetch.go` `downloadZip` does) and hashed, the go.mod hashed like go.sum's
//! `/go.mod` lines. `@v/list` is read for each module, and each proxy is asked once per module
//! for a version that cannot exist: a 200 there is a polluted or stale cache.
//!
//! Attribution: the database's record is signed and proven, so a proxy that disagrees with it
//! is blamed, and so is a go.sum line; when go.sum and every proxy agree with one another but
//! not with the database, the database is blamed. Without a database record, proxies are
//! compared with go.sum and with each other.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use gomod::module;
use serde::Serialize;

use super::sums::{DatabaseAccess, ErrorClass, HeadCheck, LookupOutcome, check_head, lookup_all};
use crate::net::goproxy::{AnswerClass, answer_class};
use crate::net::{HttpClient, ProxyClient, ProxyError};

mod attribute;
mod fetch;
mod targets;

use attribute::*;
use fetch::*;
pub use targets::{ProxyTarget, TargetError, targets_from_args, targets_from_go_sum};

/// Options of [`verify_proxies`].
#[derive(Debug, Clone)]
pub struct ProxyOptions {
    /// The proxy base URLs.
    pub proxies: Vec<String>,
    /// Module versions fetched at once (each host is also bounded by the HTTP client).
    pub concurrency: usize,
    /// Directory for downloaded zips (deleted after hashing).
    pub temp_dir: PathBuf,
    /// Ask each proxy for a version that does not exist.
    pub probe_missing: bool,
}

/// Which source a finding blames.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "side", rename_all = "kebab-case")]
pub enum Side {
    /// A proxy.
    Proxy {
        /// Its base URL.
        url: String,
    },
    /// The checksum database.
    Database,
    /// The go.sum line.
    GoSum {
        /// The file.
        file: PathBuf,
        /// The line.
        line: usize,
    },
    /// Two proxies disagree and nothing decides which is right.
    Undecided,
}

/// Which artifact a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Artifact {
    /// `.zip` (go.sum's `h1:` line).
    Zip,
    /// `.mod` (go.sum's `/go.mod` line).
    GoMod,
    /// `.info`.
    Info,
    /// `@v/list`.
    List,
    /// The checksum database's record (and the signed tree head it is proven against).
    Record,
}

/// What a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingKind {
    /// A hash differs from the reference.
    Mismatch,
    /// The zip breaks go's rules (go would refuse it).
    InvalidZip,
    /// `.info` is wrong (another version, not JSON).
    BadInfo,
    /// A version that cannot exist was served with 200.
    PollutedCache,
    /// The version is not in `@v/list` (go accepts this; worth knowing).
    Unlisted,
    /// `.info` carries an `Origin` (unauthenticated metadata; informational).
    Origin,
    /// The checksum database's signed answer did not verify (bad or foreign signature, fork,
    /// unproven record): the database is blamed, and no proxy is judged against it.
    DatabaseInvalid,
    /// `@v/list` names the version but the proxy answers 404/410 for one of its files
    /// (go's `,` then moves to the next proxy; the proxy contradicts itself).
    ListedNotServed,
}

impl FindingKind {
    /// Whether the finding fails verification (exit 1).
    pub fn is_failure(self) -> bool {
        matches!(
            self,
            FindingKind::Mismatch
                | FindingKind::InvalidZip
                | FindingKind::BadInfo
                | FindingKind::PollutedCache
                | FindingKind::DatabaseInvalid
        )
    }
}

/// One disagreement or problem, with the side it is attributed to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProxyFinding {
    /// What.
    pub kind: FindingKind,
    /// About which artifact.
    pub artifact: Artifact,
    /// Who is blamed.
    pub blame: Side,
    /// Explanation with both values.
    pub message: String,
}

/// What one proxy served for one artifact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "result", rename_all = "kebab-case")]
pub enum Served {
    /// Not asked.
    NotFetched,
    /// 200: its `h1:` hash (for `.info`, the version it names).
    Ok {
        /// `h1:` hash, or for `.info` the `Version` field.
        value: String,
        /// Body size.
        size: u64,
    },
    /// 404/410.
    NotFound {
        /// The error text.
        message: String,
    },
    /// 400, 401 or 403: the proxy refused (a filter or an access rule); go's fetch fails
    /// with this error and a `,` list stops at it.
    Refused {
        /// The HTTP status.
        status: u16,
        /// The error text.
        message: String,
    },
    /// Any other failure (timeouts, status, too large).
    Failed {
        /// The error text.
        message: String,
    },
}

impl Served {
    fn value(&self) -> Option<&str> {
        match self {
            Served::Ok { value, .. } => Some(value),
            _ => None,
        }
    }
}

/// One proxy's answers for one module version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceResult {
    /// Base URL (credentials redacted).
    pub proxy: String,
    /// `.info`.
    pub info: Served,
    /// `.mod`.
    pub go_mod: Served,
    /// `.zip`.
    pub zip: Served,
    /// Whether `@v/list` names the version (`None`: list unavailable).
    pub listed: Option<bool>,
}

/// The database's record for one module version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "result", rename_all = "kebab-case")]
pub enum DbRecord {
    /// Not consulted (off, offline, private).
    Skipped {
        /// Why.
        reason: String,
        /// Whether the path is private (GONOSUMDB/GOPRIVATE).
        private: bool,
    },
    /// Proven record.
    Found {
        /// Zip hash, if the record has one.
        zip: Option<String>,
        /// go.mod hash.
        go_mod: Option<String>,
    },
    /// Not in the database, for a path it covers: go refuses the module.
    NotFound {
        /// The server's reason.
        reason: String,
        /// The error go prints (`cmd/go/internal/modfetch/fetch.go` `checkSumDB`).
        go_error: String,
    },
    /// The lookup failed.
    Failed {
        /// How it bears on the verdict.
        class: ErrorClass,
        /// Why.
        message: String,
    },
}

/// The result for one module version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModuleResult {
    /// Module path.
    pub module: String,
    /// Version.
    pub version: String,
    /// `verified`, `mismatch`, `not-in-database`, `refused` (a proxy answered 400/401/403
    /// and none served it), `skipped` or `error`.
    pub status: &'static str,
    /// The go.sum file.
    pub go_sum_file: Option<PathBuf>,
    /// go.sum's zip line.
    pub go_sum_zip: Option<(usize, String)>,
    /// go.sum's go.mod line.
    pub go_sum_mod: Option<(usize, String)>,
    /// The database's record.
    pub database: DbRecord,
    /// Each proxy's answers.
    pub sources: Vec<SourceResult>,
    /// Disagreements and problems.
    pub findings: Vec<ProxyFinding>,
}

/// The answer of one proxy to a version that cannot exist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MissingProbe {
    /// Base URL.
    pub proxy: String,
    /// Module path asked about.
    pub module: String,
    /// The nonexistent version asked for.
    pub version: String,
    /// `.info` answer.
    pub info: Served,
    /// `.mod` answer.
    pub go_mod: Served,
    /// True when either answered 200.
    pub polluted: bool,
    /// The status either answered instead of 404/410 (a refusal or another error status),
    /// judged as `gotrust probe` judges it: a `,` GOPROXY list stops there.
    pub not_found_status: Option<u16>,
}

/// The result of `verify proxy`.
#[derive(Debug, Clone, Serialize)]
pub struct ProxyReport {
    /// Proxies checked.
    pub proxies: Vec<String>,
    /// One result per module version.
    pub modules: Vec<ModuleResult>,
    /// Nonexistent-version probes.
    pub probes: Vec<MissingProbe>,
    /// The database head check, when a database was consulted.
    pub head: Option<HeadCheck>,
}

impl ProxyReport {
    /// A mismatch, tampering, polluted cache, a version go would refuse (not in the
    /// database) or database failure (exit 1).
    pub fn failed(&self) -> bool {
        self.modules
            .iter()
            .flat_map(|m| &m.findings)
            .any(|f| f.kind.is_failure())
            || self.probes.iter().any(|p| p.polluted)
            || self.modules.iter().any(|m| m.status == "not-in-database")
            || self.modules.iter().any(|m| {
                matches!(
                    m.database,
                    DbRecord::Failed {
                        class: ErrorClass::Verification,
                        ..
                    }
                )
            })
            || matches!(
                self.head,
                Some(HeadCheck::RolledBack { .. } | HeadCheck::Fork(_) | HeadCheck::Invalid { .. })
            )
    }

    /// Some module got no verdict (exit 2 when nothing failed).
    pub fn incomplete(&self) -> bool {
        self.modules.iter().any(|m| m.status == "error")
    }
}

/// A version of `path` that cannot exist: right major version, a prerelease no proxy serves.
pub fn nonexistent_version(path: &str) -> String {
    let major = module::split_path_version(path)
        .map(|(_, pv)| {
            pv.trim_start_matches(['/', '.'])
                .trim_start_matches('v')
                .to_string()
        })
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| "0".into());
    let candidates = [
        format!("v{major}.0.0-gotrust-nonexistent-probe"),
        "v0.0.0-gotrust-nonexistent-probe".to_string(),
        "v1.0.0-gotrust-nonexistent-probe".to_string(),
    ];
    candidates
        .iter()
        .find(|v| module::check(path, v).is_ok())
        .cloned()
        .unwrap_or_else(|| candidates[0].clone())
}

/// Receives each module version's result as soon as it is judged, so a front end can print
/// results as they are proven and draw progress.
pub trait ModuleSink: Sync {
    /// The number of module versions that will be judged.
    fn total(&self, _modules: usize) {}
    /// One module version's result.
    fn judged(&self, _module: &ModuleResult) {}
}

/// A [`ModuleSink`] that ignores everything.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoModuleSink;

impl ModuleSink for NoModuleSink {}

/// Checks every target on every proxy.
pub async fn verify_proxies(
    http: Arc<HttpClient>,
    targets: &[ProxyTarget],
    db: &DatabaseAccess,
    opts: &ProxyOptions,
) -> ProxyReport {
    verify_proxies_with(http, targets, db, opts, &NoModuleSink).await
}

/// The database's record for each target, and the head check (run at the same time as the
/// lookups, on the same client, so a fork or rollback is caught whichever comes first).
async fn database_records(
    targets: &[ProxyTarget],
    db: &DatabaseAccess,
    concurrency: usize,
) -> (Vec<DbRecord>, Option<HeadCheck>) {
    let d = match db {
        DatabaseAccess::Off { reason, nosumdb } => {
            let patterns = gomod::pattern::PatternList::parse(nosumdb);
            let skipped = targets
                .iter()
                .map(|t| DbRecord::Skipped {
                    reason: reason.clone(),
                    private: !patterns.matching(&t.module).is_empty(),
                })
                .collect();
            return (skipped, None);
        }
        DatabaseAccess::On(d) => d,
    };
    let mut keys = Vec::new();
    for t in targets {
        if d.private_pattern(&t.module).is_none() {
            keys.push((t.module.clone(), t.version.clone()));
            keys.push((t.module.clone(), format!("{}/go.mod", t.version)));
        }
    }
    let head = async {
        if d.client.is_offline() {
            HeadCheck::NotChecked
        } else {
            check_head(&d.http, &d.client, &d.sumdb_base).await
        }
    };
    let (head, out) = tokio::join!(head, lookup_all(&d.client, keys, concurrency.max(64)));
    let recs = targets
        .iter()
        .map(|t| {
            if let Some(p) = d.private_pattern(&t.module) {
                return DbRecord::Skipped {
                    reason: format!("GONOSUMDB pattern {p:?} matches; path not sent"),
                    private: true,
                };
            }
            let zip = out.get(&(t.module.clone(), t.version.clone()));
            let gm = out.get(&(t.module.clone(), format!("{}/go.mod", t.version)));
            match (zip, gm) {
                (
                    Some(LookupOutcome::Found { lines: z, .. }),
                    Some(LookupOutcome::Found { lines: g, .. }),
                ) => DbRecord::Found {
                    zip: hash_of(z),
                    go_mod: hash_of(g),
                },
                (Some(LookupOutcome::NotFound { status, reason }), _) => DbRecord::NotFound {
                    reason: reason.clone(),
                    go_error: super::sums::not_found_text(
                        d, &t.module, &t.version, *status, reason,
                    ),
                },
                (Some(LookupOutcome::NotCached { what }), _)
                | (_, Some(LookupOutcome::NotCached { what })) => DbRecord::Skipped {
                    reason: format!("not in the offline cache ({what})"),
                    private: false,
                },
                (Some(LookupOutcome::Failed { class, message, .. }), _)
                | (_, Some(LookupOutcome::Failed { class, message, .. })) => DbRecord::Failed {
                    class: *class,
                    message: message.clone(),
                },
                _ => DbRecord::Failed {
                    class: ErrorClass::Failure,
                    message: "lookup incomplete".into(),
                },
            }
        })
        .collect();
    (recs, Some(head))
}

/// Asks `base` for a version of `path` that cannot exist: 200 is a polluted cache; a status
/// other than 404/410 (judged by [`answer_class`], as `gotrust probe` judges it) stops a `,`
/// GOPROXY list.
async fn probe_missing(http: &HttpClient, base: &str, path: &str) -> Option<MissingProbe> {
    let client = ProxyClient::new(http, base).ok()?;
    let v = nonexistent_version(path);
    let (info, go_mod) = tokio::join!(client.info(path, &v), client.go_mod(path, &v));
    let mut not_found_status = None;
    let mut judge = |e: &ProxyError| {
        match answer_class(e) {
            AnswerClass::Refused { status } | AnswerClass::Status { status } => {
                not_found_status.get_or_insert(status);
            }
            _ => {}
        }
        served_err(e)
    };
    let info = match info {
        Ok((ex, i)) => Served::Ok {
            value: i.version,
            size: ex.body_len,
        },
        Err(e) => judge(&e),
    };
    let go_mod = match go_mod {
        Ok((ex, body)) => Served::Ok {
            value: gomod::dirhash::hash_go_mod(&body),
            size: ex.body_len,
        },
        Err(e) => judge(&e),
    };
    let polluted = matches!(info, Served::Ok { .. }) || matches!(go_mod, Served::Ok { .. });
    Some(MissingProbe {
        proxy: crate::redact::redact_text(base),
        module: path.to_string(),
        version: v,
        info,
        go_mod,
        polluted,
        not_found_status,
    })
}

/// [`verify_proxies`], handing each module version's result to `sink` as soon as it is known.
///
/// Everything runs at once, bounded by `opts.concurrency` module versions (each asks its
/// proxies for `.info`, `.mod` and `.zip` together) and `opts.concurrency` `@v/list` and
/// nonexistent-version requests: the database lookups and head check, the lists, the probes
/// and the downloads share one HTTP client, so HTTP/2 connections are reused across phases.
pub async fn verify_proxies_with(
    http: Arc<HttpClient>,
    targets: &[ProxyTarget],
    db: &DatabaseAccess,
    opts: &ProxyOptions,
    sink: &dyn ModuleSink,
) -> ProxyReport {
    use futures_util::StreamExt as _;
    sink.total(targets.len());
    let jobs = opts.concurrency.max(1);
    let mut paths: Vec<&str> = targets.iter().map(|t| t.module.as_str()).collect();
    paths.sort_unstable();
    paths.dedup();
    let pairs: Vec<(&String, &str)> = opts
        .proxies
        .iter()
        .flat_map(|b| paths.iter().map(move |p| (b, *p)))
        .collect();

    // @v/list once per proxy and module path, and the nonexistent-version probe.
    let lists_and_probes = futures_util::stream::iter(pairs.iter().copied())
        .map(|(base, path)| {
            let http = &http;
            async move {
                let Ok(client) = ProxyClient::new(http, base) else {
                    return ((base.clone(), path.to_string()), None, None);
                };
                let list = async {
                    client
                        .list(path)
                        .await
                        .ok()
                        .map(|(_, l)| l.lines.into_iter().map(|x| x.version).collect())
                };
                let probe = async {
                    if opts.probe_missing {
                        probe_missing(http, base, path).await
                    } else {
                        None
                    }
                };
                let (list, probe): (Option<Vec<String>>, _) = tokio::join!(list, probe);
                ((base.clone(), path.to_string()), list, probe)
            }
        })
        .buffer_unordered(jobs)
        .collect::<Vec<_>>();
    let ((records, head), listed) =
        tokio::join!(database_records(targets, db, jobs), lists_and_probes);
    let mut lists: HashMap<(String, String), Option<Vec<String>>> = HashMap::new();
    let mut probes = Vec::new();
    for (key, list, probe) in listed {
        lists.insert(key, list);
        probes.extend(probe);
    }
    probes.sort_by(|a: &MissingProbe, b| (&a.proxy, &a.module).cmp(&(&b.proxy, &b.module)));

    let lists = &lists;
    let http = &http;
    let mut modules: Vec<Option<ModuleResult>> = vec![None; targets.len()];
    let mut done = futures_util::stream::iter(targets.iter().zip(records).enumerate())
        .map(|(i, (t, rec))| async move {
            let per_proxy = opts.proxies.iter().map(|base| async move {
                let list = lists
                    .get(&(base.clone(), t.module.clone()))
                    .and_then(|l| l.as_deref());
                let mut findings = Vec::new();
                let s = fetch_source(http, base, t, list, &opts.temp_dir, &mut findings).await;
                (s, findings)
            });
            let mut findings = Vec::new();
            let mut sources = Vec::new();
            for (s, f) in futures_util::future::join_all(per_proxy).await {
                sources.push(s);
                findings.extend(f);
            }
            (i, judge_module(t.clone(), rec, sources, findings))
        })
        .buffer_unordered(jobs);
    while let Some((i, m)) = done.next().await {
        sink.judged(&m);
        modules[i] = Some(m);
    }
    ProxyReport {
        proxies: opts
            .proxies
            .iter()
            .map(|p| crate::redact::redact_text(p))
            .collect(),
        modules: modules.into_iter().flatten().collect(),
        probes,
        head,
    }
}

fn judge_module(
    t: ProxyTarget,
    rec: DbRecord,
    sources: Vec<SourceResult>,
    mut findings: Vec<ProxyFinding>,
) -> ModuleResult {
    let (db_zip, db_mod) = match &rec {
        DbRecord::Found { zip, go_mod } => (zip.clone(), go_mod.clone()),
        _ => (None, None),
    };
    let file = t.go_sum_file.clone().unwrap_or_default();
    let zips: Vec<(String, Option<String>)> = sources
        .iter()
        .map(|s| (s.proxy.clone(), s.zip.value().map(str::to_string)))
        .collect();
    let mods: Vec<(String, Option<String>)> = sources
        .iter()
        .map(|s| (s.proxy.clone(), s.go_mod.value().map(str::to_string)))
        .collect();
    if t.want_zip {
        attribute(
            Artifact::Zip,
            t.zip_line
                .as_ref()
                .map(|(l, h)| (file.as_path(), *l, h.as_str())),
            db_zip.as_deref(),
            &zips,
            &mut findings,
        );
    }
    attribute(
        Artifact::GoMod,
        t.mod_line
            .as_ref()
            .map(|(l, h)| (file.as_path(), *l, h.as_str())),
        db_mod.as_deref(),
        &mods,
        &mut findings,
    );
    if let DbRecord::Failed {
        class: ErrorClass::Verification,
        message,
    } = &rec
    {
        findings.push(ProxyFinding {
            kind: FindingKind::DatabaseInvalid,
            artifact: Artifact::Record,
            blame: Side::Database,
            message: format!(
                "the checksum database's answer did not verify, so no proxy is judged against it: {message}"
            ),
        });
    }
    let failed_fetch = sources.iter().any(|s| {
        [&s.info, &s.go_mod, &s.zip]
            .iter()
            .any(|x| matches!(x, Served::Failed { .. }))
    });
    // A 404/410 or a refusal from one proxy is normal with several (go moves on after a 404
    // or a `|`); no proxy serving a wanted artifact leaves it unverified.
    let unserved = |f: fn(&SourceResult) -> &Served| {
        !sources.is_empty() && sources.iter().all(|s| f(s).value().is_none())
    };
    let unserved =
        unserved(|s| &s.info) || unserved(|s| &s.go_mod) || (t.want_zip && unserved(|s| &s.zip));
    let refused = sources.iter().any(|s| {
        [&s.info, &s.go_mod, &s.zip]
            .iter()
            .any(|x| matches!(x, Served::Refused { .. }))
    });
    let status = if findings.iter().any(|f| f.kind.is_failure())
        || matches!(
            rec,
            DbRecord::Failed {
                class: ErrorClass::Verification,
                ..
            }
        ) {
        "mismatch"
    } else if matches!(rec, DbRecord::NotFound { .. }) {
        "not-in-database"
    } else if unserved && refused && !failed_fetch {
        "refused"
    } else if failed_fetch || unserved || matches!(rec, DbRecord::Failed { .. }) {
        "error"
    } else if matches!(rec, DbRecord::Skipped { .. }) {
        "skipped"
    } else {
        "verified"
    };
    ModuleResult {
        module: t.module,
        version: t.version,
        status,
        go_sum_file: t.go_sum_file,
        go_sum_zip: t.zip_line,
        go_sum_mod: t.mod_line,
        database: rec,
        sources,
        findings,
    }
}
