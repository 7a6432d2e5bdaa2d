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

/// Every GOAUTH form and their combinations, against one recording server: go first, then
/// gotrust with the same environment; compared, the set of (Authorization) values each sent
/// to the server (go and gotrust request different paths of it). The server answers 404 to
/// everything, so go re-runs GOAUTH with the URL after each first attempt
/// (cmd/go/internal/web/http.go) and `git credential fill` gets asked.
#[test]
fn same_authorization_headers_as_go_for_every_goauth_form() {
    use std::os::unix::fs::PermissionsExt as _;
    let tls = gotrust_lab::tls::generate("credentials test CA").expect("tls material");
    let t = TestDir::new();
    let ca = t.write("ca.pem", &tls.ca_pem);
    let executable = |name: &str, text: &str| {
        let p = t.write(name, text);
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        p
    };
    // A git credential helper in a config of its own: it answers every `get`.
    let helper = executable(
        "git-helper.sh",
        "#!/bin/sh\ncat >/dev/null\n[ \"$1\" = get ] && printf 'username=gituser\\npassword=git-s3cret\\n'\nexit 0\n",
    );
    let gitconfig = t.write(
        "gitconfig",
        &format!("[credential]\n\thelper = {}\n", helper.display()),
    );
    let git_dir = t.path().join("gitdir");
    std::fs::create_dir_all(&git_dir).unwrap();

    let server = TlsServer::start(tls.config.clone(), vec![]);
    let port = server.port();
    // A header command: one token before any request, another after a refusal (when go
    // passes the URL and the response); a second command for a path prefix only.
    let cmd = executable(
        "auth-cmd.sh",
        &format!(
            "#!/bin/sh\nif [ -n \"$1\" ]; then cat >/dev/null; tok=after-refusal; else tok=initial; fi\nprintf 'https://127.0.0.1:{port}\\n\\nAuthorization: Bearer cmd-%s\\n\\n' \"$tok\"\n"
        ),
    );
    let path_cmd = executable(
        "path-cmd.sh",
        &format!(
            "#!/bin/sh\nprintf 'https://127.0.0.1:{port}/rsc.io/quote/@v\\n\\nAuthorization: Bearer path-token\\n\\n'\n"
        ),
    );
    let netrc = t.write(
        "netrc",
        &format!("machine 127.0.0.1:{port} login alice password netrc-s3cret\n"),
    );
    let git = format!("git {}", git_dir.display());
    let cmd = cmd.display().to_string();
    let path_cmd = path_cmd.display().to_string();
    let cases: Vec<(String, bool)> = vec![
        ("off".into(), false),
        ("netrc".into(), false),
        (git.clone(), false),
        (cmd.clone(), false),
        (path_cmd.clone(), false),
        (format!("netrc;{cmd}"), false),
        (format!("{cmd};netrc"), false),
        (format!("{git};netrc"), false),
        (format!("{path_cmd};{cmd}"), false),
        (format!("{cmd};{git}"), false),
        // User info in GOPROXY beside a .netrc machine for the same host.
        ("netrc".into(), true),
        (cmd.clone(), true),
    ];
    for (goauth, userinfo) in cases {
        let proxy = if userinfo {
            format!("https://urluser:url-s3cret@127.0.0.1:{port}")
        } else {
            format!("https://127.0.0.1:{port}")
        };
        let env = vec![
            ("GOPROXY".to_string(), proxy),
            ("GOSUMDB".to_string(), "off".to_string()),
            ("GOAUTH".to_string(), goauth.clone()),
            ("NETRC".to_string(), netrc.display().to_string()),
            ("SSL_CERT_FILE".to_string(), ca.display().to_string()),
            (
                "GIT_CONFIG_GLOBAL".to_string(),
                gitconfig.display().to_string(),
            ),
            ("GIT_CONFIG_NOSYSTEM".to_string(), "1".to_string()),
            (
                "PATH".to_string(),
                std::env::var("PATH").unwrap_or_default(),
            ),
        ];
        let start = server.seen().len();
        let root = tempfile::tempdir().expect("go root");
        let mut go = testkit::hermetic_go(root.path());
        go.args(["mod", "download", "-json", "rsc.io/quote@v1.5.2"])
            .current_dir(root.path());
        for (k, v) in &env {
            go.env(k, v);
        }
        let out = go.output().expect("run go");
        assert!(!out.status.success(), "the server has no modules");
        // go validates a git credential with a HEAD request to the prefix, in the
        // background; gotrust does not (see net/auth.rs): requests of `/` are left out.
        let seen = |from: usize| -> BTreeSet<Option<String>> {
            server.seen()[from..]
                .iter()
                .filter(|s| s.path != "/")
                .map(|s| s.authorization.clone())
                .collect()
        };
        let go_seen = seen(start);
        assert!(!go_seen.is_empty(), "go made no request");
        // The forms were really used: git's credential after the refusal, the command's two
        // tokens (before any request, and after the refusal).
        let has = |v: &str| go_seen.contains(&Some(v.to_string()));
        if goauth.starts_with("git") && !userinfo {
            assert!(has("Basic Z2l0dXNlcjpnaXQtczNjcmV0"), "{go_seen:?}");
        }
        if goauth == cmd && !userinfo {
            assert!(
                has("Bearer cmd-initial") && has("Bearer cmd-after-refusal"),
                "{go_seen:?}"
            );
        }
        let before = server.seen().len();

        let mut ours = t.cmd(&[
            "--go",
            "never",
            "--format",
            "json",
            "-vv",
            "verify",
            "proxy",
            "--timeout",
            "20",
            "rsc.io/quote@v1.5.2",
        ]);
        for (k, v) in &env {
            ours = ours.env(k, v);
        }
        let run = ours.run_lossy();
        let our_seen = seen(before);
        assert!(!our_seen.is_empty(), "gotrust made no request");
        assert_eq!(
            our_seen,
            go_seen,
            "GOAUTH={goauth:?} userinfo={userinfo}\n{:?}\n{}",
            server.seen(),
            run.stderr
        );
        // Credentials never appear in what gotrust prints.
        for secret in [
            "git-s3cret",
            "netrc-s3cret",
            "url-s3cret",
            "cmd-initial",
            "cmd-after-refusal",
            "path-token",
        ] {
            assert!(
                !run.stdout.contains(secret) && !run.stderr.contains(secret),
                "GOAUTH={goauth:?}: {secret} printed\n{}\n{}",
                run.stdout,
                run.stderr
            );
        }
    }
}
