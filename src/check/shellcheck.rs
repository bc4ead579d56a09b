//! shellcheck, when installed: every script of a run checked in one call
//! (`shellcheck -f json1 -s bash` on one temporary file per script), its findings
//! mapped back to each script's lines in its code block, with the codes that are noise
//! for snippets left out ([`NOISE`]), then the site's (`[tools.shellcheck] exclude`)
//! and each snippet's own exclusions.

use std::path::PathBuf;
use std::process::Command;

use serde::Deserialize;

use super::sandbox::find_on_path;
use super::{CheckKind, Finding, Outcome};
use crate::config::ToolConfig;
use crate::shell;

/// Codes that are noise in a blog snippet, never reported:
/// - SC2148: no shebang (a snippet is typed at a prompt; gen passes `-s bash`);
/// - SC2034: a variable assigned and not used (the reader uses it in a later snippet);
/// - SC2154: a variable used and not assigned (a parameter the reader supplies);
/// - SC2164: `cd` without `|| exit` (typed interactively, the reader sees it fail);
/// - SC1090, SC1091: a sourced file that shellcheck cannot follow (the reader's file).
pub const NOISE: [&str; 6] = ["SC2148", "SC2034", "SC2154", "SC2164", "SC1090", "SC1091"];

/// The line printed once when shellcheck is missing.
pub const ABSENT: &str = "shellcheck not installed: lint ran without it (install it with `apt-get install shellcheck`)";

/// One snippet's shell text for shellcheck.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Script {
    /// The commands, one script line per line (console prompts already removed).
    pub text: String,
    /// For each line of `text`, the 1-based line and column in the code block where it
    /// starts; empty means line N of the text is line N of the block, at column 1.
    pub positions: Vec<(usize, usize)>,
    /// Codes this snippet excludes (its `shellcheck="SC2086"` attribute): `SC2086` or `2086`.
    pub exclude: Vec<String>,
}

impl Script {
    pub fn new(text: impl Into<String>) -> Script {
        Script { text: text.into(), positions: Vec::new(), exclude: Vec::new() }
    }

    pub fn with_positions(mut self, positions: Vec<(usize, usize)>) -> Script {
        self.positions = positions;
        self
    }

    pub fn excluding(mut self, codes: &[impl AsRef<str>]) -> Script {
        self.exclude = codes.iter().map(|c| c.as_ref().to_string()).collect();
        self
    }

    fn block_position(&self, line: usize, column: usize) -> (usize, usize) {
        match self.positions.get(line.wrapping_sub(1)) {
            Some(&(block_line, block_column)) => (block_line, block_column + column.saturating_sub(1)),
            None => (line, column),
        }
    }
}

/// `SC2086` for "2086", "sc2086" or "SC2086".
pub fn normalize_code(code: &str) -> String {
    let digits = code.trim().trim_start_matches(['S', 's']).trim_start_matches(['C', 'c']);
    format!("SC{digits}")
}

/// shellcheck's severities, the strongest first.
pub const LEVELS: [&str; 4] = ["error", "warning", "info", "style"];

/// A site's shellcheck settings, from `[tools.shellcheck]`: the codes left out, the
/// severities that fail a snippet and those reported as warnings (the others are not
/// reported).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub exclude: Vec<String>,
    pub fail: Vec<String>,
    pub warn: Vec<String>,
}

impl Settings {
    /// Codes left out; errors and warnings fail, the rest is not reported.
    pub fn excluding(exclude: &[&str]) -> Settings {
        Settings {
            exclude: exclude.iter().map(|c| normalize_code(c)).collect(),
            fail: vec!["error".into(), "warning".into()],
            warn: Vec::new(),
        }
    }

    pub fn from_config(config: Option<&ToolConfig>) -> Settings {
        let least = config.and_then(|c| c.severity.as_deref()).unwrap_or("warning");
        let down_to = LEVELS.iter().position(|l| *l == least).unwrap_or(1);
        let fail = match config.and_then(|c| c.fail.clone()) {
            Some(fail) => fail,
            None => LEVELS[..=down_to].iter().map(|l| l.to_string()).collect(),
        };
        let warn = config.map(|c| c.warn.iter().filter(|w| !fail.contains(w)).cloned().collect()).unwrap_or_default();
        Settings {
            exclude: config.map(|c| c.exclude.iter().map(|code| normalize_code(code)).collect()).unwrap_or_default(),
            fail,
            warn,
        }
    }

    /// The least severity shellcheck is to report (`-S`): the weakest that fails or warns.
    fn least_reported(&self) -> &'static str {
        LEVELS.iter().rev().find(|l| self.fail.iter().chain(&self.warn).any(|s| s == *l)).copied().unwrap_or("error")
    }
}

/// Why shellcheck gave nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShellcheckError {
    #[error("{ABSENT}")]
    NotInstalled,
    #[error("shellcheck failed: {0}")]
    Failed(String),
}

#[derive(Deserialize)]
struct Report {
    comments: Vec<Comment>,
}

#[derive(Deserialize)]
struct Comment {
    file: String,
    line: usize,
    column: usize,
    level: String,
    code: u32,
    message: String,
}

