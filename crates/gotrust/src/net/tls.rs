//! TLS settings: which roots are trusted, and what the server presented.
//!
//! Roots follow Go's `crypto/x509` on Linux (`root_unix.go`): `SSL_CERT_FILE` replaces the
//! default bundle list, `SSL_CERT_DIR` the default directories, otherwise the system bundle
//! (found by `rustls-native-certs`, which applies the same two variables). An explicit CA file
//! (`--ca-file`) replaces all of them and must contain at least one usable certificate.
//! One crypto provider everywhere: `ring` (the lab's rcgen/tokio-rustls use it too).
//!
//! reqwest only exposes the leaf certificate of a connection, so the verifier is wrapped to
//! remember every chain it is shown, keyed by the leaf (and, for handshakes that fail
//! verification, by server name); a response's record then carries the whole chain the server
//! sent, and a failed handshake still shows what was presented. The negotiated protocol version
//! is taken from which handshake signature (TLS 1.2 or 1.3) the verifier is asked to check.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, RootCertStore, SignatureScheme};
use rustls_pki_types::pem::PemObject;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::settings::tls::TlsRoots;

/// Where trusted roots come from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum RootSource {
    /// Like Go on Linux: `SSL_CERT_FILE` / `SSL_CERT_DIR`, else the system bundle.
    #[default]
    System,
    /// Only the certificates in this PEM file (`--ca-file`).
    CaFile(PathBuf),
    /// Exactly the files Go would load ([`TlsRoots`], from the effective GOOS,
    /// `SSL_CERT_FILE` and `SSL_CERT_DIR`); the platform store where Go uses the OS verifier.
    Go(TlsRoots),
}

/// Failure to set up TLS.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsSetupError {
    /// The explicit CA file could not be read or parsed.
    #[error("reading CA file {path}: {detail}")]
    CaFile {
        /// The file.
        path: PathBuf,
        /// What failed.
        detail: String,
    },
    /// No usable root certificate was found.
    #[error("no usable root certificates ({detail})")]
    NoRoots {
        /// Where we looked and what failed.
        detail: String,
    },
    /// rustls refused the configuration.
    #[error("TLS configuration: {0}")]
    Rustls(String),
}

/// The roots actually loaded, for the report.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RootsReport {
    /// `system`, `SSL_CERT_FILE`/`SSL_CERT_DIR` or `ca-file`.
    pub source: String,
    /// Number of trust anchors loaded.
    pub loaded: usize,
    /// Certificates found but unusable as anchors.
    pub ignored: usize,
    /// Non-fatal load errors (unreadable files in the bundle directories).
    pub warnings: Vec<String>,
    /// The files certificates were read from (for Go's locations).
    pub files: Vec<PathBuf>,
}

