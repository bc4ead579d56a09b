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

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.' | '/' | ':')
}
