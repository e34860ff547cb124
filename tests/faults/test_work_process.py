"""The embedded `reel serve` runs its background work in a child `reel worker` it supervises
(reel/server/work_process.py): the child works (a recording gets processed), is restarted when it dies,
stops with the server on SIGTERM, and does not outlive a server killed with SIGKILL."""

from __future__ import annotations

import gzip
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson
import pytest

from reel.config import Settings
from reel.server.work_process import FOLDER_PREFIX, arrivals_file
from reel.storage.factory import open_session_store
from reel_process import ORIGIN, ReelProcess, prepare_data_dir
from support import dashboard_snapshot

pytestmark = pytest.mark.faults


def _children(pid: int) -> list[int]:
    """The pids of `pid`'s live child processes (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid and fields[0] not in ("Z", "X"):
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def _until(check: object, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if callable(check) and check():
            return
        time.sleep(0.1)
    raise AssertionError(f"not within {timeout_s:g} s: {what}")


def _worker_of(server: ReelProcess, timeout_s: float = 30.0) -> int:
    """The pid of the server's work process, once it runs."""
    assert server.proc is not None
    pid = server.proc.pid
    _until(lambda: bool(_children(pid)), timeout_s, "the server started its work process")
    (child,) = _children(pid)
    return child


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[ReelProcess, str]]:
    app, _headers = prepare_data_dir(tmp_path / "data", int(time.time() * 1000))
    proc = ReelProcess(tmp_path / "data", tmp_path / "reel.log", env={"REEL_DRAIN_SECONDS": "0"})
    proc.start()
    try:
        proc.wait_ready()
        yield proc, app.app_key
    finally:
        proc.stop()


def _post_beacon(
    server: ReelProcess, app_key: str, recording_id: str, more: list[dict[str, object]] | None = None
) -> None:
    now = int(time.time() * 1000)
    doc = {
        "v": 1,
        "recording_id": recording_id,
        "session_id": "s1",
        "seq": 0,
        "sent_at": now,
        "final": True,
        "events": [*dashboard_snapshot(now - 10), *(more or [])],
    }
    answer = httpx.post(
        f"{server.url}/v1/web/beacons?k={app_key}&ce=gzip",
        content=gzip.compress(orjson.dumps(doc)),
        headers={"Origin": ORIGIN, "Content-Type": "text/plain"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text


def test_the_child_processes_recordings_and_is_niced(server: tuple[ReelProcess, str]) -> None:
    proc, app_key = server
    worker = _worker_of(proc)
    assert proc.proc is not None
    server_nice = os.getpriority(os.PRIO_PROCESS, proc.proc.pid)
    _until(lambda: os.getpriority(os.PRIO_PROCESS, worker) > server_nice, 30.0, "the work process gives way")
    _post_beacon(proc, app_key, "rec-work-process")
    sessions = open_session_store(Settings(data_dir=proc.data_dir).resolved_database_url)
    try:

        def processed() -> bool:
            progress = sessions.progress("rec-work-process")
            return progress is not None and progress.processed_seq >= 0

        _until(processed, 60.0, "the work process processed the recording")
    finally:
        sessions.close()


def test_a_dead_child_is_restarted(server: tuple[ReelProcess, str]) -> None:
    proc, _ = server
    first = _worker_of(proc)
    os.kill(first, signal.SIGKILL)
    assert proc.proc is not None
    _until(lambda: any(c != first for c in _children(proc.proc.pid)), 30.0, "a new work process started")


def test_sigterm_stops_the_child_with_the_server(server: tuple[ReelProcess, str]) -> None:
    proc, _ = server
    worker = _worker_of(proc)
    proc.signal(signal.SIGTERM)
    # Without a drain uvicorn ends by raising the SIGTERM it caught again (as before the work process).
    assert proc.wait_exit(60.0) in (0, -signal.SIGTERM)
    assert "exited with" not in proc.log_path.read_text()  # stopped, not seen dying and restarted
    _until(lambda: not _alive(worker), 10.0, "the work process stopped")


def test_sigkill_of_the_server_ends_the_child(server: tuple[ReelProcess, str]) -> None:
    proc, _ = server
    worker = _worker_of(proc)
    proc.kill9()
    _until(lambda: not _alive(worker), 20.0, "the work process ended after its server was killed")


def _metric(server: ReelProcess, name: str) -> float:
    """The value of an unlabelled metric on the server's /metrics (0 when absent)."""
    text = httpx.get(f"{server.url}/metrics", timeout=10).text
    values = [float(line.split()[-1]) for line in text.splitlines() if line.startswith(name + " ")]
    assert len(values) <= 1, values  # one family, not the server's and the child's side by side
    return values[0] if values else 0.0


def test_the_servers_metrics_include_what_its_child_counts(server: tuple[ReelProcess, str]) -> None:
    proc, app_key = server
    _worker_of(proc)
    assert _metric(proc, "reel_mirror_problems_total") == 0
    # A mutation about a node the page never had: the mirror, in the child, counts a problem.
    unknown = {
        "type": 3,
        "timestamp": int(time.time() * 1000),
        "data": {
            "source": 0,
            "adds": [],
            "texts": [],
            "attributes": [],
            "removes": [{"parentId": 9999, "id": 9998}],
        },
    }
    _post_beacon(proc, app_key, "rec-metrics", [unknown])
    _until(lambda: _metric(proc, "reel_mirror_problems_total") >= 1, 60.0, "the child's count on /metrics")
    assert _metric(proc, "reel_beacons_accepted_total") == 0  # labelled: no unlabelled line
    accepted = httpx.get(f"{proc.url}/metrics", timeout=10).text
    assert 'reel_beacons_accepted_total{platform="web"} 1.0' in accepted  # the server's own count, once


def test_folders_of_servers_that_no_longer_run_are_removed(tmp_path: Path) -> None:
    gone = subprocess.Popen(["true"])
    gone.wait()  # a pid no process has now (reused only after the kernel wraps around)
    abandoned = tmp_path / f"{FOLDER_PREFIX}{gone.pid}-abc"
    (abandoned / "metrics").mkdir(parents=True)
    running = tmp_path / f"{FOLDER_PREFIX}{os.getppid()}-def"  # this test's parent runs
    running.mkdir()
    unrelated = tmp_path / f"{FOLDER_PREFIX}x-ghi"
    unrelated.mkdir()
    made = arrivals_file(tmp_path)
    assert made.parent.is_dir() and made.parent.name.startswith(f"{FOLDER_PREFIX}{os.getpid()}-")
    assert not abandoned.exists()
    assert running.is_dir() and unrelated.is_dir()
