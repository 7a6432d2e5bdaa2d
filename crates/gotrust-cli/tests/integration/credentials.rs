//! gotrust attaches the Authorization headers the real go attaches, to the same hosts: one
//! https server records what go sends for each GOAUTH form and `.netrc` case, another what
//! gotrust sends with the same environment. Compared: the set of Authorization values each
//! server saw (go and gotrust request different paths, but credentials are per host).

use std::collections::BTreeSet;

use crate::harness::TestDir;
use crate::servers::TlsServer;

fn authorizations(server: &TlsServer) -> BTreeSet<Option<String>> {
    server.seen().into_iter().map(|s| s.authorization).collect()
}

#[test]
fn same_authorization_headers_as_go() {
    let tls = gotrust_lab::tls::generate("credentials test CA").expect("tls material");
    // GOAUTH values x .netrc machine forms (with the port, without it: golang/go#81253).
    let cases: &[(Option<&str>, bool)] = &[
        (None, true),
        (Some("netrc"), true),
        (Some("off"), true),
        (Some("netrc"), false),
        (Some("off"), false),
    ];
    for &(goauth, with_port) in cases {
        let go_server = TlsServer::start(tls.config.clone(), vec![]);
        let our_server = TlsServer::start(tls.config.clone(), vec![]);
        let t = TestDir::new();
        let ca = t.write("ca.pem", &tls.ca_pem);
        let machine = |port: u16| {
            if with_port {
                format!("127.0.0.1:{port}")
            } else {
                "127.0.0.1".to_string()
            }
        };
        let netrc = t.write(
            "netrc",
            &format!(
                "machine {} login alice password s3cret-go\nmachine {} login alice password s3cret-go\n",
                machine(go_server.port()),
                machine(our_server.port())
            ),
        );
        let env = |port: u16| {
            let mut v = vec![
                ("GOPROXY".to_string(), format!("https://127.0.0.1:{port}")),
                ("GOSUMDB".to_string(), "off".to_string()),
                ("NETRC".to_string(), netrc.display().to_string()),
                ("SSL_CERT_FILE".to_string(), ca.display().to_string()),
            ];
            if let Some(a) = goauth {
                v.push(("GOAUTH".to_string(), a.to_string()));
            }
            v
        };

        let root = tempfile::tempdir().expect("go root");
        let mut go = testkit::hermetic_go(root.path());
        go.args(["mod", "download", "-json", "rsc.io/quote@v1.5.2"])
            .current_dir(root.path());
        for (k, v) in env(go_server.port()) {
            go.env(k, v);
        }
        let out = go.output().expect("run go");
        assert!(!out.status.success(), "the server has no modules");
        assert!(!go_server.seen().is_empty(), "go made no request");

        let mut cmd = t.cmd(&[
            "--go",
            "never",
            "--format",
            "json",
            "verify",
            "proxy",
            "--timeout",
            "10",
            "rsc.io/quote@v1.5.2",
        ]);
        for (k, v) in env(our_server.port()) {
            cmd = cmd.env(&k, &v);
        }
        let _ = cmd.run_lossy();
        assert!(!our_server.seen().is_empty(), "gotrust made no request");
        assert_eq!(
            authorizations(&our_server),
            authorizations(&go_server),
            "GOAUTH={goauth:?}, machine with port: {with_port}\ngo: {:?}\ngotrust: {:?}",
            go_server.seen(),
            our_server.seen()
        );
    }
}
