"""Where sessions split (reel.domain.splits) and how processing splits a stream of literal rrweb events
(reel.processing.recording): after N actions, past the maximum duration (and after a long silence), a
new recorder session, and what each split moves to the part it opens."""

from __future__ import annotations

import itertools
from collections import Counter
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from reel.domain.splits import (
    Part,
    RoundTally,
    SplitPolicy,
    action_split_due,
    part_session_id,
    time_split_at,
)
from reel.processing.recording import BeaconSession, Output, RecordingProcessor
from reel.processing.web import WebPlatform

Event = dict[str, Any]
T = 1_764_240_000_000
URL = "https://shop.test/"
POLICY = SplitPolicy(max_actions=3, max_ms=10_000)


def page(ts: int = 0) -> list[Event]:
    button = {"type": 2, "id": 5, "tagName": "button", "attributes": {}, "childNodes": []}
    body = {"type": 2, "id": 4, "tagName": "body", "attributes": {}, "childNodes": [button]}
    html = {"type": 2, "id": 2, "tagName": "html", "attributes": {}, "childNodes": [body]}
    return [
        {"type": 4, "timestamp": T + ts, "data": {"href": URL, "width": 800, "height": 600}},
        {"type": 2, "timestamp": T + ts, "data": {"node": {"type": 0, "id": 1, "childNodes": [html]}}},
    ]


def click(ts: int, x: float = 10) -> Event:
    return {"type": 3, "timestamp": T + ts, "data": {"source": 2, "type": 2, "id": 5, "x": x, "y": 10}}


def scroll(ts: int) -> Event:
    """An event that is no action (and keeps a click before it alive)."""
    return {"type": 3, "timestamp": T + ts, "data": {"source": 3, "id": 1, "x": 0, "y": ts % 500}}


def process(*beacons: list[Event], policy: SplitPolicy = POLICY, client: str = "cs_1") -> Output:
    processor = RecordingProcessor("rec_1", WebPlatform(), policy)
    session = BeaconSession("ses_1", client, 1, T + int(beacons[0][0]["timestamp"]) - T)
    for seq, events in enumerate(beacons):
        processor.feed_beacon(session, seq, events, raw_bytes=100 * len(events))
    return processor.take_output()


def per_part(out: Output) -> dict[str, list[tuple[int, str]]]:
    parts: dict[str, list[tuple[int, str]]] = {}
    for session_id, action in out.actions:
        parts.setdefault(session_id, []).append((action.ts - T, action.kind))
    return parts


# --- the rules -------------------------------------------------------------------------------------------


def test_a_part_splits_at_its_maximum_duration_or_at_the_next_event_after_a_long_silence() -> None:
    part = Part("ses_1", "cs_1", 1, T)
    assert time_split_at(part, T + 9_999, POLICY) is None
    assert time_split_at(part, T + 10_000, POLICY) == T + 10_000
    assert time_split_at(part, T + 19_999, POLICY) == T + 10_000
    assert time_split_at(part, T + 20_000, POLICY) == T + 20_000  # no empty stretch of a whole part
    assert SplitPolicy() == SplitPolicy(max_actions=200, max_ms=8 * 3600 * 1000)  # brief §5


def test_an_action_splits_when_the_part_is_full_and_derived_clicks_never_do() -> None:
    full = Part("ses_1", "cs_1", 1, T, actions=3)
    assert action_split_due(full, "click", POLICY)
    assert not action_split_due(Part("ses_1", "cs_1", 1, T, actions=2), "click", POLICY)
    assert not action_split_due(full, "rage_click", POLICY)
    assert not action_split_due(full, "dead_click", POLICY)


def test_part_ids_are_derived_so_reprocessing_makes_the_same_parts() -> None:
    ids = {part_session_id("rec_1", "cs_1", n) for n in (2, 3)}
    assert part_session_id("rec_1", "cs_1", 2) in ids and len(ids) == 2
    assert part_session_id("rec_1", "cs_2", 2) not in ids
    assert all(i.startswith("ses_") and len(i) == 28 for i in ids)


# --- processing a stream ---------------------------------------------------------------------------------


def test_the_action_past_the_limit_opens_the_next_part() -> None:
    # Clicks 100 px apart: no rage clicks; a scroll after each: no dead ones.
    events = [*page(), *(e for n in range(1, 8) for e in (click(n * 100, x=n * 100), scroll(n * 100 + 50)))]
    out = process(events)
    part2 = part_session_id("rec_1", "cs_1", 2)
    part3 = part_session_id("rec_1", "cs_1", 3)
    assert per_part(out) == {
        "ses_1": [(0, "load"), (100, "click"), (200, "click")],
        part2: [(300, "click"), (400, "click"), (500, "click")],
        part3: [(600, "click"), (700, "click")],
    }
    assert [(s.closed_session_id, s.opened.session_id, s.opened.part, s.at - T) for s in out.splits] == [
        ("ses_1", part2, 2, 300),
        (part2, part3, 3, 600),
    ]
    # Each part starts from a checkpoint: the page as it is at the split, stamped with the split's time.
    first = out.splits[0]
    assert first.url == URL
    assert [e["type"] for e in first.checkpoint][:2] == [4, 2]
    assert {e["timestamp"] for e in first.checkpoint} == {first.at}


