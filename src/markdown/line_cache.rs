//! Highlighting line by line with a memo of lines: syntect's parser is deterministic,
//! so a line of text met again in the same parser state (and with the same open
//! scopes) gives the same HTML and the same state after it. Technical posts repeat
//! lines a lot (`$ docker ps -a`, `    }`, `use std::collections::HashMap;`), so most
//! lines are looked up instead of run through the regex engine.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use syntect::html::{line_tokens_to_classed_spans, ClassStyle};
use syntect::parsing::{ParseState, ScopeStack, SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;
use xxhash_rust::xxh3::Xxh3;

/// Independent locks, so that threads rarely wait for each other.
const SHARDS: usize = 16;
/// The most parser states remembered for one line of text (`}` can close many).
const STATES_PER_LINE: usize = 8;

/// Where the parser is between two lines.
#[derive(Clone, PartialEq, Eq)]
struct LineState {
    parse: ParseState,
    scopes: ScopeStack,
}

// SAFETY: `ParseState` is not `Send` only because a state that remembers a regex's
// captures holds an oniguruma `Region`: two heap arrays owned by the region, freed on
// drop, with no tie to the thread that made them. The cache only reads shared states
// (comparing them, and cloning them, which copies from the source without writing to
// it) and moves owned ones, so sharing them between threads is sound. (Regions compare
// by address, so a state with captures is never found again: such lines are simply
// not reused.) This was read against syntect 5.3.0 and onig 6.5.3 (`Region` wraps
// `onig_sys::OnigRegion`); the test `the_send_sync_reasoning_names_the_locked_versions`
// fails when Cargo.lock moves to other versions, so that the reasoning is read again.
unsafe impl Send for LineState {}
// SAFETY: as for `Send` above.
unsafe impl Sync for LineState {}

/// One highlighted line: the state it starts in, its HTML, and the state after it.
struct LineEntry {
    before: LineState,
    after: LineState,
    html: Arc<str>,
    /// Spans opened minus spans closed by the line.
    delta: isize,
}

/// Highlighted lines by (syntax, text); each key holds the states it was met in.
#[derive(Default)]
pub struct LineCache {
    shards: [Mutex<HashMap<u64, Vec<LineEntry>>>; SHARDS],
    parsed: AtomicUsize,
}

impl LineCache {
    /// How many lines were parsed and remembered since creation (each line in each of
    /// its parser states once; two threads meeting a new line at the same moment may
    /// both parse it, but it is counted once).
    pub fn parsed_lines(&self) -> usize {
        self.parsed.load(Ordering::Relaxed)
    }

    /// Forgets every line (memory of a one-off build that is done highlighting).
    pub fn clear(&self) {
        for shard in &self.shards {
            std::mem::take(&mut *shard.lock().expect("line cache poisoned"));
        }
    }

    /// Highlights `code` (lines with their line ends) as `syntax` into classed spans, the
    /// same HTML as syntect's `ClassedHTMLGenerator`.
    pub fn highlight(
        &self,
        syntax: &SyntaxReference,
        syntaxes: &SyntaxSet,
        style: ClassStyle,
        code: &str,
    ) -> Result<String, syntect::Error> {
        let mut html = String::with_capacity(code.len() * 3);
        let mut state = LineState { parse: ParseState::new(syntax), scopes: ScopeStack::new() };
        let mut open_spans: isize = 0;
        for line in LinesWithEndings::from(code) {
            let key = line_key(&syntax.name, line);
            let shard = &self.shards[(key % SHARDS as u64) as usize];
            let known = {
                let entries = shard.lock().expect("line cache poisoned");
                entries
                    .get(&key)
                    .and_then(|list| list.iter().find(|e| e.before == state))
                    .map(|e| (Arc::clone(&e.html), e.after.clone(), e.delta))
            };
            if let Some((line_html, after, delta)) = known {
                html.push_str(&line_html);
                state = after;
                open_spans += delta;
                continue;
            }
            let before = state.clone();
            let ops = state.parse.parse_line(line, syntaxes)?;
            let (line_html, delta) = line_tokens_to_classed_spans(line, &ops, style, &mut state.scopes)?;
            html.push_str(&line_html);
            open_spans += delta;
            let mut entries = shard.lock().expect("line cache poisoned");
            let list = entries.entry(key).or_default();
            if list.len() < STATES_PER_LINE && !list.iter().any(|e| e.before == before) {
                self.parsed.fetch_add(1, Ordering::Relaxed);
                list.push(LineEntry { before, after: state.clone(), html: Arc::from(line_html), delta });
            }
        }
        for _ in 0..open_spans {
            html.push_str("</span>");
        }
        Ok(html)
    }
}

fn line_key(syntax: &str, line: &str) -> u64 {
    let mut h = Xxh3::new();
    h.update(&(syntax.len() as u64).to_le_bytes());
    h.update(syntax.as_bytes());
    h.update(line.as_bytes());
    h.digest()
}

#[cfg(test)]
mod tests {
    use super::*;
    use syntect::html::ClassedHTMLGenerator;

    const STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

    fn syntect_alone(ss: &SyntaxSet, syntax: &SyntaxReference, code: &str) -> String {
        let mut gen = ClassedHTMLGenerator::new_with_class_style(syntax, ss, STYLE);
        for line in LinesWithEndings::from(code) {
            gen.parse_html_for_line_which_includes_newline(line).unwrap();
        }
        gen.finalize()
    }

    /// The versions of the crates the `unsafe impl Send/Sync for LineState` reasoning was
    /// checked against, as Cargo.lock pins them.
    #[test]
    fn the_send_sync_reasoning_names_the_locked_versions() {
        let lock = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.lock")).unwrap();
        let locked = |name: &str| {
            let entry = format!("name = \"{name}\"\nversion = \"");
            let version = &lock[lock.find(&entry).expect(name) + entry.len()..];
            version[..version.find('"').unwrap()].to_string()
        };
        let checked = [("syntect", "5.3.0"), ("onig", "6.5.3")];
        for (name, version) in checked {
            assert_eq!(
                locked(name),
                version,
                "{name} changed: re-read the SAFETY comment on LineState against it, then update it and this test"
            );
        }
    }

    #[test]
    fn same_html_as_syntect_and_repeated_lines_are_parsed_once() {
        let ss = SyntaxSet::load_defaults_newlines();
        let rust = ss.find_syntax_by_token("rust").unwrap();
        let cache = LineCache::default();
        let one = "fn a() {\n    let s = \"x\";\n}\n";
        // The same line in another state: inside a string literal and a block comment.
        let two = "fn b() {\n    let s = \"x\";\n}\nlet t = \"\n    let s = \"x\";\n\";\n/*\n}\n*/\n";
        for code in [one, two, one] {
            assert_eq!(cache.highlight(rust, &ss, STYLE, code).unwrap(), syntect_alone(&ss, rust, code), "{code}");
        }
        // one: 3 lines; two: 9 lines, of which `    let s = "x";` (same state as in
        // one) and the first `}` are known; the third run is all known.
        assert_eq!(cache.parsed_lines(), 3 + 7);
        cache.clear();
        cache.highlight(rust, &ss, STYLE, one).unwrap();
        assert_eq!(cache.parsed_lines(), 3 + 7 + 3);
    }
}
