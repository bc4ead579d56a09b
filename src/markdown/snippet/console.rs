//! Console sessions: the prompts a line may start with (`$ `, `user@host:~$ `,
//! `[user@host dir]$ `, and `# ` for root where the block leaves no doubt), splitting a
//! session into its commands (continued by a trailing `\` or by `> ` lines) and the
//! expected output lines after each, and whether a block is a session at all.

use crate::shell;

/// What a line starting with `# ` is in a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashLines {
    /// A comment: a script's, or a note in a session.
    Comments,
    /// A root prompt: the rest of the line is a command.
    RootPrompts,
}

/// How the lines of one block are read: which prompts start a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prompts {
    pub hash: HashLines,
}

/// A prompt at the start of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prompt<'a> {
    /// Where the command starts: the byte length of the prompt, with the blanks before
    /// it and the space after it.
    pub width: usize,
    /// The command after the prompt ("" for a prompt alone).
    pub command: &'a str,
}

impl Prompts {
    /// In a block labelled as a script (`sh`, `bash`, ...): `#` starts a comment.
    pub const SCRIPT: Prompts = Prompts { hash: HashLines::Comments };

    /// In a session (`console`, or a block with no language): `# ` is a root prompt when
    /// the whole block reads as a root session (see [`reads_as_root_session`]).
    pub fn session(code: &str) -> Prompts {
        let hash = if reads_as_root_session(code) { HashLines::RootPrompts } else { HashLines::Comments };
        Prompts { hash }
    }

    /// The prompt `line` starts with, if any: after blanks, `$`, `user@host[:path]$` or
    /// `[user@host path]$` (`#` instead of `$` for root), or `#` when this block's `# `
    /// lines are root prompts; then a space before the command, or the end of the line.
    /// `$HOME/bin`, `$(date)` and `#!/bin/sh` start with no prompt.
    pub fn prompt<'a>(&self, line: &'a str) -> Option<Prompt<'a>> {
        let blanks = line.len() - line.trim_start_matches([' ', '\t']).len();
        let rest = &line[blanks..];
        let sign = match rest.as_bytes().first()? {
            b'$' => 1,
            b'#' if self.hash == HashLines::RootPrompts => 1,
            _ => user_host_prompt(rest).or_else(|| host_prompt(rest))?,
        };
        let after = &rest[sign..];
        let command = match after.strip_prefix(' ') {
            Some(command) => command,
            None if after.trim().is_empty() => "",
            None => return None,
        };
        Some(Prompt { width: line.len() - command.len(), command })
    }

    /// Whether `line` starts with a prompt.
    pub fn is_prompt(&self, line: &str) -> bool {
        self.prompt(line).is_some()
    }

    /// Is `code` a session? Its first line that is neither blank nor a comment starts
    /// with a prompt (a note such as `# Create the network` may come first).
    pub fn starts_session(&self, code: &str) -> bool {
        let is_note = |l: &str| self.hash == HashLines::Comments && l.trim_start().starts_with('#');
        code.lines().find(|l| !l.trim().is_empty() && !is_note(l)).is_some_and(|l| self.is_prompt(l))
    }
}

/// The length of a `user@host:path$`, `user@host:path#`, `[user@host path]$` or
/// `[user@host path]#` prompt at the start of `text`, its sign included.
fn user_host_prompt(text: &str) -> Option<usize> {
    let is_name = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-');
    let user_host = |s: &str| -> Option<usize> {
        let user = s.find(|c: char| !is_name(c))?;
        let rest = s[user..].strip_prefix('@')?;
        let host = rest.find(|c: char| !is_name(c)).unwrap_or(rest.len());
        (user > 0 && host > 0).then_some(user + 1 + host)
    };
    let end = if let Some(inner) = text.strip_prefix('[') {
        let close = inner.find(']')?;
        let at = user_host(&inner[..close])?;
        let path = &inner[at..close];
        if !(path.is_empty() || path.starts_with(' ')) {
            return None;
        }
        close + 2
    } else {
        let at = user_host(text)?;
        match text[at..].strip_prefix(':') {
            Some(path) => at + 1 + path.find(|c: char| c.is_whitespace() || c == '$' || c == '#').unwrap_or(path.len()),
            None => at,
        }
    };
    matches!(text.as_bytes().get(end), Some(b'$' | b'#')).then_some(end + 1)
}

