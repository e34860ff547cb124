"""Where sessions split while the recording goes on: after N actions or a maximum duration (pure)."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

# Derived actions repeat a click that is already counted; they do not count towards a split.
UNCOUNTED_KINDS = frozenset({"rage_click", "dead_click"})


@dataclass(frozen=True)
class SplitPolicy:
    """Brief §5: a session holds at most 200 actions and lasts at most 8 hours."""

    max_actions: int = 200
    max_ms: int = 8 * 60 * 60 * 1000


@dataclass(frozen=True)
class Part:
    """The part of a recorder session that processing is filling now."""

    session_id: str
    client_session_id: str
    part: int
    start: int
    actions: int = 0


def part_session_id(recording_id: str, client_session_id: str, part: int) -> str:
    """The id of part `part` (≥ 2) of a session: derived, so re-processing makes the same part again."""
    digest = hashlib.sha256(f"{recording_id}\0{client_session_id}\0{part}".encode()).digest()
    return "ses_" + base64.b32encode(digest[:15]).decode().lower()


def time_split_at(part: Part, ts: int, policy: SplitPolicy) -> int | None:
    """If an event at `ts` falls past the part's maximum duration, the time to split at."""
    limit = part.start + policy.max_ms
    if ts < limit:
        return None
    # After a long silence the next part starts with the next event rather than with an empty stretch.
    return limit if ts < limit + policy.max_ms else ts


def action_split_due(part: Part, kind: str, policy: SplitPolicy) -> bool:
    """True if an action of `kind` would be one more than the part may hold."""
    return kind not in UNCOUNTED_KINDS and part.actions >= policy.max_actions
