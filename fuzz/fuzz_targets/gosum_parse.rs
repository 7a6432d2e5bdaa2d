//! Parsing arbitrary bytes as a go.sum file never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = gomod::gosum::parse("go.sum", data);
});
