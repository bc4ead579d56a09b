//! `gen test`'s checks for `gen serve` ([`LiveChecks`], a
//! [`SnippetChecker`](crate::serve::live::SnippetChecker)): the snippets edited while
//! serving get their syntax, lint and shellcheck findings at once, and their argument
//! checks after. Nothing is run and nothing is recorded; what was found is remembered
//! by the snippet's content (and, for argument checks, the clients' versions), so that
//! a save that leaves a snippet as it was costs nothing.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use super::args::ArgsChecker;
use super::from_index::{snippet_check, RunSelection};
use super::lint::{lint, BlockKind};
use super::requirements::ToolVersions;
use super::sandbox::{Fallback, Isolation, SandboxUnavailable};
use super::shellcheck::{self, ShellcheckError};
use super::suite::SnippetCheck;
use super::{Finding, Origin, Outcome};
use crate::config::SiteConfig;
use crate::markdown::snippet::Snippet;
use crate::serve::live::{Cancel, CheckReport, SnippetChecker, SnippetFinding};

/// The live checks, with what they found so far by snippet content.
pub struct LiveChecks {
    /// Syntax, lint and shellcheck findings (block-relative) by content key.
    quick: Mutex<HashMap<String, Vec<Finding>>>,
    /// Argument-check findings (block-relative) by content key and clients' versions.
    args: Mutex<HashMap<String, Vec<Finding>>>,
    /// The clients of each tool with `check_args`, probed once per tools configuration.
    clients: Mutex<Option<ProbedClients>>,
    isolation: Result<Isolation, SandboxUnavailable>,
}

/// The argument clients probed for one `[tools]` configuration.
struct ProbedClients {
    tools: String,
    versions: ToolVersions,
    /// `docker=20.10.24,28.2.2`, part of the argument checks' cache key.
    label: String,
}

impl LiveChecks {
    /// Argument checks run in the sandbox, as `gen test`'s do; without one they are
    /// left out (a note says so).
    pub fn new() -> Self {
        Self::with_isolation(Isolation::choose(Fallback::Refuse))
    }

    pub fn with_isolation(isolation: Result<Isolation, SandboxUnavailable>) -> Self {
        LiveChecks {
            quick: Mutex::new(HashMap::new()),
            args: Mutex::new(HashMap::new()),
            clients: Mutex::new(None),
            isolation,
        }
    }

    /// Probes the clients of the tools with `check_args` once for each configuration.
    fn clients(&self, config: &SiteConfig) -> (ToolVersions, String) {
        let tools = serde_json::to_string(&config.tools).unwrap_or_default();
        let mut probed = self.clients.lock().expect("clients poisoned");
        if probed.as_ref().is_none_or(|p| p.tools != tools) {
            let versions = ToolVersions::probe(std::iter::empty(), &config.tools);
            let label = versions
                .all_clients()
                .iter()
                .map(|(tool, clients)| {
                    format!("{tool}={}", clients.iter().map(|c| c.label()).collect::<Vec<_>>().join(","))
                })
                .collect::<Vec<_>>()
                .join(";");
            *probed = Some(ProbedClients { tools, versions, label });
        }
        let p = probed.as_ref().expect("probed just now");
        (p.versions.clone(), p.label.clone())
    }
}

impl Default for LiveChecks {
    fn default() -> Self {
        Self::new()
    }
}

/// What a snippet's quick findings depend on: its content and the shellcheck settings.
fn quick_key(snippet: &Snippet, config: &SiteConfig) -> String {
    let settings = shellcheck::Settings::from_config(config.tools.get("shellcheck"));
    format!("{}|{:?}", snippet.digest, settings)
}

/// `finding` (relative to the block) located in the Markdown file.
fn located(finding: &Finding, origin: &Origin) -> SnippetFinding {
    let (line, column) =
        if finding.line == 0 { (origin.line, 0) } else { origin.map(finding.line, finding.column.max(1)) };
    SnippetFinding {
        line,
        column,
        block_line: finding.line,
        check: finding.check.to_string(),
        code: finding.code.clone(),
        message: finding.message.clone(),
        help: finding.help.clone(),
    }
}

fn findings_of(outcome: Outcome) -> Vec<Finding> {
    match outcome {
        Outcome::Failed { findings } => findings,
        _ => Vec::new(),
    }
}

impl SnippetChecker for LiveChecks {
    fn quick(&self, config: &SiteConfig, snippets: &[Snippet]) -> CheckReport {
        let checks: Vec<SnippetCheck> = snippets.iter().map(|s| snippet_check(s, RunSelection::Marked)).collect();
        let keys: Vec<String> = snippets.iter().map(|s| quick_key(s, config)).collect();
        let mut notes = Vec::new();
        let todo: Vec<usize> = {
            let cache = self.quick.lock().expect("live cache poisoned");
            (0..checks.len()).filter(|&i| !cache.contains_key(&keys[i])).collect()
        };
        let mut fresh: BTreeMap<usize, Vec<Finding>> = todo
            .iter()
            .map(|&i| {
                let check = &checks[i];
                let mut found = check.syntax.clone();
                found.extend(lint(&check.text, BlockKind::from_language(&check.language)));
                (i, found)
            })
            .collect();
        let with_script: Vec<usize> = todo.iter().copied().filter(|&i| checks[i].script.is_some()).collect();
        let scripts: Vec<_> = with_script.iter().filter_map(|&i| checks[i].script.clone()).collect();
        if !scripts.is_empty() {
            match shellcheck::check_all(&scripts, &shellcheck::Settings::from_config(config.tools.get("shellcheck"))) {
                Ok(outcomes) => {
                    for (i, outcome) in with_script.iter().zip(outcomes) {
                        fresh.entry(*i).or_default().extend(findings_of(outcome));
                    }
                }
                Err(e @ ShellcheckError::NotInstalled) => notes.push(e.to_string()),
                Err(e) => notes.push(format!("{e}; live checks ran without shellcheck")),
            }
        }
        let mut cache = self.quick.lock().expect("live cache poisoned");
        for (i, found) in fresh {
            cache.insert(keys[i].clone(), found);
        }
        let findings = checks
            .iter()
            .zip(&keys)
            .map(|(check, key)| cache[key].iter().map(|f| located(f, &check.origin)).collect())
            .collect();
        CheckReport { findings, notes }
    }

