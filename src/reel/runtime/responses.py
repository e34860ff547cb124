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


def error_parts(exc: ReelError) -> tuple[bytes, dict[str, str]]:
    """The JSON body of `exc`'s answer and the headers it adds itself (Retry-After, where the error has
    one); counted as a store error when it is one."""
    count_store_error("http", exc)
    retry_after = getattr(exc, "retry_after", None)
    own = {"Retry-After": str(retry_after)} if retry_after is not None else {}
    return dumps(exc.to_json()), own


def error_response(exc: ReelError, headers: Mapping[str, str] | None = None) -> Response:
    """The JSON error answer for `exc`, with `headers` and Retry-After where the error has one."""
    body, own = error_parts(exc)
    return Response(body, exc.status, {**(headers or {}), **own}, media_type="application/json")
