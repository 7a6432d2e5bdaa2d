//! Every parser of a Go setting that a scanned file, a go env file or the environment can
//! reach (GOPROXY with GONOPROXY, GOSUMDB and its key, GOFLAGS, GOVCS, GOAUTH, URLs,
//! HTTP(S)_PROXY, NO_PROXY, IP addresses, GOPRIVATE-style glob lists) never panics on
//! arbitrary text. The first byte picks the parser, the rest is the value (split at the first NUL for two-value parsers).
#![no_main]

use gotrust::settings::{goauth, goflags, govcs, httpproxy, netip, proxy, sumdb, url};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let Ok(s) = std::str::from_utf8(rest) else {
        return;
    };
    let (a, b) = s.split_once('\0').unwrap_or((s, ""));
    match which % 11 {
        0 => {
            let _ = proxy::ProxyList::parse(a, b);
        }
        1 => {
            let _ = sumdb::SumDb::parse(s);
        }
        2 => {
            let _ = sumdb::VerifierKey::parse(s);
        }
        3 => {
            let _ = goflags::GoFlags::parse(s);
        }
        4 => {
            let _ = govcs::Govcs::parse(s);
        }
        5 => {
            let _ = goauth::GoAuth::parse(s);
        }
        6 => {
            if let Ok(u) = url::GoUrl::parse(s) {
                let _ = (u.to_go_string(), u.redacted());
            }
        }
        7 => {
            let _ = httpproxy::parse_proxy(s);
        }
        8 => {
            let _ = httpproxy::NoProxy::parse(s);
        }
        9 => {
            let _ = netip::parse_addr(s);
        }
        _ => {
            // GOPRIVATE / GONOPROXY / GONOSUMDB / GOINSECURE glob lists against a module path.
            let _ = gomod::pattern::match_prefix_patterns(a, b);
            for g in a.split(',') {
                let _ = gomod::pattern::validate(g);
            }
        }
    }
    // Whatever the value, redaction and terminal escaping never panic.
    let _ = gotrust::redact::redact_text(s);
    let _ = gotrust::redact::escape_controls_bytes(rest);
});
