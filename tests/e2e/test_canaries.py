"""End to end: a canary string in every channel of brief §8, recorded in Chromium, found nowhere afterwards.

The canary page carries a distinct `QzCanary7-…` string in each channel: text, inputs and later value
changes, hidden inputs, a textarea, a password field toggled to text, select options, contenteditable,
placeholder/title/alt/aria-label/value attributes, CSS strings (`content`, custom properties and `quotes`, in
style sheets and `style` attributes, set and changed), iframe `srcdoc`, a same-origin iframe,
shadow DOM, SVG text, the URL query, the page title, the console and error messages. Under the default
rules none may reach a stored byte (blobs decoded, SQLite files and rows) or a response the player gets.
Under `allow_list` with `unmask` rules, text left unmasked shows; a `mask` rule added after the recording
hides it from the player's responses and from the rendered replay.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import re
import sqlite3
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import zstandard
from playwright.sync_api import Page
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from live import OPERATOR, PASSWORD, free_port, open_logged_in
from reel.admin.applications import create_application
from reel.admin.operators import create_operator, issue_token
from reel.config import Settings
from reel.demo.browser import chromium_browser
from reel.demo.runner import snippet
from reel.demo.serving import serve_in_thread
from reel.server.app import create_app
from reel.storage.chunks import BODY_PREFIX

pytestmark = pytest.mark.browser

MARK = "QzCanary7"
CANARY = re.compile(MARK + r"-[a-z0-9]+")

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>QzCanary7-title</title>
<meta name="author" content="QzCanary7-metacontent">
<style>
  #css::before { content: "QzCanary7-css"; }
  .quoted::after { content: 'QzCanary7-cssquote'; color: #333 }
  :root { --label: "QzCanary7-stylevar"; }
  q { quotes: "QzCanary7-quotes" "»"; }
</style>
{snippet}
</head><body>
{filler}
<h1 id="heading">QzCanary7-text</h1>
<p id="para">Plain QzCanary7-para and <b>QzCanary7-bold</b></p>
<p id="open">QzCanary7-open stays readable</p>
<p id="later">QzCanary7-later is masked after the fact</p>
<p id="css">css</p><p class="quoted">quoted</p>
<p id="styled" style="content: 'QzCanary7-styleattr'">styled</p>
<p id="custom-prop" style="--name:'QzCanary7-customprop';content:'QzCanary7-contentattr';color:red">a</p>
<form id="canary-form" action="/canary/submit?who=QzCanary7-action" onsubmit="return false">
  <input id="typed" placeholder="QzCanary7-placeholder" title="QzCanary7-titleattr"
    aria-label="QzCanary7-aria">
  <input id="prefilled" value="QzCanary7-valueattr">
  <input type="hidden" id="hidden" name="h" value="QzCanary7-hidden">
  <textarea id="area">QzCanary7-textarea</textarea>
  <input type="password" id="pw">
  <input type="checkbox" id="check" value="QzCanary7-checkbox">
  <select id="sel">
    <option value="">-</option><option value="QzCanary7-optvalue">QzCanary7-option</option>
  </select>
  <button id="send" type="submit" value="QzCanary7-buttonvalue">Send</button>
</form>
<div id="editable" contenteditable="true">QzCanary7-editable</div>
<img id="img" alt="QzCanary7-alt" src="/canary/pic.svg?who=QzCanary7-imgsrc" width="40" height="40">
<a id="link" href="/canary?next=QzCanary7-link" title="QzCanary7-linktitle">link</a>
<div id="data" data-user="QzCanary7-data">data</div>
<iframe id="srcdoc" srcdoc="&lt;p&gt;QzCanary7-srcdoc&lt;/p&gt;"></iframe>
<iframe id="same" src="/canary/frame"></iframe>
<div id="shadow-host"></div>
<svg width="200" height="30"><title>QzCanary7-svgtitle</title><text x="0" y="20">QzCanary7-svg</text></svg>
<script>
  const root = document.getElementById("shadow-host").attachShadow({ mode: "open" });
  root.innerHTML = "QzCanary7-shadowtext <span title='QzCanary7-shadowattr'>QzCanary7-shadowspan</span>"
    + "<input id='shadow-input' placeholder='QzCanary7-shadowph'>";
</script>
</body></html>"""

