"""Settings from command-line options and REEL_* environment variables, with the brief's defaults (§5)."""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

LogFormat = Literal["text", "json"]
LOG_FORMATS: tuple[LogFormat, ...] = ("text", "json")

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
    public_url: str = ""
    """The URL pages and operators reach Reel at (behind a reverse proxy, e.g. https://reel.example);
    the snippet loads the recorder from there. Unset: http://HOST:PORT for the CLI, the request's own
    URL for the Applications page."""
    serve_work: bool = True
    """Whether `reel serve` also runs processing, compaction, resource capture and the purge (the embedded
    default: in a child `reel worker` it supervises, reel.server.work_process); off where `reel worker`
    processes do that work."""
    log_format: LogFormat = "text"
    """`text` or `json`: one JSON object per line; either way one `reel.access` line per request."""
    log_beacons: bool = False
    """Whether accepted beacons get an access line each too; off, they are counted in `/metrics` only
    (refused ones are always logged)."""
    metrics: bool = True
    """Serve Prometheus metrics at `/metrics`; off answers 404 there."""
    metrics_token: str = ""
    """When set, `/metrics` answers only requests with `Authorization: Bearer <token>`."""
    trusted_proxies: tuple[str, ...] = ()
    """Addresses or networks of the reverse proxies in front of Reel: only connections from them may set
    the client's address and scheme with `X-Forwarded-For` / `X-Forwarded-Proto` (the login throttle
    counts per address). None by default: the headers are ignored."""
    metrics_dir: str = ""
    """A directory shared by every Reel process on the machine (prometheus_client's multiprocess mode):
    `/metrics` of any of them then counts for all. Unset: each process counts for itself. Read from the
    environment only, since it must be known before the first metric exists (reel.runtime.metrics)."""

    def snippet_base_url(self) -> str:
        """Where the snippet printed by the CLI loads the recorder from: `public_url`, else HOST:PORT."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def resolved_database_url(self) -> str:
        """The session store URL; SQLite in the data directory unless set."""
        return self.database_url or f"sqlite:///{(self.data_dir / 'reel.sqlite3').resolve()}"

    @property
    def resolved_blob_url(self) -> str:
        """The replay store URL; files under the data directory unless set."""
        return self.blob_url or f"file://{(self.data_dir / 'blobs').resolve()}"

    @property
    def stores_described(self) -> str:
        """Where the data lives, for people: the data directory, or the two store URLs without secrets."""
        if not self.database_url and not self.blob_url:
            return str(self.data_dir.resolve())
        return f"{shown_url(self.resolved_database_url)} and {shown_url(self.resolved_blob_url)}"

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


def parse_trusted_proxies(text: str) -> tuple[str, ...]:
    """IP addresses or networks (`127.0.0.1`, `10.0.0.0/8`, `::1`) separated by spaces or commas;
    raises ValueError for anything else (`*` included: trusting every client defeats the purpose)."""
    out: list[str] = []
    for part in re.split(r"[\s,]+", text.strip()):
        if not part:
            continue
        try:
            out.append(
                str(ipaddress.ip_network(part, strict=False))
                if "/" in part
                else str(ipaddress.ip_address(part))
            )
        except ValueError:
            raise ValueError(f"REEL_TRUSTED_PROXIES: {part!r} is not an IP address or network") from None
    return tuple(out)


def parse_public_url(text: str) -> str:
    """An http(s) URL without a trailing slash, or "" for none; raises ValueError otherwise."""
    url = text.strip().rstrip("/")
    if url and re.fullmatch(r"https?://[A-Za-z0-9.\[\]:-]+(/[A-Za-z0-9._~/-]*)?", url) is None:
        raise ValueError(f"REEL_PUBLIC_URL: {text!r} is not a URL like https://reel.example")
    return url


def parse_log_format(text: str) -> LogFormat:
    """`text` or `json`; raises ValueError otherwise."""
    for value in LOG_FORMATS:
        if text == value:
            return value
    raise ValueError(f"REEL_LOG_FORMAT: {text!r} is not one of {', '.join(LOG_FORMATS)}")


_PARSERS: dict[str, Callable[[str], object]] = {
    "frame_ancestors": parse_frame_ancestors,
    "trusted_proxies": parse_trusted_proxies,
    "public_url": parse_public_url,
    "log_format": parse_log_format,
}
"""The settings read from their variable's text by a parser of their own (each names its variable in
its errors)."""


_SECRET_PARAMETERS = ("password", "secret_access_key", "session_token", "access_key_id")


def shown_url(url: str) -> str:
    """A store URL fit to print or log: its password and credential parameters replaced by `***`."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        user = userinfo.split(":", 1)[0]
        netloc = f"{user}:***@{host}" if ":" in userinfo else netloc
    query = "&".join(
        f"{name}=***" if name.lower() in _SECRET_PARAMETERS else f"{name}={value}" if value else name
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def parse_switch(name: str, text: str) -> bool:
    """`on`/`off` (also true/false, 1/0, yes/no); raises ValueError otherwise."""
    lowered = text.strip().lower()
    if lowered in ("on", "true", "1", "yes"):
        return True
    if lowered in ("off", "false", "0", "no"):
        return False
    raise ValueError(f"{name}: {text!r} is neither on nor off")


_BASE = Settings()


class EnvSettings(BaseModel):
    """The REEL_* environment variables as a pydantic model: types, bounds and formats checked in one
    place, each error naming its variable. Unset variables keep the defaults of `Settings`."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    data_dir: Path = Field(_BASE.data_dir, alias="REEL_DATA_DIR")
    host: str = Field(_BASE.host, alias="REEL_HOST")
    port: int = Field(_BASE.port, alias="REEL_PORT", ge=0, le=65535)
    database_url: str = Field("", alias="REEL_DATABASE_URL")
    blob_url: str = Field("", alias="REEL_BLOB_URL")
    beacons_per_second: float = Field(_BASE.limits.beacons_per_second, alias="REEL_BEACONS_PER_SECOND", ge=0)
    beacon_burst: int = Field(_BASE.limits.beacon_burst, alias="REEL_BEACON_BURST", ge=0)
    split_after_actions: int = Field(
        _BASE.sessions.split_after_actions, alias="REEL_SPLIT_AFTER_ACTIONS", ge=1
    )
    drain_seconds: float = Field(_BASE.drain_seconds, alias="REEL_DRAIN_SECONDS", ge=0)
    frame_ancestors: tuple[str, ...] = Field((), alias="REEL_FRAME_ANCESTORS")
    public_url: str = Field("", alias="REEL_PUBLIC_URL")
    log_format: LogFormat = Field(_BASE.log_format, alias="REEL_LOG_FORMAT")
    log_beacons: bool = Field(False, alias="REEL_LOG_BEACONS")
    metrics: bool = Field(True, alias="REEL_METRICS")
    metrics_token: str = Field("", alias="REEL_METRICS_TOKEN")
    metrics_dir: str = Field("", alias="REEL_METRICS_DIR")
    trusted_proxies: tuple[str, ...] = Field((), alias="REEL_TRUSTED_PROXIES")
    serve_work: bool = Field(True, alias="REEL_SERVE_WORK")

    @field_validator(*_PARSERS, mode="before")
    @classmethod
    def _parsed(cls, value: object, info: ValidationInfo) -> object:
        return _PARSERS[info.field_name or ""](value) if isinstance(value, str) else value

    @field_validator("log_beacons", "metrics", "serve_work", mode="before")
    @classmethod
    def _switch(cls, value: object, info: ValidationInfo) -> object:
        name = cls.model_fields[info.field_name or ""].alias or ""
        return parse_switch(name, value) if isinstance(value, str) else value

    def settings(self) -> Settings:
        """The settings these variables give."""
        return Settings(
            data_dir=self.data_dir,
            host=self.host,
            port=self.port,
            database_url=self.database_url,
            blob_url=self.blob_url,
            limits=replace(
                _BASE.limits, beacons_per_second=self.beacons_per_second, beacon_burst=self.beacon_burst
            ),
            sessions=replace(_BASE.sessions, split_after_actions=self.split_after_actions),
            drain_seconds=self.drain_seconds,
            frame_ancestors=self.frame_ancestors,
            public_url=self.public_url,
            log_format=self.log_format,
            log_beacons=self.log_beacons,
            metrics=self.metrics,
            metrics_token=self.metrics_token,
            metrics_dir=self.metrics_dir,
            trusted_proxies=self.trusted_proxies,
            serve_work=self.serve_work,
        )


def settings_from_env(env: Mapping[str, str] | None = None) -> Settings:
    """Read every REEL_* variable of the configuration reference (reel.config_reference); ValueError naming
    the variable for a value that is not one it takes."""
    env = os.environ if env is None else env
    try:
        read = EnvSettings.model_validate({k: v for k, v in env.items() if k.startswith("REEL_")})
    except ValidationError as exc:
        raise ValueError(_first_error(exc)) from None
    return read.settings()


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    name = ".".join(str(part) for part in error["loc"])
    cause = (error.get("ctx") or {}).get("error")
    if isinstance(cause, ValueError) and str(cause).startswith(name):
        return str(cause)  # our own parsers name the variable already
    return f"{name}: {error['input']!r} is not valid ({error['msg'].lower()})"
