//! A new site: `gen init` writes one that builds and tests with the theme built into the
//! binary, and `gen theme eject` writes that theme out, giving the same output.

use crate::harness::{assert_contains, file_contents, TestSite};

#[test]
fn init_then_build_needs_no_themes_folder() {
    let site = TestSite::bare();
    site.run(&["init"]).success().stdout_matches("[..]site.toml\n[..]content/posts/hello-gen.md\n");
    assert!(!site.path("themes").exists());
    assert!(site.path("static").is_dir());
    site.build();
    let post = site.read("public/posts/hello-gen/index.html");
    assert_contains(&post, &["<h1", "Hello, gen", "echo &quot;Hello, gen&quot;"]);
    assert!(site.path("public/style.css").is_file(), "the built-in theme's static files are copied");
    // The example snippet is a snippet, and it passes.
    site.run(&["test"]).success().stdout_matches("[..]1 passed, 0 failed, 0 skipped\n");
}

#[test]
fn init_into_a_named_folder_refuses_an_existing_site() {
    let site = TestSite::bare();
    site.run(&["init", "blog"]).success();
    assert!(site.path("blog/site.toml").is_file());
    let before = file_contents(&site.path("blog"));
    site.run(&["init", "blog"]).failure().stderr_contains("a site already exists here; nothing was written");
    assert_eq!(file_contents(&site.path("blog")), before);
    let built = std::process::Command::new(env!("CARGO_BIN_EXE_gen"))
        .arg("--root")
        .arg(site.path("blog"))
        .arg("build")
        .output()
        .unwrap();
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
    assert!(site.path("blog/public/posts/hello-gen/index.html").is_file());
}

#[test]
fn ejected_theme_gives_the_same_site_and_then_overrides() {
    let site = TestSite::bare();
    site.run(&["init"]).success();
    site.build();
    let built_in = file_contents(&site.path("public"));
    site.run(&["theme", "eject"]).success();
    assert!(site.path("themes/default/templates/base.html").is_file());
    site.run(&["build", "--out", "ejected"]).success();
    assert_eq!(file_contents(&site.path("ejected")), built_in, "the ejected theme renders byte for byte the same");

    // Ejecting twice writes nothing.
    let theme = file_contents(&site.path("themes"));
    site.run(&["theme", "eject"]).failure().stderr_contains("already exists; nothing was written");
    assert_eq!(file_contents(&site.path("themes")), theme);

    // The site's copy is the one used.
    let base = site.read("themes/default/templates/base.html").replace("</body>", "<p>my own theme</p></body>");
    let site = site.write("themes/default/templates/base.html", &base);
    site.build();
    assert_contains(&site.read("public/index.html"), &["<p>my own theme</p>"]);
}

#[test]
fn site_templates_extend_the_built_in_theme() {
    let site = TestSite::bare();
    site.run(&["init"]).success();
    let site = site
        .write("templates/404.html", "{% extends \"base.html\" %}{% block content %}<p>Lost here.</p>{% endblock %}");
    site.build();
    assert_contains(&site.read("public/404.html"), &["<p>Lost here.</p>", "</html>"]);
}

#[test]
fn another_missing_theme_is_still_an_error() {
    let site = TestSite::bare();
    site.run(&["init"]).success();
    let toml = site.read("site.toml").replace("theme = \"default\"", "theme = \"fancy\"");
    let site = site.write("site.toml", &toml);
    site.run(&["build"]).failure().stderr_contains("the theme \"fancy\" does not exist");
}
