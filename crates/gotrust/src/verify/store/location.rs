//! Where a store is and how its files are listed and read: a local directory (read with the
//! file system) or an object store (`s3://`, `gs://`, `az://`, read with the `object_store`
//! crate, credentials and endpoints from each cloud's usual environment variables).
//!
//! Listings are streams of [`Entry`]s in byte order of their keys, whatever the backend:
//! object stores list in that order (S3's ListObjectsV2, GCS and Azure list
//! lexicographically), and the directory walk sorts each directory the same way (a
//! subdirectory compares as its name followed by `/`). That order is what makes a group of
//! files complete when the next key leaves its directory, and what `--resume` continues
//! from.

use std::fs;
use std::io::{self, Cursor, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use futures_util::StreamExt as _;
use gomod::modzip::{self, ZipError};
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt as _};
use tokio::sync::mpsc;

use super::layout::Entry;
use super::{Shard, StoreError};
use crate::redact::redact_text;

/// Objects up to this size are read in one request; larger zips are read in ranges.
const WHOLE_OBJECT: u64 = 4 << 20;
/// Range size (and read buffer) for large zips in object stores.
const RANGE: usize = 4 << 20;
/// Read buffer for local zips.
const LOCAL_BUF: usize = 256 << 10;

/// An opened store.
#[derive(Clone)]
pub enum Store {
    /// A local directory.
    Dir(PathBuf),
    /// An object store under a prefix.
    Object {
        /// The location as given, credentials redacted (for reports).
        display: String,
        /// The store.
        store: Arc<dyn ObjectStore>,
        /// Key prefix (empty for the whole bucket), without a trailing `/`.
        prefix: String,
    },
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.display())
    }
}

impl Store {
    /// Opens `location`: a directory, `file://DIR`, `s3://bucket/prefix`, `gs://…`, `az://…`
    /// (also `azure://`, `abfs://` and the other URLs object_store's Azure builder knows).
    pub fn open(location: &str) -> Result<Store, StoreError> {
        let bad = |why: String| StoreError::Location {
            location: redact_text(location),
            why,
        };
        if let Some(rest) = location.strip_prefix("file://") {
            return Store::open_dir(Path::new(rest), location);
        }
        let Some((scheme, _)) = location.split_once("://") else {
            return Store::open_dir(Path::new(location), location);
        };
        let url = url::Url::parse(location).map_err(|e| bad(format!("not a URL: {e}")))?;
        // The cloud clients' TLS is the workspace's rustls with ring (no second provider is
        // built): it must be the process default before their HTTP clients are built.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let prefix = url.path().trim_matches('/').to_owned();
        let store: Arc<dyn ObjectStore> = match scheme {
            "s3" | "s3a" => Arc::new(
                object_store::aws::AmazonS3Builder::from_env()
                    .with_url(location)
                    .build()
                    .map_err(|e| bad(e.to_string()))?,
            ),
            "gs" => Arc::new(
                object_store::gcp::GoogleCloudStorageBuilder::from_env()
                    .with_url(location)
                    .build()
                    .map_err(|e| bad(e.to_string()))?,
            ),
            "az" | "azure" | "abfs" | "abfss" | "adl" => Arc::new(
                object_store::azure::MicrosoftAzureBuilder::from_env()
                    .with_url(location)
                    .build()
                    .map_err(|e| bad(e.to_string()))?,
            ),
            other => {
                return Err(bad(format!(
                    "unsupported scheme {other:?} (use a directory, file://, s3://, gs:// or az://)"
                )));
            }
        };
        Ok(Store::Object {
            display: redact_text(location),
            store,
            prefix,
        })
    }

    fn open_dir(dir: &Path, location: &str) -> Result<Store, StoreError> {
        match fs::metadata(dir) {
            Ok(m) if m.is_dir() => Ok(Store::Dir(dir.to_path_buf())),
            Ok(_) => Err(StoreError::Location {
                location: location.to_owned(),
                why: "not a directory".into(),
            }),
            Err(e) => Err(StoreError::Location {
                location: location.to_owned(),
                why: e.to_string(),
            }),
        }
    }

    /// How the store is named in reports (credentials redacted).
    pub fn display(&self) -> String {
        match self {
            Store::Dir(p) => p.display().to_string(),
            Store::Object { display, .. } => display.clone(),
        }
    }

    fn object_path(prefix: &str, key: &str) -> ObjectPath {
        if prefix.is_empty() {
            ObjectPath::from(key)
        } else {
            ObjectPath::from(format!("{prefix}/{key}"))
        }
    }

