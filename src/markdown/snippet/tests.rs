//! Extraction through a real render: ids, anchors, tags and their sources, locations,
//! parameters, errors and the block's HTML.

use super::*;
use crate::markdown::{render_markdown, RenderContext};

fn render(md: &str, requires: Option<&str>) -> (Result<Vec<Snippet>, Errors>, String) {
    let h = Highlighter::new();
    let defaults = SnippetDefaults { requires: requires.map(String::from), requires_line: 6 };
    let ex = SnippetExtractor::new(Path::new("content/posts/p.md"), "p", &defaults);
    let mut cx = RenderContext::new(&h);
    cx.code_blocks = &ex;
    cx.first_line = 10;
    let r = render_markdown(md, &cx);
    (ex.finish(), r.html)
}

fn snippets(md: &str) -> Vec<Snippet> {
    render(md, None).0.unwrap()
}

fn one_error(md: &str) -> Diagnostic {
    let e = render(md, None).0.unwrap_err();
    assert_eq!(e.0.len(), 1, "{e}");
    e.0[0].clone()
}

#[test]
fn only_shell_languages_are_snippets() {
    let md = "```console\n$ ls\n```\n\n```text\n$ not a snippet\n```\n\n```bash\necho hi\n```\n\n```rust\nfn main() {}\n```\n";
    let s = snippets(md);
    assert_eq!(
        s.iter().map(|s| (s.lang.as_str(), s.kind)).collect::<Vec<_>>(),
        [("console", SnippetKind::Console), ("bash", SnippetKind::Script)]
    );
}

#[test]
fn commands_are_located_in_the_post_file() {
    let md = "## Run\n\n```console\n$ docker run \\\n  -d nginx\nabc\n$ docker ps\n```\n";
    let s = &snippets(md)[0];
    assert_eq!((s.line, s.end_line), (12, 17));
    let c = &s.commands[0];
    assert_eq!(c.text, "docker run \\\n  -d nginx");
    assert_eq!(c.line, 13);
    assert_eq!(c.locate(0), (13, 3));
    assert_eq!(c.locate(c.text.find("-d").unwrap()), (14, 3));
    assert_eq!(c.output, [OutputLine { text: "abc".into(), line: 15 }]);
    assert_eq!(s.commands[1].locate(7), (16, 10));
    // Inside a list item the fence is indented: columns follow it.
    let md = "1. Start it\n\n   ```console\n   $ sudo apachectl start\n   ```\n";
    let s = &snippets(md)[0];
    assert_eq!(s.commands[0].locate(0), (13, 6));
}

#[test]
fn scripts_are_one_command() {
    let s = &snippets("```sh\nexport A=1\necho $A\n```\n")[0];
    assert_eq!(s.kind, SnippetKind::Script);
    assert_eq!(s.commands.len(), 1);
    assert_eq!(s.commands[0].text, "export A=1\necho $A");
    assert_eq!(s.commands[0].locate(11), (12, 1));
    assert!(s.parameters.is_empty(), "{:?}", s.parameters);
    // A script block written as a session is read as one.
    let s = &snippets("```bash\n$ ls\nfile\n```\n")[0];
    assert_eq!((s.kind, s.commands[0].output.len()), (SnippetKind::Console, 1));
}

#[test]
fn empty_and_output_only_blocks_are_not_indexed() {
    assert!(snippets("```console\n```\n\n```console\nError: no such image\n```\n").is_empty());
}

#[test]
fn ids_derive_from_slug_and_heading_and_stay_unique() {
    let md = "```console\n$ a\n```\n## Exec\n```console\n$ b\n```\n```console\n$ c\n```\n```console {id=\"exec-2\"}\n$ d\n```\n";
    let s = snippets(md);
    let ids: Vec<_> = s.iter().map(|s| (s.id.as_str(), s.anchor.as_str())).collect();
    assert_eq!(
        ids,
        [
            ("p/snippet", "snippet-snippet"),
            ("p/exec", "snippet-exec"),
            ("p/exec-2", "snippet-exec-2"),
            ("exec-2", "snippet-exec-2-2")
        ]
    );
    assert!(s[3].explicit_id);
}

#[test]
fn tags_from_attribute_prose_and_front_matter_with_sources() {
    let md = "(Requires docker v1.3 or later)\n\n```console\n$ docker exec $ID ls\n```\n\n```console {requires=\"docker >=1.6, os linux\"}\n$ docker ps\n```\n\n```console\n$ uname\n```\n";
    let s = render(md, Some("os macos")).0.unwrap();
    let tags =
        |i: usize| s[i].requires.iter().map(|t| (t.requirement.to_string(), t.source.kind())).collect::<Vec<_>>();
    assert_eq!(tags(0), [("docker 1.3+".to_string(), "prose"), ("os macos".to_string(), "front_matter")]);
    assert_eq!(tags(1), [("docker >=1.6".to_string(), "attribute"), ("os linux".to_string(), "attribute")]);
    assert_eq!(tags(2), [("os macos".to_string(), "front_matter")]);
    assert_eq!(s[1].requires[0].source, TagSource::Attribute { line: 16, column: 23 });
    assert_eq!(s[0].requires[1].source, TagSource::FrontMatter { line: 6 });
    assert!(
        matches!(&s[0].requires[0].source, TagSource::Prose { text, .. } if text == "Requires docker v1.3 or later")
    );
}