def test_rage_and_dead_clicks_stay_with_their_click_and_do_not_count() -> None:
    burst = [click(100), click(150), click(200), scroll(250)]  # three clicks: a rage click at 100
    out = process([*page(), *burst, click(5000)])  # the last click is dead: nothing after it
    parts = per_part(out)
    assert parts["ses_1"] == [(0, "load"), (100, "click"), (150, "click"), (100, "rage_click")]
    assert parts[part_session_id("rec_1", "cs_1", 2)] == [(200, "click"), (5000, "click")]
    assert len(out.splits) == 1


def test_a_dead_click_decided_after_a_split_stays_in_the_part_before_it() -> None:
    # The click at 100 is dead once the time split at 10 000 has opened part 2: it belongs to part 1.
    out = process([*page(), click(100)], [scroll(10_500)])
    assert per_part(out)["ses_1"] == [(0, "load"), (100, "click"), (100, "dead_click")]
    assert [s.at - T for s in out.splits] == [10_000]


def test_a_long_recording_splits_at_its_maximum_duration_and_after_silence_at_the_next_event() -> None:
    out = process([*page(), scroll(4_000), scroll(9_999)], [scroll(10_000), scroll(15_000)], [scroll(45_000)])
    assert [(s.opened.part, s.at - T, s.opened.start - T) for s in out.splits] == [
        (2, 10_000, 10_000),
        (3, 45_000, 45_000),
    ]


def test_a_split_says_how_many_beacons_and_events_it_moves() -> None:
    # Beacon 0 is all before the split, beacon 1 straddles it (2 events after), beacon 2 is all after.
    out = process(
        [*page(), scroll(1_000)],
        [scroll(9_000), scroll(10_500), scroll(11_000)],
        [scroll(12_000), scroll(13_000), scroll(14_000)],
    )
    (split,) = out.splits
    assert (split.counts.beacons, split.counts.events, split.counts.beacons_moved) == (2, 5, 1)


def test_a_new_recorder_session_starts_its_own_parts_and_ends_the_old_ones_checks() -> None:
    processor = RecordingProcessor("rec_1", WebPlatform(), POLICY)
    processor.feed_beacon(BeaconSession("ses_1", "cs_1", 1, T), 0, [*page(), click(100)], 100)
    processor.feed_beacon(BeaconSession("ses_2", "cs_2", 1, T + 400), 1, [*page(400), click(500)], 100)
    out = processor.take_output()
    # The click at 100 was still waiting when cs_1 ended: dead, in cs_1's session.
    assert per_part(out) == {
        "ses_1": [(0, "load"), (100, "click"), (100, "dead_click")],
        "ses_2": [(500, "click")],  # the same page again: no new load
    }
    assert out.splits == []


def test_the_tally_counts_events_per_split_and_chain() -> None:
    tally = RoundTally()
    tally.beacon("a")
    tally.event()
    tally.split("a")
    tally.event()
    tally.beacon("b")  # another recorder session's beacon is none of a's split's business
    tally.event()
    tally.beacon("a")  # a beacon without events fed after the split belongs to the new part
    counts = tally.split_counts()
    assert [(c.beacons, c.events, c.beacons_moved) for c in counts] == [(2, 1, 1)]
    assert tally.split_counts() == []


# --- every event in exactly one part -----------------------------------------------------------------------


@st.composite
def streams(draw: st.DrawFn) -> tuple[list[list[Event]], list[Event]]:
    """A page, then clicks and scrolls at strictly increasing times, cut into beacons anywhere."""
    gaps = draw(st.lists(st.integers(1, 8_000), min_size=1, max_size=40))
    events = page()
    ts = 0
    for gap in gaps:
        ts += gap
        events.append(
            click(ts, x=draw(st.sampled_from([10, 10, 100]))) if draw(st.booleans()) else scroll(ts)
        )
    cuts = sorted(draw(st.sets(st.integers(1, len(events) - 1), max_size=6)))
    bounds = [0, *cuts, len(events)]
    return [events[a:b] for a, b in itertools.pairwise(bounds)], events


@given(streams())
def test_splitting_puts_every_event_and_action_in_exactly_one_part(
    stream: tuple[list[list[Event]], list[Event]],
) -> None:
    beacons, events = stream
    out = process(*beacons)
    starts = [T] + [s.at for s in out.splits]
    assert starts == sorted(set(starts))  # parts follow one another
    # Events: the parts' shares (from what each split moves) add up, and part k holds those in its span.
    moved = [s.counts.events for s in out.splits]
    shares = [len(events) - (moved[0] if moved else 0)]
    shares += [a - b for a, b in zip(moved, [*moved[1:], 0], strict=False)]
    bounds = [*starts[1:], float("inf")]
    assert shares == [
        sum(1 for e in events if lo <= e["timestamp"] < hi) for lo, hi in zip(starts, bounds, strict=True)
    ]
    # Actions: each click once, in the part whose span holds it; no part holds more than it may.
    ids = ["ses_1"] + [s.opened.session_id for s in out.splits]
    clicks = [(sid, a.ts) for sid, a in out.actions if a.kind == "click"]
    assert sorted(ts for _, ts in clicks) == [e["timestamp"] for e in events if e["data"].get("source") == 2]
    for sid, ts in clicks:
        k = ids.index(sid)
        assert starts[k] <= ts < bounds[k]
    counted = Counter(sid for sid, a in out.actions if a.kind not in ("rage_click", "dead_click"))
    assert max(counted.values()) <= POLICY.max_actions
