//! Syntax highlighting with syntect: CSS classes (never inline styles), a stylesheet for a
//! light and a dark scheme, syntaxes loaded once from syntect's bundled dumps, a cache
//! of highlighted blocks keyed by language and content, and below it a cache of
//! highlighted lines (see [`super::line_cache`]).

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use syntect::highlighting::ThemeSet;
use syntect::html::{css_for_theme_with_class_style, ClassStyle};
use syntect::parsing::{SyntaxReference, SyntaxSet};

use super::line_cache::LineCache;

/// Class names carry this prefix so they never collide with a theme's own CSS.
pub const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

/// The languages whose blocks are shell sessions: `$ ` prompts, commands and output.
pub fn is_console(lang: &str) -> bool {
    matches!(lang, "console" | "shell-session")
}

/// The languages whose blocks are shell scripts.
pub fn is_shell_script(lang: &str) -> bool {
    matches!(lang, "sh" | "bash" | "shell" | "zsh")
}

/// A highlighted block, or the place one thread is highlighting it into while others wait.
type BlockSlot = Arc<OnceLock<Arc<str>>>;

/// Highlighted blocks by hash of language and code.
type BlockCache = Mutex<HashMap<u64, BlockSlot>>;

/// Highlights code blocks; one per process, shared by every thread and every rebuild.
pub struct Highlighter {
    syntaxes: OnceLock<SyntaxSet>,
    /// Highlighted blocks by hash of language and code; a block being highlighted by one
    /// thread is waited for by another that wants it, never highlighted twice. `None`
    /// for a one-off build (see [`Highlighter::for_one_build`]).
    cache: Option<BlockCache>,
    highlighted: AtomicUsize,
    lines: LineCache,
}

impl Default for Highlighter {
    fn default() -> Self {
        Self::new()
    }
}

impl Highlighter {
    pub fn new() -> Self {
        Highlighter {
            syntaxes: OnceLock::new(),
            cache: Some(Mutex::default()),
            highlighted: AtomicUsize::new(0),
            lines: LineCache::default(),
        }
    }

    /// A highlighter for one build that renders each post once (`gen build`): blocks
    /// are not kept, only lines (see [`super::line_cache`]), which make a repeated
    /// block cheap too while holding far less memory than a copy of every block.
    pub fn for_one_build() -> Self {
        Highlighter { cache: None, ..Highlighter::new() }
    }

    /// Loads syntect's syntaxes now (they are otherwise loaded on first use).
    pub fn load_syntaxes(&self) {
        self.syntaxes();
    }

    /// The syntax set, loaded from syntect's dump on first use.
    fn syntaxes(&self) -> &SyntaxSet {
        self.syntaxes.get_or_init(SyntaxSet::load_defaults_newlines)
    }

    /// Forgets the highlighted blocks and lines, for a one-off build whose posts are all
    /// rendered.
    pub fn forget_blocks(&self) {
        if let Some(cache) = &self.cache {
            std::mem::take(&mut *cache.lock().expect("highlight cache poisoned"));
        }
        self.lines.clear();
    }

    /// How many distinct lines went through syntect's parser (see [`LineCache::parsed_lines`]).
    pub fn parsed_line_count(&self) -> usize {
        self.lines.parsed_lines()
    }

    /// How many blocks were actually highlighted (cache misses, or every block without
    /// a block cache) since creation.
    pub fn highlight_count(&self) -> usize {
        self.highlighted.load(Ordering::Relaxed)
    }

    fn syntax_for(&self, lang: &str) -> Option<&SyntaxReference> {
        let ss = self.syntaxes();
        let token = match lang {
            "" | "text" | "plain" | "txt" => return None,
            l if is_shell_script(l) || is_console(l) => "bash",
            "apache" | "apacheconf" | "htaccess" => return None,
            l => l,
        };
        ss.find_syntax_by_token(token)
    }

    /// Highlights `code` as `lang` into class-annotated HTML lines (no `<pre>` wrapper).
    /// Unknown languages come back HTML-escaped. The HTML is shared with the cache,
    /// which keeps it at its exact size.
    pub fn highlight(&self, lang: &str, code: &str) -> Arc<str> {
        let fresh = || {
            self.highlighted.fetch_add(1, Ordering::Relaxed);
            Arc::from(if is_console(lang) {
                self.highlight_console(code)
            } else {
                self.highlight_plain_lang(lang, code)
            })
        };
        let Some(cache) = &self.cache else { return fresh() };
        let key = {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            lang.hash(&mut h);
            code.hash(&mut h);
            h.finish()
        };
        let slot = Arc::clone(cache.lock().expect("highlight cache poisoned").entry(key).or_default());
        slot.get_or_init(fresh).clone()
    }

    fn highlight_plain_lang(&self, lang: &str, code: &str) -> String {
        match self.syntax_for(lang) {
            None => escape_html(code),
            Some(syntax) => {
                self.lines.highlight(syntax, self.syntaxes(), CLASS_STYLE, code).unwrap_or_else(|_| escape_html(code))
            }
        }
    }

