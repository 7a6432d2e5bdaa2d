//! An end-to-end database fixture and client behaviour from x/mod's
//! sumdb/client_test.go, replayed with the tlog and note
//! primitives the client is built from.

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;

use super::*;
use crate::note::{self, Signer, Verifier, Verifiers};
use crate::tlog::{
    Tile, TileHashReader, TileReader, format_tree, new_tiles, parse_tile_path, parse_tree,
    read_tile_data, record_hash, stored_hash_index, stored_hashes, tree_hash,
};

const TEST_VKEY: &str =
    "localhost.localdev/sumdb+00000c67+AcTrnkbUA+TU4heY3hkjiSES/DSQniBqIeQ/YppAUtK6";
const TEST_SKEY: &str =
    "PRIVATE+KEY+localhost.localdev/sumdb+00000c67+AXu6+oaVaOYuQOFrf1V59JK1owcFlJcHwwXHDfDGxSPk";

/// A log plus what a server would publish for it.
#[derive(Clone)]
struct Log {
    h: u32,
    hashes: Vec<Hash>,
    n: i64,
    remote: HashMap<String, Vec<u8>>,
}

impl Log {
    fn new(h: u32) -> Log {
        Log {
            h,
            hashes: Vec::new(),
            n: 0,
            remote: HashMap::new(),
        }
    }

    fn signed_tree(&self, n: i64) -> Vec<u8> {
        let tree = Tree {
            n,
            hash: tree_hash(n, &self.hashes).unwrap(),
        };
        let text = String::from_utf8(format_tree(&tree)).unwrap();
        note::sign_text(&text, &[Signer::new(TEST_SKEY).unwrap()]).unwrap()
    }

    fn add(&mut self, key: &str, data: &str) -> Vec<u8> {
        let id = self.n;
        self.hashes
            .extend(stored_hashes(id, data.as_bytes(), &self.hashes).unwrap());
        self.n += 1;
        let resp = format_lookup_response(id, data.as_bytes(), &self.signed_tree(self.n)).unwrap();
        self.remote.insert(format!("lookup/{key}"), resp.clone());
        for t in new_tiles(self.h, id, self.n).unwrap() {
            self.remote
                .insert(t.path(), read_tile_data(&t, &self.hashes).unwrap());
        }
        resp
    }

    fn flip_tiles(&mut self) {
        for (k, v) in &mut self.remote {
            if k.starts_with("tile/") {
                v.iter_mut().for_each(|b| *b ^= 0x80);
            }
        }
    }
}

/// Serves tiles from a log's published files, as the client's tile reader:
/// a missing partial tile is cut from the complete one (client.go `readTile`: the full
/// tile is fetched when the partial one is missing).
struct Remote<'a> {
    log: &'a Log,
    reads: Mutex<Vec<String>>,
}

impl TileReader for Remote<'_> {
    fn height(&self) -> u32 {
        self.log.h
    }
    fn read_tiles(&self, tiles: &[Tile]) -> Result<Vec<Vec<u8>>, TlogError> {
        tiles
            .iter()
            .map(|t| {
                self.reads.lock().unwrap().push(t.path());
                if let Some(d) = self.log.remote.get(&t.path()) {
                    return Ok(d.clone());
                }
                let full = Tile { w: 1 << t.h, ..*t };
                self.log
                    .remote
                    .get(&full.path())
                    .map(|d| d[..t.data_len()].to_vec())
                    .ok_or_else(|| TlogError::Reader(format!("404 {}", t.path()).into()))
            })
            .collect()
    }
    fn save_tiles(&self, _: &[Tile], _: &[Vec<u8>]) {}
}

fn remote(log: &Log) -> Remote<'_> {
    Remote {
        log,
        reads: Mutex::new(Vec::new()),
    }
}

