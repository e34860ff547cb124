"""App key and Origin checks for beacons (pure)."""

from __future__ import annotations

from functools import lru_cache

from reel.domain.origins import normalise_origin
from reel.domain.records import Application
from reel.errors import Forbidden, Unauthorized

# One body for every app-key failure, so a caller cannot tell unknown keys from disabled ones.
UNKNOWN_KEY_MESSAGE = "missing, unknown or disabled app key"


def check_app(app: Application | None) -> Application:
    """The application if it exists and is enabled; otherwise 401 with the one shared message."""
    if app is None or not app.enabled:
        raise Unauthorized(UNKNOWN_KEY_MESSAGE)
    return app


def check_origin(app: Application, origin: str | None) -> str:
    """The normalised Origin if the application allows it; otherwise 403."""
    if not origin or origin.strip() == "null":
        raise Forbidden("the Origin header is missing or null")
    # Only Origins a host name could make are kept: a client may send long made-up ones.
    normalised = _normalised(origin) if len(origin) <= _KEPT_ORIGIN_CHARS else normalise_origin(origin)
    if normalised is None or normalised not in _allowed(app.origins):
        raise Forbidden(f"origin {origin!r} is not allowed for this application")
    return normalised


# Every beacon is checked, and the Origins and lists seen are few: parsing them again (urlsplit) cost a
# few percent of a beacon's CPU. Bounded in entries and, by _KEPT_ORIGIN_CHARS, in bytes (~1.2 MB), so
# a client sending ever new Origins cannot grow it.
_KEPT_ORIGIN_CHARS = 300  # scheme, a host name of at most 253 characters, a port


@lru_cache(maxsize=4096)
def _normalised(origin: str) -> str | None:
    return normalise_origin(origin)


@lru_cache(maxsize=1024)
def _allowed(origins: tuple[str, ...]) -> frozenset[str | None]:
    return frozenset(normalise_origin(o) for o in origins)
