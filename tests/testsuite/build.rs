//! `gen build`: what it writes, in which order, and how.

use crate::harness::{assert_contains, assert_not_contains, file_contents, TestSite};

#[test]
fn builds_home_posts_and_assets() {
    let site = TestSite::fixture("basic");
    site.build().stderr_matches(snapbox::str![[r#"
Built 3 posts, 18 pages (23 files) in [..] ms into public

"#]]);
    assert_eq!(
        site.files_under("public"),
        [
            "404.html",
            "atom.xml",
            "categories/docker/atom.xml",
            "categories/docker/index.html",
            "categories/index.html",
            "copy.js",
            "favicon.svg",
            "index.html",
            "page/2/index.html",
            "posts/first-post/index.html",
            "posts/second-post/index.html",
            "posts/third-post/index.html",
            "robots-extra.txt",
            "robots.txt",
            "series/index.html",
            "sitemap.xml",
            "snippets.json",
            "snippets/index.html",
            "style.css",
            "syntax.css",
            "tags/cheat-sheet/index.html",
            "tags/docker/index.html",
            "tags/index.html",
        ]
    );
}

#[test]
fn home_is_paginated_newest_first_with_summaries() {
    let site = TestSite::fixture("basic");
    site.build();
    let home = site.read("public/index.html");
    let third = home.find("Third post").expect("third on page 1");
    let second = home.find("Second post").expect("second on page 1");
    assert!(third < second, "newest first");
    assert_contains(
        &home,
        &["A summary from the front matter.", "Intro of the second post.", "Page 1 of 2", "href=\"/page/2/\""],
    );
    assert_not_contains(&home, &["First post", "## Commands", "docker ps"]);
    let page2 = site.read("public/page/2/index.html");
    assert_contains(&page2, &["First post", "The first paragraph of the first post.", "href=\"/\""]);
}

#[test]
fn post_page_shows_title_date_terms_reading_time_and_body() {
    let site = TestSite::fixture("basic");
    site.build();
    let post = site.read("public/posts/first-post/index.html");
    assert_contains(
        &post,
        &[
            "<h1 class=\"post-title\">First post</h1>",
            "<time datetime=\"2020-01-01\">January 1, 2020</time>",
            "1 min read",
            "href=\"/categories/docker/\">Docker</a>",
            "href=\"/tags/cheat-sheet/\">#cheat-sheet</a>",
            "<p>The first paragraph of the first post.</p>",
            "<link rel=\"canonical\" href=\"https://example.com/posts/first-post/\">",
        ],
    );
    // Older/newer navigation by date.
    assert_contains(&post, &["class=\"newer\" rel=\"next\" href=\"/posts/second-post/\""]);
}

#[test]
fn code_is_highlighted_with_classes_and_styles_ship() {
    let site = TestSite::fixture("basic");
    site.build();
    let post = site.read("public/posts/second-post/index.html");
    assert_contains(
        &post,
        &[
            "<pre class=\"code\" data-lang=\"console\">",
            "<span class=\"gp\">$ </span>",
            "<span class=\"go\">CONTAINER ID   IMAGE</span>",
            "<pre class=\"code\" data-lang=\"bash\"><code class=\"language-bash\"><span class=\"hl-",
            "<table>",
            "<h2 id=\"commands\">",
        ],
    );
    assert_not_contains(&post, &["style=\"color"]);
    let css = site.read("public/syntax.css");
    assert_contains(&css, &[".hl-", "@media (prefers-color-scheme: dark)"]);
    let theme_css = site.read("public/style.css");
    assert_contains(&theme_css, &["prefers-color-scheme: dark"]);
    assert_not_contains(&theme_css, &["@import", "http://", "https://"]);
}

#[test]
fn drafts_only_with_flag() {
    let site = TestSite::fixture("basic");
    site.build();
    assert!(!site.path("public/posts/unfinished/index.html").exists());
    site.run(&["build", "--drafts"]).success();
    assert_contains(&site.read("public/posts/unfinished/index.html"), &["Unfinished", "badge-draft"]);
}

#[test]
fn base_url_and_out_flags() {
    let site = TestSite::fixture("basic");
    site.run(&["build", "--base-url", "https://example.org/blog", "--out", "dist"]).success();
    let home = site.read("dist/index.html");
    assert_contains(&home, &["href=\"/blog/style.css\"", "href=\"/blog/posts/third-post/\""]);
    assert_contains(
        &site.read("dist/posts/third-post/index.html"),
        &["href=\"https://example.org/blog/posts/third-post/\""],
    );
    assert!(!site.path("public").exists());
}

#[test]
fn site_templates_override_theme_templates() {
    let site = TestSite::fixture("template-override");
    site.build();
    let post = site.read("public/posts/hello/index.html");
    assert_contains(&post, &["<p class=\"overridden\">Hello by the site template</p>", "<p>Hello body.</p>"]);
    // Templates not overridden still come from the theme.
    assert_contains(&site.read("public/index.html"), &["class=\"site-title\""]);
}

#[test]
fn two_builds_are_byte_identical() {
    let site = TestSite::fixture("basic");
    site.run(&["build", "--out", "one"]).success();
    site.run(&["build", "--out", "two"]).success();
    let files = site.files_under("one");
    assert_eq!(files, site.files_under("two"));
    for f in files {
        assert_eq!(
            std::fs::read(site.path(&format!("one/{f}"))).unwrap(),
            std::fs::read(site.path(&format!("two/{f}"))).unwrap(),
            "{f} differs"
        );
    }
}

#[test]
fn failed_build_leaves_previous_output_whole() {
    let site = TestSite::fixture("basic");
    site.build();
    let before = file_contents(&site.path("public"));
    let site = site.write("content/posts/first-post.md", "+++\ntitle = \"Broken\"\ndatee = 2020-01-01\n+++\n");
    site.run(&["build"]).failure().stderr_contains("content/posts/first-post.md:3:1");
    let after = file_contents(&site.path("public"));
    assert_eq!(before, after, "the previous output changed");
    let stray = site.staging_folders();
    assert!(stray.is_empty(), "staging folders left behind: {stray:?}");
}

#[test]
fn bundled_blog_builds_seven_highlighted_posts() {
    let site = TestSite::bundled_blog();
    site.build();
    let posts: Vec<String> = site.files_under("public/posts");
    assert_eq!(posts.len(), 7, "{posts:?}");
    let docker = site.read("public/posts/docker-cheat-sheet/index.html");
    assert_contains(&docker, &["<span class=\"gp\">$ </span>", "class=\"hl-", "docker"]);
    let home = site.read("public/index.html");
    assert_contains(&home, &["Container vs Package Deployments"]);
}

#[test]
fn new_writes_a_draft_and_refuses_to_overwrite() {
    let site = TestSite::empty();
    site.run(&["new", "My First Post", "--series", "Getting Started"]).success().stdout_matches(snapbox::str![[r#"
content/posts/my-first-post.md

"#]]);
    let text = site.read("content/posts/my-first-post.md");
    assert_contains(
        &text,
        &["title = \"My First Post\"", "draft = true", "series = \"Getting Started\"", "\ndate = 20"],
    );
    site.run(&["new", "My First Post"]).failure().stderr_contains("already exists; nothing was written");
    assert_eq!(site.read("content/posts/my-first-post.md"), text);
    // The new post builds with --drafts.
    site.run(&["build", "--drafts"]).success();
    assert!(site.path("public/posts/my-first-post/index.html").exists());
}
