"""Action extraction: rrweb events in, the actions worth listing out (pure, resumable).

Clicks are named from the DOM mirror; rage clicks (reel.processing.rage) and dead clicks
(a click after which nothing changes within 1 s) are found here too. The extractor keeps a little state
between batches, so a rage burst or a dead click's second can span two beacons.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from reel.dom.mirror import DomMirror
from reel.dom.types import EventType, IncrementalSource
from reel.processing.rage import Press, RageDetector
from reel.processing.targets import Target, describe_target

CLICK = 2  # rrweb MouseInteractions.Click
DEAD_WINDOW_MS = 1000
TEXT_MAX = 200
# Identify traits are kept as the application sent them, up to this much JSON (a session row holds them).
TRAITS_MAX_BYTES = 8192
# Sources whose events change what the user sees; any of them after a click makes it alive.
_VISIBLE_CHANGES = frozenset(
    {
        IncrementalSource.MUTATION,
        IncrementalSource.SCROLL,
        IncrementalSource.VIEWPORT_RESIZE,
        IncrementalSource.INPUT,
        IncrementalSource.MEDIA_INTERACTION,
        IncrementalSource.STYLE_SHEET_RULE,
        IncrementalSource.STYLE_DECLARATION,
        IncrementalSource.ADOPTED_STYLE_SHEET,
    }
)
# Clicks on these only focus or open native UI; their effect is not in the DOM, so they are never "dead".
_FIELD_TAGS = frozenset({"input", "select", "textarea", "label", "option"})
_BUTTON_INPUTS = frozenset({"submit", "button", "reset", "image"})


@dataclass(frozen=True)
class Action:
    """One listed action: when, what kind, on what, and the page it happened on."""

    ts: int
    kind: str
    url: str
    target: str = ""
    label: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class _Click:
    ts: int
    x: float
    y: float
    target: Target | None


def _mutation_changes_something(data: Mapping[str, Any]) -> bool:
    return any(data.get(k) for k in ("adds", "removes", "texts", "attributes"))


def _text(value: object, limit: int = TEXT_MAX) -> str:
    return value[:limit] if isinstance(value, str) else ""


class ActionLog:
    """What the web and mobile extractors share: the actions found and not yet drained, each on the page
    (web) or view (mobile) that was current when it happened."""

    def __init__(self, url: str = "") -> None:
        self.url = url
        self._out: list[Action] = []

    def drain(self) -> list[Action]:
        """Actions found since the last drain, in time order."""
        out, self._out = self._out, []
        out.sort(key=lambda a: a.ts)
        return out

    def _add(
        self, ts: int, kind: str, *, target: str = "", label: str = "", data: Mapping[str, Any] | None = None
    ) -> None:
        self._out.append(Action(ts=ts, kind=kind, url=self.url, target=target, label=label, data=data or {}))

    def _add_pointer(
        self, ts: int, kind: str, x: object, y: object, *, target: str = "", label: str = "", **extra: Any
    ) -> None:
        """A click or tap kind of action: where on the screen it was, and what else the kind says."""
        self._add(ts, kind, target=target, label=label, data={"x": x, "y": y, **extra})


class ActionExtractor(ActionLog):
    """Feed events in order (after the mirror has seen them); collect actions with `drain()`."""

    def __init__(self, url: str = "") -> None:
        super().__init__(url)
        self._rage: RageDetector[_Click] = RageDetector()
        self._pending_dead: list[_Click] = []
        self._last_input: int | None = None

    def finish(self) -> list[Action]:
        """End of the stream: clicks still waiting for their second are dead."""
        for click in self._pending_dead:
            self._emit_dead(click)
        self._pending_dead = []
        return self.drain()

    def feed(self, event: Mapping[str, Any], mirror: DomMirror) -> None:
        """Take one event; `mirror` must already have applied it (targets are read from it)."""
        ts = event.get("timestamp")
        kind = event.get("type")
        data = event.get("data")
        if not isinstance(ts, int) or not isinstance(data, Mapping):
            return
        self._settle_dead(ts, event)
        if kind == EventType.META:
            self._on_meta(ts, data)
        elif kind == EventType.CUSTOM:
            self._on_custom(ts, data)
        elif kind == EventType.INCREMENTAL_SNAPSHOT:
            source = data.get("source")
            if source == IncrementalSource.MOUSE_INTERACTION and data.get("type") == CLICK:
                self._on_click(ts, data, mirror)
            elif source == IncrementalSource.INPUT:
                self._on_input(ts, data, mirror)

    def _settle_dead(self, ts: int, event: Mapping[str, Any]) -> None:
        if not self._pending_dead:
            return
        changes = _is_visible_change(event)
        still: list[_Click] = []
        for click in self._pending_dead:
            if ts > click.ts + DEAD_WINDOW_MS:
                self._emit_dead(click)
            elif not (changes and ts >= click.ts):
                still.append(click)
        self._pending_dead = still

    def _emit_dead(self, click: _Click) -> None:
        self._add_click(click, "dead_click")

    def _add_click(self, click: _Click, kind: str, **extra: Any) -> None:
        t = click.target
        target, label = (t.selector, t.label) if t else ("", "")
        self._add_pointer(click.ts, kind, click.x, click.y, target=target, label=label, **extra)

    def _on_meta(self, ts: int, data: Mapping[str, Any]) -> None:
        href = _text(data.get("href"), 2048)
        if href and href != self.url:
            self.url = href
            self._add(ts, "load")
        self._last_input = None

    def _on_custom(self, ts: int, data: Mapping[str, Any]) -> None:
        tag = data.get("tag")
        payload = data.get("payload")
        body: Mapping[str, Any] = payload if isinstance(payload, Mapping) else {}
        if tag == "reel.identify":
            user = _text(body.get("userId"), 200)
            if user:
                traits = _traits(body.get("traits"))
                self._add(ts, "identify", label=user, data={"traits": traits})
        elif tag == "reel.event":
            name = _text(body.get("name"), 200)
            if name:
                self._add(ts, "custom", label=name)
        elif tag == "reel.error" or (tag == "reel.console" and body.get("level") == "error"):
            message = _text(body.get("message")) or "Error"
            self._add(
                ts, "error", label=message, data={"source": _text(body.get("source")) or _first_file(body)}
            )
        elif tag == "reel.network":
            self._on_request(ts, body)
        elif tag == "reel.navigation":
            href = _text(body.get("href"), 2048)
            if href and href != self.url:
                self.url = href
                self._add(ts, "navigation")
        elif tag == "reel.submit":
            self._add(ts, "submit", target=_text(body.get("target")))

    def _on_request(self, ts: int, body: Mapping[str, Any]) -> None:
        """A failed request (status 400 or more, or no response) is an action; a slow one is not."""
        status = body.get("status")
        status = status if isinstance(status, int) and not isinstance(status, bool) else 0
        error = _text(body.get("error"), 20)
        if status < 400 and not error:
            return
        method = _text(body.get("method"), 16) or "GET"
        url = _text(body.get("url"), 2048)
        duration = body.get("duration")
        self._add(
            ts,
            "network_error",
            label=f"{method} {status or error}",
            data={
                "source": url,
                "status": status,
                "method": method,
                "duration": duration if isinstance(duration, int | float) else 0,
            },
        )

    def _on_click(self, ts: int, data: Mapping[str, Any], mirror: DomMirror) -> None:
        node_id = data.get("id")
        target = describe_target(mirror, node_id) if isinstance(node_id, int) else None
        x, y = data.get("x"), data.get("y")
        click = _Click(
            ts,
            float(x) if isinstance(x, int | float) else 0.0,
            float(y) if isinstance(y, int | float) else 0.0,
            target,
        )
        self._add_click(click, "click")
        self._last_input = None
        burst = self._rage.press(Press(ts, click.x, click.y, click))
        if burst is not None:
            self._add_click(burst.first.item, "rage_click", clicks=burst.clicks)
        if _can_be_dead(target):
            self._pending_dead.append(click)

    def _on_input(self, ts: int, data: Mapping[str, Any], mirror: DomMirror) -> None:
        node_id = data.get("id")
        if not isinstance(node_id, int) or node_id == self._last_input:
            return  # keystrokes into the same field are one input action
        self._last_input = node_id
        target = describe_target(mirror, node_id)
        kind = "select" if target is not None and target.tag == "select" else "input"
        self._add(ts, kind, target=target.selector if target else "", label=target.label if target else "")


def _traits(value: object) -> dict[str, Any]:
    """identify()'s traits as sent; larger than TRAITS_MAX_BYTES of JSON, only a note that they were."""
    if not isinstance(value, Mapping) or not value:
        return {}
    try:
        size = len(orjson.dumps(value))
    except TypeError:
        return {}
    if size > TRAITS_MAX_BYTES:
        return {"reel_dropped": f"traits over {TRAITS_MAX_BYTES} bytes"}
    return dict(value)


def _first_file(body: Mapping[str, Any]) -> str:
    """The file of an error's innermost stack frame, for errors without a `source`."""
    frames = body.get("frames")
    first = frames[0] if isinstance(frames, list) and frames else None
    return _text(first.get("file")) if isinstance(first, Mapping) else ""


def _can_be_dead(target: Target | None) -> bool:
    if target is None:
        return True
    if target.tag in _FIELD_TAGS:
        return target.tag == "input" and target.input_type in _BUTTON_INPUTS
    return True


def _is_visible_change(event: Mapping[str, Any]) -> bool:
    kind = event.get("type")
    if kind in (EventType.FULL_SNAPSHOT, EventType.META):
        return True
    if kind == EventType.CUSTOM:
        data = event.get("data")
        return isinstance(data, Mapping) and data.get("tag") == "reel.navigation"
    if kind != EventType.INCREMENTAL_SNAPSHOT:
        return False
    data = event.get("data")
    if not isinstance(data, Mapping):
        return False
    source = data.get("source")
    if source == IncrementalSource.MUTATION:
        return _mutation_changes_something(data)
    return source in _VISIBLE_CHANGES
