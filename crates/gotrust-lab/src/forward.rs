//! The lab as a forward proxy: what a corporate egress proxy is to the go command.
//!
//! go reaches it through `HTTPS_PROXY`/`HTTP_PROXY` (`net/http`'s `ProxyFromEnvironment`):
//! plain-http requests arrive in absolute form (`GET http://host/path`), https ones as a
//! `CONNECT host:443` tunnel. The proxy resolves virtual hosts itself: every `*.lab.test`
//! name is the lab (its GOPROXY protocol at the root, its checksum database under
//! `/sumdb/<name>/`, and `?go-get=1` pages declaring each lab module with the `mod` VCS type,
//! so `GOPROXY=direct` fetches work over https and, with GOINSECURE, over http). Nothing is
//! ever forwarded off the machine.
//!
//! With interception on, the proxy answers for *every* host name (proxy.golang.org,
//! sum.golang.org, ...) from the lab, re-signing each with its own CA, as an intercepting
//! egress proxy does: go then fails with `x509: certificate signed by unknown authority`
//! unless `SSL_CERT_FILE` holds that CA. Without interception, tunnels to `*.lab.test` are
//! served with certificates of the lab's virtual-host CA and other hosts are refused (502).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response};
use hyper_util::rt::TokioIo;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::{
    self, ServerConfig,
    pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer},
};

use crate::server::{BoxError, LabBody, Shared, handle, plain_response};
use crate::tls::TlsError;
use crate::{LabError, RunningLab};

/// The domain whose names the lab resolves.
pub const LAB_DOMAIN: &str = "lab.test";

/// The CA that re-signs every host when intercepting.
pub const INTERCEPTION_CA_NAME: &str = "gotrust lab interception CA";

/// The CA of the lab's virtual hosts when not intercepting.
pub const VHOST_CA_NAME: &str = "gotrust lab vhost CA";

/// How the forward proxy behaves.
#[derive(Debug, Clone)]
pub struct ForwardOptions {
    /// Answer for every host name, re-signed with [`INTERCEPTION_CA_NAME`].
    pub intercept: bool,
    /// Where to listen.
    pub bind: SocketAddr,
    /// Lab hosts that serve plain http only: a tunnel to them is refused (502), as a
    /// connection to port 443 of an http-only server is, so go falls back to http where
    /// GOINSECURE allows it (`cmd/go/internal/web` `GetMaybeInsecure`).
    pub http_only: Vec<String>,
}

impl Default for ForwardOptions {
    fn default() -> Self {
        ForwardOptions {
            intercept: false,
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            http_only: Vec::new(),
        }
    }
}

/// Whether `host` is one of the lab's virtual hosts.
pub fn is_lab_host(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    host == LAB_DOMAIN || host.ends_with(&format!(".{LAB_DOMAIN}"))
}

/// A CA that issues a leaf for any host on demand.
struct HostCa {
    issuer: Issuer<'static, KeyPair>,
    pem: String,
    configs: Mutex<HashMap<String, Arc<ServerConfig>>>,
}

impl HostCa {
    fn new(name: &str) -> Result<HostCa, TlsError> {
        let mut params = CertificateParams::new(Vec::<String>::new())?;
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let key = KeyPair::generate()?;
        let cert = params.self_signed(&key)?;
        Ok(HostCa {
            issuer: Issuer::new(params, key),
            pem: cert.pem(),
            configs: Mutex::new(HashMap::new()),
        })
    }

    /// A server configuration presenting a leaf for `host`, made once per host.
    fn config_for(&self, host: &str) -> Result<Arc<ServerConfig>, TlsError> {
        let host = host.to_ascii_lowercase();
        let mut configs = self.configs.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(c) = configs.get(&host) {
            return Ok(c.clone());
        }
        let mut params = CertificateParams::new(vec![host.clone()])?;
        params.distinguished_name.push(DnType::CommonName, &host);
        params.use_authority_key_identifier_extension = true;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let key = KeyPair::generate()?;
        let leaf = params.signed_by(&key, &self.issuer)?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(
                vec![CertificateDer::from(leaf.der().to_vec())],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
            )?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        let config = Arc::new(config);
        configs.insert(host, config.clone());
        Ok(config)
    }
}

struct Forward {
    shared: Arc<Shared>,
    ca: HostCa,
    intercept: bool,
    http_only: Vec<String>,
}

/// A running forward proxy; stops at [`ForwardProxy::shutdown`] or when dropped.
#[derive(Debug)]
pub struct ForwardProxy {
    addr: SocketAddr,
    ca_file: PathBuf,
    ca_name: &'static str,
    intercept: bool,
    shutdown: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl ForwardProxy {
    /// `http://127.0.0.1:<port>`: the value for HTTPS_PROXY and HTTP_PROXY.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The PEM file of the CA that signs what the proxy presents.
    pub fn ca_file(&self) -> &Path {
        &self.ca_file
    }

    /// That CA's common name.
    pub fn ca_name(&self) -> &'static str {
        self.ca_name
    }

