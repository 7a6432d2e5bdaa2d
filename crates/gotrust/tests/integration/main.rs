//! The engine's integration tests: one binary, one module per area, sharing the loopback
//! servers and helpers in `net_server`.

mod audit;
mod diagnose;
mod diagnose_lab;
mod env_oracle;
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
