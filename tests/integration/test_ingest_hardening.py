"""Ingest hardening over HTTP: rate limits per application, client clocks that are wrong, and the bad
input of brief §8 that the basic ingest tests do not already cover."""

from __future__ import annotations

import gzip
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient

from conftest import BeaconMaker
from reel.admin.applications import create_application
from reel.clock import FixedClock
from reel.config import Limits, Settings
from reel.domain.records import Application
from reel.ingest.envelope import WebBeacon, parse_web_beacon
from reel.ingest.service import web_write
from reel.runtime.ratelimit import TokenBucketLimiter
from reel.server.app import create_app
from reel.storage.factory import memory_session_store
from reel.storage.memory_blobs import MemoryReplayStore
from reel.storage.memory_operators import MemoryOperatorStore
from reel.storage.stream import beacon_events
from support import MINUTE, ORIGIN, T0, admin_headers, make_events, post_beacon

DAY = 24 * 60 * 60 * 1000


class ManualClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def sessions_of(client: TestClient, **params: Any) -> list[dict[str, Any]]:
    return client.get("/api/v1/sessions", params=params).json()["sessions"]  # type: ignore[no-any-return]


def events_of(client: TestClient, session_id: str) -> list[dict[str, Any]]:
    return client.get(f"/api/v1/sessions/{session_id}/events").json()["events"]  # type: ignore[no-any-return]


# Rate limits


@pytest.fixture
def limited(settings: Settings, clock: FixedClock) -> Iterator[tuple[TestClient, ManualClock]]:
    ticks = ManualClock()
    app = create_app(
        settings,
        sessions=memory_session_store(),
        blobs=MemoryReplayStore(),
        clock=clock,
        operators=MemoryOperatorStore(),
        limiter=TokenBucketLimiter(2, 3, clock=ticks),
    )
    with TestClient(app, headers=admin_headers(app.state.reel.operators)) as client:
        yield client, ticks


def test_a_key_over_its_quota_gets_429_with_retry_after_and_the_others_do_not(
    limited: tuple[TestClient, ManualClock], beacon: BeaconMaker
) -> None:
    client, ticks = limited
    ctx = client.app.state.reel  # type: ignore[attr-defined]
    noisy = create_application(ctx.sessions, "Noisy", [ORIGIN], now_ms=T0)
    quiet = create_application(ctx.sessions, "Quiet", [ORIGIN], now_ms=T0)
    burst = [post_beacon(client, noisy, beacon(seq)) for seq in range(4)]
    assert [r.status_code for r in burst] == [200, 200, 200, 429]
    refused = burst[-1]
    assert refused.headers["retry-after"] == "1"
    assert refused.headers["access-control-allow-origin"] == "*"
    assert "retry-after" in refused.headers["access-control-expose-headers"].lower()
    assert refused.json()["error"]["code"] == "rate_limited"
    assert ctx.sessions.beacon_session("rec-1", 3) is None
    assert post_beacon(client, quiet, beacon(0, recording_id="rec-quiet")).status_code == 200
    ticks.now += 0.5  # one token back at 2 a second
    assert post_beacon(client, noisy, beacon(3)).status_code == 200
    assert post_beacon(client, noisy, beacon(4)).status_code == 429


def test_the_quota_comes_from_the_settings(tmp_path: Path, beacon: BeaconMaker, clock: FixedClock) -> None:
    settings = Settings(data_dir=tmp_path, limits=Limits(beacons_per_second=0.001, beacon_burst=2))
    app = create_app(
        settings, sessions=memory_session_store(), blobs=MemoryReplayStore(), operators=MemoryOperatorStore()
    )
    application = create_application(app.state.reel.sessions, "Shop", [ORIGIN], now_ms=T0)
    with TestClient(app) as client:
        statuses = [post_beacon(client, application, beacon(s)).status_code for s in range(3)]
    assert statuses == [200, 200, 429]


