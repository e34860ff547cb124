"""Login throttling against a real `reel serve` (issue 15): nobody can lock the rightful operator out
by failing on purpose, and only configured proxies may say which address a request comes from."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from faults.reel_process import ReelProcess
from reel.admin.operators import create_operator
from reel.config import Settings
from reel.runtime.throttle import MAX_FAILURES_PER_ADDRESS, MAX_FAILURES_PER_NAME
from reel.storage.factory import open_operator_store

PASSWORD = "the-right-password"


def serve(tmp_path: Path, env: dict[str, str]) -> Iterator[ReelProcess]:
    data = tmp_path / "data"
    operators = open_operator_store(Settings(data_dir=data).resolved_database_url)
    try:
        create_operator(operators, "admin", "admin", PASSWORD, now_ms=int(time.time() * 1000))
    finally:
        operators.close()
    reel = ReelProcess(data, tmp_path / "reel.log", env={"REEL_DRAIN_SECONDS": "0", **env})
    reel.start()
    try:
        reel.wait_ready()
        yield reel
    finally:
        reel.stop()


@pytest.fixture
def direct(tmp_path: Path) -> Iterator[ReelProcess]:
    """Reel without a proxy: clients connect to it themselves (no REEL_TRUSTED_PROXIES)."""
    yield from serve(tmp_path, {"REEL_TRUSTED_PROXIES": ""})


@pytest.fixture
def behind_proxy(tmp_path: Path) -> Iterator[ReelProcess]:
    """Reel behind a proxy on loopback that forwards each client's address."""
    yield from serve(tmp_path, {"REEL_TRUSTED_PROXIES": "127.0.0.1"})


def login(client: httpx.Client, name: str, password: str, forwarded_for: str | None = None) -> int:
    """POST the login form as a browser would (token from the form, cookie, same origin); the status."""
    form = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    headers = {"Origin": str(client.base_url).rstrip("/")}
    if forwarded_for is not None:
        headers["X-Forwarded-For"] = forwarded_for
    data = {"name": name, "password": password, "csrf_token": token.group(1), "next": "/sessions"}
    return client.post("/login", data=data, headers=headers).status_code


def test_wrong_passwords_from_elsewhere_do_not_lock_the_rightful_operator_out(
    behind_proxy: ReelProcess,
) -> None:
    """Ten wrong passwords for `admin` locked the name for everyone, right password included."""
    with (
        httpx.Client(base_url=behind_proxy.url, timeout=30) as attacker,
        httpx.Client(base_url=behind_proxy.url, timeout=30) as owner,
    ):
        statuses = [
            login(attacker, "admin", f"guess-{i}", "203.0.113.9") for i in range(MAX_FAILURES_PER_NAME + 2)
        ]
        assert statuses[:MAX_FAILURES_PER_NAME] == [401] * MAX_FAILURES_PER_NAME
        assert statuses[MAX_FAILURES_PER_NAME:] == [429, 429]
        # The guesser's address waits even with the right password (or it would learn it guessed right).
        assert login(attacker, "admin", PASSWORD, "203.0.113.9") == 429
        # The operator, from their own address, logs in at once.
        assert login(owner, "admin", PASSWORD, "198.51.100.7") == 303


def test_a_forwarded_address_from_a_client_that_is_not_a_proxy_is_ignored(direct: ReelProcess) -> None:
    """Rotating X-Forwarded-For (and the name) was believed from any client, so every guess counted for
    another address and the per-address limit was never reached; without a configured proxy the header
    is ignored and the connection's address counts."""
    with httpx.Client(base_url=direct.url, timeout=30) as client:
        statuses = [
            login(client, f"name-{i}", "wrong", f"192.0.2.{i + 1}")
            for i in range(MAX_FAILURES_PER_ADDRESS + 1)
        ]
    assert statuses == [401] * MAX_FAILURES_PER_ADDRESS + [429]
