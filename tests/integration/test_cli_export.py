"""`reel export` through click's runner: what it refuses, and a web session's JSON on embedded stores."""

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
from reel.server.app import create_app
from support import ORIGIN, admin_headers, dashboard_snapshot, post_beacon, tick

Invoke = Callable[..., Result]
NOW = int(time.time() * 1000)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def run(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Invoke]:
    for name in ("REEL_DATABASE_URL", "REEL_BLOB_URL", "REEL_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(cli, ["export", *args, "--data-dir", str(data_dir)])

    yield invoke


@pytest.fixture
def web_session(data_dir: Path) -> tuple[str, list[dict[str, object]]]:
    """A web session whose clock shows 'reading N' (masked by default), and its events as served."""
    clock = FixedClock(NOW)
    app = create_app(Settings(data_dir=data_dir), clock=clock)
    ctx = app.state.reel
    with TestClient(app, headers=admin_headers(ctx.operators, now_ms=NOW)) as client:
        shop = create_application(ctx.sessions, "Shop", [ORIGIN], now_ms=NOW)
        events = [*dashboard_snapshot(NOW), tick(NOW + 1000, "reading 1")]
        doc = {
            "v": 1,
            "recording_id": "rec-1",
            "session_id": "c-1",
            "seq": 0,
            "sent_at": NOW,
            "events": events,
        }
        assert post_beacon(client, shop, doc).status_code == 200
        process_pending(ctx)
        session_id = str(client.get("/api/v1/sessions").json()["sessions"][0]["id"])
        served = client.get(f"/api/v1/sessions/{session_id}/events").json()["events"]
    return session_id, served


def test_the_json_of_a_web_session_is_what_the_player_receives(
    run: Invoke, web_session: tuple[str, list[dict[str, object]]], tmp_path: Path
) -> None:
    session_id, served = web_session
    out = tmp_path / "s.json"
    done = run(session_id, "--json", str(out))
    assert done.exit_code == 0, done.output
    exported = orjson.loads(out.read_bytes())
    assert exported["events"] == served and exported["rules_version"] == 0
    assert exported["session"]["id"] == session_id and exported["session"]["platform"] == "web"
    assert b"reading 1" not in out.read_bytes()  # masked under the defaults, as the player gets it


def test_export_needs_something_to_write_and_a_known_session(
    run: Invoke, web_session: tuple[str, list[dict[str, object]]], tmp_path: Path
) -> None:
    session_id, _ = web_session
    nothing = run(session_id)
    assert nothing.exit_code == 2 and "--mp4 FILE, --json FILE" in nothing.output
    unknown = run("ses_" + "0" * 20, "--json", str(tmp_path / "x.json"))
    assert unknown.exit_code == 1 and "no session" in unknown.output
    assert not (tmp_path / "x.json").exists()
    window = run(session_id, "--mp4", str(tmp_path / "x.mp4"), "--window", "wide")
    assert window.exit_code == 2 and "WIDTHxHEIGHT" in window.output
    assert not (tmp_path / "x.mp4").exists()
