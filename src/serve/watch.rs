//! Watching the site's inputs: `content/`, `themes/`, `static/`, `templates/` (each
//! recursively) and `site.toml`, with notify's native events (inotify on Linux) or,
//! with `--poll`, by scanning. notify-debouncer-full gathers each burst of events (an
//! editor's write-temp-then-rename, delete-then-create) into one batch and stitches
//! renames together; the rebuild loop then waits for the batches to settle. Folders
//! created or re-created while serving are watched as they appear.
//!
//! The poller is our own: notify's `PollWatcher` compares modification times in whole
//! seconds, so a second save within the same second goes unseen unless it reads every
//! file on every scan. Ours compares size and the full-precision modification time.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use notify::{EventKind, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{new_debouncer_opt, DebounceEventResult, Debouncer, RecommendedCache};

use crate::config::CONFIG_FILE;
use crate::content::CONTENT_DIR;
use crate::render::SITE_TEMPLATES_DIR;
use crate::results::RESULTS_FILE;

/// The folders under the site root whose changes trigger a rebuild.
pub const WATCHED_FOLDERS: [&str; 4] = [CONTENT_DIR, "themes", "static", SITE_TEMPLATES_DIR];

/// How long a path must be quiet before its events are handed over. An editor's save
/// (write, or write-temp-then-rename) takes well under this; every millisecond of it is
/// part of the save-to-reload time.
pub const DEBOUNCE: Duration = Duration::from_millis(10);

/// What the watcher reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WatchEvent {
    /// These paths (absolute) were created, changed, renamed or removed.
    Changed(Vec<PathBuf>),
    /// The watcher had a problem (events may have been lost: rebuild everything).
    Failed(String),
}

/// How to learn about changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WatchMode {
    /// The operating system's file events.
    Native,
    /// Scanning every `interval`, for file systems whose events are unreliable (network
    /// and container mounts, some virtual machines).
    Poll(Duration),
}

