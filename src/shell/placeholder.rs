//! The one rule for `<placeholders>` in snippets, shared by the parser (which reads them
//! as words) and by whoever must hide them from another tool (shellcheck's masking).
//!
//! A placeholder is `<`, a name, then `>`, all on one line: `<command>`,
//! `<container-id>`, `<path to log file>`, `<host:port>`, `<café>`, `<имя>`.
//!
//! - The name starts with a letter and holds letters, digits, spaces and `-_./:`.
//!   Letters and digits are Unicode ones ([`char::is_alphabetic`],
//!   [`char::is_alphanumeric`]); a space is the ASCII space only (no tab, no newline).
//! - The name does not end with a space: `sort <in >out` is two redirections, not the
//!   placeholder `<in >`.
//! - The `<` does not directly follow another `<`: `<<EOF>` and `<<<word>` are a heredoc
//!   and a here-string, never placeholders.
//!
//! Anything else is shell: `a<b` and `< file` are redirections, `<1>`, `<>` and `<-x>`
//! are not names. Nothing before the `<` matters otherwise: `2<name>` is the text `2`
//! followed by a placeholder, as `x<name>` is.
//!
//! Argument checks read one more kind (see [`capital_names`]): an all-capitals name with
//! an `_` in plain text, `YOUR_USERNAME/app`, `DOCKER_ID`. The shell reads it as text,
//! so only the checks that hand words to another program stand in for it.
//!
//! A synopsis line (`docker run [OPTIONS] IMAGE[:TAG|@DIGEST] [COMMAND] [ARG...]`) shows
//! the form of a command: its markers ([`synopsis_words`]) are placeholders too, never
//! shell (the `|` in `[:TAG|@DIGEST]` is no pipe).

use super::Span;

/// The `<placeholder>` whose `<` is at byte `offset` of `source`, if there is one there.
pub fn placeholder_at(source: &str, offset: usize) -> Option<Span> {
    let bytes = source.as_bytes();
    if bytes.get(offset) != Some(&b'<') || (offset > 0 && bytes[offset - 1] == b'<') {
        return None;
    }
    let name = &source[offset + 1..];
    if !name.starts_with(char::is_alphabetic) {
        return None;
    }
    let close = name.find(|c: char| !is_name_char(c))?;
    if bytes[offset + 1 + close] != b'>' || name[..close].ends_with(' ') {
        return None;
    }
    Some(Span::new(offset, offset + close + 2))
}

/// Every `<placeholder>` in `text`, in order, wherever it is (in quotes, comments and
/// heredoc bodies too): the places the parser reads a placeholder are among them.
pub fn placeholders(text: &str) -> Vec<Span> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find('<') {
        match placeholder_at(text, from + i) {
            Some(span) => {
                found.push(span);
                from = span.end;
            }
            None => from += i + 1,
        }
    }
    found
}

/// Every all-capitals name with an `_` in `text`, in order: `YOUR_USERNAME` in
/// `YOUR_USERNAME/myfirstapp`, `DOCKER_ID`. A name starts with an ASCII capital letter,
/// holds capitals, digits and `_` (at least one `_`, not last), and is no part of a longer
/// word: a letter, digit or `_` on either side, or a `$` or `{` before it (`$MY_VAR`,
/// `${MY_VAR}`, `My_APP`, `APP_v2`), make it none. Image names, hosts and subcommands are
/// lower-case, so such a name in an argument is one the reader fills in.
pub fn capital_names(text: &str) -> Vec<Span> {
    let bytes = text.as_bytes();
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !is_word(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && is_word(bytes[i]) {
            i += 1;
        }
        let word = &text[start..i];
        let before = start.checked_sub(1).map(|b| bytes[b]);
        let capitals = word.starts_with(|c: char| c.is_ascii_uppercase())
            && word.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
            && word.contains('_')
            && !word.ends_with('_');
        let free = !matches!(before, Some(b'$' | b'{')) && (i == bytes.len() || bytes[i].is_ascii());
        if capitals && free {
            found.push(Span::new(start, i));
        }
    }
    found
}

/// The synopsis markers of `text`, line by line: on a line that has one `[…]` word with
/// a capital letter or a `|` inside (`[OPTIONS]`, `[ARG...]`, `[-a|--all]`), or one word
/// ending with `...` (`CONTAINER...`, `...` for more arguments), each such word, and each
/// capital name with a bracket after it (`IMAGE[:TAG|@DIGEST]`). A word with a quote in
/// it is never one.
pub fn synopsis_words(text: &str) -> Vec<Span> {
    let mut found = Vec::new();
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let words: Vec<Span> = line
            .split(|c: char| c.is_ascii_whitespace())
            .scan(0, |at, word| {
                let start = *at;
                *at += word.len() + 1;
                Some(Span::new(line_start + start, line_start + start + word.len()))
            })
            .filter(|w| w.end > w.start && !w.text(text).contains(['"', '\'', '`']))
            .collect();
        let bracketed = |w: &str| {
            w.len() > 2
                && w.starts_with('[')
                && w.ends_with(']')
                && w.contains(|c: char| c.is_ascii_uppercase() || c == '|')
        };
        let more = |w: &str| w.ends_with("...");
        let named = |w: &str| {
            w.split_once('[').is_some_and(|(name, rest)| {
                name.starts_with(|c: char| c.is_ascii_uppercase())
                    && name.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
                    && rest.ends_with(']')
            })
        };
        if words.iter().any(|w| bracketed(w.text(text)) || more(w.text(text))) {
            let markers = words.into_iter().filter(|w| {
                let w = w.text(text);
                bracketed(w) || more(w) || named(w)
            });
            found.extend(markers);
        }
        line_start += line.len();
    }
    found
}

/// `text` with each of `spans` (in order, not overlapping; one that overlaps the one
/// before is left out) replaced by as many `x`s as it has characters: a word for any
/// reader, and the columns stay the same.
pub fn masked(text: &str, spans: &[Span]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for span in spans {
        if span.start < last {
            continue;
        }
        out.push_str(&text[last..span.start]);
        out.push_str(&"x".repeat(span.text(text).chars().count()));
        last = span.end;
    }
    out.push_str(&text[last..]);
    out
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.' | '/' | ':')
}
