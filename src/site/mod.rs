//! The site as data: rendered posts in order, their URLs, and the list of pages to write.
//! Pure: no I/O, no templates. `render` turns each [`Page`] into HTML.

pub mod links;
pub mod series;
pub mod taxonomy;

use serde::Serialize;

use crate::config::SiteConfig;
use crate::content::{PostDate, PostSource};
use crate::error::{Errors, Result};
use crate::markdown::RenderedMarkdown;
use crate::snippets::{PostSnippets, SnippetIndex};
pub use series::{build_series, Series, SeriesIndex, SeriesNav, SeriesSlot};
pub use taxonomy::{build_taxonomy, Taxonomy, TaxonomyKind, Term};

/// How many of the newest posts a feed carries.
pub const FEED_POSTS: usize = 20;
/// How many related posts a post page lists.
pub const RELATED_POSTS: usize = 3;

/// A post with its Markdown rendered and its place on the site.
#[derive(Debug, Clone)]
pub struct Post {
    pub source: PostSource,
    pub rendered: RenderedMarkdown,
    /// Site-relative URL path without the base path: `posts/<slug>/`.
    pub path: String,
    /// Whose headings the post's HTML depends on (set by the link check).
    pub linked_headings: LinkedHeadings,
}

/// Whose headings a post's HTML depends on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LinkedHeadings {
    /// Its own only (the ids of the headings it links to are in its HTML as rendered,
    /// or were set from its own headings).
    #[default]
    Own,
    /// The link check pointed a link at another post's heading id, found by its
    /// GitHub-style anchor: when that post changes, this one must be rendered again.
    OtherPosts,
}

impl Post {
    pub fn title(&self) -> &str {
        &self.source.front_matter.title
    }
    pub fn date(&self) -> PostDate {
        self.source.front_matter.date
    }
    pub fn slug(&self) -> &str {
        &self.source.slug
    }
}

/// Where a post is published, relative to the site's base.
pub fn post_path(slug: &str) -> String {
    format!("posts/{slug}/")
}

/// Builds absolute and base-relative URLs from site paths.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Urls {
    /// `/` or `/blog/`.
    pub base_path: String,
    /// `https://example.com`, or "" for a path-only base URL.
    pub origin: String,
    /// `base_url = "."`: every page links to others by relative URLs (`../../posts/x/index.html`),
    /// so the output works from any folder, also opened as files. `render` rewrites the
    /// root-relative URLs of each page; `base_path` is then `/`.
    pub relative: bool,
}

/// The `base_url` values that ask for relative URLs.
pub fn is_relative_base_url(base_url: &str) -> bool {
    matches!(base_url.trim(), "." | "./")
}

impl Urls {
    pub fn new(config: &SiteConfig) -> Self {
        if is_relative_base_url(&config.base_url) {
            return Urls { base_path: "/".into(), origin: String::new(), relative: true };
        }
        Urls { base_path: config.base_path(), origin: config.origin(), relative: false }
    }

    /// Whether URLs can be absolute (`https://...`): feeds and the sitemap need it.
    pub fn has_origin(&self) -> bool {
        !self.origin.is_empty()
    }
    /// `/blog/posts/x/` for `posts/x/`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_path, path.trim_start_matches('/'))
    }
    /// `https://example.com/blog/posts/x/`.
    pub fn permalink(&self, path: &str) -> String {
        format!("{}{}", self.origin, self.url(path))
    }
}

/// One page of a paginated list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageOf {
    /// 1-based page number.
    pub number: usize,
    pub total: usize,
}

/// What a page shows; indices point into [`SiteModel::posts`] and the model's
/// taxonomies and series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageKind {
    /// The home list: `posts` is this page's slice of all posts, newest first.
    Home {
        posts: Vec<usize>,
        page: PageOf,
    },
    Post {
        post: usize,
    },
    /// `categories/`, `tags/`: every term with its post count.
    TermList {
        kind: TaxonomyKind,
    },
    /// One page of a term's posts, newest first.
    Term {
        kind: TaxonomyKind,
        term: usize,
        posts: Vec<usize>,
        page: PageOf,
    },
    /// `series/`: every series.
    SeriesList,
    /// `series/<slug>/`: the parts in order.
    Series {
        series: usize,
    },
    /// `atom.xml` (all posts) or `categories/<slug>/atom.xml`.
    Feed {
        category: Option<usize>,
    },
    Sitemap,
    Robots,
    NotFound,
    /// `/snippets/`: the snippet index by tool and by required version.
    Snippets,
    /// `/snippets.json`: the snippet index as JSON.
    SnippetsJson,
    /// A redirect to post `post` at one of its old URLs (front matter `aliases`); in no
    /// feed or sitemap.
    Alias {
        post: usize,
    },
}

