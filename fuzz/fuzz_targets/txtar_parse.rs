//! Parsing arbitrary bytes as a txtar archive never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = gotrust_lab::txtar::parse(data);
});
