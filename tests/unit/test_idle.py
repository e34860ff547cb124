"""Idle periods from rrweb events (pure): interactions, batched moves, and what does not count."""

from __future__ import annotations

from typing import Any

from reel.processing.idle import IDLE_MS, IdleTracker, activity


def moves(ts: int, *offsets: int) -> dict[str, Any]:
    positions = [{"x": 1, "y": 1, "id": 4, "timeOffset": o} for o in offsets]
    return {"type": 3, "timestamp": ts, "data": {"source": 1, "positions": positions}}


def mutation(ts: int) -> dict[str, Any]:
    return {"type": 3, "timestamp": ts, "data": {"source": 0, "texts": [], "adds": [], "removes": []}}


def periods(events: list[dict[str, Any]]) -> list[tuple[int, int]]:
    tracker = IdleTracker()
    found = [tracker.feed("s", e["timestamp"], activity(e)) for e in events]
    return [(p.start, p.end) for p in found if p is not None]


def test_a_batch_of_moves_counts_when_the_moves_happened_not_when_it_was_sent() -> None:
    # rrweb sent the batch 20 s late (a timer held back): the moves were at 1.0-1.5 s, not at 21.5 s.
    assert activity(moves(21_500, -20_500, -20_000)) == (1000, 1500)
    assert periods([mutation(0), moves(21_500, -20_500, -20_000), mutation(30_000), moves(40_000, 0)]) == [
        (1500, 40_000)
    ]


def test_only_interactions_end_a_period_and_short_pauses_are_not_idle() -> None:
    events = [mutation(0), moves(IDLE_MS, 0), mutation(20_000), moves(30_000, 0), moves(30_000 + IDLE_MS, 0)]
    assert periods(events) == [(IDLE_MS, 30_000)]
    assert activity(mutation(5)) is None
    assert activity({"type": 5, "timestamp": 5, "data": {"tag": "reel.event"}}) is None
    assert activity({"type": 3, "timestamp": 7, "data": {"source": 2, "type": 2, "id": 4}}) == (7, 7)
