//! The HTTP side of `gen serve` (tiny_http): request targets checked and mapped to files
//! of the in-memory site, content types, `index.html` for folders, the theme's 404 page,
//! `HEAD`, and conditional requests (ETag / If-None-Match, Last-Modified /
//! If-Modified-Since). Nothing but the built site and gen serve's own `/__gen/`
//! endpoints can be reached: the site is a map of output paths, never the file system,
//! and targets with `..`, `.`, empty or encoded separators, backslashes or NUL are
//! refused before any lookup.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;
use tiny_http::{Header, Method, Request, Response};

use super::live::LiveSnippet;
use super::reload::{inject, page_snippet, stream_events, Subscribers, LIVE_JS, LIVE_PREFIX};
use super::state::{LiveSite, Snapshot};
use crate::error::Diagnostic;

/// What a request target names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A file of the site: the output path (`posts/x/index.html`), and the decoded URL
    /// path it came from (for redirects).
    Site { key: String, path: String, query: Option<String> },
    /// `/__gen/live.js`
    LiveScript,
    /// `/__gen/events?since=N`
    Events { since: u64 },
    /// `/__gen/status`: the current generation and problems, as JSON.
    Status,
}

/// Why a target is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    pub status: u16,
    pub reason: &'static str,
}

const FORBIDDEN: u16 = 403;
const BAD_REQUEST: u16 = 400;

/// Checks a request target and says what it names. Only the path is looked at; the
/// query is kept for redirects and the events stream.
pub fn parse_target(raw: &str) -> Result<Target, Refusal> {
    let raw = raw.split('#').next().unwrap_or("");
    let (raw_path, query) = match raw.split_once('?') {
        Some((p, q)) => (p, Some(q.to_string())),
        None => (raw, None),
    };
    // Absolute form (`GET http://host/x`), which proxies send: keep the path.
    let raw_path = match raw_path.split_once("://") {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("http") => rest.find('/').map_or("/", |i| &rest[i..]),
        _ => raw_path,
    };
    if !raw_path.starts_with('/') {
        return Err(Refusal { status: BAD_REQUEST, reason: "the request target must be a path starting with /" });
    }
    let path = percent_decode(raw_path)
        .ok_or(Refusal { status: BAD_REQUEST, reason: "the path has a malformed %-escape or is not UTF-8" })?;
    if path.contains('\0') || path.contains('\\') {
        return Err(Refusal { status: FORBIDDEN, reason: "the path contains a NUL or a backslash" });
    }
    let inner = &path[1..];
    let segments: Vec<&str> = inner.split('/').collect();
    let (last, dirs) = segments.split_last().expect("split gives at least one part");
    if dirs.iter().any(|s| s.is_empty()) {
        return Err(Refusal { status: FORBIDDEN, reason: "the path has an empty segment (//)" });
    }
    if segments.iter().any(|s| *s == ".." || *s == ".") {
        return Err(Refusal { status: FORBIDDEN, reason: "the path leaves its folder (. or ..)" });
    }
    if let Some(rest) = path.strip_prefix(LIVE_PREFIX) {
        return match rest {
            "live.js" => Ok(Target::LiveScript),
            "status" => Ok(Target::Status),
            "events" => {
                let since = query
                    .as_deref()
                    .unwrap_or("")
                    .split('&')
                    .find_map(|kv| kv.strip_prefix("since="))
                    .and_then(|v| v.parse().ok());
                Ok(Target::Events { since: since.unwrap_or(0) })
            }
            _ => Ok(Target::Site { key: format!("{}{rest}", &LIVE_PREFIX[1..]), path: path.clone(), query }),
        };
    }
    let key = if last.is_empty() { format!("{inner}index.html") } else { inner.to_string() };
    Ok(Target::Site { key, path, query })
}

/// Decodes `%XX` escapes; `None` for a malformed escape (a `%` not followed by two hex
/// digits: `percent-encoding` would keep those as they are, and `%+a` must not pass as a
/// number) or a result that is not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let well_formed = bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'%')
        .all(|(i, _)| bytes.get(i + 1..i + 3).is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit)));
    if !well_formed {
        return None;
    }
    percent_encoding::percent_decode_str(text).decode_utf8().ok().map(|decoded| decoded.into_owned())
}

/// The validators a client sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Conditions {
    pub if_none_match: Option<String>,
    pub if_modified_since: Option<SystemTime>,
}

impl Conditions {
    fn from_headers(headers: &[Header]) -> Self {
        let get =
            |name: &'static str| headers.iter().find(|h| h.field.equiv(name)).map(|h| h.value.as_str().to_string());
        Conditions {
            if_none_match: get("If-None-Match"),
            if_modified_since: get("If-Modified-Since").and_then(|v| httpdate::parse_http_date(&v).ok()),
        }
    }

