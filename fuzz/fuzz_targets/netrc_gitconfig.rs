//! `.netrc` and git configuration files are parsed without panicking, and a netrc lookup
//! for any URL is safe. The first byte picks the file kind.
#![no_main]

use std::path::Path;

use gotrust::settings::git::{GitScope, parse_git_config};
use gotrust::settings::netrc::Netrc;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    if which % 2 == 0 {
        let n = Netrc::parse(&text);
        for e in &n.entries {
            if let Ok(u) = url::Url::parse(&format!("https://{}/x/y", e.machine)) {
                let _ = gotrust::net::auth::netrc_lookup(&n, &u);
            }
        }
        let _ = n.shadowed();
    } else {
        let _ = parse_git_config(Path::new("config"), GitScope::Global, &text);
    }
});
