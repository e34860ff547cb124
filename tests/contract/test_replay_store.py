"""Contract: every replay store backend behaves the same."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reel.errors import BadRequest, BlobNotFound
from reel.storage.file_blobs import FileReplayStore
from reel.storage.memory_blobs import MemoryReplayStore
from reel.storage.replay_store import ReplayStore


@pytest.fixture(params=["memory", "file"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ReplayStore]:
    if request.param == "memory":
        yield MemoryReplayStore()
    else:
        yield FileReplayStore(tmp_path / "blobs")


def test_put_then_get_returns_the_same_bytes(store: ReplayStore) -> None:
    store.put("r30d/app_a/rec-1/0000000000-abc", b"\x00\x01payload")
    assert store.get("r30d/app_a/rec-1/0000000000-abc") == b"\x00\x01payload"


def test_missing_key_raises_blob_not_found(store: ReplayStore) -> None:
    with pytest.raises(BlobNotFound):
        store.get("r30d/app_a/rec-1/missing")


def test_put_overwrites_atomically(store: ReplayStore) -> None:
    store.put("k/one", b"first")
    store.put("k/one", b"second")
    assert store.get("k/one") == b"second"


def test_keys_lists_by_prefix_in_order(store: ReplayStore) -> None:
    for key in ["b/2", "a/1", "a/3", "a/2", "c"]:
        store.put(key, key.encode())
    assert list(store.keys("a/")) == ["a/1", "a/2", "a/3"]
    assert list(store.keys()) == ["a/1", "a/2", "a/3", "b/2", "c"]


def test_keys_by_a_deep_or_partial_prefix(store: ReplayStore) -> None:
    for key in ["r30d/app_a/rec-1/0", "r30d/app_a/rec-1/cp-1", "r30d/app_a/rec-10/0", "r90d/app_a/rec-1/0"]:
        store.put(key, b"x")
    assert list(store.keys("r30d/app_a/rec-1/")) == ["r30d/app_a/rec-1/0", "r30d/app_a/rec-1/cp-1"]
    assert list(store.keys("r30d/app_a/rec-1")) == [
        "r30d/app_a/rec-1/0",
        "r30d/app_a/rec-1/cp-1",
        "r30d/app_a/rec-10/0",
    ]
    assert list(store.keys("r30d/app_a/rec-1/c")) == ["r30d/app_a/rec-1/cp-1"]
    assert list(store.keys("r30d/nothing/")) == [] and list(store.keys("../")) == []


def test_delete_is_idempotent(store: ReplayStore) -> None:
    store.put("x/y", b"1")
    store.delete("x/y")
    store.delete("x/y")
    with pytest.raises(BlobNotFound):
        store.get("x/y")
    assert list(store.keys("x/")) == []


def test_empty_blob_is_a_blob(store: ReplayStore) -> None:
    store.put("e/mpty", b"")
    assert store.get("e/mpty") == b""


@pytest.mark.parametrize("key", ["../escape", "a/../../b", "/abs", "a//b", "a/b/", "a\\b"])
def test_file_store_refuses_keys_that_could_escape(tmp_path: Path, key: str) -> None:
    store = FileReplayStore(tmp_path / "blobs")
    with pytest.raises(BadRequest):
        store.put(key, b"x")
    assert not (tmp_path / "escape").exists()


def test_file_store_never_lists_a_half_written_blob(tmp_path: Path) -> None:
    store = FileReplayStore(tmp_path / "blobs")
    store.put("a/done", b"ok")
    # What a crash in the middle of put leaves behind: a hidden temp file beside the real ones.
    (tmp_path / "blobs" / "a" / ".cut.1234abcd.tmp").write_bytes(b"half")
    assert list(store.keys()) == ["a/done"]


def test_deleting_the_last_blob_of_a_folder_removes_the_folder(tmp_path: Path) -> None:
    store = FileReplayStore(tmp_path / "blobs")
    store.put("r30d/app_a/rec-1/0", b"x")
    store.put("r30d/app_a/rec-1/1", b"x")
    store.put("r30d/app_a/rec-2/0", b"x")
    store.delete("r30d/app_a/rec-1/0")
    assert (tmp_path / "blobs" / "r30d" / "app_a" / "rec-1").is_dir()
    store.delete("r30d/app_a/rec-1/1")
    assert not (tmp_path / "blobs" / "r30d" / "app_a" / "rec-1").exists()
    assert (tmp_path / "blobs" / "r30d" / "app_a" / "rec-2").is_dir()
    store.delete("r30d/app_a/rec-2/0")
    assert list((tmp_path / "blobs").iterdir()) == []
    store.put("r30d/app_a/rec-2/0", b"again")
    assert store.get("r30d/app_a/rec-2/0") == b"again"
