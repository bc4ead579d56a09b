//! The build pipeline, top-down: config → content → markdown → site → render, giving the
//! whole site in memory as a [`BuiltSite`]. `output` writes it; `serve` serves it.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::config::SiteConfig;
use crate::content::{self, PostDate, PostSource};
use crate::error::{display_path, Diagnostic, Errors, Result};
use crate::markdown::snippet::{SnippetExtractor, StatusLookup, UnlabelledBlocks};
use crate::markdown::{self, Highlighter, RenderContext};
use crate::output::StagingFolder;
use crate::render::{self, Templates};
use crate::results::ResultsFile;
use crate::site::links::LinkIndex;
use crate::site::{self, Post, SiteModel, Urls};
use crate::snippets::SnippetIndex;
use crate::theme::{built_in_files_under, Theme};

pub mod incremental;

/// The generated stylesheet for highlighted code.
pub const SYNTAX_CSS: &str = "syntax.css";

/// How to build.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Include posts with `draft = true`.
    pub drafts: bool,
    /// Replace `base_url` from site.toml.
    pub base_url: Option<String>,
    /// Include posts dated in the future (marked `scheduled` in their summaries).
    pub future: bool,
}

/// Counts for the summary line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BuildStats {
    pub posts: usize,
    pub pages: usize,
    pub files: usize,
    pub elapsed: Duration,
}

/// A whole rendered site: output path (relative, `/`-separated) → bytes. The bytes are
/// shared: a rebuild that leaves a page alone hands on the very same bytes, so that
/// `serve` can tell it unchanged without comparing (or copying) it.
#[derive(Debug, Clone, Default)]
pub struct BuiltSite {
    pub files: BTreeMap<String, Arc<[u8]>>,
    pub stats: BuildStats,
}

/// Reads site.toml and applies command-line overrides.
pub fn load_config(root: &Path, opts: &BuildOptions) -> Result<SiteConfig> {
    let mut config = SiteConfig::load(root)?;
    if let Some(url) = &opts.base_url {
        config.base_url = if url.ends_with('/') { url.clone() } else { format!("{url}/") };
    }
    Ok(config)
}

/// Splits posts into those this build publishes and those it leaves out (drafts
/// without `drafts`, posts dated after `now` without `future`).
pub fn select_posts(
    sources: Vec<PostSource>,
    opts: &BuildOptions,
    now: PostDate,
) -> (Vec<PostSource>, Vec<PostSource>) {
    sources
        .into_iter()
        .partition(|p| (opts.drafts || !p.front_matter.draft) && (opts.future || p.front_matter.date <= now))
}

/// What every post's render shares: the highlighter, the links between posts, the last
/// test results, and how code blocks with no language are read.
#[derive(Clone, Copy)]
pub struct PostInputs<'a> {
    pub highlighter: &'a Highlighter,
    pub links: &'a LinkIndex,
    /// Each snippet shows its last test result from these.
    pub statuses: &'a Statuses,
    pub unlabelled: UnlabelledBlocks,
}

impl<'a> PostInputs<'a> {
    /// The inputs for the site of `config`: its `[snippets]` setting says how code blocks
    /// with no language are read.
    pub fn new(
        highlighter: &'a Highlighter,
        links: &'a LinkIndex,
        statuses: &'a Statuses,
        config: &SiteConfig,
    ) -> PostInputs<'a> {
        PostInputs { highlighter, links, statuses, unlabelled: UnlabelledBlocks::of(&config.snippets) }
    }
}

/// Renders each post's Markdown, in parallel; links to other posts' files become their
/// URLs, and the post's snippets are extracted in the same pass. Snippet errors (bad
/// attributes or requirements) of every post are collected.
pub fn render_posts(sources: Vec<PostSource>, inputs: &PostInputs<'_>) -> Result<Vec<Post>> {
    render_posts_for(PostPass::KeepMarkdown, sources, inputs)
}

/// What a pass over the posts keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PostPass {
    /// Everything: HTML, and the Markdown for a later incremental render.
    KeepMarkdown,
    /// HTML; each post's Markdown body is emptied once rendered, and its list of code
    /// blocks (only `gen test` reads them): a one-off build.
    DropMarkdown,
    /// Snippets and code blocks only: no code block is rendered or highlighted.
    ExtractOnly,
}

fn render_posts_for(pass: PostPass, sources: Vec<PostSource>, inputs: &PostInputs<'_>) -> Result<Vec<Post>> {
    Errors::collect(render_each(pass, sources, inputs))
}

