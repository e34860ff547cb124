"""The session fold (reel.domain.sessions) on literal beacons: what a session is after each beacon lands,
in order and out of order, how final beacons close it and later ones reopen it, and what a split moves."""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from reel.domain.beacons import BeaconSummary, summarise_events
from reel.domain.records import NewPart, Session, SessionKey, StoredAction
from reel.domain.sessions import BeaconFacts, fold_beacon, split_session, with_counters

KEY = SessionKey("app_1", "rec_1", "cs_1")
T = 1_764_240_000_000


def beacon(
    seq: int, first: int, last: int, *urls: str, events: int = 10, final: bool = False, **kw: Any
) -> BeaconFacts:
    summary = BeaconSummary(T + first, T + last, events, tuple(urls), kw.pop("full", False), bool(urls))
    return BeaconFacts(seq, summary, kw.pop("received", T + last + 50), final, **kw)


def fold(*beacons: BeaconFacts) -> Session:
    session: Session | None = None
    for b in beacons:
        session = fold_beacon(session, KEY, b, "ses_new")
    assert session is not None
    return session


def test_the_first_beacon_makes_the_session() -> None:
    s = fold(beacon(0, 0, 900, "https://a.test/", full=True, rules_version=3))
    assert (s.id, s.app_id, s.recording_id, s.client_session_id, s.part) == (
        "ses_new",
        *dataclasses.astuple(KEY),
        1,
    )
    assert (s.start, s.end, s.duration_ms) == (T, T + 900, 900)
    assert (s.first_url, s.last_url, s.pages) == ("https://a.test/", "https://a.test/", 1)
    assert (s.beacons, s.events, s.min_seq, s.max_seq) == (1, 10, 0, 0)
    assert (s.has_full_snapshot, s.has_meta, s.has_replay) == (True, True, True)
    assert (s.closed, s.close_reason, s.platform, s.rules_version) == (False, "", "web", 3)
    assert s.created_at == s.updated_at == T + 950


def test_the_events_summary_is_what_the_fold_reads() -> None:
    events = [
        {"type": 4, "timestamp": T + 5, "data": {"href": "https://a.test/x"}},
        {"type": 2, "timestamp": T + 5, "data": {}},
        {"type": 3, "timestamp": T + 1, "data": {}},
        {"type": 4, "timestamp": T + 9, "data": {"href": "https://a.test/" + "y" * 3000}},
    ]
    summary = summarise_events(events)
    assert (summary.first_ts, summary.last_ts, summary.events) == (T + 1, T + 9, 4)
    assert summary.urls == ("https://a.test/x", "https://a.test/" + "y" * 2033)  # cut at 2048
    assert (summary.has_full_snapshot, summary.has_meta) == (True, True)


def test_later_beacons_extend_the_session_and_count_page_views() -> None:
    s = fold(
        beacon(0, 0, 100, "https://a.test/"),
        beacon(1, 200, 300),
        beacon(2, 400, 500, "https://a.test/", "https://a.test/b"),  # a reload of a, then b
        beacon(3, 600, 700, "https://a.test/b", "https://a.test/c"),
    )
    assert (s.start, s.end, s.beacons, s.events, s.max_seq) == (T, T + 700, 4, 40, 3)
    assert (s.first_url, s.last_url, s.pages) == ("https://a.test/", "https://a.test/c", 3)
    assert not s.has_full_snapshot


def test_an_earlier_beacon_arriving_late_sets_the_first_url_and_start() -> None:
    s = fold(beacon(2, 500, 600, "https://a.test/b"), beacon(1, 100, 200, "https://a.test/a"))
    assert (s.start, s.end, s.min_seq, s.max_seq) == (T + 100, T + 600, 1, 2)
    assert (s.first_url, s.last_url) == ("https://a.test/a", "https://a.test/b")


