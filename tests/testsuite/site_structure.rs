//! Category, tag and series pages, the series box on each part, post navigation and the
//! table of contents, on the `site-structure` fixture and broken variants.

use crate::harness::{assert_contains, assert_not_contains, TestSite};

/// The positions of `needles` in `haystack`, asserting each is there and they come in order.
#[track_caller]
pub fn assert_in_order(haystack: &str, needles: &[&str]) {
    let mut from = 0;
    for n in needles {
        let at =
            haystack[from..].find(n).unwrap_or_else(|| panic!("{n:?} missing, or not after {from} in:\n{haystack}"));
        from += at + n.len();
    }
}

/// The `<main>` part of a page, to keep the site header's links out of assertions.
pub fn main_of(html: &str) -> &str {
    let start = html.find("<main").expect("a <main>");
    let end = html.find("</main>").expect("a </main>");
    &html[start..end]
}

fn built() -> TestSite {
    let site = TestSite::fixture("site-structure");
    site.build();
    site
}

#[test]
fn category_index_lists_every_category_with_counts() {
    let site = built();
    let list = site.read("public/categories/index.html");
    assert_in_order(
        main_of(&list),
        &[
            "<a href=\"/categories/docker/\">Docker</a> <span class=\"count\">(1 post)</span>",
            "<a href=\"/categories/projects/\">Projects</a> <span class=\"count\">(2 posts)</span>",
            "<a href=\"/categories/shell/\">Shell</a> <span class=\"count\">(4 posts)</span>",
        ],
    );
}

#[test]
fn category_pages_are_paginated_newest_first() {
    let site = built();
    let page1 = site.read("public/categories/shell/index.html");
    let main1 = main_of(&page1);
    assert_in_order(
        main1,
        &[
            "<h1>Shell</h1>",
            "4 posts",
            "Docker notes",
            "Shell scripts",
            "Page 1 of 2",
            "href=\"/categories/shell/page/2/\"",
        ],
    );
    assert_not_contains(main1, &["Shell pipes", "Intro to shells"]);
    let page2 = site.read("public/categories/shell/page/2/index.html");
    assert_in_order(main_of(&page2), &["Shell pipes", "Intro to shells", "href=\"/categories/shell/\"", "Page 2 of 2"]);
    assert_contains(&page2, &["<title>Shell (page 2) · Structure</title>"]);
}

#[test]
fn tag_index_and_pages() {
    let site = built();
    let tags = site.read("public/tags/index.html");
    assert_in_order(
        main_of(&tags),
        &[
            "href=\"/tags/bash/\">#bash</a> <span class=\"count\">(4 posts)",
            "href=\"/tags/basics/\">#basics</a>",
            "/tags/docker/",
            "/tags/meetings/",
            "/tags/pipes/",
            "/tags/templates/",
        ],
    );
    let meetings = site.read("public/tags/meetings/index.html");
    assert_in_order(
        main_of(&meetings),
        &["<h1>#meetings</h1>", "Retrospective, part three", "Retrospective, part two"],
    );
    assert_eq!(
        site.files_under("public/tags").into_iter().filter(|f| f.ends_with(".html")).collect::<Vec<_>>(),
        [
            "bash/index.html",
            "bash/page/2/index.html",
            "basics/index.html",
            "docker/index.html",
            "index.html",
            "meetings/index.html",
            "pipes/index.html",
            "templates/index.html"
        ]
    );
}

