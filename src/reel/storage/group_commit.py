"""Group commit: beacons that arrive together share one transaction, so durability costs little per beacon.

Requests hand their beacon to one committer thread per process and wait. The thread takes everything
waiting (up to a bound) and saves it with one `save_beacons` call: one transaction, one fsync (SQLite) or
one commit (PostgreSQL). While it commits, the next group gathers, so under load groups grow by themselves
and a lone beacon is never held back waiting for company. Under load (the last group had company) a group
also waits a few milliseconds for more while beacons keep coming: each group costs a transaction's fixed
work (queries, commit, fsync, a wake-up of the thread), and groups of ~6 at 1,500 beacons/s spent ~15 %
more CPU per beacon than groups of ~25 (P3 in docs/scale.md). The thread is woken only for the first
beacon of a group (or a full one), not for each. Each beacon is still answered only after its
group is durable, with its own outcome. A beacon that claims its recording does so in its group's
transaction; one whose events were moved by another clock offset than the claim's is moved again here
and saved with the next group.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future

from reel.errors import ReelError, StorageUnavailable
from reel.storage.session_store import BeaconWrite, OtherClockOffset, SaveResult, SessionStore, reshifted

log = logging.getLogger("reel.ingest")

MAX_GROUP = 256
"""Beacons per transaction at most (a bound on one transaction's size and on the wait behind it)."""

MAX_GATHER_S = 0.005
"""Under load, how long a group may wait for more beacons before it is committed (see `_gather`)."""
GATHER_GAP_S = 0.001
"""A group stops gathering once no beacon came for this long."""

Outcome = SaveResult | ReelError
Waiter = Future[Outcome] | asyncio.Future[Outcome]
"""Who waits for a beacon's outcome: a thread (`submit`) or a request on an event loop (`wait`)."""


class GroupCommitter:
    """Saves beacons in groups on a thread of its own; `save` blocks until the beacon's group is durable."""

    def __init__(
        self,
        store: SessionStore,
        *,
        max_group: int = MAX_GROUP,
        max_gather_s: float = MAX_GATHER_S,
        gather_gap_s: float = GATHER_GAP_S,
    ) -> None:
        self.store = store
        self.max_group = max_group
        self.max_gather_s = max_gather_s
        self.gather_gap_s = gather_gap_s
        self._waiting: deque[tuple[BeaconWrite, Waiter]] = deque()
        self._ready = threading.Condition()
        self._closed = False
        self._thread: threading.Thread | None = None
        self.groups = 0
        """Transactions committed so far (for tests and metrics)."""
        self.beacons = 0
        """Beacons saved so far."""
        self._failed: tuple[float, str] | None = None
        self._idle = False
        """True while the thread waits for a first beacon: only then does a new beacon wake it."""

    def submit(self, write: BeaconWrite) -> Future[Outcome]:
        """Queue a beacon; the future holds its outcome once its group is committed (or the error)."""
        future: Future[Outcome] = Future()
        self._queue(write, future)
        return future

    async def wait(self, write: BeaconWrite) -> Outcome:
        """Queue a beacon and wait, on the running event loop, for its outcome (or the error).

        The answers of a group reach each event loop in one wake-up, not one per beacon (a thread's
        future and its hand-over to the loop cost about as much as the beacon's own decoding)."""
        future: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._queue(write, future)
        return await future

    def _queue(self, write: BeaconWrite, future: Waiter) -> None:
        with self._ready:
            if self._closed:
                raise StorageUnavailable("the server is shutting down")
            self._waiting.append((write, future))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="reel-group-commit", daemon=True)
                self._thread.start()
            if self._idle or len(self._waiting) >= self.max_group:
                self._ready.notify()

    def save(self, write: BeaconWrite) -> SaveResult:
        """Store one beacon and wait for its group; its refusal or the store's failure raised."""
        outcome = self.submit(write).result()
        if isinstance(outcome, ReelError):
            raise outcome
        return outcome

    def _run(self) -> None:
        previous = 0
        while True:
            with self._ready:
                while not self._waiting and not self._closed:
                    self._idle = True
                    self._ready.wait()
                self._idle = False
                if previous > 1:
                    self._gather()
                if not self._waiting:
                    return  # closed and drained
                group = [self._waiting.popleft() for _ in range(min(self.max_group, len(self._waiting)))]
                previous = len(group)
            self._commit(group)

    def _gather(self) -> None:
        """Under load (called with the lock held): let the group grow while beacons keep coming, for at
        most `max_gather_s`, ending as soon as none came for `gather_gap_s` or the group is full."""
        deadline = time.monotonic() + self.max_gather_s
        while len(self._waiting) < self.max_group and not self._closed:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            before = len(self._waiting)
            self._ready.wait(min(left, self.gather_gap_s))
            if len(self._waiting) == before:
                return

    def _commit(self, group: Sequence[tuple[BeaconWrite, Waiter]]) -> None:
        answers = _Answers()
        try:
            outcomes = self.store.save_beacons([w for w, _ in group])
        except StorageUnavailable as exc:
            self.refused(exc.message)
            for _, future in group:
                answers.fail(future, exc)
            answers.send()
            return
        except Exception as exc:  # a bug must fail these requests (500), not kill the committer thread
            log.exception("saving a group of %d beacons failed", len(group))
            for _, future in group:
                answers.fail(future, exc)
            answers.send()
            return
        self._failed = None
        self.groups += 1
        again: list[tuple[BeaconWrite, Waiter]] = []
        for (write, future), outcome in zip(group, outcomes, strict=True):
            if isinstance(outcome, OtherClockOffset):
                try:
                    again.append((reshifted(write, outcome), future))
                except Exception as exc:  # a bug: this request fails (500), the others are answered
                    log.exception("moving a beacon to its recording's clock offset failed")
                    answers.fail(future, exc)
                continue
            self.beacons += 1
            answers.give(future, outcome)
        if again:
            with self._ready:
                self._waiting.extendleft(reversed(again))
        answers.send()

    def refused(self, reason: str) -> None:
        """The database refused a beacon write (a group, or a new recording's claim)."""
        self._failed = (time.monotonic(), reason)

    def failing(self, within_s: float) -> str | None:
        """Why the last beacon write was refused, if it was under `within_s` ago and no group has been
        saved since: readiness reports it."""
        failed = self._failed
        if failed is None or time.monotonic() - failed[0] >= within_s:
            return None
        return failed[1]

    def close(self) -> None:
        """Save what is waiting, then stop the thread."""
        with self._ready:
            self._closed = True
            self._ready.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join()


