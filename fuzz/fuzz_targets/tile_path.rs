//! Parsing arbitrary tile paths never panics and accepts only canonical
//! paths; any parsed or index-derived tile round-trips through its path.
#![no_main]

use gomod::tlog;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        if let Ok(t) = tlog::parse_tile_path(s) {
            assert_eq!(t.path(), s);
        }
    }
    if data.len() >= 9 {
        let h = u32::from(data[0] % 32);
        let index = i64::from_le_bytes(data[1..9].try_into().unwrap());
        if let Ok(t) = tlog::tile_for_index(h, index) {
            assert_eq!(tlog::parse_tile_path(&t.path()).unwrap(), t);
            // Tile data of the wrong length is an error, not a panic.
            let _ = tlog::hash_from_tile(&t, &data[9..], index);
        }
        let _ = tlog::split_stored_hash_index(index);
        let _ = tlog::stored_hash_index(u32::from(data[0]), index);
        let _ = tlog::stored_hash_count(index);
    }
});
