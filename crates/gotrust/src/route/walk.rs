//! Predicting the requests of one go command: `TryProxies` (cmd/go/internal/modfetch/proxy.go)
//! run over a [`Route`] with the answer of each request given by the caller.
//!
//! The walk itself is [`crate::settings::proxy::TryProxies`], the one model of go's fallback
//! rule and error ranking (shared with [`crate::net::goproxy::try_proxies`]).
//! [`Route::simulate`] runs a whole `go mod download -x M@query` or `go list -m -x M@query`
//! the way go runs it: the query walk (modload/query.go `queryProxy`, with the retraction
//! check of `queryLatestVersionIgnoringRetractions`), then `.info`, `.mod` and `.zip` walks
//! (modfetch/cache.go `InfoFile`, `GoMod`; fetch.go `downloadZip`), with go's caches (per
//! proxy and module: `cachingRepo`'s lists per prefix, stats, latest, go.mod; on disk: the
//! `.info` and `.mod` of versions already fetched) and the checksum check of each `.mod`
//! inside its walk (cache.go `checkGoMod`), which consults go.sum and then the database
//! (sumdb.go `initBase` once, one lookup per version). This is how tests compare a route
//! with what the real go command requests, and how a diagnosis can say which hop produced
//! the error go reported.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use gomod::module::{self, semver};

use super::{
    HopFallback, HopKind, Query, QueryKind, Route, SumDbAccess, WalkEnd, lookup_url, proxy_rel_url,
};
use crate::settings::proxy::{Failure, Fallback, ProxyEntry, ProxyKind, TryProxies};
use crate::settings::url::GoUrl;

/// How one request ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// 200.
    Ok,
    /// 404 or 410 (not-found class).
    NotFound,
    /// Any other status, or a transport error.
    Failed,
}

/// What a predicted walk did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Walk {
    /// Every request, in order (`https://…` and then `http://…` for insecure discovery).
    pub requests: Vec<String>,
    /// Index of the hop (or probe) that succeeded.
    pub success: Option<usize>,
    /// Whether the final error is of the not-found class (meaningful without success).
    pub not_found: bool,
}

/// The database base URL a probe walk settled on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DbBase {
    /// The base URL.
    pub base: String,
    /// The lookup URL for the route's version through this base.
    pub lookup: Option<String>,
    /// The base as go joins it (for lookups of other versions).
    #[serde(skip)]
    pub(crate) url: Option<GoUrl>,
}

/// The GOPROXY list entry a hop stands for, as `TryProxies` sees it: its class (direct,
/// or a proxy URL; `off` fails like a proxy) and whether `|` follows it.
fn entry_of(kind: HopKind, base: Option<&GoUrl>, fallback: HopFallback) -> ProxyEntry {
    let kind = match (kind, base) {
        (HopKind::Direct, _) => ProxyKind::Direct,
        (HopKind::Proxy, Some(base)) => ProxyKind::Url {
            url: base.to_go_string(),
            parsed: Box::new(base.clone()),
            implicit_https: false,
        },
        // Every proxy hop has its base; without one it still is not direct-class.
        (HopKind::Off, _) | (HopKind::Proxy, None) => ProxyKind::Off,
    };
    ProxyEntry {
        kind,
        fallback: match fallback {
            HopFallback::AnyError => Fallback::OnAnyError,
            HopFallback::NotFound | HopFallback::None => Fallback::OnNotFound,
        },
    }
}

impl Route {
    /// The requests go makes to fetch `ext` (`info`, `mod` or `zip`) of the route's version,
    /// given each request's outcome. Direct hops make their discovery requests (the https
    /// attempt, then http for GOINSECURE paths after a transport failure); a failed
    /// discovery is not-found class (`unrecognized import path`). Without a version, proxy
    /// hops contribute no request.
    ///
    /// go verifies a downloaded `.mod` or `.zip` against go.sum and the checksum database
    /// inside the walk: a verification failure is that hop's error (not not-found class),
    /// so after `|` go downloads the same file from the next hop. Callers model that by
    /// answering the download request with [`Outcome::Failed`] when verification fails.
    pub fn walk(&self, ext: &str, mut outcome: impl FnMut(&str) -> Outcome) -> Walk {
        let mut requests = Vec::new();
        let mut walk = TryProxies::new();
        for (i, hop) in self.hops.iter().enumerate() {
            let result = match hop.kind {
                HopKind::Off => Outcome::NotFound,
                _ if hop.error.is_some() => Outcome::NotFound,
                HopKind::Proxy => {
                    let suffix = format!(".{ext}");
                    match hop.requests.iter().find(|r| r.ends_with(&suffix)) {
                        Some(url) => {
                            requests.push(url.clone());
                            outcome(url)
                        }
                        None => Outcome::NotFound,
                    }
                }
                HopKind::Direct => match discover(hop, &mut requests, &mut outcome) {
                    // A served page continues with the VCS, which is not modelled.
                    Outcome::Ok => Outcome::Ok,
                    _ => Outcome::NotFound,
                },
            };
            if result == Outcome::Ok {
                return Walk {
                    requests,
                    success: Some(i),
                    not_found: false,
                };
            }
            let entry = entry_of(hop.kind, hop.base.as_ref(), hop.fallback);
            let failure = Failure::of(&entry, result == Outcome::NotFound, false);
            if !walk.fail(failure, ()) {
                break;
            }
        }
        Walk {
            requests,
            success: None,
            not_found: walk.not_found(),
        }
    }
}

