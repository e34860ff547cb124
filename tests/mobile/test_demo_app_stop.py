"""The demo Qt app, run as a process and recorded into a real Reel: Ctrl-C (SIGINT) and SIGTERM stop it
cleanly, with the recording's final beacon sent and no crash recorded."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from live import live_reel

STARTUP_S = 60.0
STOP_S = 20.0


def _wait_for(check: object, timeout_s: float) -> object:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = check()  # type: ignore[operator]
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError("timed out")


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_the_demo_app_stops_on_a_signal_with_a_final_beacon_and_no_crash(tmp_path: Path, signum: int) -> None:
    with live_reel(tmp_path / "data") as live:
        created = httpx.post(
            f"{live.reel_url}/api/v1/applications",
            json={"name": "Shop app", "mobile": True},
            headers=live.auth,
        )
        assert created.status_code == 201, created.text
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
        args = ["--reel", live.reel_url, "--key", created.json()["app_key"], "--queue", str(tmp_path / "q")]
        process = subprocess.Popen(
            [sys.executable, "-m", "reel.demo.mobile_app", *args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        try:
            # The recorder sends its first beacon after its flush interval (5 s).
            _wait_for(lambda: live.api("/api/v1/sessions", platform="mobile")["sessions"], STARTUP_S)
            process.send_signal(signum)
            output, _ = process.communicate(timeout=STOP_S)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        assert process.returncode == 0, output.decode(errors="replace")
        assert b"Traceback" not in output and b"KeyboardInterrupt" not in output
        [session] = live.api("/api/v1/sessions", platform="mobile")["sessions"]
        assert session["closed"] is True and session["close_reason"] == "app_closed"
        events = live.api(f"/api/v1/sessions/{session['id']}/mobile-events")["events"]
        assert [e["state"] for e in events if e["type"] == "lifecycle"][-1] == "stop"
        assert not [e for e in events if e["type"] == "crash"]
        assert not list((tmp_path / "q").glob("*.rlmb"))  # nothing left unsent
