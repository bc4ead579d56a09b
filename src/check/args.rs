//! Argument checks: a tool that site.toml declares (`[tools.docker] check_args = true`)
//! judges the arguments of each of its simple commands with its own installed client,
//! which is run with the command's argv as parsed, never through a shell (so no
//! redirection or pipe of the snippet is ever carried out), parameters replaced by a
//! stand-in word, in a scratch folder that is also HOME, in the sandbox (no network),
//! with a short timeout. Its output decides: accepted, rejected (with the client's
//! message) or inconclusive. Several clients of one tool (`[tools.docker] clients`,
//! say docker 20.10 and 28.2) each judge every command: a command all of them reject
//! fails the snippet; one that some accept and others reject is version drift, said in
//! the result's evidence, not a failure.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use super::requirements::{Client, Requirement, ToolVersions};
use super::sandbox::{self, Exit, Isolation, Limits};
use super::{CheckKind, Finding, Outcome};
use crate::config::ToolConfig;
use crate::evidence::{ArgsEvidence, Drift, Rejection};
use crate::markdown::snippet::analysis::{tool_words, ToolWord};
use crate::shell;

/// The word that stands in for a parameter, a placeholder or a command substitution.
pub const STAND_IN: &str = "placeholder";

/// A piece of a shell word, as the shell parser sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WordPart {
    /// Text the shell passes as is (quotes already removed).
    Literal(String),
    /// `$NAME` or `${NAME}`: a value the reader supplies.
    Parameter(String),
    /// `$(...)` or backquotes: the output of another command.
    Substitution(String),
    /// `<container id>`: a placeholder the author wrote for the reader to fill in.
    Placeholder(String),
}

/// How many words the shell makes of a word.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Fields {
    /// One word: text, a quoted expansion, or text around an expansion.
    #[default]
    One,
    /// An unquoted whole-word `$(...)` or `$VAR`: split by the shell into any number of
    /// words, none too (`docker $(docker-machine config host1) ps`).
    AnyNumber,
}

/// One word of a simple command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub parts: Vec<WordPart>,
    pub fields: Fields,
}

impl Word {
    pub fn literal(text: &str) -> Word {
        Word { parts: vec![WordPart::Literal(text.into())], fields: Fields::One }
    }

    /// The word's parts from its text as written (one word, already split): quotes
    /// removed, `$NAME`, `${NAME}`, `$(...)`, unquoted `<placeholders>` (as the shell
    /// parser reads them, [`shell::placeholder_at`]) and all-capitals names (see
    /// [`literal_parts`]) recognised. A stop-gap for callers that have no shell parser
    /// at hand.
    pub fn from_text(text: &str) -> Word {
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut single = false;
        let mut double = false;
        let mut chars = text.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if single {
                if c == '\'' {
                    single = false;
                } else {
                    literal.push(c);
                }
                continue;
            }
            let rest = &text[i..];
            match c {
                '\'' if !double => single = true,
                '"' => double = !double,
                '\\' if chars.peek().is_some() => literal.extend(chars.next().map(|(_, c)| c)),
                '<' if !double && shell::placeholder_at(text, i).is_some() => {
                    let span = shell::placeholder_at(text, i).expect("checked");
                    flush(&mut literal, &mut parts);
                    parts.push(WordPart::Placeholder(text[i + 1..span.end - 1].into()));
                    skip_to(&mut chars, span.end);
                }
                '$' if rest.starts_with("$(") => {
                    let end = i + 1 + matching_paren(&rest[1..]);
                    flush(&mut literal, &mut parts);
                    parts.push(WordPart::Substitution(text[i + 2..end.min(text.len())].into()));
                    skip_to(&mut chars, end + 1);
                }
                '$' if rest.starts_with("${") => {
                    let end = rest.find('}').map_or(text.len(), |p| i + p);
                    flush(&mut literal, &mut parts);
                    parts.push(WordPart::Parameter(text[i + 2..end].into()));
                    skip_to(&mut chars, end + 1);
                }
                '$' if rest[1..].starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') => {
                    let len =
                        rest[1..].find(|c: char| !c.is_ascii_alphanumeric() && c != '_').unwrap_or(rest.len() - 1);
                    flush(&mut literal, &mut parts);
                    parts.push(WordPart::Parameter(rest[1..1 + len].into()));
                    skip_to(&mut chars, i + 1 + len);
                }
                _ => literal.push(c),
            }
        }
        flush(&mut literal, &mut parts);
        let whole_expansion = matches!(parts.as_slice(), [WordPart::Parameter(_) | WordPart::Substitution(_)]);
        let fields = if whole_expansion && !text.starts_with('"') { Fields::AnyNumber } else { Fields::One };
        Word { parts, fields }
    }

    /// The word as the client should see it: every non-literal part replaced by
    /// [`STAND_IN`].
    pub fn stand_in(&self) -> String {
        self.parts
            .iter()
            .map(|part| match part {
                WordPart::Literal(text) => text.as_str(),
                _ => STAND_IN,
            })
            .collect()
    }

    /// The literal text when the word is nothing but literal text.
    pub fn as_literal(&self) -> Option<String> {
        self.parts
            .iter()
            .map(|p| match p {
                WordPart::Literal(t) => Some(t.as_str()),
                _ => None,
            })
            .collect()
    }
}