# More nodes than the recorder writes in one piece (json.ts, 512), ahead of the canaries: the first snapshot
# is written in slices: the body is opened after a walk that stopped part way, and its children given again.
PAGE = PAGE.replace("{filler}", '<div id="filler">' + "<span>filler</span>" * 600 + "</div>")

FRAME = """<!doctype html><html><body><p id="frame-text">QzCanary7-frametext</p>
<input id="frame-input" value="QzCanary7-framevalue"></body></html>"""

PICTURE = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><rect width="40" height="40"/></svg>'
)

# Changes after the first snapshot: every one is a mutation, style sheet or custom event of its own.
LATER_CHANGES = """() => {
  const p = document.createElement("p");
  p.title = "QzCanary7-mutattr";
  p.textContent = "QzCanary7-muttext";
  document.body.appendChild(p);
  document.getElementById("heading").textContent = "QzCanary7-changedtext";
  document.getElementById("typed").setAttribute("placeholder", "QzCanary7-mutph");
  document.getElementById("prefilled").value = "QzCanary7-setvalue";
  document.title = "QzCanary7-title2";
  const root = document.getElementById("shadow-host").shadowRoot;
  root.firstChild.data = "QzCanary7-shadowchanged ";
  document.styleSheets[0].insertRule('#css::after { content: "QzCanary7-cssrule" }', 0);
  document.getElementById("styled").style.setProperty("content", '"QzCanary7-styleprop"');
  document.getElementById("styled").style.setProperty("--later", "'QzCanary7-setprop'");
  document.getElementById("custom-prop").setAttribute("style", "--name: 'QzCanary7-setattr'");
  const sheet = new CSSStyleSheet();
  sheet.replaceSync('p::after { content: "QzCanary7-adopted" }');
  document.adoptedStyleSheets = [sheet];
  document.getElementById("srcdoc").setAttribute("srcdoc", "<p>QzCanary7-srcdoc2</p>");
  document.getElementById("img").src = "/canary/pic.svg?again=QzCanary7-imgsrc2";
  history.pushState({}, "", "/canary/next?q=QzCanary7-pushstate");
  location.hash = "QzCanary7-hash";
  console.error("QzCanary7-console");
  console.warn("QzCanary7-warn", new TypeError("QzCanary7-warnerror"));
  setTimeout(() => { throw new Error("QzCanary7-error"); }, 0);
  Promise.reject(new Error("QzCanary7-rejection"));
}"""


def canary_site() -> Starlette:
    """The canary page (snippet filled in per request from the app state), its frame and its picture."""

    async def page(request: Request) -> Response:
        html = PAGE.replace("{snippet}", request.app.state.snippet)
        return HTMLResponse(html, headers={"Cache-Control": "no-store"})

    async def frame(request: Request) -> Response:
        return HTMLResponse(FRAME)

    async def picture(request: Request) -> Response:
        return Response(PICTURE, media_type="image/svg+xml")

    return Starlette(
        routes=[Route("/canary", page), Route("/canary/frame", frame), Route("/canary/pic.svg", picture)]
    )


@dataclass(frozen=True)
class Site:
    """A running Reel with one application for the canary site, and how to reach both."""

    reel_url: str
    site_url: str
    data_dir: Path
    app_id: str
    app_key: str
    auth: dict[str, str]

    def api(self, path: str, **params: Any) -> Any:
        response = httpx.get(f"{self.reel_url}{path}", params=params, headers=self.auth, timeout=30)
        response.raise_for_status()
        return response.json()


@contextmanager
def live_site(data_dir: Path) -> Iterator[Site]:
    """Reel on embedded storage with background processing, an admin with a token, and the canary site."""
    app = create_app(Settings(data_dir=data_dir), background=True)
    port = free_port()
    now_ms = int(time.time() * 1000)
    ctx = app.state.reel
    application = create_application(ctx.sessions, "Canaries", [f"http://127.0.0.1:{port}"], now_ms=now_ms)
    operator = create_operator(ctx.operators, OPERATOR, "admin", PASSWORD, now_ms=now_ms)
    _token, secret = issue_token(ctx.operators, operator, "e2e", now_ms=now_ms)
    site = canary_site()
    with serve_in_thread(app, lifespan="on") as reel_url:
        site.state.snippet = snippet(reel_url, application.app_key)
        with serve_in_thread(site, port=port) as site_url:
            auth = {"Authorization": f"Bearer {secret}"}
            yield Site(reel_url, site_url, data_dir, application.id, application.app_key, auth)


