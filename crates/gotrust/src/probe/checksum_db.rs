//! The checksum database as a probe sees it (`cmd/go/internal/modfetch/sumdb.go`):
//! `/sumdb/<name>/supported` on the proxy, a verified lookup of the probed module, its hashes
//! against the proxy's, and the served tree head against the newest one kept from earlier
//! runs (a fork or a rollback; go's own `latest` file plays that part for go).

use std::path::Path;
use std::time::Instant;

use url::Url;

use super::transport::{Failure, classify};
use super::{ModuleVersion, Outcome, RequestRecord, Run};
use crate::net::goproxy::{ProxyError, SumdbBase};
use crate::net::sumdb::{ForkEvidence, Merge, SumdbClient, SumdbClientError, SumdbConfig};
use crate::report::{Evidence, Finding, catalog};
use crate::settings::sumdb::SumDbConfig;

/// The size in a tree note (`go.sum database tree\n<N>\n...`), unverified: only for messages
/// and for not overwriting a newer kept head.
fn tree_size_of(note: &[u8]) -> Option<i64> {
    let text = std::str::from_utf8(note).ok()?;
    let mut lines = text.lines();
    (lines.next()? == "go.sum database tree")
        .then(|| lines.next()?.parse().ok())
        .flatten()
}

/// The hash of the go.sum line `path version h1:...` among `lines`.
fn hash_of(lines: &[String], path: &str, version: &str) -> Option<String> {
    lines.iter().find_map(|l| {
        let mut f = l.split(' ');
        match (f.next(), f.next(), f.next(), f.next()) {
            (Some(p), Some(v), Some(h), None) if p == path && v == version => Some(h.to_string()),
            _ => None,
        }
    })
}

