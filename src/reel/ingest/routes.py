"""HTTP edge of ingest: `POST /v1/web/beacons` and its CORS preflight."""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from reel.errors import PayloadTooLarge, ReelError
from reel.ingest.decode import CappedDecoder
from reel.ingest.envelope import parse_web_beacon
from reel.ingest.origins import check_app, check_origin
from reel.ingest.service import accept_web_beacon
from reel.server.context import get_context
from reel.server.responses import OrjsonResponse, error_response

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


@router.options("/v1/web/beacons", include_in_schema=False)
async def preflight() -> Response:
    """Answer CORS preflights (most beacons are simple requests and send none)."""
    return Response(status_code=204, headers=_PREFLIGHT_HEADERS)


@router.post("/v1/web/beacons", tags=["ingest"], summary="Receive one web beacon")
async def receive_web_beacon(request: Request) -> Response:
    """Decode, check and durably store one beacon (contract: docs/contracts/web-beacon.md)."""
    try:
        return await _receive(request)
    except ReelError as exc:
        return error_response(exc, CORS_HEADERS)


async def _receive(request: Request) -> Response:
    ctx = get_context(request)
    limits = ctx.settings.limits
    app_key = request.query_params.get("k") or request.headers.get("x-reel-app-key") or ""
    app = check_app(await run_in_threadpool(ctx.sessions.application_by_key, app_key) if app_key else None)
    check_origin(app, request.headers.get("origin"))
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limits.max_body_bytes:
        await _drain(request.stream())
        raise PayloadTooLarge(f"body exceeds {limits.max_body_bytes} bytes")
    encoding = request.query_params.get("ce") or request.headers.get("content-encoding") or "identity"
    decoder = CappedDecoder(encoding, max_out=limits.max_decompressed_bytes)
    received = 0
    stream = request.stream()
    try:
        async for chunk in stream:
            received += len(chunk)
            if received > limits.max_body_bytes:
                raise PayloadTooLarge(f"body exceeds {limits.max_body_bytes} bytes")
            decoder.feed(chunk)
    except PayloadTooLarge:
        await _drain(stream)
        raise
    body = decoder.finish()
    beacon = parse_web_beacon(body, max_events=limits.max_events_per_beacon)
    accepted = await run_in_threadpool(accept_web_beacon, ctx, app, beacon)
    return OrjsonResponse(
        {"ok": True, "seq": accepted.seq, "duplicate": accepted.duplicate}, headers=CORS_HEADERS
    )


async def _drain(stream: AsyncIterator[bytes]) -> None:
    """Read and discard what is left of the body, up to a bound."""
    seen = 0
    try:
        async for chunk in stream:
            seen += len(chunk)
            if seen > _DRAIN_LIMIT:
                return
    except ClientDisconnect:
        return  # the body was already refused; a client that hangs up changes nothing
