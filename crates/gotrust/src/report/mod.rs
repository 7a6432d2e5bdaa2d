//! The finding model and its renderers.
//!
//! Every command that judges something produces a [`Report`]: a sorted list of [`Finding`]s,
//! each naming a rule of the [`catalog`], with evidence (variable, value, origin, file and
//! line), the modules or patterns affected and a concrete fix. The renderers ([`text`],
//! [`json`], [`sarif`]) only format it; they never decide anything. Every string they emit
//! goes through [`crate::redact::redact_text`], so credentials in a GOPROXY or GOSUMDB URL never
//! reach a terminal, a CI log or a code-scanning upload.
//!
//! A policy (the [`Governance`] a `gotrust.toml` loads into, [`crate::policy::Policy`])
//! changes the report in one place, [`Report::with_policy`]: severity overrides and
//! ignores (kept, with their reason, as [`Suppressed`]). The exit decision is
//! [`Report::exceeds`].
//!
//! Layering: this module is below `policy` (which parses the policy file and validates it
//! against the [`catalog`]); it sees a policy only through [`Governance`], so the two never
//! import each other.

pub mod catalog;
pub mod json;
pub mod rules;
pub mod sarif;
pub mod text;

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

pub use catalog::Rule;

/// How bad a finding is. Ordered: `Info < Low < Medium < High < Critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; nothing is weakened.
    Info,
    /// A weakening with little practical reach.
    Low,
    /// A real weakening or a fail-open misconfiguration.
    Medium,
    /// Integrity or confidentiality of fetched modules is at risk.
    High,
    /// Modules can be substituted without any check.
    Critical,
}

impl Severity {
    /// Every severity, most severe first (the order of the text report).
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    /// The lowercase name used in every output and in the policy file.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that is not a severity name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown severity `{0}` (expected critical, high, medium, low or info)")]
pub struct ParseSeverityError(pub String);

impl FromStr for Severity {
    type Err = ParseSeverityError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::ALL
            .into_iter()
            .find(|sev| sev.as_str() == s)
            .ok_or_else(|| ParseSeverityError(s.to_owned()))
    }
}

/// The `--fail-on` threshold: the least severe finding that makes the run fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    /// Findings never fail the run (verification failures still do).
    Never,
    /// Fail when a finding is at or above this severity.
    At(Severity),
}

impl Default for FailOn {
    /// `high`: a high or critical finding fails the run unless told otherwise.
    fn default() -> Self {
        FailOn::At(Severity::High)
    }
}

impl FromStr for FailOn {
    type Err = ParseSeverityError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "never" {
            Ok(FailOn::Never)
        } else {
            s.parse().map(FailOn::At)
        }
    }
}

/// A place in a file: a go env file line, a go.sum line, a Dockerfile line.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    /// The file, as the user would type it (absolute or relative to the working directory).
    pub path: PathBuf,
    /// 1-based line, when known.
    pub line: Option<u32>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}", self.path.display()),
            None => write!(f, "{}", self.path.display()),
        }
    }
}

/// One piece of evidence: usually a variable, its value and where that value came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Evidence {
    /// The variable or setting (`GOSUMDB`, `http.sslVerify`).
    pub variable: Option<String>,
    /// Its value, verbatim (renderers redact credentials).
    pub value: Option<String>,
    /// Where the value came from, for humans: `user go env file`, `process environment`,
    /// `$GOROOT/go.env`, `default`.
    pub origin: Option<String>,
    /// The file and line that set it, when there is one.
    pub location: Option<Location>,
}

impl Evidence {
    /// Evidence that `variable` has `value`.
    pub fn variable(variable: impl Into<String>, value: impl Into<String>) -> Self {
        Evidence {
            variable: Some(variable.into()),
            value: Some(value.into()),
            ..Evidence::default()
        }
    }

    /// Sets the human-readable origin.
    pub fn origin(mut self, origin: impl Into<String>) -> Self {
        self.origin = Some(origin.into());
        self
    }

    /// Sets the file and line.
    pub fn at(mut self, path: impl Into<PathBuf>, line: Option<u32>) -> Self {
        self.location = Some(Location {
            path: path.into(),
            line,
        });
        self
    }
}

/// One finding: a rule that holds, with evidence and a fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The rule (always one of [`catalog::RULES`]).
    pub rule: &'static Rule,
    /// Severity of this finding: the rule's default unless the rule or the policy says otherwise.
    pub severity: Severity,
    /// What is wrong here, in one sentence.
    pub message: String,
    /// Why we say so.
    pub evidence: Vec<Evidence>,
    /// Module paths or patterns affected (empty when the finding is global).
    pub affected: Vec<String>,
    /// The concrete fix.
    pub fix: String,
}