/// [`render_posts_for`], each post's result on its own, in input order.
fn render_each(pass: PostPass, sources: Vec<PostSource>, inputs: &PostInputs<'_>) -> Vec<Result<Post>> {
    let keep_markdown = pass == PostPass::KeepMarkdown;
    sources
        .into_par_iter()
        .map(|source| {
            let extractor = SnippetExtractor::new(&source.path, &source.slug, &source.front_matter.snippets)
                .with_statuses(inputs.statuses.clone())
                .with_unlabelled(inputs.unlabelled);
            let extractor = if pass == PostPass::ExtractOnly { extractor.extract_only() } else { extractor };
            let mut cx = RenderContext::new(inputs.highlighter);
            let resolver = inputs.links.resolver(&source.path);
            cx.links = &resolver;
            cx.first_line = source.body_line;
            cx.code_blocks = &extractor;
            let mut rendered = markdown::render_markdown(&source.body, &cx);
            rendered.snippets = extractor.finish()?;
            let mut source = source;
            if !keep_markdown {
                source.body = String::new();
            }
            if pass == PostPass::DropMarkdown {
                rendered.code_blocks = Vec::new();
            }
            let path = site::post_path(&source.slug);
            Ok(Post { source, rendered, path, linked_headings: site::LinkedHeadings::Own })
        })
        .collect()
}

/// Where the build finds each snippet's last `gen test` result.
pub type Statuses = Arc<dyn StatusLookup>;

/// The results file `gen test` wrote at `root` (none: every snippet untested). A broken
/// file (a merge conflict) is an error located in it.
pub fn load_statuses(root: &Path) -> Result<Statuses> {
    Ok(Arc::new(ResultsFile::load(root)?))
}

/// Reads and renders the posts and returns the site's snippet index (for `gen snippets`).
pub fn snippet_index(
    root: &Path,
    opts: &BuildOptions,
    highlighter: &Highlighter,
) -> Result<(SiteConfig, SnippetIndex)> {
    let TestInputs { config, index, broken, .. } = test_inputs(root, opts, highlighter, &load_statuses(root)?)?;
    if !broken.is_empty() {
        return Err(Errors(broken.into_iter().flat_map(|b| b.errors.0).collect()));
    }
    Ok((config, index))
}

/// A code block that is not a snippet (`apache`, `ini`, no language and no prompts), with
/// its post file: `gen test` lints its text.
#[derive(Debug, Clone)]
pub struct OtherBlock {
    pub file: std::path::PathBuf,
    pub slug: String,
    pub block: markdown::CodeBlock,
}

/// What `gen test` checks: the site's snippet index and its other code blocks.
pub struct TestInputs {
    pub config: SiteConfig,
    pub index: SnippetIndex,
    pub others: Vec<OtherBlock>,
    /// Whether a post was left out only because its date is still to come (it will be
    /// in later, with the same files).
    pub scheduled: bool,
    /// The posts that could not be read or rendered (front matter, Markdown or snippet
    /// errors), in file order: their snippets are not in `index`.
    pub broken: Vec<BrokenPost>,
}

/// A post `gen test` could not read or render, with its errors, located and sorted.
#[derive(Debug, Clone)]
pub struct BrokenPost {
    /// The post file, relative to the site root.
    pub file: std::path::PathBuf,
    pub errors: Errors,
}

impl BrokenPost {
    fn new(errors: Errors) -> BrokenPost {
        let errors = errors.sorted();
        let file = errors.0.first().map(|d| d.file.clone()).unwrap_or_default();
        BrokenPost { file, errors }
    }
}

/// The [`TestInputs`] of the site, extracted without rendering code blocks; each
/// snippet's status comes from `statuses`. A post whose front matter or Markdown is
/// broken is left out and listed in [`TestInputs::broken`]; the others are read as usual.
pub fn test_inputs(
    root: &Path,
    opts: &BuildOptions,
    highlighter: &Highlighter,
    statuses: &Statuses,
) -> Result<TestInputs> {
    let config = load_config(root, opts)?;
    let now = PostDate::now();
    let mut broken = Vec::new();
    let mut read = Vec::new();
    for post in content::read_posts(root)? {
        match post {
            Ok(source) => read.push(source),
            Err(errors) => broken.push(BrokenPost::new(errors)),
        }
    }
    let (sources, left_out) = select_posts(read, opts, now);
    let scheduled = left_out.iter().any(|p| p.front_matter.date > now);
    let links =
        LinkIndex::new(&sources, &Urls::new(&config)).with_unpublished(left_out.iter().map(|p| p.path.as_path()));
    let inputs = PostInputs::new(highlighter, &links, statuses, &config);
    let mut posts = Vec::new();
    for post in render_each(PostPass::ExtractOnly, sources, &inputs) {
        match post {
            Ok(post) => posts.push(post),
            Err(errors) => broken.push(BrokenPost::new(errors)),
        }
    }
    broken.sort_by(|a, b| a.file.cmp(&b.file));
    let index = site::snippet_index(&posts)?;
    let others = posts
        .iter()
        .flat_map(|p| {
            let is_snippet = |b: &markdown::CodeBlock| {
                markdown::snippet::is_snippet_lang(&b.lang) || p.rendered.snippets.iter().any(|s| s.line == b.line)
            };
            p.rendered.code_blocks.iter().filter(move |b| !is_snippet(b)).map(|b| OtherBlock {
                file: p.source.path.clone(),
                slug: p.slug().to_string(),
                block: b.clone(),
            })
        })
        .collect();
    Ok(TestInputs { config, index, others, scheduled, broken })
}

