//! What `gen test` records in the results file ([`crate::results`]): the key each
//! snippet is tested under, a hash of its content, its tools' versions and the checks'
//! settings, and its [`Outcome`] in the form the file stores. A snippet whose key is
//! unchanged is not tested again (unless `--force`).

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use super::Outcome;
use crate::evidence::Evidence;
use crate::results::{ResultsFile, SnippetResult, Status};

/// Which snippets are tested again: `--force` tests all of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retest {
    /// Only those whose key differs from the recorded one (or that have none).
    Changed,
    /// Every snippet (`--force`).
    All,
}

/// The key a snippet is tested under: a SHA-256 (first 16 hex digits) of the checks'
/// settings, its content and the versions of its tools, so that a change to any of
/// them makes it untested.
pub fn result_key(settings: &str, content: &str, tools: &BTreeMap<String, String>) -> String {
    let mut hasher = Sha256::new();
    for part in [env!("CARGO_PKG_VERSION"), settings, content] {
        hasher.update(part.len().to_le_bytes());
        hasher.update(part.as_bytes());
    }
    for (tool, version) in tools {
        hasher.update(format!("{tool}={version}\n").as_bytes());
    }
    hasher.finalize().iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// Today's date in UTC.
pub fn today() -> toml::value::Datetime {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    date_from_days((secs / 86_400) as i64)
}

/// The civil date `days` after 1970-01-01 (Howard Hinnant's algorithm).
fn date_from_days(days: i64) -> toml::value::Datetime {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as u16;
    toml::value::Datetime { date: Some(toml::value::Date { year, month, day }), time: None, offset: None }
}

/// Must snippet `id` be tested, given its current key?
pub fn needs_test(results: &ResultsFile, id: &str, key: &str, retest: Retest) -> bool {
    retest == Retest::All || results.snippets.get(id).is_none_or(|r| r.key != key)
}

/// The two keys a result is recorded under: the full key `gen test` compares (see
/// [`result_key`]) and the content digest `gen build` compares.
#[derive(Debug, Clone, Copy)]
pub struct Key<'a> {
    pub full: &'a str,
    pub content: &'a str,
}

/// What a snippet's test is recorded with, besides its outcome.
#[derive(Debug, Clone)]
pub struct Tested<'a> {
    pub key: Key<'a>,
    /// The versions of its tools, as probed.
    pub tools: BTreeMap<String, String>,
    pub date: toml::value::Datetime,
    /// Its errors located in the Markdown file, one line each (kept when it failed).
    pub findings: Vec<String>,
    /// Its warnings, the same way (kept when it passed with warnings or failed).
    pub warnings: Vec<String>,
    /// Which checks ran (kept when it passed).
    pub evidence: Evidence,
}

/// Records the outcome of snippet `id`'s test. An inconclusive outcome is recorded as
/// passed, as [`Outcome::combine`] counts it; a pass with warnings as `warned`.
pub fn record(results: &mut ResultsFile, id: &str, outcome: &Outcome, tested: Tested<'_>) {
    let (status, detail) = match outcome {
        Outcome::Passed { detail, warnings } if !warnings.is_empty() => (Status::Warned, detail.clone()),
        Outcome::Passed { detail, .. } => (Status::Passed, detail.clone()),
        Outcome::Inconclusive { reason } => (Status::Passed, format!("inconclusive: {reason}")),
        Outcome::Failed { .. } => (Status::Failed, String::new()),
        Outcome::Skipped { reason } => (Status::Skipped, reason.clone()),
    };
    let findings = if status == Status::Failed { tested.findings } else { Vec::new() };
    let warnings = if status == Status::Skipped { Vec::new() } else { tested.warnings };
    let evidence = status.is_pass().then_some(tested.evidence);
    let result = SnippetResult {
        status,
        date: tested.date,
        key: tested.key.full.to_string(),
        content: tested.key.content.to_string(),
        tools: tested.tools,
        detail,
        findings,
        warnings,
        evidence,
    };
    results.snippets.insert(id.to_string(), result);
}

/// Why the recorded result of a snippet stays instead of this run's: the recorded
/// result passed, for the same content, and checked more than this run could ("shellcheck
/// 0.9.0", "docker 28.2.2"), or this run skips the snippet where it passed. None when
/// the new result is to be recorded; a failure always is.
pub fn kept_because(
    recorded: Option<&SnippetResult>,
    content: &str,
    outcome: &Outcome,
    evidence: &Evidence,
) -> Option<String> {
    let recorded = recorded.filter(|r| r.status.is_pass() && r.content == content)?;
    match outcome {
        Outcome::Failed { .. } => None,
        Outcome::Skipped { reason } => Some(format!("this machine skips it ({reason})")),
        Outcome::Passed { .. } | Outcome::Inconclusive { .. } => {
            let more = recorded.evidence.as_ref()?.stronger_than(evidence);
            (!more.is_empty()).then(|| format!("it checked more ({}) than this machine can", more.join(", ")))
        }
    }
}

