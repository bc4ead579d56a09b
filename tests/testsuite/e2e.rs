//! `gen serve` in a real browser: headless Chromium, driven by playwright-core from
//! `tests/e2e/live_reload.mjs`. Needs `chromium` and `node` on PATH and playwright-core:
//! `npm ci --prefix tests/e2e`, or the package folder in `GEN_PLAYWRIGHT_CORE` (CI
//! installs it outside the tree). Skipped otherwise (failing under GEN_TEST_STRICT=1).

use std::path::Path;
use std::process::Command;

use crate::harness::{assert_contains, repo_root, require_program, strict, TestSite};
use crate::serve::Served;

/// playwright-core's folder, or `None` (the test is then skipped) when it or the
/// programs are not installed.
fn playwright() -> Option<std::path::PathBuf> {
    if !require_program("chromium") || !require_program("node") {
        return None;
    }
    let playwright = std::env::var_os("GEN_PLAYWRIGHT_CORE")
        .map_or_else(|| repo_root().join("tests/e2e/node_modules/playwright-core"), std::path::PathBuf::from);
    if !playwright.join("index.mjs").is_file() {
        assert!(!strict(), "playwright-core is required when GEN_TEST_STRICT=1: set GEN_PLAYWRIGHT_CORE or run npm ci --prefix tests/e2e");
        println!("skipped: playwright-core not installed (npm ci --prefix tests/e2e)");
        return None;
    }
    Some(playwright)
}

fn chromium_path() -> String {
    let out = Command::new("sh").args(["-c", "command -v chromium"]).output().unwrap().stdout;
    String::from_utf8(out).unwrap().trim().to_string()
}

/// Runs `tests/e2e/SCRIPT` with `args`, the browser and playwright-core, against
/// `served`; asserts it succeeded and returns what it printed.
fn run_browser_script(script: &str, args: &[std::ffi::OsString], served: &Served, playwright: &Path) -> String {
    let output = Command::new("node")
        .arg(repo_root().join("tests/e2e").join(script))
        .args(args)
        .arg("--chromium")
        .arg(chromium_path())
        .arg("--playwright")
        .arg(playwright)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "the browser run failed ({:?}):\n{stdout}\n{}\ngen serve printed:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr),
        served.log()
    );
    stdout
}

#[test]
fn browser_shows_a_snippet_finding_next_to_its_block_until_fixed() {
    let Some(playwright) = playwright() else { return };
    let site = TestSite::bundled_blog();
    let served = Served::start(&site, &[]);
    let args = [
        "--url".into(),
        format!("http://127.0.0.1:{}/posts/docker-cheat-sheet/", served.port).into(),
        "--post".into(),
        site.path("content/posts/docker-cheat-sheet.md").into(),
    ];
    let stdout = run_browser_script("live_findings.mjs", &args, &served, &playwright);
    assert_contains(
        &stdout,
        &[
            "ok: the finding is right after its block",
            "ok: the finding gives its line",
            "ok: the finding gives the fix",
            "ok: the finding is shown as text and reachable by keyboard",
            "ok: the panel lists the finding with file:line:col",
            "ok: saving the fix removes the finding",
            "ok: no stale finding was ever shown",
            ", 0 failed",
        ],
    );
}

#[test]
fn browser_follows_edits_errors_and_fixes_without_any_action() {
    let Some(playwright) = playwright() else { return };
    let site = TestSite::bundled_blog();
    let served = Served::start(&site, &[]);
    let args = [
        "--url".into(),
        format!("http://127.0.0.1:{}/posts/docker-cheat-sheet/", served.port).into(),
        "--post".into(),
        site.path("content/posts/docker-cheat-sheet.md").into(),
        "--css".into(),
        site.path("themes/default/static/style.css").into(),
    ];
    let stdout = run_browser_script("live_reload.mjs", &args, &served, &playwright);
    assert_contains(
        &stdout,
        &[
            "ok: the edit appears",
            "ok: the scroll position is kept across the reload",
            "ok: the overlay names the file, line and error",
            "ok: the last good build stays under the overlay",
            "ok: the fix removes the overlay and shows the page",
            "ok: the stylesheet was swapped without a reload",
            ", 0 failed",
        ],
    );
}

/// One page of each kind of the bundled blog, and every post (they differ the most).
const READER_PAGES: &[&str] = &[
    "/",
    "/page/2/",
    "/posts/boot2docker-cheat-sheet/",
    "/posts/container-vs-package-deployments/",
    "/posts/docker-cheat-sheet/",
    "/posts/enable-apache-on-mountain-lion/",
    "/posts/post-mortem-optimism/",
    "/posts/post-mortem-template/",
    "/posts/setting-java-home-on-osx/",
    "/categories/",
    "/categories/docker/",
    "/tags/",
    "/tags/docker/",
    "/series/",
    "/series/docker-on-the-mac/",
    "/snippets/",
    "/404.html",
];

#[test]
fn reader_sees_pages_that_fit_phones_and_code_that_works() {
    let Some(playwright) = playwright() else { return };
    let site = TestSite::bundled_blog();
    // One snippet failed its last test, with a finding to show.
    let results = std::fs::read_to_string(repo_root().join("snippet-results.toml")).unwrap();
    let passed = "[snippets.\"docker-cheat-sheet/copy-files-from-a-container\"]\nstatus = \"passed\"\n";
    assert!(results.contains(passed), "the bundled blog's results have the snippet");
    let failed = "[snippets.\"docker-cheat-sheet/copy-files-from-a-container\"]\nstatus = \"failed\"\nfindings = [\"E2E finding: docker rejected the flag\"]\n";
    let site = site.write("snippet-results.toml", &results.replacen(passed, failed, 1));
    let served = Served::start(&site, &[]);
    let args: Vec<std::ffi::OsString> = [
        "--failed-page",
        "/posts/docker-cheat-sheet/",
        "--finding",
        "E2E finding: docker rejected the flag",
        "--plain-page",
        "/posts/enable-apache-on-mountain-lion/",
        "--plain-button",
        "Copy the Apache config",
        "--anchor-page",
        "/posts/docker-cheat-sheet/",
        "--url",
        &format!("http://127.0.0.1:{}", served.port),
        "--pages",
        &READER_PAGES.join(","),
    ]
    .iter()
    .map(Into::into)
    .collect();
    let stdout = run_browser_script("reader.mjs", &args, &served, &playwright);
    let mut expected: Vec<String> = Vec::new();
    for width in [320, 390, 1280] {
        for scheme in ["light", "dark"] {
            expected.push(format!("ok: no page scrolls sideways at {width} px, {scheme}"));
        }
    }
    expected.push("ok: a failed snippet's findings are visible without hover".into());
    expected.push("ok: no snippet says anything in a title only".into());
    expected.push("ok: every code block has a language label and a copy button that names what it copies".into());
    expected.push("ok: \"Copied\" is announced in a live region".into());
    expected.push("ok: the button \"Copy the Apache config\" copies the block's text".into());
    expected.push("ok: no page loads anything missing, and each has an icon".into());
    expected.push("ok: heading anchors show on touch screens".into());
    expected.push(", 0 failed".into());
    assert_contains(&stdout, &expected.iter().map(String::as_str).collect::<Vec<_>>());
}
