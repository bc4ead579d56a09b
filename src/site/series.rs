//! Series as data: each series' parts in order, the gaps between them, and for every post
//! of a series its place ("Part N of M") with the previous and next published parts.
//!
//! Numbering: a post's part number is its `series_part`; posts of the series without one
//! follow the highest given number, oldest first. M is the highest part number, so a
//! series that starts at part 2 (part 1 was never published here) reads "Part 2 of 3",
//! and part 1 is listed as not published. Previous/next skip the gaps.

use std::collections::HashMap;

use crate::content::slugify;
use crate::error::{Diagnostic, Errors, Result};
use crate::site::Post;

/// One entry of a series list: a published part, or a run of part numbers with no post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeriesSlot {
    /// Part `part` is the post at this index of the site's posts.
    Published { part: u32, post: usize },
    /// Parts `from..=to` are not on the site.
    Missing { from: u32, to: u32 },
}

/// A series and its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Series {
    pub name: String,
    pub slug: String,
    /// Parts 1..=`total` in order; each gap is one `Missing` run.
    pub slots: Vec<SeriesSlot>,
    /// The highest part number (M in "Part N of M").
    pub total: u32,
}

impl Series {
    /// The published parts, in order, as (part number, post index).
    pub fn published(&self) -> impl Iterator<Item = (u32, usize)> + '_ {
        self.slots.iter().filter_map(|s| match *s {
            SeriesSlot::Published { part, post } => Some((part, post)),
            SeriesSlot::Missing { .. } => None,
        })
    }

    /// `series/<slug>/`.
    pub fn path(&self) -> String {
        series_path(&self.slug)
    }
}

/// `series/<slug>/`.
pub fn series_path(slug: &str) -> String {
    format!("series/{slug}/")
}

/// A post's place in its series; indices point into the site's posts and series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeriesNav {
    pub series: usize,
    /// N in "Part N of M".
    pub part: u32,
    /// M in "Part N of M".
    pub total: u32,
    /// The nearest published part before and after this one.
    pub previous: Option<usize>,
    pub next: Option<usize>,
}

/// Every series of the site, ordered by name, and each post's place in one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeriesIndex {
    pub series: Vec<Series>,
    /// One entry per post, `None` for posts outside any series.
    pub nav: Vec<Option<SeriesNav>>,
}

/// Builds every series from `posts` (sorted newest first). Two posts claiming the same
/// part of a series, and two series names with the same slug, are errors naming both posts.
pub fn build_series(posts: &[Post]) -> Result<SeriesIndex> {
    let mut errors = Vec::new();
    // slug → (name, first post using the name, members newest first)
    let mut groups: Vec<(String, String, usize, Vec<usize>)> = Vec::new();
    let mut by_slug: HashMap<String, usize> = HashMap::new();
    for (i, post) in posts.iter().enumerate() {
        let Some(name) = &post.source.front_matter.series else { continue };
        let slug = slugify(name);
        if slug.is_empty() {
            errors.push(
                Diagnostic::file(
                    &post.source.path,
                    format!("the series \"{name}\" has no letters or digits, so it has no URL"),
                )
                .with_help("give the series a name with letters or digits"),
            );
            continue;
        }
        let g = *by_slug.entry(slug.clone()).or_insert_with(|| {
            groups.push((slug, name.clone(), i, Vec::new()));
            groups.len() - 1
        });
        let group = &mut groups[g];
        if group.1 != *name {
            errors.push(
                post.source
                    .diagnostic_at_key(
                        "series",
                        format!(
                            "the series \"{name}\" has the same URL (/series/{}/) as the series \"{}\" in {}",
                            group.0,
                            group.1,
                            posts[group.2].source.path.display()
                        ),
                    )
                    .with_help("spell the series name the same way in every part"),
            );
            continue;
        }
        group.3.push(i);
    }

    let mut series = Vec::with_capacity(groups.len());
    for (slug, name, _, members) in groups {
        match order_parts(&members, posts) {
            Ok(parts) => series.push(series_from_parts(name, slug, &parts)),
            Err(e) => errors.extend(e.0),
        }
    }
    if !errors.is_empty() {
        return Err(Errors(errors).sorted());
    }
    series.sort_by(|a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()).then_with(|| a.slug.cmp(&b.slug)));

    let mut nav = vec![None; posts.len()];
    for (s, one) in series.iter().enumerate() {
        let published: Vec<(u32, usize)> = one.published().collect();
        for (k, &(part, post)) in published.iter().enumerate() {
            nav[post] = Some(SeriesNav {
                series: s,
                part,
                total: one.total,
                previous: k.checked_sub(1).map(|j| published[j].1),
                next: published.get(k + 1).map(|p| p.1),
            });
        }
    }
    Ok(SeriesIndex { series, nav })
}

