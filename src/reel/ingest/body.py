"""Reading a beacon's body: within the size caps, decoded, and within the time a client may take.

A client trickling bytes would otherwise hold a connection forever, so each wait for the next part of
the body ends at a deadline: the idle timeout after the last part, and the total timeout after the
first wait. The deadlines of all of an event loop's body reads are kept in one table and swept by one
timer a few times a second (`_Deadlines`): a timer per read cost ~10 µs, about 2 % of a beacon's CPU
(P3 in docs/scale.md), and a timeout a quarter of a second late changes nothing for a client given 10 s.
"""

from __future__ import annotations

import asyncio
import weakref

from starlette.types import Message, Receive

from reel.config import Limits
from reel.errors import BadRequest, PayloadTooLarge, RequestTimeout
from reel.ingest.beacon_request import CLOSING_HEADERS, CORS_HEADERS, Answer, BeaconRequest, error_answer
from reel.ingest.decode import CappedDecoder

SWEEP_S = 0.25
"""How often a loop's overdue body reads are looked for: a timeout ends at most this much late."""
# After a 413 we read and drop at most this much more of the body, so the client sees our answer
# instead of a connection reset; beyond it the connection is closed.
_DRAIN_LIMIT = 32 * 1024 * 1024


async def read_body(
    receive: Receive, params: BeaconRequest, limits: Limits, gzip_sent: list[bytes] | None = None
) -> bytes | Answer:
    """The decoded body within the caps and timeouts, or the 413 answer that refuses it; `gzip_sent`
    receives the chunks of a gzip body as they came. RequestTimeout when the client is too slow."""
    body = _Body(receive, limits)
    declared = params.content_length
    if declared is not None and declared.isdigit() and int(declared) > limits.max_body_bytes:
        too_large = PayloadTooLarge(f"body exceeds {limits.max_body_bytes} bytes")
        if (params.expect or "").lower() == "100-continue":
            # The client waits for our go-ahead before sending the body: refuse it unsent.
            return error_answer(too_large, CLOSING_HEADERS)
        return await _refuse_and_drain(too_large, body)
    decoder = CappedDecoder(params.encoding or "identity", max_out=limits.max_decompressed_bytes)
    kept = gzip_sent if decoder.encoding == "gzip" else None
    received = 0
    try:
        while (chunk := await body.next_chunk()) is not None:
            received += len(chunk)
            if received > limits.max_body_bytes:
                raise PayloadTooLarge(f"body exceeds {limits.max_body_bytes} bytes")
            decoder.feed(chunk)
            if kept is not None:
                kept.append(chunk)
    except PayloadTooLarge as exc:
        return await _refuse_and_drain(exc, body)
    return decoder.finish()


class _Body:
    """The body's chunks as they arrive, each wait bounded by the idle and total timeouts."""

    def __init__(self, receive: Receive, limits: Limits) -> None:
        self.receive = receive
        self.limits = limits
        self.loop = asyncio.get_running_loop()
        self.deadline = self.loop.time() + limits.body_total_timeout_s
        self.done = False

    async def next_chunk(self) -> bytes | None:
        """The next non-empty part of the body, or None at its end."""
        while not self.done:
            message = await self._next_message()
            if message["type"] == "http.disconnect":
                raise BadRequest("the client went away before sending the whole body")
            self.done = not message.get("more_body", False)
            chunk: bytes = message.get("body", b"")
            if chunk:
                return chunk
        return None

    async def _next_message(self) -> Message:
        limits, loop = self.limits, self.loop
        idle_deadline = loop.time() + limits.body_idle_timeout_s
        task = asyncio.current_task()
        if task is None:
            raise RuntimeError("a body is read in a task (an ASGI server runs each request in one)")
        deadlines = _deadlines_of(loop)
        deadlines.watch(task, min(idle_deadline, self.deadline))
        try:
            return await self.receive()
        except asyncio.CancelledError:
            if not deadlines.expired(task) or task.uncancel() > 0:
                raise  # cancelled by someone else (the server shutting down, the client gone)
        finally:
            deadlines.unwatch(task)
        # Told by the deadline this wait had, not by when the sweep came round to it.
        if self.deadline <= idle_deadline:
            raise RequestTimeout(f"the body took longer than {limits.body_total_timeout_s:g} s to arrive")
        raise RequestTimeout(f"no part of the body arrived for {limits.body_idle_timeout_s:g} s")


class _Deadlines:
    """An event loop's body reads that wait for their next message, with their deadlines; one timer
    sweeps them every SWEEP_S while any wait, and cancels those past their deadline. It holds no
    reference to its loop, so the table goes with the loop."""

    def __init__(self) -> None:
        self.waiting: dict[asyncio.Task[object], float] = {}
        self.cancelled: set[asyncio.Task[object]] = set()
        self.sweeping = False

    def watch(self, task: asyncio.Task[object], deadline: float) -> None:
        """`task` waits for a message until `deadline` (loop time)."""
        self.waiting[task] = deadline
        if not self.sweeping:
            self.sweeping = True
            asyncio.get_running_loop().call_later(SWEEP_S, self._sweep)

    def unwatch(self, task: asyncio.Task[object]) -> None:
        """`task` stopped waiting (a message came, or it was cancelled)."""
        self.waiting.pop(task, None)
        self.cancelled.discard(task)

    def expired(self, task: asyncio.Task[object]) -> bool:
        """True if the sweep cancelled `task` for its deadline."""
        return task in self.cancelled

    def _sweep(self) -> None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        for task, deadline in list(self.waiting.items()):
            if deadline <= now:
                del self.waiting[task]
                self.cancelled.add(task)
                task.cancel()
        self.sweeping = bool(self.waiting)
        if self.sweeping:
            loop.call_later(SWEEP_S, self._sweep)


_LOOPS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Deadlines] = weakref.WeakKeyDictionary()


def _deadlines_of(loop: asyncio.AbstractEventLoop) -> _Deadlines:
    found = _LOOPS.get(loop)
    if found is None:
        found = _LOOPS[loop] = _Deadlines()
    return found


async def _refuse_and_drain(exc: PayloadTooLarge, body: _Body) -> Answer:
    """The 413 answer, after reading what is left of the body so the client is not reset."""
    drained = await _drain(body)
    return error_answer(exc, CORS_HEADERS if drained else CLOSING_HEADERS)


async def _drain(body: _Body) -> bool:
    """Read and discard what is left of the body, up to a bound; False if it could not all be read."""
    seen = 0
    try:
        while (chunk := await body.next_chunk()) is not None:
            seen += len(chunk)
            if seen > _DRAIN_LIMIT:
                return False
    except (RequestTimeout, BadRequest):
        return False  # too slow, or gone: the body was refused already, a closed connection ends it
    return True
