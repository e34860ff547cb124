"""Resource capture through a running app: processing finds the URLs, the worker captures them from a
loopback site, the player's events point at Reel's copies, and `/resources/{sha256}` serves them."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from asset_server import AssetServer, Route, asset_server
from reel.admin.applications import create_application
from reel.admin.operators import create_operator, issue_token
from reel.domain.content import IMAGE_PLACEHOLDER, NOT_CAPTURED
from reel.domain.records import Application
from reel.processing.resources.fetch import SafeFetcher
from reel.processing.resources.worker import capture_pending
from reel.processing.worker import process_pending
from reel.storage.resource_store import ResourceSettings
from support import ORIGIN, T0, ctx_of, post_beacon

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
WOFF2 = b"wOF2" + b"\x00" * 60
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><script>alert(1)</script></svg>'


@pytest.fixture(scope="module")
def site() -> Iterator[AssetServer]:
    routes = {
        "/site.css": Route(
            body=b'@import "/more.css";\n@font-face{font-family:F;src:url(/font.woff2) format("woff2")}\n'
            b".hero{background:url('bg.png')} .gone{background:url(/missing.png)}"
        ),
        "/more.css": Route(body=b".more{background:url(/bg.png#frag)}"),
        "/font.woff2": Route(content_type="font/woff2", body=WOFF2),
        "/bg.png": Route(content_type="image/png", body=PNG),
        "/logo.svg": Route(content_type="image/svg+xml", body=SVG),
        "/page.html": Route(content_type="text/html", body=b"<h1>hi</h1>"),
    }
    with asset_server(routes) as server:
        yield server


def page(site: AssetServer) -> list[dict[str, Any]]:
    head = [
        {
            "type": 2,
            "id": 5,
            "tagName": "link",
            "attributes": {"rel": "stylesheet", "href": f"{site.url}/site.css"},
            "childNodes": [],
        },
    ]
    body = [
        {
            "type": 2,
            "id": 6,
            "tagName": "img",
            "attributes": {"src": f"{site.url}/logo.svg"},
            "childNodes": [],
        },
        {
            "type": 2,
            "id": 7,
            "tagName": "img",
            "attributes": {"src": f"{site.url}/page.html"},
            "childNodes": [],
        },
        {
            "type": 2,
            "id": 8,
            "tagName": "img",
            "attributes": {"src": "http://127.0.0.1:9/nope.png"},
            "childNodes": [],
        },
    ]
    node = {
        "type": 0,
        "id": 1,
        "childNodes": [
            {
                "type": 2,
                "id": 2,
                "tagName": "html",
                "attributes": {},
                "childNodes": [
                    {"type": 2, "id": 3, "tagName": "head", "attributes": {}, "childNodes": head},
                    {"type": 2, "id": 4, "tagName": "body", "attributes": {}, "childNodes": body},
                ],
            },
        ],
    }
    return [
        {"type": 4, "timestamp": T0, "data": {"href": f"{ORIGIN}/", "width": 800, "height": 600}},
        {"type": 2, "timestamp": T0 + 1, "data": {"node": node, "initialOffset": {"top": 0, "left": 0}}},
    ]


def record_and_capture(client: TestClient, app: Application, site: AssetServer, beacon: Any) -> str:
    ctx = ctx_of(client)
    ctx.resources.save_settings(ResourceSettings(app.id, (site.url,), allow_private=True))
    # Images shown: under the default rules (mask_all) the player gets same-size placeholders instead.
    shown = client.put(f"/api/v1/applications/{app.id}/masking-rules", json={"preset": "allow_list"})
    assert shown.status_code == 200, shown.text
    assert post_beacon(client, app, beacon(0, page(site))).status_code == 200
    process_pending(ctx)
    while capture_pending(ctx, SafeFetcher()):
        pass
    sessions = client.get("/api/v1/sessions").json()["sessions"]
    return str(sessions[0]["id"])


def element(events: list[dict[str, Any]], node_id: int) -> dict[str, Any]:
    stack = [events[1]["data"]["node"]]
    while stack:
        node = stack.pop()
        if node.get("id") == node_id:
            return node  # type: ignore[no-any-return]
        stack.extend(node.get("childNodes", []))
    raise KeyError(node_id)


def test_the_player_gets_reels_copies_and_never_the_sites_urls(
    client: TestClient,
    demo_app: Application,
    site: AssetServer,
    beacon: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="reel.resources")
    session_id = record_and_capture(client, demo_app, site, beacon)
    events = client.get(f"/api/v1/sessions/{session_id}/events").json()["events"]
    assert site.url not in str(events) and "127.0.0.1:9" not in str(events)
    css_href = element(events, 5)["attributes"]["href"]
    assert re.fullmatch(r"/resources/[0-9a-f]{64}", css_href)
    logo = element(events, 6)["attributes"]["src"]
    assert logo == f"/resources/{hashlib.sha256(SVG).hexdigest()}"
    assert element(events, 7)["attributes"]["src"] == IMAGE_PLACEHOLDER  # HTML is never a resource
    assert element(events, 8)["attributes"]["src"] == IMAGE_PLACEHOLDER  # not an allowed origin
    refusals = [r.getMessage() for r in caplog.records if "resource refused" in r.getMessage()]
    assert any("page.html" in m and "content type" in m for m in refusals)
    assert any("127.0.0.1:9/nope.png" in m and "not an allowed resource origin" in m for m in refusals)
    assert any("missing.png" in m and "HTTP 404" in m for m in refusals)

    sheet = client.get(css_href)
    assert sheet.status_code == 200
    assert sheet.headers["content-type"] == "text/css; charset=utf-8"
    assert sheet.headers["cache-control"] == "private, max-age=31536000, immutable"
    assert sheet.headers["x-content-type-options"] == "nosniff"
    css = sheet.text
    assert site.url not in css and "127.0.0.1" not in css
    png = f"/resources/{hashlib.sha256(PNG).hexdigest()}"
    assert f'url("{png}")' in css and f'url("/resources/{hashlib.sha256(WOFF2).hexdigest()}")' in css
    assert IMAGE_PLACEHOLDER in css  # missing.png
    imported = re.search(r'@import "(/resources/[0-9a-f]{64})"', css)
    assert imported is not None
    more = client.get(imported.group(1)).text
    assert more == f'.more{{background:url("{png}#frag")}}'
    font = client.get(f"/resources/{hashlib.sha256(WOFF2).hexdigest()}")
    assert font.headers["content-type"] == "font/woff2" and font.content == WOFF2

    svg = client.get(logo)
    assert svg.headers["content-type"] == "image/svg+xml"
    assert svg.headers["content-security-policy"] == "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    assert NOT_CAPTURED not in css


def test_a_second_recording_reuses_the_copies_without_fetching_again(
    client: TestClient, demo_app: Application, site: AssetServer, beacon: Any
) -> None:
    record_and_capture(client, demo_app, site, beacon)
    before = site.total_hits()
    ctx = ctx_of(client)
    assert post_beacon(client, demo_app, beacon(0, page(site), recording_id="rec-2")).status_code == 200
    process_pending(ctx)
    while capture_pending(ctx, SafeFetcher()):
        pass
    # Only the URL refused before is asked again (the HTML); the sheet is reused with what it links to.
    assert site.total_hits() - before == 1
    rows = {r.url: r for r in ctx.resources.rows("rec-2")}
    assert rows[f"{site.url}/font.woff2"].status == "captured"  # found through the reused sheet


def test_copies_are_visible_only_through_applications_the_operator_may_see(
    client: TestClient, demo_app: Application, site: AssetServer, beacon: Any
) -> None:
    record_and_capture(client, demo_app, site, beacon)
    ctx = ctx_of(client)
    other = create_application(ctx.sessions, "Other", ["https://other.example"], now_ms=T0)
    viewer = create_operator(ctx.operators, "other-viewer", "viewer", None, app_ids=(other.id,), now_ms=T0)
    _token, secret = issue_token(ctx.operators, viewer, "t", now_ms=T0)
    url = f"/resources/{hashlib.sha256(SVG).hexdigest()}"
    assert client.get(url).status_code == 200
    assert client.get(url, headers={"Authorization": f"Bearer {secret}"}).status_code == 404
    assert client.get("/resources/" + "0" * 64).status_code == 404
    assert client.get("/resources/..%2f..%2fetc%2fpasswd").status_code in (400, 404)
    assert client.get("/resources/ABC").status_code == 400
    assert client.get(url, headers={"Authorization": ""}).status_code == 401


def test_resource_settings_are_read_by_viewers_and_set_by_admins(
    client: TestClient, demo_app: Application
) -> None:
    url = f"/api/v1/applications/{demo_app.id}/resource-settings"
    assert client.get(url).json() == {
        "app_id": demo_app.id,
        "origins": [],
        "effective_origins": [ORIGIN],
        "allow_private": False,
        "updated_at": None,
    }
    saved = client.put(
        url, json={"origins": ["HTTPS://CDN.example:443/", ORIGIN], "allow_private": True}
    ).json()
    assert saved["origins"] == ["https://cdn.example", ORIGIN] and saved["allow_private"] is True
    assert client.get(url).json()["effective_origins"] == ["https://cdn.example", ORIGIN]
    bad = client.put(url, json={"origins": ["ftp://x.example"]})
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "origins[0]"
    ctx = ctx_of(client)
    viewer = create_operator(ctx.operators, "viewer-1", "viewer", None, now_ms=T0)
    _token, secret = issue_token(ctx.operators, viewer, "t", now_ms=T0)
    as_viewer = {"Authorization": f"Bearer {secret}"}
    assert client.get(url, headers=as_viewer).status_code == 200
    assert client.put(url, json={"origins": []}, headers=as_viewer).status_code == 403
    assert client.get("/api/v1/applications/app_nope/resource-settings").status_code == 404


def test_one_round_writes_a_recordings_outcomes_in_one_store_write(
    client: TestClient, demo_app: Application, site: AssetServer, beacon: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = ctx_of(client)
    ctx.resources.save_settings(ResourceSettings(demo_app.id, (site.url,), allow_private=True))
    assert post_beacon(client, demo_app, beacon(0, page(site))).status_code == 200
    process_pending(ctx)
    writes: list[list[str]] = []
    finish = ctx.resources.finish

    def counted(app_id: str, recording_id: str, rows: Any, now: int) -> None:
        writes.append([r.url for r in rows])
        finish(app_id, recording_id, rows, now)

    monkeypatch.setattr(ctx.resources, "finish", counted)
    assert capture_pending(ctx, SafeFetcher(), limit=20) >= 2
    assert len(writes) == 1  # the four URLs of the page and what the sheet links to, together
    assert {f"{site.url}/site.css", f"{site.url}/logo.svg", f"{site.url}/font.woff2"} <= set(writes[0])
    rows = {r.url: r.status for r in ctx.resources.rows("rec-1")}
    assert rows[f"{site.url}/logo.svg"] == "captured"
