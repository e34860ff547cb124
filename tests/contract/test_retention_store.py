"""Contract: retention and deletion behave the same on every session store backend."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from reel.domain.beacons import BeaconSummary
from reel.domain.records import (
    Application,
    Lease,
    NewPart,
    ProcessingBatch,
    Session,
    SessionKey,
    SessionQuery,
    StoredAction,
    StoredBeacon,
)
from reel.domain.sessions import BeaconFacts, fold_beacon
from reel.errors import Gone
from reel.storage.keys import beacon_blob_key, checkpoint_blob_key
from reel.storage.retention_store import DAY_MS, AuditEntry
from reel.storage.session_store import BeaconWrite, SessionStore, save_beacon
from services import SESSION_BACKENDS, open_session_backend

T0 = 1_764_240_000_000


@pytest.fixture(params=SESSION_BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SessionStore]:
    s = open_session_backend(request, tmp_path)
    for n, days in ((1, 30), (2, 7)):
        s.create_application(
            Application(
                id=f"app_{n}",
                name=f"A{n}",
                app_key=f"rk-{n}",
                origins=("https://a.example",),
                created_at=T0,
                retention_days=days,
            )
        )
    yield s
    s.close()


def save(
    store: SessionStore,
    seq: int,
    *,
    received_at: int,
    app_id: str = "app_1",
    recording: str = "rec-1",
    client: str = "c-1",
    new_id: str = "ses_a",
    event_ts: int | None = None,
    days: int = 30,
) -> str:
    """Store beacon `seq` received at `received_at` (events at `event_ts`, the client's clock)."""
    key = SessionKey(app_id, recording, client)
    ts = received_at if event_ts is None else event_ts
    summary = BeaconSummary(ts, ts + 500, 3, ("https://a.example/",), seq == 0, seq == 0)
    facts = BeaconFacts(seq=seq, summary=summary, received_at=received_at, final=False)
    blob_key = beacon_blob_key(
        retention_days=days, app_id=app_id, recording_id=recording, seq=seq, digest=f"d{seq}"
    )
    row = StoredBeacon(
        app_id, recording, seq, "", blob_key, received_at, ts, ts + 500, 3, stored_bytes=100 + seq
    )

    def fold(current: Session | None) -> Session:
        return fold_beacon(current, key, facts, new_id)

    # Its events are not buffered (no payload): the row names a blob, as beacons stored before the buffer.
    return save_beacon(store, BeaconWrite(key, row, b"", fold, written_keys=(blob_key,))).session_id


def identify(store: SessionStore, session_id: str, user: str, *, at: int, app_id: str = "app_1") -> None:
    """Processing found `identify(user)` in the session."""
    session = store.session(session_id)
    assert session is not None
    action = StoredAction(session.recording_id, session_id, app_id, at, "identify", "", "", user)
    process(store, ProcessingBatch(session.recording_id, 0, "", (action,), (), at, LEASE))


def split(store: SessionStore, closed: str, opened: str, at: int, *, rec: str = "rec-1") -> None:
    """Processing split `closed` at `at`, with a 1000-byte checkpoint."""
    cp = checkpoint_blob_key(retention_days=30, app_id="app_1", recording_id=rec, ts=at)
    part = NewPart(closed, opened, 2, at, "https://a.example/", cp, checkpoint_bytes=1000)
    process(store, ProcessingBatch(rec, 1, "", (), (part,), at, LEASE))


LEASE = Lease("", "test-worker", 0)


def process(store: SessionStore, batch: ProcessingBatch) -> None:
    """Save a processing round under a lease of the recording."""
    lease = store.take_lease(batch.recording_id, LEASE.owner, batch.now, 60_000)
    assert lease is not None
    store.save_processing(dataclasses.replace(batch, lease=lease))
    store.release_lease(lease)


def test_a_recording_is_past_retention_exactly_retention_days_after_its_last_beacon(
    store: SessionStore,
) -> None:
    save(store, 0, received_at=T0)
    save(store, 1, received_at=T0 + 5000)
    boundary = T0 + 5000 + 30 * DAY_MS
    assert store.recordings_past_retention(boundary - 1, 10) == []
    [expired] = store.recordings_past_retention(boundary, 10)
    assert (expired.recording_id, expired.app_id, expired.last_received_at) == ("rec-1", "app_1", T0 + 5000)
    assert (expired.retention_days, expired.sessions, expired.stored_bytes) == (30, 1, 201)
    deleted = store.delete_recordings(["rec-1"], cause="retention", now=boundary - 1)
    assert deleted.recordings == () and store.session("ses_a") is not None  # not yet, even if asked
    assert store.delete_recordings(["rec-1"], cause="retention", now=boundary).recordings == ("rec-1",)


def test_server_receive_time_governs_retention_not_the_client_clock(store: SessionStore) -> None:
    # The browser's clock is 60 days behind: its events look old, but the beacon arrived just now.
    save(store, 0, received_at=T0, event_ts=T0 - 60 * DAY_MS)
    assert store.recordings_past_retention(T0 + 29 * DAY_MS, 10) == []
    assert [e.recording_id for e in store.recordings_past_retention(T0 + 30 * DAY_MS, 10)] == ["rec-1"]


def test_each_application_has_its_own_retention(store: SessionStore) -> None:
    save(store, 0, received_at=T0, recording="rec-1", new_id="ses_a")
    save(store, 0, received_at=T0, recording="rec-2", app_id="app_2", new_id="ses_b", days=7)
    assert [e.recording_id for e in store.recordings_past_retention(T0 + 7 * DAY_MS, 10)] == ["rec-2"]
    store.set_retention("app_2", 60)
    assert store.recordings_past_retention(T0 + 7 * DAY_MS, 10) == []
    assert [e.recording_id for e in store.recordings_past_retention(T0 + 30 * DAY_MS, 10)] == ["rec-1"]


def test_deleting_a_recording_keeps_tombstones_and_nothing_else(store: SessionStore) -> None:
    save(store, 0, received_at=T0)
    save(store, 1, received_at=T0 + 1000)
    split(store, "ses_a", "ses_a2", T0 + 1500)
    identify(store, "ses_a2", "user-42", at=T0 + 1600)
    save(store, 0, received_at=T0, recording="rec-2", new_id="ses_other")
    assert store.stored_bytes("app_1") == 100 + 101 + 1000 + 100
    audit = AuditEntry(T0 + DAY_MS, "ada", "op_1", "session.delete", "app_1", "session ses_a")
    deleted = store.delete_recordings(["rec-1"], cause="request", now=T0 + DAY_MS, audit=audit)
    assert deleted.recordings == ("rec-1",)
    assert sorted(t.session_id for t in deleted.tombstones) == ["ses_a", "ses_a2"]
    tombstone = store.tombstone("ses_a")
    assert tombstone is not None
    assert (tombstone.app_id, tombstone.recorded_at, tombstone.deleted_at) == ("app_1", T0, T0 + DAY_MS)
    assert (tombstone.cause, tombstone.retention_days) == ("request", 0)
    for gone in ("ses_a", "ses_a2"):
        assert store.session(gone) is None and store.actions(gone) == []
    assert store.beacons("rec-1") == [] and store.checkpoint("rec-1", T0 + 1500) is None
    assert store.recording_app("rec-1") is None and store.beacon_session("rec-1", 0) is None
    assert [s.id for s in store.list_sessions(SessionQuery()).sessions] == ["ses_other"]
    assert store.recordings_of_user(None, "user-42") == []
    assert store.stored_bytes("app_1") == 100  # rec-2 only
    [entry] = store.audit_entries(app_ids=None, actor_id=None, limit=10, offset=0)
    assert (entry.id, entry.count, entry.actor) == (deleted.audit_id, 2, "ada")
    [pending] = store.pending_deletions(10)
    assert pending.recording_id == "rec-1" and pending.pending and pending.cause == "request"
    assert pending.prefixes == ("r30d/app_1/rec-1/",)


def test_deleting_again_changes_nothing(store: SessionStore) -> None:
    save(store, 0, received_at=T0)
    store.delete_recordings(["rec-1"], cause="request", now=T0 + 10)
    again = store.delete_recordings(["rec-1", "rec-unknown"], cause="request", now=T0 + 20)
    assert again.recordings == () and again.tombstones == ()
    tombstone = store.tombstone("ses_a")
    assert tombstone is not None and tombstone.deleted_at == T0 + 10


def test_a_deletion_is_finished_only_at_the_generation_it_was_listed_at(store: SessionStore) -> None:
    save(store, 0, received_at=T0)
    store.delete_recordings(["rec-1"], cause="retention", now=T0 + 31 * DAY_MS)
    [listed] = store.pending_deletions(10)
    # A late beacon arrives for the deleted recording: refused, its blob's prefix queued again.
    with pytest.raises(Gone):
        save(store, 1, received_at=T0 + 31 * DAY_MS, days=90)
    assert store.session("ses_a") is None and store.beacons("rec-1") == []
    assert store.finish_deletion("rec-1", listed.generation) is False
    [again] = store.pending_deletions(10)
    assert again.generation == listed.generation + 1
    assert again.prefixes == ("r30d/app_1/rec-1/", "r90d/app_1/rec-1/")
    assert store.finish_deletion("rec-1", again.generation) is True
    assert store.pending_deletions(10) == []
    done = store.deleted_recording("rec-1")
    assert done is not None and not done.pending and done.cause == "retention"


def test_processing_a_deleted_recording_writes_nothing(store: SessionStore) -> None:
    sid = save(store, 0, received_at=T0)
    store.delete_recordings(["rec-1"], cause="request", now=T0 + 10)
    store.finish_deletion("rec-1", 0)
    action = StoredAction("rec-1", sid, "app_1", T0, "identify", "", "", "user-42")
    process(store, ProcessingBatch("rec-1", 0, "", (action,), (), T0 + 20, LEASE))
    assert store.actions(sid) == [] and store.pending_processing(10, T0 + 30, T0) == []
    assert [d.recording_id for d in store.pending_deletions(10)] == ["rec-1"]


def test_recordings_of_a_user_span_parts_and_respect_the_scope(store: SessionStore) -> None:
    save(store, 0, received_at=T0)
    save(store, 1, received_at=T0 + 1000)
    split(store, "ses_a", "ses_a2", T0 + 1500)
    identify(store, "ses_a2", "user-42", at=T0 + 1600)  # only the second part knows the user
    save(store, 0, received_at=T0, recording="rec-2", app_id="app_2", new_id="ses_b", days=7)
    identify(store, "ses_b", "user-42", at=T0 + 100, app_id="app_2")
    save(store, 0, received_at=T0, recording="rec-3", new_id="ses_c")
    identify(store, "ses_c", "someone-else", at=T0 + 100)
    assert store.recordings_of_user(None, "user-42") == ["rec-1", "rec-2"]
    assert store.recordings_of_user(("app_2",), "user-42") == ["rec-2"]
    assert store.recordings_of_user((), "user-42") == []
    assert store.recordings_of_user(None, "nobody") == []


def test_audit_entries_are_newest_first_and_scoped(store: SessionStore) -> None:
    first = store.append_audit(AuditEntry(T0, "ada", "op_1", "user.delete", None, "user sha256:x", 3))
    second = store.append_audit(AuditEntry(T0 + 1, "bob", "op_2", "session.delete", "app_2", "session s"))
    changed = store.set_retention(
        "app_1",
        90,
        AuditEntry(T0 + 2, "ada", "op_1", "application.retention", "app_1", "app", detail="30->90"),
    )
    assert changed is not None and changed.retention_days == 90
    assert store.set_retention("app_missing", 5) is None
    every = store.audit_entries(app_ids=None, actor_id=None, limit=10, offset=0)
    assert [e.action for e in every] == ["application.retention", "session.delete", "user.delete"]
    assert every[2] == first and first.id < second.id and first.count == 3
    assert every[0].detail == "30->90"
    scoped = store.audit_entries(app_ids=("app_2",), actor_id="op_9", limit=10, offset=0)
    assert [e.action for e in scoped] == ["session.delete"]
    own = store.audit_entries(app_ids=("app_2",), actor_id="op_1", limit=10, offset=0)
    assert [e.action for e in own] == ["application.retention", "session.delete", "user.delete"]
    assert [e.action for e in store.audit_entries(app_ids=None, actor_id=None, limit=1, offset=1)] == [
        "session.delete"
    ]


def test_origins_are_replaced_with_their_audit_entry(store: SessionStore) -> None:
    audit = AuditEntry(T0, "ada", "op_1", "application.origins", "app_1", "app", detail="+https://b.example")
    changed = store.set_origins("app_1", ("https://a.example", "https://b.example"), audit)
    assert changed is not None and changed.origins == ("https://a.example", "https://b.example")
    found = store.application("app_1")
    assert found is not None and found.origins == changed.origins
    assert found.app_key == changed.app_key and found.retention_days == changed.retention_days
    assert store.set_origins("app_missing", ("https://a.example",)) is None
    (entry,) = store.audit_entries(app_ids=None, actor_id=None, limit=10, offset=0)
    assert (entry.action, entry.detail) == ("application.origins", "+https://b.example")


def test_a_claimed_recording_without_beacons_is_not_past_retention(store: SessionStore) -> None:
    store.claim_recording("app_1", "rec-claimed", 0, T0)
    assert store.recordings_past_retention(T0 + 365 * DAY_MS, 10) == []
