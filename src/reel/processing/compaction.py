"""Compaction rules (pure); the segment's content is built by reel.storage.segments.merge_segment.

A segment is compacted once closed (the next keyframe, or the end of a quiet recording, bounds it). A
beacon that arrives after its segment was compacted (it waited in a browser's stash, say) is merged into
it at its place by seq, and the segment is written again: its events are never lost, though the
keyframes after it were rebuilt without it.
"""

from __future__ import annotations

from collections.abc import Sequence


def released_seqs(buffered: Sequence[int], from_seq: int, to_seq: int) -> tuple[int, ...]:
    """The buffered beacons a compacted segment [from_seq, to_seq) makes redundant.

    A beacon straddling the segment's end (at `to_seq`) still holds events of the next segment and
    stays; one straddling its start was released by the previous segment's compaction already, or is
    released now (segments are compacted in order).
    """
    return tuple(s for s in buffered if from_seq <= s < to_seq)
