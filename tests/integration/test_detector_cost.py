"""Bounded cost of the detectors over HTTP: the worst texts the contract lets them scan cost each endpoint
a bounded amount of CPU, measured here (process CPU time: the test client runs the server in-process).

A custom event, a page URL or a text of "1." repeated 16,000 times used to cost the events endpoint 8 s
(the detectors peeled a long digit run 15 digits per pass); each endpoint must now stay under BOUND_S
for a beacon holding the longest text the detectors scan (MAX_SCANNED) in every place, made of the
worst patterns known, and under FULL_BOUND_S for a beacon filled to the decompressed cap with them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient

from reel.domain.records import Application
from reel.processing.worker import process_pending
from reel.replay.masking.detectors import MAX_SCANNED
from support import ORIGIN, T0, custom, post_beacon

# One beacon with one longest text in each channel, per endpoint (measured: 0.1 s idle, 0.55 s at load 20).
BOUND_S = 1.0
FULL_BOUND_S = 3.0  # one beacon of 1 MiB of them (measured: about 1 s on a shared 2-core machine)

# Runs of digits and separators (phone, card), "@" without a domain and a domain without "@" (e-mail),
# country codes and check digits (IBAN), and groups glued to words.
UNITS = ["1.", "1 ", "1-", "a.", "a@", "a@b.c", "DE00 ", "1111111111111x", "4111 1111 1111 1111 ", "x1 "]


def longest(unit: str, size: int = MAX_SCANNED) -> str:
    return (unit * (size // len(unit) + 1))[:size]


def page(text: str, href: str) -> list[dict[str, Any]]:
    """Meta with `href`, then a page whose body holds `text` (ids 1-4)."""
    body = {
        "type": 2,
        "id": 3,
        "tagName": "body",
        "attributes": {},
        "childNodes": [{"type": 3, "id": 4, "textContent": text}],
    }
    node = {
        "type": 0,
        "id": 1,
        "childNodes": [{"type": 2, "id": 2, "tagName": "html", "attributes": {}, "childNodes": [body]}],
    }
    return [
        {"type": 4, "timestamp": T0, "data": {"href": href, "width": 800, "height": 600}},
        {"type": 2, "timestamp": T0, "data": {"node": node, "initialOffset": {"top": 0, "left": 0}}},
    ]


def record(client: TestClient, app: Application, events: list[dict[str, Any]]) -> str:
    body = {
        "v": 1,
        "recording_id": "rec-cost",
        "session_id": "ses-cost",
        "seq": 0,
        "sent_at": T0,
        "events": events,
    }
    response = post_beacon(client, app, body, gzip_body=True)
    assert response.status_code == 200, response.text
    process_pending(client.app.state.reel)  # type: ignore[attr-defined]
    [session] = client.get("/api/v1/sessions").json()["sessions"]
    return str(session["id"])


def cpu(call: Callable[[], Any]) -> float:
    started = time.process_time()
    response = call()
    spent = time.process_time() - started
    assert response.status_code == 200
    return spent


def endpoint_costs(client: TestClient, session_id: str) -> dict[str, float]:
    """CPU per endpoint the player calls, each asked for the first time (no masked stream cached)."""
    client.app.state.reel.replay_cache.clear()  # type: ignore[attr-defined]
    return {
        path: cpu(lambda p=path: client.get(p))  # type: ignore[misc]
        for path in (
            f"/api/v1/sessions/{session_id}/events",
            f"/api/v1/sessions/{session_id}/actions",
            f"/api/v1/sessions/{session_id}",
            "/api/v1/sessions",
            f"/sessions/{session_id}",
        )
    }


@pytest.fixture
def shown(client: TestClient, demo_app: Application) -> Application:
    """The application with text shown (mask_inputs): page text goes through the detectors too."""
    assert (
        client.put(
            f"/api/v1/applications/{demo_app.id}/masking-rules", json={"preset": "mask_inputs"}
        ).status_code
        == 200
    )
    return demo_app


@pytest.mark.parametrize("unit", UNITS)
def test_the_longest_text_of_each_pattern_costs_each_endpoint_a_bounded_time(
    client: TestClient, shown: Application, unit: str
) -> None:
    text = longest(unit)
    events = [
        *page(text, f"{ORIGIN}/{longest(unit, MAX_SCANNED - 40)}?q={longest(unit, 1000)}"),
        custom(T0 + 10, "shop.detail", {"note": text}),
        custom(T0 + 20, "reel.navigation", {"href": f"{ORIGIN}/{longest(unit, MAX_SCANNED - 40)}"}),
    ]
    session_id = record(client, shown, events)
    costs = endpoint_costs(client, session_id)
    assert max(costs.values()) < BOUND_S, costs
    played = orjson.loads(client.get(f"/api/v1/sessions/{session_id}/events").content)["events"]
    assert [e["type"] for e in played] == [4, 2, 5, 5]


def test_a_beacon_full_of_the_worst_patterns_costs_a_bounded_time(
    client: TestClient, shown: Application
) -> None:
    texts = [longest(unit) for unit in ("1 ", "DE00 ", "1111111111111x") for _ in range(5)]  # 960 KiB
    events = [
        *page(texts[0], f"{ORIGIN}/"),
        *(custom(T0 + i, "shop.detail", {"note": t}) for i, t in enumerate(texts[1:])),
    ]
    costs = endpoint_costs(client, record(client, shown, events))
    assert max(costs.values()) < FULL_BOUND_S, costs
