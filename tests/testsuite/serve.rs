//! `gen serve`: the real binary on a free port of 127.0.0.1, checked over HTTP. Every
//! wait is bounded and polls for the awaited state; nothing asserts on elapsed time.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::harness::{assert_contains, assert_not_contains, repo_root, TestSite};

/// The bound on every wait: generous, since a loaded 2-core machine can be slow.
const PATIENCE: Duration = Duration::from_secs(60);

/// A running `gen serve` and what it printed so far.
pub struct Served {
    child: Child,
    pub port: u16,
    log: Arc<Mutex<String>>,
}

/// An HTTP response, read whole.
#[derive(Debug)]
pub struct HttpReply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl HttpReply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

impl Served {
    /// Starts `gen --root SITE serve --port 0 ARGS` and waits until it serves.
    pub fn start(site: &TestSite, args: &[&str]) -> Served {
        Self::start_in(site.root(), &[&["--port", "0"], args].concat())
    }

    pub fn start_in(root: &Path, args: &[&str]) -> Served {
        let mut child = Command::new(env!("CARGO_BIN_EXE_gen"))
            .arg("--root")
            .arg(root)
            .arg("serve")
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let log = Arc::new(Mutex::new(String::new()));
        let mut stderr = child.stderr.take().unwrap();
        let sink = Arc::clone(&log);
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stderr.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let mut served = Served { child, port: 0, log };
        let port = served.wait_for("the server to start", || {
            let log = served.log();
            let at = log.find("Serving http://127.0.0.1:")? + "Serving http://127.0.0.1:".len();
            log[at..].split('/').next()?.parse::<u16>().ok()
        });
        served.port = port;
        served
    }

