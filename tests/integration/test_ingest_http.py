"""Ingest over HTTP: what the recorder gets back for good and bad beacons, on every store backend."""

from __future__ import annotations

import gzip
import logging
import time
from collections.abc import Callable
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient

from conftest import BeaconMaker
from reel.domain.records import Application
from reel.processing.keyframes import KeyframePolicy
from reel.processing.worker import BackgroundProcessing, Worker, process_pending
from support import ORIGIN, T0, make_events, post_beacon


def sessions_of(client: TestClient) -> list[dict[str, Any]]:
    return client.get("/api/v1/sessions").json()["sessions"]


def test_a_beacon_is_acknowledged_and_listed(
    client: TestClient, demo_app: Application, beacon: BeaconMaker
) -> None:
    response = post_beacon(client, demo_app, beacon(0))
    assert response.status_code == 200, response.text
    assert response.json() == {"ok": True, "seq": 0, "duplicate": False}
    assert response.headers["access-control-allow-origin"] == "*"
    [session] = sessions_of(client)
    assert session["first_url"] == "http://shop.test:8701/"
    assert session["has_replay"] is True and session["beacons"] == 1 and session["events"] == 5


def test_a_beacon_answer_carries_the_request_id_and_security_headers_and_other_methods_reach_the_router(
    client: TestClient, demo_app: Application, beacon: BeaconMaker
) -> None:
    # Beacons are answered before FastAPI's layers (reel.server.beacon_path), with what they add.
    response = post_beacon(client, demo_app, beacon(0))
    assert response.status_code == 200, response.text
    second = post_beacon(client, demo_app, beacon(1))
    ids = {response.headers["x-request-id"], second.headers["x-request-id"]}
    assert len(ids) == 2 and all(len(i) == 16 for i in ids)
    # JSON for the recorder, never a page: the same policy, without a nonce to allow inline scripts by.
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self';" in policy and "nonce" not in policy
    assert policy == second.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert "'nonce-" in client.get("/login").headers["content-security-policy"]
    assert client.get("/v1/web/beacons").status_code == 405
    assert client.options("/v1/web/beacons").status_code == 204


def test_the_beacon_endpoint_answers_as_fastapis_route_and_middlewares_did(
    client: TestClient, demo_app: Application, beacon: BeaconMaker
) -> None:
    reel_app: Any = client.app
    endpoint = reel_app.beacons

    def both(send: Callable[[int], Any]) -> list[tuple[int, Any, set[str], str]]:
        """The answer by Reel's endpoint, then by the router (the same request, its seq moved by one)."""
        answers = []
        for n, way in enumerate((endpoint, None)):
            reel_app.beacons = way
            response = send(n)
            body = response.json()
            policy = response.headers.get("content-security-policy", "")
            answers.append((response.status_code, body, set(response.headers), policy))
        reel_app.beacons = endpoint
        return answers

    def seq_free(answer: tuple[int, Any, set[str], str]) -> tuple[int, Any, set[str], str]:
        status, body, names, policy = answer
        return status, {k: v for k, v in body.items() if k != "seq"}, names, policy

    cases: dict[str, Callable[[int], Any]] = {
        "accepted": lambda n: post_beacon(client, demo_app, beacon(10 + n)),
        "duplicate": lambda n: post_beacon(client, demo_app, beacon(10 + n)),
        "gzip": lambda n: post_beacon(client, demo_app, beacon(20 + n), gzip_body=True),
        "unknown key": lambda n: post_beacon(client, None, beacon(n), key="rk-nope"),
        "other origin": lambda n: post_beacon(client, demo_app, beacon(n), origin="https://evil.test"),
        "malformed": lambda n: post_beacon(client, demo_app, None, raw=b"{not json"),
        "bad encoding": lambda n: client.post(
            "/v1/web/beacons",
            params={"k": demo_app.app_key, "ce": "br"},
            content=b"x",
            headers={"Origin": ORIGIN},
        ),
    }
    seen = {}
    for name, send in cases.items():
        ours, router = both(send)
        assert seq_free(ours) == seq_free(router), name
        assert "x-request-id" in ours[2] and "access-control-allow-origin" in ours[2], name
        seen[name] = (ours[0], ours[1].get("duplicate"))
    assert seen["accepted"] == (200, False) and seen["duplicate"] == (200, True)
    refused = ("unknown key", "other origin", "malformed", "bad encoding")
    assert [seen[n][0] for n in refused] == [401, 403, 400, 415]


