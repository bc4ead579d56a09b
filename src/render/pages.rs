//! The contexts of the site-structure pages: category and tag lists, series, the post
//! page's series box, feeds, the sitemap and robots.txt. Each function reads the site
//! model and the post summaries and returns the typed context of one page.

use crate::site::{
    category_feed_path, PageKind, PageOf, SeriesNav, SeriesSlot, SiteModel, TaxonomyKind, Term, Urls, FEED_POSTS,
};

use super::context::{
    FeedEntry, FeedPage, Paginator, PostSummary, RobotsPage, SeriesBox, SeriesListPage, SeriesPage, SeriesPartLine,
    SeriesSummary, SiteContext, SitemapEntry, SitemapPage, TermListPage, TermPage, TermSummary,
};
use super::rewrite::{absolute_url, rewrite_urls};

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
        PageKind::SnippetsJson => return None,
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

pub fn term_list<'a>(model: &SiteModel, site: &'a SiteContext, urls: &Urls, kind: TaxonomyKind) -> TermListPage<'a> {
    let terms = model.taxonomy(kind).terms.iter().map(|t| term_summary(kind, t, urls)).collect();
    TermListPage { site, kind: kind.key(), singular: kind.singular(), terms }
}

#[allow(clippy::too_many_arguments)]
pub fn term_page<'a>(
    model: &SiteModel,
    summaries: &'a [PostSummary],
    site: &'a SiteContext,
    urls: &Urls,
    kind: TaxonomyKind,
    term: usize,
    posts: &[usize],
    page: PageOf,
) -> TermPage<'a> {
    let taxonomy = model.taxonomy(kind);
    let t = &taxonomy.terms[term];
    TermPage {
        site,
        kind: kind.key(),
        singular: kind.singular(),
        term: term_summary(kind, t, urls),
        posts: posts.iter().map(|&i| &summaries[i]).collect(),
        paginator: Paginator::new(page, urls, |n| taxonomy.term_path(t, n)),
    }
}

fn series_summary<'a>(
    model: &SiteModel,
    summaries: &'a [PostSummary],
    urls: &Urls,
    series: usize,
) -> SeriesSummary<'a> {
    let s = &model.series.series[series];
    SeriesSummary {
        name: s.name.clone(),
        slug: s.slug.clone(),
        url: urls.url(&s.path()),
        total: s.total,
        published: s.published().count(),
        first: s.published().next().map(|(_, p)| &summaries[p]),
    }
}

fn part_lines<'a>(
    model: &SiteModel,
    summaries: &'a [PostSummary],
    series: usize,
    current: Option<usize>,
) -> Vec<SeriesPartLine<'a>> {
    model.series.series[series]
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
pub fn series_box<'a>(
    model: &SiteModel,
    summaries: &'a [PostSummary],
    urls: &Urls,
    nav: SeriesNav,
    post: usize,
) -> SeriesBox<'a> {
    SeriesBox {
        series: series_summary(model, summaries, urls, nav.series),
        part: nav.part,
        parts: part_lines(model, summaries, nav.series, Some(post)),
        previous: nav.previous.map(|i| &summaries[i]),
        next: nav.next.map(|i| &summaries[i]),
    }
}

pub fn series_list<'a>(
    model: &SiteModel,
    summaries: &'a [PostSummary],
    site: &'a SiteContext,
    urls: &Urls,
) -> SeriesListPage<'a> {
    SeriesListPage {
        site,
        series: (0..model.series.series.len()).map(|s| series_summary(model, summaries, urls, s)).collect(),
    }
}

pub fn series_page<'a>(
    model: &SiteModel,
    summaries: &'a [PostSummary],
    site: &'a SiteContext,
    urls: &Urls,
    series: usize,
) -> SeriesPage<'a> {
    SeriesPage {
        site,
        series: series_summary(model, summaries, urls, series),
        parts: part_lines(model, summaries, series, None),
    }
}

/// The posts a feed carries: the newest, or one category's newest.
pub fn feed_posts(model: &SiteModel, category: Option<usize>) -> Vec<usize> {
    match category {
        Some(t) => model.categories.terms[t].posts.iter().copied().take(FEED_POSTS).collect(),
        None => (0..model.posts.len().min(FEED_POSTS)).collect(),
    }
}

/// The Atom feed of the newest posts, or of one category's.
pub fn feed<'a>(
    model: &SiteModel,
    summaries: &'a [PostSummary],
    site: &'a SiteContext,
    urls: &Urls,
    category: Option<usize>,
) -> FeedPage<'a> {
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
pub fn sitemap<'a>(
    model: &SiteModel,
    site: &'a SiteContext,
    urls: &Urls,
    rendered: impl Fn(&PageKind) -> bool,
) -> SitemapPage<'a> {
    let newest = |posts: &[usize]| posts.iter().map(|&i| model.posts[i].date()).max().map(|d| d.to_string());
    let entries = model
        .pages
        .iter()
        .filter(|p| p.kind.is_html() && p.kind != PageKind::NotFound && rendered(&p.kind))
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
    SitemapPage { site, entries }
}

pub fn robots<'a>(site: &'a SiteContext, urls: &Urls) -> RobotsPage<'a> {
    RobotsPage { site, sitemap_url: urls.has_origin().then(|| urls.permalink("sitemap.xml")) }
}
