//! The recursive-descent parser behind [`super::parse`]: one pass over the bytes, with
//! command substitutions parsed recursively so that every offset is absolute.

use super::{
    is_name, placeholder_at, Assignment, HereDoc, RedirectOp, Redirection, Script, SimpleCommand, Span, SyntaxError,
    Word, WordPart,
};

pub(super) fn parse(source: &str) -> Script {
    let mut p = Parser {
        src: source,
        pos: 0,
        end: source.len(),
        depth: 0,
        out: Script::default(),
        pending_heredocs: Vec::new(),
    };
    let result = p.list(Until::End);
    if let Err(e) = result {
        p.out.errors.push(e);
    }
    p.out.commands.sort_by_key(|c| (c.span.start, c.depth));
    p.out
}

type PResult<T> = Result<T, SyntaxError>;

fn err<T>(offset: usize, message: impl Into<String>) -> PResult<T> {
    Err(SyntaxError { offset, message: message.into() })
}

/// What ends the command list being parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Until {
    End,
    /// A `)` closing `$(`, `(` or `<(` opened at this offset.
    Paren(usize),
}

/// A compound command waiting for its closing word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Block {
    If,
    Loop,
    Brace,
    /// In a `case`: `true` while reading patterns, `false` in a branch's commands.
    Case(bool),
}

impl Block {
    fn closer(self) -> &'static str {
        match self {
            Block::If => "fi",
            Block::Loop => "done",
            Block::Brace => "}",
            Block::Case(_) => "esac",
        }
    }
}

/// The command index of a heredoc that belongs to a compound command.
const DETACHED: usize = usize::MAX - 1;

struct PendingHereDoc {
    command: usize,
    redirection: usize,
    delimiter: String,
    strip_tabs: bool,
    op_offset: usize,
}

struct Parser<'a> {
    src: &'a str,
    pos: usize,
    end: usize,
    depth: usize,
    out: Script,
    pending_heredocs: Vec<PendingHereDoc>,
}

/// A simple command being assembled.
#[derive(Default)]
struct Builder {
    assignments: Vec<Assignment>,
    words: Vec<Word>,
    redirections: Vec<Redirection>,
    start: Option<usize>,
    end: usize,
}

impl Builder {
    fn is_empty(&self) -> bool {
        self.start.is_none()
    }
    fn touch(&mut self, span: Span) {
        self.start.get_or_insert(span.start);
        self.end = span.end;
    }
}

fn is_meta(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b';' | b'&' | b'|' | b'(' | b')' | b'<' | b'>')
}

