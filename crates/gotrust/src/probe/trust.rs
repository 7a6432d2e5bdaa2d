//! TLS and trust: a handshake with each host the probe judges, made through the route go's
//! own requests take, and the judgement of what the host presented.
//!
//! The handshake is made whether or not any HTTP request succeeds, so a proxy that filters
//! every module (403) or a host whose certificate go rejects is still judged. The route is
//! `net/http`'s `ProxyFromEnvironment` (HTTP(S)_PROXY / NO_PROXY, [`HttpClient::proxy_for`]):
//! directly, or through a `CONNECT` tunnel of the proxy.
//!
//! What was presented is judged three ways (an intercepting proxy fails at least one):
//! - the chain ends in a CA that is not a public root ([`crate::net::truststore`]);
//! - the leaf of a well-known host also names well-known hosts of other operators (one
//!   certificate minted for every package registry the proxy intercepts);
//! - the leaf of a well-known host is not issued by the CA that issues for it.
//!
//! and verified against go's effective trust store with go's own error texts
//! ([`crate::net::tls::go_verify_text`]). A TLS version below 1.2 is reported as
//! `crypto/tls` (`handshake_client.go`) reports it: `tls: server selected unsupported protocol
//! version 301`.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use serde::Serialize;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use url::Url;

use super::{Check, Outcome, Run};
use crate::net::HttpClient;
use crate::net::tls::{CertSummary, RootSource, TlsVersion, go_verify_text, load_roots, summarize};
use crate::net::truststore::{ChainRoot, PUBLIC_ROOTS_REFERENCE, TrustStore, chain_root};
use crate::report::{Evidence, Finding, Severity, catalog};
use crate::settings::httpproxy::ProxyChoice;
use crate::settings::tls::TlsRoots;

/// A well-known host: who operates it and which CA issues its certificates.
struct KnownHost {
    host: &'static str,
    operator: &'static str,
    /// Substrings of the issuer name of a genuine leaf (empty: not judged).
    issuers: &'static [&'static str],
}

const GOOGLE_TRUST_SERVICES: &[&str] = &["O=Google Trust Services"];

/// Hosts of the Go ecosystem and of other package ecosystems. A leaf for one of them that
/// also names a host of another operator was minted by an intercepting proxy.
const KNOWN_HOSTS: &[KnownHost] = &[
    KnownHost {
        host: "proxy.golang.org",
        operator: "Google",
        issuers: GOOGLE_TRUST_SERVICES,
    },
    KnownHost {
        host: "sum.golang.org",
        operator: "Google",
        issuers: GOOGLE_TRUST_SERVICES,
    },
    KnownHost {
        host: "index.golang.org",
        operator: "Google",
        issuers: GOOGLE_TRUST_SERVICES,
    },
    KnownHost {
        host: "storage.googleapis.com",
        operator: "Google",
        issuers: GOOGLE_TRUST_SERVICES,
    },
    KnownHost {
        host: "dl.google.com",
        operator: "Google",
        issuers: GOOGLE_TRUST_SERVICES,
    },
    KnownHost {
        host: "maven.google.com",
        operator: "Google",
        issuers: GOOGLE_TRUST_SERVICES,
    },
    KnownHost {
        host: "sum.golang.google.cn",
        operator: "Google",
        issuers: &[],
    },
    KnownHost {
        host: "goproxy.cn",
        operator: "Qiniu",
        issuers: &[],
    },
    KnownHost {
        host: "goproxy.io",
        operator: "goproxy.io",
        issuers: &[],
    },
    KnownHost {
        host: "mirrors.aliyun.com",
        operator: "Alibaba",
        issuers: &[],
    },
    KnownHost {
        host: "registry.npmjs.org",
        operator: "npm",
        issuers: &[],
    },
    KnownHost {
        host: "registry.yarnpkg.com",
        operator: "Yarn",
        issuers: &[],
    },
    KnownHost {
        host: "pypi.org",
        operator: "PyPI",
        issuers: &[],
    },
    KnownHost {
        host: "files.pythonhosted.org",
        operator: "PyPI",
        issuers: &[],
    },
    KnownHost {
        host: "index.crates.io",
        operator: "crates.io",
        issuers: &[],
    },
    KnownHost {
        host: "static.crates.io",
        operator: "crates.io",
        issuers: &[],
    },
    KnownHost {
        host: "static.rust-lang.org",
        operator: "Rust",
        issuers: &[],
    },
    KnownHost {
        host: "repo1.maven.org",
        operator: "Maven Central",
        issuers: &[],
    },
    KnownHost {
        host: "repo.maven.apache.org",
        operator: "Maven Central",
        issuers: &[],
    },
    KnownHost {
        host: "plugins.gradle.org",
        operator: "Gradle",
        issuers: &[],
    },
    KnownHost {
        host: "rubygems.org",
        operator: "RubyGems",
        issuers: &[],
    },
    KnownHost {
        host: "deb.debian.org",
        operator: "Debian",
        issuers: &[],
    },
    KnownHost {
        host: "security.debian.org",
        operator: "Debian",
        issuers: &[],
    },
    KnownHost {
        host: "archive.ubuntu.com",
        operator: "Ubuntu",
        issuers: &[],
    },
    KnownHost {
        host: "security.ubuntu.com",
        operator: "Ubuntu",
        issuers: &[],
    },
    KnownHost {
        host: "github.com",
        operator: "GitHub",
        issuers: &[],
    },
    KnownHost {
        host: "registry-1.docker.io",
        operator: "Docker",
        issuers: &[],
    },
];

