//! Live reload: the script added to every served page, and the Server-Sent Events
//! stream that tells open pages about each new generation (see `live.js`). Messages go
//! out only after the new build is swapped in, so a reload never lands on a half-built
//! site.

use std::io::Write;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;

use super::live::LiveSnippet;
use super::overlay::render_overlay;
use super::state::{LiveSite, PageAction, Snapshot};

/// The URL path prefix of gen serve's own endpoints; no site file is served under it.
pub const LIVE_PREFIX: &str = "/__gen/";
/// The script, served at `/__gen/live.js`.
pub const LIVE_JS: &str = include_str!("live.js");

/// How often an idle event stream sends a comment, to notice closed pages.
const HEARTBEAT: Duration = Duration::from_secs(15);

/// One message to open pages.
#[derive(Debug, Serialize)]
pub struct PageMessage<'a> {
    pub generation: u64,
    #[serde(flatten)]
    pub action: &'a PageAction,
    /// The overlay for the current problems ("" when none).
    pub overlay: String,
    /// The snippets edited while serving and their live findings, which the page shows
    /// next to their blocks.
    pub snippets: &'a [LiveSnippet],
}

/// The message for `action` towards `snapshot`, as an SSE event.
pub fn event_text(snapshot: &Snapshot, action: &PageAction) -> String {
    let message = PageMessage {
        generation: snapshot.generation,
        action,
        overlay: render_overlay(&snapshot.problems),
        snippets: &snapshot.problems.snippets,
    };
    let json = serde_json::to_string(&message).expect("messages serialize");
    format!("event: update\ndata: {json}\n\n")
}

/// What a served page gets before `</body>`: the overlay (so that it shows even before
/// the script runs) and the script, which knows the page's generation.
pub fn page_snippet(snapshot: &Snapshot) -> String {
    format!(
        "{}<script src=\"{LIVE_PREFIX}live.js\" data-generation=\"{}\"></script>\n",
        render_overlay(&snapshot.problems),
        snapshot.generation
    )
}

/// `html` with `snippet` before its last `</body>` (or at the end, when it has none).
pub fn inject(html: &[u8], snippet: &str) -> Vec<u8> {
    let at = find_last_ignore_case(html, b"</body>").unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + snippet.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(snippet.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

fn find_last_ignore_case(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.len() > haystack.len() {
        return None;
    }
    (0..=haystack.len() - needle.len()).rev().find(|&i| haystack[i..i + needle.len()].eq_ignore_ascii_case(needle))
}

/// The open event streams.
#[derive(Debug, Default)]
pub struct Subscribers {
    senders: Mutex<Vec<Sender<Arc<str>>>>,
}

impl Subscribers {
    /// A new stream's end.
    pub fn subscribe(&self) -> Receiver<Arc<str>> {
        let (tx, rx) = mpsc::channel();
        self.senders.lock().expect("subscribers poisoned").push(tx);
        rx
    }

    /// Sends `event` to every open stream, forgetting the closed ones.
    pub fn broadcast(&self, event: &str) {
        let event: Arc<str> = Arc::from(event);
        self.senders.lock().expect("subscribers poisoned").retain(|tx| tx.send(Arc::clone(&event)).is_ok());
    }

    pub fn len(&self) -> usize {
        self.senders.lock().expect("subscribers poisoned").len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Runs one event stream on `out` (the raw connection) until the page goes away: first
/// what a page at generation `since` needs to catch up, then every later message.
pub fn stream_events(mut out: Box<dyn Write + Send>, live: &LiveSite, events: Receiver<Arc<str>>, since: u64) {
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nCache-Control: no-store\r\nConnection: close\r\n\r\nretry: 1000\n\n";
    let (_, action) = live.catch_up(since);
    let first = event_text(&live.snapshot(), &action);
    if out.write_all(head.as_bytes()).and_then(|()| out.write_all(first.as_bytes())).and_then(|()| out.flush()).is_err()
    {
        return;
    }
    loop {
        let text: Arc<str> = match events.recv_timeout(HEARTBEAT) {
            Ok(event) => event,
            Err(RecvTimeoutError::Timeout) => Arc::from(": still here\n\n"),
            Err(RecvTimeoutError::Disconnected) => return,
        };
        if out.write_all(text.as_bytes()).and_then(|()| out.flush()).is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippet_goes_before_the_last_body_end() {
        assert_eq!(inject(b"<body>a</body><!-- </BODY> -->x</BODY>", "S"), b"<body>a</body><!-- </BODY> -->xS</BODY>");
        assert_eq!(inject(b"<p>no body", "S"), b"<p>no bodyS");
        assert_eq!(inject(b"", "S"), b"S");
    }

    #[test]
    fn broadcast_drops_closed_streams() {
        let subs = Subscribers::default();
        let open = subs.subscribe();
        drop(subs.subscribe());
        subs.broadcast("event: update\n\n");
        assert_eq!(subs.len(), 1);
        assert_eq!(&*open.recv().unwrap(), "event: update\n\n");
    }

    #[test]
    fn messages_carry_generation_action_and_overlay() {
        let live = LiveSite::new(5, Default::default(), Default::default(), std::time::SystemTime::UNIX_EPOCH);
        let text = event_text(&live.snapshot(), &PageAction::Css(vec!["/style.css".into()]));
        assert_eq!(
            text,
            "event: update\ndata: {\"generation\":5,\"action\":\"css\",\"css\":[\"/style.css\"],\"overlay\":\"\",\"snippets\":[]}\n\n"
        );
        let text = event_text(&live.snapshot(), &PageAction::Reload);
        assert!(text.contains("\"action\":\"reload\""), "{text}");
    }
}
