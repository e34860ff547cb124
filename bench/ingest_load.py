"""P3: ingest throughput and latency under 50 concurrent connections, against a bare endpoint.

N (default 40,000) distinct, realistic gzip web beacons (bench/_web_beacons.py: ~1.6 KiB each, many
overlapping recordings, increasing seq) are posted by wrk (2 threads, 50 connections,
bench/ingest_load.lua: each request a different body) to, in one run:

- the bare endpoint: FastAPI under the same uvicorn server and options as `reel serve`, reading the
  body and answering 200 JSON (bench/_bare_endpoint.py) — the baseline;
- the same endpoint writing each body durably on its own (temp file, fsync, rename, folder fsync) —
  the floor of one-fsync-per-beacon designs;
- `reel serve` on the embedded default (SQLite + files), beacon quota off;
- `reel serve` on PostgreSQL + S3: the servers named by REEL_BENCH_DATABASE_URL (postgresql://…) and
  REEL_BENCH_BLOB_URL (an S3 replay store URL), or else a throwaway PostgreSQL cluster (fsync on) and
  moto's S3 server started for the run (bench/_services.py).

Each target first runs closed loop (its maximum rate); Reel then runs paced at 70 % of its own maximum
(wrk's delay()), and the bare endpoint at that same rate, for p50/p99. After each Reel run the beacons
acknowledged (2xx) are compared with the beacon rows in Reel's session store: the bench fails if they
differ. Targets (brief §7 P3): Reel ≥ 0.5x the bare endpoint's rate; p99 < 50 ms at 70 % of Reel's max.

Run: `python -m bench ingest_load` or
`python -m bench.ingest_load [--beacons N] [--seconds S] [--backends embedded,postgres_s3]`.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import os
import platform
import secrets
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench._load_driver import CONNECTIONS, THREADS, LoadResult, run_wrk, start_bare, start_reel, write_bodies
from bench._services import postgres_s3
from bench._web_beacons import ORIGIN, Beacon, generate
from reel.admin.applications import create_application
from reel.config import Settings
from reel.ingest.envelope import parse_web_beacon
from reel.storage.factory import open_session_store

BACKENDS = ("embedded", "postgres_s3")
PACED_SHARE = 0.7
TARGET_RATIO = 0.5
TARGET_P99_MS = 50.0


def machine() -> str:
    """Where the figures were measured, with the load average (the machine may be shared)."""
    cpu = platform.machine()
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    load = f" · load {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else ""
    return f"{platform.platform()} · {cpu} · {os.cpu_count()} CPUs{load} · Python {platform.python_version()}"


@dataclass(frozen=True)
class ReelRun:
    """One Reel variant's two runs and the stored count after each."""

    name: str
    closed: LoadResult
    paced: LoadResult
    paced_rate: float
    checks: tuple[str, ...]
    """One line per comparison of acknowledged with stored."""


def _line(target: str, mode: str, result: LoadResult, note: str = "") -> None:
    cpu_ms = 1000 * result.server_cpu_s / result.answered if result.answered else 0.0
    answers = ", ".join(f"{n:,}x{code}" for code, n in sorted(result.statuses.items()))
    errors = {k: v for k, v in result.socket_errors.items() if v}
    extra = f"  socket errors {errors}" if errors else ""
    print(
        f"{target:<26}{mode:<24}{result.rate:>9,.0f}/s{result.p50_ms:>8.1f}{result.p99_ms:>8.1f}"
        f"{cpu_ms:>8.2f}   {answers}{extra}{note}"
    )


def _stored(database_url: str, recording_ids: set[str]) -> int:
    """Beacon rows in the session store for these recordings."""
    sessions = open_session_store(database_url)
    try:
        return sum(len(sessions.beacons(rid)) for rid in recording_ids)
    finally:
        sessions.close()


def _check(name: str, acked: int, stored: int, problems: list[str]) -> str:
    """The comparison's line; a problem recorded when they differ."""
    if acked != stored:
        problems.append(f"{name}: {acked} beacons acknowledged but {stored} stored")
    mark = "=" if acked == stored else "≠  FAILED:"
    return f"  {name}: acknowledged {acked:,} {mark} stored {stored:,}"


