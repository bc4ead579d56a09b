//! Lists the files of the default theme (`themes/default/`) for `src/theme.rs`, which
//! embeds them in the binary with `include_bytes!`: a site without a `themes/` folder
//! uses them, and `gen theme eject` writes them out.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let theme = manifest.join("themes/default");
    // Cargo looks at every file under a folder given here, so a new or changed theme
    // file runs this script again.
    println!("cargo:rerun-if-changed=themes/default");
    let mut files = Vec::new();
    collect(&theme, &mut files);
    files.sort();
    let mut list = String::from("&[\n");
    for file in &files {
        let rel = file.strip_prefix(&theme).expect("under the theme").to_string_lossy().replace('\\', "/");
        writeln!(list, "    BuiltInFile {{ path: {rel:?}, bytes: include_bytes!({:?}) }},", file.display())
            .expect("writing to a String cannot fail");
    }
    list.push_str("]\n");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo")).join("default_theme.rs");
    std::fs::write(out, list).expect("cannot write the list of theme files");
}

/// Every file under `dir`, leaving out hidden files (editor swap files, `.DS_Store`).
fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
    for entry in entries {
        let entry = entry.expect("cannot read the theme folder");
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        if path.is_dir() {
            collect(&path, files);
        } else {
            files.push(path);
        }
    }
}
