//! Output: writing a built site to disk atomically. The new site is written into a
//! temporary folder beside the target and swapped in whole; a failed or interrupted
//! build leaves the previous output as it was. The site replaced by a swap is kept beside
//! the output (`.public.previous`) and recycled as the next build's staging folder: its
//! files are written over instead of created anew, and only what the new site lacks is
//! removed, which spares the file system most of a build's work.

use std::collections::{BTreeMap, HashSet};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

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
    /// For a recycled previous site: the files it held, and those written since. What was
    /// held and not written is removed before the swap.
    recycled: Option<Recycled>,
}

struct Recycled {
    held: Vec<String>,
    written: Mutex<HashSet<String>>,
}

impl StagingFolder {
    /// Creates the staging folder for the output folder `out` (and `out`'s parent),
    /// recycling the previous site kept beside `out` when there is one.
    pub fn create(out: &Path) -> io::Result<StagingFolder> {
        let out = absolute(out)?;
        let parent = out
            .parent()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the output folder has no parent"))?;
        std::fs::create_dir_all(parent)?;
        let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "public".into());
        remove_stale_folders(parent, &name);
        if let Some((staging, held)) = claim_previous(parent, &name) {
            let recycled = Some(Recycled { held, written: Mutex::new(HashSet::new()) });
            return Ok(StagingFolder { staging, out, name, swapped: false, recycled });
        }
        let staging = tempfile_dir(parent, &format!(".{name}.new-"))?;
        Ok(StagingFolder { staging, out, name, swapped: false, recycled: None })
    }

    /// Writes one file (path relative to the site, `/`-separated), replacing an earlier
    /// one of the same path. Safe to call from several threads.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> io::Result<()> {
        if rel.split('/').any(|c| c == ".." || c.is_empty()) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("refusing to write outside the output: {rel}"),
            ));
        }
        let path = self.staging.join(rel);
        let result = write_file(&path, bytes);
        let Some(recycled) = &self.recycled else { return result };
        if result.is_err() {
            // The previous site had a file where this one wants a folder, or the reverse.
            clear_way(&self.staging, rel)?;
            write_file(&path, bytes)?;
        }
        recycled.written.lock().expect("written set poisoned").insert(rel.to_string());
        Ok(())
    }

    /// Writes every file of `files`, in parallel.
    pub fn write_all<B: AsRef<[u8]> + Sync>(&self, files: &BTreeMap<String, B>) -> io::Result<()> {
        files.par_iter().try_for_each(|(rel, bytes)| self.write(rel, bytes.as_ref()))
    }

    /// Puts the written site in the place of `out`.
    pub fn swap_in(mut self) -> io::Result<()> {
        self.swapped = true;
        let parent = self.out.parent().expect("checked in create").to_path_buf();
        let mut result = match self.recycled.take() {
            Some(recycled) => remove_unwritten(&self.staging, recycled),
            None => Ok(()),
        };
        if result.is_ok() {
            result = swap_in(&self.staging, &self.out, &parent, &self.name);
        }
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

fn write_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, bytes)
}

/// Where the site replaced by the last swap is kept for the next build.
fn previous_path(parent: &Path, name: &str) -> PathBuf {
    parent.join(format!(".{name}.previous"))
}

/// Takes the previous site kept beside the output as this build's staging folder (renamed,
/// so two builds never share it) and lists its files. Anything in it that is neither a
/// folder nor a regular file (a link, say) is removed first, so writing never follows it.
fn claim_previous(parent: &Path, name: &str) -> Option<(PathBuf, Vec<String>)> {
    let previous = previous_path(parent, name);
    if !std::fs::symlink_metadata(&previous).ok()?.is_dir() {
        return None;
    }
    // A fresh empty folder is claimed, then replaced by the previous site in one rename.
    let staging = tempfile_dir(parent, &format!(".{name}.new-")).ok()?;
    if std::fs::rename(&previous, &staging).is_err() {
        let _ = std::fs::remove_dir(&staging);
        return None;
    }
    match list_regular_files(&staging, "") {
        Ok(held) => Some((staging, held)),
        Err(_) => {
            let _ = remove_tree(&staging);
            None
        }
    }
}

