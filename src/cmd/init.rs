//! `gen init [DIR]`.

use std::path::{Path, PathBuf};

use clap::Args;

use crate::content::PostDate;
use crate::error::Errors;

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The folder of the new site, relative to --root (created if missing).
    pub dir: Option<PathBuf>,
}

pub fn run(root: &Path, args: InitArgs) -> Result<i32, Errors> {
    let dir = match args.dir {
        Some(d) if root == Path::new(".") => d,
        Some(d) => root.join(d),
        None => root.to_path_buf(),
    };
    let written = crate::scaffold::init_site(&dir, PostDate::today())?;
    for file in &written.files {
        println!("{}", dir.join(file).display());
    }
    eprintln!("A new site is in {0}: `gen --root {0} serve` previews it.", dir.display());
    Ok(0)
}
