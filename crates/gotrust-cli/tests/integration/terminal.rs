//! Control characters from any input (a go.sum, a go log, an environment value) reach the
//! terminal only escaped, as Go's `%q` shows them; colour comes only from gotrust.

use crate::harness::TestDir;

#[test]
fn control_bytes_from_inputs_are_escaped() {
    let t = TestDir::new();
    let hostile = "\x1b]0;pwned\x07\x1b[2J\r\u{202e}";
    std::fs::write(
        t.path().join("go.sum"),
        [
            format!(
                "rsc.io/quote{hostile} v1.5.2 h1:w5fcysjrx7yqtD/aO+QwRjYZOKnaM9Uh2b40tElTs3Y=\n"
            )
            .as_bytes(),
            b"\xff\xfe\x00garbage\x1b[31m\n",
        ]
        .concat(),
    )
    .expect("write go.sum");
    t.write("go.log", &format!("go: downloading example.com/m{hostile} v1.0.0\ngo: example.com/m@v1.0.0: reading https://proxy.example/x: 403 Forbidden{hostile}\n"));
    let runs: Vec<Vec<&str>> = vec![
        vec!["--offline", "verify", "sums", "go.sum"],
        vec!["diagnose", "go.log"],
        vec!["env"],
        vec!["audit"],
        vec!["explain", "rsc.io/quote@v1.5.2"],
    ];
    for args in runs {
        for colour in ["always", "never"] {
            let mut all = vec!["-vv", "--go", "never", "--color", colour];
            all.extend(args.iter().copied());
            let out = t
                .cmd(&all)
                .env("GOPROXY", &format!("https://proxy.example{hostile}"))
                .env("GONOSUMDB", hostile)
                .run_lossy();
            for (name, text) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
                let raw: Vec<char> = text
                    .chars()
                    .filter(|&c| (c.is_control() && c != '\n' && c != '\t') || c == '\u{202e}')
                    .filter(|&c| c != '\x1b' || colour == "never")
                    .collect();
                assert!(
                    raw.is_empty(),
                    "raw control characters {raw:?} on {name} of gotrust {all:?}:\n{text}"
                );
                // With colour on, the only escape sequences are gotrust's own colours.
                for (i, _) in text.match_indices('\x1b') {
                    let rest = &text[i + 1..];
                    let sgr = rest.strip_prefix('[').is_some_and(|r| {
                        let end = r.find(|c: char| !c.is_ascii_digit() && c != ';');
                        end.is_some_and(|e| r[e..].starts_with('m'))
                    });
                    assert!(
                        sgr,
                        "non-colour escape on {name} of gotrust {all:?}:\n{text}"
                    );
                }
            }
        }
    }
}
