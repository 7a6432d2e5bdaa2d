//! Go module formats and the checksum database's cryptography, bit for bit as Go.
//!
//! Everything here is pure: no I/O beyond `Read` and byte slices, no async, no printing.
//! Each module mirrors one Go package and cites the file it follows.
//!
//! | module | mirrors |
//! |---|---|
//! | [`pattern`] | `path.Match`, `golang.org/x/mod/module.MatchPrefixPatterns` |
//! | [`module`] | module path / version validation and `!`-escaping (`x/mod/module`) |
//! | [`gosum`], [`modfile`] | go.sum, go.mod and go.work parsing with line numbers |
//! | [`dirhash`] | `h1:` hashes (`x/mod/sumdb/dirhash`) |
//! | [`modzip`] | module zip checks and creation (`x/mod/zip`) |
//! | [`note`] | signed notes and keys (`x/mod/sumdb/note`) |
//! | [`tlog`] | tiles, hashes and proofs (`x/mod/sumdb/tlog`) |
//! | [`sumdb`] | lookup responses, records and size limits of the checksum-database protocol |
//! | [`strconv`] | `strconv.Quote` / `QuoteRune`: every quoted error text |
//! | [`path`] | `path.Clean` |
//!
//! Layering (no module imports another that imports it back; `testkit`'s `layering` test
//! checks every library crate): at the bottom are the Unicode tables, [`strconv`] (on
//! them), [`path`] and the zip archive reader (`ziparchive`); [`module`] uses [`strconv`];
//! [`modfile`] uses [`module`]; [`dirhash`] uses [`path`] and the archive reader;
//! [`modzip`] sits on all of them. [`note`] < [`tlog`] < [`sumdb`] form a separate
//! stack, and [`gosum`] uses [`dirhash`]'s constants only.
#![deny(missing_docs)]

pub mod dirhash;
pub mod gosum;
pub mod modfile;
pub mod module;
pub mod modzip;
pub mod note;
pub mod path;
pub mod pattern;
pub mod strconv;
pub mod sumdb;
pub mod tlog;
mod unicode;
mod ziparchive;
