//! Go env files in Go's own format (mirrors `cmd/go/internal/cfg` `parseGoEnv`):
//! split on `\n` only, a line counts when its first byte is `A`–`Z` and it contains `=`, the
//! key is everything before the first `=` and the value everything after it, verbatim (a `\r`,
//! quotes and spaces stay part of the value, which is what `env/quoted-value` looks for).

use super::{Candidate, How, Sink};

pub(crate) fn scan(text: &str, sink: &mut Sink) {
    for (i, line) in text.split('\n').enumerate() {
        if !line.as_bytes().first().is_some_and(u8::is_ascii_uppercase) {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        sink.push(Candidate {
            line: i + 1,
            column: Some(1),
            variable: key,
            value,
            how: How::GoEnvFile,
            context: None,
            // go never expands anything in these files: `$HOME` is the literal value.
            unresolved: false,
        });
    }
}
