"""What months of kept recordings cost the work done every second: a store holding N settled recordings
against one holding only the searched user's few, on SQLite and on PostgreSQL, in the same run.

A store of a busy application keeps hundreds of thousands of recordings (30 days of retention), while
only the few being recorded have work. What runs all the time must not grow with what is kept: a group
commit of 64 beacons, a worker's pass over its list (settle, then pending), and the support team's
search for one user's sessions. The sessions page's first page of one application is timed beside
them as it stands: its count and sort still read all of the application's sessions. Each is timed
(median of --repeat) on a store of that user's SEARCHED recordings only — the baseline — and on one
that keeps --kept recordings of one session each, already processed (what a store looks like after
months, written by SQL in Reel's own schema); the ratio is what the kept data costs.

PostgreSQL is a throwaway cluster started here (or REEL_BENCH_DATABASE_URL); after filling it the bench
runs VACUUM ANALYZE, as autovacuum would after so many new rows.

Run: `python -m bench kept_data` or `python -m bench.kept_data [--kept N] [--repeat R] [--backends …]`.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg

from bench._services import new_database, postgres_url
from bench.ingest_load import machine
from reel.domain.beacons import BeaconSummary
from reel.domain.records import Application, Session, SessionKey, SessionQuery, StoredBeacon
from reel.domain.sessions import BeaconFacts, fold_beacon
from reel.storage.factory import open_session_store, sqlite_session_store
from reel.storage.session_store import BeaconWrite, SessionStore

T0 = 1_800_000_000_000
GROUP = 64
ACTIVE = 256
"""Recordings being recorded while the bench runs (their groups come round in turn)."""


def _write(rec: str, seq: int) -> BeaconWrite:
    key = SessionKey("app", rec, "c-1")
    at = T0 + seq * 1000
    summary = BeaconSummary(at, at + 500, 3, ("https://shop.example/",), seq == 0, seq == 0)
    row = StoredBeacon("app", rec, seq, "", "", at, summary.first_ts, summary.last_ts, 3, 0)
    facts = BeaconFacts(seq=seq, summary=summary, received_at=at, final=False)

    def fold(current: Session | None) -> Session:
        return fold_beacon(current, key, facts, f"ses_{rec}")

    return BeaconWrite(key, row, b"x" * 1600, fold)


_RECORDINGS = (
    "INSERT INTO recordings (id, app_id, created_at, max_seq, clock_offset_ms, last_received_at) "
    "VALUES (%s, 'app', %s, 20, 0, %s)"
)
_PROCESSING = (
    "INSERT INTO processing (recording_id, processed_seq, state_key, updated_at, lease_owner, lease_until) "
    "VALUES (%s, 20, '', 0, '', 0)"
)
_SESSIONS = (
    "INSERT INTO sessions (id, app_id, recording_id, client_session_id, part, start_ts, end_ts, first_url, "
    "last_url, pages, beacons, events, min_seq, max_seq, has_full_snapshot, has_meta, closed, created_at, "
    "updated_at, user_id) VALUES (%s, 'app', %s, 'c-1', 0, %s, %s, 'https://shop.example/', "
    "'https://shop.example/', 1, 21, 300, 0, 20, 1, 1, 1, %s, %s, %s)"
)


SEARCHED = 20
"""Sessions of the searched user, in every store (the others' users have ~60 each in a full store)."""


def _kept_rows(kept: int) -> Iterator[tuple[str, tuple[object, ...]]]:
    """(statement, parameters) of `kept` recordings of earlier days, one closed session each; the first
    SEARCHED are the searched user's."""
    for i in range(kept):
        rec, at = f"kept-{i:08d}", T0 - 1000 * (i + 1) - 3_600_000
        user = "searched" if i < SEARCHED else f"user-{i % 5000}"
        yield _RECORDINGS, (rec, at, at)
        yield _PROCESSING, (rec,)
        yield _SESSIONS, (f"ses_{rec}", rec, at, at + 60_000, at, at, user)


def _fill_sqlite(path: Path, kept: int) -> None:
    import sqlite3

    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("BEGIN")
        for sql, params in _kept_rows(kept):
            conn.execute(sql.replace("%s", "?"), params)
        conn.execute("COMMIT")


def _fill_postgres(url: str, kept: int) -> None:
    with psycopg.connect(url, autocommit=True) as conn, conn.transaction(), conn.cursor() as cur:
        for sql, rows in _grouped(_kept_rows(kept)).items():
            cur.executemany(sql, rows)


def _grouped(rows: Iterator[tuple[str, tuple[object, ...]]]) -> dict[str, list[tuple[object, ...]]]:
    out: dict[str, list[tuple[object, ...]]] = {}
    for sql, params in rows:
        out.setdefault(sql, []).append(params)
    return out


def _median_ms(work: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return 1000 * statistics.median(times)


def _measure(store: SessionStore, repeat: int) -> dict[str, float]:
    """The three operations' median times on `store` (ms)."""
    store.save_beacons([_write(f"active-{n:04d}", 0) for n in range(ACTIVE)])
    seqs = dict.fromkeys(range(ACTIVE), 0)
    turn = 0

    def group_commit() -> None:
        nonlocal turn
        writes = []
        for n in range(turn, turn + GROUP):
            key = n % ACTIVE
            seqs[key] += 1
            writes.append(_write(f"active-{key:04d}", seqs[key]))
        turn += GROUP
        store.save_beacons(writes)

    def worker_pass() -> None:
        store.settle_processing(2000)
        store.pending_processing(100, T0, T0 - 120_000, "bench")

    def user_search() -> None:
        store.list_sessions(SessionQuery(app_ids=("app",), user_id="searched"))

    def newest() -> None:
        store.list_sessions(SessionQuery(app_ids=("app",), limit=50))

    return {
        "group commit of 64 beacons": _median_ms(group_commit, repeat),
        "worker pass (settle + pending)": _median_ms(worker_pass, repeat),
        "one user's sessions": _median_ms(user_search, repeat),
        # Not yet held to the rule: the sessions page counts and sorts an application's sessions whole.
        "an application's newest 50": _median_ms(newest, repeat),
    }


def _opened(backend: str, kept: int, folder: Path, server_url: str) -> SessionStore:
    """A store in Reel's schema (its own migrations) keeping `kept` settled recordings."""
    app = Application("app", "Shop", "rk-bench", ("https://shop.example",), created_at=T0)
    if backend == "sqlite":
        path = folder / f"kept-{kept}.sqlite3"
        store: SessionStore = sqlite_session_store(path)
        store.create_application(app)
        store.close()
        _fill_sqlite(path, kept)
        store = sqlite_session_store(path)
        _settle_all(store)
        return store
    url = new_database(server_url)
    store = open_session_store(url)
    store.create_application(app)
    _fill_postgres(url, kept)
    _settle_all(store)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")  # what autovacuum does after the settling rewrote every row
    return store


def _settle_all(store: SessionStore) -> None:
    """Settle every kept recording, as a worker's first passes over such a store do."""
    while store.settle_processing(2000):
        pass


def main(kept: int = 300_000, repeat: int = 20, backends: tuple[str, ...] = ("sqlite", "postgres")) -> None:
    print(f"machine: {machine()}")
    print(
        f"{kept:,} kept recordings (one processed session each) against {SEARCHED}, all of them the searched"
        f" user's {SEARCHED} sessions; {ACTIVE} recordings being recorded in both"
    )
    with tempfile.TemporaryDirectory(prefix="reel-kept-") as tmp, postgres_url() as database_url:
        for backend in backends:
            results = {}
            for count in (SEARCHED, kept):
                store = _opened(backend, count, Path(tmp), database_url)
                try:
                    results[count] = _measure(store, repeat)
                finally:
                    store.close()
            print(f"{backend}:")
            for name, base in results[SEARCHED].items():
                full = results[kept][name]
                print(f"  {name:32s} {base:8.2f} ms base · {full:8.2f} ms kept · {full / base:5.2f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="what kept recordings cost the work done every second")
    parser.add_argument("--kept", type=int, default=300_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--backends", default="sqlite,postgres")
    args = parser.parse_args()
    main(args.kept, args.repeat, tuple(args.backends.split(",")))
