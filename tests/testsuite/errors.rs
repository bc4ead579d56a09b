//! Bad input: the corpus under `tests/fixtures/invalid/`, one site per situation, each
//! with an `expect.toml` saying what `gen build` must do with it. One table-driven test
//! runs them all and checks the exit status, the message, the file, line and column it
//! names, a `help:` line, no panic, and that the previous output (a `public/` folder
//! made before the build) is left byte for byte, with no staging folder left over.

use std::path::Path;
use std::process::Command;

use serde::Deserialize;

use crate::harness::{copy_dir, file_contents, repo_root, require_program, TestSite};

/// An `expect.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    /// The exit status of `gen build`.
    status: i32,
    /// Part of the error message (failing cases).
    message: Option<String>,
    /// The file the error names, relative to the site.
    file: Option<String>,
    /// The line it names; 0 for a problem with the whole file (no line).
    line: Option<usize>,
    /// The column it names; absent when the error names none.
    column: Option<usize>,
    /// What to do to the site before the build, for what git cannot hold: `huge-post`,
    /// `unreadable`, `fifo`.
    setup: Option<String>,
    /// Succeeding cases: a page that must be built, and what it must contain.
    page: Option<String>,
    #[serde(default)]
    page_contains: Vec<String>,
}

/// The output of an earlier build, made before each case runs.
const PREVIOUS_OUTPUT: &[(&str, &[u8])] = &[
    ("index.html", b"<!doctype html><title>Previous build</title><p>still here</p>\n"),
    ("posts/older/index.html", b"<p>an older post</p>\n"),
    ("style.css", b"body { color: #222 }\n"),
    ("images/pixel.bin", &[0, 1, 2, 255, 254, 0, 10, 13]),
];

fn is_root() -> bool {
    rustix::process::geteuid().is_root()
}

/// Prepares the site for its case; returns the command that runs gen (as `nobody` when
/// the case needs a file gen cannot read and the tests run as root, who reads anything).
fn setup(site: &TestSite, setup: Option<&str>) -> Result<Command, String> {
    let gen = env!("CARGO_BIN_EXE_gen");
    let mut command = Command::new(gen);
    match setup {
        None => {}
        Some("huge-post") => {
            let line = "A line of a post that somebody pasted a very large log into, over and over.\n";
            let mut text = String::from("+++\ntitle = \"Huge\"\ndate = 2020-01-02\n+++\n");
            while text.len() < 20_000_000 {
                text.push_str(line);
            }
            std::fs::write(site.path("content/posts/huge.md"), text).unwrap();
        }
        Some("fifo") => {
            let status = Command::new("mkfifo").arg(site.path("content/posts/pipe.md")).status().unwrap();
            assert!(status.success());
        }
        Some("unreadable") => {
            use std::os::unix::fs::PermissionsExt;
            let secret = site.path("content/posts/secret.md");
            if is_root() {
                // Root reads a file of mode 000 anyway; gen runs as nobody instead, with the
                // site (and its previous output) owned by nobody, so only the mode stops it.
                if !require_program("setpriv") {
                    return Err("skipped".into());
                }
                for entry in walkdir::WalkDir::new(site.root()) {
                    std::os::unix::fs::lchown(entry.unwrap().path(), Some(65534), Some(65534)).unwrap();
                }
                command = Command::new("setpriv");
                command.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"]).arg(gen);
            }
            std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o000)).unwrap();
        }
        Some(other) => panic!("unknown setup {other:?}"),
    }
    command.arg("--root").arg(site.root()).arg("build");
    Ok(command)
}

/// Runs one case; returns what is wrong, if anything.
fn run_case(name: &str) -> Result<(), String> {
    let dir = repo_root().join("tests/fixtures/invalid").join(name);
    let expect: Expect =
        toml::from_str(&std::fs::read_to_string(dir.join("expect.toml")).map_err(|e| format!("no expect.toml: {e}"))?)
            .map_err(|e| format!("bad expect.toml: {e}"))?;
    let site = TestSite::fixture(&format!("invalid/{name}")).remove("expect.toml");
    for (rel, bytes) in PREVIOUS_OUTPUT {
        let path = site.path("public").join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    let before = file_contents(&site.path("public"));
    let mut command = match setup(&site, expect.setup.as_deref()) {
        Ok(c) => c,
        Err(skipped) if skipped == "skipped" => return Ok(()),
        Err(e) => return Err(e),
    };
    let out = command.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).replace(&site.root().display().to_string(), "[ROOT]");
    let shown = format!("exit {:?}, stderr:\n{stderr}", out.status.code());
    if stderr.contains("panicked") {
        return Err(format!("gen panicked: {shown}"));
    }
    if out.status.code() != Some(expect.status) {
        return Err(format!("expected exit {}, got {shown}", expect.status));
    }
    let leftovers = site.staging_folders();
    if !leftovers.is_empty() {
        return Err(format!("staging folders left behind: {leftovers:?}"));
    }
    if expect.status == 0 {
        let page = expect.page.as_deref().ok_or("a succeeding case names a `page`")?;
        let html = std::fs::read_to_string(site.path(page)).map_err(|e| format!("{page}: {e}; {shown}"))?;
        return match expect.page_contains.iter().find(|n| !html.contains(n.as_str())) {
            Some(missing) => Err(format!("{page} lacks {missing:?}:\n{html}")),
            None => Ok(()),
        };
    }
    let message = expect.message.as_deref().ok_or("a failing case names a `message`")?;
    let file = expect.file.as_deref().ok_or("a failing case names a `file`")?;
    let mut location = file.to_string();
    match (expect.line.ok_or("a failing case names a `line` (0: the whole file)")?, expect.column) {
        (0, _) => {}
        (line, None) => location.push_str(&format!(":{line}")),
        (line, Some(column)) => location.push_str(&format!(":{line}:{column}")),
    }
    let lines: Vec<&str> = stderr.lines().collect();
    let prefix = format!("error: {location}: ");
    let Some(at) = lines.iter().position(|l| l.starts_with(&prefix) && l.contains(message)) else {
        return Err(format!("no line `{prefix}...{message}...`; {shown}"));
    };
    if !lines.get(at + 1).is_some_and(|l| l.starts_with("  help: ")) {
        return Err(format!("the error has no `help:` line; {shown}"));
    }
    if file_contents(&site.path("public")) != before {
        return Err("the previous output in public/ changed".into());
    }
    Ok(())
}

