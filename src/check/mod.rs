//! The checks of `gen test`, each a self-contained module with its own small input
//! types, and the data they all produce: [`Finding`]s located inside a code block, and an
//! [`Outcome`] per check and per snippet, summed up by a [`Summary`].
//!
//! - [`lint`]: typography damage and classic shell mistakes, on any code block's text.
//! - [`shellcheck`]: shellcheck's findings for every script of a run, in one call.
//! - [`args`]: a declared tool's own client judges a simple command's arguments.
//! - [`requirements`]: tool versions and platforms, probed once per run.
//! - [`sandbox`] and [`expect`]: running a snippet under bubblewrap and comparing its output.
//! - [`engine`]: a private, disposable docker engine for `--engine docker`.
//! - [`images`]: the engine's images, made locally from site.toml's mapping.
//! - [`screen`]: docker commands screened before they reach the engine.
//! - [`from_index`]: the snippet index's snippets as the checks' input.
//! - [`results`]: the key each snippet is tested under, and its outcome as the results
//!   file ([`crate::results`]) stores it.
//! - [`plan`]: what a run is to check, as the plan cache keeps it.
//! - [`cache`]: what `gen test` remembers between runs outside the site (a shortcut).
//! - [`suite`]: a whole run over many snippets.
//! - [`live`]: the checks `gen serve` runs on the snippets edited while serving.
//! - [`junit`]: a run as JUnit XML (`--junit`).
//! - [`command`]: the `gen test` command, from its options to what it prints.
//!
//! `check` is on top of the pipeline: it uses [`crate::pipeline`] to read the site and
//! [`crate::results`] for the results file; nothing outside it but `cmd` uses it.
//!
//! Positions in findings are relative to the text the check was given (line 1, column 1
//! is its first character); [`Origin`] maps them to the Markdown file.

pub mod args;
pub mod cache;
pub mod command;
pub mod engine;
pub mod expect;
pub mod from_index;
pub mod images;
pub mod junit;
pub mod lint;
pub mod live;
pub mod plan;
pub mod requirements;
pub mod results;
pub mod sandbox;
pub mod screen;
pub mod shellcheck;
pub mod suite;

use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::error::Diagnostic;

/// Where a piece of text (a code block's content, a command, a script line) starts in
/// its Markdown file: the file, and the 1-based line and column of its first character.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Origin {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
}

impl Origin {
    pub fn new(file: impl Into<PathBuf>, line: usize, column: usize) -> Self {
        Origin { file: file.into(), line, column }
    }

    /// The file position of `line`:`column` of the text, both 1-based. Every line of the
    /// text is taken to start at the origin's column (a fenced block's lines at its
    /// indentation, a console command's after its `$ ` prompt).
    pub fn map(&self, line: usize, column: usize) -> (usize, usize) {
        (self.line + line.saturating_sub(1), self.column + column.saturating_sub(1))
    }
}

/// Which check produced a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckKind {
    Syntax,
    Lint,
    Shellcheck,
    Args,
    Requirements,
    Run,
}

impl fmt::Display for CheckKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CheckKind::Syntax => "syntax",
            CheckKind::Lint => "lint",
            CheckKind::Shellcheck => "shellcheck",
            CheckKind::Args => "args",
            CheckKind::Requirements => "requirements",
            CheckKind::Run => "run",
        })
    }
}

/// How much a finding weighs: an error fails its snippet; a warning is reported and the
/// snippet passes with warnings (a style matter, advice about valid shell, a command
/// the block shows failing on purpose).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    #[default]
    Error,
    Warning,
}

impl Severity {
    pub fn is_error(&self) -> bool {
        *self == Severity::Error
    }
}

/// One problem a check found, located in the text it was given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub check: CheckKind,
    /// A stable code: `GEN001`…, `SC2086`, `ARGS`, `RUN`.
    pub code: String,
    /// What is wrong.
    pub message: String,
    /// What to type instead, when the check knows.
    pub help: Option<String>,
    /// 1-based line in the checked text; 0 when the finding concerns all of it.
    pub line: usize,
    /// 1-based column (characters); 0 when unknown.
    pub column: usize,
    /// An error (the default) or a warning.
    #[serde(default, skip_serializing_if = "Severity::is_error")]
    pub severity: Severity,
}

impl Finding {
    pub fn new(check: CheckKind, code: impl Into<String>, message: impl Into<String>) -> Self {
        Finding {
            check,
            code: code.into(),
            message: message.into(),
            help: None,
            line: 0,
            column: 0,
            severity: Severity::Error,
        }
    }