def test_unknown_keys_do_not_use_up_a_quota(
    limited: tuple[TestClient, ManualClock], beacon: BeaconMaker
) -> None:
    client, _ticks = limited
    shop = create_application(client.app.state.reel.sessions, "Shop", [ORIGIN], now_ms=T0)  # type: ignore[attr-defined]
    for _ in range(10):
        assert post_beacon(client, None, beacon(0), key="rk-nobody").status_code == 401
    assert post_beacon(client, shop, beacon(0)).status_code == 200


# Client clocks


def parse(doc: dict[str, Any]) -> WebBeacon:
    return parse_web_beacon(orjson.dumps(doc), max_events=1000)


def client_beacon(seq: int, client_now: int, *, recording: str, **fields: Any) -> dict[str, Any]:
    """A beacon as a recorder whose clock reads `client_now` cuts it: events in the 2 s before."""
    events = make_events(client_now - 2000, 3, full=seq == 0)
    return {
        "v": 1,
        "recording_id": recording,
        "session_id": f"s-{recording}",
        "seq": seq,
        "sent_at": client_now,
        "events": events,
        **fields,
    }


def test_a_client_clock_a_day_ahead_is_stored_on_the_servers_clock(
    client: TestClient, demo_app: Application, clock: FixedClock
) -> None:
    sent = [client_beacon(0, T0 + DAY, recording="rec-ahead")]
    assert post_beacon(client, demo_app, sent[0]).status_code == 200
    clock.advance(5000)
    sent.append(client_beacon(1, T0 + DAY + 5000, recording="rec-ahead"))
    assert post_beacon(client, demo_app, sent[1]).status_code == 200
    [session] = sessions_of(client)
    assert T0 - 10_000 < session["start"] < session["end"] <= T0 + 5000  # the server's time, not tomorrow
    stored = events_of(client, session["id"])
    original = [e["timestamp"] for doc in sent for e in doc["events"]]
    assert [e["timestamp"] for e in stored] == [t - DAY for t in original]  # one shift: spacing kept
    rows = client.app.state.reel.sessions.beacons("rec-ahead")  # type: ignore[attr-defined]
    assert [r.received_at for r in rows] == [T0, T0 + 5000]


def test_a_wrong_clock_does_not_put_a_session_out_of_order(
    client: TestClient, demo_app: Application, clock: FixedClock
) -> None:
    post_beacon(client, demo_app, client_beacon(0, T0 + DAY, recording="rec-ahead"))
    clock.advance(MINUTE)
    post_beacon(client, demo_app, client_beacon(0, T0 + MINUTE, recording="rec-honest"))
    clock.advance(MINUTE)
    post_beacon(client, demo_app, client_beacon(0, T0 + 2 * MINUTE - DAY, recording="rec-behind"))
    newest_first = [s["recording_id"] for s in sessions_of(client)]
    assert newest_first == ["rec-behind", "rec-honest", "rec-ahead"]
    today = sessions_of(client, started_after=T0 - 60 * MINUTE, started_before=T0 + 60 * MINUTE)
    assert len(today) == 3


def test_a_late_beacon_moves_by_its_recordings_offset_not_by_its_own_delay(
    client: TestClient, demo_app: Application, clock: FixedClock
) -> None:
    """A beacon re-sent ten minutes late (a stash from the previous page) is not mistaken for a clock
    change: every beacon of a recording moves by the offset measured on its first one."""
    first = client_beacon(0, T0 - DAY, recording="rec-behind")
    post_beacon(client, demo_app, first)
    late = client_beacon(1, T0 - DAY + 3000, recording="rec-behind")
    clock.advance(10 * MINUTE)
    post_beacon(client, demo_app, late)
    [session] = sessions_of(client)
    stamps = [e["timestamp"] for e in events_of(client, session["id"])]
    expected = [e["timestamp"] + DAY for e in first["events"] + late["events"]]
    assert stamps == expected


