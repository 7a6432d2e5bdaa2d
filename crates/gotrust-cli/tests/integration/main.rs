//! Integration tests for the gotrust binary: it is run as a subprocess in a temporary directory
//! with a scrubbed environment (see `util.rs`).

mod cli;
mod probe;
mod report;
mod util;
