//! Loading the modules a lab serves from a directory.
//!
//! Two layouts are accepted side by side:
//!
//! * txtar fixtures as in cmd/go's `testdata/mod`: a file
//!   `<escaped path with / as _>_<escaped version>.txt` whose `.mod` and
//!   `.info` sections are the proxy's `.mod` and `.info` answers and whose
//!   other files form the module zip;
//! * source trees: a directory `<module path>@<version>/` (the path in real
//!   case, nested as directories), zipped with go's inclusion rules.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::backend::{self, BackendError};
use crate::txtar::{self, TxtarError};
use gomod::module::{self as gomodule, semver};

/// Largest single file read from a modules directory (go.mod limit is 16 MiB
/// and zips 500 MiB; fixtures are far smaller).
const MAX_FILE_BYTES: u64 = 64 << 20;

/// Time reported in a generated `.info` (fixtures without an `.info` section
/// and source trees): a fixed instant keeps answers reproducible.
pub const DEFAULT_TIME: &str = "2019-01-01T00:00:00Z";

/// Why a modules directory could not be loaded.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum LoadError {
    /// Reading a file or directory failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A txtar fixture is malformed.
    #[error("{path}: {source}")]
    Txtar {
        /// The fixture file.
        path: PathBuf,
        /// The parse error.
        source: TxtarError,
    },
    /// A fixture file name or source directory does not name a module version.
    #[error("{path}: {reason}")]
    BadName {
        /// The offending file or directory.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The same module version appears twice.
    #[error("{module}@{version} defined twice: {first} and {second}")]
    Duplicate {
        /// Module path.
        module: String,
        /// Version.
        version: String,
        /// First definition.
        first: PathBuf,
        /// Second definition.
        second: PathBuf,
    },
    /// Zipping or hashing failed.
    #[error("{path}: {source}")]
    Backend {
        /// The fixture or directory.
        path: PathBuf,
        /// The gomod error.
        source: BackendError,
    },
    /// A file is larger than the lab reads.
    #[error("{path}: file too large ({size} bytes)")]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size.
        size: u64,
    },
}

/// One module version as the lab serves it.
#[derive(Debug, Clone)]
pub struct LabModule {
    /// Module path, real case.
    pub path: String,
    /// Version, real case.
    pub version: String,
    /// The `.info` answer.
    pub info: Vec<u8>,
    /// The `.mod` answer.
    pub go_mod: Vec<u8>,
    /// The `.zip` answer.
    pub zip: Vec<u8>,
    /// The files inside the zip, relative to the module root (used to build
    /// tampered variants).
    pub files: Vec<(String, Vec<u8>)>,
    /// `h1:` of the zip.
    pub zip_hash: String,
    /// `h1:` of the go.mod.
    pub mod_hash: String,
    /// Where it was loaded from.
    pub source: PathBuf,
}

impl LabModule {
    /// The go.sum lines for this module version, which are also its
    /// checksum-database record.
    pub fn go_sum_lines(&self) -> String {
        format!(
            "{p} {v} {z}\n{p} {v}/go.mod {m}\n",
            p = self.path,
            v = self.version,
            z = self.zip_hash,
            m = self.mod_hash
        )
    }

    /// `path@version`.
    pub fn id(&self) -> String {
        format!("{}@{}", self.path, self.version)
    }
}

/// The modules a lab serves, keyed by (path, version).
#[derive(Debug, Clone, Default)]
pub struct ModuleSet {
    modules: BTreeMap<(String, String), LabModule>,
}

impl ModuleSet {
    /// Loads every fixture and source tree under `dir`.
    pub fn load_dir(dir: &Path) -> Result<ModuleSet, LoadError> {
        let mut set = ModuleSet::default();
        set.add_dir(dir)?;
        Ok(set)
    }

    /// Adds every fixture and source tree under `dir`; returns how many were added.
    pub fn add_dir(&mut self, dir: &Path) -> Result<usize, LoadError> {
        let mut found = Vec::new();
        scan(dir, dir, &mut found)?;
        let n = found.len();
        for m in found {
            self.insert(m)?;
        }
        Ok(n)
    }

    /// Adds one module version; a second definition of the same version is an error.
    pub fn insert(&mut self, m: LabModule) -> Result<(), LoadError> {
        let key = (m.path.clone(), m.version.clone());
        if let Some(old) = self.modules.get(&key) {
            return Err(LoadError::Duplicate {
                module: m.path,
                version: m.version,
                first: old.source.clone(),
                second: m.source,
            });
        }
        self.modules.insert(key, m);
        Ok(())
    }

    /// The module version, if served.
    pub fn get(&self, path: &str, version: &str) -> Option<&LabModule> {
        self.modules.get(&(path.to_string(), version.to_string()))
    }

    /// All module versions, ordered by path then version string.
    pub fn iter(&self) -> impl Iterator<Item = &LabModule> {
        self.modules.values()
    }

