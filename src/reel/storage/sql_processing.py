"""Processing's side of the SQL session store: the buffer, segments, leases, rounds and compaction.

A worker takes a recording's lease, reads its buffered beacons, and writes what it found (actions, split
parts, segments ended and opened, its state) in one transaction that first checks the lease is still its
own. Compaction then records a segment's blob and deletes the buffered payloads it made redundant, in one
transaction as well: a beacon's events are in the buffer or in a compacted segment, never lost between.
"""

from __future__ import annotations

from collections.abc import Sequence

from reel.domain.records import (
    Compacted,
    Lease,
    ProcessingBatch,
    ProcessingProgress,
    Segment,
    StoredAction,
)
from reel.domain.sessions import split_session, with_counters
from reel.errors import LeaseLost
from reel.storage import sql_rows as rows
from reel.storage.sql import Tx, chunked, placeholders, record
from reel.storage.sql_retention import SqlRetention, requeue_if_deleted

_PROGRESS = "recording_id, processed_seq, state, updated_at, state_key"
# Below this seq every buffered beacon should be in a compacted segment: the first uncompacted
# segment's start, or past the last compacted one. A buffered beacon below it arrived late.
_COMPACT_BELOW = (
    "COALESCE((SELECT MIN(s.from_seq) FROM segments s WHERE s.recording_id = ? AND s.blob_key = ''), "
    "(SELECT MAX(s.to_seq) FROM segments s WHERE s.recording_id = ?), 0)"
)


def _work(open_segment: str) -> str:
    """The condition on a recording `r` (with its progress `p`) that it has work: beacons past its processed
    seq, a segment not compacted (`open_segment` narrows the open ones), or a buffered beacon that arrived
    after its segment was compacted."""
    return (
        "(r.max_seq > COALESCE(p.processed_seq, -1)"
        " OR EXISTS (SELECT 1 FROM segments s WHERE s.recording_id = r.id AND s.blob_key = ''"
        f" {open_segment})"
        " OR EXISTS (SELECT 1 FROM beacon_buffer b WHERE b.recording_id = r.id"
        " AND b.seq < COALESCE(p.compact_below_seq, 0)))"
    )


