"""Over HTTP on every session store (memory, SQLite, PostgreSQL): the user context a beacon carries, the
idle periods processing finds, and the list's new filters (user id prefix, custom event, page visited,
dead clicks, browser, OS, device, language)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from conftest import BeaconMaker
from reel.admin.applications import create_application
from reel.clock import FixedClock
from reel.config import Settings
from reel.processing.worker import QUIET_MS, process_pending
from reel.server.app import create_app
from reel.storage.factory import open_session_store
from reel.storage.memory_blobs import MemoryReplayStore
from reel.storage.memory_operators import MemoryOperatorStore
from support import ORIGIN, T0, admin_headers, click, ctx_of, custom, dashboard_snapshot, post_beacon, tick

CHROME_MAC = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1"
)


@pytest.fixture(params=["memory", "embedded", "postgres"])
def api(request: pytest.FixtureRequest, settings: Settings, clock: FixedClock) -> Iterator[TestClient]:
    """A logged-in client of a Reel on the session store the parameter names."""
    if request.param == "embedded":
        app = create_app(settings, clock=clock)
    else:
        sessions = (
            open_session_store(request.getfixturevalue("pg_url"))
            if request.param == "postgres"
            else open_session_store("memory://")
        )
        blobs, operators = MemoryReplayStore(), MemoryOperatorStore()
        app = create_app(settings, sessions=sessions, blobs=blobs, clock=clock, operators=operators)
    headers = admin_headers(app.state.reel.operators, now_ms=clock.now_ms())
    with TestClient(app, headers=headers) as client:
        yield client


def move(ts: int, x: int = 20, y: int = 20) -> dict[str, Any]:
    """A mouse move (an interaction)."""
    positions = [{"x": x, "y": y, "id": 4, "timeOffset": 0}]
    return {"type": 3, "timestamp": ts, "data": {"source": 1, "positions": positions}}


def listed(client: TestClient, **params: Any) -> list[str]:
    """The ids of the sessions the list finds for `params`, oldest first."""
    response = client.get("/api/v1/sessions", params={"sort": "start", **params})
    assert response.status_code == 200, response.text
    return [s["id"] for s in response.json()["sessions"]]


def test_idle_periods_are_found_once_and_served_with_the_session(
    api: TestClient, beacon: BeaconMaker, clock: FixedClock
) -> None:
    app = create_application(ctx_of(api).sessions, "Shop", [ORIGIN], now_ms=T0)
    # Moves for 2 s, then 40 s with only the page's own clock ticking, then moves again for 3 s; the
    # page then ticks on alone for 20 s. Short pauses (4 s) are not idle. One beacon per 5 s, each
    # processed as it arrives, as on a live server.
    events = [*dashboard_snapshot(T0), move(T0 + 500), move(T0 + 2000)]
    events += [tick(T0 + 2000 + s * 1000, str(s)) for s in range(1, 40)]
    events += [move(T0 + 42_000), move(T0 + 44_000), move(T0 + 46_000)]
    events += [tick(T0 + 46_000 + s * 1000, f"t{s}") for s in range(1, 21)]
    batches: dict[int, list[dict[str, Any]]] = {}
    for e in events:
        batches.setdefault((e["timestamp"] - T0) // 5000, []).append(e)
    for seq, key in enumerate(sorted(batches)):
        assert post_beacon(api, app, beacon(seq, batches[key])).status_code == 200
        clock.advance(5000)
        process_pending(ctx_of(api))
    [session_id] = listed(api)
    detail = api.get(f"/api/v1/sessions/{session_id}").json()
    assert [(p["start"] - T0, p["end"] - T0) for p in detail["idle"]] == [(2000, 42_000)]
    # The recording goes quiet: the last stretch without interaction, up to its last event, is idle too.
    clock.advance(QUIET_MS + 1000)
    process_pending(ctx_of(api))
    detail = api.get(f"/api/v1/sessions/{session_id}").json()
    assert [(p["start"] - T0, p["end"] - T0) for p in detail["idle"]] == [(2000, 42_000), (46_000, 66_000)]
    # The same recording sent again as one beacon (and processed once) finds the same periods.
    assert post_beacon(api, app, beacon(0, events, recording_id="rec-2", session_id="s2")).status_code == 200
    clock.advance(QUIET_MS + 1000)
    process_pending(ctx_of(api))
    process_pending(ctx_of(api))
    [_, other] = listed(api)
    idle = api.get(f"/api/v1/sessions/{other}").json()["idle"]
    assert [(p["start"] - T0, p["end"] - T0) for p in idle] == [(2000, 42_000), (46_000, 66_000)]


def context(ua: str, **fields: Any) -> dict[str, Any]:
    return {"ua": ua, "lang": "en-GB", "tz": "Europe/London", "vw": 1280, "vh": 800, "ref": "", **fields}


def test_user_context_fields_are_stored_served_and_filtered(
    api: TestClient, beacon: BeaconMaker, clock: FixedClock
) -> None:
    app = create_application(ctx_of(api).sessions, "Shop", [ORIGIN], now_ms=T0)
    desk = [
        *dashboard_snapshot(T0, "http://shop.test:8701/pricing"),
        custom(T0 + 100, "reel.identify", {"userId": "alice-1", "traits": {"plan": "pro", "seats": 3}}),
        custom(T0 + 200, "reel.event", {"name": "signup-started", "props": {}}),
        click(T0 + 300),  # nothing changes after it: a dead click
    ]
    ctx_desk = context(CHROME_MAC, ref="https://search.example/results?q=lamps")
    assert post_beacon(api, app, beacon(0, desk, context=ctx_desk)).status_code == 200
    phone = [
        *dashboard_snapshot(T0 + 10, "http://shop.test:8701/cart"),
        custom(T0 + 110, "reel.identify", {"userId": "alicia", "traits": {}}),
        custom(T0 + 210, "reel.event", {"name": "signup", "props": {}}),
    ]
    ctx_phone = context(SAFARI_IPHONE, lang="fr-FR", tz="Europe/Paris", vw=390, vh=844, touch=5)
    sent = beacon(0, phone, recording_id="rec-2", session_id="s2", context=ctx_phone)
    assert post_beacon(api, app, sent).status_code == 200
    # A later beacon's context does not replace the first page's (its referrer is where the visit began).
    later = beacon(1, [tick(T0 + 2000, "x")], context=context(CHROME_MAC, ref="https://elsewhere.example/"))
    assert post_beacon(api, app, later).status_code == 200
    clock.advance(QUIET_MS + 1000)
    process_pending(ctx_of(api))
    desk_id, phone_id = listed(api)

    d = api.get(f"/api/v1/sessions/{desk_id}").json()
    assert (d["browser"], d["os"], d["device"]) == ("Chrome 131", "macOS", "desktop")
    assert (d["viewport_width"], d["viewport_height"], d["language"], d["timezone"]) == (
        1280,
        800,
        "en-GB",
        "Europe/London",
    )
    assert d["referrer"] == "https://search.example/results?q=***"  # the default URL rule masks values
    assert d["traits"] == {"plan": "pro", "seats": 3}
    p = api.get("/api/v1/sessions", params={"sort": "start"}).json()["sessions"][1]
    assert (p["browser"], p["os"], p["device"], p["viewport_width"]) == ("Safari 17", "iOS", "mobile", 390)
    assert (p["language"], p["timezone"], p["referrer"], p["traits"]) == ("fr-FR", "Europe/Paris", "", {})

    assert listed(api, user_prefix="alic") == [desk_id, phone_id]
    assert listed(api, user_prefix="alice") == [desk_id]
    assert listed(api, user_prefix="%") == []  # literal text, not a pattern
    assert listed(api, event="signup") == [phone_id]  # the exact name, not a part of one
    assert listed(api, event="signup-started") == [desk_id]
    assert listed(api, page="/cart") == [phone_id]
    assert listed(api, page="shop.test") == [desk_id, phone_id]
    assert listed(api, has_dead_clicks="true") == [desk_id]
    assert listed(api, has_dead_clicks="false") == [phone_id]
    assert listed(api, browser="Chrome") == [desk_id]
    assert listed(api, browser="Safari 17") == [phone_id]
    assert listed(api, browser="Safar") == []
    assert listed(api, os="iOS") == [phone_id]
    assert listed(api, device="desktop") == [desk_id]
    assert listed(api, language="fr") == [phone_id]
    assert listed(api, language="en-GB") == [desk_id]
    assert listed(api, language="e") == []
    assert api.get("/api/v1/sessions", params={"device": "fridge"}).status_code == 400


@pytest.mark.parametrize(
    ("context_value", "field"),
    [
        ("Chrome", "context"),
        ({"ua": 5}, "context.ua"),
        ({"vw": -1}, "context.vw"),
        ({"vw": True}, "context.vw"),
        ({"ref": "x" * 2049}, "context.ref"),
    ],
)
def test_a_malformed_context_is_refused_naming_its_field(
    api: TestClient, beacon: BeaconMaker, context_value: Any, field: str
) -> None:
    app = create_application(ctx_of(api).sessions, "Shop", [ORIGIN], now_ms=T0)
    response = post_beacon(api, app, beacon(0, context=context_value))
    assert response.status_code == 400
    assert response.json()["error"]["field"] == field


def test_the_session_routes_declare_their_response_schemas(api: TestClient) -> None:
    spec = api.get("/openapi.json")
    paths = spec.json()["paths"]
    detail = paths["/api/v1/sessions/{session_id}"]["get"]["responses"]["200"]["content"]["application/json"]
    listing = paths["/api/v1/sessions"]["get"]["responses"]["200"]["content"]["application/json"]
    schemas = spec.json()["components"]["schemas"]
    assert detail["schema"]["$ref"].endswith("/SessionDetail")
    assert listing["schema"]["$ref"].endswith("/SessionPage")
    fields = schemas["SessionDetail"]["properties"]
    for name in ("idle", "browser", "os", "device", "viewport_width", "language", "timezone", "referrer"):
        assert name in fields, name
    assert "traits" in fields