#[test]
fn test_timeout_and_exit_attributes() {
    let s = snippets(
        "```console {test=\"run\" timeout=\"30s\" exit=2}\n$ false\n```\n\n```sh {skip=\"needs a Mac\"}\nopen .\n```\n",
    );
    assert_eq!((s[0].test.clone(), s[0].timeout, s[0].exit), (TestMode::Run, Duration::from_secs(30), 2));
    assert_eq!(s[1].test, TestMode::Skip { reason: Some("needs a Mac".into()) });
    assert_eq!((s[1].timeout, s[1].exit), (DEFAULT_TIMEOUT, 0));
}

#[test]
fn attribute_errors_name_file_line_and_column() {
    let d = one_error("Intro\n\n```console {test=\"run\", requirs=\"docker\"}\n$ ls\n```\n");
    assert_eq!(d.location(), "content/posts/p.md:12:25");
    assert_eq!(d.message, "unknown snippet attribute `requirs`");
    let d = one_error("```console {requires=\"docker 1.3+, os plan9\"}\n$ ls\n```\n");
    assert_eq!(d.location(), "content/posts/p.md:10:39");
    assert!(d.message.starts_with("in `requires`: unknown platform"), "{}", d.message);
    let e = render("```console\n$ ls\n```\n", Some("docker one")).0.unwrap_err();
    assert_eq!(e.0[0].location(), "content/posts/p.md:6");
}

#[test]
fn parameters_are_placeholders_and_unassigned_variables() {
    let md = "```console\n$ docker exec $CONTAINERID <command>\n```\n\n```console\n$ CONTAINERID=$(docker run -d $IMAGE)\n$ docker logs $CONTAINERID $HOME\n```\n\n```console\n$ docker rm $CONTAINERID\n```\n";
    let s = snippets(md);
    let names = |i: usize| s[i].parameters.iter().map(|p| (p.name.as_str(), p.kind)).collect::<Vec<_>>();
    assert_eq!(names(0), [("CONTAINERID", ParameterKind::Variable), ("<command>", ParameterKind::Placeholder)]);
    assert_eq!((s[0].parameters[1].line, s[0].parameters[1].column), (11, 28));
    assert_eq!(names(1), [("IMAGE", ParameterKind::Variable)]);
    assert!(names(2).is_empty());
}

#[test]
fn block_html_has_anchor_tag_status_and_copy_text() {
    let (r, html) =
        render("## Exec\n\n(Requires docker v1.3)\n\n```console\n$ docker exec $ID \\\n> ls \"a\"\nout\n```\n", None);
    r.unwrap();
    assert!(
        html.contains(
            "<figure class=\"snippet\" id=\"snippet-exec\" data-snippet-id=\"p/exec\" data-status=\"untested\">"
        ),
        "{html}"
    );
    assert!(html.contains("<span class=\"snippet-requires\">requires docker 1.3</span>"), "{html}");
    assert!(
        html.contains("<a class=\"snippet-status snippet-status-untested\" href=\"#snippet-legend\">untested</a>"),
        "{html}"
    );
    assert!(html.contains("<p class=\"snippet-says\">Not tested yet.</p>"), "{html}");
    assert!(html.contains("data-copy=\"docker exec $ID \\&#10;ls &quot;a&quot;\""), "{html}");
    assert!(html.contains("<pre class=\"code\" data-lang=\"console\">"), "{html}");
}

fn snippets_with(md: &str, unlabelled: UnlabelledBlocks) -> Vec<Snippet> {
    let h = Highlighter::new();
    let ex = SnippetExtractor::new(Path::new("content/posts/p.md"), "p", &SnippetDefaults::default())
        .with_unlabelled(unlabelled);
    let mut cx = RenderContext::new(&h);
    cx.code_blocks = &ex;
    cx.first_line = 10;
    render_markdown(md, &cx);
    ex.finish().unwrap()
}

fn readings(md: &str) -> Vec<(String, SnippetKind, Option<Detection>, Vec<String>)> {
    snippets(md)
        .into_iter()
        .map(|s| (s.lang.clone(), s.kind, s.detected, s.commands.iter().map(|c| c.text.clone()).collect()))
        .collect()
}