    pub fn at(mut self, line: usize, column: usize) -> Self {
        self.line = line;
        self.column = column;
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// The finding as a warning: reported, but it does not fail the snippet.
    pub fn as_warning(mut self) -> Self {
        self.severity = Severity::Warning;
        self
    }

    /// The finding as a warning, with why it is one added to its message ("the block
    /// shows this command failing").
    pub fn as_warning_because(mut self, why: &str) -> Self {
        self.message = format!("{} ({why})", self.message);
        self.as_warning()
    }

    pub fn is_warning(&self) -> bool {
        self.severity == Severity::Warning
    }

    /// The finding as a diagnostic in the Markdown file where the checked text starts.
    pub fn to_diagnostic(&self, origin: &Origin) -> Diagnostic {
        let (line, column) = if self.line == 0 { (origin.line, 0) } else { origin.map(self.line, self.column.max(1)) };
        let weight = if self.is_warning() { " (warning)" } else { "" };
        let message = format!("{} {}{weight}: {}", self.check, self.code, self.message);
        let d = Diagnostic::new(&origin.file, line, column, message);
        match &self.help {
            Some(help) => d.with_help(help.clone()),
            None => d,
        }
    }
}

/// What one check, or a whole snippet, came to. Outcomes are data: no check panics or
/// prints; the caller decides how to show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum Outcome {
    /// Checked and fine; `detail` says against what ("docker 28.2.2"), may be empty;
    /// `warnings` are findings that do not fail it (passed with warnings).
    Passed {
        detail: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        warnings: Vec<Finding>,
    },
    /// Checked and broken: at least one finding is an error (its warnings are kept too).
    Failed { findings: Vec<Finding> },
    /// Not checked, and why ("requires docker 1.3+, found 1.2.0").
    Skipped { reason: String },
    /// Checked, but the check could not decide ("needs a daemon to tell").
    Inconclusive { reason: String },
}

impl Outcome {
    pub fn passed() -> Self {
        Outcome::Passed { detail: String::new(), warnings: Vec::new() }
    }

    /// Passed, checked against `detail` ("docker 28.2.2").
    pub fn passed_with(detail: impl Into<String>) -> Self {
        Outcome::Passed { detail: detail.into(), warnings: Vec::new() }
    }

    pub fn skipped(reason: impl Into<String>) -> Self {
        Outcome::Skipped { reason: reason.into() }
    }

    pub fn inconclusive(reason: impl Into<String>) -> Self {
        Outcome::Inconclusive { reason: reason.into() }
    }

    /// Passed when no finding is an error (with the warnings among them), failed with
    /// all of them otherwise.
    pub fn from_findings(findings: Vec<Finding>) -> Self {
        if findings.iter().any(|f| f.severity.is_error()) {
            Outcome::Failed { findings }
        } else {
            Outcome::Passed { detail: String::new(), warnings: findings }
        }
    }

    pub fn is_failed(&self) -> bool {
        matches!(self, Outcome::Failed { .. })
    }

    /// Passed with at least one warning.
    pub fn has_warnings(&self) -> bool {
        matches!(self, Outcome::Passed { warnings, .. } if !warnings.is_empty())
    }

    /// The outcome of a snippet from the outcomes of its checks: failed if any check
    /// failed (all findings kept, in order, warnings too); else skipped if any was
    /// skipped (the first reason); else passed, with the warnings of every check. An
    /// inconclusive check does not fail a snippet: with nothing else decided, the snippet
    /// is passed with the reason kept in `detail`.
    pub fn combine(outcomes: impl IntoIterator<Item = Outcome>) -> Outcome {
        let mut findings = Vec::new();
        let mut failed = false;
        let mut skipped = None;
        let mut details = Vec::new();
        for outcome in outcomes {
            match outcome {
                Outcome::Failed { findings: f } => {
                    failed = true;
                    findings.extend(f);
                }
                Outcome::Skipped { reason } => {
                    skipped.get_or_insert(reason);
                }
                Outcome::Passed { detail, warnings } => {
                    findings.extend(warnings);
                    if !detail.is_empty() {
                        details.push(detail);
                    }
                }
                Outcome::Inconclusive { reason } => details.push(format!("inconclusive: {reason}")),
            }
        }
        if failed {
            Outcome::Failed { findings }
        } else if let Some(reason) = skipped {
            Outcome::Skipped { reason }
        } else {
            details.dedup();
            Outcome::Passed { detail: details.join("; "), warnings: findings }
        }
    }
}

