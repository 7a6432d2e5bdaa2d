//! Credentials attached to https requests: GOAUTH=netrc, and URL redaction.
//!
//! Mirrors `cmd/go/internal/auth` (auth.go/userauth.go prefix lookup, Go 1.24+): netrc entries
//! (parsed by [`crate::settings::netrc`]) are keyed by machine name; a request
//! `https://host[:port]/a/b` is looked up as `host[:port]/a/b`, `host[:port]/a`,
//! `host[:port]`, so a port-less `machine` does not match a URL with an explicit port
//! (golang/go#81253). Only https requests get credentials.

use url::Url;

use crate::settings::netrc::{Netrc, NetrcEntry};

/// The entry go would attach to a request for `url` (https only), by prefix lookup; the
/// first entry for a machine wins.
pub fn netrc_lookup<'a>(netrc: &'a Netrc, url: &Url) -> Option<&'a NetrcEntry> {
    if url.scheme() != "https" {
        return None;
    }
    let host = url.host_str()?;
    let mut key = match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_string(),
    };
    key.push_str(url.path().trim_end_matches('/'));
    loop {
        if let Some(e) = netrc.lookup(&key) {
            return Some(e);
        }
        match key.rfind('/') {
            Some(i) => key.truncate(i),
            None => return None,
        }
    }
}

/// The old name of [`crate::redact::redact_url`], kept so callers written against it compile.
#[doc(hidden)]
pub use crate::redact::redact_url as redact;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_by_prefix_https_only_port_sensitive() {
        let n = Netrc::parse(
            "machine host.example login a password 1\nmachine host.example login b password 2\nmachine other.example:8443 login c password 3\n",
        );
        let u = |s: &str| Url::parse(s).unwrap();
        let login = |s: &str| netrc_lookup(&n, &u(s)).map(|e| e.login.clone());
        assert_eq!(
            login("https://host.example/x/y").as_deref(),
            Some("a"),
            "first wins"
        );
        assert_eq!(login("http://host.example/x"), None, "never over http");
        assert_eq!(
            login("https://host.example:8443/x"),
            None,
            "golang/go#81253"
        );
        assert_eq!(login("https://other.example:8443/p").as_deref(), Some("c"));
        assert_eq!(login("https://sub.host.example/"), None);
    }
}
