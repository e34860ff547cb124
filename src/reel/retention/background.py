"""The purge as a background thread of `reel serve`: once at start, then on a schedule."""

from __future__ import annotations

import logging
import threading

from reel.errors import ReelError
from reel.retention.purge import purge
from reel.server.context import ReelContext
from reel.storage.resource_refs import ResourceRefs

log = logging.getLogger("reel.retention")

PURGE_INTERVAL_S = 3600.0
"""Retention is counted in days; an hourly purge deletes data at most an hour past its time."""


class BackgroundPurge:
    """Runs `purge` every `interval_s` on a daemon thread until stopped; the first run is at start.

    Resources are the context's resource store unless `resources` is given.
    """

    def __init__(
        self, ctx: ReelContext, interval_s: float = PURGE_INTERVAL_S, resources: ResourceRefs | None = None
    ) -> None:
        self.ctx = ctx
        self.interval_s = interval_s
        self.resources = resources
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="reel-purge", daemon=True)

    def start(self) -> BackgroundPurge:
        """Start the thread; returns self."""
        self._thread.start()
        return self

    def stop(self, timeout_s: float = 10.0) -> None:
        """Ask the thread to stop after its current batch and wait for it."""
        self._stop.set()
        self._thread.join(timeout_s)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                ctx = self.ctx
                purge(
                    ctx.sessions,
                    ctx.blobs,
                    ctx.clock.now_ms(),
                    resources=self.resources if self.resources is not None else ctx.resources,
                    stopping=self._stop.is_set,
                )
            except ReelError as exc:
                # Whatever was cut off stays pending and is completed by the next run.
                log.warning("purge failed, retrying at the next run: %s", exc.message)
            except Exception:
                log.exception("purge failed, retrying at the next run")
            self._stop.wait(self.interval_s)
