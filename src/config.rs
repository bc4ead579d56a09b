//! Site configuration: `site.toml` at the site root, read into a typed [`SiteConfig`].
//! Unknown keys are errors with their line and column, like front matter.

use std::collections::BTreeMap;
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
    /// `[snippets]`: which code blocks are snippets (docs/snippets.md).
    #[serde(default)]
    pub snippets: SnippetsConfig,
    /// `[tools.NAME]`: how `gen test` may use the installed tools (docs/testing.md).
    #[serde(default)]
    pub tools: BTreeMap<String, ToolConfig>,
    /// `[engine]`: the private docker engine of `gen test --engine docker` (docs/testing.md).
    #[serde(default, skip_serializing_if = "EngineConfig::is_unset")]
    pub engine: EngineConfig,
}

/// `[engine]`: whether docker snippets run against a private engine by default, and
/// the images posts name, each mapped to an image gen makes locally (never pulled).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EngineConfig {
    /// `"docker"`: `gen test` runs docker snippets against a private engine without
    /// `--engine`.
    pub default: Option<String>,
    /// `[engine.images]`: image name in posts → local image (`busybox`).
    #[serde(default)]
    pub images: BTreeMap<String, String>,
}

impl EngineConfig {
    pub fn is_unset(&self) -> bool {
        self.default.is_none() && self.images.is_empty()
    }
}

/// `[tools.NAME]`: what `gen test` may do with one installed tool. For a snippet tool
/// such as docker: whether and how its client checks arguments, and how to ask its
/// version. For `[tools.shellcheck]`: which codes to leave out and the least severity.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ToolConfig {
    /// Let the tool's own client judge the arguments of each of its simple commands.
    #[serde(default)]
    pub check_args: bool,
    /// Environment for argument checks, on top of a clean one (PATH, HOME, LANG);
    /// `{scratch}` in a value is the scratch folder (`DOCKER_CONFIG = "{scratch}/.docker"`).
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// Output (stderr or stdout) that means the client accepted the arguments.
    #[serde(default)]
    pub accepted: Vec<String>,
    /// Output that means the client rejected them; anything else is inconclusive.
    #[serde(default)]
    pub rejected: Vec<String>,
    /// The clients that check arguments, each a path or a name on PATH
    /// (`["/usr/local/bin/docker", "/usr/bin/docker"]`): each judges every command, and a
    /// result says which versions accepted it. Empty: the tool found on PATH.
    #[serde(default)]
    pub clients: Vec<String>,
    /// The command that prints the tool's version; `["NAME", "--version"]` when absent.
    pub version: Option<Vec<String>>,
    /// Seconds an argument check or version probe may take (default 5).
    pub timeout: Option<u64>,
    /// `[tools.shellcheck]` only: codes never reported on this site (`["SC2046"]`).
    #[serde(default)]
    pub exclude: Vec<String>,
    /// `[tools.shellcheck]` only: the least severity that fails a snippet: error,
    /// warning (the default), info or style (`fail` says it more precisely).
    pub severity: Option<String>,
    /// `[tools.shellcheck]` only: the severities that fail a snippet (default: those at
    /// or above `severity`, so `["error", "warning"]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail: Option<Vec<String>>,
    /// `[tools.shellcheck]` only: the severities reported as warnings, which do not fail
    /// a snippet (default none: the others are not reported).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warn: Vec<String>,
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

/// `[snippets]`: which code blocks are snippets.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SnippetsConfig {
    /// Read a code block with no language as a console snippet when it is written as a
    /// session (prompts and their output). On by default.
    #[serde(default = "default_true")]
    pub detect_unlabelled: bool,
}

impl Default for SnippetsConfig {
    fn default() -> Self {
        SnippetsConfig { detect_unlabelled: true }
    }
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
fn default_true() -> bool {
    true
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
        for (name, tool) in &config.tools {
            tool.validate().map_err(|message| Diagnostic::file(file, format!("[tools.{name}]: {message}")))?;
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

impl ToolConfig {
    fn validate(&self) -> Result<(), String> {
        if self.version.as_ref().is_some_and(Vec::is_empty) {
            return Err("`version` must name a command, e.g. [\"docker\", \"--version\"]".into());
        }
        let levels = ["error", "warning", "info", "style"];
        let named = self.severity.iter().map(|s| ("severity", s));
        let listed = self.fail.iter().flatten().map(|s| ("fail", s)).chain(self.warn.iter().map(|s| ("warn", s)));
        for (key, severity) in named.chain(listed) {
            if !levels.contains(&severity.as_str()) {
                return Err(format!("`{key}` has \"{severity}\"; use error, warning, info or style"));
            }
        }
        if let Some(both) = self.warn.iter().find(|w| self.fail.iter().flatten().any(|f| f == *w)) {
            return Err(format!("\"{both}\" is in both `fail` and `warn`; a severity either fails or warns"));
        }
        if self.timeout == Some(0) {
            return Err("`timeout` must be at least 1 (seconds)".into());
        }
        Ok(())
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
        let c = SiteConfig::parse("title = \"T\"\nbase_url = \"https://example.com/blog\"", Path::new("site.toml"))
            .unwrap();
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
    fn tools_table() {
        let text = r#"title = "T"
[tools.docker]
check_args = true
env = { DOCKER_HOST = "unix:///nonexistent/docker.sock" }
accepted = ["Cannot connect to the Docker daemon"]
version = ["docker", "--version"]
[tools.shellcheck]
exclude = ["SC2046"]
"#;
        let c = SiteConfig::parse(text, Path::new("site.toml")).unwrap();
        let docker = &c.tools["docker"];
        assert!(docker.check_args);
        assert_eq!(docker.env["DOCKER_HOST"], "unix:///nonexistent/docker.sock");
        assert_eq!(docker.version.as_deref(), Some(&["docker".to_string(), "--version".to_string()][..]));
        assert_eq!(c.tools["shellcheck"].exclude, ["SC2046"]);
        let err =
            SiteConfig::parse("title = \"T\"\n[tools.docker]\ncheck_arg = true\n", Path::new("site.toml")).unwrap_err();
        assert_eq!((err.0[0].line, err.0[0].column), (3, 1));
        let err = SiteConfig::parse("title = \"T\"\n[tools.shellcheck]\nseverity = \"loud\"\n", Path::new("site.toml"))
            .unwrap_err();
        assert!(err.0[0].message.contains("use error, warning, info or style"), "{}", err.0[0].message);
        let both = "title = \"T\"\n[tools.shellcheck]\nfail = [\"error\", \"warning\"]\nwarn = [\"warning\"]\n";
        let err = SiteConfig::parse(both, Path::new("site.toml")).unwrap_err();
        assert!(err.0[0].message.contains("in both `fail` and `warn`"), "{}", err.0[0].message);
    }

    #[test]
    fn unknown_key_is_located() {
        let err = SiteConfig::parse("title = \"T\"\ntheem = \"x\"\n", Path::new("site.toml")).unwrap_err();
        let d = &err.0[0];
        assert_eq!((d.line, d.column), (2, 1));
        assert!(d.message.contains("unknown field `theem`"), "{}", d.message);
    }
}
