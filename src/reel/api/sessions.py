"""Operator API for sessions: search, one session with its parts and replay index, its events and actions."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from reel.api.auth import ApiCaller, Caller
from reel.api.conditional import accepts, not_modified
from reel.api.masking import current_rules
from reel.api.params import MAX_QUERY_INT
from reel.api.schemas import (
    ActionList,
    EventList,
    SegmentEvents,
    SessionDetail,
    SessionPage,
    SessionSummary,
)
from reel.domain.records import SORTS, Session, SessionQuery
from reel.domain.rules import RuleSet
from reel.errors import BadRequest, NotFound
from reel.ids import is_server_id
from reel.replay.assemble import kept_window, masked_window, session_events, windows_of
from reel.replay.index import seq_range, session_gaps
from reel.replay.kept import KeptCopy, answer_opening, segment_answer
from reel.replay.masking import mask_action, mask_url
from reel.replay.masking.policy import Policy
from reel.retention.messages import SessionDeleted
from reel.runtime.context import ReelContext, get_context
from reel.runtime.responses import OrjsonResponse

router = APIRouter(prefix="/api/v1", tags=["sessions"])
SEGMENT_HEADERS = {"Cache-Control": "private, no-cache", "Vary": "Accept-Encoding"}
"""A segment answer is the caller's own (private) and follows the rules saved since (no-cache: revalidate
each time, by ETag where the answer has one)."""


def session_json(s: Session) -> dict[str, Any]:
    """The public JSON form of a session (docs/contracts/operator-api.md), through its model."""
    return SessionSummary.model_validate(s).model_dump()


def load_session(ctx: ReelContext, session_id: str) -> Session:
    """The session with this id, or 400 for a malformed id and 404 for an unknown one."""
    if not is_server_id(session_id, "ses"):
        raise BadRequest("malformed session id")
    session = ctx.sessions.session(session_id)
    if session is None:
        raise NotFound("no such session")
    return session


def visible_session(ctx: ReelContext, caller: Caller, session_id: str) -> Session:
    """As `load_session`, and 404 (the same answer as an unknown id) for another tenant's session;
    410 saying why and when for a deleted one."""
    try:
        session = load_session(ctx, session_id)
    except NotFound:
        tombstone = ctx.sessions.tombstone(session_id)
        if tombstone is not None and caller.can_see(tombstone.app_id):
            raise SessionDeleted(tombstone) from None
        raise
    if not caller.can_see(session.app_id):
        raise NotFound("no such session")
    return session


def _parts(ctx: ReelContext, s: Session) -> list[Session]:
    return ctx.sessions.session_parts(s.app_id, s.recording_id, s.client_session_id)


def _part_ids(parts: list[Session]) -> frozenset[str]:
    return frozenset(p.id for p in parts)


def _completeness(ctx: ReelContext, s: Session) -> tuple[int, int]:
    """The seq range a session's completeness counts, from 0 for a recording's first session."""
    first = s.min_seq == 0 or ctx.sessions.missing_beacons(s.recording_id, 0, s.min_seq - 1) == s.min_seq
    return seq_range(s, first)


def _summary(ctx: ReelContext, s: Session, rules: dict[str, RuleSet]) -> dict[str, Any]:
    doc = _with_masked_urls(ctx, session_json(s), rules)
    doc["missing_beacons"] = ctx.sessions.missing_beacons(s.recording_id, *_completeness(ctx, s))
    return doc


def _with_masked_urls(ctx: ReelContext, doc: dict[str, Any], rules: dict[str, RuleSet]) -> dict[str, Any]:
    """The session's page URLs under the application's current URL rules (`rules` caches them by app)."""
    app_rules = rules.get(doc["app_id"])
    if app_rules is None:
        app_rules = rules[doc["app_id"]] = current_rules(ctx, doc["app_id"])
    for key in ("first_url", "last_url", "referrer"):
        if doc[key]:
            doc[key] = mask_url(doc[key], app_rules.urls)
    return doc


def _flag(value: str | None, name: str) -> bool | None:
    if value is None or value == "":
        return None
    if value.lower() in ("1", "true", "yes"):
        return True
    if value.lower() in ("0", "false", "no"):
        return False
    raise BadRequest(f"{name} must be true or false", field=name)


@router.get("/sessions", summary="Search sessions", response_model=SessionPage)
async def list_sessions(
    request: Request,
    caller: ApiCaller,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_QUERY_INT)] = 0,
    user_id: Annotated[str | None, Query(max_length=200)] = None,
    url: Annotated[str | None, Query(max_length=2048, description="Text a visited URL contains")] = None,
    app_id: Annotated[str | None, Query(max_length=80)] = None,
    platform: Annotated[str | None, Query(pattern="^(web|mobile)$")] = None,
    started_after: Annotated[int | None, Query(ge=0, le=MAX_QUERY_INT)] = None,
    started_before: Annotated[int | None, Query(ge=0, le=MAX_QUERY_INT)] = None,
    min_duration_ms: Annotated[int | None, Query(ge=0, le=MAX_QUERY_INT)] = None,
    max_duration_ms: Annotated[int | None, Query(ge=0, le=MAX_QUERY_INT)] = None,
    min_actions: Annotated[int | None, Query(ge=0, le=MAX_QUERY_INT)] = None,
    max_actions: Annotated[int | None, Query(ge=0, le=MAX_QUERY_INT)] = None,
    has_errors: str | None = None,
    has_rage_clicks: str | None = None,
    has_dead_clicks: str | None = None,
    user_prefix: Annotated[
        str | None, Query(max_length=200, description="Text the user id starts with")
    ] = None,
    event: Annotated[
        str | None, Query(max_length=200, description="The name of a custom event the session holds")
    ] = None,
    page: Annotated[
        str | None, Query(max_length=2048, description="Text the URL of a page visited contains")
    ] = None,
    browser: Annotated[
        str | None, Query(max_length=100, description="Browser, with or without its version")
    ] = None,
    os: Annotated[str | None, Query(max_length=100)] = None,
    device: Annotated[str | None, Query(pattern="^(desktop|mobile|tablet)$")] = None,
    language: Annotated[
        str | None, Query(max_length=64, description="Language tag, or its primary language ('en')")
    ] = None,
    sort: Annotated[str, Query(pattern="^-?(" + "|".join(SORTS) + ")$")] = "-start",
) -> OrjsonResponse:
    """Sessions of the applications the caller may see, filtered, sorted and paged."""
    ctx = get_context(request)
    visible = caller.app_ids
    if app_id is not None:
        visible = (app_id,) if caller.can_see(app_id) else ()
    query = SessionQuery(
        app_ids=visible,
        user_id=user_id or None,
        url_contains=url or None,
        started_after=started_after,
        started_before=started_before,
        min_duration_ms=min_duration_ms,
        max_duration_ms=max_duration_ms,
        min_actions=min_actions,
        max_actions=max_actions,
        has_errors=_flag(has_errors, "has_errors"),
        has_rage_clicks=_flag(has_rage_clicks, "has_rage_clicks"),
        has_dead_clicks=_flag(has_dead_clicks, "has_dead_clicks"),
        platform=platform,
        user_prefix=user_prefix or None,
        event_name=event or None,
        page_contains=page or None,
        browser=browser or None,
        os=os or None,
        device=device,
        language=language or None,
        sort=sort.lstrip("-"),
        descending=sort.startswith("-"),
        limit=limit,
        offset=offset,
    )

    def work() -> dict[str, Any]:
        page = ctx.sessions.list_sessions(query)
        rules: dict[str, RuleSet] = {}
        return {"sessions": [_summary(ctx, s, rules) for s in page.sessions], "total": page.total}

    return OrjsonResponse(await run_in_threadpool(work))


def session_detail(ctx: ReelContext, caller: Caller, session_id: str) -> dict[str, Any]:
    """The session as `GET /sessions/{id}` describes it (the player page carries the same document)."""
    session = visible_session(ctx, caller, session_id)
    parts = _parts(ctx, session)
    low, high = _completeness(ctx, session)
    # Counted first (a range of the index): the gaps are looked for only when a beacon is missing. Walking
    # every beacon for them was ~14 % of the player page's answer on an 8 h session (4,802 beacons).
    missing = ctx.sessions.missing_beacons(session.recording_id, low, high)
    runs = ctx.sessions.gaps(session.recording_id, low, high) if missing else []
    around = {b.seq: b for b in ctx.sessions.beacons(session.recording_id)} if runs else {}
    gaps = session_gaps(session, runs, around)
    doc = _with_masked_urls(ctx, session_json(session), {})
    doc["missing_beacons"] = sum(g.to_seq - g.from_seq + 1 for g in gaps)
    doc["segments"] = [
        {"n": w.n, "start": w.start, "end": w.shown_end(session.end)} for w in windows_of(ctx, session)
    ]
    doc["gaps"] = [asdict(g) for g in gaps]
    doc["parts"] = [{"id": p.id, "part": p.part, "start": p.start, "end": p.end} for p in parts]
    doc["idle"] = [
        {"start": max(p.start, session.start), "end": min(p.end, session.end)}
        for p in ctx.sessions.idle_periods(session.id)
        if min(p.end, session.end) > max(p.start, session.start)
    ]
    return doc


@router.get(
    "/sessions/{session_id}",
    summary="One session, its parts and how to load its replay",
    response_model=SessionDetail,
)
async def get_session(request: Request, session_id: str, caller: ApiCaller) -> OrjsonResponse:
    """The session, its segments (the windows the player loads) and gaps, the parts of a split
    session, and its idle periods (stretches without user interaction, which the player can skip)."""
    ctx = get_context(request)
    return OrjsonResponse(await run_in_threadpool(session_detail, ctx, caller, session_id))


@router.get(
    "/sessions/{session_id}/segments/{n}",
    summary="One segment of a session: its head and events",
    response_model=SegmentEvents,
)
async def get_segment(
    request: Request,
    session_id: str,
    n: int,
    caller: ApiCaller,
    head: Annotated[bool, Query(description="Include the state at the segment's start")] = True,
) -> Response:
    """The events of one segment (a window of the session), sorted by time, after its head: the DOM
    state at its start (a keyframe, or a split part's checkpoint). Masked with the application's current
    rules and made safe, as every event the player receives; a segment played alone shows exactly what
    it shows inside the whole session. A window kept masked in the replay store is sent as stored
    (zstd) to a client that accepts it, with a strong ETag."""
    ctx = get_context(request)

    def work() -> KeptCopy | bytes:
        session = visible_session(ctx, caller, session_id)
        window = next((w for w in windows_of(ctx, session) if w.n == n), None)
        if window is None:
            raise NotFound("no such segment in this session")
        rules = current_rules(ctx, session.app_id)
        copy = kept_window(ctx, session, window, rules)
        if copy is not None:
            return copy
        built = masked_window(ctx, session, window, rules)
        opening = answer_opening(n, window.start, window.shown_end(session.end))
        return segment_answer(opening, built.head if head else b"[]", built.events)

    found = await run_in_threadpool(work)
    if isinstance(found, bytes):
        return Response(found, media_type="application/json", headers=SEGMENT_HEADERS)
    zstd = accepts(request, "zstd")
    # One tag per representation: with or without the head, compressed or not.
    etag = f'"{found.etag}{"" if head else "-nohead"}{"-zstd" if zstd else ""}"'
    headers = {**SEGMENT_HEADERS, "ETag": etag}
    if not_modified(request, etag):
        return Response(status_code=304, headers=headers)
    if zstd:
        body = found.zstd_body(with_head=head)
        headers["Content-Encoding"] = "zstd"
    else:
        body = await run_in_threadpool(found.plain_body, with_head=head)
    return Response(body, media_type="application/json", headers=headers)


@router.get(
    "/sessions/{session_id}/events", summary="Replay events of a session, by time", response_model=EventList
)
async def get_events(request: Request, session_id: str, caller: ApiCaller) -> OrjsonResponse:
    """Every event of the session sorted by timestamp, as one stream: its first segment with its head,
    then the events of the others. A split part plays only its own time range and opens with a
    checkpoint (the DOM at its start, rebuilt on the server from everything recorded before). For long
    sessions read the segments one at a time instead."""
    ctx = get_context(request)

    def work() -> dict[str, Any]:
        session = visible_session(ctx, caller, session_id)
        return {"events": session_events(ctx, session, current_rules(ctx, session.app_id))}

    return OrjsonResponse(await run_in_threadpool(work))


@router.get(
    "/sessions/{session_id}/actions", summary="Actions of a session, by time", response_model=ActionList
)
async def get_actions(request: Request, session_id: str, caller: ApiCaller) -> OrjsonResponse:
    """Load, navigation, clicks, inputs, errors, rage and dead clicks… of one session part."""
    ctx = get_context(request)

    def work() -> dict[str, Any]:
        session = visible_session(ctx, caller, session_id)
        # Labels come from recorded text and URLs from pages: both under the current rules, like events.
        policy = Policy(current_rules(ctx, session.app_id))
        return {
            "actions": [
                mask_action(
                    {
                        "ts": a.ts,
                        "kind": a.kind,
                        "url": a.url,
                        "target": a.target,
                        "label": a.label,
                        "data": a.data,
                    },
                    policy,
                )
                for a in ctx.sessions.actions(session.id)
            ]
        }

    return OrjsonResponse(await run_in_threadpool(work))
