//! What a snippet's commands call and need: the tools (command words, looking through
//! pipes, substitutions, lists and wrappers such as `sudo`), and the parameters a reader
//! fills in (`<placeholders>`, variables no earlier snippet of the post assigns).

use std::collections::HashSet;

use serde::Serialize;

use crate::shell::{self, SimpleCommand, WordPart};

use super::Command;

/// Programs that run the command after their options: the wrapped command is a tool too.
/// For each: the options that take a separate argument.
const WRAPPERS: &[(&str, &[&str])] = &[
    (
        "sudo",
        &[
            "-u", "-g", "-h", "-p", "-C", "-D", "-r", "-t", "-U", "-T", "--user", "--group", "--host", "--prompt",
            "--chdir",
        ],
    ),
    ("env", &["-u", "-C", "-S", "--unset", "--chdir"]),
    ("time", &["-f", "-o", "--format", "--output"]),
    ("nohup", &[]),
    ("nice", &["-n", "--adjustment"]),
    (
        "xargs",
        &[
            "-I",
            "-n",
            "-P",
            "-L",
            "-d",
            "-s",
            "-E",
            "-a",
            "--max-args",
            "--max-procs",
            "--delimiter",
            "--arg-file",
            "--replace",
        ],
    ),
    ("timeout", &["-s", "-k", "--signal", "--kill-after"]),
    ("stdbuf", &["-i", "-o", "-e"]),
    ("watch", &["-n", "-d", "--interval"]),
    ("exec", &["-a"]),
    ("command", &[]),
    ("builtin", &[]),
];

/// Wrappers that are shell keywords or builtins, not programs: not listed as tools.
const SHELL_WRAPPERS: &[&str] = &["time", "exec", "command", "builtin"];

/// Shell builtins: not tools.
const BUILTINS: &[&str] = &[
    ".", ":", "[", "[[", "alias", "bg", "break", "cd", "continue", "declare", "echo", "eval", "exit", "export",
    "false", "fg", "getopts", "hash", "history", "jobs", "let", "local", "popd", "printf", "pushd", "read", "readonly",
    "return", "set", "shift", "shopt", "source", "test", "trap", "true", "type", "typeset", "ulimit", "umask",
    "unalias", "unset", "wait",
];

/// Builtins whose `NAME` or `NAME=value` arguments assign variables.
const ASSIGNING_BUILTINS: &[&str] = &["export", "declare", "local", "readonly", "typeset", "read"];

/// Variables the shell or the login environment sets: never parameters.
const ENVIRONMENT: &[&str] = &[
    "HOME",
    "PATH",
    "USER",
    "LOGNAME",
    "PWD",
    "OLDPWD",
    "SHELL",
    "TERM",
    "LANG",
    "HOSTNAME",
    "UID",
    "EUID",
    "PPID",
    "RANDOM",
    "LINENO",
    "SECONDS",
    "IFS",
    "TMPDIR",
    "PS1",
    "PS2",
    "BASH_VERSION",
    "BASH_SOURCE",
    "OSTYPE",
    "REPLY",
];

/// A value the reader supplies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Parameter {
    /// `<command>` for a placeholder (brackets included), `CONTAINERID` for a variable.
    pub name: String,
    pub kind: ParameterKind,
    /// Where it first appears in the post file.
    pub line: usize,
    pub column: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ParameterKind {
    /// `<command>`, `<path to log file>`.
    Placeholder,
    /// `$CONTAINERID`, `${image_id}`: a shell variable no earlier snippet of the post assigns.
    Variable,
}

/// Tools (in order of first use, unique) and parameters of `commands`. `assigned` holds
/// the variables that earlier snippets of the post assign; this snippet's are added.
pub fn tools_and_parameters(commands: &[Command], assigned: &mut HashSet<String>) -> (Vec<String>, Vec<Parameter>) {
    let mut tools: Vec<String> = Vec::new();
    let mut params: Vec<Parameter> = Vec::new();
    for command in commands {
        // A synopsis line's markers are words, not shell (`IMAGE[:TAG|@DIGEST]` has no pipe).
        let script = shell::parse(&shell::masked(&command.text, &shell::synopsis_words(&command.text)));
        for (name, _) in &script.loop_variables {
            assigned.insert(name.clone());
        }
        for simple in &script.commands {
            for tool in tools_of(simple) {
                if !tools.contains(&tool) {
                    tools.push(tool);
                }
            }
            for (part, offset) in parts_of(simple) {
                let (name, kind) = match part {
                    WordPart::Placeholder { text, .. } => (format!("<{text}>"), ParameterKind::Placeholder),
                    WordPart::Variable { name, .. } if is_parameter_variable(name, assigned) => {
                        (name.clone(), ParameterKind::Variable)
                    }
                    _ => continue,
                };
                if !params.iter().any(|p| p.name == name) {
                    let (line, column) = command.locate(offset);
                    params.push(Parameter { name, kind, line, column });
                }
            }
            for a in &simple.assignments {
                assigned.insert(a.name.clone());
            }
            if let Some(builtin) = simple.name().filter(|n| ASSIGNING_BUILTINS.contains(n)) {
                for w in simple.words.iter().skip(1) {
                    let raw = w.raw.as_str();
                    let name = raw.split('=').next().unwrap_or(raw);
                    if shell::is_name(name) && (builtin != "read" || !raw.contains('=')) {
                        assigned.insert(name.to_string());
                    }
                }
            }
        }
    }
    (tools, params)
}

fn is_parameter_variable(name: &str, assigned: &HashSet<String>) -> bool {
    shell::is_name(name) && !assigned.contains(name) && !ENVIRONMENT.contains(&name)
}

