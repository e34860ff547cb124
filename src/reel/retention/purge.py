"""The purge: deletes recordings past their application's retention, and resources nothing uses any more.

Crash safety. Deleting a recording takes two steps:

1. One transaction writes a tombstone for each of its sessions, deletes every row of the recording
   (sessions, beacons, actions, checkpoints, processing progress) and records the deletion as pending,
   with the blob prefixes it still has to empty. From this commit on the sessions answer 410, and no row
   points at a blob of the recording, so a blob deleted later is never one that something reads.
2. The blobs under those prefixes are deleted, the recording's resource references released, and the
   deletion marked done — only if no late write queued it again meanwhile (its generation).

A crash before step 1 commits changes nothing. A crash anywhere in step 2 leaves the deletion pending;
every purge run (and every deletion request) first completes pending deletions, and each part of step 2
is idempotent, so the next run finishes the job. Resources are swept last: a blob is deleted before the
index forgets it, so a crash in between only means deleting it again.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass

from reel.runtime.metrics import BLOBS_DELETED, count_deleted
from reel.storage.replay_store import ReplayStore
from reel.storage.resource_refs import NoResources, ResourceRefs
from reel.storage.retention_store import AuditEntry, ExpiredRecording
from reel.storage.session_store import SessionStore

log = logging.getLogger("reel.retention")

BATCH = 100
"""Recordings deleted per transaction."""
PURGE_ACTOR = "retention purge"
PURGE_ACTOR_ID = "system"

Progress = Callable[[int], None]
"""Told how many more recordings were dealt with."""


@dataclass(frozen=True)
class PurgeReport:
    """What one purge run did."""

    recordings: int
    sessions: int
    blobs: int
    resources: int
    resumed: int
    """Deletions left pending by an earlier run (a crash, or a failed request) that this run completed."""


def delete_blobs(blobs: ReplayStore, prefixes: tuple[str, ...]) -> int:
    """Delete every blob under each prefix; returns how many were there."""
    count = 0
    for prefix in prefixes:
        for key in list(blobs.keys(prefix)):
            blobs.delete(key)
            count += 1
    BLOBS_DELETED.inc(count)
    return count


def finish_pending(
    sessions: SessionStore, blobs: ReplayStore, resources: ResourceRefs, *, limit: int = BATCH
) -> tuple[int, int]:
    """Step 2 for every pending deletion; returns (deletions completed, blobs deleted)."""
    done = removed = 0
    while True:
        pending = sessions.pending_deletions(limit)
        progressed = 0
        for deletion in pending:
            removed += delete_blobs(blobs, deletion.prefixes)
            resources.release(deletion.recording_id)
            if sessions.finish_deletion(deletion.recording_id, deletion.generation):
                progressed += 1
        done += progressed
        # A deletion requeued by a late write while we worked stays pending for the next run.
        if len(pending) < limit or progressed == 0:
            return done, removed


def sweep_resources(blobs: ReplayStore, resources: ResourceRefs, now: int, *, limit: int = 1000) -> int:
    """Delete the blobs of resources no recording references; returns how many."""
    count = 0
    seen: set[str] = set()
    while True:
        keys = [k for k in resources.unreferenced(now, limit) if k not in seen]
        for key in keys:
            blobs.delete(key)
            resources.forget(key)
        seen.update(keys)
        count += len(keys)
        if len(keys) < limit:  # also when the index kept listing what was just deleted
            return count


def plan_purge(sessions: SessionStore, now: int, *, limit: int = 1_000_000) -> list[ExpiredRecording]:
    """The recordings a purge at `now` would delete (for `reel purge --dry-run` and progress bars)."""
    return sessions.recordings_past_retention(now, limit)


def purge(
    sessions: SessionStore,
    blobs: ReplayStore,
    now: int,
    *,
    resources: ResourceRefs | None = None,
    progress: Progress | None = None,
    actor: str = PURGE_ACTOR,
    batch: int = BATCH,
    stopping: Callable[[], bool] | None = None,
) -> PurgeReport:
    """Complete pending deletions, delete every recording past retention at `now`, then sweep resources.

    `stopping` is asked between batches; a purge stopped early leaves nothing half done.
    """
    refs = resources if resources is not None else NoResources()
    resumed, blob_count = finish_pending(sessions, blobs, refs, limit=batch)
    recordings = session_count = 0
    while stopping is None or not stopping():
        expired = sessions.recordings_past_retention(now, batch)
        if not expired:
            break
        deleted_now = 0
        by_app = itertools.groupby(sorted(expired, key=lambda e: e.app_id), key=lambda e: e.app_id)
        for app_id, group in by_app:
            found = list(group)
            audit = AuditEntry(
                at=now,
                actor=actor,
                actor_id=PURGE_ACTOR_ID,
                action="retention.purge",
                app_id=app_id,
                target=f"{len(found)} recordings past the {found[0].retention_days}-day retention",
            )
            deleted = sessions.delete_recordings(
                [e.recording_id for e in found], cause="retention", now=now, audit=audit
            )
            count_deleted("retention", len(deleted.recordings), len(deleted.tombstones))
            deleted_now += len(deleted.recordings)
            session_count += len(deleted.tombstones)
        _done, removed = finish_pending(sessions, blobs, refs, limit=batch)
        blob_count += removed
        recordings += deleted_now
        if progress is not None:
            progress(len(expired))
        if deleted_now == 0:
            break  # listed but no longer expired (a beacon arrived meanwhile): nothing left to do
    swept = sweep_resources(blobs, refs, now)
    if recordings or resumed or swept:
        log.info(
            "purged %d recordings (%d sessions, %d blobs), completed %d pending, %d resources",
            recordings,
            session_count,
            blob_count,
            resumed,
            swept,
        )
    return PurgeReport(recordings, session_count, blob_count, swept, resumed)
