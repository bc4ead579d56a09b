//! The typed, serializable data each template receives. Templates see exactly these
//! fields; nothing is assembled as an untyped map.

use serde::Serialize;

use crate::config::SiteConfig;
use crate::content::date::DateContext;
use crate::content::slugify;
use crate::markdown::{reading_minutes, Heading};
use crate::site::{home_page_path, series::series_path, PageOf, Post, Urls};
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
    /// The Atom feed of all posts (`https://example.com/blog/atom.xml`); absent when
    /// `base_url` has no host, as feeds need absolute URLs.
    pub feed_url: Option<String>,
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
            feed_url: urls.has_origin().then(|| urls.permalink("atom.xml")),
        }
    }
}

/// What every page's template gets beside its own data, flattened into it.
#[derive(Debug, Clone, Serialize)]
pub struct PageFrame<'a, C> {
    #[serde(flatten)]
    pub data: &'a C,
    /// `/blog/tags/`: the page's URL, to mark the current page in the nav.
    pub page_url: String,
    /// `https://example.com/blog/tags/`; absent when `base_url` has no host.
    pub page_permalink: Option<String>,
    /// Whether the page shows highlighted code (a post's body, or summaries with code):
    /// the default theme links `syntax.css` and the copy script only then.
    pub has_code: bool,
}

/// Whether rendered Markdown holds a highlighted code block.
pub fn shows_code(html: &str) -> bool {
    html.contains("<pre class=\"code\"")
}

/// The `src` of the first `<img>` of rendered HTML, as written.
pub fn first_image(html: &str) -> Option<&str> {
    let tag = &html[html.find("<img ")?..];
    let tag = &tag[..tag.find('>')?];
    let src = &tag[tag.find(" src=\"")? + 6..];
    Some(&src[..src.find('"')?]).filter(|s| !s.is_empty())
}

/// A link to a category, tag or series.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TermLink {
    pub name: String,
    pub slug: String,
    pub url: String,
}

/// The light form of a post used by every list page: no body.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
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
    /// Dated in the future: built only with `--future` (and by `gen serve`).
    pub scheduled: bool,
    pub series: Option<TermLink>,
}

impl PostSummary {
    pub fn new(post: &Post, urls: &Urls) -> Self {
        let fm = &post.source.front_matter;
        let term = |kind: &str, name: &String| {
            let slug = slugify(name);
            TermLink { name: name.clone(), url: urls.url(&format!("{kind}/{slug}/")), slug }
        };
        let url = urls.url(&post.path);
        let summary_html = match &fm.summary {
            Some(s) => format!("<p>{}</p>\n", crate::markdown::escape_html(s)),
            // A summary is shown on other pages (home, lists): its links to the post's own
            // sections (`#prompts`, heading anchors) must name the post.
            None if post.rendered.summary_html.contains("href=\"#") => {
                super::rewrite::rewrite_urls(&post.rendered.summary_html, |v| {
                    v.starts_with('#').then(|| format!("{url}{v}"))
                })
            }
            None => post.rendered.summary_html.clone(),
        };
        PostSummary {
            title: fm.title.clone(),
            slug: post.slug().to_string(),
            url,
            permalink: urls.permalink(&post.path),
            date: post.date().into(),
            has_more: post.rendered.html.len() > post.rendered.summary_html.len() + 16,
            summary_html,
            categories: fm.categories.iter().map(|c| term("categories", c)).collect(),
            tags: fm.tags.iter().map(|t| term("tags", t)).collect(),
            reading_minutes: reading_minutes(post.rendered.word_count),
            draft: fm.draft,
            scheduled: false,
            series: fm.series.as_ref().map(|name| {
                let slug = slugify(name);
                TermLink { name: name.clone(), url: urls.url(&series_path(&slug)), slug }
            }),
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
    /// The headings as a tree, for a table of contents.
    pub toc: Vec<TocEntry>,
    /// The absolute URL of the post's first image, for link previews; absent when the
    /// post has none or `base_url` has no host.
    pub image: Option<String>,
}

/// One heading in a table of contents, with the headings below it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub text: String,
    pub children: Vec<TocEntry>,
}

/// Nests `headings` by level: each heading holds the deeper ones that follow it.
pub fn build_toc(headings: &[Heading]) -> Vec<TocEntry> {
    fn entries(headings: &[Heading], i: &mut usize, min_level: u8) -> Vec<TocEntry> {
        let mut out = Vec::new();
        while let Some(h) = headings.get(*i).filter(|h| h.level >= min_level) {
            *i += 1;
            let children = entries(headings, i, h.level + 1);
            out.push(TocEntry { level: h.level, id: h.id.clone(), text: h.text.clone(), children });
        }
        out
    }
    let min = headings.iter().map(|h| h.level).min().unwrap_or(1);
    entries(headings, &mut 0, min)
}

/// `post.html`.
#[derive(Debug, Clone, Serialize)]
pub struct PostPage<'a> {
    pub site: &'a SiteContext,
    pub post: PostContext<'a>,
    /// The next older and next newer post by date.
    pub older: Option<&'a PostSummary>,
    pub newer: Option<&'a PostSummary>,
    /// The post's series box, when it is part of one.
    pub series: Option<SeriesBox<'a>>,
    /// Other posts sharing the most tags with this one.
    pub related: Vec<&'a PostSummary>,
}

