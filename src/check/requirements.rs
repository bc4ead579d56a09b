//! Requirements: is each tool a snippet needs installed, in a version its constraint
//! accepts, and is this the platform it needs? Each tool is probed once per run
//! ([`ToolVersions::probe`]: presence on PATH, then `TOOL --version` or the command
//! `[tools.NAME] version` gives); checking a snippet's requirements against the probes
//! is then pure. An unmet requirement skips the snippet, with the reason.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use rayon::prelude::*;
use semver::{Version, VersionReq};
use serde::{Deserialize, Serialize};

use super::sandbox::{self, find_on_path, Exit, Isolation, Limits};
use super::Outcome;
use crate::config::ToolConfig;

/// What a snippet needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requirement {
    /// A tool, optionally in some versions. `label` is how the author wrote it
    /// ("docker 1.3+"), used in reasons.
    Tool { tool: String, version: Option<VersionReq>, label: String },
    /// A platform: `macos`, `linux`, … (as in `os macos`).
    Os(String),
}

impl Requirement {
    pub fn tool(tool: &str) -> Requirement {
        Requirement::Tool { tool: tool.into(), version: None, label: tool.into() }
    }

    /// `tool` with a constraint in semver syntax (`>=1.3`), labelled `label`.
    pub fn tool_version(tool: &str, req: &str, label: &str) -> Result<Requirement, semver::Error> {
        Ok(Requirement::Tool { tool: tool.into(), version: Some(VersionReq::parse(req)?), label: label.into() })
    }
}

/// What probing one tool found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Probe {
    /// Not on PATH.
    Missing,
    /// Installed; `version` is None when its version command printed none.
    Found { version: Option<Version>, output: String },
}

/// The probes of a run: one per tool, and the clients of each tool that checks
/// arguments.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ToolVersions {
    probes: BTreeMap<String, Probe>,
    clients: BTreeMap<String, Vec<Client>>,
}

/// A client that checks a tool's arguments (`/usr/bin/docker`), with its version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    pub path: PathBuf,
    /// None when its version command printed none.
    pub version: Option<Version>,
}

impl Client {
    /// How results name it: its version ("28.2.2"), else its path.
    pub fn label(&self) -> String {
        self.version.as_ref().map_or_else(|| self.path.display().to_string(), Version::to_string)
    }
}

