"""The upload queue: beacons go to disk first and leave it only once the server acknowledged them.

A beacon body is written to the queue folder (temporary file, fsync, rename) before any attempt to send
it, so an app killed mid-upload, or a crash, sends it on the next start. Every attempt is stamped with
the device's clock at that moment (`sent_at` in the URL), separately from the body's time of cutting.
Sending follows the web recorder's rules: retry with exponential backoff on no answer, 408, 429
(honouring Retry-After) and 5xx; drop on any other 4xx (the server will never take that body). The
folder has a byte budget; past it the oldest beacons go first.
"""

from __future__ import annotations

import logging
import os
import random
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from reel.capture.mobile.wire import CONTENT_TYPE

log = logging.getLogger("reel.capture.mobile")

SUFFIX = ".rlmb"
BASE_BACKOFF_MS = 1_000
MAX_BACKOFF_MS = 5 * 60 * 1000
DEFAULT_MAX_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class SendResult:
    """The server's answer: HTTP status (0 when there was none) and Retry-After in seconds, if sent."""

    status: int
    retry_after_s: float | None = None

    @property
    def ok(self) -> bool:
        """Acknowledged (stored, or a duplicate of a stored beacon)."""
        return 200 <= self.status < 300

    @property
    def retryable(self) -> bool:
        """Worth sending again later: no answer, a timeout, rate limiting or a server error."""
        return self.status == 0 or self.status in (408, 429) or self.status >= 500


class Transport(Protocol):
    """Sends one beacon body to Reel."""

    def send(self, body: bytes, sent_at: int) -> SendResult:
        """POST the body stamped with this attempt's time `sent_at` (device clock, ms); never raises
        for network errors (status 0 instead)."""
        ...


class HttpTransport:
    """`POST {base_url}/v1/mobile/beacons?k={app_key}&sent_at={ms}` with urllib (no dependency to ship)."""

    def __init__(self, base_url: str, app_key: str, *, timeout_s: float = 30.0) -> None:
        if not base_url.startswith(("https://", "http://")):
            raise ValueError("Reel's URL must be http(s)")
        self.url = f"{base_url.rstrip('/')}/v1/mobile/beacons?k={app_key}"
        self.timeout_s = timeout_s

    def send(self, body: bytes, sent_at: int) -> SendResult:
        # The scheme is checked to be http(s) in __init__. The attempt's time goes in the URL: the body
        # on disk keeps the time it was cut, and rewriting it for every attempt would cost a write.
        request = urllib.request.Request(  # noqa: S310
            f"{self.url}&sent_at={sent_at}", data=body, method="POST", headers={"Content-Type": CONTENT_TYPE}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:  # noqa: S310
                return SendResult(response.status)
        except urllib.error.HTTPError as exc:
            return SendResult(exc.code, _retry_after(exc.headers.get("Retry-After")))
        except (urllib.error.URLError, OSError, TimeoutError):
            return SendResult(0)


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None


def backoff_ms(
    attempt: int, retry_after_s: float | None = None, *, rand: Callable[[], float] = random.random
) -> int:
    """How long to wait before attempt `attempt + 1`: Retry-After if given (never sooner, up to a quarter
    later), else 1 s doubling to 5 min between half and all of it: jitter, so that many apps told to wait
    the same time, or coming back online together, do not all retry in step."""
    if retry_after_s is not None:
        return int(min(retry_after_s * 1000 * (1.25 - rand() / 4), MAX_BACKOFF_MS))
    ceiling = min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** min(attempt, 20))
    return int(ceiling * (0.5 + rand() / 2))


@dataclass(frozen=True)
class QueueReport:
    """What one `send_pending` did."""

    sent: int
    dropped: int
    pending: int
    retry_at_ms: int | None


def _wall_ms() -> int:
    return time.time_ns() // 1_000_000


