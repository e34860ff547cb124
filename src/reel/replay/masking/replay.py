"""Replay-time masking: an rrweb stream in, the same stream masked with the current rules out (pure).

Events are walked in order against a masking tree, so an event about node 57 is masked by what node 57
is inside at that moment. The input is never modified (output shares only what masking leaves as it
is); masking is total (an event Reel cannot read is dropped, never passed on unmasked) and idempotent
(every step maps its own output to itself).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from reel.dom.types import EventType
from reel.dom.types import IncrementalSource as Source
from reel.domain.rules import RuleSet
from reel.replay.masking.custom import mask_error, mask_network, message
from reel.replay.masking.mutation import mask_mutation
from reel.replay.masking.nodes import mask_subtree
from reel.replay.masking.policy import BLOCK, Policy
from reel.replay.masking.text import mask_text
from reel.replay.masking.tree import MaskTree
from reel.replay.masking.urls import mask_css_urls, mask_url
from reel.runtime.metrics import REPLAY_EVENTS_DROPPED

Event = dict[str, Any]
CONSOLE_PLUGIN = "rrweb/console@1"
_STATELESS = frozenset(
    {
        Source.MOUSE_MOVE.value,
        Source.MOUSE_INTERACTION.value,
        Source.SCROLL.value,
        Source.VIEWPORT_RESIZE.value,
        Source.TOUCH_MOVE.value,
        Source.MEDIA_INTERACTION.value,
        Source.DRAG.value,
        Source.SELECTION.value,
        Source.CUSTOM_ELEMENT.value,
    }
)
"""Incremental sources that carry no content: sent as they are."""
_CANVAS_TEXT = frozenset({"fillText", "strokeText"})
_AS_GIVEN = frozenset({"reel.identify", "reel.event"})
_DIAGNOSTIC = frozenset({"reel.error", "reel.console"})
# Plain ints: comparing with IntEnum members costs an attribute lookup per event.
_DOM_CONTENT_LOADED, _LOAD, _FULL_SNAPSHOT, _INCREMENTAL, _META, _CUSTOM, _PLUGIN = (
    e.value for e in EventType
)


class ReplayMasker:
    """Masks one recording's events in order; keeps what it learnt of the DOM between calls."""

    def __init__(self, rules: RuleSet) -> None:
        self.policy = Policy(rules)
        self.tree = MaskTree(self.policy)
        self.dropped = 0
        """Events this masker left out: blocked or unreadable."""
        self.failed = 0
        """Events this masker left out because masking them failed (a bug): never sent unmasked."""
        self._sources: dict[int, Callable[[Event], Event | None]] = {
            Source.MUTATION.value: partial(mask_mutation, self.tree),
            Source.INPUT.value: self._input,
            Source.STYLE_SHEET_RULE.value: self._sheet_rules,
            Source.STYLE_DECLARATION.value: self._declaration,
            Source.ADOPTED_STYLE_SHEET.value: self._adopted,
            Source.LOG.value: self._console,
            Source.CANVAS_MUTATION.value: self._canvas,
            Source.FONT.value: self._font,
        }

    def mask(self, event: object) -> Event | None:
        """The masked event, or None when it must not be sent (unreadable, or inside a blocked element)."""
        if type(event) is not dict:
            return None
        data = event.get("data")
        try:
            if type(data) is dict and event.get("type") == _INCREMENTAL and data.get("source") == 0:
                masked: Event | None = mask_mutation(self.tree, data)  # most events: no dispatch
            else:
                masked = self._data(event.get("type"), data)
        except Exception:  # a bug must not let an event through unmasked: drop it instead
            REPLAY_EVENTS_DROPPED.labels("error").inc()
            self.failed += 1
            return None
        if masked is None:
            REPLAY_EVENTS_DROPPED.labels("dropped").inc()
            self.dropped += 1
            return None
        if masked is data and len(event) == 3 and "timestamp" in event:
            return event  # nothing to mask and no field beside type, data and timestamp
        out: Event = {"type": event["type"], "data": masked}
        if "timestamp" in event:
            out["timestamp"] = event["timestamp"]
        return out

    def mask_all(self, events: Iterable[object]) -> list[Event]:
        """The masked events, in order, without those dropped."""
        out: list[Event] = []
        for event in events:
            masked = self.mask(event)
            if masked is not None:
                out.append(masked)
        return out

    def _data(self, kind: object, data: object) -> Event | None:
        if type(kind) is not int or type(data) is not dict:
            return None
        if kind == _INCREMENTAL:
            source = data.get("source")
            if type(source) is not int:
                return None
            if source in _STATELESS:
                return data
            handler = self._sources.get(source)
            return handler(data) if handler is not None else None
        if kind == _FULL_SNAPSHOT:
            return self._full_snapshot(data)
        if kind == _META:
            return self._meta(data)
        if kind == _CUSTOM:
            return self._custom(data)
        if kind == _PLUGIN:
            return self._plugin(data)
        if kind in (_DOM_CONTENT_LOADED, _LOAD):
            return {}
        return None

    # --- documents and pages -----------------------------------------------------------------------

    def _full_snapshot(self, data: Event) -> Event | None:
        sn = data.get("node")
        if not isinstance(sn, dict):
            return None
        self.tree.reset()
        node = mask_subtree(self.tree, sn, None)
        if node is None:
            return None
        offset = data.get("initialOffset")
        out: Event = {"node": node}
        if isinstance(offset, dict):
            out["initialOffset"] = {k: v for k, v in offset.items() if k in ("top", "left") and _number(v)}
        return out

    def _meta(self, data: Event) -> Event:
        out: Event = {k: data[k] for k in ("width", "height") if _number(data.get(k))}
        href = data.get("href")
        out["href"] = mask_url(href, self.policy.urls) if isinstance(href, str) else ""
        return out

    # --- incremental sources -------------------------------------------------------------------------

    def _effect_of(self, node_id: object) -> int | None:
        """The effect on a node's content; None when the node is inside a blocked element or gone."""
        tree = self.tree
        if type(node_id) is not int or node_id in tree.gone:
            return None
        node = tree.nodes.get(node_id)
        if node is None:
            return self.policy.unknown
        ctx = tree.context(node)
        return None if ctx & BLOCK else self.policy.effects[ctx]

    def _input(self, data: Event) -> Event | None:
        text = data.get("text")
        if self._effect_of(data.get("id")) is None or not isinstance(text, str):
            return None
        out: Event = {"source": Source.INPUT.value, "id": data["id"], "text": mask_text(text)}
        for key in ("isChecked", "userTriggered"):
            if isinstance(data.get(key), bool):
                out[key] = data[key]
        return out

    def _sheet_owner_effect(self, data: Event) -> int | None:
        """Style sheets belong to no element: the document's effect, unless the sheet's element is
        blocked (None: the event is dropped)."""
        style_id = data.get("styleId")
        if type(style_id) is int and style_id:
            return self.policy.document  # a constructed sheet
        return None if self._effect_of(data.get("id")) is None else self.policy.document

    def _sheet_rules(self, data: Event) -> Event | None:
        effect = self._sheet_owner_effect(data)
        if effect is None:
            return None
        out = _keep(data, ("source", "id", "styleId", "removes"))
        adds = data.get("adds")
        if isinstance(adds, list):
            out["adds"] = self._rules(adds, effect)
        for key in ("replace", "replaceSync"):
            if isinstance(data.get(key), str):
                out[key] = self.policy.css(data[key], effect)
        return out

    def _rules(self, rules: list[Any], effect: int) -> list[Event]:
        out: list[Event] = []
        for rule in rules:
            if isinstance(rule, dict) and isinstance(rule.get("rule"), str):
                masked = {"rule": self.policy.css(rule["rule"], effect)}
                if "index" in rule:
                    masked["index"] = rule["index"]
                out.append(masked)
        return out

    def _declaration(self, data: Event) -> Event | None:
        effect = self._sheet_owner_effect(data)
        if effect is None:
            return None
        out = _keep(data, ("source", "id", "styleId", "index", "remove"))
        change = data.get("set")
        if isinstance(change, dict):
            prop, value = change.get("property"), change.get("value")
            if isinstance(prop, str) and isinstance(value, str):
                value = self.policy.css_value(prop, value, effect)
            out["set"] = {"property": prop, "value": value, "priority": change.get("priority")}
        return out

    def _adopted(self, data: Event) -> Event | None:
        effect = self.policy.document  # constructed sheets belong to no element
        out = _keep(data, ("source", "id", "styleIds"))
        styles = data.get("styles")
        if isinstance(styles, list):
            masked_styles: list[Event] = []
            for style in styles:
                if isinstance(style, dict) and isinstance(style.get("rules"), list):
                    rules = self._rules(style["rules"], effect)
                    masked_styles.append({"styleId": style.get("styleId"), "rules": rules})
            out["styles"] = masked_styles
        return out

    def _console(self, data: Event) -> Event:
        """A console message (rrweb's log source and console plugin): each argument masked, no trace."""
        out: Event = {k: data[k] for k in ("source", "level") if isinstance(data.get(k), str | int)}
        items = data.get("payload")
        out["payload"] = (
            [self._message(s) for s in items if isinstance(s, str)] if isinstance(items, list) else []
        )
        out["trace"] = []
        return out

    def _message(self, text: str) -> str:
        return message(self.policy, text)

    def _canvas(self, data: Event) -> Event | None:
        effect = self._effect_of(data.get("id"))
        if effect is None:
            return None
        commands = data.get("commands")
        out = dict(data)
        if isinstance(commands, list):
            out["commands"] = [self._canvas_command(c, effect) for c in commands if isinstance(c, dict)]
        else:
            out.update(self._canvas_command(data, effect))
        return out

    def _canvas_command(self, command: Event, effect: int) -> Event:
        args = command.get("args")
        if command.get("property") not in _CANVAS_TEXT or not isinstance(args, list) or not args:
            return command
        first = args[0]
        text = self.policy.text(first, effect) if isinstance(first, str) else first
        return {**command, "args": [text, *args[1:]]}

    def _font(self, data: Event) -> Event:
        source = data.get("fontSource")
        if isinstance(source, str) and data.get("buffer") is not True:
            return {**data, "fontSource": mask_css_urls(source, self.policy.urls)}
        return data

    # --- custom and plugin events ---------------------------------------------------------------------

    def _custom(self, data: Event) -> Event | None:
        tag, payload = data.get("tag"), data.get("payload")
        if not isinstance(tag, str):
            return None
        policy = self.policy
        if tag in _DIAGNOSTIC and isinstance(payload, dict):
            payload = mask_error(policy, payload)
        elif tag == "reel.network" and isinstance(payload, dict):
            payload = mask_network(policy, payload)
        elif tag == "reel.navigation" and isinstance(payload, dict):
            href = payload.get("href")
            payload = map_strings(payload, policy.detect)
            if isinstance(href, str):
                payload["href"] = mask_url(href, policy.urls)
        elif tag in _AS_GIVEN:
            pass  # the application's own choice of what to send (docs/contracts/masking-rules.md)
        else:
            payload = map_strings(payload, policy.detect)
        return {"tag": tag, "payload": payload}

    def _plugin(self, data: Event) -> Event | None:
        payload = data.get("payload")
        if data.get("plugin") != CONSOLE_PLUGIN or not isinstance(payload, dict):
            return None  # a plugin Reel does not know may carry anything
        return {"plugin": CONSOLE_PLUGIN, "payload": self._console(payload)}


def mask_events(events: Iterable[object], rules: RuleSet) -> list[Event]:
    """A whole stream masked with `rules` (see the module docstring)."""
    return ReplayMasker(rules).mask_all(events)


def map_strings(value: Any, fn: Callable[[str], str]) -> Any:
    """A copy of a JSON value with `fn` applied to every string in it (keys stay), without recursion."""
    if isinstance(value, str):
        return fn(value)
    if not isinstance(value, dict | list):
        return value
    root: dict[str, Any] | list[Any] = {} if isinstance(value, dict) else []
    stack: list[tuple[Any, Any]] = [(value, root)]
    while stack:
        source, target = stack.pop()
        pairs = source.items() if isinstance(source, dict) else enumerate(source)
        for key, item in pairs:
            if isinstance(item, str):
                new: Any = fn(item)
            elif isinstance(item, dict):
                new = {}
                stack.append((item, new))
            elif isinstance(item, list):
                new = []
                stack.append((item, new))
            else:
                new = item
            if isinstance(target, dict):
                target[key] = new
            else:
                target.append(new)
    return root


def _keep(data: Event, keys: tuple[str, ...]) -> Event:
    return {k: data[k] for k in keys if k in data}


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
