"""A copy of a resource reaches an operator only through a recording of an application they may see,
whatever path reads it by digest (issue 15, item 4): the first frame inlined a style sheet named by
`/resources/<digest>` without the check `GET /resources/{sha}` makes, so app A's operator read app B's
CSS by posting a recording to A that links to B's sheet."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from asset_server import AssetServer, Route, asset_server
from conftest import BeaconMaker
from reel.admin.applications import create_application
from reel.admin.operators import create_operator, issue_token
from reel.api.auth import Caller
from reel.api.resources import visible_copy
from reel.domain.records import Application
from reel.processing.resources.fetch import SafeFetcher
from reel.processing.resources.worker import capture_pending
from reel.processing.worker import process_pending
from reel.runtime.context import ReelContext
from reel.storage.resource_store import ResourceSettings
from support import ORIGIN, T0, ctx_of, post_beacon

B_CSS = b".b-only{color:rgb(1,2,3)} /* B-SECRET-RULE */"
B_DIGEST = hashlib.sha256(B_CSS).hexdigest()
SECRET = "B-SECRET-RULE"


@pytest.fixture(scope="module")
def site() -> Iterator[AssetServer]:
    with asset_server({"/b.css": Route(body=B_CSS)}) as server:
        yield server


def el(node_id: int, tag: str, attrs: dict[str, Any], children: list[Any] | None = None) -> dict[str, Any]:
    return {"type": 2, "id": node_id, "tagName": tag, "attributes": attrs, "childNodes": children or []}


def page(href: str, head: list[dict[str, Any]], ts: int = T0) -> list[dict[str, Any]]:
    """A page at `href` with `head` in its head and a line of text in its body."""
    body = [el(20, "p", {}, [{"type": 3, "id": 21, "textContent": "hello"}])]
    node = {
        "type": 0,
        "id": 1,
        "childNodes": [el(2, "html", {}, [el(3, "head", {}, head), el(4, "body", {}, body)])],
    }
    return [
        {"type": 4, "timestamp": ts, "data": {"href": href, "width": 800, "height": 600}},
        {"type": 2, "timestamp": ts + 1, "data": {"node": node, "initialOffset": {"top": 0, "left": 0}}},
    ]


def forged_head(reel_url: str) -> list[dict[str, Any]]:
    """Every way a recording may name B's copy: as a link, an import, a style attribute's url()."""
    path = f"/resources/{B_DIGEST}"
    return [
        el(5, "link", {"rel": "stylesheet", "href": path}),
        el(6, "link", {"rel": "stylesheet", "href": f"{reel_url}{path}"}),
        el(7, "link", {"rel": "stylesheet", "href": f"//testserver{path}"}),
        el(8, "style", {}, [{"type": 3, "id": 9, "textContent": f'@import "{path}";'}]),
        el(10, "meta", {"name": "x", "style": f"background:url({path})"}),
    ]


def operator_of(ctx: ReelContext, app: Application) -> dict[str, str]:
    """An admin limited to `app`."""
    admin = create_operator(ctx.operators, f"admin-{app.id}", "admin", None, app_ids=(app.id,), now_ms=T0)
    _token, secret = issue_token(ctx.operators, admin, "t", now_ms=T0)
    return {"Authorization": f"Bearer {secret}"}


def test_another_tenants_style_sheet_reaches_no_response(
    client: TestClient, site: AssetServer, beacon: BeaconMaker
) -> None:
    ctx = ctx_of(client)
    app_a = create_application(ctx.sessions, "A", [ORIGIN], now_ms=T0)
    app_b = create_application(ctx.sessions, "B", [ORIGIN], now_ms=T0)
    ctx.resources.save_settings(ResourceSettings(app_b.id, (site.url,), allow_private=True))
    b_page = page(f"{site.url}/", [el(5, "link", {"rel": "stylesheet", "href": f"{site.url}/b.css"})])
    assert (
        post_beacon(client, app_b, beacon(0, b_page, recording_id="rec-b", session_id="b")).status_code == 200
    )
    process_pending(ctx)
    while capture_pending(ctx, SafeFetcher()):
        pass
    assert ctx.resources.resource(B_DIGEST) is not None  # B's sheet is stored

    a_headers = operator_of(ctx, app_a)
    for n, href in enumerate(("about:blank", "data:text/plain,x", "http://testserver/")):
        forged = page(href, forged_head("http://testserver"))
        sent = post_beacon(client, app_a, beacon(0, forged, recording_id=f"rec-a{n}", session_id=f"a{n}"))
        assert sent.status_code == 200, sent.text
    process_pending(ctx)
    sessions = client.get("/api/v1/sessions", headers=a_headers).json()["sessions"]
    assert len(sessions) == 3
    for session in sessions:
        sid = session["id"]
        answers = [
            client.get(f"/sessions/{sid}", headers=a_headers),
            client.get(f"/api/v1/sessions/{sid}", headers=a_headers),
            client.get(f"/api/v1/sessions/{sid}/events", headers=a_headers),
            client.get(f"/api/v1/sessions/{sid}/segments/0", headers=a_headers),
        ]
        assert answers[0].status_code == 200 and 'id="reel-first-frame"' in answers[0].text
        for answer in answers:
            assert SECRET not in answer.text, answer.url
            assert "rgb(1,2,3)" not in answer.text, answer.url
    assert client.get(f"/resources/{B_DIGEST}", headers=a_headers).status_code == 404
    assert client.get(f"/resources/{B_DIGEST}", headers=operator_of(ctx, app_b)).text == B_CSS.decode()


def test_every_read_of_a_copy_by_digest_checks_who_may_see_it(
    client: TestClient, site: AssetServer, beacon: BeaconMaker
) -> None:
    """`visible_copy` is the one way to read a copy by digest (the resource route, the first frame's
    inlined sheets): behind the rewriting that already points a forged link elsewhere, it is the check
    that holds on its own."""
    ctx = ctx_of(client)
    app_a = create_application(ctx.sessions, "A", [ORIGIN], now_ms=T0)
    app_b = create_application(ctx.sessions, "B", [ORIGIN], now_ms=T0)
    ctx.resources.save_settings(ResourceSettings(app_b.id, (site.url,), allow_private=True))
    b_page = page(f"{site.url}/", [el(5, "link", {"rel": "stylesheet", "href": f"{site.url}/b.css"})])
    assert (
        post_beacon(client, app_b, beacon(0, b_page, recording_id="rec-b", session_id="b")).status_code == 200
    )
    process_pending(ctx)
    while capture_pending(ctx, SafeFetcher()):
        pass

    of_a, of_b = (
        Caller(
            create_operator(ctx.operators, f"op-{app.id}", "admin", None, app_ids=(app.id,), now_ms=T0),
            "token",
        )
        for app in (app_a, app_b)
    )
    found = visible_copy(ctx, of_b, B_DIGEST)
    assert found is not None and found[1] == B_CSS
    assert visible_copy(ctx, of_a, B_DIGEST) is None
    assert visible_copy(ctx, of_b, B_DIGEST, max_size=len(B_CSS) - 1) is None
    assert visible_copy(ctx, of_b, "../" + B_DIGEST[3:]) is None
