//! Rendering: loading the theme's Tera templates (a site `templates/` folder overrides
//! them by name) and turning every planned page into HTML from typed contexts.

pub mod context;
pub mod memo;
mod pages;
pub mod rewrite;
mod template_error;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;
use tera::Tera;

use crate::config::SiteConfig;
use crate::error::{display_path, Diagnostic, Errors, Result};
use crate::site::{Page, PageKind, SiteModel, Urls};
use crate::theme::{built_in_files_under, Theme, BUILT_IN_THEME};
use context::{
    build_toc, first_image, shows_code, HomePage, NotFoundPage, PageFrame, Paginator, PostContext, PostPage,
    PostSummary, SiteContext, SnippetsPage,
};
use rewrite::absolute_url;
use template_error::template_error;

/// The site's own template folder, which overrides the theme's.
pub const SITE_TEMPLATES_DIR: &str = "templates";

/// Loaded templates and the file each came from, for error messages.
pub struct Templates {
    tera: Tera,
    sources: BTreeMap<String, PathBuf>,
    /// Pages rendered before, for rebuilds (`gen serve`); `None` renders every time.
    memo: Option<memo::RenderMemo>,
}

impl Templates {
    /// Loads `themes/<theme>/templates/**/*.html` (or the built-in theme's templates),
    /// then the site's `templates/`.
    pub fn load(root: &Path, config: &SiteConfig) -> Result<Templates> {
        let Some(theme) = Theme::locate(root, config) else {
            let theme_dir = config.theme_dir(root);
            let line = std::fs::read_to_string(root.join(crate::config::CONFIG_FILE))
                .ok()
                .and_then(|t| t.lines().position(|l| l.trim_start().starts_with("theme")))
                .map_or(0, |i| i + 1);
            return Err(Diagnostic::new(
                crate::config::CONFIG_FILE,
                line,
                if line > 0 { 1 } else { 0 },
                format!(
                    "the theme \"{}\" does not exist (no folder {})",
                    config.theme,
                    display_path(root, &theme_dir).display()
                ),
            )
            .with_help(format!(
                "create themes/{}/templates/, or set `theme` to one of the folders under themes/ (or to \"{BUILT_IN_THEME}\", the theme built into gen)",
                config.theme
            ))
            .into());
        };
        let mut tera = Tera::default();
        // Tera's default escaper also escapes `/`, which mangles every URL; HTML needs only these.
        tera.set_escape_fn(escape_for_html);
        let mut sources = BTreeMap::new();
        let mut folders = vec![root.join(SITE_TEMPLATES_DIR)];
        match theme {
            Theme::Folder(dir) => folders.insert(0, dir.join("templates")),
            Theme::BuiltIn => {
                // Loaded first and whole, so that the site's templates may extend them.
                let mut raw = Vec::new();
                for (name, bytes) in built_in_files_under("templates") {
                    if !is_template_name(name) {
                        continue;
                    }
                    let text = std::str::from_utf8(bytes).expect("the built-in theme is UTF-8");
                    raw.push((name, text));
                    sources.insert(name.to_string(), PathBuf::from(format!("(built-in theme)/templates/{name}")));
                }
                tera.add_raw_templates(raw).map_err(|e| template_error(&e, root, &sources))?;
            }
        }
        let mut from_files = BTreeMap::new();
        for dir in folders {
            if !dir.is_dir() {
                continue;
            }
            for entry in walkdir::WalkDir::new(&dir).sort_by_file_name() {
                let entry = entry
                    .map_err(|e| Diagnostic::file(display_path(root, &dir), format!("cannot read templates: {e}")))?;
                let path = entry.path();
                let name = path.strip_prefix(&dir).expect("under dir").to_string_lossy().replace('\\', "/");
                if entry.file_type().is_file() && is_template_name(&name) {
                    from_files.insert(name, path.to_path_buf());
                }
            }
        }
        if !from_files.is_empty() {
            sources.extend(from_files.iter().map(|(n, p)| (n.clone(), p.clone())));
            let files: Vec<(PathBuf, Option<String>)> =
                from_files.iter().map(|(n, p)| (p.clone(), Some(n.clone()))).collect();
            tera.add_template_files(files).map_err(|e| template_error(&e, root, &sources))?;
        }
        Ok(Templates { tera, sources, memo: None })
    }