/// Checks every script in one shellcheck call; one outcome per script, in order.
/// `<placeholders>` are masked first ([`mask_placeholders`]).
pub fn check_all(scripts: &[Script], settings: &Settings) -> Result<Vec<Outcome>, ShellcheckError> {
    let program = find_on_path("shellcheck").ok_or(ShellcheckError::NotInstalled)?;
    check_all_with(&program, scripts, settings)
}

/// [`check_all`] with a given shellcheck program.
pub fn check_all_with(
    program: &std::path::Path,
    scripts: &[Script],
    settings: &Settings,
) -> Result<Vec<Outcome>, ShellcheckError> {
    if scripts.is_empty() {
        return Ok(Vec::new());
    }
    let dir = tempfile::Builder::new()
        .prefix("gen-shellcheck-")
        .tempdir()
        .map_err(|e| ShellcheckError::Failed(e.to_string()))?;
    let files: Vec<PathBuf> = (0..scripts.len()).map(|i| dir.path().join(format!("snippet-{i:05}.sh"))).collect();
    for (script, file) in scripts.iter().zip(&files) {
        std::fs::write(file, format!("{}\n", mask_placeholders(&script.text)))
            .map_err(|e| ShellcheckError::Failed(e.to_string()))?;
    }
    let mut exclude: Vec<String> = NOISE.iter().map(|c| c.to_string()).collect();
    exclude.extend(settings.exclude.iter().cloned());
    let output = Command::new(program)
        .args(["-f", "json1", "-s", "bash", "-S", settings.least_reported()])
        .arg(format!("--exclude={}", exclude.join(",")))
        .args(&files)
        .current_dir(dir.path())
        .output()
        .map_err(|e| ShellcheckError::Failed(e.to_string()))?;
    // 0: nothing found, 1: findings; anything else is shellcheck's own failure.
    if !matches!(output.status.code(), Some(0 | 1)) {
        return Err(ShellcheckError::Failed(String::from_utf8_lossy(&output.stderr).trim().to_string()));
    }
    let report: Report = serde_json::from_slice(&output.stdout)
        .map_err(|e| ShellcheckError::Failed(format!("unreadable JSON output: {e}")))?;
    let mut findings: Vec<Vec<Finding>> = vec![Vec::new(); scripts.len()];
    for comment in report.comments {
        let Some(index) = files.iter().position(|f| {
            f.to_string_lossy() == comment.file || f.file_name().is_some_and(|n| n.to_string_lossy() == comment.file)
        }) else {
            continue;
        };
        let code = format!("SC{}", comment.code);
        let script = &scripts[index];
        if script.exclude.iter().any(|c| normalize_code(c) == code) {
            continue;
        }
        let (line, column) = script.block_position(comment.line, comment.column);
        let finding = Finding::new(CheckKind::Shellcheck, &code, format!("{} ({})", comment.message, comment.level))
            .at(line, column)
            .with_help(format!(
                "see https://www.shellcheck.net/wiki/{code}; to accept it, add shellcheck=\"{code}\" to the block"
            ));
        let finding = if settings.fail.contains(&comment.level) {
            finding
        } else if settings.warn.contains(&comment.level) {
            finding.as_warning()
        } else {
            continue;
        };
        let finding = match code.as_str() {
            "SC2024" if redirects_to_a_user_file(&script.text, comment.line, comment.column) => {
                finding.as_warning_because("the redirection writes a file of the user's own, sudo is not needed for it")
            }
            _ => finding,
        };
        findings[index].push(finding);
    }
    Ok(findings.into_iter().map(Outcome::from_findings).collect())
}

/// SC2024 ("sudo doesn't affect redirects") matters where the file needs root: is the
/// redirection at `line`:`column` of `text` (shellcheck's 1-based position, at or before
/// the `>`) to a relative path, or one under `~`, `$HOME` or `/tmp`? Then running it
/// without sudo is what the author meant (`sudo docker run … > out.txt`).
fn redirects_to_a_user_file(text: &str, line: usize, column: usize) -> bool {
    let Some(line) = text.lines().nth(line.wrapping_sub(1)) else { return false };
    let from: usize = line.char_indices().nth(column.saturating_sub(1)).map_or(line.len(), |(i, _)| i);
    let Some(arrow) = line[from..].find('>') else { return false };
    let target = line[from + arrow..].trim_start_matches(['>', '|']).trim_start();
    let target = target.trim_start_matches(['"', '\'']);
    if target.is_empty() || target.starts_with('&') {
        return false;
    }
    !target.starts_with('/') || ["~", "$HOME", "${HOME}", "/tmp/"].iter().any(|p| target.starts_with(p))
}