impl Finding {
    /// A finding of `rule` with its default severity and its general fix.
    pub fn new(rule: &'static Rule, message: impl Into<String>) -> Self {
        Finding {
            rule,
            severity: rule.severity,
            message: message.into(),
            evidence: Vec::new(),
            affected: Vec::new(),
            fix: rule.help.to_owned(),
        }
    }

    /// Sets the severity (rules with two levels, such as `git/insteadof`).
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// Adds evidence.
    pub fn with_evidence(mut self, evidence: Evidence) -> Self {
        self.evidence.push(evidence);
        self
    }

    /// Adds an affected module path or pattern.
    pub fn with_affected(mut self, affected: impl Into<String>) -> Self {
        self.affected.push(affected.into());
        self
    }

    /// Replaces the general fix with a concrete one.
    pub fn with_fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = fix.into();
        self
    }

    /// The first evidence location, which SARIF uses as the result's location.
    pub fn location(&self) -> Option<&Location> {
        self.evidence.iter().find_map(|e| e.location.as_ref())
    }

    fn sort_key(&self) -> (std::cmp::Reverse<Severity>, &str, &str) {
        (
            std::cmp::Reverse(self.severity),
            self.rule.id,
            &self.message,
        )
    }
}

/// What a policy decides about findings: implemented by [`crate::policy::Policy`], applied
/// by [`Report::with_policy`].
pub trait Governance {
    /// The severity the policy sets for every finding of `rule`, if any.
    fn severity_override(&self, rule: &Rule) -> Option<Severity>;
    /// The reason of the first ignore entry matching `finding` (after any severity
    /// override), if the policy ignores it.
    fn ignore_reason(&self, finding: &Finding) -> Option<String>;
}

/// A finding that the policy ignored, kept in the output with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppressed {
    /// The finding as it would have been reported.
    pub finding: Finding,
    /// The `reason` of the matching `[[ignore]]` entry.
    pub reason: String,
}

/// Counts of the active findings per severity, and of suppressed ones.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Active findings.
    pub total: usize,
    /// Active critical findings.
    pub critical: usize,
    /// Active high findings.
    pub high: usize,
    /// Active medium findings.
    pub medium: usize,
    /// Active low findings.
    pub low: usize,
    /// Active info findings.
    pub info: usize,
    /// Findings ignored by the policy.
    pub suppressed: usize,
}

impl Summary {
    /// The count for one severity.
    pub fn count(&self, severity: Severity) -> usize {
        match severity {
            Severity::Critical => self.critical,
            Severity::High => self.high,
            Severity::Medium => self.medium,
            Severity::Low => self.low,
            Severity::Info => self.info,
        }
    }
}

/// Something a command did not do, said rather than hidden: a file skipped, a value that
/// could not be resolved. Not a finding: it has no rule and no severity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// A stable kind: `skipped-file`, `unresolved-value`, `unreadable-file`.
    pub kind: &'static str,
    /// What happened, in one sentence.
    pub message: String,
    /// The file and line concerned, when there is one.
    pub location: Option<Location>,
}

/// The result of a command: active findings sorted most severe first, plus suppressed ones.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    findings: Vec<Finding>,
    suppressed: Vec<Suppressed>,
    notes: Vec<Note>,
    uri_base: Option<PathBuf>,
}

impl Report {
    /// A report of these findings, sorted by severity (most severe first), rule ID, message.
    pub fn new(findings: Vec<Finding>) -> Self {
        let mut report = Report {
            findings,
            ..Report::default()
        };
        report.sort();
        report
    }

    /// A report of these findings after the policy's severity overrides and ignores.
    ///
    /// Overrides apply first, so a suppressed finding shows the severity it would have had.
    pub fn with_policy(findings: Vec<Finding>, policy: &impl Governance) -> Self {
        let mut report = Report::default();
        for mut finding in findings {
            if let Some(sev) = policy.severity_override(finding.rule) {
                finding.severity = sev;
            }
            match policy.ignore_reason(&finding) {
                Some(reason) => report.suppressed.push(Suppressed { finding, reason }),
                None => report.findings.push(finding),
            }
        }
        report.sort();
        report
    }

    /// Adds notes (what was skipped or could not be resolved).
    pub fn with_notes(mut self, notes: Vec<Note>) -> Self {
        self.notes.extend(notes);
        self
    }

    /// The notes, in the order given.
    pub fn notes(&self) -> &[Note] {
        &self.notes
    }

    /// Sets the absolute directory that relative locations are relative to (SARIF's
    /// `originalUriBaseIds`).
    pub fn with_uri_base(mut self, base: PathBuf) -> Self {
        self.uri_base = Some(base);
        self
    }

    /// The directory relative locations are relative to, if known.
    pub fn uri_base(&self) -> Option<&std::path::Path> {
        self.uri_base.as_deref()
    }

