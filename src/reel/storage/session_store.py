"""The session store interface: applications, recordings, the beacon buffer, sessions, segments, leases."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from reel.domain.records import (
    Application,
    Checkpoint,
    Compacted,
    IdlePeriod,
    Lease,
    ProcessingBatch,
    ProcessingProgress,
    RecordingClaim,
    Segment,
    Session,
    SessionKey,
    SessionPage,
    SessionQuery,
    StoredAction,
    StoredBeacon,
)
from reel.errors import ReelError
from reel.storage.login_failures import LoginFailureLog
from reel.storage.quota_store import QuotaStore
from reel.storage.retention_store import RetentionStore

SessionFold = Callable[[Session | None], Session]
"""Pure function from the session a beacon lands in (None if new) to its updated state."""


@dataclass(frozen=True)
class SaveResult:
    """Outcome of saving a beacon: stored now, or already stored earlier (a retry)."""

    duplicate: bool
    session_id: str
    clock_offset_ms: int = 0
    """The recording's clock offset, as claimed (for the caller to keep)."""


@dataclass(frozen=True)
class OtherClockOffset:
    """Not saved: the recording was claimed with another clock offset than the one the beacon's events
    were moved by (another of its first beacons got there first). Move them by this one and save again."""

    clock_offset_ms: int


@dataclass(frozen=True)
class BeaconWrite:
    """One accepted beacon to store: its row, its events (the stored form), and how it folds."""

    key: SessionKey
    beacon: StoredBeacon
    payload: bytes
    fold: SessionFold
    written_keys: tuple[str, ...] = ()
    """Blobs written for it before its row (a mobile beacon's images): queued for the purge again if its
    recording turns out to be deleted."""
    clock_offset_ms: int | None = None
    """The clock offset its events were moved by. A recording not yet claimed is claimed in the same
    transaction, with this offset; one claimed with another answers OtherClockOffset. None: the caller
    claimed the recording itself (`claim_recording`) and the offset is not checked."""
    reshift: Callable[[int], BeaconWrite] | None = None
    """The same beacon with its events moved by another offset (for OtherClockOffset)."""


class SessionStore(RetentionStore, QuotaStore, LoginFailureLog, Protocol):
    """Searchable session data and the beacon buffer. Every method is one transaction; store failures
    raise StorageUnavailable, never an empty answer."""

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

    # ingest

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

    def save_beacons(self, writes: Sequence[BeaconWrite]) -> list[SaveResult | OtherClockOffset | ReelError]:
        """In ONE transaction, for each beacon in order: claim its recording if nobody has (with the
        write's clock offset), fold it into its session, store its row and its payload in the buffer
        (group commit: one fsync or commit for all of them).

        Each answer is the beacon's own: a SaveResult (duplicate=True, nothing written, when its
        (recording_id, seq) is already stored), OtherClockOffset (nothing written) when the recording's
        claim has another offset than the write's, or the error refusing it alone — Conflict for a
        recording of another application, Gone for a deleted one (its `written_keys` queued for the purge
        again). Store failures raise StorageUnavailable for the whole group, and nothing of it is stored.
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

    def list_sessions(self, query: SessionQuery) -> SessionPage:
        """Sessions matching `query`, newest first."""
        ...

    def actions(self, session_id: str) -> list[StoredAction]:
        """The actions of a session, by time."""
        ...

    def idle_periods(self, session_id: str) -> list[IdlePeriod]:
        """The idle periods processing found in a session, by start."""
        ...

    def checkpoint(self, recording_id: str, ts: int) -> Checkpoint | None:
        """The checkpoint of a recording at exactly `ts`."""
        ...

    def beacons(self, recording_id: str, low: int = 0, high: int | None = None) -> list[StoredBeacon]:
        """The stored beacon rows of a recording with low <= seq <= high (every one by default), by seq."""
        ...

    def gaps(self, recording_id: str, low: int, high: int) -> list[tuple[int, int]]:
        """The runs (first, last) of seqs in low..high no stored beacon has, counted by the database
        from the stored rows (never by walking the missing numbers)."""
        ...

    def missing_beacons(self, recording_id: str, low: int, high: int) -> int:
        """How many seqs in low..high no stored beacon has (counted, never walked)."""
        ...

    # the buffer and segments

    def buffered(self, recording_id: str, seqs: Sequence[int]) -> dict[int, bytes]:
        """The buffered payloads of those beacons of a recording that are still in the buffer."""
        ...

    def buffered_seqs(self, recording_id: str) -> list[int]:
        """The seqs of a recording's beacons still in the buffer, in order."""
        ...

    def segments(self, recording_id: str) -> list[Segment]:
        """A recording's segments, by index."""
        ...

    # processing

    def pending_processing(
        self, limit: int, now: int, quiet_before: int, owner: str = ""
    ) -> list[ProcessingProgress]:
        """Recordings with work and no live lease of another owner than `owner`: beacons past their
        processed seq, closed segments not compacted, an open segment of a recording quiet since
        `quiet_before`, or buffered beacons that arrived after their segment was compacted. Recordings
        settled by `settle_processing` have none, and are not looked at until their next beacon."""
        ...

    def settle_processing(self, limit: int) -> int:
        """Take up to `limit` recordings with nothing left to process or compact (no segment left
        uncompacted, open or closed) off the list `pending_processing` walks, each only if no beacon was
        stored for it since this call looked; the next beacon puts it back. How many were taken off."""
        ...

    def progress(self, recording_id: str) -> ProcessingProgress | None:
        """How far processing has read a recording (None before its first round)."""
        ...

    def take_lease(self, recording_id: str, owner: str, now: int, duration_ms: int) -> Lease | None:
        """The recording for `owner` until now + duration_ms, if no other owner holds a live lease (a
        lease of the same owner is renewed); None otherwise."""
        ...

    def release_lease(self, lease: Lease) -> None:
        """Give the recording back early (if `lease.owner` still holds it)."""
        ...

    def save_processing(self, batch: ProcessingBatch) -> None:
        """In one transaction, if `batch.lease` still holds the recording (LeaseLost otherwise): new parts
        and their checkpoints, actions (each once), counters, segments ended and opened, progress.

        For a deleted recording nothing is written; its blob prefixes are queued for the purge again.
        """
        ...

    def save_compaction(self, lease: Lease, compacted: Compacted) -> None:
        """In one transaction, if `lease` still holds the recording (LeaseLost otherwise): the segment's
        blob recorded and the buffered payloads it makes redundant deleted."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


def save_beacon(store: SessionStore, write: BeaconWrite) -> SaveResult:
    """Store one beacon alone (moved to its recording's clock offset if the write's was another); its
    refusal raised."""
    [result] = store.save_beacons([write])
    if isinstance(result, OtherClockOffset):
        [result] = store.save_beacons([reshifted(write, result)])
    if isinstance(result, ReelError):
        raise result
    if isinstance(result, OtherClockOffset):  # a recording's claim never changes once made
        raise RuntimeError("the recording's clock offset changed between two saves")
    return result


def reshifted(write: BeaconWrite, other: OtherClockOffset) -> BeaconWrite:
    """The write with its events moved by the recording's offset; a write that cannot be moved again is
    a caller's bug (it claimed the recording with `claim_recording` first, or should have)."""
    if write.reshift is None:
        raise RuntimeError("a beacon claimed beforehand met another clock offset")
    return write.reshift(other.clock_offset_ms)
