//! The gotrust lab: a local GOPROXY and signing checksum database with fault
//! injection and a request log, for reproducing Go supply-chain risks with
//! the real `go` command.
//!
//! ```no_run
//! # async fn demo() -> Result<(), gotrust_lab::LabError> {
//! use gotrust_lab::{Fault, FaultKind, Lab};
//! let lab = Lab::builder()
//!     .modules_dir("testdata/modules")
//!     .state_dir("/tmp/lab-state")
//!     .tls(true)
//!     .fault(Fault::new(FaultKind::Status { status: 500 }).module("example.com/simple"))
//!     .start()
//!     .await?;
//! for (k, v) in lab.go_env() {
//!     println!("{k}={v}");
//! }
//! lab.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Endpoints (one listener): the proxy protocol at the root
//! (`/<escaped module>/@v/list|<v>.info|<v>.mod|<v>.zip`, `/<module>/@latest`),
//! the database at `/sumdb/<name>/` (`supported`, `lookup/<m>@<v>`,
//! `tile/8/...` including `data` tiles, `latest`) and also at the root
//! (`/lookup/...`, `/tile/...`, `/latest`).
#![deny(missing_docs)]

mod backend;
pub mod experiments;
pub mod fault;
pub mod fault_spec;
pub mod forward;
pub mod modules;
pub mod reqlog;
pub mod scenarios;
mod server;
pub mod tls;
pub mod treelog;
pub mod txtar;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use thiserror::Error;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use backend::BackendError;
pub use fault::{Endpoint, Fault, FaultKind, Scenario, ScenarioError};
pub use modules::{LabModule, LoadError, ModuleSet};
pub use reqlog::LogEntry;
pub use treelog::LogError;

use server::{Shared, State};

/// Default checksum-database name.
pub const DEFAULT_SUMDB_NAME: &str = "sum.gotrust.localhost";

