//! The `gen test` command: reads the site's snippets (or those matching a pattern, or
//! one shard), runs the [suite](super::suite) over them, updates the results file and
//! the plan cache, and gives what the command prints: one line per failed or skipped
//! snippet and the summary (or JSON), with the JUnit XML file written when asked.

use std::collections::BTreeSet;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::cache::{inputs_digest, TestCache};
use super::engine::{engines_folder, Engine, EngineKind, EngineSetting};
use super::from_index::{block_check, skip_reason, snippet_check, RunSelection};
use super::junit::junit_xml;
use super::plan::{Plan, PlannedSkip};
use super::results::{today, Retest};
use super::sandbox::{Fallback, Isolation};
use super::suite::{
    run_suite, unchanged_report, NoProgress, Progress, Shard, SnippetCheck, SnippetReport, SuiteOptions, SuiteReport,
};
use super::{Origin, Outcome};
use crate::error::{Diagnostic, Errors};
use crate::markdown::snippet::NoResults;
use crate::markdown::Highlighter;
use crate::pipeline::{load_config, test_inputs, BrokenPost, BuildOptions, Statuses, TestInputs};
use crate::results::{ResultsFile, RESULTS_FILE};

/// How the report is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// One line per failed or skipped snippet, the notes, and the summary.
    Lines,
    /// One JSON document (each snippet with its fence location), for programs.
    Json,
}

/// What `gen test` was asked to do.
#[derive(Debug, Clone)]
pub struct TestOptions {
    /// Only snippets whose id or post file contains this text.
    pub pattern: Option<String>,
    /// Only the snippets of this shard.
    pub shard: Option<Shard>,
    /// Which snippets are run in the sandbox.
    pub runs: RunSelection,
    /// What to do where there is no working sandbox.
    pub fallback: Fallback,
    /// Parallel jobs (0: one per core).
    pub jobs: usize,
    /// Whether unchanged snippets are tested again.
    pub retest: Retest,
    pub format: OutputFormat,
    /// Where to write the results as JUnit XML too.
    pub junit: Option<PathBuf>,
    /// Include draft posts.
    pub drafts: bool,
    /// The engine docker snippets run against (`--engine docker`); site.toml's
    /// `[engine] default` when not given.
    pub engine: Option<EngineKind>,
}

impl TestOptions {
    /// The options that choose what is tested and how, for the plan cache's digest.
    fn selection(&self) -> String {
        format!(
            "{:?}|{:?}|run={}|drafts={}|no-sandbox={}|engine={:?}",
            self.pattern,
            self.shard,
            self.runs == RunSelection::All,
            self.drafts,
            self.fallback == Fallback::Unsandboxed,
            self.engine
        )
    }
}

/// What the command prints on stdout, and its exit code (1 when a snippet failed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Printed {
    pub stdout: String,
    pub exit_code: i32,
}