const RESERVED_OPENERS: &[&str] = &[
    "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "for", "select", "case", "esac", "{", "}", "!",
    "function",
];

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<u8> {
        (self.pos < self.end).then(|| self.src.as_bytes()[self.pos])
    }
    fn peek_at(&self, n: usize) -> Option<u8> {
        (self.pos + n < self.end).then(|| self.src.as_bytes()[self.pos + n])
    }
    fn rest(&self) -> &'a str {
        &self.src[self.pos..self.end]
    }
    fn starts_with(&self, s: &str) -> bool {
        self.rest().starts_with(s)
    }

    /// Skips spaces, tabs, line continuations and comments (not newlines).
    fn skip_blanks(&mut self) {
        loop {
            match self.peek() {
                Some(b' ' | b'\t') => self.pos += 1,
                Some(b'\\') if self.peek_at(1) == Some(b'\n') => self.pos += 2,
                Some(b'#') => {
                    while let Some(c) = self.peek() {
                        if c == b'\n' {
                            break;
                        }
                        self.pos += 1;
                    }
                }
                _ => return,
            }
        }
    }

    fn finish(&mut self, b: &mut Builder) {
        let b = std::mem::take(b);
        if let Some(start) = b.start {
            let command = SimpleCommand {
                assignments: b.assignments,
                words: b.words,
                redirections: b.redirections,
                span: Span::new(start, b.end),
                depth: self.depth,
            };
            // Heredocs of this command point at its final index.
            let index = self.out.commands.len();
            for h in self.pending_heredocs.iter_mut().filter(|h| h.command == usize::MAX) {
                h.command = index;
            }
            self.out.commands.push(command);
        }
    }

    /// Parses commands until `until`; on `Paren`, consumes the closing `)`.
    fn list(&mut self, until: Until) -> PResult<()> {
        let mut blocks: Vec<(Block, usize)> = Vec::new();
        let mut b = Builder::default();
        // Set after `|`, `&&`, `||`: (operator, offset) that still needs a command.
        let mut needs_command: Option<(&'static str, usize)> = None;
        // Whether a command (simple or compound) ended just before the cursor.
        let mut after_command = false;
        loop {
            self.skip_blanks();
            let at = self.pos;
            let Some(c) = self.peek() else {
                self.finish(&mut b);
                if let Some(h) = self.pending_heredocs.first() {
                    return err(h.op_offset, format!("the heredoc has no terminator line `{}`", h.delimiter));
                }
                if let Some((op, o)) = needs_command {
                    return err(o, format!("`{op}` is not followed by a command"));
                }
                if let Until::Paren(open) = until {
                    return err(open, "this `(` is never closed by a matching `)`");
                }
                if let Some(&(block, o)) = blocks.last() {
                    return err(o, format!("this block is never closed by `{}`", block.closer()));
                }
                return Ok(());
            };
            // Case patterns: `pat | pat )`.
            if b.is_empty() && matches!(blocks.last(), Some((Block::Case(true), _))) && c != b'\n' && c != b';' {
                if self.word_is("esac") {
                    self.pos += 4;
                    blocks.pop();
                    continue;
                }
                self.case_pattern()?;
                if let Some(last) = blocks.last_mut() {
                    last.0 = Block::Case(false);
                }
                continue;
            }
            match c {
                b'\n' => {
                    self.pos += 1;
                    self.finish(&mut b);
                    self.read_heredocs()?;
                    after_command = false;
                }
                b';' => {
                    self.finish(&mut b);
                    if let Some((op, o)) = needs_command {
                        return err(o, format!("`{op}` is not followed by a command"));
                    }
                    if self.starts_with(";;") || self.starts_with(";&") {
                        let len = if self.starts_with(";;&") { 3 } else { 2 };
                        match blocks.last_mut() {
                            Some((Block::Case(phase), _)) => *phase = true,
                            _ => return err(at, format!("`{}` outside a `case` block", &self.rest()[..len])),
                        }
                        self.pos += len;
                    } else {
                        self.pos += 1;
                    }
                    after_command = false;
                }
                b'&' | b'|' if !self.starts_with("&>") => {
                    let op: &'static str = if self.starts_with("&&") {
                        "&&"
                    } else if self.starts_with("||") {
                        "||"
                    } else if self.starts_with("|&") {
                        "|&"
                    } else if c == b'|' {
                        "|"
                    } else {
                        "&"
                    };
                    if b.is_empty() && !after_command {
                        return err(at, format!("`{op}` has no command before it"));
                    }
                    self.finish(&mut b);
                    after_command = false;
                    self.pos += op.len();
                    needs_command = (op != "&").then_some((op, at));
                    if op != "&" {
                        // A newline after `|`, `&&`, `||` continues the command.
                        loop {
                            self.skip_blanks();
                            if self.peek() == Some(b'\n') {
                                self.pos += 1;
                                self.read_heredocs()?;
                            } else {
                                break;
                            }
                        }
                    }
                    continue;
                }
                b')' => {
                    self.finish(&mut b);
                    if let Some((op, o)) = needs_command {
                        return err(o, format!("`{op}` is not followed by a command"));
                    }
                    match until {
                        Until::Paren(_) => {
                            if let Some(&(block, o)) = blocks.last() {
                                return err(o, format!("this block is never closed by `{}`", block.closer()));
                            }
                            self.pos += 1;
                            return Ok(());
                        }
                        Until::End => return err(at, "unexpected `)` with no `(` before it"),
                    }
                }
                b'(' if b.is_empty() => {
                    if self.starts_with("((") {
                        self.arithmetic_command()?;
                    } else {
                        self.pos += 1;
                        self.list(Until::Paren(at))?;
                    }
                    needs_command = None;
                    after_command = true;
                    continue;
                }
                b'(' => {
                    // `name()`: a function definition; its body follows.
                    if b.words.len() == 1 && self.rest()[1..].trim_start_matches([' ', '\t']).starts_with(')') {
                        b = Builder::default();
                        self.pos += 1;
                        self.skip_blanks();
                        self.pos += 1;
                    } else {
                        return err(at, "unexpected `(` in the middle of a command");
                    }
                }
                _ => {
                    // Reserved words count only where a command starts.
                    if b.is_empty() {
                        if let Some(word) = self.reserved_word() {
                            needs_command = None;
                            self.reserved(word, at, &mut blocks)?;
                            after_command = matches!(word, "fi" | "done" | "}" | "esac");
                            continue;
                        }
                    }
                    if b.is_empty() && after_command && self.redirect_op().is_some() {
                        // `done < file`, `) > log`: a redirection of the compound command.
                        self.word_or_redirection(&mut Builder::default())?;
                        // Its heredoc body is read (and checked) but belongs to no simple command.
                        for h in self.pending_heredocs.iter_mut().filter(|h| h.command == usize::MAX) {
                            h.command = DETACHED;
                        }
                        continue;
                    }
                    self.word_or_redirection(&mut b)?;
                    needs_command = None;
                    after_command = true;
                    continue;
                }
            }
            needs_command = None;
        }
    }

    /// Whether the input continues with `word` followed by a metacharacter or the end.
    fn word_is(&self, word: &str) -> bool {
        let after = self.pos + word.len();
        self.starts_with(word) && (after >= self.end || is_meta(self.src.as_bytes()[after]))
    }

    fn reserved_word(&self) -> Option<&'static str> {
        RESERVED_OPENERS.iter().copied().find(|w| self.word_is(w))
    }

    fn reserved(&mut self, word: &'static str, at: usize, blocks: &mut Vec<(Block, usize)>) -> PResult<()> {
        self.pos += word.len();
        let close = |blocks: &mut Vec<(Block, usize)>, want: Block| -> PResult<()> {
            match blocks.last() {
                Some(&(b, _)) if std::mem::discriminant(&b) == std::mem::discriminant(&want) => {
                    blocks.pop();
                    Ok(())
                }
                _ => err(at, format!("unexpected `{word}`: no open block for it to close")),
            }
        };
        match word {
            "if" => blocks.push((Block::If, at)),
            "while" | "until" => blocks.push((Block::Loop, at)),
            "{" => blocks.push((Block::Brace, at)),
            "fi" => close(blocks, Block::If)?,
            "done" => close(blocks, Block::Loop)?,
            "}" => close(blocks, Block::Brace)?,
            "esac" => close(blocks, Block::Case(false))?,
            "for" | "select" => {
                blocks.push((Block::Loop, at));
                self.skip_blanks();
                let name_start = self.pos;
                let w = self.word()?;
                if self.rest().is_empty() && w.raw.is_empty() {
                    return err(at, format!("`{word}` needs a variable name"));
                }
                if is_name(&w.raw) {
                    self.out.loop_variables.push((w.raw.clone(), Span::new(name_start, self.pos)));
                }
                self.skip_blanks();
                if self.word_is("in") {
                    self.pos += 2;
                    loop {
                        self.skip_blanks();
                        match self.peek() {
                            None | Some(b'\n' | b';') => break,
                            _ => {
                                let before = self.pos;
                                self.word()?;
                                if self.pos == before {
                                    return err(self.pos, "unexpected character in a `for` list");
                                }
                            }
                        }
                    }
                }
            }
            "case" => {
                self.skip_blanks();
                self.word()?;
                self.skip_blanks();
                while self.peek() == Some(b'\n') {
                    self.pos += 1;
                    self.skip_blanks();
                }
                if !self.word_is("in") {
                    return err(at, "`case WORD` must be followed by `in`");
                }
                self.pos += 2;
                blocks.push((Block::Case(true), at));
            }
            "function" => {
                self.skip_blanks();
                self.word()?;
                self.skip_blanks();
                if self.starts_with("()") {
                    self.pos += 2;
                }
            }
            _ => {} // then, else, elif, do, !: separators of the enclosing block
        }
        Ok(())
    }

    /// `( pattern | pattern )` of a `case` branch.
    fn case_pattern(&mut self) -> PResult<()> {
        let at = self.pos;
        if self.peek() == Some(b'(') {
            self.pos += 1;
        }
        loop {
            self.skip_blanks();
            match self.peek() {
                Some(b')') => {
                    self.pos += 1;
                    return Ok(());
                }
                Some(b'|') => self.pos += 1,
                None | Some(b'\n') => return err(at, "a `case` pattern must end with `)`"),
                _ => {
                    let before = self.pos;
                    self.word()?;
                    if self.pos == before {
                        return err(self.pos, "unexpected character in a `case` pattern");
                    }
                }
            }
        }
    }

    /// `(( expression ))` as a command.
    fn arithmetic_command(&mut self) -> PResult<()> {
        let at = self.pos;
        self.pos += 2;
        self.skip_parens(at, 2, "this `((` is never closed by `))`")
    }

    /// Skips to the `)` that closes `open` levels of parentheses already entered.
    fn skip_parens(&mut self, at: usize, open: usize, message: &str) -> PResult<()> {
        let mut level = open;
        while let Some(c) = self.peek() {
            self.pos += 1;
            match c {
                b'(' => level += 1,
                b')' => {
                    level -= 1;
                    if level == 0 {
                        return Ok(());
                    }
                }
                _ => {}
            }
        }
        err(at, message)
    }

    /// A redirection, an assignment or a word, added to `b`.
    fn word_or_redirection(&mut self, b: &mut Builder) -> PResult<()> {
        let at = self.pos;
        if let Some((fd, op, len)) = self.redirect_op() {
            self.pos += len;
            self.skip_blanks();
            let target_at = self.pos;
            if self.peek().is_none_or(|c| c == b'\n' || (is_meta(c) && self.placeholder(self.pos).is_none())) {
                return err(at, format!("`{}` has no target", &self.src[at..at + len]));
            }
            let target = self.word()?;
            if target.span.start == target_at && target.raw.is_empty() {
                return err(at, format!("`{}` has no target", &self.src[at..at + len]));
            }
            let span = Span::new(at, self.pos);
            if matches!(op, RedirectOp::HereDoc | RedirectOp::HereDocStripTabs) {
                let quoted = target.raw.contains(['\'', '"', '\\']);
                let delimiter = target.expand_with(|p| match p {
                    WordPart::Variable { name, .. } => format!("${name}"),
                    _ => String::new(),
                });
                self.pending_heredocs.push(PendingHereDoc {
                    command: usize::MAX,
                    redirection: b.redirections.len(),
                    delimiter,
                    strip_tabs: op == RedirectOp::HereDocStripTabs,
                    op_offset: at,
                });
                b.redirections.push(Redirection {
                    fd,
                    op,
                    target,
                    heredoc: Some(HereDoc { body: String::new(), span, quoted }),
                    span,
                });
            } else {
                b.redirections.push(Redirection { fd, op, target, heredoc: None, span });
            }
            b.touch(span);
            return Ok(());
        }
        let word = self.word()?;
        if word.raw.is_empty() {
            return err(at, format!("unexpected `{}`", self.rest().chars().next().unwrap_or(' ')));
        }
        let span = word.span;
        if b.words.is_empty() {
            if let Some(eq) = word.raw.find('=') {
                let name = word.raw[..eq].trim_end_matches('+');
                if is_name(name) {
                    let value_raw = &word.raw[eq + 1..];
                    let value_start = span.start + eq + 1;
                    let value = assignment_value(value_raw, value_start, &word);
                    b.assignments.push(Assignment { name: name.to_string(), value, span });
                    b.touch(span);
                    return Ok(());
                }
            }
        }
        b.words.push(word);
        b.touch(span);
        Ok(())
    }

    /// A redirection operator at the cursor: (fd, op, length in bytes).
    fn redirect_op(&self) -> Option<(Option<u32>, RedirectOp, usize)> {
        let rest = self.rest();
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let (fd, after) = if digits > 0 && rest[digits..].starts_with(['<', '>']) {
            (rest[..digits].parse().ok(), &rest[digits..])
        } else {
            (None, rest)
        };
        // A number does not turn `<name>` into a redirection: `2<name>` is a word.
        if self.placeholder(self.pos + rest.len() - after.len()).is_some() {
            return None;
        }
        const OPS: &[(&str, RedirectOp)] = &[
            ("&>>", RedirectOp::AppendOutputAndError),
            ("&>", RedirectOp::OutputAndError),
            ("<<<", RedirectOp::HereString),
            ("<<-", RedirectOp::HereDocStripTabs),
            ("<<", RedirectOp::HereDoc),
            ("<&", RedirectOp::DupInput),
            ("<>", RedirectOp::ReadWrite),
            (">>", RedirectOp::Append),
            (">&", RedirectOp::DupOutput),
            (">|", RedirectOp::Clobber),
            ("<", RedirectOp::Input),
            (">", RedirectOp::Output),
        ];
        for (text, op) in OPS {
            if after.starts_with(text) && !(fd.is_some() && text.starts_with('&')) {
                // `<(` and `>(` are process substitutions, not redirections.
                if (*text == "<" || *text == ">") && after[1..].starts_with('(') {
                    return None;
                }
                return Some((fd, *op, digits + text.len()));
            }
        }
        None
    }

    /// The `<placeholder>` whose `<` is at byte `at` ([`placeholder_at`]), within what is
    /// being parsed.
    fn placeholder(&self, at: usize) -> Option<Span> {
        placeholder_at(&self.src[..self.end], at)
    }

    /// Reads one word (possibly empty) at the cursor.
    fn word(&mut self) -> PResult<Word> {
        let start = self.pos;
        let mut parts: Vec<WordPart> = Vec::new();
        let mut text = String::new();
        fn flush(text: &mut String, parts: &mut Vec<WordPart>, quoted: bool) {
            if !text.is_empty() {
                match parts.last_mut() {
                    Some(WordPart::Text { text: t, quoted: q }) if *q == quoted => t.push_str(text),
                    _ => parts.push(WordPart::Text { text: std::mem::take(text), quoted }),
                }
                text.clear();
            }
        }
        while let Some(c) = self.peek() {
            match c {
                b'<' | b'>' if self.peek_at(1) == Some(b'(') && self.pos == start => {
                    flush(&mut text, &mut parts, false);
                    let at = self.pos;
                    self.pos += 2;
                    self.nested(Until::Paren(at + 1))?;
                    parts.push(WordPart::CommandSubstitution { span: Span::new(at, self.pos), quoted: false });
                }
                b'<' => match self.placeholder(self.pos) {
                    Some(span) => {
                        flush(&mut text, &mut parts, false);
                        parts.push(placeholder_part(self.src, span));
                        self.pos = span.end;
                    }
                    None => break,
                },
                c if is_meta(c) => break,
                b'\\' => {
                    match self.rest()[1..].chars().next() {
                        Some('\n') => {}
                        Some(ch) => text.push(ch),
                        None => text.push('\\'),
                    }
                    self.pos += 1 + self.rest()[1..].chars().next().map_or(0, char::len_utf8);
                }
                b'\'' => {
                    let at = self.pos;
                    let Some(close) = self.rest()[1..].find('\'') else {
                        return err(at, "this single quote is never closed");
                    };
                    flush(&mut text, &mut parts, false);
                    // Placeholders a reader fills in can sit inside quotes too (when they
                    // contain a space, so that `"^<none>"` stays literal).
                    quoted_text_with_placeholders(self.src, Span::new(self.pos + 1, self.pos + 1 + close), &mut parts);
                    self.pos += close + 2;
                }
                b'"' => {
                    flush(&mut text, &mut parts, false);
                    self.double_quoted(&mut parts)?;
                }
                b'$' => {
                    flush(&mut text, &mut parts, false);
                    if let Some(part) = self.dollar(false)? {
                        parts.push(part);
                    } else {
                        text.push('$');
                        self.pos += 1;
                    }
                }
                b'`' => {
                    flush(&mut text, &mut parts, false);
                    let span = self.backticks()?;
                    parts.push(WordPart::CommandSubstitution { span, quoted: false });
                }
                _ => {
                    let ch = self.rest().chars().next().expect("not at end");
                    text.push(ch);
                    self.pos += ch.len_utf8();
                }
            }
        }
        flush(&mut text, &mut parts, false);
        Ok(Word { raw: self.src[start..self.pos].to_string(), span: Span::new(start, self.pos), parts })
    }

    fn double_quoted(&mut self, parts: &mut Vec<WordPart>) -> PResult<()> {
        let at = self.pos;
        self.pos += 1;
        let mut text = String::new();
        let push_text = |text: &mut String, parts: &mut Vec<WordPart>| {
            if !text.is_empty() {
                parts.push(WordPart::Text { text: std::mem::take(text), quoted: true });
            }
        };
        loop {
            let Some(c) = self.peek() else {
                return err(at, "this double quote is never closed");
            };
            match c {
                b'"' => {
                    push_text(&mut text, parts);
                    self.pos += 1;
                    return Ok(());
                }
                b'\\' => {
                    match self.peek_at(1) {
                        Some(b'$' | b'`' | b'"' | b'\\') => text.push(self.src.as_bytes()[self.pos + 1] as char),
                        Some(b'\n') => {}
                        _ => text.push('\\'),
                    }
                    self.pos += if matches!(self.peek_at(1), Some(b'$' | b'`' | b'"' | b'\\' | b'\n')) { 2 } else { 1 };
                }
                b'$' => {
                    push_text(&mut text, parts);
                    if let Some(part) = self.dollar(true)? {
                        parts.push(part);
                    } else {
                        text.push('$');
                        self.pos += 1;
                    }
                }
                b'`' => {
                    push_text(&mut text, parts);
                    let span = self.backticks()?;
                    parts.push(WordPart::CommandSubstitution { span, quoted: true });
                }
                b'<' if self.placeholder(self.pos).is_some_and(|span| span.text(self.src).contains(' ')) => {
                    let span = self.placeholder(self.pos).expect("just found");
                    push_text(&mut text, parts);
                    parts.push(placeholder_part(self.src, span));
                    self.pos = span.end;
                }
                _ => {
                    let ch = self.rest().chars().next().expect("not at end");
                    text.push(ch);
                    self.pos += ch.len_utf8();
                }
            }
        }
    }

    /// `$NAME`, `${...}`, `$(...)`, `$((...))`, `$'...'`; `None` for a literal `$`.
    fn dollar(&mut self, quoted: bool) -> PResult<Option<WordPart>> {
        let at = self.pos;
        let rest = &self.rest()[1..];
        if rest.starts_with("((") {
            self.pos += 3;
            self.skip_parens(at, 2, "this `$((` is never closed by `))`")?;
            return Ok(Some(WordPart::Arithmetic { span: Span::new(at, self.pos), quoted }));
        }
        if rest.starts_with('(') {
            self.pos += 2;
            self.nested(Until::Paren(at))?;
            return Ok(Some(WordPart::CommandSubstitution { span: Span::new(at, self.pos), quoted }));
        }
        if rest.starts_with('{') {
            let mut level = 0usize;
            let mut i = self.pos + 1;
            let bytes = self.src.as_bytes();
            while i < self.end {
                match bytes[i] {
                    b'{' => level += 1,
                    b'}' => {
                        level -= 1;
                        if level == 0 {
                            break;
                        }
                    }
                    b'\\' => i += 1,
                    _ => {}
                }
                i += 1;
            }
            if i >= self.end {
                return err(at, "this `${` is never closed by `}`");
            }
            let inner = &self.src[self.pos + 2..i];
            let inner = inner.trim_start_matches(['#', '!']);
            let name_len = if inner.starts_with(|c: char| c.is_ascii_digit() || "?@#$!*-".contains(c)) {
                1
            } else {
                inner.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(inner.len())
            };
            let name = inner[..name_len].to_string();
            self.pos = i + 1;
            if name.is_empty() {
                return err(at, "`${}` needs a variable name");
            }
            return Ok(Some(WordPart::Variable { name, span: Span::new(at, self.pos), quoted }));
        }
        if !quoted && rest.starts_with('\'') {
            // $'...' with backslash escapes.
            let bytes = self.src.as_bytes();
            let mut i = self.pos + 2;
            while i < self.end && bytes[i] != b'\'' {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            if i >= self.end {
                return err(at, "this `$'` quote is never closed");
            }
            let text = self.src[self.pos + 2..i].to_string();
            self.pos = i + 1;
            return Ok(Some(WordPart::Text { text, quoted: true }));
        }
        let c = rest.chars().next();
        let len = match c {
            Some(c) if c.is_ascii_digit() || "?@#$!*-".contains(c) => 1,
            Some(c) if c.is_ascii_alphabetic() || c == '_' => {
                rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len())
            }
            _ => return Ok(None),
        };
        let name = rest[..len].to_string();
        self.pos += 1 + len;
        Ok(Some(WordPart::Variable { name, span: Span::new(at, self.pos), quoted }))
    }

    /// Parses a nested command list one level deeper (after `$(`, `(` or `<(`).
    fn nested(&mut self, until: Until) -> PResult<()> {
        self.depth += 1;
        let r = self.list(until);
        self.depth -= 1;
        r
    }

    /// `` `...` ``: finds the closing backtick and parses the inside one level deeper.
    fn backticks(&mut self) -> PResult<Span> {
        let at = self.pos;
        let bytes = self.src.as_bytes();
        let mut i = at + 1;
        while i < self.end && bytes[i] != b'`' {
            i += if bytes[i] == b'\\' { 2 } else { 1 };
        }
        if i >= self.end {
            return err(at, "this backtick is never closed");
        }
        let saved_end = self.end;
        self.pos = at + 1;
        self.end = i;
        let r = self.nested(Until::End);
        self.end = saved_end;
        r?;
        self.pos = i + 1;
        Ok(Span::new(at, self.pos))
    }

    /// After a newline: reads the bodies of the heredocs opened on the line before.
    fn read_heredocs(&mut self) -> PResult<()> {
        for h in std::mem::take(&mut self.pending_heredocs) {
            let body_start = self.pos;
            let mut found = false;
            while self.pos < self.end {
                let line_end = self.rest().find('\n').map_or(self.end, |i| self.pos + i);
                let line = &self.src[self.pos..line_end];
                let candidate = if h.strip_tabs { line.trim_start_matches('\t') } else { line };
                let next = (line_end + 1).min(self.end);
                if candidate == h.delimiter {
                    let body = self.src[body_start..self.pos].to_string();
                    if let Some(r) =
                        self.out.commands.get_mut(h.command).and_then(|c| c.redirections.get_mut(h.redirection))
                    {
                        if let Some(doc) = r.heredoc.as_mut() {
                            doc.body = body;
                            doc.span = Span::new(body_start, self.pos);
                        }
                    }
                    self.pos = next;
                    found = true;
                    break;
                }
                self.pos = next;
                if line_end == self.end {
                    break;
                }
            }
            if !found {
                return err(h.op_offset, format!("the heredoc has no terminator line `{}`", h.delimiter));
            }
        }
        Ok(())
    }
}

