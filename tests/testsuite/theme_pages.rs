//! What the default theme puts on every page for sharing and reading: Open Graph and
//! Twitter card tags, the favicon, the current page marked in the nav, and the code
//! stylesheet and copy script only on pages that show code.

use crate::harness::{assert_contains, assert_not_contains, TestSite};

/// A site with a post with code and an image, one with neither, and a description.
fn site() -> TestSite {
    TestSite::empty()
        .write(
            "site.toml",
            "title = \"Shared\"\ndescription = \"Notes on shells\"\nbase_url = \"https://example.com/blog/\"\n",
        )
        .post("with-code", "2024-01-02", "Paste this config.\n\n![The result](/img/shot.png)\n\n```toml\na = 1\n```\n")
        .post("prose-only", "2024-01-01", "Only words here, and a <code>word</code> in code.\n")
}

#[test]
fn posts_carry_link_preview_tags_with_their_image() {
    let site = site();
    site.build();
    let post = site.read("public/posts/with-code/index.html");
    assert_contains(
        &post,
        &[
            "<meta property=\"og:site_name\" content=\"Shared\">",
            "<meta property=\"og:url\" content=\"https://example.com/blog/posts/with-code/\">",
            "<meta property=\"og:type\" content=\"article\">",
            "<meta property=\"og:title\" content=\"with code\">",
            "<meta property=\"og:description\" content=\"Paste this config.\">",
            "<meta property=\"og:image\" content=\"https://example.com/img/shot.png\">",
            "<meta name=\"twitter:card\" content=\"summary_large_image\">",
            "<meta name=\"twitter:title\" content=\"with code\">",
            "<meta name=\"twitter:description\" content=\"Paste this config.\">",
        ],
    );
    // Without an image: a small card and no og:image.
    let prose = site.read("public/posts/prose-only/index.html");
    assert_contains(
        &prose,
        &["<meta name=\"twitter:card\" content=\"summary\">", "<meta property=\"og:title\" content=\"prose only\">"],
    );
    assert_not_contains(&prose, &["og:image"]);
    // Other pages describe the site.
    let tags = site.read("public/tags/index.html");
    assert_contains(
        &tags,
        &[
            "<meta property=\"og:url\" content=\"https://example.com/blog/tags/\">",
            "<meta property=\"og:type\" content=\"website\">",
            "<meta property=\"og:title\" content=\"Shared\">",
            "<meta property=\"og:description\" content=\"Notes on shells\">",
        ],
    );
}

#[test]
fn without_a_host_there_is_no_absolute_url_to_share() {
    let site = site().write("site.toml", "title = \"Shared\"\nbase_url = \"/blog/\"\n");
    site.build();
    let post = site.read("public/posts/with-code/index.html");
    assert_contains(&post, &["<meta property=\"og:title\" content=\"with code\">"]);
    assert_not_contains(&post, &["og:url", "og:image", "og:description\" content=\"\""]);
}

#[test]
fn every_page_links_the_favicon_and_marks_its_nav_link() {
    let site = site();
    site.build();
    assert_contains(&site.read("public/favicon.svg"), &["<svg xmlns=\"http://www.w3.org/2000/svg\""]);
    for (page, current) in [
        ("index.html", "<a href=\"/blog/\" aria-current=\"page\">Posts</a>"),
        ("tags/index.html", "<a href=\"/blog/tags/\" aria-current=\"page\">Tags</a>"),
        ("categories/index.html", "<a href=\"/blog/categories/\" aria-current=\"page\">Categories</a>"),
        ("series/index.html", "<a href=\"/blog/series/\" aria-current=\"page\">Series</a>"),
        ("snippets/index.html", "<a href=\"/blog/snippets/\" aria-current=\"page\">Snippets</a>"),
    ] {
        let html = site.read(&format!("public/{page}"));
        assert_contains(&html, &["<link rel=\"icon\" href=\"/blog/favicon.svg\" type=\"image/svg+xml\">", current]);
        assert_eq!(html.matches("aria-current=\"page\"").count(), 1, "{page}");
    }
    // A page the nav does not link to marks no link.
    let post = site.read("public/posts/prose-only/index.html");
    assert_not_contains(&post, &["aria-current"]);
}

#[test]
fn the_code_stylesheet_and_copy_script_load_only_where_code_is() {
    let site = site();
    site.build();
    let code = ["<link rel=\"stylesheet\" href=\"/blog/syntax.css\">", "<script src=\"/blog/copy.js\" defer></script>"];
    assert_contains(&site.read("public/posts/with-code/index.html"), &code);
    for page in ["posts/prose-only/index.html", "tags/index.html", "snippets/index.html", "404.html"] {
        assert_not_contains(&site.read(&format!("public/{page}")), &code);
    }
    // The home page shows the summary only: code below the first paragraph is not on it.
    assert_not_contains(&site.read("public/index.html"), &code);
    // A summary with code brings both to the lists that show it.
    let site = site.post("code-first", "2024-01-03", "```sh\nls\n```\n\nThen more.\n");
    site.build();
    assert_contains(&site.read("public/index.html"), &code);
}