/// The length of a `host$` or `host#` prompt (a name, then the sign, nothing between)
/// at the start of `text`, its sign included: `node1$`, `c1#`. The name starts with a
/// letter and holds letters, digits and `_.-`. To the shell, such a word is a command
/// name ending in `$` or `#`, which nobody types, and never a comment (a comment's `#`
/// starts a word), so it is a prompt in any block.
fn host_prompt(text: &str) -> Option<usize> {
    let name = text.find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')))?;
    let starts_with_letter = text.starts_with(|c: char| c.is_ascii_alphabetic());
    (starts_with_letter && name <= 32 && matches!(text.as_bytes()[name], b'$' | b'#')).then_some(name + 1)
}

/// Does `code` read as a session of a root shell with bare `# ` prompts? Only where no
/// script or configuration file could be meant: no other prompt and no `#!` line in the
/// block, the first non-blank line is a `# ` line, every `#` line reads as a command
/// and shows shell syntax (a comment reads as prose: `# app image`, `# install docker`),
/// and no other line reads as a command (a script's commands would follow its comments;
/// a session's other lines are output).
pub fn reads_as_root_session(code: &str) -> bool {
    let mut lines = code.lines().map(str::trim_start).filter(|l| !l.is_empty()).peekable();
    if !lines.peek().is_some_and(|l| l.starts_with("# ")) {
        return false;
    }
    lines.all(|line| match line.strip_prefix('#') {
        Some(rest) => rest.strip_prefix(' ').is_some_and(|c| reads_as_command(c) && shows_shell_syntax(c)),
        None => !Prompts::SCRIPT.is_prompt(line) && !reads_as_command(line),
    })
}

/// Does `text` (a command) have something prose does not: an option (`-f`, `--bind`), a
/// path, an operator or redirection, a variable or an assignment?
fn shows_shell_syntax(text: &str) -> bool {
    text.contains(['/', '|', ';', '&', '<', '>', '$', '=', '`'])
        || text.split_whitespace().any(|w| w.len() > 1 && w.starts_with('-'))
}

/// Does `text` read as a shell command rather than prose or output? Its first word is
/// a command name or path (`docker`, `apt-get`, `./run.sh`, `/usr/bin/env`: lower-case
/// first), it does not end like a sentence, and it parses.
fn reads_as_command(text: &str) -> bool {
    let text = text.trim();
    let word = text.split_whitespace().next().unwrap_or("");
    let mut chars = word.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_lowercase() || matches!(c, '.' | '/' | '~' | '_'));
    first_ok
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '/' | '~' | '_' | '-' | '+'))
        && !text.ends_with(['.', ':', '?', '!', ','])
        && shell::parse(text).errors.is_empty()
}

/// A command read from a console block, located by block line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleCommand {
    /// The command as the shell reads it: prompts removed, lines joined with `\n`
    /// (a `\` continuation keeps its backslash-newline; a `> ` line loses its `> `).
    pub text: String,
    /// For each block line of the command: (byte offset in `text` where it starts,
    /// 0-based line in the block, 0-based column in that line where its text starts).
    pub pieces: Vec<(usize, usize, usize)>,
    /// Expected output: (0-based line in the block, text), trailing blank lines removed.
    pub output: Vec<(usize, String)>,
}