/// The discovery requests of a direct hop: the https attempt, then http for GOINSECURE
/// paths after a transport failure. Discovery failures surface as `unrecognized import
/// path`, which go wraps as not-found.
fn discover(
    hop: &super::Hop,
    requests: &mut Vec<String>,
    outcome: &mut impl FnMut(&str) -> Outcome,
) -> Outcome {
    let mut result = Outcome::NotFound;
    if let Some(d) = &hop.direct {
        for a in &d.discovery {
            if a.when != "always" && result != Outcome::Failed {
                break;
            }
            requests.push(a.url.clone());
            result = outcome(&a.url);
            if result != Outcome::Failed {
                break;
            }
        }
    }
    result
}

impl SumDbAccess {
    /// The probe walk of `initBase` (cmd/go/internal/modfetch/sumdb.go) and the base URL it
    /// settles on: `Some(base)`, or `None` when every database read fails with the walk's
    /// error.
    pub fn walk(&self, mut outcome: impl FnMut(&str) -> Outcome) -> (Walk, Option<DbBase>) {
        let mut requests = Vec::new();
        if let Some(url) = &self.url {
            let walk = Walk {
                requests,
                success: None,
                not_found: false,
            };
            return (
                walk,
                Some(DbBase {
                    base: url.clone(),
                    lookup: self.lookup.clone(),
                    url: self.fixed_base.clone(),
                }),
            );
        }
        let mut walk = TryProxies::new();
        let mut stopped = false;
        for (i, p) in self.probes.iter().enumerate() {
            requests.push(p.url.clone());
            let result = outcome(&p.url);
            if result == Outcome::Ok {
                let walk = Walk {
                    requests,
                    success: Some(i),
                    not_found: false,
                };
                return (
                    walk,
                    Some(DbBase {
                        base: p.base.clone(),
                        lookup: p.lookup.clone(),
                        url: Some(p.base_url.clone()),
                    }),
                );
            }
            let entry = entry_of(HopKind::Proxy, Some(&p.base_url), p.fallback);
            if !walk.fail(Failure::of(&entry, result == Outcome::NotFound, false), ()) {
                stopped = true;
                break;
            }
        }
        if !stopped {
            // The list goes on to `direct` or `off`, whose callback answers errProxyOff
            // (not-found class); `direct` outranks every proxy error.
            match self.then {
                WalkEnd::Direct => {
                    let entry = entry_of(HopKind::Direct, None, HopFallback::None);
                    walk.fail(Failure::of(&entry, true, false), ());
                }
                WalkEnd::Off => {
                    let entry = entry_of(HopKind::Off, None, HopFallback::None);
                    walk.fail(Failure::of(&entry, true, false), ());
                }
                WalkEnd::None => {}
            }
        }
        let walk = Walk {
            requests,
            success: None,
            not_found: walk.not_found(),
        };
        if walk.not_found {
            (
                walk,
                Some(DbBase {
                    base: self.direct_url.clone(),
                    lookup: self.lookup.clone(),
                    url: self.fixed_base.clone(),
                }),
            )
        } else {
            (walk, None)
        }
    }
}

/// An answer to one predicted request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// How the request ends.
    pub outcome: Outcome,
    /// The body (read for `@v/list`, `.info` and `@latest`).
    pub body: String,
}

