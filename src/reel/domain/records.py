"""Frozen records that cross the storage boundary: applications, beacons and sessions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reel.domain.user_context import UserContext


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
    """The metadata row of one accepted beacon.

    Its events wait in the session store's buffer until compaction moves them into a segment; a beacon
    stored before the buffer existed has them in the replay store under `blob_key` instead ('' otherwise).
    `stored_bytes` counts what the beacon added beside its events (a mobile beacon's new images) plus,
    for such an older beacon, its blob. The row stays after compaction: it is how a retry is recognised.
    """

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
class Session(UserContext):
    """What one user did in a time range of one recording: the searchable session data, with the user's
    context (browser, device, language …: `UserContext`, keyword-only)."""

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
    traits: dict[str, Any] = field(default_factory=dict)
    """The traits of the last identify() call, as the application sent them."""

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
    has_dead_clicks: bool | None = None
    platform: str | None = None
    user_prefix: str | None = None
    """The user id starts with this text."""
    event_name: str | None = None
    """A custom event (reel.event) of exactly this name happened in the session."""
    page_contains: str | None = None
    """A page visited (loaded or navigated to) in the session has a URL containing this text."""
    browser: str | None = None
    """The browser, with or without its version ("Chrome" matches "Chrome 131")."""
    os: str | None = None
    device: str | None = None
    language: str | None = None
    """The language tag, or its primary language ("en" matches "en-GB")."""
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
    """How far processing has read a recording, and its resumable state (JSON, processing's own format)."""

    recording_id: str
    processed_seq: int
    state: str
    updated_at: int
    state_key: str = ""
    """Where processing before version 10 kept its state (a blob); read once, then replaced by `state`."""


@dataclass(frozen=True)
class Lease:
    """A worker's exclusive right to process and compact one recording until `until` (ms, server time).

    Every write a worker makes under a lease names it; the store refuses it once another worker holds the
    recording, so a worker that stalled past its lease cannot overwrite newer work."""

    recording_id: str
    owner: str
    until: int


@dataclass(frozen=True)
class Segment:
    """A stretch of a recording's stream between two keyframes (docs/contracts/storage.md).

    It starts at position (`from_seq`, `from_index`): the event at that index of beacon `from_seq`'s
    events sorted by time, at `start_ts`, where the DOM state is the keyframe under `keyframe_key` ('' for
    a recording's first segment, whose stream opens with the recorder's own snapshot, and for mobile). It
    runs to (`to_seq`, `to_index`), the next segment's start, at `end_ts`; those are None while it is the
    open, last segment. Once compacted, its keyframe and events are one blob under `blob_key`.
    """

    recording_id: str
    idx: int
    start_ts: int
    from_seq: int
    from_index: int
    keyframe_key: str
    end_ts: int | None = None
    to_seq: int | None = None
    to_index: int | None = None
    blob_key: str = ""
    events: int = 0
    raw_bytes: int = 0
    stored_bytes: int = 0

    @property
    def closed(self) -> bool:
        """True once the next segment (or the end of the recording) bounds it."""
        return self.to_seq is not None

    @property
    def compacted(self) -> bool:
        """True once its events are one blob."""
        return bool(self.blob_key)

    def holds(self, seq: int, index: int) -> bool:
        """True if the event at (seq, index) of the stream belongs to this segment."""
        if (seq, index) < (self.from_seq, self.from_index):
            return False
        return self.to_seq is None or (seq, index) < (self.to_seq, self.to_index or 0)


@dataclass(frozen=True)
class SegmentEnd:
    """Closing the open segment `idx`: it ends where the next one starts (or the recording ends)."""

    idx: int
    end_ts: int
    to_seq: int
    to_index: int
    events: int
    raw_bytes: int


@dataclass(frozen=True)
class Compacted:
    """A segment written as one blob: the row to update and the buffered beacons it makes redundant."""

    recording_id: str
    idx: int
    blob_key: str
    events: int
    raw_bytes: int
    stored_bytes: int
    released_seqs: tuple[int, ...]
    """Buffered beacons whose every event is now in compacted segments: their payloads are deleted."""


@dataclass(frozen=True)
class ProcessingBatch:
    """Everything one processing round writes for one recording, in one transaction."""

    recording_id: str
    processed_seq: int
    state: str
    actions: tuple[StoredAction, ...]
    parts: tuple[NewPart, ...]
    now: int
    lease: Lease
    ended: tuple[SegmentEnd, ...] = ()
    opened: tuple[Segment, ...] = ()
    idle: tuple[IdlePeriod, ...] = ()
    """Idle periods found (or extended: one starting where a stored one starts replaces its end)."""


@dataclass(frozen=True)
class IdlePeriod:
    """A stretch of a session without user interaction, from the last interaction to the next one."""

    session_id: str
    start: int
    end: int
