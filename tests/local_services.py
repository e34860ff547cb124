"""Throwaway servers for tests and benchmarks: a PostgreSQL cluster and an S3 API server (moto), each on a
free port in a temporary folder, stopped and removed when the `with` block ends, however it ends.

Nothing here touches a server already running on the machine (a system PostgreSQL on 5432 stays unused).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

PG_USER = "reel"
S3_ACCESS_KEY = "reel-test-key"
S3_SECRET_KEY = "reel-test-secret"  # moto accepts any credentials; these only have to be consistent
S3_REGION = "us-east-1"
_START_ATTEMPTS = 5


class ServiceError(RuntimeError):
    """A test service could not be started; the message says why and where its log is."""


def free_port() -> int:
    """A TCP port nobody listens on right now (another process may still take it: callers retry)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# PostgreSQL


@dataclass(frozen=True)
class PostgresServer:
    """A running throwaway cluster; `trust` authentication on 127.0.0.1 and on its socket folder."""

    host: str
    port: int
    user: str
    socket_dir: Path

    def url(self, database: str = "postgres") -> str:
        """A `postgresql://` URL to one database of the cluster."""
        return f"postgresql://{self.user}@{self.host}:{self.port}/{quote(database)}"


def postgres_bin_dir() -> Path:
    """The newest installed PostgreSQL server's binaries (Debian puts them under /usr/lib/postgresql)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parent.parent.name))
    if not found:
        on_path = shutil.which("pg_ctl")
        if on_path is None:
            raise ServiceError("no PostgreSQL server installed (make test installs Debian's 'postgresql')")
        return Path(on_path).parent
    return found[-1].parent


def _as_server_user() -> tuple[list[str], int | None]:
    """The command prefix that runs PostgreSQL's binaries, and the uid that must own its files.

    initdb and postgres refuse to run as root, so under root they run as the `postgres` system user
    (created by Debian's package).
    """
    if os.geteuid() != 0:
        return [], None
    try:
        uid = pwd.getpwnam("postgres").pw_uid
    except KeyError as exc:
        raise ServiceError("running as root and there is no 'postgres' user to run PostgreSQL as") from exc
    return ["runuser", "-u", "postgres", "--"], uid


@contextlib.contextmanager
def postgres_server(*, durable: bool = False) -> Iterator[PostgresServer]:
    """Start a fresh cluster; `durable` False turns fsync off (tests never lose the machine's power)."""
    bin_dir = postgres_bin_dir()
    prefix, uid = _as_server_user()
    root = Path(tempfile.mkdtemp(prefix="reel-pg-"))
    data, log = root / "data", root / "server.log"
    try:
        if uid is not None:
            os.chown(root, uid, -1)
        _run(
            [
                *prefix,
                str(bin_dir / "initdb"),
                "-D",
                str(data),
                "-U",
                PG_USER,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
            ],
            "initdb",
        )
        speed = [] if durable else ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
        port = _start_postgres([*prefix, str(bin_dir / "pg_ctl")], data, root, log, speed)
        try:
            yield PostgresServer("127.0.0.1", port, PG_USER, root)
        finally:
            subprocess.run(
                [*prefix, str(bin_dir / "pg_ctl"), "stop", "-D", str(data), "-m", "immediate", "-w"],
                capture_output=True,
                check=False,
                timeout=60,
            )
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _start_postgres(pg_ctl: list[str], data: Path, root: Path, log: Path, extra: list[str]) -> int:
    last = ""
    for _ in range(_START_ATTEMPTS):
        port = free_port()
        options = " ".join(
            [
                f"-p {port}",
                f"-k {root}",
                "-c listen_addresses=127.0.0.1",
                "-c max_connections=300",
                *extra,
            ]
        )
        done = subprocess.run(
            [*pg_ctl, "start", "-D", str(data), "-l", str(log), "-w", "-t", "60", "-o", options],
            capture_output=True,
            text=True,
            check=False,
            timeout=90,
        )
        if done.returncode == 0:
            return port
        last = done.stdout + done.stderr + _tail(log)
    raise ServiceError(f"PostgreSQL did not start after {_START_ATTEMPTS} ports:\n{last}")


# S3 (moto's server mode)


@dataclass(frozen=True)
class S3Server:
    """A running S3 API server and the credentials it is used with."""

    endpoint: str
    access_key: str = S3_ACCESS_KEY
    secret_key: str = S3_SECRET_KEY
    region: str = S3_REGION

    def store_url(self, bucket: str, prefix: str = "") -> str:
        """A replay store URL for a bucket of this server, credentials included as URL parameters."""
        return (
            f"s3://{bucket}/{prefix}?endpoint={quote(self.endpoint, safe='')}&region={self.region}"
            f"&access_key_id={self.access_key}&secret_access_key={self.secret_key}"
        )


@contextlib.contextmanager
def s3_server() -> Iterator[S3Server]:
    """Start moto's S3 server on a free port; its data lives in memory and goes with the process."""
    root = Path(tempfile.mkdtemp(prefix="reel-s3-"))
    log = root / "server.log"
    env = {**os.environ, "AWS_ACCESS_KEY_ID": S3_ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": S3_SECRET_KEY}
    try:
        last = ""
        for _ in range(_START_ATTEMPTS):
            port = free_port()
            with log.open("ab") as out:
                proc = subprocess.Popen(
                    [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    env=env,
                )
            try:
                endpoint = f"http://127.0.0.1:{port}"
                if _wait_http(f"{endpoint}/moto-api/", proc):
                    yield S3Server(endpoint)
                    return
                last = _tail(log)
            finally:
                _stop(proc)
        raise ServiceError(f"the S3 server did not start after {_START_ATTEMPTS} ports:\n{last}")
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _wait_http(url: str, proc: subprocess.Popen[bytes], timeout_s: float = 60.0) -> bool:
    """True once `url` answers; False if the process exits first (its port was taken) or time runs out."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=2):
                return True
        except OSError:
            time.sleep(0.1)
    return False


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _run(command: list[str], what: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
    if done.returncode != 0:
        raise ServiceError(f"{what} failed ({done.returncode}):\n{done.stdout}{done.stderr}")


def _tail(path: Path, size: int = 4000) -> str:
    try:
        return path.read_text(errors="replace")[-size:]
    except OSError:
        return ""
