//! The built-in lint: damage that blog typography does to code (curly quotes, dashes,
//! invisible spaces, HTML entities), on any code block, and classic shell mistakes
//! (`NAME = value`, an awk program in double quotes, a `$ ` prompt in a script), on
//! shell blocks. It reads text only; findings are located in the block's text.
//!
//! Codes: GEN001 curly double quote, GEN002 curly single quote, GEN003 dash as an option
//! prefix, GEN004 non-breaking space, GEN005 zero-width character, GEN006 HTML entity,
//! GEN101 spaces around `=`, GEN102 awk/sed `$N` in double quotes, GEN103 `$ ` prompt in
//! a script block.

use super::{CheckKind, Finding};
use crate::markdown::snippet::Prompts;

/// What a code block holds, from its language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    /// `console`, `shell-session`: `$ ` prompts, commands and their output.
    Console,
    /// `sh`, `bash`, `shell`, `zsh`: a script, every line shell.
    Script,
    /// Any other language (or none): only the typography checks apply.
    Other,
}

impl BlockKind {
    pub fn from_language(language: &str) -> BlockKind {
        match language.trim().to_ascii_lowercase().as_str() {
            "console" | "shell-session" | "shellsession" => BlockKind::Console,
            "sh" | "bash" | "shell" | "zsh" => BlockKind::Script,
            _ => BlockKind::Other,
        }
    }
}

/// All findings for the text of one code block, in line and column order.
pub fn lint(text: &str, kind: BlockKind) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (index, line) in text.lines().enumerate() {
        typography(line, index + 1, &mut findings);
    }
    if kind == BlockKind::Script {
        prompts_in_script(text, &mut findings);
    }
    if kind != BlockKind::Other {
        for command in shell_lines(text, kind) {
            spaced_assignments(&command, &mut findings);
            awk_programs_in_double_quotes(&command, &mut findings);
        }
    }
    findings.sort_by_key(|f| (f.line, f.column));
    findings
}

fn lint_finding(code: &str, line: usize, column: usize, message: String, help: String) -> Finding {
    Finding::new(CheckKind::Lint, code, message).at(line, column).with_help(help)
}

/// GEN001–GEN006, character by character.
fn typography(line: &str, number: usize, findings: &mut Vec<Finding>) {
    let chars: Vec<char> = line.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let column = i + 1;
        let code_point = format!("U+{:04X}", c as u32);
        match c {
            '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{2033}' => findings.push(lint_finding(
                "GEN001",
                number,
                column,
                format!("curly double quote `{c}` ({code_point}): the shell does not read it as a quote"),
                "type a straight double quote `\"`".into(),
            )),
            '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{2032}' => findings.push(lint_finding(
                "GEN002",
                number,
                column,
                format!("curly single quote `{c}` ({code_point}): the shell does not read it as a quote"),
                "type a straight single quote `'`".into(),
            )),
            '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2212}' => {
                let at_word_start = i == 0 || chars[i - 1].is_whitespace();
                let next = chars.get(i + 1).copied();
                if at_word_start && next.is_some_and(|n| n.is_ascii_alphanumeric()) {
                    let word: String = chars[i + 1..].iter().take_while(|c| !c.is_whitespace()).collect();
                    let name_len = word.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-').count();
                    let dashes = if name_len > 1 { "--" } else { "-" };
                    findings.push(lint_finding(
                        "GEN003",
                        number,
                        column,
                        format!("`{c}{word}` starts with a typographic dash ({code_point}), not a hyphen: no program reads it as an option"),
                        format!("type `{dashes}{word}`"),
                    ));
                }
            }
            '\u{00A0}' | '\u{202F}' | '\u{2007}' => findings.push(lint_finding(
                "GEN004",
                number,
                column,
                format!("non-breaking space ({code_point}): the shell does not split words on it"),
                "type a plain space".into(),
            )),
            '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' => findings.push(lint_finding(
                "GEN005",
                number,
                column,
                format!("invisible zero-width character ({code_point}) becomes part of the word it sits in"),
                "delete it (retype the characters around it)".into(),
            )),
            '&' => {
                if let Some((entity, meant)) = html_entity(&chars[i..]) {
                    findings.push(lint_finding(
                        "GEN006",
                        number,
                        column,
                        format!("HTML entity `{entity}` left in code: the reader would type it literally"),
                        format!("type `{meant}`"),
                    ));
                }
            }
            _ => {}
        }
    }
}

