//! `gen serve` under stress, on loopback only: `wrk` loads it while a loop saves a post
//! 1,000 times and a checking client reads pages throughout. No request may fail, every
//! response must come from one whole site (a generation never shows two versions of the
//! post), and memory must be as after the first saves. Odd and hostile requests are
//! refused. Bounded in count (1,000 saves) and time (wrk runs 15 s).

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::harness::{assert_not_contains, require_program, TestSite};
use crate::serve::{http, Served};

const SAVES: usize = 1000;

/// The post as the `k`-th save writes it: title and body both carry `k`.
fn post_text(k: usize) -> String {
    format!("+++\ntitle = \"Edit {k} of the first post\"\ndate = 2020-01-01\ntags = [\"docker\"]\n+++\nBody of edit {k}, whole.\n")
}

/// Resident memory of `pid`, in kB (VmRSS of /proc/PID/status).
fn rss_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// The generation and the edit number a page shows; `None` for a page without the post.
fn read_page(body: &str) -> (u64, Option<usize>) {
    let at = body.find("data-generation=\"").expect("a served page names its generation") + "data-generation=\"".len();
    let generation = body[at..].split('"').next().unwrap().parse().unwrap();
    let edit = body.find("Edit ").map(|i| body[i + 5..].split(' ').next().unwrap().parse().unwrap());
    (generation, edit)
}

/// What the checking client saw: per generation, the edit numbers shown; and failures.
#[derive(Default)]
struct Seen {
    edits: BTreeMap<u64, Vec<usize>>,
    failures: Vec<String>,
    responses: usize,
}

/// Reads the home page and the post in a loop until `stop`.
fn checking_client(port: u16, stop: Arc<AtomicBool>, seen: Arc<Mutex<Seen>>) {
    while !stop.load(Ordering::Relaxed) {
        for target in ["/", "/posts/first-post/", "/tags/docker/"] {
            let reply = http(port, "GET", target, &[]);
            let mut seen = seen.lock().unwrap();
            seen.responses += 1;
            if reply.status != 200 {
                seen.failures.push(format!("{target}: status {}", reply.status));
                continue;
            }
            let (generation, edit) = read_page(&reply.body);
            if target == "/posts/first-post/" {
                // One page, one version: the body says the same edit as the title.
                if let Some(k) = edit.filter(|k| !reply.body.contains(&format!("Body of edit {k}, whole."))) {
                    seen.failures
                        .push(format!("{target} (generation {generation}): title of edit {k} with another body"));
                }
            }
            if let Some(k) = edit {
                let edits = seen.edits.entry(generation).or_default();
                if !edits.contains(&k) {
                    edits.push(k);
                }
            }
        }
    }
}

/// Saves the post as an editor does (a temporary file renamed over it).
fn save(site: &TestSite, k: usize) {
    let tmp = site.path("content/posts/.first-post.md.tmp");
    std::fs::write(&tmp, post_text(k)).unwrap();
    std::fs::rename(&tmp, site.path("content/posts/first-post.md")).unwrap();
}

