"""Helpers the tests share: a valid rrweb stream and posting a beacon the way the recorder does."""

from __future__ import annotations

import gzip
from typing import Any

import orjson
from fastapi.testclient import TestClient

from reel.storage.records import Application

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
