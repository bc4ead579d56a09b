//! Markdown to HTML in one pass with pulldown-cmark: heading anchors, highlighted code,
//! summaries, and the raw material later stages need (headings, code blocks, links),
//! each located at its line in the post file.

pub mod highlight;
mod html_ids;
mod line_cache;
pub mod snippet;

use std::collections::HashSet;
use std::ops::Range;
use std::path::Path;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde::Serialize;

use crate::content::slugify;
pub use highlight::{escape_html, Highlighter};

/// A heading of a post, for anchors and tables of contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Heading {
    pub level: u8,
    /// The anchor id, unique within the post.
    pub id: String,
    pub text: String,
    pub line: usize,
}

/// A fenced or indented code block as the author wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeBlock {
    /// The language word of the fence info (`console`), lower-cased; "" when none.
    pub lang: String,
    /// Whatever follows the language in the info string (`{requires="docker 1.3+"}`), trimmed.
    pub attrs: String,
    /// 1-based column in the file where `attrs` starts on the fence line (0 when none).
    pub attrs_column: usize,
    /// The block's text, lines ending in `\n`.
    pub code: String,
    /// The line of the opening fence in the post file.
    pub line: usize,
    /// The line of the first line of `code` in the post file.
    pub code_line: usize,
    /// The 1-based column in the file where the lines of `code` start (the fence's
    /// column: more than 1 inside list items and block quotes).
    pub code_column: usize,
    /// The id of the nearest heading above the block.
    pub heading: Option<String>,
    /// The text of the paragraph directly before the block, if the block follows one.
    pub prose_before: Option<String>,
    /// A fenced block with no closing fence (it runs to the end of the post or of the
    /// list or quote it is in): an error, as the rest of the post would read as code.
    pub unclosed: bool,
    /// For an unclosed fence in a list item: the line that ended the item, and the
    /// block with it (a line indented less than the fence, such as output at column 1).
    pub ended_by: Option<usize>,
}

/// A link written in the post, for link checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub dest: String,
    pub line: usize,
    pub column: usize,
}

/// Rewrites link destinations while rendering (e.g. `other-post.md` to its URL).
pub trait LinkResolver: Sync {
    /// The URL to emit for `dest`, or `None` to leave it as written.
    fn resolve(&self, dest: &str) -> Option<String>;
}

/// Leaves every link as written.
pub struct KeepLinks;

impl LinkResolver for KeepLinks {
    fn resolve(&self, _dest: &str) -> Option<String> {
        None
    }
}

/// Renders one code block into HTML; the default highlights it in a `<pre>`.
pub trait CodeBlockRenderer: Sync {
    fn render(&self, block: &CodeBlock, index: usize, highlighter: &Highlighter) -> String;
}

/// `<pre><code>` with syntect classes.
pub struct PlainCodeBlocks;

impl CodeBlockRenderer for PlainCodeBlocks {
    fn render(&self, block: &CodeBlock, _index: usize, highlighter: &Highlighter) -> String {
        plain_block_html(block, &render_pre(block, highlighter))
    }
}

/// What a code block's bar calls it: the visible label and the thing its copy button copies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeLabel {
    /// "Apache config", "console": shown above the block.
    pub label: &'static str,
    /// "the Apache config", "the commands": the copy button's name says "Copy" and this.
    pub copies: &'static str,
}

/// The label of a block in `lang` (lower-cased, "" when none); a language not named
/// here shows its own word and copies "the code".
pub fn code_label(lang: &str) -> CodeLabel {
    let (label, copies) = match lang {
        "" => ("code", "the code"),
        "text" | "txt" | "plain" => ("text", "the text"),
        "console" | "shell-session" => ("console", "the commands"),
        "sh" | "bash" | "shell" | "zsh" => ("shell script", "the script"),
        "apache" | "apacheconf" => ("Apache config", "the Apache config"),
        "nginx" => ("nginx config", "the nginx config"),
        "toml" => ("TOML", "the TOML"),
        "yaml" | "yml" => ("YAML", "the YAML"),
        "json" => ("JSON", "the JSON"),
        "ini" => ("INI", "the INI"),
        "xml" => ("XML", "the XML"),
        "html" => ("HTML", "the HTML"),
        "dockerfile" => ("Dockerfile", "the Dockerfile"),
        "diff" | "patch" => ("diff", "the diff"),
        _ => ("", "the code"),
    };
    CodeLabel { label, copies }
}

