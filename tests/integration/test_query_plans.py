"""The statements Reel runs for every group of beacons, and on every pass of the worker, find their rows
through an index, on SQLite and on PostgreSQL: none reads a whole table that grows with the recordings
kept.

Each test records the statements a store runs (sqlite3's trace callback; on PostgreSQL, the store's
transactions) and asks the engine for each one's plan on the same database. A full scan does not show
on a test's few rows, but on a store of months of recordings it is paid on every group commit or every
second.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from conftest import BeaconMaker
from reel.clock import FixedClock
from reel.domain.beacons import BeaconSummary
from reel.domain.records import Application, Session, SessionKey, SessionQuery, StoredBeacon
from reel.domain.sessions import BeaconFacts, fold_beacon
from reel.processing.worker import QUIET_MS, process_pending
from reel.storage import sql, sqlite_db
from reel.storage.chunks import encode_events
from reel.storage.factory import open_session_store, sqlite_session_store
from reel.storage.postgres_db import PostgresTx
from reel.storage.session_store import BeaconWrite
from reel.storage.sql_sessions import SqlSessionStore
from support import dashboard_snapshot, post_beacon, tick

T0 = 1_764_240_000_000
# Tables whose rows grow with the recordings kept (small ones, like applications, may be read whole).
GROWING = ("sessions", "recordings", "beacons", "beacon_buffer", "segments", "processing", "actions")
# "SCAN sessions", "SCAN TABLE sessions" (SQLite before 3.36), "SCAN r USING INDEX sessions_start".
_SCAN = re.compile(r"^SCAN (?:TABLE )?(\w+)(?: USING (?:COVERING )?INDEX (\w+))?")
# `FROM recordings r`, `JOIN processing AS p`: a plan names a table by its alias.
_ALIASED = re.compile(
    r"\b(?:FROM|JOIN)\s+(\w+)\s+(?:AS\s+)?(?!WHERE\b|ON\b|JOIN\b|LEFT\b)(\w+)", re.IGNORECASE
)


class Statements:
    """Every statement run on the store's connections, in the order first seen."""

    def __init__(self) -> None:
        self.seen: dict[str, None] = {}
        self.recording = False

    def __call__(self, statement: str) -> None:
        if self.recording:
            self.seen.setdefault(statement, None)


@pytest.fixture
def statements(monkeypatch: pytest.MonkeyPatch) -> Statements:
    """Statements run by SQLite stores opened in the test, once `recording` is set."""
    traced = Statements()
    connect = sqlite_db.SqliteDatabase._connect

    def traced_connect(self: sqlite_db.SqliteDatabase) -> sqlite3.Connection:
        conn = connect(self)
        conn.set_trace_callback(traced)
        return conn

    monkeypatch.setattr(sqlite_db.SqliteDatabase, "_connect", traced_connect)
    return traced


def full_scans(database: Path, statements: Iterator[str]) -> list[tuple[str, str]]:
    """(table, statement) for each statement whose plan walks a growing table whole: without an index, or
    along an index of every row (a partial index holds only the rows it names)."""
    found: list[tuple[str, str]] = []
    with sqlite3.connect(database) as conn:
        partial = {
            name for name, sql in conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'")
            if sql and " WHERE " in sql.upper()
        }  # fmt: skip
        for statement in statements:
            if not re.match(r"\s*(SELECT|UPDATE|DELETE|INSERT|WITH)\b", statement, re.IGNORECASE):
                continue
            tables = {alias: table for table, alias in _ALIASED.findall(statement)}
            for row in conn.execute("EXPLAIN QUERY PLAN " + statement):
                scanned = _SCAN.match(row[3])
                if scanned is None or scanned.group(2) in partial:
                    continue
                table = tables.get(scanned.group(1), scanned.group(1))
                if table in GROWING:
                    found.append((table, statement[:300]))
    return found


def _write(rec: str, client: str, seq: int) -> BeaconWrite:
    key = SessionKey("app_1", rec, client)
    summary = BeaconSummary(T0 + seq, T0 + seq + 5, 2, ("https://a.example/",), seq == 0, seq == 0)
    row = StoredBeacon("app_1", rec, seq, "", "", T0 + seq, summary.first_ts, summary.last_ts, 2, 0, False)
    facts = BeaconFacts(seq=seq, summary=summary, received_at=T0 + seq, final=False)

    def fold(current: Session | None) -> Session:
        return fold_beacon(current, key, facts, f"ses-{rec}-{client}-{seq}")

    events = [{"type": 3, "timestamp": summary.first_ts, "data": {}}]
    return BeaconWrite(key, row, encode_events(events), fold)