    /// The process id of the running `gen serve`.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Polls `check` every 20 ms until it gives a value; panics (with the server's log)
    /// after [`PATIENCE`].
    #[track_caller]
    pub fn wait_for<T>(&self, what: &str, mut check: impl FnMut() -> Option<T>) -> T {
        let until = Instant::now() + PATIENCE;
        loop {
            if let Some(v) = check() {
                return v;
            }
            assert!(Instant::now() < until, "gave up waiting for {what}; gen serve printed:\n{}", self.log());
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Sends one request with a raw target (not normalized by any client library).
    pub fn request(&self, method: &str, target: &str, headers: &[(&str, &str)]) -> HttpReply {
        http(self.port, method, target, headers)
    }

    pub fn get(&self, target: &str) -> HttpReply {
        self.request("GET", target, &[])
    }

    /// The current generation and problems (`/__gen/status`).
    pub fn status(&self) -> serde_json::Value {
        serde_json::from_str(&self.get("/__gen/status").body).unwrap()
    }

    /// Waits until `target` answers `status` with a body containing `needle`.
    #[track_caller]
    pub fn wait_for_page(&self, target: &str, status: u16, needle: &str) -> HttpReply {
        self.wait_for(&format!("{target} to answer {status} with {needle:?}"), || {
            let r = self.get(target);
            (r.status == status && r.body.contains(needle)).then_some(r)
        })
    }

    /// Waits until the terminal shows each of `needles`.
    #[track_caller]
    pub fn wait_for_log(&self, needles: &[&str]) {
        self.wait_for(&format!("the terminal to show {needles:?}"), || {
            let log = self.log();
            needles.iter().all(|n| log.contains(n)).then_some(())
        })
    }

    /// How many rebuilds that changed the site (or failed) the terminal reported so far;
    /// a rebuild that found the output as before says "Checked" and is not counted.
    pub fn rebuilds(&self) -> usize {
        let log = self.log();
        log.matches("Rebuilt in ").count() + log.matches("Build failed in ").count()
    }

    /// Sends SIGINT (Ctrl-C) and waits for the exit.
    pub fn interrupt(mut self) -> (ExitStatus, String) {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill").args(["-INT", &pid]).status().unwrap().success());
        let until = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                // Let the reader thread take the last lines.
                let log = self.wait_for("the last lines", || {
                    Some(self.log()).filter(|l| l.contains("Stopped.") || !status.success())
                });
                return (status, log);
            }
            assert!(Instant::now() < until, "gen serve did not stop on Ctrl-C:\n{}", self.log());
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A minimal HTTP/1.1 client: one request per connection, the target sent as given.
pub fn http(port: u16, method: &str, target: &str, headers: &[(&str, &str)]) -> HttpReply {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    let mut request = format!("{method} {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or_else(|| panic!("no HTTP head in {text:?}"));
    HttpReply { body: body.to_string(), ..parse_head(head) }
}

/// The status and headers of a response head (without the blank line); no body yet.
fn parse_head(head: &str) -> HttpReply {
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line in {head}"));
    let headers =
        lines.filter_map(|l| l.split_once(':')).map(|(n, v)| (n.trim().to_string(), v.trim().to_string())).collect();
    HttpReply { status, headers, body: String::new() }
}

/// An open event stream (`/__gen/events`), read as it comes.
pub struct EventStream {
    stream: TcpStream,
    seen: String,
}

impl EventStream {
    pub fn open(port: u16, since: u64) -> EventStream {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
        write!(
            stream,
            "GET /__gen/events?since={since} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
        )
        .unwrap();
        EventStream { stream, seen: String::new() }
    }

    /// Reads until an `update` message matching `wanted` arrives; returns its data (JSON).
    pub fn next_update(&mut self, what: &str, wanted: impl Fn(&serde_json::Value) -> bool) -> serde_json::Value {
        let until = Instant::now() + PATIENCE;
        loop {
            while let Some(end) = self.seen.find("\n\n") {
                let event: String = self.seen.drain(..end + 2).collect();
                if let Some(data) = event.lines().find_map(|l| l.strip_prefix("data: ")) {
                    let value: serde_json::Value = serde_json::from_str(data).unwrap();
                    if wanted(&value) {
                        return value;
                    }
                }
            }
            assert!(Instant::now() < until, "no update for {what}; stream so far: {:?}", self.seen);
            let mut buf = [0u8; 8192];
            match self.stream.read(&mut buf) {
                Ok(0) => panic!("the event stream closed"),
                Ok(n) => self.seen.push_str(&String::from_utf8_lossy(&buf[..n]).replace("\r\n", "\n")),
                Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
                Err(e) => panic!("event stream: {e}"),
            }
        }
    }
}

fn generation(served: &Served) -> u64 {
    served.status()["generation"].as_u64().unwrap()
}

fn basic() -> TestSite {
    TestSite::fixture("basic")
}

#[test]
fn serves_pages_with_types_index_files_local_urls_and_drafts() {
    let site = basic();
    let served = Served::start(&site, &[]);
    let home = served.get("/");
    assert_eq!(home.status, 200);
    assert_eq!(home.header("Content-Type"), Some("text/html; charset=utf-8"));
    assert_contains(&home.body, &["Third post", "<script src=\"/__gen/live.js\" data-generation=\""]);

    let post = served.get("/posts/first-post/");
    assert_eq!(post.status, 200);
    let local = format!("<link rel=\"canonical\" href=\"http://127.0.0.1:{}/posts/first-post/\">", served.port);
    assert_contains(&post.body, &[local.as_str(), "The first paragraph of the first post."]);
    assert_not_contains(&post.body, &["https://example.com/"]);
    assert_eq!(served.get("/posts/unfinished/").status, 200, "drafts are shown");

    let folder = served.get("/posts/first-post");
    assert_eq!((folder.status, folder.header("Location")), (301, Some("/posts/first-post/")));

    let css = served.get("/style.css");
    assert_eq!((css.status, css.header("Content-Type")), (200, Some("text/css; charset=utf-8")));
    assert_eq!(css.body, std::fs::read_to_string(site.path("themes/default/static/style.css")).unwrap());
    assert_eq!(served.get("/syntax.css").header("Content-Type"), Some("text/css; charset=utf-8"));
    assert_eq!(served.get("/robots-extra.txt").header("Content-Type"), Some("text/plain; charset=utf-8"));
    let js = served.get("/__gen/live.js");
    assert_eq!(js.header("Content-Type"), Some("text/javascript; charset=utf-8"));
    assert_contains(&js.body, &["EventSource", "/__gen/events"]);
}

#[test]
fn unknown_paths_get_the_theme_404_page() {
    let site = basic();
    let served = Served::start(&site, &[]);
    let missing = served.get("/no/such/page/");
    assert_eq!(missing.status, 404);
    assert_eq!(missing.header("Content-Type"), Some("text/html; charset=utf-8"));
    assert_contains(&missing.body, &["<h1>Page not found</h1>", "/__gen/live.js"]);
    assert_eq!(served.get("/__gen/nothing-here").status, 404);
    assert_eq!(served.request("POST", "/", &[]).status, 405);
}

#[test]
fn head_and_conditional_requests() {
    let site = basic();
    let served = Served::start(&site, &[]);
    for target in ["/", "/style.css"] {
        let full = served.get(target);
        let head = served.request("HEAD", target, &[]);
        assert_eq!(head.status, 200);
        assert_eq!(head.body, "", "HEAD has no body");
        assert_eq!(head.header("Content-Length"), Some(full.body.len().to_string().as_str()));
        assert_eq!(head.header("ETag"), full.header("ETag"));

        let etag = full.header("ETag").unwrap();
        let cached = served.request("GET", target, &[("If-None-Match", etag)]);
        assert_eq!((cached.status, cached.body.as_str()), (304, ""));
        assert_eq!(served.request("GET", target, &[("If-None-Match", "\"something-else\"")]).status, 200);

        let modified = full.header("Last-Modified").unwrap();
        assert_eq!(served.request("GET", target, &[("If-Modified-Since", modified)]).status, 304);
        assert_eq!(
            served.request("GET", target, &[("If-Modified-Since", "Thu, 01 Jan 1970 00:00:00 GMT")]).status,
            200
        );
    }
}

/// Reads one response from a keep-alive connection: the head, then `Content-Length`
/// bytes of body (none for `HEAD` and `304`).
fn read_kept_alive(stream: &mut TcpStream, method: &str) -> HttpReply {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        stream
            .read_exact(&mut byte)
            .unwrap_or_else(|e| panic!("the connection ended after {:?}: {e}", String::from_utf8_lossy(&head)));
        head.push(byte[0]);
    }
    let head = String::from_utf8(head).unwrap();
    let reply = parse_head(head.trim_end());
    let length: usize = if method == "HEAD" || reply.status == 304 {
        0
    } else {
        reply.header("Content-Length").unwrap_or_else(|| panic!("no Content-Length in {head}")).parse().unwrap()
    };
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).unwrap();
    HttpReply { body: String::from_utf8(body).unwrap(), ..reply }
}

#[test]
fn many_requests_are_answered_on_one_kept_alive_connection() {
    let site = basic();
    let served = Served::start(&site, &[]);
    let home = served.get("/");
    let css = served.get("/style.css");
    let etag = home.header("ETag").unwrap().to_string();
    let requests: [(&str, &str, &str, u16, &str); 5] = [
        ("GET", "/", "", 200, &home.body),
        ("GET", "/style.css", "", 200, &css.body),
        ("HEAD", "/", "", 200, ""),
        ("GET", "/", &etag, 304, ""),
        ("GET", "/no/such/page/", "", 404, ""),
    ];
    let mut stream = TcpStream::connect(("127.0.0.1", served.port)).unwrap();
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    for round in 0..20 {
        for (method, target, if_none_match, status, body) in requests {
            let condition =
                if if_none_match.is_empty() { String::new() } else { format!("If-None-Match: {if_none_match}\r\n") };
            write!(stream, "{method} {target} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n{condition}\r\n", served.port).unwrap();
            let reply = read_kept_alive(&mut stream, method);
            let what = format!("round {round}, {method} {target}");
            assert_eq!(reply.status, status, "{what}");
            assert_ne!(reply.header("Connection"), Some("close"), "{what}: the server closes the connection");
            if status == 200 && method == "GET" {
                assert_eq!(reply.body, body, "{what}");
            }
        }
    }
}

#[test]
fn nothing_outside_the_site_is_served() {
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.txt");
    std::fs::write(&secret, "TOP-SECRET-CONTENT").unwrap();
    std::fs::create_dir(outside.path().join("dir")).unwrap();
    std::fs::write(outside.path().join("dir/inner.txt"), "TOP-SECRET-CONTENT").unwrap();
    let site = basic().write("static/inside.txt", "inside");
    std::os::unix::fs::symlink(&secret, site.path("static/leak.txt")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("dir"), site.path("static/leakdir")).unwrap();
    std::os::unix::fs::symlink(site.path("static/inside.txt"), site.path("static/alias.txt")).unwrap();
    let served = Served::start(&site, &[]);

    for target in [
        "/../../../../etc/passwd",
        "/posts/../../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/%2E%2E/%2E%2E/etc/passwd",
        "/..%2f..%2f..%2fetc%2fpasswd",
        "/.%2e/.%2e/etc/passwd",
        "/..%5c..%5cetc%5cpasswd",
        "/..\\..\\etc\\passwd",
        "//etc/passwd",
        "/%2fetc%2fpasswd",
        "/posts/./first-post/",
        "/static%00.txt",
        "/%ff",
        "../etc/passwd",
        "etc/passwd",
    ] {
        let reply = served.get(target);
        assert!(matches!(reply.status, 400 | 403), "{target} answered {}: {}", reply.status, reply.body);
        assert_not_contains(&reply.body, &["root:", "TOP-SECRET"]);
    }
    // Absolute paths are paths of the site: /etc/passwd is simply not one of its pages.
    let absolute = served.get("/etc/passwd");
    assert_eq!(absolute.status, 404);
    assert_not_contains(&absolute.body, &["root:"]);
    let absolute = served.get(&secret.display().to_string());
    assert_eq!(absolute.status, 404);
    assert_not_contains(&absolute.body, &["TOP-SECRET"]);

    // Symbolic links out of the site are refused (and said so); links inside are fine.
    for target in ["/leak.txt", "/leakdir/inner.txt"] {
        let reply = served.get(target);
        assert_eq!(reply.status, 404, "{target}");
        assert_not_contains(&reply.body, &["TOP-SECRET"]);
    }
    assert_eq!(served.get("/alias.txt").body, "inside");
    let status = served.status();
    let warnings = status["warnings"].to_string();
    assert_contains(&warnings, &["static/leak.txt", "static/leakdir", "points outside the site"]);
    served.wait_for_log(&["warning: static/leak.txt: this symbolic link points outside the site; it is not served"]);
}

#[test]
fn rebuilds_after_a_post_is_written_created_renamed_and_deleted() {
    let site = basic();
    let served = Served::start(&site, &[]);
    // Written.
    std::fs::write(
        site.path("content/posts/first-post.md"),
        "+++\ntitle = \"First post\"\ndate = 2020-01-01\n+++\nRewritten first paragraph.\n",
    )
    .unwrap();
    served.wait_for_page("/posts/first-post/", 200, "Rewritten first paragraph.");
    served.wait_for_log(&["Rebuilt in ", "after content/posts/first-post.md: 1 post re-rendered"]);

    // Created.
    std::fs::write(
        site.path("content/posts/brand-new.md"),
        "+++\ntitle = \"Brand new\"\ndate = 2021-05-05\n+++\nFresh text.\n",
    )
    .unwrap();
    served.wait_for_page("/posts/brand-new/", 200, "Fresh text.");
    served.wait_for_page("/", 200, "Brand new");

    // Renamed: the old address goes, the new one comes.
    std::fs::rename(site.path("content/posts/brand-new.md"), site.path("content/posts/renamed.md")).unwrap();
    served.wait_for_page("/posts/renamed/", 200, "Fresh text.");
    served.wait_for_page("/posts/brand-new/", 404, "Page not found");

    // Deleted.
    std::fs::remove_file(site.path("content/posts/renamed.md")).unwrap();
    served.wait_for_page("/posts/renamed/", 404, "Page not found");
    let home = served.wait_for("the home page without the deleted post", || {
        Some(served.get("/")).filter(|r| !r.body.contains("Brand new"))
    });
    assert_contains(&home.body, &["Third post"]);

    // A new folder of posts, created while serving.
    std::fs::create_dir_all(site.path("content/posts/2024")).unwrap();
    std::fs::write(
        site.path("content/posts/2024/nested.md"),
        "+++\ntitle = \"Nested\"\ndate = 2024-01-01\n+++\nIn a new folder.\n",
    )
    .unwrap();
    served.wait_for_page("/posts/nested/", 200, "In a new folder.");
}

#[test]
fn templates_and_static_files_are_picked_up() {
    let site = basic();
    let served = Served::start(&site, &[]);
    // A site template created while serving (the folder did not exist at start).
    std::fs::create_dir(site.path("templates")).unwrap();
    std::fs::write(
        site.path("templates/post.html"),
        "<html><body><h1 class=\"custom\">{{ post.title }}</h1></body></html>",
    )
    .unwrap();
    served.wait_for_page("/posts/first-post/", 200, "<h1 class=\"custom\">First post</h1>");
    served.wait_for_log(&["templates reloaded"]);
    // A static file, new.
    std::fs::write(site.path("static/new.txt"), "new static file").unwrap();
    let reply = served.wait_for_page("/new.txt", 200, "new static file");
    assert_eq!(reply.header("Content-Type"), Some("text/plain; charset=utf-8"));
    let line = served.wait_for("the static rebuild line", || {
        served.log().lines().find(|l| l.contains("after static/new.txt")).map(str::to_string)
    });
    assert_contains(&line, &[": 0 of ", " pages re-rendered, static files re-read"]);
}

#[test]
fn editor_save_patterns_make_one_rebuild_each() {
    let site = basic();
    let served = Served::start(&site, &[]);
    let post = site.path("content/posts/first-post.md");
    let text = |marker: &str| {
        format!("+++\ntitle = \"First post\"\ndate = 2020-01-01\n+++\nThe first paragraph.\n\n{marker}\n")
    };
    let before = served.rebuilds();

    // Write a temporary file, then rename it over the post (Vim, VS Code, JetBrains).
    std::fs::write(site.path("content/posts/.first-post.md.tmp"), text("marker-rename")).unwrap();
    std::fs::rename(site.path("content/posts/.first-post.md.tmp"), &post).unwrap();
    served.wait_for_page("/posts/first-post/", 200, "marker-rename");

    // Delete, then create.
    std::fs::remove_file(&post).unwrap();
    std::fs::write(&post, text("marker-recreated")).unwrap();
    served.wait_for_page("/posts/first-post/", 200, "marker-recreated");

    // A burst: a backup copy, a swap file, several writes to the post.
    std::fs::write(site.path("content/posts/first-post.md~"), text("old")).unwrap();
    std::fs::write(site.path("content/posts/.first-post.md.swp"), "swap").unwrap();
    for i in 0..5 {
        std::fs::write(&post, text(&format!("marker-burst-{i}"))).unwrap();
    }
    served.wait_for_page("/posts/first-post/", 200, "marker-burst-4");

    // A last, separate change, so that any rebuild the bursts still caused is counted.
    std::fs::write(site.path("static/sentinel.txt"), "sentinel").unwrap();
    served.wait_for_page("/sentinel.txt", 200, "sentinel");
    served.wait_for("the sentinel's rebuild line", || (served.rebuilds() - before >= 4).then_some(()));
    // One rebuild per save, then the sentinel: 4. On a loaded machine a save's writes can
    // straddle the debounce window (a file seen empty between its truncation and its
    // write fails a build), so up to two per save are allowed (7); a rebuild per file
    // event (11 here) is not.
    let rebuilds = served.rebuilds() - before;
    assert!(
        (4..=7).contains(&rebuilds),
        "{rebuilds} rebuilds, expected one per save, then the sentinel:\n{}",
        served.log()
    );
    assert!(served.status()["ok"].as_bool().unwrap(), "backup and swap files are not posts");
}

#[test]
fn broken_save_shows_the_overlay_and_the_fix_removes_it() {
    let site = basic();
    let served = Served::start(&site, &[]);
    let mut events = EventStream::open(served.port, generation(&served));
    std::fs::write(
        site.path("content/posts/first-post.md"),
        "+++\ntitle = \"First post\"\ndate = 2020-01-01\ntitel = \"typo\"\n+++\nBroken.\n",
    )
    .unwrap();
    let update = events.next_update("the error", |m| m["overlay"].as_str().is_some_and(|o| !o.is_empty()));
    assert_eq!(update["action"], "none", "a failed build changes no page");
    assert_contains(update["overlay"].as_str().unwrap(), &["content/posts/first-post.md:4:1", "unknown field `titel`"]);

    // Every page shows it, and the last good build is still served under it.
    let page = served.get("/posts/first-post/");
    assert_eq!(page.status, 200);
    assert_contains(
        &page.body,
        &[
            "id=\"gen-serve-overlay\"",
            "Build failed: 1 error",
            "content/posts/first-post.md:4:1",
            "The first paragraph of the first post.",
        ],
    );
    assert_contains(&served.get("/").body, &["id=\"gen-serve-overlay\""]);
    assert_contains(&served.get("/no/such/page/").body, &["id=\"gen-serve-overlay\""]);
    let status = served.status();
    assert_eq!(status["ok"], false);
    assert_eq!(status["errors"][0]["file"], "content/posts/first-post.md");
    assert_eq!(status["errors"][0]["line"], 4);
    served.wait_for_log(&[
        "Build failed in ",
        "still serving the last good build",
        "error: content/posts/first-post.md:4:1: unknown field `titel`",
    ]);

    // A template error is located too.
    std::fs::write(
        site.path("content/posts/first-post.md"),
        "+++\ntitle = \"First post\"\ndate = 2020-01-01\n+++\nFixed text.\n",
    )
    .unwrap();
    let update = events.next_update("the fix", |m| m["overlay"] == "");
    assert_eq!(update["action"], "reload");
    let page = served.get("/posts/first-post/");
    assert_contains(&page.body, &["Fixed text."]);
    assert_not_contains(&page.body, &["gen-serve-overlay"]);
    served.wait_for_log(&["The errors are fixed."]);

    std::fs::write(
        site.path("themes/default/templates/post.html"),
        "{% extends \"base.html\" %}\n{% block content %}{{ post.title }\n{% endblock content %}\n",
    )
    .unwrap();
    let update = events.next_update("the template error", |m| m["overlay"].as_str().is_some_and(|o| !o.is_empty()));
    assert_contains(update["overlay"].as_str().unwrap(), &["themes/default/templates/post.html:2:"]);
}

#[test]
fn pages_are_told_to_reload_only_once_the_new_build_is_served() {
    let site = basic();
    let served = Served::start(&site, &[]);
    let mut events = EventStream::open(served.port, generation(&served));
    for i in 0..3 {
        let marker = format!("reload-marker-{i}");
        std::fs::write(
            site.path("content/posts/second-post.md"),
            format!("+++\ntitle = \"Second post\"\ndate = 2020-02-01\n+++\n{marker}\n"),
        )
        .unwrap();
        let update = events.next_update("a reload", |m| m["action"] == "reload");
        // The reload lands on the new build: never a 404, never the old text.
        let page = served.get("/posts/second-post/");
        assert_eq!(page.status, 200);
        assert_contains(&page.body, &[marker.as_str(), &format!("data-generation=\"{}\"", update["generation"])]);
    }
}

#[test]
fn a_stylesheet_change_swaps_it_without_a_reload() {
    let site = basic();
    let served = Served::start(&site, &[]);
    let mut events = EventStream::open(served.port, generation(&served));
    let css = site.path("themes/default/static/style.css");
    let text = std::fs::read_to_string(&css).unwrap();
    std::fs::write(&css, format!("{text}\n.added-by-test {{ color: red; }}\n")).unwrap();
    let update = events.next_update("the stylesheet swap", |m| m["action"] != "none");
    assert_eq!(update["action"], "css");
    assert_eq!(update["css"], serde_json::json!(["/style.css"]));
    served.wait_for_page("/style.css", 200, ".added-by-test");
    served.wait_for_log(&["1 stylesheet swapped in open pages"]);
}

#[test]
fn a_page_that_missed_updates_catches_up_when_it_connects() {
    let site = basic();
    let served = Served::start(&site, &[]);
    let old = generation(&served);
    std::fs::write(
        site.path("content/posts/third-post.md"),
        "+++\ntitle = \"Third post\"\ndate = 2020-03-01T10:00:00Z\n+++\nCatch up.\n",
    )
    .unwrap();
    served.wait_for_page("/posts/third-post/", 200, "Catch up.");
    // A page loaded before the rebuild connects after it: it is told to reload at once.
    let update = EventStream::open(served.port, old).next_update("the catch-up", |_| true);
    assert_eq!(update["action"], "reload");
    let current = generation(&served);
    assert_eq!(update["generation"], current);
    assert_eq!(EventStream::open(served.port, current).next_update("an up-to-date page", |_| true)["action"], "none");
}

#[test]
fn site_toml_changes_rebuild_everything() {
    let site = basic();
    let served = Served::start(&site, &[]);
    std::fs::write(
        site.path("site.toml"),
        "title = \"Renamed site\"\nbase_url = \"https://example.com/\"\npaginate = 1\n",
    )
    .unwrap();
    served.wait_for_page("/", 200, "Renamed site");
    served.wait_for_page("/page/4/", 200, "Renamed site");
    served.wait_for_log(&["site.toml read: everything rebuilt"]);
    // A broken site.toml is reported and the site stays.
    std::fs::write(site.path("site.toml"), "title = \"Renamed site\"\npaginat = 1\n").unwrap();
    served.wait_for("the site.toml error", || (served.status()["ok"] == false).then_some(()));
    assert_eq!(served.status()["errors"][0]["file"], "site.toml");
    assert_eq!(served.get("/").status, 200);
}

#[test]
fn polling_picks_up_changes_too() {
    let site = basic();
    let served = Served::start(&site, &["--poll", "--poll-interval", "50"]);
    served.wait_for_log(&["polling every 50 ms"]);
    std::fs::write(
        site.path("content/posts/first-post.md"),
        "+++\ntitle = \"First post\"\ndate = 2020-01-01\n+++\nPolled change.\n",
    )
    .unwrap();
    served.wait_for_page("/posts/first-post/", 200, "Polled change.");
    std::fs::remove_file(site.path("content/posts/third-post.md")).unwrap();
    served.wait_for_page("/posts/third-post/", 404, "Page not found");
}

#[test]
fn a_busy_port_moves_to_the_next_free_one_and_says_so() {
    let site = basic();
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let served = Served::start_in(site.root(), &["--port", &port]);
    assert_ne!(served.port.to_string(), port);
    served.wait_for_log(&[&format!("Port {port} on 127.0.0.1 is in use; serving on port {} instead", served.port)]);
    assert_eq!(served.get("/").status, 200);
}

#[test]
fn a_site_that_fails_at_start_is_served_with_the_overlay_until_fixed() {
    let site = TestSite::fixture("invalid/missing-title");
    let served = Served::start(&site, &[]);
    let page = served.get("/");
    assert_eq!(page.status, 404);
    assert_contains(&page.body, &["gen-serve-overlay", "content/posts/broken.md", "no `title`"]);
    std::fs::write(
        site.path("content/posts/broken.md"),
        "+++\ntitle = \"Mended\"\ndate = 2020-01-01\n+++\nNow fine.\n",
    )
    .unwrap();
    served.wait_for_page("/posts/broken/", 200, "Now fine.");
}

#[test]
fn ctrl_c_stops_cleanly() {
    let site = basic();
    let served = Served::start(&site, &[]);
    let _events = EventStream::open(served.port, 0);
    let (status, log) = served.interrupt();
    assert!(status.success(), "exit {status:?}:\n{log}");
    assert_contains(&log, &["Stopped."]);
}

#[test]
fn the_bundled_blog_serves() {
    let site = TestSite::bundled_blog();
    let served = Served::start(&site, &[]);
    let page = served.wait_for_page("/posts/docker-cheat-sheet/", 200, "Docker");
    assert_contains(&page.body, &["/__gen/live.js"]);
    assert!(repo_root().join("content/posts/docker-cheat-sheet.md").exists());
}

/// The edited snippet of `status`, by id.
fn live_snippet(status: &serde_json::Value, id: &str) -> Option<serde_json::Value> {
    status["snippets"].as_array()?.iter().find(|s| s["id"] == id).cloned()
}

#[test]
fn an_edited_snippet_gets_live_findings_and_the_fix_clears_them() {
    let body = "An intro.\n\n## Run it\n\n```console\n$ ls\n```\n";
    let site = basic().post("live-post", "2020-02-02", body);
    // The snippet as tested: afterwards the page says it changed since its test.
    site.run(&["test"]).success();
    let results_before = site.read("snippet-results.toml");
    let served = Served::start(&site, &[]);
    let mut events = EventStream::open(served.port, generation(&served));
    assert_eq!(served.status()["snippets"], serde_json::json!([]), "nothing edited yet");

    let post = site.path("content/posts/live-post.md");
    let text = std::fs::read_to_string(&post).unwrap();
    std::fs::write(&post, text.replace("$ ls\n", "$ ls\n$ CONTAINERID = $(docker run -rm busybox)\n")).unwrap();
    let update = events.next_update("the findings", |m| {
        m["snippets"][0]["findings"].as_array().is_some_and(|f| f.iter().any(|f| f["code"] == "GEN101"))
    });
    assert_eq!(update["action"], "none", "findings come without a second reload");
    assert_contains(update["overlay"].as_str().unwrap(), &["content/posts/live-post.md:11:3", "GEN101"]);
    let status = served.status();
    let snippet = live_snippet(&status, "live-post/run-it").expect("the edited snippet is listed");
    assert_eq!(snippet["file"], "content/posts/live-post.md");
    assert_contains(snippet["status"].as_str().unwrap(), &["changed since its test"]);
    let finding = snippet["findings"].as_array().unwrap().iter().find(|f| f["code"] == "GEN101").unwrap().clone();
    // Front matter (4 lines), the body's lines: the command is line 11, in block line 2.
    assert_eq!((finding["line"].as_u64(), finding["column"].as_u64()), (Some(11), Some(3)));
    assert_eq!(finding["block_line"], 2);
    assert_eq!(finding["check"], "lint");
    assert_contains(finding["help"].as_str().unwrap(), &["remove the spaces around `=`"]);
    served.wait_for_log(&["warning: content/posts/live-post.md:11:3: lint GEN101"]);
    let page = served.get("/posts/live-post/");
    assert_contains(&page.body, &["data-status=\"untested\"", "changed since its test"]);

    // The fix: the finding goes, the snippet stays listed as changed since its test.
    let text = std::fs::read_to_string(&post).unwrap();
    std::fs::write(&post, text.replace("CONTAINERID = $(docker run -rm", "CONTAINERID=$(docker run --rm")).unwrap();
    served.wait_for("the finding to go", || {
        let snippet = live_snippet(&served.status(), "live-post/run-it")?;
        let codes: Vec<String> = snippet["findings"].as_array()?.iter().map(|f| f["code"].to_string()).collect();
        (!codes.iter().any(|c| c.contains("GEN101"))).then_some(())
    });
    assert_eq!(served.log().matches("lint GEN101").count(), 1, "the terminal prints a finding once:\n{}", served.log());
    assert_eq!(site.read("snippet-results.toml"), results_before, "gen serve never writes the results");
}