def test_an_unexpected_error_in_a_beacon_answers_500_with_its_headers_and_is_logged_with_its_trace(
    client: TestClient,
    demo_app: Application,
    beacon: BeaconMaker,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("a bug in reading beacons")

    monkeypatch.setattr("reel.ingest.routes.read_web_beacon", broken)
    caplog.set_level(logging.INFO)
    response = post_beacon(client, demo_app, beacon(0))
    assert response.status_code == 500
    assert response.json() == {"error": {"code": "internal_error", "message": "internal error"}}
    assert "a bug" not in response.text  # the trace goes to the log, never to the client
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["x-frame-options"] == "DENY" and len(response.headers["x-request-id"]) == 16
    [error] = [r for r in caplog.records if r.getMessage() == "unexpected error answering a beacon"]
    assert error.exc_info is not None and "a bug in reading beacons" in str(error.exc_info[1])
    [line] = [r for r in caplog.records if r.name == "reel.access"]
    assert " 500 " in line.getMessage() and response.headers["x-request-id"] in line.getMessage()
    monkeypatch.undo()
    assert post_beacon(client, demo_app, beacon(0)).status_code == 200


def test_gzip_beacons_are_accepted(client: TestClient, demo_app: Application, beacon: BeaconMaker) -> None:
    assert post_beacon(client, demo_app, beacon(0), gzip_body=True).status_code == 200
    assert post_beacon(client, demo_app, beacon(1), gzip_body=True).status_code == 200
    [session] = sessions_of(client)
    assert session["beacons"] == 2


def test_a_repeated_beacon_is_stored_once(
    client: TestClient, demo_app: Application, beacon: BeaconMaker
) -> None:
    doc = beacon(0)
    assert post_beacon(client, demo_app, doc).json()["duplicate"] is False
    again = post_beacon(client, demo_app, doc)
    assert again.status_code == 200 and again.json()["duplicate"] is True
    [session] = sessions_of(client)
    assert session["beacons"] == 1
    events = client.get(f"/api/v1/sessions/{session['id']}/events").json()["events"]
    assert len(events) == len(doc["events"])
    assert client.app.state.reel.sessions.buffered_seqs("rec-1") == [0]  # type: ignore[attr-defined]


def test_out_of_order_beacons_play_in_order(
    client: TestClient, demo_app: Application, beacon: BeaconMaker
) -> None:
    for seq in [3, 1, 0, 2]:
        assert post_beacon(client, demo_app, beacon(seq)).status_code == 200
    [session] = sessions_of(client)
    detail = client.get(f"/api/v1/sessions/{session['id']}").json()
    assert detail["gaps"] == [] and detail["missing_beacons"] == 0
    events = client.get(f"/api/v1/sessions/{session['id']}/events").json()["events"]
    stamps = [e["timestamp"] for e in events]
    assert stamps == sorted(stamps)
    assert events[0]["type"] == 4 and events[1]["type"] == 2
    assert detail["start"] == T0 and detail["end"] == T0 + 3000 + 300


def test_a_missing_beacon_is_reported_as_a_gap(
    client: TestClient, demo_app: Application, beacon: BeaconMaker
) -> None:
    for seq in [0, 1, 4]:
        post_beacon(client, demo_app, beacon(seq))
    [session] = sessions_of(client)
    assert session["missing_beacons"] == 2
    detail = client.get(f"/api/v1/sessions/{session['id']}").json()
    [gap] = detail["gaps"]
    assert (gap["from_seq"], gap["to_seq"]) == (2, 3)
    assert gap["start"] == T0 + 1000 + 300 and gap["end"] == T0 + 4000 + 100
    assert [s["n"] for s in detail["segments"]] == [-1]  # not processed yet: read from the beacons


def test_events_can_be_fetched_by_segment(
    client: TestClient, demo_app: Application, beacon: BeaconMaker
) -> None:
    for seq in range(20):
        post_beacon(client, demo_app, beacon(seq))
    ctx = client.app.state.reel  # type: ignore[attr-defined]
    process_pending(ctx, worker=Worker(ctx, keyframes=KeyframePolicy(max_events=20)))
    [session] = sessions_of(client)
    detail = client.get(f"/api/v1/sessions/{session['id']}").json()
    assert len(detail["segments"]) >= 3
    total = 0
    for n, segment in enumerate(detail["segments"]):
        part = client.get(f"/api/v1/sessions/{session['id']}/segments/{segment['n']}").json()
        assert all(segment["start"] <= e["timestamp"] <= segment["end"] for e in part["events"])
        assert (part["head"] == []) == (n == 0)  # each later one opens with a keyframe
        total += len(part["events"])
    assert total == session["events"]
    missing = client.get(f"/api/v1/sessions/{session['id']}/segments/99")
    assert missing.status_code == 404


@pytest.mark.parametrize(
    ("mutate", "status", "code"),
    [
        (lambda d: {**d, "seq": "one"}, 400, "invalid_field"),
        (lambda d: {**d, "recording_id": "../../x"}, 400, "invalid_field"),
        (lambda d: {**d, "events": [{"type": 2}]}, 400, "invalid_field"),
    ],
)
def test_bad_fields_answer_400_naming_the_field(
    client: TestClient, demo_app: Application, beacon: BeaconMaker, mutate: Any, status: int, code: str
) -> None:
    response = post_beacon(client, demo_app, mutate(beacon(0)))
    assert response.status_code == status
    body = response.json()["error"]
    assert body["code"] == code and body["field"]
    assert sessions_of(client) == []


@pytest.mark.parametrize(
    "raw",
    [b"{not json", b"\xff\xfe\xfd", b'{"v":1,"recording_id":"\\udc00"}', b"[" * 3000 + b"]" * 3000, b""],
)
def test_malformed_bodies_answer_400(client: TestClient, demo_app: Application, raw: bytes) -> None:
    response = post_beacon(client, demo_app, None, raw=raw)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"


def test_truncated_gzip_answers_400(client: TestClient, demo_app: Application, beacon: BeaconMaker) -> None:
    packed = gzip.compress(orjson.dumps(beacon(0)))
    response = client.post(
        "/v1/web/beacons",
        params={"k": demo_app.app_key, "ce": "gzip"},
        content=packed[:-10],
        headers={"Origin": ORIGIN},
    )
    assert response.status_code == 400 and "gzip" in response.json()["error"]["message"]


def test_body_over_the_compressed_cap_answers_413(client: TestClient, demo_app: Application) -> None:
    response = post_beacon(client, demo_app, None, raw=b"x" * (300 * 1024))
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


def test_gzip_bomb_answers_413(client: TestClient, demo_app: Application, beacon: BeaconMaker) -> None:
    doc = beacon(0, events=make_events(T0, 1, full=True))
    # A small body that would inflate to ~20 MiB, far past the 1 MiB test cap.
    doc["padding"] = " " * (20 * 1024 * 1024)
    response = post_beacon(client, demo_app, doc, gzip_body=True)
    assert response.status_code == 413
    assert sessions_of(client) == []


def test_unsupported_encoding_answers_415(
    client: TestClient, demo_app: Application, beacon: BeaconMaker
) -> None:
    response = client.post(
        "/v1/web/beacons",
        params={"k": demo_app.app_key, "ce": "br"},
        content=b"{}",
        headers={"Origin": ORIGIN},
    )
    assert response.status_code == 415


@pytest.mark.parametrize("key", ["", "rk-unknown"])
def test_unknown_or_missing_app_key_answers_401_with_one_body(
    client: TestClient, demo_app: Application, beacon: BeaconMaker, key: str
) -> None:
    response = post_beacon(client, None, beacon(0), key=key)
    assert response.status_code == 401
    assert response.json() == {
        "error": {"code": "unauthorized", "message": "missing, unknown or disabled app key"}
    }


@pytest.mark.parametrize("origin", [None, "null", "https://evil.example", "http://shop.test:9999"])
def test_disallowed_origin_answers_403(
    client: TestClient, demo_app: Application, beacon: BeaconMaker, origin: str | None
) -> None:
    response = post_beacon(client, demo_app, beacon(0), origin=origin)
    assert response.status_code == 403
    assert sessions_of(client) == []


def test_a_recording_of_another_app_is_refused(
    client: TestClient, demo_app: Application, beacon: BeaconMaker
) -> None:
    from reel.admin.applications import create_application

    other = create_application(client.app.state.reel.sessions, "Other", [ORIGIN], now_ms=T0)  # type: ignore[attr-defined]
    assert post_beacon(client, demo_app, beacon(0)).status_code == 200
    response = post_beacon(client, other, beacon(1))
    assert response.status_code == 409
    assert response.json()["error"]["field"] == "recording_id"


def test_another_apps_key_repeating_a_stored_seq_is_refused_not_told_duplicate(
    client: TestClient, demo_app: Application, beacon: BeaconMaker
) -> None:
    """Issue 15: B's key posting A's recording with a seq A stored got `200 duplicate`, telling B the
    seq exists; it gets the same 409 as for a seq that does not exist."""
    from reel.admin.applications import create_application

    other = create_application(client.app.state.reel.sessions, "Other", [ORIGIN], now_ms=T0)  # type: ignore[attr-defined]
    assert post_beacon(client, demo_app, beacon(0)).status_code == 200
    stored, new = post_beacon(client, other, beacon(0)), post_beacon(client, other, beacon(5))
    assert (stored.status_code, new.status_code) == (409, 409)
    assert stored.json() == new.json()
    assert post_beacon(client, demo_app, beacon(0)).json()["duplicate"] is True  # the owner's retry


def test_cors_preflight_is_answered(client: TestClient) -> None:
    response = client.options(
        "/v1/web/beacons",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-encoding",
        },
    )
    assert response.status_code == 204
    assert "POST" in response.headers["access-control-allow-methods"]
    assert "Content-Encoding" in response.headers["access-control-allow-headers"]