#[test]
fn series_pages_list_parts_in_order_with_gaps() {
    let site = built();
    let index = site.read("public/series/index.html");
    assert_in_order(
        main_of(&index),
        &[
            "<a href=\"/series/retrospectives/\">Retrospectives</a> <span class=\"count\">(2 parts of 3)",
            "<a href=\"/series/shell-basics/\">Shell Basics</a> <span class=\"count\">(3 parts)",
        ],
    );
    let shell = site.read("public/series/shell-basics/index.html");
    // Numbered parts first, then the unnumbered one (by date).
    assert_in_order(
        main_of(&shell),
        &[
            "<li value=\"1\"><a href=\"/posts/intro-to-shells/\">Intro to shells</a>",
            "<li value=\"2\"><a href=\"/posts/shell-pipes/\">Shell pipes</a>",
            "<li value=\"3\"><a href=\"/posts/shell-scripts/\">Shell scripts</a>",
        ],
    );
    let retro = site.read("public/series/retrospectives/index.html");
    assert_in_order(
        main_of(&retro),
        &[
            "<li value=\"1\" class=\"missing\">Part 1: not published on this site</li>",
            "<li value=\"2\"><a href=\"/posts/retro-two/\">",
            "<li value=\"3\"><a href=\"/posts/retro-three/\">",
        ],
    );
}

/// The series box of a post page.
fn series_box(site: &TestSite, slug: &str) -> String {
    let html = site.read(&format!("public/posts/{slug}/index.html"));
    let start = html.find("<aside class=\"series-box\"").unwrap_or_else(|| panic!("no series box on {slug}"));
    let end = start + html[start..].find("</aside>").unwrap();
    html[start..end].to_string()
}

#[test]
fn series_box_on_each_part_has_position_and_neighbours() {
    let site = built();
    let first = series_box(&site, "intro-to-shells");
    assert_contains(
        &first,
        &[
            "Part 1 of 3 in <a href=\"/series/shell-basics/\">Shell Basics</a>",
            "class=\"series-next\" href=\"/posts/shell-pipes/\"",
        ],
    );
    assert_contains(
        &first,
        &["<li value=\"1\" class=\"current\" aria-current=\"page\"><strong>Intro to shells</strong>"],
    );
    assert_not_contains(&first, &["series-previous"]);

    let second = series_box(&site, "shell-pipes");
    assert_contains(
        &second,
        &[
            "Part 2 of 3 in",
            "class=\"series-previous\" href=\"/posts/intro-to-shells/\"",
            "class=\"series-next\" href=\"/posts/shell-scripts/\"",
            "<li value=\"2\" class=\"current\" aria-current=\"page\">",
        ],
    );

    let third = series_box(&site, "shell-scripts");
    assert_contains(&third, &["Part 3 of 3 in", "class=\"series-previous\" href=\"/posts/shell-pipes/\""]);
    assert_not_contains(&third, &["series-next"]);
}

#[test]
fn series_box_with_a_missing_first_part() {
    let site = built();
    let two = series_box(&site, "retro-two");
    // N is the part number, M the highest part; part 1 is listed as missing and skipped by the links.
    assert_contains(
        &two,
        &[
            "Part 2 of 3 in <a href=\"/series/retrospectives/\">Retrospectives</a>",
            "Part 1: not published on this site",
            "class=\"series-next\" href=\"/posts/retro-three/\"",
        ],
    );
    assert_not_contains(&two, &["series-previous"]);
    let three = series_box(&site, "retro-three");
    assert_contains(&three, &["Part 3 of 3 in", "class=\"series-previous\" href=\"/posts/retro-two/\""]);
    assert_not_contains(&three, &["series-next"]);
    // Posts outside a series have no box.
    assert_not_contains(&site.read("public/posts/docker-notes/index.html"), &["series-box"]);
}

#[test]
fn bundled_post_mortem_series_starts_at_part_two() {
    let site = TestSite::bundled_blog();
    site.build();
    let html = site.read("public/posts/post-mortem-optimism/index.html");
    assert_contains(
        &html,
        &[
            "Part 2 of 3 in <a href=\"/series/post-mortems/\">Post-Mortems</a>",
            "Part 1: not published on this site",
            "class=\"series-next\" href=\"/posts/post-mortem-template/\"",
        ],
    );
}

