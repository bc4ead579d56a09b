//! The site as data: rendered posts in order, their URLs, and the list of pages to write.
//! Pure: no I/O, no templates. `render` turns each [`Page`] into HTML.

use serde::Serialize;

use crate::config::SiteConfig;
use crate::content::{PostDate, PostSource};
use crate::error::{Diagnostic, Errors, Result};
use crate::markdown::RenderedMarkdown;
use crate::snippets::{PostSnippets, SnippetIndex};

/// A post with its Markdown rendered and its place on the site.
#[derive(Debug, Clone)]
pub struct Post {
    pub source: PostSource,
    pub rendered: RenderedMarkdown,
    /// Site-relative URL path without the base path: `posts/<slug>/`.
    pub path: String,
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
}

impl Urls {
    pub fn new(config: &SiteConfig) -> Self {
        Urls { base_path: config.base_path(), origin: config.origin() }
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

/// What a page shows; indices point into [`SiteModel::posts`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageKind {
    /// The home list: `posts` is this page's slice of all posts, newest first.
    Home { posts: Vec<usize>, page: PageOf },
    Post { post: usize },
    NotFound,
    /// `/snippets/`: the snippet index by tool and by required version.
    Snippets,
    /// `/snippets.json`: the snippet index as JSON.
    SnippetsJson,
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

/// Orders posts newest first (ties by title, then file) and plans every page.
pub fn build_site_model(mut posts: Vec<Post>, config: &SiteConfig) -> Result<SiteModel> {
    posts.sort_by(|a, b| b.date().cmp(&a.date()).then_with(|| a.title().cmp(b.title())).then_with(|| a.source.path.cmp(&b.source.path)));
    check_unique_slugs(&posts)?;
    let mut pages = Vec::new();
    let per_page = config.paginate.max(1);
    let total = posts.len().div_ceil(per_page).max(1);
    for number in 1..=total {
        let start = (number - 1) * per_page;
        let slice: Vec<usize> = (start..(start + per_page).min(posts.len())).collect();
        let path = if number == 1 { String::new() } else { format!("page/{number}/") };
        pages.push(Page { path, kind: PageKind::Home { posts: slice, page: PageOf { number, total } } });
    }
    for (i, post) in posts.iter().enumerate() {
        pages.push(Page { path: post.path.clone(), kind: PageKind::Post { post: i } });
    }
    pages.push(Page { path: "404.html".into(), kind: PageKind::NotFound });
    let snippets = snippet_index(&posts)?;
    pages.push(Page { path: SNIPPETS_PATH.into(), kind: PageKind::Snippets });
    pages.push(Page { path: SNIPPETS_JSON_PATH.into(), kind: PageKind::SnippetsJson });
    Ok(SiteModel { posts, pages, snippets })
}

/// The home page's path for page `number` (1-based).
pub fn home_page_path(number: usize) -> String {
    if number <= 1 {
        String::new()
    } else {
        format!("page/{number}/")
    }
}

fn check_unique_slugs(posts: &[Post]) -> Result<()> {
    let mut seen: std::collections::HashMap<&str, &Post> = Default::default();
    let mut errors = Vec::new();
    for p in posts {
        if let Some(other) = seen.insert(p.slug(), p) {
            errors.push(
                Diagnostic::file(&p.source.path, format!("the slug \"{}\" is also used by {}", p.slug(), other.source.path.display()))
                    .with_help("two posts cannot share a URL: rename one file or set a different `slug` in its front matter"),
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
mod tests {
    use super::*;
    use crate::content::parse_post;

    fn post(name: &str, date: &str) -> Post {
        let text = format!("+++\ntitle = \"{name}\"\ndate = {date}\n+++\nBody\n");
        let source = parse_post(&text, format!("content/posts/{name}.md").into()).unwrap();
        let path = post_path(&source.slug);
        Post { source, rendered: Default::default(), path }
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
    fn urls_respect_base_path() {
        let mut c = config(10);
        c.base_url = "https://example.com/blog/".into();
        let u = Urls::new(&c);
        assert_eq!(u.url("posts/x/"), "/blog/posts/x/");
        assert_eq!(u.permalink("posts/x/"), "https://example.com/blog/posts/x/");
    }
}
