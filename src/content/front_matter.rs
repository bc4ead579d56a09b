//! Front matter: splitting a post into its TOML header and Markdown body, and reading the
//! header into a typed [`FrontMatter`] with located errors.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::config::toml_diagnostic;
use crate::content::date::PostDate;
use crate::error::{Diagnostic, Result};

/// The keys a post may set, as the author wrote them.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFrontMatter {
    title: Option<String>,
    date: Option<toml::Spanned<toml::Value>>,
    #[serde(default)]
    categories: Vec<String>,
    #[serde(default)]
    tags: Vec<String>,
    series: Option<String>,
    series_part: Option<toml::Spanned<i64>>,
    summary: Option<String>,
    #[serde(default)]
    draft: bool,
    slug: Option<toml::Spanned<String>>,
    #[serde(default)]
    snippets: SnippetDefaults,
    #[serde(default)]
    aliases: Vec<toml::Spanned<String>>,
}

/// `[snippets]` in front matter: defaults for every snippet of the post.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SnippetDefaults {
    /// A requirement list such as `docker 1.3+`, applied to every snippet of the post.
    pub requires: Option<String>,
    /// The line in the post file where `requires` is set (0 when absent).
    #[serde(skip)]
    pub requires_line: usize,
}

/// A post's validated front matter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrontMatter {
    pub title: String,
    pub date: PostDate,
    pub categories: Vec<String>,
    pub tags: Vec<String>,
    pub series: Option<String>,
    pub series_part: Option<u32>,
    pub summary: Option<String>,
    pub draft: bool,
    pub slug: Option<String>,
    pub snippets: SnippetDefaults,
    /// Old URLs of the post, each a site path where a redirect page is written:
    /// `2015/03/02/docker-cheat-sheet/` (folder) or `old/page.html` (file), without
    /// the leading `/` the author wrote.
    pub aliases: Vec<String>,
    /// Where each key is written, for errors found later (a slug or series part that
    /// another post has too).
    pub places: KeyPlaces,
}

/// The line and column of each top-level key of a post's front matter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyPlaces(Vec<(String, usize, usize)>);

impl KeyPlaces {
    /// Reads the `key = ...` lines of `toml_text` (valid TOML) before its first table;
    /// `first_line` is the file line of the text's first line.
    fn scan(toml_text: &str, first_line: usize) -> KeyPlaces {
        let mut places = Vec::new();
        for (i, line) in toml_text.lines().enumerate() {
            let trimmed = line.trim_start();
            if trimmed.starts_with('[') {
                break;
            }
            let key_len =
                trimmed.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-')).unwrap_or(trimmed.len());
            if key_len > 0 && trimmed[key_len..].trim_start().starts_with('=') {
                places.push((trimmed[..key_len].to_string(), first_line + i, line.len() - trimmed.len() + 1));
            }
        }
        KeyPlaces(places)
    }

    /// `(line, column)` of `key`, or `(0, 0)` (the whole file) when the post does not set it.
    pub fn of(&self, key: &str) -> (usize, usize) {
        self.0.iter().find(|(k, _, _)| k == key).map_or((0, 0), |&(_, l, c)| (l, c))
    }
}

/// A post file split in two: the TOML text and the Markdown body, with the 1-based line
/// on which each starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SplitPost<'a> {
    pub front_matter: &'a str,
    pub front_matter_line: usize,
    pub body: &'a str,
    pub body_line: usize,
}

/// Splits `text` at its `+++` fences. A leading BOM is skipped; CRLF line ends work.
pub fn split_front_matter<'a>(text: &'a str, file: &Path) -> Result<SplitPost<'a>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first_line_end = text.find('\n').map_or(text.len(), |i| i + 1);
    if text.trim().is_empty() {
        return Err(Diagnostic::file(file, "the post is empty")
            .with_help("start it with front matter: a `+++` line, `title = \"...\"`, `date = 2024-01-31`, and a closing `+++` line")
            .into());
    }
    if text[..first_line_end].trim_end() != "+++" {
        return Err(Diagnostic::new(file, 1, 1, "the post does not start with front matter")
            .with_help(
                "put a `+++` line first, then `title = \"...\"` and `date = 2024-01-31`, then a closing `+++` line",
            )
            .into());
    }
    let mut offset = first_line_end;
    let mut line = 2;
    while offset < text.len() {
        let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i + 1);
        if text[offset..end].trim_end() == "+++" {
            return Ok(SplitPost {
                front_matter: &text[first_line_end..offset],
                front_matter_line: 2,
                body: &text[end..],
                body_line: line + 1,
            });
        }
        offset = end;
        line += 1;
    }
    Err(Diagnostic::new(file, 1, 1, "the front matter opened here is never closed")
        .with_help("add a line with just `+++` after the last front-matter key")
        .into())
}

