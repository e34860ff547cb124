"""A group of beacons saved in one SQL transaction with a fixed number of statements, whatever its size.

The group's rows are read first, a statement per table (the recordings' claims, locked in id order; the
beacons already stored; deleted recordings; the sessions the beacons fold into), then every beacon is
decided in order in memory exactly as if each were saved alone after the ones before it (a retry inside
the group is a duplicate of the first; a new recorder session closes the recording's other open ones),
and what changed is written with one statement per table. On PostgreSQL the reads share one round trip
and the writes another (psycopg's pipeline), so with BEGIN, the new recordings' claims and COMMIT a group
costs five round trips, not a dozen per beacon; on SQLite it saves the savepoints and lookups per beacon.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from reel.domain.changes import changed
from reel.domain.records import Session, StoredBeacon
from reel.errors import Conflict, Gone, ReelError
from reel.storage import sql_rows as rows
from reel.storage.session_store import BeaconWrite, OtherClockOffset, SaveResult
from reel.storage.sql import Row, Tx, chunked, padded, placeholders
from reel.storage.sql_retention import requeue_if_deleted

Answer = SaveResult | OtherClockOffset | ReelError
_GONE = "this recording was deleted; its beacons are no longer stored"


class ClaimRaced(Exception):
    """Another process claimed one of the group's new recordings while this group was being decided (only
    PostgreSQL has concurrent writers): the group is decided again in a new transaction."""


@dataclass(frozen=True)
class _Claim:
    app_id: str
    clock_offset_ms: int


@dataclass
class _Group:
    """What the group reads, then what it will write."""

    claims: dict[str, _Claim]
    known: frozenset[str]
    """Recordings claimed before this group (they may have sessions of other recorder sessions)."""
    stored: dict[tuple[str, int], str]
    """(recording_id, seq) -> session id, of the beacons stored before and in this group."""
    deleted: frozenset[str]
    current: dict[tuple[str, str, str], Session]
    """(app, recording, recorder session) -> its last part."""
    claimed: dict[str, tuple[str, int, int]] = field(default_factory=dict)
    """New recordings: id -> (app id, created at, clock offset)."""
    changed: dict[str, Session] = field(default_factory=dict)
    replaced: list[tuple[str, str]] = field(default_factory=list)
    """(recording, recorder session) that began on a recording known before: the recording's other open
    sessions are closed as idle."""
    received: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Recording -> (highest seq, latest receive time) of the beacons stored in this group."""
    beacons: list[StoredBeacon] = field(default_factory=list)
    payloads: list[tuple[str, int, bytes]] = field(default_factory=list)


def save_group(tx: Tx, writes: Sequence[BeaconWrite]) -> list[Answer]:
    """Save `writes` in the open transaction (see SessionStore.save_beacons); ClaimRaced if another
    process claimed one of its new recordings meanwhile (roll back and call again)."""
    group = _read(tx, writes)
    answers = [_decide(tx, group, write) for write in writes]
    _write(tx, group)
    return answers


def _read(tx: Tx, writes: Sequence[BeaconWrite]) -> _Group:
    """Everything the group's decisions depend on, in one round trip on PostgreSQL."""
    recordings = sorted({w.key.recording_id for w in writes})
    seqs = sorted({(w.beacon.recording_id, w.beacon.seq) for w in writes})
    keys = sorted({(w.key.recording_id, w.key.client_session_id) for w in writes})
    # Locked in id order, so two processes saving groups never wait on each other in a circle.
    locked = f" ORDER BY id{tx.dialect.for_update}"
    kinds = [
        [
            _in("SELECT id, app_id, clock_offset_ms FROM recordings", "id", p, locked)
            for p in chunked(recordings)
        ],
        [_in("SELECT recording_id FROM deleted_recordings", "recording_id", p) for p in chunked(recordings)],
        [_any_of("SELECT recording_id, seq, session_id FROM beacons", "seq", p) for p in chunked(seqs)],
        [
            _any_of(f"SELECT {rows.SESSION_COLUMNS} FROM sessions", "client_session_id", p)
            for p in chunked(keys)
        ],
    ]
    answers = iter(tx.all_of([q for kind in kinds for q in kind]))
    claims_rows, deleted_rows, stored_rows, session_rows = (
        [r for _ in kind for r in next(answers)] for kind in kinds
    )
    claims = {str(r["id"]): _Claim(str(r["app_id"]), int(r["clock_offset_ms"])) for r in claims_rows}
    stored = {(str(r["recording_id"]), int(r["seq"])): str(r["session_id"]) for r in stored_rows}
    current: dict[tuple[str, str, str], Session] = {}
    for r in session_rows:
        _keep_last_part(current, r)
    deleted = frozenset(str(r["recording_id"]) for r in deleted_rows)
    return _Group(claims, frozenset(claims), stored, deleted, current)


def _in(select: str, column: str, values: Sequence[str], tail: str = "") -> tuple[str, list[Any]]:
    """`select` of the rows whose `column` is one of `values`."""
    values = padded(values)
    return f"{select} WHERE {column} IN ({placeholders(len(values))}){tail}", values


