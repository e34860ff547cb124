"""Helpers the compaction tests share: a ticking clock recorded, processed and compacted."""

from __future__ import annotations

from typing import cast

from fastapi.testclient import TestClient

from conftest import BeaconMaker
from reel.clock import FixedClock
from reel.domain.records import Application
from reel.processing.keyframes import KeyframePolicy
from reel.processing.worker import QUIET_MS, Worker, process_pending
from reel.replay.warming import keep_compacted
from reel.runtime.context import ReelContext
from support import MINUTE, T0, add_element, ctx_of, dashboard_snapshot, post_beacon, tick

KEYFRAME_EVERY = KeyframePolicy(max_events=60)  # a keyframe every five recorded minutes of the clock


def kept_copies(ctx: ReelContext) -> list[str]:
    """The keys of the masked segment copies kept in the replay store, sorted."""
    return sorted(k for k in ctx.blobs.keys("") if k.rpartition("/")[2].startswith("msk-"))


def record_clock(
    client: TestClient, app: Application, beacon: BeaconMaker, minutes: int, *, logo: bool = False
) -> tuple[ReelContext, Worker]:
    """A ticking clock (and an image at /logo.png when `logo`) recorded for `minutes` as recording rec-1,
    one beacon a minute, then processed once with copies kept as in `reel serve`."""
    for minute in range(minutes):
        events = dashboard_snapshot(T0) if minute == 0 else []
        if minute == 0 and logo:
            image = add_element(T0 + 1, 9, "logo")
            image["data"]["adds"][0]["node"].update(tagName="img", attributes={"src": "/logo.png"})
            events.append(image)
        events += [
            tick(T0 + minute * MINUTE + s * 1000 + 2, f"reading {minute}:{s:02d}") for s in range(0, 60, 5)
        ]
        assert post_beacon(client, app, beacon(minute, events)).status_code == 200
    ctx = ctx_of(client)
    worker = Worker(ctx, keyframes=KEYFRAME_EVERY)
    process_pending(ctx, worker=worker, after_compaction=keep_compacted)
    return ctx, worker


def compact_to_end(ctx: ReelContext, worker: Worker) -> None:
    """Let the recording go quiet, so its last segment is closed and compacted too."""
    cast(FixedClock, ctx.clock).advance(QUIET_MS)
    for _ in range(5):
        if not process_pending(ctx, worker=worker, after_compaction=keep_compacted).compacted:
            break
