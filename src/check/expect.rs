//! Running a snippet (`test="run"`, `--run`) and comparing what it printed with the
//! expected output: each command of the snippet is a [`Step`] run in one shell session
//! in a fresh folder (so variables and `cd` carry over), and each step's output is
//! matched against its expected lines, trycmd-style: a line `...` matches any number of
//! lines, `[..]` any text within a line. A mismatch shows a diff.

use std::collections::BTreeMap;
use std::time::Duration;

use super::engine::EngineRun;
use super::sandbox::{self, Exit, Isolation, Limits};
use super::{CheckKind, Finding, Outcome};
use crate::config::ToolConfig;

/// One command of a snippet and what it should print (stdout and stderr as a terminal
/// shows them); `None` means the output is not compared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub command: String,
    pub expected: Option<String>,
    /// 1-based line and column of the command in its code block (after a console
    /// block's `$ ` prompt), for findings.
    pub line: usize,
    pub column: usize,
}

/// What a run of a snippet must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunSpec {
    pub steps: Vec<Step>,
    /// Exit status expected of the last step (the `exit` attribute); earlier steps must
    /// exit 0.
    pub exit: i32,
    pub timeout: Duration,
    /// The programs the commands call (the snippet's tools): when one is not installed,
    /// the run is skipped, not failed.
    pub programs: Vec<String>,
    /// The values the reader fills in (`<command>`, `$CONTAINERID` that the snippet does
    /// not assign itself): a snippet that needs one is not run as written, but skipped.
    pub reader_values: Vec<String>,
    /// The variables the snippet assigns (`CONTAINERID`): in a post's session, later
    /// snippets that use them have them.
    pub assigns: Vec<String>,
    /// What a tool prints when the test machine lacks what it needs (a daemon, a
    /// terminal): a failed run that printed one of these is skipped, with that reason.
    pub unavailable: Vec<Unavailable>,
}

/// A message by which `tool` says it cannot work here (the `accepted` messages of its
/// `[tools]` entry: the client took the arguments but had no daemon or terminal).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unavailable {
    pub tool: String,
    pub message: String,
}

impl RunSpec {
    /// The spec with the `accepted` messages of its programs' `[tools]` entries as the
    /// messages that mean the test machine lacks what they need.
    pub fn with_unavailable(mut self, tools: &BTreeMap<String, ToolConfig>) -> RunSpec {
        self.unavailable = self
            .programs
            .iter()
            .filter_map(|p| tools.get(p).map(|t| (p, t)))
            .flat_map(|(p, t)| t.accepted.iter().map(|m| Unavailable { tool: p.clone(), message: m.clone() }))
            .collect();
        self
    }
}

/// Does `actual` match `expected`, where a line `...` stands for any lines and `[..]`
/// for any text within a line? Trailing newlines are not significant.
pub fn matches(expected: &str, actual: &str) -> bool {
    let expected: Vec<&str> = expected.trim_end_matches('\n').lines().collect();
    let actual: Vec<&str> = actual.trim_end_matches('\n').lines().collect();
    lines_match(&expected, &actual)
}

fn lines_match(expected: &[&str], actual: &[&str]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((&"...", rest)) => (0..=actual.len()).any(|skip| lines_match(rest, &actual[skip..])),
        Some((line, rest)) => {
            actual.split_first().is_some_and(|(first, others)| line_matches(line, first) && lines_match(rest, others))
        }
    }
}

/// One line with `[..]` wildcards.
pub fn line_matches(pattern: &str, line: &str) -> bool {
    let pieces: Vec<&str> = pattern.split("[..]").collect();
    if pieces.len() == 1 {
        return pattern == line;
    }
    let (first, last) = (pieces[0], pieces[pieces.len() - 1]);
    if !line.starts_with(first) || line.len() < first.len() + last.len() || !line.ends_with(last) {
        return false;
    }
    let mut rest = &line[first.len()..line.len() - last.len()];
    for piece in &pieces[1..pieces.len() - 1] {
        match rest.find(piece) {
            Some(i) => rest = &rest[i + piece.len()..],
            None => return false,
        }
    }
    true
}

