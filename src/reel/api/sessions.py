"""Operator API for sessions: list, one session with its replay index, and its events."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool

from reel.errors import BadRequest, NotFound
from reel.ids import is_server_id
from reel.processing.replay_index import build_replay_index, session_beacons
from reel.server.context import ReelContext, get_context
from reel.server.responses import OrjsonResponse
from reel.storage.chunks import decode_events
from reel.storage.records import Session, SessionQuery

router = APIRouter(prefix="/api/v1", tags=["sessions"])


def session_json(s: Session) -> dict[str, Any]:
    """The public JSON form of a session (docs/contracts/operator-api.md)."""
    return {
        "id": s.id,
        "app_id": s.app_id,
        "recording_id": s.recording_id,
        "client_session_id": s.client_session_id,
        "part": s.part,
        "start": s.start,
        "end": s.end,
        "duration_ms": s.duration_ms,
        "first_url": s.first_url,
        "last_url": s.last_url,
        "pages": s.pages,
        "beacons": s.beacons,
        "missing_beacons": 0,
        "events": s.events,
        "has_replay": s.has_replay,
        "closed": s.closed,
        "created_at": s.created_at,
    }


def load_session(ctx: ReelContext, session_id: str) -> Session:
    """The session with this id, or 400 for a malformed id and 404 for an unknown one."""
    if not is_server_id(session_id, "ses"):
        raise BadRequest("malformed session id")
    session = ctx.sessions.session(session_id)
    if session is None:
        raise NotFound("no such session")
    return session


def _with_completeness(ctx: ReelContext, s: Session) -> dict[str, Any]:
    index = build_replay_index(s, ctx.sessions.beacons(s.recording_id))
    doc = session_json(s)
    doc["missing_beacons"] = sum(g.to_seq - g.from_seq + 1 for g in index.gaps)
    return doc


@router.get("/sessions", summary="List sessions, newest first")
async def list_sessions(
    request: Request,
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0),
) -> OrjsonResponse:
    """Sessions with their completeness."""
    ctx = get_context(request)

    def work() -> dict[str, Any]:
        page = ctx.sessions.list_sessions(SessionQuery(limit=limit, offset=offset))
        return {"sessions": [_with_completeness(ctx, s) for s in page.sessions], "total": page.total}

    return OrjsonResponse(await run_in_threadpool(work))


@router.get("/sessions/{session_id}", summary="One session and how to load its replay")
async def get_session(request: Request, session_id: str) -> OrjsonResponse:
    """The session, its chunks and its gaps."""
    ctx = get_context(request)

    def work() -> dict[str, Any]:
        session = load_session(ctx, session_id)
        index = build_replay_index(session, ctx.sessions.beacons(session.recording_id))
        doc = session_json(session)
        doc["missing_beacons"] = sum(g.to_seq - g.from_seq + 1 for g in index.gaps)
        doc["chunks"] = [asdict(c) for c in index.chunks]
        doc["gaps"] = [asdict(g) for g in index.gaps]
        return doc

    return OrjsonResponse(await run_in_threadpool(work))


@router.get("/sessions/{session_id}/events", summary="Replay events of a session, by time")
async def get_events(
    request: Request,
    session_id: str,
    from_seq: int = Query(0, ge=0),
    to_seq: int | None = Query(None, ge=0),
) -> OrjsonResponse:
    """Events of the session's beacons with from_seq <= seq <= to_seq, sorted by timestamp."""
    ctx = get_context(request)

    def work() -> dict[str, Any]:
        session = load_session(ctx, session_id)
        events: list[dict[str, Any]] = []
        for beacon in session_beacons(session, ctx.sessions.beacons(session.recording_id)):
            if beacon.seq < from_seq or (to_seq is not None and beacon.seq > to_seq):
                continue
            events.extend(decode_events(ctx.blobs.get(beacon.blob_key)))
        events.sort(key=lambda e: e["timestamp"])  # stable: equal times keep their seq order
        return {"events": events}

    return OrjsonResponse(await run_in_threadpool(work))
