"""The session store interface (SQL: applications, recordings, beacons, sessions)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from reel.storage.records import (
    Application,
    Checkpoint,
    ProcessingBatch,
    ProcessingProgress,
    RecordingClaim,
    Session,
    SessionKey,
    SessionPage,
    SessionQuery,
    StoredAction,
    StoredBeacon,
)
from reel.storage.retention_store import RetentionStore

SessionFold = Callable[[Session | None], Session]
"""Pure function from the session a beacon lands in (None if new) to its updated state."""


@dataclass(frozen=True)
class SaveResult:
    """Outcome of saving a beacon: stored now, or already stored earlier (a retry)."""

    duplicate: bool
    session_id: str


class SessionStore(RetentionStore, Protocol):
    """Searchable session data. Every write is one transaction; errors raise StorageUnavailable."""

    def create_application(self, app: Application) -> None:
        """Add an application; its id and app key must be new."""
        ...

    def application(self, app_id: str) -> Application | None:
        """The application with this id."""
        ...

    def application_by_key(self, app_key: str) -> Application | None:
        """The application whose public app key is `app_key`."""
        ...

    def applications(self) -> list[Application]:
        """Every application, oldest first."""
        ...

    def beacon_session(self, recording_id: str, seq: int) -> str | None:
        """The session id of the stored beacon (recording_id, seq), or None if it is not stored."""
        ...

    def recording_app(self, recording_id: str) -> str | None:
        """The id of the application that owns a recording, if the recording is known."""
        ...

    def claim_recording(
        self, app_id: str, recording_id: str, clock_offset_ms: int, now: int
    ) -> RecordingClaim:
        """The recording's owner and clock offset; a recording not yet known is first created for `app_id`
        with `clock_offset_ms`. The first claim wins (atomically): later ones only read it.
        """
        ...

    def save_beacon(self, key: SessionKey, beacon: StoredBeacon, fold: SessionFold) -> SaveResult:
        """In one transaction: claim the recording, fold the beacon into its session, store the beacon row.

        `beacon.session_id` is ignored and replaced by the id of the session `fold` returns. A beacon
        whose (recording_id, seq) is already stored changes nothing and answers duplicate=True. A
        recording owned by another application raises Conflict; a deleted one raises Gone (and queues
        its blob prefixes for the purge again, as the beacon's blob is already written).
        """
        ...

    def session(self, session_id: str) -> Session | None:
        """One session by id."""
        ...

    def session_parts(self, app_id: str, recording_id: str, client_session_id: str) -> list[Session]:
        """Every part of one recorder session, by part number."""
        ...

    def close_silent_sessions(self, silent_before: int, now: int) -> int:
        """Close open sessions with no beacon received since `silent_before`; returns how many."""
        ...

    def pending_processing(self, limit: int) -> list[ProcessingProgress]:
        """Recordings with beacons past their processed seq (processed_seq is -1 before any)."""
        ...

    def save_processing(self, batch: ProcessingBatch) -> None:
        """In one transaction: new parts and their checkpoints, actions (each once), counters, progress.

        For a deleted recording nothing is written; its blob prefixes are queued for the purge again.
        """
        ...

    def actions(self, session_id: str) -> list[StoredAction]:
        """The actions of a session, by time."""
        ...

    def checkpoint(self, recording_id: str, ts: int) -> Checkpoint | None:
        """The checkpoint of a recording at exactly `ts`."""
        ...

    def list_sessions(self, query: SessionQuery) -> SessionPage:
        """Sessions matching `query`, newest first."""
        ...

    def beacons(self, recording_id: str) -> list[StoredBeacon]:
        """Every stored beacon of a recording, by seq."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...
