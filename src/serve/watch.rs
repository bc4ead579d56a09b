//! Watching the site's inputs: `content/`, `themes/`, `static/`, `templates/` (each
//! recursively) and `site.toml`, with notify's native events (inotify on Linux) or,
//! with `--poll`, by scanning. notify-debouncer-full gathers each burst of events (an
//! editor's write-temp-then-rename, delete-then-create) into one batch and stitches
//! renames together; the rebuild loop then waits for the batches to settle. Folders
//! created or re-created while serving are watched as they appear.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use notify::{EventKind, PollWatcher, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{new_debouncer_opt, DebounceEventResult, Debouncer, RecommendedCache};

use crate::config::CONFIG_FILE;
use crate::content::CONTENT_DIR;
use crate::render::SITE_TEMPLATES_DIR;

/// The folders under the site root whose changes trigger a rebuild.
pub const WATCHED_FOLDERS: [&str; 4] = [CONTENT_DIR, "themes", "static", SITE_TEMPLATES_DIR];

/// How long a path must be quiet before its events are handed over.
pub const DEBOUNCE: Duration = Duration::from_millis(40);

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
    Poll(Debouncer<PollWatcher, RecommendedCache>),
}

impl Backend {
    fn watch(&mut self, path: &Path, mode: RecursiveMode) -> notify::Result<()> {
        match self {
            Backend::Native(d) => d.watch(path, mode),
            Backend::Poll(d) => d.watch(path, mode),
        }
    }
    fn unwatch(&mut self, path: &Path) -> notify::Result<()> {
        match self {
            Backend::Native(d) => d.unwatch(path),
            Backend::Poll(d) => d.unwatch(path),
        }
    }
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
    pub fn start(root: &Path, mode: WatchMode, report: impl Fn(WatchEvent) + Send + 'static) -> notify::Result<SiteWatcher> {
        let handler = move |result: DebounceEventResult| match result {
            Ok(events) => {
                let mut paths: Vec<PathBuf> =
                    events.into_iter().filter(|e| !matches!(e.kind, EventKind::Access(_))).flat_map(|e| e.event.paths).collect();
                paths.sort();
                paths.dedup();
                if !paths.is_empty() {
                    report(WatchEvent::Changed(paths));
                }
            }
            Err(errors) => report(WatchEvent::Failed(errors.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; "))),
        };
        let backend = match mode {
            WatchMode::Native => Backend::Native(new_debouncer_opt(DEBOUNCE, None, handler, RecommendedCache::default(), notify::Config::default())?),
            WatchMode::Poll(interval) => {
                let config = notify::Config::default().with_poll_interval(interval);
                Backend::Poll(new_debouncer_opt(DEBOUNCE, None, handler, RecommendedCache::default(), config)?)
            }
        };
        let mut watcher = SiteWatcher { backend, root: root.to_path_buf(), watching: HashSet::new() };
        // The root itself, not recursively: site.toml, and input folders that appear later.
        watcher.backend.watch(root, RecursiveMode::NonRecursive)?;
        watcher.refresh_folders()?;
        Ok(watcher)
    }

    /// Watches input folders that appeared since the last call and forgets those that
    /// went. Call it after each batch of events.
    pub fn refresh_folders(&mut self) -> notify::Result<()> {
        for name in WATCHED_FOLDERS {
            let dir = self.root.join(name);
            let exists = dir.is_dir();
            let watched = self.watching.contains(&dir);
            if exists && !watched {
                self.backend.watch(&dir, RecursiveMode::Recursive)?;
                self.watching.insert(dir);
            } else if !exists && watched {
                // The folder is gone; its watch went with it.
                let _ = self.backend.unwatch(&dir);
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
        names.join(", ")
    }
}
