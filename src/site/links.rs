//! Links between posts: a Markdown link to another post's source file
//! (`[the template](post-mortem-template.md#agenda)`) is rewritten to that post's URL
//! while rendering, and after rendering every such link and every `#anchor` is checked
//! against the posts and their headings. Root-relative links (`/about/`) get the base
//! path. Pure: the index is built from the posts' paths and slugs, known before Markdown
//! is rendered.

use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};

use crate::content::PostSource;
use crate::error::{Diagnostic, Errors, Result};
use crate::markdown::LinkResolver;
use crate::site::{post_path, Post, Urls};

/// A link destination that points inside the site's posts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostLinkTarget<'a> {
    /// `#anchor`: a heading of the same post.
    SamePost { anchor: &'a str },
    /// `other.md` or `../x/other.md#anchor`, relative to the linking post's file.
    OtherPost { file: &'a str, anchor: Option<&'a str> },
}

/// Classifies `dest`: `None` for external URLs, root-relative paths and links to
/// anything that is not a `.md` file.
pub fn post_link_target(dest: &str) -> Option<PostLinkTarget<'_>> {
    if let Some(anchor) = dest.strip_prefix('#') {
        return Some(PostLinkTarget::SamePost { anchor });
    }
    if dest.starts_with('/') || has_scheme(dest) {
        return None;
    }
    let (path, anchor) = match dest.split_once('#') {
        Some((p, a)) => (p, Some(a)),
        None => (dest, None),
    };
    let path = path.split('?').next().unwrap_or(path);
    path.ends_with(".md").then_some(PostLinkTarget::OtherPost { file: path, anchor })
}

/// `https:`, `mailto:`, `file:`...
fn has_scheme(dest: &str) -> bool {
    match dest.find(':') {
        Some(i) => {
            let scheme = &dest[..i];
            !scheme.is_empty()
                && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
                && !dest[..i].contains('/')
        }
        None => false,
    }
}

/// `a/./b/../c.md` → `a/c.md`, without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Which post lives in which source file, and where each is published.
#[derive(Debug, Clone)]
pub struct LinkIndex {
    /// Normalized source path (`content/posts/x.md`) → site path (`posts/x/`).
    by_file: HashMap<PathBuf, String>,
    /// Source files not built (drafts, scheduled posts), for clearer errors.
    unpublished: HashSet<PathBuf>,
    urls: Urls,
}

impl LinkIndex {
    pub fn new(sources: &[PostSource], urls: &Urls) -> Self {
        Self::from_files(sources.iter().map(|s| (s.path.as_path(), s.slug.as_str())), urls)
    }

