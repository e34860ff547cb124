"""What the player page carries so the player opens without waiting on the API: the session's
description (the API's own document, escaped as inert data), the frame at `?t=` and the requests the
player makes first (the segment showing that moment, the actions), preloaded."""

from __future__ import annotations

import re
from typing import Any

import orjson
from fastapi.testclient import TestClient

from conftest import BeaconMaker
from reel.clock import FixedClock
from reel.domain.records import Application
from reel.processing.worker import QUIET_MS, process_pending
from support import T0, custom, dashboard_snapshot, post_beacon, tick

XSS = '</script><script>window.pwned=1</script><img src=x onerror="window.pwned=2">\u2028&amp;'
OPENING_SCRIPT = '<script src="/static/built/opening.js" data-bundle="/static/built/player.js"></script>'
DEFERRED_BUNDLE = '<script src="/static/built/player.js" defer></script>'


def data_block(html: str, block_id: str) -> Any:
    found = re.search(rf'<script type="application/json" id="{block_id}">(.*?)</script>', html, re.S)
    assert found is not None, f"no #{block_id} in the page"
    return orjson.loads(found.group(1))


def recorded(client: TestClient, app: Application, beacon: BeaconMaker, clock: FixedClock) -> str:
    """A ticking clock shown by the rules, identified by a user whose id and traits are a markup payload."""
    rules = {"preset": "allow_list", "rules": [{"type": "unmask", "selector": "#clock"}]}
    assert client.put(f"/api/v1/applications/{app.id}/masking-rules", json=rules).status_code == 200
    events = [
        *dashboard_snapshot(T0),
        custom(T0 + 100, "reel.identify", {"userId": XSS, "traits": {"plan": XSS}}),
        *(tick(T0 + 1000 * s, f"tick {s}") for s in range(1, 30)),
    ]
    assert post_beacon(client, app, beacon(0, events, rules_version=1)).status_code == 200
    clock.advance(QUIET_MS + 1000)
    process_pending(client.app.state.reel)  # type: ignore[attr-defined]
    [session] = client.get("/api/v1/sessions").json()["sessions"]
    return str(session["id"])


def test_the_page_carries_the_apis_session_document_as_inert_data(
    client: TestClient, demo_app: Application, beacon: BeaconMaker, clock: FixedClock
) -> None:
    session_id = recorded(client, demo_app, beacon, clock)
    page = client.get(f"/sessions/{session_id}")
    assert page.status_code == 200
    api = client.get(f"/api/v1/sessions/{session_id}").json()
    assert data_block(page.text, "reel-session") == api
    assert api["user_id"] == XSS and api["traits"] == {"plan": XSS}  # the payload did reach the page's data
    # ...only as JSON escapes: no markup character of it is in the page, nothing can close the data block.
    assert "pwned" in page.text
    for raw in ("<script>window.pwned", "<img src=x", "</script><script>", "\u2028", "&amp;"):
        assert raw not in page.text


def test_a_deep_link_preloads_the_segment_of_its_moment(
    client: TestClient, demo_app: Application, beacon: BeaconMaker, clock: FixedClock
) -> None:
    session_id = recorded(client, demo_app, beacon, clock)
    segments = client.get(f"/api/v1/sessions/{session_id}").json()["segments"]
    page = client.get(f"/sessions/{session_id}?t=12500")
    assert page.status_code == 200
    assert "reel-first-frame" not in page.text and "opening.js" not in page.text  # the replayer draws it
    assert DEFERRED_BUNDLE in page.text
    at = T0 + 12_500
    n = [s["n"] for s in segments if s["start"] <= at][-1] if segments[0]["start"] <= at else segments[0]["n"]
    preloads = re.findall(r'<link rel="preload" as="fetch" crossorigin href="([^"]+)">', page.text)
    assert preloads == [
        f"/api/v1/sessions/{session_id}/segments/{n}?head=true",
        f"/api/v1/sessions/{session_id}/actions",
    ]
    for path in preloads:  # the requests the player makes: answered as the API answers them
        assert client.get(path).status_code == 200
    # The opening: at the start, the first full snapshot's picture; a malformed ?t= is the start too.
    for query in ("", "?t=0", "?t=abc"):
        opening = client.get(f"/sessions/{session_id}{query}").text
        assert "tick" not in data_block(opening, "reel-first-frame")["html"]
        # The opening script starts the bundle once the frame is painted: preloaded, never also deferred.
        assert OPENING_SCRIPT in opening
        assert '<link rel="preload" as="script" href="/static/built/player.js">' in opening
        assert DEFERRED_BUNDLE not in opening


def test_an_unknown_session_page_carries_nothing_and_the_script_asks_the_api(client: TestClient) -> None:
    page = client.get("/sessions/ses_unknown000000000000")
    assert page.status_code == 200
    assert 'id="reel-session"' not in page.text and 'rel="preload"' not in page.text
    assert "opening.js" not in page.text and "reel-first-frame" not in page.text
    assert DEFERRED_BUNDLE in page.text
