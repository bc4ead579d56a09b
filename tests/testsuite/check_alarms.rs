//! False alarms by rule: each rule on a fixture of its own (`tests/fixtures/alarm-*`),
//! written here, that shows the pattern, with a real bug beside it that still fails.
//! Argument checks need the docker client, shellcheck's rules shellcheck.

use crate::harness::{assert_contains, assert_not_contains, require_program, TestSite};

/// `gen test` on fixture `name`, which has a real bug: its output.
fn failing_run(name: &str) -> String {
    TestSite::fixture(name).run(&["test"]).failure().stdout()
}

/// All-capitals names with `_` are placeholders in argument checks; a capital letter
/// in the repository name after one is still a mistake.
#[test]
fn capital_placeholders_pass_and_a_capital_repository_fails() {
    if !require_program("docker") {
        return;
    }
    let out = failing_run("alarm-capitals");
    assert_contains(&out, &["failed content/posts/capitals.md:16:3: args ARGS: docker rejects these arguments: invalid reference format: repository name (placeholder/Webapp) must be lowercase"]);
    assert_not_contains(&out, &["capitals.md:9:", "capitals.md:10:"]);
    assert_eq!(out.lines().last(), Some("1 passed, 1 failed, 0 skipped"), "{out}");
}

/// An unquoted `$(...)`/`$VAR` right after the program may be no word: judged again
/// without it. A command that is wrong without it too still fails.
#[test]
fn expansions_may_be_no_word_but_a_wrong_command_fails() {
    if !require_program("docker") {
        return;
    }
    let out = failing_run("alarm-zero-words");
    assert_contains(
        &out,
        &["failed content/posts/zero-words.md:17:3: args ARGS: docker rejects these arguments: unknown command"],
    );
    assert_not_contains(&out, &["zero-words.md:10:", "zero-words.md:11:"]);
    assert_eq!(out.lines().last(), Some("1 passed, 1 failed, 0 skipped"), "{out}");
}

/// `host$ ` and `box# ` are prompts: the blocks are sessions, their output is no shell;
/// a curly quote after such a prompt fails.
#[test]
fn host_prompts_make_sessions_and_a_curly_quote_after_one_fails() {
    let site = TestSite::fixture("alarm-host-prompts");
    let out = site.run(&["test"]).failure().stdout();
    assert_contains(
        &out,
        &[
            "warning content/posts/host-prompts.md:19:1: lint GEN103 (warning): `box# ` prompt in a script block",
            "failed content/posts/host-prompts.md:27:12: lint GEN001: curly double quote",
        ],
    );
    assert_eq!(out.lines().last(), Some("2 passed (1 with warnings), 1 failed, 0 skipped"), "{out}");
    let index = site.run(&["snippets"]).success().stdout();
    assert_contains(&index, &["console (unlabelled)", "console (bash fence)", "3 snippets"]);
}

/// A command whose block shows it failing (an error message, a non-zero `echo $?`, the
/// fence's `exit=`) passes with warnings; the same command shown succeeding fails.
#[test]
fn commands_shown_failing_warn_and_the_same_shown_succeeding_fail() {
    let have_docker = require_program("docker");
    let have_shellcheck = require_program("shellcheck");
    let out = failing_run("alarm-shown-failing");
    let because = "(the block shows this command failing)";
    if have_shellcheck {
        assert_contains(
            &out,
            &[
                &format!("warning content/posts/shown-failing.md:9:22: shellcheck SC1020 (warning): You need a space before the ]. (error) {because}"),
                "failed content/posts/shown-failing.md:30:22: shellcheck SC1020: You need a space before the ].",
            ],
        );
    }
    if have_docker {
        assert_contains(
            &out,
            &[
                &format!("warning content/posts/shown-failing.md:16:3: args ARGS (warning): docker rejects these arguments: unknown flag: --memroy {because}"),
                "warning content/posts/shown-failing.md:24:3: args ARGS (warning): docker rejects these arguments: invalid argument \"two\"",
                "failed content/posts/shown-failing.md:35:3: args ARGS: docker rejects these arguments: unknown flag: --memroy",
            ],
        );
    }
    if have_docker && have_shellcheck {
        assert_eq!(out.lines().last(), Some("3 passed (3 with warnings), 2 failed, 0 skipped"), "{out}");
    }
}

/// `… | xargs docker rm` gets the ids xargs appends; a misspelt flag still fails, and
/// so does `xargs -I {}` with no `{}` in the command.
#[test]
fn xargs_appends_arguments_and_a_misspelt_flag_fails() {
    if !require_program("docker") {
        return;
    }
    let out = failing_run("alarm-xargs");
    assert_contains(
        &out,
        &[
            "failed content/posts/xargs.md:16:40: args ARGS: docker rejects these arguments: unknown flag: --forse",
            "failed content/posts/xargs.md:22:17: args ARGS: docker rejects these arguments: 'docker rm' requires at least 1 argument",
        ],
    );
    assert_eq!(out.lines().last(), Some("1 passed, 2 failed, 0 skipped"), "{out}");
}

/// A one-command block of options only, rejected for its missing operand, is a fragment:
/// a warning. A misspelt option fails, and so does a command lacking its image beside
/// another command.
#[test]
fn option_fragments_warn_and_a_misspelt_option_fails() {
    if !require_program("docker") {
        return;
    }
    let out = failing_run("alarm-fragments");
    assert_contains(
        &out,
        &[
            "warning content/posts/fragments.md:9:1: args ARGS (warning): docker rejects these arguments: 'docker run' requires at least 1 argument (the block shows options only, a fragment of a command)",
            "warning content/posts/fragments.md:15:1: args ARGS (warning)",
            "failed content/posts/fragments.md:21:1: args ARGS: docker rejects these arguments: unknown flag: --read-onyl",
            "failed content/posts/fragments.md:27:1: args ARGS: docker rejects these arguments: 'docker run' requires at least 1 argument",
        ],
    );
    assert_eq!(out.lines().last(), Some("2 passed (2 with warnings), 2 failed, 0 skipped"), "{out}");
}

/// Synopsis lines and a trailing `...` are reduced to placeholders, for the client and
/// for shellcheck (`IMAGE[:TAG|@DIGEST]` is no pipe, `@DIGEST]` no tool); a flag that
/// does not exist fails on such a line too.
#[test]
fn synopsis_lines_pass_and_a_wrong_flag_on_one_fails() {
    let site = TestSite::fixture("alarm-synopsis");
    let index = site.run(&["snippets"]).success().stdout();
    assert_not_contains(&index, &["@DIGEST", "CONTAINER"]);
    if !require_program("docker") {
        return;
    }
    let out = site.run(&["test"]).failure().stdout();
    assert_contains(
        &out,
        &[
            "failed content/posts/synopsis.md:22:3: args ARGS: docker rejects these arguments: unknown flag: --bogus",
            "failed content/posts/synopsis.md:28:3: args ARGS: docker rejects these arguments: unknown shorthand flag: 'r'",
        ],
    );
    assert_not_contains(&out, &["SC2288", "synopsis.md:9:", "synopsis.md:15:", "synopsis.md:16:"]);
    assert_eq!(out.lines().last(), Some("2 passed, 2 failed, 0 skipped"), "{out}");
}
