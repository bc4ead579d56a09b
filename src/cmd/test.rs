//! `gen test`: checks every snippet of the site (or those matching PATTERN, or one
//! shard), prints one line per failed or skipped snippet and the summary (or JSON, and
//! JUnit XML with `--junit`), and updates the results file. The work is
//! [`check::command`](crate::check::command)'s.

use std::path::{Path, PathBuf};

use clap::Args;

use crate::check::command::{test, OutputFormat, TestOptions};
use crate::check::engine::EngineKind;
use crate::check::from_index::RunSelection;
use crate::check::results::Retest;
use crate::check::sandbox::Fallback;
use crate::check::suite::Shard;
use crate::error::Errors;

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
    /// Run docker snippets against a private, disposable engine started for the run
    /// (default: site.toml's `[engine] default`).
    #[arg(long, value_name = "ENGINE", value_parser = ["docker"])]
    pub engine: Option<String>,
}

pub fn run(root: &Path, args: TestArgs) -> Result<i32, Errors> {
    let options = TestOptions {
        pattern: args.pattern,
        shard: args.shard,
        runs: if args.run { RunSelection::All } else { RunSelection::Marked },
        fallback: if args.no_sandbox { Fallback::Unsandboxed } else { Fallback::Refuse },
        jobs: args.jobs,
        retest: if args.force { Retest::All } else { Retest::Changed },
        format: if args.json { OutputFormat::Json } else { OutputFormat::Lines },
        junit: args.junit,
        drafts: args.drafts,
        engine: args.engine.map(|_| EngineKind::Docker),
    };
    let printed = test(root, &options)?;
    super::print_stdout(&printed.stdout);
    Ok(printed.exit_code)
}
