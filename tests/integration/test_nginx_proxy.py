"""The deployment guide's nginx configuration (docs/deployment/nginx.conf), run as written in front of a
real `reel serve`: TLS, beacons through the proxy, Reel's own 413, the request id passed through,
/metrics kept internal. Skipped where Debian's nginx is not installed (`apt-get install nginx`)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import orjson
import pytest

from live import free_port
from reel.admin.applications import create_application
from reel.admin.operators import create_operator, issue_token
from reel.config import Settings
from reel.storage.factory import open_operator_store, open_session_store
from support import T0, dashboard_snapshot, tick

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
pytestmark = pytest.mark.skipif(NGINX is None, reason="nginx is not installed (apt-get install nginx)")

REPO = Path(__file__).resolve().parents[2]
ORIGIN = "https://shop.example"


def nginx_conf(tmp: Path, https_port: int, http_port: int, reel_port: int) -> Path:
    """The guide's file with this machine's ports and a self-signed certificate, in a minimal nginx.conf."""
    cert, key = tmp / "cert.pem", tmp / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    site = (REPO / "docs/deployment/nginx.conf").read_text()
    swaps = {
        "127.0.0.1:8700;": f"127.0.0.1:{reel_port};",
        "listen 443 ssl;": f"listen 127.0.0.1:{https_port} ssl;",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "/etc/letsencrypt/live/reel.example/fullchain.pem": str(cert),
        "/etc/letsencrypt/live/reel.example/privkey.pem": str(key),
    }
    for documented, here in swaps.items():
        assert documented in site, f"the guide's nginx.conf no longer says {documented!r}"
        site = site.replace(documented, here)
    (tmp / "reel.conf").write_text(site)
    conf = tmp / "nginx.conf"
    conf.write_text(
        f"pid {tmp}/nginx.pid;\nerror_log {tmp}/error.log;\nevents {{}}\n"
        f"http {{\n  access_log {tmp}/access.log;\n  client_body_temp_path {tmp}/body;\n"
        f"  proxy_temp_path {tmp}/proxy;\n  include {tmp}/reel.conf;\n}}\n"
    )
    return conf


@contextmanager
def process(args: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        proc = subprocess.Popen(args, env=env, stdout=out, stderr=out)
    try:
        yield proc
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


def wait_for(url: str, log: Path, **kwargs: object) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1, **kwargs).status_code == 200:  # type: ignore[arg-type]
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(log.read_text())


def trickled_headers_for(port: int) -> float:
    """Send headers a byte a second through TLS; the seconds until the proxy closes the connection."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port)) as raw, context.wrap_socket(raw) as conn:
        conn.settimeout(1)
        for byte in b"GET /sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 40:
            try:
                conn.sendall(bytes([byte]))
                if conn.recv(1024) == b"":
                    break  # closed by the proxy
            except TimeoutError:
                continue  # nothing to read: still open
            except (ConnectionError, ssl.SSLError):
                break
    return time.monotonic() - started


def test_reel_behind_the_guides_nginx(tmp_path: Path) -> None:
    data = tmp_path / "data"
    sessions = open_session_store(Settings(data_dir=data).resolved_database_url)
    operators = open_operator_store(Settings(data_dir=data).resolved_database_url)
    app = create_application(sessions, "Shop", [ORIGIN], now_ms=T0)
    _token, secret = issue_token(
        operators, create_operator(operators, "ada", "admin", None, now_ms=T0), "t", now_ms=T0
    )
    sessions.close()
    operators.close()
    auth = {"Authorization": f"Bearer {secret}"}
    reel_port, https_port, http_port = free_port(), free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("REEL_")}
    env.update(REEL_DATA_DIR=str(data), REEL_DRAIN_SECONDS="0", REEL_LOG_FORMAT="json")
    env.update(REEL_TRUSTED_PROXIES=unit_setting("REEL_TRUSTED_PROXIES"))  # as the guide's unit sets it
    conf = nginx_conf(tmp_path, https_port, http_port, reel_port)
    reel_args = [sys.executable, "-m", "reel", "serve", "--port", str(reel_port)]
    nginx_args = [str(NGINX), "-p", str(tmp_path), "-c", str(conf), "-g", "daemon off;"]
    with (
        process(reel_args, env, tmp_path / "reel.log"),
        process(nginx_args, env, tmp_path / "nginx.log"),
        httpx.Client(base_url=f"https://127.0.0.1:{https_port}", verify=False) as proxy,
    ):
        wait_for(f"http://127.0.0.1:{reel_port}/readyz", tmp_path / "reel.log")
        wait_for(f"https://127.0.0.1:{https_port}/readyz", tmp_path / "nginx.log", verify=False)
        plain = httpx.get(f"http://127.0.0.1:{http_port}/sessions")
        assert plain.status_code == 301 and plain.headers["location"].startswith("https://")

        ready = proxy.get("/healthz")
        assert ready.status_code == 200 and len(ready.headers["x-request-id"]) == 32  # nginx's $request_id
        doc = {"v": 1, "recording_id": "rec-1", "session_id": "c-1", "seq": 0, "sent_at": T0}
        doc["events"] = [*dashboard_snapshot(T0), tick(T0 + 1000, "1")]
        headers = {"Content-Type": "text/plain", "Origin": ORIGIN}
        posted = proxy.post(
            "/v1/web/beacons", params={"k": app.app_key}, content=orjson.dumps(doc), headers=headers
        )
        assert posted.status_code == 200, posted.text
        too_big = proxy.post(
            "/v1/web/beacons", params={"k": app.app_key}, content=b"x" * (10 * 2**20 + 1), headers=headers
        )
        assert too_big.status_code == 413 and too_big.json()["error"]["code"] == "payload_too_large"

        # Forwarded headers from the configured proxy are trusted: the snippet is an https URL.
        (listed,) = proxy.get("/api/v1/applications", headers=auth).json()["applications"]
        assert 'src="https://127.0.0.1/capture/reel.js"' in listed["snippet"]
        assert proxy.get("/metrics").status_code == 404
        metrics = httpx.get(f"http://127.0.0.1:{reel_port}/metrics")
        assert metrics.status_code == 200
        assert 'reel_beacons_accepted_total{platform="web"} 1.0' in metrics.text
        docs_page = proxy.get("/api/docs")
        assert docs_page.status_code == 200 and "content-security-policy" in docs_page.headers
        # A client trickling its headers is cut off by the proxy's 10 s header timeout.
        assert 9 < trickled_headers_for(https_port) < 15
    lines = [
        orjson.loads(line)
        for line in (tmp_path / "reel.log").read_text().splitlines()
        if line.startswith("{")
    ]
    beacons = [line for line in lines if line.get("path") == "/v1/web/beacons"]
    # Both reached Reel: the accepted one is counted in /metrics (above), the refused one logged.
    assert [line["status"] for line in beacons] == [413]


def unit_setting(name: str) -> str:
    """The value the guide's systemd unit gives an environment variable."""
    unit = (Path(__file__).resolve().parents[2] / "docs" / "deployment" / "reel.service").read_text()
    found = re.search(rf"^Environment={name}=(.*)$", unit, re.M)
    assert found is not None, f"the unit does not set {name}"
    return found.group(1).strip()
