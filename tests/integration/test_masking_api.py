"""Masking rules over HTTP: the operator API, the recorder's config, rules applied to every replay byte."""

from __future__ import annotations

import re
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient

from conftest import BeaconMaker
from reel.admin.operators import create_operator, issue_token
from reel.clock import FixedClock
from reel.domain.records import Application
from reel.domain.rules import parse_rules
from reel.ingest.lookups import APP_TTL_MS
from reel.processing.keyframes import KeyframePolicy
from reel.processing.worker import Worker, process_pending
from reel.replay.masking import mask_events
from reel.replay.sanitize import sanitize_events
from support import ORIGIN, T0, app_reads, ctx_of, post_beacon

Event = dict[str, Any]
STRICTER = {
    "preset": "allow_list",
    "rules": [{"type": "unmask", "selector": "nav"}, {"type": "mask", "selector": ".account"}],
}


def rules_url(app: Application) -> str:
    return f"/api/v1/applications/{app.id}/masking-rules"


def token(client: TestClient, name: str, role: str, app_ids: tuple[str, ...] | None = None) -> dict[str, str]:
    ctx = ctx_of(client)
    operator = create_operator(ctx.operators, name, role, None, now_ms=T0, app_ids=app_ids)
    _token, secret = issue_token(ctx.operators, operator, "tests", now_ms=T0)
    return {"Authorization": f"Bearer {secret}"}


# --- the operator API ---------------------------------------------------------------------------------------


def test_rules_start_at_version_0_and_each_put_is_a_new_version(
    client: TestClient, demo_app: Application
) -> None:
    first = client.get(rules_url(demo_app))
    assert first.status_code == 200
    assert first.json() == {
        "version": 0,
        "preset": "mask_all",
        "consent": {"required": True, "honor_gpc": True},
        "capture": {"console": ["error", "warn"], "network": True, "slow_ms": 3000},
        "rules": [],
        "updated_by": None,
        "updated_at": None,
    }
    saved = client.put(rules_url(demo_app), json={**STRICTER, "version": 42})
    assert saved.status_code == 200
    assert saved.json()["version"] == 1 and saved.json()["rules"] == STRICTER["rules"]
    client.put(rules_url(demo_app), json={"preset": "mask_inputs"})
    assert client.get(rules_url(demo_app)).json()["version"] == 2
    versions = client.get(f"{rules_url(demo_app)}/versions").json()["versions"]
    assert [(v["version"], v["preset"], v["updated_by_name"]) for v in versions] == [
        (2, "mask_inputs", "test-admin"),
        (1, "allow_list", "test-admin"),
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"{not json", None),
        (b"[]", None),
        (orjson.dumps({"preset": "everything"}), "preset"),
        (
            orjson.dumps(
                {"rules": [{"type": "mask", "selector": "p"}, {"type": "mask", "selector": "a:hover"}]}
            ),
            "rules[1].selector",
        ),
        (orjson.dumps({"rules": [{"type": "unmask", "selector": "[title=Home]"}]}), "rules[0].selector"),
    ],
)
def test_invalid_rules_are_refused_naming_the_field(
    client: TestClient, demo_app: Application, body: bytes, field: str | None
) -> None:
    refused = client.put(rules_url(demo_app), content=body, headers={"Content-Type": "application/json"})
    assert refused.status_code == 400
    assert refused.json()["error"].get("field") == field
    assert client.get(rules_url(demo_app)).json()["version"] == 0


def test_only_admins_change_rules_and_only_for_applications_they_see(
    client: TestClient, demo_app: Application
) -> None:
    viewer = token(client, "vera", "viewer")
    assert client.get(rules_url(demo_app), headers=viewer).status_code == 200
    assert client.put(rules_url(demo_app), json=STRICTER, headers=viewer).status_code == 403
    elsewhere = token(client, "olga", "admin", app_ids=("app_other",))
    for response in (
        client.get(rules_url(demo_app), headers=elsewhere),
        client.put(rules_url(demo_app), json=STRICTER, headers=elsewhere),
        client.get(f"{rules_url(demo_app)}/versions", headers=elsewhere),
        client.get("/api/v1/applications/app_nope/masking-rules"),
    ):
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert client.get(rules_url(demo_app)).json()["version"] == 0


