//! YAML front matter: a post may open with `---` and YAML instead of `+++` and TOML,
//! with the same keys, the same checks and the same page.

use crate::harness::{file_contents, TestSite};

const BODY: &str = "Docker's commands, one by one.\n\n<!-- more -->\n\n```console\n$ echo hello\nhello\n```\n\nSee [the other post](other.md).\n";

fn site(front_matter: &str) -> TestSite {
    TestSite::empty()
        .post("other", "2015-03-01", "Another post.\n")
        .write("content/posts/docker-cheat-sheet.md", &format!("{front_matter}{BODY}"))
}

#[test]
fn yaml_and_toml_versions_of_a_post_give_identical_pages() {
    let toml = site(
        "+++\ntitle = \"Docker: a cheat sheet\"\ndate = 2015-03-02T10:00:00Z\ncategories = [\"Docker\"]\ntags = [\"docker\", \"cli\"]\nseries = \"Containers\"\nseries_part = 1\nsummary = \"The commands.\"\naliases = [\"/2015/03/02/docker-cheat-sheet/\"]\n[snippets]\nrequires = \"docker 1.3+\"\n+++\n",
    );
    let yaml = site(
        "---\ntitle: \"Docker: a cheat sheet\"\ndate: 2015-03-02T10:00:00Z\ncategories: [Docker]\ntags: [docker, cli]\nseries: Containers\nseries_part: 1\nsummary: The commands.\naliases: [/2015/03/02/docker-cheat-sheet/]\nsnippets:\n  requires: docker 1.3+\n---\n",
    );
    // Headers of the same length, so that the snippets' lines match in snippets.json.
    toml.build();
    yaml.build();
    let page = "public/posts/docker-cheat-sheet/index.html";
    assert!(toml.read(page).contains("Docker: a cheat sheet"));
    assert_eq!(yaml.read(page), toml.read(page));
    // The whole site: lists, feeds, tag and series pages, the alias.
    let (toml_files, yaml_files) = (file_contents(&toml.path("public")), file_contents(&yaml.path("public")));
    assert!(toml_files.contains_key("2015/03/02/docker-cheat-sheet/index.html"));
    assert_eq!(yaml_files.keys().collect::<Vec<_>>(), toml_files.keys().collect::<Vec<_>>());
    for (name, bytes) in &toml_files {
        assert!(yaml_files[name] == *bytes, "{name} differs");
    }
}

#[test]
fn an_unknown_yaml_key_is_a_located_error() {
    site("---\ntitle: Docker\ndate: 2015-03-02\ntagz: [docker]\n---\n")
        .run(&["build"])
        .failure()
        .stderr_contains("content/posts/docker-cheat-sheet.md:4:1: unknown field `tagz`, expected one of")
        .stderr_contains("help: front matter keys are: title, date, categories");
}

#[test]
fn a_malformed_yaml_header_is_a_located_error() {
    site("---\ntitle: Docker\ndate: 2015-03-02\ntags: [docker, cli\n---\n")
        .run(&["build"])
        .failure()
        .stderr_contains("content/posts/docker-cheat-sheet.md:4:7: unclosed bracket '['")
        .stderr_contains("help: fix the YAML syntax at that position");
    site("---\ntitle: Docker\ndate: 2 March 2015\n---\n")
        .run(&["build"])
        .failure()
        .stderr_contains("content/posts/docker-cheat-sheet.md:3:7: invalid `date`: \"2 March 2015\" is not a date");
}
