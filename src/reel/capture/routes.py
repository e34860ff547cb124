"""Serves the web recorder at `/capture/reel.js`, the one script the snippet loads."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import FileResponse, Response

from reel.errors import NotFound
from reel.runtime.assets import built_asset

router = APIRouter()


@router.get("/capture/reel.js", include_in_schema=False)
def recorder_script() -> Response:
    """The recorder bundle; cached briefly so a new release reaches pages within minutes."""
    path = built_asset("reel.js")
    if not path.is_file():
        raise NotFound("the recorder is not built; run `make build`")
    return FileResponse(
        path,
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": "public, max-age=300", "Access-Control-Allow-Origin": "*"},
    )
