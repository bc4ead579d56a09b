//! Snippet extraction, in the same pass that renders a post's Markdown: which code blocks
//! are snippets, their commands and expected output, fence attributes, version tags
//! (from the fence, the front matter and the prose before the block), tools, parameters,
//! ids and anchors; and the HTML of a snippet block (tag, status, copy button).
//!
//! [`SnippetExtractor`] is a [`CodeBlockRenderer`]: give one per post to
//! [`super::render_markdown`] and take its snippets with [`SnippetExtractor::finish`].

pub mod analysis;
pub mod attrs;
pub mod console;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::config::SnippetsConfig;
use crate::content::SnippetDefaults;
use crate::error::{Diagnostic, Errors};
use crate::evidence::Evidence;
use crate::requirement::{parse_requirements, requirement_in_prose, Requirement};

use super::{code_label, escape_html, plain_block_html, render_pre, CodeBlock, CodeBlockRenderer, Highlighter};
pub use analysis::{Parameter, ParameterKind};
pub use attrs::{parse_attrs, AttrError, FenceAttrs, OutputCheck, TestMode};
pub use console::{parse_console, ConsoleCommand, Prompts};

/// Fence languages whose blocks are snippets.
pub const SNIPPET_LANGS: &[&str] = &["console", "shell-session", "sh", "bash", "shell", "zsh"];

/// Fence languages of sessions; the other [`SNIPPET_LANGS`] are scripts.
const SESSION_LANGS: &[&str] = &["console", "shell-session"];

/// The default time limit of `test="run"`.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Is a block in `lang` (lower-case) a snippet?
pub fn is_snippet_lang(lang: &str) -> bool {
    SNIPPET_LANGS.contains(&lang)
}

/// How a snippet's text is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SnippetKind {
    /// A console session: `$ ` commands, each followed by its expected output.
    Console,
    /// A script (`sh`, `bash`, `shell`, `zsh`): the whole block is one command, no output.
    Script,
}

impl SnippetKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SnippetKind::Console => "console",
            SnippetKind::Script => "script",
        }
    }
}

/// Why a block is read as a console session although its fence does not say so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detection {
    /// A block with no language whose lines are prompts and their output.
    Unlabelled,
    /// A script block (`sh`, `bash`, ...) written as a session: a reader who copies it
    /// runs `$` (`gen test` reports it, lint GEN103).
    PromptsInScript,
}

impl Detection {
    /// `unlabelled` or `prompts_in_script`: the JSON index's `detected_from`.
    pub fn as_str(self) -> &'static str {
        match self {
            Detection::Unlabelled => "unlabelled",
            Detection::PromptsInScript => "prompts_in_script",
        }
    }
}

/// What a code block with no language is (site.toml `[snippets] detect_unlabelled`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UnlabelledBlocks {
    /// A console snippet when it is a session: prompts and their output.
    #[default]
    Detect,
    /// Never a snippet.
    Plain,
}

impl UnlabelledBlocks {
    pub fn of(config: &SnippetsConfig) -> UnlabelledBlocks {
        if config.detect_unlabelled {
            UnlabelledBlocks::Detect
        } else {
            UnlabelledBlocks::Plain
        }
    }
}

/// How a code block is read: as a snippet of this kind (detected or as labelled), or
/// not at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Reading {
    kind: SnippetKind,
    prompts: Prompts,
    detected: Option<Detection>,
}

/// How `block` is read: a `console` block is a session; a script block written as a
/// session (its first line that is not a comment starts with a prompt) is one too; a
/// block with no language is one when it is written as a session and `unlabelled`
/// says to detect it. Other blocks (`text`, `yaml`, `python`, ...) are not snippets.
/// Windows prompts (`PS C:\>`, `C:\>`) are not shell prompts: such blocks are left alone.
fn reading(block: &CodeBlock, unlabelled: UnlabelledBlocks) -> Option<Reading> {
    let lang = block.lang.as_str();
    let session = |detected| Reading { kind: SnippetKind::Console, prompts: Prompts::session(&block.code), detected };
    if SESSION_LANGS.contains(&lang) {
        Some(session(None))
    } else if is_snippet_lang(lang) {
        Some(if Prompts::SCRIPT.starts_session(&block.code) {
            Reading { kind: SnippetKind::Console, prompts: Prompts::SCRIPT, detected: Some(Detection::PromptsInScript) }
        } else {
            Reading { kind: SnippetKind::Script, prompts: Prompts::SCRIPT, detected: None }
        })
    } else if lang.is_empty() && unlabelled == UnlabelledBlocks::Detect {
        let reading = session(Some(Detection::Unlabelled));
        reading.prompts.starts_session(&block.code).then_some(reading)
    } else {
        None
    }
}

