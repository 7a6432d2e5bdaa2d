//! A tiny loopback HTTP/1.1 server (plain or TLS) for the net tests: each request is answered
//! by a closure, every request head is recorded, connections close after one answer.
#![allow(dead_code)]

pub mod modules;
pub mod testdb;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;

/// What the server sends back.
#[derive(Clone, Debug)]
pub enum Reply {
    /// Status, content type, body.
    Status(u16, &'static str, Vec<u8>),
    /// Redirect status and Location.
    Redirect(u16, String),
    /// 200 with a head announcing `len` bytes, then `sent` bytes, then silence.
    Stall { len: usize, sent: usize },
    /// 200 with chunked encoding of `n` bytes (no Content-Length).
    Chunked(usize),
    /// 200 with this body after a pause of this many milliseconds.
    Slow(u64, Vec<u8>),
}

impl Reply {
    pub fn ok(body: impl Into<Vec<u8>>) -> Reply {
        Reply::Status(200, "application/octet-stream", body.into())
    }
    pub fn text(code: u16, body: &str) -> Reply {
        Reply::Status(code, "text/plain; charset=utf-8", body.as_bytes().to_vec())
    }
}

/// One recorded request.
#[derive(Clone, Debug)]
pub struct Seen {
    pub path: String,
    pub head: String,
}

type Handler = Arc<dyn Fn(&str) -> Reply + Send + Sync>;

pub struct Server {
    pub addr: SocketAddr,
    pub seen: Arc<Mutex<Vec<Seen>>>,
    /// Highest number of requests being answered at the same time.
    pub peak: Arc<AtomicUsize>,
}

impl Server {
    pub fn paths(&self) -> Vec<String> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .map(|s| s.path.clone())
            .collect()
    }
}

pub struct Tls {
    pub acceptor: tokio_rustls::TlsAcceptor,
    /// PEM of the CA that signed the server certificate.
    pub ca_pem: String,
}

/// A CA and a leaf for localhost / 127.0.0.1 / ::1, as rustls server config.
pub fn make_tls() -> Tls {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "gotrust test CA");
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let leaf_key = rcgen::KeyPair::generate().unwrap();
    let mut leaf_params = rcgen::CertificateParams::new(vec![
        "localhost".to_string(),
        "127.0.0.1".to_string(),
        "::1".to_string(),
    ])
    .unwrap();
    leaf_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "gotrust test server");
    let leaf = leaf_params.signed_by(&leaf_key, &issuer).unwrap();
    let chain = vec![leaf.der().clone(), ca_cert.der().clone()];
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into());
    let mut cfg = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
    Tls {
        acceptor: tokio_rustls::TlsAcceptor::from(Arc::new(cfg)),
        ca_pem: ca_cert.pem(),
    }
}

/// Starts a server on 127.0.0.1 (TLS when `tls` is given).
pub async fn start(
    tls: Option<tokio_rustls::TlsAcceptor>,
    handler: impl Fn(&str) -> Reply + Send + Sync + 'static,
) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let handler: Handler = Arc::new(handler);
    let seen2 = seen.clone();
    let active = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let (active2, peak2) = (active.clone(), peak.clone());
    tokio::spawn(async move {
        loop {
            let Ok((sock, _)) = listener.accept().await else {
                return;
            };
            let handler = handler.clone();
            let seen = seen2.clone();
            let tls = tls.clone();
            let counters = (active2.clone(), peak2.clone());
            tokio::spawn(async move {
                match tls {
                    Some(acc) => {
                        if let Ok(s) = acc.accept(sock).await {
                            serve(s, handler, seen, counters).await;
                        }
                    }
                    None => serve(sock, handler, seen, counters).await,
                }
            });
        }
    });
    Server { addr, seen, peak }
}

struct Dec(Arc<AtomicUsize>);
impl Drop for Dec {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn serve<S: AsyncRead + AsyncWrite + Unpin>(
    mut s: S,
    handler: Handler,
    seen: Arc<Mutex<Vec<Seen>>>,
    (active, peak): (Arc<AtomicUsize>, Arc<AtomicUsize>),
) {
    let mut buf = Vec::new();
    let mut tmp = [0u8; 4096];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        match s.read(&mut tmp).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&tmp[..n]),
        }
        if buf.len() > 64 << 10 {
            return;
        }
    }
    let head = String::from_utf8_lossy(&buf).into_owned();
    let path = head.split_whitespace().nth(1).unwrap_or("").to_string();
    seen.lock().unwrap().push(Seen {
        path: path.clone(),
        head,
    });
    // A request counts as being answered from its head's arrival until the answer starts
    // going out: a client cannot finish (and start another request) before that.
    let now = active.fetch_add(1, Ordering::SeqCst) + 1;
    peak.fetch_max(now, Ordering::SeqCst);
    let guard = Dec(active);
    let reply = handler(&path);
    let out: Vec<u8> = match reply {
        Reply::Status(code, ct, body) => {
            let mut v = format!(
                "HTTP/1.1 {code} {}\r\nContent-Type: {ct}\r\nContent-Length: {}\r\nCache-Control: max-age=60\r\nX-Cache: HIT\r\nConnection: close\r\n\r\n",
                reason(code),
                body.len()
            )
            .into_bytes();
            v.extend_from_slice(&body);
            v
        }
        Reply::Redirect(code, loc) => format!(
            "HTTP/1.1 {code} {}\r\nLocation: {loc}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            reason(code)
        )
        .into_bytes(),
        Reply::Stall { len, sent } => {
            drop(guard);
            let mut v = format!("HTTP/1.1 200 OK\r\nContent-Length: {len}\r\n\r\n").into_bytes();
            v.extend(std::iter::repeat_n(b'a', sent));
            let _ = s.write_all(&v).await;
            let _ = s.flush().await;
            tokio::time::sleep(Duration::from_secs(30)).await;
            return;
        }
        Reply::Slow(ms, body) => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            let mut v = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            )
            .into_bytes();
            v.extend_from_slice(&body);
            v
        }
        Reply::Chunked(n) => {
            let mut v =
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                    .to_vec();
            let mut left = n;
            while left > 0 {
                let c = left.min(8192);
                v.extend_from_slice(format!("{c:x}\r\n").as_bytes());
                v.extend(std::iter::repeat_n(b'z', c));
                v.extend_from_slice(b"\r\n");
                left -= c;
            }
            v.extend_from_slice(b"0\r\n\r\n");
            v
        }
    };
    drop(guard);
    let _ = s.write_all(&out).await;
    let _ = s.flush().await;
    let _ = s.shutdown().await;
}

fn reason(code: u16) -> &'static str {
    match code {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        307 => "Temporary Redirect",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        410 => "Gone",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Other",
    }
}