/// Parses and validates the TOML front matter of `file`.
pub fn parse_front_matter(split: &SplitPost<'_>, file: &Path) -> Result<FrontMatter> {
    let toml_text = split.front_matter;
    let offset = split.front_matter_line - 1;
    let raw: RawFrontMatter = toml::from_str(toml_text).map_err(|e| {
        let mut d = toml_diagnostic(&e, toml_text, file, offset);
        if d.message.contains("unknown field") {
            d.help = Some(
                "front matter keys are: title, date, categories, tags, series, series_part, summary, draft, slug, aliases, [snippets]; fix the spelling or remove the key"
                    .into(),
            );
        }
        d
    })?;
    let at = |span: std::ops::Range<usize>| {
        let (l, c) = crate::error::line_col(toml_text, span.start);
        (l + offset, c)
    };
    let title = match raw.title {
        Some(t) if !t.trim().is_empty() => t,
        _ => {
            return Err(Diagnostic::new(file, 1, 1, "the post has no `title`")
                .with_help("add `title = \"...\"` to the front matter")
                .into())
        }
    };
    let date = match raw.date {
        None => {
            return Err(Diagnostic::new(file, 1, 1, "the post has no `date`")
                .with_help("add `date = 2024-01-31` (a TOML date, without quotes) to the front matter")
                .into())
        }
        Some(spanned) => {
            let (line, column) = at(spanned.span());
            PostDate::from_toml(spanned.get_ref()).map_err(|why| {
                Diagnostic::new(file, line, column, format!("invalid `date`: {why}")).with_help(
                    "write a TOML date without quotes, such as `date = 2015-03-02` or `date = 2015-03-02T10:00:00Z`",
                )
            })?
        }
    };
    let series_part = match raw.series_part {
        None => None,
        Some(p) => {
            let (line, column) = at(p.span());
            let value = *p.get_ref();
            if value < 1 || value > u32::MAX as i64 {
                return Err(Diagnostic::new(
                    file,
                    line,
                    column,
                    format!("`series_part` must be a positive whole number, not {value}"),
                )
                .with_help("number the parts of a series from 1")
                .into());
            }
            if raw.series.is_none() {
                return Err(Diagnostic::new(file, line, column, "`series_part` is set but `series` is not")
                    .with_help("add `series = \"...\"` or remove `series_part`")
                    .into());
            }
            Some(value as u32)
        }
    };
    let slug = match raw.slug {
        None => None,
        Some(s) => {
            let (line, column) = at(s.span());
            let value = s.into_inner();
            if value.is_empty() {
                return Err(Diagnostic::new(file, line, column, "`slug` is empty")
                    .with_help(
                        "set a slug of lower-case letters, digits and dashes, or remove the key to use the file name",
                    )
                    .into());
            }
            if crate::content::slugify(&value) != value {
                return Err(Diagnostic::new(file, line, column, format!("`slug` \"{value}\" is not a valid slug"))
                    .with_help(format!(
                        "use lower-case letters, digits and dashes, e.g. \"{}\"",
                        crate::content::slugify(&value)
                    ))
                    .into());
            }
            Some(value)
        }
    };
    let mut aliases = Vec::with_capacity(raw.aliases.len());
    for alias in raw.aliases {
        let (line, column) = at(alias.span());
        let path = alias_path(alias.get_ref()).map_err(|why| {
            Diagnostic::new(file, line, column, format!("the alias \"{}\" {why}", alias.get_ref())).with_help(
                "write the old URL's path from the site's root, e.g. aliases = [\"/2015/03/02/docker-cheat-sheet/\"]",
            )
        })?;
        if aliases.contains(&path) {
            return Err(Diagnostic::new(
                file,
                line,
                column,
                format!("the alias \"{}\" is listed twice", alias.get_ref()),
            )
            .with_help("remove one of them")
            .into());
        }
        aliases.push(path);
    }
    let mut snippets = raw.snippets;
    if snippets.requires.is_some() {
        snippets.requires_line = toml_text
            .lines()
            .position(|l| l.trim_start().starts_with("requires"))
            .map_or(split.front_matter_line, |i| i + 1 + offset);
    }
    Ok(FrontMatter {
        title,
        date,
        categories: raw.categories,
        tags: raw.tags,
        series: raw.series,
        series_part,
        summary: raw.summary,
        draft: raw.draft,
        slug,
        snippets,
        aliases,
        places: KeyPlaces::scan(toml_text, split.front_matter_line),
    })
}

