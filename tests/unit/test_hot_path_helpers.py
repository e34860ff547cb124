"""Helpers of ingest's hot path on literal values: `changed` copies as `dataclasses.replace` does, IN lists
are padded to a few lengths without changing what they match, inserts go in power-of-two pieces."""

from __future__ import annotations

import dataclasses
import functools
import sqlite3

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reel.domain.changes import changed
from reel.domain.records import Session, StoredBeacon
from reel.storage.sql import SQLITE, Tx, padded

SESSION = Session(
    id="ses_1", app_id="app_1", recording_id="rec_1", client_session_id="cs_1", part=1, start=10, end=20,
    first_url="https://a.test/", last_url="https://a.test/b", pages=2, beacons=3, events=40, min_seq=0,
    max_seq=2, has_full_snapshot=True, has_meta=True, closed=False, close_reason="", created_at=5,
    updated_at=25, platform="web", rules_version=1, browser="Firefox",
)  # fmt: skip


def test_changed_is_what_replace_makes() -> None:
    new = changed(SESSION, end=99, beacons=4, closed=True, close_reason="idle")
    assert new == dataclasses.replace(SESSION, end=99, beacons=4, closed=True, close_reason="idle")
    assert (new.end, new.browser, SESSION.end) == (99, "Firefox", 20)  # the original is untouched
    assert type(new) is Session
    with pytest.raises(dataclasses.FrozenInstanceError):
        new.end = 1  # type: ignore[misc]


def test_changed_refuses_a_field_the_class_has_not() -> None:
    with pytest.raises(TypeError, match="no field"):
        changed(SESSION, ending=1)


@dataclasses.dataclass(frozen=True)
class Checked:
    low: int
    high: int

    def __post_init__(self) -> None:
        if self.low > self.high:
            raise ValueError("low above high")


def test_changed_runs_post_init_where_a_class_has_one() -> None:
    with pytest.raises(ValueError, match="low above high"):
        changed(Checked(1, 2), low=5)


@dataclasses.dataclass(frozen=True, slots=True)
class Slotted:
    x: int


@dataclasses.dataclass(frozen=True)
class OnSlots(Slotted):
    y: int


@dataclasses.dataclass(frozen=True)
class Doubled:
    a: int
    later: list[int] = dataclasses.field(default_factory=list, init=False)
    scale: dataclasses.InitVar[int] = 1

    @functools.cached_property
    def double(self) -> int:
        return self.a * 2


def test_changed_copies_as_replace_does_whatever_the_class() -> None:
    assert changed(OnSlots(1, 2), y=3) == OnSlots(1, 3)  # slots in a base class
    one = Doubled(1)
    one.later.append(7)
    assert one.double == 2  # cached on the instance
    five = changed(one, a=5)
    assert (five.double, five.later) == (10, [])  # as replace(): computed again, made again
    assert changed(one, scale=2) == Doubled(1)


@given(st.lists(st.integers(0, 50), min_size=1, max_size=300))
def test_padded_lists_have_few_lengths_and_match_the_same_rows(values: list[int]) -> None:
    out = padded(values)
    assert len(out) & (len(out) - 1) == 0 and len(values) <= len(out) < 2 * len(values)
    assert out[: len(values)] == values and set(out) == set(values)


@given(st.integers(1, 300))
def test_inserts_go_in_power_of_two_pieces_and_store_every_row(count: int) -> None:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute("CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT)")
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    tx = Tx(conn, SQLITE)  # type: ignore[arg-type]
    assert tx.insert("INSERT INTO t (a, b) VALUES", [(i, f"r{i}") for i in range(count)]) == count
    sizes = [s.count("), (") + 1 for s in statements]
    assert sum(sizes) == count and all(n & (n - 1) == 0 for n in sizes) and len(set(sizes)) == len(sizes)
    assert conn.execute("SELECT count(*), sum(a) FROM t").fetchone()[:] == (count, count * (count - 1) // 2)


def test_a_row_copy_keeps_every_other_field() -> None:
    row = StoredBeacon(
        app_id="app_1", recording_id="rec_1", seq=3, session_id="", blob_key="", received_at=7, first_ts=1,
        last_ts=2, events=5, stored_bytes=0, final=False,
    )  # fmt: skip
    assert changed(row, session_id="ses_9") == dataclasses.replace(row, session_id="ses_9")
