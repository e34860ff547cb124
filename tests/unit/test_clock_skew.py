"""Client clocks: a recording's offset is measured once and moves all its events alike."""

from __future__ import annotations

from reel.ingest.clock_skew import CLOCK_TOLERANCE_MS, measure_offset, to_server_time
from support import T0, make_events

DAY = 24 * 60 * 60 * 1000


def test_an_honest_clock_or_network_delay_is_no_offset() -> None:
    events = make_events(T0, 3)
    assert measure_offset(T0 + 800, T0, events) == 0
    assert measure_offset(T0 + 4 * 60 * 1000, T0, events) == 0  # a beacon retried for 4 minutes
    assert measure_offset(T0 - CLOCK_TOLERANCE_MS, T0, events) == 0


def test_a_clock_off_by_a_day_either_way_is_measured() -> None:
    events = make_events(T0 + DAY, 3)
    assert measure_offset(T0 + 300, T0 + DAY, events) == 300 - DAY
    assert measure_offset(T0 + DAY + 300, T0, make_events(T0, 3)) == DAY + 300


def test_without_sent_at_the_latest_event_stands_in() -> None:
    events = make_events(T0 - DAY, 3)  # latest event at T0 - DAY + 300
    assert measure_offset(T0 + 300, None, events) == DAY
    assert measure_offset(T0, None, []) == 0


def test_moving_events_keeps_their_order_spacing_and_originals() -> None:
    events = make_events(T0, 4, full=True)
    moved = to_server_time(events, DAY)
    assert [e["timestamp"] - DAY for e in moved] == [e["timestamp"] for e in events]
    assert [e["type"] for e in moved] == [e["type"] for e in events]
    assert events[0]["timestamp"] == T0  # the caller's events are untouched
    assert to_server_time(events, 0) == tuple(events)


def test_times_stay_positive_whatever_the_offset() -> None:
    assert to_server_time([{"type": 3, "timestamp": 5}], -DAY)[0]["timestamp"] == 1