/// A code block that is not a snippet: a bar with its language and a copy button above
/// its `<pre>` (`pre`, as [`render_pre`] made it; "" renders nothing). The button copies
/// the block's text; without JavaScript it stays hidden.
pub fn plain_block_html(block: &CodeBlock, pre: &str) -> String {
    if pre.is_empty() {
        return String::new();
    }
    let CodeLabel { label, copies } = code_label(&block.lang);
    let label = if label.is_empty() { escape_html(&block.lang) } else { label.to_string() };
    format!(
        "<div class=\"code-block\">\n<div class=\"code-bar\"><span class=\"code-lang\">{label}</span> <button type=\"button\" class=\"code-copy\" hidden aria-label=\"Copy {copies}\">Copy</button></div>\n{pre}</div>\n"
    )
}

/// The standard `<pre>` for a code block, highlighted.
pub fn render_pre(block: &CodeBlock, highlighter: &Highlighter) -> String {
    let lang = if block.lang.is_empty() { "text" } else { block.lang.as_str() };
    format!(
        "<pre class=\"code\" data-lang=\"{l}\"><code class=\"language-{l}\">{}</code></pre>\n",
        highlighter.highlight(lang, &block.code),
        l = escape_html(lang)
    )
}

/// Everything one render of a post's Markdown produces.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RenderedMarkdown {
    pub html: String,
    /// HTML before `<!-- more -->`, else the first paragraph.
    pub summary_html: String,
    /// Whether the summary came from a `<!-- more -->` marker.
    pub has_more_marker: bool,
    pub headings: Vec<Heading>,
    /// The link targets raw HTML defines (`<a name="x">`, `id="x"` on any element), in
    /// order: with the headings' ids, what `#anchor` links may point to.
    pub anchors: Vec<String>,
    pub code_blocks: Vec<CodeBlock>,
    pub links: Vec<Link>,
    /// The post's snippets, when a [`snippet::SnippetExtractor`] rendered its code blocks.
    pub snippets: Vec<snippet::Snippet>,
    /// Words of prose (code excluded).
    pub word_count: usize,
}

/// What a render needs besides the Markdown text.
pub struct RenderContext<'a> {
    pub highlighter: &'a Highlighter,
    pub links: &'a dyn LinkResolver,
    pub code_blocks: &'a dyn CodeBlockRenderer,
    /// The line of the post file on which the Markdown body starts.
    pub first_line: usize,
}

impl<'a> RenderContext<'a> {
    pub fn new(highlighter: &'a Highlighter) -> Self {
        RenderContext { highlighter, links: &KeepLinks, code_blocks: &PlainCodeBlocks, first_line: 1 }
    }
}

/// Whether the text of a fenced block (opening fence to end) ends with a closing fence:
/// a last line, after indentation and quote markers, of only backticks or tildes, as
/// many as the opening fence or more.
fn ends_with_closing_fence(block: &str) -> bool {
    let mut lines = block.trim_end_matches(['\n', '\r']).lines();
    let (Some(first), Some(last)) = (lines.next(), lines.next_back()) else {
        return false; // the opening fence alone
    };
    let strip = |l: &str| l.trim_start_matches(|c: char| c == '>' || c.is_whitespace()).trim_end().to_string();
    let (first, last) = (strip(first), strip(last));
    let Some(fence_char) = first.chars().next().filter(|c| *c == '`' || *c == '~') else {
        return false;
    };
    let opening = first.chars().take_while(|&c| c == fence_char).count();
    last.len() >= opening && last.chars().all(|c| c == fence_char)
}

/// Where the line starts that ended the fenced block at `range` inside a list item:
/// the first non-blank line after the block, when it is indented less than the fence
/// (so it is not part of the item). `None` at the end of the post, or in a block quote.
fn line_ending_list_item(markdown: &str, range: std::ops::Range<usize>) -> Option<usize> {
    let line_start = markdown[..range.start].rfind('\n').map_or(0, |i| i + 1);
    let fence_indent = range.start - line_start;
    if fence_indent == 0 || markdown[line_start..range.start].contains('>') {
        return None;
    }
    let mut at = range.end;
    if at > 0 && markdown.as_bytes()[at - 1] != b'\n' {
        at = markdown[at..].find('\n').map_or(markdown.len(), |i| at + i + 1);
    }
    while at < markdown.len() {
        let end = markdown[at..].find('\n').map_or(markdown.len(), |i| at + i + 1);
        let line = &markdown[at..end];
        if !line.trim().is_empty() {
            let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
            return (indent < fence_indent).then_some(at);
        }
        at = end;
    }
    None
}