def _any_of(select: str, column: str, pairs: Sequence[tuple[str, Any]]) -> tuple[str, list[Any]]:
    """`select` of the rows of any of `pairs`: a recording, and its value of `column`."""
    pairs = padded(pairs)
    where = " OR ".join([f"(recording_id = ? AND {column} = ?)"] * len(pairs))
    return f"{select} WHERE {where}", [v for pair in pairs for v in pair]


def _keep_last_part(current: dict[tuple[str, str, str], Session], row: Row) -> None:
    key = (str(row["app_id"]), str(row["recording_id"]), str(row["client_session_id"]))
    found = current.get(key)
    if found is None or int(row["part"]) > found.part:
        current[key] = rows.session(row)


def _decide(tx: Tx, group: _Group, write: BeaconWrite) -> Answer:
    """One beacon's outcome, given the ones before it in the group (what SqlSessionStore did beacon by
    beacon); what it stores is added to the group's writes."""
    beacon, key = write.beacon, write.key
    rec = key.recording_id
    claim = group.claims.get(rec)
    # Another application's recording is refused before anything is said about its beacons (a duplicate
    # answer would tell that application which seqs exist).
    if claim is not None and claim.app_id != key.app_id:
        return Conflict("recording belongs to another application", field="recording_id")
    offset = claim.clock_offset_ms if claim is not None else write.clock_offset_ms or 0
    earlier = group.stored.get((beacon.recording_id, beacon.seq))
    if earlier is not None:
        return SaveResult(duplicate=True, session_id=earlier, clock_offset_ms=offset)
    if write.clock_offset_ms is not None and offset != write.clock_offset_ms:
        return OtherClockOffset(offset)
    if rec in group.deleted and requeue_if_deleted(tx, rec, write.written_keys):
        # It may also have dropped a claim made again for the recording (nothing else used it).
        if tx.one("SELECT 1 AS found FROM recordings WHERE id = ?", (rec,)) is None:
            group.claims.pop(rec, None)
        return Gone(_GONE, field="recording_id")
    if claim is None:  # the recording's first beacon claims it (the first claim wins: rows are locked)
        group.claims[rec] = _Claim(key.app_id, offset)
        group.claimed[rec] = (key.app_id, beacon.received_at, offset)
    session_key = (key.app_id, rec, key.client_session_id)
    current = group.current.get(session_key)
    if current is None:
        # A new recorder session on a recording means the user came back after the idle timeout.
        _close_others(group, rec, key.client_session_id)
    updated = write.fold(current)
    group.current[session_key] = updated
    group.changed[updated.id] = updated
    high, latest = group.received.get(rec, (beacon.seq, beacon.received_at))
    group.received[rec] = (max(high, beacon.seq), max(latest, beacon.received_at))
    group.beacons.append(changed(beacon, session_id=updated.id))
    group.stored[(beacon.recording_id, beacon.seq)] = updated.id
    if write.payload:
        group.payloads.append((beacon.recording_id, beacon.seq, write.payload))
    return SaveResult(duplicate=False, session_id=updated.id, clock_offset_ms=offset)


def _close_others(group: _Group, rec: str, client_session_id: str) -> None:
    """Close the recording's other open sessions as idle: those read or written in this group here, the
    others (stored before) by one UPDATE in `_write`."""
    if rec in group.known:
        group.replaced.append((rec, client_session_id))
    for skey, s in group.current.items():
        if skey[1] == rec and skey[2] != client_session_id and not s.closed:
            closed = changed(s, closed=True, close_reason="idle")
            group.current[skey] = closed
            group.changed[closed.id] = closed


def _write(tx: Tx, group: _Group) -> None:
    """The group's rows, one statement per table (one more per 500 keys); foreign keys in order:
    recordings, sessions, beacons."""
    if group.claimed:
        new = [(rec, app, at, offset) for rec, (app, at, offset) in sorted(group.claimed.items())]
        made = tx.insert(
            "INSERT INTO recordings (id, app_id, created_at, clock_offset_ms) VALUES",
            new,
            "ON CONFLICT (id) DO NOTHING",
        )
        if made != len(new):
            raise ClaimRaced("another process claimed a recording of this group first")
    # Every recording of the group is locked now (read FOR UPDATE, or just inserted), so no other
    # process writes what follows meanwhile: it is sent at once, and its counts are not needed.
    with tx.together():
        for part in chunked(group.replaced):
            tx.run(
                "UPDATE sessions SET closed = 1, close_reason = 'idle' WHERE closed = 0 AND ("
                + " OR ".join(["(recording_id = ? AND client_session_id != ?)"] * len(part))
                + ")",
                [v for pair in part for v in pair],
            )
        tx.many(
            "UPDATE recordings SET max_seq = CASE WHEN max_seq > ? THEN max_seq ELSE ? END, "
            "last_received_at = CASE WHEN last_received_at > ? THEN last_received_at ELSE ? END, "
            f"{rows.COUNT_DUE} WHERE id = ?",
            [(seq, seq, at, at, rec) for rec, (seq, at) in sorted(group.received.items())],
        )
        rows.upsert_sessions(tx, list(group.changed.values()))
        tx.insert(
            f"INSERT INTO beacons ({rows.BEACON_COLUMNS}) VALUES",
            [rows.beacon_values(b) for b in group.beacons],
        )
        tx.insert("INSERT INTO beacon_buffer (recording_id, seq, payload) VALUES", group.payloads)
