"""The DOM mirror: rrweb events in, the DOM state at any time out (as rrweb events, node ids kept)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from reel.dom.mirror.apply import HANDLERS, apply_full_snapshot, apply_meta
from reel.dom.mirror.model import MirrorData
from reel.dom.mirror.nodes import OBJECT, number
from reel.dom.mirror.snapshot import FullSnapshotData, Serialized, full_snapshot, state_events

_FULL_SNAPSHOT, _INCREMENTAL, _META = 2, 3, 4
_STATELESS = frozenset({0, 1, 5, 6, 7})  # DomContentLoaded, Load, Custom, Plugin, Asset


class DomMirror(MirrorData):
    """The DOM of one recording, kept up to date event by event.

    Pure and total: events are decoded rrweb events (dicts, as `orjson.loads` makes them) and are
    never modified (the mirror may keep references to them, so callers must not modify them either);
    `apply` never raises, and what it cannot apply it records in `problems`.
    """

    def apply(self, event: Mapping[str, object]) -> None:
        """Apply one rrweb event (never raises)."""
        try:
            self._apply(event)
        except Exception as error:  # a bug must not stop a recording's processing; report it instead
            self.report(f"internal error: {type(error).__name__}: {error}")
        self.applied += 1

    def apply_all(self, events: Iterable[Mapping[str, object]]) -> None:
        """Apply events in order."""
        for event in events:
            self.apply(event)

    def _apply(self, event: Mapping[str, object]) -> None:
        if not isinstance(event, OBJECT):
            self.report("event is not an object")
            return
        ts = number(event.get("timestamp"))
        if ts is not None:
            self.timestamp = ts
        kind = event.get("type")
        data = event.get("data")
        if kind == _INCREMENTAL and type(kind) is int:
            if not isinstance(data, OBJECT):
                self.report("incremental event without data")
                return
            source = data.get("source")
            handler = HANDLERS.get(source) if type(source) is int else None
            if handler is None:
                self.report(f"unknown incremental source {source!r}")
                return
            handler(self, data)
        elif type(kind) is not int:
            self.report(f"event type {kind!r} is not a number")
        elif kind in _STATELESS:
            return
        elif not isinstance(data, OBJECT):
            self.report(f"event of type {kind} without data")
        elif kind == _FULL_SNAPSHOT:
            apply_full_snapshot(self, data)
        elif kind == _META:
            apply_meta(self, data)
        else:
            self.report(f"unknown event type {kind}")

    def snapshot(self, *, fold: bool = True, at: float | None = None) -> FullSnapshotData | None:
        """The current state as the data of an rrweb full snapshot; None before the first snapshot.

        With `fold` (the default), state a browser keeps beside the DOM is written into attributes the
        way rrweb's serializer does for a fresh snapshot: input values (value, checked, selected),
        element scroll offsets (rr_scrollLeft/Top) and CSSOM-edited sheets (_cssText). That is the
        static picture, e.g. for a first frame. Without it, the tree is as the DOM has it, and
        `state_events` carries the rest. Media times are advanced to `at` (default: the latest event).
        """
        return full_snapshot(self, self.timestamp if at is None else at, fold)

    def state_events(self, at: float | None = None, max_depth: int | None = None) -> list[Serialized]:
        """Events that rebuild the current state at time `at`: Meta, FullSnapshot and what the
        snapshot cannot hold (iframe documents, sheets, fonts, input values, scroll offsets); nodes
        deeper than `max_depth` left out.

        Before the first full snapshot: just the Meta event if there was one, else []. See `state_at`.
        """
        when = self.timestamp if at is None else at
        return state_events(self, 0 if when is None else when, max_depth)


def prefix_end(events: Sequence[Mapping[str, object]], t_ms: float) -> int:
    """Index of the first event later than `t_ms`: events[:i] are up to T, events[i:] follow."""
    for i, event in enumerate(events):
        ts = number(event.get("timestamp")) if isinstance(event, OBJECT) else None
        if ts is not None and ts > t_ms:
            return i
    return len(events)


def state_at(events: Sequence[Mapping[str, object]], t_ms: float) -> list[Serialized]:
    """The minimal events to start playback at `t_ms`, all timestamped `t_ms`.

    Meta, then a FullSnapshot of the DOM at T (node ids kept, so the original events after T apply
    to it), then as incremental events what a snapshot cannot hold: iframe documents (attach
    mutations), edited and constructed style sheets, fonts, input values and scroll offsets. Play
    them, then `events[prefix_end(events, t_ms):]`. Events are taken in stream order (rrweb streams
    are in timestamp order) up to the first one later than T. Before the first full snapshot it is
    just the Meta event (or [] without one), so "state, then the rest" always plays.

    rrweb's Replayer applies events stamped exactly at its start time only when it plays (or is
    paused at an offset of at least 1 ms), like the events rrweb itself sends right after a snapshot.
    """
    mirror = DomMirror()
    mirror.apply_all(events[: prefix_end(events, t_ms)])
    return mirror.state_events(t_ms)