/// Splits a console block into commands, reading its prompts by `prompts`. Lines before
/// the first prompt (a block with no prompt at all, e.g. output only) belong to no
/// command and are dropped.
pub fn parse_console(code: &str, prompts: Prompts) -> Vec<ConsoleCommand> {
    let mut commands: Vec<ConsoleCommand> = Vec::new();
    // Whether the last command still takes continuation lines (and whether it must).
    let mut open = false;
    let mut continues = false;
    for (i, line) in code.lines().enumerate() {
        let prompt = prompts.prompt(line);
        if continues || (open && (line.starts_with("> ") || line == ">")) {
            let (rest, column) = match line.strip_prefix("> ").or_else(|| (line == ">").then_some("")) {
                Some(rest) if !continues || line.starts_with("> ") => (rest, line.len() - rest.len()),
                _ => (line, 0),
            };
            let cmd = commands.last_mut().expect("open after a command");
            cmd.text.push('\n');
            cmd.pieces.push((cmd.text.len(), i, column));
            cmd.text.push_str(rest);
            continues = ends_with_continuation(rest);
            continue;
        }
        if let Some(Prompt { width: column, command: rest }) = prompt.filter(|p| !reads_as_message(p.command)) {
            if rest.trim().is_empty() {
                open = false;
                continues = false;
                // An empty prompt ends the output of the command before it.
                commands.push(ConsoleCommand { text: String::new(), pieces: vec![], output: vec![] });
                continue;
            }
            commands.push(ConsoleCommand { text: rest.to_string(), pieces: vec![(0, i, column)], output: vec![] });
            open = true;
            continues = ends_with_continuation(rest);
            continue;
        }
        open = false;
        if let Some(cmd) = commands.last_mut() {
            cmd.output.push((i, line.to_string()));
        }
    }
    commands.retain(|c| !c.text.is_empty());
    for c in &mut commands {
        while c.output.last().is_some_and(|(_, l)| l.trim().is_empty()) {
            c.output.pop();
        }
    }
    commands
}

/// Is the text after a prompt a message printed there rather than a command typed
/// (`root@c1:/# bash: fork: retry: No child processes`, the shell writing over its
/// prompt)? Its first word ends with `:`, as `bash:` and `Error:` do, and no command's
/// name does.
fn reads_as_message(command: &str) -> bool {
    command.split_whitespace().next().is_some_and(|word| word.len() > 1 && word.ends_with(':'))
}

