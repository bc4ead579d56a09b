//! Fence attributes of snippets, Hugo-style: `{requires="docker 1.3+", test="run",
//! id="list-containers", timeout="30s", exit=1, output="silent",
//! shellcheck="SC2086,SC2046", allow="privileged"}` (commas optional, values quoted or
//! bare).
//! Every mistake is an error located by its byte offset in the attribute text.

use std::time::Duration;

/// The keys a snippet fence accepts.
pub const KNOWN_KEYS: &[&str] = &["requires", "test", "id", "timeout", "exit", "output", "skip", "shellcheck", "allow"];

/// What `allow=` may name: the kinds of docker flags the engine screen refuses unless
/// the block opts in (`gen test --engine docker`).
pub const ENGINE_ALLOWANCES: &[&str] =
    &["privileged", "device", "cap-add", "host-namespace", "unconfined", "host-mount", "docker-socket"];

/// How `gen test` treats a snippet.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum TestMode {
    /// Syntax, lint and requirement checks only (the default).
    #[default]
    Check,
    /// Also run it in a sandbox and compare its output.
    Run,
    /// Not tested; with the author's reason when given.
    Skip { reason: Option<String> },
}

impl TestMode {
    pub fn as_str(&self) -> &'static str {
        match self {
            TestMode::Check => "check",
            TestMode::Run => "run",
            TestMode::Skip { .. } => "skip",
        }
    }
}

/// What a run compares of a snippet's output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputCheck {
    /// The output lines the block shows (the default): a block that shows none asserts
    /// only the exit status.
    #[default]
    Shown,
    /// `output="silent"`: the commands print nothing; anything printed fails the run.
    Silent,
}

/// A value with the byte offset in the attribute text where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located<T> {
    pub value: T,
    pub offset: usize,
}

/// The attributes of one fence, each as written (absent ones are `None`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FenceAttrs {
    /// The requirement list, unparsed (offset: its first character, inside the quotes).
    pub requires: Option<Located<String>>,
    pub test: Option<TestMode>,
    pub id: Option<Located<String>>,
    pub timeout: Option<Duration>,
    pub exit: Option<i32>,
    pub output: Option<OutputCheck>,
    /// shellcheck codes this snippet excludes, as `SC2086` (written `SC2086` or `2086`,
    /// separated by commas or spaces).
    pub shellcheck: Vec<String>,
    /// The screened docker flags the block may use against the engine, by kind (one of
    /// [`ENGINE_ALLOWANCES`] each).
    pub allow: Vec<String>,
}

/// A mistake in the attribute text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttrError {
    /// Byte offset in the attribute text.
    pub offset: usize,
    pub message: String,
    pub help: String,
}

fn fail<T>(offset: usize, message: impl Into<String>, help: impl Into<String>) -> Result<T, AttrError> {
    Err(AttrError { offset, message: message.into(), help: help.into() })
}

const SYNTAX_HELP: &str = "write attributes in braces after the language: ```console {requires=\"docker 1.3+\", test=\"run\", id=\"my-snippet\"}";