/// The parts of plain text in an argument: literal text, and each all-capitals name
/// with an `_` ([`shell::capital_names`]) as a placeholder: `YOUR_USERNAME/app` is a
/// placeholder, then `/app`.
pub fn literal_parts(text: &str) -> Vec<WordPart> {
    let mut parts = Vec::new();
    let mut last = 0;
    for span in shell::capital_names(text) {
        if span.start > last {
            parts.push(WordPart::Literal(text[last..span.start].into()));
        }
        parts.push(WordPart::Placeholder(span.text(text).into()));
        last = span.end;
    }
    if last < text.len() || parts.is_empty() {
        parts.push(WordPart::Literal(text[last..].into()));
    }
    parts
}

fn flush(literal: &mut String, parts: &mut Vec<WordPart>) {
    if !literal.is_empty() {
        parts.extend(literal_parts(&std::mem::take(literal)));
    }
}

/// Advances `chars` to byte `end` of the text.
fn skip_to(chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>, end: usize) {
    while chars.peek().is_some_and(|(i, _)| *i < end) {
        chars.next();
    }
}

/// The byte offset in `text` (which starts with `(`) of the `)` that closes it, or its
/// length when none does.
fn matching_paren(text: &str) -> usize {
    let mut depth = 0;
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
    }
    text.len()
}

/// A simple command of a snippet: its words after any `NAME=value` assignments, and
/// where it starts in its code block (1-based), for findings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimpleCommand {
    pub words: Vec<Word>,
    pub line: usize,
    pub column: usize,
}

impl SimpleCommand {
    /// A command from words as written (see [`Word::from_text`]).
    pub fn from_texts(texts: &[&str], line: usize, column: usize) -> SimpleCommand {
        SimpleCommand { words: texts.iter().map(|t| Word::from_text(t)).collect(), line, column }
    }
}

/// What the client said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The client got past its argument parsing (the pattern or exit 0 that showed it).
    Accepted(String),
    /// The client refused the arguments: its message.
    Rejected(String),
    /// It could not tell (needed a daemon, a file, a terminal; timed out; not installed).
    Inconclusive(String),
}

/// The argv a command's client is run with: from the command its wrappers run (`sudo`,
/// `env`, `time`, `nohup`, `xargs`, … with their options, see
/// [`tool_words`]), the program named by its tool (`/usr/local/bin/docker` →
/// `docker`), and with stand-ins: `$X` → `placeholder`; on a synopsis line (`docker
/// run [OPTIONS] IMAGE[:TAG|@DIGEST] [COMMAND] [ARG...]`) optional parts and `...` are
/// dropped and upper-case names are placeholders. A command run by `xargs` (without
/// `-I`, `-i` or `--replace`) gets the arguments xargs appends: one `placeholder` at
/// the end (`… | xargs docker rm`).
pub fn client_argv(command: &SimpleCommand) -> Vec<String> {
    let literals: Vec<Option<String>> = command.words.iter().map(Word::as_literal).collect();
    let refs: Vec<Option<&str>> = literals.iter().map(Option::as_deref).collect();
    let tools = tool_words(&refs);
    let run = program_word(&tools);
    let start = run.map_or(0, |t| t.index);
    let mut texts: Vec<String> = command.words[start..].iter().map(Word::stand_in).collect();
    if let (Some(tool), Some(first)) = (run, texts.first_mut()) {
        *first = tool.name.to_string();
    }
    let appending_xargs = tools.iter().filter(|t| t.wrapper && t.index < start).any(|t| {
        t.name == "xargs"
            && !refs[t.index + 1..start]
                .iter()
                .flatten()
                .any(|o| o.starts_with("-I") || o.starts_with("-i") || o.starts_with("--replace"))
    });
    if appending_xargs {
        texts.push(STAND_IN.to_string());
    }
    if !is_synopsis(&texts) {
        return texts;
    }
    let mut argv = Vec::new();
    for (i, text) in texts.into_iter().enumerate() {
        let text = text.trim_end_matches("...").to_string();
        if text.is_empty() || (text.starts_with('[') && text.ends_with(']')) {
            continue;
        }
        argv.push(if i > 0 && is_synopsis_name(&text) { STAND_IN.to_string() } else { text });
    }
    argv
}

