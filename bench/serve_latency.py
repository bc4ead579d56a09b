#!/usr/bin/env python3
"""Save-to-reload latency of `gen serve` on one site (used by bench/serve-latency).

Starts `gen --root SITE serve --port PORT`, opens the live-reload event stream the
way an open page does (/__gen/events?since=GENERATION), then for each edit appends a
unique line to the post and measures
  event: write -> the "reload" event arrives (the page would start reloading), and
  page:  write -> the reloaded page (fetched right after the event) shows the line.
Prints one JSON line with the medians and every sample. Loopback only; Python 3
standard library only. The post is restored and the server stopped at the end.
"""

import argparse
import json
import os
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
        to_event, to_page = [], []
        for i in range(a.edits):
            marker = f"benchmark{os.getpid()}edit{i}"
            start = time.monotonic()
            with open(post, "w", encoding="utf-8") as f:
                f.write(f"{original}\n\n{marker}\n")
            deadline = start + a.timeout
            while events.next_update(deadline).get("action") != "reload":
                pass
            to_event.append(time.monotonic() - start)
            status, body = get(a.port, f"/posts/{a.slug}/")
            if status != 200 or marker.encode() not in body:
                raise SystemExit(f"the reload after edit {i} did not show it (status {status})")
            to_page.append(time.monotonic() - start)
            time.sleep(a.settle)
        result["edits"] = a.edits
        result["save_to_reload_event_median_ms"] = round(1000 * statistics.median(to_event), 1)
        result["save_to_reloaded_page_median_ms"] = round(1000 * statistics.median(to_page), 1)
        result["save_to_reloaded_page_ms"] = [round(1000 * x, 1) for x in to_page]
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