/// A unified diff from the expected to the actual output.
pub fn diff(expected: &str, actual: &str) -> String {
    let expected = format!("{}\n", expected.trim_end_matches('\n'));
    let actual = format!("{}\n", actual.trim_end_matches('\n'));
    similar::TextDiff::from_lines(&expected, &actual).unified_diff().header("expected", "actual").to_string()
}

/// The step marker: a unit separator no snippet prints, the step's number and status.
const MARK: &str = "\u{1f}GEN-STEP ";

/// The bash script for `steps`: each command followed by a marker with its status.
fn session_script(steps: &[Step]) -> String {
    let mut script = String::from(
        "__gen_step() { __gen_status=$?; printf '\\037GEN-STEP %s %s\\037\\n' \"$1\" \"$__gen_status\"; }\n",
    );
    for (i, step) in steps.iter().enumerate() {
        script.push_str(&step.command);
        script.push_str(&format!("\n__gen_step {i}\n"));
    }
    script
}

/// What each step printed and its status, from the session's output; steps after the
/// last marker (the session ended early) are missing.
fn split_steps(output: &str) -> (Vec<(String, i32)>, String) {
    let mut steps = Vec::new();
    let mut rest = output;
    while let Some(start) = rest.find(MARK) {
        let printed = rest[..start].to_string();
        let after = &rest[start + MARK.len()..];
        let Some(end) = after.find('\u{1f}') else { break };
        let status = after[..end].split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(-1);
        steps.push((printed, status));
        rest = after[end + 1..].strip_prefix('\n').unwrap_or(&after[end + 1..]);
    }
    (steps, rest.to_string())
}

fn run_finding(step: Option<&Step>, message: String) -> Finding {
    let finding = Finding::new(CheckKind::Run, "RUN", message);
    match step {
        Some(step) => finding.at(step.line, step.column.max(1)),
        None => finding,
    }
}

/// Runs the snippet in a fresh temporary folder, which is removed afterwards, and
/// compares each step's output and status.
pub fn run_snippet(isolation: &Isolation, spec: &RunSpec) -> Outcome {
    run_snippet_in(isolation, spec, &std::env::temp_dir())
}

/// [`run_snippet`] with its temporary folder made inside `parent`. A snippet that calls
/// a program not on PATH (the sandbox's PATH is gen's, over the same root) is skipped:
/// its run could only say "command not found".
pub fn run_snippet_in(isolation: &Isolation, spec: &RunSpec, parent: &std::path::Path) -> Outcome {
    run_snippet_with(isolation, spec, parent, None)
}

/// [`run_snippet_in`], with `DOCKER_HOST` and the sandbox's only way to `engine`, when
/// given.
pub fn run_snippet_with(
    isolation: &Isolation,
    spec: &RunSpec,
    parent: &std::path::Path,
    engine: Option<&EngineRun>,
) -> Outcome {
    let session = Session { isolation, parent, engine };
    session.run(&[spec]).pop().expect("one outcome per snippet")
}

/// Where a session of one or more snippets runs: in `isolation`, its scratch folder made
/// inside `parent`, against `engine` when given.
pub struct Session<'a> {
    pub isolation: &'a Isolation,
    pub parent: &'a std::path::Path,
    pub engine: Option<&'a EngineRun>,
}

