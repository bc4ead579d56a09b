//! `gen serve`: a live preview. The site is built into memory (drafts included, URLs on
//! the local address) and served over HTTP from there; a watcher rebuilds it
//! incrementally on every save, swaps the new build in whole, and tells open pages to
//! reload (or to swap a stylesheet, or to show or clear the error overlay). A failed
//! build leaves the last good one served.
//!
//! - [`server`]: HTTP, path safety, content types, conditional requests.
//! - [`watch`]: notify and debouncing.
//! - [`reload`]: the injected script and the Server-Sent Events stream.
//! - [`overlay`]: the error overlay.
//! - [`state`]: the swappable in-memory site and its generations.
//! - [`live`]: checks of the snippets edited while serving, on a thread of their own.

pub mod live;
pub mod overlay;
pub mod reload;
pub mod server;
pub mod state;
pub mod watch;

use std::io;
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use crate::error::{Diagnostic, Errors};
use crate::markdown::Highlighter;
use crate::pipeline::incremental::{Changes, RebuildReport, SiteCache};
use crate::pipeline::BuildOptions;
use live::{Cancel, Edits, Job, Reported, SnippetChecker};
use reload::{event_text, Subscribers};
use server::{first_generation, ServerContext};
use state::{LiveSite, Problems, ServedSite, SiteDiff};
use watch::{SiteWatcher, WatchEvent, WatchMode};

/// How `gen serve` was asked to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServeOptions {
    pub bind: IpAddr,
    /// 0 lets the system choose a free port.
    pub port: u16,
    pub watch: WatchMode,
}

/// How many request threads answer at once (event streams have threads of their own).
const REQUEST_THREADS: usize = 4;
/// How many ports after a busy one are tried.
const PORT_TRIES: u16 = 20;
/// After a batch of events, how long the rebuild loop waits for more before building.
const SETTLE: Duration = Duration::from_millis(5);
/// The longest a steady stream of events can put a rebuild off.
const SETTLE_AT_MOST: Duration = Duration::from_millis(500);

enum LoopEvent {
    Watch(WatchEvent),
    Stop,
}

