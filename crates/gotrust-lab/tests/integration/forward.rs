//! The lab's forward proxy with the real go command: go pointed at it with HTTPS_PROXY /
//! HTTP_PROXY sees an intercepted network, and direct fetches of `*.lab.test` modules work
//! through go-import pages (`mod` VCS type) over https, and over plain http with GOINSECURE.

use std::path::Path;

use crate::harness::{go, lab};
use gotrust_lab::RunningLab;
use gotrust_lab::forward::{ForwardOptions, ForwardProxy, INTERCEPTION_CA_NAME};

/// A module whose path is a lab virtual host.
const HELLO: &str = "mod.lab.test/hello@v1.0.0: a module served by a lab virtual host

-- .mod --
module mod.lab.test/hello

go 1.21
-- go.mod --
module mod.lab.test/hello

go 1.21
-- hello.go --
package hello
";

async fn start(tmp: &Path, intercept: bool) -> (RunningLab, ForwardProxy) {
    let extra = tmp.join("extra");
    std::fs::create_dir_all(&extra).unwrap();
    std::fs::write(extra.join("mod.lab.test_hello_v1.0.0.txt"), HELLO).unwrap();
    let lab = lab(tmp).modules_dir(&extra).start().await.unwrap();
    let fwd = lab
        .start_forward_proxy(ForwardOptions {
            intercept,
            ..Default::default()
        })
        .await
        .unwrap();
    (lab, fwd)
}

fn env(lab: &RunningLab, fwd: &ForwardProxy, extra: &[(&str, String)]) -> Vec<(String, String)> {
    let mut env = lab.go_env();
    env.extend(fwd.go_env());
    env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.clone())));
    env
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_intercepted_default_proxy_fails_with_x509_until_its_ca_is_trusted() {
    let tmp = tempfile::tempdir().unwrap();
    let (lab, fwd) = start(tmp.path(), true).await;
    let default_proxy = [("GOPROXY", "https://proxy.golang.org".to_string())];
    let r = go(
        &tmp.path().join("a"),
        env(&lab, &fwd, &default_proxy),
        &["mod", "download", "example.com/simple@v1.0.0"],
    )
    .await;
    assert!(!r.ok);
    assert!(
        r.stderr.contains(
            "Get \"https://proxy.golang.org/example.com/simple/@v/v1.0.0.info\": tls: failed to verify certificate: x509: certificate signed by unknown authority"
        ),
        "{}",
        r.stderr
    );
    let trusted = [
        default_proxy[0].clone(),
        ("SSL_CERT_FILE", fwd.ca_file().display().to_string()),
    ];
    let r = go(
        &tmp.path().join("b"),
        env(&lab, &fwd, &trusted),
        &["mod", "download", "example.com/simple@v1.0.0"],
    )
    .await;
    assert!(r.ok, "{}", r.stderr);
    assert_eq!(fwd.ca_name(), INTERCEPTION_CA_NAME);
    // The lab answered as proxy.golang.org (and as its checksum database, through it).
    assert!(
        lab.request_log()
            .iter()
            .any(|e| e.path == "/example.com/simple/@v/v1.0.0.zip" && e.status == 200)
    );
    fwd.shutdown().await;
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn direct_fetches_of_a_virtual_host_work_over_https_and_over_http_with_goinsecure() {
    let tmp = tempfile::tempdir().unwrap();
    let (lab, fwd) = start(tmp.path(), false).await;
    let https = [
        ("GOPROXY", "direct".to_string()),
        ("SSL_CERT_FILE", fwd.ca_file().display().to_string()),
    ];
    let r = go(
        &tmp.path().join("a"),
        env(&lab, &fwd, &https),
        &["mod", "download", "-json", "mod.lab.test/hello@v1.0.0"],
    )
    .await;
    assert!(r.ok, "{}", r.stderr);
    assert!(r.stdout.contains("\"Version\": \"v1.0.0\""), "{}", r.stdout);
    // An http-only virtual host: the https attempt fails, and GOINSECURE lets go fall back
    // to plain http for the go-import page and for the module proxy it names.
    let plain = lab
        .start_forward_proxy(ForwardOptions {
            http_only: vec!["mod.lab.test".into()],
            ..Default::default()
        })
        .await
        .unwrap();
    let http = [
        ("GOPROXY", "direct".to_string()),
        ("GOINSECURE", "mod.lab.test".to_string()),
    ];
    let r = go(
        &tmp.path().join("b"),
        env(&lab, &plain, &http),
        &["mod", "download", "-x", "mod.lab.test/hello@v1.0.0"],
    )
    .await;
    assert!(r.ok, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("# get http://mod.lab.test/hello?go-get=1: 200 OK")
            && r.stderr
                .contains("# get http://mod.lab.test/mod.lab.test/hello/@v/v1.0.0.zip"),
        "{}",
        r.stderr
    );
    // Without GOINSECURE go refuses the plain-http fallback.
    let r = go(
        &tmp.path().join("b2"),
        env(&lab, &plain, &[("GOPROXY", "direct".to_string())]),
        &["mod", "download", "mod.lab.test/hello@v1.0.0"],
    )
    .await;
    assert!(!r.ok, "{}", r.stderr);
    plain.shutdown().await;
    // Hosts outside the lab are refused: nothing leaves the machine.
    let r = go(
        &tmp.path().join("c"),
        env(
            &lab,
            &fwd,
            &[("GOPROXY", "https://proxy.golang.org".to_string())],
        ),
        &["mod", "download", "example.com/simple@v1.0.0"],
    )
    .await;
    assert!(!r.ok);
    fwd.shutdown().await;
    lab.shutdown().await;
}