/// The tool word whose program the client stands for: the command after any wrappers.
fn program_word<'a>(tools: &[ToolWord<'a>]) -> Option<ToolWord<'a>> {
    tools.iter().rev().find(|t| !t.wrapper).or(tools.last()).copied()
}

/// The index in `command`'s words of the program its client stands for.
fn program_index(command: &SimpleCommand) -> usize {
    let literals: Vec<Option<String>> = command.words.iter().map(Word::as_literal).collect();
    let refs: Vec<Option<&str>> = literals.iter().map(Option::as_deref).collect();
    program_word(&tool_words(&refs)).map_or(0, |t| t.index)
}

fn is_synopsis(texts: &[String]) -> bool {
    texts.iter().skip(1).any(|t| {
        t.ends_with("...") || (t.starts_with('[') && t.ends_with(']') && t.chars().any(|c| c.is_ascii_uppercase()))
    })
}

/// `IMAGE`, `IMAGE[:TAG|@DIGEST]`, `NAME|ID`, `SRC_PATH`: an upper-case name.
fn is_synopsis_name(text: &str) -> bool {
    let head = text.split('[').next().unwrap_or("");
    head.chars().any(|c| c.is_ascii_uppercase())
        && head.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || "_|-:".contains(c))
}

/// Runs declared clients on commands; one per run, shared by all snippets.
pub struct ArgsChecker<'a> {
    tools: &'a BTreeMap<String, ToolConfig>,
    /// Each declared tool's clients, lowest version first.
    clients: BTreeMap<String, Vec<Client>>,
    isolation: &'a Isolation,
}

/// Every client's verdict on one command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judged {
    pub tool: String,
    /// The argv the clients were run with (the tool's name first).
    pub argv: Vec<String>,
    /// Per client (lowest version first), what it said.
    pub verdicts: Vec<(Client, Verdict)>,
}

/// The argument checks of a snippet: its outcome, and the evidence by tool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgsReport {
    pub outcome: Outcome,
    pub evidence: BTreeMap<String, ArgsEvidence>,
}

impl<'a> ArgsChecker<'a> {
    /// With the clients of each declared tool probed now (`[tools.NAME] clients`, or
    /// the tool on PATH).
    pub fn new(tools: &'a BTreeMap<String, ToolConfig>, isolation: &'a Isolation) -> Self {
        let versions = ToolVersions::probe(std::iter::empty(), tools);
        Self::with_clients(tools, versions.all_clients().clone(), isolation)
    }

    /// With clients already probed (see [`ToolVersions::clients`]).
    pub fn with_clients(
        tools: &'a BTreeMap<String, ToolConfig>,
        clients: BTreeMap<String, Vec<Client>>,
        isolation: &'a Isolation,
    ) -> Self {
        ArgsChecker { tools, clients, isolation }
    }

    /// The configuration of `command`'s tool when site.toml declares it with
    /// `check_args = true`, with the tool's name.
    fn declared(&self, argv: &[String]) -> Option<(&'a str, &'a ToolConfig)> {
        let program = argv.first()?;
        self.tools
            .get_key_value(program.as_str())
            .filter(|(_, config)| config.check_args)
            .map(|(name, config)| (name.as_str(), config))
    }