/// Reads `static/` of the theme (its folder or the built-in one), then of the site
/// (which wins), into memory.
pub fn collect_static(root: &Path, config: &SiteConfig) -> Result<BTreeMap<String, Vec<u8>>> {
    collect_static_where(root, config, |_| true)
}

/// [`collect_static`], leaving out (and not descending into) the entries `keep` refuses.
pub fn collect_static_where(
    root: &Path,
    config: &SiteConfig,
    mut keep: impl FnMut(&walkdir::DirEntry) -> bool,
) -> Result<BTreeMap<String, Vec<u8>>> {
    let mut files = BTreeMap::new();
    let mut folders = vec![root.join("static")];
    match Theme::locate(root, config) {
        Some(Theme::Folder(dir)) => folders.insert(0, dir.join("static")),
        Some(Theme::BuiltIn) => {
            files.extend(built_in_files_under("static").map(|(rel, bytes)| (rel.to_string(), bytes.to_vec())))
        }
        // Templates::load reports the missing theme.
        None => {}
    }
    for dir in folders {
        if !dir.is_dir() {
            continue;
        }
        for entry in
            walkdir::WalkDir::new(&dir).follow_links(true).sort_by_file_name().into_iter().filter_entry(&mut keep)
        {
            let entry = entry.map_err(|e| {
                let path = e.path().map_or_else(|| display_path(root, &dir), |p| display_path(root, p));
                Diagnostic::file(path, format!("cannot read a static file: {e}"))
                    .with_help("fix or remove the file or link")
            })?;
            if entry.file_type().is_file() {
                let rel = entry.path().strip_prefix(&dir).expect("under dir").to_string_lossy().replace('\\', "/");
                let bytes = std::fs::read(entry.path()).map_err(|e| {
                    Diagnostic::file(display_path(root, entry.path()), format!("cannot read a static file: {e}"))
                })?;
                files.insert(rel, bytes);
            }
        }
    }
    Ok(files)
}

/// Builds the site at `root` into memory.
pub fn build_site(root: &Path, opts: &BuildOptions, highlighter: &Highlighter) -> Result<BuiltSite> {
    let started = Instant::now();
    let (config, templates, model) = plan_site(root, opts, highlighter)?;
    let mut built = render_model(root, &config, &model, &templates)?;
    built.stats.elapsed = started.elapsed();
    Ok(built)
}

/// Builds the site at `root` into the folder `out`, writing each page as soon as it is
/// rendered into a staging folder that replaces `out` at the end (see
/// [`StagingFolder`]); the rendered site is never held in memory whole.
pub fn build_site_to_folder(
    root: &Path,
    opts: &BuildOptions,
    highlighter: &Highlighter,
    out: &Path,
) -> Result<BuildStats> {
    let started = Instant::now();
    let (config, templates, mut model) = plan_site(root, opts, highlighter)?;
    // The site's snippet index has its own copy of every snippet, and links are checked.
    for post in &mut model.posts {
        post.rendered.snippets = Vec::new();
        post.rendered.links = Vec::new();
    }
    // Every block is highlighted by now; its copy in the cache would only take room.
    highlighter.forget_blocks();
    let statics = collect_static(root, &config)?;
    let cannot_write = |e: std::io::Error| -> Errors {
        Diagnostic::file(out, format!("cannot write the site: {e}"))
            .with_help("check that the output folder's parent exists and is writable")
            .into()
    };
    let staging = StagingFolder::create(out).map_err(cannot_write)?;
    staging.write_all(&statics).map_err(cannot_write)?;
    staging.write(SYNTAX_CSS, &syntax_stylesheet(&config)).map_err(cannot_write)?;
    let sink = StaticsFirst { staging: &staging, statics: &statics, overlaps: AtomicUsize::new(0), out };
    let pages = render::render_pages_releasing_bodies(&mut model, &config, &templates, root, &sink)?;
    let skipped = usize::from(
        statics.contains_key("robots.txt")
            && model.pages.iter().any(|p| p.output_file() == "robots.txt" && p.kind == site::PageKind::Robots),
    );
    let overlaps = sink.overlaps.into_inner();
    staging.swap_in().map_err(cannot_write)?;
    let pages = pages - skipped;
    let files = statics.len() + usize::from(!statics.contains_key(SYNTAX_CSS)) + pages - overlaps;
    Ok(BuildStats { posts: model.posts.len(), pages, files, elapsed: started.elapsed() })
}

