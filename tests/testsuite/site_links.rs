//! Links: Markdown links to other posts' files become their URLs, broken ones fail the
//! build with file, line and column; a sub-path base_url keeps every URL inside it; the
//! relative mode gives a site whose every link resolves to a file on disk.

use std::path::Path;

use crate::harness::{assert_contains, TestSite};

/// Every `href="..."` and `src="..."` value of `html`.
pub fn attr_urls(html: &str) -> Vec<String> {
    let mut urls = Vec::new();
    for attr in [" href=\"", " src=\""] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            let end = rest.find('"').expect("a closing quote");
            urls.push(rest[..end].replace("&amp;", "&"));
            rest = &rest[end..];
        }
    }
    urls
}

/// The HTML pages under `public/`, as relative paths.
fn html_pages(site: &TestSite) -> Vec<String> {
    site.files_under("public").into_iter().filter(|f| f.ends_with(".html")).collect()
}

#[test]
fn links_to_post_files_become_post_urls() {
    let site = TestSite::fixture("site-structure");
    site.build();
    let intro = site.read("public/posts/intro-to-shells/index.html");
    assert_contains(
        &intro,
        &[
            "<a href=\"/posts/shell-pipes/#pipes-in-practice\">the part on pipes</a>",
            "<a href=\"#prompts\">the prompt</a>",
            "<a href=\"/tags/bash/\">every bash post</a>",
        ],
    );
    assert_contains(
        &site.read("public/posts/shell-scripts/index.html"),
        &["<a href=\"/posts/shell-pipes/\">pipes</a>"],
    );
    assert_contains(
        &site.read("public/posts/docker-notes/index.html"),
        &["<a href=\"/posts/intro-to-shells/#setup\">setup link</a>", "<a href=\"https://docs.docker.com/\">"],
    );
}

#[test]
fn bundled_blog_links_between_posts_resolve() {
    let site = TestSite::bundled_blog();
    site.build();
    assert_contains(
        &site.read("public/posts/docker-cheat-sheet/index.html"),
        &["<a href=\"/posts/boot2docker-cheat-sheet/\">My last post</a>"],
    );
    assert_contains(
        &site.read("public/posts/post-mortem-optimism/index.html"),
        &["<a href=\"/posts/post-mortem-template/\">A PostMortem Template</a>"],
    );
}

