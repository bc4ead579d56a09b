//! The command line: parses arguments with clap and calls the pipeline. Nothing else
//! lives here; each subcommand is a small function in its own module.

mod build;
mod init;
mod new;
mod serve;
mod snippets;
mod test;
mod theme;

use std::io::Write;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "gen", version, about = "A static-site generator whose shell snippets are indexed and tested")]
pub struct Cli {
    /// The site folder (the one holding site.toml).
    #[arg(long, global = true, default_value = ".")]
    pub root: PathBuf,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a new site into DIR (default: the --root folder): site.toml, an example
    /// post, static/; the theme is built in. Nothing is overwritten.
    Init(init::InitArgs),
    /// Render the site into public/ (or --out); the output appears whole or not at all.
    Build(build::BuildArgs),
    /// Write a new draft post with front matter.
    New(new::NewArgs),
    /// Preview the site on 127.0.0.1, rebuilding and reloading the page on every save.
    Serve(serve::ServeArgs),
    /// Print the snippet index: id, tools, requires, status and location of every snippet.
    Snippets(snippets::SnippetsArgs),
    /// Check every snippet (syntax, lint, shellcheck, arguments, requirements; runs with
    /// --run); ends with `N passed, N failed, N skipped`, exit 1 on any failure.
    Test(test::TestArgs),
    /// The site's theme: `gen theme eject` copies the built-in theme into themes/default/.
    Theme(theme::ThemeArgs),
}

/// Runs the command line; returns the process exit code.
pub fn main() -> i32 {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Init(args) => init::run(&cli.root, args),
        Command::Build(args) => build::run(&cli.root, args),
        Command::New(args) => new::run(&cli.root, args),
        Command::Serve(args) => serve::run(&cli.root, args),
        Command::Snippets(args) => snippets::run(&cli.root, args),
        Command::Test(args) => test::run(&cli.root, args),
        Command::Theme(args) => theme::run(&cli.root, args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{e}");
            1
        }
    }
}

/// Writes a command's output to stdout. A reader that stops early (`gen snippets | head`)
/// closes the pipe: that ends the output quietly, as it does for other command-line tools,
/// instead of the panic `print!` gives.
fn print_stdout(text: &str) {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err(e) => eprintln!("warning: could not write the output: {e}"),
    }
}