    /// Lists every file after `after` (all when `None`) in key order, as a stream of at most
    /// `buffer` entries ahead of the reader. Each entry's key is relative to the store root.
    /// With more than one shard, subtrees of other shards' units ([`Shard::unit`]) are not
    /// listed: a directory is skipped as a whole, and an object store is listed level by level
    /// (with a delimiter) down to the units, then only this shard's units in full.
    pub fn list(
        &self,
        after: Option<String>,
        buffer: usize,
        shard: Shard,
    ) -> mpsc::Receiver<Result<Entry, StoreError>> {
        let (tx, rx) = mpsc::channel(buffer.max(1));
        match self.clone() {
            Store::Dir(root) => {
                tokio::task::spawn_blocking(move || walk(&root, after.as_deref(), shard, &tx));
            }
            Store::Object {
                store,
                prefix,
                display,
            } => {
                tokio::spawn(async move {
                    let mut lister = ObjectLister {
                        store,
                        prefix,
                        display,
                        after,
                        last: None,
                        tx,
                    };
                    if shard.count <= 1 {
                        lister.subtree("").await;
                    } else {
                        lister.sharded(shard).await;
                    }
                });
            }
        }
        rx
    }

    /// Reads a whole small file (a go.mod, an .info), refusing more than `limit` bytes.
    /// Runs on a blocking thread (it may wait on the async runtime through `rt`).
    pub fn read_small(
        &self,
        rt: &tokio::runtime::Handle,
        e: &Entry,
        limit: u64,
    ) -> Result<Vec<u8>, String> {
        if e.size > limit {
            return Err(format!("{} bytes, more than the {limit} allowed", e.size));
        }
        match self {
            Store::Dir(root) => {
                let f = fs::File::open(root.join(&e.key)).map_err(|err| err.to_string())?;
                let mut data = Vec::with_capacity(e.size as usize);
                f.take(limit + 1)
                    .read_to_end(&mut data)
                    .map_err(|err| err.to_string())?;
                if data.len() as u64 > limit {
                    return Err(format!("more than the {limit} bytes allowed"));
                }
                Ok(data)
            }
            Store::Object { store, prefix, .. } => {
                let path = Store::object_path(prefix, &e.key);
                rt.block_on(async {
                    let got = store.get(&path).await.map_err(|err| err.to_string())?;
                    if got.meta.size > limit {
                        return Err(format!(
                            "{} bytes, more than the {limit} allowed",
                            got.meta.size
                        ));
                    }
                    got.bytes()
                        .await
                        .map(|b| b.to_vec())
                        .map_err(|err| err.to_string())
                })
            }
        }
    }

    /// Checks a module zip with go's rules and computes its `h1:` hash in one streaming pass.
    /// Runs on a blocking thread.
    pub fn hash_zip(
        &self,
        rt: &tokio::runtime::Handle,
        e: &Entry,
        module: &str,
        version: &str,
    ) -> Result<String, ZipError> {
        let io_err = |source: io::Error| ZipError::Io {
            path: e.key.clone(),
            source,
        };
        match self {
            Store::Dir(root) => {
                let f = fs::File::open(root.join(&e.key)).map_err(io_err)?;
                let mut r = modzip::SeekBufReader::with_capacity(LOCAL_BUF, f);
                modzip::check_and_hash_zip(&mut r, module, version).map(|(_, h)| h)
            }
            Store::Object { store, prefix, .. } => {
                let path = Store::object_path(prefix, &e.key);
                if e.size <= WHOLE_OBJECT {
                    let bytes = rt
                        .block_on(async { store.get(&path).await?.bytes().await })
                        .map_err(|err| io_err(io::Error::other(err.to_string())))?;
                    let mut r = Cursor::new(bytes);
                    modzip::check_and_hash_zip(&mut r, module, version).map(|(_, h)| h)
                } else {
                    let ranged = RangeReader {
                        rt: rt.clone(),
                        store: store.clone(),
                        path,
                        size: e.size,
                        pos: 0,
                    };
                    let mut r = modzip::SeekBufReader::with_capacity(RANGE, ranged);
                    modzip::check_and_hash_zip(&mut r, module, version).map(|(_, h)| h)
                }
            }
        }
    }
}

