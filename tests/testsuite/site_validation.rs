//! Every HTML page of the bundled blog passes the Nu Html Checker (vnu) with no errors.
//! The jar comes from `GEN_VNU_JAR`, else `node_modules/vnu-jar/build/dist/vnu.jar` under
//! the repository (`npm install vnu-jar`); without it (or without java) the test is
//! skipped, unless `GEN_TEST_STRICT=1`.

use std::path::PathBuf;
use std::process::Command;

use crate::harness::{repo_root, require_program, strict, TestSite};

fn vnu_jar() -> Option<PathBuf> {
    let jar = std::env::var_os("GEN_VNU_JAR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("node_modules/vnu-jar/build/dist/vnu.jar"));
    if jar.is_file() {
        return Some(jar);
    }
    assert!(
        !strict(),
        "vnu.jar is required when GEN_TEST_STRICT=1, but {} does not exist (npm install vnu-jar; set GEN_VNU_JAR)",
        jar.display()
    );
    println!("skipped: vnu.jar not installed");
    None
}

fn check_with_vnu(site: &TestSite) {
    let Some(jar) = vnu_jar() else { return };
    if !require_program("java") {
        return;
    }
    let out = Command::new("java")
        .arg("-jar")
        .arg(&jar)
        .args(["--errors-only", "--skip-non-html"])
        .arg(site.path("public"))
        .output()
        .unwrap();
    let report = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success() && report.trim().is_empty(), "vnu found errors:\n{report}");
}

#[test]
fn bundled_blog_is_valid_html() {
    let site = TestSite::bundled_blog();
    site.run(&["build", "--drafts", "--future"]).success();
    check_with_vnu(&site);
}

#[test]
fn structure_fixture_is_valid_html_in_relative_mode() {
    let site = TestSite::fixture("site-structure");
    site.run(&["build", "--base-url", "."]).success();
    check_with_vnu(&site);
}

#[test]
fn alias_redirect_pages_are_valid_html() {
    let site = TestSite::empty().post("a", "2015-03-01", "Body.\n").write(
        "content/posts/b.md",
        "+++\ntitle = \"B & <b>\"\ndate = 2015-03-02\naliases = [\"/2015/03/02/b/\", \"/old/b.html\"]\n+++\nBody.\n",
    );
    site.build();
    assert!(site.path("public/2015/03/02/b/index.html").is_file());
    check_with_vnu(&site);
}
