"""Contract: every session store keeps whether an application accepts mobile beacons."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reel.domain.records import Application
from reel.storage.session_store import SessionStore
from services import SESSION_BACKENDS, open_session_backend

T0 = 1_764_240_000_000


@pytest.fixture(params=SESSION_BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SessionStore]:
    s = open_session_backend(request, tmp_path)
    yield s
    s.close()


def test_the_mobile_flag_round_trips(store: SessionStore) -> None:
    web = Application(id="app_w", name="Web", app_key="rk-w", origins=("https://a.example",), created_at=T0)
    mobile = Application(id="app_m", name="App", app_key="rk-m", origins=(), created_at=T0 + 1, mobile=True)
    store.create_application(web)
    store.create_application(mobile)
    assert store.application("app_w") == web and not web.mobile
    assert store.application_by_key("rk-m") == mobile
    assert [a.mobile for a in store.applications()] == [False, True]
