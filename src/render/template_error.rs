//! Template errors as diagnostics: the template file at fault, with a line and column.
//! Tera locates syntax errors itself; for errors found while rendering (an undefined
//! variable, an unknown filter, a missing parent template) the name Tera reports is
//! looked up in the template's source.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::{display_path, line_col, Diagnostic, Errors};

/// A Tera error as a diagnostic.
pub fn template_error(e: &tera::Error, root: &Path, sources: &BTreeMap<String, PathBuf>) -> Errors {
    let mut chain = Vec::new();
    let mut cur: Option<&dyn std::error::Error> = Some(e);
    while let Some(err) = cur {
        chain.push(err.to_string());
        cur = err.source();
    }
    let full = chain.join("\n");
    let template = faulty_template(&full, sources);
    let file = template.map_or_else(|| PathBuf::from("templates"), |(_, p)| display_path(root, p));
    if let Some((line, column)) = syntax_position(&full) {
        let detail = chain.last().cloned().unwrap_or_default();
        let detail = detail
            .lines()
            .find(|l| l.trim_start().starts_with("= "))
            .map(|l| l.trim_start_matches([' ', '=']).to_string())
            .unwrap_or(detail);
        return Errors::one(
            Diagnostic::new(file, line, column, format!("template syntax error: {detail}"))
                .with_help("fix the template at that position (Tera syntax: {{ value }}, {% if %}...{% endif %})"),
        );
    }
    let source = template.and_then(|(_, p)| std::fs::read_to_string(p).ok()).unwrap_or_default();
    let (line, column, message, help) = match RenderFault::from_message(&full) {
        Some(fault) => {
            let (line, column) = fault.position_in(&source);
            (line, column, fault.message(), fault.help())
        }
        None => (
            0,
            0,
            format!("template error: {}", chain.join(": ")),
            "check that every variable the template uses exists (see docs/themes.md for the fields of each page)"
                .to_string(),
        ),
    };
    Errors::one(Diagnostic::new(file, line, column, message).with_help(help))
}

/// The template the error happened in: Tera names it "error happened in 'X'" when a
/// parent template failed, otherwise "Failed to render 'X'" or the template it parsed.
fn faulty_template<'a>(full: &str, sources: &'a BTreeMap<String, PathBuf>) -> Option<(&'a String, &'a PathBuf)> {
    for marker in ["error happened in '", "Failed to render '", "Failed to parse '"] {
        if let Some(name) = quoted_after(full, marker) {
            if let Some(found) = sources.iter().find(|(n, p)| *n == name || p.display().to_string() == name) {
                return Some(found);
            }
        }
    }
    sources.iter().find(|(n, p)| {
        let p = p.display().to_string();
        full.contains(&format!("'{n}'"))
            || full.contains(&format!("\"{n}\""))
            || full.contains(&format!("'{p}'"))
            || full.contains(&format!("\"{p}\""))
    })
}

/// The text between `marker` and the next `'` in `text`.
fn quoted_after<'t>(text: &'t str, marker: &str) -> Option<&'t str> {
    let start = text.find(marker)? + marker.len();
    let len = text[start..].find('\'')?;
    Some(&text[start..start + len])
}