@pytest.fixture
def three_recordings(tmp_path: Path, statements: Statements) -> Iterator[SqlSessionStore]:
    """A SQLite store (opened after `statements`, so traced) with three recordings of one beacon."""
    store = sqlite_session_store(tmp_path / "reel.sqlite3")
    store.create_application(Application("app_1", "A", "rk-1", ("https://a.example",), created_at=T0))
    store.save_beacons([_write(f"rec-{n}", "c-1", 0) for n in range(3)])
    yield store
    store.close()


def test_a_group_commit_finds_its_rows_by_index(
    tmp_path: Path, statements: Statements, three_recordings: SqlSessionStore
) -> None:
    store = three_recordings
    statements.recording = True
    # Known recordings, a new recorder session (closes the recording's others), a new recording.
    store.save_beacons([_write("rec-0", "c-1", 1), _write("rec-1", "c-2", 1), _write("rec-9", "c-1", 0)])
    store.delete_recordings(["rec-2"], cause="request", now=T0 + 10)
    statements.recording = False
    assert any("FROM sessions" in s for s in statements.seen), "the group's reads were not traced"
    assert full_scans(tmp_path / "reel.sqlite3", iter(statements.seen)) == []


def test_the_workers_list_walks_only_the_recordings_with_work(
    tmp_path: Path, statements: Statements, three_recordings: SqlSessionStore
) -> None:
    statements.recording = True
    three_recordings.settle_processing(100)
    three_recordings.pending_processing(10, T0, T0 - 1, "worker-a")
    statements.recording = False
    assert any("FROM recordings r" in s for s in statements.seen), "the worker's reads were not traced"
    assert full_scans(tmp_path / "reel.sqlite3", iter(statements.seen)) == []


@pytest.mark.parametrize("client", ["embedded"], indirect=True)
def test_a_worker_round_and_a_replay_find_their_rows_by_index(
    statements: Statements, client: TestClient, demo_app: Application, beacon: BeaconMaker, clock: FixedClock
) -> None:
    ctx = client.app.state.reel  # type: ignore[attr-defined]
    for n in range(3):
        events = [*dashboard_snapshot(T0), *(tick(T0 + 1000 * s, f"tick {s}") for s in range(1, 20))]
        doc = beacon(0, events, recording_id=f"rec-{n}", session_id=f"ses-{n}")
        assert post_beacon(client, demo_app, doc).status_code == 200
    # The search page counts and sorts every session it may show: not measured here.
    [session, *_] = client.get("/api/v1/sessions").json()["sessions"]
    statements.recording = True
    process_pending(ctx)
    clock.advance(QUIET_MS + 1000)  # quiet: open segments are closed and compacted
    process_pending(ctx)
    assert client.get(f"/api/v1/sessions/{session['id']}").status_code == 200
    assert client.get(f"/api/v1/sessions/{session['id']}/segments/0").status_code == 200
    assert client.get(f"/api/v1/sessions/{session['id']}/actions").status_code == 200
    process_pending(ctx)
    statements.recording = False
    assert any("UPDATE segments" in s for s in statements.seen), "no compaction was traced"
    assert full_scans(ctx.settings.data_dir / "reel.sqlite3", iter(statements.seen)) == []


def test_a_users_sessions_are_found_by_index(tmp_path: Path, statements: Statements) -> None:
    store = sqlite_session_store(tmp_path / "reel.sqlite3")
    try:
        statements.recording = True
        store.list_sessions(SessionQuery(user_id="alice@example.com"))
        store.list_sessions(SessionQuery(app_ids=("app_1",), user_id="alice@example.com"))
        store.recordings_of_user(("app_1",), "alice@example.com")  # deleting a user's recordings
        statements.recording = False
    finally:
        store.close()
    assert sum("user_id" in s for s in statements.seen) >= 3, "the searches were not traced"
    assert full_scans(tmp_path / "reel.sqlite3", iter(statements.seen)) == []


def test_a_full_scan_is_seen(tmp_path: Path) -> None:
    sqlite_session_store(tmp_path / "reel.sqlite3").close()
    statements = [
        "SELECT id FROM sessions WHERE traits = 'x'",
        "SELECT r.id FROM recordings r JOIN processing AS p ON p.recording_id = r.id WHERE p.state = ''",
        "SELECT id FROM sessions ORDER BY start_ts LIMIT 5",  # along an index of every session
        "SELECT id FROM sessions WHERE id = 'ses-1'",
    ]
    scanned = full_scans(tmp_path / "reel.sqlite3", iter(statements))
    assert [table for table, _ in scanned] == ["sessions", "processing", "sessions"]


