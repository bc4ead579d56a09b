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
    built().fragment_matches(
        "public/categories/index.html",
        "<main",
        "</main>",
        snapbox::str![[r#"
<main id="main" class="wrap">

<h1>Categories</h1>

<ul class="term-list">
  <li><a href="/categories/docker/">Docker</a> <span class="count">(1 post)</span></li>
  <li><a href="/categories/projects/">Projects</a> <span class="count">(2 posts)</span></li>
  <li><a href="/categories/shell/">Shell</a> <span class="count">(4 posts)</span></li>

</ul>


</main>
"#]],
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
    site.fragment_matches(
        "public/series/index.html",
        "<ul class=\"term-list\">",
        "</ul>",
        snapbox::str![[r#"
<ul class="term-list">
  <li><a href="/series/retrospectives/">Retrospectives</a> <span class="count">(2 parts of 3)</span></li>
  <li><a href="/series/shell-basics/">Shell Basics</a> <span class="count">(3 parts)</span></li>

</ul>
"#]],
    );
    // Numbered parts first, then the unnumbered one (by date).
    site.fragment_matches(
        "public/series/shell-basics/index.html",
        "<main",
        "</main>",
        snapbox::str![[r#"
<main id="main" class="wrap">

<header class="list-header">
  <p class="list-kind"><a href="/series/">Series</a></p>
  <h1>Shell Basics</h1>
  <p class="post-meta">3 parts</p>
</header>

<ol class="series-parts">
  <li value="1"><a href="/posts/intro-to-shells/">Intro to shells</a></li>
  <li value="2"><a href="/posts/shell-pipes/">Shell pipes</a></li>
  <li value="3"><a href="/posts/shell-scripts/">Shell scripts</a></li>
</ol>


</main>
"#]],
    );
    site.fragment_matches(
        "public/series/retrospectives/index.html",
        "<ol class=\"series-parts\">",
        "</ol>",
        snapbox::str![[r#"
<ol class="series-parts">
  <li value="1" class="missing">Part 1: not published on this site</li>
  <li value="2"><a href="/posts/retro-two/">Retrospective, part two</a></li>
  <li value="3"><a href="/posts/retro-three/">Retrospective, part three</a></li>
</ol>
"#]],
    );
}

/// The series box of a post page must match `expected`.
#[track_caller]
fn series_box_matches(site: &TestSite, slug: &str, expected: impl Into<snapbox::Data>) {
    site.fragment_matches(
        &format!("public/posts/{slug}/index.html"),
        "<aside class=\"series-box\"",
        "</aside>",
        expected,
    );
}

#[test]
fn series_box_on_each_part_has_position_and_neighbours() {
    let site = built();
    series_box_matches(
        &site,
        "intro-to-shells",
        snapbox::str![[r#"
<aside class="series-box" aria-label="Series: Shell Basics">
  <p class="series-position">Part 1 of 3 in <a href="/series/shell-basics/">Shell Basics</a></p>
<ol class="series-parts">
  <li value="1" class="current" aria-current="page"><strong>Intro to shells</strong> <span class="series-here">(this post)</span></li>
  <li value="2"><a href="/posts/shell-pipes/">Shell pipes</a></li>
  <li value="3"><a href="/posts/shell-scripts/">Shell scripts</a></li>
</ol>

  <p class="series-nav">
    <a class="series-next" href="/posts/shell-pipes/">Next part: Shell pipes →</a></p>
</aside>
"#]],
    );
    series_box_matches(
        &site,
        "shell-pipes",
        snapbox::str![[r#"
<aside class="series-box" aria-label="Series: Shell Basics">
  <p class="series-position">Part 2 of 3 in <a href="/series/shell-basics/">Shell Basics</a></p>
<ol class="series-parts">
  <li value="1"><a href="/posts/intro-to-shells/">Intro to shells</a></li>
  <li value="2" class="current" aria-current="page"><strong>Shell pipes</strong> <span class="series-here">(this post)</span></li>
  <li value="3"><a href="/posts/shell-scripts/">Shell scripts</a></li>
</ol>

  <p class="series-nav"><a class="series-previous" href="/posts/intro-to-shells/">← Previous part: Intro to shells</a>
    <a class="series-next" href="/posts/shell-scripts/">Next part: Shell scripts →</a></p>
</aside>
"#]],
    );
    series_box_matches(
        &site,
        "shell-scripts",
        snapbox::str![[r#"
<aside class="series-box" aria-label="Series: Shell Basics">
  <p class="series-position">Part 3 of 3 in <a href="/series/shell-basics/">Shell Basics</a></p>
<ol class="series-parts">
  <li value="1"><a href="/posts/intro-to-shells/">Intro to shells</a></li>
  <li value="2"><a href="/posts/shell-pipes/">Shell pipes</a></li>
  <li value="3" class="current" aria-current="page"><strong>Shell scripts</strong> <span class="series-here">(this post)</span></li>
</ol>

  <p class="series-nav"><a class="series-previous" href="/posts/shell-pipes/">← Previous part: Shell pipes</a>
    </p>
</aside>
"#]],
    );
}

#[test]
fn series_box_with_a_missing_first_part() {
    let site = built();
    // N is the part number, M the highest part; part 1 is listed as missing and skipped by the links.
    series_box_matches(
        &site,
        "retro-two",
        snapbox::str![[r#"
<aside class="series-box" aria-label="Series: Retrospectives">
  <p class="series-position">Part 2 of 3 in <a href="/series/retrospectives/">Retrospectives</a></p>
<ol class="series-parts">
  <li value="1" class="missing">Part 1: not published on this site</li>
  <li value="2" class="current" aria-current="page"><strong>Retrospective, part two</strong> <span class="series-here">(this post)</span></li>
  <li value="3"><a href="/posts/retro-three/">Retrospective, part three</a></li>
</ol>

  <p class="series-nav">
    <a class="series-next" href="/posts/retro-three/">Next part: Retrospective, part three →</a></p>
</aside>
"#]],
    );
    series_box_matches(
        &site,
        "retro-three",
        snapbox::str![[r#"
<aside class="series-box" aria-label="Series: Retrospectives">
  <p class="series-position">Part 3 of 3 in <a href="/series/retrospectives/">Retrospectives</a></p>
<ol class="series-parts">
  <li value="1" class="missing">Part 1: not published on this site</li>
  <li value="2"><a href="/posts/retro-two/">Retrospective, part two</a></li>
  <li value="3" class="current" aria-current="page"><strong>Retrospective, part three</strong> <span class="series-here">(this post)</span></li>
</ol>

  <p class="series-nav"><a class="series-previous" href="/posts/retro-two/">← Previous part: Retrospective, part two</a>
    </p>
</aside>
"#]],
    );
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
    let page = "public/posts/shell-pipes/index.html";
    site.fragment_matches(
        page,
        "<nav class=\"post-nav\"",
        "</nav>",
        snapbox::str![[r#"
<nav class="post-nav" aria-label="More posts">
  <a class="older" rel="prev" href="/posts/intro-to-shells/"><span>← Older</span> Intro to shells</a>
  <a class="newer" rel="next" href="/posts/shell-scripts/"><span>Newer →</span> Shell scripts</a>
</nav>
"#]],
    );
    site.fragment_matches(
        page,
        "<aside class=\"related\"",
        "</aside>",
        snapbox::str![[r#"
<aside class="related" aria-label="Related posts">
  <h2>Related posts</h2>

<ul class="post-list">
  <li><a href="/posts/docker-notes/">Docker notes</a> <time datetime="2021-04-01">April 1, 2021</time></li>
  <li><a href="/posts/shell-scripts/">Shell scripts</a> <time datetime="2021-03-01">March 1, 2021</time></li>
  <li><a href="/posts/intro-to-shells/">Intro to shells</a> <time datetime="2021-01-01">January 1, 2021</time></li>
</ul>

</aside>
"#]],
    );
    site.fragment_matches(
        "public/posts/retro-two/index.html",
        "<aside class=\"related\"",
        "</aside>",
        snapbox::str![[r#"
<aside class="related" aria-label="Related posts">
  <h2>Related posts</h2>

<ul class="post-list">
  <li><a href="/posts/retro-three/">Retrospective, part three</a> <time datetime="2020-06-01">June 1, 2020</time></li>
</ul>

</aside>
"#]],
    );
}

#[test]
fn table_of_contents_nests_headings_when_there_are_several() {
    let site = built();
    site.fragment_matches(
        "public/posts/intro-to-shells/index.html",
        "<nav class=\"toc\"",
        "</nav>",
        snapbox::str![[r##"
<nav class="toc" aria-label="Contents">
    <p class="toc-title">Contents</p>

<ol>
  <li><a href="#setup">Setup</a></li>
  <li><a href="#prompts">Prompts</a>
<ol>
  <li><a href="#colours">Colours</a></li>
</ol>
</li>
  <li><a href="#next-steps">Next steps</a></li>
</ol>

  </nav>
"##]],
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

/// A summary shown on another page keeps its links to the post's own sections: they
/// name the post (`/posts/x/#prompts`), not the page showing the summary.
#[test]
fn summaries_on_other_pages_link_to_the_posts_sections() {
    let site = built();
    let mut showing = 0;
    for file in site.files_under("public") {
        if !file.ends_with(".html") || file.starts_with("posts/intro-to-shells/") {
            continue;
        }
        let html = site.read(&format!("public/{file}"));
        assert!(!html.contains("href=\"#prompts\""), "{file} links to #prompts of itself");
        if html.contains("href=\"/posts/intro-to-shells/#prompts\"") {
            showing += 1;
        }
    }
    assert!(showing >= 2, "the summary's link to the post's section is on {showing} pages");
    // The post's own page keeps the in-page link.
    assert_contains(&site.read("public/posts/intro-to-shells/index.html"), &["href=\"#prompts\""]);
}
