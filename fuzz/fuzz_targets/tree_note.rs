//! Parsing arbitrary tree note texts and records never panics; what parses
//! formats back to the canonical text; arbitrary proofs are checked safely.
#![no_main]

use gomod::tlog::{self, Hash};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(tree) = tlog::parse_tree(data) {
        assert_eq!(tlog::parse_tree(&tlog::format_tree(&tree)).unwrap(), tree);
    }
    if let Ok((id, text, _rest)) = tlog::parse_record(data) {
        let f = tlog::format_record(id, text).unwrap();
        assert_eq!(tlog::parse_record(&f).unwrap().1, text);
    }
    // Proofs from fuzz data against sizes from fuzz data.
    if data.len() >= 16 {
        let t = i64::from_le_bytes(data[0..8].try_into().unwrap());
        let n = i64::from_le_bytes(data[8..16].try_into().unwrap());
        let proof: Vec<Hash> = data[16..]
            .chunks_exact(32)
            .map(|c| Hash(c.try_into().unwrap()))
            .collect();
        let z = Hash::default();
        let _ = tlog::check_record(&proof, t, z, n, z);
        let _ = tlog::check_tree(&proof, t, z, n, z);
    }
});
