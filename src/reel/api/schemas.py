"""The operator API's answers as pydantic models (docs/contracts/operator-api.md): the OpenAPI document
shows each route's schema from here, so clients can be generated.

Routes answer with orjson (reel.runtime.responses); records with the same fields are turned into JSON
through these models (`from_attributes`), and tests/integration/test_api_schemas.py checks every answer
against its model. Events are rrweb's or the mobile contract's, documented in their own contracts, so
they stay open objects here.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

Event = dict[str, Any]
BINARY = {"schema": {"type": "string", "format": "binary"}}
"""An OpenAPI content entry for a body of bytes (an image, a captured resource)."""


class _Record(BaseModel):
    """Built from a record's attributes (a frozen dataclass) as well as from a dict."""

    model_config = ConfigDict(from_attributes=True)


class SessionSummary(_Record):
    """One session as search lists it."""

    id: str
    app_id: str
    recording_id: str
    client_session_id: str
    part: int = Field(description="1 for a session that was not split; k for the k-th part of a split one")
    start: int = Field(description="ms since the epoch, server time")
    end: int
    duration_ms: int
    first_url: str | None
    last_url: str | None
    pages: int
    beacons: int
    missing_beacons: int = 0
    events: int
    has_replay: bool
    closed: bool
    close_reason: str = Field(description='"", tab_closed, app_closed, idle, silent or split')
    created_at: int
    user_id: str
    actions: int
    errors: int
    rage_clicks: int
    dead_clicks: int
    platform: str = Field(description="web or mobile")
    rules_version: int = Field(description="masking rules version the recorder applied (0: defaults)")
    browser: str = Field("", description="Browser and major version ('Chrome 131'); '' when unknown")
    os: str = Field("", description="Operating system ('Windows', 'macOS', 'iOS', 'Android', 'Linux' …)")
    device: str = Field("", description="desktop, mobile, tablet, or '' when unknown")
    viewport_width: int = Field(0, description="CSS pixels of the first page's viewport (0: unknown)")
    viewport_height: int = 0
    language: str = Field("", description="The browser's language, a BCP 47 tag ('en-GB')")
    timezone: str = Field("", description="The browser's IANA time zone ('Europe/Paris')")
    referrer: str = Field("", description="Where the visit came from, under the application's URL rules")
    traits: dict[str, Any] = Field(
        default_factory=dict, description="The last identify() call's traits, as the application sent them"
    )


class SessionPage(BaseModel):
    """A page of search results and how many sessions match in all."""

    sessions: list[SessionSummary]
    total: int


class SegmentRef(BaseModel):
    """A window of the session the player loads on its own (GET …/segments/{n})."""

    n: int
    start: int
    end: int


class Gap(_Record):
    """A run of missing beacons and the time between the data around it."""

    from_seq: int
    to_seq: int
    start: int
    end: int


class PartRef(BaseModel):
    """One part of a split session."""

    id: str
    part: int
    start: int
    end: int


class IdleOut(BaseModel):
    """A stretch without user interaction (over 5 s), found in processing; the player may skip it."""

    start: int = Field(description="The last interaction before it (ms since the epoch)")
    end: int = Field(description="The next interaction, or the session's last event so far")


class SessionDetail(SessionSummary):
    """One session with its segments, gaps, the parts of its split and its idle periods."""

    segments: list[SegmentRef]
    gaps: list[Gap]
    parts: list[PartRef]
    idle: list[IdleOut] = Field(default_factory=list)


class SegmentEvents(BaseModel):
    """One segment: the state at its start (`head`), then its events, sorted by time."""

    n: int
    start: int
    end: int
    head: list[Event]
    events: list[Event]


class EventList(BaseModel):
    """Events sorted by time (rrweb events for web sessions; the mobile contract's for mobile ones)."""

    events: list[Event]


class ActionOut(BaseModel):
    """One action: when, what kind, on what, on which page, and kind-specific data."""

    ts: int
    kind: str
    url: str
    target: str
    label: str
    data: dict[str, Any]


class ActionList(BaseModel):
    """A session's actions, by time."""

    actions: list[ActionOut]


