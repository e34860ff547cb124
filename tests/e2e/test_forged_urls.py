"""End to end (issue 15, item 7): a forged recording names a trap server in every way a page can load a
URL, and the player loads none of them, with its Content-Security-Policy bypassed, so that the
rewriting alone is shown to hold.

Before, resource URLs escaped rewriting through CSS escapes (`\\75 rl(…)`, `u\\72l(…)`), `rr_dataURL`,
`ping`, `portal`, `applet`, protocol-relative URLs, and anything in a later part of the stream fetched on
its own (attribute and `<style>` text changes, an added `<link>`). Here the recording's page is on the
trap server, so a relative URL left alone would land there too, and its second beacon, six minutes in,
starts a segment of its own that the player (and `GET …/segments/1`) fetch alone, head first.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from live import LiveReel, live_reel, open_logged_in, post_events
from reel.demo.browser import chromium_browser
from trap import Trap

pytestmark = pytest.mark.browser

T0 = int(time.time() * 1000) - 10 * 60_000  # within the clock tolerance: stored at these times
LATER = T0 + 6 * 60_000  # past a segment's five minutes: the second beacon opens segment 1
# What the player may ask Reel for: its own assets, the API, the copies; and inline data.
OWN_PATHS = ("/static/", "/api/v1/", "/resources/", "/sessions/", "/login", "/favicon")


@pytest.fixture
def trap() -> Iterator[Trap]:
    t = Trap()
    yield t
    t.close()


def el(node_id: int, tag: str, attrs: dict[str, Any], *children: Any, svg: bool = False) -> dict[str, Any]:
    node = {"type": 2, "id": node_id, "tagName": tag, "attributes": attrs, "childNodes": list(children)}
    if svg:
        node["isSVG"] = True
    return node


def text(node_id: int, value: str) -> dict[str, Any]:
    return {"type": 3, "id": node_id, "textContent": value}


def snapshot(t: str, host: str) -> dict[str, Any]:
    """The page: each element loads the trap some way, named by the path it asks for."""
    css = (
        f'@import "{t}/import.css"; @\\69mport url({t}/import-escaped.css);'
        f" @font-face{{font-family:T;src:url({t}/font.woff2)}} .f{{font-family:T}}"
        f" .g{{background:url(relative.png)}} .h{{background:url(//{host}/protocol-relative-rule)}}"
        f" .i{{background:\\000075rl({t}/long-escape)}} .j{{background:URL({t}/upper)}}"
    )
    styles = [
        f"background:\\75 rl({t}/css-escape-1)",
        f"background-image:u\\72l({t}/css-escape-2)",
        f"background-image:url(//{host}/protocol-relative-style)",
        f"mask-image:url({t}/mask);-webkit-mask-image:url({t}/webkit-mask)",
        f"list-style-image:url({t}/list)",
        f"border:30px solid;border-image:url({t}/border) 30",
        f'background-image:image-set("{t}/image-set" 1x)',
        f"background-image:-webkit-image-set(url({t}/webkit-image-set) 1x)",
        f"cursor:url({t}/cursor),auto",
    ]
    head = [
        el(5, "base", {"href": f"{t}/base/"}),
        el(6, "meta", {"http-equiv": "refresh", "content": f"0;url={t}/refresh"}),
        el(7, "link", {"rel": "stylesheet", "href": f"//{host}/protocol-relative.css"}),
        el(8, "link", {"rel": "stylesheet", "href": "relative.css"}),
        el(9, "link", {"rel": "icon", "href": f"{t}/icon"}),
        el(
            10,
            "link",
            {"rel": "preload", "as": "image", "href": f"{t}/preload", "imagesrcset": f"{t}/isrcset 1x"},
        ),
        el(11, "link", {"rel": "prefetch", "href": f"{t}/prefetch"}),
        el(12, "link", {"rel": "preconnect", "href": t}),
        el(13, "link", {"rel": "dns-prefetch", "href": f"//{host}"}),
        el(14, "link", {"rel": "modulepreload", "href": f"{t}/module.js"}),
        el(15, "style", {}, text(16, css)),
    ]
    svg = el(
        60,
        "svg",
        {"width": "200", "height": "100"},
        el(61, "image", {"href": f"{t}/svg-image", "width": "10", "height": "10"}, svg=True),
        el(62, "image", {"xlink:href": f"{t}/svg-xlink", "width": "10", "height": "10"}, svg=True),
        el(63, "use", {"href": f"{t}/use.svg#a"}, svg=True),
        el(64, "filter", {"id": "f"}, el(65, "feImage", {"href": f"{t}/feimage"}, svg=True), svg=True),
        el(66, "rect", {"width": "5", "height": "5", "fill": f"url({t}/fill.svg#p)"}, svg=True),
        el(67, "rect", {"width": "5", "height": "5", "style": f"fill:url({t}/style-fill.svg#p)"}, svg=True),
        el(68, "pattern", {"id": "p", "href": f"{t}/pattern.svg#q"}, svg=True),
        el(
            69,
            "image",
            {"width": "10", "height": "10"},
            el(70, "set", {"attributeName": "href", "to": f"{t}/set"}, svg=True),
            el(71, "animate", {"attributeName": "href", "values": f"{t}/animate", "dur": "1s"}, svg=True),
            svg=True,
        ),
        svg=True,
    )
    body = [
        el(20, "div", {"id": "target", "class": "f g h i j", "style": ";".join(styles)}, text(21, "text")),
        el(22, "img", {"id": "swap", "src": f"//{host}/img-protocol-relative", "srcset": f"{t}/srcset 2x"}),
        el(
            23,
            "picture",
            {},
            el(24, "source", {"srcset": f"{t}/picture-source"}),
            el(25, "img", {"src": "data:,"}),
        ),
        el(26, "input", {"type": "image", "src": f"{t}/input-image"}),
        el(
            27,
            "video",
            {"poster": f"{t}/poster", "src": f"{t}/video"},
            el(28, "source", {"src": f"{t}/video-source"}),
            el(29, "track", {"src": f"{t}/track", "default": True, "kind": "subtitles"}),
        ),
        el(30, "audio", {"src": f"{t}/audio", "preload": "auto"}),
        el(31, "object", {"data": f"{t}/object", "type": "image/png"}),
        el(32, "embed", {"src": f"{t}/embed"}),
        el(33, "applet", {"code": "A.class", "codebase": f"{t}/applet/", "archive": f"{t}/applet.jar"}),
        el(34, "portal", {"src": f"{t}/portal"}),
        el(35, "iframe", {"src": f"{t}/iframe"}),
        el(36, "a", {"id": "pinglink", "href": "#here", "ping": f"{t}/ping"}, text(37, "ping")),
        el(
            38,
            "table",
            {"background": f"{t}/table-background"},
            el(39, "tbody", {}, el(40, "tr", {}, el(41, "td", {"background": f"{t}/td"}))),
        ),
        el(42, "image", {"src": f"{t}/html-image"}),
        el(43, "canvas", {"rr_dataURL": f"{t}/rr-dataurl", "width": "10", "height": "10"}),
        el(44, "img", {"rr_dataURL": f"{t}/img-rr-dataurl", "src": "data:,"}),
        el(45, "math", {}, el(46, "mglyph", {"src": f"{t}/mglyph"})),
        svg,
    ]
    node = {
        "type": 0,
        "id": 1,
        "childNodes": [
            el(2, "html", {}, el(3, "head", {}, *head), el(4, "body", {"background": f"{t}/body"}, *body))
        ],
    }
    return node


def later_mutation(t: str, host: str) -> dict[str, Any]:
    """Six minutes in: what a chunk fetched alone must still rewrite."""
    adds = [
        {"parentId": 3, "nextId": None, "node": el(80, "link", {"rel": "stylesheet", "href": "later.css"})},
        {"parentId": 3, "nextId": None, "node": el(81, "style", {}, text(82, '@import "later-import.css";'))},
        {"parentId": 4, "nextId": None, "node": el(83, "img", {"src": f"//{host}/later-added"})},
        {"parentId": 4, "nextId": None, "node": el(84, "div", {"class": "late"}, text(85, "late"))},
    ]
    attributes = [
        {"id": 4, "attributes": {"style": "background:url(later-body-style.png)"}},
        {"id": 20, "attributes": {"style": {"background-image": f"url(//{host}/later-style-object)"}}},
        {"id": 22, "attributes": {"src": "later-src.png", "srcset": f"//{host}/later-srcset 1x"}},
        {"id": 43, "attributes": {"rr_dataURL": f"{t}/later-rr-dataurl"}},
        {"id": 70, "attributes": {"attributeName": "xlink:href", "to": f"{t}/later-set"}},
    ]
    texts = [{"id": 16, "value": ".late{background:u\\72l(later-text.png)} @import url(later-text.css);"}]
    return {"source": 0, "adds": adds, "removes": [], "texts": texts, "attributes": attributes}


def post(live: LiveReel, app: dict[str, Any], recording: str, seq: int, events: list[dict[str, Any]]) -> None:
    post_events(live, app, recording, events, seq=seq)


def record(live: LiveReel, trap: Trap, page_url: str, recording: str) -> dict[str, Any]:
    """The forged recording at `page_url` in two beacons, processed into two segments; its session."""
    app = live.api("/api/v1/applications")["applications"][0]
    t, host = trap.url, trap.host
    first = [
        {"type": 4, "timestamp": T0, "data": {"href": page_url, "width": 1200, "height": 900}},
        {
            "type": 2,
            "timestamp": T0,
            "data": {"node": snapshot(t, host), "initialOffset": {"top": 0, "left": 0}},
        },
    ]
    post(live, app, recording, 0, first)
    post(live, app, recording, 1, [{"type": 3, "timestamp": LATER, "data": later_mutation(t, host)}])
    for _ in range(120):  # background processing cuts the second segment within a second or two
        [session] = [s for s in live.api("/api/v1/sessions")["sessions"] if s["recording_id"] == recording]
        detail = live.api(f"/api/v1/sessions/{session['id']}")
        if len(detail["segments"]) >= 2:
            return dict(detail)
        time.sleep(0.25)
    raise AssertionError(f"no second segment: {detail['segments']}")


def leaks(body: bytes, trap: Trap) -> list[str]:
    """URLs that still name the trap or are still relative, outside the page URL of Meta events."""
    doc = orjson.loads(body)
    events = [*doc.get("head", []), *doc.get("events", [])] if isinstance(doc, dict) else doc
    found = []
    for event in events:
        if event.get("type") == 4:
            continue  # the page URL is shown, never loaded
        text_ = orjson.dumps(event).decode()
        for needle in (trap.host, "relative", "later-", "later.css"):
            if needle in text_:
                found.append(f"{needle} in {text_[:200]}")
    return found


@pytest.mark.parametrize("page_url", ["trap", "about:blank"])
def test_a_forged_recording_loads_nothing_from_anywhere_but_reel(
    tmp_path: Path, trap: Trap, page_url: str
) -> None:
    with live_reel(tmp_path / "data") as live, chromium_browser() as browser:
        url = f"{trap.url}/shop/page.html" if page_url == "trap" else page_url
        session = record(live, trap, url, "forged-urls")
        sid = session["id"]
        # What the player is sent, whole and segment by segment (the second one fetched alone).
        whole = httpx.get(f"{live.reel_url}/api/v1/sessions/{sid}/events", headers=live.auth)
        assert leaks(whole.content, trap) == []
        for segment in session["segments"]:
            alone = httpx.get(
                f"{live.reel_url}/api/v1/sessions/{sid}/segments/{segment['n']}", headers=live.auth
            )
            assert alone.status_code == 200 and leaks(alone.content, trap) == [], segment
        late = httpx.get(
            f"{live.reel_url}/api/v1/sessions/{sid}/segments/{session['segments'][-1]['n']}",
            headers=live.auth,
        )
        assert b"later-import" not in late.content and b'"rr_dataURL"' not in late.content

        context = browser.new_context(bypass_csp=True, viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        open_logged_in(page, f"{live.reel_url}/sessions/{sid}")  # the first frame, then the replayer
        page.evaluate("() => window.reelPlayer.ready")
        page.wait_for_timeout(1000)
        page.evaluate(f"() => window.reelPlayer.seek({LATER - T0 + 1000})")  # segment 1, from its head
        page.wait_for_timeout(1000)
        page.evaluate("() => window.reelPlayer.iframe().contentDocument.getElementById('pinglink')?.click()")
        page.evaluate(
            "() => window.reelPlayer.iframe().contentDocument.getElementById('target')?.scrollIntoView()"
        )
        page.mouse.move(300, 300)
        page.wait_for_timeout(2000)
        context.close()
    assert trap.hits == [] and trap.connections == []
    elsewhere = [
        u
        for u in requests
        if not u.startswith(("data:", "about:", "blob:"))
        and not any(u.startswith(f"{live.reel_url}{p}") for p in OWN_PATHS)
    ]
    assert elsewhere == []
