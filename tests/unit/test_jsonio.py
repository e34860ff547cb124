"""JSON writing at any depth: orjson where it can, piece by piece past its 255 levels."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from reel.jsonio import MAX_NESTING, dumps


def nested(levels: int, leaf: Any = "leaf") -> Any:
    doc = leaf
    for i in range(levels):
        doc = {"k": [doc, i, "é\u2028"], "s": {"x": None}} if i % 2 else [doc, {"f": 1.5}]
    return doc


@pytest.mark.parametrize("levels", [10, 200, 300, 600])
def test_any_depth_the_parser_reads_back_is_written_exactly(levels: int) -> None:
    doc = nested(levels)
    assert orjson.loads(dumps(doc)) == doc


def test_deeper_than_the_parser_reads_is_still_written() -> None:
    doc: Any = "x"
    for _ in range(100_000):
        doc = [doc]
    out = dumps(doc)
    assert out == b"[" * 100_000 + b'"x"' + b"]" * 100_000
    assert MAX_NESTING == 1024


def test_shallow_parts_beside_a_deep_one_come_out_the_same() -> None:
    doc = {"v": 1, "events": [{"e": [[[i]]]} for i in range(1000)] + [nested(600)], "t": (1, 2)}
    assert orjson.loads(dumps(doc)) == {**doc, "t": [1, 2]}


def test_what_json_cannot_hold_is_refused_as_orjson_refuses_it() -> None:
    loop: list[Any] = []
    loop.append([[loop]])
    with pytest.raises(TypeError):
        dumps(loop)
    deep_loop: list[Any] = [[]]
    for _ in range(300):
        deep_loop = [deep_loop]
    deep_loop[0][0].append(deep_loop)
    with pytest.raises(TypeError):
        dumps(deep_loop)
    with pytest.raises(TypeError):
        dumps(nested(300, leaf=object()))
    with pytest.raises(TypeError):
        dumps(nested(300, leaf={1: "integer key"}))
