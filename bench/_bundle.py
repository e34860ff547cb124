"""The rrweb baselines, bundled with esbuild from web/node_modules into the cache at run time."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from bench._dashboard import cache_root

HERE = Path(__file__).resolve().parent
WEB = HERE.parent / "web"


def _esbuild(entry: Path, out: Path, *extra: str) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    # NODE_PATH lets esbuild resolve the npm packages of web/ for entries that live outside it.
    env = {**os.environ, "NODE_PATH": str(WEB / "node_modules")}
    subprocess.run(
        [
            str(WEB / "node_modules" / ".bin" / "esbuild"),
            str(entry),
            "--bundle",
            f"--outfile={out}",
            "--log-level=warning",
            *extra,
        ],
        check=True,
        env=env,
    )
    return out


def replayer_page() -> tuple[Path, Path]:
    """The baseline page and its bundle: rrweb's Replayer alone (@rrweb/replay, as Reel's player uses)."""
    bundle = _esbuild(
        HERE / "_web" / "baseline.js",
        cache_root() / "build" / "baseline.js",
        "--format=iife",
        "--target=es2020",
    )
    return HERE / "_web" / "baseline.html", bundle


def packer_bytes(events_json: Path) -> int:
    """Bytes of the events as rrweb's packer stores them (pack() per event), computed by Node."""
    script = _esbuild(
        HERE / "_web" / "pack.mjs", cache_root() / "build" / "pack.mjs", "--platform=node", "--format=esm"
    )
    done = subprocess.run(["node", str(script), str(events_json)], check=True, capture_output=True, text=True)
    return int(json.loads(done.stdout)["packedBytes"])