/// The regular files under `dir` as `/`-separated paths after `prefix`, its subfolders
/// read in parallel; other entries that are not folders are removed.
fn list_regular_files(dir: &Path, prefix: &str) -> io::Result<Vec<String>> {
    let entries: Vec<std::fs::DirEntry> = std::fs::read_dir(dir)?.collect::<io::Result<_>>()?;
    let lists: Vec<Vec<String>> = entries
        .par_iter()
        .map(|entry| {
            let rel = format!("{prefix}{}", entry.file_name().to_string_lossy());
            let kind = entry.file_type()?;
            if kind.is_dir() {
                list_regular_files(&entry.path(), &format!("{rel}/"))
            } else if kind.is_file() {
                Ok(vec![rel])
            } else {
                std::fs::remove_file(entry.path()).map(|()| Vec::new())
            }
        })
        .collect::<io::Result<_>>()?;
    Ok(lists.concat())
}

/// Removes what stands in the way of writing `rel`: a file where a folder is wanted, or
/// a folder where the file goes.
fn clear_way(staging: &Path, rel: &str) -> io::Result<()> {
    let target = staging.join(rel);
    let mut at = staging.to_path_buf();
    for part in rel.split('/') {
        at.push(part);
        let meta = match std::fs::symlink_metadata(&at) {
            Ok(meta) => meta,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        };
        match (at == target, meta.is_dir()) {
            (true, true) => return remove_tree(&at),
            (false, false) => return std::fs::remove_file(&at),
            _ => {}
        }
    }
    Ok(())
}

/// Removes the files the recycled site held that this build did not write, and the
/// folders that leaves empty.
fn remove_unwritten(staging: &Path, recycled: Recycled) -> io::Result<()> {
    let written = recycled.written.into_inner().expect("written set poisoned");
    for rel in recycled.held.iter().filter(|rel| !written.contains(*rel)) {
        match std::fs::remove_file(staging.join(rel)) {
            Ok(()) => {}
            // Gone already, or the path is now a folder of this build's or lies under a
            // file of this build's: what stands there was written, not held.
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::NotFound | io::ErrorKind::IsADirectory | io::ErrorKind::NotADirectory
                ) =>
            {
                continue
            }
            Err(e) => return Err(e),
        }
        let mut dir = Path::new(rel.as_str()).parent();
        while let Some(d) = dir.filter(|d| !d.as_os_str().is_empty()) {
            if std::fs::remove_dir(staging.join(d)).is_err() {
                break;
            }
            dir = d.parent();
        }
    }
    Ok(())
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

/// Puts `staging` in the place of `out` and keeps the site it replaces as the next
/// build's staging folder. On Linux the two folders are exchanged in one
/// `renameat2(RENAME_EXCHANGE)`, so there is no moment without a whole site.
fn swap_in(staging: &Path, out: &Path, parent: &Path, name: &str) -> io::Result<()> {
    if !out.exists() {
        return std::fs::rename(staging, out);
    }
    if exchange(staging, out).is_ok() {
        // `staging` now holds the previous site.
        return keep_previous(staging, parent, name);
    }
    let old = tempfile_dir(parent, &format!(".{name}.old-"))?;
    std::fs::remove_dir(&old)?;
    std::fs::rename(out, &old)?;
    if let Err(e) = std::fs::rename(staging, out) {
        let _ = std::fs::rename(&old, out);
        return Err(e);
    }
    keep_previous(&old, parent, name)
}

/// Keeps the replaced site `old` for the next build, or removes it if another build's is
/// kept already (or it is not a plain folder, e.g. `out` was a link).
fn keep_previous(old: &Path, parent: &Path, name: &str) -> io::Result<()> {
    let previous = previous_path(parent, name);
    let is_folder = std::fs::symlink_metadata(old).map(|m| m.is_dir()).unwrap_or(false);
    if is_folder && std::fs::symlink_metadata(&previous).is_err() && std::fs::rename(old, &previous).is_ok() {
        return Ok(());
    }
    if is_folder {
        remove_tree(old)
    } else {
        std::fs::remove_file(old)
    }
}

