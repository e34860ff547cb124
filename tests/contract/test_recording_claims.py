"""Contract: claiming a recording (owner and client clock offset), the same on every session store."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from reel.domain.records import Application, RecordingClaim
from reel.storage.session_store import SessionStore
from services import SESSION_BACKENDS, open_session_backend

T0 = 1_764_240_000_000


@pytest.fixture(params=SESSION_BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SessionStore]:
    s = open_session_backend(request, tmp_path)
    for n in (1, 2):
        s.create_application(
            Application(
                id=f"app_{n}", name=f"A{n}", app_key=f"rk-{n}", origins=("https://a.example",), created_at=T0
            )
        )
    yield s
    s.close()


def test_the_first_claim_creates_the_recording_and_later_ones_read_it(store: SessionStore) -> None:
    assert store.claim_recording("app_1", "rec-1", 86_400_000, T0) == RecordingClaim("app_1", 86_400_000)
    assert store.claim_recording("app_1", "rec-1", 0, T0 + 5) == RecordingClaim("app_1", 86_400_000)
    assert store.claim_recording("app_2", "rec-1", -5, T0 + 9) == RecordingClaim("app_1", 86_400_000)
    assert store.recording_app("rec-1") == "app_1"


def test_concurrent_first_claims_agree_on_one_winner(store: SessionStore) -> None:
    results: list[RecordingClaim] = []
    lock = threading.Lock()

    def claim(offset: int) -> None:
        got = store.claim_recording("app_1", "rec-race", offset, T0)
        with lock:
            results.append(got)

    threads = [threading.Thread(target=claim, args=(i * 1000,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(results)) == 1 and len(results) == 8
