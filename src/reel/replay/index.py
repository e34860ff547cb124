"""The gaps of a session: runs of beacons that never arrived, and the time they cover (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from reel.domain.records import Session, StoredBeacon


@dataclass(frozen=True)
class Gap:
    """A run of missing beacons and the time between the data around it."""

    from_seq: int
    to_seq: int
    start: int
    end: int


def seq_range(session: Session, first_of_recording: bool) -> tuple[int, int]:
    """The seqs a session's completeness is counted over: from 0 for a recording's first session (so a
    lost opening beacon shows too), else from its own first beacon, to its last."""
    return (0 if first_of_recording and session.part == 1 else session.min_seq, session.max_seq)


def session_gaps(
    session: Session, runs: list[tuple[int, int]], around: Mapping[int, StoredBeacon]
) -> list[Gap]:
    """The gaps of a session from its missing runs, timed by the beacons around each (`around` by seq)."""
    gaps: list[Gap] = []
    for first, last in runs:
        before = around.get(first - 1)
        after = around.get(last + 1)
        start = before.last_ts if before and before.events else session.start
        end = after.first_ts if after and after.events else start
        gaps.append(Gap(first, last, start, max(start, end)))
    return gaps
