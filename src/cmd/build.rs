//! `gen build`.

use std::path::{Path, PathBuf};

use clap::Args;

use crate::error::{Diagnostic, Errors};
use crate::markdown::Highlighter;
use crate::pipeline::{build_site_to_folder, BuildOptions};

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Include draft posts.
    #[arg(long)]
    pub drafts: bool,
    /// Publish under this URL instead of site.toml's base_url (e.g. https://example.com/blog/);
    /// `.` makes every link relative, for a site that works from any folder.
    #[arg(long)]
    pub base_url: Option<String>,
    /// Include posts dated in the future (scheduled posts).
    #[arg(long)]
    pub future: bool,
    /// The output folder, relative to the site root unless absolute.
    #[arg(long, default_value = "public")]
    pub out: PathBuf,
}

pub fn run(root: &Path, args: BuildArgs) -> Result<i32, Errors> {
    let opts = BuildOptions { drafts: args.drafts, base_url: args.base_url, future: args.future };
    let highlighter = Highlighter::for_one_build();
    let out = if args.out.is_absolute() { args.out.clone() } else { root.join(&args.out) };
    let s = build_site_to_folder(root, &opts, &highlighter, &out).map_err(|e| name_output(e, &out, &args.out))?;
    eprintln!(
        "Built {} posts, {} pages ({} files) in {} ms into {}",
        s.posts,
        s.pages,
        s.files,
        s.elapsed.as_millis(),
        args.out.display()
    );
    Ok(0)
}

/// Write errors name the output folder as the user gave it, not its full path.
fn name_output(errors: Errors, out: &Path, given: &Path) -> Errors {
    Errors(
        errors
            .0
            .into_iter()
            .map(|mut d: Diagnostic| {
                if d.file == out {
                    d.file = given.to_path_buf();
                }
                d
            })
            .collect(),
    )
}
