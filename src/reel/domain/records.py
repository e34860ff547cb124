"""Frozen records that cross the storage boundary: applications, beacons and sessions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Application:
    """One monitored app (a tenant): its public key, allowed origins and retention."""

    id: str
    name: str
    app_key: str
    origins: tuple[str, ...]
    created_at: int
    enabled: bool = True
    retention_days: int = 30
    mobile: bool = False
    """Whether mobile apps may send beacons with this app key (they send no Origin to check)."""


@dataclass(frozen=True)
class StoredBeacon:
    """The metadata row of one accepted beacon; its events live in the replay store under `blob_key`."""

    app_id: str
    recording_id: str
    seq: int
    session_id: str
    blob_key: str
    received_at: int
    first_ts: int
    last_ts: int
    events: int
    stored_bytes: int
    final: bool = False


@dataclass(frozen=True)
class Session:
    """What one user did in a time range of one recording: the searchable session data."""

    id: str
    app_id: str
    recording_id: str
    client_session_id: str
    part: int
    start: int
    end: int
    first_url: str
    last_url: str
    pages: int
    beacons: int
    events: int
    min_seq: int
    max_seq: int
    has_full_snapshot: bool
    has_meta: bool
    closed: bool
    created_at: int
    updated_at: int
    user_id: str = ""
    actions: int = 0
    errors: int = 0
    rage_clicks: int = 0
    dead_clicks: int = 0
    platform: str = "web"
    close_reason: str = ""
    rules_version: int = 0
    """The masking rules version the recorder applied at capture (0: its built-in defaults)."""

    @property
    def duration_ms(self) -> int:
        """Milliseconds between the first and the last event."""
        return max(0, self.end - self.start)

    @property
    def has_replay(self) -> bool:
        """A session can be played once it holds a full snapshot and a view (Meta event)."""
        return self.has_full_snapshot and self.has_meta


@dataclass(frozen=True)
class RecordingClaim:
    """Which application owns a recording, and the offset that puts its client clock on the server's."""

    app_id: str
    clock_offset_ms: int = 0


@dataclass(frozen=True)
class SessionKey:
    """How a beacon names its session: the app, the recording and the recorder's session id."""

    app_id: str
    recording_id: str
    client_session_id: str


@dataclass(frozen=True)
class SessionPage:
    """One page of a session listing, with the total number of matches."""

    sessions: tuple[Session, ...]
    total: int


SORTS = ("start", "duration", "actions", "errors")


@dataclass(frozen=True)
class SessionQuery:
    """Filters, sorting and paging for listing sessions (brief §3.3); None means no filter."""

    app_ids: tuple[str, ...] | None = None
    user_id: str | None = None
    url_contains: str | None = None
    started_after: int | None = None
    started_before: int | None = None
    min_duration_ms: int | None = None
    max_duration_ms: int | None = None
    min_actions: int | None = None
    max_actions: int | None = None
    has_errors: bool | None = None
    has_rage_clicks: bool | None = None
    platform: str | None = None
    sort: str = "start"
    descending: bool = True
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True)
class StoredAction:
    """One action row of the session data."""

    recording_id: str
    session_id: str
    app_id: str
    ts: int
    kind: str
    url: str
    target: str
    label: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class NewPart:
    """A split: `closed_session_id` ends at `at` and part `part` (id `session_id`) starts there."""

    closed_session_id: str
    session_id: str
    part: int
    at: int
    url: str
    checkpoint_key: str
    checkpoint_bytes: int = 0
    beacons: int = 0
    """Beacons counted in the closed part that hold events of the new one (reel.domain.splits.PartCounts)."""
    events: int = 0
    """Events counted in the closed part that belong to the new one."""
    beacons_moved: int = 0
    """Of `beacons`, those that hold no event of the closed part any more."""


@dataclass(frozen=True)
class Checkpoint:
    """The full DOM state of a recording at `ts`, stored as a blob of rrweb events."""

    recording_id: str
    ts: int
    blob_key: str
    stored_bytes: int = 0


@dataclass(frozen=True)
class ProcessingProgress:
    """How far processing has read a recording, and where its resumable state is."""

    recording_id: str
    processed_seq: int
    state_key: str
    updated_at: int


@dataclass(frozen=True)
class ProcessingBatch:
    """Everything one processing round writes for one recording, in one transaction."""

    recording_id: str
    processed_seq: int
    state_key: str
    actions: tuple[StoredAction, ...]
    parts: tuple[NewPart, ...]
    now: int