/// The value of `NAME=value` as a word of its own, located after the `=`.
fn assignment_value(raw: &str, start: usize, whole: &Word) -> Word {
    // The value's parts are the word's parts minus the `NAME=` text at the front.
    let name_len = whole.raw.len() - raw.len();
    let mut parts = whole.parts.clone();
    if let Some(WordPart::Text { text, .. }) = parts.first_mut() {
        if text.len() >= name_len {
            text.drain(..name_len);
        }
        if text.is_empty() {
            parts.remove(0);
        }
    }
    Word { raw: raw.to_string(), span: Span::new(start, whole.span.end), parts }
}

/// The part for the placeholder at `span` of `source`.
fn placeholder_part(source: &str, span: Span) -> WordPart {
    WordPart::Placeholder { text: source[span.start + 1..span.end - 1].to_string(), span }
}

/// Quoted text at `span` of `source` as parts: literal text, with
/// `<multi word placeholders>` picked out.
fn quoted_text_with_placeholders(source: &str, span: Span, parts: &mut Vec<WordPart>) {
    let mut last = span.start;
    let mut i = span.start;
    while i < span.end {
        let found = placeholder_at(source, i).filter(|p| p.end <= span.end && p.text(source).contains(' '));
        match found {
            Some(placeholder) => {
                if last < i {
                    parts.push(WordPart::Text { text: source[last..i].to_string(), quoted: true });
                }
                parts.push(placeholder_part(source, placeholder));
                i = placeholder.end;
                last = i;
            }
            None => i += 1,
        }
    }
    if last < span.end {
        parts.push(WordPart::Text { text: source[last..span.end].to_string(), quoted: true });
    }
}
