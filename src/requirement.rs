//! Requirements of snippets ("requires docker 1.3+"): parsing requirement lists into
//! tools, platforms and version constraints with the `semver` crate's semantics. A leaf
//! module: `markdown` (extraction) and `snippets` (the index) both use it.

use std::fmt;

use semver::{Version, VersionReq};
use serde::Serialize;

/// The platforms `os NAME` accepts.
pub const KNOWN_OS: &[&str] = &["macos", "linux", "windows", "freebsd", "openbsd", "netbsd", "unix"];

/// One requirement: a tool (at some versions) or a platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Requirement {
    /// `docker 1.3+`, `docker >=1.3 <1.12`, `boot2docker` (any version).
    Tool {
        /// The tool's command name, lower-case (`docker`).
        name: String,
        /// `None` means any version.
        #[serde(skip)]
        version: Option<VersionReq>,
        /// The constraint as written, normalized (`1.3+`, `>=1.3 <1.12`); "" for any version.
        constraint: String,
    },
    /// `os macos`.
    Os { name: String },
}

impl Requirement {
    /// The tool or platform name this requirement is about (`docker`, `os`).
    pub fn subject(&self) -> &str {
        match self {
            Requirement::Tool { name, .. } => name,
            Requirement::Os { .. } => "os",
        }
    }

    /// Whether `version` of the tool satisfies this requirement (platforms: always false).
    pub fn matches_version(&self, version: &Version) -> bool {
        match self {
            Requirement::Tool { version: None, .. } => true,
            Requirement::Tool { version: Some(req), .. } => req.matches(version),
            Requirement::Os { .. } => false,
        }
    }

    /// The semver requirement, when the tool has a version constraint.
    pub fn version_req(&self) -> Option<&VersionReq> {
        match self {
            Requirement::Tool { version, .. } => version.as_ref(),
            Requirement::Os { .. } => None,
        }
    }
}

impl fmt::Display for Requirement {
    /// `docker 1.3+`, `boot2docker`, `os macos`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Requirement::Tool { name, constraint, .. } if constraint.is_empty() => write!(f, "{name}"),
            Requirement::Tool { name, constraint, .. } => write!(f, "{name} {constraint}"),
            Requirement::Os { name } => write!(f, "os {name}"),
        }
    }
}

/// A requirement that could not be read: what is wrong, at which byte of the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequirementError {
    /// Byte offset in the parsed text where the bad part starts.
    pub offset: usize,
    pub message: String,
    pub help: String,
}

/// A word of a requirement list and the byte offset where it starts.
#[derive(Debug, Clone, Copy)]
struct Word<'a> {
    offset: usize,
    text: &'a str,
}

/// One comparator as written (`>=1.3`, `1.3+`) and its byte offset.
#[derive(Debug, Clone)]
struct Comparator {
    text: String,
    offset: usize,
}

impl From<&Word<'_>> for Comparator {
    fn from(word: &Word<'_>) -> Self {
        Comparator { text: word.text.to_string(), offset: word.offset }
    }
}

/// A requirement being read: the tool, its comparators so far, and the tool's offset.
struct PartialRequirement {
    tool: String,
    comparators: Vec<Comparator>,
    offset: usize,
}

const HELP: &str = "write requirements as `TOOL [CONSTRAINT]`, comma-separated: `docker 1.3+` (at least 1.3), `docker >=1.3 <1.12`, `docker 1.3` (1.3.x), `boot2docker` (any version), `os macos`";

/// Parses a comma-separated requirement list: `docker 1.3+, os macos`. A part that starts
/// with a comparison (`<1.12`) continues the constraint of the part before it, so
/// `docker >=1.3, <1.12` is one requirement.
pub fn parse_requirements(text: &str) -> Result<Vec<Requirement>, RequirementError> {
    let mut out: Vec<PartialRequirement> = Vec::new();
    let mut start = 0;
    for part in text.split(',') {
        let offset = start + (part.len() - part.trim_start().len());
        start += part.len() + 1;
        let words = split_words(part.trim(), offset);
        let Some(&Word { offset: first_at, text: first }) = words.first() else {
            return Err(RequirementError { offset, message: "an empty requirement".into(), help: HELP.into() });
        };
        if starts_like_constraint(first) {
            match out.last_mut() {
                Some(PartialRequirement { comparators, .. }) if !comparators.is_empty() => {
                    comparators.extend(words.iter().map(Comparator::from));
                    continue;
                }
                _ => {
                    return Err(RequirementError {
                        offset: first_at,
                        message: format!("the version `{first}` does not follow a tool name"),
                        help: HELP.into(),
                    })
                }
            }
        }
        if !is_tool_name(first) {
            return Err(RequirementError {
                offset: first_at,
                message: format!("`{first}` is not a tool name"),
                help: HELP.into(),
            });
        }
        out.push(PartialRequirement {
            tool: first.to_ascii_lowercase(),
            comparators: words[1..].iter().map(Comparator::from).collect(),
            offset: first_at,
        });
    }
    out.into_iter().map(build).collect()
}