def run_reel(
    name: str,
    folder: Path,
    beacons: list[Beacon],
    bodies: tuple[Path, Path],
    seconds: float,
    env: dict[str, str],
    problems: list[str],
) -> ReelRun:
    """Closed loop on the first half of the beacons, then paced at 70 % on the second half."""
    data_dir = folder / name
    settings = Settings(
        data_dir=data_dir,
        database_url=env.get("REEL_DATABASE_URL", ""),
        blob_url=env.get("REEL_BLOB_URL", ""),
    )
    database_url = settings.resolved_database_url
    sessions = open_session_store(database_url)
    try:
        app = create_application(sessions, f"Ingest bench {name}", [ORIGIN], now_ms=int(time.time() * 1000))
    finally:
        sessions.close()
    server = start_reel(data_dir, folder / f"{name}.log", env)
    try:
        server.wait_ready()
        url = f"{server.url}/v1/web/beacons?k={app.app_key}&ce=gzip"
        half = len(beacons) // 2
        closed = run_wrk(url, bodies, (0, half), origin=ORIGIN, seconds=seconds, server_pid=server.pid)
        stored = _stored(database_url, {b.recording_id for b in beacons[:half]})
        checks = [_check(f"{name}, after the closed loop", closed.ok - closed.duplicates, stored, problems)]
        paced_rate = PACED_SHARE * closed.rate
        paced = run_wrk(
            url, bodies, (half, len(beacons)), origin=ORIGIN, seconds=seconds, rate=paced_rate,
            server_pid=server.pid,
        )  # fmt: skip
        acked = closed.ok - closed.duplicates + paced.ok - paced.duplicates
        stored = _stored(database_url, {b.recording_id for b in beacons})
        checks.append(_check(f"{name}, after the paced run", acked, stored, problems))
        for result in (closed, paced):
            if result.sent != result.answered:
                problems.append(f"{name}: {result.sent - result.answered} requests left unanswered")
            if result.not_ok:
                problems.append(f"{name}: {result.not_ok} beacons refused ({result.statuses})")
    finally:
        server.stop()
    return ReelRun(name, closed, paced, paced_rate, tuple(checks))


