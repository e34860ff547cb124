"""Real `reel serve` processes: text and JSON logs with one line per request and its id (accepted beacons
only when asked); two processes sharing
REEL_METRICS_DIR count together; a busy port, an empty store and a read-only data directory are said
clearly, not as a traceback."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import orjson
import pytest
from prometheus_client.parser import text_string_to_metric_families

from live import free_port
from reel.admin.applications import create_application
from reel.config import Settings
from reel.storage.factory import open_session_store

ORIGIN = "https://shop.example"


def prepare(data_dir: Path) -> str:
    """An application in `data_dir`; its app key."""
    sessions = open_session_store(Settings(data_dir=data_dir).resolved_database_url)
    try:
        return create_application(sessions, "Shop", [ORIGIN], now_ms=int(time.time() * 1000)).app_key
    finally:
        sessions.close()


@contextmanager
def serve(data_dir: Path, log: Path, port: int, **env: str) -> Iterator[str]:
    """`reel serve` on `port` until the block ends (SIGTERM, no drain); yields its URL once ready."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("REEL_")}
    full_env.update({"REEL_DATA_DIR": str(data_dir), "REEL_DRAIN_SECONDS": "0", **env})
    args = [sys.executable, "-m", "reel", "serve", "--port", str(port)]
    with log.open("ab") as out:
        proc = subprocess.Popen(args, env=full_env, stdout=out, stderr=out)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, log.read_text()
            try:
                if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.05)
        yield url
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


def post(url: str, key: str, recording: str, seq: int) -> int:
    doc = {"v": 1, "recording_id": recording, "session_id": f"c-{recording}", "seq": seq}
    doc["sent_at"] = 1_764_240_000_000
    doc["events"] = [
        {"type": 4, "timestamp": 1_764_240_000_000, "data": {"href": ORIGIN, "width": 1, "height": 1}}
    ]
    headers = {"Content-Type": "text/plain", "Origin": ORIGIN}
    return httpx.post(
        f"{url}/v1/web/beacons", params={"k": key}, content=orjson.dumps(doc), headers=headers
    ).status_code


def accepted(url: str) -> float:
    text = httpx.get(f"{url}/metrics").text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "reel_beacons_accepted_total" and sample.labels == {"platform": "web"}:
                return sample.value
    return 0.0


def test_json_logs_write_one_line_per_request_with_its_id(tmp_path: Path) -> None:
    key = prepare(tmp_path / "data")
    log = tmp_path / "serve.log"
    with serve(tmp_path / "data", log, free_port(), REEL_LOG_FORMAT="json", REEL_LOG_BEACONS="on") as url:
        assert httpx.get(f"{url}/healthz", headers={"X-Request-Id": "from-proxy-1"}).status_code == 200
        assert post(url, key, "rec-1", 0) == 200
        answered = httpx.get(f"{url}/api/v1/sessions?user_id=someone")
        assert answered.status_code == 401
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    assert len(lines) == len(log.read_text().splitlines()), log.read_text()  # nothing but JSON lines
    access = [line for line in lines if line["logger"] == "reel.access"]
    by_path = {(line["method"], line["path"]): line for line in access}
    assert by_path[("GET", "/healthz")]["request_id"] == "from-proxy-1"
    assert by_path[("POST", "/v1/web/beacons")]["status"] == 200
    sessions = by_path[("GET", "/api/v1/sessions")]
    assert sessions["status"] == 401 and len(sessions["request_id"]) == 16
    assert answered.headers["x-request-id"] == sessions["request_id"]
    assert "someone" not in log.read_text()  # query strings are not logged
    assert all(line["ts"].endswith("Z") and line["level"] in ("info", "warning") for line in lines)
    readyz = [line for line in access if line["path"] == "/readyz"]
    assert len(access) == len(readyz) + 3  # one line per request, no more


def test_text_logs_write_a_line_per_request_but_not_per_accepted_beacon_and_no_query_string(
    tmp_path: Path,
) -> None:
    key = prepare(tmp_path / "data")
    log = tmp_path / "serve.log"
    with serve(tmp_path / "data", log, free_port()) as url:
        assert [post(url, key, "rec-1", seq) for seq in range(3)] == [200] * 3
        refused = httpx.post(
            f"{url}/v1/web/beacons", params={"k": key}, content=b"{", headers={"Origin": ORIGIN}
        )
        assert refused.status_code == 400
        answered = httpx.get(f"{url}/api/v1/sessions?user_id=someone")
        assert accepted(url) == 3  # counted, not logged
    access = [line for line in log.read_text().splitlines() if "reel.access" in line]
    assert not any("POST /v1/web/beacons 200" in line for line in access), access
    assert any("POST /v1/web/beacons 400 " in line for line in access), access
    sessions = [line for line in access if "GET /api/v1/sessions 401" in line]
    assert len(sessions) == 1 and sessions[0].endswith(f"[{answered.headers['x-request-id']}]"), access
    assert key not in log.read_text() and "someone" not in log.read_text()  # query strings are not logged