class ApplicationOut(_Record):
    """An application with its key and, for the web, the snippet that loads the recorder."""

    id: str
    name: str
    app_key: str
    origins: list[str]
    enabled: bool
    retention_days: int
    created_at: int
    mobile: bool
    snippet: str | None = Field(description="null for a mobile application (it records with an SDK)")


class ApplicationUsage(ApplicationOut):
    """An application and the bytes of replay data it stores."""

    stored_bytes: int


class ApplicationList(BaseModel):
    """Applications the caller may see, oldest first."""

    applications: list[ApplicationUsage]


class Consent(BaseModel):
    """Whether the recorder waits for consent, and whether Global Privacy Control counts as a refusal."""

    required: bool
    honor_gpc: bool


class Capture(BaseModel):
    """What the recorder reports besides the page: console levels, failed and slow requests."""

    console: list[str] = Field(description="console levels reported: log, info, warn, error, debug")
    network: bool = Field(description="whether failed and slow fetch/XMLHttpRequest requests are reported")
    slow_ms: int = Field(description="from how long a successful request counts as slow")


class RulesDocument(BaseModel):
    """A masking rules version (docs/contracts/masking-rules.md), with who saved it and when."""

    version: int
    preset: str
    consent: Consent
    capture: Capture
    rules: list[dict[str, Any]]
    updated_by: str | None = Field(description="operator id; null for version 0, Reel's defaults")
    updated_at: int | None


class RulesVersion(BaseModel):
    """A saved version: who saved it, when, and its preset."""

    version: int
    updated_by: str | None
    updated_by_name: str | None
    updated_at: int | None
    preset: str
    restored_from: int | None = Field(description="the earlier version this one restores; null for an edit")


class RulesVersions(BaseModel):
    """Saved versions, newest first."""

    versions: list[RulesVersion]


class RulesVersionDetail(BaseModel):
    """One version's rules document, with who saved it, when, and what it restored."""

    version: int = Field(description="0: Reel's built-in defaults (never saved)")
    preset: str
    consent: Consent
    rules: list[dict[str, Any]] = Field(description="as docs/contracts/masking-rules.md writes them")
    updated_by: str | None = Field(description="operator id; null for version 0")
    updated_by_name: str | None = Field(description="that operator's name; null if unknown or deleted")
    updated_at: int | None = Field(description="ms epoch; null for version 0")
    restored_from: int | None = Field(description="the earlier version this one copies, or null")


class RulesCheck(BaseModel):
    """A draft rules document the server accepts, as it would be stored (no version yet)."""

    ok: bool
    document: dict[str, Any]


class MaskingPreview(BaseModel):
    """One segment of a session masked with draft rules: what the player receives once they are saved."""

    n: int = Field(description="the segment's number, as in GET /api/v1/sessions/{id}")
    start: int
    end: int
    head: list[dict[str, Any]] = Field(description="the state at the segment's start")
    events: list[dict[str, Any]] = Field(description="the segment's events, masked with the draft")
    rules: dict[str, Any] = Field(description="the draft as parsed, without a version")


class TombstoneOut(_Record):
    """What remains of a deleted session: when it was recorded and deleted, and why."""

    session_id: str
    app_id: str
    recorded_at: int
    deleted_at: int
    cause: str = Field(description="retention or request")
    retention_days: int | None


class DeletionResult(BaseModel):
    """What a deletion removed (docs/contracts/retention.md); `already_deleted` when it was gone before."""

    sessions: list[str]
    recordings: int
    audit_id: int
    already_deleted: TombstoneOut | None = None


class AuditEntryOut(_Record):
    """One audited change: who did what, to what, when, and how many sessions it touched."""

    id: int
    at: int
    actor: str
    actor_id: str
    action: str
    app_id: str | None
    target: str
    count: int
    detail: str


class AuditLog(BaseModel):
    """Audit entries, newest first."""

    entries: list[AuditEntryOut]


class ResourceSettingsOut(BaseModel):
    """Where the server fetches an application's resources from."""

    app_id: str
    origins: list[str]
    effective_origins: list[str] = Field(description="the origins set, or the application's page origins")
    allow_private: bool
    updated_at: int | None
