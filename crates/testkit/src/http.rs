//! A tiny threaded HTTP/1.1 server on loopback for tests that watch what a
//! client (usually the real `go`) asks for.
//!
//! Each request is answered from a table of path prefixes -> (status, body)
//! and recorded, in order, so a test can compare the requests go made with
//! the route gotrust predicted. It speaks just enough HTTP for go's client:
//! one request per connection (`Connection: close`), no TLS, CONNECT answered
//! with 502 and recorded as `CONNECT host:port`.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;

/// How the server answers a path prefix.
#[derive(Clone, Debug)]
pub struct Answer {
    /// HTTP status code.
    pub status: u16,
    /// Response body.
    pub body: Vec<u8>,
}

/// A running server. Dropping it leaves the thread parked on accept; tests
/// are short-lived processes, so that is harmless.
pub struct StatusServer {
    addr: std::net::SocketAddr,
    log: Arc<Mutex<Vec<String>>>,
}

impl StatusServer {
    /// Starts a server. `routes` maps a path prefix (e.g. `/a/`) to the
    /// answer; the longest matching prefix wins; unmatched paths get 404.
    pub fn start(routes: Vec<(String, Answer)>) -> StatusServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        let log = Arc::new(Mutex::new(Vec::new()));
        let routes = Arc::new(routes);
        let thread_log = Arc::clone(&log);
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let routes = Arc::clone(&routes);
                let log = Arc::clone(&thread_log);
                thread::spawn(move || serve(stream, &routes, &log));
            }
        });
        StatusServer { addr, log }
    }

    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The request targets seen so far, in arrival order (`/path?query`, or
    /// `CONNECT host:port`).
    pub fn requests(&self) -> Vec<String> {
        self.log.lock().expect("request log").clone()
    }
}

fn serve(stream: TcpStream, routes: &[(String, Answer)], log: &Mutex<Vec<String>>) {
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return,
    });
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    // Drain headers.
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) if line == "\r\n" || line == "\n" => break,
            Ok(_) => {}
        }
    }
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or("");
    let target = parts.next().unwrap_or("").to_string();
    let mut stream = stream;
    if method == "CONNECT" {
        log.lock()
            .expect("request log")
            .push(format!("CONNECT {target}"));
        let _ = stream.write_all(
            b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        );
        return;
    }
    log.lock().expect("request log").push(target.clone());
    let path = target.split('?').next().unwrap_or("");
    let answer = routes
        .iter()
        .filter(|(prefix, _)| path.starts_with(prefix.as_str()))
        .max_by_key(|(prefix, _)| prefix.len())
        .map(|(_, a)| a.clone())
        .unwrap_or(Answer {
            status: 404,
            body: b"not found\n".to_vec(),
        });
    let head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        answer.status,
        reason(answer.status),
        answer.body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&answer.body);
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        403 => "Forbidden",
        404 => "Not Found",
        410 => "Gone",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    }
}
