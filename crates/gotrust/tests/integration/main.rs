//! The engine's integration tests: one binary, one module per area, sharing lab clients and
//! SARIF checks in `harness` and the loopback servers in `net_server`; the lab, go runs and
//! the x/mod oracle come from `testkit`.

mod audit;
mod diagnose;
mod diagnose_lab;
mod env_oracle;
mod harness;
mod net_goproxy;
mod net_goproxy_go;
mod net_http;
mod net_lab;
mod net_server;
mod net_sumdb;
mod net_sumdb_go;
mod probe;
mod report;
mod route_oracle;
mod scan;
mod verify_cache;
mod verify_proxy;
mod verify_store;
mod verify_sums;