/// Removes the folder `dir` and everything in it, its subfolders in parallel (a site is
/// thousands of small folders, one a page; removing them one by one is a large part of a
/// build). Symbolic links are removed, never followed.
fn remove_tree(dir: &Path) -> io::Result<()> {
    let entries: Vec<std::fs::DirEntry> = std::fs::read_dir(dir)?.collect::<io::Result<_>>()?;
    entries.par_iter().try_for_each(|entry| {
        if entry.file_type()?.is_dir() {
            remove_tree(&entry.path())
        } else {
            std::fs::remove_file(entry.path())
        }
    })?;
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
        let mut leftovers: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        leftovers.sort();
        assert_eq!(
            leftovers,
            [".public.previous", "public"],
            "the replaced site is kept for the next build, nothing else"
        );
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
        assert_eq!(leftovers, [".public.previous", "keep", "public"]);
        // The kept site is recycled by the next build: its link is removed, not written through.
        write_site_atomically(&out, &files).unwrap();
        assert!(!out.join("posts/p1/link").exists());
        assert_eq!(std::fs::read_dir(&keep).unwrap().count(), 1);
        assert_eq!(std::fs::read_to_string(keep.join("k.txt")).unwrap(), "k");
    }

    /// The files of the folder `dir`, relative and sorted, with their bytes; and its folders.
    fn tree(dir: &Path) -> (Vec<(String, Vec<u8>)>, Vec<String>) {
        let mut files = Vec::new();
        let mut folders = Vec::new();
        for entry in walkdir::WalkDir::new(dir).min_depth(1).sort_by_file_name() {
            let entry = entry.unwrap();
            let rel = entry.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            if entry.file_type().is_dir() {
                folders.push(rel);
            } else {
                files.push((rel, std::fs::read(entry.path()).unwrap()));
            }
        }
        (files, folders)
    }

    #[test]
    fn a_recycled_previous_site_gives_the_same_folder_as_a_fresh_one() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let site = |pairs: &[(&str, &str)]| -> BTreeMap<String, Vec<u8>> {
            pairs.iter().map(|(p, b)| (p.to_string(), b.as_bytes().to_vec())).collect()
        };
        let first = site(&[
            ("index.html", "1"),
            ("a/index.html", "a1"),
            ("gone/deep/x.html", "x"),
            ("f", "file"),
            ("d/y.html", "y"),
        ]);
        let second = site(&[("index.html", "2"), ("b/index.html", "b2"), ("gone/keep.html", "k")]);
        // Where the first site had a file, the third has a folder, and the reverse.
        let third = site(&[("index.html", "3"), ("a/index.html", "a3"), ("f/inner.html", "i"), ("d", "now a file")]);
        for (round, files) in [&first, &second, &third, &second, &first].into_iter().enumerate() {
            write_site_atomically(&out, files).unwrap_or_else(|e| panic!("round {round}: {e}"));
            let fresh = tmp.path().join("fresh");
            let _ = std::fs::remove_dir_all(&fresh);
            let _ = std::fs::remove_dir_all(tmp.path().join(".fresh.previous"));
            write_site_atomically(&fresh, files).unwrap();
            assert_eq!(tree(&out), tree(&fresh));
        }
        assert!(tmp.path().join(".public.previous").is_dir());
    }

    #[test]
    fn a_failed_build_on_a_recycled_site_leaves_the_output_as_it_was() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let files = BTreeMap::from([("index.html".to_string(), b"one".to_vec())]);
        write_site_atomically(&out, &files).unwrap();
        write_site_atomically(&out, &BTreeMap::from([("index.html".to_string(), b"two".to_vec())])).unwrap();
        let staging = StagingFolder::create(&out).unwrap();
        staging.write("index.html", b"three").unwrap();
        drop(staging);
        assert_eq!(std::fs::read(out.join("index.html")).unwrap(), b"two");
        let leftovers: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(leftovers, vec![std::ffi::OsString::from("public")]);
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
