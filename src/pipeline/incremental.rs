//! Incremental rebuilds (for `gen serve`): the stages of [`build_site`](super::build_site),
//! keeping between builds what a change did not touch. A changed post is read and its
//! Markdown rendered again; the other posts are reused as they were. Templates are
//! reloaded only when a template changed, and pages whose context did not change are not
//! rendered again (the [`RenderMemo`](crate::render::memo::RenderMemo) of [`Templates`]).
//! A static file change re-reads static files only; a `site.toml` change starts afresh.
//! A change of `gen test`'s results file renders every post again if the results differ
//! (each snippet shows its status).
//! An edit of posts' bodies alone takes a quicker path still ([`body_edit`]): only the
//! pages showing those bodies are rendered, the rest of the last build is handed on.
//! The result is the same [`BuiltSite`] a full build gives.

mod body_edit;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use rayon::prelude::*;

use super::{
    assemble_site, collect_static_where, load_config, merge_errors, render_posts, syntax_stylesheet, BuildOptions,
    BuiltSite, PostInputs, Statuses,
};
use crate::config::{SiteConfig, CONFIG_FILE};
use crate::content::PostDate;
use crate::content::{self, PostSource, CONTENT_DIR};
use crate::error::{display_path, Diagnostic, Errors, Result};
use crate::markdown::snippet::Snippet;
use crate::markdown::Highlighter;
use crate::render::context::PostSummary;
use crate::render::{self, Templates, SITE_TEMPLATES_DIR};
use crate::results::{ResultsFile, RESULTS_FILE};
use crate::site::links::LinkIndex;
use crate::site::Urls;
use crate::site::{self, LinkedHeadings, Post, SiteModel};
use body_edit::LastBuild;

/// What changed since the last build, by kind of input.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    pub config: bool,
    pub templates: bool,
    pub statics: bool,
    pub content: bool,
    /// The results file of `gen test` (`snippet-results.toml`).
    pub results: bool,
    /// Post files named by file-system events, relative to the site root. They are read
    /// again even when their size and modification time look unchanged.
    pub posts: Vec<PathBuf>,
    /// Something under `content/` other than a post file changed (a folder, say): every
    /// file there is looked at, not just `posts`.
    pub content_other: bool,
}

impl Changes {
    /// Everything, as for a first build.
    pub fn everything() -> Self {
        Changes {
            config: true,
            templates: true,
            statics: true,
            content: true,
            results: true,
            posts: Vec::new(),
            content_other: true,
        }
    }

    pub fn is_empty(&self) -> bool {
        !(self.config || self.templates || self.statics || self.content || self.results)
    }

    /// Adds the inputs `other` names.
    pub fn merge(&mut self, other: &Changes) {
        self.config |= other.config;
        self.templates |= other.templates;
        self.statics |= other.statics;
        self.content |= other.content;
        self.results |= other.results;
        self.content_other |= other.content_other;
        for p in &other.posts {
            if !self.posts.contains(p) {
                self.posts.push(p.clone());
            }
        }
    }

    /// Sorts changed paths (absolute, or relative to `root`) into kinds of input. Paths
    /// outside the site's inputs, and the files editors leave behind, are left out.
    pub fn classify(root: &Path, paths: &[PathBuf]) -> Changes {
        let mut changes = Changes::default();
        for path in paths {
            let rel = path.strip_prefix(root).unwrap_or(path);
            if rel.file_name().is_some_and(|n| is_editor_leftover(&n.to_string_lossy())) {
                continue;
            }
            let mut parts = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned());
            match parts.next().as_deref() {
                Some(CONFIG_FILE) if rel.components().count() == 1 => changes.config = true,
                Some(RESULTS_FILE) if rel.components().count() == 1 => changes.results = true,
                Some(CONTENT_DIR) => {
                    changes.content = true;
                    if rel.extension().is_some_and(|x| x == "md") {
                        changes.posts.push(rel.to_path_buf());
                    } else {
                        changes.content_other = true;
                    }
                }
                Some(SITE_TEMPLATES_DIR) => changes.templates = true,
                Some("static") => changes.statics = true,
                Some("themes") => {
                    // themes/<name>/static/... is copied; anything else of a theme is templates.
                    let _theme = parts.next();
                    if parts.next().as_deref() == Some("static") {
                        changes.statics = true;
                    } else {
                        changes.templates = true;
                    }
                }
                _ => {}
            }
        }
        changes
    }
}

/// Files that editors and tools write next to the real ones (swap files, backups, Vim's
/// `4913` probe): never inputs.
pub fn is_editor_leftover(name: &str) -> bool {
    content::is_ignored(name) || name == "4913" || name.ends_with(".bak") || name.ends_with(".orig")
}

/// What one rebuild did, for the terminal and for tests.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RebuildReport {
    pub config_reloaded: bool,
    pub templates_reloaded: bool,
    pub statics_reloaded: bool,
    /// Posts whose Markdown was rendered again.
    pub posts_rendered: usize,
    /// Posts reused from the previous build.
    pub posts_reused: usize,
    /// Pages rendered with Tera (the others came from the memo).
    pub pages_rendered: usize,
    pub pages: usize,
    pub elapsed: Duration,
}

/// A file's size and modification time: when both are as before, the file is taken to
/// be unchanged (unless an event named it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileStamp {
    len: u64,
    modified: Option<SystemTime>,
}

impl FileStamp {
    fn of(path: &Path) -> Option<FileStamp> {
        let meta = std::fs::metadata(path).ok()?;
        Some(FileStamp { len: meta.len(), modified: meta.modified().ok() })
    }
}

