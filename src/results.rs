//! The results file, `snippet-results.toml` at the site root, which authors commit:
//! one table per snippet id with the status of its last test, the date, the tool
//! versions it ran against, and the key it was tested under. `gen test` writes it (see
//! `check::results` for the keys and how an outcome is stored); `gen build` reads it and
//! looks each snippet up to show it passed (with versions and date), failed, skipped
//! (with the reason), changed since, or untested.
//!
//! This module holds only the file's form, its reading and writing, and
//! [`write_atomically`], which `gen test`'s cache uses too.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Diagnostic, Result};
use crate::evidence::Evidence;
use crate::markdown::snippet::{SnippetStatus, StatusLookup};

/// The file name, at the site root.
pub const RESULTS_FILE: &str = "snippet-results.toml";

const HEADER: &str = "# Written by `gen test`: the last result of each snippet. Commit it; `gen build` shows it.\n\n";

/// A recorded status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Passed,
    /// Passed, with warnings (kept in `warnings`).
    Warned,
    Failed,
    Skipped,
}

impl Status {
    /// Passed, with or without warnings.
    pub fn is_pass(self) -> bool {
        matches!(self, Status::Passed | Status::Warned)
    }
}

/// The last result of one snippet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SnippetResult {
    pub status: Status,
    /// The day of the test (UTC).
    pub date: toml::value::Datetime,
    /// The key `gen test` compares: a hash of the checks' settings, the snippet's
    /// content and its tools' versions.
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
    /// Its warnings, one line each (`file:line:column: check CODE (warning): message`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// Which checks ran, with what (none in a file written before gen recorded it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Evidence>,
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
        write_atomically(&root.join(RESULTS_FILE), self.to_toml().as_bytes())
    }

    /// Forgets snippets that no longer exist.
    pub fn retain_ids(&mut self, ids: &BTreeSet<String>) {
        self.snippets.retain(|id, _| ids.contains(id));
    }
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
            Status::Passed | Status::Warned => SnippetStatus::Passed {
                tools: result.tools.clone(),
                date,
                evidence: result.evidence.clone(),
                warnings: result.warnings.clone(),
            },
            Status::Failed => SnippetStatus::Failed { findings: result.findings.clone(), date },
            Status::Skipped => SnippetStatus::Skipped { reason: result.detail.clone(), date },
        }
    }
}

/// Writes `file` whole or not at all (a temporary file beside it, renamed over it),
/// creating its folder.
pub fn write_atomically(file: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = file.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.persist(file).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(status: Status, content: &str) -> SnippetResult {
        SnippetResult {
            status,
            date: "2026-12-01".parse().unwrap(),
            key: "k".into(),
            content: content.into(),
            tools: BTreeMap::from([("docker".to_string(), "28.2.2".to_string())]),
            detail: if status == Status::Skipped { "boot2docker not installed".into() } else { String::new() },
            findings: if status == Status::Failed { vec!["a.md:3:3: args ARGS: x".into()] } else { Vec::new() },
            warnings: Vec::new(),
            evidence: None,
        }
    }

    fn sample() -> ResultsFile {
        let mut results = ResultsFile::default();
        results.snippets.insert("docker/ps".into(), result(Status::Passed, "c1"));
        results.snippets.insert("boot2docker/up".into(), result(Status::Skipped, "c1"));
        results.snippets.insert("docker/run".into(), result(Status::Failed, "c1"));
        results
    }

    #[test]
    fn lookup_compares_the_content_digest_only() {
        let results = sample();
        let docker = BTreeMap::from([("docker".to_string(), "28.2.2".to_string())]);
        assert_eq!(
            results.status("docker/ps", "c1"),
            SnippetStatus::Passed { tools: docker, date: "2026-12-01".into(), evidence: None, warnings: Vec::new() }
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
    }

    #[test]
    fn text_is_stable_and_round_trips() {
        let mut results = sample();
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
        assert_eq!(results.snippets.keys().collect::<Vec<_>>(), ["docker/ps"]);
    }

    #[test]
    fn save_load_and_a_broken_file() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(ResultsFile::load(dir.path()).unwrap(), ResultsFile::default());
        let results = sample();
        results.save(dir.path()).unwrap();
        assert_eq!(ResultsFile::load(dir.path()).unwrap(), results);
        std::fs::write(dir.path().join(RESULTS_FILE), "[snippets.a]\nstatus = \"passed\"\n<<<<<<< HEAD\n").unwrap();
        let err = ResultsFile::load(dir.path()).unwrap_err();
        assert_eq!(err.0[0].file, Path::new(RESULTS_FILE));
        assert!(err.0[0].help.as_deref().unwrap().contains("gen test"));
    }

    #[test]
    fn atomic_write_creates_the_folder_and_replaces_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a/b/c.json");
        write_atomically(&file, b"one").unwrap();
        write_atomically(&file, b"two").unwrap();
        assert_eq!(std::fs::read(&file).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(file.parent().unwrap()).unwrap().count(), 1, "no temporary file left");
    }
}
