//! The repository scanner's readers (Dockerfile, CI YAML, Compose, Makefile, shell scripts,
//! .envrc, JSONC dev containers and editor settings, go env files) never panic on arbitrary
//! text, reached as `gotrust scan` reaches them: the kind detected from the file name and
//! head ([`gotrust::scan::detect_kind`]), then [`gotrust::scan::scan_text`].
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

const NAMES: &[&str] = &[
    "Dockerfile",
    ".github/workflows/ci.yml",
    ".gitlab-ci.yml",
    "docker-compose.yml",
    ".circleci/config.yml",
    "Makefile",
    ".envrc",
    "scripts/build.sh",
    ".devcontainer/devcontainer.json",
    ".vscode/settings.json",
    "go.env",
    "action.yml",
];

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let name = Path::new(NAMES[usize::from(which) % NAMES.len()]);
    let Some(kind) = gotrust::scan::detect_kind(name, rest) else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let _ = gotrust::scan::scan_text(name, kind, &text);
});
