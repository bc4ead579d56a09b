//! Scheduled posts: a post dated in the future is left out until its date; `--future`
//! builds it, marked as scheduled.

use crate::harness::{assert_contains, assert_not_contains, TestSite};

#[test]
fn future_posts_are_not_published() {
    let site = TestSite::fixture("site-scheduled");
    site.build().stderr_matches(snapbox::str![[r#"
Built 1 posts, [..] pages ([..] files) in [..] ms into public

"#]]);
    assert!(!site.path("public/posts/future").exists());
    assert!(!site.path("public/categories/later").exists());
    assert_not_contains(&site.read("public/index.html"), &["From the future"]);
    assert_not_contains(&site.read("public/atom.xml"), &["From the future"]);
    assert_not_contains(&site.read("public/sitemap.xml"), &["/posts/future/"]);
}

#[test]
fn future_flag_builds_them_marked_as_scheduled() {
    let site = TestSite::fixture("site-scheduled");
    site.run(&["build", "--future"]).success();
    let home = site.read("public/index.html");
    assert_contains(&home, &["From the future", "<span class=\"badge badge-scheduled\" title=\"Dated in the future: not published until January 1, 2999\">scheduled</span>"]);
    assert_contains(&site.read("public/posts/future/index.html"), &["badge-scheduled"]);
    assert_contains(&site.read("public/categories/later/index.html"), &["From the future"]);
    // The published post is not marked.
    let published = site.read("public/posts/published/index.html");
    assert_not_contains(
        &published[published.find("<article").unwrap()..published.find("</article>").unwrap()],
        &["badge-scheduled"],
    );
}

#[test]
fn a_link_to_a_scheduled_post_fails_until_it_is_published() {
    let site = TestSite::fixture("site-scheduled").write(
        "content/posts/published.md",
        "+++\ntitle = \"Published\"\ndate = 2021-01-01\n+++\nSoon: [the future](future.md).\n",
    );
    site.run(&["build"]).failure().stderr_contains("content/posts/published.md:5:7: the link `future.md` points to content/posts/future.md, which is a draft or scheduled post and not part of this build");
    site.run(&["build", "--future"]).success();
}
