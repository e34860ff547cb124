"""The slim install: Reel's wheel (browser bundles inside) in a fresh virtualenv with only the runtime
dependencies, pinned as requirements.lock pins them, runs `reel serve`, records a beacon and plays it
back through the operator API; nothing of the development environment comes along."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import orjson
import pytest

from live import free_port
from support import T0, dashboard_snapshot, tick

pytestmark = pytest.mark.install

REPO = Path(__file__).resolve().parents[2]
ORIGIN = "https://shop.example"
# The runtime dependencies and theirs, as pip names them; anything else in the virtualenv is a leak.
RUNTIME = {
    "reel", "fastapi", "starlette", "pydantic", "pydantic-core", "annotated-types", "annotated-doc",
    "typing-extensions", "typing-inspection", "anyio", "idna", "sniffio", "uvicorn", "h11", "click",
    "orjson", "msgspec", "zstandard", "jinja2", "markupsafe", "argon2-cffi", "argon2-cffi-bindings", "cffi",
    "pycparser", "prometheus-client", "pillow", "opentelemetry-api", "importlib-metadata", "zipp", "pip",
    "setuptools",
    # PostgreSQL and S3-compatible storage (brief §3.9), loaded only when a URL names them.
    "psycopg", "psycopg-binary", "psycopg-pool", "obstore",
    # uvicorn's C HTTP parser and event loop (P3: half the CPU per beacon of h11 and asyncio's loop).
    "httptools", "uvloop",
}  # fmt: skip
DEVELOPMENT_ONLY = {"pyside6-essentials", "playwright", "mypy", "pytest", "ruff", "av", "httpx", "django"}


def run(args: list[str], env: dict[str, str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=600, check=False, **kwargs)  # type: ignore[call-overload, no-any-return]


def site_packages_bytes(venv: Path) -> int:
    return sum(f.stat().st_size for f in venv.joinpath("lib").rglob("*") if f.is_file())


# Building a wheel and installing it into a new virtualenv takes minutes on a loaded machine.
@pytest.mark.slow
@pytest.mark.timeout(1200)
def test_the_wheel_alone_serves_records_and_replays(tmp_path: Path) -> None:
    assert (REPO / "src/reel/_built/reel.js").is_file(), (
        "run `make build` first: the wheel carries the bundles"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REEL_", "PYTHON", "VIRTUAL_ENV"))}
    built = run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path / "dist"), str(REPO)],
        env,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("reel-*.whl")

    venv = tmp_path / "venv"
    assert run([sys.executable, "-m", "venv", str(venv)], env).returncode == 0
    pip = [str(venv / "bin/python"), "-m", "pip", "--disable-pip-version-check"]
    installed = run([*pip, "install", "-q", "-c", str(REPO / "requirements.lock"), str(wheel)], env)
    assert installed.returncode == 0, installed.stderr
    names = {
        p["name"].lower().replace("_", "-")
        for p in json.loads(run([*pip, "list", "--format=json"], env).stdout)
    }
    assert names - RUNTIME == set(), f"installed beyond the runtime dependencies: {names - RUNTIME}"
    assert names & DEVELOPMENT_ONLY == set()
    print(f"slim install: {site_packages_bytes(venv) / 2**20:.0f} MiB in {venv}")

    reel = str(venv / "bin/reel")
    data = tmp_path / "data"
    env = {**env, "REEL_DATA_DIR": str(data), "REEL_DRAIN_SECONDS": "0"}
    key = run([reel, "apps", "create", "Shop", "--origin", ORIGIN], env, cwd=tmp_path).stdout.strip()
    assert key.startswith("rk-")
    assert (
        run([reel, "users", "create", "ada", "--role", "admin"], env, input="ada-password-1\n").returncode
        == 0
    )
    token = run([reel, "tokens", "create", "check", "--user", "ada"], env).stdout.strip()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [reel, "serve", "--port", str(port)], env=env, cwd=tmp_path, stdout=out, stderr=out
        )
    try:
        wait_ready(url, server, log)
        assert httpx.get(f"{url}/capture/reel.js").status_code == 200
        assert httpx.get(f"{url}/static/built/apidocs/swagger-ui-bundle.js").status_code == 200
        doc = {"v": 1, "recording_id": "rec-1", "session_id": "c-1", "seq": 0, "sent_at": T0}
        doc["events"] = [*dashboard_snapshot(T0), tick(T0 + 1000, "1")]
        headers = {"Content-Type": "text/plain", "Origin": ORIGIN}
        posted = httpx.post(
            f"{url}/v1/web/beacons", params={"k": key}, content=orjson.dumps(doc), headers=headers
        )
        assert posted.status_code == 200, posted.text
        auth = {"Authorization": f"Bearer {token}"}
        session = wait_for_session(url, auth)
        events = httpx.get(f"{url}/api/v1/sessions/{session}/events", headers=auth)
        assert events.status_code == 200
        assert [e["type"] for e in events.json()["events"]][:2] == [4, 2]  # Meta, then the full snapshot
        assert httpx.get(f"{url}/metrics").status_code == 200
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    video = run([reel, "export", session, "--mp4", str(tmp_path / "x.mp4")], env)
    assert (
        video.returncode == 1
        and "pip install 'reel[video]'" in video.stderr
        and "Traceback" not in video.stderr
    )


def wait_ready(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, log.read_text()
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(log.read_text())


def wait_for_session(url: str, auth: dict[str, str]) -> str:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = httpx.get(f"{url}/api/v1/sessions", headers=auth).json()["sessions"]
        if found:
            return str(found[0]["id"])
        time.sleep(0.2)
    raise AssertionError("the beacon made no session")
