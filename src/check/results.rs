//! The results file, `snippet-results.toml` at the site root, which authors commit:
//! one table per snippet id with the outcome of its last test, the date, the tool
//! versions it ran against, and the key it was tested under, a hash of the snippet's
//! content, those versions and the checks' settings. A snippet whose key is unchanged is
//! not tested again (unless `--force`); `gen build` looks each snippet up to show it
//! passed (with versions and date), failed, skipped (with the reason) or untested.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::Outcome;
use crate::error::{Diagnostic, Result};
use crate::markdown::snippet::{SnippetStatus, StatusLookup};

/// The file name, at the site root.
pub const RESULTS_FILE: &str = "snippet-results.toml";

const HEADER: &str = "# Written by `gen test`: the last result of each snippet. Commit it; `gen build` shows it.\n\n";

/// A recorded status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Passed,
    Failed,
    Skipped,
}

/// The last result of one snippet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SnippetResult {
    pub status: Status,
    /// The day of the test (UTC).
    pub date: toml::value::Datetime,
    /// See [`result_key`].
    pub key: String,
    /// The snippet's [`snippet_digest`](crate::markdown::snippet::snippet_digest) when
    /// tested: `gen build` compares only this (it probes no tool version).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub content: String,
    /// The versions of the tools the snippet uses, as probed.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tools: BTreeMap<String, String>,
    /// Why it was skipped, or what a pass was checked against.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
    /// What failed, one line each (`file:line:column: check CODE: message`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<String>,
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

/// The whole file: results by snippet id, in id order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResultsFile {
    #[serde(default)]
    pub snippets: BTreeMap<String, SnippetResult>,
}

impl ResultsFile {
    /// Reads the file at `root`; none yet is an empty set of results.
    pub fn load(root: &Path) -> Result<ResultsFile> {
        let path = root.join(RESULTS_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(ResultsFile::default()),
            Err(e) => return Err(Diagnostic::file(RESULTS_FILE, format!("cannot read the results: {e}")).into()),
        };
        Self::parse(&text)
    }

    pub fn parse(text: &str) -> Result<ResultsFile> {
        toml::from_str(text).map_err(|e| {
            crate::config::toml_diagnostic(&e, text, Path::new(RESULTS_FILE), 0)
                .with_help(format!(
                    "{RESULTS_FILE} is written by `gen test`: fix the conflict, or delete it and run `gen test` again"
                ))
                .into()
        })
    }

    /// The file's text: stable (sorted ids, fixed field order), one table per snippet.
    pub fn to_toml(&self) -> String {
        format!("{HEADER}{}", toml::to_string_pretty(self).expect("results are plain data"))
    }

    /// Writes the file at `root` atomically (a temporary file renamed over it).
    pub fn save(&self, root: &Path) -> std::io::Result<()> {
        super::cache::write_atomically(&root.join(RESULTS_FILE), self.to_toml().as_bytes())
    }

    /// Must snippet `id` be tested, given its current key?
    pub fn needs_test(&self, id: &str, key: &str, force: bool) -> bool {
        force || self.snippets.get(id).is_none_or(|r| r.key != key)
    }

    /// Records the outcome of a snippet's test. An inconclusive outcome is recorded as
    /// passed, as [`super::Outcome::combine`] counts it.
    pub fn record(
        &mut self,
        id: &str,
        key: Key<'_>,
        outcome: &Outcome,
        tools: BTreeMap<String, String>,
        date: toml::value::Datetime,
        findings: Vec<String>,
    ) {
        let (status, detail) = match outcome {
            Outcome::Passed { detail } => (Status::Passed, detail.clone()),
            Outcome::Inconclusive { reason } => (Status::Passed, format!("inconclusive: {reason}")),
            Outcome::Failed { .. } => (Status::Failed, String::new()),
            Outcome::Skipped { reason } => (Status::Skipped, reason.clone()),
        };
        let findings = if status == Status::Failed { findings } else { Vec::new() };
        let result = SnippetResult {
            status,
            date,
            key: key.full.to_string(),
            content: key.content.to_string(),
            tools,
            detail,
            findings,
        };
        self.snippets.insert(id.to_string(), result);
    }

    /// Forgets snippets that no longer exist.
    pub fn retain_ids(&mut self, ids: &BTreeSet<String>) {
        self.snippets.retain(|id, _| ids.contains(id));
    }
}

/// The two keys a result is recorded under: the full key `gen test` compares (see
/// [`result_key`]) and the content digest `gen build` compares.
#[derive(Debug, Clone, Copy)]
pub struct Key<'a> {
    pub full: &'a str,
    pub content: &'a str,
}