/// Writes rendered pages into the staging folder after the static files, like
/// [`assemble_site`]: a page replaces a static file of the same path, except that a
/// site's own static robots.txt wins over the generated one.
struct StaticsFirst<'a> {
    staging: &'a StagingFolder,
    statics: &'a BTreeMap<String, Vec<u8>>,
    /// Pages written over a static file (or the stylesheet), for the file count.
    overlaps: AtomicUsize,
    out: &'a Path,
}

impl render::PageSink for StaticsFirst<'_> {
    fn put(&self, _index: usize, file: String, bytes: Vec<u8>) -> Result<()> {
        let is_static = self.statics.contains_key(&file);
        if is_static && file == "robots.txt" {
            return Ok(());
        }
        if is_static || file == SYNTAX_CSS {
            self.overlaps.fetch_add(1, Ordering::Relaxed);
        }
        self.staging.write(&file, &bytes).map_err(|e| {
            Diagnostic::file(self.out, format!("cannot write the site ({file}): {e}"))
                .with_help("check that the output folder's parent exists and is writable")
                .into()
        })
    }
}

/// Reads, selects and renders the posts and plans the site's pages. The posts' Markdown
/// is dropped once rendered: a one-off build does not need it again.
fn plan_site(
    root: &Path,
    opts: &BuildOptions,
    highlighter: &Highlighter,
) -> Result<(SiteConfig, Templates, SiteModel)> {
    let config = load_config(root, opts)?;
    // syntect's syntaxes are loaded meanwhile, not by the first post with a code block
    // while the other threads wait for them.
    let ((templates, sources), ()) = rayon::join(
        || rayon::join(|| Templates::load(root, &config), || content::load_posts(root)),
        || highlighter.load_syntaxes(),
    );
    let (templates, sources) = merge_errors(templates, sources)?;
    let now = PostDate::now();
    let (sources, left_out) = select_posts(sources, opts, now);
    let links =
        LinkIndex::new(&sources, &Urls::new(&config)).with_unpublished(left_out.iter().map(|p| p.path.as_path()));
    drop(left_out);
    let statuses = load_statuses(root)?;
    let inputs = PostInputs::new(highlighter, &links, &statuses, &config);
    let mut posts = render_posts_for(PostPass::DropMarkdown, sources, &inputs)?;
    links.check_and_fix(&mut posts)?;
    let model = site::build_site_model_at(posts, &config, now)?;
    Ok((config, templates, model))
}

/// Renders a planned site and adds static files and the syntax stylesheet.
pub fn render_model(root: &Path, config: &SiteConfig, model: &SiteModel, templates: &Templates) -> Result<BuiltSite> {
    let pages = render::render_pages(model, config, templates, root)?;
    let statics = collect_static(root, config)?;
    Ok(assemble_site(statics, syntax_stylesheet(config), pages, model.posts.len()))
}

/// The stylesheet for highlighted code, from the themes site.toml names.
pub fn syntax_stylesheet(config: &SiteConfig) -> Vec<u8> {
    Highlighter::stylesheet(&config.markdown.highlight_theme, &config.markdown.highlight_theme_dark).into_bytes()
}

/// Puts a site together: static files, then the syntax stylesheet, then the pages (a
/// later one wins over an earlier one of the same path).
pub fn assemble_site(
    statics: BTreeMap<String, Vec<u8>>,
    syntax_css: Vec<u8>,
    pages: Vec<(String, Vec<u8>)>,
    posts: usize,
) -> BuiltSite {
    let mut files: BTreeMap<String, Arc<[u8]>> = statics.into_iter().map(|(k, v)| (k, Arc::from(v))).collect();
    // A site's own static robots.txt wins over the generated one.
    let static_robots = files.contains_key("robots.txt");
    let pages: Vec<_> = pages.into_iter().filter(|(name, _)| !(static_robots && name == "robots.txt")).collect();
    let page_count = pages.len();
    files.insert(SYNTAX_CSS.into(), Arc::from(syntax_css));
    files.extend(pages.into_iter().map(|(k, v)| (k, Arc::from(v))));
    let stats = BuildStats { posts, pages: page_count, files: files.len(), elapsed: Duration::ZERO };
    BuiltSite { files, stats }
}

fn merge_errors<A, B>(a: Result<A>, b: Result<B>) -> Result<(A, B)> {
    match (a, b) {
        (Ok(a), Ok(b)) => Ok((a, b)),
        (Err(e), Ok(_)) | (Ok(_), Err(e)) => Err(e),
        (Err(mut e1), Err(e2)) => {
            e1.0.extend(e2.0);
            Err(Errors(e1.0))
        }
    }
}