# --- the recorder's config ------------------------------------------------------------------------------


def test_the_config_is_public_cacheable_and_tagged_with_the_version(
    client: TestClient, demo_app: Application
) -> None:
    first = client.get("/v1/web/config", params={"k": demo_app.app_key}, headers={"Origin": ORIGIN})
    assert first.status_code == 200
    assert first.headers["access-control-allow-origin"] == "*"
    assert first.headers["cache-control"] == "max-age=60"
    assert first.headers["etag"] == '"rules-0"'
    assert first.json()["version"] == 0 and "updated_by" not in first.json()
    again = client.get(
        "/v1/web/config", params={"k": demo_app.app_key}, headers={"If-None-Match": '"rules-0"'}
    )
    assert again.status_code == 304 and again.headers["etag"] == '"rules-0"'
    client.put(rules_url(demo_app), json=STRICTER)
    changed = client.get(
        "/v1/web/config", params={"k": demo_app.app_key}, headers={"If-None-Match": '"rules-0"'}
    )
    assert changed.status_code == 200 and changed.headers["etag"] == '"rules-1"'
    assert changed.json()["preset"] == "allow_list"


def test_the_config_refuses_bad_keys_with_ingests_body(client: TestClient, demo_app: Application) -> None:
    ingest = post_beacon(client, None, {}, key="nope")
    disabled = Application("app_off", "Off", "rk_disabled_key", (ORIGIN,), T0, enabled=False)
    ctx_of(client).sessions.create_application(disabled)
    for key in ("", "nope", disabled.app_key):
        refused = client.get("/v1/web/config", params={"k": key})
        assert refused.status_code == 401
        assert refused.json() == ingest.json()
        assert refused.headers["access-control-allow-origin"] == "*"