def record_canary_visit(site: Site, rules: dict[str, Any] | None = None) -> None:
    """A visit to the canary page in Chromium: consent, typing, later changes, errors; the tab closes.

    `rules`, if given, is the rules document the recorder gets instead of asking the server.
    """
    with chromium_browser() as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        if rules is not None:
            body = json.dumps(rules)
            cors = {"Content-Type": "application/json", "Access-Control-Allow-Origin": "*"}
            context.route("**/v1/web/config?*", lambda route: route.fulfill(body=body, headers=cors))
        page = context.new_page()
        page.goto(f"{site.site_url}/canary?q={MARK}-urlquery")
        page.evaluate("() => window.reel.consent(true)")
        page.wait_for_function("() => window.reel.status().recording")
        page.wait_for_timeout(500)  # rrweb attaches the frames once they have loaded
        type_canaries(page)
        page.evaluate(LATER_CHANGES)
        page.wait_for_timeout(300)
        page.click("#send")
        page.wait_for_timeout(300)
        page.evaluate("() => window.reel.flush()")
        page.close()
        time.sleep(1.0)  # the final beacon leaves with keepalive from pagehide
        context.close()


def type_canaries(page: Page) -> None:
    page.type("#typed", f"{MARK}-typed1", delay=5)
    page.fill("#typed", f"{MARK}-typed2")  # a later value change of the same field
    page.fill("#area", f"{MARK}-typedarea")
    page.type("#pw", f"{MARK}-password", delay=5)
    page.evaluate("() => { document.getElementById('pw').type = 'text'; }")  # "show password"
    page.type("#pw", f"{MARK}-pwshown", delay=5)
    page.check("#check")
    page.select_option("#sel", f"{MARK}-optvalue")
    page.click("#editable")
    page.keyboard.type(f" {MARK}-typededit", delay=5)
    page.locator("#shadow-host").locator("#shadow-input").type(f"{MARK}-shadowtyped", delay=5)
    page.frame_locator("#same").locator("#frame-input").fill(f"{MARK}-frametyped")


def wait_for_session(site: Site, kinds: set[str], timeout_s: float = 30.0) -> dict[str, Any]:
    """The visit's session once closed and processed (its actions include `kinds`), nothing new for 1 s."""
    deadline = time.monotonic() + timeout_s
    last: Any = None
    while time.monotonic() < deadline:
        sessions = site.api("/api/v1/sessions")["sessions"]
        if len(sessions) == 1 and sessions[0]["closed"]:
            actions = site.api(f"/api/v1/sessions/{sessions[0]['id']}/actions")["actions"]
            now = (sessions[0]["events"], len(actions))
            if kinds <= {a["kind"] for a in actions} and now == last:
                return site.api(f"/api/v1/sessions/{sessions[0]['id']}")  # type: ignore[no-any-return]
            last = now
        time.sleep(1.0)
    raise AssertionError(f"the canary session did not settle: {site.api('/api/v1/sessions')}")


def stored_texts(data_dir: Path) -> dict[str, str]:
    """Every file under the data directory as text: zstd blobs decompressed, everything else as is."""
    texts: dict[str, str] = {}
    for path in sorted(p for p in data_dir.rglob("*") if p.is_file()):
        texts[str(path.relative_to(data_dir))] = plain(path.read_bytes()).decode("utf-8", errors="replace")
    return texts


def database_rows(data_dir: Path) -> str:
    """Every row of every table of the session store, as text; compressed values (the beacons waiting
    in the buffer) decompressed."""
    db = sqlite3.connect(f"file:{data_dir / 'reel.sqlite3'}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return "\n".join(
            f"{t}: {tuple(readable(v) for v in row)!r}"
            for t in tables
            for row in db.execute(f'SELECT * FROM "{t}"')
        )
    finally:
        db.close()


def buffered_events(data_dir: Path) -> str:
    """The events of the beacons waiting in the session store's buffer, as text."""
    db = sqlite3.connect(f"file:{data_dir / 'reel.sqlite3'}?mode=ro", uri=True)
    try:
        return "\n".join(str(readable(row[0])) for row in db.execute("SELECT payload FROM beacon_buffer"))
    finally:
        db.close()