/// The pulldown-cmark extensions gen enables.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Maps byte offsets of the Markdown body to lines and columns of the post file.
struct LineIndex {
    starts: Vec<usize>,
    first_line: usize,
}

impl LineIndex {
    fn new(text: &str, first_line: usize) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts, first_line }
    }
    fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset) - 1 + self.first_line
    }
    fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let idx = self.starts.partition_point(|&s| s <= offset) - 1;
        let col = text.get(self.starts[idx]..offset).map_or(1, |s| s.chars().count() + 1);
        (idx + self.first_line, col)
    }
}

/// A fence info string split into its parts: `console {requires="docker 1.3+"}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FenceInfo<'a> {
    /// The language word, lower-cased (`console`); "" when none.
    pub lang: String,
    /// Whatever follows the language, trimmed.
    pub attrs: &'a str,
    /// The byte offset of `attrs` in the info string.
    pub attrs_offset: usize,
}

/// Splits a fence info string into its language and its attribute text.
pub fn split_info(info: &str) -> FenceInfo<'_> {
    let info_trim = info.trim_start();
    let lead = info.len() - info_trim.len();
    let end = info_trim.find(|c: char| c.is_whitespace() || c == '{').unwrap_or(info_trim.len());
    let lang = info_trim[..end].to_ascii_lowercase();
    let rest = &info_trim[end..];
    let rest_trim = rest.trim_start();
    let attrs_offset = lead + end + (rest.len() - rest_trim.len());
    FenceInfo { lang, attrs: rest_trim.trim_end(), attrs_offset }
}

/// Renders `markdown` (a post body) into HTML and the data later stages use.
pub fn render_markdown(markdown: &str, cx: &RenderContext<'_>) -> RenderedMarkdown {
    let mut pass = Pass::new(markdown, cx);
    for (event, range) in Parser::new_ext(markdown, options()).into_offset_iter() {
        pass.event(event, range);
    }
    pass.finish()
}

/// A heading being read: its attributes, and its inline events and text so far.
struct OpenHeading<'m> {
    level: HeadingLevel,
    /// The id written in the heading (`{#greeting}`), if any.
    id: Option<String>,
    classes: Vec<String>,
    line: usize,
    /// The heading's inline events, written inside the `<hN>` element.
    inner: Vec<Event<'m>>,
    /// The heading's text, for its id and the table of contents.
    text: String,
}

/// A top-level paragraph that has been read, for the code block that may follow it.
struct Paragraph {
    text: String,
    /// `events.len()` right after the paragraph's end.
    end: usize,
}

/// One render of a post's Markdown: the events to write as HTML, and what is gathered
/// on the way (headings, code blocks, links, the summary's end, words).
struct Pass<'m, 'c> {
    markdown: &'m str,
    cx: &'c RenderContext<'c>,
    index: LineIndex,
    out: RenderedMarkdown,
    events: Vec<Event<'m>>,
    /// Nesting depth of block and inline elements; 1 is a top-level block.
    depth: usize,
    /// Heading ids given so far, to keep them unique.
    used_ids: HashSet<String>,
    /// The id of the last heading, for the code blocks under it.
    current_heading: Option<String>,
    heading: Option<OpenHeading<'m>>,
    code: Option<CodeBlock>,
    /// The text of the HTML block being read, scanned for ids at its end (a tag may
    /// span its lines).
    html_block: Option<String>,
    /// The text of the top-level paragraph being read.
    paragraph: Option<String>,
    last_paragraph: Option<Paragraph>,
    /// Where the summary ends: at a `<!-- more -->` marker, else after the first paragraph.
    more_marker_at: Option<usize>,
    first_paragraph_end: Option<usize>,
}

impl<'m, 'c> Pass<'m, 'c> {
    fn new(markdown: &'m str, cx: &'c RenderContext<'c>) -> Self {
        Pass {
            markdown,
            cx,
            index: LineIndex::new(markdown, cx.first_line),
            out: RenderedMarkdown::default(),
            events: Vec::new(),
            depth: 0,
            used_ids: HashSet::new(),
            current_heading: None,
            heading: None,
            code: None,
            html_block: None,
            paragraph: None,
            last_paragraph: None,
            more_marker_at: None,
            first_paragraph_end: None,
        }
    }

