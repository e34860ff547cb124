"""JSON encoding that works at any depth, and the nesting limit Reel accepts (pure).

orjson parses up to 1,024 levels but encodes at most 255. A recorded DOM about 128 elements deep already
passes 255, so every place that writes JSON goes through `dumps`: orjson first, and past its limit the
document is written piece by piece, each piece shallow enough for orjson, without recursion, so no
depth ingest accepts (nor Python's recursion limit, nor the caller's stack) can make encoding fail.
"""

from __future__ import annotations

from typing import Any

import orjson

MAX_NESTING = 1024
"""Deepest JSON Reel accepts (orjson's parser limit): ingest refuses deeper bodies with 400, and
everything Reel stores or serves stays within it, so whatever was accepted can be read back."""

_PIECE_HEIGHT = 200  # containers at most this many levels tall go to orjson whole (it stops at 255)
_TRIES = 3  # levels below the top where each child of a refused container is tried on its own


class _Raw:
    """Bytes already encoded (punctuation, keys), told apart from the values being encoded; a closing
    bracket also ends its container's turn as an ancestor (`closes`)."""

    __slots__ = ("closes", "data")

    def __init__(self, data: bytes, closes: int | None = None) -> None:
        self.data = data
        self.closes = closes


def dumps(doc: Any) -> bytes:
    """`doc` as compact UTF-8 JSON, at any depth; TypeError for what JSON cannot hold, as orjson."""
    try:
        return orjson.dumps(doc)
    except TypeError:
        pass  # nested past orjson's limit, or a type JSON cannot hold: the piecewise writer tells which
    return _dumps_in_pieces(doc)


def _children(node: Any) -> Any:
    return node.values() if isinstance(node, dict) else node


def _heights(doc: Any) -> dict[int, int]:
    """Levels each container of `doc` spans (1 for one holding no container), by id; iterative."""
    order: list[Any] = []  # containers, parents before children
    seen: set[int] = set()
    stack: list[Any] = [doc]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue  # the same object twice
        seen.add(id(node))
        order.append(node)
        stack.extend(c for c in _children(node) if isinstance(c, dict | list | tuple))
    heights: dict[int, int] = {}
    for node in reversed(order):
        below = [heights.get(id(c), 0) for c in _children(node) if isinstance(c, dict | list | tuple)]
        heights[id(node)] = 1 + max(below, default=0)
    return heights


def _dumps_in_pieces(doc: Any) -> bytes:
    """`doc` written container by container where it is too deep for orjson, in one piece elsewhere.

    Near the top, a container orjson refuses is opened and each child tried on its own (the events of
    a beacon: only the deep ones cost more); deeper down, the heights of the refused subtree are
    measured once and decide, so no byte is tried more than _TRIES + 1 times.
    """
    heights: dict[int, int] = {}
    out: list[bytes] = []
    open_: set[int] = set()  # containers being written, to refuse one that contains itself
    stack: list[tuple[Any, int]] = [(doc, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, _Raw):
            out.append(item.data)
            if item.closes is not None:
                open_.discard(item.closes)
            continue
        if not isinstance(item, dict | list | tuple):
            out.append(orjson.dumps(item))  # raises the TypeError of a type JSON cannot hold
            continue
        height = heights.get(id(item))
        if height is None and level > 0:
            try:
                out.append(orjson.dumps(item))
                continue
            except TypeError:
                if level >= _TRIES:
                    heights.update(_heights(item))
                    height = heights[id(item)]
        elif height is not None and height <= _PIECE_HEIGHT:
            out.append(orjson.dumps(item))
            continue
        if id(item) in open_:
            raise TypeError("a document that contains itself cannot be written as JSON")
        open_.add(id(item))
        below = level + 1
        if isinstance(item, dict):
            out.append(b"{")
            stack.append((_Raw(b"}", id(item)), below))
            entries = list(item.items())
            for i in range(len(entries) - 1, -1, -1):
                key, value = entries[i]
                if not isinstance(key, str):
                    raise TypeError("JSON object keys must be strings")
                stack.append((value, below))
                stack.append((_Raw(orjson.dumps(key) + b":"), below))
                if i:
                    stack.append((_Raw(b","), below))
        else:
            out.append(b"[")
            stack.append((_Raw(b"]", id(item)), below))
            for i in range(len(item) - 1, -1, -1):
                stack.append((item[i], below))
                if i:
                    stack.append((_Raw(b","), below))
    return b"".join(out)
