"""The shared context every route reads: settings, the stores and the clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.requests import HTTPConnection

from reel.clock import Clock, SystemClock
from reel.config import Settings
from reel.runtime.cache import SizedCache
from reel.runtime.priority import IngestPriority
from reel.runtime.ratelimit import RateLimiter, UnlimitedLimiter
from reel.runtime.throttle import LoginThrottle
from reel.storage.group_commit import GroupCommitter
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
    committer: GroupCommitter
    """Saves accepted beacons in groups (one transaction for the beacons that arrive together)."""
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
    login_throttle: LoginThrottle = field(default_factory=LoginThrottle)
    """Failed logins per name and address (in-process unless the processes share PostgreSQL)."""
    lookups: SizedCache[Any] = field(
        default_factory=lambda: SizedCache(max_bytes=1 << 62, max_entries=100_000)
    )
    """What ingest looks up for every beacon and rarely changes: applications by key, recordings' owners
    and clock offsets (reel.ingest.lookups)."""
    priority: IngestPriority = field(default_factory=IngestPriority)
    """Beacon arrivals, which background work in this process gives way to (reel.runtime.priority)."""


def get_context(conn: HTTPConnection) -> ReelContext:
    """The context of the app serving this request (usable as a FastAPI dependency)."""
    ctx: ReelContext = conn.app.state.reel
    return ctx


def open_context(
    settings: Settings,
    *,
    sessions: SessionStore | None = None,
    blobs: ReplayStore | None = None,
    clock: Clock | None = None,
    operators: OperatorStore | None = None,
    limiter: RateLimiter | None = None,
    resources: ResourceStore | None = None,
    rules: RuleStore | None = None,
) -> ReelContext:
    """A context on the stores `settings` name, except those passed in (tests, tools)."""
    from reel.runtime.ratelimit import limiter_for
    from reel.storage.factory import (
        open_operator_store,
        open_replay_store,
        open_resource_store,
        open_rule_store,
        open_session_store,
    )
    from reel.storage.urls import scheme_of

    database = settings.resolved_database_url
    sessions = sessions if sessions is not None else open_session_store(database)
    shared = scheme_of(database).startswith("postgres")
    return ReelContext(
        settings=settings,
        sessions=sessions,
        blobs=blobs if blobs is not None else open_replay_store(settings.resolved_blob_url),
        clock=clock if clock is not None else SystemClock(),
        # Operators, rules and resources live in the session store's database: one URL, one backup.
        operators=operators if operators is not None else open_operator_store(database),
        committer=GroupCommitter(sessions),
        # One process on SQLite counts quotas in memory; processes sharing PostgreSQL count them there.
        limiter=limiter
        if limiter is not None
        else limiter_for(settings.limits, shared=sessions if shared else None),
        # Likewise failed logins: a guesser spread over serve processes gets no more tries than at one.
        login_throttle=LoginThrottle(sessions if shared else None),
        resources=resources if resources is not None else open_resource_store(database),
        rules=rules if rules is not None else open_rule_store(database),
    )


def close_context(ctx: ReelContext) -> None:
    """Save what waits to be saved, then release every store."""
    ctx.committer.close()
    ctx.resources.close()
    ctx.rules.close()
    ctx.sessions.close()
    ctx.operators.close()
