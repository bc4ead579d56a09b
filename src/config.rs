//! Site configuration: `site.toml` at the site root, read into a typed [`SiteConfig`].
//! Unknown keys are errors with their line and column, like front matter.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{line_col, Diagnostic, Result};

/// The file name of the site configuration, at the site root.
pub const CONFIG_FILE: &str = "site.toml";

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    /// The site's name, shown in the header and the feed.
    pub title: String,
    /// Where the site is published: `https://example.com/` or `https://example.com/blog/`.
    #[serde(default = "default_base_url")]
    pub base_url: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub author: String,
    /// `themes/<theme>/` supplies templates and static files.
    #[serde(default = "default_theme")]
    pub theme: String,
    #[serde(default = "default_language")]
    pub language: String,
    /// Posts per home page.
    #[serde(default = "default_paginate")]
    pub paginate: usize,
    #[serde(default)]
    pub markdown: MarkdownConfig,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MarkdownConfig {
    /// A syntect theme for light mode.
    #[serde(default = "default_light_theme")]
    pub highlight_theme: String,
    /// A syntect theme for `prefers-color-scheme: dark`.
    #[serde(default = "default_dark_theme")]
    pub highlight_theme_dark: String,
}

impl Default for MarkdownConfig {
    fn default() -> Self {
        MarkdownConfig { highlight_theme: default_light_theme(), highlight_theme_dark: default_dark_theme() }
    }
}

fn default_base_url() -> String {
    "/".into()
}
fn default_theme() -> String {
    "default".into()
}
fn default_language() -> String {
    "en".into()
}
fn default_paginate() -> usize {
    10
}
fn default_light_theme() -> String {
    "InspiredGitHub".into()
}
fn default_dark_theme() -> String {
    "base16-ocean.dark".into()
}

impl SiteConfig {
    /// Parses `text`, the content of `file` (used in diagnostics).
    pub fn parse(text: &str, file: &Path) -> Result<SiteConfig> {
        let mut config: SiteConfig = toml::from_str(text).map_err(|e| toml_diagnostic(&e, text, file, 0))?;
        if config.paginate == 0 {
            return Err(Diagnostic::file(file, "`paginate` must be at least 1").into());
        }
        if !config.base_url.ends_with('/') {
            config.base_url.push('/');
        }
        Ok(config)
    }

    /// Reads `site.toml` from the site root.
    pub fn load(root: &Path) -> Result<SiteConfig> {
        let path = root.join(CONFIG_FILE);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            Diagnostic::file(CONFIG_FILE, format!("cannot read the site configuration: {e}"))
                .with_help(format!("run gen in a site folder, one that holds {CONFIG_FILE}"))
        })?;
        Self::parse(&text, Path::new(CONFIG_FILE))
    }

    /// The path part of `base_url`, always starting and ending with `/`:
    /// `/` for `https://example.com/`, `/blog/` for `https://example.com/blog/`.
    pub fn base_path(&self) -> String {
        let url = self.base_url.as_str();
        let after_scheme = url.find("://").map(|i| &url[i + 3..]);
        let path = match after_scheme {
            Some(rest) => rest.find('/').map_or("/", |i| &rest[i..]),
            None => url,
        };
        let mut path = path.to_string();
        if !path.starts_with('/') {
            path.insert(0, '/');
        }
        if !path.ends_with('/') {
            path.push('/');
        }
        path
    }

    /// The scheme and host of `base_url` (`https://example.com`), or "" for a path-only base.
    pub fn origin(&self) -> String {
        let url = self.base_url.as_str();
        match url.find("://") {
            Some(i) => {
                let rest = &url[i + 3..];
                let host_end = rest.find('/').unwrap_or(rest.len());
                url[..i + 3 + host_end].to_string()
            }
            None => String::new(),
        }
    }

    /// The theme's folder under the site root.
    pub fn theme_dir(&self, root: &Path) -> PathBuf {
        root.join("themes").join(&self.theme)
    }
}

/// Turns a TOML error into a diagnostic; `line_offset` is the number of lines in `file`
/// before the start of `text` (for front matter, which starts after a `+++` line).
pub fn toml_diagnostic(e: &toml::de::Error, text: &str, file: &Path, line_offset: usize) -> Diagnostic {
    let (line, column) = e.span().map_or((1, 1), |s| line_col(text, s.start));
    let message = e.message().trim().to_string();
    let help = if message.contains("unknown field") {
        "remove the key or fix its spelling; the expected keys are listed above"
    } else if message.contains("invalid type") {
        "check the value's type: strings are quoted, dates are not (date = 2015-03-02), lists use [ ]"
    } else {
        "fix the TOML syntax at that position"
    };
    Diagnostic::new(file, line + line_offset, column, message).with_help(help)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_base_path() {
        let c = SiteConfig::parse("title = \"T\"\nbase_url = \"https://example.com/blog\"", Path::new("site.toml")).unwrap();
        assert_eq!(c.base_url, "https://example.com/blog/");
        assert_eq!(c.base_path(), "/blog/");
        assert_eq!(c.origin(), "https://example.com");
        assert_eq!(c.theme, "default");
        assert_eq!(c.paginate, 10);
        let root = SiteConfig::parse("title = \"T\"", Path::new("site.toml")).unwrap();
        assert_eq!(root.base_path(), "/");
        assert_eq!(root.origin(), "");
    }

    #[test]
    fn unknown_key_is_located() {
        let err = SiteConfig::parse("title = \"T\"\ntheem = \"x\"\n", Path::new("site.toml")).unwrap_err();
        let d = &err.0[0];
        assert_eq!((d.line, d.column), (2, 1));
        assert!(d.message.contains("unknown field `theem`"), "{}", d.message);
    }
}
