"""Pipeline rates: what each stage of the write path sustains on its own, on both backends (docs/scale.md).

In one process, on N (default 5,000) distinct realistic gzip web beacons (bench/_web_beacons.py), for
the embedded default (SQLite + files) and for PostgreSQL + S3 (bench/_services.py):

- prepare: gunzip, validate and encode each beacon for the store (ingest's work besides HTTP), one thread;
- group commit: the prepared beacons saved through Reel's group committer by 50 threads at once, each
  waiting for its beacon's commit before sending the next (what 50 connections give it): beacons/s and
  the mean group;
- processing: rounds of `process_pending` (actions, splits, keyframes, resource references) until
  every beacon is processed: rrweb events/s;
- compaction: once every recording is quiet, rounds until every open segment is written to the replay
  store and its buffered beacons released: MB/s of event JSON.

Each figure is one run; the machine line says what else was running (load average).
Run: `python -m bench pipeline_rates` or `python -m bench.pipeline_rates [--beacons N]`.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import secrets
import tempfile
import threading
import time
from pathlib import Path

import orjson

from bench._services import postgres_s3
from bench._web_beacons import ORIGIN, generate
from bench.ingest_load import machine
from reel.admin.applications import create_application
from reel.clock import FixedClock
from reel.config import Settings
from reel.ingest.decode import decode_body
from reel.ingest.envelope import parse_web_beacon
from reel.ingest.raw_beacon import read_web_beacon
from reel.ingest.service import web_write
from reel.processing.worker import QUIET_MS, Worker, process_pending
from reel.runtime.context import ReelContext, close_context, open_context
from reel.storage.session_store import BeaconWrite

SENDERS = 50

try:
    from reel.ingest.service import keep_claim
except ImportError:  # a Reel from before claims moved into the group commit: measured the same way

    def keep_claim(*_args: object) -> None:
        """Nothing to keep: that Reel claimed the recording while preparing the beacon."""


def _save_all(ctx: ReelContext, writes: list[BeaconWrite]) -> float:
    """Save `writes` from SENDERS threads, each waiting for its beacon's commit before sending the next
    (every SENDERS-th beacon: all threads stay busy to the end); the seconds taken."""
    lanes = [writes[n::SENDERS] for n in range(SENDERS)]
    failures: list[BaseException] = []

    def send(mine: list[BeaconWrite]) -> None:
        try:
            for write in mine:
                keep_claim(ctx, write, ctx.committer.save(write))
        except BaseException as exc:  # reported below: a bench that lost beacons must not print a rate
            failures.append(exc)

    threads = [threading.Thread(target=send, args=(lane,)) for lane in lanes]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise SystemExit(f"pipeline_rates: saving failed: {failures[0]!r}")
    return elapsed


def _rounds(ctx: ReelContext, worker: Worker) -> tuple[float, int, int]:
    """Processing rounds until one finds nothing to do: seconds, beacons processed, segments compacted."""
    beacons = compacted = 0
    started = time.perf_counter()
    while True:
        done = process_pending(ctx, limit=1000, worker=worker)
        beacons += done.beacons
        compacted += done.compacted
        if done.beacons == 0 and done.compacted == 0:
            return time.perf_counter() - started, beacons, compacted


def run_backend(settings: Settings, bodies: list[bytes], now_ms: int) -> dict[str, float]:
    """Every stage on one backend; its figures."""
    clock = FixedClock(now_ms)
    ctx = open_context(settings, clock=clock)
    try:
        app = create_application(ctx.sessions, "Pipeline bench", [ORIGIN], now_ms=now_ms)
        limits = settings.limits
        started = time.perf_counter()
        # As the beacon route reads them: kept as received when usual (reel/ingest/raw_beacon.py).
        read = [
            read_web_beacon(
                decode_body(body, "gzip", max_out=limits.max_decompressed_bytes),
                max_events=limits.max_events_per_beacon,
                gzip_body=body,
            )
            for body in bodies
        ]
        writes = [web_write(ctx, app, beacon) for beacon in read]
        prepare_s = time.perf_counter() - started
        parsed = [
            parse_web_beacon(
                decode_body(body, "gzip", max_out=limits.max_decompressed_bytes),
                max_events=limits.max_events_per_beacon,
            )
            for body in bodies
        ]
        events = sum(len(b.events) for b in parsed)
        event_bytes = sum(len(orjson.dumps(list(b.events))) for b in parsed)
        commit_s = _save_all(ctx, writes)
        groups = ctx.committer.groups
        worker = Worker(ctx)
        process_s, processed, early = _rounds(ctx, worker)
        clock.advance(QUIET_MS + 1)
        compact_s, _, compacted = _rounds(ctx, worker)
        if processed != len(bodies):
            raise SystemExit(f"pipeline_rates: {processed} of {len(bodies)} beacons processed")
        return {
            "prepare_per_s": len(bodies) / prepare_s,
            "commit_per_s": len(bodies) / commit_s,
            "mean_group": len(bodies) / groups if groups else 0.0,
            "events_per_s": events / process_s,
            "events": float(events),
            "compaction_mb_per_s": event_bytes / 1e6 / compact_s,
            "segments": float(compacted + early),
            "event_mb": event_bytes / 1e6,
        }
    finally:
        close_context(ctx)


def main(count: int = 5_000, backends: tuple[str, ...] = ("embedded", "postgres_s3")) -> dict[str, float]:
    """Measure and print each stage's rate on each backend; returns the figures."""
    print(f"machine: {machine()}")
    # The generated recordings are cut at N beacons: what processing says of their unfinished pages is
    # not this bench's subject.
    logging.getLogger("reel").setLevel(logging.ERROR)
    now_ms = int(time.time() * 1000)
    beacons = generate(count, now_ms, id_seed=secrets.randbits(64))
    bodies = [b.body for b in beacons]
    print(f"beacons: {count:,} distinct over {len({b.recording_id for b in beacons}):,} recordings")
    figures: dict[str, float] = {}
    with contextlib.ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="reel-pipeline-bench-")))
        runs: list[tuple[str, str, Settings]] = []
        if "embedded" in backends:
            runs.append(("embedded", "SQLite + files", Settings(data_dir=folder / "embedded")))
        if "postgres_s3" in backends:
            servers = stack.enter_context(postgres_s3()).fresh()
            print(f"PostgreSQL + S3: {servers.described}")
            settings = Settings(
                data_dir=folder / "pg", database_url=servers.database_url, blob_url=servers.blob_url
            )
            runs.append(("postgres_s3", "PostgreSQL + S3", settings))
        print(
            f"\n{'backend':<18}{'prepare/s':>11}{'commit/s':>10}{'group':>7}{'events/s':>10}"
            f"{'compaction MB/s':>17}"
        )
        for key, label, settings in runs:
            got = run_backend(settings, bodies, now_ms)
            print(
                f"{label:<18}{got['prepare_per_s']:>11,.0f}{got['commit_per_s']:>10,.0f}"
                f"{got['mean_group']:>7.1f}{got['events_per_s']:>10,.0f}{got['compaction_mb_per_s']:>17.2f}"
            )
            figures.update({f"{key}_{name}": value for name, value in got.items()})
    print(
        f"\n(prepare: beacons/s on one thread; commit: beacons/s saved by {SENDERS} threads, group = beacons"
        " per transaction; events/s: rrweb events processed; compaction: MB of event JSON per second, "
        f"{figures.get('embedded_event_mb', figures.get('postgres_s3_event_mb', 0.0)):.1f} MB in all)"
    )
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="rates of the pipeline's stages")
    parser.add_argument("--beacons", type=int, default=5_000, help="distinct beacons to generate")
    parser.add_argument("--backends", default="embedded,postgres_s3", help="which backends to run")
    options = parser.parse_args()
    main(options.beacons, tuple(options.backends.split(",")))
