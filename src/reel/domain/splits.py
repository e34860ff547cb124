"""Where sessions split while the recording goes on: after N actions or a maximum duration (pure)."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

# Derived actions repeat a click that is already counted; they do not count towards a split.
UNCOUNTED_KINDS = frozenset({"rage_click", "dead_click"})
# Kinds a session's `errors` counter (and the list's "has errors" filter) counts: a request that failed
# is an error the user met as much as an exception is.
ERROR_KINDS = frozenset({"error", "network_error"})


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


@dataclass(frozen=True)
class PartCounts:
    """What a split moves from the part it closes to the part it opens: the `events` after the split,
    the `beacons` holding any of them, and how many of those hold nothing before it (`beacons_moved`)."""

    beacons: int = 0
    events: int = 0
    beacons_moved: int = 0


@dataclass
class _Fed:
    chain: str
    epoch: int
    parts: dict[int, int]


class RoundTally:
    """Where one processing round put each event, so that a split made in the round can say how many
    beacons and events now belong to the part it opened.

    Ingest counts a whole beacon in the part that was last when it arrived, before processing has
    decided any split; a split then takes over from the part it closes every event processing put after
    it. `epoch` counts the splits made so far in the round; `chain` is the recorder session, whose parts
    follow one another. Beacons of earlier rounds hold no event after a split made now (a part splits at
    its first event past the limit), so one round's beacons are all there is to move.
    """

    def __init__(self) -> None:
        self._beacons: list[_Fed] = []
        self._splits: list[tuple[str, int]] = []
        self._epoch = 0

    def beacon(self, chain: str) -> None:
        """A beacon of recorder session `chain` starts being fed."""
        self._beacons.append(_Fed(chain, self._epoch, {}))

    def event(self) -> None:
        """One event of the current beacon was put in the current part."""
        if self._beacons:
            parts = self._beacons[-1].parts
            parts[self._epoch] = parts.get(self._epoch, 0) + 1

    def split(self, chain: str) -> None:
        """A part of `chain` was split; the events after this belong to the part it opened."""
        self._epoch += 1
        self._splits.append((chain, self._epoch))

    def split_counts(self) -> list[PartCounts]:
        """What each split of the round moves, in the order the splits were made (then forgotten)."""
        out = [self._moved(chain, epoch) for chain, epoch in self._splits]
        self._splits = []
        return out

    def _moved(self, chain: str, epoch: int) -> PartCounts:
        beacons = events = moved = 0
        for fed in self._beacons:
            if fed.chain != chain:
                continue
            if not fed.parts:  # a beacon without events belongs where it was fed
                if fed.epoch >= epoch:
                    beacons, moved = beacons + 1, moved + 1
                continue
            after = sum(n for at, n in fed.parts.items() if at >= epoch)
            if after:
                beacons += 1
                events += after
                moved += after == sum(fed.parts.values())
        return PartCounts(beacons, events, moved)