/// Why the lab could not start or change.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum LabError {
    /// Loading modules failed.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// The transparency log could not be opened or extended.
    #[error(transparent)]
    Log(#[from] LogError),
    /// A gomod operation (keys, hashing) failed.
    #[error(transparent)]
    Backend(#[from] BackendError),
    /// TLS material could not be generated.
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    /// State files could not be read or written, or the socket could not be bound.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A fault cannot be applied as configured.
    #[error("fault {fault}: {reason}")]
    BadFault {
        /// The fault's name.
        fault: &'static str,
        /// Why.
        reason: String,
    },
}

fn io_error(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> LabError {
    let what = what.into();
    move |source| LabError::Io { what, source }
}

/// Entry point: `Lab::builder()`.
#[derive(Debug)]
pub struct Lab;

impl Lab {
    /// A builder with defaults: no modules, HTTP, 127.0.0.1:0, a fresh
    /// state directory under the system temp directory.
    pub fn builder() -> LabBuilder {
        LabBuilder {
            modules_dirs: Vec::new(),
            state_dir: None,
            tls: false,
            faults: Vec::new(),
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            name: DEFAULT_SUMDB_NAME.to_string(),
            signer_key: None,
        }
    }
}

/// Configures and starts a lab.
#[derive(Debug, Clone)]
pub struct LabBuilder {
    modules_dirs: Vec<PathBuf>,
    state_dir: Option<PathBuf>,
    tls: bool,
    faults: Vec<Fault>,
    bind: SocketAddr,
    name: String,
    signer_key: Option<String>,
}

impl LabBuilder {
    /// Serves the modules under `dir` (txtar fixtures and `path@version/` trees); repeatable.
    pub fn modules_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.modules_dirs.push(dir.into());
        self
    }

    /// Keeps the log, keys, CA and request log in `dir` (reused across restarts).
    pub fn state_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.state_dir = Some(dir.into());
        self
    }

    /// Serves HTTPS with a generated CA (written to `<state>/ca.pem`).
    pub fn tls(mut self, on: bool) -> Self {
        self.tls = on;
        self
    }

    /// Adds a fault.
    pub fn fault(mut self, f: impl Into<Fault>) -> Self {
        self.faults.push(f.into());
        self
    }

    /// Delays every answer by `delay` (a `latency` fault on every request): models the round
    /// trip of a real network on loopback, so a client's request waves show in its time.
    pub fn latency(self, delay: std::time::Duration) -> Self {
        let ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
        self.fault(Fault::new(FaultKind::Latency { ms }))
    }

    /// Adds every fault of a scenario.
    pub fn scenario(mut self, s: Scenario) -> Self {
        self.faults.extend(s.faults);
        self
    }

    /// Listens on `addr` instead of 127.0.0.1:0.
    pub fn bind(mut self, addr: SocketAddr) -> Self {
        self.bind = addr;
        self
    }

    /// Names the checksum database (default [`DEFAULT_SUMDB_NAME`]).
    pub fn sumdb_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Signs with this signer key (x/mod `PRIVATE+KEY+...` string) instead
    /// of the one saved in (or generated into) the state directory.
    pub fn signer_key(mut self, skey: impl Into<String>) -> Self {
        self.signer_key = Some(skey.into());
        self
    }

    /// Loads modules, opens the log, binds and starts serving.
    pub async fn start(self) -> Result<RunningLab, LabError> {
        let state_dir = match self.state_dir {
            Some(d) => d,
            None => fresh_temp_dir()?,
        };
        std::fs::create_dir_all(&state_dir)
            .map_err(io_error(format!("creating {}", state_dir.display())))?;
        let skey = match self.signer_key {
            Some(k) => k,
            None => load_or_create_key(&state_dir, &self.name)?,
        };
        let vkey = backend::verifier_of(&skey)?;
        let foreign_skey = if self
            .faults
            .iter()
            .any(|f| f.kind == FaultKind::ForeignSignature)
        {
            Some(backend::generate_key(&self.name)?.0)
        } else {
            None
        };
        let needs_tls = self.faults.iter().any(|f| {
            matches!(
                f.kind,
                FaultKind::RedirectToHttp | FaultKind::UntrustedCert | FaultKind::PlaintextOnly
            )
        });
        if needs_tls && !self.tls {
            return Err(LabError::BadFault {
                fault: "tls",
                reason: "redirect-to-http, untrusted-cert and plaintext-only need .tls(true)"
                    .into(),
            });
        }

        let mut modules = ModuleSet::default();
        for d in &self.modules_dirs {
            modules.add_dir(d)?;
        }
        let mut tree = treelog::TreeLog::open(&state_dir)?;
        append_records(&mut tree, &modules, &self.faults)?;

        let mut ca_file = None;
        let tls_config = if self.tls {
            let real = tls::generate("gotrust lab CA")?;
            let path = state_dir.join("ca.pem");
            std::fs::write(&path, &real.ca_pem)
                .map_err(io_error(format!("writing {}", path.display())))?;
            ca_file = Some(path);
            if self
                .faults
                .iter()
                .any(|f| f.kind == FaultKind::PlaintextOnly)
            {
                None
            } else if self
                .faults
                .iter()
                .any(|f| f.kind == FaultKind::UntrustedCert)
            {
                Some(tls::generate("gotrust lab untrusted CA")?.config)
            } else {
                Some(real.config)
            }
        } else {
            None
        };

        let listener = tokio::net::TcpListener::bind(self.bind)
            .await
            .map_err(io_error(format!("binding {}", self.bind)))?;
        let addr = listener
            .local_addr()
            .map_err(io_error("reading the bound address"))?;
        let log = reqlog::RequestLog::open(Some(&state_dir.join("requests.jsonl")))
            .map_err(io_error("opening the request log"))?;
        let shared = Arc::new(Shared {
            name: self.name.clone(),
            skey,
            foreign_skey,
            faults: self.faults.clone(),
            state: RwLock::new(State { modules, tree }),
            log,
        });
        let (tx, rx) = watch::channel(false);
        let task = tokio::spawn(server::accept_loop(
            listener,
            shared.clone(),
            tls_config,
            rx,
        ));
        let scheme = if self.tls { "https" } else { "http" };
        Ok(RunningLab {
            shared,
            base: format!("{scheme}://{addr}"),
            addr,
            vkey,
            ca_file,
            state_dir,
            faults: self.faults,
            shutdown: tx,
            task: Some(task),
        })
    }
}