/// Runs the preview server until Ctrl-C (or SIGTERM); returns the exit code. The
/// snippets edited while serving are checked by `checker`.
pub fn serve(root: &Path, options: &ServeOptions, checker: Arc<dyn SnippetChecker>) -> Result<i32, Errors> {
    let root = root.canonicalize().map_err(|e| {
        Diagnostic::file(root, format!("cannot open the site folder: {e}"))
            .with_help("run gen serve in a site folder, or pass --root")
    })?;
    let (listener, busy) = bind(options.bind, options.port)?;
    let address = listener
        .local_addr()
        .map_err(|e| Diagnostic::file("--bind", format!("cannot read the listening address: {e}")))?;
    if let Some(busy) = busy {
        eprintln!(
            "Port {busy} on {} is in use; serving on port {} instead (choose one with --port).",
            options.bind,
            address.port()
        );
    }
    if !options.bind.is_loopback() {
        eprintln!(
            "warning: listening on {}: other machines on the network can see the preview, drafts included.",
            options.bind
        );
    }
    let url = format!("http://{address}/");
    let highlighter = Highlighter::new();
    let mut cache = SiteCache::new(&root, BuildOptions { drafts: true, future: true, base_url: Some(url.clone()) });

    let started = Instant::now();
    let now = SystemTime::now();
    let (site, problems) = match rebuild(&mut cache, &Changes::everything(), &highlighter) {
        Ok((built, report)) => {
            eprintln!(
                "Built {} posts, {} pages ({} files) in {} ms",
                built.stats.posts,
                report.pages,
                built.stats.files,
                started.elapsed().as_millis()
            );
            (
                ServedSite::from_built(built, &ServedSite::default(), now).0,
                Problems { warnings: cache.warnings().to_vec(), ..Problems::default() },
            )
        }
        Err(errors) => {
            eprintln!(
                "Build failed in {} ms; fix it and save, the preview follows:\n{errors}",
                started.elapsed().as_millis()
            );
            (
                ServedSite::default(),
                Problems { errors: errors.0, warnings: cache.warnings().to_vec(), ..Problems::default() },
            )
        }
    };
    print_warnings(&problems);
    let live = Arc::new(LiveSite::new(first_generation(now), site, problems, now));
    let subscribers = Arc::new(Subscribers::default());

    let http = Arc::new(
        tiny_http::Server::from_listener(listener, None)
            .map_err(|e| Diagnostic::file("--port", format!("cannot serve on {address}: {e}")))?,
    );
    let workers: Vec<_> = (0..REQUEST_THREADS)
        .map(|i| {
            let http = Arc::clone(&http);
            let cx = ServerContext { live: Arc::clone(&live), subscribers: Arc::clone(&subscribers) };
            std::thread::Builder::new()
                .name(format!("gen-serve-http-{i}"))
                .spawn(move || {
                    while let Ok(request) = http.recv() {
                        server::handle(request, &cx);
                    }
                })
                .expect("cannot start a request thread")
        })
        .collect();

    let (tx, rx) = mpsc::channel();
    let watch_tx = tx.clone();
    let mut watcher = SiteWatcher::start(&root, options.watch, move |event| {
        let _ = watch_tx.send(LoopEvent::Watch(event));
    })
    .map_err(|e| {
        Diagnostic::file(&root, format!("cannot watch the site for changes: {e}")).with_help("try gen serve --poll")
    })?;
    let signals = stop_on_signals(tx)?;
    let checks = live::start(checker, report_checks(Arc::clone(&live), Arc::clone(&subscribers)));
    let mut edits = Edits::default();
    let mut cancel = Cancel::default();

    let how = match options.watch {
        WatchMode::Native => String::new(),
        WatchMode::Poll(interval) => format!(", polling every {} ms", interval.as_millis()),
    };
    eprintln!(
        "Serving {url} (drafts included) from memory; watching {}{how}. Press Ctrl-C to stop.",
        watcher.describe()
    );

    while let Some(paths) = next_batch(&rx) {
        if watcher.touches_root(&paths) {
            if let Err(e) = watcher.refresh_folders() {
                eprintln!("warning: cannot watch a new folder: {e}");
            }
        }
        let changes = if paths.is_empty() { Changes::everything() } else { Changes::classify(&root, &paths) };
        if changes.is_empty() {
            continue;
        }
        let started = Instant::now();
        // The checks of the text before this save are of no use any more.
        cancel.cancel();
        for file in &changes.posts {
            edits.before(file, cache.snippets_of(file));
        }
        let result = rebuild(&mut cache, &changes, &highlighter);
        let now = SystemTime::now();
        let warnings = cache.warnings().to_vec();
        for file in &changes.posts {
            edits.after(file, cache.snippets_of(file));
        }
        let edited = edits.snippets();
        // Findings whose snippet is as it was stay until the new round reports.
        let kept: Vec<_> =
            live.snapshot().problems.snippets.iter().filter(|l| edited.iter().any(|s| l.is_for(s))).cloned().collect();
        let (update, problems, summary) = match result {
            Ok((built, report)) => {
                let (site, diff) = ServedSite::from_built(built, &live.snapshot().site, now);
                let summary = describe_rebuild(&root, &paths, &report, &diff, started.elapsed());
                (Some((site, diff)), Problems { errors: Vec::new(), warnings, snippets: kept }, summary)
            }
            Err(errors) => {
                let summary = format!(
                    "Build failed in {} ms after {}; still serving the last good build:\n{errors}",
                    started.elapsed().as_millis(),
                    describe_paths(&root, &paths)
                );
                (None, Problems { errors: errors.0, warnings, snippets: kept }, summary)
            }
        };
        let was_broken = !live.snapshot().problems.errors.is_empty();
        let fixed = was_broken && problems.errors.is_empty();
        // The terminal first, then the pages.
        eprintln!("{summary}{}", if fixed { " The errors are fixed." } else { "" });
        if let Some(transition) = live.publish(update, problems, now) {
            subscribers.broadcast(&event_text(&live.snapshot(), &transition.action));
        }
        // Then the edited snippets are checked, after the reload.
        cancel = Cancel::default();
        if let (false, Some(config)) = (edited.is_empty(), cache.config()) {
            let job = Job { config: config.clone(), snippets: edited, cancel: cancel.clone() };
            let _ = checks.send(job);
        }
    }
    cancel.cancel();
    drop(checks);

    signals.close();
    drop(watcher);
    for _ in &workers {
        http.unblock();
    }
    for w in workers {
        let _ = w.join();
    }
    eprintln!("Stopped.");
    Ok(0)
}