impl Run<'_> {
    pub(super) async fn sumdb(
        &mut self,
        m: &ModuleVersion,
        zip: Option<String>,
        go_mod: Option<String>,
    ) {
        let Some(db) = self.opts.sumdb.clone() else {
            self.check("sumdb.supported", Outcome::Skip, "GOSUMDB=off");
            return;
        };
        let name = db.name().to_string();
        let url = Some(self.proxy.sumdb_base(&name).join_raw("supported"));
        let start = Instant::now();
        let r = self.proxy.sumdb_supported(&name).await;
        self.record("sumdb.supported", url, start, r.as_ref());
        let base = match r {
            Ok(_) => {
                self.check(
                    "sumdb.supported",
                    Outcome::Pass,
                    format!("go reaches {name} through this proxy"),
                );
                Some(self.proxy.sumdb_base(&name))
            }
            Err(e) => match classify(&e) {
                Failure::NotFound(s) => {
                    self.check(
                        "sumdb.supported",
                        Outcome::Info,
                        format!("{s}: go contacts {} directly", db.direct_url),
                    );
                    let msg = format!(
                        "{}: /sumdb/{name}/supported is {s}: go contacts the checksum database at {} directly",
                        self.out.url, db.direct_url
                    );
                    self.finding(Finding::new(&catalog::PROBE_SUMDB_NOT_SUPPORTED, msg));
                    // Lookups go where go would send them next.
                    let fallback = db.url_text.clone().unwrap_or(db.direct_url.clone());
                    Url::parse(&fallback).ok().map(SumdbBase)
                }
                f => {
                    if self.fatal("sumdb.supported", &f) {
                        return;
                    }
                    self.check("sumdb.supported", Outcome::Fail, e.to_string());
                    let msg = format!(
                        "{}: /sumdb/{name}/supported failed ({e}): go's checksum verification fails when a `,` list is walked",
                        self.out.url
                    );
                    self.finding(Finding::new(&catalog::PROBE_SUMDB_ERROR, msg));
                    None
                }
            },
        };
        let Some(base) = base else {
            return;
        };
        self.lookup_and_compare(m, &db, base, zip, go_mod).await;
    }

    pub(super) async fn lookup_and_compare(
        &mut self,
        m: &ModuleVersion,
        db: &SumDbConfig,
        base: SumdbBase,
        zip: Option<String>,
        go_mod: Option<String>,
    ) {
        let mut cfg = SumdbConfig::new(db, base.clone(), &self.opts.work_dir);
        cfg.state_dir = self.opts.work_dir.join("sumdb").join(db.name());
        // The head kept from earlier runs seeds the client read-only (like go's own `latest`):
        // every note served in this run must then be consistent with it.
        let kept = self
            .opts
            .state_root
            .as_ref()
            .map(|r| r.join("sumdb").join(db.name()).join("latest"));
        cfg.go_latest = kept.clone().filter(|k| k.is_file());
        let start = Instant::now();
        let client = match SumdbClient::new(self.http.clone(), cfg).await {
            Ok(c) => c,
            Err(SumdbClientError::Fork(ev)) => {
                self.fork(&ev);
                return;
            }
            Err(e) => {
                self.check("sumdb.lookup", Outcome::Fail, e.to_string());
                self.sumdb_error(&base, &e.to_string());
                return;
            }
        };
        if let Some(kept) = &kept
            && !self.tree_head(&client, &base, kept).await
        {
            return;
        }
        let zip_line = client.lookup(m.path().as_str(), m.version().as_str()).await;
        let mod_line = client
            .lookup(
                m.path().as_str(),
                &format!("{}/go.mod", m.version().as_str()),
            )
            .await;
        for ex in client.exchanges() {
            self.exchanges.push(ex);
        }
        self.out.requests.push(RequestRecord {
            what: "sumdb.lookup",
            url: crate::redact::redact_url(&base.join_raw("lookup")),
            status: None,
            error: zip_line.as_ref().err().map(|e| e.to_string()),
            elapsed_secs: start.elapsed().as_secs_f64(),
            http_version: None,
            redirects: Vec::new(),
            cache_headers: Vec::new(),
        });
        let (zip_line, mod_line) = match (zip_line, mod_line) {
            (Ok(z), Ok(g)) => (z, g),
            (Err(e), _) | (_, Err(e)) => {
                let not_found = matches!(&e.error, SumdbClientError::Fetch(f) if f.is_not_found());
                if let SumdbClientError::Fork(ev) = &e.error {
                    self.fork(ev);
                } else if not_found {
                    self.check(
                        "sumdb.lookup",
                        Outcome::Warn,
                        format!("{m} is not in the database: {e}"),
                    );
                } else {
                    self.check("sumdb.lookup", Outcome::Fail, e.to_string());
                    self.sumdb_error(&base, &e.to_string());
                }
                return;
            }
        };
        self.check(
            "sumdb.lookup",
            Outcome::Pass,
            format!(
                "record {} proven in tree of size {}",
                zip_line.record_id, zip_line.tree_size
            ),
        );
        if let Some(kept) = &kept {
            self.keep_head(&client, kept);
        }
        let want_zip = hash_of(&zip_line.lines, m.path().as_str(), m.version().as_str());
        let want_mod = hash_of(
            &mod_line.lines,
            m.path().as_str(),
            &format!("{}/go.mod", m.version().as_str()),
        );
        let mut mismatches = Vec::new();
        let mut compared = 0;
        for (kind, got, want) in [("zip", zip, want_zip), ("go.mod", go_mod, want_mod)] {
            if let (Some(got), Some(want)) = (got, want) {
                compared += 1;
                if got != want {
                    mismatches.push(format!("{kind}: proxy {got}, database {want}"));
                }
            }
        }
        if !mismatches.is_empty() {
            self.check("content", Outcome::Fail, mismatches.join("; "));
            let msg = format!(
                "{}: {m} differs from the checksum database ({})",
                self.out.url,
                mismatches.join("; ")
            );
            self.finding(
                Finding::new(&catalog::PROBE_CONTENT_MISMATCH, msg).with_affected(m.to_string()),
            );
        } else if compared == 2 {
            self.check(
                "content",
                Outcome::Pass,
                "zip and go.mod hashes match the database",
            );
        } else {
            self.check(
                "content",
                Outcome::Skip,
                "zip or go.mod not downloaded, or missing from the database answer",
            );
        }
    }

    /// Fetches the database's `/latest` and merges it with the head kept from earlier runs
    /// (already in `client`). Returns false when the probe of the database must stop (a fork).
    pub(super) async fn tree_head(
        &mut self,
        client: &SumdbClient,
        base: &SumdbBase,
        kept: &Path,
    ) -> bool {
        let (seen, seen_note) = client.latest();
        let url = base.join_raw("latest");
        let start = Instant::now();
        let r = self.http.get_bytes(&url, crate::net::limits::LATEST).await;
        match &r {
            Ok((ex, _)) => self.record("sumdb.latest", Some(url.clone()), start, Ok(ex)),
            Err(e) => {
                let e = ProxyError::Fetch(e.clone());
                self.record("sumdb.latest", Some(url.clone()), start, Err(&e));
            }
        }
        let served = match r {
            Ok((_, body)) => body,
            Err(e) => {
                // go never asks for /latest; a mirror without it is not a finding.
                self.check("sumdb.head", Outcome::Warn, format!("{e}"));
                return true;
            }
        };
        let served_n = tree_size_of(&served).map_or_else(|| "?".into(), |n| n.to_string());
        let rollback = |run: &mut Self, why: &str| {
            run.check(
                "sumdb.head",
                Outcome::Fail,
                format!(
                    "served tree#{served_n} is older than tree#{} seen before{why}",
                    seen.n
                ),
            );
            let msg = format!(
                "{}: the checksum database serves tree#{served_n} but gotrust saw tree#{} before ({}): a stale or frozen view{why}; go keeps its newer head and says nothing",
                run.out.url,
                seen.n,
                kept.display()
            );
            let f = Finding::new(&catalog::PROBE_SUMDB_ROLLBACK, msg)
                .with_evidence(
                    Evidence::variable(
                        "tree head seen before",
                        String::from_utf8_lossy(&seen_note),
                    )
                    .at(kept, None),
                )
                .with_evidence(
                    Evidence::variable("tree head served now", String::from_utf8_lossy(&served))
                        .origin(crate::redact::redact_url(&url)),
                );
            run.finding(f);
        };
        match client.merge(served.clone()).await {
            Ok(Merge::Past) => {
                rollback(self, "");
                true
            }
            // The older head could not even be checked against the newer one: the server
            // refuses the tiles of the tree it showed before.
            Err(SumdbClientError::TreeCheck {
                older,
                newer,
                detail,
                ..
            }) if newer == seen.n && older < newer => {
                let detail = detail.lines().next().unwrap_or_default().to_string();
                rollback(
                    self,
                    &format!(
                        ", and it no longer serves what proves its head part of the one seen before ({detail})"
                    ),
                );
                false
            }
            Ok(m) => {
                self.keep_head(client, kept);
                let (now, _) = client.latest();
                let detail = if seen.n == 0 {
                    format!("tree#{}; kept in {} for later runs", now.n, kept.display())
                } else if m == Merge::Future {
                    format!("tree#{} extends tree#{} seen before", now.n, seen.n)
                } else {
                    format!("tree#{} as seen before", now.n)
                };
                self.check("sumdb.head", Outcome::Pass, detail);
                true
            }
            Err(SumdbClientError::Fork(ev)) => {
                self.fork(&ev);
                false
            }
            Err(e) => {
                self.check("sumdb.head", Outcome::Fail, e.to_string());
                self.sumdb_error(base, &e.to_string());
                false
            }
        }
    }

    /// A proof that the database showed two histories: critical, with both signed notes.
    pub(super) fn fork(&mut self, ev: &ForkEvidence) {
        self.check(
            "sumdb.fork",
            Outcome::Fail,
            format!(
                "tree#{} and tree#{} contradict each other",
                ev.older.n, ev.newer.n
            ),
        );
        let msg = format!(
            "{}: the checksum database showed two histories: tree#{} (hash {}) and tree#{} (hash {}, implying {} for size {}); go stops with \"SECURITY ERROR: go.sum database server misbehavior detected!\"",
            self.out.url,
            ev.older.n,
            ev.older.hash,
            ev.newer.n,
            ev.newer.hash,
            ev.implied_hash,
            ev.older.n
        );
        let f = Finding::new(&catalog::PROBE_SUMDB_FORK, msg)
            .with_evidence(Evidence::variable("older tree note", ev.older.note.clone()))
            .with_evidence(Evidence::variable("newer tree note", ev.newer.note.clone()));
        self.finding(f);
    }

    /// Stores the client's head in gotrust's cache when it is newer than the kept one.
    pub(super) fn keep_head(&mut self, client: &SumdbClient, kept: &Path) {
        let (tree, note) = client.latest();
        let old = std::fs::read(kept).ok().and_then(|b| tree_size_of(&b));
        if tree.n == 0 || old.is_some_and(|n| n >= tree.n) {
            return;
        }
        let res = kept
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| {
                let tmp = kept.with_extension(format!("tmp{}", std::process::id()));
                std::fs::write(&tmp, &note)?;
                std::fs::rename(&tmp, kept)
            });
        if let Err(e) = res {
            self.check(
                "sumdb.head",
                Outcome::Warn,
                format!("cannot keep the tree head in {}: {e}", kept.display()),
            );
        }
    }

    pub(super) fn sumdb_error(&mut self, base: &SumdbBase, detail: &str) {
        let msg = format!(
            "{}: checksum database at {} failed: {detail}",
            self.out.url,
            crate::redact::redact_url(&base.0)
        );
        self.finding(Finding::new(&catalog::PROBE_SUMDB_ERROR, msg));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_sum_line_hash() {
        let lines = vec![
            "m v1.0.0 h1:abc=".to_string(),
            "m v1.0.0/go.mod h1:def=".to_string(),
        ];
        assert_eq!(hash_of(&lines, "m", "v1.0.0").as_deref(), Some("h1:abc="));
        assert_eq!(
            hash_of(&lines, "m", "v1.0.0/go.mod").as_deref(),
            Some("h1:def=")
        );
        assert_eq!(hash_of(&lines, "n", "v1.0.0"), None);
    }
}