    /// The first client's verdict on `command`; None when its tool is not declared (it
    /// is then never invoked).
    pub fn verdict(&self, command: &SimpleCommand) -> Option<Verdict> {
        let judged = self.judge(command)?;
        Some(judged.verdicts.into_iter().next().map_or_else(
            || Verdict::Inconclusive(format!("{} not installed: arguments not checked", judged.tool)),
            |(_, verdict)| verdict,
        ))
    }

    /// Every client's verdict on `command`; None when its tool is not declared. No
    /// verdict when no client is installed.
    ///
    /// An unquoted whole-word `$(...)` or `$VAR` may be no word at all: when a client
    /// rejects the command naming the stand-in (`unknown command: docker placeholder`),
    /// or rejects it with such a word right after the program (where global options go,
    /// `docker $(docker-machine config host1) image ls --all`), the command is judged
    /// again without that word, and that judgement stands if no client rejects it.
    pub fn judge(&self, command: &SimpleCommand) -> Option<Judged> {
        let judged = self.judge_argv(client_argv(command))?;
        let rejected =
            |m: &dyn Fn(&str) -> bool| judged.verdicts.iter().any(|(_, v)| matches!(v, Verdict::Rejected(r) if m(r)));
        let names_stand_in = rejected(&|message| message.contains(STAND_IN));
        let program = program_index(command);
        let vanishing = command.words.iter().enumerate().filter(|(i, w)| {
            w.fields == Fields::AnyNumber
                && *i > program
                && (names_stand_in || (*i == program + 1 && rejected(&|_| true)))
        });
        let retried = vanishing.map(|(i, _)| {
            let mut words = command.words.clone();
            words.remove(i);
            SimpleCommand { words, ..command.clone() }
        });
        let accepted = retried
            .filter_map(|fewer| self.judge_argv(client_argv(&fewer)))
            .find(|j| j.tool == judged.tool && !j.verdicts.iter().any(|(_, v)| matches!(v, Verdict::Rejected(_))));
        Some(accepted.unwrap_or(judged))
    }

    fn judge_argv(&self, argv: Vec<String>) -> Option<Judged> {
        let (tool, config) = self.declared(&argv)?;
        let clients = self.clients.get(tool).map_or(&[][..], Vec::as_slice);
        let verdicts = clients.iter().map(|c| (c.clone(), self.run_client(c, &argv, config))).collect();
        Some(Judged { tool: tool.to_string(), argv, verdicts })
    }

    fn run_client(&self, client: &Client, argv: &[String], config: &ToolConfig) -> Verdict {
        let tool = &argv[0];
        let scratch = match tempfile::Builder::new().prefix("gen-args-").tempdir() {
            Ok(dir) => dir,
            Err(e) => return Verdict::Inconclusive(format!("cannot create a scratch folder: {e}")),
        };
        let scratch_path = scratch.path().canonicalize().unwrap_or_else(|_| scratch.path().to_path_buf());
        let env: Vec<(String, String)> = config
            .env
            .iter()
            .map(|(k, v)| (k.clone(), v.replace("{scratch}", &scratch_path.to_string_lossy())))
            .collect();
        let mut run_argv = argv.to_vec();
        run_argv[0] = client.path.to_string_lossy().into_owned();
        let timeout = Duration::from_secs(config.timeout.unwrap_or(5));
        match sandbox::run(self.isolation, &scratch_path, &run_argv, &env, &Limits::with_timeout(timeout)) {
            Ok(run) => classify(config, &run.output, run.exit, timeout),
            Err(e) => Verdict::Inconclusive(format!("cannot run {tool}: {e}")),
        }
    }

    /// The outcome of the argument checks of a snippet's simple commands (see
    /// [`Self::report`]).
    pub fn check(&self, commands: &[SimpleCommand]) -> Outcome {
        self.report(commands, &[]).outcome
    }