    fn event(&mut self, event: Event<'m>, range: Range<usize>) {
        if self.code.is_some() {
            return self.in_code_block(event, range);
        }
        self.raw_html(&event);
        if self.heading.is_some() {
            return self.in_heading(event);
        }
        match event {
            Event::Start(Tag::Heading { level, id, classes, .. }) => {
                self.depth += 1;
                self.heading = Some(OpenHeading {
                    level,
                    id: id.map(|s| s.to_string()),
                    classes: classes.iter().map(|c| c.to_string()).collect(),
                    line: self.index.line(range.start),
                    inner: Vec::new(),
                    text: String::new(),
                });
            }
            Event::Start(Tag::CodeBlock(kind)) => self.start_code_block(&kind, range),
            Event::Start(Tag::Paragraph) => self.start_paragraph(),
            Event::End(TagEnd::Paragraph) => self.end_paragraph(),
            Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                self.depth += 1;
                let (line, column) = self.index.line_col(self.markdown, range.start);
                self.out.links.push(Link { dest: dest_url.to_string(), line, column });
                let dest_url = match self.cx.links.resolve(&dest_url) {
                    Some(url) => CowStr::from(url),
                    None => dest_url,
                };
                self.events.push(Event::Start(Tag::Link { link_type, dest_url, title, id }));
            }
            Event::Html(ref html) if self.is_more_marker(html) => {
                self.more_marker_at.get_or_insert(self.events.len() - 1);
                self.events.push(Event::Html(CowStr::from("<span id=\"more\"></span>\n")));
            }
            Event::Text(_) | Event::Code(_) | Event::SoftBreak | Event::HardBreak => self.prose(event),
            Event::Start(tag) => {
                self.depth += 1;
                self.events.push(Event::Start(tag));
            }
            Event::End(tag) => {
                self.depth = self.depth.saturating_sub(1);
                self.events.push(Event::End(tag));
            }
            other => self.events.push(other),
        }
    }

    /// Keeps the ids that raw HTML defines: an inline tag at once, an HTML block whole
    /// at its end.
    fn raw_html(&mut self, event: &Event<'m>) {
        match event {
            Event::Start(Tag::HtmlBlock) => self.html_block = Some(String::new()),
            Event::Html(html) => match self.html_block.as_mut() {
                Some(block) => block.push_str(html),
                None => html_ids::collect_ids(html, &mut self.out.anchors),
            },
            Event::End(TagEnd::HtmlBlock) => {
                if let Some(block) = self.html_block.take() {
                    html_ids::collect_ids(&block, &mut self.out.anchors);
                }
            }
            Event::InlineHtml(html) => html_ids::collect_ids(html, &mut self.out.anchors),
            _ => {}
        }
    }

    /// Text and breaks outside headings and code: counted as words and kept as the
    /// paragraph's text.
    fn prose(&mut self, event: Event<'m>) {
        match &event {
            Event::Text(t) => {
                self.out.word_count += t.split_whitespace().count();
                if let Some(p) = self.paragraph.as_mut() {
                    p.push_str(t);
                }
            }
            Event::Code(t) => {
                self.out.word_count += 1;
                if let Some(p) = self.paragraph.as_mut() {
                    p.push_str(t);
                }
            }
            _ => {
                if let Some(p) = self.paragraph.as_mut() {
                    p.push(' ');
                }
            }
        }
        self.events.push(event);
    }

    /// A `<!-- more -->` comment as a top-level HTML block of its own.
    fn is_more_marker(&self, html: &str) -> bool {
        self.depth == 1
            && html.trim() == "<!-- more -->"
            && matches!(self.events.last(), Some(Event::Start(Tag::HtmlBlock)))
    }

    fn start_paragraph(&mut self) {
        self.depth += 1;
        if self.depth == 1 {
            self.paragraph = Some(String::new());
        }
        self.events.push(Event::Start(Tag::Paragraph));
    }

    fn end_paragraph(&mut self) {
        self.depth -= 1;
        self.events.push(Event::End(TagEnd::Paragraph));
        if self.depth == 0 {
            self.first_paragraph_end.get_or_insert(self.events.len());
            if let Some(text) = self.paragraph.take() {
                self.last_paragraph = Some(Paragraph { text, end: self.events.len() });
            }
        }
    }

    /// Inside a heading: gathers its inline events and text until its end.
    fn in_heading(&mut self, event: Event<'m>) {
        let heading = self.heading.as_mut().expect("in a heading");
        match event {
            Event::End(TagEnd::Heading(_)) => self.end_heading(),
            Event::Text(ref t) | Event::Code(ref t) => {
                heading.text.push_str(t);
                heading.inner.push(event);
            }
            Event::Start(Tag::Link { .. }) | Event::End(TagEnd::Link) => {} // a heading is its own link
            other => heading.inner.push(other),
        }
    }

    /// Writes the finished heading with its unique id and its anchor link.
    fn end_heading(&mut self) {
        let OpenHeading { level, id, classes, line, inner, text } = self.heading.take().expect("in a heading");
        let id = self.unique_id(id.unwrap_or_else(|| {
            let s = slugify(&text);
            if s.is_empty() {
                "section".to_string()
            } else {
                s
            }
        }));
        let lvl = level as u8;
        let class_attr =
            if classes.is_empty() { String::new() } else { format!(" class=\"{}\"", escape_html(&classes.join(" "))) };
        self.events.push(Event::Html(CowStr::from(format!("<h{lvl} id=\"{}\"{class_attr}>", escape_html(&id)))));
        self.events.extend(inner);
        self.events.push(Event::Html(CowStr::from(format!(
            "<a class=\"anchor\" href=\"#{}\" aria-label=\"Link to this section\">#</a></h{lvl}>\n",
            escape_html(&id)
        ))));
        self.current_heading = Some(id.clone());
        self.out.headings.push(Heading { level: lvl, id, text: text.trim().to_string(), line });
        self.depth -= 1;
        self.last_paragraph = None;
    }

    /// `base`, or `base-1`, `base-2`… when a heading above already has that id.
    fn unique_id(&mut self, base: String) -> String {
        let mut id = base.clone();
        let mut n = 1;
        while !self.used_ids.insert(id.clone()) {
            id = format!("{base}-{n}");
            n += 1;
        }
        id
    }

    /// Opens a code block, located in the file, with the heading above it and the
    /// paragraph right before it.
    fn start_code_block(&mut self, kind: &CodeBlockKind<'m>, range: Range<usize>) {
        self.depth += 1;
        let (markdown, index) = (self.markdown, &self.index);
        let fence_line = index.line(range.start);
        let (lang, attrs, attrs_column) = match kind {
            CodeBlockKind::Fenced(info) => {
                let FenceInfo { lang, attrs, attrs_offset } = split_info(info);
                // The info string starts after the fence characters on the fence line.
                let fence_text = &markdown[range.start..];
                let info_start = fence_text.find(info.as_ref()).map_or(0, |i| range.start + i);
                let column = if attrs.is_empty() { 0 } else { index.line_col(markdown, info_start + attrs_offset).1 };
                (lang, attrs.to_string(), column)
            }
            CodeBlockKind::Indented => (String::new(), String::new(), 0),
        };
        let code_line = if matches!(kind, CodeBlockKind::Fenced(_)) { fence_line + 1 } else { fence_line };
        let prose_before = match &self.last_paragraph {
            Some(p) if p.end == self.events.len() => Some(p.text.clone()),
            _ => None,
        };
        self.code = Some(CodeBlock {
            lang,
            attrs,
            attrs_column,
            code: String::new(),
            line: fence_line,
            code_line,
            code_column: index.line_col(markdown, range.start).1,
            heading: self.current_heading.clone(),
            prose_before,
            unclosed: false,
            ended_by: None,
        });
    }

    /// Inside a code block: gathers its text until its end.
    fn in_code_block(&mut self, event: Event<'m>, range: Range<usize>) {
        let block = self.code.as_mut().expect("in a code block");
        match event {
            Event::Text(t) => block.code.push_str(&t),
            Event::End(TagEnd::CodeBlock) => {
                block.unclosed =
                    block.code_line == block.line + 1 && !ends_with_closing_fence(&self.markdown[range.clone()]);
                block.ended_by = block
                    .unclosed
                    .then(|| line_ending_list_item(self.markdown, range))
                    .flatten()
                    .map(|at| self.index.line(at));
                self.end_code_block();
                self.depth -= 1;
            }
            _ => {}
        }
    }

    /// Renders the open code block and keeps it.
    fn end_code_block(&mut self) {
        let block = self.code.take().expect("in a code block");
        let html = self.cx.code_blocks.render(&block, self.out.code_blocks.len(), self.cx.highlighter);
        self.out.code_blocks.push(block);
        self.events.push(Event::Html(CowStr::from(html)));
    }

    /// Writes the HTML of the post and of its summary.
    fn finish(mut self) -> RenderedMarkdown {
        // An unterminated fence still ends at the end of the document.
        if self.code.is_some() {
            self.end_code_block();
        }
        let mut out = self.out;
        let (end, marker) = match (self.more_marker_at, self.first_paragraph_end) {
            (Some(e), _) => (e, true),
            (None, Some(e)) => (e, false),
            (None, None) => (0, false),
        };
        out.has_more_marker = marker;
        let summary_events = self.events[..end].iter().filter(|e| !matches!(e, Event::FootnoteReference(_))).cloned();
        pulldown_cmark::html::push_html(&mut out.summary_html, summary_events);
        out.html.reserve(self.markdown.len() * 3 / 2);
        pulldown_cmark::html::push_html(&mut out.html, self.events.into_iter());
        // Kept until the pages are written: at their size, not the size they grew to.
        out.html.shrink_to_fit();
        out.summary_html.shrink_to_fit();
        out
    }
}