#[test]
fn broken_links_and_anchors_fail_the_build_with_their_position() {
    TestSite::fixture("invalid/broken-link").run(&["build"]).failure().stderr_matches(snapbox::str![[r#"
error: content/posts/linking.md:7:11: the link `no-such-post.md` points to no post (there is no content/posts/no-such-post.md)
  help: link to the Markdown file of an existing post, relative to this file (e.g. `other-post.md`)
error: content/posts/linking.md:9:11: the link `target.md#no-such-heading` points to a heading #no-such-heading that content/posts/target.md does not have
  help: use one of the heading anchors: #real-heading
error: content/posts/linking.md:9:65: the link `#nowhere` points to no heading of this post
  help: that post has no headings; link to the post without an anchor

"#]]);
    assert!(!TestSite::fixture("invalid/broken-link").path("public").exists());
}

#[test]
fn html_anchors_and_github_style_anchors_are_link_targets() {
    // The fixture's broken.md links to a commented-out anchor, to the `name` of a form
    // field, to a heading in the wrong case and to nothing: those fail, and only those.
    TestSite::fixture("html-anchors").run(&["build"]).failure().stderr_matches(snapbox::str![[r#"
error: content/posts/broken.md:8:11: the link `#old` points to no heading of this post
  help: that post has no headings; link to the post without an anchor
error: content/posts/broken.md:9:1: the link `#query` points to no heading of this post
  help: that post has no headings; link to the post without an anchor
error: content/posts/broken.md:9:35: the link `guide.md#Registry--Repository` points to a heading #Registry--Repository that content/posts/guide.md does not have
  help: use one of the heading or HTML anchors: #registry-repository, #step-2-the-user-flag, #elsewhere, #user_flag, #setup, #tips
error: content/posts/broken.md:10:29: the link `notes.md#nowhere` points to a heading #nowhere that content/posts/notes.md does not have
  help: use one of the heading or HTML anchors: #tools-versions, #summary, #quick-start, #Glossary, #faq

"#]]);

    let site = TestSite::fixture("html-anchors").remove("content/posts/broken.md");
    site.build();
    let guide = site.read("public/posts/guide/index.html");
    assert_contains(
        &guide,
        &[
            // Anchors of raw HTML, in this post and in another.
            "<a name=\"user_flag\"></a>Step 2: The --user flag",
            "<a href=\"#user_flag\">the flag</a>",
            "<a href=\"#setup\">setup notes</a>",
            "<a href=\"#tips\">tips</a>",
            "<a href=\"/posts/notes/#quick-start\">quick start</a>",
            "<a href=\"/posts/notes/#Glossary\">glossary</a>",
            "<a href=\"/posts/notes/#faq\">questions</a>",
            // GitHub-style anchors now point at the headings' ids.
            "<h2 id=\"registry-repository\">",
            "<a href=\"#registry-repository\">registry</a>",
            "<a href=\"#step-2-the-user-flag\">flag</a>",
            "<a href=\"/posts/notes/#tools-versions\">tools and versions</a>",
            "<a href=\"/posts/notes/#summary\">summary</a>",
        ],
    );
    crate::harness::assert_not_contains(
        &guide,
        &["#registry--repository", "#step-2-the---user-flag", "#tools--versions"],
    );
    // The summary in the feed is fixed too.
    assert_contains(
        &site.read("public/atom.xml"),
        &["href=&quot;https://example.com/posts/guide/#registry-repository&quot;"],
    );
}

#[test]
fn a_link_to_a_draft_says_it_is_not_built() {
    let site = TestSite::fixture("invalid/broken-link")
        .write("content/posts/linking.md", "+++\ntitle = \"L\"\ndate = 2021-02-01\n+++\nSee [the draft](draft.md).\n")
        .write("content/posts/draft.md", "+++\ntitle = \"D\"\ndate = 2021-01-01\ndraft = true\n+++\nSoon.\n");
    site.run(&["build"]).failure().stderr_contains("content/posts/linking.md:5:5: the link `draft.md` points to content/posts/draft.md, which is a draft or scheduled post");
    site.run(&["build", "--drafts"]).success();
    assert_contains(&site.read("public/posts/linking/index.html"), &["<a href=\"/posts/draft/\">the draft</a>"]);
}

/// Whether `url` stays inside `https://example.com/blog/`.
fn inside_blog(url: &str) -> bool {
    if url.starts_with('#') {
        return true;
    }
    if let Some(rest) = url.strip_prefix("https://example.com") {
        return rest.starts_with("/blog/");
    }
    if url.contains("://") || url.starts_with("mailto:") {
        return true; // another host: not the site's URL
    }
    url.starts_with("/blog/")
}

#[test]
fn sub_path_base_url_keeps_every_url_inside_it() {
    let site = TestSite::fixture("site-structure");
    site.run(&["build", "--base-url", "https://example.com/blog/"]).success();
    let mut checked = 0;
    for page in html_pages(&site) {
        let html = site.read(&format!("public/{page}"));
        for url in attr_urls(&html) {
            assert!(inside_blog(&url), "{page}: {url} is outside /blog/");
            checked += 1;
        }
    }
    assert!(checked > 200, "only {checked} URLs found");
    for file in ["public/atom.xml", "public/categories/shell/atom.xml", "public/sitemap.xml", "public/robots.txt"] {
        let text = site.read(file);
        for url in text.split(['"', '<', '>', ' ', '\n']).filter(|w| w.starts_with("https://example.com")) {
            assert!(inside_blog(url), "{file}: {url}");
        }
        // Feed content is escaped HTML: its links must be absolute and inside too.
        for url in text.split("href=&quot;").skip(1).map(|s| &s[..s.find("&quot;").unwrap()]) {
            assert!(url.contains("://") && inside_blog(url), "{file}: {url}");
        }
    }
    assert_contains(&site.read("public/robots.txt"), &["Sitemap: https://example.com/blog/sitemap.xml"]);
    assert_contains(
        &site.read("public/posts/intro-to-shells/index.html"),
        &["href=\"/blog/tags/bash/\">every bash post", "href=\"/blog/posts/shell-pipes/#pipes-in-practice\""],
    );
}

#[test]
fn relative_mode_links_resolve_to_files_from_any_folder() {
    let site = TestSite::fixture("site-structure");
    site.run(&["build", "--base-url", "."]).success();
    let public = site.path("public");
    let mut checked = 0;
    for page in html_pages(&site) {
        let html = site.read(&format!("public/{page}"));
        let dir = Path::new(&page).parent().unwrap();
        for url in attr_urls(&html) {
            if url.starts_with('#') || url.contains("://") {
                continue;
            }
            assert!(!url.starts_with('/'), "{page}: {url} is root-relative");
            let path = url.split('#').next().unwrap();
            let target = public.join(dir).join(path);
            assert!(target.is_file(), "{page}: {url} points to no file ({})", target.display());
            checked += 1;
        }
    }
    assert!(checked > 200, "only {checked} URLs found");
    let post = site.read("public/posts/shell-pipes/index.html");
    assert_contains(
        &post,
        &["href=\"../../style.css\"", "href=\"../../index.html\"", "href=\"../../posts/intro-to-shells/index.html\""],
    );
    crate::harness::assert_not_contains(&post, &["rel=\"canonical\""]);
    // Feeds and the sitemap need absolute URLs, which a relative site does not have.
    assert!(!site.path("public/atom.xml").exists() && !site.path("public/sitemap.xml").exists());
    assert_eq!(site.read("public/robots.txt"), "User-agent: *\nAllow: /\n");
}

#[test]
fn relative_mode_site_works_after_moving_the_folder() {
    let site = TestSite::fixture("site-structure");
    site.run(&["build", "--base-url", ".", "--out", "some/deep/folder"]).success();
    let home = site.read("some/deep/folder/index.html");
    assert_contains(
        &home,
        &["href=\"posts/docker-notes/index.html\"", "href=\"style.css\"", "href=\"categories/index.html\""],
    );
}
