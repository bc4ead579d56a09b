//! What a result says was checked (its evidence): the argument checks of several
//! clients of one tool give a version range, and version drift where they disagree;
//! a weaker run keeps the stronger recorded result; a real failure replaces a pass;
//! the bundled blog's snippets whose tools are not installed do not claim "passed".
//!
//! The made-up tool `drift` of `tests/fixtures/evidence-drift/bin` has two clients,
//! 2.0.0 and 1.0.0 (which does not know `--new-flag`), so these tests need no real
//! tool.

use serde_json::Value;

use crate::harness::{assert_contains, assert_not_contains, repo_root, require_program, TestSite};
use crate::snippets::assert_valid_against_schema;

fn bin() -> String {
    repo_root().join("tests/fixtures/evidence-drift/bin").display().to_string()
}

/// The drift fixture with its clients at their absolute paths, and `drift` on PATH.
fn drift_site() -> TestSite {
    let site = TestSite::fixture("evidence-drift");
    let config = site.read("site.toml").replace("BIN", &bin());
    site.write("site.toml", &config)
}

fn path_with_drift() -> String {
    format!("{}:{}", bin(), std::env::var("PATH").unwrap_or_default())
}

fn snippet<'a>(doc: &'a Value, id: &str) -> &'a Value {
    doc["snippets"].as_array().unwrap().iter().find(|s| s["id"] == id).unwrap_or_else(|| panic!("no snippet {id}"))
}

#[test]
fn several_clients_give_a_range_and_drift_is_not_a_failure() {
    let site = drift_site();
    let path = path_with_drift();
    let out = site.run_with_env(&[("PATH", &path)], &["test", "--no-sandbox"]).failure();
    // Rejected by both clients, through a pipe: a plain failure.
    assert_contains(&out.stdout(), &["drift rejects these arguments: unknown flag: --bogus", "3 passed, 1 failed"]);
    site.run_with_env(&[("PATH", &path)], &["build"]).success();
    let doc: Value = serde_json::from_str(&site.read("public/snippets.json")).unwrap();
    assert_valid_against_schema(&doc);

    let both = snippet(&doc, "drift/both");
    assert_eq!(both["status"], "passed");
    assert_eq!(both["evidence"]["level"], "arguments");
    assert_eq!(both["evidence"]["summary"], "arguments accepted by drift 1.0.0 and 2.0.0");
    // A path in a bin folder names the tool; a substitution's command is checked too.
    assert_eq!(both["evidence"]["checks"]["args"]["drift"]["commands"], serde_json::json!(["drift ps", "drift ps -q"]));

    let drift = snippet(&doc, "drift/old-and-new");
    assert_eq!(drift["status"], "passed", "version drift does not fail the snippet");
    assert_eq!(
        drift["evidence"]["summary"],
        "arguments accepted by drift 2.0.0; version drift: `drift run --new-flag x` accepted by drift 2.0.0, \
         rejected by drift 1.0.0 (unknown flag: --new-flag), which contradicts its tag \"requires drift 1.0+\""
    );
    let recorded = &drift["evidence"]["checks"]["args"]["drift"]["drift"][0];
    assert_eq!(recorded["rejected_by"][0]["version"], "1.0.0");
    assert_eq!(recorded["contradicts"], "drift 1.0+");

    // An init script named like the tool is not the tool: no argument check, no tool.
    let init = snippet(&doc, "drift/init-script");
    assert_eq!(init["tools"], serde_json::json!([]));
    assert_eq!(init["evidence"]["checks"].get("args"), None);

    let post = site.read("public/posts/drift/index.html");
    assert_contains(&post, &["<p class=\"snippet-says\">Arguments accepted by drift 1.0.0 and 2.0.0 · tested "]);
}