/// Binds `port` on `bind`, or when it is busy one of the next ports; says which port was busy.
fn bind(bind: IpAddr, port: u16) -> Result<(TcpListener, Option<u16>), Errors> {
    let fail = |e: io::Error, port: u16| -> Errors {
        Diagnostic::file("--port", format!("cannot listen on {}: {e}", SocketAddr::new(bind, port)))
            .with_help("choose another address with --bind or another port with --port")
            .into()
    };
    match listen(bind, port) {
        Ok(l) => Ok((l, None)),
        Err(e) if e.kind() == io::ErrorKind::AddrInUse && port != 0 => {
            for next in (1..=PORT_TRIES).filter_map(|i| port.checked_add(i)) {
                if let Ok(l) = listen(bind, next) {
                    return Ok((l, Some(port)));
                }
            }
            Err(Diagnostic::file("--port", format!("port {port} and the {PORT_TRIES} after it are in use on {bind}"))
                .with_help("stop the other server, or choose a free port with --port")
                .into())
        }
        Err(e) => Err(fail(e, port)),
    }
}

/// A listening socket with TCP_NODELAY set, which the connections it accepts inherit
/// (Linux and the BSDs copy it to the accepted socket). tiny_http writes a response's
/// headers and its body in separate writes; with Nagle's algorithm on, the body waits
/// for the client's delayed ACK of the headers, about 40 ms per keep-alive request.
fn listen(bind: IpAddr, port: u16) -> io::Result<TcpListener> {
    let listener = TcpListener::bind((bind, port))?;
    rustix::net::sockopt::set_tcp_nodelay(&listener, true)?;
    Ok(listener)
}

/// Rebuilds, turning a panic in the pipeline into an error (the server goes on with a
/// fresh cache rather than dying mid-preview).
fn rebuild(
    cache: &mut SiteCache,
    changes: &Changes,
    highlighter: &Highlighter,
) -> Result<(crate::pipeline::BuiltSite, RebuildReport), Errors> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| cache.rebuild(changes, highlighter))) {
        Ok(result) => result,
        Err(_) => {
            let opts = cache_options(cache);
            *cache = SiteCache::new(&opts.0, opts.1);
            Err(Diagnostic::file(
                "gen",
                "internal error while rebuilding (a bug in gen); the next save rebuilds from scratch",
            )
            .with_help("please report it with the file you were editing")
            .into())
        }
    }
}

fn cache_options(cache: &SiteCache) -> (PathBuf, BuildOptions) {
    cache.identity()
}

/// Waits for the next batch of changes, then for the batches right behind it, so that
/// a burst makes one rebuild. `None` means stop. An empty batch means "rebuild
/// everything" (the watcher lost events).
fn next_batch(rx: &Receiver<LoopEvent>) -> Option<Vec<PathBuf>> {
    let mut paths = match rx.recv().ok()? {
        LoopEvent::Stop => return None,
        LoopEvent::Watch(WatchEvent::Changed(p)) => p,
        LoopEvent::Watch(WatchEvent::Failed(why)) => {
            eprintln!("warning: the file watcher reported a problem ({why}); rebuilding everything");
            return Some(Vec::new());
        }
    };
    let until = Instant::now() + SETTLE_AT_MOST;
    while Instant::now() < until {
        match rx.recv_timeout(SETTLE) {
            Ok(LoopEvent::Watch(WatchEvent::Changed(more))) => paths.extend(more),
            Ok(LoopEvent::Watch(WatchEvent::Failed(_))) => return Some(Vec::new()),
            Ok(LoopEvent::Stop) => return None,
            Err(RecvTimeoutError::Timeout) => break,
            Err(RecvTimeoutError::Disconnected) => return None,
        }
    }
    paths.sort();
    paths.dedup();
    Some(paths)
}

/// Sends [`LoopEvent::Stop`] on SIGINT (Ctrl-C) or SIGTERM.
fn stop_on_signals(tx: mpsc::Sender<LoopEvent>) -> Result<signal_hook::iterator::Handle, Errors> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM])
        .map_err(|e| Diagnostic::file("gen", format!("cannot handle Ctrl-C: {e}")))?;
    let handle = signals.handle();
    std::thread::Builder::new()
        .name("gen-serve-signals".into())
        .spawn(move || {
            if signals.forever().next().is_some() {
                let _ = tx.send(LoopEvent::Stop);
            }
        })
        .map_err(|e| Diagnostic::file("gen", format!("cannot handle Ctrl-C: {e}")))?;
    Ok(handle)
}

