"""How a session's replay data is laid out for the player: chunks to fetch and gaps to show (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reel.domain.records import Session, StoredBeacon

CHUNK_BEACONS = 8
CHUNK_BYTES = 512 * 1024


@dataclass(frozen=True)
class Chunk:
    """A run of received beacons the player fetches in one request."""

    from_seq: int
    to_seq: int
    start: int
    end: int


@dataclass(frozen=True)
class Gap:
    """A run of missing beacons and the time between the data around it."""

    from_seq: int
    to_seq: int
    start: int
    end: int


@dataclass(frozen=True)
class ReplayIndex:
    """Chunks and gaps of one session."""

    chunks: tuple[Chunk, ...]
    gaps: tuple[Gap, ...]


@dataclass(frozen=True)
class Window:
    """The event times a session part plays: from `lower` (inclusive) up to `upper` (exclusive)."""

    lower: int | None
    upper: int | None

    def holds(self, ts: int) -> bool:
        """True if an event at `ts` belongs to the part."""
        return (self.lower is None or ts >= self.lower) and (self.upper is None or ts < self.upper)


def part_window(session: Session) -> Window:
    """Part 1 plays from the start of its data; a split part from its start time; a split-closed part
    until the split (the event at the split time opens the next part)."""
    return Window(
        session.start if session.part > 1 else None,
        session.end if session.close_reason == "split" else None,
    )


def session_beacons(
    session: Session, recording_beacons: Sequence[StoredBeacon], part_ids: frozenset[str] | None = None
) -> list[StoredBeacon]:
    """The beacons holding events of `session`, by seq; `part_ids` are the ids of all its parts."""
    ids = part_ids or frozenset({session.id})
    window = part_window(session)
    return sorted(
        (
            b
            for b in recording_beacons
            if b.session_id in ids
            and (window.lower is None or b.last_ts >= window.lower)
            and (window.upper is None or b.first_ts < window.upper)
        ),
        key=lambda b: b.seq,
    )


def build_replay_index(
    session: Session, recording_beacons: Sequence[StoredBeacon], part_ids: frozenset[str] | None = None
) -> ReplayIndex:
    """Chunks of the session's beacons and the gaps among them.

    A gap is a seq that no stored beacon has, between the session's first and last beacon; for the first
    session of a recording the range starts at seq 0, so a lost opening beacon shows too.
    """
    own = session_beacons(session, recording_beacons, part_ids)
    if not own:
        return ReplayIndex((), ())
    ids = part_ids or frozenset({session.id})
    present = {b.seq: b for b in recording_beacons}
    earlier_elsewhere = any(b.seq < own[0].seq for b in recording_beacons if b.session_id not in ids)
    low = own[0].seq if earlier_elsewhere or session.part > 1 else 0
    window = part_window(session)
    chunks = [_clip(c, window) for c in _chunks(own)]
    if window.lower is not None:
        # A split part's first chunk opens with the checkpoint, which is timed at the part's start.
        chunks[0] = Chunk(chunks[0].from_seq, chunks[0].to_seq, window.lower, chunks[0].end)
    return ReplayIndex(tuple(chunks), _gaps(present, low, own[-1].seq, session.start))


def _clip(chunk: Chunk, window: Window) -> Chunk:
    start = chunk.start if window.lower is None else max(chunk.start, window.lower)
    end = chunk.end if window.upper is None else min(chunk.end, window.upper)
    return Chunk(chunk.from_seq, chunk.to_seq, start, max(start, end))


def _chunks(own: list[StoredBeacon]) -> tuple[Chunk, ...]:
    chunks: list[Chunk] = []
    group: list[StoredBeacon] = []
    size = 0
    for beacon in own:
        if group and (len(group) >= CHUNK_BEACONS or size + beacon.stored_bytes > CHUNK_BYTES):
            chunks.append(_chunk(group))
            group, size = [], 0
        group.append(beacon)
        size += beacon.stored_bytes
    chunks.append(_chunk(group))
    return tuple(chunks)


def _chunk(group: list[StoredBeacon]) -> Chunk:
    with_events = [b for b in group if b.events]
    start = min((b.first_ts for b in with_events), default=0)
    end = max((b.last_ts for b in with_events), default=0)
    return Chunk(group[0].seq, group[-1].seq, start, end)


def _gaps(present: dict[int, StoredBeacon], low: int, high: int, session_start: int) -> tuple[Gap, ...]:
    """The runs of seqs in low..high that no stored beacon has.

    Walks the stored beacons, never the seq numbers between them: a seq is any 31-bit number, so one
    beacon at seq 2^31-1 must cost one step, not two billion (issue: a forged seq stalled the list).
    """
    gaps: list[Gap] = []
    expected = low
    for seq in sorted(s for s in present if low <= s <= high):
        if seq > expected:
            gaps.append(_gap(present, expected, seq - 1, session_start))
        expected = seq + 1
    if expected <= high:
        gaps.append(_gap(present, expected, high, session_start))
    return tuple(gaps)


def _gap(present: dict[int, StoredBeacon], first: int, last: int, session_start: int) -> Gap:
    before = present.get(first - 1)
    after = present.get(last + 1)
    start = before.last_ts if before and before.events else session_start
    end = after.first_ts if after and after.events else start
    return Gap(first, last, start, max(start, end))
