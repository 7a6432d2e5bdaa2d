//! Credentials never leave the process: distinct secrets are planted in every place a
//! credential can live (URL user and password in GOPROXY and GOSUMDB, a token as URL user,
//! HTTPS_PROXY user info, a `.netrc` password, a go env file) and every command runs in every
//! format with `-vv` against servers that refuse, reset, answer 401 or 500, or break TLS. No
//! secret may appear on stdout, on stderr or in any file gotrust wrote.

use std::path::Path;

use crate::harness::TestDir;
use crate::servers::{TlsServer, plain_http_port, refused_port, reset_port};

const SECRETS: &[&str] = &[
    "URLUSER7q",
    "URLPASS7q",
    "TOKEN7qAsUser",
    "SUMUSER7q",
    "SUMPASS7q",
    "PROXYUSER7q",
    "PROXYPASS7q",
    "NETRCPASS7q",
    "FILEUSER7q",
    "FILEPASS7q",
];

fn files_under(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        let Ok(m) = std::fs::symlink_metadata(&p) else {
            continue;
        };
        if m.is_dir() {
            files_under(&p, out);
        } else if m.is_file() {
            out.push(p);
        }
    }
}

#[test]
fn no_secret_reaches_any_output() {
    let tls = gotrust_lab::tls::generate("secrets test CA").expect("tls material");
    let unauthorized = TlsServer::start(tls.config.clone(), vec![("/", 401, "unauthorized")]);
    let failing = TlsServer::start(
        tls.config.clone(),
        vec![(
            "/",
            500,
            "internal error NETRCPASS7q echoed by a hostile server",
        )],
    );
    let (refused, reset, plain) = (refused_port(), reset_port(), plain_http_port());

    let t = TestDir::new();
    let ca = t.write("ca.pem", &tls.ca_pem);
    t.write(
        ".netrc",
        &format!(
            "machine 127.0.0.1:{} login netrcuser password NETRCPASS7q\nmachine 127.0.0.1:{} login netrcuser password NETRCPASS7q\n",
            unauthorized.port(),
            failing.port()
        ),
    );
    let goenv = t.write(
        "goenv",
        &format!(
            "GOPRIVATE=corp.example\nGONOPROXY=https://FILEUSER7q:FILEPASS7q@127.0.0.1:{refused}\n"
        ),
    );
    let goproxy = format!(
        "https://URLUSER7q:URLPASS7q@127.0.0.1:{refused}|https://TOKEN7qAsUser@127.0.0.1:{reset}|https://127.0.0.1:{}|https://127.0.0.1:{}|https://URLUSER7q@127.0.0.1:{plain}",
        unauthorized.port(),
        failing.port()
    );
    let gosumdb = format!(
        "sum.golang.org https://SUMUSER7q:SUMPASS7q@127.0.0.1:{}",
        failing.port()
    );
    t.write(
        "go.mod",
        "module example.com/m\n\ngo 1.22\n\nrequire rsc.io/quote v1.5.2\n",
    );
    t.write(
        "go.sum",
        "rsc.io/quote v1.5.2 h1:w5fcysjrx7yqtD/aO+QwRjYZOKnaM9Uh2b40tElTs3Y=\nrsc.io/quote v1.5.2/go.mod h1:LzX7hefJvL54yjefDEDHNONDjII0t9xZLPXsUe+TKr0=\n",
    );
    t.write(
        "go.log",
        &format!("go: downloading rsc.io/quote v1.5.2\ngo: rsc.io/quote@v1.5.2: reading https://TOKEN7qAsUser@127.0.0.1:{reset}/rsc.io/quote/@v/v1.5.2.info: 401 Unauthorized\n"),
    );
    t.write(
        "Dockerfile",
        &format!("FROM golang\nENV GOPROXY=https://URLUSER7q:URLPASS7q@127.0.0.1:{refused}\n"),
    );
    let modcache = t.write("modcache/cache/download/rsc.io/quote/@v/list", "v1.5.2\n");
    let modcache = modcache
        .ancestors()
        .nth(5)
        .expect("modcache root")
        .to_path_buf();
    let modcache = modcache.to_str().expect("utf-8 path");

    let commands: Vec<Vec<&str>> = vec![
        vec!["audit"],
        vec!["env"],
        vec!["explain", "rsc.io/quote@v1.5.2"],
        vec!["verify", "sums", "--timeout", "5", "go.sum"],
        vec!["verify", "proxy", "--timeout", "5", "rsc.io/quote@v1.5.2"],
        vec!["verify", "cache", "--timeout", "5", "--modcache", modcache],
        vec!["probe", "--timeout", "5", "--module", "rsc.io/quote@v1.5.2"],
        vec!["diagnose", "go.log"],
        vec!["scan", "."],
    ];
    let before = {
        let mut v = Vec::new();
        files_under(Path::new(t_path(&t)), &mut v);
        v
    };
    for args in &commands {
        for format in ["text", "json", "sarif", "mermaid"] {
            let mut all = vec!["-vv", "--go", "never", "--format", format];
            all.extend(args.iter().copied());
            let out = t
                .cmd(&all)
                .env("GOPROXY", &goproxy)
                .env("GOSUMDB", &gosumdb)
                .env("GOENV", goenv.to_str().expect("utf-8"))
                .env("GOFLAGS", "-modcacherw")
                .env(
                    "HTTPS_PROXY",
                    &format!("http://PROXYUSER7q:PROXYPASS7q@127.0.0.1:{refused}"),
                )
                .env("SSL_CERT_FILE", ca.to_str().expect("utf-8"))
                .env("GOTOOLCHAIN", "local")
                .run_lossy();
            for secret in SECRETS {
                assert!(
                    !out.stdout.contains(secret) && !out.stderr.contains(secret),
                    "{secret} leaked by gotrust {all:?}\n--- stdout\n{}\n--- stderr\n{}",
                    out.stdout,
                    out.stderr
                );
            }
        }
    }
    // The hostile 500 page was really fetched with the .netrc credentials, so the redaction
    // above was exercised, not bypassed.
    assert!(
        failing.seen().iter().any(|s| s
            .authorization
            .as_deref()
            .is_some_and(|a| a.starts_with("Basic "))),
        "{:?}",
        failing.seen()
    );
    let mut after = Vec::new();
    files_under(Path::new(t_path(&t)), &mut after);
    for f in after.iter().filter(|f| !before.contains(f)) {
        let data = String::from_utf8_lossy(&std::fs::read(f).unwrap_or_default()).into_owned();
        for secret in SECRETS {
            assert!(
                !data.contains(secret),
                "{secret} written to {}",
                f.display()
            );
        }
    }
}

fn t_path(t: &TestDir) -> &str {
    t.path().to_str().expect("utf-8 temp dir")
}