def test_unknown_session_answers_404_and_malformed_id_400(client: TestClient) -> None:
    assert client.get("/api/v1/sessions/ses_doesnotexist").status_code == 404
    assert client.get("/api/v1/sessions/..%2F..%2Fetc").status_code in (400, 404)
    assert client.get("/api/v1/sessions/ses_a.b").status_code == 400


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"ok": True}
    assert client.get("/readyz").status_code == 200


def test_a_stopped_worker_gives_back_the_leases_it_kept(
    client: TestClient, demo_app: Application, beacon: BeaconMaker
) -> None:
    ctx = client.app.state.reel  # type: ignore[attr-defined]
    post_beacon(client, demo_app, beacon(0))
    background = BackgroundProcessing(ctx, interval_s=0.05).start()
    try:
        for _ in range(200):  # a long-lived worker keeps a recording being recorded between rounds
            progress = ctx.sessions.progress("rec-1")
            if progress is not None and progress.processed_seq == 0:
                break
            time.sleep(0.05)
        now = ctx.clock.now_ms()
        assert ctx.sessions.take_lease("rec-1", "another", now, 60_000) is None
    finally:
        background.stop()
    # Given back on stop: another worker takes the recording at once, not a minute later.
    assert ctx.sessions.take_lease("rec-1", "another", ctx.clock.now_ms(), 60_000) is not None
