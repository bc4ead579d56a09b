//! A chainable helper for test sites: start from a fixture under `tests/fixtures/` (or
//! from nothing), add or change files, run `gen`, and check the outcome.
//!
//! Pages are checked as a reader sees them: a whole region of the page (from a start
//! marker to an end marker, both included), or a whole small file, against a snapbox
//! pattern. `SNAPSHOTS=overwrite cargo test NAME` rewrites a failing `str![...]` in place.
//! A file's final newline is part of it: its expectation ends with an empty line.
//!
//! ```ignore
//! let site = TestSite::fixture("site-structure");
//! site.build();
//! site.fragment_matches("public/posts/shell-pipes/index.html", "<nav class=\"post-nav\"", "</nav>", str![[r#"
//! <nav class="post-nav" aria-label="More posts">
//!   <a class="older" rel="prev" href="/posts/intro-to-shells/">[..]</a>
//! ...
//! </nav>
//! "#]]);
//! site.file_matches("public/robots.txt", str![[r#"
//! User-agent: *
//! ...
//!
//! "#]]);
//! ```

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root (where Cargo.toml is).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Whether tests that need an outside program must fail instead of skipping.
pub fn strict() -> bool {
    std::env::var("GEN_TEST_STRICT").is_ok_and(|v| v == "1")
}

/// Is `program` on PATH? When it is not, prints `skipped: ... not installed` and returns
/// false, or panics under `GEN_TEST_STRICT=1`.
pub fn require_program(program: &str) -> bool {
    let found =
        Command::new("sh").arg("-c").arg(format!("command -v {program}")).output().is_ok_and(|o| o.status.success());
    if !found {
        assert!(!strict(), "{program} is required when GEN_TEST_STRICT=1, but it is not installed");
        println!("skipped: {program} not installed");
    }
    found
}

/// Where `program` is on PATH; panics when it is not installed.
pub fn find_program(program: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("{program} is not installed"))
}

/// Copies the folder `from` to `to` (symbolic links as links).
pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else if entry.file_type().is_symlink() {
            let target = std::fs::read_link(entry.path()).unwrap();
            std::os::unix::fs::symlink(target, &dest).unwrap();
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

/// Every file under `dir` (relative path → bytes), to compare a folder before and after.
pub fn file_contents(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().strip_prefix(dir).unwrap().display().to_string(), std::fs::read(e.path()).unwrap()))
        .collect()
}

/// A site in a temporary folder, with a cache folder of its own for `gen test`
/// (`GEN_CACHE_DIR`), so that tests never share or leave a cache.
pub struct TestSite {
    dir: tempfile::TempDir,
    cache: tempfile::TempDir,
}

impl TestSite {
    /// A copy of `tests/fixtures/<name>`; the default theme is added when the fixture has
    /// no `themes/` folder.
    pub fn fixture(name: &str) -> Self {
        let site = TestSite { dir: tempfile::tempdir().unwrap(), cache: tempfile::tempdir().unwrap() };
        let src = repo_root().join("tests/fixtures").join(name);
        assert!(src.is_dir(), "no fixture {}", src.display());
        copy_dir(&src, site.root());
        if !site.root().join("themes").exists() {
            copy_dir(&repo_root().join("themes"), &site.root().join("themes"));
        }
        site
    }

    /// A copy of another test site, as it is now.
    pub fn copy_of(other: &TestSite) -> Self {
        let site = TestSite { dir: tempfile::tempdir().unwrap(), cache: tempfile::tempdir().unwrap() };
        copy_dir(other.root(), site.root());
        site
    }

    /// The bundled blog: content/, site.toml, themes/ and static/ of this repository.
    pub fn bundled_blog() -> Self {
        let site = TestSite { dir: tempfile::tempdir().unwrap(), cache: tempfile::tempdir().unwrap() };
        for part in ["content", "themes", "static"] {
            let src = repo_root().join(part);
            if src.exists() {
                copy_dir(&src, &site.root().join(part));
            }
        }
        std::fs::copy(repo_root().join("site.toml"), site.root().join("site.toml")).unwrap();
        site
    }

    /// An empty folder (for `gen init`).
    pub fn bare() -> Self {
        TestSite { dir: tempfile::tempdir().unwrap(), cache: tempfile::tempdir().unwrap() }
    }

