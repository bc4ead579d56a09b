//! Syntax highlighting with syntect: CSS classes (never inline styles), a stylesheet for a
//! light and a dark scheme, syntaxes loaded once from syntect's bundled dumps, a cache
//! of highlighted blocks keyed by language and content, and below it a cache of
//! highlighted lines (see [`super::line_cache`]).

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use syntect::highlighting::{Color, FontStyle, StyleModifier, Theme, ThemeSet};
use syntect::html::{css_for_theme_with_class_style, ClassStyle};
use syntect::parsing::{Scope, SyntaxReference, SyntaxSet};

use super::line_cache::LineCache;

/// Class names carry this prefix so they never collide with a theme's own CSS.
pub const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: CLASS_PREFIX };
const CLASS_PREFIX: &str = "hl-";

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
    /// Colours are made readable first (see [`readable`]), and the dark block restyles
    /// every selector of the light one that the dark theme has no rule for: without
    /// that, a light rule more specific than any dark one that matches would win in the
    /// dark too (`.hl-variable.hl-parameter` over the dark `.hl-variable`).
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
        let light_theme = readable(pick(light, "InspiredGitHub"), CODE_BACKGROUND_LIGHT);
        let dark_theme = readable(pick(dark, "base16-ocean.dark"), CODE_BACKGROUND_DARK);
        let light_css = css_for_theme_with_class_style(&light_theme, CLASS_STYLE).unwrap_or_default();
        let dark_css = css_for_theme_with_class_style(&dark_theme, CLASS_STYLE).unwrap_or_default();
        let mut css = String::from("/* Generated by gen from syntect themes. */\n");
        css.push_str(&light_css);
        css.push_str("\n@media (prefers-color-scheme: dark) {\n");
        css.push_str(&dark_css);
        css.push_str(&restyled_in_dark(&light_theme, &dark_theme));
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

/// The code background of the default theme's light scheme (`--code-bg` in its
/// `style.css`): highlight colours are made readable on it as well as on the syntect
/// theme's own background.
pub const CODE_BACKGROUND_LIGHT: Color = Color { r: 0xf5, g: 0xf6, b: 0xf8, a: 0xff };
/// The code background of the default theme's dark scheme.
pub const CODE_BACKGROUND_DARK: Color = Color { r: 0x1d, g: 0x21, b: 0x27, a: 0xff };

/// The contrast WCAG AA asks of body text.
pub const MIN_CONTRAST: f64 = 4.5;

/// `theme` with every text colour moved, in lightness only, until it has at least
/// [`MIN_CONTRAST`] against the backgrounds it is shown on: the theme's own, `code_bg`,
/// and a rule's own background for that rule. A rule with a background but no colour
/// gets the (corrected) default colour, which it would inherit.
fn readable(mut theme: Theme, code_bg: Color) -> Theme {
    let mut backgrounds = vec![code_bg];
    backgrounds.extend(theme.settings.background);
    let default_fg = theme.settings.foreground.map(|fg| readable_on(fg, &backgrounds));
    theme.settings.foreground = default_fg;
    for item in &mut theme.scopes {
        let on: Vec<Color> = match item.style.background {
            Some(bg) => vec![bg],
            None => backgrounds.clone(),
        };
        item.style.foreground = match (item.style.foreground, item.style.background, default_fg) {
            (Some(fg), _, _) => Some(readable_on(fg, &on)),
            (None, Some(_), Some(fg)) => Some(readable_on(fg, &on)),
            (None, _, _) => None,
        };
    }
    theme
}

/// `fg`, or the nearest colour of its hue and saturation that is readable on every one of
/// `backgrounds`: darker on light backgrounds, lighter on dark ones.
fn readable_on(fg: Color, backgrounds: &[Color]) -> Color {
    let passes = |c: Color| backgrounds.iter().all(|&bg| contrast(c, bg) >= MIN_CONTRAST);
    if passes(fg) {
        return fg;
    }
    let darker = backgrounds.iter().map(|&bg| luminance(bg)).sum::<f64>() / backgrounds.len() as f64 > 0.18;
    let (h, s, l) = to_hsl(fg);
    let steps = 200;
    for i in 1..=steps {
        let t = f64::from(i) / f64::from(steps);
        let lightness = if darker { l * (1.0 - t) } else { l + (1.0 - l) * t };
        let candidate = from_hsl(h, s, lightness, fg.a);
        if passes(candidate) {
            return candidate;
        }
    }
    if darker {
        Color { r: 0, g: 0, b: 0, a: fg.a }
    } else {
        Color { r: 0xff, g: 0xff, b: 0xff, a: fg.a }
    }
}

/// WCAG relative luminance of an sRGB colour.
pub fn luminance(c: Color) -> f64 {
    let channel = |v: u8| {
        let v = f64::from(v) / 255.0;
        if v <= 0.04045 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b)
}

/// WCAG contrast ratio of two colours, from 1 to 21.
pub fn contrast(a: Color, b: Color) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

fn to_hsl(c: Color) -> (f64, f64, f64) {
    let (r, g, b) = (f64::from(c.r) / 255.0, f64::from(c.g) / 255.0, f64::from(c.b) / 255.0);
    let max = r.max(g).max(b);
    let min = r.min(g).min(b);
    let l = (max + min) / 2.0;
    let d = max - min;
    if d == 0.0 {
        return (0.0, 0.0, l);
    }
    let s = d / (1.0 - (2.0 * l - 1.0).abs());
    let h = if max == r {
        ((g - b) / d).rem_euclid(6.0)
    } else if max == g {
        (b - r) / d + 2.0
    } else {
        (r - g) / d + 4.0
    };
    (h * 60.0, s, l)
}

