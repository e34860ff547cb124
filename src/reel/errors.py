"""Reel's one exception hierarchy; each error knows the HTTP status and code it answers with."""

from __future__ import annotations


class ReelError(Exception):
    """Base of every error Reel raises on purpose."""

    status = 500
    code = "internal_error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def to_json(self) -> dict[str, object]:
        """The JSON error body sent to clients."""
        body: dict[str, object] = {"code": self.code, "message": self.message}
        if self.field is not None:
            body["field"] = self.field
        return {"error": body}


class BadRequest(ReelError):
    """Input that cannot be accepted as sent (malformed, wrong types, bad ids)."""

    status = 400
    code = "bad_request"


class InvalidField(BadRequest):
    """One field of the input has the wrong type or value; `field` names it."""

    code = "invalid_field"


class PayloadTooLarge(ReelError):
    """Body over the compressed or decompressed cap."""

    status = 413
    code = "payload_too_large"


class UnsupportedMediaType(ReelError):
    """Content type or encoding Reel does not take."""

    status = 415
    code = "unsupported_media_type"


class Unauthorized(ReelError):
    """Missing or unknown credentials (app key, login, token)."""

    status = 401
    code = "unauthorized"


class Forbidden(ReelError):
    """Known caller, not allowed (origin not allowed, role too weak)."""

    status = 403
    code = "forbidden"


class NotFound(ReelError):
    """No such object, or not one the caller may see."""

    status = 404
    code = "not_found"


class Conflict(ReelError):
    """The request contradicts stored state (for example a recording owned by another app)."""

    status = 409
    code = "conflict"


class Gone(ReelError):
    """The object existed and was deleted; the message says why and when."""

    status = 410
    code = "gone"


class RequestTimeout(ReelError):
    """The client sent its request body too slowly; the connection is closed to free the worker."""

    status = 408
    code = "request_timeout"


class RateLimited(ReelError):
    """Too many requests for one key; retry after `retry_after` seconds."""

    status = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class StorageUnavailable(ReelError):
    """A store failed; nothing was acknowledged. Clients retry after `retry_after` seconds."""

    status = 503
    code = "storage_unavailable"

    def __init__(self, message: str, *, retry_after: int = 5) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class BlobNotFound(NotFound):
    """A replay blob key that the replay store does not hold."""

    code = "blob_not_found"


class LeaseLost(Conflict):
    """A worker wrote under a lease another worker has taken since: its work is dropped, not merged."""

    code = "lease_lost"