    /// The environment that points go at the proxy (both schemes; NO_PROXY emptied so that
    /// nothing bypasses it).
    pub fn go_env(&self) -> Vec<(String, String)> {
        vec![
            ("HTTPS_PROXY".into(), self.url()),
            ("HTTP_PROXY".into(), self.url()),
            ("NO_PROXY".into(), String::new()),
        ]
    }

    /// Whether the proxy answers for every host, re-signed with its CA.
    pub fn intercepts(&self) -> bool {
        self.intercept
    }

    /// The GOPROXY URL go reaches the lab by through this proxy: go's default
    /// `https://proxy.golang.org` when intercepting (the network answers for it), else the
    /// virtual host `https://proxy.lab.test`.
    pub fn proxy_url_through(&self) -> String {
        if self.intercept {
            "https://proxy.golang.org".to_owned()
        } else {
            format!("https://proxy.{LAB_DOMAIN}")
        }
    }

    /// The whole environment that sends go to `lab` through this proxy: the lab's settings
    /// with GOPROXY and the checksum database URL on the proxied host
    /// ([`ForwardProxy::proxy_url_through`]), HTTPS_PROXY/HTTP_PROXY/NO_PROXY
    /// ([`ForwardProxy::go_env`]) and SSL_CERT_FILE holding this proxy's CA, the one thing
    /// go must trust to get through.
    pub fn go_env_through(&self, lab: &RunningLab) -> Vec<(String, String)> {
        let proxy = self.proxy_url_through();
        let mut env: Vec<(String, String)> = lab
            .go_env()
            .into_iter()
            .filter(|(k, _)| k != "SSL_CERT_FILE")
            .map(|(k, v)| match k.as_str() {
                "GOPROXY" => (k, proxy.clone()),
                "GOSUMDB" => (
                    k,
                    format!("{} {proxy}/sumdb/{}", lab.verifier_key(), lab.sumdb_name()),
                ),
                _ => (k, v),
            })
            .collect();
        env.extend(self.go_env());
        env.push(("SSL_CERT_FILE".into(), self.ca_file.display().to_string()));
        env
    }

    /// Stops serving.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
    }
}

impl Drop for ForwardProxy {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}

impl RunningLab {
    /// Starts a forward proxy in front of this lab (see the module docs). Its CA is written
    /// to `forward-ca-<port>.pem` in the lab's state directory.
    pub async fn start_forward_proxy(
        &self,
        opts: ForwardOptions,
    ) -> Result<ForwardProxy, LabError> {
        let ca_name = if opts.intercept {
            INTERCEPTION_CA_NAME
        } else {
            VHOST_CA_NAME
        };
        let ca = HostCa::new(ca_name)?;
        let listener = TcpListener::bind(opts.bind)
            .await
            .map_err(|e| LabError::Io {
                what: format!("binding {}", opts.bind),
                source: e,
            })?;
        let addr = listener.local_addr().map_err(|e| LabError::Io {
            what: "reading the bound address".into(),
            source: e,
        })?;
        let ca_file = self
            .state_dir
            .join(format!("forward-ca-{}.pem", addr.port()));
        std::fs::write(&ca_file, &ca.pem).map_err(|e| LabError::Io {
            what: format!("writing {}", ca_file.display()),
            source: e,
        })?;
        let fwd = Arc::new(Forward {
            shared: self.shared.clone(),
            ca,
            intercept: opts.intercept,
            http_only: opts
                .http_only
                .iter()
                .map(|h| h.to_ascii_lowercase())
                .collect(),
        });
        let (tx, mut rx) = watch::channel(false);
        let task = tokio::spawn(async move {
            loop {
                tokio::select! {
                    r = listener.accept() => {
                        if let Ok((stream, _)) = r {
                            tokio::spawn(serve_client(stream, fwd.clone(), rx.clone()));
                        }
                    }
                    _ = rx.changed() => return,
                }
            }
        });
        Ok(ForwardProxy {
            addr,
            ca_file,
            ca_name,
            intercept: opts.intercept,
            shutdown: tx,
            task: Some(task),
        })
    }
}

async fn serve_client(stream: TcpStream, fwd: Arc<Forward>, mut shutdown: watch::Receiver<bool>) {
    let svc = {
        let fwd = fwd.clone();
        service_fn(move |req| proxy_request(fwd.clone(), req))
    };
    let conn = http1::Builder::new()
        .serve_connection(TokioIo::new(stream), svc)
        .with_upgrades();
    tokio::select! {
        _ = conn => {}
        _ = shutdown.changed() => {}
    }
}

