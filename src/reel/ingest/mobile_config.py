"""`GET /v1/mobile/config?k=APP_KEY`: what a mobile SDK needs from the server before it records.

The masking rules of the application as they apply to native views, the capture settings Reel's own SDK
uses, the limits ingest enforces, and the session timeouts (docs/contracts/mobile-beacon.md, "Config").
Public like the beacon endpoint: the key ships in the app, the document holds no personal data. Only
applications created for mobile answer (403 otherwise, and for a request with an Origin); a missing,
unknown or disabled key gets ingest's one 401 body. Cacheable for a minute, with the rules version as
ETag, like `GET /v1/web/config`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from reel.config import Settings
from reel.domain.rules import RuleSet, SelectorRule
from reel.domain.selectors import SelectorList
from reel.errors import ReelError
from reel.ingest import lookups
from reel.ingest.mobile_envelope import MAX_BEACON_PIXELS, MAX_IMAGE_BYTES, MAX_IMAGES, MAX_META_BYTES
from reel.ingest.mobile_events import MAX_MASKS, MAX_POINTS
from reel.ingest.mobile_routes import check_mobile_app
from reel.runtime.context import get_context
from reel.runtime.responses import OrjsonResponse, error_response
from reel.screen.images import FORMATS, MAX_PIXELS, MAX_SCALE, MAX_SIDE

router = APIRouter()

MAX_AGE_S = 60
SILENCE_GRACE_MS = 5 * 60 * 1000
"""As processing's (reel/processing/worker.py): beyond the idle timeout, the silence after which the
server closes a session (ingest may not import processing, so the number is repeated and tested equal)."""

CAPTURE = {
    "max_fps": 2.0,
    "flush_interval_ms": 5_000,
    "max_batch_image_bytes": 512 * 1024,
    "keyframe_interval_ms": 60_000,
    "keyframe_after_partials": 100,
    "target_density": 1.5,
    "formats": list(FORMATS),
}
"""What Reel's SDK does (reel/capture/mobile/recorder.py, encoder.py): a native SDK's good defaults."""


def view_selectors(rules: RuleSet, kind: str) -> list[str]:
    """The selector lists of `kind` rules that name native views: compounds of a type (the view's class)
    and `#id` (its identifier) only, with descendant or child combinators. Lists using classes or
    attributes describe web pages and are left out."""
    out: list[str] = []
    for rule in rules.rules:
        if isinstance(rule, SelectorRule) and rule.type == kind and _names_views(rule.selector):
            out.append(rule.selector.source)
    return out


def _names_views(selector: SelectorList) -> bool:
    return all(
        not compound.classes and not compound.tests and len(compound.ids) <= 1
        for complex_ in selector.selectors
        for compound in complex_.compounds
    )


def mobile_config(rules: RuleSet, settings: Settings) -> dict[str, Any]:
    """The config document for one application (pure)."""
    limits = settings.limits
    return {
        "version": rules.version,
        "masking": {
            "text_inputs": True,
            "passwords": True,
            "mask": view_selectors(rules, "mask"),
            "block": view_selectors(rules, "block"),
            "unmask": view_selectors(rules, "unmask"),
        },
        "capture": CAPTURE,
        "sessions": {
            "idle_timeout_ms": settings.sessions.idle_timeout_ms,
            "silent_close_ms": settings.sessions.idle_timeout_ms + SILENCE_GRACE_MS,
            "split_after_actions": settings.sessions.split_after_actions,
            "split_after_ms": settings.sessions.split_after_ms,
        },
        "limits": {
            "max_body_bytes": limits.max_body_bytes,
            "max_decompressed_bytes": limits.max_decompressed_bytes,
            "max_meta_bytes": MAX_META_BYTES,
            "max_events": limits.max_events_per_beacon,
            "max_images": MAX_IMAGES,
            "max_image_bytes": MAX_IMAGE_BYTES,
            "max_image_side": MAX_SIDE,
            "max_image_pixels": MAX_PIXELS,
            "max_pixels_per_point": MAX_SCALE,
            "max_beacon_pixels": MAX_BEACON_PIXELS,
            "max_masks": MAX_MASKS,
            "max_path_points": MAX_POINTS,
            "beacons_per_second": limits.beacons_per_second,
            "beacon_burst": limits.beacon_burst,
        },
    }


@router.get(
    "/v1/mobile/config", tags=["ingest"], summary="Masking rules, capture settings and limits for SDKs"
)
async def get_mobile_config(request: Request) -> Response:
    """The application's config for mobile SDKs, cacheable for a minute, with its rules version as ETag."""
    ctx = get_context(request)
    key = request.query_params.get("k") or request.headers.get("x-reel-app-key") or ""
    try:
        found = await lookups.application_of_key(ctx, key) if key else None
        app = check_mobile_app(found, request.headers.get("origin"))
        record = await run_in_threadpool(ctx.rules.current, app.id)
    except ReelError as exc:
        return error_response(exc, {"Cache-Control": "no-store"})
    etag = f'"mobile-{record.version}"'
    headers = {"ETag": etag, "Cache-Control": f"max-age={MAX_AGE_S}"}
    if etag in {t.strip() for t in request.headers.get("if-none-match", "").split(",")}:
        return Response(status_code=304, headers=headers)
    return OrjsonResponse(mobile_config(record.rules, ctx.settings), headers=headers)