class SqlProcessing(SqlRetention):
    """Buffer, segments, leases and processing rounds of the SQL session store."""

    # buffer and segments

    def buffered(self, recording_id: str, seqs: Sequence[int]) -> dict[int, bytes]:
        out: dict[int, bytes] = {}
        with self.db.read() as tx:
            for part in chunked(sorted(set(seqs))):
                for r in tx.all(
                    "SELECT seq, payload FROM beacon_buffer WHERE recording_id = ? "
                    f"AND seq IN ({placeholders(len(part))})",
                    (recording_id, *part),
                ):
                    out[int(r["seq"])] = bytes(r["payload"])
        return out

    def buffered_seqs(self, recording_id: str) -> list[int]:
        with self.db.read() as tx:
            found = tx.all(
                "SELECT seq FROM beacon_buffer WHERE recording_id = ? ORDER BY seq", (recording_id,)
            )
        return [int(r["seq"]) for r in found]

    def segments(self, recording_id: str) -> list[Segment]:
        with self.db.read() as tx:
            found = tx.all(
                f"SELECT {rows.SEGMENT_COLUMNS} FROM segments WHERE recording_id = ? ORDER BY idx",
                (recording_id,),
            )
        return [rows.segment(r) for r in found]

    # leases and progress

    def pending_processing(
        self, limit: int, now: int, quiet_before: int, owner: str = ""
    ) -> list[ProcessingProgress]:
        # Only due recordings (a partial index): the others were settled and got no beacon since.
        with self.db.read() as tx:
            found = tx.all(
                "SELECT r.id AS recording_id, COALESCE(p.processed_seq, -1) AS processed_seq, "
                "COALESCE(p.state, '') AS state, COALESCE(p.updated_at, 0) AS updated_at, "
                "COALESCE(p.state_key, '') AS state_key "
                "FROM recordings r LEFT JOIN processing p ON p.recording_id = r.id "
                "WHERE r.due > 0 AND r.max_seq >= 0 "
                "AND (p.lease_owner IS NULL OR p.lease_owner IN ('', ?) OR p.lease_until < ?) AND "
                + _work("AND (s.to_seq IS NOT NULL OR r.last_received_at <= ?)")
                + " ORDER BY r.last_received_at, r.id LIMIT ?",
                (owner, now, quiet_before, limit),
            )
        return [record(ProcessingProgress, r) for r in found]

    def settle_processing(self, limit: int) -> int:
        # Read first, and write only what was found: most passes find nothing, and on SQLite a write
        # transaction a second would hold the lock the serving process's group commits wait on.
        with self.db.read() as tx:
            found = tx.all(
                "SELECT r.id, r.due FROM recordings r LEFT JOIN processing p ON p.recording_id = r.id "
                f"WHERE r.due > 0 AND NOT {_work('')} LIMIT ?",
                (limit,),
            )
        if not found:
            return 0
        # Only at the count read with the finding: a group stored since counted `due` past it, and the
        # count's size never goes back (a settled count is negated, the next group makes it positive
        # again one past it), so no later group can restore it; what gives a recording new work (a
        # group, a round opening a segment) counts it up too. In id order, as the group commit locks
        # recordings (a rare deadlock is left to PostgreSQL to break: settling is retried next round).
        with self.db.write() as tx:
            return tx.many(
                "UPDATE recordings SET due = -due WHERE id = ? AND due = ?",
                sorted((str(r["id"]), int(r["due"])) for r in found),
            )

    def progress(self, recording_id: str) -> ProcessingProgress | None:
        with self.db.read() as tx:
            row = tx.one(f"SELECT {_PROGRESS} FROM processing WHERE recording_id = ?", (recording_id,))
        return record(ProcessingProgress, row) if row else None

    def take_lease(self, recording_id: str, owner: str, now: int, duration_ms: int) -> Lease | None:
        until = now + duration_ms
        with self.db.write() as tx:
            tx.run(
                "INSERT INTO processing "
                "(recording_id, processed_seq, state_key, updated_at, lease_owner, lease_until) "
                "VALUES (?, -1, '', ?, ?, ?) ON CONFLICT (recording_id) DO UPDATE SET "
                "lease_owner = excluded.lease_owner, lease_until = excluded.lease_until "
                "WHERE processing.lease_owner = '' OR processing.lease_owner = excluded.lease_owner "
                "OR processing.lease_until < ?",
                (recording_id, now, owner, until, now),
            )
            holder = tx.value("SELECT lease_owner FROM processing WHERE recording_id = ?", (recording_id,))
        return Lease(recording_id, owner, until) if holder == owner else None

    def release_lease(self, lease: Lease) -> None:
        with self.db.write() as tx:
            tx.run(
                "UPDATE processing SET lease_owner = '', lease_until = 0 "
                "WHERE recording_id = ? AND lease_owner = ?",
                (lease.recording_id, lease.owner),
            )

    # a processing round

    def save_processing(self, batch: ProcessingBatch) -> None:
        with self.db.write() as tx:
            tx.lock("recordings", "id", batch.recording_id)
            _check_lease(tx, batch.lease)
            if batch.opened:
                # A round that opens a segment gives the recording work of its own (compacting it once
                # quiet): counted as a group counts, so no finding made before this round is written.
                tx.run(f"UPDATE recordings SET {rows.COUNT_DUE} WHERE id = ?", (batch.recording_id,))
            written = (
                *(p.checkpoint_key for p in batch.parts),
                *(s.keyframe_key for s in batch.opened if s.keyframe_key),
            )
            if requeue_if_deleted(tx, batch.recording_id, written):
                return
            touched: set[str] = set()
            for part in batch.parts:
                row = tx.one(
                    f"SELECT {rows.SESSION_COLUMNS} FROM sessions WHERE id = ?", (part.closed_session_id,)
                )
                if row is None:
                    continue
                ended, opened = split_session(rows.session(row), part, batch.now)
                rows.upsert_session(tx, ended)
                if tx.one("SELECT 1 AS found FROM sessions WHERE id = ?", (opened.id,)) is None:
                    rows.upsert_session(tx, opened)
                tx.run(
                    "INSERT INTO checkpoints (recording_id, ts, blob_key, stored_bytes) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (recording_id, ts) DO NOTHING",
                    (batch.recording_id, part.at, part.checkpoint_key, part.checkpoint_bytes),
                )
                touched.update((ended.id, opened.id))
            tx.many(
                f"INSERT INTO actions ({rows.ACTION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (recording_id, ts, kind, target, label) DO NOTHING",
                [rows.action_values(a) for a in batch.actions],
            )
            touched.update(a.session_id for a in batch.actions)
            _recount(tx, sorted(touched))
            # A period starting where a stored one starts is the same period, known longer now.
            tx.many(
                "INSERT INTO idle_periods (recording_id, start_ts, end_ts, session_id) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (recording_id, start_ts) DO UPDATE SET end_ts = CASE WHEN "
                "excluded.end_ts > idle_periods.end_ts THEN excluded.end_ts ELSE idle_periods.end_ts END",
                [(batch.recording_id, p.start, p.end, p.session_id) for p in batch.idle],
            )
            # Opened first: a round may open a segment and end it again (several keyframes at once).
            tx.many(
                f"INSERT INTO segments ({rows.SEGMENT_COLUMNS}) "
                "VALUES (?, ?, ?, NULL, ?, ?, NULL, NULL, ?, '', 0, 0, 0) "
                "ON CONFLICT (recording_id, idx) DO NOTHING",
                [
                    (s.recording_id, s.idx, s.start_ts, s.from_seq, s.from_index, s.keyframe_key)
                    for s in batch.opened
                ],
            )
            tx.many(
                "UPDATE segments SET end_ts = ?, to_seq = ?, to_index = ?, events = ?, raw_bytes = ? "
                "WHERE recording_id = ? AND idx = ? AND to_seq IS NULL",
                [
                    (e.end_ts, e.to_seq, e.to_index, e.events, e.raw_bytes, batch.recording_id, e.idx)
                    for e in batch.ended
                ],
            )
            tx.run(
                "UPDATE processing SET processed_seq = ?, state = ?, state_key = '', updated_at = ?, "
                f"compact_below_seq = {_COMPACT_BELOW} WHERE recording_id = ?",
                (
                    batch.processed_seq,
                    batch.state,
                    batch.now,
                    batch.recording_id,
                    batch.recording_id,
                    batch.recording_id,
                ),
            )

    def save_compaction(self, lease: Lease, compacted: Compacted) -> None:
        rec = compacted.recording_id
        with self.db.write() as tx:
            tx.lock("recordings", "id", rec)
            _check_lease(tx, lease)
            tx.run(
                "UPDATE segments SET blob_key = ?, events = ?, raw_bytes = ?, stored_bytes = ? "
                "WHERE recording_id = ? AND idx = ?",
                (
                    compacted.blob_key,
                    compacted.events,
                    compacted.raw_bytes,
                    compacted.stored_bytes,
                    rec,
                    compacted.idx,
                ),
            )
            for part in chunked(compacted.released_seqs):
                tx.run(
                    "DELETE FROM beacon_buffer WHERE recording_id = ? "
                    f"AND seq IN ({placeholders(len(part))})",
                    (rec, *part),
                )
            tx.run(
                f"UPDATE processing SET compact_below_seq = {_COMPACT_BELOW} WHERE recording_id = ?",
                (rec, rec, rec),
            )


def _recount(tx: Tx, session_ids: Sequence[str]) -> None:
    """Each session's counters from its stored actions: its row and every action read at once, every row
    written by one call (a round trip or two on PostgreSQL, not three per session)."""
    for part in chunked(session_ids):
        marks = placeholders(len(part))
        found = tx.all(f"SELECT {rows.SESSION_COLUMNS} FROM sessions WHERE id IN ({marks})", part)
        own: dict[str, list[StoredAction]] = {}
        for r in tx.all(f"SELECT {rows.ACTION_COLUMNS} FROM actions WHERE session_id IN ({marks})", part):
            own.setdefault(str(r["session_id"]), []).append(rows.action(r))
        sessions = sorted((rows.session(r) for r in found), key=lambda s: s.id)
        rows.upsert_sessions(tx, [with_counters(s, own.get(s.id, [])) for s in sessions])


def _check_lease(tx: Tx, lease: Lease) -> None:
    holder = tx.value(
        f"SELECT lease_owner FROM processing WHERE recording_id = ?{tx.dialect.for_update}",
        (lease.recording_id,),
    )
    if holder != lease.owner:
        raise LeaseLost(f"recording {lease.recording_id} is being processed by another worker now")
