//! What the server shows, as one swappable value: the last good build in memory
//! ([`ServedSite`]), the problems of the latest build, and a generation number that
//! every visible change increases. Rebuilds publish a new [`Snapshot`]; requests read
//! the current one. The [`Transition`]s between generations tell open pages whether to
//! reload, swap stylesheets or only update the error overlay.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, RwLock};
use std::time::SystemTime;

use rayon::prelude::*;
use serde::Serialize;

use super::live::{Cancel, LiveSnippet};
use crate::error::Diagnostic;
use crate::pipeline::BuiltSite;

/// One file of the served site.
#[derive(Debug, PartialEq, Eq)]
pub struct ServedFile {
    pub bytes: Arc<[u8]>,
    /// xxh3-128 of `bytes`: the ETag, and how rebuilds tell changed files from unchanged
    /// ones (128 bits, so that equal hashes can be taken for equal bytes).
    pub hash: u128,
    /// When these bytes were first served (kept across rebuilds that leave them alone).
    pub modified: SystemTime,
}

/// A built site in memory: output path (`posts/x/index.html`) → file, in path order.
#[derive(Debug, Default)]
pub struct ServedSite {
    pub files: BTreeMap<String, Arc<ServedFile>>,
}

/// The output paths that differ between two builds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SiteDiff {
    /// Added or changed, sorted.
    pub changed: Vec<String>,
    /// Gone, sorted.
    pub removed: Vec<String>,
}

impl SiteDiff {
    pub fn is_empty(&self) -> bool {
        self.changed.is_empty() && self.removed.is_empty()
    }

    /// Only stylesheets changed (none appeared or went): pages can swap them in place.
    pub fn stylesheets_only(&self) -> bool {
        self.removed.is_empty() && !self.changed.is_empty() && self.changed.iter().all(|p| p.ends_with(".css"))
    }
}

impl ServedSite {
    /// Takes a fresh build; files whose bytes are as in `previous` keep its entry (and
    /// so their modification time). Bytes handed on from the previous build (the same
    /// allocation) are known unchanged without being hashed again; the two sites are
    /// walked side by side in path order, so nothing else is looked up either. Returns
    /// the site and what changed.
    pub fn from_built(built: BuiltSite, previous: &ServedSite, now: SystemTime) -> (ServedSite, SiteDiff) {
        let mut old = previous.files.iter().peekable();
        let mut diff = SiteDiff::default();
        let mut entries: Vec<(String, Incoming<'_>)> = Vec::with_capacity(built.files.len());
        for (path, bytes) in built.files {
            while let Some((gone, _)) = old.next_if(|(p, _)| p.as_str() < path.as_str()) {
                diff.removed.push(gone.clone());
            }
            let before = old.next_if(|(p, _)| **p == path).map(|(_, f)| f);
            match before {
                Some(f) if Arc::ptr_eq(&f.bytes, &bytes) => entries.push((path, Incoming::HandedOn(Arc::clone(f)))),
                before => entries.push((path, Incoming::ToHash { bytes, before })),
            }
        }
        diff.removed.extend(old.map(|(p, _)| p.clone()));
        let entries: Vec<Served> = entries
            .into_par_iter()
            .map(|(path, entry)| match entry {
                Incoming::HandedOn(same) => Served { path, file: same, changed: false },
                Incoming::ToHash { bytes, before } => {
                    let hash = xxhash_rust::xxh3::xxh3_128(&bytes);
                    match before {
                        Some(f) if f.hash == hash => Served { path, file: Arc::clone(f), changed: false },
                        _ => Served { path, file: Arc::new(ServedFile { bytes, hash, modified: now }), changed: true },
                    }
                }
            })
            .collect();
        diff.changed = entries.iter().filter(|e| e.changed).map(|e| e.path.clone()).collect();
        let files = entries.into_iter().map(|e| (e.path, e.file)).collect();
        (ServedSite { files }, diff)
    }
}

/// A file of a fresh build, as [`ServedSite::from_built`] meets it.
enum Incoming<'p> {
    /// The previous build's own bytes (the same allocation): its entry is kept as it is.
    HandedOn(Arc<ServedFile>),
    /// Bytes to hash, and the previous entry at the same path, if any, to compare with.
    ToHash { bytes: Arc<[u8]>, before: Option<&'p Arc<ServedFile>> },
}

/// A file of the new site, and whether its bytes differ from the previous site's.
struct Served {
    path: String,
    file: Arc<ServedFile>,
    changed: bool,
}

/// The problems of the latest build: errors mean it failed and the last good build is
/// served; warnings are shown but block nothing. `snippets` are the snippets edited
/// while serving, with what the live checks found in them (see [`super::live`]): they
/// show next to their blocks and in the overlay.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Problems {
    pub errors: Vec<Diagnostic>,
    pub warnings: Vec<Diagnostic>,
    pub snippets: Vec<LiveSnippet>,
}

