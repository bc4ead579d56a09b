//! Content: finding the post files under `content/`, reading them safely (UTF-8, no
//! symlink loops, no stray binaries) and splitting each into front matter and body.

pub mod date;
pub mod front_matter;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::error::{display_path, line_col, Diagnostic, Errors, Result};
pub use date::PostDate;
pub use front_matter::{FrontMatter, SnippetDefaults};

/// The folder of posts, under the site root.
pub const CONTENT_DIR: &str = "content";

/// A post as read from disk, before its Markdown is rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostSource {
    /// The file, relative to the site root (`content/posts/x.md`).
    pub path: PathBuf,
    pub front_matter: FrontMatter,
    /// The Markdown after the front matter.
    pub body: String,
    /// The line of the file on which `body` starts (1-based).
    pub body_line: usize,
    /// The URL slug: front matter `slug`, else the file name.
    pub slug: String,
}

impl PostSource {
    /// A diagnostic located at front-matter `key` of this post (the whole file when the
    /// post does not set it, e.g. a slug that comes from the file name).
    pub fn diagnostic_at_key(&self, key: &str, message: impl Into<String>) -> Diagnostic {
        let (line, column) = self.front_matter.places.of(key);
        Diagnostic::new(&self.path, line, column, message)
    }
}

/// Lower-case ASCII letters and digits, every other run of characters one `-`.
pub fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    let mut dash = false;
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            if dash && !slug.is_empty() {
                slug.push('-');
            }
            dash = false;
            slug.push(c.to_ascii_lowercase());
        } else {
            dash = true;
        }
    }
    slug
}

/// Is this a file that editors and systems leave behind, not content?
pub fn is_ignored(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".tmp")
        || name.starts_with('#')
}

/// Lists the `.md` files under `root/content`, in a stable order. Anything else there is
/// an error, as are unreadable folders and symlink loops.
pub fn find_post_files(root: &Path) -> Result<Vec<PathBuf>> {
    let dir = root.join(CONTENT_DIR);
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut files = Vec::new();
    let mut errors = Vec::new();
    let walker = walkdir::WalkDir::new(&dir).follow_links(true).sort_by_file_name().into_iter();
    for entry in walker.filter_entry(|e| e.depth() == 0 || !is_ignored(&e.file_name().to_string_lossy())) {
        match entry {
            Ok(e) if e.file_type().is_dir() => {}
            Ok(e) => {
                let path = e.path();
                if path.extension().is_some_and(|x| x == "md") {
                    files.push(path.to_path_buf());
                } else {
                    errors.push(
                        Diagnostic::file(display_path(root, path), "this file is not a Markdown post (.md)").with_help(
                            "content/ holds posts only: move images and other files to static/, or delete this one",
                        ),
                    );
                }
            }
            Err(e) => {
                let path = e.path().map(|p| display_path(root, p)).unwrap_or_else(|| PathBuf::from(CONTENT_DIR));
                let message = if e.loop_ancestor().is_some() {
                    "this symbolic link points back into one of its own parent folders (a symlink loop)".to_string()
                } else {
                    format!("cannot read: {}", e.io_error().map_or_else(|| e.to_string(), |io| io.to_string()))
                };
                errors.push(Diagnostic::file(path, message).with_help("remove or fix the link, or its permissions"));
            }
        }
    }
    if errors.is_empty() {
        Ok(files)
    } else {
        Err(Errors(errors))
    }
}

/// The largest post gen reads, in bytes (10 MB): far beyond any written text, small
/// enough that a stray data file cannot exhaust memory or time.
pub const MAX_POST_BYTES: u64 = 10_000_000;

/// Reads one post file and splits it; `path` is absolute or relative to the working folder.
pub fn read_post(root: &Path, path: &Path) -> Result<PostSource> {
    let shown = display_path(root, path);
    let cannot_read = |e: std::io::Error| {
        Diagnostic::file(&shown, format!("cannot read the post: {e}")).with_help("check the file's permissions")
    };
    let meta = std::fs::metadata(path).map_err(cannot_read)?;
    if !meta.is_file() {
        return Err(Diagnostic::file(&shown, "this is not a regular file (a pipe, socket or device)")
            .with_help("content/ holds Markdown posts only: remove this entry")
            .into());
    }
    if meta.len() > MAX_POST_BYTES {
        return Err(Diagnostic::file(
            &shown,
            format!(
                "the post is {:.1} MB, more than the {} MB a post may have",
                meta.len() as f64 / 1e6,
                MAX_POST_BYTES / 1_000_000
            ),
        )
        .with_help("a post this large is usually a pasted log or data file: put the data in static/ and link to it")
        .into());
    }
    let bytes = std::fs::read(path).map_err(cannot_read)?;
    let text = decode_utf8(bytes, &shown)?;
    parse_post(&text, shown)
}