def readable(value: object) -> object:
    """A column value as text where it is compressed JSON, else as is."""
    if isinstance(value, bytes):
        return plain(value).decode("utf-8", errors="replace")
    return value


def plain(raw: bytes) -> bytes:
    """Stored bytes as plain text where they are compressed: a beacon body kept as received (its
    header and clock offset, then gzip as the browser sent it or zstd), a zstd blob; else as is."""
    if raw.startswith(BODY_PREFIX):
        raw = raw[len(BODY_PREFIX) + 8 :]
    if raw.startswith(b"\x1f\x8b"):
        with contextlib.suppress(OSError, EOFError, zlib.error):
            return gzip.decompress(raw)
    with contextlib.suppress(zstandard.ZstdError):  # not zstd: SQLite files, raw resources
        return zstandard.ZstdDecompressor().decompress(raw, max_output_size=256 * 1024 * 1024)
    return raw


def player_responses(site: Site, session_id: str) -> dict[str, str]:
    """What the player gets for a session: its page, session JSON, events and actions."""
    paths = {
        "page": f"/sessions/{session_id}",
        "session": f"/api/v1/sessions/{session_id}",
        "events": f"/api/v1/sessions/{session_id}/events",
        "actions": f"/api/v1/sessions/{session_id}/actions",
        "list": "/api/v1/sessions",
    }
    out = {}
    for name, path in paths.items():
        response = httpx.get(f"{site.reel_url}{path}", headers=site.auth, timeout=30)
        assert response.status_code == 200, (name, response.status_code)
        out[name] = response.text
    return out


def replay_dom(site: Site, session_id: str, at_ms: int | None = None) -> str:
    """The replay iframe's whole document (shadow roots and frames included) after seeking to `at_ms`."""
    with chromium_browser() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        open_logged_in(page, f"{site.reel_url}/sessions/{session_id}")
        page.wait_for_function("() => window.reelPlayer !== undefined")
        page.evaluate("() => window.reelPlayer.ready")
        if at_ms is not None:
            page.evaluate("ms => window.reelPlayer.seek(ms)", at_ms)
        return page.evaluate(  # type: ignore[no-any-return]
            """() => {
              const out = [];
              const walk = (doc) => {
                if (!doc || !doc.documentElement) return;
                out.push(doc.documentElement.outerHTML);
                for (const el of doc.querySelectorAll("*")) {
                  if (el.shadowRoot) out.push(el.shadowRoot.innerHTML);
                  if (el.tagName === "IFRAME") { try { walk(el.contentDocument); } catch (e) {} }
                }
              };
              walk(window.reelPlayer.iframe().contentDocument);
              return out.join("\\n");
            }"""
        )


def leaks(texts: dict[str, str]) -> dict[str, list[str]]:
    """For each text containing the marker, the canary strings found in it."""
    found = {name: sorted(set(CANARY.findall(text))) for name, text in texts.items() if MARK in text}
    return {name: hits or [MARK] for name, hits in found.items()}


@pytest.fixture(scope="module")
def default_rules(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Site, dict[str, Any]]]:
    """The canary visit recorded under the default rules (no rules stored for the application)."""
    with live_site(tmp_path_factory.mktemp("canaries") / "data") as site:
        record_canary_visit(site)
        yield site, wait_for_session(site, {"load", "navigation", "submit", "error"})


def test_the_visit_was_recorded_in_every_channel(default_rules: tuple[Site, dict[str, Any]]) -> None:
    """The recording holds the page's inputs, frames and shadow root, and the custom actions."""
    site, session = default_rules
    assert session["has_replay"] and session["missing_beacons"] == 0
    assert session["rules_version"] == 0
    events = player_responses(site, session["id"])["events"]
    for element_id in ("typed", "hidden", "area", "pw", "sel", "editable", "frame-input", "shadow-input"):
        assert f'"id":"{element_id}"' in events, element_id
    actions = site.api(f"/api/v1/sessions/{session['id']}/actions")["actions"]
    kinds = [a["kind"] for a in actions]
    # console.error, the thrown error, the rejection (a warning is in the console panel, not an error)
    assert kinds.count("error") >= 3
    assert any(a["kind"] == "submit" and a["target"] == "form#canary-form" for a in actions)
    navigations = [a["url"] for a in actions if a["kind"] == "navigation"]
    assert navigations and all("?q=***" in url for url in navigations)


