//! New files for a site: `gen init` writes a whole new site, `gen theme eject` writes the
//! built-in theme into `themes/default/` to be changed. Neither overwrites a file: when
//! any file it would write exists, it writes nothing.

use std::path::{Path, PathBuf};

use crate::config::CONFIG_FILE;
use crate::content::PostDate;
use crate::error::{Diagnostic, Errors, Result};
use crate::theme::{BUILT_IN_FILES, BUILT_IN_THEME};

/// A file to write: its path under the folder written into, and its content.
struct NewFile {
    path: PathBuf,
    bytes: Vec<u8>,
}

/// What was written, for the command to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// The folder written into.
    pub root: PathBuf,
    /// The files written, relative to `root`, in order.
    pub files: Vec<PathBuf>,
}

/// The path of the example post of a new site, under the site root.
pub const EXAMPLE_POST: &str = "content/posts/hello-gen.md";

/// Writes a new site into `dir` (created if missing): a commented `site.toml`, an
/// example post dated `date` with a console snippet, and an empty `static/`. The theme
/// is the built-in one. Refuses, writing nothing, when `dir` already holds a site or
/// any of these files.
pub fn init_site(dir: &Path, date: PostDate) -> Result<Written> {
    if dir.join(CONFIG_FILE).exists() {
        return Err(Diagnostic::file(dir.join(CONFIG_FILE), "a site already exists here; nothing was written")
            .with_help("choose a new folder: gen init NEW-FOLDER")
            .into());
    }
    let files = vec![
        NewFile { path: CONFIG_FILE.into(), bytes: SITE_TOML.as_bytes().to_vec() },
        NewFile { path: EXAMPLE_POST.into(), bytes: example_post(date).into_bytes() },
    ];
    let written = write_all(dir, &files)?;
    let statics = dir.join("static");
    std::fs::create_dir_all(&statics)
        .map_err(|e| Diagnostic::file(&statics, format!("cannot create the folder: {e}")))?;
    Ok(written)
}

/// Writes the built-in theme into `root/themes/default/`, where it overrides the
/// built-in one and can be changed. Refuses, writing nothing, when that folder exists.
pub fn eject_theme(root: &Path) -> Result<Written> {
    let theme_dir = Path::new("themes").join(BUILT_IN_THEME);
    if root.join(&theme_dir).exists() {
        return Err(Diagnostic::file(&theme_dir, "this folder already exists; nothing was written")
            .with_help(format!(
                "the site already has its own copy of the theme; move {} away to eject again",
                theme_dir.display()
            ))
            .into());
    }
    let files: Vec<NewFile> =
        BUILT_IN_FILES.iter().map(|f| NewFile { path: theme_dir.join(f.path), bytes: f.bytes.to_vec() }).collect();
    write_all(root, &files)
}

/// Writes `files` under `root`, after checking that none exists. A file that appears
/// between the check and the write is not overwritten either (it is an error then).
fn write_all(root: &Path, files: &[NewFile]) -> Result<Written> {
    let existing: Vec<Diagnostic> = files
        .iter()
        .filter(|f| root.join(&f.path).exists())
        .map(|f| {
            Diagnostic::file(root.join(&f.path), "this file already exists; nothing was written")
                .with_help("move it away, or choose another folder")
        })
        .collect();
    if !existing.is_empty() {
        return Err(Errors(existing));
    }
    for file in files {
        let path = root.join(&file.path);
        let parent = path.parent().expect("a file has a folder");
        std::fs::create_dir_all(parent)
            .map_err(|e| Diagnostic::file(parent, format!("cannot create the folder: {e}")))?;
        let mut out = match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(out) => out,
            Err(e) => return Err(Diagnostic::file(&path, format!("cannot create the file: {e}")).into()),
        };
        std::io::Write::write_all(&mut out, &file.bytes)
            .map_err(|e| Diagnostic::file(&path, format!("cannot write the file: {e}")))?;
    }
    Ok(Written { root: root.to_path_buf(), files: files.iter().map(|f| f.path.clone()).collect() })
}

