"""Resource URLs the player receives, over HTTP (issue 15, item 7): every one points at Reel's copy or
a placeholder, in a segment fetched on its own too, whatever CSS escape or attribute it hides in.

A later part of the stream used to be walked without the page's URL and without knowing its elements:
relative URLs in an added `<link>`, a changed `style` attribute or `<style>` text were neither captured
nor pointed at copies, and CSS escapes (`\\75 rl(…)`) hid references from a regex-like scanner. The
browser-side counterpart, with a trap server, is tests/e2e/test_forged_urls.py.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient

from asset_server import AssetServer, Route, asset_server
from conftest import BeaconMaker
from reel.domain.content import IMAGE_PLACEHOLDER, NOT_CAPTURED
from reel.domain.records import Application
from reel.processing.resources.fetch import SafeFetcher
from reel.processing.resources.worker import capture_pending
from reel.processing.worker import process_pending
from reel.storage.resource_store import ResourceSettings
from support import T0, ctx_of, post_beacon

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
LATE_PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 32
LATER_CSS = b".later{color:red}"
LATER = T0 + 6 * 60_000  # past a segment's five minutes: the second beacon opens segment 1


def copy(body: bytes) -> str:
    return f"/resources/{hashlib.sha256(body).hexdigest()}"


@pytest.fixture(scope="module")
def site() -> Iterator[AssetServer]:
    routes = {
        "/shop/later.css": Route(body=LATER_CSS),
        "/shop/bg.png": Route(content_type="image/png", body=PNG),
        "/shop/late.png": Route(content_type="image/png", body=LATE_PNG),
    }
    with asset_server(routes) as server:
        yield server


def el(node_id: int, tag: str, attrs: dict[str, Any], *children: Any) -> dict[str, Any]:
    return {"type": 2, "id": node_id, "tagName": tag, "attributes": attrs, "childNodes": list(children)}


def text(node_id: int, value: str) -> dict[str, Any]:
    return {"type": 3, "id": node_id, "textContent": value}


def first_beacon(page_url: str, body: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    head = el(3, "head", {}, el(15, "style", {}, text(16, ".a{color:blue}")))
    node = {
        "type": 0,
        "id": 1,
        "childNodes": [el(2, "html", {}, head, el(4, "body", {}, el(20, "div", {"id": "t"}), *(body or [])))],
    }
    return [
        {"type": 4, "timestamp": T0, "data": {"href": page_url, "width": 800, "height": 600}},
        {"type": 2, "timestamp": T0, "data": {"node": node, "initialOffset": {"top": 0, "left": 0}}},
    ]


def later_beacon() -> list[dict[str, Any]]:
    """Relative URLs added and changed six minutes in, some behind CSS escapes."""
    mutation = {
        "source": 0,
        "adds": [
            {
                "parentId": 3,
                "nextId": None,
                "node": el(80, "link", {"rel": "stylesheet", "href": "later.css"}),
            },
            {"parentId": 4, "nextId": None, "node": el(81, "img", {"src": "late.png"})},
            {"parentId": 4, "nextId": None, "node": el(82, "img", {"src": "//elsewhere.invalid/x.png"})},
        ],
        "removes": [],
        "texts": [{"id": 16, "value": '@import "later.css"; .x{background:\\75 rl(bg.png)}'}],
        "attributes": [
            {"id": 4, "attributes": {"style": "background:u\\72l(bg.png)"}},
            {"id": 20, "attributes": {"style": {"background-image": "url(late.png)"}}},
        ],
    }
    return [{"type": 3, "timestamp": LATER, "data": mutation}]


def record(client: TestClient, app: Application, site: AssetServer, beacon: BeaconMaker) -> dict[str, Any]:
    ctx = ctx_of(client)
    ctx.resources.save_settings(ResourceSettings(app.id, (site.url,), allow_private=True))
    shown = client.put(f"/api/v1/applications/{app.id}/masking-rules", json={"preset": "allow_list"})
    assert shown.status_code == 200, shown.text
    assert post_beacon(client, app, beacon(0, first_beacon(f"{site.url}/shop/page.html"))).status_code == 200
    assert post_beacon(client, app, beacon(1, later_beacon())).status_code == 200
    process_pending(ctx)
    while capture_pending(ctx, SafeFetcher()):
        pass
    [session] = client.get("/api/v1/sessions").json()["sessions"]
    detail: dict[str, Any] = client.get(f"/api/v1/sessions/{session['id']}").json()
    return detail


def test_a_segment_fetched_alone_points_what_its_events_add_and_change_at_copies(
    client: TestClient, demo_app: Application, site: AssetServer, beacon: BeaconMaker
) -> None:
    session = record(client, demo_app, site, beacon)
    assert [s["n"] for s in session["segments"]] == [0, 1]
    alone = client.get(f"/api/v1/sessions/{session['id']}/segments/1")
    assert alone.status_code == 200
    doc = orjson.loads(alone.content)
    assert doc["head"][0]["type"] == 4  # the head starts with the page's URL, the context of what follows
    [mutation] = [e["data"] for e in doc["events"] if e["type"] == 3]
    adds = {a["node"]["id"]: a["node"]["attributes"] for a in mutation["adds"]}
    assert adds[80]["href"] == copy(LATER_CSS)
    assert adds[81]["src"] == copy(LATE_PNG)
    assert adds[82]["src"] == IMAGE_PLACEHOLDER  # protocol-relative, elsewhere, not captured
    [text_change] = mutation["texts"]
    assert text_change["value"] == f'@import "{copy(LATER_CSS)}"; .x{{background:url("{copy(PNG)}")}}'
    changes = {c["id"]: c["attributes"] for c in mutation["attributes"]}
    assert changes[4]["style"] == f'background:url("{copy(PNG)}")'
    assert changes[20]["style"] == {"background-image": f'url("{copy(LATE_PNG)}")'}
    for relative in (b"later.css", b"bg.png", b"late.png", b"elsewhere"):
        assert relative not in alone.content


def test_urls_that_cannot_be_resolved_get_placeholders(
    client: TestClient, demo_app: Application, beacon: BeaconMaker
) -> None:
    """With no page URL to resolve against (`about:blank`), nothing is left for the player's browser to
    resolve against Reel's own page: a protocol-relative URL would leave Reel, a path would ask it."""
    body = [
        el(30, "img", {"src": "//elsewhere.invalid/a.png", "srcset": "/b.png 2x"}),
        el(31, "link", {"rel": "stylesheet", "href": "/resources/" + "a" * 64}),
        el(32, "div", {"style": "background:url(c.png)"}),
        el(33, "image", {"src": "/d.png"}),
        el(34, "svg", {}, el(35, "rect", {"fill": "url(//elsewhere.invalid/e.svg#p)"})),
        el(36, "img", {"src": "data:image/png;base64,AAAA"}),
        el(37, "a", {"href": "/kept-link"}),
    ]
    shown = client.put(f"/api/v1/applications/{demo_app.id}/masking-rules", json={"preset": "allow_list"})
    assert shown.status_code == 200, shown.text
    assert post_beacon(client, demo_app, beacon(0, first_beacon("about:blank", body))).status_code == 200
    [session] = client.get("/api/v1/sessions").json()["sessions"]
    events = client.get(f"/api/v1/sessions/{session['id']}/events").json()["events"]
    nodes: dict[int, dict[str, Any]] = {}
    stack = [events[1]["data"]["node"]]
    while stack:
        node = stack.pop()
        nodes[node["id"]] = node.get("attributes", {})
        stack.extend(node.get("childNodes", []))
    assert nodes[30] == {"src": IMAGE_PLACEHOLDER, "srcset": f"{IMAGE_PLACEHOLDER} 2x"}
    assert nodes[31]["href"] == NOT_CAPTURED
    assert nodes[32]["style"] == f'background:url("{IMAGE_PLACEHOLDER}")'
    assert nodes[33]["src"] == NOT_CAPTURED
    assert nodes[35]["fill"] == f'url("{IMAGE_PLACEHOLDER}")'
    assert nodes[36]["src"] == "data:image/png;base64,AAAA"  # inline: nothing is fetched
    assert nodes[37]["href"] == "/kept-link"  # a link is followed, never loaded