fn from_hsl(h: f64, s: f64, l: f64, a: u8) -> Color {
    let c = (1.0 - (2.0 * l - 1.0).abs()) * s;
    let x = c * (1.0 - ((h / 60.0).rem_euclid(2.0) - 1.0).abs());
    let m = l - c / 2.0;
    let (r, g, b) = match (h / 60.0) as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let byte = |v: f64| ((v + m) * 255.0).round().clamp(0.0, 255.0) as u8;
    Color { r: byte(r), g: byte(g), b: byte(b), a }
}

/// The CSS selector of a scope path as syntect writes it: `.hl-variable.hl-parameter`,
/// descendants separated by spaces.
fn css_selector(path: &[Scope]) -> String {
    let compounds: Vec<String> = path
        .iter()
        .map(|scope| {
            scope
                .build_string()
                .split('.')
                .map(|atom| {
                    let class = format!("{CLASS_PREFIX}{atom}");
                    let mut escaped = String::from(".");
                    for (i, c) in class.char_indices() {
                        if c.is_ascii_alphabetic() || c == '-' || c == '_' || (i > 0 && c.is_ascii_digit()) {
                            escaped.push(c);
                        } else {
                            escaped.push_str(&format!("\\{:x} ", c as u32));
                        }
                    }
                    escaped
                })
                .collect()
        })
        .collect();
    compounds.join(" ")
}

/// Rules for the dark block: each selector of the light theme that the dark theme has no
/// rule of its own for (or one that leaves a property of the light rule as it is), styled as the dark theme styles that scope path.
fn restyled_in_dark(light: &Theme, dark: &Theme) -> String {
    // What the dark theme's own rules set, by selector.
    let mut dark_sets: HashMap<String, StyleModifier> = HashMap::new();
    for item in &dark.scopes {
        for selector in &item.scope.selectors {
            let set = dark_sets.entry(css_selector(&selector.extract_scopes())).or_default();
            *set = set.apply(item.style);
        }
    }
    // Does the dark rule for this selector override every property the light one sets?
    let covered = |name: &str, light: &StyleModifier| {
        dark_sets.get(name).is_some_and(|dark| {
            (light.foreground.is_none() || dark.foreground.is_some())
                && (light.background.is_none() || dark.background.is_some())
                && (light.font_style.is_none() || dark.font_style.is_some())
        })
    };
    let styler = syntect::highlighting::Highlighter::new(dark);
    let mut seen = HashSet::new();
    let mut css = String::new();
    for item in &light.scopes {
        for selector in &item.scope.selectors {
            let path = selector.extract_scopes();
            let name = css_selector(&path);
            if covered(&name, &item.style) || !seen.insert(name.clone()) {
                continue;
            }
            let style = styler.style_mod_for_stack(&path);
            let hex = |c: Color| format!("#{:02x}{:02x}{:02x}", c.r, c.g, c.b);
            css.push_str(&name);
            css.push_str(" {\n");
            if let Some(fg) = style.foreground.or(dark.settings.foreground) {
                css.push_str(&format!(" color: {};\n", hex(fg)));
            }
            if item.style.background.is_some() {
                let bg = style.background.map_or_else(|| "transparent".to_string(), hex);
                css.push_str(&format!(" background-color: {bg};\n"));
            }
            if let Some(light_font) = item.style.font_style {
                let font = style.font_style.unwrap_or_default();
                if light_font.contains(FontStyle::BOLD) && !font.contains(FontStyle::BOLD) {
                    css.push_str("font-weight: normal;\n");
                }
                if light_font.contains(FontStyle::ITALIC) && !font.contains(FontStyle::ITALIC) {
                    css.push_str("font-style: normal;\n");
                }
            }
            css.push_str("}\n");
        }
    }
    css
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
    fn failing_colours_move_in_lightness_until_they_pass() {
        let grey = Color { r: 0x32, g: 0x32, b: 0x32, a: 0xff };
        let fixed = readable_on(grey, &[CODE_BACKGROUND_DARK]);
        assert!(contrast(grey, CODE_BACKGROUND_DARK) < 1.5);
        assert!(contrast(fixed, CODE_BACKGROUND_DARK) >= MIN_CONTRAST, "{fixed:?}");
        assert!(luminance(fixed) > luminance(grey), "lighter on a dark background");
        let green = Color { r: 0x62, g: 0xa3, b: 0x5c, a: 0xff };
        let darker = readable_on(green, &[CODE_BACKGROUND_LIGHT]);
        assert!(contrast(darker, CODE_BACKGROUND_LIGHT) >= MIN_CONTRAST);
        assert!(darker.g > darker.r && darker.g > darker.b, "still green: {darker:?}");
        let black = Color { r: 0, g: 0, b: 0, a: 0xff };
        assert_eq!(readable_on(black, &[CODE_BACKGROUND_LIGHT]), black, "a passing colour stays");
    }

    #[test]
    fn stylesheet_has_both_schemes() {
        let css = Highlighter::stylesheet("InspiredGitHub", "base16-ocean.dark");
        assert!(css.contains(".hl-"));
        assert!(css.contains("@media (prefers-color-scheme: dark)"));
    }
}