const R0: &str = "rsc.io/quote v1.5.2 h1:w5fcysjrx7yqtD/aO+QwRjYZOKnaM9Uh2b40tElTs3Y=\nrsc.io/quote v1.5.2/go.mod h1:LzX7hefJvL54yjefDEDHNONDjII0t9xZLPXsUe+TKr0=\n";
const R1: &str = "rsc.io/sampler v1.3.0 h1:7uVkIFmeBqHfdjD+gZwtXXI+RODJ2Wc4O7MPEh/QiW4=\nrsc.io/sampler v1.3.0/go.mod h1:T1hPZKmBbMNahiBKFy5HrXp6adAjACjK9JXDnKaTXpA=\n";
const R2: &str = "golang.org/x/text v0.0.0-20170915032832-14c0d48ead0c h1:qgOY6WgZOaTkIIMiVjBQcw93ERBE4m30iBm00nkL0i8=\ngolang.org/x/text v0.0.0-20170915032832-14c0d48ead0c/go.mod h1:NqM8EUOU14njkJ3fqMW+pc6Ldnwhi/IjpwHt7yyuwOQ=\n";

const LOOKUPS: [&str; 3] = [
    "0\nrsc.io/quote v1.5.2 h1:w5fcysjrx7yqtD/aO+QwRjYZOKnaM9Uh2b40tElTs3Y=\nrsc.io/quote v1.5.2/go.mod h1:LzX7hefJvL54yjefDEDHNONDjII0t9xZLPXsUe+TKr0=\n\ngo.sum database tree\n1\nYIbrIfbx/MNcPidoYOgRXWdOys26yALyiA3vKAesRjw=\n\n— localhost.localdev/sumdb AAAMZ62MP3hzYiznBqqKFrEIoakNLGoyzTno9RjkLXoSMlViiH/NSaaSA6KjkF3ppL7U0jBtVNZRZr0Fvm62lnKfIgI=\n",
    "1\nrsc.io/sampler v1.3.0 h1:7uVkIFmeBqHfdjD+gZwtXXI+RODJ2Wc4O7MPEh/QiW4=\nrsc.io/sampler v1.3.0/go.mod h1:T1hPZKmBbMNahiBKFy5HrXp6adAjACjK9JXDnKaTXpA=\n\ngo.sum database tree\n2\n3BTXW/wRmJHVtNLWXgRzEqPVRJXJr3k7+gujhzWtYQg=\n\n— localhost.localdev/sumdb AAAMZyhkKm7wcg1t74xosMbVKwIM1Ic9n6A1U9jzUzlYQX4NR9N0eLTya2l5R9V52wQPQE8+8a6PZ318AZdfT1Jg0gc=\n",
    "2\ngolang.org/x/text v0.0.0-20170915032832-14c0d48ead0c h1:qgOY6WgZOaTkIIMiVjBQcw93ERBE4m30iBm00nkL0i8=\ngolang.org/x/text v0.0.0-20170915032832-14c0d48ead0c/go.mod h1:NqM8EUOU14njkJ3fqMW+pc6Ldnwhi/IjpwHt7yyuwOQ=\n\ngo.sum database tree\n3\nB00mCMCBHsfB8OUKl/hxDkpG1lGkP+nmuX6ebNrhyFs=\n\n— localhost.localdev/sumdb AAAMZ1EpVN6JXg3OuyQvDcRuyl4TlLWDvXDad0LVmAotcaBNwxKH5/7EAGO5cRB6cM81hYALsJsnxdeBla9P0Ls57AU=\n",
];

