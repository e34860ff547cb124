"""JSON responses serialised with orjson, and the one error body every route answers with."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.responses import Response

from reel.errors import ReelError
from reel.jsonio import dumps
from reel.runtime.metrics import count_store_error


class OrjsonResponse(Response):
    """A JSON response rendered by orjson (fast, and strict about what it can encode)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return dumps(content)


def error_response(exc: ReelError, headers: Mapping[str, str] | None = None) -> OrjsonResponse:
    """The JSON error answer for `exc`, with Retry-After where the error has one."""
    count_store_error("http", exc)
    merged = dict(headers or {})
    retry_after = getattr(exc, "retry_after", None)
    if retry_after is not None:
        merged["Retry-After"] = str(retry_after)
    return OrjsonResponse(exc.to_json(), status_code=exc.status, headers=merged)
