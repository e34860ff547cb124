"""The web recorder's delivery in real Chromium, against a fake beacon endpoint (no other part of Reel)."""

from __future__ import annotations

import base64
import gzip
import http.server
import json
import shutil
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

pytestmark = pytest.mark.browser

BUILT = Path(__file__).resolve().parents[2] / "src" / "reel" / "_built" / "reel.js"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
READY = "window.reel && window.reel.status && window.reel.status().recording"
KEEPALIVE_MAX = 61_440

PAGE = """<!doctype html><html><head><title>Checkout</title><script>{pre}</script>
<script src="{src}" data-app-key="KEY123" async></script></head>
<body><h1>Hello CANARY-TEXT</h1><input id="name"><input id="pw" type="password"><textarea id="ta"></textarea>
<a id="next" href="/page?n=2">next</a>{extra}</body></html>"""

# Logs each fetch of the recorder (keepalive flag, body bytes) to sessionStorage, which survives navigation.
FETCH_LOG = """(() => { const real = window.fetch; window.fetch = function (url, init) {
  const log = JSON.parse(sessionStorage.getItem('fetch-log') || '[]'); const b = init && init.body;
  log.push({keepalive: !!(init && init.keepalive),
            bytes: !b ? 0 : typeof b === 'string' ? new TextEncoder().encode(b).length : b.byteLength});
  sessionStorage.setItem('fetch-log', JSON.stringify(log)); return real.apply(this, arguments); }; })();"""


class QuietServer(http.server.ThreadingHTTPServer):
    """Ignores clients that hang up first (pages navigating away), which is expected here."""

    def handle_error(self, request: object, client_address: object) -> None:
        pass


class FakeIngest:
    """Serves the test page and reel.js, records beacons, answers each seq by a plan of statuses."""

    def __init__(self) -> None:
        self.beacons: list[dict[str, Any]] = []
        self.preflights = 0
        self.plan: dict[int, list[tuple[int, dict[str, str]]]] = {}
        self.pre = ""
        self.extra = ""  # more of the page's body
        self.csp = ""  # the page's Content-Security-Policy header, if any
        # These tests are about delivery: the application needs no consent (consent has tests of its own).
        self.config: dict[str, Any] = {"version": 3, "consent": {"required": False}}
        self.lock = threading.Lock()
        self.server = QuietServer(("127.0.0.1", 0), self._handler())
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _handler(self) -> type[http.server.BaseHTTPRequestHandler]:
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def send(
                self, status: int, body: bytes, ctype: str, headers: dict[str, str] | None = None
            ) -> None:
                self.send_response(status)
                for key, value in {
                    "Content-Type": ctype,
                    "Content-Length": str(len(body)),
                    "Access-Control-Allow-Origin": "*",
                    "Access-Control-Expose-Headers": "Retry-After",
                    **(headers or {}),
                }.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)

            def do_OPTIONS(self) -> None:
                fake.preflights += 1
                self.send(204, b"", "text/plain")

            def do_GET(self) -> None:
                path = urllib.parse.urlparse(self.path).path
                if path == "/capture/reel.js":
                    self.send(200, BUILT.read_bytes(), "application/javascript")
                elif path == "/v1/web/config":
                    self.send(200, json.dumps(fake.config).encode(), "application/json")
                else:
                    src = f"http://127.0.0.1:{fake.port}/capture/reel.js"  # another origin than the page's
                    page = PAGE.format(pre=fake.pre, src=src, extra=fake.extra)
                    csp = {"Content-Security-Policy": fake.csp} if fake.csp else {}
                    self.send(200, page.encode(), "text/html", csp)

            def do_POST(self) -> None:
                url = urllib.parse.urlparse(self.path)
                query = dict(urllib.parse.parse_qsl(url.query))
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                text = (gzip.decompress(raw) if query.get("ce") == "gzip" else raw).decode("utf-8")
                envelope = json.loads(text)
                with fake.lock:
                    steps = fake.plan.get(envelope["seq"])
                    status, headers = steps.pop(0) if steps else (200, {})
                    fake.beacons.append(
                        {
                            "env": envelope,
                            "text": text,
                            "query": query,
                            "status": status,
                            "ctype": self.headers.get("Content-Type"),
                            "t": time.monotonic(),
                        }
                    )
                self.send(
                    status,
                    json.dumps({"ok": status == 200, "seq": envelope["seq"]}).encode(),
                    "application/json",
                    headers,
                )

        return Handler

    def posts(self, seq: int) -> list[dict[str, Any]]:
        return [b for b in self.beacons if b["env"]["seq"] == seq]

    def events(self) -> list[dict[str, Any]]:
        acked = sorted((b for b in self.beacons if b["status"] == 200), key=lambda b: b["env"]["seq"])
        return [e for b in acked for e in b["env"]["events"]]

    def custom_names(self) -> list[str]:
        return [e["data"]["payload"].get("name") for e in self.events() if e["type"] == 5]


