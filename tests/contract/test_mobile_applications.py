"""Contract: every session store keeps whether an application accepts mobile beacons."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reel.domain.records import Application
from reel.storage.factory import memory_session_store, sqlite_session_store
from reel.storage.session_store import SessionStore

T0 = 1_764_240_000_000


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SessionStore]:
    s: SessionStore = (
        memory_session_store() if request.param == "memory" else sqlite_session_store(tmp_path / "db.sqlite3")
    )
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
