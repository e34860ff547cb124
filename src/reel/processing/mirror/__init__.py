"""The DOM mirror: applies rrweb events in pure Python and emits the DOM state at any time T as rrweb
events (a full snapshot keeping the node ids, plus the state a snapshot cannot hold)."""

from reel.processing.mirror.snapshot import FullSnapshotData, Offset, Serialized
from reel.processing.mirror.state import MAX_PROBLEMS, DomMirror, Problem, prefix_end, state_at

__all__ = [
    "MAX_PROBLEMS",
    "DomMirror",
    "FullSnapshotData",
    "Offset",
    "Problem",
    "Serialized",
    "prefix_end",
    "state_at",
]
