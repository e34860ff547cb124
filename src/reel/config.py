"""Settings from command-line options and REEL_* environment variables, with the brief's defaults (§5)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

KIB = 1024
MIB = 1024 * KIB

# An origin a page embedding the player may have: scheme, host (a leading `*.` allowed), optional port.
_FRAME_ANCESTOR = re.compile(r"https?://(\*\.)?[A-Za-z0-9.-]+(:[0-9]{1,5})?")


@dataclass(frozen=True)
class Limits:
    """Ingest caps (brief §5): Sentry Relay's 10 MiB compressed / 100 MiB decompressed."""

    max_body_bytes: int = 10 * MIB
    max_decompressed_bytes: int = 100 * MIB
    max_events_per_beacon: int = 100_000
    max_nesting_depth: int = 2_000
    beacons_per_second: float = 200.0
    """Sustained beacons per second per application (token bucket refill rate); 0 turns the limit off.
    200/s is 1,000 concurrent sessions flushing every 5 s; larger sites raise it."""
    beacon_burst: int = 1_000
    """Beacons an application may send at once above the sustained rate (token bucket size): room for
    hundreds of tabs flushing together on unload, whose keepalive beacons cannot wait for a retry."""
    body_idle_timeout_s: float = 10.0
    """Longest wait for the next piece of a beacon body before answering 408 (slow clients)."""
    body_total_timeout_s: float = 60.0
    """Longest time to receive a whole beacon body before answering 408."""


@dataclass(frozen=True)
class SessionPolicy:
    """Session model defaults (brief §5), overridable per application later."""

    idle_timeout_ms: int = 30 * 60 * 1000
    split_after_actions: int = 200
    split_after_ms: int = 8 * 60 * 60 * 1000
    retention_days: int = 30


@dataclass(frozen=True)
class Settings:
    """Everything `reel serve` needs to run."""

    data_dir: Path = Path(".reel-data")
    host: str = "127.0.0.1"
    port: int = 8700
    database_url: str = ""
    blob_url: str = ""
    limits: Limits = field(default_factory=Limits)
    sessions: SessionPolicy = field(default_factory=SessionPolicy)
    drain_seconds: float = 5.0
    """On SIGTERM, how long `/readyz` answers 503 while requests are still served, before shutting down."""
    keep_alive_timeout_s: int = 5
    """How long an idle keep-alive connection stays open."""
    frame_ancestors: tuple[str, ...] = ()
    """Origins allowed to embed the player page (`/sessions/{id}`) in a frame, e.g. a notebook server;
    none by default, so no page may frame Reel."""

    @property
    def resolved_database_url(self) -> str:
        """The session store URL; SQLite in the data directory unless set."""
        return self.database_url or f"sqlite:///{(self.data_dir / 'reel.sqlite3').resolve()}"

    @property
    def resolved_blob_url(self) -> str:
        """The replay store URL; files under the data directory unless set."""
        return self.blob_url or f"file://{(self.data_dir / 'blobs').resolve()}"

    def with_overrides(self, **changes: object) -> Settings:
        """A copy with the given non-None fields replaced."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})  # type: ignore[arg-type]


def parse_frame_ancestors(text: str) -> tuple[str, ...]:
    """Origins separated by spaces or commas; raises ValueError for anything that is not an http(s)
    origin (a quote or a semicolon would change the Content-Security-Policy it goes into)."""
    origins = tuple(part.rstrip("/") for part in re.split(r"[\s,]+", text) if part)
    for origin in origins:
        if _FRAME_ANCESTOR.fullmatch(origin) is None:
            raise ValueError(f"REEL_FRAME_ANCESTORS: {origin!r} is not an origin like http://localhost:8888")
    return origins


def settings_from_env(env: dict[str, str] | None = None) -> Settings:
    """Read REEL_DATA_DIR, REEL_HOST, REEL_PORT, REEL_DATABASE_URL, REEL_BLOB_URL, REEL_DRAIN_SECONDS,
    REEL_BEACONS_PER_SECOND, REEL_BEACON_BURST and REEL_FRAME_ANCESTORS."""
    env = dict(os.environ) if env is None else env
    base = Settings()
    limits = replace(
        base.limits,
        beacons_per_second=float(env.get("REEL_BEACONS_PER_SECOND", str(base.limits.beacons_per_second))),
        beacon_burst=int(env.get("REEL_BEACON_BURST", str(base.limits.beacon_burst))),
    )
    return Settings(
        data_dir=Path(env.get("REEL_DATA_DIR", str(base.data_dir))),
        host=env.get("REEL_HOST", base.host),
        port=int(env.get("REEL_PORT", str(base.port))),
        database_url=env.get("REEL_DATABASE_URL", ""),
        blob_url=env.get("REEL_BLOB_URL", ""),
        limits=limits,
        drain_seconds=float(env.get("REEL_DRAIN_SECONDS", str(base.drain_seconds))),
        frame_ancestors=parse_frame_ancestors(env.get("REEL_FRAME_ANCESTORS", "")),
    )