def event_types(beacon: dict[str, Any]) -> set[int]:
    return {e["type"] for e in beacon["env"]["events"]}


def wait_until(check: Callable[[], bool], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not BUILT.exists():
        pytest.skip("reel.js is not built (run `make build`)")
    with sync_playwright() as p:
        args = ["--no-sandbox", "--disable-background-networking", "--disable-component-update"]
        b = p.chromium.launch(executable_path=CHROMIUM, args=args)
        yield b
        b.close()


@pytest.fixture
def ingest() -> Iterator[FakeIngest]:
    fake = FakeIngest()
    yield fake
    fake.server.shutdown()


@pytest.fixture
def page(browser: Browser, ingest: FakeIngest) -> Iterator[Page]:
    context = browser.new_context()
    p = context.new_page()
    yield p
    context.close()


def open_page(page: Page, ingest: FakeIngest) -> None:
    page.goto(f"http://localhost:{ingest.port}/page")
    page.wait_for_function(READY)


def test_seq_continues_across_page_loads_of_one_tab(page: Page, ingest: FakeIngest) -> None:
    """Two page loads in one tab share the recording id and never reuse a seq; gzip bodies; text masked."""
    open_page(page, ingest)
    page.type("#name", "CANARY-INPUT")
    page.type("#pw", "CANARY-PASSWORD")
    page.type("#ta", "CANARY-TEXTAREA")
    first = page.evaluate("reel.flush().then(() => reel.status())")
    page.click("#next")
    page.wait_for_url("**/page?n=2")
    page.wait_for_function(READY)
    second = page.evaluate("reel.flush().then(() => reel.status())")

    seqs = sorted(b["env"]["seq"] for b in ingest.beacons)
    assert seqs == list(range(len(seqs))) and second["nextSeq"] == len(seqs)
    recordings = {b["env"]["recording_id"] for b in ingest.beacons}
    assert recordings == {first["recordingId"]} == {second["recordingId"]}
    assert sum(e["type"] == 2 for e in ingest.events()) == 2  # a full snapshot per page load
    assert any(b["query"].get("ce") == "gzip" for b in ingest.beacons)
    assert {b["ctype"] for b in ingest.beacons} == {"text/plain;charset=UTF-8"}
    assert {b["query"]["k"] for b in ingest.beacons} == {"KEY123"}
    assert {b["env"]["rules_version"] for b in ingest.beacons} == {3}  # the version of the served rules
    assert ingest.preflights == 0
    assert "CANARY" not in "".join(b["text"] for b in ingest.beacons)


@pytest.mark.parametrize("csp", ["none", "header", "nonce"])
def test_beacons_are_gzipped_in_a_worker_where_the_page_allows_one(
    page: Page, ingest: FakeIngest, csp: str
) -> None:
    """Beacons are gzipped in a worker off the page's main thread; a CSP header that refuses it (the
    browser reports that once) or a script nonce (a sign of a CSP: not tried) leaves it to the main thread."""
    if csp == "header":
        ingest.csp = "worker-src 'none'"
    elif csp == "nonce":
        ingest.extra = '<script nonce="n0nce">window.seen = 1</script>'
    ingest.pre = """window.refusals = [];
document.addEventListener('securitypolicyviolation', (e) => window.refusals.push(e.effectiveDirective));"""
    open_page(page, ingest)
    page.type("#name", "CANARY-INPUT")
    page.evaluate("reel.flush()")
    wait_until(lambda: len(ingest.beacons) >= 1)
    assert all(b["query"].get("ce") == "gzip" for b in ingest.beacons)
    assert any(e["type"] == 2 for e in ingest.events())
    assert "CANARY" not in "".join(b["text"] for b in ingest.beacons)
    assert len(page.workers) == (1 if csp == "none" else 0)
    assert page.evaluate("window.refusals") == (["worker-src"] if csp == "header" else [])


def test_a_worker_that_fails_never_reaches_the_pages_error_handlers(page: Page, ingest: FakeIngest) -> None:
    """A page that replaces Function.prototype.toString (anti-tamper scripts do) breaks the worker's source,
    built from a function's text: the worker's error is not reported to the page's onerror (its error
    monitoring) nor recorded as the page's error, and beacons are gzipped on the main thread instead."""
    ingest.pre = """Function.prototype.toString = function () { return 'function () { [native code] }'; };
window.errors = []; window.addEventListener('error', (e) => window.errors.push(String(e.message)));"""
    open_page(page, ingest)
    page.type("#name", "CANARY-INPUT")
    page.evaluate("reel.flush()")
    wait_until(lambda: len(ingest.beacons) >= 1)
    page.wait_for_timeout(300)  # the worker's error, when it comes, comes within a few ms
    page.type("#name", "-MORE")
    page.evaluate("reel.flush()")
    wait_until(lambda: all(b["status"] == 200 for b in ingest.beacons) and len(ingest.beacons) >= 2)
    assert page.evaluate("window.errors") == []
    assert not [e for e in ingest.events() if e["type"] == 5 and e["data"]["tag"] == "reel.error"]
    assert all(b["query"].get("ce") == "gzip" for b in ingest.beacons)
    assert "CANARY" not in "".join(b["text"] for b in ingest.beacons)


def test_pagehide_sends_keepalive_bodies_within_the_budget(page: Page, ingest: FakeIngest) -> None:
    """On pagehide a big buffer is cut into ≤ 60 KiB beacons; an oversized event goes alone by plain fetch."""
    ingest.pre = FETCH_LOG
    open_page(page, ingest)
    page.evaluate("reel.flush()")
    page.evaluate("""() => {
        for (let i = 0; i < 30; i++) reel.event('bulk' + i, {s: 'é€'.repeat(1700) + 'x'.repeat(1500)});
        reel.event('huge', {s: 'h'.repeat(100000)}); reel.event('tail'); location.href = '/page?n=2'; }""")
    page.wait_for_url("**/page?n=2")
    page.wait_for_function(READY)
    log = page.evaluate("JSON.parse(sessionStorage.getItem('fetch-log'))")

    keepalive = [x["bytes"] for x in log if x["keepalive"]]
    assert keepalive and max(keepalive) <= KEEPALIVE_MAX and sum(keepalive) <= 65_536
    assert any(not x["keepalive"] and x["bytes"] > KEEPALIVE_MAX for x in log)  # the 100 kB event
    names = {f"bulk{i}" for i in range(30)} | {"huge", "tail"}
    # Beacons the unload may cancel (sent by plain fetch) are re-sent by the next page, under the same seq.
    wait_until(lambda: names <= set(ingest.custom_names()))
    by_seq = sorted(ingest.beacons, key=lambda b: b["env"]["seq"])
    unload = [b for b in by_seq if any(e["type"] == 5 for e in b["env"]["events"])]
    assert len(unload) >= 5 and unload[-1]["env"]["final"] is True
    bodies: dict[int, set[str]] = {}
    for b in ingest.beacons:
        bodies.setdefault(b["env"]["seq"], set()).add(b["text"])
    assert all(len(texts) == 1 for texts in bodies.values())  # a seq is never reused for other content


def test_retryable_statuses_are_retried_and_other_4xx_dropped(page: Page, ingest: FakeIngest) -> None:
    """500 and 503 (after its Retry-After) are retried; 400 is sent once and logged once."""
    warnings: list[str] = []
    page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
    open_page(page, ingest)
    seq = page.evaluate("reel.status().nextSeq")
    ingest.plan = {
        seq: [(500, {})],
        seq + 1: [(400, {})],
        seq + 2: [(503, {"Retry-After": "1"})],
        seq + 3: [(400, {})],
    }
    for i in range(4):
        page.evaluate(f"reel.event('e{i}'); reel.flush()")
    assert [b["status"] for b in ingest.posts(seq)] == [500, 200]
    assert [b["status"] for b in ingest.posts(seq + 1)] == [400]
    retried = ingest.posts(seq + 2)
    assert [b["status"] for b in retried] == [503, 200] and retried[1]["t"] - retried[0]["t"] >= 0.9
    assert [b["status"] for b in ingest.posts(seq + 3)] == [400]
    assert len([w for w in warnings if w.startswith("reel:")]) == 1
    assert page.evaluate("reel.status().pending") == 0


def test_each_attempt_is_stamped_with_its_own_send_time(page: Page, ingest: FakeIngest) -> None:
    """A retried beacon resends its body (cut time and all) with the time of the new attempt in the URL,
    so the server can tell a late beacon from a wrong clock."""
    open_page(page, ingest)
    seq = page.evaluate("reel.status().nextSeq")
    ingest.plan = {seq: [(503, {"Retry-After": "2"})]}
    page.evaluate("reel.event('late'); reel.flush()")
    first, second = ingest.posts(seq)
    assert (first["status"], second["status"]) == (503, 200)
    assert first["env"]["sent_at"] == second["env"]["sent_at"]  # the same body
    stamps = [int(b["query"]["sent_at"]) for b in (first, second)]
    assert stamps[0] >= first["env"]["sent_at"] and stamps[1] - stamps[0] >= 1900
    assert all("sent_at" in b["query"] for b in ingest.beacons)


def test_a_failing_beacon_does_not_block_later_ones(page: Page, ingest: FakeIngest) -> None:
    """While one beacon is retried, the next is delivered; the failing one arrives later."""
    open_page(page, ingest)
    seq = page.evaluate("reel.status().nextSeq")
    ingest.plan = {seq: [(500, {}), (500, {})]}
    page.evaluate("reel.event('stuck'); void reel.flush(); reel.event('next'); void reel.flush()")
    wait_until(lambda: any(b["status"] == 200 for b in ingest.posts(seq + 1)))
    assert not any(b["status"] == 200 for b in ingest.posts(seq))
    page.evaluate("reel.flush()")
    assert [b["status"] for b in ingest.posts(seq)] == [500, 500, 200]


def test_consent_refused_drops_unsent_data_and_sticks_for_the_tab(page: Page, ingest: FakeIngest) -> None:
    """consent(false) stops recording, drops what was buffered, and holds across page loads of the tab."""
    open_page(page, ingest)
    page.evaluate("reel.flush()")
    sent = len(ingest.beacons)
    page.evaluate("reel.event('refused'); reel.consent(false)")
    page.reload()
    page.wait_for_function("window.reel && window.reel.status")
    time.sleep(0.3)
    assert page.evaluate("reel.status().recording") is False
    assert len(ingest.beacons) == sent and "refused" not in ingest.custom_names()
    page.evaluate("reel.consent(true)")
    page.evaluate("reel.flush()")
    assert sum(e["type"] == 2 for e in ingest.events()) == 2


def test_a_new_session_starts_after_the_idle_timeout(page: Page, ingest: FakeIngest) -> None:
    """A page load 31 minutes after the last interaction keeps the recording but starts a new session."""
    ingest.pre = """if (sessionStorage.getItem('age')) { sessionStorage.removeItem('age');
      const s = JSON.parse(sessionStorage.getItem('reel.tab')); s.a -= 31 * 60000;
      sessionStorage.setItem('reel.tab', JSON.stringify(s)); }"""
    open_page(page, ingest)
    before = page.evaluate("sessionStorage.setItem('age', '1'), reel.status()")
    page.reload()
    page.wait_for_function(READY)
    after = page.evaluate("reel.status()")
    assert after["recordingId"] == before["recordingId"] and after["sessionId"] != before["sessionId"]


# Leaves the page once the recorder holds its first events (the full snapshot is then being written, in
# slices), noting what it held at pagehide and, on the next page before reel.js runs, what it stashed.
LEAVE_MID_SNAPSHOT = """window.stashSeen = sessionStorage.getItem('reel.unsent');
addEventListener('pagehide', () => sessionStorage.setItem('held', String(window.reel.status().buffered)));
(function leave() {
  if (sessionStorage.getItem('left')) return;
  if (window.reel && window.reel.status && window.reel.status().buffered > 0) {
    sessionStorage.setItem('left', '1');
    location.href = '/page?n=2';
  } else setTimeout(leave, 0);
})();"""


def test_a_page_closed_mid_snapshot_sends_and_stashes_it_masked(page: Page, ingest: FakeIngest) -> None:
    """A snapshot's strings are masked as it is written in slices: leaving the page halfway through writes
    the rest at pagehide, masked, so neither its beacons nor the stash the next page resends hold a canary."""
    rows = "".join(
        f'<div class="row" title="CANARY-TITLE-{i}" data-user="CANARY-DATA-{i}" aria-label="CANARY-ARIA">'
        f'<a href="/item?token=CANARY-QUERY-{i}">CANARY-TEXT-{i}</a>'
        '<img alt="CANARY-ALT" src="/i.png?CANARY">'
        f"<span style=\"--x: 'CANARY-CSS-{i}'\">CANARY-SPAN</span></div>"
        for i in range(2000)
    )
    ingest.extra = f"<style>.row::after {{ content: 'CANARY-STYLE' }}</style>{rows}"
    ingest.pre = LEAVE_MID_SNAPSHOT
    cdp = page.context.new_cdp_session(page)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 10})  # the snapshot takes many slices to write
    page.goto(f"http://localhost:{ingest.port}/page")
    page.wait_for_url("**/page?n=2")
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})  # the second page's snapshot need not be slow
    page.wait_for_function(READY)
    # The first page hid with its snapshot not yet cut into a beacon: it would have been at once when written
    # (it is far over the size that cuts one), leaving nothing held.
    assert int(page.evaluate("sessionStorage.getItem('held')")) >= 2
    page.evaluate("reel.flush()")
    # Both pages' snapshots, the first maybe twice: sent at pagehide, and resent from the stash.
    wait_until(lambda: len({b["env"]["seq"] for b in ingest.beacons if 2 in event_types(b)}) >= 2, timeout=60)
    first = next(e for e in ingest.events() if e["type"] == 2)  # the first page's: its seqs come first
    assert "CANARY-" not in json.dumps(first) and "*" in json.dumps(first)
    assert "CANARY" not in "".join(b["text"] for b in ingest.beacons)
    stash = page.evaluate("window.stashSeen")  # what the first page left in sessionStorage, if anything
    for item in json.loads(stash or "[]"):
        body = item["p"] or gzip.decompress(base64.b64decode(item["g"])).decode("utf-8")
        assert "CANARY" not in body