/// Assigns part numbers to the members (newest first) of one series: (part, post), sorted.
fn order_parts(members: &[usize], posts: &[Post]) -> Result<Vec<(u32, usize)>> {
    let mut parts: Vec<(u32, usize)> =
        members.iter().filter_map(|&i| posts[i].source.front_matter.series_part.map(|n| (n, i))).collect();
    parts.sort();
    let mut errors = Vec::new();
    for w in parts.windows(2) {
        if w[0].0 == w[1].0 {
            let (a, b) = (&posts[w[0].1], &posts[w[1].1]);
            errors.push(
                b.source
                    .diagnostic_at_key(
                        "series_part",
                        format!(
                            "this post and {} both claim part {} of the series \"{}\"",
                            a.source.path.display(),
                            w[0].0,
                            a.source.front_matter.series.as_deref().unwrap_or_default()
                        ),
                    )
                    .with_help("give each part its own `series_part` number"),
            );
        }
    }
    if !errors.is_empty() {
        return Err(Errors(errors));
    }
    let mut next = parts.last().map_or(1, |p| p.0 + 1);
    // Members are newest first; unnumbered parts follow, oldest first.
    for &i in members.iter().rev() {
        if posts[i].source.front_matter.series_part.is_none() {
            parts.push((next, i));
            next += 1;
        }
    }
    Ok(parts)
}

fn series_from_parts(name: String, slug: String, parts: &[(u32, usize)]) -> Series {
    let mut slots = Vec::with_capacity(parts.len() + 1);
    let mut expected = 1;
    for &(part, post) in parts {
        if part > expected {
            slots.push(SeriesSlot::Missing { from: expected, to: part - 1 });
        }
        slots.push(SeriesSlot::Published { part, post });
        expected = part + 1;
    }
    Series { name, slug, slots, total: expected - 1 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::tests::post_with;

    #[test]
    fn parts_in_order_with_gap_and_nav() {
        // Sorted newest first, as the site model keeps them.
        let posts = vec![
            post_with("template", "2012-10-29", "series = \"Post-Mortems\"\nseries_part = 3"),
            post_with("other", "2012-10-20", ""),
            post_with("optimism", "2012-10-15", "series = \"Post-Mortems\"\nseries_part = 2"),
        ];
        let index = build_series(&posts).unwrap();
        let s = &index.series[0];
        assert_eq!((s.name.as_str(), s.slug.as_str(), s.total), ("Post-Mortems", "post-mortems", 3));
        assert_eq!(
            s.slots,
            [
                SeriesSlot::Missing { from: 1, to: 1 },
                SeriesSlot::Published { part: 2, post: 2 },
                SeriesSlot::Published { part: 3, post: 0 }
            ]
        );
        assert_eq!(index.nav[2], Some(SeriesNav { series: 0, part: 2, total: 3, previous: None, next: Some(0) }));
        assert_eq!(index.nav[0], Some(SeriesNav { series: 0, part: 3, total: 3, previous: Some(2), next: None }));
        assert_eq!(index.nav[1], None);
    }

    #[test]
    fn a_run_of_missing_parts_is_one_slot() {
        let posts = vec![
            post_with("b", "2022-01-01", "series = \"S\"\nseries_part = 6"),
            post_with("a", "2021-01-01", "series = \"S\"\nseries_part = 2"),
        ];
        let s = &build_series(&posts).unwrap().series[0];
        assert_eq!(
            s.slots,
            [
                SeriesSlot::Missing { from: 1, to: 1 },
                SeriesSlot::Published { part: 2, post: 1 },
                SeriesSlot::Missing { from: 3, to: 5 },
                SeriesSlot::Published { part: 6, post: 0 }
            ]
        );
        assert_eq!(s.total, 6);
    }

    #[test]
    fn unnumbered_parts_follow_by_date() {
        let posts = vec![
            post_with("c", "2022-01-01", "series = \"S\""),
            post_with("b", "2021-01-01", "series = \"S\""),
            post_with("a", "2020-01-01", "series = \"S\"\nseries_part = 1"),
        ];
        let index = build_series(&posts).unwrap();
        let order: Vec<(u32, usize)> = index.series[0].published().collect();
        assert_eq!(order, [(1, 2), (2, 1), (3, 0)]);
        assert_eq!(index.nav[1].unwrap().previous, Some(2));
    }

    #[test]
    fn duplicate_part_names_both_posts() {
        let posts = vec![
            post_with("a", "2022-01-01", "series = \"S\"\nseries_part = 2"),
            post_with("b", "2021-01-01", "series = \"S\"\nseries_part = 2"),
        ];
        let err = build_series(&posts).unwrap_err().to_string();
        assert!(
            err.contains("content/posts/a.md")
                && err.contains("content/posts/b.md")
                && err.contains("both claim part 2 of the series \"S\""),
            "{err}"
        );
    }

    #[test]
    fn series_names_with_one_slug_collide() {
        let posts = vec![
            post_with("a", "2022-01-01", "series = \"Docker on the Mac\""),
            post_with("b", "2021-01-01", "series = \"docker on the mac\""),
        ];
        let err = build_series(&posts).unwrap_err().to_string();
        assert!(
            err.contains("content/posts/b.md")
                && err.contains("content/posts/a.md")
                && err.contains("/series/docker-on-the-mac/"),
            "{err}"
        );
    }
}