#[test]
fn unlabelled_sessions_are_console_snippets() {
    let md = "```\n$ docker ps\nCONTAINER ID   IMAGE\n```\n\n```\nubuntu@node:~$ sudo docker info\nContainers: 3\n```\n\n```\n# Make the network\n$ docker network create net\n```\n";
    let s = readings(md);
    let detected = Some(Detection::Unlabelled);
    assert_eq!(
        s,
        [
            (String::new(), SnippetKind::Console, detected, vec!["docker ps".to_string()]),
            (String::new(), SnippetKind::Console, detected, vec!["sudo docker info".to_string()]),
            (String::new(), SnippetKind::Console, detected, vec!["docker network create net".to_string()]),
        ]
    );
    let first = &snippets(md)[0];
    assert_eq!(first.commands[0].output[0].text, "CONTAINER ID   IMAGE");
    assert_eq!(first.kind_label(), "console (unlabelled)");
    // A root session with `#` prompts, where nothing else could be meant.
    let root = &snippets("```\n# mount --bind 1 2\nmount: permission denied\n```\n")[0];
    assert_eq!((root.commands[0].text.as_str(), root.commands[0].output.len()), ("mount --bind 1 2", 1));
}

#[test]
fn plain_unlabelled_blocks_are_not_snippets() {
    for md in [
        "```\ndocker ps\ndocker images\n```\n",
        "```\n$HOME/bin/tool --help\n$(date)\n```\n",
        "```\n# install docker\napt-get install -y docker.io\n```\n",
        "```\n#!/bin/sh\n# ls\n```\n",
        "```\nPS C:\\> docker version\nC:\\> dir\n```\n",
        "```\nCONTAINER ID   IMAGE\n$ not first\n```\n",
    ] {
        assert!(snippets(md).is_empty(), "{md}");
    }
}

#[test]
fn other_languages_are_never_detected() {
    for lang in ["text", "yaml", "dockerfile", "python", "powershell", "makefile"] {
        let md = format!("```{lang}\n$ docker ps\n```\n");
        assert!(snippets(&md).is_empty(), "{lang}");
    }
}

#[test]
fn detection_of_unlabelled_blocks_can_be_turned_off() {
    let md = "```\n$ docker ps\n```\n\n```console\n$ docker images\n```\n\n```sh\n$ ls\n```\n";
    assert_eq!(snippets_with(md, UnlabelledBlocks::Detect).len(), 3);
    let s = snippets_with(md, UnlabelledBlocks::Plain);
    assert_eq!(s.iter().map(|s| s.lang.as_str()).collect::<Vec<_>>(), ["console", "sh"]);
}

#[test]
fn script_blocks_written_as_sessions_are_console_snippets() {
    let md = "```bash\n# Create image\n$ docker build -t app .\n\n# Publish it\n$ docker push app\n```\n\n```sh\nme@box:~$ uname\nLinux\n```\n\n```sh\n# update\napt-get update\n```\n";
    let s = snippets(md);
    assert_eq!(
        s.iter().map(|s| (s.kind, s.detected, s.kind_label())).collect::<Vec<_>>(),
        [
            (SnippetKind::Console, Some(Detection::PromptsInScript), "console (bash fence)".to_string()),
            (SnippetKind::Console, Some(Detection::PromptsInScript), "console (sh fence)".to_string()),
            (SnippetKind::Script, None, "script".to_string()),
        ]
    );
    assert_eq!(
        s[0].commands.iter().map(|c| c.text.as_str()).collect::<Vec<_>>(),
        ["docker build -t app .", "docker push app"]
    );
    // In a script, `#` lines are comments, never root prompts.
    assert_eq!(s[2].commands[0].text, "# update\napt-get update");
}

#[test]
fn failed_findings_show_under_the_block_not_in_a_title() {
    let mut snippet = snippets("```console\n$ docker ps --bogus\n```\n").remove(0);
    snippet.status = SnippetStatus::Failed {
        findings: vec!["p.md:11:3: docker rejected `--bogus`: unknown flag".into()],
        date: "2026-12-06".into(),
    };
    let html = snippet_html(&snippet, "<pre></pre>\n");
    assert!(!html.contains("title="), "{html}");
    assert!(html.contains("<p class=\"snippet-says\">Failed its test on 2026-12-06.</p>"), "{html}");
    assert!(
        html.contains("<details class=\"snippet-findings\" open>\n<summary>What its test found (1 finding)</summary>\n<ul>\n<li><code>p.md:11:3: docker rejected `--bogus`: unknown flag</code></li>"),
        "{html}"
    );
}

#[test]
fn a_skip_reason_is_not_repeated_by_the_requirement_tag() {
    let mut snippet = snippets("```console {requires=\"os macos, docker 1.3\"}\n$ docker ps\n```\n").remove(0);
    snippet.status =
        SnippetStatus::Skipped { reason: "requires macOS, this is Linux".into(), date: "2026-12-06".into() };
    let html = snippet_html(&snippet, "<pre></pre>\n");
    assert!(html.contains("<span class=\"snippet-requires\">requires docker 1.3</span>"), "{html}");
    assert!(!html.contains("os macos"), "{html}");
    assert!(
        html.contains(
            "<p class=\"snippet-says\">Not tested: needs macOS; the test machine runs Linux · 2026-12-06</p>"
        ),
        "{html}"
    );
}
