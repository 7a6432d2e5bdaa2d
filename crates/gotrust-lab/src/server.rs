//! The HTTP side: one hyper service serving the GOPROXY protocol and the
//! checksum database, with faults applied per request, and the accept loop
//! (plain or TLS) where connection-level faults live.
//!
//! hyper is used directly rather than through a router because module paths
//! contain slashes and connection resets need the socket itself.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::future::Future as _;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use hyper::body::{Body, Frame, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::time::Sleep;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;

use gomod::module::{unescape_path, unescape_version};

use crate::LabError;
use crate::backend;
use crate::fault::{Endpoint, Fault, FaultKind, RequestTarget};
use crate::modules::ModuleSet;
use crate::reqlog::{LogEntry, RequestLog, rfc3339};
use crate::treelog::TreeLog;

/// State shared by every connection.
pub(crate) struct Shared {
    pub name: String,
    pub skey: String,
    pub foreign_skey: Option<String>,
    pub faults: Vec<Fault>,
    pub state: RwLock<State>,
    pub log: RequestLog,
}

/// What the lab serves; replaced or grown by `add_modules_dir`.
pub(crate) struct State {
    pub modules: ModuleSet,
    pub tree: TreeLog,
}

const TEXT: &str = "text/plain; charset=utf-8";
const JSON: &str = "application/json";
const BINARY: &str = "application/octet-stream";
const ZIP: &str = "application/zip";

/// How the body is delivered.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Delivery {
    Normal,
    Stall { after: u64, pause: Duration },
    Truncate(u64),
    Pad(u64),
    Reset,
}

struct Reply {
    status: u16,
    content_type: &'static str,
    body: Vec<u8>,
    location: Option<String>,
    latency: Duration,
    delivery: Delivery,
    faults: Vec<&'static str>,
}

impl Reply {
    fn ok(content_type: &'static str, body: Vec<u8>) -> Reply {
        Reply {
            status: 200,
            content_type,
            body,
            location: None,
            latency: Duration::ZERO,
            delivery: Delivery::Normal,
            faults: Vec::new(),
        }
    }

    fn text(status: u16, msg: impl Into<String>) -> Reply {
        let mut msg = msg.into();
        msg.push('\n');
        Reply {
            status,
            ..Reply::ok(TEXT, msg.into_bytes())
        }
    }

    fn not_found(msg: impl Into<String>) -> Reply {
        Reply::text(404, format!("not found: {}", msg.into()))
    }
}

/// Percent-decodes a URL path; `None` on a malformed escape or non-UTF-8 result.
pub(crate) fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = b.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// A request the lab understands.
#[derive(Debug, PartialEq)]
enum Route {
    List(String),
    Info(String, String),
    Mod(String, String),
    Zip(String, String),
    Latest(String),
    Supported,
    Lookup(String, String),
    Tile(String),
    TreeHead,
    Bad(String),
    Unknown,
}

impl Route {
    fn endpoint(&self) -> Option<Endpoint> {
        Some(match self {
            Route::List(_) => Endpoint::List,
            Route::Info(..) => Endpoint::Info,
            Route::Mod(..) => Endpoint::Mod,
            Route::Zip(..) => Endpoint::Zip,
            Route::Latest(_) => Endpoint::Latest,
            Route::Supported => Endpoint::Supported,
            Route::Lookup(..) => Endpoint::Lookup,
            Route::Tile(_) => Endpoint::Tile,
            Route::TreeHead => Endpoint::TreeHead,
            Route::Bad(_) | Route::Unknown => return None,
        })
    }

    fn module(&self) -> Option<(&str, Option<&str>)> {
        match self {
            Route::List(m) | Route::Latest(m) => Some((m, None)),
            Route::Info(m, v) | Route::Mod(m, v) | Route::Zip(m, v) | Route::Lookup(m, v) => {
                Some((m, Some(v)))
            }
            _ => None,
        }
    }
}