/// One command of a snippet, as the shell will read it, located in the post file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    /// The command text: for console blocks without the `$ `/`> ` prompts, continuation
    /// lines joined with `\n` (a trailing `\` is kept); for scripts, the whole block.
    /// Parse it with [`crate::shell::parse`]; map offsets back with [`Command::locate`].
    pub text: String,
    /// The first line of the command in the post file (1-based).
    pub line: usize,
    /// For each source line of `text`: where it starts in `text` and in the post file.
    pub pieces: Vec<SourcePiece>,
    /// The expected output lines (console only), as written: they may use `...` on a
    /// line of its own and `[..]` within a line (trycmd-style wildcards).
    pub output: Vec<OutputLine>,
}

/// One source line of a command's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourcePiece {
    /// Byte offset in [`Command::text`] where this line's text starts.
    pub offset: usize,
    /// Line in the post file (1-based).
    pub line: usize,
    /// Column in the post file (1-based, in characters) of the byte at `offset`.
    pub column: usize,
}

/// A line of expected output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputLine {
    pub text: String,
    /// Line in the post file (1-based).
    pub line: usize,
}

impl Command {
    /// The post-file (line, column) of byte `offset` of [`Command::text`] (as given by
    /// a shell [`crate::shell::Span`] or [`crate::shell::SyntaxError`]).
    pub fn locate(&self, offset: usize) -> (usize, usize) {
        let Some(piece) = self.pieces.iter().rev().find(|p| p.offset <= offset) else {
            return (self.line, 1);
        };
        let end = offset.min(self.text.len());
        let mut start = end;
        while !self.text.is_char_boundary(start) {
            start -= 1;
        }
        let chars = self.text.get(piece.offset..start).map_or(0, |s| s.chars().count());
        (piece.line, piece.column + chars)
    }

    /// The expected output as one text, lines joined with `\n` (no trailing newline).
    pub fn expected_output(&self) -> String {
        self.output.iter().map(|l| l.text.as_str()).collect::<Vec<_>>().join("\n")
    }
}

/// Where a snippet's requirement came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagSource {
    /// `requires="..."` in the fence, at this line and column.
    Attribute { line: usize, column: usize },
    /// `[snippets] requires` in the front matter, at this line.
    FrontMatter { line: usize },
    /// A sentence directly before the block ("Requires docker v1.3 or later").
    Prose { line: usize, text: String },
}

impl TagSource {
    pub fn kind(&self) -> &'static str {
        match self {
            TagSource::Attribute { .. } => "attribute",
            TagSource::FrontMatter { .. } => "front_matter",
            TagSource::Prose { .. } => "prose",
        }
    }
}

/// A requirement with its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    pub requirement: Requirement,
    pub source: TagSource,
}

/// A snippet's last `gen test` result as the site shows it (see [`StatusLookup`]).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum SnippetStatus {
    /// Never tested.
    #[default]
    Untested,
    /// Changed since it was last tested on this date.
    #[serde(rename = "untested")]
    Changed { last_tested: String },
    /// Passed on `date` against these tool versions, with the evidence of what was
    /// checked (none from a results file written before gen recorded it), and the
    /// warnings found, one line each (passed with warnings when there are some).
    Passed {
        tools: BTreeMap<String, String>,
        date: String,
        #[serde(skip)]
        evidence: Option<Evidence>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        warnings: Vec<String>,
    },
    /// Failed on `date`; `findings` says what, one line each.
    Failed { findings: Vec<String>, date: String },
    /// Not tested on `date`, for this reason ("requires macOS, this is Linux").
    Skipped { reason: String, date: String },
}

