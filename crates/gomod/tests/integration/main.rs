//! gomod's integration tests: one binary; each module checks a port against golang.org/x/mod or
//! the go command.

mod dirhash_oracle;
mod module_oracle;
mod modzip_oracle;
mod note_oracle;
mod pattern_oracle;
mod strconv_oracle;
mod tlog_oracle;
mod xmod_zip_testdata;
