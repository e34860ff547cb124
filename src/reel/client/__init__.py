"""A Python client for Reel's operator API, for scripts and notebooks (needs only httpx).

    from reel.client import Reel
    reel = Reel("https://reel.example", token="reel_…")
    session = next(reel.sessions(user_id="user-42"))
    session.at(12_000)   # in Jupyter: the player, paused 12 s in

See docs/client.md.
"""

from reel.client.api import Reel
from reel.client.errors import (
    ApiError,
    AuthenticationFailed,
    ClientError,
    InvalidRequest,
    NotFound,
    PermissionDenied,
    RateLimited,
    ReelUnreachable,
    ServerError,
    SessionDeleted,
)
from reel.client.models import Action, Application, Chunk, Deletion, Page, Part, PlayerView, Session

__all__ = [
    "Action",
    "ApiError",
    "Application",
    "AuthenticationFailed",
    "Chunk",
    "ClientError",
    "Deletion",
    "InvalidRequest",
    "NotFound",
    "Page",
    "Part",
    "PermissionDenied",
    "PlayerView",
    "RateLimited",
    "Reel",
    "ReelUnreachable",
    "ServerError",
    "Session",
    "SessionDeleted",
]