/// The `href="…"` attribute the HTML of a Markdown link to `dest` has, escaped as
/// pulldown-cmark writes it.
pub fn href_attribute(dest: &str) -> String {
    let mut attr = String::from("href=\"");
    pulldown_cmark_escape::escape_href(&mut attr, dest).expect("writing to a String cannot fail");
    attr.push('"');
    attr
}

/// Estimated minutes to read `words` words (at least 1).
pub fn reading_minutes(words: usize) -> usize {
    words.div_ceil(200).max(1)
}

/// Path-free helper for tests and tools: render with defaults.
pub fn render_simple(markdown: &str) -> RenderedMarkdown {
    let h = Highlighter::new();
    render_markdown(markdown, &RenderContext::new(&h))
}

#[allow(dead_code)]
fn _assert_path(_: &Path) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_get_unique_ids_and_anchors() {
        let r = render_simple("## Start boot2docker\n\ntext\n\n## Start boot2docker\n");
        assert_eq!(
            r.headings.iter().map(|h| h.id.as_str()).collect::<Vec<_>>(),
            ["start-boot2docker", "start-boot2docker-1"]
        );
        assert!(
            r.html.contains(
                "<h2 id=\"start-boot2docker\">Start boot2docker<a class=\"anchor\" href=\"#start-boot2docker\""
            ),
            "{}",
            r.html
        );
    }

    #[test]
    fn explicit_heading_id_wins() {
        let r = render_simple("## Hello {#greeting}\n");
        assert_eq!(r.headings[0].id, "greeting");
    }

    #[test]
    fn summary_from_marker_else_first_paragraph() {
        let r = render_simple("First.\n\nSecond.\n\n<!-- more -->\n\nThird.\n");
        assert!(r.has_more_marker);
        assert_eq!(r.summary_html, "<p>First.</p>\n<p>Second.</p>\n");
        let r = render_simple("# T\n\nFirst para.\n\nSecond.\n");
        assert!(!r.has_more_marker);
        assert_eq!(r.summary_html.trim_end(), "<h1 id=\"t\">T<a class=\"anchor\" href=\"#t\" aria-label=\"Link to this section\">#</a></h1>\n<p>First para.</p>");
    }

    #[test]
    fn code_blocks_are_located_with_prose_and_heading() {
        let md = "## Exec\n\n(Requires docker v1.3 or later)\n\n```console {requires=\"docker 1.3+\"}\n$ docker exec $CONTAINERID <command>\n```\n";
        let h = Highlighter::new();
        let mut cx = RenderContext::new(&h);
        cx.first_line = 5;
        let r = render_markdown(md, &cx);
        let b = &r.code_blocks[0];
        assert_eq!(b.lang, "console");
        assert_eq!(b.attrs, "{requires=\"docker 1.3+\"}");
        assert_eq!(b.attrs_column, 12);
        assert_eq!(b.line, 9);
        assert_eq!(b.code_line, 10);
        assert_eq!(b.heading.as_deref(), Some("exec"));
        assert_eq!(b.prose_before.as_deref(), Some("(Requires docker v1.3 or later)"));
        assert_eq!(b.code, "$ docker exec $CONTAINERID <command>\n");
        assert!(r.html.contains("<span class=\"gp\">$ </span>"), "{}", r.html);
    }

    #[test]
    fn extensions_render() {
        let r = render_simple("| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~ [^1]\n\n- [x] done\n\n[^1]: note\n");
        assert!(r.html.contains("<table>"));
        assert!(r.html.contains("<del>old</del>"));
        assert!(r.html.contains("type=\"checkbox\""));
        assert!(r.html.contains("footnote-definition"));
    }

    #[test]
    fn links_are_collected_with_lines() {
        let r = render_simple("Intro\n\nSee [the template](post-mortem-template.md).\n");
        assert_eq!(r.links, vec![Link { dest: "post-mortem-template.md".into(), line: 3, column: 5 }]);
    }

    #[test]
    fn raw_html_ids_are_anchors() {
        let md = "# <a name=\"user_flag\"></a>Step 2\n\nSee <span id='inline'>this</span>.\n\n<div\n  class=\"note\"\n  id=\"tips\">\n\nText.\n\n</div>\n\n```html\n<a name=\"in-code\"></a>\n```\n\n`<a id=\"in-span\">`\n";
        let r = render_simple(md);
        assert_eq!(r.anchors, ["user_flag", "inline", "tips"]);
        assert_eq!(r.headings[0].id, "step-2");
    }

    #[test]
    fn href_attributes_are_as_rendered() {
        for dest in ["#registry--repository", "other.md#a&b", "/posts/x/#café", "#it's"] {
            let html = render_simple(&format!("[x](<{dest}>)\n")).html;
            assert!(html.contains(&format!("<a {}>", href_attribute(dest))), "{dest}: {html}");
        }
    }

    #[test]
    fn unclosed_fences_are_flagged() {
        let unclosed = |md: &str| render_simple(md).code_blocks.iter().map(|b| b.unclosed).collect::<Vec<_>>();
        assert_eq!(unclosed("```sh\nls\n```\n\n~~~\nx\n~~~~\n"), [false, false]);
        assert_eq!(unclosed("```sh\nls\n\nThe end.\n"), [true]);
        assert_eq!(unclosed("Intro.\n\n```\n"), [true]);
        assert_eq!(unclosed("````md\n```\nx\n"), [true]);
        assert_eq!(unclosed("> ```sh\n> ls\n> ```\n\n- ```\n  x\n  ```\n"), [false, false]);
        assert_eq!(unclosed("> ```sh\n> ls\n\nAfter the quote.\n"), [true]);
        assert_eq!(unclosed("    indented code\n"), [false]);
    }

    #[test]
    fn split_info_examples() {
        let info = |lang: &str, attrs, attrs_offset| FenceInfo { lang: lang.into(), attrs, attrs_offset };
        assert_eq!(split_info("console {test=\"run\"}"), info("console", "{test=\"run\"}", 8));
        assert_eq!(split_info("Bash"), info("bash", "", 4));
        assert_eq!(split_info("sh{id=x}"), info("sh", "{id=x}", 2));
    }

    #[test]
    fn plain_blocks_have_a_label_and_a_copy_button_naming_what_they_copy() {
        let bar = |markdown: &str| {
            let html = render_simple(markdown).html;
            let start = html.find("<div class=\"code-bar\">").expect("a bar");
            html[start..html[start..].find("</div>").unwrap() + start].to_string()
        };
        assert_eq!(
            bar("```apache\nOrder allow,deny\n```\n"),
            "<div class=\"code-bar\"><span class=\"code-lang\">Apache config</span> <button type=\"button\" class=\"code-copy\" hidden aria-label=\"Copy the Apache config\">Copy</button>"
        );
        assert!(bar("```\nx\n```\n")
            .contains(">code</span> <button type=\"button\" class=\"code-copy\" hidden aria-label=\"Copy the code\">"));
        // A language not named keeps its word, escaped.
        assert!(bar("```r<b>\nx\n```\n").contains("<span class=\"code-lang\">r&lt;b&gt;</span> <button type=\"button\" class=\"code-copy\" hidden aria-label=\"Copy the code\">"));
        let html = render_simple("```toml\na = 1\n```\n").html;
        assert!(html.starts_with("<div class=\"code-block\">\n<div class=\"code-bar\">"), "{html}");
        assert!(html.ends_with("</code></pre>\n</div>\n"), "{html}");
    }
}