/// The go command whose requests [`Route::simulate`] predicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum GoCommand {
    /// `go mod download M@query`: the query, then `.info`, `.mod` and `.zip`.
    ModDownload,
    /// `go list -m M@query`: the query, then the `.mod` of the version; only the query
    /// decides success (the `.mod` and its checksum check are best effort).
    ListModule,
}

/// What [`Route::simulate`] predicts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Simulation {
    /// Every request, in go's order.
    pub requests: Vec<String>,
    /// The version the query resolved to.
    pub version: Option<String>,
    /// Whether the command succeeds.
    pub ok: bool,
    /// A served `?go-get=1` page would continue with a VCS, which is not predicted.
    pub stopped_at_vcs: bool,
}

/// An error as the walk classifies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Err {
    not_found: bool,
}

const NOT_FOUND: Err = Err { not_found: true };
const FAILED: Err = Err { not_found: false };

/// `cachingRepo` and `proxyRepo` state of one hop for the module.
#[derive(Debug, Default)]
struct HopState {
    /// Direct hops: `lookupDirect` ran (once; its failure is cached in the `errRepo`).
    init: Option<Result<(), Err>>,
    versions: BTreeMap<String, Result<Vec<String>, Err>>,
    stat: BTreeMap<String, Result<String, Err>>,
    latest: Option<Result<String, Err>>,
    gomod: BTreeMap<String, Result<(), Err>>,
    /// `proxyRepo.listLatestOnce`.
    list_latest: Option<Result<String, Err>>,
}

struct Sim<'r, F> {
    route: &'r Route,
    has_sum: &'r dyn Fn(&str) -> bool,
    respond: F,
    requests: Vec<String>,
    hops: Vec<HopState>,
    disk_stat: BTreeSet<String>,
    disk_mod: BTreeSet<String>,
    db_base: Option<Option<DbBase>>,
    db_lookup: BTreeMap<String, Result<(), Err>>,
    retractions_checked: bool,
    stopped_at_vcs: bool,
}

impl Route {
    /// Predicts every request of `command` for the route's module and query, in order, with
    /// `respond` answering each request and `has_sum` saying whether go.sum has a line with
    /// the given version field (`V` or `V/go.mod`) for the module.
    ///
    /// Not predicted: what a VCS does after a served `?go-get=1` page ([`Simulation::
    /// stopped_at_vcs`]), `+incompatible` versions in a list (go then reads the `.mod` of the
    /// last compatible version), retracted versions, and `upgrade`/`patch` from a
    /// pseudo-version older than the candidate.
    pub fn simulate(
        &self,
        command: GoCommand,
        has_sum: &dyn Fn(&str) -> bool,
        respond: impl FnMut(&str) -> Answer,
    ) -> Simulation {
        let mut sim = Sim {
            route: self,
            has_sum,
            respond,
            requests: Vec::new(),
            hops: self.hops.iter().map(|_| HopState::default()).collect(),
            disk_stat: BTreeSet::new(),
            disk_mod: BTreeSet::new(),
            db_base: None,
            db_lookup: BTreeMap::new(),
            retractions_checked: false,
            stopped_at_vcs: false,
        };
        let (version, ok) = sim.run(command);
        Simulation {
            requests: sim.requests,
            version,
            ok,
            stopped_at_vcs: sim.stopped_at_vcs,
        }
    }
}

/// `module.Version` order of a time in `@v/list` (RFC 3339, or a pseudo-version's): the
/// digits, compared as text (UTC times only; others compare as the zero time).
fn list_time(line: &[&str]) -> Option<String> {
    if let Some(t) = line.get(1) {
        let digits: String = t.chars().filter(char::is_ascii_digit).collect();
        return (t.ends_with('Z') && digits.len() >= 14).then(|| digits[..14].to_string());
    }
    let v = line.first()?;
    if !module::is_pseudo_version(v) {
        return None;
    }
    // vX.Y.Z-[pre.]yyyymmddhhmmss-hash: the timestamp is the second-to-last dash field.
    let fields: Vec<&str> = v.rsplitn(3, '-').collect();
    let ts = fields.get(1)?;
    let ts = ts.rsplit('.').next()?;
    (ts.len() == 14).then(|| ts.to_string())
}

/// `"Version"` of a `.info` / `@latest` body.
fn info_version(body: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(body).ok()?;
    v.get("Version")?.as_str().map(str::to_string)
}

impl<'r, F: FnMut(&str) -> Answer> Sim<'r, F> {
    fn fetch(&mut self, url: &str) -> Answer {
        self.requests.push(url.to_string());
        (self.respond)(url)
    }