    /// Number of module versions.
    pub fn len(&self) -> usize {
        self.modules.len()
    }

    /// Whether no module is served.
    pub fn is_empty(&self) -> bool {
        self.modules.is_empty()
    }

    /// Versions of `path`, semver-sorted.
    pub fn versions(&self, path: &str) -> Vec<&str> {
        let mut v: Vec<&str> = self
            .modules
            .range((path.to_string(), String::new())..)
            .take_while(|((p, _), _)| p == path)
            .map(|((_, v), _)| v.as_str())
            .collect();
        v.sort_by(|a, b| semver::compare(a, b));
        v
    }

    /// The version `@latest` reports: the highest release, else the highest
    /// pre-release, else the highest pseudo-version (go's own preference).
    pub fn latest(&self, path: &str) -> Option<&LabModule> {
        let vs = self.versions(path);
        let pick = vs
            .iter()
            .rev()
            .find(|v| !semver::is_prerelease(v))
            .or_else(|| vs.iter().rev().find(|v| !gomodule::is_pseudo_version(v)))
            .or_else(|| vs.last())?;
        self.get(path, pick)
    }
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> LoadError + '_ {
    move |source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn read_bounded(path: &Path) -> Result<Vec<u8>, LoadError> {
    let meta = fs::metadata(path).map_err(io_err(path))?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(LoadError::TooLarge {
            path: path.to_path_buf(),
            size: meta.len(),
        });
    }
    fs::read(path).map_err(io_err(path))
}

fn scan(root: &Path, dir: &Path, out: &mut Vec<LabModule>) -> Result<(), LoadError> {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .map_err(io_err(dir))?
        .collect::<Result<_, _>>()
        .map_err(io_err(dir))?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let path = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        let ft = e.file_type().map_err(io_err(&path))?;
        if ft.is_dir() {
            if let Some((_, version)) = name.split_once('@') {
                let rel = path.strip_prefix(root).unwrap_or(&path);
                let rel = rel.to_string_lossy().replace('\\', "/");
                let module = rel
                    .rsplit_once('@')
                    .map_or(rel.as_str(), |(m, _)| m)
                    .to_string();
                out.push(load_tree(&path, &module, version)?);
            } else {
                scan(root, &path, out)?;
            }
        } else if ft.is_file()
            && dir == root
            && name.ends_with(".txt")
            && let Some(m) = load_fixture(&path, &name)?
        {
            out.push(m);
        }
    }
    Ok(())
}

