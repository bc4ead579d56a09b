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
                p.snippets.into_iter().map(move |snippet| Entry { snippet, post_title: title.clone(), post_path: path.clone() })
            })
            .collect();
        entries.sort_by(|a, b| (&a.snippet.file, a.snippet.line).cmp(&(&b.snippet.file, b.snippet.line)));
        let mut seen: BTreeMap<&str, &Snippet> = BTreeMap::new();
        let mut errors = Vec::new();
        for e in &entries {
            if let Some(first) = seen.insert(&e.snippet.id, &e.snippet) {
                errors.push(
                    Diagnostic::new(&e.snippet.file, e.snippet.line, 0, format!("the snippet id \"{}\" is also used at {}", e.snippet.id, first.location()))
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