#[test]
fn a_weaker_run_keeps_the_stronger_result() {
    if !require_program("shellcheck") {
        return;
    }
    let site = TestSite::empty().post("p", "2024-01-02", "## Greet\n\n```console\n$ echo \"hi\"\n```\n");
    site.run(&["test", "--no-sandbox"]).success();
    let strong = site.read("snippet-results.toml");
    assert_contains(&strong, &["shellcheck = \""]);

    // The same content on a machine without shellcheck (nothing on PATH).
    let empty = tempfile::tempdir().unwrap();
    let path = empty.path().display().to_string();
    let out = site.run_with_env(&[("PATH", &path)], &["test", "--no-sandbox"]).success();
    assert_contains(
        &out.stdout(),
        &["note: kept the recorded result of p/greet (", "): it checked more (shellcheck ", ") than this machine can"],
    );
    assert_eq!(site.read("snippet-results.toml"), strong, "the stronger result is kept as it was");
    site.build();
    let post = site.read("public/posts/p/index.html");
    assert_contains(
        &post,
        &[
            "snippet-status-passed\" href=\"#snippet-legend\">passed</a>",
            "<p class=\"snippet-says\">Syntax, lint and shellcheck ",
        ],
    );
}

#[test]
fn a_real_failure_replaces_a_pass() {
    let site = drift_site();
    let path = path_with_drift();
    let new_only = site.read("site.toml").replace(&format!("\"{}/drift-1.0\", ", bin()), "");
    let site = site.write("site.toml", &new_only);
    site.run_with_env(&[("PATH", &path)], &["test", "--no-sandbox", "old-and-new"]).success();
    let passed = site.read("snippet-results.toml");
    assert_contains(&passed, &["status = \"passed\"", "accepted_by = [\"2.0.0\"]"]);

    // The same content, checked by the older client only: fewer versions, but a real
    // rejection, which replaces the pass.
    let old_only = new_only.replace(&format!("{}/drift\"", bin()), &format!("{}/drift-1.0\"", bin()));
    let site = site.write("site.toml", &old_only);
    let out = site.run_with_env(&[("PATH", &path)], &["test", "--no-sandbox", "old-and-new"]).failure();
    assert_contains(&out.stdout(), &["drift rejects these arguments: unknown flag: --new-flag"]);
    assert_not_contains(&out.stdout(), &["kept the recorded result"]);
    let failed = site.read("snippet-results.toml");
    assert_contains(&failed, &["status = \"failed\""]);
    assert_not_contains(&failed, &["accepted_by"]);
}

#[test]
fn the_bundled_blogs_unchecked_tools_do_not_claim_passed() {
    let site = TestSite::bundled_blog();
    std::fs::copy(repo_root().join("snippet-results.toml"), site.path("snippet-results.toml")).unwrap();
    site.build();
    let doc: Value = serde_json::from_str(&site.read("public/snippets.json")).unwrap();
    for id in [
        "boot2docker-cheat-sheet/installing-boot2docker-on-mac-using-homebrew",
        "boot2docker-cheat-sheet/start-boot2docker",
        "boot2docker-cheat-sheet/handling-the-insecure-registry-error",
        "boot2docker-cheat-sheet/exposing-your-containers-to-the-network",
        "docker-cheat-sheet/installing-docker-using-homebrew",
    ] {
        let s = snippet(&doc, id);
        assert_eq!(s["status"], "unverified", "{id}");
        let summary = s["evidence"]["summary"].as_str().unwrap();
        assert!(
            summary.contains(" only: ") && summary.ends_with("not installed on the test machine"),
            "{id}: {summary}"
        );
    }
    // The insecure-registry block's only docker is an init script: no docker version.
    let registry = snippet(&doc, "boot2docker-cheat-sheet/handling-the-insecure-registry-error");
    assert!(!registry["tools"].as_array().unwrap().iter().any(|t| t == "docker"), "{registry}");
    let post = site.read("public/posts/boot2docker-cheat-sheet/index.html");
    assert_contains(
        &post,
        &["snippet-status-unverified\" href=\"#snippet-legend\">unverified</a>", "<p class=\"snippet-says\">Syntax"],
    );
    assert_not_contains(&post, &["snippet-status-passed"]);
}