/// `&amp;`, `&lt;`, `&#39;`, … at the start of `chars`, with the character it stands for.
fn html_entity(chars: &[char]) -> Option<(String, String)> {
    let end = chars.iter().take(12).position(|&c| c == ';')?;
    let entity: String = chars[..=end].iter().collect();
    let name = &entity[1..entity.len() - 1];
    let meant = match name {
        "amp" => "&".to_string(),
        "lt" => "<".to_string(),
        "gt" => ">".to_string(),
        "quot" => "\"".to_string(),
        "apos" => "'".to_string(),
        "nbsp" => " ".to_string(),
        _ => {
            let number = if let Some(hex) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                u32::from_str_radix(hex, 16).ok()?
            } else {
                name.strip_prefix('#')?.parse().ok()?
            };
            char::from_u32(number)?.to_string()
        }
    };
    Some((entity, meant))
}

/// GEN103: shell prompts (`$ `, `user@host:~$ `) at the start of lines of a script
/// block; one finding for the block, at its first prompt. A warning: the block is a
/// session labelled as a script, a matter of style (it is tested as the session it is).
fn prompts_in_script(text: &str, findings: &mut Vec<Finding>) {
    let mut prompts = text.lines().enumerate().filter_map(|(i, line)| Some((i, line, Prompts::SCRIPT.prompt(line)?)));
    let Some((index, line, prompt)) = prompts.next() else { return };
    let others = prompts.count();
    let indent = line.chars().take_while(|c| *c == ' ' || *c == '\t').count();
    let shown = line[..prompt.width].trim();
    let more = match others {
        0 => String::new(),
        1 => " (and 1 more line)".to_string(),
        n => format!(" (and {n} more lines)"),
    };
    findings.push(lint_finding(
        "GEN103",
        index + 1,
        indent + 1,
        format!("`{shown} ` prompt in a script block{more}: a reader who copies the block runs `{shown}` as a command"),
        "mark the block ```console if it shows a session (the site's copy button then leaves the prompts out), or remove the prompts".into(),
    ).as_warning());
}

/// A line of shell in a block: its 1-based number, the column where the command text
/// starts (after a `$ ` prompt), and that text.
#[derive(Debug, PartialEq)]
struct ShellLine {
    number: usize,
    start_column: usize,
    text: String,
}

/// The lines of a block that are shell: every line of a script except comments; in a
/// console block the commands after `$ ` and their continuation lines (after a trailing
/// `\`, or `> ` lines), not the output.
fn shell_lines(text: &str, kind: BlockKind) -> Vec<ShellLine> {
    let prompts = Prompts::session(text);
    let mut lines = Vec::new();
    let mut continued = false;
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        let (start, command) = match kind {
            BlockKind::Script => (0, Some(line)),
            BlockKind::Console if continued => (0, Some(line)),
            BlockKind::Console => {
                if let Some(prompt) = prompts.prompt(line) {
                    (line[..prompt.width].chars().count(), Some(prompt.command))
                } else if let Some(rest) = line.strip_prefix("> ").filter(|_| !lines.is_empty() && continued) {
                    (2, Some(rest))
                } else {
                    (0, None)
                }
            }
            BlockKind::Other => (0, None),
        };
        let Some(command) = command else {
            continued = false;
            continue;
        };
        continued = command.trim_end().ends_with('\\');
        if command.trim_start().starts_with('#') {
            continue;
        }
        lines.push(ShellLine { number, start_column: start + 1, text: command.to_string() });
    }
    lines
}

