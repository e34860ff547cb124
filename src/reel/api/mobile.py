"""Operator API for mobile sessions: their events, the composited frame at a moment, frame images."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from reel.api.auth import ApiCaller
from reel.api.params import MAX_QUERY_INT
from reel.api.schemas import BINARY, EventList
from reel.api.sessions import visible_session
from reel.domain.records import Session
from reel.errors import BadRequest, NotFound
from reel.replay.mobile.compositor import composite
from reel.replay.mobile.data import check_digest, image_loader, session_events
from reel.runtime.context import get_context
from reel.runtime.responses import OrjsonResponse
from reel.screen.images import MEDIA_TYPES, sniff_format
from reel.screen.png import encode_png

router = APIRouter(prefix="/api/v1", tags=["sessions"])

# Images never change under their name (it is their SHA-256); the login still decides who may read them.
_IMMUTABLE = "private, max-age=604800, immutable"
SKIPPED_HEADER = "X-Reel-Skipped-Frames"


def _mobile(session: Session) -> Session:
    if session.platform != "mobile":
        raise BadRequest("frames exist for mobile sessions only; web sessions replay their events")
    return session


@router.get(
    "/sessions/{session_id}/mobile-events",
    summary="Events of a mobile session, by time",
    response_model=EventList,
)
async def get_mobile_events(
    request: Request,
    session_id: str,
    caller: ApiCaller,
    from_seq: Annotated[int, Query(ge=0, le=MAX_QUERY_INT)] = 0,
    to_seq: Annotated[int | None, Query(ge=0, le=MAX_QUERY_INT)] = None,
) -> OrjsonResponse:
    """Frames (images by digest), views and gestures of the beacons from_seq..to_seq, as stored: ingest
    rebuilt every event from the contract's fields, so they carry no markup and no typed text. Masking
    happened on the device; there is nothing left to re-mask in pixels."""
    ctx = get_context(request)

    def work() -> dict[str, Any]:
        session = _mobile(visible_session(ctx, caller, session_id))
        return {"events": session_events(ctx, session)}

    return OrjsonResponse(await run_in_threadpool(work))


@router.get(
    "/sessions/{session_id}/frame",
    summary="The picture of a mobile session at a moment (PNG)",
    response_class=Response,
    responses={200: {"content": {"image/png": BINARY}}},
)
async def get_frame(
    request: Request,
    session_id: str,
    caller: ApiCaller,
    t: Annotated[int, Query(ge=0, le=MAX_QUERY_INT, description="Milliseconds from the session start")] = 0,
) -> Response:
    """The last full frame at or before `t` with the partial frames after it drawn over, as the device
    showed it (masked on the device). 404 before the first full frame. Frames that could not be drawn
    (an image that does not decode, partial frames past the pixel budget) are skipped and counted in
    `X-Reel-Skipped-Frames`; the picture is still served."""
    ctx = get_context(request)

    def work() -> tuple[bytes, int]:
        session = _mobile(visible_session(ctx, caller, session_id))
        events = session_events(ctx, session)
        canvas = composite(events, session.start + t, image_loader(ctx, session))
        if canvas.image is None:
            raise NotFound("no full frame at or before this moment")
        return encode_png(canvas.image), len(canvas.skipped)

    png, skipped = await run_in_threadpool(work)
    headers = {"Cache-Control": "private, no-cache", SKIPPED_HEADER: str(skipped)}
    return Response(png, media_type="image/png", headers=headers)


@router.get(
    "/sessions/{session_id}/images/{digest}",
    summary="One frame image of a mobile session, by the SHA-256 of its bytes",
    response_class=Response,
    responses={200: {"content": {"image/webp": BINARY, "image/jpeg": BINARY, "image/png": BINARY}}},
)
async def get_image(request: Request, session_id: str, digest: str, caller: ApiCaller) -> Response:
    """The image as the app sent it (its type was checked at ingest)."""
    ctx = get_context(request)
    check_digest(digest)

    def work() -> bytes:
        session = _mobile(visible_session(ctx, caller, session_id))
        return image_loader(ctx, session)(digest)

    data = await run_in_threadpool(work)
    kind = sniff_format(data)
    if kind is None:  # ingest admits nothing else; a blob that changed type is not served as an image
        raise NotFound("no such image in this session")
    return Response(data, media_type=MEDIA_TYPES[kind], headers={"Cache-Control": _IMMUTABLE})
