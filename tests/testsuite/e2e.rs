//! `gen serve` in a real browser: headless Chromium, driven by playwright-core from
//! `tests/e2e/live_reload.mjs`. Needs `chromium` and `node` on PATH and playwright-core:
//! `npm ci --prefix tests/e2e`, or the package folder in `GEN_PLAYWRIGHT_CORE` (CI
//! installs it outside the tree). Skipped otherwise (failing under GEN_TEST_STRICT=1).

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

#[test]
fn browser_shows_a_snippet_finding_next_to_its_block_until_fixed() {
    let Some(playwright) = playwright() else { return };
    let site = TestSite::bundled_blog();
    let served = Served::start(&site, &[]);
    let output = Command::new("node")
        .arg(repo_root().join("tests/e2e/live_findings.mjs"))
        .arg("--url")
        .arg(format!("http://127.0.0.1:{}/posts/docker-cheat-sheet/", served.port))
        .arg("--post")
        .arg(site.path("content/posts/docker-cheat-sheet.md"))
        .arg("--chromium")
        .arg(chromium_path())
        .arg("--playwright")
        .arg(&playwright)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the browser run failed ({:?}):\n{stdout}\n{}\ngen serve printed:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr),
        served.log()
    );
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
    if !require_program("chromium") || !require_program("node") {
        return;
    }
    let e2e = repo_root().join("tests/e2e");
    let playwright = std::env::var_os("GEN_PLAYWRIGHT_CORE")
        .map_or_else(|| e2e.join("node_modules/playwright-core"), std::path::PathBuf::from);
    if !playwright.join("index.mjs").is_file() {
        assert!(!strict(), "playwright-core is required when GEN_TEST_STRICT=1: set GEN_PLAYWRIGHT_CORE or run npm ci --prefix tests/e2e");
        println!("skipped: playwright-core not installed (npm ci --prefix tests/e2e)");
        return;
    }
    let chromium = chromium_path();
    let site = TestSite::bundled_blog();
    let served = Served::start(&site, &[]);
    let output = Command::new("node")
        .arg(e2e.join("live_reload.mjs"))
        .arg("--url")
        .arg(format!("http://127.0.0.1:{}/posts/docker-cheat-sheet/", served.port))
        .arg("--post")
        .arg(site.path("content/posts/docker-cheat-sheet.md"))
        .arg("--css")
        .arg(site.path("themes/default/static/style.css"))
        .arg("--chromium")
        .arg(chromium.trim())
        .arg("--playwright")
        .arg(&playwright)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the browser run failed ({:?}):\n{stdout}\n{}\ngen serve printed:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr),
        served.log()
    );
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
