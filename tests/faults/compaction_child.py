"""A processing worker that dies (os._exit, as kill -9: nothing cleaned up) at one step of a round or of
compaction; run as a child process by tests/faults/test_compaction_crash.py.

Environment: the REEL_* store variables, CRASH_AT (a step name, or empty to finish the work), NOW_MS
(the worker's clock: late enough for every recording to be quiet, so segments are closed and compacted).
"""

from __future__ import annotations

import os
import sys
from typing import Any

from reel.clock import FixedClock
from reel.config import settings_from_env
from reel.processing.keyframes import KeyframePolicy
from reel.processing.worker import Worker, process_pending
from reel.runtime.context import close_context, open_context

KILLED = 137
STEPS = ("keyframe", "round", "segment", "compaction", "forget")
"""keyframe: a keyframe blob written, its round not committed; round: a round committed, nothing
compacted; segment: a segment blob written, not recorded; compaction: recorded, its keyframe not yet
deleted; forget: one keyframe deleted of several."""


class Crashing:
    """A store whose calls pass through, except that the step named dies where it happens."""

    def __init__(self, inner: Any, step: str) -> None:
        self._inner, self._step = inner, step

    def __getattr__(self, name: str) -> Any:
        target = getattr(self._inner, name)
        if not callable(target):
            return target
        step = self._step

        def call(*args: Any, **kwargs: Any) -> Any:
            result = target(*args, **kwargs)
            key = str(args[0]) if args else ""
            if (
                (step == "keyframe" and name == "put" and "/kf-" in key)
                or (step == "segment" and name == "put" and "/seg-" in key)
                or (step == "round" and name == "save_processing")
                or (step == "compaction" and name == "save_compaction")
                or (step == "forget" and name == "delete" and "/kf-" in key)
            ):
                os._exit(KILLED)
            return result

        return call


def main() -> int:
    step = os.environ.get("CRASH_AT", "")
    ctx = open_context(settings_from_env(), clock=FixedClock(int(os.environ["NOW_MS"])))
    if step:
        object.__setattr__(ctx, "blobs", Crashing(ctx.blobs, step))
        object.__setattr__(ctx, "sessions", Crashing(ctx.sessions, step))
    worker = Worker(ctx, keyframes=KeyframePolicy(max_events=40))
    try:
        for _ in range(20):
            done = process_pending(ctx, worker=worker)
            if not (done.beacons or done.compacted):
                break
    finally:
        close_context(ctx)
    return 3 if step else 0  # a crash step that never came is a test failure


if __name__ == "__main__":
    sys.exit(main())