/// A series as a heading: name, page and size.
#[derive(Debug, Clone, Serialize)]
pub struct SeriesSummary<'a> {
    pub name: String,
    pub slug: String,
    pub url: String,
    /// The highest part number (M in "Part N of M").
    pub total: u32,
    /// How many parts are on the site (less than `total` when some are missing).
    pub published: usize,
    /// The first published part.
    pub first: Option<&'a PostSummary>,
}

/// One line of a series list: a published part, or a run of parts not on the site.
#[derive(Debug, Clone, Serialize)]
pub struct SeriesPartLine<'a> {
    /// The part number (for a missing run, its first number).
    pub number: u32,
    /// For a missing run, its last number; else the same as `number`.
    pub last: u32,
    pub published: bool,
    /// The part being shown (on a post page).
    pub current: bool,
    /// The post, for a published part.
    pub post: Option<&'a PostSummary>,
}

/// The series box of a post page: "Part {{ part }} of {{ total }} in {{ name }}".
#[derive(Debug, Clone, Serialize)]
pub struct SeriesBox<'a> {
    #[serde(flatten)]
    pub series: SeriesSummary<'a>,
    /// N in "Part N of M": the post's part number.
    pub part: u32,
    pub parts: Vec<SeriesPartLine<'a>>,
    /// The nearest published parts before and after.
    pub previous: Option<&'a PostSummary>,
    pub next: Option<&'a PostSummary>,
}

/// A category or tag with its post count.
#[derive(Debug, Clone, Serialize)]
pub struct TermSummary {
    pub name: String,
    pub slug: String,
    pub url: String,
    pub count: usize,
    /// The term's Atom feed (categories only, and only with an absolute base_url).
    pub feed_url: Option<String>,
}

/// `taxonomy_list.html`: `categories/index.html`, `tags/index.html`.
#[derive(Debug, Clone, Serialize)]
pub struct TermListPage<'a> {
    pub site: &'a SiteContext,
    /// `categories` or `tags`.
    pub kind: &'static str,
    /// `category` or `tag`.
    pub singular: &'static str,
    pub terms: Vec<TermSummary>,
}

/// `taxonomy_term.html`: one page of a category's or tag's posts, newest first.
#[derive(Debug, Clone, Serialize)]
pub struct TermPage<'a> {
    pub site: &'a SiteContext,
    pub kind: &'static str,
    pub singular: &'static str,
    pub term: TermSummary,
    pub posts: Vec<&'a PostSummary>,
    pub paginator: Paginator,
}

/// `series_list.html`: `series/index.html`.
#[derive(Debug, Clone, Serialize)]
pub struct SeriesListPage<'a> {
    pub site: &'a SiteContext,
    pub series: Vec<SeriesSummary<'a>>,
}