/// The outcome a recorded result stands for (a failure without its findings: the
/// result keeps them only as lines).
pub fn recorded_outcome(result: &SnippetResult) -> Outcome {
    match result.status {
        Status::Passed | Status::Warned => Outcome::Passed { detail: result.detail.clone(), warnings: Vec::new() },
        Status::Skipped => Outcome::skipped(result.detail.clone()),
        Status::Failed => Outcome::Failed { findings: Vec::new() },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{CheckKind, Finding};
    use crate::markdown::snippet::{SnippetStatus, StatusLookup};

    fn date(text: &str) -> toml::value::Datetime {
        text.parse().unwrap()
    }

    fn docker(version: &str) -> BTreeMap<String, String> {
        BTreeMap::from([("docker".to_string(), version.to_string())])
    }

    fn tested<'a>(full: &'a str, tools: BTreeMap<String, String>, findings: Vec<String>) -> Tested<'a> {
        Tested {
            key: Key { full, content: "c1" },
            tools,
            date: date("2026-12-01"),
            findings,
            warnings: Vec::new(),
            evidence: linted(),
        }
    }

    fn linted() -> Evidence {
        Evidence { syntax: true, lint: true, ..Evidence::default() }
    }

    #[test]
    fn keys_change_with_content_versions_and_settings() {
        let k = result_key("s", "docker ps", &docker("28.2.2"));
        assert_eq!(k.len(), 16);
        assert_eq!(k, result_key("s", "docker ps", &docker("28.2.2")));
        assert_ne!(k, result_key("s", "docker ps -a", &docker("28.2.2")));
        assert_ne!(k, result_key("s", "docker ps", &docker("28.3.0")));
        assert_ne!(k, result_key("t", "docker ps", &docker("28.2.2")));
        assert_ne!(result_key("ab", "c", &BTreeMap::new()), result_key("a", "bc", &BTreeMap::new()));
    }

    #[test]
    fn days_to_dates() {
        assert_eq!(date_from_days(0).to_string(), "1970-01-01");
        assert_eq!(date_from_days(16_496).to_string(), "2015-03-02");
        assert_eq!(date_from_days(20_513).to_string(), "2026-03-01");
        assert_eq!(date_from_days(11_016).to_string(), "2000-02-29");
    }

    #[test]
    fn record_then_compare_keys_and_look_up() {
        let mut results = ResultsFile::default();
        let k1 = result_key("", "docker ps", &docker("28.2.2"));
        assert!(needs_test(&results, "docker/ps", &k1, Retest::Changed));
        let passed = Outcome::passed_with("docker 28.2.2");
        record(&mut results, "docker/ps", &passed, tested(&k1, docker("28.2.2"), vec![]));
        let skipped = Outcome::skipped("boot2docker not installed");
        record(&mut results, "boot2docker/up", &skipped, tested("k2", BTreeMap::new(), vec!["dropped".into()]));
        let failed = Outcome::Failed { findings: vec![Finding::new(CheckKind::Args, "ARGS", "x")] };
        record(
            &mut results,
            "docker/run",
            &failed,
            tested("k3", docker("28.2.2"), vec!["a.md:3:3: args ARGS: x".into()]),
        );
        record(
            &mut results,
            "docker/info",
            &Outcome::inconclusive("needs a daemon"),
            tested("k4", docker("28.2.2"), vec![]),
        );

        assert!(!needs_test(&results, "docker/ps", &k1, Retest::Changed));
        assert!(needs_test(&results, "docker/ps", &k1, Retest::All));
        assert!(needs_test(&results, "docker/ps", "changed", Retest::Changed));
        assert_eq!(
            results.status("docker/ps", "c1"),
            SnippetStatus::Passed {
                tools: docker("28.2.2"),
                date: "2026-12-01".into(),
                evidence: Some(linted()),
                warnings: Vec::new(),
            }
        );
        assert_eq!(
            results.status("boot2docker/up", "c1"),
            SnippetStatus::Skipped { reason: "boot2docker not installed".into(), date: "2026-12-01".into() }
        );
        assert!(results.snippets["boot2docker/up"].findings.is_empty(), "findings are kept for failures only");
        assert_eq!(results.snippets["boot2docker/up"].evidence, None, "evidence is kept for passes only");
        assert_eq!(
            results.status("docker/run", "c1"),
            SnippetStatus::Failed { findings: vec!["a.md:3:3: args ARGS: x".into()], date: "2026-12-01".into() }
        );
        assert_eq!(recorded_outcome(&results.snippets["docker/ps"]), passed);
        assert_eq!(recorded_outcome(&results.snippets["boot2docker/up"]), skipped);
        assert_eq!(recorded_outcome(&results.snippets["docker/run"]), Outcome::Failed { findings: vec![] });
        assert_eq!(
            recorded_outcome(&results.snippets["docker/info"]),
            Outcome::passed_with("inconclusive: needs a daemon")
        );
    }

    #[test]
    fn a_weaker_pass_keeps_the_stronger_result_and_a_failure_replaces_it() {
        let mut results = ResultsFile::default();
        let mut strong = linted();
        strong.shellcheck = Some("0.9.0".into());
        let passed = Outcome::passed();
        let tested_strong = Tested { evidence: strong.clone(), ..tested("k1", docker("28.2.2"), vec![]) };
        record(&mut results, "a/x", &passed, tested_strong);
        let recorded = results.snippets.get("a/x");
        // This machine has no shellcheck: its pass is weaker.
        assert_eq!(
            kept_because(recorded, "c1", &passed, &linted()).as_deref(),
            Some("it checked more (shellcheck 0.9.0) than this machine can")
        );
        assert_eq!(
            kept_because(recorded, "c1", &Outcome::skipped("docker not installed"), &Evidence::default()).as_deref(),
            Some("this machine skips it (docker not installed)")
        );
        // As strong, or stronger: recorded anew.
        assert_eq!(kept_because(recorded, "c1", &passed, &strong), None);
        // Changed content: the old result says nothing about it.
        assert_eq!(kept_because(recorded, "c2", &passed, &linted()), None);
        // A real failure always replaces the pass, even from a weaker run.
        let failed = Outcome::Failed { findings: vec![Finding::new(CheckKind::Lint, "GEN001", "x")] };
        assert_eq!(kept_because(recorded, "c1", &failed, &linted()), None);
    }
}
