//! The built-in lint on the export's original posts (their code blocks as `gen test`
//! extracts them) finds each known problem at its Markdown line and column, and finds
//! nothing once the snippets are fixed.

use gen::check::lint::{lint, BlockKind};

use crate::check_support::checks;
use crate::harness::repo_root;

/// Every lint finding of the fixture's code blocks, as `file:line:column: lint CODE: message`.
fn lint_fixture(name: &str) -> Vec<String> {
    let root = repo_root().join("tests/fixtures").join(name);
    let mut lines = Vec::new();
    for check in checks(&root) {
        for finding in lint(&check.text, BlockKind::from_language(&check.language)) {
            let d = finding.to_diagnostic(&check.origin);
            lines.push(format!("{}: {}", d.location(), d.message));
        }
    }
    lines
}

#[test]
fn originals_have_each_known_problem() {
    let found = lint_fixture("check-originals");
    let codes: Vec<&str> = found.iter().map(|l| l.split(": ").next().unwrap()).collect();
    assert_eq!(
        codes,
        [
            "content/posts/docker-cheat-sheet.md:40:3",
            "content/posts/docker-cheat-sheet.md:60:61",
            "content/posts/docker-cheat-sheet.md:158:3",
            "content/posts/enable-apache-on-mountain-lion.md:25:15",
            "content/posts/enable-apache-on-mountain-lion.md:25:40",
        ],
        "{found:#?}"
    );
    assert!(
        found[0].ends_with(
            "lint GEN101: `CONTAINERID = …` runs a command named `CONTAINERID` instead of assigning the variable"
        ),
        "{}",
        found[0]
    );
    assert!(found[1].contains("lint GEN102: `$3` inside double quotes is replaced by the shell"), "{}", found[1]);
    assert!(found[2].contains("GEN101: `FULL_CONTAINER_ID = …`"), "{}", found[2]);
    assert!(found[3].contains("GEN001: curly double quote `“`"), "{}", found[3]);
}

#[test]
fn fixed_snippets_pass_the_lint() {
    assert_eq!(lint_fixture("check-fixed"), Vec::<String>::new());
    // The same snippets were linted: the fixed posts lost none. (Plain blocks are checks
    // only while the lint finds something in them, so the fixed posts have fewer of those.)
    let count = |name: &str| {
        let checks = checks(&repo_root().join("tests/fixtures").join(name));
        checks.iter().filter(|c| !c.commands.is_empty() || c.script.is_some()).count()
    };
    assert_eq!(count("check-fixed"), count("check-originals"));
    assert!(count("check-fixed") > 20, "{}", count("check-fixed"));
}

#[test]
fn the_en_dash_of_docker_run_rm() {
    let findings = lint("$ docker run –rm -t -i ubuntu /bin/bash", BlockKind::Console);
    assert_eq!(findings.len(), 1);
    assert_eq!((findings[0].code.as_str(), findings[0].column), ("GEN003", 14));
    assert_eq!(findings[0].help.as_deref(), Some("type `--rm`"));
}
