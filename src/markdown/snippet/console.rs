//! Console sessions: splitting a `console` block into its commands (after `$ `, continued
//! by a trailing `\` or by `> ` lines) and the expected output lines after each.

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

/// Splits a console block into commands. Lines before the first prompt (a block with
/// no prompt at all, e.g. output only) belong to no command and are dropped.
pub fn parse_console(code: &str) -> Vec<ConsoleCommand> {
    let mut commands: Vec<ConsoleCommand> = Vec::new();
    // Whether the last command still takes continuation lines (and whether it must).
    let mut open = false;
    let mut continues = false;
    for (i, line) in code.lines().enumerate() {
        let prompt = line.strip_prefix("$ ").or_else(|| (line == "$").then_some(""));
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
        if let Some(rest) = prompt {
            let column = line.len() - rest.len();
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

/// An odd number of trailing backslashes continues the line.
fn ends_with_continuation(line: &str) -> bool {
    line.bytes().rev().take_while(|&b| b == b'\\').count() % 2 == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_and_their_output() {
        let cmds = parse_console(
            "$ docker ps\nCONTAINER ID   IMAGE\nabc123         nginx\n\n$ docker images -q\n$ echo hi\nhi\n",
        );
        assert_eq!(cmds.len(), 3);
        assert_eq!(cmds[0].text, "docker ps");
        assert_eq!(cmds[0].pieces, [(0, 0, 2)]);
        assert_eq!(cmds[0].output, [(1, "CONTAINER ID   IMAGE".to_string()), (2, "abc123         nginx".to_string())]);
        assert!(cmds[1].output.is_empty());
        assert_eq!((cmds[2].text.as_str(), cmds[2].output.as_slice()), ("echo hi", &[(6, "hi".to_string())][..]));
    }

    #[test]
    fn backslash_continuations() {
        let cmds = parse_console("$ docker run \\\n    -d \\\n    nginx\nd1e2f3\n");
        assert_eq!(cmds.len(), 1);
        assert_eq!(cmds[0].text, "docker run \\\n    -d \\\n    nginx");
        assert_eq!(cmds[0].pieces, [(0, 0, 2), (13, 1, 0), (22, 2, 0)]);
        assert_eq!(cmds[0].output, [(3, "d1e2f3".to_string())]);
        // A `> ` prompt on a backslash-continued line is removed too.
        let cmds = parse_console("$ echo a \\\n> b\n");
        assert_eq!(cmds[0].text, "echo a \\\nb");
        // An escaped backslash does not continue.
        let cmds = parse_console("$ echo a\\\\\nout\n");
        assert_eq!(cmds[0].output, [(1, "out".to_string())]);
    }

    #[test]
    fn secondary_prompt_continuations() {
        let cmds = parse_console("$ for i in 1 2; do\n>   echo $i\n> done\n1\n2\n");
        assert_eq!(cmds.len(), 1);
        assert_eq!(cmds[0].text, "for i in 1 2; do\n  echo $i\ndone");
        assert_eq!(cmds[0].pieces, [(0, 0, 2), (17, 1, 2), (27, 2, 2)]);
        assert_eq!(cmds[0].output.len(), 2);
        // After output has begun, `> ` is output, not a continuation.
        let cmds = parse_console("$ cat notes\nfirst\n> quoted line\n");
        assert_eq!(cmds[0].output[1].1, "> quoted line");
    }

    #[test]
    fn empty_block_and_block_without_prompt() {
        assert!(parse_console("").is_empty());
        assert!(parse_console("\n\n").is_empty());
        assert!(parse_console("Error: Invalid registry endpoint\nEOF\n").is_empty());
        // An empty prompt is not a command but ends the output before it.
        let cmds = parse_console("$ ls\na\n$\nnot output\n");
        assert_eq!(cmds.len(), 1);
        assert_eq!(cmds[0].output, [(1, "a".to_string())]);
    }
}
