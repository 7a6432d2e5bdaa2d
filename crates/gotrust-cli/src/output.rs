//! Writing results to stdout in the chosen format, and turning them into an exit code.
//!
//! Every byte gotrust writes to stdout or stderr goes through a [`SafeWriter`]: the last
//! place where a credential could leave the process or a hostile input could reach the
//! terminal. It redacts URL user info and every registered secret
//! ([`gotrust::redact::redact_text`]) and escapes control characters and invalid UTF-8 as Go's
//! `%q` shows them ([`gotrust::redact::escape_controls_bytes`]); with colour on, only the SGR
//! colour sequences gotrust's renderers emit are let through.

use std::io::{self, Write};
use std::process::ExitCode;

use anyhow::{Context, bail};
use gotrust::report::text::TextOptions;
use gotrust::report::{FailOn, Report, json, sarif, text};

use crate::EXIT_FINDINGS;
use crate::args::{ColorArg, Format, GlobalArgs};

/// Whether to colour stdout: decided once from `--color`, `NO_COLOR` and whether stdout is a
/// terminal.
pub fn colour(global: &GlobalArgs) -> bool {
    match global.color {
        ColorArg::Always => true,
        ColorArg::Never => false,
        // anstream's choice follows NO_COLOR, CLICOLOR and CLICOLOR_FORCE and checks
        // for a terminal, like clap's own help output does.
        ColorArg::Auto => {
            anstream::AutoStream::choice(&io::stdout()) != anstream::ColorChoice::Never
        }
    }
}

/// Writes `report` to stdout in the chosen format and returns the exit code for `--fail-on`.
///
/// `command` names the subcommand in errors (`gotrust audit`).
pub fn report(global: &GlobalArgs, command: &str, report: &Report) -> anyhow::Result<ExitCode> {
    let mut out = stdout(global);
    match global.format {
        Format::Text => text::render(
            report,
            TextOptions {
                colour: colour(global),
            },
            &mut out,
        ),
        Format::Json => json::render(report, &mut out),
        Format::Sarif => sarif::render(report, env!("CARGO_PKG_VERSION"), &mut out),
        Format::Mermaid => bail!(
            "--format {} is not available for gotrust {command}",
            global.format.name()
        ),
    }
    .and_then(|()| out.flush())
    .context("cannot write to stdout")?;
    Ok(exit_code(report, global.fail_on.into()))
}

/// 1 when a finding is at or above the threshold, else 0.
pub fn exit_code(report: &Report, fail_on: FailOn) -> ExitCode {
    if report.exceeds(fail_on) {
        ExitCode::from(EXIT_FINDINGS)
    } else {
        ExitCode::SUCCESS
    }
}

/// stdout behind a [`SafeWriter`], buffered; colour sequences pass only when `--color` allows.
pub fn stdout(global: &GlobalArgs) -> SafeWriter<io::BufWriter<io::StdoutLock<'static>>> {
    SafeWriter::new(io::BufWriter::new(io::stdout().lock()), colour(global))
}

/// stderr behind a [`SafeWriter`] (never coloured).
pub fn stderr() -> SafeWriter<io::Stderr> {
    SafeWriter::new(io::stderr(), false)
}

/// A writer that redacts secrets and escapes control characters, line by line (a secret or
/// an escape sequence never spans lines, so no chunk boundary can split one).
pub struct SafeWriter<W: Write> {
    inner: W,
    pending: Vec<u8>,
    colour: bool,
}

impl<W: Write> SafeWriter<W> {
    /// Wraps `inner`; `colour` lets gotrust's SGR colour sequences (`ESC [ … m`) through.
    pub fn new(inner: W, colour: bool) -> Self {
        SafeWriter {
            inner,
            pending: Vec::new(),
            colour,
        }
    }

    fn emit(&mut self, line: &[u8]) -> io::Result<()> {
        let safe = sanitize(line, self.colour);
        self.inner.write_all(safe.as_bytes())
    }