/// Lists an object store in key order into a channel, checking the order as it goes.
struct ObjectLister {
    store: Arc<dyn ObjectStore>,
    prefix: String,
    display: String,
    after: Option<String>,
    last: Option<String>,
    tx: mpsc::Sender<Result<Entry, StoreError>>,
}

/// One child of a delimiter listing: a file, or a directory (key without the `/`).
enum Child {
    File(Entry),
    Dir(String),
}

impl ObjectLister {
    fn full(&self, key: &str) -> ObjectPath {
        Store::object_path(&self.prefix, key)
    }

    fn relative(&self, full: &str) -> String {
        if self.prefix.is_empty() {
            full.to_owned()
        } else {
            full.strip_prefix(&format!("{}/", self.prefix))
                .unwrap_or(full)
                .to_owned()
        }
    }

    /// Sends one entry (or error); false when listing must stop.
    async fn send(&mut self, item: Result<Entry, StoreError>) -> bool {
        let item = match item {
            Ok(e) if self.last.as_ref().is_some_and(|l| *l >= e.key) => Err(StoreError::Listing {
                location: self.display.clone(),
                why: format!(
                    "the listing is not in key order ({:?} after {:?})",
                    e.key,
                    self.last.clone().unwrap_or_default()
                ),
            }),
            other => other,
        };
        match &item {
            Ok(e) => self.last = Some(e.key.clone()),
            Err(_) => {
                let _ = self.tx.send(item).await;
                return false;
            }
        }
        self.tx.send(item).await.is_ok()
    }

    fn error(&self, e: object_store::Error) -> StoreError {
        StoreError::Listing {
            location: self.display.clone(),
            why: e.to_string(),
        }
    }

    /// Whether every key under `dir/` sorts at or before `after` (nothing left to list).
    fn done_before(&self, dir: &str) -> bool {
        let prefix = format!("{dir}/");
        self.after
            .as_deref()
            .is_some_and(|a| prefix.as_str() < a && !a.starts_with(&prefix))
    }

    /// Lists every file under `dir` (the whole store when empty) after `after`; false when
    /// listing must stop.
    async fn subtree(&mut self, dir: &str) -> bool {
        let base = match (self.prefix.is_empty(), dir.is_empty()) {
            (true, true) => None,
            (_, true) => Some(ObjectPath::from(self.prefix.as_str())),
            _ => Some(self.full(dir)),
        };
        let store = self.store.clone();
        let mut stream = match self.after.clone() {
            Some(a) if dir.is_empty() || a.starts_with(&format!("{dir}/")) => {
                store.list_with_offset(base.as_ref(), &self.full(&a))
            }
            _ => store.list(base.as_ref()),
        };
        while let Some(item) = stream.next().await {
            let item = item
                .map(|meta| Entry {
                    key: self.relative(meta.location.as_ref()),
                    size: meta.size,
                })
                .map_err(|e| self.error(e));
            if !self.send(item).await {
                return false;
            }
        }
        true
    }

    /// The children of `dir` (the root when empty), in key order (a directory sorts as its
    /// name followed by `/`).
    async fn children(&self, dir: &str) -> Result<Vec<Child>, StoreError> {
        let base = match (self.prefix.is_empty(), dir.is_empty()) {
            (true, true) => None,
            (_, true) => Some(ObjectPath::from(self.prefix.as_str())),
            _ => Some(self.full(dir)),
        };
        let listed = self
            .store
            .list_with_delimiter(base.as_ref())
            .await
            .map_err(|e| self.error(e))?;
        let mut out: Vec<(String, Child)> = Vec::new();
        for meta in listed.objects {
            let key = self.relative(meta.location.as_ref());
            out.push((
                key.clone(),
                Child::File(Entry {
                    key,
                    size: meta.size,
                }),
            ));
        }
        for p in listed.common_prefixes {
            let key = self.relative(p.as_ref());
            out.push((format!("{key}/"), Child::Dir(key)));
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out.into_iter().map(|(_, c)| c).collect())
    }