impl StatusLookup for ResultsFile {
    /// What the site shows for snippet `id` whose content digest is `digest`.
    fn status(&self, id: &str, digest: &str) -> SnippetStatus {
        let Some(result) = self.snippets.get(id) else { return SnippetStatus::Untested };
        let date = result.date.to_string();
        if result.content != digest {
            return SnippetStatus::Changed { last_tested: date };
        }
        match result.status {
            Status::Passed => SnippetStatus::Passed { tools: result.tools.clone(), date },
            Status::Failed => SnippetStatus::Failed { findings: result.findings.clone(), date },
            Status::Skipped => SnippetStatus::Skipped { reason: result.detail.clone(), date },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{CheckKind, Finding};

    fn date(text: &str) -> toml::value::Datetime {
        text.parse().unwrap()
    }

    fn docker(version: &str) -> BTreeMap<String, String> {
        BTreeMap::from([("docker".to_string(), version.to_string())])
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
    fn record_lookup_and_round_trip() {
        let mut results = ResultsFile::default();
        let k1 = result_key("", "docker ps", &docker("28.2.2"));
        let key = |full| Key { full, content: "c1" };
        assert!(results.needs_test("docker/ps", &k1, false));
        assert_eq!(results.status("docker/ps", "c1"), SnippetStatus::Untested);
        results.record(
            "docker/ps",
            key(&k1),
            &Outcome::Passed { detail: "docker 28.2.2".into() },
            docker("28.2.2"),
            date("2026-12-01"),
            vec![],
        );
        results.record(
            "boot2docker/up",
            key("k2"),
            &Outcome::skipped("boot2docker not installed"),
            BTreeMap::new(),
            date("2026-12-01"),
            vec![],
        );
        let failed = Outcome::Failed { findings: vec![Finding::new(CheckKind::Args, "ARGS", "x")] };
        results.record(
            "docker/run",
            key("k3"),
            &failed,
            docker("28.2.2"),
            date("2026-12-01"),
            vec!["a.md:3:3: args ARGS: x".into()],
        );
        assert!(!results.needs_test("docker/ps", &k1, false));
        assert!(results.needs_test("docker/ps", &k1, true));
        assert!(results.needs_test("docker/ps", "changed", false));
        // The site compares the content digest only.
        assert_eq!(
            results.status("docker/ps", "c1"),
            SnippetStatus::Passed { tools: docker("28.2.2"), date: "2026-12-01".into() }
        );
        assert_eq!(results.status("docker/ps", "c2"), SnippetStatus::Changed { last_tested: "2026-12-01".into() });
        assert_eq!(
            results.status("boot2docker/up", "c1"),
            SnippetStatus::Skipped { reason: "boot2docker not installed".into(), date: "2026-12-01".into() }
        );
        assert_eq!(
            results.status("docker/run", "c1"),
            SnippetStatus::Failed { findings: vec!["a.md:3:3: args ARGS: x".into()], date: "2026-12-01".into() }
        );
        assert_eq!(results.status("docker/rm", "c1"), SnippetStatus::Untested);
        let text = results.to_toml();
        assert!(text.starts_with(HEADER));
        assert!(
            text.find("[snippets.\"boot2docker/up\"]").unwrap() < text.find("[snippets.\"docker/ps\"]").unwrap(),
            "{text}"
        );
        assert!(text.contains("status = \"skipped\"\ndate = 2026-12-01\n"), "{text}");
        assert_eq!(ResultsFile::parse(&text).unwrap(), results);
        // Stable: the same results give the same text.
        assert_eq!(ResultsFile::parse(&text).unwrap().to_toml(), text);
        results.retain_ids(&BTreeSet::from(["docker/ps".to_string()]));
        assert_eq!(results.snippets.len(), 1);
    }

    #[test]
    fn save_load_and_a_broken_file() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(ResultsFile::load(dir.path()).unwrap(), ResultsFile::default());
        let mut results = ResultsFile::default();
        results.record(
            "a",
            Key { full: "k", content: "c" },
            &Outcome::passed(),
            BTreeMap::new(),
            date("2026-12-01"),
            vec![],
        );
        results.save(dir.path()).unwrap();
        assert_eq!(ResultsFile::load(dir.path()).unwrap(), results);
        std::fs::write(dir.path().join(RESULTS_FILE), "[snippets.a]\nstatus = \"passed\"\n<<<<<<< HEAD\n").unwrap();
        let err = ResultsFile::load(dir.path()).unwrap_err();
        assert_eq!(err.0[0].file, Path::new(RESULTS_FILE));
        assert!(err.0[0].help.as_deref().unwrap().contains("gen test"));
    }
}
