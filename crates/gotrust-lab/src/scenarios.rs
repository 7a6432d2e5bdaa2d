//! Built-in material for running a lab without any files: a small set of
//! fixture modules and the fault files of the experiments (`scenarios/*.toml`),
//! both compiled into the crate.

use std::path::Path;

use crate::fault::{Scenario, ScenarioError};

/// Fixture modules served when no modules directory is given: `(file name,
/// txtar content)` in the layout of `testdata/modules`.
pub const BUILTIN_MODULES: &[(&str, &str)] = &[
    (
        "example.com_simple_v1.0.0.txt",
        include_str!("../testdata/modules/example.com_simple_v1.0.0.txt"),
    ),
    (
        "example.com_simple_v1.1.0.txt",
        include_str!("../testdata/modules/example.com_simple_v1.1.0.txt"),
    ),
    (
        "example.com_!upper!case_v1.0.0.txt",
        include_str!("../testdata/modules/example.com_!upper!case_v1.0.0.txt"),
    ),
    (
        "example.com_major_v2_v2.0.0.txt",
        include_str!("../testdata/modules/example.com_major_v2_v2.0.0.txt"),
    ),
];

/// Writes [`BUILTIN_MODULES`] into `dir` (created if needed), for
/// [`crate::LabBuilder::modules_dir`].
pub fn write_builtin_modules(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for (name, text) in BUILTIN_MODULES {
        std::fs::write(dir.join(name), text)?;
    }
    Ok(())
}

/// The experiments' fault files: `(name, TOML)`, the name being the file
/// stem in `scenarios/`.
pub const FAULT_FILES: &[(&str, &str)] = &[
    ("tamper-zip", include_str!("../scenarios/tamper-zip.toml")),
    (
        "tamper-go-mod",
        include_str!("../scenarios/tamper-go-mod.toml"),
    ),
    (
        "polluted-version",
        include_str!("../scenarios/polluted-version.toml"),
    ),
    (
        "untrusted-cert",
        include_str!("../scenarios/untrusted-cert.toml"),
    ),
    ("status-500", include_str!("../scenarios/status-500.toml")),
];

/// The parsed fault file `name` from [`FAULT_FILES`], or `None` if there is none.
pub fn fault_file(name: &str) -> Option<Result<Scenario, ScenarioError>> {
    FAULT_FILES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(n, text)| Scenario::parse(text, Path::new(&format!("scenarios/{n}.toml"))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ModuleSet;

    #[test]
    fn every_fault_file_parses_and_is_embedded() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        let on_disk = std::fs::read_dir(dir).unwrap().count();
        assert_eq!(
            on_disk,
            FAULT_FILES.len(),
            "a scenarios/*.toml is not embedded"
        );
        for (name, _) in FAULT_FILES {
            let s = fault_file(name).unwrap().unwrap();
            assert!(!s.description.is_empty() && !s.faults.is_empty(), "{name}");
        }
        assert!(fault_file("nope").is_none());
    }

    #[test]
    fn builtin_modules_load() {
        let tmp = tempfile::tempdir().unwrap();
        write_builtin_modules(tmp.path()).unwrap();
        let set = ModuleSet::load_dir(tmp.path()).unwrap();
        assert_eq!(set.len(), BUILTIN_MODULES.len());
        assert!(set.get("example.com/simple", "v1.0.0").is_some());
        assert!(set.get("example.com/UpperCase", "v1.0.0").is_some());
    }
}
