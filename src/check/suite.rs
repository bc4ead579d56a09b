//! A run of `gen test` over many snippets: tool versions probed once, shellcheck called
//! once for all the scripts, then per snippet its requirements, lint, shellcheck,
//! argument checks and (when asked) its run, combined into one outcome, and recorded in
//! the results file. A snippet whose result key is unchanged is not tested again.
//!
//! The input is [`SnippetCheck`], built by the caller from the snippet index.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::args::{ArgsChecker, SimpleCommand};
use super::engine::{EngineRun, EngineSetting};
use super::expect::{run_snippet, RunSpec, Session};
use super::lint::{lint, BlockKind};
use super::plan::Planned;
use super::requirements::{Probe, Requirement, ToolVersions};
use super::results::{kept_because, needs_test, record, recorded_outcome, result_key, Key, Retest, Tested};
use super::sandbox::{Isolation, SandboxUnavailable};
use super::screen::screen;
use super::shellcheck::{self, Script, ShellcheckError};
use super::{Origin, Outcome, Summary};
use crate::config::SiteConfig;
use crate::evidence::{Compared, EngineEvidence, Evidence, RunEvidence, RunIsolation};
use crate::results::ResultsFile;

/// Everything the checks need to know about one snippet.
#[derive(Debug, Clone)]
pub struct SnippetCheck {
    /// Its stable id (the key in the results file).
    pub id: String,
    /// The code block's language (`console`, `sh`, `apache`, …).
    pub language: String,
    /// Where the block's content starts in its Markdown file.
    pub origin: Origin,
    /// The block's content.
    pub text: String,
    /// Its simple commands, for argument checks (positions relative to the block).
    pub commands: Vec<SimpleCommand>,
    /// Its shell text for shellcheck (none for a block that is not shell).
    pub script: Option<Script>,
    /// The tools it calls (their versions are part of its result key).
    pub tools: Vec<String>,
    pub requirements: Vec<Requirement>,
    /// What running it must give, when it is to be run (`test="run"` or `--run`).
    pub run: Option<RunSpec>,
    /// Its syntax errors, located in the block (see [`super::from_index`]).
    pub syntax: Vec<super::Finding>,
    /// The commands the block shows failing on purpose (its output shows an error or a
    /// non-zero status): their argument and shellcheck findings are warnings.
    pub shown_failing: Vec<BlockLines>,
    /// The screened docker flags it may use against the engine, by kind
    /// (`allow="privileged"`, see [`crate::markdown::snippet::attrs::ENGINE_ALLOWANCES`]).
    pub allow: Vec<String>,
    /// Its content digest, recorded with its result for `gen build` to compare (see
    /// [`crate::markdown::snippet::snippet_digest`]).
    pub digest: String,
}

/// Lines of a code block, 1-based, the first and the last included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockLines {
    pub first: usize,
    pub last: usize,
}

impl BlockLines {
    pub fn contains(&self, line: usize) -> bool {
        (self.first..=self.last).contains(&line)
    }
}

impl SnippetCheck {
    /// What the suite needs of the snippet to decide whether to test it, and what the
    /// plan cache keeps of it.
    pub fn planned(&self) -> Planned {
        let Origin { file, line, column } = self.origin.clone();
        Planned {
            id: self.id.clone(),
            file,
            line,
            column,
            fingerprint: content_fingerprint(self),
            tools: tool_names(self),
        }
    }
}

/// How to run the suite.
#[derive(Debug, Clone)]
pub struct SuiteOptions {
    /// Whether snippets whose key is unchanged are tested too.
    pub retest: Retest,
    /// The isolation for argument checks and runs, or why there is none. Argument
    /// checks are skipped without it; runs refuse.
    pub isolation: Result<Isolation, SandboxUnavailable>,
    /// Parallel jobs (0: one per core).
    pub jobs: usize,
    /// The date recorded with new results.
    pub date: toml::value::Datetime,
    /// Where tool versions are remembered between runs (by the programs' size and
    /// modification time), if anywhere.
    pub probe_memo: Option<PathBuf>,
    /// The engine docker snippets run against (`--engine docker`), if any.
    pub engine: EngineSetting,
}