impl ToolVersions {
    /// Probes each of `tools` once: looks it up on PATH, then runs its version command
    /// (in a scratch folder, clean environment, 5 seconds or `[tools.NAME] timeout`).
    /// The probes run in parallel.
    pub fn probe<'a>(tools: impl IntoIterator<Item = &'a str>, config: &BTreeMap<String, ToolConfig>) -> ToolVersions {
        let names: Vec<&str> = tools.into_iter().collect::<BTreeSet<_>>().into_iter().collect();
        let probes = names.into_par_iter().map(|tool| (tool.to_string(), probe_tool(tool, config.get(tool)))).collect();
        let mut versions = ToolVersions { probes, clients: BTreeMap::new() };
        versions.probe_clients(config, &mut BTreeMap::new());
        versions
    }

    /// [`Self::probe`], remembering each version command's output in `memo_file` (JSON):
    /// a program whose path, size and modification time are those of the remembered
    /// output is not run again. A memo that cannot be read or written is ignored.
    pub fn probe_remembered<'a>(
        tools: impl IntoIterator<Item = &'a str>,
        config: &BTreeMap<String, ToolConfig>,
        memo_file: &Path,
    ) -> ToolVersions {
        let mut memo: BTreeMap<String, Remembered> =
            std::fs::read(memo_file).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default();
        let names: Vec<&str> = tools.into_iter().collect::<BTreeSet<_>>().into_iter().collect();
        let probed: Vec<(String, Probed)> = names
            .into_par_iter()
            .map(|tool| match find_on_path(tool) {
                None => (tool.to_string(), Probed { probe: Probe::Missing, learned: None }),
                Some(path) => (tool.to_string(), probe_program(tool, &path, config.get(tool), &memo)),
            })
            .collect();
        let mut learned = false;
        let mut probes = BTreeMap::new();
        for (tool, probed) in probed {
            if let Some((command, remembered)) = probed.learned {
                memo.insert(command, remembered);
                learned = true;
            }
            probes.insert(tool, probed.probe);
        }
        let mut versions = ToolVersions { probes, clients: BTreeMap::new() };
        learned |= versions.probe_clients(config, &mut memo);
        if learned {
            let _ = write_memo(memo_file, &memo);
        }
        versions
    }

    /// Probes the clients of each tool that checks arguments: `[tools.NAME] clients`, or
    /// the tool on PATH. A configured client that does not exist is left out. True when
    /// `memo` learned a version command's output.
    fn probe_clients(
        &mut self,
        config: &BTreeMap<String, ToolConfig>,
        memo: &mut BTreeMap<String, Remembered>,
    ) -> bool {
        let mut learned = false;
        for (tool, tool_config) in config.iter().filter(|(_, c)| c.check_args) {
            let paths: Vec<PathBuf> = if tool_config.clients.is_empty() {
                find_on_path(tool).into_iter().collect()
            } else {
                tool_config
                    .clients
                    .iter()
                    .filter_map(|c| if c.contains('/') { Some(PathBuf::from(c)) } else { find_on_path(c) })
                    .filter(|p| p.is_file())
                    .collect()
            };
            let mut clients = Vec::new();
            for path in paths {
                let Probed { probe, learned: new } = probe_program(tool, &path, Some(tool_config), memo);
                if let Some((command, remembered)) = new {
                    memo.insert(command, remembered);
                    learned = true;
                }
                let version = match probe {
                    Probe::Found { version, .. } => version,
                    Probe::Missing => None,
                };
                clients.push(Client { path, version });
            }
            clients.sort_by(|a, b| a.version.cmp(&b.version));
            self.clients.insert(tool.clone(), clients);
        }
        learned
    }

    /// The clients that check `tool`'s arguments, lowest version first.
    pub fn clients(&self, tool: &str) -> &[Client] {
        self.clients.get(tool).map_or(&[], Vec::as_slice)
    }

    /// Every tool's clients.
    pub fn all_clients(&self) -> &BTreeMap<String, Vec<Client>> {
        &self.clients
    }

    /// Probes given directly (tests, or results known from elsewhere).
    pub fn from_probes(probes: impl IntoIterator<Item = (String, Probe)>) -> ToolVersions {
        ToolVersions { probes: probes.into_iter().collect(), clients: BTreeMap::new() }
    }

    pub fn get(&self, tool: &str) -> Option<&Probe> {
        self.probes.get(tool)
    }

    /// The version found for `tool`, as text ("28.2.2"), for result keys and the site.
    pub fn version_of(&self, tool: &str) -> Option<String> {
        match self.probes.get(tool)? {
            Probe::Found { version: Some(v), .. } => Some(v.to_string()),
            _ => None,
        }
    }

    /// Passed when every requirement is met ("docker 28.2.2"), else skipped with the
    /// first unmet one's reason. A tool nobody probed counts as missing.
    pub fn check(&self, requirements: &[Requirement]) -> Outcome {
        let mut found = Vec::new();
        for requirement in requirements {
            match requirement {
                Requirement::Os(os) => {
                    let wanted = normalize_os(os);
                    if wanted != std::env::consts::OS {
                        return Outcome::skipped(format!(
                            "requires {}, this is {}",
                            os_name(&wanted),
                            os_name(std::env::consts::OS)
                        ));
                    }
                }
                Requirement::Tool { tool, version, label } => match (self.probes.get(tool), version) {
                    (None | Some(Probe::Missing), _) => return Outcome::skipped(format!("{tool} not installed")),
                    (Some(Probe::Found { version: found_version, .. }), Some(req)) => match found_version {
                        Some(v) if req.matches(v) => found.push(format!("{tool} {v}")),
                        Some(v) => return Outcome::skipped(format!("requires {label}, found {v}")),
                        None => {
                            return Outcome::skipped(format!(
                                "requires {label}, but its version command printed no version"
                            ))
                        }
                    },
                    (Some(Probe::Found { version: found_version, .. }), None) => {
                        found.push(found_version.as_ref().map_or(tool.clone(), |v| format!("{tool} {v}")));
                    }
                },
            }
        }
        found.dedup();
        Outcome::passed_with(found.join(", "))
    }
}

