//! Snippet checks while writing: after a save, the snippets edited since serve started
//! are checked (never run) by a [`SnippetChecker`] that the caller hands in (`gen
//! test`'s checks, which serve does not know), on a thread of their own, and what they
//! find goes to open pages over the live-reload channel. Quick checks (syntax, lint,
//! shellcheck) report first; slow ones (argument checks) after, unless the next save
//! cancelled them. Nothing is written to the results file: that is `gen test`'s record.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::Arc;

use serde::Serialize;

use crate::config::SiteConfig;
use crate::markdown::snippet::{Snippet, SnippetStatus};

/// One problem a live check found in a snippet, located in its Markdown file.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct SnippetFinding {
    /// 1-based line and column in the Markdown file.
    pub line: usize,
    pub column: usize,
    /// 1-based line in the code block (0 when the finding concerns all of it).
    pub block_line: usize,
    /// `syntax`, `lint`, `shellcheck` or `args`.
    pub check: String,
    /// `GEN101`, `SC2086`, `ARGS`, `SYNTAX`.
    pub code: String,
    pub message: String,
    /// What to type instead, when the check knows.
    pub help: Option<String>,
}

/// A snippet edited since serve started, with what the live checks found in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LiveSnippet {
    /// The snippet's id (`data-snippet-id` of its block in the page).
    pub id: String,
    /// The Markdown file, relative to the site root.
    pub file: String,
    /// The line of the block's opening fence.
    pub line: usize,
    /// "changed since its test on 2026-12-05", or "not tested yet".
    pub status: String,
    /// True while slow checks (argument checks) are still to report.
    pub checking: bool,
    pub findings: Vec<SnippetFinding>,
    /// The snippet's content digest: findings are for this text only.
    #[serde(skip)]
    pub digest: String,
}

impl LiveSnippet {
    /// Whether these findings are for `snippet` as it is now (same text, same place).
    pub fn is_for(&self, snippet: &Snippet) -> bool {
        self.id == snippet.id && self.digest == snippet.digest && self.line == snippet.line
    }
}

/// Set by the next save: a check that sees it stops and its findings are dropped.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// What a check gives for a list of snippets: per snippet (in the same order) its
/// findings, and notes for the terminal ("shellcheck not installed: …").
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckReport {
    pub findings: Vec<Vec<SnippetFinding>>,
    pub notes: Vec<String>,
}

/// The checks gen serve runs on edited snippets; `gen test`'s own are handed in by
/// `gen serve`'s command. Neither method runs a snippet.
pub trait SnippetChecker: Send + Sync {
    /// The quick checks: syntax, the built-in lint, shellcheck (one call for all).
    fn quick(&self, config: &SiteConfig, snippets: &[Snippet]) -> CheckReport;
    /// The slow checks (argument checks with the configured clients); `None` when
    /// `cancel` was set before they were done.
    fn slow(&self, config: &SiteConfig, snippets: &[Snippet], cancel: &Cancel) -> Option<CheckReport>;
}

/// Which snippets were edited since serve started: each post's snippet digests as
/// they were before its first change, and its snippets now.
#[derive(Debug, Default)]
pub struct Edits {
    original: HashMap<PathBuf, HashSet<String>>,
    current: BTreeMap<PathBuf, Vec<Snippet>>,
}

impl Edits {
    /// Remembers `file`'s snippets as they are before a rebuild, the first time only.
    pub fn before(&mut self, file: &Path, snippets: Option<&[Snippet]>) {
        self.original
            .entry(file.to_path_buf())
            .or_insert_with(|| snippets.unwrap_or_default().iter().map(|s| s.digest.clone()).collect());
    }

