"""`reel backup` while Reel serves and records, then `reel restore` into a new data directory: every
session of the restored store plays, none recorded before the backup is missing; refusals are clear."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx
import orjson
from click.testing import CliRunner

from live import free_port
from reel.admin.applications import create_application
from reel.admin.operators import create_operator, issue_token
from reel.cli.main import cli
from reel.config import Settings
from reel.demo.serving import serve_in_thread
from reel.processing.worker import process_pending
from reel.server.app import create_app
from support import ORIGIN, T0, dashboard_snapshot, tick


def beacon(rec: str, seq: int) -> bytes:
    events = (
        [*dashboard_snapshot(T0), tick(T0 + 1000, "1")] if seq == 0 else [tick(T0 + 1000 * seq, str(seq))]
    )
    doc = {"v": 1, "recording_id": rec, "session_id": f"c-{rec}", "seq": seq, "sent_at": T0, "events": events}
    return orjson.dumps(doc)


def played(url: str, auth: dict[str, str]) -> dict[str, int]:
    """Every session of the store at `url` with the number of events the player receives."""
    found = httpx.get(f"{url}/api/v1/sessions", params={"limit": 200}, headers=auth).json()["sessions"]
    out = {}
    for session in found:
        response = httpx.get(f"{url}/api/v1/sessions/{session['id']}/events", headers=auth)
        assert response.status_code == 200, response.text
        out[session["id"]] = len(response.json()["events"])
    return out


def test_a_backup_taken_during_ingest_restores_every_session(tmp_path: Path) -> None:
    data, copy, restored = tmp_path / "data", tmp_path / "backup", tmp_path / "restored"
    app = create_app(Settings(data_dir=data))
    ctx = app.state.reel
    shop = create_application(ctx.sessions, "Shop", [ORIGIN], now_ms=T0)
    admin = create_operator(ctx.operators, "ada", "admin", None, now_ms=T0)
    _token, secret = issue_token(ctx.operators, admin, "backup", now_ms=T0)
    auth = {"Authorization": f"Bearer {secret}"}
    headers = {"Content-Type": "text/plain", "Origin": ORIGIN}
    with serve_in_thread(app, port=free_port(), lifespan="on") as url:

        def post(rec: str, seq: int) -> None:
            response = httpx.post(
                f"{url}/v1/web/beacons", params={"k": shop.app_key}, content=beacon(rec, seq), headers=headers
            )
            assert response.status_code == 200, response.text

        for n in range(5):
            for seq in range(3):
                post(f"rec-{n}", seq)
        process_pending(ctx)
        before = played(url, auth)
        assert len(before) == 5

        stop = threading.Event()
        more: list[str] = []

        def keep_recording() -> None:
            n = 0
            while not stop.is_set() and n < 200:
                post(f"live-{n}", 0)
                more.append(f"live-{n}")
                n += 1

        writer = threading.Thread(target=keep_recording)
        writer.start()
        try:
            result = CliRunner().invoke(cli, ["backup", str(copy), "--data-dir", str(data)])
        finally:
            stop.set()
            writer.join()
        assert result.exit_code == 0, result.output
        assert f"Backed up to {copy.resolve()}" in result.output and more
    ctx.sessions.close()

    refused = CliRunner().invoke(cli, ["backup", str(copy), "--data-dir", str(data)])
    assert refused.exit_code == 1 and "is not empty" in refused.output
    result = CliRunner().invoke(cli, ["restore", str(copy), "--data-dir", str(restored)])
    assert result.exit_code == 0, result.output
    again = CliRunner().invoke(cli, ["restore", str(copy), "--data-dir", str(restored)])
    assert again.exit_code == 1 and "already holds a store" in again.output

    app = create_app(Settings(data_dir=restored))
    process_pending(app.state.reel)  # beacons that arrived during the backup, not processed yet
    with serve_in_thread(app) as url:
        after = played(url, auth)
    for session_id, events in before.items():
        assert after.get(session_id) == events
    assert len(after) >= len(before)


def test_backup_refuses_other_backends(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["backup", str(tmp_path / "b"), "--database-url", "postgresql://db/reel"], catch_exceptions=False
    )
    assert result.exit_code == 2 and "PostgreSQL" in result.output
