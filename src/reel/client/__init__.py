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
from reel.client.models import Action, Application, Deletion, Gap, Page, Part, PlayerView, Segment, Session

__all__ = [
    "Action",
    "ApiError",
    "Application",
    "AuthenticationFailed",
    "ClientError",
    "Deletion",
    "Gap",
    "InvalidRequest",
    "NotFound",
    "Page",
    "Part",
    "PermissionDenied",
    "PlayerView",
    "RateLimited",
    "Reel",
    "ReelUnreachable",
    "Segment",
    "ServerError",
    "Session",
    "SessionDeleted",
]
