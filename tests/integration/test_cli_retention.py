"""`reel purge` and `reel delete` through click's runner, on embedded stores in a temporary data dir."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner, Result
from fastapi.testclient import TestClient

from reel.admin.applications import create_application
from reel.cli.main import cli
from reel.clock import FixedClock
from reel.config import Settings
from reel.processing.worker import process_pending
from reel.retention.messages import day
from reel.server.app import create_app
from reel.storage.factory import sqlite_session_store
from reel.storage.retention_store import DAY_MS
from reel.storage.session_store import SessionStore
from support import ORIGIN, admin_headers, custom, dashboard_snapshot, post_beacon

Invoke = Callable[..., Result]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def run(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Invoke]:
    for name in ("REEL_DATABASE_URL", "REEL_BLOB_URL", "REEL_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(cli, [*args, "--data-dir", str(data_dir)])

    yield invoke


NOW = int(time.time() * 1000)


@pytest.fixture
def recorded(data_dir: Path) -> dict[str, str]:
    """Two visits stored through the real app: one 40 days old (user u-old), one a day old (u-new)."""
    ids: dict[str, str] = {}
    clock = FixedClock(NOW - 40 * DAY_MS)
    app = create_app(Settings(data_dir=data_dir), clock=clock)
    ctx = app.state.reel
    with TestClient(app, headers=admin_headers(ctx.operators, now_ms=clock.now_ms())) as client:
        shop = create_application(ctx.sessions, "Shop", [ORIGIN], now_ms=clock.now_ms())
        for name, age_days in (("old", 40), ("new", 1)):
            clock.advance(NOW - age_days * DAY_MS - clock.now_ms())
            start = clock.now_ms()
            events = [
                *dashboard_snapshot(start),
                custom(start + 10, "reel.identify", {"userId": f"u-{name}"}),
            ]
            doc = {
                "v": 1,
                "recording_id": f"rec-{name}",
                "session_id": f"c-{name}",
                "seq": 0,
                "sent_at": start,
            }
            assert post_beacon(client, shop, {**doc, "events": events}).status_code == 200
            session_id = ctx.sessions.beacon_session(f"rec-{name}", 0)
            assert session_id is not None
            ids[name] = session_id
        process_pending(ctx)
    return ids


def store(data_dir: Path) -> SessionStore:
    return sqlite_session_store(data_dir / "reel.sqlite3")


def test_purge_dry_run_lists_and_deletes_nothing(
    run: Invoke, data_dir: Path, recorded: dict[str, str]
) -> None:
    result = run("purge", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "rec-old" in result.output and "rec-new" not in result.output
    assert "30-day retention" in result.output
    assert "Would delete 1 recordings (1 sessions" in result.output
    s = store(data_dir)
    try:
        assert s.session(recorded["old"]) is not None
    finally:
        s.close()


def blob_files(data_dir: Path, rec: str) -> list[Path]:
    return [p for p in (data_dir / "blobs").rglob("*") if p.is_file() and f"/{rec}/" in p.as_posix()]


def stored(data_dir: Path, rec: str) -> list[str]:
    """What a recording holds: its blob files, and its beacons still in the buffer."""
    s = store(data_dir)
    try:
        buffered = [f"buffer/{seq}" for seq in s.buffered_seqs(rec)]
    finally:
        s.close()
    return [p.as_posix() for p in blob_files(data_dir, rec)] + buffered


def test_purge_deletes_what_is_past_retention(run: Invoke, data_dir: Path, recorded: dict[str, str]) -> None:
    # The old visit was compacted (its recording went quiet long ago); the new one waits in the buffer.
    assert blob_files(data_dir, "rec-old") and stored(data_dir, "rec-new")
    result = run("purge")
    assert result.exit_code == 0, result.output
    assert "Deleted 1 recordings (1 sessions" in result.output
    s = store(data_dir)
    try:
        tombstone = s.tombstone(recorded["old"])
        assert tombstone is not None and tombstone.cause == "retention"
        assert s.session(recorded["new"]) is not None
    finally:
        s.close()
    assert stored(data_dir, "rec-old") == [] and stored(data_dir, "rec-new")
    assert "Deleted 0 recordings" in run("purge").output


def test_delete_a_session_then_again(run: Invoke, data_dir: Path, recorded: dict[str, str]) -> None:
    first = run("delete", "--session", recorded["new"])
    assert first.exit_code == 0, first.output
    assert "Deleted 1 sessions in 1 recordings." in first.output
    again = run("delete", "--session", recorded["new"])
    assert again.exit_code == 0
    assert f"Already deleted. This session was recorded on {day(NOW - DAY_MS)}" in again.output
    assert f"deleted on request on {day(NOW)}" in again.output
    unknown = run("delete", "--session", "ses_nothere")
    assert unknown.exit_code == 1 and "no such session" in unknown.output


def test_delete_a_user_prints_json_and_is_audited(
    run: Invoke, data_dir: Path, recorded: dict[str, str]
) -> None:
    result = run("delete", "--user", "u-old", "--json")
    assert result.exit_code == 0, result.output
    doc = orjson.loads(result.output)
    assert doc["sessions"] == [recorded["old"]] and doc["recordings"] == 1
    s = store(data_dir)
    try:
        [entry] = s.audit_entries(app_ids=None, actor_id=None, limit=5, offset=0)
        assert entry.actor.startswith("cli:") and entry.action == "user.delete" and entry.count == 1
        assert "u-old" not in entry.target
        assert s.session(recorded["new"]) is not None
    finally:
        s.close()


@pytest.mark.parametrize(
    "args", [(), ("--session", "ses_a", "--user", "u"), ("--session", "ses_a", "--app", "app_x")]
)
def test_delete_needs_exactly_one_target(run: Invoke, args: tuple[str, ...]) -> None:
    result = run("delete", *args)
    assert result.exit_code == 2