/// Splits and validates a post's text; `path` is how diagnostics name it.
pub fn parse_post(text: &str, path: PathBuf) -> Result<PostSource> {
    let split = front_matter::split_front_matter(text, &path)?;
    let fm = front_matter::parse_front_matter(&split, &path)?;
    let slug = fm.slug.clone().unwrap_or_else(|| slugify(&path.file_stem().unwrap_or_default().to_string_lossy()));
    if slug.is_empty() {
        return Err(Diagnostic::file(&path, "the file name gives an empty slug")
            .with_help("rename the file with letters or digits, or set `slug = \"...\"` in the front matter")
            .into());
    }
    let body = if split.body.contains('\r') { split.body.replace("\r\n", "\n") } else { split.body.to_string() };
    Ok(PostSource { path, front_matter: fm, body, body_line: split.body_line, slug })
}

fn decode_utf8(bytes: Vec<u8>, shown: &Path) -> Result<String> {
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let bytes = e.into_bytes();
        let prefix = String::from_utf8_lossy(&bytes[..valid]);
        let (line, column) = line_col(&prefix, valid);
        let binary = bytes.iter().take(8000).any(|&b| b == 0);
        let message =
            if binary { "this looks like a binary file, not a Markdown post" } else { "the post is not valid UTF-8" };
        Diagnostic::new(shown, line, column, message)
            .with_help("save the file as UTF-8 text (or move it out of content/ if it is not a post)")
            .into()
    })
}

/// Finds and reads every post in parallel; all errors are collected, sorted by file.
pub fn load_posts(root: &Path) -> Result<Vec<PostSource>> {
    Errors::collect(read_posts(root)?)
}

/// Finds and reads every post in parallel, each post's result on its own (in file
/// order): `gen test` goes on with the others when one cannot be read. Errors of
/// `content/` itself (a file that is not a post, a symlink loop) fail the whole.
pub fn read_posts(root: &Path) -> Result<Vec<Result<PostSource>>> {
    let files = find_post_files(root)?;
    Ok(files.par_iter().map(|f| read_post(root, f)).collect())
}

/// Where `gen new "Title"` writes: `content/posts/<slug>.md`; `None` for an empty slug.
pub fn new_post_path(title: &str) -> Option<PathBuf> {
    let slug = slugify(title);
    (!slug.is_empty()).then(|| Path::new(CONTENT_DIR).join("posts").join(format!("{slug}.md")))
}

/// The front matter and placeholder body of a new draft post.
pub fn new_post_text(title: &str, date: PostDate, series: Option<&str>) -> String {
    let quote = |s: &str| toml::Value::String(s.to_string()).to_string();
    let mut text = format!("+++\ntitle = {}\ndate = {date}\ndraft = true\ncategories = []\ntags = []\n", quote(title));
    if let Some(series) = series {
        text.push_str(&format!("series = {}\n", quote(series)));
    }
    text.push_str("+++\n\nWrite the first paragraph here; it becomes the summary.\n\n<!-- more -->\n");
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugify_examples() {
        assert_eq!(slugify("Docker Cheat Sheet"), "docker-cheat-sheet");
        assert_eq!(slugify("Setting the $JAVA_HOME variable!"), "setting-the-java-home-variable");
        assert_eq!(slugify("  --x--  "), "x");
        assert_eq!(slugify("Überblick"), "berblick");
    }

    #[test]
    fn invalid_utf8_is_located() {
        let err = decode_utf8(b"ab\ncd\xff".to_vec(), Path::new("p.md")).unwrap_err();
        assert_eq!((err.0[0].line, err.0[0].column), (2, 3));
        assert!(err.0[0].message.contains("UTF-8"));
        let err = decode_utf8(b"\x89PNG\x00\x00\xff".to_vec(), Path::new("p.md")).unwrap_err();
        assert!(err.0[0].message.contains("binary"));
    }
}