/// Loads the trust anchors for `source`.
pub fn load_roots(source: &RootSource) -> Result<(RootCertStore, RootsReport), TlsSetupError> {
    let mut store = RootCertStore::empty();
    let mut report = RootsReport::default();
    match source {
        RootSource::CaFile(path) => {
            let certs = read_pem_file(path).map_err(|detail| TlsSetupError::CaFile {
                path: path.clone(),
                detail,
            })?;
            let (added, ignored) = store.add_parsable_certificates(certs);
            report.source = "ca-file".into();
            report.loaded = added;
            report.ignored = ignored;
            if added == 0 {
                return Err(TlsSetupError::CaFile {
                    path: path.clone(),
                    detail: "no usable certificate in file".into(),
                });
            }
        }
        RootSource::Go(TlsRoots::Files { files, dirs, .. }) => {
            report.source = "go".into();
            let mut certs = Vec::new();
            // crypto/x509 root_unix.go: the first readable bundle file, then every file of
            // every directory; unreadable entries are skipped.
            if let Some(f) = files
                .iter()
                .find(|f| f.is_file() && std::fs::File::open(f).is_ok())
            {
                match read_pem_file(f) {
                    Ok(c) => {
                        certs.extend(c);
                        report.files.push(f.clone());
                    }
                    Err(e) => report.warnings.push(format!("{}: {e}", f.display())),
                }
            }
            for d in dirs {
                let Ok(entries) = std::fs::read_dir(d) else {
                    continue;
                };
                let mut names: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
                names.sort();
                for p in names.into_iter().filter(|p| p.is_file()) {
                    if let Ok(c) = read_pem_file(&p)
                        && !c.is_empty()
                    {
                        certs.extend(c);
                        report.files.push(p);
                    }
                }
            }
            let (added, ignored) = store.add_parsable_certificates(certs);
            report.loaded = added;
            report.ignored = ignored;
            if added == 0 {
                return Err(TlsSetupError::NoRoots {
                    detail: "x509: failed to load system roots and no roots provided".into(),
                });
            }
        }
        RootSource::System | RootSource::Go(_) => {
            let env_set = ["SSL_CERT_FILE", "SSL_CERT_DIR"]
                .iter()
                .any(|v| std::env::var_os(v).is_some_and(|x| !x.is_empty()));
            let res = rustls_native_certs::load_native_certs();
            report.warnings = res.errors.iter().map(|e| e.to_string()).collect();
            let (added, ignored) = store.add_parsable_certificates(res.certs);
            report.source = if env_set {
                "SSL_CERT_FILE/SSL_CERT_DIR"
            } else {
                "system"
            }
            .into();
            report.loaded = added;
            report.ignored = ignored;
            if added == 0 {
                // Go: "x509: failed to load system roots and no roots provided".
                return Err(TlsSetupError::NoRoots {
                    detail: if report.warnings.is_empty() {
                        "x509: failed to load system roots and no roots provided".into()
                    } else {
                        report.warnings.join("; ")
                    },
                });
            }
        }
    }
    Ok((store, report))
}

fn read_pem_file(path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let iter = CertificateDer::pem_file_iter(path).map_err(|e| e.to_string())?;
    iter.collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())
}

/// One certificate as shown in reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertSummary {
    /// Subject distinguished name (RFC 4514).
    pub subject: String,
    /// Issuer distinguished name (RFC 4514).
    pub issuer: String,
    /// Start of validity (RFC 2822-like text from the certificate).
    pub not_before: String,
    /// End of validity.
    pub not_after: String,
    /// End of validity as Unix seconds.
    pub not_after_unix: i64,
    /// DNS names and IP addresses from the subjectAltName extension.
    pub sans: Vec<String>,
    /// Serial number, hex.
    pub serial: String,
    /// SHA-256 of the DER encoding, hex.
    pub sha256: String,
}

/// Summarizes a DER certificate; `None` if it does not parse.
pub fn summarize(der: &[u8]) -> Option<CertSummary> {
    use x509_parser::prelude::*;
    let (_, cert) = X509Certificate::from_der(der).ok()?;
    let mut sans = Vec::new();
    if let Ok(Some(ext)) = cert.subject_alternative_name() {
        for name in &ext.value.general_names {
            match name {
                GeneralName::DNSName(d) => sans.push((*d).to_string()),
                GeneralName::IPAddress(b) => match b.len() {
                    4 => sans
                        .push(std::net::Ipv4Addr::from(<[u8; 4]>::try_from(*b).ok()?).to_string()),
                    16 => sans
                        .push(std::net::Ipv6Addr::from(<[u8; 16]>::try_from(*b).ok()?).to_string()),
                    _ => {}
                },
                GeneralName::URI(u) => sans.push((*u).to_string()),
                _ => {}
            }
        }
    }
    Some(CertSummary {
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        not_before: cert.validity().not_before.to_string(),
        not_after: cert.validity().not_after.to_string(),
        not_after_unix: cert.validity().not_after.timestamp(),
        sans,
        serial: cert.raw_serial_as_string().replace(':', ""),
        sha256: hex::encode(Sha256::digest(der)),
    })
}

type Chain = Vec<CertificateDer<'static>>;

/// Remembers the chains servers presented (bounded, so a long run cannot grow it forever).
#[derive(Debug, Default)]
pub(crate) struct ChainLog {
    by_leaf: Mutex<HashMap<[u8; 32], Chain>>,
    failed_by_name: Mutex<HashMap<String, Chain>>,
    /// Protocol version of the handshakes a leaf signed, keyed like `by_leaf`.
    versions: Mutex<HashMap<[u8; 32], TlsVersion>>,
    /// Summaries already made, keyed like `by_leaf`: every response on a connection names
    /// the same chain, and parsing it again for each of thousands of requests showed.
    summaries: Mutex<HashMap<[u8; 32], Vec<CertSummary>>>,
}

