"""Contract: the beacon buffer, group commit, leases, segments and compaction behave the same on every
session store backend (memory, SQLite, PostgreSQL)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from reel.domain.beacons import BeaconSummary
from reel.domain.records import (
    Application,
    Compacted,
    ProcessingBatch,
    Segment,
    SegmentEnd,
    Session,
    SessionKey,
    StoredBeacon,
)
from reel.domain.sessions import BeaconFacts, fold_beacon
from reel.errors import Conflict, Gone, LeaseLost
from reel.storage import sql
from reel.storage.factory import open_session_store, sqlite_session_store
from reel.storage.session_store import BeaconWrite, SaveResult, SessionStore
from services import SESSION_BACKENDS, open_session_backend

T0 = 1_764_240_000_000
LEASE_MS = 60_000


@pytest.fixture(params=SESSION_BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SessionStore]:
    s = open_session_backend(request, tmp_path)
    for n in (1, 2):
        s.create_application(
            Application(
                id=f"app_{n}", name=f"A{n}", app_key=f"rk-{n}", origins=("https://a.example",), created_at=T0
            )
        )
    yield s
    s.close()


def write(seq: int, *, app_id: str = "app_1", recording: str = "rec-1", payload: bytes = b"") -> BeaconWrite:
    key = SessionKey(app_id, recording, "c-1")
    summary = BeaconSummary(
        T0 + seq * 1000, T0 + seq * 1000 + 500, 3, ("https://a.example/",), seq == 0, seq == 0
    )
    facts = BeaconFacts(seq=seq, summary=summary, received_at=T0 + seq, final=False)
    row = StoredBeacon(app_id, recording, seq, "", "", T0 + seq, summary.first_ts, summary.last_ts, 3, 0)

    def fold(current: Session | None) -> Session:
        return fold_beacon(current, key, facts, f"ses_{recording}")

    return BeaconWrite(key, row, payload or f"events of {recording}/{seq}".encode(), fold)


def test_a_group_is_one_transaction_and_each_beacon_gets_its_own_answer(store: SessionStore) -> None:
    assert store.save_beacons([write(0, recording="rec-2", app_id="app_2")])[0] == SaveResult(
        False, "ses_rec-2"
    )
    answers = store.save_beacons(
        [
            write(0),
            write(1),
            write(0),  # a retry inside the same group: stored once
            write(1, recording="rec-2"),  # another application's recording: refused alone
            write(2),
        ]
    )
    assert answers[0] == SaveResult(False, "ses_rec-1") and answers[1] == SaveResult(False, "ses_rec-1")
    assert answers[2] == SaveResult(True, "ses_rec-1")
    assert isinstance(answers[3], Conflict)
    assert answers[4] == SaveResult(False, "ses_rec-1")
    assert [b.seq for b in store.beacons("rec-1")] == [0, 1, 2]
    assert store.buffered_seqs("rec-1") == [0, 1, 2] and store.buffered_seqs("rec-2") == [0]
    assert store.buffered("rec-1", [1, 2, 7]) == {1: b"events of rec-1/1", 2: b"events of rec-1/2"}
    session = store.session("ses_rec-1")
    assert session is not None and session.beacons == 3


def test_a_beacon_of_a_deleted_recording_is_gone_and_the_rest_of_its_group_is_stored(
    store: SessionStore,
) -> None:
    store.save_beacons([write(0, recording="rec-old")])
    store.delete_recordings(["rec-old"], cause="request", now=T0 + 10)
    answers = store.save_beacons([write(1, recording="rec-old"), write(0)])
    assert isinstance(answers[0], Gone) and answers[1] == SaveResult(False, "ses_rec-1")
    assert store.buffered_seqs("rec-old") == [] and store.buffered_seqs("rec-1") == [0]


def test_beacon_rows_are_read_by_seq_range(store: SessionStore) -> None:
    store.save_beacons([write(seq) for seq in (0, 1, 4, 9)])
    assert [b.seq for b in store.beacons("rec-1")] == [0, 1, 4, 9]
    assert [b.seq for b in store.beacons("rec-1", 1, 4)] == [1, 4]
    assert [b.seq for b in store.beacons("rec-1", 2)] == [4, 9]
    assert [b.seq for b in store.beacons("rec-1", 5, 8)] == []


def test_missing_beacons_are_counted_from_the_stored_rows(store: SessionStore) -> None:
    store.save_beacons([write(seq) for seq in (0, 1, 4, 9)])
    assert store.missing_beacons("rec-1", 0, 9) == 6
    assert store.gaps("rec-1", 0, 9) == [(2, 3), (5, 8)]
    assert store.gaps("rec-1", 0, 12) == [(2, 3), (5, 8)]  # a range past the last stored seq: no tail gap
    assert store.missing_beacons("rec-1", 0, 2**31 - 1) == 2**31 - 4


def test_one_worker_at_a_time_and_a_lost_lease_writes_nothing(store: SessionStore) -> None:
    store.save_beacons([write(0)])
    first = store.take_lease("rec-1", "worker-a", T0, LEASE_MS)
    assert first is not None
    assert store.take_lease("rec-1", "worker-b", T0 + 1, LEASE_MS) is None
    assert store.take_lease("rec-1", "worker-a", T0 + 2, LEASE_MS) is not None  # renewed by its owner
    assert [p.recording_id for p in store.pending_processing(10, T0 + 3, T0, "worker-b")] == []
    assert [p.recording_id for p in store.pending_processing(10, T0 + 3, T0, "worker-a")] == ["rec-1"]
    # worker-a stalls past its lease; worker-b takes the recording and moves on.
    later = T0 + 2 + LEASE_MS + 1
    second = store.take_lease("rec-1", "worker-b", later, LEASE_MS)
    assert second is not None
    with pytest.raises(LeaseLost):
        store.save_processing(ProcessingBatch("rec-1", 0, "{}", (), (), later, first))
    store.save_processing(ProcessingBatch("rec-1", 0, '{"v": 2}', (), (), later, second))
    progress = store.progress("rec-1")
    assert progress is not None and (progress.processed_seq, progress.state) == (0, '{"v": 2}')
    store.release_lease(second)
    assert store.take_lease("rec-1", "worker-c", later + 1, LEASE_MS) is not None


def test_segments_open_end_and_compact_and_the_buffer_keeps_what_the_next_one_needs(
    store: SessionStore,
) -> None:
    store.save_beacons([write(seq) for seq in range(4)])
    lease = store.take_lease("rec-1", "w", T0, LEASE_MS)
    assert lease is not None
    first = Segment("rec-1", 0, T0, 0, 0, "")
    second = Segment("rec-1", 1, T0 + 2000, 2, 1, "r30d/app_1/rec-1/kf-000001")  # starts inside beacon 2
    batch = ProcessingBatch(
        "rec-1",
        3,
        "{}",
        (),
        (),
        T0,
        lease,
        ended=(SegmentEnd(0, T0 + 2000, 2, 1, 7, 700),),
        opened=(first, second),
    )
    store.save_processing(batch)
    store.save_processing(batch)  # a round saved twice changes nothing
    segments = store.segments("rec-1")
    assert [(s.idx, s.closed, s.compacted) for s in segments] == [(0, True, False), (1, False, False)]
    assert (
        dataclasses.replace(segments[0], to_seq=None, to_index=None, end_ts=None, events=0, raw_bytes=0)
        == first
    )
    assert (segments[0].to_seq, segments[0].to_index, segments[0].end_ts) == (2, 1, T0 + 2000)
    assert segments[1].holds(2, 1) and not segments[1].holds(2, 0) and segments[0].holds(2, 0)
    # Nothing to compact yet but segment 0, which is closed.
    assert [p.recording_id for p in store.pending_processing(10, T0, T0 - 1, "w")] == ["rec-1"]
    assert store.settle_processing(10) == 0
    store.save_compaction(lease, Compacted("rec-1", 0, "r30d/app_1/rec-1/seg-000000-ab", 7, 700, 120, (0, 1)))
    # Beacon 2 holds events of both segments: it stays buffered until segment 1 is compacted too.
    assert store.buffered_seqs("rec-1") == [2, 3]
    assert [s.compacted for s in store.segments("rec-1")] == [True, False]
    assert store.stored_bytes("app_1") == 120 + sum(len(f"events of rec-1/{n}".encode()) for n in (2, 3))
    store.release_lease(lease)
    assert store.pending_processing(10, T0, T0 - 1) == []  # open segment, recording not quiet yet
    assert store.settle_processing(10) == 0  # it will be work once the recording is quiet
    assert [p.recording_id for p in store.pending_processing(10, T0, T0 + 10_000)] == ["rec-1"]
    # A beacon arriving after its segment was compacted makes the recording pending again.
    store.save_beacons([write(1, recording="rec-1")])  # a duplicate: nothing new
    assert store.pending_processing(10, T0, T0 - 1) == []


def test_a_late_beacon_below_the_compacted_segments_is_work_to_do(store: SessionStore) -> None:
    store.save_beacons([write(seq) for seq in (0, 2)])  # 1 is missing
    lease = store.take_lease("rec-1", "w", T0, LEASE_MS)
    assert lease is not None
    ended = (SegmentEnd(0, T0 + 2501, 3, 0, 6, 600),)
    opened = (Segment("rec-1", 0, T0, 0, 0, ""),)
    store.save_processing(ProcessingBatch("rec-1", 2, "{}", (), (), T0, lease, ended=ended, opened=opened))
    store.save_compaction(lease, Compacted("rec-1", 0, "r30d/app_1/rec-1/seg-000000-cd", 6, 600, 90, (0, 2)))
    store.release_lease(lease)
    assert store.buffered_seqs("rec-1") == [] and store.pending_processing(10, T0, T0 - 1) == []
    assert store.settle_processing(10) == 1  # nothing left: off the worker's list
    store.save_beacons([write(1)])  # it waited in a browser's stash
    assert store.buffered_seqs("rec-1") == [1]
    assert store.settle_processing(10) == 0
    assert [p.recording_id for p in store.pending_processing(10, T0, T0 - 1)] == ["rec-1"]


def test_a_recording_without_work_leaves_the_workers_list_until_its_next_beacon(store: SessionStore) -> None:
    def pending() -> list[str]:
        return [p.recording_id for p in store.pending_processing(10, T0, T0 - 1)]

    store.save_beacons([write(seq, recording=rec) for rec in ("rec-1", "rec-2") for seq in (0, 1)])
    assert store.settle_processing(10) == 0 and pending() == ["rec-1", "rec-2"]
    lease = store.take_lease("rec-1", "w", T0, LEASE_MS)
    assert lease is not None
    store.save_processing(ProcessingBatch("rec-1", 1, "{}", (), (), T0, lease))
    store.release_lease(lease)
    assert pending() == ["rec-2"]
    assert store.settle_processing(10) == 1  # rec-1; rec-2 still has beacons to process
    assert store.settle_processing(10) == 0 and pending() == ["rec-2"]
    store.save_beacons([write(1, recording="rec-1")])  # a retry of a stored beacon is nothing new
    assert pending() == ["rec-2"]
    store.save_beacons([write(2, recording="rec-1")])
    assert pending() == ["rec-2", "rec-1"] and store.settle_processing(10) == 0  # by last beacon


@pytest.mark.parametrize("engine", ["sqlite", "postgres"])
def test_a_finding_out_of_date_is_never_written_while_other_workers_settle(
    engine: str, request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two workers on one store: A finds rec-1 without work; before A writes that, B settles it too and a
    beacon comes. A's finding must not take rec-1 off the list (the count came back to what A read, had
    B's settling reset it)."""
    if engine == "sqlite":
        a, b = (
            sqlite_session_store(tmp_path / "reel.sqlite3"),
            sqlite_session_store(tmp_path / "reel.sqlite3"),
        )
    else:
        url = request.getfixturevalue("new_pg_database")()
        a, b = open_session_store(url), open_session_store(url)

    def processed(seq: int) -> None:
        lease = a.take_lease("rec-1", "w", T0, LEASE_MS)
        assert lease is not None
        a.save_processing(ProcessingBatch("rec-1", seq, "{}", (), (), T0, lease))
        a.release_lease(lease)

    try:
        a.create_application(Application("app_1", "A1", "rk-1", ("https://a.example",), created_at=T0))
        a.save_beacons([write(0)])
        processed(0)
        assert a.settle_processing(10) == 1
        a.save_beacons([write(1)])
        processed(1)
        read, interleaved = sql.Tx.all, []

        def read_then_b(tx: sql.Tx, statement: str, params: Sequence[Any] = ()) -> list[sql.Row]:
            found = read(tx, statement, params)
            if statement.startswith("SELECT r.id, r.due") and not interleaved:
                interleaved.append(found)  # A has read; B acts before A writes
                assert b.settle_processing(10) == 1  # B's finding is current: written
                b.save_beacons([write(2)])
            return found

        monkeypatch.setattr(sql.Tx, "all", read_then_b)
        assert a.settle_processing(10) == 0 and interleaved[0]
        assert [p.recording_id for p in a.pending_processing(10, T0, T0 - 1)] == ["rec-1"]
    finally:
        a.close()
        b.close()