impl PageKind {
    /// Pages that are HTML documents (not feeds, sitemaps, robots.txt, snippets.json).
    pub fn is_html(&self) -> bool {
        !matches!(self, PageKind::Feed { .. } | PageKind::Sitemap | PageKind::Robots | PageKind::SnippetsJson)
    }
}

/// A page to render, with the site path it is written to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// `posts/x/`, `page/2/`, `404.html`, ``.
    pub path: String,
    pub kind: PageKind,
}

impl Page {
    /// The file this page is written to, relative to the output folder.
    pub fn output_file(&self) -> String {
        if self.path.is_empty() {
            "index.html".into()
        } else if self.path.ends_with('/') {
            format!("{}index.html", self.path)
        } else {
            self.path.clone()
        }
    }
}

/// Every post of the site, newest first, and the pages they make.
#[derive(Debug, Clone)]
pub struct SiteModel {
    pub posts: Vec<Post>,
    pub pages: Vec<Page>,
    pub categories: Taxonomy,
    pub tags: Taxonomy,
    pub series: SeriesIndex,
    /// Per post: up to [`RELATED_POSTS`] other posts sharing the most tags.
    pub related: Vec<Vec<usize>>,
    /// The build's clock: posts dated after it are scheduled (built only with `--future`).
    pub now: PostDate,
    /// Every snippet of the site's posts.
    pub snippets: SnippetIndex,
}

/// Where the snippet index pages are published.
pub const SNIPPETS_PATH: &str = "snippets/";
pub const SNIPPETS_JSON_PATH: &str = "snippets.json";

/// The snippet index of `posts` (ids checked for uniqueness across the site).
pub fn snippet_index(posts: &[Post]) -> Result<SnippetIndex> {
    SnippetIndex::new(posts.iter().map(|p| PostSnippets {
        slug: p.slug().to_string(),
        title: p.title().to_string(),
        path: p.path.clone(),
        snippets: p.rendered.snippets.clone(),
    }))
}

impl SiteModel {
    pub fn taxonomy(&self, kind: TaxonomyKind) -> &Taxonomy {
        match kind {
            TaxonomyKind::Categories => &self.categories,
            TaxonomyKind::Tags => &self.tags,
        }
    }

    /// Whether post `i` is dated after the build's clock.
    pub fn is_scheduled(&self, i: usize) -> bool {
        self.posts[i].date() > self.now
    }
}

/// [`build_site_model_at`] with the system clock.
pub fn build_site_model(posts: Vec<Post>, config: &SiteConfig) -> Result<SiteModel> {
    build_site_model_at(posts, config, PostDate::now())
}

