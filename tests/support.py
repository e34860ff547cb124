"""Helpers the tests share: a valid rrweb stream and posting a beacon the way the recorder does."""

from __future__ import annotations

import gzip
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient

from reel.admin.operators import create_operator, issue_token
from reel.domain.records import Application
from reel.runtime.context import ReelContext
from reel.storage.operator_store import OperatorStore
from reel.storage.replay_store import ReplayStore
from reel.storage.session_store import SessionStore
from reel.storage.stream import beacon_events

ORIGIN = "http://shop.test:8701"
T0 = 1_764_240_000_000


def make_events(
    start: int, count: int, *, full: bool = False, url: str = "http://shop.test:8701/"
) -> list[dict[str, Any]]:
    """A small valid rrweb stream: Meta + FullSnapshot when `full`, then mouse moves 100 ms apart."""
    events: list[dict[str, Any]] = []
    ts = start
    if full:
        events.append({"type": 4, "timestamp": ts, "data": {"href": url, "width": 1280, "height": 720}})
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
                        {
                            "type": 2,
                            "id": 3,
                            "tagName": "body",
                            "attributes": {},
                            "childNodes": [{"type": 3, "id": 4, "textContent": "hello"}],
                        }
                    ],
                }
            ],
        }
        events.append(
            {"type": 2, "timestamp": ts, "data": {"node": node, "initialOffset": {"top": 0, "left": 0}}}
        )
    for i in range(count):
        ts += 100
        events.append(
            {
                "type": 3,
                "timestamp": ts,
                "data": {"source": 1, "positions": [{"x": i, "y": i, "id": 4, "timeOffset": 0}]},
            }
        )
    return events


def admin_headers(operators: OperatorStore, *, now_ms: int = T0, name: str = "test-admin") -> dict[str, str]:
    """An Authorization header carrying a new API token of a new admin (no password: nothing to hash)."""
    admin = create_operator(operators, name, "admin", None, now_ms=now_ms)
    _token, secret = issue_token(operators, admin, "tests", now_ms=now_ms)
    return {"Authorization": f"Bearer {secret}"}


def post_beacon(
    client: TestClient,
    app: Application | None,
    doc: Any,
    *,
    gzip_body: bool = False,
    origin: str | None = ORIGIN,
    raw: bytes | None = None,
    key: str | None = None,
) -> Any:
    """POST a beacon the way the recorder does (text/plain, key in the query)."""
    body = raw if raw is not None else orjson.dumps(doc)
    params = {"k": key if key is not None else (app.app_key if app else "")}
    if gzip_body:
        body = gzip.compress(body)
        params["ce"] = "gzip"
    headers = {"Content-Type": "text/plain;charset=UTF-8"}
    if origin is not None:
        headers["Origin"] = origin
    return client.post("/v1/web/beacons", params=params, content=body, headers=headers)


HOUR = 60 * 60 * 1000
MINUTE = 60 * 1000


def dashboard_snapshot(ts: int, url: str = "http://shop.test:8701/dashboard") -> list[dict[str, Any]]:
    """Meta + FullSnapshot of a page with a ticking clock: html(2) > body(3) > div#clock(4) > text(5)."""
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
                    {
                        "type": 2,
                        "id": 3,
                        "tagName": "body",
                        "attributes": {},
                        "childNodes": [
                            {
                                "type": 2,
                                "id": 4,
                                "tagName": "div",
                                "attributes": {"id": "clock"},
                                "childNodes": [{"type": 3, "id": 5, "textContent": "0"}],
                            }
                        ],
                    }
                ],
            }
        ],
    }
    return [
        {"type": 4, "timestamp": ts, "data": {"href": url, "width": 1280, "height": 720}},
        {"type": 2, "timestamp": ts, "data": {"node": node, "initialOffset": {"top": 0, "left": 0}}},
    ]


def tick(ts: int, value: str) -> dict[str, Any]:
    """A text mutation of the clock."""
    return {
        "type": 3,
        "timestamp": ts,
        "data": {
            "source": 0,
            "texts": [{"id": 5, "value": value}],
            "attributes": [],
            "removes": [],
            "adds": [],
        },
    }


def add_element(ts: int, node_id: int, element_id: str) -> dict[str, Any]:
    """A mutation appending <div id=element_id> to the body."""
    node = {"type": 2, "id": node_id, "tagName": "div", "attributes": {"id": element_id}, "childNodes": []}
    return {
        "type": 3,
        "timestamp": ts,
        "data": {
            "source": 0,
            "adds": [{"parentId": 3, "nextId": None, "node": node}],
            "texts": [],
            "attributes": [],
            "removes": [],
        },
    }


def click(ts: int, node_id: int = 4, x: float = 10, y: float = 10) -> dict[str, Any]:
    """A click on a node."""
    return {"type": 3, "timestamp": ts, "data": {"source": 2, "type": 2, "id": node_id, "x": x, "y": y}}


def custom(ts: int, tag: str, payload: dict[str, Any]) -> dict[str, Any]:
    """A custom event as the recorder adds them (identify, event, error)."""
    return {"type": 5, "timestamp": ts, "data": {"tag": tag, "payload": payload}}


def stored_events(sessions: SessionStore, blobs: ReplayStore, recording_id: str) -> list[dict[str, Any]]:
    """Every event a recording holds as stored (buffered, or compacted into segments), by seq."""
    found = beacon_events(sessions, blobs, sessions.beacons(recording_id), compacted=True)
    return [e for seq in sorted(found) for e in found[seq][0]]


def ctx_of(client: TestClient) -> ReelContext:
    """The Reel context behind a test client."""
    return client.app.state.reel  # type: ignore[attr-defined, no-any-return]


def set_rules(client: TestClient, app: Application, body: dict[str, Any]) -> None:
    """Save `app`'s masking rules through the API."""
    response = client.put(f"/api/v1/applications/{app.id}/masking-rules", json=body)
    assert response.status_code == 200, response.text


def app_reads(monkeypatch: pytest.MonkeyPatch, sessions: SessionStore) -> list[str]:
    """The app keys `sessions` is asked for from now on (the store still answers them)."""
    read = sessions.application_by_key
    reads: list[str] = []

    def counted(app_key: str) -> Application | None:
        reads.append(app_key)
        return read(app_key)

    monkeypatch.setattr(sessions, "application_by_key", counted)
    return reads
