"""Bounded cost (brief §8): the worst input within a contract limit costs each endpoint a stated bound."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from fastapi.testclient import TestClient

from conftest import BeaconMaker
from reel.domain.records import Application
from support import post_beacon

T = TypeVar("T")

MAX_SEQ = 2**31 - 1
"""The largest seq the web beacon contract allows."""
CPU_BOUND_S = 1.0
"""What one request may cost in CPU time, whatever input the contracts allow."""


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
