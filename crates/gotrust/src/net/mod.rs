//! Network access: the HTTP client with limits ([`http`]), Go's proxy-selection and
//! credential rules ([`proxyenv`], [`auth`]), the GOPROXY protocol client and the fallback walk
//! ([`goproxy`]).
//!
//! Everything here is async (tokio); CPU-heavy hashing of downloaded files is handed to
//! blocking tasks. Nothing prints: each exchange is returned as a record for the report.

pub mod auth;
pub mod error;
pub mod goproxy;
pub mod http;
pub mod proxyenv;
pub mod tls;

pub use error::{FetchError, FetchErrorKind, TimeoutPhase};
pub use goproxy::{Hop, HopKind, ProxyClient, ProxyError, try_proxies};
pub use http::{Exchange, HttpClient, HttpConfig, LogEntry, RedirectHop, TlsPeer, limits};