/// A database name unique to a new key: `⟨8 hex digits⟩.⟨name⟩`.
///
/// A lab without a kept state directory signs with a new key each time it starts. go keeps
/// the last signed tree head per database name (`$GOPATH/pkg/sumdb/⟨name⟩/latest`, and tiles
/// under `$GOMODCACHE/cache/download/sumdb/⟨name⟩`), and so does gotrust: under a reused
/// name, both would refuse the new lab's heads ("note has no verifiable signatures").
pub fn fresh_sumdb_name(name: &str) -> Result<String, LabError> {
    let mut rnd = [0u8; 4];
    getrandom::fill(&mut rnd).map_err(|e| LabError::Io {
        what: "choosing a database name".into(),
        source: std::io::Error::other(e.to_string()),
    })?;
    let id: String = rnd.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!("{id}.{name}"))
}

fn fresh_temp_dir() -> Result<PathBuf, LabError> {
    let mut rnd = [0u8; 8];
    getrandom::fill(&mut rnd).map_err(|e| LabError::Io {
        what: "seeding a temp dir name".into(),
        source: std::io::Error::other(e.to_string()),
    })?;
    let name: String = rnd.iter().map(|b| format!("{b:02x}")).collect();
    Ok(std::env::temp_dir().join(format!("gotrust-lab-{name}")))
}

fn load_or_create_key(dir: &Path, name: &str) -> Result<String, LabError> {
    let path = dir.join("signer.key");
    match std::fs::read_to_string(&path) {
        Ok(k) => Ok(k.trim().to_string()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let (skey, vkey) = backend::generate_key(name)?;
            write_private(&path, &skey)?;
            let vpath = dir.join("verifier.key");
            std::fs::write(&vpath, format!("{vkey}\n"))
                .map_err(io_error(format!("writing {}", vpath.display())))?;
            Ok(skey)
        }
        Err(e) => Err(LabError::Io {
            what: format!("reading {}", path.display()),
            source: e,
        }),
    }
}

fn write_private(path: &Path, data: &str) -> Result<(), LabError> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts
        .open(path)
        .map_err(io_error(format!("creating {}", path.display())))?;
    f.write_all(format!("{data}\n").as_bytes())
        .map_err(io_error(format!("writing {}", path.display())))
}

/// Appends a record for every module version the log lacks, in module order.
fn append_records(
    tree: &mut treelog::TreeLog,
    modules: &ModuleSet,
    faults: &[Fault],
) -> Result<(), LabError> {
    for m in modules.iter() {
        if tree.lookup(&m.path, &m.version).is_some() {
            continue;
        }
        let wrong = faults
            .iter()
            .any(|f| f.kind == FaultKind::WrongHash && f.covers_module(&m.path, Some(&m.version)));
        let text = if wrong {
            let bogus =
                backend::hash_go_mod(format!("gotrust lab wrong hash for {}", m.id()).as_bytes());
            format!(
                "{p} {v} {bogus}\n{p} {v}/go.mod {h}\n",
                p = m.path,
                v = m.version,
                h = m.mod_hash
            )
        } else {
            backend::go_sum_record(&m.path, &m.version, &m.zip_hash, &m.mod_hash)?
        };
        tree.append(&text)?;
    }
    Ok(())
}

/// A started lab; serving stops at [`RunningLab::shutdown`] or when it is
/// dropped.
#[derive(Debug)]
pub struct RunningLab {
    shared: Arc<Shared>,
    base: String,
    addr: SocketAddr,
    vkey: String,
    ca_file: Option<PathBuf>,
    state_dir: PathBuf,
    faults: Vec<Fault>,
    shutdown: watch::Sender<bool>,
    task: Option<JoinHandle<Result<(), std::convert::Infallible>>>,
}

