"""Shared fixtures: settings on a temporary data dir, stores of every backend, a test client, beacons."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from reel.admin.applications import create_application
from reel.clock import FixedClock
from reel.config import Limits, Settings
from reel.domain.records import Application
from reel.server.app import create_app
from reel.storage.factory import memory_session_store
from reel.storage.memory_blobs import MemoryReplayStore
from reel.storage.memory_operators import MemoryOperatorStore
from support import ORIGIN, T0, admin_headers, make_events

# Property tests check what holds, not how fast: no per-example deadline, which a loaded machine (two
# cores, the suite on both) would miss for reasons that have nothing to do with Reel.
hypothesis_settings.register_profile("reel", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("reel")

# The mobile tests' fixtures (qapp, mobile_app) live beside them, in tests/mobile/mobile_fixtures.py;
# the PostgreSQL and S3 servers' (pg_url, s3_bucket …) in tests/services.py.
pytest_plugins = ["mobile_fixtures", "services"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Runs the tests marked `slow` first (stable otherwise): started last, one of them kept a worker busy
    for a minute after the other had finished the rest of the suite."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture
def clock() -> FixedClock:
    """A clock at a fixed time that tests move by hand."""
    return FixedClock(T0)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings on a temporary data directory, with small caps so limits are cheap to test."""
    return Settings(
        data_dir=tmp_path / "data",
        limits=Limits(
            max_body_bytes=256 * 1024, max_decompressed_bytes=1024 * 1024, max_events_per_beacon=1000
        ),
    )


@pytest.fixture(params=["memory", "embedded"])
def client(request: pytest.FixtureRequest, settings: Settings, clock: FixedClock) -> Iterator[TestClient]:
    """A test client on in-memory stores or on the embedded ones (SQLite + files), logged in as an admin."""
    if request.param == "memory":
        app = create_app(
            settings,
            sessions=memory_session_store(),
            blobs=MemoryReplayStore(),
            clock=clock,
            operators=MemoryOperatorStore(),
        )
    else:
        app = create_app(settings, clock=clock)
    # Every operator route needs a login; the client sends an admin's API token unless a test overrides it.
    headers = admin_headers(app.state.reel.operators, now_ms=clock.now_ms())
    with TestClient(app, headers=headers) as test_client:
        yield test_client


@pytest.fixture
def demo_app(client: TestClient, clock: FixedClock) -> Application:
    """An application allowing ORIGIN, in the client's session store."""
    return create_application(client.app.state.reel.sessions, "Shop", [ORIGIN], now_ms=clock.now_ms())  # type: ignore[attr-defined]


BeaconMaker = Callable[..., dict[str, Any]]


@pytest.fixture
def beacon() -> BeaconMaker:
    """Build a beacon envelope dict."""

    def build(seq: int, events: list[dict[str, Any]] | None = None, **fields: Any) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "v": 1,
            "recording_id": fields.pop("recording_id", "rec-1"),
            "session_id": fields.pop("session_id", "ses-1"),
            "seq": seq,
            "sent_at": T0,
            "events": events if events is not None else make_events(T0 + seq * 1000, 3, full=seq == 0),
        }
        doc.update(fields)
        return doc

    return build
