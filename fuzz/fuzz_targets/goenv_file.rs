//! Parsing arbitrary bytes as a go env file (user file and $GOROOT/go.env)
//! never panics.
#![no_main]

use gotrust::env::{EnvFile, EnvFileKind};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = EnvFile::parse("env", EnvFileKind::User, data);
    let _ = EnvFile::parse("go.env", EnvFileKind::Goroot, data);
});
