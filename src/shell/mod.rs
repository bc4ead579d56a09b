//! A small POSIX/bash shell parser for snippets: it splits a script into its simple
//! commands (words, assignments, redirections), each located by byte offsets in the
//! script, and reports real syntax errors (an unclosed quote, an unbalanced `$(`, a heredoc
//! without its terminator, `if` without `fi`, ...) with their offset.
//!
//! It is made for documentation, not for running: `<placeholders>` that a reader fills in
//! (`docker exec $ID <command>`) are words, not redirections; nothing is expanded. What
//! a placeholder is, is said once, in [`placeholder_at`].
//!
//! ```
//! use gen::shell::{parse, WordPart};
//! let script = parse("sudo tee -a /etc/profile < <path to file> && echo $(date)");
//! assert!(script.errors.is_empty());
//! let names: Vec<_> = script.commands.iter().map(|c| c.name().unwrap_or("?")).collect();
//! assert_eq!(names, ["sudo", "echo", "date"]);
//! assert!(matches!(script.commands[0].redirections[0].target.parts[0], WordPart::Placeholder { .. }));
//! ```
//!
//! Flat by design: every simple command of the script, including those inside `$(...)`,
//! backticks, subshells, loops and `if` blocks, is in [`Script::commands`] in source
//! order; [`SimpleCommand::depth`] says how deep in command substitutions it sits.
//! Compound commands themselves (`if`, `for`, `case`, `{ }`) are checked for balance but
//! not represented.

mod parser;
mod placeholder;

pub use placeholder::{capital_names, masked, placeholder_at, placeholders, synopsis_words};

use serde::Serialize;

/// A byte range `start..end` in the parsed script.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
    /// The text of this span in `source`.
    pub fn text<'a>(&self, source: &'a str) -> &'a str {
        &source[self.start..self.end]
    }
}

/// A parsed script: its simple commands and the syntax errors found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Script {
    /// Every simple command, in source order (by `span.start`).
    pub commands: Vec<SimpleCommand>,
    /// Variables bound by `for NAME in ...` / `select NAME in ...`.
    pub loop_variables: Vec<(String, Span)>,
    /// Syntax errors. Parsing stops at the first one, so there is at most one; the
    /// commands before it are kept.
    pub errors: Vec<SyntaxError>,
}

impl Script {
    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }
}

/// One simple command: `NAME=value cmd arg... >file`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimpleCommand {
    /// Prefix assignments (`FOO=1 cmd` or a bare `FOO=$(cmd)`).
    pub assignments: Vec<Assignment>,
    /// The command name and its arguments, as written (argv before expansion).
    pub words: Vec<Word>,
    pub redirections: Vec<Redirection>,
    /// From the first to the last byte of the command.
    pub span: Span,
    /// 0 at top level; 1 inside one `$(...)`, backticks or `<(...)`; and so on.
    pub depth: usize,
}

impl SimpleCommand {
    /// The command word when it is a plain literal (`docker`, `/usr/bin/env`).
    pub fn name(&self) -> Option<&str> {
        self.words.first().and_then(Word::literal)
    }
}

/// `NAME=value` before a command (or alone).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub name: String,
    /// The value (may be empty: `FOO=`).
    pub value: Word,
    pub span: Span,
}

/// A shell word with its parts after quote removal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The word exactly as written, quotes included.
    pub raw: String,
    pub span: Span,
    pub parts: Vec<WordPart>,
}

/// A piece of a word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WordPart {
    /// Literal text after quote and escape removal.
    Text { text: String, quoted: bool },
    /// `$NAME`, `${NAME}`, `${NAME:-x}`, `$1`, `$?`.
    Variable { name: String, span: Span, quoted: bool },
    /// `$(...)`, backticks, `<(...)` or `>(...)`; its commands are in [`Script::commands`].
    CommandSubstitution { span: Span, quoted: bool },
    /// `$((...))`.
    Arithmetic { span: Span, quoted: bool },
    /// `<command>`, `<path to log file>`: a value the reader fills in; `text` is
    /// what is between the angle brackets. Unquoted, any [`placeholder_at`] is one; in
    /// quotes, only one whose name holds a space (`"^<none>"` stays text).
    Placeholder { text: String, span: Span },
}

impl Word {
    /// The word's value when it has no expansions or placeholders (quotes removed).
    pub fn literal(&self) -> Option<&str> {
        match self.parts.as_slice() {
            [] => Some(""),
            [WordPart::Text { text, .. }] => Some(text),
            _ => None,
        }
    }

    /// The value after quote removal, with each expansion or placeholder replaced by
    /// what `stand_in` returns for it (e.g. a dummy argument for a syntax or argument check).
    pub fn expand_with(&self, mut stand_in: impl FnMut(&WordPart) -> String) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                WordPart::Text { text, .. } => out.push_str(text),
                other => out.push_str(&stand_in(other)),
            }
        }
        out
    }

    /// Whether the whole word is one `<placeholder>`.
    pub fn is_placeholder(&self) -> bool {
        matches!(self.parts.as_slice(), [WordPart::Placeholder { .. }])
    }
}

/// A redirection operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum RedirectOp {
    /// `<`
    Input,
    /// `>`
    Output,
    /// `>>`
    Append,
    /// `>|`
    Clobber,
    /// `<>`
    ReadWrite,
    /// `<&`
    DupInput,
    /// `>&`
    DupOutput,
    /// `&>`
    OutputAndError,
    /// `&>>`
    AppendOutputAndError,
    /// `<<`
    HereDoc,
    /// `<<-` (leading tabs stripped)
    HereDocStripTabs,
    /// `<<<`
    HereString,
}

/// `2>&1`, `> out.tar`, `<<EOF`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirection {
    /// The file descriptor written before the operator (`2` in `2>`), if any.
    pub fd: Option<u32>,
    pub op: RedirectOp,
    /// The file, descriptor, here-string or heredoc delimiter word.
    pub target: Word,
    /// For heredocs: the body and where it is.
    pub heredoc: Option<HereDoc>,
    pub span: Span,
}

/// The body of a `<<WORD` heredoc.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HereDoc {
    /// The lines between the operator's line and the terminator, each ending in `\n`.
    pub body: String,
    pub span: Span,
    /// Whether the delimiter was quoted (`<<'EOF'`: no expansion in the body).
    pub quoted: bool,
}

/// A syntax error at a byte offset of the script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// Where the offending construct starts (the opening quote, the `$(`, the `<<`).
    pub offset: usize,
    pub message: String,
}

impl std::fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (at byte {})", self.message, self.offset)
    }
}

/// Parses `source` as a shell script. Never panics; syntax errors are in [`Script::errors`].
pub fn parse(source: &str) -> Script {
    parser::parse(source)
}

/// Whether `name` is a valid shell variable name (`FOO`, `_x1`).
pub fn is_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests;