/// The `site.toml` of a new site.
const SITE_TOML: &str = r#"# The site's configuration (see the README and docs/site-structure.md).

# The site's name, shown in the header and the feeds.
title = "My Blog"
# Where the site is published, with any path (https://example.com/blog/); feeds and the
# sitemap use it. `gen build --base-url .` makes every link relative instead.
base_url = "https://example.com/"
description = "Notes and tested shell snippets"
author = "Me"
# The theme built into gen; `gen theme eject` copies it into themes/default/ to change it.
theme = "default"
# Posts per home page.
paginate = 10

# Code highlighting (syntect theme names).
# [markdown]
# highlight_theme = "InspiredGitHub"
# highlight_theme_dark = "base16-ocean.dark"

# How `gen test` may use installed tools, e.g. let docker judge the arguments of each
# docker command (docs/testing.md).
# [tools.docker]
# check_args = true
"#;

/// The example post of a new site, dated `date`.
fn example_post(date: PostDate) -> String {
    format!(
        r#"+++
title = "Hello, gen"
date = {date}
categories = ["Notes"]
tags = ["gen"]
+++

This is the first post of a new site. Edit it, or write another with
`gen new "A title"`; `gen serve` shows every change as you save.

<!-- more -->

## A tested snippet

Shell sessions in `console` blocks are snippets: `gen snippets` lists them and
`gen test` checks them (syntax, lint, shellcheck when installed; `gen test --run` runs
them and compares their output with the lines under each command).

```console
$ echo "Hello, gen"
Hello, gen
```
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date() -> PostDate {
        PostDate { year: 2024, month: 5, day: 1, seconds: 0 }
    }

    #[test]
    fn init_refuses_an_existing_site_and_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("blog");
        let written = init_site(&site, date()).unwrap();
        assert_eq!(written.files, [PathBuf::from(CONFIG_FILE), PathBuf::from(EXAMPLE_POST)]);
        assert!(site.join("static").is_dir());
        std::fs::write(site.join(CONFIG_FILE), "title = \"Mine\"\n").unwrap();
        std::fs::remove_file(site.join(EXAMPLE_POST)).unwrap();
        let err = init_site(&site, date()).unwrap_err();
        assert!(err.0[0].message.contains("a site already exists here"), "{}", err.0[0].message);
        assert_eq!(std::fs::read_to_string(site.join(CONFIG_FILE)).unwrap(), "title = \"Mine\"\n");
        assert!(!site.join(EXAMPLE_POST).exists());

        // No site.toml, but a post where the example goes: nothing is written either.
        let other = dir.path().join("other");
        std::fs::create_dir_all(other.join("content/posts")).unwrap();
        std::fs::write(other.join(EXAMPLE_POST), "mine").unwrap();
        let err = init_site(&other, date()).unwrap_err();
        assert!(err.0[0].message.contains("already exists"), "{}", err.0[0].message);
        assert!(!other.join(CONFIG_FILE).exists());
        assert_eq!(std::fs::read_to_string(other.join(EXAMPLE_POST)).unwrap(), "mine");
    }

    #[test]
    fn eject_writes_the_theme_once() {
        let dir = tempfile::tempdir().unwrap();
        let written = eject_theme(dir.path()).unwrap();
        assert_eq!(written.files.len(), BUILT_IN_FILES.len());
        let base = std::fs::read(dir.path().join("themes/default/templates/base.html")).unwrap();
        assert_eq!(base, BUILT_IN_FILES.iter().find(|f| f.path == "templates/base.html").unwrap().bytes);
        std::fs::write(dir.path().join("themes/default/templates/base.html"), "changed").unwrap();
        let err = eject_theme(dir.path()).unwrap_err();
        assert!(err.0[0].message.contains("already exists"), "{}", err.0[0].message);
        assert_eq!(std::fs::read_to_string(dir.path().join("themes/default/templates/base.html")).unwrap(), "changed");
    }
}