    fn sort(&mut self) {
        self.findings
            .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        self.suppressed
            .sort_by(|a, b| a.finding.sort_key().cmp(&b.finding.sort_key()));
    }

    /// Active findings, most severe first.
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    /// Findings the policy ignored, in the same order.
    pub fn suppressed(&self) -> &[Suppressed] {
        &self.suppressed
    }

    /// Counts per severity.
    pub fn summary(&self) -> Summary {
        let mut s = Summary {
            total: self.findings.len(),
            suppressed: self.suppressed.len(),
            ..Summary::default()
        };
        for f in &self.findings {
            *match f.severity {
                Severity::Critical => &mut s.critical,
                Severity::High => &mut s.high,
                Severity::Medium => &mut s.medium,
                Severity::Low => &mut s.low,
                Severity::Info => &mut s.info,
            } += 1;
        }
        s
    }

    /// Whether an active finding is at or above `threshold` (exit code 1).
    pub fn exceeds(&self, threshold: FailOn) -> bool {
        match threshold {
            FailOn::Never => false,
            FailOn::At(min) => self.findings.iter().any(|f| f.severity >= min),
        }
    }

    /// The rules that appear in the report (active or suppressed): catalog rules in catalog
    /// order, then any rule defined outside the catalog.
    pub fn rules(&self) -> Vec<&'static Rule> {
        let used = self
            .findings
            .iter()
            .chain(self.suppressed.iter().map(|s| &s.finding))
            .map(|f| f.rule);
        let mut rules: Vec<&'static Rule> = Vec::new();
        for rule in used {
            if !rules.iter().any(|r| r.id == rule.id) {
                rules.push(rule);
            }
        }
        let position = |r: &Rule| catalog::RULES.iter().position(|c| c.id == r.id);
        rules.sort_by_key(|r| position(r).unwrap_or(usize::MAX));
        rules
    }
}

#[cfg(test)]
mod tests {
    use super::catalog::*;
    use super::*;

    #[test]
    fn severity_order_and_names() {
        assert!(Severity::Critical > Severity::High);
        assert!(Severity::High > Severity::Medium);
        assert!(Severity::Medium > Severity::Low);
        assert!(Severity::Low > Severity::Info);
        for s in Severity::ALL {
            assert_eq!(s.as_str().parse::<Severity>(), Ok(s));
            assert_eq!(
                serde_json::to_string(&s).unwrap(),
                format!("\"{}\"", s.as_str())
            );
        }
        assert!("High".parse::<Severity>().is_err());
        assert_eq!("never".parse::<FailOn>(), Ok(FailOn::Never));
        assert_eq!("low".parse::<FailOn>(), Ok(FailOn::At(Severity::Low)));
        assert!("none".parse::<FailOn>().is_err());
        assert_eq!(FailOn::default(), FailOn::At(Severity::High));
    }

    #[test]
    fn sorting_and_summary() {
        let r = Report::new(vec![
            Finding::new(&PROXY_DIRECT_FALLBACK, "b"),
            Finding::new(&SUMDB_DISABLED, "z"),
            Finding::new(&PROXY_PLAINTEXT, "y"),
            Finding::new(&INSECURE_MATCH_ALL, "a"),
            Finding::new(&PROXY_PLAINTEXT, "x"),
        ]);
        let order: Vec<_> = r
            .findings()
            .iter()
            .map(|f| (f.rule.id, f.message.as_str()))
            .collect();
        assert_eq!(
            order,
            [
                ("insecure/match-all", "a"),
                ("sumdb/disabled", "z"),
                ("proxy/plaintext", "x"),
                ("proxy/plaintext", "y"),
                ("proxy/direct-fallback", "b"),
            ]
        );
        let s = r.summary();
        assert_eq!(
            (s.total, s.critical, s.high, s.medium, s.low, s.info),
            (5, 2, 2, 0, 1, 0)
        );
        assert_eq!(s.count(Severity::Low), 1);
        assert_eq!(
            r.rules().iter().map(|r| r.id).collect::<Vec<_>>(),
            [
                "sumdb/disabled",
                "proxy/plaintext",
                "proxy/direct-fallback",
                "insecure/match-all"
            ]
        );
    }

    #[test]
    fn exceeds_threshold() {
        let r = Report::new(vec![Finding::new(&SUMDB_CUSTOM, "m")]);
        assert!(r.exceeds(FailOn::At(Severity::Medium)));
        assert!(r.exceeds(FailOn::At(Severity::Info)));
        assert!(!r.exceeds(FailOn::At(Severity::High)));
        assert!(!r.exceeds(FailOn::Never));
        assert!(!Report::default().exceeds(FailOn::At(Severity::Info)));
    }
}