/// (source file, slug) of posts.
type PostSet = Vec<(PathBuf, String)>;

/// Output path → HTML, as `render::render_pages` gives them.
type RenderedPages = Vec<(String, Vec<u8>)>;

/// What a build reads besides the posts and the results file, as the last successful
/// build read it. A rebuild reads again what changed and reuses the rest; a failed
/// rebuild leaves it as it was (its changes stay pending, see [`SiteCache::rebuild`]).
struct SiteInputs {
    config: SiteConfig,
    /// With a memo of the pages rendered (see [`Templates::with_memo`]).
    templates: Arc<Templates>,
    statics: Arc<BTreeMap<String, Vec<u8>>>,
    syntax_css: Arc<[u8]>,
}

/// The posts published, and what the cached posts were rendered with: when any of it
/// changes, every post's Markdown is rendered again. Kept as the last build that read
/// the posts left it, failed or not, since the cached posts are those it rendered.
struct Published {
    /// The configuration the posts were rendered with (a different one drops them).
    config: SiteConfig,
    /// The results file of `gen test` the posts were rendered with (each snippet shows
    /// its status).
    results: Arc<ResultsFile>,
    /// (file, slug) of every post: when it changes, links between posts may resolve
    /// differently.
    posts: PostSet,
    /// Where each post is published, for links between posts; follows `posts`.
    links: LinkIndex,
}

impl Published {
    /// `left_out` are the posts not published (drafts, say), which links may not point to.
    fn new(config: &SiteConfig, results: &Arc<ResultsFile>, posts: PostSet, left_out: &PostSet) -> Self {
        let urls = Urls::new(config);
        let links = LinkIndex::from_files(posts.iter().map(|(p, s)| (p.as_path(), s.as_str())), &urls)
            .with_unpublished(left_out.iter().map(|(p, _)| p.as_path()));
        Published { config: config.clone(), results: Arc::clone(results), posts, links }
    }
}

/// Which posts [`SiteCache::refresh_posts`] renders again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rerender {
    /// Those whose files changed (every post when posts came, went or changed slugs).
    Changed,
    /// Every post: the snippets' results changed, and each post shows them.
    Every,
}

/// How many posts [`SiteCache::refresh_posts`] rendered and how many it kept.
struct PostCounts {
    rendered: usize,
    reused: usize,
}

/// The state kept between builds of one site.
pub struct SiteCache {
    root: PathBuf,
    opts: BuildOptions,
    /// What the last successful build read besides the posts; `None` before one.
    inputs: Option<SiteInputs>,
    /// Rendered posts by file path relative to the root (as [`PostSource::path`]).
    /// Between rebuilds they live in `last`'s site model instead.
    posts: HashMap<PathBuf, Post>,
    /// The last successful build, for edits of posts' bodies.
    last: Option<LastBuild>,
    /// The stamp of each cached post's file when it was read.
    stamps: HashMap<PathBuf, Option<FileStamp>>,
    /// What the cached posts were rendered with; `None` before any were, and after the
    /// configuration changed.
    published: Option<Published>,
    static_warnings: Vec<Diagnostic>,
    /// Changes not yet built successfully: a failed build leaves them for the next.
    pending: Changes,
}

impl SiteCache {
    pub fn new(root: &Path, opts: BuildOptions) -> Self {
        SiteCache {
            root: root.to_path_buf(),
            opts,
            inputs: None,
            posts: HashMap::new(),
            last: None,
            stamps: HashMap::new(),
            published: None,
            static_warnings: Vec::new(),
            pending: Changes::everything(),
        }
    }

    /// The site root and the options this cache builds with.
    pub fn identity(&self) -> (PathBuf, BuildOptions) {
        (self.root.clone(), self.opts.clone())
    }

    /// The configuration of the last successful build.
    pub fn config(&self) -> Option<&SiteConfig> {
        self.inputs.as_ref().map(|inputs| &inputs.config)
    }

    /// The snippets of the post at `file` (relative to the root, as
    /// [`PostSource::path`]) as the cache holds them; `None` for no such post.
    pub fn snippets_of(&self, file: &Path) -> Option<&[Snippet]> {
        let last = self.last.as_ref().and_then(|last| last.index.get(file).map(|&i| &last.model.posts[i]));
        last.or_else(|| self.posts.get(file)).map(|post| post.rendered.snippets.as_slice())
    }