fn route(path: &str, name: &str) -> Route {
    let sumdb_prefix = format!("/sumdb/{name}");
    let db = if let Some(rest) = path.strip_prefix(&sumdb_prefix) {
        if rest == "/supported" {
            return Route::Supported;
        }
        Some(rest)
    } else if path.starts_with("/lookup/") || path.starts_with("/tile/") || path == "/latest" {
        Some(path)
    } else {
        None
    };
    if let Some(rest) = db {
        if rest == "/latest" {
            return Route::TreeHead;
        }
        if let Some(key) = rest.strip_prefix("/lookup/") {
            // The key syntax x/mod's reference server accepts.
            let Some((m, v)) = gomod::sumdb::parse_lookup_key(key) else {
                return Route::Bad(format!("invalid module@version syntax: {key}"));
            };
            return match (unescape_path(m), unescape_version(v)) {
                (Ok(m), Ok(v)) => Route::Lookup(m, v),
                (Err(e), _) | (_, Err(e)) => Route::Bad(e.to_string()),
            };
        }
        if let Some(t) = rest.strip_prefix('/')
            && t.starts_with("tile/")
        {
            return Route::Tile(t.to_string());
        }
        return Route::Unknown;
    }
    let Some(p) = path.strip_prefix('/') else {
        return Route::Unknown;
    };
    if let Some(enc) = p.strip_suffix("/@latest") {
        return match unescape_path(enc) {
            Ok(m) => Route::Latest(m),
            Err(e) => Route::Bad(e.to_string()),
        };
    }
    let Some((enc, file)) = p.split_once("/@v/") else {
        return Route::Unknown;
    };
    let m = match unescape_path(enc) {
        Ok(m) => m,
        Err(e) => return Route::Bad(e.to_string()),
    };
    if file == "list" {
        return Route::List(m);
    }
    let Some((ev, ext)) = file.rsplit_once('.') else {
        return Route::Unknown;
    };
    let v = match unescape_version(ev) {
        Ok(v) => v,
        Err(e) => return Route::Bad(e.to_string()),
    };
    match ext {
        "info" => Route::Info(m, v),
        "mod" => Route::Mod(m, v),
        "zip" => Route::Zip(m, v),
        _ => Route::Unknown,
    }
}

/// Flips the last byte of every signature in a signed note, keeping its
/// framing and key hash, so only the signature check can fail.
fn corrupt_signatures(note: &[u8]) -> Vec<u8> {
    use base64::Engine as _;
    let engine = base64::engine::general_purpose::STANDARD;
    let Ok(text) = std::str::from_utf8(note) else {
        return note.to_vec();
    };
    let Some(split) = text.find("\n\n") else {
        return note.to_vec();
    };
    let (head, sigs) = text.split_at(split + 2);
    let mut out = head.to_string();
    for line in sigs.lines() {
        match line.rsplit_once(' ') {
            Some((prefix, b64)) => match engine.decode(b64) {
                Ok(mut raw) if !raw.is_empty() => {
                    let last = raw.len() - 1;
                    raw[last] ^= 0x01;
                    out.push_str(&format!("{prefix} {}\n", engine.encode(raw)));
                }
                _ => out.push_str(&format!("{line}\n")),
            },
            None => out.push_str(&format!("{line}\n")),
        }
    }
    out.into_bytes()
}

impl Shared {
    fn matching<'a>(&'a self, target: &RequestTarget<'_>) -> Vec<&'a Fault> {
        self.faults.iter().filter(|f| f.matches(target)).collect()
    }

    /// The signed head of a tree of `n` records with root `hash`.
    fn signed_head(
        &self,
        n: usize,
        hash: &backend::Hash,
        faults: &[&Fault],
        applied: &mut Vec<&'static str>,
    ) -> Result<Vec<u8>, backend::BackendError> {
        let text = backend::tree_text(n as i64, *hash);
        let foreign = faults.iter().any(|f| f.kind == FaultKind::ForeignSignature);
        let key = match (&self.foreign_skey, foreign) {
            (Some(k), true) => {
                applied.push(FaultKind::ForeignSignature.name());
                k
            }
            _ => &self.skey,
        };
        let mut note = backend::sign_note(key, &text)?;
        if faults.iter().any(|f| f.kind == FaultKind::BadSignature) {
            applied.push(FaultKind::BadSignature.name());
            note = corrupt_signatures(&note);
        }
        Ok(note)
    }

    fn served_size(
        &self,
        tree: &TreeLog,
        faults: &[&Fault],
        applied: &mut Vec<&'static str>,
    ) -> usize {
        let mut n = tree.size();
        for f in faults {
            if let FaultKind::RolledBack { size } = f.kind {
                applied.push(f.kind.name());
                n = n.min(size);
            }
        }
        n
    }