/// The words of `text`, which starts at byte `base` of the parsed input.
fn split_words(text: &str, base: usize) -> Vec<Word<'_>> {
    let mut words = Vec::new();
    let mut i = 0;
    for w in text.split_whitespace() {
        let at = text[i..].find(w).map_or(i, |p| i + p);
        words.push(Word { offset: base + at, text: w });
        i = at + w.len();
    }
    words
}

/// `1.3+`, `>=1.3`, `v1.3` (and `V1.3`: tool names are read case-insensitively, so a word
/// that would read back as a version is never a tool name).
fn starts_like_constraint(word: &str) -> bool {
    word.starts_with(|c: char| c.is_ascii_digit() || "<>=~^*".contains(c))
        || (word.starts_with(['v', 'V']) && word[1..].starts_with(|c: char| c.is_ascii_digit()))
}

/// `docker`, `docker-compose`, `python3`, `java_home`.
pub fn is_tool_name(word: &str) -> bool {
    word.starts_with(|c: char| c.is_ascii_alphabetic())
        && word.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
}

fn build(partial: PartialRequirement) -> Result<Requirement, RequirementError> {
    let PartialRequirement { tool, comparators, offset } = partial;
    if tool == "os" {
        return match comparators.as_slice() {
            [Comparator { text: name, offset: at }] => {
                let name = name.to_ascii_lowercase();
                if KNOWN_OS.contains(&name.as_str()) {
                    Ok(Requirement::Os { name })
                } else {
                    Err(RequirementError {
                        offset: *at,
                        message: format!("unknown platform `os {name}`"),
                        help: format!(
                            "use one of: {}",
                            KNOWN_OS.iter().map(|o| format!("`os {o}`")).collect::<Vec<_>>().join(", ")
                        ),
                    })
                }
            }
            _ => Err(RequirementError {
                offset,
                message: "`os` needs exactly one platform name".into(),
                help: "write `os macos` or `os linux`".into(),
            }),
        };
    }
    if comparators.is_empty() {
        return Ok(Requirement::Tool { name: tool, version: None, constraint: String::new() });
    }
    let mut semver_parts = Vec::new();
    for Comparator { text: word, offset: at } in &comparators {
        semver_parts.push(comparator(word).ok_or_else(|| RequirementError {
            offset: *at,
            message: format!("`{word}` is not a version constraint"),
            help: HELP.into(),
        })?);
    }
    let joined = semver_parts.join(", ");
    let version = VersionReq::parse(&joined).map_err(|e| RequirementError {
        offset: comparators[0].offset,
        message: format!(
            "`{}` is not a version constraint: {e}",
            comparators.iter().map(|c| c.text.as_str()).collect::<Vec<_>>().join(" ")
        ),
        help: HELP.into(),
    })?;
    let constraint =
        comparators.iter().map(|c| c.text.trim_start_matches('v').to_string()).collect::<Vec<_>>().join(" ");
    Ok(Requirement::Tool { name: tool, version: Some(version), constraint })
}

