//! Old URLs: each front-matter alias of a post is a redirect page to the post, in no
//! feed or sitemap; an alias that is another page's URL, or that two posts claim, is an
//! error at the `aliases` key.

use crate::harness::{assert_contains, assert_not_contains, TestSite};

fn site_with_alias() -> TestSite {
    TestSite::empty().post("other-post", "2015-03-01", "Another post.\n").write(
        "content/posts/docker-cheat-sheet.md",
        "+++\ntitle = \"Docker <Cheat> Sheet\"\ndate = 2015-03-02\naliases = [\"/2015/03/02/docker-cheat-sheet/\", \"/old/docker.html\"]\n+++\nBody.\n",
    )
}

#[test]
fn an_alias_is_a_redirect_page_to_the_post() {
    let site = site_with_alias();
    site.build();
    site.file_matches(
        "public/2015/03/02/docker-cheat-sheet/index.html",
        snapbox::str![[r#"
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Docker &lt;Cheat&gt; Sheet</title>
<link rel="canonical" href="https://example.com/posts/docker-cheat-sheet/">
<meta name="robots" content="noindex">
<meta http-equiv="refresh" content="0; url=https://example.com/posts/docker-cheat-sheet/">
</head>
<body>
<p>This page has moved to <a href="https://example.com/posts/docker-cheat-sheet/">Docker &lt;Cheat&gt; Sheet</a>.</p>
</body>
</html>

"#]],
    );
    assert_contains(&site.read("public/old/docker.html"), &["url=https://example.com/posts/docker-cheat-sheet/"]);
    for listing in ["public/sitemap.xml", "public/atom.xml"] {
        assert_not_contains(&site.read(listing), &["2015/03/02", "old/docker"]);
    }
    assert_contains(&site.read("public/sitemap.xml"), &["https://example.com/posts/docker-cheat-sheet/"]);
}

#[test]
fn an_alias_redirects_relatively_in_relative_mode() {
    let site = site_with_alias();
    site.run(&["build", "--base-url", "."]).success();
    let page = site.read("public/2015/03/02/docker-cheat-sheet/index.html");
    assert_contains(
        &page,
        &[
            "content=\"0; url=../../../../posts/docker-cheat-sheet/index.html\"",
            "<a href=\"../../../../posts/docker-cheat-sheet/index.html\">",
        ],
    );
}

#[test]
fn an_alias_that_is_another_page_fails_at_the_key() {
    let site = site_with_alias().write(
        "content/posts/docker-cheat-sheet.md",
        "+++\ntitle = \"Docker\"\ndate = 2015-03-02\ntags = []\naliases = [\"/posts/other-post/\"]\n+++\nBody.\n",
    );
    site.run(&["build"]).failure().stderr_contains(
        "content/posts/docker-cheat-sheet.md:5:1: the alias \"/posts/other-post/\" is the URL of the post content/posts/other-post.md",
    );
    // Under a page that is a file.
    let site = site.write(
        "content/posts/docker-cheat-sheet.md",
        "+++\ntitle = \"Docker\"\ndate = 2015-03-02\naliases = [\"/atom.xml/x/\"]\n+++\nBody.\n",
    );
    site.run(&["build"]).failure().stderr_contains(
        "content/posts/docker-cheat-sheet.md:4:1: the alias \"/atom.xml/x/\" is the URL of the page /atom.xml",
    );
}

#[test]
fn two_posts_claiming_one_alias_fail_at_the_key() {
    let site = site_with_alias().write(
        "content/posts/other-post.md",
        "+++\ntitle = \"Other\"\ndate = 2015-03-01\naliases = [\"/old/docker.html\"]\n+++\nBody.\n",
    );
    site.run(&["build"]).failure().stderr_contains(
        "content/posts/other-post.md:4:1: the alias \"/old/docker.html\" is also an alias of content/posts/docker-cheat-sheet.md",
    );
}