    /// Remembers rendered pages, so that a page whose context has not changed since an
    /// earlier render is not rendered again (see [`memo`]).
    pub fn with_memo(mut self) -> Self {
        self.memo = Some(memo::RenderMemo::default());
        self
    }

    /// The memo of rendered pages, when [`Templates::with_memo`] turned it on.
    pub fn memo(&self) -> Option<&memo::RenderMemo> {
        self.memo.as_ref()
    }

    /// Renders `name` with `context`; errors name the template file.
    pub fn render<C: Serialize>(&self, name: &str, context: &C, root: &Path) -> Result<String> {
        let Some(memo) = &self.memo else { return self.render_fresh(name, context, root) };
        let Some(key) = memo::fingerprint(name, context) else { return self.render_fresh(name, context, root) };
        if let Some(html) = memo.get(key) {
            return Ok(html);
        }
        let html = self.render_fresh(name, context, root)?;
        memo.insert(key, &html);
        Ok(html)
    }

    fn render_fresh<C: Serialize>(&self, name: &str, context: &C, root: &Path) -> Result<String> {
        let cx = tera::Context::from_serialize(context)
            .map_err(|e| Diagnostic::file(name, format!("internal: context did not serialize: {e}")))?;
        self.tera.render(name, &cx).map_err(|e| template_error(&e, root, &self.sources))
    }

    pub fn has(&self, name: &str) -> bool {
        self.sources.contains_key(name)
    }
}

/// Whether a file of a template folder is a template (by its extension).
fn is_template_name(name: &str) -> bool {
    Path::new(name).extension().is_some_and(|x| x == "html" || x == "xml" || x == "txt")
}

/// Autoescaping for templates: `& < > " '` (a template may quote an attribute either way).
fn escape_for_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    pulldown_cmark_escape::escape_html(&mut out, text).expect("writing to a String cannot fail");
    out
}

/// Where rendered pages go as they are rendered: the staging folder of `gen build`, or
/// a map in memory for `gen serve`. Called from several threads at once.
pub trait PageSink: Sync {
    /// Takes page number `index` of the site model (in page order), to be written at
    /// the output path `file`.
    fn put(&self, index: usize, file: String, bytes: Vec<u8>) -> Result<()>;
}

/// Pages kept in memory, in the model's page order.
#[derive(Default)]
pub struct PageList(std::sync::Mutex<Vec<(usize, String, Vec<u8>)>>);

impl PageSink for PageList {
    fn put(&self, index: usize, file: String, bytes: Vec<u8>) -> Result<()> {
        self.0.lock().expect("no panic while holding the page list").push((index, file, bytes));
        Ok(())
    }
}

impl PageList {
    /// Output file → bytes, in the model's page order.
    pub fn into_pages(self) -> Vec<(String, Vec<u8>)> {
        let mut pages = self.0.into_inner().expect("no panic while holding the page list");
        pages.sort_by_key(|(i, _, _)| *i);
        pages.into_iter().map(|(_, f, b)| (f, b)).collect()
    }
}

/// Renders every page of `model`; returns output file → HTML, in page order.
pub fn render_pages(
    model: &SiteModel,
    config: &SiteConfig,
    templates: &Templates,
    root: &Path,
) -> Result<Vec<(String, Vec<u8>)>> {
    let list = PageList::default();
    render_pages_into(model, config, templates, root, &list)?;
    Ok(list.into_pages())
}

/// Renders every page of `model` into `sink` as each is done, in parallel; returns how
/// many pages were rendered. Errors of every page are collected.
pub fn render_pages_into(
    model: &SiteModel,
    config: &SiteConfig,
    templates: &Templates,
    root: &Path,
    sink: &dyn PageSink,
) -> Result<usize> {
    let summaries = summaries(model, &Urls::new(config));
    let all: Vec<usize> = (0..model.pages.len()).collect();
    Renderer::new(model, &summaries, config, templates, root).render(&all, sink)
}