def test_first_beacons_racing_with_different_clocks_move_by_the_offset_of_the_one_stored_first(
    client: TestClient, demo_app: Application
) -> None:
    """Two beacons of a new recording, each measuring its own offset (the second one's clock is a day
    ahead), reach the group commit together: the recording is claimed by the first, and the second is
    moved again by that claim's offset before it is stored."""
    ctx = client.app.state.reel  # type: ignore[attr-defined]
    honest = client_beacon(0, T0, recording="rec-race")
    ahead = client_beacon(1, T0 + DAY + 5000, recording="rec-race")
    writes = [web_write(ctx, demo_app, parse(doc)) for doc in (honest, ahead)]
    assert [w.clock_offset_ms for w in writes] == [0, -DAY - 5000]  # what each measured on its own
    futures = [ctx.committer.submit(w) for w in writes]
    assert [f.result(timeout=30).duplicate for f in futures] == [False, False]
    [session] = sessions_of(client)
    stamps = [e["timestamp"] for e in events_of(client, session["id"])]
    assert stamps == sorted(e["timestamp"] for e in honest["events"] + ahead["events"])  # unmoved: offset 0
    later = client_beacon(2, T0 + DAY + 9000, recording="rec-race")  # known now: moved by the claim's 0
    assert post_beacon(client, demo_app, later).status_code == 200
    stamps = [e["timestamp"] for e in events_of(client, session["id"])]
    assert stamps == sorted(e["timestamp"] for e in honest["events"] + ahead["events"] + later["events"])


def test_a_retried_beacon_of_a_shifted_recording_is_still_stored_once(
    client: TestClient, demo_app: Application, clock: FixedClock
) -> None:
    doc = client_beacon(0, T0 + DAY, recording="rec-ahead")
    assert post_beacon(client, demo_app, doc).json()["duplicate"] is False
    clock.advance(2 * MINUTE)
    assert post_beacon(client, demo_app, doc).json()["duplicate"] is True
    assert client.app.state.reel.sessions.buffered_seqs("rec-ahead") == [0]  # type: ignore[attr-defined]


def test_an_honest_clock_is_stored_exactly_as_sent(
    client: TestClient, demo_app: Application, clock: FixedClock
) -> None:
    doc = client_beacon(0, T0 - 3000, recording="rec-honest")  # 3 s of network and batching delay
    post_beacon(client, demo_app, doc)
    ctx = client.app.state.reel  # type: ignore[attr-defined]
    rows = ctx.sessions.beacons("rec-honest")
    assert beacon_events(ctx.sessions, ctx.blobs, rows)[0][0] == doc["events"]


# Bad input (brief §8) beyond tests/integration/test_ingest_http.py


def deep_node(depth: int, *, compact: bool = False) -> bytes:
    """A full snapshot whose node tree is `depth` elements deep, written out as JSON text directly
    (building it as dicts and dumping it would itself hit a recursion limit). `compact` leaves out all
    but the child lists, so that 10,000 levels fit under the tests' 256 KiB cap uncompressed."""
    element = (
        '{{"childNodes":['
        if compact
        else '{{"type":2,"id":{},"tagName":"div","attributes":{{}},"childNodes":['
    )
    opening = "".join(element.format(i + 2) for i in range(depth))
    closing = "]}" * depth
    node = f'{{"type":0,"id":1,"childNodes":[{opening}{closing}]}}'
    snapshot = f'{{"type":2,"timestamp":{T0},"data":{{"node":{node},"initialOffset":{{"top":0,"left":0}}}}}}'
    return (
        f'{{"v":1,"recording_id":"rec-deep","session_id":"s","seq":0,"sent_at":{T0},"events":[{snapshot}]}}'
    ).encode()


@pytest.mark.parametrize("gzip_body", [False, True])
def test_a_node_tree_10000_deep_is_400_before_any_recursion(
    client: TestClient, demo_app: Application, gzip_body: bool
) -> None:
    body = deep_node(10_000, compact=not gzip_body)
    assert len(body) < 256 * 1024 or gzip_body
    response = client.post(
        "/v1/web/beacons",
        params={"k": demo_app.app_key, **({"ce": "gzip"} if gzip_body else {})},
        content=gzip.compress(body) if gzip_body else body,
        headers={"Origin": ORIGIN},
    )
    assert response.status_code == 400
    assert "JSON" in response.json()["error"]["message"]
    assert sessions_of(client) == []


