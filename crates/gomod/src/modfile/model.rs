//! What a parse produces: the statements of a go.mod or go.work file with their
//! positions, and errors in `modfile`'s `file:line:col: message` form.

use std::fmt;

/// A position in the file: 1-based line and 1-based rune column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Position {
    /// Line number, starting at 1.
    pub line: usize,
    /// Column in runes, starting at 1.
    pub column: usize,
}

/// One parse error, formatted as Go's `modfile.Error`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModFileError {
    /// The file name given to the parser.
    pub file: String,
    /// Where the offending token or line starts.
    pub pos: Position,
    /// The directive (`require`, `replace`, ...) when Go names it.
    pub verb: Option<String>,
    /// The module path when Go names it.
    pub mod_path: Option<String>,
    /// What is wrong (Go's text).
    pub message: String,
}

impl fmt::Display for ModFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.pos.column > 1 {
            write!(f, "{}:{}:{}: ", self.file, self.pos.line, self.pos.column)?;
        } else if self.pos.line > 0 {
            write!(f, "{}:{}: ", self.file, self.pos.line)?;
        } else if !self.file.is_empty() {
            write!(f, "{}: ", self.file)?;
        }
        match (&self.verb, &self.mod_path) {
            (Some(v), Some(p)) => write!(f, "{v} {p}: ")?,
            (Some(v), None) => write!(f, "{v}: ")?,
            _ => {}
        }
        f.write_str(&self.message)
    }
}

/// All errors of one parse (Go's `modfile.ErrorList`), at least one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ModFileErrors(pub Vec<ModFileError>);

impl fmt::Display for ModFileErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

/// `module path` (with its `Deprecated:` comment text, if any).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleStmt {
    /// The module path (unquoted).
    pub path: String,
    /// Text after `Deprecated:` in the directive's comment.
    pub deprecated: Option<String>,
    /// Line of the directive.
    pub line: usize,
}

/// `go 1.21` (or `toolchain go1.22.0`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionStmt {
    /// The version or toolchain name.
    pub version: String,
    /// Line of the directive.
    pub line: usize,
}

/// A module version named by `require` or `exclude`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Require {
    /// Module path.
    pub path: String,
    /// Canonical version.
    pub version: String,
    /// Marked `// indirect`.
    pub indirect: bool,
    /// Line of the requirement.
    pub line: usize,
}

/// `replace old [v] => new [v]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replace {
    /// Replaced module path.
    pub old_path: String,
    /// Replaced version; `None` replaces every version.
    pub old_version: Option<String>,
    /// Replacement module path or directory.
    pub new_path: String,
    /// Replacement version; `None` for a directory.
    pub new_version: Option<String>,
    /// Line of the replacement.
    pub line: usize,
}

/// `retract v` or `retract [low, high]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retract {
    /// Lowest retracted version.
    pub low: String,
    /// Highest retracted version.
    pub high: String,
    /// The comment explaining the retraction.
    pub rationale: String,
    /// Line of the retraction.
    pub line: usize,
}

/// `godebug key=value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Godebug {
    /// Setting name.
    pub key: String,
    /// Setting value.
    pub value: String,
    /// Line of the directive.
    pub line: usize,
}

/// A path-valued directive: `tool`, `ignore`, `use`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathStmt {
    /// The path (unquoted).
    pub path: String,
    /// Line of the directive.
    pub line: usize,
}

/// A parsed go.mod.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModFile {
    /// `module`.
    pub module: Option<ModuleStmt>,
    /// `go`.
    pub go: Option<VersionStmt>,
    /// `toolchain`.
    pub toolchain: Option<VersionStmt>,
    /// `godebug`.
    pub godebug: Vec<Godebug>,
    /// `require`.
    pub require: Vec<Require>,
    /// `exclude` (the `indirect` flag is always false).
    pub exclude: Vec<Require>,
    /// `replace`.
    pub replace: Vec<Replace>,
    /// `retract`.
    pub retract: Vec<Retract>,
    /// `tool`.
    pub tool: Vec<PathStmt>,
    /// `ignore`.
    pub ignore: Vec<PathStmt>,
}

/// A parsed go.work.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkFile {
    /// `go`.
    pub go: Option<VersionStmt>,
    /// `toolchain`.
    pub toolchain: Option<VersionStmt>,
    /// `godebug`.
    pub godebug: Vec<Godebug>,
    /// `use`.
    pub use_dirs: Vec<PathStmt>,
    /// `replace`.
    pub replace: Vec<Replace>,
}
