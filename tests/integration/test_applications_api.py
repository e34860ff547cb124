"""Applications over HTTP: created with their snippet, origins edited by admins (at once, audited, CSRF)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from conftest import BeaconMaker
from reel.admin.operators import create_operator, issue_token
from reel.clock import FixedClock
from reel.config import Settings
from reel.domain.records import Application
from reel.server.app import create_app
from reel.storage.factory import memory_session_store
from reel.storage.memory_blobs import MemoryReplayStore
from reel.storage.memory_operators import MemoryOperatorStore
from support import ORIGIN, admin_headers, post_beacon, tick

NEW_ORIGIN = "https://new-shop.example"


def test_a_created_application_answers_its_key_and_its_snippet(client: TestClient) -> None:
    created = client.post("/api/v1/applications", json={"name": "Shop", "origins": ["https://Shop.example/"]})
    assert created.status_code == 201, created.text
    doc = created.json()
    assert doc["origins"] == ["https://shop.example"]
    # No REEL_PUBLIC_URL: the snippet loads the recorder from the URL the request came to.
    assert f'src="http://testserver/capture/reel.js" data-app-key="{doc["app_key"]}" async' in doc["snippet"]
    assert doc["snippet"].startswith("<script>window.reel=window.reel||{q:[]};")
    (listed,) = client.get("/api/v1/applications").json()["applications"]
    assert listed["snippet"] == doc["snippet"] and listed["stored_bytes"] == 0
    mobile = client.post("/api/v1/applications", json={"name": "App", "mobile": True}).json()
    assert mobile["snippet"] is None


def test_the_snippet_uses_the_public_url_when_one_is_set(settings: Settings, clock: FixedClock) -> None:
    app = create_app(
        Settings(data_dir=settings.data_dir, public_url="https://reel.example"),
        sessions=memory_session_store(),
        blobs=MemoryReplayStore(),
        operators=MemoryOperatorStore(),
        clock=clock,
    )
    with TestClient(app, headers=admin_headers(app.state.reel.operators)) as client:
        doc = client.post("/api/v1/applications", json={"name": "Shop", "origins": [ORIGIN]}).json()
    assert 'src="https://reel.example/capture/reel.js"' in doc["snippet"]


def test_an_admin_changes_the_origins_and_beacons_follow_at_once(
    client: TestClient, demo_app: Application, beacon: BeaconMaker
) -> None:
    assert post_beacon(client, demo_app, beacon(0, [tick(1, "a")])).status_code == 200
    changed = client.patch(f"/api/v1/applications/{demo_app.id}", json={"origins": [NEW_ORIGIN, NEW_ORIGIN]})
    assert changed.status_code == 200, changed.text
    assert changed.json()["origins"] == [NEW_ORIGIN] and changed.json()["retention_days"] == 30
    assert post_beacon(client, demo_app, beacon(1, [tick(2, "b")])).status_code == 403
    assert post_beacon(client, demo_app, beacon(1, [tick(2, "b")]), origin=NEW_ORIGIN).status_code == 200
    (entry, *_rest) = client.get("/api/v1/audit").json()["entries"]
    assert entry["action"] == "application.origins"
    assert entry["detail"] == f"origins {ORIGIN} -> {NEW_ORIGIN}"
    both = client.patch(
        f"/api/v1/applications/{demo_app.id}", json={"origins": [ORIGIN], "retention_days": 90}
    )
    assert both.status_code == 200
    assert (both.json()["origins"], both.json()["retention_days"]) == ([ORIGIN], 90)


def test_bad_origins_are_refused_naming_the_field(client: TestClient, demo_app: Application) -> None:
    for bad in (
        ["javascript:alert(1)"],
        ["shop.example"],
        [],
        ["https://a.example"] * 51,
        "https://a.example",
    ):
        response = client.patch(f"/api/v1/applications/{demo_app.id}", json={"origins": bad})
        assert response.status_code == 400, (bad, response.text)
        assert response.json()["error"]["field"] == "origins"
    app = client.app.state.reel.sessions.application(demo_app.id)  # type: ignore[attr-defined]
    assert app.origins == (ORIGIN,)
    mobile = client.post("/api/v1/applications", json={"name": "App", "mobile": True}).json()
    emptied = client.patch(f"/api/v1/applications/{mobile['id']}", json={"origins": []})
    assert emptied.status_code == 200 and emptied.json()["origins"] == []


def test_viewers_cannot_change_origins_and_cookies_need_the_csrf_token(
    client: TestClient, demo_app: Application, clock: FixedClock
) -> None:
    operators = client.app.state.reel.operators  # type: ignore[attr-defined]
    viewer = create_operator(operators, "vic", "viewer", None, now_ms=clock.now_ms())
    _token, secret = issue_token(operators, viewer, "tests", now_ms=clock.now_ms())
    url = f"/api/v1/applications/{demo_app.id}"
    viewer_auth = {"Authorization": f"Bearer {secret}"}
    as_viewer = client.patch(url, json={"origins": [NEW_ORIGIN]}, headers=viewer_auth)
    assert as_viewer.status_code == 403
    create_operator(operators, "ada", "admin", "s3cret-pass", now_ms=clock.now_ms())
    browser = TestClient(client.app, follow_redirects=False)
    token = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/login").text)
    assert token is not None
    form = {"name": "ada", "password": "s3cret-pass", "csrf_token": token.group(1), "next": "/applications"}
    assert browser.post("/login", data=form).status_code == 303
    assert browser.patch(url, json={"origins": [NEW_ORIGIN]}).status_code == 403
    csrf = {"X-CSRF-Token": browser.cookies["reel_csrf"]}
    assert browser.patch(url, json={"origins": [NEW_ORIGIN]}, headers=csrf).status_code == 200