/// [`render_pages_into`] for a build that needs the posts' bodies no longer once they
/// are written (`gen build`), in an order that lets each body go as soon as it can: the
/// pages that are not posts' first (the feeds carry bodies), then the posts' pages a
/// batch at a time, dropping each body once its page is done, and the snippet index
/// pages last (the largest pages, rendered when the bodies are gone).
pub fn render_pages_releasing_bodies(
    model: &mut SiteModel,
    config: &SiteConfig,
    templates: &Templates,
    root: &Path,
    sink: &dyn PageSink,
) -> Result<usize> {
    const BATCH: usize = 256;
    let summaries = summaries(model, &Urls::new(config));
    let is_snippets = |k: &PageKind| matches!(k, PageKind::Snippets | PageKind::SnippetsJson);
    let (mut posts, mut first, mut last) = (Vec::new(), Vec::new(), Vec::new());
    for (i, page) in model.pages.iter().enumerate() {
        match &page.kind {
            PageKind::Post { post } => posts.push((i, *post)),
            k if is_snippets(k) => last.push(i),
            _ => first.push(i),
        }
    }
    let mut errors = Vec::new();
    let mut rendered = 0;
    let mut run = |model: &SiteModel, which: &[usize]| match Renderer::new(model, &summaries, config, templates, root)
        .render(which, sink)
    {
        Ok(n) => rendered += n,
        Err(e) => errors.extend(e.0),
    };
    run(model, &first);
    for batch in posts.chunks(BATCH) {
        run(model, &batch.iter().map(|&(page, _)| page).collect::<Vec<_>>());
        for &(_, post) in batch {
            model.posts[post].rendered.html = String::new();
        }
    }
    run(model, &last);
    if errors.is_empty() {
        Ok(rendered)
    } else {
        Err(Errors(errors).sorted())
    }
}

/// The light form of every post of `model`, as list pages show them.
pub fn summaries(model: &SiteModel, urls: &Urls) -> Vec<PostSummary> {
    (0..model.posts.len()).into_par_iter().map(|i| summary(model, i, urls)).collect()
}

/// The light form of post `i` of `model`, as list pages show it.
pub fn summary(model: &SiteModel, i: usize, urls: &Urls) -> PostSummary {
    PostSummary { scheduled: model.is_scheduled(i), ..PostSummary::new(&model.posts[i], urls) }
}

/// The pages of `model` that show post `post`'s body (not only its summary): its own
/// page and the feeds that carry it in full.
pub fn pages_showing_body(model: &SiteModel, post: usize) -> Vec<usize> {
    model
        .pages
        .iter()
        .enumerate()
        .filter(|(_, page)| match &page.kind {
            PageKind::Post { post: p } => *p == post,
            PageKind::Feed { category } => pages::feed_posts(model, *category).contains(&post),
            _ => false,
        })
        .map(|(i, _)| i)
        .collect()
}

/// What rendering any page of a site reads: the site model and its posts' summaries,
/// the site's context and URLs, the templates, and the site root (for error messages).
pub struct Renderer<'a> {
    pub model: &'a SiteModel,
    pub summaries: &'a [PostSummary],
    pub site: SiteContext,
    pub urls: Urls,
    pub templates: &'a Templates,
    pub root: &'a Path,
}

impl<'a> Renderer<'a> {
    pub fn new(
        model: &'a SiteModel,
        summaries: &'a [PostSummary],
        config: &SiteConfig,
        templates: &'a Templates,
        root: &'a Path,
    ) -> Self {
        let urls = Urls::new(config);
        let site = SiteContext::new(config, &urls);
        Renderer { model, summaries, site, urls, templates, root }
    }

    /// Renders the pages of the model numbered `which` (positions in `model.pages`) into
    /// `sink`, in parallel; a page whose template the theme lacks is left out. Returns
    /// how many pages were rendered; errors of every page are collected.
    pub fn render(&self, which: &[usize], sink: &dyn PageSink) -> Result<usize> {
        let pages: Vec<(usize, &Page)> =
            which.iter().map(|&i| (i, &self.model.pages[i])).filter(|(_, p)| self.has_template(&p.kind)).collect();
        let errors: Vec<Diagnostic> = pages
            .par_iter()
            .filter_map(|&(index, page)| {
                let rendered = self.render_page(page).and_then(|html| {
                    let html = if self.urls.relative && page.kind.is_html() {
                        rewrite::rewrite_urls(&html, |u| rewrite::relative_url(&page.path, u))
                    } else {
                        html
                    };
                    sink.put(index, page.output_file(), html.into_bytes())
                });
                rendered.err()
            })
            .flat_map_iter(|e| e.0)
            .collect();
        if !errors.is_empty() {
            return Err(Errors(errors).sorted());
        }
        Ok(pages.len())
    }

    /// Whether a page of this kind can be rendered: the theme has its template, or it
    /// needs none.
    fn has_template(&self, kind: &PageKind) -> bool {
        pages::template_name(kind).is_none_or(|t| self.templates.has(t))
    }

