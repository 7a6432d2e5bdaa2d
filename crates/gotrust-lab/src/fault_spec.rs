//! The compact `--fault` syntax of `gotrust lab serve`: one [`Fault`] per spec.
//!
//! ```text
//! KIND[=ARG][@MODULE[@VERSION]][:ENDPOINT]
//! ```
//!
//! KIND is a fault name as in scenario files and the request log; ARG is the kind's parameter
//! (`status=500`, `latency=200ms`, `stall=1024/2s`, `truncate=100`, `oversized=1048576`,
//! `rolled-back=3`, `polluted=v1.0.0`); kinds without a parameter take none. MODULE and VERSION
//! restrict the fault to one module (version); ENDPOINT to one kind of request. Module paths and
//! versions never contain `@` or `:`, so the split is unambiguous.

use crate::{Endpoint, Fault, FaultKind};
use thiserror::Error;

/// Text for `--help`.
pub const HELP: &str = "\
FAULT syntax: KIND[=ARG][@MODULE[@VERSION]][:ENDPOINT]
  e.g. status=500@example.com/m@v1.0.0:zip, tamper-zip@example.com/m@v1.0.0, forked-tree,
  latency=200ms
Kinds without ARG: tamper-zip, tamper-go-mod, wrong-hash, forked-tree, bad-signature,
  foreign-signature, reset; with --tls: plaintext-only, untrusted-cert, redirect-to-http
Kinds with ARG: status=CODE, latency=DURATION, stall=BYTES/DURATION, truncate=BYTES,
  oversized=BYTES, rolled-back=SIZE, polluted=VERSION (VERSION's content answers for
  MODULE@VERSION)
DURATION: 250ms, 2s or a number of milliseconds
ENDPOINT: list, info, mod, zip, latest, supported, lookup, tile, tree-head";

/// A fault in the `--fault` syntax: what [`parse`] reads back.
pub fn to_spec(f: &Fault) -> String {
    use FaultKind as K;
    let mut s = f.kind.name().to_owned();
    match &f.kind {
        K::Status { status } => s += &format!("={status}"),
        K::Latency { ms } => s += &format!("={ms}ms"),
        K::Stall { after_bytes, ms } => s += &format!("={after_bytes}/{ms}ms"),
        K::Truncate { bytes } | K::Oversized { bytes } => s += &format!("={bytes}"),
        K::RolledBack { size } => s += &format!("={size}"),
        K::Polluted { serve } => s += &format!("={serve}"),
        _ => {}
    }
    if let Some(m) = &f.module {
        s += &format!("@{m}");
        if let Some(v) = &f.version {
            s += &format!("@{v}");
        }
    }
    if let Some(e) = f.endpoint {
        let name = serde_json::to_value(e)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        s += &format!(":{name}");
    }
    if let Some(p) = &f.path_prefix {
        s += &format!(" (paths under {p})");
    }
    s
}

/// Why a `--fault` value was rejected; every variant carries the whole spec.
#[derive(Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum FaultSpecError {
    /// The kind is not a fault name.
    #[error("unknown fault kind `{kind}` in `{spec}`")]
    UnknownKind {
        /// The whole spec.
        spec: String,
        /// The kind given.
        kind: String,
    },
    /// The kind needs `=ARG`.
    #[error("fault `{kind}` needs a value (`{kind}=...`) in `{spec}`")]
    MissingArg {
        /// The whole spec.
        spec: String,
        /// The kind.
        kind: String,
    },
    /// The kind takes no `=ARG`.
    #[error("fault `{kind}` takes no value in `{spec}`")]
    UnexpectedArg {
        /// The whole spec.
        spec: String,
        /// The kind.
        kind: String,
    },
    /// The value does not parse.
    #[error("bad value `{value}` for fault `{kind}` in `{spec}`: {reason}")]
    BadArg {
        /// The whole spec.
        spec: String,
        /// The kind.
        kind: String,
        /// The value given.
        value: String,
        /// What was expected.
        reason: &'static str,
    },
    /// The endpoint is not one the lab knows.
    #[error("unknown endpoint `{endpoint}` in `{spec}`")]
    UnknownEndpoint {
        /// The whole spec.
        spec: String,
        /// The endpoint given.
        endpoint: String,
    },
    /// `@` with nothing after it, or a module@version with an empty part.
    #[error("empty module or version after `@` in `{spec}`")]
    EmptyScope {
        /// The whole spec.
        spec: String,
    },
}

