//! The snippet index of a site: every snippet of every post, with its post, checked for
//! unique ids, and the queries the site pages and `gen snippets` use (by tool, by post,
//! by required version, filters). [`json`] is its versioned JSON form; [`table`] the
//! readable one.

pub mod json;
pub mod table;

use std::collections::BTreeMap;

use crate::error::{Diagnostic, Errors, Result};
use crate::markdown::snippet::Snippet;

/// The snippets of one post, as the index receives them.
#[derive(Debug, Clone)]
pub struct PostSnippets {
    pub slug: String,
    pub title: String,
    /// The post's site path (`posts/<slug>/`).
    pub path: String,
    pub snippets: Vec<Snippet>,
}

/// A snippet in the index, with the post it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub snippet: Snippet,
    pub post_title: String,
    /// The post's site path (`posts/<slug>/`); the snippet is at `#<anchor>` in it.
    pub post_path: String,
}

impl Entry {
    /// `posts/<slug>/#snippet-...`, relative to the site base.
    pub fn path(&self) -> String {
        format!("{}#{}", self.post_path, self.snippet.anchor)
    }
}

/// Every snippet of the site, ordered by post file and line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SnippetIndex {
    entries: Vec<Entry>,
}

/// What `requires` group a snippet with no requirement falls in.
pub const NO_REQUIREMENT: &str = "no requirement";

impl SnippetIndex {
    /// Builds the index; two snippets with the same `id` are an error naming both.
    pub fn new(posts: impl IntoIterator<Item = PostSnippets>) -> Result<SnippetIndex> {
        let mut entries: Vec<Entry> = posts
            .into_iter()
            .flat_map(|p| {
                let (title, path) = (p.title, p.path);
                p.snippets.into_iter().map(move |snippet| Entry {
                    snippet,
                    post_title: title.clone(),
                    post_path: path.clone(),
                })
            })
            .collect();
        entries.sort_by(|a, b| (&a.snippet.file, a.snippet.line).cmp(&(&b.snippet.file, b.snippet.line)));
        let mut seen: BTreeMap<&str, &Snippet> = BTreeMap::new();
        let mut errors = Vec::new();
        for e in &entries {
            if let Some(first) = seen.insert(&e.snippet.id, &e.snippet) {
                errors.push(
                    Diagnostic::new(
                        &e.snippet.file,
                        e.snippet.line,
                        0,
                        format!("the snippet id \"{}\" is also used at {}", e.snippet.id, first.location()),
                    )
                    .with_help("snippet ids must be unique within the site: change one `id=\"...\"` attribute"),
                );
            }
        }
        if !errors.is_empty() {
            return Err(Errors(errors).sorted());
        }
        Ok(SnippetIndex { entries })
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The snippet with this id.
    pub fn get(&self, id: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.snippet.id == id)
    }

    /// Snippets that call `tool` (when given) and belong to `post` (a slug or the post
    /// file's path, when given).
    pub fn filter(&self, tool: Option<&str>, post: Option<&str>) -> Vec<&Entry> {
        self.entries
            .iter()
            .filter(|e| tool.is_none_or(|t| e.snippet.tools.iter().any(|x| x == t)))
            .filter(|e| post.is_none_or(|p| e.snippet.post_slug == p || e.snippet.file == std::path::Path::new(p)))
            .collect()
    }

    /// Tool → the snippets calling it, tools sorted by name. A snippet appears once
    /// under each of its tools; snippets that call no tool are left out.
    pub fn by_tool(&self) -> BTreeMap<&str, Vec<&Entry>> {
        let mut map: BTreeMap<&str, Vec<&Entry>> = BTreeMap::new();
        for e in &self.entries {
            for t in &e.snippet.tools {
                map.entry(t.as_str()).or_default().push(e);
            }
        }
        map
    }

