//! From the snippet index to the checks' inputs: each indexed [`Snippet`] becomes a
//! [`SnippetCheck`] (its origin in the Markdown file, its simple commands as the shell
//! parser reads them, its script for shellcheck, its requirements, its run), and each
//! command that does not parse becomes a syntax finding located in the block.

use super::args::{self, SimpleCommand};
use super::expect::{RunSpec, Step};
use super::lint::{lint, BlockKind};
use super::requirements::Requirement;
use super::shellcheck::{mask_placeholders, Script};
use super::suite::{BlockLines, SnippetCheck};
use super::{CheckKind, Finding, Origin};
use std::collections::HashSet;
use std::time::Duration;

use crate::markdown::snippet::analysis::{tools_and_parameters, tools_of};
use crate::markdown::snippet::{
    snippet_digest, Command, Detection, OutputCheck, ParameterKind, Snippet, SnippetKind, TestMode, TestedAs,
};
use crate::requirement;
use crate::shell::{self, WordPart};

/// Which snippets are run in the sandbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunSelection {
    /// Those whose fence says `test="run"`.
    Marked,
    /// Every snippet (`--run`).
    All,
}

/// The checks' input for `snippet`, with a run when `runs` selects it.
pub fn snippet_check(snippet: &Snippet, runs: RunSelection) -> SnippetCheck {
    let origin = Origin::new(&snippet.file, snippet.code_line, snippet.code_column);
    let mut commands = Vec::new();
    let mut syntax = Vec::new();
    for command in &snippet.commands {
        let parsed = shell::parse(&command.text);
        for error in &parsed.errors {
            let (line, column) = block_position(&origin, command, error.offset);
            syntax.push(Finding::new(CheckKind::Syntax, "SYNTAX", error.message.clone()).at(line, column));
        }
        for simple in &parsed.commands {
            let (line, column) = block_position(&origin, command, simple.span.start);
            let words = simple.words.iter().map(|w| args_word(w, &command.text)).collect();
            commands.push(SimpleCommand { words, line, column });
        }
    }
    let run = (runs == RunSelection::All || snippet.test == TestMode::Run).then(|| run_spec(snippet, &origin));
    SnippetCheck {
        id: snippet.id.clone(),
        language: check_language(snippet),
        origin: origin.clone(),
        text: snippet.code.clone(),
        commands,
        script: Some(script(snippet, &origin).excluding(&snippet.shellcheck_exclude)),
        tools: snippet.tools.clone(),
        requirements: snippet.requires.iter().map(|t| requirement_of(&t.requirement)).collect(),
        run,
        syntax,
        shown_failing: shown_failing(snippet, &origin),
        allow: snippet.allow.clone(),
        digest: snippet.digest.clone(),
    }
}

/// The language the checks read a snippet in: its fence's, or `console` for a session
/// in a block with no language (so that the lint reads its commands).
fn check_language(snippet: &Snippet) -> String {
    match snippet.detected {
        Some(Detection::Unlabelled) => "console".to_string(),
        _ => snippet.lang.clone(),
    }
}

/// The checks' input for a code block that is not a snippet (an `apache` config, …),
/// when the lint finds typography damage in its text (curly quotes): such a block is
/// reported, but a clean one is no test and is not counted. Only its text is linted; no
/// command, script, requirement or run.
pub fn block_check(file: &std::path::Path, slug: &str, block: &crate::markdown::CodeBlock) -> Option<SnippetCheck> {
    if lint(&block.code, BlockKind::Other).is_empty() {
        return None;
    }
    Some(SnippetCheck {
        id: format!("{slug}/code-line-{}", block.line),
        language: block.lang.clone(),
        origin: Origin::new(file, block.code_line, block.code_column),
        text: block.code.clone(),
        commands: Vec::new(),
        script: None,
        tools: Vec::new(),
        requirements: Vec::new(),
        run: None,
        syntax: Vec::new(),
        shown_failing: Vec::new(),
        allow: Vec::new(),
        digest: snippet_digest(&TestedAs {
            lang: &block.lang,
            code: &block.code,
            requires: "",
            test: &TestMode::Check,
            timeout: Duration::ZERO,
            exit: 0,
            shellcheck: &[],
            allow: &[],
        }),
    })
}

/// Why `snippet` is not tested, when its fence says `test="skip"`.
pub fn skip_reason(snippet: &Snippet) -> Option<String> {
    match &snippet.test {
        TestMode::Skip { reason: Some(reason) } => Some(format!("test=\"skip\": {reason}")),
        TestMode::Skip { reason: None } => Some("test=\"skip\"".to_string()),
        _ => None,
    }
}

