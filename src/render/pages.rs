//! The contexts of the site-structure pages: category and tag lists, series, the post
//! page's series box, feeds, the sitemap and robots.txt. Each function reads the site
//! model and the post summaries (through the [`Renderer`]) and returns the typed context
//! of one page.

use crate::site::{
    category_feed_path, PageKind, PageOf, SeriesNav, SeriesSlot, SiteModel, TaxonomyKind, Term, Urls, FEED_POSTS,
};

use super::context::{
    FeedEntry, FeedPage, Paginator, RobotsPage, SeriesBox, SeriesListPage, SeriesPage, SeriesPartLine, SeriesSummary,
    SitemapEntry, SitemapPage, TermListPage, TermPage, TermSummary,
};
use super::escape_for_html;
use super::rewrite::{absolute_url, relative_url, rewrite_urls};
use super::Renderer;

/// The template that renders a page of this kind; `None` for data pages written
/// without one (`snippets.json`).
pub fn template_name(kind: &PageKind) -> Option<&'static str> {
    Some(match kind {
        PageKind::Home { .. } => "index.html",
        PageKind::Post { .. } => "post.html",
        PageKind::TermList { .. } => "taxonomy_list.html",
        PageKind::Term { .. } => "taxonomy_term.html",
        PageKind::SeriesList => "series_list.html",
        PageKind::Series { .. } => "series.html",
        PageKind::Feed { .. } => "atom.xml",
        PageKind::Sitemap => "sitemap.xml",
        PageKind::Robots => "robots.txt",
        PageKind::NotFound => "404.html",
        PageKind::Snippets => "snippets.html",
        PageKind::SnippetsJson | PageKind::Alias { .. } => return None,
    })
}

fn term_summary(kind: TaxonomyKind, term: &Term, urls: &Urls) -> TermSummary {
    TermSummary {
        name: term.name.clone(),
        slug: term.slug.clone(),
        url: urls.url(&crate::site::taxonomy::term_path(kind, &term.slug, 1)),
        count: term.posts.len(),
        feed_url: (kind == TaxonomyKind::Categories && urls.has_origin())
            .then(|| urls.permalink(&category_feed_path(&term.slug))),
    }
}

pub fn term_list<'a>(cx: &'a Renderer<'_>, kind: TaxonomyKind) -> TermListPage<'a> {
    let terms = cx.model.taxonomy(kind).terms.iter().map(|t| term_summary(kind, t, &cx.urls)).collect();
    TermListPage { site: &cx.site, kind: kind.key(), singular: kind.singular(), terms }
}

pub fn term_page<'a>(
    cx: &'a Renderer<'_>,
    kind: TaxonomyKind,
    term: usize,
    posts: &[usize],
    page: PageOf,
) -> TermPage<'a> {
    let taxonomy = cx.model.taxonomy(kind);
    let t = &taxonomy.terms[term];
    TermPage {
        site: &cx.site,
        kind: kind.key(),
        singular: kind.singular(),
        term: term_summary(kind, t, &cx.urls),
        posts: posts.iter().map(|&i| &cx.summaries[i]).collect(),
        paginator: Paginator::new(page, &cx.urls, |n| taxonomy.term_path(t, n)),
    }
}

fn series_summary<'a>(cx: &'a Renderer<'_>, series: usize) -> SeriesSummary<'a> {
    let s = &cx.model.series.series[series];
    SeriesSummary {
        name: s.name.clone(),
        slug: s.slug.clone(),
        url: cx.urls.url(&s.path()),
        total: s.total,
        published: s.published().count(),
        first: s.published().next().map(|(_, p)| &cx.summaries[p]),
    }
}

fn part_lines<'a>(cx: &'a Renderer<'_>, series: usize, current: Option<usize>) -> Vec<SeriesPartLine<'a>> {
    let summaries = cx.summaries;
    cx.model.series.series[series]
        .slots
        .iter()
        .map(|slot| match *slot {
            SeriesSlot::Published { part, post } => SeriesPartLine {
                number: part,
                last: part,
                published: true,
                current: current == Some(post),
                post: Some(&summaries[post]),
            },
            SeriesSlot::Missing { from, to } => {
                SeriesPartLine { number: from, last: to, published: false, current: false, post: None }
            }
        })
        .collect()
}

/// The box on a post of a series.
pub fn series_box<'a>(cx: &'a Renderer<'_>, nav: SeriesNav, post: usize) -> SeriesBox<'a> {
    SeriesBox {
        series: series_summary(cx, nav.series),
        part: nav.part,
        parts: part_lines(cx, nav.series, Some(post)),
        previous: nav.previous.map(|i| &cx.summaries[i]),
        next: nav.next.map(|i| &cx.summaries[i]),
    }
}

pub fn series_list<'a>(cx: &'a Renderer<'_>) -> SeriesListPage<'a> {
    SeriesListPage {
        site: &cx.site,
        series: (0..cx.model.series.series.len()).map(|s| series_summary(cx, s)).collect(),
    }
}

