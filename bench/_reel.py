"""A real Reel for the benchmarks, driven only through its public interfaces.

`reel apps|users|tokens create` prepare a data directory, `reel serve` runs on it as its own process (so
a restart is a cold start and the benchmark's Python does not share a GIL with the server), and the
operator API is called with a bearer token. The player is opened in Chromium after the login form.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson

OPERATOR, PASSWORD = "bench", "bench-password-8h"
REEL = str(Path(sys.executable).with_name("reel"))


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _cli(data_dir: Path, *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [REEL, *args, "--data-dir", str(data_dir)],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"reel {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


@dataclass(frozen=True)
class Tenant:
    """An application on a data directory, with an admin who can log in and a token for the API."""

    app_id: str
    app_key: str
    token: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def to_json(self) -> dict[str, str]:
        return {"app_id": self.app_id, "app_key": self.app_key, "token": self.token}

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> Tenant:
        return cls(str(doc["app_id"]), str(doc["app_key"]), str(doc["token"]))


def create_tenant(data_dir: Path, name: str, origin: str) -> Tenant:
    """Create the application for `origin`, the bench admin and an API token on a fresh data directory."""
    data_dir.mkdir(parents=True, exist_ok=True)
    app = orjson.loads(_cli(data_dir, "apps", "create", name, "--origin", origin, "--json"))
    _cli(data_dir, "users", "create", OPERATOR, "--role", "admin", stdin=PASSWORD + "\n")
    token = orjson.loads(_cli(data_dir, "tokens", "create", "bench", "--user", OPERATOR, "--json"))
    return Tenant(str(app["id"]), str(app["app_key"]), str(token["token"]))


@dataclass(frozen=True)
class RunningReel:
    """A `reel serve` process and how to call it."""

    url: str
    data_dir: Path
    tenant: Tenant

    def get(self, path: str, timeout: float = 600.0, **params: Any) -> httpx.Response:
        response = httpx.get(f"{self.url}{path}", params=params, headers=self.tenant.auth, timeout=timeout)
        response.raise_for_status()
        return response

    def api(self, path: str, **params: Any) -> Any:
        """GET an operator API path and return its JSON."""
        return self.get(path, **params).json()

    def send(self, method: str, path: str, body: dict[str, Any]) -> Any:
        response = httpx.request(method, f"{self.url}{path}", json=body, headers=self.tenant.auth, timeout=60)
        response.raise_for_status()
        return response.json()

    def application(self) -> dict[str, Any]:
        apps = self.api("/api/v1/applications")["applications"]
        return next(a for a in apps if a["id"] == self.tenant.app_id)  # type: ignore[no-any-return]


@contextmanager
def serve(data_dir: Path, tenant: Tenant, *, log: Path | None = None) -> Iterator[RunningReel]:
    """Run `reel serve` on `data_dir` until the block ends (SIGTERM, no drain)."""
    port = free_port()
    env = {**os.environ, "REEL_DRAIN_SECONDS": "0"}
    out = open(log or os.devnull, "ab")  # noqa: SIM115 -- closed below, after the process
    proc = subprocess.Popen(
        [REEL, "serve", "--port", str(port), "--data-dir", str(data_dir)], stdout=out, stderr=out, env=env
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"reel serve exited with {proc.returncode} (log: {log})")
            try:
                if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("reel serve did not become ready")
            time.sleep(0.1)
        yield RunningReel(url, data_dir, tenant)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        out.close()


def copy_data_dir(source: Path, target: Path) -> Path:
    """A private copy of a cached data directory, so a run never changes the cache."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target)
    return target


def log_in(page: Any, reel_url: str) -> None:
    """Log the browser context in with the login form (the player pages need the cookie)."""
    page.goto(f"{reel_url}/login?next=/sessions")
    page.fill("#login-name", OPERATOR)
    page.fill("#login-password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/sessions")


def wait_settled(
    reel: RunningReel, session_id: str, *, quiet_s: float = 5.0, timeout_s: float = 900.0
) -> None:
    """Wait until Reel's background work on the data stops changing what it reports and stores.

    Public signals only: the session's JSON and the application's `stored_bytes` must stay the same for
    `quiet_s` (processing, and compaction where Reel has it, run in the background after ingest).
    """
    deadline = time.monotonic() + timeout_s
    last: Any = None
    since = time.monotonic()
    while time.monotonic() < deadline:
        detail = reel.api(f"/api/v1/sessions/{session_id}")
        state = (detail, reel.application().get("stored_bytes"), blob_bytes(reel.data_dir))
        if state != last:
            last, since = state, time.monotonic()
        elif time.monotonic() - since >= quiet_s:
            return
        time.sleep(0.5)
    raise RuntimeError("Reel's background work did not settle")


def blob_bytes(data_dir: Path, recording_id: str = "") -> int:
    """Bytes of the files of the embedded replay store (one recording's, if given), database excluded."""
    root = data_dir / "blobs"
    files = root.rglob("*") if root.exists() else iter(())
    wanted = [
        p for p in files if p.is_file() and (not recording_id or recording_id in p.parts[len(root.parts) :])
    ]
    return sum(_size(p) for p in wanted)


def _size(path: Path) -> int:
    """A file's size; 0 for one gone since it was listed (a store's temporary file, renamed or removed
    while Reel's background work writes beside the benchmark)."""
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0