fn known(host: &str) -> Option<&'static KnownHost> {
    KNOWN_HOSTS.iter().find(|k| k.host == host)
}

/// Whether a certificate name (possibly `*.domain`) covers `host`.
fn name_covers(name: &str, host: &str) -> bool {
    let name = name.to_ascii_lowercase();
    match name.strip_prefix("*.") {
        Some(domain) => host
            .split_once('.')
            .is_some_and(|(first, rest)| !first.is_empty() && rest == domain),
        None => name == host,
    }
}

/// A CA named in a report: from go's trust store when it is there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NamedCa {
    /// Subject (RFC 4514).
    pub subject: String,
    /// SHA-256 of the CA certificate, when it is known (in the store, or presented).
    pub sha256: Option<String>,
    /// `file:position` in go's trust store; `None`: not in it.
    pub location: Option<String>,
}

impl std::fmt::Display for NamedCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.subject)?;
        if let Some(h) = &self.sha256 {
            write!(f, " (SHA-256 {h})")?;
        }
        match &self.location {
            Some(l) => write!(f, ", trusted by go through {l}"),
            None => write!(f, ", not in go's trust store"),
        }
    }
}

/// One reason to believe a connection is intercepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Interception {
    /// The chain ends in a CA that is not a public root.
    NonPublicRoot {
        /// The CA.
        ca: NamedCa,
    },
    /// The leaf of a well-known host names hosts of other operators.
    UnrelatedNames {
        /// Those names.
        names: Vec<String>,
    },
    /// The leaf of a well-known host comes from a CA that does not issue for it.
    UnexpectedIssuer {
        /// The leaf's issuer.
        issuer: String,
        /// Who issues for the host.
        expected: String,
    },
}

impl std::fmt::Display for Interception {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Interception::NonPublicRoot { ca } => {
                write!(
                    f,
                    "the chain ends in {}, which is not a public root",
                    ca.subject
                )
            }
            Interception::UnrelatedNames { names } => write!(
                f,
                "the certificate also names hosts of other operators ({})",
                names.join(", ")
            ),
            Interception::UnexpectedIssuer { issuer, expected } => write!(
                f,
                "the certificate is issued by {issuer}, not by {expected}"
            ),
        }
    }
}

