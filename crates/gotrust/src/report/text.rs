//! The human report: findings grouped by severity, each with its evidence, origin and fix.
//!
//! Colour is a parameter, never detected here: the binary decides once (`--color`,
//! `NO_COLOR`, whether stdout is a terminal) and passes it down.

use crate::redact::redact_text;
use std::io::{self, Write};

use anstyle::{AnsiColor, Style};

use super::{Evidence, Finding, Report, Severity};

/// Options of the text renderer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TextOptions {
    /// Emit ANSI colour escapes.
    pub colour: bool,
}

/// Renders `report` to a string.
pub fn to_string(report: &Report, opts: TextOptions) -> String {
    let mut buf = Vec::new();
    render(report, opts, &mut buf).expect("writing to a Vec cannot fail");
    String::from_utf8(buf).expect("the renderer writes UTF-8 only")
}

/// Writes `report` to `w`.
pub fn render(report: &Report, opts: TextOptions, w: &mut impl Write) -> io::Result<()> {
    let paint = Painter(opts.colour);
    for sev in Severity::ALL {
        let group: Vec<&Finding> = report
            .findings()
            .iter()
            .filter(|f| f.severity == sev)
            .collect();
        if group.is_empty() {
            continue;
        }
        writeln!(
            w,
            "{} ({})",
            paint.on(severity_style(sev).bold(), sev.as_str()),
            group.len()
        )?;
        for f in group {
            writeln!(w)?;
            finding(w, &paint, f)?;
        }
        writeln!(w)?;
    }
    if !report.suppressed().is_empty() {
        writeln!(
            w,
            "{} ({})",
            paint.on(Style::new().bold().dimmed(), "suppressed by policy"),
            report.suppressed().len()
        )?;
        for s in report.suppressed() {
            writeln!(w)?;
            finding(w, &paint, &s.finding)?;
            writeln!(w, "    reason:   {}", redact_text(&s.reason))?;
        }
        writeln!(w)?;
    }
    if report.findings().is_empty() {
        writeln!(w, "no findings")?;
    }
    let s = report.summary();
    write!(
        w,
        "{}: {} critical, {} high, {} medium, {} low, {} info",
        paint.on(Style::new().bold(), "summary"),
        s.critical,
        s.high,
        s.medium,
        s.low,
        s.info
    )?;
    if s.suppressed > 0 {
        write!(w, "; {} suppressed", s.suppressed)?;
    }
    writeln!(w)
}

fn finding(w: &mut impl Write, paint: &Painter, f: &Finding) -> io::Result<()> {
    writeln!(
        w,
        "  {} {}",
        paint.on(severity_style(f.severity), &format!("{}:", f.rule.id)),
        redact_text(&f.message)
    )?;
    for e in &f.evidence {
        if let Some(line) = evidence(e) {
            writeln!(
                w,
                "    {} {}",
                paint.on(Style::new().dimmed(), "evidence:"),
                line
            )?;
        }
    }
    if !f.affected.is_empty() {
        let affected: Vec<String> = f.affected.iter().map(|a| redact_text(a)).collect();
        writeln!(
            w,
            "    {}  {}",
            paint.on(Style::new().dimmed(), "affects:"),
            affected.join(", ")
        )?;
    }
    writeln!(
        w,
        "    {}      {}",
        paint.on(Style::new().bold(), "fix:"),
        redact_text(&f.fix)
    )
}

/// `GOSUMDB=off (user go env file, /home/u/.config/go/env:3)`, or `None` when the evidence is
/// empty.
fn evidence(e: &Evidence) -> Option<String> {
    let mut out = match (&e.variable, &e.value) {
        (Some(var), Some(val)) => format!("{var}={val}"),
        (Some(var), None) => var.clone(),
        (None, Some(val)) => val.clone(),
        (None, None) => String::new(),
    };
    let mut whence: Vec<String> = Vec::new();
    whence.extend(e.origin.clone());
    whence.extend(e.location.as_ref().map(|l| l.to_string()));
    if !whence.is_empty() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&format!("({})", whence.join(", ")));
    }
    (!out.is_empty()).then(|| redact_text(&out))
}

fn severity_style(sev: Severity) -> Style {
    let colour = match sev {
        Severity::Critical => AnsiColor::BrightRed,
        Severity::High => AnsiColor::Red,
        Severity::Medium => AnsiColor::Yellow,
        Severity::Low => AnsiColor::Cyan,
        Severity::Info => AnsiColor::Blue,
    };
    Style::new().fg_color(Some(colour.into()))
}

/// Wraps text in a style when colour is on.
struct Painter(bool);

impl Painter {
    fn on(&self, style: Style, text: &str) -> String {
        if self.0 {
            format!("{style}{text}{style:#}")
        } else {
            text.to_owned()
        }
    }
}