def test_no_canary_in_any_stored_byte(default_rules: tuple[Site, dict[str, Any]]) -> None:
    site, _session = default_rules
    stored = stored_texts(site.data_dir)
    rows = database_rows(site.data_dir)
    # The recording's events are in the buffer (decompressed above) or in compacted segments (blobs).
    assert "beacon_buffer: ('" in rows or any("/seg-" in name for name in stored), "no events were stored"
    assert leaks(stored) == {}
    assert leaks({"rows": rows}) == {}


def test_no_canary_in_any_player_response(default_rules: tuple[Site, dict[str, Any]]) -> None:
    site, session = default_rules
    responses = player_responses(site, session["id"])
    assert leaks(responses) == {}
    # The rendered replay at its start and at its end (by then every frame and shadow root is attached).
    assert leaks({"replay": replay_dom(site, session["id"])}) == {}
    assert leaks({"replay": replay_dom(site, session["id"], at_ms=session["duration_ms"])}) == {}


# --- allow list, then a stricter rule after the recording ------------------------------------------------

ALLOW_LIST = {
    "version": 1,
    "preset": "allow_list",
    "rules": [{"type": "unmask", "selector": "#open, #later, #frame-text, #shadow-host"}],
}
# What allow_list shows: text inside `unmask` (the frame's paragraph, the shadow root's text, before and
# after its change), and there attributes of the default list too; input values stay masked everywhere.
SHOWN = {
    f"{MARK}-{name}"
    for name in (
        "open",
        "later",
        "frametext",
        "shadowtext",
        "shadowchanged",
        "shadowspan",
        "shadowattr",
        "shadowph",
    )
}


def found_in(texts: dict[str, str]) -> set[str]:
    return {hit for hits in leaks(texts).values() for hit in hits}


def put_rules(site: Site, doc: dict[str, Any]) -> httpx.Response:
    return httpx.put(
        f"{site.reel_url}/api/v1/applications/{site.app_id}/masking-rules",
        json=doc,
        headers=site.auth,
        timeout=30,
    )


def test_allow_list_shows_only_unmasked_text_at_capture(tmp_path: Path) -> None:
    """Under allow_list (rules served to the recorder directly), only text inside `unmask` is stored."""
    with live_site(tmp_path / "data") as site:
        record_canary_visit(site, rules=ALLOW_LIST)
        session = wait_for_session(site, {"load", "navigation", "submit", "error"})
        assert session["rules_version"] == 1
        beacons = {k: v for k, v in stored_texts(site.data_dir).items() if k.startswith("blobs")}
        beacons["buffer"] = buffered_events(site.data_dir)
        assert found_in(beacons) == SHOWN
        assert found_in({"rows": database_rows(site.data_dir)}) <= SHOWN  # action labels, as recorded


def test_allow_list_then_a_later_mask_rule(tmp_path: Path) -> None:
    """Unmasked text shows; after PUTting a mask rule, it is gone from responses and from the replay."""
    with live_site(tmp_path / "data") as site:
        first = put_rules(site, {k: v for k, v in ALLOW_LIST.items() if k != "version"})
        if first.status_code in (404, 405):
            pytest.skip("the server has no PUT /api/v1/applications/{id}/masking-rules yet")
        assert first.status_code == 200, first.text
        config = httpx.get(f"{site.reel_url}/v1/web/config", params={"k": site.app_key}, timeout=30)
        if config.status_code == 404:
            pytest.skip("the server has no GET /v1/web/config yet")
        record_canary_visit(site)
        session = wait_for_session(site, {"load", "navigation", "submit", "error"})
        assert session["rules_version"] == first.json()["version"]

        assert found_in(player_responses(site, session["id"])) == SHOWN

        stricter = {
            **ALLOW_LIST,
            "rules": [*ALLOW_LIST["rules"], {"type": "mask", "selector": "#later, #shadow-host"}],
        }
        second = put_rules(site, stricter)
        assert second.status_code == 200, second.text
        after = player_responses(site, session["id"])
        assert found_in(after) == {f"{MARK}-open", f"{MARK}-frametext"}

        # At the end of the visit, once the same-origin frame's document has surely been attached.
        dom = replay_dom(site, session["id"], at_ms=session["duration_ms"])
        assert f"{MARK}-open" in dom and f"{MARK}-frametext" in dom
        assert f"{MARK}-later" not in dom and f"{MARK}-shadow" not in dom