impl SnippetStatus {
    /// `untested`, `passed`, `warned`, `unverified`, `failed` or `skipped`: the badge's
    /// class. A pass is `warned` when it has warnings, else `unverified` when some tool of
    /// the snippet is not installed on the test machine (its commands were not checked):
    /// "passed" alone never claims either.
    pub fn as_str(&self) -> &'static str {
        match self {
            SnippetStatus::Untested | SnippetStatus::Changed { .. } => "untested",
            SnippetStatus::Passed { warnings, .. } if !warnings.is_empty() => "warned",
            SnippetStatus::Passed { evidence: Some(e), .. } if e.is_partial() => "unverified",
            SnippetStatus::Passed { .. } => "passed",
            SnippetStatus::Failed { .. } => "failed",
            SnippetStatus::Skipped { .. } => "skipped",
        }
    }

    /// The badge's word: [`Self::as_str`], with "passed with warnings" for `warned`.
    pub fn word(&self) -> &'static str {
        match self.as_str() {
            "warned" => "passed with warnings",
            word => word,
        }
    }

    /// What the badge says beyond its word: what was checked ("arguments accepted by
    /// docker 28.2.2 · 2026-12-05"), "requires macOS, this is Linux · 2026-12-05",
    /// "changed since 2026-12-05"; "" when never tested. A pass recorded without
    /// evidence shows its tool versions.
    pub fn detail(&self) -> String {
        match self {
            SnippetStatus::Untested => String::new(),
            SnippetStatus::Changed { last_tested } => format!("changed since its test on {last_tested}"),
            SnippetStatus::Passed { evidence: Some(evidence), date, .. } => format!("{} · {date}", evidence.summary()),
            SnippetStatus::Passed { tools, date, evidence: None, .. } => {
                let versions: Vec<String> = tools.iter().map(|(tool, version)| format!("{tool} {version}")).collect();
                versions.into_iter().chain([date.clone()]).collect::<Vec<_>>().join(" · ")
            }
            SnippetStatus::Failed { date, .. } => date.clone(),
            SnippetStatus::Skipped { reason, date } => format!("{reason} · {date}"),
        }
    }

    /// The word and the detail: "passed (docker 28.2.2 · 2026-12-05)", "untested".
    pub fn label(&self) -> String {
        match self.detail() {
            detail if detail.is_empty() => self.word().to_string(),
            detail => format!("{} ({detail})", self.word()),
        }
    }
}

/// Where the build finds each snippet's last test result: the results file that
/// `gen test` writes implements it (`results`). The build compares only the
/// snippet's [`Snippet::digest`] with the one recorded: it never probes tool versions.
pub trait StatusLookup: Send + Sync {
    fn status(&self, id: &str, digest: &str) -> SnippetStatus;
}

/// No results: every snippet is untested.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoResults;

impl StatusLookup for NoResults {
    fn status(&self, _id: &str, _digest: &str) -> SnippetStatus {
        SnippetStatus::Untested
    }
}

/// What a snippet is tested as, for [`snippet_digest`].
#[derive(Debug, Clone, Copy)]
pub struct TestedAs<'a> {
    pub lang: &'a str,
    pub code: &'a str,
    /// Its requirements as text ("docker 1.3+").
    pub requires: &'a str,
    pub test: &'a TestMode,
    pub timeout: Duration,
    pub exit: i32,
    pub shellcheck: &'a [String],
    pub allow: &'a [String],
}