/// One comparator in semver syntax: `1.3+` → `>=1.3`, `1.3` → `=1.3` (1.3.x), `v1.3` → `=1.3`.
fn comparator(word: &str) -> Option<String> {
    let (op, rest) = match word.find(|c: char| !"<>=~^".contains(c)) {
        Some(i) => word.split_at(i),
        None => return None,
    };
    let rest = rest.strip_prefix('v').unwrap_or(rest);
    let (op, version) = match rest.strip_suffix('+') {
        Some(v) if op.is_empty() => (">=", v),
        Some(_) => return None,
        None if op.is_empty() => ("=", rest),
        None => (op, rest),
    };
    let valid_version = !version.is_empty()
        && version.split('.').count() <= 3
        && version.split('.').enumerate().all(|(i, p)| {
            (!p.is_empty() && p.chars().all(|c| c.is_ascii_digit())) || (i > 0 && (p == "x" || p == "*"))
        });
    if !valid_version || !matches!(op, "=" | ">" | ">=" | "<" | "<=" | "~" | "^") {
        return None;
    }
    // Calendar-style versions such as docker 17.06 have leading zeros, which semver
    // forbids: 17.06 means 17.6.
    let version = version
        .split('.')
        .map(|p| p.parse::<u64>().map_or_else(|_| p.to_string(), |n| n.to_string()))
        .collect::<Vec<_>>()
        .join(".");
    Some(format!("{op}{version}"))
}

/// A requirement read from prose, and the sentence it was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProseRequirement {
    pub requirement: Requirement,
    /// `Requires docker v1.3 or later`, without the parenthesis or full stop around it.
    pub sentence: String,
}

/// A requirement stated in prose directly before a block: "Requires docker v1.3 or later",
/// "requires docker 1.3+", "(Requires docker v1.3)". Only a sentence (or parenthesis) that
/// starts with "requires" counts, so "a program that requires Java 5" tags nothing.
pub fn requirement_in_prose(prose: &str) -> Option<ProseRequirement> {
    let lower = prose.to_ascii_lowercase();
    let mut search = 0;
    while let Some(found) = lower[search..].find("requires") {
        let at = search + found;
        search = at + "requires".len();
        let before = prose[..at].trim_end();
        let sentence_start = before.is_empty() || before.ends_with(['(', '.', '!', '?', ':', ';', '[']);
        if !sentence_start {
            continue;
        }
        let rest = prose[search..].trim_start_matches([':', ' ']);
        let tool_end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || "-_".contains(c))).unwrap_or(rest.len());
        let tool = &rest[..tool_end];
        if !is_tool_name(tool) {
            continue;
        }
        let after_tool = &rest[tool_end..];
        let ProseVersion { constraint, tail } = prose_version(after_tool);
        let ends_sentence =
            tail.trim_start().is_empty() || tail.trim_start().starts_with(['.', ')', ',', ';', '!', ']']);
        if !ends_sentence {
            continue;
        }
        let text = match &constraint {
            Some(c) => format!("{tool} {c}"),
            None => tool.to_string(),
        };
        if let Ok(mut reqs) = parse_requirements(&text) {
            if reqs.len() == 1 {
                let sentence_end = prose.len() - tail.len();
                let sentence = prose[at..sentence_end].trim().to_string();
                return Some(ProseRequirement { requirement: reqs.remove(0), sentence });
            }
        }
    }
    None
}

/// A version read from prose after a tool name.
struct ProseVersion<'a> {
    /// `1.3+`, `1.3`; `None` when no version follows the tool.
    constraint: Option<String>,
    /// The text after the version (all of it when there is none).
    tail: &'a str,
}

