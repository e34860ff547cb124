"""Ingest first: background work in a serving process gives way to beacons while they arrive.

An embedded `reel serve` runs processing and resource capture on threads beside the HTTP server, and
Python runs one thread at a time: a thread replaying DOM mutations takes the interpreter from the event
loop answering beacons, in slices of several milliseconds each time the loop lets go of it. Beacons are
durable once acknowledged and processing can catch up afterwards, so while beacons arrive, background
work runs only a small share of the time (it pauses after each unit of work for a multiple of what the
unit took). It is never stopped: the pause ends as soon as beacons stop arriving, every unit is followed
by one bounded pause, and once processing is `CATCH_UP_AFTER_S` behind it takes its full share again.
How far behind processing is, is exported as `reel_processing_lag_seconds`.

The embedded `reel serve` runs that work in a child process (reel.server.work_process): the server then
also writes each beacon's arrival time into a small shared file (`share`), which the child's work reads
(`follow`), so it gives way to the server's beacons as threads of the server did. The monotonic clock is
the machine's, the same in both processes.
"""

from __future__ import annotations

import mmap
import struct
import time
from collections.abc import Callable
from pathlib import Path

QUIET_S = 0.25
"""Without a beacon for this long, ingest is quiet and background work runs at full speed."""
BACKGROUND_SHARE = 0.1
"""While beacons arrive, the share of the time background work runs (it pauses for the rest)."""
MAX_PAUSE_S = 1.0
"""The longest pause after one unit of work."""
CATCH_UP_AFTER_S = 60.0
"""Processing this far behind no longer gives way: it runs at full speed until it has caught up."""
_CELL = struct.Struct("d")
"""The shared file: the last beacon's time on the monotonic clock, one double."""


class IngestPriority:
    """Beacon arrivals of this process, and the pauses background work takes while they go on."""

    def __init__(
        self, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._last_beacon = float("-inf")
        self.behind_s = 0.0
        """How far behind processing is (set by processing after each round)."""
        self.paused_s = 0.0
        """Seconds background work spent paused so far (for tests and the log)."""
        self._shared: mmap.mmap | None = None

    def share(self, path: Path) -> None:
        """From now on also write each beacon's arrival into the file at `path` (created or emptied),
        for another process of this machine to `follow`."""
        with path.open("wb") as out:
            out.write(_CELL.pack(float("-inf")))
        self._map(path)

    def follow(self, path: Path) -> None:
        """From now on also count the beacons another process writes into the file at `path` (`share`)."""
        self._map(path)

    def _map(self, path: Path) -> None:
        with path.open("r+b") as file:
            self._shared = mmap.mmap(file.fileno(), _CELL.size)

    def beacon_arrived(self) -> None:
        """Note a beacon (called by ingest for each request; cheap)."""
        now = self._clock()
        self._last_beacon = now
        if self._shared is not None:
            _CELL.pack_into(self._shared, 0, now)

    def busy(self) -> bool:
        """True while beacons are arriving (here, or in the process shared with)."""
        last = self._last_beacon
        if self._shared is not None:
            last = max(last, _CELL.unpack_from(self._shared, 0)[0])
        return self._clock() - last < QUIET_S

    def pause_after(self, worked_s: float, stopping: Callable[[], bool] = lambda: False) -> float:
        """After a unit of background work that took `worked_s`, wait while ingest is busy, for at most
        the rest of this unit's share (see the module docstring); returns the seconds paused."""
        if self.behind_s >= CATCH_UP_AFTER_S or not self.busy():
            return 0.0
        started = self._clock()
        until = started + min(worked_s * (1 - BACKGROUND_SHARE) / BACKGROUND_SHARE, MAX_PAUSE_S)
        while not stopping() and self.busy():
            left = until - self._clock()
            if left <= 0:
                break
            self._sleep(min(left, QUIET_S / 5))
        paused = self._clock() - started
        self.paused_s += paused
        return paused