/// `text` with each `<placeholder>` ([`shell::placeholders`], as in `<path to log file>`)
/// and each synopsis marker ([`shell::synopsis_words`], as in `[OPTIONS]`) replaced by
/// as many `x`s as it has characters, so that shellcheck sees a word, not a redirection
/// or a pipe, and the columns stay the same. Heredocs (`<<EOF`) and redirections
/// (`< file`, `sort <in >out`) are left alone.
pub fn mask_placeholders(text: &str) -> String {
    let mut spans = shell::placeholders(text);
    spans.extend(shell::synopsis_words(text));
    spans.sort_by_key(|s| s.start);
    shell::masked(text, &spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_placeholders() {
        assert_eq!(normalize_code("2086"), "SC2086");
        assert_eq!(normalize_code("sc2086"), "SC2086");
        assert_eq!(
            mask_placeholders("docker exec $C tail -f <path to log file>"),
            "docker exec $C tail -f xxxxxxxxxxxxxxxxxx"
        );
        assert_eq!(mask_placeholders("cat <<EOF\nsort < file"), "cat <<EOF\nsort < file");
        let settings = Settings::from_config(Some(&ToolConfig { exclude: vec!["2046".into()], ..Default::default() }));
        assert_eq!(settings, Settings::excluding(&["SC2046"]));
        assert_eq!(settings.least_reported(), "warning");
    }

    #[test]
    fn severities_fail_or_warn_as_the_site_says() {
        let config = ToolConfig {
            fail: Some(vec!["error".into()]),
            warn: vec!["warning".into(), "info".into()],
            ..Default::default()
        };
        let settings = Settings::from_config(Some(&config));
        assert_eq!(
            (settings.fail.clone(), settings.warn.clone()),
            (vec!["error".into()], vec!["warning".into(), "info".into()])
        );
        assert_eq!(settings.least_reported(), "info");
        // `severity` alone: that level and the stronger ones fail.
        let info = Settings::from_config(Some(&ToolConfig { severity: Some("info".into()), ..Default::default() }));
        assert_eq!(info.fail, ["error", "warning", "info"]);
        assert!(info.warn.is_empty());
    }

    #[test]
    fn sudo_redirects_matter_only_for_files_that_need_root() {
        let text = "sudo docker run img > out.txt\nsudo echo x > /etc/hosts\nsudo cat a >> ~/b\nsudo ls >/tmp/x";
        assert!(redirects_to_a_user_file(text, 1, 1));
        assert!(!redirects_to_a_user_file(text, 2, 1));
        assert!(redirects_to_a_user_file(text, 3, 12));
        assert!(redirects_to_a_user_file(text, 4, 9));
    }

    /// `src` with what the parser reads as placeholders replaced by `x`s.
    fn masked_by_the_parser(src: &str) -> String {
        let script = shell::parse(src);
        assert!(script.is_valid(), "{src}: {:?}", script.errors);
        let mut out: Vec<char> = Vec::new();
        let mut last = 0;
        let mut spans: Vec<shell::Span> = Vec::new();
        for c in &script.commands {
            let words = c.words.iter().chain(c.redirections.iter().map(|r| &r.target));
            for part in words.chain(c.assignments.iter().map(|a| &a.value)).flat_map(|w| &w.parts) {
                if let shell::WordPart::Placeholder { span, .. } = part {
                    spans.push(*span);
                }
            }
        }
        spans.sort_by_key(|s| s.start);
        for span in spans {
            out.extend(src[last..span.start].chars());
            out.extend(span.text(src).chars().map(|_| 'x'));
            last = span.end;
        }
        out.extend(src[last..].chars());
        out.into_iter().collect()
    }

    #[test]
    fn masking_hides_what_the_parser_reads_as_placeholders() {
        let cases = [
            // Ordinary placeholders.
            ("docker exec <container-id> ls", "docker exec xxxxxxxxxxxxxx ls"),
            ("echo <your name> >> <file>", "echo xxxxxxxxxxx >> xxxxxx"),
            ("x=<value> cmd --opt=<o> 2<name>", "x=xxxxxxx cmd --opt=xxx 2xxxxxx"),
            // Where they used to disagree: a space before the `>`, non-ASCII names.
            ("cat <path >out", "cat <path >out"),
            ("echo <café> <имя>", "echo xxxxxx xxxxx"),
            // Shell, not placeholders.
            ("cmd <file >out; a<b", "cmd <file >out; a<b"),
            ("cat <<EOF>out\nline\nEOF\ncat <<<word", "cat <<EOF>out\nline\nEOF\ncat <<<word"),
        ];
        for (src, masked) in cases {
            assert_eq!(mask_placeholders(src), masked, "{src}");
            assert_eq!(masked_by_the_parser(src), masked, "{src}");
        }
    }

    #[test]
    fn positions_map_script_lines_into_the_block() {
        let script = Script::new("a\nb").with_positions(vec![(2, 3), (5, 3)]);
        assert_eq!(script.block_position(2, 4), (5, 6));
        assert_eq!(Script::new("a").block_position(1, 4), (1, 4));
    }

    #[test]
    fn absent_shellcheck_is_one_clear_error() {
        let err = check_all_with(
            std::path::Path::new("/nonexistent/shellcheck"),
            &[Script::new("ls")],
            &Settings::from_config(None),
        )
        .unwrap_err();
        assert!(matches!(err, ShellcheckError::Failed(_)));
        assert_eq!(ShellcheckError::NotInstalled.to_string(), ABSENT);
    }
}
