//! The lab's integration tests: one binary, sharing the lab set-up in `harness`.

mod endpoints;
mod faults;
mod forward;
mod go_download;
mod harness;