    /// Problems that do not stop the build (such as static links out of the site).
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.static_warnings
    }

    /// Builds the site again after `changes`. On failure the changes stay pending, so
    /// that the next rebuild looks at them again whatever it is told, and the inputs of
    /// the last successful build stay those the next rebuild starts from.
    pub fn rebuild(&mut self, changes: &Changes, highlighter: &Highlighter) -> Result<(BuiltSite, RebuildReport)> {
        let started = Instant::now();
        self.pending.merge(changes);
        let todo = self.pending.clone();
        if let Some(quick) = self.rebuild_bodies(&todo, highlighter, started) {
            self.pending = Changes::default();
            return Ok(quick);
        }
        self.take_back_posts();
        let last_inputs = self.inputs.take();
        let rebuilt = self.rebuild_all(&todo, last_inputs.as_ref(), highlighter, started);
        match rebuilt {
            Ok(_) => self.pending = Changes::default(),
            Err(_) => self.inputs = last_inputs,
        }
        rebuilt
    }

    /// The full rebuild: reads what changed since `last` (everything without it), renders
    /// the posts that need it and plans and renders every page.
    fn rebuild_all(
        &mut self,
        todo: &Changes,
        last: Option<&SiteInputs>,
        highlighter: &Highlighter,
        started: Instant,
    ) -> Result<(BuiltSite, RebuildReport)> {
        let mut report = RebuildReport::default();
        let inputs = self.read_inputs(todo, last, highlighter, &mut report)?;
        let (pages, model, summaries) = self.render_pages(&inputs, &mut report)?;
        report.pages = pages.len();
        let statics = BTreeMap::clone(&inputs.statics);
        let mut built = assemble_site(statics, inputs.syntax_css.to_vec(), pages, model.posts.len());
        built.stats.elapsed = started.elapsed();
        report.elapsed = built.stats.elapsed;
        self.inputs = Some(inputs);
        self.last = Some(LastBuild::new(model, summaries, built.clone()));
        Ok((built, report))
    }

    /// Reads the inputs that changed since `last` (all of them without it, or when the
    /// configuration changed) and renders the posts that need it; the rest is reused.
    fn read_inputs(
        &mut self,
        todo: &Changes,
        last: Option<&SiteInputs>,
        highlighter: &Highlighter,
        report: &mut RebuildReport,
    ) -> Result<SiteInputs> {
        let config = match last {
            Some(last) if !todo.config => last.config.clone(),
            _ => load_config(&self.root, &self.opts)?,
        };
        // What depends on the configuration is kept only while it is the same.
        let kept = last.filter(|last| last.config == config);
        report.config_reloaded = kept.is_none();
        // Posts rendered with another configuration (by the last build, or by a failed
        // one since) are read and rendered again.
        if self.published.as_ref().is_some_and(|published| published.config != config) {
            self.posts.clear();
            self.stamps.clear();
            self.published = None;
        }
        let results = match &self.published {
            Some(published) if !todo.results => Arc::clone(&published.results),
            _ => Arc::new(ResultsFile::load(&self.root)?),
        };
        let results_changed = self.published.as_ref().is_none_or(|published| published.results != results);
        let kept_templates = kept.filter(|_| !todo.templates).map(|kept| Arc::clone(&kept.templates));
        report.templates_reloaded = kept_templates.is_none();
        let reload_posts = todo.content || report.config_reloaded || results_changed;
        let rerender = if results_changed { Rerender::Every } else { Rerender::Changed };
        let root = self.root.clone();
        let (templates, posts) = rayon::join(
            || match kept_templates {
                Some(templates) => Ok(templates),
                None => Templates::load(&root, &config).map(|t| Arc::new(t.with_memo())),
            },
            || reload_posts.then(|| self.refresh_posts(todo, &config, &results, highlighter, rerender)).transpose(),
        );
        let (templates, posts) = merge_errors(templates, posts)?;
        match posts {
            Some(counts) => (report.posts_rendered, report.posts_reused) = (counts.rendered, counts.reused),
            None => report.posts_reused = self.posts.len(),
        }
        let statics = match kept.filter(|_| !todo.statics) {
            Some(kept) => Arc::clone(&kept.statics),
            None => {
                let statics = Arc::new(self.read_statics(&config)?);
                report.statics_reloaded = true;
                statics
            }
        };
        let syntax_css = match kept {
            Some(kept) => Arc::clone(&kept.syntax_css),
            None => Arc::from(syntax_stylesheet(&config)),
        };
        Ok(SiteInputs { config, templates, statics, syntax_css })
    }

    /// The quick rebuild when only existing posts' files changed and each changed its
    /// body alone (see [`body_edit`]); `None` when the full rebuild is needed.
    fn rebuild_bodies(
        &mut self,
        todo: &Changes,
        highlighter: &Highlighter,
        started: Instant,
    ) -> Option<(BuiltSite, RebuildReport)> {
        let only_posts = todo.content && !todo.content_other && !todo.posts.is_empty();
        if !only_posts || todo.config || todo.templates || todo.statics || todo.results {
            return None;
        }
        let (last, inputs, published) = (self.last.as_mut()?, self.inputs.as_ref()?, self.published.as_ref()?);
        let statuses: Statuses = published.results.clone();
        let cx = body_edit::Inputs {
            root: &self.root,
            config: &inputs.config,
            templates: &inputs.templates,
            links: &published.links,
            statuses: &statuses,
            highlighter,
        };
        let done = body_edit::rebuild_bodies(last, &todo.posts, &cx)?;
        for file in &todo.posts {
            self.stamps.insert(file.clone(), FileStamp::of(&self.root.join(file)));
        }
        let mut built = last.built.clone();
        built.stats.elapsed = started.elapsed();
        let report = RebuildReport {
            posts_rendered: done.posts_rendered,
            posts_reused: last.model.posts.len() - done.posts_rendered,
            pages_rendered: done.pages_rendered,
            pages: built.stats.pages,
            elapsed: built.stats.elapsed,
            ..RebuildReport::default()
        };
        Some((built, report))
    }

    /// Moves the posts of the last build back into the cache, for a full rebuild.
    fn take_back_posts(&mut self) {
        if let Some(last) = self.last.take() {
            self.posts.extend(last.model.posts.into_iter().map(|p| (p.source.path.clone(), p)));
        }
    }

    /// Plans and renders every page from the cached posts; the memo skips the pages
    /// whose context is as before. On failure the posts go back into the cache; on
    /// success they are in the returned site model, with their summaries.
    fn render_pages(
        &mut self,
        inputs: &SiteInputs,
        report: &mut RebuildReport,
    ) -> Result<(RenderedPages, SiteModel, Vec<PostSummary>)> {
        let config = &inputs.config;
        let mut posts: Vec<Post> = self.posts.drain().map(|(_, p)| p).collect();
        let checked = self.published.as_ref().map_or(Ok(()), |published| published.links.check_and_fix(&mut posts));
        if let Err(e) = checked {
            self.posts.extend(posts.into_iter().map(|p| (p.source.path.clone(), p)));
            return Err(e);
        }
        if self.published.as_ref().is_some_and(|published| has_duplicate_slugs(&published.posts)) {
            // build_site_model reports them; give it a copy so that the cache survives.
            let err = site::build_site_model(posts.clone(), config).err();
            self.posts.extend(posts.into_iter().map(|p| (p.source.path.clone(), p)));
            return Err(err.unwrap_or_else(|| Errors(Vec::new())));
        }
        let model = site::build_site_model(posts, config)?;
        let templates = &inputs.templates;
        let memo = templates.memo().expect("the cache's templates keep a memo");
        let before = memo.render_count();
        let summaries = render::summaries(&model, &Urls::new(config));
        let all: Vec<usize> = (0..model.pages.len()).collect();
        let list = render::PageList::default();
        let rendered = render::Renderer::new(&model, &summaries, config, templates, &self.root).render(&all, &list);
        memo.end_pass();
        report.pages_rendered = memo.render_count() - before;
        if let Err(e) = rendered {
            self.posts.extend(model.posts.into_iter().map(|p| (p.source.path.clone(), p)));
            return Err(e);
        }
        Ok((list.into_pages(), model, summaries))
    }

    /// Reads static files; symbolic links that lead out of the site are left out and
    /// reported as warnings.
    fn read_statics(&mut self, config: &SiteConfig) -> Result<BTreeMap<String, Vec<u8>>> {
        let real_root = self.root.canonicalize().unwrap_or_else(|_| self.root.clone());
        let mut refused = Vec::new();
        let root = &self.root;
        let statics = collect_static_where(root, config, |entry| {
            if !entry.path_is_symlink() {
                return true;
            }
            let inside = entry.path().canonicalize().is_ok_and(|real| real.starts_with(&real_root));
            if !inside {
                refused.push(
                    Diagnostic::file(
                        display_path(root, entry.path()),
                        "this symbolic link points outside the site; it is not served",
                    )
                    .with_help("copy the file into the site instead of linking to it"),
                );
            }
            inside
        })?;
        self.static_warnings = refused;
        Ok(statics)
    }

    /// Finds the posts, reads the files that changed and renders their Markdown with
    /// `results`; the other posts stay in the cache as they are (unless `rerender` says
    /// every post, or their HTML depends on other posts' headings). Every post's errors
    /// are collected.
    fn refresh_posts(
        &mut self,
        todo: &Changes,
        config: &SiteConfig,
        results: &Arc<ResultsFile>,
        highlighter: &Highlighter,
        rerender: Rerender,
    ) -> Result<PostCounts> {
        let files = content::find_post_files(&self.root)?;
        let named: HashSet<&PathBuf> = todo.posts.iter().collect();
        let mut old_posts = std::mem::take(&mut self.posts);
        let old_stamps = std::mem::take(&mut self.stamps);
        let mut to_read: Vec<(PathBuf, Option<FileStamp>, Option<Post>)> = Vec::new();
        for file in files {
            let rel = display_path(&self.root, &file);
            let stamp = FileStamp::of(&file);
            // A post whose HTML depends on other posts' headings is rendered again.
            let cached = old_posts.remove(&rel).filter(|p| p.linked_headings == LinkedHeadings::Own);
            let unchanged = stamp.is_some() && old_stamps.get(&rel) == Some(&stamp) && !named.contains(&rel);
            match cached {
                Some(post) if unchanged => self.keep(post, stamp),
                cached => to_read.push((file, stamp, cached)),
            }
        }
        // Whatever is left in `old_posts` belongs to files that are gone.
        let read: Vec<(Result<PostSource>, Option<FileStamp>, Option<Post>)> = to_read
            .into_par_iter()
            .map(|(file, stamp, cached)| (content::read_post(&self.root, &file), stamp, cached))
            .collect();
        let mut errors = Vec::new();
        let mut fresh: Vec<(PostSource, Option<FileStamp>)> = Vec::new();
        for (source, stamp, cached) in read {
            match (source, cached) {
                (Ok(source), Some(post)) if post.source == source => self.keep(post, stamp),
                (Ok(source), _) => fresh.push((source, stamp)),
                (Err(e), _) => errors.extend(e.0),
            }
        }
        if !errors.is_empty() {
            return Err(Errors(errors).sorted());
        }
        // The same selection as a full build (pipeline::select_posts).
        let now = PostDate::now();
        let opts = &self.opts;
        let selected =
            |s: &PostSource| (opts.drafts || !s.front_matter.draft) && (opts.future || s.front_matter.date <= now);
        let (mut post_set, mut left_out): (PostSet, PostSet) = self
            .posts
            .values()
            .map(|p| &p.source)
            .chain(fresh.iter().map(|(s, _)| s))
            .map(|s| (selected(s), (s.path.clone(), s.slug.clone())))
            .fold((Vec::new(), Vec::new()), |(mut yes, mut no), (keep, entry)| {
                if keep {
                    yes.push(entry)
                } else {
                    no.push(entry)
                }
                (yes, no)
            });
        post_set.sort();
        left_out.sort();
        let post_set_changed = self.published.as_ref().is_none_or(|published| published.posts != post_set);
        let published = match self.published.take() {
            Some(published) if !post_set_changed => Published { results: Arc::clone(results), ..published },
            _ => Published::new(config, results, post_set, &left_out),
        };
        let links = &self.published.insert(published).links;
        // Posts that left the selection (a post turned draft, say) leave the cache.
        let unselected: Vec<PathBuf> =
            self.posts.iter().filter(|(_, p)| !selected(&p.source)).map(|(k, _)| k.clone()).collect();
        for path in unselected {
            self.posts.remove(&path);
            self.stamps.remove(&path);
        }
        if post_set_changed || rerender == Rerender::Every {
            // A post appeared, went or changed its slug: render every post again, since
            // links between posts may now resolve differently (the highlighter's cache
            // keeps this cheap). Likewise when the snippets' results changed.
            for (path, post) in self.posts.drain() {
                let stamp = self.stamps.remove(&path).flatten();
                fresh.push((post.source, stamp));
            }
        }
        let (sources, stamps): (Vec<PostSource>, Vec<Option<FileStamp>>) =
            fresh.into_iter().filter(|(s, _)| selected(s)).unzip();
        let rendered_count = sources.len();
        let statuses: Statuses = results.clone();
        let inputs = PostInputs::new(highlighter, links, &statuses, config);
        let rendered = render_posts(sources, &inputs)?;
        for (post, stamp) in rendered.into_iter().zip(stamps) {
            self.keep(post, stamp);
        }
        Ok(PostCounts { rendered: rendered_count, reused: self.posts.len() - rendered_count })
    }

    fn keep(&mut self, post: Post, stamp: Option<FileStamp>) {
        let path = post.source.path.clone();
        self.stamps.insert(path.clone(), stamp);
        self.posts.insert(path, post);
    }
}