    fn module(&self) -> &str {
        &self.route.module
    }

    /// `TryProxies` over the route's hops.
    fn walk<T>(
        &mut self,
        mut op: impl FnMut(&mut Self, usize) -> Result<T, Err>,
    ) -> Result<T, Err> {
        let mut walk = TryProxies::new();
        for i in 0..self.route.hops.len() {
            match op(self, i) {
                Ok(v) => return Ok(v),
                Err(e) => {
                    let hop = &self.route.hops[i];
                    let entry = entry_of(hop.kind, hop.base.as_ref(), hop.fallback);
                    if !walk.fail(Failure::of(&entry, e.not_found, false), e) {
                        break;
                    }
                }
            }
        }
        Err(walk.into_error().unwrap_or(NOT_FOUND))
    }

    /// The hop's repository: `Ok(base)` for a proxy; direct hops run discovery once.
    fn repo(&mut self, i: usize) -> Result<GoUrl, Err> {
        let route = self.route;
        let hop = &route.hops[i];
        if hop.error.is_some() || hop.kind == HopKind::Off {
            return Err(NOT_FOUND);
        }
        match hop.kind {
            HopKind::Proxy => hop.base.clone().ok_or(FAILED),
            _ => {
                if self.hops[i].init.is_some() {
                    return Err(NOT_FOUND);
                }
                let mut requests = Vec::new();
                let respond = &mut self.respond;
                let result = discover(hop, &mut requests, &mut |u| respond(u).outcome);
                self.requests.extend(requests);
                if result == Outcome::Ok {
                    self.stopped_at_vcs = true;
                }
                self.hops[i].init = Some(Err(NOT_FOUND));
                Err(NOT_FOUND)
            }
        }
    }

    fn get(&mut self, base: &GoUrl, rel: &str) -> Result<String, Err> {
        let module = self.module().to_string();
        let url = proxy_rel_url(base, &module, rel).ok_or(FAILED)?;
        let a = self.fetch(&url);
        match a.outcome {
            Outcome::Ok => Ok(a.body),
            Outcome::NotFound => Err(NOT_FOUND),
            Outcome::Failed => Err(FAILED),
        }
    }

    /// `proxyRepo.Stat` (uncached).
    fn proxy_stat(&mut self, base: &GoUrl, rev: &str) -> Result<String, Err> {
        let enc = module::escape_version(rev).map_err(|_| FAILED)?;
        let body = self.get(base, &format!("@v/{enc}.info"))?;
        let v = info_version(&body).ok_or(FAILED)?;
        let canonical = module::canonical_version(rev).as_deref() == Some(rev);
        if v != rev && canonical && module::check(self.module(), rev).is_ok() {
            return Err(FAILED);
        }
        Ok(v)
    }

    /// `cachingRepo.Stat`.
    fn stat(&mut self, i: usize, rev: &str) -> Result<String, Err> {
        if let Some(r) = self.hops[i].stat.get(rev) {
            return r.clone();
        }
        let r = if self.disk_stat.contains(rev) {
            Ok(rev.to_string())
        } else {
            let r = self.repo(i).and_then(|base| self.proxy_stat(&base, rev));
            if let Ok(v) = &r {
                if v != rev {
                    self.hops[i].stat.insert(v.clone(), Ok(v.clone()));
                }
                self.disk_stat.insert(v.clone());
            }
            r
        };
        self.hops[i].stat.insert(rev.to_string(), r.clone());
        r
    }

    /// `proxyRepo.latestFromList`.
    fn latest_from_list(&mut self, base: &GoUrl, body: &str) -> Result<String, Err> {
        let mut best: Option<(String, String)> = None;
        for line in body.split('\n') {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.is_empty() || !semver::is_valid(f[0]) {
                continue;
            }
            if let Some(t) = list_time(&f)
                && best.as_ref().is_none_or(|(bt, _)| *bt < t)
            {
                best = Some((t, f[0].to_string()));
            }
        }
        match best {
            Some((_, v)) => self.proxy_stat(base, &v),
            None => Err(NOT_FOUND),
        }
    }

