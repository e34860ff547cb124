"""A beacon body's read ends at its idle and total deadlines (swept a few times a second for all reads
of a loop), and a cancellation from elsewhere stays a cancellation."""

from __future__ import annotations

import asyncio
import gc
import time

import pytest
from starlette.types import Message, Receive

from reel.config import Limits
from reel.errors import RequestTimeout
from reel.ingest import body as body_module
from reel.ingest.beacon_request import BeaconRequest
from reel.ingest.body import SWEEP_S, read_body

LIMITS = Limits(body_idle_timeout_s=0.3, body_total_timeout_s=0.8)
REQUEST = BeaconRequest(None, None, None, None, None, None, None)


def trickle(pause_s: float, parts: int | None) -> Receive:
    """An ASGI receive sending b"x" every `pause_s` (`parts` of them, then the end; None: forever)."""
    sent = 0

    async def receive() -> Message:
        nonlocal sent
        await asyncio.sleep(pause_s)
        sent += 1
        return {"type": "http.request", "body": b"x", "more_body": parts is None or sent < parts}

    return receive


async def timed(pause_s: float, parts: int | None) -> tuple[object, float]:
    started = time.monotonic()
    try:
        result: object = await read_body(trickle(pause_s, parts), REQUEST, LIMITS)
    except RequestTimeout as exc:
        result = exc
    return result, time.monotonic() - started


def test_a_body_in_time_is_read_whole() -> None:
    result, _ = asyncio.run(timed(0.05, 4))
    assert result == b"xxxx"


def test_a_stall_ends_at_the_idle_deadline() -> None:
    result, took = asyncio.run(timed(5.0, 1))
    assert isinstance(result, RequestTimeout) and "no part of the body arrived for 0.3 s" in result.message
    assert 0.3 <= took < 0.3 + SWEEP_S + 2.0  # late by a sweep, and by a loaded machine's delays


def test_a_trickle_ends_at_the_total_deadline() -> None:
    result, took = asyncio.run(timed(0.1, None))  # a part every 0.1 s: never idle, never done
    assert isinstance(result, RequestTimeout) and "took longer than 0.8 s" in result.message
    assert 0.8 <= took < 0.8 + SWEEP_S + 2.0


def test_a_cancellation_from_elsewhere_is_not_a_timeout_and_leaves_nothing_watched() -> None:
    async def main() -> None:
        task = asyncio.create_task(read_body(trickle(5.0, 1), REQUEST, LIMITS))
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        deadlines = body_module._deadlines_of(asyncio.get_running_loop())
        assert not deadlines.waiting and not deadlines.cancelled

    asyncio.run(main())


def test_a_sweep_and_a_cancellation_from_elsewhere_at_once_stay_a_cancellation() -> None:
    async def main() -> None:
        task = asyncio.create_task(read_body(trickle(5.0, 1), REQUEST, LIMITS))
        await asyncio.sleep(0.05)
        deadlines = body_module._deadlines_of(asyncio.get_running_loop())
        deadlines.waiting[task] = 0.0  # overdue now
        task.cancel()  # the server shutting down...
        deadlines._sweep()  # ...in the same turn of the loop as the sweep
        with pytest.raises(asyncio.CancelledError):
            await task
        assert not deadlines.waiting and not deadlines.cancelled

    asyncio.run(main())


def test_the_deadline_table_goes_with_its_loop() -> None:
    gc.collect()
    before = len(body_module._LOOPS)
    for _ in range(3):
        asyncio.run(timed(0.01, 1))
    gc.collect()
    assert len(body_module._LOOPS) <= before