/// The digest of what a snippet is tested as: its language, text, requirements and test
/// attributes. `gen test` records it with each result; when it differs, the snippet
/// shows as untested (changed since its last test).
pub fn snippet_digest(tested: &TestedAs) -> String {
    let TestedAs { lang, code, requires, test, timeout, exit, shellcheck, allow } = *tested;
    let skip_reason = match test {
        TestMode::Skip { reason } => reason.as_deref().unwrap_or(""),
        _ => "",
    };
    let parts = [
        lang,
        code,
        requires,
        test.as_str(),
        skip_reason,
        &timeout.as_millis().to_string(),
        &exit.to_string(),
        &shellcheck.join(","),
    ];
    let mut hasher = Sha256::new();
    // `allow` only when given: the digests of blocks without it are as before it existed.
    let allow = allow.join(",");
    let allow = (!allow.is_empty()).then_some(allow.as_str());
    for part in parts.into_iter().chain(allow) {
        hasher.update(part.len().to_le_bytes());
        hasher.update(part.as_bytes());
    }
    hasher.finalize().iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// One snippet: a shell code block of a post, with everything the index, the site and
/// `gen test` need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    /// Stable id: the `id` attribute, else `<post slug>/<heading id>` (`-2`, `-3` for
    /// later snippets under the same heading). Unique within the site.
    pub id: String,
    /// Whether `id` came from the fence's `id` attribute.
    pub explicit_id: bool,
    /// The HTML id of the snippet's block in its post page (`snippet-<...>`).
    pub anchor: String,
    /// The post file, relative to the site root.
    pub file: PathBuf,
    /// The slug of the post.
    pub post_slug: String,
    /// The fence language (`console`, `bash`, ...; "" when none).
    pub lang: String,
    pub kind: SnippetKind,
    /// Why it is a console snippet although its fence does not say `console`.
    pub detected: Option<Detection>,
    /// The line of the opening fence.
    pub line: usize,
    /// The last line of the block (the closing fence, when there is one).
    pub end_line: usize,
    /// The line and column (1-based) where the block's content starts; every content
    /// line starts at that column (the fence's indentation removed).
    pub code_line: usize,
    pub code_column: usize,
    /// The id of the nearest heading above the block.
    pub heading: Option<String>,
    /// The block's text as written.
    pub code: String,
    /// The commands (console: one per `$ ` prompt; script: one for the whole block).
    pub commands: Vec<Command>,
    /// Requirements in force: fence attribute, else prose, else front matter, per tool.
    pub requires: Vec<Tag>,
    /// `test=`: check (default), run, or skip with a reason.
    pub test: TestMode,
    /// `timeout=` for `run` (default [`DEFAULT_TIMEOUT`]).
    pub timeout: Duration,
    /// `exit=`: the expected exit status for `run` (default 0).
    pub exit: i32,
    /// `output=`: what a run compares of the output (default: the lines shown).
    pub output: OutputCheck,
    /// The tools the commands call, in order of first use.
    pub tools: Vec<String>,
    /// Placeholders and unassigned variables, in order of first use.
    pub parameters: Vec<Parameter>,
    /// shellcheck codes this snippet excludes (`shellcheck="SC2086"`), as `SC2086`.
    pub shellcheck_exclude: Vec<String>,
    /// The screened docker flags it may use against the engine (`allow="privileged"`).
    pub allow: Vec<String>,
    /// See [`snippet_digest`].
    pub digest: String,
    /// Its last `gen test` result, from the extractor's [`StatusLookup`].
    pub status: SnippetStatus,
}

impl Snippet {
    /// "docker 1.3+, os macos" (empty when nothing is required).
    pub fn requires_text(&self) -> String {
        self.requires.iter().map(|t| t.requirement.to_string()).collect::<Vec<_>>().join(", ")
    }

    /// What the copy button copies: the commands only, no prompts and no output.
    pub fn copy_text(&self) -> String {
        self.commands.iter().map(|c| c.text.as_str()).collect::<Vec<_>>().join("\n")
    }

    /// `console` or `script`, with how a console snippet was found when its fence does
    /// not say `console`: `console (unlabelled)`, `console (bash fence)`.
    pub fn kind_label(&self) -> String {
        match self.detected {
            None => self.kind.as_str().to_string(),
            Some(Detection::Unlabelled) => format!("{} (unlabelled)", self.kind.as_str()),
            Some(Detection::PromptsInScript) => format!("{} ({} fence)", self.kind.as_str(), self.lang),
        }
    }

    /// `content/posts/x.md:12`.
    pub fn location(&self) -> String {
        format!("{}:{}", self.file.display(), self.line)
    }
}