fn bad_name(path: &Path, reason: impl Into<String>) -> LoadError {
    LoadError::BadName {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// Module path and version from a fixture file name, as cmd/go's test proxy
/// derives them: the last `_v` splits path from version, `_` stands for `/`.
pub fn fixture_name(name: &str) -> Option<(String, String)> {
    let stem = name.strip_suffix(".txt")?;
    let i = stem.rfind("_v")?;
    let path = gomodule::unescape_path(&stem[..i].replace('_', "/")).ok()?;
    let version = gomodule::unescape_version(&stem[i + 1..]).ok()?;
    Some((path, version))
}

fn generated_info(version: &str) -> Vec<u8> {
    format!("{{\"Version\":\"{version}\",\"Time\":\"{DEFAULT_TIME}\"}}\n").into_bytes()
}

/// Rejects what go itself would refuse to fetch: an invalid module path, a
/// non-canonical version, or a version not matching the path's major suffix.
fn check_module(path: &Path, module: &str, v: &str) -> Result<(), LoadError> {
    gomodule::check(module, v).map_err(|e| bad_name(path, e.to_string()))?;
    if gomodule::canonical_version(v).as_deref() != Some(v) {
        return Err(bad_name(path, format!("version {v:?} is not canonical")));
    }
    Ok(())
}

fn load_fixture(path: &Path, name: &str) -> Result<Option<LabModule>, LoadError> {
    // Like cmd/go's proxy, names without `_v` (a README.txt) are not fixtures.
    if !name.contains("_v") {
        return Ok(None);
    }
    let (module, version) = fixture_name(name)
        .ok_or_else(|| bad_name(path, "not <escaped path>_<escaped version>.txt"))?;
    check_module(path, &module, &version)?;
    let data = read_bounded(path)?;
    let archive = txtar::parse(&data).map_err(|source| LoadError::Txtar {
        path: path.to_path_buf(),
        source,
    })?;
    let files: Vec<(String, Vec<u8>)> = archive
        .files
        .iter()
        .filter(|f| !f.name.starts_with('.'))
        .map(|f| (f.name.clone(), f.data.clone()))
        .collect();
    let go_mod = archive
        .get(".mod")
        .or_else(|| archive.get("go.mod"))
        .map(<[u8]>::to_vec)
        .unwrap_or_else(|| format!("module {module}\n").into_bytes());
    let info = archive
        .get(".info")
        .map(<[u8]>::to_vec)
        .unwrap_or_else(|| generated_info(&version));
    let be = |source| LoadError::Backend {
        path: path.to_path_buf(),
        source,
    };
    let zip = backend::zip_from_files(&module, &version, &files).map_err(be)?;
    finish(path, module, version, info, go_mod, zip, files).map(Some)
}

fn load_tree(dir: &Path, module: &str, version: &str) -> Result<LabModule, LoadError> {
    check_module(dir, module, version)?;
    let be = |source| LoadError::Backend {
        path: dir.to_path_buf(),
        source,
    };
    let gomod_path = dir.join("go.mod");
    let go_mod = if gomod_path.is_file() {
        read_bounded(&gomod_path)?
    } else {
        format!("module {module}\n").into_bytes()
    };
    let (zip, files) = backend::zip_from_dir(module, version, dir).map_err(be)?;
    finish(
        dir,
        module.to_string(),
        version.to_string(),
        generated_info(version),
        go_mod,
        zip,
        files,
    )
}

fn finish(
    source: &Path,
    path: String,
    version: String,
    info: Vec<u8>,
    go_mod: Vec<u8>,
    zip: Vec<u8>,
    files: Vec<(String, Vec<u8>)>,
) -> Result<LabModule, LoadError> {
    let be = |source_err| LoadError::Backend {
        path: source.to_path_buf(),
        source: source_err,
    };
    let zip_hash = backend::hash_zip(&format!("{path}@{version}"), &zip).map_err(be)?;
    let mod_hash = backend::hash_go_mod(&go_mod);
    Ok(LabModule {
        path,
        version,
        info,
        go_mod,
        zip,
        files,
        zip_hash,
        mod_hash,
        source: source.to_path_buf(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixture_names() {
        assert_eq!(
            fixture_name("rsc.io_quote_v1.5.2.txt"),
            Some(("rsc.io/quote".into(), "v1.5.2".into()))
        );
        assert_eq!(
            fixture_name("example.com_!upper_v1.0.0-!r!c1.txt"),
            Some(("example.com/Upper".into(), "v1.0.0-RC1".into()))
        );
        assert_eq!(
            fixture_name("example.com_m_v2_v2.0.1.txt"),
            Some(("example.com/m/v2".into(), "v2.0.1".into()))
        );
        assert_eq!(fixture_name("example.com_!!x_v1.0.0.txt"), None);
        assert_eq!(fixture_name("README"), None);
    }

    fn fixtures() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/modules")
    }

    #[test]
    fn loads_the_fixture_set() {
        let set = ModuleSet::load_dir(&fixtures()).unwrap();
        assert_eq!(set.len(), 23);
        assert_eq!(
            set.versions("example.com/simple"),
            ["v1.0.0", "v1.1.0", "v1.2.0-pre.1"]
        );
        assert_eq!(set.latest("example.com/simple").unwrap().version, "v1.1.0");
        assert_eq!(
            set.latest("example.com/major/v3").unwrap().version,
            "v3.0.0-beta.2"
        );
        let m = set.get("example.com/Mixed/Case", "v1.0.0").unwrap();
        assert!(m.source.ends_with("example.com/Mixed/Case@v1.0.0"));
        assert!(
            m.go_sum_lines()
                .starts_with("example.com/Mixed/Case v1.0.0 h1:")
        );
    }

    #[test]
    fn rejects_bad_module_directories() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        std::fs::write(
            d.join("example.com_a_v1.0.0.txt"),
            "-- a.go --\npackage a\n",
        )
        .unwrap();
        std::fs::create_dir_all(d.join("example.com/a@v1.0.0")).unwrap();
        std::fs::write(d.join("example.com/a@v1.0.0/a.go"), "package a\n").unwrap();
        assert!(matches!(
            ModuleSet::load_dir(d),
            Err(LoadError::Duplicate { .. })
        ));

        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("example.com_a_v1.0.txt"), "").unwrap();
        assert!(matches!(
            ModuleSet::load_dir(tmp.path()),
            Err(LoadError::BadName { .. })
        ));

        // A /v2 path with a v1 version is refused as go would refuse it.
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("example.com_a_v2_v1.0.0.txt"), "").unwrap();
        assert!(matches!(
            ModuleSet::load_dir(tmp.path()),
            Err(LoadError::BadName { .. })
        ));

        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(
            tmp.path().join("example.com_a_v1.0.0.txt"),
            "-- a.go --\n-- a.go --\n",
        )
        .unwrap();
        assert!(matches!(
            ModuleSet::load_dir(tmp.path()),
            Err(LoadError::Txtar { .. })
        ));

        // A file name the zip rules refuse (not clean) is an error.
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(
            tmp.path().join("example.com_a_v1.0.0.txt"),
            "-- x/../a.go --\npackage a\n",
        )
        .unwrap();
        assert!(matches!(
            ModuleSet::load_dir(tmp.path()),
            Err(LoadError::Backend { .. })
        ));
    }
}