impl Problems {
    /// The live snippets' findings, all snippets together.
    pub fn snippet_findings(&self) -> usize {
        self.snippets.iter().map(|s| s.findings.len()).sum()
    }
}

/// What open pages must do to show a new generation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase", tag = "action", content = "css")]
pub enum PageAction {
    /// Nothing but the overlay changed.
    None,
    /// Only these stylesheets (URL paths) changed: swap them without a reload.
    Css(Vec<String>),
    /// Load the page again.
    Reload,
}

impl PageAction {
    /// The one action that covers `self` followed by `next`.
    pub fn then(self, next: &PageAction) -> PageAction {
        match (self, next) {
            (PageAction::Reload, _) | (_, PageAction::Reload) => PageAction::Reload,
            (PageAction::None, other) => other.clone(),
            (PageAction::Css(mut a), PageAction::Css(b)) => {
                a.extend(b.iter().cloned());
                a.sort();
                a.dedup();
                PageAction::Css(a)
            }
            (css, PageAction::None) => css,
        }
    }
}

/// The step from the generation before `generation` to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub generation: u64,
    pub action: PageAction,
}

/// What is served now.
#[derive(Debug)]
pub struct Snapshot {
    pub generation: u64,
    /// When this generation began (for `Last-Modified` of pages, which carry it).
    pub since: SystemTime,
    pub site: Arc<ServedSite>,
    pub problems: Problems,
}

/// How many transitions are kept for pages that reconnect after missing some.
const HISTORY: usize = 256;

/// The current snapshot and the recent transitions; shared by the request threads and
/// the rebuild loop.
#[derive(Debug)]
pub struct LiveSite {
    current: RwLock<Arc<Snapshot>>,
    history: Mutex<VecDeque<Transition>>,
}

impl LiveSite {
    /// Starts at `first_generation` (a value unlikely to repeat across restarts, so that a
    /// page left open from an earlier server reloads).
    pub fn new(first_generation: u64, site: ServedSite, problems: Problems, now: SystemTime) -> Self {
        let snapshot = Snapshot { generation: first_generation, since: now, site: Arc::new(site), problems };
        LiveSite { current: RwLock::new(Arc::new(snapshot)), history: Mutex::new(VecDeque::new()) }
    }

    pub fn snapshot(&self) -> Arc<Snapshot> {
        Arc::clone(&self.current.read().expect("live site poisoned"))
    }

    /// Publishes a new build (or, with `None`, keeps the site and updates the problems).
    /// Returns the transition, or `None` when nothing visible changed.
    pub fn publish(
        &self,
        update: Option<(ServedSite, SiteDiff)>,
        problems: Problems,
        now: SystemTime,
    ) -> Option<Transition> {
        let mut current = self.current.write().expect("live site poisoned");
        self.publish_locked(&mut current, update, problems, now)
    }

    /// Publishes the live snippets (the site and the build's problems as they are),
    /// unless `cancel` was set: checked under the lock, so that findings of a text
    /// already saved over never replace those of the newer build.
    pub fn publish_snippets(&self, snippets: Vec<LiveSnippet>, cancel: &Cancel, now: SystemTime) -> Option<Transition> {
        let mut current = self.current.write().expect("live site poisoned");
        if cancel.is_cancelled() {
            return None;
        }
        let problems = Problems { snippets, ..current.problems.clone() };
        self.publish_locked(&mut current, None, problems, now)
    }

    fn publish_locked(
        &self,
        current: &mut Arc<Snapshot>,
        update: Option<(ServedSite, SiteDiff)>,
        problems: Problems,
        now: SystemTime,
    ) -> Option<Transition> {
        let (site, action) = match update {
            Some((_, diff)) if diff.is_empty() => (Arc::clone(&current.site), PageAction::None),
            Some((site, diff)) if diff.stylesheets_only() => {
                (Arc::new(site), PageAction::Css(diff.changed.iter().map(|p| format!("/{p}")).collect()))
            }
            Some((site, _)) => (Arc::new(site), PageAction::Reload),
            None => (Arc::clone(&current.site), PageAction::None),
        };
        if action == PageAction::None && problems == current.problems {
            return None;
        }
        let generation = current.generation + 1;
        *current = Arc::new(Snapshot { generation, since: now, site, problems });
        let transition = Transition { generation, action };
        let mut history = self.history.lock().expect("live site poisoned");
        history.push_back(transition.clone());
        if history.len() > HISTORY {
            history.pop_front();
        }
        Some(transition)
    }

