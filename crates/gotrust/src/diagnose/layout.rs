//! Undoing what CI systems, build tools and chat pastes wrap around go's own lines.
//!
//! go writes its errors to stderr one message per line, continuation lines indented by a tab
//! (`cmd/go/internal/base.Errorf` and the `modload` import-stack printers). Between go and the
//! person pasting the log, other programs add their own decoration: Docker BuildKit prefixes
//! every line with the step and the elapsed seconds (`#10 33.58 `), the plain Docker builder
//! with seconds only (`1.425 `), the openSUSE build service with `[   47s] `, CI runners with
//! timestamps, wrapping tools with `#STDERR> ` or a log level, Markdown quotes with `> `, and
//! editors turn the tab into spaces. [`strip_decoration`] removes those prefixes so the rest of
//! the parser sees go's line, keeping the indentation that marks a continuation.

/// Removes terminal colour and style codes anywhere in the line: ANSI SGR sequences
/// (`ESC[31m`, `ESC[1;31m`, `ESC[0m`, from colouring CI runners, BuildKit, golangci-lint,
/// goreleaser) and what remains of them when a paste dropped the invisible ESC (`[31m`). A
/// line without any is returned as it is.
pub fn strip_colors(line: &str) -> std::borrow::Cow<'_, str> {
    if !line.contains(['\u{1b}', '[']) {
        return std::borrow::Cow::Borrowed(line);
    }
    let b = line.as_bytes();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    let mut changed = false;
    while i < b.len() {
        let esc = b[i] == 0x1b;
        let start = if esc { i + 1 } else { i };
        if (esc || b[i] == b'[') && b.get(start) == Some(&b'[') {
            // Parameters: digits and semicolons, then the final `m` (SGR); an ESC sequence may
            // end with any final byte.
            let params = b[start + 1..]
                .iter()
                .take_while(|c| c.is_ascii_digit() || **c == b';')
                .count();
            let end = start + 1 + params;
            let fin = b.get(end).copied();
            let sgr = fin == Some(b'm') && (esc || params > 0);
            let other = esc && fin.is_some_and(|c| (0x40..=0x7e).contains(&c));
            if sgr || other {
                i = end + 1;
                changed = true;
                continue;
            }
        }
        if esc {
            // A lone ESC: drop it.
            i += 1;
            changed = true;
            continue;
        }
        let ch = line[i..].chars().next().unwrap_or('\u{fffd}');
        out.push(ch);
        i += ch.len_utf8();
    }
    if changed {
        std::borrow::Cow::Owned(out)
    } else {
        std::borrow::Cow::Borrowed(line)
    }
}

/// Removes the decoration other programs put in front of go's line; the indentation that
/// follows the decoration (a continuation line) is kept.
pub fn strip_decoration(line: &str) -> &str {
    let mut rest = line;
    // A few rounds: `[2020-06-15T01:17:55.889Z] #STDERR> go: ...` carries two prefixes.
    for _ in 0..4 {
        let before = rest.len();
        rest = strip_one(rest);
        if rest.len() == before {
            break;
        }
    }
    rest
}

fn strip_one(line: &str) -> &str {
    // Decorations sit at the very start of the line, perhaps after spaces of their own.
    let trimmed = line.trim_start_matches(' ');
    for prefix in ["#STDERR> ", "#STDOUT> ", "stderr: ", "stdout: ", "> "] {
        if let Some(rest) = trimmed.strip_prefix(prefix) {
            return rest;
        }
    }
    if let Some(rest) = buildkit_prefix(trimmed)
        .or_else(|| bracketed_prefix(trimmed))
        .or_else(|| timestamp_prefix(trimmed))
        .or_else(|| seconds_prefix(trimmed))
        .or_else(|| log_level_prefix(trimmed))
    {
        return rest;
    }
    line
}

/// `#10 33.58 ` (BuildKit step and elapsed seconds) or `#10 ` alone.
fn buildkit_prefix(s: &str) -> Option<&str> {
    let rest = s.strip_prefix('#')?;
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    let rest = rest[digits..].strip_prefix(' ')?;
    Some(seconds_prefix(rest).unwrap_or(rest))
}

/// `1.425 ` or `33.58 `: elapsed seconds (never go's `0.012s # ` trace timing, which has an
/// `s`).
fn seconds_prefix(s: &str) -> Option<&str> {
    let int = s.bytes().take_while(u8::is_ascii_digit).count();
    if int == 0 {
        return None;
    }
    let rest = s[int..].strip_prefix('.')?;
    let frac = rest.bytes().take_while(u8::is_ascii_digit).count();
    if frac == 0 {
        return None;
    }
    // BuildKit stamps empty lines too: `27.84` alone is an empty line of go's output.
    let after = &rest[frac..];
    if after.is_empty() {
        Some(after)
    } else {
        after.strip_prefix(' ')
    }
}

/// `[   47s] ` (openSUSE build service), `[2020-06-15T01:17:55.889Z] ` (Jenkins) or a
/// wrapping tool's bracketed log level (`[INFO] `, `[FATAL] `).
fn bracketed_prefix(s: &str) -> Option<&str> {
    const LEVELS: &[&str] = &[
        "TRACE", "DEBUG", "INFO", "NOTICE", "WARN", "WARNING", "ERROR", "FATAL",
    ];
    let rest = s.strip_prefix('[')?;
    let end = rest.find("] ")?;
    let inner = rest[..end].trim();
    let obs = inner
        .strip_suffix('s')
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit() || b == b'.'));
    let stamp = looks_like_timestamp(inner);
    let level = LEVELS.contains(&inner);
    (obs || stamp || level).then(|| &rest[end + 2..])
}

