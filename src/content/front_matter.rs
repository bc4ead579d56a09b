//! Front matter: splitting a post into its header (TOML between `+++` lines, or YAML
//! between `---` lines) and Markdown body, and reading the header into a typed
//! [`FrontMatter`] with located errors.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::config::toml_diagnostic;
use crate::content::date::PostDate;
use crate::error::{Diagnostic, Result};

/// The keys a post may set, as the author wrote them in TOML.
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

/// The same keys written in YAML. YAML 1.2 has no date type: `date` is the text of a
/// date (`2015-03-02`, quoted or not), read as TOML reads its dates.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawYamlFrontMatter {
    title: Option<String>,
    date: Option<serde_saphyr::Spanned<String>>,
    #[serde(default)]
    categories: Vec<String>,
    #[serde(default)]
    tags: Vec<String>,
    series: Option<String>,
    series_part: Option<serde_saphyr::Spanned<i64>>,
    summary: Option<String>,
    #[serde(default)]
    draft: bool,
    slug: Option<serde_saphyr::Spanned<String>>,
    #[serde(default)]
    snippets: SnippetDefaults,
    #[serde(default)]
    aliases: Vec<serde_saphyr::Spanned<String>>,
}

/// A value with the file line and column where it is written.
#[derive(Debug, Clone)]
struct Placed<T> {
    value: T,
    line: usize,
    column: usize,
}

/// The keys of a post's front matter read from either syntax, before validation; each
/// value that can be wrong on its own keeps its place.
#[derive(Debug, Clone, Default)]
struct Fields {
    title: Option<String>,
    /// The date, or why the value is not one.
    date: Option<Placed<std::result::Result<PostDate, String>>>,
    categories: Vec<String>,
    tags: Vec<String>,
    series: Option<String>,
    series_part: Option<Placed<i64>>,
    summary: Option<String>,
    draft: bool,
    slug: Option<Placed<String>>,
    snippets: SnippetDefaults,
    aliases: Vec<Placed<String>>,
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
    /// Reads the top-level keys of `text` (valid front matter): in TOML the `key = ...`
    /// lines before the first table, in YAML the unindented `key: ...` lines.
    /// `first_line` is the file line of the text's first line.
    fn scan(text: &str, format: FrontMatterFormat, first_line: usize) -> KeyPlaces {
        let mut places = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let trimmed = match format {
                FrontMatterFormat::Toml => line.trim_start(),
                FrontMatterFormat::Yaml => line,
            };
            if format == FrontMatterFormat::Toml && trimmed.starts_with('[') {
                break;
            }
            let key_len =
                trimmed.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-')).unwrap_or(trimmed.len());
            let rest = &trimmed[key_len..];
            let is_key = match format {
                FrontMatterFormat::Toml => rest.trim_start().starts_with('='),
                FrontMatterFormat::Yaml => {
                    rest.strip_prefix(':').is_some_and(|r| r.is_empty() || r.starts_with([' ', '\t', '\r']))
                }
            };
            if key_len > 0 && is_key {
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

/// The syntax of a post's front matter, told by its fences.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrontMatterFormat {
    /// TOML between `+++` lines, gen's own.
    Toml,
    /// YAML between `---` lines, as Jekyll and Hugo posts have.
    Yaml,
}

impl FrontMatterFormat {
    /// The line that opens and closes the front matter.
    fn fence(self) -> &'static str {
        match self {
            FrontMatterFormat::Toml => "+++",
            FrontMatterFormat::Yaml => "---",
        }
    }
}

/// A post file split in two: the front-matter text and the Markdown body, with the
/// 1-based line on which each starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SplitPost<'a> {
    pub format: FrontMatterFormat,
    pub front_matter: &'a str,
    pub front_matter_line: usize,
    pub body: &'a str,
    pub body_line: usize,
}

