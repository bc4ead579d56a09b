//! The snippet shell parser: any text parses without a panic into pieces whose spans lie
//! inside it, and every placeholder it reads is one that shellcheck's masking hides.
#![no_main]

use gen::check::shellcheck::mask_placeholders;
use gen::shell::{parse, placeholder_at, placeholders, Span, Word, WordPart};
use libfuzzer_sys::fuzz_target;

/// `span` is a range of `text` that starts and ends on character boundaries.
fn check_span(text: &str, span: Span, what: &str) {
    assert!(span.start <= span.end && span.end <= text.len(), "{what} {span:?} outside {} bytes", text.len());
    assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end), "{what} {span:?} splits a character");
}

fn check_word(text: &str, word: &Word, masked: &[Span]) {
    check_span(text, word.span, "word");
    assert_eq!(word.raw, word.span.text(text), "a word's raw text is its span");
    for part in &word.parts {
        match part {
            WordPart::Text { .. } => {}
            WordPart::Variable { span, .. }
            | WordPart::CommandSubstitution { span, .. }
            | WordPart::Arithmetic { span, .. } => check_span(text, *span, "part"),
            WordPart::Placeholder { text: name, span } => {
                check_span(text, *span, "placeholder");
                assert_eq!(span.text(text), format!("<{name}>"), "a placeholder is its span");
                assert_eq!(placeholder_at(text, span.start), Some(*span), "the parser's placeholder breaks the rule");
                assert!(masked.contains(span), "placeholder {span:?} is not masked for shellcheck");
            }
        }
    }
}

fuzz_target!(|text: &str| {
    let masked = placeholders(text);
    let script = parse(text);
    for c in &script.commands {
        check_span(text, c.span, "command");
        for a in &c.assignments {
            check_span(text, a.span, "assignment");
            check_word(text, &a.value, &masked);
        }
        for w in &c.words {
            check_word(text, w, &masked);
        }
        for r in &c.redirections {
            check_span(text, r.span, "redirection");
            check_word(text, &r.target, &masked);
            if let Some(doc) = &r.heredoc {
                check_span(text, doc.span, "heredoc");
                if script.is_valid() {
                    assert_eq!(doc.body, doc.span.text(text), "a heredoc's body is its span");
                }
            }
        }
    }
    for (_, span) in &script.loop_variables {
        check_span(text, *span, "loop variable");
    }
    for e in &script.errors {
        assert!(e.offset <= text.len() && text.is_char_boundary(e.offset), "error at {} in {text:?}", e.offset);
    }
    // Masking keeps every character outside the placeholders and as many inside, so
    // putting the placeholders back gives the text again.
    let out = mask_placeholders(text);
    let mut unmasked = String::new();
    let mut rest = out.as_str();
    let mut last = 0;
    for span in &masked {
        let before = &text[last..span.start];
        assert!(rest.starts_with(before), "masking changed {before:?}");
        let xs = span.text(text).chars().count();
        assert!(rest[before.len()..].starts_with(&"x".repeat(xs)), "placeholder {span:?} not masked");
        unmasked.push_str(before);
        unmasked.push_str(span.text(text));
        rest = &rest[before.len() + xs..];
        last = span.end;
    }
    unmasked.push_str(rest);
    assert_eq!(unmasked, text, "masking then putting the placeholders back");
});
