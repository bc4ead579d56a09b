//! The typed, serializable data each template receives. Templates see exactly these
//! fields; nothing is assembled as an untyped map.

use serde::Serialize;

use crate::config::SiteConfig;
use crate::content::date::DateContext;
use crate::content::slugify;
use crate::markdown::{reading_minutes, Heading};
use crate::site::{home_page_path, PageOf, Post, Urls};
use crate::snippets::{Entry, SnippetIndex};

/// Site-wide values, on every page as `site`.
#[derive(Debug, Clone, Serialize)]
pub struct SiteContext {
    pub title: String,
    pub description: String,
    pub author: String,
    pub language: String,
    /// `https://example.com/blog/`
    pub base_url: String,
    /// `/blog/`: prefix of every site URL; asset links use it.
    pub base_path: String,
    pub generator: &'static str,
}

impl SiteContext {
    pub fn new(config: &SiteConfig, urls: &Urls) -> Self {
        SiteContext {
            title: config.title.clone(),
            description: config.description.clone(),
            author: config.author.clone(),
            language: config.language.clone(),
            base_url: config.base_url.clone(),
            base_path: urls.base_path.clone(),
            generator: concat!("gen ", env!("CARGO_PKG_VERSION")),
        }
    }
}

/// A link to a category, tag or series.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TermLink {
    pub name: String,
    pub slug: String,
    pub url: String,
}

/// The light form of a post used by every list page: no body.
#[derive(Debug, Clone, Serialize)]
pub struct PostSummary {
    pub title: String,
    pub slug: String,
    pub url: String,
    pub permalink: String,
    pub date: DateContext,
    pub summary_html: String,
    /// Whether the post continues beyond its summary.
    pub has_more: bool,
    pub categories: Vec<TermLink>,
    pub tags: Vec<TermLink>,
    pub reading_minutes: usize,
    pub draft: bool,
}

impl PostSummary {
    pub fn new(post: &Post, urls: &Urls) -> Self {
        let fm = &post.source.front_matter;
        let term = |kind: &str, name: &String| {
            let slug = slugify(name);
            TermLink { name: name.clone(), url: urls.url(&format!("{kind}/{slug}/")), slug }
        };
        let summary_html = match &fm.summary {
            Some(s) => format!("<p>{}</p>\n", crate::markdown::escape_html(s)),
            None => post.rendered.summary_html.clone(),
        };
        PostSummary {
            title: fm.title.clone(),
            slug: post.slug().to_string(),
            url: urls.url(&post.path),
            permalink: urls.permalink(&post.path),
            date: post.date().into(),
            has_more: post.rendered.html.len() > post.rendered.summary_html.len() + 16,
            summary_html,
            categories: fm.categories.iter().map(|c| term("categories", c)).collect(),
            tags: fm.tags.iter().map(|t| term("tags", t)).collect(),
            reading_minutes: reading_minutes(post.rendered.word_count),
            draft: fm.draft,
        }
    }
}

/// A whole post, for its own page.
#[derive(Debug, Clone, Serialize)]
pub struct PostContext<'a> {
    #[serde(flatten)]
    pub summary: &'a PostSummary,
    pub content: &'a str,
    pub headings: &'a [Heading],
    pub word_count: usize,
    /// The source file, relative to the site root.
    pub source_path: String,
}

/// `post.html`.
#[derive(Debug, Clone, Serialize)]
pub struct PostPage<'a> {
    pub site: &'a SiteContext,
    pub post: PostContext<'a>,
    /// The next older and next newer post by date.
    pub older: Option<&'a PostSummary>,
    pub newer: Option<&'a PostSummary>,
}

/// Links between the pages of a paginated list.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Paginator {
    pub current: usize,
    pub total: usize,
    pub previous_url: Option<String>,
    pub next_url: Option<String>,
}