    /// Requirement (`docker 1.3+`, `os macos`, or [`NO_REQUIREMENT`]) → its snippets.
    pub fn by_requirement(&self) -> BTreeMap<String, Vec<&Entry>> {
        let mut map: BTreeMap<String, Vec<&Entry>> = BTreeMap::new();
        for e in &self.entries {
            if e.snippet.requires.is_empty() {
                map.entry(NO_REQUIREMENT.to_string()).or_default().push(e);
            }
            for t in &e.snippet.requires {
                map.entry(t.requirement.to_string()).or_default().push(e);
            }
        }
        map
    }

    /// Post slug → its snippets, in file order.
    pub fn by_post(&self) -> BTreeMap<&str, Vec<&Entry>> {
        let mut map: BTreeMap<&str, Vec<&Entry>> = BTreeMap::new();
        for e in &self.entries {
            map.entry(e.snippet.post_slug.as_str()).or_default().push(e);
        }
        map
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::SnippetDefaults;
    use crate::markdown::snippet::SnippetExtractor;
    use crate::markdown::{render_markdown, Highlighter, RenderContext};

    fn post(slug: &str, md: &str) -> PostSnippets {
        let h = Highlighter::new();
        let file = format!("content/posts/{slug}.md");
        let ex = SnippetExtractor::new(std::path::Path::new(&file), slug, &SnippetDefaults::default());
        let mut cx = RenderContext::new(&h);
        cx.code_blocks = &ex;
        render_markdown(md, &cx);
        PostSnippets {
            slug: slug.into(),
            title: slug.to_uppercase(),
            path: format!("posts/{slug}/"),
            snippets: ex.finish().unwrap(),
        }
    }

    fn index() -> SnippetIndex {
        SnippetIndex::new([
            post("b", "## Up\n```console {requires=\"boot2docker\"}\n$ boot2docker up | tee log\n```\n"),
            post("a", "## Ps\n```console {requires=\"docker 1.3+\"}\n$ docker ps\n```\n```sh\ncd /tmp\n```\n"),
        ])
        .unwrap()
    }

    #[test]
    fn entries_are_ordered_by_file_and_line() {
        let ids: Vec<_> = index().entries().iter().map(|e| e.snippet.id.clone()).collect();
        assert_eq!(ids, ["a/ps", "a/ps-2", "b/up"]);
        assert_eq!(index().get("b/up").unwrap().path(), "posts/b/#snippet-up");
    }

    #[test]
    fn groups_and_filters() {
        let idx = index();
        let ids = |es: &[&Entry]| es.iter().map(|e| e.snippet.id.clone()).collect::<Vec<_>>();
        let by_tool = idx.by_tool();
        assert_eq!(by_tool.keys().copied().collect::<Vec<_>>(), ["boot2docker", "docker", "tee"]);
        assert_eq!(ids(&by_tool["tee"]), ["b/up"]);
        let by_req = idx.by_requirement();
        assert_eq!(by_req.keys().cloned().collect::<Vec<_>>(), ["boot2docker", "docker 1.3+", NO_REQUIREMENT]);
        assert_eq!(ids(&by_req[NO_REQUIREMENT]), ["a/ps-2"]);
        assert_eq!(ids(&idx.filter(Some("docker"), None)), ["a/ps"]);
        assert_eq!(ids(&idx.filter(None, Some("content/posts/b.md"))), ["b/up"]);
        assert!(idx.filter(Some("docker"), Some("b")).is_empty());
        assert_eq!(idx.by_post().keys().copied().collect::<Vec<_>>(), ["a", "b"]);
    }

    #[test]
    fn table_aligns_columns() {
        let idx = index();
        let all: Vec<&Entry> = idx.entries().iter().collect();
        assert_eq!(
            table::render_table(&all),
            "ID      KIND     TOOLS            REQUIRES     STATUS    LOCATION\n\
             a/ps    console  docker           docker 1.3+  untested  content/posts/a.md:2\n\
             a/ps-2  script   -                -            untested  content/posts/a.md:5\n\
             b/up    console  boot2docker,tee  boot2docker  untested  content/posts/b.md:2\n\
             3 snippets\n"
        );
    }
}