#[test]
fn serve_under_load_with_1000_saves_serves_whole_sites_and_keeps_its_memory() {
    if !require_program("wrk") {
        return;
    }
    let site = TestSite::fixture("basic");
    save(&site, 0);
    let served = Served::start(&site, &[]);
    served.wait_for_page("/posts/first-post/", 200, "Body of edit 0, whole.");

    let stop = Arc::new(AtomicBool::new(false));
    let seen = Arc::new(Mutex::new(Seen::default()));
    let client = {
        let (stop, seen, port) = (Arc::clone(&stop), Arc::clone(&seen), served.port);
        std::thread::spawn(move || checking_client(port, stop, seen))
    };
    let script = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(
        script.path(),
        "local paths = {\"/\", \"/posts/first-post/\", \"/posts/second-post/\", \"/tags/docker/\", \"/style.css\", \"/page/2/\", \"/no/such/page/\"}\n\
         local i = 0\n\
         request = function()\n  i = i + 1\n  return wrk.format(\"GET\", paths[(i % #paths) + 1])\nend\n",
    )
    .unwrap();
    let url = format!("http://127.0.0.1:{}/", served.port);
    let wrk = std::process::Command::new("wrk")
        .args(["-t2", "-c8", "-d15s", "--timeout", "30s", "-s"])
        .arg(script.path())
        .arg(&url)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();

    // Each save is waited for (its rebuild served) before the next, so all 1,000 rebuild.
    let pid = served.pid();
    let mut warm = 0;
    for k in 1..=SAVES {
        save(&site, k);
        served.wait_for(&format!("edit {k} to be served"), || {
            let r = http(served.port, "GET", "/posts/first-post/", &[]);
            r.body.contains(&format!("Body of edit {k}, whole.")).then_some(())
        });
        if k == 100 {
            warm = rss_kb(pid);
        }
    }
    let after = rss_kb(pid);

    let wrk = wrk.wait_with_output().unwrap();
    stop.store(true, Ordering::Relaxed);
    client.join().unwrap();
    let report = String::from_utf8_lossy(&wrk.stdout).into_owned();
    assert!(wrk.status.success(), "wrk failed: {report}{}", String::from_utf8_lossy(&wrk.stderr));
    // wrk prints these lines only when some request failed; the 404 page is one path, so
    // count non-2xx/3xx by hand instead: the script's one 404 path is 1 request in 7.
    assert_not_contains(&report, &["Socket errors"]);
    let requests: u64 = report
        .lines()
        .find_map(|l| l.trim().split_once(" requests in "))
        .map(|(n, _)| n.trim().parse().unwrap())
        .expect(&report);
    let non_2xx: u64 = report
        .lines()
        .find_map(|l| l.trim().strip_prefix("Non-2xx or 3xx responses: "))
        .map_or(0, |n| n.trim().parse().unwrap());
    assert!(requests > 0);
    assert!(
        non_2xx <= requests / 7 + 1,
        "more failed requests than the 404 path accounts for: {non_2xx} of {requests}\n{report}"
    );

    let seen = seen.lock().unwrap();
    assert_eq!(seen.failures, Vec::<String>::new(), "the checking client saw failures");
    let mixed: Vec<_> = seen.edits.iter().filter(|(_, edits)| edits.len() > 1).collect();
    assert!(mixed.is_empty(), "generations that showed two versions of the post (a half-built site): {mixed:?}");
    assert!(seen.edits.len() > 10, "the checking client saw only {} generations", seen.edits.len());
    println!(
        "wrk: {requests} requests, {non_2xx} of them to the 404 path; checking client: {} responses over {} generations; RSS {warm} kB after 100 saves, {after} kB after {SAVES}",
        seen.responses,
        seen.edits.len()
    );
    // Memory stable: what 900 more saves add is small against the server's size.
    assert!(after <= warm + warm / 5, "RSS grew from {warm} kB after 100 saves to {after} kB after {SAVES}");
    assert!(served.status()["ok"].as_bool().unwrap());
}

/// Sends raw bytes as a request and returns the status (None when the server closed
/// the connection without answering).
fn raw_status(port: u16, request: &[u8]) -> Option<u16> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let _ = stream.write_all(request);
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw);
    text.lines().next()?.split(' ').nth(1)?.parse().ok()
}

#[test]
fn odd_requests_are_refused_and_the_server_carries_on() {
    let site = TestSite::fixture("basic");
    let served = Served::start(&site, &[]);
    for method in ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "PROPFIND"] {
        assert_eq!(served.request(method, "/", &[]).status, 405, "{method}");
    }
    let long = format!("/{}", "a/".repeat(40_000));
    let reply =
        raw_status(served.port, format!("GET {long} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes());
    assert!(reply.is_none_or(|s| (400..500).contains(&s)), "a 80 kB path answered {reply:?}");
    let reply =
        raw_status(served.port, b"GET /posts/\0/../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert!(reply.is_none_or(|s| (400..500).contains(&s)), "a raw NUL answered {reply:?}");
    for target in [
        "/%00",
        "/posts/first-post/%00/",
        "/..%00/etc/passwd",
        "/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "//etc/passwd",
        "/.../etc/passwd",
    ] {
        let reply = served.get(target);
        assert!((400..500).contains(&reply.status), "{target} answered {}", reply.status);
        assert_not_contains(&reply.body, &["root:"]);
    }
    // A `%` must be followed by two hex digits: a sign is not one (`%+a` was once a newline).
    for target in ["/%+a", "/posts/first-post/%+a", "/%-1/"] {
        assert_eq!(served.get(target).status, 400, "{target}");
    }
    let reply = raw_status(served.port, b"NOT-HTTP\r\n\r\n");
    assert!(reply.is_none_or(|s| (400..500).contains(&s)), "garbage answered {reply:?}");
    // After all that, pages are served as before.
    assert_eq!(served.get("/posts/first-post/").status, 200);
}
