//! `gen test`: checks every snippet of the site (or those matching PATTERN, or one
//! shard), prints one line per failed or skipped snippet and the summary (or JSON, and
//! JUnit XML with `--junit`), and updates the results file.

use std::collections::BTreeSet;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::Args;

use crate::check::cache::{inputs_digest, Plan, PlannedSkip, TestCache};
use crate::check::from_index::{block_check, skip_reason, snippet_check};
use crate::check::junit::junit_xml;
use crate::check::results::{today, ResultsFile, RESULTS_FILE};
use crate::check::sandbox::Isolation;
use crate::check::suite::{
    run_suite, unchanged_report, NoProgress, Planned, Progress, Shard, SnippetReport, SuiteOptions, SuiteReport,
};
use crate::check::{Origin, Outcome};
use crate::error::{Diagnostic, Errors};
use crate::markdown::snippet::NoResults;
use crate::markdown::Highlighter;
use crate::pipeline::{load_config, test_inputs, BuildOptions, Statuses, TestInputs};

#[derive(Debug, Args)]
pub struct TestArgs {
    /// Only snippets whose id or post file contains this text.
    pub pattern: Option<String>,
    /// Run every snippet in the sandbox, not only those marked `test="run"`.
    #[arg(long)]
    pub run: bool,
    /// Without bubblewrap, run snippets without isolation (scratch folder, clean
    /// environment and time limit only).
    #[arg(long)]
    pub no_sandbox: bool,
    /// Parallel jobs (default: one per core).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub jobs: usize,
    /// Test snippets again even when unchanged since their last test.
    #[arg(long)]
    pub force: bool,
    /// Print the results as JSON instead of lines (each snippet with its fence location).
    #[arg(long)]
    pub json: bool,
    /// Also write the results as JUnit XML to FILE (for CI).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Test only shard K of N (snippets split by a stable hash of their id); the results
    /// of the other shards stay in the results file.
    #[arg(long, value_name = "K/N", value_parser = Shard::parse)]
    pub shard: Option<Shard>,
    /// Include draft posts.
    #[arg(long)]
    pub drafts: bool,
}

impl TestArgs {
    /// The options that choose what is tested and how, for the plan cache's digest.
    fn selection(&self) -> String {
        format!(
            "{:?}|{:?}|run={}|drafts={}|no-sandbox={}",
            self.pattern, self.shard, self.run, self.drafts, self.no_sandbox
        )
    }
}

pub fn run(root: &Path, args: TestArgs) -> Result<i32, Errors> {
    let opts = BuildOptions { drafts: args.drafts, ..BuildOptions::default() };
    let cache = TestCache::locate();
    let digest = cache.as_ref().and_then(|_| inputs_digest(root, &args.selection()));
    let options = SuiteOptions {
        force: args.force,
        isolation: Isolation::choose(args.no_sandbox),
        jobs: args.jobs,
        date: today(),
        probe_memo: cache.as_ref().map(TestCache::versions_file),
    };
    // The short path: the same files and options as a run whose results are all still
    // current: nothing to test, and no Markdown to read to know it.
    if let Some(plan) = cache.as_ref().zip(digest.as_deref()).and_then(|(c, d)| c.load_plan(root, d)) {
        let config = load_config(root, &opts)?;
        let results = ResultsFile::load(root)?;
        if let Some(mut report) = unchanged_report(&plan.checks, &config, &results, &options) {
            add_skipped(&mut report, &plan.skipped);
            return finish(report, &args);
        }
    }

    let TestInputs { config, index, others, scheduled } =
        test_inputs(root, &opts, &Highlighter::new(), &(Arc::new(NoResults) as Statuses))?;
    let selected = |id: &str, file: &Path| {
        args.pattern.as_deref().is_none_or(|p| id.contains(p) || file.to_string_lossy().contains(p))
            && args.shard.is_none_or(|s| s.contains(id))
    };
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
    let mut checks: Vec<_> = tested.iter().map(|s| snippet_check(s, args.run)).collect();
    // Other code blocks are linted too (curly quotes in an Apache config); only those
    // with findings are reported, the others are no tests.
    let blocks: Vec<_> = others.iter().filter_map(|o| block_check(&o.file, &o.slug, &o.block)).collect();
    all_ids.extend(blocks.iter().map(|c| c.id.clone()));
    checks.extend(blocks.into_iter().filter(|c| selected(&c.id, &c.origin.file)));

    let mut results = ResultsFile::load(root)?;
    let before = results.clone();
    let bar = ProgressBar::on_terminal(args.json);
    let progress: &dyn Progress = bar.as_ref().map_or(&NoProgress, |b| b as &dyn Progress);
    let mut report = run_suite(&checks, &config, &mut results, &options, progress)
        .map_err(|e| Diagnostic::file(root.join("content"), format!("cannot run snippets: {e}")))?;
    // Results of snippets that are gone are dropped; a pattern or a shard keeps the others'.
    results.retain_ids(&all_ids);
    if results != before {
        results.save(root).map_err(|e| Diagnostic::file(RESULTS_FILE, format!("cannot write the results: {e}")))?;
    }
    // A post still to come will be in later with the same files: no plan for that.
    if let (Some(cache), Some(digest), false) = (&cache, digest, scheduled) {
        cache.save_plan(
            root,
            &Plan { digest, checks: checks.iter().map(Planned::of).collect(), skipped: skipped.clone() },
        );
    }
    add_skipped(&mut report, &skipped);
    finish(report, &args)
}

