//! The quick rebuild for the most common save while writing: the body of existing posts
//! changed, and nothing else. When a post's front matter, summary, headings, HTML
//! anchors and snippets are as before, the site's structure (order, pages, lists, links between
//! posts) is too, so only the pages that show the post's body are rendered again: its
//! own page and the feeds that carry it. Every other page keeps its bytes from the last
//! build. Anything less simple returns `None` and the full incremental rebuild runs.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::config::SiteConfig;
use crate::content::{self, PostSource};
use crate::markdown::Highlighter;
use crate::pipeline::{render_posts, BuiltSite, PostInputs, Statuses};
use crate::render::context::PostSummary;
use crate::render::{self, PageList, Templates};
use crate::site::links::LinkIndex;
use crate::site::{Post, SiteModel, Urls};

use super::RenderedPages;

/// The last successful build, kept so that a body edit can reuse everything else.
pub struct LastBuild {
    pub model: SiteModel,
    pub summaries: Vec<PostSummary>,
    /// Position in `model.posts` by source file (as [`PostSource::path`]).
    pub index: HashMap<PathBuf, usize>,
    pub built: BuiltSite,
}

impl LastBuild {
    pub fn new(model: SiteModel, summaries: Vec<PostSummary>, built: BuiltSite) -> Self {
        let index = model.posts.iter().enumerate().map(|(i, p)| (p.source.path.clone(), i)).collect();
        LastBuild { model, summaries, index, built }
    }
}

/// What the quick rebuild needs from the cache.
pub struct Inputs<'a> {
    pub root: &'a Path,
    pub config: &'a SiteConfig,
    pub templates: &'a Templates,
    pub links: &'a LinkIndex,
    pub statuses: &'a Statuses,
    pub highlighter: &'a Highlighter,
}

/// What a quick rebuild did.
pub struct Outcome {
    pub posts_rendered: usize,
    pub pages_rendered: usize,
}

/// Renders again the posts `files` (relative to the root; each one of `last`'s posts)
/// and the pages that show their bodies, updating `last` in place. `None`, with `last`
/// as it was, when any of them changed more than its body, or anything failed (the full
/// rebuild then reports it).
pub fn rebuild_bodies(last: &mut LastBuild, files: &[PathBuf], cx: &Inputs) -> Option<Outcome> {
    let mut sources: Vec<(usize, PostSource)> = Vec::new();
    for file in files {
        let &i = last.index.get(file)?;
        let source = content::read_post(cx.root, &cx.root.join(file)).ok()?;
        let old = &last.model.posts[i].source;
        if source == *old {
            continue;
        }
        if source.front_matter != old.front_matter || source.slug != old.slug {
            return None;
        }
        sources.push((i, source));
    }
    let (positions, sources): (Vec<usize>, Vec<PostSource>) = sources.into_iter().unzip();
    let inputs = PostInputs::new(cx.highlighter, cx.links, cx.statuses, cx.config);
    let fresh = render_posts(sources, &inputs).ok()?;
    let body_only = positions.iter().zip(&fresh).all(|(&i, new)| {
        let old = &last.model.posts[i].rendered;
        new.rendered.headings == old.headings
            && new.rendered.anchors == old.anchors
            && new.rendered.snippets == old.snippets
    });
    if !body_only {
        return None;
    }
    let old_posts = swap_posts(&mut last.model, &positions, fresh);
    let checked = cx.links.check_and_fix_links_of(&mut last.model.posts, positions.iter().copied());
    let urls = Urls::new(cx.config);
    let same_summaries = positions.iter().all(|&i| render::summary(&last.model, i, &urls) == last.summaries[i]);
    let pages = if checked.is_ok() && same_summaries { render_pages_showing(last, &positions, cx) } else { None };
    let (Some(Shown { pages, rendered }), true, Ok(())) = (pages, same_summaries, checked) else {
        swap_posts(&mut last.model, &positions, old_posts);
        return None;
    };
    for (file, bytes) in pages {
        last.built.files.insert(file, bytes.into());
    }
    Some(Outcome { posts_rendered: positions.len(), pages_rendered: rendered })
}

/// Puts `posts` at `positions` of the model; returns the posts they replace.
fn swap_posts(model: &mut SiteModel, positions: &[usize], posts: Vec<Post>) -> Vec<Post> {
    positions.iter().zip(posts).map(|(&i, post)| std::mem::replace(&mut model.posts[i], post)).collect()
}

/// Pages rendered again for a body edit.
struct Shown {
    pages: RenderedPages,
    /// How many went through the templates (the others came from the memo).
    rendered: usize,
}

/// Renders the pages that show the bodies of the posts at `positions`.
fn render_pages_showing(last: &LastBuild, positions: &[usize], cx: &Inputs) -> Option<Shown> {
    let mut which: Vec<usize> = positions.iter().flat_map(|&i| render::pages_showing_body(&last.model, i)).collect();
    which.sort_unstable();
    which.dedup();
    let memo = cx.templates.memo();
    let before = memo.map_or(0, |m| m.render_count());
    let list = PageList::default();
    let renderer = render::Renderer::new(&last.model, &last.summaries, cx.config, cx.templates, cx.root);
    renderer.render(&which, &list).ok()?;
    let rendered = memo.map_or(which.len(), |m| m.render_count() - before);
    Some(Shown { pages: list.into_pages(), rendered })
}