/// Orders posts newest first (ties by title, then file), groups them into categories,
/// tags and series, and plans every page. `now` marks later posts as scheduled.
pub fn build_site_model_at(mut posts: Vec<Post>, config: &SiteConfig, now: PostDate) -> Result<SiteModel> {
    posts.sort_by(|a, b| {
        b.date().cmp(&a.date()).then_with(|| a.title().cmp(b.title())).then_with(|| a.source.path.cmp(&b.source.path))
    });
    check_unique_slugs(&posts)?;
    let (categories, tags, series) = (
        build_taxonomy(TaxonomyKind::Categories, &posts),
        build_taxonomy(TaxonomyKind::Tags, &posts),
        build_series(&posts),
    );
    let mut errors = Vec::new();
    let categories = categories.map_err(|e| errors.extend(e.0));
    let tags = tags.map_err(|e| errors.extend(e.0));
    let series = series.map_err(|e| errors.extend(e.0));
    let (Ok(categories), Ok(tags), Ok(series)) = (categories, tags, series) else {
        return Err(Errors(errors).sorted());
    };
    let per_page = config.paginate.max(1);
    let mut pages = Vec::new();
    let all: Vec<usize> = (0..posts.len()).collect();
    paginate(&all, per_page, home_page_path, &mut pages, |posts, page| PageKind::Home { posts, page });
    for (i, post) in posts.iter().enumerate() {
        pages.push(Page { path: post.path.clone(), kind: PageKind::Post { post: i } });
    }
    for taxonomy in [&categories, &tags] {
        let kind = taxonomy.kind;
        pages.push(Page { path: format!("{}/", kind.key()), kind: PageKind::TermList { kind } });
        for (t, term) in taxonomy.terms.iter().enumerate() {
            let path_of = |n| taxonomy.term_path(term, n);
            paginate(&term.posts, per_page, path_of, &mut pages, |posts, page| PageKind::Term {
                kind,
                term: t,
                posts,
                page,
            });
        }
    }
    pages.push(Page { path: "series/".into(), kind: PageKind::SeriesList });
    for (s, one) in series.series.iter().enumerate() {
        pages.push(Page { path: one.path(), kind: PageKind::Series { series: s } });
    }
    if Urls::new(config).has_origin() {
        pages.push(Page { path: "atom.xml".into(), kind: PageKind::Feed { category: None } });
        for (t, term) in categories.terms.iter().enumerate() {
            pages.push(Page { path: category_feed_path(&term.slug), kind: PageKind::Feed { category: Some(t) } });
        }
        pages.push(Page { path: "sitemap.xml".into(), kind: PageKind::Sitemap });
    }
    pages.push(Page { path: "robots.txt".into(), kind: PageKind::Robots });
    pages.push(Page { path: "404.html".into(), kind: PageKind::NotFound });
    let snippets = snippet_index(&posts)?;
    pages.push(Page { path: SNIPPETS_PATH.into(), kind: PageKind::Snippets });
    pages.push(Page { path: SNIPPETS_JSON_PATH.into(), kind: PageKind::SnippetsJson });
    plan_aliases(&posts, &mut pages)?;
    let related = related_posts(&posts, &tags);
    Ok(SiteModel { posts, pages, categories, tags, series, related, now, snippets })
}

/// `categories/<slug>/atom.xml`.
pub fn category_feed_path(slug: &str) -> String {
    format!("categories/{slug}/atom.xml")
}

/// Splits `posts` into pages of `per_page` (at least one page, maybe empty).
fn paginate(
    posts: &[usize],
    per_page: usize,
    path_of: impl Fn(usize) -> String,
    pages: &mut Vec<Page>,
    kind: impl Fn(Vec<usize>, PageOf) -> PageKind,
) {
    let total = posts.len().div_ceil(per_page).max(1);
    for number in 1..=total {
        let start = ((number - 1) * per_page).min(posts.len());
        let slice = posts[start..(start + per_page).min(posts.len())].to_vec();
        pages.push(Page { path: path_of(number), kind: kind(slice, PageOf { number, total }) });
    }
}

/// For each post, the posts sharing most of its tags (ties: newest first). Each tag
/// contributes at most its newest 200 posts, so the cost stays linear in the posts.
/// Posts are scored in parallel, each thread with its own dense counters, and only the
/// best [`RELATED_POSTS`] are picked out (no sort of every candidate).
fn related_posts(posts: &[Post], tags: &Taxonomy) -> Vec<Vec<usize>> {
    use rayon::prelude::*;
    const SCAN: usize = 200;
    let mut tags_of: Vec<Vec<usize>> = vec![Vec::new(); posts.len()];
    for (t, term) in tags.terms.iter().enumerate() {
        for &p in &term.posts {
            tags_of[p].push(t);
        }
    }
    (0..posts.len())
        .into_par_iter()
        .map_init(
            || (vec![0u32; posts.len()], Vec::new()),
            |(counts, touched): &mut (Vec<u32>, Vec<usize>), i| {
                for &t in &tags_of[i] {
                    for &other in tags.terms[t].posts.iter().take(SCAN).filter(|&&o| o != i) {
                        if counts[other] == 0 {
                            touched.push(other);
                        }
                        counts[other] += 1;
                    }
                }
                let best = top_related(touched.iter().map(|&p| (p, counts[p])));
                for p in touched.drain(..) {
                    counts[p] = 0;
                }
                best
            },
        )
        .collect()
}

/// The [`RELATED_POSTS`] best of (post, shared tags): most shared tags first, then the
/// lower index (the newer post).
fn top_related(candidates: impl Iterator<Item = (usize, u32)>) -> Vec<usize> {
    let better = |a: (usize, u32), b: (usize, u32)| a.1 > b.1 || (a.1 == b.1 && a.0 < b.0);
    let mut best: Vec<(usize, u32)> = Vec::with_capacity(RELATED_POSTS + 1);
    for c in candidates {
        if best.len() == RELATED_POSTS && !better(c, best[RELATED_POSTS - 1]) {
            continue;
        }
        let at = best.iter().position(|&b| better(c, b)).unwrap_or(best.len());
        best.insert(at, c);
        best.truncate(RELATED_POSTS);
    }
    best.into_iter().map(|(p, _)| p).collect()
}

