"""Logs as text or JSON (REEL_LOG_FORMAT=json: one object per line), with one access line per request.

Every request gets an id: the client's `X-Request-Id` when it is a plain token (a reverse proxy's, so
one id follows the request through both logs), else a new one; the answer echoes it. Its access line
carries it with the method, path (never the query string: it may hold a user id), status, duration and
client address; log lines written while the request runs carry it too. Accepted beacons, nearly every
request of a busy Reel, get no line unless REEL_LOG_BEACONS is on: they are counted in `/metrics`, and
a line each cost about a tenth of a beacon's CPU (docs/scale.md, P3). Refused beacons are logged.
"""

from __future__ import annotations

import contextvars
import logging
import random
import re
import secrets
import sys
import time
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reel.config import LogFormat
from reel.ingest.paths import BEACON_PATHS
from reel.runtime.metrics import BEACONS_ACCEPTED, BEACONS_REFUSED, INGEST_SECONDS, REFUSAL_REASONS

REQUEST_ID_HEADER = "X-Request-Id"
# A proxy's id is reused only when it cannot smuggle anything into a log line or a header.
_CLIENT_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
# Each platform's beacon metrics, looked up once: `labels()` takes a lock and builds a key every call.
_BEACON_METRICS = {
    platform: (INGEST_SECONDS.labels(platform), BEACONS_ACCEPTED.labels(platform))
    for platform in BEACON_PATHS.values()
}

access_log = logging.getLogger("reel.access")
request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("reel_request_id", default=None)

# The attributes every LogRecord has; anything else was passed in `extra` and goes into the JSON line.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName"}
_STANDARD.add("color_message")  # uvicorn's copy of the message with terminal colours


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, request id and any `extra` fields."""

    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or request_id_var.get()
        if request_id is not None:
            doc["request_id"] = request_id
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in doc:
                doc[key] = value
        if record.exc_info:
            doc["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(doc, default=str).decode()


def configure_logging(log_format: LogFormat) -> None:
    """Send Reel's and uvicorn's log records to stderr, as JSON lines when `log_format` is json."""
    handler = logging.StreamHandler(sys.stderr)
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(levelname)s:     %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(logging.INFO)
    # uvicorn's own handlers would print a second, plain line for each record.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True


def request_id_of(scope: Scope) -> str:
    """The request's id: a plain one the client sent, or a new one."""
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            sent = bytes(value).decode("latin-1")
            if _CLIENT_ID.fullmatch(sent):
                return sent
            break
    return f"{_IDS.getrandbits(64):016x}"


# New ids are 64 random bits, as token_hex(8) made them, from a generator seeded once per process by the
# system: no call for random bytes on every request. They tell nothing (a count would tell how many
# requests a process served), and are no secret.
_IDS = random.Random(secrets.randbits(128))


class RequestLog:
    """ASGI middleware: request ids, beacon metrics, and an access line per request (accepted beacons
    only with `log_beacons`)."""

    def __init__(self, app: ASGIApp, *, log_beacons: bool = False) -> None:
        self.app = app
        self.log_beacons = log_beacons

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        record = RequestRecord(scope, self.log_beacons)
        scope.setdefault("state", {})["request_id"] = record.request_id
        request_id = record.request_id.encode()

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                record.status = int(message["status"])
                headers = [h for h in message.get("headers", []) if h[0].lower() != b"x-request-id"]
                message["headers"] = [*headers, (b"x-request-id", request_id)]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            record.finish()


class RequestRecord:
    """One request's id (the context's while it runs), start time and status, and at its end its
    metrics and access line: what RequestLog and the beacon endpoint both keep."""

    __slots__ = ("_token", "log_beacons", "request_id", "scope", "started", "status")

    def __init__(self, scope: Scope, log_beacons: bool) -> None:
        self.scope = scope
        self.log_beacons = log_beacons
        self.request_id = request_id_of(scope)
        self._token = request_id_var.set(self.request_id)
        self.started = time.perf_counter()
        self.status = 500  # what the client gets if the app fails before answering

    def finish(self) -> None:
        """Count a beacon's answer in the metrics, write the request's access line unless it is an
        accepted beacon (and `log_beacons` is off), and give the context its previous request id back."""
        elapsed = time.perf_counter() - self.started
        scope, status = self.scope, self.status
        platform = BEACON_PATHS.get(scope.get("path", "")) if scope.get("method") == "POST" else None
        accepted = 200 <= status < 300
        if platform is not None:
            _count(platform, accepted, status, elapsed)
        if platform is None or not accepted or self.log_beacons:
            _access_line(scope, status, elapsed, self.request_id)
        request_id_var.reset(self._token)


def _access_line(scope: Scope, status: int, elapsed: float, request_id: str) -> None:
    client = scope.get("client")
    access_log.info(
        "%s - %s %s %d (%.1f ms) [%s]",
        client[0] if client else "-",
        scope.get("method", ""),
        scope.get("path", ""),
        status,
        elapsed * 1000,
        request_id,
        extra={
            "request_id": request_id,
            "method": scope.get("method", ""),
            "path": scope.get("path", ""),
            "status": status,
            "duration_ms": round(elapsed * 1000, 3),
            "client": client[0] if client else None,
        },
    )


def _count(platform: str, accepted: bool, status: int, elapsed: float) -> None:
    """Counts a beacon's answer in the metrics of its platform."""
    seconds, accepted_total = _BEACON_METRICS[platform]
    seconds.observe(elapsed)
    if accepted:
        accepted_total.inc()
    else:
        BEACONS_REFUSED.labels(platform, REFUSAL_REASONS.get(status, f"http_{status}")).inc()
