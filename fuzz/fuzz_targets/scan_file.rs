//! The repository scanner's readers never panic on arbitrary text, reached as `gotrust scan`
//! reaches them: the kind detected from the file name and head
//! ([`gotrust::scan::detect_kind`]), then [`gotrust::scan::scan_text`], then the settings
//! found are audited ([`gotrust::scan::evaluate::evaluate_all`]), which is how scanned
//! strings reach the settings parsers (GOPROXY lists, URLs, NO_PROXY, GOSUMDB keys, GOFLAGS,
//! GOVCS, GOAUTH, GOINSECURE patterns).
//!
//! The first input byte picks the file name, so every reader is reached: `NAMES` has at
//! least one name per [`gotrust::scan::FileKind`] (a shebang file is a shell script only
//! when its head says so). Property: a name in `NAMES` is always detected (except the
//! extension-less script, which depends on its head), so a reader cannot silently drop out.
#![no_main]

use std::path::Path;

use gotrust::scan::evaluate::{Baseline, evaluate_all};
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
    "go.env",
    "action.yml",
    ".env",
    "Jenkinsfile",
    "deploy/k8s.yaml",
    ".bazelrc",
    ".gitconfig",
    "build.ps1",
    "justfile",
    "azure-pipelines.yml",
    "build.Dockerfile",
    "ci/release.mk",
    "bin/run",
];

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let name_text = NAMES[usize::from(which) % NAMES.len()];
    let name = Path::new(name_text);
    let Some(kind) = gotrust::scan::detect_kind(name, rest) else {
        assert_eq!(name_text, "bin/run", "{name_text} not detected");
        return;
    };
    let text = String::from_utf8_lossy(rest);
    if let Ok(found) = gotrust::scan::scan_text(name, kind, &text) {
        let _ = evaluate_all(&found, None, &Baseline::default());
    }
});