    /// Whether a client holding a copy with `etag`, last modified at `modified`, may keep
    /// it. If-None-Match wins over If-Modified-Since (RFC 9110, 13.2.2).
    pub fn not_modified(&self, etag: &str, modified: SystemTime) -> bool {
        if let Some(list) = &self.if_none_match {
            return list.split(',').map(|t| t.trim()).any(|t| t == "*" || t.trim_start_matches("W/") == etag);
        }
        match self.if_modified_since {
            // HTTP dates have whole seconds, so compare whole seconds (as other servers
            // do; ETags, which browsers send too, tell apart changes within a second).
            Some(since) => whole_seconds(modified) <= whole_seconds(since),
            None => false,
        }
    }
}

fn whole_seconds(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO).as_secs()
}

/// A response, before it goes on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Reply { status, headers: vec![("Content-Type", content_type.to_string())], body: body.into() }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// The content type for an output path.
pub fn content_type(key: &str) -> String {
    let mime = mime_guess::from_path(key).first_or_octet_stream();
    let essence = mime.essence_str();
    let texty = mime.type_() == mime_guess::mime::TEXT
        || matches!(
            essence,
            "application/javascript"
                | "application/json"
                | "application/xml"
                | "image/svg+xml"
                | "application/rss+xml"
                | "application/atom+xml"
        );
    if texty {
        format!("{essence}; charset=utf-8")
    } else {
        essence.to_string()
    }
}

fn is_html(key: &str) -> bool {
    key.ends_with(".html") || key.ends_with(".htm")
}

/// The reply for a site file (or the 404 page, or a redirect to the folder's `/`).
pub fn reply_for_site(
    snapshot: &Snapshot,
    key: &str,
    path: &str,
    query: Option<&str>,
    conditions: &Conditions,
) -> Reply {
    let files = &snapshot.site.files;
    let Some(file) = files.get(key) else {
        if !key.ends_with("index.html") && files.contains_key(&format!("{key}/index.html")) {
            let location = match query {
                Some(q) => format!("{path}/?{q}"),
                None => format!("{path}/"),
            };
            let mut reply = Reply::new(301, "text/plain; charset=utf-8", format!("moved to {location}\n"));
            reply.headers.push(("Location", location));
            return reply;
        }
        return not_found(snapshot);
    };
    let html = is_html(key);
    // A page carries the live script and the overlay of its generation; its validators
    // say so, or a browser could keep a copy that shows an old generation.
    let (etag, modified) = if html {
        (format!("\"{:032x}-{}\"", file.hash, snapshot.generation), file.modified.max(snapshot.since))
    } else {
        (format!("\"{:032x}\"", file.hash), file.modified)
    };
    let mut headers = vec![
        ("ETag", etag.clone()),
        ("Last-Modified", httpdate::fmt_http_date(modified)),
        ("Cache-Control", "no-cache".to_string()),
    ];
    if conditions.not_modified(&etag, modified) {
        return Reply { status: 304, headers, body: Vec::new() };
    }
    let body = if html { inject(&file.bytes, &page_snippet(snapshot)) } else { file.bytes.to_vec() };
    headers.insert(0, ("Content-Type", content_type(key)));
    Reply { status: 200, headers, body }
}

fn not_found(snapshot: &Snapshot) -> Reply {
    let body = match snapshot.site.files.get("404.html") {
        Some(page) => inject(&page.bytes, &page_snippet(snapshot)),
        None => inject(b"<!DOCTYPE html><title>Not found</title><p>Not found.</p>", &page_snippet(snapshot)),
    };
    let mut reply = Reply::new(404, "text/html; charset=utf-8", body);
    reply.headers.push(("Cache-Control", "no-store".to_string()));
    reply
}

/// `/__gen/status`: what the overlay shows, for tools and tests.
#[derive(Debug, Serialize)]
pub struct Status<'a> {
    pub generation: u64,
    pub ok: bool,
    pub errors: Vec<DiagnosticJson<'a>>,
    pub warnings: Vec<DiagnosticJson<'a>>,
    /// The snippets edited while serving, each with its live findings.
    pub snippets: &'a [LiveSnippet],
}

#[derive(Debug, Serialize)]
pub struct DiagnosticJson<'a> {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: &'a str,
    pub help: Option<&'a str>,
}

impl<'a> From<&'a Diagnostic> for DiagnosticJson<'a> {
    fn from(d: &'a Diagnostic) -> Self {
        DiagnosticJson {
            file: d.file.display().to_string(),
            line: d.line,
            column: d.column,
            message: &d.message,
            help: d.help.as_deref(),
        }
    }
}