    /// A minimal site: site.toml and the default theme, no posts.
    pub fn empty() -> Self {
        let site = TestSite { dir: tempfile::tempdir().unwrap(), cache: tempfile::tempdir().unwrap() };
        copy_dir(&repo_root().join("themes"), &site.root().join("themes"));
        site.write("site.toml", "title = \"Test\"\nbase_url = \"https://example.com/\"\n")
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// What a build left beside `public/` other than the kept previous site
    /// (`.public.previous`): staging folders, which a finished build never leaves.
    pub fn staging_folders(&self) -> Vec<String> {
        std::fs::read_dir(self.root())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".public") && n != ".public.previous")
            .collect()
    }

    /// The cache folder `gen test` uses for this site.
    pub fn cache_dir(&self) -> &Path {
        self.cache.path()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root().join(rel)
    }

    /// Writes `text` at `rel`, creating folders.
    pub fn write(self, rel: &str, text: &str) -> Self {
        self.write_bytes(rel, text.as_bytes())
    }

    pub fn write_bytes(self, rel: &str, bytes: &[u8]) -> Self {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
        self
    }

    /// Writes a post `content/posts/<slug>.md` with a title, a date and `body`.
    pub fn post(self, slug: &str, date: &str, body: &str) -> Self {
        let text = format!("+++\ntitle = \"{}\"\ndate = {date}\n+++\n{body}", slug.replace('-', " "));
        self.write(&format!("content/posts/{slug}.md"), &text)
    }

    pub fn remove(self, rel: &str) -> Self {
        let path = self.path(rel);
        if path.is_dir() {
            std::fs::remove_dir_all(path).unwrap();
        } else {
            std::fs::remove_file(path).unwrap();
        }
        self
    }

    /// Runs `gen --root <site> ARGS` and returns its outcome.
    pub fn run(&self, args: &[&str]) -> Outcome {
        self.run_with_env(&[], args)
    }

    /// [`Self::run`] with more environment variables.
    pub fn run_with_env(&self, env: &[(&str, &str)], args: &[&str]) -> Outcome {
        let mut command = Command::new(env!("CARGO_BIN_EXE_gen"));
        command.env("GEN_CACHE_DIR", self.cache.path()).envs(env.iter().copied());
        let output = command.arg("--root").arg(self.root()).args(args).output().unwrap();
        Outcome { output, root: self.root().to_path_buf() }
    }

    /// Runs `gen build` and asserts it succeeded.
    pub fn build(&self) -> Outcome {
        self.run(&["build"]).success()
    }

    /// The text of a file of the site (e.g. `public/index.html`).
    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("cannot read {rel}: {e}"))
    }

    /// The file `rel` as a whole must match `expected` (see [`assert_text_matches`]).
    #[track_caller]
    pub fn file_matches(&self, rel: &str, expected: impl Into<snapbox::Data>) -> &Self {
        assert_text_matches(rel, &self.read(rel), expected);
        self
    }

    /// The part of the file `rel` from the first `start` to the first `end` after it,
    /// both included, must match `expected` (see [`assert_text_matches`]). Panics when
    /// either marker is missing.
    #[track_caller]
    pub fn fragment_matches(&self, rel: &str, start: &str, end: &str, expected: impl Into<snapbox::Data>) -> &Self {
        let text = self.read(rel);
        let from = text.find(start).unwrap_or_else(|| panic!("no {start:?} in {rel}:\n{text}"));
        let to = text[from..]
            .find(end)
            .map(|i| from + i + end.len())
            .unwrap_or_else(|| panic!("no {end:?} after {start:?} in {rel}:\n{text}"));
        assert_text_matches(&format!("{rel} ({start:?} to {end:?})"), &text[from..to], expected);
        self
    }

    /// Every file under `rel`, as sorted relative paths.
    pub fn files_under(&self, rel: &str) -> Vec<String> {
        let base = self.path(rel);
        let mut files: Vec<String> = walkdir::WalkDir::new(&base)
            .into_iter()
            .map(|e| e.unwrap())
            .filter(|e| e.file_type().is_file())
            .map(|e| e.path().strip_prefix(&base).unwrap().to_string_lossy().into_owned())
            .collect();
        files.sort();
        files
    }
}

/// What a run of `gen` did.
pub struct Outcome {
    pub output: Output,
    root: PathBuf,
}

impl Outcome {
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    /// Standard error, with the site's temporary path replaced by `[ROOT]`.
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).replace(&self.root.display().to_string(), "[ROOT]")
    }

    pub fn code(&self) -> Option<i32> {
        self.output.status.code()
    }

    #[track_caller]
    pub fn success(self) -> Self {
        assert!(
            self.output.status.success(),
            "gen failed ({:?}):\nstdout:\n{}\nstderr:\n{}",
            self.code(),
            self.stdout(),
            self.stderr()
        );
        self
    }

    #[track_caller]
    pub fn failure(self) -> Self {
        assert_eq!(self.code(), Some(1), "expected exit 1:\nstdout:\n{}\nstderr:\n{}", self.stdout(), self.stderr());
        self
    }

    /// Standard error must match `pattern` (snapbox: `...` lines and `[..]` in a line).
    #[track_caller]
    pub fn stderr_matches(self, pattern: impl Into<snapbox::Data>) -> Self {
        snapbox::assert_data_eq!(self.stderr(), pattern.into());
        self
    }

    #[track_caller]
    pub fn stdout_matches(self, pattern: impl Into<snapbox::Data>) -> Self {
        snapbox::assert_data_eq!(self.stdout(), pattern.into());
        self
    }

    #[track_caller]
    pub fn stderr_contains(self, needle: &str) -> Self {
        let err = self.stderr();
        assert!(err.contains(needle), "stderr does not contain {needle:?}:\n{err}");
        self
    }
}

/// `actual` (named `name` in the diff) must match `expected`, a snapbox pattern: `...` on
/// a line of its own stands for any lines, `[..]` for any text within a line. Spaces at
/// the end of lines are left out of the comparison (templates leave some, and they cannot
/// be seen in an expectation). With `SNAPSHOTS=overwrite`, a failing `str![...]`
/// expectation is rewritten in the test's source to what was found.
#[track_caller]
pub fn assert_text_matches(name: &str, actual: &str, expected: impl Into<snapbox::Data>) {
    let mut trimmed: String = actual.lines().map(str::trim_end).collect::<Vec<_>>().join("\n");
    if actual.ends_with('\n') {
        trimmed.push('\n');
    }
    let assert = snapbox::Assert::new().action_env(snapbox::assert::DEFAULT_ACTION_ENV);
    if let Err(e) = assert.try_eq(Some(&name), trimmed.into(), expected.into()) {
        panic!("{e}");
    }
}

/// Asserts `haystack` contains each of `needles`, showing the haystack when not.
#[track_caller]
pub fn assert_contains(haystack: &str, needles: &[&str]) {
    for n in needles {
        assert!(haystack.contains(n), "missing {n:?} in:\n{haystack}");
    }
}

#[track_caller]
pub fn assert_not_contains(haystack: &str, needles: &[&str]) {
    for n in needles {
        assert!(!haystack.contains(n), "unexpected {n:?} in:\n{haystack}");
    }
}