/// Tera's `--> line:column` of a syntax error.
fn syntax_position(full: &str) -> Option<(usize, usize)> {
    let i = full.find("--> ")?;
    let rest = &full[i + 4..];
    let end = rest.find(|c: char| !(c.is_ascii_digit() || c == ':')).unwrap_or(rest.len());
    let mut parts = rest[..end].split(':');
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

/// What went wrong while rendering, with the name Tera gave.
#[derive(Debug, Clone, PartialEq, Eq)]
enum RenderFault {
    UndefinedVariable(String),
    UnknownFilter(String),
    UnknownTest(String),
    UnknownFunction(String),
    MissingParent(String),
}

impl RenderFault {
    fn from_message(full: &str) -> Option<RenderFault> {
        if let Some(rest) = full.split("Variable `").nth(1) {
            return rest.split('`').next().map(|v| RenderFault::UndefinedVariable(v.to_string()));
        }
        if let Some(name) = quoted_after(full, "Filter '") {
            return Some(RenderFault::UnknownFilter(name.to_string()));
        }
        if let Some(name) = quoted_after(full, "Test '") {
            return Some(RenderFault::UnknownTest(name.to_string()));
        }
        if let Some(name) = quoted_after(full, "Function '") {
            return Some(RenderFault::UnknownFunction(name.to_string()));
        }
        if full.contains("which doesn't exist or isn't loaded") {
            return quoted_after(full, "inheriting from '").map(|n| RenderFault::MissingParent(n.to_string()));
        }
        None
    }

    /// Where the name first appears in the template's source, as written there (a
    /// variable may be written with spaces around its dots; those are rare and then
    /// only the file is named).
    fn position_in(&self, source: &str) -> (usize, usize) {
        let found = match self {
            RenderFault::UndefinedVariable(v) => find_word(source, v),
            RenderFault::UnknownFilter(f) => find_after(source, f, '|'),
            RenderFault::UnknownTest(t) => find_after(source, t, 's'),
            RenderFault::UnknownFunction(f) => find_word(source, &format!("{f}(")),
            RenderFault::MissingParent(p) => {
                source.find(&format!("\"{p}\"")).or_else(|| source.find(&format!("'{p}'")))
            }
        };
        found.map_or((0, 0), |offset| line_col(source, offset))
    }

    fn message(&self) -> String {
        match self {
            RenderFault::UndefinedVariable(v) => format!("the variable `{v}` is not defined for this page"),
            RenderFault::UnknownFilter(f) => format!("there is no filter `{f}`"),
            RenderFault::UnknownTest(t) => format!("there is no test `{t}`"),
            RenderFault::UnknownFunction(f) => format!("there is no function `{f}`"),
            RenderFault::MissingParent(p) => format!("the template extends \"{p}\", which does not exist"),
        }
    }

    fn help(&self) -> String {
        match self {
            RenderFault::UndefinedVariable(v) => format!(
                "check the spelling against the fields of each page (docs/themes.md), or guard it: {{% if {v} is defined %}}...{{% endif %}}"
            ),
            RenderFault::UnknownFilter(_) | RenderFault::UnknownTest(_) | RenderFault::UnknownFunction(_) => {
                "use one of Tera's built-in filters, tests and functions (https://keats.github.io/tera/docs/)".to_string()
            }
            RenderFault::MissingParent(p) => format!("create templates/{p} or extend one of the theme's templates, such as \"base.html\""),
        }
    }
}

/// The offset of `word` in `source` where it is not part of a longer name.
fn find_word(source: &str, word: &str) -> Option<usize> {
    let is_name = |c: char| c.is_alphanumeric() || c == '_' || c == '.';
    source.match_indices(word).map(|(i, _)| i).find(|&i| {
        let before = source[..i].chars().next_back();
        let after = source[i + word.len()..].chars().next();
        // A word ending in `(` may run on into its arguments; any other must end there.
        !before.is_some_and(is_name) && (word.ends_with('(') || !after.is_some_and(is_name))
    })
}

/// The offset of `name` where it follows `sign` (and spaces): `| upper`, `is odd`.
fn find_after(source: &str, name: &str, sign: char) -> Option<usize> {
    source
        .match_indices(name)
        .map(|(i, _)| i)
        .find(|&i| source[..i].trim_end().ends_with(sign))
        .or_else(|| find_word(source, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_faults_are_read_from_teras_messages() {
        let m = "Failed to render 'post.html'\nVariable `post.no_such_field` not found in context while rendering 'post.html'";
        assert_eq!(RenderFault::from_message(m), Some(RenderFault::UndefinedVariable("post.no_such_field".into())));
        assert_eq!(
            RenderFault::from_message("Filter 'shout' not found"),
            Some(RenderFault::UnknownFilter("shout".into()))
        );
        let m = "Template 'post.html' is inheriting from 'nosuch.html', which doesn't exist or isn't loaded.";
        assert_eq!(RenderFault::from_message(m), Some(RenderFault::MissingParent("nosuch.html".into())));
        assert_eq!(RenderFault::from_message("something else"), None);
    }

    #[test]
    fn names_are_found_where_written() {
        let source = "<p>{{ post.title_long }}</p>\n<p>{{ post.title | shout }}</p>\n";
        assert_eq!(RenderFault::UndefinedVariable("post.title".into()).position_in(source), (2, 7));
        assert_eq!(RenderFault::UnknownFilter("shout".into()).position_in(source), (2, 20));
        assert_eq!(RenderFault::UndefinedVariable("nowhere".into()).position_in(source), (0, 0));
    }
}
