//! Test scaffolding for the check modules until the snippet index is wired in: the
//! fenced code blocks of a fixture post, with their position in the file, and a console
//! block's commands as a script. Deliberately minimal (no nested fences, no tildes).

#![allow(dead_code)]

use std::path::Path;

use gen::check::shellcheck::Script;
use gen::check::Origin;

pub struct Block {
    pub language: String,
    /// Where the block's first content line starts (after the fence's indentation).
    pub origin: Origin,
    /// The content, indentation removed.
    pub text: String,
}

/// The fenced blocks of `rel` under `root`.
pub fn blocks(root: &Path, rel: &str) -> Vec<Block> {
    let text = std::fs::read_to_string(root.join(rel)).unwrap();
    let mut blocks = Vec::new();
    let mut open: Option<(String, usize, usize, Vec<String>)> = None;
    for (index, line) in text.lines().enumerate() {
        let indent = line.len() - line.trim_start().len();
        let trimmed = line.trim_start();
        match &mut open {
            None if trimmed.starts_with("```") => {
                let language =
                    trimmed[3..].split(|c: char| c == '{' || c.is_whitespace()).next().unwrap_or("").to_string();
                open = Some((language, index + 2, indent, Vec::new()));
            }
            Some(_) if trimmed == "```" => {
                let (language, line, indent, lines) = open.take().unwrap();
                blocks.push(Block { language, origin: Origin::new(rel, line, indent + 1), text: lines.join("\n") });
            }
            Some((_, _, indent, lines)) => lines.push(line.chars().skip(*indent).collect()),
            None => {}
        }
    }
    blocks
}

/// A console block's commands (after `$ `) as a script, each line positioned in the block.
pub fn console_script(block: &Block) -> Script {
    let mut lines = Vec::new();
    let mut positions = Vec::new();
    for (index, line) in block.text.lines().enumerate() {
        if let Some(command) = line.strip_prefix("$ ") {
            lines.push(command.to_string());
            positions.push((index + 1, 3));
        }
    }
    Script::new(lines.join("\n")).with_positions(positions)
}
