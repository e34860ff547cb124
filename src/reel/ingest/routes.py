"""HTTP edge of ingest: `POST /v1/web/beacons` and its CORS preflight."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.types import Receive

from reel.domain.changes import changed
from reel.errors import RateLimited, ReelError, RequestTimeout
from reel.ingest import lookups
from reel.ingest.beacon_request import (
    CLOSING_HEADERS,
    CORS_HEADERS,
    CORS_RAW,
    Answer,
    BeaconRequest,
    error_answer,
)
from reel.ingest.body import read_body
from reel.ingest.origins import check_app, check_origin
from reel.ingest.paths import WEB_BEACONS_PATH
from reel.ingest.raw_beacon import read_web_beacon
from reel.ingest.send_time import attempt_sent_at
from reel.ingest.service import keep_claim, web_write
from reel.jsonio import dumps
from reel.runtime.context import ReelContext, get_context
from reel.runtime.ratelimit import retry_after_seconds
from reel.storage.session_store import BeaconWrite

router = APIRouter()

_PREFLIGHT_HEADERS = {
    **CORS_HEADERS,
    "Access-Control-Allow-Methods": "POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type, Content-Encoding, X-Reel-App-Key",
    "Access-Control-Max-Age": "86400",
}


@router.options(WEB_BEACONS_PATH, include_in_schema=False)
async def preflight() -> Response:
    """Answer CORS preflights (most beacons are simple requests and send none)."""
    return Response(status_code=204, headers=_PREFLIGHT_HEADERS)


@router.post(WEB_BEACONS_PATH, tags=["ingest"], summary="Receive one web beacon")
async def receive_web_beacon(request: Request) -> Response:
    """Decode, check and durably store one beacon (contract: docs/contracts/web-beacon.md).

    Reel's app answers this path before its router (`reel.server.beacon_path`); declared here for the
    API docs and for apps without that shortcut."""
    params = BeaconRequest.of_scope(request.scope)
    return (await answer_web_beacon(get_context(request), params, request.receive)).response()


async def answer_web_beacon(ctx: ReelContext, params: BeaconRequest, receive: Receive) -> Answer:
    """The answer to one web beacon: stored durably, or refused with its reason (never raises a
    ReelError: every refusal is an answer)."""
    try:
        return await _receive(ctx, params, receive)
    except RequestTimeout as exc:
        # A client too slow to send its body loses the connection: that frees the worker for good.
        return error_answer(exc, CLOSING_HEADERS)
    except ReelError as exc:
        return error_answer(exc, CORS_HEADERS)


async def _receive(ctx: ReelContext, params: BeaconRequest, receive: Receive) -> Answer:
    ctx.priority.beacon_arrived()
    limits = ctx.settings.limits
    app_key = params.app_key or ""
    app = check_app(await lookups.application_of_key(ctx, app_key) if app_key else None)
    check_origin(app, params.origin)
    check_quota(ctx, app.id)
    sent: list[bytes] = []
    body = await read_body(receive, params, limits, sent)
    if isinstance(body, Answer):
        return body
    stamped = attempt_sent_at(params.sent_at)
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
    return Answer(200, dumps(answer), CORS_RAW)


INLINE_BODY_BYTES = 64 * 1024
"""Decoded bodies up to this are parsed on the event loop (well under a millisecond)."""


def check_quota(ctx: ReelContext, app_id: str) -> None:
    """429 with Retry-After when the application is over its beacon quota."""
    wait = ctx.limiter.acquire(app_id)
    if wait > 0:
        seconds = retry_after_seconds(wait)
        raise RateLimited(f"too many beacons for this application; retry in {seconds} s", retry_after=seconds)