/// `2024-01-02T03:04:05.1234567Z ` (GitHub Actions), `2025/03/05 ` (Go's log package, whose
/// clock follows as the next prefix) or `09:07:15: ` / `09:07:15 `.
fn timestamp_prefix(s: &str) -> Option<&str> {
    let end = s.find(' ')?;
    let word = s[..end].trim_end_matches(':');
    looks_like_timestamp(word).then(|| &s[end + 1..])
}

fn looks_like_timestamp(word: &str) -> bool {
    let b = word.as_bytes();
    let date = b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && (b[4] == b'-' && b[7] == b'-' || b[4] == b'/' && b[7] == b'/')
        && b.get(10).is_none_or(|c| *c == b'T' || *c == b' ');
    let clock = b.len() >= 8
        && b[..2].iter().all(u8::is_ascii_digit)
        && b[2] == b':'
        && b[3..5].iter().all(u8::is_ascii_digit)
        && b[5] == b':'
        && b[6..8].iter().all(u8::is_ascii_digit);
    date || clock
}

/// `debug:another: `, `info: `, `error:echo:build: `: a wrapping tool's log level and
/// component names. go's own lines never start with these words.
fn log_level_prefix(s: &str) -> Option<&str> {
    const LEVELS: &[&str] = &[
        "trace",
        "debug",
        "info",
        "warn",
        "warning",
        "error",
        "level=error",
    ];
    let (head, rest) = s.split_once(": ")?;
    let level = head.split(':').next()?;
    let components_ok = head
        .split(':')
        .skip(1)
        .all(|c| !c.is_empty() && !c.contains(' '));
    (LEVELS.contains(&level) && components_ok && !head.contains(' ')).then_some(rest)
}

/// Whether a (decoration-free) line continues the message above it: go indents continuation
/// lines with a tab, which pastes turn into spaces.
pub fn is_indented(line: &str) -> bool {
    line.starts_with([' ', '\t'])
}

#[cfg(test)]
mod tests {
    use super::strip_decoration as s;

    #[test]
    fn prefixes_are_removed_and_indentation_kept() {
        assert_eq!(s("#10 33.58 go: x: y"), "go: x: y");
        assert_eq!(s("#28 0.307 \tgo mod tidy"), "\tgo mod tidy");
        assert_eq!(s("1.425   downloaded: h1:x="), "  downloaded: h1:x=");
        assert_eq!(
            s("[   47s]        github.com/a/b@v1: is"),
            "       github.com/a/b@v1: is"
        );
        assert_eq!(
            s("[2020-06-15T01:17:55.889Z] session.go:36:2: m@v1: Get x"),
            "session.go:36:2: m@v1: Get x"
        );
        assert_eq!(s("2024-05-01T10:00:00.1234567Z go: m@v1: x"), "go: m@v1: x");
        assert_eq!(
            s("09:07:15: \tgoogle.golang.org/api@v0.78.0 requires"),
            "\tgoogle.golang.org/api@v0.78.0 requires"
        );
        assert_eq!(s("#STDERR> go: a@v1: malformed"), "go: a@v1: malformed");
        assert_eq!(s("debug:another: \tgo work use"), "\tgo work use");
        assert_eq!(s("stdout: \t\"Error\": \"x\""), "\t\"Error\": \"x\"");
        assert_eq!(s("> go: a"), "go: a");
        // BuildKit stamps empty lines; Go's log package and bracketed levels of wrappers.
        assert_eq!(s("27.84"), "");
        assert_eq!(s("#7 27.84"), "");
        assert_eq!(
            s("27.84 2025/03/05 14:10:15 [FATAL] exit status 1"),
            "exit status 1"
        );
        assert_eq!(s("[INFO] go: a@v1: x"), "go: a@v1: x");
        assert_eq!(s("[   47s] "), "");
    }

    #[test]
    fn colors_are_removed() {
        use super::strip_colors as c;
        assert_eq!(
            c("\u{1b}[31mgo: a@v1: x509: bad\u{1b}[0m"),
            "go: a@v1: x509: bad"
        );
        assert_eq!(
            c("\u{1b}[1;31m  ⨯ release failed\u{1b}[0m"),
            "  ⨯ release failed"
        );
        assert_eq!(c("\u{1b}[2K\u{1b}[1Ggo: x"), "go: x");
        // A paste that lost the ESC keeps the rest of the sequence.
        assert_eq!(c("[31mgo: a@v1: error[0m"), "go: a@v1: error");
        // Brackets that are not colour codes stay.
        for line in [
            "[   47s] go: x",
            "go: a@v1: invalid version: unknown revision [m]",
            "[m] go: x",
            "#12 [linux/amd64 builder 5/6] RUN go mod download",
        ] {
            assert_eq!(c(line), line);
        }
    }

    #[test]
    fn go_lines_are_left_alone() {
        for line in [
            "go: downloading rsc.io/quote v1.5.2",
            "\tfatal: could not read Username for 'https://github.com': terminal prompts disabled",
            "fatal: could not read Username",
            "0.012s # cd /x; git fetch",
            "# get https://proxy.golang.org/x/@v/list: 200 OK (0.081s)",
            "verifying m@v1.0.0: checksum mismatch",
            "SECURITY ERROR",
        ] {
            assert_eq!(s(line), line);
        }
    }
}
