"""The rules editor's endpoints over HTTP, on SQLite and on PostgreSQL: check a draft, preview a session
under it without saving, read one version and restore it (docs/contracts/masking-rules.md)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from conftest import BeaconMaker
from reel.admin.applications import create_application
from reel.admin.operators import create_operator, issue_token
from reel.clock import FixedClock
from reel.config import Settings
from reel.domain.records import Application
from reel.processing.worker import process_pending
from reel.server.app import create_app
from support import ORIGIN, T0, admin_headers, ctx_of, post_beacon

SHOWN = {"preset": "mask_inputs"}
# What the recorder captures besides the page when a draft does not say (console levels, requests).
DEFAULT_CAPTURE = {"console": ["error", "warn"], "network": True, "slow_ms": 3000}
HIDE_ACCOUNT = {"preset": "mask_inputs", "rules": [{"type": "mask", "selector": ".account"}]}


@pytest.fixture(params=["sqlite", "postgres"])
def rules_client(request: pytest.FixtureRequest, tmp_path: Path, clock: FixedClock) -> Iterator[TestClient]:
    """A client on the embedded stores (SQLite and files) or on PostgreSQL, logged in as an admin."""
    database_url = request.getfixturevalue("pg_url") if request.param == "postgres" else ""
    app = create_app(Settings(data_dir=tmp_path / "data", database_url=database_url), clock=clock)
    headers = admin_headers(app.state.reel.operators, now_ms=clock.now_ms(), name="ada")
    with TestClient(app, headers=headers) as client:
        yield client


@pytest.fixture
def shop(rules_client: TestClient, clock: FixedClock) -> Application:
    return create_application(ctx_of(rules_client).sessions, "Shop", [ORIGIN], now_ms=clock.now_ms())


def token(client: TestClient, name: str, role: str, app_ids: tuple[str, ...] | None = None) -> dict[str, str]:
    ctx = ctx_of(client)
    operator = create_operator(ctx.operators, name, role, None, now_ms=T0, app_ids=app_ids)
    _token, secret = issue_token(ctx.operators, operator, "tests", now_ms=T0)
    return {"Authorization": f"Bearer {secret}"}


def rules_url(app: Application) -> str:
    return f"/api/v1/applications/{app.id}/masking-rules"


def el(node_id: int, tag: str, attrs: dict[str, Any], *kids: dict[str, Any]) -> dict[str, Any]:
    return {"type": 2, "id": node_id, "tagName": tag, "attributes": attrs, "childNodes": list(kids)}


def record(client: TestClient, app: Application, beacon: BeaconMaker) -> str:
    """A page with a nav and an account box; the account text changes a second later."""
    account = el(
        12, "div", {"class": "account"}, {"type": 3, "id": 13, "textContent": "Signed in as ADA-NAME"}
    )
    nav = el(10, "nav", {}, {"type": 3, "id": 11, "textContent": "Catalogue"}, account)
    doc = {"type": 0, "id": 1, "childNodes": [el(2, "html", {}, el(3, "head", {}), el(4, "body", {}, nav))]}
    first = [
        {"type": 4, "timestamp": T0, "data": {"href": f"{ORIGIN}/", "width": 800, "height": 600}},
        {"type": 2, "timestamp": T0, "data": {"node": doc, "initialOffset": {"top": 0, "left": 0}}},
    ]
    later = {
        "source": 0,
        "texts": [{"id": 13, "value": "ADA-LATER"}],
        "attributes": [],
        "removes": [],
        "adds": [],
    }
    for seq, events in enumerate([first, [{"type": 3, "timestamp": T0 + 1000, "data": later}]]):
        assert post_beacon(client, app, beacon(seq, events)).status_code == 200
    process_pending(ctx_of(client))
    [session] = client.get("/api/v1/sessions").json()["sessions"]
    return str(session["id"])


def texts(doc: dict[str, Any]) -> str:
    return json.dumps([doc["head"], doc["events"]])


def test_a_preview_masks_with_the_draft_and_saves_nothing(
    rules_client: TestClient, shop: Application, beacon: BeaconMaker
) -> None:
    session_id = record(rules_client, shop, beacon)
    url = f"/api/v1/sessions/{session_id}/masking-preview"
    shown = rules_client.post(url, json={"rules": SHOWN})
    assert shown.status_code == 200, shown.text
    assert "ADA-NAME" in texts(shown.json()) and "ADA-LATER" in texts(shown.json())
    assert shown.json()["rules"] == {
        "preset": "mask_inputs",
        "consent": {"required": True, "honor_gpc": True},
        "capture": DEFAULT_CAPTURE,
        "rules": [],
    }
    hidden = rules_client.post(url, json={"rules": HIDE_ACCOUNT, "segment": shown.json()["n"]})
    assert hidden.status_code == 200
    assert "Catalogue" in texts(hidden.json())
    assert "ADA-NAME" not in texts(hidden.json()) and "ADA-LATER" not in texts(hidden.json())
    # Nothing saved: the replay still uses version 0 (mask all), and a later real segment read is not
    # served from what the preview masked.
    assert rules_client.get(rules_url(shop)).json()["version"] == 0
    segment = rules_client.get(f"/api/v1/sessions/{session_id}/segments/{shown.json()['n']}").json()
    assert "ADA-NAME" not in texts(segment) and "Catalogue" not in texts(segment)
    rules_client.put(rules_url(shop), json=SHOWN)
    # Saved now: the segment shows what the first preview showed.
    saved = rules_client.get(f"/api/v1/sessions/{session_id}/segments/{shown.json()['n']}").json()
    assert saved["events"] == shown.json()["events"] and saved["head"] == shown.json()["head"]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"rules": {"preset": "everything"}}, 400, "rules.preset"),
        ({"rules": {"rules": [{"type": "mask", "selector": "a:hover"}]}}, 400, "rules.rules[0].selector"),
        ({"rules": SHOWN, "segment": "first"}, 400, "segment"),
        ({"rules": SHOWN, "colour": "red"}, 400, "colour"),
        ({"rules": SHOWN, "segment": 999}, 404, None),
    ],
)
def test_a_preview_refuses_a_bad_draft_naming_the_field(
    rules_client: TestClient,
    shop: Application,
    beacon: BeaconMaker,
    body: dict[str, Any],
    status: int,
    field: str | None,
) -> None:
    session_id = record(rules_client, shop, beacon)
    refused = rules_client.post(f"/api/v1/sessions/{session_id}/masking-preview", json=body)
    assert refused.status_code == status, refused.text
    assert refused.json()["error"].get("field") == field


def test_a_preview_is_for_admins_who_see_the_session(
    rules_client: TestClient, shop: Application, beacon: BeaconMaker
) -> None:
    session_id = record(rules_client, shop, beacon)
    url = f"/api/v1/sessions/{session_id}/masking-preview"
    viewer = rules_client.post(url, json={"rules": SHOWN}, headers=token(rules_client, "vera", "viewer"))
    assert viewer.status_code == 403  # a viewer would see what the saved rules hide
    elsewhere = token(rules_client, "olga", "admin", app_ids=("app_other",))
    other = rules_client.post(url, json={"rules": SHOWN}, headers=elsewhere)
    unknown = rules_client.post(
        "/api/v1/sessions/ses_" + "0" * 26 + "/masking-preview", json={"rules": SHOWN}
    )
    assert other.status_code == 404 and other.json() == unknown.json()
    anonymous = TestClient(rules_client.app).post(url, json={"rules": SHOWN})
    assert anonymous.status_code == 401


def test_check_answers_the_draft_as_stored_or_the_field_and_why(
    rules_client: TestClient, shop: Application
) -> None:
    ok = rules_client.post(f"{rules_url(shop)}/check", json={"rules": [{"type": "mask", "selector": " .a "}]})
    assert ok.status_code == 200
    assert ok.json() == {
        "ok": True,
        "document": {
            "preset": "mask_all",
            "consent": {"required": True, "honor_gpc": True},
            "capture": DEFAULT_CAPTURE,
            "rules": [{"type": "mask", "selector": ".a"}],
        },
    }
    bad = rules_client.post(
        f"{rules_url(shop)}/check",
        json={"rules": [{"type": "url", "params": [], "path_segments": "(?P<x>a)"}]},
    )
    assert bad.status_code == 400
    assert bad.json()["error"]["field"] == "rules[0].path_segments"
    assert "JavaScript" in bad.json()["error"]["message"]
    assert rules_client.get(rules_url(shop)).json()["version"] == 0
    elsewhere = token(rules_client, "olga", "admin", app_ids=("app_other",))
    assert rules_client.post(f"{rules_url(shop)}/check", json={}, headers=elsewhere).status_code == 404


def test_versions_are_read_one_by_one_and_restored_as_a_new_version(
    rules_client: TestClient, shop: Application, clock: FixedClock
) -> None:
    first = rules_client.put(rules_url(shop), json=HIDE_ACCOUNT).json()
    clock.advance(60_000)
    rules_client.put(rules_url(shop), json=SHOWN, headers=token(rules_client, "bob", "admin"))
    one = rules_client.get(f"{rules_url(shop)}/versions/1")
    assert one.status_code == 200
    assert one.json() == {
        "version": 1,
        "preset": "mask_inputs",
        "consent": {"required": True, "honor_gpc": True},
        "rules": [{"type": "mask", "selector": ".account"}],
        "updated_by": first["updated_by"],
        "updated_by_name": "ada",
        "updated_at": T0,
        "restored_from": None,
    }
    defaults = rules_client.get(f"{rules_url(shop)}/versions/0").json()
    assert (defaults["version"], defaults["preset"], defaults["updated_at"]) == (0, "mask_all", None)
    assert rules_client.get(f"{rules_url(shop)}/versions/3").status_code == 404
    assert rules_client.get(f"{rules_url(shop)}/versions/-1").status_code in (400, 422)

    clock.advance(60_000)
    restored = rules_client.post(f"{rules_url(shop)}/versions/1/restore")
    assert restored.status_code == 200, restored.text
    assert (restored.json()["version"], restored.json()["restored_from"]) == (3, 1)
    assert restored.json()["rules"] == one.json()["rules"]
    assert (restored.json()["updated_by_name"], restored.json()["updated_at"]) == ("ada", T0 + 120_000)
    current = rules_client.get(rules_url(shop)).json()
    assert (current["version"], current["rules"]) == (3, HIDE_ACCOUNT["rules"])
    versions = rules_client.get(f"{rules_url(shop)}/versions").json()["versions"]
    assert [(v["version"], v["updated_by_name"], v["updated_at"], v["restored_from"]) for v in versions] == [
        (3, "ada", T0 + 120_000, 1),
        (2, "bob", T0 + 60_000, None),
        (1, "ada", T0, None),
    ]
    assert rules_client.post(f"{rules_url(shop)}/versions/7/restore").status_code == 404
    assert rules_client.get(rules_url(shop)).json()["version"] == 3


def test_only_admins_restore_and_only_where_they_see(rules_client: TestClient, shop: Application) -> None:
    rules_client.put(rules_url(shop), json=SHOWN)
    viewer = token(rules_client, "vera", "viewer")
    assert rules_client.get(f"{rules_url(shop)}/versions/1", headers=viewer).status_code == 200
    assert rules_client.post(f"{rules_url(shop)}/versions/1/restore", headers=viewer).status_code == 403
    elsewhere = token(rules_client, "olga", "admin", app_ids=("app_other",))
    for response in (
        rules_client.get(f"{rules_url(shop)}/versions/1", headers=elsewhere),
        rules_client.post(f"{rules_url(shop)}/versions/0/restore", headers=elsewhere),
    ):
        assert response.status_code == 404
    assert rules_client.get(rules_url(shop)).json()["version"] == 1