    /// Files at the first two levels are listed by every shard (the group filter decides);
    /// directories at the second level are listed only when `shard` takes them.
    async fn sharded(&mut self, shard: Shard) {
        let top = match self.children("").await {
            Ok(c) => c,
            Err(e) => {
                let _ = self.send(Err(e)).await;
                return;
            }
        };
        for child in top {
            match child {
                Child::File(e) => {
                    if self.after.as_deref().is_some_and(|a| e.key.as_str() <= a) {
                        continue;
                    }
                    if !self.send(Ok(e)).await {
                        return;
                    }
                }
                Child::Dir(d1) => {
                    if self.done_before(&d1) {
                        continue;
                    }
                    let second = match self.children(&d1).await {
                        Ok(c) => c,
                        Err(e) => {
                            let _ = self.send(Err(e)).await;
                            return;
                        }
                    };
                    for child in second {
                        let go_on = match child {
                            Child::File(e) => {
                                if self.after.as_deref().is_some_and(|a| e.key.as_str() <= a) {
                                    continue;
                                }
                                self.send(Ok(e)).await
                            }
                            Child::Dir(d2) => {
                                if !shard.takes(&d2) || self.done_before(&d2) {
                                    continue;
                                }
                                self.subtree(&d2).await
                            }
                        };
                        if !go_on {
                            return;
                        }
                    }
                }
            }
        }
    }
}

/// A large object read by ranged GETs, so memory stays one buffer per zip in progress.
struct RangeReader {
    rt: tokio::runtime::Handle,
    store: Arc<dyn ObjectStore>,
    path: ObjectPath,
    size: u64,
    pos: u64,
}

impl Read for RangeReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos >= self.size || buf.is_empty() {
            return Ok(0);
        }
        let end = (self.pos + buf.len() as u64).min(self.size);
        let range = self.pos..end;
        let bytes = self
            .rt
            .block_on(self.store.get_range(&self.path, range))
            .map_err(|e| io::Error::other(e.to_string()))?;
        let n = bytes.len().min(buf.len());
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the object ended before its listed size",
            ));
        }
        buf[..n].copy_from_slice(&bytes[..n]);
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for RangeReader {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let next = match to {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::End(d) => self.size.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        self.pos = next
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "seek before the start"))?;
        Ok(self.pos)
    }
}

/// Walks `root` depth first in key byte order, sending every file after `after`. Blocking.
fn walk(
    root: &Path,
    after: Option<&str>,
    shard: Shard,
    tx: &mpsc::Sender<Result<Entry, StoreError>>,
) {
    // Each level holds the sorted children not yet visited, so memory is the sum of the
    // directory sizes along one path, not the store's size.
    let mut stack: Vec<std::vec::IntoIter<(String, bool)>> = Vec::new();
    match read_sorted(root, "") {
        Ok(c) => stack.push(c.into_iter()),
        Err(e) => {
            let _ = tx.blocking_send(Err(e));
            return;
        }
    }
    while let Some(level) = stack.last_mut() {
        let Some((key, is_dir)) = level.next() else {
            stack.pop();
            continue;
        };
        if is_dir {
            // A second-level directory is a shard unit: another shard's is not entered.
            if shard.count > 1 && key.matches('/').count() == 1 && !shard.takes(&key) {
                continue;
            }
            let prefix = format!("{key}/");
            // Every key of this directory sorts before `after` and none continues it: done.
            if let Some(a) = after
                && prefix.as_str() < a
                && !a.starts_with(&prefix)
            {
                continue;
            }
            match read_sorted(&root.join(&key), &prefix) {
                Ok(c) => stack.push(c.into_iter()),
                Err(e) => {
                    if tx.blocking_send(Err(e)).is_err() {
                        return;
                    }
                }
            }
            continue;
        }
        if after.is_some_and(|a| key.as_str() <= a) {
            continue;
        }
        let size = fs::metadata(root.join(&key)).map_or(0, |m| m.len());
        if tx.blocking_send(Ok(Entry { key, size })).is_err() {
            return;
        }
    }
}

/// The children of `dir` as `(key, is_dir)`, sorted as their keys sort in an object store
/// listing: a directory by its name followed by `/`. Symbolic links to directories are not
/// followed (a loop would never end); links to files are read as files.
fn read_sorted(dir: &Path, prefix: &str) -> Result<Vec<(String, bool)>, StoreError> {
    let err = |e: io::Error| StoreError::Listing {
        location: dir.display().to_string(),
        why: e.to_string(),
    };
    let mut out = Vec::new();
    for ent in fs::read_dir(dir).map_err(err)? {
        let ent = ent.map_err(err)?;
        let ft = ent.file_type().map_err(err)?;
        let name = ent.file_name().to_string_lossy().into_owned();
        let is_dir = ft.is_dir();
        if !is_dir && !ft.is_file() && !ft.is_symlink() {
            continue;
        }
        if ft.is_symlink() && ent.path().is_dir() {
            continue;
        }
        out.push((format!("{prefix}{name}"), is_dir));
    }
    out.sort_by(|a, b| sort_key(a).cmp(&sort_key(b)));
    Ok(out)
}