class UploadQueue:
    """Beacon bodies in a folder, sent oldest first; safe to share between threads."""

    def __init__(
        self,
        folder: Path,
        transport: Transport,
        *,
        clock: Callable[[], int] = _wall_ms,
        max_bytes: int = DEFAULT_MAX_BYTES,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.transport = transport
        self.clock = clock
        self.max_bytes = max_bytes
        self.rand = rand
        self.attempt = 0
        self.retry_at_ms: int | None = None
        self.dropped = 0
        self._lock = threading.Lock()
        for stale in self.folder.glob("*.tmp"):  # a write cut short by a crash never became a beacon
            stale.unlink(missing_ok=True)

    def put(self, name: str, body: bytes) -> Path:
        """Store a beacon body durably under `name` (names sort in sending order)."""
        with self._lock:
            path = self.folder / f"{name}{SUFFIX}"
            tmp = path.with_suffix(".tmp")
            with open(tmp, "wb") as f:
                f.write(body)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
            self._enforce_budget()
            return path

    def pending(self) -> list[Path]:
        """Stored beacons not yet acknowledged, in sending order."""
        return sorted(self.folder.glob(f"*{SUFFIX}"))

    def send_pending(self, *, force: bool = False) -> QueueReport:
        """Send what is stored, oldest first, until done or until the server says to wait.

        During a backoff nothing is sent unless `force` (for example when the network came back).
        """
        with self._lock:
            sent = dropped = 0
            now = self.clock()
            if not force and self.retry_at_ms is not None and now < self.retry_at_ms:
                return QueueReport(0, 0, len(self.pending()), self.retry_at_ms)
            self.retry_at_ms = None
            for path in self.pending():
                # Stamped now, at each attempt: a beacon that waited offline for hours keeps its events'
                # times, and the server still sees whether the device's clock is right.
                result = self.transport.send(path.read_bytes(), self.clock())
                if result.ok:
                    path.unlink(missing_ok=True)
                    self.attempt = 0
                    sent += 1
                elif result.retryable:
                    self.retry_at_ms = self.clock() + backoff_ms(
                        self.attempt, result.retry_after_s, rand=self.rand
                    )
                    self.attempt += 1
                    break
                else:
                    log.warning("Reel refused beacon %s with %s; dropping it", path.name, result.status)
                    path.unlink(missing_ok=True)
                    self.dropped += 1
                    dropped += 1
            return QueueReport(sent, dropped, len(self.pending()), self.retry_at_ms)

    def _enforce_budget(self) -> None:
        files = self.pending()
        total = sum(p.stat().st_size for p in files)
        while files and total > self.max_bytes:
            oldest = files.pop(0)
            total -= oldest.stat().st_size
            oldest.unlink(missing_ok=True)
            self.dropped += 1
            log.warning("Reel upload queue over %d bytes; dropped %s", self.max_bytes, oldest.name)


class Uploader:
    """Sends the queue in the background: on `wake()` and every `interval_s`."""

    def __init__(self, queue: UploadQueue, *, interval_s: float = 5.0) -> None:
        self.queue = queue
        self.interval_s = interval_s
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="reel-uploader", daemon=True)

    def start(self) -> Uploader:
        """Start the thread; returns self."""
        self._thread.start()
        return self

    def wake(self) -> None:
        """Send soon (a beacon was just queued)."""
        self._wake.set()

    def stop(self, timeout_s: float = 5.0) -> None:
        """Stop after the current attempt."""
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout_s)

    def _run(self) -> None:
        # Beacons left from an earlier run wait a random part of the interval: apps of a fleet that start
        # together (after a push, a release) do not all send their queues at once.
        if self.queue.pending():
            self._stop.wait(self.queue.rand() * self.interval_s)
        while not self._stop.is_set():
            try:
                self.queue.send_pending()
            except OSError:
                log.exception("Reel upload queue could not read its folder")
            self._wake.wait(self.interval_s)
            self._wake.clear()