/// Every placeholder and variable of a command's words, assignments and redirections,
/// with its byte offset in the command text.
fn parts_of(simple: &SimpleCommand) -> Vec<(&WordPart, usize)> {
    let words = simple
        .assignments
        .iter()
        .map(|a| &a.value)
        .chain(&simple.words)
        .chain(simple.redirections.iter().map(|r| &r.target));
    let mut out = Vec::new();
    for word in words {
        for part in &word.parts {
            match part {
                WordPart::Placeholder { span, .. } | WordPart::Variable { span, .. } => out.push((part, span.start)),
                _ => {}
            }
        }
    }
    out
}

/// The tools one simple command calls: its command word, and through wrappers
/// (`sudo tee` → `sudo`, `tee`), the wrapped command. A path names a tool only where it
/// is one (see [`tool_name`]). `NAME = value` (a mistaken assignment, which the lint
/// reports) calls no tool.
pub fn tools_of(simple: &SimpleCommand) -> Vec<String> {
    let words = &simple.words;
    if words.len() >= 2 && words[1].literal() == Some("=") && shell::is_name(&words[0].raw) {
        return Vec::new();
    }
    let literals: Vec<Option<&str>> = words.iter().map(|w| w.literal()).collect();
    tool_words(&literals).into_iter().map(|t| t.name.to_string()).collect()
}

/// The tool a command word names: the word itself, or for a path, its file name when
/// the path is in a folder of programs (`/usr/local/bin/boot2docker` → `boot2docker`,
/// `~/bin/x` → `x`). A path elsewhere (`/etc/init.d/docker`, `./configure`) is a script
/// run by its path, not the tool of the same name: None.
pub fn tool_name(word: &str) -> Option<&str> {
    match word.rsplit_once('/') {
        None => Some(word),
        Some((dir, name)) => {
            let folder = dir.rsplit('/').next().unwrap_or(dir);
            (matches!(folder, "bin" | "sbin") && !name.is_empty()).then_some(name)
        }
    }
}

/// A word of a simple command that names a tool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ToolWord<'a> {
    /// The word's index in the command.
    pub index: usize,
    /// The tool (a path's file name, see [`tool_name`]).
    pub name: &'a str,
    /// A wrapper that runs a command after its options (`sudo`, `env`, `xargs`).
    pub wrapper: bool,
}

/// The words of a command (given as their literal text, None for a word that is not
/// plain text) that name tools: the command word, and through wrappers the wrapped
/// command, in order. Shell keywords such as `time` and `exec` are looked through but
/// not listed.
pub fn tool_words<'a>(words: &[Option<&'a str>]) -> Vec<ToolWord<'a>> {
    let mut tools = Vec::new();
    let mut i = 0;
    while let Some(word) = words.get(i) {
        let Some(name) = word.and_then(tool_name) else { break };
        if name.is_empty() {
            break;
        }
        let wrapper = WRAPPERS.iter().find(|(w, _)| *w == name);
        if BUILTINS.contains(&name) && wrapper.is_none() {
            break;
        }
        if !SHELL_WRAPPERS.contains(&name) {
            tools.push(ToolWord { index: i, name, wrapper: wrapper.is_some() });
        }
        let Some((wrapper, with_argument)) = wrapper else { break };
        i += 1;
        // Skip the wrapper's options (and `NAME=value` for env and sudo).
        while let Some(w) = words.get(i) {
            let Some(text) = *w else { break };
            if text == "--" {
                i += 1;
                break;
            }
            if text.starts_with('-') && text.len() > 1 {
                if *wrapper == "command" && (text == "-v" || text == "-V") {
                    return tools; // `command -v x` asks about x, it does not run it
                }
                i += if with_argument.contains(&text) { 2 } else { 1 };
            } else if (*wrapper == "env" || *wrapper == "sudo")
                && text.contains('=')
                && shell::is_name(text.split('=').next().unwrap_or(""))
            {
                i += 1;
            } else {
                break;
            }
        }
        if *wrapper == "timeout" {
            i += 1; // the duration
        }
    }
    tools
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tools(src: &str) -> Vec<String> {
        shell::parse(src).commands.iter().flat_map(tools_of).collect()
    }

    #[test]
    fn tools_through_pipes_substitutions_and_wrappers() {
        assert_eq!(tools("docker rm $(docker stop $ID)"), ["docker", "docker"]);
        assert_eq!(tools("echo 'x' | sudo tee -a /var/lib/boot2docker/profile"), ["sudo", "tee"]);
        assert_eq!(tools("sudo -u root env -i FOO=1 nohup nice -n 5 make"), ["sudo", "env", "nohup", "nice", "make"]);
        assert_eq!(tools("time xargs -n 1 -I {} docker rm {}"), ["xargs", "docker"]);
        assert_eq!(tools("/usr/local/bin/boot2docker ssh"), ["boot2docker"]);
        assert_eq!(tools("~/bin/tool -x && /opt/homebrew/bin/brew list"), ["tool", "brew"]);
        // An init script or a script run by its path is not the tool of its name.
        assert_eq!(tools("sudo /etc/init.d/docker restart"), ["sudo"]);
        assert_eq!(tools("./configure && ../docker/build.sh"), Vec::<String>::new());
        assert_eq!(tools("$(boot2docker shellinit)"), ["boot2docker"]);
        assert_eq!(tools("cd /tmp && export X=1; . ~/.profile; command -v docker"), Vec::<String>::new());
        assert_eq!(tools("CONTAINERID = $(docker run -t x)"), ["docker"]);
        assert_eq!(tools("timeout 5 curl -s localhost"), ["timeout", "curl"]);
    }
}