/// Parses the text after a snippet fence's language ("" gives no attributes).
pub fn parse_attrs(text: &str) -> Result<FenceAttrs, AttrError> {
    let mut attrs = FenceAttrs::default();
    if text.trim().is_empty() {
        return Ok(attrs);
    }
    let lead = text.len() - text.trim_start().len();
    let body = text.trim_start();
    if !body.starts_with('{') {
        return fail(lead, format!("unexpected text `{}` after the language", body.trim_end()), SYNTAX_HELP);
    }
    let close = match find_close(body) {
        Ok(i) => i,
        Err(Some(quote)) => {
            return fail(lead + quote, "this quote is never closed", "close the value's quote: key=\"...\"")
        }
        Err(None) => return fail(lead, "the attribute list is not closed with `}`", SYNTAX_HELP),
    };
    if !body[close + 1..].trim().is_empty() {
        return fail(lead + close + 1, "unexpected text after the closing `}`", SYNTAX_HELP);
    }
    let inner_start = lead + 1;
    let inner = &text[inner_start..lead + close];
    let mut seen: Vec<&str> = Vec::new();
    let mut skip_key: Option<(usize, Option<String>)> = None;
    let mut pos = 0;
    let bytes = inner.as_bytes();
    loop {
        while pos < inner.len() && (bytes[pos].is_ascii_whitespace() || bytes[pos] == b',') {
            pos += 1;
        }
        if pos >= inner.len() {
            break;
        }
        let key_start = pos;
        while pos < inner.len() && (bytes[pos].is_ascii_alphanumeric() || bytes[pos] == b'_' || bytes[pos] == b'-') {
            pos += 1;
        }
        let key = &inner[key_start..pos];
        let at = inner_start + key_start;
        if key.is_empty() {
            let c = inner[pos..].chars().next().unwrap_or(' ');
            return fail(at, format!("expected an attribute name, found `{c}`"), SYNTAX_HELP);
        }
        if !KNOWN_KEYS.contains(&key) {
            return fail(
                at,
                format!("unknown snippet attribute `{key}`"),
                format!("the attributes are: {}", KNOWN_KEYS.join(", ")),
            );
        }
        if seen.contains(&key) {
            return fail(at, format!("the attribute `{key}` is given twice"), "keep one of them");
        }
        seen.push(key);
        while pos < inner.len() && bytes[pos] == b' ' {
            pos += 1;
        }
        let value = if pos < inner.len() && bytes[pos] == b'=' {
            pos += 1;
            while pos < inner.len() && bytes[pos] == b' ' {
                pos += 1;
            }
            let (value, value_at, next) = read_value(inner, pos, key, inner_start)?;
            pos = next;
            Some(Located { value, offset: inner_start + value_at })
        } else {
            None
        };
        match (key, value) {
            ("skip", value) => skip_key = Some((at, value.map(|v| v.value).filter(|v| !v.is_empty()))),
            (_, None) => {
                return fail(at, format!("the attribute `{key}` needs a value"), format!("write {key}=\"...\""))
            }
            ("requires", Some(v)) => {
                if v.value.trim().is_empty() {
                    return fail(v.offset, "`requires` is empty", "write requires=\"docker 1.3+\", or remove it");
                }
                attrs.requires = Some(v);
            }
            ("test", Some(v)) => {
                attrs.test = Some(match v.value.as_str() {
                    "check" => TestMode::Check,
                    "run" => TestMode::Run,
                    "skip" => TestMode::Skip { reason: None },
                    other => return fail(
                        v.offset,
                        format!("`test` must be check, run or skip, not `{other}`"),
                        "write test=\"run\" to execute the snippet, test=\"skip\" (or skip=\"reason\") to leave it out",
                    ),
                })
            }
            ("id", Some(v)) => {
                if !is_valid_id(&v.value) {
                    return fail(
                        v.offset,
                        format!("`{}` is not a valid snippet id", v.value),
                        "use letters, digits, `-`, `_` and `.`, starting with a letter or digit",
                    );
                }
                attrs.id = Some(v);
            }
            ("timeout", Some(v)) => match parse_duration(&v.value) {
                Some(d) => attrs.timeout = Some(d),
                None => {
                    return fail(
                        v.offset,
                        format!("`{}` is not a time limit", v.value),
                        "write a positive duration such as timeout=\"30s\", \"500ms\" or \"2m\"",
                    )
                }
            },
            ("exit", Some(v)) => match v.value.parse::<i32>() {
                Ok(code) if (0..=255).contains(&code) => attrs.exit = Some(code),
                _ => {
                    return fail(
                        v.offset,
                        format!("`{}` is not an exit status", v.value),
                        "write a number from 0 to 255, e.g. exit=1",
                    )
                }
            },
            ("output", Some(v)) => {
                attrs.output = Some(match v.value.as_str() {
                    "shown" => OutputCheck::Shown,
                    "silent" => OutputCheck::Silent,
                    other => {
                        return fail(
                            v.offset,
                            format!("`output` must be shown or silent, not `{other}`"),
                            "write output=\"silent\" when the commands print nothing and a run must check that",
                        )
                    }
                })
            }
            ("shellcheck", Some(v)) => attrs.shellcheck = parse_shellcheck_codes(&v)?,
            ("allow", Some(v)) => attrs.allow = parse_allowances(&v)?,
            _ => unreachable!("every known key is handled"),
        }
    }
    if let Some((at, reason)) = skip_key {
        match &attrs.test {
            None | Some(TestMode::Skip { .. }) => attrs.test = Some(TestMode::Skip { reason }),
            Some(other) => {
                return fail(
                    at,
                    format!("`skip` contradicts test=\"{}\"", other.as_str()),
                    "keep either `skip` or `test`",
                )
            }
        }
    }
    Ok(attrs)
}

/// The index of the `}` closing the `{` at 0, outside quotes; else the index of an
/// unclosed quote, if any.
fn find_close(body: &str) -> Result<usize, Option<usize>> {
    let mut quote: Option<(u8, usize)> = None;
    let bytes = body.as_bytes();
    let mut i = 1;
    while i < bytes.len() {
        match (quote, bytes[i]) {
            (Some(_), b'\\') => i += 1,
            (Some((q, _)), c) if c == q => quote = None,
            (None, b'"' | b'\'') => quote = Some((bytes[i], i)),
            (None, b'}') => return Ok(i),
            _ => {}
        }
        i += 1;
    }
    Err(quote.map(|(_, at)| at))
}