/// The commands `snippet` shows failing on purpose, by their block lines: a command
/// whose shown output has an error message (see [`reads_as_error`]), one followed by
/// `echo $?` showing a non-zero status, and the last one when the fence expects a
/// non-zero `exit=` (for a script block, that is the whole block).
fn shown_failing(snippet: &Snippet, origin: &Origin) -> Vec<BlockLines> {
    let commands = &snippet.commands;
    let block_line = |line: usize| line + 1 - origin.line.min(line);
    let mut failing = Vec::new();
    for (i, command) in commands.iter().enumerate() {
        let programs: Vec<String> = shell::parse(&command.text).commands.iter().flat_map(tools_of).collect();
        let shows_error = command.output.iter().any(|o| reads_as_error(&o.text, &programs));
        let shows_status = commands.get(i + 1).is_some_and(|next| {
            matches!(next.text.trim(), "echo $?" | "echo \"$?\"")
                && next
                    .output
                    .iter()
                    .map(|o| o.text.trim())
                    .find(|t| !t.is_empty())
                    .and_then(|t| t.parse::<i32>().ok())
                    .is_some_and(|status| status != 0)
        });
        let expects_exit = i + 1 == commands.len() && snippet.exit != 0;
        if shows_error || shows_status || expects_exit {
            let first = command.pieces.first().map_or(command.line, |p| p.line);
            let last = command.pieces.last().map_or(command.line, |p| p.line);
            failing.push(BlockLines { first: block_line(first), last: block_line(last) });
        }
    }
    failing
}

/// Shells, whose messages start with their name: `bash: fork: retry: …`, `sh: 1: x: not found`.
const SHELLS: &[&str] = &["sh", "bash", "dash", "zsh", "ksh"];

/// Does a line of shown output read as an error message? One that says so first
/// (`Error response from daemon: …`, `error: …`, `ERROR …`, `fatal: …`), or one that
/// starts with the name of a shell or of one of `programs`, the command's, and `: `
/// (`-bash: x: command not found`, `docker: invalid reference format`).
pub fn reads_as_error(line: &str, programs: &[String]) -> bool {
    let line = line.trim();
    let lower = line.to_ascii_lowercase();
    let says_so = ["error", "fatal"]
        .iter()
        .any(|word| lower.strip_prefix(word).is_some_and(|rest| rest.is_empty() || rest.starts_with([':', ' ', '!'])));
    let named = line.split_once(": ").is_some_and(|(name, _)| {
        let name = name.trim_start_matches('-');
        SHELLS.contains(&name) || programs.iter().any(|p| p == name)
    });
    says_so || named
}

/// Block-relative (line, column) of byte `offset` of `command`'s text.
fn block_position(origin: &Origin, command: &Command, offset: usize) -> (usize, usize) {
    let (line, column) = command.locate(offset);
    (line + 1 - origin.line.min(line), column + 1 - origin.column.min(column))
}

fn args_word(word: &shell::Word, source: &str) -> args::Word {
    let mut parts = Vec::new();
    for part in &word.parts {
        match part {
            WordPart::Text { text, .. } => parts.extend(args::literal_parts(text)),
            WordPart::Variable { name, .. } => parts.push(args::WordPart::Parameter(name.clone())),
            WordPart::CommandSubstitution { span, .. } | WordPart::Arithmetic { span, .. } => {
                parts.push(args::WordPart::Substitution(source.get(span.start..span.end).unwrap_or("").to_string()))
            }
            WordPart::Placeholder { text, .. } => parts.push(args::WordPart::Placeholder(text.clone())),
        }
    }
    let fields = match word.parts.as_slice() {
        [WordPart::Variable { quoted: false, .. } | WordPart::CommandSubstitution { quoted: false, .. }] => {
            args::Fields::AnyNumber
        }
        _ => args::Fields::One,
    };
    args::Word { parts, fields }
}

/// The shell text shellcheck sees: a console block's commands (prompts and output
/// left out, each line placed where it is in the block), or a script block as it is.
/// Placeholders are masked so that shellcheck reads them as words.
fn script(snippet: &Snippet, origin: &Origin) -> Script {
    match snippet.kind {
        SnippetKind::Script => Script::new(mask_placeholders(&snippet.code)),
        SnippetKind::Console => {
            let mut lines = Vec::new();
            let mut positions = Vec::new();
            for command in &snippet.commands {
                for (i, line) in command.text.split('\n').enumerate() {
                    lines.push(mask_placeholders(line));
                    let piece = command.pieces.get(i).or(command.pieces.last());
                    let (l, c) = piece.map_or((command.line, origin.column), |p| (p.line, p.column));
                    positions.push((l + 1 - origin.line.min(l), c + 1 - origin.column.min(c)));
                }
            }
            Script::new(lines.join("\n")).with_positions(positions)
        }
    }
}

