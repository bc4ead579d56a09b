//! `gen snippets`: prints the snippet index as a table, or as JSON (`--json`).

use std::path::Path;

use clap::Args;

use crate::error::{Diagnostic, Errors};
use crate::markdown::Highlighter;
use crate::pipeline::{snippet_index, BuildOptions};
use crate::snippets::{json, table};

#[derive(Debug, Args)]
pub struct SnippetsArgs {
    /// Print JSON (schema: docs/snippets.schema.json) instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Only snippets that call this tool (e.g. docker).
    #[arg(long, value_name = "TOOL")]
    pub tool: Option<String>,
    /// Only snippets of this post (its slug or its file, e.g. content/posts/x.md).
    #[arg(long, value_name = "POST")]
    pub post: Option<String>,
    /// Include draft posts.
    #[arg(long)]
    pub drafts: bool,
}

pub fn run(root: &Path, args: SnippetsArgs) -> Result<i32, Errors> {
    let opts = BuildOptions { drafts: args.drafts, ..BuildOptions::default() };
    let highlighter = Highlighter::new();
    let (config, index) = snippet_index(root, &opts, &highlighter)?;
    let entries = index.filter(args.tool.as_deref(), args.post.as_deref());
    if let Some(post) = &args.post {
        if !index.entries().iter().any(|e| &e.snippet.post_slug == post || e.snippet.file == Path::new(post)) {
            return Err(Diagnostic::file(post, "no post with snippets has this slug or file")
                .with_help("give a post's slug (`docker-cheat-sheet`) or its file (`content/posts/docker-cheat-sheet.md`); `gen snippets` lists them all")
                .into());
        }
    }
    if args.json {
        let doc = json::document(&entries, &config.base_url);
        let text = serde_json::to_string_pretty(&doc)
            .map_err(|e| Diagnostic::file("snippets.json", format!("internal: {e}")))?;
        super::print_stdout(&format!("{text}\n"));
    } else {
        super::print_stdout(&table::render_table(&entries));
    }
    Ok(0)
}
