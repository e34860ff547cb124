"""The background work of Reel: processing and compaction, resource capture, the purge.

An embedded `reel serve` runs it on threads beside the HTTP server; at scale, `reel worker` processes run
it alone (as many as needed: each recording is worked on under a lease, one worker at a time).
"""

from __future__ import annotations

from dataclasses import dataclass

from reel.processing.resources.worker import ResourceWorker
from reel.processing.worker import BackgroundProcessing
from reel.replay.warming import keep_compacted
from reel.retention.background import BackgroundPurge
from reel.runtime.context import ReelContext
from reel.runtime.periodic import PeriodicTask


@dataclass(frozen=True)
class Work:
    """The running background tasks of one process."""

    tasks: tuple[PeriodicTask, ...]

    def stop(self) -> None:
        """Stop every task after its current round."""
        for task in self.tasks:
            task.stop()


def start_work(ctx: ReelContext) -> Work:
    """Start processing (with compaction, each compacted segment then kept masked for the player),
    resource capture and the purge on threads."""
    return Work(
        (
            BackgroundProcessing(ctx, after_compaction=keep_compacted).start(),
            ResourceWorker(ctx).start(),
            BackgroundPurge(ctx).start(),
        )
    )
