//! What a snippet's test actually checked: the evidence behind a result, recorded with
//! it in the results file. Syntax and lint run everywhere; shellcheck, argument checks
//! and runs only where their program is installed. A result says which of them ran,
//! with the versions of the programs, which tools the snippet uses that the test
//! machine does not have, and the strongest [`Level`] reached, in plain words
//! ([`Evidence::summary`]): "arguments accepted by docker 20.10.24 and 28.2.2", "syntax
//! and lint only: boot2docker is not installed on the test machine".
//!
//! A leaf: `gen test` fills it in (`check`), the results file stores it (`results`),
//! and the site shows it (`markdown::snippet`, `snippets`).

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// The strongest kind of check that passed, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// The text parses as shell and passed gen's lint.
    SyntaxLint,
    /// shellcheck read it too.
    Shellcheck,
    /// A tool's own client accepted its arguments.
    Arguments,
    /// It ran, and its exit status (and output, where the block shows some) matched.
    Ran,
    /// It ran against a real (private) docker engine, and matched.
    Engine,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::SyntaxLint => "syntax_lint",
            Level::Shellcheck => "shellcheck",
            Level::Arguments => "arguments",
            Level::Ran => "ran",
            Level::Engine => "engine",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which checks ran on a snippet, and with what.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    /// Its commands were parsed as shell (every snippet; not a plain code block).
    #[serde(default)]
    pub syntax: bool,
    /// gen's lint read its text.
    #[serde(default)]
    pub lint: bool,
    /// The version of shellcheck that checked it, when one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shellcheck: Option<String>,
    /// Argument checks, by tool.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub args: BTreeMap<String, ArgsEvidence>,
    /// The requirements that were met, as "docker 1.3+ (found 28.2.2)".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requirements: Vec<String>,
    /// How it ran, when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run: Option<RunEvidence>,
    /// Tools it uses that are not installed on the test machine: their commands were not
    /// checked at all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
}

/// The argument checks of one tool's commands.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArgsEvidence {
    /// The versions of the clients that accepted every command they could judge,
    /// lowest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accepted_by: Vec<String>,
    /// The commands checked, as the client was run (`docker ps -a`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub commands: Vec<String>,
    /// Commands no client could judge (a daemon was needed, a timeout), with why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inconclusive: Vec<String>,
    /// Commands some clients accepted and others rejected.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub drift: Vec<Drift>,
}

/// Version drift: one command, accepted by some clients of its tool and rejected by others.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Drift {
    /// The command as the clients were run.
    pub command: String,
    /// The versions that accepted it.
    pub accepted_by: Vec<String>,
    /// The versions that rejected it, each with its message.
    pub rejected_by: Vec<Rejection>,
    /// The snippet's own requirement that a rejecting version meets ("docker 1.3+"):
    /// the evidence contradicts the tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contradicts: Option<String>,
}

/// A client version's refusal of a command.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rejection {
    pub version: String,
    pub message: String,
}

/// How a snippet ran.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunEvidence {
    pub isolation: RunIsolation,
    /// What was compared with the block.
    pub compared: Compared,
    /// The private engine its docker commands ran against (`--engine docker`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine: Option<EngineEvidence>,
}