/// Splits `text` at its `+++` (TOML) or `---` (YAML) fences. A leading BOM is skipped;
/// CRLF line ends work.
pub fn split_front_matter<'a>(text: &'a str, file: &Path) -> Result<SplitPost<'a>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first_line_end = text.find('\n').map_or(text.len(), |i| i + 1);
    if text.trim().is_empty() {
        return Err(Diagnostic::file(file, "the post is empty")
            .with_help("start it with front matter: a `+++` line, `title = \"...\"`, `date = 2024-01-31`, and a closing `+++` line")
            .into());
    }
    let format = match text[..first_line_end].trim_end() {
        "+++" => FrontMatterFormat::Toml,
        "---" => FrontMatterFormat::Yaml,
        _ => {
            return Err(Diagnostic::new(file, 1, 1, "the post does not start with front matter")
                .with_help(
                    "put a `+++` line first, then `title = \"...\"` and `date = 2024-01-31`, then a closing `+++` line (or the same in YAML between `---` lines)",
                )
                .into())
        }
    };
    let mut offset = first_line_end;
    let mut line = 2;
    while offset < text.len() {
        let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i + 1);
        if text[offset..end].trim_end() == format.fence() {
            return Ok(SplitPost {
                format,
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
        .with_help(format!("add a line with just `{}` after the last front-matter key", format.fence()))
        .into())
}

/// The front matter keys, for the help of an unknown-key error.
const KEYS_HELP: &str = "front matter keys are: title, date, categories, tags, series, series_part, summary, draft, slug, aliases, [snippets]; fix the spelling or remove the key";

/// Parses and validates the front matter (TOML or YAML) of `file`.
pub fn parse_front_matter(split: &SplitPost<'_>, file: &Path) -> Result<FrontMatter> {
    let text = split.front_matter;
    let offset = split.front_matter_line - 1;
    let fields = match split.format {
        FrontMatterFormat::Toml => read_toml(text, file, offset)?,
        FrontMatterFormat::Yaml => read_yaml(text, file, offset)?,
    };
    let title = match fields.title {
        Some(t) if !t.trim().is_empty() => t,
        _ => {
            return Err(Diagnostic::new(file, 1, 1, "the post has no `title`")
                .with_help(match split.format {
                    FrontMatterFormat::Toml => "add `title = \"...\"` to the front matter",
                    FrontMatterFormat::Yaml => "add `title: \"...\"` to the front matter",
                })
                .into())
        }
    };
    let date = match fields.date {
        None => {
            return Err(Diagnostic::new(file, 1, 1, "the post has no `date`")
                .with_help(match split.format {
                    FrontMatterFormat::Toml => {
                        "add `date = 2024-01-31` (a TOML date, without quotes) to the front matter"
                    }
                    FrontMatterFormat::Yaml => "add `date: 2024-01-31` to the front matter",
                })
                .into())
        }
        Some(Placed { value, line, column }) => value.map_err(|why| {
            Diagnostic::new(file, line, column, format!("invalid `date`: {why}")).with_help(match split.format {
                FrontMatterFormat::Toml => {
                    "write a TOML date without quotes, such as `date = 2015-03-02` or `date = 2015-03-02T10:00:00Z`"
                }
                FrontMatterFormat::Yaml => "write a date such as `date: 2015-03-02` or `date: 2015-03-02T10:00:00Z`",
            })
        })?,
    };
    let series_part = match fields.series_part {
        None => None,
        Some(Placed { value, line, column }) => {
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
            if fields.series.is_none() {
                return Err(Diagnostic::new(file, line, column, "`series_part` is set but `series` is not")
                    .with_help("add `series` or remove `series_part`")
                    .into());
            }
            Some(value as u32)
        }
    };
    let slug = match fields.slug {
        None => None,
        Some(Placed { value, line, column }) => {
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
    let mut aliases = Vec::with_capacity(fields.aliases.len());
    for Placed { value: alias, line, column } in fields.aliases {
        let path = alias_path(&alias).map_err(|why| {
            Diagnostic::new(file, line, column, format!("the alias \"{alias}\" {why}")).with_help(
                "write the old URL's path from the site's root, e.g. aliases = [\"/2015/03/02/docker-cheat-sheet/\"]",
            )
        })?;
        if aliases.contains(&path) {
            return Err(Diagnostic::new(file, line, column, format!("the alias \"{alias}\" is listed twice"))
                .with_help("remove one of them")
                .into());
        }
        aliases.push(path);
    }
    let mut snippets = fields.snippets;
    if snippets.requires.is_some() {
        snippets.requires_line = text
            .lines()
            .position(|l| l.trim_start().starts_with("requires"))
            .map_or(split.front_matter_line, |i| i + 1 + offset);
    }
    Ok(FrontMatter {
        title,
        date,
        categories: fields.categories,
        tags: fields.tags,
        series: fields.series,
        series_part,
        summary: fields.summary,
        draft: fields.draft,
        slug,
        snippets,
        aliases,
        places: KeyPlaces::scan(text, split.format, split.front_matter_line),
    })
}

/// Reads TOML front matter; `offset` is the number of file lines before `text`.
fn read_toml(text: &str, file: &Path, offset: usize) -> Result<Fields> {
    let raw: RawFrontMatter = toml::from_str(text).map_err(|e| {
        let mut d = toml_diagnostic(&e, text, file, offset);
        if d.message.contains("unknown field") {
            d.help = Some(KEYS_HELP.into());
        }
        d
    })?;
    fn place<T>(spanned: toml::Spanned<T>, text: &str, offset: usize) -> Placed<T> {
        let (line, column) = crate::error::line_col(text, spanned.span().start);
        Placed { value: spanned.into_inner(), line: line + offset, column }
    }
    Ok(Fields {
        title: raw.title,
        date: raw.date.map(|d| {
            let Placed { value, line, column } = place(d, text, offset);
            Placed { value: PostDate::from_toml(&value), line, column }
        }),
        categories: raw.categories,
        tags: raw.tags,
        series: raw.series,
        series_part: raw.series_part.map(|p| place(p, text, offset)),
        summary: raw.summary,
        draft: raw.draft,
        slug: raw.slug.map(|s| place(s, text, offset)),
        snippets: raw.snippets,
        aliases: raw.aliases.into_iter().map(|a| place(a, text, offset)).collect(),
    })
}

/// Reads YAML front matter; `offset` is the number of file lines before `text`.
fn read_yaml(text: &str, file: &Path, offset: usize) -> Result<Fields> {
    // An empty header (or one of comments only) sets no key, as in TOML.
    let raw: Option<RawYamlFrontMatter> =
        serde_saphyr::from_str(text).map_err(|e| yaml_diagnostic(&e, file, offset))?;
    let Some(raw) = raw else { return Ok(Fields::default()) };
    fn place<T>(spanned: serde_saphyr::Spanned<T>, offset: usize) -> Placed<T> {
        let at = spanned.referenced;
        Placed { value: spanned.value, line: at.line() as usize + offset, column: at.column() as usize }
    }
    Ok(Fields {
        title: raw.title,
        date: raw.date.map(|d| {
            let Placed { value, line, column } = place(d, offset);
            Placed { value: yaml_date(&value), line, column }
        }),
        categories: raw.categories,
        tags: raw.tags,
        series: raw.series,
        series_part: raw.series_part.map(|p| place(p, offset)),
        summary: raw.summary,
        draft: raw.draft,
        slug: raw.slug.map(|s| place(s, offset)),
        snippets: raw.snippets,
        aliases: raw.aliases.into_iter().map(|a| place(a, offset)).collect(),
    })
}

/// A YAML date's text read as TOML reads a date: `2015-03-02`, `2015-03-02T10:00:00Z`,
/// `2015-03-02 10:00:00+01:00`.
fn yaml_date(text: &str) -> std::result::Result<PostDate, String> {
    let datetime: toml::value::Datetime =
        text.trim().parse().map_err(|_| format!("\"{text}\" is not a date such as 2015-03-02"))?;
    PostDate::from_toml(&toml::Value::Datetime(datetime))
}

/// A located diagnostic for a YAML error; `offset` is the number of file lines before
/// the YAML text.
fn yaml_diagnostic(e: &serde_saphyr::Error, file: &Path, offset: usize) -> Diagnostic {
    let (line, column) = e.location().map_or((1, 1), |at| (at.line() as usize, at.column() as usize));
    let message = yaml_message(e);
    let help = if message.contains("unknown field") {
        KEYS_HELP
    } else if message.contains("is set twice") {
        "remove one of them"
    } else if message.starts_with("invalid") {
        "check the value's type: lists are `[a, b]` or `- a` lines, `draft` is true or false, `series_part` a number"
    } else {
        "fix the YAML syntax at that position"
    };
    Diagnostic::new(file, line.max(1) + offset, column.max(1), message).with_help(help)
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

/// The message of a YAML error, without the position the crate appends to it (the
/// diagnostic shows the file's own line).
fn yaml_message(e: &serde_saphyr::Error) -> String {
    let message = e.without_snippet().to_string();
    let message = match e.location() {
        Some(at) => {
            let suffix = format!(" at line {}, column {}", at.line(), at.column());
            message.strip_suffix(&suffix).map_or(message.clone(), str::to_string)
        }
        None => message,
    };
    match message.strip_prefix("duplicate mapping key: ") {
        Some(rest) => {
            let key = rest.split(',').next().unwrap_or(rest);
            format!("the key `{key}` is set twice")
        }
        None => message,
    }
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

    /// One post's header in TOML, and the same in YAML on the same lines.
    const TOML_POST: &str = "+++\ntitle = \"Docker: a cheat sheet\"\ndate = 2015-03-02T10:00:00Z\ncategories = [\"Docker\"]\ntags = [\"docker\", \"cli\"]\nseries = \"Containers\"\nseries_part = 2\nsummary = \"Commands.\"\ndraft = true\nslug = \"docker\"\naliases = [\"/2015/03/02/docker/\"]\n[snippets]\nrequires = \"docker 1.3+\"\n+++\nBody\n";
    const YAML_POST: &str = "---\ntitle: \"Docker: a cheat sheet\"\ndate: 2015-03-02T10:00:00Z\ncategories: [Docker]\ntags:\n- docker\n- cli\nseries: Containers\nseries_part: 2\nsummary: Commands.\ndraft: true\nslug: docker\naliases: [/2015/03/02/docker/]\nsnippets:\n  requires: docker 1.3+\n---\nBody\n";

    #[test]
    fn yaml_front_matter_reads_as_its_toml_twin() {
        let toml = parse(TOML_POST).unwrap();
        let yaml = parse(YAML_POST).unwrap();
        assert_eq!(yaml.title, toml.title);
        assert_eq!(yaml.date, toml.date);
        assert_eq!(yaml.date.rfc3339(), "2015-03-02T10:00:00Z");
        assert_eq!((yaml.categories.clone(), yaml.tags.clone()), (toml.categories.clone(), toml.tags.clone()));
        assert_eq!((yaml.series_part, yaml.draft, yaml.slug.as_deref()), (Some(2), true, Some("docker")));
        assert_eq!(yaml.aliases, toml.aliases);
        assert_eq!(yaml.snippets.requires, toml.snippets.requires);
        assert_eq!(yaml.snippets.requires_line, 15);
        assert_eq!(yaml.places.of("slug"), (12, 1));
        assert_eq!(yaml.places.of("requires"), (0, 0));
        let split = split_front_matter(YAML_POST, Path::new("p.md")).unwrap();
        assert_eq!((split.format, split.body, split.body_line), (FrontMatterFormat::Yaml, "Body\n", 17));
    }

    #[test]
    fn yaml_dates_may_be_quoted_and_bad_ones_are_located() {
        for date in ["2015-03-02", "\"2015-03-02\"", "'2015-03-02'"] {
            let fm = parse(&format!("---\ntitle: A\ndate: {date}\n---\n")).unwrap();
            assert_eq!(fm.date.to_string(), "2015-03-02", "{date}");
        }
        let fm = parse("---\ntitle: A\ndate: 2015-03-02 10:00:00+01:00\n---\n").unwrap();
        assert_eq!(fm.date.rfc3339(), "2015-03-02T09:00:00Z");
        let d = &parse("---\ntitle: A\ndate: 2015-03-02 10:00:00 +0100\n---\n").unwrap_err().0[0];
        assert!(d.message.contains("is not a date"), "{}", d.message);
        let d = &parse("---\ntitle: A\ndate: March 2nd\n---\n").unwrap_err().0[0];
        assert_eq!((d.line, d.column), (3, 7));
        assert!(d.message.contains("invalid `date`"), "{}", d.message);
        assert!(d.help.as_deref().unwrap().contains("date: 2015-03-02"), "{d}");
        assert!(parse("---\ntitle: A\n---\n").unwrap_err().0[0].message.contains("no `date`"));
        assert!(parse("---\n---\n").unwrap_err().0[0].message.contains("no `title`"));
    }

    #[test]
    fn unknown_yaml_key_is_located_with_the_keys_in_help() {
        let d = &parse("---\ntitle: A\ndate: 2015-03-02\ntagz: []\n---\n").unwrap_err().0[0];
        assert_eq!((d.line, d.column), (4, 1));
        assert!(d.message.starts_with("unknown field `tagz`"), "{}", d.message);
        assert!(!d.message.contains("at line"), "{}", d.message);
        assert!(d.help.as_deref().unwrap().starts_with("front matter keys are: title, date"), "{d}");
    }

    #[test]
    fn malformed_yaml_is_located() {
        let d = &parse("---\ntitle: A\ndate: 2015-03-02\ntags: [a, b\n---\nBody\n").unwrap_err().0[0];
        assert_eq!((d.line, d.column, d.message.as_str()), (4, 7, "unclosed bracket '['"), "{d}");
        assert!(d.help.as_deref().unwrap().contains("YAML syntax"), "{d}");
        let d = &parse("---\ntitle: A\ndate: 2015-03-02\ndraft: maybe\n---\n").unwrap_err().0[0];
        assert_eq!((d.line, d.column), (4, 8), "{d}");
        let d = &parse("---\ntitle: A\ntitle: B\n---\n").unwrap_err().0[0];
        assert_eq!((d.line, d.message.as_str()), (3, "the key `title` is set twice"));
        let d = &parse("---\n- a\n---\n").unwrap_err().0[0];
        assert_eq!((d.line, d.column), (2, 1), "{d}");
        let d = &parse("---\ntitle: A\n").unwrap_err().0[0];
        assert!(d.message.contains("never closed") && d.help.as_deref().unwrap().contains("`---`"), "{d}");
    }

    #[test]
    fn yaml_values_are_checked_like_toml_ones() {
        let d = &parse("---\ntitle: A\ndate: 2015-03-02\nslug: \"\"\n---\n").unwrap_err().0[0];
        assert_eq!((d.line, d.column, d.message.as_str()), (4, 7, "`slug` is empty"));
        let d = &parse("---\ntitle: A\ndate: 2015-03-02\nseries: S\nseries_part: 0\n---\n").unwrap_err().0[0];
        assert_eq!((d.line, d.column), (5, 14), "{d}");
        let d = &parse("---\ntitle: A\ndate: 2015-03-02\naliases:\n- /a/\n- b/\n---\n").unwrap_err().0[0];
        assert_eq!((d.line, d.column), (6, 3), "{d}");
    }
}