    /// What a page showing generation `since` must do to show the current one.
    pub fn catch_up(&self, since: u64) -> (u64, PageAction) {
        let current = self.snapshot().generation;
        if since == current {
            return (current, PageAction::None);
        }
        let history = self.history.lock().expect("live site poisoned");
        let known = history.front().is_some_and(|t| t.generation <= since + 1) && since < current;
        if !known {
            return (current, PageAction::Reload);
        }
        let action = history
            .iter()
            .filter(|t| t.generation > since && t.generation <= current)
            .fold(PageAction::None, |acc, t| acc.then(&t.action));
        (current, action)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn built(files: &[(&str, &str)]) -> BuiltSite {
        BuiltSite {
            files: files.iter().map(|(p, b)| (p.to_string(), Arc::from(b.as_bytes()))).collect(),
            stats: Default::default(),
        }
    }

    fn t(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn unchanged_files_keep_their_entry_and_time() {
        let (one, diff) =
            ServedSite::from_built(built(&[("a.html", "A"), ("s.css", "S")]), &ServedSite::default(), t(1));
        assert_eq!(diff.changed, ["a.html", "s.css"]);
        let (two, diff) =
            ServedSite::from_built(built(&[("a.html", "A"), ("s.css", "S2"), ("b.html", "B")]), &one, t(2));
        assert_eq!(diff, SiteDiff { changed: vec!["b.html".into(), "s.css".into()], removed: vec![] });
        assert!(Arc::ptr_eq(&one.files["a.html"], &two.files["a.html"]));
        assert_eq!(two.files["a.html"].modified, t(1));
        assert_eq!(two.files["s.css"].modified, t(2));
        let (_, diff) = ServedSite::from_built(built(&[("a.html", "A")]), &two, t(3));
        assert_eq!(diff.removed, ["b.html", "s.css"]);
    }

    #[test]
    fn stylesheet_only_changes_swap_and_others_reload() {
        let (site, _) = ServedSite::from_built(built(&[("a.html", "A"), ("s.css", "S")]), &ServedSite::default(), t(1));
        let live = LiveSite::new(100, site, Problems::default(), t(1));
        let previous = live.snapshot();
        let (css, diff) = ServedSite::from_built(built(&[("a.html", "A"), ("s.css", "S2")]), &previous.site, t(2));
        let step = live.publish(Some((css, diff)), Problems::default(), t(2)).unwrap();
        assert_eq!(step, Transition { generation: 101, action: PageAction::Css(vec!["/s.css".into()]) });
        let previous = live.snapshot();
        let (page, diff) = ServedSite::from_built(built(&[("a.html", "A2"), ("s.css", "S2")]), &previous.site, t(3));
        assert_eq!(live.publish(Some((page, diff)), Problems::default(), t(3)).unwrap().action, PageAction::Reload);
    }

    #[test]
    fn nothing_visible_publishes_nothing_and_errors_do() {
        let live = LiveSite::new(7, ServedSite::default(), Problems::default(), t(1));
        assert_eq!(live.publish(None, Problems::default(), t(2)), None);
        let broken =
            Problems { errors: vec![Diagnostic::new("content/posts/a.md", 3, 1, "bad")], ..Problems::default() };
        assert_eq!(
            live.publish(None, broken.clone(), t(2)).unwrap(),
            Transition { generation: 8, action: PageAction::None }
        );
        assert_eq!(live.publish(None, broken, t(3)), None);
        assert_eq!(live.snapshot().generation, 8);
    }

    #[test]
    fn catching_up_combines_the_missed_steps() {
        let (site, _) = ServedSite::from_built(built(&[("a.html", "A"), ("s.css", "S")]), &ServedSite::default(), t(1));
        let live = LiveSite::new(10, site, Problems::default(), t(1));
        let css = |v: &str| {
            let previous = live.snapshot();
            let (s, d) = ServedSite::from_built(built(&[("a.html", "A"), ("s.css", v)]), &previous.site, t(2));
            live.publish(Some((s, d)), Problems::default(), t(2)).unwrap();
        };
        css("S2");
        css("S3");
        assert_eq!(live.catch_up(12), (12, PageAction::None));
        assert_eq!(live.catch_up(10), (12, PageAction::Css(vec!["/s.css".into()])));
        assert_eq!(live.catch_up(3), (12, PageAction::Reload), "older than the history");
        assert_eq!(live.catch_up(99), (12, PageAction::Reload), "from another server");
    }
}