/// One snippet's result in this run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnippetReport {
    pub id: String,
    pub origin: Origin,
    pub outcome: Outcome,
    /// True when the result is the recorded one (unchanged snippet, not tested).
    pub cached: bool,
    /// Each error as `file:line:column: check CODE: message` (with help on the next
    /// lines), located in the Markdown file.
    pub findings: Vec<String>,
    /// Each warning, the same way (`check CODE (warning): message`).
    pub warnings: Vec<String>,
}

/// The whole run: per snippet, in input order, notes for the reader, and the counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuiteReport {
    pub snippets: Vec<SnippetReport>,
    /// One line each: a check that could not run ("shellcheck not installed: …"), the
    /// number of unchanged snippets not tested again.
    pub notes: Vec<String>,
    pub summary: Summary,
    /// How many snippets were tested in this run.
    pub tested: usize,
}

/// Told how a run goes, for the progress bar `gen test` shows on a terminal.
pub trait Progress: Sync {
    /// `total` snippets are about to be tested.
    fn start(&self, _total: usize) {}
    /// Snippet `id` is tested (called from the worker threads).
    fn tested(&self, _id: &str) {}
    fn finish(&self) {}
}

/// No progress shown.
pub struct NoProgress;

impl Progress for NoProgress {}

/// `--shard K/N`: the snippets of shard K of N, chosen by a stable hash of the id, so
/// that N machines each test their part and together test every snippet once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 1-based.
    pub index: u64,
    pub count: u64,
}