/// The docker engine a snippet ran against, and the client that talked to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EngineEvidence {
    pub server: String,
    pub client: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunIsolation {
    /// Under bubblewrap.
    Sandbox,
    /// `--no-sandbox`.
    Unsandboxed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Compared {
    /// The output the block shows, and the exit status.
    Output,
    /// The exit status only (the block shows no output).
    ExitStatus,
}

impl Evidence {
    /// The strongest level reached.
    pub fn level(&self) -> Level {
        if self.run.as_ref().is_some_and(|r| r.engine.is_some()) {
            Level::Engine
        } else if self.run.is_some() {
            Level::Ran
        } else if self.args.values().any(|a| !a.accepted_by.is_empty()) {
            Level::Arguments
        } else if self.shellcheck.is_some() {
            Level::Shellcheck
        } else {
            Level::SyntaxLint
        }
    }

    /// Some tool of the snippet could not be checked at all (not installed).
    pub fn is_partial(&self) -> bool {
        !self.missing.is_empty()
    }

    /// The strongest level in plain words, then what was not checked and any version
    /// drift: "ran in a sandbox, output matched", "arguments accepted by docker 20.10.24
    /// and 28.2.2", "syntax and lint only: boot2docker is not installed on the test
    /// machine".
    pub fn summary(&self) -> String {
        let level = self.level();
        let mut text = match level {
            Level::Ran => {
                let run = self.run.as_ref().expect("a run");
                let place = match run.isolation {
                    RunIsolation::Sandbox => "ran in a sandbox",
                    RunIsolation::Unsandboxed => "ran without a sandbox",
                };
                let what = match run.compared {
                    Compared::Output => "output matched",
                    Compared::ExitStatus => "exit status matched",
                };
                format!("{place}, {what}")
            }
            Level::Engine => {
                let run = self.run.as_ref().expect("a run");
                let engine = run.engine.as_ref().expect("an engine");
                let what = match run.compared {
                    Compared::Output => "output matched",
                    Compared::ExitStatus => "exit status matched",
                };
                format!("ran against docker engine {} (client {}), {what}", engine.server, engine.client)
            }
            Level::Arguments => {
                let tools: Vec<String> = self
                    .args
                    .iter()
                    .filter(|(_, a)| !a.accepted_by.is_empty())
                    .map(|(tool, a)| format!("{tool} {}", and_list(&a.accepted_by)))
                    .collect();
                format!("arguments accepted by {}", tools.join(", "))
            }
            Level::Shellcheck => match (self.syntax, &self.shellcheck) {
                (true, Some(v)) => format!("syntax, lint and shellcheck {v}"),
                (_, Some(v)) => format!("lint and shellcheck {v}"),
                (_, None) => unreachable!("the shellcheck level has a version"),
            },
            Level::SyntaxLint if self.syntax => "syntax and lint".to_string(),
            Level::SyntaxLint => "lint".to_string(),
        };
        if !self.missing.is_empty() {
            let verb = if self.missing.len() == 1 { "is" } else { "are" };
            let sep = if level <= Level::Shellcheck { " only: " } else { "; " };
            text.push_str(&format!("{sep}{} {verb} not installed on the test machine", and_list(&self.missing)));
        }
        for (tool, args) in &self.args {
            for drift in &args.drift {
                let rejected: Vec<String> =
                    drift.rejected_by.iter().map(|r| format!("{tool} {} ({})", r.version, r.message)).collect();
                text.push_str(&format!(
                    "; version drift: `{}` accepted by {tool} {}, rejected by {}",
                    drift.command,
                    and_list(&drift.accepted_by),
                    rejected.join(", ")
                ));
                if let Some(tag) = &drift.contradicts {
                    text.push_str(&format!(", which contradicts its tag \"requires {tag}\""));
                }
            }
        }
        text
    }

    /// What this evidence has that `other` lacks, in words ("shellcheck 0.9.0",
    /// "a sandbox run", "docker 28.2.2"): empty when `other` checked at least as much.
    /// A result is kept over a weaker new one by this.
    pub fn stronger_than(&self, other: &Evidence) -> Vec<String> {
        let mut more = Vec::new();
        if let (Some(v), None) = (&self.shellcheck, &other.shellcheck) {
            more.push(format!("shellcheck {v}"));
        }
        if self.run.is_some() && other.run.is_none() {
            more.push("a run".to_string());
        }
        if let (Some(engine), false) =
            (self.run.as_ref().and_then(|r| r.engine.as_ref()), other.run.as_ref().is_some_and(|r| r.engine.is_some()))
        {
            more.push(format!("a run against docker engine {}", engine.server));
        }
        if matches!(&self.run, Some(r) if r.isolation == RunIsolation::Sandbox)
            && matches!(&other.run, Some(r) if r.isolation != RunIsolation::Sandbox)
        {
            more.push("a sandbox".to_string());
        }
        for (tool, args) in &self.args {
            let theirs = other.args.get(tool).map_or(&[][..], |a| a.accepted_by.as_slice());
            for version in &args.accepted_by {
                if !theirs.contains(version) && !theirs.iter().any(|t| newer(t, version)) {
                    more.push(format!("{tool} {version}"));
                }
            }
        }
        for tool in &other.missing {
            if !self.missing.contains(tool) {
                more.push(format!("{tool} installed"));
            }
        }
        more
    }
}

/// `a` is a later version than `b` (dotted numbers compared part by part).
fn newer(a: &str, b: &str) -> bool {
    let parts = |v: &str| -> Vec<u64> { v.split(['.', '-', '+']).map_while(|p| p.parse().ok()).collect() };
    parts(a) > parts(b)
}

/// "a", "a and b", "a, b and c".
pub fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn linted() -> Evidence {
        Evidence { syntax: true, lint: true, ..Evidence::default() }
    }

    fn docker(versions: &[&str]) -> Evidence {
        let mut e = linted();
        e.shellcheck = Some("0.9.0".into());
        e.args.insert(
            "docker".into(),
            ArgsEvidence {
                accepted_by: versions.iter().map(|v| v.to_string()).collect(),
                commands: vec!["docker ps -a".into()],
                ..ArgsEvidence::default()
            },
        );
        e
    }

    #[test]
    fn levels_are_ordered_and_said_in_plain_words() {
        assert!(Level::SyntaxLint < Level::Shellcheck && Level::Shellcheck < Level::Arguments);
        assert!(Level::Arguments < Level::Ran);
        let mut b2d = linted();
        b2d.missing = vec!["boot2docker".into()];
        assert_eq!(b2d.level(), Level::SyntaxLint);
        assert_eq!(b2d.summary(), "syntax and lint only: boot2docker is not installed on the test machine");
        b2d.shellcheck = Some("0.9.0".into());
        b2d.missing.push("VBoxManage".into());
        assert_eq!(
            b2d.summary(),
            "syntax, lint and shellcheck 0.9.0 only: boot2docker and VBoxManage are not installed on the test machine"
        );
        assert_eq!(docker(&["28.2.2"]).summary(), "arguments accepted by docker 28.2.2");
        assert_eq!(docker(&["20.10.24", "28.2.2"]).summary(), "arguments accepted by docker 20.10.24 and 28.2.2");
        let mut ran = docker(&["28.2.2"]);
        ran.run = Some(RunEvidence { isolation: RunIsolation::Sandbox, compared: Compared::Output, engine: None });
        assert_eq!((ran.level(), ran.summary().as_str()), (Level::Ran, "ran in a sandbox, output matched"));
        let mut engine = ran.clone();
        engine.run.as_mut().unwrap().engine =
            Some(EngineEvidence { server: "20.10.24".into(), client: "28.2.2".into() });
        assert!(Level::Ran < Level::Engine);
        assert_eq!(
            (engine.level(), engine.summary().as_str()),
            (Level::Engine, "ran against docker engine 20.10.24 (client 28.2.2), output matched")
        );
        let lint_only = Evidence { lint: true, ..Evidence::default() };
        assert_eq!(lint_only.summary(), "lint");
        assert_eq!(linted().summary(), "syntax and lint");
    }

    #[test]
    fn drift_and_a_contradicted_tag_are_said() {
        let mut e = docker(&["28.2.2"]);
        e.args.get_mut("docker").unwrap().drift.push(Drift {
            command: "docker run --platform x y".into(),
            accepted_by: vec!["28.2.2".into()],
            rejected_by: vec![Rejection { version: "1.13.1".into(), message: "unknown flag: --platform".into() }],
            contradicts: Some("docker 1.3+".into()),
        });
        assert_eq!(
            e.summary(),
            "arguments accepted by docker 28.2.2; version drift: `docker run --platform x y` accepted by docker \
             28.2.2, rejected by docker 1.13.1 (unknown flag: --platform), which contradicts its tag \"requires \
             docker 1.3+\""
        );
    }

    #[test]
    fn stronger_evidence_names_what_the_other_lacks() {
        let full = docker(&["28.2.2"]);
        let mut weaker = docker(&[]);
        weaker.shellcheck = None;
        assert_eq!(full.stronger_than(&weaker), ["shellcheck 0.9.0", "docker 28.2.2"]);
        assert!(weaker.stronger_than(&full).is_empty());
        assert!(full.stronger_than(&full).is_empty());
        // A newer client is not weaker evidence; an older one is.
        assert!(full.stronger_than(&docker(&["28.3.0"])).is_empty());
        assert_eq!(full.stronger_than(&docker(&["20.10.24"])), ["docker 28.2.2"]);
        let mut missing = docker(&["28.2.2"]);
        missing.missing.push("boot2docker".into());
        assert_eq!(full.stronger_than(&missing), ["boot2docker installed"]);
    }

    #[test]
    fn toml_form() {
        let text = toml::to_string(&docker(&["20.10.24", "28.2.2"])).unwrap();
        assert!(text.contains("shellcheck = \"0.9.0\""), "{text}");
        assert!(text.contains("[args.docker]\naccepted_by = [\"20.10.24\", \"28.2.2\"]"), "{text}");
        assert_eq!(toml::from_str::<Evidence>(&text).unwrap(), docker(&["20.10.24", "28.2.2"]));
    }
}
