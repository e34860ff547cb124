"""A daemon thread that runs one round of background work again and again until stopped."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Self

from reel.errors import ReelError
from reel.runtime.metrics import count_store_error

Round = Callable[[Callable[[], bool]], bool]
"""One round of work; given a `stopping()` check, returns True if there is more to do at once."""


class PeriodicTask:
    """Runs `work` every `interval_s` (at once again while it reports more work) until `stop()`.

    A failed round is logged and retried at the next one: background work never dies of one error.
    """

    def __init__(self, name: str, work: Round, interval_s: float, log: logging.Logger) -> None:
        self.name = name
        self.interval_s = interval_s
        self._work = work
        self._log = log
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> Self:
        """Start the thread; returns self."""
        self._thread.start()
        return self

    def stop(self, timeout_s: float = 10.0) -> None:
        """Ask the thread to stop after its current round and wait for it."""
        self._stop.set()
        self._thread.join(timeout_s)

    @property
    def running(self) -> bool:
        """True while the thread is alive (a round still in progress after `stop` timed out)."""
        return self._thread.is_alive()

    def _run(self) -> None:
        while not self._stop.is_set():
            busy = False
            try:
                busy = self._work(self._stop.is_set)
            except ReelError as exc:
                count_store_error(self.name, exc)
                self._log.warning("%s round failed, retrying: %s", self.name, exc.message)
            except Exception:
                self._log.exception("%s round failed, retrying", self.name)
            if not busy:
                self._stop.wait(self.interval_s)