/// A negotiated TLS protocol version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum TlsVersion {
    /// TLS 1.2.
    #[serde(rename = "TLSv1.2")]
    Tls12,
    /// TLS 1.3.
    #[serde(rename = "TLSv1.3")]
    Tls13,
}

impl TlsVersion {
    /// `TLSv1.2` or `TLSv1.3`.
    pub fn as_str(self) -> &'static str {
        match self {
            TlsVersion::Tls12 => "TLSv1.2",
            TlsVersion::Tls13 => "TLSv1.3",
        }
    }
}

impl std::fmt::Display for TlsVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

const CHAIN_LOG_MAX: usize = 4096;

impl ChainLog {
    /// The chain whose leaf is `leaf`, or just the leaf.
    pub(crate) fn chain_for_leaf(&self, leaf: &[u8]) -> Vec<CertSummary> {
        let key: [u8; 32] = Sha256::digest(leaf).into();
        if let Some(s) = self
            .summaries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
        {
            return s.clone();
        }
        let (summary, logged) = {
            let map = self.by_leaf.lock().unwrap_or_else(|e| e.into_inner());
            match map.get(&key) {
                Some(chain) => (
                    chain
                        .iter()
                        .filter_map(|c| summarize(c))
                        .collect::<Vec<_>>(),
                    true,
                ),
                None => (summarize(leaf).into_iter().collect(), false),
            }
        };
        // Only a chain seen in a handshake is kept: a leaf alone may be followed by its
        // full chain once the handshake is logged.
        if logged {
            let mut m = self.summaries.lock().unwrap_or_else(|e| e.into_inner());
            if m.len() >= CHAIN_LOG_MAX {
                m.clear();
            }
            m.insert(key, summary.clone());
        }
        summary
    }

    /// The protocol version of the last full handshake in which `leaf` signed.
    pub(crate) fn version_for_leaf(&self, leaf: &[u8]) -> Option<TlsVersion> {
        let key: [u8; 32] = Sha256::digest(leaf).into();
        let map = self.versions.lock().unwrap_or_else(|e| e.into_inner());
        map.get(&key).copied()
    }

    fn note_version(&self, leaf: &[u8], v: TlsVersion) {
        let mut map = self.versions.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= CHAIN_LOG_MAX {
            map.clear();
        }
        map.insert(Sha256::digest(leaf).into(), v);
    }

    /// The chain a server named `host` presented in a failed handshake.
    pub(crate) fn failed_chain(&self, host: &str) -> Vec<CertSummary> {
        let map = self
            .failed_by_name
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        map.get(host)
            .map(|chain| chain.iter().filter_map(|c| summarize(c)).collect())
            .unwrap_or_default()
    }
}

/// A webpki verifier that records what it sees.
#[derive(Debug)]
pub(crate) struct RecordingVerifier {
    roots: Arc<LazyRoots>,
    provider: Arc<rustls::crypto::CryptoProvider>,
    pub(crate) log: Arc<ChainLog>,
}

/// Trust anchors loaded on first use, as crypto/x509 loads the system roots once, on the
/// first verification (`root_unix.go`, behind a `sync.Once`): a run that makes no https
/// request never reads the bundle and its directories (hundreds of files on Debian).
/// An explicit `--ca-file` is loaded at once, so that a bad file fails before any request.
#[derive(Debug)]
pub(crate) struct LazyRoots {
    source: RootSource,
    provider: Arc<rustls::crypto::CryptoProvider>,
    loaded: std::sync::OnceLock<LoadedRoots>,
}

type LoadedRoots = Result<(Arc<WebPkiServerVerifier>, RootsReport), String>;

impl LazyRoots {
    fn get(&self) -> &LoadedRoots {
        self.loaded.get_or_init(|| {
            let (roots, report) = load_roots(&self.source).map_err(|e| e.to_string())?;
            let v =
                WebPkiServerVerifier::builder_with_provider(Arc::new(roots), self.provider.clone())
                    .build()
                    .map_err(|e| e.to_string())?;
            Ok((v, report))
        })
    }