impl Session<'_> {
    /// Runs `specs` in order in one shell, as a reader typing along would: what one
    /// assigns (`CONTAINERID=$(docker run -d …)`) and `cd` carry over to the next. A
    /// snippet that misses a program or needs a value no earlier snippet of the session
    /// assigns is skipped (and assigns nothing); a snippet that fails does not stop the
    /// session: each snippet gets its own outcome, in the order given. The session's
    /// time limit is the sum of the snippets' own.
    pub fn run(&self, specs: &[&RunSpec]) -> Vec<Outcome> {
        let mut outcomes: Vec<Option<Outcome>> = vec![None; specs.len()];
        let mut assigned: Vec<&str> = Vec::new();
        let mut included = Vec::new();
        for (i, spec) in specs.iter().enumerate() {
            let missing: Vec<&str> =
                spec.programs.iter().filter(|p| sandbox::find_on_path(p).is_none()).map(String::as_str).collect();
            if let Some(reason) = not_installed(&missing) {
                outcomes[i] = Some(Outcome::skipped(reason));
                continue;
            }
            let needed: Vec<&str> = spec
                .reader_values
                .iter()
                .map(String::as_str)
                .filter(|v| !v.strip_prefix('$').is_some_and(|name| assigned.contains(&name)))
                .collect();
            if !needed.is_empty() {
                outcomes[i] =
                    Some(Outcome::skipped(format!("needs values the reader fills in: {}", needed.join(", "))));
                continue;
            }
            assigned.extend(spec.assigns.iter().map(String::as_str));
            included.push(i);
        }
        if !included.is_empty() {
            let run: Vec<&RunSpec> = included.iter().map(|&i| specs[i]).collect();
            for (i, outcome) in included.iter().zip(self.run_included(&run)) {
                outcomes[*i] = Some(outcome);
            }
        }
        outcomes.into_iter().map(|o| o.expect("every snippet has an outcome")).collect()
    }

    fn run_included(&self, specs: &[&RunSpec]) -> Vec<Outcome> {
        let all_inconclusive = |reason: String| specs.iter().map(|_| Outcome::inconclusive(reason.clone())).collect();
        let dir = match tempfile::Builder::new().prefix("gen-run-").tempdir_in(self.parent) {
            Ok(dir) => dir,
            Err(e) => return all_inconclusive(format!("cannot create a scratch folder: {e}")),
        };
        let steps: Vec<Step> = specs.iter().flat_map(|s| s.steps.iter().cloned()).collect();
        let timeout: Duration = specs.iter().map(|s| s.timeout).sum();
        let argv = vec!["bash".to_string(), "--noprofile".into(), "--norc".into(), "-c".into(), session_script(&steps)];
        let limits = Limits::with_timeout(timeout);
        let env: Vec<(String, String)> = self
            .engine
            .map(|e| vec![("DOCKER_HOST".to_string(), e.docker_host.clone()), ("PATH".to_string(), e.path.clone())])
            .unwrap_or_default();
        let access = self.engine.map(|e| &e.access);
        let run = match sandbox::run_with(self.isolation, dir.path(), &argv, &env, &limits, access) {
            Ok(run) => run,
            Err(e) => return all_inconclusive(format!("cannot start bash: {e}")),
        };
        let (printed, leftover) = split_steps(&run.output);
        let mut first = 0;
        let mut outcomes = Vec::new();
        for spec in specs {
            let last = first + spec.steps.len();
            let outcome = if first > printed.len() {
                // The session ended in an earlier snippet: this one never ran.
                let step = spec.steps.first();
                let command = step.map_or("", |s| first_line(&s.command));
                Outcome::from_findings(vec![run_finding(
                    step,
                    format!("`{command}`: not run: the session ended in an earlier snippet of the post"),
                )])
            } else {
                let mine = &printed[first..last.min(printed.len())];
                let ended_here = printed.len() < last;
                let rest = if ended_here { leftover.as_str() } else { "" };
                let outcome = compare_printed(spec, mine, rest, run.exit, timeout);
                let text: String = mine.iter().map(|(out, _)| out.as_str()).chain([rest]).collect();
                match spec.unavailable.iter().find(|u| outcome.is_failed() && text.contains(&u.message)) {
                    Some(u) => Outcome::skipped(format!(
                        "{} cannot work on the test machine: it printed \"{}\"",
                        u.tool, u.message
                    )),
                    None => outcome,
                }
            };
            outcomes.push(outcome);
            first = last;
        }
        outcomes
    }
}

/// The outcome of a session that printed `output` and ended with `exit`.
#[cfg(test)]
fn compare(spec: &RunSpec, output: &str, exit: Exit) -> Outcome {
    let (printed, leftover) = split_steps(output);
    compare_printed(spec, &printed, &leftover, exit, spec.timeout)
}

