//! `gen test` on whole sites: the export's originals (the Apache block's curly quotes
//! included: code blocks that are not snippets are linted too) fail with each problem named at its
//! Markdown file, line and column; the fixed versions pass; an unchanged site is not
//! tested again; a syntax error is located in the post.

use crate::harness::{assert_contains, require_program, TestSite};

#[test]
fn originals_fail_with_each_problem_located() {
    let site = TestSite::fixture("check-originals");
    let out = site.run(&["test"]).failure();
    let stdout = out.stdout();
    assert_contains(
        &stdout,
        &[
            "failed content/posts/docker-cheat-sheet.md:40:3: lint GEN101: `CONTAINERID = …` runs a command named `CONTAINERID`",
            "failed content/posts/docker-cheat-sheet.md:60:61: lint GEN102: `$3` inside double quotes",
            "failed content/posts/docker-cheat-sheet.md:158:3: lint GEN101: `FULL_CONTAINER_ID = …`",
            "failed content/posts/enable-apache-on-mountain-lion.md:25:15: lint GEN001: curly double quote `“` (U+201C)",
            "failed content/posts/enable-apache-on-mountain-lion.md:25:40: lint GEN001: curly double quote `”` (U+201D)",
            "skipped content/posts/enable-apache-on-mountain-lion.md:18 (enable-apache-on-mountain-lion/snippet): requires macOS",
        ],
    );
    if require_program("docker") && require_program("bwrap") {
        assert_contains(&stdout, &["failed content/posts/docker-cheat-sheet.md:40:19: args ARGS: docker rejects these arguments: unknown shorthand flag: 'r' in -rm"]);
    }
    let summary = stdout.lines().last().unwrap();
    assert!(summary.ends_with("4 failed, 5 skipped"), "{summary}");
    assert!(site.read("snippet-results.toml").contains("[snippets.\"docker-cheat-sheet/"), "no results recorded");
}

#[test]
fn fixed_versions_pass_and_a_second_run_tests_nothing() {
    let site = TestSite::fixture("check-fixed");
    let first = site.run(&["test"]).success();
    let first = first.stdout();
    assert!(first.lines().last().unwrap().ends_with("0 failed, 5 skipped"), "{first}");
    assert!(!first.contains("nothing changed"), "{first}");
    let second = site.run(&["test"]).success().stdout();
    assert_contains(
        &second,
        &["nothing changed since the last run: no snippet tested", "unchanged since their last test: not tested again"],
    );
    assert_eq!(first.lines().last(), second.lines().last());
    let forced = site.run(&["test", "--force"]).success().stdout();
    assert!(!forced.contains("nothing changed"), "{forced}");
}

#[test]
fn a_syntax_error_is_reported_at_its_markdown_line_and_column() {
    let site = TestSite::empty().post("quotes", "2024-01-02", "## Echo\n\nSay it:\n\n   ```console\n   $ ls\n   $ echo \"unclosed\n   ```\n\n```sh {skip=\"needs a macOS keychain\"}\nsecurity find-generic-password\n```\n");
    let out = site.run(&["test"]).failure();
    let stdout = out.stdout();
    let line =
        stdout.lines().find(|l| l.contains("syntax SYNTAX")).unwrap_or_else(|| panic!("no syntax error:\n{stdout}"));
    assert!(line.starts_with("failed content/posts/quotes.md:"), "{line}");
    let body_start =
        site.read("content/posts/quotes.md").lines().position(|l| l.contains("echo \"unclosed")).unwrap() + 1;
    assert!(line.contains(&format!("quotes.md:{body_start}:11: syntax SYNTAX")), "{line}");
    assert_contains(
        &stdout,
        &["skipped content/posts/quotes.md:", "needs a macOS keychain", "0 passed, 1 failed, 1 skipped"],
    );
}

#[test]
fn a_pattern_selects_snippets() {
    let site = TestSite::fixture("check-originals");
    let out = site.run(&["test", "enable-apache"]).failure();
    assert!(!out.stdout().contains("docker-cheat-sheet"), "{}", out.stdout());
    assert_eq!(out.stdout().lines().last(), Some("0 passed, 1 failed, 5 skipped"));
}