def main(
    count: int = 40_000, seconds: float = 15.0, backends: tuple[str, ...] = BACKENDS
) -> dict[str, float]:
    """Measure and print; returns the figures. Raises SystemExit if acknowledged ≠ stored."""
    print(f"machine: {machine()}")
    started = time.time()
    beacons = generate(count, int(started * 1000), id_seed=secrets.randbits(64))
    for beacon in beacons[::20]:  # the generator keeps to the contract: Reel's own parser accepts them
        parse_web_beacon(gzip.decompress(beacon.body), max_events=Settings().limits.max_events_per_beacon)
    sizes = [len(b.body) for b in beacons]
    recordings = len({b.recording_id for b in beacons})
    mean_kib = statistics.mean(sizes) / 1024
    print(
        f"beacons: {count:,} distinct over {recordings:,} recordings, gzip {mean_kib:.2f} KiB on average"
        f" (median {statistics.median(sizes) / 1024:.2f}, max {max(sizes) / 1024:.1f}); "
        f"wrk {THREADS} threads, {CONNECTIONS} connections, ≤ {seconds:g} s per run"
    )
    problems: list[str] = []
    figures: dict[str, float] = {}
    with contextlib.ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="reel-ingest-bench-")))
        bodies = write_bodies(folder, [b.body for b in beacons])
        print(f"\n{'target':<26}{'mode':<24}{'beacons':>11}{'p50 ms':>8}{'p99 ms':>8}{'CPU ms':>8}   answers")
        baselines: dict[str, LoadResult] = {}
        for durable in (False, True):
            server = start_bare(folder, durable=durable)
            try:
                server.wait_ready()
                url = f"{server.url}/v1/web/beacons?k=bench&ce=gzip"
                result = run_wrk(url, bodies, (0, count), origin=ORIGIN, seconds=seconds, wrap=True,
                                 server_pid=server.pid)  # fmt: skip
            finally:
                server.stop()
            baselines["durable" if durable else "bare"] = result
            _line("bare + fsync per beacon" if durable else "bare endpoint", "closed loop", result)
        bare = baselines["bare"]
        figures.update(bare_rate=bare.rate, bare_p99_ms=bare.p99_ms, durable_rate=baselines["durable"].rate)

        variants: list[tuple[str, str, dict[str, str]]] = []
        if "embedded" in backends:
            variants.append(("embedded", "Reel SQLite + files", {}))
        if "postgres_s3" in backends:
            servers = stack.enter_context(postgres_s3())
            print(f"PostgreSQL + S3: {servers.described}")
            mine = servers.fresh()
            env = {"REEL_DATABASE_URL": mine.database_url, "REEL_BLOB_URL": mine.blob_url}
            variants.append(("postgres_s3", "Reel PostgreSQL + S3", env))
        runs: list[tuple[str, ReelRun]] = []
        for key, label, env in variants:
            try:
                run = run_reel(key, folder, beacons, bodies, seconds, env, problems)
            except ValueError as exc:  # a store URL this version of Reel does not know
                problems.append(f"{label}: {exc}")
                print(f"{label}: cannot run: {exc}")
                continue
            runs.append((label, run))
            ratio = run.closed.rate / bare.rate if bare.rate else 0.0
            _line(label, "closed loop", run.closed, f"   {ratio:.2f}x bare")
            _line(label, f"paced {run.paced_rate:,.0f}/s (70 %)", run.paced)
            server = start_bare(folder, durable=False)
            try:
                server.wait_ready()
                url = f"{server.url}/v1/web/beacons?k=bench&ce=gzip"
                same = run_wrk(url, bodies, (0, count), origin=ORIGIN, seconds=seconds, rate=run.paced_rate,
                               wrap=True, server_pid=server.pid)  # fmt: skip
            finally:
                server.stop()
            _line("bare endpoint", f"paced {run.paced_rate:,.0f}/s", same)
            for check in run.checks:
                print(check)
            figures.update(
                {
                    f"{key}_rate": run.closed.rate,
                    f"{key}_ratio": ratio,
                    f"{key}_closed_p99_ms": run.closed.p99_ms,
                    f"{key}_paced_rate": run.paced.rate,
                    f"{key}_paced_p50_ms": run.paced.p50_ms,
                    f"{key}_paced_p99_ms": run.paced.p99_ms,
                }
            )
    print("\n(beacons: 2xx answers per second, first request to last answer; p50/p99 from wrk's histogram;")
    print(" CPU ms: the server process's CPU time per answer; the other figures are one run each)")
    for label, run in runs:
        ratio = run.closed.rate / bare.rate if bare.rate else 0.0
        rate_ok = "met" if ratio >= TARGET_RATIO else "not met"
        p99_ok = "met" if run.paced.p99_ms < TARGET_P99_MS else "not met"
        print(
            f"{label}: {ratio:.2f}x the bare endpoint's rate (target ≥ {TARGET_RATIO}x: {rate_ok}); "
            f"p99 {run.paced.p99_ms:.1f} ms at 70 % of its maximum (target < {TARGET_P99_MS:g} ms: {p99_ok})"
        )
    print(f"total time {time.time() - started:.0f} s")
    if problems:
        raise SystemExit("ingest_load: " + "; ".join(problems))
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="P3 ingest load benchmark")
    parser.add_argument("--beacons", type=int, default=40_000, help="distinct beacons to generate")
    parser.add_argument("--seconds", type=float, default=15.0, help="longest time of one load run")
    parser.add_argument("--backends", default=",".join(BACKENDS), help="which Reel variants to run")
    options = parser.parse_args()
    main(options.beacons, options.seconds, tuple(options.backends.split(",")))
