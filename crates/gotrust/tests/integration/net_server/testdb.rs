//! An in-test checksum database built with gomod's tlog and note code.
#![allow(dead_code)]

use std::sync::Arc;

use gomod::note::{self, Signer};
use gomod::sumdb as gsumdb;
use gomod::tlog::{self, Hash, Tree};

use super::Reply;

pub const NAME: &str = "sum.test.example";

/// A log: records, stored hashes, and the key that signs its heads.
#[derive(Clone)]
pub struct Db {
    pub records: Vec<String>,
    pub hashes: Vec<Hash>,
    pub signer: Arc<Signer>,
    /// Lookups answered from this record text instead of the real one (tampering).
    pub tamper: Option<String>,
    /// Flip a bit in every tile served.
    pub flip_tiles: bool,
    /// Answer every tile request with 503.
    pub tiles_fail: bool,
}

pub fn keys(seed: u8) -> (String, String) {
    note::generate_key(&[seed; 32], NAME).unwrap()
}

impl Db {
    pub fn new(skey: &str) -> Db {
        Db {
            records: Vec::new(),
            hashes: Vec::new(),
            signer: Arc::new(Signer::new(skey).unwrap()),
            tamper: None,
            flip_tiles: false,
            tiles_fail: false,
        }
    }

    pub fn add(&mut self, path: &str, version: &str, salt: &str) {
        let n = self.records.len();
        self.add_hashes(
            path,
            version,
            &format!("h1:zip{salt}{n}="),
            &format!("h1:mod{salt}{n}="),
        );
    }

    pub fn add_hashes(&mut self, path: &str, version: &str, zip_h1: &str, mod_h1: &str) {
        let text = gsumdb::format_go_sum_record(path, version, zip_h1, mod_h1).unwrap();
        let n = self.records.len() as i64;
        let new = tlog::stored_hashes(n, text.as_bytes(), &self.hashes).unwrap();
        self.hashes.extend(new);
        self.records.push(text);
    }

    pub fn tree(&self) -> Tree {
        let n = self.records.len() as i64;
        Tree {
            n,
            hash: tlog::tree_hash(n, &self.hashes).unwrap(),
        }
    }

    pub fn note(&self) -> Vec<u8> {
        let text = String::from_utf8(tlog::format_tree(&self.tree())).unwrap();
        note::sign_text(&text, &[(*self.signer).clone()]).unwrap()
    }

    pub fn serve(&self, path: &str) -> Reply {
        if let Some(key) = path.strip_prefix("/lookup/") {
            let Some((p, v)) = gsumdb::parse_lookup_key(key) else {
                return Reply::text(400, "invalid module@version syntax\n");
            };
            let p = gomod::module::unescape_path(p).unwrap();
            let prefix = format!("{p} {v} ");
            let Some(id) = self.records.iter().position(|r| r.starts_with(&prefix)) else {
                return Reply::text(404, "not found\n");
            };
            let text = self
                .tamper
                .clone()
                .unwrap_or_else(|| self.records[id].clone());
            let body =
                gsumdb::format_lookup_response(id as i64, text.as_bytes(), &self.note()).unwrap();
            return Reply::Status(200, "text/plain; charset=UTF-8", body);
        }
        if path == "/latest" {
            return Reply::ok(self.note());
        }
        if let Some(tp) = path.strip_prefix('/')
            && let Ok(t) = tlog::parse_tile_path(tp)
            && t.l >= 0
        {
            if self.tiles_fail {
                return Reply::Status(503, "text/plain", Vec::new());
            }
            // Only tiles that exist for the current size.
            let size_at_level = self.tree().n >> (t.l as u32 * t.h);
            let first = t.n << t.h;
            if first + i64::from(t.w) > size_at_level {
                return Reply::text(404, "no such tile\n");
            }
            let mut data = tlog::read_tile_data(&t, &self.hashes).unwrap();
            if self.flip_tiles {
                data[0] ^= 1;
            }
            return Reply::ok(data);
        }
        Reply::text(404, "unknown\n")
    }
}