#[test]
fn the_bundled_blog_passes_with_its_skipped_reasons_visible() {
    let site = TestSite::bundled_blog();
    let out = site.run(&["test"]).success();
    let stdout = out.stdout();
    assert_contains(
        &stdout,
        &[
            "(docker-cheat-sheet/copy-files-to-a-running-container): requires docker <1.10",
            "requires macOS, this is Linux",
            " 0 failed, ",
        ],
    );
}

#[test]
fn a_run_snippet_is_compared_with_its_expected_output() {
    let site = TestSite::empty().post(
        "run",
        "2024-01-02",
        "## Echo\n\n```console {test=\"run\"}\n$ echo hello\nhello\n$ echo bye\nhi\n```\n",
    );
    let out = site.run(&["test", "--no-sandbox"]).failure();
    let stdout = out.stdout();
    assert_contains(
        &stdout,
        &[
            "failed content/posts/run.md:10:3: run RUN: `echo bye` printed something else than the expected output",
            "-hi\n+bye",
            "0 passed, 1 failed, 0 skipped",
        ],
    );
    assert!(!stdout.contains("`echo hello`"), "{stdout}");
}

#[test]
fn json_lists_every_snippet_with_its_outcome() {
    let site = TestSite::fixture("check-originals");
    let out = site.run(&["test", "--json"]).failure();
    let doc: serde_json::Value = serde_json::from_str(&out.stdout()).unwrap();
    assert_eq!(doc["summary"]["failed"], 4);
    assert_eq!(doc["summary"]["skipped"], 5);
    let failed: Vec<&str> = doc["snippets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["outcome"]["status"] == "failed")
        .map(|s| s["location"].as_str().unwrap())
        .collect();
    assert!(failed.contains(&"content/posts/enable-apache-on-mountain-lion.md:24"), "{failed:?}");
}

#[test]
fn a_snippet_excludes_shellcheck_codes_with_its_attribute() {
    if !require_program("shellcheck") {
        return;
    }
    let body = "## Loop\n\n```sh\nfor f in $(ls); do echo \"$f\"; done\n```\n\n## Loop anyway\n\n```sh {shellcheck=\"SC2045, SC2012\"}\nfor f in $(ls); do echo \"$f\"; done\n```\n";
    let site = TestSite::empty().post("loops", "2024-01-02", body);
    let out = site.run(&["test"]).failure();
    let stdout = out.stdout();
    // Only the first block is reported: the second excludes the code.
    assert_contains(
        &stdout,
        &[
            "failed content/posts/loops.md:8:10: shellcheck SC2045",
            "add shellcheck=\"SC2045\" to the block",
            "1 passed, 1 failed, 0 skipped",
        ],
    );
    assert!(!stdout.contains("loops.md:14:"), "{stdout}");
}

fn junit(site: &TestSite, args: &[&str]) -> String {
    let file = site.path("report.xml");
    let mut all = vec!["test", "--junit", file.to_str().unwrap()];
    all.extend_from_slice(args);
    let out = site.run(&all);
    // No progress bar when stderr is not a terminal.
    assert_eq!(out.stderr(), "");
    site.read("report.xml")
}

#[test]
fn junit_report_has_a_case_per_snippet_with_failures_and_skips() {
    let site = TestSite::fixture("check-originals");
    let xml = junit(&site, &[]);
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let suite = doc.descendants().find(|n| n.has_tag_name("testsuite")).unwrap();
    assert_eq!((suite.attribute("failures"), suite.attribute("skipped")), (Some("4"), Some("5")));
    let cases: Vec<_> = suite.children().filter(|n| n.has_tag_name("testcase")).collect();
    assert_eq!(cases.len().to_string(), suite.attribute("tests").unwrap());
    let case = cases
        .iter()
        .find(|c| c.attribute("name") == Some("docker-cheat-sheet/open-bash-prompt-in-a-container"))
        .unwrap();
    assert_eq!(
        (case.attribute("file"), case.attribute("line")),
        (Some("content/posts/docker-cheat-sheet.md"), Some("38"))
    );
    let failure = case.children().find(|n| n.has_tag_name("failure")).unwrap();
    assert!(failure.attribute("message").unwrap().starts_with("content/posts/docker-cheat-sheet.md:40:3: lint GEN101"));
    assert!(failure.text().unwrap().contains("help: remove the spaces around `=`"));
    let skipped = cases.iter().find(|c| c.attribute("name") == Some("enable-apache-on-mountain-lion/snippet")).unwrap();
    assert_eq!(
        skipped.children().find(|n| n.has_tag_name("skipped")).unwrap().attribute("message"),
        Some("requires macOS, this is Linux")
    );

    // The fixed versions: no failure.
    let xml = junit(&TestSite::fixture("check-fixed"), &[]);
    let doc = roxmltree::Document::parse(&xml).unwrap();
    assert_eq!(doc.root_element().attribute("failures"), Some("0"));
    assert!(!xml.contains("<failure"));
}

#[test]
fn shards_test_their_part_and_keep_each_others_results() {
    let whole = TestSite::fixture("check-fixed");
    whole.run(&["test"]).success();
    let ids = |site: &TestSite| {
        site.read("snippet-results.toml")
            .lines()
            .filter(|l| l.starts_with("[snippets.") && !l.ends_with(".tools]"))
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let all = ids(&whole);

    let site = TestSite::fixture("check-fixed");
    let first = site.run(&["test", "--shard", "1/2", "--json"]).success();
    let first: serde_json::Value = serde_json::from_str(&first.stdout()).unwrap();
    let after_first = ids(&site);
    assert!(!after_first.is_empty() && after_first.len() < all.len(), "{after_first:?}");
    let second = site.run(&["test", "--shard", "2/2", "--json"]).success();
    let second: serde_json::Value = serde_json::from_str(&second.stdout()).unwrap();
    // The second shard kept the first one's results: together they are the whole run's.
    assert_eq!(ids(&site), all);
    // Each snippet is in exactly one shard.
    let listed = |doc: &serde_json::Value| {
        doc["snippets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_str().unwrap().to_string())
            .collect::<std::collections::BTreeSet<_>>()
    };
    let full: serde_json::Value = serde_json::from_str(&whole.run(&["test", "--json"]).success().stdout()).unwrap();
    assert!(listed(&first).is_disjoint(&listed(&second)));
    assert_eq!(
        listed(&first).union(&listed(&second)).cloned().collect::<std::collections::BTreeSet<_>>(),
        listed(&full)
    );
    assert!(site.run(&["test"]).success().stdout().contains("nothing changed since the last run"));
    let bad = site.run(&["test", "--shard", "3/2"]);
    assert_eq!(bad.code(), Some(2), "a usage error");
    bad.stderr_contains("`3/2` is not a shard: write K/N with 1 <= K <= N");
}

#[test]
fn progress_bar_on_a_terminal_only() {
    if !require_program("script") {
        return;
    }
    let site = TestSite::fixture("check-fixed");
    let gen = env!("CARGO_BIN_EXE_gen");
    let command = format!("{gen} --root {} test 2>&1", site.root().display());
    let out = std::process::Command::new("script")
        .env("GEN_CACHE_DIR", site.cache_dir())
        .args(["-qec", &command, "/dev/null"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(" snippets ") && text.contains('\r'), "no progress bar on a terminal:\n{text}");
    assert!(text.contains("0 failed, 5 skipped"), "{text}");
}

/// The plan `gen test` keeps for `site` in its cache folder.
fn plan_file(site: &TestSite) -> std::path::PathBuf {
    let plans: Vec<_> = std::fs::read_dir(site.cache_dir().join("plans")).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(plans.len(), 1, "{plans:?}");
    plans[0].clone()
}

#[test]
fn an_unchanged_site_is_answered_from_the_cache_without_reading_markdown() {
    let site = TestSite::fixture("check-fixed");
    site.run(&["test"]).success();
    let plan = plan_file(&site);
    assert!(site.cache_dir().join("versions.json").exists(), "tool versions are remembered");
    // The second run gives what a run without the cache gives.
    let cached = site.run(&["test"]).success().stdout();
    let uncached = site
        .run_with_env(&[("GEN_CACHE_DIR", site.path("fresh-cache").to_str().unwrap())], &["test"])
        .success()
        .stdout();
    assert_eq!(cached, uncached);
    assert_contains(&cached, &["nothing changed since the last run: no snippet tested"]);
    // It came from the plan: a location changed in the plan shows up.
    let text = std::fs::read_to_string(&plan).unwrap();
    std::fs::write(&plan, text.replace("\"line\":19,", "\"line\":1019,")).unwrap();
    assert!(site.run(&["test"]).success().stdout().contains("mountain-lion.md:1018 "), "the plan was not used");

    // Changing a post, the options or the results file makes gen read the site again.
    let post = site.read("content/posts/enable-apache-on-mountain-lion.md");
    let site = site.write(
        "content/posts/enable-apache-on-mountain-lion.md",
        &format!("{post}\n## New\n\n```console\n$ echo new\n```\n"),
    );
    let out = site.run(&["test"]).success().stdout();
    assert!(!out.contains("mountain-lion.md:1018 ") && !out.contains("nothing changed"), "{out}");
    let results = site.read("snippet-results.toml");
    let site = site.write("snippet-results.toml", &results.replacen("key = \"", "key = \"00", 1));
    let out = site.run(&["test"]).success().stdout();
    assert!(!out.contains("nothing changed"), "a snippet whose recorded key differs is tested: {out}");
    assert!(site.run(&["test"]).success().stdout().contains("nothing changed"));
    assert!(!site.run(&["test", "--force"]).success().stdout().contains("nothing changed"));
}

#[test]
fn a_new_tool_version_makes_its_snippets_untested_again() {
    let bin = tempfile::tempdir().unwrap();
    let tool = bin.path().join("gentool");
    let write_tool = |version: &str| {
        std::fs::write(&tool, format!("#!/bin/sh\necho \"gentool {version}\"\n")).unwrap();
        std::fs::set_permissions(&tool, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    };
    write_tool("1.0.0");
    let path = format!("{}:{}", bin.path().display(), std::env::var("PATH").unwrap());
    let site = TestSite::empty().post(
        "tool",
        "2024-01-02",
        "## Use\n\n```console {requires=\"gentool 1.0+\"}\n$ gentool --help\n```\n",
    );
    let run = |site: &TestSite| site.run_with_env(&[("PATH", &path)], &["test"]).success().stdout();
    assert!(run(&site).ends_with("1 passed, 0 failed, 0 skipped\n"));
    assert!(run(&site).contains("nothing changed"));
    assert!(site.read("snippet-results.toml").contains("gentool = \"1.0.0\""));
    // A new version of the program (another size and time): probed again, tested again.
    std::thread::sleep(std::time::Duration::from_millis(20));
    write_tool("1.10.0");
    let out = run(&site);
    assert!(!out.contains("nothing changed"), "{out}");
    assert!(site.read("snippet-results.toml").contains("gentool = \"1.10.0\""));
}

/// Warnings by rule, each beside a real bug that still fails: prompts in an `sh` block
/// (GEN103) and SC2024 on a redirection to the user's own file pass with warnings; a
/// curly quote beside the prompts and SC2024 on a file that needs root fail.
#[test]
fn warnings_pass_and_real_bugs_beside_them_fail() {
    let site = TestSite::fixture("warnings");
    let out = site.run(&["test"]).failure();
    let stdout = out.stdout();
    assert_contains(
        &stdout,
        &[
            "warning content/posts/warnings.md:9:1: lint GEN103 (warning): `$ ` prompt in a script block",
            "warning content/posts/warnings.md:16:1: lint GEN103 (warning)",
            "failed content/posts/warnings.md:17:8: lint GEN001: curly double quote",
        ],
    );
    if require_program("shellcheck") {
        assert_contains(
            &stdout,
            &[
                "warning content/posts/warnings.md:23:26: shellcheck SC2024 (warning): sudo doesn't affect redirects",
                "the redirection writes a file of the user's own",
                "failed content/posts/warnings.md:29:31: shellcheck SC2024: sudo doesn't affect redirects",
            ],
        );
        assert_eq!(stdout.lines().last(), Some("2 passed (2 with warnings), 2 failed, 0 skipped"), "{stdout}");
    }
    let results = site.read("snippet-results.toml");
    assert!(results.contains("status = \"warned\""), "{results}");
    // The badge says it in words, and the warnings are listed under the block.
    site.build();
    let html = site.read("public/posts/warnings/index.html");
    assert_contains(
        &html,
        &[
            "snippet-status snippet-status-warned\" href=\"#snippet-legend\">passed with warnings</a>",
            "warning, listed below</p>",
            "<summary>What its test found (1 warning)</summary>",
        ],
    );
}