    /// The argument checks of a snippet's simple commands, each judged by every client
    /// of its tool: failed with a finding per command that every deciding client
    /// rejected; a command some accept and others reject is version drift, which does
    /// not fail (and contradicts the snippet's `requirements` when a rejecting version
    /// meets them); otherwise passed, with inconclusive reasons as detail. The evidence
    /// says which versions accepted which commands.
    pub fn report(&self, commands: &[SimpleCommand], requirements: &[Requirement]) -> ArgsReport {
        let mut outcomes = Vec::new();
        let mut evidence: BTreeMap<String, ArgsEvidence> = BTreeMap::new();
        let mut rejecting: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut accepting: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for command in commands {
            let Some(judged) = self.judge(command) else { continue };
            let text = judged.argv.join(" ");
            let entry = evidence.entry(judged.tool.clone()).or_default();
            if judged.verdicts.is_empty() {
                let reason = format!("{} not installed: arguments not checked", judged.tool);
                entry.inconclusive.push(format!("`{text}`: {reason}"));
                outcomes.push(Outcome::inconclusive(format!("`{text}`: {reason}")));
                continue;
            }
            let mut accepted = Vec::new();
            let mut rejected = Vec::new();
            let mut unsure = Vec::new();
            for (client, verdict) in &judged.verdicts {
                match verdict {
                    Verdict::Accepted(_) => accepted.push(client.label()),
                    Verdict::Rejected(message) => {
                        rejected.push(Rejection { version: client.label(), message: message.clone() })
                    }
                    Verdict::Inconclusive(reason) => unsure.push(reason.clone()),
                }
            }
            let tool_rejecting = rejecting.entry(judged.tool.clone()).or_default();
            tool_rejecting.extend(rejected.iter().map(|r| r.version.clone()));
            let tool_accepting = accepting.entry(judged.tool.clone()).or_default();
            for version in &accepted {
                if !tool_accepting.contains(version) {
                    tool_accepting.push(version.clone());
                }
            }
            match (accepted.is_empty(), rejected.is_empty()) {
                (true, true) => {
                    let reason = unsure.first().cloned().unwrap_or_default();
                    entry.inconclusive.push(format!("`{text}`: {reason}"));
                    outcomes.push(Outcome::inconclusive(format!("`{text}`: {reason}")));
                }
                (false, true) => entry.commands.push(text),
                (true, false) => {
                    let finding = Finding::new(
                        CheckKind::Args,
                        "ARGS",
                        format!("{} rejects these arguments: {}", judged.tool, rejected[0].message),
                    )
                    .at(command.line, command.column)
                    .with_help(format!("gen ran `{text}` (parameters stand in as `{STAND_IN}`); fix the arguments"));
                    let fragment = commands.len() == 1
                        && shows_options(command)
                        && rejected.iter().all(|r| MISSING_OPERAND.iter().any(|m| r.message.contains(m)));
                    let finding = if fragment {
                        finding.as_warning_because("the block shows options only, a fragment of a command")
                    } else {
                        finding
                    };
                    outcomes.push(Outcome::from_findings(vec![finding]));
                }
                (false, false) => {
                    let contradicts = contradicted(&judged.tool, &rejected, requirements);
                    entry.commands.push(text.clone());
                    entry.drift.push(Drift {
                        command: text,
                        accepted_by: accepted,
                        rejected_by: rejected,
                        contradicts,
                    });
                }
            }
        }
        // The versions that accepted every command they judged.
        for (tool, entry) in &mut evidence {
            let refused = rejecting.get(tool);
            entry.accepted_by = accepting
                .get(tool)
                .into_iter()
                .flatten()
                .filter(|v| refused.is_none_or(|r| !r.contains(*v)))
                .cloned()
                .collect();
        }
        ArgsReport { outcome: Outcome::combine(outcomes), evidence }
    }
}

/// What clients say when a command lacks its operand, all of its arguments being taken
/// by options: cobra's (docker's) `"docker run" requires at least 1 argument`, GNU's
/// `missing operand`.
const MISSING_OPERAND: &[&str] = &["requires at least", "missing operand"];

/// Whether `command` has an option (a word starting with `-`) after its program.
fn shows_options(command: &SimpleCommand) -> bool {
    command.words.iter().skip(1).any(|w| w.as_literal().is_some_and(|t| t.len() > 1 && t.starts_with('-')))
}

/// The label of `tool`'s requirement ("docker 1.3+") when a version that rejected a
/// command meets it: the tag says these versions work, the evidence says otherwise.
fn contradicted(tool: &str, rejected: &[Rejection], requirements: &[Requirement]) -> Option<String> {
    requirements.iter().find_map(|r| match r {
        Requirement::Tool { tool: t, version: Some(req), label } if t == tool => rejected
            .iter()
            .filter_map(|r| semver::Version::parse(&r.version).ok())
            .any(|v| req.matches(&v))
            .then(|| label.clone()),
        _ => None,
    })
}