    /// Whether `page` shows highlighted code: a post's body, or summaries on a list.
    fn has_code(&self, page: &Page) -> bool {
        let any_summary = |posts: &[usize]| posts.iter().any(|&i| shows_code(&self.summaries[i].summary_html));
        match &page.kind {
            PageKind::Post { post } => shows_code(&self.model.posts[*post].rendered.html),
            PageKind::Home { posts, .. } | PageKind::Term { posts, .. } => any_summary(posts),
            _ => false,
        }
    }

    /// Renders template `name` for `page` with `context` and what every page gets beside
    /// it (see [`PageFrame`]).
    fn fill<C: Serialize>(&self, page: &Page, name: &str, context: &C) -> Result<String> {
        let frame = PageFrame {
            data: context,
            page_url: self.urls.url(&page.path),
            page_permalink: self.urls.has_origin().then(|| self.urls.permalink(&page.path)),
            has_code: self.has_code(page),
        };
        self.templates.render(name, &frame, self.root)
    }

    fn render_page(&self, page: &Page) -> Result<String> {
        let (model, summaries, site, urls) = (self.model, self.summaries, &self.site, &self.urls);
        match &page.kind {
            PageKind::Home { posts, page: of } => {
                let cx = HomePage {
                    site,
                    posts: posts.iter().map(|&i| &summaries[i]).collect(),
                    paginator: Paginator::home(*of, urls),
                };
                self.fill(page, "index.html", &cx)
            }
            PageKind::Post { post } => {
                let p = &model.posts[*post];
                let cx = PostPage {
                    site,
                    post: PostContext {
                        summary: &summaries[*post],
                        content: &p.rendered.html,
                        headings: &p.rendered.headings,
                        word_count: p.rendered.word_count,
                        source_path: p.source.path.to_string_lossy().into_owned(),
                        toc: build_toc(&p.rendered.headings),
                        image: first_image(&p.rendered.html).filter(|_| urls.has_origin()).map(|src| {
                            let permalink = urls.permalink(&page.path);
                            absolute_url(src, &permalink, &urls.origin).unwrap_or_else(|| src.to_string())
                        }),
                    },
                    older: summaries.get(*post + 1),
                    newer: post.checked_sub(1).map(|i| &summaries[i]),
                    series: model.series.nav[*post].map(|nav| pages::series_box(self, nav, *post)),
                    related: model.related[*post].iter().map(|&i| &summaries[i]).collect(),
                };
                self.fill(page, "post.html", &cx)
            }
            PageKind::TermList { kind } => self.fill(page, "taxonomy_list.html", &pages::term_list(self, *kind)),
            PageKind::Term { kind, term, posts, page: of } => {
                self.fill(page, "taxonomy_term.html", &pages::term_page(self, *kind, *term, posts, *of))
            }
            PageKind::SeriesList => self.fill(page, "series_list.html", &pages::series_list(self)),
            PageKind::Series { series } => self.fill(page, "series.html", &pages::series_page(self, *series)),
            PageKind::Feed { category } => self.fill(page, "atom.xml", &pages::feed(self, *category)),
            PageKind::Sitemap => self.fill(page, "sitemap.xml", &pages::sitemap(self, |k| self.has_template(k))),
            PageKind::Robots => self.fill(page, "robots.txt", &pages::robots(self)),
            PageKind::NotFound => {
                let cx = NotFoundPage { site, recent: summaries.iter().take(5).collect() };
                self.fill(page, "404.html", &cx)
            }
            PageKind::Alias { post } => Ok(pages::alias_page(self, &page.path, *post)),
            PageKind::Snippets => self.fill(page, "snippets.html", &SnippetsPage::new(site, &model.snippets, urls)),
            PageKind::SnippetsJson => {
                let doc = crate::snippets::json::index_document(&model.snippets, &site.base_url);
                serde_json::to_string_pretty(&doc)
                    .map(|mut s| {
                        s.push('\n');
                        s
                    })
                    .map_err(|e| {
                        Diagnostic::file(
                            crate::site::SNIPPETS_JSON_PATH,
                            format!("internal: the snippet index did not serialize: {e}"),
                        )
                        .into()
                    })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn autoescaping_escapes_both_quotes() {
        assert_eq!(escape_for_html("it's <x> & \"y\" · é"), "it&#39;s &lt;x&gt; &amp; &quot;y&quot; · é");
        assert_eq!(escape_for_html(""), "");
    }
}