_Settled = tuple["asyncio.Future[Outcome]", Outcome | None, BaseException | None]
"""A waiter on an event loop, and its outcome or the error."""


class _Answers:
    """A group's outcomes, handed to their waiters: threads' futures at once, each event loop's in one
    call on that loop."""

    def __init__(self) -> None:
        self._by_loop: dict[asyncio.AbstractEventLoop, list[_Settled]] = {}

    def give(self, future: Waiter, outcome: Outcome) -> None:
        if isinstance(future, Future):
            future.set_result(outcome)
        else:
            self._by_loop.setdefault(future.get_loop(), []).append((future, outcome, None))

    def fail(self, future: Waiter, exc: BaseException) -> None:
        if isinstance(future, Future):
            future.set_exception(exc)
        else:
            self._by_loop.setdefault(future.get_loop(), []).append((future, None, exc))

    def send(self) -> None:
        for loop, settled in self._by_loop.items():
            # A closed loop has no request left waiting on it.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(_settle, settled)
        self._by_loop.clear()


def _settle(settled: list[_Settled]) -> None:
    """On the waiters' event loop: give each its outcome (a request that went away is skipped)."""
    for future, outcome, exc in settled:
        if future.done():
            continue
        if exc is not None:
            future.set_exception(exc)
        elif outcome is not None:
            future.set_result(outcome)