/// The host of a request: the URI's authority (absolute form, CONNECT) or the Host header.
fn request_host(req: &Request<Incoming>) -> Option<(String, Option<u16>)> {
    if let Some(a) = req.uri().authority() {
        return Some((a.host().to_string(), a.port_u16()));
    }
    let h = req.headers().get(hyper::header::HOST)?.to_str().ok()?;
    let a: hyper::http::uri::Authority = h.parse().ok()?;
    Some((a.host().to_string(), a.port_u16()))
}

async fn proxy_request(
    fwd: Arc<Forward>,
    mut req: Request<Incoming>,
) -> Result<Response<LabBody>, BoxError> {
    let Some((host, _)) = request_host(&req) else {
        return Ok(plain_response(
            400,
            "text/plain",
            b"gotrust lab proxy: no host\n".to_vec(),
        ));
    };
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    if !fwd.intercept && !is_lab_host(&host) {
        let body = format!(
            "gotrust lab proxy: {host} is not a lab host (*.{LAB_DOMAIN}); the lab reaches nothing else\n"
        );
        return Ok(plain_response(502, "text/plain", body.into_bytes()));
    }
    if req.method() == Method::CONNECT {
        if fwd.http_only.contains(&host.to_ascii_lowercase()) {
            let body = format!("gotrust lab proxy: {host} serves plain http only\n");
            return Ok(plain_response(502, "text/plain", body.into_bytes()));
        }
        let config = match fwd.ca.config_for(&host) {
            Ok(c) => c,
            Err(e) => {
                let body = format!("gotrust lab proxy: certificate for {host}: {e}\n");
                return Ok(plain_response(502, "text/plain", body.into_bytes()));
            }
        };
        let upgrade = hyper::upgrade::on(&mut req);
        let fwd = fwd.clone();
        tokio::spawn(async move {
            let Ok(upgraded) = upgrade.await else {
                return;
            };
            let Ok(tls) = TlsAcceptor::from(config)
                .accept(TokioIo::new(upgraded))
                .await
            else {
                return;
            };
            let svc = {
                let fwd = fwd.clone();
                service_fn(move |req| virtual_host(fwd.clone(), true, req))
            };
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(tls), svc)
                .await;
        });
        // A 2xx answer to CONNECT carries no Content-Length (RFC 9110 section 9.3.6): the
        // tunnel starts right after the head.
        let mut ok = plain_response(200, "text/plain", Vec::new());
        ok.headers_mut().clear();
        return Ok(ok);
    }
    virtual_host(fwd, false, req).await
}

/// Serves one request for a virtual host: a go-import page for `?go-get=1`, else the lab.
async fn virtual_host(
    fwd: Arc<Forward>,
    tls: bool,
    req: Request<Incoming>,
) -> Result<Response<LabBody>, BoxError> {
    let go_get = req
        .uri()
        .query()
        .is_some_and(|q| q.split('&').any(|kv| kv == "go-get=1"));
    if go_get {
        let host = request_host(&req).map(|(h, _)| h).unwrap_or_default();
        return Ok(go_import_page(&fwd.shared, &host, req.uri().path(), tls));
    }
    handle(
        fwd.shared.clone(),
        Arc::new(AtomicBool::new(false)),
        tls,
        req,
    )
    .await
}

/// The `?go-get=1` page for `host/path`: the lab module that is a prefix of it, declared
/// with the `mod` VCS type and this virtual host as its module proxy
/// (`cmd/go/internal/vcs` `RepoRootForImportPath`, `metaImportsForPrefix`).
fn go_import_page(shared: &Shared, host: &str, path: &str, tls: bool) -> Response<LabBody> {
    let import_path = format!("{host}{}", path.trim_end_matches('/'));
    let state = shared.state.read().unwrap_or_else(|e| e.into_inner());
    let root = state
        .modules
        .iter()
        .map(|m| m.path.clone())
        .filter(|p| import_path == *p || import_path.starts_with(&format!("{p}/")))
        .max_by_key(String::len);
    match root {
        Some(root) => {
            let scheme = if tls { "https" } else { "http" };
            let body = format!(
                "<!DOCTYPE html>\n<html><head>\n<meta name=\"go-import\" content=\"{root} mod {scheme}://{host}\">\n</head><body>gotrust lab</body></html>\n"
            );
            plain_response(200, "text/html; charset=utf-8", body.into_bytes())
        }
        None => plain_response(
            404,
            "text/plain",
            format!("gotrust lab: no module for {import_path}\n").into_bytes(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lab_hosts() {
        assert!(is_lab_host("proxy.lab.test"));
        assert!(is_lab_host("LAB.TEST."));
        assert!(!is_lab_host("evil-lab.test"));
        assert!(!is_lab_host("proxy.golang.org"));
    }
}