/// Reads a quoted or bare value at `pos`: (value, offset of its first character, next pos).
fn read_value(inner: &str, pos: usize, key: &str, base: usize) -> Result<(String, usize, usize), AttrError> {
    let bytes = inner.as_bytes();
    match bytes.get(pos) {
        None => {
            fail(base + pos, format!("the attribute `{key}` needs a value after `=`"), format!("write {key}=\"...\""))
        }
        Some(&q @ (b'"' | b'\'')) => {
            let mut value = String::new();
            let mut i = pos + 1;
            while i < inner.len() {
                let c = inner[i..].chars().next().expect("in bounds");
                if c as u32 == q as u32 {
                    return Ok((value, pos + 1, i + 1));
                }
                if c == '\\' && i + 1 < inner.len() {
                    let next = inner[i + 1..].chars().next().expect("in bounds");
                    value.push(next);
                    i += 1 + next.len_utf8();
                    continue;
                }
                value.push(c);
                i += c.len_utf8();
            }
            fail(base + pos, format!("the value of `{key}` has no closing quote"), format!("close it: {key}=\"...\""))
        }
        Some(b',') => {
            fail(base + pos, format!("the attribute `{key}` needs a value after `=`"), format!("write {key}=\"...\""))
        }
        Some(_) => {
            let end = inner[pos..].find(|c: char| c.is_whitespace() || c == ',').map_or(inner.len(), |i| pos + i);
            Ok((inner[pos..end].to_string(), pos, end))
        }
    }
}

/// `"SC2086, 2046"` → `["SC2086", "SC2046"]`; a word that is not a code is an error at
/// its offset.
/// `allow="privileged, host-mount"`: kinds of screened flags, separated by commas or
/// spaces.
fn parse_allowances(v: &Located<String>) -> Result<Vec<String>, AttrError> {
    let mut kinds = Vec::new();
    let mut offset = 0;
    for word in v.value.split_inclusive([',', ' ']) {
        let kind = word.trim_end_matches([',', ' ']);
        if !kind.is_empty() {
            if !ENGINE_ALLOWANCES.contains(&kind) {
                return fail(
                    v.offset + offset,
                    format!("`{kind}` is not a kind of screened docker flag"),
                    format!("`allow` names one or more of: {}", ENGINE_ALLOWANCES.join(", ")),
                );
            }
            if !kinds.iter().any(|k| k == kind) {
                kinds.push(kind.to_string());
            }
        }
        offset += word.len();
    }
    if kinds.is_empty() {
        return fail(v.offset, "`allow` names nothing", "write e.g. allow=\"privileged\", or remove it");
    }
    Ok(kinds)
}

fn parse_shellcheck_codes(v: &Located<String>) -> Result<Vec<String>, AttrError> {
    let mut codes = Vec::new();
    let mut offset = 0;
    for word in v.value.split_inclusive([',', ' ']) {
        let code = word.trim_end_matches([',', ' ']);
        if !code.is_empty() {
            let digits = code.strip_prefix("SC").or_else(|| code.strip_prefix("sc")).unwrap_or(code);
            if digits.len() != 4 || !digits.chars().all(|c| c.is_ascii_digit()) {
                return fail(
                    v.offset + offset,
                    format!("`{code}` is not a shellcheck code"),
                    "write codes such as shellcheck=\"SC2086,SC2046\"",
                );
            }
            codes.push(format!("SC{digits}"));
        }
        offset += word.len();
    }
    if codes.is_empty() {
        return fail(
            v.offset,
            "`shellcheck` names no code",
            "write the codes to leave out, e.g. shellcheck=\"SC2086\", or remove it",
        );
    }
    Ok(codes)
}

/// `list-containers`, `exec.1`: letters, digits, `-`, `_`, `.`; no `/` (derived ids use it).
pub fn is_valid_id(id: &str) -> bool {
    id.starts_with(|c: char| c.is_ascii_alphanumeric())
        && id.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
}