/// Accepted, rejected or inconclusive, from what the client printed and how it ended.
/// A configured rejection pattern wins over an accepting one.
pub fn classify(config: &ToolConfig, output: &str, exit: Exit, timeout: Duration) -> Verdict {
    let line_with = |pattern: &str| {
        output.lines().find(|l| l.contains(pattern)).map(|l| l.trim().trim_start_matches("docker: ").to_string())
    };
    if let Some(line) = config.rejected.iter().find_map(|p| line_with(p)) {
        return Verdict::Rejected(line);
    }
    if let Some(line) = config.accepted.iter().find_map(|p| line_with(p)) {
        return Verdict::Accepted(line);
    }
    match exit {
        Exit::Code(0) => Verdict::Accepted("exit status 0".into()),
        Exit::TimedOut => Verdict::Inconclusive(format!("no answer within {}s", timeout.as_secs())),
        _ => {
            let first = output.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("no output");
            Verdict::Inconclusive(format!("the client said: {first}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(texts: &[&str]) -> Vec<String> {
        client_argv(&SimpleCommand::from_texts(texts, 1, 3))
    }

    #[test]
    fn words_from_text() {
        assert_eq!(Word::from_text("'{{.Id}}'").stand_in(), "{{.Id}}");
        assert_eq!(Word::from_text("$CONTAINERID:$source_path").stand_in(), "placeholder:placeholder");
        assert_eq!(
            Word::from_text("${HOME}/x").parts,
            [WordPart::Parameter("HOME".into()), WordPart::Literal("/x".into())]
        );
        assert_eq!(Word::from_text("$(docker ps -a -q)").parts, [WordPart::Substitution("docker ps -a -q".into())]);
        assert_eq!(Word::from_text("<command>").parts, [WordPart::Placeholder("command".into())]);
        assert_eq!(Word::from_text("\"a b\"\\$").as_literal().as_deref(), Some("a b$"));
        // The parser's placeholder rule, anywhere in a word, but not in quotes.
        assert_eq!(Word::from_text("<host>:<port>").stand_in(), "placeholder:placeholder");
        assert_eq!(Word::from_text("\"<a>\"").as_literal().as_deref(), Some("<a>"));
        assert_eq!(Word::from_text("<<EOF>").as_literal().as_deref(), Some("<<EOF>"));
        // All-capitals names with `_` are placeholders; `IMAGE` alone is not.
        assert_eq!(Word::from_text("YOUR_USERNAME/myfirstapp").stand_in(), "placeholder/myfirstapp");
        assert_eq!(Word::from_text("'DOCKER_ID/app:v1'").stand_in(), "placeholder/app:v1");
        assert_eq!(Word::from_text("IMAGE").stand_in(), "IMAGE");
        // An unquoted whole-word expansion may make any number of words.
        assert_eq!(Word::from_text("$(docker-machine config h)").fields, Fields::AnyNumber);
        assert_eq!(Word::from_text("$X").fields, Fields::AnyNumber);
        for one in ["\"$X\"", "$X/y", "a$(b)", "plain"] {
            assert_eq!(Word::from_text(one).fields, Fields::One, "{one}");
        }
    }

    #[test]
    fn xargs_appends_an_argument_unless_it_replaces() {
        assert_eq!(argv(&["xargs", "docker", "rm"]), ["docker", "rm", "placeholder"]);
        assert_eq!(argv(&["xargs", "-n", "1", "docker", "rm", "-f"]), ["docker", "rm", "-f", "placeholder"]);
        assert_eq!(argv(&["xargs", "-I", "{}", "docker", "rm", "{}"]), ["docker", "rm", "{}"]);
        assert_eq!(argv(&["xargs", "--replace=ID", "docker", "rm", "ID"]), ["docker", "rm", "ID"]);
        assert_eq!(argv(&["sudo", "docker", "rm"]), ["docker", "rm"]);
    }

    #[test]
    fn stand_ins_wrappers_and_synopsis_lines() {
        assert_eq!(
            argv(&["docker", "exec", "$CONTAINERID", "<command>"]),
            ["docker", "exec", "placeholder", "placeholder"]
        );
        assert_eq!(argv(&["sudo", "env", "A=1", "docker", "ps"]), ["docker", "ps"]);
        assert_eq!(
            argv(&["docker", "run", "[OPTIONS]", "IMAGE[:TAG|@DIGEST]", "[COMMAND]", "[ARG...]"]),
            ["docker", "run", "placeholder"]
        );
        assert_eq!(argv(&["docker", "rm", "CONTAINER", "[CONTAINER...]"]), ["docker", "rm", "placeholder"]);
        // Without synopsis markers, upper-case words are real arguments.
        assert_eq!(argv(&["docker", "run", "-e", "FOO", "ubuntu"]), ["docker", "run", "-e", "FOO", "ubuntu"]);
    }

    fn docker_config() -> ToolConfig {
        ToolConfig {
            check_args: true,
            accepted: vec!["Cannot connect to the Docker daemon".into(), "the input device is not a TTY".into()],
            rejected: vec!["unknown shorthand flag".into(), "invalid reference format".into()],
            ..Default::default()
        }
    }

    #[test]
    fn classify_outputs() {
        let c = docker_config();
        let t = Duration::from_secs(5);
        let rejected = "unknown shorthand flag: 'r' in -rm\n\nUsage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]\n";
        assert_eq!(
            classify(&c, rejected, Exit::Code(125), t),
            Verdict::Rejected("unknown shorthand flag: 'r' in -rm".into())
        );
        assert_eq!(
            classify(&c, "docker: invalid reference format\n", Exit::Code(125), t),
            Verdict::Rejected("invalid reference format".into())
        );
        let daemon =
            "Cannot connect to the Docker daemon at unix:///nonexistent/docker.sock. Is the docker daemon running?\n";
        assert!(matches!(classify(&c, daemon, Exit::Code(1), t), Verdict::Accepted(_)));
        assert!(matches!(classify(&c, "", Exit::Code(0), t), Verdict::Accepted(_)));
        assert_eq!(
            classify(&c, "open x: no such file\n", Exit::Code(1), t),
            Verdict::Inconclusive("the client said: open x: no such file".into())
        );
        assert_eq!(classify(&c, "", Exit::TimedOut, t), Verdict::Inconclusive("no answer within 5s".into()));
    }

    #[test]
    fn undeclared_tools_are_never_run() {
        let tools = BTreeMap::from([("docker".to_string(), ToolConfig { check_args: false, ..docker_config() })]);
        let checker = ArgsChecker::new(&tools, &Isolation::Unsandboxed);
        assert_eq!(checker.verdict(&SimpleCommand::from_texts(&["docker", "ps"], 1, 1)), None);
        assert_eq!(checker.verdict(&SimpleCommand::from_texts(&["rm", "-rf", "x"], 1, 1)), None);
        assert_eq!(checker.check(&[SimpleCommand::from_texts(&["rm", "-rf", "x"], 1, 1)]), Outcome::passed());
    }

    #[test]
    fn a_declared_client_is_run_with_argv_in_a_scratch_home() {
        // `sh` stands for a client here: it prints its HOME and argv, and the configured
        // patterns judge them.
        let config = ToolConfig {
            check_args: true,
            env: BTreeMap::from([("TOOL_CONFIG".to_string(), "{scratch}/.tool".to_string())]),
            accepted: vec!["ACCEPT".into()],
            rejected: vec!["REJECT".into()],
            ..Default::default()
        };
        let tools = BTreeMap::from([("sh".to_string(), config)]);
        let checker = ArgsChecker::new(&tools, &Isolation::Unsandboxed);
        let accept =
            SimpleCommand::from_texts(&["sh", "-c", "'case $TOOL_CONFIG in $HOME/.tool) echo ACCEPT;; esac'"], 1, 1);
        assert_eq!(checker.verdict(&accept), Some(Verdict::Accepted("ACCEPT".into())));
        let reject = SimpleCommand::from_texts(&["sh", "-c", "'echo REJECT: $0'", "$X"], 4, 3);
        assert_eq!(checker.verdict(&reject), Some(Verdict::Rejected("REJECT: placeholder".into())));
        let Outcome::Failed { findings } = checker.check(&[accept, reject]) else { panic!() };
        assert_eq!((findings[0].code.as_str(), findings[0].line, findings[0].column), ("ARGS", 4, 3));
        assert_eq!(findings[0].message, "sh rejects these arguments: REJECT: placeholder");
    }
}