impl Shard {
    /// `"2/3"`; the error says what to write.
    pub fn parse(text: &str) -> Result<Shard, String> {
        let bad = || format!("`{text}` is not a shard: write K/N with 1 <= K <= N, e.g. --shard 1/3");
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let (index, count): (u64, u64) = (k.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
        if index == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// Is snippet `id` in this shard? (SHA-256 of the id: the same on every machine.)
    pub fn contains(&self, id: &str) -> bool {
        let digest = Sha256::digest(id.as_bytes());
        let n = u64::from_be_bytes(digest[..8].try_into().expect("8 bytes"));
        n % self.count == self.index - 1
    }
}

/// The report of a run in which no snippet is to be tested (each key is as recorded),
/// from the plan alone: `None` when some snippet is to be tested, or with `--force`.
pub fn unchanged_report(
    planned: &[Planned],
    config: &SiteConfig,
    results: &ResultsFile,
    options: &SuiteOptions,
) -> Option<SuiteReport> {
    if options.retest == Retest::All {
        return None;
    }
    let keys = keys_of(planned, config, options);
    if planned.iter().zip(&keys.snippets).any(|(p, k)| needs_test(results, &p.id, &k.key, Retest::Changed)) {
        return None;
    }
    let snippets: Vec<SnippetReport> = planned.iter().map(|p| recorded_report(p, results)).collect();
    let notes = isolation_note(config, options).into_iter().chain(unchanged_note(planned.len())).collect();
    let summary = summary_of(&snippets);
    Some(SuiteReport { snippets, notes, summary, tested: 0 })
}

/// A snippet's result key, and the versions of its tools that went into it.
struct SnippetKey {
    key: String,
    tools: BTreeMap<String, String>,
}

/// The tool versions of a run, and each snippet's key in input order.
struct RunKeys {
    versions: ToolVersions,
    snippets: Vec<SnippetKey>,
}

/// The tool versions of a run (probed once each, or remembered) and each snippet's
/// key with the versions of its tools.
fn keys_of(planned: &[Planned], config: &SiteConfig, options: &SuiteOptions) -> RunKeys {
    // shellcheck's version is part of every key: a result says which one checked it.
    let names: BTreeSet<&str> =
        planned.iter().flat_map(|p| p.tools.iter().map(String::as_str)).chain(["shellcheck"]).collect();
    let versions = match &options.probe_memo {
        Some(file) => ToolVersions::probe_remembered(names, &config.tools, file),
        None => ToolVersions::probe(names, &config.tools),
    };
    let settings = settings_fingerprint(config, options.isolation.is_ok(), &versions, &options.engine);
    let snippets = planned
        .iter()
        .map(|p| {
            let tools: BTreeMap<String, String> =
                p.tools.iter().filter_map(|t| versions.version_of(t).map(|v| (t.clone(), v))).collect();
            SnippetKey { key: result_key(&settings, &p.fingerprint, &tools), tools }
        })
        .collect();
    RunKeys { versions, snippets }
}

/// A snippet not tested in this run, as its last test left it.
fn recorded_report(planned: &Planned, results: &ResultsFile) -> SnippetReport {
    let recorded = &results.snippets[&planned.id];
    SnippetReport {
        id: planned.id.clone(),
        origin: planned.origin(),
        outcome: recorded_outcome(recorded),
        cached: true,
        findings: recorded.findings.clone(),
        warnings: recorded.warnings.clone(),
    }
}

fn isolation_note(config: &SiteConfig, options: &SuiteOptions) -> Option<String> {
    match &options.isolation {
        Err(e) if config.tools.values().any(|t| t.check_args) => Some(format!("argument checks skipped: {e}")),
        _ => None,
    }
}

fn unchanged_note(unchanged: usize) -> Option<String> {
    (unchanged > 0)
        .then(|| format!("{unchanged} unchanged since their last test: not tested again (--force re-tests them)"))
}

/// The settings and the checks available that change results: part of every key. With
/// the checks available (a sandbox, shellcheck's version, the argument clients'
/// versions) in the key, a machine that has other checks tests again, and a weaker
/// result does not replace a stronger one (see [`kept_because`]).
fn settings_fingerprint(
    config: &SiteConfig,
    isolated: bool,
    versions: &ToolVersions,
    engine: &EngineSetting,
) -> String {
    let clients: Vec<String> = versions
        .all_clients()
        .iter()
        .map(|(tool, clients)| format!("{tool}={}", clients.iter().map(|c| c.label()).collect::<Vec<_>>().join(",")))
        .collect();
    let engine = match engine {
        EngineSetting::Ready(run) => {
            format!("|engine={}|images={:?}", run.label(), serde_json::to_string(&config.engine).unwrap_or_default())
        }
        _ => String::new(),
    };
    format!(
        "{}|isolated={isolated}|shellcheck={}|clients={}{engine}",
        serde_json::to_string(&config.tools).unwrap_or_default(),
        versions.version_of("shellcheck").unwrap_or_default(),
        clients.join(";")
    )
}

/// Does the snippet run against the engine (with one asked for): it calls docker.
fn uses_engine(snippet: &SnippetCheck) -> bool {
    snippet.tools.iter().any(|t| t == "docker")
}

/// Does the snippet run against the engine: it is to be run and calls docker.
fn runs_on_engine(snippet: &SnippetCheck) -> bool {
    snippet.run.is_some() && uses_engine(snippet)
}

/// With an engine, `to_test` and every other snippet that runs on the engine in the
/// same posts: a post's session is run whole or not at all (a later snippet needs what
/// an earlier one assigns).
fn whole_sessions(snippets: &[SnippetCheck], to_test: Vec<usize>) -> Vec<usize> {
    let posts: BTreeSet<&PathBuf> =
        to_test.iter().filter(|&&i| runs_on_engine(&snippets[i])).map(|&i| &snippets[i].origin.file).collect();
    let mut all: BTreeSet<usize> = to_test.into_iter().collect();
    all.extend(
        (0..snippets.len()).filter(|&i| runs_on_engine(&snippets[i]) && posts.contains(&snippets[i].origin.file)),
    );
    all.into_iter().collect()
}

/// Runs the engine snippets among `checked` as one session per post (see
/// [`Session::run`]), a post at a time: each snippet screened first (a refused flag or
/// an unmapped image skips it, and it is left out of the session), and everything the
/// post made removed when its session is done, whatever its outcome.
fn run_engine_sessions(
    iso: &Isolation,
    snippets: &[SnippetCheck],
    checked: &[usize],
    config: &SiteConfig,
    engine: &EngineRun,
) -> BTreeMap<usize, Outcome> {
    let mut posts: BTreeMap<&PathBuf, Vec<usize>> = BTreeMap::new();
    for &i in checked.iter().filter(|&&i| runs_on_engine(&snippets[i])) {
        posts.entry(&snippets[i].origin.file).or_default().push(i);
    }
    let scratch = std::env::temp_dir();
    let mut outcomes = BTreeMap::new();
    for members in posts.into_values() {
        let mut specs = Vec::new();
        let mut runs = Vec::new();
        for i in members {
            let snippet = &snippets[i];
            match screen(&snippet.commands, &engine.images, &scratch.to_string_lossy(), &snippet.allow) {
                Some(screened) => {
                    outcomes.insert(i, Outcome::skipped(screened.reason()));
                }
                None => {
                    let spec = snippet.run.clone().expect("an engine snippet is run");
                    specs.push(spec.with_unavailable(&config.tools));
                    runs.push(i);
                }
            }
        }
        if runs.is_empty() {
            continue;
        }
        let _turn = engine.exclusive.lock().unwrap_or_else(|e| e.into_inner());
        let session = Session { isolation: iso, parent: &scratch, engine: Some(engine) };
        let results = session.run(&specs.iter().collect::<Vec<_>>());
        engine.reset();
        outcomes.extend(runs.into_iter().zip(results));
    }
    outcomes
}

fn content_fingerprint(snippet: &SnippetCheck) -> String {
    let exclude = snippet.script.as_ref().map(|s| s.exclude.join(",")).unwrap_or_default();
    // `allow` only when given: the keys of snippets without it are as before it existed.
    let allow = if snippet.allow.is_empty() { String::new() } else { format!("\nallow={}", snippet.allow.join(",")) };
    format!("{}\n{}\n{:?}\n{:?}\n{exclude}{allow}", snippet.language, snippet.text, snippet.requirements, snippet.run)
}

fn tool_names(snippet: &SnippetCheck) -> Vec<String> {
    let mut names: Vec<String> = snippet.tools.clone();
    names.extend(snippet.requirements.iter().filter_map(|r| match r {
        Requirement::Tool { tool, .. } => Some(tool.clone()),
        Requirement::Os(_) => None,
    }));
    names.sort();
    names.dedup();
    names
}

/// The requirements of a snippet that the probes meet, as "docker 1.3+ (found 28.2.2)".
fn met_requirements(requirements: &[Requirement], versions: &ToolVersions) -> Vec<String> {
    requirements
        .iter()
        .map(|r| match r {
            Requirement::Tool { tool, label, .. } => match versions.version_of(tool) {
                Some(v) => format!("{label} (found {v})"),
                None => label.clone(),
            },
            Requirement::Os(os) => format!("os {os}"),
        })
        .collect()
}

/// How a snippet that passed its run ran: in which isolation, and whether its block
/// shows output to compare.
fn run_evidence(isolation: &Isolation, spec: &RunSpec) -> RunEvidence {
    let shows_output = spec.steps.iter().any(|s| s.expected.as_deref().is_some_and(|e| !e.is_empty()));
    RunEvidence {
        isolation: match isolation {
            Isolation::Bubblewrap(_) => RunIsolation::Sandbox,
            Isolation::Unsandboxed => RunIsolation::Unsandboxed,
        },
        compared: if shows_output { Compared::Output } else { Compared::ExitStatus },
        engine: None,
    }
}

/// `outcome` with its errors on the lines of commands the block shows failing made
/// warnings: the block means them to fail.
fn warn_where_shown_failing(outcome: Outcome, failing: &[BlockLines]) -> Outcome {
    match outcome {
        Outcome::Failed { findings } if !failing.is_empty() => Outcome::from_findings(
            findings
                .into_iter()
                .map(|f| match failing.iter().any(|l| l.contains(f.line)) && !f.is_warning() {
                    true => f.as_warning_because("the block shows this command failing"),
                    false => f,
                })
                .collect(),
        ),
        other => other,
    }
}

/// The counts of a run's reports, with the passed snippets that have warnings.
pub fn summary_of(reports: &[SnippetReport]) -> Summary {
    let summary = Summary::of(reports.iter().map(|r| &r.outcome));
    let warned = reports.iter().filter(|r| !r.warnings.is_empty() && !r.outcome.is_failed()).count();
    Summary { warned, ..summary }
}

/// A snippet's findings as lines located in the Markdown file: its errors, and its
/// warnings.
struct FindingLines {
    errors: Vec<String>,
    warnings: Vec<String>,
}

fn finding_lines(outcome: &Outcome, origin: &Origin) -> FindingLines {
    let findings = match outcome {
        Outcome::Failed { findings } => findings,
        Outcome::Passed { warnings, .. } => warnings,
        _ => return FindingLines { errors: Vec::new(), warnings: Vec::new() },
    };
    let line = |f: &super::Finding| f.to_diagnostic(origin).to_string().trim_start_matches("error: ").to_string();
    FindingLines {
        errors: findings.iter().filter(|f| !f.is_warning()).map(line).collect(),
        warnings: findings.iter().filter(|f| f.is_warning()).map(line).collect(),
    }
}

/// Tests `snippets`, updates `results` with what was tested, and reports. Fails only
/// when a snippet is to be run and there is no sandbox (and no `--no-sandbox`).
pub fn run_suite(
    snippets: &[SnippetCheck],
    config: &SiteConfig,
    results: &mut ResultsFile,
    options: &SuiteOptions,
    progress: &dyn Progress,
) -> Result<SuiteReport, SandboxUnavailable> {
    let isolation = options.isolation.as_ref().ok();
    if isolation.is_none() && snippets.iter().any(|s| s.run.is_some()) {
        return Err(options.isolation.clone().unwrap_err());
    }
    let mut notes = Vec::new();
    let planned: Vec<Planned> = snippets.iter().map(SnippetCheck::planned).collect();
    let RunKeys { versions, snippets: keys } = keys_of(&planned, config, options);
    let mut to_test: Vec<usize> =
        (0..snippets.len()).filter(|&i| needs_test(results, &snippets[i].id, &keys[i].key, options.retest)).collect();
    if let EngineSetting::Ready(_) = &options.engine {
        to_test = whole_sessions(snippets, to_test);
    }

    // Requirements first: a skipped snippet is not checked further.
    let requirement_outcomes: BTreeMap<usize, Outcome> =
        to_test.iter().map(|&i| (i, versions.check(&snippets[i].requirements))).collect();
    let checked: Vec<usize> =
        to_test.iter().copied().filter(|i| !matches!(requirement_outcomes[i], Outcome::Skipped { .. })).collect();

    // One shellcheck call for every script of the run.
    let with_script: Vec<usize> = checked.iter().copied().filter(|&i| snippets[i].script.is_some()).collect();
    let scripts: Vec<Script> = with_script.iter().map(|&i| snippets[i].script.clone().unwrap()).collect();
    let mut shellcheck_outcomes: BTreeMap<usize, Outcome> = BTreeMap::new();
    if !scripts.is_empty() {
        match shellcheck::check_all(&scripts, &shellcheck::Settings::from_config(config.tools.get("shellcheck"))) {
            Ok(outcomes) => shellcheck_outcomes = with_script.iter().copied().zip(outcomes).collect(),
            Err(e @ ShellcheckError::NotInstalled) => notes.push(e.to_string()),
            Err(e) => notes.push(format!("{e}; lint ran without shellcheck")),
        }
    }
    notes.extend(isolation_note(config, options));

    // The engine's sessions first, a post at a time.
    let engine_outcomes = match (&options.engine, isolation) {
        (EngineSetting::Ready(engine), Some(iso)) => run_engine_sessions(iso, snippets, &checked, config, engine),
        _ => BTreeMap::new(),
    };
    let checker = isolation.map(|iso| ArgsChecker::with_clients(&config.tools, versions.all_clients().clone(), iso));
    let shellcheck_version = versions.version_of("shellcheck");
    let check_one = |i: usize| -> (Outcome, Evidence) {
        let snippet = &snippets[i];
        let mut evidence = Evidence {
            syntax: snippet.script.is_some(),
            lint: true,
            requirements: met_requirements(&snippet.requirements, &versions),
            missing: snippet.tools.iter().filter(|t| versions.get(t) == Some(&Probe::Missing)).cloned().collect(),
            ..Evidence::default()
        };
        let mut outcomes = vec![requirement_outcomes[&i].clone(), Outcome::from_findings(snippet.syntax.clone())];
        outcomes.push(Outcome::from_findings(lint(&snippet.text, BlockKind::from_language(&snippet.language))));
        if let Some(outcome) = shellcheck_outcomes.get(&i) {
            outcomes.push(warn_where_shown_failing(outcome.clone(), &snippet.shown_failing));
            evidence.shellcheck = shellcheck_version.clone();
        }
        if let Some(checker) = &checker {
            let report = checker.report(&snippet.commands, &snippet.requirements);
            outcomes.push(warn_where_shown_failing(report.outcome, &snippet.shown_failing));
            evidence.args = report.evidence;
        }
        if let (Some(spec), Some(iso)) = (&snippet.run, isolation) {
            let spec = spec.clone().with_unavailable(&config.tools);
            let (outcome, engine) = match (&options.engine, uses_engine(snippet)) {
                (EngineSetting::Ready(engine), true) => (engine_outcomes[&i].clone(), Some(engine)),
                (EngineSetting::Unavailable(reason), true) => (Outcome::skipped(reason.clone()), None),
                _ => (run_snippet(iso, &spec), None),
            };
            if matches!(outcome, Outcome::Passed { .. }) {
                let mut run = run_evidence(iso, &spec);
                run.engine = engine
                    .map(|e| EngineEvidence { server: e.versions.server.clone(), client: e.versions.client.clone() });
                evidence.run = Some(run);
            }
            outcomes.push(outcome);
        }
        (Outcome::combine(outcomes), evidence)
    };
    let pool = rayon::ThreadPoolBuilder::new().num_threads(options.jobs).build().expect("a thread pool");
    progress.start(to_test.len());
    let fresh: BTreeMap<usize, (Outcome, Evidence)> = pool.install(|| {
        to_test
            .par_iter()
            .map(|&i| {
                let outcome = if checked.contains(&i) {
                    check_one(i)
                } else {
                    (requirement_outcomes[&i].clone(), Evidence::default())
                };
                progress.tested(&snippets[i].id);
                (i, outcome)
            })
            .collect()
    });
    progress.finish();

    let mut reports = Vec::new();
    for (i, snippet) in snippets.iter().enumerate() {
        let SnippetKey { key, tools } = &keys[i];
        let report = match fresh.get(&i) {
            Some((outcome, evidence)) => {
                if let Some(why) = kept_because(results.snippets.get(&snippet.id), &snippet.digest, outcome, evidence) {
                    let date = results.snippets[&snippet.id].date;
                    notes.push(format!("kept the recorded result of {} ({date}): {why}", snippet.id));
                    reports.push(recorded_report(&planned[i], results));
                    continue;
                }
                let FindingLines { errors: findings, warnings } = finding_lines(outcome, &snippet.origin);
                let key = Key { full: key, content: &snippet.digest };
                let tested = Tested {
                    key,
                    tools: tools.clone(),
                    date: options.date,
                    findings: findings.clone(),
                    warnings: warnings.clone(),
                    evidence: evidence.clone(),
                };
                record(results, &snippet.id, outcome, tested);
                SnippetReport {
                    id: snippet.id.clone(),
                    origin: snippet.origin.clone(),
                    outcome: outcome.clone(),
                    cached: false,
                    findings,
                    warnings,
                }
            }
            None => recorded_report(&planned[i], results),
        };
        reports.push(report);
    }
    notes.extend(unchanged_note(snippets.len() - to_test.len()));
    let summary = summary_of(&reports);
    Ok(SuiteReport { snippets: reports, notes, summary, tested: to_test.len() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_split_ids_stably_and_completely() {
        let ids: Vec<String> = (0..300).map(|i| format!("post-{i}/snippet")).collect();
        let shards: Vec<Shard> = (1..=3).map(|k| Shard::parse(&format!("{k}/3")).unwrap()).collect();
        for id in &ids {
            assert_eq!(shards.iter().filter(|s| s.contains(id)).count(), 1, "{id}");
        }
        let sizes: Vec<usize> = shards.iter().map(|s| ids.iter().filter(|id| s.contains(id)).count()).collect();
        assert!(sizes.iter().all(|&n| n > 50), "{sizes:?}");
        // Stable: the same id is in the same shard on every machine and every version
        // (the first 8 bytes of the id's SHA-256, big-endian, modulo N).
        assert!(shards[0].contains("docker-cheat-sheet/copy-files-from-a-container"));
        assert!(shards[2].contains("a/b"));
        assert!(Shard::parse("1/1").unwrap().contains("anything"));
        for bad in ["0/3", "4/3", "3", "a/b", "1/0"] {
            assert!(Shard::parse(bad).unwrap_err().contains("write K/N"), "{bad}");
        }
    }
}