/// Extracts and renders the snippets of one post while its Markdown is rendered.
pub struct SnippetExtractor {
    file: PathBuf,
    slug: String,
    defaults: Vec<Tag>,
    statuses: Arc<dyn StatusLookup>,
    /// Extract only: render no HTML for code blocks (nor highlight them).
    extract_only: bool,
    unlabelled: UnlabelledBlocks,
    state: Mutex<ExtractState>,
}

#[derive(Default)]
struct ExtractState {
    snippets: Vec<Snippet>,
    errors: Vec<Diagnostic>,
    anchors: HashSet<String>,
    derived: HashMap<String, usize>,
    /// Variables assigned by the post's snippets so far.
    assigned: HashSet<String>,
}

impl SnippetExtractor {
    /// For the post `file` (relative to the site root) with `slug` and front matter
    /// `[snippets]` defaults. A bad default requirement is reported by [`Self::finish`].
    pub fn new(file: &Path, slug: &str, defaults: &SnippetDefaults) -> Self {
        let mut state = ExtractState::default();
        let mut tags = Vec::new();
        if let Some(text) = &defaults.requires {
            match parse_requirements(text) {
                Ok(reqs) => {
                    tags = reqs
                        .into_iter()
                        .map(|requirement| Tag {
                            requirement,
                            source: TagSource::FrontMatter { line: defaults.requires_line },
                        })
                        .collect()
                }
                Err(e) => state.errors.push(
                    Diagnostic::new(
                        file,
                        defaults.requires_line,
                        0,
                        format!("in `[snippets] requires = \"{text}\"`: {}", e.message),
                    )
                    .with_help(e.help),
                ),
            }
        }
        SnippetExtractor {
            file: file.to_path_buf(),
            slug: slug.to_string(),
            defaults: tags,
            statuses: Arc::new(NoResults),
            extract_only: false,
            unlabelled: UnlabelledBlocks::default(),
            state: Mutex::new(state),
        }
    }

    /// Extracts the snippets without rendering code blocks: for `gen test` and
    /// `gen snippets`, which need no HTML (highlighting is most of a render's cost).
    pub fn extract_only(mut self) -> Self {
        self.extract_only = true;
        self
    }

    /// Reads code blocks with no language as `unlabelled` says (detected by default).
    pub fn with_unlabelled(mut self, unlabelled: UnlabelledBlocks) -> Self {
        self.unlabelled = unlabelled;
        self
    }

    /// Shows each snippet's last test result from `statuses` (all untested without).
    pub fn with_statuses(mut self, statuses: Arc<dyn StatusLookup>) -> Self {
        self.statuses = statuses;
        self
    }

    /// The post's snippets in document order, or every located error found.
    pub fn finish(self) -> Result<Vec<Snippet>, Errors> {
        let state = self.state.into_inner().unwrap_or_else(|e| e.into_inner());
        if state.errors.is_empty() {
            Ok(state.snippets)
        } else {
            Err(Errors(state.errors).sorted())
        }
    }