impl Drop for RunningLab {
    fn drop(&mut self) {
        // Stops the accept loop and every open connection.
        let _ = self.shutdown.send(true);
    }
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl RunningLab {
    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// GOPROXY value (`http://127.0.0.1:PORT` or `https://...`).
    pub fn proxy_url(&self) -> String {
        self.base.clone()
    }

    /// Base URL of the checksum database (`<proxy>/sumdb/<name>`).
    pub fn sumdb_url(&self) -> String {
        format!("{}/sumdb/{}", self.base, self.shared.name)
    }

    /// The database's name.
    pub fn sumdb_name(&self) -> &str {
        &self.shared.name
    }

    /// The verifier key (`name+hash+key`).
    pub fn verifier_key(&self) -> &str {
        &self.vkey
    }

    /// PEM file holding the lab CA (HTTPS only).
    pub fn ca_file(&self) -> Option<&Path> {
        self.ca_file.as_deref()
    }

    /// The state directory.
    pub fn state_dir(&self) -> &Path {
        &self.state_dir
    }

    /// The faults in force.
    pub fn faults(&self) -> &[Fault] {
        &self.faults
    }

    /// Environment for the go command: GOPROXY, GOSUMDB (`key url`),
    /// GONOSUMDB/GONOPROXY/GOPRIVATE/GOINSECURE empty, and SSL_CERT_FILE for HTTPS.
    pub fn go_env(&self) -> Vec<(String, String)> {
        let mut env = vec![
            ("GOPROXY".to_string(), self.proxy_url()),
            (
                "GOSUMDB".to_string(),
                format!("{} {}", self.vkey, self.sumdb_url()),
            ),
            ("GONOSUMDB".to_string(), String::new()),
            ("GONOPROXY".to_string(), String::new()),
            ("GOPRIVATE".to_string(), String::new()),
            ("GOINSECURE".to_string(), String::new()),
        ];
        if let Some(ca) = &self.ca_file {
            env.push(("SSL_CERT_FILE".to_string(), ca.display().to_string()));
        }
        env
    }

    /// Every request served so far.
    pub fn request_log(&self) -> Vec<LogEntry> {
        self.shared.log.entries()
    }

    /// Current size of the transparency log.
    pub fn tree_size(&self) -> usize {
        self.read_state().tree.size()
    }

    /// The go.sum lines the lab computed for a module version it serves.
    pub fn go_sum_lines(&self, path: &str, version: &str) -> Option<String> {
        self.read_state()
            .modules
            .get(path, version)
            .map(LabModule::go_sum_lines)
    }

    /// A copy of one served module version (zip, go.mod, info, hashes).
    pub fn module(&self, path: &str, version: &str) -> Option<LabModule> {
        self.read_state().modules.get(path, version).cloned()
    }

    /// `(path, version)` of every module served.
    pub fn modules(&self) -> Vec<(String, String)> {
        self.read_state()
            .modules
            .iter()
            .map(|m| (m.path.clone(), m.version.clone()))
            .collect()
    }

    /// Loads more modules and appends their records; the tree grows, older
    /// records are untouched. Returns the number of module versions added.
    pub fn add_modules_dir(&self, dir: &Path) -> Result<usize, LabError> {
        let extra = ModuleSet::load_dir(dir)?;
        let mut st = self.shared.state.write().unwrap_or_else(|p| p.into_inner());
        let st = &mut *st;
        let mut added = ModuleSet::default();
        for m in extra.iter() {
            st.modules.insert(m.clone())?;
            added.insert(m.clone())?;
        }
        append_records(&mut st.tree, &added, &self.faults)?;
        Ok(added.len())
    }

    fn read_state(&self) -> std::sync::RwLockReadGuard<'_, State> {
        self.shared.state.read().unwrap_or_else(|p| p.into_inner())
    }

    /// Stops accepting and closes open connections.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}