def test_a_beacon_without_events_stands_in_with_its_receive_time() -> None:
    s = fold(beacon(0, 0, 0, events=0, final=True, received=T + 5000))
    assert (s.start, s.end, s.events, s.first_url) == (T + 5000, T + 5000, 0, "")
    s = fold_beacon(s, KEY, beacon(1, 100, 200), "ses_other")
    assert (s.id, s.start, s.end, s.events) == ("ses_new", T + 100, T + 200, 10)


def test_a_final_beacon_closes_the_session_and_later_data_reopens_it() -> None:
    closed = fold(beacon(0, 0, 100), beacon(1, 200, 200, final=True))
    assert (closed.closed, closed.close_reason) == (True, "tab_closed")
    app = fold(beacon(0, 0, 100, final=True, platform="mobile"))
    assert app.close_reason == "app_closed"
    # A page restored from the back/forward cache records on under the same session.
    reopened = fold_beacon(closed, KEY, beacon(2, 300, 400), "x")
    assert (reopened.closed, reopened.close_reason, reopened.end) == (False, "", T + 400)
    # An earlier beacon arriving after the final one does not reopen it.
    late = fold_beacon(closed, KEY, beacon(-1, -100, -50), "x")
    assert (late.closed, late.close_reason, late.start) == (True, "tab_closed", T - 100)


def test_a_session_closed_for_silence_stays_closed() -> None:
    idle = dataclasses.replace(fold(beacon(0, 0, 100)), closed=True, close_reason="idle")
    after = fold_beacon(idle, KEY, beacon(1, 200, 300), "x")
    assert (after.closed, after.close_reason, after.end, after.beacons) == (True, "idle", T + 300, 2)


def test_a_later_part_keeps_its_start_where_processing_split_it() -> None:
    part2 = dataclasses.replace(fold(beacon(0, 1000, 2000)), part=2, start=T + 1500)
    s = fold_beacon(part2, KEY, beacon(1, 1200, 2500), "x")
    assert (s.start, s.end) == (T + 1500, T + 2500)


def test_updated_at_and_rules_version_only_grow() -> None:
    s = fold(
        beacon(1, 0, 100, rules_version=4, received=T + 9000),
        beacon(0, 0, 50, rules_version=2, received=T + 10),
    )
    assert (s.updated_at, s.rules_version, s.created_at) == (T + 9000, 4, T + 9000)


# --- splits ---------------------------------------------------------------------------------------------


def part(at: int, **kw: Any) -> NewPart:
    fields: dict[str, Any] = {"url": "https://a.test/b", "checkpoint_key": "cp/1"} | kw
    return NewPart("ses_new", "ses_part2", 2, T + at, **fields)


def test_a_split_ends_one_part_and_opens_the_next_moving_what_it_holds() -> None:
    s = with_counters(
        fold(beacon(0, 0, 1000, "https://a.test/"), beacon(1, 1100, 2000, "https://a.test/b")),
        [StoredAction("rec_1", "ses_new", "app_1", T + 10, "click", "", "", "")],
    )
    ended, opened = split_session(s, part(1500, beacons=1, events=6, beacons_moved=0), T + 3000)
    assert (ended.closed, ended.close_reason, ended.end) == (True, "split", T + 1500)
    assert (ended.beacons, ended.events, ended.actions) == (2, 14, 1)
    assert (opened.id, opened.part, opened.start, opened.end) == ("ses_part2", 2, T + 1500, T + 2000)
    assert (opened.first_url, opened.pages, opened.beacons, opened.events) == ("https://a.test/b", 1, 1, 6)
    assert (opened.has_replay, opened.closed, opened.actions, opened.created_at) == (True, False, 0, T + 3000)


def test_a_split_saved_twice_moves_nothing_twice_and_the_final_beacon_closes_the_last_part() -> None:
    s = fold(beacon(0, 0, 1000), beacon(1, 1100, 2000, final=True))
    ended, opened = split_session(s, part(1500, beacons=1, events=6, beacons_moved=1), T + 3000)
    assert (ended.beacons, ended.events, ended.close_reason) == (1, 14, "split")
    assert (opened.closed, opened.close_reason) == (True, "tab_closed")
    again, _ = split_session(ended, part(1500, beacons=1, events=6, beacons_moved=1), T + 4000)
    assert again == ended


