//! Categories and tags as data: each term with its stable slug and the posts that carry
//! it, newest first. Built in one pass over the posts; slug collisions are errors.

use std::collections::HashMap;

use crate::content::slugify;
use crate::error::{Diagnostic, Errors, Result};
use crate::site::Post;

/// Which front-matter list a taxonomy comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TaxonomyKind {
    Categories,
    Tags,
}

impl TaxonomyKind {
    /// The URL segment and front-matter key: `categories`, `tags`.
    pub fn key(self) -> &'static str {
        match self {
            TaxonomyKind::Categories => "categories",
            TaxonomyKind::Tags => "tags",
        }
    }

    /// `category`, `tag`: for messages and templates.
    pub fn singular(self) -> &'static str {
        match self {
            TaxonomyKind::Categories => "category",
            TaxonomyKind::Tags => "tag",
        }
    }

    fn names(self, post: &Post) -> &[String] {
        match self {
            TaxonomyKind::Categories => &post.source.front_matter.categories,
            TaxonomyKind::Tags => &post.source.front_matter.tags,
        }
    }
}

/// One category or tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// As the authors wrote it (`macOS`).
    pub name: String,
    /// `macos`: the URL segment.
    pub slug: String,
    /// Indices into the site's posts, newest first.
    pub posts: Vec<usize>,
}

/// All terms of one kind, ordered by name (case-insensitive).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taxonomy {
    pub kind: TaxonomyKind,
    pub terms: Vec<Term>,
}

impl Taxonomy {
    /// The site path of a term's page `number` (1-based): `categories/docker/`, `categories/docker/page/2/`.
    pub fn term_path(&self, term: &Term, number: usize) -> String {
        term_path(self.kind, &term.slug, number)
    }
}

/// `categories/<slug>/` and its pagination pages.
pub fn term_path(kind: TaxonomyKind, slug: &str, number: usize) -> String {
    if number <= 1 {
        format!("{}/{slug}/", kind.key())
    } else {
        format!("{}/{slug}/page/{number}/", kind.key())
    }
}

/// Groups `posts` (sorted newest first) by their terms of `kind`. Two different names
/// with the same slug (`Docker` and `docker`), or a name with an empty slug, are errors
/// naming the posts involved.
pub fn build_taxonomy(kind: TaxonomyKind, posts: &[Post]) -> Result<Taxonomy> {
    let mut by_slug: HashMap<String, usize> = HashMap::new();
    let mut terms: Vec<Term> = Vec::new();
    // The post that first used each term's name, for collision messages.
    let mut first_user: Vec<usize> = Vec::new();
    let mut errors = Vec::new();
    for (i, post) in posts.iter().enumerate() {
        for name in kind.names(post) {
            let slug = slugify(name);
            if slug.is_empty() {
                errors.push(
                    Diagnostic::file(
                        &post.source.path,
                        format!("the {} \"{name}\" has no letters or digits, so it has no URL", kind.singular()),
                    )
                    .with_help(format!("use a name with letters or digits in `{}`", kind.key())),
                );
                continue;
            }
            let t = *by_slug.entry(slug.clone()).or_insert_with(|| {
                terms.push(Term { name: name.clone(), slug: slug.clone(), posts: Vec::new() });
                first_user.push(i);
                terms.len() - 1
            });
            let term = &mut terms[t];
            if term.name != *name {
                let other = &posts[first_user[t]].source.path;
                errors.push(
                    post.source
                        .diagnostic_at_key(
                            kind.key(),
                            format!(
                                "the {} \"{name}\" has the same URL (/{}/{slug}/) as \"{}\" in {}",
                                kind.singular(),
                                kind.key(),
                                term.name,
                                other.display()
                            ),
                        )
                        .with_help(format!("spell the {} the same way in both posts", kind.singular())),
                );
                continue;
            }
            // A post listing the same term twice is counted once.
            if term.posts.last() != Some(&i) {
                term.posts.push(i);
            }
        }
    }
    if !errors.is_empty() {
        return Err(Errors(errors).sorted());
    }
    terms.sort_by(|a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()).then_with(|| a.slug.cmp(&b.slug)));
    Ok(Taxonomy { kind, terms })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::tests::post_with;

    #[test]
    fn groups_posts_by_term_newest_first_and_sorts_terms() {
        let posts = vec![
            post_with("c", "2022-01-01", "categories = [\"macOS\", \"Docker\"]"),
            post_with("b", "2021-01-01", "categories = [\"Docker\", \"Docker\"]"),
            post_with("a", "2020-01-01", "categories = [\"docker-x\"]"),
        ];
        let t = build_taxonomy(TaxonomyKind::Categories, &posts).unwrap();
        let got: Vec<(&str, &str, &[usize])> =
            t.terms.iter().map(|t| (t.name.as_str(), t.slug.as_str(), t.posts.as_slice())).collect();
        assert_eq!(
            got,
            [("Docker", "docker", &[0, 1][..]), ("docker-x", "docker-x", &[2][..]), ("macOS", "macos", &[0][..])]
        );
        assert_eq!(t.term_path(&t.terms[0], 2), "categories/docker/page/2/");
    }

    #[test]
    fn names_with_the_same_slug_are_an_error_naming_both_posts() {
        let posts = vec![
            post_with("a", "2022-01-01", "tags = [\"Cheat Sheet\"]"),
            post_with("b", "2021-01-01", "tags = [\"cheat-sheet\"]"),
        ];
        let err = build_taxonomy(TaxonomyKind::Tags, &posts).unwrap_err().to_string();
        assert!(err.contains("content/posts/b.md") && err.contains("content/posts/a.md"), "{err}");
        assert!(
            err.contains("the tag \"cheat-sheet\" has the same URL (/tags/cheat-sheet/) as \"Cheat Sheet\""),
            "{err}"
        );
    }

    #[test]
    fn a_name_without_letters_is_an_error() {
        let err = build_taxonomy(TaxonomyKind::Tags, &[post_with("a", "2022-01-01", "tags = [\"!!\"]")])
            .unwrap_err()
            .to_string();
        assert!(err.contains("has no letters or digits"), "{err}");
    }
}