    fn extract(
        &self,
        block: &CodeBlock,
        reading: Reading,
        state: &mut ExtractState,
    ) -> Result<Option<Snippet>, Diagnostic> {
        let attrs = parse_attrs(&block.attrs).map_err(|e| self.attr_diagnostic(block, e.offset, e.message, e.help))?;
        let kind = reading.kind;
        let commands = match kind {
            SnippetKind::Console => console_commands(block, reading.prompts),
            SnippetKind::Script => script_command(block),
        };
        if commands.is_empty() {
            return Ok(None); // an empty block, or output only: nothing to index or test
        }
        let requires = self.tags(block, &attrs)?;
        let (tools, parameters) = analysis::tools_and_parameters(&commands, &mut state.assigned);
        let (id, local) = match &attrs.id {
            Some(id) => (id.value.clone(), id.value.clone()),
            None => {
                let base = block.heading.clone().unwrap_or_else(|| "snippet".to_string());
                let n = state.derived.entry(base.clone()).or_insert(0);
                *n += 1;
                let local = if *n == 1 { base } else { format!("{base}-{n}") };
                (format!("{}/{local}", self.slug), local)
            }
        };
        let mut anchor = format!("snippet-{local}");
        let mut n = 1;
        while !state.anchors.insert(anchor.clone()) {
            n += 1;
            anchor = format!("snippet-{local}-{n}");
        }
        let line_count = block.code.lines().count();
        let test = attrs.test.unwrap_or_default();
        let timeout = attrs.timeout.unwrap_or(DEFAULT_TIMEOUT);
        let exit = attrs.exit.unwrap_or(0);
        let requires_text = requires.iter().map(|t| t.requirement.to_string()).collect::<Vec<_>>().join(", ");
        let digest = snippet_digest(&TestedAs {
            lang: &block.lang,
            code: &block.code,
            requires: &requires_text,
            test: &test,
            timeout,
            exit,
            shellcheck: &attrs.shellcheck,
            allow: &attrs.allow,
        });
        let status = self.statuses.status(&id, &digest);
        Ok(Some(Snippet {
            id,
            explicit_id: attrs.id.is_some(),
            anchor,
            file: self.file.clone(),
            post_slug: self.slug.clone(),
            lang: block.lang.clone(),
            kind,
            detected: reading.detected,
            line: block.line,
            end_line: block.code_line + line_count,
            code_line: block.code_line,
            code_column: block.code_column,
            heading: block.heading.clone(),
            code: block.code.clone(),
            commands,
            requires,
            test,
            timeout,
            exit,
            output: attrs.output.unwrap_or_default(),
            tools,
            parameters,
            shellcheck_exclude: attrs.shellcheck,
            allow: attrs.allow,
            digest,
            status,
        }))
    }

    /// Requirements in force, one per tool: the fence's, else the prose's, else the post's.
    fn tags(&self, block: &CodeBlock, attrs: &FenceAttrs) -> Result<Vec<Tag>, Diagnostic> {
        let mut tags: Vec<Tag> = Vec::new();
        if let Some(req) = &attrs.requires {
            let reqs = parse_requirements(&req.value).map_err(|e| {
                self.attr_diagnostic(block, req.offset + e.offset, format!("in `requires`: {}", e.message), e.help)
            })?;
            let column = self.attr_column(block, req.offset);
            tags.extend(
                reqs.into_iter()
                    .map(|requirement| Tag { requirement, source: TagSource::Attribute { line: block.line, column } }),
            );
        }
        if let Some(found) = block.prose_before.as_deref().and_then(requirement_in_prose) {
            let source = TagSource::Prose { line: block.line, text: found.sentence };
            tags.push(Tag { requirement: found.requirement, source });
        }
        tags.extend(self.defaults.iter().cloned());
        let mut seen = HashSet::new();
        tags.retain(|t| seen.insert(t.requirement.subject().to_string()));
        Ok(tags)
    }

    fn attr_column(&self, block: &CodeBlock, offset: usize) -> usize {
        let prefix = block.attrs.get(..offset).unwrap_or(&block.attrs);
        block.attrs_column + prefix.chars().count()
    }

    fn attr_diagnostic(&self, block: &CodeBlock, offset: usize, message: String, help: String) -> Diagnostic {
        let column = if block.attrs_column == 0 { 0 } else { self.attr_column(block, offset) };
        Diagnostic::new(&self.file, block.line, column, message).with_help(help)
    }
}

fn console_commands(block: &CodeBlock, prompts: Prompts) -> Vec<Command> {
    parse_console(&block.code, prompts)
        .into_iter()
        .map(|c| {
            let pieces: Vec<SourcePiece> = c
                .pieces
                .iter()
                .map(|&(offset, i, col)| {
                    let line_text = block.code.lines().nth(i).unwrap_or("");
                    let chars = line_text.get(..col).map_or(col, |s| s.chars().count());
                    SourcePiece { offset, line: block.code_line + i, column: block.code_column + chars }
                })
                .collect();
            Command {
                text: c.text,
                line: pieces.first().map_or(block.code_line, |p| p.line),
                pieces,
                output: c.output.into_iter().map(|(i, text)| OutputLine { text, line: block.code_line + i }).collect(),
            }
        })
        .collect()
}

