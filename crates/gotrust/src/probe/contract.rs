//! The protocol contract of a GOPROXY server (`cmd/go/internal/modfetch/proxy.go`): unknown
//! modules and versions are 404/410, `@v/list`, `.info`, `.mod` and `.zip` of a known version
//! are served, and where the zips really come from.

use std::time::Instant;

use gomod::module;
use url::Url;

use super::transport::{Failure, classify};
use super::{ModuleVersion, Outcome, Run, WELL_KNOWN_MODULE};
use crate::net::goproxy::ProxyError;
use crate::report::{Finding, catalog};

impl Run<'_> {
    /// The URL of `path/@v/version.ext` on the probed proxy, for the request record; `None`
    /// when the path or version cannot be escaped (the request itself then reports why).
    fn version_url(&self, path: &str, version: &str, ext: &str) -> Option<Url> {
        let v = module::escape_version(version).ok()?;
        self.proxy.url_for(path, &format!("@v/{v}.{ext}")).ok()
    }

    /// Requests `.info` of `path@version`, which must not exist; returns false if the probe
    /// must stop.
    pub(super) async fn not_found(
        &mut self,
        name: &'static str,
        path: &str,
        version: &str,
    ) -> bool {
        let url = self.version_url(path, version, "info");
        let start = Instant::now();
        let r = self.proxy.info(path, version).await;
        self.record(name, url, start, r.as_ref().map(|(ex, _)| ex));
        let what = format!("{path}@{version} (does not exist)");
        match r {
            Ok(_) => {
                self.check(name, Outcome::Fail, format!("{what}: 200"));
                self.not_found_200(&what, "200 OK");
                true
            }
            Err(e) => match classify(&e) {
                Failure::NotFound(s) => {
                    self.check(name, Outcome::Pass, format!("{what}: {s}"));
                    true
                }
                Failure::Answered(detail) => {
                    self.check(name, Outcome::Fail, format!("{what}: 200 ({detail})"));
                    self.not_found_200(&what, &detail);
                    true
                }
                Failure::Status(s, detail) => {
                    self.check(name, Outcome::Fail, format!("{what}: {s}"));
                    let msg = format!(
                        "{}: a missing module answered {s} instead of 404/410; a `,` GOPROXY list stops here ({detail})",
                        self.out.url
                    );
                    self.finding(
                        Finding::new(&catalog::PROBE_NOT_FOUND_STATUS, msg).with_affected(path),
                    );
                    true
                }
                Failure::Other(detail) => {
                    self.check(name, Outcome::Warn, format!("{what}: {detail}"));
                    true
                }
                f => !self.fatal(name, &f),
            },
        }
    }

    pub(super) fn not_found_200(&mut self, what: &str, detail: &str) {
        let msg = format!(
            "{}: {what} was answered with content ({detail}): stale or polluted cache",
            self.out.url
        );
        self.finding(Finding::new(&catalog::PROBE_NOT_FOUND_200, msg).with_affected(what));
    }

    /// The module version the content checks use: `--module`, else the first module of the
    /// project's go.sum that the proxy serves, else the newest listed version of
    /// [`WELL_KNOWN_MODULE`]. Says so when none is served.
    pub(super) async fn known_module(&mut self) -> Option<ModuleVersion> {
        if let Some(m) = &self.opts.module {
            self.check("module", Outcome::Info, format!("{m} (--module)"));
            return Some(m.clone());
        }
        let mut tried = Vec::new();
        for m in project_modules(self.opts.project_dir.as_deref()) {
            match self.served(&m).await {
                Served::Yes => {
                    self.check(
                        "module",
                        Outcome::Info,
                        format!("{m} (from the project's go.sum)"),
                    );
                    return Some(m);
                }
                Served::No(why) => tried.push(format!("{m}: {why}")),
                Served::Stop => return None,
            }
        }
        let url = self.proxy.url_for(WELL_KNOWN_MODULE, "@v/list").ok();
        let start = Instant::now();
        let r = self.proxy.list(WELL_KNOWN_MODULE).await;
        self.record("module", url, start, r.as_ref().map(|(ex, _)| ex));
        match r {
            Ok((_, list)) => {
                let newest = list
                    .lines
                    .iter()
                    .map(|l| l.version.as_str())
                    .filter(|v| module::canonical_version(v).as_deref() == Some(*v))
                    .filter(|v| !module::semver::is_prerelease(v))
                    .max_by(|a, b| module::semver::compare(a, b));
                match newest.map(|v| super::parse_module(&format!("{WELL_KNOWN_MODULE}@{v}"))) {
                    Some(Ok(m)) => {
                        self.check("module", Outcome::Info, format!("{m} (newest in @v/list)"));
                        Some(m)
                    }
                    _ => {
                        tried.push(format!(
                            "{WELL_KNOWN_MODULE}: @v/list has no release version"
                        ));
                        self.no_module(&tried);
                        None
                    }
                }
            }
            Err(e) => {
                let f = classify(&e);
                if self.fatal("module", &f) {
                    return None;
                }
                tried.push(format!("{WELL_KNOWN_MODULE}: {e}"));
                self.no_module(&tried);
                None
            }
        }
    }

    fn no_module(&mut self, tried: &[String]) {
        self.check(
            "module",
            Outcome::Skip,
            format!(
                "no module is served ({}); pass --module M@V for the list, info, zip and database checks",
                tried.join("; ")
            ),
        );
    }

    /// Whether the proxy serves `.info` of `m`.
    async fn served(&mut self, m: &ModuleVersion) -> Served {
        let url = self.version_url(m.path().as_str(), m.version().as_str(), "info");
        let start = Instant::now();
        let r = self
            .proxy
            .info(m.path().as_str(), m.version().as_str())
            .await;
        self.record("module", url, start, r.as_ref().map(|(ex, _)| ex));
        match r {
            Ok(_) => Served::Yes,
            Err(e) => {
                let f = classify(&e);
                if self.fatal("module", &f) {
                    Served::Stop
                } else {
                    Served::No(e.to_string())
                }
            }
        }
    }

    pub(super) async fn list(&mut self, m: &ModuleVersion) {
        let url = self.proxy.url_for(m.path().as_str(), "@v/list").ok();
        let start = Instant::now();
        let r = self.proxy.list(m.path().as_str()).await;
        self.record("list", url, start, r.as_ref().map(|(ex, _)| ex));
        match r {
            Ok((_, list)) => {
                let bad: Vec<String> = list
                    .lines
                    .iter()
                    .filter(|l| {
                        module::canonical_version(&l.version).as_deref() != Some(l.version.as_str())
                            || module::check(m.path().as_str(), &l.version).is_err()
                    })
                    .map(|l| l.version.clone())
                    .take(5)
                    .collect();
                if !bad.is_empty() {
                    self.check(
                        "list",
                        Outcome::Fail,
                        format!("invalid versions: {}", bad.join(", ")),
                    );
                    let msg = format!(
                        "{}: @v/list of {} has versions go cannot use: {}",
                        self.out.url,
                        m.path().as_str(),
                        bad.join(", ")
                    );
                    self.finding(
                        Finding::new(&catalog::PROBE_INVALID_RESPONSE, msg)
                            .with_affected(m.path().as_str()),
                    );
                } else if module::is_pseudo_version(m.version().as_str())
                    || list.lines.iter().any(|l| l.version == m.version().as_str())
                {
                    self.check(
                        "list",
                        Outcome::Pass,
                        format!("{} versions", list.lines.len()),
                    );
                } else {
                    self.check(
                        "list",
                        Outcome::Warn,
                        format!(
                            "{} versions, {} not listed (a retracted or unlisted version, or a stale list)",
                            list.lines.len(),
                            m.version().as_str()
                        ),
                    );
                }
            }
            Err(e) => {
                let f = classify(&e);
                if !self.fatal("list", &f) {
                    self.check("list", Outcome::Warn, e.to_string());
                }
            }
        }
    }

    pub(super) async fn info(&mut self, m: &ModuleVersion) {
        let url = self.version_url(m.path().as_str(), m.version().as_str(), "info");
        let start = Instant::now();
        let r = self
            .proxy
            .info(m.path().as_str(), m.version().as_str())
            .await;
        self.record("info", url, start, r.as_ref().map(|(ex, _)| ex));
        match r {
            Ok((_, info)) if info.time.is_empty() => {
                self.check("info", Outcome::Warn, "no Time field");
            }
            Ok((_, info)) => self.check("info", Outcome::Pass, format!("Time {}", info.time)),
            Err(e) => match classify(&e) {
                Failure::Answered(detail) => {
                    self.check("info", Outcome::Fail, detail.clone());
                    let msg = format!("{}: .info of {m}: {detail}", self.out.url);
                    self.finding(
                        Finding::new(&catalog::PROBE_INVALID_RESPONSE, msg)
                            .with_affected(m.to_string()),
                    );
                }
                f => {
                    if !self.fatal("info", &f) {
                        self.check("info", Outcome::Fail, e.to_string());
                    }
                }
            },
        }
    }

    pub(super) async fn go_mod(&mut self, m: &ModuleVersion) -> Option<String> {
        let url = self.version_url(m.path().as_str(), m.version().as_str(), "mod");
        let start = Instant::now();
        let r = self
            .proxy
            .go_mod(m.path().as_str(), m.version().as_str())
            .await;
        self.record("go.mod", url, start, r.as_ref().map(|(ex, _)| ex));
        match r {
            Ok((_, body)) => Some(gomod::dirhash::hash_go_mod(&body)),
            Err(e) => {
                let f = classify(&e);
                if !self.fatal("go.mod", &f) {
                    self.check("go.mod", Outcome::Fail, e.to_string());
                }
                None
            }
        }
    }

    pub(super) async fn zip(&mut self, m: &ModuleVersion) -> Option<String> {
        let url = self.version_url(m.path().as_str(), m.version().as_str(), "zip");
        let proxy = self.proxy.clone().with_zip_limit(self.opts.zip_limit);
        if let Err(e) = std::fs::create_dir_all(&self.opts.work_dir) {
            self.check("zip", Outcome::Skip, format!("work directory: {e}"));
            return None;
        }
        let start = Instant::now();
        let r = proxy
            .zip_to_file(m.path().as_str(), m.version().as_str(), &self.opts.work_dir)
            .await;
        self.record("zip", url, start, r.as_ref().map(|d| &d.exchange));
        let dl = match r {
            Ok(dl) => dl,
            Err(ProxyError::ZipTooLarge) => {
                self.check(
                    "zip",
                    Outcome::Skip,
                    format!(
                        "larger than the probe's cap of {} bytes",
                        self.opts.zip_limit
                    ),
                );
                return None;
            }
            Err(e) => {
                let f = classify(&e);
                if !self.fatal("zip", &f) {
                    self.check("zip", Outcome::Fail, e.to_string());
                }
                return None;
            }
        };
        let ex = &dl.exchange;
        let own = self
            .base
            .host_str()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let mut hosts: Vec<String> = ex
            .redirects
            .iter()
            .map(|h| h.location.as_str())
            .chain(std::iter::once(ex.final_url.as_str()))
            .filter_map(|u| Url::parse(u).ok())
            .filter_map(|u| u.host_str().map(str::to_ascii_lowercase))
            .filter(|h| *h != own)
            .collect();
        hosts.sort();
        hosts.dedup();
        if hosts.is_empty() {
            self.check(
                "zip",
                Outcome::Pass,
                format!("{} bytes from the proxy host", ex.body_len),
            );
        } else {
            self.check(
                "zip",
                Outcome::Info,
                format!("{} bytes, redirected to {}", ex.body_len, hosts.join(", ")),
            );
            let msg = format!(
                "{}: module zips are served from {}: allowlists that name only the proxy host block them",
                self.out.url,
                hosts.join(", ")
            );
            self.finding(Finding::new(&catalog::PROBE_ZIP_REDIRECT_HOST, msg));
        }
        match dl.h1().await {
            Ok(h) => Some(h),
            Err(e) => {
                self.check("zip.hash", Outcome::Fail, e.to_string());
                None
            }
        }
    }
}

