"""JSON encoding that works at any depth Reel accepts: orjson first, the standard library past its limit.

orjson refuses to encode documents nested deeper than 255 levels (it parses up to 1,024). A recorded
DOM about 128 elements deep already reaches that, so every place that writes JSON Reel accepted goes
through `dumps`.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

from reel.errors import BadRequest


def dumps(doc: Any) -> bytes:
    """`doc` as compact UTF-8 JSON; BadRequest if it is nested too deeply for any encoder here."""
    try:
        return orjson.dumps(doc)
    except TypeError:
        pass  # nested past orjson's limit (or a type it does not know): the standard library tries next
    try:
        return json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    except RecursionError:
        raise BadRequest("the data is nested too deeply to store") from None
