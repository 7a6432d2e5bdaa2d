//! Checking and hashing arbitrary bytes as a module zip never panics, and a
//! zip that passes the check hashes to the same value as dirhash computes.
//!
//! The module path and version are taken from the first `path@version/` the
//! input names, so seeds made from real module zips (`fuzz/seed.sh`) pass the
//! prefix checks and the fuzzer reaches the checker's logic beyond them.
#![no_main]

use std::io::Cursor;

use libfuzzer_sys::fuzz_target;

/// The first `PATH@VERSION/` in the input (what a module zip's entries start with).
fn module_prefix(data: &[u8]) -> Option<(String, String)> {
    let at = data.windows(2).position(|w| w == b"@v")?;
    let is_path = |b: u8| b.is_ascii_alphanumeric() || b"./_~-".contains(&b);
    let start = data[..at]
        .iter()
        .rposition(|&b| !is_path(b))
        .map_or(0, |i| i + 1);
    let end = data[at..].iter().position(|&b| b == b'/').map(|i| at + i)?;
    let path = std::str::from_utf8(&data[start..at]).ok()?;
    let version = std::str::from_utf8(&data[at + 1..end]).ok()?;
    Some((path.to_string(), version.to_string()))
}

fuzz_target!(|data: &[u8]| {
    let (path, version) =
        module_prefix(data).unwrap_or_else(|| ("example.com/m".to_string(), "v1.0.0".to_string()));
    let checked = gomod::modzip::check_and_hash_zip(&mut Cursor::new(data), &path, &version);
    let hashed = gomod::dirhash::hash_zip(&mut Cursor::new(data));
    if let Ok((_, h)) = &checked {
        assert_eq!(hashed.as_ref().ok(), Some(h));
    }
});
