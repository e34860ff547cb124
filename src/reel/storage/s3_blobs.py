"""Replay store on any S3-compatible object store (AWS S3, MinIO, Ceph RGW, Cloudflare R2), via obstore.

Configured by a URL: `s3://BUCKET/PREFIX?endpoint=URL&region=REGION` (docs/storage.md; obstore rather
than boto3 by measurement: docs/scale.md, "Object store client"). A PUT is one request, so a blob is
atomic (readers see all of it or nothing) and durable once the store answers.
Failures (network, 5xx, throttling) are retried a few times with backoff by obstore, then raised as
StorageUnavailable; nothing is ever answered as empty or missing because the store failed.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import parse_qsl, urlsplit

import obstore
from obstore.exceptions import BaseError as ObjectStoreError
from obstore.store import S3Store

from reel.errors import BadRequest, BlobNotFound, StorageUnavailable
from reel.storage.keys import is_blob_key

if TYPE_CHECKING:
    from obstore.store import ClientConfig, RetryConfig, S3Config

T = TypeVar("T")

_PARAMS = frozenset(
    ("endpoint", "region", "access_key_id", "secret_access_key", "session_token", "virtual_hosted_style")
)
_LIST_PAGE = 1000  # S3's own page size: one request per thousand keys
# Bounded: a beacon waits for its blob, so the store gets about 3 s (4 attempts) before Reel answers 503.
_RETRY: RetryConfig = {
    "max_retries": 3,
    "retry_timeout": timedelta(seconds=10),
    "backoff": {"init_backoff": timedelta(milliseconds=100), "max_backoff": timedelta(seconds=2), "base": 2},
}
_LAST_KEY_CHAR = "~"
"""Sorts after every character a key may hold (`is_blob_key`); used to start a listing just before a
prefix."""


@dataclass(frozen=True)
class S3Location:
    """What an `s3://` URL names: a bucket, a key prefix inside it, and how to reach and sign for it."""

    bucket: str
    prefix: str = ""
    endpoint: str | None = None
    region: str | None = None
    access_key_id: str | None = None
    secret_access_key: str | None = None
    session_token: str | None = None
    virtual_hosted_style: bool = False

    def __repr__(self) -> str:
        # Never print a secret: the URL may carry credentials.
        return f"S3Location(bucket={self.bucket!r}, prefix={self.prefix!r}, endpoint={self.endpoint!r})"


def parse_s3_url(url: str) -> S3Location:
    """Read `s3://bucket/prefix?endpoint=…&region=…[&access_key_id=…&secret_access_key=…]`."""
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise ValueError("an S3 replay store URL looks like s3://BUCKET/PREFIX?endpoint=URL&region=REGION")
    params = dict(parse_qsl(parts.query, keep_blank_values=True))
    unknown = sorted(set(params) - _PARAMS)
    if unknown:
        raise ValueError(f"unknown S3 URL parameter(s): {', '.join(unknown)}")
    prefix = parts.path.strip("/")
    if prefix and not is_blob_key(prefix):
        raise ValueError("the S3 key prefix may hold only A-Za-z0-9_.- segments separated by /")
    return S3Location(
        bucket=parts.netloc,
        prefix=prefix,
        endpoint=params.get("endpoint") or None,
        region=params.get("region") or None,
        access_key_id=params.get("access_key_id") or None,
        secret_access_key=params.get("secret_access_key") or None,
        session_token=params.get("session_token") or None,
        virtual_hosted_style=params.get("virtual_hosted_style", "").lower() in ("1", "true", "yes"),
    )


class S3ReplayStore:
    """Blobs as objects under `prefix/` of one bucket; keys list in S3's (lexical) order."""

    def __init__(self, location: S3Location) -> None:
        self.location = location
        # Unset values come from the standard AWS_* environment variables (and AWS's own credential
        # sources: web identity, container and instance metadata), as obstore reads them.
        config: S3Config = {}
        if location.endpoint is not None:
            config["endpoint"] = location.endpoint
        if location.region is not None:
            config["region"] = location.region
        if location.access_key_id is not None:
            config["access_key_id"] = location.access_key_id
        if location.secret_access_key is not None:
            config["secret_access_key"] = location.secret_access_key
        if location.session_token is not None:
            config["session_token"] = location.session_token
        if location.virtual_hosted_style:
            config["virtual_hosted_style_request"] = True
        client: ClientConfig = {"connect_timeout": timedelta(seconds=5), "timeout": timedelta(seconds=60)}
        endpoint = location.endpoint or os.environ.get("AWS_ENDPOINT_URL") or os.environ.get("AWS_ENDPOINT")
        if endpoint is not None and endpoint.startswith("http://"):
            client["allow_http"] = True  # an explicit http:// endpoint (MinIO on a private network)
        try:
            self._store = S3Store(
                location.bucket,
                prefix=location.prefix or None,
                config=config,
                client_options=client,
                retry_config=_RETRY,
            )
        except (ObjectStoreError, ValueError) as exc:
            raise ValueError(f"bad S3 replay store settings: {exc}") from exc

    @classmethod
    def from_url(cls, url: str) -> S3ReplayStore:
        """A store for an `s3://` URL."""
        return cls(parse_s3_url(url))

    def _call(self, what: str, key: str, fn: Callable[[], T]) -> T:
        try:
            return fn()
        except FileNotFoundError as exc:
            # A 404 names a missing blob only on reads of one key, and only if the bucket is there.
            if what == "read" and "NoSuchBucket" not in str(exc):
                raise BlobNotFound(f"no blob {key!r}") from None
            raise StorageUnavailable(f"replay store {what} failed: {_first_line(exc)}") from exc
        except (ObjectStoreError, OSError) as exc:
            # obstore has already retried what may succeed on retry; what is left is the store's failure.
            # (Its ValueError, for a path or range it cannot send, is a bug here: keys and ranges are
            # checked first, so it is left to surface as one.)
            raise StorageUnavailable(f"replay store {what} failed: {_first_line(exc)}") from exc

    @staticmethod
    def _check(key: str) -> str:
        if not is_blob_key(key):
            raise BadRequest("invalid blob key")
        return key

    def put(self, key: str, data: bytes) -> None:
        # One PUT whatever the size (S3 takes up to 5 GiB so): atomic, and retried whole by obstore.
        self._check(key)
        self._call("write", key, lambda: obstore.put(self._store, key, data, use_multipart=False))

    def get(self, key: str) -> bytes:
        return self._call("read", self._check(key), lambda: obstore.get(self._store, key).bytes().to_bytes())

    def get_range(self, key: str, start: int, end: int) -> bytes:
        """Bytes `start` to `end` (exclusive) of a blob, fewer where the blob is shorter."""
        if start < 0 or end < start:
            raise BadRequest("invalid byte range")
        self._check(key)
        # S3 has no empty range: ask for one byte (which also says whether the blob exists).
        stop = max(end, start + 1)
        try:
            found = self._call(
                "read", key, lambda: obstore.get_range(self._store, key, start=start, end=stop).to_bytes()
            )
        except StorageUnavailable as exc:
            if not _range_refused(exc.__cause__):
                raise
            # S3 refuses a range that starts past the end (416): a short blob, not a failed store.
            size = self._call("read", key, lambda: obstore.head(self._store, key))["size"]
            if start >= size:
                return b""
            raise
        return found[: end - start]

    def delete(self, key: str) -> None:
        # S3 answers a DELETE of an absent key with success: deleting twice is not an error.
        self._call("delete", self._check(key), lambda: obstore.delete(self._store, key))

    def keys(self, prefix: str = "") -> Iterator[str]:
        # S3 lists by raw prefix, obstore by whole path segments: list the prefix's folder, starting just
        # before the prefix, and stop at the first key past it (S3 lists in lexical order).
        folder = prefix.rpartition("/")[0]
        if prefix and not is_blob_key(prefix.removesuffix("/")):
            return iter(())  # no stored key can start with it
        offset = prefix[:-1] + chr(ord(prefix[-1]) - 1) + _LAST_KEY_CHAR if prefix else None
        return self._list(folder or None, offset, prefix)

    def _list(self, folder: str | None, offset: str | None, prefix: str) -> Iterator[str]:
        stream = self._call(
            "list", prefix, lambda: obstore.list(self._store, folder, offset=offset, chunk_size=_LIST_PAGE)
        )
        pages = iter(stream)
        while True:
            page = self._call("list", prefix, lambda: next(pages, None))
            if page is None:
                return
            for meta in page:
                path = meta["path"]
                if path.startswith(prefix):
                    yield path
                elif path > prefix:
                    return


def _range_refused(exc: BaseException | None) -> bool:
    """Whether obstore's error is S3's 416 (obstore has no status attribute; its message names it)."""
    text = str(exc)
    return "416" in text and ("Range Not Satisfiable" in text or "InvalidRange" in text)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:300] if text else type(exc).__name__
