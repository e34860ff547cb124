"""The SDK's upload queue: beacons survive restarts, retries back off, refusals are dropped."""

from __future__ import annotations

from pathlib import Path

from reel.capture.mobile.queue import MAX_BACKOFF_MS, SendResult, UploadQueue, backoff_ms


class Server:
    """Answers each send with the next status of a script (then 200), keeping what it got."""

    def __init__(self, *statuses: int, retry_after: float | None = None) -> None:
        self.statuses = list(statuses)
        self.retry_after = retry_after
        self.received: list[bytes] = []

    def send(self, body: bytes, sent_at: int) -> SendResult:
        status = self.statuses.pop(0) if self.statuses else 200
        if 200 <= status < 300:
            self.received.append(body)
        return SendResult(status, self.retry_after if status in (429, 503) else None)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000

    def __call__(self) -> int:
        return self.now


def test_beacons_wait_on_disk_and_survive_a_restart(tmp_path: Path) -> None:
    offline = Server(0, 0)
    queue = UploadQueue(tmp_path, offline, clock=Clock(), rand=lambda: 1.0)
    queue.put("0001-rec-0", b"first")
    queue.put("0002-rec-1", b"second")
    report = queue.send_pending()
    assert report.sent == 0 and report.pending == 2 and report.retry_at_ms is not None
    (tmp_path / "0003-rec-2.tmp").write_bytes(b"half written")  # a crash mid-write
    online = Server()
    restarted = UploadQueue(tmp_path, online, clock=Clock())
    assert restarted.send_pending().sent == 2
    assert online.received == [b"first", b"second"]  # in order
    assert list(tmp_path.iterdir()) == []


def test_retries_back_off_and_honour_retry_after(tmp_path: Path) -> None:
    clock = Clock()
    server = Server(503, 429, retry_after=7)
    queue = UploadQueue(tmp_path, server, clock=clock, rand=lambda: 1.0)
    queue.put("a", b"body")
    first = queue.send_pending()
    assert first.retry_at_ms == clock.now + 7000
    clock.now += 6999
    assert queue.send_pending().sent == 0 and server.statuses == [429]  # still waiting: nothing sent
    clock.now += 1
    assert queue.send_pending().retry_at_ms == clock.now + 7000
    clock.now += 7000
    assert queue.send_pending().sent == 1


def test_other_refusals_are_dropped_not_retried(tmp_path: Path) -> None:
    server = Server(400, 413, 200)
    queue = UploadQueue(tmp_path, server, clock=Clock())
    for name in ("a", "b", "c"):
        queue.put(name, name.encode())
    report = queue.send_pending()
    assert (report.sent, report.dropped, report.pending) == (1, 2, 0)
    assert server.received == [b"c"]


def test_backoff_doubles_up_to_five_minutes_with_jitter() -> None:
    assert [backoff_ms(n, rand=lambda: 1.0) for n in range(4)] == [1000, 2000, 4000, 8000]
    assert backoff_ms(30, rand=lambda: 1.0) == MAX_BACKOFF_MS
    # A fleet told to wait 10 s spreads its retries over 10 to 12.5 s rather than coming back at once.
    assert [backoff_ms(0, 10, rand=lambda r=r: r) for r in (1.0, 0.5, 0.0)] == [10_000, 11_250, 12_500]
    assert backoff_ms(3, rand=lambda: 0.0) == 4000


def test_the_folder_keeps_to_its_budget_oldest_first(tmp_path: Path) -> None:
    queue = UploadQueue(tmp_path, Server(), clock=Clock(), max_bytes=250)
    for i in range(4):
        queue.put(f"{i:04d}", bytes(100))
    assert [p.stem for p in queue.pending()] == ["0002", "0003"] and queue.dropped == 2
