"""The player's segment-window planner (web/src/player/window.ts), checked in node."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

WEB = Path(__file__).resolve().parents[2] / "web"


def test_the_window_planner_loads_around_the_playhead_only(tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None or not (WEB / "node_modules" / "esbuild").exists():
        pytest.skip("node and web/node_modules are needed to bundle the planner's checks")
    bundled = subprocess.run(
        [node, "scripts/bundle-test.mjs", "test/unit/window.ts"],
        cwd=WEB,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    script = tmp_path / "window.js"
    script.write_text(bundled.stdout, "utf-8")
    run = subprocess.run([node, str(script)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert "window planner: ok" in run.stdout
