"""The S3 replay store when the object store fails: nothing listening, a missing bucket, 5xx and throttling
answers, refused credentials. Every failure is StorageUnavailable (503 upstream), never an empty listing
or a missing blob; transient failures are retried a bounded number of times."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from local_services import free_port
from reel.errors import BlobNotFound, StorageUnavailable
from reel.storage.replay_store import ReplayStore
from reel.storage.s3_blobs import S3ReplayStore
from services import S3Bucket

CREDENTIALS = "region=us-east-1&access_key_id=k&secret_access_key=s"
OPERATIONS: dict[str, Callable[[ReplayStore], object]] = {
    "put": lambda s: s.put("a/1", b"x"),
    "get": lambda s: s.get("a/1"),
    "get_range": lambda s: s.get_range("a/1", 0, 1),
    "delete": lambda s: s.delete("a/1"),
    "keys": lambda s: list(s.keys("a/")),
}


class FailingS3:
    """A real HTTP server speaking just enough S3: answers `status` to the first `failures` requests,
    then accepts PUTs and answers GETs with the last body put."""

    def __init__(self, status: int, code: str, failures: int) -> None:
        self.status, self.code, self.failures = status, code, failures
        self.requests: list[str] = []
        self.body = b""


@contextmanager
def failing_s3(status: int, code: str, failures: int = 10**6) -> Iterator[tuple[FailingS3, str]]:
    state = FailingS3(status, code, failures)

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            state.requests.append(self.command)
            if len(state.requests) <= state.failures:
                error = f"<Error><Code>{state.code}</Code><Message>injected</Message></Error>".encode()
                self.send_response(state.status)
                self.send_header("Content-Length", str(len(error)))
                self.end_headers()
                self.wfile.write(error)
                return
            if self.command == "PUT":
                state.body = body
            out = state.body if self.command == "GET" else b""
            self.send_response(200)
            self.send_header("ETag", '"0"')
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _answer

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        endpoint = f"http://127.0.0.1:{server.server_address[1]}"
        yield state, f"s3://bucket/reel?endpoint={endpoint}&{CREDENTIALS}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("operation", OPERATIONS)
def test_nothing_listening_is_storage_unavailable(operation: str) -> None:
    store = S3ReplayStore.from_url(f"s3://bucket/reel?endpoint=http://127.0.0.1:{free_port()}&{CREDENTIALS}")
    with pytest.raises(StorageUnavailable):
        OPERATIONS[operation](store)


@pytest.mark.parametrize("operation", OPERATIONS)
def test_a_missing_bucket_is_unavailable_not_a_missing_blob(s3_bucket: S3Bucket, operation: str) -> None:
    store = S3ReplayStore.from_url(s3_bucket.url().replace(s3_bucket.name, "no-such-bucket-here"))
    with pytest.raises(StorageUnavailable):
        OPERATIONS[operation](store)


@pytest.mark.parametrize(
    ("status", "code"), [(503, "SlowDown"), (500, "InternalError"), (403, "AccessDenied")]
)
@pytest.mark.parametrize("operation", OPERATIONS)
def test_error_answers_are_storage_unavailable(status: int, code: str, operation: str) -> None:
    with failing_s3(status, code) as (server, url), pytest.raises(StorageUnavailable) as raised:
        OPERATIONS[operation](S3ReplayStore.from_url(url))
    assert not isinstance(raised.value, BlobNotFound)
    # 5xx and throttling are retried three times after the first try; a refusal (403) is not retried.
    assert len(server.requests) == (1 if status == 403 else 4)


def test_throttling_that_passes_is_retried_until_the_write_lands() -> None:
    with failing_s3(503, "SlowDown", failures=2) as (server, url):
        store = S3ReplayStore.from_url(url)
        store.put("a/1", b"payload")
        assert server.requests == ["PUT", "PUT", "PUT"]
        assert store.get("a/1") == b"payload"
