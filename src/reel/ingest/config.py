"""`GET /v1/web/config?k=APP_KEY`: the masking rules and consent settings the recorder applies.

Public like ingest: the app key is not a secret, the document holds no personal data, and any page may
read it (`Access-Control-Allow-Origin: *`, no cookies). No Origin check: a GET of public settings
changes nothing, and a browser sends no Origin on a simple same-site GET anyway. A missing, unknown or
disabled key gets ingest's one 401 body, so the two cannot be told apart.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from reel.domain.rules import rules_document
from reel.errors import ReelError
from reel.ingest import lookups
from reel.ingest.origins import check_app
from reel.runtime.context import get_context
from reel.runtime.responses import OrjsonResponse, error_response

router = APIRouter()

MAX_AGE_S = 60
_CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": "ETag"}


@router.get("/v1/web/config", tags=["ingest"], summary="Masking rules and consent settings for the recorder")
async def web_config(request: Request) -> Response:
    """The application's current rules document, cacheable for a minute, with its version as ETag."""
    ctx = get_context(request)
    key = request.query_params.get("k") or request.headers.get("x-reel-app-key") or ""
    try:
        app = check_app(await lookups.application_of_key(ctx, key) if key else None)
        record = await run_in_threadpool(ctx.rules.current, app.id)
    except ReelError as exc:
        return error_response(exc, {**_CORS, "Cache-Control": "no-store"})
    etag = f'"rules-{record.version}"'
    headers = {**_CORS, "ETag": etag, "Cache-Control": f"max-age={MAX_AGE_S}"}
    if etag in {t.strip() for t in request.headers.get("if-none-match", "").split(",")}:
        return Response(status_code=304, headers=headers)
    return OrjsonResponse(rules_document(record.rules), headers=headers)
