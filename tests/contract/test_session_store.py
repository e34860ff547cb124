"""Contract: every session store backend behaves the same."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from reel.domain.beacons import BeaconSummary
from reel.domain.records import Application, Session, SessionKey, SessionQuery, StoredBeacon
from reel.domain.sessions import BeaconFacts, fold_beacon
from reel.errors import Conflict
from reel.storage.chunks import encode_events
from reel.storage.factory import sqlite_session_store
from reel.storage.session_store import BeaconWrite, SessionStore, save_beacon
from services import SESSION_BACKENDS, open_session_backend

T0 = 1_764_240_000_000


@pytest.fixture(params=SESSION_BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SessionStore]:
    s = open_session_backend(request, tmp_path)
    yield s
    s.close()


def app(n: int = 1) -> Application:
    return Application(
        id=f"app_{n}", name=f"App {n}", app_key=f"rk-{n}", origins=("https://a.example",), created_at=T0 + n
    )


def save(
    store: SessionStore,
    seq: int,
    *,
    app_id: str = "app_1",
    recording: str = "rec-1",
    client: str = "c-1",
    url: str = "https://a.example/",
    new_id: str = "ses_new",
    final: bool = False,
) -> tuple[bool, str]:
    key = SessionKey(app_id, recording, client)
    summary = BeaconSummary(T0 + seq * 1000, T0 + seq * 1000 + 500, 3, (url,), seq == 0, seq == 0)
    facts = BeaconFacts(seq=seq, summary=summary, received_at=T0 + seq, final=final)
    row = StoredBeacon(
        app_id=app_id,
        recording_id=recording,
        seq=seq,
        session_id="",
        blob_key=f"k/{recording}/{seq}",
        received_at=T0 + seq,
        first_ts=summary.first_ts,
        last_ts=summary.last_ts,
        events=3,
        stored_bytes=100,
        final=final,
    )

    def fold(current: Session | None) -> Session:
        return fold_beacon(current, key, facts, new_id)

    result = save_beacon(store, BeaconWrite(key, row, encode_events([]), fold))
    return result.duplicate, result.session_id


def test_applications_round_trip(store: SessionStore) -> None:
    store.create_application(app(1))
    store.create_application(app(2))
    assert store.application("app_1") == app(1)
    assert store.application_by_key("rk-2") == app(2)
    assert store.application_by_key("nope") is None
    assert [a.id for a in store.applications()] == ["app_1", "app_2"]


def test_duplicate_application_key_conflicts(store: SessionStore) -> None:
    store.create_application(app(1))
    with pytest.raises(Conflict):
        store.create_application(dataclasses.replace(app(1), id="app_other"))


def test_a_beacon_is_stored_once(store: SessionStore) -> None:
    store.create_application(app())
    assert save(store, 0) == (False, "ses_new")
    assert save(store, 0, new_id="ses_other") == (True, "ses_new")
    assert [b.seq for b in store.beacons("rec-1")] == [0]
    assert store.beacon_session("rec-1", 0) == "ses_new"
    assert store.beacon_session("rec-1", 1) is None
    session = store.session("ses_new")
    assert session is not None and session.beacons == 1


def test_out_of_order_beacons_fold_into_one_session(store: SessionStore) -> None:
    store.create_application(app())
    for seq in [2, 0, 1]:
        save(store, seq, url=f"https://a.example/p{seq}")
    session = store.session("ses_new")
    assert session is not None
    assert (session.min_seq, session.max_seq, session.beacons, session.events) == (0, 2, 3, 9)
    assert session.first_url == "https://a.example/p0"
    assert session.last_url == "https://a.example/p2"
    assert session.start == T0 and session.end == T0 + 2500
    assert [b.seq for b in store.beacons("rec-1")] == [0, 1, 2]
    assert all(b.session_id == "ses_new" for b in store.beacons("rec-1"))


def test_a_recording_of_another_app_is_refused(store: SessionStore) -> None:
    store.create_application(app(1))
    store.create_application(app(2))
    save(store, 0, app_id="app_1")
    with pytest.raises(Conflict):
        save(store, 1, app_id="app_2", new_id="ses_b")
    assert store.recording_app("rec-1") == "app_1"
    assert store.session("ses_b") is None


def test_listing_is_newest_first_scoped_and_paged(store: SessionStore) -> None:
    store.create_application(app(1))
    store.create_application(app(2))
    for i in range(5):
        save(store, i, recording=f"rec-{i}", new_id=f"ses_{i}", app_id="app_1" if i % 2 == 0 else "app_2")
    page = store.list_sessions(SessionQuery(limit=2))
    assert page.total == 5 and [s.id for s in page.sessions] == ["ses_4", "ses_3"]
    scoped = store.list_sessions(SessionQuery(app_ids=("app_2",)))
    assert [s.id for s in scoped.sessions] == ["ses_3", "ses_1"]
    assert store.list_sessions(SessionQuery(app_ids=())).total == 0
    assert [s.id for s in store.list_sessions(SessionQuery(limit=2, offset=4)).sessions] == ["ses_0"]


def test_final_beacon_closes_the_session(store: SessionStore) -> None:
    store.create_application(app())
    save(store, 0)
    save(store, 1, final=True)
    session = store.session("ses_new")
    assert session is not None and session.closed


def test_concurrent_saves_of_the_same_beacon_store_it_once(store: SessionStore) -> None:
    store.create_application(app())
    results: list[tuple[bool, str]] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        r = save(store, 0, new_id=f"ses_{n}")
        with lock:
            results.append(r)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(1 for dup, _ in results if not dup) == 1
    assert len({sid for _, sid in results}) == 1
    assert len(store.beacons("rec-1")) == 1


def test_sqlite_store_survives_reopen(tmp_path: Path) -> None:
    first = sqlite_session_store(tmp_path / "db.sqlite3")
    first.create_application(app())
    save(first, 0)
    first.close()
    again = sqlite_session_store(tmp_path / "db.sqlite3")
    assert again.application("app_1") == app()
    assert again.beacon_session("rec-1", 0) == "ses_new"
    again.close()
