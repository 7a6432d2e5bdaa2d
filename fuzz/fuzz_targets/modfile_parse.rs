//! Parsing arbitrary bytes as go.mod (strict and lax) and go.work never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let strict = gomod::modfile::parse("go.mod", data);
    let lax = gomod::modfile::parse_lax("go.mod", data);
    // Lax parsing accepts a superset of what strict parsing accepts.
    if strict.is_ok() {
        assert!(lax.is_ok());
    }
    let _ = gomod::modfile::parse_work("go.work", data);
});
