//! Links between posts: a Markdown link to another post's source file
//! (`[the template](post-mortem-template.md#agenda)`) is rewritten to that post's URL
//! while rendering, and after rendering every such link and every `#anchor` is checked
//! against the posts, their headings and the anchors of their raw HTML; a link by a
//! heading's GitHub-style anchor is then pointed at the heading's id. Root-relative links
//! (`/about/`) get the base path. Pure: the index is built from the posts' paths and
//! slugs, known before Markdown is rendered.

use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};

use crate::content::PostSource;
use crate::error::{Diagnostic, Errors, Result};
use crate::markdown::{self, Heading, LinkResolver};
use crate::site::{post_path, LinkedHeadings, Post, Urls};

/// A link destination that points inside the site's posts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostLinkTarget<'a> {
    /// `#anchor`: a heading or HTML anchor of the same post.
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

    /// Checks every post link and anchor of `posts`; errors name the file, line and
    /// column. When all are found, links written with a GitHub-style heading anchor are
    /// pointed at the heading's id in the posts' HTML (see [`AnchorMatch::GitHubSlug`]).
    pub fn check_and_fix(&self, posts: &mut [Post]) -> Result<()> {
        self.check_and_fix_links_of(posts, 0..posts.len())
    }

    /// [`LinkIndex::check_and_fix`] for the links written in the posts numbered `which` only.
    pub fn check_and_fix_links_of(&self, posts: &mut [Post], which: impl IntoIterator<Item = usize>) -> Result<()> {
        let fixes = self.check_links_of(posts, which)?;
        for PostFixes { post, hrefs, other_posts } in fixes {
            let post = &mut posts[post];
            post.rendered.html = fix_hrefs(&post.rendered.html, &hrefs);
            post.rendered.summary_html = fix_hrefs(&post.rendered.summary_html, &hrefs);
            if other_posts {
                post.linked_headings = LinkedHeadings::OtherPosts;
            }
        }
        Ok(())
    }

    /// Checks the links written in the posts numbered `which`; returns the hrefs to
    /// change in their HTML.
    fn check_links_of(&self, posts: &[Post], which: impl IntoIterator<Item = usize>) -> Result<Vec<PostFixes>> {
        // Made on the first link to another post (checking one post often needs none).
        let post_of_file: std::cell::OnceCell<HashMap<PathBuf, usize>> = std::cell::OnceCell::new();
        let post_of_file = || {
            post_of_file.get_or_init(|| posts.iter().enumerate().map(|(i, p)| (normalize(&p.source.path), i)).collect())
        };
        // Made for a post when a link names an anchor it does not have.
        let mut github_ids: HashMap<usize, HashMap<String, String>> = HashMap::new();
        let mut find_anchor = |t: usize, anchor: &str| {
            let rendered = &posts[t].rendered;
            if rendered.headings.iter().any(|h| h.id == anchor) || rendered.anchors.iter().any(|a| a == anchor) {
                return AnchorMatch::Found;
            }
            match github_ids.entry(t).or_insert_with(|| github_heading_ids(&rendered.headings)).get(anchor) {
                Some(id) => AnchorMatch::GitHubSlug(id.clone()),
                None => AnchorMatch::Missing,
            }
        };
        let mut errors = Vec::new();
        let mut fixes = Vec::new();
        for i in which {
            let post = &posts[i];
            let dir = post.source.path.parent().map(Path::to_path_buf).unwrap_or_default();
            let resolver = self.resolver(&post.source.path);
            let mut post_fixes = PostFixes { post: i, hrefs: Vec::new(), other_posts: false };
            for link in &post.rendered.links {
                let at = |message: String, help: String| {
                    Diagnostic::new(&post.source.path, link.line, link.column, message).with_help(help)
                };
                match post_link_target(&link.dest) {
                    None => {}
                    Some(PostLinkTarget::SamePost { anchor }) if !anchor.is_empty() => match find_anchor(i, anchor) {
                        AnchorMatch::Found => {}
                        AnchorMatch::GitHubSlug(id) => post_fixes.hrefs.push(HrefFix {
                            from: markdown::href_attribute(&link.dest),
                            to: markdown::href_attribute(&format!("#{id}")),
                        }),
                        AnchorMatch::Missing => errors.push(at(
                            format!("the link `{}` points to no heading of this post", link.dest),
                            headings_help(post),
                        )),
                    },
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
                            Some(&t) => match anchor.filter(|a| !a.is_empty()).map(|a| (a, find_anchor(t, a))) {
                                None | Some((_, AnchorMatch::Found)) => {}
                                Some((_, AnchorMatch::GitHubSlug(id))) => {
                                    let resolved = |dest: &str| resolver.resolve(dest).unwrap_or_else(|| dest.to_string());
                                    post_fixes.hrefs.push(HrefFix {
                                        from: markdown::href_attribute(&resolved(&link.dest)),
                                        to: markdown::href_attribute(&resolved(&format!("{file}#{id}"))),
                                    });
                                    post_fixes.other_posts |= t != i;
                                }
                                Some((anchor, AnchorMatch::Missing)) => errors.push(at(
                                    format!("the link `{}` points to a heading #{anchor} that {} does not have", link.dest, target.display()),
                                    headings_help(&posts[t]),
                                )),
                            },
                        }
                    }
                }
            }
            if !post_fixes.hrefs.is_empty() {
                fixes.push(post_fixes);
            }
        }
        if errors.is_empty() {
            Ok(fixes)
        } else {
            Err(Errors(errors).sorted())
        }
    }
}