/// Counts of snippet outcomes, shown as the last line of `gen test`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub passed: usize,
    /// Of the passed, those with warnings (counted from the reports, which keep the
    /// warnings of recorded results too).
    pub warned: usize,
    pub failed: usize,
    pub skipped: usize,
}

impl Summary {
    /// Counts one snippet's outcome (an inconclusive one counts as passed, see
    /// [`Outcome::combine`]).
    pub fn add(&mut self, outcome: &Outcome) {
        match outcome {
            Outcome::Passed { .. } | Outcome::Inconclusive { .. } => self.passed += 1,
            Outcome::Failed { .. } => self.failed += 1,
            Outcome::Skipped { .. } => self.skipped += 1,
        }
    }

    pub fn of<'a>(outcomes: impl IntoIterator<Item = &'a Outcome>) -> Summary {
        let mut summary = Summary::default();
        for outcome in outcomes {
            summary.add(outcome);
        }
        summary
    }

    /// `gen test` exits 1 when this is true.
    pub fn has_failures(&self) -> bool {
        self.failed > 0
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} passed", self.passed)?;
        if self.warned > 0 {
            write!(f, " ({} with warnings)", self.warned)?;
        }
        write!(f, ", {} failed, {} skipped", self.failed, self.skipped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(code: &str) -> Finding {
        Finding::new(CheckKind::Lint, code, "bad").at(2, 5)
    }

    #[test]
    fn combine_fails_on_any_finding_and_keeps_them_all() {
        let out = Outcome::combine([
            Outcome::passed(),
            Outcome::from_findings(vec![finding("GEN001")]),
            Outcome::skipped("x"),
            Outcome::from_findings(vec![finding("GEN002")]),
        ]);
        let Outcome::Failed { findings } = out else { panic!("{out:?}") };
        assert_eq!(findings.iter().map(|f| f.code.as_str()).collect::<Vec<_>>(), ["GEN001", "GEN002"]);
    }

    #[test]
    fn combine_skips_with_the_first_reason_and_inconclusive_passes() {
        assert_eq!(
            Outcome::combine([Outcome::passed(), Outcome::skipped("a"), Outcome::skipped("b")]),
            Outcome::skipped("a")
        );
        assert_eq!(
            Outcome::combine([Outcome::inconclusive("needs a daemon"), Outcome::passed_with("docker 28.2.2")]),
            Outcome::passed_with("inconclusive: needs a daemon; docker 28.2.2")
        );
        assert_eq!(Outcome::combine([]), Outcome::passed());
    }

    #[test]
    fn summary_line() {
        let outcomes = [
            Outcome::passed(),
            Outcome::inconclusive("?"),
            Outcome::from_findings(vec![finding("X")]),
            Outcome::skipped("r"),
        ];
        let summary = Summary::of(&outcomes);
        assert_eq!(summary.to_string(), "2 passed, 1 failed, 1 skipped");
        assert!(summary.has_failures());
        assert!(!Summary::of(&[Outcome::passed()]).has_failures());
    }

    #[test]
    fn warnings_pass_and_are_counted_but_an_error_beside_them_fails() {
        let warned = Outcome::from_findings(vec![finding("GEN103").as_warning()]);
        assert!(warned.has_warnings() && !warned.is_failed(), "{warned:?}");
        let both = Outcome::combine([warned.clone(), Outcome::from_findings(vec![finding("GEN001")])]);
        let Outcome::Failed { findings } = &both else { panic!("{both:?}") };
        assert_eq!(
            findings.iter().map(|f| (f.code.as_str(), f.is_warning())).collect::<Vec<_>>(),
            [("GEN103", true), ("GEN001", false)]
        );
        let summary = Summary { warned: 1, ..Summary::of(&[warned.clone(), Outcome::passed(), both]) };
        assert_eq!(summary.to_string(), "2 passed (1 with warnings), 1 failed, 0 skipped");
        let origin = Origin::new("content/posts/a.md", 10, 1);
        let Outcome::Passed { warnings, .. } = warned else { unreachable!() };
        assert_eq!(warnings[0].to_diagnostic(&origin).message, "lint GEN103 (warning): bad");
    }

    #[test]
    fn finding_maps_to_the_markdown_file() {
        let origin = Origin::new("content/posts/a.md", 10, 1);
        let d = finding("GEN001").with_help("type \"").to_diagnostic(&origin);
        assert_eq!(d.to_string(), "error: content/posts/a.md:11:5: lint GEN001: bad\n  help: type \"");
        let whole = Finding::new(CheckKind::Run, "RUN", "timed out").to_diagnostic(&origin);
        assert_eq!(whole.location(), "content/posts/a.md:10");
    }
}
