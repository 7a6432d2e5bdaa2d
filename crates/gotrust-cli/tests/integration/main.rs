//! Integration tests for the gotrust binary: it is run as a subprocess in a temporary directory
//! with a scrubbed environment (see `util.rs`).

mod audit;
mod cli;
mod credentials;
mod deadlines;
mod diagnose;
mod env;
mod errors;
mod explain;
mod lab;
mod probe;
mod report;
mod rules;
mod scan;
mod secrets;
mod servers;
mod terminal;
mod util;
mod verify_cache;
mod verify_sums;
