//! Which module versions `verify proxy` checks: named on the command line, or every line of a
//! go.sum (with the lines that name each version).

use super::*;

/// One module version to check, with the go.sum lines that name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyTarget {
    /// Module path.
    pub module: String,
    /// Version.
    pub version: String,
    /// The go.sum file the lines come from.
    pub go_sum_file: Option<PathBuf>,
    /// go.sum's zip line (line number, hash).
    pub zip_line: Option<(usize, String)>,
    /// go.sum's `/go.mod` line (line number, hash).
    pub mod_line: Option<(usize, String)>,
    /// Fetch the zip (go.sum has a zip line, or the version was named explicitly).
    pub want_zip: bool,
}

/// Why a target could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TargetError {
    /// `M@V` is not a valid module version.
    #[error("invalid module version {arg:?}: {detail}")]
    BadArg {
        /// The argument.
        arg: String,
        /// Why.
        detail: String,
    },
    /// The go.sum does not parse.
    #[error("{0}")]
    GoSum(String),
}

/// Parses `path@version` arguments, each through [`module::ModuleVersion`] (split as the go
/// command splits them, then `module.Check`).
pub fn targets_from_args(args: &[String]) -> Result<Vec<ProxyTarget>, TargetError> {
    args.iter()
        .map(|a| {
            let mv: module::ModuleVersion =
                a.parse()
                    .map_err(|e: module::ModuleError| TargetError::BadArg {
                        arg: a.clone(),
                        detail: e.to_string(),
                    })?;
            Ok(ProxyTarget {
                module: mv.path().to_string(),
                version: mv.version().to_string(),
                go_sum_file: None,
                zip_line: None,
                mod_line: None,
                want_zip: true,
            })
        })
        .collect()
}

/// The module versions of a go.sum, in file order.
pub fn targets_from_go_sum(file: &Path, data: &[u8]) -> Result<Vec<ProxyTarget>, TargetError> {
    let sum = gomod::gosum::parse(&file.display().to_string(), data)
        .map_err(|e| TargetError::GoSum(e.to_string()))?;
    let mut order: Vec<(String, String)> = Vec::new();
    let mut by: HashMap<(String, String), ProxyTarget> = HashMap::new();
    for l in sum.lines {
        let key = (l.module.clone(), l.version.clone());
        let t = by.entry(key.clone()).or_insert_with(|| {
            order.push(key.clone());
            ProxyTarget {
                module: l.module.clone(),
                version: l.version.clone(),
                go_sum_file: Some(file.to_path_buf()),
                zip_line: None,
                mod_line: None,
                want_zip: false,
            }
        });
        if l.go_mod {
            t.mod_line.get_or_insert((l.line, l.hash));
        } else {
            t.zip_line.get_or_insert((l.line, l.hash));
            t.want_zip = true;
        }
    }
    Ok(order.into_iter().filter_map(|k| by.remove(&k)).collect())
}