def test_counters_come_from_every_action_and_the_last_identify_wins() -> None:
    def act(ts: int, kind: str, label: str = "") -> StoredAction:
        return StoredAction("rec_1", "ses_new", "app_1", T + ts, kind, "", "", label)

    actions = [
        act(5, "identify", "later"),
        act(1, "identify", "first"),
        act(2, "click"),
        act(2, "rage_click"),
        act(3, "dead_click"),
        act(4, "error", "E"),
        act(6, "identify", ""),
    ]
    s = with_counters(fold(beacon(0, 0, 10)), actions)
    assert (s.actions, s.errors, s.rage_clicks, s.dead_clicks, s.user_id) == (5, 1, 1, 1, "later")
    assert with_counters(s, []).user_id == "later"  # re-processing without identify keeps the user


# --- order does not matter ------------------------------------------------------------------------------

URLS = st.sampled_from(["https://a.test/", "https://a.test/b", "https://a.test/c"])


@st.composite
def beacon_sets(draw: st.DrawFn) -> list[BeaconFacts]:
    """Non-final beacons of one recorder session with distinct seqs, each with a view (a Meta URL): the
    fold keeps a first and a last URL, not the seq of each, so a beacon without one arriving out of order
    could leave a URL of a later (or earlier) beacon in place."""
    seqs = draw(st.lists(st.integers(0, 50), min_size=1, max_size=6, unique=True))
    out = []
    for seq in seqs:
        first = draw(st.integers(0, 100_000))
        events = draw(st.integers(1, 50))  # its Meta at least
        urls = draw(st.lists(URLS, min_size=1, max_size=3))
        summary = BeaconSummary(
            T + first, T + first + draw(st.integers(0, 5000)), events, tuple(urls), draw(st.booleans()), True
        )
        out.append(
            BeaconFacts(
                seq, summary, T + draw(st.integers(0, 200_000)), False, rules_version=draw(st.integers(0, 3))
            )
        )
    return out


# The fields that say what the session holds; `created_at` is when it was first seen, and `pages` counts
# views as beacons arrive (a reload seen out of order counts again): both depend on the order by design.
ORDER_FREE = ("start", "end", "first_url", "last_url", "beacons", "events", "min_seq", "max_seq")
ORDER_FREE += ("has_full_snapshot", "has_meta", "closed", "close_reason", "updated_at", "rules_version")


def facts(s: Session) -> tuple[Any, ...]:
    return tuple(getattr(s, name) for name in ORDER_FREE)


@given(beacon_sets(), st.randoms(use_true_random=False))
def test_folding_beacons_in_any_order_gives_the_same_session(beacons: list[BeaconFacts], rnd: Any) -> None:
    in_order = fold(*sorted(beacons, key=lambda b: b.seq))
    shuffled = list(beacons)
    rnd.shuffle(shuffled)
    assert facts(fold(*shuffled)) == facts(in_order)
    with_events = [b for b in beacons if b.summary.events]
    if with_events:
        assert in_order.start == min(b.summary.first_ts for b in with_events)
        assert in_order.end == max(b.summary.last_ts for b in with_events)
    assert in_order.first_url == min(beacons, key=lambda b: b.seq).summary.urls[0]
    assert in_order.last_url == max(beacons, key=lambda b: b.seq).summary.urls[-1]
    assert in_order.events == sum(b.summary.events for b in beacons)


def test_every_order_of_three_beacons_agrees() -> None:
    beacons = [
        beacon(0, 0, 10, "https://a.test/"),
        beacon(1, 20, 30, "https://a.test/b"),
        beacon(2, 40, 50, "https://a.test/c"),
    ]
    results = {facts(fold(*order)) for order in itertools.permutations(beacons)}
    assert len(results) == 1
