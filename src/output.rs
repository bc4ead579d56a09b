//! Output: writing a built site to disk atomically. The new site is written into a
//! temporary folder beside the target and swapped in whole; a failed or interrupted
//! build leaves the previous output as it was.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

/// Writes `files` (relative path → bytes) as the folder `out`, replacing what was there
/// only once everything is written.
pub fn write_site_atomically<B: AsRef<[u8]> + Sync>(out: &Path, files: &BTreeMap<String, B>) -> io::Result<()> {
    let staging = StagingFolder::create(out)?;
    staging.write_all(files)?;
    staging.swap_in()
}

/// A new site being written file by file into a temporary folder beside `out`, which
/// [`StagingFolder::swap_in`] puts in the place of `out` whole. Dropped without the swap
/// (a failed build), the folder is removed and `out` stays as it was.
pub struct StagingFolder {
    staging: PathBuf,
    out: PathBuf,
    name: String,
    swapped: bool,
}

impl StagingFolder {
    /// Creates the staging folder for the output folder `out` (and `out`'s parent).
    pub fn create(out: &Path) -> io::Result<StagingFolder> {
        let out = absolute(out)?;
        let parent = out.parent().ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the output folder has no parent"))?;
        std::fs::create_dir_all(parent)?;
        let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "public".into());
        remove_stale_folders(parent, &name);
        let staging = tempfile_dir(parent, &format!(".{name}.new-"))?;
        Ok(StagingFolder { staging, out, name, swapped: false })
    }

    /// Writes one file (path relative to the site, `/`-separated), replacing an earlier
    /// one of the same path. Safe to call from several threads.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> io::Result<()> {
        if rel.split('/').any(|c| c == ".." || c.is_empty()) {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("refusing to write outside the output: {rel}")));
        }
        let path = self.staging.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, bytes)
    }

    /// Writes every file of `files`, in parallel.
    pub fn write_all<B: AsRef<[u8]> + Sync>(&self, files: &BTreeMap<String, B>) -> io::Result<()> {
        files.par_iter().try_for_each(|(rel, bytes)| self.write(rel, bytes.as_ref()))
    }

    /// Puts the written site in the place of `out`.
    pub fn swap_in(mut self) -> io::Result<()> {
        self.swapped = true;
        let parent = self.out.parent().expect("checked in create").to_path_buf();
        let result = swap_in(&self.staging, &self.out, &parent, &self.name);
        if result.is_err() {
            let _ = std::fs::remove_dir_all(&self.staging);
        }
        result
    }
}

impl Drop for StagingFolder {
    fn drop(&mut self) {
        if !self.swapped {
            let _ = std::fs::remove_dir_all(&self.staging);
        }
    }
}

fn absolute(p: &Path) -> io::Result<PathBuf> {
    if p.is_absolute() {
        Ok(p.to_path_buf())
    } else {
        Ok(std::env::current_dir()?.join(p))
    }
}