def test_the_config_reads_the_application_once_per_ttl_as_ingest_does(
    client: TestClient, demo_app: Application, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads = app_reads(monkeypatch, ctx_of(client).sessions)
    for _ in range(5):  # every page view of the recorded site fetches it
        assert client.get("/v1/web/config", params={"k": demo_app.app_key}).status_code == 200
    assert post_beacon(client, demo_app, {}).status_code == 400  # ingest shares the kept copy
    assert reads == [demo_app.app_key]
    clock.advance(APP_TTL_MS + 1)
    assert client.get("/v1/web/config", params={"k": demo_app.app_key}).status_code == 200
    assert reads == [demo_app.app_key] * 2


# --- rules applied to replays ---------------------------------------------------------------------------


def el(node_id: int, tag: str, attrs: dict[str, Any] | None = None, *kids: Event) -> Event:
    return {"type": 2, "id": node_id, "tagName": tag, "attributes": attrs or {}, "childNodes": list(kids)}


def text(node_id: int, value: str) -> Event:
    return {"type": 3, "id": node_id, "textContent": value}


def shop_recording() -> list[list[Event]]:
    """Beacons of a page whose nav (unmasked under allow_list) holds the account box; later beacons
    change texts created in the first one, so masking them needs the first beacon's DOM."""
    nav = el(
        10,
        "nav",
        {},
        text(11, "Catalogue NAV-SHOWN"),
        el(12, "div", {"class": "account"}, text(13, "Signed in as CANARY-NAME")),
    )
    body = el(4, "body", {}, nav, el(20, "main", {}, text(21, "CANARY-MAIN")))
    doc = {"type": 0, "id": 1, "childNodes": [el(2, "html", {}, el(3, "head"), body)]}
    first = [
        {
            "type": 4,
            "timestamp": T0,
            "data": {"href": f"{ORIGIN}/?token=CANARY-Q", "width": 800, "height": 600},
        },
        {"type": 2, "timestamp": T0, "data": {"node": doc, "initialOffset": {"top": 0, "left": 0}}},
    ]
    beacons = [first]
    for seq in range(1, 12):
        ts = T0 + seq * 1000
        data = {
            "source": 0,
            "texts": [{"id": 11, "value": f"NAV-SHOWN {seq}"}, {"id": 13, "value": f"CANARY-NAME-{seq}"}],
            "attributes": [],
            "removes": [],
            "adds": [{"parentId": 12, "nextId": None, "node": text(100 + seq, f"CANARY-ADDED-{seq}")}],
        }
        beacons.append([{"type": 3, "timestamp": ts, "data": data}])
    return beacons


def record(client: TestClient, app: Application, beacon: BeaconMaker, rules_version: int = 0) -> str:
    for seq, events in enumerate(shop_recording()):
        response = post_beacon(client, app, beacon(seq, events, rules_version=rules_version))
        assert response.status_code == 200, response.text
    process_pending(ctx_of(client))
    [session] = client.get("/api/v1/sessions").json()["sessions"]
    return str(session["id"])


def test_stricter_rules_apply_to_what_was_recorded_under_looser_ones(
    client: TestClient, demo_app: Application, beacon: BeaconMaker
) -> None:
    loose = {"preset": "allow_list", "rules": [{"type": "unmask", "selector": "nav"}]}
    assert client.put(rules_url(demo_app), json=loose).json()["version"] == 1
    session_id = record(client, demo_app, beacon, rules_version=1)
    assert client.get(f"/api/v1/sessions/{session_id}").json()["rules_version"] == 1
    before = client.get(f"/api/v1/sessions/{session_id}/events").text
    assert "CANARY-NAME" in before and "NAV-SHOWN" in before and "CANARY-MAIN" not in before

    assert client.put(rules_url(demo_app), json=STRICTER).json()["version"] == 2
    after = client.get(f"/api/v1/sessions/{session_id}/events").text  # the very next request
    assert "CANARY" not in after
    assert "CANARY" not in client.get(f"/api/v1/sessions/{session_id}").text  # first_url, last_url
    assert "CANARY" not in client.get("/api/v1/sessions").text
    assert "Catalogue NAV-SHOWN" in after and "NAV-SHOWN 11" in after
    assert "token=***" in after


def test_a_segment_fetched_alone_is_masked_as_in_the_whole_stream(
    client: TestClient, demo_app: Application, beacon: BeaconMaker
) -> None:
    client.put(rules_url(demo_app), json=STRICTER)
    for seq, events in enumerate(shop_recording()):
        assert post_beacon(client, demo_app, beacon(seq, events)).status_code == 200
    ctx = ctx_of(client)
    # Small segments, so the session has several, each starting from a keyframe rebuilt by the mirror.
    process_pending(ctx, worker=Worker(ctx, keyframes=KeyframePolicy(max_events=3)))
    [session] = client.get("/api/v1/sessions").json()["sessions"]
    detail = client.get(f"/api/v1/sessions/{session['id']}").json()
    segments = detail["segments"]
    assert len(segments) >= 3
    recorded = [e for events in shop_recording() for e in events]
    whole = mask_events(sanitize_events(recorded), parse_rules(STRICTER))
    for seg in reversed(segments):  # the last one first: nothing before it was asked for
        ctx.replay_cache.clear()
        alone = client.get(f"/api/v1/sessions/{session['id']}/segments/{seg['n']}").json()
        expected = [e for e in whole if seg["start"] <= e["timestamp"] < seg["end"] or seg is segments[-1]]
        assert alone["events"] == [e for e in expected if e["timestamp"] >= seg["start"]]
        assert "CANARY" not in orjson.dumps(alone).decode()
        if seg is not segments[0]:
            assert [e["type"] for e in alone["head"]][:2] == [4, 2]  # Meta, then the full snapshot
    together = [
        e
        for n, seg in enumerate(segments)
        for e in client.get(f"/api/v1/sessions/{session['id']}/segments/{seg['n']}?head={n == 0}").json()[
            "events"
        ]
    ]
    url = f"/api/v1/sessions/{session['id']}/events"
    assert together == whole == client.get(url).json()["events"]


def test_actions_are_listed_under_the_current_rules(
    client: TestClient, demo_app: Application, beacon: BeaconMaker
) -> None:
    page = el(4, "body", {}, el(10, "button", {"class": "buy"}, text(11, "Pay ada@example.com")))
    doc = {"type": 0, "id": 1, "childNodes": [el(2, "html", {}, page)]}
    events = [
        {
            "type": 4,
            "timestamp": T0,
            "data": {"href": f"{ORIGIN}/cart?coupon=CANARY", "width": 800, "height": 600},
        },
        {"type": 2, "timestamp": T0, "data": {"node": doc, "initialOffset": {"top": 0, "left": 0}}},
        {"type": 3, "timestamp": T0 + 100, "data": {"source": 2, "type": 2, "id": 10, "x": 5, "y": 5}},
        {
            "type": 5,
            "timestamp": T0 + 200,
            "data": {"tag": "reel.error", "payload": {"message": "TypeError: CANARY"}},
        },
    ]
    assert post_beacon(client, demo_app, beacon(0, events)).status_code == 200
    process_pending(ctx_of(client))
    [session] = client.get("/api/v1/sessions").json()["sessions"]
    url = f"/api/v1/sessions/{session['id']}/actions"
    actions = client.get(url).json()["actions"]
    assert "CANARY" not in orjson.dumps(actions).decode() and "ada@" not in orjson.dumps(actions).decode()
    labels = {a["kind"]: a["label"] for a in actions}
    assert (
        labels["error"] == "TypeError: ********" and labels["click"] == "******** ******** ******** ********"
    )
    client.put(
        rules_url(demo_app), json={"preset": "allow_list", "rules": [{"type": "unmask", "selector": ".buy"}]}
    )
    shown = {a["kind"]: a["label"] for a in client.get(url).json()["actions"]}
    assert shown["click"].startswith("Pay ") and "ada@" not in shown["click"]


def test_the_player_pages_first_frame_is_masked_too(
    client: TestClient, demo_app: Application, beacon: BeaconMaker
) -> None:
    session_id = record(client, demo_app, beacon)
    page = client.get(f"/sessions/{session_id}")
    assert page.status_code == 200
    assert 'id="reel-first-frame"' in page.text
    assert "CANARY" not in page.text and "NAV-SHOWN" not in page.text
    client.put(rules_url(demo_app), json=STRICTER)
    shown = client.get(f"/sessions/{session_id}").text
    assert "NAV-SHOWN" in shown and "CANARY" not in shown


def test_a_kept_first_frame_is_never_shown_after_a_stricter_rule(
    client: TestClient, demo_app: Application, beacon: BeaconMaker
) -> None:
    loose = {"preset": "allow_list", "rules": [{"type": "unmask", "selector": "nav"}]}
    client.put(rules_url(demo_app), json=loose)
    session_id = record(client, demo_app, beacon)
    first = first_frame_of(client.get(f"/sessions/{session_id}").text)
    kept = [k for k in ctx_of(client).replay_cache._entries if k[0] == "first-frame"]
    assert first_frame_of(client.get(f"/sessions/{session_id}").text) == first and len(kept) == 1
    assert "CANARY-NAME" in first  # the loose rules show it
    client.put(rules_url(demo_app), json=STRICTER)
    stricter = first_frame_of(client.get(f"/sessions/{session_id}").text)  # the very next page
    assert "CANARY" not in stricter and "NAV-SHOWN" in stricter


def first_frame_of(page: str) -> str:
    """The first frame data block a player page carries."""
    found = re.search(
        r'<script type="application/json" id="reel-first-frame"[^>]*>(.*?)</script>', page, re.S
    )
    assert found is not None, "the page carries no first frame"
    return found.group(1)
