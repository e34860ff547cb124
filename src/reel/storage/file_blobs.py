"""Replay store on the local file system: atomic writes (temp file, fsync, rename, fsync of the folder)."""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

from reel.errors import BadRequest, BlobNotFound, StorageUnavailable
from reel.storage.keys import is_blob_key

_TMP_SUFFIX = ".tmp"


class FileReplayStore:
    """Blobs as files under `root`; a key's `/` separated segments are folders."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        if not is_blob_key(key) or key.endswith(_TMP_SUFFIX):
            raise BadRequest("invalid blob key")
        return self.root / key

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}{_TMP_SUFFIX}")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
            try:
                view = memoryview(data)
                while view:
                    written = os.write(fd, view)
                    view = view[written:]
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, path)
            fsync_path(path.parent)  # the rename is durable
        except OSError as exc:
            _unlink_quietly(tmp)
            retry = 30 if exc.errno in (errno.ENOSPC, errno.EDQUOT) else 5
            raise StorageUnavailable(f"replay store write failed: {exc.strerror}", retry_after=retry) from exc

    def get(self, key: str) -> bytes:
        path = self._path(key)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            raise BlobNotFound(f"no blob {key!r}") from None
        except OSError as exc:
            raise StorageUnavailable(f"replay store read failed: {exc.strerror}") from exc

    def get_range(self, key: str, start: int, end: int) -> bytes:
        if start < 0 or end < start:
            raise BadRequest("invalid byte range")
        path = self._path(key)
        try:
            with path.open("rb") as f:
                f.seek(start)
                return f.read(end - start)
        except FileNotFoundError:
            raise BlobNotFound(f"no blob {key!r}") from None
        except OSError as exc:
            raise StorageUnavailable(f"replay store read failed: {exc.strerror}") from exc

    def delete(self, key: str) -> None:
        path = self._path(key)
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            raise StorageUnavailable(f"replay store delete failed: {exc.strerror}") from exc
        self._prune(path.parent)

    def _prune(self, folder: Path) -> None:
        """Remove folders left empty (a purged recording's), up to the root; best effort."""
        while folder != self.root and self.root in folder.parents:
            try:
                folder.rmdir()
            except OSError:
                return  # not empty (the usual case), or already gone: either way, nothing more to do
            folder = folder.parent

    def keys(self, prefix: str = "") -> Iterator[str]:
        # Walk only the folder the prefix names: the purge lists one recording's prefix at a time.
        folder = prefix.rpartition("/")[0]
        if folder and not is_blob_key(folder):
            return iter(())  # no stored key can start with it
        found: list[str] = []
        for dirpath, _dirs, files in os.walk(self.root / folder):
            for name in files:
                if name.startswith(".") and name.endswith(_TMP_SUFFIX):
                    continue  # a write in progress or one cut off by a crash: never visible
                key = os.path.relpath(os.path.join(dirpath, name), self.root).replace(os.sep, "/")
                if key.startswith(prefix):
                    found.append(key)
        return iter(sorted(found))


def fsync_path(path: Path) -> None:
    """fsync a file (its bytes are on disk) or a folder (a rename in it is durable)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _unlink_quietly(path: Path) -> None:
    # The original error is the one worth raising; a stray temp file is never read.
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)
