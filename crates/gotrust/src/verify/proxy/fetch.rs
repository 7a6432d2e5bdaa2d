//! Fetching one module version from one proxy: `.info`, `.mod`, `.zip` and `@v/list`, streamed
//! and hashed with go's size limits (`cmd/go/internal/modfetch/proxy.go`, `proxyRepo`).

use super::*;

pub(super) fn served_err(e: &ProxyError) -> Served {
    match answer_class(e) {
        AnswerClass::NotFound { .. } => {
            return Served::NotFound {
                message: e.to_string(),
            };
        }
        AnswerClass::Refused { status } => {
            return Served::Refused {
                status,
                message: e.to_string(),
            };
        }
        _ => {}
    }
    if matches!(e, ProxyError::ZipTooLarge) {
        // go's text does not name the limit; say it.
        Served::Failed {
            message: format!(
                "{e} (go's limit for a module zip is {} bytes)",
                crate::net::limits::ZIP
            ),
        }
    } else {
        Served::Failed {
            message: e.to_string(),
        }
    }
}

/// Why an `Origin` value is not what go decodes into `codehost.Origin` (an object whose
/// fields are strings; go refuses the whole `.info` otherwise), if it is not.
pub(super) fn origin_problem(origin: &serde_json::Value) -> Option<String> {
    let Some(obj) = origin.as_object() else {
        return Some(format!(
            "json: cannot unmarshal {} into Go struct field RevInfo.Origin of type codehost.Origin",
            json_kind(origin)
        ));
    };
    const FIELDS: &[&str] = &[
        "VCS",
        "URL",
        "Subdir",
        "Hash",
        "TagPrefix",
        "TagSum",
        "Ref",
        "RepoSum",
    ];
    for (k, v) in obj {
        let known = FIELDS.iter().find(|f| f.eq_ignore_ascii_case(k));
        if let Some(f) = known
            && !(v.is_string() || v.is_null())
        {
            return Some(format!(
                "json: cannot unmarshal {} into Go struct field Origin.Origin.{f} of type string",
                json_kind(v)
            ));
        }
    }
    None
}

pub(super) fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "bool",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}

pub(super) async fn fetch_source(
    http: &HttpClient,
    base: &str,
    t: &ProxyTarget,
    list: Option<&[String]>,
    temp_dir: &Path,
    findings: &mut Vec<ProxyFinding>,
) -> SourceResult {
    let redacted = crate::redact::redact_text(base);
    let blame = || Side::Proxy {
        url: redacted.clone(),
    };
    let client = match ProxyClient::new(http, base) {
        Ok(c) => c,
        Err(e) => {
            let f = Served::Failed {
                message: e.to_string(),
            };
            return SourceResult {
                proxy: redacted.clone(),
                info: f.clone(),
                go_mod: f.clone(),
                zip: f,
                listed: None,
            };
        }
    };
    // The three requests go out together (HTTP/2 streams on one connection); their answers
    // are judged in order.
    let zip_request = async {
        if t.want_zip {
            Some(client.zip_to_file(&t.module, &t.version, temp_dir).await)
        } else {
            None
        }
    };
    let (info_answer, mod_answer, zip_answer) = tokio::join!(
        client.info(&t.module, &t.version),
        client.go_mod(&t.module, &t.version),
        zip_request
    );
    let info = match info_answer {
        Ok((ex, i)) => {
            let problem = i.origin.as_ref().and_then(origin_problem);
            if let Some(p) = problem {
                findings.push(ProxyFinding {
                    kind: FindingKind::BadInfo,
                    artifact: Artifact::Info,
                    blame: blame(),
                    message: format!(
                        "{redacted}: .info has an Origin go cannot decode (go refuses the answer): {p}"
                    ),
                });
                Served::Failed {
                    message: format!("invalid Origin: {p}"),
                }
            } else {
                if i.origin.is_some() {
                    findings.push(ProxyFinding {
                        kind: FindingKind::Origin,
                        artifact: Artifact::Info,
                        blame: blame(),
                        message: format!(
                            "{redacted} sends an Origin in .info (unauthenticated: go does not verify it)"
                        ),
                    });
                }
                Served::Ok {
                    value: i.version,
                    size: ex.body_len,
                }
            }
        }
        Err(e @ ProxyError::WrongVersion { .. }) | Err(e @ ProxyError::InvalidResponse { .. }) => {
            findings.push(ProxyFinding {
                kind: FindingKind::BadInfo,
                artifact: Artifact::Info,
                blame: blame(),
                message: format!("{redacted}: {e}"),
            });
            served_err(&e)
        }
        Err(e) => served_err(&e),
    };
    let go_mod = match mod_answer {
        Ok((ex, body)) => Served::Ok {
            value: gomod::dirhash::hash_go_mod(&body),
            size: ex.body_len,
        },
        Err(e) => served_err(&e),
    };
    let zip = if let Some(zip_answer) = zip_answer {
        match zip_answer {
            Ok(dl) => {
                let (m, v) = (t.module.clone(), t.version.clone());
                let checked = dl
                    .with_file(move |p| {
                        let f = std::fs::File::open(p).map_err(|e| e.to_string())?;
                        let mut f = gomod::modzip::SeekBufReader::with_capacity(256 << 10, f);
                        gomod::modzip::check_and_hash_zip(&mut f, &m, &v)
                            .map(|(_, h)| h)
                            .map_err(|e| e.to_string())
                    })
                    .await;
                match checked {
                    Ok(Ok(h)) => Served::Ok {
                        value: h,
                        size: dl.exchange.body_len,
                    },
                    Ok(Err(e)) => {
                        findings.push(ProxyFinding {
                            kind: FindingKind::InvalidZip,
                            artifact: Artifact::Zip,
                            blame: blame(),
                            message: format!(
                                "{redacted} serves a zip go would refuse: {e} (sha256 {})",
                                dl.exchange.body_sha256
                            ),
                        });
                        Served::Failed {
                            message: format!("invalid zip: {e}"),
                        }
                    }
                    Err(e) => Served::Failed {
                        message: e.to_string(),
                    },
                }
            }
            Err(e) => served_err(&e),
        }
    } else {
        Served::NotFetched
    };
    let listed = list.map(|l| l.contains(&t.version));
    let not_served: Vec<&str> = [(".info", &info), (".mod", &go_mod), (".zip", &zip)]
        .iter()
        .filter(|(_, s)| matches!(s, Served::NotFound { .. }))
        .map(|(n, _)| *n)
        .collect();
    if listed == Some(true) && !not_served.is_empty() {
        findings.push(ProxyFinding {
            kind: FindingKind::ListedNotServed,
            artifact: Artifact::List,
            blame: blame(),
            message: format!(
                "{redacted} lists {}@{} in @v/list but answers not found for its {}",
                t.module,
                t.version,
                not_served.join(", ")
            ),
        });
    }
    if listed == Some(false) && info.value().is_some() {
        findings.push(ProxyFinding {
            kind: FindingKind::Unlisted,
            artifact: Artifact::List,
            blame: blame(),
            message: format!(
                "{redacted} serves {}@{} but its @v/list does not name it",
                t.module, t.version
            ),
        });
    }
    SourceResult {
        proxy: redacted,
        info,
        go_mod,
        zip,
        listed,
    }
}
