//! The JSON form of the snippet index, printed by `gen snippets --json` and published as
//! `/snippets.json`. Its shape is versioned by [`SCHEMA_VERSION`] and described by the
//! JSON Schema in `docs/snippets.schema.json`; a change that removes or renames a field
//! must bump the version.

use serde::Serialize;

use super::{Entry, SnippetIndex};
use crate::evidence::{Evidence, Level};
use crate::markdown::snippet::{Parameter, Snippet, SnippetStatus, TagSource, TestMode};
use crate::requirement::Requirement;

/// The version of the document's shape. 2: `evidence` (what a pass checked), and the
/// status `unverified`. 3: the status `warned` and `last_test.warnings`.
pub const SCHEMA_VERSION: u32 = 3;

/// The whole document.
#[derive(Debug, Clone, Serialize)]
pub struct IndexDocument<'a> {
    pub schema_version: u32,
    pub generator: &'static str,
    pub snippets: Vec<SnippetRecord<'a>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SnippetRecord<'a> {
    pub id: &'a str,
    /// The snippet on the site: `<base_url>posts/<slug>/#<anchor>`.
    pub url: String,
    pub anchor: &'a str,
    pub post: PostRecord<'a>,
    /// The post file, relative to the site root, `/`-separated.
    pub file: String,
    pub line: usize,
    pub end_line: usize,
    pub heading: Option<&'a str>,
    pub lang: &'a str,
    /// `console` or `script`.
    pub kind: &'static str,
    /// Why a console snippet's fence does not say `console`: `unlabelled` (no language)
    /// or `prompts_in_script` (an `sh`/`bash` block written as a session). Absent when
    /// the fence says what the snippet is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detected_from: Option<&'static str>,
    pub tools: &'a [String],
    pub requires: Vec<RequirementRecord<'a>>,
    pub parameters: &'a [Parameter],
    pub test: TestRecord<'a>,
    /// `untested`, `passed`, `warned` (passed with warnings), `unverified` (passed, but a
    /// tool it uses could not be checked), `failed` or `skipped`.
    pub status: &'static str,
    /// The last `gen test` result in detail (versions, date, reason, findings); null
    /// when never tested.
    pub last_test: Option<&'a SnippetStatus>,
    /// What its last pass checked; null unless it passed (and gen recorded it).
    pub evidence: Option<EvidenceRecord<'a>>,
    pub commands: Vec<CommandRecord<'a>>,
}

/// What a pass checked: the strongest level, in words, and each check.
#[derive(Debug, Clone, Serialize)]
pub struct EvidenceRecord<'a> {
    pub level: Level,
    /// "arguments accepted by docker 20.10.24 and 28.2.2", as the badge says it.
    pub summary: String,
    pub checks: &'a Evidence,
}

#[derive(Debug, Clone, Serialize)]
pub struct PostRecord<'a> {
    pub slug: &'a str,
    pub title: &'a str,
    pub url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RequirementRecord<'a> {
    /// `docker 1.3+`, `os macos`.
    pub text: String,
    #[serde(flatten)]
    pub requirement: &'a Requirement,
    pub source: SourceRecord<'a>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SourceRecord<'a> {
    /// `attribute`, `front_matter` or `prose`.
    pub kind: &'static str,
    pub line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    /// For prose: the sentence the tag was read from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<&'a str>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TestRecord<'a> {
    /// `check`, `run` or `skip`.
    pub mode: &'static str,
    pub skip_reason: Option<&'a str>,
    pub timeout_ms: u64,
    pub exit: i32,
}

#[derive(Debug, Clone, Serialize)]
pub struct CommandRecord<'a> {
    pub text: &'a str,
    pub line: usize,
    pub output: Vec<&'a str>,
}

/// The document for `entries`; URLs start with `base_url` (`https://example.com/` or `/`).
pub fn document<'a>(entries: &[&'a Entry], base_url: &str) -> IndexDocument<'a> {
    IndexDocument {
        schema_version: SCHEMA_VERSION,
        generator: concat!("gen ", env!("CARGO_PKG_VERSION")),
        snippets: entries.iter().map(|e| record(e, base_url)).collect(),
    }
}

/// The document for the whole index.
pub fn index_document<'a>(index: &'a SnippetIndex, base_url: &str) -> IndexDocument<'a> {
    let entries: Vec<&Entry> = index.entries().iter().collect();
    document(&entries, base_url)
}

fn record<'a>(e: &'a Entry, base_url: &str) -> SnippetRecord<'a> {
    let s: &Snippet = &e.snippet;
    SnippetRecord {
        id: &s.id,
        url: format!("{base_url}{}", e.path()),
        anchor: &s.anchor,
        post: PostRecord { slug: &s.post_slug, title: &e.post_title, url: format!("{base_url}{}", e.post_path) },
        file: s.file.to_string_lossy().replace('\\', "/"),
        line: s.line,
        end_line: s.end_line,
        heading: s.heading.as_deref(),
        lang: &s.lang,
        kind: s.kind.as_str(),
        detected_from: s.detected.map(|d| d.as_str()),
        tools: &s.tools,
        requires: s
            .requires
            .iter()
            .map(|t| RequirementRecord {
                text: t.requirement.to_string(),
                requirement: &t.requirement,
                source: match &t.source {
                    TagSource::Attribute { line, column } => {
                        SourceRecord { kind: t.source.kind(), line: *line, column: Some(*column), text: None }
                    }
                    TagSource::FrontMatter { line } => {
                        SourceRecord { kind: t.source.kind(), line: *line, column: None, text: None }
                    }
                    TagSource::Prose { line, text } => {
                        SourceRecord { kind: t.source.kind(), line: *line, column: None, text: Some(text) }
                    }
                },
            })
            .collect(),
        parameters: &s.parameters,
        test: TestRecord {
            mode: s.test.as_str(),
            skip_reason: match &s.test {
                TestMode::Skip { reason } => reason.as_deref(),
                _ => None,
            },
            timeout_ms: s.timeout.as_millis() as u64,
            exit: s.exit,
        },
        status: s.status.as_str(),
        last_test: (s.status != SnippetStatus::Untested).then_some(&s.status),
        evidence: match &s.status {
            SnippetStatus::Passed { evidence: Some(e), .. } => {
                Some(EvidenceRecord { level: e.level(), summary: e.summary(), checks: e })
            }
            _ => None,
        },
        commands: s
            .commands
            .iter()
            .map(|c| CommandRecord {
                text: &c.text,
                line: c.line,
                output: c.output.iter().map(|o| o.text.as_str()).collect(),
            })
            .collect(),
    }
}