/// Adds the snippets their fence skips to the report.
fn add_skipped(report: &mut SuiteReport, skipped: &[PlannedSkip]) {
    for s in skipped {
        let outcome = Outcome::skipped(s.reason.clone());
        report.summary.add(&outcome);
        let origin = Origin::new(&s.file, s.line, s.column);
        report.snippets.push(SnippetReport { id: s.id.clone(), origin, outcome, cached: false, findings: Vec::new() });
    }
}

/// Writes the JUnit file if asked, prints the report; exit 1 on a failure.
fn finish(report: SuiteReport, args: &TestArgs) -> Result<i32, Errors> {
    if let Some(file) = &args.junit {
        std::fs::write(file, junit_xml(&report)).map_err(|e| {
            Diagnostic::file(file, format!("cannot write the JUnit report: {e}"))
                .with_help("check that the folder exists and is writable")
        })?;
    }
    if args.json {
        print_json(&report);
    } else {
        print_lines(&report);
    }
    Ok(if report.summary.has_failures() { 1 } else { 0 })
}

/// `content/posts/x.md:12`: the fence line of a snippet.
fn fence_location(origin: &Origin) -> String {
    format!("{}:{}", origin.file.display(), origin.line.saturating_sub(1))
}

fn print_json(report: &SuiteReport) {
    let snippets: Vec<serde_json::Value> = report
        .snippets
        .iter()
        .map(|r| serde_json::json!({ "id": r.id, "location": fence_location(&r.origin), "outcome": r.outcome, "cached": r.cached, "findings": r.findings }))
        .collect();
    let doc = serde_json::json!({ "snippets": snippets, "notes": report.notes, "tested": report.tested, "summary": report.summary });
    println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
}

fn print_lines(report: &SuiteReport) {
    for r in &report.snippets {
        let location = fence_location(&r.origin);
        match &r.outcome {
            Outcome::Failed { .. } if r.findings.is_empty() => {
                println!("failed {location} ({}): failed at its last test (--force shows why)", r.id)
            }
            Outcome::Failed { .. } => r.findings.iter().for_each(|f| println!("failed {f}")),
            Outcome::Skipped { reason } => println!("skipped {location} ({}): {reason}", r.id),
            _ => {}
        }
    }
    for note in &report.notes {
        println!("note: {note}");
    }
    if report.tested == 0 {
        println!("nothing changed since the last run: no snippet tested");
    }
    println!("{}", report.summary);
}

/// indicatif's bar on stderr, only when stderr is a terminal (and not with `--json`,
/// whose reader is a program).
struct ProgressBar(indicatif::ProgressBar);

impl ProgressBar {
    fn on_terminal(json: bool) -> Option<ProgressBar> {
        (!json && std::io::stderr().is_terminal()).then(|| ProgressBar(indicatif::ProgressBar::hidden()))
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