/// For each character of `line`: is it outside any quotes (and not backslash-escaped)?
fn unquoted_mask(chars: &[char]) -> Vec<bool> {
    let mut mask = vec![false; chars.len()];
    let (mut single, mut double, mut escaped) = (false, false, false);
    for (i, &c) in chars.iter().enumerate() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' if !single => escaped = true,
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            _ => mask[i] = !single && !double,
        }
    }
    mask
}

fn is_name_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Positions where a simple command can start: the line's start and after `;`, `&&`,
/// `||`, `|`, `(`, `$(`, outside quotes (skipping blanks).
fn command_starts(chars: &[char], unquoted: &[bool]) -> Vec<usize> {
    let mut starts = vec![0];
    for i in 0..chars.len() {
        if unquoted[i] && matches!(chars[i], ';' | '&' | '|' | '(') {
            starts.push(i + 1);
        }
    }
    starts
        .into_iter()
        .map(|mut s| {
            while s < chars.len() && (chars[s] == ' ' || chars[s] == '\t') {
                s += 1;
            }
            s
        })
        .collect()
}

/// GEN101: `NAME = value` or `NAME =value` where a command starts.
fn spaced_assignments(line: &ShellLine, findings: &mut Vec<Finding>) {
    let chars: Vec<char> = line.text.chars().collect();
    let unquoted = unquoted_mask(&chars);
    for start in command_starts(&chars, &unquoted) {
        if start >= chars.len() || !is_name_start(chars[start]) {
            continue;
        }
        let name_end = start + chars[start..].iter().take_while(|c| is_name_char(**c)).count();
        let blanks = chars[name_end..].iter().take_while(|c| **c == ' ' || **c == '\t').count();
        let eq = name_end + blanks;
        if blanks == 0 || chars.get(eq) != Some(&'=') || chars.get(eq + 1) == Some(&'=') {
            continue;
        }
        let name: String = chars[start..name_end].iter().collect();
        let value: String = chars[eq + 1..].iter().collect::<String>().trim_start().to_string();
        findings.push(lint_finding(
            "GEN101",
            line.number,
            line.start_column + start,
            format!("`{name} = …` runs a command named `{name}` instead of assigning the variable"),
            format!("remove the spaces around `=`: `{name}={value}`"),
        ));
    }
}

const AWK_SED: [&str; 5] = ["awk", "gawk", "mawk", "nawk", "sed"];

/// GEN102: `awk "{print $3}"`: the shell replaces `$3` before awk sees the program.
fn awk_programs_in_double_quotes(line: &ShellLine, findings: &mut Vec<Finding>) {
    let chars: Vec<char> = line.text.chars().collect();
    let unquoted = unquoted_mask(&chars);
    for start in command_starts(&chars, &unquoted) {
        let word_end = start + chars[start..].iter().take_while(|c| is_name_char(**c)).count();
        let word: String = chars[start..word_end].iter().collect();
        if !AWK_SED.contains(&word.as_str()) {
            continue;
        }
        let mut i = word_end;
        loop {
            while i < chars.len() && chars[i] == ' ' {
                i += 1;
            }
            let Some(&c) = chars.get(i) else { break };
            if c == '-' {
                let option_end = i + chars[i..].iter().take_while(|c| !c.is_whitespace()).count();
                let option: String = chars[i..option_end].iter().collect();
                i = option_end;
                if option == "-v" || option == "-F" {
                    // The option's argument is the next word, not the program.
                    while i < chars.len() && chars[i] == ' ' {
                        i += 1;
                    }
                    i += chars[i..].iter().take_while(|c| !c.is_whitespace()).count();
                }
                continue;
            }
            if c == '"' {
                check_double_quoted_program(&chars, i, &word, line, findings);
            }
            break;
        }
    }
}