/// `30s`, `500ms`, `2m`, `1.5s`, or a number of seconds; must be positive.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let (number, scale) = if let Some(n) = text.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = text.strip_suffix('m') {
        (n, 60.0)
    } else {
        (text, 1.0)
    };
    let value: f64 = number.parse().ok().filter(|v: &f64| v.is_finite() && *v > 0.0)?;
    // Beyond what a Duration holds (about 585 billion years) is no time limit either, nor
    // is a positive number that rounds to zero nanoseconds (found by fuzzing: `.000…3s`).
    Duration::try_from_secs_f64(value * scale).ok().filter(|d| !d.is_zero())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(text: &str) -> AttrError {
        parse_attrs(text).expect_err(text)
    }

    #[test]
    fn all_keys_with_and_without_commas() {
        let a =
            parse_attrs("{requires=\"docker 1.3+\", test=\"run\", id=\"list-containers\" timeout=30s exit=1}").unwrap();
        assert_eq!(a.requires, Some(Located { value: "docker 1.3+".into(), offset: 11 }));
        assert_eq!(a.test, Some(TestMode::Run));
        assert_eq!(a.id.unwrap().value, "list-containers");
        assert_eq!(a.timeout, Some(Duration::from_secs(30)));
        assert_eq!(a.exit, Some(1));
        assert_eq!(parse_attrs("").unwrap(), FenceAttrs::default());
        assert_eq!(parse_attrs("{}").unwrap(), FenceAttrs::default());
        assert_eq!(parse_attrs("{ test='check' }").unwrap().test, Some(TestMode::Check));
        assert_eq!(parse_attrs("{shellcheck=\"SC2086, 2046\"}").unwrap().shellcheck, ["SC2086", "SC2046"]);
        assert_eq!(parse_attrs("{allow=\"privileged, host-mount\"}").unwrap().allow, ["privileged", "host-mount"]);
        assert_eq!(parse_attrs("{allow=device}").unwrap().allow, ["device"]);
        assert_eq!(parse_attrs("{output=silent}").unwrap().output, Some(OutputCheck::Silent));
        assert_eq!(parse_attrs("{output=\"shown\"}").unwrap().output, Some(OutputCheck::Shown));
    }

    #[test]
    fn skip_with_and_without_reason() {
        assert_eq!(parse_attrs("{test=skip}").unwrap().test, Some(TestMode::Skip { reason: None }));
        assert_eq!(
            parse_attrs("{skip=\"needs a Mac\"}").unwrap().test,
            Some(TestMode::Skip { reason: Some("needs a Mac".into()) })
        );
        assert_eq!(parse_attrs("{skip}").unwrap().test, Some(TestMode::Skip { reason: None }));
        assert_eq!(
            parse_attrs("{test=\"skip\" skip=\"later\"}").unwrap().test,
            Some(TestMode::Skip { reason: Some("later".into()) })
        );
    }

    #[test]
    fn each_error_is_located() {
        let cases: &[(&str, usize, &str)] = &[
            ("{requirs=\"docker\"}", 1, "unknown snippet attribute `requirs`"),
            ("{test=\"sometimes\"}", 7, "`test` must be check, run or skip, not `sometimes`"),
            ("{timeout=\"soon\"}", 10, "`timeout=` is not a time limit"),
            ("{timeout=0}", 9, "`0` is not a time limit"),
            ("{timeout=99999999999999999999}", 9, "`99999999999999999999` is not a time limit"),
            ("{timeout=1e300m}", 9, "`1e300m` is not a time limit"),
            ("{timeout=\".00000000000000000003s\"}", 10, "`.00000000000000000003s` is not a time limit"),
            ("{exit=300}", 6, "`300` is not an exit status"),
            ("{exit=one}", 6, "`one` is not an exit status"),
            ("{output=\"none\"}", 9, "`output` must be shown or silent, not `none`"),
            ("{id=\"a/b\"}", 5, "`a/b` is not a valid snippet id"),
            ("{id=\"x\" id=\"y\"}", 8, "the attribute `id` is given twice"),
            ("{test}", 1, "the attribute `test` needs a value"),
            ("{test=}", 6, "the attribute `test` needs a value after `=`"),
            ("{id=\"open}", 4, "this quote is never closed"),
            ("{id=x", 0, "the attribute list is not closed with `}`"),
            ("title=x", 0, "unexpected text `title=x` after the language"),
            ("{id=x} extra", 6, "unexpected text after the closing `}`"),
            ("{=x}", 1, "expected an attribute name, found `=`"),
            ("{requires=\"\"}", 11, "`requires` is empty"),
            ("{test=run skip}", 10, "`skip` contradicts test=\"run\""),
            ("{shellcheck=\"SC2086,nope\"}", 20, "`nope` is not a shellcheck code"),
            ("{shellcheck=\"\"}", 13, "`shellcheck` names no code"),
            ("{allow=\"privileged,root\"}", 19, "`root` is not a kind of screened docker flag"),
            ("{allow=\"\"}", 8, "`allow` names nothing"),
        ];
        for (text, offset, message) in cases {
            let e = error(text);
            let message = message.replace("`timeout=` ", "`soon` ");
            assert_eq!((e.offset, e.message.as_str()), (*offset, message.as_str()), "{text}");
            assert!(!e.help.is_empty(), "{text}");
        }
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("500ms"), Some(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Some(Duration::from_secs(120)));
        assert_eq!(parse_duration("1.5s"), Some(Duration::from_millis(1500)));
        assert_eq!(parse_duration("10"), Some(Duration::from_secs(10)));
        assert_eq!(parse_duration("-1s"), None);
    }
}