fn status_reply(snapshot: &Snapshot) -> Reply {
    let status = Status {
        generation: snapshot.generation,
        ok: snapshot.problems.errors.is_empty(),
        errors: snapshot.problems.errors.iter().map(DiagnosticJson::from).collect(),
        warnings: snapshot.problems.warnings.iter().map(DiagnosticJson::from).collect(),
        snippets: &snapshot.problems.snippets,
    };
    let mut reply = Reply::new(200, "application/json", serde_json::to_vec(&status).expect("status serializes"));
    reply.headers.push(("Cache-Control", "no-store".to_string()));
    reply
}

/// The reply to a GET or HEAD for `target` (everything but the event stream).
pub fn reply(snapshot: &Snapshot, target: &Target, conditions: &Conditions) -> Reply {
    match target {
        Target::LiveScript => {
            let mut reply = Reply::new(200, "text/javascript; charset=utf-8", LIVE_JS);
            reply.headers.push(("Cache-Control", "no-cache".to_string()));
            reply
        }
        Target::Status | Target::Events { .. } => status_reply(snapshot),
        Target::Site { key, path, query } => reply_for_site(snapshot, key, path, query.as_deref(), conditions),
    }
}

/// Everything a request thread needs.
pub struct ServerContext {
    pub live: Arc<LiveSite>,
    pub subscribers: Arc<Subscribers>,
}

/// Answers one request. Event streams get a thread of their own.
pub fn handle(request: Request, cx: &ServerContext) {
    let method = request.method().clone();
    if !matches!(method, Method::Get | Method::Head) {
        let mut reply = Reply::new(405, "text/plain; charset=utf-8", "gen serve answers GET and HEAD only\n");
        reply.headers.push(("Allow", "GET, HEAD".to_string()));
        send(request, reply);
        return;
    }
    let target = match parse_target(request.url()) {
        Ok(t) => t,
        Err(refusal) => {
            send(
                request,
                Reply::new(refusal.status, "text/plain; charset=utf-8", format!("refused: {}\n", refusal.reason)),
            );
            return;
        }
    };
    if let (Target::Events { since }, Method::Get) = (&target, &method) {
        let since = *since;
        let events = cx.subscribers.subscribe();
        let live = Arc::clone(&cx.live);
        let spawned = std::thread::Builder::new().name("gen-serve-events".into()).spawn(move || {
            stream_events(request.into_writer(), &live, events, since);
        });
        if let Err(e) = spawned {
            eprintln!("warning: cannot open an event stream: {e}");
        }
        return;
    }
    let conditions = Conditions::from_headers(request.headers());
    let reply = reply(&cx.live.snapshot(), &target, &conditions);
    send(request, reply);
}

fn send(request: Request, reply: Reply) {
    let length = reply.body.len();
    let mut response =
        Response::new(reply.status.into(), Vec::new(), std::io::Cursor::new(reply.body), Some(length), None)
            .with_chunked_threshold(usize::MAX);
    for (name, value) in reply.headers {
        if let Ok(h) = Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            response.add_header(h);
        }
    }
    // The page may be gone already; nothing to do about it.
    let _ = request.respond(response);
}

