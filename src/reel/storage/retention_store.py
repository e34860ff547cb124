"""What the session store keeps for retention and deletion: tombstones, deleted recordings, the audit log.

The unit of deletion is the recording (one browser tab or app run): the sessions of a recording share
its beacons (a split part plays events of beacons stored under an earlier part), its checkpoints and its
processing state, and all its blobs live under one key prefix per retention class. Deleting one session
therefore deletes every session of its recording, each leaving a tombstone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from reel.domain.records import Application
from reel.storage.keys import recording_prefix

DAY_MS = 24 * 60 * 60 * 1000
MIN_RETENTION_DAYS = 1
MAX_RETENTION_DAYS = 3650

Cause = Literal["retention", "request"]
CAUSES: tuple[Cause, ...] = ("retention", "request")


def expires_at(last_received_at: int, retention_days: int) -> int:
    """When a recording whose newest beacon reached the server at `last_received_at` is past retention.

    Server receive times only, never client event times (brief §8): a recording is kept for
    `retention_days` whole days after its last beacon arrived and is past retention from that instant on,
    so one received exactly 30 days ago is purged under a 30-day policy.
    """
    return last_received_at + retention_days * DAY_MS


@dataclass(frozen=True)
class Tombstone:
    """What remains of a deleted session: when it was recorded and deleted, and why. Nothing it showed."""

    session_id: str
    app_id: str
    recorded_at: int
    deleted_at: int
    cause: Cause
    retention_days: int
    """The policy it was purged under (for cause 'retention'); 0 for a deletion request."""


@dataclass(frozen=True)
class ExpiredRecording:
    """A recording past its application's retention, with what purging it frees."""

    recording_id: str
    app_id: str
    last_received_at: int
    retention_days: int
    sessions: int
    stored_bytes: int


@dataclass(frozen=True)
class RecordingDeletion:
    """A deleted recording; while `pending`, blobs under `prefixes` may remain to be deleted.

    `generation` moves on whenever a late write (a beacon or a processing round that raced the deletion)
    puts the recording back to pending, so a purge that listed the prefixes earlier cannot clear it.
    """

    recording_id: str
    app_id: str
    deleted_at: int
    cause: Cause
    prefixes: tuple[str, ...]
    generation: int
    pending: bool


@dataclass(frozen=True)
class Deleted:
    """The outcome of deleting recordings: those deleted now and the tombstones of their sessions."""

    recordings: tuple[str, ...]
    tombstones: tuple[Tombstone, ...]
    audit_id: int | None = None


@dataclass(frozen=True)
class AuditEntry:
    """One audited change: who did what, to what, when, and how many sessions it touched."""

    at: int
    actor: str
    actor_id: str
    action: str
    app_id: str | None
    target: str
    count: int = 0
    detail: str = ""
    id: int = 0
    """Assigned by the store when the entry is appended."""


def prefixes_of(keys: Iterable[str], recording_id: str) -> set[str]:
    """Every `{retention}/{app}/{recording}/` prefix among blob `keys` of one recording.

    A recording written before its application's retention changed has blobs under two classes.
    """
    found: set[str] = set()
    for key in keys:
        parts = key.split("/")
        if len(parts) >= 4 and parts[2] == recording_id:
            found.add("/".join(parts[:3]) + "/")
    return found


def current_prefix(retention_days: int, app_id: str, recording_id: str) -> str:
    """The prefix new blobs of a recording get under its application's retention today."""
    return recording_prefix(retention_days=retention_days, app_id=app_id, recording_id=recording_id)


class RetentionStore(Protocol):
    """The retention and deletion part of the session store; every method is one transaction."""

    def recordings_past_retention(self, now: int, limit: int) -> list[ExpiredRecording]:
        """Recordings with at least one beacon whose `expires_at` is at or before `now`, oldest first."""
        ...

    def recordings_of_user(self, app_ids: tuple[str, ...] | None, user_id: str) -> list[str]:
        """Ids of the recordings in which any session (any part) is identified as `user_id`."""
        ...

    def delete_recordings(
        self, recording_ids: Sequence[str], *, cause: Cause, now: int, audit: AuditEntry | None = None
    ) -> Deleted:
        """In one transaction: tombstone every session of each recording, delete its rows (sessions,
        beacons, actions, checkpoints, processing, the recording) and queue its blob prefixes as pending.

        Unknown or already deleted recordings are skipped; with cause 'retention', so are recordings no
        longer past retention at `now` (a beacon arrived since they were listed). `audit`, if given, is
        appended in the same transaction with `count` set to the number of sessions deleted.
        """
        ...

    def pending_deletions(self, limit: int) -> list[RecordingDeletion]:
        """Deleted recordings whose blobs may still exist, oldest first."""
        ...

    def finish_deletion(self, recording_id: str, generation: int) -> bool:
        """Mark a deletion done if its generation is still `generation`; False if a late write requeued it."""
        ...

    def deleted_recording(self, recording_id: str) -> RecordingDeletion | None:
        """The deletion record of a recording, if it was deleted."""
        ...

    def tombstone(self, session_id: str) -> Tombstone | None:
        """The tombstone of a deleted session."""
        ...

    def stored_bytes(self, app_id: str) -> int:
        """Bytes of replay data an application holds: its beacons' stored bytes plus its checkpoints."""
        ...

    def set_retention(self, app_id: str, days: int, audit: AuditEntry | None = None) -> Application | None:
        """Change an application's retention (and append `audit` in the same transaction); None if unknown."""
        ...

    def set_origins(
        self, app_id: str, origins: tuple[str, ...], audit: AuditEntry | None = None
    ) -> Application | None:
        """Replace an application's allowed origins (normalised by the caller), with `audit` in the same
        transaction; None if unknown."""
        ...

    def append_audit(self, entry: AuditEntry) -> AuditEntry:
        """Append an entry to the audit log; returns it with its id."""
        ...

    def audit_entries(
        self, *, app_ids: tuple[str, ...] | None, actor_id: str | None, limit: int, offset: int
    ) -> list[AuditEntry]:
        """Audit entries, newest first; with `app_ids`, only those of these applications or by `actor_id`."""
        ...
