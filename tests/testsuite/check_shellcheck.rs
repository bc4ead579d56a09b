//! shellcheck on the export's snippets (as `gen test` extracts them): one call for all
//! of them, findings at their Markdown positions, noise codes and excludes left out.

use std::os::unix::fs::PermissionsExt;

use gen::check::sandbox::find_on_path;
use gen::check::shellcheck::{check_all_with, Script, Settings};
use gen::check::suite::SnippetCheck;
use gen::check::Outcome;
use gen::config::SiteConfig;

use crate::check_support::checks;
use crate::harness::{repo_root, require_program};

/// A shellcheck that logs each call, then runs the real one.
fn logging_shellcheck(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let real = find_on_path("shellcheck").unwrap();
    let log = dir.join("calls.log");
    let wrapper = dir.join("shellcheck");
    std::fs::write(
        &wrapper,
        format!("#!/bin/sh\necho \"$#\" >> '{}'\nexec '{}' \"$@\"\n", log.display(), real.display()),
    )
    .unwrap();
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
    (wrapper, log)
}

fn findings_of(outcome: &Outcome) -> Vec<(String, usize, usize)> {
    match outcome {
        Outcome::Failed { findings } => findings.iter().map(|f| (f.code.clone(), f.line, f.column)).collect(),
        _ => Vec::new(),
    }
}

#[test]
fn one_call_for_all_snippets_mapped_back_to_markdown() {
    if !require_program("shellcheck") {
        return;
    }
    let root = repo_root().join("tests/fixtures/check-originals");
    let config = SiteConfig::load(&root).unwrap();
    // Every shell snippet of the site, with its script as `gen test` gives it to shellcheck.
    let snippets: Vec<SnippetCheck> = checks(&root).into_iter().filter(|c| c.script.is_some()).collect();
    let scripts: Vec<Script> = snippets.iter().filter_map(|c| c.script.clone()).collect();
    let dir = tempfile::tempdir().unwrap();
    let (shellcheck, log) = logging_shellcheck(dir.path());
    let outcomes =
        check_all_with(&shellcheck, &scripts, &Settings::from_config(config.tools.get("shellcheck"))).unwrap();
    let calls = std::fs::read_to_string(&log).unwrap();
    assert_eq!(calls.lines().count(), 1, "one batched call: {calls}");
    assert_eq!(outcomes.len(), scripts.len());
    // Only the `CONTAINERID = $(...)` lines fail: SC2283 at the `=`, in the Markdown file.
    let failed: Vec<String> = outcomes
        .iter()
        .zip(&snippets)
        .flat_map(|(outcome, snippet)| match outcome {
            Outcome::Failed { findings } => {
                findings.iter().map(|f| format!("{} {}", f.to_diagnostic(&snippet.origin).location(), f.code)).collect()
            }
            _ => Vec::new(),
        })
        .collect();
    assert_eq!(
        failed,
        ["content/posts/docker-cheat-sheet.md:40:15 SC2283", "content/posts/docker-cheat-sheet.md:158:21 SC2283"],
        "{outcomes:#?}"
    );
}

#[test]
fn noise_site_and_snippet_excludes() {
    if !require_program("shellcheck") {
        return;
    }
    let shellcheck = find_on_path("shellcheck").unwrap();
    let scripts = [
        // Noise for a snippet: no shebang, unused and unassigned variables, bare cd.
        Script::new("X=1\ncd /tmp\necho $UNSET_PARAMETER"),
        // SC2046, excluded by the site.
        Script::new("docker rm $(docker ps -a -q)"),
        // SC2045 (iterating over ls), excluded by this snippet only; the next one keeps it.
        Script::new("for f in $(ls); do echo \"$f\"; done").excluding(&["SC2045"]),
        Script::new("for f in $(ls); do echo \"$f\"; done"),
    ];
    let settings = Settings::excluding(&["SC2046"]);
    let outcomes = check_all_with(&shellcheck, &scripts, &settings).unwrap();
    assert_eq!(outcomes[0], Outcome::passed());
    assert_eq!(outcomes[1], Outcome::passed());
    assert_eq!(outcomes[2], Outcome::passed());
    assert_eq!(findings_of(&outcomes[3]), [("SC2045".to_string(), 1, 10)]);
    // With severity "info", quoting advice (SC2086) is reported too.
    let info = Settings { fail: vec!["error".into(), "warning".into(), "info".into()], ..Settings::excluding(&[]) };
    let outcomes = check_all_with(&shellcheck, &[Script::new("docker logs $CONTAINERID")], &info).unwrap();
    assert_eq!(findings_of(&outcomes[0]), [("SC2086".to_string(), 1, 13)]);
}