/// What the checking thread does with a round's findings: publish them to open pages,
/// and print to the terminal the findings not shown before and each note once.
fn report_checks(live: Arc<LiveSite>, subscribers: Arc<Subscribers>) -> impl Fn(Reported) + Send + 'static {
    let shown = std::sync::Mutex::new(std::collections::HashSet::<String>::new());
    let noted = std::sync::Mutex::new(std::collections::HashSet::<String>::new());
    move |reported: Reported| {
        let Some(transition) = live.publish_snippets(reported.snippets, &reported.cancel, SystemTime::now()) else {
            return;
        };
        let snapshot = live.snapshot();
        subscribers.broadcast(&event_text(&snapshot, &transition.action));
        let now: Vec<String> = snapshot
            .problems
            .snippets
            .iter()
            .flat_map(|s| s.findings.iter().map(move |f| live::finding_text(s, f)))
            .collect();
        let mut shown = shown.lock().expect("shown findings poisoned");
        for text in now.iter().filter(|t| !shown.contains(*t)) {
            eprintln!("warning: {text}");
        }
        *shown = now.into_iter().collect();
        let mut noted = noted.lock().expect("notes poisoned");
        for note in reported.notes {
            if noted.insert(note.clone()) {
                eprintln!("note: {note}");
            }
        }
    }
}

fn print_warnings(problems: &Problems) {
    for w in &problems.warnings {
        eprintln!("{}", w.to_string().replacen("error:", "warning:", 1));
    }
}

/// `content/posts/a.md`, `content/posts/a.md and 2 more`.
fn describe_paths(root: &Path, paths: &[PathBuf]) -> String {
    let shown: Vec<String> =
        paths.iter().take(3).map(|p| p.strip_prefix(root).unwrap_or(p).display().to_string()).collect();
    match paths.len() {
        0 => "a watcher problem".to_string(),
        n if n <= 3 => shown.join(", "),
        n => format!("{} and {} more", shown.join(", "), n - 3),
    }
}

/// One line for the terminal: what changed, what was rebuilt, how long it took.
fn describe_rebuild(root: &Path, paths: &[PathBuf], report: &RebuildReport, diff: &SiteDiff, took: Duration) -> String {
    let mut what = Vec::new();
    if report.config_reloaded {
        what.push("site.toml read: everything rebuilt".to_string());
    } else if report.templates_reloaded {
        what.push("templates reloaded".to_string());
    }
    if report.posts_rendered > 0 {
        what.push(format!("{} post{} re-rendered", report.posts_rendered, plural(report.posts_rendered)));
    }
    what.push(format!("{} of {} page{} re-rendered", report.pages_rendered, report.pages, plural(report.pages)));
    if report.statics_reloaded {
        what.push("static files re-read".to_string());
    }
    if diff.is_empty() {
        return format!(
            "Checked in {} ms after {}: the output is as before; nothing to reload.",
            took.as_millis(),
            describe_paths(root, paths)
        );
    }
    let outcome = if diff.stylesheets_only() {
        format!("{} stylesheet{} swapped in open pages", diff.changed.len(), plural(diff.changed.len()))
    } else {
        format!(
            "{} file{} changed, {} removed; open pages reload",
            diff.changed.len(),
            plural(diff.changed.len()),
            diff.removed.len()
        )
    };
    format!(
        "Rebuilt in {} ms after {}: {}; {}.",
        took.as_millis(),
        describe_paths(root, paths),
        what.join(", "),
        outcome
    )
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, TcpStream};

    #[test]
    fn accepted_connections_have_nagle_off() {
        let (listener, busy) = bind(IpAddr::V4(Ipv4Addr::LOCALHOST), 0).unwrap();
        assert_eq!(busy, None);
        assert!(rustix::net::sockopt::tcp_nodelay(&listener).unwrap(), "the listener has TCP_NODELAY");
        let _client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        // tiny_http accepts with TcpListener::accept and never sets the option itself,
        // so what the accepted socket inherits is what requests are answered on.
        let (accepted, _) = listener.accept().unwrap();
        assert!(accepted.nodelay().unwrap(), "the accepted socket inherits TCP_NODELAY");
    }
}
