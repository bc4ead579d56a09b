#!/usr/bin/env python3
"""Save-to-reload and save-to-findings latency of `gen serve` on one site (used by
bench/serve-latency).

Starts `gen --root SITE serve --port PORT`, opens the live-reload event stream the
way an open page does (/__gen/events?since=GENERATION), then times two kinds of save.

Body edits append a unique line to the post's prose, and measure
  event: write -> the "reload" event arrives (the page would start reloading), and
  page:  write -> the reloaded page (fetched right after the event) shows the line.

Snippet edits alternate a broken and a fixed line at the top of the post's first
`console` block (`$ CONTAINERID = $(docker run -rm busybox echo MARK)`, then
`$ CONTAINERID=$(docker run --rm busybox echo MARK)`; MARK is new for each edit, so no
check result is reused), and measure
  reload: write -> the "reload" event,
  quick:  write -> the message with the quick checks' findings (syntax, lint,
          shellcheck; the snippet still says `checking`), and
  all:    write -> the message with the argument checks' findings too.
A broken line must show GEN101 and a fixed one must not, or the run stops.

Prints one JSON line with the medians and every sample. Loopback only; Python 3
standard library only. The post is restored and the server stopped at the end.
"""

import argparse
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import time
import urllib.request

HOST = "127.0.0.1"


def get(port, path, timeout=30):
    with urllib.request.urlopen(f"http://{HOST}:{port}{path}", timeout=timeout) as r:
        return r.status, r.read()


class Events:
    """A raw SSE reader on /__gen/events."""

    def __init__(self, port, since):
        self.sock = socket.create_connection((HOST, port), timeout=120)
        self.sock.sendall(f"GET /__gen/events?since={since} HTTP/1.1\r\nHost: {HOST}\r\nAccept: text/event-stream\r\n\r\n".encode())
        self.buf = b""

    def next_update(self, deadline):
        while True:
            while b"\n\n" in self.buf:
                event, self.buf = self.buf.split(b"\n\n", 1)
                for line in event.replace(b"\r", b"").split(b"\n"):
                    if line.startswith(b"data: "):
                        return json.loads(line[6:])
            if time.monotonic() > deadline:
                raise SystemExit("no event before the deadline")
            chunk = self.sock.recv(65536)
            if not chunk:
                raise SystemExit("the event stream closed")
            self.buf += chunk

    def until_reload(self, deadline):
        while self.next_update(deadline).get("action") != "reload":
            pass


def ms(seconds):
    return round(1000 * seconds, 1)


def median_ms(samples):
    return ms(statistics.median(samples)) if samples else None


def body_edits(a, post, original, events):
    """Appends a unique line to the post's prose, `a.edits` times."""
    to_event, to_page = [], []
    for i in range(a.edits):
        marker = f"benchmark{os.getpid()}edit{i}"
        start = time.monotonic()
        with open(post, "w", encoding="utf-8") as f:
            f.write(f"{original}\n\n{marker}\n")
        events.until_reload(start + a.timeout)
        to_event.append(time.monotonic() - start)
        status, body = get(a.port, f"/posts/{a.slug}/")
        if status != 200 or marker.encode() not in body:
            raise SystemExit(f"the reload after edit {i} did not show it (status {status})")
        to_page.append(time.monotonic() - start)
        time.sleep(a.settle)
    return {
        "body_edits": a.edits,
        "save_to_reload_event_median_ms": median_ms(to_event),
        "save_to_reloaded_page_median_ms": median_ms(to_page),
        "save_to_reloaded_page_ms": [ms(x) for x in to_page],
    }