    fn answer(&self, route: &Route, faults: &[&Fault], tls: bool) -> Reply {
        let mut applied: Vec<&'static str> = Vec::new();
        let state = self.state.read().unwrap_or_else(|p| p.into_inner());
        let mut reply = match self.content(&state, route, faults, &mut applied) {
            Ok(r) => r,
            Err(e) => Reply::text(500, format!("internal error: {e}")),
        };
        drop(state);
        for f in faults {
            match &f.kind {
                FaultKind::Status { status } => {
                    reply = Reply::text(*status, format!("lab fault: status {status}"));
                    applied.push(f.kind.name());
                }
                FaultKind::Latency { ms } => {
                    reply.latency += Duration::from_millis(*ms);
                    applied.push(f.kind.name());
                }
                FaultKind::Stall { after_bytes, ms } => {
                    reply.delivery = Delivery::Stall {
                        after: *after_bytes,
                        pause: Duration::from_millis(*ms),
                    };
                    applied.push(f.kind.name());
                }
                FaultKind::Truncate { bytes } => {
                    reply.delivery = Delivery::Truncate(*bytes);
                    applied.push(f.kind.name());
                }
                FaultKind::Oversized { bytes } => {
                    reply.delivery = Delivery::Pad(*bytes);
                    applied.push(f.kind.name());
                }
                FaultKind::Reset => {
                    reply.delivery = Delivery::Reset;
                    applied.push(f.kind.name());
                }
                FaultKind::RedirectToHttp if tls => {
                    reply = Reply::text(302, "lab fault: redirect to http");
                    reply.location = Some(String::new());
                    applied.push(f.kind.name());
                }
                _ => {}
            }
        }
        reply.faults.extend(applied);
        reply
    }

    fn content(
        &self,
        state: &State,
        route: &Route,
        faults: &[&Fault],
        applied: &mut Vec<&'static str>,
    ) -> Result<Reply, LabError> {
        let has = |k: &FaultKind| faults.iter().any(|f| &f.kind == k);
        // A version the lab lacks, answered with another's content.
        let polluted = |m: &str, v: &str| {
            if state.modules.get(m, v).is_some() {
                return None;
            }
            faults.iter().find_map(|f| match &f.kind {
                FaultKind::Polluted { serve } => state.modules.get(m, serve),
                _ => None,
            })
        };
        Ok(match route {
            Route::Unknown => Reply::text(404, "404 page not found"),
            Route::Bad(msg) => Reply::text(400, msg.clone()),
            Route::List(m) => {
                let vs: Vec<&str> = state
                    .modules
                    .versions(m)
                    .into_iter()
                    .filter(|v| !gomod::module::is_pseudo_version(v))
                    .collect();
                if state.modules.versions(m).is_empty() {
                    Reply::not_found(format!("module {m}: no versions"))
                } else {
                    let mut body = String::new();
                    for v in vs {
                        body.push_str(v);
                        body.push('\n');
                    }
                    Reply::ok(TEXT, body.into_bytes())
                }
            }
            Route::Latest(m) => match state.modules.latest(m) {
                Some(lm) => Reply::ok(JSON, lm.info.clone()),
                None => Reply::not_found(format!("module {m}: no versions")),
            },
            Route::Info(m, v) | Route::Mod(m, v) | Route::Zip(m, v) => {
                let (lm, pollution) = match state.modules.get(m, v) {
                    Some(lm) => (lm, false),
                    None => match polluted(m, v) {
                        Some(lm) => (lm, true),
                        None => return Ok(Reply::not_found(format!("{m}@{v}: unknown version"))),
                    },
                };
                if pollution {
                    applied.push("polluted");
                }
                match route {
                    Route::Info(..) if pollution => {
                        let info = String::from_utf8_lossy(&lm.info)
                            .replace(&format!("\"{}\"", lm.version), &format!("\"{v}\""));
                        Reply::ok(JSON, info.into_bytes())
                    }
                    Route::Info(..) => Reply::ok(JSON, lm.info.clone()),
                    Route::Mod(..) if has(&FaultKind::TamperGoMod) => {
                        applied.push(FaultKind::TamperGoMod.name());
                        let mut b = lm.go_mod.clone();
                        b.extend_from_slice(b"// tampered by the gotrust lab\n");
                        Reply::ok(TEXT, b)
                    }
                    Route::Mod(..) => Reply::ok(TEXT, lm.go_mod.clone()),
                    _ if has(&FaultKind::TamperZip) => {
                        applied.push(FaultKind::TamperZip.name());
                        let mut files = lm.files.clone();
                        files.push((
                            "zz_gotrust_lab_tampered.go".to_string(),
                            b"package tampered\n".to_vec(),
                        ));
                        Reply::ok(ZIP, backend::zip_from_files(&lm.path, &lm.version, &files)?)
                    }
                    _ => Reply::ok(ZIP, lm.zip.clone()),
                }
            }
            Route::Supported => Reply::ok(TEXT, Vec::new()),
            Route::TreeHead => {
                let n = self.served_size(&state.tree, faults, applied);
                let hash = state.tree.tree_hash(n)?;
                Reply::ok(TEXT, self.signed_head(n, &hash, faults, applied)?)
            }
            Route::Lookup(m, v) => {
                let n = self.served_size(&state.tree, faults, applied);
                let Some((id, rec)) = state.tree.lookup(m, v) else {
                    return Ok(Reply::not_found(format!("{m}@{v}: unknown module version")));
                };
                if faults.iter().any(|f| f.kind == FaultKind::WrongHash) {
                    applied.push(FaultKind::WrongHash.name());
                }
                let (text, hash) = if has(&FaultKind::ForkedTree) {
                    applied.push(FaultKind::ForkedTree.name());
                    let fork = fork_of(&state.tree, id, n)?;
                    (fork.records()[id].text.clone(), fork.tree_hash(n)?)
                } else {
                    (rec.text.clone(), state.tree.tree_hash(n)?)
                };
                let note = self.signed_head(n, &hash, faults, applied)?;
                Reply::ok(TEXT, backend::lookup_response(id as i64, &text, &note)?)
            }
            Route::Tile(t) => {
                let n = self.served_size(&state.tree, faults, applied);
                let tile = match backend::parse_tile(t) {
                    Ok(tile) => tile,
                    Err(_) => return Ok(Reply::text(400, format!("invalid tile syntax: {t}"))),
                };
                if let Some((start, count)) = backend::data_tile_range(&tile) {
                    let end = start.saturating_add(count);
                    if start < 0 || end > n as i64 {
                        return Ok(Reply::not_found(format!("tile {t} beyond tree size {n}")));
                    }
                    let mut body = Vec::new();
                    for r in &state.tree.records()[start as usize..end as usize] {
                        body.extend_from_slice(r.text.as_bytes());
                        body.push(b'\n');
                    }
                    Reply::ok(TEXT, body)
                } else {
                    match backend::hash_tile(&tile, n as i64, state.tree.stored())? {
                        Some(b) => Reply::ok(BINARY, b),
                        None => Reply::not_found(format!("tile {t} beyond tree size {n}")),
                    }
                }
            }
        })
    }
}

