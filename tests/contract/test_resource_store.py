"""Contract: every resource store backend behaves the same."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reel.storage.factory import open_resource_store
from reel.storage.keys import resource_blob_key
from reel.storage.memory_resources import MemoryResourceStore
from reel.storage.resource_store import (
    UNREFERENCED_GRACE_MS,
    CaptureRow,
    ResourceMeta,
    ResourceSettings,
    ResourceStore,
)

T0 = 1_764_240_000_000
CSS = "https://cdn.example/site.css"
FONT = "https://cdn.example/font.woff2"
LOGO = "https://a.example/logo.svg"
D1, D2, D3 = "a" * 64, "b" * 64, "c" * 64


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ResourceStore]:
    s: ResourceStore
    if request.param == "memory":
        s = MemoryResourceStore()
    elif request.param == "sqlite":
        s = open_resource_store(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    else:
        s = open_resource_store(request.getfixturevalue("pg_url"))
    yield s
    s.close()


def meta(digest: str, content_type: str = "text/css") -> ResourceMeta:
    return ResourceMeta(digest, content_type, 10, T0)


def test_settings_round_trip(store: ResourceStore) -> None:
    assert store.settings("app_1") is None
    s = ResourceSettings("app_1", ("https://cdn.example",), True, T0)
    store.save_settings(s)
    assert store.settings("app_1") == s
    store.save_settings(ResourceSettings("app_1", (), False, T0 + 1))
    assert store.settings("app_1") == ResourceSettings("app_1", (), False, T0 + 1)


def test_enqueue_adds_each_url_of_a_recording_once(store: ResourceStore) -> None:
    assert store.enqueue("app_1", "rec-1", [CSS, LOGO, CSS], T0) == 2
    assert store.enqueue("app_1", "rec-1", [CSS], T0 + 1) == 0
    assert store.enqueue("app_1", "rec-2", [CSS], T0 + 2) == 1
    assert [(r.url, r.status) for r in store.rows("rec-1")] == [(LOGO, "pending"), (CSS, "pending")]


def test_claim_leases_rows_until_the_lease_runs_out(store: ResourceStore) -> None:
    store.enqueue("app_1", "rec-1", [CSS, LOGO], T0)
    first = store.claim(10, T0 + 1, lease_ms=1000)
    assert sorted(p.url for p in first) == sorted([CSS, LOGO])
    assert store.claim(10, T0 + 2, lease_ms=1000) == []
    again = store.claim(1, T0 + 2000, lease_ms=1000)
    assert len(again) == 1 and again[0].recording_id == "rec-1"


def test_finish_records_outcomes_and_captured_maps_urls(store: ResourceStore) -> None:
    store.enqueue("app_1", "rec-1", [CSS, LOGO], T0)
    store.save_resource(meta(D1), [(FONT, D2)], T0 + 5)
    store.save_resource(meta(D2, "font/woff2"), [], T0 + 5)
    store.finish(
        "app_1",
        "rec-1",
        [
            CaptureRow(CSS, "captured", D1),
            CaptureRow(FONT, "captured", D2),
            CaptureRow(LOGO, "refused", None, "origin not allowed"),
        ],
        T0 + 6,
    )
    assert store.captured("rec-1") == {CSS: D1, FONT: D2}
    rows = {r.url: r for r in store.rows("rec-1")}
    assert rows[LOGO].status == "refused" and rows[LOGO].reason == "origin not allowed"
    assert rows[CSS].captured_at == T0 + 6 and rows[CSS].discovered_at == T0
    assert rows[FONT].discovered_at == T0 + 6  # found inside the style sheet
    assert store.claim(10, T0 + 10_000, lease_ms=1) == []
    assert store.resource(D2) == meta(D2, "font/woff2")
    assert store.links(D1) == [(FONT, D2)]


def test_a_capture_is_not_undone_by_a_later_failure(store: ResourceStore) -> None:
    store.enqueue("app_1", "rec-1", [CSS], T0)
    store.save_resource(meta(D1), [], T0)
    store.finish("app_1", "rec-1", [CaptureRow(CSS, "captured", D1)], T0 + 1)
    store.finish("app_1", "rec-1", [CaptureRow(CSS, "failed", None, "timeout")], T0 + 2)
    assert store.captured("rec-1") == {CSS: D1}


def test_a_pending_outcome_counts_an_attempt_and_waits_for_the_lease(store: ResourceStore) -> None:
    store.enqueue("app_1", "rec-1", [CSS], T0)
    (claimed,) = store.claim(10, T0, lease_ms=1000)
    assert claimed.attempts == 0
    store.finish("app_1", "rec-1", [CaptureRow(CSS, "pending", None, "HTTP 503")], T0 + 1)
    assert store.claim(10, T0 + 2, lease_ms=1000) == []
    (again,) = store.claim(10, T0 + 5000, lease_ms=1000)
    assert again.attempts == 1


def test_recent_capture_finds_the_newest_capture_of_the_app_since(store: ResourceStore) -> None:
    store.save_resource(meta(D1), [], T0)
    store.save_resource(meta(D2), [], T0)
    store.finish("app_1", "rec-1", [CaptureRow(CSS, "captured", D1)], T0)
    store.finish("app_1", "rec-2", [CaptureRow(CSS, "captured", D2)], T0 + 100)
    assert store.recent_capture("app_1", CSS, T0 - 1) == D2
    assert store.recent_capture("app_1", CSS, T0 + 101) is None
    assert store.recent_capture("app_2", CSS, T0 - 1) is None


def test_visibility_goes_through_the_recordings_of_an_application(store: ResourceStore) -> None:
    store.save_resource(meta(D1), [], T0)
    store.finish("app_1", "rec-1", [CaptureRow(CSS, "captured", D1)], T0)
    assert store.visible(D1, None)
    assert store.visible(D1, ("app_1", "app_9"))
    assert not store.visible(D1, ("app_2",))
    assert not store.visible(D1, ())
    assert not store.visible(D2, None)


def test_release_and_unreferenced_with_a_grace_period(store: ResourceStore) -> None:
    store.save_resource(meta(D1), [], T0)
    store.save_resource(meta(D2), [], T0)
    store.save_resource(meta(D3), [], T0)
    store.finish("app_1", "rec-1", [CaptureRow(CSS, "captured", D1)], T0)
    store.finish("app_1", "rec-2", [CaptureRow(CSS, "captured", D2)], T0)
    later = T0 + UNREFERENCED_GRACE_MS + 1
    assert store.unreferenced(later, 10) == [resource_blob_key(D3)]
    assert store.unreferenced(T0 + 1, 10) == []  # within the grace period
    store.release("rec-1")
    assert store.rows("rec-1") == []
    assert store.unreferenced(later, 10) == [resource_blob_key(D1), resource_blob_key(D3)]
    store.forget(resource_blob_key(D1))
    assert store.resource(D1) is None
    store.forget(resource_blob_key(D2))  # still referenced by rec-2: kept
    assert store.resource(D2) is not None
    store.forget("r30d/not-a-resource")  # other keys are none of its business


def test_saving_a_digest_again_marks_it_used(store: ResourceStore) -> None:
    store.save_resource(meta(D1), [], T0)
    later = T0 + UNREFERENCED_GRACE_MS + 1
    store.save_resource(meta(D1), [], later)
    assert store.unreferenced(later + 1, 10) == []
