//! Predicting the requests of one operation: `TryProxies` (cmd/go/internal/modfetch/proxy.go)
//! run over a [`Route`] with the answer of each request given by the caller.
//!
//! This is how tests compare a route with what the real go command requests, and how a
//! diagnosis can say which hop produced the error go reported.

use serde::Serialize;

use super::{HopFallback, HopKind, Route, SumDbAccess, WalkEnd};

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
}

/// `bestErr` ranking of `TryProxies`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Rank {
    NotExist,
    Proxy,
    Direct,
}

struct Best {
    rank: Rank,
    not_found: bool,
}

impl Best {
    fn new() -> Best {
        Best {
            rank: Rank::NotExist,
            not_found: true,
        }
    }

    fn record(&mut self, direct: bool, not_found: bool) {
        if direct {
            self.rank = Rank::Direct;
            self.not_found = not_found;
        } else if self.rank <= Rank::Proxy && !not_found {
            self.rank = Rank::Proxy;
            self.not_found = false;
        } else if self.rank == Rank::NotExist {
            self.not_found = not_found;
        }
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
        let mut best = Best::new();
        for (i, hop) in self.hops.iter().enumerate() {
            let (result, direct) = match hop.kind {
                HopKind::Off => (Outcome::NotFound, false),
                _ if hop.error.is_some() => (Outcome::NotFound, false),
                HopKind::Proxy => {
                    let suffix = format!(".{ext}");
                    match hop.requests.iter().find(|r| r.ends_with(&suffix)) {
                        Some(url) => {
                            requests.push(url.clone());
                            (outcome(url), false)
                        }
                        None => (Outcome::NotFound, false),
                    }
                }
                HopKind::Direct => {
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
                    // Discovery failures surface as `unrecognized import path`, which go
                    // wraps as not-found; a served page continues with the VCS, not modelled.
                    match result {
                        Outcome::Ok => (Outcome::Ok, true),
                        _ => (Outcome::NotFound, true),
                    }
                }
            };
            if result == Outcome::Ok {
                return Walk {
                    requests,
                    success: Some(i),
                    not_found: false,
                };
            }
            let not_found = result == Outcome::NotFound;
            best.record(direct, not_found);
            if hop.fallback != HopFallback::AnyError && !not_found {
                break;
            }
        }
        Walk {
            requests,
            success: None,
            not_found: best.not_found,
        }
    }
}

impl SumDbAccess {
    /// The probe walk of `initBase` (§4.4) and the base URL it settles on: `Some(base)`, or
    /// `None` when every database read fails with the walk's error.
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
                }),
            );
        }
        let mut best = Best::new();
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
                    }),
                );
            }
            let not_found = result == Outcome::NotFound;
            best.record(false, not_found);
            if p.fallback != HopFallback::AnyError && !not_found {
                stopped = true;
                break;
            }
        }
        if !stopped {
            match self.then {
                WalkEnd::Direct => best.record(true, true),
                WalkEnd::Off => best.record(false, true),
                WalkEnd::None => {}
            }
        }
        let walk = Walk {
            requests,
            success: None,
            not_found: best.not_found,
        };
        if walk.not_found {
            (
                walk,
                Some(DbBase {
                    base: self.direct_url.clone(),
                    lookup: self.lookup.clone(),
                }),
            )
        } else {
            (walk, None)
        }
    }
}
