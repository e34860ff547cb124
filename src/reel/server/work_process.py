"""The embedded `reel serve`'s background work in a child process of its own, started and supervised by it.

Python runs one thread of a process at a time: processing (DOM mirror, actions, keyframes), compaction
and resource capture on threads beside the HTTP server took the interpreter from the event loop answering
beacons — about a quarter of the serving process's interpreter time under beacon load (P3 in
docs/scale.md). In a child process they run beside it instead, on another core when there is one; the
child runs at a lower CPU priority (nice), so a busy core goes to ingest first.

It is the same `reel worker` that runs at scale, on the same stores: recordings are worked on under
leases in the session store, so the child is as safe across a crash as a worker on another machine. The
user still runs one command: the child is started with the server, restarted if it dies, stopped with
it, and dies with it if the server is killed (SIGKILL leaves no orphan working on behind a new server).
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from reel.config import Settings
from reel.runtime.metrics import child_exited, count_children_in

log = logging.getLogger("reel.server")

NICENESS = 10
"""How much lower the child's CPU priority is than the server's."""
RESTART_AFTER_S = (1.0, 2.0, 5.0, 10.0, 30.0)
"""Waits before restarting a child that died, longer after each death in a row (the last one repeats)."""
HEALTHY_AFTER_S = 60.0
"""A child that ran this long before it died is restarted after the first wait again."""
STOP_TIMEOUT_S = 15.0
"""How long a stopping child may finish its current round before it is killed."""


def shareable(settings: Settings) -> bool:
    """True when a second process can open the same stores (in-memory stores live in one process only)."""
    urls = (settings.resolved_database_url, settings.resolved_blob_url)
    return not any(url.startswith("memory:") for url in urls)


FOLDER_PREFIX = "reel-serve-"


def arrivals_file(root: Path | None = None) -> Path:
    """A new file's path in a folder of its own (in `root`, the system's temporary folder by default), for
    the beacon arrivals the child follows and the child's metrics. Folders left there by servers that no
    longer run (killed with SIGKILL: nothing of theirs ran to remove them) are removed first."""
    base = root if root is not None else Path(tempfile.gettempdir())
    _remove_abandoned(base)
    return Path(tempfile.mkdtemp(prefix=f"{FOLDER_PREFIX}{os.getpid()}-", dir=base)) / "beacon-arrivals"


def _remove_abandoned(base: Path) -> None:
    """Remove `reel-serve-{pid}-…` folders in `base` whose server process is gone."""
    for folder in base.glob(f"{FOLDER_PREFIX}*-*"):
        pid = folder.name[len(FOLDER_PREFIX) :].split("-", 1)[0]
        if pid.isdigit() and not _running(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process: not ours to judge
    return True


def child_environment(arrivals: Path) -> dict[str, str] | None:
    """The child's environment: where REEL_METRICS_DIR is not set (each process counts in memory), the
    child writes its metrics as files beside `arrivals` and this server's `/metrics` answers for both
    (reel.runtime.metrics); None (inherit) otherwise."""
    if os.environ.get("REEL_METRICS_DIR"):
        return None
    directory = arrivals.parent / "metrics"
    directory.mkdir(exist_ok=True)
    count_children_in(str(directory))
    return {**os.environ, "REEL_METRICS_DIR": str(directory)}


def worker_command(settings: Settings, arrivals: Path) -> list[str]:
    """The child's command line: `reel worker` on the server's stores, following this process and the
    beacon arrivals it writes to `arrivals` (reel.runtime.priority)."""
    args = [sys.executable, "-m", "reel", "worker", "--parent-pid", str(os.getpid())]
    args += ["--arrivals", str(arrivals), "--data-dir", str(settings.data_dir)]
    if settings.database_url:
        args += ["--database-url", settings.database_url]
    return args


class WorkProcess:
    """Runs `reel worker` as a child of this process until `stop` (see the module docstring)."""

    def __init__(
        self,
        command: list[str],
        arrivals: Path | None = None,
        *,
        env: dict[str, str] | None = None,
        wait: Callable[[float], bool] | None = None,
    ) -> None:
        self.command = command
        self.env = env
        self.arrivals = arrivals
        """The arrivals file (`arrivals_file`), removed with its folder once the child has stopped."""
        self._stopping = threading.Event()
        self._wait = wait if wait is not None else self._stopping.wait
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self.starts = 0
        """Children started so far (the first and each restart)."""
        # The child is started from this thread and only from it: Linux's parent-death signal follows the
        # thread that started a child, and this one lives until `stop`.
        self._thread = threading.Thread(target=self._supervise, name="reel-work-process", daemon=True)

    def start(self) -> WorkProcess:
        self._thread.start()
        return self

    @property
    def pid(self) -> int | None:
        """The running child's pid (None between children)."""
        proc = self._proc
        return proc.pid if proc is not None and proc.poll() is None else None

    def _supervise(self) -> None:
        deaths = 0
        while not self._stopping.is_set():
            with self._lock:
                if self._stopping.is_set():
                    return
                self._proc = subprocess.Popen(self.command, stdin=subprocess.DEVNULL, env=self.env)
                self.starts += 1
            started = time.monotonic()
            code = self._proc.wait()
            child_exited(self._proc.pid)
            if self._stopping.is_set():
                return
            if time.monotonic() - started > HEALTHY_AFTER_S:
                deaths = 0  # it had been working: this death is the first in a row
            wait_s = RESTART_AFTER_S[min(deaths, len(RESTART_AFTER_S) - 1)]
            deaths += 1
            log.warning("the background work process exited with %s; restarting it in %g s", code, wait_s)
            if self._wait(wait_s):
                return

    def stop(self) -> None:
        """SIGTERM the child (it finishes its current round), SIGKILL it if it takes too long."""
        with self._lock:
            self._stopping.set()
            proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                log.warning("the background work process did not stop in %g s; killing it", STOP_TIMEOUT_S)
                proc.kill()
                proc.wait()
        self._thread.join(timeout=5.0)
        if self.arrivals is not None:
            shutil.rmtree(self.arrivals.parent, ignore_errors=True)


def follow_parent(parent_pid: int, stop: Callable[[], None]) -> None:
    """In a child started by `WorkProcess` (`reel worker --parent-pid`): lower its priority, and call
    `stop` once the server is gone (on Linux the kernel signals it at once; elsewhere the parent is
    checked every second)."""
    with contextlib.suppress(OSError):  # not allowed here: the work still runs, only without giving way
        os.nice(NICENESS)
    if sys.platform == "linux":
        _parent_death_signal(signal.SIGTERM)

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(1.0)
        log.warning("the server (pid %d) is gone: the background work process stops", parent_pid)
        stop()

    threading.Thread(target=watch, name="reel-parent-watch", daemon=True).start()


_PR_SET_PDEATHSIG = 1


def _parent_death_signal(sig: int) -> None:
    """Ask Linux to send `sig` to this process when the thread that started it exits."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
    except (OSError, AttributeError):
        pass  # the once-a-second check of the parent still ends the child