/// Judges a presented chain (leaf first) for `host`. Pure: the unit of the interception
/// verdict.
pub fn judge(
    host: &str,
    chain: &[CertSummary],
    root: ChainRoot,
    store: &TrustStore,
) -> Vec<Interception> {
    let mut out = Vec::new();
    let host = host.to_ascii_lowercase();
    if root == ChainRoot::NotPublic
        && let Some(ca) = named_ca(chain, store)
    {
        out.push(Interception::NonPublicRoot { ca });
    }
    let (Some(k), Some(leaf)) = (known(&host), chain.first()) else {
        return out;
    };
    let mut names: Vec<String> = leaf
        .sans
        .iter()
        .filter(|n| {
            KNOWN_HOSTS
                .iter()
                .any(|o| o.operator != k.operator && name_covers(n, o.host))
        })
        .cloned()
        .collect();
    names.dedup();
    if !names.is_empty() {
        out.push(Interception::UnrelatedNames { names });
    }
    if !k.issuers.is_empty() && !k.issuers.iter().any(|i| leaf.issuer.contains(i)) {
        out.push(Interception::UnexpectedIssuer {
            issuer: leaf.issuer.clone(),
            expected: k.issuers.join(" or "),
        });
    }
    out
}

/// The CA a chain ends in: the top certificate if it is self-issued, else its issuer, found
/// in go's trust store by subject when it is there.
fn named_ca(chain: &[CertSummary], store: &TrustStore) -> Option<NamedCa> {
    let top = chain.last()?;
    let subject = if top.subject == top.issuer {
        &top.subject
    } else {
        &top.issuer
    };
    Some(match store.by_subject(subject) {
        Some(ca) => NamedCa {
            subject: ca.cert.subject.clone(),
            sha256: Some(ca.cert.sha256.clone()),
            location: Some(ca.location()),
        },
        None => NamedCa {
            subject: subject.clone(),
            sha256: (top.subject == top.issuer).then(|| top.sha256.clone()),
            location: None,
        },
    })
}

/// What one handshake showed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TlsReport {
    /// `proxy` or `checksum database`.
    pub role: &'static str,
    /// The host (and port) connected to.
    pub host: String,
    /// How go reaches it: `direct`, or the HTTP proxy it tunnels through (redacted).
    pub route: String,
    /// The negotiated protocol version (`None` when the handshake failed).
    pub version: Option<TlsVersion>,
    /// The ALPN protocol agreed (`h2`, `http/1.1`).
    pub alpn: Option<String>,
    /// Whether the chain verifies against go's trust store for this host.
    pub verified: bool,
    /// go's error for the chain, when it does not verify (or for the handshake).
    pub go_error: Option<String>,
    /// Why no chain was seen (connection, tunnel or handshake failure).
    pub error: Option<String>,
    /// The chain the server presented, leaf first.
    pub chain: Vec<CertSummary>,
    /// Whether the chain ends in a public root (`None`: no chain).
    pub root_public: Option<bool>,
    /// Why the connection looks intercepted (empty: it does not).
    pub interception: Vec<Interception>,
}

/// A certificate verifier that accepts any chain (the probe judges it afterwards) but still
/// checks the handshake signatures, so the server holds the key of what it presented.
#[derive(Debug)]
struct Observer {
    provider: Arc<rustls::crypto::CryptoProvider>,
    chain: Mutex<Vec<CertificateDer<'static>>>,
}