# PostgreSQL: the same statements, planned with sequential scans and whole-table joins priced out
# (enable_seqscan, _mergejoin, _hashjoin off), so a plan still reading a growing table whole has no index
# it could use for it. A test's few rows would otherwise make such a plan the planner's honest choice.


class PgStatements:
    """(statement, parameters) each SQL store transaction ran, in PostgreSQL's placeholders."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.seen: dict[str, tuple[Any, ...]] = {}
        self.recording = False
        for name in ("run", "one", "all"):
            self._trace(monkeypatch, sql.Tx, name, lambda statement, params: [(statement, params)])
        self._trace(
            monkeypatch, sql.Tx, "many", lambda statement, rows: [(statement, rows[0])] if rows else []
        )
        self._trace(monkeypatch, PostgresTx, "all_of", lambda queries: list(queries))

    def _trace(
        self, monkeypatch: pytest.MonkeyPatch, cls: type, name: str, calls: Callable[..., list[Any]]
    ) -> None:
        original = getattr(cls, name)

        def traced(tx: sql.Tx, *args: Any) -> Any:
            if self.recording:
                for statement, params in calls(*args):
                    self.seen.setdefault(tx.dialect.sql(statement), tuple(params))
            return original(tx, *args)

        monkeypatch.setattr(cls, name, traced)


def pg_full_scans(url: str, statements: PgStatements) -> list[tuple[str, str]]:
    """(table, statement) for each statement whose plan still reads a growing table whole: in sequence,
    or along an index of every row without a condition on it (a partial index holds only its rows)."""
    found: list[tuple[str, str]] = []
    with psycopg.connect(url, autocommit=True) as conn:
        for setting in ("enable_seqscan", "enable_mergejoin", "enable_hashjoin"):
            conn.execute(f"SET {setting} = off")  # as if every table were large: joins look rows up
        partial = {
            str(name)
            for (name,) in conn.execute("SELECT indexname FROM pg_indexes WHERE indexdef LIKE '% WHERE %'")
        }
        for statement, params in statements.seen.items():
            if not re.match(r"\s*(SELECT|UPDATE|DELETE|WITH)\b", statement, re.IGNORECASE):
                continue
            [(plans,)] = conn.execute("EXPLAIN (FORMAT JSON) " + statement, params).fetchall()
            for node in _nodes(plans[0]["Plan"]):
                table = node.get("Relation Name")
                whole = node["Node Type"] == "Seq Scan" or (
                    node["Node Type"] in ("Index Scan", "Index Only Scan")
                    and "Index Cond" not in node
                    and node.get("Index Name") not in partial
                )
                if whole and table in GROWING:
                    found.append((table, statement[:300]))
    return found


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def test_on_postgres_the_same_work_finds_its_rows_by_index(
    new_pg_database: Callable[[], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = new_pg_database()
    traced = PgStatements(monkeypatch)
    store = open_session_store(url)
    try:
        store.create_application(Application("app_1", "A", "rk-1", ("https://a.example",), created_at=T0))
        store.save_beacons([_write(f"rec-{n}", "c-1", 0) for n in range(3)])
        traced.recording = True
        store.save_beacons([_write("rec-0", "c-1", 1), _write("rec-1", "c-2", 1), _write("rec-9", "c-1", 0)])
        store.delete_recordings(["rec-2"], cause="request", now=T0 + 10)
        store.settle_processing(100)
        store.pending_processing(10, T0, T0 - 1, "worker-a")
        store.list_sessions(SessionQuery(app_ids=("app_1",), user_id="alice@example.com"))
        store.recordings_of_user(("app_1",), "alice@example.com")
        traced.recording = False
    finally:
        store.close()
    assert any("FROM recordings r" in s for s in traced.seen), "the worker's reads were not traced"
    assert pg_full_scans(url, traced) == []
    # And it does see them: a filter no index serves, a walk along an index of every row.
    probe = PgStatements(monkeypatch)
    probe.seen["SELECT id FROM sessions WHERE traits = %s"] = ("{}",)
    probe.seen["SELECT id FROM sessions ORDER BY start_ts DESC LIMIT %s"] = (5,)
    probe.seen["SELECT id FROM sessions WHERE id = %s"] = ("ses-1",)
    assert [table for table, _ in pg_full_scans(url, probe)] == ["sessions", "sessions"]
