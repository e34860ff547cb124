"""Removed node ids written as their difference from a prediction (pure, exact for any events).

When a page sets an element's text, rrweb records the element's old child removed and a new one added:
`removes: [{parentId, id}]`, `adds: [{parentId, node: {id, ...}}]`. The removed `id` is nearly always the
last child added under that parent before (or its last child in the latest full snapshot), which the
events up to there already say. `predict_removals` replaces each such `id` with null and lists the
difference from the prediction apart (null where the item's `id` is not an integer, which then stays);
`restore_removals` puts them back. Both walk the events in the same order and read only what the
replacement leaves as it was, so they agree on every prediction whatever the events hold.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

Event = Any


def _is_int(v: Any) -> bool:
    return type(v) is int  # bool is an int subclass, and not an id


def _snapshot_children(node: Any, last_child: dict[int, int]) -> None:
    """Each element's last child in a serialized DOM tree (iterative: trees may be deep)."""
    stack = [node]
    while stack:
        n = stack.pop()
        if not isinstance(n, dict):
            continue
        kids = n.get("childNodes")
        if isinstance(kids, list) and kids:
            last = kids[-1]
            if _is_int(n.get("id")) and isinstance(last, dict) and _is_int(last.get("id")):
                last_child[n["id"]] = last["id"]
            stack.extend(kids)


def _mutation(event: Event) -> dict[str, Any] | None:
    if isinstance(event, dict) and event.get("type") == 3:
        data = event.get("data")
        if isinstance(data, dict) and data.get("source") == 0:
            return data
    return None


def _predictable(item: Any) -> bool:
    return isinstance(item, dict) and _is_int(item.get("parentId")) and "id" in item


def _learn(event: Event, data: dict[str, Any] | None, last_child: dict[int, int]) -> None:
    """What an event tells about each element's last child: a full snapshot, or a mutation's adds."""
    if data is not None:
        adds = data.get("adds")
        for add in adds if isinstance(adds, list) else ():
            if isinstance(add, dict) and _is_int(add.get("parentId")):
                node = add.get("node")
                if isinstance(node, dict) and _is_int(node.get("id")):
                    last_child[add["parentId"]] = node["id"]
    elif isinstance(event, dict) and event.get("type") == 2 and isinstance(event.get("data"), dict):
        _snapshot_children(event["data"].get("node"), last_child)


def predict_removals(streams: Iterable[list[Event]]) -> tuple[list[list[Event]], list[int | None]]:
    """The streams (keyframe, then events) with predictable removed ids nulled, and the differences.

    The input is not changed: an event with a replaced id is a copy down to the replaced item.
    """
    last_child: dict[int, int] = {}
    diffs: list[int | None] = []
    out: list[list[Event]] = []
    for events in streams:
        written: list[Event] = []
        for event in events:
            data = _mutation(event)
            removes = data.get("removes") if data is not None else None
            if data is not None and isinstance(removes, list) and any(_predictable(r) for r in removes):
                items = []
                for item in removes:
                    if not _predictable(item):
                        items.append(item)
                    elif _is_int(item["id"]):
                        diffs.append(item["id"] - last_child.get(item["parentId"], 0))
                        items.append({**item, "id": None})
                    else:
                        diffs.append(None)
                        items.append(item)
                event = {**event, "data": {**data, "removes": items}}
            _learn(event, data, last_child)
            written.append(event)
        out.append(written)
    return out, diffs


def restore_removals(streams: Iterable[list[Event]], diffs: list[Any]) -> None:
    """Put back, in place, the ids `predict_removals` took out; ValueError if `diffs` do not fit."""
    last_child: dict[int, int] = {}
    pending = iter(diffs)
    for events in streams:
        for event in events:
            data = _mutation(event)
            removes = data.get("removes") if data is not None else None
            for item in removes if isinstance(removes, list) else ():
                if _predictable(item):
                    diff = next(pending, False)
                    if diff is False or (diff is not None and not _is_int(diff)):
                        raise ValueError("removed ids and their differences do not fit")
                    if diff is not None:
                        item["id"] = last_child.get(item["parentId"], 0) + diff
            _learn(event, data, last_child)
    if next(pending, False) is not False:
        raise ValueError("differences left over")
