"""Contract: claiming a recording (owner and client clock offset), on its own or by a beacon's group commit,
the same on every session store."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from reel.domain.beacons import BeaconSummary
from reel.domain.records import Application, RecordingClaim, Session, SessionKey, StoredBeacon
from reel.domain.sessions import BeaconFacts, fold_beacon
from reel.storage.chunks import encode_events
from reel.storage.session_store import BeaconWrite, OtherClockOffset, SaveResult, SessionStore, save_beacon
from services import SESSION_BACKENDS, open_session_backend

T0 = 1_764_240_000_000


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


def test_the_first_claim_creates_the_recording_and_later_ones_read_it(store: SessionStore) -> None:
    assert store.claim_recording("app_1", "rec-1", 86_400_000, T0) == RecordingClaim("app_1", 86_400_000)
    assert store.claim_recording("app_1", "rec-1", 0, T0 + 5) == RecordingClaim("app_1", 86_400_000)
    assert store.claim_recording("app_2", "rec-1", -5, T0 + 9) == RecordingClaim("app_1", 86_400_000)
    assert store.recording_app("rec-1") == "app_1"


def test_concurrent_first_claims_agree_on_one_winner(store: SessionStore) -> None:
    results: list[RecordingClaim] = []
    lock = threading.Lock()

    def claim(offset: int) -> None:
        got = store.claim_recording("app_1", "rec-race", offset, T0)
        with lock:
            results.append(got)

    threads = [threading.Thread(target=claim, args=(i * 1000,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(results)) == 1 and len(results) == 8


# Claimed by the group commit: a new recording's first beacon claims it in its own transaction


def _write(recording: str, seq: int, offset: int | None, moved: list[int] | None = None) -> BeaconWrite:
    """A beacon write whose events were moved by `offset`; `moved` records the offsets it is moved to."""
    key = SessionKey("app_1", recording, "c-1")
    summary = BeaconSummary(T0 + seq, T0 + seq + 5, 1, (), seq == 0, seq == 0)
    row = StoredBeacon("app_1", recording, seq, "", "", T0, summary.first_ts, summary.last_ts, 1, 0, False)
    facts = BeaconFacts(seq=seq, summary=summary, received_at=T0, final=False)

    def fold(current: Session | None) -> Session:
        return fold_beacon(current, key, facts, f"ses-{recording}")

    def again(other: int) -> BeaconWrite:
        if moved is not None:
            moved.append(other)
        return _write(recording, seq, other, moved)

    return BeaconWrite(key, row, encode_events([]), fold, clock_offset_ms=offset, reshift=again)


def test_a_new_recordings_first_beacon_claims_it_with_its_offset(store: SessionStore) -> None:
    [first] = store.save_beacons([_write("rec-g", 0, 3_600_000)])
    assert isinstance(first, SaveResult) and first.clock_offset_ms == 3_600_000
    assert store.claim_recording("app_2", "rec-g", 0, T0) == RecordingClaim("app_1", 3_600_000)


def test_a_beacon_moved_by_another_offset_than_the_claims_is_not_saved(store: SessionStore) -> None:
    first, second, third = store.save_beacons(
        [_write("rec-g", 0, 3_600_000), _write("rec-g", 1, 0), _write("rec-g", 2, 3_600_000)]
    )
    assert isinstance(first, SaveResult) and isinstance(third, SaveResult)
    assert second == OtherClockOffset(3_600_000)
    assert [b.seq for b in store.beacons("rec-g")] == [0, 2]
    moved: list[int] = []
    result = save_beacon(store, _write("rec-g", 1, 0, moved))
    assert moved == [3_600_000] and not result.duplicate and result.clock_offset_ms == 3_600_000
    assert [b.seq for b in store.beacons("rec-g")] == [0, 1, 2]


def test_a_retry_is_a_duplicate_whatever_offset_it_was_moved_by(store: SessionStore) -> None:
    store.save_beacons([_write("rec-g", 0, 3_600_000)])
    [again] = store.save_beacons([_write("rec-g", 0, 0)])
    assert again == SaveResult(duplicate=True, session_id="ses-rec-g", clock_offset_ms=3_600_000)


def test_a_claim_made_first_is_kept_by_the_group_commit(store: SessionStore) -> None:
    store.claim_recording("app_1", "rec-c", -7_200_000, T0)
    [result] = store.save_beacons([_write("rec-c", 0, None)])
    assert isinstance(result, SaveResult) and result.clock_offset_ms == -7_200_000
    [other] = store.save_beacons([_write("rec-c", 1, 0)])
    assert other == OtherClockOffset(-7_200_000)
