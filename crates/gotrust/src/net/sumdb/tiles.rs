//! Tile readers for gomod's tlog proofs: one over tiles already in memory (the fast path, no
//! fetch), one that fetches what is missing; and the small file helpers of the cache
//! (`golang.org/x/mod/sumdb/client.go`, `tileReader`).

use super::*;

pub(super) fn reader_fetch_error(e: &TlogError) -> Option<FetchError> {
    match e {
        TlogError::Reader(inner) => match inner.downcast_ref::<TileError>() {
            Some(TileError::Fetch(f)) => Some(f.clone()),
            _ => inner.downcast_ref::<FetchError>().cloned(),
        },
        _ => None,
    }
}

/// The tile path an offline client could not find, if that is why reading failed.
pub(super) fn reader_offline_miss(e: &TlogError) -> Option<String> {
    match e {
        TlogError::Reader(inner) => match inner.downcast_ref::<TileError>() {
            Some(TileError::Offline(p)) => Some(p.clone()),
            _ => None,
        },
        _ => None,
    }
}

pub(super) fn tree_check_error(older: i64, newer: i64, e: TlogError) -> SumdbClientError {
    if let Some(what) = reader_offline_miss(&e) {
        return SumdbClientError::NotCached { what };
    }
    SumdbClientError::TreeCheck {
        older,
        newer,
        fetch: reader_fetch_error(&e),
        detail: e.to_string(),
    }
}

/// A tile reader over the tiles already fetched into memory; what it lacks it lists in
/// `missing` and fails, for [`SumdbClient::prove_record`] to fetch and try again.
pub(super) struct MemoryReader<'a> {
    pub(super) client: &'a SumdbClient,
    pub(super) missing: std::cell::RefCell<Vec<Tile>>,
}

/// The reason a [`MemoryReader`] read fails: tiles to fetch first.
#[derive(Debug, thiserror::Error)]
#[error("tiles not fetched yet")]
pub(super) struct TilesNotFetched;

impl TileReader for MemoryReader<'_> {
    fn height(&self) -> u32 {
        gsumdb::TILE_HEIGHT
    }

    fn read_tiles(&self, tiles: &[Tile]) -> Result<Vec<Vec<u8>>, TlogError> {
        let m = self
            .client
            .inner
            .tiles
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let mut out = Vec::with_capacity(tiles.len());
        let mut missing = self.missing.borrow_mut();
        for t in tiles {
            match m.get(t).and_then(|c| c.get()) {
                Some((d, _)) => out.push(d.clone()),
                None => missing.push(*t),
            }
        }
        if missing.is_empty() {
            Ok(out)
        } else {
            Err(TlogError::Reader(Box::new(TilesNotFetched)))
        }
    }

    fn save_tiles(&self, tiles: &[Tile], data: &[Vec<u8>]) {
        Reader {
            client: self.client,
        }
        .save_tiles(tiles, data)
    }
}

/// The bridge from gomod's synchronous tile reader to the async fetcher (runs on a
/// blocking thread).
pub(super) struct Reader<'a> {
    pub(super) client: &'a SumdbClient,
}

impl TileReader for Reader<'_> {
    fn height(&self) -> u32 {
        gsumdb::TILE_HEIGHT
    }

    fn read_tiles(&self, tiles: &[Tile]) -> Result<Vec<Vec<u8>>, TlogError> {
        let c = self.client;
        let results = c.inner.handle.block_on(futures_util::future::join_all(
            tiles.iter().map(|t| c.read_tile(*t)),
        ));
        results
            .into_iter()
            .map(|r| {
                r.map(|(d, _)| d)
                    .map_err(|e| TlogError::Reader(Box::new(e)))
            })
            .collect()
    }

    fn save_tiles(&self, tiles: &[Tile], data: &[Vec<u8>]) {
        let c = self.client;
        for (t, d) in tiles.iter().zip(data) {
            // A complete tile of the two lowest levels serves only the records under it, and
            // each record proven through it keeps its Merkle path (`paths.rs`), which later
            // proofs use instead: writing hundreds of such files per run cost more than the
            // rest of a cold run's local work. Upper and partial tiles, shared by every
            // proof and by tree-head checks, are kept.
            if t.is_full() && t.l < 2 {
                continue;
            }
            // Concurrent proofs authenticate the same upper tiles: each is written once.
            if !c
                .inner
                .tiles_written
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(*t)
            {
                continue;
            }
            let from_own_cache = {
                let m = c.inner.tiles.lock().unwrap_or_else(|e| e.into_inner());
                m.get(t)
                    .and_then(|cell| cell.get().map(|(_, s)| *s))
                    .is_some_and(|s| s == AnswerSource::GotrustCache)
            };
            if from_own_cache {
                continue;
            }
            let file = c.inner.cfg.state_dir.join(t.path());
            match write_atomic(&file, d) {
                Ok(()) => c
                    .inner
                    .own_tiles_exist
                    .store(true, std::sync::atomic::Ordering::Relaxed),
                Err(e) => c.warn(format!("caching {}: {e}", file.display())),
            }
        }
    }
}

/// A file's content if it exists, is not empty (go treats an empty cache file as missing) and
/// is at most `max` bytes (a larger file cannot be a valid answer and is not read).
pub(super) fn read_nonempty(p: &Path, max: usize) -> Option<Vec<u8>> {
    use std::io::Read;
    let f = std::fs::File::open(p).ok()?;
    // Sized from the metadata so that a cached answer costs one read (plus the one that
    // sees the end), not read_to_end's probing reads: warm runs read thousands of them.
    let hint = f.metadata().map_or(0, |m| m.len()).min(max as u64 + 1) as usize;
    let mut data = Vec::with_capacity(hint + 1);
    f.take(max as u64 + 1).read_to_end(&mut data).ok()?;
    (!data.is_empty() && data.len() <= max).then_some(data)
}

pub(super) fn write_atomic(p: &Path, data: &[u8]) -> std::io::Result<()> {
    let dir = p.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    std::io::Write::write_all(&mut tmp, data)?;
    tmp.persist(p).map_err(|e| e.error)?;
    Ok(())
}
