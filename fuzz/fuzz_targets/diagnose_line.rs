//! Parsing arbitrary go command output for diagnosis never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = gotrust::diagnose::parse_str(&String::from_utf8_lossy(data));
    let _: Vec<_> = gotrust::diagnose::LogParser::new(data).collect();
});