fn sort_key((key, is_dir): &(String, bool)) -> std::borrow::Cow<'_, str> {
    if *is_dir {
        std::borrow::Cow::Owned(format!("{key}/"))
    } else {
        std::borrow::Cow::Borrowed(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn directory_walk_is_in_object_store_key_order_and_resumes() {
        let d = tempfile::tempdir().unwrap();
        for k in [
            "a/@v/v1.0.0.mod",
            "a.b/@v/v1.0.0.mod",
            "a/b/@v/v1.0.0.zip",
            "a/-x",
            "top",
        ] {
            let p = d.path().join(k);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, "x").unwrap();
        }
        let store = Store::Dir(d.path().to_path_buf());
        let keys = |after: Option<&str>| {
            let mut rx = store.list(after.map(str::to_owned), 4, Shard::default());
            async move {
                let mut out = Vec::new();
                while let Some(e) = rx.recv().await {
                    out.push(e.unwrap().key);
                }
                out
            }
        };
        let all = keys(None).await;
        let mut sorted = all.clone();
        sorted.sort();
        assert_eq!(all, sorted);
        assert_eq!(all.len(), 5);
        assert_eq!(
            keys(Some("a/@v/v1.0.0.mod")).await,
            ["a/b/@v/v1.0.0.zip", "top"]
        );
    }

    /// Every shard's listing, directory or object store, is the full listing's keys of the
    /// units that shard takes (files at the first two levels go to every shard: the group
    /// filter decides), in key order; resuming inside a shard continues it.
    #[tokio::test]
    async fn shard_listings_partition_the_store_and_skip_other_units() {
        let keys = [
            "a.com/x/@v/v1.0.0.mod",
            "a.com/x/@v/v1.0.0.zip",
            "a.com/x/sub/@v/v1.0.0.mod",
            "a.com/y/@v/v1.0.0.mod",
            "a.com/z.v2/@v/list",
            "b.org/q/@v/v0.1.0.info",
            "b.org/q/@v/v0.1.0.mod",
            "b.org/-x",
            "c.net/m/n/@v/v2.0.0.mod",
            "top",
        ];
        let d = tempfile::tempdir().unwrap();
        let mem = Arc::new(object_store::memory::InMemory::new());
        for k in keys {
            let p = d.path().join(k);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, "x").unwrap();
            mem.put(&ObjectPath::from(format!("pre/{k}")), "x".into())
                .await
                .unwrap();
        }
        let stores = [
            Store::Dir(d.path().to_path_buf()),
            Store::Object {
                display: "memory".into(),
                store: mem,
                prefix: "pre".into(),
            },
        ];
        let list = |store: &Store, after: Option<&str>, shard: Shard| {
            let mut rx = store.list(after.map(str::to_owned), 4, shard);
            async move {
                let mut out = Vec::new();
                while let Some(e) = rx.recv().await {
                    out.push(e.unwrap().key);
                }
                out
            }
        };
        for store in &stores {
            let all = list(store, None, Shard::default()).await;
            assert_eq!(all.len(), keys.len(), "{store:?}");
            let count = 3;
            let mut seen = Vec::new();
            for index in 0..count {
                let shard = Shard { index, count };
                let got = list(store, None, shard).await;
                let want: Vec<String> = all
                    .iter()
                    .filter(|k| {
                        let dir = k.rsplit_once('/').map_or("", |(d, _)| d);
                        dir.matches('/').count() == 0 || shard.takes(Shard::unit(dir))
                    })
                    .cloned()
                    .collect();
                assert_eq!(got, want, "{store:?} shard {index}");
                if let Some(mid) = got.get(got.len() / 2) {
                    let rest = list(store, Some(mid), shard).await;
                    let tail: Vec<String> = got.iter().filter(|k| *k > mid).cloned().collect();
                    assert_eq!(rest, tail, "{store:?} shard {index} after {mid}");
                }
                seen.extend(got.into_iter().filter(|k| k.matches('/').count() >= 2));
            }
            // Files below the second level: each listed by exactly one shard.
            seen.sort();
            let mut deep: Vec<String> = all
                .iter()
                .filter(|k| k.matches('/').count() >= 2)
                .cloned()
                .collect();
            deep.sort();
            assert_eq!(seen, deep, "{store:?}");
        }
    }
}
