"""P3's CPU per beacon inside the app: Reel's ASGI app against the bare endpoint's, without HTTP.

The ingest load bench (bench/ingest_load.py) measures what P3 asks, over HTTP, but on a shared machine
its rates swing by a third between runs of the same code, which hides changes of a tenth. This bench
calls each app directly as ASGI (no socket, no HTTP parser: what both share under uvicorn is left out),
with the same realistic gzip beacons (bench/_web_beacons.py) from 50 concurrent tasks, in alternating
rounds, and reports the process CPU per beacon of each (the group commit's thread included) and their
ratio. Reel runs on the embedded default (SQLite + files, on a temporary folder, beacon quota off).

Run: `python -m bench ingest_cpu` or `python -m bench.ingest_cpu [--beacons N] [--rounds R]`.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import dataclasses
import gc
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench._bare_endpoint import create_bare_app
from bench._web_beacons import ORIGIN, generate
from bench.ingest_load import machine
from reel.admin.applications import create_application
from reel.config import Settings
from reel.runtime.context import close_context
from reel.server.app import create_app

CONCURRENCY = 50


def _scope(body: bytes, query: bytes) -> dict[str, Any]:
    headers = [
        (b"host", b"reel.test"),
        (b"content-type", b"text/plain;charset=UTF-8"),
        (b"origin", ORIGIN.encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    return {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": "/v1/web/beacons", "raw_path": b"/v1/web/beacons", "query_string": query, "root_path": "",
        "headers": headers, "client": ("127.0.0.1", 40000), "server": ("127.0.0.1", 8700),
    }  # fmt: skip


Statuses = collections.Counter[int]


async def _post_all(app: Any, bodies: Sequence[bytes], query: bytes) -> tuple[float, Statuses]:
    """Post every body through `app` from CONCURRENCY tasks; CPU seconds per beacon, and the statuses."""
    waiting = collections.deque(bodies)
    statuses: Statuses = collections.Counter()

    async def one(body: bytes) -> None:
        sent = False

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await asyncio.Event().wait()  # the client stays: never a disconnect
            raise AssertionError("unreachable")

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                statuses[message["status"]] += 1

        await app(_scope(body, query), receive, send)

    async def client() -> None:
        while waiting:
            await one(waiting.popleft())

    started = time.process_time()
    await asyncio.gather(*(client() for _ in range(CONCURRENCY)))
    return (time.process_time() - started) / len(bodies), statuses


def _round(which: str, bodies: Sequence[bytes]) -> tuple[float, Statuses]:
    """One round on a new app (and, for Reel, a new data folder)."""
    with tempfile.TemporaryDirectory(prefix="reel-ingest-cpu-") as folder:
        if which == "bare":
            app: Any = create_bare_app(None)
            query = b"k=bench&ce=gzip"
        else:
            base = Settings(data_dir=Path(folder))
            unlimited = dataclasses.replace(base.limits, beacons_per_second=0)
            settings = dataclasses.replace(base, limits=unlimited)
            app = create_app(settings)
            application = create_application(app.state.reel.sessions, "CPU bench", [ORIGIN], now_ms=_now())
            query = f"k={application.app_key}&ce=gzip".encode()
        gc.collect()
        gc.freeze()  # as `reel serve` does after startup
        try:
            return asyncio.run(_post_all(app, bodies, query))
        finally:
            gc.unfreeze()
            if which == "reel":
                close_context(app.state.reel)


def _now() -> int:
    return int(time.time() * 1000)


def main(beacons: int = 6000, rounds: int = 3) -> None:
    print(f"machine: {machine()}")
    made = generate(beacons, _now())
    bodies = [b.body for b in made]
    print(f"beacons: {len(bodies):,} distinct gzip bodies, {CONCURRENCY} concurrent tasks, {rounds} rounds")
    cpu: dict[str, list[float]] = {"bare": [], "reel": []}
    for _ in range(rounds):
        for which in ("bare", "reel"):
            per_beacon, statuses = _round(which, bodies)
            if set(statuses) != {200}:
                raise SystemExit(f"{which}: answers {dict(statuses)}, expected only 200")
            cpu[which].append(per_beacon)
    for which, values in cpu.items():
        shown = ", ".join(f"{1e6 * v:.0f}" for v in values)
        print(f"{which:>5}: median {1e6 * statistics.median(values):.0f} µs CPU per beacon (rounds: {shown})")
    ratio = statistics.median(cpu["reel"]) / statistics.median(cpu["bare"])
    print(f"Reel's app costs {ratio:.1f}x the bare app's CPU per beacon, HTTP left out")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="P3's CPU per beacon inside the app, without HTTP")
    parser.add_argument("--beacons", type=int, default=6000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    main(args.beacons, args.rounds)
