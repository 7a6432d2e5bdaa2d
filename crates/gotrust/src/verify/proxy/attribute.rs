//! Attribution: the values of one artifact from go.sum, the checksum database and each proxy,
//! compared, and the odd ones out blamed.

use super::*;

/// Compares the values of one artifact and blames the odd ones out.
pub(super) fn attribute(
    artifact: Artifact,
    go_sum: Option<(&Path, usize, &str)>,
    db: Option<&str>,
    proxies: &[(String, Option<String>)],
    findings: &mut Vec<ProxyFinding>,
) {
    let served: Vec<(&str, &str)> = proxies
        .iter()
        .filter_map(|(u, h)| h.as_deref().map(|h| (u.as_str(), h)))
        .collect();
    let what = match artifact {
        Artifact::Zip => "zip",
        _ => "go.mod",
    };
    let mut push = |blame: Side, message: String| {
        findings.push(ProxyFinding {
            kind: FindingKind::Mismatch,
            artifact,
            blame,
            message,
        })
    };
    if let Some(d) = db {
        let gosum_agrees_with_proxies = go_sum
            .map(|(_, _, g)| g != d && !served.is_empty() && served.iter().all(|(_, h)| *h == g))
            .unwrap_or(false);
        let proxies_agree_against_db = served.len() >= 2
            && served.iter().all(|(_, h)| *h != d)
            && served.windows(2).all(|w| w[0].1 == w[1].1);
        if gosum_agrees_with_proxies || (go_sum.is_none() && proxies_agree_against_db) {
            push(
                Side::Database,
                format!(
                    "the database records {what} {d}, but {} serve{} {}",
                    if go_sum.is_some() {
                        "go.sum and every proxy"
                    } else {
                        "every proxy"
                    },
                    if served.len() == 1 && go_sum.is_none() {
                        "s"
                    } else {
                        ""
                    },
                    served[0].1
                ),
            );
            return;
        }
        for (u, h) in &served {
            if *h != d {
                push(
                    Side::Proxy { url: u.to_string() },
                    format!("{u} serves {what} {h}; the database records {d}"),
                );
            }
        }
        if let Some((file, line, g)) = go_sum
            && g != d
        {
            push(
                Side::GoSum {
                    file: file.to_path_buf(),
                    line,
                },
                format!(
                    "{}:{line} has {what} {g}; the database records {d}",
                    file.display()
                ),
            );
        }
        return;
    }
    if let Some((file, line, g)) = go_sum {
        let disagree: Vec<_> = served.iter().filter(|(_, h)| *h != g).collect();
        if !disagree.is_empty() && disagree.len() == served.len() && served.len() >= 2 {
            // Every proxy agrees on another hash: go.sum is the odd one out.
            if served.windows(2).all(|w| w[0].1 == w[1].1) {
                push(
                    Side::GoSum {
                        file: file.to_path_buf(),
                        line,
                    },
                    format!(
                        "{}:{line} has {what} {g}; every proxy serves {}",
                        file.display(),
                        served[0].1
                    ),
                );
                return;
            }
        }
        for (u, h) in disagree {
            push(
                Side::Proxy { url: u.to_string() },
                format!(
                    "{u} serves {what} {h}; {}:{line} has {g} (no database record)",
                    file.display()
                ),
            );
        }
        return;
    }
    // Only proxies: a strict majority decides; otherwise nobody can.
    let mut votes: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, h) in &served {
        *votes.entry(h).or_default() += 1;
    }
    if votes.len() <= 1 {
        return;
    }
    let (top, n) = votes
        .iter()
        .max_by_key(|(_, n)| **n)
        .map(|(h, n)| (*h, *n))
        .unwrap_or(("", 0));
    let majority = n * 2 > served.len();
    for (u, h) in &served {
        if majority && *h == top {
            continue;
        }
        push(
            if majority {
                Side::Proxy { url: u.to_string() }
            } else {
                Side::Undecided
            },
            format!(
                "{u} serves {what} {h}; other proxies disagree (no database record, no go.sum line)"
            ),
        );
    }
}

pub(super) fn hash_of(lines: &[String]) -> Option<String> {
    lines
        .first()
        .and_then(|l| l.rsplit(' ').next())
        .map(str::to_string)
}