/// Removes the staging folders (`.public.new-PID-N`, `.public.old-PID-N`) that builds
/// killed before they could clean up left in `parent`: those whose process is gone. A
/// folder of a build still running (e.g. a second `gen build` at once) is left alone.
fn remove_stale_folders(parent: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else { return };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(rest) = file_name.to_str().and_then(|n| n.strip_prefix(&format!(".{name}."))) else { continue };
        let Some(pid_n) = rest.strip_prefix("new-").or_else(|| rest.strip_prefix("old-")) else { continue };
        let Some(pid) = pid_n.split('-').next().and_then(|p| p.parse::<i32>().ok()) else { continue };
        if !process_alive(pid) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

fn process_alive(pid: i32) -> bool {
    match rustix::process::Pid::from_raw(pid) {
        // Signal 0 checks existence; EPERM means it exists but is someone else's.
        Some(pid) => !matches!(rustix::process::test_kill_process(pid), Err(rustix::io::Errno::SRCH)),
        None => false,
    }
}

/// A fresh, empty folder in `parent` whose name starts with `prefix`.
fn tempfile_dir(parent: &Path, prefix: &str) -> io::Result<PathBuf> {
    let pid = std::process::id();
    for n in 0..1000u32 {
        let candidate = parent.join(format!("{prefix}{pid}-{n}"));
        match std::fs::create_dir(&candidate) {
            Ok(()) => return Ok(candidate),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::new(io::ErrorKind::AlreadyExists, "could not create a staging folder"))
}

/// Puts `staging` in the place of `out`. On Linux the two folders are exchanged in one
/// `renameat2(RENAME_EXCHANGE)`, so there is no moment without a whole site.
fn swap_in(staging: &Path, out: &Path, parent: &Path, name: &str) -> io::Result<()> {
    if !out.exists() {
        return std::fs::rename(staging, out);
    }
    if exchange(staging, out).is_ok() {
        // `staging` now holds the previous site.
        return remove_tree(staging);
    }
    let old = tempfile_dir(parent, &format!(".{name}.old-"))?;
    std::fs::remove_dir(&old)?;
    std::fs::rename(out, &old)?;
    if let Err(e) = std::fs::rename(staging, out) {
        let _ = std::fs::rename(&old, out);
        return Err(e);
    }
    remove_tree(&old)
}

/// Removes the folder `dir` and everything in it, its subfolders in parallel (a site is
/// thousands of small folders, one a page; removing them one by one is a large part of a
/// build). Symbolic links are removed, never followed.
fn remove_tree(dir: &Path) -> io::Result<()> {
    let entries: Vec<std::fs::DirEntry> = std::fs::read_dir(dir)?.collect::<io::Result<_>>()?;
    entries.par_iter().try_for_each(|entry| if entry.file_type()?.is_dir() { remove_tree(&entry.path()) } else { std::fs::remove_file(entry.path()) })?;
    std::fs::remove_dir(dir)
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(io::Error::from)
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> io::Result<()> {
    Err(io::Error::new(io::ErrorKind::Unsupported, "no atomic exchange"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_whole_folder_and_leaves_no_staging() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let mut files = BTreeMap::new();
        files.insert("a/index.html".to_string(), b"one".to_vec());
        files.insert("stale.txt".to_string(), b"x".to_vec());
        write_site_atomically(&out, &files).unwrap();
        files.remove("stale.txt");
        files.insert("a/index.html".to_string(), b"two".to_vec());
        write_site_atomically(&out, &files).unwrap();
        assert_eq!(std::fs::read(out.join("a/index.html")).unwrap(), b"two");
        assert!(!out.join("stale.txt").exists());
        let leftovers: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(leftovers, vec![std::ffi::OsString::from("public")]);
    }

    #[test]
    fn a_staging_folder_dropped_without_swap_leaves_the_output_as_it_was() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let mut files = BTreeMap::new();
        files.insert("index.html".to_string(), b"old".to_vec());
        write_site_atomically(&out, &files).unwrap();
        let staging = StagingFolder::create(&out).unwrap();
        staging.write("index.html", b"new").unwrap();
        staging.write("posts/a/index.html", b"a").unwrap();
        drop(staging);
        assert_eq!(std::fs::read(out.join("index.html")).unwrap(), b"old");
        let leftovers: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(leftovers, vec![std::ffi::OsString::from("public")]);
    }

    #[test]
    fn stale_staging_folders_of_dead_builds_are_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        // No process has a pid this large (above the kernel's limit of 2^22).
        let dead = tmp.path().join(".public.new-99999999-0");
        let dead_old = tmp.path().join(".public.old-99999999-3");
        let running = tmp.path().join(format!(".public.new-{}-7", std::process::id()));
        let other = tmp.path().join(".notes.new-99999999-0");
        for dir in [&dead, &dead_old, &running, &other] {
            std::fs::create_dir_all(dir.join("posts")).unwrap();
        }
        write_site_atomically(&out, &BTreeMap::from([("index.html".to_string(), b"x".to_vec())])).unwrap();
        assert!(!dead.exists() && !dead_old.exists());
        assert!(running.exists() && other.exists());
    }

    #[test]
    fn the_previous_site_is_removed_whole_links_not_followed() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let keep = tmp.path().join("keep");
        std::fs::create_dir(&keep).unwrap();
        std::fs::write(keep.join("k.txt"), "k").unwrap();
        let mut files = BTreeMap::new();
        for n in 0..50 {
            files.insert(format!("posts/p{n}/index.html"), b"p".to_vec());
        }
        write_site_atomically(&out, &files).unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(&keep, out.join("posts/p1/link")).unwrap();
        let mut next = BTreeMap::new();
        next.insert("index.html".to_string(), b"new".to_vec());
        write_site_atomically(&out, &next).unwrap();
        assert!(!out.join("posts").exists());
        assert_eq!(std::fs::read_to_string(keep.join("k.txt")).unwrap(), "k");
        let mut leftovers: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        leftovers.sort();
        assert_eq!(leftovers, ["keep", "public"]);
    }

    #[test]
    fn refuses_paths_outside() {
        let tmp = tempfile::tempdir().unwrap();
        let mut files = BTreeMap::new();
        files.insert("../evil".to_string(), b"x".to_vec());
        assert!(write_site_atomically(&tmp.path().join("public"), &files).is_err());
        assert!(!tmp.path().join("evil").exists());
        assert!(!tmp.path().join("public").exists());
    }
}
