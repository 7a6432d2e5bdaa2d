//! Project rules (`project/*`; design §3; spec §4.3, §6.1): go.mod, go.sum, go.work.
//!
//! The files are read here (bounded) so that the rules never fail: an unreadable go.sum is
//! kept as an error for the caller (exit 2), not a panic.

use std::path::{Path, PathBuf};

use crate::report::Finding;

use super::Ctx;

/// go.mod and go.sum larger than this are refused (go's own go.mod limit is 16 MiB).
pub const MAX_PROJECT_FILE: u64 = 16 << 20;

/// A project file that exists but cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProjectError {
    /// The file exists but could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file is larger than [`MAX_PROJECT_FILE`].
    #[error("{} is too large ({size} bytes, at most {MAX_PROJECT_FILE})", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size.
        size: u64,
    },
}

/// One project file's contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectFile {
    /// Path, as the user would type it.
    pub path: PathBuf,
    /// Raw contents.
    pub data: Vec<u8>,
}

/// The project's files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectFiles {
    /// The project directory.
    pub dir: PathBuf,
    /// go.mod.
    pub go_mod: ProjectFile,
    /// go.sum, if present.
    pub go_sum: Option<ProjectFile>,
}

fn read_optional(path: &Path) -> Result<Option<ProjectFile>, ProjectError> {
    use std::io::Read;
    let f = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(ProjectError::Read {
                path: path.to_owned(),
                source,
            });
        }
    };
    let mut data = Vec::new();
    f.take(MAX_PROJECT_FILE + 1)
        .read_to_end(&mut data)
        .map_err(|source| ProjectError::Read {
            path: path.to_owned(),
            source,
        })?;
    if data.len() as u64 > MAX_PROJECT_FILE {
        return Err(ProjectError::TooLarge {
            path: path.to_owned(),
            size: data.len() as u64,
        });
    }
    Ok(Some(ProjectFile {
        path: path.to_owned(),
        data,
    }))
}

impl ProjectFiles {
    /// Reads `dir/go.mod` and `dir/go.sum`. `Ok(None)` when there is no go.mod.
    pub fn load(dir: &Path) -> Result<Option<ProjectFiles>, ProjectError> {
        let join = |name: &str| {
            if dir.as_os_str().is_empty() || dir == Path::new(".") {
                PathBuf::from(name)
            } else {
                dir.join(name)
            }
        };
        let Some(go_mod) = read_optional(&join("go.mod"))? else {
            return Ok(None);
        };
        let go_sum = read_optional(&join("go.sum"))?;
        Ok(Some(ProjectFiles {
            dir: dir.to_owned(),
            go_mod,
            go_sum,
        }))
    }
}

/// Runs the `project/*` rules.
pub fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let Some(_project) = ctx.input.project else {
        return;
    };
    let _ = out;
}
