"""Bounded cost (brief §8): the worst input within a contract limit costs each endpoint a stated bound."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import orjson
import pytest
from fastapi.testclient import TestClient

from conftest import BeaconMaker
from reel.config import Settings
from reel.domain.records import Application
from reel.processing.worker import process_pending
from support import T0, custom, make_events, post_beacon

T = TypeVar("T")

MAX_SEQ = 2**31 - 1
"""The largest seq the web beacon contract allows."""
CPU_BOUND_S = 1.0
"""What one request may cost in CPU time, whatever input the contracts allow."""
STEP_BOUNDS_S = {"ingest": 3.0, "processing": 8.0, "window": 2.0, "player page": 1.0}
"""What each step may cost in CPU for the largest beacon the contract allows (measured on the project's
2-core machine: 0.7 s, 2.0 s, at most 0.5 s per window and 0.05 s; the bounds leave room for a loaded
machine, not for a change of complexity)."""


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The default limits (not the small test caps): the worst inputs the contracts allow."""
    return Settings(data_dir=tmp_path / "data")


def cpu_seconds(work: Callable[[], T]) -> tuple[T, float]:
    """The result of `work` and the CPU time the whole process spent on it (threads included)."""
    before = time.process_time()
    result = work()
    return result, time.process_time() - before


def test_a_beacon_at_the_highest_seq_costs_the_session_list_no_more_than_one_beacon(
    client: TestClient, demo_app: Application, beacon: BeaconMaker
) -> None:
    assert post_beacon(client, demo_app, beacon(0)).status_code == 200
    for recording in ("rec-far-1", "rec-far-2"):
        assert post_beacon(client, demo_app, beacon(0, recording_id=recording)).status_code == 200
        assert post_beacon(client, demo_app, beacon(MAX_SEQ, recording_id=recording)).status_code == 200

    listed, spent = cpu_seconds(lambda: client.get("/api/v1/sessions"))
    assert listed.status_code == 200
    far = [s for s in listed.json()["sessions"] if s["recording_id"].startswith("rec-far")]
    assert [s["missing_beacons"] for s in far] == [MAX_SEQ - 1, MAX_SEQ - 1]
    assert spent < CPU_BOUND_S, f"listing took {spent:.2f} s of CPU"

    one, spent = cpu_seconds(lambda: client.get(f"/api/v1/sessions/{far[0]['id']}"))
    assert one.status_code == 200
    assert one.json()["gaps"] == [
        {
            "from_seq": 1,
            "to_seq": MAX_SEQ - 1,
            "start": one.json()["gaps"][0]["start"],
            "end": one.json()["gaps"][0]["end"],
        }
    ]
    assert spent < CPU_BOUND_S, f"one session took {spent:.2f} s of CPU"


MAX_EVENTS = 100_000
"""The most events one web beacon may carry (docs/contracts/web-beacon.md, Limits)."""


def test_a_beacon_at_the_events_limit_costs_each_step_a_bounded_time(
    client: TestClient, demo_app: Application, beacon: BeaconMaker
) -> None:
    # The cheapest events to send and among the costliest to process per byte: one input change each
    # on a text field (masked, counted, folded), at the limit of events per beacon.
    first = make_events(T0, 3, full=True)
    inputs = [
        {
            "type": 3,
            "timestamp": T0 + 10 + n,
            "data": {"source": 5, "id": 4, "text": f"v{n}", "isChecked": False},
        }
        for n in range(MAX_EVENTS - len(first))
    ]
    body = beacon(0, [*first, *inputs])
    answer, spent = cpu_seconds(lambda: post_beacon(client, demo_app, body, gzip_body=True))
    assert answer.status_code == 200, answer.text
    timings = {"ingest": spent}
    ctx = client.app.state.reel  # type: ignore[attr-defined]
    _, timings["processing"] = cpu_seconds(lambda: process_pending(ctx))
    [session] = client.get("/api/v1/sessions").json()["sessions"]
    detail = client.get(f"/api/v1/sessions/{session['id']}").json()
    for segment in detail["segments"]:
        answer, spent = cpu_seconds(
            lambda n=segment["n"]: client.get(f"/api/v1/sessions/{session['id']}/segments/{n}")
        )
        assert answer.status_code == 200
        timings["window"] = max(timings.get("window", 0.0), spent)
    answer, timings["player page"] = cpu_seconds(lambda: client.get(f"/sessions/{session['id']}"))
    assert answer.status_code == 200
    # The segment policy (20,000 events at most) cuts the beacon into windows of bounded cost.
    assert len(detail["segments"]) >= MAX_EVENTS // 20_000
    assert all(timings[step] < bound for step, bound in STEP_BOUNDS_S.items()), timings


def test_a_beacon_at_the_decompressed_size_limit_costs_each_step_a_bounded_time(
    client: TestClient, demo_app: Application, beacon: BeaconMaker
) -> None:
    # One custom event holding a text as long as the decompressed cap allows (the costliest text to
    # mask: detectors scan it; past 65,536 characters it is masked whole).
    cap = Settings().limits.max_decompressed_bytes
    events = make_events(T0, 3, full=True)
    overhead = len(orjson.dumps(beacon(0, [*events, custom(T0 + 10, "note", {"text": ""})])))
    text = ("1." * (cap // 2))[: cap - overhead - 64]
    body = beacon(0, [*events, custom(T0 + 10, "note", {"text": text})])
    answer, spent = cpu_seconds(lambda: post_beacon(client, demo_app, body, gzip_body=True))
    assert answer.status_code == 200, answer.text
    timings = {"ingest": spent}
    ctx = client.app.state.reel  # type: ignore[attr-defined]
    _, timings["processing"] = cpu_seconds(lambda: process_pending(ctx))
    [session] = client.get("/api/v1/sessions").json()["sessions"]
    answer, timings["window"] = cpu_seconds(lambda: client.get(f"/api/v1/sessions/{session['id']}/events"))
    assert answer.status_code == 200 and "1.1.1.1." not in answer.text  # masked whole
    answer, timings["player page"] = cpu_seconds(lambda: client.get(f"/sessions/{session['id']}"))
    assert answer.status_code == 200
    assert all(timings[step] < bound for step, bound in STEP_BOUNDS_S.items()), timings