def snippet_edits(a, post, original, events):
    """Breaks and fixes a line of the post's first `console` block, `a.edits` times."""
    fence = re.search(r"^```console[^\n]*\n", original, re.M)
    if not fence:
        raise SystemExit(f"{post} has no console block to edit")
    head, tail = original[: fence.end()], original[fence.end() :]
    fence_line = original.count("\n", 0, fence.start()) + 1
    samples = {"reload": [], "quick": [], "all": []}
    kinds = {"broken": {"quick": [], "all": []}, "fixed": {"quick": [], "all": []}}
    for i in range(a.edits):
        broken = i % 2 == 0
        mark = f"snippet{os.getpid()}x{i}"
        line = (
            f"$ CONTAINERID = $(docker run -rm busybox echo {mark})"
            if broken
            else f"$ CONTAINERID=$(docker run --rm busybox echo {mark})"
        )
        start = time.monotonic()
        with open(post, "w", encoding="utf-8") as f:
            f.write(f"{head}{line}\n{tail}")
        deadline = start + a.timeout
        events.until_reload(deadline)
        samples["reload"].append(time.monotonic() - start)
        quick = None
        while True:
            message = events.next_update(deadline)
            if message.get("action") == "reload":
                raise SystemExit(f"a second reload after snippet edit {i}")
            # The reload's own message keeps findings of unchanged snippets only; the
            # checks' messages list the edited block with what they found.
            edited = [
                s for s in message.get("snippets", []) if s["file"].endswith(f"/{a.slug}.md") and s["line"] == fence_line
            ]
            if not edited:
                continue
            codes = {f["code"] for s in edited for f in s["findings"]}
            if broken != ("GEN101" in codes):
                raise SystemExit(f"snippet edit {i} ({'broken' if broken else 'fixed'}) reported {sorted(codes)}")
            now = time.monotonic() - start
            checking = any(s["checking"] for s in edited)
            if quick is None:
                quick = now
                samples["quick"].append(now)
            if not checking:
                samples["all"].append(now)
                break
        kind = kinds["broken" if broken else "fixed"]
        kind["quick"].append(quick)
        kind["all"].append(samples["all"][-1])
        time.sleep(a.settle)
    return {
        "snippet_edits": a.edits,
        "snippet_save_to_reload_event_median_ms": median_ms(samples["reload"]),
        "snippet_save_to_quick_findings_median_ms": median_ms(samples["quick"]),
        "snippet_save_to_all_findings_median_ms": median_ms(samples["all"]),
        "snippet_broken_quick_all_median_ms": [median_ms(kinds["broken"]["quick"]), median_ms(kinds["broken"]["all"])],
        "snippet_fixed_quick_all_median_ms": [median_ms(kinds["fixed"]["quick"]), median_ms(kinds["fixed"]["all"])],
        "snippet_save_to_reload_event_ms": [ms(x) for x in samples["reload"]],
        "snippet_save_to_quick_findings_ms": [ms(x) for x in samples["quick"]],
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--name", required=True)
    ap.add_argument("--gen", required=True)
    ap.add_argument("--site", required=True)
    ap.add_argument("--slug", required=True)
    ap.add_argument("--edits", type=int, default=7)
    ap.add_argument("--port", type=int, default=1311)
    ap.add_argument("--settle", type=float, default=1.0, help="seconds between edits")
    ap.add_argument("--timeout", type=float, default=300.0)
    ap.add_argument("--log", default=os.devnull)
    a = ap.parse_args()

    post = os.path.join(a.site, "content", "posts", a.slug + ".md")
    with open(post, encoding="utf-8") as f:
        original = f.read()
    log = open(a.log, "wb")
    t0 = time.monotonic()
    proc = subprocess.Popen([a.gen, "--root", a.site, "serve", "--port", str(a.port)], stdout=log, stderr=log, start_new_session=True)
    result = {"site": a.name}
    try:
        while True:
            try:
                status, _ = get(a.port, f"/posts/{a.slug}/", timeout=2)
                if status == 200:
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() - t0 > a.timeout:
                raise SystemExit("gen serve did not start; see " + a.log)
            time.sleep(0.02)
        result["startup_s"] = round(time.monotonic() - t0, 3)
        _, body = get(a.port, "/__gen/status")
        events = Events(a.port, json.loads(body)["generation"])
        events.next_update(time.monotonic() + a.timeout)  # the catch-up message
        time.sleep(a.settle)
        result.update(body_edits(a, post, original, events))
        result.update(snippet_edits(a, post, original, events))
    finally:
        with open(post, "w", encoding="utf-8") as f:
            f.write(original)
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
