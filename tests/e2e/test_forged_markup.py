"""End to end (issue 15, item 3): the first frame of a forged recording, parsed by Chromium, holds
nothing that runs or loads, with the CSP off and even without the sandbox.

The server-rendered first frame wrote `<svg><style>` text almost raw; inside SVG that text is markup,
so a forged recording put live `<img onerror>`, `<iframe srcdoc>` and a meta refresh into the
operator's first-frame iframe, stopped only by the CSP and the sandbox. Here the trees of
tests/markup_trees.py (known mutation-XSS shapes and random trees of their pieces) are parsed by
Chromium three ways: with `DOMParser` (what the player does), through the player page itself with its
Content-Security-Policy bypassed, and written into an iframe with neither sandbox nor CSP, where a
handler that survived would run and a URL that survived would reach the trap server.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from live import LiveReel, live_reel, open_logged_in, post_events
from markup_trees import FORBIDDEN_ELEMENTS, FORMATTING, IMPLIED, document, emitted_tags, random_tree, vectors
from reel.demo.browser import chromium_browser
from reel.replay.first_frame import render_html
from trap import Trap

pytestmark = pytest.mark.browser

T0 = int(time.time() * 1000) - 60_000

# The same rules as tests/property/test_first_frame_markup.py, in the browser: what a parsed page must
# never hold, and no element beyond the tags written (but the parser's own, and reopened formatting).
PROBLEMS_JS = """
(doc, written, rules) => {
  const found = [];
  const counts = {};
  for (const el of doc.querySelectorAll("*")) {
    const name = el.localName.toLowerCase();
    counts[name] = (counts[name] || 0) + 1;
    if (rules.forbidden.includes(name)) found.push("element " + name);
    if (name === "meta" && el.hasAttribute("http-equiv")) found.push("meta http-equiv");
    for (const attr of el.attributes) {
      const an = attr.localName.toLowerCase();
      if (an.startsWith("on") || an === "srcdoc" || an === "ping") found.push(name + " " + an);
      if (/^\\s*(javascript|vbscript|data:text\\/html)/i.test(attr.value.replace(/[\\t\\n]/g, "")))
        found.push(name + " " + an + "=" + attr.value.slice(0, 40));
    }
  }
  if (written) {
    for (const [name, count] of Object.entries(counts)) {
      const w = written[name] || 0;
      if (!rules.implied.includes(name) && count > w && !(rules.formatting.includes(name) && w))
        found.push(count + " <" + name + "> parsed, " + w + " written");
    }
  }
  return found;
}
"""
RULES = {
    "forbidden": sorted(FORBIDDEN_ELEMENTS),
    "implied": sorted(IMPLIED),
    "formatting": sorted(FORMATTING),
}


@pytest.fixture
def trap() -> Iterator[Trap]:
    t = Trap()
    yield t
    t.close()


def merged(trap_url: str) -> dict[str, Any]:
    """Every known shape in one document: all their head and body children side by side."""
    head: list[Any] = []
    body: list[Any] = []
    for tree in vectors(trap_url).values():
        html = tree["childNodes"][0]
        head.extend(html["childNodes"][0]["childNodes"])
        body.extend(html["childNodes"][1]["childNodes"])
    return document(*body, head=tuple(head))


def post_forged(live: LiveReel, tree: dict[str, Any], trap_url: str) -> str:
    """A recording of `tree` posted straight to ingest, under rules that show its text; the session id."""
    app = live.api("/api/v1/applications")["applications"][0]
    shown = httpx.put(
        f"{live.reel_url}/api/v1/applications/{app['id']}/masking-rules",
        json={"preset": "allow_list"},
        headers=live.auth,
    )
    assert shown.status_code == 200, shown.text
    events = [
        {"type": 4, "timestamp": T0, "data": {"href": f"{trap_url}/page", "width": 1000, "height": 700}},
        {"type": 2, "timestamp": T0, "data": {"node": tree, "initialOffset": {"top": 0, "left": 0}}},
    ]
    post_events(live, app, "forged-markup", events, session_id="forged")
    [session] = live.api("/api/v1/sessions")["sessions"]
    return str(session["id"])


def first_frame_html(live: LiveReel, session_id: str) -> str:
    """The first frame the player page carries, as the server rendered it."""
    page = httpx.get(f"{live.reel_url}/sessions/{session_id}", headers=live.auth)
    found = re.search(
        r'<script type="application/json" id="reel-first-frame">(.*?)</script>', page.text, re.S
    )
    assert found is not None, "the player page carries no first frame"
    return str(orjson.loads(found.group(1))["html"])


def test_chromium_parses_forged_first_frames_to_nothing_that_runs(trap: Trap) -> None:
    """DOMParser, as the player parses the first frame: the known shapes and 300 random trees."""
    rng = random.Random(15)
    trees = [
        *vectors(trap.url).values(),
        *(random_tree(rng, trap.url, rng.randint(8, 80)) for _ in range(300)),
    ]
    pages = [render_html(tree) for tree in trees]
    written = [emitted_tags(html) for html in pages]
    with chromium_browser() as browser:
        page = browser.new_page()
        found = page.evaluate(
            f"""([pages, written, rules]) => {{
              const problems = {PROBLEMS_JS};
              return pages.map((html, i) =>
                problems(new DOMParser().parseFromString(html, "text/html"), written[i], rules));
            }}""",
            [pages, written, RULES],
        )
    assert [(i, f) for i, f in enumerate(found) if f] == []
    assert trap.hits == []


def test_a_forged_first_frame_runs_and_loads_nothing_in_the_player(tmp_path: Path, trap: Trap) -> None:
    with live_reel(tmp_path / "data") as live, chromium_browser() as browser:
        session_id = post_forged(live, merged(trap.url), trap.url)
        html = first_frame_html(live, session_id)
        context = browser.new_context(bypass_csp=True, viewport={"width": 1400, "height": 1000})
        # The replayer's data never arrives, so the first frame stays on screen to be looked at.
        context.route(re.compile(r"/api/v1/sessions/[^/]+/segments/"), lambda route: None)
        page = context.new_page()
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        open_logged_in(page, f"{live.reel_url}/sessions/{session_id}")
        page.wait_for_function(
            "() => document.querySelector('iframe.first-frame')?.contentDocument?.body?.childElementCount > 0"
        )
        found = page.evaluate(
            f"""(rules) => ({PROBLEMS_JS})(
                 document.querySelector('iframe.first-frame').contentDocument, null, rules)""",
            RULES,
        )
        assert found == []
        page.wait_for_timeout(1500)
        assert page.evaluate("() => window.__xss") is None
        assert dialogs == []
        assert [u for u in requests if trap.host in u] == []

        # The same HTML in an iframe without sandbox or CSP, written with document.write (the parser
        # with scripting on, where <noscript> is raw text): anything live would run or load now.
        bare = context.new_page()
        bare.set_content('<iframe id="f" style="width:1000px;height:700px"></iframe>')
        bare.evaluate(
            "(html) => { const d = document.getElementById('f').contentDocument;"
            " d.open(); d.write(html); d.close(); }",
            html,
        )
        bare.wait_for_timeout(1500)
        found_bare = bare.evaluate(
            f"(rules) => ({PROBLEMS_JS})(document.getElementById('f').contentDocument, null, rules)", RULES
        )
        assert found_bare == []
        assert bare.evaluate("() => window.__xss") is None
        context.close()
    assert trap.hits == [] and trap.connections == []
