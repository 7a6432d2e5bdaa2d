//! The gotrust engine: what the Go toolchain really trusts when it fetches modules.
//!
//! The engine returns data; renderers in [`report`] format it. Nothing here prints.
//!
//! Data flow: sources (process environment, user go env file, `$GOROOT/go.env`, defaults)
//! -> [`env::GoEnv`] (each value with its origin) -> parsed settings -> [`route`] plans and
//! [`audit`] rules -> [`report::Report`] -> a renderer.
#![deny(missing_docs)]

pub mod audit;
pub mod diagnose;
pub mod env;
pub mod net;
pub mod policy;
pub mod probe;
mod process;
pub mod redact;
pub mod report;
pub mod route;
pub mod scan;
pub mod settings;
pub mod verify;