/// A remembered version command's output, with the stamp of the program it ran.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Remembered {
    /// The program's path, size and modification time (nanoseconds).
    stamp: String,
    output: String,
}

fn program_stamp(path: &Path) -> Option<String> {
    let real = path.canonicalize().ok()?;
    let meta = real.metadata().ok()?;
    let modified = meta.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok()?.as_nanos();
    Some(format!("{}|{}|{modified}", real.display(), meta.len()))
}

fn write_memo(file: &Path, memo: &BTreeMap<String, Remembered>) -> std::io::Result<()> {
    crate::results::write_atomically(file, &serde_json::to_vec(memo).map_err(std::io::Error::other)?)
}

/// The version command of `tool` found at `path`: `[tools.NAME] version`, else
/// `TOOL --version`, the tool itself named by its path.
fn version_argv(tool: &str, path: &Path, config: Option<&ToolConfig>) -> Vec<String> {
    let mut argv = config.and_then(|c| c.version.clone()).unwrap_or_else(|| vec![tool.to_string(), "--version".into()]);
    if argv[0] == tool {
        argv[0] = path.to_string_lossy().into_owned();
    }
    argv
}

/// A probe, and the version command's output to remember (by the command), if new.
struct Probed {
    probe: Probe,
    learned: Option<(String, Remembered)>,
}

/// Probes the program at `path` (found for `tool`): its remembered version command
/// output when `memo` has it for this very program, else by running the command (then
/// with what to remember).
fn probe_program(tool: &str, path: &Path, config: Option<&ToolConfig>, memo: &BTreeMap<String, Remembered>) -> Probed {
    let argv = version_argv(tool, path, config);
    let command = argv.join("\u{1f}");
    let stamp = program_stamp(path);
    if let Some(known) = memo.get(&command).filter(|r| Some(&r.stamp) == stamp.as_ref()) {
        let probe = Probe::Found { version: extract_version(&known.output), output: known.output.clone() };
        return Probed { probe, learned: None };
    }
    let (probe, output) = run_version_command(&argv, config);
    Probed { probe, learned: stamp.zip(output).map(|(stamp, output)| (command, Remembered { stamp, output })) }
}

/// Probes `tool`: looks it up on PATH and runs its version command.
fn probe_tool(tool: &str, config: Option<&ToolConfig>) -> Probe {
    let Some(path) = find_on_path(tool) else { return Probe::Missing };
    run_version_command(&version_argv(tool, &path, config), config).0
}

/// Runs a found tool's version command `argv`; with its output when it ran to its end.
fn run_version_command(argv: &[String], config: Option<&ToolConfig>) -> (Probe, Option<String>) {
    let timeout = Duration::from_secs(config.and_then(|c| c.timeout).unwrap_or(5));
    let output = tempfile::tempdir().ok().and_then(|dir| {
        sandbox::run(&Isolation::Unsandboxed, dir.path(), argv, &[], &Limits::with_timeout(timeout)).ok()
    });
    match output {
        Some(run) if run.exit != Exit::TimedOut => {
            (Probe::Found { version: extract_version(&run.output), output: run.output.clone() }, Some(run.output))
        }
        _ => (Probe::Found { version: None, output: String::new() }, None),
    }
}

/// The first version number in a tool's `--version` output: "Docker version 28.2.2,
/// build e6534b4" → 28.2.2; "v1.8" → 1.8.0; a fourth part is dropped.
pub fn extract_version(text: &str) -> Option<Version> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let starts_number =
            bytes[i].is_ascii_digit() && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'v');
        if starts_number {
            let end = i + text[i..].find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(text.len() - i);
            let parts: Vec<&str> = text[i..end].trim_end_matches('.').split('.').collect();
            if parts.len() >= 2 && parts.iter().all(|p| !p.is_empty()) {
                let number = |k: usize| parts.get(k).map_or(Some(0), |p| p.parse::<u64>().ok());
                return Some(Version::new(number(0)?, number(1)?, number(2)?));
            }
            i = end.max(i + 1);
        } else {
            i += 1;
        }
    }
    None
}