pub fn series_page<'a>(cx: &'a Renderer<'_>, series: usize) -> SeriesPage<'a> {
    SeriesPage { site: &cx.site, series: series_summary(cx, series), parts: part_lines(cx, series, None) }
}

/// The posts a feed carries: the newest, or one category's newest.
pub fn feed_posts(model: &SiteModel, category: Option<usize>) -> Vec<usize> {
    match category {
        Some(t) => model.categories.terms[t].posts.iter().copied().take(FEED_POSTS).collect(),
        None => (0..model.posts.len().min(FEED_POSTS)).collect(),
    }
}

/// The Atom feed of the newest posts, or of one category's.
pub fn feed<'a>(cx: &'a Renderer<'_>, category: Option<usize>) -> FeedPage<'a> {
    let (model, summaries, site, urls) = (cx.model, cx.summaries, &cx.site, &cx.urls);
    let newest = feed_posts(model, category);
    let (title, feed_path, page_path) = match category {
        Some(t) => {
            let term = &model.categories.terms[t];
            let page = crate::site::taxonomy::term_path(TaxonomyKind::Categories, &term.slug, 1);
            (format!("{} · {}", term.name, site.title), category_feed_path(&term.slug), page)
        }
        None => (site.title.clone(), "atom.xml".to_string(), String::new()),
    };
    let absolute = |html: &str, page: &str| rewrite_urls(html, |u| absolute_url(u, page, &urls.origin));
    let entries: Vec<FeedEntry<'a>> = newest
        .into_iter()
        .map(|i| {
            let s = &summaries[i];
            FeedEntry {
                post: s,
                content_html: absolute(&model.posts[i].rendered.html, &s.permalink),
                summary_html: absolute(&s.summary_html, &s.permalink),
            }
        })
        .collect();
    let updated = entries.first().map_or_else(|| "1970-01-01T00:00:00Z".to_string(), |e| e.post.date.rfc3339.clone());
    FeedPage {
        site,
        title,
        feed_url: urls.permalink(&feed_path),
        page_url: urls.permalink(&page_path),
        updated,
        entries,
    }
}

/// Every HTML page but the 404 page, with the date of its newest post.
pub fn sitemap<'a>(cx: &'a Renderer<'_>, rendered: impl Fn(&PageKind) -> bool) -> SitemapPage<'a> {
    let (model, urls) = (cx.model, &cx.urls);
    let newest = |posts: &[usize]| posts.iter().map(|&i| model.posts[i].date()).max().map(|d| d.to_string());
    let entries = model
        .pages
        .iter()
        .filter(|p| {
            p.kind.is_html() && !matches!(p.kind, PageKind::NotFound | PageKind::Alias { .. }) && rendered(&p.kind)
        })
        .map(|p| {
            let lastmod = match &p.kind {
                PageKind::Post { post } => Some(model.posts[*post].date().to_string()),
                PageKind::Home { posts, .. } | PageKind::Term { posts, .. } => newest(posts),
                PageKind::Series { series } => {
                    newest(&model.series.series[*series].published().map(|(_, p)| p).collect::<Vec<_>>())
                }
                _ => model.posts.first().map(|p| p.date().to_string()),
            };
            SitemapEntry { loc: urls.permalink(&p.path), lastmod }
        })
        .collect();
    SitemapPage { site: &cx.site, entries }
}

/// The redirect page at `alias` (a site path) to post `post`: a meta refresh for
/// browsers, a canonical link for search engines and a plain link for people. Written
/// without a template, so every theme has it.
pub fn alias_page(cx: &Renderer<'_>, alias: &str, post: usize) -> String {
    let (post, urls) = (&cx.model.posts[post], &cx.urls);
    let target = if urls.has_origin() { urls.permalink(&post.path) } else { urls.url(&post.path) };
    // The refresh URL is not an href, so relative mode's rewrite does not reach it.
    let refresh = if urls.relative { relative_url(alias, &target).unwrap_or(target.clone()) } else { target.clone() };
    let (target, refresh) = (escape_for_html(&target), escape_for_html(&refresh));
    let title = escape_for_html(post.title());
    let language = escape_for_html(&cx.site.language);
    format!(
        "<!DOCTYPE html>\n<html lang=\"{language}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{title}</title>\n<link rel=\"canonical\" href=\"{target}\">\n\
         <meta name=\"robots\" content=\"noindex\">\n<meta http-equiv=\"refresh\" content=\"0; url={refresh}\">\n\
         </head>\n<body>\n<p>This page has moved to <a href=\"{target}\">{title}</a>.</p>\n</body>\n</html>\n"
    )
}

pub fn robots<'a>(cx: &'a Renderer<'_>) -> RobotsPage<'a> {
    RobotsPage { site: &cx.site, sitemap_url: cx.urls.has_origin().then(|| cx.urls.permalink("sitemap.xml")) }
}
