//! GOPROXY protocol answers as `gotrust verify proxy`, `probe` and `explain` read them:
//! `@v/list` bodies through `gotrust::net::goproxy::parse_list` (after the lossy UTF-8
//! decoding `ProxyClient::list` applies) and `.info` / `@latest` bodies through
//! `parse_info`, then the canonical-version check `ProxyClient::info` makes. The first byte
//! picks the kind. Properties: the kept versions are exactly the valid, non-pseudo semver
//! first fields, sorted by semver precedence; a decoded `.info` time is RFC 3339 or go's
//! zero time.
#![no_main]

use std::cmp::Ordering;

use gomod::module::{self, semver};
use gotrust::net::goproxy::{parse_info, parse_list};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&which, body)) = data.split_first() else {
        return;
    };
    if which % 2 == 0 {
        let text = String::from_utf8_lossy(body);
        let list = parse_list(&text);
        let kept: Vec<&str> = list
            .lines
            .iter()
            .map(|l| l.version.as_str())
            .filter(|v| semver::is_valid(v) && !module::is_pseudo_version(v))
            .collect();
        assert_eq!(kept.len(), list.versions.len());
        for w in list.versions.windows(2) {
            assert_ne!(semver::compare(&w[0], &w[1]), Ordering::Greater, "{w:?}");
        }
        for l in &list.lines {
            assert!(!l.version.is_empty() && !l.version.contains(char::is_whitespace));
        }
    } else if let Ok(info) = parse_info(body) {
        let t = info.time.as_bytes();
        assert!(
            t.len() >= 20 && t[4] == b'-' && t[13] == b':',
            "{}",
            info.time
        );
        // `ProxyClient::info`'s check that a canonical version was answered for itself.
        let _ = module::canonical_version(&info.version);
        let _ = module::check("example.com/m", &info.version);
        let _ = info.origin.as_ref().map(|o| o.to_string());
    }
});
