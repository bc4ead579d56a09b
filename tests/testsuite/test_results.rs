//! `gen test`'s results on the site: after a test run, `gen build` shows each snippet's
//! last result (passed with versions and date, failed, skipped with the reason) on its
//! post page, on /snippets/, in /snippets.json and in `gen snippets`; a snippet changed
//! since shows as untested; a site never tested shows every snippet untested.

use serde_json::Value;

use crate::harness::{assert_contains, assert_not_contains, TestSite};
use crate::snippets::assert_valid_against_schema;

const POST: &str = "## List\n\n```console\n$ ls -l\n```\n\n## Assign\n\n```console\n$ NAME = $(ls)\n```\n\n## Mac only\n\n```console {requires=\"os macos\"}\n$ open .\n```\n";

fn site() -> TestSite {
    TestSite::empty().post("three", "2024-01-02", POST)
}

fn json(site: &TestSite) -> Value {
    serde_json::from_str(&site.read("public/snippets.json")).unwrap()
}

fn by_id<'a>(doc: &'a Value, id: &str) -> &'a Value {
    doc["snippets"].as_array().unwrap().iter().find(|s| s["id"] == id).unwrap_or_else(|| panic!("no snippet {id}"))
}

#[test]
fn a_site_never_tested_shows_every_snippet_untested() {
    let site = site();
    site.build();
    let post = site.read("public/posts/three/index.html");
    assert_eq!(post.matches("data-status=\"untested\"").count(), 3, "{post}");
    assert_not_contains(
        &post,
        &["snippet-status-passed", "snippet-status-failed", "snippet-status-skipped", "snippet-status-detail"],
    );
    let doc = json(&site);
    assert_eq!(by_id(&doc, "three/list")["last_test"], Value::Null);
    assert_valid_against_schema(&doc);
}

#[test]
fn build_shows_each_snippets_last_result() {
    let site = site();
    site.run(&["test"]).failure();
    let results = site.read("snippet-results.toml");
    let date = results.lines().find_map(|l| l.strip_prefix("date = ")).expect("a date").to_string();
    site.build();

    let post = site.read("public/posts/three/index.html");
    assert_contains(
        &post,
        &[
            "data-snippet-id=\"three/list\" data-status=\"passed\"",
            "data-snippet-id=\"three/assign\" data-status=\"failed\"",
            "data-snippet-id=\"three/mac-only\" data-status=\"skipped\"",
            "<a class=\"snippet-status snippet-status-skipped\" href=\"#snippet-legend\">skipped</a>",
            &format!("<p class=\"snippet-says\">Not tested: needs macOS; the test machine runs Linux · {date}</p>"),
            // A failed snippet's findings are under its block, in words, not in a title.
            "<a class=\"snippet-status snippet-status-failed\" href=\"#snippet-legend\">failed</a>",
            "<details class=\"snippet-findings\" open>",
            "<li><code>content/posts/three.md:",
            "lint GEN101",
        ],
    );
    let passed = post.split("data-status=\"passed\"").nth(1).unwrap();
    assert!(
        passed.split("</figure>").next().unwrap().contains(&format!("tested {date}</p>")),
        "no date on the passed badge:\n{passed}"
    );

    let page = site.read("public/snippets/index.html");
    assert_contains(
        &page,
        &[
            "snippet-status snippet-status-passed",
            "snippet-status snippet-status-failed",
            "requires macOS, this is Linux",
        ],
    );

    let doc = json(&site);
    assert_valid_against_schema(&doc);
    assert_eq!(by_id(&doc, "three/list")["status"], "passed");
    assert_eq!(by_id(&doc, "three/list")["last_test"]["date"], date.as_str());
    assert!(by_id(&doc, "three/list")["last_test"]["tools"].is_object());
    assert_eq!(by_id(&doc, "three/assign")["last_test"]["status"], "failed");
    assert!(by_id(&doc, "three/assign")["last_test"]["findings"][0].as_str().unwrap().contains("GEN101"));
    assert_eq!(by_id(&doc, "three/mac-only")["last_test"]["reason"], "requires macOS, this is Linux");

    let table = site.run(&["snippets"]).success().stdout();
    assert_contains(
        &table,
        &[&format!("skipped (requires macOS, this is Linux · {date})"), &format!("failed ({date})"), "passed ("],
    );
}

