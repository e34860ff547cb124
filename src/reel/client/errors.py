"""The client's errors: one class per kind of answer, mapped from the API's JSON error body.

They belong to Reel's one hierarchy (`reel.errors.ReelError`), so `except ReelError` catches them too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reel.errors import ReelError


class ClientError(ReelError):
    """Base of what the client raises; `status` is the HTTP status (0 when Reel was not reached)."""

    def __init__(self, message: str, *, status: int = 0, code: str = "", field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.status = status
        self.code = code or self.code


class ReelUnreachable(ClientError):
    """Reel did not answer: a wrong base URL, Reel down, a timeout or a broken connection."""

    code = "unreachable"


class ApiError(ClientError):
    """Reel answered with an error; `code`, `message` and `field` come from its JSON body."""

    code = "api_error"

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: str = "",
        field: str | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message, status=status, code=code, field=field)
        self.body: Mapping[str, Any] = body or {}


class InvalidRequest(ApiError):
    """400: a parameter Reel does not accept (`field` names it)."""


class AuthenticationFailed(ApiError):
    """401: no token, or an unknown, expired or revoked one (`reel tokens create` makes one)."""


class PermissionDenied(ApiError):
    """403: the token's operator may not do this (an admin-only route for a viewer)."""


class NotFound(ApiError):
    """404: no such session or application, or one the token's operator may not see."""


class SessionDeleted(ApiError):
    """410: the session was deleted (by retention or on request); `deleted` says when and why."""

    @property
    def deleted(self) -> Mapping[str, Any]:
        """The tombstone: session_id, app_id, recorded_at, deleted_at, cause, retention_days."""
        error = self.body.get("error", {})
        deleted = error.get("deleted") if isinstance(error, Mapping) else None
        return deleted if isinstance(deleted, Mapping) else {}


class RateLimited(ApiError):
    """429: too many requests; retry after `retry_after` seconds."""

    def __init__(self, message: str, *, retry_after: int | None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ServerError(ApiError):
    """5xx: Reel failed or its stores are unavailable (503 says so; retry later)."""


_BY_STATUS: dict[int, type[ApiError]] = {
    400: InvalidRequest,
    401: AuthenticationFailed,
    403: PermissionDenied,
    404: NotFound,
    410: SessionDeleted,
    422: InvalidRequest,
}


def error_for(status: int, body: Any, retry_after: str | None) -> ApiError:
    """The exception for an error answer: its status, and the `{"error": {code, message, field}}` body
    when there is one (a proxy in front of Reel may answer with anything)."""
    error = body.get("error") if isinstance(body, Mapping) else None
    error = error if isinstance(error, Mapping) else {}
    message = str(error.get("message") or f"HTTP {status}")
    code = str(error.get("code") or "")
    field = error.get("field")
    field = str(field) if field is not None else None
    doc = body if isinstance(body, Mapping) else {}
    if status == 429:
        seconds = int(retry_after) if retry_after and retry_after.isdigit() else None
        return RateLimited(message, retry_after=seconds, status=status, code=code, field=field, body=doc)
    kind = _BY_STATUS.get(status, ServerError if status >= 500 else ApiError)
    return kind(message, status=status, code=code, field=field, body=doc)
