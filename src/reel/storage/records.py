"""Frozen records that cross the storage boundary: applications, beacons and sessions."""

from __future__ import annotations

from dataclasses import dataclass, field


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

    @property
    def duration_ms(self) -> int:
        """Milliseconds between the first and the last event."""
        return max(0, self.end - self.start)

    @property
    def has_replay(self) -> bool:
        """A session can be played once it holds a full snapshot and a view (Meta event)."""
        return self.has_full_snapshot and self.has_meta


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


@dataclass(frozen=True)
class SessionQuery:
    """Filters and paging for listing sessions."""

    app_ids: tuple[str, ...] | None = None
    limit: int = 50
    offset: int = 0
    extra: dict[str, object] = field(default_factory=dict)
