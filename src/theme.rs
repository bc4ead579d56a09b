//! Where a site's theme comes from: its folder `themes/<name>/`, or, for the default
//! theme when the site has no such folder, the copy built into the binary.

use std::path::{Path, PathBuf};

use crate::config::SiteConfig;

/// The name of the theme built into the binary.
pub const BUILT_IN_THEME: &str = "default";

/// One file of the built-in theme: its path under `themes/default/` and its content.
#[derive(Debug, Clone, Copy)]
pub struct BuiltInFile {
    /// `templates/base.html`, `static/style.css`, ...
    pub path: &'static str,
    pub bytes: &'static [u8],
}

/// The files of `themes/default/` as they were when gen was compiled, sorted by path
/// (listed by `build.rs`).
pub const BUILT_IN_FILES: &[BuiltInFile] = include!(concat!(env!("OUT_DIR"), "/default_theme.rs"));

/// The theme a site is rendered with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Theme {
    /// `themes/<name>/` under the site root.
    Folder(PathBuf),
    /// The default theme built into the binary (the site has no `themes/default/`).
    BuiltIn,
}

impl Theme {
    /// The site's theme: its folder when there is one; else the built-in theme when the
    /// site asks for the default one; else `None` (a theme that does not exist).
    pub fn locate(root: &Path, config: &SiteConfig) -> Option<Theme> {
        let dir = config.theme_dir(root);
        if dir.is_dir() {
            Some(Theme::Folder(dir))
        } else if config.theme == BUILT_IN_THEME {
            Some(Theme::BuiltIn)
        } else {
            None
        }
    }
}

/// The built-in files under `folder` (`templates` or `static`), as (path under that
/// folder, content).
pub fn built_in_files_under(folder: &str) -> impl Iterator<Item = (&'static str, &'static [u8])> + '_ {
    BUILT_IN_FILES.iter().filter_map(move |f| {
        let rest = f.path.strip_prefix(folder)?.strip_prefix('/')?;
        Some((rest, f.bytes))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The embedded list is the theme folder, file for file.
    #[test]
    fn built_in_files_are_the_theme_folder() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default");
        let mut on_disk = Vec::new();
        for entry in walkdir::WalkDir::new(&dir).sort_by_file_name() {
            let entry = entry.unwrap();
            if entry.file_type().is_file() {
                let rel = entry.path().strip_prefix(&dir).unwrap().to_string_lossy().into_owned();
                on_disk.push((rel, std::fs::read(entry.path()).unwrap()));
            }
        }
        let embedded: Vec<(String, Vec<u8>)> =
            BUILT_IN_FILES.iter().map(|f| (f.path.to_string(), f.bytes.to_vec())).collect();
        assert_eq!(embedded, on_disk);
        assert!(BUILT_IN_FILES.iter().any(|f| f.path == "templates/base.html"));
        let statics: Vec<&str> = built_in_files_under("static").map(|(p, _)| p).collect();
        assert!(statics.contains(&"style.css"), "{statics:?}");
    }

    #[test]
    fn locate_prefers_the_folder() {
        let site = tempfile::tempdir().unwrap();
        let parse = |t: &str| SiteConfig::parse(t, Path::new("site.toml")).unwrap();
        assert_eq!(Theme::locate(site.path(), &parse("title = \"T\"")), Some(Theme::BuiltIn));
        assert_eq!(Theme::locate(site.path(), &parse("title = \"T\"\ntheme = \"other\"")), None);
        std::fs::create_dir_all(site.path().join("themes/default")).unwrap();
        assert_eq!(
            Theme::locate(site.path(), &parse("title = \"T\"")),
            Some(Theme::Folder(site.path().join("themes/default")))
        );
    }
}
