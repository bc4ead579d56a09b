//! `gen new "Title"`.

use std::path::Path;

use clap::Args;

use crate::content::{PostDate, CONTENT_DIR};
use crate::error::{Diagnostic, Errors};

#[derive(Debug, Args)]
pub struct NewArgs {
    /// The post's title.
    pub title: String,
    /// Put the post in this series.
    #[arg(long)]
    pub series: Option<String>,
}

pub fn run(root: &Path, args: NewArgs) -> Result<i32, Errors> {
    let rel = crate::content::new_post_path(&args.title).ok_or_else(|| {
        Diagnostic::file(CONTENT_DIR, format!("the title \"{}\" gives an empty file name", args.title))
            .with_help("use a title with letters or digits")
    })?;
    let path = root.join(&rel);
    let text = crate::content::new_post_text(&args.title, PostDate::today(), args.series.as_deref());
    std::fs::create_dir_all(path.parent().expect("posts folder"))
        .map_err(|e| Diagnostic::file(&rel, format!("cannot create the folder: {e}")))?;
    let mut file = match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(Diagnostic::file(&rel, "a post with this name already exists; nothing was written")
                .with_help("choose another title, or edit the existing post")
                .into())
        }
        Err(e) => return Err(Diagnostic::file(&rel, format!("cannot create the post: {e}")).into()),
    };
    std::io::Write::write_all(&mut file, text.as_bytes())
        .map_err(|e| Diagnostic::file(&rel, format!("cannot write the post: {e}")))?;
    println!("{}", rel.display());
    Ok(0)
}
