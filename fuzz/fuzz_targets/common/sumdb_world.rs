//! A checksum database built inside a fuzz target: a log of records, its stored hashes,
//! tiles and tree heads signed with a test key, laid out on disk the way go's module cache
//! and gotrust's state directory hold them, so that `gotrust::net::sumdb::SumdbClient` (the
//! client every `gotrust verify` command uses) can be run offline against it.
//!
//! Building the database from fuzzed records and signing it inside the target is what lets a
//! mutated record still reach the note verification, the tree merge and the inclusion proof:
//! an answer the fuzzer wrote by hand would almost never carry a valid signature.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use gomod::note::{self, Signer};
use gomod::sumdb as gsumdb;
use gomod::tlog::{self, Hash, Tile, Tree};
use gotrust::net::goproxy::SumdbBase;
use gotrust::net::sumdb::{Lookup, LookupError, SumdbClient, SumdbConfig};
use gotrust::net::{HttpClient, HttpConfig};

/// The test database's name (as in its key).
pub const NAME: &str = "sum.fuzz.example";

/// The test key pair `(signer key, verifier key)`, fixed so that every run signs alike.
pub fn keys() -> &'static (String, String) {
    static KEYS: OnceLock<(String, String)> = OnceLock::new();
    KEYS.get_or_init(|| note::generate_key(&[7u8; 32], NAME).unwrap())
}

/// Signs a tree head with the test key.
pub fn sign_tree(tree: &Tree) -> Vec<u8> {
    let text = String::from_utf8(tlog::format_tree(tree)).unwrap();
    note::sign_text(&text, &[Signer::new(&keys().0).unwrap()]).unwrap()
}

/// Turns arbitrary bytes into a valid record text (UTF-8, no control characters but `\n`,
/// no empty line, ending in `\n`), so that every fuzzed record can be logged and served.
pub fn record_text(raw: &[u8], i: usize) -> Vec<u8> {
    let s = String::from_utf8_lossy(raw);
    let mut out = String::new();
    for line in s.split('\n') {
        let line: String = line
            .chars()
            .map(|c| if c.is_control() { '?' } else { c })
            .collect();
        if !line.is_empty() {
            out.push_str(&line);
            out.push('\n');
        }
    }
    if out.is_empty() || out.len() > gsumdb::MAX_RECORD_BYTES {
        out = filler(i);
    }
    out.into_bytes()
}

/// A well-formed go.sum record for module `example.com/fill/<i>`.
pub fn filler(i: usize) -> String {
    format!(
        "example.com/fill/m{i} v1.0.{i} h1:{i:043}=\nexample.com/fill/m{i} v1.0.{i}/go.mod h1:{i:043}=\n"
    )
}

/// A log: its records and every stored hash, in index order.
pub struct Log {
    pub records: Vec<Vec<u8>>,
    pub hashes: Vec<Hash>,
}

impl Log {
    pub fn new(records: Vec<Vec<u8>>) -> Log {
        let mut hashes = Vec::new();
        for (n, r) in records.iter().enumerate() {
            let new = tlog::stored_hashes(n as i64, r, &hashes).unwrap();
            hashes.extend(new);
        }
        Log { records, hashes }
    }

    pub fn n(&self) -> i64 {
        self.records.len() as i64
    }

    /// The tree of the first `n` records.
    pub fn tree(&self, n: i64) -> Tree {
        Tree {
            n,
            hash: tlog::tree_hash(n, &self.hashes).unwrap(),
        }
    }

    /// Every hash tile of the whole log (height 8, as sum.golang.org), with its data.
    pub fn tiles(&self) -> Vec<(Tile, Vec<u8>)> {
        tlog::new_tiles(gsumdb::TILE_HEIGHT, 0, self.n())
            .unwrap()
            .into_iter()
            .map(|t| {
                let d = tlog::read_tile_data(&t, &self.hashes).unwrap();
                (t, d)
            })
            .collect()
    }
}

/// `(path, version)` of a record's first line, when go could look it up; else a fixed one.
pub fn lookup_key(record: &[u8]) -> (String, String) {
    let first = record.split(|&b| b == b'\n').next().unwrap_or_default();
    let first = String::from_utf8_lossy(first);
    let mut f = first.split(' ');
    if let (Some(p), Some(v)) = (f.next(), f.next())
        && gomod::module::escape_path(p).is_ok()
        && gomod::module::escape_version(v).is_ok()
    {
        return (p.to_string(), v.to_string());
    }
    ("example.com/m".to_string(), "v1.0.0".to_string())
}

/// The go cache's lookup file name for `path@version`.
pub fn lookup_rel(path: &str, version: &str) -> String {
    format!(
        "lookup/{}@{}",
        gomod::module::escape_path(path).unwrap(),
        gomod::module::escape_version(version).unwrap()
    )
}

/// A fresh directory per run, under `/dev/shm` when it exists (a memory file system: the
/// fuzzer writes a handful of files per input).
pub struct Scratch {
    pub root: PathBuf,
}

impl Scratch {
    pub fn new() -> Scratch {
        static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let base = if Path::new("/dev/shm").is_dir() {
            PathBuf::from("/dev/shm")
        } else {
            std::env::temp_dir()
        };
        let seq = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let root = base.join(format!("gotrust-fuzz-{}-{seq}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        Scratch { root }
    }

    /// gotrust's state directory for the database.
    pub fn state(&self) -> PathBuf {
        self.root.join("state")
    }

    /// go's download cache for the database.
    pub fn go_cache(&self) -> PathBuf {
        self.root.join("gocache")
    }

    /// go's tree head file.
    pub fn go_latest(&self) -> PathBuf {
        self.root.join("golatest")
    }

    pub fn write(&self, path: &Path, data: &[u8]) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, data).unwrap();
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    })
}

fn http() -> Arc<HttpClient> {
    static HTTP: OnceLock<Arc<HttpClient>> = OnceLock::new();
    HTTP.get_or_init(|| Arc::new(HttpClient::new(HttpConfig::default()).unwrap()))
        .clone()
}

/// What an offline client made of the scratch directory.
pub enum Outcome {
    /// The client could not even open (a bad stored head, a fork between heads).
    Open(String),
    /// Each lookup's result.
    Lookups(Vec<Result<Lookup, LookupError>>),
}

/// Opens an offline client on `scratch` (as `gotrust verify sums --offline` does: gotrust's
/// state, go's tree head and go's download cache) and looks up each `(path, version)`.
pub fn run_offline(scratch: &Scratch, lookups: &[(String, String)]) -> Outcome {
    let cfg = SumdbConfig {
        key: keys().1.clone(),
        base: SumdbBase(url::Url::parse("https://sum.fuzz.example/").unwrap()),
        state_dir: scratch.state(),
        go_latest: Some(scratch.go_latest()),
        go_cache: Some(scratch.go_cache()),
        private: None,
    };
    runtime().block_on(async {
        let client = match SumdbClient::new_offline(http(), cfg).await {
            Ok(c) => c,
            Err(e) => return Outcome::Open(e.to_string()),
        };
        let mut out = Vec::new();
        for (p, v) in lookups {
            out.push(client.lookup(p, v).await);
        }
        let _ = (client.latest(), client.warnings());
        Outcome::Lookups(out)
    })
}