#[test]
fn every_bad_input_fails_cleanly_and_leaves_the_previous_output() {
    let mut cases: Vec<String> = std::fs::read_dir(repo_root().join("tests/fixtures/invalid"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    cases.sort();
    assert!(cases.len() >= 40, "the corpus has {} cases", cases.len());
    // Two threads: the cases are independent sites, each run by its own gen.
    let failures: Vec<String> = std::thread::scope(|s| {
        let parts: Vec<_> = cases
            .chunks(cases.len().div_ceil(2))
            .map(|part| {
                s.spawn(move || {
                    part.iter().filter_map(|c| run_case(c).err().map(|e| format!("{c}: {e}"))).collect::<Vec<_>>()
                })
            })
            .collect();
        parts.into_iter().flat_map(|p| p.join().unwrap()).collect()
    });
    assert!(failures.is_empty(), "{} of {} cases failed:\n\n{}", failures.len(), cases.len(), failures.join("\n\n"));
}

/// Makes the site at `root` the site of `case` (or, with `None`, the good site): the
/// files change, the folders stay (as an author's edits would), so a watcher sees edits.
fn become_case(root: &Path, case: Option<&Path>) {
    for dir in ["content/posts", "templates"] {
        let dir = root.join(dir);
        std::fs::create_dir_all(&dir).unwrap();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() && !path.is_symlink() {
                std::fs::remove_dir_all(&path).unwrap();
            } else {
                std::fs::remove_file(&path).unwrap();
            }
        }
    }
    match case {
        Some(case) => {
            for part in ["content", "templates"] {
                if case.join(part).exists() {
                    copy_dir(&case.join(part), &root.join(part));
                }
            }
            std::fs::copy(case.join("site.toml"), root.join("site.toml")).unwrap();
        }
        None => {
            std::fs::write(
                root.join("content/posts/good.md"),
                "+++\ntitle = \"Good\"\ndate = 2020-01-01\n+++\nGood.\n",
            )
            .unwrap();
            std::fs::write(root.join("site.toml"), "title = \"Fixture\"\nbase_url = \"https://example.com/\"\n")
                .unwrap();
        }
    }
}

/// `gen serve` survives every bad input of the corpus, saved while it runs: it reports
/// the error at the same place as `gen build` (in `/__gen/status`, which the overlay
/// shows), keeps serving, and recovers once the site is good again.
#[test]
fn gen_serve_survives_every_bad_input() {
    let site = TestSite::empty();
    become_case(site.root(), None);
    let served = crate::serve::Served::start(&site, &[]);
    served.wait_for_page("/posts/good/", 200, "Good.");
    let corpus = repo_root().join("tests/fixtures/invalid");
    let mut cases: Vec<_> =
        std::fs::read_dir(&corpus).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    cases.sort();
    let mut checked = 0;
    for name in cases {
        let expect: Expect =
            toml::from_str(&std::fs::read_to_string(corpus.join(&name).join("expect.toml")).unwrap()).unwrap();
        // Cases made at test time are for `gen build`; those that succeed have no error.
        if expect.setup.is_some() || expect.status == 0 {
            continue;
        }
        become_case(site.root(), Some(&corpus.join(&name)));
        let (file, line, message) = (expect.file.unwrap(), expect.line.unwrap(), expect.message.unwrap());
        served.wait_for(&format!("{name}: the error {file}:{line}: {message}"), || {
            let status = served.status();
            let errors = status["errors"].as_array()?.clone();
            errors
                .iter()
                .any(|e| {
                    e["file"] == file.as_str()
                        && e["line"] == line
                        && expect.column.is_none_or(|c| e["column"] == c)
                        && e["message"].as_str().is_some_and(|m| m.contains(message.as_str()))
                })
                .then_some(())
        });
        assert_eq!(served.get("/__gen/live.js").status, 200, "{name}: gen serve stopped serving");
        become_case(site.root(), None);
        served.wait_for(&format!("{name}: recovery"), || served.status()["ok"].as_bool().filter(|ok| *ok));
        served.wait_for_page("/posts/good/", 200, "Good.");
        checked += 1;
    }
    assert!(checked >= 50, "only {checked} cases checked");
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
fn all_errors_are_reported_together() {
    let site = TestSite::empty()
        .write("content/posts/a.md", "+++\ndate = 2020-01-01\n+++\n")
        .write("content/posts/b.md", "+++\ntitle = \"B\"\n+++\n");
    let out = site.run(&["build"]).failure();
    let err = out.stderr();
    assert!(
        err.contains("content/posts/a.md:1:1: the post has no `title`")
            && err.contains("content/posts/b.md:1:1: the post has no `date`"),
        "{err}"
    );
}

#[test]
fn a_failed_build_writes_no_output_where_there_was_none() {
    let site = TestSite::fixture("invalid/missing-title");
    site.run(&["build"]).failure();
    assert!(!site.path("public").exists(), "a failed build wrote output");
}