def test_a_node_tree_of_ordinary_depth_is_accepted(client: TestClient, demo_app: Application) -> None:
    assert post_beacon(client, demo_app, None, raw=deep_node(200)).status_code == 200


@pytest.mark.parametrize(
    "text",
    [
        b"\xff\xfe",  # not UTF-8 at all
        b"\xc0\xaf",  # overlong encoding of "/"
        b"\xed\xa0\x80",  # a surrogate encoded as UTF-8 (CESU-8)
        b"\xf4\x90\x80\x80",  # past U+10FFFF
        b"abc\xe2\x82",  # cut in the middle of a character
        b"\\ud800",  # lone high surrogate escape
        b"\\udfff",  # lone low surrogate escape
        b"\\udc00\\ud800",  # a pair in the wrong order
    ],
)
def test_invalid_utf8_and_lone_surrogates_inside_events_are_400(
    client: TestClient, demo_app: Application, text: bytes
) -> None:
    event = b'{"type":3,"timestamp":%d,"data":{"source":5,"text":"' % T0 + text + b'","id":4}}'
    body = b'{"v":1,"recording_id":"rec-u","session_id":"s","seq":0,"events":[' + event + b"]}"
    response = post_beacon(client, demo_app, None, raw=body)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"


def test_valid_non_ascii_and_escaped_pairs_are_kept(client: TestClient, demo_app: Application) -> None:
    text = "ü € 𝄞 \U0001f600"
    doc = client_beacon(0, T0, recording="rec-u")
    doc["events"].append({"type": 5, "timestamp": T0, "data": {"tag": "t", "payload": {"text": text}}})
    body = orjson.dumps(doc).replace("𝄞".encode(), b"\\ud834\\udd1e")  # an escaped surrogate pair
    assert post_beacon(client, demo_app, None, raw=body).status_code == 200
    [session] = sessions_of(client)
    custom = [e for e in events_of(client, session["id"]) if e["type"] == 5]
    assert custom[0]["data"]["payload"]["text"] == text


def test_the_same_seq_with_different_content_keeps_the_first(
    client: TestClient, demo_app: Application, beacon: BeaconMaker
) -> None:
    first = beacon(0)
    assert post_beacon(client, demo_app, first).json()["duplicate"] is False
    other = beacon(0, events=make_events(T0 + 50_000, 7, full=True))
    response = post_beacon(client, demo_app, other)
    assert response.status_code == 200 and response.json()["duplicate"] is True
    [session] = sessions_of(client)
    assert len(events_of(client, session["id"])) == len(first["events"])


def test_a_gzip_bomb_is_refused_with_bounded_memory(
    client: TestClient, demo_app: Application, beacon: BeaconMaker
) -> None:
    """200 MiB of inflated body from ~200 KiB on the wire: refused at the 1 MiB cap; memory traced
    during the request stays a small multiple of the cap, nowhere near the inflated size."""
    doc = beacon(0, events=make_events(T0, 1, full=True))
    doc["padding"] = " " * (200 * 1024 * 1024)
    bomb = gzip.compress(orjson.dumps(doc), compresslevel=9)
    del doc
    assert len(bomb) < 256 * 1024  # under the compressed cap: only the decompressed cap can stop it
    tracemalloc.start()
    try:
        response = client.post(
            "/v1/web/beacons",
            params={"k": demo_app.app_key, "ce": "gzip"},
            content=bomb,
            headers={"Origin": ORIGIN},
        )
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code == 413
    assert "decompressed" in response.json()["error"]["message"]
    assert peak < 16 * 1024 * 1024, f"peak {peak / 2**20:.1f} MiB while refusing a gzip bomb"
