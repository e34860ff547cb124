"""The purge as a background thread of `reel serve`: once at start, then on a schedule."""

from __future__ import annotations

import logging
from collections.abc import Callable

from reel.retention.purge import purge
from reel.runtime.context import ReelContext
from reel.runtime.periodic import PeriodicTask
from reel.storage.resource_refs import ResourceRefs

log = logging.getLogger("reel.retention")

PURGE_INTERVAL_S = 3600.0
"""Retention is counted in days; an hourly purge deletes data at most an hour past its time."""


class BackgroundPurge(PeriodicTask):
    """Runs `purge` every `interval_s` on a daemon thread until stopped; the first run is at start.

    Resources are the context's resource store unless `resources` is given. Whatever a failed or
    stopped run leaves pending is completed by the next run.
    """

    def __init__(
        self, ctx: ReelContext, interval_s: float = PURGE_INTERVAL_S, resources: ResourceRefs | None = None
    ) -> None:
        def work(stopping: Callable[[], bool]) -> bool:
            refs = resources if resources is not None else ctx.resources
            purge(ctx.sessions, ctx.blobs, ctx.clock.now_ms(), resources=refs, stopping=stopping)
            return False

        super().__init__("reel-purge", work, interval_s, log)
