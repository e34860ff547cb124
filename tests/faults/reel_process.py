"""`reel serve` as a real child process on a free loopback port, for tests that kill and restart it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from reel.admin.applications import create_application
from reel.admin.operators import create_operator, issue_token
from reel.config import Settings
from reel.domain.records import Application
from reel.storage.factory import open_operator_store, open_session_store

ORIGIN = "http://shop.test:8701"


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prepare_data_dir(
    data_dir: Path, now_ms: int, *, database_url: str = ""
) -> tuple[Application, dict[str, str]]:
    """An application allowing ORIGIN and an admin token, written to the data dir (or the database at
    `database_url`) before Reel starts."""
    settings = Settings(data_dir=data_dir, database_url=database_url)
    sessions = open_session_store(settings.resolved_database_url)
    operators = open_operator_store(settings.resolved_database_url)
    try:
        app = create_application(sessions, "Shop", [ORIGIN], now_ms=now_ms)
        admin = create_operator(operators, "faults-admin", "admin", None, now_ms=now_ms)
        _token, secret = issue_token(operators, admin, "faults", now_ms=now_ms)
    finally:
        sessions.close()
        operators.close()
    return app, {"Authorization": f"Bearer {secret}"}


class ReelProcess:
    """One `reel serve` (or `reel worker`) child; `start` again after it died to restart it on the same
    port and data."""

    def __init__(
        self, data_dir: Path, log_path: Path, *, env: dict[str, str] | None = None, command: str = "serve"
    ) -> None:
        self.command = command
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.env = {**os.environ, "REEL_DATA_DIR": str(data_dir), **(env or {})}
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self, *extra_args: str) -> None:
        """Start the server (without waiting for it to be ready)."""
        port = ["--port", str(self.port)] if self.command == "serve" else []
        args = [sys.executable, "-m", "reel", self.command, *port, *extra_args]
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(args, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        self.starts += 1

    def wait_ready(self, timeout_s: float = 30.0) -> None:
        """Poll /readyz until it answers 200; fail if the process dies or the time runs out."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"reel serve exited with {self.proc.returncode}; see {self.log_path}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"reel serve was not ready within {timeout_s} s; see {self.log_path}")

    def signal(self, sig: signal.Signals) -> None:
        """Send `sig` to the server process (only ever the one this object started)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)

    def kill9(self) -> None:
        """SIGKILL the server and reap it."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def wait_exit(self, timeout_s: float) -> int:
        """Wait for the server to exit on its own; its return code."""
        if self.proc is None:
            return 0
        return self.proc.wait(timeout=timeout_s)

    def stop(self) -> None:
        """Make sure nothing is left running (test teardown)."""
        self.kill9()