    /// The anchors loaded (loading them now if no request has yet).
    pub(crate) fn report(&self) -> RootsReport {
        match self.get() {
            Ok((_, r)) => r.clone(),
            Err(e) => RootsReport {
                warnings: vec![e.clone()],
                ..RootsReport::default()
            },
        }
    }
}

impl ServerCertVerifier for RecordingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let chain: Chain = std::iter::once(end_entity)
            .chain(intermediates)
            .map(|c| c.clone().into_owned())
            .collect();
        let res = match self.roots.get() {
            Ok((v, _)) => {
                v.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
            }
            Err(e) => Err(rustls::Error::General(e.clone())),
        };
        if res.is_ok() {
            let mut map = self.log.by_leaf.lock().unwrap_or_else(|e| e.into_inner());
            if map.len() >= CHAIN_LOG_MAX {
                map.clear();
            }
            map.insert(Sha256::digest(end_entity.as_ref()).into(), chain);
        } else {
            let mut map = self
                .log
                .failed_by_name
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            if map.len() >= CHAIN_LOG_MAX {
                map.clear();
            }
            map.insert(server_name.to_str().into_owned(), chain);
        }
        res
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        // rustls asks for exactly one of the two signature checks per full handshake (1.2:
        // ServerKeyExchange, 1.3: CertificateVerify): the only place the negotiated version is
        // visible through reqwest.
        let res = rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        );
        if res.is_ok() {
            self.log.note_version(cert, TlsVersion::Tls12);
        }
        res
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let res = rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        );
        if res.is_ok() {
            self.log.note_version(cert, TlsVersion::Tls13);
        }
        res
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// Builds the rustls client configuration (ring provider, recording verifier, h2 + http/1.1).
pub(crate) fn client_config(
    source: &RootSource,
) -> Result<(rustls::ClientConfig, Arc<ChainLog>, Arc<LazyRoots>), TlsSetupError> {
    // Installing the process default keeps any other rustls user in the process (the lab, a
    // test server) from panicking over an ambiguous provider; an existing default is fine.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let roots = Arc::new(LazyRoots {
        source: source.clone(),
        provider: provider.clone(),
        loaded: std::sync::OnceLock::new(),
    });
    if matches!(source, RootSource::CaFile(_)) {
        let (store, report) = load_roots(source)?;
        let v = WebPkiServerVerifier::builder_with_provider(Arc::new(store), provider.clone())
            .build()
            .map_err(|e| TlsSetupError::Rustls(e.to_string()))?;
        let _ = roots.loaded.set(Ok((v, report)));
    }
    let log = Arc::new(ChainLog::default());
    let verifier = Arc::new(RecordingVerifier {
        roots: roots.clone(),
        provider: provider.clone(),
        log: log.clone(),
    });
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsSetupError::Rustls(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok((config, log, roots))
}

/// The text go prints for the same certificate failure, where there is a clear equivalent.
pub(crate) fn go_text_for(err: &rustls::Error, host: &str) -> Option<String> {
    use rustls::CertificateError as C;
    let rustls::Error::InvalidCertificate(c) = err else {
        return None;
    };
    let x = match c {
        // A CA with the right name but another key fails the signature check; go reports
        // both as an unknown authority.
        C::UnknownIssuer | C::BadSignature => {
            "x509: certificate signed by unknown authority".to_string()
        }
        C::Expired | C::NotValidYet => {
            "x509: certificate has expired or is not yet valid".to_string()
        }
        C::ExpiredContext { .. } | C::NotValidYetContext { .. } => {
            "x509: certificate has expired or is not yet valid".to_string()
        }
        C::NotValidForName | C::NotValidForNameContext { .. } => {
            format!("x509: certificate is not valid for {host}")
        }
        _ => return None,
    };
    Some(format!("tls: failed to verify certificate: {x}"))
}