/// Runs `gen test` on the site at `root`.
pub fn test(root: &Path, options: &TestOptions) -> Result<Printed, Errors> {
    let build = BuildOptions { drafts: options.drafts, ..BuildOptions::default() };
    let cache = TestCache::locate();
    let digest = cache.as_ref().and_then(|_| inputs_digest(root, &options.selection()));
    let engine_kind = options.engine.or_else(|| {
        let config = load_config(root, &build).ok()?;
        (config.engine.default.as_deref() == Some("docker")).then_some(EngineKind::Docker)
    });
    let mut suite = SuiteOptions {
        retest: options.retest,
        isolation: Isolation::choose(options.fallback),
        jobs: options.jobs,
        date: today(),
        probe_memo: cache.as_ref().map(TestCache::versions_file),
        engine: EngineSetting::Off,
    };
    // The short path: the same files and options as a run whose results are all still
    // current: nothing to test, and no Markdown to read to know it. Not with an engine,
    // whose version is part of every key.
    let plan = cache.as_ref().zip(digest.as_deref()).and_then(|(c, d)| c.load_plan(root, d));
    if let Some(plan) = plan.filter(|_| engine_kind.is_none()) {
        let config = load_config(root, &build)?;
        let results = ResultsFile::load(root)?;
        if let Some(mut report) = unchanged_report(&plan.checks, &config, &results, &suite) {
            add_skipped(&mut report, &plan.skipped);
            return finish(report, options);
        }
    }

    let TestInputs { config, index, others, scheduled, broken } =
        test_inputs(root, &build, &Highlighter::new(), &(Arc::new(NoResults) as Statuses))?;
    let selected = |id: &str, file: &Path| {
        options.pattern.as_deref().is_none_or(|p| id.contains(p) || file.to_string_lossy().contains(p))
            && options.shard.is_none_or(|s| s.contains(id))
    };
    // A post that cannot be read is one failure of its own, named by its file.
    let broken: Vec<&BrokenPost> = broken.iter().filter(|b| selected(&b.file.to_string_lossy(), &b.file)).collect();
    let mut all_ids: BTreeSet<String> = index.entries().iter().map(|e| e.snippet.id.clone()).collect();
    let snippets: Vec<_> = index.entries().iter().map(|e| &e.snippet).filter(|s| selected(&s.id, &s.file)).collect();
    let (skipped, tested): (Vec<_>, Vec<_>) = snippets.into_iter().partition(|s| skip_reason(s).is_some());
    let skipped: Vec<PlannedSkip> = skipped
        .iter()
        .map(|s| PlannedSkip {
            id: s.id.clone(),
            file: s.file.clone(),
            line: s.code_line,
            column: s.code_column,
            reason: skip_reason(s).unwrap_or_default(),
        })
        .collect();
    // With an engine, every docker snippet runs against it.
    let runs = |s: &crate::markdown::snippet::Snippet| match engine_kind {
        Some(EngineKind::Docker) if s.tools.iter().any(|t| t == "docker") => RunSelection::All,
        _ => options.runs,
    };
    let mut checks: Vec<_> = tested.iter().map(|s| snippet_check(s, runs(s))).collect();
    let mut engine_notes = Vec::new();
    let _engine = match engine_kind {
        Some(EngineKind::Docker) => {
            let (engine, setting, note) = start_engine(&config, cache.as_ref());
            suite.engine = setting;
            engine_notes.push(note);
            engine
        }
        None => None,
    };
    // Other code blocks are linted too (curly quotes in an Apache config); only those
    // with findings are reported, the others are no tests.
    let blocks: Vec<_> = others.iter().filter_map(|o| block_check(&o.file, &o.slug, &o.block)).collect();
    all_ids.extend(blocks.iter().map(|c| c.id.clone()));
    checks.extend(blocks.into_iter().filter(|c| selected(&c.id, &c.origin.file)));

    let mut results = ResultsFile::load(root)?;
    let before = results.clone();
    let bar = ProgressBar::on_terminal(options.format);
    let progress: &dyn Progress = bar.as_ref().map_or(&NoProgress, |b| b as &dyn Progress);
    let mut report = run_suite(&checks, &config, &mut results, &suite, progress)
        .map_err(|e| Diagnostic::file(root.join("content"), format!("cannot run snippets: {e}")))?;
    report.notes.splice(0..0, engine_notes);
    // Results of snippets that are gone are dropped; a pattern or a shard keeps the others'.
    // A broken post's snippets are not gone, only unread: nothing is dropped then.
    if broken.is_empty() {
        results.retain_ids(&all_ids);
    }
    if results != before {
        results.save(root).map_err(|e| Diagnostic::file(RESULTS_FILE, format!("cannot write the results: {e}")))?;
    }
    // A post still to come will be in later with the same files: no plan for that; nor
    // while a post is broken (its snippets are not in the plan).
    if let (Some(cache), Some(digest), false) = (&cache, digest, scheduled || !broken.is_empty()) {
        cache.save_plan(
            root,
            &Plan { digest, checks: checks.iter().map(SnippetCheck::planned).collect(), skipped: skipped.clone() },
        );
    }
    add_skipped(&mut report, &skipped);
    add_broken(&mut report, &broken);
    finish(report, options)
}

