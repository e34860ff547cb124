"""Rows of the session store's tables and the records they hold, named once for every SQL backend."""

from __future__ import annotations

from typing import Any

import orjson

from reel.domain.records import Application, Segment, Session, StoredAction, StoredBeacon
from reel.storage.sql import Row, Tx, record

APP_COLUMNS = "id, name, app_key, origins, created_at, enabled, retention_days, mobile"
SESSION_COLUMNS = (
    'id, app_id, recording_id, client_session_id, part, start_ts AS start, end_ts AS "end", first_url, '
    "last_url, pages, beacons, events, min_seq, max_seq, has_full_snapshot, has_meta, closed, created_at, "
    "updated_at, user_id, actions, errors, rage_clicks, dead_clicks, platform, close_reason, rules_version, "
    "browser, os, device, viewport_width, viewport_height, language, timezone, referrer, traits"
)
_SESSION_FIELDS = (
    "id, app_id, recording_id, client_session_id, part, start_ts, end_ts, first_url, last_url, pages, "
    "beacons, events, min_seq, max_seq, has_full_snapshot, has_meta, closed, created_at, updated_at, "
    "user_id, actions, errors, rage_clicks, dead_clicks, platform, close_reason, rules_version, "
    "browser, os, device, viewport_width, viewport_height, language, timezone, referrer, traits"
)
_UPDATED = [c.strip() for c in _SESSION_FIELDS.split(",")][5:]
_UPSERT_SESSION = (
    f"INSERT INTO sessions ({_SESSION_FIELDS}) VALUES ({', '.join('?' * 36)}) ON CONFLICT (id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in _UPDATED if c != "created_at")
)
BEACON_COLUMNS = (
    "app_id, recording_id, seq, session_id, blob_key, received_at, first_ts, last_ts, events, "
    "stored_bytes, final"
)
ACTION_COLUMNS = "recording_id, session_id, app_id, ts, kind, url, target, label, data"
SEGMENT_COLUMNS = (
    "recording_id, idx, start_ts, end_ts, from_seq, from_index, to_seq, to_index, keyframe_key, blob_key, "
    "events, raw_bytes, stored_bytes"
)
COUNT_DUE = "due = ABS(due) + 1"
"""A recording got work: the workers look at it again (SqlProcessing.settle_processing negates a settled
count; this makes it positive again, one past it, so the count's size never goes back)."""
SORT_COLUMNS = {
    "start": "start_ts",
    "duration": "(end_ts - start_ts)",
    "actions": "actions",
    "errors": "errors",
}


def application(row: Row) -> Application:
    """An application from its row."""
    return record(Application, row, origins=tuple(orjson.loads(row["origins"])))


def session(row: Row) -> Session:
    """A session from a row selected with SESSION_COLUMNS."""
    traits = orjson.loads(row["traits"]) if row["traits"] else {}
    return record(Session, row, traits=traits if isinstance(traits, dict) else {})


def beacon(row: Row) -> StoredBeacon:
    """A beacon row."""
    return record(StoredBeacon, row)


def action(row: Row) -> StoredAction:
    """An action row (its data is JSON text)."""
    return record(StoredAction, row, data=orjson.loads(row["data"]))


def segment(row: Row) -> Segment:
    """A segment row."""
    return record(Segment, row)


def upsert_session(tx: Tx, s: Session) -> None:
    """Insert a session or replace every column of it but its creation time."""
    tx.run(_UPSERT_SESSION, _session_values(s))


def upsert_sessions(tx: Tx, sessions: list[Session]) -> None:
    """`upsert_session` for each of `sessions` (distinct ids), in one call to the driver: one statement
    prepared once (a multi-row upsert of 36 columns cost PostgreSQL more to plan than it saved)."""
    tx.many(_UPSERT_SESSION, [_session_values(s) for s in sessions])


def _session_values(s: Session) -> tuple[Any, ...]:
    return (
        s.id,
        s.app_id,
        s.recording_id,
        s.client_session_id,
        s.part,
        s.start,
        s.end,
        s.first_url,
        s.last_url,
        s.pages,
        s.beacons,
        s.events,
        s.min_seq,
        s.max_seq,
        int(s.has_full_snapshot),
        int(s.has_meta),
        int(s.closed),
        s.created_at,
        s.updated_at,
        s.user_id,
        s.actions,
        s.errors,
        s.rage_clicks,
        s.dead_clicks,
        s.platform,
        s.close_reason,
        s.rules_version,
        s.browser,
        s.os,
        s.device,
        s.viewport_width,
        s.viewport_height,
        s.language,
        s.timezone,
        s.referrer,
        orjson.dumps(s.traits).decode(),
    )


def beacon_values(b: StoredBeacon) -> tuple[Any, ...]:
    """The values of a beacon row, in BEACON_COLUMNS order."""
    return (
        b.app_id,
        b.recording_id,
        b.seq,
        b.session_id,
        b.blob_key,
        b.received_at,
        b.first_ts,
        b.last_ts,
        b.events,
        b.stored_bytes,
        int(b.final),
    )


def action_values(a: StoredAction) -> tuple[Any, ...]:
    """The values of an action row, in ACTION_COLUMNS order."""
    return (
        a.recording_id,
        a.session_id,
        a.app_id,
        a.ts,
        a.kind,
        a.url,
        a.target,
        a.label,
        orjson.dumps(a.data).decode(),
    )


def user_is(user_id: str) -> str:
    """The condition that a session is `user_id`'s (one parameter): with `!= ''` for an identified user,
    which names the partial index of identified users' sessions (neither engine infers it from a
    parameter), so their sessions are found by index, not by reading every session."""
    return "user_id = ? AND user_id != ''" if user_id else "user_id = ?"
