"""Resource capture in the background: processing notes the URLs recordings reference (`note_resources`),
and a worker thread of every `reel serve` claims them and captures them, off the beacons' path.

Several processes may run the worker: claims are leases in the resource store, copies are named by
content, and writing an outcome twice is harmless.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from reel.dom.urls import resource_urls
from reel.processing.resources.capture import LEASE_MS, Fetcher, capture_claimed
from reel.processing.resources.fetch import SafeFetcher
from reel.runtime.context import ReelContext
from reel.runtime.periodic import PeriodicTask

log = logging.getLogger("reel.resources")

MAX_URLS_PER_ROUND = 1000
"""Processing notes at most this many new URLs per recording and round (a forged recording may name
millions)."""


def found_resources(events: list[dict[str, Any]], base: str = "") -> list[str]:
    """The URLs worth capturing that a batch of events references (pure); relative ones resolved
    against `base`, the page's URL when the batch starts (a beacon's events need not repeat it)."""
    return list(resource_urls(events, base))


def note_resources(ctx: ReelContext, app_id: str, recording_id: str, urls: list[str]) -> int:
    """Queue a recording's resource URLs for capture; how many were new. Idempotent."""
    wanted = list(urls)[:MAX_URLS_PER_ROUND]
    if not wanted:
        return 0
    return ctx.resources.enqueue(app_id, recording_id, wanted, ctx.clock.now_ms())


def capture_pending(ctx: ReelContext, fetcher: Fetcher, *, limit: int = 20) -> int:
    """One round: claim up to `limit` queued URLs and capture them; how many were captured."""
    now = ctx.clock.now_ms()
    claimed = ctx.resources.claim(limit, now, LEASE_MS)
    if not claimed:
        return 0
    apps = {app_id: ctx.sessions.application(app_id) for app_id in {c.app_id for c in claimed}}
    return capture_claimed(ctx.resources, ctx.blobs, fetcher, claimed, apps, now)


class ResourceWorker(PeriodicTask):
    """Runs capture rounds on a daemon thread until stopped; at once again while there is work."""

    def __init__(self, ctx: ReelContext, fetcher: Fetcher | None = None, interval_s: float = 0.5) -> None:
        self.ctx = ctx
        self.fetcher: Fetcher = fetcher or SafeFetcher()

        def work(stopping: Callable[[], bool]) -> bool:
            started = time.monotonic()
            more = self._round()
            # Captures wait while beacons arrive (reel.runtime.priority); the page is recorded already.
            ctx.priority.pause_after(time.monotonic() - started, stopping)
            return more

        super().__init__("reel-resources", work, interval_s, log)

    def _round(self) -> bool:
        now = self.ctx.clock.now_ms()
        claimed = self.ctx.resources.claim(5, now, LEASE_MS)
        if not claimed:
            return False
        apps = {app_id: self.ctx.sessions.application(app_id) for app_id in {c.app_id for c in claimed}}
        capture_claimed(self.ctx.resources, self.ctx.blobs, self.fetcher, claimed, apps, now)
        return True