    /// A shell session: prompts and output are marked, commands highlighted as bash.
    fn highlight_console(&self, code: &str) -> String {
        let mut out = String::with_capacity(code.len() * 2);
        let mut continuing = false;
        for line in code.lines() {
            let command = line.strip_prefix("$ ").or(if line == "$" { Some("") } else { None });
            if let Some(cmd) = command {
                out.push_str("<span class=\"gp\">$ </span><span class=\"cmd\">");
                out.push_str(&without_last_newline(self.highlight_plain_lang("bash", &format!("{cmd}\n"))));
                out.push_str("</span>\n");
                continuing = cmd.ends_with('\\');
            } else if continuing || line.starts_with("> ") {
                out.push_str("<span class=\"cmd\">");
                out.push_str(&without_last_newline(self.highlight_plain_lang("bash", &format!("{line}\n"))));
                out.push_str("</span>\n");
                continuing = line.ends_with('\\');
            } else {
                out.push_str("<span class=\"go\">");
                out.push_str(&escape_html(line));
                out.push_str("</span>\n");
            }
        }
        out
    }

    /// The stylesheet for the highlight classes: `light` by default, `dark` under
    /// `prefers-color-scheme: dark`. Unknown theme names fall back to syntect defaults.
    pub fn stylesheet(light: &str, dark: &str) -> String {
        let themes = ThemeSet::load_defaults();
        let pick = |name: &str, fallback: &str| {
            themes
                .themes
                .get(name)
                .or_else(|| themes.themes.get(fallback))
                .cloned()
                .expect("syntect ships its default themes")
        };
        let light_css = css_for_theme_with_class_style(&pick(light, "InspiredGitHub"), CLASS_STYLE).unwrap_or_default();
        let dark_css =
            css_for_theme_with_class_style(&pick(dark, "base16-ocean.dark"), CLASS_STYLE).unwrap_or_default();
        let mut css = String::from("/* Generated by gen from syntect themes. */\n");
        css.push_str(&light_css);
        css.push_str("\n@media (prefers-color-scheme: dark) {\n");
        css.push_str(&dark_css);
        css.push_str("\n}\n");
        css
    }

    /// Names of the themes syntect ships, for error messages.
    pub fn theme_names() -> Vec<String> {
        let mut names: Vec<String> = ThemeSet::load_defaults().themes.into_keys().collect();
        names.sort();
        names
    }
}

/// Highlighted HTML of one line without its line end, which syntect puts inside its spans.
fn without_last_newline(mut html: String) -> String {
    if let Some(i) = html.rfind('\n') {
        html.remove(i);
    }
    html
}

/// Escapes `&`, `<`, `>` and `"` for HTML text and double-quoted attributes. Not
/// `pulldown_cmark_escape::escape_html`, which escapes `'` as well: gen writes every
/// attribute in double quotes, so `'` stays as it is (shorter pages, and code reads the
/// same in the page source). Templates' autoescaping, which cannot know the quoting, uses
/// the crate (see `render`). The text between the characters to escape is copied a run at
/// a time.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut copied = 0;
    for (i, byte) in text.bytes().enumerate() {
        let entity = match byte {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => continue,
        };
        // An ASCII byte is always a character boundary.
        out.push_str(&text[copied..i]);
        out.push_str(entity);
        copied = i + 1;
    }
    out.push_str(&text[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bash_gets_classes_not_styles() {
        let h = Highlighter::new();
        let html = h.highlight("bash", "echo \"hi\" | grep h\n");
        assert!(html.contains("class=\"hl-"), "{html}");
        assert!(!html.contains("style="), "{html}");
    }

    #[test]
    fn console_marks_prompts_and_output() {
        let h = Highlighter::new();
        let html = h.highlight("console", "$ docker ps\nCONTAINER ID   IMAGE\n");
        assert!(html.starts_with("<span class=\"gp\">$ </span><span class=\"cmd\">"), "{html}");
        assert!(html.contains("<span class=\"go\">CONTAINER ID   IMAGE</span>"), "{html}");
        assert_eq!(html.matches('\n').count(), 2, "one line end per line: {html}");
    }

    #[test]
    fn escaping_keeps_other_text_and_multibyte_characters() {
        assert_eq!(escape_html("a <b> & \"c\" 'd' · é"), "a &lt;b&gt; &amp; &quot;c&quot; 'd' · é");
        assert_eq!(escape_html(""), "");
    }

    #[test]
    fn unknown_language_is_escaped_and_cached() {
        let h = Highlighter::new();
        assert_eq!(&*h.highlight("nosuchlang", "<a>&"), "&lt;a&gt;&amp;");
        h.highlight("nosuchlang", "<a>&");
        assert_eq!(h.highlight_count(), 1);
    }

    #[test]
    fn stylesheet_has_both_schemes() {
        let css = Highlighter::stylesheet("InspiredGitHub", "base16-ocean.dark");
        assert!(css.contains(".hl-"));
        assert!(css.contains("@media (prefers-color-scheme: dark)"));
    }
}