enum Backend {
    Native(Debouncer<RecommendedWatcher, RecommendedCache>),
    /// Held for its `Drop`, which stops the scanning thread.
    Poll(#[allow(dead_code)] Poller),
}

/// A running watcher; dropping it stops watching.
pub struct SiteWatcher {
    backend: Backend,
    root: PathBuf,
    watching: HashSet<PathBuf>,
}

impl SiteWatcher {
    /// Starts watching the site at `root` (an absolute path); `report` is called on the
    /// watcher's thread for each batch of events.
    pub fn start(
        root: &Path,
        mode: WatchMode,
        report: impl Fn(WatchEvent) + Send + 'static,
    ) -> notify::Result<SiteWatcher> {
        if let WatchMode::Poll(interval) = mode {
            let poller = Poller::start(root, interval, report);
            return Ok(SiteWatcher {
                backend: Backend::Poll(poller),
                root: root.to_path_buf(),
                watching: HashSet::new(),
            });
        }
        let handler = move |result: DebounceEventResult| match result {
            Ok(events) => {
                let mut paths: Vec<PathBuf> = events
                    .into_iter()
                    .filter(|e| !matches!(e.kind, EventKind::Access(_)))
                    .flat_map(|e| e.event.paths)
                    .collect();
                paths.sort();
                paths.dedup();
                if !paths.is_empty() {
                    report(WatchEvent::Changed(paths));
                }
            }
            Err(errors) => {
                report(WatchEvent::Failed(errors.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; ")))
            }
        };
        let mut debouncer =
            new_debouncer_opt(DEBOUNCE, None, handler, RecommendedCache::default(), notify::Config::default())?;
        // The root itself, not recursively: site.toml, and input folders that appear later.
        debouncer.watch(root, RecursiveMode::NonRecursive)?;
        let mut watcher =
            SiteWatcher { backend: Backend::Native(debouncer), root: root.to_path_buf(), watching: HashSet::new() };
        watcher.refresh_folders()?;
        Ok(watcher)
    }

    /// Watches input folders that appeared since the last call and forgets those that
    /// went. Call it after each batch of events.
    pub fn refresh_folders(&mut self) -> notify::Result<()> {
        // The poller looks at every folder on every scan.
        let Backend::Native(debouncer) = &mut self.backend else { return Ok(()) };
        for name in WATCHED_FOLDERS {
            let dir = self.root.join(name);
            let exists = dir.is_dir();
            let watched = self.watching.contains(&dir);
            if exists && !watched {
                debouncer.watch(&dir, RecursiveMode::Recursive)?;
                self.watching.insert(dir);
            } else if !exists && watched {
                // The folder is gone; its watch went with it.
                let _ = debouncer.unwatch(&dir);
                self.watching.remove(&dir);
            }
        }
        Ok(())
    }

    /// Whether a batch touches the root's own entries (site.toml, or an input folder
    /// appearing or going).
    pub fn touches_root(&self, paths: &[PathBuf]) -> bool {
        paths.iter().any(|p| p.parent() == Some(self.root.as_path()))
    }

    /// The input paths this watcher looks at, for the terminal.
    pub fn describe(&self) -> String {
        let mut names: Vec<String> = WATCHED_FOLDERS.iter().map(|n| format!("{n}/")).collect();
        names.push(CONFIG_FILE.to_string());
        names.push(RESULTS_FILE.to_string());
        names.join(", ")
    }
}

/// What a scan records of a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Seen {
    len: u64,
    modified: Option<SystemTime>,
    dir: bool,
}

/// Scans the inputs every interval on a thread of its own; stops when dropped.
struct Poller {
    stop: Arc<AtomicBool>,
}

impl Poller {
    fn start(root: &Path, interval: Duration, report: impl Fn(WatchEvent) + Send + 'static) -> Poller {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let root = root.to_path_buf();
        let mut before = scan(&root);
        std::thread::Builder::new()
            .name("gen-serve-poll".into())
            .spawn(move || {
                while !flag.load(Ordering::Relaxed) {
                    std::thread::sleep(interval);
                    let now = scan(&root);
                    let changed = differences(&before, &now);
                    if !changed.is_empty() {
                        report(WatchEvent::Changed(changed));
                    }
                    before = now;
                }
            })
            .expect("cannot start the poller");
        Poller { stop }
    }
}

impl Drop for Poller {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Every input path under `root` with its size and modification time.
fn scan(root: &Path) -> HashMap<PathBuf, Seen> {
    let mut seen = HashMap::new();
    let files = [CONFIG_FILE, RESULTS_FILE].map(|n| root.join(n));
    let folders = WATCHED_FOLDERS.iter().map(|n| root.join(n));
    for start in files.into_iter().chain(folders) {
        for entry in walkdir::WalkDir::new(&start).follow_links(true).into_iter().flatten() {
            if let Ok(meta) = entry.metadata() {
                seen.insert(
                    entry.into_path(),
                    Seen { len: meta.len(), modified: meta.modified().ok(), dir: meta.is_dir() },
                );
            }
        }
    }
    seen
}

/// Paths added, removed or changed between two scans, sorted. Folders count when they
/// appear or go, not when their entries change (those are listed themselves).
fn differences(before: &HashMap<PathBuf, Seen>, now: &HashMap<PathBuf, Seen>) -> Vec<PathBuf> {
    let mut changed: Vec<PathBuf> = now
        .iter()
        .filter(|(path, seen)| match before.get(*path) {
            None => true,
            Some(old) => old.dir != seen.dir || (!seen.dir && old != *seen),
        })
        .map(|(path, _)| path.clone())
        .chain(before.keys().filter(|p| !now.contains_key(*p)).cloned())
        .collect();
    changed.sort();
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scans_see_changes_within_the_same_second() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("content/posts")).unwrap();
        std::fs::write(root.join("content/posts/a.md"), "one").unwrap();
        std::fs::write(root.join("site.toml"), "title = \"T\"").unwrap();
        std::fs::create_dir_all(root.join("public")).unwrap();
        let first = scan(root);
        assert!(first.contains_key(&root.join("site.toml")) && first.contains_key(&root.join("content/posts/a.md")));
        assert!(!first.contains_key(&root.join("public")), "only inputs are scanned");

        std::fs::write(root.join("content/posts/a.md"), "two!").unwrap();
        std::fs::write(root.join("content/posts/b.md"), "new").unwrap();
        let second = scan(root);
        assert_eq!(differences(&first, &second), [root.join("content/posts/a.md"), root.join("content/posts/b.md")]);

        std::fs::remove_file(root.join("content/posts/b.md")).unwrap();
        assert_eq!(differences(&second, &scan(root)), [root.join("content/posts/b.md")]);
    }
}
