//! `gen test`: checks every snippet of the site (or those matching PATTERN), prints one
//! line per failed or skipped snippet and the summary, and updates the results file.

use std::collections::BTreeSet;
use std::path::Path;

use clap::Args;

use crate::check::from_index::{block_check, skip_reason, snippet_check};
use crate::check::results::{today, ResultsFile, RESULTS_FILE};
use crate::check::sandbox::Isolation;
use crate::check::suite::{run_suite, SuiteOptions};
use crate::check::{Outcome, Summary};
use crate::error::{Diagnostic, Errors};
use crate::markdown::Highlighter;
use crate::pipeline::{test_inputs, BuildOptions};

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
    /// Include draft posts.
    #[arg(long)]
    pub drafts: bool,
}

pub fn run(root: &Path, args: TestArgs) -> Result<i32, Errors> {
    let opts = BuildOptions { drafts: args.drafts, ..BuildOptions::default() };
    let highlighter = Highlighter::new();
    let (config, index, others) = test_inputs(root, &opts, &highlighter)?;
    let matches = |id: &str, file: &Path| args.pattern.as_deref().is_none_or(|p| id.contains(p) || file.to_string_lossy().contains(p));
    let selected: Vec<_> = index
        .entries()
        .iter()
        .map(|e| &e.snippet)
        .filter(|s| matches(&s.id, &s.file))
        .collect();
    let (skipped, tested): (Vec<_>, Vec<_>) = selected.into_iter().partition(|s| skip_reason(s).is_some());
    let mut checks: Vec<_> = tested.iter().map(|s| snippet_check(s, args.run)).collect();
    // Other code blocks are linted too (curly quotes in an Apache config).
    checks.extend(others.iter().map(|o| block_check(&o.file, &o.slug, &o.block)).filter(|c| matches(&c.id, &c.origin.file)));

    let mut results = ResultsFile::load(root)?;
    let options = SuiteOptions { force: args.force, isolation: Isolation::choose(args.no_sandbox), jobs: args.jobs, date: today() };
    let report = run_suite(&checks, &config, &mut results, &options).map_err(|e| Diagnostic::file(root.join("content"), format!("cannot run snippets: {e}")))?;
    if args.pattern.is_none() {
        let mut ids: BTreeSet<String> = index.entries().iter().map(|e| e.snippet.id.clone()).collect();
        ids.extend(checks.iter().map(|c| c.id.clone()));
        results.retain_ids(&ids);
    }
    results.save(root).map_err(|e| Diagnostic::file(RESULTS_FILE, format!("cannot write the results: {e}")))?;

    let mut summary = report.summary;
    summary.skipped += skipped.len();
    if args.json {
        let mut snippets: Vec<serde_json::Value> = report
            .snippets
            .iter()
            .map(|r| serde_json::json!({ "id": r.id, "location": format!("{}:{}", r.origin.file.display(), r.origin.line.saturating_sub(1)), "outcome": r.outcome, "cached": r.cached, "findings": r.findings }))
            .collect();
        snippets.extend(skipped.iter().map(|s| {
            serde_json::json!({ "id": s.id, "location": s.location(), "outcome": Outcome::skipped(skip_reason(s).unwrap_or_default()), "cached": false, "findings": [] })
        }));
        let doc = serde_json::json!({ "snippets": snippets, "notes": report.notes, "tested": report.tested, "summary": summary });
        println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
    } else {
        print_lines(&report, &skipped.iter().map(|s| (s.location(), s.id.clone(), skip_reason(s).unwrap_or_default())).collect::<Vec<_>>(), summary);
    }
    Ok(if summary.has_failures() { 1 } else { 0 })
}

fn print_lines(report: &crate::check::suite::SuiteReport, skipped: &[(String, String, String)], summary: Summary) {
    for r in &report.snippets {
        let location = format!("{}:{}", r.origin.file.display(), r.origin.line.saturating_sub(1));
        match &r.outcome {
            Outcome::Failed { .. } if r.findings.is_empty() => println!("failed {location} ({}): failed at its last test (--force shows why)", r.id),
            Outcome::Failed { .. } => r.findings.iter().for_each(|f| println!("failed {f}")),
            Outcome::Skipped { reason } => println!("skipped {location} ({}): {reason}", r.id),
            _ => {}
        }
    }
    for (location, id, reason) in skipped {
        println!("skipped {location} ({id}): {reason}");
    }
    for note in &report.notes {
        println!("note: {note}");
    }
    if report.tested == 0 {
        println!("nothing changed since the last run: no snippet tested");
    }
    println!("{summary}");
}
