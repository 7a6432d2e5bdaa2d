//! Checksum-database lookups as `gotrust verify` makes them, through
//! `gotrust::net::sumdb::SumdbClient::lookup` offline: the answer is parsed, its signed tree
//! note opened with the database key, merged with the stored heads (a consistency proof
//! through tiles), and the record proven included through the tiles, or taken from
//! gotrust's record pack and proven again.
//!
//! The target builds a small checksum database from the input and signs its tree heads with
//! a test key, so mutated records still reach the note and the proof; then it damages one
//! thing (the answer, a tile, the signed head, the pack) as the input says. Properties:
//! an honest database always proves the lookup (with the record the lines came from); a
//! signed head whose hash the tiles do not match, or a tree the tiles do not cover, never
//! proves; a damaged record pack is only a cache miss. Plus the plain parser's round trip.
//!
//! Input: `mode`, `fill`, `target` (2 bytes), `edit_at` (2 bytes), `edit_xor`, then record
//! texts separated by NUL (made valid record texts), then `fill * 3` filler records.
//! `mode & 7` picks the damage (0 none, 1 answer byte, 2 tile byte, 3 tile truncated,
//! 4 head claims more records, 5 head claims another hash, 6 pack record byte, 7 pack
//! replaced by the last chunk verbatim); bit 3 keeps the head in gotrust's state instead of
//! go's; bit 4 also stores an older head (size from `edit_at`), so opening proves
//! consistency; bit 5 looks up `/go.mod`; bit 6 keeps the tiles in gotrust's state.
#![no_main]

#[path = "common/sumdb_world.rs"]
mod world;

use gomod::sumdb as gsumdb;
use gomod::tlog::Tree;
use libfuzzer_sys::fuzz_target;
use world::{Log, Outcome, Scratch};

fn plain_parse(data: &[u8]) {
    if let Ok(r) = gsumdb::parse_lookup_response(data) {
        let again = gsumdb::format_lookup_response(r.id, &r.text, &r.note).unwrap();
        // The id may have been written non-canonically (`+5`, `007`).
        assert!(again.ends_with(&data[data.iter().position(|&b| b == b'\n').unwrap()..]));
        if let Ok(text) = std::str::from_utf8(&r.text) {
            let _ = gsumdb::record_lines(text, "rsc.io/quote", "v1.5.2");
        }
    }
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = gsumdb::parse_lookup_key(s);
    }
}

fuzz_target!(|data: &[u8]| {
    plain_parse(data);
    if data.len() < 7 {
        return;
    }
    let (mode, fill) = (data[0], usize::from(data[1]) * 3);
    let target = usize::from(u16::from_le_bytes([data[2], data[3]]));
    let edit_at = usize::from(u16::from_le_bytes([data[4], data[5]]));
    let edit_xor = data[6];
    let damage = mode & 7;
    let chunks: Vec<&[u8]> = data[7..].split(|&b| b == 0).take(32).collect();
    let raw_pack = (damage == 7).then(|| chunks.last().copied().unwrap_or_default());
    let mut records: Vec<Vec<u8>> = chunks
        .iter()
        .enumerate()
        .filter(|(i, c)| !c.is_empty() && !(damage == 7 && *i == chunks.len() - 1))
        .map(|(i, c)| world::record_text(c, i))
        .collect();
    records.extend((0..fill).map(|i| world::filler(i).into_bytes()));
    if records.is_empty() {
        records.push(world::filler(0).into_bytes());
    }
    let log = Log::new(records);
    let n = log.n();
    let id = target % log.records.len();
    let record = &log.records[id];
    let (path, version) = world::lookup_key(record);
    let version = if mode & 0x20 != 0 {
        format!("{version}/go.mod")
    } else {
        version
    };

    let tree = match damage {
        4 => Tree {
            n: n + 1 + i64::from(edit_xor),
            ..log.tree(n)
        },
        5 => {
            let mut t = log.tree(n);
            t.hash.0[edit_at % 32] ^= edit_xor.max(1);
            t
        }
        _ => log.tree(n),
    };
    let head = world::sign_tree(&tree);
    let s = Scratch::new();
    let (mine, go) = (s.state().join("latest"), s.go_latest());
    let (head_at, older_at) = if mode & 0x08 != 0 {
        (&mine, &go)
    } else {
        (&go, &mine)
    };
    s.write(head_at, &head);
    if mode & 0x10 != 0 {
        let older = log.tree(1 + (edit_at as i64) % n);
        s.write(older_at, &world::sign_tree(&older));
    }

    let mut answer = gsumdb::format_lookup_response(id as i64, record, &head).unwrap();
    if damage == 1 {
        let at = edit_at % answer.len();
        answer[at] ^= edit_xor;
    }
    let bare = version.strip_suffix("/go.mod").unwrap_or(&version);
    s.write(&s.go_cache().join(world::lookup_rel(&path, bare)), &answer);

    let tile_dir = if mode & 0x40 != 0 {
        s.state()
    } else {
        s.go_cache()
    };
    let mut tiles = log.tiles();
    let total: usize = tiles.iter().map(|(_, d)| d.len()).sum();
    if (damage == 2 || damage == 3) && total > 0 {
        let mut at = edit_at % total;
        for (_, d) in tiles.iter_mut() {
            if at < d.len() {
                if damage == 2 {
                    d[at] ^= edit_xor;
                } else {
                    d.truncate(at);
                }
                break;
            }
            at -= d.len();
        }
    }
    for (t, d) in &tiles {
        s.write(&tile_dir.join(t.path()), d);
    }

    if damage == 6 {
        let mut text = record.clone();
        let at = edit_at % text.len();
        text[at] ^= edit_xor;
        let mut pack = format!("{id} {}\n", text.len()).into_bytes();
        pack.extend_from_slice(&text);
        s.write(&s.state().join("records"), &pack);
    }
    if let Some(raw) = raw_pack {
        s.write(&s.state().join("records"), raw);
    }

    let lookups = [(path.clone(), version.clone())];
    match world::run_offline(&s, &lookups) {
        Outcome::Open(e) => {
            assert!(
                matches!(damage, 4 | 5) && mode & 0x10 != 0 || damage == 2 || damage == 3,
                "an honest database failed to open (mode {mode:#x}): {e}"
            );
        }
        Outcome::Lookups(results) => {
            let r = &results[0];
            match damage {
                0 | 6 | 7 => {
                    let l = r.as_ref().unwrap_or_else(|e| {
                        panic!("an honest lookup of {path}@{version} failed (mode {mode:#x}): {e}")
                    });
                    assert_eq!(l.tree_size, n);
                    let proven = &log.records[usize::try_from(l.record_id).unwrap()];
                    let text = String::from_utf8_lossy(proven);
                    assert_eq!(l.lines, gsumdb::record_lines(&text, &path, &version));
                    assert_eq!(world::lookup_key(proven).0, path);
                }
                4 | 5 => assert!(
                    r.is_err(),
                    "a head the tiles do not match proved {path}@{version}"
                ),
                _ => {}
            }
        }
    }
});