    /// The index of posts given as (source file, slug), for callers that keep posts in
    /// other shapes (the incremental rebuilds of `gen serve`).
    pub fn from_files<'a>(posts: impl IntoIterator<Item = (&'a Path, &'a str)>, urls: &Urls) -> Self {
        let by_file = posts.into_iter().map(|(path, slug)| (normalize(path), post_path(slug))).collect();
        LinkIndex { by_file, unpublished: HashSet::new(), urls: urls.clone() }
    }

    /// Remembers posts that exist but are left out of this build.
    pub fn with_unpublished<'a>(mut self, files: impl IntoIterator<Item = &'a Path>) -> Self {
        self.unpublished.extend(files.into_iter().map(normalize));
        self
    }

    /// The resolver for links written in the post file `from`.
    pub fn resolver<'a>(&'a self, from: &Path) -> PostLinks<'a> {
        PostLinks { index: self, dir: from.parent().map(Path::to_path_buf).unwrap_or_default() }
    }

    fn target_file(dir: &Path, file: &str) -> PathBuf {
        normalize(&dir.join(file))
    }

    /// Checks every post link and anchor of `posts`; errors name the file, line and column.
    pub fn check(&self, posts: &[Post]) -> Result<()> {
        self.check_links_of(posts, 0..posts.len())
    }

    /// [`LinkIndex::check`] for the links written in the posts numbered `which` only.
    pub fn check_links_of(&self, posts: &[Post], which: impl IntoIterator<Item = usize>) -> Result<()> {
        // Made on the first link to another post (checking one post often needs none).
        let post_of_file: std::cell::OnceCell<HashMap<PathBuf, usize>> = std::cell::OnceCell::new();
        let post_of_file = || {
            post_of_file.get_or_init(|| posts.iter().enumerate().map(|(i, p)| (normalize(&p.source.path), i)).collect())
        };
        let has_anchor = |t: usize, anchor: &str| posts[t].rendered.headings.iter().any(|h| h.id == anchor);
        let mut errors = Vec::new();
        for i in which {
            let post = &posts[i];
            let dir = post.source.path.parent().map(Path::to_path_buf).unwrap_or_default();
            for link in &post.rendered.links {
                let at = |message: String, help: String| {
                    Diagnostic::new(&post.source.path, link.line, link.column, message).with_help(help)
                };
                match post_link_target(&link.dest) {
                    None => {}
                    Some(PostLinkTarget::SamePost { anchor }) if !anchor.is_empty() && !has_anchor(i, anchor) => {
                        errors.push(at(
                            format!("the link `{}` points to no heading of this post", link.dest),
                            headings_help(post),
                        ));
                    }
                    Some(PostLinkTarget::SamePost { .. }) => {}
                    Some(PostLinkTarget::OtherPost { file, anchor }) => {
                        let target = Self::target_file(&dir, file);
                        match post_of_file().get(&target) {
                            None if self.unpublished.contains(&target) => errors.push(at(
                                format!("the link `{}` points to {}, which is a draft or scheduled post and not part of this build", link.dest, target.display()),
                                "publish that post first, or build with --drafts / --future to preview".into(),
                            )),
                            None => errors.push(at(
                                format!("the link `{}` points to no post (there is no {})", link.dest, target.display()),
                                "link to the Markdown file of an existing post, relative to this file (e.g. `other-post.md`)".into(),
                            )),
                            Some(&t) => {
                                if let Some(anchor) = anchor.filter(|a| !a.is_empty() && !has_anchor(t, a)) {
                                    errors.push(at(
                                        format!("the link `{}` points to a heading #{anchor} that {} does not have", link.dest, target.display()),
                                        headings_help(&posts[t]),
                                    ));
                                }
                            }
                        }
                    }
                }
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(Errors(errors).sorted())
        }
    }
}

fn headings_help(post: &Post) -> String {
    let ids: Vec<String> = post.rendered.headings.iter().take(12).map(|h| format!("#{}", h.id)).collect();
    if ids.is_empty() {
        "that post has no headings; link to the post without an anchor".into()
    } else {
        format!("use one of the heading anchors: {}", ids.join(", "))
    }
}

/// Resolves the links of one post while its Markdown is rendered.
pub struct PostLinks<'a> {
    index: &'a LinkIndex,
    dir: PathBuf,
}

impl LinkResolver for PostLinks<'_> {
    fn resolve(&self, dest: &str) -> Option<String> {
        if dest.starts_with('/') && !dest.starts_with("//") {
            return Some(self.index.urls.url(dest));
        }
        match post_link_target(dest)? {
            PostLinkTarget::SamePost { .. } => None,
            PostLinkTarget::OtherPost { file, anchor } => {
                let path = self.index.by_file.get(&LinkIndex::target_file(&self.dir, file))?;
                let url = self.index.urls.url(path);
                Some(match anchor {
                    Some(a) => format!("{url}#{a}"),
                    None => url,
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_destinations() {
        assert_eq!(post_link_target("#usage"), Some(PostLinkTarget::SamePost { anchor: "usage" }));
        assert_eq!(post_link_target("other.md"), Some(PostLinkTarget::OtherPost { file: "other.md", anchor: None }));
        assert_eq!(
            post_link_target("../a/b.md#x"),
            Some(PostLinkTarget::OtherPost { file: "../a/b.md", anchor: Some("x") })
        );
        for external in
            ["https://example.com/a.md", "mailto:me@example.com", "/posts/x/", "image.png", "docs/", "c:x.md"]
        {
            assert_eq!(post_link_target(external), None, "{external}");
        }
    }

    #[test]
    fn normalizes_relative_paths() {
        assert_eq!(normalize(Path::new("content/posts/./x/../b.md")), PathBuf::from("content/posts/b.md"));
    }
}
