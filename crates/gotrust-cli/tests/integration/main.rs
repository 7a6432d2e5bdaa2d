//! Integration tests for the gotrust binary: it is run as a subprocess in a temporary directory
//! with a scrubbed environment (see `harness.rs`).

mod audit;
mod cli;
mod credentials;
mod deadlines;
mod diagnose;
mod env;
mod errors;
mod explain;
mod harness;
mod lab;
mod probe;
mod report;
mod rules;
mod scan;
mod secrets;
mod servers;
mod terminal;
mod verify_cache;
mod verify_sums;