fn has_duplicate_slugs(post_set: &[(PathBuf, String)]) -> bool {
    let mut seen = HashSet::new();
    post_set.iter().any(|(_, slug)| !seen.insert(slug.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::build_site;

    /// A site in a temporary folder with the default theme and three posts, one a draft.
    fn site() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let theme = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default");
        for entry in walkdir::WalkDir::new(&theme) {
            let entry = entry.unwrap();
            let dest = root.join("themes/default").join(entry.path().strip_prefix(&theme).unwrap());
            if entry.file_type().is_dir() {
                std::fs::create_dir_all(&dest).unwrap();
            } else {
                std::fs::copy(entry.path(), &dest).unwrap();
            }
        }
        write(root, "site.toml", "title = \"T\"\nbase_url = \"https://example.com/\"\npaginate = 2\n");
        write(
            root,
            "content/posts/a.md",
            &post("A", "2020-01-01", "First of A.\n\n```rust\nfn a() {}\n```\n\nEnd of A.\n"),
        );
        write(root, "content/posts/b.md", &post("B", "2021-01-01", "First of B.\n\n```console\n$ echo b\nb\n```\n"));
        write(root, "content/posts/c.md", "+++\ntitle = \"C\"\ndate = 2022-01-01\ndraft = true\n+++\nDraft C.\n");
        dir
    }

    fn post(title: &str, date: &str, body: &str) -> String {
        format!("+++\ntitle = \"{title}\"\ndate = {date}\n+++\n{body}")
    }

    fn write(root: &Path, rel: &str, text: &str) {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn opts() -> BuildOptions {
        BuildOptions { drafts: true, future: true, base_url: Some("http://127.0.0.1:1111/".into()) }
    }

    /// The incremental build must equal a full build of the same files.
    #[track_caller]
    fn assert_same_as_full_build(root: &Path, built: &BuiltSite) {
        let full = build_site(root, &opts(), &Highlighter::new()).unwrap();
        assert_eq!(built.files.keys().collect::<Vec<_>>(), full.files.keys().collect::<Vec<_>>());
        for (path, bytes) in &full.files {
            assert!(built.files[path] == *bytes, "{path} differs from a full build");
        }
    }

    #[test]
    fn a_full_build_highlights_a_block_repeated_in_two_posts_once() {
        let dir = site();
        write(dir.path(), "content/posts/d.md", &post("D", "2019-01-01", "Same as A.\n\n```rust\nfn a() {}\n```\n"));
        let h = Highlighter::new();
        let built = build_site(dir.path(), &opts(), &h).unwrap();
        assert!(String::from_utf8_lossy(&built.files["posts/d/index.html"]).contains("hl-"));
        // a.md and d.md share their rust block; b.md has a console block.
        assert_eq!(h.highlight_count(), 2);
    }

    #[test]
    fn building_into_a_folder_writes_the_files_of_the_in_memory_build() {
        let dir = site();
        write(dir.path(), "static/robots.txt", "User-agent: *\n");
        write(dir.path(), "static/img/x.txt", "x");
        // Enough posts for several batches of post pages (each body dropped once written),
        // one of them in a category with a feed.
        for n in 0..300 {
            write(dir.path(), &format!("content/posts/n{n}.md"), &format!("+++\ntitle = \"N{n}\"\ndate = 2019-01-01\ncategories = [\"Ops\"]\n+++\nBody {n}.\n\n```rust\nfn a() {{}}\n```\n"));
        }
        let full = build_site(dir.path(), &opts(), &Highlighter::new()).unwrap();
        let out = dir.path().join("public");
        // As `gen build` does it: no block cache, bodies dropped as pages are written.
        let h = Highlighter::for_one_build();
        let stats = crate::pipeline::build_site_to_folder(dir.path(), &opts(), &h, &out).unwrap();
        // The 300 copies of a.md's code block are made of known lines: no line more is
        // parsed than for the site without them.
        let alone = Highlighter::for_one_build();
        let other = site();
        crate::pipeline::build_site_to_folder(other.path(), &opts(), &alone, &other.path().join("public")).unwrap();
        assert_eq!(h.parsed_line_count(), alone.parsed_line_count());
        let written: BTreeMap<String, Arc<[u8]>> = walkdir::WalkDir::new(&out)
            .into_iter()
            .map(|e| e.unwrap())
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                (
                    e.path().strip_prefix(&out).unwrap().to_string_lossy().replace('\\', "/"),
                    Arc::from(std::fs::read(e.path()).unwrap()),
                )
            })
            .collect();
        assert_eq!(written, full.files);
        assert_eq!((stats.posts, stats.pages, stats.files), (full.stats.posts, full.stats.pages, full.stats.files));
    }

    #[test]
    fn unchanged_post_is_neither_parsed_nor_highlighted_again() {
        let dir = site();
        let h = Highlighter::new();
        let mut cache = SiteCache::new(dir.path(), opts());
        let (_, first) = cache.rebuild(&Changes::everything(), &h).unwrap();
        assert_eq!(first.posts_rendered, 3);
        let highlighted = h.highlight_count();
        assert_eq!(highlighted, 2);

        let (built, second) = cache.rebuild(&Changes { content: true, ..Changes::default() }, &h).unwrap();
        assert_eq!((second.posts_rendered, second.posts_reused, second.pages_rendered), (0, 3, 0));
        assert_eq!(h.highlight_count(), highlighted, "an unchanged post was highlighted again");
        assert_same_as_full_build(dir.path(), &built);
    }

    #[test]
    fn edited_post_is_the_only_one_parsed_and_its_pages_the_only_ones_rendered() {
        let dir = site();
        let h = Highlighter::new();
        let mut cache = SiteCache::new(dir.path(), opts());
        let (before, _) = cache.rebuild(&Changes::everything(), &h).unwrap();
        // A change after the summary: only the pages that show the post's body change
        // (its own page and the feed), and only those are rendered.
        write(
            dir.path(),
            "content/posts/a.md",
            &post("A", "2020-01-01", "First of A.\n\n```rust\nfn a() {}\n```\n\nEnd of A, edited.\n"),
        );
        let changes = Changes::classify(dir.path(), &[dir.path().join("content/posts/a.md")]);
        let (built, report) = cache.rebuild(&changes, &h).unwrap();
        assert_eq!((report.posts_rendered, report.posts_reused), (1, 2));
        let changed: Vec<&String> =
            built.files.iter().filter(|(p, b)| before.files.get(*p) != Some(*b)).map(|(p, _)| p).collect();
        assert!(changed.contains(&&"posts/a/index.html".to_string()), "{changed:?}");
        assert_eq!(report.pages_rendered, changed.len(), "rendered {report:?}, changed {changed:?}");
        assert!(report.pages_rendered < report.pages / 2, "{report:?}");
        assert_eq!(h.highlight_count(), 2, "the edited post's unchanged code block was highlighted again");
        assert!(String::from_utf8_lossy(&built.files["posts/a/index.html"]).contains("End of A, edited."));
        assert_same_as_full_build(dir.path(), &built);

        // A new title shows on the home page and on the neighbours' links too.
        write(dir.path(), "content/posts/a.md", &post("A renamed", "2020-01-01", "First of A.\n"));
        let (built, report) =
            cache.rebuild(&Changes::classify(dir.path(), &[dir.path().join("content/posts/a.md")]), &h).unwrap();
        assert!(report.pages_rendered > 1, "{report:?}");
        assert_same_as_full_build(dir.path(), &built);
    }

    const OPS_A: &str = "+++\ntitle = \"A\"\ndate = 2020-01-01\ncategories = [\"Ops\"]\n+++\n";

    #[test]
    fn a_body_edit_renders_only_the_pages_showing_the_body_and_hands_on_the_rest() {
        let dir = site();
        write(dir.path(), "content/posts/a.md", &format!("{OPS_A}First of A.\n\n```rust\nfn a() {{}}\n```\n"));
        let h = Highlighter::new();
        let mut cache = SiteCache::new(dir.path(), opts());
        let (before, _) = cache.rebuild(&Changes::everything(), &h).unwrap();
        let (lines, blocks) = (h.parsed_line_count(), h.highlight_count());
        write(
            dir.path(),
            "content/posts/a.md",
            &format!("{OPS_A}First of A.\n\n```rust\nfn a() {{}}\n```\n\nA new last line.\n"),
        );
        let (built, report) =
            cache.rebuild(&Changes::classify(dir.path(), &[dir.path().join("content/posts/a.md")]), &h).unwrap();
        // Its page, the site's feed and its category's feed; nothing else.
        assert_eq!((report.posts_rendered, report.pages_rendered), (1, 3), "{report:?}");
        let changed: Vec<&str> =
            built.files.iter().filter(|(p, b)| !Arc::ptr_eq(&before.files[*p], b)).map(|(p, _)| p.as_str()).collect();
        assert_eq!(changed, ["atom.xml", "categories/ops/atom.xml", "posts/a/index.html"]);
        assert_eq!(
            (h.highlight_count(), h.parsed_line_count()),
            (blocks, lines),
            "the unchanged code block was highlighted again"
        );
        assert!(String::from_utf8_lossy(&built.files["posts/a/index.html"]).contains("A new last line."));
        assert_same_as_full_build(dir.path(), &built);

        // Saving the same text again renders nothing.
        let (again, report) =
            cache.rebuild(&Changes::classify(dir.path(), &[dir.path().join("content/posts/a.md")]), &h).unwrap();
        assert_eq!((report.posts_rendered, report.pages_rendered), (0, 0), "{report:?}");
        assert!(again.files.iter().all(|(p, b)| Arc::ptr_eq(&built.files[p], b)));
    }

    #[test]
    fn edits_beyond_the_body_take_the_full_rebuild_and_are_right() {
        let dir = site();
        let h = Highlighter::new();
        let mut cache = SiteCache::new(dir.path(), opts());
        cache.rebuild(&Changes::everything(), &h).unwrap();
        let a = || Changes::classify(dir.path(), &[dir.path().join("content/posts/a.md")]);
        // A new heading (other posts may link to its anchor), a new summary, a new
        // snippet, a broken link: each is built as a full rebuild would.
        for body in [
            "First of A.\n\n## A heading\n",
            "A new first paragraph.\n",
            "First of A.\n\n```console\n$ echo a\na\n```\n",
        ] {
            write(dir.path(), "content/posts/a.md", &post("A", "2020-01-01", body));
            let (built, report) = cache.rebuild(&a(), &h).unwrap();
            assert!(report.pages_rendered >= 2, "{body}: {report:?}");
            assert_same_as_full_build(dir.path(), &built);
        }
        write(dir.path(), "content/posts/a.md", &post("A", "2020-01-01", "First of A.\n\nSee [b](b.md#nowhere).\n"));
        let err = cache.rebuild(&a(), &h).unwrap_err();
        assert!(err.to_string().contains("#nowhere"), "{err}");
        write(dir.path(), "content/posts/a.md", &post("A", "2020-01-01", "First of A.\n\nSee [b](b.md).\n"));
        let (built, _) = cache.rebuild(&a(), &h).unwrap();
        assert_same_as_full_build(dir.path(), &built);
    }

    #[test]
    fn a_link_by_github_style_anchor_follows_the_heading_it_names() {
        let dir = site();
        let h = Highlighter::new();
        let b_with =
            |headings: &str| post("B", "2021-01-01", &format!("First of B.\n\n{headings}## Tools & Versions\n"));
        write(dir.path(), "content/posts/b.md", &b_with(""));
        write(dir.path(), "content/posts/a.md", &post("A", "2020-01-01", "See [tools](b.md#tools--versions).\n"));
        let mut cache = SiteCache::new(dir.path(), opts());
        let (built, _) = cache.rebuild(&Changes::everything(), &h).unwrap();
        let page_a = |built: &BuiltSite| String::from_utf8_lossy(&built.files["posts/a/index.html"]).into_owned();
        assert!(page_a(&built).contains("href=\"/posts/b/#tools-versions\""), "{}", page_a(&built));
        // A heading above takes the id `tools-versions`: A's link, not edited, follows.
        write(dir.path(), "content/posts/b.md", &b_with("## Tools, versions\n\n"));
        let b = Changes::classify(dir.path(), &[dir.path().join("content/posts/b.md")]);
        let (built, _) = cache.rebuild(&b, &h).unwrap();
        assert!(page_a(&built).contains("href=\"/posts/b/#tools-versions-1\""), "{}", page_a(&built));
        assert_same_as_full_build(dir.path(), &built);
    }

    #[test]
    fn created_renamed_and_deleted_posts_are_picked_up() {
        let dir = site();
        let h = Highlighter::new();
        let mut cache = SiteCache::new(dir.path(), opts());
        cache.rebuild(&Changes::everything(), &h).unwrap();
        let content = Changes { content: true, ..Changes::default() };

        write(dir.path(), "content/posts/d.md", &post("D", "2023-01-01", "New D.\n"));
        let (built, _) = cache.rebuild(&content, &h).unwrap();
        assert!(built.files.contains_key("posts/d/index.html"));
        assert_same_as_full_build(dir.path(), &built);

        std::fs::rename(dir.path().join("content/posts/d.md"), dir.path().join("content/posts/e.md")).unwrap();
        let (built, _) = cache.rebuild(&content, &h).unwrap();
        assert!(!built.files.contains_key("posts/d/index.html"));
        assert!(built.files.contains_key("posts/e/index.html"));
        assert_same_as_full_build(dir.path(), &built);

        std::fs::remove_file(dir.path().join("content/posts/b.md")).unwrap();
        let (built, _) = cache.rebuild(&content, &h).unwrap();
        assert!(!built.files.contains_key("posts/b/index.html"));
        assert_same_as_full_build(dir.path(), &built);
    }

    #[test]
    fn template_change_renders_again_without_parsing() {
        let dir = site();
        let h = Highlighter::new();
        let mut cache = SiteCache::new(dir.path(), opts());
        let (_, first) = cache.rebuild(&Changes::everything(), &h).unwrap();
        write(dir.path(), "templates/post.html", "<h1>{{ post.title }}</h1>{{ post.content | safe }}");
        let changes = Changes::classify(dir.path(), &[dir.path().join("templates/post.html")]);
        assert!(changes.templates && !changes.content);
        let (built, report) = cache.rebuild(&changes, &h).unwrap();
        assert!(report.templates_reloaded);
        assert_eq!(report.posts_rendered, 0);
        // As many pages as a first build renders (pages made without templates aside).
        assert_eq!(report.pages_rendered, first.pages_rendered);
        assert!(String::from_utf8_lossy(&built.files["posts/a/index.html"]).starts_with("<h1>A</h1>"));
        assert_same_as_full_build(dir.path(), &built);
    }

    #[test]
    fn static_change_reads_static_files_only() {
        let dir = site();
        let h = Highlighter::new();
        let mut cache = SiteCache::new(dir.path(), opts());
        cache.rebuild(&Changes::everything(), &h).unwrap();
        write(dir.path(), "static/extra.txt", "hello");
        let changes = Changes::classify(dir.path(), &[dir.path().join("static/extra.txt")]);
        let (built, report) = cache.rebuild(&changes, &h).unwrap();
        assert!(report.statics_reloaded && !report.templates_reloaded);
        assert_eq!((report.posts_rendered, report.pages_rendered), (0, 0));
        assert_eq!(&*built.files["extra.txt"], b"hello");
        assert_same_as_full_build(dir.path(), &built);
    }

    #[test]
    fn config_change_rebuilds_everything() {
        let dir = site();
        let h = Highlighter::new();
        let mut cache = SiteCache::new(dir.path(), opts());
        cache.rebuild(&Changes::everything(), &h).unwrap();
        write(dir.path(), "site.toml", "title = \"Renamed\"\nbase_url = \"https://example.com/\"\npaginate = 1\n");
        let changes = Changes::classify(dir.path(), &[dir.path().join("site.toml")]);
        let (built, report) = cache.rebuild(&changes, &h).unwrap();
        assert!(report.config_reloaded && report.templates_reloaded && report.statics_reloaded);
        assert_eq!(report.posts_rendered, 3);
        assert!(built.files.contains_key("page/3/index.html"));
        assert_same_as_full_build(dir.path(), &built);
    }

    #[test]
    fn a_failed_rebuild_keeps_its_changes_pending_until_fixed() {
        let dir = site();
        let h = Highlighter::new();
        let mut cache = SiteCache::new(dir.path(), opts());
        cache.rebuild(&Changes::everything(), &h).unwrap();
        write(dir.path(), "content/posts/a.md", "+++\ntitle = \"A\"\ndate = 2020-01-01\ntitel = \"x\"\n+++\nBody\n");
        let err =
            cache.rebuild(&Changes::classify(dir.path(), &[dir.path().join("content/posts/a.md")]), &h).unwrap_err();
        assert_eq!(err.0[0].file, Path::new("content/posts/a.md"));
        assert_eq!(err.0[0].line, 4);
        // A template change alone does not hide the broken post.
        write(dir.path(), "templates/post.html", "{{ post.title }}");
        assert!(cache.rebuild(&Changes::classify(dir.path(), &[dir.path().join("templates/post.html")]), &h).is_err());
        write(dir.path(), "content/posts/a.md", &post("A", "2020-01-01", "Fixed.\n"));
        let (built, _) =
            cache.rebuild(&Changes::classify(dir.path(), &[dir.path().join("content/posts/a.md")]), &h).unwrap();
        assert_same_as_full_build(dir.path(), &built);
    }

    #[test]
    fn a_failed_configuration_change_leaves_no_stale_posts_behind() {
        let dir = site();
        write(dir.path(), "content/posts/d.md", &post("D", "2019-01-01", "See [B](b.md).\n"));
        let h = Highlighter::new();
        let mut cache = SiteCache::new(dir.path(), opts());
        cache.rebuild(&Changes::everything(), &h).unwrap();
        let good = std::fs::read_to_string(dir.path().join("site.toml")).unwrap();
        // Another base URL (so other links between posts) and a theme that is not there.
        let broken = good.replace("https://example.com/", "https://example.com/blog/") + "theme = \"missing\"\n";
        write(dir.path(), "site.toml", &broken);
        let config = Changes::classify(dir.path(), &[dir.path().join("site.toml")]);
        let err = cache.rebuild(&config, &h).unwrap_err();
        assert!(err.to_string().contains("does not exist"), "{err}");
        write(dir.path(), "site.toml", &good);
        let (built, report) = cache.rebuild(&config, &h).unwrap();
        // The templates of the last good build are kept; the posts rendered for the
        // failed configuration are not.
        assert!(!report.config_reloaded && !report.templates_reloaded, "{report:?}");
        assert_eq!(report.posts_rendered, 4, "{report:?}");
        assert_same_as_full_build(dir.path(), &built);
    }

    #[test]
    fn duplicate_slugs_fail_without_losing_the_cache() {
        let dir = site();
        let h = Highlighter::new();
        let mut cache = SiteCache::new(dir.path(), opts());
        cache.rebuild(&Changes::everything(), &h).unwrap();
        write(dir.path(), "content/posts/other/a.md", &post("A2", "2020-02-01", "Same slug.\n"));
        let content = Changes { content: true, ..Changes::default() };
        let err = cache.rebuild(&content, &h).unwrap_err();
        assert!(err.to_string().contains("also used by"), "{err}");
        std::fs::remove_file(dir.path().join("content/posts/other/a.md")).unwrap();
        let (built, report) = cache.rebuild(&content, &h).unwrap();
        assert_same_as_full_build(dir.path(), &built);
        assert_eq!(h.highlight_count(), 2, "{report:?}");
    }

    #[test]
    fn classify_sorts_paths_and_skips_editor_files() {
        let root = Path::new("/site");
        let c = Changes::classify(
            root,
            &[
                root.join("content/posts/a.md"),
                root.join("content/posts/.a.md.swp"),
                root.join("content/posts/a.md~"),
                root.join("content/posts/4913"),
                root.join("public/index.html"),
            ],
        );
        assert_eq!(c, Changes { content: true, posts: vec!["content/posts/a.md".into()], ..Changes::default() });
        let c = Changes::classify(root, &[root.join("themes/default/static/style.css")]);
        assert!(c.statics && !c.templates);
        let c = Changes::classify(root, &[root.join("themes/default/templates/base.html")]);
        assert!(c.templates && !c.statics);
        assert!(Changes::classify(root, &[root.join("site.toml")]).config);
        assert!(Changes::classify(root, &[root.join("nested/site.toml")]).is_empty());
        assert_eq!(
            Changes::classify(root, &[root.join("snippet-results.toml")]),
            Changes { results: true, ..Changes::default() }
        );
        assert!(Changes::classify(root, &[root.join("content/snippet-results.toml")]).content);
    }
}