/// Starts the private engine and makes the site's images in it: the engine (stopped
/// when dropped), the setting for the suite, and a note saying which engine, or why
/// there is none.
fn start_engine(
    config: &crate::config::SiteConfig,
    cache: Option<&TestCache>,
) -> (Option<Engine>, EngineSetting, String) {
    let started = std::time::Instant::now();
    let engine = match Engine::start(&engines_folder()) {
        Ok(engine) => engine,
        Err(e) => {
            let reason = format!("no docker engine: {e}");
            return (None, EngineSetting::Unavailable(reason.clone()), format!("docker snippets skipped: {reason}"));
        }
    };
    let images_folder = cache.map(TestCache::images_folder);
    match super::images::prepare(&engine, &config.engine.images, images_folder.as_deref()) {
        Ok(images) => {
            let run = engine.for_runs(images);
            let note = format!(
                "docker snippets ran against a private {}, started in {:.1}s",
                run.label(),
                started.elapsed().as_secs_f32()
            );
            (Some(engine), EngineSetting::Ready(run), note)
        }
        Err(e) => {
            let reason = format!("the engine's images could not be made: {e}");
            (None, EngineSetting::Unavailable(reason.clone()), format!("docker snippets skipped: {reason}"))
        }
    }
}

/// Adds the posts that could not be read or rendered to the report, each a failure
/// whose findings are its errors.
fn add_broken(report: &mut SuiteReport, broken: &[&BrokenPost]) {
    for post in broken {
        let outcome = Outcome::Failed { findings: Vec::new() };
        report.summary.add(&outcome);
        let first = post.errors.0.first();
        // A report shows the line before a snippet's origin (its fence): the error's line.
        let (line, column) = first.map_or((0, 0), |d| (d.line + 1, d.column));
        let findings = post.errors.0.iter().map(|d| d.to_string().trim_start_matches("error: ").to_string()).collect();
        report.snippets.push(SnippetReport {
            id: post.file.to_string_lossy().into_owned(),
            origin: Origin::new(&post.file, line, column),
            outcome,
            cached: false,
            findings,
            warnings: Vec::new(),
        });
    }
}

/// Adds the snippets their fence skips to the report.
fn add_skipped(report: &mut SuiteReport, skipped: &[PlannedSkip]) {
    for s in skipped {
        let outcome = Outcome::skipped(s.reason.clone());
        report.summary.add(&outcome);
        let origin = Origin::new(&s.file, s.line, s.column);
        report.snippets.push(SnippetReport {
            id: s.id.clone(),
            origin,
            outcome,
            cached: false,
            findings: Vec::new(),
            warnings: Vec::new(),
        });
    }
}

/// Writes the JUnit file if asked, and gives the report's text; exit 1 on a failure.
fn finish(report: SuiteReport, options: &TestOptions) -> Result<Printed, Errors> {
    if let Some(file) = &options.junit {
        std::fs::write(file, junit_xml(&report)).map_err(|e| {
            Diagnostic::file(file, format!("cannot write the JUnit report: {e}"))
                .with_help("check that the folder exists and is writable")
        })?;
    }
    let stdout = match options.format {
        OutputFormat::Json => json_text(&report),
        OutputFormat::Lines => lines_text(&report),
    };
    Ok(Printed { stdout, exit_code: if report.summary.has_failures() { 1 } else { 0 } })
}

/// `content/posts/x.md:12`: the fence line of a snippet.
fn fence_location(origin: &Origin) -> String {
    format!("{}:{}", origin.file.display(), origin.line.saturating_sub(1))
}

fn json_text(report: &SuiteReport) -> String {
    let snippets: Vec<serde_json::Value> = report
        .snippets
        .iter()
        .map(|r| serde_json::json!({ "id": r.id, "location": fence_location(&r.origin), "outcome": r.outcome, "cached": r.cached, "findings": r.findings, "warnings": r.warnings }))
        .collect();
    let doc = serde_json::json!({ "snippets": snippets, "notes": report.notes, "tested": report.tested, "summary": report.summary });
    format!("{}\n", serde_json::to_string_pretty(&doc).unwrap_or_default())
}