#[test]
fn end_to_end_fixture() {
    let mut log = Log::new(8);
    let keys = [
        "rsc.io/quote@v1.5.2",
        "rsc.io/sampler@v1.3.0",
        "golang.org/x/text@v0.0.0-20170915032832-14c0d48ead0c",
    ];
    for (i, data) in [R0, R1, R2].iter().enumerate() {
        assert_eq!(log.add(keys[i], data), LOOKUPS[i].as_bytes(), "lookup {i}");
    }
    let rh: Vec<String> = [R0, R1, R2]
        .iter()
        .map(|r| record_hash(r.as_bytes()).to_string())
        .collect();
    assert_eq!(
        rh,
        [
            "YIbrIfbx/MNcPidoYOgRXWdOys26yALyiA3vKAesRjw=",
            "o8m5rrlnnRXbhEBP9X8zkP2dzqefc98mKqSMf7t1ig8=",
            "OVycKzbYUm+7AUZXER7fMrIWBUp702IqutYyhFQ1Hng="
        ]
    );
    assert_eq!(
        tree_hash(2, &log.hashes).unwrap().to_string(),
        "3BTXW/wRmJHVtNLWXgRzEqPVRJXJr3k7+gujhzWtYQg="
    );
    assert_eq!(
        log.signed_tree(3),
        "go.sum database tree\n3\nB00mCMCBHsfB8OUKl/hxDkpG1lGkP+nmuX6ebNrhyFs=\n\n— localhost.localdev/sumdb AAAMZ1EpVN6JXg3OuyQvDcRuyl4TlLWDvXDad0LVmAotcaBNwxKH5/7EAGO5cRB6cM81hYALsJsnxdeBla9P0Ls57AU=\n".as_bytes()
    );
    let r0 = "6086eb21f6f1fcc35c3e276860e8115d674ecacdbac802f2880def2807ac463c";
    let r1 = "a3c9b9aeb9679d15db84404ff57f3390fd9dcea79f73df262aa48c7fbb758a0f";
    let r2 = "395c9c2b36d8526fbb014657111edf32b216054a7bd3622abad6328454351e78";
    assert_eq!(hex::encode(&log.remote["tile/8/0/000.p/1"]), r0);
    assert_eq!(
        hex::encode(&log.remote["tile/8/0/000.p/2"]),
        format!("{r0}{r1}")
    );
    assert_eq!(
        hex::encode(&log.remote["tile/8/0/000.p/3"]),
        format!("{r0}{r1}{r2}")
    );
    assert_eq!(parse_lookup_key("rsc.io/quote@1.5.2"), None);
    assert_eq!(
        parse_lookup_key("rsc.io/quote@v1.5.2"),
        Some(("rsc.io/quote", "v1.5.2"))
    );

    // Replay the three responses to a fresh client state.
    let verifiers = Verifiers::new(vec![Verifier::new(TEST_VKEY).unwrap()]);
    let mut latest = Tree {
        n: 0,
        hash: tlog::EMPTY_TREE_HASH,
    };
    for (i, resp) in LOOKUPS.iter().enumerate() {
        let r = parse_lookup_response(resp.as_bytes()).unwrap();
        assert_eq!(r.id, i as i64);
        let n = note::open(&r.note, &verifiers).unwrap();
        let tree = parse_tree(n.text.as_bytes()).unwrap();
        let srv = remote(&log);
        let thr = TileHashReader::new(tree, &srv);
        assert_eq!(
            tree_hash(latest.n, &thr).unwrap(),
            latest.hash,
            "old tree is a prefix"
        );
        latest = tree;
        let got = thr.read_hashes(&[stored_hash_index(0, r.id)]).unwrap();
        assert_eq!(got, vec![record_hash(&r.text)]);
        let reads: BTreeSet<String> = srv.reads.into_inner().unwrap().into_iter().collect();
        assert_eq!(reads, BTreeSet::from([format!("tile/8/0/000.p/{}", i + 1)]));
    }
    assert_eq!(latest.n, 3);
}

const QUOTE: &str = "rsc.io/quote v1.5.2 h1:w5fcysjrx7yqtD/aO+QwRjYZOKnaM9Uh2b40tElTs3Y=\nrsc.io/quote v1.5.2/go.mod h1:LzX7hefJvL54yjefDEDHNONDjII0t9xZLPXsUe+TKr0=\nrsc.io/quote v1.5.2 h2:xyzzy\n";

/// x/mod's client_test.go log: tile height 2, four records.
fn client_test_log() -> Log {
    let mut log = Log::new(2);
    log.add("rsc.io/quote@v1.5.2", QUOTE);
    log.add("golang.org/x/text@v0.0.0-20170915032832-14c0d48ead0c", R2);
    log.add("rsc.io/sampler@v1.3.0", R1);
    log.add(
        "rsc.io/!quote@v1.5.2",
        "rsc.io/Quote v1.5.2 h1:uppercase!=\n",
    );
    log
}

fn tree_of(log: &Log, n: i64) -> Tree {
    Tree {
        n,
        hash: tree_hash(n, &log.hashes).unwrap(),
    }
}