    /// Takes `file`'s snippets after a rebuild (none when the post is gone); says
    /// whether the edited ones changed.
    pub fn after(&mut self, file: &Path, snippets: Option<&[Snippet]>) -> bool {
        let Some(original) = self.original.get(file) else { return false };
        let edited: Vec<Snippet> =
            snippets.unwrap_or_default().iter().filter(|s| !original.contains(&s.digest)).cloned().collect();
        let before = self.current.get(file).map_or(&[][..], Vec::as_slice);
        let same = before.len() == edited.len()
            && before.iter().zip(&edited).all(|(a, b)| a.digest == b.digest && a.code_line == b.code_line);
        if edited.is_empty() {
            self.current.remove(file);
        } else {
            self.current.insert(file.to_path_buf(), edited);
        }
        !same
    }

    /// Every edited snippet, by file.
    pub fn snippets(&self) -> Vec<Snippet> {
        self.current.values().flatten().cloned().collect()
    }
}

/// The status an edited snippet shows while its new text is not tested.
pub fn edited_status(snippet: &Snippet) -> String {
    match &snippet.status {
        SnippetStatus::Changed { .. } => snippet.status.detail(),
        SnippetStatus::Untested => "not tested yet".to_string(),
        // The build compared the digest with the recorded one; an edit shows as changed.
        _ => "changed since its test".to_string(),
    }
}

/// One round of checks: the edited snippets after a save.
pub struct Job {
    pub config: SiteConfig,
    pub snippets: Vec<Snippet>,
    pub cancel: Cancel,
}

/// What the checking thread hands back: the snippets with their findings so far,
/// terminal notes, and whether the round is over.
pub struct Reported {
    pub snippets: Vec<LiveSnippet>,
    pub notes: Vec<String>,
    pub cancel: Cancel,
}

/// Starts the checking thread: it takes the latest [`Job`] (older ones waiting are
/// skipped), and calls `report` after the quick checks and again after the slow ones.
pub fn start(checker: Arc<dyn SnippetChecker>, report: impl Fn(Reported) + Send + 'static) -> Sender<Job> {
    let (tx, rx) = mpsc::channel::<Job>();
    std::thread::Builder::new()
        .name("gen-serve-checks".into())
        .spawn(move || {
            while let Some(job) = latest(&rx) {
                run_job(checker.as_ref(), &job, &report);
            }
        })
        .expect("cannot start the snippet checks");
    tx
}

fn latest(rx: &Receiver<Job>) -> Option<Job> {
    let mut job = rx.recv().ok()?;
    while let Ok(newer) = rx.try_recv() {
        job = newer;
    }
    Some(job)
}

/// Runs one job, reporting twice (quick, then with the slow checks) unless cancelled.
pub fn run_job(checker: &dyn SnippetChecker, job: &Job, report: &dyn Fn(Reported)) {
    if job.cancel.is_cancelled() {
        return;
    }
    let quick = checker.quick(&job.config, &job.snippets);
    report(Reported {
        snippets: live_snippets(&job.snippets, &quick.findings, &[], true),
        notes: quick.notes.clone(),
        cancel: job.cancel.clone(),
    });
    let Some(slow) = checker.slow(&job.config, &job.snippets, &job.cancel) else { return };
    report(Reported {
        snippets: live_snippets(&job.snippets, &quick.findings, &slow.findings, false),
        notes: slow.notes,
        cancel: job.cancel.clone(),
    });
}

fn live_snippets(
    snippets: &[Snippet],
    quick: &[Vec<SnippetFinding>],
    slow: &[Vec<SnippetFinding>],
    checking: bool,
) -> Vec<LiveSnippet> {
    snippets
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut findings: Vec<SnippetFinding> =
                quick.get(i).into_iter().chain(slow.get(i)).flatten().cloned().collect();
            findings.sort_by(|a, b| (a.line, a.column, &a.code).cmp(&(b.line, b.column, &b.code)));
            findings.dedup();
            LiveSnippet {
                id: s.id.clone(),
                file: s.file.display().to_string(),
                line: s.line,
                status: edited_status(s),
                checking,
                findings,
                digest: s.digest.clone(),
            }
        })
        .collect()
}

