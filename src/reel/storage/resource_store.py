"""The resource store interface: what recordings reference, what was captured, and each application's
resource settings. The captured bytes are blobs in the replay store (`keys.resource_blob_key`).

A resource is stored once by content hash and shared by every recording (and application) that uses
it; a row per (recording, URL) says which copy that recording gets, and when it was captured. Rows are
also what makes a copy visible to an operator (only through a recording of an application they may see)
and what keeps it alive: the store is the purge's `ResourceRefs` (release, unreferenced, forget).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

RowStatus = Literal["pending", "captured", "refused", "failed"]

UNREFERENCED_GRACE_MS = 60 * 60 * 1000
"""A resource no recording references is purged only after this long without use (see `unreferenced`)."""


@dataclass(frozen=True)
class ResourceSettings:
    """Where the server may fetch an application's resources from (brief §3.4).

    `origins` empty means the application's allowed page origins. Private, loopback and CGNAT addresses
    are refused unless `allow_private` (the demo allows them, for localhost); link-local and cloud
    metadata addresses are refused always.
    """

    app_id: str
    origins: tuple[str, ...] = ()
    allow_private: bool = False
    updated_at: int = 0


@dataclass(frozen=True)
class ResourceMeta:
    """One stored resource: its SHA-256, the content type it is served with, its size."""

    digest: str
    content_type: str
    size: int
    created_at: int


@dataclass(frozen=True)
class PendingResource:
    """A URL a recording references that is waiting to be captured."""

    app_id: str
    recording_id: str
    url: str
    discovered_at: int
    attempts: int


@dataclass(frozen=True)
class CaptureRow:
    """The outcome for one URL of a recording: its copy's digest, or why there is none."""

    url: str
    status: RowStatus
    digest: str | None = None
    reason: str = ""


@dataclass(frozen=True)
class RecordingResource:
    """A stored row: one URL of one recording."""

    app_id: str
    recording_id: str
    url: str
    status: RowStatus
    digest: str | None
    reason: str
    discovered_at: int
    captured_at: int | None
    attempts: int


class ResourceStore(Protocol):
    """Resource rows and settings. Every write is one transaction; errors raise StorageUnavailable."""

    def settings(self, app_id: str) -> ResourceSettings | None:
        """The application's resource settings, None if never set (then the defaults apply)."""
        ...

    def save_settings(self, settings: ResourceSettings) -> None:
        """Set an application's resource settings."""
        ...

    def enqueue(self, app_id: str, recording_id: str, urls: Sequence[str], now: int) -> int:
        """Add a pending row for each URL the recording does not have a row for yet; how many were new."""
        ...

    def claim(self, limit: int, now: int, lease_ms: int) -> list[PendingResource]:
        """Up to `limit` pending rows not claimed within `lease_ms`, now claimed (oldest first).

        A claim is a lease, not a lock: a worker that dies leaves its rows to be claimed again later.
        """
        ...

    def save_resource(self, meta: ResourceMeta, links: Sequence[tuple[str, str]], now: int) -> None:
        """Record a stored copy (its blob is already durable) and, for CSS, the (URL, digest) of what it
        references; saving a digest again only marks it used at `now`."""
        ...

    def resource(self, digest: str) -> ResourceMeta | None:
        """The stored copy with this digest."""
        ...

    def links(self, digest: str) -> list[tuple[str, str]]:
        """The (URL, digest) pairs a stored style sheet references, directly or through its imports."""
        ...

    def finish(self, app_id: str, recording_id: str, rows: Sequence[CaptureRow], now: int) -> None:
        """Write outcomes for URLs of a recording (inserting rows for URLs found inside CSS).

        A `pending` outcome puts the row back for a later attempt (one more attempt counted).
        """
        ...

    def recent_capture(self, app_id: str, url: str, since: int) -> str | None:
        """The digest of a capture of `url` for this application at or after `since`, if any."""
        ...

    def captured(self, recording_id: str) -> dict[str, str]:
        """URL to digest for every captured resource of a recording."""
        ...

    def rows(self, recording_id: str) -> list[RecordingResource]:
        """Every row of a recording, by URL."""
        ...

    def visible(self, digest: str, app_ids: tuple[str, ...] | None) -> bool:
        """Whether a recording of one of these applications (None: any) uses the copy `digest`."""
        ...

    def release(self, recording_id: str) -> None:
        """Drop every row of a recording (its replay data is deleted)."""
        ...

    def unreferenced(self, now: int, limit: int) -> list[str]:
        """Blob keys of copies no row references and unused for `UNREFERENCED_GRACE_MS`."""
        ...

    def forget(self, key: str) -> None:
        """Remove a copy (by blob key) once its blob is deleted, unless it is referenced again."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...
