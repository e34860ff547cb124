"""Contract: every replay store backend behaves the same."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reel.errors import BadRequest, BlobNotFound
from reel.storage.factory import open_replay_store
from reel.storage.file_blobs import FileReplayStore
from reel.storage.memory_blobs import MemoryReplayStore
from reel.storage.replay_store import ReplayStore
from reel.storage.s3_blobs import S3ReplayStore
from services import S3Bucket


@pytest.fixture(params=["memory", "file", "s3", "s3-root"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ReplayStore]:
    if request.param == "memory":
        yield MemoryReplayStore()
    elif request.param == "file":
        yield FileReplayStore(tmp_path / "blobs")
    else:
        # Under a key prefix (one bucket shared with other data) and at the root of a bucket.
        bucket: S3Bucket = request.getfixturevalue("s3_bucket")
        yield S3ReplayStore.from_url(bucket.url("reel/blobs" if request.param == "s3" else ""))


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
    assert list(store.keys("r30d//")) == [] and list(store.keys("r30d/app_a/rec-1//")) == []


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


def test_get_range_reads_part_of_a_blob(store: ReplayStore) -> None:
    store.put("seg/1", b"0123456789")
    assert store.get_range("seg/1", 2, 5) == b"234"
    assert store.get_range("seg/1", 0, 10) == b"0123456789"
    assert store.get_range("seg/1", 8, 50) == b"89"  # past the end: what there is
    assert store.get_range("seg/1", 10, 12) == b"" and store.get_range("seg/1", 3, 3) == b""
    with pytest.raises(BlobNotFound):
        store.get_range("seg/missing", 0, 4)
    with pytest.raises(BlobNotFound):
        store.get_range("seg/missing", 0, 0)
    with pytest.raises(BadRequest):
        store.get_range("seg/1", 5, 2)


def test_the_factory_follows_the_url(tmp_path: Path, s3_bucket: S3Bucket) -> None:
    assert isinstance(open_replay_store("memory://"), MemoryReplayStore)
    assert isinstance(open_replay_store(f"file://{tmp_path / 'blobs'}"), FileReplayStore)
    assert isinstance(open_replay_store(s3_bucket.url("reel")), S3ReplayStore)
    with pytest.raises(ValueError):
        open_replay_store("gs://bucket/reel")


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