fn script_command(block: &CodeBlock) -> Vec<Command> {
    if block.code.trim().is_empty() {
        return Vec::new();
    }
    let mut pieces = Vec::new();
    let mut offset = 0;
    for (i, line) in block.code.split_inclusive('\n').enumerate() {
        pieces.push(SourcePiece { offset, line: block.code_line + i, column: block.code_column });
        offset += line.len();
    }
    let text = block.code.trim_end_matches('\n').to_string();
    vec![Command { text, line: block.code_line, pieces, output: Vec::new() }]
}

impl CodeBlockRenderer for SnippetExtractor {
    fn render(&self, block: &CodeBlock, _index: usize, highlighter: &Highlighter) -> String {
        let pre = if self.extract_only { String::new() } else { render_pre(block, highlighter) };
        if block.unclosed {
            let d = unclosed_fence(&self.file, block);
            self.state.lock().unwrap_or_else(|e| e.into_inner()).errors.push(d);
            return plain_block_html(block, &pre);
        }
        let Some(reading) = reading(block, self.unlabelled) else {
            return plain_block_html(block, &pre);
        };
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        match self.extract(block, reading, &mut state) {
            Ok(Some(snippet)) => {
                let html = if self.extract_only { String::new() } else { snippet_html(&snippet, &pre) };
                state.snippets.push(snippet);
                html
            }
            Ok(None) => plain_block_html(block, &pre),
            Err(d) => {
                state.errors.push(d);
                plain_block_html(block, &pre)
            }
        }
    }
}

/// The error of a fence that is never closed: in a list item, located at the line that
/// ended the item before the closing fence.
fn unclosed_fence(file: &Path, block: &CodeBlock) -> Diagnostic {
    match block.ended_by {
        Some(line) => Diagnostic::new(
            file,
            line,
            1,
            format!(
                "this line ends the list item, and with it the code block opened at line {} before its closing fence",
                block.line
            ),
        )
        .with_help(format!(
            "indent this line to column {} like the block's other lines (output too), so that the block goes on to its closing fence",
            block.code_column
        )),
        None => Diagnostic::new(file, block.line, block.code_column, "this code block's fence is never closed")
            .with_help("add a closing fence line (``` or ~~~, as opened) after the block's last line; without it the rest of the post reads as code"),
    }
}

/// A snippet block: a `<figure>` with a one-line bar (anchor, status word linked to the
/// page's legend, the requirements the status does not already name, language, copy button) above
/// the highlighted `<pre>`, and below it what the status means in words and, for a
/// failed snippet, its findings in an open `<details>`. Without JavaScript the copy
/// button stays hidden and the block reads as before.
pub fn snippet_html(snippet: &Snippet, pre: &str) -> String {
    let mut html = format!(
        "<figure class=\"snippet\" id=\"{anchor}\" data-snippet-id=\"{id}\" data-status=\"{status}\">\n<figcaption class=\"snippet-bar\">",
        anchor = escape_html(&snippet.anchor),
        id = escape_html(&snippet.id),
        status = snippet.status.as_str()
    );
    html.push_str(&format!(
        "<a class=\"snippet-anchor\" href=\"#{}\" aria-label=\"Link to this snippet\">#</a>",
        escape_html(&snippet.anchor)
    ));
    html.push_str(&status_badge(&snippet.status));
    let requires = requirements_not_in_status(snippet);
    if !requires.is_empty() {
        html.push_str(&format!(" <span class=\"snippet-requires\">requires {}</span>", escape_html(&requires)));
    }
    let label = code_label(match snippet.kind {
        SnippetKind::Console => "console",
        SnippetKind::Script => "sh",
    });
    html.push_str(&format!(
        " <span class=\"code-lang\">{}</span> <button type=\"button\" class=\"snippet-copy\" hidden data-copy=\"{}\" aria-label=\"Copy {}\">Copy</button>",
        label.label,
        escape_html(&snippet.copy_text()).replace('\n', "&#10;"),
        label.copies
    ));
    html.push_str("</figcaption>\n");
    html.push_str(pre);
    html.push_str(&format!("<p class=\"snippet-says\">{}</p>\n", escape_html(&status_sentence(&snippet.status))));
    let (listed, what) = match &snippet.status {
        SnippetStatus::Failed { findings, .. } => (findings, "finding"),
        SnippetStatus::Passed { warnings, .. } => (warnings, "warning"),
        _ => (&Vec::new(), ""),
    };
    if !listed.is_empty() {
        let plural = if listed.len() == 1 { "" } else { "s" };
        html.push_str(&format!(
            "<details class=\"snippet-findings\" open>\n<summary>What its test found ({} {what}{plural})</summary>\n<ul>\n",
            listed.len()
        ));
        for line in listed {
            html.push_str(&format!("<li><code>{}</code></li>\n", escape_html(line)));
        }
        html.push_str("</ul>\n</details>\n");
    }
    html.push_str("</figure>\n");
    html
}

