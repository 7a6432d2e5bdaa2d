//! go.mod and go.work parsing with line numbers, mirroring
//! `golang.org/x/mod/modfile` (`read.go` lexer and block grammar, `rule.go`
//! `Parse`/`ParseLax`, `work.go` `ParseWork`).
//!
//! Versions are checked as `modfile.Parse` does with a nil version fixer:
//! they must be canonicalisable semantic versions (cmd/go's fixer, which
//! can resolve branch names over the network, is out of scope).
//!
//! One job per file: `lexer.rs` (tokens), `syntax.rs` (lines and blocks), `values.rs`
//! (argument values: strings, versions, Go versions, toolchains), `rules.rs` (what each
//! directive means and which errors it gives), `model.rs` (the parsed files and errors).

mod lexer;
mod model;
mod rules;
mod syntax;
#[cfg(test)]
mod tests;
mod values;

pub use model::*;
pub use rules::{go_version_lax, parse, parse_lax, parse_work};
pub use values::is_directory_path;