/// An odd number of trailing backslashes continues the line.
fn ends_with_continuation(line: &str) -> bool {
    line.bytes().rev().take_while(|&b| b == b'\\').count() % 2 == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A session's commands, with its prompts read as a `console` block's are.
    fn session(code: &str) -> Vec<ConsoleCommand> {
        parse_console(code, Prompts::session(code))
    }

    fn commands(code: &str) -> Vec<String> {
        session(code).into_iter().map(|c| c.text).collect()
    }

    #[test]
    fn commands_and_their_output() {
        let cmds =
            session("$ docker ps\nCONTAINER ID   IMAGE\nabc123         nginx\n\n$ docker images -q\n$ echo hi\nhi\n");
        assert_eq!(cmds.len(), 3);
        assert_eq!(cmds[0].text, "docker ps");
        assert_eq!(cmds[0].pieces, [(0, 0, 2)]);
        assert_eq!(cmds[0].output, [(1, "CONTAINER ID   IMAGE".to_string()), (2, "abc123         nginx".to_string())]);
        assert!(cmds[1].output.is_empty());
        assert_eq!((cmds[2].text.as_str(), cmds[2].output.as_slice()), ("echo hi", &[(6, "hi".to_string())][..]));
    }

    #[test]
    fn backslash_continuations() {
        let cmds = session("$ docker run \\\n    -d \\\n    nginx\nd1e2f3\n");
        assert_eq!(cmds.len(), 1);
        assert_eq!(cmds[0].text, "docker run \\\n    -d \\\n    nginx");
        assert_eq!(cmds[0].pieces, [(0, 0, 2), (13, 1, 0), (22, 2, 0)]);
        assert_eq!(cmds[0].output, [(3, "d1e2f3".to_string())]);
        // A `> ` prompt on a backslash-continued line is removed too.
        let cmds = session("$ echo a \\\n> b\n");
        assert_eq!(cmds[0].text, "echo a \\\nb");
        // An escaped backslash does not continue.
        let cmds = session("$ echo a\\\\\nout\n");
        assert_eq!(cmds[0].output, [(1, "out".to_string())]);
    }

    #[test]
    fn secondary_prompt_continuations() {
        let cmds = session("$ for i in 1 2; do\n>   echo $i\n> done\n1\n2\n");
        assert_eq!(cmds.len(), 1);
        assert_eq!(cmds[0].text, "for i in 1 2; do\n  echo $i\ndone");
        assert_eq!(cmds[0].pieces, [(0, 0, 2), (17, 1, 2), (27, 2, 2)]);
        assert_eq!(cmds[0].output.len(), 2);
        // After output has begun, `> ` is output, not a continuation.
        let cmds = session("$ cat notes\nfirst\n> quoted line\n");
        assert_eq!(cmds[0].output[1].1, "> quoted line");
    }

    #[test]
    fn empty_block_and_block_without_prompt() {
        assert!(session("").is_empty());
        assert!(session("\n\n").is_empty());
        assert!(session("Error: Invalid registry endpoint\nEOF\n").is_empty());
        // An empty prompt is not a command but ends the output before it.
        let cmds = session("$ ls\na\n$\nnot output\n");
        assert_eq!(cmds.len(), 1);
        assert_eq!(cmds[0].output, [(1, "a".to_string())]);
    }

    #[test]
    fn dollar_prompts_need_the_space() {
        let p = Prompts::SCRIPT;
        assert_eq!(p.prompt("$ ls -l"), Some(Prompt { width: 2, command: "ls -l" }));
        assert_eq!(p.prompt("$"), Some(Prompt { width: 1, command: "" }));
        // Indented prompts are prompts; the command starts after the space.
        assert_eq!(p.prompt("   $ notary init"), Some(Prompt { width: 5, command: "notary init" }));
        for not_prompt in ["$HOME/bin/tool", "$(docker ps -q)", "${X}", "$1 is the first", "echo $ x", "$\tls"] {
            assert_eq!(p.prompt(not_prompt), None, "{not_prompt}");
        }
        // A block whose lines start with variables is not a session.
        assert!(!p.starts_session("$labRoot='C:\\labs'\n$dockerId='me'\n"));
        assert!(session("$X=1\n$Y=2\n").is_empty());
    }

    #[test]
    fn user_at_host_prompts() {
        let p = Prompts::SCRIPT;
        let command = |line: &'static str| p.prompt(line).map(|p| p.command);
        assert_eq!(
            command("ubuntu@node:~$ sudo dockerd --userns-remap=default &"),
            Some("sudo dockerd --userns-remap=default &")
        );
        assert_eq!(command("me@box:~/src/app$ make"), Some("make"));
        assert_eq!(command("me@box$ uname -a"), Some("uname -a"));
        assert_eq!(command("[me@box app]$ ls"), Some("ls"));
        assert_eq!(command("[me@box ~]$"), Some(""));
        // With `#`, a root shell: unambiguous with the user and host before it.
        assert_eq!(command("root@846af8479944:/# apt-get update"), Some("apt-get update"));
        assert_eq!(command("[root@db1 /]# id"), Some("id"));
        assert_eq!(command("   root@c1:/# exit"), Some("exit"));
        for not_prompt in [
            "user@example.com: permission denied",
            "git@github.com:me/app.git",
            "me@box:~$ls",
            "[me box]$ ls",
            "[@box x]$ ls",
            "@box:~$ ls",
            "PS C:\\> docker ps",
            "C:\\> dir",
            "1node$ docker ps",
            "node1 $ docker ps",
            "node1$docker ps",
        ] {
            assert_eq!(p.prompt(not_prompt), None, "{not_prompt}");
        }
    }

    #[test]
    fn host_prompts() {
        let p = Prompts::SCRIPT;
        let command = |line: &'static str| p.prompt(line).map(|p| p.command);
        assert_eq!(command("node1$ docker swarm init"), Some("docker swarm init"));
        assert_eq!(command("  host$ brctl show"), Some("brctl show"));
        assert_eq!(command("c1# ip route"), Some("ip route"));
        assert_eq!(command("data#"), Some(""));
        // In a script, `#` after a blank is a comment and stays one; a word with `#` in
        // it is no prompt unless the `#` ends it before a space.
        for not_prompt in ["# ip route", "echo a # ip route", "a#b c", "issue#12 fixed", "x$y z"] {
            assert_eq!(command(not_prompt), None, "{not_prompt}");
        }
        let code = "#Start a container\nhost$ docker run -it --name c1 busybox sh\nc1 # ip address\n...\n";
        assert!(p.starts_session(code));
        let cmds = parse_console(code, p);
        assert_eq!(cmds.len(), 1);
        assert_eq!(cmds[0].output.len(), 2);
    }

    #[test]
    fn a_message_written_over_a_prompt_is_output() {
        let cmds = session("root@c1:/# sleep 1 &\n[1] 6\nroot@c1:/# bash: fork: retry: No child processes\nbash: x\n");
        assert_eq!(cmds.len(), 1);
        assert_eq!(cmds[0].output.len(), 3);
        assert_eq!(commands("$ docker: run\n$ :\n"), [":"]);
    }

    #[test]
    fn output_lines_follow_each_prompt() {
        let cmds = session("ubuntu@node:~$ id\n\nuid=1000(ubuntu) gid=1000(ubuntu)\nubuntu@node:~$ sudo id -u\n0\n");
        assert_eq!(cmds.len(), 2);
        assert_eq!((cmds[0].text.as_str(), cmds[0].pieces[0]), ("id", (0, 0, 15)));
        assert_eq!(cmds[0].output, [(1, String::new()), (2, "uid=1000(ubuntu) gid=1000(ubuntu)".to_string())]);
        assert_eq!((cmds[1].text.as_str(), cmds[1].output.as_slice()), ("sudo id -u", &[(4, "0".to_string())][..]));
        // Indented prompts keep their output, whatever its indentation.
        let cmds = session("   $ notary list\n\nNAME   SIZE\n2.6    1374\n");
        assert_eq!(cmds[0].pieces, [(0, 0, 5)]);
        assert_eq!(cmds[0].output.last(), Some(&(3, "2.6    1374".to_string())));
    }

    #[test]
    fn hash_is_a_root_prompt_only_in_a_plain_root_session() {
        // Commands whose output cannot be read as commands: a root session.
        let code = "# mkdir 1; mkdir 2; mount --bind 1 2\nmount: mount /1 on /2 failed: Permission denied\n";
        assert_eq!(Prompts::session(code).hash, HashLines::RootPrompts);
        assert_eq!(commands(code), ["mkdir 1; mkdir 2; mount --bind 1 2"]);
        let code = "  # apt-get update -q\n  # apt-get install -y nginx\n";
        assert_eq!(commands(code), ["apt-get update -q", "apt-get install -y nginx"]);
        assert_eq!(commands("# cat /etc/hostname\n"), ["cat /etc/hostname"]);
        // A script's comments are followed by its commands: comments, and no session.
        for script in [
            "# install docker\napt-get install -y docker.io\n# start it\nsystemctl start docker\n",
            "#!/bin/sh\n# clean up\nrm -rf /tmp/x\n",
            "# Create a network.\n# docker network create net\n",
            "# Kafka message broker\nzookeeper:\n  image: zookeeper\n",
            "#comment\n# ls\n",
            // Comments over a Dockerfile or YAML, whose lines read as no command.
            "# app image\nFROM alpine:3.5\nWORKDIR /app\n",
            "# kafka broker\nkafka:\n  image: kafka\n",
            // Prose-like: no option, path or operator says it is a command.
            "# apt-get update\n",
        ] {
            assert_eq!(Prompts::session(script).hash, HashLines::Comments, "{script}");
            assert!(!Prompts::session(script).starts_session(script), "{script}");
            assert!(session(script).is_empty(), "{script}");
        }
        // With `$` prompts in the block, `#` lines are notes, never commands.
        let code = "# list them\n$ docker ps\n# the ids only\n$ docker ps -q\n";
        assert_eq!(Prompts::session(code).hash, HashLines::Comments);
        assert!(Prompts::session(code).starts_session(code));
        assert_eq!(commands(code), ["docker ps", "docker ps -q"]);
        // In a script block, `#` always starts a comment.
        assert!(!Prompts::SCRIPT.starts_session("# apt-get update\n"));
    }

    #[test]
    fn a_session_starts_with_a_prompt_after_notes() {
        let p = Prompts::SCRIPT;
        assert!(p.starts_session("\n# Create image\n$ docker build -t app .\n"));
        assert!(p.starts_session("me@box:~$ ls\n"));
        assert!(!p.starts_session("docker ps\n$ docker images\n"));
        assert!(!p.starts_session("FROM alpine\nRUN apk add curl\n"));
        assert!(!p.starts_session(""));
    }
}