    /// `cachingRepo.Versions` over `proxyRepo.Versions`.
    fn versions(&mut self, i: usize, prefix: &str) -> Result<Vec<String>, Err> {
        if let Some(r) = self.hops[i].versions.get(prefix) {
            return r.clone();
        }
        let r = self
            .repo(i)
            .and_then(|base| match self.get(&base, "@v/list") {
                Err(e) => {
                    self.hops[i].list_latest.get_or_insert(Err(e));
                    Err(e)
                }
                Ok(body) => {
                    let mut list: Vec<String> = body
                        .split('\n')
                        .filter_map(|l| l.split_whitespace().next())
                        .filter(|v| {
                            semver::is_valid(v)
                                && v.starts_with(prefix)
                                && !module::is_pseudo_version(v)
                        })
                        .map(str::to_string)
                        .collect();
                    if self.hops[i].list_latest.is_none() {
                        let l = self.latest_from_list(&base, &body);
                        self.hops[i].list_latest = Some(l);
                    }
                    list.sort_by(|a, b| semver::compare(a, b).then_with(|| a.cmp(b)));
                    Ok(list)
                }
            });
        self.hops[i].versions.insert(prefix.to_string(), r.clone());
        r
    }

    /// `cachingRepo.Latest` over `proxyRepo.Latest`.
    fn latest(&mut self, i: usize) -> Result<String, Err> {
        if let Some(r) = &self.hops[i].latest {
            return r.clone();
        }
        let r = self
            .repo(i)
            .and_then(|base| match self.get(&base, "@latest") {
                Ok(body) => info_version(&body).ok_or(FAILED),
                Err(e) if !e.not_found => Err(e),
                Err(_) => {
                    if let Some(r) = &self.hops[i].list_latest {
                        return r.clone();
                    }
                    let r = match self.get(&base, "@v/list") {
                        Ok(body) => self.latest_from_list(&base, &body),
                        Err(e) => Err(e),
                    };
                    self.hops[i].list_latest = Some(r.clone());
                    r
                }
            });
        if let Ok(v) = &r {
            self.hops[i].stat.insert(v.clone(), Ok(v.clone()));
            self.disk_stat.insert(v.clone());
        }
        self.hops[i].latest = Some(r.clone());
        r
    }

    /// `cachingRepo.GoMod`, with `checkGoMod` inside.
    fn gomod(&mut self, i: usize, v: &str) -> Result<(), Err> {
        if let Some(r) = self.hops[i].gomod.get(v) {
            return *r;
        }
        let r = if self.disk_mod.contains(v) {
            Ok(())
        } else {
            let enc = module::escape_version(v).map_err(|_| FAILED);
            let r = enc.and_then(|enc| {
                self.repo(i)
                    .and_then(|base| self.get(&base, &format!("@v/{enc}.mod")))
            });
            let r = r.and_then(|_| self.verify(v, &format!("{v}/go.mod")));
            if r.is_ok() {
                self.disk_mod.insert(v.to_string());
            }
            r
        };
        self.hops[i].gomod.insert(v.to_string(), r);
        r
    }

    /// `proxyRepo.Zip` (uncached).
    fn zip(&mut self, i: usize, v: &str) -> Result<(), Err> {
        let enc = module::escape_version(v).map_err(|_| FAILED)?;
        let base = self.repo(i)?;
        self.get(&base, &format!("@v/{enc}.zip")).map(|_| ())
    }

    /// `checkModSum`: go.sum first, then the database (`initBase` once, one lookup per
    /// version, both cached with their errors).
    fn verify(&mut self, version: &str, field: &str) -> Result<(), Err> {
        let c = &self.route.checksum;
        if !c.database || (self.has_sum)(field) {
            return Ok(());
        }
        if c.error.is_some() {
            return Err(FAILED);
        }
        let Some(access) = c.access.clone() else {
            return Err(FAILED);
        };
        if let Some(r) = self.db_lookup.get(version) {
            return *r;
        }
        if self.db_base.is_none() {
            let mut urls = Vec::new();
            let respond = &mut self.respond;
            let (_, base) = access.walk(|u| {
                urls.push(u.to_string());
                respond(u).outcome
            });
            self.requests.extend(urls);
            self.db_base = Some(base);
        }
        let module = self.module().to_string();
        let r = match self.db_base.clone().flatten() {
            None => Err(FAILED),
            Some(b) => match b.url.and_then(|u| lookup_url(&u, &module, version)) {
                None => Err(FAILED),
                Some(url) => match self.fetch(&url).outcome {
                    // A served lookup is taken to confirm the hash: the answers are not
                    // modelled further.
                    Outcome::Ok => Ok(()),
                    _ => Err(FAILED),
                },
            },
        };
        self.db_lookup.insert(version.to_string(), r);
        r
    }

