"""HTTP edge of ingest: `POST /v1/web/beacons` and its CORS preflight."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.types import Receive

from reel.config import Limits
from reel.domain.changes import changed
from reel.domain.records import Application
from reel.errors import BadRequest, PayloadTooLarge, RateLimited, ReelError, RequestTimeout
from reel.ingest import lookups
from reel.ingest.beacon_request import Answer, BeaconRequest, RawHeaders
from reel.ingest.decode import CappedDecoder
from reel.ingest.origins import check_app, check_origin
from reel.ingest.paths import WEB_BEACONS_PATH
from reel.ingest.raw_beacon import read_web_beacon
from reel.ingest.send_time import attempt_sent_at
from reel.ingest.service import keep_claim, web_write
from reel.jsonio import dumps
from reel.runtime.context import ReelContext, get_context
from reel.runtime.metrics import count_store_error
from reel.runtime.ratelimit import retry_after_seconds
from reel.storage.session_store import BeaconWrite

router = APIRouter()

# Beacons are not credentialed (the recorder sends credentials: 'omit'), so any page may read our answer;
# the recorder needs the status code to decide whether to retry.
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "Retry-After",
}
_PREFLIGHT_HEADERS = {
    **CORS_HEADERS,
    "Access-Control-Allow-Methods": "POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type, Content-Encoding, X-Reel-App-Key",
    "Access-Control-Max-Age": "86400",
}
# After a 413 we read and drop at most this much more of the body, so the client sees our answer
# instead of a connection reset; beyond it the connection is closed.
_DRAIN_LIMIT = 32 * 1024 * 1024
# Answers after which the connection cannot be reused: the rest of the body will not be read.
_CLOSING_HEADERS = {**CORS_HEADERS, "Connection": "close"}


def _raw_headers(headers: Mapping[str, str]) -> RawHeaders:
    return tuple((name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items())


_CORS_RAW = _raw_headers(CORS_HEADERS)


@router.options(WEB_BEACONS_PATH, include_in_schema=False)
async def preflight() -> Response:
    """Answer CORS preflights (most beacons are simple requests and send none)."""
    return Response(status_code=204, headers=_PREFLIGHT_HEADERS)


@router.post(WEB_BEACONS_PATH, tags=["ingest"], summary="Receive one web beacon")
async def receive_web_beacon(request: Request) -> Response:
    """Decode, check and durably store one beacon (contract: docs/contracts/web-beacon.md).

    Reel's app answers this path before its router (`reel.server.beacon_path`); declared here for the
    API docs and for apps without that shortcut."""
    head = BeaconRequest.of_scope(request.scope)
    return (await answer_web_beacon(get_context(request), head, request.receive)).response()


async def answer_web_beacon(ctx: ReelContext, request: BeaconRequest, receive: Receive) -> Answer:
    """The answer to one web beacon: stored durably, or refused with its reason (never raises a
    ReelError: every refusal is an answer)."""
    try:
        return await _receive(ctx, request, receive)
    except RequestTimeout as exc:
        # A client too slow to send its body loses the connection: that frees the worker for good.
        return error_answer(exc, _CLOSING_HEADERS)
    except ReelError as exc:
        return error_answer(exc, CORS_HEADERS)


def error_answer(exc: ReelError, headers: Mapping[str, str]) -> Answer:
    """The JSON error answer for `exc` with `headers`, and Retry-After where the error has one."""
    count_store_error("http", exc)
    raw = _raw_headers(headers)
    retry_after = getattr(exc, "retry_after", None)
    if retry_after is not None:
        raw = (*raw, (b"retry-after", str(retry_after).encode()))
    return Answer(exc.status, dumps(exc.to_json()), raw)


async def _receive(ctx: ReelContext, request: BeaconRequest, receive: Receive) -> Answer:
    ctx.priority.beacon_arrived()
    limits = ctx.settings.limits
    app_key = request.app_key or ""
    app = check_app(await _application(ctx, app_key) if app_key else None)
    check_origin(app, request.origin)
    check_quota(ctx, app.id)
    sent: list[bytes] = []
    body = await read_body(receive, request, limits, sent)
    if isinstance(body, Answer):
        return body
    stamped = attempt_sent_at(request.sent_at)
    # A gzip body is stored as it came (reel/ingest/raw_beacon.py): kept, not compressed again.
    gzip_body = b"".join(sent) if sent else None

    def prepare() -> BeaconWrite:
        beacon = read_web_beacon(body, max_events=limits.max_events_per_beacon, gzip_body=gzip_body)
        if stamped is not None:  # this attempt's time, not when the (maybe long-queued) body was cut
            beacon = changed(beacon, sent_at=stamped)
        return web_write(ctx, app, beacon)

    # A typical beacon is decoded on the event loop (a thread hop costs more than the work); a large one
    # goes to a worker thread. Neither visits the database: a new recording is claimed by the group commit.
    write = prepare() if len(body) <= INLINE_BODY_BYTES else await run_in_threadpool(prepare)
    # The answer waits for the beacon's group commit without holding a thread.
    outcome = await ctx.committer.wait(write)
    if isinstance(outcome, ReelError):
        raise outcome
    keep_claim(ctx, write, outcome)
    answer = {"ok": True, "seq": write.beacon.seq, "duplicate": outcome.duplicate}
    return Answer(200, dumps(answer), _CORS_RAW)


INLINE_BODY_BYTES = 64 * 1024
"""Decoded bodies up to this are parsed on the event loop (well under a millisecond)."""


async def _application(ctx: ReelContext, app_key: str) -> Application | None:
    kept = lookups.kept_application(ctx, app_key)
    if kept is not None:
        return kept[0]
    return await run_in_threadpool(lookups.read_application, ctx, app_key)


def check_quota(ctx: ReelContext, app_id: str) -> None:
    """429 with Retry-After when the application is over its beacon quota."""
    wait = ctx.limiter.acquire(app_id)
    if wait > 0:
        seconds = retry_after_seconds(wait)
        raise RateLimited(f"too many beacons for this application; retry in {seconds} s", retry_after=seconds)


async def read_body(
    receive: Receive, request: BeaconRequest, limits: Limits, gzip_sent: list[bytes] | None = None
) -> bytes | Answer:
    """The decoded body within the caps and timeouts, or the 413 answer that refuses it; `gzip_sent`
    receives the chunks of a gzip body as they came."""
    chunks = _timed_chunks(receive, limits)
    declared = request.content_length
    if declared is not None and declared.isdigit() and int(declared) > limits.max_body_bytes:
        too_large = PayloadTooLarge(f"body exceeds {limits.max_body_bytes} bytes")
        if (request.expect or "").lower() == "100-continue":
            # The client waits for our go-ahead before sending the body: refuse it unsent.
            return error_answer(too_large, _CLOSING_HEADERS)
        return await _refuse_and_drain(too_large, chunks)
    decoder = CappedDecoder(request.encoding or "identity", max_out=limits.max_decompressed_bytes)
    kept = gzip_sent if decoder.encoding == "gzip" else None
    received = 0
    try:
        async for chunk in chunks:
            received += len(chunk)
            if received > limits.max_body_bytes:
                raise PayloadTooLarge(f"body exceeds {limits.max_body_bytes} bytes")
            decoder.feed(chunk)
            if kept is not None:
                kept.append(chunk)
    except PayloadTooLarge as exc:
        return await _refuse_and_drain(exc, chunks)
    return decoder.finish()


async def _timed_chunks(receive: Receive, limits: Limits) -> AsyncIterator[bytes]:
    """The body's chunks; RequestTimeout if the next one takes longer than the idle timeout or the whole
    body longer than the total timeout (a client trickling bytes would otherwise hold us forever).

    Read from the ASGI messages themselves: a body that came in one message (a beacon, nearly always)
    costs one timer, where Starlette's stream took one for each of its three steps."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limits.body_total_timeout_s
    while True:
        now = loop.time()
        total_left = deadline - now
        try:
            async with asyncio.timeout(min(limits.body_idle_timeout_s, total_left)):
                message = await receive()
        except TimeoutError:
            if loop.time() >= deadline:
                raise RequestTimeout(
                    f"the body took longer than {limits.body_total_timeout_s:g} s to arrive"
                ) from None
            raise RequestTimeout(
                f"no part of the body arrived for {limits.body_idle_timeout_s:g} s"
            ) from None
        if message["type"] == "http.disconnect":
            raise BadRequest("the client went away before sending the whole body")
        chunk: bytes = message.get("body", b"")
        if chunk:
            yield chunk
        if not message.get("more_body", False):
            return


async def _refuse_and_drain(exc: PayloadTooLarge, chunks: AsyncIterator[bytes]) -> Answer:
    """The 413 answer, after reading what is left of the body so the client is not reset."""
    drained = await _drain(chunks)
    return error_answer(exc, CORS_HEADERS if drained else _CLOSING_HEADERS)


async def _drain(chunks: AsyncIterator[bytes]) -> bool:
    """Read and discard what is left of the body, up to a bound; False if it could not all be read."""
    seen = 0
    try:
        async for chunk in chunks:
            seen += len(chunk)
            if seen > _DRAIN_LIMIT:
                return False
    except (RequestTimeout, BadRequest):
        return False  # too slow, or gone: the body was refused already, a closed connection ends it
    return True