    fn emit_complete_lines(&mut self) -> io::Result<()> {
        let Some(last) = self.pending.iter().rposition(|&b| b == b'\n') else {
            return Ok(());
        };
        let rest = self.pending.split_off(last + 1);
        let done = std::mem::replace(&mut self.pending, rest);
        for line in done.split_inclusive(|&b| b == b'\n') {
            self.emit(line)?;
        }
        Ok(())
    }
}

impl<W: Write> Write for SafeWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        self.emit_complete_lines()?;
        // A single line longer than 1 MiB (a hostile go.sum with no newline) is written in
        // pieces rather than held whole.
        if self.pending.len() > 1 << 20 {
            let line = std::mem::take(&mut self.pending);
            self.emit(&line)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.pending.is_empty() {
            let line = std::mem::take(&mut self.pending);
            self.emit(&line)?;
        }
        self.inner.flush()
    }
}

impl<W: Write> Drop for SafeWriter<W> {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

/// One line made safe: redacted, control characters escaped, gotrust's colour kept.
pub fn sanitize(line: &[u8], colour: bool) -> String {
    use gotrust::redact::{escape_controls_bytes, redact_text};
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while !rest.is_empty() {
        let (text, sgr, tail) = match colour.then(|| next_sgr(rest)).flatten() {
            Some((start, end)) => (&rest[..start], &rest[start..end], &rest[end..]),
            None => (rest, &[][..], &[][..]),
        };
        out.push_str(&redact_text(&escape_controls_bytes(text)));
        // SGR sequences are ASCII.
        out.push_str(std::str::from_utf8(sgr).unwrap_or_default());
        rest = tail;
    }
    out
}

/// The first `ESC [ digits/semicolons m` in `b`, as a byte range.
fn next_sgr(b: &[u8]) -> Option<(usize, usize)> {
    let mut from = 0;
    while let Some(i) = b[from..].iter().position(|&c| c == 0x1b) {
        let start = from + i;
        if b.get(start + 1) == Some(&b'[') {
            let mut j = start + 2;
            while j < b.len() && (b[j].is_ascii_digit() || b[j] == b';') {
                j += 1;
            }
            if b.get(j) == Some(&b'm') {
                return Some((start, j + 1));
            }
        }
        from = start + 1;
    }
    None
}

/// Registers every credential this process can see, so that [`SafeWriter`] hides it even in
/// a message that carries it outside a URL: the user info of URLs in the process environment
/// and in the go env files, and the passwords of the `.netrc` GOAUTH=netrc would read.
pub fn register_secrets() {
    use gotrust::redact::{register_secret, register_url_secrets};
    for (_, value) in std::env::vars_os() {
        register_url_secrets(&value.to_string_lossy());
    }
    let src = gotrust::env::EnvSources::from_process();
    let env = gotrust::env::resolve(&src);
    for setting in env.vars.values() {
        register_url_secrets(&setting.value);
    }
    for file in env.user_file.iter().chain(env.goroot_env.iter()) {
        for entry in &file.entries {
            register_url_secrets(&entry.value());
        }
    }
    let settings = gotrust::settings::Settings::from_env(&env, &src);
    if let Ok(path) = &settings.netrc_path
        && let Some(netrc) = gotrust::settings::netrc::Netrc::read(path)
    {
        for entry in &netrc.entries {
            register_secret(entry.password());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_keeps_colour_only_when_colouring() {
        let line = b"\x1b[31mred\x1b[0m \x1b]0;pwned\x07 https://tok@h \xff\n";
        assert_eq!(
            sanitize(line, true),
            "\x1b[31mred\x1b[0m \\x1b]0;pwned\\a https://xxxxx@h \\xff\n"
        );
        assert_eq!(
            sanitize(line, false),
            "\\x1b[31mred\\x1b[0m \\x1b]0;pwned\\a https://xxxxx@h \\xff\n"
        );
    }

    #[test]
    fn lines_split_across_writes_are_redacted_whole() {
        let mut buf = Vec::new();
        {
            let mut w = SafeWriter::new(&mut buf, false);
            w.write_all(b"Get \"https://se").unwrap();
            w.write_all(b"cret@host/x\": EOF\nnext").unwrap();
        }
        assert_eq!(
            String::from_utf8(buf).unwrap(),
            "Get \"https://xxxxx@host/x\": EOF\nnext"
        );
    }
}
