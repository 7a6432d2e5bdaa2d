//! Parsing arbitrary text as a gotrust policy file never panics, and neither
//! does rendering the error snippet.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data)
        && let Err(e) = gotrust::policy::Policy::parse(s, Path::new("gotrust.toml"))
    {
        let _ = e.to_string();
        let _ = e.snippet();
    }
});