/// The log with record `id` altered (its hashes changed): a tree of the same
/// size that cannot be consistent with the real one.
fn fork_of(tree: &TreeLog, id: usize, n: usize) -> Result<TreeLog, LabError> {
    let mut fork = TreeLog::in_memory();
    for (i, r) in tree.records().iter().take(n.max(id + 1)).enumerate() {
        let text = if i == id {
            let bogus = backend::hash_go_mod(format!("gotrust lab fork of {}", r.text).as_bytes());
            r.text
                .lines()
                .map(|l| match l.rsplit_once(' ') {
                    Some((head, _)) => format!("{head} {bogus}\n"),
                    None => format!("{l}\n"),
                })
                .collect()
        } else {
            r.text.clone()
        };
        fork.append(&text)?;
    }
    Ok(fork)
}

/// A response body that can pause, be cut short, or be padded.
pub(crate) struct LabBody {
    parts: VecDeque<Part>,
    sleep: Option<Pin<Box<Sleep>>>,
}

enum Part {
    Data(Bytes),
    Zeros(u64),
    Pause(Duration),
    Fail,
}

static ZEROS: [u8; 64 * 1024] = [0; 64 * 1024];

/// A whole response with a fixed body (the forward proxy's own answers).
pub(crate) fn plain_response(status: u16, content_type: &str, body: Vec<u8>) -> Response<LabBody> {
    let len = body.len();
    let mut parts = VecDeque::new();
    parts.push_back(Part::Data(Bytes::from(body)));
    let mut r = Response::new(LabBody { parts, sleep: None });
    *r.status_mut() = hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::BAD_GATEWAY);
    if let Ok(v) = content_type.parse() {
        r.headers_mut().insert(hyper::header::CONTENT_TYPE, v);
    }
    r.headers_mut().insert(
        hyper::header::CONTENT_LENGTH,
        hyper::header::HeaderValue::from(len),
    );
    r
}

