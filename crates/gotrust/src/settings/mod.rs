//! Parsed settings: effective values of [`crate::env::GoEnv`] turned into typed
//! configurations, with errors carrying the go command's exact texts.
//!
//! Each submodule mirrors the Go code that consumes the variable; see their docs.
//! [`Settings::from_env`] parses them all at once, wrapping each error in a
//! [`SettingError`] that names the variable, its value and where it was set (file and line).

pub mod git;
pub mod goauth;
pub mod goflags;
pub mod govcs;
pub mod httpproxy;
pub mod netip;
pub mod netrc;
pub mod proxy;
pub mod sumdb;
pub mod tls;
pub mod url;

use std::path::PathBuf;

use crate::env::{EnvSources, GoEnv, Origin};
use crate::redact::redact_text;

/// A setting that go would reject, with where it came from. `Display` redacts credentials
/// that go's own error text would repeat; `source` keeps go's exact text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {var} ({origin}): {}", redact_text(&source.to_string()))]
pub struct SettingError<E: std::error::Error + 'static> {
    /// The variable.
    pub var: &'static str,
    /// Its effective value, credentials redacted.
    pub value: String,
    /// Where the value was set.
    pub origin: Origin,
    /// The parse error, with go's text.
    #[source]
    pub source: E,
}

/// Every parsed setting of an environment.
#[derive(Debug, Clone)]
pub struct Settings {
    /// GOPROXY (with GONOPROXY deciding the implicit `noproxy` entry).
    pub proxy: Result<proxy::ProxyList, SettingError<proxy::ProxyError>>,
    /// GOSUMDB.
    pub sumdb: Result<sumdb::SumDb, SettingError<sumdb::SumDbError>>,
    /// GOFLAGS.
    pub goflags: Result<goflags::GoFlags, SettingError<goflags::GoFlagsError>>,
    /// GOVCS.
    pub govcs: Result<govcs::Govcs, SettingError<govcs::GovcsError>>,
    /// GOAUTH.
    pub goauth: Result<goauth::GoAuth, SettingError<goauth::GoAuthError>>,
    /// HTTP(S)_PROXY / NO_PROXY.
    pub http_proxy: httpproxy::HttpProxyConfig,
    /// TLS roots.
    pub tls: tls::TlsRoots,
    /// The .netrc path GOAUTH=netrc reads, or go's error text when the home is unknown.
    pub netrc_path: Result<PathBuf, String>,
}

fn wrap<T, E: std::error::Error + 'static>(
    env: &GoEnv,
    var: &'static str,
    r: Result<T, E>,
) -> Result<T, SettingError<E>> {
    r.map_err(|source| {
        let s = env.get(var);
        SettingError {
            var,
            value: redact_text(env.value(var)),
            origin: s.map_or(Origin::Default, |s| s.origin.clone()),
            source,
        }
    })
}

impl Settings {
    /// Parses all settings of `env` (`src` supplies variables outside [`GoEnv`], such as
    /// `REQUEST_METHOD`, and the GOOS).
    pub fn from_env(env: &GoEnv, src: &EnvSources) -> Settings {
        let get = |k: &str| src.process.get(k).cloned().unwrap_or_default();
        Settings {
            proxy: wrap(
                env,
                "GOPROXY",
                proxy::ProxyList::parse(env.value("GOPROXY"), env.value("GONOPROXY")),
            ),
            sumdb: wrap(env, "GOSUMDB", sumdb::SumDb::parse(env.value("GOSUMDB"))),
            goflags: wrap(
                env,
                "GOFLAGS",
                goflags::GoFlags::parse(env.value("GOFLAGS")),
            ),
            govcs: wrap(env, "GOVCS", govcs::Govcs::parse(env.value("GOVCS"))),
            goauth: wrap(env, "GOAUTH", goauth::GoAuth::parse(env.value("GOAUTH"))),
            http_proxy: httpproxy::HttpProxyConfig::new(httpproxy::HttpProxyVars::from_vars(get)),
            tls: tls::TlsRoots::from_vars(
                &src.goos,
                env.value("SSL_CERT_FILE"),
                env.value("SSL_CERT_DIR"),
            ),
            netrc_path: netrc::netrc_path(&src.goos, get),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("env");
        std::fs::write(
            &f,
            "# x\nGOPROXY=\"https://u:pw@corp.example\"\nGOSUMDB=sum.golang.org+insecure\nGOFLAGS=-bogus\n",
        )
        .unwrap();
        let mut src = EnvSources::with_process([("GOENV", f.to_str().unwrap()), ("HOME", "/h")]);
        src.goos = "linux".into();
        let env = crate::env::resolve(&src);
        let s = Settings::from_env(&env, &src);
        let e = s.proxy.unwrap_err();
        assert_eq!(
            e.origin,
            Origin::UserFile {
                path: f.clone(),
                line: 2
            }
        );
        assert_eq!(
            e.to_string(),
            format!(
                "invalid GOPROXY (user go env file {}:2): parse \"\\\"https://xxxxx:xxxxx@corp.example\\\"\": first path segment in URL cannot contain colon",
                f.display()
            )
        );
        let e = s.sumdb.unwrap_err();
        assert_eq!(e.origin.location().unwrap().1, 3);
        assert_eq!(
            e.source.to_string(),
            "invalid GOSUMDB: malformed verifier id"
        );
        assert_eq!(s.goflags.unwrap_err().origin.location().unwrap().1, 4);
        assert!(s.goauth.unwrap().uses_netrc());
        assert_eq!(s.netrc_path, Ok(PathBuf::from("/h/.netrc")));
    }

    /// Arbitrary input never panics any parser (slicing at byte offsets is the risk).
    #[test]
    fn parsers_never_panic() {
        let alphabet: Vec<char> = "ab:/.%@[]|,;=#?* \t\r\n'\"-+0189AFxyzéŁ中\u{0}\u{7f}\\"
            .chars()
            .collect();
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..20_000 {
            let len = (next() % 24) as usize;
            let s: String = (0..len)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect();
            let _ = url::GoUrl::parse(&s).map(|u| (u.to_go_string(), u.redacted(), u.go_dump()));
            let _ = proxy::ProxyList::parse(&s, &s);
            let _ = sumdb::SumDb::parse(&s);
            let _ = goflags::GoFlags::parse(&s).map(|f| (f.mod_mode(), f.modcacherw()));
            let _ = govcs::Govcs::parse(&s);
            let _ = goauth::GoAuth::parse(&s);
            let _ = netrc::Netrc::parse(&s);
            let np = httpproxy::NoProxy::parse(&s);
            let _ = np.matches(&s, &s);
            let _ = httpproxy::parse_proxy(&s);
            let _ = httpproxy::hostname_port(&s);
            let _ = git::parse_git_config(std::path::Path::new("/c"), git::GitScope::Global, &s);
            let _ = redact_text(&s);
            let _ = netip::parse_addr(&s);
            let _ = crate::env::EnvFile::parse("/f", crate::env::EnvFileKind::User, s.as_bytes());
        }
    }
}
