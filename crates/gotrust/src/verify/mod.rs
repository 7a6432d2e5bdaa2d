//! Verification: go.sum lines, proxies and the module cache against the checksum database.

pub mod proxy;
pub mod sums;