/// Parses one `--fault` value.
pub fn parse(spec: &str) -> Result<Fault, FaultSpecError> {
    let err_spec = || spec.to_owned();
    let (rest, endpoint) = match spec.rsplit_once(':') {
        Some((rest, e)) => (
            rest,
            Some(
                parse_endpoint(e).ok_or_else(|| FaultSpecError::UnknownEndpoint {
                    spec: err_spec(),
                    endpoint: e.to_owned(),
                })?,
            ),
        ),
        None => (spec, None),
    };
    let (kind_part, scope) = match rest.split_once('@') {
        Some((k, s)) => (k, Some(s)),
        None => (rest, None),
    };
    let (name, arg) = match kind_part.split_once('=') {
        Some((n, a)) => (n, Some(a)),
        None => (kind_part, None),
    };
    let kind = parse_kind(spec, name, arg)?;
    let mut fault = Fault::new(kind);
    if let Some(scope) = scope {
        let (module, version) = match scope.split_once('@') {
            Some((m, v)) => (m, Some(v)),
            None => (scope, None),
        };
        if module.is_empty() || version.is_some_and(str::is_empty) {
            return Err(FaultSpecError::EmptyScope { spec: err_spec() });
        }
        fault = match version {
            Some(v) => fault.module_version(module, v),
            None => fault.module(module),
        };
    }
    if let Some(e) = endpoint {
        fault = fault.endpoint(e);
    }
    Ok(fault)
}

fn parse_endpoint(s: &str) -> Option<Endpoint> {
    Some(match s {
        "list" => Endpoint::List,
        "info" => Endpoint::Info,
        "mod" => Endpoint::Mod,
        "zip" => Endpoint::Zip,
        "latest" => Endpoint::Latest,
        "supported" => Endpoint::Supported,
        "lookup" => Endpoint::Lookup,
        "tile" => Endpoint::Tile,
        "tree-head" => Endpoint::TreeHead,
        _ => return None,
    })
}

fn parse_kind(spec: &str, name: &str, arg: Option<&str>) -> Result<FaultKind, FaultSpecError> {
    let missing = || FaultSpecError::MissingArg {
        spec: spec.to_owned(),
        kind: name.to_owned(),
    };
    let bad = |value: &str, reason: &'static str| FaultSpecError::BadArg {
        spec: spec.to_owned(),
        kind: name.to_owned(),
        value: value.to_owned(),
        reason,
    };
    let number = |v: &str| v.parse::<u64>().map_err(|_| bad(v, "expected a number"));
    let plain = |k: FaultKind| match arg {
        None => Ok(k),
        Some(_) => Err(FaultSpecError::UnexpectedArg {
            spec: spec.to_owned(),
            kind: name.to_owned(),
        }),
    };
    match name {
        "tamper-zip" => plain(FaultKind::TamperZip),
        "tamper-go-mod" => plain(FaultKind::TamperGoMod),
        "wrong-hash" => plain(FaultKind::WrongHash),
        "forked-tree" => plain(FaultKind::ForkedTree),
        "bad-signature" => plain(FaultKind::BadSignature),
        "foreign-signature" => plain(FaultKind::ForeignSignature),
        "reset" => plain(FaultKind::Reset),
        "plaintext-only" => plain(FaultKind::PlaintextOnly),
        "untrusted-cert" => plain(FaultKind::UntrustedCert),
        "redirect-to-http" => plain(FaultKind::RedirectToHttp),
        _ => {
            let known = [
                "status",
                "latency",
                "stall",
                "truncate",
                "oversized",
                "rolled-back",
                "polluted",
            ];
            if !known.contains(&name) {
                return Err(FaultSpecError::UnknownKind {
                    spec: spec.to_owned(),
                    kind: name.to_owned(),
                });
            }
            let v = arg.ok_or_else(missing)?;
            Ok(match name {
                "status" => {
                    let status = v
                        .parse::<u16>()
                        .ok()
                        .filter(|s| (100..=599).contains(s))
                        .ok_or_else(|| bad(v, "expected an HTTP status 100-599"))?;
                    FaultKind::Status { status }
                }
                "latency" => FaultKind::Latency {
                    ms: duration_ms(v)
                        .ok_or_else(|| bad(v, "expected 250ms, 2s or milliseconds"))?,
                },
                "stall" => {
                    let (b, d) = v
                        .split_once('/')
                        .ok_or_else(|| bad(v, "expected BYTES/DURATION"))?;
                    FaultKind::Stall {
                        after_bytes: number(b)?,
                        ms: duration_ms(d).ok_or_else(|| bad(v, "expected BYTES/DURATION"))?,
                    }
                }
                "truncate" => FaultKind::Truncate { bytes: number(v)? },
                "oversized" => FaultKind::Oversized { bytes: number(v)? },
                "rolled-back" => FaultKind::RolledBack {
                    size: v.parse().map_err(|_| bad(v, "expected a tree size"))?,
                },
                _ => {
                    if v.is_empty() {
                        return Err(bad(v, "expected a version"));
                    }
                    FaultKind::Polluted {
                        serve: v.to_owned(),
                    }
                }
            })
        }
    }
}