/// What a run of `snippet` must do. Output is compared where the block shows some: a
/// console block that shows no output lines asserts only the exit status of each
/// command, unless `output="silent"` asks that nothing be printed.
fn run_spec(snippet: &Snippet, origin: &Origin) -> RunSpec {
    let shows_output = snippet.kind == SnippetKind::Console && snippet.commands.iter().any(|c| !c.output.is_empty());
    let steps = snippet
        .commands
        .iter()
        .map(|c| {
            let (line, column) = c.pieces.first().map_or((c.line, origin.column), |p| (p.line, p.column));
            Step {
                command: c.text.clone(),
                expected: match snippet.output {
                    OutputCheck::Silent => Some(String::new()),
                    OutputCheck::Shown => shows_output.then(|| c.expected_output()),
                },
                line: line + 1 - origin.line.min(line),
                column: column + 1 - origin.column.min(column),
            }
        })
        .collect();
    // A run is a session of its own: what earlier snippets of the post assign is unset.
    let mut assigned = HashSet::new();
    let (_, parameters) = tools_and_parameters(&snippet.commands, &mut assigned);
    let mut assigns: Vec<String> = assigned.into_iter().collect();
    assigns.sort();
    let reader_values = parameters
        .into_iter()
        .map(|p| match p.kind {
            ParameterKind::Variable => format!("${}", p.name),
            ParameterKind::Placeholder => p.name,
        })
        .collect();
    RunSpec {
        steps,
        exit: snippet.exit,
        timeout: snippet.timeout,
        programs: snippet.tools.iter().filter(|t| !defines_function(snippet, t)).cloned().collect(),
        reader_values,
        assigns,
        unavailable: Vec::new(),
    }
}

/// Whether one of `snippet`'s commands defines a shell function `name` (`name() {`,
/// `function name`): a tool by its call, but no program to look for on PATH.
fn defines_function(snippet: &Snippet, name: &str) -> bool {
    snippet.commands.iter().any(|c| {
        c.text.match_indices(name).any(|(at, _)| {
            let before = c.text[..at].trim_end_matches([' ', '\t']);
            let after = c.text[at + name.len()..].trim_start_matches([' ', '\t']);
            let starts_word = before.is_empty() || before.ends_with([';', '&', '|', '\n', '{', '(']);
            (starts_word && after.starts_with("()")) || before.ends_with("function")
        })
    })
}

/// The index's requirement as the requirement check reads it.
pub fn requirement_of(requirement: &requirement::Requirement) -> Requirement {
    match requirement {
        requirement::Requirement::Tool { name, version, .. } => {
            Requirement::Tool { tool: name.clone(), version: version.clone(), label: requirement.to_string() }
        }
        requirement::Requirement::Os { name } => Requirement::Os(name.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::SnippetDefaults;
    use crate::markdown::snippet::SnippetExtractor;
    use crate::markdown::{render_markdown, Highlighter, RenderContext};

    fn snippets(md: &str) -> Vec<Snippet> {
        let h = Highlighter::new();
        let ex = SnippetExtractor::new(std::path::Path::new("content/posts/a.md"), "a", &SnippetDefaults::default());
        let mut cx = RenderContext::new(&h);
        cx.code_blocks = &ex;
        render_markdown(md, &cx);
        ex.finish().unwrap()
    }

    #[test]
    fn console_commands_become_simple_commands_located_in_the_block() {
        let md =
            "# T\n\n```console {requires=\"docker 1.3+\"}\n$ docker images\n$ C=$(docker run -rm <image>)\nout\n```\n";
        let check = snippet_check(&snippets(md)[0], RunSelection::Marked);
        assert_eq!(check.origin, Origin::new("content/posts/a.md", 4, 1));
        let argv: Vec<Vec<String>> =
            check.commands.iter().map(|c| c.words.iter().map(|w| w.stand_in()).collect()).collect();
        assert_eq!(argv, [vec!["docker", "images"], vec![], vec!["docker", "run", "-rm", args::STAND_IN]]);
        assert_eq!((check.commands[2].line, check.commands[2].column), (2, 7));
        assert!(check.syntax.is_empty());
        assert_eq!(check.script.unwrap().text, "docker images\nC=$(docker run -rm xxxxxxx)");
        assert!(
            matches!(&check.requirements[0], Requirement::Tool { tool, label, .. } if tool == "docker" && label == "docker 1.3+")
        );
        assert!(check.run.is_none());
    }

    #[test]
    fn a_run_looks_for_programs_not_for_functions_the_snippet_defines() {
        let md = "# T\n\n```console\n$ greet() { echo hi; }; greet | tr a-z A-Z\n$ function bye { echo; }; bye\n```\n";
        let run = snippet_check(&snippets(md)[0], RunSelection::All).run.unwrap();
        assert_eq!(run.programs, ["tr"]);
    }

    #[test]
    fn a_syntax_error_is_located_in_the_block() {
        let md = "# T\n\n  ```console\n  $ ls\n  $ echo \"unclosed\n  ```\n";
        let check = snippet_check(&snippets(md)[0], RunSelection::All);
        assert_eq!(check.origin, Origin::new("content/posts/a.md", 4, 3));
        assert_eq!(check.syntax.len(), 1, "{:?}", check.syntax);
        let d = check.syntax[0].to_diagnostic(&check.origin);
        assert_eq!(d.location(), "content/posts/a.md:5:10");
        let run = check.run.unwrap();
        assert_eq!(run.steps.iter().map(|s| (s.line, s.column)).collect::<Vec<_>>(), [(1, 3), (2, 3)]);
        // Mapped to the Markdown file: line 5, after the indentation and the `$ ` prompt.
        let finding = Finding::new(CheckKind::Run, "RUN", "x").at(run.steps[1].line, run.steps[1].column);
        assert_eq!(finding.to_diagnostic(&check.origin).location(), "content/posts/a.md:5:5");
    }
}
