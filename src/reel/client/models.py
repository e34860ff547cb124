"""What the client returns: frozen records parsed from the operator API's JSON.

The JSON is documented in docs/contracts/operator-api.md; fields the API adds later are kept in `raw`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from html import escape
from typing import Any, Generic, TypeVar

T = TypeVar("T")

PLAYER_HEIGHT_PX = 560


@dataclass(frozen=True)
class Segment:
    """A window of a session the player loads in one request (`Reel.segment`): its time range."""

    n: int
    start: int
    end: int


@dataclass(frozen=True)
class Gap:
    """A run of beacons that never arrived, and the time it covers."""

    from_seq: int
    to_seq: int
    start: int
    end: int


@dataclass(frozen=True)
class Part:
    """One part of a split session."""

    id: str
    part: int
    start: int
    end: int


@dataclass(frozen=True)
class Session:
    """One session; `segments`, `gaps` and `parts` are filled by `Reel.session(id)`, empty in search results.

    In Jupyter a session shows as Reel's player at its start; `session.at(ms)` shows another moment.
    """

    id: str
    app_id: str
    recording_id: str
    part: int
    start: int
    end: int
    duration_ms: int
    first_url: str
    last_url: str
    pages: int
    events: int
    has_replay: bool
    closed: bool
    close_reason: str
    user_id: str | None
    actions: int
    errors: int
    rage_clicks: int
    dead_clicks: int
    platform: str
    missing_beacons: int
    player_url: str
    """The player page of this session on the Reel it came from."""
    segments: tuple[Segment, ...] = ()
    gaps: tuple[Gap, ...] = ()
    parts: tuple[Part, ...] = ()
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)
    """The session's JSON as the API answered it (fields added later by the API appear here)."""

    @classmethod
    def from_json(cls, doc: Mapping[str, Any], player_url: str) -> Session:
        """A session from its API JSON; `player_url` is where its player page is."""
        return cls(
            id=str(doc["id"]),
            app_id=str(doc["app_id"]),
            recording_id=str(doc["recording_id"]),
            part=int(doc["part"]),
            start=int(doc["start"]),
            end=int(doc["end"]),
            duration_ms=int(doc["duration_ms"]),
            first_url=str(doc.get("first_url", "")),
            last_url=str(doc.get("last_url", "")),
            pages=int(doc.get("pages", 0)),
            events=int(doc.get("events", 0)),
            has_replay=bool(doc.get("has_replay", False)),
            closed=bool(doc.get("closed", False)),
            close_reason=str(doc.get("close_reason", "")),
            user_id=doc.get("user_id") or None,
            actions=int(doc.get("actions", 0)),
            errors=int(doc.get("errors", 0)),
            rage_clicks=int(doc.get("rage_clicks", 0)),
            dead_clicks=int(doc.get("dead_clicks", 0)),
            platform=str(doc.get("platform", "web")),
            missing_beacons=int(doc.get("missing_beacons", 0)),
            player_url=player_url,
            segments=tuple(_segment(c) for c in doc.get("segments", ())),
            gaps=tuple(_gap(g) for g in doc.get("gaps", ())),
            parts=tuple(
                Part(id=str(p["id"]), part=int(p["part"]), start=int(p["start"]), end=int(p["end"]))
                for p in doc.get("parts", ())
            ),
            raw=dict(doc),
        )

    def at(self, ms: int) -> PlayerView:
        """The player opened paused `ms` milliseconds into the session (for display in Jupyter)."""
        return PlayerView(self, max(0, int(ms)))

    def _repr_html_(self) -> str:
        return self.at(0)._repr_html_()


@dataclass(frozen=True)
class PlayerView:
    """A session's player at one moment; Jupyter shows it as the embedded player with a link beside."""

    session: Session
    ms: int

    @property
    def url(self) -> str:
        """The player page opened at this moment (`/sessions/{id}?t=MS`)."""
        return f"{self.session.player_url}?t={self.ms}"

    def _repr_html_(self) -> str:
        url = escape(self.url, quote=True)
        title = escape(f"Reel session {self.session.id} at {self.ms} ms", quote=True)
        # Reel lets only REEL_FRAME_ANCESTORS embed the player; the link works whatever the setting.
        return (
            f'<iframe src="{url}" title="{title}" width="100%" height="{PLAYER_HEIGHT_PX}" '
            'style="border:1px solid #ccc" loading="lazy"></iframe>'
            f'<p><a href="{url}" target="_blank" rel="noopener">Open session {escape(self.session.id)} '
            f"at {self.ms} ms in Reel</a></p>"
        )


@dataclass(frozen=True)
class Action:
    """One action of a session (load, navigation, click, input, error, identify, custom event…)."""

    ts: int
    kind: str
    url: str
    target: str
    label: str
    data: Mapping[str, Any]

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> Action:
        """An action from its API JSON."""
        data = doc.get("data")
        return cls(
            ts=int(doc["ts"]),
            kind=str(doc["kind"]),
            url=str(doc.get("url") or ""),
            target=str(doc.get("target") or ""),
            label=str(doc.get("label") or ""),
            data=data if isinstance(data, dict) else {},
        )


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of search results: the items, and how many match in all."""

    items: tuple[T, ...]
    total: int
    offset: int
    limit: int

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def has_more(self) -> bool:
        """Whether more results follow this page."""
        return self.offset + len(self.items) < self.total


@dataclass(frozen=True)
class Deletion:
    """What a deletion removed: the sessions (ids), how many recordings, and its audit log entry."""

    sessions: tuple[str, ...]
    recordings: int
    audit_id: int | None
    already_deleted: Mapping[str, Any] | None = None

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> Deletion:
        """A deletion outcome from its API JSON."""
        audit = doc.get("audit_id")
        return cls(
            sessions=tuple(str(s) for s in doc.get("sessions", ())),
            recordings=int(doc.get("recordings", 0)),
            audit_id=int(audit) if audit is not None else None,
            already_deleted=doc.get("already_deleted"),
        )


@dataclass(frozen=True)
class Application:
    """An application Reel records (its app key goes in the snippet)."""

    id: str
    name: str
    app_key: str
    origins: tuple[str, ...]
    retention_days: int
    mobile: bool

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> Application:
        """An application from its API JSON."""
        return cls(
            id=str(doc["id"]),
            name=str(doc["name"]),
            app_key=str(doc["app_key"]),
            origins=tuple(str(o) for o in doc.get("origins", ())),
            retention_days=int(doc.get("retention_days", 30)),
            mobile=bool(doc.get("mobile", False)),
        )


def _segment(doc: Mapping[str, Any]) -> Segment:
    return Segment(n=int(doc["n"]), start=int(doc["start"]), end=int(doc["end"]))


def _gap(doc: Mapping[str, Any]) -> Gap:
    return Gap(
        from_seq=int(doc["from_seq"]), to_seq=int(doc["to_seq"]), start=int(doc["start"]), end=int(doc["end"])
    )