/// Whether a module version is served.
enum Served {
    Yes,
    No(String),
    /// The probe must stop (TLS, unreachable).
    Stop,
}

/// Most project modules tried before the well-known one.
const PROJECT_MODULES_TRIED: usize = 3;

/// The first module versions of the project's go.sum (`path version h1:...` lines, not the
/// `/go.mod` ones), in file order; empty when there is no readable go.sum.
pub(super) fn project_modules(dir: Option<&std::path::Path>) -> Vec<ModuleVersion> {
    use std::io::Read;
    let Some(dir) = dir else {
        return Vec::new();
    };
    let mut text = String::new();
    // Only the head of the file is needed.
    if std::fs::File::open(dir.join("go.sum"))
        .and_then(|f| f.take(1 << 20).read_to_string(&mut text))
        .is_err()
    {
        return Vec::new();
    }
    let mut out: Vec<ModuleVersion> = Vec::new();
    for line in text.lines() {
        let mut f = line.split_whitespace();
        let (Some(p), Some(v), Some(_)) = (f.next(), f.next(), f.next()) else {
            continue;
        };
        if v.ends_with("/go.mod") {
            continue;
        }
        if let Ok(m) = super::parse_module(&format!("{p}@{v}"))
            && !out.contains(&m)
        {
            out.push(m);
            if out.len() == PROJECT_MODULES_TRIED {
                break;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_modules_come_from_go_sum_zip_lines() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("go.sum"),
            "a.example/m v1.0.0/go.mod h1:x=\nb.example/n v1.2.0 h1:y=\nb.example/n v1.2.0/go.mod h1:z=\nbad line\n",
        )
        .unwrap();
        let got = project_modules(Some(dir.path()));
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].to_string(), "b.example/n@v1.2.0");
        assert!(project_modules(Some(&dir.path().join("none"))).is_empty());
    }
}
