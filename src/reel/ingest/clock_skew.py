"""Client clocks that are wrong: event times brought onto the server's clock (pure).

rrweb stamps events with the browser's `Date.now()`, and some browsers' clocks are off by hours or
days. Left alone, such a recording would be listed, filtered and split at the wrong time. Policy
(docs/contracts/web-beacon.md, "Client clocks"):

- Each recording has one clock offset, measured on the first beacon that reaches the server
  (`received_at - sent_at`) and fixed from then on, so every beacon of the recording moves by the same
  amount and the recording's own timing (what playback uses) is untouched.
- Offsets within `CLOCK_TOLERANCE_MS` count as zero: that much is network delay and retries, and an
  honest clock's events are stored exactly as sent.
- Single event times are not clamped: a clock that jumps in the middle of a recording (or a forged
  recording with absurd times) affects only that recording's own sessions, never anyone else's data.
- Retention, silent-session closing and the order of beacons never depend on event times at all: they
  use the server's receive time (`received_at`) and `seq`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

CLOCK_TOLERANCE_MS = 15 * 60 * 1000
"""Offsets up to this are network delay and retries (the recorder gives up after ~4 min), not a wrong
clock; clocks that are wrong are usually off by whole hours or days."""


def measure_offset(received_at: int, sent_at: int | None, events: Sequence[dict[str, Any]]) -> int:
    """The correction for a recording's clock, from its first beacon: 0 within the tolerance.

    `sent_at` is the client's clock when it sent this request (the attempt's stamp, reel/ingest/
    send_time.py), or for clients that do not stamp attempts, when the beacon was cut; without it, the
    latest event time stands in (events come before the cut). A beacon with neither says nothing about
    the clock.
    """
    reference = sent_at if sent_at is not None else max((int(e["timestamp"]) for e in events), default=None)
    return offset_from(received_at, reference)


def offset_from(received_at: int, reference: int | None) -> int:
    """The correction for a clock that read `reference` at `received_at` (None: nothing known, 0)."""
    if reference is None:
        return 0
    skew = received_at - reference
    return skew if abs(skew) > CLOCK_TOLERANCE_MS else 0


def to_server_time(events: Sequence[dict[str, Any]], offset: int) -> tuple[dict[str, Any], ...]:
    """The events moved by the recording's clock offset: the same objects when it is 0, else copies
    (callers may hold the originals). Times stay positive whatever the offset."""
    if offset == 0:
        return tuple(events)
    return tuple({**e, "timestamp": max(1, int(e["timestamp"]) + offset)} for e in events)
