//! Runs that mean something (`--run`): a snippet whose program is not installed, or that
//! needs values the reader fills in, is skipped with that reason; a console block that
//! shows no output asserts only the exit status, unless `output="silent"` asks for none.

use crate::harness::{assert_contains, TestSite};

const POST: &str = "## Missing\n\n```console\n$ gen-no-such-tool install thing\n```\n\n\
## Quiet\n\n```console\n$ echo hello\n```\n\n\
## Fails\n\n```console\n$ echo hello\n$ false\n```\n\n\
## Silent\n\n```console {output=\"silent\"}\n$ echo hello\n```\n\n\
## Shown\n\n```console\n$ echo hello\nhello\n$ printf ''\n```\n\n\
## Values\n\n```console\n$ echo \"$GREETING\" <name>\n```\n";

#[test]
fn runs_skip_what_cannot_run_here_and_compare_only_what_is_shown() {
    let site = TestSite::empty().post("runs", "2024-01-02", POST);
    let out = site.run(&["test", "--run", "--no-sandbox"]).failure();
    let stdout = out.stdout();
    assert_contains(
        &stdout,
        &[
            "(runs/missing): gen-no-such-tool is not installed on the test machine",
            "(runs/values): needs values the reader fills in: $GREETING, <name>",
            "run RUN: `false` exited with status 1, expected 0",
            "run RUN: `echo hello` printed something else than the expected output",
        ],
    );
    // Quiet and Shown pass; Fails and Silent fail; Missing and Values are skipped.
    assert_eq!(stdout.lines().last(), Some("2 passed, 2 failed, 2 skipped"), "{stdout}");
    let silent = stdout.lines().find(|l| l.contains("printed something else")).unwrap();
    assert!(silent.contains("runs.md:27:3"), "{silent}");
}

#[test]
fn output_takes_shown_or_silent_only() {
    let site = TestSite::empty().post("bad", "2024-01-02", "```console {output=\"quiet\"}\n$ ls\n```\n");
    site.run(&["build"]).failure().stderr_contains("`output` must be shown or silent, not `quiet`");
}

#[test]
fn a_run_that_prints_a_tools_accepted_message_is_skipped_not_failed() {
    // The site says what `sh` prints when the machine lacks what it needs (as
    // site.toml says "Cannot connect to the Docker daemon" for docker).
    let site = TestSite::empty()
        .write(
            "site.toml",
            "title = \"Test\"\nbase_url = \"https://example.com/\"\n[tools.sh]\naccepted = [\"no daemon here\"]\n",
        )
        .post(
            "daemon",
            "2024-01-02",
            "## Lacks\n\n```console\n$ sh -c 'echo no daemon here; exit 1'\n```\n\n\
             ## Broken\n\n```console\n$ sh -c 'echo something else; exit 1'\n```\n",
        );
    let out = site.run(&["test", "--run", "--no-sandbox"]).failure();
    let stdout = out.stdout();
    assert_contains(
        &stdout,
        &[
            "(daemon/lacks): sh cannot work on the test machine: it printed \"no daemon here\"",
            "run RUN: `sh -c 'echo something else; exit 1'` exited with status 1, expected 0",
            "0 passed, 1 failed, 1 skipped",
        ],
    );
}
