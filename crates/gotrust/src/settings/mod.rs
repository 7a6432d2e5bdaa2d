//! Parsed settings: effective values of [`crate::env::GoEnv`] turned into typed
//! configurations, with errors carrying the go command's exact texts.
//!
//! Each submodule mirrors the Go code that consumes the variable; see their docs.

pub mod goflags;
pub mod httpproxy;
pub mod proxy;
pub mod sumdb;
pub mod url;