/// The home page's path for page `number` (1-based).
pub fn home_page_path(number: usize) -> String {
    if number <= 1 {
        String::new()
    } else {
        format!("page/{number}/")
    }
}

/// Adds a redirect page at each alias of each post, after checking that no alias is
/// the URL of another page (or lies under one that is a file, such as `atom.xml`), and
/// that no two posts claim one alias. Errors point at the post's `aliases` key.
fn plan_aliases(posts: &[Post], pages: &mut Vec<Page>) -> Result<()> {
    use std::collections::HashMap;
    let taken: HashMap<String, usize> = pages.iter().enumerate().map(|(i, p)| (p.output_file(), i)).collect();
    let mut claimed: HashMap<String, usize> = HashMap::new();
    let mut errors = Vec::new();
    for (i, post) in posts.iter().enumerate() {
        for alias in &post.source.front_matter.aliases {
            let page = Page { path: alias.clone(), kind: PageKind::Alias { post: i } };
            let file = page.output_file();
            let folders = file.match_indices('/').map(|(at, _)| &file[..at]);
            let clash = std::iter::once(file.as_str()).chain(folders).find_map(|f| taken.get(f));
            if let Some(&other) = clash {
                let what = match &pages[other].kind {
                    PageKind::Post { post: p } => format!("the post {}", posts[*p].source.path.display()),
                    _ => format!("the page /{}", pages[other].path),
                };
                errors.push(
                    post.source
                        .diagnostic_at_key("aliases", format!("the alias \"/{alias}\" is the URL of {what}"))
                        .with_help("an alias is an old URL that no page has now: remove it or fix it"),
                );
            } else if let Some(&other) = claimed.get(&file) {
                errors.push(
                    post.source
                        .diagnostic_at_key(
                            "aliases",
                            format!(
                                "the alias \"/{alias}\" is also an alias of {}",
                                posts[other].source.path.display()
                            ),
                        )
                        .with_help("an old URL can redirect to one post only: remove it from one of them"),
                );
            } else {
                claimed.insert(file, i);
                pages.push(page);
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Errors(errors).sorted())
    }
}

fn check_unique_slugs(posts: &[Post]) -> Result<()> {
    let mut seen: std::collections::HashMap<&str, &Post> = Default::default();
    let mut errors = Vec::new();
    for p in posts {
        if let Some(other) = seen.insert(p.slug(), p) {
            // Name the post whose `slug` key caused the clash, if one has it.
            let (p, other) = if p.source.front_matter.slug.is_none() && other.source.front_matter.slug.is_some() {
                (other, p)
            } else {
                (p, other)
            };
            errors.push(
                p.source
                    .diagnostic_at_key(
                        "slug",
                        format!("the slug \"{}\" is also used by {}", p.slug(), other.source.path.display()),
                    )
                    .with_help(
                        "two posts cannot share a URL: rename one file or set a different `slug` in its front matter",
                    ),
            );
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Errors(errors).sorted())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::content::parse_post;

    fn post(name: &str, date: &str) -> Post {
        post_with(name, date, "")
    }

    /// A post `content/posts/<name>.md` with extra front-matter lines.
    pub(crate) fn post_with(name: &str, date: &str, extra: &str) -> Post {
        let text = format!("+++\ntitle = \"{name}\"\ndate = {date}\n{extra}\n+++\nBody\n");
        let source = parse_post(&text, format!("content/posts/{name}.md").into()).unwrap();
        let path = post_path(&source.slug);
        Post { source, rendered: Default::default(), path, linked_headings: LinkedHeadings::Own }
    }

    fn config(paginate: usize) -> SiteConfig {
        let mut c = SiteConfig::parse("title = \"T\"", std::path::Path::new("site.toml")).unwrap();
        c.paginate = paginate;
        c
    }

    #[test]
    fn home_is_paginated_newest_first() {
        let posts = vec![post("a", "2020-01-01"), post("c", "2022-01-01"), post("b", "2021-01-01")];
        let m = build_site_model(posts, &config(2)).unwrap();
        assert_eq!(m.posts.iter().map(|p| p.slug()).collect::<Vec<_>>(), ["c", "b", "a"]);
        let homes: Vec<_> = m.pages.iter().filter(|p| matches!(p.kind, PageKind::Home { .. })).collect();
        assert_eq!(homes.len(), 2);
        assert_eq!(homes[1].output_file(), "page/2/index.html");
        assert_eq!(homes[1].kind, PageKind::Home { posts: vec![2], page: PageOf { number: 2, total: 2 } });
    }

    #[test]
    fn duplicate_slugs_name_both_files() {
        let mut b = post("a", "2021-01-01");
        b.source.path = "content/posts/other/a.md".into();
        let err = build_site_model(vec![post("a", "2020-01-01"), b], &config(10)).unwrap_err();
        assert!(err.0[0].message.contains("content/posts/a.md") || err.0[0].file.ends_with("a.md"), "{err}");
        assert!(err.to_string().contains("also used by"), "{err}");
    }

    #[test]
    fn plans_term_series_feed_and_crawler_pages() {
        let posts = vec![
            post_with("a", "2020-01-01", "categories = [\"Docker\"]\ntags = [\"x\"]\nseries = \"S\""),
            post_with("b", "2021-01-01", "categories = [\"Docker\"]\ntags = [\"x\"]"),
            post_with("c", "2022-01-01", "categories = [\"Docker\"]"),
        ];
        let mut c = config(2);
        c.base_url = "https://example.com/".into();
        let m = build_site_model_at(posts, &c, PostDate { year: 2021, month: 6, day: 1, seconds: 0 }).unwrap();
        let paths: Vec<&str> = m.pages.iter().map(|p| p.path.as_str()).collect();
        for path in [
            "categories/",
            "categories/docker/",
            "categories/docker/page/2/",
            "tags/x/",
            "series/",
            "series/s/",
            "atom.xml",
            "categories/docker/atom.xml",
            "sitemap.xml",
            "robots.txt",
        ] {
            assert!(paths.contains(&path), "{path} not in {paths:?}");
        }
        let docker2 = m.pages.iter().find(|p| p.path == "categories/docker/page/2/").unwrap();
        assert_eq!(
            docker2.kind,
            PageKind::Term {
                kind: TaxonomyKind::Categories,
                term: 0,
                posts: vec![2],
                page: PageOf { number: 2, total: 2 }
            }
        );
        assert!(m.is_scheduled(0) && !m.is_scheduled(1));
        assert_eq!(m.related[1], [2]);
        // Without a host there are no feeds or sitemap.
        let m =
            build_site_model_at(m.posts, &config(2), PostDate { year: 2021, month: 6, day: 1, seconds: 0 }).unwrap();
        assert!(!m.pages.iter().any(|p| matches!(p.kind, PageKind::Feed { .. } | PageKind::Sitemap)));
    }

    #[test]
    fn related_posts_are_the_best_three_by_shared_tags_then_newest() {
        let cands = [(5, 1), (2, 3), (9, 3), (1, 1), (7, 2), (0, 1)];
        assert_eq!(top_related(cands.into_iter()), [2, 9, 7]);
        assert_eq!(top_related([(4, 1), (3, 1)].into_iter()), [3, 4]);
        let posts = vec![
            post_with("a", "2020-01-01", "tags = [\"x\", \"y\", \"z\"]"),
            post_with("b", "2021-01-01", "tags = [\"x\"]"),
            post_with("c", "2022-01-01", "tags = [\"x\", \"y\"]"),
            post_with("d", "2023-01-01", "tags = [\"z\", \"y\", \"x\"]"),
            post_with("e", "2024-01-01", "tags = [\"q\"]"),
        ];
        let m = build_site_model(posts, &config(10)).unwrap();
        let slugs = |i: usize| m.related[i].iter().map(|&j| m.posts[j].slug()).collect::<Vec<_>>();
        let a = m.posts.iter().position(|p| p.slug() == "a").unwrap();
        assert_eq!(slugs(a), ["d", "c", "b"]);
        let e = m.posts.iter().position(|p| p.slug() == "e").unwrap();
        assert!(slugs(e).is_empty());
    }

    #[test]
    fn relative_base_url() {
        let mut c = config(10);
        c.base_url = "./".into();
        let u = Urls::new(&c);
        assert!(u.relative && !u.has_origin());
        assert_eq!(u.url("posts/x/"), "/posts/x/");
    }

    #[test]
    fn urls_respect_base_path() {
        let mut c = config(10);
        c.base_url = "https://example.com/blog/".into();
        let u = Urls::new(&c);
        assert_eq!(u.url("posts/x/"), "/blog/posts/x/");
        assert_eq!(u.permalink("posts/x/"), "https://example.com/blog/posts/x/");
    }
}
