//! The front-matter splitter and parser: any text gives a post or a located error.
#![no_main]

use std::path::Path;

use gen::content::front_matter::{parse_front_matter, split_front_matter};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let file = Path::new("content/posts/fuzz.md");
    let lines = text.split('\n').count();
    match split_front_matter(text, file) {
        Ok(split) => {
            assert!(split.front_matter_line >= 1 && split.body_line > split.front_matter_line);
            assert!(split.body_line <= lines + 1, "body line {} past the end ({lines} lines)", split.body_line);
            assert!(text.ends_with(split.body));
            match parse_front_matter(&split, file) {
                Ok(fm) => {
                    assert!(!fm.title.trim().is_empty());
                    for key in ["title", "date", "slug", "series_part", "tags"] {
                        assert!(fm.places.of(key).0 <= lines, "{key} placed past the end");
                    }
                }
                Err(e) => located(&e, lines),
            }
        }
        Err(e) => located(&e, lines),
    }
});

/// Every error names the file, a line within it, and says what to do.
fn located(e: &gen::error::Errors, lines: usize) {
    assert!(!e.0.is_empty());
    for d in &e.0 {
        assert_eq!(d.file, Path::new("content/posts/fuzz.md"));
        assert!(d.line <= lines, "line {} past the end ({lines} lines): {d}", d.line);
        assert!(!d.message.is_empty() && d.help.is_some(), "{d}");
    }
}