impl ServerCertVerifier for Observer {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let chain = std::iter::once(end_entity)
            .chain(intermediates)
            .map(|c| c.clone().into_owned())
            .collect();
        *self.chain.lock().unwrap_or_else(|e| e.into_inner()) = chain;
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// A stream that keeps the first bytes the server sent (its ServerHello), to name the
/// protocol version of a server that rustls refuses.
struct Tap<S> {
    inner: S,
    first: Arc<Mutex<Vec<u8>>>,
}

impl<S: AsyncRead + Unpin> AsyncRead for Tap<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = &r {
            let new = buf.filled()[before..].to_vec();
            let mut first = self.first.lock().unwrap_or_else(|e| e.into_inner());
            let room = 16usize.saturating_sub(first.len());
            first.extend(new.into_iter().take(room));
        }
        r
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Tap<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// The protocol version of a ServerHello below TLS 1.2, from the first bytes of the answer
/// (record type 22, handshake type 2, then the legacy version).
fn old_server_version(first: &[u8]) -> Option<u16> {
    if first.len() >= 11 && first[0] == 22 && first[5] == 2 {
        let v = u16::from_be_bytes([first[9], first[10]]);
        (v < 0x0303).then_some(v)
    } else {
        None
    }
}

/// The roots go would verify with, as a verifier; `Err`: go's own error.
fn go_verifier(roots: &RootSource) -> Result<Arc<WebPkiServerVerifier>, String> {
    let (store, _) = load_roots(roots).map_err(|e| e.to_string())?;
    WebPkiServerVerifier::builder_with_provider(
        Arc::new(store),
        Arc::new(rustls::crypto::ring::default_provider()),
    )
    .build()
    .map_err(|e| e.to_string())
}

/// go's trust store for the client's roots, as [`TrustStore`] reads it.
pub(crate) fn trust_store_for(roots: &RootSource) -> TrustStore {
    let tls = match roots {
        RootSource::Go(t) => t.clone(),
        RootSource::CaFile(p) => TlsRoots::Files {
            files: vec![p.clone()],
            file_from_env: true,
            dirs: Vec::new(),
            dirs_from_env: true,
        },
        _ => TlsRoots::from_vars(
            std::env::consts::OS,
            &std::env::var("SSL_CERT_FILE").unwrap_or_default(),
            &std::env::var("SSL_CERT_DIR").unwrap_or_default(),
        ),
    };
    TrustStore::load(&tls)
}

type Stream = Box<dyn AsyncStream>;
trait AsyncStream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> AsyncStream for T {}

/// Decodes `%XX` escapes of a URL's user information.
fn unescape(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%'
            && let (Some(h), Some(l)) = (
                b.get(i + 1).and_then(|c| hex(*c)),
                b.get(i + 2).and_then(|c| hex(*c)),
            )
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Opens the connection go would open for `host:port`: direct, or a CONNECT tunnel through
/// the HTTP proxy `net/http` picks. Returns the stream and the route's description.
async fn open(
    http: &HttpClient,
    target: &Url,
    host: &str,
    port: u16,
) -> Result<(Stream, String), String> {
    match http.proxy_for(target) {
        ProxyChoice::Refused(e) => Err(e),
        ProxyChoice::Direct(_) => {
            let tcp = TcpStream::connect((host, port))
                .await
                .map_err(|e| format!("dial tcp {host}:{port}: {e}"))?;
            Ok((Box::new(tcp), "direct".into()))
        }
        ProxyChoice::Proxy(p) => {
            let shown = crate::redact::redact_text(&p.to_go_string());
            let (phost, pport) = crate::settings::httpproxy::hostname_port(&p.host);
            let phost = phost
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_string();
            let pport: u16 = match (pport, p.scheme.as_str()) {
                ("", "https") => 443,
                ("", _) => 80,
                (n, _) => n.parse().map_err(|_| format!("proxy {shown}: bad port"))?,
            };
            if p.scheme != "http" && p.scheme != "https" {
                return Err(format!(
                    "proxy {shown}: a {} proxy is not probed for TLS",
                    p.scheme
                ));
            }
            let tcp = TcpStream::connect((phost.as_str(), pport))
                .await
                .map_err(|e| format!("proxyconnect tcp: dial tcp {phost}:{pport}: {e}"))?;
            let mut stream: Stream = if p.scheme == "https" {
                let config = observing_config().0;
                let name = ServerName::try_from(phost.clone())
                    .map_err(|e| format!("proxy {shown}: {e}"))?;
                let tls = tokio_rustls::TlsConnector::from(Arc::new(config))
                    .connect(name, tcp)
                    .await
                    .map_err(|e| format!("proxyconnect tcp: {e}"))?;
                Box::new(tls)
            } else {
                Box::new(tcp)
            };
            let authority = if host.contains(':') {
                format!("[{host}]:{port}")
            } else {
                format!("{host}:{port}")
            };
            let mut req = format!("CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n");
            if let Some(ui) = &p.userinfo {
                use base64::Engine;
                let (u, pw) = ui.split_once(':').unwrap_or((ui.as_str(), ""));
                let token = base64::engine::general_purpose::STANDARD.encode(format!(
                    "{}:{}",
                    unescape(u),
                    unescape(pw)
                ));
                req.push_str(&format!("Proxy-Authorization: Basic {token}\r\n"));
            }
            req.push_str("\r\n");
            stream
                .write_all(req.as_bytes())
                .await
                .map_err(|e| format!("proxyconnect tcp: {e}"))?;
            // The proxy's answer head, byte by byte so no tunnel byte is consumed.
            let mut head = Vec::new();
            while !head.ends_with(b"\r\n\r\n") {
                if head.len() > 16 << 10 {
                    return Err(format!("proxy {shown}: CONNECT answer too long"));
                }
                let mut b = [0u8; 1];
                let n = stream
                    .read(&mut b)
                    .await
                    .map_err(|e| format!("proxyconnect tcp: {e}"))?;
                if n == 0 {
                    return Err(format!("proxy {shown}: connection closed during CONNECT"));
                }
                head.push(b[0]);
            }
            let status_line = String::from_utf8_lossy(&head)
                .lines()
                .next()
                .unwrap_or_default()
                .to_string();
            let code = status_line.split_whitespace().nth(1).unwrap_or_default();
            if !code.starts_with('2') {
                let text = status_line.split_once(' ').map_or("", |x| x.1);
                return Err(format!("proxyconnect tcp: {text}"));
            }
            Ok((stream, format!("through HTTP(S)_PROXY {shown}")))
        }
        #[allow(unreachable_patterns)]
        _ => Err("no route".into()),
    }
}

/// A client configuration that records whatever chain it is shown.
fn observing_config() -> (rustls::ClientConfig, Arc<Observer>) {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let observer = Arc::new(Observer {
        provider: provider.clone(),
        chain: Mutex::new(Vec::new()),
    });
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("ring supports TLS 1.2 and 1.3")
        .dangerous()
        .with_custom_certificate_verifier(observer.clone())
        .with_no_client_auth();
    // What go's transport offers (net/http with HTTP/2 enabled).
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    (config, observer)
}

/// Handshakes with `target`'s host as go would reach it and judges what it presented.
pub async fn handshake(
    http: &HttpClient,
    target: &Url,
    role: &'static str,
    store: &TrustStore,
    timeout: Duration,
) -> TlsReport {
    let host = target
        .host_str()
        .unwrap_or_default()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let port = target.port_or_known_default().unwrap_or(443);
    let mut report = TlsReport {
        role,
        host: format!("{host}:{port}"),
        route: String::new(),
        version: None,
        alpn: None,
        verified: false,
        go_error: None,
        error: None,
        chain: Vec::new(),
        root_public: None,
        interception: Vec::new(),
    };
    let run = async {
        let (stream, route) = open(http, target, &host, port).await?;
        let first = Arc::new(Mutex::new(Vec::new()));
        let tap = Tap {
            inner: stream,
            first: first.clone(),
        };
        let (config, observer) = observing_config();
        let name = ServerName::try_from(host.clone()).map_err(|e| e.to_string())?;
        let res = tokio_rustls::TlsConnector::from(Arc::new(config))
            .connect(name, tap)
            .await;
        let chain = observer
            .chain
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        match res {
            Ok(tls) => {
                let conn = tls.get_ref().1;
                let version = match conn.protocol_version() {
                    Some(rustls::ProtocolVersion::TLSv1_3) => Some(TlsVersion::Tls13),
                    Some(rustls::ProtocolVersion::TLSv1_2) => Some(TlsVersion::Tls12),
                    _ => None,
                };
                let alpn = conn
                    .alpn_protocol()
                    .map(|a| String::from_utf8_lossy(a).into_owned());
                Ok((route, chain, version, alpn))
            }
            Err(e) => {
                let first = first.lock().unwrap_or_else(|e| e.into_inner()).clone();
                Err(match old_server_version(&first) {
                    Some(v) => format!("tls: server selected unsupported protocol version {v:x}"),
                    None => format!("TLS handshake with {host}: {e}"),
                })
            }
        }
    };
    let outcome = match tokio::time::timeout(timeout, run).await {
        Ok(r) => r,
        Err(_) => Err(format!(
            "TLS handshake with {host}: no answer within {timeout:?}"
        )),
    };
    let (route, chain_der, version, alpn) = match outcome {
        Ok(v) => v,
        Err(e) => {
            if e.starts_with("tls: server selected unsupported protocol version") {
                report.go_error = Some(e.clone());
            }
            report.error = Some(e);
            return report;
        }
    };
    report.route = route;
    report.version = version;
    report.alpn = alpn;
    report.chain = chain_der.iter().filter_map(|c| summarize(c)).collect();
    if let Some((leaf, rest)) = chain_der.split_first() {
        match go_verifier(&http.config().roots) {
            Ok(v) => {
                let name = ServerName::try_from(host.clone())
                    .unwrap_or_else(|_| ServerName::try_from("invalid.invalid").expect("valid"));
                match v.verify_server_cert(leaf, rest, &name, &[], UnixTime::now()) {
                    Ok(_) => report.verified = true,
                    Err(e) => {
                        report.go_error = Some(
                            go_verify_text(&e, &host, report.chain.first()).unwrap_or_else(|| {
                                format!("tls: failed to verify certificate: {e}")
                            }),
                        )
                    }
                }
            }
            Err(e) => report.go_error = Some(e),
        }
        let root = chain_root(&chain_der, &host);
        report.root_public = Some(root != ChainRoot::NotPublic);
        report.interception = judge(&host, &report.chain, root, store);
    }
    report
}

/// Names of the table rows for one role.
struct Rows {
    tls: &'static str,
    verify: &'static str,
    root: &'static str,
    interception: &'static str,
    expiry: &'static str,
}

fn rows(role: &str) -> Rows {
    if role == "proxy" {
        Rows {
            tls: "tls",
            verify: "tls.verify",
            root: "tls.root",
            interception: "tls.interception",
            expiry: "tls.expiry",
        }
    } else {
        Rows {
            tls: "sumdb.tls",
            verify: "sumdb.tls.verify",
            root: "sumdb.tls.root",
            interception: "sumdb.tls.interception",
            expiry: "sumdb.tls.expiry",
        }
    }
}

impl Run<'_> {
    /// Handshakes with the proxy and, when go may contact it directly, the checksum
    /// database, and reports both.
    pub(super) async fn handshakes(&mut self) {
        let timeout = self.http.config().connect_timeout + self.http.config().read_timeout;
        let store = trust_store_for(&self.http.config().roots);
        if self.base.scheme() == "https" {
            let base = self.base.clone();
            let r = handshake(self.http, &base, "proxy", &store, timeout).await;
            self.tls_rows(&r);
            self.out.tls = Some(r);
        }
        if let Some(db) = &self.opts.sumdb {
            let url = db.url_text.clone().unwrap_or_else(|| db.direct_url.clone());
            if let Ok(u) = Url::parse(&url)
                && u.scheme() == "https"
                && u.host_str() != self.base.host_str()
            {
                let r = handshake(self.http, &u, "checksum database", &store, timeout).await;
                self.tls_rows(&r);
                self.out.sumdb_tls = Some(r);
            }
        }
    }

    fn push(&mut self, name: &'static str, outcome: Outcome, detail: String) {
        self.out.checks.push(Check {
            name,
            outcome,
            detail,
        });
    }

    fn tls_rows(&mut self, r: &TlsReport) {
        let n = rows(r.role);
        let who = format!("{} ({})", r.host, r.role);
        if let Some(e) = &r.error {
            if let Some(go) = &r.go_error {
                self.push(n.tls, Outcome::Fail, go.clone());
                let msg = format!("{who}: {go}");
                self.tls_finding(Finding::new(&catalog::PROBE_TLS_FAILED, msg));
            } else {
                self.push(n.tls, Outcome::Warn, format!("no handshake: {e}"));
            }
            return;
        }
        let proto = match (&r.version, &r.alpn) {
            (Some(v), Some(a)) => format!("{v} (ALPN {a})"),
            (Some(v), None) => v.to_string(),
            _ => "TLS".into(),
        };
        if let Some(leaf) = r.chain.first() {
            self.push(
                n.tls,
                Outcome::Info,
                format!(
                    "{proto}, {}: {} issued by {}, expires {}, names {}",
                    r.route,
                    leaf.subject,
                    leaf.issuer,
                    leaf.not_after,
                    leaf.sans.join(", ")
                ),
            );
        }
        match &r.go_error {
            None => self.push(
                n.verify,
                Outcome::Pass,
                "verifies against go's trust store".into(),
            ),
            Some(go) => self.push(n.verify, Outcome::Fail, go.clone()),
        }
        let loopback = super::transport::is_loopback_host(&r.host);
        let top = r.chain.last().map(|c| c.issuer.clone()).unwrap_or_default();
        match r.root_public {
            Some(true) => self.push(
                n.root,
                Outcome::Pass,
                format!("public root {top} ({PUBLIC_ROOTS_REFERENCE}, or retired from it)"),
            ),
            Some(false) => {
                let ca = r.interception.iter().find_map(|i| match i {
                    Interception::NonPublicRoot { ca } => Some(ca.to_string()),
                    _ => None,
                });
                self.push(
                    n.root,
                    if loopback {
                        Outcome::Info
                    } else {
                        Outcome::Fail
                    },
                    format!(
                        "not a public root ({PUBLIC_ROOTS_REFERENCE}): {}",
                        ca.unwrap_or(top)
                    ),
                );
            }
            None => {}
        }
        for cert in &r.chain {
            let left = cert.not_after_unix - self.opts.now_unix;
            if left < self.opts.near_expiry_secs && left >= 0 {
                let days = left / 86_400;
                self.push(
                    n.expiry,
                    Outcome::Fail,
                    format!("{} expires {} ({days} days)", cert.subject, cert.not_after),
                );
                let msg = format!(
                    "{who}: certificate {} expires {} ({days} days left)",
                    cert.subject, cert.not_after
                );
                self.tls_finding(Finding::new(&catalog::PROBE_CERT_EXPIRING, msg));
            }
        }
        let signals: Vec<String> = r.interception.iter().map(ToString::to_string).collect();
        let only_private_root = r
            .interception
            .iter()
            .all(|i| matches!(i, Interception::NonPublicRoot { .. }));
        if signals.is_empty() {
            self.push(n.interception, Outcome::Pass, "none seen".into());
        } else if loopback && only_private_root {
            // A private CA on loopback is a local test server, not a network in between.
            self.push(
                n.interception,
                Outcome::Info,
                format!("private CA on loopback: {}", signals.join("; ")),
            );
        } else {
            self.push(n.interception, Outcome::Fail, signals.join("; "));
            let ca = r.interception.iter().find_map(|i| match i {
                Interception::NonPublicRoot { ca } => Some(ca.clone()),
                _ => None,
            });
            let ca_text = match &ca {
                Some(ca) => format!(" The CA is {ca}."),
                None => String::new(),
            };
            let go = match &r.go_error {
                Some(g) => format!(" go fails: {g}."),
                None => " go accepts it, so everything go fetches from this host passes through the interceptor.".into(),
            };
            let msg = format!(
                "{who}: TLS is intercepted: {}.{ca_text}{go}",
                signals.join("; ")
            );
            let public_host =
                known(r.host.rsplit_once(':').map_or(r.host.as_str(), |h| h.0)).is_some();
            // The fix is the rule's: trust the CA deliberately or use a proxy inside the network;
            // never a switch that turns verification off.
            let mut f = Finding::new(&catalog::PROBE_TLS_INTERCEPTION, msg);
            if public_host || !only_private_root {
                f = f.with_severity(Severity::High);
            }
            if let Some(ca) = &ca {
                let mut ev = Evidence::variable("intercepting CA", ca.subject.clone());
                if let Some(h) = &ca.sha256 {
                    ev = ev.origin(format!("SHA-256 {h}"));
                }
                f = f.with_evidence(ev);
            }
            self.tls_finding(f);
        }
        if let Some(go) = &r.go_error {
            let msg = format!("{who}: {go}");
            self.tls_finding(Finding::new(&catalog::PROBE_TLS_FAILED, msg));
        }
    }

    fn tls_finding(&mut self, f: Finding) {
        if f.rule.id == catalog::PROBE_TLS_FAILED.id {
            self.tls_failed_reported = true;
        }
        self.finding(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert(subject: &str, issuer: &str, sans: &[&str]) -> CertSummary {
        CertSummary {
            subject: subject.into(),
            issuer: issuer.into(),
            not_before: String::new(),
            not_after: String::new(),
            not_after_unix: 0,
            sans: sans.iter().map(|s| s.to_string()).collect(),
            serial: String::new(),
            sha256: "ab".into(),
        }
    }

    #[test]
    fn an_egress_proxy_certificate_is_intercepting_three_ways() {
        let chain = vec![
            cert(
                "CN=egress",
                "CN=egress-ca",
                &[
                    "proxy.golang.org",
                    "pypi.org",
                    "index.crates.io",
                    "dl.google.com",
                ],
            ),
            cert("CN=egress-ca", "CN=egress-ca", &[]),
        ];
        let got = judge(
            "proxy.golang.org",
            &chain,
            ChainRoot::NotPublic,
            &TrustStore::default(),
        );
        assert_eq!(got.len(), 3, "{got:?}");
        assert_eq!(
            got[0],
            Interception::NonPublicRoot {
                ca: NamedCa {
                    subject: "CN=egress-ca".into(),
                    sha256: Some("ab".into()),
                    location: None
                }
            }
        );
        // dl.google.com is Google's like proxy.golang.org: not unrelated.
        assert_eq!(
            got[1],
            Interception::UnrelatedNames {
                names: vec!["pypi.org".into(), "index.crates.io".into()]
            }
        );
        assert!(matches!(got[2], Interception::UnexpectedIssuer { .. }));
    }

    #[test]
    fn a_genuine_looking_chain_is_not_intercepted() {
        let chain = vec![
            cert(
                "CN=proxy.golang.org",
                "CN=WR2, O=Google Trust Services, C=US",
                &["proxy.golang.org", "*.golang.org"],
            ),
            cert(
                "CN=WR2, O=Google Trust Services, C=US",
                "CN=GTS Root R1",
                &[],
            ),
        ];
        assert!(
            judge(
                "proxy.golang.org",
                &chain,
                ChainRoot::Public,
                &TrustStore::default()
            )
            .is_empty()
        );
        // An unknown private host with a private CA: only the root is reported.
        let chain = vec![cert("CN=goproxy.corp", "CN=Corp CA", &["goproxy.corp"])];
        let got = judge(
            "goproxy.corp",
            &chain,
            ChainRoot::NotPublic,
            &TrustStore::default(),
        );
        assert_eq!(got.len(), 1);
    }

    #[test]
    fn wildcards_cover_one_label() {
        assert!(name_covers("*.crates.io", "index.crates.io"));
        assert!(!name_covers("*.crates.io", "crates.io"));
        assert!(!name_covers("*.io", "index.crates.io"));
        assert!(name_covers("PyPI.org", "pypi.org"));
    }

    #[test]
    fn old_protocol_versions_are_read_from_the_server_hello() {
        let hello = [22, 3, 1, 0, 42, 2, 0, 0, 38, 3, 1, 0, 0, 0, 0, 0];
        assert_eq!(old_server_version(&hello), Some(0x0301));
        let modern = [22, 3, 3, 0, 42, 2, 0, 0, 38, 3, 3, 0, 0, 0, 0, 0];
        assert_eq!(old_server_version(&modern), None);
        assert_eq!(format!("{:x}", 0x0301u16), "301");
    }
}
