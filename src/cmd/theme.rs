//! `gen theme eject`.

use std::path::Path;

use clap::{Args, Subcommand};

use crate::error::Errors;

#[derive(Debug, Args)]
pub struct ThemeArgs {
    #[command(subcommand)]
    pub action: ThemeAction,
}

#[derive(Debug, Subcommand)]
pub enum ThemeAction {
    /// Copy the built-in theme into themes/default/, where the site's copy replaces it
    /// and can be changed. Nothing is overwritten.
    Eject,
}

pub fn run(root: &Path, args: ThemeArgs) -> Result<i32, Errors> {
    match args.action {
        ThemeAction::Eject => {
            let written = crate::scaffold::eject_theme(root)?;
            eprintln!("Wrote {} files into {}", written.files.len(), root.join("themes/default").display());
            Ok(0)
        }
    }
}