/// A generation number unlikely to repeat: milliseconds since 1970.
pub fn first_generation(now: SystemTime) -> u64 {
    now.duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO).as_millis() as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::BuiltSite;
    use crate::serve::state::{Problems, ServedSite};

    fn site_key(raw: &str) -> Result<String, Refusal> {
        match parse_target(raw)? {
            Target::Site { key, .. } => Ok(key),
            other => panic!("not a site target: {other:?}"),
        }
    }

    #[test]
    fn targets_map_to_output_paths() {
        assert_eq!(site_key("/").unwrap(), "index.html");
        assert_eq!(site_key("/posts/x/").unwrap(), "posts/x/index.html");
        assert_eq!(site_key("/posts/x").unwrap(), "posts/x");
        assert_eq!(site_key("/style.css?v=3#top").unwrap(), "style.css");
        assert_eq!(site_key("/a%20b.txt").unwrap(), "a b.txt");
        assert_eq!(site_key("http://127.0.0.1:1111/posts/").unwrap(), "posts/index.html");
        assert_eq!(parse_target("/__gen/events?since=42").unwrap(), Target::Events { since: 42 });
        assert_eq!(parse_target("/__gen/live.js").unwrap(), Target::LiveScript);
    }

    #[test]
    fn traversal_is_refused_in_every_spelling() {
        for raw in [
            "/../etc/passwd",
            "/posts/../../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/%2E%2E/%2e%2e/etc/passwd",
            "/..%2fetc%2fpasswd",
            "/.%2e/etc/passwd",
            "/posts/./x/",
            "//etc/passwd",
            "/posts//x",
            "/..\\etc\\passwd",
            "/%5c..%5cetc",
            "/a%00b",
            "/..",
        ] {
            let refusal = parse_target(raw).expect_err(raw);
            assert_eq!(refusal.status, 403, "{raw}: {refusal:?}");
        }
        for raw in ["etc/passwd", "../x", "*", "/%zz", "/%2", "/%ff%fe", "/%+a", "/a%-1", "/%+0a.html", "/%%41"] {
            assert_eq!(parse_target(raw).expect_err(raw).status, 400, "{raw}");
        }
        // Encoded once only: `%252e` is the literal name `%2e`, which no site has.
        assert_eq!(site_key("/%252e%252e/x").unwrap(), "%2e%2e/x");
        // Both hex digits, either case, decode; a UTF-8 sequence decodes to its character.
        assert_eq!(site_key("/%41%4a%4A/%C3%A9.txt").unwrap(), "AJJ/é.txt");
    }

    #[test]
    fn content_types() {
        assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("style.css"), "text/css; charset=utf-8");
        assert_eq!(content_type("a.js"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("a.png"), "image/png");
        assert_eq!(content_type("a.svg"), "image/svg+xml; charset=utf-8");
        assert_eq!(content_type("feed.xml"), "text/xml; charset=utf-8");
        assert_eq!(content_type("noext"), "application/octet-stream");
    }

    fn snapshot() -> Snapshot {
        let built = BuiltSite {
            files: [
                ("index.html", "<body>home</body>"),
                ("style.css", "p{}"),
                ("posts/x/index.html", "<body>x</body>"),
                ("404.html", "<body>lost</body>"),
            ]
            .iter()
            .map(|(p, b)| (p.to_string(), Arc::from(b.as_bytes())))
            .collect(),
            stats: Default::default(),
        };
        let t = UNIX_EPOCH + Duration::from_secs(1_000_000);
        let (site, _) = ServedSite::from_built(built, &ServedSite::default(), t);
        Snapshot { generation: 9, since: t, site: Arc::new(site), problems: Problems::default() }
    }

    #[test]
    fn pages_get_the_live_script_and_validators() {
        let s = snapshot();
        let r = reply_for_site(&s, "index.html", "/", None, &Conditions::default());
        assert_eq!(r.status, 200);
        assert_eq!(r.header("Content-Type"), Some("text/html; charset=utf-8"));
        let body = String::from_utf8(r.body.clone()).unwrap();
        assert!(body.starts_with("<body>home<script src=\"/__gen/live.js\" data-generation=\"9\"></script>"), "{body}");
        let etag = r.header("ETag").unwrap().to_string();
        assert!(etag.ends_with("-9\""), "{etag}");
        let again = Conditions { if_none_match: Some(format!("W/\"zzz\", {etag}")), if_modified_since: None };
        assert_eq!(reply_for_site(&s, "index.html", "/", None, &again).status, 304);
        let css = reply_for_site(&s, "style.css", "/style.css", None, &Conditions::default());
        assert_eq!(css.body, b"p{}");
    }

    #[test]
    fn if_modified_since_compares_whole_seconds() {
        let s = snapshot();
        let modified = s.site.files["style.css"].modified;
        let at = |t: SystemTime| Conditions { if_none_match: None, if_modified_since: Some(t) };
        assert_eq!(reply_for_site(&s, "style.css", "/style.css", None, &at(modified)).status, 304);
        assert_eq!(
            reply_for_site(&s, "style.css", "/style.css", None, &at(modified + Duration::from_millis(1500))).status,
            304
        );
        assert_eq!(
            reply_for_site(&s, "style.css", "/style.css", None, &at(modified - Duration::from_secs(1))).status,
            200
        );
        // If-None-Match decides when both are sent.
        let both = Conditions {
            if_none_match: Some("\"other\"".into()),
            if_modified_since: Some(modified + Duration::from_secs(5)),
        };
        assert_eq!(reply_for_site(&s, "style.css", "/style.css", None, &both).status, 200);
    }

    #[test]
    fn missing_files_get_the_404_page_and_folders_a_redirect() {
        let s = snapshot();
        let r = reply_for_site(&s, "nope.html", "/nope.html", None, &Conditions::default());
        assert_eq!(r.status, 404);
        assert!(String::from_utf8_lossy(&r.body).contains("lost"));
        let r = reply_for_site(&s, "posts/x", "/posts/x", Some("a=1"), &Conditions::default());
        assert_eq!((r.status, r.header("Location")), (301, Some("/posts/x/?a=1")));
    }
}
