//! Loopback servers that fail in every way a hostile or broken network can: a refused port,
//! a connection reset, TLS answers with chosen statuses (recording what each request
//! carried), a plain-text port spoken to over https (a TLS error), and a slow drip.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// A loopback port nothing listens on (bound, then released).
pub fn refused_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

/// A port whose connections are reset: accepted, then closed with the request unread, which
/// makes the kernel answer with RST.
pub fn reset_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    thread::spawn(move || {
        for s in l.incoming().flatten() {
            thread::spawn(move || {
                thread::sleep(Duration::from_millis(100));
                drop(s);
            });
        }
    });
    port
}

/// A port answering every request with a plain-HTTP 200 and a body dripped one byte per
/// second (the `Content-Length` promises 10,000 bytes).
pub fn slow_drip_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    thread::spawn(move || {
        for s in l.incoming().flatten() {
            thread::spawn(move || {
                let mut s = s;
                let _ = read_head(&mut s);
                let _ = s.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 10000\r\n\r\n",
                );
                for _ in 0..10_000 {
                    if s.write_all(b"x").is_err() {
                        return;
                    }
                    thread::sleep(Duration::from_secs(1));
                }
            });
        }
    });
    port
}

/// One request a [`TlsServer`] saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// The request target.
    pub path: String,
    /// The Authorization header, if any.
    pub authorization: Option<String>,
}

/// An https server on loopback answering each path with the status of the longest matching
/// prefix (404 otherwise), a `text/plain` body, and recording every request.
pub struct TlsServer {
    addr: SocketAddr,
    log: Arc<Mutex<Vec<Seen>>>,
}

impl TlsServer {
    /// Starts the server with `config` (see `gotrust_lab::tls::generate`).
    pub fn start(config: Arc<rustls::ServerConfig>, routes: Vec<(&str, u16, &str)>) -> TlsServer {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = l.local_addr().expect("addr");
        let log = Arc::new(Mutex::new(Vec::new()));
        let routes: Arc<Vec<(String, u16, String)>> = Arc::new(
            routes
                .into_iter()
                .map(|(p, s, b)| (p.to_string(), s, b.to_string()))
                .collect(),
        );
        let thread_log = Arc::clone(&log);
        thread::spawn(move || {
            for tcp in l.incoming().flatten() {
                let config = Arc::clone(&config);
                let routes = Arc::clone(&routes);
                let log = Arc::clone(&thread_log);
                thread::spawn(move || {
                    let Ok(conn) = rustls::ServerConnection::new(config) else {
                        return;
                    };
                    let mut tls = rustls::StreamOwned::new(conn, tcp);
                    let Some(head) = read_head(&mut tls) else {
                        return;
                    };
                    let mut lines = head.lines();
                    let path = lines
                        .next()
                        .and_then(|l| l.split_whitespace().nth(1))
                        .unwrap_or("")
                        .to_string();
                    let authorization = lines.find_map(|l| {
                        let (k, v) = l.split_once(':')?;
                        k.eq_ignore_ascii_case("authorization")
                            .then(|| v.trim().to_string())
                    });
                    log.lock().expect("log").push(Seen {
                        path: path.clone(),
                        authorization,
                    });
                    let (status, body) = routes
                        .iter()
                        .filter(|(p, _, _)| path.starts_with(p.as_str()))
                        .max_by_key(|(p, _, _)| p.len())
                        .map(|(_, s, b)| (*s, b.clone()))
                        .unwrap_or((404, "not found".into()));
                    let reply = format!(
                        "HTTP/1.1 {status} X\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = tls.write_all(reply.as_bytes());
                    let _ = tls.flush();
                    tls.conn.send_close_notify();
                    let _ = tls.flush();
                });
            }
        });
        TlsServer { addr, log }
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Every request so far, in arrival order.
    pub fn seen(&self) -> Vec<Seen> {
        self.log.lock().expect("log").clone()
    }
}

/// A port that speaks plain HTTP: an https client gets a TLS error from it.
pub fn plain_http_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    thread::spawn(move || {
        for s in l.incoming().flatten() {
            thread::spawn(move || {
                let mut s = s;
                let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
                let mut buf = [0u8; 512];
                let _ = s.read(&mut buf);
                let _ = s.write_all(
                    b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                );
            });
        }
    });
    port
}

/// Reads a request head (up to the blank line), at most 64 KiB.
fn read_head(s: &mut impl Read) -> Option<String> {
    let mut r = BufReader::new(s);
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 || head.len() > 64 << 10 {
            return None;
        }
        if line == "\r\n" || line == "\n" {
            return Some(head);
        }
        head.push_str(&line);
    }
}