/// The snippet's requirements, less those its skip reason names already ("requires os
/// macos" beside "requires macOS, this is Linux").
fn requirements_not_in_status(snippet: &Snippet) -> String {
    let reason = match &snippet.status {
        SnippetStatus::Skipped { reason, .. } => reason.to_lowercase(),
        _ => String::new(),
    };
    snippet
        .requires
        .iter()
        .filter(|t| {
            let named = match &t.requirement {
                Requirement::Os { name } => name.to_lowercase(),
                Requirement::Tool { name, .. } => name.to_lowercase(),
            };
            reason.is_empty() || !reason.contains(&named)
        })
        .map(|t| t.requirement.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The status word, a link to the page's legend of the words (`#snippet-legend`).
pub fn status_badge(status: &SnippetStatus) -> String {
    let (class, word) = (status.as_str(), status.word());
    format!(" <a class=\"snippet-status snippet-status-{class}\" href=\"#snippet-legend\">{word}</a>")
}

/// What the status means, in a sentence a reader understands without the legend:
/// "Arguments accepted by docker 28.2.2 · tested 2026-12-06", "Not tested: needs macOS;
/// the test machine runs Linux · 2026-12-06". Tests ran on the author's test machine,
/// never the reader's: the sentence says so where it matters.
pub fn status_sentence(status: &SnippetStatus) -> String {
    fn capitalized(text: &str) -> String {
        let mut chars = text.chars();
        chars.next().map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
    }
    match status {
        SnippetStatus::Untested => "Not tested yet.".to_string(),
        SnippetStatus::Changed { last_tested } => {
            format!("Changed since its test on {last_tested}; not tested since.")
        }
        SnippetStatus::Passed { evidence: Some(evidence), date, warnings, .. } => {
            format!("{} · tested {date}{}", capitalized(&evidence.summary()), warnings_note(warnings))
        }
        SnippetStatus::Passed { tools, date, evidence: None, warnings } if tools.is_empty() => {
            format!("Passed its test · tested {date}{}", warnings_note(warnings))
        }
        SnippetStatus::Passed { tools, date, evidence: None, warnings } => {
            let versions: Vec<String> = tools.iter().map(|(tool, version)| format!("{tool} {version}")).collect();
            format!("Passed with {} · tested {date}{}", versions.join(", "), warnings_note(warnings))
        }
        SnippetStatus::Failed { date, .. } => format!("Failed its test on {date}."),
        SnippetStatus::Skipped { reason, date } => {
            let why = match reason.strip_prefix("requires ").and_then(|r| r.split_once(", this is ")) {
                Some((needs, here)) => format!("needs {needs}; the test machine runs {here}"),
                None => reason.clone(),
            };
            format!("Not tested: {why} · {date}")
        }
    }
}

/// "; 2 warnings, listed below" after a passed snippet's sentence, when it has warnings.
fn warnings_note(warnings: &[String]) -> String {
    match warnings.len() {
        0 => String::new(),
        1 => "; 1 warning, listed below".to_string(),
        n => format!("; {n} warnings, listed below"),
    }
}

#[cfg(test)]
mod tests;