/// `series.html`: `series/<slug>/index.html`, the parts in order.
#[derive(Debug, Clone, Serialize)]
pub struct SeriesPage<'a> {
    pub site: &'a SiteContext,
    pub series: SeriesSummary<'a>,
    pub parts: Vec<SeriesPartLine<'a>>,
}

/// One entry of an Atom feed; every URL in it is absolute.
#[derive(Debug, Clone, Serialize)]
pub struct FeedEntry<'a> {
    pub post: &'a PostSummary,
    /// The full body with absolute URLs.
    pub content_html: String,
    /// The summary with absolute URLs.
    pub summary_html: String,
}

/// `atom.xml`: `atom.xml` and `categories/<slug>/atom.xml`.
#[derive(Debug, Clone, Serialize)]
pub struct FeedPage<'a> {
    pub site: &'a SiteContext,
    pub title: String,
    /// The feed's own URL (its id and `rel="self"` link).
    pub feed_url: String,
    /// The HTML page the feed follows (`rel="alternate"`).
    pub page_url: String,
    /// RFC 3339: the newest entry's date.
    pub updated: String,
    pub entries: Vec<FeedEntry<'a>>,
}

/// One `<url>` of the sitemap.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SitemapEntry {
    pub loc: String,
    /// `2015-03-02`: the newest post shown on the page, if any.
    pub lastmod: Option<String>,
}

/// `sitemap.xml`.
#[derive(Debug, Clone, Serialize)]
pub struct SitemapPage<'a> {
    pub site: &'a SiteContext,
    pub entries: Vec<SitemapEntry>,
}

/// `robots.txt`.
#[derive(Debug, Clone, Serialize)]
pub struct RobotsPage<'a> {
    pub site: &'a SiteContext,
    /// Absolute sitemap URL; absent without an absolute base_url.
    pub sitemap_url: Option<String>,
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
    /// `untested`, `passed`, `warned`, `unverified`, `failed` or `skipped`: the badge's class.
    pub status: &'static str,
    /// The badge's word: the status, "passed with warnings" for `warned`.
    pub status_word: &'static str,
    /// Beside the status: tool versions and date, the reason for a skip, "changed since".
    pub status_detail: String,
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
            status_word: s.status.word(),
            status_detail: s.status.detail(),
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
            requirements: index
                .by_requirement()
                .iter()
                .map(|(r, es)| group("requires", r, String::new(), es))
                .collect(),
            posts: index
                .by_post()
                .values()
                .map(|es| group("post", &es[0].post_title, urls.url(&es[0].post_path), es))
                .collect(),
            json_url: urls.url(crate::site::SNIPPETS_JSON_PATH),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(level: u8, id: &str) -> Heading {
        Heading { level, id: id.into(), text: id.to_uppercase(), line: 1 }
    }

    #[test]
    fn first_image_is_the_src_of_the_first_img() {
        assert_eq!(first_image("<p>x <img src=\"/a.png\" alt=\"a\"> <img src=\"b.png\"></p>"), Some("/a.png"));
        assert_eq!(first_image("<p><img alt=\"x\" src=\"c.svg\"/></p>"), Some("c.svg"));
        assert_eq!(first_image("<p>no image; <imgx src=\"d\"></p>"), None);
        assert_eq!(first_image("<img src=\"\">"), None);
        assert!(shows_code("<pre class=\"code\" data-lang=\"text\">") && !shows_code("<p><code>x</code></p>"));
    }

    #[test]
    fn toc_nests_deeper_headings() {
        let toc = build_toc(&[h(2, "a"), h(3, "b"), h(4, "c"), h(3, "d"), h(2, "e"), h(4, "f")]);
        let shape: Vec<(String, Vec<String>)> =
            toc.iter().map(|e| (e.id.clone(), e.children.iter().map(|c| c.id.clone()).collect())).collect();
        assert_eq!(
            shape,
            [("a".to_string(), vec!["b".to_string(), "d".to_string()]), ("e".to_string(), vec!["f".to_string()])]
        );
        assert_eq!(toc[0].children[0].children[0].id, "c");
        assert_eq!(toc[0].text, "A");
        assert!(build_toc(&[]).is_empty());
    }
}
