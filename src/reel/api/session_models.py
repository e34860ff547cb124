"""The response schemas of the session routes (docs/contracts/operator-api.md), for the OpenAPI document.

The routes write their JSON with orjson directly (the list is hot); these models say what it holds.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class SessionOut(BaseModel):
    """One session as the list and the player see it."""

    id: str
    app_id: str
    recording_id: str
    client_session_id: str
    part: int = Field(description="1 for a session that was not split; k for the k-th part")
    start: int = Field(description="ms since the epoch")
    end: int
    duration_ms: int
    first_url: str
    last_url: str
    pages: int
    beacons: int
    missing_beacons: int
    events: int
    has_replay: bool
    closed: bool
    close_reason: str
    created_at: int
    user_id: str = Field(description="The id given to identify(); '' for an anonymous user")
    actions: int
    errors: int
    rage_clicks: int
    dead_clicks: int
    platform: str
    rules_version: int
    browser: str = Field(description="Browser and major version ('Chrome 131'); '' when unknown")
    os: str = Field(description="Operating system ('Windows', 'macOS', 'iOS', 'Android', 'Linux' …)")
    device: str = Field(description="'desktop', 'mobile', 'tablet', or '' when unknown")
    viewport_width: int = Field(description="CSS pixels of the first page's viewport (0: unknown)")
    viewport_height: int
    language: str = Field(description="The browser's language, a BCP 47 tag ('en-GB')")
    timezone: str = Field(description="The browser's IANA time zone ('Europe/Paris')")
    referrer: str = Field(description="Where the visit came from, under the application's URL rules")
    traits: dict[str, Any] = Field(description="The traits of the last identify() call, as sent")


class SessionList(BaseModel):
    """One page of the session search."""

    sessions: list[SessionOut]
    total: int


class SegmentRef(BaseModel):
    """A window of the session the player fetches in one request."""

    n: int
    start: int
    end: int


class GapOut(BaseModel):
    """A run of missing beacons, between the last event before and the first event after it."""

    from_seq: int
    to_seq: int
    start: int
    end: int


class PartOut(BaseModel):
    """One part of a split session."""

    id: str
    part: int
    start: int
    end: int


class IdleOut(BaseModel):
    """A stretch without user interaction (over 5 s), found in processing; the player may skip it."""

    start: int = Field(description="The last interaction before it (ms since the epoch)")
    end: int = Field(description="The next interaction, or the session's last event so far")


class SessionDetail(SessionOut):
    """One session with what the player needs to load it."""

    segments: list[SegmentRef]
    gaps: list[GapOut]
    parts: list[PartOut]
    idle: list[IdleOut]