/// What a link's anchor names in the post it points to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum AnchorMatch {
    /// A heading's id or an anchor of the post's raw HTML.
    Found,
    /// Nothing by that name, but a heading whose GitHub-style anchor it is (a heading
    /// "Registry & Repository" is `#registry--repository` on GitHub): the link works
    /// once pointed at the heading's id, given here.
    GitHubSlug(String),
    Missing,
}

/// The hrefs to change in one post's HTML.
struct PostFixes {
    post: usize,
    hrefs: Vec<HrefFix>,
    /// Whether a fix points at another post's heading.
    other_posts: bool,
}

/// An `href="…"` attribute as the HTML has it, and what it becomes.
struct HrefFix {
    from: String,
    to: String,
}

/// `html` with every attribute `from` of `fixes` replaced by its `to`.
fn fix_hrefs(html: &str, fixes: &[HrefFix]) -> String {
    fixes.iter().fold(html.to_string(), |html, fix| html.replace(&fix.from, &fix.to))
}

/// The anchor GitHub gives each heading, mapped to the heading's id here: the heading's
/// text in lower case, without the characters that are neither letters, digits, `-`,
/// `_` nor spaces, each space a `-`; a repeated anchor gets `-1`, `-2`… The first
/// heading wins when two give the same anchor.
fn github_heading_ids(headings: &[Heading]) -> HashMap<String, String> {
    let mut ids = HashMap::new();
    let mut used = HashSet::new();
    for heading in headings {
        let base: String = heading
            .text
            .chars()
            .filter(|&c| c.is_alphanumeric() || matches!(c, '-' | '_' | ' '))
            .flat_map(char::to_lowercase)
            .map(|c| if c == ' ' { '-' } else { c })
            .collect();
        let mut slug = base.clone();
        let mut n = 1;
        while !used.insert(slug.clone()) {
            slug = format!("{base}-{n}");
            n += 1;
        }
        ids.entry(slug).or_insert_with(|| heading.id.clone());
    }
    ids
}

fn headings_help(post: &Post) -> String {
    let rendered = &post.rendered;
    let headings = rendered.headings.iter().map(|h| h.id.as_str());
    let ids: Vec<String> =
        headings.chain(rendered.anchors.iter().map(String::as_str)).take(12).map(|id| format!("#{id}")).collect();
    if ids.is_empty() {
        "that post has no headings; link to the post without an anchor".into()
    } else if rendered.anchors.is_empty() {
        format!("use one of the heading anchors: {}", ids.join(", "))
    } else {
        format!("use one of the heading or HTML anchors: {}", ids.join(", "))
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
    fn github_style_anchors_of_headings() {
        let heading = |text: &str, id: &str| Heading { level: 2, id: id.into(), text: text.into(), line: 1 };
        let headings = [
            heading("Registry & Repository", "registry-repository"),
            heading("3.1 Deploying the app", "3-1-deploying-the-app"),
            heading("Step 2: The --user flag", "step-2-the-user-flag"),
            heading("templates/index.html", "templates-index-html"),
            heading("Café au_lait", "caf-au-lait"),
            heading("Registry & Repository", "registry-repository-1"),
        ];
        let ids = github_heading_ids(&headings);
        let id = |anchor: &str| ids.get(anchor).map(String::as_str);
        assert_eq!(id("registry--repository"), Some("registry-repository"));
        assert_eq!(id("31-deploying-the-app"), Some("3-1-deploying-the-app"));
        assert_eq!(id("step-2-the---user-flag"), Some("step-2-the-user-flag"));
        assert_eq!(id("templatesindexhtml"), Some("templates-index-html"));
        assert_eq!(id("café-au_lait"), Some("caf-au-lait"));
        assert_eq!(id("registry--repository-1"), Some("registry-repository-1"));
        assert_eq!(id("registry-repository"), None);
    }

    #[test]
    fn normalizes_relative_paths() {
        assert_eq!(normalize(Path::new("content/posts/./x/../b.md")), PathBuf::from("content/posts/b.md"));
    }
}