fn normalize_os(os: &str) -> String {
    match os.trim().to_ascii_lowercase().as_str() {
        "mac" | "macos" | "osx" | "os x" | "darwin" => "macos".into(),
        other => other.into(),
    }
}

fn os_name(os: &str) -> String {
    match os {
        "macos" => "macOS".into(),
        "linux" => "Linux".into(),
        "windows" => "Windows".into(),
        other => other.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_from_real_outputs() {
        assert_eq!(extract_version("Docker version 28.2.2, build e6534b4"), Some(Version::new(28, 2, 2)));
        assert_eq!(extract_version("boot2docker v1.8.0\nGit commit: 9a26066"), Some(Version::new(1, 8, 0)));
        assert_eq!(
            extract_version("ShellCheck - shell script analysis tool\nversion: 0.9.0\n"),
            Some(Version::new(0, 9, 0))
        );
        assert_eq!(extract_version("openjdk version \"1.8.0_292\""), Some(Version::new(1, 8, 0)));
        assert_eq!(extract_version("tool 2.1"), Some(Version::new(2, 1, 0)));
        assert_eq!(extract_version("x86_64 build 5 of 1.2.3.4"), Some(Version::new(1, 2, 3)));
        assert_eq!(extract_version("no version here, build 42"), None);
    }

    fn found(version: &str) -> Probe {
        Probe::Found { version: Some(Version::parse(version).unwrap()), output: String::new() }
    }

    #[test]
    fn unmet_or_missing_requirements_skip_with_the_reason() {
        let versions =
            ToolVersions::from_probes([("docker".into(), found("1.2.0")), ("boot2docker".into(), Probe::Missing)]);
        let docker13 = Requirement::tool_version("docker", ">=1.3", "docker 1.3+").unwrap();
        assert_eq!(
            versions.check(std::slice::from_ref(&docker13)),
            Outcome::skipped("requires docker 1.3+, found 1.2.0")
        );
        assert_eq!(versions.check(&[Requirement::tool("boot2docker")]), Outcome::skipped("boot2docker not installed"));
        assert_eq!(versions.check(&[Requirement::tool("brew")]), Outcome::skipped("brew not installed"));
        let newer = ToolVersions::from_probes([("docker".into(), found("28.2.2"))]);
        assert_eq!(newer.check(&[docker13]), Outcome::passed_with("docker 28.2.2"));
        let old_only = Requirement::tool_version("docker", ">=1.3, <1.12", "docker >=1.3 <1.12").unwrap();
        assert_eq!(newer.check(&[old_only]), Outcome::skipped("requires docker >=1.3 <1.12, found 28.2.2"));
        assert_eq!(newer.version_of("docker").as_deref(), Some("28.2.2"));
    }

    #[test]
    fn platform_requirements() {
        let none = ToolVersions::default();
        let here = std::env::consts::OS;
        assert_eq!(none.check(&[Requirement::Os(here.into())]), Outcome::passed());
        if here != "macos" {
            assert_eq!(
                none.check(&[Requirement::Os("macos".into())]),
                Outcome::skipped(format!("requires macOS, this is {}", os_name(here)))
            );
        }
    }

    #[test]
    fn probing_finds_a_real_tool_once_and_misses_an_absent_one() {
        let versions = ToolVersions::probe(["sh", "gen-no-such-tool", "sh"], &BTreeMap::new());
        assert_eq!(versions.get("gen-no-such-tool"), Some(&Probe::Missing));
        assert!(matches!(versions.get("sh"), Some(Probe::Found { .. })));
        // A configured version command is used instead of `TOOL --version`.
        let config = BTreeMap::from([(
            "sh".to_string(),
            ToolConfig { version: Some(vec!["echo".into(), "sh 5.1.16".into()]), ..Default::default() },
        )]);
        assert_eq!(ToolVersions::probe(["sh"], &config).version_of("sh").as_deref(), Some("5.1.16"));
    }
}