impl Paginator {
    /// `path_of(n)` gives the site path of page `n`.
    pub fn new(page: PageOf, urls: &Urls, path_of: impl Fn(usize) -> String) -> Self {
        Paginator {
            current: page.number,
            total: page.total,
            previous_url: (page.number > 1).then(|| urls.url(&path_of(page.number - 1))),
            next_url: (page.number < page.total).then(|| urls.url(&path_of(page.number + 1))),
        }
    }

    pub fn home(page: PageOf, urls: &Urls) -> Self {
        Self::new(page, urls, home_page_path)
    }
}

/// `index.html`: one page of the home list.
#[derive(Debug, Clone, Serialize)]
pub struct HomePage<'a> {
    pub site: &'a SiteContext,
    pub posts: Vec<&'a PostSummary>,
    pub paginator: Paginator,
}

/// `404.html`.
#[derive(Debug, Clone, Serialize)]
pub struct NotFoundPage<'a> {
    pub site: &'a SiteContext,
    pub recent: Vec<&'a PostSummary>,
}

/// One snippet in a list of the snippet index page.
#[derive(Debug, Clone, Serialize)]
pub struct SnippetCard {
    pub id: String,
    /// The snippet's block in its post.
    pub url: String,
    pub post_title: String,
    pub post_url: String,
    /// "docker 1.3+, os macos", or "".
    pub requires: String,
    pub status: &'static str,
    pub tools: Vec<String>,
    /// The first command, for a glance at what the snippet does.
    pub command: String,
    /// `content/posts/x.md:12`.
    pub location: String,
}

impl SnippetCard {
    pub fn new(entry: &Entry, urls: &Urls) -> Self {
        let s = &entry.snippet;
        SnippetCard {
            id: s.id.clone(),
            url: urls.url(&entry.path()),
            post_title: entry.post_title.clone(),
            post_url: urls.url(&entry.post_path),
            requires: s.requires_text(),
            status: s.status.as_str(),
            tools: s.tools.clone(),
            command: s.commands.first().map(|c| c.text.lines().next().unwrap_or("").to_string()).unwrap_or_default(),
            location: s.location(),
        }
    }
}

/// A named group of snippets (a tool, a requirement, a post).
#[derive(Debug, Clone, Serialize)]
pub struct SnippetGroup {
    pub name: String,
    /// The group's HTML id on the page (`tool-docker`).
    pub anchor: String,
    /// For a post group: the post's URL; else "".
    pub url: String,
    pub snippets: Vec<SnippetCard>,
}

/// `snippets.html`: the snippet index.
#[derive(Debug, Clone, Serialize)]
pub struct SnippetsPage<'a> {
    pub site: &'a SiteContext,
    pub total: usize,
    /// By tool, tools sorted by name.
    pub tools: Vec<SnippetGroup>,
    /// By required version (`docker 1.3+`, `os macos`, `no requirement`).
    pub requirements: Vec<SnippetGroup>,
    /// By post.
    pub posts: Vec<SnippetGroup>,
    /// The JSON form of the index.
    pub json_url: String,
}

impl<'a> SnippetsPage<'a> {
    pub fn new(site: &'a SiteContext, index: &SnippetIndex, urls: &Urls) -> Self {
        let group = |kind: &str, name: &str, url: String, entries: &[&Entry]| SnippetGroup {
            name: name.to_string(),
            anchor: format!("{kind}-{}", slugify(name)),
            url,
            snippets: entries.iter().map(|e| SnippetCard::new(e, urls)).collect(),
        };
        SnippetsPage {
            site,
            total: index.len(),
            tools: index.by_tool().iter().map(|(t, es)| group("tool", t, String::new(), es)).collect(),
            requirements: index.by_requirement().iter().map(|(r, es)| group("requires", r, String::new(), es)).collect(),
            posts: index
                .by_post()
                .values()
                .map(|es| group("post", &es[0].post_title, urls.url(&es[0].post_path), es))
                .collect(),
            json_url: urls.url(crate::site::SNIPPETS_JSON_PATH),
        }
    }
}
