"""App key and Origin checks for beacons (pure)."""

from __future__ import annotations

from urllib.parse import urlsplit

from reel.errors import Forbidden, Unauthorized
from reel.storage.records import Application

_DEFAULT_PORTS = {"http": 80, "https": 443}
# One body for every app-key failure, so a caller cannot tell unknown keys from disabled ones.
UNKNOWN_KEY_MESSAGE = "missing, unknown or disabled app key"


def normalise_origin(value: str) -> str | None:
    """`scheme://host[:port]` in lower case without a default port, or None if `value` is no origin."""
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    if port is None or port == _DEFAULT_PORTS[parts.scheme]:
        return f"{parts.scheme}://{host}"
    return f"{parts.scheme}://{host}:{port}"


def check_app(app: Application | None) -> Application:
    """The application if it exists and is enabled; otherwise 401 with the one shared message."""
    if app is None or not app.enabled:
        raise Unauthorized(UNKNOWN_KEY_MESSAGE)
    return app


def check_origin(app: Application, origin: str | None) -> str:
    """The normalised Origin if the application allows it; otherwise 403."""
    if not origin or origin.strip() == "null":
        raise Forbidden("the Origin header is missing or null")
    normalised = normalise_origin(origin)
    allowed = {normalise_origin(o) for o in app.origins}
    if normalised is None or normalised not in allowed:
        raise Forbidden(f"origin {origin!r} is not allowed for this application")
    return normalised
