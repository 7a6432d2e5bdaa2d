//! Network access: the HTTP client with limits ([`http`]), TLS roots and peer chains
//! ([`tls`]), credentials ([`auth`]), the GOPROXY protocol client and the fallback walk
//! ([`goproxy`]), the checksum-database client with its tree-head store and tile cache
//! ([`sumdb`]).
//!
//! Settings come parsed from [`crate::settings`]: HTTP(S)_PROXY/NO_PROXY decisions are
//! [`crate::settings::httpproxy::HttpProxyConfig`]'s (Go's), netrc parsing is
//! [`crate::settings::netrc`]'s, Go's root locations are [`crate::settings::tls::TlsRoots`].
//!
//! Everything here is async (tokio); CPU-heavy hashing of downloaded files is handed to
//! blocking tasks. Nothing prints: each exchange is returned as a record for the report.

pub mod auth;
pub mod error;
pub mod goproxy;
pub mod http;
mod record_pack;
pub mod sumdb;
pub mod tls;
pub mod truststore;

pub use error::{FetchError, FetchErrorKind, TimeoutPhase};
pub use goproxy::{Hop, HopKind, ProxyClient, ProxyError, try_proxies};
pub use http::{Exchange, HttpClient, HttpConfig, LogEntry, RedirectHop, TlsPeer, limits};
