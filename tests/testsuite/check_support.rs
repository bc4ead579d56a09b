//! The checks' inputs of a fixture site, found the way `gen test` finds them: the
//! pipeline extracts the snippet index and the other code blocks, and `check::from_index`
//! turns each into a [`SnippetCheck`] (origin in the Markdown file, text, script).

use std::path::Path;
use std::sync::Arc;

use gen::check::from_index::{block_check, skip_reason, snippet_check, RunSelection};
use gen::check::suite::SnippetCheck;
use gen::markdown::snippet::NoResults;
use gen::markdown::Highlighter;
use gen::pipeline::{test_inputs, BuildOptions, Statuses};

/// What `gen test` checks of the site at `root` (snippets its fence skips left out,
/// nothing run), ordered by file and line.
pub fn checks(root: &Path) -> Vec<SnippetCheck> {
    let statuses: Statuses = Arc::new(NoResults);
    let inputs = test_inputs(root, &BuildOptions::default(), &Highlighter::new(), &statuses)
        .unwrap_or_else(|e| panic!("cannot extract the snippets of {}: {e:?}", root.display()));
    let mut checks: Vec<SnippetCheck> = inputs
        .index
        .entries()
        .iter()
        .filter(|e| skip_reason(&e.snippet).is_none())
        .map(|e| snippet_check(&e.snippet, RunSelection::Marked))
        .collect();
    checks.extend(inputs.others.iter().filter_map(|o| block_check(&o.file, &o.slug, &o.block)));
    checks.sort_by(|a, b| (&a.origin.file, a.origin.line).cmp(&(&b.origin.file, b.origin.line)));
    checks
}