#[test]
fn client_lookup_lines() {
    let log = client_test_log();
    let r = parse_lookup_response(&log.remote["lookup/rsc.io/sampler@v1.3.0"]).unwrap();
    let text = std::str::from_utf8(&r.text).unwrap();
    assert_eq!(
        record_lines(text, "rsc.io/sampler", "v1.3.0"),
        ["rsc.io/sampler v1.3.0 h1:7uVkIFmeBqHfdjD+gZwtXXI+RODJ2Wc4O7MPEh/QiW4="]
    );
    assert_eq!(
        record_lines(text, "rsc.io/sampler", "v1.3.0/go.mod"),
        ["rsc.io/sampler v1.3.0/go.mod h1:T1hPZKmBbMNahiBKFy5HrXp6adAjACjK9JXDnKaTXpA="]
    );
    assert_eq!(
        record_lines(QUOTE, "rsc.io/quote", "v1.5.2"),
        [
            "rsc.io/quote v1.5.2 h1:w5fcysjrx7yqtD/aO+QwRjYZOKnaM9Uh2b40tElTs3Y=",
            "rsc.io/quote v1.5.2 h2:xyzzy"
        ]
    );
    assert!(log.remote.contains_key("lookup/rsc.io/!quote@v1.5.2"));
    // Every record verifies against the size-4 tree through height-2 tiles.
    let srv = remote(&log);
    let thr = TileHashReader::new(tree_of(&log, 4), &srv);
    for (key, resp) in log.remote.iter().filter(|(k, _)| k.starts_with("lookup/")) {
        let r = parse_lookup_response(resp).unwrap();
        let got = thr.read_hashes(&[stored_hash_index(0, r.id)]).unwrap();
        assert_eq!(got, vec![record_hash(&r.text)], "{key}");
    }
}

#[test]
fn client_bad_tiles() {
    let mut log = client_test_log();
    log.flip_tiles();
    // "checking tree#1": the size-1 tree checked through its own tiles.
    let srv = remote(&log);
    let e = tree_hash(
        1,
        &TileHashReader::new(tree_of(&client_test_log(), 1), &srv),
    )
    .unwrap_err();
    assert_eq!(e.to_string(), "downloaded inconsistent tile");
    // "checking tree#3 against tree#4".
    let good = client_test_log();
    let e = tree_hash(3, &TileHashReader::new(tree_of(&good, 4), &srv)).unwrap_err();
    assert_eq!(e.to_string(), "downloaded inconsistent tile");
    log.flip_tiles();
    let srv = remote(&log);
    assert_eq!(
        tree_hash(3, &TileHashReader::new(tree_of(&good, 4), &srv)).unwrap(),
        tree_of(&good, 3).hash
    );
    // A bad starting tree hash looks like bad tiles.
    let bad = Tree {
        n: 1,
        hash: Hash::default(),
    };
    let e = tree_hash(1, &TileHashReader::new(bad, &srv)).unwrap_err();
    assert!(matches!(e, TlogError::InconsistentTile));
}

