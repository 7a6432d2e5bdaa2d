//! Checking and hashing arbitrary bytes as a module zip never panics, and a
//! zip that passes the check hashes to the same value as dirhash computes.
#![no_main]

use std::io::Cursor;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let checked = gomod::modzip::check_and_hash_zip(&mut Cursor::new(data), "example.com/m", "v1.0.0");
    let hashed = gomod::dirhash::hash_zip(&mut Cursor::new(data));
    if let Ok((_, h)) = &checked {
        assert_eq!(hashed.as_ref().ok(), Some(h));
    }
});
