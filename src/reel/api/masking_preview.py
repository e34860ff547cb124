"""Preview a session under draft masking rules (the rules editor): one segment masked as the player would
receive it once the draft is saved, without saving anything."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from reel.api.auth import AdminCaller
from reel.api.masking import read_document
from reel.api.schemas import MaskingPreview
from reel.api.sessions import visible_session
from reel.domain.rules import parse_rules, rules_document
from reel.errors import InvalidField, NotFound
from reel.jsonio import dumps
from reel.replay.assemble import draft_window, windows_of
from reel.replay.kept import answer_opening, segment_answer
from reel.runtime.context import get_context

router = APIRouter(prefix="/api/v1", tags=["masking"])


@router.post(
    "/sessions/{session_id}/masking-preview",
    summary="One segment of a session masked with draft rules, nothing saved (admin)",
    response_model=MaskingPreview,
)
async def preview(request: Request, session_id: str, caller: AdminCaller) -> Response:
    """Body: `{"rules": DRAFT, "segment": N}` (segment optional: the first). Answers the segment as
    `GET /sessions/{id}/segments/{n}` would after saving the draft: made safe, masked, resources pointed
    at Reel's copies. Admins only, as saving rules is: a draft may show what the saved rules hide. The
    session is looked up as for every session route (404 for another tenant's). 400 naming the field
    (`rules.rules[2].selector`) for a draft that would not save."""
    ctx = get_context(request)
    body = await read_document(request)
    if not isinstance(body, Mapping):
        raise InvalidField("the body must be a JSON object with rules (and segment)")
    for key in body:
        if key not in ("rules", "segment"):
            raise InvalidField(f"unknown field {key!r}", field=str(key))
    segment = body.get("segment")
    if segment is not None and (isinstance(segment, bool) or not isinstance(segment, int)):
        raise InvalidField("segment must be a segment number", field="segment")

    def work() -> bytes:
        session = visible_session(ctx, caller, session_id)
        try:
            rules = parse_rules(body.get("rules", {}))
        except InvalidField as exc:
            where = f"rules.{exc.field}" if exc.field else "rules"
            raise InvalidField(exc.message, field=where) from exc
        windows = windows_of(ctx, session)
        window = next((w for w in windows if segment is None or w.n == segment), None)
        if window is None:
            raise NotFound("no such segment in this session")
        built = draft_window(ctx, session, window, rules)
        document = rules_document(rules)
        del document["version"]
        opening = answer_opening(window.n, window.start, window.shown_end(session.end))
        return segment_answer(opening, built.head, built.events, more=b',"rules":' + dumps(document))

    # Written as the segment route writes it (deep documents nest past what a model would serialise);
    # the shape is MaskingPreview's.
    body_bytes = await run_in_threadpool(work)
    return Response(body_bytes, media_type="application/json", headers={"Cache-Control": "no-store"})