fn lines_text(report: &SuiteReport) -> String {
    let mut lines = Vec::new();
    for r in &report.snippets {
        let location = fence_location(&r.origin);
        match &r.outcome {
            Outcome::Failed { .. } if r.findings.is_empty() => {
                lines.push(format!("failed {location} ({}): failed at its last test (--force shows why)", r.id))
            }
            Outcome::Failed { .. } => lines.extend(r.findings.iter().map(|f| format!("failed {f}"))),
            Outcome::Skipped { reason } => lines.push(format!("skipped {location} ({}): {reason}", r.id)),
            _ => {}
        }
        lines.extend(r.warnings.iter().map(|w| format!("warning {w}")));
    }
    lines.extend(report.notes.iter().map(|note| format!("note: {note}")));
    if report.tested == 0 {
        lines.push("nothing changed since the last run: no snippet tested".to_string());
    }
    lines.push(report.summary.to_string());
    lines.iter().map(|line| format!("{line}\n")).collect()
}

/// indicatif's bar on stderr, only when stderr is a terminal (and not with JSON, whose
/// reader is a program).
struct ProgressBar(indicatif::ProgressBar);

impl ProgressBar {
    fn on_terminal(format: OutputFormat) -> Option<ProgressBar> {
        (format == OutputFormat::Lines && std::io::stderr().is_terminal())
            .then(|| ProgressBar(indicatif::ProgressBar::hidden()))
    }
}

impl Progress for ProgressBar {
    fn start(&self, total: usize) {
        if total == 0 {
            return;
        }
        self.0.set_length(total as u64);
        self.0.set_style(
            indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} snippets {wide_msg}")
                .expect("a valid template"),
        );
        self.0.set_draw_target(indicatif::ProgressDrawTarget::stderr());
    }

    fn tested(&self, id: &str) {
        self.0.set_message(id.to_string());
        self.0.inc(1);
    }

    fn finish(&self) {
        self.0.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Summary;

    fn report(id: &str, outcome: Outcome, cached: bool, findings: &[&str]) -> SnippetReport {
        let origin = Origin::new("content/posts/a.md", 13, 1);
        let findings = findings.iter().map(|f| f.to_string()).collect();
        SnippetReport { id: id.into(), origin, outcome, cached, findings, warnings: Vec::new() }
    }

    #[test]
    fn lines_name_failed_and_skipped_snippets_at_their_fence_then_notes_and_summary() {
        let snippets = vec![
            report("a/ok", Outcome::passed(), false, &[]),
            report(
                "a/bad",
                Outcome::Failed { findings: Vec::new() },
                false,
                &["content/posts/a.md:13:3: lint GEN001: x"],
            ),
            report("a/old", Outcome::Failed { findings: Vec::new() }, true, &[]),
            report("a/mac", Outcome::skipped("requires macOS, this is Linux"), false, &[]),
        ];
        let summary = Summary::of(snippets.iter().map(|r| &r.outcome));
        let notes = vec!["shellcheck not installed".to_string()];
        let mut run = SuiteReport { snippets, notes, summary, tested: 3 };
        assert_eq!(
            lines_text(&run),
            "failed content/posts/a.md:13:3: lint GEN001: x\n\
             failed content/posts/a.md:12 (a/old): failed at its last test (--force shows why)\n\
             skipped content/posts/a.md:12 (a/mac): requires macOS, this is Linux\n\
             note: shellcheck not installed\n\
             1 passed, 2 failed, 1 skipped\n"
        );
        run.tested = 0;
        assert!(lines_text(&run)
            .ends_with("nothing changed since the last run: no snippet tested\n1 passed, 2 failed, 1 skipped\n"));
        let json: serde_json::Value = serde_json::from_str(&json_text(&run)).unwrap();
        assert_eq!(json["snippets"][2]["location"], "content/posts/a.md:12");
        assert_eq!(json["snippets"][2]["cached"], true);
        assert_eq!(json["summary"]["failed"], 2);
    }
}
