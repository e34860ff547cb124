"""HTTP edge of mobile ingest: `POST /v1/mobile/beacons` (contract: docs/contracts/mobile-beacon.md).

Apps send no Origin, so the app key is checked with the application's `mobile` flag instead: only
applications created for mobile (`reel apps create NAME --mobile`) accept these beacons. A request that
does carry an Origin comes from a web page, which has no business here, and is refused. Body reading
(caps, streaming decode, slow-client timeouts, 413 without a reset) is the web route's.
"""

from __future__ import annotations

import dataclasses
import logging

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from reel.domain.records import Application
from reel.errors import (
    Forbidden,
    ReelError,
    RequestTimeout,
    UnsupportedMediaType,
)
from reel.ingest import lookups
from reel.ingest.beacon_request import Answer, BeaconRequest
from reel.ingest.body import read_body
from reel.ingest.mobile_envelope import parse_mobile_beacon
from reel.ingest.mobile_service import accept_mobile_beacon
from reel.ingest.origins import check_app
from reel.ingest.paths import MOBILE_BEACONS_PATH
from reel.ingest.routes import check_quota
from reel.ingest.send_time import attempt_sent_at
from reel.runtime.context import get_context
from reel.runtime.metrics import BEACON_EVENTS_IGNORED
from reel.runtime.responses import OrjsonResponse, error_response

router = APIRouter()
log = logging.getLogger("reel.ingest")

CONTENT_TYPES = frozenset({"application/vnd.reel.mobile-beacon", "application/octet-stream"})
_CLOSING_HEADERS = {"Connection": "close"}


@router.post(MOBILE_BEACONS_PATH, tags=["ingest"], summary="Receive one mobile beacon")
async def receive_mobile_beacon(request: Request) -> Response:
    """Decode, check and durably store one mobile beacon (frames and gestures of an app)."""
    try:
        return await _receive(request)
    except RequestTimeout as exc:
        return error_response(exc, _CLOSING_HEADERS)
    except ReelError as exc:
        return error_response(exc)


def check_mobile_app(app: Application | None, origin: str | None) -> Application:
    """The application if its key is valid and it accepts mobile beacons; 401 or 403 otherwise."""
    known = check_app(app)
    if not known.mobile:
        raise Forbidden("this application does not accept mobile beacons (create it with --mobile)")
    if origin is not None:
        raise Forbidden("mobile beacons come from apps, which send no Origin header")
    return known


async def _receive(request: Request) -> Response:
    ctx = get_context(request)
    ctx.priority.beacon_arrived()
    limits = ctx.settings.limits
    params = BeaconRequest.of_scope(request.scope)
    app_key = params.app_key or ""
    found = await lookups.application_of_key(ctx, app_key) if app_key else None
    app = check_mobile_app(found, params.origin)
    content_type = (params.content_type or "").split(";")[0].strip().lower()
    if content_type and content_type not in CONTENT_TYPES:
        raise UnsupportedMediaType(f"content type {content_type!r}: send application/vnd.reel.mobile-beacon")
    check_quota(ctx, app.id)
    body = await read_body(request.receive, params, limits)
    if isinstance(body, Answer):
        return body.response()
    beacon = await run_in_threadpool(parse_mobile_beacon, body, max_events=limits.max_events_per_beacon)
    stamped = attempt_sent_at(params.sent_at)
    if stamped is not None:  # this attempt's time, not when the (maybe long-queued) body was cut
        beacon = dataclasses.replace(beacon, sent_at=stamped)
    accepted = await run_in_threadpool(accept_mobile_beacon, ctx, app, beacon)
    if beacon.ignored and not accepted.duplicate:
        BEACON_EVENTS_IGNORED.labels("mobile").inc(beacon.ignored)
        log.info(
            "session %s (recording %s, seq %d): %d events of types the mobile contract does not know "
            "were left out",
            accepted.session_id,
            beacon.recording_id,
            beacon.seq,
            beacon.ignored,
        )
    return OrjsonResponse(
        {"ok": True, "seq": accepted.seq, "duplicate": accepted.duplicate, "ignored": beacon.ignored}
    )