    /// `queryLatestVersionIgnoringRetractions` and the go.mod read of `CheckRetractions`,
    /// done once per module; their errors do not stop the query.
    fn check_retractions(&mut self) {
        if self.retractions_checked {
            return;
        }
        self.retractions_checked = true;
        let latest = Query::parse(self.module(), "latest", &super::Current::NoMainModule);
        if let Ok(v) = self.walk(|s, i| s.query_proxy(i, &latest)) {
            let _ = self.walk(|s, i| s.gomod(i, &v));
        }
    }

    /// `queryProxy` on one hop.
    fn query_proxy(&mut self, i: usize, q: &Query) -> Result<String, Err> {
        match q.kind {
            QueryKind::Refused => {
                // newQueryMatcher's errors come after lookupRepo (a direct hop's discovery)
                // and are not of the not-found class.
                self.repo(i)?;
                Err(FAILED)
            }
            QueryKind::Version | QueryKind::Revision | QueryKind::BuildMetadata => {
                // lookupRepo: a direct hop resolves its repository before anything else.
                self.repo(i)?;
                match self.stat(i, &q.text) {
                    Ok(v) => Ok(v),
                    Err(first) => match q.canonical() {
                        Some(c) if c != q.text => match self.stat(i, &c) {
                            Ok(v) => Ok(v),
                            Err(e) if !e.not_found => Err(e),
                            Err(_) => Err(first),
                        },
                        _ => Err(first),
                    },
                }
            }
            QueryKind::Select => {
                self.repo(i)?;
                let list = self.versions(i, q.list_prefix())?;
                let mut releases = Vec::new();
                let mut prereleases = Vec::new();
                for v in list {
                    if !q.allows(&v) {
                        continue;
                    }
                    if q.checks_retractions {
                        self.check_retractions();
                    }
                    if semver::is_prerelease(&v) {
                        prereleases.push(v);
                    } else {
                        releases.push(v);
                    }
                }
                let pick = |l: &[String]| {
                    if q.prefer_lower {
                        l.first().cloned()
                    } else {
                        l.last().cloned()
                    }
                };
                if let Some(v) = pick(&releases).or_else(|| pick(&prereleases)) {
                    return self.stat(i, &v);
                }
                if q.may_use_latest {
                    match self.latest(i) {
                        Ok(v) => {
                            if q.allows(&v) {
                                if q.checks_retractions {
                                    self.check_retractions();
                                }
                                return self.stat(i, &v);
                            }
                        }
                        Err(e) if !e.not_found => return Err(e),
                        Err(_) => {}
                    }
                }
                if let Some(c) = &q.current {
                    // "upgrade" and "patch" stay on the current version `if allowed`:
                    // CheckAllowed runs the retraction check first (query.go `queryProxy`).
                    if q.checks_retractions {
                        self.check_retractions();
                    }
                    return self.stat(i, c);
                }
                // NoMatchingVersionError is deliberately not of the not-found class.
                Err(FAILED)
            }
        }
    }

    fn run(&mut self, command: GoCommand) -> (Option<String>, bool) {
        let Some(q) = self.route.query.clone() else {
            return (None, false);
        };
        if q.kind == QueryKind::Refused
            && q.error
                .as_deref()
                .is_some_and(|e| e.starts_with("cannot match"))
        {
            // listModules refuses `upgrade`/`patch` without a main module before any query.
            return (None, false);
        }
        let Ok(v) = self.walk(|s, i| s.query_proxy(i, &q)) else {
            return (None, false);
        };
        if command == GoCommand::ModDownload
            && !self.disk_stat.contains(&v)
            && self.walk(|s, i| s.stat(i, &v)).is_err()
        {
            return (Some(v), false);
        }
        // `go list -m` reads the `.mod` only for the Go version, and drops any error doing
        // so, a failed checksum check included (cmd/go/internal/modload/build.go,
        // `moduleInfo`: `if summary, err := rawGoModSummary(mod); err == nil ...`): it
        // succeeds once the query resolved, whatever the database said about the go.mod.
        if !self.disk_mod.contains(&v)
            && self.walk(|s, i| s.gomod(i, &v)).is_err()
            && command == GoCommand::ModDownload
        {
            return (Some(v), false);
        }
        if command == GoCommand::ModDownload {
            if self.walk(|s, i| s.zip(i, &v)).is_err() {
                return (Some(v), false);
            }
            if self.verify(&v, &v).is_err() {
                return (Some(v), false);
            }
        }
        (Some(v), true)
    }
}
