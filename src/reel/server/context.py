"""The shared context every route reads: settings, the stores and the clock."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from starlette.requests import HTTPConnection

from reel.clock import Clock
from reel.config import Settings

if TYPE_CHECKING:
    from reel.storage.operator_store import OperatorStore
    from reel.storage.replay_store import ReplayStore
    from reel.storage.session_store import SessionStore


@dataclass(frozen=True)
class ReelContext:
    """What a running Reel holds; created once by the app factory and kept on `app.state.reel`."""

    settings: Settings
    sessions: SessionStore
    blobs: ReplayStore
    clock: Clock
    operators: OperatorStore


def get_context(conn: HTTPConnection) -> ReelContext:
    """The context of the app serving this request (usable as a FastAPI dependency)."""
    ctx: ReelContext = conn.app.state.reel
    return ctx
