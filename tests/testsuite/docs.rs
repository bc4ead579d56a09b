//! The examples in README.md and docs/ are real: they are extracted and built here.

use crate::harness::{assert_contains, repo_root, TestSite};

/// The fenced blocks of `file` (relative to the repo) whose info string is `lang`.
pub fn fenced_blocks(file: &str, lang: &str) -> Vec<String> {
    let text = std::fs::read_to_string(repo_root().join(file)).unwrap();
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        match current.as_mut() {
            None if line.trim_start().starts_with("```")
                && line.trim_start().trim_start_matches('`').trim() == lang =>
            {
                current = Some(String::new())
            }
            Some(_) if line.trim_start().starts_with("```") => blocks.push(current.take().unwrap()),
            Some(block) => {
                block.push_str(line);
                block.push('\n');
            }
            None => {}
        }
    }
    blocks
}

#[test]
fn readme_site_toml_and_post_build() {
    let config = &fenced_blocks("README.md", "toml")[0];
    let post = &fenced_blocks("README.md", "markdown")[0];
    let site = TestSite::empty().write("site.toml", config).write("content/posts/docker-cheat-sheet.md", post);
    site.build();
    let html = site.read("public/posts/docker-cheat-sheet/index.html");
    assert_contains(
        &html,
        &["Docker Cheat Sheet", "March 2, 2015", "<title>Docker Cheat Sheet · Stay Safe Out There</title>"],
    );
    // The YAML header of the README builds too.
    let yaml = &fenced_blocks("README.md", "markdown")[1];
    assert!(yaml.starts_with("---\n"), "{yaml}");
    let site = site.write("content/posts/docker-cheat-sheet.md", &format!("{yaml}Body.\n"));
    site.build();
    assert_contains(&site.read("public/posts/docker-cheat-sheet/index.html"), &["Docker Cheat Sheet", "March 2, 2015"]);
    assert_contains(&site.read("public/tags/cheat-sheet/index.html"), &["Docker Cheat Sheet"]);
}

/// The text between the line `open` and the next line `close` after `marker` in `file`.
fn block_after(file: &str, marker: &str, open: &str, close: &str) -> String {
    let text = std::fs::read_to_string(repo_root().join(file)).unwrap();
    let at = text.find(marker).unwrap_or_else(|| panic!("no {marker:?} in {file}"));
    let start = at + text[at..].find(&format!("{open}\n")).expect("an opening fence") + open.len() + 1;
    let end = start + text[start..].find(&format!("\n{close}\n")).expect("a closing fence") + 1;
    text[start..end].to_string()
}

#[test]
fn reliability_doc_examples_are_real() {
    let doc = "docs/reliability.md";
    let post = block_after(doc, "a post whose console block is never closed", "````markdown", "````");
    let printed = block_after(doc, "makes `gen build` print:", "```text", "```");
    let site = TestSite::empty().write("content/posts/unclosed.md", &post);
    assert_eq!(site.run(&["build"]).failure().stderr(), printed);

    // The expect.toml shown is the corpus's own.
    let shown: toml::Table = toml::from_str(&block_after(doc, "each with an `expect.toml`", "```toml", "```")).unwrap();
    let real: toml::Table = toml::from_str(
        &std::fs::read_to_string(repo_root().join("tests/fixtures/invalid/duplicate-slug/expect.toml")).unwrap(),
    )
    .unwrap();
    assert_eq!(shown, real);
}
