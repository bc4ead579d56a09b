//! The link targets that raw HTML in a post defines: the `id` of any element, and the
//! `name` of an `<a>` (`<a name="user_flag"></a>`). A small scan of start tags, not an
//! HTML parser: comments are skipped, attribute names and tag names are read without
//! regard to case, and values may be double-quoted, single-quoted or unquoted.

/// Adds to `out` the ids and `<a>` names of the start tags in `html`, in order.
pub fn collect_ids(html: &str, out: &mut Vec<String>) {
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        rest = &rest[lt + 1..];
        if let Some(comment) = rest.strip_prefix("!--") {
            rest = comment.find("-->").map_or("", |end| &comment[end + 3..]);
            continue;
        }
        if !rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
            continue; // an end tag, a declaration, or a `<` in text
        }
        let name_len = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '-')).unwrap_or(rest.len());
        let is_anchor = rest[..name_len].eq_ignore_ascii_case("a");
        rest = read_attributes(&rest[name_len..], |name, value| {
            let is_target = name.eq_ignore_ascii_case("id") || (is_anchor && name.eq_ignore_ascii_case("name"));
            if is_target && !value.is_empty() {
                out.push(decode_entities(value));
            }
        });
    }
}

/// Reads the attributes of a start tag up to its `>`, calling `f` with each name and
/// value (empty for an attribute without one); returns the text after the tag.
fn read_attributes(mut rest: &str, mut f: impl FnMut(&str, &str)) -> &str {
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == '/');
        if rest.is_empty() {
            return rest;
        }
        if let Some(after) = rest.strip_prefix('>') {
            return after;
        }
        let name_len =
            rest.find(|c: char| c.is_ascii_whitespace() || matches!(c, '=' | '>' | '/')).unwrap_or(rest.len()).max(1);
        let name = &rest[..name_len];
        rest = rest[name_len..].trim_start_matches(|c: char| c.is_ascii_whitespace());
        let Some(after_eq) = rest.strip_prefix('=') else {
            f(name, "");
            continue;
        };
        rest = after_eq.trim_start_matches(|c: char| c.is_ascii_whitespace());
        let value = match rest.chars().next() {
            Some(q @ ('"' | '\'')) => {
                let body = &rest[1..];
                let end = body.find(q).unwrap_or(body.len());
                rest = body.get(end + 1..).unwrap_or("");
                &body[..end]
            }
            _ => {
                let end = rest.find(|c: char| c.is_ascii_whitespace() || c == '>').unwrap_or(rest.len());
                let value = &rest[..end];
                rest = &rest[end..];
                value
            }
        };
        f(name, value);
    }
}

/// `a&amp;b` → `a&b`: the character references an attribute value most often holds
/// (the five of XML, and numeric ones); any other `&` stays as written.
fn decode_entities(value: &str) -> String {
    if !value.contains('&') {
        return value.to_string();
    }
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let decoded = rest.find(';').and_then(|semi| Some((decode_entity(&rest[1..semi])?, semi)));
        match decoded {
            Some((c, semi)) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The character of the reference `name` (between `&` and `;`), if it is one of those known.
fn decode_entity(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            char::from_u32(code)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(html: &str) -> Vec<String> {
        let mut out = Vec::new();
        collect_ids(html, &mut out);
        out
    }

    #[test]
    fn anchor_names_and_ids_in_every_quoting() {
        assert_eq!(ids("<a name=\"user_flag\"></a>"), ["user_flag"]);
        assert_eq!(ids("<A NAME='step-2'></A>"), ["step-2"]);
        assert_eq!(ids("<a id=plain>x</a> and <a\n  href=\"#x\"\n  name = spaced >"), ["plain", "spaced"]);
        assert_eq!(ids("<div class=\"note\" ID=\"Tips\"><span id='inner'/></div>"), ["Tips", "inner"]);
    }

    #[test]
    fn names_count_on_links_only_and_comments_are_skipped() {
        assert_eq!(ids("<input name=\"q\"><meta name=description>"), Vec::<String>::new());
        assert_eq!(ids("<!-- <a name=\"old\"></a> --><p id=\"new\">"), ["new"]);
        assert_eq!(ids("x < y and <abbr title='a > b' id=t>"), ["t"]);
        assert_eq!(ids("<p data-id=\"no\" hidden id=\"\">"), Vec::<String>::new());
        assert_eq!(ids("<a name=\"cut"), ["cut"]);
    }

    #[test]
    fn character_references_are_decoded() {
        assert_eq!(ids("<a id=\"q&amp;a\"></a><a id='&#120;&#x79;&nope;'>"), ["q&a", "xy&nope;"]);
    }
}