fn check_double_quoted_program(chars: &[char], open: usize, tool: &str, line: &ShellLine, findings: &mut Vec<Finding>) {
    let mut i = open + 1;
    let mut first_field = None;
    while i < chars.len() && chars[i] != '"' {
        if chars[i] == '\\' {
            i += 2;
            continue;
        }
        if chars[i] == '$' && chars.get(i + 1).is_some_and(|c| c.is_ascii_digit()) && first_field.is_none() {
            first_field = Some(i);
        }
        i += 1;
    }
    let Some(at) = first_field else { return };
    let field: String = chars[at..at + 2].iter().collect();
    let program: String = chars[open + 1..i.min(chars.len())].iter().collect();
    let help = if program.contains('\'') {
        format!("escape it as `\\{field}`, or put the {tool} program in single quotes")
    } else {
        format!("put the {tool} program in single quotes: `{tool} '{program}'`")
    };
    findings.push(lint_finding(
        "GEN102",
        line.number,
        line.start_column + at,
        format!("`{field}` inside double quotes is replaced by the shell (usually with nothing) before {tool} sees it"),
        help,
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(text: &str, kind: BlockKind) -> Vec<(String, usize, usize)> {
        lint(text, kind).into_iter().map(|f| (f.code, f.line, f.column)).collect()
    }

    fn one(text: &str, kind: BlockKind) -> Finding {
        let mut findings = lint(text, kind);
        assert_eq!(findings.len(), 1, "{findings:#?}");
        findings.remove(0)
    }

    #[test]
    fn kinds_from_language() {
        assert_eq!(BlockKind::from_language("console"), BlockKind::Console);
        assert_eq!(BlockKind::from_language("Bash"), BlockKind::Script);
        assert_eq!(BlockKind::from_language("apache"), BlockKind::Other);
        assert_eq!(BlockKind::from_language(""), BlockKind::Other);
    }

    #[test]
    fn curly_quotes_in_any_block() {
        // The Apache block of the Mountain Lion post, as exported.
        let text = "<Directory “/Users/[username]/Sites/”>\nOptions Indexes MultiViews\nAllowOverride None";
        let found = codes(text, BlockKind::Other);
        assert_eq!(found, [("GEN001".into(), 1, 12), ("GEN001".into(), 1, 37)]);
        let f = one("echo ‘hi", BlockKind::Script);
        assert_eq!((f.code.as_str(), f.column), ("GEN002", 6));
        assert_eq!(f.help.as_deref(), Some("type a straight single quote `'`"));
        assert!(lint("echo \"hi\" 'there'", BlockKind::Script).is_empty());
    }

    #[test]
    fn typographic_dashes_as_option_prefixes() {
        let f = one("$ docker run –rm -t -i ubuntu", BlockKind::Console);
        assert_eq!((f.code.as_str(), f.line, f.column), ("GEN003", 1, 14));
        assert_eq!(f.help.as_deref(), Some("type `--rm`"));
        assert_eq!(one("git push —force", BlockKind::Script).help.as_deref(), Some("type `--force`"));
        assert_eq!(one("ls –l", BlockKind::Script).help.as_deref(), Some("type `-l`"));
        // A dash between words, as in a comment or prose output, is fine.
        assert!(lint("echo 'a – b'\n1990–2000", BlockKind::Other).is_empty());
        assert!(lint("docker run --rm -t", BlockKind::Script).is_empty());
    }

    #[test]
    fn invisible_spaces() {
        assert_eq!(codes("ls\u{00A0}-l", BlockKind::Script), [("GEN004".into(), 1, 3)]);
        assert_eq!(codes("l\u{200B}s", BlockKind::Other), [("GEN005".into(), 1, 2)]);
        assert!(lint("ls -l", BlockKind::Script).is_empty());
    }

    #[test]
    fn html_entities_left_in_code() {
        assert_eq!(
            codes("make &amp;&amp; make install", BlockKind::Script),
            [("GEN006".into(), 1, 6), ("GEN006".into(), 1, 11)]
        );
        let found = codes("a &amp;&amp; b\nx &lt; y &#39;z&#x27;", BlockKind::Other);
        assert_eq!(found.len(), 5, "{found:?}");
        assert_eq!(lint("if a &lt; b", BlockKind::Other)[0].help.as_deref(), Some("type `<`"));
        assert_eq!(lint("&#39;", BlockKind::Other)[0].help.as_deref(), Some("type `'`"));
        assert!(lint("a && b & c; echo &unknown;", BlockKind::Script).is_empty());
    }

    #[test]
    fn spaced_assignment_from_the_docker_cheat_sheet() {
        let text = "$ docker images\n$ CONTAINERID = $(docker run -rm -t -i $image_id /bin/bash)";
        let f = one(text, BlockKind::Console);
        assert_eq!((f.code.as_str(), f.line, f.column), ("GEN101", 2, 3));
        assert_eq!(
            f.help.as_deref(),
            Some("remove the spaces around `=`: `CONTAINERID=$(docker run -rm -t -i $image_id /bin/bash)`")
        );
        assert_eq!(codes("cd /x && X =1", BlockKind::Script), [("GEN101".into(), 1, 10)]);
        // Comparisons, correct assignments, quoted text and output lines are fine.
        assert!(lint("X=$(date)\n[ \"$a\" = b ]\ntest $a = b\necho 'A = b'\nif x == y", BlockKind::Script).is_empty());
        assert!(lint("$ cat config\nNAME = value", BlockKind::Console).is_empty());
    }

    #[test]
    fn awk_program_in_double_quotes() {
        let text = "$ docker rmi $(docker images | grep \"^<none>\" | awk \"{print $3}\")";
        let f = one(text, BlockKind::Console);
        assert_eq!((f.code.as_str(), f.line, f.column), ("GEN102", 1, 61));
        assert_eq!(f.help.as_deref(), Some("put the awk program in single quotes: `awk '{print $3}'`"));
        assert_eq!(codes("sed -e \"s/$1/x/\" f", BlockKind::Script)[0].0, "GEN102");
        assert_eq!(codes("awk -F : \"{print $2}\" f", BlockKind::Script)[0].0, "GEN102");
        // Single quotes, escaped fields, shell variables meant for the program: fine.
        let fine =
            "awk '{print $3}'\nawk \"{print \\$3}\"\nawk -v n=\"$1\" '{print n}'\nsed \"s/$HOME/~/\"\necho \"awk $1\"";
        assert!(lint(fine, BlockKind::Script).is_empty(), "{:?}", lint(fine, BlockKind::Script));
    }

    #[test]
    fn prompt_in_a_script_block() {
        // One finding for the block, at its first prompt.
        let f = one("echo hi\n  $ brew install docker\n$ docker images\necho $HOME", BlockKind::Script);
        assert_eq!((f.code.as_str(), f.line, f.column), ("GEN103", 2, 3));
        assert!(f.is_warning(), "a style matter: {f:?}");
        assert!(f.message.starts_with("`$ ` prompt in a script block (and 1 more line): "), "{}", f.message);
        assert!(lint("$ brew install docker", BlockKind::Console).is_empty());
        // Any shell prompt, `user@host:path$ ` too; a `#` comment is no prompt in a script.
        let f = one(
            "# start it
me@box:~$ sudo dockerd",
            BlockKind::Script,
        );
        assert_eq!((f.code.as_str(), f.line, f.column), ("GEN103", 2, 1));
        assert!(f.message.starts_with("`me@box:~$ ` prompt in a script block"), "{}", f.message);
    }

    #[test]
    fn console_commands_after_any_prompt_are_shell() {
        let text = "me@box:~$ A = 1
  $ B = 2
[me@box ~]$ echo ok
C = output";
        let lines = shell_lines(text, BlockKind::Console);
        assert_eq!(lines.iter().map(|l| (l.number, l.start_column)).collect::<Vec<_>>(), [(1, 11), (2, 5), (3, 13)]);
        assert_eq!(codes(text, BlockKind::Console), [("GEN101".into(), 1, 11), ("GEN101".into(), 2, 5)]);
    }

    #[test]
    fn console_continuations_are_shell_and_output_is_not() {
        let text = "$ docker run \\\n  -e X=1 \\\n  ubuntu\nX = output\n$ A = 1";
        let lines = shell_lines(text, BlockKind::Console);
        assert_eq!(lines.iter().map(|l| l.number).collect::<Vec<_>>(), [1, 2, 3, 5]);
        assert_eq!(codes(text, BlockKind::Console), [("GEN101".into(), 5, 3)]);
    }
}