impl Body for LabBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        let this = &mut *self;
        loop {
            let Some(front) = this.parts.front_mut() else {
                return Poll::Ready(None);
            };
            match front {
                Part::Data(b) => {
                    let b = std::mem::take(b);
                    this.parts.pop_front();
                    if !b.is_empty() {
                        return Poll::Ready(Some(Ok(Frame::data(b))));
                    }
                }
                Part::Zeros(n) => {
                    let k = (*n).min(ZEROS.len() as u64);
                    *n -= k;
                    if *n == 0 {
                        this.parts.pop_front();
                    }
                    if k > 0 {
                        return Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(
                            &ZEROS[..k as usize],
                        )))));
                    }
                }
                Part::Pause(d) => {
                    let d = *d;
                    let sleep = this
                        .sleep
                        .get_or_insert_with(|| Box::pin(tokio::time::sleep(d)));
                    match sleep.as_mut().poll(cx) {
                        Poll::Pending => return Poll::Pending,
                        Poll::Ready(()) => {
                            this.sleep = None;
                            this.parts.pop_front();
                        }
                    }
                }
                Part::Fail => {
                    this.parts.pop_front();
                    return Poll::Ready(Some(Err(io::Error::other("gotrust lab: body cut short"))));
                }
            }
        }
    }
}

pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Answers one request of the proxy protocol or the checksum database.
pub(crate) async fn handle(
    shared: Arc<Shared>,
    reset: Arc<AtomicBool>,
    tls: bool,
    req: Request<Incoming>,
) -> Result<Response<LabBody>, BoxError> {
    let raw_path = req.uri().path().to_string();
    let method = req.method().as_str().to_string();
    let decoded = percent_decode(&raw_path);
    let route = match &decoded {
        Some(p) => route(p, &shared.name),
        None => Route::Bad(format!("malformed URL escape in {raw_path:?}")),
    };
    let dpath = decoded.as_deref().unwrap_or(&raw_path);
    let target = RequestTarget {
        path: dpath,
        endpoint: route.endpoint(),
        module: route.module(),
    };
    let faults = shared.matching(&target);
    let mut reply = if method == "GET" || method == "HEAD" {
        shared.answer(&route, &faults, tls)
    } else {
        Reply::text(405, "method not allowed")
    };
    if let Some(loc) = &mut reply.location
        && loc.is_empty()
    {
        let host = req
            .headers()
            .get(hyper::header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("127.0.0.1");
        *loc = format!("http://{host}{raw_path}");
    }
    let full_len = reply.body.len() as u64;
    let (announced, sent) = match reply.delivery {
        Delivery::Truncate(n) => (full_len, n.min(full_len)),
        Delivery::Pad(n) => (n.max(full_len), n.max(full_len)),
        Delivery::Reset => (0, 0),
        _ => (full_len, full_len),
    };
    shared.log.push(LogEntry {
        time: rfc3339(SystemTime::now()),
        method: method.clone(),
        path: raw_path,
        status: if reply.delivery == Delivery::Reset {
            0
        } else {
            reply.status
        },
        bytes: sent,
        fault: reply.faults.join(","),
    });
    if !reply.latency.is_zero() {
        tokio::time::sleep(reply.latency).await;
    }
    if reply.delivery == Delivery::Reset {
        reset.store(true, Ordering::SeqCst);
        return Err("gotrust lab: connection reset".into());
    }
    let body = Bytes::from(reply.body);
    let mut parts = VecDeque::new();
    if method != "HEAD" {
        match reply.delivery {
            Delivery::Normal | Delivery::Reset => parts.push_back(Part::Data(body)),
            Delivery::Stall { after, pause } => {
                let cut = (after.min(full_len)) as usize;
                parts.push_back(Part::Data(body.slice(..cut)));
                parts.push_back(Part::Pause(pause));
                parts.push_back(Part::Data(body.slice(cut..)));
            }
            Delivery::Truncate(_) => {
                parts.push_back(Part::Data(body.slice(..sent as usize)));
                // Let hyper flush what was sent before the connection drops;
                // otherwise the client sees no response at all.
                parts.push_back(Part::Pause(Duration::from_millis(50)));
                parts.push_back(Part::Fail);
            }
            Delivery::Pad(_) => {
                parts.push_back(Part::Data(body));
                parts.push_back(Part::Zeros(announced - full_len));
            }
        }
    }
    let mut resp = Response::builder()
        .status(reply.status)
        .header(hyper::header::CONTENT_TYPE, reply.content_type)
        .header(hyper::header::CONTENT_LENGTH, announced);
    if let Some(loc) = reply.location {
        resp = resp.header(hyper::header::LOCATION, loc);
    }
    Ok(resp.body(LabBody { parts, sleep: None })?)
}

async fn serve_conn(
    mut stream: TcpStream,
    shared: Arc<Shared>,
    tls: Option<Arc<ServerConfig>>,
    mut shutdown: watch::Receiver<bool>,
) {
    let reset = Arc::new(AtomicBool::new(false));
    let is_tls = tls.is_some();
    let svc = {
        let reset = reset.clone();
        service_fn(move |req| handle(shared.clone(), reset.clone(), is_tls, req))
    };
    let builder = http1::Builder::new();
    match tls {
        Some(cfg) => {
            let accepted = tokio::select! {
                r = TlsAcceptor::from(cfg).accept(&mut stream) => r,
                _ = shutdown.changed() => return,
            };
            if let Ok(tls_stream) = accepted {
                let conn = builder.serve_connection(TokioIo::new(tls_stream), svc);
                tokio::select! {
                    _ = conn => {}
                    _ = shutdown.changed() => {}
                }
            }
        }
        None => {
            let conn = builder.serve_connection(TokioIo::new(&mut stream), svc);
            tokio::select! {
                _ = conn => {}
                _ = shutdown.changed() => {}
            }
        }
    }
    if reset.load(Ordering::SeqCst) {
        // Zero linger turns the close into a TCP RST.
        let _ = stream.set_zero_linger();
    }
}

/// Accepts connections until `shutdown` turns true.
pub(crate) async fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    tls: Option<Arc<ServerConfig>>,
    mut shutdown: watch::Receiver<bool>,
) -> Result<(), Infallible> {
    loop {
        tokio::select! {
            r = listener.accept() => {
                if let Ok((stream, _)) = r {
                    tokio::spawn(serve_conn(stream, shared.clone(), tls.clone(), shutdown.clone()));
                }
            }
            _ = shutdown.changed() => return Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoding() {
        assert_eq!(
            percent_decode("/a/%21b/@v/v1.0.0-%21r%21c1.info").unwrap(),
            "/a/!b/@v/v1.0.0-!r!c1.info"
        );
        assert_eq!(percent_decode("/%2"), None);
        assert_eq!(percent_decode("/%zz"), None);
        assert_eq!(percent_decode("/%ff"), None);
    }

    #[test]
    fn routes() {
        let n = "sum.test";
        assert_eq!(
            route("/example.com/!a/@v/list", n),
            Route::List("example.com/A".into())
        );
        assert_eq!(
            route("/example.com/a/@v/v2.0.0+incompatible.zip", n),
            Route::Zip("example.com/a".into(), "v2.0.0+incompatible".into())
        );
        assert_eq!(
            route("/example.com/a/@v/v1.0.0-!r!c1.info", n),
            Route::Info("example.com/a".into(), "v1.0.0-RC1".into())
        );
        assert_eq!(
            route("/example.com/a/@latest", n),
            Route::Latest("example.com/a".into())
        );
        assert_eq!(route("/sumdb/sum.test/supported", n), Route::Supported);
        assert_eq!(route("/sumdb/sum.test/latest", n), Route::TreeHead);
        assert_eq!(route("/latest", n), Route::TreeHead);
        assert_eq!(
            route("/sumdb/sum.test/lookup/example.com/!a@v1.0.0", n),
            Route::Lookup("example.com/A".into(), "v1.0.0".into())
        );
        assert_eq!(
            route("/sumdb/sum.test/tile/8/0/000.p/3", n),
            Route::Tile("tile/8/0/000.p/3".into())
        );
        assert!(matches!(route("/example.com/A/@v/list", n), Route::Bad(_)));
        assert!(matches!(
            route("/sumdb/sum.test/lookup/nover", n),
            Route::Bad(_)
        ));
        assert_eq!(route("/favicon.ico", n), Route::Unknown);
        assert_eq!(route("/example.com/a/@v/v1.0.0.tar", n), Route::Unknown);
    }

    #[test]
    fn signature_corruption_keeps_framing() {
        use base64::Engine as _;
        let e = base64::engine::general_purpose::STANDARD;
        let sig = e.encode([1u8, 2, 3, 4, 5, 6]);
        let note = format!("text\n\n\u{2014} name {sig}\n");
        let bad = String::from_utf8(corrupt_signatures(note.as_bytes())).unwrap();
        assert_eq!(
            bad,
            format!("text\n\n\u{2014} name {}\n", e.encode([1u8, 2, 3, 4, 5, 7]))
        );
    }
}
