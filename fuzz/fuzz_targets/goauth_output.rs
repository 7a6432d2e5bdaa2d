//! The text a GOAUTH command prints (`parseUserAuth`: URL lines, a blank line, header lines)
//! and the text `git credential fill` prints (`parseGitAuth`), as `net::auth` reads them
//! before any request: never a panic on any bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = gotrust::net::auth::parse_user_auth(&text);
    let _ = gotrust::net::auth::parse_git_auth(&text);
});