/// `content/posts/a.md:12:7: lint GEN101: message` (and `  help: …`), for the terminal.
pub fn finding_text(snippet: &LiveSnippet, f: &SnippetFinding) -> String {
    let mut text = format!("{}:{}:{}: {} {}: {}", snippet.file, f.line, f.column, f.check, f.code, f.message);
    if let Some(help) = &f.help {
        text.push_str(&format!("\n  help: {help}"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// The snippets of a post whose blocks are `codes`, one console block each.
    fn snippets(codes: &[&str]) -> Vec<Snippet> {
        use crate::content::SnippetDefaults;
        use crate::markdown::snippet::SnippetExtractor;
        use crate::markdown::{render_markdown, Highlighter, RenderContext};
        let md: String =
            codes.iter().enumerate().map(|(i, c)| format!("## S{i}\n\n```console\n$ {c}\n```\n\n")).collect();
        let h = Highlighter::new();
        let ex = SnippetExtractor::new(Path::new("content/posts/a.md"), "a", &SnippetDefaults::default());
        let mut cx = RenderContext::new(&h);
        cx.code_blocks = &ex;
        render_markdown(&md, &cx);
        ex.finish().unwrap()
    }

    fn config() -> SiteConfig {
        SiteConfig::parse("title = \"T\"\nbase_url = \"http://x/\"\n", Path::new("site.toml")).unwrap()
    }

    #[test]
    fn only_snippets_edited_since_the_first_save_count() {
        let file = Path::new("content/posts/a.md");
        let mut edits = Edits::default();
        let before = snippets(&["ls", "pwd"]);
        edits.before(file, Some(&before));
        assert!(!edits.after(file, Some(&before)), "nothing edited yet");
        assert!(edits.snippets().is_empty());
        let after = snippets(&["ls", "pwd -P"]);
        assert!(edits.after(file, Some(&after)));
        assert_eq!(edits.snippets().iter().map(|s| s.id.as_str()).collect::<Vec<_>>(), ["a/s1"]);
        // A later save remembers the first state, not the one before it.
        edits.before(file, Some(&after));
        assert!(!edits.after(file, Some(&after)));
        assert_eq!(edits.snippets().len(), 1);
        // Back as it was: nothing edited.
        assert!(edits.after(file, Some(&before)));
        assert!(edits.snippets().is_empty());
    }

    struct Fixed;

    impl SnippetChecker for Fixed {
        fn quick(&self, _: &SiteConfig, snippets: &[Snippet]) -> CheckReport {
            let f = SnippetFinding {
                line: 4,
                column: 1,
                block_line: 1,
                check: "lint".into(),
                code: "GEN101".into(),
                message: "spaces".into(),
                help: Some("remove them".into()),
            };
            CheckReport { findings: snippets.iter().map(|_| vec![f.clone()]).collect(), notes: vec![] }
        }
        fn slow(&self, _: &SiteConfig, snippets: &[Snippet], cancel: &Cancel) -> Option<CheckReport> {
            (!cancel.is_cancelled()).then(|| CheckReport { findings: vec![vec![]; snippets.len()], notes: vec![] })
        }
    }

    #[test]
    fn a_job_reports_quick_then_slow_and_nothing_once_cancelled() {
        let seen = Mutex::new(Vec::new());
        let job = Job { config: config(), snippets: snippets(&["ls"]), cancel: Cancel::default() };
        run_job(&Fixed, &job, &|r: Reported| seen.lock().unwrap().push(r.snippets));
        let seen = seen.into_inner().unwrap();
        assert_eq!(seen.len(), 2);
        assert!(seen[0][0].checking && !seen[1][0].checking);
        assert_eq!(seen[1][0].findings[0].code, "GEN101");
        assert_eq!(seen[1][0].status, "not tested yet");
        assert_eq!(
            finding_text(&seen[1][0], &seen[1][0].findings[0]),
            "content/posts/a.md:4:1: lint GEN101: spaces\n  help: remove them"
        );

        let count = Mutex::new(0);
        job.cancel.cancel();
        run_job(&Fixed, &job, &|_| *count.lock().unwrap() += 1);
        assert_eq!(*count.lock().unwrap(), 0);
    }
}