#[test]
fn post_pages_link_older_and_newer_posts_and_related_ones() {
    let site = built();
    let html = site.read("public/posts/shell-pipes/index.html");
    assert_contains(
        &html,
        &[
            "class=\"older\" rel=\"prev\" href=\"/posts/intro-to-shells/\"",
            "class=\"newer\" rel=\"next\" href=\"/posts/shell-scripts/\"",
        ],
    );
    let related = &html[html.find("class=\"related\"").expect("related posts")..];
    assert_contains(related, &["/posts/docker-notes/", "/posts/shell-scripts/"]);
    let retro = site.read("public/posts/retro-two/index.html");
    let related = &retro[retro.find("class=\"related\"").expect("related posts")..];
    assert_in_order(related, &["/posts/retro-three/", "</aside>"]);
    assert_not_contains(&related[..related.find("</aside>").unwrap()], &["/posts/shell"]);
}

#[test]
fn table_of_contents_nests_headings_when_there_are_several() {
    let site = built();
    let html = site.read("public/posts/intro-to-shells/index.html");
    let toc = &html[html.find("<nav class=\"toc\"").expect("a toc")..];
    let toc = &toc[..toc.find("</nav>").unwrap()];
    assert_in_order(
        toc,
        &[
            "<a href=\"#setup\">Setup</a></li>",
            "<a href=\"#prompts\">Prompts</a>",
            "<ol>",
            "<a href=\"#colours\">Colours</a>",
            "</ol>",
            "<a href=\"#next-steps\">",
        ],
    );
    // One heading: no table of contents.
    assert_not_contains(&site.read("public/posts/shell-pipes/index.html"), &["class=\"toc\""]);
}

#[test]
fn duplicate_series_part_names_both_posts() {
    TestSite::fixture("invalid/duplicate-series-part").run(&["build"]).failure().stderr_matches(snapbox::str![[r#"
error: content/posts/first.md:5:1: this post and content/posts/second.md both claim part 2 of the series "Guide"
  help: give each part its own `series_part` number

"#]]);
}

#[test]
fn names_with_one_slug_are_an_error_naming_both_posts() {
    TestSite::fixture("invalid/term-collision").run(&["build"]).failure().stderr_matches(snapbox::str![[r#"
error: content/posts/upper.md:5:1: the tag "Cheat Sheet" has the same URL (/tags/cheat-sheet/) as "cheat-sheet" in content/posts/lower.md
  help: spell the tag the same way in both posts

"#]]);
}

#[test]
fn series_names_with_one_slug_collide() {
    TestSite::fixture("site-structure")
        .write("content/posts/retro-three.md", "+++\ntitle = \"R3\"\ndate = 2020-06-01\nseries = \"retrospectives\"\n+++\nx\n")
        .run(&["build"])
        .failure()
        .stderr_matches(snapbox::str![[r#"
error: content/posts/retro-two.md:6:1: the series "Retrospectives" has the same URL (/series/retrospectives/) as the series "retrospectives" in content/posts/retro-three.md
  help: spell the series name the same way in every part

"#]]);
}

#[test]
fn a_site_without_posts_still_has_empty_lists() {
    let site = TestSite::empty();
    site.build();
    assert_contains(&site.read("public/categories/index.html"), &["No categories yet."]);
    assert_contains(&site.read("public/series/index.html"), &["No series yet."]);
}

#[test]
fn docs_series_example_builds_as_documented() {
    let blocks = crate::docs::fenced_blocks("docs/site-structure.md", "markdown");
    let site = TestSite::empty()
        .write("content/posts/post-mortem-optimism.md", &blocks[0])
        .write("content/posts/post-mortem-template.md", &blocks[1]);
    site.build();
    let html = site.read("public/posts/post-mortem-optimism/index.html");
    assert_contains(
        &html,
        &[
            "Part 2 of 3 in",
            "Part 1: not published on this site",
            "class=\"series-next\" href=\"/posts/post-mortem-template/\"",
        ],
    );
    assert_contains(
        &site.read("public/posts/post-mortem-template/index.html"),
        &["<a href=\"/posts/post-mortem-optimism/\">the last post</a>"],
    );
}
