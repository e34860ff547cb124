"""Captured resources for the player: `GET /resources/{sha256}` (operator login, cookie or token), and
each application's resource settings: `GET/PUT /api/v1/applications/{id}/resource-settings`.

The replay iframe loads style sheets, fonts and images from here, with the operator's login cookie (it
is same-origin with Reel). A copy is visible only through a recording of an application the operator
may see; others get 404, as for an unknown hash. Copies are named by content, so they are cached for a
year; each is served with the type decided at capture (never HTML), `nosniff`, and a policy that keeps
an SVG opened on its own from running anything.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from reel.api.auth import AdminCaller, ApiCaller, Caller
from reel.api.schemas import BINARY, ResourceSettingsOut
from reel.domain.content import CSS
from reel.domain.origins import normalise_origin
from reel.domain.records import Application
from reel.errors import BadRequest, BlobNotFound, InvalidField, NotFound
from reel.runtime.context import ReelContext, get_context
from reel.runtime.responses import OrjsonResponse
from reel.storage.keys import resource_blob_key
from reel.storage.resource_store import ResourceMeta, ResourceSettings

router = APIRouter(tags=["resources"])
MAX_ORIGINS = 50

DIGEST = re.compile(r"[0-9a-f]{64}")
RESOURCE_HEADERS = {
    "Cache-Control": "private, max-age=31536000, immutable",
    "X-Content-Type-Options": "nosniff",
    # Applies when a copy is opened as a document (an SVG in its own tab): no script, no loads.
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
    "Cross-Origin-Resource-Policy": "same-origin",
}


@router.get(
    "/resources/{digest}",
    summary="A captured style sheet, font or image, by SHA-256",
    response_class=Response,
    responses={200: {"content": {"text/css": BINARY, "font/woff2": BINARY, "image/*": BINARY}}},
)
async def get_resource(request: Request, digest: str, caller: ApiCaller) -> Response:
    """The stored copy; 400 for a malformed hash, 404 for one the caller may not see or that is gone."""
    if not DIGEST.fullmatch(digest):
        raise BadRequest("malformed resource hash", field="digest")
    ctx = get_context(request)

    def work() -> tuple[bytes, str]:
        found = visible_copy(ctx, caller, digest)
        if found is None:
            raise NotFound("no such resource")
        meta, body = found
        media_type = f"{CSS}; charset=utf-8" if meta.content_type == CSS else meta.content_type
        return body, media_type

    body, media_type = await run_in_threadpool(work)
    return Response(body, media_type=media_type, headers={**RESOURCE_HEADERS, "ETag": f'"{digest}"'})


def visible_copy(
    ctx: ReelContext, caller: Caller, digest: str, *, max_size: int | None = None
) -> tuple[ResourceMeta, bytes] | None:
    """A stored copy and its bytes, if `caller` may see it: only through a recording of an application
    they may see. Every path that reads a copy by digest goes through here (this route, the first
    frame's inlined style sheets); None for a copy they may not see, one that is gone, or one larger
    than `max_size`."""
    if not DIGEST.fullmatch(digest):
        return None
    meta = ctx.resources.resource(digest)
    if meta is None or (max_size is not None and meta.size > max_size):
        return None
    if not ctx.resources.visible(digest, caller.app_ids):
        return None
    try:
        return meta, ctx.blobs.get(resource_blob_key(digest))
    except BlobNotFound:
        return None


class ResourceSettingsBody(BaseModel):
    """Where the server may fetch an application's resources from."""

    origins: list[str] = Field(default_factory=list, max_length=MAX_ORIGINS)
    """Origins like `https://cdn.example`; empty means the application's page origins."""
    allow_private: bool = False
    """Allow private and loopback addresses (a site on the same machine or network)."""


def settings_json(app: Application, settings: ResourceSettings | None) -> dict[str, Any]:
    """The settings as the API shows them, with the origins they amount to."""
    origins = list(settings.origins) if settings is not None else []
    return {
        "app_id": app.id,
        "origins": origins,
        "effective_origins": origins or list(app.origins),
        "allow_private": settings.allow_private if settings is not None else False,
        "updated_at": settings.updated_at if settings is not None else None,
    }


def _visible_app(ctx: ReelContext, caller: Caller, app_id: str) -> Application:
    app = ctx.sessions.application(app_id) if caller.can_see(app_id) else None
    if app is None:
        raise NotFound("no such application")
    return app


@router.get(
    "/api/v1/applications/{app_id}/resource-settings",
    summary="Where resources are fetched from",
    response_model=ResourceSettingsOut,
)
async def get_resource_settings(request: Request, app_id: str, caller: ApiCaller) -> OrjsonResponse:
    """The application's resource origins and whether private addresses are allowed."""
    ctx = get_context(request)

    def work() -> dict[str, Any]:
        app = _visible_app(ctx, caller, app_id)
        return settings_json(app, ctx.resources.settings(app.id))

    return OrjsonResponse(await run_in_threadpool(work))


@router.put(
    "/api/v1/applications/{app_id}/resource-settings",
    summary="Set where resources are fetched from",
    response_model=ResourceSettingsOut,
)
async def put_resource_settings(
    request: Request, app_id: str, caller: AdminCaller, body: ResourceSettingsBody
) -> OrjsonResponse:
    """Replace the settings (admin); later captures use them. 400 names an origin that is not one."""
    ctx = get_context(request)
    origins: list[str] = []
    for i, value in enumerate(body.origins):
        origin = normalise_origin(value)
        if origin is None or len(value) > 300:
            raise InvalidField(
                f"{value[:300]!r} is not an origin like https://cdn.example", field=f"origins[{i}]"
            )
        origins.append(origin)

    def work() -> dict[str, Any]:
        app = _visible_app(ctx, caller, app_id)
        settings = ResourceSettings(
            app.id, tuple(dict.fromkeys(origins)), body.allow_private, ctx.clock.now_ms()
        )
        ctx.resources.save_settings(settings)
        return settings_json(app, settings)

    return OrjsonResponse(await run_in_threadpool(work))
