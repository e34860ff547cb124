"""Contract: a group of beacons saved in one call stores exactly what the same beacons saved one by one
store, answers included, on every session store (the SQL stores decide a whole group in memory)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from reel.domain.beacons import BeaconSummary
from reel.domain.records import Application, Session, SessionKey, StoredBeacon
from reel.domain.sessions import BeaconFacts, fold_beacon
from reel.errors import ReelError
from reel.storage.chunks import encode_events
from reel.storage.factory import memory_session_store, open_session_store, sqlite_session_store
from reel.storage.session_store import BeaconWrite, OtherClockOffset, SaveResult, SessionStore
from services import SESSION_BACKENDS

T0 = 1_764_240_000_000


@pytest.fixture(params=SESSION_BACKENDS)
def two_stores(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[SessionStore, SessionStore]]:
    """Two empty stores of one backend, set up alike."""
    opened: list[SessionStore] = []
    for n in (1, 2):
        if request.param == "memory":
            opened.append(memory_session_store())
        elif request.param == "sqlite":
            opened.append(sqlite_session_store(tmp_path / f"db{n}.sqlite3"))
        else:
            new_database: Callable[[], str] = request.getfixturevalue("new_pg_database")
            opened.append(open_session_store(new_database()))
    for store in opened:
        _set_up(store)
    yield opened[0], opened[1]
    for store in opened:
        store.close()


def _write(app: str, rec: str, client: str, seq: int, *, final: bool = False, offset: int = 0) -> BeaconWrite:
    key = SessionKey(app, rec, client)
    summary = BeaconSummary(
        T0 + seq * 10, T0 + seq * 10 + 5, 2, (f"https://a.example/{seq}",), seq == 0, seq == 0
    )
    row = StoredBeacon(app, rec, seq, "", "", T0 + seq, summary.first_ts, summary.last_ts, 2, 0, final)
    facts = BeaconFacts(seq=seq, summary=summary, received_at=T0 + seq, final=final)
    new_id = f"ses-{rec}-{client}-{seq}"

    def fold(current: Session | None) -> Session:
        return fold_beacon(current, key, facts, new_id)

    events = [{"type": 3, "timestamp": summary.first_ts, "data": {"seq": seq}}]
    return BeaconWrite(key, row, encode_events(events), fold, clock_offset_ms=offset)


def _set_up(store: SessionStore) -> None:
    for n in (1, 2):
        store.create_application(
            Application(f"app_{n}", f"A{n}", f"rk-{n}", ("https://a.example",), created_at=T0)
        )
    store.save_beacons(
        [
            _write("app_1", "rec-old", "c-1", 0),
            _write("app_2", "rec-other", "c-1", 0),
            _write("app_1", "rec-del", "c-1", 0),
        ]
    )
    store.delete_recordings(["rec-del"], cause="request", now=T0 + 1)


GROUP = [
    _write("app_1", "rec-old", "c-1", 1),
    _write("app_1", "rec-old", "c-2", 2),  # a new recorder session: c-1's closes as idle
    _write("app_1", "rec-old", "c-1", 3),  # lands in c-1's session, closed as idle
    _write("app_1", "rec-new", "c-1", 0, offset=5_000),  # claims rec-new
    _write("app_1", "rec-new", "c-1", 0, offset=5_000),  # a retry in the same group
    _write("app_1", "rec-new", "c-1", 1, offset=0),  # moved by another offset than the claim's
    _write("app_1", "rec-new", "c-2", 2, offset=5_000),  # closes c-1's session, claimed in this group
    _write("app_1", "rec-other", "c-1", 1),  # another application's recording
    _write("app_1", "rec-del", "c-1", 1),  # a deleted recording
    _write("app_1", "rec-new", "c-1", 4, final=True, offset=5_000),
    _write("app_1", "rec-old", "c-2", 2),  # a retry of one saved earlier in the group
]


def _answer(a: SaveResult | OtherClockOffset | ReelError) -> object:
    return type(a).__name__ if isinstance(a, ReelError) else a


def _state(store: SessionStore) -> object:
    out: dict[str, object] = {}
    for rec in ("rec-old", "rec-new", "rec-other", "rec-del"):
        beacons = store.beacons(rec)
        out[rec] = (
            beacons,
            store.buffered(rec, [b.seq for b in beacons]),
            [store.session_parts(b.app_id, rec, c) for b in beacons[:1] for c in ("c-1", "c-2")],
            store.recording_app(rec),
        )
    return out


def test_a_group_stores_what_its_beacons_stored_one_by_one_store(
    two_stores: tuple[SessionStore, SessionStore],
) -> None:
    grouped, alone = two_stores
    answers = grouped.save_beacons(GROUP)
    one_by_one = [alone.save_beacons([w])[0] for w in GROUP]
    assert [_answer(a) for a in answers] == [_answer(a) for a in one_by_one]
    assert _state(grouped) == _state(alone)
    # What the group said, spelled out.
    names = [_answer(a) for a in answers]
    assert names[7:9] == ["Conflict", "Gone"] and names[5] == OtherClockOffset(5_000)
    assert isinstance(answers[4], SaveResult) and answers[4].duplicate
    assert isinstance(answers[10], SaveResult) and answers[10].duplicate
    [c1] = grouped.session_parts("app_1", "rec-old", "c-1")
    assert c1.closed and c1.close_reason == "idle" and c1.beacons == 3
    [new_c1] = grouped.session_parts("app_1", "rec-new", "c-1")
    assert new_c1.closed and new_c1.beacons == 2 and new_c1.max_seq == 4
