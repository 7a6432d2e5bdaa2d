//! gotrust's record pack (`⟨state⟩/records`, read by `RecordPack::open` when a
//! `SumdbClient` opens) on hostile bytes, reached as `gotrust verify sums` reaches it: an
//! offline client over an honest, signed test database whose pack file is the input.
//! Property: whatever the pack holds (truncated entries, wrong ids, forged texts, binary
//! junk), every lookup the database can answer is still proven, with the database's own
//! record: the pack is a cache, never a trust anchor.
//!
//! Input: `mode`, `fill` (records = `fill * 3 + 6`), then the pack bytes. `mode & 3`: 0 the
//! input is the pack, 1 a valid pack of the first records then the input, 2 the input then
//! a valid pack, 3 a valid pack whose ids are shifted by `mode >> 2`.
#![no_main]

#[path = "common/sumdb_world.rs"]
mod world;

use gomod::sumdb as gsumdb;
use libfuzzer_sys::fuzz_target;
use world::{Log, Outcome, Scratch};

fn valid_pack(log: &Log, shift: i64) -> Vec<u8> {
    let mut out = Vec::new();
    for (id, r) in log.records.iter().enumerate().take(6) {
        out.extend_from_slice(format!("{} {}\n", id as i64 + shift, r.len()).as_bytes());
        out.extend_from_slice(r);
    }
    out
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let (mode, fill) = (data[0], usize::from(data[1]) * 3 + 6);
    let input = &data[2..];
    let log = Log::new((0..fill).map(|i| world::filler(i).into_bytes()).collect());
    let n = log.n();
    let pack = match mode & 3 {
        0 => input.to_vec(),
        1 => [valid_pack(&log, 0), input.to_vec()].concat(),
        2 => [input.to_vec(), valid_pack(&log, 0)].concat(),
        _ => [valid_pack(&log, i64::from(mode >> 2)), input.to_vec()].concat(),
    };
    let head = world::sign_tree(&log.tree(n));
    let s = Scratch::new();
    s.write(&s.state().join("latest"), &head);
    s.write(&s.state().join("records"), &pack);
    for (t, d) in log.tiles() {
        s.write(&s.go_cache().join(t.path()), &d);
    }
    let ids: Vec<usize> = [0, 1, 2, 5, fill - 1].into_iter().collect();
    let mut lookups = Vec::new();
    for &id in &ids {
        let r = &log.records[id];
        let (path, version) = world::lookup_key(r);
        let answer = gsumdb::format_lookup_response(id as i64, r, &head).unwrap();
        s.write(
            &s.go_cache().join(world::lookup_rel(&path, &version)),
            &answer,
        );
        lookups.push((path, version));
    }
    lookups.push(("example.com/fill/m1".into(), "v1.0.1/go.mod".into()));
    let Outcome::Lookups(results) = world::run_offline(&s, &lookups) else {
        panic!("an honest database with a hostile pack failed to open");
    };
    for ((path, version), r) in lookups.iter().zip(&results) {
        let l = r
            .as_ref()
            .unwrap_or_else(|e| panic!("{path}@{version} not proven with a hostile pack: {e}"));
        assert_eq!(l.tree_size, n);
        let proven = String::from_utf8_lossy(&log.records[l.record_id as usize]).into_owned();
        assert_eq!(l.lines, gsumdb::record_lines(&proven, path, version));
        assert!(!l.lines.is_empty(), "{path}@{version}");
    }
});
