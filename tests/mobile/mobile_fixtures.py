"""Fixtures of the mobile tests (a plugin of tests/conftest.py): a Qt application on the offscreen
platform, an application that accepts mobile beacons."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from reel.admin.applications import create_application
from reel.clock import FixedClock
from reel.domain.records import Application

# Before PySide6 loads: the tests have no screen.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(scope="session")
def qapp() -> Iterator[object]:
    """The one QApplication of the test run (Qt allows one per process)."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    QApplication.setCursorFlashTime(0)  # a blinking caret would make screenshots depend on timing
    yield app


@pytest.fixture
def mobile_app(client: TestClient, clock: FixedClock) -> Application:
    """An application that accepts mobile beacons, in the client's session store."""
    sessions = client.app.state.reel.sessions  # type: ignore[attr-defined]
    return create_application(sessions, "Shop app", [], now_ms=clock.now_ms(), mobile=True)
