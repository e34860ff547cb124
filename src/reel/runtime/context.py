"""The shared context every route reads: settings, the stores and the clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.requests import HTTPConnection

from reel.clock import Clock
from reel.config import Settings
from reel.runtime.cache import SizedCache
from reel.runtime.ratelimit import RateLimiter, UnlimitedLimiter
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
    replay_cache: SizedCache[Any] = field(
        default_factory=lambda: SizedCache(max_bytes=128 << 20, max_entries=64)
    )
    """What the read path keeps between requests: masked replay data per rules version (reel.replay)."""


def get_context(conn: HTTPConnection) -> ReelContext:
    """The context of the app serving this request (usable as a FastAPI dependency)."""
    ctx: ReelContext = conn.app.state.reel
    return ctx
