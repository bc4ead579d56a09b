//! One broken post does not stop `gen test`: its front matter or Markdown errors are
//! failures of that post, located in its file, and every other post is still tested.
//! `gen build` still refuses such a site, with the same located messages.

use crate::harness::{assert_contains, TestSite};

#[test]
fn gen_test_reports_broken_posts_located_and_tests_the_others() {
    let site = TestSite::fixture("test-broken-posts");
    let out = site.run(&["test"]).failure();
    let stdout = out.stdout();
    assert_contains(
        &stdout,
        &[
            // The output line at column 1 ends the list item, and the fence with it.
            "failed content/posts/steps.md:17:1: this line ends the list item, and with it the code block opened at line 15 before its closing fence",
            "help: indent this line to column 4",
            "failed content/posts/typo.md:4:1: unknown field `tittle`",
        ],
    );
    // good.md's snippet is tested and passes; the two broken posts are two failures.
    assert_eq!(stdout.lines().last(), Some("1 passed, 2 failed, 0 skipped"), "{stdout}");
    let json = site.run(&["test", "--json", "--force"]).failure().stdout();
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    let failed: Vec<&str> = doc["snippets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["outcome"]["status"] == "failed")
        .map(|s| s["location"].as_str().unwrap())
        .collect();
    assert_eq!(failed, ["content/posts/steps.md:17", "content/posts/typo.md:4"]);
    // The good post's result is recorded; fixing a broken post is all it takes.
    assert!(site.read("snippet-results.toml").contains("[snippets.\"good/"), "no result for good.md");
}

#[test]
fn a_pattern_leaves_out_broken_posts_it_does_not_match() {
    let site = TestSite::fixture("test-broken-posts");
    let out = site.run(&["test", "good"]).success();
    assert_eq!(out.stdout().lines().last(), Some("1 passed, 0 failed, 0 skipped"), "{}", out.stdout());
}

#[test]
fn gen_build_still_fails_on_a_broken_post_with_the_located_message() {
    let site = TestSite::fixture("test-broken-posts");
    site.run(&["build"]).failure().stderr_contains("error: content/posts/typo.md:4:1: unknown field `tittle`");
    let site = site.remove("content/posts/typo.md");
    site.run(&["build"]).failure().stderr_contains(
        "error: content/posts/steps.md:17:1: this line ends the list item, and with it the code block opened at line 15",
    );
}