/// Reads ` v1.3 or later` / ` 1.3+` / ` v1.3` after a tool name in prose.
fn prose_version(text: &str) -> ProseVersion<'_> {
    let t = text.trim_start_matches(' ');
    let t2 = t.strip_prefix(['v', 'V']).unwrap_or(t);
    let end = t2.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t2.len());
    let version = t2[..end].trim_end_matches('.');
    if version.is_empty() || !version.starts_with(|c: char| c.is_ascii_digit()) {
        return ProseVersion { constraint: None, tail: text };
    }
    let tail = &t2[version.len()..];
    if let Some(rest) = tail.strip_prefix('+') {
        return ProseVersion { constraint: Some(format!("{version}+")), tail: rest };
    }
    let lower = tail.to_ascii_lowercase();
    for phrase in [" or later", " or newer", " or higher", " or above", " and later", " and above", " and newer"] {
        if lower.starts_with(phrase) {
            return ProseVersion { constraint: Some(format!("{version}+")), tail: &tail[phrase.len()..] };
        }
    }
    ProseVersion { constraint: Some(version.to_string()), tail }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    fn one(text: &str) -> Requirement {
        let mut r = parse_requirements(text).unwrap();
        assert_eq!(r.len(), 1, "{r:?}");
        r.remove(0)
    }

    #[test]
    fn plus_means_at_least() {
        let r = one("docker 1.3+");
        assert_eq!(r.to_string(), "docker 1.3+");
        assert!(r.matches_version(&v("1.3.0")) && r.matches_version(&v("20.10.7")));
        assert!(!r.matches_version(&v("1.2.9")));
    }

    #[test]
    fn calendar_versions_with_leading_zeros() {
        let r = one("docker 17.06+");
        assert_eq!(r.to_string(), "docker 17.06+");
        assert!(r.matches_version(&v("17.6.0")) && r.matches_version(&v("28.2.2")));
        assert!(!r.matches_version(&v("17.5.9")));
    }

    #[test]
    fn bare_version_means_that_minor() {
        let r = one("docker 1.3");
        assert!(r.matches_version(&v("1.3.5")));
        assert!(!r.matches_version(&v("1.4.0")) && !r.matches_version(&v("1.2.0")));
        assert!(one("docker v1.3").matches_version(&v("1.3.1")));
    }

    #[test]
    fn comparator_lists_with_spaces_or_commas() {
        for text in ["docker >=1.3 <1.12", "docker >=1.3, <1.12"] {
            let r = one(text);
            assert!(r.matches_version(&v("1.11.2")), "{text}");
            assert!(!r.matches_version(&v("1.12.0")), "{text}");
        }
    }

    #[test]
    fn bare_tool_and_platform() {
        let r = parse_requirements("boot2docker, os macOS").unwrap();
        assert_eq!(r[0], Requirement::Tool { name: "boot2docker".into(), version: None, constraint: String::new() });
        assert!(r[0].matches_version(&v("0.1.0")));
        assert_eq!(r[1], Requirement::Os { name: "macos".into() });
        assert_eq!(r[1].to_string(), "os macos");
    }

    #[test]
    fn requirements_read_back_as_written() {
        // `V0` was read as a tool `v0`, which printed as a version that does not parse.
        assert_eq!(parse_requirements("V0").unwrap_err().message, "the version `V0` does not follow a tool name");
        for text in [
            "docker 1.3+",
            "docker >=1.3 <1.12",
            "docker v1.3, os macos",
            "boot2docker",
            "Docker 17.06",
            "docker >=v1.3, <2",
        ] {
            let parsed = parse_requirements(text).unwrap();
            let printed = parsed.iter().map(|r| r.to_string()).collect::<Vec<_>>().join(", ");
            assert_eq!(parse_requirements(&printed).unwrap(), parsed, "{text} -> {printed}");
        }
    }

    #[test]
    fn errors_point_at_the_bad_part() {
        let e = parse_requirements("docker 1.3+, os plan9").unwrap_err();
        assert_eq!(e.offset, 16);
        assert!(e.message.contains("unknown platform"), "{e:?}");
        let e = parse_requirements("docker one.three").unwrap_err();
        assert_eq!((e.offset, e.message.as_str()), (7, "`one.three` is not a version constraint"));
        let e = parse_requirements(">=1.3").unwrap_err();
        assert!(e.message.contains("does not follow a tool name"), "{e:?}");
        assert!(parse_requirements("docker 1.3+,").is_err());
        assert!(parse_requirements("docker 1.2.3.4").is_err());
        assert!(parse_requirements("os").is_err());
    }

    #[test]
    fn prose_tags_start_a_sentence() {
        let found = |prose: &str| requirement_in_prose(prose).unwrap();
        let r = found("(Requires docker v1.3 or later)");
        assert_eq!(
            (r.requirement.to_string(), r.sentence.as_str()),
            ("docker 1.3+".into(), "Requires docker v1.3 or later")
        );
        assert_eq!(found("This one is new. requires docker 1.3+.").requirement.to_string(), "docker 1.3+");
        assert_eq!(found("(Requires docker v1.3)").requirement.to_string(), "docker 1.3");
        assert_eq!(found("Requires boot2docker.").requirement.to_string(), "boot2docker");
        assert_eq!(requirement_in_prose("maybe you have a program that requires Java 5"), None);
        assert_eq!(requirement_in_prose("Requires a Mac with lots of memory"), None);
        assert_eq!(requirement_in_prose("Start the container"), None);
    }
}