#[test]
fn a_snippet_changed_since_its_test_shows_untested() {
    let site = site();
    site.run(&["test"]).failure();
    let date = site.read("snippet-results.toml").lines().find_map(|l| l.strip_prefix("date = ")).unwrap().to_string();
    let site = site.post("three", "2024-01-02", &POST.replace("$ ls -l", "$ ls -la"));
    site.build();
    let post = site.read("public/posts/three/index.html");
    assert_contains(
        &post,
        &[
            "data-snippet-id=\"three/list\" data-status=\"untested\">",
            &format!("<p class=\"snippet-says\">Changed since its test on {date}; not tested since.</p>"),
            // The others did not change.
            "data-snippet-id=\"three/mac-only\" data-status=\"skipped\"",
        ],
    );
    let doc = json(&site);
    assert_eq!(
        by_id(&doc, "three/list")["last_test"],
        serde_json::json!({ "status": "untested", "last_tested": date })
    );
    assert_valid_against_schema(&doc);
    // gen build read only the content digest: no tool was probed for it, and the
    // results file is as gen test left it.
    assert!(site.run(&["snippets"]).success().stdout().contains("untested (changed since its test on"));
}

#[test]
fn a_broken_results_file_is_a_located_error() {
    let site = site().write("snippet-results.toml", "[snippets.\"three/list\"]\nstatus = \"passed\"\n<<<<<<< HEAD\n");
    site.run(&["build"]).failure().stderr_contains("snippet-results.toml:3:").stderr_contains("run `gen test` again");
    assert!(!site.path("public").exists());
}

#[test]
fn serve_shows_new_results_without_a_restart() {
    // With file-system events, and with --poll (scans).
    for args in [&[][..], &["--poll", "--poll-interval", "50"][..]] {
        let site = site();
        let served = crate::serve::Served::start(&site, args);
        served.wait_for_page("/posts/three/", 200, "data-snippet-id=\"three/list\" data-status=\"untested\"");
        assert!(served.log().contains("site.toml, snippet-results.toml"), "{}", served.log());
        site.run(&["test"]).failure();
        let page = served.wait_for_page("/posts/three/", 200, "data-snippet-id=\"three/list\" data-status=\"passed\"");
        assert_contains(&page.body, &["data-snippet-id=\"three/mac-only\" data-status=\"skipped\""]);
        // A results file gen cannot read is shown like any other error; serve survives it.
        std::fs::write(site.path("snippet-results.toml"), "<<<<<<< HEAD\n").unwrap();
        served.wait_for_page("/posts/three/", 200, "snippet-results.toml:1");
        std::fs::remove_file(site.path("snippet-results.toml")).unwrap();
        served.wait_for_page("/posts/three/", 200, "data-snippet-id=\"three/list\" data-status=\"untested\"");
    }
}

#[test]
fn docs_status_column_is_what_gen_snippets_prints() {
    let doc = std::fs::read_to_string(crate::harness::repo_root().join("docs/testing.md")).unwrap();
    let start = doc.find("in the STATUS column of `gen snippets`").unwrap();
    let block = &doc[start..];
    let block = &block[block.find("```text\n").unwrap() + 8..];
    let block = &block[..block.find("```").unwrap()];
    let site = site();
    site.run(&["test"]).failure();
    let date = site.read("snippet-results.toml").lines().find_map(|l| l.strip_prefix("date = ")).unwrap().to_string();
    let ls = site
        .read("snippet-results.toml")
        .lines()
        .find_map(|l| l.strip_prefix("ls = "))
        .unwrap()
        .trim_matches('"')
        .to_string();
    let results = site.read("snippet-results.toml");
    let shellcheck = results.lines().find_map(|l| l.strip_prefix("shellcheck = ")).map(|v| v.trim_matches('"'));
    let printed = site
        .run(&["snippets"])
        .success()
        .stdout()
        .replace(&date, "2026-12-05")
        .replace(&format!("ls {ls}"), "ls 9.1.0");
    // The docs show a machine with shellcheck 0.9.0.
    let printed = match shellcheck {
        Some(v) => printed.replace(&format!("shellcheck {v}"), "shellcheck 0.9.0"),
        None => printed.replace("(syntax and lint ·", "(syntax, lint and shellcheck 0.9.0 ·"),
    };
    let words =
        |text: &str| text.lines().map(|l| l.split_whitespace().collect::<Vec<_>>().join(" ")).collect::<Vec<_>>();
    assert_eq!(words(&printed), words(block));
}

#[test]
fn the_bundled_blog_shows_its_committed_results() {
    let site = TestSite::bundled_blog();
    std::fs::copy(crate::harness::repo_root().join("snippet-results.toml"), site.path("snippet-results.toml")).unwrap();
    site.build();
    let doc = json(&site);
    let count = |status: &str| doc["snippets"].as_array().unwrap().iter().filter(|s| s["status"] == status).count();
    // When this fails, content/ changed since the file was written: run `gen test`.
    // (Seven passed only syntax, lint and shellcheck: a tool of theirs is not installed.)
    assert_eq!(
        (count("passed"), count("unverified"), count("skipped"), count("failed"), count("untested")),
        (16, 7, 11, 0, 0)
    );
    let post = site.read("public/posts/docker-cheat-sheet/index.html");
    assert_contains(&post, &["snippet-status snippet-status-passed", "requires docker &lt;1.10, found "]);
}