def test_two_processes_sharing_a_metrics_dir_count_together(tmp_path: Path) -> None:
    key = prepare(tmp_path / "data")
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    with ExitStack() as stack:
        first = stack.enter_context(
            serve(tmp_path / "data", tmp_path / "a.log", free_port(), REEL_METRICS_DIR=str(metrics_dir))
        )
        second = stack.enter_context(
            serve(tmp_path / "data", tmp_path / "b.log", free_port(), REEL_METRICS_DIR=str(metrics_dir))
        )
        assert [post(first, key, "rec-a", seq) for seq in range(3)] == [200] * 3
        assert [post(second, key, "rec-b", seq) for seq in range(2)] == [200] * 2
        assert accepted(first) == accepted(second) == 5
    # Without the shared directory each process counts for itself.
    with serve(tmp_path / "data", tmp_path / "c.log", free_port()) as alone:
        assert post(alone, key, "rec-c", 0) == 200
        assert accepted(alone) == 1


def test_a_busy_port_is_a_clear_error(tmp_path: Path) -> None:
    port = free_port()
    with serve(tmp_path / "data", tmp_path / "a.log", port):
        env = {k: v for k, v in os.environ.items() if not k.startswith("REEL_")}
        args = [sys.executable, "-m", "reel", "serve", "--port", str(port), "--data-dir", str(tmp_path / "b")]
        second = subprocess.run(args, env=env, capture_output=True, text=True, timeout=60, check=False)
        demo = [
            sys.executable,
            "-m",
            "reel",
            "demo",
            "--port",
            str(port),
            "--no-visit",
            "--data-dir",
            str(tmp_path / "d"),
        ]
        third = subprocess.run(demo, env=env, capture_output=True, text=True, timeout=60, check=False)
    for result in (second, third):
        assert result.returncode == 1
        assert f"Error: port {port} on 127.0.0.1 is already in use" in result.stderr
        assert "Traceback" not in result.stderr
    assert "--port or REEL_PORT" in second.stderr and "--shop-port" in third.stderr
    assert not (tmp_path / "b").exists()  # refused before any store was opened


def test_serve_on_an_empty_store_names_the_directory_that_has_the_applications(tmp_path: Path) -> None:
    prepare(tmp_path / ".reel-data")  # where `reel apps create` wrote, run from tmp_path without settings
    log = tmp_path / "serve.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("REEL_")}
    args = [
        sys.executable,
        "-m",
        "reel",
        "serve",
        "--port",
        str(free_port()),
        "--data-dir",
        str(tmp_path / "srv"),
    ]
    with log.open("wb") as out:
        proc = subprocess.Popen(args, env=env, cwd=tmp_path, stdout=out, stderr=out)
    try:
        deadline = time.monotonic() + 30
        while "Reel 0.1" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
    text = log.read_text()
    assert f"WARNING: the store in {tmp_path / 'srv'} has no applications and no operators" in text
    assert f"{tmp_path / '.reel-data'} has 1 application and 0 operators: did you mean --data-dir" in text


@contextmanager
def read_only_folder(folder: Path) -> Iterator[Path]:
    """`folder` holding an embedded store, then made read-only (a read-only mount as root, where
    permissions do not apply; without write permission otherwise)."""
    folder.mkdir()
    prepare(folder / "data")
    if os.geteuid() != 0:
        for path in (folder / "data", folder):
            path.chmod(0o500)
        try:
            yield folder
        finally:
            for path in (folder, folder / "data"):
                path.chmod(0o700)
        return
    done = subprocess.run(["mount", "--bind", str(folder), str(folder)], capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot bind-mount here: {done.stderr.decode().strip()}")
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(folder)], check=True, capture_output=True)
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def test_serve_on_a_read_only_data_directory_is_one_clear_line(tmp_path: Path) -> None:
    """Issue 15: `reel serve` on a read-only data directory exited with a traceback from SQLite."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("REEL_")}
    with read_only_folder(tmp_path / "ro") as folder:
        results = [
            subprocess.run(
                [sys.executable, "-m", "reel", "serve", "--port", str(free_port()), "--data-dir", str(data)],
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            for data in (folder / "data", folder / "new")  # an existing store, and one to be made
        ]
    for result in results:
        assert result.returncode == 1
        assert "Traceback" not in result.stderr
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith("Error: cannot write the database under ")
        assert "--data-dir or REEL_DATA_DIR" in lines[0]