/// The outcome of a snippet whose steps printed `printed` (text and status each; fewer
/// than its steps when the session ended in it), `leftover` after the last marker, in a
/// session that ended with `exit` within `timeout`.
fn compare_printed(
    spec: &RunSpec,
    printed: &[(String, i32)],
    leftover: &str,
    exit: Exit,
    timeout: Duration,
) -> Outcome {
    let mut findings = Vec::new();
    for (i, step) in spec.steps.iter().enumerate() {
        let last = i + 1 == spec.steps.len();
        // A last step that ends the session (`exit 3`) prints no marker: its status is
        // the session's.
        let ended_session = match exit {
            Exit::Code(code) if last && printed.len() == i => Some((leftover.to_string(), code)),
            _ => None,
        };
        let Some((actual, status)) = printed.get(i).or(ended_session.as_ref()) else {
            let message = match exit {
                Exit::TimedOut => {
                    format!("timed out after {}s; every process it started was killed", timeout.as_secs_f32())
                }
                Exit::Signal(signal) => format!("killed by signal {signal}{}", signal_hint(signal)),
                Exit::Code(code) => format!("the session ended (exit {code}) before this command finished"),
            };
            let mut finding = run_finding(Some(step), format!("`{}`: {message}", first_line(&step.command)));
            if !leftover.trim().is_empty() {
                finding = finding.with_help(format!("it printed:\n{}", leftover.trim_end()));
            }
            findings.push(finding);
            break;
        };
        if let Some(expected) = &step.expected {
            if !matches(expected, actual) {
                findings.push(
                    run_finding(
                        Some(step),
                        format!("`{}` printed something else than the expected output", first_line(&step.command)),
                    )
                    .with_help(diff(expected, actual)),
                );
            }
        }
        let wanted = if last { spec.exit } else { 0 };
        if *status != wanted {
            let mut finding = run_finding(
                Some(step),
                format!("`{}` exited with status {status}, expected {wanted}", first_line(&step.command)),
            );
            if step.expected.is_none() && !actual.trim().is_empty() {
                finding = finding.with_help(format!("it printed:\n{}", actual.trim_end()));
            }
            findings.push(finding);
        }
    }
    Outcome::from_findings(findings)
}

/// "brew is not installed on the test machine", "sudo and tee are not …"; `None` when
/// nothing is missing.
fn not_installed(programs: &[&str]) -> Option<String> {
    let (last, others) = programs.split_last()?;
    let names = if others.is_empty() { last.to_string() } else { format!("{} and {last}", others.join(", ")) };
    let verb = if others.is_empty() { "is" } else { "are" };
    Some(format!("{names} {verb} not installed on the test machine"))
}

fn first_line(command: &str) -> &str {
    command.lines().next().unwrap_or("")
}

