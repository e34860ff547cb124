"""What the ingest load benchmark drives: wrk with bench/ingest_load.lua, and server child processes."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
LUA_SCRIPT = HERE / "ingest_load.lua"
THREADS = 2
CONNECTIONS = 50


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_bodies(folder: Path, bodies: Sequence[bytes]) -> tuple[Path, Path]:
    """The bodies back to back in one file, and an index of "offset length" lines, for the Lua script."""
    pack, index = folder / "bodies.bin", folder / "bodies.idx"
    offset = 0
    with pack.open("wb") as out, index.open("w") as idx:
        for body in bodies:
            out.write(body)
            idx.write(f"{offset} {len(body)}\n")
            offset += len(body)
    return pack, index


@dataclass(frozen=True)
class LoadResult:
    """What one wrk run saw, from bench/ingest_load.lua's report."""

    ok: int
    duplicates: int
    sent: int
    answered: int
    statuses: dict[str, int]
    seconds: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    late_resets: int
    exhausted: bool
    socket_errors: dict[str, int]
    server_cpu_s: float

    @property
    def rate(self) -> float:
        """2xx answers per second, first send to last answer."""
        return self.ok / self.seconds if self.seconds > 0 else 0.0

    @property
    def not_ok(self) -> int:
        return self.answered - self.ok


def run_wrk(
    url: str,
    bodies: tuple[Path, Path],
    span: tuple[int, int],
    *,
    origin: str,
    seconds: float,
    rate: float = 0.0,
    wrap: bool = False,
    server_pid: int | None = None,
) -> LoadResult:
    """One wrk run: THREADS threads, CONNECTIONS connections, bodies [span) (cycled if `wrap`), closed loop
    or paced to `rate` per second in all; ends once every request sent was answered."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is missing: `apt-get install wrk` (make bench installs it)")
    with tempfile.TemporaryDirectory(prefix="reel-wrk-") as done_dir:
        args = [
            wrk, "-t", str(THREADS), "-c", str(CONNECTIONS), "-d", f"{int(seconds) + 120}s",
            "--timeout", "60s", "-s", str(LUA_SCRIPT), url, "--",
            str(bodies[0]), str(bodies[1]), str(span[0]), str(span[1]), "1" if wrap else "0",
            f"{seconds:g}", f"{rate:.3f}", origin, done_dir, str(THREADS),
        ]  # fmt: skip
        cpu_before = process_cpu_seconds(server_pid)
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            deadline = time.monotonic() + seconds + 115
            while proc.poll() is None and len(os.listdir(done_dir)) < THREADS and time.monotonic() < deadline:
                time.sleep(0.05)
            cpu_after = process_cpu_seconds(server_pid)
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)  # every thread is done (or time is up): wrk prints and exits
            output, _ = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:  # interrupted: leave no wrk behind
                proc.kill()
                proc.wait()
    line = next((x for x in output.splitlines() if x.startswith("BENCH-RESULT ")), None)
    if line is None:
        raise SystemExit(f"wrk gave no result (exit {proc.returncode}):\n{output}")
    doc = json.loads(line.removeprefix("BENCH-RESULT "))
    first, last = doc["first_ms"], doc["last_ms"]
    return LoadResult(
        ok=doc["ok"],
        duplicates=doc["duplicates"],
        sent=doc["sent"],
        answered=doc["answered"],
        statuses={str(k): int(v) for k, v in doc["statuses"].items()},
        seconds=(last - first) / 1000 if first is not None and last is not None else 0.0,
        p50_ms=doc["p50_us"] / 1000,
        p99_ms=doc["p99_us"] / 1000,
        max_ms=doc["max_us"] / 1000,
        late_resets=doc["late_resets"],
        exhausted=doc["threads_exhausted"] > 0,
        socket_errors=doc["errors"],
        server_cpu_s=cpu_after - cpu_before,
    )


def process_cpu_seconds(pid: int | None) -> float:
    """User + system CPU time of a process and its threads so far (0 without a pid)."""
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class ServerProcess:
    """A server child process on a free loopback port, its output in a log file."""

    def __init__(self, args: list[str], log_path: Path, env: dict[str, str], port: int) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = log_path
        with log_path.open("ab") as log:
            self.proc = subprocess.Popen(args, env=env, cwd=HERE.parent, stdout=log, stderr=subprocess.STDOUT)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def wait_ready(self, timeout_s: float = 60.0) -> None:
        """Poll /readyz until it answers 200; fail if the process dies or the time runs out."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"server exited with {self.proc.returncode}; see {self.log_path}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise SystemExit(f"server not ready within {timeout_s:g} s; see {self.log_path}")

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it has not exited within 30 s."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


def start_bare(folder: Path, *, durable: bool) -> ServerProcess:
    """The baseline endpoint (bench/_bare_endpoint.py), optionally writing each body durably."""
    port = free_port()
    args = [sys.executable, "-m", "bench._bare_endpoint", "--port", str(port)]
    if durable:
        args += ["--durable", str(folder / "durable")]
    name = "durable" if durable else "bare"
    return ServerProcess(args, folder / f"{name}.log", dict(os.environ), port)


def start_reel(data_dir: Path, log_path: Path, env: dict[str, str]) -> ServerProcess:
    """`reel serve` on `data_dir` with the beacon quota off; `env` adds settings (store URLs)."""
    port = free_port()
    base = {k: v for k, v in os.environ.items() if not k.startswith("REEL_")}
    full_env = {
        **base,
        "REEL_DATA_DIR": str(data_dir),
        "REEL_BEACONS_PER_SECOND": "0",
        "REEL_DRAIN_SECONDS": "0",
        **env,
    }
    args = [sys.executable, "-m", "reel", "serve", "--port", str(port)]
    return ServerProcess(args, log_path, full_env, port)