#[test]
fn client_fork_report() {
    let base = client_test_log();
    let mut tc = base.clone();
    let mut tc2 = base;
    tc.add("rsc.io/pkg1@v1.5.2", "rsc.io/pkg1 v1.5.2 h1:hash!=\n");
    tc.add("rsc.io/pkg1@v1.5.4", "rsc.io/pkg1 v1.5.4 h1:hash!=\n");
    tc2.add("rsc.io/pkg1@v1.5.3", "rsc.io/pkg1 v1.5.3 h1:hash!=\n");
    tc2.add("rsc.io/pkg1@v1.5.4", "rsc.io/pkg1 v1.5.4 h1:hash!=\n");

    let older_note = tc.signed_tree(5);
    let newer_note = tc2.signed_tree(6);
    let older = tree_of(&tc, 5);
    let newer = tree_of(&tc2, 6);
    assert_eq!(
        older.hash.to_string(),
        "nWzN20+pwMt62p7jbv1/NlN95ePTlHijabv5zO/s36w="
    );
    assert_eq!(
        newer.hash.to_string(),
        "wc4SkQt52o5W2nQ8To2ARs+mWuUJjss+sdleoiqxMmM="
    );

    let srv = remote(&tc2);
    let thr = TileHashReader::new(newer, &srv);
    let h = tree_hash(older.n, &thr).unwrap();
    assert_ne!(h, older.hash, "a fork");
    let report = misbehavior_report(&older_note, older.n, newer, &newer_note, h, &thr);
    let want = "SECURITY ERROR\ngo.sum database server misbehavior detected!\n\n\
        old database:\n\tgo.sum database tree\n\t5\n\tnWzN20+pwMt62p7jbv1/NlN95ePTlHijabv5zO/s36w=\n\t\n\t\
        — localhost.localdev/sumdb AAAMZ5/2FVAd";
    assert!(report.starts_with(want), "{report}");
    for part in [
        "new database:\n\tgo.sum database tree\n\t6\n\twc4SkQt52o5W2nQ8To2ARs+mWuUJjss+sdleoiqxMmM=\n\t\n\t— localhost.localdev/sumdb AAAMZ6oRNswl",
        "\n\t\nproof of misbehavior:\n\tT7i+H/8ER4nXOiw4Bj0koZOkGjkxoNvlI34GpvhHhQg=\n\tNsuejv72de9hYNM5bqFv8rv3gm3zJQwv/DT/WNbLDLA=\n\tmOmqqZ1aI/lzS94oq/JSbj7pD8Rv9S+xDyi12BtVSHo=\n\t/7Aw5jVSMM9sFjQhaMg+iiDYPMk6decH7QLOGrL9Lx0=",
    ] {
        assert!(report.contains(part), "{part}\n---\n{report}");
    }
    assert!(report.ends_with("/7Aw5jVSMM9sFjQhaMg+iiDYPMk6decH7QLOGrL9Lx0="));
    // A proof that cannot be built is reported, not panicked on.
    let broken = misbehavior_report(&older_note, 7, newer, &newer_note, h, &thr);
    assert!(
        broken.ends_with("\tinternal error: tlog: invalid inputs in ProveTree\n"),
        "{broken}"
    );
}

#[test]
fn lookup_response_limits_and_format() {
    assert!(parse_lookup_response(b"0\nabc\n").is_err());
    let big = vec![b'a'; MAX_LOOKUP_BYTES + 1];
    assert!(matches!(
        parse_lookup_response(&big),
        Err(SumdbError::TooLarge { .. })
    ));
    let mut long = b"1\n".to_vec();
    long.extend(std::iter::repeat_n(b'a', MAX_RECORD_BYTES));
    long.extend_from_slice(b"\n\nnote");
    assert!(matches!(
        parse_lookup_response(&long),
        Err(SumdbError::TooLarge { what: "record", .. })
    ));
    assert_eq!(
        format_go_sum_record("rsc.io/quote", "v1.5.2", "h1:a=", "h1:b=").unwrap(),
        "rsc.io/quote v1.5.2 h1:a=\nrsc.io/quote v1.5.2/go.mod h1:b=\n"
    );
    assert!(format_go_sum_record("rsc.io/quote x", "v1.5.2", "h1:a=", "h1:b=").is_err());
    assert!(format_go_sum_record("rsc.io/quote", "", "h1:a=", "h1:b=").is_err());
    assert!(format_go_sum_record("rsc.io/quote", "v1\n", "h1:a=", "h1:b=").is_err());
    for (key, ok) in [
        ("rsc.io/quote@v1.5.2", true),
        ("rsc.io/quote@v1.5.2-pre+incompatible", true),
        ("rsc.io/quote@v2.0.0+incompatible", true),
        ("rsc.io/quote@v1.5", false),
        ("rsc.io/quote@v1.5.2+meta", false),
        ("@v1.5.2", false),
        ("a@b@v1.5.2", false),
        ("rsc.io/quote@v1.5.2-a@b", false),
    ] {
        assert_eq!(parse_lookup_key(key).is_some(), ok, "{key}");
    }
    assert_eq!(MAX_TILE_BYTES, 8192);
    assert!(parse_tile_path("tile/8/0/000").is_ok());
}
