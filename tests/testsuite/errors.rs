//! Bad input: each error names the file, line and column, says what to do, exits 1 and
//! leaves no output behind.

use crate::harness::TestSite;

#[track_caller]
fn fails_with(fixture: &str, expected: impl Into<snapbox::Data>) {
    let site = TestSite::fixture(fixture);
    site.run(&["build"]).failure().stderr_matches(expected);
    assert!(!site.path("public").exists(), "a failed build wrote output");
}

#[test]
fn unknown_front_matter_key() {
    fails_with("invalid-unknown-key", snapbox::str![[r#"
error: content/posts/broken.md:4:1: unknown field `categores`, expected one of `title`, `date`, `categories`, `tags`, `series`, `series_part`, `summary`, `draft`, `slug`, `snippets`
  help: front matter keys are: title, date, categories, tags, series, series_part, summary, draft, slug, [snippets]; fix the spelling or remove the key

"#]]);
}

#[test]
fn missing_title() {
    fails_with("invalid-missing-title", snapbox::str![[r#"
error: content/posts/broken.md:1:1: the post has no `title`
  help: add `title = "..."` to the front matter

"#]]);
}

#[test]
fn missing_date() {
    fails_with("invalid-missing-date", snapbox::str![[r#"
error: content/posts/broken.md:1:1: the post has no `date`
  help: add `date = 2024-01-31` (a TOML date, without quotes) to the front matter

"#]]);
}

#[test]
fn invalid_date() {
    fails_with("invalid-date", snapbox::str![[r#"
error: content/posts/broken.md:3:8: [..]
  help: [..]

"#]]);
}

#[test]
fn malformed_toml() {
    fails_with("invalid-toml", snapbox::str![[r#"
error: content/posts/broken.md:2:[..]: [..]
  help: fix the TOML syntax at that position

"#]]);
}

#[test]
fn invalid_utf8() {
    fails_with("invalid-utf8", snapbox::str![[r#"
error: content/posts/broken.md:5:6: the post is not valid UTF-8
  help: save the file as UTF-8 text (or move it out of content/ if it is not a post)

"#]]);
}

#[test]
fn stray_binary_file() {
    fails_with("invalid-binary-file", snapbox::str![[r#"
error: content/posts/diagram.png: this file is not a Markdown post (.md)
  help: content/ holds posts only: move images and other files to static/, or delete this one

"#]]);
}

#[test]
fn binary_file_named_md() {
    let site = TestSite::empty().write_bytes("content/posts/blob.md", b"\x7fELF\x02\x01\x01\x00\x00\x00\xff\xfe");
    site.run(&["build"]).failure().stderr_contains("error: content/posts/blob.md:1:11: this looks like a binary file, not a Markdown post");
}

#[test]
fn symlink_loop() {
    fails_with("invalid-symlink-loop", snapbox::str![[r#"
error: content/posts/nested/loop: this symbolic link points back into one of its own parent folders (a symlink loop)
  help: remove or fix the link, or its permissions

"#]]);
}

#[test]
fn template_syntax_error() {
    fails_with("invalid-template-syntax", snapbox::str![[r#"
error: templates/post.html:3:[..]: template syntax error: [..]
  help: fix the template at that position (Tera syntax: {{ value }}, {% if %}...{% endif %})

"#]]);
}

#[test]
fn template_undefined_variable() {
    fails_with("invalid-template-variable", snapbox::str![[r#"
error: templates/post.html: template error: [..]no_such_field[..]
  help: check that every variable the template uses exists (see docs/themes.md for the fields of each page)

"#]]);
}

#[test]
fn missing_theme() {
    fails_with("invalid-missing-theme", snapbox::str![[r#"
error: site.toml:4:1: the theme "nosuch" does not exist (no folder themes/nosuch)
  help: create themes/nosuch/templates/, or set `theme` to one of the folders under themes/

"#]]);
}

#[test]
fn missing_site_toml() {
    let site = TestSite::empty().remove("site.toml");
    site.run(&["build"]).failure().stderr_matches(snapbox::str![[r#"
error: site.toml: cannot read the site configuration: [..]
  help: run gen in a site folder, one that holds site.toml

"#]]);
}

#[test]
fn empty_post_file() {
    let site = TestSite::empty().write("content/posts/empty.md", "");
    site.run(&["build"]).failure().stderr_contains("error: content/posts/empty.md: the post is empty");
}

#[test]
fn crlf_line_endings_work() {
    let site = TestSite::empty().write("content/posts/windows.md", "+++\r\ntitle = \"Windows\"\r\ndate = 2020-01-01\r\n+++\r\nLine one.\r\n\r\n## Head\r\n");
    site.build();
    let html = site.read("public/posts/windows/index.html");
    assert!(html.contains("<p>Line one.</p>") && html.contains("<h2 id=\"head\">"), "{html}");
}

#[test]
fn all_errors_are_reported_together() {
    let site = TestSite::empty()
        .write("content/posts/a.md", "+++\ndate = 2020-01-01\n+++\n")
        .write("content/posts/b.md", "+++\ntitle = \"B\"\n+++\n");
    let out = site.run(&["build"]).failure();
    let err = out.stderr();
    assert!(err.contains("content/posts/a.md:1:1: the post has no `title`") && err.contains("content/posts/b.md:1:1: the post has no `date`"), "{err}");
}