/// The site path of an alias as written in front matter (`/2015/03/02/x/`): without its
/// leading `/`; a path whose last part does not end in `.html` or `.htm` is a folder
/// (`/old` is `old/`). Refuses what cannot be a page of the site.
fn alias_path(alias: &str) -> std::result::Result<String, &'static str> {
    let Some(path) = alias.strip_prefix('/') else { return Err("must start with `/` (a path from the site's root)") };
    if path.is_empty() {
        return Err("is the home page");
    }
    if path.contains(['?', '#', '\\']) || path.chars().any(char::is_whitespace) {
        return Err("must be a plain path (no `?`, `#`, `\\` or spaces)");
    }
    let folder = path.strip_suffix('/').unwrap_or(path);
    if folder.split('/').any(|part| part.is_empty() || part == "." || part == "..") {
        return Err("has an empty, `.` or `..` part");
    }
    let is_file = !path.ends_with('/') && (path.ends_with(".html") || path.ends_with(".htm"));
    Ok(if is_file { path.to_string() } else { format!("{folder}/") })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<FrontMatter> {
        let file = Path::new("p.md");
        let split = split_front_matter(text, file)?;
        parse_front_matter(&split, file)
    }

    #[test]
    fn splits_and_reports_body_line() {
        let s = split_front_matter("+++\ntitle = \"A\"\n+++\nBody\n", Path::new("p.md")).unwrap();
        assert_eq!(s.front_matter, "title = \"A\"\n");
        assert_eq!(s.body, "Body\n");
        assert_eq!(s.body_line, 4);
    }

    #[test]
    fn crlf_and_bom_work() {
        let fm = parse("\u{feff}+++\r\ntitle = \"A\"\r\ndate = 2015-03-02\r\n+++\r\nBody\r\n").unwrap();
        assert_eq!(fm.title, "A");
        assert_eq!(fm.date.to_string(), "2015-03-02");
    }

    #[test]
    fn unknown_key_names_line_and_key() {
        let err = parse("+++\ntitle = \"A\"\ndate = 2015-03-02\ntagz = []\n+++\n").unwrap_err();
        let d = &err.0[0];
        assert_eq!((d.line, d.column), (4, 1));
        assert!(d.message.contains("tagz"), "{}", d.message);
    }

    #[test]
    fn missing_title_and_date_are_errors() {
        assert!(parse("+++\ndate = 2015-03-02\n+++\n").unwrap_err().0[0].message.contains("no `title`"));
        assert!(parse("+++\ntitle = \"A\"\n+++\n").unwrap_err().0[0].message.contains("no `date`"));
    }

    #[test]
    fn quoted_date_is_rejected_at_its_position() {
        let err = parse("+++\ntitle = \"A\"\ndate = \"2015-03-02\"\n+++\n").unwrap_err();
        let d = &err.0[0];
        assert_eq!((d.line, d.column), (3, 8));
        assert!(d.message.contains("invalid `date`"), "{}", d.message);
    }

    #[test]
    fn unclosed_and_missing_front_matter() {
        assert!(parse("+++\ntitle = \"A\"\n").unwrap_err().0[0].message.contains("never closed"));
        assert!(parse("# Hello\n").unwrap_err().0[0].message.contains("does not start"));
        assert!(parse("").unwrap_err().0[0].message.contains("empty"));
    }

    #[test]
    fn key_places_are_recorded_and_an_empty_slug_is_located() {
        let fm = parse("+++\ntitle = \"A\"\ndate = 2015-03-02\n  slug = \"a\"\n[snippets]\nrequires = \"x\"\n+++\n")
            .unwrap();
        assert_eq!(fm.places.of("title"), (2, 1));
        assert_eq!(fm.places.of("slug"), (4, 3));
        assert_eq!(fm.places.of("requires"), (0, 0));
        let err = parse("+++\ntitle = \"A\"\ndate = 2015-03-02\nslug = \"\"\n+++\n").unwrap_err();
        let d = &err.0[0];
        assert_eq!((d.line, d.column, d.message.as_str()), (4, 8, "`slug` is empty"));
    }

    #[test]
    fn aliases_are_site_paths_and_bad_ones_are_located() {
        let fm = parse(
            "+++\ntitle = \"A\"\ndate = 2015-03-02\naliases = [\"/2015/03/02/a/\", \"/old\", \"/a.html\"]\n+++\n",
        )
        .unwrap();
        assert_eq!(fm.aliases, ["2015/03/02/a/", "old/", "a.html"]);
        assert_eq!(fm.places.of("aliases"), (4, 1));
        for (bad, why) in [
            ("2015/a/", "must start with `/`"),
            ("/", "is the home page"),
            ("/a/../b/", "`..` part"),
            ("/a//b/", "empty"),
            ("/a?p=1", "plain path"),
        ] {
            let text = format!("+++\ntitle = \"A\"\ndate = 2015-03-02\naliases = [\"/ok/\", \"{bad}\"]\n+++\n");
            let d = &parse(&text).unwrap_err().0[0];
            assert_eq!((d.line, d.column), (4, 20), "{bad}");
            assert!(d.message.contains(why), "{bad}: {}", d.message);
        }
        let twice = parse("+++\ntitle = \"A\"\ndate = 2015-03-02\naliases = [\"/a/\", \"/a\"]\n+++\n").unwrap_err();
        assert!(twice.0[0].message.contains("listed twice"), "{}", twice.0[0].message);
    }

    #[test]
    fn snippet_defaults_are_read() {
        let fm = parse("+++\ntitle = \"A\"\ndate = 2015-03-02\n[snippets]\nrequires = \"docker 1.3+\"\n+++\n").unwrap();
        assert_eq!(fm.snippets.requires.as_deref(), Some("docker 1.3+"));
        assert_eq!(fm.snippets.requires_line, 5);
    }
}
