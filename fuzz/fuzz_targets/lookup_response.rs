//! Parsing arbitrary `/lookup` responses never panics, and the pieces of a
//! parsed response re-format to the same bytes.
#![no_main]

use gomod::sumdb;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(r) = sumdb::parse_lookup_response(data) {
        let again = sumdb::format_lookup_response(r.id, &r.text, &r.note).unwrap();
        // The id may have been written non-canonically (`+5`, `007`).
        assert!(again.ends_with(&data[data.iter().position(|&b| b == b'\n').unwrap()..]));
        if let Ok(text) = std::str::from_utf8(&r.text) {
            let _ = sumdb::record_lines(text, "rsc.io/quote", "v1.5.2");
        }
    }
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = sumdb::parse_lookup_key(s);
    }
});