    fn slow(&self, config: &SiteConfig, snippets: &[Snippet], cancel: &Cancel) -> Option<CheckReport> {
        let none = || CheckReport { findings: vec![Vec::new(); snippets.len()], notes: Vec::new() };
        if !config.tools.values().any(|t| t.check_args) {
            return Some(none());
        }
        let isolation = match &self.isolation {
            Ok(isolation) => isolation,
            Err(e) => return Some(CheckReport { notes: vec![format!("argument checks skipped: {e}")], ..none() }),
        };
        let (versions, label) = self.clients(config);
        let checker = ArgsChecker::with_clients(&config.tools, versions.all_clients().clone(), isolation);
        let mut findings = Vec::with_capacity(snippets.len());
        for snippet in snippets {
            if cancel.is_cancelled() {
                return None;
            }
            let check = snippet_check(snippet, RunSelection::Marked);
            let key =
                format!("{}|{label}|{}", snippet.digest, serde_json::to_string(&config.tools).unwrap_or_default());
            let cached = self.args.lock().expect("live cache poisoned").get(&key).cloned();
            let found = match cached {
                Some(found) => found,
                None => {
                    let found = findings_of(checker.report(&check.commands, &check.requirements).outcome);
                    if cancel.is_cancelled() {
                        return None;
                    }
                    self.args.lock().expect("live cache poisoned").insert(key, found.clone());
                    found
                }
            };
            findings.push(found.iter().map(|f| located(f, &check.origin)).collect());
        }
        Some(CheckReport { findings, notes: Vec::new() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::SnippetDefaults;
    use crate::markdown::snippet::SnippetExtractor;
    use crate::markdown::{render_markdown, Highlighter, RenderContext};
    use std::path::Path;

    fn snippets(md: &str) -> Vec<Snippet> {
        let h = Highlighter::new();
        let ex = SnippetExtractor::new(Path::new("content/posts/a.md"), "a", &SnippetDefaults::default());
        let mut cx = RenderContext::new(&h);
        cx.code_blocks = &ex;
        render_markdown(md, &cx);
        ex.finish().unwrap()
    }

    fn config(tools: &str) -> SiteConfig {
        let text = format!("title = \"T\"\nbase_url = \"http://x/\"\n{tools}");
        SiteConfig::parse(&text, Path::new("site.toml")).unwrap()
    }

    #[test]
    fn quick_findings_are_located_in_the_markdown_file_and_remembered() {
        let md = "# T\n\nSome prose.\n\n```console\n$ docker ps\n$ CONTAINERID = $(docker run -rm busybox)\n```\n";
        let checks = LiveChecks::with_isolation(Err(SandboxUnavailable { reason: "none here".into() }));
        let config = config("");
        let report = checks.quick(&config, &snippets(md));
        assert_eq!(report.findings.len(), 1);
        let gen101 = report.findings[0].iter().find(|f| f.code == "GEN101").expect("spaces around =");
        assert_eq!((gen101.line, gen101.block_line, gen101.check.as_str()), (7, 2, "lint"));
        assert!(gen101.help.as_deref().unwrap().contains('='), "{gen101:?}");
        // The same text further down the file: the findings come from the cache, moved.
        let moved = checks.quick(&config, &snippets(&md.replace("Some prose.\n", "Some prose.\n\nMore.\n")));
        let again = moved.findings[0].iter().find(|f| f.code == "GEN101").unwrap();
        assert_eq!((again.line, again.block_line), (9, 2));
        // Fixed: nothing.
        let fixed = checks.quick(&config, &snippets(&md.replace("CONTAINERID = ", "CONTAINERID=")));
        assert!(fixed.findings[0].iter().all(|f| f.code != "GEN101"), "{:?}", fixed.findings);
    }

    #[test]
    fn without_a_sandbox_argument_checks_are_skipped_with_a_note() {
        let md = "# T\n\n```console\n$ docker run -rm busybox\n```\n";
        let checks = LiveChecks::with_isolation(Err(SandboxUnavailable { reason: "no bwrap".into() }));
        let config = config("[tools.docker]\ncheck_args = true\n");
        let report = checks.slow(&config, &snippets(md), &Cancel::default()).unwrap();
        assert_eq!(report.findings, [Vec::<SnippetFinding>::new()]);
        assert!(report.notes[0].contains("argument checks skipped"), "{:?}", report.notes);
        let cancel = Cancel::default();
        cancel.cancel();
        let real = LiveChecks::with_isolation(Ok(Isolation::Unsandboxed));
        assert!(real.slow(&config, &snippets(md), &cancel).is_none(), "a cancelled round reports nothing");
    }
}