/// `250ms`, `2s` or a bare number of milliseconds.
fn duration_ms(s: &str) -> Option<u64> {
    if let Some(ms) = s.strip_suffix("ms") {
        ms.parse().ok()
    } else if let Some(secs) = s.strip_suffix('s') {
        secs.parse::<u64>().ok()?.checked_mul(1000)
    } else {
        s.parse().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples_from_the_help() {
        assert_eq!(
            parse("status=500@example.com/m@v1.0.0:zip"),
            Ok(Fault::new(FaultKind::Status { status: 500 })
                .module_version("example.com/m", "v1.0.0")
                .endpoint(Endpoint::Zip))
        );
        assert_eq!(
            parse("tamper-zip@example.com/m@v1.0.0"),
            Ok(Fault::new(FaultKind::TamperZip).module_version("example.com/m", "v1.0.0"))
        );
        assert_eq!(parse("forked-tree"), Ok(Fault::new(FaultKind::ForkedTree)));
        assert_eq!(
            parse("latency=200ms"),
            Ok(Fault::new(FaultKind::Latency { ms: 200 }))
        );
    }

    #[test]
    fn every_kind_with_its_argument() {
        let cases: &[(&str, FaultKind)] = &[
            ("tamper-go-mod", FaultKind::TamperGoMod),
            ("wrong-hash", FaultKind::WrongHash),
            ("bad-signature", FaultKind::BadSignature),
            ("foreign-signature", FaultKind::ForeignSignature),
            ("reset", FaultKind::Reset),
            ("plaintext-only", FaultKind::PlaintextOnly),
            ("untrusted-cert", FaultKind::UntrustedCert),
            ("redirect-to-http", FaultKind::RedirectToHttp),
            ("latency=2s", FaultKind::Latency { ms: 2000 }),
            ("latency=15", FaultKind::Latency { ms: 15 }),
            (
                "stall=1024/1s",
                FaultKind::Stall {
                    after_bytes: 1024,
                    ms: 1000,
                },
            ),
            ("truncate=100", FaultKind::Truncate { bytes: 100 }),
            ("oversized=4096", FaultKind::Oversized { bytes: 4096 }),
            ("rolled-back=3", FaultKind::RolledBack { size: 3 }),
            (
                "polluted=v1.0.0@example.com/m@v1.9.9",
                FaultKind::Polluted {
                    serve: "v1.0.0".into(),
                },
            ),
        ];
        for (spec, kind) in cases {
            let f = parse(spec).unwrap();
            assert_eq!(&f.kind, kind, "{spec}");
            // The spec's kind is the name used in scenario files and the log.
            assert!(spec.starts_with(kind.name()), "{spec}");
        }
        let f = parse("reset@example.com/m:lookup").unwrap();
        assert_eq!(f.module.as_deref(), Some("example.com/m"));
        assert_eq!(f.version, None);
        assert_eq!(f.endpoint, Some(Endpoint::Lookup));
        assert_eq!(
            parse("status=503:tree-head").unwrap().endpoint,
            Some(Endpoint::TreeHead)
        );
    }

    #[test]
    fn errors_name_the_spec() {
        let e = |s: &str| parse(s).unwrap_err();
        assert!(
            matches!(e("explode"), FaultSpecError::UnknownKind { kind, .. } if kind == "explode")
        );
        assert!(matches!(e("status"), FaultSpecError::MissingArg { .. }));
        assert!(matches!(e("status=abc"), FaultSpecError::BadArg { .. }));
        assert!(matches!(e("status=99"), FaultSpecError::BadArg { .. }));
        assert!(matches!(e("status=600"), FaultSpecError::BadArg { .. }));
        assert!(matches!(e("latency=fast"), FaultSpecError::BadArg { .. }));
        assert!(matches!(e("stall=10"), FaultSpecError::BadArg { .. }));
        assert!(matches!(e("reset=1"), FaultSpecError::UnexpectedArg { .. }));
        assert!(
            matches!(e("reset:zap"), FaultSpecError::UnknownEndpoint { endpoint, .. } if endpoint == "zap")
        );
        assert!(matches!(e("reset@"), FaultSpecError::EmptyScope { .. }));
        assert!(matches!(
            e("reset@example.com/m@"),
            FaultSpecError::EmptyScope { .. }
        ));
        assert!(matches!(e("polluted="), FaultSpecError::BadArg { .. }));
        assert!(
            e("status=abc@example.com/m")
                .to_string()
                .contains("`status=abc@example.com/m`")
        );
    }
}
