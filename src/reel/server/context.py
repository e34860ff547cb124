"""The shared context every route reads: settings, the stores and the clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from starlette.requests import HTTPConnection

from reel.clock import Clock
from reel.config import Settings
from reel.ingest.ratelimit import RateLimiter, UnlimitedLimiter
from reel.server.masked_streams import MaskedStreams
from reel.storage.memory_resources import MemoryResourceStore
from reel.storage.memory_rules import MemoryRuleStore

if TYPE_CHECKING:
    from reel.storage.operator_store import OperatorStore
    from reel.storage.replay_store import ReplayStore
    from reel.storage.resource_store import ResourceStore
    from reel.storage.rule_store import RuleStore
    from reel.storage.session_store import SessionStore


@dataclass(frozen=True)
class ReelContext:
    """What a running Reel holds; created once by the app factory and kept on `app.state.reel`."""

    settings: Settings
    sessions: SessionStore
    blobs: ReplayStore
    clock: Clock
    operators: OperatorStore
    limiter: RateLimiter = field(default_factory=UnlimitedLimiter)
    """Beacon rate limits per application (in-process unless a shared limiter is passed in)."""
    resources: ResourceStore = field(default_factory=MemoryResourceStore)
    """Captured resources: URL rows per recording, copies by content hash, per-app resource settings."""
    rules: RuleStore = field(default_factory=MemoryRuleStore)
    """Masking rules per application, a version per change (docs/contracts/masking-rules.md)."""
    masked: MaskedStreams = field(default_factory=MaskedStreams)
    """Replay streams masked with the current rules, kept while they are played (see its module)."""


def get_context(conn: HTTPConnection) -> ReelContext:
    """The context of the app serving this request (usable as a FastAPI dependency)."""
    ctx: ReelContext = conn.app.state.reel
    return ctx