/// The text go prints when verifying `leaf` for `host` fails with `err`, wrapped as
/// `crypto/tls` wraps it (`tls: failed to verify certificate: ...`, `CertificateVerificationError`
/// in `crypto/tls/common.go`); `None` when go has no clear equivalent.
///
/// The x509 texts are those of `crypto/x509/verify.go`: `UnknownAuthorityError`,
/// `CertificateInvalidError` (Expired, with the `current time ... is after ...` detail) and
/// `HostnameError`, whose text lists the names the leaf is valid for.
pub fn go_verify_text(
    err: &rustls::Error,
    host: &str,
    leaf: Option<&CertSummary>,
) -> Option<String> {
    use rustls::CertificateError as C;
    let rustls::Error::InvalidCertificate(c) = err else {
        return None;
    };
    let x = match c {
        C::UnknownIssuer | C::BadSignature => {
            "x509: certificate signed by unknown authority".to_string()
        }
        C::ExpiredContext { time, not_after } => format!(
            "x509: certificate has expired or is not yet valid: current time {} is after {}",
            rfc3339(time.as_secs() as i64),
            rfc3339(not_after.as_secs() as i64)
        ),
        C::NotValidYetContext { time, not_before } => format!(
            "x509: certificate has expired or is not yet valid: current time {} is before {}",
            rfc3339(time.as_secs() as i64),
            rfc3339(not_before.as_secs() as i64)
        ),
        C::Expired | C::NotValidYet => {
            "x509: certificate has expired or is not yet valid".to_string()
        }
        C::NotValidForName | C::NotValidForNameContext { .. } => hostname_error(host, leaf),
        _ => return None,
    };
    Some(format!("tls: failed to verify certificate: {x}"))
}

/// `HostnameError.Error` of `crypto/x509/verify.go` for a leaf with these names.
fn hostname_error(host: &str, leaf: Option<&CertSummary>) -> String {
    const MAX_NAMES: usize = 100;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let sans = leaf.map(|l| l.sans.as_slice()).unwrap_or_default();
    let ips: Vec<&String> = sans
        .iter()
        .filter(|s| s.parse::<std::net::IpAddr>().is_ok())
        .collect();
    let dns: Vec<&String> = sans
        .iter()
        .filter(|s| s.parse::<std::net::IpAddr>().is_err() && !s.contains("://"))
        .collect();
    let valid = if host.parse::<std::net::IpAddr>().is_ok() {
        if ips.is_empty() {
            return format!(
                "x509: cannot validate certificate for {host} because it doesn't contain any IP SANs"
            );
        }
        if ips.len() >= MAX_NAMES {
            return format!(
                "x509: certificate is valid for {} IP SANs, but none matched {host}",
                ips.len()
            );
        }
        ips.iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    } else {
        if dns.len() >= MAX_NAMES {
            return format!(
                "x509: certificate is valid for {} names, but none matched {host}",
                dns.len()
            );
        }
        dns.iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if valid.is_empty() {
        return format!("x509: certificate is not valid for any names, but wanted to match {host}");
    }
    format!("x509: certificate is valid for {valid}, not {host}")
}

/// Unix seconds as RFC 3339 in UTC (`2006-01-02T15:04:05Z`, Go's `time.RFC3339` for UTC).
pub fn rfc3339(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod go_text_tests {
    use super::*;

    #[test]
    fn rfc3339_matches_go() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_136_214_245), "2006-01-02T15:04:05Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn hostname_errors_as_go_words_them() {
        let leaf = CertSummary {
            subject: "CN=x".into(),
            issuer: "CN=ca".into(),
            not_before: String::new(),
            not_after: String::new(),
            not_after_unix: 0,
            sans: vec!["a.example".into(), "b.example".into(), "10.0.0.1".into()],
            serial: String::new(),
            sha256: String::new(),
        };
        let e = rustls::Error::InvalidCertificate(rustls::CertificateError::NotValidForName);
        assert_eq!(
            go_verify_text(&e, "c.example", Some(&leaf)).unwrap(),
            "tls: failed to verify certificate: x509: certificate is valid for a.example, b.example, not c.example"
        );
        assert_eq!(
            go_verify_text(&e, "127.0.0.1", Some(&leaf)).unwrap(),
            "tls: failed to verify certificate: x509: certificate is valid for 10.0.0.1, not 127.0.0.1"
        );
        let u = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        assert_eq!(
            go_verify_text(&u, "h", None).unwrap(),
            "tls: failed to verify certificate: x509: certificate signed by unknown authority"
        );
    }
}