fn signal_hint(signal: i32) -> &'static str {
    match signal {
        25 => " (SIGXFSZ: it wrote a file larger than the limit)",
        24 => " (SIGXCPU: it used more CPU time than the limit)",
        9 => " (SIGKILL)",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(matches("a\nb\n", "a\nb"));
        assert!(!matches("a\nb", "a\nc"));
        assert!(matches("a\n...\nz", "a\nb\nc\nz"));
        assert!(matches("a\n...\nz", "a\nz"));
        assert!(matches("...", ""));
        assert!(!matches("a\n...\nz", "a\nb"));
        assert!(matches("Docker version [..], build [..]", "Docker version 28.2.2, build e6534b4"));
        assert!(line_matches("[..]", "anything"));
        assert!(line_matches("a[..]b[..]c", "a-x-b-y-c"));
        assert!(!line_matches("a[..]b[..]c", "a-x-c-y-b"));
        assert!(!line_matches("ab[..]ba", "aba"));
        assert!(!matches("", "output"));
    }

    #[test]
    fn diff_shows_both_sides() {
        let d = diff("hello\nworld", "hello\nthere");
        assert!(d.contains("--- expected\n+++ actual\n"), "{d}");
        assert!(d.contains("-world\n+there\n"), "{d}");
    }

    fn step(command: &str, expected: Option<&str>, line: usize) -> Step {
        Step { command: command.into(), expected: expected.map(Into::into), line, column: 3 }
    }

    #[test]
    fn session_output_splits_per_step() {
        let steps = [step("echo a", None, 1), step("printf b", None, 2)];
        let script = session_script(&steps);
        assert!(script.contains("echo a\n__gen_step 0\nprintf b\n__gen_step 1\n"), "{script}");
        let (printed, rest) = split_steps("a\n\u{1f}GEN-STEP 0 0\u{1f}\nb\u{1f}GEN-STEP 1 3\u{1f}\n");
        assert_eq!(printed, [("a\n".to_string(), 0), ("b".to_string(), 3)]);
        assert_eq!(rest, "");
    }

    #[test]
    fn compare_reports_output_status_and_early_end() {
        let spec = RunSpec {
            steps: vec![step("echo hi", Some("hello"), 1), step("false", None, 2)],
            exit: 0,
            timeout: Duration::from_secs(1),
            programs: Vec::new(),
            reader_values: Vec::new(),
            assigns: Vec::new(),
            unavailable: Vec::new(),
        };
        let out = compare(&spec, "hi\n\u{1f}GEN-STEP 0 0\u{1f}\n\u{1f}GEN-STEP 1 1\u{1f}\n", Exit::Code(0));
        let Outcome::Failed { findings } = out else { panic!("{out:?}") };
        assert_eq!(findings.len(), 2, "{findings:#?}");
        assert_eq!((findings[0].line, findings[0].column, findings[1].line), (1, 3, 2));
        assert!(findings[0].help.as_deref().unwrap().contains("-hello\n+hi"));
        assert_eq!(findings[1].message, "`false` exited with status 1, expected 0");
        let timed = compare(&spec, "", Exit::TimedOut);
        let Outcome::Failed { findings } = timed else { panic!() };
        assert!(findings[0].message.contains("timed out after 1s"), "{}", findings[0].message);
    }

    #[test]
    fn unsandboxed_session_keeps_state_between_steps() {
        let spec = RunSpec {
            steps: vec![step("X=42; cd /", None, 1), step("echo $X; pwd", Some("42\n/"), 2), step("exit 3", None, 3)],
            exit: 3,
            timeout: Duration::from_secs(10),
            programs: Vec::new(),
            reader_values: Vec::new(),
            assigns: Vec::new(),
            unavailable: Vec::new(),
        };
        assert_eq!(run_snippet(&Isolation::Unsandboxed, &spec), Outcome::passed());
        let wrong = RunSpec {
            steps: vec![step("echo one", Some("two"), 1)],
            exit: 0,
            timeout: Duration::from_secs(10),
            programs: Vec::new(),
            reader_values: Vec::new(),
            assigns: Vec::new(),
            unavailable: Vec::new(),
        };
        assert!(run_snippet(&Isolation::Unsandboxed, &wrong).is_failed());
    }

    #[test]
    fn a_session_carries_variables_across_snippets_and_goes_on_after_a_failure() {
        let spec = |steps: Vec<Step>, reader: &[&str], assigns: &[&str]| RunSpec {
            steps,
            exit: 0,
            timeout: Duration::from_secs(10),
            programs: Vec::new(),
            reader_values: reader.iter().map(|v| v.to_string()).collect(),
            assigns: assigns.iter().map(|v| v.to_string()).collect(),
            unavailable: Vec::new(),
        };
        let first = spec(vec![step("X=42", None, 1)], &[], &["X"]);
        let wrong = spec(vec![step("echo $X", Some("41"), 1)], &["$X"], &[]);
        let after = spec(vec![step("echo $X", Some("42"), 1)], &["$X"], &[]);
        let needs = spec(vec![step("echo $Y", None, 1)], &["$Y"], &[]);
        let dir = std::env::temp_dir();
        let session = Session { isolation: &Isolation::Unsandboxed, parent: &dir, engine: None };
        let outcomes = session.run(&[&first, &wrong, &after, &needs]);
        assert_eq!(outcomes[0], Outcome::passed());
        assert!(outcomes[1].is_failed(), "{:?}", outcomes[1]);
        assert_eq!(outcomes[2], Outcome::passed());
        assert_eq!(outcomes[3], Outcome::skipped("needs values the reader fills in: $Y"));
        // Alone, the snippet that uses X needs it from the reader.
        assert_eq!(session.run(&[&after])[0], Outcome::skipped("needs values the reader fills in: $X"));
    }
}
