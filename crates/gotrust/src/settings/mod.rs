//! Parsed settings: effective values of [`crate::env::GoEnv`] turned into typed
//! configurations, with errors carrying the go command's exact texts.
//!
//! Each submodule mirrors the Go code that consumes the variable; see their docs.

pub mod git;
pub mod goauth;
pub mod goflags;
pub mod govcs;
pub mod httpproxy;
pub mod netrc;
pub mod proxy;
pub mod sumdb;
pub mod tls;
pub mod url;
